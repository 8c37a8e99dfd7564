from django.urls import path

from portal.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="start"),
    path("<uuid:public_id>/", views.resume, name="resume"),
    path("<uuid:public_id>/step/<str:step_key>/", views.step, name="step"),
    path("<uuid:public_id>/step/<str:step_key>/autosave/", views.autosave, name="autosave"),
    path("<uuid:public_id>/review/", views.review, name="review"),
    path(
        "<uuid:public_id>/applications/<uuid:application_id>/",
        views.application_status,
        name="application",
    ),
]
