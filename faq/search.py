"""Site search: one function, `search()`, over SQLite FTS5 or PostgreSQL full-text search.

Both backends keep a `faq_search` table (made by migration 0003) with each FAQ's question, summary and answer
as plain text, kept in step by the post_save/post_delete signals below. Visibility is not the index's job:
every query is limited to `FAQ.objects.published()`. Highlights come from the database's own stemmer, marked
with private-use characters; the text is HTML-escaped first and only then are the markers turned into <mark>.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import FAQ, SearchWords
from .queries import CrisisWords, clean_query, groups, parse_synonyms, search_terms
from .rendering import html_to_text

RESULT_LIMIT = 20
# At most this many visible matches of the question, and as many of the rest, are ranked: a word that is in every
# answer costs the same with 1,000 FAQs or 100,000. Below it, every match is ranked (the best are always found);
# above it, the best of the first CANDIDATES in index order.
CANDIDATES = 300
EXCERPT_WORDS = 24
START, STOP = "\ue000", "\ue001"  # private-use markers: never in indexed text (stripped), never in output
ELLIPSIS = "…"

_MARKED_RE = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


# --- text --------------------------------------------------------------------------------------------------------


def _index_text(text):
    return (text or "").replace(START, "").replace(STOP, "")


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
    groups: list = field(default_factory=list)  # per query word: the word and other words the site uses for it
    hits: list = field(default_factory=list)
    all_words: bool = True
    more: bool = False
    crisis: str | None = None  # the crisis word or phrase the query holds: the page shows help first
    crisis_answer: FAQ | None = None


def search(raw_query, limit=RESULT_LIMIT, language="en"):
    """Published FAQs in the language matching the query: question matches first, then by relevance, with
    highlights; and, if the query says the reader may be in danger (in any language), the crisis help and the
    crisis answer (its translation where there is one) before anything else."""
    query = clean_query(raw_query)
    words = SearchWords.objects.first()
    result = SearchResult(query=query, terms=search_terms(query))
    crisis_words, synonyms = _word_lists(
        tuple(words.crisis_terms if words else ()), tuple(words.synonyms if words else ())
    )
    result.crisis = crisis_words.found_in(query)
    if result.crisis and words:
        result.crisis_answer = _crisis_answer(words.crisis_answer, language)
    result.groups = groups(result.terms, synonyms)
    if result.terms:
        _find(result, limit, FAQ.objects.published().filter(language=language))
    return result


@functools.lru_cache(maxsize=4)
def _word_lists(crisis_terms, synonyms):
    """The clinic's word lists ready to compare, prepared once per version of the lists, not per search."""
    return CrisisWords.of(crisis_terms), parse_synonyms(synonyms)


def _crisis_answer(slug, language):
    answers = FAQ.objects.published().for_search()
    english = answers.filter(language="en", slug=slug)
    if language != "en":
        translated = answers.filter(language=language, translation_of__in=english.values("pk")).first()
        if translated is not None:
            return translated
    return english.first()


def _find(result, limit, visible):
    backend = _backend()
    ranked = backend.ranked(result.groups, visible, any_word=False, limit=limit + 1)
    if not ranked and len(result.groups) > 1:
        result.all_words = False
        ranked = backend.ranked(result.groups, visible, any_word=True, limit=limit + 1)
    result.more = len(ranked) > limit
    ranked = ranked[:limit]
    if not ranked:
        return
    ids = [faq_id for faq_id, _ in ranked]
    marks = backend.highlights(result.groups, ids, any_word=not result.all_words)
    faqs = visible.for_search().order_by().in_bulk(ids)
    for faq_id, in_question in ranked:
        if faq_id in faqs and faq_id in marks:
            question, summary, excerpt = marks[faq_id]
            excerpt = marked(excerpt) if START in excerpt else ""
            result.hits.append(Hit(faqs[faq_id], marked(question), marked(summary), excerpt, bool(in_question)))


# SQL below is put together from fixed fragments and Django's own SQL for published(); every value from a
# reader is a query parameter.

# --- SQLite FTS5 -------------------------------------------------------------------------------------------------

_ROWID = RawSQL("m.rowid", ())  # the row of faq_search being tested for visibility


class _SQLite:
    @staticmethod
    def match(groups, any_word):
        """FTS5 syntax for the query: every word quoted (the word pattern leaves no quotes, so NEAR, OR and * are
        plain words); all groups (each: a word or another word for it), or any word at all."""
        if any_word:
            return " OR ".join(f'"{word}"' for group in groups for word in group)
        return " AND ".join("(" + " OR ".join(f'"{word}"' for word in group) + ")" for group in groups)

    def ranked(self, groups, visible, any_word, limit):
        """Rank a bounded set of visible matches (published, in the page's language): question matches first, then
        by bm25 over the question, summary and answer (weighted 10, 4, 1).

        Visibility is checked in the scan, one primary-key lookup per match, before the LIMIT: drafts and the
        other language never crowd out a published match. `+rowid` keeps SQLite from restarting the full-text
        query once per question match (a rowid lookup with MATCH reads the whole doclist each time).
        """
        expression = self.match(groups, any_word)
        # Each scan below is its own subquery with the alias m, so one visibility test (compiled once) serves both.
        shown, shown_params = visible.filter(pk=_ROWID).order_by().values("id").query.sql_with_params()
        score = "bm25(faq_search, 10.0, 4.0, 1.0)"
        sql = (
            "WITH question AS MATERIALIZED (SELECT rowid AS id FROM faq_search m WHERE faq_search MATCH %s "
            f"AND EXISTS ({shown}) LIMIT %s) "
            "SELECT id, in_question FROM ("
            f"SELECT m.rowid AS id, 1 AS in_question, {score} AS score FROM faq_search m "
            "WHERE faq_search MATCH %s AND +m.rowid IN (SELECT id FROM question) "
            "UNION ALL SELECT * FROM ("
            f"SELECT m.rowid AS id, 0 AS in_question, {score} AS score FROM faq_search m "
            f"WHERE faq_search MATCH %s AND EXISTS ({shown}) AND +m.rowid NOT IN (SELECT id FROM question) "
            "LIMIT %s)"
            ") ORDER BY in_question DESC, score, id LIMIT %s"
        )
        params = [f"{{question}} : ({expression})", *shown_params, CANDIDATES, expression, expression]
        params += [*shown_params, CANDIDATES, limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def highlights(self, groups, ids, any_word):
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            "SELECT rowid, highlight(faq_search, 0, %s, %s), highlight(faq_search, 1, %s, %s), "
            "snippet(faq_search, 2, %s, %s, %s, %s) "
            f"FROM faq_search WHERE faq_search MATCH %s AND rowid IN ({placeholders})"
        )
        params = [START, STOP, START, STOP, START, STOP, ELLIPSIS, EXCERPT_WORDS, self.match(groups, any_word), *ids]
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
    def tsquery(groups, any_word):
        """SQL for a tsquery and its parameters; each word goes through plainto_tsquery, so no syntax leaks."""
        word = "plainto_tsquery('english', %s)"
        if any_word:
            words = [w for group in groups for w in group]
            return "(" + " || ".join([word] * len(words)) + ")", words
        sql = " && ".join("(" + " || ".join([word] * len(group)) + ")" for group in groups)
        return f"({sql})", [w for group in groups for w in group]

    def ranked(self, groups, visible, any_word, limit):
        """As SQLite: a bounded set of visible matches is ranked, question first. The matches come from the GIN
        index first (`hits`, materialized), then visibility: with statistics not yet gathered after a big load,
        PostgreSQL otherwise walked every published FAQ and tested its vector (40 ms for no match at 10,000)."""
        tsquery, query_params = self.tsquery(groups, any_word)
        published_sql, published_params = visible.order_by().values("id").query.sql_with_params()
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT s.faq_id, s.question_vector @@ q.query AS in_question "
            f"FROM faq_search s, (SELECT {tsquery} AS query) AS q WHERE s.document_vector @@ q.query), "
            f"matches AS MATERIALIZED (SELECT * FROM hits WHERE faq_id IN ({published_sql})), "
            "candidates AS ((SELECT * FROM matches WHERE in_question LIMIT %s) "
            "UNION ALL (SELECT * FROM matches WHERE NOT in_question LIMIT %s)) "
            "SELECT c.faq_id, c.in_question FROM candidates c JOIN faq_search s ON s.faq_id = c.faq_id, "
            f"(SELECT {tsquery} AS query) AS q "
            "ORDER BY c.in_question DESC, ts_rank(s.document_vector, q.query) DESC, c.faq_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            params = [*query_params, *published_params, CANDIDATES, CANDIDATES, *query_params, limit]
            cursor.execute(sql, params)
            return cursor.fetchall()

    def highlights(self, groups, ids, any_word):
        tsquery, query_params = self.tsquery(groups, any_word)
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


_batch = threading.local()
BATCH_SIZE = 1000


@contextlib.contextmanager
def indexing_in_batches():
    """Within a load: index saved FAQs a batch at a time (one statement per batch, not two per row), and the
    last batch on the way out. Still inside the caller's transaction, so a failed load indexes nothing."""
    _batch.rows = {}
    try:
        yield
        _flush()
    finally:
        _batch.rows = None


def _flush():
    rows, _batch.rows = _batch.rows, {}
    if rows:
        _backend().index(list(rows.values()))


@receiver(post_save, sender=FAQ, dispatch_uid="faq_search_index")
def _index_saved_faq(sender, instance, raw=False, **kwargs):
    row = index_row(instance.pk, instance.question, instance.summary, instance.body_html)
    batch = getattr(_batch, "rows", None)
    if batch is None:
        _backend().index([row])
        return
    batch[instance.pk] = row
    if len(batch) >= BATCH_SIZE:
        _flush()


@receiver(post_delete, sender=FAQ, dispatch_uid="faq_search_remove")
def _remove_deleted_faq(sender, instance, **kwargs):
    batch = getattr(_batch, "rows", None)
    if batch:
        batch.pop(instance.pk, None)
    _backend().remove(instance.pk)
