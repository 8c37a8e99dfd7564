from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def layout(request: HttpRequest) -> dict:
    return {
        "portal_name": _("Point of Single Contact"),
        "portal_languages": settings.LANGUAGES,
    }
