"""Clinical sign-off: a change to what readers see waits for a named clinician's approval.

A change saved in the admin (or restored from history) to a public entry becomes a Revision, the entry as it
would be, in its file form; the live row keeps showing readers the approved version. A clinical reviewer
approves it (it goes live at once, stamped with their name, today's date and the next due date) or sends it
back with a comment. Drafts and where an entry is listed save at once (faq.kinds.needs_review_from_admin).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import dependants
from .content import Entry, dump, fingerprint, parse
from .entries import MODELS, apply, entry_of, kind_of, set_links
from .kinds import KINDS, needs_review_from_admin
from .locking import lock_content
from .models import FAQ, ReviewerProfile, ReviewEvent, Revision
from .validation import deletion_problems, problems

APPROVE_PERMISSION = "faq.approve_revision"


class Refused(Exception):
    """The step cannot be taken; the message says why and what to do."""


@dataclass
class Saved:
    obj: object  # the live row (None for a new entry that waits for review)
    revision: Revision | None  # the change waiting for review, or None if it went live at once


def who(user):
    if user is None:
        return "load_content"
    profile = ReviewerProfile.objects.filter(user=user).first()
    return profile.stamp if profile else (user.get_full_name() or user.get_username())


def staff_version(obj):
    """(entry, open revision or None): what staff work on now, the waiting change if there is one."""
    revision = Revision.objects.open().of(kind_of(obj), obj.pk).first()
    if revision is not None:
        return parse(revision.text.encode(), revision.title, revision.kind, revision.language), revision
    return entry_of(obj), None


def _event(revision, action, user, note=""):
    ReviewEvent.objects.create(
        revision=revision, action=action, user=user, who=who(user), note=note, text=revision.text
    )


def save(kind_name, obj, entry: Entry, *, user, origin="the admin", also_listed_on=(), restore_pk=None) -> Saved:
    """Save a change made by staff: live at once if no reviewer is needed, else as a change waiting for review.

    The caller holds the content lock and has checked the entry (faq.validation.problems). restore_pk brings a
    deleted entry back under its old id, so its history stays one history.
    """
    revision = Revision.objects.open().of(kind_name, obj.pk).first() if obj is not None else None
    live = entry_of(obj) if obj is not None else None
    if revision is None and not needs_review_from_admin(live, entry):
        obj = obj or MODELS[kind_name](pk=restore_pk)
        reason = f"changed in {origin}" if obj.pk else f"added in {origin}"
        _go_live(obj, entry, reason=reason, also_listed_on=also_listed_on)
        return Saved(obj, None)
    if revision is None:
        object_id = obj.pk if obj is not None else restore_pk
        revision = _submit(kind_name, object_id, entry, live, user=user, origin=origin, also_listed_on=also_listed_on)
    else:
        _update(revision, entry, user=user, origin=origin, also_listed_on=also_listed_on)
    if user is not None:
        revision.contributors.add(user)
    return Saved(obj, revision)


def _submit(kind_name, object_id, entry, live, *, user, origin, also_listed_on):
    revision = Revision.objects.create(
        kind=kind_name,
        language=entry.language,
        object_id=object_id,
        name=entry.name,
        title=_title(entry),
        text=dump(entry),
        fingerprint=fingerprint(entry),
        base_text=dump(live) if live else "",
        origin=origin,
        created_by=user,
        also_listed_on=list(also_listed_on),
    )
    _event(revision, ReviewEvent.Action.SUBMITTED, user)
    return revision


def _update(revision, entry, *, user, origin, also_listed_on):
    """Save over a change that waits (or was sent back): it waits for review again; each step keeps its text."""
    revision.text, revision.fingerprint = dump(entry), fingerprint(entry)
    revision.name, revision.title, revision.origin = entry.name, _title(entry), origin
    revision.state, revision.updated_at = Revision.State.PENDING, timezone.now()
    revision.also_listed_on = sorted(set(revision.also_listed_on) | set(also_listed_on))
    revision.save()
    _event(revision, ReviewEvent.Action.UPDATED, user)


def _title(entry):
    return entry.data.get("question") or entry.data.get("label") or entry.data.get("title") or entry.data.get("name")


def _go_live(obj, entry, *, reason, also_listed_on=()):
    created = obj.pk is None
    applied = apply(obj, entry, reason=reason)
    if also_listed_on:
        _list_on(obj, also_listed_on)
    if not created or entry.kind != "faq":
        dependants.rerender(applied, skip={(type(obj), obj.pk)})
    return obj


def _list_on(faq, slugs):
    """Add an FAQ to the end of these FAQs' related lists (and to their waiting changes, so approving those
    later does not drop the link)."""
    for other in FAQ.objects.filter(slug__in=slugs).exclude(pk=faq.pk):
        related = list(other.related_links.order_by("position", "id").values_list("target__slug", flat=True))
        if faq.slug not in related:
            other._change_reason = f"listed “{faq.slug}” as related"[:100]
            other._history_links = {
                "related": [*related, faq.slug],
                "aliases": sorted(other.aliases.values_list("slug", flat=True)),
            }
            set_links(other, [*related, faq.slug], other._history_links["aliases"])
            other.save()
        waiting = Revision.objects.open().of("faq", other.pk).first()
        if waiting is not None:
            entry = parse(waiting.text.encode(), waiting.title, "faq", waiting.language)
            if faq.slug not in entry.data["related"]:
                entry.data["related"].append(faq.slug)
                waiting.text, waiting.fingerprint = dump(entry), fingerprint(entry)
                waiting.save(update_fields=["text", "fingerprint"])


def request_deletion(obj, *, user):
    """Deleting a public entry waits for review like any change; a draft FAQ is deleted at once."""
    kind_name = kind_of(obj)
    if kind_name == "faq" and not obj.is_published:
        _delete(obj, reason="deleted in the admin (a draft)")
        return None
    found = deletion_problems(obj)
    if found.errors:
        raise Refused("; ".join(problem.message for problem in found.errors))
    if Revision.objects.open().of(kind_name, obj.pk).exists():
        raise Refused("a change to this entry is waiting for review; approve, send back or withdraw it first")
    live = entry_of(obj)
    revision = _submit(kind_name, obj.pk, live, live, user=user, origin="the admin (delete)", also_listed_on=())
    revision.action = Revision.Action.DELETE
    revision.save(update_fields=["action"])
    revision.contributors.add(user)
    return revision


def can_approve(user, revision):
    """None if this user may approve this revision, else the reason they may not."""
    if not user.has_perm(APPROVE_PERMISSION):
        return "only clinical reviewers can approve changes"
    if not ReviewerProfile.objects.filter(user=user).exists():
        return "add your name and credentials (Reviewer profiles) before approving, so pages can name you"
    if settings.SIGNOFF_TWO_PEOPLE and revision.contributors.filter(pk=user.pk).exists():
        return "you made this change; a second clinical reviewer must approve it"
    if revision.state != Revision.State.PENDING:
        return f"this change is {revision.get_state_display().lower()}, not waiting for review"
    return None


def approve(revision, *, user, note=""):
    """Publish a waiting change at once, stamped with the reviewer's name, today's date and the next due date."""
    reason = can_approve(user, revision)
    if reason:
        raise Refused(reason)
    with transaction.atomic():
        lock_content(wait=20)
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if revision.state != Revision.State.PENDING:
            raise Refused("this change is no longer waiting for review (someone else decided it)")
        stamp = ReviewerProfile.objects.get(user=user).stamp
        obj = MODELS[revision.kind].objects.filter(pk=revision.object_id).first() if revision.object_id else None
        if revision.action == Revision.Action.DELETE:
            _delete(obj, reason=f"deleted, approved by {stamp}")
        else:
            obj = _publish(revision, obj, stamp)
            revision.object_id = obj.pk
        revision.state, revision.decided_by, revision.decided_at = Revision.State.APPROVED, user, timezone.now()
        revision.note = note
        revision.save()
        _event(revision, ReviewEvent.Action.APPROVED, user, note)
    return obj


def confirm_unchanged(obj, *, user, note=""):
    """A reviewer read an answer again and it is still right: stamp it reviewed today without changing a word.

    It is recorded as a change with no difference, approved by that reviewer, so History and the review queue
    show who confirmed it and when, and the answer's next review date moves on."""
    kind_name = kind_of(obj)
    if "reviewed" not in KINDS[kind_name].by_name:
        raise Refused(f"a {KINDS[kind_name].label} has no clinical review date")
    if Revision.objects.open().of(kind_name, obj.pk).exists():
        raise Refused("a change to this answer is waiting for review; approve or send back that change instead")
    with transaction.atomic():
        live = entry_of(obj)
        origin = "a review with no change"
        revision = _submit(kind_name, obj.pk, live, live, user=user, origin=origin, also_listed_on=())
        reason = can_approve(user, revision)
        if reason:
            raise Refused(reason)
        return approve(revision, user=user, note=note or "Read again: still right, no change.")


def _delete(obj, *, reason):
    found = deletion_problems(obj)
    if found.errors:
        raise Refused("; ".join(problem.message for problem in found.errors))
    obj._change_reason = reason[:100]
    obj.delete()


def _publish(revision, obj, stamp):
    """The revision's entry, stamped and checked again against the site as it is now, live in its row."""
    entry = parse(revision.text.encode(), revision.title, revision.kind, revision.language)
    if "reviewed" in KINDS[revision.kind].by_name:
        entry.data["reviewed"], entry.data["reviewer"] = timezone.localdate(), stamp
    found = problems(entry, obj, also_listed_on=revision.also_listed_on, stamped_on_approval=False, approving=True)
    if found.errors:
        reasons = "; ".join(p.message for p in found.errors[:3])
        raise Refused(f"it cannot be published as it is now: {reasons}. Send it back with this note")
    obj = obj or MODELS[revision.kind](pk=revision.object_id)  # a new entry, or a deleted one restored under its id
    return _go_live(obj, entry, reason=f"approved by {stamp}", also_listed_on=revision.also_listed_on)


def send_back(revision, *, user, comment):
    """Return a waiting change to its editor with a comment; the public page is unchanged."""
    if not user.has_perm(APPROVE_PERMISSION):
        raise Refused("only clinical reviewers can send changes back")
    if not comment.strip():
        raise Refused("write a comment that tells the editor what to change")
    if revision.state != Revision.State.PENDING:
        raise Refused("this change is no longer waiting for review")
    revision.state, revision.decided_by, revision.decided_at = Revision.State.SENT_BACK, user, timezone.now()
    revision.note = comment.strip()
    revision.save()
    _event(revision, ReviewEvent.Action.SENT_BACK, user, comment.strip())


def withdraw(revision, *, user):
    """Drop a change that waits for review or was sent back; the public page is unchanged."""
    if not revision.is_open:
        raise Refused("this change is not open")
    revision.state = Revision.State.WITHDRAWN
    revision.save(update_fields=["state"])
    _event(revision, ReviewEvent.Action.WITHDRAWN, user)
