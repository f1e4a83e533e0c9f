from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from faq.content import ContentError
from faq.sync import Busy, export

EXIT_INVALID = 1
EXIT_CONFLICT = 3
EXIT_BUSY = 4


class Command(BaseCommand):
    help = "Write database entries to the markdown files in content/ (entries made in the admin get new files)."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="SLUG",
            help="Write only this FAQ or topic slug, fact key, or 'site', taking the admin's version. Repeatable.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would be written; write nothing.")
        parser.add_argument(
            "--wait", type=float, default=60, help="Seconds to wait for another load or export to finish (default 60)."
        )

    def handle(self, *args, path=None, only=(), dry_run=False, wait=60, **options):
        root = path or settings.CONTENT_DIR
        try:
            report = export(root, only=only, dry_run=dry_run, wait=wait, on_wait=self.say_waiting)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            self.stderr.write(self.style.ERROR(f"{len(exc.problems)} problem(s) found; nothing was written."))
            raise SystemExit(EXIT_INVALID) from None
        except Busy as exc:
            self.stderr.write(self.style.ERROR(f"Not exported: {exc}"))
            raise SystemExit(EXIT_BUSY) from None

        if dry_run:
            self.stdout.write("Dry run: nothing was written. A real run would do this:")
        for label in report.created:
            self.stdout.write(f"created: {label}")
        for label in report.updated:
            self.stdout.write(f"updated: {label}")
        for label in report.newer_files:
            self.stdout.write(f"file kept, it has changes not loaded yet (run load_content): {label}")
        for conflict in report.conflicts:
            self.stdout.write(f"conflict, file left as it is: {conflict.label}")
            self.stderr.write(
                f"CONFLICT {conflict.label}: {conflict.path} changed since the last load, and the entry was edited in "
                "the admin too. The file is left as it is. Run export_content --only "
                f"{conflict.name} to take the admin's version, or load_content --force to take the file's.\n"
                + conflict.diff
            )
        self.stdout.write(("Dry run: " if dry_run else "") + report.summary())
        if report.conflicts:
            raise SystemExit(EXIT_CONFLICT)

    def say_waiting(self):
        self.stderr.write("Another load_content or export_content is running; waiting for it to finish...")
