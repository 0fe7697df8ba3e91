"""Streamable HTTP at /mcp: the SDK's transport, behind our key check and host check.

A request without a valid key (missing, unknown or revoked) is answered 401
before the SDK sees it, so no tool runs; each request is checked afresh, so a
revoked key stops at its next request, also within an open session.
"""

from __future__ import annotations

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from apps.agents.mcp.calls import db
from apps.agents.mcp.server import build_server
from apps.agents.services import key_authenticate

PATH = "/mcp"


class KeyVerifier:
    """The SDK's TokenVerifier, for project API keys."""

    async def verify_token(self, token: str) -> AccessToken | None:
        user = await db(key_authenticate, secret=token)
        if user is None:
            return None
        key = user.project_key
        # client_id is what the SDK binds a session to: a session opened
        # with one key cannot be used with another.
        return AccessToken(token=key.prefix, client_id=f"key-{key.pk}", scopes=[key.scope], claims={"key_id": key.pk})


class AllowedHosts:
    """Django's ALLOWED_HOSTS for /mcp too (the SDK's own check knows only localhost)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            domain, _port = split_domain_port(host)
            allowed = settings.ALLOWED_HOSTS
            if settings.DEBUG and not allowed:
                allowed = [".localhost", "127.0.0.1", "[::1]"]
            if not domain or not validate_host(domain, allowed):
                await PlainTextResponse("Invalid Host header.\n", status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequireKey:
    """401 for an HTTP request without a valid key (the SDK's refusal, with its
    WWW-Authenticate header); ASGI lifespan passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.refuse_without_key = RequireAuthMiddleware(app, required_scopes=[])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.refuse_without_key(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def build_app() -> ASGIApp:
    """The /mcp application; it also answers ASGI lifespan (the SDK's session manager runs within it)."""
    sdk_app = build_server().streamable_http_app(
        streamable_http_path=PATH,
        # Host checking is AllowedHosts' job; browsers cannot send our
        # Bearer keys on their own, so there is no cookie to ride.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    # The SDK's own pieces, fed by our verifier.
    keyed = RequireKey(AuthContextMiddleware(sdk_app))
    return AllowedHosts(AuthenticationMiddleware(keyed, backend=BearerAuthBackend(KeyVerifier())))


def mount_mcp(django_app: ASGIApp) -> ASGIApp:
    """Django's ASGI application with /mcp beside it.

    Django does not speak ASGI lifespan; the MCP app does (its session
    manager starts and stops with the process), so lifespan goes there.
    """
    mcp_app = build_app()

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "lifespan" or (scope["type"] == "http" and (path == PATH or path.startswith(PATH + "/"))):
            await mcp_app(scope, receive, send)
        else:
            await django_app(scope, receive, send)

    return application
