from django.urls import path

from . import views

app_name = "signing"
urlpatterns = [
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/report.json", views.report_json, name="report-json"),
]
