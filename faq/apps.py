from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_editor_group(sender, **kwargs):
    from .editors import sync_editor_group

    sync_editor_group()


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Program information"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check on the site identity)

        # After every migrate (so after Django has made this app's permissions), the editors' group is current.
        post_migrate.connect(_sync_editor_group, sender=self)

        from . import (
            history,  # noqa: F401  (connects the signal receivers that complete each FAQ version)
            search,  # noqa: F401  (connects the signals that keep the search index in step)
        )
        from .caching import connect_signals

        connect_signals()  # every content change invalidates the page cache
