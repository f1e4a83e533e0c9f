"""Readers are not tracked: public pages set no cookies, load nothing from another origin, and logs keep no
full client address."""

import contextlib
import io
import logging
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from iop_site.log_filters import truncate_ips

ORIGIN = "http://testserver"
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


class _Resources(HTMLParser):
    """Everything a page makes the browser load by itself (not links a reader may follow)."""

    def __init__(self):
        super().__init__()
        self.urls, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("rel") not in {"canonical", "alternate"}:
            self.urls.append(attrs.get("href", ""))
        for name in ("src", "poster", "data", "background"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])
        self.urls += [m[0] or m[1] for m in CSS_URL.findall(attrs.get("style") or "")]


def foreign(url, base):
    absolute = urljoin(base, url)
    parts = urlsplit(absolute)
    return parts.scheme not in {"data"} and f"{parts.scheme}://{parts.netloc}" != ORIGIN


def public_pages(client):
    """Home, index, every FAQ reachable by links, a 404, and search if the site has it: in English and Spanish."""
    pages, queue = {}, ["/", "/faq/", "/faq/no-such-page/", "/es/", "/es/preguntas/", "/es/no-existe/"]
    with contextlib.suppress(NoReverseMatch):
        queue += [reverse("faq:search") + "?q=therapy", "/es/buscar/?q=terapia"]
    while queue:
        path = queue.pop()
        if path in pages:
            continue
        pages[path] = response = client.get(path)
        parser = _Resources()
        parser.feed(response.content.decode())
        pages[path].resources = parser.urls
        queue += [href for href in parser.links if href.startswith(("/faq/", "/es/")) and "#" not in href]
    return pages


@pytest.fixture
def crawled(client, db, settings):
    call_command("load_content", path=settings.CONTENT_DIR, stdout=io.StringIO())
    return public_pages(client)


def test_crawl_reaches_every_published_faq_and_the_404(crawled):
    from faq.models import FAQ

    for faq in FAQ.objects.published():
        assert crawled[faq.get_absolute_url()].status_code == 200
    assert crawled["/faq/no-such-page/"].status_code == crawled["/es/no-existe/"].status_code == 404


def test_public_pages_set_no_cookie(crawled):
    for path, response in crawled.items():
        assert not response.cookies, f"{path} sets {list(response.cookies)}"
        assert "Set-Cookie" not in response.headers, path


def test_public_pages_load_nothing_from_another_origin(crawled):
    for path, response in crawled.items():
        assert response.resources, f"{path} loads nothing at all: the parser is broken"
        assert [url for url in response.resources if foreign(url, ORIGIN + path)] == [], path


def test_stylesheets_load_nothing_from_another_origin_and_set_no_cookie(client, crawled):
    sheets = {url for response in crawled.values() for url in response.resources if url.endswith(".css")}
    assert sheets
    for sheet in sheets:
        response = client.get(sheet)
        assert response.status_code == 200
        assert not response.cookies
        css = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        refs = [m[0] or m[1] for m in CSS_URL.findall(css)]
        assert [url for url in refs if foreign(url, ORIGIN + sheet)] == [], sheet


def test_the_origin_check_flags_other_sites():
    assert foreign("https://fonts.example/x.woff2", ORIGIN + "/")
    assert foreign("//cdn.example/x.js", ORIGIN + "/")
    assert not foreign("/static/css/site.css", ORIGIN + "/")
    assert not foreign("../img/x.svg", ORIGIN + "/static/css/site.css")


def test_log_lines_keep_only_the_network_part_of_an_address():
    assert truncate_ips("Invalid request from ip=203.0.113.77: bad") == "Invalid request from ip=203.0.113.0/24: bad"
    assert truncate_ips("from 2001:db8:abcd:12::7 at 12:30:45") == "from 2001:db8:abcd::/48 at 12:30:45"
    assert truncate_ips("version 1.2.3, 3.14") == "version 1.2.3, 3.14"


@pytest.fixture
def django_log():
    """What Django's configured console handler writes, as a string buffer."""
    handler = logging.getLogger("django").handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_django_logs_no_client_address(client, db, django_log, monkeypatch):
    from django.db import OperationalError, connections

    address = {"REMOTE_ADDR": "203.0.113.77", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    client.get("/faq/no-such-page/", **address)
    client.get("/", HTTP_HOST="evil.example", **address)
    User.objects.create_user("staff", password="pw-for-tests-only", is_staff=True)
    for _ in range(6):
        client.post("/admin/login/", {"username": "staff", "password": "wrong"}, **address)

    def unreachable(*args, **kwargs):
        raise OperationalError("server at 203.0.113.77 is down")

    monkeypatch.setattr(connections["default"], "cursor", unreachable)
    client.get("/faq/", **address)
    monkeypatch.undo()
    logged = django_log.getvalue()
    assert "Not Found: /faq/no-such-page/" in logged and "for host 'evil.example' (not in ALLOWED_HOSTS)" in logged
    assert "AXES: Locking out" in logged and "Database unavailable" in logged
    assert "203.0.113.77" not in logged and "198.51.100.9" not in logged
