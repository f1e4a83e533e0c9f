import copy

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from . import seo
from .conditional import never_cache_private, public_page, set_last_modified, viewer_is_staff
from .content import parse
from .context_processors import site_info_for
from .models import FAQ, Alias, Fact, Revision, Topic, current_render_context
from .preview import render_preview
from .rendering import RenderError, render_markdown
from .search import search

# How many questions a topic lists on the home page and the index; a topic with more links to its own pages.
HOME_QUESTIONS_PER_TOPIC = 10
INDEX_QUESTIONS_PER_TOPIC = 25
TOPIC_PAGE_SIZE = 50


def _topics_with_questions(limit):
    """Topics with published FAQs, each with its first `limit` questions and `published_count`: pages stay small
    however many FAQs there are."""
    questions = FAQ.objects.published().for_lists().order_by("order", "question")[:limit]
    return (
        Topic.objects.annotate(published_count=Count("faqs", filter=Q(faqs__status=FAQ.Status.PUBLISHED)))
        .filter(published_count__gt=0)
        .prefetch_related(Prefetch("faqs", queryset=questions, to_attr="published_faqs"))
    )


def _meta(title, description, og_type="website", noindex=False):
    return {"page_title": title, "page_description": description, "og_type": og_type, "noindex": noindex}


def _listed_faq_times(topics):
    return [faq.content_changed_at for topic in topics for faq in topic.published_faqs]


def _topics_with_published_faqs():
    return Topic.objects.filter(Exists(FAQ.objects.published().filter(topic=OuterRef("pk"))))


@public_page
def home(request):
    site = site_info_for(request)
    facts, topics = list(Fact.objects.all()), list(_topics_with_questions(HOME_QUESTIONS_PER_TOPIC))
    context = {
        "facts": facts,
        "topics": topics,
        "structured_data": seo.home_data(site, seo.absolute(request.path)),
        **_meta(
            "Intensive outpatient mental health care for adults",
            "Structured care for anxiety, depression, PTSD and trauma a few hours a day while you live at home. "
            "Learn how it works and how to start.",
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


def _crumb(title, url):
    return {"title": title, "url": url}


@public_page
def faq_index(request):
    site = site_info_for(request)
    crumbs = [_crumb("Home", reverse("faq:home")), _crumb("Questions", reverse("faq:index"))]
    topics = list(_topics_with_questions(INDEX_QUESTIONS_PER_TOPIC))
    context = {
        "topics": topics,
        "breadcrumbs": crumbs,
        "structured_data": seo.index_data(site, crumbs, seo.absolute(request.path)),
        **_meta(
            "Questions and answers",
            "Answers to common questions about intensive outpatient programs: what they are, who they help, "
            "what a day looks like, and costs.",
        ),
    }
    response = render(request, "faq/index.html", context)
    return set_last_modified(
        response, site and site.updated_at, *(topic.updated_at for topic in topics), *_listed_faq_times(topics)
    )


@public_page
def topic_page(request, slug):
    """Every published question of one topic, a page of them at a time."""
    topic = get_object_or_404(_topics_with_published_faqs(), slug=slug)
    questions = FAQ.objects.published().for_lists().filter(topic=topic).order_by("order", "question")
    page = Paginator(questions, TOPIC_PAGE_SIZE).get_page(request.GET.get("page"))
    crumbs = [
        _crumb("Home", reverse("faq:home")),
        _crumb("Questions", reverse("faq:index")),
        _crumb(topic.title, topic.get_absolute_url()),
    ]
    title = topic.title if page.number == 1 else f"{topic.title} (page {page.number} of {page.paginator.num_pages})"
    context = {"topic": topic, "page": page, "breadcrumbs": crumbs, **_meta(title, topic.description)}
    response = render(request, "faq/topic.html", context)
    return set_last_modified(response, topic.updated_at, *(faq.content_changed_at for faq in page))


@public_page
def faq_detail(request, slug):
    staff = viewer_is_staff(request)
    visible = FAQ.objects.for_page()
    if not staff:
        visible = visible.published()
    faq = visible.filter(slug=slug).first()
    if faq is None:
        alias = Alias.objects.select_related("faq").filter(slug=slug).first()
        if alias and (alias.faq.is_published or staff):
            return redirect(alias.faq, permanent=True)
        raise Http404("No FAQ at this address.")
    site = site_info_for(request)
    crumbs = [
        _crumb("Home", reverse("faq:home")),
        _crumb("Questions", reverse("faq:index")),
        _crumb(faq.topic.title, faq.topic.get_absolute_url()),
        _crumb(faq.question, faq.get_absolute_url()),
    ]
    related = faq.related_for_page()
    waiting = _waiting_version(faq) if staff else None
    context = {
        "faq": waiting or faq,
        "waiting": waiting is not None,
        "related": related,
        "breadcrumbs": crumbs,
        "structured_data": seo.faq_data(faq, site, crumbs, seo.absolute(request.path)),
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
    raw_query = request.GET.get("q", "")
    result = search(raw_query)
    crumbs = [_crumb("Home", reverse("faq:home")), _crumb("Search", reverse("faq:search"))]
    if result.query:
        title = f"Search results for “{result.query}”"
        description = f"Questions and answers that match “{result.query}”."
    else:
        title, description = "Search the questions", "Search the questions and answers about the program."
    topics = None
    if not result.hits:
        topics = _topics_with_published_faqs()
    context = {"result": result, "topics": topics, "breadcrumbs": crumbs, **_meta(title, description, noindex=True)}
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
    response = HttpResponse(render_preview(request.POST.get("content", "")))
    add_never_cache_headers(response)
    return response


@staff_member_required
@require_POST
def markdown_upload(request):
    return JsonResponse({"image": ["Image upload is turned off on this site."]}, status=403)


def page_not_found(request, exception):
    topics = _topics_with_published_faqs()
    crumbs = [_crumb("Home", reverse("faq:home")), _crumb("Page not found", request.path)]
    context = {
        "topics": topics,
        "breadcrumbs": crumbs,
        **_meta("Page not found", "We could not find that page.", noindex=True),
    }
    return render(request, "404.html", context, status=404)
