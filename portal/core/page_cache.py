"""Whole-page cache for anonymous visitors of public pages (the catalogue).

:class:`AnonymousPageCacheMiddleware` sits before the session middleware. A page is stored only when its
view opted in (:func:`allow_anonymous_caching`: home, catalogue and procedure pages, a procedure's
JSON-LD) and the exchange proves it holds nothing personal:

* the request is a GET (HEAD is served from the cache too) without a query string, without an
  ``Authorization`` header and without any cookie but the CSRF and language ones;
* the response is a non-streaming 200 that sets no cookie (a ``{% csrf_token %}`` on the page sets one,
  so such a page is never stored), is neither private, no-store nor no-cache, and varies on nothing but
  Accept, Accept-Language, Accept-Encoding or Cookie.

The key is host + negotiated type (HTML or JSON-LD) + path; the store is Django's cache (the file cache
on the embedded default, Redis otherwise: shared by every web process). Hits skip sessions,
authentication, routing and rendering.

Every entry carries the catalogue *generation* it was rendered in (a random value under
:data:`GENERATION_KEY`); :func:`invalidate` (``procedures/signals.py``: publishing, unpublishing, moving,
saving or deleting a page, a catalogue snippet, a site or a locale) starts a new one at once and again on
commit, because a page rendered in between read the rows as they were, so no visitor sees an old version
after an editor publishes. Without a generation nothing is stored until one exists.
``PORTAL_PAGE_CACHE_SECONDS`` (default 300, 0 switches the cache off) bounds what nothing signals (a
deployment with new templates).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import cc_delim_re

GENERATION_KEY = "page-cache:generation"
_MARK = "portal_anonymous_cacheable"
# what the key already accounts for (path, host, negotiated type) or what cannot differ for a visitor
# without cookies
_UNDERSTOOD_VARY = {"accept", "accept-language", "accept-encoding", "cookie"}
NEGOTIATED_TYPES = ["text/html", "application/ld+json"]


def allow_anonymous_caching(response: HttpResponse) -> HttpResponse:
    """Mark a public page's response as the same for every anonymous visitor."""
    setattr(response, _MARK, True)
    return response


def invalidate() -> None:
    """Forget every stored page (lazily: entries of an older generation are never served).

    Once now, and again when the surrounding transaction commits: a page rendered in between read
    the rows as they were before the change and must not be served as current."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _timeout() -> int:
    return int(getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", 0))


def _key(request: HttpRequest) -> str | None:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return None
    # the CSRF token and the language choice never change what a public page shows; any other cookie
    # (a session, pending messages) may
    harmless = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    if "HTTP_AUTHORIZATION" in request.META or set(request.COOKIES) - harmless:
        return None
    try:
        host = request.get_host()
    except Exception:  # a disallowed host: let the normal stack answer it
        return None
    wanted = request.get_preferred_type(NEGOTIATED_TYPES) or "none"
    return f"page-cache:{host}:{wanted}:{request.path}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if not getattr(response, _MARK, False) or request.method != "GET":
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    varies = {
        header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header.strip()
    }
    return varies <= _UNDERSTOOD_VARY


class AnonymousPageCacheMiddleware:
    """Serve stored public pages to visitors without a session; place before SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = _timeout()
        key = _key(request) if timeout > 0 else None
        if key is None:
            return self.get_response(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        if generation and entry and entry[0] == generation:
            _, content, headers = entry
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if _storable(request, response):
            if generation:
                cache.set(key, (generation, response.content, list(response.items())), timeout)
            else:  # the page may predate a generation that was lost: store from the next one on
                _new_generation()
        return response
