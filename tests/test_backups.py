"""Backups and the restore drill: back up while the site serves and staff save, restore into a fresh database, find
every row. The drill runs on the database this test run is configured for: SQLite, or PostgreSQL when
DATABASE_URL points to one (CI runs both), with its own databases named after the configured one.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import call_command

from faq import backups
from faq.models import FAQ
from tests.servers import gunicorn

REPO = Path(__file__).resolve().parent.parent
CONFIGURED = dj_database_url.parse(os.environ.get("DATABASE_URL") or "sqlite:///unused")
ENGINE = "postgresql" if "postgresql" in CONFIGURED["ENGINE"] else "sqlite"

WRITER = """
import time
from pathlib import Path
from django.db import OperationalError, transaction
from faq.models import FAQ
base = FAQ.objects.published().order_by("pk").first()
stop, n = Path({stop!r}), 0
while not stop.exists():
    try:
        with transaction.atomic():  # one save of two rows: a consistent copy has both or neither
            FAQ.objects.create(question=f"Drill question {{n + 1}}?", slug=f"drill-{{n + 1}}",
                               summary="A drill entry.", topic=base.topic, reviewed=base.reviewed,
                               body=f"Drill answer {{n + 1}}.")
            base.body = base.body.split("\\n\\nDrill edit")[0] + f"\\n\\nDrill edit {{n + 1}}."
            base.save()
    except OperationalError:  # SQLite: another writer holds the lock; staff would press Save again
        time.sleep(0.05)
        continue
    n += 1
    print(n, flush=True)
"""


PG_SERVER = ["-h", CONFIGURED["HOST"] or "127.0.0.1", "-p", str(CONFIGURED["PORT"] or 5432)]
PG_SERVER += ["-U", CONFIGURED["USER"] or "postgres"]


def psql(sql):
    env = {**os.environ, "PGPASSWORD": CONFIGURED.get("PASSWORD") or ""}
    subprocess.run(["psql", *PG_SERVER, "-d", "postgres", "-qc", sql], env=env, check=True)


def database_name(suffix):
    return f"{CONFIGURED['NAME']}_{suffix}"  # e.g. iop_ci_drill_source: never another run's database


def database_url(tmp_path, suffix):
    if ENGINE == "sqlite":
        return f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
    name = database_name(suffix)
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    target = PG_SERVER
    credentials = CONFIGURED["USER"] + (f":{CONFIGURED['PASSWORD']}" if CONFIGURED.get("PASSWORD") else "")
    return f"postgres://{credentials}@{target[1]}:{target[3]}/{name}"


def manage(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def site_env(url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {**env, "DJANGO_SETTINGS_MODULE": "iop_site.settings.local", "DATABASE_URL": url, **extra}


def drill_rows(env):
    """The drill entries in a database, by number, read with the site's own settings."""
    script = "from faq.models import FAQ; print(sorted(int(s[6:]) for s in FAQ.objects.filter(slug__startswith='drill-').values_list('slug', flat=True)))"  # noqa: E501
    return json.loads(manage(env, "shell", "-c", script).stdout.strip().splitlines()[-1])


def counts(env):
    """Rows per table, counted with the test's own SQL (not the backup code's)."""
    script = (
        "import json; from django.db import connection; c = connection.cursor(); "
        "print(json.dumps({t: c.execute(f'SELECT count(*) FROM \"{t}\"').fetchone()[0] "
        "for t in connection.introspection.table_names()}))"
    )
    return json.loads(manage(env, "shell", "-c", script).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("drill")
    source = site_env(database_url(tmp, "drill_source"), BACKUP_DIR=str(tmp / "backups"))
    manage(source, "migrate", "--noinput")
    manage(source, "load_content")
    stop = tmp / "stop"
    statuses, done = [], threading.Event()

    def reader(base):
        paths = ["/", "/faq/", "/faq/can-my-family-be-part-of-my-care/", "/search/?q=family"]
        while not done.is_set():
            for path in paths:
                with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 (loopback)
                    statuses.append(response.status)

    with gunicorn(source) as (_, base):
        writer = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", WRITER.format(stop=str(stop))],
            cwd=REPO, env=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        readers = [threading.Thread(target=reader, args=(base,)) for _ in range(2)]
        for thread in readers:
            thread.start()
        try:
            time.sleep(3)  # saves and page views are flowing
            backup = manage(source, "backup_site")
            time.sleep(1)
        finally:
            stop.touch()
            done.set()
            writer_out, writer_err = writer.communicate(timeout=60)
            for thread in readers:
                thread.join()
    folder = Path(backup.stdout.split("Backup written: ")[1].split()[0])
    restored = site_env(database_url(tmp, "drill_restored"))
    restore = manage(restored, "restore_site", str(folder))
    yield {
        "source": source, "restored": restored, "folder": folder, "restore": restore, "statuses": statuses,
        "saves": int(writer_out.split()[-1]) if writer_out.split() else 0, "writer_err": writer_err,
        "manifest": json.loads((folder / "manifest.json").read_text()),
    }  # fmt: skip
    if ENGINE == "postgresql":
        for suffix in ("drill_source", "drill_restored"):
            psql(f'DROP DATABASE IF EXISTS "{database_name(suffix)}" WITH (FORCE)')


def test_the_site_kept_serving_and_staff_kept_saving_during_the_backup(drill):
    assert drill["statuses"] and set(drill["statuses"]) == {200}
    assert drill["saves"] >= 5, drill["writer_err"][-2000:]


def test_restore_into_a_fresh_database_finds_every_row_of_every_table(drill):
    manifest = drill["manifest"]
    found = counts(drill["restored"])
    expected = {table: stats["rows"] for table, stats in manifest["tables"].items()}
    assert {t: n for t, n in found.items() if t in expected} == expected
    assert "every table matches the backup" in drill["restore"].stdout
    total = sum(expected.values())
    print(f"restore drill ({ENGINE}): {total} rows in {len(expected)} tables, {expected['faq_faq']} FAQs, "
          f"{drill['saves']} staff saves during the run")  # fmt: skip
    assert expected["faq_faq"] >= 30


def test_the_backup_is_one_moment_every_save_before_it_and_none_half_done(drill):
    numbers = drill_rows(drill["restored"])
    assert numbers == list(range(1, len(numbers) + 1)), "a gap: the copy is not one consistent moment"
    assert 1 <= len(numbers) <= drill["saves"]
    edits = manage(drill["restored"], "shell", "-c", "from faq.models import FAQ; "
                   "print(FAQ.objects.published().order_by('pk').first().body.rsplit(' ', 1)[-1])")  # fmt: skip
    assert edits.stdout.strip().splitlines()[-1] == f"{len(numbers)}."  # the edit saved with the last entry


def test_the_backup_holds_a_markdown_copy_of_every_entry(drill):
    content = drill["folder"] / "content"
    files = {("en", path.stem) for path in (content / "faqs").glob("*.md")}
    files |= {("es", path.stem) for path in (content / "es" / "faqs").glob("*.md")}
    rows = manage(
        drill["restored"],
        "shell",
        "-c",
        "from faq.models import FAQ; print(*(f'{l}:{s}' for l, s in FAQ.objects.values_list('language', 'slug')))",
    )  # noqa: E501
    entries = {tuple(row.split(":")) for row in rows.stdout.strip().splitlines()[-1].split()}
    assert {language for language, _ in entries} == {"en", "es"}
    assert entries <= files


def test_restore_refuses_a_database_that_already_has_data_unless_told_to_replace_it(drill):
    result = manage(drill["source"], "restore_site", str(drill["folder"]), check=False)
    assert result.returncode == 1
    assert "The database already has tables" in result.stderr and "--replace" in result.stderr


def test_restore_with_replace_brings_a_database_back_to_the_backup(drill):
    manage(
        drill["restored"],
        "shell",
        "-c",
        "from faq.models import FAQ; FAQ.objects.filter(slug__startswith='drill-').delete()",
    )  # noqa: E501
    assert drill_rows(drill["restored"]) == []
    manage(drill["restored"], "restore_site", str(drill["folder"]), "--replace")
    assert len(drill_rows(drill["restored"])) >= 1


def test_restore_refuses_a_backup_whose_files_changed(drill, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(drill["folder"], copy)
    with (copy / drill["manifest"]["database_file"]).open("ab") as file:
        file.write(b"\0")
    result = manage(drill["restored"], "restore_site", str(copy), "--replace", check=False)
    assert result.returncode == 1
    assert "has changed since the backup was made" in result.stderr


def test_backups_are_readable_only_by_their_owner(drill):
    assert drill["folder"].stat().st_mode & 0o077 == 0
    assert drill["folder"].parent.stat().st_mode & 0o077 == 0


# --- in-process: the parts that need no running site ----------------------------------------------------------------


def test_the_content_copy_leaves_the_load_bookkeeping_as_it_was(loaded, tmp_path):
    """export_content records where it wrote each entry; a backup copy must not move that record, or the next
    load_content would take the old file over an admin edit."""
    faq = FAQ.objects.get(slug="alpha")
    faq.body = "Alpha, edited in the admin."
    faq.save()
    before = list(FAQ.objects.values_list("slug", "source_path", "source_sha256", "loaded_fingerprint"))
    backups.export_content_copy(tmp_path / "content")
    assert list(FAQ.objects.values_list("slug", "source_path", "source_sha256", "loaded_fingerprint")) == before
    assert "Alpha, edited in the admin." in (tmp_path / "content" / "faqs" / "alpha.md").read_text()
    out = io.StringIO()
    call_command("load_content", path=loaded, stdout=out)
    assert FAQ.objects.get(slug="alpha").body == "Alpha, edited in the admin."


def test_restore_refuses_a_backup_of_another_kind_of_database(db, tmp_path):
    folder = tmp_path / "iop-backup-x"
    folder.mkdir()
    other = "postgresql" if ENGINE == "sqlite" else "sqlite"
    (folder / "manifest.json").write_text(json.dumps({"format": 1, "engine": other, "files": {}, "tables": {}}))
    with pytest.raises(backups.BackupError, match=f"This backup is of a {other} database"):
        backups.restore_backup(folder)


def test_a_folder_that_is_not_a_backup_is_named_in_the_error(tmp_path):
    with pytest.raises(backups.BackupError, match="is not a backup folder: it has no manifest.json"):
        backups.read_manifest(tmp_path)


def test_keep_deletes_only_the_oldest_complete_backups(tmp_path):
    for day in (1, 2, 3, 4):
        folder = tmp_path / f"iop-backup-2026110{day}-031500"
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"created": f"2026-11-0{day}T03:15:00+00:00"}))
    (tmp_path / "iop-backup-unfinished").mkdir()
    (tmp_path / "notes").mkdir()
    deleted = backups.prune(tmp_path, keep=2)
    assert [path.name for path in deleted] == ["iop-backup-20261101-031500", "iop-backup-20261102-031500"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "iop-backup-20261103-031500", "iop-backup-20261104-031500", "iop-backup-unfinished", "notes",
    ]  # fmt: skip


def failing_database(tmp_path):
    if ENGINE == "postgresql":
        return f"postgres://{CONFIGURED['USER']}@{CONFIGURED['HOST'] or '127.0.0.1'}:1/none"
    return f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}"


def test_a_failed_backup_says_why_and_leaves_nothing_behind(tmp_path):
    result = manage(
        site_env(failing_database(tmp_path), BACKUP_DIR=str(tmp_path / "backups")), "backup_site", check=False
    )
    assert result.returncode == 1
    assert f"Backup into {tmp_path / 'backups'} failed, nothing was kept" in result.stderr
    assert not (tmp_path / "backups").exists() or list((tmp_path / "backups").iterdir()) == []


def test_the_daily_jobs_log_a_failed_backup_as_an_error_so_it_reaches_a_person(tmp_path):
    env = site_env(failing_database(tmp_path), BACKUP_DIR=str(tmp_path / "backups"))
    result = manage(env, "daily_jobs", check=False)
    assert result.returncode == 1
    assert "Daily job backup_site failed (Backup into" in result.stderr  # the faq logger's line: mail, Sentry
    # The jobs that need the database fail with it; the backup is named among them.
    assert re.search(r"CommandError: (\w+ and )*backup_site( and \w+)* failed; the lines above say why.", result.stderr)


def test_the_daily_jobs_log_failed_content_checks_and_still_make_the_backup(tmp_path):
    env = site_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", BACKUP_DIR=str(tmp_path / "backups"))
    manage(env, "migrate", "--noinput")
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    page = next((content / "faqs").glob("*.md"))
    page.write_text(re.sub(r"(?m)^reviewed: .*$", "reviewed: 2099-01-15", page.read_text(), count=1))
    result = manage({**env, "CONTENT_DIR": str(content)}, "daily_jobs", check=False)
    assert result.returncode == 1
    assert "Daily job check_content failed (exit 1)" in result.stderr and page.name in result.stderr
    assert len(list((tmp_path / "backups").glob("iop-backup-*/manifest.json"))) == 1


def test_keep_must_leave_at_least_the_new_backup(tmp_path):
    env = site_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = manage(env, "backup_site", "--keep", "0", check=False)
    assert result.returncode == 1 and "--keep must be 1 or more" in result.stderr


def test_a_job_that_crashes_is_logged_and_the_other_jobs_still_run(monkeypatch, caplog):
    from faq.management.commands import daily_jobs

    ran = []

    def fake_call_command(name, *args, **kwargs):
        ran.append(name)
        if name == "backup_site":
            raise RuntimeError("disk full")

    monkeypatch.setattr(daily_jobs, "call_command", fake_call_command)
    with pytest.raises(daily_jobs.CommandError, match="backup_site failed"):
        call_command("daily_jobs")
    assert ran[:2] == ["backup_site", "check_content"]
    (record,) = [r for r in caplog.records if r.name == "faq.jobs"]
    assert record.levelname == "ERROR" and "RuntimeError('disk full')" in record.getMessage() and record.exc_info
