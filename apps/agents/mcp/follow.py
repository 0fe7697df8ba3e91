"""A task's events as the pages get them: a subscription to the event bridge.

A tool that waits for a task (add_memory with wait) follows the task's own
channel: first what storage holds of it (so a task that raced ahead is seen
from its first stage), then each event as the bridge hands it over, until the
terminal one. Ids are the order: each event is yielded once, and a gap in
them, or a subscription the bridge asks to re-read, is filled from storage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

from apps.tasks.bridge import get_bridge
from apps.tasks.channels import task_channel
from apps.tasks.eventstorage import read_events, run_read
from apps.tasks.models import TERMINAL

# Not how events arrive (the bridge wakes us): a check of storage now and
# then, for an event the bridge could not vouch for and did not flag.
RECHECK_SECONDS = 30.0


async def task_events(task_id: UUID | str, *, user_id, project_id) -> AsyncIterator[dict]:
    """Each event payload of the task, oldest first, ending with the terminal one.

    `user_id` and `project_id` say who reads: the bridge ends the subscription
    of a reader who loses access to the project, and so does this.
    """
    channel = task_channel(task_id)
    bridge = get_bridge()
    # Subscribed before storage is read, so nothing falls between the two.
    subscription = bridge.subscribe(channel, user_id=user_id, project_id=project_id)
    last = 0
    from_storage = True
    try:
        while True:
            if from_storage:
                events = await run_read(read_events, channel, last)
                from_storage = False
            else:
                try:
                    await asyncio.wait_for(subscription.wake.wait(), RECHECK_SECONDS)
                except TimeoutError:
                    from_storage = True
                    continue
                if subscription.closed:
                    return
                events, from_storage, _ = subscription.take()
                fresh = [event.id for event in events if event.id > last]
                if fresh != list(range(last + 1, last + 1 + len(fresh))):
                    from_storage = True  # a gap in the ids: storage has what is missing
                if from_storage:
                    continue
            for event in events:
                if event.id <= last:
                    continue  # seen already: storage and the subscription overlap
                last = event.id
                payload = event.payload or {}
                yield payload
                if payload.get("status") in TERMINAL:
                    return
    finally:
        bridge.unsubscribe(subscription)
