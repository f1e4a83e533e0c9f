"""PostgreSQL stops and comes back under a running gunicorn: readers get the 503 page, then the site again."""

import contextlib
import os
import socket
import subprocess
import sys
import threading

import pytest

from tests.conftest import REPO
from tests.test_served import manage, production_env, request, wait_until_up

POSTGRES = ("127.0.0.1", 5432)
DATABASE = os.environ.get("SERVED_TEST_DATABASE", "iop_served_test")


def _postgres_is_running():
    try:
        socket.create_connection(POSTGRES, timeout=2).close()
    except OSError:
        return False
    return True


# `make test` keeps working on a machine without PostgreSQL; CI (.ci/run) starts it, so there this test runs.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not _postgres_is_running(), reason="needs PostgreSQL on 127.0.0.1:5432 (.ci/run starts it)"),
]


class StoppableDatabase:
    """A TCP relay in front of PostgreSQL: stop() drops every connection and refuses new ones, like a server
    that went down; start() listens again on the same port."""

    def __init__(self):
        self.port = None
        self.listener = None
        self.sockets = []

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        for sock in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the threads blocked on it; close() alone may not
            sock.close()
        self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(POSTGRES)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def postgres_url(port, database):
    return f"postgres://postgres@127.0.0.1:{port}/{database}"


@pytest.fixture
def served_on_postgres(tmp_path):
    import psycopg

    with psycopg.connect(postgres_url(5432, "postgres"), autocommit=True) as admin:
        # A fresh database each run: left-overs from another branch's migrations must not matter.
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    database = StoppableDatabase()
    database.start()
    env = production_env(tmp_path, WEB_CONCURRENCY="1", DATABASE_URL=postgres_url(database.port, DATABASE))
    manage(env, "migrate", "--noinput")
    manage(env, "load_content")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "iop_site.wsgi", "--config", "gunicorn.conf.py"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(process)
        yield database
    finally:
        process.terminate()
        process.wait(timeout=30)
        database.stop()


def test_database_outage_gives_the_503_page_and_the_site_recovers_by_itself(served_on_postgres):
    assert request("GET", "/faq/")[0] == 200  # the worker now holds a persistent connection
    served_on_postgres.stop()
    status, headers, body = request("GET", "/faq/")
    assert status == 503
    assert b'Call or text <a href="tel:988">988</a>' in body and b"Traceback" not in body
    assert request("GET", "/readyz")[0] == 503
    assert request("GET", "/healthz")[0] == 200
    served_on_postgres.start()
    assert request("GET", "/faq/")[0] == 200
    assert request("GET", "/readyz")[0] == 200
