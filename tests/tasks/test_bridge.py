"""The bridge's delivery rules, against real storage: no gaps, no duplicates, no storms."""

from __future__ import annotations

import asyncio
import json

import pytest
from django_eventstream.utils import get_storage
from django_eventstream.views import Listener, get_listener_manager

from apps.tasks.bridge import RedisBridge

CHANNEL = "project-00000000-0000-4000-8000-00000000b1d9"


def store(n: int) -> list:
    return [get_storage().append_event(CHANNEL, "progress", json.dumps({"step": i})) for i in range(n)]


def run_with_listener(scenario) -> Listener:
    """Run `scenario(bridge)` with one open stream on CHANNEL; return that stream's listener."""
    bridge = RedisBridge("redis://127.0.0.1:1/0")  # never connects: these tests call it directly
    listener = Listener()
    listener.channels = {CHANNEL}

    async def main():
        listener.assign_loop()
        get_listener_manager().add_listener(listener)
        try:
            await scenario(bridge)
        finally:
            get_listener_manager().remove_listener(listener)

    asyncio.run(main())
    return listener


def queued_ids(listener: Listener) -> list[int]:
    return [event.id for event in listener.channel_items.get(CHANNEL, [])]


@pytest.mark.django_db(transaction=True)
def test_it_hands_over_the_first_event_of_a_channel_without_a_re_read():
    events = store(1)
    listener = run_with_listener(lambda bridge: bridge.receive(events[0]))
    assert queued_ids(listener) == [events[0].id]
    assert listener.overflow is False


@pytest.mark.django_db(transaction=True)
def test_it_reads_missed_events_from_storage_once_and_keeps_order():
    events = store(4)

    async def scenario(bridge):
        await bridge.receive(events[0])
        await bridge.receive(events[3])  # 2 and 3 never came by pub/sub

    listener = run_with_listener(scenario)
    assert queued_ids(listener) == [e.id for e in events]
    assert listener.overflow is False


@pytest.mark.django_db(transaction=True)
def test_it_drops_an_event_it_already_handed_over():
    events = store(3)

    async def scenario(bridge):
        await bridge.receive(events[0])
        await bridge.receive(events[2])  # fills in 2 from storage
        await bridge.receive(events[1])  # the late pub/sub copy of 2

    assert queued_ids(run_with_listener(scenario)) == [e.id for e in events]


@pytest.mark.django_db(transaction=True)
def test_it_catches_up_after_an_outage_from_where_it_was():
    events = store(1)

    async def scenario(bridge):
        await bridge.receive(events[0])
        events.extend(await asyncio.to_thread(store, 2))  # stored while Redis was away
        await bridge.catch_up()

    listener = run_with_listener(scenario)
    assert queued_ids(listener) == [e.id for e in events]
    assert listener.overflow is False


@pytest.mark.django_db(transaction=True)
def test_it_asks_streams_to_look_for_themselves_only_without_a_position():
    listener = run_with_listener(lambda bridge: bridge.catch_up())
    assert listener.overflow is True
