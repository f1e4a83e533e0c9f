"""Staff sessions end after ADMIN_IDLE_TIMEOUT without a request and ADMIN_SESSION_MAX_AGE after logging in; the
login page then says why. Readers still get no cookie."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from faq.middleware import STAFF_SEEN, STAFF_SINCE
from faq.models import FAQ, Revision
from tests.admin_forms import form_fields
from tests.test_settings import GOOD, run_django

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("dana", "d@example.org", PASSWORD))
    assert client.get("/admin/").status_code == 200  # the first request starts the clock
    return client


def age(client, key, seconds):
    session = client.session
    session[key] -= seconds
    session.save()


def test_staff_idle_past_the_limit_land_on_the_login_page_with_a_plain_message(staff_client, settings):
    age(staff_client, STAFF_SEEN, settings.ADMIN_IDLE_TIMEOUT + 1)
    response = staff_client.get("/admin/faq/faq/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/faq/faq/")
    page = staff_client.get(response["Location"]).content.decode()
    assert "You were logged out after 30 minutes without activity." in page
    assert staff_client.get("/admin/").status_code == 302


def test_staff_active_within_the_limit_stay_logged_in(staff_client, settings):
    for _ in range(3):
        age(staff_client, STAFF_SEEN, settings.ADMIN_IDLE_TIMEOUT - 60)
        assert staff_client.get("/admin/faq/faq/").status_code == 200


def test_staff_are_logged_out_a_working_day_after_logging_in_however_active(staff_client, settings):
    age(staff_client, STAFF_SINCE, settings.ADMIN_SESSION_MAX_AGE + 1)
    response = staff_client.get("/admin/faq/faq/")
    assert response.status_code == 302
    page = staff_client.get(response["Location"]).content.decode()
    assert "You were logged out 10 hours after logging in." in page


def test_a_save_after_the_idle_limit_is_refused_and_changes_nothing(staff_client, settings, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    url = f"/admin/faq/faq/{faq.pk}/change/"
    data = {**form_fields(staff_client, url), "body": "Typed too late."}
    age(staff_client, STAFF_SEEN, settings.ADMIN_IDLE_TIMEOUT + 1)
    response = staff_client.post(url, data)
    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={url}")
    assert FAQ.objects.get(pk=faq.pk).body == "An answer."
    assert not Revision.objects.exists()


def test_a_save_within_the_idle_limit_is_kept(staff_client, settings, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    url = f"/admin/faq/faq/{faq.pk}/change/"
    data = {**form_fields(staff_client, url), "body": "Saved in time."}
    age(staff_client, STAFF_SEEN, settings.ADMIN_IDLE_TIMEOUT - 60)
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert "Saved in time." in Revision.objects.pending().get().text


def test_timed_out_staff_on_a_public_page_get_the_readers_page(staff_client, settings, loaded):
    age(staff_client, STAFF_SEEN, settings.ADMIN_IDLE_TIMEOUT + 1)
    response = staff_client.get("/faq/alpha/")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert "messages" not in response.cookies
    assert staff_client.get("/admin/").status_code == 302


def test_timed_out_staff_on_the_login_page_see_it_with_the_message(staff_client, settings):
    age(staff_client, STAFF_SEEN, settings.ADMIN_IDLE_TIMEOUT + 1)
    response = staff_client.get("/admin/login/")
    assert response.status_code == 200
    assert "You were logged out after 30 minutes without activity." in response.content.decode()


def test_readers_still_get_no_cookie(client, loaded):
    for path in ("/", "/faq/", "/faq/alpha/"):
        response = client.get(path)
        assert not response.cookies and "Cookie" not in response.get("Vary", "")


def test_the_browser_cookie_ends_with_the_working_day_too(settings):
    assert settings.SESSION_COOKIE_AGE == settings.ADMIN_SESSION_MAX_AGE


def test_the_limits_default_to_30_minutes_and_10_hours():
    code = "from django.conf import settings as s; print(s.ADMIN_IDLE_TIMEOUT, s.ADMIN_SESSION_MAX_AGE)"
    result = run_django("iop_site.settings.production", GOOD, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "1800 36000", result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ADMIN_IDLE_TIMEOUT": "30m"}, "ADMIN_IDLE_TIMEOUT='30m' is not a whole number"),
        ({"ADMIN_IDLE_TIMEOUT": "10"}, "ADMIN_IDLE_TIMEOUT must be at least 60 seconds"),
        ({"ADMIN_SESSION_MAX_AGE": "600"}, "ADMIN_SESSION_MAX_AGE (600) must be at least ADMIN_IDLE_TIMEOUT (1800)"),
    ],
)
def test_the_limits_refuse_values_that_make_no_sense(env, message):
    result = run_django("iop_site.settings.production", {**GOOD, **env}, "check")
    assert result.returncode != 0 and message in result.stderr
