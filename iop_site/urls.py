from django.contrib import admin
from django.urls import include, path

from faq import views as faq_views
from faq.staff_guide import staff_guide

admin.site.site_header = "Program information: staff editing"
admin.site.site_title = "IOP staff"
admin.site.index_title = "Edit the website"

urlpatterns = [
    path("staff/markdown/preview/", faq_views.markdown_preview, name="markdownx_markdownify"),
    path("staff/markdown/upload/", faq_views.markdown_upload, name="markdownx_upload"),
    path("admin/guide/", admin.site.admin_view(staff_guide), name="staff_guide"),
    path("admin/", admin.site.urls),
    path("", include("faq.urls")),
]

handler404 = "faq.views.page_not_found"
handler500 = "faq.middleware.server_error"
