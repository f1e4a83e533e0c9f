from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from .forms import FAQAdminForm
from .models import FAQ, Alias, Fact, RelatedFAQ, SiteInfo, Topic


# Stacked, with plain selects: every field gets a visible label that screen readers announce (the tabular layout
# and the select2 autocomplete leave them unnamed).
class RelatedFAQInline(admin.StackedInline):
    model = RelatedFAQ
    fk_name = "faq"
    extra = 1
    verbose_name = "related FAQ"
    verbose_name_plural = "Related FAQs (listed first on the page, in this order)"


class AliasInline(admin.StackedInline):
    model = Alias
    extra = 0
    verbose_name = "earlier address"
    verbose_name_plural = "Earlier addresses (they redirect here)"


@admin.register(FAQ)
class FAQAdmin(MarkdownxModelAdmin):
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


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["title", "description"]


@admin.register(Fact)
class FactAdmin(MarkdownxModelAdmin):
    list_display = ["label", "value", "key", "order"]
    search_fields = ["label", "value", "key", "body"]


@admin.register(SiteInfo)
class SiteInfoAdmin(MarkdownxModelAdmin):
    list_display = ["name", "phone", "hours"]

    def has_add_permission(self, request):
        return not SiteInfo.objects.exists()
