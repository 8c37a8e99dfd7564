"""The kinds of national eID sign-in: a registry, name -> class with declared, validated options.

``oidc``: an OpenID Connect provider or national eID proxy, one per ``OIDC_PROVIDERS`` entry or
"Social application" in the admin (allauth does the protocol, see ``eid_oidc/``). ``eidas-saml``: the
eIDAS node of ``settings.EIDAS_SAML`` (djangosaml2 does the protocol, see ``eidas_saml/``). The registry
is where a kind is named and its options declared and checked; settings.py reads this module, so it
imports no models.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.core.registry import ConfigurationError, Option, Plugin, Registry

LEVELS = ("low", "substantial", "high")


class EidConfigurationError(ConfigurationError, ImproperlyConfigured):
    pass


class EidProvider(Plugin):
    """Base class: a configured way to sign in with a national eID."""

    @property
    def label(self) -> str:
        """How the sign-in button names it."""
        return str(self.config.get("name") or self.name)


eid_providers: Registry[EidProvider] = Registry("eID provider", error=EidConfigurationError)


@eid_providers.register
class OidcProvider(EidProvider):
    """One OpenID Connect provider; ``server_url`` is its issuer."""

    name = "oidc"
    options = (
        Option("id", str, help="the provider_id in URLs and in SocialAccount.provider, e.g. be-fas"),
        Option("name", str, help="shown on the sign-in button"),
        Option("client_id", str),
        Option("server_url", str, help="the issuer; /.well-known/openid-configuration is appended"),
        Option("secret", str, required=False, default=""),
        Option("acr_values", str, required=False, help="asked for in the authorization request"),
        Option("level_of_assurance", str, required=False, default="low", help="credited without a known acr"),
        Option("acr_map", dict, required=False, default={}, help="other acr values -> low/substantial/high"),
        Option("scope", list, required=False),
        Option("fetch_userinfo", bool, required=False),
    )
    id: str
    client_id: str
    server_url: str
    secret: str
    level_of_assurance: str
    acr_map: dict[str, str]

    def check_options(self) -> None:
        empty = [key for key in ("id", "name", "client_id", "server_url") if not self.config[key]]
        if empty:
            raise EidConfigurationError(f"eID provider 'oidc': missing options {empty}")
        if self.level_of_assurance not in LEVELS:
            raise EidConfigurationError(
                f"eID provider 'oidc': level_of_assurance must be one of {', '.join(LEVELS)}."
            )
        if any(value not in LEVELS for value in self.acr_map.values()):
            raise EidConfigurationError(
                f"eID provider 'oidc': acr_map must map acr values to {', '.join(LEVELS)}."
            )

    @property
    def provider_id(self) -> str:
        return self.id

    @classmethod
    def from_social_app(cls, app: Any) -> OidcProvider:
        """The provider an administrator added as a "Social application" (allauth's SocialApp);
        settings keys that are not options of ours are allauth's business and left out."""
        declared = {option.name for option in cls.options}
        config = {key: value for key, value in (app.settings or {}).items() if key in declared}
        config.update(id=app.provider_id, name=app.name, client_id=app.client_id, secret=app.secret)
        return cast(OidcProvider, eid_providers.build(cls.name, config))

    def allauth_app(self) -> dict[str, Any]:
        """The entry of allauth's ``SOCIALACCOUNT_PROVIDERS["eid_oidc"]["APPS"]``."""
        app_settings = {
            "server_url": self.server_url,
            "level_of_assurance": self.level_of_assurance,
            "acr_map": dict(self.acr_map),
        }
        for key in ("acr_values", "scope", "fetch_userinfo"):
            if self.config[key] is not None:
                app_settings[key] = self.config[key]
        return {
            "provider_id": self.id,
            "name": self.config["name"],
            "client_id": self.client_id,
            "secret": self.secret,
            "settings": app_settings,
        }


@eid_providers.register
class EidasSamlProvider(EidProvider):
    """The eIDAS node, reached as a SAML service provider."""

    name = "eidas-saml"
    options = (
        Option("sp_key_file", str, help="the SP key: signs the AuthnRequests, decrypts the assertions"),
        Option("sp_cert_file", str, help="its certificate, in the SP metadata"),
        Option("idp_metadata", str, help="the eIDAS node's metadata file"),
        Option("entity_id", str, required=False, default="", help="default: <base URL>/saml2/metadata/"),
        Option("minimum_level", str, required=False, default="substantial", help="low, substantial or high"),
    )
    sp_key_file: str
    sp_cert_file: str
    idp_metadata: str
    entity_id: str
    minimum_level: str

    def check_options(self) -> None:
        if self.minimum_level not in LEVELS:
            raise EidConfigurationError(
                f"eID provider 'eidas-saml': minimum_level must be one of {', '.join(LEVELS)}."
            )


def eidas_provider(conf: dict[str, Any] | None = None) -> EidasSamlProvider | None:
    """The eIDAS node of ``conf`` (default settings.EIDAS_SAML); None while its key, certificate or
    metadata is not given (eIDAS sign-in off)."""
    conf = settings.EIDAS_SAML if conf is None else conf
    if not (conf.get("sp_key_file") and conf.get("sp_cert_file") and conf.get("idp_metadata")):
        return None
    return cast(EidasSamlProvider, eid_providers.build("eidas-saml", conf))
