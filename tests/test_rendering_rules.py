"""The renderer's rules one by one: which attributes, addresses and links survive, and the words html_to_text
reads. Each test pins a rule that mutation testing (`make mutation`) showed no other test held."""

import pytest

from faq.rendering import RenderContext, RenderError, _site_path, html_to_text, render_markdown, sanitise

CONTEXT = RenderContext(facts={"hours": "9 to 19 hours"}, faq_urls={"alpha": "/faq/alpha/"}, hidden_faqs={"draft"})
ALPHA = '<a href="/faq/alpha/" rel="noopener noreferrer">Alpha</a>'


def render(text):
    return render_markdown(text, CONTEXT)


# --- links ---------------------------------------------------------------------------------------------------


def test_an_in_page_anchor_link_keeps_its_address():
    assert render("[Back to the top](#top)") == '<p><a href="#top" rel="noopener noreferrer">Back to the top</a></p>\n'


@pytest.mark.parametrize(
    "href",
    [
        "/\\evil.example/",  # browsers read "/\" as "//": another site
        "/faq/a\\b/",
        "///evil.example/",  # browsers skip the extra slashes: another site
        "/\t/evil.example/",  # browsers drop the tab: "//evil.example/"
        "other-page/",  # relative to wherever the page is: not a site path
    ],
    ids=["slash-backslash", "backslash-inside", "three-slashes", "slash-tab-slash", "relative"],
)
def test_a_link_that_is_not_a_plain_site_path_loses_its_address(href):
    assert sanitise(f'<a href="{href}">x</a>') == '<a rel="noopener noreferrer">x</a>'


def test_a_plain_site_path_link_keeps_its_address():
    assert (
        sanitise('<a href="/faq/alpha/#costs">x</a>') == '<a href="/faq/alpha/#costs" rel="noopener noreferrer">x</a>'
    )


@pytest.mark.parametrize(
    ("value", "path"),
    [("/faq/x/", "/faq/x/"), ("/faq/x", "/faq/x"), ("/", "/"), ("/a/../b", "/b"), ("/static/./x/", "/static/x/")],
)
def test_a_site_path_is_normalised_and_keeps_its_trailing_slash(value, path):
    assert _site_path(value) == path


@pytest.mark.parametrize("value", ["//evil.example/", "https://evil.example/", "faq/x/", "/a\\b"])
def test_anything_but_a_site_path_has_no_normalised_path(value):
    assert _site_path(value) is None


# --- links to other answers ----------------------------------------------------------------------------------


def test_a_link_to_a_draft_answer_shows_its_words_and_the_next_links_still_work():
    html = render("[Draft](faq:draft) and [Alpha](faq:alpha) and [b](https://b.example/)")
    assert html == f'<p>Draft and {ALPHA} and <a href="https://b.example/" rel="noopener noreferrer">b</a></p>\n'


def test_a_link_to_a_draft_answer_leaves_the_next_ordinary_link_closed_where_it_ends():
    html = render("[Draft](faq:draft) then [b](https://b.example/) and more.")
    assert html == '<p>Draft then <a href="https://b.example/" rel="noopener noreferrer">b</a> and more.</p>\n'


def test_a_link_to_a_draft_answer_keeps_the_emphasis_inside_it():
    assert render("[**Draft**](faq:draft) then [Alpha](faq:alpha) more") == (
        f"<p><strong>Draft</strong> then {ALPHA} more</p>\n"
    )


def test_a_link_to_a_draft_answer_keeps_code_written_inside_it():
    assert render("[`intake`](faq:draft) form") == "<p><code>intake</code> form</p>\n"


def test_a_link_to_an_answer_ends_where_its_words_end():
    assert render("See [Alpha](faq:alpha) for more.") == f"<p>See {ALPHA} for more.</p>\n"


def test_an_unknown_answer_link_names_the_line_it_is_on():
    with pytest.raises(RenderError, match="unknown FAQ 'faq:nope'") as caught:
        render("One.\n\nTwo\n[x](faq:nope) three\nfour")
    assert caught.value.line == 3


def test_an_unknown_fact_names_its_own_line_not_the_last_one():
    with pytest.raises(RenderError) as caught:
        render("\nOne\n{{ fact:nope }}\nTwo\n")
    assert str(caught.value) == "unknown fact 'nope' in {{ fact:nope }}"
    assert caught.value.line == 3


# --- headings --------------------------------------------------------------------------------------------------


def test_only_a_top_level_heading_moves_down_a_level():
    assert render("# One\n\n## Two\n\n### Three") == "<h2>One</h2>\n<h2>Two</h2>\n<h3>Three</h3>\n"


# --- attributes ------------------------------------------------------------------------------------------------


def test_an_image_keeps_a_width_and_height_of_up_to_four_digits():
    html = sanitise('<img src="/static/x.png" alt="x" width="40" height="1234">')
    assert html == '<img src="/static/x.png" alt="x" width="40" height="1234">'


@pytest.mark.parametrize("size", ["40px", "4x", "12345", "-1", ""])
def test_an_image_keeps_no_width_or_height_that_is_not_a_short_number(size):
    html = sanitise(f'<img src="/static/x.png" width="{size}" height="{size}">')
    assert html == '<img src="/static/x.png">'


def test_a_numbered_list_keeps_where_it_starts():
    assert render("3. three\n4. four") == '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'
    assert sanitise('<ol start="123456"><li>a</li></ol>') == '<ol start="123456"><li>a</li></ol>'


@pytest.mark.parametrize("start", ["1234567", "3a", "-2"])
def test_a_numbered_list_keeps_no_start_that_is_not_a_short_number(start):
    assert sanitise(f'<ol start="{start}"><li>a</li></ol>') == "<ol><li>a</li></ol>"


def test_tags_outside_the_allowlist_are_removed_and_their_words_kept():
    assert sanitise("<h1>Big</h1><span>s</span><div>d</div><u>u</u>") == "Bigsdu"


def test_attributes_outside_the_allowlist_are_removed():
    html = sanitise('<a href="https://x.example/" hreflang="en" target="_blank">a</a><abbr class="c">A</abbr>')
    assert html == '<a href="https://x.example/" rel="noopener noreferrer">a</a><abbr>A</abbr>'


def test_an_html_comment_does_not_reach_the_page():
    assert sanitise("a<!-- a note for writers -->b") == "ab"


# --- the words a reader sees ---------------------------------------------------------------------------------


def test_html_to_text_puts_a_space_between_blocks_but_not_inside_words():
    assert html_to_text("<h2>One</h2><p>Two <strong>b</strong>old</p><ul><li>x</li><li>y</li></ul>") == (
        "One Two bold x y"
    )
    assert html_to_text("<p>a<em>b</em><code>c</code>d</p><p>e</p>") == "abcd e"


def test_html_to_text_reads_entities_as_the_characters_readers_see():
    assert html_to_text("<p>Tom &amp; Jerry &lt;3</p>") == "Tom & Jerry <3"


def test_html_to_text_reads_each_entity_once_so_written_out_markup_stays_as_written():
    assert html_to_text("<p>Write &amp;lt; for the sign &lt;</p>") == "Write &lt; for the sign <"


def test_html_to_text_of_nothing_is_empty():
    assert html_to_text(None) == ""
    assert html_to_text("") == ""


def test_no_attribute_is_allowed_on_every_tag():
    html = sanitise('<p title="t" lang="en" dir="rtl">Words</p><a href="https://example.org/" lang="en">x</a>')
    assert html == '<p>Words</p><a href="https://example.org/" rel="noopener noreferrer">x</a>'
