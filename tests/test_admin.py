"""The staff admin: forms built from each kind's definition, the live preview, and what the admin refuses."""

import pytest
from django.contrib.auth.models import User

from faq.models import FAQ, Alias, Fact, Revision
from tests.admin_forms import approve, form_errors, post_change, saved


def test_an_edit_to_a_published_answer_waits_for_review_then_shows_with_the_reviewers_name(staff, client, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    saved(post_change(staff, faq, body="A **new** answer.", sources="NIMH | https://www.nimh.nih.gov/"))
    html = client.get("/faq/gamma/").content.decode()
    assert "A <strong>new</strong> answer." not in html
    assert "An answer." in html
    approve(staff)
    html = client.get("/faq/gamma/").content.decode()
    assert "<p>A <strong>new</strong> answer.</p>" in html
    assert '<a href="https://www.nimh.nih.gov/">NIMH</a>' in html
    assert "Reviewed by Dana Ortiz, LCSW, on" in html


def test_admin_slug_change_keeps_the_old_address_as_a_redirect(staff, client, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    saved(post_change(staff, faq, slug="new-slug"))
    approve(staff)
    assert Alias.objects.get(slug="gamma").faq_id == faq.pk
    response = client.get("/faq/gamma/")
    assert (response.status_code, response["Location"]) == (301, "/faq/new-slug/")


def test_admin_rejects_an_unknown_fact_token_with_a_form_error(staff, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    response = post_change(staff, faq, body="{{ fact:nope }}")
    assert response.status_code == 200
    assert "Line 1: unknown fact 'nope' in {{ fact:nope }}" in str(form_errors(response)["body"])


def test_admin_rejects_sources_without_https(staff, site_loaded):
    faq = FAQ.objects.get(slug="gamma")
    response = post_change(staff, faq, sources="Site | http://a.example")
    assert "source 1 (http://a.example) is not https" in str(form_errors(response)["sources"]).lower()


def test_an_approved_fact_change_renders_every_answer_that_uses_it_again(staff, site_loaded):
    saved(post_change(staff, Fact.objects.get(key="weekly-hours"), value="12 hours a week"))
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 9 to 19 hours a week.</p>\n"
    approve(staff)
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 12 hours a week.</p>\n"


def test_faq_list_and_edit_pages_load(staff, make_faq):
    faq = make_faq("x")
    assert staff.get("/admin/faq/faq/").status_code == 200
    page = staff.get(f"/admin/faq/faq/{faq.pk}/change/").content.decode()
    assert 'data-markdownx-urls-path="/staff/markdown/preview/"' in page
    assert "View on site" in page


def test_preview_renders_with_the_sanitising_renderer(staff, fact):
    fact("hours", "9 hours")
    response = staff.post("/staff/markdown/preview/", {"content": "**{{ fact:hours }}** <script>x()</script>"})
    assert response.status_code == 200
    assert "<p><strong>9 hours</strong> &lt;script&gt;" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_preview_shows_the_reading_grade_and_names_the_hardest_sentence(staff):
    easy = "You come to a group. A kind person leads it. You talk and you listen. You can go home each day."
    hard = (
        "Comprehensive multidisciplinary psychotherapeutic interventions demonstrate considerable effectiveness "
        "overall."
    )
    html = staff.post("/staff/markdown/preview/", {"content": f"{easy}\n\n{hard}"}).content.decode()
    assert "Reading grade" in html and "Too hard" in html
    assert "Line 3: “Comprehensive multidisciplinary" in html
    html = staff.post("/staff/markdown/preview/", {"content": easy + " " + easy}).content.decode()
    assert "Good." in html


def test_preview_refuses_anonymous_users(client, db):
    response = client.post("/staff/markdown/preview/", {"content": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_preview_refuses_logged_in_non_staff(client, db):
    client.force_login(User.objects.create_user("reader", password="pw-for-tests-only"))
    assert client.post("/staff/markdown/preview/", {"content": "x"}).status_code == 302


def test_preview_bounds_input_size(staff, settings):
    settings.MARKDOWN_PREVIEW_MAX_CHARS = 100
    response = staff.post("/staff/markdown/preview/", {"content": "[" * 101})
    assert "longer than 100 characters" in response.content.decode()


def test_image_upload_is_off(staff, client):
    assert client.post("/staff/markdown/upload/").status_code == 302
    assert staff.post("/staff/markdown/upload/").status_code == 403


def test_markdownx_own_open_endpoints_are_not_mounted(client, db):
    assert client.post("/markdownx/markdownify/", {"content": "x"}).status_code == 404
    assert client.post("/markdownx/upload/").status_code == 404


def test_fact_key_in_use_cannot_be_renamed(staff, site_loaded):
    hours = Fact.objects.get(key="weekly-hours")
    response = post_change(staff, hours, key="weekly")
    assert "change them first: “What is alpha?”" in str(form_errors(response)["key"])
    assert Fact.objects.get(pk=hours.pk).key == "weekly-hours"
    assert not Revision.objects.exists()


@pytest.mark.parametrize("path", ["/admin/faq/faq/", "/admin/faq/revision/", "/admin/faq/faq/due/"])
def test_editor_and_reviewer_can_open_the_staff_lists(editor, reviewer, path):
    assert editor.get(path).status_code == 200
    assert reviewer.get(path).status_code == 200
