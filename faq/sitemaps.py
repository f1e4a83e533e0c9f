"""The sitemap: an index (/sitemap.xml) of sections, each at most SECTION_LIMIT addresses however many FAQs there
are: home and the FAQ index in each language, then every published FAQ in both languages, a section page at a time.
Each address has a lastmod that moves only on visible change, and its twin in the other language as an hreflang
alternate (x-default: English)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation

from .conditional import set_last_modified
from .models import FAQ, Language

# Addresses per section page: small enough that a page renders and is served from the page cache quickly.
SECTION_LIMIT = 1000


class _SiteURLSitemap(Sitemap):
    """Absolute addresses from SITE_URL, whatever Host the request came with, and the alternates of each."""

    limit = SECTION_LIMIT

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def base(self):
        return f"{self.get_protocol()}://{self.get_domain()}"

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = self.base()
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
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        if not hasattr(self, "_latest"):
            self._latest = _latest_published_change()
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


def _latest_published_change():
    return FAQ.objects.published().aggregate(latest=Max("content_changed_at"))["latest"]


SITEMAPS = {"pages": PageSitemap, "faqs": FAQSitemap}


def index(request):
    """The sitemap index: every section page at its absolute address, each with the latest change. A few queries
    however many FAQs there are (a count per section, and the latest change, which is every section's: the pages'
    lastmod is the newest answer's)."""
    latest = _latest_published_change()
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        address = sitemap.base() + reverse("sitemap-section", kwargs={"section": section})
        entries += [
            SitemapIndexItem(address if page == 1 else f"{address}?p={page}", latest)
            for page in sitemap.paginator.page_range
        ]
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's own sitemap views
    return set_last_modified(response, *(entry.last_mod for entry in entries))
