"""The staff guide, docs/staff-guide.md, as a page of the admin, rendered by the site's one sanitising renderer.

The guide names its pictures relative to docs/ (../static/staff-guide/NAME.png) so they show on GitHub too; the
page points them at the static files instead (hashed names in production).
"""

import re

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from .rendering import RenderContext, render_markdown

GUIDE = settings.BASE_DIR / "docs" / "staff-guide.md"
IMAGE_RE = re.compile(r"\]\(\.\./static/(staff-guide/[a-z0-9-]+\.png)\)")


class _FactTokensAsWritten(dict):
    """The guide shows how to write a fact token; it refers to no fact, so each token stays as it is written."""

    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return f"{{{{ fact:{key} }}}}"


def guide_html(text):
    """The guide as safe HTML: its pictures at their static addresses, its own title left to the page."""
    text = re.sub(r"\A# [^\n]*\n", "", text)  # the admin page has its own <h1>
    text = IMAGE_RE.sub(lambda match: f"]({static(match.group(1))})", text)
    return render_markdown(text, RenderContext(facts=_FactTokensAsWritten()))


@require_safe
def staff_guide(request):
    context = {
        **admin.site.each_context(request),
        "title": "Staff guide",
        "guide": guide_html(GUIDE.read_text(encoding="utf-8")),
    }
    return TemplateResponse(request, "admin/staff_guide.html", context)
