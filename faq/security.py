"""django-axes hooks: who a client is, and what a locked-out login gets."""

import contextlib
import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.template import loader


def client_ip(request):
    """The address axes counts failures for. Our TRUSTED_PROXY_COUNT proxies each append the address they saw to
    X-Forwarded-For, so that many entries from the right is the client (entries left of it are whatever the client
    sent). With no trusted proxy, or a header our proxies did not write, it is the socket's peer."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= count:
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(forwarded[-count]))
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = loader.render_to_string("admin/locked_out.html", {"minutes": minutes})
    response = HttpResponse(html, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(minutes * 60)
    return response
