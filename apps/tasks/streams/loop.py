"""The stream loop: one client's stream of one channel, from the first state to the end, and the response
that hands its frames straight to the ASGI server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import aclosing
from functools import partial

from django.http import StreamingHttpResponse
from django_eventstream.utils import sse_encode_event

from apps.tasks.bridge import Subscription, get_bridge
from apps.tasks.events import TERMINAL_EVENTS, event_id, forbidden_frame
from apps.tasks.eventstorage import READ_BATCH, Event, current_position, read_events, run_read
from apps.tasks.streams.states import TaskState, TaskStates, task_state

# The first bytes: padding for proxies that buffer small responses, then the
# event django-eventstream's clients wait for.
OPEN = (":" + " " * 2048 + "\n\nevent: stream-open\ndata:\n\n").encode()
KEEP_ALIVE = b"event: keep-alive\ndata:\n\n"

Snapshot = Callable[[], Iterable[tuple[str, dict]]]


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
        # Set by the response when its server can write without waiting (write_at_once).
        self.write_now: Callable[[bytes], bool] | None = None
        self._unsent = b""
        self.subscription: Subscription | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        bridge = get_bridge()
        self.subscription = bridge.subscribe(self.channel, user_id=self.user_id, project_id=self.project_id)
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
                chunk = await self._next()
                if chunk:
                    yield chunk
        finally:
            bridge.unsubscribe(self.subscription)

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
        states = [
            (event_type, payload)
            for event_type, payload in self.snapshot()
            if self._admit(event_type, task_state(event_type, payload))
        ]
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

    def _admit(self, event_type: str, state: TaskState | None) -> bool:
        if self.done or not self.states.admit(state):
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
            if self._admit(event.type, event.state):
                frames.append(event.frame)
            elif not self.done:
                # An id without data moves the client's position without an
                # event (the SSE rule), so a resumed stream does not send it again.
                frames.append(f"id: {event_id(self.channel, event.id)}\n\n".encode())
        return frames[0] if len(frames) == 1 else b"".join(frames)

    async def _read_on(self) -> tuple[bytes, bool]:
        events = await run_read(read_events, self.channel, self.position, None, READ_BATCH)
        return self._send(events), len(events) == READ_BATCH

    async def _next(self) -> bytes:
        subscription = self.subscription
        if self.write_now is not None and not subscription.queue and not subscription.reread:
            subscription.offer = self._offer
        try:
            # No timer per stream: the bridge wakes every stream for keep-alives.
            await subscription.wake.wait()
        finally:
            subscription.offer = None
        unsent, self._unsent = self._unsent, b""
        return unsent + await self._woken()

    def _offer(self, event: Event) -> bool:
        """Send the next event straight from the bridge, while this stream's task sleeps; False: queue it.

        The usual case, taken without a task switch per stream. A client that
        is behind (its server would make the write wait) gets the frame from
        the task instead, before anything queued after it.
        """
        if self.done or self._unsent or event.id != self.position + 1:
            return False
        chunk = self._send([event])
        if chunk and not self.write_now(chunk):
            self._unsent = chunk
            self.subscription.wake.set()
        elif self.done:
            self.subscription.wake.set()  # the task ends the response
        return True

    async def _woken(self) -> bytes:
        subscription = self.subscription
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
        self.stream = stream
        self.frames = aiter(stream)
        super().__init__(self.frames, content_type="text/event-stream")

    async def send_to(self, send) -> None:
        if writes_at_once(send):
            self.stream.write_now = partial(write_at_once, send)
        async with aclosing(self.frames) as frames:
            async for chunk in frames:
                await send(_body(chunk))
        await send({"type": "http.response.body"})


# The servers whose `send` of a body chunk writes it to the socket at once,
# and waits only before writing, when the client has not read what it was
# sent (uvicorn's flow control): for them a chunk may be written without a
# task switch. Other servers' sends are awaited as usual.
_WRITE_AT_ONCE_SERVERS = ("uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.http.h11_impl")


def _body(chunk: bytes) -> dict:
    return {"type": "http.response.body", "body": chunk, "more_body": True}


def writes_at_once(send) -> bool:
    return type(getattr(send, "__self__", None)).__module__ in _WRITE_AT_ONCE_SERVERS


def write_at_once(send, chunk: bytes) -> bool:
    """Write a chunk now through such a server's `send`; False if it would have to wait (nothing written)."""
    step = send(_body(chunk))
    try:
        step.send(None)
    except StopIteration:
        return True
    except Exception:  # the stream's task sends it again and meets the error in its own context
        return False
    step.close()  # waiting for the client, before writing anything
    return False
