"""Database → files: write each entry, as staff last left it, to the file it came from (or a new standard file).

What is written is the staff side: a change waiting for review if there is one, else the live row. A file that
changed since the last load is never overwritten: it is kept (the file is newer) or, if the entry changed in the
admin too, reported as a conflict. An entry that cannot be written as a valid file is reported by name and the
others are still written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .content import ContentError, Entry, Problem, dump, fingerprint, from_values, parse, read_file
from .entries import rows_with_entries
from .kinds import ENGLISH, KINDS, TRANSLATION_FOLDERS
from .loading import CONFLICT, CREATE, KEPT, UNCHANGED, UPDATE, Conflict, diff, mark
from .locking import lock_content
from .models import Revision


@dataclass
class ExportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    newer_files: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # Problems: entries that cannot be written as files
    dry_run: bool = False

    def summary(self):
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{self.unchanged} unchanged"]
        if self.newer_files:
            parts.append(f"{len(self.newer_files)} files with changes not loaded yet")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts")
        if self.failed:
            parts.append(f"{len({p.path for p in self.failed})} entries not written")
        return ", ".join(parts)


@dataclass
class _Outgoing:
    obj: object
    entry: Entry
    relative: str
    text: str


def _relative_path(obj, kind_name):
    """Where an entry's file lives inside the content folder: where it was loaded from, else None."""
    kind, language = KINDS[kind_name], getattr(obj, "language", ENGLISH)
    parts = _inside_language_folder(obj.source_path, language)
    if parts is None:
        return None
    prefix = "" if language == ENGLISH else f"{TRANSLATION_FOLDERS[language]}/"
    if kind.file and parts == (kind.file,):
        return prefix + kind.file
    if len(parts) == 2 and parts[0] == kind.folder and parts[1].endswith(".md") and not parts[1].startswith("."):
        return prefix + "/".join(parts)
    return None


def _inside_language_folder(source_path, language):
    """The parts of a recorded source path below the language's folder, or None if it lies elsewhere."""
    parts = Path(source_path).parts[1:] if source_path else ()
    if language == ENGLISH:
        return parts
    return parts[1:] if parts[:1] == (TRANSLATION_FOLDERS[language],) else None


def _standard_path(kind_name, name, language=ENGLISH):
    kind = KINDS[kind_name]
    prefix = "" if language == ENGLISH else f"{TRANSLATION_FOLDERS[language]}/"
    return prefix + (kind.file or f"{kind.folder}/{name}.md")


def _outgoing():
    """Every entry as the file text it would export to, each checked to load back as the same content; and,
    for entries that cannot be written as files, (names, Problems)."""
    waiting = {(r.kind, r.object_id): r for r in Revision.objects.pending().exclude(object_id=None)}
    items = [
        (obj, kind_name, live, waiting.get((kind_name, obj.pk)))
        for kind_name in KINDS
        for obj, live in rows_with_entries(kind_name)
    ]
    owners = {_relative_path(obj, k): live.title for obj, k, live, _ in items if obj.source_path}
    owners.pop(None, None)
    result, failed = [], []
    for obj, kind_name, live, revision in items:
        outgoing = _one_outgoing(obj, kind_name, live, revision, owners)
        (failed if isinstance(outgoing, tuple) else result).append(outgoing)
    return result, failed


def _one_outgoing(obj, kind_name, live, revision, owners):
    title = live.title
    try:
        entry = (
            parse(revision.text.encode(), title, kind_name, live.language)
            if revision
            else from_values(kind_name, live.data, live.body, path=title, language=live.language)
        )
    except ContentError as exc:
        problems = [
            Problem(title, None, f"cannot be written as a file; fix it in the admin: {p.message}", p.field)
            for p in exc.problems
        ]
        return live.names, problems
    relative = _relative_path(obj, kind_name) or _standard_path(kind_name, entry.name, entry.language)
    if owners.get(relative, title) != title:
        message = f"its file name {relative} is the file of {owners[relative]}; change the slug in the admin"
        return live.names, [Problem(title, None, message)]
    return _Outgoing(obj, entry, relative, dump(entry))


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
        outgoing, failed = _outgoing()
        if only:
            outgoing, failed = _only(outgoing, failed, set(only))
        report.failed = [problem for _, problems in failed for problem in problems]
        # Read and decide everything first: a file that cannot be read stops all writing.
        writes = [write for item in outgoing if (write := _decide(item, root, report, bool(only)))]
        if not dry_run:
            for item, path, shown, action in writes:
                if action != UNCHANGED:
                    _write_atomically(path, item.text)
                mark(item.obj, shown, hashlib.sha256(item.text.encode()).hexdigest(), fingerprint(item.entry))
    return report


def _only(outgoing, failed, only):
    """The entries --only names; an unknown name stops everything before anything is written."""
    known = {name for names, _ in failed for name in names}
    known.update(*(item.entry.names for item in outgoing))
    unknown = sorted(only - known)
    if unknown:
        raise ContentError([Problem(name, None, "no FAQ, fact or topic has this slug or key") for name in unknown])
    chosen = [item for item in outgoing if item.entry.names & only]
    return chosen, [(names, problems) for names, problems in failed if names & only]


def _decide(item, root, report, forced):
    """What to do with one entry's file; note it in the report; return the write to make, or None."""
    path, shown = root / item.relative, f"{root.name}/{item.relative}"
    current = read_file(root, path, shown) if path.exists() or path.is_symlink() else None
    action = _action(item, current, shown, forced)
    if action == KEPT:
        report.newer_files.append(f"{shown} ({item.entry.title})")
        return None
    if action == CONFLICT:
        text = diff(current.decode("utf-8", "replace"), item.text, shown, "admin (database)")
        report.conflicts.append(Conflict(item.entry.title, min(item.entry.names, key=len), shown, text))
        return None
    if action == UNCHANGED:
        report.unchanged += 1
    else:
        getattr(report, action).append(f"{shown} ({item.entry.title})")
    return item, path, shown, action


def _action(item, current, shown, forced):
    if current is None:
        return CREATE
    if current == item.text.encode():
        return UNCHANGED
    if forced or hashlib.sha256(current).hexdigest() == item.obj.source_sha256:
        return UPDATE  # the file is as the last load or export left it (or --only says take the admin's version)
    try:
        on_disk = parse(current, shown, item.entry.kind, item.entry.language)
    except ContentError:
        on_disk = None
    staff_version = fingerprint(item.entry)
    if on_disk is not None and fingerprint(on_disk) == staff_version:
        return UPDATE  # same content, only laid out differently
    if staff_version == item.obj.loaded_fingerprint:
        return KEPT  # the file changed, the database did not: the file is newer
    return CONFLICT
