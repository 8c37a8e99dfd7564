"""Loads the demo catalogue (the JSON files in portal/demo/data/, read by portal.demo.catalogue_data) in
every language. Idempotent: what exists is left as it is (an editor may have changed it), what is
missing is created and published."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Locale,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from portal.demo import catalogue_data as demo_data
from procedures.models import (
    BusinessActivity,
    CompetentAuthority,
    EvidenceType,
    HomePage,
    ProcedureIndexPage,
    ProcedurePage,
)
from procedures.services import ensure_catalogue_pages, ensure_home_pages

WORKFLOW_NAME = "Procedure review"
MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


@transaction.atomic
def ensure_catalogue() -> LoadReport:
    report = LoadReport()
    homes = ensure_home_pages()
    locales = {code: Locale.objects.get(language_code=code) for code in demo_data.LANGUAGES}
    authorities = _ensure_authorities(locales, report)
    evidence_types = _ensure_evidence_types(locales, report)
    _ensure_activities(locales, report)
    catalogues = _ensure_catalogue_pages(homes, locales, report)
    _ensure_procedures(catalogues, locales, authorities, evidence_types, report)
    _ensure_workflow(catalogues)
    return report


def _translations(model, lookup: dict, locales: dict[str, Locale], build, report: LoadReport, kind: str):
    """The object in every language, sharing one translation key; build(code) gives field values."""
    by_language = {}
    source = model.objects.filter(locale=locales["en"], **lookup).first()
    if source is None:
        source = model(locale=locales["en"], **lookup, **build("en"))
        source.full_clean()
        source.save()
        report.count(kind)
    by_language["en"] = source
    for code, locale in locales.items():
        if code == "en":
            continue
        translation = model.objects.filter(translation_key=source.translation_key, locale=locale).first()
        if translation is None:
            translation = model(
                locale=locale, translation_key=source.translation_key, **lookup, **build(code)
            )
            translation.full_clean()
            translation.save()
            report.count(kind)
        by_language[code] = translation
    return by_language


def _ensure_authorities(locales, report) -> dict[str, dict[str, CompetentAuthority]]:
    result = {}
    for identifier, data in demo_data.AUTHORITIES.items():
        existing = CompetentAuthority.objects.filter(identifier=identifier).first()
        certificate = existing.as4_certificate_pem if existing else ""
        as4 = data.get("as4")
        if as4 and not certificate:
            certificate = _self_signed_certificate(as4["party_id"])

        def build(code, data=data, as4=as4, certificate=certificate):
            values = {
                "name": data["name"][code],
                "address": data["address"],
                "email": data["email"],
                "phone": data["phone"],
                "website": data["website"],
                "languages": data["languages"],
                "delivery_transport": data["transport"],
            }
            if as4:
                values.update(
                    as4_party_id=as4["party_id"],
                    as4_party_id_type=as4["party_id_type"],
                    as4_endpoint_url=as4["endpoint_url"],
                    as4_certificate_pem=certificate,
                    as4_service=as4["service"],
                    as4_service_type=as4["service_type"],
                    as4_action=as4["action"],
                )
            return values

        result[identifier] = _translations(
            CompetentAuthority, {"identifier": identifier}, locales, build, report, "authorities"
        )
    return result


def connect_as4_authorities(channel: dict[str, str]) -> int:
    """Point the demo's AS4 authorities at one access point (the demo authority access point that
    ``rundemo`` starts): ``channel`` has the keys of ``CompetentAuthority.delivery_channel``'s settings.

    In the four-corner model that access point is corner 3 for all of them; the authority itself is the
    message's final recipient. Only authorities still on the demo's own endpoints are changed (an
    editor's real channel is left alone). Returns how many authorities (all languages) changed."""
    demo_endpoints = {
        data["as4"]["endpoint_url"] for data in demo_data.AUTHORITIES.values() if data.get("as4")
    }
    identifiers = [identifier for identifier, data in demo_data.AUTHORITIES.items() if data.get("as4")]
    candidates = CompetentAuthority.objects.filter(identifier__in=identifiers, delivery_transport="as4")
    owned = [
        authority.pk
        for authority in candidates
        if authority.as4_endpoint_url in demo_endpoints
        or urlsplit(authority.as4_endpoint_url).hostname in ("127.0.0.1", "localhost")
    ]
    return CompetentAuthority.objects.filter(pk__in=owned).update(
        as4_party_id=channel["party_id"],
        as4_party_id_type=channel["party_id_type"],
        as4_endpoint_url=channel["endpoint_url"],
        as4_certificate_pem=channel["certificate_pem"],
        as4_service=channel["service"],
        as4_service_type=channel["service_type"],
        as4_action=channel["action"],
    )


@functools.cache  # four RSA keys on every load cost each catalogue test 0.5-2 s
def _self_signed_certificate(common_name: str) -> str:
    """A placeholder access-point certificate for the demo (a real one comes from the authority);
    the same one for a name within a process."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Republic of Aurelia (demo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _ensure_evidence_types(locales, report) -> dict[str, dict[str, EvidenceType]]:
    return {
        identifier: _translations(
            EvidenceType,
            {"identifier": identifier},
            locales,
            lambda code, names=names: {"name": names[code][0], "description": names[code][1]},
            report,
            "evidence types",
        )
        for identifier, names in demo_data.EVIDENCE_TYPES.items()
    }


def _ensure_activities(locales, report) -> None:
    for code, section, names, shared_synonyms in demo_data.ACTIVITIES:

        def build(language, names=names, section=section, shared=shared_synonyms):
            name, synonyms = names[language]
            words = [word.strip() for word in f"{synonyms}, {shared}".split(",") if word.strip()]
            return {"name": name, "nace_section": section, "synonyms": "\n".join(words)}

        _translations(BusinessActivity, {"nace_code": code}, locales, build, report, "activities")


def _ensure_catalogue_pages(homes: dict[str, HomePage], locales, report) -> dict[str, ProcedureIndexPage]:
    pages, created = ensure_catalogue_pages(
        homes, {code: locales[code] for code in demo_data.LANGUAGES}, demo_data.CATALOGUE_PAGE
    )
    for _page in range(created):
        report.count("catalogue pages")
    return pages


def _ensure_procedures(catalogues, locales, authorities, evidence_types, report) -> None:
    for data in demo_data.PROCEDURES:
        source = None
        for code in demo_data.LANGUAGES:
            if source is None:
                existing = ProcedurePage.objects.filter(locale=locales[code], slug=data["slug"]).first()
            else:
                existing = ProcedurePage.objects.filter(
                    locale=locales[code], translation_key=source.translation_key
                ).first()
            if existing is None:
                page = _procedure_page(data, code, locales[code], authorities, evidence_types)
                if source is not None:
                    page.translation_key = source.translation_key
                catalogues[code].add_child(instance=page)
                page.full_clean()
                page.save_revision().publish()
                report.count("procedures")
                existing = page
            if source is None:
                source = existing


def _procedure_page(data, code, locale, authorities, evidence_types) -> ProcedurePage:
    text = data["text"][code]
    authority = authorities[data["authority"]][code]
    notes = data.get("evidence_notes", {})
    return ProcedurePage(
        title=text["title"],
        slug=data["slug"],
        locale=locale,
        summary=text["summary"],
        sequence=data["sequence"],
        competent_authority=authority,
        content_owner=authority,
        steps=[
            ("step", {"title": title, "description": description}) for title, description in text["steps"]
        ],
        evidence=[
            (
                "evidence",
                {
                    "evidence_type": evidence_types[identifier][code],
                    "accepted_formats": formats,
                    "copy_kind": copy_kind,
                    "translation_required": translation,
                    "notes": notes.get(identifier, {}).get(code, ""),
                },
            )
            for identifier, formats, copy_kind, translation in data["evidence"]
        ],
        fees=[
            (
                "fee",
                {
                    "description": description,
                    "amount": Decimal(amount),
                    "currency": "EUR",
                    "payable_to": None,
                    "payable_online": online,
                },
            )
            for (amount, online), description in zip(data["fees"], text["fees"], strict=True)
        ],
        processing_time_days=data["processing_time_days"],
        tacit_approval=data["tacit_approval_days"] is not None,
        tacit_approval_days=data["tacit_approval_days"],
        redress_body=text["redress"],
        redress_deadline_days=data["redress_deadline_days"],
        legal_basis=[
            ("law", {"title": title, "url": url, "eli": eli}) for title, url, eli in data["legal_basis"]
        ],
        accepted_languages=data["accepted_languages"],
        minimum_loa=data["minimum_loa"],
        applicability=[("rule", _rule(rule)) for rule in data["rules"]],
        form_definition=_form_definition(data["form"], code, evidence_types),
    )


def _rule(rule: dict) -> dict:
    return {
        "activity_codes": rule.get("activity_codes", ""),
        "provision": rule.get("provision", "any"),
        "legal_forms": rule.get("legal_forms", []),
        "employs_staff": rule.get("employs_staff", "any"),
        "establishment_region": rule.get("establishment_region", "any"),
    }


def _form_definition(kind: str, code: str, evidence_types) -> list[tuple[str, dict]]:
    fields = []
    for field_type, concept, labels, extra in [*demo_data.COMMON_FIELDS, *demo_data.EXTRA_FIELDS[kind]]:
        value = {"label": labels[code], "help_text": "", "required": True, "concept": concept}
        condition = extra.get("condition")
        value["condition"] = (
            {"concept": condition[0], "operator": condition[1], "answer": condition[2]}
            if condition
            else {"concept": "", "operator": "equals", "answer": ""}
        )
        if condition:
            value["required"] = False
        if field_type in ("text", "long_text"):
            value["max_length"] = None
        if field_type == "number":
            value["min_value"] = Decimal(extra["min_value"]) if "min_value" in extra else None
            value["max_value"] = None
        if field_type in ("single_choice", "multiple_choice"):
            value["choices"] = [{"value": stored, "label": names[code]} for stored, names in extra["choices"]]
        if field_type == "evidence_request":
            value["evidence_type"] = evidence_types[extra["evidence"]][code]
        fields.append((field_type, value))
    return fields


def _ensure_workflow(catalogues: dict[str, ProcedureIndexPage]) -> None:
    """Editors write procedure pages and submit them; a moderator's approval publishes them."""
    moderators, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    editors, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(groups=moderators, active=True).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Moderators approval")
        task.groups.set([moderators])
    # Workflow is a ClusterableModel: its related manager would only save with the workflow
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    group_permissions = {
        moderators: ("publish_page", "change_page", "add_page"),
        editors: ("change_page", "add_page"),  # no publish: their changes go through the workflow
    }
    for page in catalogues.values():
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
        for group, permissions in group_permissions.items():
            for permission in permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=Permission.objects.get(codename=permission)
                )
    admin_access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    moderators.permissions.add(admin_access)
    editors.permissions.add(admin_access)
