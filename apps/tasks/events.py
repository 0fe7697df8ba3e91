"""The one place that publishes progress events."""

from __future__ import annotations

import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django_eventstream.utils import get_storage

from apps.tasks.bridge import get_bridge

logger = logging.getLogger(__name__)


def publish(channel: str, event_type: str, payload: dict) -> None:
    """Store an event and carry it to every stream of `channel`, in any web process.

    Inside a transaction the event waits for the commit, so no page hears of
    a change it cannot read yet. Publishing never raises: a lost event costs a
    page a moment of freshness (it catches up from storage), while an
    exception here would fail the work being reported on.
    """
    transaction.on_commit(lambda: _publish_now(channel, event_type, payload))


def _publish_now(channel: str, event_type: str, payload: dict) -> None:
    try:
        data = json.dumps(payload, cls=DjangoJSONEncoder)
        event = get_storage().append_event(channel, event_type, data)
    except Exception:
        logger.exception("Could not store %s event for %s", event_type, channel)
        return
    try:
        get_bridge().announce(event)
    except Exception:
        logger.exception("Could not announce %s event for %s", event_type, channel)
