"""The XSS corpus through every way markdown becomes HTML: the renderer, the loader and the admin preview."""

import io
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from faq.models import FAQ
from faq.rendering import RenderContext, render_markdown, sanitise
from tests.conftest import faq_text
from tests.html_safety import dangerous_parts
from tests.xss_corpus import PAYLOADS

CORPUS = "\n\n".join(PAYLOADS)
FOREIGN = ("evil.example", "tracker.example")


def test_the_corpus_has_at_least_30_payloads():
    assert len(PAYLOADS) >= 30
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_renderer_leaves_nothing_executable_or_third_party(payload):
    html = render_markdown(payload, RenderContext())
    assert dangerous_parts(html) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_alone_leaves_nothing_executable_or_third_party(payload):
    """Raw HTML straight into the sanitiser (markdown-it already escapes it): the second line of defence."""
    assert dangerous_parts(sanitise(payload)) == []


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<a href="java\tscript:alert(1)">x</a>',
        '<img src="https://tracker.example/p.gif">',
        '<img src="/static/../admin/x.png">',
        '<a href="\\\\evil.example/">x</a>',
        '<img srcset="https://tracker.example/p.gif 1x" src="/static/x.png">',
        '<p style="color:red">x</p>',
    ],
)
def test_the_safety_check_catches_what_it_looks_for(html):
    assert dangerous_parts(html) != []


def test_loader_stores_only_safe_html(db, write, content_dir):
    write("faqs/corpus.md", faq_text("corpus", body=CORPUS))
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    html = FAQ.objects.get(slug="corpus").body_html
    assert dangerous_parts(html) == []
    assert "&lt;script&gt;" in html  # the payloads arrived, as text


@pytest.fixture
def staff_client(client, db):
    client.force_login(User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    return client


@pytest.mark.parametrize("payload", PAYLOADS)
def test_admin_preview_leaves_nothing_executable_or_third_party(staff_client, payload):
    response = staff_client.post("/staff/markdown/preview/", {"content": payload})
    assert response.status_code == 200
    assert dangerous_parts(response.content.decode()) == []


@pytest.mark.parametrize(
    "unit", ["[", "![", "[a](", "*a **b ", "> "], ids=["brackets", "images", "open-links", "emphasis", "quotes"]
)
def test_admin_preview_of_100kb_pathological_input_finishes_within_the_worker_timeout(staff_client, settings, unit):
    """markdown-it-py is linear (Python-Markdown took 13 s on 16 KB of brackets); bench/preview_worst_case.py
    measures it. The bound here is gunicorn's worker timeout: a quadratic renderer would take minutes."""
    text = (unit * 100_000)[: settings.MARKDOWN_PREVIEW_MAX_CHARS]
    started = time.perf_counter()
    response = staff_client.post("/staff/markdown/preview/", {"content": text})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert "longer than" not in response.content.decode()
    assert elapsed < 30, f"{elapsed:.1f} s to preview {len(text):,} characters"
