"""A stream's chunk written straight from the bridge (apps.tasks.streams.loop.write_at_once), and what
happens when the server has to wait for the client first."""

from __future__ import annotations

import asyncio
import warnings

from apps.tasks.bridge.subscription import Subscription
from apps.tasks.eventstorage import Event
from apps.tasks.streams.loop import write_at_once, writes_at_once


class Server:
    """An ASGI server's `send` as uvicorn's behaves: it writes at once, unless the client is behind; then
    it waits for the client before writing anything."""

    def __init__(self, *, behind: bool = False, broken: bool = False) -> None:
        self.behind, self.broken = behind, broken
        self.written: list[bytes] = []
        self.client_read: asyncio.Future | None = None

    async def send(self, message: dict) -> None:
        if self.broken:
            raise RuntimeError("the response has ended")
        if self.behind:
            self.client_read = asyncio.get_running_loop().create_future()
            await self.client_read
        self.written.append(message["body"])


def test_it_writes_a_chunk_at_once_when_the_server_can():
    server = Server()

    async def bridge():
        return write_at_once(server.send, b"data: 1\n\n")

    assert asyncio.run(bridge()) is True
    assert server.written == [b"data: 1\n\n"]


def test_it_writes_nothing_and_says_so_when_the_server_must_wait_for_the_client():
    server = Server(behind=True)

    async def bridge():
        written = write_at_once(server.send, b"data: 1\n\n")
        server.client_read.set_result(None)  # the client reads: the abandoned send must not write late
        await asyncio.sleep(0)
        return written

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would be a leak
        assert asyncio.run(bridge()) is False
    assert server.written == []


def test_it_leaves_a_failing_send_to_the_streams_task():
    async def bridge():
        return write_at_once(Server(broken=True).send, b"data: 1\n\n")

    assert asyncio.run(bridge()) is False


def test_only_servers_known_to_write_at_once_are_written_to_that_way():
    assert not writes_at_once(Server().send)
    assert not writes_at_once(lambda message: None)


def test_uvicorns_sends_are_known_to_write_at_once():
    # A uvicorn that moves or renames these fails here: check that its send still waits only before writing.
    from uvicorn.protocols.http import h11_impl, httptools_impl

    for module in (httptools_impl, h11_impl):
        cycle = module.RequestResponseCycle.__new__(module.RequestResponseCycle)
        assert writes_at_once(cycle.send)


def test_a_closed_subscription_hands_no_event_to_its_stream_directly():
    # A reader who lost access is closed; an event arriving before the stream's task ends the stream
    # must not reach the client by the direct way.
    subscription = Subscription("project-P", user_id=1, project_id="P")
    first, second = (Event("project-P", "progress", "{}", n) for n in (1, 2))
    offered = []
    subscription.offer = lambda event: offered.append(event) or True

    subscription.push(first)
    subscription.close("forbidden")
    subscription.push(second)

    assert offered == [first]
    assert subscription.queue == [second]  # the task ends the stream and sends it nothing more
