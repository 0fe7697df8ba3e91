"""Whole-project jobs: at most one of each kind pending or running per project.

A community rebuild, a recall reindex, an export in one format: each is a
task over a whole project, started from a page, the API or the command line.
Starting a second while one is under way would only do the work twice, so
each kind (task type and payload) admits one at a time, and the caller is
told which one is under way. The page, the API and the command each react to
that in one way, written here once.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from rest_framework import status
from rest_framework.response import Response

from apps.projects.access import Action, may, signed_in
from apps.projects.models import Project
from apps.tasks.models import Status, TaskLog
from apps.tasks.services import task_create


class JobRunning(Exception):
    """A job of this kind is already pending or running in the project; `task` is that one."""

    def __init__(self, task: TaskLog, what: str) -> None:
        super().__init__(f"{what} is already {task.status}.")
        self.task = task


def active_job(project: Project, task_type: str, payload: dict | None = None) -> TaskLog | None:
    """The project's job of this kind (type, and these payload values) that is pending or running, if any."""
    same_payload = {f"payload__{key}": value for key, value in (payload or {}).items()}
    return (
        TaskLog.objects.filter(
            project=project, task_type=task_type, status__in=[Status.PENDING, Status.PROCESSING], **same_payload
        )
        .order_by("created_at")
        .first()
    )


@transaction.atomic
def job_start(
    *,
    project: Project,
    task_type: str,
    by: AbstractBaseUser | None,
    subject_type: str,
    subject_label: str,
    what: str,
    payload: dict | None = None,
) -> TaskLog:
    """Queue a job of this kind, or raise JobRunning with the one under way.

    `what` names the job for people ("A community rebuild of this project").
    """
    # Two requests at the same moment: the second waits here for the first's
    # row lock on the project, then sees the first's task.
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).first()
    if (running := active_job(project, task_type, payload)) is not None:
        raise JobRunning(running, what)
    return task_create(
        project=project,
        task_type=task_type,
        payload=payload,
        created_by=signed_in(by),
        subject_type=subject_type,
        subject_id=str(project.id),
        subject_label=subject_label,
    )


def job_card(project: Project, task: TaskLog | None, *, detail_url: str) -> dict:
    """A page's context for its progress card: `progress` (None without a job) and its JSON for the card's script."""
    progress = None
    if task is not None:
        progress = {
            "task_id": str(task.id),
            "stream_url": reverse("api:task-stream", args=[task.id]),
            "detail_url": detail_url,
        }
        if may(project, Action.EDIT):
            progress["cancel_url"] = reverse("api:task-cancel", args=[task.id])
    return {"progress": progress, "progress_json": json.dumps(progress)}


def job_start_from_page(request: HttpRequest, start, *, started: str, shown: str = "below") -> TaskLog:
    """Run `start()` for a page's button: the new job, or the one under way (with a message saying so)."""
    try:
        task = start()
    except JobRunning as running:
        messages.info(request, f"{running} Its progress is shown {shown}.")
        return running.task
    messages.success(request, started)
    return task


def job_start_from_api(start, *, started=lambda task: {"task_id": str(task.id)}) -> Response:
    """Run `start()` for an API call: 202 with `started(task)`, or 409 naming the one under way."""
    try:
        task = start()
    except JobRunning as running:
        return Response(
            {"detail": str(running), "code": "already_running", "task_id": str(running.task.id)},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(started(task), status=status.HTTP_202_ACCEPTED)
