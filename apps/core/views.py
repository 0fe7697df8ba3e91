from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    healthy = not any(results.values())
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checks": {
            name: {"ok": error is None, **({"error": error} if error else {})} for name, error in results.items()
        },
    }
    if not healthy:
        body["failing"] = [name for name, error in results.items() if error]
    return JsonResponse(body, status=200 if healthy else 503)


def home(request: HttpRequest):
    return redirect("projects:list")
