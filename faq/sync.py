"""Content files ⇄ database: the only place the two meet.

`sync` writes a validated ContentSet into the database in one locked transaction; `export` writes database entries
back to files. Bookkeeping on each row (source_path, source_sha256, loaded_fingerprint) tells a file edit from an
admin edit, so neither side silently overwrites the other.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import os
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from .caching import bump_content_version, bumps_suspended
from .content import (
    FOLDERS,
    SITE_FILE,
    ContentError,
    ContentSet,
    Problem,
    dump,
    fingerprint_data,
    parse,
    read_file,
)
from .history import record_versions
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
from .rendering import RenderError

CREATE, UPDATE, UNCHANGED, KEPT, CONFLICT = "created", "updated", "unchanged", "kept", "conflict"
LOAD_REASON = "load_content"
# PostgreSQL advisory lock key held by load_content and export_content for the whole of their transaction.
LOCK_KEY = 7_346_918_201
CHUNK = 500


class Busy(Exception):
    """Another load_content or export_content is writing; nothing was done."""


@dataclass
class Conflict:
    label: str
    name: str  # the slug or key, as export_content --only takes it
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
    unpublished: list = field(default_factory=list)
    dry_run: bool = False

    def summary(self):
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        if self.kept:
            parts.append(f"{len(self.kept)} kept admin edits")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts")
        if self.unpublished:
            parts.append(f"{len(self.unpublished)} unpublished")
        return ", ".join(parts)

    def record(self, action, label, changed=()):
        if action == CREATE:
            self.created.append(label)
        elif action == UPDATE:
            self.updated.append(f"{label} ({', '.join(changed)})" if changed else label)
        elif action == KEPT:
            self.kept.append(label)
            self.unchanged += 1
        elif action == UNCHANGED:
            self.unchanged += 1


class _DryRunRollback(Exception):
    pass


# --- the content lock ---------------------------------------------------------------------------------------------


def _try_lock(cursor):
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        # Any write, even one that matches no row, takes SQLite's single writer lock until the transaction ends.
        cursor.execute("PRAGMA busy_timeout")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("UPDATE faq_siteinfo SET id = id WHERE 1 = 0")
        except DatabaseError as exc:
            if "locked" in str(exc):
                return False
            raise
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {previous}")
        return True
    return True  # other databases: their own row locks keep two loads from mixing


def lock_content(wait, on_wait=None):
    """Hold the content lock until the current transaction ends; wait up to `wait` seconds, then raise Busy."""
    with connection.cursor() as cursor:
        if _try_lock(cursor):
            return
        if on_wait:
            on_wait()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if _try_lock(cursor):
                return
    raise Busy(
        f"another load_content or export_content is still writing after {wait:g} seconds; nothing was done. "
        "Run this again when it has finished."
    )


# --- comparing ------------------------------------------------------------------------------------------------------


def _decide(db_fingerprint, loaded_fingerprint, file_fingerprint, force):
    if db_fingerprint is None:
        return CREATE
    if db_fingerprint == file_fingerprint:
        return UNCHANGED
    if force or db_fingerprint == loaded_fingerprint:
        return UPDATE
    if file_fingerprint == loaded_fingerprint:
        return KEPT
    return CONFLICT


def _changed_fields(old, new):
    def same(key):
        return json.dumps(old.get(key), sort_keys=True, default=str) == json.dumps(new.get(key), sort_keys=True)

    return [key for key in new if not same(key)]


def _diff(old_text, new_text, old_name, new_name):
    return "".join(difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True), old_name, new_name))


def _file_form(kind, data):
    """A model's content_data() as (front matter, body) in the types the parser produces."""
    data = dict(data)
    body = data.pop("body", "")
    if kind == "faq":
        data["reviewed"] = datetime.date.fromisoformat(data["reviewed"])
        data["sources"] = [{"title": item["title"], "url": item["url"]} for item in data["sources"] or []]
    return data, body


def _faq_links():
    """Every FAQ's related slugs (in order) and aliases, in two queries."""
    related, aliases = defaultdict(list), defaultdict(list)
    links = RelatedFAQ.objects.order_by("faq_id", "position", "id").values_list("faq_id", "target__slug")
    for faq_id, slug in links:
        related[faq_id].append(slug)
    for faq_id, slug in Alias.objects.values_list("faq_id", "slug"):
        aliases[faq_id].append(slug)
    return related, aliases


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _mark(obj, path, sha256, fingerprint):
    """Bookkeeping only, so a queryset update: no content changed and no new version is recorded."""
    fields = {"source_path": path, "source_sha256": sha256, "loaded_fingerprint": fingerprint}
    if any(getattr(obj, name) != value for name, value in fields.items()):
        type(obj).objects.filter(pk=obj.pk).update(**fields)
        for name, value in fields.items():
            setattr(obj, name, value)


# --- files -> database ---------------------------------------------------------------------------------------------


class _Sync:
    def __init__(self, content: ContentSet, report: SyncReport, *, force, prune):
        self.content = content
        self.report = report
        self.force = force
        self.prune = prune
        self.changed_fact_keys = set()
        self.renamed_slugs = set()
        self.versions = []  # (obj, "+" or "~"): written in bulk at the end

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
        record_versions(self.versions)

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

    def resolve(self, obj, db_data, entry, label):
        """Decide what to do with one entry, record it in the report, and return (action, file fingerprint)."""
        file_data = fingerprint_data(entry.kind, entry.data, entry.body)
        fingerprint = content_fingerprint(file_data)
        db_fingerprint = content_fingerprint(db_data) if obj is not None else None
        action = _decide(db_fingerprint, obj and obj.loaded_fingerprint, fingerprint, self.force)
        self.report.record(action, label, _changed_fields(db_data, file_data) if action == UPDATE else ())
        if action == CONFLICT:
            admin_text = dump(entry.kind, *_file_form(entry.kind, db_data))
            diff = _diff(admin_text, dump(entry.kind, entry.data, entry.body), "admin (database)", entry.path)
            self.report.conflicts.append(Conflict(label, label.rsplit(" ", 1)[-1], entry.path, diff))
        elif action in (UNCHANGED, KEPT):
            _mark(obj, entry.path, entry.sha256, obj.loaded_fingerprint if action == KEPT else fingerprint)
        elif action == UPDATE and db_fingerprint != obj.loaded_fingerprint:
            obj._change_reason = f"{LOAD_REASON} --force (replaced an admin edit)"
        return action, fingerprint

    def save(self, obj, entry, fingerprint, **kwargs):
        obj.source_path, obj.source_sha256, obj.loaded_fingerprint = entry.path, entry.sha256, fingerprint
        if not getattr(obj, "_change_reason", None):
            obj._change_reason = LOAD_REASON
        try:
            self.save_without_version(obj, **kwargs)
        except RenderError as exc:
            line = entry.body_line + exc.line - 1 if exc.line else None
            raise ContentError([Problem(entry.path, line, str(exc))]) from None

    def save_without_version(self, obj, **kwargs):
        """Save now; the version is written with all the others in record_versions()."""
        history_type = "~" if obj.pk else "+"
        obj.skip_history_when_saving = True
        try:
            obj.save(**kwargs)
        finally:
            del obj.skip_history_when_saving
        self.versions.append((obj, history_type))

    def sync_simple(self, model, kind, entries, key):
        existing = {getattr(obj, key): obj for obj in model.objects.all()}
        for entry in entries:
            obj = existing.get(entry.data[key])
            db_data = obj.content_data() if obj else None
            action, fingerprint = self.resolve(obj, db_data, entry, f"{kind} {entry.data[key]}")
            if action not in (CREATE, UPDATE):
                continue
            if kind == "fact" and obj is not None and obj.value != entry.data["value"]:
                self.changed_fact_keys.add(obj.key)
            obj = obj or model()
            for name, value in entry.data.items():
                setattr(obj, name, value)
            if kind == "fact":
                obj.body = entry.body
                self.save(obj, entry, fingerprint, render_context=self.render_context)
            else:
                self.save(obj, entry, fingerprint)

    def sync_site(self, entry):
        obj = SiteInfo.objects.first()
        db_data = obj.content_data() if obj else None
        action, fingerprint = self.resolve(obj, db_data, entry, "site information")
        if action not in (CREATE, UPDATE):
            return
        obj = obj or SiteInfo()
        for name, value in entry.data.items():
            setattr(obj, name, value)
        obj.body = entry.body
        self.save(obj, entry, fingerprint, render_context=self.render_context)

    def sync_faqs(self):
        topics = {topic.slug: topic for topic in Topic.objects.all()}
        related, aliases = _faq_links()
        existing = {faq.slug: faq for faq in FAQ.objects.select_related("topic")}
        by_alias = {alias: faq for faq in existing.values() for alias in aliases[faq.pk]}
        pending_links = []
        for entry in self.content.faqs:
            data = entry.data
            # An entry renamed in its file lists its old slug as an alias: follow it to the same row.
            obj = existing.get(data["slug"]) or next(
                (existing.get(a) or by_alias.get(a) for a in data["aliases"] if a in existing or a in by_alias), None
            )
            db_data = obj.content_data(related=related[obj.pk], aliases=aliases[obj.pk]) if obj else None
            action, fingerprint = self.resolve(obj, db_data, entry, f"FAQ {data['slug']}")
            if action not in (CREATE, UPDATE):
                continue
            renamed = obj is not None and obj.slug != data["slug"]
            if renamed:
                self.renamed_slugs.add(obj.slug)
            old_aliases = set(aliases[obj.pk]) if obj else set()
            obj = obj or FAQ()
            for name in ("question", "slug", "summary", "order", "reviewed", "reviewer", "sources", "status"):
                setattr(obj, name, data[name])
            obj.topic = topics[data["topic"]]
            obj.body = entry.body
            obj._history_links = {"related": list(data["related"]), "aliases": sorted(data["aliases"])}
            self.save(obj, entry, fingerprint, render_context=self.render_context)
            if renamed or old_aliases != set(data["aliases"]):
                Alias.objects.filter(faq=obj).exclude(slug__in=data["aliases"]).delete()
                for alias in data["aliases"]:
                    Alias.objects.update_or_create(slug=alias, defaults={"faq": obj})
            if related.get(obj.pk, []) != data["related"]:
                pending_links.append((obj, data["related"]))
        if pending_links:
            ids = dict(FAQ.objects.values_list("slug", "pk"))
            for chunk in _chunks(obj.pk for obj, _ in pending_links):
                RelatedFAQ.objects.filter(faq_id__in=chunk).delete()
            RelatedFAQ.objects.bulk_create(
                (
                    RelatedFAQ(faq=obj, target_id=ids[slug], position=position)
                    for obj, slugs in pending_links
                    for position, slug in enumerate(slugs)
                ),
                batch_size=CHUNK,
            )

    def find_missing(self):
        """Entries loaded from a file that is gone: kept, or (FAQs, with prune) unpublished. Never deleted."""
        related, aliases = _faq_links() if self.prune else ({}, {})
        for model, kind, key, entries in (
            (Topic, "topic", "slug", self.content.topics),
            (Fact, "fact", "key", self.content.facts),
            (FAQ, "FAQ", "slug", self.content.faqs),
        ):
            present = {entry.data[key] for entry in entries}
            rows = model.objects.exclude(source_path="").values_list("pk", key, "source_path")
            gone = [(pk, value, path) for pk, value, path in rows if value not in present]
            to_unpublish = set()
            if self.prune and model is FAQ:
                for chunk in _chunks(pk for pk, _, _ in gone):
                    published = FAQ.objects.published().filter(pk__in=chunk)
                    to_unpublish.update(published.values_list("pk", flat=True))
            for pk, value, path in sorted(gone, key=lambda row: row[1]):
                if pk in to_unpublish:
                    faq = FAQ.objects.get(pk=pk)
                    faq.status = FAQ.Status.DRAFT
                    faq._change_reason = f"{LOAD_REASON} --prune (its file {path} is gone)"[:100]
                    faq._history_links = {"related": related[pk], "aliases": sorted(aliases[pk])}
                    self.save_without_version(faq)
                    self.report.unpublished.append(f"FAQ {value} (was {path})")
                else:
                    self.report.missing.append(f"{kind} {value} (was {path})")


def loaded_hashes():
    """{source path: sha256} of every file as the last load (or export) saw it."""
    hashes = {}
    for model in (Topic, Fact, FAQ, SiteInfo):
        hashes.update(model.objects.exclude(source_path="").values_list("source_path", "source_sha256"))
    return hashes


def edited_since_load():
    """Labels of entries edited in the admin since the last load: what a load of unchanged files keeps."""
    related, aliases = _faq_links()
    entries = [(obj, f"topic {obj.slug}", obj.content_data()) for obj in Topic.objects.exclude(source_path="")]
    entries += [(obj, f"fact {obj.key}", obj.content_data()) for obj in Fact.objects.exclude(source_path="")]
    entries += [
        (obj, f"FAQ {obj.slug}", obj.content_data(related=related[obj.pk], aliases=aliases[obj.pk]))
        for obj in FAQ.objects.exclude(source_path="").select_related("topic").defer("body_html")
    ]
    entries += [(obj, "site information", obj.content_data()) for obj in SiteInfo.objects.exclude(source_path="")]
    return [label for obj, label, data in entries if content_fingerprint(data) != obj.loaded_fingerprint]


def sync(content: ContentSet, *, dry_run=False, force=False, prune=False, wait=60, on_wait=None) -> SyncReport:
    """Apply content to the database in one locked transaction; with dry_run, report and roll everything back."""
    report = SyncReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            lock_content(wait, on_wait)
            with bumps_suspended():
                _Sync(content, report, force=force, prune=prune).run()
            if report.created or report.updated or report.unpublished:
                bump_content_version()  # bulk writes above send no signals
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


# --- database -> files ---------------------------------------------------------------------------------------------


@dataclass
class ExportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    newer_files: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    dry_run: bool = False

    def summary(self):
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        if self.newer_files:
            parts.append(f"{len(self.newer_files)} files with changes not loaded yet")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts")
        return ", ".join(parts)


@dataclass
class _Outgoing:
    obj: object
    kind: str
    label: str
    names: tuple  # what --only matches: the slug or key
    relative: str
    text: str
    db_data: dict


def _relative_path(obj, kind, default):
    """Where an entry's file lives inside the content folder: where it was loaded from, else the standard name."""
    if obj.source_path:
        parts = Path(obj.source_path).parts[1:]
        folder = {v: k for k, v in FOLDERS.items()}.get(kind)
        if (kind == "site" and parts == (SITE_FILE,)) or (
            len(parts) == 2 and parts[0] == folder and parts[1].endswith(".md") and not parts[1].startswith(".")
        ):
            return "/".join(parts)
    return default


def _outgoing():
    """Every database entry as the file text it would export to, checked to load back as the same content."""
    related, aliases = _faq_links()
    items = []
    for obj in Topic.objects.all():
        items.append((obj, "topic", f"topic {obj.slug}", (obj.slug,), f"topics/{obj.slug}.md", obj.content_data()))
    for obj in Fact.objects.all():
        items.append((obj, "fact", f"fact {obj.key}", (obj.key,), f"facts/{obj.key}.md", obj.content_data()))
    for obj in FAQ.objects.select_related("topic"):
        data = obj.content_data(related=related[obj.pk], aliases=aliases[obj.pk])
        items.append((obj, "faq", f"FAQ {obj.slug}", (obj.slug,), f"faqs/{obj.slug}.md", data))
    site = SiteInfo.objects.first()
    if site:
        items.append((site, "site", "site information", ("site",), SITE_FILE, site.content_data()))
    problems, result = [], []
    owners = {}  # relative path -> label of the entry loaded from that file
    for obj, kind, label, *_ in items:
        loaded_from = _relative_path(obj, kind, None)
        if loaded_from:
            owners[loaded_from] = label
    for obj, kind, label, names, default, db_data in items:
        relative = _relative_path(obj, kind, default)
        if owners.get(relative, label) != label:
            message = f"its file name {relative} is the file of {owners[relative]}; change the slug in the admin"
            problems.append(Problem(label, None, message))
            continue
        text = dump(kind, *_file_form(kind, db_data))
        try:
            entry = parse(text.encode(), relative, kind)
        except ContentError as exc:
            problems.extend(
                Problem(label, None, f"cannot be written as a file; fix it in the admin: {p.message}")
                for p in exc.problems
            )
            continue
        if content_fingerprint(fingerprint_data(kind, entry.data, entry.body)) != content_fingerprint(db_data):
            problems.append(Problem(label, None, "would not load back the same from a file; fix it in the admin"))
            continue
        result.append(_Outgoing(obj, kind, label, names, relative, text, db_data))
    if problems:
        raise ContentError(problems)
    return result


def _write_atomically(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export(root, *, only=(), dry_run=False, wait=60, on_wait=None) -> ExportReport:
    """Write entries to files under root. A file changed since the last load is left alone unless named in only."""
    root = Path(root).absolute()
    report = ExportReport(dry_run=dry_run)
    with transaction.atomic():
        lock_content(wait, on_wait)
        outgoing = _outgoing()
        if only:
            unknown = sorted(set(only) - {name for item in outgoing for name in item.names})
            if unknown:
                message = "no FAQ, fact or topic has this slug or key"
                raise ContentError([Problem(name, None, message) for name in unknown])
            outgoing = [item for item in outgoing if set(item.names) & set(only)]
        writes = []
        for item in outgoing:  # read and decide everything first: a file that cannot be read stops all writing
            path, shown = root / item.relative, f"{root.name}/{item.relative}"
            current = read_file(root, path, shown) if path.exists() or path.is_symlink() else None
            action = _export_action(item, current, shown, bool(only))
            if action == UNCHANGED:
                report.unchanged += 1
            elif action == KEPT:
                report.newer_files.append(f"{shown} ({item.label})")
                continue
            elif action == CONFLICT:
                diff = _diff(current.decode("utf-8", "replace"), item.text, shown, "admin (database)")
                report.conflicts.append(Conflict(item.label, item.names[0], shown, diff))
                continue
            else:
                getattr(report, action).append(f"{shown} ({item.label})")
            writes.append((item, path, shown, action))
        if not dry_run:
            for item, path, shown, action in writes:
                if action != UNCHANGED:
                    _write_atomically(path, item.text)
                sha256 = hashlib.sha256(item.text.encode()).hexdigest()
                _mark(item.obj, shown, sha256, content_fingerprint(item.db_data))
    return report


def _export_action(item, current, shown, forced):
    if current is None:
        return CREATE
    if current == item.text.encode():
        return UNCHANGED
    if forced or hashlib.sha256(current).hexdigest() == item.obj.source_sha256:
        return UPDATE  # the file is as the last load or export left it (or --only says take the admin's version)
    try:
        entry = parse(current, shown, item.kind)
    except ContentError:
        entry = None
    if entry and content_fingerprint(fingerprint_data(item.kind, entry.data, entry.body)) == content_fingerprint(
        item.db_data
    ):
        return UPDATE  # same content, only laid out differently
    if content_fingerprint(item.db_data) == item.obj.loaded_fingerprint:
        return KEPT  # the file changed, the database did not: the file is newer
    return CONFLICT
