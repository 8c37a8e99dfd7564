"""Machine-readable markup of a procedure page: the SDG "Your Europe" meta tags, by which the
Commission's crawler links the page from Your Europe, and schema.org GovernmentService JSON-LD.

* SDG tags, as national SDG coordinators document them: ``sdg-tag`` = ``sdg``, ``DC.ISO3166`` =
  ``settings.PORTAL_COUNTRY``, ``DC.Service`` = ``procedure``, ``policy-code`` = the page's
  ``sdg_policy_code`` (a synchronised field, so every translation carries the same code).
* ``GovernmentService``: name, description, url, serviceType, provider (``GovernmentOrganization`` with
  contacts), areaServed (Country ``PORTAL_COUNTRY``), availableLanguage, availableChannel, one ``Offer``
  per fee (a 0.00 EUR one when there is none). ``<``, ``>`` and ``&`` are escaped in the JSON so it
  cannot close its ``<script>`` element.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from procedures.cpsv import EVENT_TITLES
from procedures.models import ProcedurePage

# <, > and & escaped so the JSON cannot close its <script> element
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def sdg_meta_tags(page: ProcedurePage) -> list[tuple[str, str]]:
    """(name, content) pairs: the page is part of the gateway, in which member state, that it
    describes a procedure, and the SDG information area it belongs to."""
    return [
        ("sdg-tag", "sdg"),
        ("DC.ISO3166", settings.PORTAL_COUNTRY),
        ("DC.Service", "procedure"),
        ("policy-code", page.sdg_policy_code),
    ]


def government_service(page: ProcedurePage) -> dict:
    language = page.locale.language_code
    url = page.full_url
    authority = page.localized_authority
    provider = {"@type": "GovernmentOrganization", "name": authority.name}
    for key, value in (
        ("url", authority.website),
        ("email", authority.email),
        ("telephone", authority.phone),
        ("address", " ".join(authority.address.split())),
    ):
        if value:
            provider[key] = value
    offers = [
        {
            "@type": "Offer",
            "name": fee.value["description"],
            "price": f"{fee.value['amount']:.2f}",
            "priceCurrency": fee.value["currency"],
        }
        for fee in page.fees
    ] or [{"@type": "Offer", "price": "0.00", "priceCurrency": "EUR"}]
    service = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "identifier": str(page.translation_key),
        "name": page.title,
        "description": page.summary,
        "url": url,
        "serviceType": EVENT_TITLES.get(language, EVENT_TITLES["en"]),
        "provider": provider,
        "areaServed": {"@type": "Country", "identifier": settings.PORTAL_COUNTRY},
        "availableLanguage": page.language_codes,
        "availableChannel": {
            "@type": "ServiceChannel",
            "serviceUrl": url,
            "availableLanguage": page.language_codes,
            "providesService": {"@id": url},
        },
        "offers": offers,
    }
    return service


def government_service_json_ld(page: ProcedurePage) -> SafeString:
    text = json.dumps(government_service(page), ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with the characters that could end the script escaped
