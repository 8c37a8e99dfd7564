"""The eSafe: every document a user uploads, attachable to any of their dossiers (writes and reads).

* **Storing** (:func:`store_upload`): the checked file is saved as ``esafe/<uuid4 hex>`` in
  ``storages["private"]`` (deleted again if the transaction fails), recorded as a ``VaultDocument`` of its
  owner and attached to the application's evidence request.
* **Quarantine**: a new document is ``pending_scan``: shown, but not counted as attached and not
  delivered. :func:`scan_or_retry_later` scans it right after the commit. Clean → ``clean``; the ``none``
  scanner → ``not_scanned`` (usable too); infected → ``infected``, the file deleted on commit and
  ``stored_name`` emptied, the record kept so the step and the eSafe say what was found. A scanner that
  is down (``ScannerUnavailable``) leaves it pending, counts the attempt and queues
  ``dossiers.scan_document``, which retries after ``DOCUMENT_SCAN_RETRY_SECONDS`` doubling up to an hour;
  beat's ``dossiers.rescan_pending`` re-queues whatever has been pending for a while.
* Once usable, a signed file goes to ``portal.signing.services.validate_and_store`` and the stored report
  is linked (``validation_report``); a failure there is logged and never loses the upload.
* **Reuse** (:func:`attach_from_vault`): the same row is attached again, not a copy; an infected document
  cannot be reused. :func:`expiry_warning` warns about a document expired or expiring within
  :data:`EXPIRY_WARNING_DAYS` days.
* **Changes**: documents of a dossier can change only in ``draft`` or ``ready_for_signature``
  (:data:`EDITABLE_STATES`); any change in ``ready_for_signature`` sends it back to ``draft``. Detaching
  keeps the vault document; deleting one (:func:`delete_from_vault`) detaches it from editable dossiers and
  is refused while a signed or later dossier uses it, as the record of what was sent.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.dossiers.documents import CheckedFile, DocumentRefused, EvidencePolicy, evidence_policy
from portal.dossiers.forms import DOCUMENT_FIELD_TYPES
from portal.dossiers.lifecycle import transition
from portal.dossiers.models import Application, AttachedDocument, Dossier, ScanStatus, VaultDocument
from portal.dossiers.scanning import ScannerUnavailable, configured_scanner
from portal.dossiers.states import DossierState
from portal.dossiers.tasks import scan_document_task
from portal.signing.services import validate_and_store

logger = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 30
EDITABLE_STATES = frozenset({DossierState.DRAFT, DossierState.READY_FOR_SIGNATURE})


# --- reads --------------------------------------------------------------------------------------


def vault_of(user) -> QuerySet[VaultDocument]:
    return VaultDocument.objects.filter(owner=user).select_related("validation_report")


def vault_document_of(user, public_id) -> VaultDocument | None:
    """The user's document with this id, or None for anyone else's (callers answer 404)."""
    return vault_of(user).filter(public_id=public_id).first()


def evidence_item(application: Application, concept: str) -> dict | None:
    return next(
        (
            item
            for item in application.procedure_snapshot.get("fields", [])
            if item["type"] in DOCUMENT_FIELD_TYPES and item["concept"] == concept
        ),
        None,
    )


def policy_for(application: Application, concept: str) -> EvidencePolicy | None:
    item = evidence_item(application, concept)
    return evidence_policy(application.procedure_snapshot, item) if item else None


def satisfied_concepts(application: Application) -> set[str]:
    """Evidence requests of the application with at least one usable document attached."""
    return set(
        application.documents.filter(
            document__scan_status__in=[ScanStatus.CLEAN, ScanStatus.NOT_SCANNED]
        ).values_list("concept", flat=True)
    )


def expiry_warning(document: VaultDocument, today: datetime.date | None = None) -> str:
    """'' or a sentence saying the document has expired or expires soon."""
    if document.expiry_date is None:
        return ""
    today = today or timezone.localdate()
    if document.expiry_date < today:
        return _("Expired on %(date)s: the authority may not accept it.") % {
            "date": date_format(document.expiry_date, "DATE_FORMAT")
        }
    if document.expiry_date <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        return _("Expires on %(date)s: check that it is still valid when the authority decides.") % {
            "date": date_format(document.expiry_date, "DATE_FORMAT")
        }
    return ""


# --- writes -------------------------------------------------------------------------------------


def _locked_editable_dossier(application: Application) -> Dossier:
    dossier = Dossier.objects.select_for_update().get(pk=application.dossier_id)
    if dossier.state not in EDITABLE_STATES:
        raise DocumentRefused(
            _("This dossier is %(state)s: its documents can no longer change.")
            % {"state": dossier.get_state_display()}
        )
    return dossier


def _documents_changed(dossier: Dossier, actor) -> None:
    if dossier.state == DossierState.READY_FOR_SIGNATURE:
        transition(dossier, DossierState.DRAFT, actor=actor, reason="Documents changed after the review.")


def store_upload(
    *, owner, application: Application, policy: EvidencePolicy, checked: CheckedFile
) -> VaultDocument:
    """Keep a checked file in the owner's eSafe, attached to the application's evidence request.

    The document starts pending its scan; call :func:`scan_or_retry_later` after the commit."""
    private = storages["private"]
    stored_name = private.save(f"esafe/{uuid.uuid4().hex}", ContentFile(checked.content))
    try:
        with transaction.atomic():
            dossier = _locked_editable_dossier(application)
            document = VaultDocument.objects.create(
                owner=owner,
                stored_name=stored_name,
                display_name=checked.display_name,
                mime_type=checked.mime_type,
                size=len(checked.content),
                sha256=hashlib.sha256(checked.content).hexdigest(),
                converted_from=checked.converted_from,
                signed=checked.signed,
                evidence_type=policy.evidence_type,
                evidence_type_name=policy.evidence_type_name,
            )
            AttachedDocument.objects.create(
                application=application, concept=policy.concept, document=document
            )
            _documents_changed(dossier, owner)
    except BaseException:
        private.delete(stored_name)
        raise
    return document


def attach_from_vault(*, owner, application: Application, concept: str, document_id) -> AttachedDocument:
    """Reuse a document of the owner's eSafe for another evidence request."""
    document = vault_document_of(owner, document_id)
    if document is None or application.dossier.owner_id != owner.pk:
        raise DocumentRefused(_("This document is not in your eSafe."))
    if document.scan_status == ScanStatus.INFECTED:
        raise DocumentRefused(_("This document was refused by the virus scan and cannot be used."))
    if evidence_item(application, concept) is None:
        raise DocumentRefused(_("This application does not ask for that document."))
    with transaction.atomic():
        dossier = _locked_editable_dossier(application)
        attachment, created = AttachedDocument.objects.get_or_create(
            application=application, concept=concept, document=document
        )
        if created:
            _documents_changed(dossier, owner)
    return attachment


def detach(*, owner, application: Application, attachment_id: int) -> None:
    with transaction.atomic():
        dossier = _locked_editable_dossier(application)
        deleted, _counts = AttachedDocument.objects.filter(
            pk=attachment_id, application=application, application__dossier__owner=owner
        ).delete()
        if not deleted:
            raise DocumentRefused(_("This document is not attached to this application."))
        _documents_changed(dossier, owner)


def delete_from_vault(*, owner, document: VaultDocument) -> None:
    """Delete the document and its file; refused while a dossier that can no longer change uses it."""
    with transaction.atomic():
        locked = VaultDocument.objects.select_for_update().get(pk=document.pk, owner=owner)
        attachments = list(locked.attachments.select_related("application__dossier"))
        fixed = [a for a in attachments if a.application.dossier.state not in EDITABLE_STATES]
        if fixed:
            raise DocumentRefused(
                _(
                    "This document belongs to a dossier that was signed or submitted; it is kept as its record."
                )
            )
        for dossier in {a.application.dossier for a in attachments}:
            _documents_changed(Dossier.objects.select_for_update().get(pk=dossier.pk), owner)
        stored_name = locked.stored_name
        AttachedDocument.objects.filter(document=locked).delete()
        locked.delete()
        if stored_name:
            transaction.on_commit(lambda: storages["private"].delete(stored_name))


def update_metadata(*, owner, document: VaultDocument, values: dict) -> VaultDocument:
    fields = ["issuer", "issue_date", "expiry_date", "language"]
    for name in fields:
        setattr(document, name, values.get(name) or ("" if name in ("issuer", "language") else None))
    VaultDocument.objects.filter(pk=document.pk, owner=owner).update(
        **{name: getattr(document, name) for name in fields}
    )
    return document


# --- scanning -----------------------------------------------------------------------------------


def scan_document(document_id: int) -> VaultDocument:
    """Scan a pending document once. Raises ScannerUnavailable (the document stays pending, the
    attempt is counted)."""
    unavailable: ScannerUnavailable | None = None
    with transaction.atomic():
        document = VaultDocument.objects.select_for_update().get(pk=document_id)
        if document.scan_status != ScanStatus.PENDING:
            return document
        with storages["private"].open(document.stored_name, "rb") as handle:
            data = handle.read()
        document.scan_attempts += 1
        scanner = configured_scanner()
        try:
            verdict = scanner.scan(data)
        except ScannerUnavailable as error:
            unavailable = error
            document.scan_result = str(error)[:255]
            document.save(update_fields=["scan_attempts", "scan_result"])
        else:
            document.scanned_by = scanner.name
            document.scanned_at = timezone.now()
            document.scan_result = verdict.detail[:255]
            if verdict.infected:
                stored_name = document.stored_name
                document.scan_status = ScanStatus.INFECTED
                document.stored_name = ""
                transaction.on_commit(lambda: storages["private"].delete(stored_name))
            else:
                document.scan_status = ScanStatus.CLEAN if verdict.scanned else ScanStatus.NOT_SCANNED
            document.save()
    if unavailable is not None:
        raise unavailable
    if document.usable and document.signed and document.validation_report_id is None:
        _validate_signatures(document, data)
    return document


def _validate_signatures(document: VaultDocument, data: bytes) -> None:
    try:
        _report, stored = validate_and_store(data, document.display_name, uploaded_by=document.owner)
    except Exception:  # validation never raises for bad input; anything else must not lose the upload
        logger.exception("validating the signatures of document %s failed", document.pk)
        return
    VaultDocument.objects.filter(pk=document.pk).update(validation_report=stored)
    document.validation_report = stored


def scan_or_retry_later(document: VaultDocument) -> VaultDocument:
    """Scan now; when the scanner is down, leave the document pending and queue a retry."""
    try:
        return scan_document(document.pk)
    except ScannerUnavailable as error:
        logger.warning("document %s stays pending: %s", document.pk, error)
        transaction.on_commit(
            lambda: scan_document_task.apply_async(
                (document.pk,), countdown=settings.DOCUMENT_SCAN_RETRY_SECONDS
            )
        )
        document.refresh_from_db()
        return document
