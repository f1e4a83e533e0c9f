from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

from faq.content import ContentError, read_tree, tree_hashes
from faq.management.commands.check_content import write_findings
from faq.quality import check
from faq.sync import Busy, edited_since_load, loaded_hashes, sync

EXIT_INVALID = 1
EXIT_CONFLICT = 3
EXIT_BUSY = 4


class Command(BaseCommand):
    help = (
        "Validate every file in content/, run the content checks (check_content), and load them into the "
        "database in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--force", action="store_true", help="Take the file's version even where the admin edited the entry."
        )
        parser.add_argument(
            "--prune", action="store_true", help="Unpublish (never delete) FAQs whose file is gone, and say which."
        )
        parser.add_argument(
            "--wait", type=float, default=60, help="Seconds to wait for another load or export to finish (default 60)."
        )

    def handle(self, *args, path=None, dry_run=False, force=False, prune=False, wait=60, **options):
        root = path or settings.CONTENT_DIR
        if not (force or prune) and self.nothing_changed(root, dry_run):
            return
        try:
            content = read_tree(root)
            if settings.CONTENT_CHECKS_ON_LOAD:
                self.refuse_on_check_errors(content)
            report = sync(content, dry_run=dry_run, force=force, prune=prune, wait=wait, on_wait=self.say_waiting)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            self.stderr.write(
                self.style.ERROR(f"{len(exc.problems)} problem(s) found; nothing was loaded. Fix them and run again.")
            )
            raise SystemExit(EXIT_INVALID) from None
        except Busy as exc:
            self.stderr.write(self.style.ERROR(f"Not loaded: {exc}"))
            raise SystemExit(EXIT_BUSY) from None

        if dry_run:
            self.stdout.write("Dry run: nothing was written. A real run would do this:")
        for label in report.created:
            self.stdout.write(f"created: {label}")
        for label in report.updated:
            self.stdout.write(f"updated: {label}")
        for label in report.kept:
            self.stdout.write(f"kept admin edit (file unchanged since the last load): {label}")
        for conflict in report.conflicts:
            self.stdout.write(f"conflict, left as it is in the admin: {conflict.label}")
            self.stderr.write(
                f"CONFLICT {conflict.label}: edited in the admin since the last load, and {conflict.path} changed "
                "too. Left as it is in the admin. Run load_content --force to take the file's version, or "
                f"export_content --only {conflict.name} to write the admin's version to the file.\n" + conflict.diff
            )
        for label in report.unpublished:
            self.stdout.write(f"unpublished, its file is gone: {label}")
        for label in report.missing:
            self.stdout.write(f"no file any more, entry kept: {label}")
        if report.missing and not prune:
            self.stdout.write("(load_content --prune unpublishes FAQs whose file is gone; nothing is ever deleted)")
        self.stdout.write(("Dry run: " if dry_run else "") + report.summary())
        if report.conflicts:
            raise SystemExit(EXIT_CONFLICT)

    def nothing_changed(self, root, dry_run):
        """True, after reporting, when every file is byte for byte what the last load saw: nothing to parse,
        check or write. Any doubt (a file that cannot be read, no tables yet) goes the full way."""
        hashes = tree_hashes(root)
        if not hashes:
            return False
        try:
            if hashes != loaded_hashes():
                return False
            kept = edited_since_load()
        except DatabaseError:
            return False
        for label in kept:
            self.stdout.write(f"kept admin edit (file unchanged since the last load): {label}")
        summary = f"0 created, 0 updated, {len(hashes)} unchanged" + (f", {len(kept)} kept admin edits" if kept else "")
        self.stdout.write(("Dry run: " if dry_run else "") + summary)
        return True

    def refuse_on_check_errors(self, content):
        errors = write_findings(self, check(content, today=timezone.localdate()))
        if errors:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(errors)} content check error(s); nothing was loaded. Fix them and run again "
                    "(manage.py check_content lists them without loading)."
                )
            )
            raise SystemExit(EXIT_INVALID)

    def say_waiting(self):
        self.stderr.write("Another load_content or export_content is running; waiting for it to finish...")
