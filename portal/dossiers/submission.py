"""The submission pipeline after the request (DESIGN §3): one sealed ASiC-E per application, handed
to its authority's delivery channel, and the application's state following the evidence.

Steps, each idempotent and checkpointed on the application's :class:`SubmissionPackage`:

1. ``build_package`` (task ``dossiers.build_package``): the signed PDF, the application's files and
   ``submission.xml`` (dossier, application, procedure, authority, applicant, answers) sealed with the
   portal e-seal into one ASiC-E, stored once -> application ``queued_for_delivery``.
2. ``dispatch_package`` (task ``dossiers.dispatch_package``): AS4 -> ``delivery.services.send`` with
   the channel's P-Mode (conversation id = dossier id, reference = application id); back-office ->
   the package is kept for the portal's back-office and a receipt record is stored -> ``delivered``.
3. delivery's signals: ``delivered`` (verified receipt stored) -> ``delivered``; ``delivery_failed``
   -> ``delivery_failed``; ``resent`` (an operator resends) -> ``queued_for_delivery`` again.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from lxml import etree

from portal.dossiers.models import Application
from portal.dossiers.pdf import application_rows
from portal.dossiers.selectors import signed_application_pdf
from portal.dossiers.services import transition
from portal.dossiers.states import ApplicationState
from portal.submissions.models import SubmissionPackage

logger = logging.getLogger(__name__)
SYSTEM = "submission pipeline"
ASICE_MIME = "application/vnd.etsi.asic-e+zip"
SUBMISSION_NS = "urn:eu:psc-portal:submission:1"
A = ApplicationState


class NotReady(Exception):
    """A step cannot run yet (its input is missing); the task retries later."""


# --- 1. the container ------------------------------------------------------------------------------


def _application_files(application: Application) -> list[tuple[str, bytes, str]]:
    """Every file the authority receives for the application: (name, bytes, media type): the signed
    application PDF, then the applicant's documents (clean ones; the PDF lists their digests)."""
    from portal.dossiers.documents import documents_for_delivery

    pdf = signed_application_pdf(application)
    if pdf is None:
        raise NotReady(f"application {application.public_id} has no signed PDF")
    documents = [
        (f"documents/{name}", content, mime) for name, content, mime in documents_for_delivery(application)
    ]
    return [("application.pdf", pdf, "application/pdf"), *documents]


def _applicant(dossier) -> dict[str, str]:
    from portal.accounts.selectors import profile_for

    owner = dossier.owner
    profile = profile_for(owner)
    names = [getattr(profile, "given_names", "") or "", getattr(profile, "family_name", "") or ""]
    return {
        "name": " ".join(part for part in names if part).strip() or owner.get_full_name(),
        "email": owner.email,
    }


def submission_xml(application: Application, files: list[tuple[str, bytes, str]]) -> bytes:
    """``submission.xml``: who submits what to whom, machine-readable, inside the sealed container."""
    dossier = application.dossier
    snapshot = application.procedure_snapshot
    authority = snapshot.get("authority", {})
    E = lambda tag, text=None, **attrs: _element(tag, text, **attrs)  # noqa: E731
    root = etree.Element(f"{{{SUBMISSION_NS}}}Submission", nsmap={None: SUBMISSION_NS}, version="1")
    root.append(E("Dossier", id=str(dossier.public_id), language=dossier.language))
    root.append(E("Application", id=str(application.public_id)))
    procedure = E(
        "Procedure",
        snapshot.get("title", ""),
        pageId=str(snapshot.get("page_id", application.procedure_id)),
        translationKey=str(snapshot.get("translation_key", "")),
        revisionId=str(snapshot.get("revision_id") or ""),
    )
    root.append(procedure)
    root.append(E("Authority", authority.get("name", ""), identifier=str(authority.get("identifier", ""))))
    applicant = _applicant(dossier)
    root.append(E("Applicant", applicant["name"], email=applicant["email"]))
    submitted = dossier.state_changes.filter(application=None, to_state="submitted").order_by("-at").first()
    moment = submitted.at if submitted else timezone.now()
    root.append(E("SubmittedAt", moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
    answers = E("Answers")
    for item in application.procedure_snapshot.get("fields", []):
        if item["type"] == "evidence_request":
            continue
        value = dossier.answers.get(item["concept"])
        if value in (None, "", []):
            continue
        answer = E("Answer", concept=item["concept"], label=item["label"])
        for one in value if isinstance(value, list) else [value]:
            answer.append(E("Value", str(one)))
        answers.append(answer)
    root.append(answers)
    listed = E("Files")
    for name, content, mime in files:
        listed.append(
            E(
                "File",
                name=name,
                mediaType=mime,
                size=str(len(content)),
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    root.append(listed)
    # the rows as the applicant saw them in the PDF (labels of the chosen options)
    readable = E("Readable")
    for row in application_rows(application):
        readable.append(E("Row", row["answer"], label=row["label"]))
    root.append(readable)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _element(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.Element(f"{{{SUBMISSION_NS}}}{tag}", {k: v for k, v in attrs.items()})
    if text:
        element.text = text
    return element


def build_package(application_id: int) -> SubmissionPackage:
    """Seal the application's container once and queue the application for delivery."""
    from portal.signing.seal import seal_container

    package = SubmissionPackage.objects.select_related("application__dossier").get(
        application_id=application_id
    )
    application = package.application
    if not package.container_sha256:
        files = _application_files(application)
        metadata = {
            "dossier": str(application.dossier.public_id),
            "application": str(application.public_id),
            "procedure": str(application.procedure_snapshot.get("translation_key", application.procedure_id)),
            "authority": str(application.procedure_snapshot.get("authority", {}).get("identifier", "")),
        }
        container = seal_container(
            [(name, content) for name, content, _mime in files]
            + [("submission.xml", submission_xml(application, files))],
            metadata=metadata,
        )
        name = f"submission-{application.public_id}.asice"
        stored = package.container.storage.save(
            f"dossiers/submissions/{uuid.uuid4().hex}.asice", ContentFile(container)
        )
        claimed = SubmissionPackage.objects.filter(pk=package.pk, container_sha256="").update(
            container=stored,
            container_name=name,
            container_sha256=hashlib.sha256(container).hexdigest(),
            container_size=len(container),
            built_at=timezone.now(),
            last_error="",
            updated_at=timezone.now(),
        )
        if not claimed:  # another worker built it first: theirs is the one
            package.container.storage.delete(stored)
        package.refresh_from_db()
    with transaction.atomic():
        application.refresh_from_db(fields=["state"])
        if application.state == A.DRAFT:
            transition(
                application,
                A.QUEUED_FOR_DELIVERY,
                system_actor=SYSTEM,
                reason=f"Sealed package {package.container_name} (SHA-256 {package.container_sha256}) ready for delivery.",
            )
    return package


def read_container(package: SubmissionPackage) -> bytes:
    with package.container.open("rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != package.container_sha256:
        raise OSError(f"the stored container of {package.application.public_id} changed (digest mismatch)")
    return data


# --- 2. hand over to the channel -------------------------------------------------------------------


def dispatch_package(application_id: int) -> SubmissionPackage:
    """Give the built container to the application's channel, once."""
    package = SubmissionPackage.objects.select_related("application__dossier").get(
        application_id=application_id
    )
    if not package.container_sha256:
        raise NotReady("the package is not built yet")
    if package.handed_over_at is not None:
        return package
    if package.transport == SubmissionPackage.Transport.BACKOFFICE:
        return _to_backoffice(package)
    return _to_as4(package)


def _to_backoffice(package: SubmissionPackage) -> SubmissionPackage:
    application = package.application
    now = timezone.now()
    authority = application.procedure_snapshot.get("authority", {})
    receipt = {
        "kind": "portal-backoffice",
        "receipt_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"psc-backoffice:{application.public_id}")),
        "authority": authority.get("identifier", ""),
        "application": str(application.public_id),
        "container_sha256": package.container_sha256,
        "received_at": now.isoformat(),
    }
    with transaction.atomic():
        locked = SubmissionPackage.objects.select_for_update().get(pk=package.pk)
        if locked.handed_over_at is not None:
            return locked
        locked.handed_over_at = locked.delivered_at = now
        locked.internal_receipt = receipt
        locked.save(update_fields=["handed_over_at", "delivered_at", "internal_receipt", "updated_at"])
        transition(
            application,
            A.DELIVERED,
            system_actor=SYSTEM,
            reason=f"Delivered to the portal back-office of {authority.get('name', '')} (receipt {receipt['receipt_id']}).",
        )
    return locked


def _to_as4(package: SubmissionPackage) -> SubmissionPackage:
    from portal.delivery import services as delivery
    from portal.delivery.channels import pmode_from_channel
    from portal.delivery.models import OutboxMessage

    application = package.application
    reference = str(application.public_id)
    pmode = pmode_from_channel(package.channel.get("settings") or {})
    data = read_container(package)
    with transaction.atomic():
        locked = SubmissionPackage.objects.select_for_update().get(pk=package.pk)
        if locked.handed_over_at is not None:
            return locked
        # a send that committed while its checkpoint did not (never happens in one transaction, but the
        # reference is the key delivery keeps: adopt what is there rather than send twice)
        entry = OutboxMessage.objects.filter(reference=reference).first()
        if entry is None:
            entry = delivery.send(
                delivery.Package(
                    [delivery.Part(data, ASICE_MIME, locked.container_name)],
                    conversation_id=str(application.dossier.public_id),
                    original_sender=f"psc:dossier:{application.dossier.public_id}",
                    final_recipient=str(
                        application.procedure_snapshot.get("authority", {}).get("identifier", "")
                    ),
                    properties={"application": reference},
                ),
                pmode,
                reference=reference,
            )
        locked.outbox_message = entry
        locked.handed_over_at = timezone.now()
        locked.last_error = ""
        locked.save(update_fields=["outbox_message", "handed_over_at", "last_error", "updated_at"])
    return locked


# --- 3. delivery's events ---------------------------------------------------------------------------


def _package_for(message) -> SubmissionPackage | None:
    return (
        SubmissionPackage.objects.select_related("application").filter(outbox_message_id=message.pk).first()
    )


def on_delivered(sender, message, **kwargs) -> None:
    package = _package_for(message)
    if package is None:
        return
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=package.application_id)
        if application.state == A.DELIVERY_FAILED:  # resent by hand and delivered
            transition(application, A.QUEUED_FOR_DELIVERY, system_actor=SYSTEM, reason="Resent.")
        if application.state != A.QUEUED_FOR_DELIVERY:
            return
        SubmissionPackage.objects.filter(pk=package.pk).update(
            delivered_at=message.acknowledged_at or timezone.now(), failed_at=None, failure=""
        )
        transition(
            application,
            A.DELIVERED,
            system_actor=SYSTEM,
            reason=f"Receipt {message.receipt_message_id} from {message.partner} verified for message {message.message_id}.",
        )


def on_delivery_failed(sender, message, error: str = "", **kwargs) -> None:
    package = _package_for(message)
    if package is None:
        return
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=package.application_id)
        if application.state != A.QUEUED_FOR_DELIVERY:
            return
        SubmissionPackage.objects.filter(pk=package.pk).update(failed_at=timezone.now(), failure=error[:4000])
        transition(
            application,
            A.DELIVERY_FAILED,
            system_actor=SYSTEM,
            reason=f"Delivery of {message.message_id} to {message.partner} failed: {error}"[:4000],
        )


def on_resent(sender, message, **kwargs) -> None:
    package = _package_for(message)
    if package is None:
        return
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=package.application_id)
        if application.state != A.DELIVERY_FAILED:
            return
        SubmissionPackage.objects.filter(pk=package.pk).update(failed_at=None, failure="")
        transition(
            application,
            A.QUEUED_FOR_DELIVERY,
            system_actor=SYSTEM,
            reason=f"Resent {message.message_id} (same bytes, same MessageId).",
        )


def connect_signals() -> None:
    from portal.delivery import signals

    signals.delivered.connect(on_delivered, dispatch_uid="dossiers.submission.delivered")
    signals.delivery_failed.connect(on_delivery_failed, dispatch_uid="dossiers.submission.failed")
    signals.resent.connect(on_resent, dispatch_uid="dossiers.submission.resent")


def record_problem(application_id: int, error: str) -> None:
    """A step failed and will be retried: say why on the package (shown to staff and the applicant)."""
    SubmissionPackage.objects.filter(application_id=application_id).update(
        last_error=error[:4000], updated_at=timezone.now()
    )


def unfinished(older_than) -> list[tuple[int, str]]:
    """(application id, next step) of packages whose pipeline stopped before handing over."""
    stalled = SubmissionPackage.objects.filter(handed_over_at__isnull=True, updated_at__lt=older_than)
    return [
        (application_id, "dispatch" if built else "build")
        for application_id, built in stalled.values_list("application_id", "container_sha256")
    ]
