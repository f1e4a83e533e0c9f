"""load_content: validate everything first, write in one transaction, never overwrite admin edits silently."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from faq.models import FAQ, Fact, RelatedFAQ, Revision, SiteInfo
from tests.conftest import faq_text
from tests.snapshots import db_snapshot


def load(path, *args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("load_content", *args, path=path, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def snapshot():
    return sorted(FAQ.objects.values_list("slug", "question", "body", "body_html", "status"))


@pytest.mark.django_db
def test_first_load_creates_everything_and_renders_bodies(content_dir):
    code, out, _ = load(content_dir)
    assert code == 0
    assert "7 created, 0 updated, 0 unchanged" in out
    alpha = FAQ.objects.get(slug="alpha")
    assert alpha.body_html == "<p>Alpha takes 9 to 19 hours a week.</p>\n"
    assert list(alpha.related.values_list("slug", flat=True)) == ["beta"]
    assert '<a href="/faq/alpha/"' in FAQ.objects.get(slug="beta").body_html


def test_second_load_changes_nothing(loaded):
    before = snapshot()
    code, out, _ = load(loaded)
    assert (code, out.strip().splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")
    assert snapshot() == before


def test_invalid_file_means_nothing_is_written(loaded, write):
    before = snapshot()
    write("faqs/alpha.md", faq_text("alpha", body="Changed answer."))
    write("faqs/broken.md", faq_text("broken", related=["missing"]))
    code, _, err = load(loaded)
    assert code == 1
    assert "content/faqs/broken.md:6: related FAQ 'missing' does not exist" in err
    assert "nothing was loaded" in err
    assert snapshot() == before


def test_changed_file_with_a_new_review_stamp_updates_its_entry(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["beta"], body="New answer.", reviewed="2026-02-01"))
    code, out, _ = load(loaded)
    assert (code, "updated: FAQ gamma (related, reviewed, answer)" in out) == (0, True)
    gamma = FAQ.objects.get(slug="gamma")
    assert gamma.body_html == "<p>New answer.</p>\n"
    assert list(gamma.related.values_list("slug", flat=True)) == ["beta"]
    assert not Revision.objects.exists()


def test_changed_answer_without_a_new_review_stamp_waits_for_review_and_the_page_keeps_the_approved_one(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="New answer."))
    code, out, _ = load(loaded)
    assert code == 0
    assert (
        "waiting for review (the public page keeps the approved version until a reviewer approves): FAQ gamma "
        "(answer changed; the review stamp did not)" in out.splitlines()
    )
    assert out.splitlines()[-1] == "0 created, 0 updated, 6 unchanged, 1 waiting for review"
    assert FAQ.objects.get(slug="gamma").body == "An answer."
    [revision] = Revision.objects.pending()
    assert (revision.name, revision.origin) == ("gamma", "file content/faqs/gamma.md")
    assert "New answer." in revision.text
    code, again, _ = load(loaded)
    assert again.splitlines()[-1] == "0 created, 0 updated, 7 unchanged"
    assert Revision.objects.pending().count() == 1


def test_where_an_answer_is_listed_is_not_reviewed_and_loads_at_once(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["beta", "alpha"]))
    _, out, _ = load(loaded)
    assert "updated: FAQ gamma (related)" in out.splitlines()
    assert not Revision.objects.exists()


def test_fact_change_rerenders_every_body_that_uses_it(loaded, write):
    write("facts/weekly-hours.md", "---\nkey: weekly-hours\nlabel: Hours\nvalue: 12 hours a week\norder: 1\n---\n")
    load(loaded)
    assert FAQ.objects.get(slug="alpha").body_html == "<p>Alpha takes 12 hours a week.</p>\n"


def test_admin_edit_is_kept_when_the_file_did_not_change(loaded):
    faq = FAQ.objects.get(slug="gamma")
    faq.body = "Edited in the admin."
    faq.save()
    code, out, _ = load(loaded)
    assert code == 0
    assert "kept admin edit (file unchanged since the last load): FAQ gamma" in out
    assert FAQ.objects.get(slug="gamma").body == "Edited in the admin."


def test_admin_edit_and_file_edit_is_a_conflict_left_alone(loaded, write):
    faq = FAQ.objects.get(slug="gamma")
    faq.body = "Edited in the admin."
    faq.save()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, out, err = load(loaded)
    assert code == 3
    assert "CONFLICT FAQ gamma" in err
    assert "To take the file's version: load_content --force gamma." in err
    assert "To write the admin's version to the file: export_content --only gamma." in err
    assert "--- admin (database)\n+++ content/faqs/gamma.md\n" in err
    assert "-Edited in the admin." in err and "+Edited in the file." in err
    assert FAQ.objects.get(slug="gamma").body == "Edited in the admin."
    assert "conflict, left as it is in the admin: FAQ gamma" in out.splitlines()
    assert "1 conflicts" in out


def test_conflict_is_reported_again_until_someone_chooses(loaded, write):
    faq = FAQ.objects.get(slug="gamma")
    faq.body = "Edited in the admin."
    faq.save()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    load(loaded)
    code, _, err = load(loaded)
    assert (code, "CONFLICT FAQ gamma" in err) == (3, True)


def test_an_error_halfway_through_leaves_the_database_as_it_was(loaded, write, monkeypatch):
    for name in ("alpha", "beta", "gamma"):
        related = ["alpha" if name != "alpha" else "beta"]
        write(f"faqs/{name}.md", faq_text(name, related=related, body="New.", reviewed="2026-02-01"))
    before = db_snapshot()
    saves = []
    original = FAQ.save

    def fail_on_the_third_save(self, *args, **kwargs):
        saves.append(self.slug)
        if len(saves) == 3:
            raise RuntimeError("the power went out")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FAQ, "save", fail_on_the_third_save)
    with pytest.raises(RuntimeError):
        load(loaded)
    assert saves == ["alpha", "beta", "gamma"]
    assert db_snapshot() == before


def test_force_takes_the_files_version_of_the_named_conflict(loaded, write):
    faq = FAQ.objects.get(slug="gamma")
    faq.body = "Edited in the admin."
    faq.save()
    write(
        "faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file.", reviewed="2026-02-01")
    )
    code, out, _ = load(loaded, "--force", "gamma")
    assert code == 0
    assert FAQ.objects.get(slug="gamma").body == "Edited in the file."
    assert "forced: FAQ gamma: took content/faqs/gamma.md; replaced an admin edit, kept in history" in out
    assert FAQ.history.filter(slug="gamma", body="Edited in the admin.").exists()


def test_force_needs_the_names_of_the_conflicts_to_take(loaded):
    with pytest.raises(CommandError, match="--force: expected at least one argument"):
        call_command("load_content", "--force", path=loaded, stdout=io.StringIO(), stderr=io.StringIO())


def test_force_never_touches_an_entry_the_file_did_not_change(loaded, write, make_faq):
    """The reported case: staff changed the phone and made an answer a draft; a writer changed another answer
    that staff had changed too. Forcing that one conflict changes nothing else."""
    site = SiteInfo.objects.get()
    site.phone = "(617) 555-0199"
    site.save()
    draft = FAQ.objects.get(slug="beta")
    draft.status = FAQ.Status.DRAFT
    draft.save()
    conflict = FAQ.objects.get(slug="gamma")
    conflict.body = "Edited in the admin."
    conflict.save()
    write(
        "faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file.", reviewed="2026-02-01")
    )
    code, out, _ = load(loaded, "--force", "gamma")
    assert code == 0
    assert SiteInfo.objects.get().phone == "(617) 555-0199"
    assert FAQ.objects.get(slug="beta").status == FAQ.Status.DRAFT
    assert FAQ.objects.get(slug="gamma").body == "Edited in the file."
    assert "kept admin edit (file unchanged since the last load): site information (changed in the admin" in out
    assert "kept admin edit (file unchanged since the last load): FAQ beta (changed in the admin" in out


def test_force_with_a_name_not_in_conflict_changes_nothing_and_says_so(loaded):
    before = db_snapshot()
    site = SiteInfo.objects.get()
    site.phone = "(617) 555-0199"
    site.save()
    code, out, _ = load(loaded, "--force", "site")
    assert code == 0
    assert "--force site:site: not in conflict, so nothing was forced" in out
    assert SiteInfo.objects.get().phone == "(617) 555-0199"
    assert before != db_snapshot()


def test_force_with_an_unknown_name_is_an_error_before_anything_is_written(loaded):
    before = db_snapshot()
    code, _, err = load(loaded, "--force", "no-such-entry")
    assert code == 1
    assert "no-such-entry: no file in the content folder has this slug or key" in err
    assert db_snapshot() == before


def test_dry_run_prints_exactly_what_the_real_run_then_does_and_writes_nothing(loaded, write):
    admin_edit = FAQ.objects.get(slug="beta")
    admin_edit.body = "Edited in the admin."
    admin_edit.save()
    write("faqs/delta.md", faq_text("delta", related=["alpha"]))
    write("faqs/alpha.md", faq_text("alpha", related=["delta"], body="New answer.", reviewed="2026-02-01"))
    write("faqs/beta.md", faq_text("beta", related=["alpha"], body="Edited in the file."))
    write("facts/schedule.md", "---\nkey: schedule\nlabel: Schedule\nvalue: 4 days a week\norder: 2\n---\n")
    (loaded / "faqs" / "gamma.md").unlink()
    before = db_snapshot()

    dry_code, dry_out, dry_err = load(loaded, "--dry-run", "--prune")
    assert db_snapshot() == before
    code, out, err = load(loaded, "--prune")

    assert (dry_code, code) == (3, 3)
    assert dry_err == err
    dry_lines = dry_out.splitlines()
    assert dry_lines[0] == "Dry run: nothing was written. A real run would do this:"
    assert dry_lines[-1] == "Dry run: " + out.splitlines()[-1]
    assert dry_lines[1:-1] == out.splitlines()[:-1]
    assert out.splitlines()[:-1] == [
        "created: FAQ delta",
        "updated: fact schedule (value)",
        "updated: FAQ alpha (related, reviewed, answer)",
        "conflict, left as it is in the admin: FAQ beta",
        "unpublished, its file is gone: FAQ gamma (was content/faqs/gamma.md)",
    ]
    assert out.splitlines()[-1] == "1 created, 2 updated, 3 unchanged, 1 conflicts, 1 unpublished"


def test_updated_entry_names_the_fields_that_changed(loaded, write):
    changed = faq_text("gamma", question="What is gamma, really?", related=["alpha", "beta"], reviewed="2026-02-01")
    write("faqs/gamma.md", changed)
    _, out, _ = load(loaded)
    assert "updated: FAQ gamma (question, reviewed)" in out.splitlines()


def test_deleted_file_keeps_its_entry(loaded):
    (loaded / "faqs" / "gamma.md").unlink()
    code, out, _ = load(loaded)
    assert code == 0
    assert "no file any more, entry kept: FAQ gamma (was content/faqs/gamma.md)" in out
    assert "(load_content --prune unpublishes FAQs whose file is gone; nothing is ever deleted)" in out
    assert FAQ.objects.get(slug="gamma").is_published


def test_prune_unpublishes_faqs_whose_file_is_gone_and_deletes_nothing(loaded, write):
    write("facts/spare.md", "---\nkey: spare\nlabel: Spare\nvalue: Spare\norder: 3\n---\n")
    load(loaded)
    (loaded / "faqs" / "gamma.md").unlink()
    (loaded / "facts" / "spare.md").unlink()
    code, out, _ = load(loaded, "--prune")
    assert code == 0
    lines = out.splitlines()
    assert "unpublished, its file is gone: FAQ gamma (was content/faqs/gamma.md)" in lines
    assert "no file any more, entry kept: fact spare (was content/facts/spare.md)" in lines
    assert FAQ.objects.get(slug="gamma").status == FAQ.Status.DRAFT
    assert Fact.objects.filter(key="spare").exists()
    assert lines[-1] == "0 created, 0 updated, 6 unchanged, 1 unpublished"
    _, again, _ = load(loaded, "--prune")
    assert "no file any more, entry kept: FAQ gamma (was content/faqs/gamma.md)" in again.splitlines()


def test_prune_leaves_faqs_made_in_the_admin_alone(loaded, make_faq):
    make_faq("admin-only")
    _, out, _ = load(loaded, "--prune")
    assert "admin-only" not in out
    assert FAQ.objects.get(slug="admin-only").is_published


def test_slug_change_with_alias_updates_the_same_entry(loaded, write):
    pk = FAQ.objects.get(slug="gamma").pk
    (loaded / "faqs" / "gamma.md").unlink()
    renamed = faq_text("gamma-two", related=["alpha"], extra="aliases:\n- gamma\n", reviewed="2026-02-01")
    write("faqs/gamma-two.md", renamed)
    code, _, _ = load(loaded)
    assert code == 0
    assert FAQ.objects.get(slug="gamma-two").pk == pk
    assert list(FAQ.objects.get(pk=pk).aliases.values_list("slug", flat=True)) == ["gamma"]


def test_related_links_are_replaced_not_appended(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["beta"]))
    load(loaded)
    assert RelatedFAQ.objects.filter(faq__slug="gamma").count() == 1


def test_unknown_fact_in_site_file_is_an_error(loaded, write):
    write(
        "site.md", "---\nname: X\nphone: (617) 555-0142\naddress: A\nhours: B\nintake:\n- a\n---\n{{ fact:missing }}\n"
    )
    code, _, err = load(loaded)
    assert code == 1
    assert "content/site.md:9: unknown fact 'missing'" in err
    assert Fact.objects.count() == 2


def test_real_content_folder_loads_cleanly_with_the_checks_on(db, settings):
    settings.CONTENT_CHECKS_ON_LOAD = True
    code, out, err = load(settings.CONTENT_DIR)
    assert (code, err) == (0, "")
    assert FAQ.objects.published().count() >= 5


def test_a_load_of_unchanged_files_skips_parsing_by_content_hash(loaded, monkeypatch):
    def must_not_parse(root):
        raise AssertionError("read_tree called for unchanged files")

    monkeypatch.setattr("faq.management.commands.load_content.read_tree", must_not_parse)
    code, out, _ = load(loaded)
    assert (code, out.strip().splitlines()[-1]) == (0, "0 created, 0 updated, 7 unchanged")


def test_one_changed_byte_means_a_full_load(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"]) + "\n")
    code, out, _ = load(loaded)
    assert code == 0
    assert out.strip().splitlines()[-1] == "0 created, 0 updated, 7 unchanged"
    assert (
        FAQ.objects.get(slug="gamma").source_sha256
        == hashlib.sha256((loaded / "faqs/gamma.md").read_bytes()).hexdigest()
    )


def test_a_large_load_gathers_planner_statistics_and_a_small_one_does_not(loaded, write, monkeypatch):
    from django.db import connection

    from faq import loading

    analyzed = []
    original = loading._gather_statistics
    monkeypatch.setattr(loading, "_gather_statistics", lambda: analyzed.append(True) or original())
    for n in range(loading.STATISTICS_AFTER):
        write(f"faqs/bulk-{n}.md", faq_text(f"bulk-{n}", related=["alpha", "beta"]))
    assert load(loaded)[0] == 0
    if connection.vendor == "postgresql":  # SQLite has no statistics to gather: the call does nothing there
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'faq_faq'")
            assert cursor.fetchone()[0] >= loading.STATISTICS_AFTER
    write("faqs/gamma.md", faq_text("gamma", related=["beta"], body="New answer.", reviewed="2026-02-01"))
    assert load(loaded)[0] == 0
    assert analyzed == [True]  # the 500 new answers; not the one changed
