from django.conf import settings

from .models import SiteInfo


def site_info_for(request):
    """The site information, read once per request (views and this context processor share it)."""
    if not hasattr(request, "_site_info"):
        request._site_info = SiteInfo.objects.first()
    return request._site_info


def site(request):
    """The program's identity and the page's canonical address, for every page."""
    return {
        "site_info": site_info_for(request),
        "canonical_url": settings.SITE_URL + request.path,
    }
