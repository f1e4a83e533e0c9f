"""Conditional GET and Cache-Control: proxies may keep readers' pages briefly; nothing private is ever kept."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from faq.models import FAQ

DATED = ["/", "/faq/", "/faq/alpha/", "/sitemap.xml"]
CACHEABLE = [*DATED, "/robots.txt"]  # robots.txt comes from settings alone: an ETag, no date


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    return client


@pytest.mark.parametrize("path", CACHEABLE)
def test_public_pages_carry_validators_and_a_short_public_lifetime(client, loaded, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert parse_http_date(response["Last-Modified"]) if path in DATED else "Last-Modified" not in response


@pytest.mark.parametrize("path", CACHEABLE)
def test_matching_etag_gets_304_with_no_body(client, loaded, path):
    etag = client.get(path)["ETag"]
    response = client.get(path, headers={"if-none-match": etag})
    assert (response.status_code, response.content) == (304, b"")
    assert response["ETag"] == etag and response["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("path", DATED)
def test_if_modified_since_last_modified_gets_304(client, loaded, path):
    last_modified = client.get(path)["Last-Modified"]
    assert client.get(path, headers={"if-modified-since": last_modified}).status_code == 304


def test_older_if_modified_since_gets_the_page(client, loaded):
    last_modified = parse_http_date(client.get("/faq/alpha/")["Last-Modified"])
    response = client.get("/faq/alpha/", headers={"if-modified-since": http_date(last_modified - 1)})
    assert response.status_code == 200


def test_an_edit_invalidates_the_old_etag_and_moves_last_modified(client, make_faq):
    faq = make_faq("edited")
    before = client.get("/faq/edited/")
    faq.body = "A better answer."
    faq.save()
    after = client.get("/faq/edited/", headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and "A better answer." in after.content.decode()
    assert parse_http_date(after["Last-Modified"]) >= parse_http_date(before["Last-Modified"])


def test_a_related_teaser_change_moves_the_page_last_modified(client, make_faq, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    make_faq("page")
    neighbour = make_faq("neighbour")  # same topic, so listed under "Related FAQs"
    before = client.get("/faq/page/")["Last-Modified"]
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC))
    neighbour.question = "A reworded neighbour?"
    neighbour.save()
    after = client.get("/faq/page/", headers={"if-modified-since": before})
    assert after.status_code == 200 and "A reworded neighbour?" in after.content.decode()


@pytest.mark.parametrize("path", [*CACHEABLE, "/search/?q=alpha", "/faq/no-such-question/"])
def test_readers_get_no_cookie_and_no_vary_on_cookie(client, loaded, path):
    response = client.get(path)
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_staff_never_get_a_cacheable_page(staff_client, loaded):
    response = staff_client.get("/faq/alpha/")
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_drafts_are_never_cached_and_never_answered_with_304(staff_client, make_faq):
    make_faq("secret", status=FAQ.Status.DRAFT)
    response = staff_client.get("/faq/secret/", headers={"if-modified-since": http_date(4_000_000_000)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "ETag" not in response


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/"])
def test_admin_is_never_publicly_cached(client, db, path):
    response = client.get(path)
    assert "public" not in response.get("Cache-Control", "")
    assert "no-store" in response.get("Cache-Control", "") or response.status_code == 302


@pytest.mark.parametrize("path", ["/faq/no-such-question/", "/no-such-page/", "/faq/alpha/extra/", "/search/extra/"])
def test_unknown_addresses_are_404_and_not_publicly_cached(client, loaded, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_head_request_gets_the_same_validators(client, loaded):
    get, head = client.get("/faq/alpha/"), client.head("/faq/alpha/")
    assert (head.status_code, head["ETag"], head["Last-Modified"]) == (200, get["ETag"], get["Last-Modified"])
