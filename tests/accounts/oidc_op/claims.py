"""The identity the test eID asserts about each person (by user name)."""

IDENTITIES = {
    "jean": {
        "given_name": "Jean",
        "family_name": "Dupont-Étienne",
        "email": "jean.dupont@example.fr",
        "email_verified": True,
        "birthdate": "1984-02-29",
        "address": {
            "street_address": "12 rue de la Paix",
            "locality": "Lyon",
            "postal_code": "69002",
            "country": "FR",
        },
    },
    "anna": {
        "given_name": "Anna",
        "family_name": "Schmidt",
        "email": "anna.schmidt@example.de",
        "email_verified": True,
        "birthdate": "1990-07-14",
    },
}
# Which eIDAS level the IdP asserts for each person (anna authenticated with a low-level means).
LEVELS = {"jean": "substantial", "anna": "low"}


def userinfo(claims, user):
    identity = IDENTITIES.get(user.username, {})
    for name, value in identity.items():
        claims[name] = value
    return claims


def add_level_of_assurance(id_token, user, token, request, **kwargs):
    id_token["acr"] = f"http://eidas.europa.eu/LoA/{LEVELS.get(user.username, 'low')}"
    return id_token
