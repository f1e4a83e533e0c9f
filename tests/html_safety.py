"""Parse rendered HTML and list anything that could run script or load from another site."""

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "form", "input", "button",
    "textarea", "select", "style", "link", "meta", "base", "video", "audio", "source", "track", "picture",
    "noscript", "template",
}  # fmt: skip
# Attributes that make the browser fetch something (or ping someone) by themselves.
LOADING_ATTRIBUTES = {"srcset", "background", "poster", "ping", "data", "lowsrc", "dynsrc"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "cite"}
IMAGE_PREFIXES = ("/static/", "/media/")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20]")


def _browser_view(value):
    """The URL as a browser reads it: no tabs, newlines or spaces inside, backslashes as slashes."""
    return _IGNORED_BY_BROWSERS.sub("", value).replace("\\", "/").lower()


def _site_image(value):
    path = posixpath.normpath(unquote(urlsplit(value).path))
    return value.startswith("/") and not value.startswith("//") and path.startswith(IMAGE_PREFIXES)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            seen = _browser_view(value or "")
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.found.append(f"{tag}[{name}]")
            if name in LOADING_ATTRIBUTES:
                self.found.append(f"{tag}[{name} loads {seen[:40]}]")
            if name in URL_ATTRIBUTES:
                if seen.startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"{tag}[{name}={seen[:30]}]")
                if seen.startswith("//"):
                    self.found.append(f"{tag}[{name} protocol-relative]")
                if name == "src" and not _site_image(seen):
                    self.found.append(f"{tag}[src outside /static/ and /media/: {seen[:40]}]")


def dangerous_parts(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found
