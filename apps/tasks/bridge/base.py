"""What every bridge does: the registry of open streams, delivery in id order
with gaps read from storage, keep-alives, dropping readers who lost access,
and its status for /healthz."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable

from apps.tasks.bridge.subscription import Subscription
from apps.tasks.eventstorage import Event, read_events, run_read

logger = logging.getLogger(__name__)


# A source unreachable for this long is reported as failing, not reconnecting.
FAILING_AFTER_SECONDS = 30.0
# How often every open stream sends a keep-alive (one timer for all of them).
KEEP_ALIVE_SECONDS = 20.0
# How often open streams' readers are checked against project memberships:
# a member removed from a project stops receiving its events within this.
ACCESS_CHECK_SECONDS = 2.0
# How long the readers of streams handed to Pushpin are checked as well: far
# longer than Pushpin takes to start holding a stream it was handed.
HANDED_CHECK_SECONDS = 30.0


class Bridge:
    """Shared delivery logic; subclasses say how events arrive."""

    kind = "none"

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start_lock = threading.Lock()
        self.subscriptions: dict[str, set[Subscription]] = {}
        # Readers (user id, project id) of streams this process handed to Pushpin lately, and until when
        # to check them; written from the storage threads.
        self._handed: dict[tuple, float] = {}
        self._handed_lock = threading.Lock()
        # The id of the last event handed to the streams of each channel.
        self._last_ids: dict[str, int] = {}
        self.connected = False
        self.last_receive: float | None = None  # wall clock of the last message or poll
        self.failing_since: float | None = None
        self.last_error: str = ""

    # -- sending side (any process) ------------------------------------------

    def announce(self, event) -> None:
        """Tell every web process that `event` was stored."""

    # -- the streams of this process -------------------------------------------

    def subscribe(self, channel: str, *, user_id, project_id) -> Subscription:
        self.ensure_listening()
        subscription = Subscription(channel, user_id=user_id, project_id=project_id)
        self.subscriptions.setdefault(channel, set()).add(subscription)
        self.on_subscribe()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        streams = self.subscriptions.get(subscription.channel)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self.subscriptions[subscription.channel]
                self._last_ids.pop(subscription.channel, None)

    def open_streams(self) -> list[Subscription]:
        return [s for streams in self.subscriptions.values() for s in streams]

    def close_streams(self, reason: str, *, where=lambda subscription: True) -> int:
        """End the open streams for which `where(subscription)` holds; how many."""
        closed = 0
        for subscription in self.open_streams():
            if where(subscription):
                subscription.close(reason)
                closed += 1
        return closed

    def on_subscribe(self) -> None:
        """A stream opened (the database bridge polls sooner)."""

    # -- receiving side ----------------------------------------------------------

    def ensure_listening(self) -> None:
        """Start receiving in the running event loop, once per loop."""
        loop = asyncio.get_running_loop()
        with self._start_lock:
            if self._task is not None and self._loop is loop and not self._task.done():
                return
            if self._loop is not loop:
                # A new loop (tests run one per test): streams of the old one are gone.
                self.subscriptions.clear()
            self._loop = loop
            self._last_ids.clear()
            self._task = loop.create_task(self.run(), name=f"{type(self).__name__}.run")
            self._guard = loop.create_task(self.guard_access(), name=f"{type(self).__name__}.guard_access")
            self._ticker = loop.create_task(self.keep_alive(), name=f"{type(self).__name__}.keep_alive")

    async def keep_alive(self) -> None:
        """Wake every open stream now and then, to send a keep-alive through proxies."""
        while True:
            await asyncio.sleep(KEEP_ALIVE_SECONDS)
            for subscription in self.open_streams():
                subscription.keep_alive = True
                subscription.wake.set()

    def handed_to_proxy(self, *, user_id, project_id) -> None:
        """A stream of this reader was just handed to Pushpin (from a storage thread).

        Its access was checked before Pushpin holds it: a membership deleted
        in between closes the reader's channel while Pushpin does not listen
        on it yet, and the stream would stay open. guard_access checks such
        readers for a while and closes their channel again if they left.
        """
        with self._handed_lock:
            self._handed[(user_id, str(project_id))] = time.monotonic() + HANDED_CHECK_SECONDS

    def _recently_handed(self) -> set[tuple]:
        now = time.monotonic()
        with self._handed_lock:
            self._handed = {reader: until for reader, until in self._handed.items() if until > now}
            return set(self._handed)

    async def guard_access(self) -> None:
        """End the streams of readers who are no longer members of the stream's project.

        One query per round for all open streams (and readers of streams
        lately handed to Pushpin), whatever their number.
        """
        while True:
            await asyncio.sleep(ACCESS_CHECK_SECONDS)
            handed = self._recently_handed()
            readers = {(s.user_id, s.project_id) for s in self.open_streams()} | handed
            if not readers:
                continue
            try:
                allowed = await run_read(_members, readers)
            except Exception as exc:  # the database is away; the next round tries again
                logger.debug("Could not check stream access: %s", exc)
                continue
            closed = self.close_streams(
                "forbidden", where=lambda s, allowed=allowed: (s.user_id, s.project_id) not in allowed
            )
            if closed:
                logger.info("Closed %d stream(s) of readers who lost access.", closed)
            if gone := handed - allowed:
                await run_read(_close_on_proxy, gone)
                with self._handed_lock:
                    for reader in gone:
                        self._handed.pop(reader, None)

    async def run(self) -> None:
        raise NotImplementedError

    def status(self) -> dict:
        """The bridge's state for /healthz: `ok`, `reconnecting`, `failing` or `idle`."""
        listening = self._task is not None and not self._task.done()
        if not listening:
            state = "idle"  # no stream has opened in this process yet
        elif self.connected:
            state = "ok"
        elif self.failing_since is not None and time.time() - self.failing_since >= FAILING_AFTER_SECONDS:
            state = "failing"
        elif self.failing_since is not None:
            state = "reconnecting"
        else:
            state = "starting"
        now = time.time()
        return {
            "kind": self.kind,
            "state": state,
            "last_receive_age": now - self.last_receive if self.last_receive is not None else None,
            "failing_for": now - self.failing_since if self.failing_since is not None else None,
            "streams": sum(len(s) for s in self.subscriptions.values()),
            "error": self.last_error or None,
        }

    def _succeeded(self) -> None:
        self.connected = True
        self.failing_since = None
        self.last_error = ""
        self.last_receive = time.time()

    def _failed(self, error: BaseException | str) -> None:
        self.connected = False
        if self.failing_since is None:
            self.failing_since = time.time()
        self.last_error = str(error)[:500]

    def deliver(self, event: Event) -> None:
        """Hand one stored event to the local streams of its channel, once."""
        channel = event.channel
        streams = self.subscriptions.get(channel)
        if not streams:
            self._last_ids.pop(channel, None)
            return
        last = self._last_ids.get(channel)
        if last is not None and event.id <= last:
            return  # already handed over
        self._last_ids[channel] = event.id
        for subscription in list(streams):
            subscription.push(event)

    async def receive(self, event: Event) -> None:
        """Deliver `event`, first reading from storage any events its id says were missed."""
        last = self._last_ids.get(event.channel)
        if last is not None and event.id > last + 1 and self.subscriptions.get(event.channel):
            for missed in await run_read(read_events, event.channel, last, event.id - 1):
                self.deliver(missed)
        self.deliver(event)

    async def catch_up(self) -> None:
        """After time away (an outage, a restart): hand over what was stored meanwhile."""
        known = {channel: self._last_ids[channel] for channel in self.subscriptions if channel in self._last_ids}
        for channel, last in known.items():
            for missed in await run_read(read_events, channel, last, None):
                self.deliver(missed)
        # Without a position, the streams of a channel must look for themselves.
        self.resync(set(self.subscriptions) - known.keys())

    def resync(self, channels: Iterable[str]) -> None:
        """Make the streams of `channels` re-read storage from their own positions."""
        for channel in list(channels):
            for subscription in list(self.subscriptions.get(channel, ())):
                subscription.ask_to_reread()


def _close_on_proxy(readers: set[tuple]) -> None:
    from apps.tasks.events import close_reader_streams

    for user_id, project_id in readers:
        close_reader_streams(project_id=project_id, user_id=user_id)


def _members(readers: set[tuple]) -> set[tuple]:
    """The (user id, project id) pairs of `readers` that are memberships today."""
    from apps.projects.models import Membership

    users = {user_id for user_id, _ in readers}
    projects = {project_id for _, project_id in readers}
    rows = Membership.objects.filter(user_id__in=users, project_id__in=projects).values_list("user_id", "project_id")
    return {(user_id, str(project_id)) for user_id, project_id in rows} & readers
