"""The back-office follows applications through the dossiers block's state-change signal."""

from __future__ import annotations

from django.dispatch import receiver

from portal.backoffice.services import sync_case
from portal.dossiers.signals import application_state_changed


@receiver(application_state_changed, dispatch_uid="backoffice.sync_case")
def _sync_case_on_state_change(sender, application, state_change, **kwargs) -> None:
    # inside the transition's transaction: the case and its clock change with the state, or neither
    sync_case(application)
