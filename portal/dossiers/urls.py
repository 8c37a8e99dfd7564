from django.urls import path

from portal.dossiers import document_views, signing_urls, views

app_name = "dossiers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="start"),
    path("<uuid:public_id>/", views.resume, name="resume"),
    path("<uuid:public_id>/step/<str:step_key>/", views.step, name="step"),
    path("<uuid:public_id>/step/<str:step_key>/autosave/", views.autosave, name="autosave"),
    path("<uuid:public_id>/review/", views.review, name="review"),
    path(
        "<uuid:public_id>/applications/<uuid:application_id>/pdf/",
        views.application_pdf,
        name="application_pdf",
    ),
    path(
        "<uuid:public_id>/applications/<uuid:application_id>/",
        views.application_status,
        name="application",
    ),
    # documents and the eSafe
    path(
        "<uuid:public_id>/step/<str:step_key>/documents/<str:concept>/upload/",
        document_views.upload,
        name="document-upload",
    ),
    path(
        "<uuid:public_id>/step/<str:step_key>/documents/<str:concept>/attach/",
        document_views.attach,
        name="document-attach",
    ),
    path(
        "<uuid:public_id>/step/<str:step_key>/documents/remove/<int:attachment_id>/",
        document_views.detach,
        name="document-detach",
    ),
    path("esafe/", document_views.esafe, name="esafe"),
    path("esafe/<uuid:document_id>/", document_views.esafe_document, name="esafe-document"),
    path("esafe/<uuid:document_id>/download/", document_views.download, name="esafe-download"),
]
urlpatterns += signing_urls.urlpatterns
