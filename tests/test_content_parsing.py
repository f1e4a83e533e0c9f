"""The parser and validator: pure functions over files written into a temporary folder.

Each kind of bad file from the issue is checked end to end (exit code, message, database untouched) in
test_bad_input.py; here are the cross-file checks and the property tests of the parser itself.
"""

import signal
from contextlib import contextmanager
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faq.content import ContentError, Entry, dump, fingerprint, from_values, parse, read_tree
from faq.kinds import normalise
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


def test_summary_over_160_characters_is_rejected():
    with pytest.raises(ContentError, match="summary is 161 characters; the limit is 160"):
        parse(faq_text("x", summary="a" * 161).encode(), "x.md", "faq")


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


# --- properties: whatever the bytes, the parser returns an Entry or raises ContentError, quickly ----------------

KINDS = st.sampled_from(["faq", "fact", "topic", "site"])
FRAGMENTS = st.sampled_from(
    ["question", "slug", "summary", "topic", "related", "order", "reviewed", "sources", "status", "aliases", "key",
     "value", "label", "title", "url", "name", "intake", ":", ": ", "- ", "  ", "\t", "\n", "---", "&a ", "*a", "!!",
     "!!python/object:os.system ", "!!binary ", "[", "]", "{", "}", ",", "'", '"', "|", ">", "?", "#", "%", "@", "`",
     "<<: ", "yes", "no", "~", "null", "10", "010", "1.10", "12:30", "2024-02-30", "2026-01-15", "0x1F", ".inf",
     "\ufeff", "\x00", "\u2028", "é", "\\", "{{ fact:x }}", "[a](faq:b)"]
)  # fmt: skip
YAML_LIKE = st.lists(FRAGMENTS | st.text(max_size=8), max_size=60).map("".join)


@contextmanager
def no_hang(seconds=10):
    """Fail instead of hanging: a SIGALRM interrupts anything that runs longer than `seconds`."""

    def timeout(signum, frame):
        raise AssertionError(f"the parser ran for more than {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parses_or_refuses(raw, kind):
    with no_hang():
        try:
            entry = parse(raw, "x.md", kind)
        except ContentError as exc:
            assert exc.problems
            assert all(problem.path == "x.md" and problem.message for problem in exc.problems)
            return None
    assert isinstance(entry, Entry) and entry.kind == kind
    return entry


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(raw=st.binary(max_size=3000), kind=KINDS)
def test_arbitrary_bytes_give_an_entry_or_a_content_error(raw, kind):
    parses_or_refuses(raw, kind)


@PROPERTY_SETTINGS
@given(front=YAML_LIKE, body=YAML_LIKE, kind=KINDS)
def test_arbitrary_yaml_like_front_matter_gives_an_entry_or_a_content_error(front, body, kind):
    parses_or_refuses(f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"), kind)


@PROPERTY_SETTINGS
@given(
    question=st.text(min_size=1, max_size=80),
    summary=st.text(min_size=1, max_size=80),
    reviewer=st.text(max_size=40),
    body=st.text(min_size=1, max_size=300),
)
def test_arbitrary_values_in_a_valid_layout_give_an_entry_or_a_content_error(question, summary, reviewer, body):
    front = (
        f"question: {question}\nslug: x\nsummary: {summary}\ntopic: t\norder: 1\nreviewed: 2026-01-15\n"
        f"reviewer: {reviewer}\n"
    )
    parses_or_refuses(f"---\n{front}---\n\n{body}\n".encode("utf-8", "surrogatepass"), "faq")


@PROPERTY_SETTINGS
@given(
    question=st.text(min_size=1, max_size=80),
    summary=st.text(min_size=1, max_size=80),
    reviewer=st.text(max_size=40),
    body=st.text(min_size=1, max_size=300),
)
def test_any_values_either_are_refused_by_name_or_make_a_file_that_reads_back_the_same(
    question, summary, reviewer, body
):
    entry = parse(faq_text("x").encode(), "x.md", "faq")
    data = {**entry.data, "question": question, "summary": summary, "reviewer": reviewer}
    try:
        made = from_values("faq", data, body)
    except ContentError as exc:
        assert all(problem.field or "file" in problem.message for problem in exc.problems)
        return  # a value the files cannot hold (empty, control characters...): the admin names the field
    again = parse(dump(made).encode(), "x.md", "faq")
    assert (again.data, again.body) == (made.data, made.body)
    assert fingerprint(again) == fingerprint(made)


@PROPERTY_SETTINGS
@given(question=st.text(min_size=1, max_size=80), body=st.text(max_size=300))
def test_text_normalised_as_the_admin_does_never_fails_for_invisible_characters_or_line_ends(question, body):
    data = {**parse(faq_text("x").encode(), "x.md", "faq").data, "question": normalise(question, multiline=False)}
    try:
        from_values("faq", data, normalise(body, multiline=True))
    except ContentError as exc:
        messages = " ".join(problem.message for problem in exc.problems)
        assert "control character" not in messages and "must be one line" not in messages
