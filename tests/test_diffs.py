"""The review page's line diff: it turns the old text into the new one exactly, finds as many unchanged lines as
difflib where difflib is fast, and stays fast where difflib is not (tests/test_bounded_time.py)."""

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faq import diffs

LINES = st.lists(st.sampled_from(["", "a", "b", "c", "Call us.", "We can help.", "- a list item"]), max_size=80)


def replay(old, new, opcodes):
    """The new text rebuilt from the opcodes, checking that they cover both texts in order with no gap."""
    rebuilt, at_old, at_new = [], 0, 0
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (at_old, at_new)
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        rebuilt += new[j1:j2]
        at_old, at_new = i2, j2
    assert (at_old, at_new) == (len(old), len(new))
    return rebuilt


def unchanged(opcodes):
    return sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal")


@settings(max_examples=300, deadline=None)
@given(LINES, LINES)
def test_the_opcodes_turn_the_old_lines_into_the_new_ones(old, new):
    assert replay(old, new, diffs.opcodes(old, new)) == new


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10_000).map(str), unique=True, max_size=120), st.data())
def test_edits_to_distinct_lines_keep_at_least_as_many_unchanged_lines_as_difflib(old, data):
    new = list(old)
    for edit in range(data.draw(st.integers(0, 8))):
        at, drop = data.draw(st.integers(0, len(new))), data.draw(st.integers(0, 3))
        new[at : at + drop] = [f"new {edit}.{n}" for n in range(data.draw(st.integers(0, 3)))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(diffs, "SMALL_GAP", 4)  # through the anchors, not straight to difflib
        ours = diffs.opcodes(old, new)
    theirs = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert replay(old, new, ours) == new
    assert unchanged(ours) >= unchanged(theirs)


def test_a_changed_line_among_unique_lines_is_the_only_row_marked():
    old = [f"Line {n}." for n in range(1000)]
    new = old[:500] + ["Line 500, changed."] + old[501:]
    rows = diffs.side_by_side("\n".join(old), "\n".join(new))
    assert [row for row in rows if row[2] != "equal"] == [("Line 500.", "Line 500, changed.", "replace")]
    assert len(rows) == 1000


def test_lines_moved_apart_by_an_insertion_keep_their_place():
    old = "\n".join(f"Step {n}" for n in range(200))
    new = "\n".join(["New first step"] + [f"Step {n}" for n in range(200)] + ["New last step"])
    rows = diffs.side_by_side(old, new)
    assert rows[0] == ("", "New first step", "insert") and rows[-1] == ("", "New last step", "insert")
    assert all(tag == "equal" for _, _, tag in rows[1:-1])
