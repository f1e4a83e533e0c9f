"""The site as production serves it: gunicorn with production settings on loopback, probed over raw HTTP."""

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.test_settings import GOOD

PORT = int(os.environ.get("SERVED_TEST_PORT", "8106"))
HOST = "iop.example.org"
HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}


def production_env(tmp_path, **extra):
    unwanted = {"DJANGO_SETTINGS_MODULE", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.update(GOOD, DJANGO_SETTINGS_MODULE="iop_site.settings.production", SECURE_PROXY_SSL_HEADER="1")
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PORT": str(PORT), **extra})
    return env


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def wait_until_up(process, deadline=30):
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        assert process.poll() is None, process.stderr.read()
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not listen on port {PORT} within {deadline} s")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """gunicorn, 2 sync workers and a 3-second timeout, on a migrated SQLite copy with content loaded."""
    tmp_path = tmp_path_factory.mktemp("served")
    env = production_env(tmp_path, WEB_CONCURRENCY="2", GUNICORN_TIMEOUT="3")
    manage(env, "migrate", "--noinput")
    manage(env, "load_content")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "iop_site.wsgi", "--config", "gunicorn.conf.py"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(process)
        yield log
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def request(method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or HTTPS)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_pages_as_served_carry_every_security_header_and_no_cookie(served):
    status, headers, body = request("GET", "/")
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Set-Cookie" not in headers
    assert b"988" in body


def test_plain_http_redirects_to_https(served):
    status, headers, _ = request("GET", "/faq/", headers={"Host": HOST})
    assert (status, headers["Location"]) == (301, f"https://{HOST}/faq/")


def test_health_checks_answer_over_plain_http(served):
    assert request("GET", "/healthz", headers={"Host": HOST})[:1] == (200,)
    status, headers, body = request("GET", "/readyz", headers={"Host": HOST})
    assert (status, body) == (200, b"ready\n")
    assert "no-store" in headers["Cache-Control"] and "Set-Cookie" not in headers


def test_a_bad_host_header_is_400(served):
    assert request("GET", "/", headers={"Host": "evil.example", "X-Forwarded-Proto": "https"})[0] == 400


def test_a_request_body_over_the_limit_is_400(served):
    """A real login form post (CSRF cookie and origin in order) whose body is over the 2.5 MB limit."""
    cookie = request("GET", "/admin/login/")[1]["Set-Cookie"].split(";")[0]
    body = b"username=" + b"a" * 3_000_000
    headers = {**HTTPS, "Cookie": cookie, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/admin/login/"}
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    assert request("POST", "/admin/login/", headers=headers, body=body)[0] == 400


def test_a_slow_request_is_cut_off_without_holding_up_others(served):
    """A client that sends its headers a byte at a time loses its connection after the worker timeout (3 s),
    while other readers are answered at once."""
    slow = socket.create_connection(("127.0.0.1", PORT), timeout=15)
    started = time.monotonic()
    slow.sendall(b"GET / HTTP/1.1\r\n")
    answered = []
    cut_off_after = None
    for byte in (f"Host: {HOST}\r\nX-Slow: " + "a" * 60).encode():
        try:
            slow.sendall(bytes([byte]))
            if slow.recv(1, socket.MSG_DONTWAIT) == b"":
                cut_off_after = time.monotonic() - started
                break
        except BlockingIOError:
            pass
        except OSError:
            cut_off_after = time.monotonic() - started
            break
        if len(answered) < 3:
            before = time.monotonic()
            answered.append((request("GET", "/healthz")[0], time.monotonic() - before))
        time.sleep(0.25)
    slow.close()
    assert cut_off_after is not None and cut_off_after < 12, "the slow request was never cut off"
    assert [status for status, _ in answered] == [200, 200, 200]
    assert max(seconds for _, seconds in answered) < 2


def test_gunicorn_logs_no_full_client_address(served):
    with socket.create_connection(("127.0.0.1", PORT), timeout=5) as bad:
        bad.sendall(b"NOT-HTTP\r\n\r\n")
        bad.recv(100)
    time.sleep(0.5)
    served.seek(0)
    log = served.read()
    assert "Invalid request from ip=127.0.0.0/24" in log
    assert "127.0.0.1:" not in log.replace(f"127.0.0.1:{PORT}", "")
