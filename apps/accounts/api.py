"""POST /api/v1/auth/token/: a token for a username and password."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from apps.accounts import throttle


class LoginFailureThrottle(BaseThrottle):
    """Refuses a user name that failed too often from this address (apps.accounts.throttle)."""

    def allow_request(self, request: Request, view) -> bool:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        self.seconds = throttle.seconds_blocked(request._request, str(username or ""))
        return not self.seconds

    def wait(self) -> int:
        return self.seconds


class TokenApi(ObtainAuthToken):
    # DRF's view names its own parsers; ours apply apps.core.input's rules
    # here too, before any credentials are checked.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = [LoginFailureThrottle]

    def throttled(self, request: Request, wait: float | None) -> None:
        raise Throttled(wait=wait, detail=throttle.wait_message(int(wait or 0)))

    def post(self, request: Request, *args, **kwargs) -> Response:
        username = str(request.data.get("username", "")) if hasattr(request.data, "get") else ""
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if username:
                throttle.record_failure(request._request, username)
            serializer.is_valid(raise_exception=True)
        throttle.clear(request._request, username)
        return super().post(request, *args, **kwargs)
