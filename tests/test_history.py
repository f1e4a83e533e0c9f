"""History and undo: every change is kept with who made it and why; staff can restore any version, and a restore
is a change like any other (it waits for a clinical reviewer)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from faq.models import FAQ, Fact, Revision, SiteInfo, Topic
from tests.admin_forms import approve, ids, post_change, saved
from tests.conftest import SOURCE_AND_REVIEWER, faq_text


def load(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_content", *args, path=path, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def related_slugs(slug):
    return list(FAQ.objects.get(slug=slug).related_links.values_list("target__slug", flat=True))


def restore(staff, model_name, pk, version):
    """Open a version from the History page and press Revert, posting the form exactly as it is shown."""
    page = staff.get(f"/admin/faq/{model_name}/{pk}/history/{version.history_id}/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if value is not None:
            data[field.html_name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else value
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
    changed = faq_text("gamma", related=["beta"], body="New.", extra="aliases:\n- old-gamma\n", reviewed="2026-02-01")
    write("faqs/gamma.md", changed)
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


def test_an_approved_admin_edit_records_the_approval_and_the_links_as_saved(site_loaded, staff):
    gamma = FAQ.objects.get(slug="gamma")
    saved(post_change(staff, gamma, body="Edited in the admin.", related=ids("beta", "alpha")))
    approve(staff, note="Checked against NIMH.")
    latest = FAQ.history.filter(slug="gamma").latest()
    assert (latest.history_user.username, latest.body) == ("admin", "Edited in the admin.")
    assert latest.history_change_reason == "approved by Dana Ortiz, LCSW"
    assert latest.links == {"related": ["beta", "alpha"], "aliases": []}
    page = staff.get(f"/admin/faq/faq/{gamma.pk}/history/").content.decode()
    assert "Approved and published" in page and "Checked against NIMH." in page


def test_staff_restore_an_admin_edit_that_a_forced_load_replaced(site_loaded, write, staff):
    gamma = FAQ.objects.get(slug="gamma")
    saved(post_change(staff, gamma, body="Edited in the admin.", related=ids("beta", "alpha")))
    approve(staff)
    admin_version = FAQ.history.filter(id=gamma.pk).latest()
    other_reviewer = SOURCE_AND_REVIEWER.replace("Dana Ortiz, LCSW", "Sam Lee, PsyD")
    today = timezone.localdate().isoformat()  # a new review stamp: the same day as the approval, another reviewer
    file_version = faq_text(
        "gamma", related=["alpha", "beta"], body="Edited in the file.", extra=other_reviewer, reviewed=today
    )
    write("faqs/gamma.md", file_version)
    assert load(site_loaded)[0] == 3
    assert load(site_loaded, "--force", "gamma")[0] == 0
    assert FAQ.objects.get(pk=gamma.pk).body == "Edited in the file."
    forced = FAQ.history.filter(id=gamma.pk).latest()
    assert forced.history_change_reason == "load_content --force (replaced an admin edit)"

    history_page = staff.get(f"/admin/faq/faq/{gamma.pk}/history/").content.decode()
    assert "load_content --force (replaced an admin edit)" in history_page
    assert "related: beta, alpha; earlier addresses: none" in history_page
    assert "fingerprint" not in history_page.lower()
    restore(staff, "faq", gamma.pk, admin_version)
    assert FAQ.objects.get(pk=gamma.pk).body == "Edited in the file."  # a restore waits for review too
    revision = Revision.objects.pending().get()
    assert revision.origin.startswith("a restore of the version of ")
    approve(staff, revision)

    restored = FAQ.objects.get(pk=gamma.pk)
    assert (restored.body, restored.body_html) == ("Edited in the admin.", "<p>Edited in the admin.</p>\n")
    assert related_slugs("gamma") == ["beta", "alpha"]
    code, out, _ = load(site_loaded)
    assert code == 0
    assert "kept admin edit (file unchanged since the last load): FAQ gamma" in out
    assert FAQ.objects.get(pk=gamma.pk).body == "Edited in the admin."


@pytest.fixture
def with_delta(site_loaded, write):
    """A fourth FAQ that alpha lists last, so it can be deleted without leaving any page short of links."""
    alpha = faq_text(
        "alpha", related=["beta", "gamma", "delta"], body="Alpha takes {{ fact:weekly-hours }}.",
        extra=SOURCE_AND_REVIEWER, reviewed="2026-11-21",
    )  # fmt: skip
    write("faqs/alpha.md", alpha)
    delta = faq_text(
        "delta", related=["alpha", "beta"], extra=SOURCE_AND_REVIEWER + "aliases:\n- old-delta\n", reviewed="2026-11-21"
    )
    write("faqs/delta.md", delta)
    assert load(site_loaded)[0] == 0
    return site_loaded


def test_a_deleted_faq_is_restored_with_its_links_after_review(with_delta, staff, client):
    delta = FAQ.objects.get(slug="delta")
    assert staff.post(f"/admin/faq/faq/{delta.pk}/delete/", {"post": "yes"}).status_code == 302
    assert FAQ.objects.filter(pk=delta.pk).exists()  # deleting a public answer waits for review
    approve(staff)
    assert not FAQ.objects.filter(pk=delta.pk).exists()
    assert related_slugs("alpha") == ["beta", "gamma"]

    deleted_page = staff.get("/admin/faq/faq/deleted/").content.decode()
    assert f'href="/admin/faq/faq/{delta.pk}/history/"' in deleted_page
    deletion = FAQ.history.get(id=delta.pk, history_type="-")
    assert deletion.history_change_reason == "deleted, approved by Dana Ortiz, LCSW"
    restore(staff, "faq", delta.pk, deletion)
    approve(staff)

    restored = FAQ.objects.get(pk=delta.pk)
    assert (restored.slug, restored.body) == ("delta", "An answer.")
    assert related_slugs("delta") == ["alpha", "beta"]
    assert list(restored.aliases.values_list("slug", flat=True)) == ["old-delta"]
    assert related_slugs("alpha") == ["beta", "gamma", "delta"]
    assert client.get("/faq/old-delta/")["Location"] == "/faq/delta/"
    assert "Nothing has been deleted." in staff.get("/admin/faq/faq/deleted/").content.decode()


def test_deleting_an_faq_that_other_pages_need_is_refused_with_the_reason(site_loaded, staff):
    beta = FAQ.objects.get(slug="beta")
    response = staff.post(f"/admin/faq/faq/{beta.pk}/delete/", {"post": "yes"}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Not deleted: “What is alpha?” would list fewer than 2 related FAQs; add another")
    assert "“What is gamma?” would list fewer than 2 related FAQs" in message
    assert FAQ.objects.filter(pk=beta.pk).exists() and not Revision.objects.exists()


def test_restoring_a_fact_renders_the_answers_that_use_it_again(site_loaded, staff):
    fact = Fact.objects.get(key="weekly-hours")
    first = fact.history.latest()
    saved(post_change(staff, fact, value="12 hours"))
    approve(staff)
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 12 hours.</p>\n"
    restore(staff, "fact", fact.pk, first)
    approve(staff)
    assert Fact.objects.get(pk=fact.pk).value == "9 to 19 hours a week"
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 9 to 19 hours a week.</p>\n"
    assert Fact.history.filter(id=fact.pk).latest().history_user.username == "admin"


def test_a_restore_that_would_break_the_site_is_refused_with_the_reason(with_delta, staff):
    gamma = FAQ.objects.get(slug="gamma")
    saved(post_change(staff, gamma, related=ids("alpha", "beta", "delta")))  # where it is listed: saved at once
    with_delta_version = gamma.history.latest()
    delta = FAQ.objects.get(slug="delta")
    staff.post(f"/admin/faq/faq/{delta.pk}/delete/", {"post": "yes"})
    approve(staff)
    page = staff.get(f"/admin/faq/faq/{gamma.pk}/history/{with_delta_version.history_id}/")
    assert "This version listed related FAQs that no longer exist: delta." in page.content.decode()
    form = page.context["adminform"].form
    data = {f.html_name: ([str(v) for v in f.value()] if isinstance(f.value(), list) else f.value()) for f in form}
    data = {name: value for name, value in data.items() if value is not None}
    data["related"] = ids("alpha", "beta") + ["999999"]  # the version listed delta, which is gone
    response = staff.post(f"/admin/faq/faq/{gamma.pk}/history/{with_delta_version.history_id}/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["related"])
    assert not Revision.objects.pending().exists()


def test_history_pages_are_for_staff_only(loaded, client):
    pk = FAQ.objects.get(slug="gamma").pk
    for path in (f"/admin/faq/faq/{pk}/history/", "/admin/faq/faq/deleted/", "/admin/faq/topic/deleted/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_topic_deleted_in_the_admin_is_restored(site_loaded, staff):
    topic = Topic.objects.create(slug="costs", title="Costs", description="Money.", order=5)
    assert staff.post(f"/admin/faq/topic/{topic.pk}/delete/", {"post": "yes"}).status_code == 302
    approve(staff)
    assert "Costs" in staff.get("/admin/faq/topic/deleted/").content.decode()
    restore(staff, "topic", topic.pk, Topic.history.get(id=topic.pk, history_type="-"))
    approve(staff)
    assert Topic.objects.get(pk=topic.pk).title == "Costs"
