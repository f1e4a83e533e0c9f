from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from faq.content import ContentError
from faq.exporting import export
from faq.locking import Busy
from faq.management.reporting import write_problems

EXIT_INVALID = 1
EXIT_CONFLICT = 3
EXIT_BUSY = 4


class Command(BaseCommand):
    help = (
        "Write database entries to the markdown files in content/ (entries made in the admin get new files). "
        "A change waiting for review is written as it would be published."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="NAME",
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
            write_problems(self, exc.problems, "nothing was written.")
            raise SystemExit(EXIT_INVALID) from None
        except Busy as exc:
            self.stderr.write(self.style.ERROR(f"Not exported: {exc}"))
            raise SystemExit(EXIT_BUSY) from None

        self.write_report(report)
        if report.conflicts:
            raise SystemExit(EXIT_CONFLICT)
        if report.failed:
            raise SystemExit(EXIT_INVALID)

    def write_report(self, report):
        out = self.stdout.write
        if report.dry_run:
            out("Dry run: nothing was written. A real run would do this:")
        for items, prefix in (
            (report.created, "created"),
            (report.updated, "updated"),
            (report.newer_files, "file kept, it has changes not loaded yet (run load_content)"),
        ):
            for label in items:
                out(f"{prefix}: {label}")
        for conflict in report.conflicts:
            out(f"conflict, file left as it is: {conflict.title}")
            self.stderr.write(
                f"CONFLICT {conflict.title}: {conflict.path} changed since the last load, and the entry was edited in "
                f"the admin too. The file is left as it is. To take the admin's version: export_content --only "
                f"{conflict.name}. To take the file's: load_content --force {conflict.name}.\n" + conflict.diff
            )
        if report.failed:
            written = "would be" if report.dry_run else "were"
            write_problems(self, report.failed, f"those entries were not written; the others {written}.")
        out(("Dry run: " if report.dry_run else "") + report.summary())

    def say_waiting(self):
        self.stderr.write("Another load_content or export_content is running; waiting for it to finish...")
