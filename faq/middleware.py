"""Response headers Django does not send itself, and a friendly 503 when the database is down."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

STAFF_PREFIXES = ("/admin/", "/staff/")


class PermissionsPolicyMiddleware:
    """Turn off browser features no page uses; keep staff pages out of search engines."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        if request.path.startswith(STAFF_PREFIXES):
            response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


def database_unavailable(request=None):
    """The 503 page: a static template (no context processors, no queries) with the crisis line."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """When a view cannot reach the database, answer 503 with the crisis line instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DatabaseError):
            logger.error("Database unavailable while serving %s: %s", request.path, exception)
            return database_unavailable(request)
        return None
