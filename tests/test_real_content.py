"""The shipped content/: complete, checked, reachable, and saying what the sources say; and its Spanish translation
(content/es/): complete, current, as easy to read, and saying exactly what the English says."""

import io
import re
from urllib.parse import urlsplit

import pytest
import textstat
import yaml
from django.core.management import call_command
from django.utils import timezone

from faq.content import ContentSet, read_tree, source_fingerprint
from faq.kinds import ENGLISH, SPANISH
from faq.models import FAQ
from faq.quality import (
    ERROR,
    MAX_GRADE,
    MIN_SPANISH_EASE,
    check,
    example_identity_values,
    fernandez_huerta,
    grades,
    plain_text,
)
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
# The questions issue 12 lists, each answered by its own page.
ISSUE_12_QUESTIONS = {
    "hospitalised for suicidal thoughts": "will-i-be-hospitalized-if-i-talk-about-suicidal-thoughts",
    "prescriber and medicines": "can-someone-in-the-program-prescribe-or-change-my-medicine",
    "group times and an evening track": "what-times-do-groups-meet",
    "which plans": "which-insurance-plans-do-you-take",
    "who the program cannot treat": "who-can-the-program-not-treat",
    "how soon and a wait list": "how-soon-can-i-start",
    "a missed session": "what-happens-if-i-miss-a-session",
    "leave from work": "can-i-take-leave-from-work-for-an-intensive-outpatient-program",
    "does an IOP work": "does-an-intensive-outpatient-program-work",
    "the first assessment": "what-happens-at-the-first-assessment",
    "glossary": "what-do-the-words-on-this-site-mean",
}
# Program details a clinic changes in one place: each program-specific answer takes them from these facts.
PROGRAM_FACTS_BY_PAGE = {
    "what-times-do-groups-meet": {"group-times", "schedule", "wait-list"},
    "can-someone-in-the-program-prescribe-or-change-my-medicine": {"prescriber"},
    "which-insurance-plans-do-you-take": {"insurance", "medicare-setting", "self-pay"},
    "does-medicare-cover-an-intensive-outpatient-program": {"medicare", "medicare-setting"},
    "who-can-the-program-not-treat": {"not-a-fit"},
    "how-soon-can-i-start": {"start-time", "wait-list"},
    "what-happens-if-i-miss-a-session": {"missed-sessions"},
    "what-happens-at-the-first-assessment": {"assessment", "drug-testing"},
    "does-an-intensive-outpatient-program-work": {"progress-measures"},
    "can-i-take-leave-from-work-for-an-intensive-outpatient-program": {"work-forms"},
    "what-is-group-therapy-like": {"group-size"},
    "can-an-intensive-outpatient-program-be-online": {"video"},
}
# Claims a review found wrong (../shared/reference/iop-facts.md, section 9): none may come back, anywhere.
WITHDRAWN_CLAIMS = {
    r"outside our hours": "a crisis page must not send readers to the office line or its hours",
    r"stays? in the group": "the program cannot promise what other group members keep private",
    r"what makes\s+a\s+program\s+an\s+IOP": "payers define IOP hours differently; the band alone does not make an IOP",
    r"9 to 19": "3 to 5 days of about 3 hours is 9 to 15 hours; 9 to 19 is the payer band, not this program",
    r"waiting too long": "a wait for weekly therapy is not a reason for IOP",
    r"let stress move through": "not a claim the sources support",
    r"did not pay for this level of care": "before 2024 Medicare paid separate visits and PHP, not an IOP as a program",
    r"some plans have one": "most private plans and every Medicare Advantage plan must have an out-of-pocket limit",
    r"just a label": "ASAM levels are an addiction placement standard and often a licence category",
}
# Routes the crisis page must give (988 Lifeline "What to expect"; SAMHSA, 8 Sep 2023; Veterans Crisis Line).
CRISIS_ROUTES = (
    "call or text 988",
    "988lifeline.org",
    "911",
    "press 2",
    "ayuda",
    "press 1",
    "838255",
    "711",
    "videophone",
    "asl now",
)
# The steps that help someone who may be suicidal (NIMH / #BeThe1To), each a bold item in the crisis answer.
HELP_SOMEONE_STEPS = ("ask", "help keep them safe", "be there", "help them connect", "follow up")
METHOD_WORDS = ("overdose", "pills", "gun", "firearm", "rope", "hang", "jump", "bridge", "cut", "poison")
# The terms issue 12 names for the crisis search; content/search.md must list each.
ISSUE_CRISIS_TERMS = ("kill myself", "suicide", "want to die", "overdose", "hurt myself", "self harm", "suicidio")
ISSUE_SYNONYMS = {
    "money": "cost",
    "price": "cost",
    "pay": "cost",
    "shrink": "prescriber",
    "psychiatrist": "prescriber",
    "aa": "dual diagnosis",
    "drinking": "dual diagnosis",
}
AUTHORITATIVE_HOSTS = ("gov", "asam.org", "988lifeline.org", "veteranscrisisline.net", "nhs.uk", "apa.org")


@pytest.fixture(scope="module")
def everything():
    """Every entry of the shipped folder, in both languages."""
    return read_tree(REPO / "content")


@pytest.fixture(scope="module")
def content(everything):
    """The English entries: the tests below that read what the content says read the English."""
    return ContentSet([entry for entry in everything.items if entry.language == ENGLISH])


@pytest.fixture(scope="module")
def spanish(everything):
    return ContentSet([entry for entry in everything.items if entry.language == SPANISH])


@pytest.fixture(scope="module")
def faqs(content):
    return {entry.data["slug"]: entry for entry in content.faqs}


def facts_by_key(content):
    return {entry.data["key"]: entry.data["value"] for entry in content.facts}


def test_real_content_has_no_check_errors(everything):
    errors = [str(f) for f in check(everything, today=timezone.localdate()) if f.level == ERROR]
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
    assert facts["duration"].startswith("often about 2 to 3 months")
    days, hours = re.match(r"(\d+) to (\d+) days a week, about (\d+) hours a day", facts["schedule"]).groups()[1:]
    assert int(days) * int(hours) < 20, "the schedule must stay inside the IOP band, below partial hospitalization"
    assert "January 1, 2024" in facts["medicare"] and "Part B" in facts["medicare"]
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
    assert "license" in body, "ASAM levels are often a state licence category for addiction programs"
    assert "we do not call ourselves an ASAM Level 2.1 program" in body


def test_no_fact_value_presents_the_program_as_an_asam_level(content):
    """The at-a-glance list shows fact values: a mental-health IOP is not 'ASAM Level 2.1' there."""
    for key, value in facts_by_key(content).items():
        assert "ASAM" not in value and "2.1" not in value, f"facts/{key}.md: {value}"
    level = next(entry for entry in content.facts if entry.data["key"] == "level-of-care")
    assert "ASAM Level 2.1" in level.body and "addiction" in level.body, "the caveat belongs in its longer text"


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
@pytest.mark.parametrize("language, home, pages", [("en", "/", "/faq/"), ("es", "/es/", "/es/preguntas/")])
def test_every_faq_is_reachable_from_its_languages_home_page_in_two_clicks(client, settings, language, home, pages):
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    reached, frontier = {home}, [home]
    for _click in range(2):
        found = []
        for path in frontier:
            html = client.get(path).content.decode()
            for href in re.findall(rf'href="({pages}[^"#]*)', html):
                if href not in reached:
                    reached.add(href)
                    found.append(href)
        frontier = found
    expected = {faq.get_absolute_url() for faq in FAQ.objects.published().filter(language=language)}
    assert len(expected) >= 24
    assert expected - reached == set()


def days_and_hours(schedule):
    low, high, hours = re.match(r"(\d+) to (\d+) days a week, about (\d+) hours a day", schedule).groups()
    return int(low), int(high), int(hours)


def clock(text):
    """'9 am', '12 noon', '5:30', '8:30 pm' -> hours after midnight (a time with no am/pm takes the next one's)."""
    hour, minute = re.match(r"(\d+)(?::(\d+))?", text).groups()
    return int(hour) % 12 + int(minute or 0) / 60


def test_schedule_times_hours_multiply_to_the_weekly_hours_fact(content):
    facts = facts_by_key(content)
    low, high, hours = days_and_hours(facts["schedule"])
    weekly = re.search(r"(\d+) to (\d+) hours a week", facts["weekly-hours"]).groups()
    assert (low * hours, high * hours) == tuple(map(int, weekly))


def test_each_group_track_lasts_the_hours_a_day_of_the_schedule(content):
    facts = facts_by_key(content)
    _, _, hours = days_and_hours(facts["schedule"])
    spans = re.findall(r"from (\d+(?::\d+)?) ?(am|pm)? to (\d+(?::\d+)?) ?(am|pm|noon)", facts["group-times"])
    assert len(spans) == 2, facts["group-times"]
    for start, start_half, end, end_half in spans:
        start_half = start_half or end_half
        begin = clock(start) + (12 if start_half == "pm" else 0)
        finish = clock(end) + (12 if end_half in {"pm", "noon"} else 0)
        assert finish - begin == hours, f"{start} to {end} is not {hours} hours"


@pytest.mark.parametrize("pattern, reason", WITHDRAWN_CLAIMS.items(), ids=list(WITHDRAWN_CLAIMS))
def test_a_claim_the_review_withdrew_does_not_come_back(content, pattern, reason):
    for entry in content.entries():
        text = " ".join([entry.body, entry.data.get("summary") or "", entry.data.get("value") or ""])
        assert not re.search(pattern, " ".join(text.split()), re.IGNORECASE), f"{entry.path}: {reason}"


def opening(body):
    return body.strip().split("\n\n")[0].lower()


def test_crisis_answer_leads_with_988_and_911_and_never_the_office_line_or_hours(faqs, content):
    site = content.site.data
    body = faqs["what-should-i-do-in-a-crisis"].body.lower()
    first = opening(body)
    assert "988" in first and "911" in first and "any time" in first
    office = [site["phone"].lower(), site["hours"].lower(), "office hours", "our hours", "business hours"]
    for text in office:
        assert text not in body, f"the crisis answer names the office ({text})"
    for route in CRISIS_ROUTES:
        assert route in body, f"the crisis answer lacks the route '{route}'"


def test_crisis_answer_gives_the_steps_that_help_someone_else(faqs):
    body = faqs["what-should-i-do-in-a-crisis"].body.lower()
    worried = body[body.index("## if you are worried about someone else") :]
    for step in HELP_SOMEONE_STEPS:
        assert f"- **{step}.**" in worried, f"'worried about someone' lacks the step '{step}'"
    assert "are you thinking about suicide" in worried, "asking directly is the first step"


def suicide_or_crisis_pages(content):
    return [
        entry
        for entry in content.faqs
        if re.search(r"suicid|crisis", entry.data["question"] + " " + entry.data["summary"], re.IGNORECASE)
    ]


def test_every_suicide_or_crisis_page_leads_with_the_action_and_names_no_method(content):
    pages = suicide_or_crisis_pages(content)
    assert {entry.data["slug"] for entry in pages} >= {
        "what-should-i-do-in-a-crisis",
        "will-i-be-hospitalized-if-i-talk-about-suicidal-thoughts",
    }
    for entry in pages:
        first = opening(entry.body)
        assert "988" in first and "911" in first, f"{entry.path}: lead with 988 and 911"
        assert "988" in entry.data["summary"], f"{entry.path}: the summary names 988"
        for word in METHOD_WORDS:
            assert not re.search(rf"\b{word}", entry.body.lower()), f"{entry.path}: method detail '{word}'"


def test_group_privacy_says_other_members_are_not_bound_by_law(faqs):
    body = faqs["what-is-group-therapy-like"].body
    assert "not bound" in body and "cannot promise" in body


def test_every_page_that_says_you_need_not_stop_using_warns_not_to_stop_suddenly(content):
    told = [
        entry
        for entry in content.entries()
        if re.search(r"(do not|don't) (need|have) to stop", " ".join(entry.body.split()), re.IGNORECASE)
    ]
    assert told, "the dual diagnosis answer says you need not stop before you call"
    for entry in told:
        text = " ".join(entry.body.split()).lower()
        assert re.search(r"do not stop all at once|stopping these suddenly|do not stop suddenly", text), entry.path
        assert "seizure" in text, f"{entry.path}: say why stopping suddenly is dangerous"


def test_medicare_answer_names_the_settings_and_which_one_this_program_is(faqs):
    body = " ".join(faqs["does-medicare-cover-an-intensive-outpatient-program"].body.split()).lower()
    for setting in (
        "hospital outpatient",
        "community mental health center",
        "federally qualified health center",
        "rural health clinic",
        "opioid treatment program",
    ):
        assert setting in body, setting
    assert "{{ fact:medicare-setting }}" in body
    assert "as a program" in body, "before 2024 Medicare paid separate visits, not an IOP as a program"
    assert "medigap" in body and "medicaid may pay" in body


def test_medicaid_answer_warns_of_the_2027_reporting_rule_and_its_exemptions(faqs):
    body = faqs["does-medicaid-cover-an-intensive-outpatient-program"].body
    assert "2027" in body and "do not have to report" in body and "treatment for drug or alcohol use" in body


def test_private_insurance_answer_explains_parity_criteria_appeals_and_the_dated_rule(faqs):
    body = " ".join(faqs["does-private-insurance-cover-an-intensive-outpatient-program"].body.split())
    for must in ("prior authorization", "medical necessity criteria", "Appeal", "May 2025"):
        assert must in body, must


def test_work_answers_name_fmla_and_ada_and_cite_their_sources(faqs):
    for slug in (
        "can-i-keep-working-during-an-intensive-outpatient-program",
        "can-i-take-leave-from-work-for-an-intensive-outpatient-program",
    ):
        body, hosts = faqs[slug].body, {urlsplit(s["url"]).hostname for s in faqs[slug].data["sources"]}
        assert "FMLA" in body and "Americans with Disabilities Act" in body, slug
        assert {"www.dol.gov", "www.eeoc.gov"} <= hosts, slug


@pytest.mark.parametrize(
    "slug, host_or_path",
    [
        ("what-are-somatic-skills", "emdr-for-ptsd"),
        ("can-i-keep-working-during-an-intensive-outpatient-program", "chcs.org"),
        ("can-i-keep-working-during-an-intensive-outpatient-program", "NBK64093"),
        ("what-should-i-bring-to-my-first-appointment", "alcoholtreatment.niaaa.nih.gov"),
        ("what-should-i-bring-to-my-first-appointment", "mental-health-screening"),
    ],
)
def test_a_source_that_does_not_support_its_page_stays_off_it(faqs, slug, host_or_path):
    assert all(host_or_path not in source["url"] for source in faqs[slug].data["sources"])


def test_emdr_is_described_as_a_therapy_for_ptsd(faqs, content):
    assert "therapy for PTSD" in faqs["what-is-emdr"].body
    assert "effects of trauma" not in faqs["what-is-emdr"].body
    assert faqs["what-is-emdr"].data["summary"].startswith("EMDR is a therapy for PTSD")


def test_the_two_what_is_an_iop_pages_ask_different_questions(faqs):
    general = faqs["what-is-an-intensive-outpatient-program"].data["question"]
    mental_health = faqs["what-is-an-intensive-outpatient-program-for-mental-health"].data["question"]
    assert "addiction" in mental_health and "addiction" not in general


def test_a_question_about_this_program_says_so(faqs):
    assert "the program" in faqs["what-conditions-does-the-program-treat"].data["question"]


@pytest.mark.parametrize("question, slug", ISSUE_12_QUESTIONS.items(), ids=list(ISSUE_12_QUESTIONS))
def test_each_question_issue_12_lists_has_a_published_page(faqs, question, slug):
    assert faqs[slug].data["status"] == "published"


@pytest.mark.parametrize("slug, keys", PROGRAM_FACTS_BY_PAGE.items(), ids=list(PROGRAM_FACTS_BY_PAGE))
def test_program_specific_answers_take_their_details_from_facts(faqs, content, slug, keys):
    assert keys <= set(facts_by_key(content)), "the facts exist"
    for key in keys:
        assert f"{{{{ fact:{key} }}}}" in faqs[slug].body, f"{slug} should write {{{{ fact:{key} }}}}"


def test_every_answer_names_its_reviewer_by_role_and_credentials(content):
    for entry in content.faqs:
        reviewer = entry.data.get("reviewer") or ""
        assert re.match(r"Program [a-z ]+, [A-Z]{2,}", reviewer), f"{entry.path}: reviewer '{reviewer}'"


def test_glossary_explains_the_terms_the_issue_names(faqs):
    body = faqs["what-do-the-words-on-this-site-mean"].body
    for term in ("Coinsurance", "Certify", "Partial hospitalization", "Co-occurring", "Prior authorization"):
        assert f"**{term}:**" in body, term


def test_every_answer_reads_below_dale_chall_7_and_every_summary_at_grade_8_or_below(content):
    facts = facts_by_key(content)
    hard = {}
    for entry in content.faqs:
        score = textstat.dale_chall_readability_score(plain_text(entry.body, facts))
        summary_grade = textstat.flesch_kincaid_grade(entry.data["summary"])
        if score >= 7.0 or summary_grade > MAX_GRADE:
            hard[entry.path] = (score, summary_grade)
    assert hard == {}


def search_words():
    text = (REPO / "content" / "search.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])


def test_search_words_list_the_issues_crisis_terms_in_lowercase_once_each():
    terms = search_words()["crisis_terms"]
    assert set(ISSUE_CRISIS_TERMS) <= set(terms)
    assert all(term == term.lower().strip() and term for term in terms)
    assert len(terms) == len(set(terms))
    assert {"self-harm", "selfharm", "killmyself", "suicidal", "sucide", "matarme", "quiero morir"} <= set(terms)


def test_search_synonyms_map_readers_words_to_words_the_answers_use(content):
    lines = search_words()["synonyms"]
    mapping = {}
    for line in lines:
        reader, _, site = line.partition(" = ")
        assert reader and site and reader == reader.lower(), f"'{line}' is not 'reader words = site words'"
        mapping[reader] = site
    for reader, site_word in ISSUE_SYNONYMS.items():
        assert site_word in mapping[reader], f"{reader} should lead to {site_word}"
    published = " ".join(
        " ".join([entry.data["question"], entry.data["summary"], plain_text(entry.body, facts_by_key(content))])
        for entry in content.faqs
    ).lower()
    missing = {word for site in mapping.values() for word in site.split() if word not in published}
    assert missing == set(), "every site word in a synonym must appear in some answer"


@pytest.mark.django_db
def test_home_page_shows_the_level_of_care_caveat_under_its_value(client, settings):
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    html = client.get("/").content.decode()
    level = html[html.index("<dt>Level of care</dt>") :]
    value, fold = level[: level.index("<details>")], level[level.index("<details>") : level.index("</details>")]
    assert "ASAM" not in value
    assert "ASAM Level 2.1" in fold and "addiction" in fold


# --- the Spanish translation ---------------------------------------------------------------------------------------


def original_of(entry, content):
    english = content.of(entry.kind)
    if entry.kind == "site":
        return english[0]
    key = "key" if entry.kind == "fact" else "slug"
    name = entry.data[key] if entry.kind == "fact" else entry.data["translation_of"]
    return next(e for e in english if e.data[key] == name)


def test_every_english_entry_has_a_spanish_translation_made_from_its_current_version(content, spanish):
    for kind_name in ("topic", "fact", "faq", "site"):
        english, translated = content.of(kind_name), spanish.of(kind_name)
        assert len(translated) == len(english), kind_name
        for entry in translated:
            original = original_of(entry, content)
            assert entry.data["translated_from"] == source_fingerprint(original), f"{entry.path} is behind"


def test_each_spanish_answer_keeps_its_englishs_sources_review_and_related_questions(content, spanish):
    slug_of = {entry.data["translation_of"]: entry.data["slug"] for entry in spanish.of("faq")}
    topic_of = {entry.data["translation_of"]: entry.data["slug"] for entry in spanish.of("topic")}
    for entry in spanish.of("faq"):
        original = original_of(entry, content)
        for name in ("sources", "reviewed", "reviewer", "review_months", "status", "order"):
            assert entry.data[name] == original.data[name], f"{entry.path}: {name}"
        assert entry.data["related"] == [slug_of[slug] for slug in original.data["related"]], entry.path
        assert entry.data["topic"] == topic_of[original.data["topic"]], entry.path
        assert sorted(re.findall(r"\{\{ *fact:([a-z0-9-]+)", entry.body)) == sorted(
            re.findall(r"\{\{ *fact:([a-z0-9-]+)", original.body)
        ), f"{entry.path}: the same facts as the English"


def test_each_spanish_fact_gives_the_same_numbers_as_the_english(content, spanish):
    """The same numbers; the Spanish crisis routes may add "press 2" (oprima 2) for Spanish."""
    number = r"\d+(?:[:.,]\d+)?"
    for entry in spanish.of("fact"):
        original = original_of(entry, content)
        value = re.sub(r"\boprim\w* 2\b", "", entry.data["value"])
        assert set(re.findall(number, value)) == set(re.findall(number, original.data["value"])), entry.path


def test_every_spanish_answer_and_summary_is_easy_to_read_in_spanish(spanish):
    facts = {entry.data["key"]: entry.data["value"] for entry in spanish.of("fact")}
    hard = {}
    for entry in spanish.of("faq"):
        answer = fernandez_huerta(plain_text(entry.body, facts))
        summary = fernandez_huerta(entry.data["summary"])
        if min(answer, summary) < MIN_SPANISH_EASE:
            hard[entry.path] = (round(answer, 1), round(summary, 1))
    assert hard == {}


def test_spanish_crisis_pages_lead_with_the_spanish_routes_and_911(spanish):
    crisis = [e for e in spanish.of("faq") if re.search(r"suicid|crisis", e.data["question"] + e.data["summary"], re.I)]
    assert len(crisis) >= 2
    for entry in crisis:
        first = opening(entry.body)
        assert "988" in first and "oprima 2" in first and "ayuda" in first and "911" in first, entry.path
        assert "988" in entry.data["summary"], entry.path
        for word in METHOD_WORDS:
            assert not re.search(rf"\b{word}", entry.body.lower()), f"{entry.path}: method detail '{word}'"
