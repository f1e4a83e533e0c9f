"""The parser alone (faq/content.py parse), without a database: each bad file the loader refuses
(tests/test_bad_input.py) gives the same problem, file and line from parse() itself, and the edges of its rules.
Each pins a rule that mutation testing (`make mutation`) showed no pure test held."""

import hashlib

import pytest

from faq.content import ContentError, parse
from tests.conftest import faq_text
from tests.test_bad_input import CASES, DELTA

# Bad files that are one file's own fault; the rest are about the folder (size, other files).
OTHER_FILES = {"over-256-kib", "slug-in-two-files", "slug-is-another-alias", "unknown-related", "related-to-itself"}
ONE_FILE = [case for case in CASES if case.id not in OTHER_FILES]


def problems(text):
    raw = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(ContentError) as caught:
        parse(raw, DELTA, "faq")
    return [str(problem) for problem in caught.value.problems]


def with_front_matter(extra):
    return faq_text("delta", extra=extra)


@pytest.mark.parametrize(("files", "expected"), ONE_FILE)
def test_the_parser_names_each_bad_file_problem_with_its_line(files, expected):
    assert expected in problems(files["faqs/delta.md"])


def test_a_key_that_is_not_a_word_is_named_with_its_line():
    assert problems(with_front_matter("1: x\n")) == [f"{DELTA}:9: key 1 must be a word such as 'question'"]


def test_a_repeated_key_inside_a_value_names_both_lines():
    text = with_front_matter("sources:\n- title: x\n  title: y\n")
    assert problems(text) == [f"{DELTA}:11: 'title' appears twice (also on line 10); keep one"]


def test_values_nested_eight_levels_deep_are_read_and_nine_are_refused():
    eight = with_front_matter("reviewer: " + "[" * 7 + "]" * 7 + "\n")
    nine = with_front_matter("reviewer: " + "[" * 8 + "]" * 8 + "\n")
    assert problems(eight) == [f"{DELTA}:9: reviewer must be text, but YAML read a list; put the value in quotes"]
    assert problems(nine) == [f"{DELTA}:9: values are nested more than 8 levels deep"]


def test_a_yaml_tag_is_refused_with_its_line():
    text = faq_text("delta").replace("order: 10", "order: !!binary aGVsbG8=")
    assert problems(text) == [f"{DELTA}:7: YAML tag 'tag:yaml.org,2002:binary' is not allowed; remove the '!' tag"]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("a: b\n: c\n", f"{DELTA}:3: front matter is not valid YAML: did not find expected key"),
        ("- a\n- b\n", f"{DELTA}:2: front matter must be 'key: value' lines, not a list or a single value"),
        ("one sentence\n", f"{DELTA}:2: front matter must be 'key: value' lines, not a list or a single value"),
    ],
    ids=["stray-colon", "list", "sentence"],
)
def test_front_matter_that_is_not_key_value_lines_is_named_with_its_line(front, expected):
    assert problems(f"---\n{front}---\n") == [expected]


def test_a_closing_marker_may_have_trailing_spaces_but_the_opening_one_must_start_the_file():
    entry = parse(("--- \n" + faq_text("delta")[4:]).replace("\n---\n", "\n---  \n").encode(), DELTA, "faq")
    assert entry.data["slug"] == "delta"
    assert entry.body == "An answer."
    refused = [f"{DELTA}:1: the file must start with a line '---' and its front matter"]
    assert problems("  ---\n" + faq_text("delta")[4:]) == refused
    assert problems("") == refused


def test_empty_front_matter_names_every_missing_field():
    found = problems("---\n---\n\nAn answer.\n")
    assert f"{DELTA}:1: missing required field 'question'" in found
    assert f"{DELTA}:1: missing required field 'slug'" in found
    assert len(found) == 6


def test_a_file_whose_only_closing_marker_is_its_first_line_has_no_closing_marker():
    assert problems("---\nslug: x\n") == [f"{DELTA}:1: the front matter opened on line 1 has no closing '---' line"]


def test_the_body_starts_after_the_blank_lines_below_the_front_matter():
    entry = parse(faq_text("delta", body="\n\nFirst line.\nSecond.").encode(), DELTA, "faq")
    assert entry.body == "First line.\nSecond."
    assert entry.body_line == 13
    assert entry.lines["slug"] == 3
    assert entry.lines["order"] == 7


def test_a_body_problem_names_the_bodys_line():
    text = faq_text("delta", body="\nFine.\n\n{{ fact:hours")
    assert problems(text) == [
        f"{DELTA}:14: a {{{{ fact:KEY }}}} token is not complete; write it as {{{{ fact:KEY }}}} on one line"
    ]


def test_a_kind_without_a_body_refuses_text_after_the_front_matter():
    text = "---\nslug: basics\ntitle: Basics\ndescription: The basics.\norder: 1\n---\n\nStray words.\n"
    with pytest.raises(ContentError) as caught:
        parse(text.encode(), "content/topics/basics.md", "topic")
    assert [str(p) for p in caught.value.problems] == [
        "content/topics/basics.md:8: this kind of file has no body; delete the text after the closing '---'"
    ]
    assert parse(text.replace("Stray words.", "  ").encode(), "content/topics/basics.md", "topic").body == ""


def test_a_parsed_entry_keeps_its_kind_path_language_and_file_hash():
    raw = faq_text("delta").encode()
    entry = parse(raw, DELTA, "faq")
    assert (entry.kind, entry.path, entry.language) == ("faq", DELTA, "en")
    assert entry.sha256 == hashlib.sha256(raw).hexdigest()


def test_a_body_right_under_the_closing_marker_is_read_from_that_line():
    entry = parse(faq_text("delta").replace("---\n\nAn answer.", "---\nRight under.").encode(), DELTA, "faq")
    assert (entry.body, entry.body_line) == ("Right under.", 10)


def test_each_problem_names_the_field_it_is_about():
    def fields(text):
        with pytest.raises(ContentError) as caught:
            parse(text.encode(), DELTA, "faq")
        return [(str(problem), problem.field) for problem in caught.value.problems]

    text = faq_text("delta")
    assert fields(text.replace("summary: A short summary of delta.\n", "")) == [
        (f"{DELTA}:1: missing required field 'summary'", "summary")
    ]
    assert fields(text.replace("order: 10", 'order: "ten"')) == [
        (f"{DELTA}:7: order must be a whole number such as 10, but YAML read text", "order")
    ]
    assert fields(faq_text("delta", body="Fine.\n\n{{ fact:x")) == [
        (f"{DELTA}:13: a {{{{ fact:KEY }}}} token is not complete; write it as {{{{ fact:KEY }}}} on one line", "body")
    ]
    with pytest.raises(ContentError) as caught:
        parse(faq_text("delta", body="").encode(), DELTA, "faq")
    empty = [(problem.path, problem.message, problem.field) for problem in caught.value.problems]
    assert empty == [(DELTA, "the answer (the text after the closing '---') is empty", "body")]
    assert caught.value.problems[0].line is not None


def test_an_empty_required_value_is_named_as_empty_and_an_empty_optional_one_takes_its_default():
    text = faq_text("delta")
    assert problems(text.replace("summary: A short summary of delta.", 'summary: ""')) == [
        f"{DELTA}:4: summary is empty; write a value"
    ]
    entry = parse(text.replace("related: []", 'related: ""').encode(), DELTA, "faq")
    assert entry.data["related"] == []


def test_entries_that_leave_out_a_list_do_not_share_one_list():
    first = parse(faq_text("delta").encode(), DELTA, "faq")
    second = parse(faq_text("epsilon").encode(), "content/faqs/epsilon.md", "faq")
    assert first.data["aliases"] == second.data["aliases"] == []
    first.data["aliases"].append("delta-old")
    assert second.data["aliases"] == []


def test_a_translation_keeps_its_language():
    text = "---\nslug: basicos\ntranslation_of: basics\ntitle: Lo básico\ndescription: Lo básico.\norder: 1\n---\n"
    entry = parse(text.encode(), "content/es/topics/basicos.md", "topic", "es")
    assert (entry.language, entry.data["translation_of"]) == ("es", "basics")


def test_a_character_yaml_cannot_read_is_refused_on_its_own_line():
    text = faq_text("delta").replace("order: 10", "reviewer: a\ufffeb\norder: 10")
    line = text.split("\n").index("reviewer: a\ufffeb") + 1
    assert problems(text) == [f"{DELTA}:{line}: invalid control character U+FFFE; delete it"]
