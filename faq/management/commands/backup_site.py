from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from faq.backups import BackupError, create_backup, prune


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump, while the site runs) and a copy of every entry as "
        "markdown, into a new folder under BACKUP_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None, help="Folder for backups (default: BACKUP_DIR).")
        parser.add_argument(
            "--keep", type=int, default=None, metavar="N", help="Afterwards, delete all but the newest N backups."
        )

    def handle(self, *args, output=None, keep=None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more: the backup just made is always kept.")
        directory = output or settings.BACKUP_DIR
        try:
            path = create_backup(directory)
        except BackupError as exc:
            raise CommandError(f"Backup into {directory} failed, nothing was kept: {exc}") from None
        except Exception as exc:  # e.g. the database is unreachable: say so in one line (daily_jobs logs it)
            raise CommandError(f"Backup into {directory} failed, nothing was kept: {exc!r}") from None
        self.stdout.write(f"Backup written: {path}")
        if keep is not None:
            for old in prune(directory, keep):
                self.stdout.write(f"Deleted old backup: {old}")
