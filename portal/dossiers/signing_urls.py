"""URLs of the signing step (included by portal/dossiers/urls.py)."""

from django.urls import path

from portal.dossiers import signing_views

urlpatterns = [
    path("<uuid:public_id>/sign/", signing_views.sign, name="sign"),
    # one fixed address for every dossier (QTSPs register their clients' redirect URIs); the
    # consent's state names the batch, and the batch its dossier
    path("sign/return/", signing_views.sign_return, name="sign-return"),
    path("<uuid:public_id>/sign/status/", signing_views.sign_status, name="sign-status"),
    path(
        "<uuid:public_id>/sign/<uuid:application_id>/application.pdf",
        signing_views.application_pdf,
        name="sign-application-pdf",
    ),
    path(
        "<uuid:public_id>/sign/<uuid:application_id>/signed.pdf",
        signing_views.signed_application_pdf,
        name="signed-application-pdf",
    ),
]
