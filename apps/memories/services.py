"""Writing memories, and the ingestion pipeline that turns one into graph."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.graph import services as graph
from apps.memories.constants import INGEST, SUBJECT_TYPE
from apps.memories.models import Memory, content_hash
from apps.projects.models import Project
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter
from apps.tasks.services import task_create, task_request_cancel

# The stages of ingestion that are this room's, as DESIGN.md lists them; the
# graph reports its own (20 to 75) in graph.episode_ingest.
STARTING = (10, "Starting episode ingestion...")
DONE_MESSAGE = "Episode ingestion completed"


class DuplicateMemory(Exception):
    def __init__(self, existing: Memory) -> None:
        super().__init__(f"The same content is already in this project: “{existing.title}”.")
        self.existing = existing


def _check_content(project: Project, content: str, *, exclude: Memory | None = None) -> str:
    limit = settings.MEMORY_MAX_CONTENT_CHARS
    if len(content) > limit:
        raise ValidationError(
            {
                "content": f"Content is {len(content):,} characters; the limit is {limit:,}. Split it into several memories."
            }
        )
    fingerprint = content_hash(content)
    existing = Memory.objects.filter(project=project, content_hash=fingerprint)
    if exclude is not None:
        existing = existing.exclude(pk=exclude.pk)
    if duplicate := existing.first():
        raise DuplicateMemory(duplicate)
    return fingerprint


def _start_ingestion(memory: Memory, *, by: AbstractBaseUser | None, parent: TaskLog | None = None) -> TaskLog:
    task = task_create(
        parent=parent,
        project=memory.project,
        task_type=INGEST,
        created_by=by,
        payload={"memory_id": str(memory.id), "content_chars": len(memory.content)},
        subject_type=SUBJECT_TYPE,
        subject_id=str(memory.id),
        subject_label=memory.title,
    )
    memory.current_task = task
    memory.processing_status = Status.PENDING
    memory.save(update_fields=["current_task", "processing_status", "updated_at"])
    return task


def _stop_ingestion(memory: Memory) -> None:
    """Ask a memory's unfinished ingestion to stop (its content is changing or going)."""
    if memory.current_task is not None and not memory.current_task.is_finished:
        task_request_cancel(memory.current_task)


@transaction.atomic
def memory_create(
    *,
    project: Project,
    author: AbstractBaseUser | None,
    title: str,
    content: str,
    content_type: str = "text",
    tags: list[str] | None = None,
    source_description: str = "",
    metadata: dict | None = None,
    valid_at: datetime | None = None,
    parent_task: TaskLog | None = None,
) -> Memory:
    """Save a memory and queue its ingestion; the task is enqueued when this commits.

    `parent_task` makes the ingestion a child of a larger task (a batch import).

    Raises DuplicateMemory when the project already holds the same content,
    ValidationError when the content is over the limit.
    """
    fingerprint = _check_content(project, content)
    memory = Memory.objects.create(
        project=project,
        author=author if author and author.is_authenticated else None,
        title=title,
        content=content,
        content_type=content_type,
        tags=tags or [],
        source_description=source_description,
        metadata=metadata or {},
        valid_at=valid_at or timezone.now(),
        content_hash=fingerprint,
    )
    _start_ingestion(memory, by=author, parent=parent_task)
    return memory


@transaction.atomic
def memory_update(*, memory: Memory, by: AbstractBaseUser | None, **fields) -> Memory:
    """Change a memory; new content (or a new content type or date) is ingested again."""
    reingest = any(
        name in fields and fields[name] != getattr(memory, name) for name in ("content", "content_type", "valid_at")
    )
    if "content" in fields and fields["content"] != memory.content:
        memory.content_hash = _check_content(memory.project, fields["content"], exclude=memory)
    for name, value in fields.items():
        setattr(memory, name, value)
    memory.save()
    if reingest:
        _stop_ingestion(memory)
        _start_ingestion(memory, by=by)
    return memory


@transaction.atomic
def memory_delete(*, memory: Memory) -> None:
    """Delete a memory and everything in the graph that only it supported."""
    _stop_ingestion(memory)
    graph.episode_remove(project=memory.project, episode_id=memory.id)
    memory.delete()


def memory_follow_task(task: TaskLog) -> None:
    """Keep a memory's processing_status in step with its current task.

    A retry of the memory's current task becomes its current task.
    """
    current = [task.id] if task.retry_of_id is None else [task.id, task.retry_of_id]
    Memory.objects.filter(pk=task.subject_id, current_task_id__in=current).update(
        current_task=task, processing_status=task.status, updated_at=timezone.now()
    )


def memory_url(task: TaskLog) -> str:
    return reverse("memories:detail", args=[task.project_id, task.subject_id])


def memory_ingest(task: TaskLog, reporter: ProgressReporter) -> dict:
    """The ingestion pipeline for one memory: one call into each room it feeds, in turn.

    Runs in a worker through apps.tasks.services.run_task. Each room reports
    its own stages (every report is a cancellation check), holds its own
    locks and takes back what it wrote if it cannot finish; a rerun of the
    same memory replaces what the previous run produced.
    """
    reporter.stage(*STARTING)
    memory = Memory.objects.select_related("project").get(pk=task.subject_id)
    # The content alone: a title in front would break JSON content and could
    # pass for a speaker in a conversation.
    episode = graph.Episode(
        memory_id=memory.id, text=memory.content, content_type=memory.content_type, valid_at=memory.valid_at
    )

    ingested = graph.episode_ingest(project=memory.project, episode=episode, reporter=reporter)
    # Every further room a memory feeds (the recall index, at 90) is one more call here, after the graph's.

    return asdict(ingested)
