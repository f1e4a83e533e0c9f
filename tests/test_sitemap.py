"""sitemap.xml and robots.txt: every public page, never a draft, and a lastmod that moves only on real change."""

import datetime
import importlib
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from faq import dependants, sitemaps
from faq.caching import bump_content_version
from faq.entries import Applied
from faq.models import FAQ, Fact, Topic
from tests.admin_forms import approve, client_for, make_user, post_change, saved
from tests.conftest import faq_text, sitemap_sections, sitemap_xml

SITE = "https://iop.example.org"


@pytest.fixture
def clock(monkeypatch):
    """Set the time that saves see: clock(2026, 5, 1)."""

    def _set(*ymd):
        moment = datetime.datetime(*ymd, 12, 0, tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return _set


def sitemap(client):
    return dict(re.findall(r"<url><loc>(.*?)</loc>(?:<lastmod>(.*?)</lastmod>)?", sitemap_xml(client)))


def lastmod(faq):
    faq.refresh_from_db()
    return faq.content_changed_at.date()


def test_sitemap_lists_home_index_and_published_faqs_at_absolute_addresses(client, loaded):
    faqs = {f"{SITE}/faq/{slug}/" for slug in ("alpha", "beta", "gamma")}
    pages = {f"{SITE}/", f"{SITE}/faq/", f"{SITE}/es/", f"{SITE}/es/preguntas/"}
    assert set(sitemap(client)) == {*pages, *faqs}


def test_drafts_never_appear_in_the_sitemap(client, make_faq):
    make_faq("public")
    make_faq("secret", status=FAQ.Status.DRAFT)
    assert f"{SITE}/faq/secret/" not in sitemap(client)
    assert f"{SITE}/faq/public/" in sitemap(client)


def test_lastmod_is_the_day_the_page_content_last_changed(client, make_faq, clock):
    clock(2026, 3, 1)
    make_faq("dated")
    clock(2026, 6, 1)
    assert sitemap(client)[f"{SITE}/faq/dated/"] == "2026-03-01"


def test_saving_with_no_visible_change_keeps_lastmod(make_faq, clock):
    clock(2026, 3, 1)
    faq = make_faq("same")
    clock(2026, 6, 1)
    faq = FAQ.objects.get(pk=faq.pk)
    faq.order = 99  # not shown on the page
    faq.save()
    assert lastmod(faq) == datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("body", "A new answer."), ("question", "New?"), ("summary", "New summary."), ("reviewer", "Dana Lee, LCSW")],
)
def test_a_visible_edit_moves_lastmod(make_faq, clock, field, value):
    clock(2026, 3, 1)
    faq = make_faq("edited")
    clock(2026, 6, 1)
    setattr(faq, field, value)
    faq.save()
    assert lastmod(faq) == datetime.date(2026, 6, 1)


def test_a_fact_change_shown_in_the_answer_moves_lastmod(make_faq, fact, clock):
    clock(2026, 3, 1)
    fact(key="hours", value="9 hours")
    faq = make_faq("uses-fact", body="It takes {{ fact:hours }}.")
    clock(2026, 6, 1)
    changed = Fact.objects.get(key="hours")
    changed.value = "12 hours"
    changed.save()
    dependants.rerender(Applied(fact_keys={("en", "hours")}))  # what a load or an approval does after a fact changes
    assert lastmod(faq) == datetime.date(2026, 6, 1)


def test_loading_unchanged_files_again_keeps_lastmod(client, content_dir, db, clock):
    clock(2026, 3, 1)
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    clock(2026, 6, 1)
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    call_command("load_content", path=content_dir, force=["gamma"], stdout=io.StringIO())
    assert set(sitemap(client).values()) == {"2026-03-01"}


def test_loading_a_changed_file_moves_only_that_page(client, content_dir, write, db, clock):
    clock(2026, 3, 1)
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    clock(2026, 6, 1)
    write("faqs/gamma.md", faq_text("gamma", related=["alpha", "beta"], body="A better answer.", reviewed="2026-02-01"))
    call_command("load_content", path=content_dir, stdout=io.StringIO())
    dates = sitemap(client)
    assert (dates[f"{SITE}/faq/gamma/"], dates[f"{SITE}/faq/alpha/"]) == ("2026-06-01", "2026-03-01")


def test_home_and_index_lastmod_is_the_latest_published_change(client, make_faq, clock):
    clock(2026, 3, 1)
    make_faq("old")
    clock(2026, 4, 1)
    make_faq("newer")
    clock(2026, 5, 1)
    draft = make_faq("draft", status=FAQ.Status.DRAFT)
    draft.body = "Edited draft."
    draft.save()
    dates = sitemap(client)
    assert (dates[f"{SITE}/"], dates[f"{SITE}/faq/"]) == ("2026-04-01", "2026-04-01")


def test_robots_txt_points_to_the_absolute_sitemap_and_keeps_out_of_admin(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {SITE}/sitemap.xml" in text.splitlines()
    assert "Disallow: /admin/" in text.splitlines()
    assert "Disallow: /search/" not in text  # search pages carry noindex, which crawlers must be able to read


def test_every_address_in_the_sitemap_answers_200(client, loaded):
    for url in sitemap(client):
        assert client.get(url.removeprefix(SITE)).status_code == 200, url


def test_migration_hashes_existing_faqs_so_a_no_op_save_keeps_their_date(make_faq, clock):
    from django.apps import apps

    start_change_dates = importlib.import_module("faq.migrations.0003_search").start_change_dates
    clock(2026, 3, 1)
    faq = make_faq("existing")
    FAQ.objects.filter(pk=faq.pk).update(content_hash="", content_changed_at=timezone.now() - datetime.timedelta(9))
    start_change_dates(apps, None)
    assert lastmod(faq) == datetime.date(2026, 3, 1)  # the row's last save
    clock(2026, 6, 1)
    faq.save()
    assert lastmod(faq) == datetime.date(2026, 3, 1)
    faq.summary = "Now different."
    faq.save()
    assert lastmod(faq) == datetime.date(2026, 6, 1)


def test_saving_the_admin_form_unchanged_keeps_lastmod(site_loaded, clock):
    faq = FAQ.objects.get(slug="gamma")
    before = lastmod(faq)
    clock(2026, 12, 1)
    staff = client_for(make_user("admin", superuser=True, reviewer_name="Dana Ortiz, LCSW"))  # logs in on that day
    saved(post_change(staff, faq))
    assert lastmod(faq) == before
    saved(post_change(staff, faq, body="A changed answer."))
    assert lastmod(faq) == before  # waiting for review: readers still see the approved answer
    approve(staff)
    assert lastmod(faq) == datetime.date(2026, 12, 1)


def bulk_faqs(count, start=0):
    topic = Topic.objects.get_or_create(slug="bulk", defaults={"title": "Bulk", "description": "Bulk.", "order": 9})[0]
    FAQ.objects.bulk_create(
        FAQ(question=f"Bulk {i}?", slug=f"bulk-{i}", summary="S.", topic=topic, reviewed="2026-01-01", body="B.")
        for i in range(start, start + count)
    )
    bump_content_version()  # bulk writes send no signals: a new version, as a load makes


def test_sitemap_xml_is_an_index_of_sections_at_absolute_addresses(client, make_faq):
    make_faq("one")
    assert sitemap_sections(client) == [f"{SITE}/sitemap-pages.xml", f"{SITE}/sitemap-faqs.xml"]
    assert "<sitemapindex" in client.get("/sitemap.xml").content.decode()


def test_each_section_page_lists_at_most_the_limit_and_the_index_lists_every_page(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps.FAQSitemap, "limit", 4)
    bulk_faqs(10)
    assert sitemap_sections(client)[1:] == [
        f"{SITE}/sitemap-faqs.xml",
        f"{SITE}/sitemap-faqs.xml?p=2",
        f"{SITE}/sitemap-faqs.xml?p=3",
    ]
    pages = [client.get(f"/sitemap-faqs.xml?p={page}").content.decode() for page in (1, 2, 3)]
    assert [page.count("<url>") for page in pages] == [4, 4, 2]
    listed = set(re.findall(r"<url><loc>(.*?)</loc>", "".join(pages)))
    assert listed == {f"{SITE}/faq/bulk-{i}/" for i in range(10)}
    assert client.get("/sitemap-faqs.xml?p=4").status_code == 404


def test_the_default_section_limit_is_at_most_a_thousand_addresses():
    assert sitemaps.FAQSitemap.limit <= 1000 and sitemaps.PageSitemap.limit <= 1000


def test_an_unknown_section_is_not_found(client, db):
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize(
    "address", ["/sitemap.xml", "/sitemap-pages.xml", "/sitemap-faqs.xml", "/sitemap-faqs.xml?p=2"]
)
def test_sitemap_queries_stay_the_same_with_20_or_200_faqs(client, db, monkeypatch, address):
    monkeypatch.setattr(sitemaps.FAQSitemap, "limit", 10)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(address).status_code == 200
        return len(ctx.captured_queries)

    bulk_faqs(20)
    small = count()
    bulk_faqs(180, start=20)
    assert FAQ.objects.count() == 200
    assert count() == small
    assert small <= 6
