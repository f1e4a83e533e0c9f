from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from faq import views as faq_views
from faq.conditional import public_page
from faq.sitemaps import SITEMAPS
from faq.sitemaps import index as sitemap_index
from faq.staff_guide import staff_guide

admin.site.site_header = "Program information: staff editing"
admin.site.site_title = "IOP staff"
admin.site.index_title = "Edit the website"

urlpatterns = [
    path("staff/markdown/preview/", faq_views.markdown_preview, name="markdownx_markdownify"),
    path("staff/markdown/upload/", faq_views.markdown_upload, name="markdownx_upload"),
    path("admin/guide/", admin.site.admin_view(staff_guide), name="staff_guide"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", public_page(sitemap_index), name="sitemap"),
    path("sitemap-<section>.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", faq_views.robots_txt, name="robots"),
    # Readers' pages: English at /, Spanish under /es/ with Spanish words in the addresses (faq/urls.py).
    *i18n_patterns(path("", include("faq.urls")), prefix_default_language=False),
]

handler404 = "faq.views.page_not_found"
handler500 = "faq.middleware.server_error"
