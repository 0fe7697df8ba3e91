"""The server process around the streams: the one thread their requests' synchronous parts run on, and
ending every open stream at once when the server is told to stop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import signal

from asgiref.sync import ThreadSensitiveContext

from apps.tasks.bridge import get_bridge

STREAM_PATH = re.compile(r"^/api/v1/(?:tasks|projects)/[^/]+/stream/?$")
# What Django runs in a thread for a stream request (the request signals,
# middleware written for threads, each a few microseconds of work) runs on
# this one thread: Django would otherwise keep a thread per request for as
# long as its response lasts, a thread per open stream. Nothing there
# touches the database (the stream views read on the storage threads).
_opening_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="stream-open")


def stream_context(scope) -> ThreadSensitiveContext | None:
    """The context a request to a stream URL runs in (None for other requests)."""
    if scope.get("type") == "http" and STREAM_PATH.match(scope.get("path", "")):
        return ThreadSensitiveContext(executor=_opening_thread)
    return None


_shutdown_hooked = False


def close_streams_on_shutdown() -> None:
    """End every open stream as soon as the server is told to stop.

    uvicorn waits up to its graceful-shutdown timeout for open responses,
    which for a stream means the whole timeout. Chained in front of the
    server's own SIGTERM/SIGINT handlers, this ends them at once instead
    (clients reconnect, to another process); the server then stops as usual.
    """
    global _shutdown_hooked
    if _shutdown_hooked:
        return
    _shutdown_hooked = True
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            previous = signal.getsignal(signum)
        except ValueError:
            return  # not the main thread: the server handles signals elsewhere

        def handler(number, frame, previous=previous):
            loop.call_soon_threadsafe(get_bridge().close_streams, "shutdown")
            if callable(previous):
                previous(number, frame)
            else:  # nobody else listens: do what the signal does by default
                signal.signal(number, previous)
                signal.raise_signal(number)

        try:
            signal.signal(signum, handler)
        except ValueError:
            return
