"""How a sealed package reaches its authority: one delivery channel plugin per way, chosen by the
name the catalogue gives the authority's ``delivery_channel`` (``{"transport": name, "settings": {...}}``,
frozen in the application's snapshot).

- ``backoffice``: the package stays on the portal, for the authority's back-office; the portal's own
  receipt record is the evidence and the application is delivered at once.
- ``as4``: the package goes through ``delivery.services.send`` with a P-Mode made from the channel's
  settings; delivery's signals (``services.on_delivered`` ...) follow the evidence.

Each channel says whether it can be used for an application (``problem``, checked by ``submit`` before
anything is stored) and hands the built package over (``dispatch``, once, checkpointed on the package).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.core.registry import ConfigurationError, Plugin, Registry
from portal.delivery import services as delivery
from portal.delivery.channels import ChannelError, pmode_from_channel
from portal.delivery.models import OutboxMessage
from portal.delivery.pmodes import ChannelDefaults
from portal.dossiers.models import Application
from portal.dossiers.services import transition
from portal.dossiers.states import ApplicationState
from portal.submissions.models import SubmissionPackage
from portal.submissions.selectors import read_container

SYSTEM = "submission pipeline"
ASICE_MIME = "application/vnd.etsi.asic-e+zip"
A = ApplicationState


class DeliveryChannelError(ConfigurationError):
    """The catalogue names a delivery channel the portal does not have."""


class DeliveryChannel(Plugin):
    """A way to deliver a sealed package; ``name`` is the catalogue's ``transport``."""

    label: ClassVar[Promise]  # how the submit page tells the applicant where the application goes

    def problem(self, application: Application) -> str | None:
        """Why the channel frozen in the application's snapshot cannot be used, or None."""
        raise NotImplementedError

    def dispatch(self, package: SubmissionPackage) -> SubmissionPackage:
        """Hand the built container over, once (the package is re-read under a row lock)."""
        raise NotImplementedError


channels: Registry[DeliveryChannel] = Registry("delivery channel", error=DeliveryChannelError)


def channel_settings(application: Application) -> dict[str, Any]:
    """The authority's ``delivery_channel`` frozen in the application's snapshot."""
    return application.procedure_snapshot.get("authority", {}).get("delivery_channel") or {}


def channel_named(name: Any) -> DeliveryChannel:
    """The channel plugin called ``name``; :class:`DeliveryChannelError` names the known ones."""
    if not isinstance(name, str):
        raise DeliveryChannelError(
            f"no delivery channel named {name!r} (known: {', '.join(channels.names())})"
        )
    return channels.build(name)


def channel_problem(application: Application) -> str | None:
    """Why the application cannot be delivered through its channel, or None: used by ``submit``."""
    try:
        channel = channel_named(channel_settings(application).get("transport"))
    except DeliveryChannelError as error:
        return str(error)
    return channel.problem(application)


def channel_label(application: Application) -> str:
    """Where the application goes, for the applicant (a channel the portal lacks reads as the inbox)."""
    name = channel_settings(application).get("transport")
    channel = channels.get(name) if isinstance(name, str) and name in channels else BackofficeChannel
    return str(channel.label)


@channels.register
class BackofficeChannel(DeliveryChannel):
    name = "backoffice"
    label = _("to the authority's inbox on this portal")

    def problem(self, application: Application) -> str | None:
        return None

    def dispatch(self, package: SubmissionPackage) -> SubmissionPackage:
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


@channels.register
class As4Channel(DeliveryChannel):
    name = "as4"
    label = _("through the eDelivery network (AS4), with a signed receipt")

    def problem(self, application: Application) -> str | None:
        try:
            pmode_from_channel(
                channel_settings(application).get("settings") or {}, defaults=ChannelDefaults()
            )
        except ChannelError as error:
            return str(error)
        return None

    def dispatch(self, package: SubmissionPackage) -> SubmissionPackage:
        application = package.application
        reference = str(application.public_id)
        pmode = pmode_from_channel(package.channel.get("settings") or {})
        data = read_container(package)
        with transaction.atomic():
            locked = SubmissionPackage.objects.select_for_update().get(pk=package.pk)
            if locked.handed_over_at is not None:
                return locked
            # a send that committed while its checkpoint did not (never happens in one transaction, but
            # the reference is the key delivery keeps: adopt what is there rather than send twice)
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

    @staticmethod
    def party(channel: Mapping[str, Any]) -> str:
        """The authority's access point party id in a package's ``channel``."""
        return str((channel.get("settings") or {}).get("party_id") or "")
