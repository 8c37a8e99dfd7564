"""Reading a CPSV-AP 3.2 JSON-LD file into what the catalogue needs, validating all of it first.

`read_catalogue(text)` parses the JSON-LD (its @context must be inline: reading never touches the
network), validates the graph with pyshacl against the official CPSV-AP 3.2.0 shapes
(`procedures/cpsv_shapes/`, shipped in the package because this uses them at run time), then checks
that each PublicService carries what a procedure page needs: a title in a portal language and a
description in each title's language, exactly one competent authority with a name, a processing time
as ``PnD`` / ``PnW``, costs with an amount in a currency of the EU table, languages of the EU table,
http(s) legal resources, unique identifiers. It returns plain values or raises `CpsvImportError`
listing every problem, each naming the service ("service 5 of 7") it belongs to; with any problem
nothing is written.

Identifiers: the service's ``dct:identifier`` is the pages' ``translation_key``; an identifier that is not
a UUID (another catalogue's) is mapped to a stable ``uuid5(NAMESPACE_URL, identifier)``, so re-importing
the same file upserts the same pages.

Nothing here writes: `procedures.services.import_cpsv` upserts what this returns in one transaction (one
page per language with a title; fields CPSV-AP does not carry keep their value on an existing page). A
page whose imported fields are unchanged is not touched; a changed one is published directly, bypassing
the moderation workflow: the import is an administrator's act, not an editor's.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SH, SKOS

from procedures.choices import CURRENCIES
from procedures.cpsv import CURRENCY_AUTHORITY, ISO_639_3, LANGUAGE_AUTHORITY

SHAPES_PATH = Path(__file__).resolve().parent / "cpsv_shapes" / "cpsv-ap-3.2.0-SHACL.ttl"
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
MAX_PROBLEMS_SHOWN = 25
LANGUAGE_BY_ISO_639_3 = {three: two for two, three in ISO_639_3.items()}
CURRENCY_CODES = {code for code, _label in CURRENCIES}
DURATION_DAYS = re.compile(r"^P(?:(\d+)W|(\d+)D)$")
# the shapes' property paths, shown to people as the prefixed names they know
PREFIXES = {
    "http://purl.org/vocab/cpsv#": "cpsv:",
    "http://data.europa.eu/m8g/": "cv:",
    "http://purl.org/dc/terms/": "dct:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
}


class CpsvImportError(Exception):
    """The file cannot be imported; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"- {problem}" for problem in shown]
        if more:
            lines.append(f"- … and {more} more problem(s).")
        super().__init__("The CPSV-AP file was not imported, nothing changed:\n" + "\n".join(lines))


@dataclass
class ImportedAuthority:
    identifier: str
    names: dict[str, str]


@dataclass
class ImportedCost:
    amount: Decimal
    currency: str
    descriptions: dict[str, str]


@dataclass
class ImportedEvidence:
    identifier: str  # of its evidence type
    names: dict[str, str]


@dataclass
class ImportedLaw:
    titles: dict[str, str]
    url: str
    eli: str


@dataclass
class ImportedService:
    position: int
    iri: str
    translation_key: uuid.UUID
    titles: dict[str, str]
    descriptions: dict[str, str]
    authority: ImportedAuthority
    accepted_languages: list[str]
    processing_time_days: int | None
    costs: list[ImportedCost] = field(default_factory=list)
    evidence: list[ImportedEvidence] = field(default_factory=list)
    laws: list[ImportedLaw] = field(default_factory=list)
    slugs: dict[str, str] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return list(self.titles)


def read_catalogue(text: str | bytes) -> list[ImportedService]:
    document = _json(text)
    graph = _graph(document)
    services = _services_in_document_order(graph, document)
    if not services:
        raise CpsvImportError(["The file describes no cpsv:PublicService."])
    labels = _service_labels(graph, services)
    problems = _shacl_problems(graph, labels)
    read, reading_problems = [], []
    for position, service in enumerate(services, start=1):
        reader = _ServiceReader(graph, service, labels[service])
        imported = reader.read(position)
        reading_problems.extend(reader.problems)
        if imported is not None:
            read.append(imported)
    problems.extend(reading_problems)
    problems.extend(_duplicate_identifiers(read))
    if problems:
        raise CpsvImportError(problems)
    return read


# --- Parsing --------------------------------------------------------------------------------


def _json(text: str | bytes) -> object:
    try:
        return json.loads(text)
    except UnicodeDecodeError:
        raise CpsvImportError(["The file is not UTF-8 text."]) from None
    except json.JSONDecodeError as error:
        raise CpsvImportError(
            [f"The file is not JSON: {error.msg} (line {error.lineno}, column {error.colno})."]
        ) from None


def _remote_contexts(value: object) -> list[str]:
    """Contexts that would be fetched from the network: a JSON-LD file to import carries its own."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                contexts = item if isinstance(item, list) else [item]
                found.extend(str(context) for context in contexts if isinstance(context, str))
                found.extend(
                    str(context["@import"])
                    for context in contexts
                    if isinstance(context, dict) and "@import" in context
                )
            found.extend(_remote_contexts(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_remote_contexts(item))
    return found


def _graph(document: object) -> Graph:
    if not isinstance(document, dict | list):
        raise CpsvImportError(["The file is JSON but not a JSON-LD document (an object or a list)."])
    remote = _remote_contexts(document)
    if remote:
        raise CpsvImportError(
            [f"The JSON-LD refers to a remote @context ({remote[0]}): give the context inline."]
        )
    try:
        return Graph().parse(data=json.dumps(document), format="json-ld")
    except Exception as error:  # rdflib's JSON-LD parser raises many kinds; all mean "not JSON-LD"
        raise CpsvImportError([f"The file is not valid JSON-LD: {error}."]) from None


def _services_in_document_order(graph: Graph, document: object) -> list[URIRef]:
    """In the order the file lists them, so "service 5 of 7" is the fifth one a reader sees."""
    services = set(graph.subjects(RDF.type, CPSV.PublicService))
    nodes = document.get("@graph", [document]) if isinstance(document, dict) else document
    by_iri = {str(service): service for service in services}
    ordered: list[URIRef] = []
    for node in nodes if isinstance(nodes, list) else []:
        service = by_iri.get(node.get("@id")) if isinstance(node, dict) else None
        if service is not None and service not in ordered:
            ordered.append(service)
    ordered.extend(sorted(services - set(ordered), key=str))
    return ordered


def _service_labels(graph: Graph, services: list[URIRef]) -> dict[URIRef, str]:
    labels = {}
    for position, service in enumerate(services, start=1):
        titles = _texts(graph, service, DCTERMS.title)
        title = titles.get("en") or next(iter(titles.values()), "")
        label = f"Service {position} of {len(services)} ({service}"
        labels[service] = label + (f", “{title}”)" if title else ")")
    return labels


# --- SHACL ----------------------------------------------------------------------------------


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH)


def _short(iri: object) -> str:
    text = str(iri)
    for namespace, prefix in PREFIXES.items():
        if text.startswith(namespace):
            return prefix + text[len(namespace) :]
    return text


def _shacl_problems(graph: Graph, labels: dict[URIRef, str]) -> list[str]:
    from pyshacl import validate

    _conforms, report, _text = validate(graph, shacl_graph=shapes())
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage) or "does not conform"
        where = labels.get(focus) or _owner_label(graph, focus, labels) or f"Node {focus}"
        problems.append(f"{where}: {_short(path)}: {message} (CPSV-AP 3.2 shapes).")
    return sorted(problems)


def _owner_label(graph: Graph, node: object, labels: dict[URIRef, str]) -> str | None:
    """A cost, evidence, rule... is reported under the service that points to it."""
    for subject in graph.subjects(None, node):
        if subject in labels:
            return f"{labels[subject]}, {node}"
    return None


# --- Our own checks: what a procedure page needs ---------------------------------------------


def _site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _texts(graph: Graph, subject: object, predicate: URIRef) -> dict[str, str]:
    """Language-tagged literals in the portal's languages, {language: text}."""
    languages = _site_languages()
    texts = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language in languages and str(value).strip():
            texts.setdefault(value.language, str(value).strip())
    return {code: texts[code] for code in languages if code in texts}


def _natural_key(node: object) -> list:
    """'…#cost-10' after '…#cost-9': the export numbers the parts of a service in order."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(node))]


def _last_segment(iri: object) -> str:
    parts = urlsplit(str(iri))
    path = parts.fragment or parts.path
    segments = [segment for segment in re.split(r"[/#:]", path) if segment]
    return segments[-1] if segments else ""


def _literal(graph: Graph, subject: object, predicate: URIRef) -> str:
    value = graph.value(subject, predicate)
    return str(value).strip() if isinstance(value, Literal) else ""


class _ServiceReader:
    def __init__(self, graph: Graph, service: URIRef, label: str):
        self.graph = graph
        self.service = service
        self.label = label
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.label}: {text}")

    def read(self, position: int) -> ImportedService | None:
        graph, service = self.graph, self.service
        titles = _texts(graph, service, DCTERMS.title)
        descriptions = _texts(graph, service, DCTERMS.description)
        if not titles:
            self.problem(f"no dct:title in any of the portal's languages ({', '.join(_site_languages())}).")
        for code in titles:
            if code not in descriptions:
                self.problem(f"a title in “{code}” but no dct:description (the procedure's summary) in it.")
            if len(titles[code]) > 255:
                self.problem(f"the “{code}” title is longer than 255 characters.")
        imported = ImportedService(
            position=position,
            iri=str(service),
            translation_key=self._translation_key(),
            titles=titles,
            descriptions=descriptions,
            authority=self._authority(),
            accepted_languages=self._languages(),
            processing_time_days=self._processing_time(),
            costs=self._costs(),
            evidence=self._evidence(),
            laws=self._laws(),
            slugs=self._slugs(titles),
        )
        return None if self.problems else imported

    def _translation_key(self) -> uuid.UUID:
        identifier = _literal(self.graph, self.service, DCTERMS.identifier)
        try:
            return uuid.UUID(identifier)
        except ValueError:
            # another catalogue's identifier: a stable key derived from it, so re-imports upsert
            return uuid.uuid5(uuid.NAMESPACE_URL, identifier or str(self.service))

    def _authority(self) -> ImportedAuthority:
        authorities = list(self.graph.objects(self.service, CV.hasCompetentAuthority))
        if len(authorities) != 1:
            if authorities:  # none is a shapes violation, reported already
                self.problem(f"{len(authorities)} competent authorities; a procedure has exactly one.")
            return ImportedAuthority("", {})
        authority = authorities[0]
        identifier = slugify(_literal(self.graph, authority, DCTERMS.identifier) or _last_segment(authority))
        names = _texts(self.graph, authority, SKOS.prefLabel)
        if not identifier:
            self.problem(f"the competent authority {authority} has no usable identifier.")
        if not names:
            self.problem(
                f"the competent authority {authority} has no skos:prefLabel in the portal's languages."
            )
        return ImportedAuthority(identifier[:100], names)

    def _languages(self) -> list[str]:
        codes = []
        for language in sorted(self.graph.objects(self.service, DCTERMS.language), key=str):
            text = str(language)
            code = LANGUAGE_BY_ISO_639_3.get(text.removeprefix(LANGUAGE_AUTHORITY))
            if not text.startswith(LANGUAGE_AUTHORITY) or code is None:
                self.problem(
                    f"dct:language {text} is not one of the EU language authority table's "
                    f"{', '.join(sorted(LANGUAGE_BY_ISO_639_3))}."
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def _processing_time(self) -> int | None:
        value = self.graph.value(self.service, CV.processingTime)
        if value is None:
            return None
        match = DURATION_DAYS.match(str(value).strip())
        if not match:
            self.problem(f"cv:processingTime “{value}” is not a number of days or weeks (P30D, P4W).")
            return None
        weeks, days = match.groups()
        return int(weeks) * 7 if weeks else int(days)

    def _costs(self) -> list[ImportedCost]:
        costs = []
        for cost in sorted(self.graph.objects(self.service, CV.hasCost), key=_natural_key):
            value = self.graph.value(cost, CV.hasValue)
            try:
                amount = Decimal(str(value)).quantize(Decimal("0.01"))
            except InvalidOperation:
                self.problem(f"the cost {cost} has no amount (cv:hasValue).")
                continue
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e8"):
                self.problem(f"the cost {cost} has an amount “{value}” that is not a fee.")
                continue
            currency_iri = str(self.graph.value(cost, CV.currency) or "")
            currency = currency_iri.removeprefix(CURRENCY_AUTHORITY)
            if not currency_iri.startswith(CURRENCY_AUTHORITY) or currency not in CURRENCY_CODES:
                self.problem(
                    f"the cost {cost} is in “{currency_iri or 'no currency'}”; the catalogue takes "
                    f"{', '.join(sorted(CURRENCY_CODES))} ({CURRENCY_AUTHORITY}…)."
                )
                continue
            descriptions = _texts(self.graph, cost, DCTERMS.description)
            if not descriptions:
                self.problem(f"the cost {cost} does not say what it is for (dct:description).")
                continue
            costs.append(ImportedCost(amount, currency, descriptions))
        return costs

    def _evidence(self) -> list[ImportedEvidence]:
        found = []
        for evidence in sorted(self.graph.objects(self.service, CPSV.hasInput), key=_natural_key):
            evidence_type = self.graph.value(evidence, DCTERMS.conformsTo)
            if evidence_type is not None:
                identifier = _literal(self.graph, evidence_type, DCTERMS.identifier) or _last_segment(
                    evidence_type
                )
            else:
                identifier = _literal(self.graph, evidence, DCTERMS.identifier) or _last_segment(evidence)
            identifier = slugify(identifier)[:100]
            names = _texts(self.graph, evidence, DCTERMS.title)
            if not identifier:
                self.problem(f"the evidence {evidence} has no usable identifier.")
            elif not names:
                self.problem(f"the evidence {evidence} has no dct:title in the portal's languages.")
            else:
                found.append(ImportedEvidence(identifier, names))
        return found

    def _laws(self) -> list[ImportedLaw]:
        laws = []
        for rule in sorted(self.graph.objects(self.service, CPSV.follows), key=_natural_key):
            titles = _texts(self.graph, rule, DCTERMS.title) or _texts(self.graph, rule, DCTERMS.description)
            if not titles:
                self.problem(f"the rule {rule} has no dct:title in the portal's languages.")
                continue
            resource = self.graph.value(rule, CPSV.implements)
            url = eli = ""
            if resource is not None:
                text = str(resource)
                try:
                    URLValidator(schemes=["http", "https"])(text)
                except ValidationError:
                    self.problem(f"the rule {rule} implements {text}, which is not an http(s) address.")
                    continue
                if "/eli/" in urlsplit(text).path:
                    eli = text
                else:
                    url = text
            for code, title in titles.items():
                if len(title) > 300:
                    self.problem(f"the “{code}” title of the rule {rule} is longer than 300 characters.")
            laws.append(ImportedLaw(titles, url, eli))
        return laws

    def _slugs(self, titles: dict[str, str]) -> dict[str, str]:
        """The page address where the channel gives one (our own export does), else the title."""
        slugs = {}
        for channel in self.graph.objects(self.service, CV.hasChannel):
            for code, text in _texts(self.graph, channel, DCTERMS.description).items():
                if text.startswith(("http://", "https://")):
                    slug = slugify(_last_segment(text))
                    if slug:
                        slugs.setdefault(code, slug[:255])
        fallback = slugify(titles.get("en") or next(iter(titles.values()), ""))[:255] or "procedure"
        return {code: slugs.get(code) or slugs.get("en") or fallback for code in titles}


def _duplicate_identifiers(services: list[ImportedService]) -> list[str]:
    seen: dict[uuid.UUID, ImportedService] = {}
    problems = []
    for service in services:
        first = seen.setdefault(service.translation_key, service)
        if first is not service:
            problems.append(
                f"Service {service.position}: its identifier {service.translation_key} is also "
                f"service {first.position}'s."
            )
    return problems
