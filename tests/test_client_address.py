"""Whose address the login lockout counts: X-Forwarded-For only as far as TRUSTED_PROXY_COUNT proxies of our own
appended it; a client that reaches gunicorn directly cannot pick a new address per try."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client

from faq.security import client_ip
from tests.test_settings import GOOD, run_django

PASSWORD = "pw-for-tests-only"
PROXY = "127.0.0.1"  # nginx on the same machine


@pytest.fixture
def staff(db, settings):
    # Production behind a TLS proxy says so; the lockout must not take that as trust in X-Forwarded-For.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return User.objects.create_user("dana", password=PASSWORD, is_staff=True)


def wrong_password(client, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    data = {"username": "dana", "password": "wrong"}
    return client.post("/admin/login/?next=/admin/", data, **headers).status_code


def test_direct_to_the_app_a_changing_forwarded_header_does_not_escape_the_lockout(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [wrong_password(Client(), "203.0.113.5", f"198.51.100.{n}") for n in range(12)]
    assert statuses == [200] * 4 + [429] * 8


def test_behind_one_proxy_the_address_it_appended_is_counted(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [wrong_password(Client(), PROXY, f"10.9.9.{n}, 198.51.100.7") for n in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    assert wrong_password(Client(), PROXY, "198.51.100.8") == 200  # another reader behind the same proxy


def test_behind_one_proxy_a_client_cannot_choose_its_counted_address(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [wrong_password(Client(), PROXY, f"198.51.100.{n}, 203.0.113.5") for n in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


class Request:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    "count, remote, forwarded, expected",
    [
        (0, "203.0.113.5", "198.51.100.7", "203.0.113.5"),
        (1, PROXY, "198.51.100.7", "198.51.100.7"),
        (1, PROXY, " 10.0.0.1 ,198.51.100.7 ", "198.51.100.7"),
        (2, PROXY, "10.0.0.1, 198.51.100.7, 192.0.2.10", "198.51.100.7"),
        (1, PROXY, "2001:db8::7", "2001:db8::7"),
        (2, PROXY, "198.51.100.7", PROXY),  # fewer entries than proxies: not sent by our proxies
        (1, PROXY, None, PROXY),
        (1, PROXY, "", PROXY),
        (1, PROXY, "unknown", PROXY),  # not an address (PostgreSQL would refuse to store it)
        (1, PROXY, "198.51.100.7:4431", PROXY),
    ],
)
def test_client_ip_takes_the_entry_our_proxies_appended(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(Request(remote, forwarded)) == expected


def test_a_garbage_forwarded_header_is_no_database_error(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert wrong_password(Client(), PROXY, "not-an-address\x00") == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_trusted_proxy_count_defaults_to_none_trusted():
    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    result = run_django("iop_site.settings.production", GOOD, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "0", result.stderr


@pytest.mark.parametrize("value", ["one", "-1", "1.5"])
def test_trusted_proxy_count_must_be_a_whole_number(value):
    result = run_django("iop_site.settings.production", {**GOOD, "TRUSTED_PROXY_COUNT": value}, "check")
    assert result.returncode != 0
    assert f"TRUSTED_PROXY_COUNT={value!r} is not a whole number" in result.stderr
