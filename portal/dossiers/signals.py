"""Signals of the dossiers block, for blocks downstream (the back-office) to follow applications."""

from django.dispatch import Signal

# Sent by lifecycle.transition inside its transaction, after the StateChange is stored, with
# ``application`` and ``state_change``. A receiver that raises rolls the state change back.
application_state_changed = Signal()
