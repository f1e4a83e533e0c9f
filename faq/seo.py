"""Structured data (schema.org JSON-LD) as plain Python dicts, and the page metadata search engines read.

Templates never hold JSON: views build these dicts and `{{ data|ld_json }}` (faq/templatetags/seo.py) escapes
them the way Django's json_script does.
"""

from django.conf import settings

from .rendering import html_to_text

CONTEXT = "https://schema.org"
PROGRAM_NAME = "Intensive outpatient program (IOP) for adult mental health"


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


def home_data(site, page_url):
    website = {
        "@type": "WebSite",
        "@id": absolute("/#website"),
        "url": page_url,
        "name": site.name if site else PROGRAM_NAME,
        "inLanguage": "en-US",
    }
    if site:
        website["publisher"] = {"@id": clinic_id()}
    return graph(website, clinic(site) if site else None)


def index_data(site, crumbs, page_url):
    page = {
        "@type": "CollectionPage",
        "@id": page_url + "#webpage",
        "url": page_url,
        "name": crumbs[-1]["title"],
        "inLanguage": "en-US",
        "breadcrumb": {"@id": page_url + "#breadcrumb"},
    }
    return graph(page, breadcrumb_list(crumbs, page_url), clinic(site) if site else None)


def answer_text(faq):
    """The answer as plain text: exactly the words the page shows under the question."""
    return html_to_text(faq.body_html)


def faq_data(faq, site, crumbs, page_url):
    """MedicalWebPage, FAQPage (this FAQ's one Question), BreadcrumbList and the clinic, for an FAQ's own page."""
    page = {
        "@type": "MedicalWebPage",
        "@id": page_url + "#webpage",
        "url": page_url,
        "name": faq.question,
        "description": faq.summary,
        "inLanguage": "en-US",
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
    faq_page = {
        "@type": "FAQPage",
        "@id": page_url + "#faq",
        "url": page_url,
        "name": faq.question,
        "mainEntity": {
            "@type": "Question",
            "name": faq.question,
            "acceptedAnswer": {"@type": "Answer", "text": answer_text(faq)},
        },
    }
    return graph(page, faq_page, breadcrumb_list(crumbs, page_url), clinic(site) if site else None)
