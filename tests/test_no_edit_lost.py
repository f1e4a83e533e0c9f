"""A stateful property: random sequences of admin saves, file edits, loads, exports and restores never lose an edit.

Each step is one thing staff or writers do: save an answer in the admin (with Windows line ends and invisible
characters, as browsers and pasted text bring them), approve it, make an FAQ a draft, edit a file (with or without
a new review stamp, or break it), run load_content (plain, --force NAME, --dry-run, --prune), export_content (all,
or --only NAME), or restore a version from History. After every step:

- every text either side ever wrote is still somewhere: in its file, the live page, a change kept for review, or
  the history (unless someone chose to replace it by name: export_content --only, load_content --force);
- the database as the admin left it exports to files that load back with 0 errors and 0 changes;
- a command that fails leaves the database as it was.

`make test` runs a bounded number of examples; `make fuzz` runs many more (HYPOTHESIS_PROFILE=fuzz).
"""

import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from faq import loadstate
from faq.models import FAQ, ReviewEvent, Revision
from tests.admin_forms import client_for, form_fields, make_user
from tests.conftest import SOURCE_AND_REVIEWER, faq_text
from tests.snapshots import db_snapshot

SLUGS = ("alpha", "beta", "gamma")
CRISIS_ANSWER = "gamma"  # search.md of the site_content fixture names it
PROFILES = {
    "default": {"max_examples": 12, "stateful_step_count": 12},
    "fuzz": {"max_examples": int(os.environ.get("FUZZ_EXAMPLES", "300")), "stateful_step_count": 30},
}
PROFILE = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "default")]
# Text as it arrives from browsers and pastes: Windows line ends, a stray control character, a zero-width space.
NOISE = st.sampled_from(["", "\r\n", "\x01", "\u200b", "  \r\n\r\n"])


def command(name, folder, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, path=folder, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def file_text(slug, body, reviewed, status="published"):
    related = [other for other in SLUGS if other != slug]
    extra = SOURCE_AND_REVIEWER + ("status: draft\n" if status == "draft" else "")
    return faq_text(slug, related=related, body=body, extra=extra, reviewed=reviewed)


class NoEditLost(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.folder = Path(tempfile.mkdtemp()) / "content"
        shutil.copytree(TEMPLATE, self.folder)
        assert command("load_content", self.folder)[0] == 0
        self.client = client_for(make_user("staff", superuser=True, reviewer_name="Dana Ortiz, LCSW"))
        self.written = {}  # text -> who wrote it
        self.counter = 0
        self.day = 20  # review stamps: each new one a day later (November 2026)

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)
        shutil.rmtree(self.folder.parent, ignore_errors=True)

    def text(self, who):
        """A new answer with a word no other answer has, to find it again wherever it went."""
        self.counter += 1
        marker = f"Mark{self.counter}{who}"
        self.written[marker] = who
        return f"Answer {marker} from the {who}."

    # --- what staff do --------------------------------------------------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), before=NOISE, after=NOISE)
    def admin_saves_an_answer(self, slug, before, after):
        faq = FAQ.objects.get(slug=slug)
        url = f"/admin/faq/faq/{faq.pk}/change/"
        data = form_fields(self.client, url)
        text = self.text("admin")
        data["body"] = before + text.replace(" from", after + " from", 1) + after
        response = self.client.post(url, data)
        if response.status_code != 302:
            self.written.pop(f"Mark{self.counter}admin")  # refused, with the reason on the form: nothing saved

    @rule(slug=st.sampled_from(SLUGS), status=st.sampled_from(["draft", "published"]))
    def admin_changes_the_status(self, slug, status):
        faq = FAQ.objects.get(slug=slug)
        url = f"/admin/faq/faq/{faq.pk}/change/"
        self.client.post(url, {**form_fields(self.client, url), "status": status})

    @precondition(lambda self: Revision.objects.pending().exists())
    @rule()
    def reviewer_approves_the_oldest_change(self):
        revision = Revision.objects.pending().order_by("created_at", "pk").first()
        self.client.post(f"/admin/faq/revision/{revision.pk}/change/", {"step": "approve"})

    @rule(slug=st.sampled_from(SLUGS), back=st.integers(min_value=1, max_value=4))
    def staff_restore_an_earlier_version(self, slug, back):
        faq = FAQ.objects.get(slug=slug)
        versions = list(faq.history.order_by("-history_date", "-history_id")[: back + 1])
        version = versions[-1]
        url = f"/admin/faq/faq/{faq.pk}/history/{version.history_id}/"
        self.client.post(url, form_fields(self.client, url))

    # --- what writers do ------------------------------------------------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), new_stamp=st.booleans(), draft=st.booleans())
    def writer_edits_a_file(self, slug, new_stamp, draft):
        if new_stamp:
            self.day = min(self.day + 1, 29)
        reviewed = f"2026-11-{self.day}"
        path = self.folder / "faqs" / f"{slug}.md"
        self.forget_unless_kept(path.read_text(), "file")  # writers may write over their own unloaded text
        path.write_text(file_text(slug, self.text("file"), reviewed, "draft" if draft else "published"))

    def kept_in_database(self):
        return "\n".join(
            [*FAQ.objects.values_list("body", flat=True), *Revision.objects.values_list("text", flat=True),
             *ReviewEvent.objects.values_list("text", flat=True), *FAQ.history.values_list("body", flat=True)]
        )  # fmt: skip

    def forget_unless_kept(self, text, who):
        """Someone chose to replace this text: it no longer has to be found, unless it was kept anyway."""
        kept = self.kept_in_database()
        for marker in [m for m, w in self.written.items() if w == who and m in text and m not in kept]:
            del self.written[marker]

    @rule(slug=st.sampled_from(SLUGS))
    def writer_breaks_a_file_then_a_load_changes_nothing(self, slug):
        path = self.folder / "faqs" / f"{slug}.md"
        good = path.read_bytes()
        path.write_text(good.decode().replace("question:", "question: a: b\nquestion:", 1))
        before = db_snapshot()
        code, _, err = command("load_content", self.folder)
        assert code == 1 and f"faqs/{slug}.md" in err
        assert db_snapshot() == before
        path.write_bytes(good)

    # --- the commands ---------------------------------------------------------------------------------------

    @rule(mode=st.sampled_from(["plain", "dry-run", "prune"]))
    def load(self, mode):
        args = {"plain": [], "dry-run": ["--dry-run"], "prune": ["--prune"]}[mode]
        before = db_snapshot()
        code, out, err = command("load_content", self.folder, *args)
        if code == 1:  # the writer made the crisis answer a draft: a content rule refuses the whole load
            assert f"the crisis answer '{CRISIS_ANSWER}' is not a published FAQ" in err, err
            assert (self.folder / "faqs" / f"{CRISIS_ANSWER}.md").read_text().count("status: draft") == 1
        else:
            assert code in (0, 3), err
        if code == 1 or mode == "dry-run":
            assert db_snapshot() == before

    @rule(slug=st.sampled_from(SLUGS))
    def load_forcing_one_conflict(self, slug):
        code, out, err = command("load_content", self.folder)
        if f"CONFLICT FAQ {slug}:" in err:
            code, out, err = command("load_content", self.folder, "--force", slug)
            assert code in (0, 3), err
            assert f"forced: FAQ {slug}" in out

    @rule(only=st.sampled_from([None, *SLUGS]))
    def export(self, only):
        args = ["--only", only] if only else []
        if only:  # taking the admin's version by name replaces what the file had: a choice, reported
            self.forget_unless_kept((self.folder / "faqs" / f"{only}.md").read_text(), "file")
        code, out, err = command("export_content", self.folder, *args)
        assert code in (0, 3), err

    # --- after every step -------------------------------------------------------------------------------------

    @invariant()
    def nothing_either_side_wrote_is_lost(self):
        kept = "\n".join(path.read_text() for path in self.folder.rglob("*.md")) + self.kept_in_database()
        lost = [text for text in self.written if text not in kept]
        assert not lost, lost

    @invariant()
    def a_load_going_by_the_last_loads_state_reports_what_comparing_every_row_reports(self):
        if loadstate.last_load_differs() is None:
            return  # something changed since the last load: the next compares every row anyway
        with transaction.atomic():
            by_state = command("load_content", self.folder, "--dry-run")
            loadstate.forget()
            every_row = command("load_content", self.folder, "--dry-run")
            transaction.set_rollback(True)
        assert by_state == every_row

    @invariant()
    def what_the_admin_holds_exports_and_loads_back_with_no_error_and_no_change(self):
        scratch = Path(tempfile.mkdtemp()) / "content"
        try:
            with transaction.atomic():
                code, out, err = command("export_content", scratch)
                assert code == 0, err
                code, out, err = command("load_content", scratch)
                assert (code, err) == (0, ""), err
                assert out.splitlines()[-1].startswith("0 created, 0 updated,"), out
                transaction.set_rollback(True)
        finally:
            shutil.rmtree(scratch.parent, ignore_errors=True)


TEMPLATE = None


@pytest.mark.django_db
def test_no_sequence_of_edits_loads_exports_and_restores_loses_an_edit(site_content, settings_checks_on):
    global TEMPLATE
    TEMPLATE = site_content
    run_state_machine_as_test(
        NoEditLost,
        settings=settings(
            deadline=None,
            suppress_health_check=list(HealthCheck),
            **PROFILE,
        ),
    )


@pytest.fixture
def settings_checks_on(settings):
    settings.CONTENT_CHECKS_ON_LOAD = True
    settings.SIGNOFF_TWO_PEOPLE = False
    return settings
