"""One open stream's mailbox, and how far it may fall behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from apps.tasks.eventstorage import Event

# A stream that falls this far behind (a slow client) stops queueing and
# reads storage from its own position instead.
MAX_QUEUED = 500


class Subscription:
    """One open stream's mailbox: the bridge fills it, the stream empties it.

    Everything here runs in the event loop's thread; no locks.
    """

    __slots__ = ("channel", "user_id", "project_id", "queue", "reread", "closed", "keep_alive", "wake", "offer")

    def __init__(self, channel: str, *, user_id, project_id) -> None:
        self.channel = channel
        self.user_id = user_id
        self.project_id = str(project_id)
        self.queue: list[Event] = []
        self.reread = False  # the stream must read storage from its own position
        self.closed: str | None = None  # why the stream must end
        self.keep_alive = False  # time to tell the client we are still here
        self.wake = asyncio.Event()
        # Set by a stream while it waits with nothing queued: takes an event
        # straight to the client (True) without waking the stream's task, the
        # cost of fanning one event out to thousands of streams.
        self.offer: Callable[[Event], bool] | None = None

    def push(self, event: Event) -> None:
        if self.reread:
            return  # it reads storage anyway
        if self.offer is not None and not self.queue and self.closed is None and self.offer(event):
            return
        if len(self.queue) >= MAX_QUEUED:
            self.queue.clear()
            self.reread = True
        else:
            self.queue.append(event)
        self.wake.set()

    def ask_to_reread(self) -> None:
        self.queue.clear()
        self.reread = True
        self.wake.set()

    def close(self, reason: str) -> None:
        self.closed = reason
        self.wake.set()

    def take(self) -> tuple[list[Event], bool, bool]:
        """What arrived since the last call, whether storage must be read, and whether to send a keep-alive."""
        events, reread, keep_alive = self.queue, self.reread, self.keep_alive
        self.queue, self.reread, self.keep_alive = [], False, False
        self.wake.clear()
        return events, reread, keep_alive
