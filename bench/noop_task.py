"""The baseline of bench/ingest.py's latency suite: a Celery task that does nothing but say it ran.

The benchmark starts the Procfile's worker with `--include bench.noop_task`;
sending this task and waiting for its note in Redis is the round trip through
the same broker and worker pool that every ingestion pays before any of our
code runs.
"""

from __future__ import annotations

import os
from functools import cache

import redis
from celery import shared_task


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"])


@shared_task(name="bench.noop")
def noop(key: str) -> None:
    _redis().rpush(key, "ran")
