"""A real OpenAI-compatible HTTP server on 127.0.0.1, scripted per test.

The LLM extractor is tested against sockets, not a mock of httpx: retries,
timeouts and concurrency are properties of real connections.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sit on the request before answering


def chat_answer(content: str | dict[str, Any], finish_reason: str = "stop") -> Reply:
    """A 200 Chat Completions answer whose message content is `content` (JSON-encoded if a dict)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return Reply(
        body={
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}]
        }
    )


@dataclass
class FakeLLM:
    """Answers the n-th POST with script(n); records what it was asked."""

    script: Callable[[int], Reply]
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def count(self) -> int:
        return len(self.requests)


def handler_for(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with fake.lock:
                index = len(fake.requests)
                fake.requests.append({"path": self.path, **json.loads(body or b"{}")})
                fake.headers.append(dict(self.headers))
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            reply = fake.script(index)
            fake.stopping.wait(reply.delay)
            with fake.lock:  # before answering: the client may send its next request at once
                fake.in_flight -= 1
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            body = reply.body
            if isinstance(body, dict):
                body = json.dumps(body)
            if isinstance(body, str):
                body = body.encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout test) leaves a broken pipe behind; expected
