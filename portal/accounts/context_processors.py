from django.http import HttpRequest

from portal.accounts.eid import eidas_provider
from portal.accounts.selectors import authorities_of


def eidas(request: HttpRequest) -> dict:
    return {"eidas_enabled": eidas_provider() is not None}


def authority_staff(request: HttpRequest) -> dict:
    """Whether to link the back-office in the header (its pages check membership themselves)."""
    user = getattr(request, "user", None)
    return {"is_authority_staff": bool(user is not None and authorities_of(user))}
