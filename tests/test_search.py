"""Site search. Runs on SQLite (FTS5) here and on PostgreSQL with DATABASE_URL=postgres://…"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq import dependants
from faq.entries import Applied
from faq.models import FAQ, Fact, Topic
from faq.search import rebuild_index, search
from tests.conftest import faq_text

BAD_QUERIES = [
    "",
    "   ",
    "?!.,;:()[]{}",
    "x" * 10_000,
    "therapy " * 2_000,
    '"',
    '"therapy',
    "*",
    "ther*",
    "therapy NEAR group",
    "NEAR(therapy group)",
    "therapy OR group",
    "therapy AND group",
    "NOT therapy",
    "-therapy",
    "(therapy",
    "therapy)",
    "{question}: therapy",
    "question:therapy",
    "therapy\x00group",
    "\x01\x02\x1b[31m\x7f",
    "'; DROP TABLE faq_faq; --",
    "' OR 1=1 --",
    "\\",
    "%_%",
    "علاج جماعي",
    "团体治疗",
    "🙂🧠💬",
    "thérapie",
    "\ue000therapy\ue001",
    "\ufffe\uffff\ufdd0",
    "therapy & | ! <-> :*",
]


def slugs(result):
    return [hit.faq.slug for hit in result.hits]


def test_plural_finds_singular_through_stemming(make_faq):
    make_faq("groups", question="What happens in a group session?")
    assert slugs(search("sessions")) == ["groups"]


def test_singular_finds_plural_in_the_answer(make_faq):
    make_faq("days", body="Most people come three days a week and join two therapy sessions a day.")
    assert slugs(search("session")) == ["days"]


def test_question_matches_rank_above_answer_matches(make_faq):
    make_faq("answer-only", question="How long is it?", body="Medicare " * 30 + "pays for most of it.")
    make_faq("in-question", question="Does Medicare pay?", body="Yes, in most cases.")
    assert slugs(search("medicare")) == ["in-question", "answer-only"]


def test_drafts_never_appear_in_results(make_faq):
    make_faq("public", question="What is group therapy?")
    make_faq("hidden", question="What is group therapy, in draft?", status=FAQ.Status.DRAFT)
    assert slugs(search("group therapy")) == ["public"]


def test_every_word_must_match_before_any_word_does(make_faq):
    make_faq("both", question="Does Medicare cover group therapy?")
    make_faq("one", question="What is group work like?")
    result = search("medicare group")
    assert (slugs(result), result.all_words) == (["both"], True)


def test_falls_back_to_any_word_when_no_faq_has_them_all(make_faq):
    make_faq("one", question="What is group work like?")
    result = search("medicare group")
    assert (slugs(result), result.all_words) == (["one"], False)


def test_stop_words_are_ignored(make_faq):
    make_faq("cost", question="What does it cost?")
    assert slugs(search("how much does it cost")) == ["cost"]


def test_matching_words_are_marked_in_escaped_text(make_faq):
    make_faq("esc", question="Is <b>group</b> therapy & art <script>ok</script>?", summary="Group & <i>more</i>.")
    hit = search("group").hits[0]
    assert str(hit.question) == (
        "Is &lt;b&gt;<mark>group</mark>&lt;/b&gt; therapy &amp; art &lt;script&gt;ok&lt;/script&gt;?"
    )
    assert str(hit.summary) == "<mark>Group</mark> &amp; &lt;i&gt;more&lt;/i&gt;."


def test_answer_only_match_shows_a_marked_excerpt(make_faq):
    make_faq("deep", question="How does it work?", summary="It works well.", body="Bring a notebook & a pen.")
    hit = search("notebook").hits[0]
    assert "<mark>notebook</mark> &amp; a pen" in str(hit.excerpt)


def test_index_follows_admin_saves(make_faq):
    faq = make_faq("edited", question="What is a yoga class?")
    faq.question = "What is a walking group?"
    faq.save()
    assert (slugs(search("yoga")), slugs(search("walking"))) == ([], ["edited"])


def test_index_follows_deletes(make_faq):
    make_faq("gone", question="What about yoga?").delete()
    assert slugs(search("yoga")) == []


def test_index_follows_fact_changes_in_answers(make_faq, fact):
    fact(key="place", value="the river room")
    make_faq("where", body="We meet in {{ fact:place }}.")
    fact_obj = Fact.objects.get(key="place")
    fact_obj.value = "the garden room"
    fact_obj.save()
    dependants.rerender(Applied(fact_keys={("en", "place")}))  # what a load or an approval does after a fact changes
    assert (slugs(search("river")), slugs(search("garden"))) == ([], ["where"])


def test_index_follows_content_loads(loaded, write):
    assert slugs(search("kayak")) == []
    write(
        "faqs/alpha.md",
        faq_text("alpha", related=["beta"], body="Alpha now talks about kayaks.", reviewed="2026-02-01"),
    )
    call_command("load_content", path=loaded, stdout=io.StringIO())
    assert slugs(search("kayak")) == ["alpha"]


def test_rebuild_index_covers_rows_written_without_signals(db):
    topic = Topic.objects.create(slug="t", title="T", description="d")
    FAQ.objects.bulk_create(
        [FAQ(question="Bulk kayak?", slug="bulk", summary="S.", topic=topic, reviewed="2026-01-01")]
    )
    assert slugs(search("kayak")) == []
    rebuild_index()
    assert slugs(search("kayak")) == ["bulk"]


def test_rebuild_command_reports_what_it_indexed(make_faq):
    make_faq(question="What about kayaks?")
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue() == "Indexed 1 FAQs for search.\n"
    assert len(search("kayak").hits) == 1


def test_more_than_the_limit_says_there_are_more(make_faq):
    for i in range(4):
        make_faq(f"g{i}", question=f"Group question {i}?")
    result = search("group", limit=3)
    assert (len(result.hits), result.more) == (3, True)


@pytest.mark.parametrize("query", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_bad_queries_give_a_normal_page(client, make_faq, query):
    make_faq("therapy", question="What is group therapy?")
    response = client.get("/search/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input id="search-q" type="search" name="q"' in html
    assert "\x00" not in html and "\x1b" not in html and "<script>" not in html


def test_search_page_lists_results_with_summary_and_marks(client, make_faq):
    make_faq("groups", question="What happens in group therapy?", summary="You meet with others and a therapist.")
    html = client.get("/search/", {"q": "groups"}).content.decode()
    assert '<a href="/faq/groups/">What happens in <mark>group</mark> therapy?</a>' in html
    assert "You meet with others and a therapist." in html


def test_search_page_is_noindex_and_never_cached(client, make_faq):
    make_faq(question="What is group therapy?")
    response = client.get("/search/", {"q": "group"})
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "ETag" not in response and "Set-Cookie" not in response


def test_no_results_page_suggests_topics_and_the_crisis_line(client, make_faq):
    make_faq(question="What is group therapy?")
    html = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "No questions match “zebra”" in html
    assert '<a href="/faq/#general">General</a>' in html
    assert html.count('href="tel:988"') >= 2  # the page's own suggestion, besides the banner on every page


def test_every_page_has_a_labelled_search_form(client, loaded):
    html = client.get("/faq/alpha/").content.decode()
    assert '<form class="site-search" role="search" aria-label="Site search" action="/search/" method="get">' in html
    assert '<label for="site-search-q">' in html and 'id="site-search-q"' in html


@pytest.mark.parametrize("query", ["group", "zebra"])
def test_search_page_query_count_is_the_same_with_5_or_500_faqs(client, make_faq, query):
    for i in range(5):
        make_faq(question=f"Group question {i}?")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/search/", {"q": query}).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    topic = Topic.objects.create(slug="more", title="More", description="More questions.", order=2)
    FAQ.objects.bulk_create(
        FAQ(question=f"Group bulk {i}?", slug=f"bulk-{i}", summary="S.", topic=topic, reviewed="2026-01-01", body="B.")
        for i in range(495)
    )
    rebuild_index()
    assert FAQ.objects.count() == 500
    assert count() == small
    assert small <= 5


def test_many_better_ranked_drafts_never_hide_a_published_match(make_faq, monkeypatch):
    monkeypatch.setattr("faq.search.CANDIDATES", 3)  # only a few matches are ranked: visible ones
    for i in range(6):
        make_faq(f"draft-{i}", question=f"Kayak kayak question {i}?", status=FAQ.Status.DRAFT)
    make_faq("public", question="Anything else?", body="One kayak.")
    assert slugs(search("kayak")) == ["public"]
