"""How long nginx's micro-cache (deploy/nginx/iop.conf.in) may keep a reader's page: X-Accel-Expires.

nginx counts in whole seconds. The answer may be kept until the end of the second in which its request
started, given as an absolute time (`@<unix seconds>`), so a cached page is never more than 1 second behind a
change saved before its request began. A relative `X-Accel-Expires: 1` would allow up to 2 seconds.

Only pages the app already lets shared caches keep (`Cache-Control: public`, set by faq.conditional) get the
header, never one that sets a cookie, varies by cookie or went to a request with a session. nginx strips the
header before answering, and stores nothing without it. This runs outside the page cache (faq.caching), so a
page replayed from that cache gets the time of its own request, not the one it was first rendered for.
"""

import time

from django.conf import settings

_NOT_SHARED = ("private", "no-store", "no-cache")


def shareable(request, response):
    cache_control = response.get("Cache-Control", "").lower()
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "public" in cache_control
        and not any(word in cache_control for word in _NOT_SHARED)
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
    )


class MicroCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = int(time.time())
        response = self.get_response(request)
        if shareable(request, response):
            response["X-Accel-Expires"] = f"@{started}"
        return response
