"""Consistent backups of the site while it runs, and restoring them (manage.py backup_site, restore_site).

A backup is one folder, iop-backup-YYYYMMDD-HHMMSS, written under a temporary name and renamed when complete:

    database.sqlite3   SQLite: a page-for-page copy made with SQLite's online backup API
    database.dump      PostgreSQL: pg_dump's custom format, taken from one snapshot
    content/           every entry as a markdown file (export_content into an empty folder)
    manifest.json      when, which database, and for every table its row count and a hash of its rows (taken from
                       the same snapshot as the copy), and the sha256 of every file in the folder

A restore checks the files against the manifest before touching the database, restores, and then checks every
table's rows and hash again, so "restored" means every row came back.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

FORMAT = 1
PREFIX = "iop-backup-"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what to do."""


# --- what a database holds -----------------------------------------------------------------------------------------


def _normalise(value):
    """The same text for the same value whichever connection read it (time zones differ between sessions)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    return value


def table_stats(cursor, vendor):
    """{table: {"rows": n, "sha256": hash of its rows in a fixed order}} for every table of the site's schema."""
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    stats = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (a table name read from the catalogue, quoted)
        rows = sorted(repr(tuple(_normalise(value) for value in row)) for row in cursor.fetchall())
        digest = hashlib.sha256()
        for row in rows:
            digest.update(row.encode("utf-8", "surrogatepass") + b"\n")
        stats[table] = {"rows": len(rows), "sha256": digest.hexdigest()}
    return stats


def sqlite_stats(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return table_stats(db.cursor(), "sqlite")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _postgres_env(database):
    """libpq's environment for pg_dump and pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[name] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
    return result


# --- backup --------------------------------------------------------------------------------------------------------


def _copy_sqlite(target):
    source = settings.DATABASES["default"]["NAME"]
    if not Path(source).exists():
        raise BackupError(f"The database file {source} does not exist; run `manage.py migrate` first.")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as live, sqlite3.connect(target) as copy:
        live.backup(copy)  # one step: a consistent copy, even while the site writes
        problems = copy.execute("PRAGMA integrity_check").fetchall()
    if problems != [("ok",)]:
        raise BackupError(f"The copy of {source} failed SQLite's integrity check: {problems[:5]}")
    live.close()
    copy.close()
    return sqlite_stats(target)


def _postgres_connect():
    """A plain psycopg connection (not Django's, which reads JSON as text), so backup and restore compare alike."""
    import psycopg

    database = settings.DATABASES["default"]
    params = {key.lower(): database.get(key) for key in ("HOST", "PORT", "USER", "PASSWORD") if database.get(key)}
    return psycopg.connect(dbname=database["NAME"], **params)


def _dump_postgres(target):
    env = _postgres_env(settings.DATABASES["default"])
    with _postgres_connect() as conn:
        # One snapshot for the dump and the row counts: pg_dump joins this transaction's snapshot.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             f"--file={target}"],
            env=env,
        )  # fmt: skip
        stats = table_stats(conn.cursor(), "postgresql")
        conn.rollback()
    return stats


def export_content_copy(target):
    """Every entry as a file, through export_content, with no trace left in the database.

    export_content records which file each entry was written to (that is how it later tells an admin edit from
    a file edit); for a copy in a backup folder that record must not change, so the export runs in a
    transaction that is rolled back. The files stay.
    """
    out, err = io.StringIO(), io.StringIO()
    try:
        with transaction.atomic():
            call_command("export_content", path=target, stdout=out, stderr=err)
            transaction.set_rollback(True)
    except SystemExit as exc:
        message = f"export_content could not write the content copy (exit {exc.code}):\n{err.getvalue()}"
        raise BackupError(message) from None
    return out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""


def _migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        latest = {}
        for app, name in cursor.fetchall():
            latest[app] = name
    return latest


def create_backup(directory, *, now=None):
    """Write a complete backup folder under directory and return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = now or datetime.datetime.now(datetime.UTC)
    name = PREFIX + now.strftime("%Y%m%d-%H%M%S")
    final = directory / name
    suffix = 1
    while final.exists():
        suffix += 1
        final = directory / f"{name}-{suffix}"
    partial = directory / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        vendor = connection.vendor
        if vendor == "sqlite":
            database_file = SQLITE_FILE
            stats = _copy_sqlite(partial / SQLITE_FILE)
        elif vendor == "postgresql":
            database_file = POSTGRES_FILE
            stats = _dump_postgres(partial / POSTGRES_FILE)
        else:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
        taken = datetime.datetime.now(datetime.UTC)
        content_summary = export_content_copy(partial / "content")
        files = {str(path.relative_to(partial)): _sha256(path) for path in sorted(partial.rglob("*")) if path.is_file()}
        manifest = {
            "format": FORMAT,
            "created": taken.isoformat(timespec="seconds"),
            "engine": vendor,
            "database_file": database_file,
            "migrations": _migrations(),
            "tables": stats,
            "content": content_summary,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def prune(directory, keep):
    """Delete all but the newest `keep` complete backups in directory; return the deleted paths."""
    backups = sorted(
        (path for path in Path(directory).glob(PREFIX + "*") if (path / MANIFEST).is_file()),
        key=lambda path: json.loads((path / MANIFEST).read_text())["created"] + path.name,
    )
    doomed = backups[: max(len(backups) - keep, 0)]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


# --- restore -------------------------------------------------------------------------------------------------------


def read_manifest(backup):
    """The manifest of a complete, unchanged backup folder; a clear error for anything else."""
    backup = Path(backup)
    path = backup / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup} is not a backup folder: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} cannot be read as JSON ({exc}); the backup is damaged.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; this version reads format {FORMAT}.")
    for relative, expected in manifest["files"].items():
        file = backup / relative
        if not file.is_file():
            raise BackupError(f"{file} is missing from the backup; it cannot be restored.")
        if _sha256(file) != expected:
            raise BackupError(f"{file} has changed since the backup was made (sha256 differs); it cannot be trusted.")
    return manifest


def compare(expected, found):
    """Lines naming every table whose rows differ; empty when all match."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        want, got = expected.get(table), found.get(table)
        if want is None:
            problems.append(f"{table}: in the database but not in the backup")
        elif got is None:
            problems.append(f"{table}: in the backup ({want['rows']} rows) but not restored")
        elif want != got:
            problems.append(f"{table}: {got['rows']} rows restored, {want['rows']} in the backup, or different content")
    return problems


def _database_is_empty():
    return not connection.introspection.table_names()


def _restore_sqlite(backup, manifest):
    source = backup / manifest["database_file"]
    problems = compare(manifest["tables"], sqlite_stats(source))
    if problems:
        raise BackupError("The backup's database does not match its manifest:\n" + "\n".join(problems))
    target = settings.DATABASES["default"]["NAME"]
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    # Into the database file itself (not a new file renamed over it), so a process that still has it open reads
    # the restored data rather than a deleted file.
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as saved, sqlite3.connect(target, timeout=30) as live:
        saved.backup(live)
    saved.close()
    live.close()
    return sqlite_stats(target)


def _restore_postgres(backup, manifest):
    database = settings.DATABASES["default"]
    connection.close()
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", f"--dbname={database['NAME']}", str(backup / manifest["database_file"])],
        env=_postgres_env(database),
    )  # fmt: skip
    with _postgres_connect() as conn:
        return table_stats(conn.cursor(), "postgresql")


def restore_backup(backup, *, replace=False):
    """Restore the database from a backup folder and check every table; return the restored table stats."""
    backup = Path(backup)
    manifest = read_manifest(backup)
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database and DATABASE_URL points to {vendor}; restore it into "
            f"a {manifest['engine']} database."
        )
    if not replace and not _database_is_empty():
        raise BackupError(
            "The database already has tables. Restoring replaces everything in it: stop the site, take a backup of it "
            "(manage.py backup_site), then run restore_site again with --replace."
        )
    restore = _restore_sqlite if vendor == "sqlite" else _restore_postgres
    found = restore(backup, manifest)
    problems = compare(manifest["tables"], found)
    if problems:
        raise BackupError("The restored database does not match the backup:\n" + "\n".join(problems))
    # Cached pages are keyed by the content version; restored versions may repeat old numbers, so move it on.
    from faq.caching import bump_content_version

    bump_content_version()
    return found
