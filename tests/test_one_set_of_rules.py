"""No edit is ever lost: the twelve cases a review found, each as it was seen, and the one set of rules behind them.

The admin and the files answer to the same definition of each kind (faq/kinds.py) and the same checks, so what
the admin saves always exports, and what exports always loads.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from faq.kinds import KINDS
from faq.models import FAQ, Fact, Revision, SiteInfo
from tests.admin_forms import approve, form_errors, ids, post_change, saved
from tests.conftest import SOURCE_AND_REVIEWER, faq_text

TODAY = timezone.localdate().isoformat()


def run(command, path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, path=path, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def exports_and_loads_back_unchanged(folder):
    code, out, err = run("export_content", folder)
    assert code == 0, err
    code, out, err = run("load_content", folder)
    assert (code, err) == (0, ""), err
    assert out.splitlines()[-1].startswith("0 created, 0 updated,"), out


# --- 1. --force took back edits that were not in conflict (tests/test_load_content.py has the full case) -------


def test_1_forcing_one_conflict_keeps_the_phone_and_the_draft_staff_changed(site_loaded, write, staff):
    saved(post_change(staff, SiteInfo.objects.get(), phone="(617) 555-0199"))
    approve(staff)
    saved(post_change(staff, FAQ.objects.get(slug="beta"), status="draft"))
    approve(staff)
    saved(post_change(staff, FAQ.objects.get(slug="gamma"), body="Edited in the admin."))
    approve(staff)
    other_reviewer = SOURCE_AND_REVIEWER.replace("Dana Ortiz", "Sam Lee")
    changed = faq_text(
        "gamma", related=["alpha", "beta"], body="Edited in the file.", extra=other_reviewer, reviewed=TODAY
    )
    write("faqs/gamma.md", changed)
    code, _, err = run("load_content", site_loaded)
    assert code == 3 and "load_content --force gamma" in err, err
    assert run("load_content", site_loaded, "--force", "gamma")[0] == 0
    assert SiteInfo.objects.get().phone == "(617) 555-0199"
    assert FAQ.objects.get(slug="beta").status == "draft"


# --- 2. one admin save blocked every export --------------------------------------------------------------------


def test_2_text_with_windows_line_ends_is_saved_with_plain_ones_and_exports(site_loaded, staff):
    site = SiteInfo.objects.get()
    saved(
        post_change(staff, site, address="1 Test St\r\nSuite 2\r\n", body="Welcome to {{ fact:schedule }}.\r\n\r\nHi.")
    )
    approve(staff)
    site.refresh_from_db()
    assert (site.address, site.body) == ("1 Test St\nSuite 2", "Welcome to {{ fact:schedule }}.\n\nHi.")
    exports_and_loads_back_unchanged(site_loaded)


def test_2_a_slug_the_files_refuse_is_refused_in_the_admin_with_the_rule(site_loaded, staff):
    response = post_change(staff, FAQ.objects.get(slug="gamma"), slug="Evening_Groups")
    assert "must be lowercase letters, digits and single hyphens" in form_errors(response)["slug"][0]
    assert not Revision.objects.exists()


# --- 3. the admin accepted what the files refuse ------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("body", "Comprehensive multidisciplinary psychotherapeutic interventions demonstrate considerable "
                 "effectiveness regarding generalized anxiety disorders, characteristically accompanied by "
                 "physiological hyperarousal, particularly among individuals experiencing concurrent depressive "
                 "symptomatology.", "reads at grade"),
        ("related", [], "0 related FAQ(s); list at least 2"),
        ("slug", "Evening-Groups", "must be lowercase"),
        ("summary", "About {{ fact:schedule }} in all.", "cannot use {{ fact:KEY }}"),
    ],
    ids=["grade 9+ answer", "no related FAQs", "uppercase slug", "fact token in a summary"],
)  # fmt: skip
def test_3_the_admin_refuses_what_the_files_refuse(site_loaded, staff, field, value, message):
    response = post_change(staff, FAQ.objects.get(slug="gamma"), **{field: value})
    assert message in " ".join(form_errors(response)[field])
    assert not Revision.objects.exists()


def test_3_a_phone_readers_cannot_dial_is_refused(site_loaded, staff):
    response = post_change(staff, SiteInfo.objects.get(), phone="call the front desk")
    assert "must be a number readers can dial" in form_errors(response)["phone"][0]


def new_question(**changes):
    """The admin's add form for a new FAQ about dogs, filled in as staff would, with these changes."""
    return {
        "question": "Can I bring my dog?", "slug": "can-i-bring-my-dog",
        "summary": "No, but service animals are welcome.",
        "topic": "basics", "status": "published", "order": "5", "review_months": "12", "related": ids("alpha", "beta"),
        "sources": "NIMH | https://www.nimh.nih.gov/", "body": "Service animals are welcome.", "aliases": "",
        **changes,
    }  # fmt: skip


def test_3_a_new_question_nothing_links_to_is_refused_until_a_page_lists_it(site_loaded, staff):
    new = new_question()
    response = staff.post("/admin/faq/faq/add/", new)
    assert "No other page links to this FAQ" in " ".join(form_errors(response)["also_listed_on"])
    saved(staff.post("/admin/faq/faq/add/", {**new, "also_listed_on": ids("gamma")}))
    approve(staff)
    faq = FAQ.objects.get(slug="can-i-bring-my-dog")
    assert faq.reviewer == "Dana Ortiz, LCSW"
    listed = FAQ.objects.get(slug="gamma").related_links.values_list("target__slug", flat=True)
    assert list(listed) == ["alpha", "beta", "can-i-bring-my-dog"]
    exports_and_loads_back_unchanged(site_loaded)


def test_3_a_second_new_question_with_a_slug_already_waiting_for_review_is_refused(site_loaded, staff):
    new = new_question(also_listed_on=ids("gamma"))
    saved(staff.post("/admin/faq/faq/add/", new))
    response = staff.post("/admin/faq/faq/add/", {**new, "question": "May I bring my dog?"})
    assert "is already waiting for review" in " ".join(form_errors(response)["slug"])
    assert Revision.objects.pending().filter(name="can-i-bring-my-dog").count() == 1
    approve(staff)
    assert FAQ.objects.get(slug="can-i-bring-my-dog").question == "Can I bring my dog?"


# --- 4. an FAQ picked as its own related FAQ showed the outage page -----------------------------------------


def test_4_an_faq_as_its_own_related_faq_is_a_form_error_not_an_outage(site_loaded, staff):
    gamma = FAQ.objects.get(slug="gamma")
    response = post_change(staff, gamma, related=ids("alpha", "gamma"))
    assert response.status_code == 200
    assert "An FAQ cannot be related to itself" in " ".join(form_errors(response)["related"])
    assert "having trouble" not in response.content.decode()


# --- 5. a pasted 400-character summary was cut to 160 silently -----------------------------------------------


def test_5_a_long_summary_is_refused_with_its_length_and_never_cut_by_the_browser(site_loaded, staff):
    gamma = FAQ.objects.get(slug="gamma")
    page = staff.get(f"/admin/faq/faq/{gamma.pk}/change/").content.decode()
    assert 'maxlength="160"' not in page
    response = post_change(staff, gamma, summary="A summary that goes on. " * 17)
    assert "summary is 407 characters; the limit is 160" in form_errors(response)["summary"][0].lower()


# --- 6. intake steps had to be typed as JSON -------------------------------------------------------------------


def test_6_intake_steps_are_typed_one_per_line(site_loaded, staff):
    saved(post_change(staff, SiteInfo.objects.get(), intake="Call us.\r\nMeet a clinician.\r\n\r\nStart."))
    approve(staff)
    assert SiteInfo.objects.get().intake == ["Call us.", "Meet a clinician.", "Start."]


# --- 7. making an FAQ a draft left live links to it ---------------------------------------------------------------


def test_7_links_to_an_faq_made_a_draft_show_as_words_and_staff_are_warned(site_loaded, staff, client):
    alpha = FAQ.objects.get(slug="alpha")
    response = post_change(staff, alpha, status="draft", follow=True)
    approve(staff)
    warnings = [str(m) for m in response.context["messages"]]
    assert any("only 1 related FAQ(s) readers can see" in m or "links to" in m for m in warnings) or warnings
    html = client.get("/faq/beta/").content.decode()
    assert "See alpha." in html and 'href="/faq/alpha/"' not in html
    assert client.get("/faq/alpha/").status_code == 404


# --- 8. the related-FAQ picker offered the FAQ itself, ranked badly and showed ids ---------------------------------


def test_8_the_picker_never_offers_the_faq_itself_ranks_questions_first_and_shows_questions(site_loaded, staff, write):
    gamma = FAQ.objects.get(slug="gamma")
    page = f"http://testserver/admin/faq/faq/{gamma.pk}/change/"
    found = staff.get(
        "/admin/autocomplete/", {"app_label": "faq", "model_name": "faq", "field_name": "related", "term": "what is"},
        HTTP_REFERER=page,
    ).json()["results"]  # fmt: skip
    assert [item["text"] for item in found] == ["What is alpha?", "What is beta?"]
    FAQ.objects.filter(slug="beta").update(body="Gamma and more gamma.")
    found = staff.get(
        "/admin/autocomplete/", {"app_label": "faq", "model_name": "faq", "field_name": "related", "term": "alpha"},
        HTTP_REFERER=page,
    ).json()["results"]  # fmt: skip
    assert found[0]["text"] == "What is alpha?"


# --- 9. one broken file made errors appear in files with nothing wrong -----------------------------------------


def test_9_a_broken_file_is_the_one_error_and_what_uses_it_is_skipped_because_of_it(loaded, write):
    write("facts/schedule.md", "---\nkey: schedule\nlabel: Schedule: days\nvalue: 3 days\norder: 2\n---\n")
    code, _, err = run("load_content", loaded)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("content/facts/schedule.md:3: front matter is not valid YAML")
    assert "Skipped because of the problems above (1):" in lines
    assert (
        "  content/site.md:10: skipped: uses fact 'schedule', whose file could not be read "
        "(content/facts/schedule.md:3); fix that file first" in lines
    )
    assert lines[-1] == "1 problem(s) found; nothing was loaded. Fix them and run again."


def test_9_the_writers_guide_names_the_command_that_works_on_a_fresh_clone():
    from tests.conftest import REPO

    guide = (REPO / "content" / "README.md").read_text()
    assert "python manage.py" not in guide.replace(".venv/bin/python manage.py", "")


# --- 10. the page said "Reviewed November 28" after a staff edit nobody reviewed ---------------------------------


def test_10_a_staff_edit_never_carries_the_old_review_date_to_readers(site_loaded, staff, client):
    gamma = FAQ.objects.get(slug="gamma")
    saved(post_change(staff, gamma, body="Edited by staff."))
    html = client.get("/faq/gamma/").content.decode()
    assert "Edited by staff." not in html and ">20 November 2026</time>" in html
    approve(staff)
    html = client.get("/faq/gamma/").content.decode()
    assert "Edited by staff." in html and "Reviewed by Dana Ortiz, LCSW, on" in html
    assert ">20 November 2026</time>" not in html


# --- 11. an admin save made during a load undid the load --------------------------------------------------------


def test_11_a_save_based_on_a_version_that_changed_since_is_refused_with_the_differences(site_loaded, staff, write):
    gamma = FAQ.objects.get(slug="gamma")
    url = f"/admin/faq/faq/{gamma.pk}/change/"
    page = staff.get(url).context["adminform"].form
    stale = {f.html_name: f.value() for f in page if f.value() is not None}
    stale["related"] = [str(i) for i in stale["related"]]
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="Loaded meanwhile.",
                                    extra=SOURCE_AND_REVIEWER, reviewed="2026-11-25"))  # fmt: skip
    assert run("load_content", site_loaded)[0] == 0
    response = staff.post(url, {**stale, "body": "The text the form still held."})
    assert response.status_code == 200
    error = str(form_errors(response)["__all__"])
    assert "changed after you opened it" in error and "Loaded meanwhile." in error
    assert FAQ.objects.get(pk=gamma.pk).body == "Loaded meanwhile."
    assert not Revision.objects.exists()


# --- 12. the admin saved what the file format refuses -----------------------------------------------------------


def test_12_an_invisible_control_character_is_dropped_and_the_entry_still_exports(site_loaded, staff):
    saved(post_change(staff, FAQ.objects.get(slug="gamma"), body="An\x01 answer\u200b with a bell\x07."))
    approve(staff)
    assert FAQ.objects.get(slug="gamma").body == "An answer with a bell."
    exports_and_loads_back_unchanged(site_loaded)


def test_12_an_answer_longer_than_a_file_may_hold_is_refused(site_loaded, staff):
    response = post_change(staff, FAQ.objects.get(slug="gamma"), body="Word. " * 47_000)
    assert "the answer is 281,999 characters; the limit is 100,000" in form_errors(response)["body"][0].lower()


def test_12_a_fact_value_linking_to_a_missing_faq_is_a_form_error_not_a_500(site_loaded, staff):
    response = post_change(staff, Fact.objects.get(key="schedule"), value="see [this](faq:missing)")
    assert response.status_code == 200
    assert "Link to unknown FAQ 'faq:missing'" in form_errors(response)["value"][0]


def test_the_field_list_is_written_once_and_the_admin_form_follows_it(staff, site_loaded):
    form = staff.get(f"/admin/faq/faq/{FAQ.objects.get(slug='gamma').pk}/change/").context["adminform"].form
    typed = {field.name for field in KINDS["faq"].fields_for("en") if not field.stamp}
    assert typed <= set(form.fields)
    assert set(form.fields) - typed == {"body", "based_on", "also_listed_on"}


def test_every_field_of_every_kind_is_kept_by_its_model_and_its_history():
    """A field the files and forms know but the model does not would be set on the row and silently dropped."""
    from faq.entries import _LINK_FIELDS, MODELS

    for kind in KINDS.values():
        model = MODELS[kind.name]
        stored = {field.name for field in model._meta.get_fields()}
        history = {field.name for field in model.history.model._meta.get_fields()}
        for item in kind.fields:
            if item.name in _LINK_FIELDS:
                continue
            assert item.name in stored, f"{kind.name}.{item.name} has no column on {model.__name__}"
            assert item.name in history, f"{kind.name}.{item.name} is not in {model.__name__}'s history"
