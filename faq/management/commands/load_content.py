from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from faq.content import ContentError, read_tree
from faq.management.commands.check_content import write_findings
from faq.quality import check
from faq.sync import sync

EXIT_INVALID = 1
EXIT_CONFLICT = 3


class Command(BaseCommand):
    help = (
        "Validate every file in content/, run the content checks (check_content), and load them into the "
        "database in one transaction."
    )
    # Tests of the sync itself load tiny made-up folders that would not pass the editorial checks. Only
    # call_command() accepts a stealth option: `manage.py load_content` has no such flag.
    stealth_options = ("skip_content_checks_in_tests",)

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--force", action="store_true", help="Take the file's version even where the admin edited the entry."
        )

    def handle(self, *args, path=None, dry_run=False, force=False, **options):
        root = path or settings.CONTENT_DIR
        try:
            content = read_tree(root)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            self.stderr.write(
                self.style.ERROR(f"{len(exc.problems)} problem(s) found; nothing was loaded. Fix them and run again.")
            )
            raise SystemExit(EXIT_INVALID) from None

        if not options.get("skip_content_checks_in_tests"):
            errors = write_findings(self, check(content, today=timezone.localdate()))
            if errors:
                self.stderr.write(
                    self.style.ERROR(
                        f"{len(errors)} content check error(s); nothing was loaded. Fix them and run again "
                        "(manage.py check_content lists them without loading)."
                    )
                )
                raise SystemExit(EXIT_INVALID)

        report = sync(content, dry_run=dry_run, force=force)
        prefix = "Dry run, nothing written: would be " if dry_run else ""
        for label in report.created:
            self.stdout.write(f"{prefix}created: {label}")
        for label in report.updated:
            self.stdout.write(f"{prefix}updated: {label}")
        for label in report.kept:
            self.stdout.write(f"kept admin edit (file unchanged since the last load): {label}")
        for label in report.missing:
            self.stdout.write(f"no file any more, entry kept: {label}")
        for conflict in report.conflicts:
            self.stderr.write(
                f"CONFLICT {conflict.label}: edited in the admin since the last load, and {conflict.path} changed "
                "too. Left as it is in the admin. Run load_content --force to take the file's version, or "
                "export_content to write the admin's version to the file.\n" + conflict.diff
            )
        self.stdout.write(("Dry run: " if dry_run else "") + report.summary())
        if report.conflicts:
            raise SystemExit(EXIT_CONFLICT)
