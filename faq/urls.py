from django.urls import path

from . import views

app_name = "faq"

urlpatterns = [
    path("", views.home, name="home"),
    path("faq/", views.faq_index, name="index"),
    path("faq/<slug:slug>/", views.faq_detail, name="detail"),
]
