from django.urls import path

from portal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.account_page, name="account"),
    path("profile/edit/", views.edit_profile, name="edit_profile"),
    path("profile/language/", views.set_preferred_language, name="set_language"),
    path("profile/legal-persons/add/", views.add_legal_person, name="add_legal_person"),
    path("profile/legal-persons/<int:pk>/remove/", views.remove_legal_person, name="remove_legal_person"),
    path("profile/my-data.json", views.download_my_data, name="download_data"),
    path("profile/delete/", views.delete_account, name="delete_account"),
    path("step-up/", views.step_up, name="step_up"),
]
