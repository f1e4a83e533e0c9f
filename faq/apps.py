from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Program information"
    default_auto_field = "django.db.models.BigAutoField"
