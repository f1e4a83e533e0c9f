"""The content lock: one writer of content at a time (loads, exports, admin saves and approvals).

It lasts until the current transaction ends. On PostgreSQL it is an advisory lock; on SQLite, the database's
single writer lock, taken early with a write that changes nothing.
"""

import time

from django.db import DatabaseError, connection

# PostgreSQL advisory lock key held for the whole of a content-writing transaction.
LOCK_KEY = 7_346_918_201


class Busy(Exception):
    """Another load_content or export_content is writing; nothing was done."""


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
