import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from faq.models import FAQ, Alias, RelatedFAQ, Topic

CRISIS = 'Call or text <a href="tel:988">988</a>'


def h1_count(response):
    return len(re.findall(r"<h1[\s>]", response.content.decode()))


@pytest.fixture
def staff_client(db):
    user = User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_home_shows_intro_facts_topics_and_how_to_start(client, loaded):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome to 3 days a week." in html
    assert "<dt>Hours</dt><dd>9 to 19 hours a week</dd>" in html
    assert '<a href="/faq/alpha/">What is alpha?</a>' in html
    assert "<li>Call us.</li>" in html
    assert 'href="tel:+16175550142"' in html


def test_home_shows_a_facts_longer_text_in_a_fold_under_its_value(client, fact):
    fact("level", "intensive outpatient care", label="Level of care", body="Not an *addiction* level.")
    fact("hours", "9 hours a week", label="Hours")
    html = client.get("/").content.decode()
    level = html[html.index("<dt>Level of care</dt>") :]
    level = level[: level.index("</dd>")]
    assert "<details><summary>More" in level
    assert "<p>Not an <em>addiction</em> level.</p>" in level
    assert "<dt>Hours</dt><dd>9 hours a week</dd>" in html


def test_faq_index_groups_questions_by_topic_with_summaries(client, loaded):
    html = client.get("/faq/").content.decode()
    assert '<h2 id="heading-basics">Basics</h2>' in html
    assert "A short summary of beta." in html


def test_faq_page_shows_answer_review_sources_and_breadcrumbs(client, make_faq):
    faq = make_faq(
        "visible", reviewer="Dana Lee, LCSW", sources=[{"title": "NIMH", "url": "https://www.nimh.nih.gov/"}]
    )
    html = client.get(faq.get_absolute_url()).content.decode()
    assert "<p>An answer.</p>" in html
    assert (
        'Reviewed by Dana Lee, LCSW, on <time datetime="2026-01-01">1 January 2026</time>. '
        'Next review by <time datetime="2027-01">January 2027</time>.'
    ) in html
    assert '<a href="https://www.nimh.nih.gov/">NIMH</a>' in html
    assert '<span aria-current="page">' in html


def test_related_lists_explicit_first_then_same_topic_up_to_five(client, make_faq):
    page = make_faq("page")
    others = [make_faq(f"other-{i}", order=i) for i in range(7)]
    explicit = make_faq("explicit", topic=Topic.objects.create(slug="t2", title="T2", description="d"))
    RelatedFAQ.objects.create(faq=page, target=explicit, position=0)
    related = client.get(page.get_absolute_url()).context["related"]
    assert [faq.slug for faq in related] == ["explicit", "other-0", "other-1", "other-2", "other-3"]
    assert len(others) == 7


def test_related_never_lists_drafts_or_the_page_itself(client, make_faq):
    page = make_faq("page")
    draft = make_faq("draft", status=FAQ.Status.DRAFT)
    RelatedFAQ.objects.create(faq=page, target=draft, position=0)
    related = client.get(page.get_absolute_url()).context["related"]
    assert [faq.slug for faq in related] == []


def test_draft_is_404_for_the_public(client, make_faq):
    draft = make_faq("secret", status=FAQ.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_is_visible_to_staff_with_banner_and_never_cached(staff_client, make_faq):
    draft = make_faq("secret", status=FAQ.Status.DRAFT)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "only staff can see this page" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_alias_redirects_permanently_to_the_current_address(client, make_faq):
    faq = make_faq("new-name")
    Alias.objects.create(slug="old-name", faq=faq)
    response = client.get("/faq/old-name/")
    assert (response.status_code, response["Location"]) == (301, "/faq/new-name/")


def test_alias_of_a_draft_is_404_for_the_public(client, make_faq):
    Alias.objects.create(slug="old-name", faq=make_faq("new-name", status=FAQ.Status.DRAFT))
    assert client.get("/faq/old-name/").status_code == 404


def test_unknown_page_is_a_helpful_404(client, loaded):
    response = client.get("/faq/no-such-question/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html
    assert "browse all questions" in html


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/alpha/", "/faq/missing/"])
def test_every_page_has_one_h1_and_the_crisis_line_first(client, loaded, path):
    response = client.get(path)
    html = response.content.decode()
    assert h1_count(response) == 1
    assert CRISIS in html
    assert html.index(CRISIS) < html.index("<main")


def test_server_error_page_needs_no_database_and_shows_the_crisis_line(rf):
    from faq.middleware import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert CRISIS in response.content.decode()


@pytest.mark.parametrize(
    "path, most", [("/", 5), ("/faq/", 4), ("/faq/question-0/", 4), ("/es/", 5), ("/es/preguntas/", 5)]
)
def test_query_count_is_the_same_with_5_or_500_faqs(client, make_faq, path, most):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    faqs = [make_faq() for _ in range(5)]
    for a, b in zip(faqs, faqs[1:], strict=False):
        RelatedFAQ.objects.create(faq=a, target=b)

    def count():
        cache.clear()  # rendering is what is measured here; tests/test_page_cache.py covers cached requests
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    topic = Topic.objects.create(slug="more", title="More", description="More questions.", order=2)
    FAQ.objects.bulk_create(
        FAQ(question=f"Bulk {i}?", slug=f"bulk-{i}", summary="S.", topic=topic, reviewed="2026-01-01", body="B.")
        for i in range(495)
    )
    assert FAQ.objects.count() == 500
    assert count() == small
    assert small <= most


@pytest.mark.parametrize("path, shown", [("/", 10), ("/faq/", 25)])
def test_each_topic_lists_its_first_published_questions_in_order(client, make_faq, path, shown):
    from django.core.cache import cache

    topics = [
        Topic.objects.create(slug=f"topic-{n}", title=f"Topic {n}", description="Questions.", order=n) for n in (1, 2)
    ]
    made = []
    for i in range(60):  # orders and questions that sort differently, a draft among every five
        status = FAQ.Status.DRAFT if i % 5 == 0 else FAQ.Status.PUBLISHED
        made.append(make_faq(topic=topics[i % 2], order=(i * 7) % 4, question=f"Q {(i * 37) % 60:02d}?", status=status))
    cache.clear()
    html = client.get(path).content.decode()
    for topic in topics:
        published = [faq for faq in made if faq.topic == topic and faq.status == FAQ.Status.PUBLISHED]
        expected = [faq.question for faq in sorted(published, key=lambda faq: (faq.order, faq.question))][:shown]
        section = html[html.index(f">{topic.title}<") :]
        if topic is topics[0]:
            section = section[: section.index(f">{topics[1].title}<")]
        assert re.findall(r">(Q \d\d\?)<", section) == expected
        assert len(expected) == min(shown, 24)
