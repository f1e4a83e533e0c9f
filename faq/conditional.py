"""HTTP caching for public pages: ETag and Last-Modified, 304 answers, and who may keep a copy.

Readers' pages may be kept by a CDN or proxy for PUBLIC_PAGE_MAX_AGE seconds and then revalidated. Staff
never get a cacheable page, and the decision is made without touching the session when there is no session
cookie, so readers' responses carry no `Vary: Cookie` and set no cookie.
"""

from functools import wraps

from django.conf import settings
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe


def viewer_is_staff(request):
    """True for a logged-in staff member; a request without a session cookie is a reader, no lookup needed."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_authenticated and request.user.is_staff


def set_last_modified(response, *moments):
    """Last-Modified from the latest of the given datetimes (None entries are ignored)."""
    moments = [moment for moment in moments if moment is not None]
    if moments:
        response["Last-Modified"] = http_date(max(moments).timestamp())
    return response


def never_cache_private(response):
    add_never_cache_headers(response)
    return response


def public_page(view):
    """Let shared caches keep the page briefly; answer 304 when the client's copy is current."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(response, "render", None) and not response.is_rendered:
            response.render()
        if response.has_header("Cache-Control"):
            return response  # the view decided, e.g. a staff-only draft
        if viewer_is_staff(request):
            return never_cache_private(response)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
            return response
        set_response_etag(response)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified, response=response)

    return wrapped
