"""Database rows ⇄ entries: the one mapping between a model row and its kind's fields (faq/kinds.py).

`entry_of` reads a row as an Entry (what export writes and what load compares against); `apply` writes an Entry
into a row and its link tables. Loads, approvals, direct admin saves and restores all write through `apply`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist

from .content import Entry, fingerprint
from .kinds import ENGLISH, KINDS
from .models import FAQ, Alias, Fact, RelatedFAQ, SearchWords, SiteInfo, Topic

MODELS = {"topic": Topic, "fact": Fact, "faq": FAQ, "site": SiteInfo, "search": SearchWords}
KIND_OF = {model: name for name, model in MODELS.items()}
# Fields kept in other tables than the row's own.
_LINK_FIELDS = {"topic", "related", "aliases", "translation_of"}


def kind_of(obj):
    return KIND_OF[type(obj)]


@dataclass
class Links:
    """Every FAQ's related slugs (in order) and earlier addresses, read in two queries."""

    related: dict = field(default_factory=lambda: defaultdict(list))
    aliases: dict = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def read(cls, faq_ids=None):
        links = cls()
        related = RelatedFAQ.objects.order_by("faq_id", "position", "id")
        aliases = Alias.objects.all()
        if faq_ids is not None:
            related, aliases = related.filter(faq_id__in=faq_ids), aliases.filter(faq_id__in=faq_ids)
        for faq_id, slug in related.values_list("faq_id", "target__slug"):
            links.related[faq_id].append(slug)
        for faq_id, slug in aliases.values_list("faq_id", "slug"):
            links.aliases[faq_id].append(slug)
        return links


def entry_of(obj, links: Links | None = None, path: str = "") -> Entry:
    """A row as an entry: the values its file would hold."""
    kind = KINDS[kind_of(obj)]
    if kind.name == "faq" and links is None:
        links = Links.read([obj.pk])
    language = getattr(obj, "language", ENGLISH)
    data = {item.name: _value_of(obj, item.name, links) for item in kind.fields_for(language)}
    body = obj.body if kind.has_body else ""
    return Entry(kind.name, path or obj.source_path or kind.title(data, language), data, body, language=language)


def _value_of(obj, name, links):
    if name == "related":
        return list(links.related[obj.pk])
    if name == "aliases":
        return sorted(links.aliases[obj.pk])
    if name in ("topic", "translation_of"):
        try:
            related = getattr(obj, name)
        except ObjectDoesNotExist:  # a version from History whose topic or original was deleted since
            return ""
        return related.slug if related is not None else ""
    return getattr(obj, name)


def original_of(kind_name, data):
    """The English row a translation's values name: by translation_of (answers, topics), by key (facts), or the
    one English row of a kind with one entry (site information)."""
    english = MODELS[kind_name].objects.filter(language=ENGLISH)
    if "translation_of" in KINDS[kind_name].by_name:
        return english.filter(slug=data.get("translation_of")).first()
    if KINDS[kind_name].key:
        return english.filter(**{KINDS[kind_name].key: data.get(KINDS[kind_name].key)}).first()
    return english.first()


_NOT_IN_ENTRIES = ("body_html", "content_hash", "content_changed_at", "created_at", "updated_at", "source_sha256")


def rows_with_entries(kind_name, pks=None):
    """(row, entry) for every row of a kind (or those with these primary keys), FAQ links read in two queries."""
    pks = None if pks is None else list(pks)
    if kind_name == "faq":
        links = Links.read(pks)
        # Only what an entry holds, with each FAQ's topic and original in the same query.
        rows = FAQ.objects.select_related("topic", "translation_of").defer(*_NOT_IN_ENTRIES)
    else:
        links, rows = None, MODELS[kind_name].objects.all()
    return [(row, entry_of(row, links)) for row in (rows if pks is None else rows.filter(pk__in=pks))]


@dataclass
class Applied:
    """What an apply changed that other rows show: a fact's value or key, an FAQ's address or visibility; each
    as (language, key or slug), since a body shows the facts and pages of its own language."""

    fact_keys: set = field(default_factory=set)
    slugs: set = field(default_factory=set)

    def update(self, other):
        self.fact_keys |= other.fact_keys
        self.slugs |= other.slugs


def apply(
    obj, entry: Entry, *, render_context=None, topics=None, reason="", record_version=True, links=True
) -> Applied:
    """Write an entry into a row (new or existing) and its link tables; return what other rows must show anew.

    With record_version=False the caller writes the version itself (faq.history.record_versions, in bulk); with
    links=False it sets the FAQ's related list and addresses itself, once every FAQ of a load exists.
    """
    kind = KINDS[entry.kind]
    before = None if obj._state.adding else _shown_elsewhere(obj)
    _set_fields(obj, entry, kind)
    if kind.name == "faq":
        obj.topic = _topic(entry, topics)
        obj._history_links = {"related": list(entry.data["related"]), "aliases": list(entry.data["aliases"])}
    obj._change_reason = reason[:100] if reason else None
    _save(obj, kind, render_context, record_version)
    if kind.name == "faq" and links:
        set_links(obj, entry.data["related"], entry.data["aliases"])
    return _what_others_show(before, obj, entry)


def _set_fields(obj, entry, kind):
    """The entry's own values onto the row: its fields (not the link tables), language, body and original."""
    for item in entry.fields:
        if item.name not in _LINK_FIELDS:
            setattr(obj, item.name, entry.data[item.name])
    if hasattr(obj, "language"):
        obj.language = entry.language
    if kind.has_body:
        obj.body = entry.body
    if "translation_of" in entry.data:
        obj.translation_of = MODELS[entry.kind].objects.get(language=ENGLISH, slug=entry.data["translation_of"])


def _topic(entry, topics):
    key = (entry.language, entry.data["topic"])
    return topics[key] if topics else Topic.objects.get(language=entry.language, slug=entry.data["topic"])


def _shown_elsewhere(obj):
    """What other rows show of this one: a fact's key and value, an FAQ's address and visibility."""
    return {name: getattr(obj, name) for name in ("key", "value", "slug", "status") if hasattr(obj, name)}


def _save(obj, kind, render_context, record_version):
    if not record_version:
        obj.skip_history_when_saving = True
    try:
        obj.save(render_context=render_context) if kind.has_body else obj.save()
    finally:
        if not record_version:
            del obj.skip_history_when_saving


def _what_others_show(before, obj, entry):
    """A new FAQ is shown nowhere yet (no body can link to a slug that did not exist); a changed one is."""
    applied = Applied()
    if before is None:
        return applied
    if entry.kind == "fact" and (before["key"], before["value"]) != (obj.key, obj.value):
        applied.fact_keys.add((entry.language, before["key"]))
    if entry.kind == "faq" and (before["slug"], before["status"]) != (obj.slug, obj.status):
        applied.slugs.update((entry.language, slug) for slug in {before["slug"], obj.slug, *entry.data["aliases"]})
    return applied


def set_links(faq, related, aliases):
    """Make the FAQ's related list and earlier addresses exactly these slugs; related slugs that are not an FAQ
    (checked earlier by the caller) are skipped."""
    current = list(faq.related_links.order_by("position", "id").values_list("target__slug", flat=True))
    if current != list(related):
        ids = dict(FAQ.objects.filter(language=faq.language, slug__in=related).values_list("slug", "pk"))
        RelatedFAQ.objects.filter(faq=faq).delete()
        RelatedFAQ.objects.bulk_create(
            RelatedFAQ(faq=faq, target_id=ids[slug], position=position)
            for position, slug in enumerate(related)
            if slug in ids and ids[slug] != faq.pk
        )
    wanted = set(aliases)
    have = set(faq.aliases.values_list("slug", flat=True))
    if have != wanted:
        Alias.objects.filter(faq=faq).exclude(slug__in=wanted).delete()
        Alias.objects.bulk_create(Alias(slug=slug, faq=faq, language=faq.language) for slug in sorted(wanted - have))


def set_many_links(wanted, current: Links, *, batch_size=500):
    """set_links for many FAQs in a few queries: `wanted` is [(faq, related slugs, aliases)], `current` their
    links as they are now (Links.read before any of them changed)."""
    ids = {(language, slug): pk for language, slug, pk in FAQ.objects.values_list("language", "slug", "pk")}
    relink, new_related, unwanted_aliases, new_aliases = [], [], [], []
    for faq, related, aliases in wanted:
        if list(current.related[faq.pk]) != list(related):
            relink.append(faq.pk)
            new_related += _related_rows(faq, related, ids)
        have, keep = set(current.aliases[faq.pk]), set(aliases)
        unwanted_aliases += [(faq.pk, slug) for slug in have - keep]
        new_aliases += [Alias(slug=slug, faq=faq, language=faq.language) for slug in sorted(keep - have)]
    for start in range(0, len(relink), batch_size):
        RelatedFAQ.objects.filter(faq_id__in=relink[start : start + batch_size]).delete()
    for faq_id, slug in unwanted_aliases:
        Alias.objects.filter(faq_id=faq_id, slug=slug).delete()
    RelatedFAQ.objects.bulk_create(new_related, batch_size=batch_size)
    Alias.objects.bulk_create(new_aliases, batch_size=batch_size)


def _related_rows(faq, related, ids):
    """The FAQ's related list as rows, in order; slugs with no FAQ in its language, and itself, left out."""
    targets = [ids.get((faq.language, slug)) for slug in related]
    return [
        RelatedFAQ(faq=faq, target_id=target, position=position)
        for position, target in enumerate(targets)
        if target is not None and target != faq.pk
    ]


def live_fingerprint(obj, links=None):
    return fingerprint(entry_of(obj, links))
