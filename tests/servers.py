"""Start a real gunicorn on loopback for tests that need the whole server (reloads, timeouts)."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepared_env(tmp_path, **extra):
    """Local settings on a fresh SQLite file in tmp_path, migrated and loaded with the real content/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="iop_site.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'server.sqlite3'}",
        **extra,
    )
    for command in (["migrate", "--noinput"], ["load_content"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=REPO, env=env, check=True, capture_output=True)
    return env


@contextlib.contextmanager
def gunicorn(env, *args, workers=2, ready_path="/"):
    """Serve on a free loopback port until the block ends; yields (process, base URL) once ready_path answers."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in finally) a file, not a pipe: an unread pipe fills up and stalls the server
    process = subprocess.Popen(
        [GUNICORN, "iop_site.wsgi", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--no-control-socket", "--access-logfile", "/dev/null", *args],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + ready_path, timeout=2).read()  # noqa: S310 (loopback)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError("gunicorn did not start: " + log.read()[-3000:]) from None
                time.sleep(0.2)
        yield process, base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def worker_pids(master_pid):
    return set(Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split())
