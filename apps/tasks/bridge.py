"""The event bridge: carries events from whichever process stored them (a
Celery worker, usually) to the streams open in this web process.

Each web process has one bridge, running in its event loop, and a registry
of the streams open in it (`Subscription`s, by channel). Events reach it in
one of two ways:

* ``RedisBridge`` (REDIS_URL set): the sender publishes the stored event on a
  Redis pub/sub channel; each web process keeps one subscription,
  reconnecting with backoff for as long as Redis is away.
* ``DatabaseBridge`` (embedded): each web process polls the event counters of
  the channels it has streams for, more slowly the longer nothing changes.

Storage is the source of truth either way. The bridge hands each channel's
events to its streams in id order: when ids show a gap (a lost message, a
reconnect after an outage) it reads the missing events from storage once per
channel. When it has no position to read from, it asks the channel's streams
to read storage themselves; each stream knows the last id it sent and drops
anything at or below it, so nothing is sent twice.

`status()` says how the bridge is doing for /healthz: when it last heard
from its source, and whether it is connected, reconnecting or failing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterable

from django.conf import settings

from apps.tasks.eventstorage import Event, positions, read_events, run_read

logger = logging.getLogger(__name__)

# A stream that falls this far behind (a slow client) stops queueing and
# reads storage from its own position instead.
MAX_QUEUED = 500
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


def redis_channel() -> str:
    """One pub/sub channel per deployment (its database), so that deployments
    sharing a Redis server never see each other's events."""
    return f"memstack:{settings.DATABASES['default']['NAME']}:events"


class Subscription:
    """One open stream's mailbox: the bridge fills it, the stream empties it.

    Everything here runs in the event loop's thread; no locks.
    """

    __slots__ = ("channel", "user_id", "project_id", "queue", "reread", "closed", "keep_alive", "wake")

    def __init__(self, channel: str, *, user_id, project_id) -> None:
        self.channel = channel
        self.user_id = user_id
        self.project_id = str(project_id)
        self.queue: list[Event] = []
        self.reread = False  # the stream must read storage from its own position
        self.closed: str | None = None  # why the stream must end
        self.keep_alive = False  # time to tell the client we are still here
        self.wake = asyncio.Event()

    def push(self, event: Event) -> None:
        if self.reread:
            return  # it reads storage anyway
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


class RedisBridge(Bridge):
    kind = "redis"
    min_backoff = 0.25
    max_backoff = 5.0

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._publisher = None

    def announce(self, event) -> None:
        import redis

        if self._publisher is None:
            self._publisher = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=2)
        message = {"channel": event.channel, "type": event.type, "data": event.data, "id": event.id}
        try:
            self._publisher.publish(redis_channel(), json.dumps(message))
        except redis.RedisError as exc:
            # The event is stored; web processes re-read storage when they
            # reconnect or notice the gap at the next event.
            logger.warning("Could not publish event %s on Redis: %s", event.id, exc)

    async def run(self) -> None:
        from redis.asyncio import Redis

        backoff = self.min_backoff
        while True:
            client = Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=10)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(redis_channel())
                if self.failing_since is not None:
                    logger.info("Event bridge subscribed to Redis again.")
                # Whatever was published while we were away is only in storage.
                await self.catch_up()
                self._succeeded()
                backoff = self.min_backoff
                async for message in pubsub.listen():
                    if message["type"] == "message" and (event := self._parse(message["data"])):
                        await self.receive(event)
                    self.last_receive = time.time()
                raise ConnectionError("the Redis subscription ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Redis away, or storage unreadable while catching up (the
                # database restarting): either way, wait and start over.
                if self.failing_since is None:
                    logger.warning("Event bridge lost its source (%s); reconnecting.", exc)
                self._failed(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            finally:
                try:
                    await client.aclose()
                except Exception:  # closing a dead connection may fail too
                    pass

    @staticmethod
    def _parse(raw: bytes) -> Event | None:
        try:
            message = json.loads(raw)
            return Event(message["channel"], message["type"], message["data"], int(message["id"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("Ignoring a malformed bridge message: %r", raw[:200])
            return None


class DatabaseBridge(Bridge):
    """Embedded mode: no server to publish to, so web processes poll storage.

    Each poll is one query over the counters of the channels that have open
    streams in this process; nothing is queried while no stream is open. The
    interval doubles while nothing changes, from `interval` up to
    `max_interval`, and drops back at once when an event arrives, a stream
    opens or this process publishes.
    """

    kind = "database"

    def __init__(self, interval: float, max_interval: float) -> None:
        super().__init__()
        self.interval = interval
        self.max_interval = max(interval, max_interval)
        self.current_interval = interval
        self.polls = 0
        self._nudge: asyncio.Event | None = None

    def announce(self, event) -> None:
        # Other processes' events are found by polling; this one's can be
        # looked for at once.
        self.nudge_threadsafe()

    def on_subscribe(self) -> None:
        self.nudge()

    def nudge(self) -> None:
        self.current_interval = self.interval
        if self._nudge is not None:
            self._nudge.set()

    def nudge_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self.nudge)
            except RuntimeError:  # the loop is shutting down
                pass

    async def run(self) -> None:
        self._nudge = asyncio.Event()
        backoff = self.interval
        while True:
            channels = set(self.subscriptions)
            if channels:
                try:
                    events, first_seen = await run_read(self._poll, channels, dict(self._last_ids))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if self.failing_since is None:
                        logger.warning("Event bridge could not read events: %s", exc)
                    self._failed(exc)
                    backoff = min(max(backoff, self.interval) * 2, 5.0)
                    await asyncio.sleep(backoff)
                    continue
                self.polls += 1
                logger.debug("Event bridge poll %d (%d channel(s)).", self.polls, len(channels))
                was_failing = self.failing_since is not None
                self._succeeded()
                backoff = self.interval
                if was_failing:
                    self.resync(channels)
                if first_seen:
                    # The streams read storage when they opened, but an
                    # event may have landed before this first poll: let
                    # them look again (a poll, unlike a message, carries
                    # no event to go by).
                    self._last_ids.update(first_seen)
                    self.resync(first_seen)
                for event in events:
                    self.deliver(event)
                if events:
                    self.current_interval = self.interval
                else:
                    self.current_interval = min(self.current_interval * 2, self.max_interval)
            self._nudge.clear()
            try:
                await asyncio.wait_for(self._nudge.wait(), self.current_interval)
            except TimeoutError:
                pass

    @staticmethod
    def _poll(channels: set[str], last_ids: dict[str, int]) -> tuple[list[Event], dict[str, int]]:
        """New events of `channels` since `last_ids`, and the channels seen for the first time."""
        events: list[Event] = []
        first_seen: dict[str, int] = {}
        for channel, value in positions(channels).items():
            last = last_ids.get(channel)
            if last is None:
                first_seen[channel] = value
            elif value > last:
                events.extend(read_events(channel, last, value))
        return events, first_seen


_bridge: Bridge | None = None
_bridge_lock = threading.Lock()


def get_bridge() -> Bridge:
    global _bridge
    with _bridge_lock:
        if _bridge is None:
            if settings.EVENT_BRIDGE == "redis":
                _bridge = RedisBridge(settings.REDIS_URL)
            else:
                _bridge = DatabaseBridge(settings.EVENT_BRIDGE_POLL_SECONDS, settings.EVENT_BRIDGE_POLL_MAX_SECONDS)
        return _bridge
