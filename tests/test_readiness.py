"""/readyz says ready only when the site can serve a page: every migration applied and the content tables answer."""

import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from faq.models import Fact
from tests.servers import gunicorn, prepared_env


def test_a_migrated_database_is_ready(client, db):
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")


def test_an_unapplied_migration_is_not_ready(client, db):
    latest = MigrationRecorder.Migration.objects.filter(app="faq").order_by("-name").first()
    latest.delete()
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"not ready: migrations not applied\n")


def test_a_database_with_no_tables_is_not_ready(client, db):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE django_migrations RENAME TO django_migrations_gone")
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"not ready: migrations not applied\n")


def test_a_missing_content_table_is_not_ready(client, db):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {Fact._meta.db_table} RENAME TO faq_fact_gone")
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"not ready: content tables unavailable\n")


def test_readyz_sets_no_cookie_and_is_never_cached(client, db):
    response = client.get("/readyz")
    assert "no-store" in response["Cache-Control"] and not response.cookies


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_served_site_with_a_missing_or_corrupt_sqlite_file_is_not_ready(tmp_path, damage):
    env = prepared_env(tmp_path)
    database = tmp_path / "server.sqlite3"
    database.unlink()
    if damage == "corrupt":
        database.write_bytes(b"this is not a database file\n" * 200)
    with gunicorn(env, ready_path="/healthz", workers=1) as (_, base), pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base + "/readyz", timeout=10)  # noqa: S310 (loopback)
    assert refused.value.code == 503
    expected = b"not ready: migrations not applied\n" if damage == "missing" else b"database unavailable\n"
    assert refused.value.read() == expected
