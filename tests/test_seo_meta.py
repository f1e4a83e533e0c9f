"""What every page tells a search engine or a link preview: title, description, canonical, Open Graph, trail."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client

from faq.models import FAQ

PUBLIC = ["/", "/faq/", "/faq/alpha/", "/faq/beta/", "/faq/gamma/"]


def head(html):
    return html[: html.index("</head>")]


def meta(html, attribute, name):
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', head(html))
    assert len(found) == 1, f"expected one {name} meta tag, found {found}"
    return unescape(found[0])


def title(html):
    return unescape(re.search(r"<title>(.*?)</title>", html).group(1))


def test_every_public_page_has_a_unique_title(client, loaded):
    titles = [title(client.get(path).content.decode()) for path in [*PUBLIC, "/search/?q=alpha", "/search/"]]
    assert len(set(titles)) == len(titles), titles
    assert all(t.endswith(" | Test Program") for t in titles)


def test_faq_page_title_and_description_are_its_question_and_summary(client, loaded):
    html = client.get("/faq/beta/").content.decode()
    assert title(html) == "What is beta? | Test Program"
    assert meta(html, "name", "description") == "A short summary of beta."


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_have_absolute_canonical_and_open_graph(client, loaded, path):
    html = client.get(path + "?utm_source=mail&q=x").content.decode()
    assert re.findall(r'<link rel="canonical" href="([^"]*)">', html) == [f"https://iop.example.org{path}"]
    assert meta(html, "property", "og:url") == f"https://iop.example.org{path}"
    assert meta(html, "property", "og:title") == title(html).removesuffix(" | Test Program")
    assert meta(html, "property", "og:description") == meta(html, "name", "description") != ""
    assert meta(html, "property", "og:site_name") == "Test Program"
    assert meta(html, "property", "og:type") == ("article" if path.count("/") == 3 else "website")
    assert '<html lang="en">' in html


@pytest.mark.parametrize("path", ["/search/?q=alpha", "/faq/no-such-page/"])
def test_search_and_missing_pages_are_noindex_without_canonical(client, loaded, path):
    html = client.get(path).content.decode()
    assert meta(html, "name", "robots") == "noindex"
    assert 'rel="canonical"' not in html


@pytest.mark.parametrize(
    ("path", "trail"),
    [
        ("/faq/", ["Home", "Questions"]),
        ("/faq/alpha/", ["Home", "Questions", "Basics", "What is alpha?"]),
        ("/search/?q=alpha", ["Home", "Search"]),
        ("/faq/no-such-page/", ["Home", "Page not found"]),
    ],
)
def test_pages_below_home_show_a_breadcrumb_trail(client, loaded, path, trail):
    html = client.get(path).content.decode()
    nav = re.search(r'<nav class="breadcrumbs wrap" aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1)
    assert [unescape(t) for t in re.findall(r"<li>(?:<a [^>]*>|<span [^>]*>)(.*?)<", nav)] == trail


def test_home_is_the_root_of_the_trail_and_shows_none(client, loaded):
    assert 'aria-label="Breadcrumb"' not in client.get("/").content.decode()


def test_staff_draft_preview_is_noindex(client, make_faq):
    make_faq("secret", status=FAQ.Status.DRAFT)
    staff = Client()
    staff.force_login(User.objects.create_user("editor", password="pw-for-tests-only", is_staff=True))
    html = staff.get("/faq/secret/").content.decode()
    assert meta(html, "name", "robots") == "noindex"
