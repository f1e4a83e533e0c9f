"""Editorial checks over a parsed ContentSet: reading level, sources, review dates, links between pages.

Pure functions: no ORM, no settings. `faq/content.py` decides whether a file can be loaded at all; this module
decides whether what it says is fit for readers. Each finding is an error (load_content refuses to load) or a
warning (printed, loaded anyway), with the file and line to fix.
"""

from __future__ import annotations

import datetime
import functools
import re
import statistics
from dataclasses import dataclass
from urllib.parse import urlsplit

import textstat
from markdown_it import MarkdownIt

from .content import FACT_TOKEN_RE, FAQ_LINK_RE, SUMMARY_MAX_CHARS, ContentSet, Entry

ERROR, WARNING = "error", "warning"

MAX_GRADE = 8.0
# Flesch-Kincaid means little on a few words ("Welcome." alone scores grade 8.4), so shorter texts are not graded.
MIN_GRADED_WORDS = 20
MAX_SENTENCE_WORDS = 30
MAX_PARAGRAPH_SENTENCES = 5
MIN_RELATED = 2
REVIEW_MAX_AGE_DAYS = 365

# The same markdown dialect as faq/rendering.py, parsed only to find the words a reader sees.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_WORD_RE = re.compile(r"[\w’'-]+")
# "2.1" or "1.5" is one word to a reader; textstat would split it into two sentences.
_DECIMAL_RE = re.compile(r"(\d)\.(\d)")
# A range written out in a fact's value ("9 to 19", "2–3"): retyping it in an answer lets the two drift apart.
_RANGE_RE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:to|–|-)\s*\d+(?:\.\d+)?\b")

# Values reserved for examples and fiction: 555-0100 to 555-0199 phone numbers (NANPA), the example.com/.net/.org
# domains and the .example/.test/.invalid/.localhost names (RFC 2606), and placeholder words and postal codes.
_EXAMPLE_PHONE_RE = re.compile(r"\b555[\s.-]?01\d\d\b")
_EXAMPLE_EMAIL_RE = re.compile(
    r"@(?:[\w-]+\.)*(?:example\.(?:com|net|org)|[\w-]+\.(?:example|test|invalid|localhost))\b", re.IGNORECASE
)
_EXAMPLE_WORD_RE = re.compile(r"\b(?:example|placeholder|lorem ipsum|00000)\b", re.IGNORECASE)
IDENTITY_FIELDS = ("name", "phone", "email", "address", "hours", "intake")


@dataclass(frozen=True)
class Finding:
    level: str
    path: str
    line: int | None
    message: str

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


@dataclass(frozen=True)
class Unit:
    """One run of text a reader sees as a unit (a paragraph, list item, heading or table cell)."""

    line: int
    text: str
    is_paragraph: bool
    is_heading: bool = False


# --- the words a reader sees --------------------------------------------------------------------------------


def resolve_facts(body: str, facts: dict) -> str:
    return FACT_TOKEN_RE.sub(lambda m: facts.get(m.group(1), m.group(0)), body)


def _inline_text(token):
    parts = []
    for child in token.children or ():
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
    return "".join(parts).strip()


def units(body: str, facts: dict, first_line: int = 1) -> list[Unit]:
    """Split a markdown body into the plain-text units a reader sees, each with its line in the file."""
    return [
        Unit(first_line + offset, text, is_paragraph, is_heading)
        for offset, text, is_paragraph, is_heading in _units(body, tuple(sorted(facts.items())))
    ]


@functools.lru_cache(maxsize=64)
def _units(body, facts):
    """Parsed once per body: the readability and sentence checks of one entry all ask for the same units."""
    tokens = _markdown.parse(resolve_facts(body, dict(facts)))
    result = []
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.type != "inline" or not token.map:
            continue
        text = _inline_text(token)
        if text:
            kind = previous.type if previous is not None else ""
            result.append((token.map[0], text, kind == "paragraph_open", kind == "heading_open"))
    return tuple(result)


def plain_text(body: str, facts: dict) -> str:
    """The prose a reader reads: markdown and headings removed, facts filled in, each list item a sentence.

    Headings are left out, as readability studies of patient materials do: counted as short sentences, they
    would make every answer look easier than its prose is.
    """
    sentences = []
    for unit in units(body, facts):
        if unit.is_heading:
            continue
        text = " ".join(unit.text.split())
        sentences.append(text if text[-1] in ".!?" else text + ".")
    return " ".join(sentences)


def reading_grade(body: str, facts: dict) -> float:
    """The Flesch-Kincaid grade of a body's plain text."""
    text = _DECIMAL_RE.sub(r"\1\2", plain_text(body, facts))
    return float(textstat.flesch_kincaid_grade(text)) if text else 0.0


def sentences(text: str):
    """Yield (line offset, sentence) for each sentence in a unit's text."""
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        start += len(text[start:]) - len(text[start:].lstrip())
        yield text.count("\n", 0, start), text[start : match.end()].strip()
        start = match.end()
    start += len(text[start:]) - len(text[start:].lstrip())
    if text[start:]:
        yield text.count("\n", 0, start), text[start:].strip()


def word_count(sentence: str) -> int:
    return len(_WORD_RE.findall(sentence))


# --- the checks -------------------------------------------------------------------------------------------


class _Report:
    def __init__(self):
        self.findings = []

    def add(self, level, entry_or_path, line, message, *, draft=False):
        path = entry_or_path.path if isinstance(entry_or_path, Entry) else entry_or_path
        if draft and level == ERROR:
            level, message = WARNING, f"{message} (a draft, so not yet an error; fix it before publishing)"
        self.findings.append(Finding(level, path, line, message))


def check(content: ContentSet, *, today: datetime.date) -> list[Finding]:
    """Every editorial problem in a parsed ContentSet, sorted by file and line."""
    report = _Report()
    facts = {entry.data["key"]: entry.data["value"] for entry in content.facts}
    for entry in content.entries():
        if entry.kind in {"faq", "fact", "site"} and entry.body:
            _check_readability(report, entry, facts, draft=_is_draft(entry))
    for entry in content.faqs:
        _check_faq_fields(report, entry, today)
        _check_retyped_facts(report, entry, content.facts)
    if content.site:
        _check_retyped_facts(report, content.site, content.facts)
    _check_links(report, content)
    return sorted(report.findings, key=lambda f: (f.path, f.line or 0, f.level, f.message))


def _is_draft(entry):
    return entry.kind == "faq" and entry.data.get("status") == "draft"


def _check_readability(report, entry, facts, *, draft):
    graded = word_count(plain_text(entry.body, facts)) >= MIN_GRADED_WORDS
    grade = reading_grade(entry.body, facts) if graded else 0.0
    if grade > MAX_GRADE:
        what = "answer" if entry.kind == "faq" else "text"
        report.add(
            ERROR,
            entry,
            entry.body_line,
            f"the {what} reads at grade {grade:.1f}; the limit is grade {MAX_GRADE:g}. Use shorter sentences "
            "and everyday words (measure with `manage.py check_content --grades`)",
            draft=draft,
        )
    for unit in units(entry.body, facts, entry.body_line):
        found = list(sentences(unit.text))
        for offset, sentence in found:
            words = word_count(sentence)
            if words > MAX_SENTENCE_WORDS:
                report.add(
                    WARNING,
                    entry,
                    unit.line + offset,
                    f"a sentence has {words} words (over {MAX_SENTENCE_WORDS}): {_clip(sentence)}; split it",
                )
        if unit.is_paragraph and len(found) > MAX_PARAGRAPH_SENTENCES:
            report.add(
                WARNING,
                entry,
                unit.line,
                f"a paragraph has {len(found)} sentences (over {MAX_PARAGRAPH_SENTENCES}); break it up",
            )


def _clip(sentence, limit=60):
    flat = " ".join(sentence.split())
    return f'"{flat[:limit].rstrip()}…"' if len(flat) > limit else f'"{flat}"'


def _check_faq_fields(report, entry, today):
    data, draft = entry.data, _is_draft(entry)
    summary = data.get("summary") or ""
    if len(summary) > SUMMARY_MAX_CHARS:
        report.add(
            ERROR,
            entry,
            entry.line_of("summary"),
            f"summary is {len(summary)} characters; the limit is {SUMMARY_MAX_CHARS}",
            draft=draft,
        )
    sources = data.get("sources") or []
    if not sources:
        report.add(
            ERROR,
            entry,
            entry.line_of("sources") if "sources" in entry.lines else 1,
            "no sources; list at least one (title and https url) where a reader can check the facts",
            draft=draft,
        )
    for i, source in enumerate(sources, 1):
        if urlsplit(source["url"]).scheme != "https":
            report.add(
                ERROR,
                entry,
                entry.line_of("sources"),
                f"source {i} ({source['url']}) is not https; use the https:// address",
                draft=draft,
            )
    reviewed = data.get("reviewed")
    if not isinstance(reviewed, datetime.date):
        report.add(ERROR, entry, 1, "no reviewed date; add 'reviewed: YYYY-MM-DD' after a clinician checks it")
    elif reviewed > today:
        report.add(
            ERROR,
            entry,
            entry.line_of("reviewed"),
            f"reviewed date {reviewed} is in the future; use the date of the review",
            draft=draft,
        )
    elif (today - reviewed).days > REVIEW_MAX_AGE_DAYS:
        report.add(
            WARNING,
            entry,
            entry.line_of("reviewed"),
            f"last reviewed {reviewed}, over 12 months ago; have a clinician check it and update the date",
        )


def _check_retyped_facts(report, entry, fact_entries):
    body = FACT_TOKEN_RE.sub(" ", entry.body)
    for fact in fact_entries:
        for number in {m.group(0) for m in _RANGE_RE.finditer(fact.data["value"])}:
            pattern = re.compile(r"(?<![\w.])" + re.escape(number) + r"(?![\w.])")
            for offset, line in enumerate(body.split("\n")):
                if pattern.search(line):
                    report.add(
                        WARNING,
                        entry,
                        entry.body_line + offset,
                        f"\"{number}\" repeats the fact '{fact.data['key']}'; write {{{{ fact:{fact.data['key']} }}}} "
                        "so the page changes when the fact does",
                    )


def _check_links(report, content):
    """Each published FAQ lists enough published related FAQs and is linked from at least one other page."""
    faqs = {entry.data["slug"]: entry for entry in content.faqs}
    by_alias = {alias: entry.data["slug"] for entry in content.faqs for alias in entry.data.get("aliases", [])}
    published = {slug for slug, entry in faqs.items() if not _is_draft(entry)}
    linked_from = {slug: set() for slug in faqs}

    def note_link(source_key, target):
        target = by_alias.get(target, target)
        if target in linked_from and target != source_key:
            linked_from[target].add(source_key)

    for slug, entry in faqs.items():
        if slug not in published:
            continue
        for target in entry.data.get("related", []):
            note_link(slug, target)
        for match in FAQ_LINK_RE.finditer(entry.body):
            note_link(slug, match.group(1))
    for entry in [*content.facts, *([content.site] if content.site else [])]:
        for match in FAQ_LINK_RE.finditer(entry.body):
            note_link(entry.path, match.group(1))

    for slug, entry in faqs.items():
        draft = slug not in published
        related = [s for s in entry.data.get("related", []) if s in published or draft]
        if len(related) < MIN_RELATED:
            report.add(
                ERROR,
                entry,
                entry.line_of("related") if "related" in entry.lines else 1,
                f"{len(related)} related FAQ(s) that readers can see; list at least {MIN_RELATED} under 'related'",
                draft=draft,
            )
        if not draft and not linked_from[slug]:
            report.add(
                ERROR,
                entry,
                entry.line_of("slug"),
                "no other page links to this FAQ; add it to another FAQ's 'related' list or link to it "
                f"with [words](faq:{slug})",
            )


# --- the program's identity -------------------------------------------------------------------------------


def example_identity_values(site: Entry):
    """(field, line, message) for each site.md value that is still an example rather than the program's own."""
    found = []
    for name in IDENTITY_FIELDS:
        value = site.data.get(name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or not item:
                continue
            if _EXAMPLE_PHONE_RE.search(item):
                reason = "555-0100 to 555-0199 numbers are reserved for fiction"
            elif _EXAMPLE_EMAIL_RE.search(item):
                reason = "that domain is reserved for examples"
            elif match := _EXAMPLE_WORD_RE.search(item):
                reason = f"'{match.group(0)}' marks a made-up value"
            else:
                continue
            shown = " / ".join(item.split("\n"))
            found.append((name, site.line_of(name), f"'{shown}' is an example value ({reason})"))
            break
    return found


# --- the numbers for a report -------------------------------------------------------------------------------


def grades(content: ContentSet) -> dict[str, float]:
    """The reading grade of every FAQ answer, by file."""
    facts = {entry.data["key"]: entry.data["value"] for entry in content.facts}
    return {entry.path: reading_grade(entry.body, facts) for entry in content.faqs}


def grade_summary(values) -> str:
    """Min, median and max, then a histogram by whole grade."""
    values = sorted(values)
    if not values:
        return "no answers"
    lines = [
        f"{len(values)} answers: min {values[0]:.1f}, median {statistics.median(values):.1f}, max {values[-1]:.1f}"
    ]
    for grade in range(int(values[0]), int(values[-1]) + 1):
        count = sum(1 for v in values if int(v) == grade)
        lines.append(f"  grade {grade:>2}.x  {'#' * count} {count}")
    return "\n".join(lines)
