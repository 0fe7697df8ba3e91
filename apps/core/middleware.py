"""Limits every request meets before any view: body size, bodies without
Content-Length, and NUL characters in query strings (apps.core.input)."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.input import text_problem

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _refuse(request: HttpRequest, status: int, message: str, field: str | None = None) -> HttpResponse:
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({field: [message]} if field else {"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_MAX_BYTES
        too_big = (
            f"The request body is {{size}}; the limit is {_megabytes(limit)}. "
            "Split a large import into several, or upload it as files."
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "The Content-Length header is not a number.")
        if length > limit:
            return _refuse(request, 413, too_big.format(size=_megabytes(length)))
        if not length and request.method in BODY_METHODS and _has_body(request):
            # A chunked upload carries no Content-Length. The ASGI server has
            # already received it whole; read it (bounded) and say how long
            # it is, or DRF and Django would take it for an empty body.
            body = request.read(limit + 1)
            if len(body) > limit:
                return _refuse(request, 413, too_big.format(size=f"over {_megabytes(limit)}"))
            request._stream = io.BytesIO(body)
            request._read_started = False
            request.META["CONTENT_LENGTH"] = str(len(body))
        for name, values in request.GET.lists():
            for value in (name, *values):
                if problem := text_problem(value):
                    return _refuse(request, 400, problem, field=name if text_problem(name) is None else None)
        return self.get_response(request)


def _has_body(request: HttpRequest) -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response that has none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
