"""Structured data (schema.org JSON-LD) as plain Python dicts, and the page metadata search engines read.

Templates never hold JSON: views build these dicts and `{{ data|ld_json }}` (faq/templatetags/seo.py) escapes
them the way Django's json_script does.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .rendering import html_to_text

CONTEXT = "https://schema.org"
PROGRAM_NAME = _("Intensive outpatient program (IOP) for adult mental health")


# schema.org's inLanguage, per page language.
IN_LANGUAGE = {"en": "en-US", "es": "es-US"}


def absolute(path):
    return settings.SITE_URL + path


def clinic_id():
    return absolute("/#clinic")


def clinic(site):
    """The program as a MedicalClinic, from the site information staff edit in the admin."""
    data = {
        "@type": "MedicalClinic",
        "@id": clinic_id(),
        "name": site.name,
        "url": absolute("/"),
        "telephone": site.phone,
        "address": ", ".join(site.address_lines),
        "medicalSpecialty": "https://schema.org/Psychiatric",
    }
    if site.email:
        data["email"] = site.email
    return data


def breadcrumb_list(crumbs, page_url):
    return {
        "@type": "BreadcrumbList",
        "@id": page_url + "#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": crumb["title"], "item": absolute(crumb["url"])}
            for position, crumb in enumerate(crumbs, start=1)
        ],
    }


def graph(*nodes):
    return {"@context": CONTEXT, "@graph": [node for node in nodes if node]}


def home_data(site, page_url, language="en"):
    website = {
        "@type": "WebSite",
        "@id": absolute("/#website"),
        "url": absolute("/"),
        "name": site.name if site else PROGRAM_NAME,
        "inLanguage": [IN_LANGUAGE[code] for code in IN_LANGUAGE],
    }
    if site:
        website["publisher"] = {"@id": clinic_id()}
    return graph(website, clinic(site) if site else None)


def index_data(site, crumbs, page_url, language="en"):
    page = {
        "@type": "CollectionPage",
        "@id": page_url + "#webpage",
        "url": page_url,
        "name": crumbs[-1]["title"],
        "inLanguage": IN_LANGUAGE[language],
        "breadcrumb": {"@id": page_url + "#breadcrumb"},
    }
    return graph(page, breadcrumb_list(crumbs, page_url), clinic(site) if site else None)


def answer_text(faq):
    """The answer as plain text: exactly the words the page shows under the question."""
    return html_to_text(faq.body_html)


def faq_data(faq, site, crumbs, page_url, twin=None):
    """MedicalWebPage, FAQPage (this FAQ's one Question), BreadcrumbList and the clinic, for an FAQ's own page; a
    translation names the page it translates (translationOfWork), an original its translation (workTranslation)."""
    page = {
        "@type": "MedicalWebPage",
        "@id": page_url + "#webpage",
        "url": page_url,
        "name": faq.question,
        "description": faq.summary,
        "inLanguage": IN_LANGUAGE[faq.language],
        "lastReviewed": faq.reviewed.isoformat(),
        "about": {"@type": "MedicalTherapy", "name": PROGRAM_NAME},
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient", "suggestedMinAge": 18},
        "breadcrumb": {"@id": page_url + "#breadcrumb"},
    }
    if faq.reviewer:
        name, credentials = faq.reviewer_name_and_credentials
        page["reviewedBy"] = {"@type": "Person", "name": name, **({"jobTitle": credentials} if credentials else {})}
    if site:
        page["publisher"] = {"@id": clinic_id()}
    if faq.sources:
        page["citation"] = [source["url"] for source in faq.sources]
    if twin is not None:
        link = "workTranslation" if faq.language == "en" else "translationOfWork"
        page[link] = {"@id": absolute(twin.get_absolute_url()) + "#webpage"}
    faq_page = {
        "@type": "FAQPage",
        "@id": page_url + "#faq",
        "url": page_url,
        "name": faq.question,
        "inLanguage": IN_LANGUAGE[faq.language],
        "mainEntity": {
            "@type": "Question",
            "name": faq.question,
            "acceptedAnswer": {"@type": "Answer", "text": answer_text(faq)},
        },
    }
    return graph(page, faq_page, breadcrumb_list(crumbs, page_url), clinic(site) if site else None)
