"""A full picture of every faq table, history included, to prove that a refused or killed load changed nothing."""

from django.apps import apps

from faq.models import CheckedFile, LoadState

# What a load keeps about the files and about itself, not content: what reading each file found
# (faq/filecache.py) and which rows differed from their files when it ended (faq/loadstate.py). A load that finds
# nothing to change still notes these; a refused or dry run leaves them too (tests/test_incremental_load.py).
DERIVED = {CheckedFile, LoadState}


def db_snapshot():
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("faq").get_models()
        if model not in DERIVED
    }
