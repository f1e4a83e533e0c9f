"""The staff admin: one admin per kind, built from faq/kinds.py, with clinical sign-off and a review queue.

Every write goes through the content lock, the entry rules (faq/forms.py, faq/validation.py) and the sign-off
(faq/signoff.py). Every view that writes checks the permission for it, History's "Revert" included.
"""

import contextlib
import datetime
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, resolve, reverse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import diffs, quality, signoff
from .content import parse
from .entries import MODELS
from .forms import SAVE_WAIT_SECONDS, entry_form
from .history import BOOKKEEPING
from .kinds import ENGLISH, KINDS, LANGUAGE_NAMES, LANGUAGES
from .locking import Busy, lock_content
from .models import FAQ, Fact, ReviewerProfile, Revision, SearchWords, SiteInfo, Topic, current_render_context
from .quality import DUE_SOON_DAYS
from .rendering import RenderError, render_markdown
from .translations import TRANSLATED_MODELS, is_behind, originals_of, translation_in
from .translations import states as states_of


def _lock_if_possible():
    """Take the content lock first thing in a writing request's transaction; the form refuses if it could not."""
    with contextlib.suppress(Busy):
        lock_content(SAVE_WAIT_SECONDS)


class EntryAdmin(SimpleHistoryAdmin):
    """An admin for one kind: its form from the kind's definition, saves through the sign-off, and History
    with every version, review step and a "Revert" that makes a new change (which may wait for review)."""

    kind_name = ""
    change_form_template = "admin/faq/entry_change_form.html"
    change_list_template = "admin/faq/change_list_with_deleted.html"
    object_history_template = "admin/faq/object_history.html"
    object_history_form_template = "admin/faq/object_history_form.html"
    history_list_display = []
    actions = None  # no bulk delete: a delete of a public entry waits for review, one at a time

    # --- the form ---------------------------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = entry_form(self.kind_name, self.admin_site, self.language_of(request, obj))
        return super().get_form(request, obj, change=change, **kwargs)

    @staticmethod
    def language_of(request, obj=None):
        """The language of the entry on this page: the entry's own, or (adding one) the one the link asked for."""
        if obj is not None:
            return getattr(obj, "language", ENGLISH)
        asked = request.GET.get("language") or request.POST.get("language_of_entry")
        return asked if asked in LANGUAGES else ENGLISH

    # What a view-only account is shown instead of the fields that only a form can show.
    SHOWN_AS = {"related": "related_questions", "aliases": "earlier_addresses"}
    FORM_ONLY = {"based_on", "also_listed_on"}

    def get_fieldsets(self, request, obj=None):
        fieldsets = self._fieldsets(self.language_of(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            return [
                (name, {"fields": [self.SHOWN_AS.get(f, f) for f in options["fields"] if f not in self.FORM_ONLY]})
                for name, options in fieldsets
            ]
        return fieldsets

    @admin.display(description="Related questions")
    def related_questions(self, obj):
        return ", ".join(obj.related_links.order_by("position").values_list("target__question", flat=True)) or "—"

    @admin.display(description="Earlier addresses")
    def earlier_addresses(self, obj):
        return ", ".join(obj.aliases.values_list("slug", flat=True)) or "—"

    def _fieldsets(self, language):
        kind = KINDS[self.kind_name]
        sections = {"": []}
        for item in kind.fields_for(language):
            sections.setdefault(item.group, []).append(item.name)
            if item.name == "related" and self.kind_name == "faq":
                sections[item.group].append("also_listed_on")
        sections[""].append("based_on")
        if language != ENGLISH:
            sections[""].append("matches_english")
        fieldsets = [(None, {"fields": sections.pop("")})]
        if kind.has_body:
            fieldsets.append((kind.body_label.capitalize(), {"fields": ["body"]}))
        if self.kind_name == "faq":
            sections["Sources and review"].append("review_due")
        fieldsets += [(name, {"fields": names}) for name, names in sections.items()]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):  # History's version pages too
            return [name for _, options in self.get_fieldsets(request, obj) for name in options["fields"]]
        stamps = [item.name for item in KINDS[self.kind_name].fields_for(self.language_of(request, obj)) if item.stamp]
        return [*stamps, "review_due"] if self.kind_name == "faq" else stamps

    # --- writing: lock, check, save through the sign-off ------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(
                request, object_id, form_url, self._context(request, object_id, extra_context)
            )
        with transaction.atomic(using=router.db_for_write(self.model)):
            _lock_if_possible()
            return self._changeform_view(request, object_id, form_url, self._context(request, object_id, extra_context))

    def _context(self, request, object_id, extra_context):
        context = dict(extra_context or {})
        obj = self.model.objects.filter(pk=object_id).first() if object_id and str(object_id).isdigit() else None
        if obj is not None:
            context["open_revision"] = Revision.objects.open().of(self.kind_name, obj.pk).first()
            context["last_sent_back"] = (
                Revision.objects.of(self.kind_name, obj.pk).filter(state=Revision.State.SENT_BACK).last()
            )
            context["translations"] = self._translation_notes(obj)
            if self.kind_name == "faq" and request.user.has_perm(signoff.APPROVE_PERMISSION):
                context["confirm_review_url"] = reverse("admin:faq_faq_confirm_review", args=[obj.pk])
        return context

    def _translation_notes(self, obj):
        """For the top of an entry's page: its translations (or the English it translates), whether each is
        behind, and a link to add a missing translation."""
        if self.kind_name not in TRANSLATED_MODELS:
            return []
        notes = []
        if obj.language != ENGLISH:
            original = originals_of(self.kind_name, [obj])[obj.pk]
            if original is not None:
                notes.append(_note(original, "Translates", behind=is_behind(obj, original), opts=self.opts))
            return notes
        for language in LANGUAGES[1:]:
            translation = translation_in(self.kind_name, obj, language)
            if translation is None:
                add = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_add")
                query = f"?language={language}" + (f"&translation_of={obj.slug}" if hasattr(obj, "slug") else "")
                if self.kind_name == "fact":
                    query += f"&key={obj.key}"
                notes.append({"label": f"No {LANGUAGE_NAMES[language]} translation yet", "add_url": add + query})
            else:
                notes.append(_note(translation, f"{LANGUAGE_NAMES[language].capitalize()} translation",
                                   behind=is_behind(translation, obj), opts=self.opts))  # fmt: skip
        return notes

    # --- the list: language and translation state ------------------------------------------------------------

    def get_list_display(self, request):
        if self.kind_name not in TRANSLATED_MODELS:
            return super().get_list_display(request)
        return [*super().get_list_display(request), "language", "translation_state"]

    def get_list_filter(self, request):
        if self.kind_name not in TRANSLATED_MODELS:
            return super().get_list_filter(request)
        return [*super().get_list_filter(request), "language", TranslationFilter]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.kind_name in ("faq", "topic"):
            return queryset.select_related("translation_of").prefetch_related("translations")
        return queryset

    @admin.display(description="Translation")
    def translation_state(self, obj):
        """A translation: behind or up to date. An English entry: the state of its translations."""
        if obj.language != ENGLISH:
            return "Behind the English" if is_behind(obj, originals_of(self.kind_name, [obj])[obj.pk]) else "Up to date"
        states = []
        for language in LANGUAGES[1:]:
            translation = translation_in(self.kind_name, obj, language)
            if translation is None:
                states.append("not translated")
            else:
                states.append("translation behind" if is_behind(translation, obj) else "translated")
        return "; ".join(states).capitalize()

    def save_form(self, request, form, change):
        return form.live or self.model()

    def save_model(self, request, obj, form, change):
        origin = "the admin"
        if form.version is not None:
            when = timezone.localtime(form.version.history_date).strftime("%Y-%m-%d %H:%M")
            origin = f"a restore of the version of {when}"
        saved = signoff.save(
            self.kind_name,
            form.live,
            form.entry,
            user=request.user,
            origin=origin,
            also_listed_on=form.cleaned_data.get("also_listed_on") or [],
            restore_pk=form.version.id if form.version is not None and form.live is None else None,
        )
        request.signoff_saved = saved
        if saved.obj is not None:
            obj.pk = saved.obj.pk
        for warning in form.warnings:
            messages.warning(request, warning[0].upper() + warning[1:])

    def save_related(self, request, form, formsets, change):
        """Related FAQs and earlier addresses are fields of the entry, saved with it by save_model."""

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if obj.pk is not None:
            return super().log_change(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        return self._response(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._response(request, obj) or super().response_change(request, obj)

    def _response(self, request, obj):
        saved = getattr(request, "signoff_saved", None)
        if saved is None or saved.revision is None:
            return None
        messages.success(
            request,
            f"Saved for review: “{saved.revision.title}”. A clinical reviewer must approve it before readers "
            "see it; the public page still shows the approved version.",
        )
        return HttpResponseRedirect(reverse("admin:faq_revision_change", args=[saved.revision.pk]))

    def has_add_permission(self, request):
        return super().has_add_permission(request)

    # --- deleting: waits for review like any change -----------------------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "POST" and obj is not None:
            if not self.has_delete_permission(request, obj):
                raise PermissionDenied
            with transaction.atomic():
                _lock_if_possible()
                try:
                    revision = signoff.request_deletion(obj, user=request.user)
                except signoff.Refused as exc:
                    messages.error(request, f"Not deleted: {exc}.")
                    return HttpResponseRedirect(reverse(self._url("change"), args=[obj.pk]))
            if revision is None:
                messages.success(request, f"Deleted the draft “{obj}”. It can be restored from Deleted FAQs.")
                return HttpResponseRedirect(reverse(self._url("changelist")))
            messages.success(request, f"Deleting “{obj}” waits for a clinical reviewer's approval.")
            return HttpResponseRedirect(reverse("admin:faq_revision_change", args=[revision.pk]))
        return super().delete_view(request, object_id, extra_context)

    def _url(self, name):
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}"

    # --- history: versions, review steps, restore -----------------------------------------------------------

    def get_urls(self):
        deleted = path("deleted/", self.admin_site.admin_view(self.deleted_view), name=self._url("deleted")[6:])
        return [deleted, *super().get_urls()]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version, with "Revert": saving it is a change like any other, so it needs the change permission
        (a view-only account sees the version and nothing else) and may wait for review."""
        if request.method == "POST":
            live = self.model.objects.filter(pk=object_id).first()
            allowed = self.has_change_permission(request, live) if live else self.has_add_permission(request)
            if not allowed:
                raise PermissionDenied
            with transaction.atomic(using=router.db_for_write(self.model)):
                _lock_if_possible()
                return super().history_form_view(request, object_id, version_id, extra_context)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        live = self.model.objects.filter(pk=obj.pk).first() if obj is not None else None
        return not (self.has_change_permission(request, live) if live else self.has_add_permission(request))

    def history_view(self, request, object_id, extra_context=None):
        revisions = (
            Revision.objects.of(self.kind_name, object_id).prefetch_related("events")
            if str(object_id).isdigit()
            else []
        )
        return super().history_view(request, object_id, {"revisions": revisions, **(extra_context or {})})

    def deleted_view(self, request):
        """Entries deleted in the admin, newest first; each links to its history, where a version can be restored."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        records = {}
        deletions = self.model.history.filter(history_type="-").exclude(id__in=self.model.objects.values("pk"))
        for record in deletions.select_related("history_user").order_by("-history_date")[:500]:
            records.setdefault(record.id, record)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "records": list(records.values()),
        }
        return TemplateResponse(request, "admin/faq/deleted.html", context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The "Changes" column, without load_content's bookkeeping (paths and fingerprints mean nothing to staff)."""
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=BOOKKEEPING, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


@admin.register(FAQ)
class FAQAdmin(EntryAdmin, MarkdownxModelAdmin):
    kind_name = "faq"
    list_display = ["question", "status", "topic", "review_state", "review_due"]
    list_filter = ["status", "topic"]
    search_fields = ["question", "slug", "summary", "body"]
    list_select_related = ["topic"]
    history_list_display = ["related_and_addresses"]

    @admin.display(description="Review")
    def review_state(self, faq):
        revision = Revision.objects.open().of("faq", faq.pk).first()
        if revision is not None:
            return revision.get_state_display()
        due = faq.review_due
        if due and due < timezone.localdate():
            return "Overdue"
        return "Due soon" if due and (due - timezone.localdate()).days <= DUE_SOON_DAYS else "Approved"

    @admin.display(description="Next review by")
    def review_due(self, faq):
        return faq.review_due

    @admin.display(description="Related FAQs and earlier addresses")
    def related_and_addresses(self, version):
        links = version.links or {}
        related = ", ".join(links.get("related", [])) or "none"
        aliases = ", ".join(links.get("aliases", [])) or "none"
        return f"related: {related}; earlier addresses: {aliases}"

    def get_urls(self):
        due = path("due/", self.admin_site.admin_view(self.due_view), name="faq_faq_due")
        confirm = path(
            "<path:object_id>/confirm-review/",
            self.admin_site.admin_view(self.confirm_review_view),
            name="faq_faq_confirm_review",
        )
        return [due, confirm, *super().get_urls()]

    def confirm_review_view(self, request, object_id):
        """A reviewer confirms an answer is still right with no change: it is stamped reviewed today."""
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not request.user.has_perm(signoff.APPROVE_PERMISSION):
            raise PermissionDenied
        faq = get_object_or_404(FAQ, pk=object_id) if str(object_id).isdigit() else None
        if faq is None:
            raise Http404("No such answer.")
        if request.method == "POST":
            with transaction.atomic(using=router.db_for_write(FAQ)):
                try:
                    signoff.confirm_unchanged(faq, user=request.user, note=request.POST.get("note", "").strip())
                except signoff.Refused as exc:
                    messages.error(request, f"Not confirmed: {exc}.")
                else:
                    faq.refresh_from_db()
                    due = f"{faq.review_due:%-d %B %Y}"
                    messages.success(request, f"Confirmed: “{faq.question}” reviewed today. Next review by {due}.")
                    return HttpResponseRedirect(reverse("admin:faq_faq_due"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Confirm the answer is still right",
            "opts": self.opts,
            "faq": faq,
            "refusal": self._confirm_refusal(request, faq),
        }
        return TemplateResponse(request, "admin/faq/confirm_review.html", context)

    @staticmethod
    def _confirm_refusal(request, faq):
        if Revision.objects.open().of("faq", faq.pk).exists():
            return "A change to this answer is waiting for review. Approve or send back that change instead."
        if not ReviewerProfile.objects.filter(user=request.user).exists():
            return "Add your name and credentials (Reviewer profiles) first, so the page can name you."
        return None

    def due_view(self, request):
        """Answers whose clinical review is overdue or due within 30 days, most overdue first."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows = sorted(
            (
                faq
                for faq in FAQ.objects.published().select_related("topic")
                if faq.review_due <= today + _days(DUE_SOON_DAYS)
            ),
            key=lambda faq: faq.review_due,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Due for review",
            "opts": self.opts,
            "overdue": [faq for faq in rows if faq.review_due < today],
            "soon": [faq for faq in rows if faq.review_due >= today],
            "days": DUE_SOON_DAYS,
            "can_confirm": request.user.has_perm(signoff.APPROVE_PERMISSION),
        }
        return TemplateResponse(request, "admin/faq/due.html", context)

    def get_search_results(self, request, queryset, search_term):
        """In the related-FAQ picker: questions that start with the words first, then questions, addresses,
        summaries and answers that contain them; never the FAQ being edited."""
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if not request.path.endswith("/autocomplete/"):
            return queryset, distinct
        editing, language = _faq_being_edited(request)
        queryset = queryset.filter(language=language)  # related FAQs are in the edited answer's language
        if editing is not None:
            queryset = queryset.exclude(pk=editing)
        term = search_term.strip()
        if term:
            queryset = queryset.annotate(
                rank=Case(
                    When(question__istartswith=term, then=Value(0)),
                    When(question__icontains=term, then=Value(1)),
                    When(slug__icontains=term.replace(" ", "-"), then=Value(2)),
                    When(summary__icontains=term, then=Value(3)),
                    default=Value(4),
                    output_field=IntegerField(),
                )
            ).order_by("rank", "question")
        return queryset, distinct


class TranslationFilter(admin.SimpleListFilter):
    """Translations behind their English entry (the translation_status report, in the list)."""

    title = "translation"
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [("behind", "Behind the English"), ("current", "Up to date")]

    def queryset(self, request, queryset):
        if self.value() not in ("behind", "current"):
            return queryset
        kind_name = model_admin_kind(queryset.model)
        behind = {state.row.pk for state in states_of([kind_name], with_since=False) if state.behind}
        translations = queryset.exclude(language=ENGLISH)
        return translations.filter(pk__in=behind) if self.value() == "behind" else translations.exclude(pk__in=behind)


def model_admin_kind(model):
    return next(name for name, candidate in TRANSLATED_MODELS.items() if candidate is model)


def _note(row, label, *, behind, opts):
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    return {"label": label, "row": row, "url": url, "behind": behind}


def _days(number):
    return datetime.timedelta(days=number)


def _faq_being_edited(request):
    """(pk, language) of the FAQ whose page asked (the picker's requests come from it), so it is not offered to
    itself and only answers in its language are; (None, the language asked for) on an add page."""
    referer = urlsplit(request.headers.get("Referer", ""))
    asked = parse_qs(referer.query).get("language", [ENGLISH])[0]
    language = asked if asked in LANGUAGES else ENGLISH
    try:
        match = resolve(referer.path)
    except Exception:  # any address that is not one of ours
        return None, language
    object_id = str(match.kwargs.get("object_id", "")) if match.url_name == "faq_faq_change" else ""
    if object_id.isdigit():
        row = FAQ.objects.filter(pk=object_id).values_list("pk", "language").first()
        if row is not None:
            return row
    return None, language


@admin.register(Topic)
class TopicAdmin(EntryAdmin):
    kind_name = "topic"
    list_display = ["title", "slug", "order"]
    search_fields = ["title", "description"]


@admin.register(Fact)
class FactAdmin(EntryAdmin, MarkdownxModelAdmin):
    kind_name = "fact"
    list_display = ["label", "value", "key", "order"]
    search_fields = ["label", "value", "key", "body"]


@admin.register(SiteInfo)
class SiteInfoAdmin(EntryAdmin, MarkdownxModelAdmin):
    kind_name = "site"
    list_display = ["name", "phone", "hours"]

    def has_add_permission(self, request):
        """One per language, and only for someone who may add it (no staff account gets it for free)."""
        language = self.language_of(request)
        return super().has_add_permission(request) and not SiteInfo.objects.filter(language=language).exists()


@admin.register(SearchWords)
class SearchWordsAdmin(EntryAdmin):
    kind_name = "search"

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SearchWords.objects.exists()


# --- the review queue ------------------------------------------------------------------------------------------


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Changes waiting for a clinical reviewer, oldest first; each opens a review page with the differences."""

    list_display = ["change", "what", "made_by", "source", "last_changed", "state", "reading_grade"]
    list_filter = ["state", "kind"]
    ordering = ["created_at", "pk"]
    change_form_template = "admin/faq/revision_review.html"
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def changelist_view(self, request, extra_context=None):
        if (
            "state__exact" not in request.GET
            and "state" not in request.GET
            and not request.GET.get("_changelist_filters")
        ):
            query = request.GET.copy()
            query["state__exact"] = Revision.State.PENDING
            request.GET = query
            request.META["QUERY_STRING"] = query.urlencode()
        return super().changelist_view(request, {"title": "Changes waiting for review", **(extra_context or {})})

    # The columns, in the words staff use (the model's field names mean little to them).
    @admin.display(description="Change", ordering="title")
    def change(self, revision):
        return str(revision)

    @admin.display(description="What", ordering="action")
    def what(self, revision):
        return "New" if revision.object_id is None else revision.get_action_display()

    @admin.display(description="Made by", ordering="created_by__username")
    def made_by(self, revision):
        user = revision.created_by
        return (user.get_full_name() or user.get_username()) if user else "load_content"

    @admin.display(description="From", ordering="origin")
    def source(self, revision):
        return revision.origin

    @admin.display(description="Last changed", ordering="updated_at")
    def last_changed(self, revision):
        return revision.updated_at

    @admin.display(description="Reading grade")
    def reading_grade(self, revision):
        if revision.kind != "faq" or revision.action != Revision.Action.CHANGE:
            return "—"
        entry = parse(revision.text.encode(), revision.title, revision.kind, revision.language)
        facts = dict(Fact.objects.values_list("key", "value"))
        return f"{quality.reading_grade(entry.body, facts):.1f}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = get_object_or_404(Revision, pk=object_id)
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, revision)
        return TemplateResponse(request, self.change_form_template, self._review_context(request, revision))

    def _decide(self, request, revision):
        step = request.POST.get("step")
        try:
            if step == "approve":
                obj = signoff.approve(revision, user=request.user, note=request.POST.get("note", ""))
                messages.success(request, f"Approved and published: “{revision.title}”.")
                if obj is not None and hasattr(obj, "get_absolute_url") and getattr(obj, "is_published", False):
                    return HttpResponseRedirect(reverse("admin:faq_revision_changelist"))
            elif step == "send_back":
                signoff.send_back(revision, user=request.user, comment=request.POST.get("comment", ""))
                messages.success(request, f"Sent back to the editor: “{revision.title}”.")
            elif step == "withdraw":
                model_admin = self.admin_site._registry[MODELS[revision.kind]]
                if not model_admin.has_change_permission(request):
                    raise PermissionDenied
                signoff.withdraw(revision, user=request.user)
                messages.success(request, f"Withdrawn: “{revision.title}”. The public page did not change.")
            else:
                messages.error(request, "Choose approve, send back or withdraw.")
        except signoff.Refused as exc:
            messages.error(request, f"Not done: {exc}.")
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:faq_revision_changelist"))

    def _review_context(self, request, revision):
        entry = (
            parse(revision.text.encode(), revision.title, revision.kind, revision.language) if revision.text else None
        )
        before = (
            parse(revision.base_text.encode(), revision.title, revision.kind, revision.language)
            if revision.base_text
            else None
        )
        context = current_render_context(revision.language)
        facts = context.facts
        rendered = _render_for_review(entry, context) if entry and revision.action == Revision.Action.CHANGE else ""
        rendered_before = _render_for_review(before, context) if before else ""
        grade = None
        if entry is not None and revision.kind == "faq":
            grade = {
                "fk": quality.reading_grade(entry.body, facts),
                "dale_chall": quality.dale_chall(entry.body, facts),
                "hardest": quality.hardest_sentences(entry, facts),
            }
        source_diff = diffs.side_by_side(revision.base_text or "", revision.text)
        decide_reason = signoff.can_approve(request.user, revision)
        return {
            **self.admin_site.each_context(request),
            "title": f"Review: {revision}",
            "opts": self.opts,
            "revision": revision,
            "events": revision.events.all(),
            "rendered": rendered,
            "rendered_before": rendered_before,
            "source_diff": source_diff,
            "grade": grade,
            "can_approve": decide_reason is None,
            "cannot_approve_because": decide_reason,
            "can_send_back": request.user.has_perm(signoff.APPROVE_PERMISSION) and revision.state == "pending",
            "can_withdraw": revision.is_open,
            "two_people": settings.SIGNOFF_TWO_PEOPLE,
            "live_url": _live_url(revision),
        }


def _render_for_review(entry, context):
    """The page text as readers would see it: sanitised HTML from the one renderer, or the reason it fails."""
    try:
        return render_markdown(entry.body, context) if entry.body else ""
    except RenderError as exc:
        return format_html('<p class="preview-error">Cannot show this version: {}</p>', str(exc))


def _live_url(revision):
    if revision.kind == "faq" and revision.object_id:
        faq = FAQ.objects.filter(pk=revision.object_id).first()
        return faq.get_absolute_url() if faq else ""
    return ""


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    """How clinical reviewers are named on pages; managed by administrators."""

    list_display = ["display_name", "credentials", "job_title", "user"]
    search_fields = ["display_name", "credentials"]
    autocomplete_fields = ["user"]
