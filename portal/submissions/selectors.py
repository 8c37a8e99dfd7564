"""Reads of the submission pipeline: what the applicant reads about the delivery of each application
(honest, from the checkpoints and the outbox: never "delivered" before the receipt is stored), the
receipt, the stored container, and the packages the sweep restarts.

:func:`delivery_status` maps the application's state, its package and the outbox entry to one text:

* no package -> the application's state as it is (``not_submitted``: not sent by the pipeline);
* ``draft`` -> "Preparing and sealing the package" (with "taking longer than usual" once a step failed);
* ``queued_for_delivery`` -> "Delivery pending", or "Delivery pending, retrying (attempt n at time)"
  while the outbox entry waits for a retry;
* ``delivery_failed`` -> "Delivery failed: <reason>" (the package's failure, else the entry's last error);
* ``delivered`` with a delivery time -> "Delivered on <date>" (AS4, receipt = the receipt's MessageId) or
  "Delivered to the portal back-office on <date>" (receipt = the internal receipt id);
* any later state (the back-office's) -> its display name, with the receipt link.

``pending`` tells the page to keep polling. :func:`receipt_evidence` gives the AS4 receipt as stored (XML)
or the back-office's internal receipt as JSON. :func:`read_container` refuses stored bytes whose SHA-256
is not the recorded one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.delivery.models import OutboxMessage
from portal.dossiers.models import Application, Dossier
from portal.dossiers.states import ApplicationState
from portal.submissions.models import SubmissionPackage

A = ApplicationState


@dataclass
class DeliveryStatus:
    kind: str  # not_submitted | preparing | pending | retrying | delivered | failed | later
    text: str
    pending: bool = False
    detail: str = ""
    receipt_label: str = ""
    receipt_url: str = ""


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _package(application: Application) -> SubmissionPackage | None:
    try:
        return application.submission
    except SubmissionPackage.DoesNotExist:
        return None


def delivery_status(application: Application) -> DeliveryStatus:
    package = _package(application)
    if package is None:
        return DeliveryStatus("not_submitted", application.get_state_display())
    entry = package.outbox_message
    receipt_url = reverse("submissions:receipt", args=[application.dossier.public_id, application.public_id])
    if application.state == A.DRAFT:
        detail = _("Sealing is taking longer than usual; we keep trying.") if package.last_error else ""
        return DeliveryStatus("preparing", _("Preparing and sealing the package"), True, detail)
    if application.state == A.QUEUED_FOR_DELIVERY:
        if entry is None:
            detail = (
                _("Handing over is taking longer than usual; we keep trying.") if package.last_error else ""
            )
            return DeliveryStatus("pending", _("Delivery pending"), True, detail)
        if entry.state == "waiting_for_retry":
            text = _("Delivery pending, retrying (attempt %(number)s at %(time)s)") % {
                "number": entry.attempts + 1,
                "time": _when(entry.next_attempt_at),
            }
            return DeliveryStatus("retrying", text, True)
        return DeliveryStatus("pending", _("Delivery pending"), True)
    if application.state == A.DELIVERY_FAILED:
        reason = package.failure or (entry.last_error if entry else "") or _("unknown reason")
        return DeliveryStatus(
            "failed",
            _("Delivery failed: %(reason)s") % {"reason": reason},
            detail=_("Our staff have been alerted and will send it again once the cause is fixed."),
        )
    if application.state == A.DELIVERED and package.delivered_at:
        if package.transport == SubmissionPackage.Transport.BACKOFFICE:
            text = _("Delivered to the portal back-office on %(date)s") % {
                "date": _when(package.delivered_at)
            }
            receipt = (package.internal_receipt or {}).get("receipt_id", "")
        else:
            text = _("Delivered on %(date)s") % {"date": _when(package.delivered_at)}
            receipt = entry.receipt_message_id if entry else ""
        return DeliveryStatus(
            "delivered", text, receipt_label=_("receipt %(id)s") % {"id": receipt}, receipt_url=receipt_url
        )
    return DeliveryStatus("later", application.get_state_display(), receipt_url=receipt_url)


def dossier_delivery(dossier: Dossier) -> list[dict]:
    """One row per application: procedure, authority, channel and delivery status."""
    rows = []
    for application in dossier.applications.select_related("submission__outbox_message"):
        snapshot = application.procedure_snapshot
        rows.append(
            {
                "application": application,
                "title": snapshot.get("title", ""),
                "authority": snapshot.get("authority", {}).get("name", ""),
                "status": delivery_status(application),
            }
        )
    return rows


def receipt_evidence(application: Application) -> tuple[bytes, str, str] | None:
    """(content, media type, file name) of the delivery receipt, or None while there is none."""
    package = _package(application)
    if package is None or package.delivered_at is None:
        return None
    if package.transport == SubmissionPackage.Transport.BACKOFFICE:
        body = json.dumps(package.internal_receipt, indent=2).encode()
        return body, "application/json", f"receipt-{application.public_id}.json"
    entry = package.outbox_message
    if entry is None or entry.receipt is None:
        return None
    media_type = (entry.receipt_content_type or "application/xml").split(";")[0].strip()
    return bytes(entry.receipt), media_type, f"receipt-{application.public_id}.xml"


def read_container(package: SubmissionPackage) -> bytes:
    """The sealed container as built; OSError if the stored bytes are not those."""
    with package.container.open("rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != package.container_sha256:
        raise OSError(f"the stored container of {package.application.public_id} changed (digest mismatch)")
    return data


def package_for_message(message: OutboxMessage) -> SubmissionPackage | None:
    """The package an outbox entry carries, or None for a message the pipeline did not send."""
    return (
        SubmissionPackage.objects.select_related("application").filter(outbox_message_id=message.pk).first()
    )


def unfinished(older_than: datetime) -> list[tuple[int, str]]:
    """(application id, next step) of packages whose pipeline stopped before handing over."""
    stalled = SubmissionPackage.objects.filter(handed_over_at__isnull=True, updated_at__lt=older_than)
    return [
        (application_id, "dispatch" if built else "build")
        for application_id, built in stalled.values_list("application_id", "container_sha256")
    ]
