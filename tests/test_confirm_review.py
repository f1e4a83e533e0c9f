"""A clinical reviewer can confirm that an answer due for review is still right, with no change: the page then says
they reviewed it today, the next review date moves on, and History and the review queue record who did it.
Nobody else can, and a refusal changes nothing."""

import datetime

import pytest
from django.utils import timezone

from faq.editors import REVIEWER_GROUP
from faq.models import FAQ, ReviewEvent, Revision
from tests.admin_forms import client_for, make_user, post_change

pytestmark = pytest.mark.usefixtures("site_loaded")


def overdue(slug="gamma"):
    faq = FAQ.objects.get(slug=slug, language="en")
    FAQ.objects.filter(pk=faq.pk).update(reviewed=timezone.localdate() - datetime.timedelta(days=400))
    faq.refresh_from_db()
    return faq


def confirm_url(faq):
    return f"/admin/faq/faq/{faq.pk}/confirm-review/"


def unchanged(before):
    after = FAQ.objects.get(pk=before.pk)
    return (after.reviewed, after.reviewer, after.body, after.question) == (
        before.reviewed,
        before.reviewer,
        before.body,
        before.question,
    )


def test_a_reviewer_confirms_an_overdue_answer_and_readers_see_todays_review(reviewer, client):
    faq = overdue()
    page = reviewer.get(confirm_url(faq)).content.decode()
    assert faq.question in page and "Confirm: still right, reviewed today" in page
    response = reviewer.post(confirm_url(faq), {"note": "Checked against NIMH."})
    assert response.status_code == 302 and response["Location"] == "/admin/faq/faq/due/"
    after = FAQ.objects.get(pk=faq.pk)
    today = timezone.localdate()
    assert after.reviewed == today and after.reviewer == "Sam Lee, PsyD"
    assert after.body == faq.body and after.question == faq.question
    assert after.review_due > today
    revision = Revision.objects.get(object_id=faq.pk, origin="a review with no change")
    assert revision.state == Revision.State.APPROVED and revision.text == revision.base_text
    assert list(revision.events.values_list("action", "note")) == [
        (ReviewEvent.Action.SUBMITTED, ""),
        (ReviewEvent.Action.APPROVED, "Checked against NIMH."),
    ]
    assert after.history.first().history_change_reason == "approved by Sam Lee, PsyD"
    html = client.get(faq.get_absolute_url()).content.decode()
    assert f'Reviewed by Sam Lee, PsyD, on <time datetime="{today:%Y-%m-%d}">' in html
    assert confirm_url(faq) not in reviewer.get("/admin/faq/faq/due/").content.decode()  # no longer due


def test_the_due_list_and_the_answer_page_offer_it_to_reviewers_only(reviewer, editor):
    faq = overdue()
    assert confirm_url(faq) in reviewer.get("/admin/faq/faq/due/").content.decode()
    assert confirm_url(faq) in reviewer.get(f"/admin/faq/faq/{faq.pk}/change/").content.decode()
    assert confirm_url(faq) not in editor.get("/admin/faq/faq/due/").content.decode()
    assert confirm_url(faq) not in editor.get(f"/admin/faq/faq/{faq.pk}/change/").content.decode()


@pytest.mark.parametrize("role", ["editor", "view_only"])
def test_staff_who_cannot_approve_cannot_confirm(role, editor):
    faq = overdue()
    client = editor if role == "editor" else client_for(make_user("viewer", view_only=True))
    assert client.get(confirm_url(faq)).status_code == 403
    assert client.post(confirm_url(faq)).status_code == 403
    assert unchanged(faq) and not Revision.objects.filter(object_id=faq.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    faq = overdue()
    response = client.post(confirm_url(faq))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert unchanged(faq)


def test_a_reviewer_without_a_name_on_file_is_told_to_add_one(db):
    nameless = client_for(make_user("nameless", group=REVIEWER_GROUP))
    faq = overdue()
    assert "Add your name and credentials" in nameless.get(confirm_url(faq)).content.decode()
    response = nameless.post(confirm_url(faq), follow=True)
    assert "Not confirmed: add your name and credentials" in response.content.decode()
    assert unchanged(faq) and not Revision.objects.filter(object_id=faq.pk).exists()


def test_an_answer_with_a_change_waiting_is_reviewed_through_that_change(reviewer, editor):
    faq = overdue()
    post_change(editor, faq, body="A different answer.")
    assert Revision.objects.pending().of("faq", faq.pk).exists()
    assert "waiting for review" in reviewer.get(confirm_url(faq)).content.decode()
    response = reviewer.post(confirm_url(faq), follow=True)
    assert "Not confirmed: a change to this answer is waiting for review" in response.content.decode()
    assert unchanged(faq)


def test_a_reviewer_may_confirm_alone_when_two_people_must_approve_changes(reviewer, settings):
    settings.SIGNOFF_TWO_PEOPLE = True
    faq = overdue()
    reviewer.post(confirm_url(faq))
    assert FAQ.objects.get(pk=faq.pk).reviewed == timezone.localdate()


def test_an_answer_that_no_longer_passes_the_checks_cannot_be_confirmed(reviewer):
    faq = overdue()
    FAQ.objects.filter(pk=faq.pk).update(sources=[])  # its sources were removed by hand
    faq.refresh_from_db()
    response = reviewer.post(confirm_url(faq), follow=True)
    assert "Not confirmed: it cannot be published as it is now" in response.content.decode()
    assert unchanged(faq)


def test_an_address_that_is_not_an_answer_is_not_found(reviewer):
    assert reviewer.get("/admin/faq/faq/999999/confirm-review/").status_code == 404
    assert reviewer.get("/admin/faq/faq/nope/confirm-review/").status_code == 404


def test_the_due_list_the_home_box_and_review_status_count_the_same_published_answers(reviewer, make_faq):
    import io
    import re

    from django.core.management import call_command

    overdue("gamma")
    draft = make_faq("draft-one", status=FAQ.Status.DRAFT, reviewed=datetime.date(2020, 1, 1))
    due_page = reviewer.get("/admin/faq/faq/due/").content.decode()
    assert "Overdue (1)" in due_page and draft.question not in due_page
    assert re.search(r"1 overdue", reviewer.get("/admin/").content.decode())
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("review_status", stdout=out, stderr=io.StringIO())
    assert "Overdue: 1" in out.getvalue()
