"""Streamable HTTP at /mcp: the SDK's transport, behind our key check and host check.

A request without a valid key (missing, unknown or revoked) is answered 401
before the SDK sees it, so no tool runs; each request is checked afresh, so a
revoked key stops at its next request, also within an open session.
"""

from __future__ import annotations

import asyncio
import contextlib

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


class McpMount:
    """Django's ASGI application with /mcp beside it.

    The SDK's session manager must run (a task group holding the sessions)
    before /mcp can answer. It starts with ASGI lifespan when the server
    speaks it, else at the first /mcp request (the Procfile runs uvicorn with
    `--lifespan off`, Django having no use for it), and stops at lifespan
    shutdown or with the event loop.
    """

    def __init__(self, django_app: ASGIApp) -> None:
        self.django_app = django_app
        server = build_server()
        sdk_app = server.streamable_http_app(
            streamable_http_path=PATH,
            # Host checking is AllowedHosts' job; browsers cannot send our
            # Bearer keys on their own, so there is no cookie to ride.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self.session_manager = server.session_manager
        # The SDK's own pieces, fed by our verifier.
        keyed = RequireKey(AuthContextMiddleware(sdk_app))
        self.mcp_app = AllowedHosts(AuthenticationMiddleware(keyed, backend=BearerAuthBackend(KeyVerifier())))
        self._running: asyncio.Task | None = None
        self._started = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PATH or path.startswith(PATH + "/")):
            await self._ensure_running()
            await self.mcp_app(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:
            await self.django_app(scope, receive, send)

    async def _ensure_running(self) -> None:
        if self._running is None:  # no await before this assignment: one start only
            self._running = asyncio.get_running_loop().create_task(self._run(), name="mcp-session-manager")
        await self._started.wait()

    async def _run(self) -> None:
        async with self.session_manager.run():
            self._started.set()
            await asyncio.Event().wait()  # until cancelled at shutdown

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self._ensure_running()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._running is not None:
                    self._running.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._running
                await send({"type": "lifespan.shutdown.complete"})
                return


def mount_mcp(django_app: ASGIApp) -> ASGIApp:
    """Django's ASGI application with the MCP server (streamable HTTP) at /mcp."""
    return McpMount(django_app)
