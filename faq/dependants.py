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


def bodies_using_fact(key):
    for model in MODELS_WITH_BODIES:
        yield from model.objects.filter(body__regex=_uses_fact(key))


def bodies_linking_to(slug):
    for model in MODELS_WITH_BODIES:
        yield from model.objects.filter(body__contains=f"faq:{slug}")


def rerender(*, fact_keys=(), slugs=(), skip=(), context=None):
    """Store freshly rendered HTML for every body that shows one of these facts or links to one of these FAQ
    slugs, against one snapshot of facts and addresses (`context`, or the database's now). Only the HTML
    changes, so no new version is recorded. `skip` holds (model, pk) pairs already rendered with that context."""
    objects = _showing(set(fact_keys), set(slugs), set(skip))
    if objects:
        context = context or current_render_context()
    for obj in objects:
        obj.skip_history_when_saving = True
        try:
            obj.save(render_context=context, update_fields=["body_html", "updated_at"])
        finally:
            del obj.skip_history_when_saving
    return len(objects)


def _showing(fact_keys, slugs, skip):
    """Every row whose body shows one of these facts or links to one of these slugs, once each."""
    for slug in slugs:  # a fact whose value links to an FAQ shows that link wherever the fact is used
        fact_keys.update(Fact.objects.filter(value__contains=f"faq:{slug}").values_list("key", flat=True))
    found = [obj for key in fact_keys for obj in bodies_using_fact(key)]
    found += [obj for slug in slugs for obj in bodies_linking_to(slug)]
    objects, seen = [], set(skip)
    for obj in found:
        if (type(obj), obj.pk) not in seen:
            seen.add((type(obj), obj.pk))
            objects.append(obj)
    return objects
