from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.core.selectors import health_checks

# A portal without workers still serves pages; it is degraded, not down.
_ESSENTIAL = {"database", "cache", "storage", "broker"}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = health_checks()
    healthy = all(check.ok for check in checks if check.name in _ESSENTIAL)
    body = {
        "status": ("ok" if all(c.ok for c in checks) else "degraded") if healthy else "failing",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the visitor's language in a cookie (for the bare address) and go on to ``next``.

    GET is the language switcher's link: ``next`` is already the page in the chosen language.
    POST is Django's ``set_language``, reading ``next`` in the language of its own prefix.

    Django translates ``next`` by resolving it in the request's active language, which for this
    unprefixed URL comes from the cookie or the browser. A page opened at /fr/... by a browser set to
    English would then not resolve, and the switch would silently keep French."""
    if request.method == "GET":
        return _switch_language_by_link(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    language_of_next = translation.get_language_from_path(next_url)
    if language_of_next:
        translation.activate(language_of_next)
    return i18n.set_language(request)


def _switch_language_by_link(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(
            _("This portal is not available in that language."), content_type="text/plain"
        )
    next_url = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    response = HttpResponseRedirect(next_url if next_url and safe else f"/{language}/")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
