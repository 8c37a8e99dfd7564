from django.urls import path

from portal.accounts.eidas_saml import views

urlpatterns = [
    path("login/", views.EidasLoginView.as_view(), name="eidas_login"),
    path("acs/", views.EidasAssertionConsumerView.as_view(), name="eidas_acs"),
    path("metadata/", views.EidasMetadataView.as_view(), name="eidas_metadata"),
]
