"""Which database errors are an outage: only a lost or refused connection gets the 503 page; a bad value is the
sender's (400), a bad query is ours (500). Real errors from the database in use (SQLite or PostgreSQL), and each
exception class raised by a view."""

import logging
import sqlite3

import pytest
from django.contrib.auth.models import User
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    connection,
)
from django.test import Client
from django.urls import path

from faq.models import FAQ, Topic
from iop_site import urls as site_urls

OUTAGE = "This site is having trouble right now"
BAD_REQUEST = "We could not use what was sent"
SERVER_ERROR = "Something went wrong on our side"
CRISIS = 'Call or text <a href="tel:988">988</a>'


def _sqlite_error(name):
    error = sqlite3.OperationalError("no such table: faq_gone")
    error.sqlite_errorname = name
    wrapped = OperationalError(str(error))
    wrapped.__cause__ = error
    return wrapped


RAISED = {
    "refused": OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
    "closed": InterfaceError("connection already closed"),
    "corrupt-file": DatabaseError("file is not a database"),
    "locked": _sqlite_error("SQLITE_BUSY"),
    "bad-value": DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
    "integrity": IntegrityError('new row violates check constraint "related_faq_not_self"'),
    "bad-query": ProgrammingError('relation "faq_gone" does not exist'),
    "sqlite-bad-query": _sqlite_error("SQLITE_ERROR"),
    "internal": InternalError("current transaction is aborted, commands ignored until end of transaction block"),
    "not-supported": NotSupportedError("DISTINCT ON fields is not supported by this database backend"),
}


def raise_named(request, name):
    raise RAISED[name]


def duplicate_topic(request):
    Topic.objects.create(slug="twice", title="Twice", description="Twice.", order=1)
    Topic.objects.create(slug="twice", title="Twice", description="Twice.", order=2)


def missing_table(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM faq_no_such_table")


urlpatterns = [
    path("raise/<str:name>/", raise_named),
    path("duplicate/", duplicate_topic),
    path("missing-table/", missing_table),
    *site_urls.urlpatterns,  # i18n_patterns cannot be include()d
]

pytestmark = pytest.mark.urls(__name__)
served = Client(raise_request_exception=False)


@pytest.fixture
def errors_log(caplog):
    for name in ("faq", "django"):
        logging.getLogger(name).propagate = True
    yield caplog
    for name in ("faq", "django"):
        logging.getLogger(name).propagate = False


@pytest.mark.parametrize("name", ["refused", "closed", "corrupt-file", "locked"])
def test_a_lost_or_refused_connection_is_an_outage(db, name):
    response = served.get(f"/raise/{name}/")
    html = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert OUTAGE in html and CRISIS in html


@pytest.mark.parametrize("name", ["bad-value", "integrity"])
def test_a_value_the_database_refuses_is_a_400_not_an_outage(db, name):
    response = served.get(f"/raise/{name}/")
    html = response.content.decode()
    assert response.status_code == 400
    assert BAD_REQUEST in html and "Nothing was saved" in html and CRISIS in html
    assert OUTAGE not in html and "Retry-After" not in response
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["bad-query", "sqlite-bad-query", "internal", "not-supported"])
def test_a_bad_query_is_a_500_not_an_outage(db, name):
    response = served.get(f"/raise/{name}/")
    html = response.content.decode()
    assert response.status_code == 500
    assert SERVER_ERROR in html and CRISIS in html and OUTAGE not in html


def test_a_bad_query_is_logged_with_its_traceback(db, errors_log):
    served.get("/raise/bad-query/")
    records = [r for r in errors_log.records if r.levelno >= logging.ERROR]
    assert len(records) == 1 and records[0].exc_info and records[0].exc_info[0] is ProgrammingError


def test_a_database_integrity_error_is_logged_with_its_traceback_as_a_missing_check(db, errors_log):
    served.get("/raise/integrity/")
    records = [r for r in errors_log.records if r.levelno >= logging.ERROR]
    assert len(records) == 1 and records[0].exc_info[0] is IntegrityError
    assert "a form should have refused it" in records[0].getMessage()


def test_a_bad_value_is_logged_in_one_line(db, errors_log):
    served.get("/raise/bad-value/")
    records = [r for r in errors_log.records if r.name.startswith(("faq", "django"))]
    assert len(records) == 1 and records[0].levelno == logging.WARNING and not records[0].exc_info
    assert "DataError" in records[0].getMessage() and "/raise/bad-value/" in records[0].getMessage()


def test_a_real_duplicate_is_a_400_and_nothing_is_saved(transactional_db):
    response = served.get("/duplicate/")
    assert response.status_code == 400
    assert Topic.objects.filter(slug="twice").count() == 1  # no request-wide transaction: the first row stays


def test_a_real_query_on_a_missing_table_is_a_500(db):
    assert served.get("/missing-table/").status_code == 500


@pytest.fixture
def superuser_client(db):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("boss", "b@example.org", "pw-for-tests-only"))
    return client


def test_a_nul_byte_typed_into_the_admin_autocomplete_is_not_an_outage(superuser_client, make_faq):
    make_faq("findable", question="Findable question?")
    query = "term=%00&app_label=faq&model_name=relatedfaq&field_name=target"
    response = superuser_client.get(f"/admin/autocomplete/?{query}")
    # PostgreSQL refuses NUL in text (a bad value: 400); SQLite searches for it and finds nothing.
    expected = 400 if connection.vendor == "postgresql" else 200
    assert response.status_code == expected
    assert OUTAGE not in response.content.decode()


def test_a_nul_byte_in_the_admin_search_gets_the_admins_own_message(superuser_client, make_faq):
    make_faq("findable")
    response = superuser_client.get("/admin/faq/faq/?q=%00")
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_an_faq_saved_as_its_own_related_faq_is_never_the_outage_page(superuser_client, make_faq):
    faq = make_faq("self-linked")
    data = {
        "question": faq.question, "slug": faq.slug, "summary": faq.summary, "topic": faq.topic_id,
        "status": "published", "order": 1, "body": faq.body, "reviewed": "2026-01-15", "reviewer": "",
        "sources": "", "related_links-TOTAL_FORMS": "1", "related_links-INITIAL_FORMS": "0",
        "related_links-0-target": faq.pk, "related_links-0-order": "0",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = superuser_client.post(f"/admin/faq/faq/{faq.pk}/change/", data)
    assert response.status_code in (200, 400)  # a form error (200) or a refused value (400), never 503
    assert OUTAGE not in response.content.decode()
    assert not FAQ.objects.get(pk=faq.pk).related.exists()


def test_a_database_outage_is_logged_once_per_interval_not_per_request(db, errors_log, monkeypatch):
    from faq import middleware

    now = [1000.0]
    monkeypatch.setattr(middleware, "monotonic", lambda: now[0])
    for _ in range(20):
        assert served.get("/raise/refused/").status_code == 503
    now[0] += middleware.OUTAGE_LOG_SECONDS
    served.get("/raise/refused/")
    lines = [r.getMessage() for r in errors_log.records if r.name.startswith(("faq", "django"))]
    assert len(lines) == 2
    assert lines[0].startswith("Database unavailable while serving /raise/refused/: connection to server")
    assert "(1 request(s) answered 503 since the last such line" in lines[0]
    assert "(20 request(s) answered 503 since the last such line" in lines[1]
