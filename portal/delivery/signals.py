"""Events of the gateway, for other apps to listen to (delivery itself listens to none).

- ``delivered(sender=OutboxMessage, message=OutboxMessage)``: a verified receipt is stored.
- ``delivery_failed(sender=OutboxMessage, message=OutboxMessage, error=str)``: given up (attempts
  exhausted or refused by the partner); an admin may resend it.
- ``resent(sender=OutboxMessage, message=OutboxMessage)``: a failed message was given a new round
  of attempts (same bytes, same MessageId).
- ``message_received(sender=InboxMessage, message=InboxMessage)``: a new (not duplicate) inbound
  UserMessage is stored, with its payloads.
"""

from django.dispatch import Signal

delivered = Signal()
delivery_failed = Signal()
resent = Signal()
message_received = Signal()
