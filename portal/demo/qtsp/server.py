"""The test QTSP as one WSGI application on 127.0.0.1: PKI services and a CSC v2 remote signing API.

PKI:   GET  /pki/root.crt, /pki/issuing-ca.crt     CA certificates (DER)
       GET  /pki/crl/root.crl                      CRL of the root (covers the issuing CA)
       POST /pki/ocsp                              OCSP (RFC 6960) for what the issuing CA issued
       POST /pki/tsa                               time stamps (RFC 3161)
OAuth2 (credential authorisation, CSC v2 section 8):
       GET  /oauth2/authorize?response_type=code&client_id&redirect_uri&scope=credential
            &credentialID&numSignatures&hashes&hashAlgorithmOID&state
            -> consent page that shows what is signed and a one-time code the user types back
       POST /oauth2/authorize                      the user's answer -> 302 redirect_uri?code&state
       POST /oauth2/token                          authorization_code | client_credentials
CSC v2 (JSON, Bearer token):
       POST /csc/v2/info, credentials/list, credentials/info, credentials/authorize,
            signatures/signHash

The PKI (``pki.py``) is generated on first start into ``STORAGE_ROOT/test-qtsp/<host>-<port>/``: the
OCSP and CRL URLs are baked into the certificates, so each address has its own folder. The CRL is
issued afresh on every request; OCSP answers revocations recorded in the folder's ``revoked.json``.

Consent: ``GET /oauth2/authorize`` checks the client, a redirect URI on loopback (or an explicitly allowed
host), ``credentialID``, a SHA-2 ``hashAlgorithmOID`` and hashes of its length, then shows a page listing
the document fingerprints and a six-digit one-time code (a real QTSP sends it by SMS or an app; here it is
shown, in ``#one-time-code``) which the user types back. :data:`MAX_OTP_ATTEMPTS` wrong codes or "Cancel"
redirect with ``error=access_denied``. The redirect carries a single-use code (:data:`CODE_SECONDS`),
which ``/oauth2/token`` exchanges, with the same redirect URI, for a credential token.

Hash binding: the consent names the hashes; the credential token carries them; credentials/authorize
gives a SAD only for hashes the user consented to (each hash once, same algorithm), and signHash signs
only exactly the hashes of its SAD, once. Consents, codes, tokens and SADs expire (``*_SECONDS``).
State lives in memory: a restart forgets pending consents, tokens and SADs.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.x509 import ocsp
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import pki as test_pki

logger = logging.getLogger(__name__)

CONSENT_SECONDS = 300
CODE_SECONDS = 120
TOKEN_SECONDS = 600
SAD_SECONDS = 300
MAX_OTP_ATTEMPTS = 3
MAX_BODY = 1024 * 1024

_DIGESTS = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(),
    "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}
# signAlgo -> the digest it implies (None: rsaEncryption, the digest comes from hashAlgorithmOID)
_SIGN_ALGOS = {
    "1.2.840.113549.1.1.1": None,
    "1.2.840.113549.1.1.11": "2.16.840.1.101.3.4.2.1",
    "1.2.840.113549.1.1.12": "2.16.840.1.101.3.4.2.2",
    "1.2.840.113549.1.1.13": "2.16.840.1.101.3.4.2.3",
}
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class HttpError(Exception):
    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(description or error)
        self.status, self.error, self.description = status, error, description


@dataclass
class _Consent:
    client_id: str
    redirect_uri: str
    state: str
    credential_id: str
    hashes: tuple[str, ...]
    hash_algorithm: str
    one_time_code: str
    expires: float
    attempts: int = 0


@dataclass
class _Grant:
    """What an authorization code, a token or a SAD allows."""

    scope: str  # "service" | "credential" | "sad"
    client_id: str
    expires: float
    credential_id: str | None = None
    hashes: frozenset[str] = field(default_factory=frozenset)
    hash_algorithm: str | None = None
    redirect_uri: str | None = None
    used: bool = False


def _b64decode(value: str) -> bytes:
    """Standard or URL-safe base64 (the OAuth2 step uses base64url, the JSON API base64)."""
    padded = value + "=" * (-len(value) % 4)
    for altchars in (None, b"-_"):
        try:
            return base64.b64decode(padded, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
    raise HttpError(400, "invalid_request", f"not base64: {value[:20]!r}")


def _string_list(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise HttpError(400, "invalid_request", "hashes must be a list of base64 strings")
    return value


def _normalise_hash(value: str) -> str:
    """Hashes are compared in one spelling: standard base64 with padding."""
    return base64.b64encode(_b64decode(value)).decode("ascii")


class TestQTSP:
    def __init__(self, pki: test_pki.TestPKI, *, allowed_redirect_hosts: Iterable[str] = ()) -> None:
        self.pki = pki
        self.client_id, self.client_secret = test_pki.client_credentials(pki.folder)
        self.allowed_redirect_hosts = _LOCAL_HOSTS | set(allowed_redirect_hosts)
        self._lock = threading.Lock()
        self._consents: dict[str, _Consent] = {}
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, _Grant] = {}
        self._sads: dict[str, _Grant] = {}
        tsa = pki[test_pki.TSA]
        self._timestamper = DummyTimeStamper(
            tsa_cert=tsa.asn1_cert,
            tsa_key=tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs([pki[test_pki.ISSUING].asn1_cert]),
        )
        self._routes: dict[tuple[str, str], Callable] = {
            ("GET", "/pki/root.crt"): lambda env: self._cert(test_pki.ROOT),
            ("GET", "/pki/issuing-ca.crt"): lambda env: self._cert(test_pki.ISSUING),
            ("GET", "/pki/crl/root.crl"): self._crl,
            ("POST", "/pki/ocsp"): self._ocsp,
            ("POST", "/pki/tsa"): self._tsa,
            ("GET", "/oauth2/authorize"): self._authorize_page,
            ("POST", "/oauth2/authorize"): self._authorize_answer,
            ("POST", "/oauth2/token"): self._token,
            ("POST", "/csc/v2/info"): self._info,
            ("GET", "/csc/v2/info"): self._info,
            ("POST", "/csc/v2/credentials/list"): self._credentials_list,
            ("POST", "/csc/v2/credentials/info"): self._credentials_info,
            ("POST", "/csc/v2/credentials/authorize"): self._credentials_authorize,
            ("POST", "/csc/v2/signatures/signHash"): self._sign_hash,
        }

    # --- WSGI -----------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        handler = self._routes.get((method, path))
        try:
            if handler is None:
                raise HttpError(404, "not_found", f"{method} {path}")
            status, content_type, body, headers = handler(environ)
        except HttpError as error:
            status, content_type = error.status, "application/json"
            body = json.dumps({"error": error.error, "error_description": error.description}).encode()
            headers = []
        except Exception:
            logger.exception("test QTSP failed on %s %s", method, path)
            status, content_type, body, headers = 500, "application/json", b'{"error":"server_error"}', []
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                  404: "Not Found", 500: "Internal Server Error"}.get(status, "Error")  # fmt: skip
        start_response(
            f"{status} {reason}",
            [("Content-Type", content_type), ("Content-Length", str(len(body))),
             ("Cache-Control", "no-store"), *headers],
        )  # fmt: skip
        return [body]

    @staticmethod
    def _body(environ: dict) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            raise HttpError(400, "invalid_request", "request too large")
        return environ["wsgi.input"].read(length) if length else b""

    def _json(self, environ: dict) -> dict:
        try:
            data = json.loads(self._body(environ) or b"{}")
        except ValueError:
            raise HttpError(400, "invalid_request", "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HttpError(400, "invalid_request", "the body is not a JSON object")
        return data

    def _form(self, environ: dict) -> dict[str, str]:
        fields = parse_qs(self._body(environ).decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in fields.items()}

    @staticmethod
    def _reply(data: dict, status: int = 200):
        return status, "application/json", json.dumps(data).encode(), []

    def _bearer(self, environ: dict) -> _Grant:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        with self._lock:
            grant = self._tokens.get(token)
        if grant is None or grant.expires < time.time():
            raise HttpError(401, "invalid_token", "missing, unknown or expired access token")
        return grant

    # --- PKI ------------------------------------------------------------------------------------
    def _cert(self, name: str):
        return 200, "application/pkix-cert", self.pki[name].cert.public_bytes(serialization.Encoding.DER), []

    def _crl(self, environ: dict):
        root = self.pki[test_pki.ROOT]
        now = datetime.now(UTC).replace(microsecond=0)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(root.cert.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + timedelta(days=7))
            .add_extension(x509.CRLNumber(int(time.time())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key()), critical=False
            )
        )
        revoked = self.pki.revoked()
        serial = self.pki[test_pki.ISSUING].cert.serial_number
        if serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(revoked[serial])
                .build()
            )
        crl = builder.sign(root.key, hashes.SHA256())
        return 200, "application/pkix-crl", crl.public_bytes(serialization.Encoding.DER), []

    def _ocsp(self, environ: dict):
        responder, issuing = self.pki[test_pki.OCSP], self.pki[test_pki.ISSUING]
        try:
            request = ocsp.load_der_ocsp_request(self._body(environ))
        except ValueError:
            body = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
            return 200, "application/ocsp-response", body.public_bytes(serialization.Encoding.DER), []
        issued = self.pki.issued_by_issuing_ca()
        cert = issued.get(request.serial_number)
        if cert is None or request.issuer_key_hash != _key_hash(issuing.cert, request.hash_algorithm):
            body = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
            return 200, "application/ocsp-response", body.public_bytes(serialization.Encoding.DER), []
        now = datetime.now(UTC).replace(microsecond=0)
        revoked_at = self.pki.revoked().get(cert.serial_number)
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=cert,
            issuer=issuing.cert,
            algorithm=request.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(minutes=1),
            next_update=now + timedelta(days=1),
            revocation_time=revoked_at,
            revocation_reason=None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert).certificates(
            [responder.cert]
        )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(responder.key, hashes.SHA256())
        return 200, "application/ocsp-response", response.public_bytes(serialization.Encoding.DER), []

    def _tsa(self, environ: dict):
        try:
            request = tsp.TimeStampReq.load(self._body(environ))
            _ = request.native  # parse fully now, so bad input is a 400 and not a crash later
        except ValueError:
            raise HttpError(400, "invalid_request", "not an RFC 3161 TimeStampReq") from None
        response = self._timestamper.request_tsa_response(request)
        return 200, "application/timestamp-reply", response.dump(), []

    # --- OAuth2 ---------------------------------------------------------------------------------
    def _check_client(self, client_id: str, client_secret: str | None = None) -> None:
        if not hmac.compare_digest(client_id or "", self.client_id):
            raise HttpError(401, "invalid_client", "unknown client")
        if client_secret is not None and not hmac.compare_digest(client_secret, self.client_secret):
            raise HttpError(401, "invalid_client", "wrong client secret")

    def _authorize_page(self, environ: dict):
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self._check_client(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if urlsplit(redirect_uri).hostname not in self.allowed_redirect_hosts:
            raise HttpError(400, "invalid_request", "redirect_uri is not registered for this client")
        if query.get("response_type") != "code" or query.get("scope") != "credential":
            raise HttpError(400, "unsupported_response_type", "response_type=code and scope=credential only")
        if query.get("credentialID") != test_pki.SIGNER_CREDENTIAL_ID:
            raise HttpError(400, "invalid_request", "unknown credentialID")
        hash_algorithm = query.get("hashAlgorithmOID", "")
        if hash_algorithm not in _DIGESTS:
            raise HttpError(400, "invalid_request", "hashAlgorithmOID must be SHA-256, SHA-384 or SHA-512")
        hashes_ = tuple(_normalise_hash(h) for h in query.get("hashes", "").split(",") if h)
        if not hashes_ or str(len(hashes_)) != query.get("numSignatures", str(len(hashes_))):
            raise HttpError(400, "invalid_request", "hashes missing or not numSignatures of them")
        if any(len(base64.b64decode(h)) != _DIGESTS[hash_algorithm].digest_size for h in hashes_):
            raise HttpError(400, "invalid_request", "a hash does not have the length of hashAlgorithmOID")
        self._forget_expired()
        transaction = secrets.token_urlsafe(16)
        consent = _Consent(
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            state=query.get("state", ""),
            credential_id=test_pki.SIGNER_CREDENTIAL_ID,
            hashes=hashes_,
            hash_algorithm=hash_algorithm,
            one_time_code=f"{secrets.randbelow(10**6):06d}",
            expires=time.time() + CONSENT_SECONDS,
        )
        with self._lock:
            self._consents[transaction] = consent
        return 200, "text/html; charset=utf-8", self._consent_html(transaction, consent).encode(), []

    def _forget_expired(self) -> None:
        now = time.time()
        with self._lock:
            for store in (self._consents, self._codes, self._tokens, self._sads):
                for key in [key for key, entry in store.items() if entry.expires < now]:
                    del store[key]

    def _consent_html(self, transaction: str, consent: _Consent, problem: str = "") -> str:
        signer = self.pki[test_pki.SIGNER].cert.subject.rfc4514_string()
        items = "".join(
            f"<li><code>{html.escape(base64.b64decode(h).hex())}</code></li>" for h in consent.hashes
        )
        alert = f'<p role="alert" class="problem">{html.escape(problem)}</p>' if problem else ""
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorise signing - PSC test QTSP</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>Authorise a signature</h1>
<p>The Point of Single Contact asks to sign {len(consent.hashes)} document(s) with your certificate
<strong>{html.escape(signer)}</strong>. Only these document fingerprints will be signed:</p>
<ul>{items}</ul>
<p>This is a test trust service. A real one sends you the code by SMS or an app; here it is shown:
<output id="one-time-code">{consent.one_time_code}</output></p>
{alert}
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="transaction" value="{html.escape(transaction)}">
<label for="otp">One-time code</label>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit" name="decision" value="approve">Sign</button>
<button type="submit" name="decision" value="deny" formnovalidate>Cancel</button>
</form></main></body></html>"""

    def _authorize_answer(self, environ: dict):
        form = self._form(environ)
        transaction = form.get("transaction", "")
        with self._lock:
            consent = self._consents.get(transaction)
            if consent is None or consent.expires < time.time():
                self._consents.pop(transaction, None)
                raise HttpError(400, "invalid_request", "unknown or expired authorisation; start again")
            if form.get("decision") == "deny":
                del self._consents[transaction]
                return self._redirect(consent, error="access_denied")
            if not hmac.compare_digest(form.get("otp", "").strip(), consent.one_time_code):
                consent.attempts += 1
                if consent.attempts >= MAX_OTP_ATTEMPTS:
                    del self._consents[transaction]
                    return self._redirect(consent, error="access_denied")
                page = self._consent_html(transaction, consent, "The one-time code is wrong.")
                return 403, "text/html; charset=utf-8", page.encode(), []
            del self._consents[transaction]
            code = secrets.token_urlsafe(24)
            self._codes[code] = _Grant(
                scope="credential",
                client_id=consent.client_id,
                expires=time.time() + CODE_SECONDS,
                credential_id=consent.credential_id,
                hashes=frozenset(consent.hashes),
                hash_algorithm=consent.hash_algorithm,
                redirect_uri=consent.redirect_uri,
            )
        return self._redirect(consent, code=code)

    @staticmethod
    def _redirect(consent: _Consent, **params: str):
        query = urlencode({**params, "state": consent.state})
        separator = "&" if "?" in consent.redirect_uri else "?"
        return 302, "text/plain", b"", [("Location", f"{consent.redirect_uri}{separator}{query}")]

    def _token(self, environ: dict):
        form = self._form(environ)
        self._check_client(form.get("client_id", ""), form.get("client_secret", ""))
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            grant = _Grant(scope="service", client_id=self.client_id, expires=time.time() + TOKEN_SECONDS)
        elif grant_type == "authorization_code":
            with self._lock:
                code_grant = self._codes.pop(form.get("code", ""), None)  # single use
            if code_grant is None or code_grant.expires < time.time():
                raise HttpError(400, "invalid_grant", "unknown, used or expired authorization code")
            if code_grant.redirect_uri != form.get("redirect_uri"):
                raise HttpError(400, "invalid_grant", "redirect_uri differs from the authorisation request")
            grant = _Grant(**{**code_grant.__dict__, "expires": time.time() + TOKEN_SECONDS})
        else:
            raise HttpError(400, "unsupported_grant_type", "authorization_code or client_credentials")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = grant
        return self._reply(
            {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS, "scope": grant.scope}
        )

    # --- CSC v2 ---------------------------------------------------------------------------------
    def _info(self, environ: dict):
        base = self.pki.service_url
        return self._reply(
            {
                "specs": "2.0.0.0",
                "name": "PSC test QTSP",
                "logo": "",
                "region": "BE",
                "lang": "en",
                "description": "A test trust service for the Point of Single Contact: not qualified, not trusted.",
                "authType": ["oauth2code", "oauth2client"],
                "oauth2": base,
                "oauth2Issuer": base,
                "methods": [
                    "credentials/list",
                    "credentials/info",
                    "credentials/authorize",
                    "signatures/signHash",
                ],
            }
        )

    def _credentials_list(self, environ: dict):
        self._bearer(environ)
        return self._reply({"credentialIDs": [test_pki.SIGNER_CREDENTIAL_ID]})

    def _credentials_info(self, environ: dict):
        self._bearer(environ)
        request = self._json(environ)
        if request.get("credentialID") != test_pki.SIGNER_CREDENTIAL_ID:
            raise HttpError(400, "invalid_request", "unknown credentialID")
        signer, issuing = self.pki[test_pki.SIGNER].cert, self.pki[test_pki.ISSUING].cert
        wanted = request.get("certificates", "single")
        chain = [signer] if wanted == "single" else [signer, issuing] if wanted == "chain" else []
        return self._reply(
            {
                "description": "Signing certificate of the test user",
                "key": {
                    "status": "enabled",
                    "algo": sorted(_SIGN_ALGOS),
                    "len": signer.public_key().key_size,
                },
                "cert": {
                    "status": "valid",
                    "certificates": [
                        base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain
                    ],
                    "issuerDN": signer.issuer.rfc4514_string(),
                    "serialNumber": format(signer.serial_number, "x"),
                    "subjectDN": signer.subject.rfc4514_string(),
                    "validFrom": signer.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                    "validTo": signer.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
                },
                "authMode": "oauth2code",
                "SCAL": "2",
                "multisign": 10,
                "lang": "en",
            }
        )

    def _credentials_authorize(self, environ: dict):
        token = self._bearer(environ)
        request = self._json(environ)
        if token.scope != "credential" or token.credential_id != request.get("credentialID"):
            raise HttpError(403, "access_denied", "the token does not authorise this credential")
        hashes_ = [_normalise_hash(h) for h in _string_list(request.get("hashes"))]
        if not hashes_ or str(len(hashes_)) != str(request.get("numSignatures", len(hashes_))):
            raise HttpError(400, "invalid_request", "hashes missing or not numSignatures of them")
        if request.get("hashAlgorithmOID", token.hash_algorithm) != token.hash_algorithm:
            raise HttpError(403, "access_denied", "hashAlgorithmOID differs from the consent")
        if not set(hashes_) <= token.hashes:
            raise HttpError(403, "access_denied", "the user did not consent to sign these hashes")
        sad = secrets.token_urlsafe(32)
        with self._lock:
            token.hashes = token.hashes - set(hashes_)  # a consented hash can be authorised once
            self._sads[sad] = _Grant(
                scope="sad",
                client_id=token.client_id,
                expires=time.time() + SAD_SECONDS,
                credential_id=token.credential_id,
                hashes=frozenset(hashes_),
                hash_algorithm=token.hash_algorithm,
            )
        return self._reply({"SAD": sad, "expiresIn": SAD_SECONDS})

    def _sign_hash(self, environ: dict):
        self._bearer(environ)
        request = self._json(environ)
        credential_id = request.get("credentialID")
        hashes_ = [_normalise_hash(h) for h in _string_list(request.get("hashes"))]
        hash_algorithm = request.get("hashAlgorithmOID")
        sign_algorithm = request.get("signAlgo")
        with self._lock:
            sad = self._sads.get(str(request.get("SAD", "")))
            if sad is None or sad.used or sad.expires < time.time():
                raise HttpError(400, "invalid_request", "invalid, used or expired SAD")
            if sad.credential_id != credential_id:
                raise HttpError(400, "invalid_request", "the SAD was issued for another credential")
            if not hashes_ or set(hashes_) != sad.hashes:
                raise HttpError(400, "invalid_request", "the hashes are not the ones the SAD was issued for")
            sad.used = True
        if sign_algorithm not in _SIGN_ALGOS:
            raise HttpError(400, "invalid_request", f"signAlgo {sign_algorithm} is not supported")
        implied = _SIGN_ALGOS[sign_algorithm]
        hash_algorithm = hash_algorithm or implied
        if hash_algorithm != sad.hash_algorithm or (implied and implied != hash_algorithm):
            raise HttpError(
                400, "invalid_request", "hashAlgorithmOID does not match signAlgo and the consent"
            )
        digest = _DIGESTS[hash_algorithm]
        key = self.pki[test_pki.SIGNER].key
        signatures = [
            base64.b64encode(
                key.sign(base64.b64decode(h), padding.PKCS1v15(), utils.Prehashed(digest))
            ).decode()
            for h in hashes_
        ]
        return self._reply({"signatures": signatures})


def _key_hash(cert: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    digest = hashes.Hash(algorithm)
    public = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # The key hash covers the subjectPublicKey BIT STRING contents, not the whole SPKI.
    digest.update(asn1_keys.PublicKeyInfo.load(public)["public_key"].contents[1:])
    return digest.finalize()


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        logger.info("%s - %s", self.address_string(), format % args)


def make_test_qtsp_server(pki: test_pki.TestPKI, host: str, port: int) -> WSGIServer:
    return make_server(host, port, TestQTSP(pki), server_class=_ThreadingServer, handler_class=_QuietHandler)
