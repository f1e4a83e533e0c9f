from django.conf import settings

from .models import SiteInfo


def site(request):
    """The program's identity and the page's canonical address, for every page."""
    return {
        "site_info": SiteInfo.objects.first(),
        "canonical_url": settings.SITE_URL + request.path,
    }
