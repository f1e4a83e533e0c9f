"""The staff groups: "FAQ editors" write; "Clinical reviewers" also approve or send back changes.

Neither group can see or change accounts. Editors cannot delete entries (they make an FAQ a draft to hide it) and
cannot approve; reviewers can, and are named on the pages they approve (their reviewer profile). `migrate` resets
both groups' permissions to exactly these every time.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

EDITOR_GROUP = "FAQ editors"
REVIEWER_GROUP = "Clinical reviewers"

# model -> actions, for editors.
EDITOR_ACTIONS = {
    "faq": ("view", "add", "change"),
    "fact": ("view", "add", "change"),
    "topic": ("view", "add", "change"),
    "siteinfo": ("view", "change"),
    "searchwords": ("view", "change"),
    "revision": ("view",),
}
REVIEWER_EXTRA = ["approve_revision", "view_reviewerprofile"]


def _permissions(actions, extra=()):
    content_types = ContentType.objects.filter(app_label="faq", model__in=actions)
    wanted = [f"{action}_{model}" for model, names in actions.items() for action in names] + list(extra)
    return Permission.objects.filter(content_type__in=content_types, codename__in=wanted)


def editor_permissions():
    return _permissions(EDITOR_ACTIONS)


def reviewer_permissions():
    return _permissions({**EDITOR_ACTIONS, "reviewerprofile": ()}, REVIEWER_EXTRA)


def sync_editor_group():
    """Create both groups if needed and set their permissions to exactly these; return (editors, count)."""
    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    permissions = list(editor_permissions())
    editors.permissions.set(permissions)
    reviewers, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    reviewers.permissions.set(list(reviewer_permissions()))
    return editors, len(permissions)
