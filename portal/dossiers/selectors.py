"""Reads of dossiers for views and other blocks."""

from __future__ import annotations

from django.core.files.storage import storages
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.dossiers.models import Application, Dossier, StateChange


def history(dossier: Dossier) -> QuerySet[StateChange]:
    """Every state change of the dossier and its applications, oldest first."""
    return dossier.state_changes.select_related("actor", "application")


def dossiers_of(user) -> QuerySet[Dossier]:
    """The user's dossiers, most recently changed first, with their applications."""
    return Dossier.objects.filter(owner=user).prefetch_related("applications")


def dossier_of(user, public_id) -> Dossier:
    """The user's dossier with this public id; Http404 for any other, whoever owns it."""
    return get_object_or_404(Dossier.objects.filter(owner=user), public_id=public_id)


def signed_application_pdf(application: Application) -> bytes | None:
    """The signed PDF of the application, or None while it is not signed."""
    request = application.signing_request
    if request is None or not request.signed_name:
        return None
    with storages["private"].open(request.signed_name, "rb") as signed:
        return signed.read()
