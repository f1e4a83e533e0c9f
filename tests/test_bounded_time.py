"""Every path a writer's or an editor's text goes through takes time that grows in step with the text.

Each pattern below is shaped to trip a regular expression or a comparison that backtracks (a run of dots once
made a 64 KB file take 70 s to load; `{{ fact:` and spaces, 19 s; a review diff of a repeated line, 17 s at
16 KB). Each is fed at two sizes, and doubling the input must not more than triple the time (a path whose time
grows with the square of the input quadruples). Time is CPU time, the best of a few runs, so another process on
the machine does not make a linear path look slow; a path that stays under FAST seconds at the larger size is
fast enough whatever its shape.
"""

import contextlib
import gc
import time

import pytest

from faq import diffs, quality
from faq.content import ContentError, Entry, parse
from faq.loading import diff
from faq.preview import render_preview
from faq.rendering import RenderContext, RenderError, html_to_text, render_markdown
from faq.search import search

SIZE = 16_000  # characters; the larger run doubles it
FAST = 0.05  # seconds: at or under this at the larger size, a path is fast whatever its growth
RUNS = 3

PATTERNS = {
    "a run of dots": lambda n: "Word" + "." * n,
    "dots and spaces": lambda n: ". " * (n // 2),
    "a fact token left open, then spaces": lambda n: "{{ fact:" + " " * n,
    "fact tokens left open": lambda n: "{{ fact:" * (n // 8),
    "fact tokens with spaces inside": lambda n: "{{ " + " " * n + "fact: weekly-hours }}",
    "open braces": lambda n: "{" * n,
    "open brackets": lambda n: "[" * n,
    "link starts": lambda n: "[a](" * (n // 4),
    "faq link starts": lambda n: "](faq:" * (n // 6),
    "stars": lambda n: "*a" * (n // 2),
    "underscores": lambda n: "_a" * (n // 2),
    "backticks": lambda n: "`a" * (n // 2),
    "angle brackets": lambda n: "<" * n,
    "tag starts": lambda n: "<a " * (n // 3),
    "backslashes": lambda n: "\\" * n,
    "ampersands": lambda n: "&" * n,
    "numbers with dots": lambda n: "1." * (n // 2),
    "number ranges": lambda n: "1 to " * (n // 5),
    "hyphenated letters": lambda n: "a-" * (n // 2),
    "blank lines of spaces": lambda n: "\n \n" * (n // 3),
    "list items": lambda n: "- a\n" * (n // 4),
    "nested list items": lambda n: "".join("  " * (i % 40) + "- a\n" for i in range(n // 40)),
    "quote markers": lambda n: ">" * n,
    "table pipes": lambda n: "|a" * (n // 2),
    "one long emphasis": lambda n: "**" + "a " * (n // 2),
    "exclamations": lambda n: "a!" * (n // 2),
    "an address without end": lambda n: "http://" + "a" * n,
    "web address starts": lambda n: "www." * (n // 4),
    "at signs": lambda n: "a@" * (n // 2),
    "example phone starts": lambda n: "555-01" * (n // 6),
    "one long word": lambda n: "a" * n,
    "ordinary sentences": lambda n: "You can call us on any weekday. " * (n // 32),
}

FACTS = {"weekly-hours": "9 to 19 hours a week"}
CONTEXT = RenderContext(facts=FACTS)
HEAD = (
    "---\nquestion: Q?\nslug: q\nsummary: S.\ntopic: basics\nrelated:\n- a\n- b\norder: 1\nreviewed: 2026-11-20\n"
    "---\n\n"
)


def _render(text):
    try:
        return html_to_text(render_markdown(text, CONTEXT))
    except RenderError:
        return ""


def _check(text):
    entry = Entry("faq", "faqs/q.md", {"status": "published"}, text)
    plain = quality.plain_text(text, FACTS)
    return quality.reading_problems(plain), quality.hardest_sentences(entry, FACTS), quality.hardest_words(plain)


PURE_PATHS = {
    "parse a file": lambda text: parse((HEAD + text + "\n").encode(), "faqs/q.md", "faq"),
    "render": _render,
    "reading checks": _check,
    "reading grade": lambda text: (quality.reading_grade(text, FACTS), quality.dale_chall(text, FACTS)),
    "Spanish reading ease": lambda text: quality.fernandez_huerta(quality.plain_text(text, FACTS)),
    "review diff": lambda text: diffs.side_by_side(text.replace("a", "a\n"), "b\n" + text.replace("a", "a\n")),
    "conflict diff": lambda text: diff(text.replace("a", "a\n"), "b\n" + text.replace("a", "a\n"), "x", "y"),
}


def cpu_seconds(path, text):
    """The path's own work, best of RUNS. Python's cyclic garbage collector is paused while it runs: its full
    passes walk every live object (the whole test process), so with it on, a renderer that makes 64,000 tokens
    for 64,000 characters measured 2.6x per doubling, and 2.0x with it paused."""
    best = float("inf")
    for _ in range(RUNS):
        gc.disable()
        try:
            start = time.process_time()
            with contextlib.suppress(ContentError, RenderError):
                path(text)  # a refusal (a parse error, say) is an answer too: how long it took is what counts
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


def growth(path, make):
    """(seconds at SIZE, seconds at 2 × SIZE); measured again if it looks too slow, so noise is not blamed."""
    for _ in range(3):
        small, large = cpu_seconds(path, make(SIZE)), cpu_seconds(path, make(2 * SIZE))
        if large <= FAST or large <= 3 * small:
            break
    return small, large


def too_slow(paths, make):
    found = {}
    for name, path in paths.items():
        small, large = growth(path, make)
        if large > FAST and large > 3 * small:
            found[name] = f"{small * 1000:.0f} ms at {SIZE:,} characters, {large * 1000:.0f} ms at {2 * SIZE:,}"
    return found


@pytest.mark.parametrize("pattern", PATTERNS)
def test_parsing_rendering_checking_and_diffing_take_time_in_step_with_the_text(pattern):
    assert too_slow(PURE_PATHS, PATTERNS[pattern]) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_staff_preview_and_search_take_time_in_step_with_the_text(pattern, site_loaded):
    paths = {
        "preview": lambda text: render_preview(text),
        "search": lambda text: search(text),
    }
    assert too_slow(paths, PATTERNS[pattern]) == {}


def test_the_check_would_catch_a_path_whose_time_grows_with_the_square_of_the_text():
    def quadratic(text):
        return sum(1 for i in range(0, len(text), 8) for j in range(0, len(text), 8) if i == j)

    assert set(too_slow({"square": quadratic}, PATTERNS["one long word"])) == {"square"}


def test_a_long_repeated_answer_still_shows_every_changed_line_in_the_review_diff():
    old = "Same line.\n" * 5_000
    new = "Same line.\n" * 2_500 + "A new line.\n" + "Same line.\n" * 2_499
    rows = diffs.side_by_side(old, new)
    changed = [row for row in rows if row[2] != "equal"]
    assert changed == [("Same line.", "A new line.", "replace")]
