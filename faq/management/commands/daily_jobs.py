import io
import logging

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger("faq.jobs")


class Command(BaseCommand):
    help = (
        "The daily jobs (deploy/systemd/iop-jobs.timer): a backup, the content checks, the list of answers due "
        "for clinical review (review_status), which fails when one is overdue, and the translations behind their "
        "English (translation_status), which fails when one is behind for too long. A failure is logged as an "
        "error, so it reaches ADMINS or Sentry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, default=14, metavar="N", help="Backups to keep (default 14).")

    def handle(self, *args, keep=14, **options):
        failed = []
        jobs = [
            ("backup_site", ["--keep", str(keep)]),
            ("check_content", []),
            ("review_status", []),
            ("translation_status", []),
        ]
        installed = get_commands()
        # A release from before the sign-off or the translations has no review_status or translation_status.
        for name, arguments in [job for job in jobs if job[0] in installed]:
            out, err = io.StringIO(), io.StringIO()
            try:
                call_command(name, *arguments, stdout=out, stderr=err)
            except (CommandError, SystemExit) as exc:
                failed.append(name)
                # One error per job, with what it printed: unattended, this log line is how a person hears of it.
                detail = str(exc) if isinstance(exc, CommandError) else f"exit {exc.code}"
                logger.error("Daily job %s failed (%s):\n%s", name, detail, err.getvalue()[-4000:])
            except Exception as exc:  # a crash in one job (e.g. the database is gone) must not skip the others
                failed.append(name)
                logger.exception("Daily job %s failed (%r):\n%s", name, exc, err.getvalue()[-4000:])
            self.stdout.write(out.getvalue(), ending="")
            self.stderr.write(err.getvalue(), ending="")
        if failed:
            raise CommandError(f"{' and '.join(failed)} failed; the lines above say why.")
        self.stdout.write("Daily jobs done: backup made, every check passed.")
