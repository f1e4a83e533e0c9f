"""A load reads, parses and checks again only what changed (faq/filecache.py), and takes rows that nothing touched
since the last load as that load left them (faq.loading.LoadState): never at the cost of a different answer."""

import datetime
import io
import re
import shutil

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from faq import content as content_module
from faq import filecache, quality
from faq.content import FAQ_LINK_RE, entry_from_json, entry_json, matches_by_line, read_tree
from faq.filecache import FileMemo
from faq.kinds import FACT_TOKEN_RE
from faq.loadstate import last_load_differs
from faq.models import FAQ, Alias, CheckedFile, LoadState, RelatedFAQ, SearchWords, Topic
from tests.conftest import faq_text
from tests.test_load_content import load

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def real_content(tmp_path, settings):
    """A copy of the real content folder, loaded once with the content checks on (as a real site loads)."""
    folder = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, folder)
    settings.CONTENT_CHECKS_ON_LOAD = True
    return folder


@pytest.fixture
def counted(monkeypatch):
    """The files parsed and the bodies given the reading checks during a run, by path."""
    seen = {"parsed": [], "checked": []}
    parse, readability = content_module.parse, quality._check_readability

    def counting_parse(raw, path, *args, **kwargs):
        seen["parsed"].append(path)
        return parse(raw, path, *args, **kwargs)

    def counting_readability(report, entry, facts):
        seen["checked"].append(entry.path)
        return readability(report, entry, facts)

    monkeypatch.setattr(content_module, "parse", counting_parse)
    monkeypatch.setattr(quality, "_check_readability", counting_readability)
    return seen


def change_answer(path, extra="Ask us any time."):
    text = path.read_text()
    text = re.sub(r"^reviewer: .*$", "reviewer: Sam Lee, LICSW", text, count=1, flags=re.M)  # a new review stamp
    path.write_text(text.rstrip("\n") + f"\n\n{extra}\n")


@pytest.mark.django_db
def test_one_changed_file_is_the_only_one_parsed_and_checked_again(real_content, counted):
    assert load(real_content)[0] == 0
    files = len(counted["parsed"])
    assert files > 50  # the first load parsed every file
    changed = real_content / "faqs" / "how-much-time-does-an-intensive-outpatient-program-take.md"
    change_answer(changed)
    counted["parsed"].clear(), counted["checked"].clear()

    code, out, err = load(real_content)

    assert (code, err) == (0, "")
    assert (
        counted["parsed"]
        == counted["checked"]
        == ["content/faqs/how-much-time-does-an-intensive-outpatient-program-take.md"]
    )
    assert out.splitlines()[-1] == f"0 created, 1 updated, {files - 1} unchanged"
    assert (
        "Ask us any time." in FAQ.objects.get(slug="how-much-time-does-an-intensive-outpatient-program-take").body_html
    )


@pytest.mark.django_db
def test_a_changed_fact_checks_again_every_text_that_shows_it_and_only_those(real_content, counted):
    load(real_content)
    showing = sorted(
        f"content/{path.relative_to(real_content)}"
        for path in [*real_content.glob("faqs/*.md"), *real_content.glob("facts/*.md"), real_content / "site.md"]
        if "{{ fact:schedule }}" in path.read_text().split("\n---\n", 1)[-1]
    )
    assert len(showing) >= 2
    fact = real_content / "facts" / "schedule.md"
    fact.write_text(fact.read_text().replace("value: 3 to 5 days a week", "value: 2 to 5 days a week"))
    counted["parsed"].clear(), counted["checked"].clear()

    code, _, err = load(real_content)

    assert (code, err) == (0, "")
    assert counted["parsed"] == ["content/facts/schedule.md"]
    assert sorted(counted["checked"]) == showing


@pytest.mark.django_db
def test_findings_kept_from_an_earlier_check_are_the_findings_a_fresh_check_gives(real_content, write):
    # A draft whose answer is far too hard: its errors are softened to warnings, from the memo too.
    hard = "Notwithstanding multidisciplinary psychopharmacological considerations, comprehensive " * 6
    write("faqs/a-hard-draft.md", faq_text("a-hard-draft", topic="costs", body=hard + ".", extra="status: draft\n"))
    content = read_tree(real_content)
    fresh = quality.check(content, today=TODAY)
    memo = FileMemo({})
    for entry in content.entries():
        memo.remember(entry)
    first = quality.check(content, today=TODAY, memo=memo)
    again = quality.check(content, today=TODAY, memo=memo)

    assert first == again == fresh
    assert any(f.path.endswith("a-hard-draft.md") and "by Flesch-Kincaid" in f.message for f in again)
    assert all(f.level == quality.WARNING for f in again if f.path.endswith("a-hard-draft.md"))


@pytest.mark.django_db
def test_new_code_reads_every_file_again(real_content, counted, monkeypatch):
    load(real_content)
    files = len(counted["parsed"])
    change_answer(real_content / "faqs" / "how-much-time-does-an-intensive-outpatient-program-take.md")
    monkeypatch.setattr(filecache, "VERSION", "a later version of the code")
    counted["parsed"].clear()

    assert load(real_content)[0] == 0
    assert len(counted["parsed"]) == files
    assert set(CheckedFile.objects.values_list("version", flat=True)) == {"a later version of the code"}


@pytest.mark.django_db
def test_a_dry_run_or_a_refused_load_leaves_the_memo_and_the_load_state_as_they_were(real_content):
    load(real_content)
    edit_in_admin("what-is-an-intensive-outpatient-program", "Edited in the admin.")
    load(real_content)

    def kept():
        return (
            sorted(CheckedFile.objects.values_list("path", "sha256", "readability")),
            list(LoadState.objects.values_list("content_version", "differs")),
        )

    assert kept()[1][0][1]  # a state, naming the edited answer
    edit_in_admin("what-is-cognitive-behavioral-therapy-cbt", "Edited in the admin too.")
    before = kept()  # the state is out of date: a real load would compare every row and store a new one
    assert load(real_content, "--dry-run")[0] == 0  # nothing changed in the files: that shortcut
    change_answer(real_content / "faqs" / "how-much-time-does-an-intensive-outpatient-program-take.md")
    assert load(real_content, "--dry-run")[0] == 0
    (real_content / "faqs" / "broken.md").write_text("---\nquestion: [unclosed\n---\n")
    assert load(real_content)[0] == 1
    assert kept() == before


@pytest.mark.django_db
def test_the_memo_forgets_files_that_are_gone(real_content, write):
    write("faqs/a-draft.md", faq_text("a-draft", topic="costs", extra="status: draft\n"))
    assert load(real_content)[0] == 0
    assert CheckedFile.objects.filter(path="content/faqs/a-draft.md").exists()
    (real_content / "faqs" / "a-draft.md").unlink()
    assert load(real_content)[0] == 0
    paths = set(CheckedFile.objects.values_list("path", flat=True))
    assert "content/faqs/a-draft.md" not in paths
    assert "content/faqs/how-much-time-does-an-intensive-outpatient-program-take.md" in paths


def test_every_real_entry_comes_back_from_the_memo_as_it_went_in(settings):
    entries = list(read_tree(settings.CONTENT_DIR).entries())
    assert any(isinstance(entry.data.get("reviewed"), datetime.date) for entry in entries)
    assert any(entry.language == "es" for entry in entries)
    for entry in entries:
        assert entry_from_json(entry_json(entry)) == entry


@given(st.lists(st.sampled_from(["{{ fact:a }}", "{{fact: b}}", "](faq:c)", "](<faq:d>)", "\n", "x", " ", "{{", "]("])))
def test_matching_the_whole_text_finds_what_matching_each_line_finds(parts):
    text = "".join(parts)
    for pattern in (FACT_TOKEN_RE, FAQ_LINK_RE):
        by_line = [(n, m.group(1)) for n, line in enumerate(text.split("\n")) for m in pattern.finditer(line)]
        assert list(matches_by_line(pattern, text)) == by_line


# --- rows nothing touched since the last load -------------------------------------------------------------


def edit_in_admin(slug="gamma", body="Edited in the admin."):
    faq = FAQ.objects.get(slug=slug)
    faq.body = body
    faq.save()


def test_a_kept_admin_edit_is_reported_by_every_load_after_it(loaded, write):
    edit_in_admin()
    assert "kept admin edit (file unchanged since the last load): FAQ gamma" in load(loaded)[1]
    assert last_load_differs() == {("faq", FAQ.objects.get(slug="gamma").pk)}
    # Nothing changed since: the next loads take the row as the last one left it, and say the same.
    assert "kept admin edit (file unchanged since the last load): FAQ gamma" in load(loaded)[1]
    write(
        "faqs/beta.md", faq_text("beta", related=["alpha"], body="See [alpha](faq:alpha). More.", reviewed="2026-02-01")
    )
    code, out, _ = load(loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 1 updated, 5 unchanged, 1 kept admin edits")
    assert "kept admin edit (file unchanged since the last load): FAQ gamma" in out
    assert FAQ.objects.get(slug="gamma").body == "Edited in the admin."


def test_the_nothing_changed_shortcut_counts_as_a_full_load_does(loaded):
    edit_in_admin()
    shortcut = load(loaded)[1].splitlines()  # every file as the last load saw it: no parsing
    full = load(loaded, "--prune")[1].splitlines()  # --prune always goes the full way (no file is gone here)
    assert shortcut[-1] == full[-1] == "0 created, 0 updated, 6 unchanged, 1 kept admin edits"
    assert (
        shortcut[0]
        == full[0]
        == (
            "kept admin edit (file unchanged since the last load): FAQ gamma (changed in the admin since the last load)"
        )
    )


def test_after_an_export_the_next_load_compares_again_and_finds_nothing_kept(loaded):
    edit_in_admin()
    load(loaded)
    call_command("export_content", path=loaded, stdout=io.StringIO(), stderr=io.StringIO())
    assert last_load_differs() is None
    code, out, _ = load(loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")
    assert last_load_differs() == set()


def _rename_topic():
    topic = Topic.objects.get(slug="basics")
    topic.title = "The basics"
    topic.save()


def _unlink():
    RelatedFAQ.objects.filter(faq__slug="gamma").first().delete()


def _alias():
    Alias.objects.create(slug="gamma-old", faq=FAQ.objects.get(slug="gamma"), language="en")


def _search_words():
    words = SearchWords.objects.get()
    words.crisis_terms = [*words.crisis_terms, "hopeless"]
    words.save()


def _delete():
    FAQ.objects.get(slug="gamma").delete()


@pytest.mark.parametrize("change", [edit_in_admin, _rename_topic, _unlink, _alias, _search_words, _delete])
def test_any_save_or_delete_since_the_last_load_means_comparing_every_row_again(site_loaded, change):
    assert last_load_differs() == set()
    change()
    assert last_load_differs() is None
