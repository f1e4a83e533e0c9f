"""X-Accel-Expires: the app tells nginx's micro-cache it may keep a reader's page until the end of the second."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from iop_site import proxy_cache

PUBLIC = ["/", "/faq/", "/faq/alpha/", "/sitemap.xml", "/robots.txt"]


@pytest.fixture
def clock(monkeypatch):
    """The time the middleware reads, set by the test."""
    now = [1_800_000_000.75]
    monkeypatch.setattr(proxy_cache.time, "time", lambda: now[0])
    return now


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_may_be_kept_until_the_end_of_the_second_their_request_started(client, loaded, clock, path):
    response = client.get(path)
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["X-Accel-Expires"] == "@1800000000"


def test_a_page_from_the_page_cache_gets_the_time_of_its_own_request(client, loaded, clock):
    client.get("/faq/alpha/")
    clock[0] = 1_800_000_042.2
    assert client.get("/faq/alpha/")["X-Accel-Expires"] == "@1800000042"


@pytest.mark.parametrize("path", ["/search/?q=alpha", "/faq/no-such-question/", "/admin/login/", "/healthz"])
def test_search_errors_admin_and_health_checks_are_not_offered_to_nginx(client, loaded, path):
    assert "X-Accel-Expires" not in client.get(path)


def test_staff_pages_are_not_offered_to_nginx(client, loaded):
    client.force_login(User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    assert "X-Accel-Expires" not in client.get("/faq/alpha/")


def test_a_request_with_a_session_cookie_is_not_offered_to_nginx_even_when_the_page_is_public(loaded):
    client = Client()
    client.cookies["sessionid"] = "expired-or-forged"
    response = client.get("/faq/alpha/")
    assert response["Cache-Control"] == "public, max-age=300"  # not staff: a reader's page
    assert "X-Accel-Expires" not in response


def test_a_post_is_not_offered_to_nginx(client, loaded):
    assert "X-Accel-Expires" not in client.post("/faq/alpha/")
