"""Who is calling, and running Django code from the server's event loop."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver.exceptions import ToolError

T = TypeVar("T")

# The stdio transport serves one client, whose key `manage.py mcp --key`
# checked at start; over HTTP every request carries its own (see http.py).
_stdio_key_id: int | None = None


def use_key_for_process(key_id: int) -> None:
    global _stdio_key_id
    _stdio_key_id = key_id


def current_key_id() -> int:
    token = get_access_token()
    if token is not None and token.claims:
        return int(token.claims["key_id"])
    if _stdio_key_id is not None:
        return _stdio_key_id
    # The HTTP app refuses requests without a key before any tool runs.
    raise ToolError("This call came without an API key.")


def _closing(fn: Callable[..., T]) -> Callable[..., T]:
    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            # Worker threads are pooled and outlive the call: give the
            # connection back rather than hold one per idle thread.
            if not connection.in_atomic_block:
                connection.close()

    return run


async def db(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run Django (ORM) code from async code, in a worker thread that keeps no connection."""
    return await sync_to_async(_closing(fn), thread_sensitive=False)(*args, **kwargs)
