"""Fault drills against production-settings gunicorn on loopback: the before/after figures of issue 17.

    .venv/bin/python -m tests.fault_drill [SCENARIO ...]   # default: all of them; SECONDS=8 CLIENTS=16

Scenarios: redis-ok (a healthy Redis, for comparison), redis-silent (a Redis that accepts and never answers),
redis-down (nothing listens), query-flood (`/?x=<random>` for the run: what the page cache stores), bad-host
(log lines per bad Host; a health probe with an IP address as Host), lockout (12 wrong passwords, each with a
new X-Forwarded-For, straight to gunicorn). Each prints one line of figures. It uses
Redis DB 13 on 127.0.0.1:6379 and a fresh SQLite database in a temporary folder. Not a test: numbers vary.
"""

import contextlib
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import redis

from tests.servers import GUNICORN, REPO, free_port, prepared_env
from tests.stand_ins import SilentServer

SECONDS = float(os.environ.get("SECONDS_PER_RUN", os.environ.get("SECONDS", "8")))
CLIENTS = int(os.environ.get("CLIENTS", "16"))
REDIS_OK = "redis://127.0.0.1:6379/13"
ACCESS_LINE = re.compile(r'^\[[^]]+\] \[\d+\] \[INFO\] "[A-Z]+ ')
HOST = "iop.example.org"
HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "iop_site.settings.production",
    "SECRET_KEY": "drill-" + "Zq8rT3vX" * 8,
    "ALLOWED_HOSTS": HOST,
    "SITE_URL": f"https://{HOST}",
    "SECURE_PROXY_SSL_HEADER": "1",
}


@contextlib.contextmanager
def served(database_env, **extra):
    """Production-settings gunicorn (5 workers) on a free port; yields (port, path of its log)."""
    port = free_port()
    env = {**database_env, **PRODUCTION, **extra}
    log_path = Path(database_env["DATABASE_URL"].removeprefix("sqlite:///")).with_name(f"gunicorn-{port}.log")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [GUNICORN, "iop_site.wsgi", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", "5", "--no-control-socket", "--access-logfile", "/dev/null"],
            cwd=REPO, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while get(port, "/healthz", timeout=2)[0] != 200:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start: " + log_path.read_text()[-2000:])
                time.sleep(0.2)
            yield port, log_path
        finally:
            process.terminate()
            process.wait(timeout=30)


def get(port, path, headers=HEADERS, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except TimeoutError:
        return "timeout", b""
    except OSError:
        return "error", b""
    finally:
        connection.close()


def load(port, paths, seconds=SECONDS, clients=CLIENTS):
    """`clients` threads request `paths` in turn for `seconds`; returns (requests/s, counts by status)."""
    counts, lock = {}, threading.Lock()
    stop = time.monotonic() + seconds

    def client(n):
        i = n
        while time.monotonic() < stop:
            path = paths(i) if callable(paths) else paths[i % len(paths)]
            status = get(port, path, timeout=5)[0]
            with lock:
                counts[status] = counts.get(status, 0) + 1
            i += clients

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return sum(counts.values()) / elapsed, counts


def error_lines(log_path):
    with log_path.open() as log:
        return [line.rstrip("\n") for line in log if not ACCESS_LINE.match(line)]


PAGES = ["/", "/faq/", "/faq/how-do-i-start-an-intensive-outpatient-program/"]


def throughput(database_env, redis_url, name):
    with served(database_env, REDIS_URL=redis_url) as (port, log_path):
        lines_before = len(error_lines(log_path))
        rate, counts = load(port, PAGES)
        logged = error_lines(log_path)[lines_before:]
        log_bytes = sum(len(line) + 1 for line in logged)
        if os.environ.get("SHOW_LOG"):
            print("\n".join(logged[:10]))
    print(f"{name}: {rate:,.1f} req/s over {SECONDS:g} s with {CLIENTS} clients; statuses {counts}; "
          f"{log_bytes / SECONDS:,.0f} bytes/s of log")  # fmt: skip


def redis_ok(database_env):
    redis.Redis.from_url(REDIS_OK).flushdb()
    throughput(database_env, REDIS_OK, "redis-ok")


def redis_silent(database_env):
    with SilentServer() as silent:
        throughput(database_env, silent.url(), "redis-silent")


def redis_down(database_env):
    throughput(database_env, f"redis://127.0.0.1:{free_port()}/13", "redis-down")


def query_flood(database_env):
    store = redis.Redis.from_url(REDIS_OK)
    store.flushdb()
    with served(database_env, REDIS_URL=REDIS_OK) as (port, _):
        rate, counts = load(port, lambda i: f"/?x={uuid.uuid4().hex}")
        keys = list(store.scan_iter())
        size = sum(store.memory_usage(key) or 0 for key in keys)
    store.flushdb()
    print(f"query-flood: {sum(counts.values()):,} requests of /?x=<random> ({rate:,.0f} req/s) left "
          f"{len(keys):,} cached pages, {size / 2**20:,.2f} MiB in Redis")  # fmt: skip


def bad_host(database_env):
    with served(database_env) as (port, log_path):
        before = error_lines(log_path)
        statuses = [get(port, "/", headers={"Host": "203.0.113.77", "X-Forwarded-Proto": "https"})[0] for _ in range(5)]
        time.sleep(0.5)
        logged = error_lines(log_path)[len(before) :]
        lines = len(logged) / len(statuses)
        tail = logged[-1] if logged else ""
        probe = {"Host": "10.1.2.3"}
        health = get(port, "/healthz", headers=probe)[0], get(port, "/readyz", headers=probe)[0]
    print(f"bad-host: statuses {set(statuses)}, {lines:g} log lines per request, last line {tail!r}; "
          f"/healthz and /readyz with Host 10.1.2.3: {health}")  # fmt: skip


def lockout(database_env):
    """12 wrong passwords straight to gunicorn, each with a new X-Forwarded-For, as the red team sent them."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.contrib.auth.models import User; User.objects.create_user('drill', password='x', is_staff=True)"],
        cwd=REPO, env={**database_env, **PRODUCTION}, check=True,
    )  # fmt: skip
    with served(database_env) as (port, _):
        statuses = []
        for n in range(12):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/admin/login/", headers=HEADERS)
            response = connection.getresponse()
            page = response.read().decode()
            cookie = response.getheader("Set-Cookie").split(";")[0]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = f"csrfmiddlewaretoken={token}&username=drill&password=wrong{n}"
            headers = {
                **HEADERS,
                "Cookie": cookie,
                "Origin": f"https://{HOST}",
                "X-Forwarded-For": f"198.51.100.{n}",
                "Referer": f"https://{HOST}/admin/login/",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            connection.request("POST", "/admin/login/", body=body, headers=headers)
            statuses.append(connection.getresponse().status)
            connection.close()
    print(f"lockout: 12 wrong passwords with a new X-Forwarded-For each: statuses {statuses}")


SCENARIOS = {
    "redis-ok": redis_ok,
    "redis-silent": redis_silent,
    "redis-down": redis_down,
    "query-flood": query_flood,
    "bad-host": bad_host,
    "lockout": lockout,
}


def main(names):
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenario {unknown[0]!r}; choose from: {', '.join(SCENARIOS)}")
    with tempfile.TemporaryDirectory() as folder:
        database_env = prepared_env(Path(folder))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=REPO, env={**database_env, **PRODUCTION}, check=True,
        )  # fmt: skip
        for name in names or SCENARIOS:
            SCENARIOS[name](database_env)


if __name__ == "__main__":
    main(sys.argv[1:])
