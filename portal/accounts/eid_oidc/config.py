"""OpenID Connect providers from the environment (no Django imports: settings.py reads this).

``OIDC_PROVIDERS`` is a JSON list, one object per national eID proxy or IdP::

    [{"id": "be-fas", "name": "Belgian eID (FAS)", "client_id": "...", "secret": "...",
      "server_url": "https://idp.example/", "acr_values": "http://eidas.europa.eu/LoA/substantial",
      "level_of_assurance": "substantial", "scope": ["openid", "profile", "email"]}]

``server_url`` is the issuer (``/.well-known/openid-configuration`` is appended). ``level_of_assurance``
is the level credited when the ID token carries no recognised ``acr``; ``acr_map`` maps other acr
values to low/substantial/high. Providers can also be added as "Social applications" in the admin,
with the same keys in their settings JSON.
"""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

REQUIRED_KEYS = ("id", "name", "client_id", "server_url")
OPTIONAL_SETTINGS = ("acr_values", "level_of_assurance", "acr_map", "scope", "fetch_userinfo")
LEVELS = ("low", "substantial", "high")


def parse_oidc_providers(raw: str) -> list[dict]:
    """Turn OIDC_PROVIDERS into allauth ``APPS`` entries; a malformed value says what is wrong."""
    if not raw.strip():
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of provider objects.")
    apps = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS[{position}] must be an object.")
        missing = [key for key in REQUIRED_KEYS if not entry.get(key)]
        if missing:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS[{position}] lacks {', '.join(missing)}.")
        unknown = set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_SETTINGS) - {"secret"}
        if unknown:
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS[{position}] has unknown keys: {', '.join(sorted(unknown))}."
            )
        if entry["id"] in seen:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS has the id {entry['id']!r} twice.")
        seen.add(entry["id"])
        level = entry.get("level_of_assurance", "low")
        if level not in LEVELS:
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS[{position}].level_of_assurance must be one of {', '.join(LEVELS)}."
            )
        acr_map = entry.get("acr_map", {})
        if not isinstance(acr_map, dict) or any(value not in LEVELS for value in acr_map.values()):
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS[{position}].acr_map must map acr values to {', '.join(LEVELS)}."
            )
        settings = {"server_url": entry["server_url"], "level_of_assurance": level, "acr_map": acr_map}
        for key in ("acr_values", "scope", "fetch_userinfo"):
            if key in entry:
                settings[key] = entry[key]
        apps.append(
            {
                "provider_id": entry["id"],
                "name": entry["name"],
                "client_id": entry["client_id"],
                "secret": entry.get("secret", ""),
                "settings": settings,
            }
        )
    return apps
