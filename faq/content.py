"""Read the markdown files in content/ into validated entries.

Pure functions over files: no ORM, no settings. Every problem is collected with its file and line, so one
run of load_content reports everything that needs fixing at once.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MAX_FILE_BYTES = 256 * 1024
MAX_YAML_DEPTH = 8
# Markdown that no writer needs and that makes renderers slow: brackets nested this deep, or this many emphasis
# marks on one line.
MAX_BRACKET_DEPTH = 10
MAX_EMPHASIS_MARKS_PER_LINE = 100
SUMMARY_MAX_CHARS = 160

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACT_KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# `{{ fact:weekly-hours }}` in any body inserts that fact's one-line value.
FACT_TOKEN_RE = re.compile(r"\{\{\s*fact:\s*([^\s}]*)\s*\}\}")
# `[text](faq:slug)` in any body links to another FAQ.
FAQ_LINK_RE = re.compile(r"\]\(\s*<?faq:([^\s)>]*)>?")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")

STATUSES = ("published", "draft")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class ContentError(Exception):
    """One or more content files cannot be loaded; `problems` says where and why."""

    def __init__(self, problems):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Entry:
    kind: str
    path: str
    data: dict
    body: str
    sha256: str
    lines: dict = field(default_factory=dict)
    body_line: int = 1

    def line_of(self, key):
        return self.lines.get(key, 1)


@dataclass
class ContentSet:
    topics: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    faqs: list = field(default_factory=list)
    site: Entry | None = None

    def entries(self):
        yield from self.topics
        yield from self.facts
        yield from self.faqs
        if self.site:
            yield self.site


# --- field types -------------------------------------------------------------------------------------------


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
    value = value.strip()
    if not value:
        raise ValueError(f"{name} is empty; write a value")
    control = CONTROL_RE.search(value)
    if control:  # written as a YAML escape such as "\a", so the check on the raw file did not see it
        raise ValueError(f"{name} has the invalid control character U+{ord(control.group()):04X}; delete it")
    if one_line and "\n" in value:
        raise ValueError(f"{name} must be one line")
    if max_chars and len(value) > max_chars:
        raise ValueError(f"{name} is {len(value)} characters; the limit is {max_chars}, so shorten it")
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
        raise ValueError(f"{name} {value!r} must be lowercase letters, digits and single hyphens, e.g. what-is-iop")
    return value


def fact_key(value, name):
    value = text(value, name)
    if not FACT_KEY_RE.match(value) or len(value) > 60:
        raise ValueError(f"{name} {value!r} must be lowercase letters, digits, hyphens or underscores")
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


def list_of(item_type):
    def check(value, name):
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list, one '- item' per line")
        items = [item_type(item, f"{name} item {i}") for i, item in enumerate(value, 1)]
        if len(set(items)) != len(items):
            raise ValueError(f"{name} lists the same item twice")
        return items

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
        title = text(item["title"], f"{name} item {i} title")
        url = text(item["url"], f"{name} item {i} url")
        if not re.match(r"^https?://[^\s/]+\.[^\s/]+", url):
            raise ValueError(f"{name} item {i} url must be a full web address starting with https://")
        result.append({"title": title, "url": url})
    return result


# Each kind of file: its fields as (checker, required, default).
SCHEMAS = {
    "topic": {
        "slug": (slug, True, None),
        "title": (text, True, None),
        "description": (text, True, None),
        "order": (integer, True, None),
    },
    "fact": {
        "key": (fact_key, True, None),
        "label": (text, True, None),
        "value": (text, True, None),
        "order": (integer, True, None),
    },
    "faq": {
        "question": (text, True, None),
        "slug": (slug, True, None),
        "summary": (lambda v, n: text(v, n, max_chars=SUMMARY_MAX_CHARS), True, None),
        "topic": (slug, True, None),
        "related": (list_of(slug), False, []),
        "order": (integer, True, None),
        "reviewed": (iso_date, True, None),
        "reviewer": (optional_text, False, ""),
        "sources": (sources, False, []),
        "status": (status, False, "published"),
        "aliases": (list_of(slug), False, []),
    },
    "site": {
        "name": (text, True, None),
        "phone": (text, True, None),
        "email": (optional_text, False, ""),
        "address": (multiline_text, True, None),
        "hours": (text, True, None),
        "intake": (list_of(text), True, None),
    },
}
# Kinds whose files carry a markdown body; the others must not.
KINDS_WITH_BODY = {"fact", "faq", "site"}
FOLDERS = {"topics": "topic", "facts": "fact", "faqs": "faq"}
SITE_FILE = "site.md"
IGNORED_FILES = {"README.md", "search.md"}


# --- YAML -------------------------------------------------------------------------------------------------

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


class _StrictLoader(_BaseLoader):
    """A safe loader that refuses duplicate keys and reports impossible dates with their line."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _YamlProblem(key_node.start_mark.line, f"key {key!r} must be a word such as 'question'")
            if key in seen:
                raise _YamlProblem(
                    key_node.start_mark.line,
                    f"'{key}' appears twice (also on line {seen[key] + 2}); keep one",
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise _YamlProblem(node.start_mark.line, f"{node.value!r} is not a real date; write YYYY-MM-DD") from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


class _YamlProblem(Exception):
    def __init__(self, line, message):
        self.line = line
        self.message = message


def _check_node_tree(root):
    """Reject anchors and aliases, explicit tags, and nesting deeper than front matter ever needs."""
    seen = set()
    too_deep = None
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        # An alias is the same node object met twice; stopping there keeps a "billion laughs" file cheap.
        if id(node) in seen:
            raise _YamlProblem(node.start_mark.line, "YAML anchors and aliases (& and *) are not allowed")
        seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            raise _YamlProblem(node.start_mark.line, f"YAML tag {node.tag!r} is not allowed; remove the '!' tag")
        if depth > MAX_YAML_DEPTH:
            too_deep = too_deep or node
            continue
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    if too_deep is not None:
        raise _YamlProblem(too_deep.start_mark.line, f"values are nested more than {MAX_YAML_DEPTH} levels deep")


def _load_yaml(source):
    """Return (mapping, {key: line offset}) for front matter, or raise _YamlProblem."""
    loader = _StrictLoader(source)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            bad_line = source.split("\n")[mark.line] if mark and mark.line < source.count("\n") + 1 else ""
            hint = ""
            if "mapping values are not allowed" in str(exc.problem):
                hint = "; if a value contains a colon, put the whole value in quotes"
            elif "\t" in bad_line:
                hint = "; indent with spaces, not tabs"
            elif "maximum nesting depth" in str(exc.problem):
                hint = f"; values may be nested at most {MAX_YAML_DEPTH} levels deep"
            raise _YamlProblem(
                mark.line if mark else 0, f"front matter is not valid YAML: {exc.problem}{hint}"
            ) from None
        except yaml.YAMLError as exc:
            raise _YamlProblem(0, f"front matter is not valid YAML: {exc}") from None
        except RecursionError:
            raise _YamlProblem(0, "front matter is nested too deeply") from None
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise _YamlProblem(
                node.start_mark.line, "front matter must be 'key: value' lines, not a list or a single value"
            )
        _check_node_tree(node)
        lines = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(key_node.value, key_node.start_mark.line)
        try:
            data = loader.construct_document(node)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise _YamlProblem(mark.line if mark else 0, f"front matter is not valid: {exc.problem}") from None
        except RecursionError:
            raise _YamlProblem(0, "front matter is nested too deeply") from None
        return data, lines
    finally:
        loader.dispose()


# --- one file ---------------------------------------------------------------------------------------------


def decode(raw: bytes, path: str) -> str:
    """Bytes to text: UTF-8 only (a leading BOM is fine), newlines normalised, no control characters."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw.count(b"\x00") > len(raw) // 4 > 0:
        raise ContentError([Problem(path, None, "the file is UTF-16; save it as UTF-8")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    path,
                    line,
                    f"byte 0x{raw[exc.start]:02x} is not UTF-8 (Latin-1 or Windows text?); save the file as UTF-8",
                )
            ]
        ) from None
    source = source.replace("\r\n", "\n")
    problems = []
    for number, line in enumerate(source.split("\n"), 1):
        match = CONTROL_RE.search(line)
        if match:
            char = line[match.start()]
            problems.append(Problem(path, number, f"invalid control character U+{ord(char):04X}; delete it"))
    if problems:
        raise ContentError(problems[:20])
    return source


def parse(raw: bytes, path: str, kind: str) -> Entry:
    """Parse one file's bytes into an Entry of the given kind, or raise ContentError."""
    source = decode(raw, path)
    lines = source.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ContentError([Problem(path, 1, "the file must start with a line '---' and its front matter")])
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if closing is None:
        raise ContentError([Problem(path, 1, "the front matter opened on line 1 has no closing '---' line")])
    try:
        data, key_lines = _load_yaml("\n".join(lines[1:closing]))
    except _YamlProblem as exc:
        raise ContentError([Problem(path, exc.line + 2, exc.message)]) from None
    key_lines = {key: line + 2 for key, line in key_lines.items()}
    body = "\n".join(lines[closing + 1 :]).strip()
    body_line = closing + 2
    while body_line <= len(lines) and not lines[body_line - 1].strip():
        body_line += 1

    schema = SCHEMAS[kind]
    problems = []
    clean = {}
    for key in data:
        if key not in schema:
            problems.append(
                Problem(path, key_lines.get(key), f"unknown field '{key}'; the fields are: {', '.join(schema)}")
            )
    for key, (check, required, default) in schema.items():
        if key not in data or data[key] is None:
            if required:
                problems.append(Problem(path, 1, f"missing required field '{key}'"))
            else:
                clean[key] = list(default) if isinstance(default, list) else default
            continue
        try:
            clean[key] = check(data[key], key)
        except ValueError as exc:
            problems.append(Problem(path, key_lines.get(key), str(exc)))
    if kind not in KINDS_WITH_BODY and body:
        problems.append(
            Problem(path, body_line, "this kind of file has no body; delete the text after the closing '---'")
        )
    problems.extend(Problem(path, body_line + offset, message) for offset, message in markdown_shape(body))
    if kind == "faq" and not body:
        problems.append(Problem(path, body_line, "the answer (the text after the closing '---') is empty"))
    if problems:
        raise ContentError(problems)
    return Entry(kind, path, clean, body, hashlib.sha256(raw).hexdigest(), key_lines, body_line)


_BRACKET_TOKEN_RE = re.compile(r"\\.|\[|\]|\n[ \t]*(?=\n)")


def markdown_shape(body):
    """(line offset, message) for markdown built to be slow: deeply nested brackets, walls of * or _ marks."""
    problems = []
    if body.count("*") + body.count("_") > MAX_EMPHASIS_MARKS_PER_LINE:
        for offset, line in enumerate(body.split("\n")):
            marks = line.count("*") + line.count("_")
            if marks > MAX_EMPHASIS_MARKS_PER_LINE:
                message = f"{marks} * or _ marks on one line; use at most {MAX_EMPHASIS_MARKS_PER_LINE}"
                problems.append((offset, message))
    if body.count("[") > MAX_BRACKET_DEPTH:
        depth = 0
        for match in _BRACKET_TOKEN_RE.finditer(body):
            found = match.group()
            if found == "[":
                depth += 1
                if depth > MAX_BRACKET_DEPTH:
                    message = f"brackets [ ] are nested more than {MAX_BRACKET_DEPTH} deep; a link needs one pair"
                    problems.append((body.count("\n", 0, match.start()), message))
                    break
            elif found == "]":
                depth = max(depth - 1, 0)
            elif found.startswith("\n"):
                depth = 0  # a blank line ends the paragraph, and any link in it
    return sorted(problems)


# --- the folder -------------------------------------------------------------------------------------------


def _display(root: Path, path: Path) -> str:
    """The path as messages show it, from the content folder's name; bytes that are not UTF-8 shown as \\xNN."""
    rel = f"{root.name}/{path.parent.name}/{path.name}" if path.parent.parent == root else f"{root.name}/{path.name}"
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def read_file(root: Path, path: Path, shown: str) -> bytes:
    """Read a regular file inside root, refusing links out of the folder, pipes and oversized files."""
    try:
        path.name.encode("utf-8")  # undecodable bytes in a name arrive as lone surrogates, which cannot be encoded
    except UnicodeEncodeError:
        raise ContentError([Problem(shown, None, "the file name is not valid UTF-8; rename the file")]) from None
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve()
            except RuntimeError:  # a link loop (Python before 3.13 raises RuntimeError, later OSError)
                raise ContentError([Problem(shown, None, "the file is a link that points to itself")]) from None
            if not target.is_relative_to(root.resolve()):
                raise ContentError(
                    [Problem(shown, None, "the file is a link to somewhere outside content/; copy the file in instead")]
                )
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError([Problem(shown, None, "not a regular file (a pipe, device or folder?); remove it")])
        if info.st_size > MAX_FILE_BYTES:
            raise ContentError(
                [Problem(shown, None, f"the file is {info.st_size} bytes; the limit is {MAX_FILE_BYTES} (256 KiB)")]
            )
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ContentError([Problem(shown, None, "not a regular file; remove it")])
            chunks, size = [], 0
            while size <= MAX_FILE_BYTES and (chunk := os.read(fd, MAX_FILE_BYTES + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
            raw = b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ContentError([Problem(shown, None, f"cannot be read: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError([Problem(shown, None, f"the file is over the limit of {MAX_FILE_BYTES} bytes (256 KiB)")])
    return raw


def discover(root: Path):
    """Yield (path, shown name, kind) for every content file, and Problems for files in the wrong place."""
    if not root.is_dir():
        yield None, str(root), f"the content folder {root} does not exist"
        return
    for child in sorted(root.iterdir()):
        shown = _display(root, child)
        if child.name.startswith("."):
            continue
        if child.name in FOLDERS and child.is_symlink():
            yield None, shown, "this folder is a link; content folders must be real folders inside content/"
        elif child.name in FOLDERS and child.is_dir():
            for path in (child / name for name in sorted(os.listdir(child))):
                if path.name.startswith("."):
                    continue
                if path.name.endswith(".md"):
                    yield path, _display(root, path), FOLDERS[child.name]
                elif path.is_dir():
                    yield None, _display(root, path), "sub-folders are not read; move the files up one level"
        elif child.name == SITE_FILE:
            yield child, shown, "site"
        elif child.name in IGNORED_FILES:
            continue
        elif child.name.endswith(".md"):
            yield None, shown, f"content files go in {', '.join(sorted(FOLDERS))}/ or {SITE_FILE}; move this file"


def tree_hashes(root: Path):
    """{shown path: sha256} of every content file, read with the same safety checks as read_tree; None if any
    file has a problem (read_tree then reports it)."""
    root = Path(root).absolute()
    hashes = {}
    try:
        for path, shown, _kind in discover(root):
            if path is None:
                return None
            hashes[shown] = hashlib.sha256(read_file(root, path, shown)).hexdigest()
    except ContentError:
        return None
    return hashes


def read_tree(root: Path) -> ContentSet:
    """Parse and cross-check every file under root; raise ContentError listing every problem found."""
    root = Path(root).absolute()  # messages and bookkeeping name files from the folder's own name
    content = ContentSet()
    problems = []
    for path, shown, kind in discover(root):
        if path is None:
            problems.append(Problem(shown, None, kind))
            continue
        try:
            entry = parse(read_file(root, path, shown), shown, kind)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if kind == "site":
            content.site = entry
        else:
            getattr(content, kind + "s").append(entry)
    problems.extend(cross_check(content))
    if problems:
        raise ContentError(problems)
    return content


def cross_check(content: ContentSet):
    """Problems that involve more than one file: duplicates, clashes and references to nothing."""
    problems = []

    def unique(entries, key, label):
        seen = {}
        for entry in entries:
            value = entry.data[key]
            if value in seen:
                other = seen[value]
                problems.append(
                    Problem(entry.path, entry.line_of(key), f"{label} '{value}' is also used by {other.path}")
                )
            else:
                seen[value] = entry
        return seen

    topics = unique(content.topics, "slug", "topic slug")
    facts = unique(content.facts, "key", "fact key")
    faqs = unique(content.faqs, "slug", "slug")

    aliases = {}
    for entry in content.faqs:
        for alias in entry.data["aliases"]:
            if alias in faqs:
                owner = faqs[alias]
                problems.append(
                    Problem(entry.path, entry.line_of("aliases"), f"alias '{alias}' is the slug of {owner.path}")
                )
            elif alias in aliases and aliases[alias] is not entry:
                problems.append(
                    Problem(
                        entry.path,
                        entry.line_of("aliases"),
                        f"alias '{alias}' is also an alias in {aliases[alias].path}",
                    )
                )
            aliases[alias] = entry

    for entry in content.faqs:
        if entry.data["topic"] not in topics:
            problems.append(
                Problem(entry.path, entry.line_of("topic"), f"topic '{entry.data['topic']}' does not exist in topics/")
            )
        for target in entry.data["related"]:
            if target == entry.data["slug"]:
                problems.append(Problem(entry.path, entry.line_of("related"), "an FAQ cannot be related to itself"))
            elif target not in faqs:
                problems.append(Problem(entry.path, entry.line_of("related"), f"related FAQ '{target}' does not exist"))

    for entry in content.entries():
        problems.extend(check_references(entry, facts, set(faqs) | set(aliases)))
    return problems


def check_references(entry: Entry, fact_keys, faq_slugs):
    """Unknown {{ fact:KEY }} tokens and [text](faq:SLUG) links in a body, with their lines."""
    problems = []
    for offset, line in enumerate(entry.body.split("\n")):
        for match in FACT_TOKEN_RE.finditer(line):
            if match.group(1) not in fact_keys:
                problems.append(
                    Problem(
                        entry.path, entry.body_line + offset, f"unknown fact '{match.group(1)}' in {match.group(0)}"
                    )
                )
        for match in FAQ_LINK_RE.finditer(line):
            if match.group(1) not in faq_slugs:
                problems.append(
                    Problem(entry.path, entry.body_line + offset, f"link to unknown FAQ 'faq:{match.group(1)}'")
                )
    return problems


# --- writing files back ---------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper; lists sit flush under their key ('- item'), as content/README.md shows them."""


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(kind: str, data: dict, body: str) -> str:
    """The canonical file text for an entry: front matter in schema order, then the body."""
    ordered = {}
    for key, (_, required, default) in SCHEMAS[kind].items():
        value = data.get(key)
        if not required and (value is None or value == default):
            continue
        ordered[key] = value
    front = yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
    text = f"---\n{front}---\n"
    if body:
        text += f"\n{body}\n"
    return text


def fingerprint_data(kind: str, data: dict, body: str) -> dict:
    """The comparable form of an entry: what a model's content_data() returns for the same content."""
    result = {key: data.get(key) for key in SCHEMAS[kind]}
    if kind == "faq":
        result["reviewed"] = data["reviewed"].isoformat()
        result["aliases"] = sorted(data["aliases"])
    if kind in KINDS_WITH_BODY:
        result["body"] = body
    return result
