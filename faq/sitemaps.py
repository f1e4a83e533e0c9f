"""The sitemap: home, the FAQ index and every published FAQ, with a lastmod that moves only on visible change."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import FAQ


class _SiteURLSitemap(Sitemap):
    """Absolute addresses from SITE_URL, whatever Host the request came with."""

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class PageSitemap(_SiteURLSitemap):
    """Home and the index list the published questions and summaries: they changed when one of those did."""

    def items(self):
        return ["faq:home", "faq:index"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        if not hasattr(self, "_latest"):
            self._latest = FAQ.objects.published().aggregate(latest=Max("content_changed_at"))["latest"]
        return self._latest


class FAQSitemap(_SiteURLSitemap):
    def items(self):
        return FAQ.objects.published().only("slug", "content_changed_at").order_by("pk")

    def lastmod(self, faq):
        return faq.content_changed_at


SITEMAPS = {"pages": PageSitemap, "faqs": FAQSitemap}
