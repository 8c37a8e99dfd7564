"""A CA with a real OCSP responder and CRL served over HTTP on 127.0.0.1, for online validation tests.

The CA's leaves point at the server (AIA OCSP and/or CRL distribution point); revocations are
decided per test with ``revoke``. The server runs in a thread of the test process, on a free port.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from portal.demo.qtsp.pki import Identity
from tests.fixtures.processes import free_port

from .pki import NOW, _name, make_root


class RevocationAuthority:
    """A root CA that answers OCSP for, and publishes a CRL of, the leaves it issued."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.root = make_root("PSC Online Revocation Test CA")
        self.issued: dict[int, x509.Certificate] = {}
        self.revoked: dict[int, datetime] = {}
        self.requests: list[str] = []

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ocsp"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/crl"

    def issue(self, common_name: str, *, ocsp_url: str | None = None, crl_url: str | None = None) -> Identity:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.root.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=30))
            .not_valid_after(NOW + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root.key.public_key()),
                critical=False,
            )
        )
        if ocsp_url:
            access = x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
            )
            builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
        if crl_url:
            point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        cert = builder.sign(self.root.key, hashes.SHA256())
        self.issued[cert.serial_number] = cert
        return Identity(cert, key)

    def revoke(self, identity: Identity, at: datetime) -> None:
        self.revoked[identity.cert.serial_number] = at

    def crl(self) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.cert.subject)
            .last_update(datetime.now(NOW.tzinfo) - timedelta(minutes=1))
            .next_update(datetime.now(NOW.tzinfo) + timedelta(days=1))
            .add_extension(x509.CRLNumber(len(self.requests)), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root.key.public_key()),
                critical=False,
            )
        )
        for serial, at in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at).build()
            )
        return builder.sign(self.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, body: bytes) -> bytes:
        try:
            request = ocsp.load_der_ocsp_request(body)
        except ValueError:
            response = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
            return response.public_bytes(serialization.Encoding.DER)
        cert = self.issued.get(request.serial_number)
        if cert is None:
            response = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
            return response.public_bytes(serialization.Encoding.DER)
        revoked_at = self.revoked.get(cert.serial_number)
        now = datetime.now(NOW.tzinfo).replace(microsecond=0)
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=cert,
            issuer=self.root.cert,
            algorithm=request.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(minutes=1),
            next_update=now + timedelta(hours=12),
            revocation_time=revoked_at,
            revocation_reason=None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.root.cert)
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        return builder.sign(self.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _handler(authority: RevocationAuthority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            authority.requests.append(f"GET {self.path}")
            if self.path == "/crl":
                self._send(200, "application/pkix-crl", authority.crl())
            elif self.path == "/huge.crl":
                self._send(200, "application/pkix-crl", b"\x30" * (11 * 1024 * 1024))
            else:
                self._send(404, "text/plain", b"not found")

        def do_POST(self) -> None:
            authority.requests.append(f"POST {self.path}")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/ocsp":
                self._send(200, "application/ocsp-response", authority.ocsp_response(body))
            else:
                self._send(404, "text/plain", b"not found")

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


@contextmanager
def revocation_server() -> Iterator[RevocationAuthority]:
    port = free_port()
    authority = RevocationAuthority(f"http://127.0.0.1:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(authority))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="revocation-responder", daemon=True)
    thread.start()
    try:
        yield authority
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
