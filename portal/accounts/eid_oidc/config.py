"""OpenID Connect providers from the environment (no models imported: settings.py reads this).

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
from typing import cast

from django.core.exceptions import ImproperlyConfigured

from portal.accounts.eid import EidConfigurationError, OidcProvider, eid_providers


def parse_oidc_providers(raw: str) -> list[dict]:
    """Turn OIDC_PROVIDERS into allauth ``APPS`` entries; a malformed value says what is wrong.

    Each entry is checked against the options of the ``oidc`` eID provider (portal/accounts/eid.py).
    """
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
        try:
            provider = cast(OidcProvider, eid_providers.build(OidcProvider.name, entry))
        except EidConfigurationError as error:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS[{position}]: {error}") from None
        app = provider.allauth_app()
        if app["provider_id"] in seen:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS has the id {app['provider_id']!r} twice.")
        seen.add(app["provider_id"])
        apps.append(app)
    return apps
