"""The parser and validator: pure functions over files written into a temporary folder."""

import pytest

from faq.content import ContentError, parse, read_tree
from tests.conftest import faq_text


def problems_for(root):
    with pytest.raises(ContentError) as caught:
        read_tree(root)
    return [str(p) for p in caught.value.problems]


def test_valid_folder_reads_every_kind(content_dir):
    content = read_tree(content_dir)
    assert [e.data["slug"] for e in content.faqs] == ["alpha", "beta", "gamma"]
    assert {e.data["key"] for e in content.facts} == {"weekly-hours", "schedule"}
    assert content.site.data["intake"] == ["Call us."]
    assert content.faqs[0].data["status"] == "published"


def test_every_problem_is_reported_at_once_with_file_and_line(content_dir, write):
    write("faqs/bad1.md", faq_text("bad1").replace("order: 10", 'order: "ten"'))
    write("faqs/bad2.md", faq_text("bad2", related=["nope"]))
    found = problems_for(content_dir)
    assert "content/faqs/bad1.md:7: order must be a whole number such as 10, but YAML read text" in found
    assert "content/faqs/bad2.md:6: related FAQ 'nope' does not exist" in found


def test_yes_as_a_question_is_an_error_not_true():
    with pytest.raises(ContentError, match="question must be text, but YAML read a yes/no value"):
        parse(faq_text("x", question="Yes").encode(), "x.md", "faq")


def test_unknown_key_is_rejected():
    with pytest.raises(ContentError, match="unknown field 'colour'"):
        parse(faq_text("x", extra="colour: blue\n").encode(), "x.md", "faq")


def test_missing_required_key_is_rejected():
    text = faq_text("x").replace("summary: A short summary of x.\n", "")
    with pytest.raises(ContentError, match="missing required field 'summary'"):
        parse(text.encode(), "x.md", "faq")


def test_duplicate_key_is_rejected_with_both_lines():
    text = faq_text("x").replace("order: 10", "order: 10\norder: 11")
    with pytest.raises(ContentError, match=r"x.md:8: 'order' appears twice \(also on line 7\)"):
        parse(text.encode(), "x.md", "faq")


def test_yaml_aliases_are_rejected():
    text = faq_text("x").replace("order: 10", "order: &n 10\nreviewer: *n")
    with pytest.raises(ContentError, match="anchors and aliases"):
        parse(text.encode(), "x.md", "faq")


def test_python_tags_are_rejected():
    text = faq_text("x").replace("order: 10", "order: !!python/object/apply:os.system ['true']")
    with pytest.raises(ContentError, match="not allowed"):
        parse(text.encode(), "x.md", "faq")


@pytest.mark.parametrize("date", ["2024-02-30", "01/15/2026", "2026-1-5x"])
def test_impossible_or_non_iso_dates_are_rejected(date):
    text = faq_text("x").replace("reviewed: 2026-01-15", f"reviewed: {date}")
    with pytest.raises(ContentError, match=r"x.md:8: .*(YYYY-MM-DD)"):
        parse(text.encode(), "x.md", "faq")


def test_missing_closing_marker_is_rejected():
    text = faq_text("x").replace("---\n\nAn answer.", "\nAn answer.")
    with pytest.raises(ContentError, match="no closing '---'"):
        parse(text.encode(), "x.md", "faq")


@pytest.mark.parametrize("front", ["- a\n- b", "just a sentence"])
def test_front_matter_must_be_a_mapping(front):
    with pytest.raises(ContentError, match="must be 'key: value' lines"):
        parse(f"---\n{front}\n---\nbody\n".encode(), "x.md", "faq")


def test_unquoted_colon_gets_a_hint():
    text = faq_text("x", question="What is it: really")
    with pytest.raises(ContentError, match="put the whole value in quotes"):
        parse(text.encode(), "x.md", "faq")


def test_utf8_bom_is_accepted():
    entry = parse(b"\xef\xbb\xbf" + faq_text("x").encode(), "x.md", "faq")
    assert entry.data["slug"] == "x"


def test_latin1_bytes_are_rejected_with_line():
    raw = faq_text("x", body="caf\xe9").encode("latin-1")
    with pytest.raises(ContentError, match=r"x.md:11: byte 0xe9 is not UTF-8"):
        parse(raw, "x.md", "faq")


def test_summary_over_160_characters_is_rejected():
    with pytest.raises(ContentError, match="summary is 161 characters; the limit is 160"):
        parse(faq_text("x", summary="a" * 161).encode(), "x.md", "faq")


def test_duplicate_slugs_name_both_files(content_dir, write):
    write("faqs/alpha-copy.md", faq_text("alpha"))
    assert any("slug 'alpha' is also used by content/faqs/alpha" in p for p in problems_for(content_dir))


def test_faq_related_to_itself_is_rejected(content_dir, write):
    write("faqs/delta.md", faq_text("delta", related=["delta"]))
    assert any("cannot be related to itself" in p for p in problems_for(content_dir))


def test_alias_clashing_with_a_slug_is_rejected(content_dir, write):
    write("faqs/delta.md", faq_text("delta", extra="aliases:\n- alpha\n"))
    assert any("alias 'alpha' is the slug of content/faqs/alpha.md" in p for p in problems_for(content_dir))


def test_unknown_fact_token_and_faq_link_are_reported_with_body_lines(content_dir, write):
    write("faqs/delta.md", faq_text("delta", body="Line one.\n\n{{ fact:nope }} and [x](faq:missing)."))
    found = problems_for(content_dir)
    assert "content/faqs/delta.md:13: unknown fact 'nope' in {{ fact:nope }}" in found
    assert "content/faqs/delta.md:13: link to unknown FAQ 'faq:missing'" in found


def test_unknown_topic_is_reported(content_dir, write):
    write("faqs/delta.md", faq_text("delta", topic="elsewhere"))
    assert any("topic 'elsewhere' does not exist" in p for p in problems_for(content_dir))


def test_file_in_an_unknown_place_is_reported(content_dir, write):
    write("stray.md", "---\nslug: x\n---\n")
    assert any("content/stray.md: content files go in" in p for p in problems_for(content_dir))


def test_symlink_outside_content_is_refused(content_dir, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(faq_text("secret"))
    (content_dir / "faqs" / "secret.md").symlink_to(outside)
    assert any("link to somewhere outside content/" in p for p in problems_for(content_dir))
