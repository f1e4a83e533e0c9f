"""Every HTML response, public and admin, carries the security headers; production hashes with Argon2."""

import pytest
from django.contrib.auth.models import User

from tests.test_settings import GOOD, run_django

REQUIRED_CSP = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
]
PUBLIC = ["/", "/faq/", "/faq/alpha/", "/faq/no-such-page/", "/admin/login/"]
ADMIN = ["/admin/", "/admin/faq/faq/", "/admin/faq/faq/add/", "/admin/auth/user/"]


def assert_hardened(response):
    csp = response["Content-Security-Policy"]
    for directive in REQUIRED_CSP:
        assert directive in csp.split("; "), (directive, csp)
    assert "unsafe" not in csp and "http" not in csp and "*" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"].split(", ")
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= set(policy)


@pytest.mark.parametrize("path", PUBLIC)
def test_public_html_responses_carry_every_security_header(client, loaded, path):
    assert_hardened(client.get(path))


@pytest.mark.parametrize("path", ADMIN)
def test_admin_html_responses_carry_every_security_header_and_stay_out_of_search(client, db, path):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "pw-for-tests-only"))
    response = client.get(path)
    assert response.status_code == 200
    assert_hardened(response)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_public_pages_are_not_marked_noindex(client, loaded):
    assert "X-Robots-Tag" not in client.get("/")


@pytest.mark.parametrize("settings_module", ["iop_site.settings.production", "iop_site.settings.local"])
def test_passwords_are_hashed_with_argon2(settings_module):
    code = "from django.contrib.auth.hashers import make_password; print(make_password('correct horse')[:9])"
    result = run_django(settings_module, GOOD, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "argon2$ar", result.stderr
