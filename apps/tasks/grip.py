"""Streams that Pushpin holds (GRIP): what a web process answers the requests
Pushpin proxies. The views in streams/views.py hand such requests here; they run
on a storage thread.
"""

from __future__ import annotations

import jwt
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django_eventstream.utils import add_default_headers, sse_encode_event

from apps.tasks.bridge import get_bridge
from apps.tasks.channels import project_id_of, reader_channel
from apps.tasks.events import TERMINAL_EVENTS, event_id, forbidden_frame
from apps.tasks.eventstorage import read_events

# At most this many tasks' states in what a new client gets first.
SNAPSHOT_LIMIT = 200


def grip_followup(request: HttpRequest) -> bool:
    """Whether this is Pushpin's own follow-up request (next link, recovery) for a stream it holds.

    Those carry no credentials of the client: who it is and which channel it
    reads come in `es-meta`, which django-eventstream signed with our
    SECRET_KEY when the stream opened; the channel manager checks access again.
    """
    return getattr(getattr(request, "grip", None), "proxied", False) and bool(request.GET.get("es-meta"))


def grip_response(request: HttpRequest, channel: str, user, ends_with_task: bool, project_id=None) -> HttpResponse:
    """A request that Pushpin proxies: what to send first, and the channels to hold it on. On a storage thread.

    django-eventstream writes the GRIP instructions (and serves Pushpin's
    follow-up requests, which resume or recover from ids Pushpin keeps);
    we add the current state for a client that has seen nothing yet.

    Pushpin forwards every later event as it is, with no TaskStates to drop
    a state the snapshot already showed, so here the snapshot is taken from
    storage, at the very position the stream starts from: each task's last
    stored event up to it. Everything after it is newer.

    A task stream whose answer carries the task's terminal event is not
    held: Pushpin sends it and ends the stream, as a direct stream ends.
    Every held stream also listens on its reader's channel, where
    `events.close_reader_streams` closes it when the reader loses access;
    the bridge checks the reader again once Pushpin holds the stream
    (`Bridge.handed_to_proxy`), for a removal that came in between.
    """
    from django_eventstream.eventrequest import EventRequest
    from django_eventstream.eventstream import EventPermissionError, get_events
    from gripcontrol import Channel

    try:
        event_request = EventRequest(request, view_kwargs={"channel": channel})
        if not any(c == channel for c in event_request.channels):
            raise EventRequest.Error("wrong channel")
        event_response = get_events(event_request, user=user if user is not None else event_request.user)
    except EventPermissionError:
        return _ended(request)
    except ObjectDoesNotExist as exc:
        if request.GET.get("link") == "next":  # Pushpin asking again for a reader deleted since
            return _ended(request)
        return HttpResponseBadRequest(f"Invalid request: {exc}.\n")
    except (EventRequest.Error, ValueError, jwt.PyJWTError) as exc:
        return HttpResponseBadRequest(f"Invalid request: {exc}.\n")
    fresh = not event_request.is_next and not event_request.is_recover and channel not in event_request.channel_last_ids
    response = event_response.to_grip_response(request)
    position = int(event_response.channel_last_ids.get(channel) or 0)
    sent = list(event_response.channel_items.get(channel, ()))
    if fresh and position:
        states = stored_states(channel, position, finished_too=ends_with_task)
        sent += states
        response.content += "".join(
            sse_encode_event(
                event.type, event.data, event_id=event_id(channel, position) if n == len(states) - 1 else None
            )
            for n, event in enumerate(states)
        ).encode()
    if ends_with_task and any(event.type in TERMINAL_EVENTS for event in sent):
        request.grip.instruct = None  # no hold: the stream ends with this answer
    else:
        reader = user if user is not None else event_request.user
        if project_id is None:
            project_id = project_id_of(channel)
        reader_id = reader.pk if reader else None
        request.grip.instruct.add_channel(Channel(reader_channel(project_id, reader_id)))
        get_bridge().handed_to_proxy(user_id=reader_id, project_id=project_id)
    add_default_headers(response, request=request)
    return response


def stored_states(channel: str, position: int, *, finished_too: bool, scan: int = 2000) -> list:
    """Each task's last stored event on `channel` up to `position`, oldest first (unfinished tasks only, unless `finished_too`)."""
    latest: dict[str, object] = {}
    for event in reversed(read_events(channel, max(0, position - scan), position)):
        payload = event.payload
        task_id = payload.get("task_id") if isinstance(payload, dict) else None
        if task_id and task_id not in latest:
            latest[task_id] = event
    states = [e for e in latest.values() if finished_too or e.type not in TERMINAL_EVENTS]
    return sorted(states, key=lambda e: e.id)[-SNAPSHOT_LIMIT:]


def _ended(request: HttpRequest) -> HttpResponse:
    """The answer to Pushpin asking again (a gap, a recovery) for a stream whose reader lost access.

    An error status would make Pushpin retry and keep the stream open; the
    last frame of a direct stream, with no hold, ends it.
    """
    response = HttpResponse(forbidden_frame(), content_type="text/event-stream")
    add_default_headers(response, request=request)
    return response
