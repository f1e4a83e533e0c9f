"""What shows other entries, and rendering it again after they change.

A body shows facts ({{ fact:KEY }}) and links to FAQs ([words](faq:SLUG)). When a fact's value or key changes,
or an FAQ's address or visibility changes, the stored HTML of every body that shows it is rendered again here:
an explicit step that loads, approvals and restores ask for, never a side effect of save().
"""

import re

from .models import FAQ, Fact, SiteInfo, current_render_context

MODELS_WITH_BODIES = (FAQ, Fact, SiteInfo)


def _uses_fact(key):
    return r"\{\{[ \t]*fact:[ \t]*" + re.escape(key) + r"[ \t]*\}\}"


def bodies_using_fact(language, key):
    for model in MODELS_WITH_BODIES:
        yield from model.objects.filter(language=language, body__regex=_uses_fact(key))


def bodies_linking_to(language, slug):
    for model in MODELS_WITH_BODIES:
        yield from model.objects.filter(language=language, body__contains=f"faq:{slug}")


def rerender(applied, *, skip=(), contexts=None):
    """Store freshly rendered HTML for every body that shows a fact or links to an FAQ that `applied` (an
    entries.Applied) changed, against one snapshot of facts and addresses per language (`contexts`, or the
    database's now). Only the HTML changes, so no new version is recorded. `skip` holds (model, pk) pairs
    already rendered with those contexts."""
    objects = _showing(set(applied.fact_keys), set(applied.slugs), set(skip))
    contexts = dict(contexts or {})
    for obj in objects:
        if obj.language not in contexts:
            contexts[obj.language] = current_render_context(obj.language)
        obj.skip_history_when_saving = True
        try:
            obj.save(render_context=contexts[obj.language], update_fields=["body_html", "updated_at"])
        finally:
            del obj.skip_history_when_saving
    return len(objects)


def _showing(fact_keys, slugs, skip):
    """Every row whose body shows one of these facts or links to one of these slugs, once each."""
    for language, slug in slugs:  # a fact whose value links to an FAQ shows that link wherever the fact is used
        facts = Fact.objects.filter(language=language, value__contains=f"faq:{slug}")
        fact_keys.update((language, key) for key in facts.values_list("key", flat=True))
    found = [obj for language, key in fact_keys for obj in bodies_using_fact(language, key)]
    found += [obj for language, slug in slugs for obj in bodies_linking_to(language, slug)]
    objects, seen = [], set(skip)
    for obj in found:
        if (type(obj), obj.pk) not in seen:
            seen.add((type(obj), obj.pk))
            objects.append(obj)
    return objects
