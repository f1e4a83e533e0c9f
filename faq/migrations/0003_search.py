# Site search tables per database, and the honest "content changed" date behind the sitemap's lastmod.
# What this migration needs from the app is copied in: a migration must keep working when the app changes.

import hashlib
import json
from html import unescape
from html.parser import HTMLParser

import django.utils.timezone
from django.db import migrations, models

_BLOCK_TAGS = {
    "p", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th",
    "h2", "h3", "h4", "h5", "h6",
}


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def _html_to_text(html):
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    return " ".join(unescape("".join(collector.parts)).split())


def _clean(text):
    return (text or "").replace("\ue000", "").replace("\ue001", "")


def index_row(faq_id, question, summary, body_html):
    return (faq_id, _clean(question), _clean(summary), _clean(_html_to_text(body_html)))


def visible_fingerprint(question, summary, body_html, reviewed, reviewer, sources):
    data = [question, summary, body_html, str(reviewed), reviewer, sources]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE faq_search USING fts5("
    "question, summary, body_text, tokenize = 'porter unicode61 remove_diacritics 2')"
)
POSTGRES_CREATE = [
    """CREATE TABLE faq_search (
        faq_id bigint PRIMARY KEY,
        question text NOT NULL,
        summary text NOT NULL,
        body_text text NOT NULL,
        question_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, question)) STORED,
        document_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, question), 'A')
            || setweight(to_tsvector('english'::regconfig, summary), 'B')
            || setweight(to_tsvector('english'::regconfig, body_text), 'D')
        ) STORED
    )""",
    "CREATE INDEX faq_search_document_idx ON faq_search USING gin (document_vector)",
]


def create_search_table(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements, insert = [SQLITE_CREATE], "INSERT INTO faq_search (rowid, question, summary, body_text)"
    elif vendor == "postgresql":
        statements, insert = POSTGRES_CREATE, "INSERT INTO faq_search (faq_id, question, summary, body_text)"
    else:
        raise RuntimeError(f"Site search supports SQLite and PostgreSQL, not {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)
    FAQ = apps.get_model("faq", "FAQ")
    rows = [index_row(*row) for row in FAQ.objects.order_by().values_list("pk", "question", "summary", "body_html")]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(insert + " VALUES (%s, %s, %s, %s)", rows)


def drop_search_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS faq_search")


def start_change_dates(apps, schema_editor):
    """Existing rows: hash what each page shows now; the last save is the best known date it changed."""
    FAQ = apps.get_model("faq", "FAQ")
    for faq in FAQ.objects.all():
        faq.content_hash = visible_fingerprint(
            faq.question, faq.summary, faq.body_html, faq.reviewed, faq.reviewer, faq.sources
        )
        faq.content_changed_at = faq.updated_at
        FAQ.objects.filter(pk=faq.pk).update(content_hash=faq.content_hash, content_changed_at=faq.content_changed_at)


class Migration(migrations.Migration):

    dependencies = [
        ('faq', '0002_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='faq',
            name='content_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name='faq',
            name='content_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(start_change_dates, migrations.RunPython.noop),
        migrations.RunPython(create_search_table, drop_search_table),
    ]
