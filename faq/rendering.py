"""The one renderer: markdown (CommonMark) to sanitised HTML, for the loader, the pages and the admin preview.

Pure: it renders against a RenderContext (fact values, FAQ addresses) that the caller builds; it never reads
the database.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt

from .kinds import FACT_TOKEN_RE

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "blockquote", "ul", "ol", "li", "a", "abbr",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "sup", "sub", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": set(),  # no attribute on every tag: nh3 would otherwise let `title` and `lang` through anywhere
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
}
LINK_SCHEMES = {"https", "mailto", "tel"}
IMAGE_PREFIXES = ("/static/", "/media/")

# The markdown dialect of every body; the content checks parse with the same one to find the words readers see.
markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


class RenderError(ValueError):
    """A body refers to a fact or FAQ that does not exist; `line` counts from the body's first line."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


@dataclass
class RenderContext:
    """What a body may refer to: fact values by key, public FAQ addresses by slug (aliases included), and the
    slugs of FAQs readers cannot see (drafts), whose links show as plain words until they are published."""

    facts: dict = field(default_factory=dict)
    faq_urls: dict = field(default_factory=dict)
    hidden_faqs: set = field(default_factory=set)


def _site_path(value):
    """Return the normalised path if value is a same-site path ('/x', not '//host'), else None."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    path = posixpath.normpath(unquote(parts.path))
    return path + ("/" if parts.path.endswith("/") and path != "/" else "")


def _link_href(value):
    if value.startswith("#") or _site_path(value) is not None:
        return value  # a place on this page, or a page of this site
    return value if urlsplit(value).scheme.lower() in LINK_SCHEMES else None


def _image_src(value):
    path = _site_path(value)
    return value if path is not None and path.startswith(IMAGE_PREFIXES) else None


def _digits(value, limit):
    return value if value.isdigit() and len(value) <= limit else None


_ATTRIBUTE_FILTERS = {
    ("a", "href"): _link_href,
    ("img", "src"): _image_src,
    ("img", "width"): partial(_digits, limit=4),
    ("img", "height"): partial(_digits, limit=4),
    ("ol", "start"): partial(_digits, limit=6),
}


def _filter_attribute(tag, attribute, value):
    check = _ATTRIBUTE_FILTERS.get((tag, attribute))
    return check(value) if check else value


def sanitise(html: str) -> str:
    """Strip everything but the allowlist: no script, handlers, style, frames, forms or foreign images."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _substitute_facts(source, facts):
    def replace(match):
        key = match.group(1)
        if key not in facts:
            line = source.count("\n", 0, match.start()) + 1
            raise RenderError(f"unknown fact '{key}' in {match.group(0)}", line)
        return facts[key]

    return FACT_TOKEN_RE.sub(replace, source)


def render_markdown(source: str, context: RenderContext) -> str:
    """Turn a body into safe HTML, resolving {{ fact:KEY }} tokens and faq:SLUG links; raise RenderError."""
    tokens = markdown.parse(_substitute_facts(source, context.facts))
    for block in tokens:
        if block.type in {"heading_open", "heading_close"} and block.tag == "h1":
            block.tag = "h2"  # the page template owns the only <h1>
        _resolve_faq_links(block, context)
    return sanitise(markdown.renderer.render(tokens, markdown.options, {}))


def _resolve_faq_links(block, context):
    """faq:SLUG links become the FAQ's address; links to an FAQ readers cannot see become their words."""
    unlink = False
    for token in block.children or ():
        if token.type == "link_close" and unlink:
            token.type, token.tag, unlink = "text", "", False
        elif token.type == "link_open" and (token.attrGet("href") or "").startswith("faq:"):
            unlink = _resolve_faq_link(token, block, context)


def _resolve_faq_link(token, block, context):
    """Point one faq:SLUG link at its FAQ; return True if it must become plain words (a draft)."""
    slug = token.attrGet("href")[4:]
    if slug in context.faq_urls:
        token.attrSet("href", context.faq_urls[slug])
        return False
    if slug in context.hidden_faqs:
        token.type, token.tag, token.attrs = "text", "", {}  # the words stay, unlinked
        return True
    raise RenderError(f"link to unknown FAQ 'faq:{slug}'", block.map[0] + 1 if block.map else None)


# --- HTML back to the words a reader sees ------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th",
    "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html):
    """The words a reader sees in sanitised HTML, as one line of plain text (search index, structured data)."""
    collector = _TextCollector()  # it turns &amp; and the like into their characters, once
    collector.feed(html or "")
    collector.close()
    return " ".join("".join(collector.parts).split())
