"""The sitemap: home and the FAQ index in each language, and every published FAQ, with a lastmod that moves only on
visible change, and each page's twin in the other language as an hreflang alternate (x-default: English)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from .models import FAQ, Language


class _SiteURLSitemap(Sitemap):
    """Absolute addresses from SITE_URL, whatever Host the request came with, and the alternates of each."""

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol()}://{self.get_domain()}"
        for url in urls:
            addresses = self.addresses(url["item"])
            if len(addresses) > 1:
                url["alternates"] = [
                    {"lang_code": code, "location": base + address} for code, address in addresses.items()
                ]
                url["alternates"].append({"lang_code": "x-default", "location": base + addresses[Language.ENGLISH]})
        return urls

    def addresses(self, item):
        """The item's address per language (only its own where it has no twin)."""
        raise NotImplementedError


class PageSitemap(_SiteURLSitemap):
    """Home and the index in each language (the Spanish ones list English-only answers in English, marked so):
    they list the published questions and summaries, so they changed when one of those did."""

    def items(self):
        return [(name, language) for name in ("faq:home", "faq:index") for language in Language.values]

    def location(self, item):
        name, language = item
        with translation.override(language):
            return reverse(name)

    def addresses(self, item):
        name, _ = item
        return {language: self.location((name, language)) for language in Language.values}

    def lastmod(self, item):
        if not hasattr(self, "_latest"):
            self._latest = FAQ.objects.published().aggregate(latest=Max("content_changed_at"))["latest"]
        return self._latest


class FAQSitemap(_SiteURLSitemap):
    def items(self):
        return FAQ.objects.published().only("slug", "language", "content_changed_at").with_twins().order_by("pk")

    def location(self, faq):
        return faq.get_absolute_url()

    def addresses(self, faq):
        twin = faq.twin()
        addresses = {faq.language: faq.get_absolute_url()}
        if twin is not None:
            addresses[twin.language] = twin.get_absolute_url()
        return addresses

    def lastmod(self, faq):
        return faq.content_changed_at


SITEMAPS = {"pages": PageSitemap, "faqs": FAQSitemap}
