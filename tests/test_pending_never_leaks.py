"""A change waiting for review never reaches readers: with several in place (an answer, a fact, a new question, a
deletion, the phone number, a topic's title) and staff having looked at every page (staff see waiting changes),
every public address, asked twice by an anonymous reader (the second from the page cache), shows none of it.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from faq.models import FAQ, Fact, Revision, SiteInfo, Topic
from faq.validation import deletion_problems
from tests.admin_forms import ids, post_change, saved
from tests.conftest import SOURCE_AND_REVIEWER, faq_text, sitemap_xml

CHANGED = "gamma"
NEW_SLUG = "can-i-bring-my-dog-to-group"
# Made-up words, one per waiting change, so a leak names the change that leaked.
MARKERS = {
    "question": "Quorrin",
    "summary": "Brindlemoor",
    "answer": "Marrowfen",
    "fact": "Tamberlake",
    "new question": "Snorvel",
    "topic": "Vantorra",
}
NEW_PHONE, NEW_PHONE_DIGITS = "(617) 555-0199", "6175550199"


@pytest.fixture
def two_topics(db, site_content, write, settings):
    """The small site (tests/conftest.py) with a second topic of two more questions, loaded with every check on."""
    write("topics/costs.md", "---\nslug: costs\ntitle: Costs\ndescription: What it costs.\norder: 2\n---\n")
    for slug, related in (("delta", ["alpha", "beta"]), ("epsilon", ["alpha", "delta"])):
        text = faq_text(slug, topic="costs", related=related, extra=SOURCE_AND_REVIEWER, reviewed="2026-11-20")
        write(f"faqs/{slug}.md", text)
    gamma = faq_text(
        "gamma", related=["alpha", "beta", "delta", "epsilon"], extra=SOURCE_AND_REVIEWER, reviewed="2026-11-20"
    )
    write("faqs/gamma.md", gamma)
    settings.CONTENT_CHECKS_ON_LOAD = True
    call_command("load_content", path=site_content, stdout=io.StringIO())


@pytest.fixture
def waiting(two_topics, staff):
    """One waiting change of each sort, made in the admin as staff make them; returns the answer to be deleted."""
    changed = FAQ.objects.get(slug=CHANGED)
    saved(
        post_change(
            staff,
            changed,
            question=f"What is gamma near {MARKERS['question']}?",
            summary=f"{changed.summary} Ask {MARKERS['summary']}.",
            body=f"{changed.body}\n\nYou can also call {MARKERS['answer']} at any time.",
        )
    )
    fact = Fact.objects.get(key="weekly-hours")  # alpha's answer shows it
    saved(post_change(staff, fact, value=f"{fact.value} in {MARKERS['fact']}"))
    others = list(FAQ.objects.published().exclude(slug=CHANGED).values_list("slug", flat=True)[:2])
    new = {
        "question": f"Can I bring {MARKERS['new question']} my dog to group?",
        "slug": NEW_SLUG,
        "summary": "Service dogs are welcome. Pets stay home.",
        "topic": changed.topic.slug,
        "status": "published",
        "order": "99",
        "review_months": "12",
        "related": ids(*others),
        "also_listed_on": ids(CHANGED),
        "sources": "ADA | https://www.ada.gov/resources/service-animals-2010-requirements/",
        "body": f"Service dogs are welcome. Pets stay home. Ask us about {MARKERS['new question']}.",
        "aliases": "",
    }
    saved(staff.post("/admin/faq/faq/add/", new))
    deletable = next(faq for faq in FAQ.objects.published().exclude(slug=CHANGED) if not deletion_problems(faq).errors)
    assert staff.post(f"/admin/faq/faq/{deletable.pk}/delete/", {"post": "yes"}).status_code == 302
    saved(post_change(staff, SiteInfo.objects.get(), phone=NEW_PHONE))
    topic = changed.topic
    saved(post_change(staff, topic, title=f"{topic.title} {MARKERS['topic']}"))
    waiting = Revision.objects.pending()
    assert sorted(waiting.values_list("kind", "action")) == [
        ("fact", "change"), ("faq", "change"), ("faq", "change"), ("faq", "delete"), ("site", "change"),
        ("topic", "change"),
    ]  # fmt: skip
    assert waiting.filter(object_id=None).count() == 1  # the new question
    return deletable


def public_addresses():
    topics = Topic.objects.filter(faqs__status=FAQ.Status.PUBLISHED).distinct()
    words = [*MARKERS.values(), "dog", NEW_PHONE_DIGITS]
    return [
        "/",
        "/faq/",
        *(f"/faq/topics/{topic.slug}/" for topic in topics),
        *(faq.get_absolute_url() for faq in FAQ.objects.published()),
        f"/faq/{NEW_SLUG}/",
        *(f"/search/?q={word}" for word in words),
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-faqs.xml",
        "/robots.txt",
        "/faq/no-such-page/",
    ]


def leaks(text):
    found = [name for name, word in MARKERS.items() if word.lower() in text.lower()]
    if NEW_PHONE in text or NEW_PHONE_DIGITS in re.sub(r"\D", "", text):
        found.append("phone")
    if NEW_SLUG in text:
        found.append("new question's address")
    return found


def asked_removed(text, address):
    path, _, query = address.partition("?q=")
    for asked in (path, query):
        if asked:
            text = re.sub(re.escape(asked), "", text, flags=re.IGNORECASE)
    return text


def structured_data(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    ]


def test_no_public_page_shows_a_waiting_change_to_an_anonymous_reader_even_after_staff_saw_it(waiting, staff):
    addresses = public_addresses()
    assert len(addresses) > 15
    for address in addresses:  # staff see the waiting versions; their pages must not be kept for readers
        staff.get(address)
    assert "Marrowfen" in staff.get(f"/faq/{CHANGED}/").content.decode()

    reader = Client()
    found, from_cache = {}, set()
    for attempt in ("first", "second (cached)"):
        for address in addresses:
            response = reader.get(address)
            assert not response.cookies, address
            if attempt != "first" and response.context is None:  # no template ran: the page cache answered
                from_cache.add(address)
            # The 404 page and the search page repeat what was asked for; that is not a leak.
            text = asked_removed(response.content.decode(), address)
            blocks = " ".join(json.dumps(block) for block in structured_data(text))
            problems = leaks(text) + [f"JSON-LD: {name}" for name in leaks(blocks)]
            if address.startswith("/search/") and response.context is not None and response.context["result"].hits:
                problems.append(f"search hits: {[hit.faq.slug for hit in response.context['result'].hits]}")
            if problems:
                found[f"{address} ({attempt})"] = problems
    assert found == {}
    assert {"/", "/faq/", *(faq.get_absolute_url() for faq in FAQ.objects.published())} <= from_cache


def test_readers_still_see_the_approved_versions_while_the_changes_wait(waiting, client):
    changed = FAQ.objects.get(slug=CHANGED)
    page = client.get(f"/faq/{CHANGED}/").content.decode()
    assert changed.question in page and "Waiting for review" not in page
    assert SiteInfo.objects.get().phone in page
    assert client.get(f"/faq/{NEW_SLUG}/").status_code == 404
    assert client.get(waiting.get_absolute_url()).status_code == 200  # its deletion waits too
    assert waiting.get_absolute_url() in sitemap_xml(client)
    assert waiting.question in client.get("/faq/").content.decode()


def test_the_leak_check_finds_a_change_once_it_is_approved(waiting, staff, client):
    """The same check sees the words once a reviewer approves: it is not blind to them."""
    changed = FAQ.objects.get(slug=CHANGED)
    revision = Revision.objects.pending().get(kind="faq", object_id=changed.pk)
    staff.post(f"/admin/faq/revision/{revision.pk}/change/", {"step": "approve"})
    page = client.get(f"/faq/{CHANGED}/").content.decode()
    assert {"question", "summary", "answer"} <= set(leaks(page))
    assert "question" in leaks(" ".join(json.dumps(block) for block in structured_data(page)))
    results = client.get("/search/?q=Marrowfen").content.decode()
    assert changed.get_absolute_url() in results
