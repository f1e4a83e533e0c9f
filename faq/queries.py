"""What a reader's search means: its words, the other words the site uses for them, and whether it says the reader
may be in danger. Pure: no database (faq/search.py runs the query; content/search.md holds the word lists).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_ALTERNATIVES = 6  # other words added for one word of the query

# PostgreSQL's english stop-word list, used for both backends so they agree on what a query means.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can did do does doing don down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own s same she should so some such t than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself yourselves""".split()  # noqa: SIM905
)

# Always treated as a crisis, whatever content/search.md lists: the clinic's list can add to these, not remove them.
CRISIS_FLOOR = (
    "suicide", "suicidal", "kill myself", "want to die", "end my life", "overdose", "hurt myself", "harm myself",
    "self harm", "suicidio", "quiero morir", "matarme",
)  # fmt: skip

_WORD_RE = re.compile(r"[^\W_]+")
# A misspelling of a crisis word this long or longer is still a crisis word (one letter off).
_FUZZY_MIN_LENGTH = 6
# Crisis words this long or longer are found inside run-together words ("killmyself", "selfharm").
_RUN_TOGETHER_MIN_LENGTH = 5


def clean_query(raw):
    """The query as the page may echo it: no control or non-characters, spaces collapsed, at most 200 chars."""
    kept = []
    for char in (raw or "")[: MAX_QUERY_CHARS * 4]:
        category = unicodedata.category(char)
        bad = category in ("Cc", "Cs", "Co") or (category == "Cn" and _is_noncharacter(char))
        kept.append(" " if bad else char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS]


def _is_noncharacter(char):
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def search_terms(query):
    """Lower-cased words of the query, stop words and repeats dropped, at most MAX_TERMS."""
    terms = []
    for word in _WORD_RE.findall(query.casefold()):
        if word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def plain_words(text):
    """Lower case, accents dropped, punctuation as spaces: how crisis words and queries are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD_RE.findall(letters.replace("_", " "))


# --- other words for the same thing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonym:
    typed: tuple  # the words readers type, e.g. ("money",)
    means: tuple  # the words the answers use, e.g. ("cost", "pay")


def parse_synonyms(lines):
    """Synonyms from content/search.md's `words readers type = words the site uses` lines."""
    found = []
    for line in lines:
        typed, _, means = line.partition("=")
        typed_words, means_words = tuple(plain_words(typed)), tuple(plain_words(means))
        if typed_words and means_words:
            found.append(Synonym(typed_words, means_words))
    return found


def groups(terms, synonyms):
    """One group per query word: the word, then other words the site uses for it (a phrase readers type lends
    its words' groups the phrase's meaning). A page matches when it has a word from every group."""
    result = [[term] for term in terms]
    for synonym in synonyms:
        for start in _phrase_starts(terms, synonym.typed):
            for group in result[start : start + len(synonym.typed)]:
                group.extend(word for word in synonym.means if word not in group)
    return [group[: MAX_ALTERNATIVES + 1] for group in result]


def _phrase_starts(words, phrase):
    size = len(phrase)
    return [i for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == phrase]


# --- a reader who may be in danger ---------------------------------------------------------------------------


@dataclass
class CrisisWords:
    """Crisis words and phrases, as plain words, ready to compare with a query."""

    phrases: list = field(default_factory=list)

    @classmethod
    def of(cls, terms):
        phrases = {tuple(plain_words(term)) for term in (*CRISIS_FLOOR, *terms)}
        return cls(sorted(phrase for phrase in phrases if phrase))

    def found_in(self, query):
        """The crisis word or phrase the query holds (spelled one letter off, run together or with spaces
        between, upper or lower case, with or without accents), or None."""
        words = plain_words(query)
        if not words:
            return None
        joined = "".join(words)
        for phrase in self.phrases:
            if _holds(words, joined, phrase):
                return " ".join(phrase)
        return None


def _holds(words, joined, phrase):
    run_together = len(phrase) > 1 or len(phrase[0]) >= _RUN_TOGETHER_MIN_LENGTH
    if run_together and "".join(phrase) in joined:
        return True
    if len(phrase) == 1:
        target = phrase[0]
        return any(word == target or _one_letter_off(word, target) for word in words)
    return _phrase_starts(words, phrase) != []


def _one_letter_off(word, target):
    """True if word is target with one letter added, dropped, changed, or two neighbours swapped."""
    if len(target) < _FUZZY_MIN_LENGTH or abs(len(word) - len(target)) > 1 or word == target:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and word[diffs[0]] == target[diffs[1]]
            and word[diffs[1]] == target[diffs[0]]
        )  # fmt: skip
    shorter, longer = sorted((word, target), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
