import hashlib
import json
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import F, FilteredRelation, Q
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from .content import SUMMARY_MAX_CHARS
from .rendering import RenderContext, RenderError, render_markdown


def content_fingerprint(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def visible_fingerprint(question, summary, body_html, reviewed, reviewer, sources):
    """Hash what an FAQ's page itself shows; related teasers and the site's header and footer are left out."""
    return content_fingerprint([question, summary, body_html, str(reviewed), reviewer, sources])


def _clean_body(text):
    return text.replace("\r\n", "\n").strip()


# History: every save and delete of a Topic, Fact, FAQ or SiteInfo is kept as a version (who, when, why).
# The stored HTML and the save time are left out: HTML is rendered again when a version is restored.
HISTORY_EXCLUDED = ["body_html", "updated_at"]


class FAQVersionLinks(models.Model):
    """Extra column on each FAQ version: its related FAQs and earlier addresses, which live in other tables."""

    links = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Synced(models.Model):
    """Bookkeeping that lets load_content tell a file edit from an admin edit."""

    source_path = models.CharField(max_length=500, blank=True, editable=False)
    source_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    loaded_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def fingerprint(self):
        return content_fingerprint(self.content_data())

    def edited_since_load(self):
        return self.fingerprint() != self.loaded_fingerprint


class Topic(Synced):
    slug = models.SlugField(unique=True, max_length=100, help_text="Short web name, e.g. getting-started.")
    title = models.CharField(max_length=120, help_text="The heading readers see, e.g. “Getting started”.")
    description = models.CharField(max_length=300, help_text="One sentence about the questions in this topic.")
    order = models.IntegerField(default=0, help_text="Lower numbers come first.")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("faq:index") + f"#{self.slug}"

    def content_data(self):
        return {"slug": self.slug, "title": self.title, "description": self.description, "order": self.order}


class Fact(Synced):
    key = models.SlugField(
        unique=True,
        max_length=60,
        help_text="Used in answers as {{ fact:KEY }}. Changing it breaks answers that use it.",
    )
    label = models.CharField(max_length=120, help_text="Short name in the “at a glance” list, e.g. “Weekly hours”.")
    value = models.CharField(
        max_length=200, help_text="One line. Every answer that uses this fact shows this exact text."
    )
    order = models.IntegerField(default=0, help_text="Lower numbers come first in the “at a glance” list.")
    body = MarkdownxField(blank=True, help_text="A longer explanation, in markdown. Optional.")
    body_html = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self):
        return self.label

    def save(self, *args, render_context=None, **kwargs):
        self.body = _clean_body(self.body)
        previous = Fact.objects.filter(pk=self.pk).values_list("key", "value").first() if self.pk else None
        self.body_html = render_markdown(self.body, render_context or current_render_context())
        with transaction.atomic():
            super().save(*args, **kwargs)
            if render_context is None and previous and previous != (self.key, self.value):
                rerender_using_fact(previous[0])

    def clean(self):
        _check_renders(self.body)
        old_key = Fact.objects.filter(pk=self.pk).values_list("key", flat=True).first() if self.pk else None
        if old_key and old_key != self.key:
            users = [str(obj) for obj in _bodies_using_fact(old_key)]
            if users:
                raise ValidationError(
                    {"key": f"These still use {{{{ fact:{old_key} }}}}; change them first: {', '.join(users[:5])}."}
                )

    def content_data(self):
        return {"key": self.key, "label": self.label, "value": self.value, "order": self.order, "body": self.body}


class FAQQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FAQ.Status.PUBLISHED)

    def for_page(self):
        return self.select_related("topic")

    def for_lists(self):
        return self.only("question", "slug", "summary", "topic_id", "order", "content_changed_at")

    def for_search(self):
        return self.select_related("topic").only("question", "slug", "summary", "topic__title", "topic__slug")


class FAQ(Synced):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        DRAFT = "draft", "Draft (hidden from the public)"

    question = models.CharField(max_length=200, help_text="The question as a reader would ask it.")
    slug = models.SlugField(
        unique=True,
        max_length=100,
        help_text="The web address: /faq/SLUG/. If you change it, the old address keeps working (a redirect).",
    )
    summary = models.CharField(
        max_length=SUMMARY_MAX_CHARS,
        validators=[MaxLengthValidator(SUMMARY_MAX_CHARS)],
        help_text="One or two sentences, at most 160 characters. Shown in lists and in search engines.",
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="faqs")
    related = models.ManyToManyField(
        "self", through="RelatedFAQ", through_fields=("faq", "target"), symmetrical=False, blank=True
    )
    order = models.IntegerField(default=0, help_text="Lower numbers come first within the topic.")
    reviewed = models.DateField(help_text="The date a clinician last checked this answer.")
    reviewer = models.CharField(
        max_length=200, blank=True, help_text="Who reviewed it, with credentials, e.g. “Dana Lee, LCSW”. Optional."
    )
    sources = models.JSONField(
        default=list, blank=True, help_text="Where the facts come from. One per line: Title | https://address"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    body = MarkdownxField(
        "answer",
        help_text="The answer, in markdown. Use {{ fact:KEY }} for program facts and [words](faq:SLUG) for links.",
    )
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the page shows, hashed: content_changed_at moves only when it changes (the sitemap's lastmod).
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FAQQuerySet.as_manager()
    # The page-change bookkeeping stays out of versions: a restore must count as a new change for the sitemap.
    history = HistoricalRecords(
        excluded_fields=[*HISTORY_EXCLUDED, "content_hash", "content_changed_at"], bases=[FAQVersionLinks]
    )

    class Meta:
        ordering = ["topic__order", "order", "question"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def save(self, *args, render_context=None, **kwargs):
        self.body = _clean_body(self.body)
        old_slug = FAQ.objects.filter(pk=self.pk).values_list("slug", flat=True).first() if self.pk else None
        self.body_html = render_markdown(self.body, render_context or current_render_context())
        if self._note_visible_change() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "content_hash", "content_changed_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_slug and old_slug != self.slug:
                Alias.objects.filter(slug=self.slug, faq=self).delete()
                Alias.objects.update_or_create(slug=old_slug, defaults={"faq": self})
                if render_context is None:
                    rerender_linking_to(old_slug)

    def get_absolute_url(self):
        return reverse("faq:detail", args=[self.slug])

    def clean(self):
        _check_renders(self.body)
        if self.slug and Alias.objects.filter(slug=self.slug).exclude(faq_id=self.pk).exists():
            raise ValidationError({"slug": "Another FAQ used this address before; choose a different slug."})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def _note_visible_change(self):
        """Move content_changed_at if what the page shows changed since the stored hash. True if it did."""
        new_hash = visible_fingerprint(
            self.question, self.summary, self.body_html, self.reviewed, self.reviewer, self.sources
        )
        if new_hash == self.content_hash:
            return False
        self.content_hash, self.content_changed_at = new_hash, timezone.now()
        return True

    def related_for_page(self, limit=5):
        """The explicit related FAQs in their order, then others from the same topic: published, never self.

        One query: the link from this page (if any) is joined as `link`, and linked FAQs sort first.
        """
        return list(
            FAQ.objects.published()
            .for_lists()
            .annotate(link=FilteredRelation("incoming_links", condition=Q(incoming_links__faq=self)))
            .filter(Q(link__isnull=False) | Q(topic_id=self.topic_id))
            .exclude(pk=self.pk)
            .order_by(F("link__position").asc(nulls_last=True), "order", "question")[:limit]
        )

    def content_data(self, related=None, aliases=None):
        """The comparable form of this FAQ; pass related and aliases (slug lists) when already fetched."""
        if related is None:
            related = [link.target.slug for link in self.related_links.all()]
        if aliases is None:
            aliases = [alias.slug for alias in self.aliases.all()]
        return {
            "question": self.question,
            "slug": self.slug,
            "summary": self.summary,
            "topic": self.topic.slug,
            "related": list(related),
            "order": self.order,
            "reviewed": self.reviewed.isoformat() if self.reviewed else None,
            "reviewer": self.reviewer,
            "sources": self.sources,
            "status": self.status,
            "aliases": sorted(aliases),
            "body": self.body,
        }


class RelatedFAQ(models.Model):
    faq = models.ForeignKey(FAQ, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(FAQ, on_delete=models.CASCADE, related_name="incoming_links", verbose_name="related FAQ")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "related FAQ"
        constraints = [
            models.UniqueConstraint(fields=["faq", "target"], name="unique_related_faq"),
            models.CheckConstraint(condition=~models.Q(faq=models.F("target")), name="related_faq_not_self"),
        ]

    def __str__(self):
        return f"{self.faq_id} → {self.target_id}"


class Alias(models.Model):
    """An earlier address of an FAQ; requests for it get a permanent redirect."""

    slug = models.SlugField(unique=True, max_length=100)
    faq = models.ForeignKey(FAQ, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "aliases"

    def __str__(self):
        return self.slug


class SiteInfo(Synced):
    """The program's name and contact details, written once and shown on every page."""

    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, help_text="As readers should dial it, e.g. (555) 555-0142.")
    email = models.EmailField(blank=True)
    address = models.TextField(help_text="One line per line of the postal address.")
    hours = models.CharField(max_length=200, help_text="When the phone is answered, e.g. Mon–Fri, 8 am to 6 pm.")
    intake = models.JSONField(default=list, help_text="The steps to start, one per line.")
    body = MarkdownxField(blank=True, help_text="The home page's introduction: what the program is, in markdown.")
    body_html = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta:
        ordering = ["pk"]
        verbose_name = "site information"
        verbose_name_plural = "site information"

    def __str__(self):
        return self.name

    def save(self, *args, render_context=None, **kwargs):
        self.body = _clean_body(self.body)
        self.body_html = render_markdown(self.body, render_context or current_render_context())
        super().save(*args, **kwargs)

    def clean(self):
        _check_renders(self.body)

    @property
    def phone_href(self):
        return "tel:+1" + re.sub(r"\D", "", self.phone)[-10:]

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    def content_data(self):
        return {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "hours": self.hours,
            "intake": self.intake,
            "body": self.body,
        }


class ContentVersion(models.Model):
    """One row whose number goes up with every content change: the key of the page cache (faq/caching.py)."""

    version = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"content version {self.version}"


# --- rendering against what is in the database ---------------------------------------------------------------


def current_render_context():
    urls = {slug: reverse("faq:detail", args=[slug]) for slug in FAQ.objects.values_list("slug", flat=True)}
    for alias, slug in Alias.objects.values_list("slug", "faq__slug"):
        urls[alias] = reverse("faq:detail", args=[slug])
    return RenderContext(facts=dict(Fact.objects.values_list("key", "value")), faq_urls=urls)


def _check_renders(body):
    try:
        render_markdown(_clean_body(body), current_render_context())
    except RenderError as exc:
        where = f"Line {exc.line}: " if exc.line else ""
        raise ValidationError({"body": f"{where}{exc}."}) from None


def _save_html(obj, context):
    """Store freshly rendered HTML only: the content did not change, so no new version is recorded."""
    obj.skip_history_when_saving = True
    try:
        obj.save(render_context=context, update_fields=["body_html", "updated_at"])
    finally:
        del obj.skip_history_when_saving


def _rerender(objects):
    """Store freshly rendered HTML for these objects, against one snapshot of facts and FAQ addresses."""
    objects = list(objects)
    if objects:
        context = current_render_context()
        for obj in objects:
            _save_html(obj, context)


def _bodies_using_fact(key):
    pattern = r"\{\{\s*fact:\s*" + re.escape(key) + r"\s*\}\}"
    for model in (FAQ, Fact, SiteInfo):
        yield from model.objects.filter(body__regex=pattern)


def rerender_using_fact(key):
    """Re-render every stored body that inserts this fact, after the fact's value changed."""
    _rerender(_bodies_using_fact(key))


def rerender_linking_to(slug):
    """Re-render every stored body that links to this FAQ slug, after the FAQ's address changed."""
    _rerender(obj for model in (FAQ, Fact, SiteInfo) for obj in model.objects.filter(body__contains=f"faq:{slug}"))
