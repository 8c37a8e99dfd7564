"""CPSV-AP 3.2 export of the catalogue as self-contained JSON-LD (the @context is inline).

One ``cpsv:PublicService`` per procedure, identified by ``<PORTAL_BASE_URL>/cpsv/procedures/<translation
key>`` with the translation key as ``dct:identifier``; its translations are language-tagged literals of
the same node (one node per procedure, not per page). With it: the ``cv:PublicOrganisation`` (competent
authority), ``cv:Cost`` (currency from the EU currency authority table), ``cv:Evidence`` +
``cv:EvidenceType`` + ``cv:Requirement``, ``cpsv:Rule`` implementing ``eli:LegalResource`` (the ELI),
``cv:Channel``, ``cv:Output``, ``cv:BusinessEvent``, and ``cv:processingTime`` as an ``xsd:duration``
(``P<n>D``); languages from the EU language table. Without a language, every language is exported.

Served at ``/cpsv/catalogue.jsonld`` (``?lang=xx`` for one language), ``/cpsv/procedures/<translation
key>.jsonld``, by ``manage.py cpsv export`` and, per page, by content negotiation on a procedure page
(``Accept: application/ld+json``). The tests validate the output with pyshacl against the official 3.2.0
shapes; ``cpsv_import.py`` reads it back into an isomorphic graph.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from wagtail.models import Locale

from procedures.models import CompetentAuthority, ProcedurePage

CONTEXT = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
ISO_639_3 = {
    "en": "ENG",
    "fr": "FRA",
    "de": "DEU",
    "it": "ITA",
    "es": "SPA",
    "pt": "POR",
    "nl": "NLD",
    "pl": "POL",
}
CURRENCY_AUTHORITY = "http://publications.europa.eu/resource/authority/currency/"
EVENT_TITLES = {"en": "Starting a business", "fr": "Créer une entreprise", "de": "Ein Unternehmen gründen"}


def _base() -> str:
    return f"{settings.PORTAL_BASE_URL}/cpsv"


def _text(values: dict[str, str]) -> list[dict]:
    return [{"@value": value, "@language": code} for code, value in values.items() if value]


def _ref(iri: str) -> dict:
    return {"@id": iri}


def export_catalogue(language: str | None = None, translation_keys: list | None = None) -> dict:
    """The live catalogue as a JSON-LD document; only `language`'s literals when given."""
    locales = Locale.objects.all()
    if language is not None:
        locales = locales.filter(language_code=language)
    pages = ProcedurePage.objects.live().filter(locale__in=locales).select_related("locale")
    if translation_keys is not None:
        pages = pages.filter(translation_key__in=translation_keys)
    by_key: dict[object, dict[str, ProcedurePage]] = defaultdict(dict)
    for page in pages.order_by("sequence", "pk"):
        by_key[page.translation_key][page.locale.language_code] = page
    graph: dict[str, dict] = {}
    for translations in by_key.values():
        _add_service(graph, translations)
    return {"@context": CONTEXT, "@graph": list(graph.values())}


def _add_service(graph: dict[str, dict], translations: dict[str, ProcedurePage]) -> None:
    source = next(iter(translations.values()))
    key = str(source.translation_key)
    iri = f"{_base()}/procedures/{key}"
    codes = list(translations)

    def per_language(getter) -> dict[str, str]:
        return {code: getter(page) for code, page in translations.items()}

    authority_iri = _add_organisation(graph, source.competent_authority, codes)
    service = {
        "@id": iri,
        "@type": ["cpsv:PublicService"],
        "dct:identifier": key,
        "dct:title": _text(per_language(lambda page: page.title)),
        "dct:description": _text(per_language(lambda page: page.summary)),
        "cv:hasCompetentAuthority": [_ref(authority_iri)],
        "dct:language": [
            _ref(_add_language(graph, code)) for code in source.language_codes if code in ISO_639_3
        ],
    }
    if source.processing_time_days is not None:
        service["cv:processingTime"] = {"@value": f"P{source.processing_time_days}D", "@type": "xsd:duration"}

    costs = []
    for index, fee in enumerate(source.fees):
        cost_iri = f"{iri}#cost-{index + 1}"
        costs.append(_ref(cost_iri))
        descriptions = {}
        for code, page in translations.items():
            blocks = list(page.fees)
            if index < len(blocks):
                descriptions[code] = blocks[index].value["description"]
        currency = f"{CURRENCY_AUTHORITY}{fee.value['currency']}"
        graph.setdefault(currency, {"@id": currency, "@type": ["skos:Concept"]})
        graph[cost_iri] = {
            "@id": cost_iri,
            "@type": ["cv:Cost"],
            "dct:identifier": f"{key}-cost-{index + 1}",
            "cv:hasValue": {"@value": float(fee.value["amount"]), "@type": "xsd:double"},
            "cv:currency": _ref(currency),
            "cv:isDefinedBy": [_ref(authority_iri)],
            "dct:description": _text(descriptions),
        }
    if costs:
        service["cv:hasCost"] = costs

    inputs, requirements = [], []
    for index, item in enumerate(source.evidence):
        evidence_type = item.value["evidence_type"]
        if evidence_type is None:
            continue
        names = {}
        for code in codes:
            localized = evidence_type.get_translation_or_none(Locale.objects.get(language_code=code))
            names[code] = (localized or evidence_type).name
        type_iri = f"{_base()}/evidence-types/{evidence_type.identifier}"
        graph.setdefault(
            type_iri,
            {"@id": type_iri, "@type": ["cv:EvidenceType"], "dct:identifier": evidence_type.identifier},
        )
        evidence_iri = f"{iri}#evidence-{index + 1}"
        requirement_iri = f"{iri}#requirement-{index + 1}"
        graph[evidence_iri] = {
            "@id": evidence_iri,
            "@type": ["cv:Evidence"],
            "dct:identifier": f"{key}-evidence-{index + 1}",
            "dct:title": _text(names),
            "dct:conformsTo": [_ref(type_iri)],
            "cv:supportsRequirement": [_ref(requirement_iri)],
        }
        graph[requirement_iri] = {
            "@id": requirement_iri,
            "@type": ["cv:Requirement"],
            "dct:identifier": f"{key}-requirement-{index + 1}",
            "dct:title": _text(names),
            "cv:hasSupportingEvidence": [_ref(evidence_iri)],
        }
        inputs.append(_ref(evidence_iri))
        requirements.append(_ref(requirement_iri))
    if inputs:
        service["cpsv:hasInput"] = inputs
        service["cv:holdsRequirement"] = requirements

    rules, legal_resources = [], []
    for index, law in enumerate(source.legal_basis):
        resource_iri = law.value["eli"] or law.value["url"]
        titles = {}
        for code, page in translations.items():
            blocks = list(page.legal_basis)
            if index < len(blocks):
                titles[code] = blocks[index].value["title"]
        rule_iri = f"{iri}#rule-{index + 1}"
        rule = {
            "@id": rule_iri,
            "@type": ["cpsv:Rule"],
            "dct:identifier": f"{key}-rule-{index + 1}",
            "dct:title": _text(titles),
            "dct:description": _text(titles),
        }
        if resource_iri:
            graph.setdefault(resource_iri, {"@id": resource_iri, "@type": ["eli:LegalResource"]})
            rule["cpsv:implements"] = [_ref(resource_iri)]
            legal_resources.append(_ref(resource_iri))
        graph[rule_iri] = rule
        rules.append(_ref(rule_iri))
    if rules:
        service["cpsv:follows"] = rules
    if legal_resources:
        service["cv:hasLegalResource"] = legal_resources

    channel_iri = f"{iri}#channel-online"
    graph[channel_iri] = {
        "@id": channel_iri,
        "@type": ["cv:Channel"],
        "dct:identifier": f"{key}-channel-online",
        "cv:ownedBy": [_ref(authority_iri)],
        "dct:description": _text(per_language(lambda page: page.full_url or "")),
    }
    service["cv:hasChannel"] = [_ref(channel_iri)]

    output_iri = f"{iri}#output"
    graph[output_iri] = {
        "@id": output_iri,
        "@type": ["cv:Output"],
        "dct:identifier": f"{key}-output",
        "dct:title": _text(per_language(lambda page: page.title)),
    }
    service["cpsv:produces"] = [_ref(output_iri)]

    event_iri = f"{_base()}/business-events/starting-business"
    graph.setdefault(
        event_iri,
        {
            "@id": event_iri,
            "@type": ["cv:BusinessEvent", "cv:Event"],
            "dct:identifier": "starting-business",
            "dct:title": _text({code: EVENT_TITLES.get(code, EVENT_TITLES["en"]) for code in codes}),
        },
    )
    service["cv:isGroupedBy"] = [_ref(event_iri)]
    graph[iri] = service


def _add_organisation(graph: dict[str, dict], authority: CompetentAuthority, codes: list[str]) -> str:
    iri = f"{_base()}/organisations/{authority.identifier}"
    if iri in graph:
        return iri
    names = {}
    for translation in CompetentAuthority.objects.filter(
        translation_key=authority.translation_key, locale__language_code__in=codes
    ).select_related("locale"):
        names[translation.locale.language_code] = translation.name
    location = f"{_base()}/location"
    graph.setdefault(location, {"@id": location, "@type": ["dct:Location"]})
    graph[iri] = {
        "@id": iri,
        "@type": ["cv:PublicOrganisation", "org:Organization"],
        "skos:prefLabel": _text(names),
        "dct:spatial": [_ref(location)],
    }
    return iri


def _add_language(graph: dict[str, dict], code: str) -> str:
    iri = f"{LANGUAGE_AUTHORITY}{ISO_639_3[code]}"
    graph.setdefault(iri, {"@id": iri, "@type": ["dct:LinguisticSystem"]})
    return iri
