"""The rules an admin change must pass: the same as a file's, judged against the database.

`problems(entry, obj)` checks one entry as it would be saved over its live row (None for a new entry): the file
rules (faq/content.py: what its file form may hold, and what it may refer to), the editorial checks
(faq/quality.py), and what other entries would lose (a removed address that pages link to, a fact key that
answers use, the last link to a page). `deletion_problems(obj)` does the same for deleting an entry. Whatever
passes here exports to files that load back with no error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from . import quality
from .content import Entry, Problem, references
from .entries import kind_of
from .kinds import FAQ_LINK_RE
from .models import FAQ, Alias, Fact, RelatedFAQ, SiteInfo, Topic
from .quality import ERROR


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


class DatabaseView(quality.SiteView):
    """The site as the database holds it, with `entry` in place of its live row and `also_listed_on` adding it
    to those FAQs' related lists."""

    def __init__(self, entry: Entry, obj, also_listed_on=()):
        self.entry, self.obj, self.also_listed_on = entry, obj, set(also_listed_on)
        self.facts = dict(Fact.objects.values_list("key", "value"))
        self.statuses = dict(FAQ.objects.values_list("slug", "status"))
        self.statuses.update(Alias.objects.values_list("slug", "faq__status"))
        if entry.kind == "fact":
            if obj is not None:
                self.facts.pop(obj.key, None)
            self.facts[entry.data["key"]] = entry.data["value"]
        if entry.kind == "faq":
            if obj is not None:
                for slug in [obj.slug, *obj.aliases.values_list("slug", flat=True)]:
                    self.statuses.pop(slug, None)
            for slug in [entry.data["slug"], *entry.data["aliases"]]:
                self.statuses[slug] = entry.data["status"]

    def faq_status(self, slug):
        return self.statuses.get(slug)

    def _edited(self, kind_model, pk):
        return self.obj is not None and isinstance(self.obj, kind_model) and self.obj.pk == pk

    def linked_from(self, slug):
        """Pages and facts that link to this FAQ (any of its addresses), as they would be after the change."""
        addresses = {slug}
        edited = self.entry.kind == "faq" and slug in [self.entry.data["slug"], *self.entry.data["aliases"]]
        if edited:
            target = self.obj if isinstance(self.obj, FAQ) else None
            addresses |= {self.entry.data["slug"], *self.entry.data["aliases"]}
        else:
            target = FAQ.objects.filter(Q(slug=slug) | Q(aliases__slug=slug)).first()
        if target is not None:
            addresses |= {target.slug, *target.aliases.values_list("slug", flat=True)}
        found = set()
        if target is not None:
            for question, status, pk in RelatedFAQ.objects.filter(target=target).values_list(
                "faq__question", "faq__status", "faq_id"
            ):
                if not self._edited(FAQ, pk):
                    found.add((question, status == "published"))
        for model in (FAQ, Fact, SiteInfo):
            query = Q()
            for address in addresses:
                query |= Q(body__contains=f"faq:{address}")
                if model is Fact:
                    query |= Q(value__contains=f"faq:{address}")
            for obj in model.objects.filter(query):
                if self._edited(model, obj.pk):
                    continue
                text = obj.body + (obj.value if model is Fact else "")
                if {m.group(1) for m in FAQ_LINK_RE.finditer(text)} & addresses:
                    found.add((str(obj), getattr(obj, "status", "published") == "published"))
        for question, status in FAQ.objects.filter(slug__in=self.also_listed_on).values_list("question", "status"):
            found.add((question, status == "published"))
        own = self.entry
        own_targets = set(own.data.get("related", [])) if own.kind == "faq" else set()
        own_targets |= {token for _, _, found_kind, token in references(own) if found_kind == "faq"}
        if own_targets & addresses and own.name not in addresses:
            found.add((own.title, own.data.get("status", "published") == "published"))
        return found


def problems(entry: Entry, obj, *, also_listed_on=(), stamped_on_approval=True) -> Found:
    """Everything wrong with saving `entry` over `obj` (None: a new entry), as form-field errors and warnings.

    With stamped_on_approval, the review stamp is left to the approving reviewer (not checked here).
    """
    found = Found()
    _check_identity(found, entry, obj)
    _check_references(found, entry, obj)
    _check_what_others_lose(found, entry, obj)
    view = DatabaseView(entry, obj, also_listed_on)
    today = timezone.localdate()
    for finding in quality.check_entry(entry, view, today=today, overdue=quality.WARNING):
        if stamped_on_approval and finding.field in ("reviewed", "reviewer"):
            continue
        (found.error if finding.level == ERROR else found.warning)(finding.field, finding.message)
    _check_links_lost(found, entry, obj, view)
    return found


def _check_identity(found, entry, obj):
    """The slug or key is this entry's alone; an FAQ's earlier addresses are nobody else's."""
    kind = entry.kind
    if kind == "site":
        if obj is None and SiteInfo.objects.exists():
            found.error("", "the site information already exists; change it instead of adding another")
        return
    model = {"faq": FAQ, "topic": Topic, "fact": Fact}[kind]
    key = "key" if kind == "fact" else "slug"
    others = model.objects.exclude(pk=obj.pk) if obj is not None else model.objects.all()
    if others.filter(**{key: entry.data[key]}).exists():
        found.error(key, f"another {kind if kind != 'faq' else 'FAQ'} already uses “{entry.data[key]}”")
    if kind == "faq":
        aliases = Alias.objects.exclude(faq=obj) if obj is not None else Alias.objects.all()
        if aliases.filter(slug=entry.data["slug"]).exists():
            found.error("slug", "another FAQ used this address before (it redirects there); choose another")
        taken = set(others.filter(slug__in=entry.data["aliases"]).values_list("slug", flat=True))
        taken |= set(aliases.filter(slug__in=entry.data["aliases"]).values_list("slug", flat=True))
        if taken:
            found.error("aliases", f"these addresses belong to another FAQ: {', '.join(sorted(taken))}")
        if entry.data["slug"] in entry.data["related"]:
            found.error("related", "an FAQ cannot be related to itself; remove it from the list")


def _check_references(found, entry, obj):
    """What the entry refers to exists: its topic, related FAQs, facts and linked FAQs."""
    view_facts = set(Fact.objects.values_list("key", flat=True))
    if entry.kind == "fact":
        if obj is not None:
            view_facts.discard(obj.key)
        view_facts.add(entry.data["key"])
    slugs = set(FAQ.objects.values_list("slug", flat=True)) | set(Alias.objects.values_list("slug", flat=True))
    if entry.kind == "faq":
        if obj is not None:
            slugs -= {obj.slug, *obj.aliases.values_list("slug", flat=True)}
        slugs |= {entry.data["slug"], *entry.data["aliases"]}
        if not Topic.objects.filter(slug=entry.data["topic"]).exists():
            found.error("topic", f"topic “{entry.data['topic']}” does not exist")
        real = set(FAQ.objects.filter(slug__in=entry.data["related"]).values_list("slug", flat=True))
        missing = [slug for slug in entry.data["related"] if slug not in real and slug != entry.data["slug"]]
        if missing:
            found.error("related", f"these related FAQs do not exist: {', '.join(missing)}")
    for line, field_name, kind, token in references(entry):
        where = f"line {line}: " if field_name == "body" else ""
        if kind == "fact" and token not in view_facts:
            found.error(field_name, f"{where}unknown fact '{token}' in {{{{ fact:{token} }}}}")
        elif kind == "faq" and token not in slugs:
            found.error(field_name, f"{where}link to unknown FAQ 'faq:{token}'")


def _uses_fact(key):
    token = r"\{\{[ \t]*fact:[ \t]*" + key.replace("-", r"\-") + r"[ \t]*\}\}"
    return [obj for model in (FAQ, Fact, SiteInfo) for obj in model.objects.filter(body__regex=token)]


def _linking_to(addresses, exclude=None):
    users = []
    for model in (FAQ, Fact, SiteInfo):
        query = Q()
        for address in addresses:
            query |= Q(body__contains=f"faq:{address}")
            if model is Fact:
                query |= Q(value__contains=f"faq:{address}")
        for obj in model.objects.filter(query) if addresses else ():
            text = obj.body + (obj.value if model is Fact else "")
            if exclude is not None and isinstance(obj, type(exclude)) and obj.pk == exclude.pk:
                continue
            if {m.group(1) for m in FAQ_LINK_RE.finditer(text)} & set(addresses):
                users.append(str(obj))
    return users


def _check_what_others_lose(found, entry, obj):
    """A changed key or a dropped address must not break what other entries use."""
    if obj is None:
        return
    if entry.kind == "fact" and obj.key != entry.data["key"]:
        users = [str(user) for user in _uses_fact(obj.key) if not (isinstance(user, Fact) and user.pk == obj.pk)]
        if users:
            found.error("key", f"these still use {{{{ fact:{obj.key} }}}}; change them first: {_names(users)}")
    if entry.kind == "faq":
        kept = {entry.data["slug"], *entry.data["aliases"]}
        dropped = {obj.slug, *obj.aliases.values_list("slug", flat=True)} - kept
        users = _linking_to(dropped, exclude=obj)
        if users:
            found.error(
                "aliases",
                f"{_names(users)} link to {', '.join(sorted(dropped))}; keep it as an earlier address, or change "
                "those links first",
            )


def _check_links_lost(found, entry, obj, view):
    """Removing a link must not leave a published FAQ with no page at all linking to it."""
    if obj is None or entry.kind not in ("faq", "fact", "site"):
        return
    from .entries import entry_of

    before = entry_of(obj)
    had = {token for _, _, kind, token in references(before) if kind == "faq"} | set(before.data.get("related", []))
    has = {token for _, _, kind, token in references(entry) if kind == "faq"} | set(entry.data.get("related", []))
    for slug in sorted(had - has):
        if view.faq_status(slug) == "published" and not view.linked_from(slug):
            found.error(
                "related" if slug in before.data.get("related", []) else "body",
                f"“{slug}” would have no page linking to it; link to it from another question first",
            )


def deletion_problems(obj) -> Found:
    """What deleting an entry would break: links and fact tokens in other entries' text, related lists left
    too short, pages left with nothing linking to them, FAQs in a topic."""
    found = Found()
    kind = kind_of(obj)
    if kind == "faq":
        addresses = {obj.slug, *obj.aliases.values_list("slug", flat=True)}
        users = _linking_to(addresses, exclude=obj)
        if users:
            found.error("", f"{_names(users)} link to it in their text; change those links first")
        for other in FAQ.objects.filter(related_links__target=obj, status=FAQ.Status.PUBLISHED).exclude(pk=obj.pk):
            if other.related_links.exclude(target=obj).count() < quality.MIN_RELATED:
                found.error(
                    "", f"“{other}” would list fewer than {quality.MIN_RELATED} related FAQs; add another first"
                )
        from .entries import entry_of

        gone = entry_of(obj)
        gone.data["status"] = "draft"  # as if it were gone: its own links no longer count
        view = DatabaseView(gone, obj)
        own = set(gone.data["related"]) | {token for _, _, k, token in references(gone) if k == "faq"}
        for slug in sorted(own - addresses):
            others = {source for source in view.linked_from(slug) if source[0] != gone.title}
            if view.faq_status(slug) == "published" and not others:
                found.error("", f"“{slug}” would have no page linking to it; link to it from another question first")
    elif kind == "fact":
        users = [str(user) for user in _uses_fact(obj.key) if not (isinstance(user, Fact) and user.pk == obj.pk)]
        if users:
            found.error("", f"{_names(users)} use {{{{ fact:{obj.key} }}}}; change them first")
    elif kind == "topic" and obj.faqs.exists():
        found.error("", f"{obj.faqs.count()} FAQ(s) are in this topic; move them to another topic first")
    elif kind == "site":
        found.error("", "the site information cannot be deleted; change it instead")
    return found
