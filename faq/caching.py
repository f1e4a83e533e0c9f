"""Whole-page cache for readers that is never stale.

Every change to content (an admin save or delete, a load, a restore) bumps one number in the database, the
content version. Cached pages are stored under that version, so the very next request after a change misses
and renders afresh, on every app server, whichever cache backend holds the pages (in-process memory, or Redis
shared by several servers when REDIS_URL is set). A cache that fails (Redis gone) only costs speed.
"""

import contextlib
import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
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

    for model in (models.FAQ, models.Fact, models.Topic, models.SiteInfo, models.RelatedFAQ, models.Alias):
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"cache-save-{model.__name__}")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"cache-delete-{model.__name__}")
    m2m_changed.connect(bump_content_version, sender=models.FAQ.related.through, dispatch_uid="cache-related")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _get(key):
    try:
        return _cache().get(key)
    except Exception:  # a cache outage must not take pages down: serve uncached
        logger.warning("page cache unavailable; serving uncached", exc_info=True)
        return None


def _set(key, value):
    try:
        _cache().set(key, value, settings.PAGE_CACHE_SECONDS)
    except Exception:  # as in _get
        logger.warning("page cache unavailable; not storing", exc_info=True)


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
        try:
            version = current_version()
        except DatabaseError:
            return self.get_response(request)  # the views' own handling answers (503 page)
        path = request.get_full_path().encode("utf-8", "surrogateescape")
        key = f"page:{version}:{hashlib.sha256(path).hexdigest()}"
        cached = _get(key)
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
            _set(key, (response.status_code, list(response.items()), response.content))
        return response
