"""Progress events: the one place that builds a task's payload, publishes
events, and writes and reads event ids.

An event id is `<channel>:<n>`, n being the event's position in its channel
(django-eventstream's storage counts per channel). A client resumes a stream
by sending the last id it saw as `Last-Event-ID` (or `?lastEventId=`), and a
page that renders a task list hands its stream the id of the position it
rendered at (`resume_id`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from urllib.parse import quote, unquote

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django_eventstream.utils import get_storage, sse_encode_event

from apps.tasks.bridge import get_bridge
from apps.tasks.channels import TASK_PREFIX, reader_channel
from apps.tasks.eta import estimate_eta
from apps.tasks.models import TaskLog

logger = logging.getLogger(__name__)

TERMINAL_EVENTS = frozenset({"completed", "failed", "cancelled"})


class BadEventId(ValueError):
    """A Last-Event-ID that is not `<channel>:<number>` (or a list of them)."""


def task_event(task: TaskLog, *, reached_at: datetime | None = None) -> tuple[str, dict]:
    """The event type and payload that say where `task` is now (DESIGN.md's shape).

    Streams send it as the first state to a new client and the reporter
    publishes it at every change, so both say the same thing the same way.
    """
    payload = task.event_payload()
    payload["eta_seconds"] = estimate_eta(task, reached_at=reached_at)
    return task.event_type, payload


def publish(channel: str, event_type: str, payload: dict) -> None:
    """Store an event and carry it to every stream of `channel`, in any web process.

    Inside a transaction the event waits for the commit, so no page hears of
    a change it cannot read yet. Publishing never raises: a lost event costs a
    page a moment of freshness (it catches up from storage), while an
    exception here would fail the work being reported on.
    """
    publish_together([(channel, event_type, payload)])


def publish_together(events: list[tuple[str, str, dict]]) -> None:
    """Publish several events (channel, type, payload) as `publish` does, stored in one statement."""
    transaction.on_commit(lambda: _publish_now(events))


def publish_with_change(change: tuple[str, list], events: list[tuple[str, str, dict]]) -> bool:
    """Make a change and store the events that announce it in one statement, then deliver them.

    PostgreSQL, outside a transaction only (the change commits with the
    statement). `change` is SQL defining a CTE named `change` and its
    parameters (EventStorage.append_events): True if it returned a row,
    False if it did not (then no event is stored). Errors propagate: the
    caller decides what a failed change means.
    """
    stored = get_storage().append_events(_texts(events), after=change)
    _deliver(stored)
    return bool(stored)


def _texts(events: list[tuple[str, str, dict]]) -> list[tuple[str, str, str]]:
    return [
        (channel, event_type, json.dumps(payload, cls=DjangoJSONEncoder)) for channel, event_type, payload in events
    ]


def _publish_now(events: list[tuple[str, str, dict]]) -> None:
    try:
        stored = get_storage().append_events(_texts(events))
    except Exception:
        logger.exception("Could not store %s", ", ".join(f"{kind} event for {channel}" for channel, kind, _ in events))
        return
    _deliver(stored)


def _deliver(stored: list) -> None:
    for event in stored:
        try:
            get_bridge().announce(event)
        except Exception:
            logger.exception("Could not announce %s event for %s", event.type, event.channel)
        if settings.GRIP_URL:
            _publish_to_grip_proxy(event)


def _publish_to_grip_proxy(event) -> None:
    """Hand the event to Pushpin, which sends it to the streams it holds.

    The previous id lets Pushpin notice a gap (events published out of
    order by two workers) and fetch what is missing from us. A task's
    terminal event ends its task streams, as a direct stream ends: Pushpin
    is told to close them right after it. That close names the terminal
    event as its previous id, so a stream that has not had the terminal
    event yet (a gap) is not closed by it; Pushpin fetches the missing
    events from us instead, and our answer, carrying the terminal event,
    ends the stream (grip.grip_response).
    """
    from django_eventstream.utils import publish_event
    from django_grip import publish
    from gripcontrol import HttpStreamFormat

    try:
        publish_event(event.channel, event.type, event.data, str(event.id), str(event.id - 1), blocking=True)
        if event.channel.startswith(TASK_PREFIX) and event.type in TERMINAL_EVENTS:
            publish(
                f"events-{quote(event.channel)}",
                HttpStreamFormat(close=True),
                id=f"{event.id}-end",
                prev_id=str(event.id),
                blocking=True,
            )
    except Exception:
        logger.exception("Could not publish %s event for %s to the GRIP proxy", event.type, event.channel)


def forbidden_frame() -> str:
    """The last frame of a stream whose reader lost access to its project.

    Its id is "error": a browser that reconnects sends it back and gets a
    400, so it stops trying (django-eventstream's convention).
    """
    data = {"condition": "forbidden", "text": "You no longer have access to this project."}
    return sse_encode_event("stream-error", data, event_id="error", json_encode=True)


def close_reader_streams(*, project_id, user_id) -> None:
    """End the streams Pushpin holds for a user who is no longer a member of the project (after the commit).

    Web processes end the streams they hold themselves, within seconds
    (bridge.guard_access); Pushpin's are closed here: with the same last
    frame, then the close, on the reader's channel those streams listen on.
    """
    if settings.GRIP_URL:
        transaction.on_commit(lambda: _close_on_grip_proxy(reader_channel(project_id, user_id)))


def membership_deleted(sender, instance, **kwargs) -> None:
    """Membership's post_delete (connected in apps.py): however the row goes.

    The service, the admin, a queryset's delete and the cascade from a
    user's or a project's deletion all end here, so none of them leaves
    the removed reader's streams open behind Pushpin.
    """
    close_reader_streams(project_id=instance.project_id, user_id=instance.user_id)


def _close_on_grip_proxy(channel: str) -> None:
    from django_grip import publish
    from gripcontrol import HttpStreamFormat

    try:
        publish(channel, HttpStreamFormat(forbidden_frame()), id="forbidden", blocking=True)
        publish(channel, HttpStreamFormat(close=True), id="closed", prev_id="forbidden", blocking=True)
    except Exception:
        logger.exception("Could not close the streams of %s on the GRIP proxy", channel)


# -- event ids -------------------------------------------------------------------


def event_id(channel: str, position: int) -> str:
    return f"{quote(channel)}:{position}"


def resume_id(channel: str) -> str:
    """The id of `channel`'s latest event: a stream opened with it sends only what comes after."""
    return event_id(channel, get_storage().get_current_id(channel))


def parse_event_id(value: str, channel: str) -> int | None:
    """The position in `channel` that `value` names; None if it names only other channels.

    django-eventstream's multi-channel form `a:1,b:2` is accepted. Anything
    else raises BadEventId, so that a client learns at once that its id is
    wrong instead of being streamed from a guess.
    """
    position = None
    for part in value.split(","):
        name, sep, number = part.strip().rpartition(":")
        if not sep or not name or not number.isascii() or not number.isdigit() or len(number) > 18:
            raise BadEventId(f"{value[:100]!r} is not an event id of the form <channel>:<number>")
        if unquote(name) == channel:
            position = int(number)
    return position
