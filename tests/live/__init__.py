"""Helpers for tests that run the real thing, each in its own process:
uvicorn, redis-server, manage.py, and an SSE client to read streams."""

from tests.live.processes import (
    CeleryWorker,
    PostgresServer,
    RedisServer,
    ServerProcess,
    Uvicorn,
    free_port,
    live_env,
    manage_shell,
    manage_shell_json,
    publish_from_another_process,
    run_manage,
    start_celery_worker,
    start_postgres,
    start_redis,
    start_uvicorn,
)
from tests.live.sse import SSEClient, SSEEvent

__all__ = [
    "CeleryWorker",
    "PostgresServer",
    "RedisServer",
    "SSEClient",
    "SSEEvent",
    "ServerProcess",
    "Uvicorn",
    "free_port",
    "live_env",
    "manage_shell",
    "manage_shell_json",
    "publish_from_another_process",
    "run_manage",
    "start_celery_worker",
    "start_postgres",
    "start_redis",
    "start_uvicorn",
]
