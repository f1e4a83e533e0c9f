from django import forms
from django.core.validators import URLValidator

from .models import FAQ


class SourcesField(forms.CharField):
    """Sources as staff type them: one per line, `Title | https://address`."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{item['title']} | {item['url']}" for item in value)
        return value

    def to_python(self, value):
        sources = []
        for number, line in enumerate((value or "").splitlines(), 1):
            if not line.strip():
                continue
            title, sep, url = line.rpartition("|")
            title, url = title.strip(), url.strip()
            if not sep or not title:
                raise forms.ValidationError(f"Line {number}: write it as  Title | https://address")
            if not url.startswith("https://"):
                raise forms.ValidationError(f"Line {number}: the address must start with https://")
            URLValidator(schemes=["https"])(url)
            sources.append({"title": title, "url": url})
        return sources


class FAQAdminForm(forms.ModelForm):
    sources = SourcesField(required=False, help_text=FAQ._meta.get_field("sources").help_text)

    class Meta:
        model = FAQ
        fields = ["question", "slug", "summary", "topic", "status", "order", "body", "reviewed", "reviewer", "sources"]
