"""In Chromium: no page, public or admin, breaks its Content-Security-Policy, and the XSS corpus runs no script."""

import datetime

import pytest
from django.contrib.auth.models import User

from faq.models import FAQ, Fact, SiteInfo, Topic
from tests.xss_corpus import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def site(transactional_db):
    topic = Topic.objects.create(slug="basics", title="Basics", description="The basics.", order=1)
    Fact.objects.create(key="hours", label="Hours", value="9 to 19 hours a week")
    SiteInfo.objects.create(name="Test Program", phone="(617) 555-0142", address="1 Test St", hours="Weekdays")
    faq = FAQ.objects.create(
        question="What is an IOP?", slug="what-is-an-iop", summary="A short answer.", topic=topic,
        reviewed=datetime.date(2026, 1, 1), body="It takes {{ fact:hours }}.",
    )  # fmt: skip
    FAQ.objects.create(
        question="Who is it for?", slug="who", summary="Adults.", topic=topic, reviewed=datetime.date(2026, 1, 1),
        body="See [what it is](faq:what-is-an-iop).",
    )  # fmt: skip
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    return faq


def log_in(page):
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_public_pages_break_no_csp_rule_and_load_nothing_from_elsewhere(open_page, site):
    page, recorded = open_page()
    for path in ["/", "/faq/", site.get_absolute_url()]:
        assert page.goto(path).status == 200
    assert page.goto("/faq/no-such-page/").status == 404
    not_found = "Failed to load resource: the server responded with a status of 404 (Not Found)"
    recorded.console_errors.remove(not_found)  # the 404 page itself, as Chromium reports it
    assert recorded.problems() == []
    assert len(recorded.requests) >= 8  # four pages and their stylesheet: the recorder saw them


def test_admin_login_list_and_edit_pages_break_no_csp_rule(open_page, site_loaded):
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    alpha = FAQ.objects.get(slug="alpha")
    page, recorded = open_page()
    log_in(page)
    for path in ["/admin/", "/admin/faq/faq/", "/admin/faq/topic/", "/admin/faq/fact/", "/admin/faq/faq/add/",
                 "/admin/faq/siteinfo/1/change/", "/admin/auth/user/1/change/", "/admin/faq/revision/"]:  # fmt: skip
        page.goto(path)
    page.goto(f"/admin/faq/faq/{alpha.pk}/change/")
    page.fill("#id_body", "A **bold** answer with {{ fact:weekly-hours }}.")
    preview = page.locator(".markdownx-preview strong")
    preview.wait_for()
    assert preview.inner_text() == "bold"
    assert "9 to 19 hours a week" in page.locator(".markdownx-preview").inner_text()
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/faq/revision/*/change/")  # the change waits for a clinician's sign-off
    assert "Saved for review" in page.locator(".messagelist").inner_text()
    assert recorded.problems() == []


@pytest.fixture
def corpus_faq(site):
    """An FAQ whose answer is the whole XSS corpus, saved the way the admin and the loader save it."""
    return FAQ.objects.create(
        question="Corpus?", slug="corpus", summary="Every payload.", topic=site.topic,
        reviewed=datetime.date(2026, 1, 1), body="\n\n".join(PAYLOADS),
    )  # fmt: skip


def script_ran(page):
    return page.evaluate("() => window.__xss !== undefined")


def test_corpus_page_runs_no_script_even_with_csp_switched_off(open_page, corpus_faq):
    """The sanitiser alone must stop every payload: the browser here ignores the CSP header."""
    page, recorded = open_page(bypass_csp=True)
    page.goto(corpus_faq.get_absolute_url())
    page.locator(".prose").hover()
    page.mouse.move(5, 5)
    assert not script_ran(page)
    assert recorded.dialogs == [] and recorded.page_errors == []
    assert recorded.foreign_requests() == []
    unsafe_links = page.evaluate(
        """() => [...document.querySelectorAll(".prose [href], .prose [src]")]
              .map((el) => el.href || el.src)
              .filter((url) => !/^(https:|mailto:|tel:)/.test(url) && !url.startsWith(location.origin))"""
    )
    assert unsafe_links == []


def test_corpus_page_breaks_no_csp_rule(open_page, corpus_faq):
    page, recorded = open_page()
    page.goto(corpus_faq.get_absolute_url())
    assert not script_ran(page)
    assert recorded.problems() == []


def test_unsanitised_html_would_run_and_csp_would_block_it(open_page, corpus_faq):
    """The checks above can fail: store a payload past the sanitiser, and the browser runs or blocks it."""
    FAQ.objects.filter(pk=corpus_faq.pk).update(body_html='<img src="/static/nope.png" onerror="window.__xss=1">')
    page, recorded = open_page(bypass_csp=True)
    page.goto(corpus_faq.get_absolute_url())
    page.wait_for_function("() => window.__xss === 1")
    page, recorded = open_page()
    page.goto(corpus_faq.get_absolute_url())
    page.wait_for_timeout(200)
    assert not script_ran(page)
    assert any(v.startswith("script-src-attr blocked inline") for v in recorded.csp_violations), recorded
