"""Long topics: the home page and the index list the first questions and link to the topic's own pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import FAQ, Topic
from faq.views import HOME_QUESTIONS_PER_TOPIC, INDEX_QUESTIONS_PER_TOPIC, TOPIC_PAGE_SIZE


@pytest.fixture
def big_topic(db):
    topic = Topic.objects.create(slug="big", title="Big topic", description="Many questions.", order=1)
    FAQ.objects.bulk_create(
        FAQ(question=f"Question {i:03}?", slug=f"q-{i}", summary=f"Summary {i}.", topic=topic, order=i,
            reviewed="2026-01-01", body="B.", body_html="<p>B.</p>")
        for i in range(120)
    )  # fmt: skip
    FAQ.objects.filter(slug="q-0").update(status=FAQ.Status.DRAFT)
    return topic


def test_home_lists_the_first_questions_and_links_to_the_whole_topic(client, big_topic):
    html = client.get("/").content.decode()
    assert html.count('href="/faq/q-') == HOME_QUESTIONS_PER_TOPIC
    assert '<a href="/faq/topics/big/">All 119 questions about big topic</a>' in html
    assert 'href="/faq/q-0/"' not in html  # the draft


def test_index_lists_more_questions_per_topic_and_the_same_link(client, big_topic):
    html = client.get("/faq/").content.decode()
    assert html.count('href="/faq/q-') == INDEX_QUESTIONS_PER_TOPIC
    assert "See the 119 questions" in html
    assert 'href="/faq/topics/big/"' in html


def test_topic_pages_list_every_published_question_once(client, big_topic):
    seen = []
    for number in (1, 2, 3):
        response = client.get(f"/faq/topics/big/?page={number}")
        assert response.status_code == 200
        seen += [faq.slug for faq in response.context["page"]]
    assert len(seen) == len(set(seen)) == 119
    assert "q-0" not in seen
    first = client.get("/faq/topics/big/").content.decode()  # the same page as ?page=1 (one cache entry)
    assert first.count('href="/faq/q-') == TOPIC_PAGE_SIZE
    assert 'rel="next">Next page of questions</a>' in first


def test_unknown_or_empty_topic_is_404(client, big_topic):
    Topic.objects.create(slug="empty", title="Empty", description="Nothing yet.", order=2)
    assert client.get("/faq/topics/nope/").status_code == 404
    assert client.get("/faq/topics/empty/").status_code == 404


def test_topic_page_query_count_does_not_grow_with_the_topic(client, big_topic):
    from django.core.cache import cache

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/faq/topics/big/?page=2").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    FAQ.objects.bulk_create(
        FAQ(question=f"More {i}?", slug=f"more-{i}", summary="S.", topic=big_topic, order=500 + i,
            reviewed="2026-01-01", body="B.")
        for i in range(400)
    )  # fmt: skip
    assert count() == before <= 5


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/topics/big/", "/faq/topics/big/?page=2"])
def test_reader_pages_stay_the_same_size_as_the_topic_grows(client, big_topic, path):
    from django.core.cache import cache

    def size():
        cache.clear()
        return len(client.get(path).content)

    before = size()
    FAQ.objects.bulk_create(
        FAQ(question=f"Question {i}?", slug=f"more-{i}", summary=f"Summary {i}.", topic=big_topic, order=500 + i,
            reviewed="2026-01-01", body="B.")
        for i in range(400)
    )  # fmt: skip
    assert abs(size() - before) < 100  # only the counts and the number of pages differ
