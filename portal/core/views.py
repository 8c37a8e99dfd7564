from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
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
    """Django's ``set_language``, reading ``next`` in the language of its own prefix.

    Django translates ``next`` by resolving it in the request's active language, which for this
    unprefixed URL comes from the cookie or the browser. A page opened at /fr/... by a browser set to
    English would then not resolve, and the switch would silently keep French."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    language_of_next = translation.get_language_from_path(next_url)
    if language_of_next:
        translation.activate(language_of_next)
    return i18n.set_language(request)
