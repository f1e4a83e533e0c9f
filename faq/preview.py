"""The admin editor's live preview: the one renderer against the database, bounded in size, with the reading
grade and the hardest sentences shown above it as staff type."""

from django.conf import settings
from django.utils.html import format_html, format_html_join

from . import quality
from .content import Entry
from .kinds import ENGLISH
from .models import current_render_context
from .rendering import RenderError, render_markdown


def render_preview(source: str, language: str = ENGLISH) -> str:
    limit = settings.MARKDOWN_PREVIEW_MAX_CHARS
    if len(source) > limit:
        return f'<p class="preview-error">This text is longer than {limit:,} characters; shorten it to preview.</p>'
    context = current_render_context(language)
    try:
        html = render_markdown(source, context)
    except RenderError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return format_html('<p class="preview-error">Cannot preview{}: {}</p>', where, str(exc))
    return str(grade_panel(source, context.facts)) + html


def grade_panel(source, facts):
    """Flesch-Kincaid and Dale-Chall for the text so far, and its hardest sentences (line numbers count from the
    first line of the text box)."""
    text = quality.plain_text(source, facts)
    if quality.word_count(text) < quality.MIN_GRADED_WORDS:
        return format_html(
            '<div class="preview-grade" role="status"><p>Reading level: write at least {} words to measure it.'
            "</p></div>",
            quality.MIN_GRADED_WORDS,
        )
    grade, score = quality.reading_grade(source, facts), quality.dale_chall(source, facts)
    ok = grade <= quality.MAX_GRADE and score < quality.MAX_DALE_CHALL
    hardest = quality.hardest_sentences(Entry("faq", "", {}, source), facts)
    sentences = format_html_join(
        "", "<li>Line {}: “{}” (grade {})</li>", ((line, s, f"{g:.0f}") for line, g, s in hardest)
    )
    words = ", ".join(quality.hardest_words(text))
    return format_html(
        '<div class="preview-grade {}" role="status"><p><strong>Reading grade {}</strong> (Flesch-Kincaid; '
        "limit {}) · Dale-Chall {} (limit: under {}). {}</p>{}{}</div>",
        "preview-grade-ok" if ok else "preview-grade-high",
        f"{grade:.1f}",
        f"{quality.MAX_GRADE:g}",
        f"{score:.1f}",
        f"{quality.MAX_DALE_CHALL:g}",
        "Good." if ok else "Too hard: use shorter sentences and everyday words.",
        format_html("<p>Hardest sentences:</p><ul>{}</ul>", sentences) if hardest else "",
        format_html("<p>Plainer words for: {}</p>", words) if words and not ok else "",
    )
