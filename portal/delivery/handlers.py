"""Handlers for inbound messages, registered by (Service, Action).

Other apps register at start-up (``AppConfig.ready``)::

    from portal.delivery.handlers import register

    @register("urn:eu:psc:services:submission", "StatusUpdate")
    def on_status(message: InboxMessage) -> None: ...

A handler runs after the message is stored and the receipt decided; its failure is recorded on
the message (``handler_error``) and never turns into an AS4 error: the sender's job is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.delivery.models import InboxMessage

Handler = Callable[["InboxMessage"], None]
HANDLERS: dict[tuple[str, str], Handler] = {}


def register(service: str, action: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        key = (service, action)
        if key in HANDLERS and HANDLERS[key] is not handler:
            raise ValueError(f"a handler for {service} / {action} is already registered")
        HANDLERS[key] = handler
        return handler

    return decorator


def unregister(service: str, action: str) -> None:
    HANDLERS.pop((service, action), None)


def handler_for(service: str, action: str) -> Handler | None:
    return HANDLERS.get((service, action))
