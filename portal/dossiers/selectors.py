"""Reads of dossiers for views and other blocks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.dossiers.models import Dossier, StateChange


def history(dossier: Dossier) -> QuerySet[StateChange]:
    """Every state change of the dossier and its applications, oldest first."""
    return dossier.state_changes.select_related("actor", "application")


def dossiers_of(user) -> QuerySet[Dossier]:
    """The user's dossiers, most recently changed first, with their applications."""
    return Dossier.objects.filter(owner=user).prefetch_related("applications")


def dossier_of(user, public_id) -> Dossier:
    """The user's dossier with this public id; Http404 for any other, whoever owns it."""
    return get_object_or_404(Dossier.objects.filter(owner=user), public_id=public_id)
