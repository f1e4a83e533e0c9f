import copy
import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import seo
from .conditional import never_cache_private, public_page, set_last_modified, viewer_is_staff
from .content import parse
from .context_processors import site_info_for
from .kinds import ENGLISH, SPANISH
from .models import FAQ, Alias, Fact, Revision, SiteInfo, Topic, current_render_context
from .preview import render_preview
from .rendering import RenderError, render_markdown
from .search import search

# How many questions a topic lists on the home page and the index; a topic with more links to its own pages.
HOME_QUESTIONS_PER_TOPIC = 10
INDEX_QUESTIONS_PER_TOPIC = 25
TOPIC_PAGE_SIZE = 50
# How many English-only answers the Spanish index lists by name (then it links to the English index).
UNTRANSLATED_LISTED = 50


def _topics_with_questions(language, limit):
    """Topics with published FAQs in this language, each with its first `limit` questions (`published_faqs`) and
    `published_count`: pages stay small however many FAQs there are. Two queries. The questions come from one
    LIMIT per topic, each read in order from the index faq_topic_listing, so the time grows with the topics and
    `limit`, not with the FAQs (a window over every published FAQ took 0.7 s at 100,000)."""
    # Counted per topic from the same index (an index-only count; a join and GROUP BY over every answer took
    # three times as long at 100,000); which topics to show, by Exists, which stops at the first answer.
    counted = FAQ.objects.published().filter(topic=OuterRef("pk")).order_by().values("topic")
    topics = list(
        _topics_with_published_faqs(language).annotate(
            published_count=Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
        )
    )
    firsts = Q()
    for topic in topics:
        ordered = FAQ.objects.published().filter(topic=topic).order_by("order", "question")
        firsts |= Q(pk__in=ordered.values("pk")[:limit])
    by_topic = {topic.pk: [] for topic in topics}
    for faq in FAQ.objects.filter(firsts).for_lists().order_by("order", "question") if topics else ():
        by_topic[faq.topic_id].append(faq)
    for topic in topics:
        topic.published_faqs = by_topic[topic.pk]
    return topics


def _meta(title, description, og_type="website", noindex=False):
    return {"page_title": title, "page_description": description, "og_type": og_type, "noindex": noindex}


def _listed_faq_times(topics):
    return [faq.content_changed_at for topic in topics for faq in topic.published_faqs]


def _has_published_faqs():
    return Exists(FAQ.objects.published().filter(topic=OuterRef("pk")))


def _topics_with_published_faqs(language):
    return Topic.objects.filter(language=language).filter(_has_published_faqs())


def _with_twin_slug(topics):
    """Topics with `twin_slug`: the slug of the same topic in the other language, where readers can open it."""
    shown = Topic.objects.filter(_has_published_faqs())
    translation_ = shown.filter(translation_of=OuterRef("pk")).order_by("pk").values("slug")[:1]
    original = shown.filter(pk=OuterRef("translation_of")).values("slug")[:1]
    twin = Case(When(language=ENGLISH, then=Subquery(translation_)), default=Subquery(original))
    return topics.annotate(twin_slug=twin)


def _other_language(language):
    return SPANISH if language == ENGLISH else ENGLISH


def _in(language, name, *args):
    """The address of a named page in a language."""
    with translation.override(language):
        return reverse(name, args=args)


def _languages(language, twin_url=None):
    """The page in each language, for hreflang links and the language link: the twin page if there is one, else
    the other language's home page (the link then says the page is not translated)."""
    other = _other_language(language)
    here = {"language": language, "url": None}
    url = twin_url or _in(other, "faq:home")
    there = {"language": other, "url": url, "absolute_url": seo.absolute(url), "is_twin": bool(twin_url)}
    return {"this_language": here, "other_language": there}


@public_page
def home(request):
    language = translation.get_language()
    site = site_info_for(request)
    facts = _facts(language)
    topics = list(_topics_with_questions(language, HOME_QUESTIONS_PER_TOPIC))
    context = {
        "facts": facts,
        "topics": topics,
        "structured_data": seo.home_data(site, seo.absolute(request.path), language),
        **_languages(language, _in(_other_language(language), "faq:home")),
        **_meta(
            _("Intensive outpatient mental health care for adults"),
            _(
                "Structured care for anxiety, depression, PTSD and trauma a few hours a day while you live at home. "
                "Learn how it works and how to start."
            ),
        ),
    }
    response = render(request, "faq/home.html", context)
    return set_last_modified(
        response,
        site and site.updated_at,
        *(fact.updated_at for fact in facts),
        *(topic.updated_at for topic in topics),
        *_listed_faq_times(topics),
    )


def _facts(language):
    """The facts at a glance in this language; one not yet translated shows in English (the page marks it so)."""
    facts = {(fact.key, fact.language): fact for fact in Fact.objects.filter(language__in={language, ENGLISH})}
    shown = [fact for (key, code), fact in facts.items() if code == language or (key, language) not in facts]
    return sorted(shown, key=lambda fact: (fact.order, fact.label))


def _crumb(title, url):
    return {"title": title, "url": url}


def _base_crumbs():
    return [_crumb(_("Home"), reverse("faq:home")), _crumb(_("Questions"), reverse("faq:index"))]


@public_page
def faq_index(request):
    language = translation.get_language()
    site = site_info_for(request)
    crumbs = _base_crumbs()
    topics = list(_topics_with_questions(language, INDEX_QUESTIONS_PER_TOPIC))
    untranslated = _untranslated(language)
    context = {
        "topics": topics,
        "untranslated": untranslated[:UNTRANSLATED_LISTED],
        "untranslated_more": len(untranslated) > UNTRANSLATED_LISTED,
        "english_index": _in(ENGLISH, "faq:index"),
        "breadcrumbs": crumbs,
        "structured_data": seo.index_data(site, crumbs, seo.absolute(request.path), language),
        **_languages(language, _in(_other_language(language), "faq:index")),
        **_meta(
            _("Questions and answers"),
            _(
                "Answers to common questions about intensive outpatient programs: what they are, who they help, "
                "what a day looks like, and costs."
            ),
        ),
    }
    response = render(request, "faq/index.html", context)
    return set_last_modified(
        response, site and site.updated_at, *(topic.updated_at for topic in topics), *_listed_faq_times(topics)
    )


def _untranslated(language):
    """English answers with no published translation in this language, one more than the index lists (the Spanish
    index links to them, in English, with a note); nothing for the English index."""
    if language == ENGLISH:
        return []
    translated = FAQ.objects.published().filter(language=language).values("translation_of")
    return list(
        FAQ.objects.published()
        .filter(language=ENGLISH)
        .exclude(pk__in=translated)
        .for_lists()
        .order_by("question")[: UNTRANSLATED_LISTED + 1]
    )


@public_page
def topic_page(request, slug):
    """Every published question of one topic, a page of them at a time."""
    language = translation.get_language()
    topic = get_object_or_404(_with_twin_slug(_topics_with_published_faqs(language)), slug=slug)
    questions = FAQ.objects.published().for_lists().filter(topic=topic).order_by("order", "question")
    page = Paginator(questions, TOPIC_PAGE_SIZE).get_page(request.GET.get("page"))
    crumbs = [*_base_crumbs(), _crumb(topic.title, topic.get_absolute_url())]
    title = topic.title
    if page.number > 1:
        title = _("%(topic)s (page %(page)s of %(pages)s)") % {
            "topic": topic.title,
            "page": page.number,
            "pages": page.paginator.num_pages,
        }
    other = _other_language(language)
    context = {
        "topic": topic,
        "page": page,
        "breadcrumbs": crumbs,
        **_languages(language, topic.twin_slug and _in(other, "faq:topic", topic.twin_slug)),
        **_meta(title, topic.description),
    }
    response = render(request, "faq/topic.html", context)
    return set_last_modified(response, topic.updated_at, *(faq.content_changed_at for faq in page))


@public_page
def faq_detail(request, slug):
    language = translation.get_language()
    staff = viewer_is_staff(request)
    visible = FAQ.objects.for_page().filter(language=language)
    if not staff:
        visible = visible.published()
    faq = visible.filter(slug=slug).first()
    if faq is None:
        alias = Alias.objects.select_related("faq").filter(language=language, slug=slug).first()
        if alias and (alias.faq.is_published or staff):
            return redirect(alias.faq, permanent=True)
        raise Http404("No FAQ at this address.")
    site = site_info_for(request)
    crumbs = [
        *_base_crumbs(),
        _crumb(faq.topic.title, faq.topic.get_absolute_url()),
        _crumb(faq.question, faq.get_absolute_url()),
    ]
    related = faq.related_for_page()
    waiting = _waiting_version(faq) if staff else None
    twin = faq.twin()
    context = {
        "faq": waiting or faq,
        "waiting": waiting is not None,
        "related": related,
        "twin": twin,
        "behind": faq.translation_behind(),
        "breadcrumbs": crumbs,
        "structured_data": seo.faq_data(faq, site, crumbs, seo.absolute(request.path), twin),
        **_languages(language, twin.get_absolute_url() if twin else None),
        **_meta(faq.question, faq.summary, og_type="article", noindex=not faq.is_published),
    }
    response = render(request, "faq/detail.html", context)
    if not faq.is_published or staff:
        return never_cache_private(response)
    return set_last_modified(
        response,
        faq.content_changed_at,
        faq.topic.updated_at,
        site and site.updated_at,
        twin and twin.content_changed_at,
        *(item.content_changed_at for item in related),
    )


def _waiting_version(faq):
    """For staff: the FAQ as a change waiting for review would make it (not saved), or None if none waits."""
    revision = Revision.objects.pending().of("faq", faq.pk).first()
    if revision is None:
        return None
    entry = parse(revision.text.encode(), revision.title, "faq", faq.language)
    shown = copy.copy(faq)
    for name in ("question", "summary", "sources", "status", "reviewed", "reviewer", "review_months"):
        setattr(shown, name, entry.data[name])
    try:
        shown.body_html = render_markdown(entry.body, current_render_context(faq.language))
    except RenderError as exc:
        shown.body_html = format_html('<p class="preview-error">This version cannot be shown: {}</p>', str(exc))
    return shown


def search_page(request):
    """Search results: never cached or indexed, since a query can say something private about the reader."""
    language = translation.get_language()
    raw_query = request.GET.get("q", "")
    result = search(raw_query, language=language)
    crumbs = [_crumb(_("Home"), reverse("faq:home")), _crumb(_("Search"), reverse("faq:search"))]
    if result.query:
        title = _("Search results for “%(query)s”") % {"query": result.query}
        description = _("Questions and answers that match “%(query)s”.") % {"query": result.query}
    else:
        title, description = _("Search the questions"), _("Search the questions and answers about the program.")
    topics = None
    if not result.hits:
        topics = _topics_with_published_faqs(language)
    context = {
        "result": result,
        "topics": topics,
        "breadcrumbs": crumbs,
        **_languages(language, _in(_other_language(language), "faq:search")),
        **_meta(title, description, noindex=True),
    }
    response = render(request, "faq/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return never_cache_private(response)


@public_page
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /staff/", "", f"Sitemap: {settings.SITE_URL}/sitemap.xml"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@staff_member_required
@require_POST
def markdown_preview(request):
    """The admin editor's live preview, behind staff login (markdownx's own view has no permission check)."""
    response = HttpResponse(render_preview(request.POST.get("content", ""), _editing_language(request)))
    add_never_cache_headers(response)
    return response


def _editing_language(request):
    """The language of the entry whose editor asked for the preview (from its page's address)."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if parse_qs(referer.query).get("language") == [SPANISH]:
        return SPANISH
    match = re.match(r"^/admin/faq/(\w+)/(\d+)/", referer.path)
    model = {"faq": FAQ, "fact": Fact, "topic": Topic, "siteinfo": SiteInfo}.get(match.group(1)) if match else None
    if model is not None:
        return model.objects.filter(pk=match.group(2)).values_list("language", flat=True).first() or ENGLISH
    return ENGLISH


@staff_member_required
@require_POST
def markdown_upload(request):
    return JsonResponse({"image": ["Image upload is turned off on this site."]}, status=403)


def page_not_found(request, exception):
    language = translation.get_language()
    topics = _topics_with_published_faqs(language)
    crumbs = [_crumb(_("Home"), reverse("faq:home")), _crumb(_("Page not found"), request.path)]
    context = {
        "topics": topics,
        "breadcrumbs": crumbs,
        **_languages(language),
        **_meta(_("Page not found"), _("We could not find that page."), noindex=True),
    }
    return render(request, "404.html", context, status=404)
