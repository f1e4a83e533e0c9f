"""JSON-LD: built from dicts, escaped like json_script, valid against schema.org, true to the visible page."""

import re

import pytest

from faq.models import SiteInfo
from faq.rendering import html_to_text
from tests import schema_org
from tests.schema_org import json_ld_blocks, nodes_of_type


def page_data(client, path):
    blocks = json_ld_blocks(client.get(path).content.decode())
    assert len(blocks) == 1, f"{path} should have one JSON-LD block, has {len(blocks)}"
    return blocks[0]


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/alpha/", "/faq/beta/", "/faq/gamma/"])
def test_json_ld_uses_only_schema_org_properties_and_has_the_required_ones(client, loaded, path):
    assert schema_org.problems(page_data(client, path)) == []


def test_schema_check_catches_unknown_and_missing_properties():
    data = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "FAQPage", "mainEntity": {"@type": "Question", "name": "Q?", "answer": "A."}}],
    }
    assert schema_org.problems(data) == [
        "@graph[0].mainEntity: Question lacks required acceptedAnswer",
        "@graph[0].mainEntity: answer is not a property of Question",
    ]


def test_faq_page_marks_up_its_own_question_once_matching_the_visible_text(client, loaded):
    html = client.get("/faq/alpha/").content.decode()
    data = json_ld_blocks(html)[0]
    questions = nodes_of_type(data, "Question")
    assert [q["name"] for q in questions] == ["What is alpha?"]
    assert re.search(r"<h1>(.*?)</h1>", html).group(1) == questions[0]["name"]
    visible_answer = html_to_text(re.search(r'<div class="prose">(.*?)</div>', html, re.S).group(1))
    assert questions[0]["acceptedAnswer"]["text"] == visible_answer == "Alpha takes 9 to 19 hours a week."


def test_related_teasers_are_not_marked_up_as_questions(client, loaded):
    html = client.get("/faq/gamma/").content.decode()
    assert "What is alpha?" in html  # shown as a related teaser
    assert [q["name"] for q in nodes_of_type(json_ld_blocks(html)[0], "Question")] == ["What is gamma?"]


@pytest.mark.parametrize("path", ["/", "/faq/"])
def test_home_and_index_have_no_question_markup(client, loaded, path):
    data = page_data(client, path)
    assert nodes_of_type(data, "Question") == [] and nodes_of_type(data, "FAQPage") == []


def test_medical_web_page_carries_review_date_reviewer_about_and_audience(client, make_faq):
    make_faq("reviewed", reviewer="Dana Lee, LCSW", reviewed="2026-03-04")
    page = nodes_of_type(page_data(client, "/faq/reviewed/"), "MedicalWebPage")[0]
    assert page["lastReviewed"] == "2026-03-04"
    assert page["reviewedBy"] == {"@type": "Person", "name": "Dana Lee", "jobTitle": "LCSW"}
    assert page["about"]["@type"] == "MedicalTherapy"
    assert page["audience"]["audienceType"] == "Patient"
    assert page["url"] == "https://iop.example.org/faq/reviewed/"


def test_reviewer_is_left_out_when_none_is_given(client, make_faq):
    make_faq("unreviewed", reviewer="")
    assert "reviewedBy" not in nodes_of_type(page_data(client, "/faq/unreviewed/"), "MedicalWebPage")[0]


def test_breadcrumb_list_follows_the_visible_trail(client, loaded):
    crumbs = nodes_of_type(page_data(client, "/faq/alpha/"), "BreadcrumbList")[0]["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Home", "https://iop.example.org/"),
        (2, "Questions", "https://iop.example.org/faq/"),
        (3, "Basics", "https://iop.example.org/faq/#basics"),
        (4, "What is alpha?", "https://iop.example.org/faq/alpha/"),
    ]


@pytest.mark.parametrize("path", ["/", "/faq/", "/faq/alpha/"])
def test_program_is_a_medical_clinic_from_the_site_information(client, loaded, path):
    site = SiteInfo.objects.get()
    [clinic] = nodes_of_type(page_data(client, path), "MedicalClinic")
    assert (clinic["name"], clinic["telephone"], clinic["address"]) == (site.name, site.phone, "1 Test St")
    assert clinic["@id"] == "https://iop.example.org/#clinic"


def test_text_that_looks_like_markup_cannot_leave_the_data_block(client, make_faq):
    question = "</script><script>alert(1)</script> & <!-- is it safe?"
    make_faq("hostile", question=question)
    html = client.get("/faq/hostile/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert nodes_of_type(json_ld_blocks(html)[0], "Question")[0]["name"] == question


@pytest.mark.parametrize("path", ["/search/?q=alpha", "/faq/no-such-page/"])
def test_search_and_missing_pages_carry_no_structured_data(client, loaded, path):
    assert json_ld_blocks(client.get(path).content.decode()) == []
