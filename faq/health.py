"""Health checks for the load balancer: never cached, no cookies, plain text."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache


def _text(body, status=200):
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


@never_cache
def healthz(request):
    """The process is up and answering; the database is not touched."""
    return _text("ok\n")


@never_cache
def readyz(request):
    """The database answers a query; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return _text("database unavailable\n", status=503)
    return _text("ready\n")
