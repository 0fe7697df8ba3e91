"""Events found by polling storage, for the embedded mode without Redis."""

from __future__ import annotations

import asyncio
import logging

from apps.tasks.bridge.base import Bridge
from apps.tasks.eventstorage import Event, positions, read_events, run_read

logger = logging.getLogger(__name__)


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
