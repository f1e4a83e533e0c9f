"""What the last load left, so the next one need not compare every row field by field.

A load decides each entry by comparing three versions (faq/loading.py). For a row whose file is byte for byte the
one the last load saw, the file is what was loaded, so only the report's question is left: does the staff side
still equal it (unchanged), or not (a kept admin edit)? Answering it means rebuilding the row as an entry and
hashing it: most of the time of a load in which one file among 10,000 changed.

So a load stores, with the content version it leaves, the rows whose live version differs from what was loaded
(LoadState). Every save and delete of content moves the content version (faq/caching.py connects the signals), so
while it has not moved, every other row with an unchanged file is unchanged, and these are kept. When it has
moved, or bookkeeping was written outside a load (an export), there is no state and every row is compared.

The version a load stores is the one it set itself, by a compare-and-set from the version it started with: a
staff save that commits while the load runs moves the version first, and the load then stores nothing.
"""

from __future__ import annotations

from .caching import bump_content_version, current_version, new_version_floor
from .models import ContentVersion, LoadState


def start():
    """The content version as a load begins (made if there is none yet)."""
    row, _ = ContentVersion.objects.get_or_create(pk=1, defaults={"version": new_version_floor()})
    return row.version


def last_load_differs():
    """{(kind, pk)} of the rows whose live version differed from what was loaded when the last load ended, if
    nothing was saved or deleted since; else None."""
    state = LoadState.objects.filter(pk=1).values_list("content_version", "differs").first()
    if state is None or state[0] != current_version():
        return None
    return {(kind, pk) for kind, pk in state[1]}


def bump_from(started):
    """After a load that changed content: move the content version on. Returns the new version, or None if it
    had moved since the load began (a staff save committed meanwhile): then it is moved on all the same."""
    new = max(started + 1, new_version_floor())
    if ContentVersion.objects.filter(pk=1, version=started).update(version=new):
        return new
    bump_content_version()
    return None


def unchanged_since(started):
    """The version, if nothing moved it since `started` (a load that changed nothing); else None."""
    return started if current_version() == started else None


def remember(version, differs):
    """Store what a load (or a check that nothing changed) found, as of `version`. Either None (the version moved
    meanwhile, or the load renamed an entry) stores nothing, and the next load compares every row."""
    if version is None or differs is None:
        forget()
        return
    rows = sorted([kind, pk] for kind, pk in differs)
    LoadState.objects.update_or_create(pk=1, defaults={"content_version": version, "differs": rows})


def forget():
    """Bookkeeping was written outside a load (an export): what a row is compared with has changed."""
    LoadState.objects.filter(pk=1).delete()
