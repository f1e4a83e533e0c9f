"""What a load decides for one file against its row: the review rules it reads (faq/kinds.py), pure, and the
--force and conflict paths of faq/loading.py. Each pins a rule that mutation testing (`make mutation`) showed no
other test held."""

from faq import kinds
from faq.content import dump, fingerprint, parse
from faq.models import FAQ, RelatedFAQ, Revision
from tests.conftest import faq_text
from tests.test_load_content import load

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


# --- conflicts and --force (the database) --------------------------------------------------------------------


def edit_gamma_in_the_admin():
    gamma = FAQ.objects.get(slug="gamma")
    gamma.body = "Edited in the admin."
    gamma.save()


def test_a_conflict_names_its_file_and_the_name_force_takes(loaded, write):
    edit_gamma_in_the_admin()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, _, err = load(loaded)
    assert code == 3
    assert "and content/faqs/gamma.md changed too. Left as it is. To take the file's version: load_content " in err
    assert "--force gamma." in err


def test_a_conflict_on_a_slug_that_is_also_a_topics_is_named_with_its_kind(loaded, write):
    write("topics/gamma.md", TOPIC.replace("basics", "gamma"))
    load(loaded)
    edit_gamma_in_the_admin()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, _, err = load(loaded)
    assert code == 3
    assert "load_content --force faq:gamma." in err
    assert "export_content --only faq:gamma." in err


def test_forcing_a_conflict_records_the_version_as_forced_and_leaves_no_name_unused(loaded, write):
    edit_gamma_in_the_admin()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha"], body="Edited in the file.", reviewed="2026-02-01"))
    code, out, _ = load(loaded, "--force", "gamma")
    assert code == 0
    assert "not in conflict" not in out
    latest = FAQ.history.filter(slug="gamma").order_by("-history_id").first()
    assert latest.history_change_reason == "load_content --force (replaced an admin edit)"
    gamma = FAQ.objects.get(slug="gamma")
    assert list(RelatedFAQ.objects.filter(faq=gamma).values_list("target__slug", flat=True)) == ["alpha"]


def test_forcing_a_conflict_without_a_new_review_stamp_makes_the_files_version_wait_for_review(loaded, write):
    edit_gamma_in_the_admin()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, out, _ = load(loaded, "--force", "gamma")
    assert code == 0
    assert FAQ.objects.get(slug="gamma").body == "Edited in the admin."
    waiting = Revision.objects.pending().get(kind="faq", name="gamma")
    assert "Edited in the file." in waiting.text
    assert "waiting for review" in out


def test_forcing_a_new_file_over_a_new_answer_waiting_for_review_says_what_it_replaced(loaded, write):
    Revision.objects.create(
        kind="faq", name="delta", title="What is delta?", text="---\nslug: delta\n---\n", fingerprint="staff",
        origin="the admin (editor)",
    )  # fmt: skip
    write("faqs/delta.md", faq_text("delta"))
    assert load(loaded)[0] == 3
    code, out, _ = load(loaded, "--force", "delta")
    assert code == 0
    assert "replaced the change waiting for review (the admin (editor)), kept in history" in out
    assert FAQ.objects.filter(slug="delta").exists()


def test_force_with_a_name_both_a_topic_and_an_answer_have_asks_which_one(loaded, write):
    write("topics/gamma.md", TOPIC.replace("basics", "gamma"))
    code, _, err = load(loaded, "--force", "gamma")
    assert code == 1
    assert "gamma: more than one entry is called this; write faq:gamma or topic:gamma" in err.splitlines()


def test_a_file_unchanged_since_it_was_sent_for_review_is_unchanged(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Changed without a new stamp."))
    assert "waiting for review" in load(loaded)[1]
    code, out, _ = load(loaded)
    assert code == 0
    assert "0 created, 0 updated, 7 unchanged" in out
    assert "kept" not in out


def test_a_newer_file_replaces_the_change_it_sent_for_review(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Changed without a new stamp."))
    load(loaded)
    sent = Revision.objects.pending().get(kind="faq", name="gamma")
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Stamped.", reviewed="2026-02-01"))
    assert load(loaded)[0] == 0
    sent.refresh_from_db()
    assert sent.state == Revision.State.SUPERSEDED
    assert FAQ.objects.get(slug="gamma").body == "Stamped."


def test_a_conflict_with_a_change_waiting_for_review_shows_the_waiting_text(loaded, write):
    gamma = FAQ.objects.get(slug="gamma")
    Revision.objects.create(
        kind="faq", object_id=gamma.pk, name="gamma", title="What is gamma?", fingerprint="staff",
        text="---\nslug: gamma\n---\n\nWaiting.\n", origin="the admin (editor)",
    )  # fmt: skip
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, _, err = load(loaded)
    assert code == 3
    assert "-Waiting." in err.splitlines()
    assert "+Edited in the file." in err.splitlines()


def test_a_file_the_same_as_a_new_answer_waiting_for_review_creates_it_and_closes_the_wait(loaded, write):
    text = faq_text("delta")
    write("faqs/delta.md", text)
    entry = parse(text.encode(), "content/faqs/delta.md", "faq")
    waiting = Revision.objects.create(
        kind="faq", name="delta", title="What is delta?", text=dump(entry), fingerprint=fingerprint(entry),
        origin="the admin (editor)",
    )  # fmt: skip
    code, out, _ = load(loaded)
    assert code == 0
    assert FAQ.objects.filter(slug="delta").exists()
    waiting.refresh_from_db()
    assert waiting.state == Revision.State.SUPERSEDED
