"""In Chromium, what readers and staff do: follow questions from the home page and back, search; and the clinical
sign-off: an editor changes the crisis answer, readers keep the approved one until a reviewer approves it, a change
sent back, a file load that waits for review, the overdue list. Screenshots go to artifacts/screenshots/ (not
committed)."""

import datetime
import io
import json
import re
import shutil

import pytest
from django.core.management import call_command
from django.utils import timezone

from faq.editors import EDITOR_GROUP, REVIEWER_GROUP
from faq.models import FAQ
from tests.admin_forms import PASSWORD, make_user
from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEDICARE = "does-medicare-cover-an-intensive-outpatient-program"
CRISIS = "what-should-i-do-in-a-crisis"
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


# --- clinical sign-off ---------------------------------------------------------------------------------------


@pytest.fixture
def clinic(real_content):
    """An editor (Erin Walsh) and a clinical reviewer (Dana Ortiz, LCSW), and the crisis answer."""
    make_user("erin", group=EDITOR_GROUP, full_name="Erin Walsh")
    make_user("dana", group=REVIEWER_GROUP, full_name="Dana Ortiz", reviewer_name="Dana Ortiz, LCSW")
    return real_content.get(slug=CRISIS)


def log_in(open_page, username):
    page, recorded = open_page()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page, recorded


def change_answer(page, faq, sentence):
    """From the admin's home page, find the answer in the list, add a sentence, watch the preview, save."""
    page.get_by_role("main").get_by_role("link", name="FAQs", exact=True).click()
    page.get_by_role("link", name=faq.question, exact=True).click()
    page.wait_for_url(f"**/admin/faq/faq/{faq.pk}/change/")
    body = page.locator("#id_body")
    body.fill(body.input_value() + f"\n\n{sentence}")
    page.locator(".markdownx-preview p", has_text=sentence).wait_for()
    assert "Reading grade" in page.locator(".preview-grade").inner_text()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/faq/revision/*/change/")
    assert "Saved for review" in page.locator(".messagelist").inner_text()


def open_from_the_queue(page, faq):
    page.goto("/admin/")
    page.get_by_role("link", name="Changes waiting for review").first.click()
    page.wait_for_url("**/admin/faq/revision/")
    assert h1(page) == "Changes waiting for review"
    page.locator("#result_list tbody a", has_text=faq.question).click()
    page.wait_for_url("**/admin/faq/revision/*/change/**")


def structured_data(page):
    blocks = page.locator('script[type="application/ld+json"]').all_text_contents()
    return [json.loads(block) for block in blocks]


def test_a_change_to_the_crisis_answer_reaches_readers_only_once_a_clinical_reviewer_approves_it(open_page, clinic):
    crisis, added = clinic, "If you are deaf or hard of hearing, you can text 988."
    editor, editor_saw = log_in(open_page, "erin")
    change_answer(editor, crisis, added)

    reader, reader_saw = open_page()
    reader.goto(crisis.get_absolute_url())
    assert h1(reader) == crisis.question
    assert reader.get_by_text(added).count() == 0
    editor.goto(crisis.get_absolute_url())  # staff see the waiting version, marked
    assert "Waiting for review" in editor.get_by_role("status").inner_text()
    assert editor.locator(".prose", has_text=added).is_visible()

    reviewer, reviewer_saw = log_in(open_page, "dana")
    open_from_the_queue(reviewer, crisis)
    assert reviewer.locator(".review-diff ins", has_text=added).first.is_visible()
    after = reviewer.get_by_role("region", name="With this change")
    assert after.locator("p", has_text=added).is_visible()  # rendered as readers see it, not as HTML source
    assert "<p>" not in after.inner_text()
    assert reviewer.get_by_role("region", name="Approved now").get_by_text(added).count() == 0
    reviewer.get_by_label("Note (optional; kept in the history)").fill("Checked against 988's own guidance.")
    reviewer.get_by_role("button", name="Approve and publish").click()
    reviewer.wait_for_url("**/admin/faq/revision/")
    assert "Approved and published" in reviewer.locator(".messagelist").inner_text()

    reader.reload()
    assert reader.locator(".prose", has_text=added).is_visible()
    today = timezone.localdate()
    assert (
        reader.locator(".reviewed")
        .inner_text()
        .startswith(f"Reviewed by Dana Ortiz, LCSW, on {today.day} {today:%B %Y}.")
    )
    [page_data] = [block for block in structured_data(reader) if block.get("@type") == "FAQPage"] or [
        structured_data(reader)[0]
    ]
    assert '"reviewedBy": {"@type": "Person", "name": "Dana Ortiz", "jobTitle": "LCSW"}' in json.dumps(page_data)
    assert editor_saw.problems() == reader_saw.problems() == reviewer_saw.problems() == []


def test_a_reviewer_sends_a_change_back_and_the_editor_reads_why_on_the_answer(open_page, clinic):
    crisis, added = clinic, "Our phone line is a crisis line too."
    editor, editor_saw = log_in(open_page, "erin")
    change_answer(editor, crisis, added)

    reviewer, reviewer_saw = log_in(open_page, "dana")
    open_from_the_queue(reviewer, crisis)
    comment = "Our phone line is not a crisis line: readers in danger must call 988 or 911. Please take this out."
    reviewer.get_by_label("Why it goes back").fill(comment)
    reviewer.get_by_role("button", name="Send back").click()
    reviewer.wait_for_url("**/admin/faq/revision/")
    assert reviewer.locator("#result_list tbody a", has_text=crisis.question).count() == 0  # no longer waiting

    editor.goto("/admin/")
    editor.get_by_role("main").get_by_role("link", name="FAQs", exact=True).click()
    row = editor.locator("#result_list tbody tr", has_text=crisis.question)
    assert "Sent back" in row.inner_text()
    row.get_by_role("link", name=crisis.question).click()
    banner = editor.locator(".signoff-banner")
    assert banner.inner_text().startswith("Sent back by Dana Ortiz, LCSW on ")
    assert comment in banner.inner_text()
    assert added in editor.locator("#id_body").input_value()  # the change is kept for the editor to fix

    reader, _ = open_page()
    reader.goto(crisis.get_absolute_url())
    assert reader.get_by_text(added).count() == 0
    assert editor_saw.problems() == reviewer_saw.problems() == []


def test_a_file_whose_answer_changed_but_not_its_review_stamp_waits_in_the_queue(open_page, clinic, settings, tmp_path):
    crisis, added = clinic, "A sentence written in the file."
    copy = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, copy)
    path = copy / "faqs" / f"{CRISIS}.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{added}\n", encoding="utf-8")
    out = io.StringIO()
    call_command("load_content", path=copy, stdout=out)
    assert (
        f"waiting for review (the public page keeps the approved version until a reviewer approves): FAQ {CRISIS}"
        in (out.getvalue())
    )

    reviewer, reviewer_saw = log_in(open_page, "dana")
    open_from_the_queue(reviewer, crisis)
    facts = reviewer.locator(".review-facts").inner_text()
    assert f"Loaded from a file content/faqs/{CRISIS}.md by load_content" in facts
    assert reviewer.locator(".review-diff ins", has_text=added).first.is_visible()
    reader, _ = open_page()
    reader.goto(crisis.get_absolute_url())
    assert reader.get_by_text(added).count() == 0
    assert reviewer_saw.problems() == []


def test_an_overdue_answer_is_on_the_due_list_and_opens_for_review(open_page, clinic):
    overdue = FAQ.objects.published().filter(language="en").exclude(slug=CRISIS).order_by("slug").first()
    reviewed = timezone.localdate() - datetime.timedelta(days=800)
    FAQ.objects.filter(pk=overdue.pk).update(reviewed=reviewed, review_months=12)
    FAQ.objects.exclude(pk=overdue.pk).update(reviewed=timezone.localdate())  # nothing else due
    overdue.refresh_from_db()

    reviewer, reviewer_saw = log_in(open_page, "dana")
    home = reviewer.locator(".staff-home").inner_text()
    assert "Answers due for review: 1 overdue, 0 due within 30 days" in home
    reviewer.get_by_role("link", name="Answers due for review").click()
    reviewer.wait_for_url("**/admin/faq/faq/due/")
    assert reviewer.get_by_role("heading", name="Overdue (1)").is_visible()
    row = reviewer.get_by_role("table", name="Overdue (1)").locator("tbody tr")
    due = overdue.review_due
    assert row.count() == 1
    assert row.inner_text().split("\t")[:2] == [overdue.question, f"{due.day} {due:%B %Y}"]
    row.get_by_role("link", name=overdue.question, exact=True).click()
    reviewer.wait_for_url(f"**/admin/faq/faq/{overdue.pk}/change/")

    # It needs no change: the reviewer confirms it is still right, from the answer's page.
    reviewer.get_by_role("link", name="Confirm it is still right").click()
    reviewer.wait_for_url(f"**/admin/faq/faq/{overdue.pk}/confirm-review/")
    reviewer.get_by_label("Note (optional)").fill("Read against Medicare.gov again.")
    reviewer.get_by_role("button", name="Confirm: still right, reviewed today").click()
    reviewer.wait_for_url("**/admin/faq/faq/due/")
    assert "reviewed today" in reviewer.locator(".messagelist").inner_text()
    assert reviewer.get_by_role("heading", name="Overdue (0)").is_visible()
    reader, _ = open_page()
    reader.goto(overdue.get_absolute_url())
    today = timezone.localdate()
    assert f"Reviewed by Dana Ortiz, LCSW, on {today.day} {today:%B %Y}." in reader.locator(".reviewed").inner_text()
    assert reviewer_saw.problems() == []


# --- Spanish --------------------------------------------------------------------------------------------------

MEDICARE_ES = "cubre-medicare-el-programa"


def test_a_spanish_reader_goes_from_home_to_search_to_the_medicare_answer_with_the_crisis_routes_always_there(
    open_page, real_content
):
    page, recorded = open_page()
    page.goto("/")
    page.get_by_role("link", name="En español").click()
    page.wait_for_url("**/es/")
    assert page.locator("html").get_attribute("lang") == "es"
    crisis_on_home = page.get_by_role("complementary", name="Ayuda en una crisis").inner_text()
    assert "oprima 2" in crisis_on_home and "AYUDA" in crisis_on_home

    page.get_by_role("search", name="Buscar en el sitio").get_by_label("Buscar en las preguntas").fill("Medicare")
    page.get_by_role("search", name="Buscar en el sitio").get_by_role("button", name="Buscar").click()
    page.wait_for_url("**/es/buscar/?q=Medicare")
    answer = real_content.get(slug=MEDICARE_ES, language="es")
    results = page.locator(".search-results")
    assert results.get_by_role("link", name=answer.question).is_visible()
    assert results.locator("a[href^='/faq/']").count() == 0  # Spanish answers only
    results.get_by_role("link", name=answer.question).click()
    page.wait_for_url(f"**/es/preguntas/{MEDICARE_ES}/")
    assert h1(page) == answer.question

    banner = page.get_by_role("complementary", name="Ayuda en una crisis")
    assert banner.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]  # first, as on every page
    text = banner.inner_text()
    assert "Llame al 988 y oprima 2" in text and "AYUDA" in text and "911" in text
    assert banner.get_by_role("link", name="988", exact=True).get_attribute("href") == "tel:988"

    page.get_by_role("link", name="In English", exact=True).click()
    page.wait_for_url(f"**/faq/{MEDICARE}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert recorded.problems() == []


def test_a_writer_changes_an_english_answer_and_its_spanish_translation_is_marked_behind(open_page, clinic):
    english = FAQ.objects.get(slug=MEDICARE, language="en")
    spanish = FAQ.objects.get(language="es", translation_of=english)
    added = "Ask your plan what you will pay before you start."
    editor, editor_saw = log_in(open_page, "erin")
    change_answer(editor, english, added)
    reviewer, reviewer_saw = log_in(open_page, "dana")
    open_from_the_queue(reviewer, english)
    reviewer.get_by_role("button", name="Approve and publish").click()
    reviewer.wait_for_url("**/admin/faq/revision/")

    reader, reader_saw = open_page()
    reader.goto(spanish.get_absolute_url())
    note = reader.get_by_role("note")
    assert "La versión en inglés de esta respuesta cambió" in note.inner_text()
    note.get_by_role("link", name="Lea la respuesta actualizada en inglés").click()
    reader.wait_for_url(f"**/faq/{MEDICARE}/")
    assert reader.locator(".prose", has_text=added).is_visible()

    editor.goto("/admin/faq/faq/?translation=behind")
    rows = editor.locator("#result_list tbody tr")
    assert rows.count() == 1 and spanish.question in rows.inner_text() and "Behind the English" in rows.inner_text()
    rows.get_by_role("link", name=spanish.question).click()
    assert "behind the English" in editor.locator(".translation-notes").inner_text()
    assert editor_saw.problems() == reviewer_saw.problems() == reader_saw.problems() == []


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
