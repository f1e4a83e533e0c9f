"""In Chromium, what readers and staff do: follow questions from the home page and back, search, edit an answer
with the live preview and see the public page change. Screenshots go to artifacts/screenshots/ (not committed)."""

import re

import pytest
from django.contrib.auth.models import User

from faq.models import FAQ
from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
MEDICARE = "does-medicare-cover-an-intensive-outpatient-program"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# Pages to photograph, by name. Search joins this list with issue 5: ("search", "/search/?q=medicare").
SCREENSHOT_PAGES = [("home", "/"), ("faq", f"/faq/{MEDICARE}/"), ("index", "/faq/"), ("search", "/search/?q=medicare")]
SIZES = [(375, 812), (1280, 800)]


def h1(page):
    return page.locator("h1").inner_text()


def test_reader_goes_from_home_to_a_question_to_a_related_one_and_back(open_page, real_content):
    page, recorded = open_page()
    page.goto("/")
    first = real_content.get(slug="what-is-an-intensive-outpatient-program")
    page.get_by_role("main").get_by_role("link", name=first.question, exact=True).click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert h1(page) == first.question

    related = page.get_by_role("region", name="Related FAQs").get_by_role("link").first
    related_question, related_href = related.inner_text(), related.get_attribute("href")
    related.click()
    page.wait_for_url(f"**{related_href}")
    assert h1(page) == related_question
    assert FAQ.objects.published().filter(question=related_question).exists()

    page.go_back()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert h1(page) == first.question
    page.go_back()
    assert h1(page) == "Intensive outpatient care for adults"
    assert recorded.problems() == []


def test_reader_arriving_at_a_topic_address_sees_that_topic_open(open_page, real_content):
    page, _ = open_page()
    page.goto(f"/faq/{MEDICARE}/")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Costs and coverage").click()
    page.wait_for_url("**/faq/#costs")
    opened = page.locator("section:has(details[open]) h2").all_inner_texts()
    assert opened == ["Costs and coverage"]
    assert page.locator("details:not([open])").count() >= 3
    assert page.get_by_role("link", name="Does Medicare cover an intensive outpatient program?").is_visible()


def test_reader_searches_and_reaches_the_answer(open_page, real_content):
    page, recorded = open_page()
    response = page.goto("/search/?q=medicare")
    assert response.status == 200
    page.get_by_role("main").get_by_role("link", name=re.compile("Does Medicare cover")).first.click()
    page.wait_for_url(f"**/faq/{MEDICARE}/")
    assert h1(page) == "Does Medicare cover an intensive outpatient program?"
    assert recorded.problems() == []


def test_editor_changes_an_answer_sees_the_preview_and_the_public_page_changes(open_page, real_content):
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    faq = real_content.get(slug=MEDICARE)
    page, recorded = open_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.get_by_role("link", name="FAQs").first.click()
    page.get_by_role("link", name=faq.question).click()
    page.wait_for_url(f"**/admin/faq/faq/{faq.pk}/change/")
    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n\nAsk us about **Medicare Advantage plans** when you call.")
    preview = page.locator(".markdownx-preview")
    preview.locator("strong", has_text="Medicare Advantage plans").wait_for()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/faq/faq/")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(faq.get_absolute_url())
    assert page.locator(".prose strong", has_text="Medicare Advantage plans").is_visible()
    assert recorded.problems() == []


@pytest.mark.parametrize("width, height", SIZES)
def test_screenshots_at_phone_and_desktop_sizes(open_page, real_content, width, height):
    """Saved for people to look at (light and dark); the page must also fit the screen's width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, recorded = open_page()
    page.set_viewport_size({"width": width, "height": height})
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        for name, path in SCREENSHOT_PAGES:
            page.goto(path)
            target = SCREENSHOTS / f"{name}-{width}x{height}-{scheme}.png"
            page.screenshot(path=target, full_page=True)
            assert target.stat().st_size > 10_000
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert recorded.problems() == []


def test_a_printed_answer_has_no_navigation_and_writes_out_where_links_go(open_page, real_content):
    page, _ = open_page()
    page.goto(f"/faq/{MEDICARE}/")
    page.emulate_media(media="print")
    assert page.get_by_role("navigation", name="Main").is_hidden()
    assert page.get_by_role("navigation", name="Breadcrumb").is_hidden()
    assert page.get_by_role("region", name="Related FAQs").is_hidden()
    written_out = page.evaluate(
        "() => [...document.querySelectorAll('main a')].map((a) => getComputedStyle(a, '::after').content)"
    )
    assert '" (" attr(href) ")"' not in written_out  # computed, not the declaration
    assert any("https://www.medicare.gov" in text for text in written_out), written_out
    assert page.get_by_text(f"This page: https://iop.example.org/faq/{MEDICARE}/").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "faq-print.png", full_page=True)
