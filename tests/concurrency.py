"""Races with real threads: work on other threads, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction


class DatabaseThread(threading.Thread):
    """Runs `work` on a thread of its own (so on a connection of its own, closed at the end).

    `finished` is set once `work` has returned, and `result` is what it returned.
    """

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self.work = work
        self.result: object = None
        self.finished = threading.Event()

    def run(self) -> None:
        try:
            self.result = self.work()
            self.finished.set()
        finally:
            connection.close()


@contextmanager
def transaction_held_open(start: Callable[[], object], then: Callable[[], object] | None = None) -> Iterator[None]:
    """Another connection runs `start` in a transaction and keeps it open, with the locks it took,
    for the `with` block; then it runs `then` in the same transaction and commits."""
    started, done = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            start()
            started.set()
            done.wait(10)
            if then is not None:
                then()

    holder = DatabaseThread(hold)
    holder.start()
    assert started.wait(10)
    try:
        yield
    finally:
        done.set()
        holder.join(10)
