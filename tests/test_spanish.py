"""The site in Spanish: every public page under /es/ with Spanish addresses and interface text, hreflang both
ways, a plain language link, the Spanish crisis routes, Spanish dates, search within the language, the
structured data and sitemap of both languages, untranslated answers shown as a visible fallback, and a
translation that knows when its English answer has changed (on the page, in the admin, in translation_status)."""

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from faq.content import read_tree, source_fingerprint
from faq.models import FAQ, Fact, Revision, SiteInfo, Topic
from tests.conftest import REPO, faq_text, sitemap_xml, spanish_faq_text

SITE = "https://iop.example.org"
SPANISH_PAGES = [
    "/es/",
    "/es/preguntas/",
    "/es/preguntas/temas/basicos/",
    "/es/preguntas/alfa/",
    "/es/buscar/?q=alfa",
    "/es/buscar/",
    "/es/no-existe/",
]


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def structured(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def node(data, kind):
    return next(item for item in data["@graph"] if item["@type"] == kind)


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


# --- every page, in Spanish ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", SPANISH_PAGES)
def test_every_spanish_page_is_in_spanish_with_the_spanish_crisis_routes(client, spanish_loaded, url):
    html = html_of(client, url, status=404 if "no-existe" in url else 200)
    assert '<html lang="es">' in html
    crisis = re.search(r'<aside class="crisis".*?</aside>', html, re.S).group(0)
    assert "oprima 2" in crisis and "AYUDA" in crisis and 'href="tel:988"' in crisis and 'href="tel:911"' in crisis
    assert "988lifeline.org/chat" in crisis
    assert "Ir al contenido principal" in html and "Skip to main content" not in html
    assert 'action="/es/buscar/"' in html  # the search box searches the Spanish answers
    assert "Este sitio da información general." in html  # the footer
    assert 'class="language-link"' in html and 'hreflang="en" lang="en"' in html


def test_english_pages_keep_english_and_link_to_spanish(client, spanish_loaded):
    html = html_of(client, "/faq/alpha/")
    assert '<html lang="en">' in html and "oprima 2" not in html
    assert '<a class="language-link" href="/es/preguntas/alfa/" hreflang="es" lang="es">En español</a>' in html


def test_the_language_comes_from_the_address_only(client, spanish_loaded):
    """No redirect by the browser's language, no cookie: a Spanish browser asking for / gets English."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200 and '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"
    spanish = client.get("/es/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert spanish.status_code == 200 and spanish["Content-Language"] == "es"
    assert not response.cookies and not spanish.cookies


def test_hreflang_alternates_point_both_ways_between_twins(client, spanish_loaded):
    english, spanish = html_of(client, "/faq/alpha/"), html_of(client, "/es/preguntas/alfa/")
    pair = {"en": f"{SITE}/faq/alpha/", "es": f"{SITE}/es/preguntas/alfa/", "x-default": f"{SITE}/faq/alpha/"}
    assert alternates(english) == pair == alternates(spanish)
    topic = html_of(client, "/es/preguntas/temas/basicos/")
    assert alternates(topic)["en"] == f"{SITE}/faq/topics/basics/"


def test_an_untranslated_answer_has_no_spanish_twin_and_the_spanish_index_links_to_it_in_english(
    client, spanish_loaded, make_faq
):
    make_faq("delta", topic=Topic.objects.get(slug="basics", language="en"), question="What is delta?")
    english = html_of(client, "/faq/delta/")
    assert alternates(english) == {}
    assert '<a class="language-link" href="/es/" hreflang="es" lang="es">Sitio en español</a>' in english
    index = html_of(client, "/es/preguntas/")
    section = re.search(r'<section class="topic untranslated".*?</section>', index, re.S).group(0)
    assert "Respuestas solo en inglés" in section
    assert '<li lang="en"><a href="/faq/delta/" hreflang="en">What is delta?</a>' in section
    assert "/faq/alpha/" not in section  # translated answers are listed in Spanish, not here
    assert html_of(client, "/es/preguntas/delta/", status=404)  # no empty Spanish page


def test_an_untranslated_fact_shows_in_english_marked_as_english(client, spanish_loaded):
    html = html_of(client, "/es/")
    assert '<div class="fact"><dt>Horas</dt><dd>De 9 a 19 horas por semana</dd></div>' in html
    assert '<div class="fact" lang="en"><dt>Schedule</dt><dd>3 days a week</dd></div>' in html


def test_spanish_dates_and_the_translator_note(client, spanish_loaded):
    html = html_of(client, "/es/preguntas/alfa/")
    assert 'Revisado por Dana Ortiz, LCSW, el <time datetime="2026-11-20">20 de noviembre de 2026</time>.' in html
    assert "noviembre de 2027" in html
    assert "Un traductor médico calificado todavía no ha revisado esta traducción." in html


def test_a_checked_translation_names_its_translator(client, db, spanish_content, write, settings):
    text = spanish_faq_text("alfa", "alpha", related=["beta", "gama"], body="Alfa toma {{ fact:weekly-hours }}.",
                            extra="translator: Ana Ruiz, CHI\n")  # fmt: skip
    path = write("es/faqs/alfa.md", text)
    call_command("translation_status", stamp=[path], path=spanish_content, stdout=io.StringIO())
    call_command("load_content", path=spanish_content, stdout=io.StringIO())
    html = html_of(client, "/es/preguntas/alfa/")
    assert "Traducción revisada por Ana Ruiz, CHI." in html and "todavía no ha revisado" not in html


# --- structured data and the sitemap ------------------------------------------------------------------------------


def test_structured_data_names_the_language_and_the_translation_pair(client, spanish_loaded):
    spanish = structured(html_of(client, "/es/preguntas/alfa/"))
    page = node(spanish, "MedicalWebPage")
    assert page["inLanguage"] == "es-US" and node(spanish, "FAQPage")["inLanguage"] == "es-US"
    assert page["translationOfWork"] == {"@id": f"{SITE}/faq/alpha/#webpage"}
    answer = node(spanish, "FAQPage")["mainEntity"]["acceptedAnswer"]["text"]
    assert answer.startswith("Alfa toma de 9 a 19 horas por semana.")  # the Spanish fact value
    english = node(structured(html_of(client, "/faq/alpha/")), "MedicalWebPage")
    assert english["inLanguage"] == "en-US"
    assert english["workTranslation"] == {"@id": f"{SITE}/es/preguntas/alfa/#webpage"}
    crumbs = node(spanish, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs[:2]] == ["Inicio", "Preguntas"]


def test_the_sitemap_lists_both_languages_with_their_alternates(client, spanish_loaded):
    xml = sitemap_xml(client)
    urls = dict(re.findall(r"<url><loc>(.*?)</loc>(.*?)</url>", xml, re.S))
    for address in (
        "/",
        "/faq/",
        "/es/",
        "/es/preguntas/",
        "/faq/alpha/",
        "/es/preguntas/alfa/",
        "/es/preguntas/beta/",
    ):
        assert f"{SITE}{address}" in urls, address
    links = dict(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', urls[f"{SITE}/es/preguntas/alfa/"]))
    assert links == {"en": f"{SITE}/faq/alpha/", "es": f"{SITE}/es/preguntas/alfa/", "x-default": f"{SITE}/faq/alpha/"}
    # The Spanish "beta" answer translates the English "beta": same slug, other language, its own address.
    links = dict(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', urls[f"{SITE}/es/preguntas/beta/"]))
    assert links["en"] == f"{SITE}/faq/beta/"


# --- search ------------------------------------------------------------------------------------------------------


def test_spanish_search_finds_spanish_answers_only(client, spanish_loaded):
    html = html_of(client, "/es/buscar/?q=alfa")
    results = re.search(r'<ol class="search-results">.*?</ol>', html, re.S).group(0)
    assert "/es/preguntas/alfa/" in results and "/faq/" not in results
    english = html_of(client, "/search/?q=alfa")
    assert "/es/preguntas/" not in re.search(r"<main.*?</main>", english, re.S).group(0)


def test_a_crisis_search_in_spanish_opens_the_crisis_panel_with_the_translated_crisis_answer(
    client, db, spanish_content, write, settings
):
    write("search.md", "---\ncrisis_terms:\n- suicide\n- quiero morir\ncrisis_answer: gamma\nsynonyms: []\n---\n")
    settings.CONTENT_CHECKS_ON_LOAD = True
    call_command("load_content", path=spanish_content, stdout=io.StringIO())
    html = html_of(client, "/es/buscar/?q=Quiero+MORIR")
    panel = re.search(r'<section class="crisis-panel".*?</section>', html, re.S).group(0)
    assert "oprima 2" in panel and 'href="/es/preguntas/gama/"' in panel


# --- behind ------------------------------------------------------------------------------------------------------


def change_english_alpha(content, write):
    write("faqs/alpha.md", faq_text("alpha", related=["beta", "gamma"], reviewed="2026-11-25",
          body="Alpha takes {{ fact:weekly-hours }}. Most people come three days a week.",
          extra="reviewer: Dana Ortiz, LCSW\nsources:\n- title: NIMH, Psychotherapies\n"
                "  url: https://www.nimh.nih.gov/health/topics/psychotherapies\n"))  # fmt: skip
    call_command("load_content", path=content, stdout=io.StringIO())


def test_a_changed_english_answer_marks_its_translation_behind_until_it_is_stamped(client, spanish_loaded, write):
    assert "translation-note" not in html_of(client, "/es/preguntas/alfa/")
    change_english_alpha(spanish_loaded, write)
    html = html_of(client, "/es/preguntas/alfa/")
    note = re.search(r'<p class="translation-note".*?</p>', html, re.S).group(0)
    assert "cambió después de que la tradujimos" in note and 'href="/faq/alpha/"' in note
    assert "translation-note" not in html_of(client, "/es/preguntas/beta/")  # its English did not change
    # The translator updates the file and stamps it: the notice goes.
    call_command("translation_status", stamp=[spanish_loaded / "es/faqs/alfa.md"], path=spanish_loaded,
                 stdout=io.StringIO())  # fmt: skip
    call_command("load_content", path=spanish_loaded, stdout=io.StringIO())
    assert "translation-note" not in html_of(client, "/es/preguntas/alfa/")


def test_translation_status_reports_behind_and_fails_after_the_grace_period(spanish_loaded, write, settings):
    out = io.StringIO()
    call_command("translation_status", stdout=out)
    assert "Behind the English: 0" in out.getvalue()
    assert "answers: 3 translated, 0 not translated" in out.getvalue()
    assert "facts: 1 translated, 1 not translated" in out.getvalue()
    change_english_alpha(spanish_loaded, write)
    out = io.StringIO()
    call_command("translation_status", stdout=out)  # behind for 0 days: within the grace period
    assert "Behind the English: 1" in out.getvalue()
    assert re.search(r"faq\s+content/es/faqs/alfa.md\s+translates content/faqs/alpha.md\s+behind since", out.getvalue())
    # The English changed 45 days ago.
    FAQ.history.filter(slug="alpha", language="en").update(history_date=timezone.now() - datetime.timedelta(days=45))
    out, err = io.StringIO(), io.StringIO()
    call_command("translation_status", grace_days=60, stdout=out, stderr=err)
    assert "(45 days)" in out.getvalue() and err.getvalue() == ""
    with pytest.raises(SystemExit) as exit_:
        call_command("translation_status", grace_days=30, stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "behind the English for more than 30 days" in err.getvalue()


def test_stamp_writes_the_english_fingerprint_into_the_file_and_keeps_every_other_line(spanish_content):
    path = spanish_content / "es" / "faqs" / "alfa.md"
    before = path.read_text(encoding="utf-8")
    content = read_tree(spanish_content)
    english = next(e for e in content.of("faq", "en") if e.data["slug"] == "alpha")
    assert f"translated_from: {source_fingerprint(english)}\n" in before
    lines = [line for line in before.split("\n") if not line.startswith("translated_from:")]
    path.write_text("\n".join(lines), encoding="utf-8")
    call_command("translation_status", stamp=[path], path=spanish_content, stdout=io.StringIO())
    assert path.read_text(encoding="utf-8") == before


def test_stamp_refuses_an_english_file_and_writes_nothing(spanish_content):
    english = spanish_content / "faqs" / "alpha.md"
    spanish = spanish_content / "es" / "faqs" / "alfa.md"
    before = spanish.read_text(encoding="utf-8")
    spanish.write_text(before.replace("translated_from:", "# was:"), encoding="utf-8")
    with pytest.raises(CommandError, match="not a translation file"):
        call_command("translation_status", stamp=[spanish, english], path=spanish_content, stdout=io.StringIO())
    assert "translated_from" not in spanish.read_text(encoding="utf-8")


def test_the_admin_lists_and_filters_translations_behind(spanish_loaded, write, staff):
    change_english_alpha(spanish_loaded, write)
    listing = staff.get("/admin/faq/faq/?translation=behind").content.decode()
    assert "¿Qué es alfa?" in listing and "¿Qué es beta?" not in listing and "Behind the English" in listing
    english_list = staff.get("/admin/faq/faq/?language__exact=en").content.decode()
    assert "Translation behind" in english_list
    spanish = FAQ.objects.get(language="es", slug="alfa")
    page = staff.get(f"/admin/faq/faq/{spanish.pk}/change/").content.decode()
    assert "behind the English" in page


def test_the_admin_offers_to_add_a_missing_translation(spanish_loaded, make_faq, staff):
    delta = make_faq("delta", topic=Topic.objects.get(slug="basics", language="en"))
    page = staff.get(f"/admin/faq/faq/{delta.pk}/change/").content.decode()
    assert "No español translation yet" in page
    assert "/admin/faq/faq/add/?language=es&amp;translation_of=delta" in page
    fact = Fact.objects.get(language="en", key="schedule")
    page = staff.get(f"/admin/faq/fact/{fact.pk}/change/").content.decode()
    assert "/admin/faq/fact/add/?language=es&amp;key=schedule" in page


def test_the_related_picker_offers_answers_in_the_edited_answers_language(spanish_loaded, staff):
    spanish = FAQ.objects.get(language="es", slug="alfa")
    response = staff.get(
        "/admin/autocomplete/?app_label=faq&model_name=faq&field_name=related&term=",
        HTTP_REFERER=f"http://testserver/admin/faq/faq/{spanish.pk}/change/",
    )
    offered = {item["text"] for item in response.json()["results"]}
    assert offered == {"¿Qué es beta?", "¿Qué es gama?"}


# --- the interface text --------------------------------------------------------------------------------------------


def test_compile_translations_refuses_an_untranslated_or_mismatched_entry_with_its_line(tmp_path, settings):
    folder = tmp_path / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n\n'
    po.write_text(header + '#, python-format\nmsgid "Call %(phone)s"\nmsgstr "Llame al %(telefono)s"\n\n'
                  'msgid "Home"\nmsgstr ""\n', encoding="utf-8")  # fmt: skip
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError) as error:
        call_command("compile_translations", stdout=io.StringIO())
    assert "locale/es/LC_MESSAGES/django.po:7: " in str(error.value) and "telefono" in str(error.value)
    assert "locale/es/LC_MESSAGES/django.po:10: no translation for 'Home'" in str(error.value)
    assert not (folder / "django.mo").exists()


def test_the_shipped_spanish_interface_text_is_complete():
    """Every message in locale/es is translated, none fuzzy, placeholders matching (the build's own check)."""
    call_command("compile_translations", stdout=io.StringIO())


def test_a_spanish_site_file_must_give_the_english_phone_and_email(spanish_content, write):
    from faq.content import ContentError

    text = (spanish_content / "es" / "site.md").read_text(encoding="utf-8")
    write("es/site.md", text.replace("(617) 555-0142", "(617) 555-0199"))
    with pytest.raises(ContentError) as error:
        read_tree(spanish_content)
    assert [str(p) for p in error.value.problems] == [
        "content/es/site.md:3: phone must be the same as in content/site.md ((617) 555-0142)"
    ]


def test_check_deploy_also_names_example_values_left_in_the_spanish_site_file(settings, tmp_path):
    from faq.checks import site_identity_is_real
    from tests.front import real_content_copy

    content = real_content_copy(tmp_path / "content")  # both site files with real-looking values
    settings.CONTENT_DIR = content
    assert site_identity_is_real(None) == []
    (content / "es" / "site.md").write_text((REPO / "content" / "es" / "site.md").read_text(encoding="utf-8"))
    messages = [error.msg for error in site_identity_is_real(None)]
    assert messages and all(message.startswith("content/es/site.md:") for message in messages)
    assert any("phone '(617) 555-0142' is an example value" in message for message in messages)


def test_staff_can_add_the_spanish_site_information_from_the_english_page_link(site_loaded):
    from tests.admin_forms import client_for, form_fields, make_user

    staff = client_for(make_user("boss", superuser=True, reviewer_name="Dana Ortiz, LCSW"))
    english = SiteInfo.objects.get(language="en")
    page = staff.get(f"/admin/faq/siteinfo/{english.pk}/change/")
    assert "/admin/faq/siteinfo/add/?language=es" in page.content.decode()
    assert staff.get("/admin/faq/siteinfo/add/").status_code == 403  # the English one exists: one per language
    url = "/admin/faq/siteinfo/add/?language=es"
    data = {**form_fields(staff, url), "name": "Programa de prueba", "phone": english.phone, "address": english.address,
            "hours": "De lunes a viernes", "intake": "Llámenos.", "body": "Bienvenido."}  # fmt: skip
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    waiting = Revision.objects.pending().get(kind="site", language="es")
    again = staff.post(url, data)  # a second one, before the first is decided, would make two on approval
    assert "already waiting for review" in again.content.decode()
    assert list(Revision.objects.pending().filter(kind="site", language="es")) == [waiting]
