"""A load going by the stored LoadState decides and reports exactly what a load comparing every row gives
(loadstate.forget() then load), through the sequences a review of faq/loadstate.py tried."""

import pytest
from django.db import transaction

from faq import kinds, loadstate
from faq.content import fingerprint
from faq.entries import rows_with_entries
from faq.models import FAQ
from tests.conftest import faq_text
from tests.test_load_content import load


def truth():
    """{(kind, pk)} of rows loaded from a file whose live version differs from what was loaded."""
    found = set()
    for kind_name in kinds.KINDS:
        for obj, entry in rows_with_entries(kind_name):
            if obj.source_path and fingerprint(entry) != obj.loaded_fingerprint:
                found.add((kind_name, obj.pk))
    return found


def both_ways(folder, *args):
    """(dry run going by the stored state, dry run after forgetting it)."""
    with_state = load(folder, "--dry-run", *args)
    sid = transaction.savepoint()
    loadstate.forget()
    full = load(folder, "--dry-run", *args)
    transaction.savepoint_rollback(sid)
    return with_state, full


def assert_state_is_true(folder):
    state = loadstate.last_load_differs()
    if state is not None:
        assert state == truth()
    for args in ((), ("--prune",)):
        with_state, full = both_ways(folder, *args)
        assert with_state == full


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        faq_text("delta", extra="aliases:\n- zz-old\n- aa-old\n"),  # aliases not in sorted order
        faq_text("delta", extra="aliases:\n- delta\n"),  # its own slug as an alias
        faq_text("delta", related=["delta"]),  # itself as related
        faq_text("delta", related=["alpha", "alpha"]),
        faq_text("delta", related=["alpha", "beta", "alpha"]),
    ],
)
def test_a_taken_file_whose_row_reads_back_differently(loaded, write, text):
    write("faqs/delta.md", text)
    code, out, err = load(loaded)
    if code == 1:  # a list the file rules refuse: nothing was loaded, nothing stored
        assert "nothing was loaded" in err
        return
    assert code == 0, err
    assert_state_is_true(loaded)


def _edit_site():
    from faq.models import SiteInfo

    site = SiteInfo.objects.get()
    site.hours = "Weekdays and Saturdays"
    site.save()


def _edit_search():
    from faq.models import SearchWords

    words = SearchWords.objects.get()
    words.crisis_terms = [*words.crisis_terms, "hopeless"]
    words.save()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "edit"), [("site.md", _edit_site), ("search.md", _edit_search)])
@pytest.mark.parametrize("checks", [True, False])
def test_a_single_file_kind_whose_file_goes_and_comes_back(site_loaded, settings, name, edit, checks):
    """site.md and search.md are not in find_missing (topics, facts, FAQs only), so a load without them never
    learns that their row differs from what was loaded."""
    settings.CONTENT_CHECKS_ON_LOAD = checks
    edit()  # an admin edit: the row differs from its file now
    held = (site_loaded / name).read_bytes()
    (site_loaded / name).unlink()
    code, out, err = load(site_loaded)  # compares every row (the edit moved the version) and stores a state
    if code == 1:  # with the checks on, a site without search.md is refused: no search would show crisis help
        assert (name, checks, "search.md is missing" in err) == ("search.md", True, True)
        return
    assert code == 0, err
    (site_loaded / name).write_bytes(held)  # the same bytes as the last load saw
    state = loadstate.last_load_differs()
    with_state, full = both_ways(site_loaded, "--prune")
    assert with_state[1].splitlines()[-1] == full[1].splitlines()[-1]
    assert state is None or state == truth()


@pytest.mark.django_db
def test_the_nothing_changed_check_stores_a_state_only_under_the_content_lock(loaded, monkeypatch):
    """load_content's "nothing changed" shortcut compares every row when there is no state, and stores what it found
    under the content lock, as a load does: an export's bookkeeping (which moves no content version) cannot
    commit between its reading and its storing."""
    from faq import loading
    from faq.locking import Busy

    edit_in_admin()  # moves the version: no state; the next check compares every row
    taken = []

    def busy(wait, on_wait=None):
        taken.append(wait)
        raise Busy("a load or an export is writing")

    monkeypatch.setattr(loading, "lock_content", busy)
    assert loading.changed_since_load() == ["FAQ gamma (changed in the admin since the last load)"]
    assert (taken, loadstate.last_load_differs()) == ([0], None)  # it asked once, without waiting, stored nothing
    monkeypatch.undo()
    assert loading.changed_since_load() == ["FAQ gamma (changed in the admin since the last load)"]
    assert loadstate.last_load_differs() == truth() == {("faq", FAQ.objects.get(slug="gamma").pk)}


def edit_in_admin():
    faq = FAQ.objects.get(slug="gamma")
    faq.body = "Edited in the admin."
    faq.save()


@pytest.mark.django_db
def test_sequences_that_were_found_fine(site_loaded, write):
    """Checked and fine: a change waiting for review sent back (no row save), prune then the file restored, a
    conflict then the file reverted, an admin edit then the same edit made in the file."""
    from faq.models import Revision

    assert_state_is_true(site_loaded)
    gamma = site_loaded / "faqs" / "gamma.md"
    original = gamma.read_bytes()
    # A changed answer without a new review stamp waits for review; then it is sent back (no row save).
    gamma.write_text(original.decode().replace("An answer.", "An answer, changed in the file."))
    load(site_loaded)
    assert Revision.objects.pending().exists()
    assert_state_is_true(site_loaded)
    revision = Revision.objects.pending().get()
    revision.state = Revision.State.SENT_BACK
    revision.save()
    assert_state_is_true(site_loaded)
    # The file goes; --prune unpublishes; the file comes back.
    gamma.unlink()
    load(site_loaded, "--prune")
    assert_state_is_true(site_loaded)
    gamma.write_bytes(original)
    load(site_loaded)
    assert_state_is_true(site_loaded)
    # An admin edit, and the file changed too: a conflict; then the file reverted.
    faq = FAQ.objects.get(slug="beta")
    faq.summary = "Changed in the admin."
    faq.save()
    beta = site_loaded / "faqs" / "beta.md"
    held = beta.read_bytes()
    beta.write_text(held.decode().replace("See [alpha](faq:alpha).", "See [alpha](faq:alpha) now."))
    load(site_loaded)
    assert_state_is_true(site_loaded)
    beta.write_bytes(held)
    load(site_loaded)
    assert_state_is_true(site_loaded)
    load(site_loaded)
    assert_state_is_true(site_loaded)
