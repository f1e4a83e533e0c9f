"""The shipped content/: complete, checked, reachable, and saying what the sources say."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from faq.content import read_tree
from faq.models import FAQ
from faq.quality import ERROR, MAX_GRADE, check, example_identity_values, grades
from tests.conftest import REPO

ORIGINAL_SLUGS = {
    "what-is-an-intensive-outpatient-program",
    "what-is-an-intensive-outpatient-program-for-mental-health",
    "what-happens-in-an-intensive-outpatient-program",
    "how-do-i-start-an-intensive-outpatient-program",
    "does-medicare-cover-an-intensive-outpatient-program",
}
ISSUE_FACTS = {
    "schedule",
    "weekly-hours",
    "duration",
    "services",
    "therapies",
    "level-of-care",
    "conditions",
    "dual-diagnosis",
    "medicare",
    "daily-life",
}
# The questions the issue lists, each answered by its own page.
ISSUE_QUESTIONS = {
    "inpatient care": "how-is-iop-different-from-inpatient-care",
    "partial hospitalization": "how-is-iop-different-from-partial-hospitalization",
    "weekly therapy": "how-is-iop-different-from-weekly-therapy",
    "keep working": "can-i-keep-working-during-an-intensive-outpatient-program",
    "conditions": "what-conditions-does-the-program-treat",
    "a typical day": "what-does-a-typical-day-look-like",
    "CBT": "what-is-cognitive-behavioral-therapy-cbt",
    "EMDR": "what-is-emdr",
    "somatic skills": "what-are-somatic-skills",
    "dual diagnosis": "what-is-dual-diagnosis-care",
    "online": "can-an-intensive-outpatient-program-be-online",
    "private insurance and parity": "does-private-insurance-cover-an-intensive-outpatient-program",
    "Medicaid": "does-medicaid-cover-an-intensive-outpatient-program",
    "what to bring": "what-should-i-bring-to-my-first-appointment",
    "after IOP": "what-happens-after-an-intensive-outpatient-program",
    "crisis": "what-should-i-do-in-a-crisis",
    "ASAM level 2.1": "what-does-asam-level-2-1-mean",
}
AUTHORITATIVE_HOSTS = ("gov", "asam.org", "988lifeline.org", "veteranscrisisline.net", "nhs.uk", "apa.org")


@pytest.fixture(scope="module")
def content():
    return read_tree(REPO / "content")


@pytest.fixture(scope="module")
def faqs(content):
    return {entry.data["slug"]: entry for entry in content.faqs}


def facts_by_key(content):
    return {entry.data["key"]: entry.data["value"] for entry in content.facts}


def test_real_content_has_no_check_errors(content):
    errors = [str(f) for f in check(content, today=timezone.localdate()) if f.level == ERROR]
    assert errors == []


def test_every_answer_reads_at_grade_8_or_below(content):
    too_hard = {path: grade for path, grade in grades(content).items() if grade > MAX_GRADE}
    assert too_hard == {}
    assert len(grades(content)) == len(content.faqs)


def test_at_least_24_published_faqs_in_4_to_6_topics(content):
    published = [entry for entry in content.faqs if entry.data["status"] == "published"]
    assert len(published) >= 24
    assert 4 <= len({entry.data["topic"] for entry in published}) <= 6
    assert len(content.topics) <= 6


def test_the_five_original_questions_keep_their_addresses(faqs):
    assert set(faqs) >= ORIGINAL_SLUGS


def test_every_fact_the_issue_names_exists(content):
    assert set(facts_by_key(content)) >= ISSUE_FACTS


@pytest.mark.parametrize("question, slug", ISSUE_QUESTIONS.items(), ids=list(ISSUE_QUESTIONS))
def test_each_question_the_issue_lists_has_a_page(faqs, question, slug):
    assert faqs[slug].data["status"] == "published"


def test_facts_say_what_the_sources_say(content):
    facts = facts_by_key(content)
    assert "9 to 19 hours a week" in facts["weekly-hours"]
    assert facts["duration"].startswith("often about 2 to 3 months")
    days, hours = re.match(r"(\d+) to (\d+) days a week, about (\d+) hours a day", facts["schedule"]).groups()[1:]
    assert int(days) * int(hours) < 20, "the schedule must stay inside the IOP band, below partial hospitalization"
    assert "January 1, 2024" in facts["medicare"] and "Part B" in facts["medicare"]
    assert "ASAM Level 2.1" in facts["level-of-care"]
    assert {"CBT", "EMDR"} <= set(re.findall(r"\w+", facts["therapies"]))


def test_somatic_skills_are_described_as_an_addition_not_a_replacement(faqs, content):
    therapies = next(entry for entry in content.facts if entry.data["key"] == "therapies")
    for text in (faqs["what-are-somatic-skills"].body, therapies.body):
        assert "do not take" in text and "place" in text


def test_medicare_answer_names_the_doctors_certification(faqs):
    body = faqs["does-medicare-cover-an-intensive-outpatient-program"].body
    assert "{{ fact:medicare }}" in body
    assert "certification" in body


def test_asam_answer_says_it_is_an_addiction_framework(faqs):
    body = faqs["what-does-asam-level-2-1-mean"].body
    assert "American Society of Addiction Medicine" in body
    assert "drug or alcohol" in body


def test_no_dollar_amounts_and_no_retired_988_options_anywhere(content):
    for entry in content.entries():
        text = entry.body + " " + entry.data.get("summary", "")
        assert "$" not in text, f"{entry.path}: dollar amounts change every year; leave them out or date them"
        assert not re.search(r"press 3", text, re.IGNORECASE), f"{entry.path}: 988's Press 3 option ended in 2025"


def test_crisis_entry_puts_help_first_and_follows_safe_messaging(faqs):
    crisis = faqs["what-should-i-do-in-a-crisis"]
    body = crisis.body.lower()
    opening = body.split("\n\n")[0]
    assert "not alone" in opening and "help" in opening
    for must in ("call or text 988", "988lifeline.org", "911", "press 1", "838255"):
        assert must in body
    for method_word in ("overdose", "pills", "gun", "firearm", "rope", "hang", "jump", "bridge", "cut", "poison"):
        assert not re.search(rf"\b{method_word}", body), f"method detail '{method_word}' in the crisis entry"
    assert "988" in crisis.data["summary"] and "911" in crisis.data["summary"]


def test_every_faq_cites_an_authoritative_https_source(content):
    for entry in content.faqs:
        hosts = [urlsplit(source["url"]).hostname for source in entry.data["sources"]]
        assert any(host.endswith(AUTHORITATIVE_HOSTS) for host in hosts), f"{entry.path}: {hosts}"


def test_site_identity_ships_clearly_fictional_values(content):
    site = content.site
    assert re.search(r"555-01\d\d", site.data["phone"])
    assert site.data["email"].endswith("@example.org")
    assert {name for name, _, _ in example_identity_values(site)} == {"phone", "email", "address"}


@pytest.mark.django_db
def test_every_faq_is_reachable_from_the_home_page_in_two_clicks(client, settings):
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    reached, frontier = {"/"}, ["/"]
    for _click in range(2):
        found = []
        for path in frontier:
            html = client.get(path).content.decode()
            for href in re.findall(r'href="(/faq/[^"#]*)', html):
                if href not in reached:
                    reached.add(href)
                    found.append(href)
        frontier = found
    expected = {faq.get_absolute_url() for faq in FAQ.objects.published()}
    assert len(expected) >= 24
    assert expected - reached == set()
