"""Reads of dossiers for views and other blocks."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.dossiers.models import Dossier, StateChange


def history(dossier: Dossier) -> QuerySet[StateChange]:
    """Every state change of the dossier and its applications, oldest first."""
    return dossier.state_changes.select_related("actor", "application")
