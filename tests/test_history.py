"""History and undo: every change is kept with who made it and why, and staff can restore any version."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from faq.models import FAQ, Fact, SiteInfo, Topic
from tests.conftest import faq_text
from tests.test_admin import change_form_data


@pytest.fixture
def staff(db):
    user = User.objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def load(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_content", *args, path=path, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def related_slugs(slug):
    return list(FAQ.objects.get(slug=slug).related_links.values_list("target__slug", flat=True))


def edit_in_admin(staff, slug, *, drop_related=(), **fields):
    """Post the FAQ's change form as staff would, removing the named related FAQs."""
    faq = FAQ.objects.get(slug=slug)
    data = change_form_data(faq, **fields)
    links = list(faq.related_links.select_related("target"))
    data["related_links-TOTAL_FORMS"] = data["related_links-INITIAL_FORMS"] = str(len(links))
    for i, link in enumerate(links):
        data.update({f"related_links-{i}-{name}": value for name, value in [
            ("id", link.pk), ("faq", faq.pk), ("target", link.target_id), ("position", link.position)]})  # fmt: skip
        if link.target.slug in drop_related:
            data[f"related_links-{i}-DELETE"] = "on"
    response = staff.post(f"/admin/faq/faq/{faq.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return faq.pk


def restore(staff, model_name, pk, version):
    """Open a version from the History page and press Revert, posting the form exactly as it is shown."""
    page = staff.get(f"/admin/faq/{model_name}/{pk}/history/{version.history_id}/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {field.html_name: field.value() for field in form if field.value() is not None}
    response = staff.post(f"/admin/faq/{model_name}/{pk}/history/{version.history_id}/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    return response


def test_a_load_records_a_version_of_every_entry_with_its_reason(loaded):
    for model, count in ((Topic, 1), (Fact, 2), (FAQ, 3), (SiteInfo, 1)):
        versions = model.history.all()
        assert versions.count() == count
        assert {(v.history_type, v.history_user_id, v.history_change_reason) for v in versions} == {
            ("+", None, "load_content")
        }
    assert FAQ.history.get(slug="gamma").links == {"related": ["alpha", "beta"], "aliases": []}


def test_an_unchanged_load_records_no_version(loaded):
    before = FAQ.history.count() + Fact.history.count() + Topic.history.count() + SiteInfo.history.count()
    load(loaded)
    assert FAQ.history.count() + Fact.history.count() + Topic.history.count() + SiteInfo.history.count() == before


def test_a_changed_file_records_one_version_with_the_new_content(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["beta"], body="New.", extra="aliases:\n- old-gamma\n"))
    load(loaded)
    latest = FAQ.history.filter(slug="gamma").latest()
    assert (latest.history_type, latest.body, latest.history_change_reason) == ("~", "New.", "load_content")
    assert latest.links == {"related": ["beta"], "aliases": ["old-gamma"]}
    assert FAQ.history.filter(slug="gamma").count() == 2


def test_a_fact_change_records_the_fact_but_not_the_answers_rendered_again(loaded, write):
    write("facts/weekly-hours.md", "---\nkey: weekly-hours\nlabel: Hours\nvalue: 12 hours a week\norder: 1\n---\n")
    load(loaded)
    assert Fact.history.filter(key="weekly-hours").count() == 2
    assert FAQ.history.count() == 3
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 12 hours a week.</p>\n"


def test_an_admin_edit_records_who_made_it_and_the_links_as_saved(loaded, staff):
    edit_in_admin(staff, "gamma", body="Edited in the admin.", drop_related=["beta"])
    latest = FAQ.history.filter(slug="gamma").latest()
    assert (latest.history_user.username, latest.body) == ("admin", "Edited in the admin.")
    assert latest.links == {"related": ["alpha"], "aliases": []}


def test_staff_restore_an_admin_edit_that_a_forced_load_replaced(loaded, write, staff):
    pk = edit_in_admin(staff, "gamma", body="Edited in the admin.", drop_related=["beta"])
    admin_version = FAQ.history.filter(id=pk).latest()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    assert load(loaded)[0] == 3
    assert load(loaded, "--force")[0] == 0
    assert FAQ.objects.get(pk=pk).body == "Edited in the file."
    assert FAQ.history.filter(id=pk).latest().history_change_reason == "load_content --force (replaced an admin edit)"

    history_page = staff.get(f"/admin/faq/faq/{pk}/history/").content.decode()
    assert "load_content --force (replaced an admin edit)" in history_page
    assert "related: alpha; earlier addresses: none" in history_page
    assert "<strong>Answer:</strong>" in history_page
    assert "fingerprint" not in history_page.lower()
    restore(staff, "faq", pk, admin_version)

    gamma = FAQ.objects.get(pk=pk)
    assert (gamma.body, gamma.body_html) == ("Edited in the admin.", "<p>Edited in the admin.</p>\n")
    assert related_slugs("gamma") == ["alpha"]
    latest = FAQ.history.filter(id=pk).latest()
    assert latest.history_user.username == "admin"
    assert latest.history_change_reason.startswith("restored the version of ")
    assert latest.links == {"related": ["alpha"], "aliases": []}
    code, out, _ = load(loaded)
    assert code == 0
    assert "kept admin edit (file unchanged since the last load): FAQ gamma" in out
    assert FAQ.objects.get(pk=pk).body == "Edited in the admin."


def test_a_faq_deleted_in_the_admin_is_restored_with_its_links(loaded, write, staff, client):
    write(
        "faqs/beta.md",
        faq_text("beta", related=["alpha"], body="See [alpha](faq:alpha).", extra="aliases:\n- old-beta\n"),
    )
    load(loaded)
    beta = FAQ.objects.get(slug="beta")
    assert staff.post(f"/admin/faq/faq/{beta.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not FAQ.objects.filter(pk=beta.pk).exists()
    assert (related_slugs("alpha"), related_slugs("gamma")) == ([], ["alpha"])

    deleted_page = staff.get("/admin/faq/faq/deleted/").content.decode()
    assert f'href="/admin/faq/faq/{beta.pk}/history/"' in deleted_page
    assert "What is beta?" in deleted_page
    assert 'href="/admin/faq/faq/deleted/"' in staff.get("/admin/faq/faq/").content.decode()
    deletion = FAQ.history.get(id=beta.pk, history_type="-")
    assert deletion.history_user.username == "admin"
    assert staff.get(f"/admin/faq/faq/{beta.pk}/history/").status_code == 200
    restore(staff, "faq", beta.pk, deletion)

    restored = FAQ.objects.get(pk=beta.pk)
    assert (restored.slug, restored.body) == ("beta", "See [alpha](faq:alpha).")
    assert '<a href="/faq/alpha/"' in restored.body_html
    assert related_slugs("beta") == ["alpha"]
    assert list(restored.aliases.values_list("slug", flat=True)) == ["old-beta"]
    assert (related_slugs("alpha"), related_slugs("gamma")) == (["beta"], ["alpha", "beta"])
    assert client.get("/faq/old-beta/")["Location"] == "/faq/beta/"
    assert "link to 'beta' put back" in FAQ.history.filter(slug="alpha").latest().history_change_reason
    assert "Nothing has been deleted." in staff.get("/admin/faq/faq/deleted/").content.decode()
    code, out, _ = load(loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")


def test_restoring_a_fact_renders_the_answers_that_use_it_again(loaded, staff):
    fact = Fact.objects.get(key="weekly-hours")
    first = fact.history.latest()
    response = staff.post(
        f"/admin/faq/fact/{fact.pk}/change/",
        {"key": "weekly-hours", "label": "Hours", "value": "12 hours", "order": 1, "body": ""},
    )
    assert response.status_code == 302
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 12 hours.</p>\n"
    restore(staff, "fact", fact.pk, first)
    assert Fact.objects.get(pk=fact.pk).value == "9 to 19 hours a week"
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 9 to 19 hours a week.</p>\n"
    assert Fact.history.filter(id=fact.pk).latest().history_user.username == "admin"


def test_a_restore_says_what_it_could_not_put_back(loaded, staff):
    gamma = FAQ.objects.get(slug="gamma")
    first = gamma.history.latest()
    FAQ.objects.get(slug="beta").delete()
    response = restore(staff, "faq", gamma.pk, first)
    messages = [str(m) for m in staff.get(response["Location"]).context["messages"]]
    assert "Not restored: related FAQ 'beta' does not exist any more." in messages
    assert related_slugs("gamma") == ["alpha"]


def test_history_pages_are_for_staff_only(loaded, client):
    pk = FAQ.objects.get(slug="gamma").pk
    for path in (f"/admin/faq/faq/{pk}/history/", "/admin/faq/faq/deleted/", "/admin/faq/topic/deleted/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_topic_deleted_in_the_admin_is_restored(loaded, staff):
    topic = Topic.objects.create(slug="costs", title="Costs", description="Money.", order=5)
    assert staff.post(f"/admin/faq/topic/{topic.pk}/delete/", {"post": "yes"}).status_code == 302
    assert "Costs" in staff.get("/admin/faq/topic/deleted/").content.decode()
    restore(staff, "topic", topic.pk, Topic.history.get(id=topic.pk, history_type="-"))
    assert Topic.objects.get(pk=topic.pk).title == "Costs"
