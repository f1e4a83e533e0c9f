"""Response headers Django does not send itself, and error pages that tell a database outage (503) from a bad value
(400) and from a bug (500)."""

import logging
import sqlite3
import sys
import threading
import time
from time import monotonic

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    ProgrammingError,
)
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import resolve_url
from django.template import loader
from django.utils import translation
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


# When a staff session started and last made a request (seconds since the epoch), kept in the session itself.
STAFF_SINCE = "_staff_since"
STAFF_SEEN = "_staff_seen"


class StaffSessionTimeoutMiddleware:
    """Log staff out after ADMIN_IDLE_TIMEOUT seconds without a request, and ADMIN_SESSION_MAX_AGE seconds after
    they logged in however active; a staff page then sends them to the login page, which says why. Requests
    without a session cookie (readers) are not looked at, so they still get no cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            reason = self._expired(request.session, time.time())
            if reason:
                logout(request)
                if request.path.startswith(STAFF_PREFIXES):  # on a public page: a reader now, with no message cookie
                    messages.info(request, f"You were logged out {reason}. Log in again to go on.")
                    login_url = resolve_url(settings.LOGIN_URL)
                    if request.path != login_url:
                        return redirect_to_login(request.get_full_path(), login_url)
        return self.get_response(request)

    @staticmethod
    def _expired(session, now):
        """Why the session is over ("after 30 minutes without activity"), or None after noting this request."""
        since, seen = session.setdefault(STAFF_SINCE, now), session.get(STAFF_SEEN, now)
        if now - seen > settings.ADMIN_IDLE_TIMEOUT:
            return f"after {_duration(settings.ADMIN_IDLE_TIMEOUT)} without activity"
        if now - since > settings.ADMIN_SESSION_MAX_AGE:
            return f"{_duration(settings.ADMIN_SESSION_MAX_AGE)} after logging in"
        session[STAFF_SEEN] = now
        return None


def _duration(seconds):
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def is_outage(error):
    """True when the database cannot be reached or used at all (connection refused or lost, server shutting down,
    database file unreadable or locked): try again soon. False for a value it refused or a query it could not run."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, DatabaseError):
        return False
    if isinstance(error, (DataError, IntegrityError, ProgrammingError, InternalError, NotSupportedError)):
        return False
    # SQLite reports bad SQL (and a missing table or column) as an OperationalError with its generic error code.
    cause = error.__cause__
    return not (isinstance(cause, sqlite3.Error) and getattr(cause, "sqlite_errorname", "") == "SQLITE_ERROR")


def _static_page(template, response_class, status=None):
    """An error page from a static template: no context processors, no queries (the database may be what failed)."""
    response = response_class(loader.render_to_string(template), **({"status": status} if status else {}))
    add_never_cache_headers(response)
    return response


def database_unavailable(request=None):
    """The 503 page with the crisis line."""
    response = _static_page("503.html", HttpResponse, status=503)
    response["Retry-After"] = "30"
    return response


def server_error(request):
    """handler500: the 503 page when the database is down (e.g. the 404 page's topic list failed), else the 500."""
    if is_outage(sys.exception()):
        return database_unavailable(request)
    return _static_page("500.html", HttpResponseServerError)


class _OncePerInterval:
    """Log a failure that goes on (every request fails the same way) once per interval, not once per request."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.hits, self.next_at = 0, 0.0

    def due(self):
        """The number of occurrences since the last line, when a line is due; else 0."""
        with self.lock:
            self.hits += 1
            if monotonic() < self.next_at:
                return 0
            hits, self.hits, self.next_at = self.hits, 0, monotonic() + self.seconds
            return hits


OUTAGE_LOG_SECONDS = 30
_outage_log = _OncePerInterval(OUTAGE_LOG_SECONDS)


def reset_outage_log():
    _outage_log.reset()


class DatabaseUnavailableMiddleware:
    """What a database error in a view gets: an outage the 503 page with the crisis line, a value the database
    refused a 400 ("nothing was saved"), and anything else Django's 500 (logged with its traceback)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            if hits := _outage_log.due():
                logger.error(
                    "Database unavailable while serving %s: %s (%d request(s) answered 503 since the last such line; "
                    "next one in %d s at most)",
                    request.path,
                    exception,
                    hits,
                    OUTAGE_LOG_SECONDS,
                )
            return _logged(database_unavailable(request))
        if isinstance(exception, IntegrityError):
            logger.error(
                "The database refused a change while serving %s; a form should have refused it first",
                request.path,
                exc_info=exception,
            )
            return _logged(_static_page("400.html", HttpResponseBadRequest))
        if isinstance(exception, DataError):
            logger.warning("Refused a value while serving %s: DataError: %s", request.path, exception)
            return _logged(_static_page("400.html", HttpResponseBadRequest))
        return None


def _logged(response):
    """Mark a response whose cause was logged above, so Django's request log does not add a line of its own."""
    response._has_been_logged = True
    return response


class ReaderLanguageMiddleware:
    """Spanish for addresses under /es/, English for every other: from the address alone, so a page never
    changes language by the browser's settings, a cookie or a redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = "es" if request.path_info == "/es" or request.path_info.startswith("/es/") else "en"
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.setdefault("Content-Language", language)
        return response
