from django.core.management.base import BaseCommand
from django.utils import timezone

from faq.models import FAQ, Revision
from faq.quality import DUE_SOON_DAYS

EXIT_OVERDUE = 1


class Command(BaseCommand):
    help = (
        "List answers whose clinical review is overdue or due within 30 days, and changes waiting for review. "
        "Exits 1 when any review is overdue (for cron or CI)."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        overdue, soon = [], []
        for faq in FAQ.objects.published().order_by("slug"):
            due = faq.review_due
            if due < today:
                overdue.append((due, faq))
            elif (due - today).days <= DUE_SOON_DAYS:
                soon.append((due, faq))
        for title, rows in (("Overdue", overdue), (f"Due within {DUE_SOON_DAYS} days", soon)):
            self.stdout.write(f"{title}: {len(rows)}")
            for due, faq in sorted(rows, key=lambda row: (row[0], row[1].slug)):
                who = f" by {faq.reviewer}" if faq.reviewer else ""
                self.stdout.write(f"  {due}  {faq.slug}  (last reviewed {faq.reviewed}{who})")
        waiting = Revision.objects.pending().order_by("created_at")
        self.stdout.write(f"Changes waiting for review: {waiting.count()}")
        for revision in waiting:
            self.stdout.write(f"  since {timezone.localtime(revision.created_at):%Y-%m-%d}  {revision}")
        if overdue:
            self.stderr.write(self.style.ERROR(f"{len(overdue)} answer(s) overdue for clinical review."))
            raise SystemExit(EXIT_OVERDUE)
