"""Handlers for inbound messages: registered classes, one per (Service, Action).

Other apps register at start-up (``AppConfig.ready``), or at import of the module defining them::

    from portal.delivery.handlers import InboundHandler, inbound_handlers

    @inbound_handlers.register
    class StatusUpdate(InboundHandler):
        service = "urn:eu:psc:services:submission"
        action = "StatusUpdate"

        def handle(self, message: InboxMessage) -> None: ...

A handler's registry name is "<service> / <action>", so the registry refuses a second handler for
the same pair. A handler runs after the message is stored and the receipt decided; its failure is
recorded on the message (``handler_error``) and never turns into an AS4 error: the sender's job
is done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from portal.core.registry import Plugin, Registry

if TYPE_CHECKING:
    from portal.delivery.models import InboxMessage


def handler_name(service: str, action: str) -> str:
    return f"{service} / {action}"


class InboundHandler(Plugin):
    """Declare ``service`` and ``action``; implement ``handle``."""

    service: ClassVar[str]
    action: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "service", None) and getattr(cls, "action", None):
            cls.name = handler_name(cls.service, cls.action)

    def handle(self, message: InboxMessage) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


inbound_handlers: Registry[InboundHandler] = Registry("inbound handler")


def handler_for(service: str, action: str) -> InboundHandler | None:
    """The handler registered for (``service``, ``action``), ready to ``handle``; None if there is none."""
    name = handler_name(service, action)
    return inbound_handlers.build(name) if name in inbound_handlers else None
