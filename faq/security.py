"""django-axes hooks: who a client is, and what a locked-out login gets."""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader


def client_ip(request):
    """The address axes counts failures for: behind our proxy, the one it saw; otherwise the socket's peer."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]  # appended by our own proxy; earlier entries come from the client
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = loader.render_to_string("admin/locked_out.html", {"minutes": minutes})
    response = HttpResponse(html, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(minutes * 60)
    return response
