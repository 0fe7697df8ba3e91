"""Fixtures for the graph tests: a scripted OpenAI-compatible server, and a port nobody listens on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.graph.fake_llm import FakeLLM, QuietServer, Reply, handler_for


@pytest.fixture
def fake_llm() -> Iterator[Callable[[Callable[[int], Reply]], FakeLLM]]:
    servers: list[tuple[QuietServer, FakeLLM]] = []

    def start(script: Callable[[int], Reply]) -> FakeLLM:
        fake = FakeLLM(script)
        server = QuietServer(("127.0.0.1", 0), handler_for(fake))
        fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append((server, fake))
        return fake

    yield start
    for server, fake in servers:
        fake.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
