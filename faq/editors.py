"""The "FAQ editors" group: everything in this app's admin, nothing about accounts."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

EDITOR_GROUP = "FAQ editors"
# Editors hide an entry by making it a draft; they delete only the rows inside an FAQ's form (related FAQs,
# earlier addresses), which the form's "delete" boxes need.
DELETABLE = {"relatedfaq", "alias"}


def editor_permissions():
    models = apps.get_app_config("faq").get_models()
    content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False).values()
    wanted = []
    for content_type in content_types:
        actions = ["view", "add", "change"] + (["delete"] if content_type.model in DELETABLE else [])
        wanted += [f"{action}_{content_type.model}" for action in actions]
    return Permission.objects.filter(content_type__in=content_types, codename__in=wanted)


def sync_editor_group():
    """Create the group if needed and set its permissions to exactly the FAQ app's; return (group, count)."""
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    permissions = list(editor_permissions())
    group.permissions.set(permissions)
    return group, len(permissions)
