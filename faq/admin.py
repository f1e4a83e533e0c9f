from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from markdownx.admin import MarkdownxModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from .forms import FAQAdminForm
from .history import BOOKKEEPING, prepare_restore, refresh_latest_links, restore_links, restore_reason
from .models import FAQ, Alias, Fact, RelatedFAQ, SiteInfo, Topic


class HistoryAdmin(SimpleHistoryAdmin):
    """Every version with who, when and why ("History"); "Revert" on a version restores it; deleted entries too."""

    change_list_template = "admin/faq/change_list_with_deleted.html"
    history_list_display = []

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_deleted"
        deleted = path("deleted/", self.admin_site.admin_view(self.deleted_view), name=name)
        return [deleted, *super().get_urls()]

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

    def save_model(self, request, obj, form, change):
        version = to_historic(obj)  # set only when "Revert" saves an old version
        if version is not None:
            obj._restoring_deleted = prepare_restore(obj)
            obj._change_reason = restore_reason(version)
        super().save_model(request, obj, form, change)


# Stacked, with plain selects: every field gets a visible label that screen readers announce (the tabular layout
# and the select2 autocomplete leave them unnamed).
class RelatedFAQInline(admin.StackedInline):
    model = RelatedFAQ
    fk_name = "faq"
    autocomplete_fields = ["target"]  # type to find a question among thousands
    extra = 1

    class Media:
        js = ["js/admin-autocomplete-labels.js"]

    verbose_name = "related FAQ"
    verbose_name_plural = "Related FAQs (listed first on the page, in this order)"


class AliasInline(admin.StackedInline):
    model = Alias
    extra = 0
    verbose_name = "earlier address"
    verbose_name_plural = "Earlier addresses (they redirect here)"


@admin.register(FAQ)
class FAQAdmin(HistoryAdmin, MarkdownxModelAdmin):
    form = FAQAdminForm
    list_display = ["question", "status", "topic", "reviewed", "updated_at"]
    list_filter = ["status", "topic", "reviewed"]
    search_fields = ["question", "slug", "summary", "body"]
    list_select_related = ["topic"]
    date_hierarchy = "reviewed"
    inlines = [RelatedFAQInline, AliasInline]
    fieldsets = [
        (None, {"fields": ["question", "slug", "summary", "topic", "status", "order"]}),
        ("Answer", {"fields": ["body"]}),
        ("Review and sources", {"fields": ["reviewed", "reviewer", "sources"]}),
    ]
    prepopulated_fields = {"slug": ["question"]}
    history_list_display = ["related_and_addresses"]

    @admin.display(description="Related FAQs and earlier addresses")
    def related_and_addresses(self, version):
        links = version.links or {}
        related = ", ".join(links.get("related", [])) or "none"
        aliases = ", ".join(links.get("aliases", [])) or "none"
        return f"related: {related}; earlier addresses: {aliases}"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_latest_links(form.instance)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        version = to_historic(obj)
        if version is not None:
            notes = restore_links(obj, version, was_deleted=obj._restoring_deleted, reason=obj._change_reason)
            for note in notes:
                self.message_user(request, f"Not restored: {note}.", messages.WARNING)


@admin.register(Topic)
class TopicAdmin(HistoryAdmin):
    list_display = ["title", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["title", "description"]


@admin.register(Fact)
class FactAdmin(HistoryAdmin, MarkdownxModelAdmin):
    list_display = ["label", "value", "key", "order"]
    search_fields = ["label", "value", "key", "body"]


@admin.register(SiteInfo)
class SiteInfoAdmin(HistoryAdmin, MarkdownxModelAdmin):
    list_display = ["name", "phone", "hours"]

    def has_add_permission(self, request):
        return not SiteInfo.objects.exists()
