"""Regenerate the vectors in this folder with the PyPI package ``as4`` (an independent AS4
implementation). It pins cryptography<47, so run it in its own virtualenv:

    python3 -m venv /tmp/as4-vec && /tmp/as4-vec/bin/pip install as4==0.2.0
    (or the tests' peer: var/as4-peer/*/bin/python, tests/delivery/as4-peer-requirements.txt)
    /tmp/as4-vec/bin/python tests/vectors/as4/as4pkg/make_vector.py

Writes: sender.pem, receiver.p12 (password ``receiver``), message.http (the HTTP request as the
package frames it: headers, blank line, body) and receipt.xml (the package's signed receipt for it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from as4 import AS4LocalPrivateKey, SecurityPolicy, pinned_certificates
from as4.peppol import (
    build_peppol_message,
    create_peppol_external_party,
    create_peppol_internal_party,
    parse_peppol_message,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent


def key_pair(common_name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 40))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def main() -> None:
    sender_key, sender = key_pair("PTE000001")
    receiver_key, receiver = key_pair("PTE000002")
    local = create_peppol_internal_party("PTE000001", sender, AS4LocalPrivateKey(sender_key))
    remote = create_peppol_external_party("PTE000002", receiver)
    payload = b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><ID>as4-vector</ID></Invoice>"
    message = build_peppol_message(
        payload,
        local_party=local,
        remote_party=remote,
        sender="9932:9999999999",
        recipient="9932:1111111111",
        sender_country_id="BE",
        document_type_identifier_scheme="busdox-docid-qns",
        document_type_identifier_value="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017::2.1",
        process_identifier="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
    )
    body, boundary = message.get_request_data()
    headers = message.get_http_headers(boundary)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode()
    (HERE / "message.http").write_bytes(head + b"\r\n" + body)
    receiving = parse_peppol_message(
        request_headers=headers,
        request_body=body,
        local_party=create_peppol_internal_party("PTE000002", receiver, AS4LocalPrivateKey(receiver_key)),
        security_policy=SecurityPolicy(signer_resolver=pinned_certificates(sender)),
    )
    assert receiving.successful
    (HERE / "receipt.xml").write_bytes(receiving.build_signal()[1])
    (HERE / "sender.pem").write_bytes(sender.public_bytes(serialization.Encoding.PEM))
    (HERE / "receiver.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"receiver", receiver_key, receiver, None, serialization.BestAvailableEncryption(b"receiver")
        )
    )


if __name__ == "__main__":
    main()
