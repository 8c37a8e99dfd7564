from django.urls import path

from portal.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("statistics/", views.statistics, name="statistics"),
    path("applications/<uuid:application_id>/", views.detail, name="detail"),
    path("applications/<uuid:application_id>/application.pdf", views.application_pdf, name="pdf"),
    path(
        "applications/<uuid:application_id>/documents/<uuid:document_id>/",
        views.document,
        name="document",
    ),
    path("applications/<uuid:application_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("applications/<uuid:application_id>/take/", views.take, name="take"),
    path("applications/<uuid:application_id>/reassign/", views.reassign, name="reassign"),
    path(
        "applications/<uuid:application_id>/request-information/",
        views.request_information,
        name="request_information",
    ),
    path("applications/<uuid:application_id>/decide/", views.decide, name="decide"),
]
