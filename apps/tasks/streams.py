"""Server-Sent Events views, built on django-eventstream's stream.

What we add around it: authentication by session or API token, the access
check through the projects app before anything streams, the current state
sent first to a client that has seen nothing yet, and a database connection
given back before the stream starts waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET
from django_eventstream.eventrequest import EventRequest
from django_eventstream.utils import add_default_headers, get_storage, make_id, sse_encode_event
from django_eventstream.views import Listener, stream
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings

from apps.projects.access import get_project_for_user
from apps.tasks.bridge import get_bridge
from apps.tasks.channels import project_channel, task_channel
from apps.tasks.selectors import active_tasks, get_task_for_user

Snapshot = Callable[[], Iterable[tuple[str, dict]]]


def _authenticate(request: HttpRequest) -> None:
    """Let scripts stream with the API's own `Authorization` schemes (`Token ...`, a key's `Bearer ...`).

    The user a key authenticates carries the key (`user.project_key`); the
    access checks below hold it to the key's project and scope.
    """
    if request.user.is_authenticated or "HTTP_AUTHORIZATION" not in request.META:
        return
    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authentication, SessionAuthentication):
            continue  # the session middleware has done that one
        try:
            result = authentication().authenticate(request)
        except AuthenticationFailed:
            return
        if result is not None:
            request.user = result[0]
            return


def event_stream(request: HttpRequest, channel: str, snapshot: Snapshot) -> HttpResponse:
    """Stream `channel`; a client without a Last-Event-ID first gets `snapshot()`.

    The storage position is read before the snapshot, so anything that
    happens while it is taken is replayed after it: a client may see a state
    twice, never miss one.
    """
    try:
        event_request = EventRequest(request, view_kwargs={"channel": channel})
    except EventRequest.Error as exc:
        return HttpResponseBadRequest(f"Invalid request: {exc}.\n")
    event_request.user = request.user

    prelude = ""
    if channel not in event_request.channel_last_ids:
        position = get_storage().get_current_id(channel)
        event_request.channel_last_ids[channel] = str(position)
        event_id = make_id({channel: position})
        for event_type, payload in snapshot():
            prelude += sse_encode_event(event_type, payload, event_id=event_id, json_encode=True)

    # Give the request's connection back: the stream holds none while waiting.
    connections.close_all()

    listener = Listener()
    listener.user_id = request.user.pk
    listener.channels = {channel}

    async def body():
        get_bridge().ensure_listening()
        if prelude:
            yield prelude
        async for chunk in stream(event_request, listener):
            yield chunk

    response = StreamingHttpResponse(body(), content_type="text/event-stream")
    add_default_headers(response, request=request)
    return response


@require_GET
def project_stream(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """Events of every task of a project; first the state of each unfinished one."""
    _authenticate(request)
    project = get_project_for_user(request.user, project_id)

    def snapshot():
        return [(task.event_type, task.event_payload()) for task in active_tasks(project.id)[:200]]

    return event_stream(request, project_channel(project.id), snapshot)


@require_GET
def task_stream(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Events of one task; first its current state, so a late client still sees how it ended."""
    _authenticate(request)
    task = get_task_for_user(request.user, task_id)

    def snapshot():
        task.refresh_from_db()
        return [(task.event_type, task.event_payload())]

    return event_stream(request, task_channel(task.id), snapshot)
