from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "faq"

# Addresses in the page's language: /faq/... in English, /es/preguntas/... in Spanish (locale/es).
urlpatterns = [
    path("", views.home, name="home"),
    path(pgettext_lazy("address", "faq/"), views.faq_index, name="index"),
    path(pgettext_lazy("address", "faq/topics/<slug:slug>/"), views.topic_page, name="topic"),
    path(pgettext_lazy("address", "faq/<slug:slug>/"), views.faq_detail, name="detail"),
    path(pgettext_lazy("address", "search/"), views.search_page, name="search"),
]
