"""Editorial checks: reading level, sources, review dates, links between pages. Fit for readers, or not.

Pure functions: no ORM, no settings. `faq/content.py` decides whether a file can be loaded at all; this module
decides whether what it says is fit for readers. Each finding is an error (the change is refused) or a warning
(shown, saved anyway), with the file and line, or the admin field, to fix.

`check_entry` checks one entry against a SiteView: what the rest of the site holds (fact values, which FAQs
are published, which pages link where). Files get a view of their folder (`FolderView`); the admin gets a view
of the database with the entry being edited in it (faq/validation.py). Both paths run these same checks.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyphen
import textstat

from .content import ContentSet, Entry, matches_by_line
from .kinds import ENGLISH, FACT_TOKEN_RE, FAQ_LINK_RE, SPANISH, SUMMARY_MAX_CHARS, review_due
from .rendering import markdown

ERROR, WARNING = "error", "warning"

MAX_GRADE = 8.0
# Dale-Chall: a score under 7.0 reads at grade 8 or below; it counts words outside a list of familiar ones.
MAX_DALE_CHALL = 7.0
# Reading formulas mean little on a few words ("Welcome." alone scores grade 8.4), so shorter texts are not graded.
MIN_GRADED_WORDS = 20
MIN_GRADED_SUMMARY_WORDS = 10
MAX_SENTENCE_WORDS = 30
MAX_PARAGRAPH_SENTENCES = 5
MIN_RELATED = 2
DUE_SOON_DAYS = 30
HARDEST_SHOWN = 3

# Sentence ends: a run of . ! or ? (not inside one: the look-behind keeps a run of dots linear), closing quotes
# or brackets, then a space or the end.
_SENTENCE_END_RE = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+(?=\s|$)")
_WORD_RE = re.compile(r"[\w’'-]+")
# "2.1" or "1.5" is one word to a reader; textstat would split it into two sentences.
_DECIMAL_RE = re.compile(r"(\d)\.(\d)")
# A range written out in a fact's value ("9 to 19", "2–3"): retyping it in an answer lets the two drift apart.
_RANGE_RE = re.compile(r"\b\d{1,6}(?:\.\d{1,3})?[ \t]*+(?:to|–|-)[ \t]*+\d{1,6}(?:\.\d{1,3})?\b")

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
    field: str = ""  # the admin field it is about

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
    tokens = markdown.parse(resolve_facts(body, dict(facts)))
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
    sentences_ = []
    for unit in units(body, facts):
        if unit.is_heading:
            continue
        text = " ".join(unit.text.split())
        sentences_.append(text if text[-1] in ".!?" else text + ".")
    return " ".join(sentences_)


def _graded(text):
    return _DECIMAL_RE.sub(r"\1\2", text)


def reading_grade(body: str, facts: dict) -> float:
    """The Flesch-Kincaid grade of a body's plain text."""
    text = _graded(plain_text(body, facts))
    return flesch_kincaid_grade(text) if text else 0.0


@functools.cache
def _english_hyphenator():
    return pyphen.Pyphen(lang="en_US")  # the dictionary textstat counts English syllables with


@functools.lru_cache(maxsize=100_000)
def _english_syllables(word):
    return len(_english_hyphenator().positions(word)) + 1


def _rounded(number, points=1):
    """textstat's rounding (half away from zero)."""
    scale = 10**points
    return math.floor(number * scale + math.copysign(0.5, number)) / scale


def flesch_kincaid_grade(text: str) -> float:
    """textstat's Flesch-Kincaid grade, the same number, with each word's syllables counted once per process:
    hyphenating every word of every answer was most of a load's checking time."""
    words = textstat.lexicon_count(text)
    if not words:
        return float(textstat.flesch_kincaid_grade(text))
    syllables = sum(_english_syllables(word) for word in textstat.remove_punctuation(text.lower()).split())
    sentence_length = _rounded(words / textstat.sentence_count(text))
    syllables_per_word = _rounded(syllables / words)
    return _rounded(0.39 * sentence_length + 11.8 * syllables_per_word - 15.59)


def dale_chall(body: str, facts: dict) -> float:
    """The Dale-Chall score of a body's plain text (under 7.0: grade 8 or below)."""
    return dale_chall_score(_graded(plain_text(body, facts)))


@functools.cache
def _familiar_words():
    """The Dale-Chall list of 3,000 words most fourth graders know (as textstat ships it)."""
    path = Path(textstat.__file__).parent / "resources" / "en" / "easy_words.txt"
    return frozenset(path.read_text(encoding="utf-8").split())


_DC_WORD_RE = re.compile(r"[^\W\d_](?:[\w'’-]*+)|\d[\d.,]*+")
# Regular endings of a listed word count as familiar too, as the Dale-Chall rules say: (ending, what it replaced).
_INFLECTIONS = (
    ("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
    ("d", ""), ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"), ("est", ""), ("ly", ""),
)  # fmt: skip


@functools.lru_cache(maxsize=100_000)
def is_familiar(word: str) -> bool:
    """A word on the Dale-Chall list, a regular form of one, a number, or a hyphenated pair of them."""
    word = word.lower().replace("’", "'")
    familiar = _familiar_words()
    if word in familiar or word[0].isdigit():
        return True
    word = word.removesuffix("'s")
    if any(word.endswith(end) and word[: -len(end)] + base in familiar for end, base in _INFLECTIONS):
        return True
    parts = [part for part in word.split("-") if part]
    return len(parts) > 1 and all(is_familiar(part) for part in parts)


def dale_chall_score(text: str) -> float:
    """The new Dale-Chall formula: 0.1579 x % unfamiliar words + 0.0496 x words per sentence, plus 3.6365 when
    over 5% of words are unfamiliar. Every use of a word counts (textstat counts each word once, and counts the
    plural of a listed word as unfamiliar, so this is computed here)."""
    words = _DC_WORD_RE.findall(text)
    if not words:
        return 0.0
    count = max(1, sum(1 for _ in _SENTENCE_END_RE.finditer(text)))
    unfamiliar = 100 * sum(1 for word in words if not is_familiar(word)) / len(words)
    return 0.1579 * unfamiliar + 0.0496 * len(words) / count + (3.6365 if unfamiliar > 5 else 0)


def text_grade(text: str) -> float:
    """The Flesch-Kincaid grade of one piece of plain text (a summary, a sentence)."""
    return flesch_kincaid_grade(_graded(text)) if text.strip() else 0.0


def sentences(text: str):
    """Yield (line offset, sentence) for each sentence in a unit's text, in one pass."""
    start, line = 0, 0
    for match in [*_SENTENCE_END_RE.finditer(text), None]:
        end = match.end() if match else len(text)
        chunk = text[start:end]
        stripped = chunk.lstrip()
        skipped = len(chunk) - len(stripped)
        line += text.count("\n", start, start + skipped)
        if stripped.strip():
            yield line, stripped.strip()
        line += stripped.count("\n")
        start = end


def word_count(sentence: str) -> int:
    return len(_WORD_RE.findall(sentence))


def hardest_sentences(entry: Entry, facts: dict, limit=HARDEST_SHOWN):
    """(line, grade, sentence) of the hardest graded sentences of a body, hardest first."""
    grade = spanish_grade if entry.language == SPANISH else text_grade
    found = []
    for unit in units(entry.body, facts, entry.body_line):
        if unit.is_heading:
            continue
        for offset, sentence in sentences(unit.text):
            if word_count(sentence) >= 8:
                found.append((unit.line + offset, grade(sentence), sentence))
    return sorted(found, key=lambda item: -item[1])[:limit]


def hardest_words(text: str, limit=5, language=ENGLISH):
    """English: the unfamiliar words (Dale-Chall) a text uses most, then the longest. Spanish: the words of five
    syllables or more."""
    counts = {}
    for word in _DC_WORD_RE.findall(_graded(text)):
        hard = spanish_syllables(word) >= 5 if language == SPANISH else not is_familiar(word)
        if hard:
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return sorted(counts, key=lambda word: (-counts[word], -len(word), word))[:limit]


# --- Spanish ------------------------------------------------------------------------------------------------------

# Fernández-Huerta ease (Fernández Huerta 1959, a Spanish form of Flesch reading ease): 60 to 70 reads at grades
# 7 to 8 (“normal”), higher is easier.
MIN_SPANISH_EASE = 60


@functools.cache
def _spanish_hyphenator():
    return pyphen.Pyphen(lang="es")


@functools.lru_cache(maxsize=100_000)
def spanish_syllables(word: str) -> int:
    return len(_spanish_hyphenator().positions(word.lower())) + 1 if word[:1].isalpha() else 1


def fernandez_huerta(text: str) -> float:
    """206.84 - 0.60 x syllables per 100 words - 1.02 x sentences per 100 words."""
    words = _DC_WORD_RE.findall(text)
    if not words:
        return 100.0
    count = max(1, sum(1 for _ in _SENTENCE_END_RE.finditer(text)))
    syllables = sum(spanish_syllables(word) for word in words)
    return 206.84 - 0.60 * (100 * syllables / len(words)) - 1.02 * (100 * count / len(words))


def spanish_grade(text: str) -> float:
    """Fernández-Huerta ease as a school grade, for naming the hardest sentences (a rough, monotone mapping:
    ease 100 is grade 4, ease 60 grade 8, ease 30 grade 11)."""
    return max(0.0, 14 - fernandez_huerta(_graded(text)) / 10)


# --- what the rest of the site holds ---------------------------------------------------------------------------


class SiteView:
    """What checks of one entry need to know about the others. `FolderView` answers from a content folder;
    faq/validation.py answers from the database."""

    facts: dict

    def faq_status(self, slug):
        """'published', 'draft', or None if no FAQ has this slug or alias."""
        raise NotImplementedError

    def linked_from(self, slug):
        """{(name of a page or fact that links here, whether readers see it)} through related lists or links."""
        raise NotImplementedError


def links_of(entry):
    """The FAQ slugs an entry links to: in its text, its fact value, and (an FAQ) its related list."""
    targets = [m.group(1) for m in FAQ_LINK_RE.finditer(entry.body)]
    if entry.kind == "fact":
        targets += [m.group(1) for m in FAQ_LINK_RE.finditer(entry.data["value"])]
    if entry.kind == "faq":
        targets += entry.data["related"]
    return targets


class FolderView(SiteView):
    """One language of a content folder (its facts, answers and the links between them)."""

    def __init__(self, content: ContentSet, language=ENGLISH):
        self.facts = {entry.data["key"]: entry.data["value"] for entry in content.of("fact", language)}
        self.status, self.links = {}, {}
        slug_of = {}
        for entry in content.of("faq", language):
            for slug in [entry.data["slug"], *entry.data["aliases"]]:
                self.status[slug] = entry.data["status"]
                slug_of[slug] = entry.data["slug"]
        for entry in (e for e in content.entries() if e.language == language):
            public = entry.kind != "faq" or entry.data["status"] == "published"
            for target in {slug_of.get(target, target) for target in links_of(entry)} - {entry.name}:
                self.links.setdefault(target, set()).add((entry.title, public))

    def faq_status(self, slug):
        return self.status.get(slug)

    def linked_from(self, slug):
        return self.links.get(slug, set())


# --- the checks -------------------------------------------------------------------------------------------


class _Report:
    def __init__(self, entry, draft):
        self.entry, self.draft, self.findings = entry, draft, []

    def add(self, level, line, message, field=""):
        if self.draft and level == ERROR:
            level, message = WARNING, f"{message} (a draft, so not yet an error; fix it before publishing)"
        self.findings.append(Finding(level, self.entry.path, line, message, field))


def check(content: ContentSet, *, today: datetime.date, overdue=ERROR, memo=None) -> list[Finding]:
    """Every editorial problem in a parsed ContentSet, sorted by file and line. `memo` (faq/filecache.py) keeps
    each body's reading findings, the costly part, by what the body reads with its facts filled in."""
    findings = []
    for language in content.languages():
        view = FolderView(content, language)
        for entry in (e for e in content.entries() if e.language == language):
            findings += check_entry(entry, view, today=today, overdue=overdue, memo=memo)
    if content.faqs and content.search is None:
        message = "search.md is missing: it lists the crisis words that make a search show the crisis help first"
        findings.append(Finding(ERROR, "search.md", None, message))
    return sorted(findings, key=lambda f: (f.path, f.line or 0, f.level, f.message))


def check_entry(entry: Entry, view: SiteView, *, today: datetime.date, overdue=ERROR, memo=None) -> list[Finding]:
    """Every editorial problem in one entry, judged against the rest of the site as `view` holds it."""
    draft = entry.kind == "faq" and entry.data.get("status") == "draft"
    report = _Report(entry, draft)
    if entry.kind in {"faq", "fact", "site"} and entry.body:
        _check_readability_once(report, entry, view.facts, memo)
    if entry.kind == "faq":
        _check_faq_fields(report, entry, today, overdue)
        _check_links(report, entry, view)
    if entry.kind in {"faq", "site"}:
        _check_retyped_facts(report, entry, view.facts)
    if entry.kind in {"faq", "fact", "site"} and not draft:
        _check_links_to_drafts(report, entry, view)
    if entry.kind == "search" and view.faq_status(entry.data["crisis_answer"]) != "published":
        message = f"the crisis answer '{entry.data['crisis_answer']}' is not a published FAQ; readers must reach it"
        report.add(ERROR, entry.line_of("crisis_answer"), message, "crisis_answer")
    return report.findings


def readability_key(entry: Entry, facts: dict) -> str:
    """What the reading checks of a body depend on: its kind, language, first line and text as read."""
    what = f"{entry.kind}\0{entry.language}\0{entry.body_line}\0{resolve_facts(entry.body, facts)}"
    return hashlib.sha256(what.encode()).hexdigest()


def _check_readability_once(report, entry, facts, memo):
    """The reading checks, or what they found for the same text before (as errors: a draft's report softens
    them as it does any error)."""
    if memo is None:
        _check_readability(report, entry, facts)
        return
    key = readability_key(entry, facts)
    found = memo.readability(entry.path, key)
    if found is None:
        fresh = _Report(entry, draft=False)
        _check_readability(fresh, entry, facts)
        found = [[f.level, f.line, f.message, f.field] for f in fresh.findings]
        memo.remember_readability(entry.path, key, found)
    for level, line, message, field_name in found:
        report.add(level, line, message, field_name)


def _check_readability(report, entry, facts):
    text = plain_text(entry.body, facts)
    if word_count(text) >= MIN_GRADED_WORDS:
        _check_reading_level(report, entry, facts, text)
    for unit in units(entry.body, facts, entry.body_line):
        _check_lengths(report, unit)


def reading_problems(text, language=ENGLISH):
    """What is too hard about a text: English by Flesch-Kincaid grade and Dale-Chall score, Spanish by
    Fernández-Huerta ease (60 or more: grade 8 or below)."""
    graded = _graded(text)
    if language == SPANISH:
        ease = fernandez_huerta(graded)
        return (
            []
            if ease >= MIN_SPANISH_EASE
            else [f"scores {ease:.0f} by Fernández-Huerta (limit: {MIN_SPANISH_EASE} or more)"]
        )
    grade, score = text_grade(graded), dale_chall_score(graded)
    problems = []
    if grade > MAX_GRADE:
        problems.append(f"reads at grade {grade:.1f} by Flesch-Kincaid (limit {MAX_GRADE:g})")
    if score >= MAX_DALE_CHALL:
        problems.append(f"scores {score:.1f} by Dale-Chall (limit: under {MAX_DALE_CHALL:g})")
    return problems


def _check_reading_level(report, entry, facts, text):
    """Grade 8 or below by the language's measures; if not, name the hardest sentences and words."""
    problems = reading_problems(text, entry.language)
    if not problems:
        return
    hardest = "; ".join(f'line {line} "{_clip(s)}" (grade {g:.0f})' for line, g, s in hardest_sentences(entry, facts))
    words = ", ".join(hardest_words(text, language=entry.language))
    advice = (f"Hardest sentences: {hardest}." if hardest else "") + (f" Plainer words for: {words}." if words else "")
    what = "answer" if entry.kind == "faq" else "text"
    report.add(ERROR, entry.body_line, f"the {what} {' and '.join(problems)}. {advice}".strip(), "body")


def _check_lengths(report, unit):
    found = list(sentences(unit.text))
    for offset, sentence in found:
        words = word_count(sentence)
        if words > MAX_SENTENCE_WORDS:
            message = f'a sentence has {words} words (over {MAX_SENTENCE_WORDS}): "{_clip(sentence)}"; split it'
            report.add(WARNING, unit.line + offset, message, "body")
    if unit.is_paragraph and len(found) > MAX_PARAGRAPH_SENTENCES:
        message = f"a paragraph has {len(found)} sentences (over {MAX_PARAGRAPH_SENTENCES}); break it up"
        report.add(WARNING, unit.line, message, "body")


def _clip(sentence, limit=60):
    flat = " ".join(sentence.split())
    return f"{flat[:limit].rstrip()}…" if len(flat) > limit else flat


def _check_faq_fields(report, entry, today, overdue):
    _check_summary(report, entry)
    _check_sources(report, entry)
    if not (entry.data.get("reviewer") or "").strip():
        message = "no reviewer; write who reviewed it, at least a role and credentials (e.g. “Clinical director, LCSW”)"
        report.add(ERROR, entry.line_of("reviewer") if "reviewer" in entry.lines else 1, message, "reviewer")
    _check_review_date(report, entry, today, overdue)


def _check_summary(report, entry):
    summary = entry.data.get("summary") or ""
    line = entry.line_of("summary")
    if len(summary) > SUMMARY_MAX_CHARS:
        report.add(ERROR, line, f"summary is {len(summary)} characters; the limit is {SUMMARY_MAX_CHARS}", "summary")
    if word_count(summary) < MIN_GRADED_SUMMARY_WORDS:
        return
    if entry.language == SPANISH:
        problem = reading_problems(summary, SPANISH)
        if problem:
            report.add(ERROR, line, f"the summary {problem[0]}; shorten it", "summary")
    elif text_grade(summary) > MAX_GRADE:
        words = ", ".join(hardest_words(summary, 3))
        hint = f" (plainer words for: {words})" if words else ""
        message = f"the summary reads at grade {text_grade(summary):.1f} (limit {MAX_GRADE:g}); shorten it{hint}"
        report.add(ERROR, line, message, "summary")


def _check_sources(report, entry):
    sources = entry.data.get("sources") or []
    if not sources:
        message = "no sources; list at least one (title and https url) where a reader can check the facts"
        report.add(ERROR, entry.line_of("sources") if "sources" in entry.lines else 1, message, "sources")
    for i, source in enumerate(sources, 1):
        if urlsplit(source["url"]).scheme != "https":
            message = f"source {i} ({source['url']}) is not https; use the https:// address"
            report.add(ERROR, entry.line_of("sources"), message, "sources")


def _check_review_date(report, entry, today, overdue):
    reviewed = entry.data.get("reviewed")
    line = entry.line_of("reviewed")
    if not isinstance(reviewed, datetime.date):
        report.add(ERROR, 1, "no reviewed date; add 'reviewed: YYYY-MM-DD' after a clinician checks it", "reviewed")
        return
    if reviewed > today:
        report.add(ERROR, line, f"reviewed date {reviewed} is in the future; use the date of the review", "reviewed")
        return
    months = entry.data.get("review_months") or 12
    due = review_due(reviewed, months)
    if due < today:
        message = (
            f"review overdue since {due} (reviewed {reviewed}, due every {months} months); have a clinician "
            "check it, then update 'reviewed'"
        )
        report.add(overdue, line, message, "reviewed")
    elif (due - today).days <= DUE_SOON_DAYS:
        report.add(WARNING, line, f"review due on {due} (in {(due - today).days} days)", "reviewed")


@functools.lru_cache(maxsize=8)
def _ranges_in_facts(facts):
    """(key, range, pattern) for each range written in a fact's value: worked out once per set of facts."""
    found = []
    for key, value in facts:
        for number in sorted({m.group(0) for m in _RANGE_RE.finditer(value)}):
            found.append((key, number, re.compile(r"(?<![\w.])" + re.escape(number) + r"(?![\w.])")))
    return tuple(found)


def _check_retyped_facts(report, entry, facts):
    body = FACT_TOKEN_RE.sub(" ", entry.body)
    lines = None
    for key, number, pattern in _ranges_in_facts(tuple(facts.items())):
        if number in body and pattern.search(body):
            lines = lines or body.split("\n")
            for offset, line in enumerate(lines):
                if pattern.search(line):
                    report.add(
                        WARNING,
                        entry.body_line + offset,
                        f"\"{number}\" repeats the fact '{key}'; write {{{{ fact:{key} }}}} so the page changes "
                        "when the fact does",
                        "body",
                    )


def _check_links(report, entry, view):
    """A published FAQ lists at least two related FAQs readers can see, and another page links to it."""
    _check_related_count(report, entry, view)
    if not report.draft:
        _check_linked_from(report, entry, view)


def _check_related_count(report, entry, view):
    related = entry.data.get("related", [])
    line = entry.line_of("related") if "related" in entry.lines else 1
    visible = [slug for slug in related if view.faq_status(slug) == "published"]
    if len(related) < MIN_RELATED:
        report.add(
            ERROR, line, f"{len(related)} related FAQ(s); list at least {MIN_RELATED} under 'related'", "related"
        )
    elif len(visible) < MIN_RELATED and not report.draft:
        hidden = ", ".join(slug for slug in related if slug not in visible)
        message = f"only {len(visible)} related FAQ(s) readers can see ({hidden} is a draft); add another"
        report.add(WARNING, line, message, "related")


def _check_linked_from(report, entry, view):
    sources = view.linked_from(entry.data["slug"])
    if not sources:
        message = (
            "no other page links to this FAQ; add it to another FAQ's related list or link to it with "
            f"[words](faq:{entry.data['slug']})"
        )
        report.add(ERROR, entry.line_of("slug"), message, "linked_from")
    elif not any(public for _, public in sources):
        names = ", ".join(sorted(name for name, _ in sources))
        message = f"only drafts link to this FAQ ({names}); readers reach it from the index and its topic only"
        report.add(WARNING, entry.line_of("slug"), message, "linked_from")


def _check_links_to_drafts(report, entry, view):
    texts = [(entry.body_line, entry.body, "body")]
    if entry.kind == "fact":
        texts.append((entry.line_of("value"), entry.data["value"], "value"))
    for first, text, field in texts:
        for offset, slug in matches_by_line(FAQ_LINK_RE, text):
            if view.faq_status(slug) == "draft":
                message = f"links to the draft FAQ '{slug}'; readers see the words without a link"
                report.add(WARNING, first + offset, message, field)


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


# What `check_content --grades` measures per language, and the histogram's bucket width.
MEASURES = {
    ENGLISH: ("reading grade by Flesch-Kincaid (limit 8)", 1),
    SPANISH: ("reading ease by Fernández-Huerta (60 or more)", 10),
}


def grades(content: ContentSet, language: str = ENGLISH) -> dict[str, float]:
    """Each answer's reading measure in one language, by file, with that language's fact values filled in: the
    Flesch-Kincaid grade for English, the Fernández-Huerta ease for Spanish."""
    facts = {entry.data["key"]: entry.data["value"] for entry in content.of("fact", language)}
    if language == SPANISH:
        return {e.path: fernandez_huerta(_graded(plain_text(e.body, facts))) for e in content.of("faq", language)}
    return {entry.path: reading_grade(entry.body, facts) for entry in content.of("faq", language)}


def grade_summary(values, width=1) -> str:
    """Min, median and max, then a histogram in buckets `width` wide."""
    values = sorted(values)
    if not values:
        return "no answers"
    lines = [
        f"{len(values)} answers: min {values[0]:.1f}, median {statistics.median(values):.1f}, max {values[-1]:.1f}"
    ]
    for start in range(int(values[0] // width) * width, int(values[-1]) + 1, width):
        count = sum(1 for v in values if start <= v < start + width)
        label = f"{start:>3}.x" if width == 1 else f"{start:>3}-{start + width - 1:<3}"
        lines.append(f"  {label}  {'#' * count} {count}")
    return "\n".join(lines)
