"""Who may do what in the clinical sign-off: every role against every sign-off action, and what each one gets.

A change by an editor ("writer") to the answer "gamma" waits for review; each role then tries each action. A
refused action changes nothing: the change still waits, and the live answer and its public page are as before.
"""

import pytest
from django.contrib.auth.models import Group, User

from faq.editors import REVIEWER_GROUP
from faq.models import FAQ, ReviewerProfile, Revision
from tests.admin_forms import client_for, form_fields, make_user, post_change, saved

ROLES = ["anonymous", "view-only staff", "editor", "reviewer", "superuser"]

# What each role gets. login: sent to the login page. shown: the page opens. forbidden: 403. refused: back to
# the page with a message saying why. done: the action happened. On the review page, "decide" means it offers
# Approve and Send back; "look" means it shows the change without them.
EXPECTED = {
    "open the queue": {
        "anonymous": "login", "view-only staff": "shown", "editor": "shown", "reviewer": "shown",
        "superuser": "shown",
    },
    "open a review page": {
        "anonymous": "login", "view-only staff": "shown to look", "editor": "shown to look",
        "reviewer": "shown to decide", "superuser": "shown to decide",
    },
    "approve": {
        "anonymous": "login", "view-only staff": "refused", "editor": "refused", "reviewer": "done",
        "superuser": "done",
    },
    "send back": {
        "anonymous": "login", "view-only staff": "refused", "editor": "refused", "reviewer": "done",
        "superuser": "done",
    },
    "withdraw": {
        "anonymous": "login", "view-only staff": "forbidden", "editor": "done", "reviewer": "done",
        "superuser": "done",
    },
    "open the due list": {
        "anonymous": "login", "view-only staff": "shown", "editor": "shown", "reviewer": "shown",
        "superuser": "shown",
    },
    "open an answer's edit page": {
        "anonymous": "login", "view-only staff": "shown to look", "editor": "shown to edit",
        "reviewer": "shown to edit", "superuser": "shown to edit",
    },
    "save a change that needs review": {
        "anonymous": "login", "view-only staff": "forbidden", "editor": "waits for review",
        "reviewer": "waits for review", "superuser": "waits for review",
    },
    "type a review stamp by hand": {
        "anonymous": "login", "view-only staff": "forbidden", "editor": "stamp ignored",
        "reviewer": "stamp ignored", "superuser": "stamp ignored",
    },
    "change the reviewers group": {
        "anonymous": "login", "view-only staff": "forbidden", "editor": "forbidden", "reviewer": "forbidden",
        "superuser": "done",
    },
    "name someone as a clinical reviewer": {
        "anonymous": "login", "view-only staff": "forbidden", "editor": "forbidden", "reviewer": "forbidden",
        "superuser": "done",
    },
}  # fmt: skip

WRITER_TEXT = "A change from the writer that waits for review."


@pytest.fixture
def pending(site_loaded):
    """The writer's change to gamma, waiting for review."""
    writer = client_for(make_user("writer", group="FAQ editors"))
    saved(post_change(writer, FAQ.objects.get(slug="gamma"), body=WRITER_TEXT))
    return Revision.objects.get(state=Revision.State.PENDING)


def user_for(role):
    if role == "anonymous":
        return None
    if role == "view-only staff":
        return make_user("viewer", view_only=True)
    if role == "editor":
        return make_user("editor", group="FAQ editors")
    if role == "reviewer":
        return make_user("reviewer", group=REVIEWER_GROUP, reviewer_name="Sam Lee, PsyD")
    return make_user("boss", superuser=True, reviewer_name="Dana Ortiz, LCSW")


def sent_to_login(response):
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def messages_of(client):
    """The messages the next page would show (the admin shows them after a redirect)."""
    response = client.get("/admin/faq/revision/?state__exact=approved")
    return [str(message) for message in response.context["messages"]] if response.context else []


def decision(client, revision, response, done_state):
    """What a decision (approve, send back, withdraw) came to, judged by what changed."""
    if sent_to_login(response):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    revision.refresh_from_db()
    if revision.state == done_state:
        return "done"
    assert response.status_code == 302 and response["Location"] == f"/admin/faq/revision/{revision.pk}/change/"
    [message] = messages_of(client)
    assert message.startswith("Not done: only clinical reviewers can"), message
    return "refused"


def open_page(client, path):
    response = client.get(path)
    if sent_to_login(response):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    assert response.status_code == 200
    return "shown"


def act(action, client, revision):
    """Do the action as this client; return what it came to."""
    gamma = FAQ.objects.get(slug="gamma")
    review_url = f"/admin/faq/revision/{revision.pk}/change/"
    if action == "open the queue":
        result = open_page(client, "/admin/faq/revision/")
        if result == "shown":
            assert revision.title in client.get("/admin/faq/revision/").content.decode()
        return result
    if action == "open a review page":
        result = open_page(client, review_url)
        if result != "shown":
            return result
        html = client.get(review_url).content.decode()
        assert WRITER_TEXT in html
        can_decide = 'value="approve"' in html, 'value="send_back"' in html
        assert can_decide in {(True, True), (False, False)}, can_decide
        return "shown to decide" if can_decide[0] else "shown to look"
    if action == "approve":
        response = client.post(review_url, {"step": "approve", "note": "Checked."})
        return decision(client, revision, response, Revision.State.APPROVED)
    if action == "send back":
        response = client.post(review_url, {"step": "send_back", "comment": "Say who to call first."})
        return decision(client, revision, response, Revision.State.SENT_BACK)
    if action == "withdraw":
        response = client.post(review_url, {"step": "withdraw"})
        return decision(client, revision, response, Revision.State.WITHDRAWN)
    if action == "open the due list":
        return open_page(client, "/admin/faq/faq/due/")
    if action == "open an answer's edit page":
        return open_entry(client, gamma)
    if action in ("save a change that needs review", "type a review stamp by hand"):
        return save_alpha(client, by_hand=action == "type a review stamp by hand")
    if action == "change the reviewers group":
        group = Group.objects.get(name=REVIEWER_GROUP)
        response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": []})
        if sent_to_login(response) or response.status_code == 403:
            assert group.permissions.count() > 0
            return "login" if sent_to_login(response) else "forbidden"
        assert response.status_code == 302 and group.permissions.count() == 0
        return "done"
    assert action == "name someone as a clinical reviewer"
    writer = User.objects.get(username="writer")
    data = {"user": writer.pk, "display_name": "Pat Fake", "credentials": "MD"}
    response = client.post("/admin/faq/reviewerprofile/add/", data)
    made = ReviewerProfile.objects.filter(display_name="Pat Fake").exists()
    if sent_to_login(response) or response.status_code == 403:
        assert not made
        return "login" if sent_to_login(response) else "forbidden"
    assert response.status_code == 302 and made
    return "done"


def open_entry(client, faq):
    """The answer's edit page: editable, or read-only (showing the approved answer) for a view-only account."""
    result = open_page(client, f"/admin/faq/faq/{faq.pk}/change/")
    if result != "shown":
        return result
    html = client.get(f"/admin/faq/faq/{faq.pk}/change/").content.decode()
    if 'name="body"' in html:
        assert WRITER_TEXT in html and "Waiting for review." in html  # staff who edit work on the waiting change
        return "shown to edit"
    assert "An answer." in html and 'name="_save"' not in html
    return "shown to look"


def save_alpha(client, *, by_hand):
    """Change alpha's answer in its form (and, by_hand, type a review stamp into the post as well)."""
    alpha = FAQ.objects.get(slug="alpha")
    url = f"/admin/faq/faq/{alpha.pk}/change/"
    page = client.get(url)
    if sent_to_login(page):
        assert sent_to_login(client.post(url, {"body": "x"}))
        return "login"
    data = form_fields(client, url)
    if "body" not in data:  # a view-only form shows no fields to post: post what an editor would
        data = {"body": "Changed."}
    data["body"] = "Alpha takes {{ fact:weekly-hours }}. Changed."
    if by_hand:
        data.update(reviewed="2031-01-01", reviewer="Pat Fake, MD")
    response = client.post(url, data)
    if response.status_code == 403:
        return "forbidden"
    assert response.status_code == 302
    revision = Revision.objects.get(kind="faq", object_id=alpha.pk, state=Revision.State.PENDING)
    assert "Changed." in revision.text
    assert FAQ.objects.get(pk=alpha.pk).body == alpha.body  # readers still see the approved answer
    if by_hand:
        assert "2031-01-01" not in revision.text and "Pat Fake" not in revision.text
        assert "reviewed: 2026-11-20" in revision.text and "reviewer: Dana Ortiz, LCSW" in revision.text
        return "stamp ignored"
    return "waits for review"


def unchanged(revision, action, result):
    """A refused or forbidden action left the change waiting and the live answer and its page as they were."""
    gamma = FAQ.objects.get(slug="gamma")
    revision.refresh_from_db()
    if result in ("done", "waits for review", "stamp ignored") and action in ("approve", "send back", "withdraw"):
        return
    assert revision.state == Revision.State.PENDING
    assert gamma.body == "An answer."
    assert FAQ.objects.get(slug="alpha").body == "Alpha takes {{ fact:weekly-hours }}."


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says_for_each_sign_off_action(pending, client, role, action):
    user = user_for(role)
    if user is not None:
        client.force_login(user)
    result = act(action, client, pending)
    assert result == EXPECTED[action][role]
    unchanged(pending, action, result)


def test_an_approval_by_a_reviewer_publishes_the_change_with_their_name(pending, client):
    reviewer = client_for(user_for("reviewer"))
    reviewer.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "approve"})
    html = client.get("/faq/gamma/").content.decode()
    assert WRITER_TEXT in html and "Reviewed by Sam Lee, PsyD, on" in html


def test_a_refused_approval_leaves_the_public_page_as_it_was(pending, client):
    editor = client_for(user_for("editor"))
    editor.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "approve"})
    html = client.get("/faq/gamma/").content.decode()
    assert WRITER_TEXT not in html and "An answer." in html


def test_a_superuser_without_a_reviewer_profile_is_told_to_add_one_before_approving(pending):
    admin = client_for(make_user("root", superuser=True))
    response = admin.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "approve"}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert message == (
        "Not done: add your name and credentials (Reviewer profiles) before approving, so pages can name you."
    )
    pending.refresh_from_db()
    assert pending.state == Revision.State.PENDING


def test_a_reviewer_in_the_group_without_a_profile_cannot_approve(pending):
    nameless = client_for(make_user("nameless", group=REVIEWER_GROUP))
    nameless.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "approve"})
    pending.refresh_from_db()
    assert pending.state == Revision.State.PENDING


def test_with_two_people_required_a_reviewer_cannot_approve_their_own_change(site_loaded, settings):
    settings.SIGNOFF_TWO_PEOPLE = True
    author = client_for(make_user("author", group=REVIEWER_GROUP, reviewer_name="Sam Lee, PsyD"))
    saved(post_change(author, FAQ.objects.get(slug="gamma"), body="The author's own change."))
    revision = Revision.objects.get(state=Revision.State.PENDING)
    page = author.get(f"/admin/faq/revision/{revision.pk}/change/").content.decode()
    assert 'value="approve"' not in page
    assert "you made this change; a second clinical reviewer must approve it" in page
    response = author.post(f"/admin/faq/revision/{revision.pk}/change/", {"step": "approve"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Not done: you made this change; a second clinical reviewer must approve it."
    ]
    revision.refresh_from_db()
    assert revision.state == Revision.State.PENDING

    second = client_for(make_user("second", group=REVIEWER_GROUP, reviewer_name="Ana Ruiz, MD"))
    second.post(f"/admin/faq/revision/{revision.pk}/change/", {"step": "approve"})
    revision.refresh_from_db()
    assert revision.state == Revision.State.APPROVED
    assert FAQ.objects.get(slug="gamma").reviewer == "Ana Ruiz, MD"


def test_with_two_people_required_a_reviewer_who_changed_someone_elses_change_cannot_approve_it(pending, settings):
    """Editing a waiting change makes you one of its authors: approving it then needs another reviewer."""
    settings.SIGNOFF_TWO_PEOPLE = True
    reviewer = client_for(user_for("reviewer"))
    saved(post_change(reviewer, FAQ.objects.get(slug="gamma"), body=WRITER_TEXT + " And a reviewer's words."))
    reviewer.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "approve"})
    pending.refresh_from_db()
    assert pending.state == Revision.State.PENDING


def test_a_decided_change_cannot_be_approved_again(pending):
    reviewer = client_for(user_for("reviewer"))
    reviewer.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "send_back", "comment": "Add a source."})
    reviewer.get("/admin/faq/revision/")  # shows (and clears) the "sent back" message
    response = reviewer.post(f"/admin/faq/revision/{pending.pk}/change/", {"step": "approve"}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert message == "Not done: this change is sent back, not waiting for review."
    assert FAQ.objects.get(slug="gamma").body == "An answer."
