"""``python -m tests.accounts.oidc_op.serve CLIENT_ID CLIENT_SECRET REDIRECT_URI...``

Migrates a fresh database, creates the signing key, the portal's client and the test people, then
serves on 127.0.0.1:$OP_PORT until killed.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.accounts.oidc_op.settings")


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    client_id, client_secret, *redirect_uris = argv
    call_command("migrate", verbosity=0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    RSAKey.objects.create(key=pem)
    client = Client.objects.create(
        name="PSC portal",
        client_type="confidential",
        client_id=client_id,
        client_secret=client_secret,
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
        _redirect_uris="\n".join(redirect_uris),
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    for username in ("jean", "anna"):
        User.objects.create_user(username=username, password="1234-eid-pin")
    port = os.environ["OP_PORT"]
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True)


if __name__ == "__main__":
    main(sys.argv[1:])
