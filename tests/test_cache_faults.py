"""A page cache that fails (Redis hung or gone) costs a few requests a little time, once, and one log line."""

import logging

import pytest
import redis

from faq import caching
from tests.servers import free_port
from tests.stand_ins import SilentServer

REDIS_URL = "redis://127.0.0.1:6379/13"
PAGE = "/faq/alpha/"


def use_redis(settings, url):
    """The production cache settings (iop_site/settings/base.py), pointed at `url`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "iop-test",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    caching.reset_breakers()
    fake = Clock()
    monkeypatch.setattr(caching, "monotonic", fake)
    yield fake
    caching.reset_breakers()


@pytest.fixture
def silent_redis(settings, clock):
    with SilentServer() as server:
        use_redis(settings, server.url())
        yield server


@pytest.fixture
def cache_log(caplog):
    logger = logging.getLogger("faq")
    logger.propagate = True
    caplog.set_level(logging.INFO, logger="faq.caching")
    yield lambda: [record for record in caplog.records if record.name == "faq.caching"]
    logger.propagate = False


def page_ok(client):
    response = client.get(PAGE)
    return response.status_code == 200 and "Alpha takes 9 to 19 hours a week." in response.content.decode()


def test_a_redis_that_never_answers_is_tried_once_per_request_with_no_retries(client, loaded, silent_redis):
    assert page_ok(client)
    assert silent_redis.accepted == 1


def test_after_three_failures_the_cache_is_skipped_and_pages_still_come(client, loaded, silent_redis):
    assert all(page_ok(client) for _ in range(20))
    assert silent_redis.accepted == caching.BREAKER_FAILURES == 3


def test_the_cache_is_tried_again_after_the_pause_and_skipped_again_if_still_hung(client, loaded, silent_redis, clock):
    for _ in range(5):
        client.get(PAGE)
    clock.now += caching.BREAKER_SECONDS - 1
    client.get(PAGE)
    assert silent_redis.accepted == 3
    clock.now += 2
    for _ in range(5):
        assert page_ok(client)
    assert silent_redis.accepted == 4


@pytest.fixture
def healthy_redis():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it; locally: redis-server --daemonize yes)")
    client.flushdb()
    yield client
    client.flushdb()


def test_the_cache_comes_back_by_itself_when_redis_answers_again(client, loaded, silent_redis, clock, healthy_redis):
    for _ in range(3):
        client.get(PAGE)
    silent_redis.relay_to(("127.0.0.1", 6379))  # Redis answers again at the same address
    clock.now += caching.BREAKER_SECONDS + 1
    assert page_ok(client)
    assert any(key.startswith(b"iop-test:") for key in healthy_redis.scan_iter())


def test_a_redis_outage_is_logged_once_per_pause_without_a_traceback(client, loaded, settings, clock, cache_log):
    use_redis(settings, f"redis://127.0.0.1:{free_port()}/13")  # nothing listens there
    for _ in range(50):
        assert page_ok(client)
    records = cache_log()
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING and records[0].exc_info is None
    message = records[0].getMessage()
    assert "page cache unavailable" in message and "ConnectionError" in message
    assert f"trying it again in {caching.BREAKER_SECONDS} s" in message
    clock.now += caching.BREAKER_SECONDS + 1
    for _ in range(50):
        client.get(PAGE)
    assert len(cache_log()) == 2


def test_the_cache_coming_back_is_logged(client, loaded, silent_redis, clock, healthy_redis, cache_log):
    for _ in range(3):
        client.get(PAGE)
    silent_redis.relay_to(("127.0.0.1", 6379))
    clock.now += caching.BREAKER_SECONDS + 1
    client.get(PAGE)
    assert [record.getMessage() for record in cache_log()][-1] == "page cache answering again; using it"
