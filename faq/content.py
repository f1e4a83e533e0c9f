"""Content files ⇄ entries: read the markdown files in content/ into validated entries, and write entries back.

Pure functions over files: no ORM, no settings. What each kind of file may hold is defined once, in
faq/kinds.py. Every problem is collected with its file and line, so one run reports everything to fix; a file
that cannot be read is reported once, and what depends on it as skipped because of it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .kinds import (
    CONTROL_RE,
    ENGLISH,
    FACT_TOKEN_RE,
    FACT_TOKEN_START_RE,
    FAQ_LINK_RE,
    FILES,
    FOLDERS,
    KINDS,
    TRANSLATION_FOLDERS,
)
from .kinds import body as check_body

MAX_FILE_BYTES = 256 * 1024
MAX_YAML_DEPTH = 8
# Markdown that no writer needs and that makes renderers slow: brackets nested this deep, or this many emphasis
# marks on one line.
MAX_BRACKET_DEPTH = 10
MAX_EMPHASIS_MARKS_PER_LINE = 100
IGNORED_FILES = {"README.md"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    field: str = ""  # the field it is about, when there is one (the admin shows it there)
    skipped: bool = False  # not a fault of this file: it uses something that could not be read

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ContentError(Exception):
    """One or more content files cannot be loaded; `problems` says where and why."""

    def __init__(self, problems):
        self.problems = sorted(problems, key=lambda p: (p.skipped, p.path, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def causes(self):
        return [p for p in self.problems if not p.skipped]


@dataclass
class Entry:
    kind: str
    path: str
    data: dict
    body: str
    sha256: str = ""  # of the file's bytes, when it came from a file
    lines: dict = field(default_factory=dict)
    body_line: int = 1
    language: str = ENGLISH

    def line_of(self, key):
        return self.lines.get(key, 1)

    @property
    def name(self):
        """Its slug or key ('site' for the site file): what commands take and messages show."""
        return KINDS[self.kind].name_of(self.data)

    @property
    def title(self):
        return KINDS[self.kind].title(self.data, self.language)

    @property
    def fields(self):
        return KINDS[self.kind].fields_for(self.language)

    @property
    def names(self):
        """What commands take for it: its slug or key, or kind:name (a slug can be a topic's and an FAQ's);
        a translation's begin with its language, e.g. es:que-es-un-programa."""
        prefix = "" if self.language == ENGLISH else f"{self.language}:"
        return {prefix + self.name, f"{prefix}{self.kind}:{self.name}"}


@dataclass
class ContentSet:
    """Every entry read from a content folder, in every language."""

    items: list = field(default_factory=list)

    def add(self, entry):
        self.items.append(entry)

    def of(self, kind_name, language=None):
        """The entries of one kind, in one language or all."""
        return [e for e in self.items if e.kind == kind_name and (language is None or e.language == language)]

    def entries(self):
        for kind_name in ("topic", "fact", "faq", "site", "search"):
            yield from self.of(kind_name)

    def languages(self):
        return sorted({entry.language for entry in self.items}, key=lambda language: language != ENGLISH)

    @property
    def topics(self):
        return self.of("topic")

    @property
    def facts(self):
        return self.of("fact")

    @property
    def faqs(self):
        return self.of("faq")

    @property
    def site(self):
        return next(iter(self.of("site", ENGLISH)), None)

    @property
    def search(self):
        return next(iter(self.of("search")), None)


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
        _check_node(node, seen)
        if depth > MAX_YAML_DEPTH:
            too_deep = too_deep or node
            continue
        stack.extend((child, depth + 1) for child in _children(node))
    if too_deep is not None:
        raise _YamlProblem(too_deep.start_mark.line, f"values are nested more than {MAX_YAML_DEPTH} levels deep")


def _check_node(node, seen):
    # An alias is the same node object met twice; stopping there keeps a "billion laughs" file cheap.
    if id(node) in seen:
        raise _YamlProblem(node.start_mark.line, "YAML anchors and aliases (& and *) are not allowed")
    seen.add(id(node))
    if node.tag not in _ALLOWED_TAGS:
        raise _YamlProblem(node.start_mark.line, f"YAML tag {node.tag!r} is not allowed; remove the '!' tag")


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _yaml_hint(problem, bad_line):
    if "mapping values are not allowed" in str(problem):
        return "; if a value contains a colon, put the whole value in quotes"
    if "\t" in bad_line:
        return "; indent with spaces, not tabs"
    if "maximum nesting depth" in str(problem):
        return f"; values may be nested at most {MAX_YAML_DEPTH} levels deep"
    return ""


def _compose(loader, source):
    """The front matter's node tree, or _YamlProblem with the line and a hint."""
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        bad_line = source.split("\n")[mark.line] if mark and mark.line < source.count("\n") + 1 else ""
        message = f"front matter is not valid YAML: {exc.problem}{_yaml_hint(exc.problem, bad_line)}"
        raise _YamlProblem(mark.line if mark else 0, message) from None
    except yaml.YAMLError as exc:
        raise _YamlProblem(0, f"front matter is not valid YAML: {exc}") from None
    except RecursionError:
        raise _YamlProblem(0, "front matter is nested too deeply") from None


def _construct(loader, node):
    try:
        return loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _YamlProblem(mark.line if mark else 0, f"front matter is not valid: {exc.problem}") from None
    except RecursionError:
        raise _YamlProblem(0, "front matter is nested too deeply") from None


def _load_yaml(source):
    """Return (mapping, {key: line offset}) for front matter, or raise _YamlProblem."""
    loader = _StrictLoader(source)
    try:
        node = _compose(loader, source)
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
        return _construct(loader, node), lines
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
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    problems = []
    for number, line in enumerate(source.split("\n"), 1):
        match = CONTROL_RE.search(line)
        if match:
            char = line[match.start()]
            problems.append(Problem(path, number, f"invalid control character U+{ord(char):04X}; delete it"))
    if problems:
        raise ContentError(problems[:20])
    return source


def split_front_matter(source: str, path: str):
    """(front matter text, its first line number, body text, the body's first line number)."""
    lines = source.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ContentError([Problem(path, 1, "the file must start with a line '---' and its front matter")])
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if closing is None:
        raise ContentError([Problem(path, 1, "the front matter opened on line 1 has no closing '---' line")])
    body_line = closing + 2
    while body_line <= len(lines) and not lines[body_line - 1].strip():
        body_line += 1
    return "\n".join(lines[1:closing]), 2, "\n".join(lines[closing + 1 :]), body_line


def with_front_matter_line(source: str, path: str, name: str, value: str) -> str:
    """The file's text with one front-matter field set to a plain value (its line replaced, or added before the
    closing '---'), every other line as the writer left it."""
    split_front_matter(source, path)  # the same errors as parsing for a file with no front matter
    lines = source.split("\n")
    closing = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    line = f"{name}: {value}"
    for number in range(1, closing):
        if re.match(rf"{re.escape(name)}[ \t]*:", lines[number]):
            lines[number] = line
            return "\n".join(lines)
    return "\n".join([*lines[:closing], line, *lines[closing:]])


def parse(raw: bytes, path: str, kind: str, language: str = ENGLISH) -> Entry:
    """Parse one file's bytes into an Entry of the given kind and language, or raise ContentError."""
    front, front_line, body, body_line = split_front_matter(decode(raw, path), path)
    try:
        data, key_lines = _load_yaml(front)
    except _YamlProblem as exc:
        raise ContentError([Problem(path, exc.line + front_line, exc.message)]) from None
    key_lines = {key: line + front_line for key, line in key_lines.items()}
    entry = Entry(kind, path, {}, "", hashlib.sha256(raw).hexdigest(), key_lines, body_line, language)
    problems = validate(entry, data, body)
    if problems:
        raise ContentError(problems)
    return entry


def validate(entry: Entry, data: dict, body: str) -> list[Problem]:
    """Check raw front-matter values and a body against the kind's definition; fill entry.data and entry.body
    with the clean values. Files and admin forms both come through here."""
    spec = KINDS[entry.kind]
    problems = _unknown_fields(entry, data)
    for item in entry.fields:
        problem = _field_value(entry, data.get(item.name), item)
        if problem:
            problems.append(problem)
    return problems + _body_problems(entry, body, spec)


def _unknown_fields(entry, data):
    known = {f.name for f in entry.fields}
    names = ", ".join(f.name for f in entry.fields)
    return [
        Problem(entry.path, entry.lines.get(key), f"unknown field '{key}'; the fields are: {names}")
        for key in data
        if key not in known
    ]


def _field_value(entry, value, item):
    """Set the field's clean value on the entry; return a Problem instead if it has none."""
    if value is None or (value == "" and not item.required):
        if item.required:
            return Problem(entry.path, 1, f"missing required field '{item.name}'", item.name)
        entry.data[item.name] = list(item.default) if isinstance(item.default, list) else item.default
        return None
    try:
        entry.data[item.name] = item.check(value, item.name)
    except ValueError as exc:
        return Problem(entry.path, entry.lines.get(item.name), str(exc), item.name)
    return None


def _body_problems(entry, body, spec):
    if not spec.has_body:
        if body.strip():
            message = "this kind of file has no body; delete the text after the closing '---'"
            return [Problem(entry.path, entry.body_line, message)]
        return []
    try:
        entry.body = check_body(body, spec.body_label, required=spec.body_required)
    except ValueError as exc:
        return [Problem(entry.path, entry.body_line, str(exc), "body")]
    return [Problem(entry.path, entry.body_line + offset, msg, "body") for offset, msg in markdown_shape(entry.body)]


_BRACKET_TOKEN_RE = re.compile(r"\\.|\[|\]|\n[ \t]*(?=\n)")


MAX_SHAPE_PROBLEMS = 20


def markdown_shape(body):
    """(line offset, message) for markdown built to be slow (deeply nested brackets, walls of * or _ marks), and
    fact tokens that are not complete; at most MAX_SHAPE_PROBLEMS, so a hostile body costs linear time."""
    problems = _incomplete_fact_tokens(body) + _emphasis_walls(body) + _deep_brackets(body)
    return sorted(problems)[:MAX_SHAPE_PROBLEMS]


def _incomplete_fact_tokens(body):
    problems, line, position = [], 0, 0
    for match in FACT_TOKEN_START_RE.finditer(body):
        if not FACT_TOKEN_RE.match(body, match.start()):
            line += body.count("\n", position, match.start())
            position = match.start()
            problems.append((line, "a {{ fact:KEY }} token is not complete; write it as {{ fact:KEY }} on one line"))
            if len(problems) == MAX_SHAPE_PROBLEMS:
                break
    return problems


def _emphasis_walls(body):
    if body.count("*") + body.count("_") <= MAX_EMPHASIS_MARKS_PER_LINE:
        return []
    problems = []
    for offset, line in enumerate(body.split("\n")):
        marks = line.count("*") + line.count("_")
        if marks > MAX_EMPHASIS_MARKS_PER_LINE:
            problems.append((offset, f"{marks} * or _ marks on one line; use at most {MAX_EMPHASIS_MARKS_PER_LINE}"))
    return problems[:MAX_SHAPE_PROBLEMS]


def _deep_brackets(body):
    if body.count("[") <= MAX_BRACKET_DEPTH:
        return []
    depth = 0
    for match in _BRACKET_TOKEN_RE.finditer(body):
        found = match.group()
        if found.startswith("\n"):
            depth = 0  # a blank line ends the paragraph, and any link in it
        elif found in "[]":
            depth = depth + 1 if found == "[" else max(depth - 1, 0)
        if depth > MAX_BRACKET_DEPTH:
            message = f"brackets [ ] are nested more than {MAX_BRACKET_DEPTH} deep; a link needs one pair"
            return [(body.count("\n", 0, match.start()), message)]
    return []


# --- the folder -------------------------------------------------------------------------------------------


def _display(root: Path, path: Path) -> str:
    """The path as messages show it, from the content folder's name; bytes that are not UTF-8 shown as \\xNN."""
    rel = f"{root.name}/{path.relative_to(root).as_posix()}"
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _refuse(shown, message):
    return ContentError([Problem(shown, None, message)])


def read_file(root: Path, path: Path, shown: str) -> bytes:
    """Read a regular file inside root, refusing links out of the folder, pipes and oversized files."""
    try:
        path.name.encode("utf-8")  # undecodable bytes in a name arrive as lone surrogates, which cannot be encoded
    except UnicodeEncodeError:
        raise _refuse(shown, "the file name is not valid UTF-8; rename the file") from None
    try:
        info = _regular_file_info(root, path, shown)
        if info.st_size > MAX_FILE_BYTES:
            raise _refuse(shown, f"the file is {info.st_size} bytes; the limit is {MAX_FILE_BYTES} (256 KiB)")
        raw = _read_at_most(path, shown, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _refuse(shown, f"cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse(shown, f"the file is over the limit of {MAX_FILE_BYTES} bytes (256 KiB)")
    return raw


def _regular_file_info(root, path, shown):
    """stat() of a regular file, following a link only if it stays inside root."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve()
        except RuntimeError:  # a link loop (Python before 3.13 raises RuntimeError, later OSError)
            raise _refuse(shown, "the file is a link that points to itself") from None
        if not target.is_relative_to(root.resolve()):
            raise _refuse(shown, "the file is a link to somewhere outside content/; copy the file in instead")
        info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(shown, "not a regular file (a pipe, device or folder?); remove it")
    return info


def _read_at_most(path, shown, limit):
    """Read up to limit bytes without blocking on a pipe swapped in since the check."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refuse(shown, "not a regular file; remove it")
        chunks, size = [], 0
        while size < limit and (chunk := os.read(fd, limit - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def discover(root: Path):
    """Yield (path, shown name, kind, language) for every content file, and (None, shown name, problem, None) for
    files in the wrong place. Translations live in content/<language>/, laid out like content/ itself."""
    if not root.is_dir():
        yield None, str(root), f"the content folder {root} does not exist", None
        return
    yield from _discover_language(root, root, ENGLISH)
    for language, folder in TRANSLATION_FOLDERS.items():
        where = root / folder
        if where.is_symlink():
            yield None, _display(root, where), "this folder is a link; it must be a real folder inside content/", None
        elif where.is_dir():
            yield from _discover_language(root, where, language)


def _discover_language(root, where, language):
    translated = where != root
    for child in sorted(where.iterdir()):
        skip = child.name.startswith(".") or child.name in IGNORED_FILES
        skip = skip or (not translated and child.name in TRANSLATION_FOLDERS.values())
        if not skip:
            yield from _discover_child(root, child, language)


def _discover_child(root, child, language):
    shown = _display(root, child)
    if child.name in FOLDERS:
        if child.is_symlink():
            yield None, shown, "this folder is a link; content folders must be real folders inside content/", None
        elif child.is_dir():
            yield from _discover_folder(root, child, language)
    elif child.name in FILES and (language == ENGLISH or child.name != "search.md"):
        yield child, shown, FILES[child.name], language
    elif child.name.endswith(".md"):
        places = f"{', '.join(sorted(FOLDERS))}/, or be {' or '.join(sorted(FILES))}"
        yield None, shown, f"content files go in {places}; move this file", None


def _discover_folder(root, folder, language):
    shown_folder = _display(root, folder)  # once, not per file: relative_to() is slow over 10,000 files
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if name.startswith("."):
            continue
        if name.endswith(".md"):
            yield (
                path,
                f"{shown_folder}/{os.fsencode(name).decode('utf-8', 'backslashreplace')}",
                FOLDERS[folder.name],
                language,
            )
        elif path.is_dir():
            yield None, _display(root, path), "sub-folders are not read; move the files up one level", None


def tree_hashes(root: Path):
    """{shown path: sha256} of every content file, read with the same safety checks as read_tree; None if any
    file has a problem (read_tree then reports it)."""
    root = Path(root).absolute()
    hashes = TreeHashes(root, list(discover(root)))
    try:
        for path, shown, _kind, _language in hashes.found:
            if path is None:
                return None
            hashes[shown] = hashlib.sha256(read_file(root, path, shown)).hexdigest()
    except ContentError:
        return None
    return hashes


class TreeHashes(dict):
    """{shown path: sha256}, with the folder and the files discover() found there, so read_tree need not look
    again."""

    def __init__(self, root, found):
        super().__init__()
        self.root, self.found = root, found


def read_tree(root: Path, memo=None, hashes=None) -> ContentSet:
    """Parse and cross-check every file under root; raise ContentError listing every problem found.

    A file that cannot be parsed is reported once; entries that refer to it are reported as skipped because of
    it, not as faults of their own. `memo` (faq/filecache.py) hands back the entry of a file whose bytes it has
    seen parse before, and is told of each file parsed anew; the cross-check always runs over every entry.
    `hashes`, what tree_hashes just read, spares reading again a file the memo knows by its hash.
    """
    root = Path(root).absolute()  # messages and bookkeeping name files from the folder's own name
    content = ContentSet()
    problems = []
    broken = {}  # (kind, name) -> "path:line" of a file that could not be read
    found = hashes.found if isinstance(hashes, TreeHashes) and hashes.root == root else discover(root)
    for path, shown, kind, language in found:
        if path is None:
            problems.append(Problem(shown, None, kind))
            continue
        raw = b""
        try:
            asked = memo is not None and shown in (hashes or {})
            known = memo.entry(shown, hashes[shown], kind, language) if asked else None
            if known is None:
                raw = read_file(root, path, shown)
            content.add(known or _parsed(raw, shown, kind, language, memo, asked))
        except ContentError as exc:
            problems.extend(exc.problems)
            cause = exc.problems[0]
            for name in _names_in_broken_file(path, raw, kind):
                broken[(language, kind, name)] = f"{cause.path}:{cause.line}" if cause.line else cause.path
    problems.extend(cross_check(content, broken))
    if problems:
        raise ContentError(problems)
    return content


def _parsed(raw, shown, kind, language, memo, asked):
    """The entry of a file's bytes: the memo's, unless it was `asked` already (by the hash tree_hashes read), or
    parsed, and the memo told of it."""
    entry = None if memo is None or asked else memo.entry(shown, hashlib.sha256(raw).hexdigest(), kind, language)
    if entry is None:
        entry = parse(raw, shown, kind, language)
        if memo is not None:
            memo.remember(entry)
    return entry


_KEY_LINE_RE = re.compile(rb"^(?:slug|key):[ \t]*['\"]?([A-Za-z0-9_-]{1,100})", re.MULTILINE)


def _names_in_broken_file(path: Path, raw: bytes, kind: str):
    """The names other files may use for an entry whose file could not be parsed: its file name and its slug or
    key line, if one can be read."""
    names = {path.stem}
    if KINDS[kind].key:
        names.update(match.decode() for match in _KEY_LINE_RE.findall(raw[:4096]))
    return names


class _CrossCheck:
    """Problems that involve more than one file: duplicates, clashes and references to nothing, within each
    language; and each translation's ties to the English entry it translates. A reference to an entry whose file
    could not be read is reported as skipped because of that file, not as a fault."""

    def __init__(self, content: ContentSet, broken):
        self.content, self.broken, self.problems = content, broken, []
        self.known = {}  # language -> {"topic": {...}, "fact": {...}, "faq": {...}, "alias": {...}}

    def run(self):
        for language in self.content.languages():
            self.check_language(language)
        for entry in self.content.items:
            if entry.language != ENGLISH:
                self.check_translation(entry)
        for language in self.content.languages()[1:]:  # each English entry is translated once per language
            for kind_name in ("topic", "faq"):
                self.unique(self.content.of(kind_name, language), "translation_of", "a translation of")
        search = self.content.search
        if search and search.data["crisis_answer"] not in self.known.get(ENGLISH, {}).get("faq", {}):
            answer = search.data["crisis_answer"]
            self.add(search, "crisis_answer", f"crisis answer '{answer}' is not an FAQ", kind="faq", name=answer)
        return self.problems

    def check_language(self, language):
        of = self.content.of
        known = self.known[language] = {
            "topic": self.unique(of("topic", language), "slug", "topic slug"),
            "fact": self.unique(of("fact", language), "key", "fact key"),
            "faq": self.unique(of("faq", language), "slug", "slug"),
        }
        known["alias"] = self.check_aliases(of("faq", language), known["faq"])
        for entry in of("faq", language):
            self.check_topic_and_related(entry, known)
        names = {
            "fact": known["fact"].keys(),
            "faq": known["faq"].keys() | known["alias"].keys(),
        }  # once, not per entry
        for kind_name in ("topic", "fact", "faq", "site", "search"):
            for entry in of(kind_name, language):
                self.check_references(entry, names)

    def add(self, entry, key, message, *, line=None, kind="", name="", language=None):
        cause = self.broken.get((language or entry.language, kind, name))
        if cause:
            message = f"skipped: uses {kind} '{name}', whose file could not be read ({cause}); fix that file first"
        self.problems.append(Problem(entry.path, line or entry.line_of(key), message, key, skipped=bool(cause)))

    def unique(self, entries, key, label):
        seen = {}
        for entry in entries:
            value = entry.data[key]
            if value in seen:
                self.add(entry, key, f"{label} '{value}' is also used by {seen[value].path}")
            seen.setdefault(value, entry)
        return seen

    def check_aliases(self, faqs, by_slug):
        aliases = {}
        for entry in faqs:
            for alias in entry.data["aliases"]:
                owner = by_slug.get(alias) or aliases.get(alias)
                if owner is not None and owner is not entry:
                    what = "the slug" if alias in by_slug else "also an alias"
                    self.add(entry, "aliases", f"alias '{alias}' is {what} of {owner.path}")
                aliases.setdefault(alias, entry)
        return aliases

    def check_topic_and_related(self, entry, known):
        topic = entry.data["topic"]
        if topic not in known["topic"]:
            self.add(entry, "topic", f"topic '{topic}' does not exist in topics/", kind="topic", name=topic)
        for target in entry.data["related"]:
            if target == entry.data["slug"]:
                self.add(entry, "related", "an FAQ cannot be related to itself")
            elif target not in known["faq"]:
                self.add(entry, "related", f"related FAQ '{target}' does not exist", kind="faq", name=target)

    def check_references(self, entry, names):
        for line, field_name, found, token in references(entry):
            if token in names[found]:
                continue
            message = (
                f"unknown fact '{token}' in {{{{ fact:{token} }}}}"
                if found == "fact"
                else f"link to unknown FAQ 'faq:{token}'"
            )
            self.add(entry, field_name, message, line=line, kind=found, name=token)

    def check_translation(self, entry):
        """A translation names an English entry that exists, is its only translation, and (an answer) sits in the
        translation of its English topic; a fact translates an English fact of the same key."""
        english = self.known.get(ENGLISH, {})
        if entry.kind == "fact" and entry.data["key"] not in english.get("fact", {}):
            message = f"there is no English fact '{entry.data['key']}' to translate; a translated fact keeps its key"
            self.add(entry, "key", message, kind="fact", name=entry.data["key"], language=ENGLISH)
        if entry.kind == "site":
            self.check_same_contacts(entry)
        if entry.kind not in ("faq", "topic"):
            return
        original = english.get(entry.kind, {}).get(entry.data["translation_of"])
        if original is None:
            name = entry.data["translation_of"]
            message = f"translation_of '{name}' is not an English {KINDS[entry.kind].label}"
            self.add(entry, "translation_of", message, kind=entry.kind, name=name, language=ENGLISH)
            return
        if entry.kind == "faq":
            self.check_same_topic(entry, original)

    def check_same_contacts(self, entry):
        """A translated site file gives the same phone and email as the English one: readers call one number."""
        english = self.content.of("site", ENGLISH)
        for name in ("phone", "email") if english else ():
            if entry.data[name] != english[0].data[name]:
                theirs = english[0].data[name] or "none"
                self.add(entry, name, f"{name} must be the same as in {english[0].path} ({theirs})")

    def check_same_topic(self, entry, original):
        topic = self.known[entry.language]["topic"].get(entry.data["topic"])
        if topic is not None and topic.data["translation_of"] != original.data["topic"]:
            message = (
                f"topic '{entry.data['topic']}' translates '{topic.data['translation_of']}', but {original.path} is "
                f"in '{original.data['topic']}'; use the translation of that topic"
            )
            self.add(entry, "topic", message)


def cross_check(content: ContentSet, broken=None):
    """Problems that involve more than one file (see _CrossCheck)."""
    return _CrossCheck(content, broken or {}).run()


def references(entry: Entry):
    """(line, field, "fact" or "faq", name) for each {{ fact:KEY }} token and [text](faq:SLUG) link in an entry's
    body, and (facts) in its one-line value, which answers show in their place."""
    texts = [("body", entry.body_line, entry.body)]
    if entry.kind == "fact":
        texts.append(("value", entry.line_of("value"), entry.data.get("value", "")))
    for field_name, first_line, text in texts:
        found = [
            (first_line + offset, order, field_name, what, name)
            for order, (what, pattern) in enumerate((("fact", FACT_TOKEN_RE), ("faq", FAQ_LINK_RE)))
            for offset, name in matches_by_line(pattern, text)
        ]
        for line, _order, field_name_, what, name in sorted(found, key=lambda item: item[:2]):
            yield line, field_name_, what, name


def matches_by_line(pattern, text):
    """(line offset, first group) of each match of a pattern that cannot span lines, in one pass over the text:
    the same as matching line by line, without splitting it."""
    line, counted = 0, 0
    for match in pattern.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        yield line, match.group(1)


# --- writing entries as files ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper; lists sit flush under their key ('- item'), as content/README.md shows them."""


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(entry: Entry) -> str:
    """The canonical file text for an entry: front matter in the kind's field order, defaults left out, then the
    body. Two entries are the same content exactly when their file texts are equal."""
    ordered = {}
    for item in entry.fields:
        value = entry.data.get(item.name)
        if not item.is_default(value):
            ordered[item.name] = value
    front = yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
    text = f"---\n{front}---\n"
    if entry.body:
        text += f"\n{entry.body}\n"
    return text


def fingerprint(entry: Entry) -> str:
    """What a version of an entry is, for comparing file, database and pending versions: the values its file
    holds (defaults left out, as in dump) and its body, hashed. Equal exactly when the file texts are equal."""
    kept = [
        [item.name, entry.data.get(item.name)]
        for item in entry.fields
        if not item.is_default(entry.data.get(item.name))
    ]
    identity = (
        [entry.kind, kept, entry.body] if entry.language == ENGLISH else [entry.kind, entry.language, kept, entry.body]
    )
    return hashlib.sha256(json.dumps(identity, default=str, sort_keys=True).encode()).hexdigest()


def source_fingerprint(entry: Entry) -> str:
    """What an English entry says, hashed (16 hex digits): a translation records the one it was made from, so
    it knows when the English has changed since. Where the entry is listed, and its review stamp, do not count."""
    said = [[item.name, entry.data.get(item.name)] for item in entry.fields if item.reviewed and not item.stamp]
    return hashlib.sha256(json.dumps([entry.kind, said, entry.body], default=str, sort_keys=True).encode()).hexdigest()[
        :16
    ]


def from_values(kind: str, data: dict, body: str = "", path: str = "", language: str = ENGLISH) -> Entry:
    """Build an Entry from values typed in the admin or kept in the database, with the same checks a file gets,
    plus the round trip: its file text must parse back to the same entry and fit in a file.

    Raises ContentError whose problems name the field they are about.
    """
    path = path or KINDS[kind].title(data, language)
    entry = Entry(kind, path, {}, "", language=language)
    problems = validate(entry, dict(data), body or "")
    if not problems:
        text = dump(entry)
        if len(text.encode()) > MAX_FILE_BYTES:
            problems.append(
                Problem(path, None, f"as a file this entry would be over {MAX_FILE_BYTES // 1024} KiB; shorten it")
            )
        else:
            try:
                again = parse(text.encode(), path, kind, language)
            except ContentError as exc:
                problems.extend(exc.problems)
            else:
                if dump(again) != text:
                    problems.append(Problem(path, None, "would not read back the same from a file; simplify the text"))
    if problems:
        raise ContentError(problems)
    return entry


# --- entries as JSON, for faq/filecache.py ------------------------------------------------------------------
# A parsed entry's values are JSON's own types, but for dates (a review date, a field's whole value), written as
# {"__date__": "…"}: no value a file may hold is an object at a field's top level (the only objects are sources,
# each a title and a url, in a list). Reading back converts top-level objects only, without a hook for every one.


def _to_json(value):
    if isinstance(value, datetime.date):
        return {"__date__": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _from_json(obj):
    return datetime.date.fromisoformat(obj["__date__"]) if set(obj) == {"__date__"} else obj


def entry_json(entry: Entry) -> str:
    """An entry as JSON text: everything parse() found in its file, to be read back by entry_from_json."""
    record = [
        entry.kind,
        entry.path,
        entry.data,
        entry.body,
        entry.sha256,
        entry.lines,
        entry.body_line,
        entry.language,
    ]
    return json.dumps(record, default=_to_json, ensure_ascii=False, separators=(",", ":"))


def entry_from_json(text: str) -> Entry:
    kind, path, data, body, sha256, lines, body_line, language = json.loads(text)
    for name, value in data.items():  # a date is the only object a field holds at its top level
        if isinstance(value, dict):
            data[name] = _from_json(value)
    return Entry(kind, path, data, body, sha256, lines, body_line, language)
