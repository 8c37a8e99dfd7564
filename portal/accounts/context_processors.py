from django.http import HttpRequest

from portal.accounts.eidas_saml import config as eidas_config


def eidas(request: HttpRequest) -> dict:
    return {"eidas_enabled": eidas_config.is_enabled()}
