# load_content now fingerprints an entry by the values its file holds (faq.content.fingerprint: defaults left out,
# so a new optional field never changes a fingerprint). Rows whose stored fingerprint was the old kind get the new
# kind of the same content, so the next load still tells a file edit from an admin edit. The functions below are
# copies of the old and new fingerprints: a migration must keep working when the app code changes.

import hashlib
import json

from django.db import migrations

FIELDS = {
    "topic": [("slug", None), ("title", None), ("description", None), ("order", None)],
    "fact": [("key", None), ("label", None), ("value", None), ("order", None)],
    "faq": [
        ("question", None), ("slug", None), ("summary", None), ("topic", None), ("related", []), ("order", None),
        ("reviewed", None), ("reviewer", ""), ("review_months", 12), ("sources", []), ("status", "published"),
        ("aliases", []),
    ],
    "site": [("name", None), ("phone", None), ("email", ""), ("address", None), ("hours", None), ("intake", None)],
}
HAS_BODY = {"fact", "faq", "site"}
MODELS = {"topic": "Topic", "fact": "Fact", "faq": "FAQ", "site": "SiteInfo"}


def old_fingerprint(kind, values):
    data = {name: values[name] for name, _ in FIELDS[kind] if name != "review_months"}
    if kind == "faq":
        data["reviewed"] = data["reviewed"].isoformat() if data["reviewed"] else None
        data["aliases"] = sorted(data["aliases"])
    if kind in HAS_BODY:
        data["body"] = values["body"]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def new_fingerprint(kind, values):
    kept = []
    for name, default in FIELDS[kind]:
        value = sorted(values[name]) if name == "aliases" else values[name]
        if default is None or (value is not None and value != default):
            kept.append([name, value])
    body = values["body"] if kind in HAS_BODY else ""
    return hashlib.sha256(json.dumps([kind, kept, body], default=str, sort_keys=True).encode()).hexdigest()


def values_of(kind, row, links, topics):
    values = {name: getattr(row, name, default) for name, default in FIELDS[kind] if name not in ("topic", "related", "aliases")}
    if kind == "faq":
        values["topic"] = topics.get(row.topic_id, "")
        values["related"] = list(links.get("related", []))
        values["aliases"] = list(links.get("aliases", []))
        values.setdefault("review_months", 12)
    if kind in HAS_BODY:
        values["body"] = row.body
    return values


def refingerprint(apps, schema_editor):
    topics = dict(apps.get_model("faq", "Topic").objects.values_list("pk", "slug"))
    RelatedFAQ = apps.get_model("faq", "RelatedFAQ")
    Alias = apps.get_model("faq", "Alias")
    for kind, model_name in MODELS.items():
        model = apps.get_model("faq", model_name)
        history = apps.get_model("faq", "Historical" + model_name)
        for row in model.objects.exclude(loaded_fingerprint=""):
            links = {}
            if kind == "faq":
                links = {
                    "related": list(
                        RelatedFAQ.objects.filter(faq_id=row.pk).order_by("position", "id").values_list("target__slug", flat=True)
                    ),
                    "aliases": list(Alias.objects.filter(faq_id=row.pk).values_list("slug", flat=True)),
                }
            values = values_of(kind, row, links, topics)
            if old_fingerprint(kind, values) == row.loaded_fingerprint:
                model.objects.filter(pk=row.pk).update(loaded_fingerprint=new_fingerprint(kind, values))
                continue
            # Edited in the admin since: the last version a load wrote holds the content the file had.
            loads = history.objects.filter(id=row.pk, history_change_reason__startswith="load_content")
            for version in loads.order_by("-history_date", "-history_id")[:20]:
                version_values = values_of(kind, version, getattr(version, "links", None) or {}, topics)
                if old_fingerprint(kind, version_values) == row.loaded_fingerprint:
                    new = new_fingerprint(kind, version_values)
                    model.objects.filter(pk=row.pk).update(loaded_fingerprint=new)
                    break


class Migration(migrations.Migration):

    dependencies = [
        ("faq", "0005_signoff_and_review_due"),
    ]

    operations = [
        migrations.RunPython(refingerprint, migrations.RunPython.noop),
    ]
