"""Drive the admin's forms as a browser would: open the page, keep every field as shown, change some, post."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from faq.editors import EDITOR_GROUP, REVIEWER_GROUP
from faq.models import FAQ, ReviewerProfile, Revision


def form_fields(client, url):
    """Every field of the admin form on this page with the value it shows, as the browser would post it."""
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if value is None:
            continue
        data[field.html_name] = [str(item) for item in value] if isinstance(value, (list, tuple)) else value
    return data


def ids(*slugs):
    """The picker's values for these FAQs (it posts ids), in this order."""
    found = dict(FAQ.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return [str(found[slug]) for slug in slugs]


def post_change(client, obj, *, follow=False, **changes):
    """Open the entry's change form, change the given fields, save; returns the response."""
    model = type(obj)._meta.model_name
    url = f"/admin/faq/{model}/{obj.pk}/change/"
    data = form_fields(client, url)
    data.update(changes)
    return client.post(url, data, follow=follow)


def post_add(client, model, **fields):
    return client.post(f"/admin/faq/{model}/add/", fields)


def form_errors(response):
    context = response.context
    if context is None or "adminform" not in context:
        return {}
    form = context["adminform"].form
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def saved(response):
    assert response.status_code == 302, form_errors(response)
    return response


def latest_revision():
    return Revision.objects.order_by("-pk").first()


def approve(client, revision=None, note=""):
    revision = revision or latest_revision()
    response = client.post(f"/admin/faq/revision/{revision.pk}/change/", {"step": "approve", "note": note})
    assert response.status_code == 302
    revision.refresh_from_db()
    return revision


PASSWORD = "pw-for-tests-only"


def make_user(username, *, group=None, superuser=False, reviewer_name=None, view_only=False, full_name=None):
    """A staff account (password PASSWORD); full_name "First Last" is what History and the queue show."""
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    else:
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    if full_name:
        user.first_name, user.last_name = full_name.split(" ", 1)
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    if view_only:
        from django.contrib.auth.models import Permission

        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="faq", codename__startswith="view_")
        )
    if reviewer_name:
        name, credentials = reviewer_name.split(", ")
        ReviewerProfile.objects.create(user=user, display_name=name, credentials=credentials)
    return user


def client_for(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.fixture
def staff(db):
    """A superuser who is also a named clinical reviewer (so can approve, with the two-person rule off)."""
    return client_for(make_user("admin", superuser=True, reviewer_name="Dana Ortiz, LCSW"))


@pytest.fixture
def editor(db):
    return client_for(make_user("editor", group=EDITOR_GROUP))


@pytest.fixture
def reviewer(db):
    return client_for(make_user("reviewer", group=REVIEWER_GROUP, reviewer_name="Sam Lee, PsyD"))
