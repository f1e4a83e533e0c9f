"""Site-wide guards: no pending migrations, and every internal link on every public page resolves."""

import io
import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_internal_link_on_every_public_page_resolves(client, settings):
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    seen, queue = set(), ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if "text/html" not in response["Content-Type"]:
            continue
        for href in re.findall(r'href="(/[^"#]*)', response.content.decode()):
            if not href.startswith(("/static/", "/admin/")):
                queue.append(href)
    assert "/faq/" in seen
    assert len([p for p in seen if p.startswith("/faq/") and p != "/faq/"]) >= 5


@pytest.fixture(autouse=True)
def _db(db):
    pass
