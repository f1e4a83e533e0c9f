"""Real processes against a real database file or server: two loads at once, and a load killed halfway."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from faq.locking import LOCK_KEY
from tests.conftest import REPO, faq_text

FAQS = 500
# Committed rows, so the other processes see them, and a flush afterwards (only PostgreSQL needs it: SQLite runs
# use a database file of their own).
pytestmark = pytest.mark.django_db(transaction=True)
WAITING = "Another load_content or export_content is running; waiting for it to finish..."


def write_content(folder, count, body="An answer.", reviewed="2026-01-15"):
    (folder / "topics").mkdir(parents=True, exist_ok=True)
    (folder / "faqs").mkdir(exist_ok=True)
    (folder / "topics" / "basics.md").write_text("---\nslug: basics\ntitle: B\ndescription: B.\norder: 1\n---\n")
    for n in range(count):
        (folder / "faqs" / f"faq-{n}.md").write_text(
            faq_text(f"faq-{n}", body=f"{body} Number {n}.", reviewed=reviewed)
        )
    return folder


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "iop_site.settings.test", "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True, timeout=300)
    return path


class Database:
    """The database the test's processes share, and a way to hold the content lock from outside them."""

    def __init__(self, url, sqlite_path=None):
        self.url = url
        self.sqlite_path = sqlite_path
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "iop_site.settings.test", "DATABASE_URL": url}

    def manage(self, *args, **kwargs):
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=REPO, env=self.env, text=True, **kwargs)

    def run(self, *args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=300
        )

    def snapshot(self):
        result = self.run("dumpdata", "faq", "--indent", "1")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def hold_lock(self):
        """Take the content lock the way another load would; returns a release function, or None if taken."""
        if self.sqlite_path:
            holder = sqlite3.connect(self.sqlite_path, isolation_level=None, timeout=0)
            try:
                holder.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                holder.close()
                return None
            return lambda: (holder.execute("ROLLBACK"), holder.close())
        import psycopg

        holder = psycopg.connect(self.url, autocommit=True)
        if not holder.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]:
            holder.close()
            return None
        return lambda: (holder.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY]), holder.close())

    def lock_is_held(self):
        release = self.hold_lock()
        if release is None:
            return True
        release()
        return False


@pytest.fixture
def database(request, tmp_path):
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        return Database(url)
    path = tmp_path / "db.sqlite3"
    shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
    return Database(f"sqlite:///{path}", sqlite_path=path)


def finish(process):
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def test_a_second_load_refuses_with_a_message_when_it_cannot_wait(database, tmp_path):
    folder = write_content(tmp_path / "content", 3)
    before = database.snapshot()
    release = database.hold_lock()
    try:
        result = database.run("load_content", "--path", str(folder), "--wait", "0")
    finally:
        release()
    assert result.returncode == 4
    assert "Not loaded: another load_content or export_content is still writing after 0 seconds; nothing was done." in (
        result.stderr
    )
    assert database.snapshot() == before


def test_two_loads_at_once_wait_their_turn_and_neither_corrupts_the_other(database, tmp_path):
    folder = write_content(tmp_path / "content", FAQS)
    release = database.hold_lock()
    try:
        loads = [database.manage("load_content", "--path", str(folder), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
        for load in loads:  # both have read every file and are queued behind the lock
            assert load.stderr.readline().strip() == WAITING
    finally:
        release()
    results = [finish(load) for load in loads]

    assert [code for code, _, _ in results] == [0, 0]
    summaries = sorted(out.splitlines()[-1] for _, out, _ in results)
    assert summaries == ["0 created, 0 updated, 501 unchanged", "501 created, 0 updated, 0 unchanged"]
    rows = database.snapshot()
    faqs = [row for row in rows if row["model"] == "faq.faq"]
    versions = [row for row in rows if row["model"] == "faq.historicalfaq"]
    assert len(faqs) == len(versions) == FAQS
    assert {row["fields"]["body"] for row in faqs} == {f"An answer. Number {n}." for n in range(FAQS)}


def test_a_load_killed_halfway_leaves_the_database_as_it_was(database, tmp_path):
    folder = write_content(tmp_path / "content", 3)
    assert database.run("load_content", "--path", str(folder)).returncode == 0
    before = database.snapshot()
    write_content(folder, FAQS, body="A changed answer.", reviewed="2026-02-01")

    load = database.manage("load_content", "--path", str(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not database.lock_is_held():  # the load is inside its transaction once it holds the lock
        assert load.poll() is None, load.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.05)  # inside: writing 500 answers takes a few tenths of a second, less than it once did
    load.send_signal(signal.SIGKILL)
    code, out, _ = finish(load)

    assert (code, out) == (-signal.SIGKILL, "")
    assert database.snapshot() == before
    result = database.run("load_content", "--path", str(folder))
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "497 created, 3 updated, 1 unchanged")
