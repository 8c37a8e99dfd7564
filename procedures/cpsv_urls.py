from django.urls import path

from procedures import views

app_name = "cpsv"

urlpatterns = [
    path("catalogue.jsonld", views.cpsv_catalogue, name="catalogue"),
    path("procedures/<uuid:key>.jsonld", views.cpsv_procedure, name="procedure"),
]
