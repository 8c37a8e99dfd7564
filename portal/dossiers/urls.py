from django.urls import path

from portal.dossiers import signing_urls, views, views_submission

app_name = "dossiers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="start"),
    path("<uuid:public_id>/", views.resume, name="resume"),
    path("<uuid:public_id>/step/<str:step_key>/", views.step, name="step"),
    path("<uuid:public_id>/step/<str:step_key>/autosave/", views.autosave, name="autosave"),
    path("<uuid:public_id>/review/", views.review, name="review"),
    path("<uuid:public_id>/submit/", views_submission.submit, name="submit"),
    path("<uuid:public_id>/delivery/", views_submission.submission_status, name="submission_status"),
    path(
        "<uuid:public_id>/delivery/<uuid:application_id>/receipt/",
        views_submission.receipt,
        name="receipt",
    ),
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
]
urlpatterns += signing_urls.urlpatterns
