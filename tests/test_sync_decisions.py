"""What a load decides for one file against its row: the review rules it reads (faq/kinds.py), pure, and the
--force and conflict paths of faq/loading.py. Each pins a rule that mutation testing (`make mutation`) showed no
other test held."""

from faq import kinds
from faq.content import parse
from tests.conftest import faq_text

TOPIC = "---\nslug: basics\ntitle: Basics\ndescription: The basics.\norder: 1\n---\n"


def faq(body="An answer.", *, status="published", reviewed="2026-01-15", reviewer="", question=None):
    extra = f"status: {status}\n" + (f"reviewer: {reviewer}\n" if reviewer else "")
    text = faq_text("x", body=body, reviewed=reviewed, extra=extra, question=question)
    return parse(text.encode(), "faqs/x.md", "faq")


def topic(title="Basics"):
    return parse(TOPIC.replace("Basics", title).encode(), "topics/basics.md", "topic")


# --- who can see a version ---------------------------------------------------------------------------------------


def test_a_published_answer_is_public_and_a_draft_is_not():
    assert kinds.is_public(faq()) is True
    assert kinds.is_public(faq(status="draft")) is False


def test_an_entry_without_a_status_is_public_and_no_entry_is_not():
    assert kinds.is_public(topic()) is True
    assert kinds.is_public(None) is False


# --- what a clinician signs off ------------------------------------------------------------------------------


def test_a_changed_answer_or_question_is_a_reviewed_change():
    assert kinds.reviewed_changes(faq(), faq("Another answer.")) == ["answer"]
    assert kinds.reviewed_changes(faq(), faq(question="What else?")) == ["question"]


def test_a_new_review_stamp_alone_is_not_a_reviewed_change():
    assert kinds.reviewed_changes(faq(), faq(reviewed="2026-03-01", reviewer="Dana Ortiz, LCSW")) == []


def test_a_later_review_date_or_another_reviewer_on_the_same_date_is_a_new_stamp():
    assert kinds.new_review_stamp(faq(), faq(reviewed="2026-02-01")) is True
    assert kinds.new_review_stamp(faq(reviewer="A"), faq(reviewer="B")) is True


def test_the_same_stamp_or_an_earlier_date_with_another_reviewer_is_not_a_new_stamp():
    assert kinds.new_review_stamp(faq(reviewer="A"), faq(reviewer="A")) is False
    assert kinds.new_review_stamp(faq(reviewer="A"), faq(reviewed="2025-12-01", reviewer="B")) is False


def test_a_kind_without_a_review_stamp_never_has_a_new_one():
    assert kinds.new_review_stamp(topic(), topic("Other")) is False


# --- which files wait for review ---------------------------------------------------------------------------


def test_a_file_that_changes_a_public_answer_without_a_new_stamp_waits_for_review():
    assert kinds.needs_review_from_file(faq(), faq("Changed.")) is True
    assert kinds.needs_review_from_file(faq(), faq("Changed.", reviewed="2026-02-01")) is False


def test_a_file_that_publishes_a_draft_with_a_changed_answer_and_no_new_stamp_waits_for_review():
    assert kinds.needs_review_from_file(faq(status="draft"), faq("Changed.")) is True


def test_a_file_that_changes_a_public_answer_and_makes_it_a_draft_waits_for_review():
    assert kinds.needs_review_from_file(faq(), faq("Changed.", status="draft")) is True


def test_a_file_that_changes_a_draft_that_stays_a_draft_loads_at_once():
    assert kinds.needs_review_from_file(faq(status="draft"), faq("Changed.", status="draft")) is False


def test_a_new_answer_or_another_kind_of_file_never_waits_for_review():
    assert kinds.needs_review_from_file(None, faq("Changed.")) is False
    assert kinds.needs_review_from_file(topic(), topic("Other")) is False
