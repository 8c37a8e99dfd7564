"""Writes of the accounts block: the session's assurance, eID claims into the profile, export, deletion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts import selectors
from portal.accounts.models import EidasIdentity, EntrepreneurProfile, LegalPersonRepresentation, User

# Claims (OpenID Connect standard claims) -> profile field.
CLAIM_FIELDS = {"given_name": "given_names", "family_name": "family_name", "birthdate": "date_of_birth"}
ADDRESS_CLAIM_FIELDS = {
    "street_address": "address_line_1",
    "postal_code": "postal_code",
    "locality": "city",
    "region": "region",
    "country": "country",
}


def record_session_assurance(
    request: HttpRequest, *, level: str, method: str, acr: str = "", mfa: bool = False
) -> None:
    if level not in selectors.LEVELS_OF_ASSURANCE:
        raise ValueError(f"Unknown level of assurance {level!r}.")
    request.session[selectors.SESSION_ASSURANCE_KEY] = {
        "level": level,
        "method": method,
        "acr": acr,
        "mfa": mfa,
        "at": timezone.now().isoformat(),
    }


@transaction.atomic
def apply_eid_claims(user: User, *, source: str, claims: dict) -> EntrepreneurProfile:
    """Copy verified identity claims into the profile and mark each copied field as verified."""
    profile, _created = EntrepreneurProfile.objects.select_for_update().get_or_create(user=user)
    now = timezone.now().isoformat()
    values: dict[str, object] = {}
    for claim, field in CLAIM_FIELDS.items():
        if claims.get(claim):
            values[field] = claims[claim]
    address = claims.get("address")
    if isinstance(address, dict):
        for claim, field in ADDRESS_CLAIM_FIELDS.items():
            if address.get(claim):
                values[field] = address[claim]
    if isinstance(values.get("country"), str):
        values["country"] = values["country"][:2].upper()
    if nationality := claims.get("nationality"):
        values["nationality"] = str(nationality)[:2].upper()
    if "date_of_birth" in values:
        try:
            values["date_of_birth"] = dt.date.fromisoformat(str(values["date_of_birth"]))
        except ValueError:
            del values["date_of_birth"]  # a partial date (e.g. "1980") is not a date of birth
    for field, value in values.items():
        setattr(profile, field, value)
        profile.verified_attributes[field] = {"source": source, "verified_at": now}
    profile.save()
    user_fields = []
    if values.get("given_names") and user.first_name != values["given_names"]:
        user.first_name = str(values["given_names"])[:150]
        user_fields.append("first_name")
    if values.get("family_name") and user.last_name != values["family_name"]:
        user.last_name = str(values["family_name"])[:150]
        user_fields.append("last_name")
    if user_fields:
        user.save(update_fields=user_fields)
    return profile


def update_profile(profile: EntrepreneurProfile, cleaned_data: dict) -> EntrepreneurProfile:
    """Save what the user typed; a field whose value changes is no longer verified."""
    for field, value in cleaned_data.items():
        if getattr(profile, field) != value:
            setattr(profile, field, value)
            profile.verified_attributes.pop(field, None)
    profile.save()
    return profile


# --- deletion: other blocks (dossiers) register a check that can block it --------------------
DeletionBlocker = Callable[[User], list[str]]
_deletion_blockers: list[DeletionBlocker] = []


def register_deletion_blocker(blocker: DeletionBlocker) -> DeletionBlocker:
    """Register ``blocker(user) -> [reason, ...]``; a non-empty list blocks account deletion.

    The dossiers block registers one that names each dossier still in progress. Usable as a decorator.
    """
    if blocker not in _deletion_blockers:
        _deletion_blockers.append(blocker)
    return blocker


def unregister_deletion_blocker(blocker: DeletionBlocker) -> None:
    if blocker in _deletion_blockers:
        _deletion_blockers.remove(blocker)


def deletion_blockers(user: User) -> list[str]:
    reasons: list[str] = []
    for blocker in _deletion_blockers:
        reasons.extend(blocker(user))
    return reasons


class AccountDeletionBlocked(Exception):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@transaction.atomic
def delete_account(user: User) -> None:
    reasons = deletion_blockers(user)
    if reasons:
        raise AccountDeletionBlocked(reasons)
    user.delete()  # profile, representations, e-mail addresses, identities, MFA devices cascade


def export_personal_data(user: User) -> dict:
    """Everything the portal holds about the user, as JSON-ready data (no secrets, no tokens)."""
    profile = selectors.profile_for(user)
    return {
        "format": "psc-portal personal data export, version 1",
        "exported_at": timezone.now().isoformat(),
        "user": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "profile": {
            "given_names": profile.given_names,
            "family_name": profile.family_name,
            "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
            "nationality": profile.nationality,
            "address": {
                "line_1": profile.address_line_1,
                "line_2": profile.address_line_2,
                "postal_code": profile.postal_code,
                "city": profile.city,
                "region": profile.region,
                "country": profile.country,
            },
            "verified_attributes": profile.verified_attributes,
        },
        "represented_legal_persons": [
            {
                "name": lp.name,
                "registration_number": lp.registration_number,
                "register": lp.register,
                "country": lp.country,
                "lei": lp.lei,
                "euid": lp.euid,
                "capacity": lp.capacity,
                "verified_by": lp.verified_source,
            }
            for lp in LegalPersonRepresentation.objects.filter(user=user).order_by("name")
        ],
        "linked_identities": [
            {"provider": account.provider, "uid": account.uid, "claims": account.extra_data}
            for account in selectors.linked_identities(user)
        ],
        "eidas_identities": [
            {
                "node": identity.issuer,
                "person_identifier": identity.person_identifier,
                "last_login_at": identity.last_login_at.isoformat() if identity.last_login_at else None,
            }
            for identity in selectors.eidas_identities(user)
        ],
        "mfa_devices": [
            {
                "type": device.type,
                "created_at": device.created_at.isoformat(),
                "last_used_at": device.last_used_at.isoformat() if device.last_used_at else None,
            }
            for device in selectors.mfa_devices(user)
        ],
    }


def describe_level(level: str) -> str:
    return {
        "low": _("low (e-mail and password)"),
        "substantial": _("substantial (national eID)"),
        "high": _("high (national eID with a secure device)"),
    }.get(level, level)


def _first(attributes: dict, name: str) -> str:
    values = attributes.get(name) or []
    return str(values[0]).strip() if values else ""


class EidasIdentityOfAnotherAccount(Exception):
    """The eID used to step up belongs to another account: nothing is linked or changed."""


@transaction.atomic
def user_for_eidas_identity(*, issuer: str, attributes: dict, current_user: User | None = None) -> User:
    """Find or create the user behind an eIDAS identity and copy the attributes as verified.

    ``attributes`` are the assertion's attributes by friendly name (lists of values). eIDAS gives no
    e-mail address: a new account gets a placeholder address under the reserved ``.invalid`` domain
    until the person adds a real one. With ``current_user`` (someone signed in who steps up), a new
    identity is linked to that account instead; an identity already linked to another account raises
    :class:`EidasIdentityOfAnotherAccount`.
    """
    import hashlib

    person_identifier = _first(attributes, "PersonIdentifier")
    if not person_identifier:
        raise ValueError("The eIDAS assertion carries no PersonIdentifier.")
    identity = (
        EidasIdentity.objects.select_related("user")
        .filter(issuer=issuer, person_identifier=person_identifier)
        .first()
    )
    if identity is not None and current_user is not None and identity.user_id != current_user.pk:
        raise EidasIdentityOfAnotherAccount(person_identifier)
    if identity is None:
        if current_user is not None:
            user = current_user
        else:
            digest = hashlib.sha256(f"{issuer}|{person_identifier}".encode()).hexdigest()[:24]
            user = User.objects.create_user(email=f"eidas-{digest}@eidas.invalid", password=None)
        identity = EidasIdentity.objects.create(user=user, issuer=issuer, person_identifier=person_identifier)
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    user = identity.user
    source = f"eidas:{issuer}"
    apply_eid_claims(
        user,
        source=source,
        claims={
            "given_name": _first(attributes, "FirstName"),
            "family_name": _first(attributes, "FamilyName"),
            "birthdate": _first(attributes, "DateOfBirth"),
        },
    )
    legal_identifier, legal_name = (
        _first(attributes, "LegalPersonIdentifier"),
        _first(attributes, "LegalName"),
    )
    if legal_identifier and legal_name:
        # eIDAS identifiers read "issuing country/receiving country/identifier", e.g. "BE/FR/0123456789".
        country = legal_identifier[:2].upper() if legal_identifier[2:3] == "/" else ""
        LegalPersonRepresentation.objects.update_or_create(
            user=user,
            country=country,
            registration_number=legal_identifier,
            defaults={
                "name": legal_name,
                "register": "eIDAS LegalPersonIdentifier",
                "capacity": "legal_representative",
                "verified_source": source,
            },
        )
    return user
