import datetime
import io
import re
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command

from faq.models import FAQ, Fact, Topic
from tests.admin_forms import editor, reviewer, staff  # noqa: F401  (staff clients for any test)
from tests.browser_support import browser, open_page  # noqa: F401  (Chromium fixtures for any test)


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty page cache (versions restart when a test's transaction rolls back), and with
    the per-process fault state fresh: no cache circuit breaker open, no outage log line just written."""
    from django.core.cache import caches

    from faq.caching import reset_breakers
    from faq.middleware import reset_outage_log

    for cache in caches.all():
        cache.clear()
    reset_breakers()
    reset_outage_log()


@pytest.fixture
def write(tmp_path):
    """Write a file under a temporary content folder: write("faqs/x.md", text) -> Path."""

    def _write(relative, text, *, raw=False):
        path = tmp_path / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw:
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def faq_text(
    slug, *, question=None, topic="basics", related=(), body="An answer.", extra="", summary=None, reviewed="2026-01-15"
):
    """An FAQ file. A later `reviewed` is a new review stamp: a changed answer that carries one is published on
    load; without one it waits for a clinical reviewer."""
    related_yaml = "".join(f"\n- {r}" for r in related) if related else " []"
    return (
        f"---\nquestion: {question or 'What is ' + slug.replace('-', ' ') + '?'}\nslug: {slug}\n"
        f"summary: {summary or 'A short summary of ' + slug + '.'}\ntopic: {topic}\nrelated:{related_yaml}\n"
        f"order: 10\nreviewed: {reviewed}\n{extra}---\n\n{body}\n"
    )


@pytest.fixture
def content_dir(write, tmp_path):
    """A small valid content folder: one topic, two facts, three linked FAQs and the site file."""
    write("topics/basics.md", "---\nslug: basics\ntitle: Basics\ndescription: The basics.\norder: 1\n---\n")
    write("facts/weekly-hours.md", "---\nkey: weekly-hours\nlabel: Hours\nvalue: 9 to 19 hours a week\norder: 1\n---\n")
    write("facts/schedule.md", "---\nkey: schedule\nlabel: Schedule\nvalue: 3 days a week\norder: 2\n---\n")
    write("faqs/alpha.md", faq_text("alpha", related=["beta"], body="Alpha takes {{ fact:weekly-hours }}."))
    write("faqs/beta.md", faq_text("beta", related=["alpha"], body="See [alpha](faq:alpha)."))
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"]))
    write(
        "site.md",
        "---\nname: Test Program\nphone: (617) 555-0142\naddress: 1 Test St\nhours: Weekdays\n"
        "intake:\n- Call us.\n---\n\nWelcome to {{ fact:schedule }}.\n",
    )
    return tmp_path / "content"


SOURCE_AND_REVIEWER = (
    "reviewer: Dana Ortiz, LCSW\nsources:\n- title: NIMH, Psychotherapies\n"
    "  url: https://www.nimh.nih.gov/health/topics/psychotherapies\n"
)


@pytest.fixture
def site_content(content_dir, write):
    """The small folder above, made to pass every content check as well (what staff edits must keep passing):
    each FAQ has a reviewer, a source and two related FAQs, another page links to it, and the search words name
    the crisis answer."""
    write("faqs/alpha.md", faq_text("alpha", related=["beta", "gamma"], body="Alpha takes {{ fact:weekly-hours }}.",
                                    extra=SOURCE_AND_REVIEWER, reviewed="2026-11-20"))  # fmt: skip
    write("faqs/beta.md", faq_text("beta", related=["alpha", "gamma"], body="See [alpha](faq:alpha).",
                                   extra=SOURCE_AND_REVIEWER, reviewed="2026-11-20"))  # fmt: skip
    write(
        "faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], extra=SOURCE_AND_REVIEWER, reviewed="2026-11-20")
    )
    write("search.md", "---\ncrisis_terms:\n- suicide\ncrisis_answer: gamma\nsynonyms:\n- money = cost pay\n---\n")
    return content_dir


def spanish_faq_text(slug, translates, *, related, body, question=None, extra="", reviewed="2026-11-20"):
    """A Spanish FAQ file in content/es/faqs/ that translates the English FAQ `translates`."""
    related_yaml = "".join(f"\n- {r}" for r in related)
    return (
        f"---\nquestion: {question or '¿Qué es ' + slug + '?'}\nslug: {slug}\ntranslation_of: {translates}\n"
        f"summary: Un resumen corto de {slug}.\ntopic: basicos\nrelated:{related_yaml}\norder: 10\n"
        f"reviewed: {reviewed}\n{SOURCE_AND_REVIEWER}{extra}---\n\n{body}\n"
    )


@pytest.fixture
def spanish_content(site_content, write):
    """site_content with a Spanish translation of each topic, answer and the site file and of one fact (the other
    shows in English), each stamped as matching the English (`translation_status --stamp`, as a writer would),
    passing every content check."""
    write("es/topics/basicos.md", "---\nslug: basicos\ntranslation_of: basics\ntitle: Lo básico\n"
          "description: Lo que hay que saber.\norder: 1\n---\n")  # fmt: skip
    write("es/facts/weekly-hours.md", "---\nkey: weekly-hours\nlabel: Horas\nvalue: de 9 a 19 horas por semana\n"
          "order: 1\n---\n")  # fmt: skip
    write("es/faqs/alfa.md", spanish_faq_text("alfa", "alpha", related=["beta", "gama"],
          body="Alfa toma {{ fact:weekly-hours }}. Vea [beta](faq:beta)."))  # fmt: skip
    write("es/faqs/beta.md", spanish_faq_text("beta", "beta", related=["alfa", "gama"], body="Vea [alfa](faq:alfa)."))
    write("es/faqs/gama.md", spanish_faq_text("gama", "gamma", related=["alfa", "beta"], body="Una respuesta."))
    write("es/site.md", "---\nname: Programa de prueba\nphone: (617) 555-0142\naddress: 1 Test St\n"
          "hours: De lunes a viernes\nintake:\n- Llámenos.\n---\n\nBienvenido.\n")  # fmt: skip
    paths = [site_content / "es" / name for name in ("topics/basicos.md", "facts/weekly-hours.md", "faqs/alfa.md",
                                                       "faqs/beta.md", "faqs/gama.md", "site.md")]  # fmt: skip
    call_command("translation_status", stamp=paths, path=site_content, stdout=io.StringIO())
    return site_content


@pytest.fixture
def spanish_loaded(db, spanish_content, settings):
    """spanish_content loaded with the content checks on."""
    settings.CONTENT_CHECKS_ON_LOAD = True
    call_command("load_content", path=spanish_content, stdout=io.StringIO())
    return spanish_content


@pytest.fixture
def site_loaded(db, site_content, settings):
    """site_content loaded with the content checks on, as a real site is."""
    settings.CONTENT_CHECKS_ON_LOAD = True
    call_command("load_content", path=site_content, stdout=io.StringIO())
    return site_content


@pytest.fixture
def loaded(db, content_dir):
    # The tiny folder above tests loading, not writing: it skips the editorial checks (tests/test_content_checks.py).
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    return content_dir


@pytest.fixture
def make_faq(db):
    """Create an FAQ straight in the database (as the admin would), with a topic if none is given."""
    counter = iter(range(10_000))

    def _make(slug=None, *, topic=None, status=FAQ.Status.PUBLISHED, body="An answer.", **fields):
        n = next(counter)
        topic = (
            topic
            or Topic.objects.get_or_create(
                slug="general", defaults={"title": "General", "description": "General questions.", "order": 1}
            )[0]
        )
        return FAQ.objects.create(
            question=fields.pop("question", f"Question {n}?"),
            slug=slug or f"question-{n}",
            summary=fields.pop("summary", f"Summary {n}."),
            topic=topic,
            reviewed=fields.pop("reviewed", datetime.date(2026, 1, 1)),
            status=status,
            body=body,
            **fields,
        )

    return _make


@pytest.fixture
def fact(db):
    def _fact(key="hours", value="9 to 19 hours a week", **fields):
        return Fact.objects.create(key=key, label=fields.pop("label", key.title()), value=value, **fields)

    return _fact


REPO = Path(__file__).resolve().parent.parent
SITE = "https://iop.example.org"  # SITE_URL in the test settings


def sitemap_sections(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return re.findall(r"<loc>(.*?)</loc>", response.content.decode())


def sitemap_xml(client):
    """Every section page of the sitemap index, as one text."""
    pages = []
    for address in sitemap_sections(client):
        response = client.get(address.removeprefix(SITE))
        assert response.status_code == 200, address
        pages.append(response.content.decode())
    return "\n".join(pages)


@pytest.fixture
def real_content(transactional_db, settings):
    """The shipped content/ loaded into the database, for browser tests on the live server."""
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    return FAQ.objects.published()
