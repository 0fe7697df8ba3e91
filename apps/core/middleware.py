"""Limits every request meets before any view: body size, bodies without
Content-Length, and NUL characters in query strings (apps.core.input); the
Content-Security-Policy header; static files.

Every middleware here runs in the server's event loop as well as in a
thread: one that can only run in a thread makes Django run the whole chain
below it from a thread (memstack/asgi.py), and an event stream would then
hold that thread while it opens.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from whitenoise.middleware import WhiteNoiseMiddleware

from apps.core.input import text_problem

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _refuse(request: HttpRequest, status: int, message: str, field: str | None = None) -> HttpResponse:
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({field: [message]} if field else {"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class AsyncCapable:
    """A middleware that runs as its caller does: called from the event loop, it is a coroutine."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)


class RequestLimitsMiddleware(AsyncCapable):
    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        return self._refusal(request) or self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS:
            refusal = await sync_to_async(self._refusal)(request)  # it may read the body
        else:
            refusal = self._refusal(request)
        return refusal or await self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
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
        return None


def _has_body(request: HttpRequest) -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


class ContentSecurityPolicyMiddleware(AsyncCapable):
    """Sends settings.CONTENT_SECURITY_POLICY with every response that has none."""

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        return self._with_policy(self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return self._with_policy(await self.get_response(request))

    @staticmethod
    def _with_policy(response: HttpResponse) -> HttpResponse:
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, which can only run in a thread, made to run in the event loop too.

    Finding a file is a dictionary lookup (a stat of the disk with
    autorefresh, i.e. in development); opening one is done in a thread.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        super().__init__(get_response)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if self.is_async:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return await sync_to_async(self.serve)(static_file, request)
        return await self.get_response(request)
