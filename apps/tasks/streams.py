"""Server-Sent Events: the stream views and our own stream loop.

A stream serves one channel. Before anything is sent it authenticates the
client (session or API token) and checks access; a bad `Last-Event-ID` is a
400. Then, in the web process's event loop:

1. it subscribes to the bridge, before reading anything, so that no event
   can fall between what it reads and what it is handed;
2. a new client gets the current state (`task_event` of each task, with the
   id of the channel's position when it was read); a resumed one gets what
   was stored after its id;
3. it waits for the bridge and sends each event at most once, in id order:
   anything at or below the last id sent is dropped, a gap is read from
   storage first, and a task's state is sent only if it is newer than the
   last one sent for that task (`TaskStates`), so progress never goes back
   and one terminal event ends each task. A task stream ends after it.

No thread and no database connection is held while a stream waits, and
opening one is async end to end: its database reads (who the client is,
the access check, the first state, stored events) run on the few storage
threads (eventstorage.py), each with a connection it keeps; the middleware
that Django runs in a thread runs on one thread shared by all stream
requests (memstack/asgi.py enters `stream_context`), with no database work
there. The frames go straight to the ASGI server (`EventStreamResponse`).

Behind Pushpin (GRIP) the proxy holds the stream: a task stream is answered
without a hold once it carries the terminal event, and the worker that
publishes that event also tells Pushpin to close the channel's streams
(`events.py`, grip.py); each held stream also listens on its reader's channel
(`channels.reader_channel`), which `events.close_reader_streams` closes
when the reader leaves the project.

django-eventstream's own loop re-sent events: after reading storage it threw
away what the bridge had queued meanwhile and read storage again from its
*old* position, so a client saw ids 2, 2, 3, 2, 3, 4... Ours keeps one
position per stream and never reads behind it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import signal
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import aclosing
from datetime import datetime
from uuid import UUID

from asgiref.sync import ThreadSensitiveContext
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django_eventstream.utils import add_default_headers, sse_encode_event
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings

from apps.projects.access import get_project_for_user
from apps.tasks.bridge import Subscription, get_bridge
from apps.tasks.channels import project_channel, task_channel
from apps.tasks.events import TERMINAL_EVENTS, BadEventId, event_id, forbidden_frame, parse_event_id, task_event
from apps.tasks.eventstorage import READ_BATCH, current_position, read_events, run_read
from apps.tasks.grip import SNAPSHOT_LIMIT, grip_followup, grip_response
from apps.tasks.models import TaskLog
from apps.tasks.selectors import active_tasks, get_task_for_user

logger = logging.getLogger(__name__)

# The first bytes: padding for proxies that buffer small responses, then the
# event django-eventstream's clients wait for.
OPEN = (":" + " " * 2048 + "\n\nevent: stream-open\ndata:\n\n").encode()
KEEP_ALIVE = b"event: keep-alive\ndata:\n\n"

Snapshot = Callable[[], Iterable[tuple[str, dict]]]


# -- which states may follow which -------------------------------------------------


class TaskStates:
    """What one stream has sent of each task, so that it never sends an older state.

    A state is newer if the task ended, or moved forward (more progress, or
    as much but later `updated_at`). Nothing follows a terminal state. Events
    without a `task_id` pass untouched.
    """

    def __init__(self) -> None:
        self._sent: dict[str, tuple[int, datetime | None]] = {}
        self.ended: set[str] = set()

    def admit(self, event_type: str, payload) -> bool:
        if not isinstance(payload, dict) or not isinstance(payload.get("task_id"), str):
            return True
        task_id = payload["task_id"]
        if task_id in self.ended:
            return False
        if event_type in TERMINAL_EVENTS:
            self.ended.add(task_id)
            self._sent.pop(task_id, None)
            return True
        progress = payload.get("progress") if isinstance(payload.get("progress"), int) else 0
        updated = _timestamp(payload.get("updated_at"))
        previous = self._sent.get(task_id)
        if previous is not None:
            last_progress, last_updated = previous
            if progress < last_progress:
                return False
            if progress == last_progress and updated is not None and last_updated is not None:
                if updated <= last_updated:
                    return False
        self._sent[task_id] = (progress, updated)
        return True


def _timestamp(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# -- the loop --------------------------------------------------------------------------


class Stream:
    """One client's stream of one channel."""

    def __init__(
        self,
        channel: str,
        *,
        user_id,
        project_id,
        last_id: int | None,
        snapshot: Snapshot,
        ends_with_task: bool,
    ) -> None:
        self.channel = channel
        self.user_id = user_id
        self.project_id = project_id
        self.last_id = last_id
        self.snapshot = snapshot
        self.ends_with_task = ends_with_task
        self.states = TaskStates()
        self.position = 0  # the id of the last event sent (or read past)
        self.done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        bridge = get_bridge()
        subscription = bridge.subscribe(self.channel, user_id=self.user_id, project_id=self.project_id)
        try:
            yield OPEN
            self.position, opening, more = await run_read(self._open)
            if opening:
                yield opening
            while more and not self.done:
                chunk, more = await self._read_on()
                if chunk:
                    yield chunk
            while not self.done:
                chunk = await self._next(subscription)
                if chunk:
                    yield chunk
        finally:
            bridge.unsubscribe(subscription)

    def _open(self) -> tuple[int, bytes, bool]:
        """(position, what to send first, whether storage has more), on the storage thread.

        The position is read before the snapshot: whatever changes while the
        snapshot is taken comes after it, and TaskStates drops what the
        snapshot already showed.
        """
        current = current_position(self.channel)
        if self.last_id is not None and self.last_id <= current:
            events = read_events(self.channel, self.last_id, None, READ_BATCH)
            if not events or events[0].id == self.last_id + 1:
                return self.last_id, self._send(events), len(events) == READ_BATCH
            # Storage no longer has what follows the client's id (trimmed):
            # start over from the current state.
        states = [(event_type, payload) for event_type, payload in self.snapshot() if self._admit(event_type, payload)]
        # One id for the whole snapshot, on its last event: ids never repeat on a stream.
        frames = [
            sse_encode_event(
                event_type,
                payload,
                event_id=event_id(self.channel, current) if n == len(states) - 1 else None,
                json_encode=True,
            )
            for n, (event_type, payload) in enumerate(states)
        ]
        return current, "".join(frames).encode(), False

    def _admit(self, event_type: str, payload) -> bool:
        if self.done or not self.states.admit(event_type, payload):
            return False
        if self.ends_with_task and event_type in TERMINAL_EVENTS:
            self.done = True
        return True

    def _send(self, events: Iterable) -> bytes:
        """The frames of `events` this stream may send; advances its position past all of them."""
        frames = []
        for event in events:
            if event.id <= self.position:
                continue
            self.position = event.id
            if self._admit(event.type, event.payload):
                frames.append(event.frame)
            elif not self.done:
                # An id without data moves the client's position without an
                # event (the SSE rule), so a resumed stream does not send it again.
                frames.append(f"id: {event_id(self.channel, event.id)}\n\n".encode())
        return frames[0] if len(frames) == 1 else b"".join(frames)

    async def _read_on(self) -> tuple[bytes, bool]:
        events = await run_read(read_events, self.channel, self.position, None, READ_BATCH)
        return self._send(events), len(events) == READ_BATCH

    async def _next(self, subscription: Subscription) -> bytes:
        # No timer per stream: the bridge wakes every stream for keep-alives.
        await subscription.wake.wait()
        if subscription.closed:
            self.done = True
            return _closing_frame(subscription.closed)
        events, reread, keep_alive = subscription.take()
        if not events and not reread:
            return KEEP_ALIVE if keep_alive else b""
        if len(events) == 1 and not reread and events[0].id == self.position + 1:
            return self._send(events)  # the usual case: the next event, its frame shared by all streams
        chunks = []
        if reread:
            more = True
            while more and not self.done:
                chunk, more = await self._read_on()
                chunks.append(chunk)
        for event in events:
            if self.done:
                break
            if event.id > self.position + 1:
                # The bridge could not vouch for what came before: read it.
                missed = await run_read(read_events, self.channel, self.position, event.id - 1)
                chunks.append(self._send(missed))
            chunks.append(self._send([event]))
        return b"".join(chunks)


def _closing_frame(reason: str) -> bytes:
    if reason == "forbidden":
        return forbidden_frame().encode()
    return b""  # shutting down: the client reconnects, to another process if need be


class EventStreamResponse(StreamingHttpResponse):
    """A stream's response. memstack/asgi.py sends `frames` straight to the
    ASGI server, one message per chunk, past Django's layers of generators
    (a cost paid per event and per open stream)."""

    def __init__(self, stream: Stream) -> None:
        self.frames = aiter(stream)
        super().__init__(self.frames, content_type="text/event-stream")

    async def send_to(self, send) -> None:
        async with aclosing(self.frames) as frames:
            async for chunk in frames:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body"})


# -- views -----------------------------------------------------------------------------


def _reader(request: HttpRequest):
    """The session's user, else the one the API's own `Authorization` schemes name
    (`Token ...`, a project key's `Bearer ...`), else anonymous. On a storage thread.

    The user a key authenticates carries the key (`user.project_key`); the
    access checks hold it to the key's project and scope, so this very object
    must reach them.
    """
    user = get_user(request)
    if not user.is_authenticated and "HTTP_AUTHORIZATION" in request.META:
        user = _api_user(request)
    request.user = user
    return user


def _api_user(request: HttpRequest):
    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authentication, SessionAuthentication):
            continue  # the session was tried first
        try:
            result = authentication().authenticate(request)
        except AuthenticationFailed:
            break
        if result is not None:
            return result[0]
    return AnonymousUser()


def _last_event_id(request: HttpRequest, channel: str) -> int | None:
    """The position the client resumes from (Last-Event-ID, else `?lastEventId=`); BadEventId if malformed."""
    value = request.headers.get("Last-Event-ID") or next(
        (v for v in reversed(request.GET.getlist("lastEventId")) if v), ""
    )
    if not value:
        return None
    if value == "error":
        raise BadEventId("this stream ended with an error; open it again without an event id")
    return parse_event_id(value, channel)


async def _open_stream(
    request: HttpRequest, channel: str, *, user, project_id, snapshot: Snapshot, ends_with_task: bool
) -> HttpResponse:
    if getattr(getattr(request, "grip", None), "proxied", False):
        return await run_read(grip_response, request, channel, user, ends_with_task, project_id)
    try:
        last_id = _last_event_id(request, channel)
    except BadEventId as exc:
        return HttpResponseBadRequest(f"Invalid Last-Event-ID or lastEventId: {exc}.\n")
    stream = Stream(
        channel,
        user_id=user.pk,
        project_id=project_id,
        last_id=last_id,
        snapshot=snapshot,
        ends_with_task=ends_with_task,
    )
    response = EventStreamResponse(stream)
    add_default_headers(response, request=request)
    return response


async def project_stream(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """Events of every task of a project; a new client first gets the state of each unfinished one."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if grip_followup(request):
        return await run_read(grip_response, request, project_channel(project_id), None, False)
    user, project = await run_read(_project_reader, request, project_id)

    def snapshot():
        return [task_event(task) for task in active_tasks(project.id)[:SNAPSHOT_LIMIT]]

    return await _open_stream(
        request, project_channel(project.id), user=user, project_id=project.id, snapshot=snapshot, ends_with_task=False
    )


def _project_reader(request: HttpRequest, project_id: UUID) -> tuple:
    """(the client, the project it may read); Http404 or PermissionDenied. On a storage thread."""
    user = _reader(request)
    return user, get_project_for_user(user, project_id)


async def task_stream(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Events of one task, ending with its terminal event; a new client first gets its current state.

    A client that resumes after it saw the end gets 204, which tells a
    browser's EventSource to stop reconnecting.
    """
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if grip_followup(request):
        return await run_read(grip_response, request, task_channel(task_id), None, True)
    user, task, saw_the_end = await run_read(_task_reader, request, task_id)
    if saw_the_end:
        return HttpResponse(status=204)
    channel = task_channel(task.id)

    def snapshot():
        return [task_event(TaskLog.objects.get(pk=task.pk))]

    return await _open_stream(
        request, channel, user=user, project_id=task.project_id, snapshot=snapshot, ends_with_task=True
    )


def _task_reader(request: HttpRequest, task_id: UUID) -> tuple:
    """(the client, the task it may read, whether the client already saw its end); On a storage thread."""
    user = _reader(request)
    task = get_task_for_user(user, task_id)
    channel = task_channel(task.id)
    try:
        last_id = _last_event_id(request, channel)
    except BadEventId:
        last_id = None  # _open_stream answers it
    return user, task, last_id is not None and _saw_the_end(task, channel, last_id)


def _saw_the_end(task: TaskLog, channel: str, last_id: int) -> bool:
    """Whether a client at `last_id` was already sent the task's terminal event."""
    from django_eventstream.models import Event as StoredEvent

    if not task.is_finished:
        return False
    return StoredEvent.objects.filter(channel=channel, type__in=TERMINAL_EVENTS, eid__lte=last_id).exists()


# -- the process around the streams -----------------------------------------------------

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
