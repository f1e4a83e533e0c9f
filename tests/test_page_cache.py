"""The page cache: readers get cached pages, and every kind of change shows at the very next request."""

import io
import subprocess
import sys

import pytest
import redis
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import FAQ, Fact
from tests.admin_forms import approve, post_change, saved
from tests.conftest import REPO, faq_text

REDIS_URL = "redis://127.0.0.1:6379/15"


def queries_for(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/alpha/", "/sitemap.xml"])
def test_a_repeat_request_is_served_from_the_cache_with_one_query(client, loaded, path):
    first, html = queries_for(client, path)
    second, again = queries_for(client, path)
    assert (second, again) == (1, html)
    assert first > 1


def test_faq_page_needs_at_most_four_queries_cached_or_not(client, loaded):
    assert queries_for(client, "/faq/alpha/")[0] <= 4
    assert queries_for(client, "/faq/alpha/")[0] <= 4


def test_an_admin_style_save_shows_at_the_next_request(client, loaded):
    client.get("/faq/alpha/")
    faq = FAQ.objects.get(slug="alpha")
    faq.body = "A newer answer."
    faq.save()
    assert "A newer answer." in client.get("/faq/alpha/").content.decode()


def test_an_approved_edit_through_the_admin_shows_at_the_next_request(client, site_loaded, staff):
    client.get("/faq/")
    saved(post_change(staff, FAQ.objects.get(slug="beta"), question="A renamed question?"))
    assert "A renamed question?" not in client.get("/faq/").content.decode()
    approve(staff)
    assert "A renamed question?" in client.get("/faq/").content.decode()


def test_a_load_shows_at_the_next_request(client, loaded, write):
    client.get("/faq/gamma/")
    write(
        "faqs/gamma.md",
        faq_text("gamma", related=["alpha", "beta"], body="Loaded from the file.", reviewed="2026-02-01"),
    )
    call_command("load_content", path=loaded, stdout=io.StringIO())
    assert "Loaded from the file." in client.get("/faq/gamma/").content.decode()


def test_a_delete_shows_at_the_next_request(client, loaded):
    assert "What is gamma?" in client.get("/faq/").content.decode()
    client.get("/faq/gamma/")
    FAQ.objects.get(slug="gamma").delete()
    assert client.get("/faq/gamma/").status_code == 404
    assert "What is gamma?" not in client.get("/faq/").content.decode()


def test_a_fact_change_shows_on_every_page_that_uses_it(client, site_loaded, staff):
    assert "9 to 19 hours a week" in client.get("/faq/alpha/").content.decode()
    client.get("/")
    saved(post_change(staff, Fact.objects.get(key="weekly-hours"), value="12 hours a week"))
    approve(staff)
    assert "Alpha takes 12 hours a week." in client.get("/faq/alpha/").content.decode()
    assert "12 hours a week" in client.get("/").content.decode()


def test_a_related_questions_new_wording_shows_on_the_page_that_lists_it(client, loaded):
    assert "What is beta?" in client.get("/faq/alpha/").content.decode()
    beta = FAQ.objects.get(slug="beta")
    beta.question, beta.summary = "Is beta renamed?", "A new summary for beta."
    beta.save()
    html = client.get("/faq/alpha/").content.decode()
    assert "Is beta renamed?" in html and "A new summary for beta." in html


def test_staff_never_get_a_cached_page(client, loaded):
    client.get("/faq/alpha/")
    client.force_login(User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    count, _ = queries_for(client, "/faq/alpha/")
    assert count > 1


def test_redis_url_switches_the_cache_to_redis():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {"DJANGO_SETTINGS_MODULE": "iop_site.settings.local", "REDIS_URL": REDIS_URL, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip().splitlines()[-1] == "django.core.cache.backends.redis.RedisCache", out.stderr


def _redis_cache(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "iop-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    # Django's setting_changed handler rebuilds the cache handler from the new CACHES.


@pytest.fixture
def redis_server():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it; locally: redis-server --daemonize yes)")
    client.flushdb()
    yield client
    client.flushdb()


def test_pages_are_stored_in_redis_for_every_app_server(client, loaded, settings, redis_server):
    _redis_cache(settings, REDIS_URL)
    client.get("/faq/alpha/")
    assert any(key.startswith(b"iop-test:") for key in redis_server.scan_iter())
    assert queries_for(client, "/faq/alpha/")[0] == 1


def test_pages_are_served_uncached_when_redis_is_down(client, loaded, settings):
    _redis_cache(settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    for _ in range(2):
        count, html = queries_for(client, "/faq/alpha/")
        assert "Alpha takes 9 to 19 hours a week." in html
        assert count > 1
