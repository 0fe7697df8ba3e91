"""A task's events as the pages get them: django-eventstream's listener, fed by the event bridge.

A tool that waits for a task (add_memory with wait) follows the task's own
channel: first what storage holds of it (so a task that raced ahead is seen
from its first stage), then each event as the bridge hands it over, until the
terminal one. Ids are the order: each event is yielded once, and a gap in
them, or a listener that fell behind, is filled from storage.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from uuid import UUID

from django_eventstream.event import Event
from django_eventstream.views import Listener, get_listener_manager

from apps.agents.mcp.calls import db
from apps.tasks.bridge import get_bridge, read_events
from apps.tasks.channels import task_channel
from apps.tasks.models import TERMINAL

# Not how events arrive (the bridge wakes us): a check of storage now and
# then, for an event the bridge could not vouch for and did not flag.
RECHECK_SECONDS = 30.0


def _payload(event: Event) -> dict:
    return json.loads(event.data) if isinstance(event.data, str | bytes) else event.data


async def task_events(task_id: UUID | str) -> AsyncIterator[dict]:
    """Each event payload of the task, oldest first, ending with the terminal one."""
    channel = task_channel(task_id)
    manager = get_listener_manager()
    listener = Listener()
    listener.channels = {channel}
    listener.assign_loop()
    last = 0
    from_storage = True
    # Registered before storage is read, so nothing falls between the two.
    manager.add_listener(listener)
    try:
        get_bridge().ensure_listening()
        while True:
            if from_storage:
                with manager.lock:
                    listener.channel_items = {}
                    listener.overflow = False
                    listener.aevent.clear()
                events = await db(read_events, channel, last)
                from_storage = False
            else:
                try:
                    await asyncio.wait_for(listener.aevent.wait(), RECHECK_SECONDS)
                except TimeoutError:
                    from_storage = True
                    continue
                with manager.lock:
                    events = listener.channel_items.pop(channel, [])
                    # The listener's queue overflowed, or the bridge asks
                    # its streams to re-read: storage has it all.
                    from_storage = listener.overflow
                    listener.overflow = False
                    listener.aevent.clear()
                fresh = [event.id for event in events if event.id is not None and event.id > last]
                if fresh != list(range(last + 1, last + 1 + len(fresh))):
                    from_storage = True  # a gap in the ids: storage has what is missing
                if from_storage:
                    continue
            for event in events:
                if event.id is not None and event.id <= last:
                    continue  # seen already: storage and the listener overlap
                last = event.id or last
                payload = _payload(event)
                yield payload
                if payload.get("status") in TERMINAL:
                    return
    finally:
        manager.remove_listener(listener)
