"""The event bridge: carries events from whichever process stored them (a
Celery worker, usually) to the SSE streams open in every web process.

django-eventstream delivers an event only to streams in the process that sent
it. The bridge fills that gap in one of two ways:

* ``RedisBridge`` (REDIS_URL set): the sender publishes the stored event on a
  Redis pub/sub channel; each web process keeps one subscription, reconnecting
  with backoff for as long as Redis is away.
* ``DatabaseBridge`` (embedded): each web process polls the event counters of
  the channels it has streams for, and reads new events from storage.

Storage is the source of truth either way. When ids show a gap (a lost
message, a reconnect after an outage), the bridge reads the missing events
from storage once per channel and hands them over in order; it asks a
channel's streams to re-read storage themselves only when it has no position
for that channel to read from. Streams read storage themselves only when they
connect: each registers for live events before that read, so nothing falls
between the two.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django_eventstream.event import Event
from django_eventstream.views import get_listener_manager

logger = logging.getLogger(__name__)


def redis_channel() -> str:
    """One pub/sub channel per deployment (its database), so that deployments
    sharing a Redis server never see each other's events."""
    return f"memstack:{settings.DATABASES['default']['NAME']}:events"


def read_events(channel: str, after: int, upto: int | None = None) -> list[Event]:
    """Stored events of `channel` with ids in (after, upto], oldest first."""
    from django_eventstream.models import Event as StoredEvent

    rows = StoredEvent.objects.filter(channel=channel, eid__gt=after)
    if upto is not None:
        rows = rows.filter(eid__lte=upto)
    return [Event(channel, row.type, json.loads(row.data), id=row.eid) for row in rows.order_by("eid")]


class Bridge:
    """Shared delivery logic; subclasses say how events arrive."""

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start_lock = threading.Lock()
        # The id of the last event handed to the streams of each channel.
        self._last_ids: dict[str, int] = {}
        self.connected = False
        # One thread for storage reads, so the bridge holds one connection at most.
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="event-bridge")

    # -- sending side (any process) ------------------------------------------

    def announce(self, event: Event) -> None:
        """Tell every web process that `event` was stored."""

    # -- receiving side (web processes) ----------------------------------------

    def ensure_listening(self) -> None:
        """Start receiving in the running event loop, once per loop."""
        loop = asyncio.get_running_loop()
        with self._start_lock:
            if self._task is not None and self._loop is loop and not self._task.done():
                return
            self._loop = loop
            self._last_ids.clear()
            self._task = loop.create_task(self.run(), name=f"{type(self).__name__}.run")

    async def run(self) -> None:
        raise NotImplementedError

    def status(self) -> dict:
        listening = self._task is not None and not self._task.done()
        return {"kind": self.kind, "listening": listening, "connected": self.connected}

    def deliver(self, event: Event) -> None:
        """Hand one stored event to the local streams of its channel, once."""
        channel = event.channel
        if not self._channels_with_streams({channel}):
            self._last_ids.pop(channel, None)
            return
        last = self._last_ids.get(channel)
        if last is not None and event.id <= last:
            return  # already handed over
        self._last_ids[channel] = event.id
        get_listener_manager().add_to_queues(channel, event)

    async def receive(self, event: Event) -> None:
        """Deliver `event`, first reading from storage any events its id says were missed."""
        last = self._last_ids.get(event.channel)
        if last is not None and event.id > last + 1 and self._channels_with_streams({event.channel}):
            loop = asyncio.get_running_loop()
            for missed in await loop.run_in_executor(self._executor, read_events, event.channel, last, event.id - 1):
                self.deliver(missed)
        self.deliver(event)

    async def catch_up(self) -> None:
        """After time away (an outage, a restart): hand over what was stored meanwhile."""
        channels = self._channels_with_streams()
        known = {channel: self._last_ids[channel] for channel in channels if channel in self._last_ids}
        loop = asyncio.get_running_loop()
        for channel, last in known.items():
            for missed in await loop.run_in_executor(self._executor, read_events, channel, last, None):
                self.deliver(missed)
        # Without a position, the streams of a channel must look for themselves.
        unknown = channels - known.keys()
        if unknown:
            self.resync(unknown)

    def resync(self, channels: Iterable[str] | None = None) -> None:
        """Make the streams of `channels` (all, if None) re-read storage."""
        manager = get_listener_manager()
        with manager.lock:
            wanted = manager.listeners_by_channel.keys() if channels is None else channels
            listeners = {
                listener for channel in list(wanted) for listener in manager.listeners_by_channel.get(channel, ())
            }
            for listener in listeners:
                # django-eventstream's stream re-reads storage from its last
                # ids when it finds `overflow` set.
                listener.overflow = True
                listener.wake_threadsafe()

    def _channels_with_streams(self, channels: set[str] | None = None) -> set[str]:
        manager = get_listener_manager()
        with manager.lock:
            active = set(manager.listeners_by_channel)
        return active if channels is None else active & channels


class RedisBridge(Bridge):
    kind = "redis"
    max_backoff = 5.0

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._publisher = None

    def announce(self, event: Event) -> None:
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
        from redis.exceptions import RedisError

        backoff = 0.25
        while True:
            client = Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=10)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(redis_channel())
                if not self.connected:
                    logger.info("Event bridge subscribed to Redis.")
                self.connected = True
                backoff = 0.25
                # Whatever was published while we were away is only in storage.
                await self.catch_up()
                async for message in pubsub.listen():
                    if message["type"] == "message" and (event := self._parse(message["data"])):
                        await self.receive(event)
                raise RedisError("subscription ended")
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                if self.connected:
                    logger.warning("Event bridge lost Redis (%s); reconnecting.", exc)
                self.connected = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            except Exception:
                logger.exception("Event bridge failed; restarting it.")
                self.connected = False
                await asyncio.sleep(backoff)
            finally:
                try:
                    await client.aclose()
                except Exception:  # closing a dead connection may fail too
                    pass

    @staticmethod
    def _parse(raw: bytes) -> Event | None:
        try:
            message = json.loads(raw)
            return Event(message["channel"], message["type"], message["data"], id=int(message["id"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("Ignoring a malformed bridge message: %r", raw[:200])
            return None


class DatabaseBridge(Bridge):
    """Embedded mode: no server to publish to, so web processes poll storage.

    Each poll is one query over the counters of the channels that have open
    streams in this process; nothing is queried while no stream is open.
    """

    kind = "database"

    def __init__(self, interval: float) -> None:
        super().__init__()
        self.interval = interval

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            channels = self._channels_with_streams()
            if channels:
                try:
                    events, first_seen = await loop.run_in_executor(
                        self._executor, self._poll, channels, dict(self._last_ids)
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.connected = False
                    logger.warning("Event bridge could not read events: %s", exc)
                else:
                    self.connected = True
                    if first_seen:
                        # The streams read storage when they opened, but an
                        # event may have landed before this first poll: let
                        # them look again (a poll, unlike a message, carries
                        # no event to go by).
                        self._last_ids.update(first_seen)
                        self.resync(first_seen)
                    for event in events:
                        self.deliver(event)
            await asyncio.sleep(self.interval)

    @staticmethod
    def _poll(channels: set[str], last_ids: dict[str, int]) -> tuple[list[Event], dict[str, int]]:
        """New events of `channels` since `last_ids`, and the channels seen for the first time."""
        from django_eventstream.models import EventCounter

        counters = EventCounter.objects.filter(name__in=channels).values_list("name", "value")
        events: list[Event] = []
        first_seen: dict[str, int] = {}
        for channel, value in counters:
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
                _bridge = DatabaseBridge(settings.EVENT_BRIDGE_POLL_SECONDS)
        return _bridge
