"""The portal as an eIDAS SAML service provider (pysaml2 configuration, read by djangosaml2).

Configured from the environment (settings ``EIDAS_SAML``): the SP key and certificate (signing the
AuthnRequests, decrypting the assertions), the eIDAS node's metadata file, the minimum level of
assurance to request. Without key, certificate and metadata the eIDAS sign-in is switched off.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import cast

from django.conf import settings
from django.http import Http404, HttpRequest
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig
from saml2.saml import NAME_FORMAT_URI

from portal.accounts.eid import EidasSamlProvider, eid_providers, eidas_provider
from portal.accounts.eidas_saml.attributemaps.eidas import MAP

LOA_URI = {level: f"http://eidas.europa.eu/LoA/{level}" for level in ("low", "substantial", "high")}
# eIDAS minimum data sets: natural person (mandatory) and legal person (asked, optional).
REQUESTED_ATTRIBUTES = [
    ("PersonIdentifier", True),
    ("FamilyName", True),
    ("FirstName", True),
    ("DateOfBirth", True),
    ("LegalPersonIdentifier", False),
    ("LegalName", False),
]


def sp_config_dict(base_url: str, *, with_metadata: bool = True, conf: dict | None = None) -> dict:
    """pysaml2's SP configuration for the ``eidas-saml`` eID provider of ``conf`` (default:
    settings.EIDAS_SAML), its options checked by the eID provider registry."""
    conf = settings.EIDAS_SAML if conf is None else conf
    provider = cast(EidasSamlProvider, eid_providers.build(EidasSamlProvider.name, conf))
    config = {
        "entityid": provider.entity_id or f"{base_url}/saml2/metadata/",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "attribute_map_dir": str(Path(__file__).parent / "attributemaps"),
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "name": settings.WAGTAIL_SITE_NAME,
                "endpoints": {"assertion_consumer_service": [(f"{base_url}/saml2/acs/", BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": True,
                "want_assertions_or_response_signed": True,
                "sp_type": "public",
                "sp_type_in_metadata": False,
                "requested_attributes": [
                    {"name": MAP["to"][name], "name_format": NAME_FORMAT_URI, "required": required}
                    for name, required in REQUESTED_ATTRIBUTES
                ],
                "requested_authn_context": {
                    "authn_context_class_ref": [LOA_URI[provider.minimum_level]],
                    "comparison": "minimum",
                },
                "force_authn": True,
            }
        },
        "key_file": provider.sp_key_file,
        "cert_file": provider.sp_cert_file,
        "encryption_keypairs": [{"key_file": provider.sp_key_file, "cert_file": provider.sp_cert_file}],
    }
    if with_metadata:
        config["metadata"] = {"local": [provider.idp_metadata]}
    return config


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER."""
    if eidas_provider() is None:
        raise Http404("eIDAS sign-in is not configured on this portal.")
    base_url = (
        request.build_absolute_uri("/").rstrip("/") if request is not None else settings.PORTAL_BASE_URL
    )
    config = SPConfig()
    config.load(sp_config_dict(base_url))
    return config
