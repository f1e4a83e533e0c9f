"""What waits for staff, for the admin's home page: changes to review, changes sent back, answers due for review."""

from django import template
from django.utils import timezone

from faq.kinds import review_due
from faq.models import FAQ, Revision
from faq.quality import DUE_SOON_DAYS

register = template.Library()


@register.simple_tag
def review_counts():
    today = timezone.localdate()
    published = FAQ.objects.published().values_list("reviewed", "review_months")
    dues = [review_due(reviewed, months) for reviewed, months in published]
    return {
        "pending": Revision.objects.pending().count(),
        "sent_back": Revision.objects.filter(state=Revision.State.SENT_BACK).count(),
        "overdue": sum(due < today for due in dues),
        "due_soon": sum(today <= due and (due - today).days <= DUE_SOON_DAYS for due in dues),
        "days": DUE_SOON_DAYS,
    }
