from django.urls import path

from portal.dossiers.views import builder, documents, signing

app_name = "dossiers"

urlpatterns = [
    path("", builder.dashboard, name="dashboard"),
    path("start/", builder.start, name="start"),
    path("<uuid:public_id>/", builder.resume, name="resume"),
    path("<uuid:public_id>/step/<str:step_key>/", builder.step, name="step"),
    path("<uuid:public_id>/step/<str:step_key>/autosave/", builder.autosave, name="autosave"),
    path("<uuid:public_id>/review/", builder.review, name="review"),
    path(
        "<uuid:public_id>/applications/<uuid:application_id>/pdf/",
        builder.application_pdf,
        name="application_pdf",
    ),
    path(
        "<uuid:public_id>/applications/<uuid:application_id>/",
        builder.application_status,
        name="application",
    ),
    # documents and the eSafe
    path(
        "<uuid:public_id>/step/<str:step_key>/documents/<str:concept>/upload/",
        documents.upload,
        name="document-upload",
    ),
    path(
        "<uuid:public_id>/step/<str:step_key>/documents/<str:concept>/attach/",
        documents.attach,
        name="document-attach",
    ),
    path(
        "<uuid:public_id>/step/<str:step_key>/documents/remove/<int:attachment_id>/",
        documents.detach,
        name="document-detach",
    ),
    path("esafe/", documents.esafe, name="esafe"),
    path("esafe/<uuid:document_id>/", documents.esafe_document, name="esafe-document"),
    path("esafe/<uuid:document_id>/download/", documents.download, name="esafe-download"),
    # the signing step
    path("<uuid:public_id>/sign/", signing.sign, name="sign"),
    # one fixed address for every dossier (QTSPs register their clients' redirect URIs); the
    # consent's state names the batch, and the batch its dossier
    path("sign/return/", signing.sign_return, name="sign-return"),
    path("<uuid:public_id>/sign/status/", signing.sign_status, name="sign-status"),
    path(
        "<uuid:public_id>/sign/<uuid:application_id>/application.pdf",
        builder.application_pdf,
        name="sign-application-pdf",
    ),
    path(
        "<uuid:public_id>/sign/<uuid:application_id>/signed.pdf",
        signing.signed_application_pdf,
        name="signed-application-pdf",
    ),
]
