"""Failing well, in process: health checks, a friendly 503 when the database is down, bad requests refused."""

import pytest
from django.db import OperationalError, connections
from django.test import Client

CRISIS = 'Call or text <a href="tel:988">988</a>'


class DatabaseDown:
    """Every query fails the way a stopped database server fails; undo() brings the database back."""

    def __init__(self):
        self.connection = connections["default"]
        self.connection.cursor = self.refuse

    @staticmethod
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def undo(self):
        self.connection.__dict__.pop("cursor", None)


@pytest.fixture
def database_down(db):
    down = DatabaseDown()
    yield down
    down.undo()  # before the db fixture rolls back


def test_healthz_answers_without_the_database_or_a_cookie(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_readyz_checks_the_database(client, db):
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_readyz_is_503_when_the_database_is_down(client, db, database_down):
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"database unavailable\n")
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/alpha/", "/no/such/page/", "/admin/login/"])
def test_pages_answer_a_friendly_503_when_the_database_is_down(loaded, database_down, path):
    # Unknown addresses fail inside the 404 handler and reach the 500 handler: serve them as a real server would.
    response = Client(raise_request_exception=False).get(path)
    html = response.content.decode()
    assert response.status_code == 503
    assert CRISIS in html and "try again in a few minutes" in html
    assert "Traceback" not in html and "OperationalError" not in html and "5432" not in html
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_pages_recover_by_themselves_when_the_database_returns(client, loaded, database_down):
    assert client.get("/faq/").status_code == 503
    database_down.undo()
    assert client.get("/faq/").status_code == 200


def test_a_bad_host_header_is_400(client, db):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_a_request_body_over_the_limit_is_400(client, db, settings):
    body = "username=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
