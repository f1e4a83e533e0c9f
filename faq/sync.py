"""Write a validated ContentSet into the database: the only place content files reach the models."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse

from .content import ContentSet, dump, fingerprint_data
from .models import (
    FAQ,
    Alias,
    Fact,
    RelatedFAQ,
    SiteInfo,
    Topic,
    content_fingerprint,
    current_render_context,
    rerender_linking_to,
    rerender_using_fact,
)

CREATE, UPDATE, UNCHANGED, KEPT, CONFLICT = "created", "updated", "unchanged", "kept", "conflict"


@dataclass
class Conflict:
    label: str
    path: str
    diff: str


@dataclass
class SyncReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    kept: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    dry_run: bool = False

    def summary(self):
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        if self.kept:
            parts.append(f"{len(self.kept)} kept admin edits")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts")
        return ", ".join(parts)

    def record(self, action, label):
        if action == CREATE:
            self.created.append(label)
        elif action == UPDATE:
            self.updated.append(label)
        elif action == KEPT:
            self.kept.append(label)
            self.unchanged += 1
        else:
            self.unchanged += 1


class _DryRunRollback(Exception):
    pass


def _decide(obj, file_fingerprint, force):
    if obj is None:
        return CREATE
    db_fingerprint = obj.fingerprint()
    if db_fingerprint == file_fingerprint:
        return UNCHANGED
    if force or db_fingerprint == obj.loaded_fingerprint:
        return UPDATE
    if file_fingerprint == obj.loaded_fingerprint:
        return KEPT
    return CONFLICT


def _diff(kind, obj, entry):
    admin = obj.content_data()
    body = admin.pop("body", "")
    ours = dump(kind, admin, body).splitlines(keepends=True)
    theirs = dump(kind, entry.data, entry.body).splitlines(keepends=True)
    return "".join(difflib.unified_diff(ours, theirs, "admin (database)", entry.path))


def _mark_loaded(obj, entry, fingerprint):
    fields = {"source_path": entry.path, "source_sha256": entry.sha256, "loaded_fingerprint": fingerprint}
    if any(getattr(obj, name) != value for name, value in fields.items()):
        type(obj).objects.filter(pk=obj.pk).update(**fields)


class _Sync:
    def __init__(self, content: ContentSet, force: bool, report: SyncReport):
        self.content = content
        self.force = force
        self.report = report
        self.changed_fact_keys = set()
        self.renamed_slugs = set()

    def run(self):
        self.render_context = self.build_render_context()
        self.sync_simple(Topic, "topic", self.content.topics, "slug")
        self.sync_simple(Fact, "fact", self.content.facts, "key")
        if self.content.site:
            self.sync_site(self.content.site)
        self.sync_faqs()
        for key in self.changed_fact_keys:
            rerender_using_fact(key)
        for slug in self.renamed_slugs:
            rerender_linking_to(slug)
        self.find_missing()

    def resolve(self, obj, kind, entry, label):
        fingerprint = content_fingerprint(fingerprint_data(kind, entry.data, entry.body))
        action = _decide(obj, fingerprint, self.force)
        self.report.record(action, label)
        if action == CONFLICT:
            self.report.conflicts.append(Conflict(label, entry.path, _diff(kind, obj, entry)))
        elif action in (UNCHANGED, KEPT):
            _mark_loaded(obj, entry, obj.loaded_fingerprint if action == KEPT else fingerprint)
        return action, fingerprint

    def sync_simple(self, model, kind, entries, key):
        existing = {getattr(obj, key): obj for obj in model.objects.all()}
        for entry in entries:
            obj = existing.get(entry.data[key])
            action, fingerprint = self.resolve(obj, kind, entry, f"{kind} {entry.data[key]}")
            if action not in (CREATE, UPDATE):
                continue
            if kind == "fact" and obj is not None and obj.value != entry.data["value"]:
                self.changed_fact_keys.add(obj.key)
            obj = obj or model()
            for name, value in entry.data.items():
                setattr(obj, name, value)
            obj.source_path, obj.source_sha256, obj.loaded_fingerprint = entry.path, entry.sha256, fingerprint
            if kind == "fact":
                obj.body = entry.body
                obj.save(render_context=self.render_context)
            else:
                obj.save()

    def build_render_context(self):
        """Render against the content being loaded: its facts and slugs, plus whatever else is in the database."""
        context = current_render_context()
        for entry in self.content.faqs:
            url = reverse("faq:detail", args=[entry.data["slug"]])
            context.faq_urls[entry.data["slug"]] = url
            for alias in entry.data["aliases"]:
                context.faq_urls[alias] = url
        for entry in self.content.facts:
            context.facts[entry.data["key"]] = entry.data["value"]
        return context

    def sync_site(self, entry):
        obj = SiteInfo.objects.first()
        action, fingerprint = self.resolve(obj, "site", entry, "site information")
        if action not in (CREATE, UPDATE):
            return
        obj = obj or SiteInfo()
        for name, value in entry.data.items():
            setattr(obj, name, value)
        obj.body = entry.body
        obj.source_path, obj.source_sha256, obj.loaded_fingerprint = entry.path, entry.sha256, fingerprint
        obj.save(render_context=self.render_context)

    def sync_faqs(self):
        topics = {topic.slug: topic for topic in Topic.objects.all()}
        existing = {}
        for faq in FAQ.objects.select_related("topic").prefetch_related("related_links__target", "aliases"):
            existing[faq.slug] = faq
        by_alias = {alias.slug: faq for faq in existing.values() for alias in faq.aliases.all()}
        pending_links = []
        for entry in self.content.faqs:
            data = entry.data
            # An entry renamed in its file lists its old slug as an alias: follow it to the same row.
            obj = existing.get(data["slug"]) or next(
                (existing.get(a) or by_alias.get(a) for a in data["aliases"] if a in existing or a in by_alias), None
            )
            action, fingerprint = self.resolve(obj, "faq", entry, f"FAQ {data['slug']}")
            if action not in (CREATE, UPDATE):
                continue
            if obj is not None and obj.slug != data["slug"]:
                self.renamed_slugs.add(obj.slug)
            obj = obj or FAQ()
            for name in ("question", "slug", "summary", "order", "reviewed", "reviewer", "sources", "status"):
                setattr(obj, name, data[name])
            obj.topic = topics[data["topic"]]
            obj.body = entry.body
            obj.source_path, obj.source_sha256, obj.loaded_fingerprint = entry.path, entry.sha256, fingerprint
            obj.save(render_context=self.render_context)
            Alias.objects.filter(faq=obj).exclude(slug__in=data["aliases"]).delete()
            for alias in data["aliases"]:
                Alias.objects.update_or_create(slug=alias, defaults={"faq": obj})
            pending_links.append((obj, data["related"]))
        if pending_links:
            ids = dict(FAQ.objects.values_list("slug", "pk"))
            RelatedFAQ.objects.filter(faq__in=[obj for obj, _ in pending_links]).delete()
            RelatedFAQ.objects.bulk_create(
                RelatedFAQ(faq=obj, target_id=ids[slug], position=position)
                for obj, related in pending_links
                for position, slug in enumerate(related)
            )

    def find_missing(self):
        for model, kind, key, entries in (
            (Topic, "topic", "slug", self.content.topics),
            (Fact, "fact", "key", self.content.facts),
            (FAQ, "FAQ", "slug", self.content.faqs),
        ):
            present = {entry.data[key] for entry in entries}
            for value, path in model.objects.exclude(source_path="").values_list(key, "source_path"):
                if value not in present:
                    self.report.missing.append(f"{kind} {value} (was {path})")


def sync(content: ContentSet, *, dry_run=False, force=False) -> SyncReport:
    """Apply content to the database in one transaction; with dry_run, report and roll everything back."""
    report = SyncReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _Sync(content, force, report).run()
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report
