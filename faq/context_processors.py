from django.conf import settings
from django.utils import translation

from .models import SiteInfo


def site_info_for(request):
    """The site information in the page's language (the English one where it is not translated), read once per
    request (views and this context processor share it)."""
    if not hasattr(request, "_site_info"):
        language = translation.get_language()
        sites = {site.language: site for site in SiteInfo.objects.filter(language__in={language, "en"})}
        request._site_info = sites.get(language) or sites.get("en")
    return request._site_info


def site(request):
    """The program's identity and the page's canonical address, for every page."""
    return {
        "site_info": site_info_for(request),
        "canonical_url": settings.SITE_URL + request.path,
    }
