"""Admin forms built from each kind's one definition (faq/kinds.py), checked by the same rules as files.

A form shows what staff work on now (a change waiting for review if there is one, else the live entry) and
carries a fingerprint of it. On save it turns the fields into an entry (faq.content.from_values: the file
rules), checks that entry against the database (faq.validation), and refuses, with the differences, a save
based on a version that changed since the form was opened.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from simple_history.models import to_historic

from . import signoff, validation
from .content import ContentError, dump, fingerprint, from_values
from .entries import MODELS, Links, entry_of, original_of
from .kinds import ENGLISH, KINDS, normalise
from .loading import diff
from .locking import Busy, lock_content
from .models import FAQ, Revision, Topic, source_fingerprint_of

# How long a save waits for a content load or export to finish before asking staff to press Save again.
SAVE_WAIT_SECONDS = 20


class SourcesField(forms.CharField):
    """Sources as staff type them: one per line, `Title | https://address`."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{item['title']} | {item['url']}" for item in value)
        return value

    def to_python(self, value):
        sources = []
        for number, line in enumerate(normalise(value or "", multiline=True).split("\n"), 1):
            if not line.strip():
                continue
            title, sep, url = line.rpartition("|")
            if not sep or not title.strip():
                raise ValidationError(f"Line {number}: write it as  Title | https://address")
            sources.append({"title": title.strip(), "url": url.strip()})
        return sources


class LinesField(forms.CharField):
    """A list typed one item per line (steps to start, earlier addresses)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in normalise(value or "", multiline=True).split("\n") if line.strip()]


class TextField(forms.CharField):
    """One or more lines of text, normalised as every side's text is (faq.kinds.normalise). No maxlength
    attribute: a browser would cut pasted text silently, so the length is checked here, with a message."""

    def __init__(self, *, multiline, **kwargs):
        self.multiline = multiline
        super().__init__(strip=False, **kwargs)

    def widget_attrs(self, widget):
        return {key: value for key, value in super().widget_attrs(widget).items() if key != "maxlength"}

    def to_python(self, value):
        return normalise(super().to_python(value), multiline=self.multiline)


class SlugChoiceField(forms.ModelChoiceField):
    """An entry picked from a list (a topic; the English answer a translation translates); cleans to its slug,
    as a file names it."""

    def clean(self, value):
        chosen = super().clean(value)
        return chosen.slug if chosen is not None else None


class OrderedFAQWidget(AutocompleteSelectMultiple):
    """The admin's type-to-find picker, showing questions (never ids) in the order staff chose them."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        position = {str(item): index for index, item in enumerate(value)}
        for _, options, _ in groups:
            options.sort(key=lambda option: position.get(str(option["value"]), len(position)))
        return groups


class OrderedFAQField(forms.ModelMultipleChoiceField):
    """FAQs picked in order; cleans to their slugs, in that order."""

    def clean(self, value):
        chosen = super().clean(value)
        by_id = {str(faq.pk): faq.slug for faq in chosen}
        return [by_id[str(item)] for item in dict.fromkeys(value or []) if str(item) in by_id]

    @staticmethod
    def initial_for(slugs):
        """What the picker shows for these slugs: their ids, in order (slugs that are no FAQ are left out)."""
        ids = dict(FAQ.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        return [ids[slug] for slug in slugs if slug in ids]


def _text_field(item, common, **_):
    widget = forms.Textarea(attrs={"rows": 3}) if item.form == "lines" else forms.TextInput(attrs={"size": 80})
    return TextField(multiline=item.form == "lines", widget=widget, **common)


def _months_field(item, common, **_):
    choices = [(6, "6 months"), (12, "12 months")]
    return forms.TypedChoiceField(choices=choices, coerce=int, **{**common, "required": True})


def _topic_field(item, common, *, language, **_):
    return SlugChoiceField(Topic.objects.filter(language=language), to_field_name="slug", **common)


def _translation_field(item, common, *, kind_name, **_):
    english = MODELS[kind_name].objects.filter(language=ENGLISH)
    return SlugChoiceField(english, to_field_name="slug", **common)


def _related_field(item, common, *, admin_site, language, **_):
    widget = OrderedFAQWidget(FAQ._meta.get_field("related"), admin_site)
    return OrderedFAQField(FAQ.objects.filter(language=language), widget=widget, **common)


_FIELD_MAKERS = {
    "line": _text_field,
    "lines": _text_field,
    "integer": lambda item, common, **_: forms.IntegerField(**common),
    "status": lambda item, common, **_: forms.ChoiceField(choices=FAQ.Status.choices, **{**common, "required": True}),
    "months": _months_field,
    "sources": lambda item, common, **_: SourcesField(**common),
    "slugs": lambda item, common, **_: LinesField(**common),
    "list": lambda item, common, **_: LinesField(**common),
    "topic": _topic_field,
    "translation": _translation_field,
    "related": _related_field,
}


def form_field(item, admin_site=None, language=ENGLISH, kind_name=""):
    """The admin form field for one field of a kind: its label and help, no browser-side length limit."""
    if item.form not in _FIELD_MAKERS:
        raise ValueError(f"no admin form field for {item.form}")
    common = {"label": item.label, "help_text": item.help, "required": item.required}
    return _FIELD_MAKERS[item.form](item, common, admin_site=admin_site, language=language, kind_name=kind_name)


class EntryForm(forms.ModelForm):
    """The base of every kind's admin form; `entry_form(kind_name)` makes one."""

    kind_name = ""
    language = ENGLISH
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        fields = []

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self.kind = KINDS[self.kind_name]
        self.live, self.version, self.revision, self.entry, self.warnings = None, None, None, None, []
        self.notes = []  # what this form could not show of a version being restored
        if instance is None or instance.pk is None:
            return
        self.live = MODELS[self.kind_name].objects.filter(pk=instance.pk).first()
        self.version = to_historic(instance)  # History's "Revert": show that version, to save as a new change
        shown = self._shown(instance)
        if shown is not None:
            self._fill_initial(shown)

    def _shown(self, instance):
        """What the form starts from: the version being restored, else the change waiting for review, else the
        live entry."""
        if self.version is not None:
            links = getattr(self.version, "links", None) or {}
            if self.live is None and self.kind_name == "faq":  # a deleted FAQ: the pages that listed it, again
                linked_from = [slug for slug, _ in links.get("linked_from", [])]
                self.initial["also_listed_on"] = OrderedFAQField.initial_for(linked_from)
            return entry_of(instance, _links_of_version(links, instance.pk))
        if self.live is None:
            return None
        shown, self.revision = signoff.staff_version(self.live)
        return shown

    def _fill_initial(self, shown):
        for item in self.kind.fields_for(self.language):
            value = shown.data[item.name]
            self.initial[item.name] = OrderedFAQField.initial_for(value) if item.form == "related" else value
            if item.form == "related" and self.version is not None:
                gone = sorted(set(value) - set(FAQ.objects.filter(slug__in=value).values_list("slug", flat=True)))
                if gone:
                    self.notes.append(f"This version listed related FAQs that no longer exist: {', '.join(gone)}.")
        if self.kind.has_body:
            self.initial["body"] = shown.body
        self.initial["based_on"] = self.current_fingerprint()

    def current_fingerprint(self):
        if self.live is None:
            return ""
        revision = Revision.objects.open().of(self.kind_name, self.live.pk).first()
        return revision.fingerprint if revision else fingerprint(entry_of(self.live))

    def _translated_from(self, cleaned):
        """The English version this translation matches: the current one if staff say so, else as it was."""
        if not cleaned.get("matches_english"):
            return self.live.translated_from if self.live is not None else ""
        original = original_of(self.kind_name, cleaned)
        return source_fingerprint_of(original) if original is not None else ""

    def stamp(self):
        """The review stamp an entry keeps until a reviewer approves it: the live one, or today for a new one."""
        if "reviewed" not in self.kind.by_name:
            return {}
        if self.live is not None:
            return {"reviewed": self.live.reviewed, "reviewer": self.live.reviewer}
        return {"reviewed": timezone.localdate(), "reviewer": ""}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            lock_content(0)  # the admin waited for it already (faq.admin); held, this returns at once
        except Busy:
            raise ValidationError(
                "Content is being loaded from files right now, so nothing was saved. Your changes are still in "
                "this form: press Save again in a minute."
            ) from None
        try:
            self.entry = from_values(
                self.kind_name, self._values(cleaned), cleaned.get("body", ""), language=self.language
            )
        except ContentError as exc:
            for problem in exc.problems:
                self._error(problem.field, problem.message)
            return cleaned
        self._check_not_changed_meanwhile()
        found = validation.problems(self.entry, self.live, also_listed_on=cleaned.get("also_listed_on") or [])
        for problem in found.errors:
            self._error(problem.field, problem.message)
        self.warnings = [problem.message for problem in found.warnings]
        return cleaned

    def _values(self, cleaned):
        """The entry's values: the typed fields, the stamp it keeps until approval, and (for a renamed FAQ) the
        old address as an earlier one, so links to it keep working."""
        values = {item.name: cleaned.get(item.name) for item in self.kind.fields_for(self.language) if not item.stamp}
        values.update(self.stamp())
        if "translated_from" in self.kind.by_name and self.language != ENGLISH:
            values["translated_from"] = self._translated_from(cleaned)
        if self.kind_name == "faq" and self.live is not None and values["slug"] != self.live.slug:
            values["aliases"] = sorted({*(values.get("aliases") or []), self.live.slug})
        return values

    # Checks name what they are about in their own words; the form field that holds it, where that differs.
    FIELD_OF = {"linked_from": "also_listed_on"}

    def _error(self, field_name, message):
        message = message[0].upper() + message[1:]
        field_name = self.FIELD_OF.get(field_name, field_name)
        self.add_error(field_name if field_name in self.fields else None, message)

    def _check_not_changed_meanwhile(self):
        based_on = self.cleaned_data.get("based_on") or ""
        if self.live is None or not based_on or based_on == self.current_fingerprint():
            return
        now, revision = signoff.staff_version(self.live)
        latest = revision.origin if revision else self.live.history.first().history_change_reason
        differences = diff(dump(now), dump(self.entry), "saved now", "your version")
        raise ValidationError(
            format_html(
                "This entry changed after you opened it ({}), so your changes were not saved. They are still in "
                "this form. What differs between the saved version and yours:"
                '<pre class="conflict-diff">{}</pre>Reload the page to start from the saved version.',
                latest or "an admin save",
                differences,
            )
        )

    def _post_clean(self):
        """The entry rules above are the whole validation; the row is written by faq.signoff, not the form."""

    def save_m2m(self):
        """Related FAQs and earlier addresses are fields of the entry, written with it by faq.signoff."""


def _links_of_version(links, pk):
    result = Links()
    result.related[pk] = list(links.get("related", []))
    result.aliases[pk] = list(links.get("aliases", []))
    return result


def entry_form(kind_name, admin_site, language=ENGLISH):
    """The admin form class for one kind in one language: a field for each of its fields (stamps are shown, not
    typed)."""
    kind = KINDS[kind_name]
    attrs = {"kind_name": kind_name, "language": language}
    for item in kind.fields_for(language):
        if not item.stamp:
            attrs[item.name] = form_field(item, admin_site, language, kind_name)
    if kind_name == "faq":
        widget = OrderedFAQWidget(FAQ._meta.get_field("related"), admin_site)
        attrs["also_listed_on"] = OrderedFAQField(
            FAQ.objects.filter(language=language),
            widget=widget,
            required=False,
            label="Also list it on",
            help_text="Questions whose “Related FAQs” should list this one, added to the end of their lists. A "
            "new question needs at least one page that links to it.",
        )
    if language != ENGLISH:
        attrs["matches_english"] = forms.BooleanField(
            required=False,
            label="This translation matches the English as it is now",
            help_text="Tick it when the translation says everything the current English version says. Until "
            "then, a translation whose English changed is shown to readers as behind.",
        )
    names = [name for name in attrs if name not in ("kind_name", "language")] + (["body"] if kind.has_body else [])
    meta = type("Meta", (), {"model": MODELS[kind_name], "fields": names})
    attrs["Meta"] = meta
    return type(f"{kind_name.title()}{language.title()}Form", (EntryForm,), attrs)
