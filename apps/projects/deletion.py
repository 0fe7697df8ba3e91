"""Deleting a project and everything in it, as a background task with progress.

A project may hold 100,000 memories and their graph: far too much for one
request or one transaction. The API and the page start a task; the worker
deletes the project's rows in batches, reporting progress, then the project
row itself (with its memberships and the deletion's own task) in the
transaction that marks the task completed, so the stream's last event says so.

Which rows belong to a project is read from the models: every model with a
foreign key to Project. They are deleted in an order that respects their
foreign keys among themselves (entities before their types, relationships
before their entities...), whatever app they live in, so an app that adds a
project-owned model needs no change here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from graphlib import TopologicalSorter

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django_eventstream.models import Event, EventCounter

from apps.projects.models import Membership, Project
from apps.tasks.channels import project_channel, task_channel
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter
from apps.tasks.services import task_create, task_request_cancel

DELETE_PROJECT = "delete_project"
SUBJECT_TYPE = "projects.project"
DONE_MESSAGE = "Project deleted"
BATCH = 500

# What other rooms keep outside the database for a project (export files):
# each is called with the project's id once its deletion has committed.
_cleanups: list[Callable[[object], None]] = []


def on_project_deleted(cleanup: Callable[[object], None]) -> None:
    if cleanup not in _cleanups:
        _cleanups.append(cleanup)


def project_delete_request(*, project: Project, by: AbstractBaseUser | None) -> TaskLog:
    """Start deleting `project`, or return the deletion already under way."""
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        running = project_deletion(project)
        if running is not None:
            return running
        return task_create(
            project=project,
            task_type=DELETE_PROJECT,
            created_by=by,
            subject_type=SUBJECT_TYPE,
            subject_id=str(project.id),
            subject_label=project.name,
        )


def project_deletion(project: Project) -> TaskLog | None:
    """The unfinished deletion of `project`, if one was asked for."""
    return (
        TaskLog.objects.filter(
            project=project, task_type=DELETE_PROJECT, status__in=[Status.PENDING, Status.PROCESSING]
        )
        .order_by("created_at")
        .first()
    )


def project_owned_models() -> list[type[models.Model]]:
    """Every model with a foreign key to Project, in an order safe to delete them in."""
    owned = {
        rel.related_model
        for rel in Project._meta.related_objects
        if rel.one_to_many and rel.related_model is not Membership
    }
    graph: dict[type[models.Model], set[type[models.Model]]] = {model: set() for model in owned}
    for model in owned:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.many_to_one and target in owned and target is not model:
                graph[target].add(model)  # rows of `model` point at `target`: delete them first
    return list(TopologicalSorter(graph).static_order())


def project_delete_run(task: TaskLog, reporter: ProgressReporter) -> dict:
    """The worker's part: stop the project's other work, then delete its rows batch by batch."""
    project = task.project
    for other in TaskLog.objects.filter(project=project, status__in=[Status.PENDING, Status.PROCESSING]).exclude(
        pk=task.pk
    ):
        task_request_cancel(other)
    plan = [(model, _rows(model, project, task)) for model in project_owned_models()]
    total = sum(rows.count() for _, rows in plan) or 1
    done = 0
    deleted: dict[str, int] = {}
    reporter.stage(1, f"Deleting {total:,} rows...")
    while True:
        # A second pass finds what an ingestion, cancelled but still finishing
        # its last write, added behind the first.
        done_before = done
        for model, rows in plan:
            label = str(model._meta.verbose_name_plural)
            while ids := list(rows.order_by().values_list("pk", flat=True)[:BATCH]):
                with transaction.atomic():
                    if model is TaskLog:
                        _delete_events([task_channel(pk) for pk in ids])
                    model._base_manager.filter(pk__in=ids).delete()
                done += len(ids)
                deleted[label] = deleted.get(label, 0) + len(ids)
                progress = min(99, max(1, 100 * done // total))
                if progress > task.progress:
                    reporter.stage(progress, f"Deleting {label} ({min(done, total):,} of {total:,} rows)...")
        if done == done_before:
            break
    return {"deleted": deleted}


def project_follow_deletion(task: TaskLog) -> None:
    """When the deletion's work is done, the project row goes, in the same transaction."""
    if task.task_type == DELETE_PROJECT and task.status == Status.COMPLETED:
        # The deletion's own progress events go too; its last one, published
        # as this commits, expires with the event log (django-eventstream trims
        # it). The two channels keep their counters, so that last event
        # follows the earlier ones in id order and reaches the open streams.
        _delete_events([project_channel(task.project_id), task_channel(task.id)], counters=False)
        Project.objects.filter(pk=task.project_id).delete()
        for cleanup in _cleanups:
            # robust: a file that cannot be removed is logged, and never undoes the deletion.
            transaction.on_commit(partial(cleanup, task.project_id), robust=True)


def _rows(model: type[models.Model], project: Project, task: TaskLog) -> models.QuerySet:
    # Every row, hidden ones too (memories in the trash: `Memory.objects` leaves them out).
    rows = model._base_manager.filter(project=project)
    if model is TaskLog:
        # Not the deletion itself: it ends with the project row.
        rows = rows.exclude(pk=task.pk)
    return rows


def _delete_events(channels: list[str], *, counters: bool = True) -> None:
    Event.objects.filter(channel__in=channels).delete()
    if counters:
        EventCounter.objects.filter(name__in=channels).delete()
