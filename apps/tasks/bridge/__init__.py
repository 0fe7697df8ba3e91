"""The event bridge: carries events from whichever process stored them (a
Celery worker, usually) to the streams open in this web process.

Each web process has one bridge, running in its event loop, and a registry
of the streams open in it (`Subscription`s, by channel). Events reach it in
one of two ways:

* ``RedisBridge`` (REDIS_URL set): the sender publishes the stored event on a
  Redis pub/sub channel; each web process keeps one subscription,
  reconnecting with backoff for as long as Redis is away.
* ``DatabaseBridge`` (embedded): each web process polls the event counters of
  the channels it has streams for, more slowly the longer nothing changes.

Storage is the source of truth either way. The bridge hands each channel's
events to its streams in id order: when ids show a gap (a lost message, a
reconnect after an outage) it reads the missing events from storage once per
channel. When it has no position to read from, it asks the channel's streams
to read storage themselves; each stream knows the last id it sent and drops
anything at or below it, so nothing is sent twice.

`status()` says how the bridge is doing for /healthz: when it last heard
from its source, and whether it is connected, reconnecting or failing.
"""

from __future__ import annotations

import threading

from django.conf import settings

from apps.tasks.bridge.base import Bridge
from apps.tasks.bridge.database_bridge import DatabaseBridge
from apps.tasks.bridge.redis_bridge import RedisBridge
from apps.tasks.bridge.subscription import Subscription

__all__ = ["Bridge", "DatabaseBridge", "RedisBridge", "Subscription", "get_bridge"]


_bridge: Bridge | None = None
_bridge_lock = threading.Lock()


def get_bridge() -> Bridge:
    global _bridge
    with _bridge_lock:
        if _bridge is None:
            if settings.EVENT_BRIDGE == "redis":
                _bridge = RedisBridge(settings.REDIS_URL)
            else:
                _bridge = DatabaseBridge(settings.EVENT_BRIDGE_POLL_SECONDS, settings.EVENT_BRIDGE_POLL_MAX_SECONDS)
        return _bridge
