"""The editorial checks (faq/quality.py) and the commands that run them, on small folders written by each test."""

import dataclasses
import datetime
import importlib
import io
import re

import pytest
from django.core.management import call_command

from faq.content import read_tree
from faq.models import FAQ
from faq.quality import WARNING, check, example_identity_values, plain_text, reading_grade
from tests.conftest import REPO, faq_text

TODAY = datetime.date(2026, 11, 28)
SOURCE = "sources:\n- title: NIMH, Psychotherapies\n  url: https://www.nimh.nih.gov/health/topics/psychotherapies\n"
REVIEWER = "reviewer: Dana Ortiz, LCSW\n"
SEARCH = "---\ncrisis_terms:\n- suicide\ncrisis_answer: alpha\n---\n"
SITE = "---\nname: T\nphone: (617) 555-0142\naddress: A\nhours: B\nintake:\n- a\n---\n\n"
LONG_WORDS = (
    "Comprehensive multidisciplinary psychotherapeutic interventions demonstrate considerable effectiveness "
    "regarding generalized anxiety disorders, characteristically accompanied by physiological hyperarousal, "
    "particularly among individuals experiencing concurrent depressive symptomatology."
)


def faq(slug, related, body="You meet with a small group. A therapist leads it.", extra=SOURCE + REVIEWER, **kwargs):
    return faq_text(slug, related=related, body=body, extra=extra, **kwargs)


@pytest.fixture
def good(write, tmp_path):
    """A folder that passes every check: three FAQs, each with two related FAQs and an https source."""
    write("topics/basics.md", "---\nslug: basics\ntitle: Basics\ndescription: The basics.\norder: 1\n---\n")
    write("facts/weekly-hours.md", "---\nkey: weekly-hours\nlabel: Hours\nvalue: 9 to 19 hours a week\norder: 1\n---\n")
    write("faqs/alpha.md", faq("alpha", ["beta", "gamma"], body="You come for {{ fact:weekly-hours }}."))
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"]))
    write("faqs/gamma.md", faq("gamma", ["alpha", "beta"]))
    write("site.md", SITE + "Welcome.\n")
    write("search.md", SEARCH)
    return tmp_path / "content"


def findings(root, today=TODAY):
    return [str(f) for f in check(read_tree(root), today=today)]


def test_a_folder_that_follows_the_rules_has_no_findings(good):
    assert findings(good) == []


# --- reading level ------------------------------------------------------------------------------------------


def test_answer_above_grade_8_is_an_error_that_shows_the_grade(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body=LONG_WORDS))
    [found] = findings(good)
    assert found.startswith("content/faqs/beta.md:17: error: the answer reads at grade ")
    grade = float(found.split("grade ")[1].split(" ")[0])
    assert grade > 8
    assert "by Flesch-Kincaid (limit 8)" in found


def test_grade_error_names_the_hardest_sentence_and_its_line_and_the_hardest_words(good, write):
    easy = "You meet with a small group of people each day. A kind therapist leads the group and helps you."
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body=f"{easy}\n\n{easy}\n\n{LONG_WORDS}"))
    [found] = findings(good)
    assert 'Hardest sentences: line 21 "Comprehensive multidisciplinary' in found
    assert "Plainer words for: " in found and "multidisciplinary" in found.split("Plainer words for: ")[1]


def test_answer_with_plain_grade_but_unfamiliar_words_fails_dale_chall(good, write):
    body = "Rx meds can quell dread. Jot each dose. Log each lapse.\n\nA copay is due. Crave less. Nab a refill."
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body=body))
    [found] = findings(good)
    assert "by Dale-Chall (limit: under 7)" in found
    assert "Flesch-Kincaid" not in found


def test_grade_is_measured_after_facts_are_filled_in(good, write):
    jargon = "comprehensive multidisciplinary psychotherapeutic interventions for generalized anxiety disorders"
    write("facts/jargon.md", f"---\nkey: jargon\nlabel: J\nvalue: {jargon}\norder: 2\n---\n")
    write(
        "faqs/beta.md",
        faq("beta", ["alpha", "gamma"], body="{{ fact:jargon }}, {{ fact:jargon }} and {{ fact:jargon }}."),
    )
    assert any("beta.md:17: error: the answer reads at grade" in f for f in findings(good))


def test_grade_ignores_markdown_link_addresses_and_headings():
    facts = {"hours": "9 to 19 hours a week"}
    body = (
        "## Understanding comprehensive multidisciplinary considerations\n\n"
        "You come for {{ fact:hours }}. Read [more](https://www.nimh.nih.gov/health/topics/psychotherapies).\n\n"
        "- **Groups** help.\n- You talk"
    )
    plain = "You come for 9 to 19 hours a week. Read more. Groups help. You talk."
    assert plain_text(body, facts) == plain
    assert reading_grade(body, facts) == reading_grade(plain, {})


def test_a_number_like_level_2_1_is_not_read_as_two_sentences():
    assert reading_grade("It is Level 2.1 care.", {}) == reading_grade("It is Level 21 care.", {})


def test_site_intro_is_held_to_the_same_reading_level(good, write):
    write("site.md", f"{SITE}{LONG_WORDS}\n")
    assert any(f.startswith("content/site.md:10: error: the text reads at grade") for f in findings(good))


def test_sentence_over_30_words_is_a_warning_at_its_line(good, write):
    long_sentence = " ".join(["we"] * 31) + "."
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body=f"This is short.\nThis is too.\n{long_sentence}"))
    assert findings(good) == [
        'content/faqs/beta.md:19: warning: a sentence has 31 words (over 30): "we we we we we we we we we we we we '
        'we we we we we we we we…"; split it'
    ]


def test_paragraph_over_five_sentences_is_a_warning(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="Go. " * 5 + "\n\nStay. " * 1 + "Rest. " * 5))
    assert findings(good) == [
        "content/faqs/beta.md:19: warning: a paragraph has 6 sentences (over 5); break it up",
    ]


def test_list_items_are_not_one_long_paragraph(good, write):
    items = "\n".join(f"- Item {n} is here. It helps." for n in range(8))
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body=items))
    assert findings(good) == []


# --- fields -------------------------------------------------------------------------------------------------


def test_faq_without_sources_is_an_error(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], extra=REVIEWER))
    assert findings(good) == [
        "content/faqs/beta.md:1: error: no sources; list at least one (title and https url) where a reader can "
        "check the facts"
    ]


def test_source_that_is_not_https_is_an_error(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], extra=SOURCE.replace("https://", "http://") + REVIEWER))
    assert findings(good) == [
        "content/faqs/beta.md:11: error: source 1 (http://www.nimh.nih.gov/health/topics/psychotherapies) is not "
        "https; use the https:// address"
    ]


def test_summary_over_160_characters_is_an_error(good):
    content = read_tree(good)
    beta = content.faqs[1]
    content.items[content.items.index(beta)] = dataclasses.replace(beta, data={**beta.data, "summary": "a" * 161})
    assert [str(f) for f in check(content, today=TODAY)] == [
        "content/faqs/beta.md:4: error: summary is 161 characters; the limit is 160"
    ]


def test_too_long_summary_in_a_file_is_reported_with_its_line(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], summary="a" * 161))
    out, err, code = run_check(good)
    assert code == 1
    assert "content/faqs/beta.md:4: summary is 161 characters; the limit is 160, so shorten it" in err


def test_missing_reviewed_date_is_an_error(good):
    content = read_tree(good)
    beta = content.faqs[1]
    content.items[content.items.index(beta)] = dataclasses.replace(beta, data={**beta.data, "reviewed": None})
    assert [str(f) for f in check(content, today=TODAY)] == [
        "content/faqs/beta.md:1: error: no reviewed date; add 'reviewed: YYYY-MM-DD' after a clinician checks it"
    ]


def test_a_review_due_within_30_days_is_a_warning_and_an_overdue_one_an_error(good):
    assert findings(good, today=datetime.date(2026, 12, 15)) == []
    soon = findings(good, today=datetime.date(2026, 12, 16))
    assert soon[0] == "content/faqs/alpha.md:10: warning: review due on 2027-01-15 (in 30 days)"
    assert findings(good, today=datetime.date(2027, 1, 15))[0].startswith("content/faqs/alpha.md:10: warning")
    late = findings(good, today=datetime.date(2027, 1, 16))
    assert len(late) == 3
    assert late[0] == (
        "content/faqs/alpha.md:10: error: review overdue since 2027-01-15 (reviewed 2026-01-15, due every 12 "
        "months); have a clinician check it, then update 'reviewed'"
    )


def test_answers_that_change_often_are_due_every_6_months(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], extra=SOURCE + REVIEWER + "review_months: 6\n"))
    late = findings(good, today=datetime.date(2026, 7, 16))
    assert late == [
        "content/faqs/beta.md:10: error: review overdue since 2026-07-15 (reviewed 2026-01-15, due every 6 months); "
        "have a clinician check it, then update 'reviewed'"
    ]


def test_an_answer_without_a_reviewer_is_an_error(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], extra=SOURCE))
    assert findings(good) == [
        "content/faqs/beta.md:1: error: no reviewer; write who reviewed it, at least a role and credentials "
        "(e.g. “Clinical director, LCSW”)"
    ]


def test_review_date_in_the_future_is_an_error(good):
    assert (
        "content/faqs/alpha.md:10: error: reviewed date 2026-01-15 is in the future"
        in findings(good, today=datetime.date(2026, 1, 14))[0]
    )


def test_retyped_fact_range_is_a_warning(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="It takes 9 to 19 hours a week."))
    assert findings(good) == [
        "content/faqs/beta.md:17: warning: \"9 to 19\" repeats the fact 'weekly-hours'; write "
        "{{ fact:weekly-hours }} so the page changes when the fact does"
    ]


# --- links between pages ------------------------------------------------------------------------------------


def test_fewer_than_two_related_is_an_error(good, write):
    write("faqs/beta.md", faq("beta", ["alpha"]))
    assert findings(good) == ["content/faqs/beta.md:6: error: 1 related FAQ(s); list at least 2 under 'related'"]


def test_a_related_draft_leaves_fewer_for_readers_which_is_a_warning(good, write):
    write("faqs/delta.md", faq("delta", ["alpha", "beta"], extra=SOURCE + REVIEWER + "status: draft\n"))
    write("faqs/beta.md", faq("beta", ["alpha", "delta"]))
    assert findings(good) == [
        "content/faqs/beta.md:6: warning: only 1 related FAQ(s) readers can see (delta is a draft); add another"
    ]


def test_faq_no_other_page_links_to_is_an_error(good, write):
    write("faqs/delta.md", faq("delta", ["alpha", "beta"]))
    assert findings(good) == [
        "content/faqs/delta.md:3: error: no other page links to this FAQ; add it to another FAQ's related list "
        "or link to it with [words](faq:delta)"
    ]


@pytest.mark.parametrize(
    "where, text",
    [
        ("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="See [delta](faq:delta).")),
        ("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="See [delta](faq:old-delta).")),
        ("site.md", SITE + "[Delta](faq:delta).\n"),
    ],
    ids=["link in an answer", "link to an old address", "link in the site intro"],
)
def test_a_link_from_another_page_counts(good, write, where, text):
    write("faqs/delta.md", faq("delta", ["alpha", "beta"], extra=SOURCE + REVIEWER + "aliases:\n- old-delta\n"))
    write(where, text)
    assert findings(good) == []


def test_a_link_from_itself_does_not_count(good, write):
    write("faqs/delta.md", faq("delta", ["alpha", "beta"], body="See [me](faq:delta)."))
    assert "content/faqs/delta.md:3: error: no other page links to this FAQ" in "\n".join(findings(good))


def test_links_only_from_drafts_are_a_warning(good, write):
    write("faqs/delta.md", faq("delta", ["alpha", "beta"]))
    write("faqs/draft.md", faq("draft", ["delta", "alpha"], extra=SOURCE + REVIEWER + "status: draft\n"))
    assert findings(good) == [
        "content/faqs/delta.md:3: warning: only drafts link to this FAQ (FAQ draft); readers reach it from the index "
        "and its topic only"
    ]


def test_a_published_answer_linking_to_a_draft_is_a_warning(good, write):
    write("faqs/draft.md", faq("draft", ["alpha", "beta"], extra=SOURCE + REVIEWER + "status: draft\n"))
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="Read [the draft](faq:draft)."))
    assert findings(good) == [
        "content/faqs/beta.md:17: warning: links to the draft FAQ 'draft'; readers see the words without a link"
    ]


def test_problems_in_a_draft_are_warnings_not_errors(good, write):
    write("faqs/draft.md", faq("draft", ["alpha"], body=LONG_WORDS, extra="status: draft\n"))
    found = check(read_tree(good), today=TODAY)
    assert {f.level for f in found} == {WARNING}
    assert len(found) == 4  # reading level, related FAQs, sources, reviewer
    assert all("a draft, so not yet an error" in f.message for f in found)


# --- the program's identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("phone", "(617) 555-0142"),
        ("phone", "+1 617 555 0199"),
        ("email", "intake@example.org"),
        ("email", "help@clinic.example"),
        ("address", "1 Example Street"),
        ("address", "Springfield, ST 00000"),
    ],
)
def test_example_identity_values_are_recognised(good, write, field, value):
    fields = {
        "name": "Harbor Light IOP",
        "phone": "(617) 724-3100",
        "email": "a@harborlight.org",
        "address": "1 Main St",
    }
    fields[field] = value
    front = "".join(f"{k}: '{v}'\n" for k, v in fields.items())
    write("site.md", f"---\n{front}hours: Weekdays\nintake:\n- Call us.\n---\n\nWelcome.\n")
    found = example_identity_values(read_tree(good).site)
    assert [(name, message.split("'")[1]) for name, _, message in found] == [(field, value)]


def test_real_looking_identity_has_no_example_values(good, write):
    write(
        "site.md",
        "---\nname: Harbor Light IOP\nphone: (617) 724-3100\nemail: intake@harborlight.org\naddress: |-\n"
        "  40 Water Street\n  Boston, MA 02109\nhours: Weekdays, 8 to 6\nintake:\n- Call us.\n---\n\nWelcome.\n",
    )
    assert example_identity_values(read_tree(good).site) == []


# --- the commands -------------------------------------------------------------------------------------------


def run_check(root, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_content", *args, path=root, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return out.getvalue(), err.getvalue(), code


@pytest.fixture(autouse=True)
def _checks_on_load(settings):
    settings.CONTENT_CHECKS_ON_LOAD = True


def run_load(root):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_content", path=root, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return out.getvalue(), err.getvalue(), code


def test_check_content_exits_1_and_lists_errors_by_file_and_line(good, write):
    write("faqs/beta.md", faq("beta", ["alpha"], extra=""))  # no sources, no reviewer, one related
    out, err, code = run_check(good)
    assert code == 1
    assert "content/faqs/beta.md:1: error: no sources" in err
    assert "content/faqs/beta.md:6: error: 1 related FAQ(s)" in err
    assert "3 error(s), 0 warning(s) in 3 FAQs." in err


def test_check_content_prints_warnings_and_exits_0(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="It takes 9 to 19 hours a week."))
    out, err, code = run_check(good)
    assert (code, err) == (0, "")
    assert "content/faqs/beta.md:17: warning: \"9 to 19\" repeats the fact 'weekly-hours'" in out
    assert "0 error(s), 1 warning(s) in 3 FAQs." in out


def test_check_content_grades_prints_each_answer_and_the_spread(good):
    out, _, code = run_check(good, "--grades")
    assert code == 0
    assert "content/faqs/alpha.md" in out
    assert "English answers, reading grade by Flesch-Kincaid (limit 8):" in out
    assert "3 answers: min " in out and "median" in out
    assert re.search(r"^ +\d+\.x  #+ \d+$", out, re.M)  # the histogram, by whole grade


@pytest.mark.django_db
def test_load_content_refuses_to_load_on_a_check_error(good, write):
    write("faqs/beta.md", faq("beta", ["alpha"]))
    out, err, code = run_load(good)
    assert code == 1
    assert "content/faqs/beta.md:6: error: 1 related FAQ(s)" in err
    assert "1 content check error(s); nothing was loaded" in err
    assert FAQ.objects.count() == 0


@pytest.mark.django_db
def test_load_content_prints_warnings_and_loads(good, write):
    write("faqs/beta.md", faq("beta", ["alpha", "gamma"], body="It takes 9 to 19 hours a week."))
    out, err, code = run_load(good)
    assert (code, err) == (0, "")
    assert 'warning: "9 to 19" repeats the fact' in out
    assert FAQ.objects.count() == 3


def test_every_real_environment_runs_the_checks_on_load():
    assert importlib.import_module("iop_site.settings.base").CONTENT_CHECKS_ON_LOAD is True
    assert importlib.import_module("iop_site.settings.local").CONTENT_CHECKS_ON_LOAD is True
    production = (REPO / "iop_site" / "settings" / "production.py").read_text()
    assert "CONTENT_CHECKS_ON_LOAD" not in production  # inherits True from base


def test_the_search_words_file_is_required_and_its_crisis_answer_must_be_published(good, write):
    (good / "search.md").unlink()
    assert findings(good) == [
        "search.md: error: search.md is missing: it lists the crisis words that make a search show the crisis help "
        "first"
    ]
    write("search.md", SEARCH)
    write("faqs/alpha.md", faq("alpha", ["beta", "gamma"], extra=SOURCE + REVIEWER + "status: draft\n"))
    assert "content/search.md:4: error: the crisis answer 'alpha' is not a published FAQ" in "\n".join(findings(good))
