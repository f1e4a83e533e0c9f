import pytest

from faq.rendering import RenderContext, RenderError, render_markdown, sanitise
from tests.html_safety import dangerous_parts

CONTEXT = RenderContext(facts={"hours": "9 to 19 hours"}, faq_urls={"alpha": "/faq/alpha/"})


def render(text):
    return render_markdown(text, CONTEXT)


def test_fact_token_inserts_the_fact_value():
    assert render("You get {{ fact:hours }} of care.") == "<p>You get 9 to 19 hours of care.</p>\n"


def test_unknown_fact_raises_with_line():
    with pytest.raises(RenderError, match="unknown fact 'nope'") as caught:
        render("One.\n\n{{ fact:nope }}")
    assert caught.value.line == 3


def test_faq_link_resolves_to_the_page_address():
    assert '<a href="/faq/alpha/" rel="noopener noreferrer">Alpha</a>' in render("[Alpha](faq:alpha)")


def test_unknown_faq_link_raises():
    with pytest.raises(RenderError, match="unknown FAQ 'faq:beta'"):
        render("[Beta](faq:beta)")


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html,<script>alert(1)</script>)",
        '<a href="https://x.example" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed">x</p>',
        "<svg onload=alert(1)>",
        "<form action=https://evil.example><input></form>",
    ],
)
def test_nothing_executable_survives(source):
    assert dangerous_parts(render(source)) == []


def test_remote_images_are_dropped_but_site_images_kept():
    html = render("![pixel](https://tracker.example/p.gif) ![logo](/static/img/logo.png)")
    assert "tracker.example" not in html
    assert '<img src="/static/img/logo.png" alt="logo">' in html


def test_image_path_traversal_out_of_static_is_dropped():
    assert "src=" not in render("![x](/static/../admin/x.png)")


def test_protocol_relative_links_are_dropped():
    assert "href" not in render("[x](//evil.example/)")


def test_http_links_are_dropped_https_mailto_tel_kept():
    html = render("[a](http://plain.example/) [b](https://ok.example/) [c](mailto:a@b.example) [d](tel:988)")
    assert "plain.example" not in html
    assert 'href="https://ok.example/"' in html
    assert 'href="mailto:a@b.example"' in html
    assert 'href="tel:988"' in html


def test_h1_in_a_body_becomes_h2():
    assert render("# Big") == "<h2>Big</h2>\n"


def test_tables_render():
    assert "<table>" in render("| a | b |\n|---|---|\n| 1 | 2 |")


@pytest.mark.parametrize(
    "html",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed">x</p>',
        "<svg onload=alert(1)></svg>",
        '<img src="https://tracker.example/p.gif">',
    ],
)
def test_sanitiser_strips_raw_html_attacks(html):
    assert dangerous_parts(sanitise(html)) == []


def test_the_safety_check_itself_detects_a_handler():
    assert dangerous_parts('<img src="/static/x.png" onerror="alert(1)">') == ["img[onerror]"]
