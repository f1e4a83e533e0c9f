"""Versions of content entries (django-simple-history).

simple-history keeps a version of a Topic, Fact, FAQ or SiteInfo on every save and delete, with who made it (the
staff member, or nobody for load_content) and why (`history_change_reason`). An FAQ's related FAQs and earlier
addresses live in other tables, so each FAQ version also stores them, as slugs, in its `links` column (and a
deleted FAQ's version, the FAQs that listed it). Restoring a version is a change like any other: History's
"Revert" saves it through the admin form and the sign-off (faq/admin.py).
"""

from collections import defaultdict

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from .models import FAQ, Alias, RelatedFAQ

# load_content's bookkeeping: left out of the "Changes" column of History (paths and fingerprints mean nothing to
# staff), and never changed by a restore, so the next load counts a restore as an admin edit.
BOOKKEEPING = ("source_path", "source_sha256", "loaded_fingerprint")


def current_links(faq_id):
    related = RelatedFAQ.objects.filter(faq_id=faq_id).order_by("position", "id").values_list("target__slug")
    aliases = Alias.objects.filter(faq_id=faq_id).values_list("slug", flat=True)
    return {"related": [slug for (slug,) in related], "aliases": sorted(aliases)}


@receiver(pre_delete, sender=FAQ)
def _remember_links_before_delete(sender, instance, **kwargs):
    """The delete cascades to the link tables before the version is written: read them while they exist."""
    links = current_links(instance.pk)
    incoming = RelatedFAQ.objects.filter(target_id=instance.pk).values_list("faq__slug", "position")
    links["linked_from"] = [[slug, position] for slug, position in incoming]
    instance._history_links = links


@receiver(pre_create_historical_record, sender=FAQ.history.model)
def _store_links(sender, instance, history_instance, **kwargs):
    links = getattr(instance, "_history_links", None)
    history_instance.links = links if links is not None else current_links(instance.pk)


def record_versions(saved, *, batch_size=500):
    """Write the versions for (obj, history_type) pairs saved with skip_history_when_saving, in bulk.

    load_content saves many entries at once; one bulk insert per model is much cheaper than simple-history's
    one-by-one signal, and writes the same rows (no user: the reason names the command).
    """
    now = timezone.now()
    rows = defaultdict(list)
    history_models = {}  # each `Model.history` access builds a manager, which is slow: look it up once per model
    for obj, history_type in saved:
        if type(obj) not in history_models:
            history_models[type(obj)] = type(obj).history.model
        model = history_models[type(obj)]
        row = model(
            history_date=now,
            history_user=None,
            history_type=history_type,
            history_change_reason=obj._change_reason,
            **{field.attname: getattr(obj, field.attname) for field in model.tracked_fields},
        )
        if isinstance(obj, FAQ):
            row.links = obj._history_links
        rows[model].append(row)
    for model, batch in rows.items():
        model.objects.bulk_create(batch, batch_size=batch_size)
