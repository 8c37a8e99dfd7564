from django.urls import path

from procedures import views

app_name = "finder"

urlpatterns = [
    path("", views.finder, name="questionnaire"),
    path("checklist/", views.checklist, name="checklist"),
    path("activities/", views.activity_suggestions, name="activities"),
]
