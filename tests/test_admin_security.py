"""Staff accounts: brute-force lockout, the FAQ editors group, and the optional second factor."""

import io
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from faq.editors import EDITOR_GROUP, REVIEWER_GROUP
from faq.models import FAQ, Revision
from tests.admin_forms import post_change, saved

PASSWORD = "pw-for-tests-only"
HERE = {"REMOTE_ADDR": "203.0.113.5"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def staff(db):
    return User.objects.create_user("dana", password=PASSWORD, is_staff=True)


def log_in(client, username="dana", password=PASSWORD, where=HERE, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password, **extra}, **where)


# --- brute force -------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_user_out_from_that_address_for_15_minutes(client, staff, caplog):
    logging.getLogger("axes").propagate = True
    try:
        statuses = [log_in(client, password="wrong").status_code for _ in range(5)]
        sixth = log_in(client)  # even the right password
    finally:
        logging.getLogger("axes").propagate = False
    assert statuses == [200, 200, 200, 200, 429]
    assert sixth.status_code == 429
    assert "Wait 15 minutes" in sixth.content.decode()
    assert sixth["Retry-After"] == "900"
    assert any("Locking out" in r.getMessage() and '"dana"' in r.getMessage() for r in caplog.records)


def test_lockout_spares_other_users_and_other_addresses(client, staff):
    User.objects.create_user("lee", password=PASSWORD, is_staff=True)
    for _ in range(5):
        log_in(client, password="wrong")
    assert log_in(client, "lee").status_code == 302
    assert log_in(Client(), where=ELSEWHERE).status_code == 302


def test_lockout_ends_after_15_minutes(client, staff):
    for _ in range(5):
        log_in(client, password="wrong")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert log_in(client).status_code == 302


# --- the FAQ editors group ---------------------------------------------------------------------------------


@pytest.fixture
def editor(staff):
    staff.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client = Client()
    client.force_login(staff)
    return client


def test_migrate_creates_the_editors_group_with_faq_permissions_only(db):
    group = Group.objects.get(name=EDITOR_GROUP)
    apps = set(group.permissions.values_list("content_type__app_label", flat=True))
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert apps == {"faq"}
    assert {"change_faq", "add_faq", "view_faq", "change_fact", "change_topic", "change_siteinfo"} <= codenames
    assert "view_revision" in codenames
    assert not codenames & {"delete_faq", "delete_fact", "delete_topic", "add_siteinfo", "approve_revision"}
    assert not codenames & {"change_revision", "add_reviewerprofile", "change_reviewerprofile"}


def test_migrate_creates_the_clinical_reviewers_group_who_may_also_approve(db):
    group = Group.objects.get(name=REVIEWER_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    editors = set(Group.objects.get(name=EDITOR_GROUP).permissions.values_list("codename", flat=True))
    assert codenames == editors | {"approve_revision", "view_reviewerprofile"}


def test_create_editor_group_command_restores_the_permissions(db):
    group = Group.objects.get(name=EDITOR_GROUP)
    count = group.permissions.count()
    group.permissions.clear()
    out = io.StringIO()
    call_command("create_editor_group", stdout=out)
    assert group.permissions.count() == count
    assert f'"{EDITOR_GROUP}": {count} permissions' in out.getvalue()


def test_editor_can_change_an_faq_in_the_admin_which_then_waits_for_review(editor, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    saved(post_change(editor, faq, body="Edited by an editor."))
    assert FAQ.objects.get(pk=faq.pk).body == "An answer."
    [revision] = Revision.objects.pending()
    assert "Edited by an editor." in revision.text and revision.created_by.username == "dana"


@pytest.mark.parametrize("path", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_editor_cannot_touch_accounts(editor, path):
    assert editor.get(path).status_code == 403


def test_editor_cannot_delete_an_faq(editor, make_faq):
    faq = make_faq("kept")
    assert editor.post(f"/admin/faq/faq/{faq.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FAQ.objects.filter(pk=faq.pk).exists()


# --- two-factor login ---------------------------------------------------------------------------------------


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def code(device):
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


def test_without_a_device_a_password_is_enough_by_default(client, staff):
    assert log_in(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_login_page_offers_the_code_field(client, db):
    assert 'name="otp_token"' in client.get("/admin/login/").content.decode()


def test_with_a_device_the_code_is_always_needed(client, device):
    assert "Enter the 6-digit code" in log_in(client).content.decode()
    assert log_in(client, otp_token=code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_and_slows_the_next_try(client, device):
    wrong = "000000" if code(device) != "000000" else "111111"
    assert "wrong or has expired" in log_in(client, otp_token=wrong).content.decode()
    assert "Wait a minute" in log_in(client, otp_token=code(device)).content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_session_without_the_code_is_refused_once_a_device_exists(client, staff):
    client.force_login(staff)
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


def test_required_2fa_refuses_staff_without_a_device(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = True
    response = log_in(client)
    assert response.status_code == 200
    assert "needs a code from an authenticator app" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_required_2fa_admits_staff_with_device_and_code(client, device, settings):
    settings.ADMIN_REQUIRE_2FA = True
    assert log_in(client, otp_token=code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_required_2fa_refuses_a_password_only_session(client, staff, settings):
    settings.ADMIN_REQUIRE_2FA = True
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302


def test_add_totp_device_command_prints_a_setup_key(staff):
    out = io.StringIO()
    call_command("add_totp_device", "dana", stdout=out)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    assert "otpauth://totp/" in out.getvalue() and device.config_url in out.getvalue()
