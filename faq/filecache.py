"""What reading and checking each content file found, kept between loads: only changed files are read again.

A load parses every file's YAML and markdown and runs the reading checks on every body: about 2 ms a file, nearly
all of a load's time. This memo keeps, per file (a CheckedFile row):

- the parsed entry, used while the file's bytes (sha256) are the same;
- the reading findings of its body (grade, hardest sentences, long sentences), used while the body reads the
  same with its facts filled in (faq.quality.readability_key).

Every row also carries VERSION, a hash of the code and word lists that parse and check: after an upgrade, every
row is stale and the next load reads and checks every file again. The cross-check between files and every other
check still run over every entry each load; only their per-file parts come from here.

The memo is written inside a load's transaction (faq.loading.load), so a failed or dry run leaves it as it was,
and it drops the rows of files that are gone. It is derived data: emptying the table loses nothing, and a
database that cannot be read (no tables yet) means no memo, never a failed command.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

from django.db import DatabaseError

from .content import Entry, entry_from_json, entry_json
from .models import CheckedFile

_CODE = ("content.py", "kinds.py", "quality.py", "rendering.py")
_LIBRARIES = ("PyYAML", "markdown-it-py", "textstat", "pyphen")


def _version():
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for name in _CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    return digest.hexdigest()


VERSION = _version()
_FIELDS = ("sha256", "version", "kind", "language", "entry", "readability_key", "readability")


class FileMemo:
    """The rows of one load: read once at the start, the changed ones written back by save()."""

    def __init__(self, rows):
        self.rows = rows  # path -> {field: value}, as stored
        self.changed = {}  # path -> {field: value}, to store

    @classmethod
    def read(cls):
        """The memo as the last load left it; None when the database cannot say (no table yet)."""
        try:
            rows = CheckedFile.objects.filter(version=VERSION).values_list("path", *_FIELDS)
            return cls({path: dict(zip(_FIELDS, values, strict=True)) for path, *values in rows})
        except DatabaseError:
            return None

    def _row(self, path):
        return self.changed.get(path) or self.rows.get(path)

    # --- for faq.content.read_tree ----------------------------------------------------------------------------

    def entry(self, path, sha256, kind, language) -> Entry | None:
        row = self._row(path)
        if row is None or (row["sha256"], row["kind"], row["language"]) != (sha256, kind, language):
            return None
        return entry_from_json(row["entry"])

    def remember(self, entry: Entry):
        """A file parsed anew. Its reading findings stay with it: they are used only while its body reads the same
        (a changed summary or review date leaves them good)."""
        before = self._row(entry.path) or {"readability_key": "", "readability": ""}
        row = {"sha256": entry.sha256, "version": VERSION, "kind": entry.kind, "language": entry.language}
        self.changed[entry.path] = {
            **row,
            "entry": entry_json(entry),
            "readability_key": before["readability_key"],
            "readability": before["readability"],
        }

    # --- for faq.quality.check --------------------------------------------------------------------------------

    def readability(self, path, key):
        row = self._row(path)
        if row is None or not key or row["readability_key"] != key:
            return None
        return [] if row["readability"] == "[]" else json.loads(row["readability"])

    def remember_readability(self, path, key, findings):
        row = self._row(path)
        if row is None:  # an entry that did not come from a file: nothing to keep it with
            return
        self.changed[path] = {**row, "readability_key": key, "readability": json.dumps(findings, ensure_ascii=False)}

    # --- for faq.loading.load ---------------------------------------------------------------------------------

    def save(self, content):
        """Store what changed; drop the rows of files that are gone and of older code."""
        present = {entry.path for entry in content.entries() if entry.sha256}
        CheckedFile.objects.exclude(version=VERSION).delete()
        gone = sorted(set(self.rows) - present)
        for start in range(0, len(gone), 500):
            CheckedFile.objects.filter(path__in=gone[start : start + 500]).delete()
        rows = [CheckedFile(path=path, **values) for path, values in self.changed.items() if path in present]
        CheckedFile.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=["path"], update_fields=list(_FIELDS)
        )
        self.rows.update((path, values) for path, values in self.changed.items() if path in present)
        self.changed = {}
