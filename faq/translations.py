"""Which translations are behind their English entry, and since when.

A translation records the fingerprint of what the English entry said when it was translated (`translated_from`,
faq/kinds.py). It is behind when the English entry now says something else: `source_fingerprint_of` of the live
English row differs. Since when: the English entry's history (django-simple-history) is read back from its newest
version to the last one the translation matched; the first version after that is when it fell behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .models import FAQ, Fact, Language, SiteInfo, Topic, source_fingerprint_of

TRANSLATED_MODELS = {"topic": Topic, "fact": Fact, "faq": FAQ, "site": SiteInfo}


@dataclass
class State:
    kind: str
    row: object  # the translation
    original: object | None  # the English row it translates (None: there is none)
    behind: bool
    since: object = None  # when the English entry changed away from what was translated (aware datetime)

    @property
    def days_behind(self):
        return (timezone.now() - self.since).days if self.behind and self.since else 0


def originals_of(kind_name, rows):
    """{translation pk: English row} for translations of one kind, in one query."""
    if kind_name in ("faq", "topic"):
        return {row.pk: row.translation_of for row in rows}
    model = TRANSLATED_MODELS[kind_name]
    english = model.objects.filter(language=Language.ENGLISH)
    if kind_name == "fact":
        by_key = {fact.key: fact for fact in english.filter(key__in=[row.key for row in rows])}
        return {row.pk: by_key.get(row.key) for row in rows}
    site = english.first()
    return {row.pk: site for row in rows}


def translation_in(kind_name, row, language):
    """An English row's translation into a language, or None."""
    model = TRANSLATED_MODELS[kind_name]
    in_language = model.objects.filter(language=language)
    if kind_name in ("faq", "topic"):  # from prefetch_related("translations") where the list asked for it
        return next((other for other in row.translations.all() if other.language == language), None)
    if kind_name == "fact":
        return in_language.filter(key=row.key).first()
    return in_language.first()


def is_behind(row, original):
    """True when the English entry says something other than what the translation was made from (a translation
    never stamped is behind too: nobody recorded what it translates)."""
    return original is not None and row.translated_from != source_fingerprint_of(original)


def behind_since(row, original, kind_name):
    """When the English entry first said something other than what the translation was made from, as far as its
    history goes back."""
    since = None
    for version in original.history.order_by("-history_date", "-history_id").iterator():
        if source_fingerprint_of(version, kind_name) == row.translated_from:
            break
        since = version.history_date
    return since or getattr(original, "updated_at", None)


def states(kind_names=None, language=Language.SPANISH, *, with_since=True):
    """Every translation in a language (of the kinds named, or all), with whether (and since when) it is behind."""
    found = []
    for kind_name, model in TRANSLATED_MODELS.items():
        if kind_names is not None and kind_name not in kind_names:
            continue
        rows = list(model.objects.filter(language=language).select_related(*_related(kind_name)))
        originals = originals_of(kind_name, rows)
        for row in rows:
            original = originals[row.pk]
            state = State(kind_name, row, original, is_behind(row, original))
            if state.behind and with_since:
                state.since = behind_since(row, original, kind_name)
            found.append(state)
    return found


def untranslated(language=Language.SPANISH):
    """English entries with no translation in the language, kind by kind: {kind: [row, ...]}."""
    missing = {}
    for kind_name, model in TRANSLATED_MODELS.items():
        english = model.objects.filter(language=Language.ENGLISH)
        if kind_name in ("faq", "topic"):
            english = english.exclude(translations__language=language)
        elif kind_name == "fact":
            english = english.exclude(key__in=model.objects.filter(language=language).values("key"))
        elif model.objects.filter(language=language).exists():
            english = english.none()
        missing[kind_name] = list(english)
    return missing


def _related(kind_name):
    return ("translation_of",) if kind_name in ("faq", "topic") else ()
