"""The admin editor's live preview: the one renderer against the database, bounded in size, with the reading
grade and the hardest sentences shown above it as staff type."""

from django.conf import settings
from django.utils.html import format_html, format_html_join

from . import quality
from .content import Entry
from .kinds import ENGLISH, SPANISH
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
    return str(grade_panel(source, context.facts, language)) + html


def grade_panel(source, facts, language=ENGLISH):
    """The reading level of the text so far, by the language's measures, and its hardest sentences (line numbers
    count from the first line of the text box)."""
    text = quality.plain_text(source, facts)
    if quality.word_count(text) < quality.MIN_GRADED_WORDS:
        return format_html(
            '<div class="preview-grade" role="status"><p>Reading level: write at least {} words to measure it.'
            "</p></div>",
            quality.MIN_GRADED_WORDS,
        )
    problems = quality.reading_problems(text, language)
    measured = (
        f"Fernández-Huerta {quality.fernandez_huerta(text):.0f} (limit: {quality.MIN_SPANISH_EASE} or more)"
        if language == SPANISH
        else f"Reading grade {quality.reading_grade(source, facts):.1f} (Flesch-Kincaid; limit {quality.MAX_GRADE:g}) "
        f"· Dale-Chall {quality.dale_chall(source, facts):.1f} (limit: under {quality.MAX_DALE_CHALL:g})"
    )
    hardest = quality.hardest_sentences(Entry("faq", "", {}, source, language=language), facts)
    sentences = format_html_join(
        "", "<li>Line {}: “{}” (grade {})</li>", ((line, s, f"{g:.0f}") for line, g, s in hardest)
    )
    words = ", ".join(quality.hardest_words(text, language=language))
    return format_html(
        '<div class="preview-grade {}" role="status"><p><strong>{}</strong>. {}</p>{}{}</div>',
        "preview-grade-high" if problems else "preview-grade-ok",
        measured,
        "Too hard: use shorter sentences and everyday words." if problems else "Good.",
        format_html("<p>Hardest sentences:</p><ul>{}</ul>", sentences) if hardest else "",
        format_html("<p>Plainer words for: {}</p>", words) if words and problems else "",
    )
