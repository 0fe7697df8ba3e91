from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.health import run_checks, sweeper_age


def _may_see_details(request: HttpRequest) -> bool:
    """Staff, or a monitor with HEALTHZ_TOKEN as a bearer token. Anyone else
    learns which part fails, never the error text (hosts, ports, database
    names, library messages)."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.HEALTHZ_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and constant_time_compare(given, token)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    healthy = not any(results.values())
    details = _may_see_details(request)
    checks = {
        name: {"ok": error is None, **({"error": error} if error and details else {})}
        for name, error in results.items()
    }
    if not results["database"]:
        age = sweeper_age()
        checks["sweeper"]["last_run_seconds_ago"] = None if age is None else round(age)
    body = {"status": "ok" if healthy else "unhealthy", "checks": checks}
    if not healthy:
        body["failing"] = [name for name, error in results.items() if error]
    return JsonResponse(body, status=200 if healthy else 503)


def home(request: HttpRequest):
    return redirect("projects:list")
