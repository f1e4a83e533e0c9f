from django.core.management.base import BaseCommand

from faq.editors import sync_editor_group


class Command(BaseCommand):
    help = 'Create the "FAQ editors" group, or reset its permissions: every FAQ-app model, no accounts.'

    def handle(self, *args, **options):
        group, count = sync_editor_group()
        self.stdout.write(
            f'"{group.name}": {count} permissions (view, add, change; delete only for related FAQs '
            "and earlier addresses). Add staff to it in the admin under Users."
        )
