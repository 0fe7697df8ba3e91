"""Events carried across processes by a Redis pub/sub channel."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from django.conf import settings

from apps.tasks.bridge.base import Bridge
from apps.tasks.eventstorage import Event

logger = logging.getLogger(__name__)


def redis_channel() -> str:
    """One pub/sub channel per deployment (its database), so that deployments
    sharing a Redis server never see each other's events."""
    return f"memstack:{settings.DATABASES['default']['NAME']}:events"


class RedisBridge(Bridge):
    kind = "redis"
    min_backoff = 0.25
    max_backoff = 5.0

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._publisher = None

    def announce(self, event) -> None:
        import redis

        if self._publisher is None:
            self._publisher = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=2)
        message = {"channel": event.channel, "type": event.type, "data": event.data, "id": event.id}
        try:
            self._publisher.publish(redis_channel(), json.dumps(message))
        except redis.RedisError as exc:
            # The event is stored; web processes re-read storage when they
            # reconnect or notice the gap at the next event.
            logger.warning("Could not publish event %s on Redis: %s", event.id, exc)

    async def run(self) -> None:
        from redis.asyncio import Redis

        backoff = self.min_backoff
        while True:
            client = Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=10)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(redis_channel())
                if self.failing_since is not None:
                    logger.info("Event bridge subscribed to Redis again.")
                # Whatever was published while we were away is only in storage.
                await self.catch_up()
                self._succeeded()
                backoff = self.min_backoff
                async for message in pubsub.listen():
                    if message["type"] == "message" and (event := self._parse(message["data"])):
                        await self.receive(event)
                    self.last_receive = time.time()
                raise ConnectionError("the Redis subscription ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Redis away, or storage unreadable while catching up (the
                # database restarting): either way, wait and start over.
                if self.failing_since is None:
                    logger.warning("Event bridge lost its source (%s); reconnecting.", exc)
                self._failed(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            finally:
                try:
                    await client.aclose()
                except Exception:  # closing a dead connection may fail too
                    pass

    @staticmethod
    def _parse(raw: bytes) -> Event | None:
        try:
            message = json.loads(raw)
            return Event(message["channel"], message["type"], message["data"], int(message["id"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("Ignoring a malformed bridge message: %r", raw[:200])
            return None
