import sys

from django.contrib.admin.views.decorators import staff_member_required
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from .middleware import database_unavailable
from .models import FAQ, Alias, Fact, Topic
from .rendering import render_preview


def _topics_with_questions():
    questions = FAQ.objects.published().for_lists().order_by("order", "question")
    return (
        Topic.objects.filter(faqs__status=FAQ.Status.PUBLISHED)
        .distinct()
        .prefetch_related(Prefetch("faqs", queryset=questions, to_attr="published_faqs"))
    )


def home(request):
    return render(
        request,
        "faq/home.html",
        {
            "facts": Fact.objects.all(),
            "topics": _topics_with_questions(),
        },
    )


def _crumb(title, url):
    return {"title": title, "url": url}


def faq_index(request):
    crumbs = [_crumb("Home", reverse("faq:home")), _crumb("Questions", reverse("faq:index"))]
    return render(request, "faq/index.html", {"topics": _topics_with_questions(), "breadcrumbs": crumbs})


def faq_detail(request, slug):
    visible = FAQ.objects.for_page()
    if not (request.user.is_authenticated and request.user.is_staff):
        visible = visible.published()
    faq = visible.filter(slug=slug).first()
    if faq is None:
        alias = Alias.objects.select_related("faq").filter(slug=slug).first()
        if alias and (alias.faq.is_published or request.user.is_staff):
            return redirect(alias.faq, permanent=True)
        raise Http404("No FAQ at this address.")
    crumbs = [
        _crumb("Home", reverse("faq:home")),
        _crumb("Questions", reverse("faq:index")),
        _crumb(faq.topic.title, faq.topic.get_absolute_url()),
        _crumb(faq.question, faq.get_absolute_url()),
    ]
    context = {"faq": faq, "related": faq.related_for_page(), "breadcrumbs": crumbs}
    response = render(request, "faq/detail.html", context)
    if not faq.is_published:
        add_never_cache_headers(response)
    return response


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
    topics = Topic.objects.filter(faqs__status=FAQ.Status.PUBLISHED).distinct()
    return render(request, "404.html", {"topics": topics}, status=404)


def server_error(request):
    """Rendered without context processors or queries: the database may be the thing that failed."""
    if isinstance(sys.exception(), DatabaseError):
        return database_unavailable(request)  # e.g. the 404 page's topic list failed: the database is down
    return HttpResponseServerError(loader.render_to_string("500.html"))
