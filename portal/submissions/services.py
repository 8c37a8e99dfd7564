"""Writes of the submission pipeline after the request: one sealed ASiC-E per application, handed to its
authority's delivery channel, and the application's state following the evidence.

In the request, :func:`submit` locks the dossier and refuses (``DossierError``, nothing changed) unless the
actor is its owner, it is ``signed`` (not yet ``submitted``), nothing is missing, every application has a
signed PDF and every application's channel can be used (``channels.channel_problem``; the reason is logged
for staff, the user reads "we cannot deliver to X"). Then the dossier becomes ``submitted``, one
:class:`SubmissionPackage` per application freezes the snapshot's channel, and the pipeline is queued on
commit (``robust``: a broker outage is caught up by beat's ``dossiers.sweep_submissions``). Each step is
idempotent and checkpointed on the package:

1. :func:`build_package`: ``application.pdf`` (the signed PDF), ``documents/<name>`` (the usable
   documents) and ``submission.xml`` (namespace :data:`SUBMISSION_NS`, ``version="1"``: dossier id and
   language, application, procedure title with page id / translation key / revision, authority,
   applicant name and e-mail, ``SubmittedAt`` in UTC, every non-empty answer by concept with its label
   and one ``Value`` per value, each file's name, media type, size and SHA-256, and the readable rows of
   the PDF), sealed by ``signing.seal.seal_container`` with ``META-INF/metadata.xml`` properties
   ``dossier``, ``application``, ``procedure`` (translation key) and ``authority`` (identifier). The
   container is built once, stored in the package's storage as ``dossiers/submissions/<uuid4 hex>.asice``
   (offered as ``submission-<application>.asice``); the first worker to record it wins (a conditional
   UPDATE on an empty ``container_sha256``), a loser deletes its copy. Application ->
   ``queued_for_delivery``. Failures are retried and said on the package (:func:`record_problem`).
2. :func:`dispatch_package`: the package's channel (``channels.py``) hands it over once. AS4: conversation
   id = dossier id, original sender ``psc:dossier:<dossier>``, final recipient = the authority, property
   ``application``, reference = application id; an outbox entry already holding that reference is
   adopted, never sent twice. Back-office: the stored container is the authority's copy, and an internal
   receipt ``{kind: "portal-backoffice", receipt_id (uuid5 of the application), authority, application,
   container_sha256, received_at}`` is the evidence -> ``delivered`` at once.
3. delivery's signals: ``delivered`` (verified receipt stored on the outbox entry) -> ``delivered`` with
   the acknowledgement time; ``delivery_failed`` -> ``delivery_failed`` with the reason; ``resent`` (an
   operator resends) -> ``queued_for_delivery`` again. A state already reached is left alone.

Retries resend identical bytes: the container is built once, and delivery keeps the AS4 message it built.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from portal.accounts.selectors import profile_for
from portal.delivery.models import OutboxMessage
from portal.dossiers.completeness import missing_answers
from portal.dossiers.documents import documents_for_delivery
from portal.dossiers.models import Application, Dossier
from portal.dossiers.pdf import application_rows
from portal.dossiers.selectors import signed_application_pdf
from portal.dossiers.services import DossierError, transition
from portal.dossiers.states import ApplicationState, DossierState
from portal.signing.seal import seal_container
from portal.submissions.channels import SYSTEM, channel_named, channel_problem
from portal.submissions.models import SubmissionPackage
from portal.submissions.selectors import package_for_message
from portal.submissions.tasks import build_package_task

logger = logging.getLogger(__name__)
SUBMISSION_NS = "urn:eu:psc-portal:submission:1"
A = ApplicationState


class NotReady(Exception):
    """A step cannot run yet (its input is missing); the task retries later."""


# --- in the request --------------------------------------------------------------------------------


def _has_signed_pdf(application: Application) -> bool:
    request = application.signing_request
    return request is not None and request.status == "signed" and bool(request.signed_name)


def submit(dossier: Dossier, actor: AbstractBaseUser) -> Dossier:
    """Submit a signed, complete dossier: state ``submitted``, one submission package per application,
    and the pipeline queued once the transaction commits. Raises :class:`DossierError` (nothing changed)."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.owner_id != getattr(actor, "pk", None):
            raise DossierError(_("Only the owner of a dossier can submit it."))
        if locked.state == DossierState.SUBMITTED:
            raise DossierError(_("This dossier has already been submitted."))
        if locked.state != DossierState.SIGNED:
            raise DossierError(
                _("Only a signed dossier can be submitted; this one is %(state)s.")
                % {"state": locked.get_state_display().lower()}
            )
        if missing_answers(locked):
            raise DossierError(_("The dossier is not complete: go back to the review page."))
        applications = list(locked.applications.select_related("signing_request"))
        unsigned = [a.procedure_snapshot.get("title", "") for a in applications if not _has_signed_pdf(a)]
        if unsigned:
            raise DossierError(
                _("These applications are not signed yet: %(titles)s.") % {"titles": ", ".join(unsigned)}
            )
        for application in applications:
            if problem := channel_problem(application):
                logger.error(
                    "dossier %s not submitted: channel of %s: %s",
                    locked.public_id,
                    application.public_id,
                    problem,
                )
                raise DossierError(
                    _(
                        "We cannot deliver to %(authority)s at the moment. Nothing was submitted; "
                        "please try again later or contact us."
                    )
                    % {"authority": application.procedure_snapshot.get("authority", {}).get("name", "")}
                )
        transition(locked, DossierState.SUBMITTED, actor=actor, reason="Submitted by the applicant.")
        for application in applications:
            channel = application.procedure_snapshot["authority"]["delivery_channel"]
            SubmissionPackage.objects.create(
                application=application, transport=channel["transport"], channel=channel
            )
        transaction.on_commit(lambda: _start_pipeline([a.pk for a in applications]), robust=True)
    dossier.state, dossier.updated_at = locked.state, locked.updated_at
    return dossier


def _start_pipeline(application_ids: list[int]) -> None:
    for application_id in application_ids:
        build_package_task.delay(application_id)


# --- 1. the container ------------------------------------------------------------------------------


def _application_files(application: Application) -> list[tuple[str, bytes, str]]:
    """Every file the authority receives for the application: (name, bytes, media type): the signed
    application PDF, then the applicant's documents (clean ones; the PDF lists their digests)."""
    pdf = signed_application_pdf(application)
    if pdf is None:
        raise NotReady(f"application {application.public_id} has no signed PDF")
    documents = [
        (f"documents/{name}", content, mime) for name, content, mime in documents_for_delivery(application)
    ]
    return [("application.pdf", pdf, "application/pdf"), *documents]


def _applicant(dossier: Dossier) -> dict[str, str]:
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
    return channel_named(package.transport).dispatch(package)


# --- 3. delivery's events ---------------------------------------------------------------------------


def on_delivered(sender: type, message: OutboxMessage, **kwargs: Any) -> None:
    package = package_for_message(message)
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


def on_delivery_failed(sender: type, message: OutboxMessage, error: str = "", **kwargs: Any) -> None:
    package = package_for_message(message)
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


def on_resent(sender: type, message: OutboxMessage, **kwargs: Any) -> None:
    package = package_for_message(message)
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


def record_problem(application_id: int, error: str) -> None:
    """A step failed and will be retried: say why on the package (shown to staff and the applicant)."""
    SubmissionPackage.objects.filter(application_id=application_id).update(
        last_error=error[:4000], updated_at=timezone.now()
    )
