from django.urls import include, path

from portal.accounts.eid_oidc import views

urlpatterns = [
    path(
        "eid/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="eid_oidc_login"),
                path("login/callback/", views.callback, name="eid_oidc_callback"),
            ]
        ),
    )
]
