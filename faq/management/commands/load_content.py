from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

from faq.content import ContentError, read_tree, tree_hashes
from faq.filecache import FileMemo
from faq.loading import changed_since_load, load, loaded_hashes
from faq.locking import Busy
from faq.management.reporting import write_findings, write_problems
from faq.quality import WARNING, check

EXIT_INVALID = 1
EXIT_CONFLICT = 3
EXIT_BUSY = 4


class Command(BaseCommand):
    help = (
        "Validate every file in content/, run the content checks (check_content), and load them into the "
        "database in one transaction. An entry edited in the admin and in its file is a conflict: it is reported "
        "with the differences and left alone (exit 3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--force",
            nargs="+",
            action="extend",
            default=[],
            metavar="NAME",
            help="For these conflicts only, take the file's version (a slug or key, 'site', or kind:name such as "
            "topic:costs). Nothing else changes.",
        )
        parser.add_argument(
            "--prune", action="store_true", help="Unpublish (never delete) FAQs whose file is gone, and say which."
        )
        parser.add_argument(
            "--wait", type=float, default=60, help="Seconds to wait for another load or export to finish (default 60)."
        )

    def handle(self, *args, path=None, dry_run=False, force=(), prune=False, wait=60, **options):
        root = path or settings.CONTENT_DIR
        hashes = tree_hashes(root)
        if not (force or prune) and self.nothing_changed(hashes, dry_run):
            return
        memo = FileMemo.read()
        try:
            content = read_tree(root, memo, hashes)
            if settings.CONTENT_CHECKS_ON_LOAD:
                self.refuse_on_check_errors(content, memo)
            report = load(
                content, dry_run=dry_run, force=force, prune=prune, wait=wait, on_wait=self.say_waiting, memo=memo
            )
        except ContentError as exc:
            write_problems(self, exc.problems, "nothing was loaded. Fix them and run again.")
            raise SystemExit(EXIT_INVALID) from None
        except Busy as exc:
            self.stderr.write(self.style.ERROR(f"Not loaded: {exc}"))
            raise SystemExit(EXIT_BUSY) from None
        self.write_report(report)
        if report.conflicts:
            raise SystemExit(EXIT_CONFLICT)

    def write_report(self, report):
        out = self.stdout.write
        if report.dry_run:
            out("Dry run: nothing was written. A real run would do this:")
        for items, prefix in (
            (report.created, "created"),
            (report.updated, "updated"),
            (
                report.pending,
                "waiting for review (the public page keeps the approved version until a reviewer approves)",
            ),
            (report.forced, "forced"),
            (report.kept, "kept admin edit (file unchanged since the last load)"),
        ):
            for label in items:
                out(f"{prefix}: {label}")
        for name in report.not_forced:
            out(f"--force {name}: not in conflict, so nothing was forced")
        for conflict in report.conflicts:
            self.write_conflict(conflict)
        self.write_missing(report)
        out(("Dry run: " if report.dry_run else "") + report.summary())

    def write_missing(self, report):
        for label in report.unpublished:
            self.stdout.write(f"unpublished, its file is gone: {label}")
        for label in report.missing:
            self.stdout.write(f"no file any more, entry kept: {label}")
        if report.missing and not report.unpublished:
            self.stdout.write("(load_content --prune unpublishes FAQs whose file is gone; nothing is ever deleted)")

    def write_conflict(self, conflict):
        self.stdout.write(f"conflict, left as it is in the admin: {conflict.title}")
        self.stderr.write(
            f"CONFLICT {conflict.title}: changed in the admin since the last load, and {conflict.path} changed "
            f"too. Left as it is. To take the file's version: load_content --force {conflict.name}. To write "
            f"the admin's version to the file: export_content --only {conflict.name}.\n" + conflict.diff
        )

    def nothing_changed(self, hashes, dry_run):
        """True, after reporting, when every file is byte for byte what the last load saw: nothing to parse,
        check or write. Any doubt (a file that cannot be read, no tables yet) goes the full way."""
        if not hashes:
            return False
        try:
            if hashes != loaded_hashes():
                return False
            kept = changed_since_load(remember=not dry_run)
        except DatabaseError:
            return False
        for label in kept:
            self.stdout.write(f"kept admin edit (file unchanged since the last load): {label}")
        unchanged = len(hashes) - len(kept)  # as a full load counts: a kept edit is not also unchanged
        summary = f"0 created, 0 updated, {unchanged} unchanged" + (f", {len(kept)} kept admin edits" if kept else "")
        self.stdout.write(("Dry run: " if dry_run else "") + summary)
        return True

    def refuse_on_check_errors(self, content, memo):
        # An overdue review is reported, not refused: a load must still be able to bring the fix.
        errors = write_findings(self, check(content, today=timezone.localdate(), overdue=WARNING, memo=memo))
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
