"""Reads of the accounts block: who must use MFA, the session's level of assurance, linked identities."""

from __future__ import annotations

import logging

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.http import HttpRequest

from portal.accounts.eid import EidConfigurationError, OidcProvider
from portal.accounts.eid_oidc.provider import EidOIDCProvider
from portal.accounts.models import (
    AuthorityMembership,
    AuthorityRole,
    EidasIdentity,
    EntrepreneurProfile,
    LegalPersonRepresentation,
    User,
)

# eIDAS levels of assurance (Implementing Regulation (EU) 2015/1502), weakest first.
LEVELS_OF_ASSURANCE = ("low", "substantial", "high")
SESSION_ASSURANCE_KEY = "accounts_assurance"
EIDAS_ACR = {f"http://eidas.europa.eu/LoA/{level}": level for level in LEVELS_OF_ASSURANCE}

logger = logging.getLogger(__name__)


def eid_oidc_providers() -> list[OidcProvider]:
    """The OpenID Connect eID providers added in the admin, by name, to offer on the sign-in pages; one
    whose settings are not valid ``oidc`` options is left out (and logged)."""
    providers = []
    for app in SocialApp.objects.filter(provider=EidOIDCProvider.id).order_by("name"):
        try:
            providers.append(OidcProvider.from_social_app(app))
        except EidConfigurationError as error:
            logger.warning("eID social application %r left out: %s", app.name, error)
    return providers


def mfa_required(user: User) -> bool:
    """Staff, superusers, authority staff and anyone who may open the Wagtail admin (editors) must
    use MFA."""
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or user.has_perm("wagtailadmin.access_admin")
        or bool(authorities_of(user))
    )


def has_mfa(user: User) -> bool:
    """An authenticator app or a security key; recovery codes alone are not a second factor."""
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def session_assurance(request: HttpRequest) -> dict | None:
    """What the current session's sign-in proved: level, method, acr; None when signed out."""
    if not request.user.is_authenticated:
        return None
    return request.session.get(SESSION_ASSURANCE_KEY) or {"level": "low", "method": "unknown"}


def session_level_of_assurance(request: HttpRequest) -> str | None:
    """ "low", "substantial" or "high" for the current session; None when nobody is signed in.

    E-mail sign-in is always "low" (nobody checked who registered the address), with or without MFA;
    an eID sign-in gets the level its provider asserted (acr), as mapped in the provider's settings.
    """
    assurance = session_assurance(request)
    return None if assurance is None else assurance["level"]


def level_satisfies(actual: str | None, required: str) -> bool:
    if required not in LEVELS_OF_ASSURANCE:
        raise ValueError(f"Unknown level of assurance {required!r}; use one of {LEVELS_OF_ASSURANCE}.")
    if actual not in LEVELS_OF_ASSURANCE:
        return False
    return LEVELS_OF_ASSURANCE.index(actual) >= LEVELS_OF_ASSURANCE.index(required)


def level_from_acr(acr: str | None, provider_settings: dict) -> str:
    """Map an ID token's acr to a level; an acr we do not recognise earns only "low"."""
    if not acr:
        return provider_settings.get("level_of_assurance", "low")
    if acr in EIDAS_ACR:
        return EIDAS_ACR[acr]
    return provider_settings.get("acr_map", {}).get(acr, "low")


def profile_for(user: User) -> EntrepreneurProfile:
    return EntrepreneurProfile.objects.filter(user=user).first() or EntrepreneurProfile(user=user)


def legal_persons_for(user: User):
    return LegalPersonRepresentation.objects.filter(user=user).order_by("name")


def linked_identities(user: User):
    return SocialAccount.objects.filter(user=user).order_by("provider", "uid")


def eidas_identities(user: User):
    return EidasIdentity.objects.filter(user=user).order_by("issuer", "person_identifier")


def mfa_devices(user: User):
    return Authenticator.objects.filter(user=user).order_by("type", "created_at")


# --- Authority staff ---------------------------------------------------------------------------


def authorities_of(user: User) -> dict[str, str]:
    """{authority identifier: role} for every competent authority the user works for; {} for anyone
    else (signed out included). Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_authority_roles", None)
    if cached is None:
        cached = dict(
            AuthorityMembership.objects.filter(user=user).values_list("authority_identifier", "role")
        )
        user._authority_roles = cached
    return dict(cached)


def is_member(user: User, identifier: str, role: str | None = None) -> bool:
    """Whether the user works for the authority ``identifier`` (in ``role``, if given: a supervisor
    counts as a clerk too, not the other way round)."""
    held = authorities_of(user).get(identifier)
    if held is None:
        return False
    if role is None or role == held:
        return True
    return role == AuthorityRole.CLERK and held == AuthorityRole.SUPERVISOR
