"""A full picture of every faq table, history included, to prove that a refused or killed load changed nothing."""

from django.apps import apps


def db_snapshot():
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("faq").get_models()
    }
