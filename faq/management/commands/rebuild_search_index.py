from django.core.management.base import BaseCommand

from faq.models import FAQ
from faq.search import rebuild_index


class Command(BaseCommand):
    help = "Index every FAQ for site search afresh (saves and deletes keep it in step; bulk writes do not)."

    def handle(self, *args, **options):
        rebuild_index()
        self.stdout.write(f"Indexed {FAQ.objects.count()} FAQs for search.")
