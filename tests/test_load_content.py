"""load_content: validate everything first, write in one transaction, never overwrite admin edits silently."""

import io

import pytest
from django.core.management import call_command

from faq.models import FAQ, Fact, RelatedFAQ
from tests.conftest import faq_text


def load(path, *args, checks_off=True):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("load_content", *args, path=path, stdout=out, stderr=err, skip_content_checks_in_tests=checks_off)
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


def test_changed_file_updates_its_entry(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["beta"], body="New answer."))
    code, out, _ = load(loaded)
    assert (code, "updated: FAQ gamma" in out) == (0, True)
    gamma = FAQ.objects.get(slug="gamma")
    assert gamma.body_html == "<p>New answer.</p>\n"
    assert list(gamma.related.values_list("slug", flat=True)) == ["beta"]


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
    assert "-Edited in the admin." in err and "+Edited in the file." in err
    assert FAQ.objects.get(slug="gamma").body == "Edited in the admin."
    assert "1 conflicts" in out


def test_force_takes_the_files_version(loaded, write):
    faq = FAQ.objects.get(slug="gamma")
    faq.body = "Edited in the admin."
    faq.save()
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Edited in the file."))
    code, _, _ = load(loaded, "--force")
    assert code == 0
    assert FAQ.objects.get(slug="gamma").body == "Edited in the file."


def test_dry_run_reports_and_writes_nothing(loaded, write):
    before = snapshot()
    write("faqs/delta.md", faq_text("delta", related=["alpha"]))
    code, out, _ = load(loaded, "--dry-run")
    assert code == 0
    assert "would be created: FAQ delta" in out
    assert snapshot() == before


def test_deleted_file_keeps_its_entry(loaded):
    (loaded / "faqs" / "gamma.md").unlink()
    code, out, _ = load(loaded)
    assert code == 0
    assert "no file any more, entry kept: FAQ gamma" in out
    assert FAQ.objects.filter(slug="gamma").exists()


def test_slug_change_with_alias_updates_the_same_entry(loaded, write):
    pk = FAQ.objects.get(slug="gamma").pk
    (loaded / "faqs" / "gamma.md").unlink()
    write("faqs/gamma-two.md", faq_text("gamma-two", related=["alpha"], extra="aliases:\n- gamma\n"))
    code, _, _ = load(loaded)
    assert code == 0
    assert FAQ.objects.get(slug="gamma-two").pk == pk
    assert list(FAQ.objects.get(pk=pk).aliases.values_list("slug", flat=True)) == ["gamma"]


def test_related_links_are_replaced_not_appended(loaded, write):
    write("faqs/gamma.md", faq_text("gamma", related=["beta"]))
    load(loaded)
    assert RelatedFAQ.objects.filter(faq__slug="gamma").count() == 1


def test_unknown_fact_in_site_file_is_an_error(loaded, write):
    write("site.md", "---\nname: X\nphone: '1'\naddress: A\nhours: B\nintake:\n- a\n---\n{{ fact:missing }}\n")
    code, _, err = load(loaded)
    assert code == 1
    assert "content/site.md:9: unknown fact 'missing'" in err
    assert Fact.objects.count() == 2


def test_real_content_folder_loads_cleanly(db, settings):
    code, out, err = load(settings.CONTENT_DIR, checks_off=False)
    assert (code, err) == (0, "")
    assert FAQ.objects.published().count() >= 5
