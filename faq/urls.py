from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .conditional import public_page
from .sitemaps import SITEMAPS

app_name = "faq"

urlpatterns = [
    path("", views.home, name="home"),
    path("faq/", views.faq_index, name="index"),
    path("faq/topics/<slug:slug>/", views.topic_page, name="topic"),
    path("faq/<slug:slug>/", views.faq_detail, name="detail"),
    path("search/", views.search_page, name="search"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
