"""Files → database: load a validated ContentSet in one locked transaction, never replacing an edit unreported.

For each entry three versions meet: F, the file now; L, the file as the last load or export saw it (the row's
loaded_fingerprint); and P, the staff side now (a change waiting for review, else the live row).

    F == P    unchanged
    F == L    only the staff side changed: kept
    P == L    only the file changed: taken (published, or waiting for review when an answer changed and its
              review stamp did not; see faq.kinds.needs_review_from_file)
    else      both changed: a conflict, left alone and shown with a diff until someone picks a side

`force` names conflicts whose file version to take; it changes nothing else. The load first plans every
entry, then writes: one transaction, so a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Value

from . import dependants, kinds, loadstate
from .caching import bumps_suspended, current_version
from .content import ContentError, ContentSet, Entry, Problem, dump, fingerprint
from .entries import MODELS, Applied, Links, apply, entry_of, rows_with_entries, set_many_links
from .history import record_versions
from .locking import Busy, lock_content
from .models import FAQ, ReviewEvent, Revision, Topic, current_render_context, faq_url
from .rendering import RenderError
from .search import indexing_in_batches

CREATE, UPDATE, PENDING, UNCHANGED, KEPT, CONFLICT = "created", "updated", "pending", "unchanged", "kept", "conflict"
LOAD_REASON = "load_content"


@dataclass
class Conflict:
    title: str
    name: str  # what load_content --force and export_content --only take
    path: str
    diff: str


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    unchanged: int = 0
    kept: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    forced: list = field(default_factory=list)
    not_forced: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    unpublished: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self):
        return bool(self.created or self.updated or self.pending or self.unpublished)

    def summary(self):
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        for items, label in (
            (self.pending, "waiting for review"),
            (self.kept, "kept admin edits"),
            (self.conflicts, "conflicts"),
            (self.unpublished, "unpublished"),
        ):
            if items:
                parts.append(f"{len(items)} {label}")
        return ", ".join(parts)


class _DryRunRollback(Exception):
    pass


def diff(old_text, new_text, old_name, new_name):
    return "".join(difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True), old_name, new_name))


def force_names(content: ContentSet, names) -> set:
    """(kind, language, name) for the names given to --force: a slug or key, 'site', or kind:name when a slug
    is both a topic's and an FAQ's; a translation's with its language first (es:slug). Unknown or ambiguous names
    raise ContentError, before anything is written."""
    wanted, problems = set(), []
    for raw in names:
        matching = [entry for entry in content.entries() if raw in entry.names]
        if len(matching) == 1:
            entry = matching[0]
            wanted.add((entry.kind, entry.language, entry.name))
        elif not matching:
            problems.append(Problem(raw, None, "no file in the content folder has this slug or key"))
        else:
            choices = " or ".join(sorted(max(entry.names, key=len) for entry in matching))
            problems.append(Problem(raw, None, f"more than one entry is called this; write {choices}"))
    if problems:
        raise ContentError(problems)
    return wanted


@dataclass
class _Row:
    """A row's bookkeeping: what finding its entry and as_last_left need (a whole row is read only if more is)."""

    kind: str
    pk: int
    language: str
    name: str
    source_path: str
    source_sha256: str
    loaded_fingerprint: str


@dataclass
class _Step:
    action: str
    entry: Entry
    obj: object = None
    live: Entry | None = None  # the live row as an entry
    revision: Revision | None = None  # a change waiting for review, if any
    forced: bool = False
    live_version: str = ""  # fingerprint(live), once worked out


class _Load:
    def __init__(self, content: ContentSet, report: LoadReport, *, force, prune):
        self.content, self.report, self.force, self.prune = content, report, force, prune
        self.links = Links.read()
        self.revisions = {(r.kind, r.object_id): r for r in Revision.objects.pending().exclude(object_id=None)}
        self.new_revisions = {
            (r.kind, r.language, r.name): r for r in Revision.objects.pending().filter(object_id=None)
        }
        self.versions, self.saved, self.applied = [], set(), Applied()
        self.differs = loadstate.last_load_differs()
        self.missing_differ = set()  # rows whose file is gone, and whose live version differs from what was loaded

    # --- planning: decide every entry before writing anything ------------------------------------------------

    def plan(self):
        """Each entry's step. Rows are read twice: the bookkeeping of every row (a _Row), then whole rows only for
        entries that need comparing field by field (not as_last_left). Rows no entry found are gone_rows."""
        steps, self.gone_rows = [], []
        for kind_name in kinds.KINDS:
            rows = self.rows(kind_name)
            found = [(entry, self.find(rows, entry)) for entry in self.content.of(kind_name)]
            whole = self.whole_rows(
                kind_name, [obj.pk for entry, obj in found if obj and not self.as_last_left(entry, obj)]
            )
            steps += [self.decide(entry, obj if obj is None else whole.get(obj.pk, obj)) for entry, obj in found]
            matched = {obj.pk for _, obj in found if obj}
            self.gone_rows += sorted(
                {row.pk: row for row in rows.values() if row.source_path and row.pk not in matched}.values(),
                key=lambda row: row.name,
            )
        return steps

    def rows(self, kind_name):
        """Every row of a kind by (language, slug or key), as _Rows; an FAQ also by its earlier addresses, since an
        entry renamed in its file lists its old slug as an alias: the same row."""
        model = MODELS[kind_name]
        key = kinds.KINDS[kind_name].key
        language = "language" if hasattr(model, "language") else Value(kinds.ENGLISH)
        name = key or Value(kind_name)
        rows = {}
        for pk, path, sha256, loaded, language_, name_ in model.objects.order_by().values_list(
            "pk", "source_path", "source_sha256", "loaded_fingerprint", language, name
        ):
            rows[(language_, name_)] = _Row(kind_name, pk, language_, name_, path, sha256, loaded)
        if kind_name == "faq":
            for (language, _), row in list(rows.items()):
                for alias in self.links.aliases[row.pk]:
                    rows.setdefault((language, alias), row)
        return rows

    @staticmethod
    def whole_rows(kind_name, pks):
        """{pk: row} with every column an entry is made from (an FAQ's topic and original in the same query)."""
        queryset = MODELS[kind_name].objects.all()
        if kind_name == "faq":  # not the HTML, which a save renders anew
            queryset = queryset.select_related("topic", "translation_of").defer("body_html")
        found = {}
        for start in range(0, len(pks), 500):
            found.update((obj.pk, obj) for obj in queryset.filter(pk__in=pks[start : start + 500]))
        return found

    def same_file_as_loaded(self, entry, obj):
        """True when the file is byte for byte the one the last load or export saw, so what was loaded, and no
        change waits for review: nothing to take, only unchanged or kept to tell."""
        return (
            (entry.kind, obj.pk) not in self.revisions
            and bool(obj.loaded_fingerprint)
            and bool(entry.sha256)
            and entry.sha256 == obj.source_sha256
        )

    def as_last_left(self, entry, obj):
        """same_file_as_loaded, and nothing was saved or deleted since the last load: the row is as that load left
        it, unchanged or kept as its state says. Every other row is compared field by field."""
        return self.differs is not None and self.same_file_as_loaded(entry, obj)

    @staticmethod
    def find(rows, entry):
        found = rows.get((entry.language, entry.name))
        if found is None and entry.kind == "faq":
            found = next(
                (rows[(entry.language, a)] for a in entry.data["aliases"] if (entry.language, a) in rows), None
            )
        return found

    def decide(self, entry, obj):
        if obj is None:
            waiting = self.new_revisions.get((entry.kind, entry.language, entry.name))
            if waiting and waiting.fingerprint != fingerprint(entry):
                return self.conflict_or_forced(_Step(CREATE, entry, revision=waiting), waiting.text)
            return _Step(CREATE, entry, revision=waiting)
        if self.as_last_left(entry, obj):
            return _Step(KEPT if (entry.kind, obj.pk) in self.differs else UNCHANGED, entry, obj)
        live = entry_of(obj, self.links)
        revision = self.revisions.get((entry.kind, obj.pk))
        step = _Step(UPDATE, entry, obj, live, revision, live_version=fingerprint(live))
        loaded = obj.loaded_fingerprint
        if self.same_file_as_loaded(entry, obj):  # no fingerprint of the file needed
            step.action = UNCHANGED if step.live_version == loaded else KEPT
            return step
        file_version = fingerprint(entry)
        staff_version = revision.fingerprint if revision else step.live_version
        if file_version == staff_version:
            step.action = UNCHANGED
        elif file_version == loaded:
            step.action = KEPT
        elif staff_version == loaded:
            step.action = self.taken(step)
        else:
            return self.conflict_or_forced(step, revision.text if revision else dump(live))
        return step

    @staticmethod
    def taken(step):
        return PENDING if kinds.needs_review_from_file(step.live, step.entry) else UPDATE

    def conflict_or_forced(self, step, staff_text):
        key = (step.entry.kind, step.entry.language, step.entry.name)
        if key in self.force:
            self.force.discard(key)
            step.forced = True
            replaced = f"the change waiting for review ({step.revision.origin})" if step.revision else "an admin edit"
            self.report.forced.append(
                f"{step.entry.title}: took {step.entry.path}; replaced {replaced}, kept in history"
            )
            step.action = CREATE if step.obj is None else self.taken(step)
            return step
        text = diff(staff_text, dump(step.entry), "admin (database)", step.entry.path)
        self.report.conflicts.append(Conflict(step.entry.title, self.qualified(step.entry), step.entry.path, text))
        step.action = CONFLICT
        return step

    def qualified(self, entry):
        """The shortest name --force takes for this entry alone."""
        clashes = [e for e in self.content.entries() if e is not entry and e.names & entry.names]
        return min(entry.names, key=len) if not clashes else max(entry.names, key=len)

    # --- writing ----------------------------------------------------------------------------------------------

    def run(self):
        steps = self.plan()
        self.report.not_forced = sorted(
            f"{'' if language == kinds.ENGLISH else language + ':'}{kind}:{name}" for kind, language, name in self.force
        )
        # Only the languages this load writes in; dependants.rerender reads any other's as it is, if it needs one.
        taken = {step.entry.language for step in steps if step.action in (CREATE, UPDATE)}
        contexts = {language: self.render_context(steps, language) for language in kinds.LANGUAGES if language in taken}
        self.write_all(steps, contexts)
        self.find_missing()
        record_versions(self.versions)
        dependants.rerender(self.applied, skip=self.saved, contexts=contexts)
        self.differs_after = self.rows_that_differ(steps)

    def rows_that_differ(self, steps):
        """(kind, pk) of each row whose live version differs from what was loaded, once this load is written (the
        next load's LoadState); None if this load renamed an entry, which changes what the rows naming it hold."""
        if any(step.action == UPDATE and step.live.name != step.entry.name for step in steps):
            return None
        differs = set(self.missing_differ)
        for step in steps:
            if step.obj is None or step.action in (CREATE, UPDATE):
                continue  # taken: its live version is the file's, which is what was loaded
            key = (step.entry.kind, step.obj.pk)
            if (key in self.differs) if step.live is None else (step.live_version != step.obj.loaded_fingerprint):
                differs.add(key)
        return differs

    def write_all(self, steps, contexts):
        """Every step, topics before the answers in them; then the answers' links, once every answer exists."""
        topics = None
        for step in steps:
            if step.entry.kind == "faq" and topics is None:
                topics = {(topic.language, topic.slug): topic for topic in Topic.objects.all()}
            self.write(step, contexts.get(step.entry.language), topics)
        linked = [step for step in steps if step.entry.kind == "faq" and step.action in (CREATE, UPDATE)]
        if not linked:
            return
        set_many_links(
            [(step.obj, step.entry.data["related"], step.entry.data["aliases"]) for step in linked], self.links
        )

    def render_context(self, steps, language):
        """Render against what will be live after this load: the database, with the entries it takes."""
        context = current_render_context(language)
        for step in steps:
            if step.action in (CREATE, UPDATE) and step.entry.language == language:
                _take_into(context, step)
        return context

    def write(self, step, context, topics):
        if step.action == CONFLICT:
            return
        if step.action in (UNCHANGED, KEPT):
            self.keep(step)
            return
        if step.revision is not None:
            close(step.revision, Revision.State.SUPERSEDED, f"replaced by {step.entry.path} (load_content)")
        if step.action == PENDING:
            self.submit(step)
        else:
            self.take(step, context, topics)

    def keep(self, step):
        """Nothing to write; the bookkeeping notes the file as seen (for kept edits, keeping what was loaded)."""
        entry = step.entry
        # Unchanged: the file's fingerprint is the live row's, which is what was loaded unless the row has moved
        # to the file's version on both sides (then the file's becomes what was loaded).
        moved = step.action == UNCHANGED and not self.same_file_as_loaded(entry, step.obj)
        mark(step.obj, entry.path, entry.sha256, fingerprint(entry) if moved else None)
        if step.action == UNCHANGED:
            self.report.unchanged += 1
        else:
            why = "waiting for review in the admin" if step.revision else "changed in the admin"
            self.report.kept.append(f"{entry.title} ({why} since the last load)")

    def submit(self, step):
        entry = step.entry
        submit_from_file(step.obj, entry, step.live)
        mark(step.obj, entry.path, entry.sha256, fingerprint(entry))
        fields = ", ".join(kinds.changed_fields(step.live, entry))
        self.report.pending.append(f"{entry.title} ({fields} changed; the review stamp did not)")

    def take(self, step, context, topics):
        """Write the file's version into the row (a new one, or the existing one) and note what others show."""
        entry, created = step.entry, step.obj is None
        step.obj = step.obj or MODELS[entry.kind]()
        reason = f"{LOAD_REASON} --force (replaced an admin edit)" if step.forced else LOAD_REASON
        # The bookkeeping goes in with the save (no second UPDATE per row); mark() below then finds it done.
        step.obj.source_path, step.obj.source_sha256 = entry.path, entry.sha256
        step.obj.loaded_fingerprint = fingerprint(entry)
        try:
            applied = apply(
                step.obj, entry, render_context=context, topics=topics, reason=reason, record_version=False, links=False
            )
        except RenderError as exc:
            line = entry.body_line + exc.line - 1 if exc.line else None
            raise ContentError([Problem(entry.path, line, str(exc))]) from None
        self.versions.append((step.obj, "+" if created else "~"))
        self.saved.add((type(step.obj), step.obj.pk))
        self.applied.update(applied)
        mark(step.obj, entry.path, entry.sha256, fingerprint(entry))
        if created:
            self.report.created.append(entry.title)
        else:
            changed = kinds.changed_fields(step.live, entry)
            self.report.updated.append(f"{entry.title} ({', '.join(changed)})" if changed else entry.title)

    def find_missing(self):
        """Entries loaded from a file that is gone (topics, facts, answers): kept, or (FAQs, with prune)
        unpublished. Never deleted. Then which gone rows of any kind differ from what was loaded."""
        for row in (row for row in self.gone_rows if row.kind in ("topic", "fact", "faq")):
            kind = kinds.KINDS[row.kind]
            title = kind.title({kind.key: row.name}, row.language)
            if self.prune and row.kind == "faq" and FAQ.objects.published().filter(pk=row.pk).exists():
                self.unpublish(row.pk, row.source_path)
                self.report.unpublished.append(f"{title} (was {row.source_path})")
            else:
                self.report.missing.append(f"{title} (was {row.source_path})")
        self.missing_differ = rows_that_differ_from_loaded(self.gone_rows)

    def unpublish(self, pk, path):
        faq = FAQ.objects.select_related("topic").get(pk=pk)
        entry = entry_of(faq, self.links)
        entry.data["status"] = "draft"
        reason = f"{LOAD_REASON} --prune (its file {path} is gone)"
        self.applied.update(apply(faq, entry, reason=reason, record_version=False))
        self.versions.append((faq, "~"))


def rows_that_differ_from_loaded(rows):
    """(kind, pk) of each of these rows (_Rows of every kind, the one-file kinds too, whose file is gone) whose
    live version differs from what was loaded: should the file come back as it was, that row is a kept edit."""
    differ = set()
    for kind_name in kinds.KINDS:
        pks = [row.pk for row in rows if row.kind == kind_name]
        for obj, entry in rows_with_entries(kind_name, pks) if pks else ():
            if fingerprint(entry) != obj.loaded_fingerprint:
                differ.add((kind_name, obj.pk))
    return differ


def _take_into(context, step):
    """What a render context holds once this entry is live: its fact value, or its addresses."""
    data = step.entry.data
    if step.entry.kind == "fact":
        context.facts[data["key"]] = data["value"]
    if step.entry.kind != "faq":
        return
    for slug in {
        data["slug"],
        *data["aliases"],
        *(([step.live.data["slug"], *step.live.data["aliases"]]) if step.live else []),
    }:
        context.faq_urls.pop(slug, None)
        context.hidden_faqs.discard(slug)
    url = faq_url(data["slug"], step.entry.language)
    for slug in [data["slug"], *data["aliases"]]:
        if data["status"] == "published":
            context.faq_urls[slug] = url
        else:
            context.hidden_faqs.add(slug)


def mark(obj, path, sha256, loaded=None):
    """Bookkeeping only, so a queryset update: no content changed and no new version is recorded. With loaded
    None, the fingerprint of what was last loaded stays."""
    values = {"source_path": path, "source_sha256": sha256, "loaded_fingerprint": loaded or obj.loaded_fingerprint}
    if any(getattr(obj, name) != value for name, value in values.items()):
        model = MODELS[obj.kind] if isinstance(obj, _Row) else type(obj)
        model.objects.filter(pk=obj.pk).update(**values)
        loadstate.forget()
        for name, value in values.items():
            setattr(obj, name, value)


def submit_from_file(obj, entry, live):
    """A changed answer whose review stamp did not change waits for a clinical reviewer; the live row stays."""
    revision = Revision.objects.create(
        kind=entry.kind,
        language=entry.language,
        object_id=obj.pk,
        name=entry.name,
        title=live.data.get("question") or entry.title,
        text=dump(entry),
        fingerprint=fingerprint(entry),
        base_text=dump(live),
        origin=f"file {entry.path}",
    )
    ReviewEvent.objects.create(
        revision=revision, action=ReviewEvent.Action.SUBMITTED, who=LOAD_REASON, text=revision.text
    )
    return revision


def close(revision, state, note):
    revision.state, revision.note = state, note
    revision.save(update_fields=["state", "note"])
    ReviewEvent.objects.create(
        revision=revision, action=ReviewEvent.Action.SUPERSEDED, who=LOAD_REASON, note=note, text=revision.text
    )


def load(content: ContentSet, *, dry_run=False, force=(), prune=False, wait=60, on_wait=None, memo=None) -> LoadReport:
    """Apply content to the database in one locked transaction; with dry_run, report and roll everything back.
    `memo` (faq/filecache.py), what reading and checking the files found, is stored in the same transaction."""
    report = LoadReport(dry_run=dry_run)
    forced = force_names(content, force)
    try:
        with transaction.atomic():
            lock_content(wait, on_wait)
            started = loadstate.start()
            with bumps_suspended(), indexing_in_batches():
                run = _Load(content, report, force=forced, prune=prune)
                run.run()
            if report.changed:
                version = loadstate.bump_from(started)  # bulk writes above send no signals
                if len(report.created) + len(report.updated) >= STATISTICS_AFTER:
                    _gather_statistics()
            else:
                version = loadstate.unchanged_since(started)
            loadstate.remember(version, run.differs_after)
            if memo is not None:
                memo.save(content)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


# A load that writes this many rows gathers planner statistics (PostgreSQL); after fewer, the old ones still
# describe the tables well, and autovacuum refreshes them in its time. ANALYZE of the four tables took about 0.15 s
# at 10,000 FAQs: most of a load in which one file changed.
STATISTICS_AFTER = 500


def _gather_statistics():
    """PostgreSQL: fresh planner statistics for the tables a load fills. Without them, after a first load the
    search picked a scan of every row over its full-text index (25 ms, not 1 ms, at 10,000 FAQs) until autovacuum
    came by. Inside the load's transaction, so a failed or dry run leaves the old ones."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE faq_faq, faq_search, faq_relatedfaq, faq_alias")


def loaded_hashes():
    """{source path: sha256} of every file as the last load (or export) saw it."""
    hashes = {}
    for model in MODELS.values():
        hashes.update(model.objects.exclude(source_path="").order_by().values_list("source_path", "source_sha256"))
    return hashes


def changed_since_load(*, remember=True):
    """Titles of entries whose staff side changed since the last load (an admin edit, an approval, or a change
    waiting for review): what a load of unchanged files keeps. Having compared every row, it stores which differ
    for the next load (faq/loadstate.py), unless told not to (a dry run writes nothing)."""
    differs = loadstate.last_load_differs()  # if nothing changed since the last load, only these can be kept edits
    store = remember and differs is None
    with transaction.atomic():
        if store:  # under the content lock, as a load stores it: no export or admin save can write meanwhile
            try:
                lock_content(0)
            except Busy:
                store = False  # a load or export is writing: report, store nothing
        return _changed_since_load(differs, store)


def _changed_since_load(differs, store):
    started = current_version()
    waiting = {(r.kind, r.object_id): r.fingerprint for r in Revision.objects.pending().exclude(object_id=None)}
    kept, found = [], set()
    for kind_name in kinds.KINDS:
        pks = None if differs is None else {pk for kind, pk in {*differs, *waiting} if kind == kind_name}
        for obj, entry in rows_with_entries(kind_name, pks) if pks is None or pks else ():
            if not obj.source_path:
                continue
            live_version = fingerprint(entry)
            if live_version != obj.loaded_fingerprint:
                found.add((kind_name, obj.pk))
            if (waiting.get((kind_name, obj.pk)) or live_version) != obj.loaded_fingerprint:
                why = "waiting for review in the admin" if (kind_name, obj.pk) in waiting else "changed in the admin"
                kept.append(f"{entry.title} ({why} since the last load)")
    if store:  # every row compared: what the next load may go by
        loadstate.remember(loadstate.unchanged_since(started), found)
    return kept
