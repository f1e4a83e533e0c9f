"""export_content: database entries back to files, in the same format, without losing a file edit."""

import datetime
import io
import shutil

import pytest
from django.core.management import call_command

from faq.content import IGNORED_FILES
from faq.models import FAQ, Alias, Fact, RelatedFAQ, Topic
from tests.conftest import REPO, faq_text
from tests.snapshots import db_snapshot


def run(command, path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, path=path, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def edit_in_admin(slug, body):
    faq = FAQ.objects.get(slug=slug)
    faq.body = body
    faq.save()


def test_load_then_export_reproduces_canonical_files_byte_for_byte(loaded):
    before = files(loaded)
    code, out, _ = run("export_content", loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")
    assert files(loaded) == before


def test_round_trip_holds_on_the_real_content_folder(db, tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(REPO / "content", copy)
    original = files(copy)
    assert run("load_content", copy)[0] == 0
    code, out, _ = run("export_content", copy)
    assert code == 0
    assert out.splitlines()[-1].startswith("0 created, 0 updated, ")
    assert files(copy) == original
    _, again, _ = run("load_content", copy)
    entries = [name for name in original if name.rsplit("/", 1)[-1] not in IGNORED_FILES]
    assert again.splitlines()[-1] == f"0 created, 0 updated, {len(entries)} unchanged"


def test_entries_made_in_the_admin_get_new_files_that_load_back_unchanged(loaded, make_faq):
    topic = Topic.objects.create(slug="costs", title="Costs", description="Money.", order=5)
    Fact.objects.create(key="fee", label="Fee", value="None", order=9, body="We charge *nothing*.")
    new = make_faq(
        "made-here",
        topic=topic,
        question="Made: in the admin?",
        summary="Yes.",
        body="See [alpha](faq:alpha).\n\nLine two.",
        reviewer="Dana Lee, LCSW",
        sources=[{"url": "https://www.nimh.nih.gov/", "title": "NIMH"}],
        status=FAQ.Status.DRAFT,
    )
    RelatedFAQ.objects.create(faq=new, target=FAQ.objects.get(slug="beta"), position=0)
    Alias.objects.create(slug="old-made-here", faq=new)

    code, out, _ = run("export_content", loaded)

    assert code == 0
    assert {
        "created: content/topics/costs.md (topic costs)",
        "created: content/facts/fee.md (fact fee)",
        "created: content/faqs/made-here.md (FAQ made-here)",
    } <= set(out.splitlines())
    assert (loaded / "faqs" / "made-here.md").read_text() == (
        "---\nquestion: 'Made: in the admin?'\nslug: made-here\nsummary: Yes.\ntopic: costs\nrelated:\n- beta\n"
        "order: 0\nreviewed: 2026-01-01\nreviewer: Dana Lee, LCSW\nsources:\n- title: NIMH\n"
        "  url: https://www.nimh.nih.gov/\nstatus: draft\naliases:\n- old-made-here\n---\n\n"
        "See [alpha](faq:alpha).\n\nLine two.\n"
    )
    before = db_snapshot()
    code, out, _ = run("load_content", loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 0 updated, 10 unchanged")
    assert db_snapshot() == before


def test_export_then_load_reports_no_changes_after_admin_edits(loaded):
    edit_in_admin("gamma", "Edited in the admin.")
    fact = Fact.objects.get(key="schedule")
    fact.value = "4 days a week"
    fact.save()
    code, out, _ = run("export_content", loaded)
    assert code == 0
    assert set(out.splitlines()[:-1]) == {
        "updated: content/faqs/gamma.md (FAQ gamma)",
        "updated: content/facts/schedule.md (fact schedule)",
    }
    assert "Edited in the admin." in (loaded / "faqs" / "gamma.md").read_text()
    code, out, _ = run("load_content", loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")


def test_non_canonical_file_is_rewritten_in_the_standard_layout_with_the_same_content(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"]).replace("order: 10", "order:    10"))
    run("load_content", loaded)
    code, out, _ = run("export_content", loaded)
    assert "updated: content/faqs/gamma.md (FAQ gamma)" in out
    assert "order: 10\n" in (loaded / "faqs" / "gamma.md").read_text()
    assert run("load_content", loaded)[1].splitlines()[-1] == "0 created, 0 updated, 7 unchanged"


def test_file_edited_since_the_last_load_is_not_overwritten(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, out, _ = run("export_content", loaded)
    assert code == 0
    assert "file kept, it has changes not loaded yet (run load_content): content/faqs/gamma.md (FAQ gamma)" in out
    assert "Edited in the file." in (loaded / "faqs" / "gamma.md").read_text()


def test_export_conflict_leaves_the_file_and_only_takes_the_admins_version(loaded, write):
    edit_in_admin("gamma", "Edited in the admin.")
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, out, err = run("export_content", loaded)
    assert code == 3
    assert "conflict, file left as it is: FAQ gamma" in out
    assert "CONFLICT FAQ gamma: content/faqs/gamma.md changed since the last load" in err
    assert "-Edited in the file." in err and "+Edited in the admin." in err
    assert "Edited in the file." in (loaded / "faqs" / "gamma.md").read_text()

    code, out, _ = run("export_content", loaded, "--only", "gamma")
    assert (code, out.splitlines()) == (
        0,
        ["updated: content/faqs/gamma.md (FAQ gamma)", "0 created, 1 updated, 0 unchanged"],
    )
    assert "Edited in the admin." in (loaded / "faqs" / "gamma.md").read_text()
    assert run("load_content", loaded)[1].splitlines()[-1] == "0 created, 0 updated, 7 unchanged"


def test_load_conflict_resolved_with_export_only(loaded, write):
    edit_in_admin("gamma", "Edited in the admin.")
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    assert run("load_content", loaded)[0] == 3
    assert run("export_content", loaded, "--only", "gamma")[0] == 0
    code, out, _ = run("load_content", loaded)
    assert (code, out.splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")
    assert FAQ.objects.get(slug="gamma").body == "Edited in the admin."


def test_only_with_an_unknown_slug_writes_nothing(loaded):
    before = files(loaded)
    code, _, err = run("export_content", loaded, "--only", "nope")
    assert code == 1
    assert "nope: no FAQ, fact or topic has this slug or key" in err
    assert files(loaded) == before


def test_dry_run_export_writes_nothing(loaded, make_faq):
    make_faq("made-here", topic=Topic.objects.get(slug="basics"))
    edit_in_admin("gamma", "Edited in the admin.")
    before, db_before = files(loaded), db_snapshot()
    code, out, _ = run("export_content", loaded, "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "Dry run: nothing was written. A real run would do this:",
        "created: content/faqs/made-here.md (FAQ made-here)",
        "updated: content/faqs/gamma.md (FAQ gamma)",
        "Dry run: 1 created, 1 updated, 6 unchanged",
    ]
    assert (files(loaded), db_snapshot()) == (before, db_before)


def test_export_to_another_folder_writes_every_entry(loaded, tmp_path):
    target = tmp_path / "elsewhere" / "content"
    code, out, _ = run("export_content", target)
    assert (code, out.splitlines()[-1]) == (0, "7 created, 0 updated, 0 unchanged")
    assert files(target) == files(loaded)


def test_entry_that_cannot_be_a_file_is_named_and_nothing_is_written(loaded):
    Fact.objects.filter(key="schedule").update(value="Bell\x07 days")
    before = files(loaded)
    code, _, err = run("export_content", loaded)
    assert code == 1
    expected = (
        "fact schedule: cannot be written as a file; fix it in the admin: value has the invalid control character "
        "U+0007; delete it"
    )
    assert expected in err.splitlines()
    assert files(loaded) == before


@pytest.mark.parametrize("reviewed", [datetime.date(2026, 2, 1), datetime.date(1999, 12, 31)])
def test_exported_dates_are_iso(loaded, reviewed):
    FAQ.objects.filter(slug="gamma").update(reviewed=reviewed)
    run("export_content", loaded, "--only", "gamma")
    assert f"reviewed: {reviewed.isoformat()}\n" in (loaded / "faqs" / "gamma.md").read_text()


def test_admin_entry_whose_file_name_belongs_to_another_entry_is_named_and_the_others_are_written(loaded, write):
    write("faqs/misnamed.md", faq_text("delta"))
    run("load_content", loaded)
    FAQ.objects.create(
        question="Q?", slug="misnamed", summary="S.", topic=Topic.objects.get(slug="basics"), body="B.",
        reviewed=datetime.date(2026, 1, 1),
    )  # fmt: skip
    code, out, err = run("export_content", loaded)
    assert code == 1
    assert (
        "FAQ misnamed: its file name faqs/misnamed.md is the file of FAQ delta; change the slug in the admin"
        in err.splitlines()
    )
    assert "1 problem(s) found; those entries were not written; the others were." in err
    assert "slug: delta\n" in (loaded / "faqs" / "misnamed.md").read_text()
    assert out.splitlines()[-1].endswith("1 entries not written")
