"""Site search: one function, `search()`, over SQLite FTS5 or PostgreSQL full-text search.

Both backends keep a `faq_search` table (made by migration 0003) with each FAQ's question, summary and answer
as plain text, kept in step by the post_save/post_delete signals below. Visibility is not the index's job:
every query is limited to `FAQ.objects.published()`. Highlights come from the database's own stemmer, marked
with private-use characters; the text is HTML-escaped first and only then are the markers turned into <mark>.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import FAQ
from .rendering import html_to_text

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
RESULT_LIMIT = 20
WINDOW = 200  # SQLite: how many of the best matches to check against published() before looking further
EXCERPT_WORDS = 24
START, STOP = "\ue000", "\ue001"  # private-use markers: never in indexed text (stripped), never in output
ELLIPSIS = "…"

# PostgreSQL's english stop-word list, used for both backends so they agree on what a query means.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can did do does doing don down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own s same she should so some such t than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself yourselves""".split()  # noqa: SIM905
)

_WORD_RE = re.compile(r"[^\W_]+")
_MARKED_RE = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


# --- text --------------------------------------------------------------------------------------------------------


def _index_text(text):
    return (text or "").replace(START, "").replace(STOP, "")


def clean_query(raw):
    """The query as the page may echo it: no control or non-characters, spaces collapsed, at most 200 chars."""
    kept = []
    for char in (raw or "")[: MAX_QUERY_CHARS * 4]:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co") or (category == "Cn" and _is_noncharacter(char)):
            kept.append(" ")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS]


def _is_noncharacter(char):
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def search_terms(query):
    """Lower-cased words of the query, stop words and repeats dropped, at most MAX_TERMS."""
    terms = []
    for word in _WORD_RE.findall(query.casefold()):
        if word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def marked(text):
    """Escape the text, then turn the database's highlight markers into <mark> elements."""
    html = _MARKED_RE.sub(r"<mark>\1</mark>", str(escape(text or "")))
    return mark_safe(html.replace(START, "").replace(STOP, ""))  # noqa: S308 (escaped above; only <mark> added)


# --- results -----------------------------------------------------------------------------------------------------


@dataclass
class Hit:
    faq: FAQ
    question: str
    summary: str
    excerpt: str
    in_question: bool


@dataclass
class SearchResult:
    query: str
    terms: list = field(default_factory=list)
    hits: list = field(default_factory=list)
    all_words: bool = True
    more: bool = False


def search(raw_query, limit=RESULT_LIMIT):
    """Published FAQs matching the query: question matches first, then by relevance, with highlights."""
    query = clean_query(raw_query)
    result = SearchResult(query=query, terms=search_terms(query))
    if not result.terms:
        return result
    backend = _backend()
    ranked = backend.ranked(result.terms, any_word=False, limit=limit + 1)
    if not ranked and len(result.terms) > 1:
        result.all_words = False
        ranked = backend.ranked(result.terms, any_word=True, limit=limit + 1)
    result.more = len(ranked) > limit
    ranked = ranked[:limit]
    if not ranked:
        return result
    ids = [faq_id for faq_id, _ in ranked]
    marks = backend.highlights(result.terms, ids, any_word=not result.all_words)
    faqs = FAQ.objects.published().for_search().order_by().in_bulk(ids)
    for faq_id, in_question in ranked:
        if faq_id in faqs and faq_id in marks:
            question, summary, excerpt = marks[faq_id]
            excerpt = marked(excerpt) if START in excerpt else ""
            result.hits.append(Hit(faqs[faq_id], marked(question), marked(summary), excerpt, bool(in_question)))
    return result


def _published_ids_sql():
    return FAQ.objects.published().order_by().values("id").query.sql_with_params()


# SQL below is put together from fixed fragments and Django's own SQL for published(); every value from a
# reader is a query parameter.

# --- SQLite FTS5 -------------------------------------------------------------------------------------------------


class _SQLite:
    @staticmethod
    def match(terms, any_word):
        # Every term is a quoted FTS5 string (the word pattern leaves no quotes), so NEAR/OR/* are plain words.
        return (" OR " if any_word else " ").join(f'"{term}"' for term in terms)

    def ranked(self, terms, any_word, limit):
        """Rank the matches, then check visibility for the best WINDOW of them (all of them if drafts crowd it).

        Checking published() per match in rank order keeps rare words fast; filtering 10,000 rows first would
        cost every query a scan, and letting SQLite drive the MATCH from published rows took seconds.
        """
        expression = self.match(terms, any_word)
        visible_sql, visible_params = (
            FAQ.objects.published().filter(pk=RawSQL("top.id", ())).order_by().values("id").query.sql_with_params()
        )
        sql = (
            f"SELECT top.id, top.in_question, EXISTS ({visible_sql}) FROM ("
            "SELECT rowid AS id, rowid IN (SELECT rowid FROM faq_search WHERE faq_search MATCH %s) AS in_question, "
            "bm25(faq_search, 10.0, 4.0, 1.0) AS score FROM faq_search WHERE faq_search MATCH %s "
            "ORDER BY in_question DESC, score, rowid LIMIT %s) AS top "
            "ORDER BY top.in_question DESC, top.score, top.id"
        )
        window = max(WINDOW, limit)
        with connection.cursor() as cursor:
            params = [*visible_params, f"{{question}} : ({expression})", expression]
            cursor.execute(sql, [*params, window])
            rows = cursor.fetchall()
            visible = [(faq_id, in_question) for faq_id, in_question, shown in rows if shown]
            if len(visible) < limit and len(rows) == window:
                cursor.execute(sql, [*params, -1])
                visible = [(faq_id, in_question) for faq_id, in_question, shown in cursor.fetchall() if shown]
        return visible[:limit]

    def highlights(self, terms, ids, any_word):
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            "SELECT rowid, highlight(faq_search, 0, %s, %s), highlight(faq_search, 1, %s, %s), "
            "snippet(faq_search, 2, %s, %s, %s, %s) "
            f"FROM faq_search WHERE faq_search MATCH %s AND rowid IN ({placeholders})"
        )
        params = [START, STOP, START, STOP, START, STOP, ELLIPSIS, EXCERPT_WORDS, self.match(terms, any_word), *ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def index(self, rows):
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM faq_search WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany(
                "INSERT INTO faq_search (rowid, question, summary, body_text) VALUES (%s, %s, %s, %s)", rows
            )

    def remove(self, faq_id):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM faq_search WHERE rowid = %s", [faq_id])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM faq_search")


# --- PostgreSQL --------------------------------------------------------------------------------------------------


class _PostgreSQL:
    @staticmethod
    def tsquery(terms, any_word):
        """SQL for a tsquery and its parameters; each word goes through plainto_tsquery, so no syntax leaks."""
        if not any_word:
            return "plainto_tsquery('english', %s)", [" ".join(terms)]
        return "(" + " || ".join(["plainto_tsquery('english', %s)"] * len(terms)) + ")", list(terms)

    def ranked(self, terms, any_word, limit):
        tsquery, query_params = self.tsquery(terms, any_word)
        published_sql, published_params = _published_ids_sql()
        sql = (
            "SELECT s.faq_id, s.question_vector @@ q.query AS in_question "
            f"FROM faq_search s, (SELECT {tsquery} AS query) AS q "
            f"WHERE s.document_vector @@ q.query AND s.faq_id IN ({published_sql}) "
            "ORDER BY in_question DESC, ts_rank(s.document_vector, q.query) DESC, s.faq_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*query_params, *published_params, limit])
            return cursor.fetchall()

    def highlights(self, terms, ids, any_word):
        tsquery, query_params = self.tsquery(terms, any_word)
        whole = f'HighlightAll=true, StartSel="{START}", StopSel="{STOP}"'
        excerpt = f'MaxWords={EXCERPT_WORDS}, MinWords={EXCERPT_WORDS // 2}, StartSel="{START}", StopSel="{STOP}"'
        sql = (
            "SELECT s.faq_id, ts_headline('english', s.question, q.query, %s), "
            "ts_headline('english', s.summary, q.query, %s), ts_headline('english', s.body_text, q.query, %s) "
            f"FROM faq_search s, (SELECT {tsquery} AS query) AS q WHERE s.faq_id = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [whole, whole, excerpt, *query_params, list(ids)])
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def index(self, rows):
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO faq_search (faq_id, question, summary, body_text) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (faq_id) DO UPDATE SET question = EXCLUDED.question, summary = EXCLUDED.summary, "
                "body_text = EXCLUDED.body_text",
                rows,
            )

    def remove(self, faq_id):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM faq_search WHERE faq_id = %s", [faq_id])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM faq_search")


_BACKENDS = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}


def _backend():
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(f"Site search supports SQLite and PostgreSQL, not {connection.vendor}.") from None


# --- keeping the index in step ----------------------------------------------------------------------------------


def index_row(faq_id, question, summary, body_html):
    return (faq_id, _index_text(question), _index_text(summary), _index_text(html_to_text(body_html)))


def rebuild_index():
    """Index every FAQ afresh, e.g. after rows were written without signals (bulk_create, raw SQL)."""
    backend = _backend()
    rows = FAQ.objects.order_by().values_list("pk", "question", "summary", "body_html")
    with transaction.atomic():
        backend.clear()
        backend.index([index_row(*row) for row in rows.iterator(chunk_size=2000)])


@receiver(post_save, sender=FAQ, dispatch_uid="faq_search_index")
def _index_saved_faq(sender, instance, raw=False, **kwargs):
    _backend().index([index_row(instance.pk, instance.question, instance.summary, instance.body_html)])


@receiver(post_delete, sender=FAQ, dispatch_uid="faq_search_remove")
def _remove_deleted_faq(sender, instance, **kwargs):
    _backend().remove(instance.pk)
