"""Versions of content entries (django-simple-history), and putting an old version back.

simple-history keeps a version of a Topic, Fact, FAQ or SiteInfo on every save and delete, with who made it (the
staff member, or nobody for load_content) and why (`history_change_reason`). An FAQ's related FAQs and earlier
addresses live in other tables, so each FAQ version also stores them, as slugs, in its `links` column.
"""

from collections import defaultdict

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from .models import FAQ, Alias, RelatedFAQ

# load_content's bookkeeping. A restored version keeps the newest values, so the next load still knows which file
# version it saw last, and counts the restore as an edit made in the admin.
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


def refresh_latest_links(faq):
    """Give the newest version the links as saved now (the admin saves inlines after the FAQ row)."""
    latest = FAQ.history.filter(id=faq.pk).order_by("-history_date", "-history_id").first()
    if latest is not None:
        latest.links = current_links(faq.pk)
        latest.save(update_fields=["links"])


def restore_reason(version):
    when = timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M")
    return f"restored the version of {when}"


def prepare_restore(obj):
    """Keep load_content's newest bookkeeping on a version about to be saved; return True if the entry was deleted."""
    model = type(obj)
    newest = model.objects.filter(pk=obj.pk).values(*BOOKKEEPING).first()
    deleted = newest is None
    if deleted:
        newest = (
            model.history.filter(id=obj.pk, history_type="-").order_by("-history_date").values(*BOOKKEEPING).first()
        )
    for name, value in (newest or {}).items():
        setattr(obj, name, value)
    return deleted


def restore_links(faq, version, *, was_deleted, reason):
    """Put back a version's related FAQs (in order) and earlier addresses; return what could not be put back.

    Related FAQs are set to exactly the version's list. Earlier addresses are only added, never removed, so every
    address that works now keeps working. For a deleted FAQ, the links other FAQs had to it come back too.
    """
    notes = []
    owners = dict(Alias.objects.values_list("slug", "faq_id"))
    by_slug = {**owners, **dict(FAQ.objects.values_list("slug", "pk"))}
    links = version.links or {}

    targets = []
    for slug in links.get("related", []):
        target = by_slug.get(slug)
        if target is None or target == faq.pk:
            notes.append(f"related FAQ '{slug}' does not exist any more")
        elif target not in targets:
            targets.append(target)
    RelatedFAQ.objects.filter(faq=faq).delete()
    RelatedFAQ.objects.bulk_create(
        RelatedFAQ(faq=faq, target_id=target, position=position) for position, target in enumerate(targets)
    )

    for slug in links.get("aliases", []):
        if by_slug.get(slug, faq.pk) != faq.pk:
            notes.append(f"earlier address '{slug}' now belongs to another FAQ")
        elif slug != faq.slug and owners.get(slug) != faq.pk:
            Alias.objects.create(slug=slug, faq=faq)

    deletions = FAQ.history.filter(id=faq.pk, history_type="-").order_by("-history_date")
    deletion = deletions.first() if was_deleted else None
    for slug, position in (deletion.links or {}).get("linked_from", []) if deletion else []:
        source = FAQ.objects.filter(pk=by_slug.get(slug)).first()
        if source is None or source.pk == faq.pk:
            notes.append(f"FAQ '{slug}' linked here but does not exist any more")
            continue
        _, created = RelatedFAQ.objects.get_or_create(faq=source, target=faq, defaults={"position": position})
        if created:
            source._change_reason = f"link to '{faq.slug}' put back ({reason})"[:100]
            source.save()
    refresh_latest_links(faq)
    return notes
