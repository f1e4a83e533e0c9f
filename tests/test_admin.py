import pytest
from django.contrib.auth.models import User
from django.test import Client

from faq.models import FAQ, Alias, Fact


@pytest.fixture
def staff(db):
    user = User.objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def change_form_data(faq, **overrides):
    data = {
        "question": faq.question,
        "slug": faq.slug,
        "summary": faq.summary,
        "topic": faq.topic_id,
        "status": faq.status,
        "order": faq.order,
        "body": faq.body,
        "reviewed": faq.reviewed.isoformat(),
        "reviewer": faq.reviewer,
        "sources": "NIMH | https://www.nimh.nih.gov/",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_edit_changes_the_public_page_at_once(staff, client, make_faq):
    faq = make_faq("editable")
    response = staff.post(f"/admin/faq/faq/{faq.pk}/change/", change_form_data(faq, body="A **new** answer."))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    html = client.get("/faq/editable/").content.decode()
    assert "<p>A <strong>new</strong> answer.</p>" in html
    assert '<a href="https://www.nimh.nih.gov/">NIMH</a>' in html


def test_admin_slug_change_keeps_the_old_address_as_a_redirect(staff, client, make_faq):
    faq = make_faq("old-slug")
    staff.post(f"/admin/faq/faq/{faq.pk}/change/", change_form_data(faq, slug="new-slug"))
    assert Alias.objects.get(slug="old-slug").faq_id == faq.pk
    response = client.get("/faq/old-slug/")
    assert (response.status_code, response["Location"]) == (301, "/faq/new-slug/")


def test_admin_rejects_an_unknown_fact_token_with_a_form_error(staff, make_faq):
    faq = make_faq("x")
    response = staff.post(f"/admin/faq/faq/{faq.pk}/change/", change_form_data(faq, body="{{ fact:nope }}"))
    assert response.status_code == 200
    assert "unknown fact" in str(response.context["adminform"].form.errors["body"])


def test_admin_rejects_sources_without_https(staff, make_faq):
    faq = make_faq("x")
    response = staff.post(f"/admin/faq/faq/{faq.pk}/change/", change_form_data(faq, sources="Site | http://a.example"))
    assert "must start with https://" in str(response.context["adminform"].form.errors["sources"])


def test_fact_value_change_in_admin_rerenders_answers(fact, make_faq):
    hours = fact("hours", "9 hours")
    faq = make_faq("uses-fact", body="About {{ fact:hours }}.")
    hours.value = "12 hours"
    hours.save()
    faq.refresh_from_db()
    assert faq.body_html == "<p>About 12 hours.</p>\n"


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
    assert response.content.decode().startswith("<p><strong>9 hours</strong> &lt;script&gt;")


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


def test_fact_key_in_use_cannot_be_renamed(staff, fact, make_faq):
    hours = fact("hours", "9 hours")
    make_faq("uses", body="{{ fact:hours }}")
    response = staff.post(
        f"/admin/faq/fact/{hours.pk}/change/",
        {"key": "weekly", "label": "Hours", "value": "9 hours", "order": 0, "body": ""},
    )
    assert "change them first" in str(response.context["adminform"].form.errors["key"])
    assert Fact.objects.get(pk=hours.pk).key == "hours"
    assert FAQ.objects.get(slug="uses").body_html == "<p>9 hours</p>\n"
