"""Loaded before pytest-django (`-p tests.xdist_worker` in pyproject.toml):
under pytest-xdist, each worker process gets a Redis database of its own.

A worker's test database is already its own (pytest-django adds the worker
id to its name), and so is the event bridge's pub/sub channel, which is named
after the database. The Celery broker is not: two live tests in two workers
would share one queue, and one worker's Celery would take the other's tasks.
So worker N uses the Redis database after REDIS_URL's by N.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16


def _worker_redis_url(url: str, worker: str) -> str:
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = (base + int(worker.removeprefix("gw"))) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{number}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], _worker)
