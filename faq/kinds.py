"""The one definition of each kind of entry (FAQ, fact, topic, site information): its fields and their rules.

Pure: no ORM, no settings. The file parser and writer (faq/content.py), the mapping to database rows
(faq/entries.py), the admin forms (faq/forms.py), the content checks and the sign-off all read these
definitions; no other module lists a kind's fields.

Each field's `check` takes a value as it arrives from a file (YAML) or an admin form and returns it clean, or
raises ValueError with a message that names the field and says what to do. Text from either side goes through
`normalise` first, so what the admin saves always writes to a file that loads back the same.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

SUMMARY_MAX_CHARS = 160
BODY_MAX_CHARS = 100_000
REVIEW_MONTHS = (6, 12)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACT_KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# `{{ fact:weekly-hours }}` in a body inserts that fact's one-line value. Possessive quantifiers and a bounded
# key keep a failed match linear in its length (a lazy pattern took 19 s on `{{ fact:` and 64 KB of spaces).
FACT_TOKEN_RE = re.compile(r"\{\{[ \t]*+fact:[ \t]*+([^\s{}]{1,80})[ \t]*+\}\}")
FACT_TOKEN_START_RE = re.compile(r"\{\{\s*+fact:")
# `[text](faq:slug)` in a body links to another FAQ.
FAQ_LINK_RE = re.compile(r"\]\([ \t]*+<?faq:([^\s)>]{0,120})>?")
# Control characters and invisible format characters that no reader sees and no file should hold.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufdd0-\ufdef\ufffe\uffff]")
_INVISIBLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u200b\ufdd0-\ufdef\ufffe\uffff]")
_PHONE_DIGITS = 10

STATUSES = ("published", "draft")

ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)
LANGUAGE_NAMES = {ENGLISH: "English", SPANISH: "español"}
# Translations live in content/<language>/, laid out as the English files are.
TRANSLATION_FOLDERS = {SPANISH: "es"}


# --- normalising text at the boundary -------------------------------------------------------------------------


def normalise(value: str, *, multiline: bool) -> str:
    """Text as it is stored: LF line ends, no invisible control characters, no trailing spaces, trimmed.

    Browsers send CRLF from text areas and pasted text carries invisible characters; staff can neither see nor
    remove them, so they are dropped here. One-line values lose their line breaks and tabs.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    value = _INVISIBLE_RE.sub("", value)
    if not multiline:
        return " ".join(value.replace("\t", " ").split("\n")).strip()
    return "\n".join(line.rstrip() for line in value.split("\n")).strip("\n").strip()


def review_due(reviewed: datetime.date, months: int) -> datetime.date:
    """The day a review is next due: the same day `months` later (the month's last day if it is shorter)."""
    index = reviewed.month - 1 + months
    year, month = reviewed.year + index // 12, index % 12 + 1
    return reviewed.replace(year=year, month=month, day=min(reviewed.day, calendar.monthrange(year, month)[1]))


# --- field checks (each returns the clean value or raises ValueError) -----------------------------------------


def _describe(value):
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of key: value lines"
    if value is None:
        return "nothing"
    return "text"


def text(value, name, *, one_line=True, max_chars=None):
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, but YAML read {_describe(value)}; put the value in quotes")
    control = CONTROL_RE.search(value)
    if control:  # in a file, written as a YAML escape such as "\a", so the check on the raw file did not see it
        raise ValueError(f"{name} has the invalid control character U+{ord(control.group()):04X}; delete it")
    value = normalise(value, multiline=True)
    if not value:
        raise ValueError(f"{name} is empty; write a value")
    if one_line and "\n" in value:
        raise ValueError(f"{name} must be one line")
    if max_chars and len(value) > max_chars:
        raise ValueError(f"{name} is {len(value):,} characters; the limit is {max_chars:,}, so shorten it")
    if FACT_TOKEN_START_RE.search(value):
        raise ValueError(f"{name} cannot use {{{{ fact:KEY }}}}; facts can be used only in the text below")
    return value


def optional_text(value, name):
    if value is None or value == "":
        return ""
    return text(value, name)


def multiline_text(value, name):
    return text(value, name, one_line=False)


def slug(value, name):
    value = text(value, name)
    if not SLUG_RE.match(value) or len(value) > 100:
        raise ValueError(
            f"{name} {value!r} must be lowercase letters, digits and single hyphens (at most 100), e.g. what-is-iop"
        )
    return value


def fact_key(value, name):
    value = text(value, name)
    if not FACT_KEY_RE.match(value) or len(value) > 60:
        raise ValueError(f"{name} {value!r} must be lowercase letters, digits, hyphens or underscores (at most 60)")
    return value


def integer(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number such as 10, but YAML read {_describe(value)}")
    if not -1_000_000 <= value <= 1_000_000:
        raise ValueError(f"{name} must be between -1000000 and 1000000")
    return value


def iso_date(value, name):
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValueError(f"{name} must be a date written YYYY-MM-DD, e.g. 2026-01-31 (got {value!r})")
    return value


def status(value, name):
    if value not in STATUSES:
        raise ValueError(f"{name} must be 'published' or 'draft' (got {value!r})")
    return value


def review_months(value, name):
    if isinstance(value, bool) or value not in REVIEW_MONTHS:
        raise ValueError(f"{name} must be 6 or 12 (months between clinical reviews), not {value!r}")
    return value


def phone(value, name):
    value = text(value, name, max_chars=40)
    digits = re.sub(r"\D", "", value)
    if len(digits) == _PHONE_DIGITS + 1 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != _PHONE_DIGITS or re.search(r"[^\d\s().+-]", value):
        raise ValueError(f"{name} {value!r} must be a number readers can dial, e.g. (617) 555-0142")
    return value


def email(value, name):
    value = optional_text(value, name)
    if value and not re.fullmatch(r"[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+", value):
        raise ValueError(f"{name} {value!r} is not an email address, e.g. intake@example.org")
    return value


def list_of(item_type, *, sort=False):
    def check(value, name):
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list, one '- item' per line")
        items = [item_type(item, f"{name} item {i}") for i, item in enumerate(value, 1)]
        if len(set(items)) != len(items):
            raise ValueError(f"{name} lists the same item twice")
        return sorted(items) if sort else items

    return check


def sources(value, name):
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list of '- title: ...' and 'url: ...' pairs")
    result = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise ValueError(f"{name} item {i} must have exactly a title and a url")
        title = text(item["title"], f"{name} item {i} title", max_chars=300)
        url = text(item["url"], f"{name} item {i} url", max_chars=500)
        if not re.match(r"^https?://[^\s/]+\.[^\s/]+", url) or " " in url:
            raise ValueError(f"{name} item {i} url must be a full web address starting with https://")
        result.append({"title": title, "url": url})
    return result


def fingerprint_text(value, name):
    value = text(value, name, max_chars=64)
    if not re.fullmatch(r"[0-9a-f]{12,64}", value):
        raise ValueError(
            f"{name} {value!r} must be the English version's fingerprint, as `manage.py translation_status --stamp` "
            "writes it"
        )
    return value


def body(value, label, *, required):
    """The markdown text below the front matter."""
    value = normalise(value, multiline=True)
    if required and not value:
        raise ValueError(f"the {label} (the text after the closing '---') is empty")
    if len(value) > BODY_MAX_CHARS:
        raise ValueError(f"the {label} is {len(value):,} characters; the limit is {BODY_MAX_CHARS:,}, so shorten it")
    return value


# --- the kinds ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str  # front-matter key, model attribute and admin form field
    check: Callable
    required: bool = True
    default: object = None
    label: str = ""
    help: str = ""
    # A change to this field waits for a clinical reviewer's approval; False for where an entry is listed.
    reviewed: bool = True
    # Set by a reviewer's approval (or a writer's file), never typed in the admin.
    stamp: bool = False
    form: str = "line"  # how the admin asks for it: line, lines, integer, date, status, months, slugs, list, sources
    group: str = ""  # the admin section it sits in
    languages: tuple = LANGUAGES  # the languages whose entries have this field (translations have a few more)

    def is_default(self, value):
        return not self.required and (value is None or value == self.default)


@dataclass(frozen=True)
class Kind:
    name: str  # "faq"
    label: str  # "FAQ"
    fields: tuple
    key: str  # the field that names an entry ("slug", "key"); "" for a kind with one file
    folder: str  # content/<folder>/ holds its files; "" for a kind with one file
    file: str = ""  # the one file of a kind without a folder, e.g. "site.md"
    body_label: str = ""  # what the markdown body is called; "" if the kind has no body
    body_required: bool = False
    body_help: str = ""

    @property
    def has_body(self):
        return bool(self.body_label)

    def field(self, name):
        return self.by_name[name]

    @property
    def by_name(self):
        return {field.name: field for field in self.fields}

    def fields_for(self, language):
        """The fields an entry in this language has, in file order (worked out once per language: every
        fingerprint asks)."""
        return self._fields_by_language[language]

    @functools.cached_property
    def _fields_by_language(self):
        return {language: tuple(f for f in self.fields if language in f.languages) for language in LANGUAGES}

    def name_of(self, data):
        """The name an entry goes by in messages and commands: its slug or key, or the kind's name."""
        return data.get(self.key) if self.key else self.name

    def title(self, data, language=ENGLISH):
        title = f"{self.label} {self.name_of(data)}" if self.key else self.label
        return title if language == ENGLISH else f"{title} ({LANGUAGE_NAMES[language]})"


def _translation_of(kind_label):
    return Field(
        "translation_of",
        slug,
        label="Translation of",
        help=f"The English {kind_label} this one translates (its web address, in a file).",
        reviewed=False,
        form="translation",
        languages=(SPANISH,),
    )


def _translated_from():
    return Field(
        "translated_from",
        fingerprint_text,
        required=False,
        default="",
        label="Translated from",
        help="Which version of the English entry this translates (its fingerprint). When the English changes, "
        "the translation is behind until someone updates it and stamps it again.",
        reviewed=False,
        stamp=True,
        languages=(SPANISH,),
    )


def _summary(value, name):
    return text(value, name, max_chars=SUMMARY_MAX_CHARS)


def _question(value, name):
    return text(value, name, max_chars=200)


def _short(limit):
    return lambda value, name: text(value, name, max_chars=limit)


FAQ = Kind(
    name="faq",
    label="FAQ",
    key="slug",
    folder="faqs",
    body_label="answer",
    body_required=True,
    body_help="The answer, in markdown. Use {{ fact:KEY }} for program facts and [words](faq:SLUG) for links.",
    fields=(
        Field("question", _question, label="Question", help="The question as a reader would ask it."),
        Field(
            "slug",
            slug,
            label="Web address",
            help="The page's address: /faq/SLUG/. Lowercase letters, digits and hyphens. If you change it, the "
            "old address keeps working.",
        ),
        _translation_of("answer"),
        Field(
            "summary",
            _summary,
            label="Summary",
            help=f"One or two sentences, at most {SUMMARY_MAX_CHARS} characters. Shown in lists and search engines.",
            form="lines",
        ),
        Field("topic", slug, label="Topic", reviewed=False, form="topic"),
        Field(
            "related",
            list_of(slug),
            required=False,
            default=[],
            label="Related questions",
            help="Listed first under “Related FAQs”, in this order. Pick at least two.",
            reviewed=False,
            form="related",
            group="Related questions",
        ),
        Field(
            "order",
            integer,
            label="Order",
            help="Lower numbers come first within the topic.",
            reviewed=False,
            form="integer",
        ),
        Field(
            "reviewed",
            iso_date,
            label="Reviewed on",
            help="The date a clinician last approved this answer.",
            stamp=True,
            form="date",
            group="Sources and review",
        ),
        Field(
            "reviewer",
            optional_text,
            required=False,
            default="",
            label="Reviewed by",
            help="Who approved it, with credentials, e.g. “Dana Ortiz, LCSW”.",
            stamp=True,
            group="Sources and review",
        ),
        Field(
            "review_months",
            review_months,
            required=False,
            default=12,
            label="Review every",
            help="Months between clinical reviews: 6 for answers that change often (costs, Medicare, Medicaid, "
            "crisis), otherwise 12.",
            reviewed=False,
            form="months",
            group="Sources and review",
        ),
        Field(
            "sources",
            sources,
            required=False,
            default=[],
            label="Sources",
            help="Where the facts come from. One per line: Title | https://address",
            form="sources",
            group="Sources and review",
        ),
        Field(
            "status",
            status,
            required=False,
            default="published",
            label="Status",
            help="Published answers are public once approved; drafts are visible to staff only.",
            form="status",
        ),
        Field(
            "aliases",
            list_of(slug, sort=True),
            required=False,
            default=[],
            label="Earlier addresses",
            help="Old web addresses of this page, one per line; they redirect here. Changing the address adds one.",
            reviewed=False,
            form="slugs",
            group="Related questions",
        ),
        Field(
            "translator",
            optional_text,
            required=False,
            default="",
            label="Translation checked by",
            help="The qualified medical translator who checked this translation, with credentials. Until one "
            "does, the page says the translation still needs that check.",
            group="Sources and review",
            languages=(SPANISH,),
        ),
        _translated_from(),
    ),
)

FACT = Kind(
    name="fact",
    label="fact",
    key="key",
    folder="facts",
    body_label="longer explanation",
    body_help="A longer explanation, in markdown, shown under the fact on the home page. Optional.",
    fields=(
        Field(
            "key",
            fact_key,
            label="Key",
            help="Used in answers as {{ fact:KEY }}. It cannot change while an answer uses it.",
        ),
        Field("label", _short(120), label="Label", help="Short name in the “at a glance” list, e.g. “Weekly hours”."),
        Field(
            "value",
            _short(200),
            label="Value",
            help="One line that fits in a sentence. Every answer that uses this fact shows this exact text.",
        ),
        Field(
            "order",
            integer,
            label="Order",
            help="Lower numbers come first at a glance.",
            reviewed=False,
            form="integer",
        ),
        _translated_from(),
    ),
)

TOPIC = Kind(
    name="topic",
    label="topic",
    key="slug",
    folder="topics",
    fields=(
        Field("slug", slug, label="Web address", help="Short web name, e.g. getting-started."),
        _translation_of("topic"),
        Field("title", _short(120), label="Title", help="The heading readers see, e.g. “Getting started”."),
        Field("description", _short(300), label="Description", help="One sentence about the questions in it."),
        Field("order", integer, label="Order", help="Lower numbers come first.", reviewed=False, form="integer"),
        _translated_from(),
    ),
)

SITE = Kind(
    name="site",
    label="site information",
    key="",
    folder="",
    file="site.md",
    body_label="introduction",
    body_help="The home page's introduction: what the program is, in markdown.",
    fields=(
        Field("name", _short(120), label="Program name"),
        Field("phone", phone, label="Phone", help="As readers should dial it, e.g. (617) 555-0142."),
        Field("email", email, required=False, default="", label="Email"),
        Field(
            "address", multiline_text, label="Address", help="One line per line of the postal address.", form="lines"
        ),
        Field("hours", _short(200), label="Hours", help="When the phone is answered, e.g. Mon–Fri, 8 am to 6 pm."),
        Field(
            "intake",
            list_of(_short(300)),
            label="Steps to start",
            help="The steps to start, one per line.",
            form="list",
        ),
        _translated_from(),
    ),
)


def _term(value, name):
    value = text(value, name, max_chars=80).casefold()
    if not re.search(r"\w", value):
        raise ValueError(f"{name} {value!r} has no letters")
    return value


def synonym(value, name):
    """`words readers type = words the site uses`, e.g. `money = cost pay`."""
    value = text(value, name, max_chars=300).casefold()
    typed, sep, means = value.partition("=")
    if not sep or not typed.strip() or not means.split():
        raise ValueError(f"{name} {value!r} must be written  words readers type = words the site uses")
    return f"{' '.join(typed.split())} = {' '.join(means.split())}"


SEARCH = Kind(
    name="search",
    label="search words",
    key="",
    folder="",
    file="search.md",
    fields=(
        Field(
            "crisis_terms",
            list_of(_term),
            label="Crisis words",
            help="Words and phrases that mean a reader may be in danger, one per line. A search that holds one "
            "shows the crisis help first (988, 911) and the crisis answer.",
            form="list",
        ),
        Field(
            "crisis_answer",
            slug,
            label="Crisis answer",
            help="The web address (slug) of the answer shown with the crisis help.",
        ),
        Field(
            "synonyms",
            list_of(synonym),
            required=False,
            default=[],
            label="Other words readers use",
            help="One per line: what readers type = the words the answers use, e.g.  money = cost pay",
            reviewed=True,
            form="list",
        ),
    ),
)

# In the order a load writes them: FAQs refer to topics and facts; the search words name an FAQ.
KINDS = {kind.name: kind for kind in (TOPIC, FACT, SITE, FAQ, SEARCH)}
FOLDERS = {kind.folder: kind.name for kind in KINDS.values() if kind.folder}
FILES = {kind.file: kind.name for kind in KINDS.values() if kind.file}
SITE_FILE = SITE.file


# --- what needs a clinical reviewer -------------------------------------------------------------------------
# These read entries (faq.content.Entry: kind, data, body) without importing them.


def is_public(entry) -> bool:
    """Readers can see this version: FAQs unless drafts; facts, topics and site information always."""
    return entry is not None and entry.data.get("status", "published") == "published"


def changed_fields(before, after) -> list[str]:
    """The fields (and the body, by its label) whose values differ between two versions of an entry."""
    spec = KINDS[after.kind]
    names = [item.name for item in spec.fields if before.data.get(item.name) != after.data.get(item.name)]
    if spec.has_body and before.body != after.body:
        names.append(spec.body_label)
    return names


def reviewed_changes(before, after) -> list[str]:
    """Changed fields whose change a clinician signs off: what an entry says, not where it is listed."""
    spec = KINDS[after.kind]
    reviewed = {item.name for item in spec.fields if item.reviewed and not item.stamp} | {spec.body_label}
    return [name for name in changed_fields(before, after) if name in reviewed]


def new_review_stamp(before, after) -> bool:
    """The later version carries a newer review: a later date, or the same date with another reviewer."""
    if "reviewed" not in KINDS[after.kind].by_name:
        return False
    old, new = before.data["reviewed"], after.data["reviewed"]
    return new > old or (new == old and after.data.get("reviewer") != before.data.get("reviewer"))


def needs_review_from_file(live, entry) -> bool:
    """A file that changes what a public answer says waits for review, unless it carries a new review stamp
    (the writers' own review is then the sign-off). Other kinds have no stamp: their files load as they are."""
    if entry.kind != "faq" or live is None:
        return False
    return (
        (is_public(live) or is_public(entry))
        and bool(reviewed_changes(live, entry))
        and not new_review_stamp(live, entry)
    )


def needs_review_from_admin(live, entry) -> bool:
    """In the admin, a change to what readers see waits for a clinical reviewer: a new entry that would be
    public, or a changed one that is or would be public. Drafts, and where an entry is listed, save at once."""
    if live is None:
        return is_public(entry)
    return (is_public(live) or is_public(entry)) and bool(reviewed_changes(live, entry))
