"""Health probes answer whatever Host they send (load balancers send an IP address); every other address still
refuses a Host not in ALLOWED_HOSTS, with one log line and no traceback."""

import http.client
import logging
import subprocess
import sys

import pytest

from tests.servers import REPO, gunicorn, prepared_env
from tests.test_settings import GOOD

PROBE_HOSTS = ["10.1.2.3", "10.1.2.3:8000", "[fd00::7]", "evil.example", "bad host with spaces"]


@pytest.mark.parametrize("host", PROBE_HOSTS)
def test_healthz_answers_a_probe_with_any_host(client, db, host):
    response = client.get("/healthz", HTTP_HOST=host)
    assert (response.status_code, response.content) == (200, b"ok\n")


@pytest.mark.parametrize("host", PROBE_HOSTS)
def test_readyz_answers_a_probe_with_any_host(client, db, host):
    response = client.get("/readyz", HTTP_HOST=host)
    assert (response.status_code, response.content) == (200, b"ready\n")


def test_a_probe_response_keeps_the_security_headers_and_sets_no_cookie(client, db):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"] and not response.cookies


@pytest.mark.parametrize(
    "path", ["/", "/faq/", "/faq/alpha/", "/healthz/", "/readyz/", "/healthzz", "/admin/login/", "/sitemap.xml"]
)
def test_every_other_address_still_refuses_a_bad_host(client, loaded, path):
    assert client.get(path, HTTP_HOST="10.1.2.3").status_code == 400


@pytest.fixture
def security_log(caplog):
    logging.getLogger("django").propagate = True
    caplog.set_level(logging.INFO)
    yield caplog
    logging.getLogger("django").propagate = False


def test_a_bad_host_is_logged_in_one_line_without_a_traceback(client, loaded, security_log):
    client.get("/faq/alpha/", HTTP_HOST="evil.example")
    records = [r for r in security_log.records if r.name.startswith("django")]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING and record.exc_info is None and record.exc_text is None
    assert record.getMessage() == "Refused GET '/faq/alpha/' for host 'evil.example' (not in ALLOWED_HOSTS): 400"


def test_a_bad_host_logged_line_escapes_what_the_client_sent(client, loaded, security_log):
    client.get("/faq/%0Aforged/", HTTP_HOST="evil.example")
    message = [r for r in security_log.records if r.name.startswith("django")][0].getMessage()
    assert "\n" not in message and "'/faq/\\nforged/'" in message


def test_a_served_probe_with_an_ip_host_is_answered_and_a_page_is_not(tmp_path):
    """Production settings under gunicorn (HTTPS redirects on, health checks exempt)."""
    env = {**prepared_env(tmp_path), **GOOD, "DJANGO_SETTINGS_MODULE": "iop_site.settings.production"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=REPO, env=env, check=True
    )
    with gunicorn(env, ready_path="/healthz", workers=1) as (_, base):
        port = int(base.rsplit(":", 1)[1])

        def get(path, host):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https"})
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status

        assert get("/readyz", "10.1.2.3") == 200
        assert get("/healthz", "10.1.2.3") == 200
        assert get("/", "10.1.2.3") == 400
