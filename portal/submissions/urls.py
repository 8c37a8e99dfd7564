"""Included under ``/<lang>/dossiers/`` (the paths the submit and delivery pages always had)."""

from django.urls import path

from portal.submissions import views

app_name = "submissions"

urlpatterns = [
    path("<uuid:public_id>/submit/", views.submit, name="submit"),
    path("<uuid:public_id>/delivery/", views.submission_status, name="submission_status"),
    path("<uuid:public_id>/delivery/<uuid:application_id>/receipt/", views.receipt, name="receipt"),
]
