"""Whole-page cache for readers that is never stale.

Every change to content (an admin save or delete, a load, a restore) bumps one number in the database, the
content version. Cached pages are stored under that version, so the very next request after a change misses
and renders afresh, on every app server, whichever cache backend holds the pages (in-process memory, or Redis
shared by several servers when REDIS_URL is set). A cache that fails (Redis gone) only costs speed.
"""

import contextlib
import hashlib
import logging
import re
import threading
import time
from time import monotonic

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

logger = logging.getLogger(__name__)

# Staff pages, health checks, search results and robots.txt (no database work to save) skip the cache.
NEVER_CACHED = ("/admin/", "/staff/", "/healthz", "/readyz", "/search/", "/robots.txt")
_VERSION_SQL = "SELECT version FROM faq_contentversion WHERE id = 1"


def current_version():
    """The content version: one primary-key read, kept out of the ORM because it runs on every request."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0


def new_version_floor():
    """Microseconds since the epoch: versions never repeat, even after the database is restored from a backup
    while a shared cache still holds pages stored under the old numbers."""
    return time.time_ns() // 1000


_suspended = threading.local()


@contextlib.contextmanager
def bumps_suspended():
    """Within a load, skip the per-row bumps from signals; the load bumps once at the end."""
    _suspended.active = True
    try:
        yield
    finally:
        _suspended.active = False


def bump_content_version(**_):
    """Invalidate every cached page (called by the content models' signals and after each load)."""
    from .models import ContentVersion

    if getattr(_suspended, "active", False):
        return
    floor = new_version_floor()
    if not ContentVersion.objects.filter(pk=1).update(version=Greatest(F("version") + 1, Value(floor))):
        ContentVersion.objects.get_or_create(pk=1, defaults={"version": floor})


def connect_signals():
    from . import models

    # Search words show on no cached page; they bump too, so the version says whether anything changed since the
    # last load (faq.loading.LoadState).
    content = (
        models.FAQ,
        models.Fact,
        models.Topic,
        models.SiteInfo,
        models.SearchWords,
        models.RelatedFAQ,
        models.Alias,
    )
    for model in content:
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"cache-save-{model.__name__}")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"cache-delete-{model.__name__}")
    m2m_changed.connect(bump_content_version, sender=models.FAQ.related.through, dispatch_uid="cache-related")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


# A cache that hangs (Redis accepting connections but never answering) would cost every request its socket
# timeout. After BREAKER_FAILURES failures in a row the cache is skipped for BREAKER_SECONDS; then one request
# tries it again. The state is per process: each worker finds out for itself, at a cost of a few timeouts.
BREAKER_FAILURES = 3
BREAKER_SECONDS = 30


class CircuitBreaker:
    """Skip a failing cache for a while, and log its failures once per pause instead of once per request."""

    def __init__(self):
        self.failures = 0
        self.open_until = None
        self.last_error = None
        self.next_blip_report = 0.0
        self.lock = threading.Lock()

    def allow(self):
        with self.lock:
            if self.open_until is None:
                return True
            if monotonic() < self.open_until:
                return False
            self.open_until = monotonic() + BREAKER_SECONDS  # this request tries; the others keep skipping
            return True

    def succeeded(self):
        with self.lock:
            recovered, blips, error = self.open_until is not None, self.failures, self.last_error
            self.failures, self.open_until = 0, None
            report_blips = blips and not recovered and monotonic() >= self.next_blip_report
            if report_blips:
                self.next_blip_report = monotonic() + BREAKER_SECONDS
        if recovered:
            logger.info("page cache answering again; using it")
        elif report_blips:
            logger.warning("page cache failed %s time(s) in a row (%s), then answered", blips, _describe(error))

    def failed(self, error):
        with self.lock:
            self.failures += 1
            self.last_error = error
            if self.failures < BREAKER_FAILURES:
                return
            self.open_until = monotonic() + BREAKER_SECONDS
        logger.warning(
            "page cache unavailable (%s); serving pages uncached, trying it again in %s s",
            _describe(error),
            BREAKER_SECONDS,
        )


def _describe(error):
    return f"{type(error).__name__}: {error}"


_breakers = {}


def _breaker():
    """The breaker of the page cache as configured now (tests point the cache elsewhere)."""
    location = str(settings.CACHES[settings.PAGE_CACHE_ALIAS].get("LOCATION", ""))
    return _breakers.setdefault(location, CircuitBreaker())


def reset_breakers():
    _breakers.clear()


_FAILED = object()


def _get(breaker, key):
    """The cached page, None, or _FAILED; a failure counts against the breaker (the page is served uncached)."""
    try:
        cached = _cache().get(key)
    except Exception as error:  # any cache failure (timeout, refused, corrupt entry) only costs speed
        breaker.failed(error)
        return _FAILED
    breaker.succeeded()
    return cached


def _set(breaker, key, value):
    try:
        _cache().set(key, value, settings.PAGE_CACHE_SECONDS)
    except Exception as error:  # as in _get
        breaker.failed(error)
    else:
        breaker.succeeded()


# The query parameters a cached page reads, by URL name, and the largest value cached. Every other parameter is
# left out of the key (the page is the same without it), so `/?x=<random>` is served the one cached home page
# instead of filling the cache. A value that is not a plain page number (or past the largest cached: a made-up
# number shows a topic's last page) is served fresh and not stored. The value 1 is the same page as no value.
# A sitemap section past its last page is a 404, never stored, so its cap only bounds the number's length.
CACHED_QUERY_PARAMETERS = {"faq:topic": ("page", 100), "sitemap-section": ("p", 9999)}
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")


def cache_key(request, version):
    """The page's cache key, or None when this request must not use the cache."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    parameter, largest = CACHED_QUERY_PARAMETERS.get(match.view_name, (None, 0))
    values = request.GET.getlist(parameter) if parameter else []
    if len(values) > 1:
        return None
    value = values[0] if values else "1"
    if not _PAGE_NUMBER.fullmatch(value) or int(value) > max(largest, 1):
        return None
    identity = request.path if value == "1" else f"{request.path}?{parameter}={value}"
    return f"page:{version}:{hashlib.sha256(identity.encode('utf-8', 'surrogateescape')).hexdigest()}"


def _storable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and "public" in cache_control
        and "private" not in cache_control
        and not response.cookies
        and "Cookie" not in response.get("Vary", "")
    )


class PageCacheMiddleware:
    """Serve readers' public pages from the cache; store what the views mark `public` (faq.conditional)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES  # staff (anyone with a session): always fresh
            or request.path.startswith(NEVER_CACHED)
        ):
            return self.get_response(request)
        request.get_host()  # a Host not in ALLOWED_HOSTS is refused (400) before anything is served
        breaker = _breaker()
        if not breaker.allow():
            return self.get_response(request)
        try:
            version = current_version()
        except DatabaseError:
            return self.get_response(request)  # the views' own handling answers (503 page)
        key = cache_key(request, version)
        if key is None:
            return self.get_response(request)
        cached = _get(breaker, key)
        if cached is _FAILED:
            return self.get_response(request)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        response = self.get_response(request)
        if _storable(response):
            _set(breaker, key, (response.status_code, list(response.items()), response.content))
        return response
