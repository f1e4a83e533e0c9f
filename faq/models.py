import hashlib
import json
import re

from django.conf import settings
from django.db import models
from django.db.models import Case, F, FilteredRelation, OuterRef, Q, Subquery, When
from django.urls import reverse
from django.utils import timezone, translation
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from . import kinds
from .content import Entry, source_fingerprint
from .rendering import RenderContext, render_markdown


def _help(kind, name):
    return kind.field(name).help


def visible_fingerprint(question, summary, body_html, reviewed, reviewer, sources):
    """Hash what an FAQ's page itself shows; related teasers and the site's header and footer are left out."""
    data = [question, summary, body_html, str(reviewed), reviewer, sources]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# History: every save and delete of a Topic, Fact, FAQ or SiteInfo is kept as a version (who, when, why).
# The stored HTML and the save time are left out: HTML is rendered again when a version is restored.
HISTORY_EXCLUDED = ["body_html", "updated_at"]


class FAQVersionLinks(models.Model):
    """Extra column on each FAQ version: its related FAQs and earlier addresses, which live in other tables."""

    links = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish (español)"


class Translatable(models.Model):
    """An entry in one language. A Spanish entry translates an English one; `translated_from` is the fingerprint
    of what the English entry said when it was translated, so a translation knows when it has fallen behind."""

    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH, db_index=True)
    translated_from = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class Synced(models.Model):
    """Bookkeeping that lets load_content tell a file edit from an admin edit: the file this entry was last
    loaded from or exported to, that file's hash, and the fingerprint of its content then."""

    source_path = models.CharField(max_length=500, blank=True, editable=False)
    source_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    loaded_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def _render(row, render_context):
    """A row's own body as HTML, against its language's facts and pages. save() renders its own row only: rows
    that show this one (links to it, its fact value) are rendered again by faq/dependants.py when asked."""
    return render_markdown(row.body, render_context or current_render_context(row.language))


class Topic(Synced, Translatable):
    slug = models.SlugField(max_length=100, help_text=_help(kinds.TOPIC, "slug"))
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="translations"
    )
    title = models.CharField(max_length=120, help_text=_help(kinds.TOPIC, "title"))
    description = models.CharField(max_length=300, help_text=_help(kinds.TOPIC, "description"))
    order = models.IntegerField(default=0, help_text=_help(kinds.TOPIC, "order"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "title"]
        constraints = [models.UniqueConstraint(fields=["language", "slug"], name="topic_slug_per_language")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """Where the topic's questions are listed: its place on the index."""
        with translation.override(self.language):
            return reverse("faq:index") + f"#{self.slug}"

    def page_url(self):
        """The topic's own page, with all its questions."""
        with translation.override(self.language):
            return reverse("faq:topic", args=[self.slug])


class Fact(Synced, Translatable):
    key = models.SlugField(max_length=60, help_text=_help(kinds.FACT, "key"))
    label = models.CharField(max_length=120, help_text=_help(kinds.FACT, "label"))
    value = models.CharField(max_length=200, help_text=_help(kinds.FACT, "value"))
    order = models.IntegerField(default=0, help_text=_help(kinds.FACT, "order"))
    body = MarkdownxField("longer explanation", blank=True, help_text=kinds.FACT.body_help)
    body_html = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta:
        ordering = ["order", "label"]
        constraints = [models.UniqueConstraint(fields=["language", "key"], name="fact_key_per_language")]

    def __str__(self):
        return self.label

    def save(self, *args, render_context=None, **kwargs):
        self.body_html = _render(self, render_context)
        super().save(*args, **kwargs)


class FAQQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FAQ.Status.PUBLISHED)

    def for_page(self):
        return self.select_related("topic", "translation_of").with_twins()

    def with_twins(self):
        """Each FAQ's twin in the other language that readers can see, in the same query: `twin_slug` and
        `twin_changed_at` of an English answer's published translation, or of a translation's published English
        answer (None if there is none)."""
        published = FAQ.objects.published()
        translation_ = published.filter(translation_of=OuterRef("pk")).order_by("pk")
        original = published.filter(pk=OuterRef("translation_of"))

        def pick(name):
            return Case(
                When(language=Language.ENGLISH, then=Subquery(translation_.values(name)[:1])),
                default=Subquery(original.values(name)[:1]),
            )

        return self.annotate(twin_slug=pick("slug"), twin_changed_at=pick("content_changed_at"))

    def for_lists(self):
        return self.only("question", "slug", "language", "summary", "topic_id", "order", "content_changed_at")

    def for_search(self):
        fields = ("question", "slug", "language", "summary", "topic__title", "topic__slug", "topic__language")
        return self.select_related("topic").only(*fields)


class FAQ(Synced, Translatable):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        DRAFT = "draft", "Draft (hidden from the public)"

    question = models.CharField(max_length=200, help_text=_help(kinds.FAQ, "question"))
    slug = models.SlugField(max_length=100, help_text=_help(kinds.FAQ, "slug"))
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="translations"
    )
    summary = models.CharField(max_length=kinds.SUMMARY_MAX_CHARS, help_text=_help(kinds.FAQ, "summary"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="faqs")
    related = models.ManyToManyField(
        "self", through="RelatedFAQ", through_fields=("faq", "target"), symmetrical=False, blank=True
    )
    order = models.IntegerField(default=0, help_text=_help(kinds.FAQ, "order"))
    reviewed = models.DateField(help_text=_help(kinds.FAQ, "reviewed"))
    reviewer = models.CharField(max_length=200, blank=True, help_text=_help(kinds.FAQ, "reviewer"))
    review_months = models.PositiveSmallIntegerField(default=12, help_text=_help(kinds.FAQ, "review_months"))
    translator = models.CharField(max_length=200, blank=True, help_text=_help(kinds.FAQ, "translator"))
    sources = models.JSONField(default=list, blank=True, help_text=_help(kinds.FAQ, "sources"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    body = MarkdownxField("answer", help_text=kinds.FAQ.body_help)
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
        constraints = [models.UniqueConstraint(fields=["language", "slug"], name="faq_slug_per_language")]
        # A topic's answers in the order pages list them: its first questions are read from the index, however
        # many answers there are (views._topics_with_questions, topic pages).
        indexes = [models.Index(fields=["topic", "status", "order", "question"], name="faq_topic_listing")]

    def __str__(self):
        return self.question

    def save(self, *args, render_context=None, **kwargs):
        self.body_html = _render(self, render_context)
        if self._note_visible_change() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "content_hash", "content_changed_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return faq_url(self.slug, self.language)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def review_due(self):
        """The date the next clinical review is due."""
        return kinds.review_due(self.reviewed, self.review_months) if self.reviewed else None

    @property
    def reviewer_name_and_credentials(self):
        """("Dana Ortiz", "LCSW") from "Dana Ortiz, LCSW"; a reviewer written without a comma is all name."""
        name, _, credentials = self.reviewer.partition(",")
        return name.strip(), credentials.strip()

    def _note_visible_change(self):
        """Move content_changed_at if what the page shows changed since the stored hash. True if it did."""
        new_hash = visible_fingerprint(
            self.question, self.summary, self.body_html, self.reviewed, self.reviewer, self.sources
        )
        if new_hash == self.content_hash:
            return False
        self.content_hash, self.content_changed_at = new_hash, timezone.now()
        return True

    def twin(self):
        """The same answer in the other language, if readers can see it (an English answer's published
        translation, or the English answer a translation translates), as an unsaved FAQ with its slug, language
        and content_changed_at; from the `with_twins()` annotation when the row came with it."""
        if not hasattr(self, "twin_slug"):
            row = FAQ.objects.filter(pk=self.pk).with_twins().values("twin_slug", "twin_changed_at").first() or {}
            self.twin_slug, self.twin_changed_at = row.get("twin_slug"), row.get("twin_changed_at")
        if not self.twin_slug:
            return None
        other = Language.SPANISH if self.language == Language.ENGLISH else Language.ENGLISH
        return FAQ(slug=self.twin_slug, language=other, content_changed_at=self.twin_changed_at)

    def translation_behind(self):
        """True for a translation whose English answer has said something else since it was translated."""
        if self.language == Language.ENGLISH or self.translation_of is None:
            return False
        return self.translated_from != source_fingerprint_of(self.translation_of)

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
        return f"“{self.target}” listed on “{self.faq}”"


class Alias(models.Model):
    """An earlier address of an FAQ; requests for it get a permanent redirect."""

    slug = models.SlugField(max_length=100)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    faq = models.ForeignKey(FAQ, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(fields=["language", "slug"], name="alias_slug_per_language")]

    def __str__(self):
        return self.slug


class SiteInfo(Synced, Translatable):
    """The program's name and contact details, written once and shown on every page."""

    name = models.CharField(max_length=120, help_text=_help(kinds.SITE, "name"))
    phone = models.CharField(max_length=40, help_text=_help(kinds.SITE, "phone"))
    email = models.EmailField(blank=True, help_text=_help(kinds.SITE, "email"))
    address = models.TextField(help_text=_help(kinds.SITE, "address"))
    hours = models.CharField(max_length=200, help_text=_help(kinds.SITE, "hours"))
    intake = models.JSONField(default=list, help_text=_help(kinds.SITE, "intake"))
    body = MarkdownxField("introduction", blank=True, help_text=kinds.SITE.body_help)
    body_html = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta:
        ordering = ["pk"]
        verbose_name = "site information"
        verbose_name_plural = "site information"
        constraints = [models.UniqueConstraint(fields=["language"], name="one_site_information_per_language")]

    def __str__(self):
        return self.name

    def save(self, *args, render_context=None, **kwargs):
        self.body_html = _render(self, render_context)
        super().save(*args, **kwargs)

    @property
    def phone_href(self):
        return "tel:+1" + re.sub(r"\D", "", self.phone)[-10:]

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class SearchWords(Synced):
    """The words that make site search show the crisis help first, and the other words readers use."""

    crisis_terms = models.JSONField(default=list, help_text=_help(kinds.SEARCH, "crisis_terms"))
    crisis_answer = models.SlugField(max_length=100, help_text=_help(kinds.SEARCH, "crisis_answer"))
    synonyms = models.JSONField(default=list, blank=True, help_text=_help(kinds.SEARCH, "synonyms"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "search words"

    def __str__(self):
        return "Search words"


class ContentVersion(models.Model):
    """One row whose number goes up with every content change: the key of the page cache (faq/caching.py)."""

    version = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"content version {self.version}"


class CheckedFile(models.Model):
    """What reading and checking one content file found, so the next load parses and checks only the files that
    changed (faq/filecache.py). Derived data: a row is used only while its file's bytes, the code that read it
    and, for the reading findings, the body's text as read are the same. Emptying the table loses nothing."""

    path = models.CharField(max_length=500, unique=True)
    sha256 = models.CharField(max_length=64)
    version = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)
    language = models.CharField(max_length=5)
    entry = models.TextField()
    readability_key = models.CharField(max_length=64, blank=True)
    readability = models.TextField(blank=True)

    def __str__(self):
        return self.path


class LoadState(models.Model):
    """What the last load left (one row): the content version right after it, and the rows whose staff side
    differed from their file then (kept admin edits and conflicts). While the content version has not moved,
    nothing was saved or deleted since, so a row whose file is the same bytes is as that load left it: the next
    load need not compare it field by field (faq/loading.py)."""

    content_version = models.BigIntegerField()
    differs = models.JSONField(default=list)  # [[kind, pk], ...]

    def __str__(self):
        return f"load state at content version {self.content_version}"


# --- clinical sign-off ------------------------------------------------------------------------------------------


class ReviewerProfile(models.Model):
    """How a clinical reviewer is named on the pages they approve."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile")
    display_name = models.CharField(max_length=120, help_text="The name readers see, e.g. “Dana Ortiz”.")
    credentials = models.CharField(max_length=60, help_text="Licence or degree letters, e.g. “LCSW”.")
    job_title = models.CharField(
        max_length=120, blank=True, help_text="Role at the program, e.g. “Clinical director”. Optional."
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.stamp

    @property
    def stamp(self):
        """As the page shows it: “Dana Ortiz, LCSW”."""
        return f"{self.display_name}, {self.credentials}"


class RevisionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=[Revision.State.PENDING, Revision.State.SENT_BACK])

    def pending(self):
        return self.filter(state=Revision.State.PENDING)

    def of(self, kind, object_id):
        return self.filter(kind=kind, object_id=object_id)


class Revision(models.Model):
    """A change to an entry that waits for a clinical reviewer: the entry as it would be, in its file form.

    The live row keeps showing readers the approved version until a reviewer approves this one.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        SENT_BACK = "sent_back", "Sent back"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Replaced by a newer change"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Action(models.TextChoices):
        CHANGE = "change", "Change"
        DELETE = "delete", "Delete"

    kind = models.CharField(max_length=10, choices=[(name, kind.label) for name, kind in kinds.KINDS.items()])
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    object_id = models.BigIntegerField(null=True, blank=True, help_text="The entry it changes; empty for a new one.")
    name = models.CharField(max_length=100, help_text="Its slug or key.")
    title = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.CHANGE)
    text = models.TextField(help_text="The entry as it would be, in its file form.")
    fingerprint = models.CharField(max_length=64)
    base_text = models.TextField(blank=True, help_text="The approved version it was made from, in its file form.")
    origin = models.CharField(max_length=200, help_text="Where it came from: the admin, a restore, or a file.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="The reviewer's note on approval, or why it was sent back.")
    also_listed_on = models.JSONField(
        default=list, blank=True, help_text="FAQs (slugs) whose related lists get this one when it is approved."
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("approve_revision", "Can approve or send back changes (clinical reviewers)")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=Q(state__in=["pending", "sent_back"], object_id__isnull=False),
                name="one_open_revision_per_entry",
            )
        ]

    def __str__(self):
        what = "New " + kinds.KINDS[self.kind].label if self.object_id is None else kinds.KINDS[self.kind].label
        return f"{what[0].upper()}{what[1:]}: {self.title}"

    @property
    def is_open(self):
        return self.state in (self.State.PENDING, self.State.SENT_BACK)


class ReviewEvent(models.Model):
    """One step in a change's review: submitted, changed again, approved, sent back, withdrawn or replaced."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        UPDATED = "updated", "Changed while waiting"
        APPROVED = "approved", "Approved and published"
        SENT_BACK = "sent_back", "Sent back"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUPERSEDED = "superseded", "Replaced by a newer change"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    who = models.CharField(max_length=200, help_text="The person (with credentials for reviewers), or the command.")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="The change as this step left it (file form), so none is lost.")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.who}"


def source_fingerprint_of(row, kind_name=None):
    """What a row says (the fields a reviewer signs off, and its body), hashed as faq.content.source_fingerprint
    hashes an entry: from the row alone, no query. A historical version of a row needs its kind's name."""
    kind = kinds.KINDS[kind_name or {Topic: "topic", Fact: "fact", FAQ: "faq", SiteInfo: "site"}[type(row)]]
    said = {f.name: getattr(row, f.name) for f in kind.fields_for(row.language) if f.reviewed and not f.stamp}
    return source_fingerprint(Entry(kind.name, "", said, getattr(row, "body", ""), language=row.language))


# --- rendering against what is in the database ---------------------------------------------------------------


def faq_url(slug, language=Language.ENGLISH):
    """The address of an FAQ page in its language (/faq/SLUG/, /es/preguntas/SLUG/)."""
    with translation.override(language):
        return reverse("faq:detail", args=[slug])


_SLUG_MARK = "slug-mark-0"


def current_render_context(language=Language.ENGLISH):
    """What bodies in one language may show: that language's fact values, and the addresses of its FAQs readers
    can see (aliases too); drafts' slugs are known but hidden."""
    urls, hidden = {}, set()
    faqs = FAQ.objects.filter(language=language).order_by().values_list("slug", "slug", "status")
    aliases = Alias.objects.filter(faq__language=language).order_by().values_list("slug", "faq__slug", "faq__status")
    # One reverse() for all: a slug is letters, digits, - and _, which an address holds as they are.
    before, after = faq_url(_SLUG_MARK, language).split(_SLUG_MARK)
    for name, slug, status in [*faqs, *aliases]:
        if status == FAQ.Status.PUBLISHED:
            urls[name] = f"{before}{slug}{after}"
        else:
            hidden.add(name)
    facts = dict(Fact.objects.filter(language=language).values_list("key", "value"))
    return RenderContext(facts=facts, faq_urls=urls, hidden_faqs=hidden)
