"""Reads of dossiers for views and other blocks."""

from __future__ import annotations

from django.core.files.storage import storages
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.dossiers.models import Application, ApplicationMessage, Dossier, StateChange


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


def application_of(user, dossier_public_id, application_public_id) -> Application:
    """An application of the user's dossier; Http404 for anyone else's, or one of another dossier."""
    return get_object_or_404(
        Application.objects.filter(dossier__owner=user, dossier__public_id=dossier_public_id).select_related(
            "dossier"
        ),
        public_id=application_public_id,
    )


def application_history(application: Application) -> QuerySet[StateChange]:
    return application.state_changes.order_by("at", "id")


def messages_of(application: Application) -> QuerySet[ApplicationMessage]:
    """The correspondence with the authority about this application, oldest first."""
    return application.messages.order_by("created_at", "id")
