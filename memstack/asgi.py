"""ASGI entry point: `uvicorn memstack.asgi:application` (see Procfile)."""

import gc
import os

import django
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

# Before serving: migrate if MEMSTACK_AUTO_MIGRATE, then log any schema drift.
django.setup(set_prefix=False)
from apps.agents.mcp.http import mount_mcp  # noqa: E402 - needs the app registry
from apps.core.startup import prepare_web_process  # noqa: E402 - needs the app registry
from apps.tasks.bridge import get_bridge  # noqa: E402
from apps.tasks.streams import EventStreamResponse, close_streams_on_shutdown, stream_context  # noqa: E402

prepare_web_process()


class MemStackASGIHandler(ASGIHandler):
    """Django's handler; an event stream's frames go straight to the server."""

    async def send_response(self, response, send):
        if not isinstance(response, EventStreamResponse):
            return await super().send_response(response, send)
        headers = [(str(name).encode("ascii"), str(value).encode("latin1")) for name, value in response.items()]
        headers += [(b"Set-Cookie", c.output(header="").encode("ascii").strip()) for c in response.cookies.values()]
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        await response.send_to(send)


django_application = MemStackASGIHandler()

# Garbage collection, tuned for thousands of open streams. An event wakes
# every stream of its channel at once, so thousands of short-lived objects
# (wake-ups, messages) are alive together: with the default threshold (700)
# they outlive the young collection, are promoted, and soon force a full
# collection, which walks every object of the process (Django's own included).
# Profiled with 3,000 streams, that was half the event loop's time. A larger
# first threshold lets them die young; freezing what start-up loaded keeps it
# out of every later collection.
gc.set_threshold(50_000, 20, 100)
gc.freeze()


_started = False


def _start_in_loop() -> None:
    """Once, in the server's event loop: the bridge listens (so /healthz reports
    it from the first probe) and SIGTERM ends open streams at once."""
    global _started
    if not _started:
        _started = True
        close_streams_on_shutdown()
        get_bridge().ensure_listening()


async def _django_with_streams(scope, receive, send):
    """Django, with event streams that hold no thread while they are open (apps/tasks/streams/)."""
    _start_in_loop()
    context = stream_context(scope)
    if context is None:
        return await django_application(scope, receive, send)
    async with context:
        return await django_application(scope, receive, send)


# The MCP server (streamable HTTP) at /mcp beside Django; it answers ASGI
# lifespan itself (Django has no use for it), so the streams start at the
# first request whether or not the server speaks lifespan.
application = mount_mcp(_django_with_streams)
