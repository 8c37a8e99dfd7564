"""Signals of the signing block, for blocks after it in the data flow (signing imports none of them)."""

from django.dispatch import Signal

# Sent by the worker when a signing request ends, signed or failed: kwargs ``request`` (SigningRequest).
# Receivers must be idempotent: a retried task may send it again for the same result.
signing_finished = Signal()
