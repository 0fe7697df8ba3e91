"""The stream views: who the client is, what it may read, where it resumes; then a stream, or Pushpin's answer."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django_eventstream.utils import add_default_headers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings

from apps.projects.access import get_project_for_user
from apps.tasks.channels import project_channel, task_channel
from apps.tasks.events import TERMINAL_EVENTS, BadEventId, parse_event_id, task_event
from apps.tasks.eventstorage import run_read
from apps.tasks.grip import SNAPSHOT_LIMIT, grip_followup, grip_response
from apps.tasks.models import TaskLog
from apps.tasks.selectors import active_tasks, get_task_for_user
from apps.tasks.streams.loop import EventStreamResponse, Snapshot, Stream


def _reader(request: HttpRequest):
    """The session's user, else the one the API's own `Authorization` schemes name
    (`Token ...`, a project key's `Bearer ...`), else anonymous. On a storage thread.

    The user a key authenticates carries the key (`user.project_key`); the
    access checks hold it to the key's project and scope, so this very object
    must reach them.
    """
    user = get_user(request)
    if not user.is_authenticated and "HTTP_AUTHORIZATION" in request.META:
        user = _api_user(request)
    request.user = user
    return user


def _api_user(request: HttpRequest):
    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authentication, SessionAuthentication):
            continue  # the session was tried first
        try:
            result = authentication().authenticate(request)
        except AuthenticationFailed:
            break
        if result is not None:
            return result[0]
    return AnonymousUser()


def _last_event_id(request: HttpRequest, channel: str) -> int | None:
    """The position the client resumes from (Last-Event-ID, else `?lastEventId=`); BadEventId if malformed."""
    value = request.headers.get("Last-Event-ID") or next(
        (v for v in reversed(request.GET.getlist("lastEventId")) if v), ""
    )
    if not value:
        return None
    if value == "error":
        raise BadEventId("this stream ended with an error; open it again without an event id")
    return parse_event_id(value, channel)


async def _open_stream(
    request: HttpRequest, channel: str, *, user, project_id, snapshot: Snapshot, ends_with_task: bool
) -> HttpResponse:
    if getattr(getattr(request, "grip", None), "proxied", False):
        return await run_read(grip_response, request, channel, user, ends_with_task, project_id)
    try:
        last_id = _last_event_id(request, channel)
    except BadEventId as exc:
        return HttpResponseBadRequest(f"Invalid Last-Event-ID or lastEventId: {exc}.\n")
    stream = Stream(
        channel,
        user_id=user.pk,
        project_id=project_id,
        last_id=last_id,
        snapshot=snapshot,
        ends_with_task=ends_with_task,
    )
    response = EventStreamResponse(stream)
    add_default_headers(response, request=request)
    return response


async def project_stream(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """Events of every task of a project; a new client first gets the state of each unfinished one."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if grip_followup(request):
        return await run_read(grip_response, request, project_channel(project_id), None, False)
    user, project = await run_read(_project_reader, request, project_id)

    def snapshot():
        return [task_event(task) for task in active_tasks(project.id)[:SNAPSHOT_LIMIT]]

    return await _open_stream(
        request, project_channel(project.id), user=user, project_id=project.id, snapshot=snapshot, ends_with_task=False
    )


def _project_reader(request: HttpRequest, project_id: UUID) -> tuple:
    """(the client, the project it may read); Http404 or PermissionDenied. On a storage thread."""
    user = _reader(request)
    return user, get_project_for_user(user, project_id)


async def task_stream(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """Events of one task, ending with its terminal event; a new client first gets its current state.

    A client that resumes after it saw the end gets 204, which tells a
    browser's EventSource to stop reconnecting.
    """
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if grip_followup(request):
        return await run_read(grip_response, request, task_channel(task_id), None, True)
    user, task, saw_the_end = await run_read(_task_reader, request, task_id)
    if saw_the_end:
        return HttpResponse(status=204)
    channel = task_channel(task.id)

    def snapshot():
        return [task_event(TaskLog.objects.get(pk=task.pk))]

    return await _open_stream(
        request, channel, user=user, project_id=task.project_id, snapshot=snapshot, ends_with_task=True
    )


def _task_reader(request: HttpRequest, task_id: UUID) -> tuple:
    """(the client, the task it may read, whether the client already saw its end); On a storage thread."""
    user = _reader(request)
    task = get_task_for_user(user, task_id)
    channel = task_channel(task.id)
    try:
        last_id = _last_event_id(request, channel)
    except BadEventId:
        last_id = None  # _open_stream answers it
    return user, task, last_id is not None and _saw_the_end(task, channel, last_id)


def _saw_the_end(task: TaskLog, channel: str, last_id: int) -> bool:
    """Whether a client at `last_id` was already sent the task's terminal event."""
    from django_eventstream.models import Event as StoredEvent

    if not task.is_finished:
        return False
    return StoredEvent.objects.filter(channel=channel, type__in=TERMINAL_EVENTS, eid__lte=last_id).exists()
