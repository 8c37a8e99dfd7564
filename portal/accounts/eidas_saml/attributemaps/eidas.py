# pysaml2 attribute map: eIDAS SAML attribute profile v1.2 names <-> friendly names.
NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
LEGAL = "http://eidas.europa.eu/attributes/legalperson/"

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "fro": {
        f"{NATURAL}PersonIdentifier": "PersonIdentifier",
        f"{NATURAL}CurrentFamilyName": "FamilyName",
        f"{NATURAL}CurrentGivenName": "FirstName",
        f"{NATURAL}DateOfBirth": "DateOfBirth",
        f"{NATURAL}CurrentAddress": "CurrentAddress",
        f"{LEGAL}LegalPersonIdentifier": "LegalPersonIdentifier",
        f"{LEGAL}LegalName": "LegalName",
    },
    "to": {
        "PersonIdentifier": f"{NATURAL}PersonIdentifier",
        "FamilyName": f"{NATURAL}CurrentFamilyName",
        "FirstName": f"{NATURAL}CurrentGivenName",
        "DateOfBirth": f"{NATURAL}DateOfBirth",
        "CurrentAddress": f"{NATURAL}CurrentAddress",
        "LegalPersonIdentifier": f"{LEGAL}LegalPersonIdentifier",
        "LegalName": f"{LEGAL}LegalName",
    },
}
