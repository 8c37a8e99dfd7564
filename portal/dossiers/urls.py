from django.urls import path

from portal.dossiers import signing_urls, views

app_name = "dossiers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="start"),
    path("<uuid:public_id>/", views.resume, name="resume"),
    path("<uuid:public_id>/step/<str:step_key>/", views.step, name="step"),
    path("<uuid:public_id>/step/<str:step_key>/autosave/", views.autosave, name="autosave"),
    path("<uuid:public_id>/review/", views.review, name="review"),
]
urlpatterns += signing_urls.urlpatterns
