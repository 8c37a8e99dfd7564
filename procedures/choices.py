"""Closed vocabularies shared by the content model and the finder."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROVISION_MODES = [
    ("any", _("either")),
    ("establishment", _("establishing a business here")),
    ("temporary", _("temporary cross-border provision of services")),
]

LEGAL_FORMS = [
    ("sole_trader", _("Sole trader / self-employed")),
    ("partnership", _("Partnership")),
    ("private_limited", _("Private limited company")),
    ("public_limited", _("Public limited company")),
    ("cooperative", _("Cooperative")),
    ("branch", _("Branch of a foreign company")),
]

STAFF_CHOICES = [("any", _("either")), ("yes", _("employs staff")), ("no", _("no staff"))]

ESTABLISHMENT_REGIONS = [
    ("any", _("anywhere")),
    ("eu_eea", _("inside the EU/EEA")),
    ("outside", _("outside the EU/EEA")),
]

# EU member states, then the other EEA states. ISO 3166-1 alpha-2 codes.
EU_EEA_COUNTRIES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("HR", _("Croatia")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("GR", _("Greece")),
    ("HU", _("Hungary")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LV", _("Latvia")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SK", _("Slovakia")),
    ("SI", _("Slovenia")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
    ("IS", _("Iceland")),
    ("LI", _("Liechtenstein")),
    ("NO", _("Norway")),
]
OTHER_COUNTRIES = [
    ("CH", _("Switzerland")),
    ("GB", _("United Kingdom")),
    ("US", _("United States")),
    ("ZZ", _("Another country")),
]
COUNTRIES = EU_EEA_COUNTRIES + OTHER_COUNTRIES
EU_EEA_CODES = frozenset(code for code, _name in EU_EEA_COUNTRIES)

DOCUMENT_FORMATS = [
    ("pdf", "PDF"),
    ("pdf_a", "PDF/A"),
    ("jpeg", "JPEG"),
    ("png", "PNG"),
    ("xml", "XML"),
    ("asice", "ASiC-E"),
]

COPY_KINDS = [
    ("original", _("original (or an electronic original)")),
    ("certified_copy", _("certified copy")),
    ("simple_copy", _("simple copy")),
]
# the strictest requirement wins when two procedures ask for the same document
COPY_KIND_STRICTNESS = {"simple_copy": 0, "certified_copy": 1, "original": 2}

CURRENCIES = [("EUR", "EUR")]

LEVELS_OF_ASSURANCE = [
    ("none", _("no electronic identification needed")),
    ("low", _("eIDAS low")),
    ("substantial", _("eIDAS substantial")),
    ("high", _("eIDAS high")),
]

DELIVERY_TRANSPORTS = [
    ("as4", _("eDelivery AS4")),
    ("backoffice", _("portal back-office")),
]
