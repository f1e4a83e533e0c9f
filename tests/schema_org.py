"""The part of schema.org this site uses: types, their parents, their properties, and what each page must give.

Taken from the type pages on schema.org: a property is valid on a type when schema.org lists it
on that type or on one of its ancestors. REQUIRED adds what Google's rich-result documentation requires (FAQPage,
BreadcrumbList) and what this site promises (MedicalWebPage, MedicalClinic).
"""

import datetime
import json
import re

TYPES = {
    "Thing": ((), {"name", "description", "url", "sameAs", "identifier", "alternateName", "image", "mainEntityOfPage"}),
    "CreativeWork": (
        ("Thing",),
        {"about", "audience", "author", "citation", "dateModified", "datePublished", "headline", "inLanguage",
         "isPartOf", "mainEntity", "publisher", "text", "keywords", "license"},
    ),
    "WebPage": (
        ("CreativeWork",),
        {"breadcrumb", "lastReviewed", "reviewedBy", "mainContentOfPage", "relatedLink", "significantLink",
         "specialty", "speakable", "primaryImageOfPage"},
    ),
    "MedicalWebPage": (("WebPage",), {"medicalAudience", "aspect"}),
    "FAQPage": (("WebPage",), set()),
    "CollectionPage": (("WebPage",), set()),
    "WebSite": (("CreativeWork",), {"issn"}),
    "Comment": (("CreativeWork",), {"parentItem", "upvoteCount", "downvoteCount", "sharedContent"}),
    "Question": (("Comment",), {"acceptedAnswer", "suggestedAnswer", "answerCount", "eduQuestionType"}),
    "Answer": (("Comment",), {"answerExplanation"}),
    "Intangible": (("Thing",), set()),
    "ItemList": (("Intangible",), {"itemListElement", "numberOfItems", "itemListOrder"}),
    "BreadcrumbList": (("ItemList",), set()),
    "ListItem": (("Intangible",), {"item", "position", "nextItem", "previousItem"}),
    "Audience": (("Intangible",), {"audienceType", "geographicArea"}),
    "PeopleAudience": (
        ("Audience",),
        {"healthCondition", "requiredGender", "requiredMinAge", "requiredMaxAge", "suggestedGender",
         "suggestedMinAge", "suggestedMaxAge", "suggestedAge"},
    ),
    "MedicalAudience": (("PeopleAudience",), set()),
    "Organization": (
        ("Thing",),
        {"address", "email", "telephone", "logo", "areaServed", "contactPoint", "legalName", "parentOrganization"},
    ),
    "Place": (("Thing",), {"address", "telephone", "geo", "openingHoursSpecification", "hasMap"}),
    "LocalBusiness": (("Organization", "Place"), {"openingHours", "priceRange", "paymentAccepted"}),
    "MedicalOrganization": (("Organization",), {"medicalSpecialty", "healthPlanNetworkId", "isAcceptingNewPatients"}),
    "MedicalBusiness": (("LocalBusiness",), set()),
    "MedicalClinic": (("MedicalBusiness", "MedicalOrganization"), {"availableService", "medicalSpecialty"}),
    "MedicalEntity": (
        ("Thing",),
        {"code", "guideline", "legalStatus", "medicineSystem", "recognizingAuthority", "relevantSpecialty", "study"},
    ),
    "MedicalProcedure": (
        ("MedicalEntity",),
        {"bodyLocation", "followup", "howPerformed", "preparation", "procedureType", "status"},
    ),
    "TherapeuticProcedure": (("MedicalProcedure",), {"adverseOutcome", "doseSchedule", "drug"}),
    "MedicalTherapy": (("TherapeuticProcedure",), {"contraindication", "duplicateTherapy", "seriousAdverseOutcome"}),
    "Person": (("Thing",), {"givenName", "familyName", "jobTitle", "honorificSuffix", "affiliation"}),
}  # fmt: skip

REQUIRED = {
    "FAQPage": {"mainEntity"},
    "Question": {"name", "acceptedAnswer"},
    "Answer": {"text"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name", "item"},
    "MedicalWebPage": {"name", "url", "lastReviewed", "about", "audience", "breadcrumb"},
    "MedicalClinic": {"name", "url", "telephone", "address"},
    "WebSite": {"name", "url"},
    "Person": {"name"},
}

MEDICAL_SPECIALTIES = {"https://schema.org/Psychiatric"}


def properties_of(type_name):
    parents, own = TYPES[type_name]
    found = set(own)
    for parent in parents:
        found |= properties_of(parent)
    return found


def _problems(node, where, ids):
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _problems(item, f"{where}[{index}]", ids)
        return
    if not isinstance(node, dict):
        return
    if set(node) == {"@id"}:
        if node["@id"] not in ids:
            yield f"{where}: reference {node['@id']} is not defined on the page"
        return
    types = node.get("@type")
    types = [types] if isinstance(types, str) else types
    if not types:
        yield f"{where}: no @type"
        return
    allowed = set()
    for type_name in types:
        if type_name not in TYPES:
            yield f"{where}: {type_name} is not a type this test knows"
            continue
        allowed |= properties_of(type_name)
        for missing in sorted(REQUIRED.get(type_name, set()) - set(node)):
            yield f"{where}: {type_name} lacks required {missing}"
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in allowed:
            yield f"{where}: {key} is not a property of {'/'.join(types)}"
        yield from _value_problems(key, value, f"{where}.{key}")
        yield from _problems(value, f"{where}.{key}", ids)


def _value_problems(key, value, where):
    if key in ("lastReviewed", "datePublished", "dateModified"):
        try:
            datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            yield f"{where}: {value!r} is not an ISO 8601 date"
    if key in ("url", "item") and not (isinstance(value, str) and re.match(r"https?://[^/]+/", value)):
        yield f"{where}: {value!r} is not an absolute URL"
    if key == "position" and not (isinstance(value, int) and value >= 1):
        yield f"{where}: {value!r} is not a position (1, 2, ...)"
    if key == "medicalSpecialty" and value not in MEDICAL_SPECIALTIES:
        yield f"{where}: {value!r} is not a MedicalSpecialty"


def problems(data):
    """Every way the JSON-LD strays from the schema.org subset above, as readable lines."""
    nodes = data.get("@graph", [data])
    ids = {node["@id"] for node in nodes if isinstance(node, dict) and "@id" in node}
    found = [] if data.get("@context") == "https://schema.org" else ["@context is not https://schema.org"]
    for index, node in enumerate(nodes):
        found += _problems(node, f"@graph[{index}]", ids)
    return found


def json_ld_blocks(html):
    return [json.loads(text) for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def nodes_of_type(data, type_name):
    found = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            types = node.get("@type")
            if type_name == types or (isinstance(types, list) and type_name in types):
                found.append(node)
            for value in node.values():
                walk(value)

    walk(data)
    return found
