"""Page-cache keys hold only the query parameters a page reads, so made-up query strings cannot fill the cache."""

import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import Topic
from tests.test_cache_faults import REDIS_URL, use_redis


@pytest.fixture
def redis_cache(settings):
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it; locally: redis-server --daemonize yes)")
    store.flushdb()
    use_redis(settings, REDIS_URL)
    yield store
    store.flushdb()


def cached_pages(store):
    return sum(1 for key in store.scan_iter() if key.startswith(b"iop-test:"))


def queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/alpha/", "/sitemap.xml"])
def test_made_up_query_strings_add_no_cached_page(client, loaded, redis_cache, path):
    client.get(path)
    assert cached_pages(redis_cache) == 1
    for _ in range(20):
        assert client.get(f"{path}?x={uuid.uuid4().hex}").status_code == 200
    assert cached_pages(redis_cache) == 1


def test_a_made_up_query_string_is_served_the_cached_page(client, loaded, redis_cache):
    _, page = queries(client, "/faq/alpha/")
    assert queries(client, "/faq/alpha/?utm_source=newsletter&x=1") == (1, page)


@pytest.fixture
def long_topic(make_faq):
    """A topic with 51 questions: two pages of 50."""
    topic = Topic.objects.create(slug="long", title="Long topic", description="Many questions.", order=1)
    for n in range(51):
        make_faq(f"long-{n:02}", topic=topic, question=f"Long question {n:02}?")
    return topic


def test_each_page_of_a_topic_is_cached_on_its_own(client, long_topic, redis_cache):
    first = client.get("/faq/topics/long/").content.decode()
    second = client.get("/faq/topics/long/?page=2").content.decode()
    assert "Long question 00?" in first and "Long question 50?" not in first
    assert "Long question 50?" in second and "Long question 00?" not in second
    assert cached_pages(redis_cache) == 2
    assert queries(client, "/faq/topics/long/?page=2") == (1, second)
    assert queries(client, "/faq/topics/long/?page=1&x=2") == (1, first)


@pytest.mark.parametrize("query", ["page=02", "page=2&page=2", "page=abc", "page=", "page=999", "page=-1"])
def test_an_unusual_page_number_is_served_fresh_and_not_stored(client, long_topic, redis_cache, query):
    response = client.get(f"/faq/topics/long/?{query}")
    assert response.status_code == 200 and "Long question" in response.content.decode()
    assert cached_pages(redis_cache) == 0


def test_the_sitemap_section_page_parameter_is_part_of_its_key(client, loaded, redis_cache):
    assert client.get("/sitemap-faqs.xml?p=1").status_code == 200
    assert client.get("/sitemap-faqs.xml?p=2").status_code == 404
    assert cached_pages(redis_cache) == 1
