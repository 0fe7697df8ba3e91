"""Event storage: django-eventstream's tables (one counter and one row per
event of a channel), read from one thread of its own.

Streams and the bridge run in the web process's event loop and must never
block it, nor hold a database connection each. Every database read of the
stream path in a web process (opening a stream: who the client is, whether
it may read the channel, the first state; then stored events) goes through
`run_read`, onto a small pool of threads of its own: at most
`STORAGE_THREADS` database connections per process for all its streams,
whatever their number, each kept open (opening a connection per stream
would cost more than the stream's reads). When a read fails because the
database went away (a restart, a failover), that thread's connection is
dropped and the read tried once more on a fresh one, so the process
recovers by itself as soon as the database is back.

Django's async ORM (`aget`, `afirst`) would not do this: it runs each query
with `sync_to_async` on the request's own thread, which Django keeps for as
long as the response lasts (a thread per open stream), and which closes its
connection at the end of every request (CONN_MAX_AGE=0).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, InterfaceError, connection
from django_eventstream.storage import DjangoModelStorage
from django_eventstream.utils import sse_encode_event

# Large enough that a client far behind catches up in few reads, small
# enough that one read never holds the storage thread for long.
READ_BATCH = 200


class EventStorage(DjangoModelStorage):
    """django-eventstream's database storage (EVENTSTREAM_STORAGE_CLASS); used for writes."""

    TRIM_EVERY_SECONDS = 60.0
    _trimmed_at = float("-inf")

    def append_event(self, channel: str, event_type: str, data: Any):
        return self.append_events([(channel, event_type, data)])[0]

    def append_events(self, events: list[tuple[str, str, Any]], *, after: tuple[str, list] | None = None) -> list:
        """Store events (channel, type, data), each as the next of its channel: on PostgreSQL in one statement.

        django-eventstream takes five round trips an event (read the counter,
        lock it, insert, update it, commit), and every change of a task is
        stored twice (its channel and its project's). One statement that bumps
        the channels' counters and inserts the events gives the same
        guarantee: a counter's row lock orders its channel's events, and each
        is visible once its number is. Counters are locked in the order of
        their names, so two writers never wait for each other in a circle.

        `after` (PostgreSQL only): the change the events announce, as SQL
        that defines a CTE named `change` and its parameters. The events are
        stored in the same statement, and only if `change` returned a row:
        otherwise nothing is stored and the result is empty.
        """
        channels = [channel for channel, _type, _data in events]
        if after is None and (connection.vendor != "postgresql" or len(set(channels)) != len(channels)):
            # A channel twice in one statement would bump its counter twice in one command.
            return [self._append_alone(*event) for event in events]
        from django_eventstream import models
        from django_eventstream.event import Event as StoredEvent

        counter, table = models.EventCounter._meta.db_table, models.Event._meta.db_table
        rows = sorted(
            (channel, event_type, json.dumps(data, cls=DjangoJSONEncoder)) for channel, event_type, data in events
        )
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        change_sql, change_params = after or ("change AS (SELECT)", [])
        # A channel's first event also stores django-eventstream's placeholder
        # (position 0, which lets a client read the channel from its start):
        # `placeholder`, in the same statement.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH {change_sql},
                input (channel, type, data) AS (VALUES {values}),
                next AS (
                    INSERT INTO {counter} (name, value, updated)
                    SELECT channel, 1, now() FROM input WHERE EXISTS (SELECT FROM change) ORDER BY channel
                    ON CONFLICT (name) DO UPDATE SET value = {counter}.value + 1, updated = now()
                    RETURNING name, value
                ),
                placeholder AS (
                    INSERT INTO {table} (channel, type, data, eid, created)
                    SELECT name, '', '', 0, now() FROM next WHERE value = 1
                )
                INSERT INTO {table} (channel, type, data, eid, created)
                SELECT input.channel, input.type, input.data, next.value, now() FROM input JOIN next ON next.name = input.channel
                RETURNING channel, eid
                """,
                [*change_params, *(value for row in rows for value in row)],
            )
            eids = dict(cursor.fetchall())
        if not eids:
            return []
        self.trim_event_log()
        return [StoredEvent(channel, event_type, data, id=eids[channel]) for channel, event_type, data in events]

    def _append_alone(self, channel: str, event_type: str, data: Any):
        if connection.vendor != "postgresql":
            return super().append_event(channel, event_type, data)
        return self.append_events([(channel, event_type, data)])[0]

    def trim_event_log(self) -> None:
        # django-eventstream deletes events older than a day after every
        # append: a query on each event's path from worker to browser. Once a
        # minute per process removes the same rows.
        now = time.monotonic()
        if now - EventStorage._trimmed_at < self.TRIM_EVERY_SECONDS:
            return
        EventStorage._trimmed_at = now
        super().trim_event_log()


_UNSET = object()


@dataclass(eq=False)
class Event:
    """One stored event. `data` is its JSON text, sent as is; `frame` is encoded once and shared."""

    channel: str
    type: str
    data: str
    id: int
    _payload: Any = field(default=None, repr=False)
    _frame: bytes | None = field(default=None, repr=False)
    _state: Any = field(default=_UNSET, repr=False)

    @property
    def payload(self) -> Any:
        """The data, parsed (None if it is not JSON)."""
        if self._payload is None:
            try:
                self._payload = json.loads(self.data)
            except ValueError:
                self._payload = False
        return self._payload or None

    @property
    def state(self):
        """The task state the event reports (apps.tasks.streams.states.task_state), worked out once for every stream."""
        if self._state is _UNSET:
            from apps.tasks.streams.states import task_state

            self._state = task_state(self.type, self.payload)
        return self._state

    @property
    def frame(self) -> bytes:
        """The event as SSE bytes: encoded once for every stream that sends it."""
        if self._frame is None:
            from apps.tasks.events import event_id

            self._frame = sse_encode_event(self.type, self.data, event_id=event_id(self.channel, self.id)).encode()
        return self._frame


def read_events(channel: str, after: int, upto: int | None = None, limit: int | None = None) -> list[Event]:
    """Stored events of `channel` with ids in (after, upto], oldest first, at most `limit`."""
    from django_eventstream.models import Event as StoredEvent

    rows = StoredEvent.objects.filter(channel=channel, eid__gt=after)
    if upto is not None:
        rows = rows.filter(eid__lte=upto)
    rows = rows.order_by("eid").values_list("type", "data", "eid")
    if limit is not None:
        rows = rows[:limit]
    # The storage keeps each event's data as a JSON string of the JSON text.
    return [Event(channel, type_, json.loads(data), eid) for type_, data, eid in rows]


def current_position(channel: str) -> int:
    """The id of the channel's latest event (0 before the first)."""
    from django_eventstream.models import EventCounter

    return EventCounter.objects.filter(name=channel).values_list("value", flat=True).first() or 0


def positions(channels: set[str] | list[str]) -> dict[str, int]:
    """The latest id of each channel that has had an event."""
    from django_eventstream.models import EventCounter

    return dict(EventCounter.objects.filter(name__in=list(channels)).values_list("name", "value"))


# Enough to overlap the round trips of streams opening at once; each is a
# database connection of the web process.
STORAGE_THREADS = 4
_executor = concurrent.futures.ThreadPoolExecutor(STORAGE_THREADS, thread_name_prefix="event-storage")


def _with_fresh_connection_on_failure(function, *args):
    try:
        return function(*args)
    except (DatabaseError, InterfaceError):
        # A connection broken by a database restart stays broken: replace it
        # and try once more, so that the first read after the restart works.
        connection.close()
        try:
            return function(*args)
        except (DatabaseError, InterfaceError):
            connection.close()
            raise


async def run_read(function, *args):
    """Run a database read of the stream path on the storage threads, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor, _with_fresh_connection_on_failure, function, *args)


async def aread_events(channel: str, after: int, upto: int | None = None, limit: int | None = None) -> list[Event]:
    return await run_read(read_events, channel, after, upto, limit)


async def acurrent_position(channel: str) -> int:
    return await run_read(current_position, channel)
