"""The rules an admin change must pass: the same as a file's, judged against the database.

`problems(entry, obj)` checks one entry as it would be saved over its live row (None for a new entry): the file
rules (faq/content.py: what its file form may hold, and what it may refer to), the editorial checks
(faq/quality.py), and what other entries would lose (a removed address that pages link to, a fact key that
answers use, the last link to a page). `deletion_problems(obj)` does the same for deleting an entry. Whatever
passes here exports to files that load back with no error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from . import quality
from .content import Entry, Problem, references
from .entries import MODELS, entry_of, kind_of
from .kinds import ENGLISH, FAQ_LINK_RE, KINDS, LANGUAGE_NAMES, is_public
from .models import FAQ, Alias, Fact, RelatedFAQ, Revision, SiteInfo, Topic
from .quality import ERROR

MODELS_WITH_BODIES = (FAQ, Fact, SiteInfo)


@dataclass
class Found:
    errors: list = field(default_factory=list)  # Problems (field, message): refuse the change
    warnings: list = field(default_factory=list)  # shown, saved anyway

    def error(self, field_name, message):
        self.errors.append(Problem("", None, message, field_name))

    def warning(self, field_name, message):
        self.warnings.append(Problem("", None, message, field_name))


def _names(items, limit=5):
    items = sorted(set(items))
    shown = ", ".join(f"“{item}”" for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --- what links where, in the database ---------------------------------------------------------------------------


def addresses_of(faq):
    """An FAQ's slug and earlier addresses: a link to any of them reaches it."""
    return {faq.slug, *faq.aliases.values_list("slug", flat=True)}


def texts_linking_to(addresses, language, *, exclude=None):
    """Rows in a language whose text (a body, or a fact's value) links to any of these addresses (that language's
    FAQ addresses); `exclude` is left out."""
    addresses = set(addresses)
    for model in MODELS_WITH_BODIES if addresses else ():
        query = Q()
        for address in addresses:
            query |= Q(body__contains=f"faq:{address}")
            if model is Fact:
                query |= Q(value__contains=f"faq:{address}")
        for obj in model.objects.filter(query, language=language):
            text = obj.body + (obj.value if model is Fact else "")
            if not _same_row(obj, exclude) and {m.group(1) for m in FAQ_LINK_RE.finditer(text)} & addresses:
                yield obj


def rows_using_fact(key, language, *, exclude=None):
    """Rows in a language whose body shows this fact (that language's value of it)."""
    token = r"\{\{[ \t]*fact:[ \t]*" + re.escape(key) + r"[ \t]*\}\}"
    return [
        obj
        for model in MODELS_WITH_BODIES
        for obj in model.objects.filter(body__regex=token, language=language)
        if not _same_row(obj, exclude)
    ]


def _same_row(obj, other):
    return other is not None and type(obj) is type(other) and obj.pk == other.pk


def _is_public(obj):
    return getattr(obj, "status", FAQ.Status.PUBLISHED) == FAQ.Status.PUBLISHED


def _faq_links(entry):
    return set(quality.links_of(entry))


class DatabaseView(quality.SiteView):
    """The site as the database holds it, with `entry` in place of its live row `obj` (None: a new entry), and
    `also_listed_on` adding it to those FAQs' related lists."""

    def __init__(self, entry: Entry, obj, also_listed_on=()):
        self.entry, self.obj, self.also_listed_on = entry, obj, set(also_listed_on)
        self.language = language = entry.language
        self.facts = dict(Fact.objects.filter(language=language).values_list("key", "value"))
        if entry.kind == "fact":
            self.facts.pop(getattr(obj, "key", None), None)
            self.facts[entry.data["key"]] = entry.data["value"]
        self.statuses = dict(FAQ.objects.filter(language=language).values_list("slug", "status"))
        self.statuses.update(Alias.objects.filter(language=language).values_list("slug", "faq__status"))
        if entry.kind == "faq":
            for slug in addresses_of(obj) if obj is not None else ():
                self.statuses.pop(slug, None)
            self.statuses.update(dict.fromkeys(self.own_addresses(), entry.data["status"]))

    def own_addresses(self):
        return {self.entry.data["slug"], *self.entry.data["aliases"]} if self.entry.kind == "faq" else set()

    def faq_status(self, slug):
        return self.statuses.get(slug)

    def linked_from(self, slug):
        """(page or fact, whether readers see it) for everything that would link to this FAQ after the change."""
        target, addresses = self._target(slug)
        found = {(str(obj), _is_public(obj)) for obj in texts_linking_to(addresses, self.language, exclude=self.obj)}
        if target is not None:
            listing = RelatedFAQ.objects.filter(target=target)
            if isinstance(self.obj, FAQ):  # the edited FAQ's own list is the entry's, counted below
                listing = listing.exclude(faq_id=self.obj.pk)
            found |= {(q, s == "published") for q, s in listing.values_list("faq__question", "faq__status")}
        listed = FAQ.objects.filter(language=self.language, slug__in=self.also_listed_on)
        listed = listed.values_list("question", "status")
        found |= {(question, status == "published") for question, status in listed}
        if _faq_links(self.entry) & addresses and not self.own_addresses() & addresses:
            found.add((self.entry.title, is_public(self.entry)))
        return found

    def _target(self, slug):
        """The FAQ row a slug names (the edited one, for its own addresses) and every address it answers to."""
        if slug in self.own_addresses():
            target = self.obj if isinstance(self.obj, FAQ) else None
            addresses = self.own_addresses()
        else:
            named = Q(slug=slug) | Q(aliases__slug=slug)
            target = FAQ.objects.filter(named, language=self.language).first()
            addresses = {slug}
        return target, addresses | (addresses_of(target) if target is not None else set())


# --- one change ------------------------------------------------------------------------------------------------


def problems(entry: Entry, obj, *, also_listed_on=(), stamped_on_approval=True, approving=False) -> Found:
    """Everything wrong with saving `entry` over `obj` (None: a new entry), as form-field errors and warnings.

    With stamped_on_approval, the review stamp is left to the approving reviewer (not checked here). approving:
    the entry is a waiting change being published, so other waiting changes are not held against it.
    """
    found = Found()
    _check_identity(found, entry, obj)
    if not approving:
        _check_waiting(found, entry, obj)
    _check_translation(found, entry, obj)
    _check_references(found, entry, obj)
    _check_what_others_lose(found, entry, obj)
    view = DatabaseView(entry, obj, also_listed_on)
    for finding in quality.check_entry(entry, view, today=timezone.localdate(), overdue=quality.WARNING):
        if not (stamped_on_approval and finding.field in ("reviewed", "reviewer")):
            (found.error if finding.level == ERROR else found.warning)(finding.field, finding.message)
    _check_links_lost(found, entry, obj, view)
    return found


def _check_identity(found, entry, obj):
    """The slug or key is this entry's alone; an FAQ's earlier addresses are nobody else's."""
    model = MODELS[entry.kind]
    translatable = any(f.name == "language" for f in model._meta.get_fields())
    in_language = model.objects.filter(language=entry.language) if translatable else model.objects.all()
    if not KINDS[entry.kind].key:  # a kind with one entry per language
        if obj is None and in_language.exists():
            found.error("", f"the {KINDS[entry.kind].label} already exists; change it instead of adding another")
        return
    key = KINDS[entry.kind].key
    others = in_language.exclude(pk=obj.pk) if obj is not None else in_language
    if others.filter(**{key: entry.data[key]}).exists():
        label = "FAQ" if entry.kind == "faq" else entry.kind
        found.error(key, f"another {label} already uses “{entry.data[key]}”")
    if entry.kind == "faq":
        _check_addresses(found, entry, obj, others)


def _check_waiting(found, entry, obj):
    """No other change waiting for review would take the same slug, key or (one per language) place: approving
    both would make two of one."""
    waiting = Revision.objects.pending().filter(kind=entry.kind, language=entry.language, name=entry.name)
    if obj is not None:
        waiting = waiting.exclude(object_id=obj.pk)
    if waiting.exists():
        kind = KINDS[entry.kind]
        where = f"“{entry.name}”" if kind.key else f"the {LANGUAGE_NAMES[entry.language]} {kind.label}"
        found.error(
            KINDS[entry.kind].key or "",
            f"{where} is already waiting for review as another change; approve or send back that one first",
        )


def _check_addresses(found, entry, obj, other_faqs):
    aliases = Alias.objects.filter(language=entry.language)
    aliases = aliases.exclude(faq=obj) if obj is not None else aliases
    if aliases.filter(slug=entry.data["slug"]).exists():
        found.error("slug", "another FAQ used this address before (it redirects there); choose another")
    taken = set(other_faqs.filter(slug__in=entry.data["aliases"]).values_list("slug", flat=True))
    taken |= set(aliases.filter(slug__in=entry.data["aliases"]).values_list("slug", flat=True))
    if taken:
        found.error("aliases", f"these addresses belong to another FAQ: {', '.join(sorted(taken))}")
    if entry.data["slug"] in entry.data["related"]:
        found.error("related", "an FAQ cannot be related to itself; remove it from the list")


def _check_references(found, entry, obj):
    """What the entry refers to exists: its topic, related FAQs, facts and linked FAQs."""
    if entry.kind == "faq":
        _check_topic_and_related(found, entry)
    view = DatabaseView(entry, obj)
    for line, field_name, kind, token in references(entry):
        where = f"line {line}: " if field_name == "body" else ""
        if kind == "fact" and token not in view.facts:
            found.error(field_name, f"{where}unknown fact '{token}' in {{{{ fact:{token} }}}}")
        elif kind == "faq" and view.faq_status(token) is None:
            found.error(field_name, f"{where}link to unknown FAQ 'faq:{token}'")


def _check_topic_and_related(found, entry):
    if not Topic.objects.filter(language=entry.language, slug=entry.data["topic"]).exists():
        found.error("topic", f"topic “{entry.data['topic']}” does not exist")
    faqs = FAQ.objects.filter(language=entry.language, slug__in=entry.data["related"])
    real = set(faqs.values_list("slug", flat=True))
    missing = [slug for slug in entry.data["related"] if slug not in real and slug != entry.data["slug"]]
    if missing:
        found.error("related", f"these related FAQs do not exist: {', '.join(missing)}")


def _check_what_others_lose(found, entry, obj):
    """A changed key or a dropped address must not break what other entries use."""
    if obj is None:
        return
    if entry.kind == "fact" and obj.key != entry.data["key"]:
        users = rows_using_fact(obj.key, obj.language, exclude=obj)
        if users:
            found.error(
                "key", f"these still use {{{{ fact:{obj.key} }}}}; change them first: {_names(map(str, users))}"
            )
        translated = _translations_of(obj)
        if translated:
            found.error("key", f"{_names(map(str, translated))} translates this fact by its key; change it first")
    if entry.kind == "faq":
        dropped = addresses_of(obj) - {entry.data["slug"], *entry.data["aliases"]}
        users = [str(user) for user in texts_linking_to(dropped, obj.language, exclude=obj)]
        if users:
            found.error(
                "aliases",
                f"{_names(users)} link to {', '.join(sorted(dropped))}; keep it as an earlier address, or change "
                "those links first",
            )


def _check_links_lost(found, entry, obj, view):
    """Removing a link must not leave a published FAQ with no page at all linking to it."""
    if obj is None or entry.kind == "topic":
        return
    before = entry_of(obj)
    for slug in sorted(_faq_links(before) - _faq_links(entry)):
        if view.faq_status(slug) == "published" and not view.linked_from(slug):
            found.error(
                "related" if slug in before.data.get("related", []) else "body",
                f"“{slug}” would have no page linking to it; link to it from another question first",
            )


# --- deleting an entry -------------------------------------------------------------------------------------------


def deletion_problems(obj) -> Found:
    """What deleting an entry would break: links and fact tokens in other entries' text, related lists left
    too short, pages left with nothing linking to them, FAQs in a topic."""
    found = Found()
    kind = kind_of(obj)
    if kind == "faq":
        _faq_deletion_problems(found, obj)
    elif kind == "fact":
        users = rows_using_fact(obj.key, obj.language, exclude=obj)
        if users:
            found.error("", f"{_names(map(str, users))} use {{{{ fact:{obj.key} }}}}; change them first")
    elif kind == "topic" and obj.faqs.exists():
        found.error("", f"{obj.faqs.count()} FAQ(s) are in this topic; move them to another topic first")
    elif not KINDS[kind].key and getattr(obj, "language", ENGLISH) == ENGLISH:
        found.error("", f"the {KINDS[kind].label} cannot be deleted; change it instead")
    translated = _translations_of(obj)
    if translated:
        found.error("", f"{_names(map(str, translated))} translates it; delete that translation first")
    return found


# --- translations ------------------------------------------------------------------------------------------------


def _translations_of(obj):
    """The rows that translate an English row (by the translation_of link, or a fact by its key)."""
    if getattr(obj, "language", ENGLISH) != ENGLISH:
        return []
    if isinstance(obj, Fact):
        return list(Fact.objects.filter(key=obj.key).exclude(language=ENGLISH))
    if isinstance(obj, (FAQ, Topic)):
        return list(obj.translations.all())
    return []


def _check_translation(found, entry, obj):
    """A translation names an English entry that exists and that nothing else in its language translates; an
    answer sits in the translation of its English answer's topic; a fact translates an English fact by its key
    (the same rules the files follow, faq/content.py)."""
    if entry.language == ENGLISH:
        return
    if entry.kind == "fact" and not Fact.objects.filter(language=ENGLISH, key=entry.data["key"]).exists():
        found.error("key", f"there is no English fact “{entry.data['key']}” to translate; use the English key")
    if entry.kind not in ("faq", "topic"):
        return
    model = MODELS[entry.kind]
    name = entry.data["translation_of"]
    original = model.objects.filter(language=ENGLISH, slug=name).first()
    if original is None:
        found.error("translation_of", f"“{name}” is not an English {KINDS[entry.kind].label}")
        return
    _check_one_translation(found, model, entry, obj, original)
    if entry.kind == "faq":
        _check_translated_topic(found, entry, original)


def _check_one_translation(found, model, entry, obj, original):
    others = model.objects.filter(language=entry.language, translation_of=original)
    other = (others.exclude(pk=obj.pk) if obj is not None else others).first()
    if other is not None:
        found.error("translation_of", f"“{other}” already translates “{original}”; change that one instead")


def _check_translated_topic(found, entry, original):
    topic = Topic.objects.filter(language=entry.language, slug=entry.data["topic"]).first()
    if topic is not None and topic.translation_of_id != original.topic_id:
        found.error("topic", f"“{original}” is in “{original.topic}”; choose the translation of that topic")


def _faq_deletion_problems(found, faq):
    addresses = addresses_of(faq)
    users = [str(user) for user in texts_linking_to(addresses, faq.language, exclude=faq)]
    if users:
        found.error("", f"{_names(users)} link to it in their text; change those links first")
    for other in FAQ.objects.published().filter(related_links__target=faq).exclude(pk=faq.pk):
        if other.related_links.exclude(target=faq).count() < quality.MIN_RELATED:
            found.error("", f"“{other}” would list fewer than {quality.MIN_RELATED} related FAQs; add another first")
    gone = entry_of(faq)
    gone.data["status"] = "draft"  # as if it were gone: its own links no longer count
    view = DatabaseView(gone, faq)
    for slug in sorted(_faq_links(gone) - addresses):
        others = {source for source in view.linked_from(slug) if source[0] != gone.title}
        if view.faq_status(slug) == "published" and not others:
            found.error("", f"“{slug}” would have no page linking to it; link to it from another question first")
