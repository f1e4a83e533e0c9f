"""Errors reach a person (mail to ADMINS, Sentry) without readers' data, and logs can be JSON, addresses cut."""

import email
import gzip
import json
import logging
import os
import socketserver
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from iop_site import observability
from iop_site.log_filters import TruncateIPAddresses
from iop_site.settings import base
from tests.servers import free_port
from tests.test_settings import GOOD

REPO = Path(__file__).resolve().parent.parent
MAIL = {"ADMINS": "Dana Ortiz <dana@clinic.example>", "EMAIL_HOST": "127.0.0.1", "SERVER_EMAIL": "site@clinic.example"}
# A production process whose home page raises, then one request with everything private a reader could send.
FAILING_REQUEST = """
import io, logging
from unittest import mock
from wsgiref.util import setup_testing_defaults
import faq.views
from django.views.decorators.csrf import csrf_exempt
from iop_site.wsgi import application
body = b"answer=form-secret-2"
environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "q=private-search-words",
           "REMOTE_ADDR": "198.51.100.23", "HTTP_HOST": "iop.example.org", "wsgi.url_scheme": "https",
           "HTTP_COOKIE": "csrftoken=cookie-secret-1", "HTTP_USER_AGENT": "agent-secret-3",
           "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
           "wsgi.input": io.BytesIO(body)}
setup_testing_defaults(environ)
failing = csrf_exempt(mock.Mock(side_effect=RuntimeError("boom near 203.0.113.77")))
with mock.patch.object(faq.views, "home", failing):
    b"".join(application(environ, lambda status, headers, exc_info=None: None))
logging.getLogger("faq").error("lockout noted for 192.0.2.55")
import sentry_sdk
sentry_sdk.flush(5)
"""
PRIVATE = ("203.0.113.77", "198.51.100.23", "192.0.2.55", "private-search-words", "form-secret-2",
           "cookie-secret-1", "agent-secret-3")  # fmt: skip


def production(script, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_", "ADMINS", "LOG_"))}
    # An in-memory database: these scripts need none, and must not touch the database of the test run (CI's iop_ci).
    clean.update(GOOD, DJANGO_SETTINGS_MODULE="iop_site.settings.production", DATABASE_URL="sqlite://:memory:", **env)
    return subprocess.run(  # the script on stdin, so the reader data in it is not also in the process's argv
        [sys.executable, "manage.py", "shell"], input=script, cwd=REPO, env=clean, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


# --- logging settings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", [{}, {"LOG_FORMAT": "json"}, MAIL, {**MAIL, "LOG_FORMAT": "json"}])
def test_every_handler_keeps_the_ip_truncating_filter(env):
    config = observability.logging_settings(base.LOGGING, env)
    for name, handler in config["handlers"].items():
        classes = [config["filters"][f]["()"] for f in handler.get("filters", [])]
        assert "iop_site.log_filters.TruncateIPAddresses" in classes or TruncateIPAddresses in classes, name


def test_production_settings_wire_mail_and_json_logs_to_every_logger():
    script = "import json; from django.conf import settings; print(json.dumps(settings.LOGGING))"
    result = production(script, LOG_FORMAT="json", **MAIL)
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(h.get("formatter") == "json" for n, h in config["handlers"].items() if n != "mail_admins")
    for logger in [config["root"], *config["loggers"].values()]:
        assert "mail_admins" in logger["handlers"]


def test_json_log_lines_are_one_object_each_with_the_address_cut():
    result = production(
        "import logging; logging.getLogger('faq').warning('lockout for 203.0.113.77')", LOG_FORMAT="json"
    )
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert lines[-1]["message"] == "lockout for 203.0.113.0/24"
    assert lines[-1]["level"] == "WARNING" and lines[-1]["logger"] == "faq" and lines[-1]["time"].endswith("Z")


def test_a_json_log_line_cuts_addresses_in_the_traceback_too():
    try:
        raise ConnectionError("refused by 198.51.100.23")
    except ConnectionError:
        record = logging.LogRecord("faq", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(observability.JsonFormatter().format(record))
    assert "198.51.100.0/24" in line["exception"] and "198.51.100.23" not in line["exception"]


def test_gunicorn_logs_json_lines_too(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="iop_site.settings.local", LOG_FORMAT="json",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")  # fmt: skip
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "iop_site.wsgi", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{free_port()}", "--workers", "1", "--check-config"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read()
    probe = (
        "import gunicorn.glogging, gunicorn.config, runpy; c = gunicorn.config.Config(); "
        "[c.set(k, v) for k, v in runpy.run_path('gunicorn.conf.py').items() if k in c.settings]; "
        "gunicorn.glogging.Logger(c).error('worker at 203.0.113.77 timed out')"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True)
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "worker at 203.0.113.0/24 timed out" and line["logger"] == "gunicorn.error"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ADMINS": "dana at clinic"}, "is not a list of mail addresses"),
        ({"ADMINS": "Dana <dana@clinic.example>"}, "needs EMAIL_HOST"),
        ({"LOG_FORMAT": "xml"}, "use text (the default) or json"),
        ({"EMAIL_USE_SSL": "maybe"}, "EMAIL_USE_SSL='maybe' is not a yes/no value"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp' is not a number"),
    ],
)
def test_bad_settings_are_refused_with_what_to_write(env, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        observability.mail_settings(env)
        observability.logging_settings(base.LOGGING, env)


def test_mail_settings_default_to_starttls_on_587_or_tls_on_465():
    assert observability.mail_settings(MAIL)["EMAIL_PORT"] == 587 and observability.mail_settings(MAIL)["EMAIL_USE_TLS"]
    ssl = observability.mail_settings({**MAIL, "EMAIL_USE_SSL": "1"})
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)


# --- mail to ADMINS -----------------------------------------------------------------------------------------------


def error_record(message, request=None):
    try:
        raise RuntimeError(message)
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, (), sys.exc_info())
    record.request = request
    return record


def test_an_error_mail_has_the_traceback_and_nothing_from_the_request(settings):
    settings.ADMINS = [("Dana", "dana@clinic.example")]
    request = RequestFactory().post(
        "/faq/?q=private-search-words", {"answer": "form-secret-2"}, REMOTE_ADDR="198.51.100.23",
        HTTP_COOKIE="csrftoken=cookie-secret-1", HTTP_USER_AGENT="agent-secret-3",
    )  # fmt: skip
    observability.PrivateAdminEmailHandler().handle(error_record("Internal Server Error: /faq/", request))
    (message,) = mail.outbox
    assert message.to == ["dana@clinic.example"]
    assert "Internal Server Error: /faq/" in message.subject
    assert "RuntimeError" in message.body and "Traceback" in message.body
    assert not [secret for secret in PRIVATE if secret in message.body + message.subject]


def test_the_same_error_is_mailed_once_in_ten_minutes_and_a_new_one_at_once(settings):
    settings.ADMINS = [("Dana", "dana@clinic.example")]
    handler = observability.PrivateAdminEmailHandler()
    for _ in range(5):
        handler.handle(error_record("Database unavailable while serving /faq/"))
    handler.handle(error_record("Backup into /var/lib/iop/backups failed"))
    assert [m.subject.split(": ", 1)[1] for m in mail.outbox] == [
        "Database unavailable while serving /faq/", "Backup into /var/lib/iop/backups failed",
    ]  # fmt: skip


class _SMTPSink(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        data, in_data = [], False
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace")
            if in_data:
                if line in (".\r\n", ".\n"):
                    self.server.messages.append("".join(data))
                    data, in_data = [], False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb == "DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 sink\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


def test_a_production_error_reaches_admins_by_mail_without_readers_data():
    port = free_port()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _SMTPSink)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = production(FAILING_REQUEST, EMAIL_PORT=str(port), EMAIL_USE_TLS="0", **MAIL)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    assert len(server.messages) == 2, result.stderr  # the failed request, and the logged error
    parsed = [email.message_from_string(message) for message in server.messages]
    text = "\n".join(m["Subject"] + "\n" + m.get_payload(decode=True).decode() for m in parsed)
    assert "RuntimeError: boom" in text and "lockout noted for 192.0.2.0/24" in text
    assert not [secret for secret in PRIVATE if secret in text]


# --- Sentry -------------------------------------------------------------------------------------------------------


def test_sentry_is_off_without_a_dsn():
    assert observability.init_sentry({}) is False


def test_a_production_error_reaches_sentry_without_readers_data():
    received = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli  # noqa: PLC0415 (only if sentry-sdk chose brotli)

                body = brotli.decompress(body)
            received.append(body.decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/1"
        result = production(FAILING_REQUEST, SENTRY_DSN=dsn)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    events = [
        json.loads(line)
        for body in received
        for line in body.splitlines()[2::2]
        if '"exception"' in line or '"logentry"' in line
    ]  # noqa: E501
    exceptions = [e for e in events if "exception" in e]
    assert exceptions and exceptions[0]["exception"]["values"][-1]["value"] == "boom near 203.0.113.0/24"
    assert exceptions[0]["request"] == {"method": "POST", "url": "https://iop.example.org/"}
    assert any("192.0.2.0/24" in json.dumps(e.get("logentry", {})) for e in events)
    raw = "\n".join(received)
    assert not [secret for secret in PRIVATE if secret in raw]
    assert '"vars"' not in raw and '"user"' not in raw and '"breadcrumbs"' not in raw
