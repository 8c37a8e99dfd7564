from django.apps import AppConfig


class EidOIDCConfig(AppConfig):
    """allauth loads a provider from an installed app's ``provider.py``: this app is only that."""

    name = "portal.accounts.eid_oidc"
    label = "accounts_eid_oidc"
    verbose_name = "eID sign-in (OpenID Connect)"
