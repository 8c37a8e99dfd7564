"""Trust maintenance: the EU trusted lists fetched, checked, cached for every worker, and refreshed.

``refresh_trusted_lists()`` (Celery beat ``signing.refresh_trusted_lists``, every 6 hours, and
``manage.py signing refresh-trust``) fetches the LOTL from ``SIGNING_LOTL_URL``, checks its
signature against the LOTL signer certificates, then fetches each national list the LOTL points to
and checks it against the certificates that pointer announces. A list that verifies (fresh or past
its NextUpdate) replaces the cached copy; one that cannot be fetched or does not verify leaves the
last good copy in place and the failure is recorded (``trust_status()``, every validation report).

The cache lives in ``storages["private"]`` so web and worker hosts share it: each list's bytes under
``signing/trusted-lists/<sha256>.xml`` and the state (which copy is current, when fetched, issued,
NextUpdate, the last attempt and failure) as a new ``state/<time>.json`` file per refresh (the last
:data:`KEEP_STATES` kept), so a reader never sees half a state. Lists are fetched with timeouts and at
most :data:`MAX_LIST_BYTES` each, optionally only the territories of ``SIGNING_TRUSTED_LIST_TERRITORIES``;
``SIGNING_TRUSTED_LIST_MIRROR`` serves ``https://host/path`` as ``<mirror>/host/path`` (air-gapped
portals, tests).

``default_trust()`` is what ``validate()`` trusts when given nothing: the cached lists (checked
again when the context is built, a stale list used with a warning) plus the extra anchors of
``SIGNING_TRUST_ANCHORS`` and of the configured signers (the test QTSP's root in the embedded
default). It is built once per process and per cache state, and reused for at most
:data:`CONTEXT_MAX_AGE` seconds (5 minutes) before it is rebuilt and NextUpdate checked again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from .signers import SignerConfigurationError, configured_signer
from .trust import (
    ListStatus,
    TrustContext,
    TrustedListInfo,
    load_certificates,
    lotl_signer_certificates,
    read_trusted_list,
)

logger = logging.getLogger(__name__)

CACHE_FOLDER = "signing/trusted-lists"
STATE_FOLDER = f"{CACHE_FOLDER}/state"
MAX_LIST_BYTES = 20 * 1024 * 1024
KEEP_STATES = 5
CONTEXT_MAX_AGE = 300.0  # seconds: a process re-checks the cache (and NextUpdate) this often


class FetchError(Exception):
    pass


@dataclass
class CachedList:
    url: str
    territory: str
    is_lotl: bool = False
    content_name: str = ""  # the last good copy ("" if there never was one)
    sha256: str = ""
    fetched_at: str | None = None
    issued: str | None = None
    next_update: str | None = None
    status: str = ""  # accepted / stale, at the time it was fetched
    last_attempt_at: str | None = None
    last_error: str = ""  # the last attempt's failure ("" if it succeeded)


@dataclass
class TrustState:
    lotl_url: str = ""
    refreshed_at: str | None = None
    lists: dict[str, CachedList] = field(default_factory=dict)  # by URL

    def lotl(self) -> CachedList | None:
        return next((entry for entry in self.lists.values() if entry.is_lotl), None)

    def failures(self) -> list[CachedList]:
        return [entry for entry in self.lists.values() if entry.last_error]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _storage():
    return storages["private"]


def load_state() -> tuple[str | None, TrustState]:
    """The newest state file (name, state); an empty state if no refresh ever ran."""
    storage = _storage()
    try:
        _, names = storage.listdir(STATE_FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return None, TrustState()
    for name in sorted((n for n in names if n.endswith(".json")), reverse=True):
        path = f"{STATE_FOLDER}/{name}"
        try:
            with storage.open(path, "rb") as handle:
                raw = json.loads(handle.read())
        except (OSError, ValueError):
            logger.warning("trusted-list state %s cannot be read; trying an older one", path)
            continue
        lists = {url: CachedList(**entry) for url, entry in raw.get("lists", {}).items()}
        return path, TrustState(raw.get("lotl_url", ""), raw.get("refreshed_at"), lists)
    return None, TrustState()


def _save_state(state: TrustState) -> str:
    storage = _storage()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    body = json.dumps(
        {
            "lotl_url": state.lotl_url,
            "refreshed_at": state.refreshed_at,
            "lists": {url: asdict(entry) for url, entry in state.lists.items()},
        },
        indent=1,
    ).encode()
    name = storage.save(f"{STATE_FOLDER}/{stamp}-{uuid.uuid4().hex[:8]}.json", ContentFile(body))
    try:
        _, names = storage.listdir(STATE_FOLDER)
        for old in sorted(names, reverse=True)[KEEP_STATES:]:
            storage.delete(f"{STATE_FOLDER}/{old}")
    except OSError:
        logger.warning("old trusted-list states could not be removed", exc_info=True)
    return name


def read_cached(entry: CachedList) -> bytes | None:
    if not entry.content_name:
        return None
    try:
        with _storage().open(entry.content_name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == entry.sha256 else None


def _store_content(data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    name = f"{CACHE_FOLDER}/{digest}.xml"
    storage = _storage()
    if not storage.exists(name):
        name = storage.save(name, ContentFile(data))
    return name, digest


def fetch_url(url: str) -> str:
    """Where ``url`` is actually fetched: through ``SIGNING_TRUSTED_LIST_MIRROR`` when one is set.

    A mirror serves ``https://host/path`` as ``<mirror>/host/path`` (air-gapped portals, tests).
    """
    mirror = settings.SIGNING_TRUSTED_LIST_MIRROR
    if not mirror:
        return url
    parts = urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _fetch(session: requests.Session, url: str) -> bytes:
    target = fetch_url(url)
    try:
        with session.get(target, timeout=(10, 60), stream=True) as answer:
            if answer.status_code != 200:
                raise FetchError(f"HTTP {answer.status_code} from {target}")
            chunks, size = [], 0
            for chunk in answer.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_LIST_BYTES:
                    raise FetchError(f"{target} is larger than {MAX_LIST_BYTES} bytes")
                chunks.append(chunk)
    except requests.RequestException as error:
        raise FetchError(f"{target} cannot be fetched: {type(error).__name__}: {error}") from None
    return b"".join(chunks)


def configured_lotl_signers() -> list[asn1_x509.Certificate]:
    paths = settings.SIGNING_LOTL_SIGNER_CERTS
    if not paths:
        return lotl_signer_certificates()
    certs = []
    for path in paths:
        with open(path, "rb") as handle:
            certs.extend(load_certificates(handle.read()))
    return certs


def _take(
    state: TrustState, entry: CachedList, data: bytes | None, info: TrustedListInfo | None, now: datetime
) -> None:
    """Record one attempt: a verified list becomes the cached copy, anything else is a failure."""
    entry.last_attempt_at = _iso(now)
    if info is None or info.status is ListStatus.REJECTED:
        entry.last_error = info.reason if info is not None else "not fetched"
        logger.error("trusted list %s (%s) not refreshed: %s", entry.territory, entry.url, entry.last_error)
        return
    entry.content_name, entry.sha256 = _store_content(data)
    entry.fetched_at = _iso(now)
    entry.issued, entry.next_update = _iso(info.issued), _iso(info.next_update)
    entry.status = str(info.status)
    entry.last_error = ""
    state.lists[entry.url] = entry


@dataclass
class RefreshResult:
    state_name: str
    refreshed: list[str]  # territories whose copy was replaced
    failed: dict[str, str]  # territory -> reason (the last good copy, if any, is still used)


def refresh_trusted_lists(
    *, at: datetime | None = None, session: requests.Session | None = None
) -> RefreshResult:
    """Fetch, check and cache the LOTL and the national lists. Never raises for a bad list or network."""
    now = at or datetime.now(UTC)
    session = session or requests.Session()
    lotl_url = settings.SIGNING_LOTL_URL
    _, state = load_state()
    state.lotl_url = lotl_url
    refreshed: list[str] = []
    failed: dict[str, str] = {}

    lotl_entry = state.lists.get(lotl_url) or CachedList(lotl_url, "EU", is_lotl=True)
    for url in [u for u, e in state.lists.items() if e.is_lotl and u != lotl_url]:
        del state.lists[url]  # the LOTL URL was reconfigured
    state.lists[lotl_url] = lotl_entry
    try:
        data = _fetch(session, lotl_url)
        info = read_trusted_list(data, configured_lotl_signers(), at=now, name="LOTL", is_lotl=True)
    except (FetchError, OSError, ValueError) as error:
        data, info = None, TrustedListInfo("LOTL", ListStatus.REJECTED, str(error))
    _take(state, lotl_entry, data, info, now)
    (failed.__setitem__("EU", lotl_entry.last_error) if lotl_entry.last_error else refreshed.append("EU"))

    # The pointers come from the LOTL copy now cached (the new one, or the last good one).
    lotl_bytes = read_cached(lotl_entry)
    pointers = []
    if lotl_bytes is not None:
        lotl_info = read_trusted_list(
            lotl_bytes, configured_lotl_signers(), at=now, name="LOTL", is_lotl=True
        )
        pointers = [
            pointer
            for pointer in lotl_info.pointers
            if pointer.territory != "EU"
            and (
                not settings.SIGNING_TRUSTED_LIST_TERRITORIES
                or pointer.territory in settings.SIGNING_TRUSTED_LIST_TERRITORIES
            )
        ]
    wanted = {pointer.location_uri for pointer in pointers}
    for url in [u for u, e in state.lists.items() if not e.is_lotl and u not in wanted]:
        del state.lists[url]  # no longer announced by the LOTL
    for pointer in pointers:
        entry = state.lists.get(pointer.location_uri) or CachedList(pointer.location_uri, pointer.territory)
        state.lists[pointer.location_uri] = entry
        name = f"trusted list {pointer.territory}"
        try:
            data = _fetch(session, pointer.location_uri)
            info = read_trusted_list(data, pointer.tlso_certs, at=now, name=name)
            if info.status is not ListStatus.REJECTED and info.territory != pointer.territory:
                info = TrustedListInfo(
                    name,
                    ListStatus.REJECTED,
                    f"its SchemeTerritory is {info.territory}, not {pointer.territory}",
                )
        except FetchError as error:
            data, info = None, TrustedListInfo(name, ListStatus.REJECTED, str(error))
        _take(state, entry, data, info, now)
        (
            failed.__setitem__(pointer.territory, entry.last_error)
            if entry.last_error
            else refreshed.append(pointer.territory)
        )

    state.refreshed_at = _iso(now)
    state_name = _save_state(state)
    invalidate_default_trust()
    return RefreshResult(state_name, refreshed, failed)


def trust_status() -> dict:
    """For operators: each cached list, its freshness and its last failure."""
    name, state = load_state()
    now = datetime.now(UTC)
    lists = []
    for entry in state.lists.values():
        next_update = datetime.fromisoformat(entry.next_update) if entry.next_update else None
        lists.append(
            {
                **asdict(entry),
                "has_copy": bool(entry.content_name),
                "stale": next_update is None or next_update < now if entry.content_name else None,
            }
        )
    return {"state": name, "lotl_url": state.lotl_url, "refreshed_at": state.refreshed_at, "lists": lists}


def extra_trust_anchors() -> list[asn1_x509.Certificate]:
    """``SIGNING_TRUST_ANCHORS`` (PEM/DER files) plus each configured signer's own roots."""
    anchors: list[asn1_x509.Certificate] = []
    for path in settings.SIGNING_TRUST_ANCHORS:
        try:
            with open(path, "rb") as handle:
                anchors.extend(load_certificates(handle.read()))
        except (OSError, ValueError):
            logger.error("trust anchor %s cannot be read", path, exc_info=True)
    for name in settings.SIGNING_SIGNERS:
        try:
            anchors.extend(configured_signer(name).trust_anchors())
        except (SignerConfigurationError, OSError, ValueError):
            logger.info("signer %s contributes no trust anchor (not set up)", name)
    return anchors


def build_cached_trust(
    state: TrustState, anchors: list[asn1_x509.Certificate], *, at: datetime | None = None
) -> TrustContext:
    """A TrustContext from the cached copies, each checked again (signature, NextUpdate) at ``at``."""
    lotl_entry = state.lotl()
    lotl_bytes = read_cached(lotl_entry) if lotl_entry else None
    national = [
        data
        for entry in state.lists.values()
        if not entry.is_lotl and (data := read_cached(entry)) is not None
    ]
    if lotl_bytes is None:
        context = TrustContext(anchors=list(anchors), use_stale=True)
        context.notices.append(
            "no EU trusted list is cached: only the configured trust anchors are trusted "
            "(run `manage.py signing refresh-trust`)"
        )
    else:
        context = TrustContext.from_trusted_lists(
            lotl_bytes,
            national,
            at=at,
            lotl_signers=configured_lotl_signers(),
            anchors=anchors,
            use_stale=True,
        )
    for entry in state.failures():
        kept = f"the copy fetched {entry.fetched_at} is used" if entry.content_name else "no copy is cached"
        context.notices.append(
            f"trusted list {entry.territory}: the refresh at {entry.last_attempt_at} failed ({entry.last_error}); {kept}"
        )
    return context


_memo: dict = {}
_memo_lock = threading.Lock()


def invalidate_default_trust() -> None:
    with _memo_lock:
        _memo.clear()


def default_trust() -> TrustContext:
    """The portal's trust: cached EU lists plus extra anchors. Shared per process, rebuilt on change."""
    anchors = extra_trust_anchors()
    state_name, state = load_state()
    key = (state_name, tuple(sorted(hashlib.sha256(cert.dump()).hexdigest() for cert in anchors)))
    with _memo_lock:
        built = _memo.get(key)
        if built is not None and time.monotonic() - built[0] < CONTEXT_MAX_AGE:
            return built[1]
    context = build_cached_trust(state, anchors)
    with _memo_lock:
        _memo.clear()
        _memo[key] = (time.monotonic(), context)
    return context
