"""Hostile or broken files: load_content names the file (and line), exits non-zero, and changes nothing at all."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from faq.models import FAQ
from tests.conftest import REPO, faq_text
from tests.snapshots import db_snapshot

DELTA = "content/faqs/delta.md"


def load(path):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_content", path=path, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def delta(**kwargs):
    """A new FAQ file's text; its front matter ends on line 9 (+ extra lines) and its body starts two lines on."""
    return faq_text("delta", **kwargs)


def replace(old, new, **kwargs):
    text = delta(**kwargs)
    assert old in text
    return text.replace(old, new)


BILLION_LAUGHS = 'reviewer: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"x{i}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

NOT_ALLOWED_TAG = "YAML tag 'tag:yaml.org,2002:python/{}' is not allowed; remove the '!' tag"
NOT_A_MAPPING = "front matter must be 'key: value' lines, not a list or a single value"
BRACKETS = "brackets [ ] are nested more than 10 deep; a link needs one pair"
BAD_DATE = "reviewed must be a date written YYYY-MM-DD, e.g. 2026-01-31 (got {})"
FIELDS = "question, slug, summary, topic, related, order, reviewed, reviewer, review_months, sources, status, aliases"
BIG = delta(body="a" * 262_144)


def case(name, files, expected):
    """One bad input: the files to add to a loaded folder, and the exact error line load_content must print."""
    if not isinstance(files, dict):
        files = {"faqs/delta.md": files}
    return pytest.param(files, expected, id=name)


CASES = [
    case("latin-1", delta(body="Caf\xe9.").encode("latin-1"), f"{DELTA}:11: byte 0xe9 is not UTF-8 (Latin-1 or "
         "Windows text?); save the file as UTF-8"),
    case("utf-16", delta().encode("utf-16"), f"{DELTA}: the file is UTF-16; save it as UTF-8"),
    case("utf-16-without-bom", delta().encode("utf-16-le"), f"{DELTA}: the file is UTF-16; save it as UTF-8"),
    case("nul", delta(body="One\x00two."), f"{DELTA}:11: invalid control character U+0000; delete it"),
    case("c1-control", delta(body="Next\x85line."), f"{DELTA}:11: invalid control character U+0085; delete it"),
    case("escape-code", delta(body="\x1b[31mRed."), f"{DELTA}:11: invalid control character U+001B; delete it"),
    case("noncharacter", delta(body="Half\ufffe."), f"{DELTA}:11: invalid control character U+FFFE; delete it"),
    case("noncharacter-in-yaml", delta(question="Why\uffff?"), f"{DELTA}:2: invalid control character U+FFFF; "
         "delete it"),
    case("control-as-yaml-escape", delta(question='"Red\\x1b[31m?"'), f"{DELTA}:2: question has the invalid control "
         "character U+001B; delete it"),
    case("control-in-yaml", replace("order: 10", "order: 1\x070"), f"{DELTA}:7: invalid control character U+0007; "
         "delete it"),
    case("over-256-kib", BIG, f"{DELTA}: the file is {len(BIG)} bytes; the limit is 262144 (256 KiB)"),
    case("nested-brackets", delta(body="[" * 5000 + "x" + "](y)" * 5000), f"{DELTA}:11: {BRACKETS}"),
    case("brackets-across-lines", delta(body="[\n" * 11), f"{DELTA}:21: {BRACKETS}"),
    case("emphasis-marks", delta(body="*_" * 3000 + "x"), f"{DELTA}:11: 6000 * or _ marks on one line; use at most "
         "100"),
    case("deep-yaml", delta(extra="reviewer: " + "[" * 20 + "]" * 20 + "\n"), f"{DELTA}:9: values are nested more "
         "than 8 levels deep"),
    case("very-deep-yaml", delta(extra="reviewer: " + "{a: " * 5000 + "}" * 5000 + "\n"), f"{DELTA}:9: front matter "
         "is not valid YAML: exceeded maximum nesting depth; values may be nested at most 8 levels deep"),
    case("anchor-and-alias", replace("order: 10", "order: &n 10\nreviewer: *n"), f"{DELTA}:7: YAML anchors and "
         "aliases (& and *) are not allowed"),
    case("billion-laughs", delta(extra=BILLION_LAUGHS), f"{DELTA}:10: YAML anchors and aliases (& and *) are not "
         "allowed"),
    case("python-object-tag", replace("order: 10", "order: !!python/object/apply:os.system ['true']"),
         f"{DELTA}:7: " + NOT_ALLOWED_TAG.format("object/apply:os.system")),
    case("python-name-tag", delta(extra="reviewer: !!python/name:os.system\n"), f"{DELTA}:9: "
         + NOT_ALLOWED_TAG.format("name:os.system")),
    case("duplicate-key", replace("order: 10", "order: 10\norder: 11"), f"{DELTA}:8: 'order' appears twice (also on "
         "line 7); keep one"),
    case("no-closing-marker", replace("---\n\nAn answer.", "\nAn answer."), f"{DELTA}:1: the front matter opened on "
         "line 1 has no closing '---' line"),
    case("front-matter-list", "---\n- question\n- slug\n---\n\nAn answer.\n", f"{DELTA}:2: {NOT_A_MAPPING}"),
    case("front-matter-scalar", "---\njust a sentence\n---\n\nAn answer.\n", f"{DELTA}:2: {NOT_A_MAPPING}"),
    case("missing-key", replace("summary: A short summary of delta.\n", ""), f"{DELTA}:1: missing required field "
         "'summary'"),
    case("unknown-key", delta(extra="colour: blue\n"), f"{DELTA}:9: unknown field 'colour'; the fields are: {FIELDS}"),
    case("question-yes", delta(question="Yes"), f"{DELTA}:2: question must be text, but YAML read a yes/no value; put "
         "the value in quotes"),
    case("order-ten", replace("order: 10", 'order: "ten"'), f"{DELTA}:7: order must be a whole number such as 10, "
         "but YAML read text"),
    case("impossible-date", replace("2026-01-15", "2024-02-30"), f"{DELTA}:8: '2024-02-30' is not a real date; write "
         "YYYY-MM-DD"),
    case("us-date", replace("2026-01-15", "01/15/2026"), f"{DELTA}:8: " + BAD_DATE.format("'01/15/2026'")),
    case("date-and-time", replace("2026-01-15", "2026-01-15 10:00:00"), f"{DELTA}:8: "
         + BAD_DATE.format("datetime.datetime(2026, 1, 15, 10, 0)")),
    case("tab-indent", delta(extra="sources:\n\t- title: A\n"), f"{DELTA}:10: front matter is not valid YAML: found "
         "character that cannot start any token; indent with spaces, not tabs"),
    case("unquoted-colon", delta(question="What is it: really"), f"{DELTA}:2: front matter is not valid YAML: mapping "
         "values are not allowed in this context; if a value contains a colon, put the whole value in quotes"),
    case("slug-in-two-files", {"faqs/alpha-copy.md": faq_text("alpha")}, "content/faqs/alpha.md:3: slug 'alpha' is "
         "also used by content/faqs/alpha-copy.md"),
    case("slug-is-another-alias", {"faqs/delta.md": delta(extra="aliases:\n- epsilon\n"), "faqs/epsilon.md":
         faq_text("epsilon")}, f"{DELTA}:9: alias 'epsilon' is the slug of content/faqs/epsilon.md"),
    case("unknown-related", delta(related=["nope"]), f"{DELTA}:6: related FAQ 'nope' does not exist"),
    case("related-to-itself", delta(related=["delta"]), f"{DELTA}:6: an FAQ cannot be related to itself"),
]  # fmt: skip


def assert_refused_without_change(folder, expected):
    before = db_snapshot()
    code, out, err = load(folder)
    assert code == 1
    assert expected in err.splitlines(), err
    assert "nothing was loaded" in err
    assert out == ""
    assert db_snapshot() == before


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_bad_file_is_named_and_nothing_is_loaded(loaded, write, files, expected):
    write("faqs/alpha.md", faq_text("alpha", related=["beta"], body="A good change that must wait."))
    for relative, text in files.items():
        write(relative, text, raw=isinstance(text, bytes))
    assert_refused_without_change(loaded, expected)
    assert FAQ.objects.get(slug="alpha").body == "Alpha takes {{ fact:weekly-hours }}."


def test_utf8_byte_order_mark_is_accepted(loaded, write):
    write("faqs/delta.md", b"\xef\xbb\xbf" + faq_text("delta", body="Caf\xe9.").encode(), raw=True)
    code, out, err = load(loaded)
    assert (code, err) == (0, "")
    assert "created: FAQ delta" in out
    faq = FAQ.objects.get(slug="delta")
    assert (faq.question, faq.body) == ("What is delta?", "Caf\xe9.")


def test_symlink_pointing_outside_the_content_folder_is_refused(loaded, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(faq_text("secret"))
    (loaded / "faqs" / "secret.md").symlink_to(outside)
    expected = "content/faqs/secret.md: the file is a link to somewhere outside content/; copy the file in instead"
    assert_refused_without_change(loaded, expected)


def test_symlink_inside_the_content_folder_is_read(loaded, tmp_path):
    (loaded / "faqs" / "delta.md").symlink_to(loaded / "faqs" / "gamma.md")
    assert_refused_without_change(loaded, "content/faqs/gamma.md:3: slug 'gamma' is also used by content/faqs/delta.md")


def test_named_pipe_ending_in_md_is_refused_without_blocking(loaded):
    os.mkfifo(loaded / "faqs" / "pipe.md")
    expected = "content/faqs/pipe.md: not a regular file (a pipe, device or folder?); remove it"
    assert_refused_without_change(loaded, expected)


def test_folder_ending_in_md_is_refused(loaded):
    (loaded / "faqs" / "folder.md").mkdir()
    expected = "content/faqs/folder.md: not a regular file (a pipe, device or folder?); remove it"
    assert_refused_without_change(loaded, expected)


def test_file_name_that_is_not_utf8_is_refused(loaded):
    with open(os.path.join(os.fsencode(loaded), b"faqs", b"caf\xe9.md"), "wb") as handle:
        handle.write(faq_text("cafe").encode())
    assert_refused_without_change(loaded, "content/faqs/caf\\xe9.md: the file name is not valid UTF-8; rename the file")


def test_linked_content_folder_is_refused(content_dir, db, tmp_path):
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    elsewhere = tmp_path / "elsewhere"
    (content_dir / "topics").rename(elsewhere)
    (content_dir / "topics").symlink_to(elsewhere)
    expected = "content/topics: this folder is a link; content folders must be real folders inside content/"
    assert_refused_without_change(content_dir, expected)


@pytest.mark.parametrize(
    "body",
    ["[" * 120_000 + "x" + "]" * 120_000, "*_" * 120_000, "![" * 60_000 + "x", "[\n" * 100_000],
    ids=["nested-brackets", "emphasis", "images", "brackets-on-lines"],
)
def test_pathological_markdown_is_refused_in_bounded_time(tmp_path, body):
    """A separate process, so a renderer or parser that hangs fails this test instead of stalling the suite."""
    folder = tmp_path / "content"
    (folder / "topics").mkdir(parents=True)
    (folder / "faqs").mkdir()
    (folder / "topics" / "basics.md").write_text("---\nslug: basics\ntitle: B\ndescription: B.\norder: 1\n---\n")
    (folder / "faqs" / "delta.md").write_text(faq_text("delta", body=body))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "iop_site.settings.test", "DATABASE_URL": f"sqlite:///{tmp_path}/x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "load_content", "--path", str(folder)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert re.match(r"content/faqs/delta\.md:\d+: ", result.stderr), result.stderr
    assert "nothing was loaded" in result.stderr
