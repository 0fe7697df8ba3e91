"""ASGI entry point: `uvicorn memstack.asgi:application` (see Procfile)."""

import os

import django
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

# Before serving: migrate if MEMSTACK_AUTO_MIGRATE, then log any schema drift.
django.setup(set_prefix=False)
from apps.core.startup import prepare_web_process  # noqa: E402 - needs the app registry
from apps.tasks.bridge import get_bridge  # noqa: E402
from apps.tasks.streams import close_streams_on_shutdown, stream_context  # noqa: E402

prepare_web_process()

django_application = get_asgi_application()


_started = False


def _start_in_loop() -> None:
    """Once, in the server's event loop: the bridge listens (so /healthz reports
    it from the first probe) and SIGTERM ends open streams at once."""
    global _started
    if not _started:
        _started = True
        close_streams_on_shutdown()
        get_bridge().ensure_listening()


async def application(scope, receive, send):
    """Django, with event streams that hold no thread while they are open (apps/tasks/streams.py)."""
    if scope["type"] == "lifespan":
        return await _lifespan(receive, send)
    _start_in_loop()
    context = stream_context(scope)
    if context is None:
        return await django_application(scope, receive, send)
    async with context:
        return await django_application(scope, receive, send)


async def _lifespan(receive, send):
    # Django has no lifespan events; with `--lifespan on` we start early,
    # otherwise (the Procfile) at the first request.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _start_in_loop()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
