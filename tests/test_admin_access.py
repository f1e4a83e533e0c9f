"""Every admin URL, with every role and every method: who may change what.

The walk reads the URL list itself, so a view added later is walked too; a URL whose parameters it cannot fill
fails the test until the walk learns them. For each URL it posts the form exactly as a superuser would fill it
(the strongest request a lesser account could forge), then checks what changed in the database.
"""

import copy
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from faq.models import FAQ, Revision
from tests.admin_forms import client_for, form_fields, make_user, post_change, saved

METHODS = ("GET", "POST", "PUT", "DELETE")
WRITES = ("POST", "PUT", "DELETE")
# What an editor may never write, whatever they post.
EDITOR_NEVER = re.compile(r"^/admin/(auth|axes|otp_totp)/|/delete/$|^/admin/faq/(reviewerprofile|revision)/")


def admin_routes():
    """(route, name) for every admin URL pattern."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name

    return [(route, name) for route, name in walk(get_resolver().url_patterns, "") if route.startswith("admin/")]


def snapshot():
    models = [*apps.get_app_config("faq").get_models(), User, Group, TOTPDevice]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


class Walk:
    """Real objects to put in every URL."""

    def __init__(self, superuser):
        self.superuser, self.client = superuser, client_for(superuser)
        self.faq = FAQ.objects.get(slug="gamma")
        saved(post_change(client_for(superuser), self.faq, body="A change waiting for review."))
        self.revision = Revision.objects.get()
        # Someone else's authenticator: a device of the walking superuser would make every page ask for its code.
        self.device = TOTPDevice.objects.create(user=make_user("has-phone"), name="phone", confirmed=True)

    def object_for(self, app_label, model_name):
        model = apps.get_model(app_label, model_name)
        special = {FAQ: self.faq, User: self.superuser, Revision: self.revision, TOTPDevice: self.device}
        return special.get(model) or model.objects.order_by("pk").first()

    def url(self, route):
        """The route with real values, or None if it has a parameter the walk does not know."""
        route = route.replace("/^(", "/(").removesuffix("$")  # regex routes: anchors off, groups kept
        model = re.match(r"admin/(\w+)/(\w+)/", route)
        installed = model and model.group(1) in {app.label for app in apps.get_app_configs()}
        obj = self.object_for(*model.groups()) if installed else None
        pk = str(obj.pk) if obj is not None else "999999"
        values = {
            "<path:object_id>": pk,
            "<id>": pk,
            "<int:pk>": pk,
            "(?P<app_label>auth|faq|axes|otp_totp)": "faq",
            "(?P<url>.*)": "no-such-page/",
        }
        if route.startswith("admin/r/"):
            return f"/admin/r/{ContentType.objects.get_for_model(FAQ).pk}/{self.faq.pk}/"
        if "([^/]+)/history/([^/]+)/" in route:
            version = obj.history.order_by("-history_id").first() if obj is not None else None
            route = route.replace("([^/]+)/history/([^/]+)/", f"{pk}/history/{version.history_id if version else 1}/")
        for parameter, value in values.items():
            route = route.replace(parameter, value)
        return None if re.search(r"[<(]", route) else "/" + route

    def data_for(self, url):
        """What a superuser's browser would post here."""
        if url.startswith("/admin/faq/revision/") and url.endswith("/change/"):
            return {"step": "approve", "note": "forged"}
        if url.endswith("/delete/"):
            return {"post": "yes"}
        page = self.client.get(url)
        try:
            page.context["adminform"]
        except (KeyError, TypeError):
            return {}
        return form_fields(self.client, url)


@pytest.fixture
def walk(site_loaded, settings):
    settings.SIGNOFF_TWO_PEOPLE = False
    return Walk(make_user("root", superuser=True, reviewer_name="Dana Ortiz, LCSW"))


@pytest.fixture
def roles(walk):
    view_only = make_user("viewer", view_only=True)
    report = {"raise_request_exception": False}  # a crash is a 500 answer to report, not the end of the walk
    return {
        "anonymous": Client(**report),
        "view-only staff": client_for(view_only, **report),
        "editor": client_for(make_user("editor", group="FAQ editors"), **report),
        "reviewer": client_for(
            make_user("reviewer", group="Clinical reviewers", reviewer_name="Sam Lee, PsyD"), **report
        ),
        "superuser": client_for(walk.superuser, **report),
    }


def request(client, method, url, data):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url)


def test_every_admin_url_is_walked(walk):
    unfilled = [route for route, _ in admin_routes() if walk.url(route) is None]
    assert unfilled == []
    assert len(admin_routes()) > 90
    superuser = client_for(walk.superuser)
    answered = [route for route, _ in admin_routes() if superuser.get(walk.url(route)).status_code == 200]
    assert len(answered) >= 60, answered  # the walk itself is logged in: it reaches the pages, not the login page
    assert "admin/faq/faq/^([^/]+)/history/([^/]+)/$" in answered


def test_every_role_and_method_on_every_admin_url(walk, roles):
    seen = []
    for route, _ in admin_routes():
        url = walk.url(route)
        data = walk.data_for(url)
        for role, client in roles.items():
            # The admin writes only on POST; PUT and DELETE are tried with the strongest account, which would
            # be the one to get through.
            for method in METHODS if role == "superuser" else ("GET", "POST"):
                seen.append(check(role, client, method, url, data))
    problems = [problem for problem in seen if problem]
    assert problems == [], "\n".join(problems)


def check(role, client, method, url, data):
    """The problem with what this role got from this method on this URL, or None."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        before = snapshot() if method in WRITES else None
        response = request(client, method, url, data)
        after = snapshot() if method in WRITES else None
        transaction.set_rollback(True)  # each request starts from the same site
    client.cookies = cookies  # and the same login (a POST to logout must not log the walk out)
    where = f"{role} {method} {url}"
    if response.status_code >= 500:
        return f"{where}: {response.status_code}"
    to_login = response.status_code in (302, 404, 405) and "/admin/login/" in response.get("Location", "/admin/login/")
    if role == "anonymous" and not url.startswith(("/admin/login/", "/admin/logout/")) and not to_login:
        return f"{where}: {response.status_code}, not sent to log in"
    changed = before != after
    if changed and not may_write(role, method, url):
        return f"{where}: changed the database"
    return None


def may_write(role, method, url):
    """Whether this role may change the database with this request (the admin writes only on POST)."""
    if method != "POST" or role in ("anonymous", "view-only staff"):
        return False
    if role == "superuser":
        return True
    approving = url.startswith("/admin/faq/revision/") and url.endswith("/change/")
    return not EDITOR_NEVER.search(url) or (role == "reviewer" and approving)


def test_a_view_only_account_cannot_change_anything_through_history(walk, roles):
    """The reported case: a POST to a version's page saved whatever fields were sent."""
    version = walk.faq.history.order_by("history_id").first()
    url = f"/admin/faq/faq/{walk.faq.pk}/history/{version.history_id}/"
    data = {**walk.data_for(url), "question": "Changed through History?"}
    before = snapshot()
    response = roles["view-only staff"].post(url, data)
    assert response.status_code == 403
    assert snapshot() == before


def test_only_an_account_that_may_add_it_can_create_the_site_information(site_loaded):
    from faq.models import SiteInfo

    SiteInfo.objects.all().delete()
    editor = client_for(make_user("editor", group="FAQ editors"))
    response = editor.post("/admin/faq/siteinfo/add/", {"name": "X", "phone": "(617) 555-0100", "address": "A",
                                                        "hours": "B", "intake": "Call."})  # fmt: skip
    assert response.status_code == 403
    assert not SiteInfo.objects.exists()
