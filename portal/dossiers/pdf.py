"""The application PDF: what one competent authority receives for one application of a dossier.

* **Language** (:func:`pdf_languages`): the procedure's accepted languages narrowed to those its authority
  accepts (or either list alone); the dossier's language if it is one of them, else the first. Where that
  is not the applicant's language, every label, choice, the title, the authority's name and the PDF's own
  wording also appear in the applicant's language, marked with ``lang`` so the tags carry it. The other
  language's wording comes from the snapshot's ``translations``; a version 1 snapshot has none, so its
  labels stay in the language they were frozen in.
* **PDF/A-3b, tagged** (WeasyPrint ``pdf_variant="pdf/a-3b"``, which writes the sRGB output intent and
  the XMP ``pdfaid:part=3``/``conformance=B``; ``pdf_tags=True``: StructTreeRoot, MarkInfo, /Lang). Two
  embedded files, both listed in the catalogue's ``/AF``: ``answers.json`` (AFRelationship ``/Data``,
  format :data:`ANSWERS_FORMAT`: ``answers`` = {concept: value} exactly as stored for the applicable
  questions, each question's type and labels per language, ids, procedure reference, languages,
  ``rendered_at``, documents) and ``application.xml`` (``/Source``, namespace :data:`METADATA_NS`, schema
  ``portal/dossiers/schemas/application-metadata-1.xsd``; ends with ``InputsDigest@algorithm="sha-256"``).
* **Rendered once** (:func:`application_pdf`, what every reader uses): :func:`pdf_inputs` (answers,
  snapshot, applicant block, documents, both languages, ids, the dossier's start time,
  :data:`TEMPLATE_VERSION`) is hashed as SHA-256 of canonical JSON. While the application's
  ``pdf_inputs_sha256`` matches, the stored file is returned; otherwise, under a row lock, the PDF is
  rendered, saved in ``storages["private"]`` as
  ``dossiers/<dossier>/applications/<application>/application-<first 24 hex of the inputs hash>.pdf`` and
  ``pdf_name``, ``pdf_sha256``, ``pdf_inputs_sha256``, ``pdf_rendered_at`` are recorded; the superseded
  file is deleted after commit. It re-renders when a shown answer, the applicant block, a document or
  :data:`TEMPLATE_VERSION` changes (bump it whenever the template's output changes), but never once the
  dossier is past ``ready_for_signature`` (:data:`FROZEN_STATES`): the stored PDF is what was signed, so a
  delivery retry resends identical bytes.
* **Deterministic**: every date inside (Info and XMP, attachment dates, cover page, JSON, XML) is the
  render time, and WeasyPrint's ``/ID`` is a hash of the content; :func:`render_application_pdf` (the pure
  renderer, no storage) defaults to the stored render time while the inputs are unchanged, so it
  reproduces the stored bytes.
* **Print CSS** (``templates/dossiers/pdf/application.html``): block and table layout only (no flexbox or
  grid), ``table-layout: fixed`` with ``colgroup`` widths (faster than auto layout), DejaVu fonts from the
  system, nothing fetched.
* **Not checked**: no veraPDF run; conformance rests on WeasyPrint's variant and the tests' structural
  checks (output intent, XMP identification, associated files, tags).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from lxml import etree

from portal.accounts.models import Capacity
from portal.accounts.selectors import profile_for
from portal.dossiers.documents import usable_documents
from portal.dossiers.forms import DOCUMENT_FIELD_TYPES, condition_holds
from portal.dossiers.models import Application, Dossier
from portal.dossiers.presentation import display_answer
from portal.dossiers.states import DossierState

# Bump when the template, its CSS or what is embedded changes: open dossiers' PDFs then re-render.
TEMPLATE_VERSION = "3"
METADATA_NS = "urn:eu:psc-portal:application-metadata:1"
METADATA_SCHEMA = Path(__file__).resolve().parent / "schemas" / "application-metadata-1.xsd"
ANSWERS_FORMAT = "urn:eu:psc-portal:application-answers:1"
ANSWERS_NAME = "answers.json"
METADATA_NAME = "application.xml"
# once signed, the PDF is what the applicant signed: never re-rendered, whatever changes in the code
FROZEN_STATES = frozenset(set(DossierState) - {DossierState.DRAFT, DossierState.READY_FOR_SIGNATURE})

# Fixed wording of the PDF, rendered in the PDF's language and again in the applicant's.
WORDING = {
    "application_to": _("Application to"),
    "procedure": _("Procedure"),
    "procedure_reference": _("Procedure reference"),
    "authority": _("Competent authority"),
    "applicant": _("Applicant"),
    "email": _("E-mail address"),
    "on_behalf_of": _("On behalf of"),
    "registration": _("Registration number"),
    "capacity": _("Capacity"),
    "dossier": _("Dossier"),
    "application": _("Application"),
    "dossier_started": _("Dossier started"),
    "rendered": _("Document produced"),
    "answers": _("Answers"),
    "question": _("Question"),
    "answer": _("Answer"),
    "not_answered": _("Not answered"),
    "documents": _("Documents"),
    "document": _("Document"),
    "evidence_type": _("Evidence type"),
    "no_documents": _("No documents are attached to this application."),
    "requested": _("Documents the procedure asks for:"),
    "page": _("Page"),
    "of": _("of"),
    "embedded": _(
        "This PDF/A-3 file embeds the answers as JSON (answers.json) and the identifiers of the "
        "application as XML (application.xml)."
    ),
}


def pdf_languages(snapshot: dict, dossier_language: str) -> tuple[str, str | None]:
    """(the PDF's language, the applicant's language when it differs, else None).

    The procedure's accepted languages narrowed to those its authority accepts (or either list alone):
    the dossier's language if it is one of them, else the first."""
    procedure = list(snapshot.get("accepted_languages") or [])
    authority = list(snapshot.get("authority", {}).get("languages") or [])
    accepted = [code for code in procedure if code in authority] or procedure or authority
    if not accepted or dossier_language in accepted:
        return dossier_language, None
    return accepted[0], dossier_language


def _wording_in(snapshot: dict, language: str | None) -> dict:
    """The snapshot's wording in ``language``; {} for a version 1 snapshot or a missing translation."""
    if language is None:
        return {}
    return snapshot.get("translations", {}).get(language, {})


def _localized_item(item: dict, wording: dict) -> dict:
    choices = wording.get("choices", {}).get(item["concept"])
    if not choices or not item.get("choices"):
        return item
    return {
        **item,
        "choices": [
            {**choice, "label": choices.get(choice["value"], choice["label"])} for choice in item["choices"]
        ],
    }


def _answer_in(item: dict, value: Any, language: str, wording: dict) -> str:
    with translation.override(language):  # yes/no and country names
        return display_answer(_localized_item(item, wording), value)


def application_fields(application: Application) -> list[dict]:
    """The questions of the application that apply to the dossier's answers, documents excluded."""
    answers = application.dossier.answers
    return [
        item
        for item in application.procedure_snapshot.get("fields", [])
        if item["type"] not in DOCUMENT_FIELD_TYPES and condition_holds(item.get("condition"), answers)
    ]


def application_answers(application: Application) -> dict[str, Any]:
    """{concept: stored value} for every applicable question of this application that has an answer."""
    answers = application.dossier.answers
    return {
        item["concept"]: answers[item["concept"]]
        for item in application_fields(application)
        if item["concept"] in answers
    }


def application_rows(application: Application) -> list[dict]:
    """Every question the application asks that applies, with the applicant's answer, in the PDF's
    language (``label``, ``answer``) and, when it differs, the applicant's (``label_alt``,
    ``answer_alt``)."""
    snapshot = application.procedure_snapshot
    language, alternate = pdf_languages(snapshot, application.dossier.language)
    wording, wording_alt = _wording_in(snapshot, language), _wording_in(snapshot, alternate)
    answers = application.dossier.answers
    rows = []
    for item in application_fields(application):
        value = answers.get(item["concept"])
        # a version 1 snapshot has its labels in the dossier's language only
        label = wording.get("labels", {}).get(item["concept"], item["label"])
        row = {
            "concept": item["concept"],
            "label": label,
            "answer": _answer_in(item, value, language, wording),
        }
        if alternate:
            label_alt = wording_alt.get("labels", {}).get(item["concept"], item["label"])
            answer_alt = _answer_in(item, value, alternate, wording_alt)
            row["label_alt"] = label_alt if label_alt != label else ""
            row["answer_alt"] = answer_alt if answer_alt != row["answer"] else ""
        rows.append(row)
    return rows


def application_documents(application: Application) -> list[dict]:
    """The documents attached to this application, each as
    ``{"name", "evidence_type" (identifier), "media_type", "size", "sha256"}``: part of
    :func:`pdf_inputs` (another document re-renders the PDF) and listed in the PDF, so the signature
    over the PDF also binds the digests of the files sent with it."""
    return [
        {
            "name": document.display_name,
            "evidence_type": document.evidence_type,
            "media_type": document.mime_type,
            "size": document.size,
            "sha256": document.sha256,
        }
        for document in usable_documents(application)
    ]


def applicant_details(dossier: Dossier) -> dict:
    """Who applies: the owner's profile (name, e-mail) and the legal person the dossier is for, if any."""
    profile = profile_for(dossier.owner)
    profile_name = " ".join(part for part in (profile.given_names, profile.family_name) if part)
    details: dict[str, Any] = {
        "name": profile_name or dossier.answers.get("applicant.full_name") or dossier.owner.email,
        "email": dossier.owner.email,
        "legal_person": None,
    }
    person = dossier.on_behalf_of  # frozen when the dossier started; {} when in the owner's own name
    if person:
        details["legal_person"] = {
            "name": person.get("name", ""),
            "registration_number": person.get("registration_number", ""),
            "register": person.get("register", ""),
            "country": person.get("country", ""),
            "lei": person.get("lei", ""),
            "euid": person.get("euid", ""),
            "capacity": person.get("capacity", ""),
            "verified_by": person.get("verified_source", ""),
        }
    return details


def pdf_inputs(application: Application) -> dict:
    """Everything the PDF's content depends on besides the render time."""
    dossier = application.dossier
    snapshot = application.procedure_snapshot
    language, alternate = pdf_languages(snapshot, dossier.language)
    return {
        "template_version": TEMPLATE_VERSION,
        "language": language,
        "alternate_language": alternate,
        "dossier": str(dossier.public_id),
        "dossier_language": dossier.language,
        "dossier_created_at": dossier.created_at.isoformat(),
        "application": str(application.public_id),
        "snapshot": snapshot,
        "answers": application_answers(application),
        "applicant": applicant_details(dossier),
        "documents": application_documents(application),
    }


def inputs_sha256(inputs: dict) -> str:
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def _iso(moment: datetime.datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _procedure_reference(snapshot: dict) -> dict:
    return {
        "page_id": snapshot.get("page_id"),
        "translation_key": snapshot.get("translation_key"),
        "revision_id": snapshot.get("revision_id"),
    }


def answers_json(application: Application, inputs: dict, rendered_at: datetime.datetime) -> bytes:
    """``answers.json``: the answers as stored (``answers`` = {concept: value}) with each question's
    type and labels per language."""
    snapshot = application.procedure_snapshot
    translations = snapshot.get("translations", {})
    questions = [
        {
            "concept": item["concept"],
            "type": item["type"],
            "labels": {
                snapshot.get("language", inputs["dossier_language"]): item["label"],
                **{
                    code: wording["labels"][item["concept"]]
                    for code, wording in translations.items()
                    if item["concept"] in wording.get("labels", {})
                },
            },
        }
        for item in application_fields(application)
    ]
    document = {
        "format": ANSWERS_FORMAT,
        "dossier": inputs["dossier"],
        "application": inputs["application"],
        "procedure": _procedure_reference(snapshot),
        "language": inputs["language"],
        "applicant_language": inputs["dossier_language"],
        "rendered_at": _iso(rendered_at),
        "answers": inputs["answers"],
        "questions": questions,
        "documents": inputs["documents"],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def metadata_xml(application: Application, inputs: dict, rendered_at: datetime.datetime) -> bytes:
    """``application.xml``: which application this is, of which procedure revision, by whom, when."""
    snapshot = application.procedure_snapshot
    ns = f"{{{METADATA_NS}}}"

    def sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
        element = etree.SubElement(
            parent,
            ns + tag,
            {key: str(value) for key, value in attributes.items() if value not in (None, "")},
        )
        if text:
            element.text = text
        return element

    root = etree.Element(ns + "ApplicationMetadata", nsmap={None: METADATA_NS}, version="1")
    sub(root, "Dossier", id=inputs["dossier"], language=inputs["dossier_language"])
    sub(root, "Application", id=inputs["application"])
    reference = _procedure_reference(snapshot)
    sub(
        root,
        "Procedure",
        snapshot.get("title", ""),
        pageId=reference["page_id"],
        translationKey=reference["translation_key"],
        revisionId=reference["revision_id"],
        snapshotVersion=snapshot.get("version"),
    )
    authority = snapshot.get("authority", {})
    sub(root, "Authority", authority.get("name", ""), identifier=authority.get("identifier"))
    applicant = inputs["applicant"]
    applicant_element = sub(root, "Applicant")
    sub(applicant_element, "Name", applicant["name"])
    sub(applicant_element, "Email", applicant["email"])
    person = applicant["legal_person"]
    if person:
        sub(
            applicant_element,
            "RepresentedLegalPerson",
            person["name"],
            registrationNumber=person["registration_number"],
            register=person["register"],
            country=person["country"],
            lei=person["lei"],
            euid=person["euid"],
            capacity=person["capacity"],
        )
    sub(root, "Document", language=inputs["language"], applicantLanguage=inputs["dossier_language"])
    timestamps = sub(root, "Timestamps")
    sub(timestamps, "DossierStarted", _iso(datetime.datetime.fromisoformat(inputs["dossier_created_at"])))
    sub(timestamps, "Rendered", _iso(rendered_at))
    sub(root, "InputsDigest", inputs_sha256(inputs), algorithm="sha-256")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _wording_for(language: str, alternate: str | None) -> dict[str, dict[str, str]]:
    def rendered(code: str) -> dict[str, str]:
        with translation.override(code):
            return {key: str(text) for key, text in WORDING.items()}

    main = rendered(language)
    alt = rendered(alternate) if alternate else {}
    return {
        key: {"text": main[key], "alt": alt.get(key, "") if alt.get(key) != main[key] else ""}
        for key in WORDING
    }


def _stored_render_time(application: Application, digest: str) -> datetime.datetime | None:
    if application.pdf_inputs_sha256 == digest and application.pdf_rendered_at is not None:
        return application.pdf_rendered_at
    return None


def render_application_pdf(
    application: Application, *, rendered_at: datetime.datetime | None = None
) -> bytes:
    """The application as a tagged PDF/A-3b with its answers and identifiers embedded.

    A pure rendering: nothing is stored. Every date in it is ``rendered_at``: by default the stored render
    time when the inputs are those of the stored PDF (so the result is byte for byte the stored PDF),
    else now."""
    from weasyprint import HTML

    html, attachments = application_html_and_attachments(application, rendered_at=rendered_at)
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True, attachments=attachments)


def application_html_and_attachments(
    application: Application, *, rendered_at: datetime.datetime | None = None
) -> tuple[str, list]:
    """The HTML of the application PDF and its WeasyPrint attachments (see :func:`render_application_pdf`)."""
    from weasyprint import Attachment

    dossier = application.dossier
    snapshot = application.procedure_snapshot
    inputs = pdf_inputs(application)
    if rendered_at is None:
        rendered_at = _stored_render_time(application, inputs_sha256(inputs)) or timezone.now()
    rendered_at = _utc(rendered_at)
    language, alternate = inputs["language"], inputs["alternate_language"]
    wording, wording_alt = _wording_in(snapshot, language), _wording_in(snapshot, alternate)
    title = wording.get("title") or snapshot.get("title", "")
    title_alt = wording_alt.get("title") or (snapshot.get("title", "") if alternate else "")
    authority_name = wording.get("authority_name") or snapshot.get("authority", {}).get("name", "")
    authority_alt = wording_alt.get("authority_name", "") if alternate else ""
    evidence_names = {**wording_alt.get("evidence_types", {}), **wording.get("evidence_types", {})}
    requested = [
        {
            "label": wording.get("labels", {}).get(item["concept"], item["label"]),
            "label_alt": wording_alt.get("labels", {}).get(item["concept"], "") if alternate else "",
        }
        for item in snapshot.get("fields", [])
        if item["type"] in DOCUMENT_FIELD_TYPES
    ]
    person = inputs["applicant"]["legal_person"]
    with translation.override(language):
        capacity = ""
        if person:
            capacity = str(Capacity(person["capacity"]).label) if person["capacity"] in Capacity else ""
        html = render_to_string(
            "dossiers/pdf/application.html",
            {
                "application": application,
                "dossier": dossier,
                "language": language,
                "alternate": alternate,
                "t": _wording_for(language, alternate),
                "title": title,
                "title_alt": title_alt if title_alt != title else "",
                "authority_name": authority_name,
                "authority_alt": authority_alt if authority_alt != authority_name else "",
                "authority": snapshot.get("authority", {}),
                "procedure_reference": _procedure_reference(snapshot),
                "applicant": inputs["applicant"],
                "capacity": capacity,
                "rows": application_rows(application),
                "requested_documents": requested,
                "documents": [
                    {**document, "evidence_name": evidence_names.get(document.get("evidence_type"), "")}
                    for document in inputs["documents"]
                ],
                "dossier_started": _iso(dossier.created_at),
                "rendered_at": _iso(rendered_at),
            },
        )
    naive = rendered_at.replace(tzinfo=None)  # WeasyPrint writes attachment dates as UTC ("Z")
    attachments = [
        Attachment(
            string=answers_json(application, inputs, rendered_at),
            name=ANSWERS_NAME,
            description="Answers of the application (JSON, " + ANSWERS_FORMAT + ")",
            created=naive,
            modified=naive,
            relationship="Data",
        ),
        Attachment(
            string=metadata_xml(application, inputs, rendered_at),
            name=METADATA_NAME,
            description="Dossier, application, procedure, applicant and timestamps (XML, "
            + METADATA_NS
            + ")",
            created=naive,
            modified=naive,
            relationship="Source",
        ),
    ]
    return html, attachments


def _storage_name(application: Application, digest: str) -> str:
    return f"dossiers/{application.dossier.public_id}/applications/{application.public_id}/application-{digest[:24]}.pdf"


def _read_stored(application: Application) -> bytes:
    with storages["private"].open(application.pdf_name, "rb") as stored:
        return stored.read()


def application_pdf(application: Application) -> bytes:
    """The application's PDF: the stored one while its inputs are unchanged (and always once the dossier
    is signed), else rendered, stored in ``storages["private"]`` and recorded on the application."""
    frozen = application.dossier.state in FROZEN_STATES
    if application.pdf_name and (
        frozen or application.pdf_inputs_sha256 == inputs_sha256(pdf_inputs(application))
    ):
        return _read_stored(application)
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("dossier").get(pk=application.pk)
        digest = inputs_sha256(pdf_inputs(locked))
        if locked.pdf_name and (locked.dossier.state in FROZEN_STATES or locked.pdf_inputs_sha256 == digest):
            pdf = _read_stored(locked)  # another request rendered it meanwhile
        else:
            rendered_at = _utc(timezone.now())
            pdf = render_application_pdf(locked, rendered_at=rendered_at)
            storage = storages["private"]
            name = _storage_name(locked, digest)
            if storage.exists(name):  # left by a render whose transaction rolled back
                storage.delete(name)
            name = storage.save(name, ContentFile(pdf))
            previous = locked.pdf_name
            locked.pdf_name = name
            locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            locked.pdf_inputs_sha256 = digest
            locked.pdf_rendered_at = rendered_at
            locked.save(
                update_fields=["pdf_name", "pdf_sha256", "pdf_inputs_sha256", "pdf_rendered_at", "updated_at"]
            )
            if previous and previous != name:
                transaction.on_commit(lambda: storage.delete(previous))
    for field in ("pdf_name", "pdf_sha256", "pdf_inputs_sha256", "pdf_rendered_at"):
        setattr(application, field, getattr(locked, field))
    return pdf
