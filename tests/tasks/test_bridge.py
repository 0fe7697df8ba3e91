"""The bridge's delivery rules, against real storage: no gaps, no duplicates, no storms."""

from __future__ import annotations

import asyncio
import json

import pytest
from django_eventstream.utils import get_storage

from apps.tasks.bridge import RedisBridge, Subscription
from apps.tasks.eventstorage import Event

CHANNEL = "project-00000000-0000-4000-8000-00000000b1d9"


def store(n: int) -> list[Event]:
    stored = [get_storage().append_event(CHANNEL, "progress", json.dumps({"step": i})) for i in range(n)]
    return [Event(e.channel, e.type, e.data, e.id) for e in stored]


def run_with_subscription(scenario) -> Subscription:
    """Run `scenario(bridge)` with one open stream on CHANNEL; return that stream's subscription."""
    bridge = RedisBridge("redis://127.0.0.1:1/0")  # never connects: these tests call it directly
    box = {}

    async def main():
        subscription = bridge.subscribe(CHANNEL, user_id=1, project_id="p")
        box["subscription"] = subscription
        try:
            await scenario(bridge)
        finally:
            bridge.unsubscribe(subscription)
            bridge._task.cancel()
            bridge._guard.cancel()
            bridge._ticker.cancel()

    asyncio.run(main())
    return box["subscription"]


def queued_ids(subscription: Subscription) -> list[int]:
    return [event.id for event in subscription.queue]


@pytest.mark.django_db(transaction=True)
def test_it_hands_over_the_first_event_of_a_channel_without_a_re_read():
    events = store(1)
    subscription = run_with_subscription(lambda bridge: bridge.receive(events[0]))
    assert queued_ids(subscription) == [events[0].id]
    assert subscription.reread is False


@pytest.mark.django_db(transaction=True)
def test_it_reads_missed_events_from_storage_once_and_keeps_order():
    events = store(4)

    async def scenario(bridge):
        await bridge.receive(events[0])
        await bridge.receive(events[3])  # 2 and 3 never came by pub/sub

    subscription = run_with_subscription(scenario)
    assert queued_ids(subscription) == [e.id for e in events]
    assert subscription.reread is False


@pytest.mark.django_db(transaction=True)
def test_it_drops_an_event_it_already_handed_over():
    events = store(3)

    async def scenario(bridge):
        await bridge.receive(events[0])
        await bridge.receive(events[2])  # fills in 2 from storage
        await bridge.receive(events[1])  # the late pub/sub copy of 2

    assert queued_ids(run_with_subscription(scenario)) == [e.id for e in events]


@pytest.mark.django_db(transaction=True)
def test_it_catches_up_after_an_outage_from_where_it_was():
    events = store(1)

    async def scenario(bridge):
        await bridge.receive(events[0])
        events.extend(await asyncio.to_thread(store, 2))  # stored while Redis was away
        await bridge.catch_up()

    subscription = run_with_subscription(scenario)
    assert queued_ids(subscription) == [e.id for e in events]
    assert subscription.reread is False


@pytest.mark.django_db(transaction=True)
def test_it_asks_streams_to_look_for_themselves_only_without_a_position():
    subscription = run_with_subscription(lambda bridge: bridge.catch_up())
    assert subscription.reread is True


def test_it_reports_reconnecting_while_its_source_is_away():
    """A real refused connection (nothing listens on port 1): /healthz's bridge check says so."""
    from apps.core.health import check_event_bridge
    from apps.tasks import bridge as bridge_module

    bridge = RedisBridge("redis://127.0.0.1:1/0")
    seen = {}

    async def main():
        bridge.ensure_listening()
        await asyncio.sleep(1.0)
        seen["status"] = bridge.status()
        previous, bridge_module._bridge = bridge_module._bridge, bridge
        try:
            seen["health"] = check_event_bridge()
        finally:
            bridge_module._bridge = previous
        bridge._task.cancel()
        bridge._guard.cancel()
        bridge._ticker.cancel()

    asyncio.run(main())
    assert seen["status"]["state"] == "reconnecting", seen
    assert seen["status"]["last_receive_age"] is None
    assert seen["health"].startswith("event bridge (redis) reconnecting for "), seen
    assert "Connection refused" not in seen["health"]  # states only, never exception text
