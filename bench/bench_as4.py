"""AS4 codec speed: build (gzip -> sign -> encrypt -> MIME) and receive (parse -> verify -> decrypt ->
gunzip) + signed receipt, for 10 KiB and 1 MiB payloads, in messages per second on one core.

The baseline runs in the same process: the PyPI package ``as4`` when it is importable (it pins
cryptography<47, so it lives in its own virtualenv: see bench/README.md), otherwise the raw
lxml + cryptography primitives the codec cannot avoid (the codec's overhead over the bare work).

The codec needs only lxml and cryptography, so it is loaded by path: no Django, no Celery.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import importlib.util
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from lxml import etree

CODEC = Path(__file__).resolve().parent.parent / "portal" / "delivery" / "as4"
# --codec DIR measures another checkout's codec with this harness (before/after comparisons)
if "--codec" in sys.argv:
    CODEC = Path(sys.argv[sys.argv.index("--codec") + 1]).resolve() / "portal" / "delivery" / "as4"


def load_codec():
    spec = importlib.util.spec_from_file_location(
        "psc_as4", CODEC / "__init__.py", submodule_search_locations=[str(CODEC)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["psc_as4"] = module
    spec.loader.exec_module(module)
    import psc_as4.codec
    import psc_as4.ebms
    import psc_as4.keys

    return psc_as4


as4c = load_codec()
codec, ebms, keys = as4c.codec, as4c.ebms, as4c.keys


def make_key(common_name: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return keys.KeyPair(key, certificate)


def invoice(size: int) -> bytes:
    """An XML document of ``size`` bytes that compresses like real business documents (about 1:8)."""
    head, tail = b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>", b"</Invoice>"
    lines, length, index = [], len(head) + len(tail) + 11, 0
    while length < size - 64:
        noise = hashlib.sha256(str(index).encode()).hexdigest()[:12].encode()
        line = b"<Line><ID>%d</ID><Item>%s</Item><Price>%d.00</Price></Line>" % (index, noise, index % 977)
        lines.append(line)
        length += len(line)
        index += 1
    body = head + b"".join(lines)
    return body + b"<Pad>" + b"x" * max(0, size - len(body) - 21) + b"</Pad>" + tail


def compare(
    mine: Callable[[], object], theirs: Callable[[], object], min_seconds: float
) -> tuple[float, float]:
    """Median CPU seconds per call of each (this process's CPU time, so that other processes
    competing for the cores do not count), measured alternately so that what load remains (caches,
    clock frequency) hits both."""
    mine(), theirs()  # warm up
    ours, baseline, started = [], [], time.perf_counter()
    while len(ours) < 5 or time.perf_counter() - started < 2 * min_seconds:
        for function, timings in ((mine, ours), (theirs, baseline)):
            begin = time.process_time()
            function()
            timings.append(time.process_time() - begin)
    return statistics.median(ours), statistics.median(baseline)


HEADER = ebms.UserMessageHeader(
    from_party=ebms.Party.of(
        "psc-portal", "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/initiator"
    ),
    to_party=ebms.Party.of(
        "authority", "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/responder"
    ),
    service="urn:eu:psc:submission",
    action="Submit",
    original_sender=ebms.Property("originalSender", "urn:x:C1"),
    final_recipient=ebms.Property("finalRecipient", "urn:x:C4"),
)


class Ours:
    name = "portal codec"

    def __init__(self, sender, receiver):
        self.sender, self.receiver = sender, receiver
        self.trust = keys.Truststore([sender.certificate])

    def build(self, payload: bytes):
        return codec.build_user_message(
            HEADER,
            [codec.Payload(payload, "application/xml")],
            sign_with=self.sender,
            encrypt_for=self.receiver.certificate,
            domain="psc.example.eu",
        )

    def receive(self, message) -> bytes:
        received = codec.receive(
            message.body, message.content_type, truststore=self.trust, decryption_key=self.receiver
        )
        return codec.build_receipt(received, sign_with=self.receiver).body


class As4Package:
    name = "as4 (PyPI)"

    def __init__(self, sender, receiver, as4, peppol):
        self.peppol = peppol
        self.local = peppol.create_peppol_internal_party(
            "PTE000001", sender.certificate, as4.AS4LocalPrivateKey(sender.private_key)
        )
        self.remote = peppol.create_peppol_external_party("PTE000002", receiver.certificate)
        self.receiver_party = peppol.create_peppol_internal_party(
            "PTE000002", receiver.certificate, as4.AS4LocalPrivateKey(receiver.private_key)
        )
        self.policy = as4.SecurityPolicy(signer_resolver=as4.pinned_certificates(sender.certificate))

    def build(self, payload: bytes):
        message = self.peppol.build_peppol_message(
            payload,
            local_party=self.local,
            remote_party=self.remote,
            sender="9932:9999999999",
            recipient="9932:1111111111",
            sender_country_id="BE",
            document_type_identifier_scheme="busdox-docid-qns",
            document_type_identifier_value="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017::2.1",
            process_identifier="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        )
        body, boundary = message.get_request_data()
        return message, message.get_http_headers(boundary), body

    def receive(self, built) -> bytes:
        _, headers, body = built
        exchange = self.peppol.parse_peppol_message(
            request_headers=headers,
            request_body=body,
            local_party=self.receiver_party,
            security_policy=self.policy,
        )
        if not exchange.successful:
            raise RuntimeError("the as4 package refused its own message")
        return exchange.build_signal()[1]


class Primitives:
    """The cryptographic and XML work any AS4 codec must do, with no message structure around it."""

    name = "raw primitives"

    def __init__(self, sender, receiver):
        self.sender, self.receiver = sender, receiver
        self.oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

    def build(self, payload: bytes):
        compressed = gzip.compress(payload, compresslevel=6, mtime=0)
        digest = hashlib.sha256(compressed).digest()
        header = etree.tostring(
            etree.fromstring(b"<h><d>%s</d></h>" % digest.hex().encode()), method="c14n", exclusive=True
        )
        signature = self.sender.private_key.sign(header, padding.PKCS1v15(), hashes.SHA256())
        key = AESGCM.generate_key(bit_length=128)
        nonce = os.urandom(12)
        return (
            self.receiver.certificate.public_key().encrypt(key, self.oaep),
            nonce + AESGCM(key).encrypt(nonce, compressed, None),
            header,
            signature,
        )

    def receive(self, built) -> bytes:
        wrapped, ciphertext, header, signature = built
        self.sender.certificate.public_key().verify(signature, header, padding.PKCS1v15(), hashes.SHA256())
        key = self.receiver.private_key.decrypt(wrapped, self.oaep)
        compressed = AESGCM(key).decrypt(ciphertext[:12], ciphertext[12:], None)
        hashlib.sha256(compressed).digest()
        gzip.decompress(compressed)
        return self.receiver.private_key.sign(header, padding.PKCS1v15(), hashes.SHA256())


def interop(ours: Ours, peer: As4Package, payload: bytes) -> list[str]:
    """Cross-checks while both are loaded: each side reads what the other wrote."""
    lines = []
    message, headers, body = peer.build(payload)
    received = codec.receive(
        body, headers["Content-Type"], truststore=ours.trust, decryption_key=ours.receiver
    )
    assert received.payloads and received.trusted
    lines.append(
        f"as4 message -> accepted by the portal codec ({len(received.payloads[0].content)} payload bytes)"
    )
    receipt = codec.build_receipt(received, sign_with=ours.receiver)
    peer.peppol.parse_peppol_receipt(receipt.body, ours.receiver.certificate).verify_non_repudiation(
        message.signed_references
    )
    lines.append("portal receipt -> non-repudiation verified by as4")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per measurement")
    parser.add_argument(
        "--codec", metavar="DIR", help="measure the codec of another checkout (repository root) instead"
    )
    parser.add_argument(
        "--memory", type=int, default=0, metavar="MIB", help="also trace memory for a payload of MIB"
    )
    args = parser.parse_args()
    sender, receiver = make_key("bench sender"), make_key("bench receiver")
    ours = Ours(sender, receiver)
    try:
        import as4
        import as4.peppol

        baseline = As4Package(sender, receiver, as4, as4.peppol)
    except ImportError:
        baseline = Primitives(sender, receiver)
    print(
        f"codec: {CODEC}\nbaseline: {baseline.name}; one process, one core, CPU time; medians, the two measured alternately for >= {2 * args.seconds:.1f} s"
    )
    print(
        f"{'payload':>8} {'step':<26} {'ours ms':>9} {'ours msg/s':>11} {'base ms':>9} {'base msg/s':>11} {'ratio':>7}"
    )
    for size, label in ((10 * 1024, "10 KiB"), (1024 * 1024, "1 MiB")):
        payload = invoice(size)
        ours_message = ours.build(payload)
        base_message = baseline.build(payload)
        rows = [
            ("build", lambda p=payload: ours.build(p), lambda p=payload: baseline.build(p)),
            (
                "receive + signed receipt",
                lambda m=ours_message: ours.receive(m),
                lambda m=base_message: baseline.receive(m),
            ),
        ]
        for step, mine, theirs in rows:
            a, b = compare(mine, theirs, args.seconds)
            print(
                f"{label:>8} {step:<26} {a * 1000:9.2f} {1 / a:11.1f} {b * 1000:9.2f} {1 / b:11.1f} {b / a:6.2f}x"
            )
    print(
        "ratio = baseline time / our time (above 1: we are faster; against raw primitives it shows our overhead)"
    )
    if isinstance(baseline, As4Package):
        for line in interop(ours, baseline, invoice(10 * 1024)):
            print("interop:", line)
    if args.memory:
        payload = invoice(args.memory * 1024 * 1024)
        tracemalloc.start()
        message = ours.build(payload)
        _, build_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        ours.receive(message)
        _, receive_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"memory for a {args.memory} MiB payload (tracemalloc peak of what the call allocates): "
            f"build {build_peak / len(payload):.2f}x, receive + receipt {receive_peak / len(payload):.2f}x the payload"
        )


if __name__ == "__main__":
    main()
