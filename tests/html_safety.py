"""Parse rendered HTML and list anything that could run script or load from another site."""

from html.parser import HTMLParser

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "style",
    "link",
    "meta",
    "base",
}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src", "action", "xlink:href"}:
                if value.replace("\t", "").replace("\n", "").startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"{tag}[{name}={value[:30]}]")
                if name == "src" and not value.startswith("/"):
                    self.found.append(f"{tag}[src from another site: {value[:40]}]")
                if value.startswith("//"):
                    self.found.append(f"{tag}[{name} protocol-relative]")


def dangerous_parts(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found
