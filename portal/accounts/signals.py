"""Receivers: record how each session was authenticated, copy eID claims into the profile."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.account.signals import user_logged_in
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver

from portal.accounts import selectors, services
from portal.accounts.eid_oidc.provider import EidOIDCProvider, verified_claims


def _used_mfa(request) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request))


def _is_eid(request, sociallogin) -> bool:
    # SocialAccount.provider holds the app's provider_id (e.g. "be-fas"), not the provider class id.
    return isinstance(sociallogin.account.get_provider(request), EidOIDCProvider)


def _apply_eid_login(request, sociallogin) -> None:
    account = sociallogin.account
    if not _is_eid(request, sociallogin):
        return
    app = account.get_provider(request).app
    claims = verified_claims(account.extra_data)
    source = f"{EidOIDCProvider.id}:{account.provider}"
    services.apply_eid_claims(sociallogin.user, source=source, claims=claims)
    services.record_session_assurance(
        request,
        level=selectors.level_from_acr(claims.get("acr"), app.settings),
        method=source,
        acr=claims.get("acr") or "",
        mfa=_used_mfa(request),
    )


@receiver(user_logged_in, dispatch_uid="accounts_record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None and _is_eid(request, sociallogin):
        _apply_eid_login(request, sociallogin)
    else:
        method = f"social:{sociallogin.account.provider}" if sociallogin is not None else "password"
        services.record_session_assurance(request, level="low", method=method, mfa=_used_mfa(request))


@receiver(social_account_added, dispatch_uid="accounts_eid_connected")
@receiver(social_account_updated, dispatch_uid="accounts_eid_reauthenticated")
def record_step_up(sender, request, sociallogin, **kwargs) -> None:
    """Linking (or re-proving) an eID while signed in is a step-up of this session."""
    if request.user.is_authenticated and request.user.pk == sociallogin.user.pk:
        _apply_eid_login(request, sociallogin)
