"""Online revocation fetching: OCSP and CRLs from the certificates' AIA / CRL distribution points.

pyhanko-certvalidator's requests fetchers, bounded: a timeout per request, a cap on the size of
every answer (a CRL or OCSP URL comes from the file being validated, so from anybody), a cap on
the number of requests, and a log of what could not be fetched, so the report can say why a
signature is INDETERMINATE instead of leaving the reader with TRY_LATER alone.
"""

from __future__ import annotations

import threading
from asyncio import to_thread
from dataclasses import dataclass, field

import requests
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers, FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import RequestsCertificateFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher

DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 10 * 1024 * 1024  # the largest national CRLs are a few MiB
MAX_REQUESTS_PER_VALIDATION = 50

USER_AGENT = "psc-portal-signature-validator"


class ResponseTooLarge(requests.RequestException):
    pass


@dataclass
class FetchLog:
    """What was fetched and what failed, for the report's warnings. Shared by the fetchers of one validation."""

    failures: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def failed(self, url: str, error: BaseException) -> None:
        with self._lock:
            message = f"{url}: {_describe(error)}"
            if message not in self.failures:
                self.failures.append(message)

    def succeeded(self, url: str) -> None:
        with self._lock:
            self.fetched.append(url)


def _describe(error: BaseException) -> str:
    if isinstance(error, requests.Timeout):
        return "no answer in time"
    if isinstance(error, requests.ConnectionError):
        return "the server cannot be reached"
    return str(error) or type(error).__name__


class _BoundedMixin:
    """Replaces the mixin's ``_get``/``_post``: streamed, size-capped, logged."""

    fetch_log: FetchLog
    max_bytes: int

    def _bounded(self, method: str, url: str, **kwargs):
        def task() -> requests.Response:
            try:
                response = requests.request(
                    method, url, timeout=self.per_request_timeout, stream=True, allow_redirects=False,
                    **kwargs,
                )  # fmt: skip
                with response:
                    if response.status_code != 200:
                        raise requests.RequestException(f"HTTP status {response.status_code}")
                    declared = response.headers.get("Content-Length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise ResponseTooLarge(f"answer larger than {self.max_bytes} bytes")
                    body = bytearray()
                    for chunk in response.iter_content(64 * 1024):
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise ResponseTooLarge(f"answer larger than {self.max_bytes} bytes")
                    response._content = bytes(body)
            except requests.RequestException as error:
                self.fetch_log.failed(url, error)
                raise
            self.fetch_log.succeeded(url)
            return response

        return to_thread(task)

    def _get(self, url, *, acceptable_content_types):
        headers = {"Accept": ",".join(acceptable_content_types), "User-Agent": USER_AGENT}
        return self._bounded("GET", url, headers=headers)

    def _post(self, url, data, *, content_type, acceptable_content_types):
        headers = {
            "Accept": ",".join(acceptable_content_types),
            "User-Agent": USER_AGENT,
            "Content-Type": content_type,
        }
        return self._bounded("POST", url, headers=headers, data=data)


class _OCSPFetcher(_BoundedMixin, RequestsOCSPFetcher):
    pass


class _CRLFetcher(_BoundedMixin, RequestsCRLFetcher):
    pass


class _CertificateFetcher(_BoundedMixin, RequestsCertificateFetcher):
    pass


class BoundedFetcherBackend(FetcherBackend):
    """One per validation: its ``log`` collects the failures of every fetcher it hands out."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_bytes: int = MAX_RESPONSE_BYTES,
        max_requests: int = MAX_REQUESTS_PER_VALIDATION,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.limits = FetchLimits(max_requests=max_requests, max_cert_requests=max_requests // 2)
        self.log = FetchLog()

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(self.limits)
        fetchers = []
        for cls in (_OCSPFetcher, _CRLFetcher, _CertificateFetcher):
            fetcher = cls(user_agent=USER_AGENT, per_request_timeout=self.timeout, budget=budget)
            fetcher.fetch_log = self.log
            fetcher.max_bytes = self.max_bytes
            fetchers.append(fetcher)
        ocsp_fetcher, crl_fetcher, cert_fetcher = fetchers
        return Fetchers(ocsp_fetcher=ocsp_fetcher, crl_fetcher=crl_fetcher, cert_fetcher=cert_fetcher)

    async def close(self) -> None:
        return None
