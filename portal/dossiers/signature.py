"""The signing step of a dossier: every application PDF signed with ONE consent at the QTSP.

ready_for_signature -> (the user consents at the QTSP to all the PDFs' hashes) -> each PDF is signed
by the signing block's worker (PAdES, B-LTA) -> when every application's PDF is signed, the dossier
becomes ``signed``. The signing block knows nothing of dossiers: this module renders the PDFs (the stored
:func:`~portal.dossiers.pdf.application_pdf`, byte-identical to what is offered for download), starts the
batch under the key prefix ``dossier-<public id>`` (how a consent's batch leads back to its dossier), and
links each application to its signing request when the consent comes back, in the same transaction that
queues the signing, so the worker always finds the links. A reload of the return changes nothing.

* **Current batch** (:func:`is_current`): created after the dossier last became ``ready_for_signature``
  (its latest ``StateChange`` to that state), with the dossier still in it. A stale batch queues nothing.
  If the answers or documents change, the dossier goes back to draft, and :func:`signing_progress`
  ignores every request from before the last "ready" (and all of them while in draft), so signatures over
  old PDFs are never reused; the applications may still point at those old requests until the next
  signing relinks them, so check the dossier's state before using a signed PDF.
* **Completion** (:func:`complete_if_signed`): called by the worker's ``signing_finished`` receiver
  (system actor :data:`WORKER_ACTOR`) and by the status page (actor = the user). It locks the dossier,
  returns early when it is no longer ready, and when the other caller transitioned in between
  (``IllegalTransition``) it reports the state that caller left: exactly one transition, and the page
  never keeps polling on a stale "ready".
* **Level of assurance**: the dossier needs the highest ``minimum_loa`` of its applications'
  snapshots; the views check the session against it (:func:`level_shortfalls`) before sending the user to
  the QTSP and again on the return, where a session too low queues nothing.
* The return address (``dossiers:sign-return``) is one fixed URL for every dossier (one per language):
  the redirect URI to register at a real QTSP; the consent's ``state`` names the batch.
* One consent covers at most ``portal.signing.services.MAX_BATCH`` PDFs; a dossier with more
  applications cannot be signed (signing in several consents is not built).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from portal.accounts.selectors import LEVELS_OF_ASSURANCE, level_satisfies
from portal.dossiers.lifecycle import transition
from portal.dossiers.models import Application, Dossier
from portal.dossiers.pdf import application_pdf
from portal.dossiers.states import DossierState, IllegalTransition
from portal.signing import selectors as signing_selectors
from portal.signing import services as signing
from portal.signing.models import SigningBatch, SigningRequest

logger = logging.getLogger(__name__)

WORKER_ACTOR = "signing-worker"


KEY_PREFIX = "dossier-"


def key_prefix(dossier: Dossier) -> str:
    return f"{KEY_PREFIX}{dossier.public_id}"


# --- Level of assurance -------------------------------------------------------------------------


def required_level(dossier: Dossier) -> str:
    """The highest minimum level of assurance among the dossier's procedures (snapshotted)."""
    levels = [_minimum_loa(application) for application in dossier.applications.all()]
    return max(levels, key=LEVELS_OF_ASSURANCE.index, default="low")


def _minimum_loa(application: Application) -> str:
    level = application.procedure_snapshot.get("minimum_loa") or "low"
    return level if level in LEVELS_OF_ASSURANCE else "high"  # an unknown level asks the most


@dataclass(frozen=True)
class LevelShortfall:
    procedure: str
    authority: str
    level: str


def level_shortfalls(dossier: Dossier, session_level: str | None) -> list[LevelShortfall]:
    """The procedures whose minimum level of assurance the session does not reach (empty: may sign)."""
    return [
        LevelShortfall(
            procedure=application.procedure_snapshot.get("title", ""),
            authority=application.procedure_snapshot.get("authority", {}).get("name", ""),
            level=_minimum_loa(application),
        )
        for application in dossier.applications.all()
        if not level_satisfies(session_level, _minimum_loa(application))
    ]


# --- Starting, consent, progress ----------------------------------------------------------------


class SigningStepError(Exception):
    """The signing cannot go on as asked; nothing was signed. The message is meant for the user."""


def ready_since(dossier: Dossier) -> datetime | None:
    """When the dossier last became ready for signature (None if it never did)."""
    change = (
        dossier.state_changes.filter(application__isnull=True, to_state=DossierState.READY_FOR_SIGNATURE)
        .order_by("-at", "-id")
        .first()
    )
    return change.at if change else None


def application_filename(application: Application) -> str:
    return f"application-{application.public_id}.pdf"


def start_signing(dossier: Dossier, *, redirect_uri: str) -> SigningBatch:
    """Render every application's PDF and start (or find, on a reload) the batch that waits for the
    user's one consent. Raises the signing block's errors when the QTSP cannot be reached."""
    if dossier.state != DossierState.READY_FOR_SIGNATURE:
        raise SigningStepError(dossier.get_state_display())
    applications = list(dossier.applications.all())
    pdfs = [(application_pdf(application), application_filename(application)) for application in applications]
    return signing.start_interactive_batch(pdfs, key_prefix=key_prefix(dossier), redirect_uri=redirect_uri)


def batch_for_consent(state: str) -> tuple[SigningBatch | None, uuid.UUID | None]:
    """The batch a consent answer is for, and the public id of the dossier it signs (if it is a
    dossier's batch at all)."""
    batch = signing.find_batch(state)
    if batch is None or not batch.key_prefix.startswith(KEY_PREFIX):
        return None, None
    try:
        return batch, uuid.UUID(batch.key_prefix.removeprefix(KEY_PREFIX))
    except ValueError:
        return None, None


def is_current(dossier: Dossier, batch: SigningBatch) -> bool:
    """Started after the dossier last became ready for signature, and the dossier still is."""
    since = ready_since(dossier)
    return (
        dossier.state == DossierState.READY_FOR_SIGNATURE and since is not None and batch.created_at >= since
    )


def consent_returned(
    dossier: Dossier, batch: SigningBatch, *, code: str | None, error: str | None
) -> SigningBatch:
    """Record the user's answer at the QTSP; on consent, link each application to its signing
    request (in the same transaction that queues the signing, so the worker finds the links).
    A reload of the callback changes nothing."""
    if not is_current(dossier, batch):
        raise SigningStepError("stale")
    with transaction.atomic():
        batch = signing.batch_consent_returned(batch.consent_state, code=code, error=error)
        if batch.status != SigningBatch.Status.REFUSED:
            requests = list(signing_selectors.batch_requests(batch))
            applications = list(dossier.applications.all())
            if [r.filename for r in requests] != [application_filename(a) for a in applications]:
                raise SigningStepError("mismatch")
            for application, request in zip(applications, requests, strict=True):
                if application.signing_request_id != request.pk:
                    Application.objects.filter(pk=application.pk).update(signing_request=request)
    return batch


@dataclass(frozen=True)
class ApplicationSigning:
    application: Application
    request: SigningRequest | None  # None: not (or no longer) being signed

    @property
    def status(self) -> str:
        """not-started | signing | signed | failed"""
        if self.request is None:
            return "not-started"
        if self.request.status == SigningRequest.Status.SIGNED:
            return "signed"
        if self.request.status == SigningRequest.Status.FAILED:
            return "failed"
        return "signing"


def signing_progress(dossier: Dossier) -> list[ApplicationSigning]:
    """Per application, the signing request of the current signing (a request from before the dossier
    last became ready for signature does not count)."""
    since = ready_since(dossier)
    # back in draft (answers changed): nothing signed so far counts any more
    stale = since is None or dossier.state in (DossierState.DRAFT, DossierState.WITHDRAWN)
    rows = []
    for application in dossier.applications.select_related("signing_request__report"):
        request = application.signing_request
        if request is not None and (stale or request.created_at < since):
            request = None
        rows.append(ApplicationSigning(application, request))
    return rows


def complete_if_signed(
    dossier: Dossier, *, actor: AbstractBaseUser | None = None, system_actor: str = ""
) -> bool:
    """ready_for_signature -> signed once every application's current PDF is signed. Idempotent:
    whoever comes second (worker or status page) finds the dossier signed and changes nothing."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.state != DossierState.READY_FOR_SIGNATURE:
            dossier.state = locked.state
            return locked.state == DossierState.SIGNED
        progress = signing_progress(locked)
        if not progress or any(row.status != "signed" for row in progress):
            return False
        # IllegalTransition: the other one (worker or status page) was quicker; see what it left
        with contextlib.suppress(IllegalTransition):
            transition(
                locked,
                DossierState.SIGNED,
                actor=actor,
                system_actor="" if actor else system_actor,
                reason=f"Every application PDF signed ({len(progress)}) after one consent at the QTSP.",
            )
    dossier.state = Dossier.objects.values_list("state", flat=True).get(pk=dossier.pk)
    return dossier.state == DossierState.SIGNED


def on_signing_finished(sender, request: SigningRequest, **kwargs) -> None:
    """Receiver of ``portal.signing.signals.signing_finished`` (in the worker)."""
    if request.status != SigningRequest.Status.SIGNED:
        return
    application = Application.objects.filter(signing_request=request).select_related("dossier").first()
    if application is not None:
        complete_if_signed(application.dossier, system_actor=WORKER_ACTOR)


def owner_may_view_report(user, report) -> bool:
    """The report of an application's signature is the dossier owner's to see."""
    return Application.objects.filter(dossier__owner=user, signing_request__report=report).exists()
