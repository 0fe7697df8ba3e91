"""An SSE client for tests: reads a stream in a thread, as a browser's EventSource would."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class SSEEvent:
    event: str
    id: str | None
    data: Any  # parsed JSON; the raw text if it is not JSON; None if empty


class SSEClient:
    """A stream read in a background thread, as a browser's EventSource would.

    Frames are parsed into `SSEEvent`s (comments and padding are skipped).
    `opened` is set when `stream-open` arrives, `responded` as soon as the
    status line is in (`status_code`), `finished` when the stream ended for
    any reason. `context` adds text to failure messages (e.g. the server's
    log tail).
    """

    def __init__(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        context: Callable[[], str] | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.headers = {"Accept": "text/event-stream", **(headers or {})}
        self.context = context
        self.connect_timeout = connect_timeout
        self.status_code: int | None = None
        self.body: str = ""  # of a response that is not a stream (e.g. a 404 page)
        self.error: BaseException | None = None
        self.opened = threading.Event()
        self.responded = threading.Event()
        self.finished = threading.Event()
        self._events: list[SSEEvent] = []
        # The id a browser would resume from: the last `id:` field, with or without an event.
        self.last_event_id: str | None = None
        self._changed = threading.Condition()
        self._socket: socket.socket | None = None
        self._closing = False
        self._reading = threading.Event()  # cleared while the client is paused
        self._reading.set()
        self._thread = threading.Thread(target=self._run, name=f"sse {url}", daemon=True)

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> SSEClient:
        self._thread.start()
        return self

    def pause(self) -> None:
        """Stop reading, as a client that falls behind: the socket's receive buffer is made small, so the
        server soon has to wait for the client to read."""
        self._reading.clear()
        if self._socket is not None:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)

    def resume(self) -> None:
        # Back to a usual buffer: with one far smaller than loopback's segment size the
        # kernel would hold back its window updates and the stream would crawl.
        if self._socket is not None:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self._reading.set()

    def close(self, timeout: float = 10.0) -> None:
        self._closing = True
        self._reading.set()
        sock = self._socket
        if sock is not None:
            # Wakes the reader thread from its blocking read at once.
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> SSEClient:
        if not self._thread.is_alive() and not self.finished.is_set():
            self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- what the client saw ---------------------------------------------------

    @property
    def events(self) -> list[SSEEvent]:
        """Every event so far except `stream-open` and `keep-alive`."""
        with self._changed:
            return [e for e in self._events if e.event not in ("stream-open", "keep-alive")]

    @property
    def all_events(self) -> list[SSEEvent]:
        with self._changed:
            return list(self._events)

    def wait_status(self, timeout: float = 30.0) -> int:
        if not self.responded.wait(timeout):
            raise AssertionError(f"no response from {self.url} within {timeout:.0f} s" + self.describe())
        if self.status_code is None:
            raise AssertionError(f"request to {self.url} failed" + self.describe())
        return self.status_code

    def wait_opened(self, timeout: float = 30.0) -> None:
        self._wait(lambda: self.opened.is_set() or self.finished.is_set(), timeout)
        if not self.opened.is_set():
            raise AssertionError(f"stream {self.url} did not open within {timeout:.0f} s" + self.describe())

    def wait_for(self, predicate: Callable[[list[SSEEvent]], bool], timeout: float = 30.0) -> list[SSEEvent]:
        """Wait until `predicate(events)` holds; the events then, or AssertionError."""
        self._wait(lambda: predicate(self.events) or self.finished.is_set(), timeout)
        if not predicate(self.events):
            raise AssertionError(f"the stream did not show what was expected within {timeout:.0f} s" + self.describe())
        return self.events

    def wait_for_count(self, count: int, timeout: float = 30.0) -> list[SSEEvent]:
        """Wait for `count` events; a failure says how many came and the last ids, not every event."""
        self._wait(lambda: len(self.events) >= count or self.finished.is_set(), timeout)
        events = self.events
        if len(events) < count:
            raise AssertionError(
                f"{len(events)} of {count} events within {timeout:.0f} s, the last {[e.id for e in events[-3:]]};"
                f" finished: {self.finished.is_set()}, error: {self.error!r}"
            )
        return events

    def wait_for_data(self, wanted: Iterable[Any], timeout: float = 30.0) -> list[SSEEvent]:
        """Wait until the data of each of `wanted` arrived (in any order)."""
        wanted = list(wanted)
        return self.wait_for(lambda events: all(w in [e.data for e in events] for w in wanted), timeout)

    # -- internals -----------------------------------------------------------------

    def _wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.5))
        return True

    def describe(self) -> str:
        """What the client saw, for failure messages."""
        lines = [
            f"\nstatus: {self.status_code}",
            f"opened: {self.opened.is_set()}, finished: {self.finished.is_set()}, error: {self.error!r}",
            "events received:",
            *(f"  {e.event} id={e.id} data={e.data!r}" for e in self.all_events),
        ]
        if self.body:
            lines.append(f"body: {self.body[:500]!r}")
        if self.context is not None:
            try:
                lines.append(self.context())
            except Exception as exc:  # a failure message must not fail
                lines.append(f"(could not add context: {exc!r})")
        return "\n".join(lines)

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def _run(self) -> None:
        timeout = httpx.Timeout(self.connect_timeout, read=None)
        try:
            # trust_env=False: a developer's HTTP(S)_PROXY must not catch 127.0.0.1.
            with httpx.Client(timeout=timeout, trust_env=False) as client:
                with client.stream("GET", self.url, headers=self.headers) as response:
                    self.status_code = response.status_code
                    stream = response.extensions.get("network_stream")
                    if stream is not None:
                        self._socket = stream.get_extra_info("socket")
                    self.responded.set()
                    self._notify()
                    if self._closing and self._socket is not None:
                        self._socket.shutdown(socket.SHUT_RDWR)
                    content_type = response.headers.get("content-type", "")
                    if response.status_code != 200 or not content_type.startswith("text/event-stream"):
                        self.body = response.read().decode(errors="replace")
                        return
                    self._read_frames(response.iter_lines())
        except Exception as exc:
            if not self._closing:
                self.error = exc
        finally:
            self.responded.set()
            self.finished.set()
            self._notify()

    def _read_frames(self, lines: Iterable[str]) -> None:
        frame: list[str] = []
        for line in lines:
            self._reading.wait()
            if line != "":
                frame.append(line)
                if line.startswith("id:"):
                    self.last_event_id = line[3:].removeprefix(" ")
                continue
            if (fields := parse_frame(frame)) is not None:
                event_type, event_id, data = fields
                self._add(SSEEvent(event_type, event_id, _parse_data(data)))
            frame = []

    def _add(self, event: SSEEvent) -> None:
        with self._changed:
            self._events.append(event)
            if event.event == "stream-open":
                self.opened.set()
            self._changed.notify_all()


def parse_frame(lines: Iterable[str]) -> tuple[str, str | None, list[str]] | None:
    """(event type, id, data lines) of one SSE frame's lines, or None for a frame of comments only."""
    event_type, event_id, data = "message", None, []
    for line in lines:
        if not line or line.startswith(":"):
            continue  # a comment: padding
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event_type = value
        elif field == "id":
            event_id = value
        elif field == "data":
            data.append(value)
    return (event_type, event_id, data) if data or event_type != "message" else None


def _parse_data(lines: list[str]) -> Any:
    text = "\n".join(lines)
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
