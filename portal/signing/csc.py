"""A CSC API v2 client on top of pyHanko's CSC signer (which speaks CSC 1.0.4).

The adapter is thin: pyHanko's ``CSCSigner`` builds the CMS and asks for a signature over one hash;
we send its request in v2 shape (``hashes``, ``hashAlgorithmOID`` under ``/csc/v2/``) and obtain
the SAD the v2 way: the user consents to exactly those hashes at the QTSP (OAuth2 authorization
code flow, scope ``credential``), the code becomes a credential token, and ``credentials/authorize``
turns that token into a SAD bound to the hashes.

How the user's consent is obtained is an ``Authorization``: the portal's web flow redirects the
user; ``AutomaticTestConsent`` answers the consent page of the bundled test QTSP itself (CLI,
tests, the embedded demo) and must never be pointed at a real QTSP. When pyHanko asks for a SAD,
:class:`ConsentAuthorizationManager` has the ``Authorization`` obtain a credential token for exactly
the hashes about to be signed, then calls ``credentials/authorize``. pyHanko's
``fetch_certs_in_csc_credential`` reads the v2 ``credentials/info``. The QTSP's refusal is kept as
:class:`CSCError` with what it answered, instead of pyHanko's generic message.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp
from asn1crypto import algos
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
)

TIMEOUT = aiohttp.ClientTimeout(total=30)


class CSCError(SigningError):
    """The QTSP refused or failed; the message says what it answered."""


@dataclass(frozen=True)
class CSCService:
    """Where a CSC v2 service lives and how the portal authenticates to it (OAuth2 client)."""

    service_url: str
    client_id: str
    client_secret: str
    credential_id: str

    @property
    def session_url(self) -> str:
        return self.service_url.rstrip("/")

    def authorization_url(
        self, hashes_b64: list[str], hash_algorithm_oid: str, redirect_uri: str, state: str
    ) -> str:
        """Where to send the user to consent to signing exactly ``hashes_b64`` (CSC v2 §8.4.2)."""
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "credential",
            "credentialID": self.credential_id,
            "numSignatures": str(len(hashes_b64)),
            "hashes": ",".join(_b64url(h) for h in hashes_b64),
            "hashAlgorithmOID": hash_algorithm_oid,
            "state": state,
        }
        return f"{self.session_url}/oauth2/authorize?{urlencode(query)}"

    async def _token(self, session: aiohttp.ClientSession, **form: str) -> str:
        form = {"client_id": self.client_id, "client_secret": self.client_secret, **form}
        async with session.post(f"{self.session_url}/oauth2/token", data=form, timeout=TIMEOUT) as response:
            data = await _json_or_error(response, "oauth2/token")
        return str(data["access_token"])

    async def service_token(self, session: aiohttp.ClientSession) -> str:
        return await self._token(session, grant_type="client_credentials")

    async def credential_token(self, session: aiohttp.ClientSession, code: str, redirect_uri: str) -> str:
        return await self._token(
            session, grant_type="authorization_code", code=code, redirect_uri=redirect_uri
        )

    async def list_credentials(self, session: aiohttp.ClientSession, token: str) -> list[str]:
        data = await self.call(session, "credentials/list", {}, token)
        return list(data.get("credentialIDs", []))

    async def call(self, session: aiohttp.ClientSession, method: str, body: dict, token: str) -> dict:
        async with session.post(
            f"{self.session_url}/csc/v2/{method}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        ) as response:
            return await _json_or_error(response, method)


async def _json_or_error(response: aiohttp.ClientResponse, what: str) -> dict:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        data = {}
    if response.status != 200 or not isinstance(data, dict):
        detail = data.get("error_description") or data.get("error") if isinstance(data, dict) else ""
        raise CSCError(f"the QTSP refused {what}: HTTP {response.status} {detail or ''}".strip())
    return data


def _b64url(value_b64: str) -> str:
    return base64.urlsafe_b64encode(base64.b64decode(value_b64)).decode("ascii").rstrip("=")


class Authorization(Protocol):
    """Obtains the user's consent to sign ``hashes_b64`` and returns a credential-scoped token."""

    async def credential_token(
        self,
        session: aiohttp.ClientSession,
        service: CSCService,
        hashes_b64: list[str],
        hash_algorithm_oid: str,
    ) -> str: ...


_TRANSACTION = re.compile(r'name="transaction" value="([^"]+)"')
_ONE_TIME_CODE = re.compile(r'<output id="one-time-code">(\d+)</output>')


@dataclass
class AutomaticTestConsent:
    """Answers the bundled test QTSP's consent page as the user would: read the one-time code shown
    there, type it back, take the authorization code from the redirect. ``one_time_code`` overrides
    what is typed (tests of a wrong code)."""

    one_time_code: str | None = None
    redirect_uri: str = "http://127.0.0.1/signing/csc-callback"

    async def credential_token(
        self,
        session: aiohttp.ClientSession,
        service: CSCService,
        hashes_b64: list[str],
        hash_algorithm_oid: str,
    ) -> str:
        state = secrets.token_urlsafe(12)
        url = service.authorization_url(hashes_b64, hash_algorithm_oid, self.redirect_uri, state)
        async with session.get(url, timeout=TIMEOUT) as response:
            page = await response.text()
            if response.status != 200:
                raise CSCError(
                    f"the QTSP refused the authorisation request: HTTP {response.status} {page[:200]}"
                )
        transaction, shown_code = _TRANSACTION.search(page), _ONE_TIME_CODE.search(page)
        if not transaction or not shown_code:
            raise CSCError("the QTSP's consent page has no one-time code to answer")
        answer = {
            "transaction": transaction.group(1),
            "otp": self.one_time_code or shown_code.group(1),
            "decision": "approve",
        }
        async with session.post(
            urljoin(url, "/oauth2/authorize"), data=answer, allow_redirects=False, timeout=TIMEOUT
        ) as response:
            location = response.headers.get("Location", "")
            if response.status != 302:
                raise CSCError(f"the QTSP did not accept the consent: HTTP {response.status}")
        return await service.credential_token(session, authorization_code(location, state), self.redirect_uri)


def authorization_code(redirect_location: str, expected_state: str) -> str:
    """The ``code`` of the QTSP's redirect back to the portal, after checking ``state``."""
    params = {key: values[0] for key, values in parse_qs(urlsplit(redirect_location).query).items()}
    if params.get("state") != expected_state:
        raise CSCError("the QTSP's answer does not belong to this signing request (state differs)")
    if "error" in params or "code" not in params:
        raise CSCError(f"the user did not authorise the signature ({params.get('error', 'no code')})")
    return params["code"]


@dataclass
class ReturnedConsent:
    """The user consented at the QTSP and came back with ``code``: exchange it for the credential
    token. The QTSP, not we, checks that the consent was for the hashes now being signed."""

    code: str
    redirect_uri: str

    async def credential_token(
        self,
        session: aiohttp.ClientSession,
        service: CSCService,
        hashes_b64: list[str],
        hash_algorithm_oid: str,
    ) -> str:
        return await service.credential_token(session, self.code, self.redirect_uri)


class ConsentAuthorizationManager(CSCAuthorizationManager):
    """pyHanko asks for a SAD for the hashes it is about to sign: get the user's consent to those
    hashes, then ``credentials/authorize`` (v2) with the resulting credential token."""

    def __init__(
        self,
        session_info: CSCServiceSessionInfo,
        credential_info: CSCCredentialInfo,
        *,
        session: aiohttp.ClientSession,
        service: CSCService,
        authorization: Authorization,
        md_algorithm: str,
    ) -> None:
        super().__init__(session_info, credential_info)
        self.session, self.service, self.authorization = session, service, authorization
        self.hash_algorithm_oid = algos.DigestAlgorithmId(md_algorithm).dotted

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        token = await self.authorization.credential_token(
            self.session, self.service, hash_b64s, self.hash_algorithm_oid
        )
        body = {
            "credentialID": self.service.credential_id,
            "numSignatures": len(hash_b64s),
            "hashes": hash_b64s,
            "hashAlgorithmOID": self.hash_algorithm_oid,
        }
        return self.parse_csc_auth_response(
            await self.service.call(self.session, "credentials/authorize", body, token)
        )


class CSCv2Signer(CSCSigner):
    """pyHanko's CSC signer, its signHash request rewritten to the v2 shape."""

    async def format_csc_signing_req(self, tbs_hashes: list[str], digest_algorithm: str) -> dict:
        request = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        request["hashes"] = request.pop("hash")
        request["hashAlgorithmOID"] = request.pop("hashAlgo")
        return request

    commit_error: Exception | None = None

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        # pyHanko logs a failed commit and raises "No signing results available": keep the reason.
        self.commit_error = None
        try:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=dry_run)
        except SigningError:
            if self.commit_error is not None:
                raise self.commit_error from None
            raise

    async def _do_commit(self, batch) -> None:
        try:
            await super()._do_commit(batch)
        except SigningError as error:
            cause = error.__cause__
            if isinstance(cause, aiohttp.ClientResponseError):
                error = CSCError(f"the QTSP refused signatures/signHash: HTTP {cause.status} {cause.message}")
            self.commit_error = error
            raise error
