from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Program information"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import history  # noqa: F401  (connects the signal receivers that complete each FAQ version)
