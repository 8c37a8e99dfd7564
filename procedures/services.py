"""Writes to the catalogue that are not editors' work in the Wagtail admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Locale, Page, Site

from procedures.cpsv_import import (
    CpsvImportError,
    ImportedService,
    read_catalogue,
)
from procedures.models import (
    CompetentAuthority,
    EvidenceType,
    HomePage,
    ProcedureIndexPage,
    ProcedurePage,
    split_language_codes,
)

# The home page in each language (a new site's; editors change it in the Wagtail admin).
HOME_CONTENT = {
    "en": {
        "title": "Start your business here",
        "intro": (
            "Find every procedure that applies to the activity you plan, fill in one application for all of "
            "them, sign it electronically and we deliver it to each competent authority."
        ),
        "body": (
            "<h2>How it works</h2><ol><li>Tell us what you plan to do: we list the procedures, documents, fees "
            "and time limits that apply.</li><li>Fill in one dossier: what you enter once is reused for every "
            "authority.</li><li>Sign it with your electronic signature: we deliver it and keep the signed "
            "receipt as your proof.</li></ol>"
        ),
    },
    "fr": {
        "title": "Créez votre entreprise ici",
        "intro": (
            "Trouvez toutes les démarches qui s'appliquent à votre activité, remplissez un seul dossier pour "
            "toutes, signez-le électroniquement et nous le transmettons à chaque autorité compétente."
        ),
        "body": (
            "<h2>Comment ça marche</h2><ol><li>Décrivez votre projet : nous listons les démarches, documents, "
            "frais et délais applicables.</li><li>Remplissez un seul dossier : ce que vous saisissez une fois "
            "sert pour chaque autorité.</li><li>Signez-le avec votre signature électronique : nous le "
            "transmettons et conservons l'accusé de réception signé comme preuve.</li></ol>"
        ),
    },
    "de": {
        "title": "Gründen Sie Ihr Unternehmen hier",
        "intro": (
            "Finden Sie alle Verfahren für Ihre geplante Tätigkeit, füllen Sie einen einzigen Antrag für alle "
            "aus, unterschreiben Sie ihn elektronisch, und wir stellen ihn jeder zuständigen Behörde zu."
        ),
        "body": (
            "<h2>So funktioniert es</h2><ol><li>Sagen Sie uns, was Sie vorhaben: Wir nennen die Verfahren, "
            "Unterlagen, Gebühren und Fristen.</li><li>Füllen Sie ein Dossier aus: Was Sie einmal eingeben, "
            "gilt für jede Behörde.</li><li>Unterschreiben Sie elektronisch: Wir stellen zu und bewahren die "
            "signierte Empfangsbestätigung als Nachweis auf.</li></ol>"
        ),
    },
}


# The catalogue index page under each home page: (title, intro) per language.
CATALOGUE_PAGE = {
    "en": ("Procedures", "Every procedure for starting and running a business."),
    "fr": ("Démarches", "Toutes les démarches pour créer et exploiter une entreprise."),
    "de": ("Verfahren", "Alle Verfahren für die Gründung und Führung eines Unternehmens."),
}


# what a CompetentAuthority translation shares with its source (wagtail-localize SynchronizedFields)
AUTHORITY_SHARED_FIELDS = (
    "address",
    "email",
    "phone",
    "website",
    "languages",
    "delivery_transport",
    "as4_party_id",
    "as4_party_id_type",
    "as4_endpoint_url",
    "as4_certificate_pem",
    "as4_service",
    "as4_service_type",
    "as4_action",
)
DEFAULT_EVIDENCE_DETAILS = {
    "accepted_formats": ["pdf"],
    "copy_kind": "simple_copy",
    "translation_required": False,
    "notes": "",
}


@dataclass
class ImportReport:
    services: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def __str__(self) -> str:
        details = ", ".join(f"{count} {what}" for what, count in sorted(self.counts.items()))
        return f"{self.services} service(s) read: {details or 'nothing to do'}."


@transaction.atomic
def ensure_home_pages() -> dict[str, HomePage]:
    """One HomePage per configured language, translations of each other, and the default Site."""
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES
    }
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root", locale=locales[settings.LANGUAGE_CODE])

    # Wagtail's own migration leaves a plain "Welcome to your new Wagtail site!" page: retire it.
    for stale in Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page)):
        stale.delete()

    default_locale = locales[settings.LANGUAGE_CODE]
    home = HomePage.objects.filter(locale=default_locale, depth=2).first()
    if home is None:
        home = root.add_child(instance=_home_page(settings.LANGUAGE_CODE, default_locale))
    pages = {settings.LANGUAGE_CODE: home}
    for code, locale in locales.items():
        if code == settings.LANGUAGE_CODE:
            continue
        translation = HomePage.objects.filter(translation_key=home.translation_key, locale=locale).first()
        if translation is None:
            translation = home.copy_for_translation(locale)
            for field, value in HOME_CONTENT.get(code, HOME_CONTENT["en"]).items():
                setattr(translation, field, value)
            translation.save_revision().publish()
        pages[code] = translation

    base_url = urlsplit(settings.PORTAL_BASE_URL)
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = base_url.hostname or "localhost"
    site.port = base_url.port or (443 if base_url.scheme == "https" else 80)
    site.root_page = home
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()
    return pages


def _home_page(code: str, locale: Locale) -> HomePage:
    return HomePage(slug="home", locale=locale, **HOME_CONTENT[code])


@transaction.atomic
def ensure_catalogue_pages(
    homes: dict[str, HomePage],
    locales: dict[str, Locale],
    texts: dict[str, tuple[str, str]] = CATALOGUE_PAGE,
) -> tuple[dict[str, ProcedureIndexPage], int]:
    """The catalogue index page under each home page, translations of the English one: the pages
    by language and how many were created (``texts`` gives a new page's title and intro)."""
    pages = {}
    created = 0
    source = ProcedureIndexPage.objects.filter(locale=locales["en"]).first()
    for code in sorted(locales, key=lambda code: code != "en"):
        title, intro = texts.get(code, texts["en"])
        page = (
            ProcedureIndexPage.objects.filter(
                locale=locales[code], translation_key=source.translation_key
            ).first()
            if source
            else None
        )
        if page is None:
            page = ProcedureIndexPage(title=title, intro=intro, slug="procedures", locale=locales[code])
            if source is not None:
                page.translation_key = source.translation_key
            homes[code].add_child(instance=page)
            page.save_revision().publish()
            created += 1
        if code == "en":
            source = page
        pages[code] = page
    return pages, created


def import_cpsv(text: str | bytes) -> ImportReport:
    """Validate the whole CPSV-AP JSON-LD file, then upsert its services by identifier in one
    transaction: a procedure page per language the service has a title in, its competent authority
    and evidence types as needed. Fields CPSV-AP does not carry (steps, rules, the form...) keep
    their value on an existing page and their default on a new one. Raises CpsvImportError, having
    changed nothing, when anything in the file is wrong."""
    services = read_catalogue(text)
    report = ImportReport(services=len(services))
    with transaction.atomic():
        catalogues = _catalogue_pages({code for service in services for code in service.languages})
        for service in services:
            try:
                _upsert_service(service, catalogues, report)
            except ValidationError as error:
                raise CpsvImportError(
                    [
                        f"Service {service.position} of {len(services)} ({service.iri}): {message}"
                        for message in _messages(error)
                    ]
                ) from None
    return report


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    return list(error.messages)


def _catalogue_pages(languages: set[str]) -> dict[str, ProcedureIndexPage]:
    missing = [
        code
        for code in languages
        if not ProcedureIndexPage.objects.filter(locale__language_code=code).exists()
    ]
    if missing:
        homes = ensure_home_pages()
        locales = {code: Locale.objects.get(language_code=code) for code in homes}
        ensure_catalogue_pages(homes, locales)
    return {
        code: ProcedureIndexPage.objects.filter(locale__language_code=code).order_by("pk").first()
        for code in languages
    }


def _upsert_snippet(model, imported, locale: Locale, report: ImportReport, what: str, shared_fields=()):
    """The ``model`` snippet (authority, evidence type) with the imported identifier in ``locale``: its
    name updated, or created as a translation of the same identifier in another locale (sharing its
    translation key and ``shared_fields``)."""
    code = locale.language_code
    name = imported.names.get(code) or next(iter(imported.names.values()))
    snippet = model.objects.filter(identifier=imported.identifier, locale=locale).first()
    if snippet is not None:
        if snippet.name != name:
            snippet.name = name
            snippet.full_clean()
            snippet.save()
            report.count(f"{what} translations updated")
        return snippet
    source = model.objects.filter(identifier=imported.identifier).order_by("pk").first()
    snippet = model(identifier=imported.identifier, locale=locale, name=name)
    if source is not None:
        snippet.translation_key = source.translation_key
        for field_name in shared_fields:
            setattr(snippet, field_name, getattr(source, field_name))
    snippet.full_clean()
    snippet.save()
    report.count(f"{what} translations created")
    return snippet
    source = EvidenceType.objects.filter(identifier=imported.identifier).order_by("pk").first()
    evidence_type = EvidenceType(identifier=imported.identifier, locale=locale, name=name)
    if source is not None:
        evidence_type.translation_key = source.translation_key
    evidence_type.full_clean()
    evidence_type.save()
    report.count("evidence type translations created")
    return evidence_type


def _text(values: dict[str, str], code: str) -> str:
    return values.get(code) or next(iter(values.values()))


def _significant(page: ProcedurePage) -> tuple:
    """What an import sets: equal before and after means the page is left as it is."""
    return (
        page.title,
        page.summary,
        page.competent_authority_id,
        page.accepted_languages,
        page.processing_time_days,
        [
            (fee.value["description"], fee.value["amount"], fee.value["currency"], fee.value["payable_online"],
             getattr(fee.value["payable_to"], "pk", None))
            for fee in page.fees
        ],
        [
            (getattr(item.value["evidence_type"], "pk", None), list(item.value["accepted_formats"] or []),
             item.value["copy_kind"], bool(item.value["translation_required"]), item.value["notes"])
            for item in page.evidence
        ],
        [(law.value["title"], law.value["url"], law.value["eli"]) for law in page.legal_basis],
    )  # fmt: skip


def _upsert_service(
    service: ImportedService, catalogues: dict[str, ProcedureIndexPage], report: ImportReport
) -> None:
    for code in service.languages:
        locale = Locale.objects.get(language_code=code)
        authority = _upsert_snippet(
            CompetentAuthority, service.authority, locale, report, "authority", AUTHORITY_SHARED_FIELDS
        )
        evidence_types = [
            _upsert_snippet(EvidenceType, item, locale, report, "evidence type") for item in service.evidence
        ]
        page = ProcedurePage.objects.filter(translation_key=service.translation_key, locale=locale).first()
        created = page is None
        if created:
            page = ProcedurePage(
                translation_key=service.translation_key,
                locale=locale,
                slug=_free_slug(catalogues[code], service.slugs[code]),
                content_owner=authority,
            )
            before = None
        else:
            before = _significant(page)
        _set_fields(page, service, code, authority, evidence_types)
        if created:
            catalogues[code].add_child(instance=page)
        elif _significant(page) == before:
            report.count("procedure pages unchanged")
            continue
        page.full_clean()
        page.save_revision().publish()
        report.count("procedure pages created" if created else "procedure pages updated")


def _free_slug(catalogue: ProcedureIndexPage, slug: str) -> str:
    siblings = set(catalogue.get_children().values_list("slug", flat=True))
    candidate, number = slug, 1
    while candidate in siblings:
        number += 1
        candidate = f"{slug[:250]}-{number}"
    return candidate


def _set_fields(
    page: ProcedurePage,
    service: ImportedService,
    code: str,
    authority: CompetentAuthority,
    evidence_types: list[EvidenceType],
) -> None:
    page.title = service.titles[code]
    page.summary = service.descriptions[code]
    page.competent_authority = authority
    # a set in RDF: an existing page keeps the order its editor wrote
    if service.accepted_languages and set(service.accepted_languages) != set(
        split_language_codes(page.accepted_languages)
    ):
        page.accepted_languages = ", ".join(service.accepted_languages)
    page.processing_time_days = service.processing_time_days

    old_fees = [fee.value for fee in page.fees]
    page.fees = [
        (
            "fee",
            {
                "description": _text(cost.descriptions, code),
                "amount": cost.amount,
                "currency": cost.currency,
                "payable_to": old_fees[index]["payable_to"] if index < len(old_fees) else None,
                "payable_online": old_fees[index]["payable_online"] if index < len(old_fees) else False,
            },
        )
        for index, cost in enumerate(service.costs)
    ]

    # what CPSV-AP does not carry (formats, copy kind...) is kept for an evidence type already asked
    old_evidence = {
        getattr(item.value["evidence_type"], "identifier", None): item.value for item in page.evidence
    }
    evidence = []
    for evidence_type in evidence_types:
        old = old_evidence.get(evidence_type.identifier)
        details = (
            {name: old[name] for name in DEFAULT_EVIDENCE_DETAILS}
            if old is not None
            else dict(DEFAULT_EVIDENCE_DETAILS)
        )
        details["accepted_formats"] = list(details["accepted_formats"] or [])
        evidence.append(("evidence", {"evidence_type": evidence_type, **details}))
    page.evidence = evidence

    old_laws = [law.value for law in page.legal_basis]
    laws = []
    for index, law in enumerate(service.laws):
        url = law.url
        if not url and index < len(old_laws) and old_laws[index]["eli"] == law.eli:
            url = old_laws[index]["url"]  # the export names a law by its ELI when it has one
        laws.append(("law", {"title": _text(law.titles, code), "url": url, "eli": law.eli}))
    page.legal_basis = laws
