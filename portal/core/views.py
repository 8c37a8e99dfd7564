from django.http import HttpRequest, JsonResponse
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
