from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from faq.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore the database from a backup folder made by backup_site, then check that every table's rows match "
        "the backup. Into an empty database by default; --replace overwrites one that has data."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup folder (iop-backup-...).")
        parser.add_argument(
            "--replace", action="store_true", help="Replace a database that already has tables (stop the site first)."
        )

    def handle(self, *args, backup, replace=False, **options):
        try:
            tables = restore_backup(backup, replace=replace)
        except BackupError as exc:
            raise CommandError(f"Not restored: {exc}") from None
        rows = sum(table["rows"] for table in tables.values())
        self.stdout.write(
            f"Restored {rows} rows in {len(tables)} tables into the {connection.vendor} database from {backup}; "
            "every table matches the backup (row count and content hash)."
        )
        self.stdout.write(f"The backup's copy of the content files is in {backup / 'content'}.")
