"""A batch import's ingestions, many memories to a worker call.

The import creates each memory with its own ingestion task (a child of the
import), as any memory gets, but hands them to the workers INGEST_BATCH_SIZE
at a time in one Celery task (`memstack.ingest_batch`) instead of one each.
Here a batch is started (tasks_start: each child its own attempt), extracted,
and written in one transaction that holds the graph lock once: each memory's
graph writes in a savepoint of their own, then one community pass, the recall
passages of all, and every child's end (completed with its own result, or
failed with its own error). One event per batch: the parent's "N of M
imported".

What stays per memory: its task row (status, error, the entities and
relationships it produced) and its retry, which is the single-memory flow
with every stage. A child this path does not finish (a worker that dies, a
message the broker lost) is left to the sweeper, which runs it on its own.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import asdict
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.graph import services as graph
from apps.memories.constants import INGEST, SUBJECT_TYPE
from apps.memories.models import Memory
from apps.memories.services import DONE_MESSAGE
from apps.projects.access import signed_in
from apps.recall import services as recall
from apps.tasks.models import Status, TaskLog
from apps.tasks.services import task_children_changed, task_heartbeat, tasks_create_together, tasks_start

logger = logging.getLogger(__name__)

INGEST_BATCH_SIZE = 50
INGEST_BATCH = "ingest_batch"
GONE = "The memory was deleted before it was ingested."


def ingestion_tasks_create(memories: list[Memory], *, by, parent: TaskLog) -> None:
    """Give each new memory (not saved yet) its pending ingestion task, all in one statement.

    The tasks are those memory_create gives a memory (same payload, subject
    and label), made together and handed to the workers in batches.
    """
    tasks = tasks_create_together(
        [
            TaskLog(
                project=parent.project,
                task_type=INGEST,
                created_by=signed_in(by),
                payload={"memory_id": str(memory.id), "content_chars": len(memory.content)},
                subject_type=SUBJECT_TYPE,
                subject_id=str(memory.id),
                subject_label=memory.title[:255],
                parent=parent,
            )
            for memory in memories
        ]
    )
    for memory, task in zip(memories, tasks, strict=True):
        memory.current_task, memory.processing_status = task, Status.PENDING


def import_ingest_batch(task_ids: list[str]) -> None:
    """Ingest the memories of these child tasks (pending ones only), recording each one's end."""
    started = tasks_start(task_ids, worker=socket.gethostname())
    if not started:
        return
    Memory.objects.filter(current_task__in=started).update(
        processing_status=Status.PROCESSING, updated_at=timezone.now()
    )
    try:
        with task_heartbeat(started):
            _ingest(started)
    except Exception as exc:
        logger.exception("A batch of %s ingestions failed as a whole", len(started))
        _fail_all(started, f"{type(exc).__name__}: {exc}".strip())
    for parent_id in sorted({str(task.parent_id) for task in started if task.parent_id}):
        task_children_changed(parent_id)


def _ingest(started: list[TaskLog]) -> None:
    memories = Memory.objects.select_related("project").in_bulk([task.subject_id for task in started])
    by_task = {task.pk: memories.get(UUID(task.subject_id)) for task in started}
    present = [memory for memory in by_task.values() if memory is not None]
    if not present:
        return _fail_all(started, GONE)
    project = present[0].project
    episodes = {
        memory.pk: graph.Episode(
            memory_id=memory.pk, text=memory.content, content_type=memory.content_type, valid_at=memory.valid_at
        )
        for memory in present
    }
    # Their passages are embedded beside the extraction and the graph's writes, outside the locks below.
    embedding = recall.embedding_start(present)
    extracted = graph.episodes_extract(project=project, episodes=list(episodes.values()))
    with transaction.atomic():
        # Task rows first, then the graph lock (the lock order of every path):
        # only the attempts still current and not asked to stop write anything.
        rows = {
            row["pk"]: row
            for row in TaskLog.objects.select_for_update()
            .filter(pk__in=[task.pk for task in started])
            .values("pk", "status", "attempts", "cancel_requested_at")
        }
        current = [
            task
            for task in started
            if task.pk in rows
            and rows[task.pk]["status"] == Status.PROCESSING
            and rows[task.pk]["attempts"] == task.attempts
        ]
        cancelled = [task for task in current if rows[task.pk]["cancel_requested_at"] is not None]
        errors: dict = {}
        batch = []
        for task in current:
            memory = by_task[task.pk]
            if task in cancelled:
                continue
            if memory is None:
                errors[task.pk] = GONE
            elif isinstance(extracted[memory.pk], Exception):
                errors[task.pk] = _readable(extracted[memory.pk])
            else:
                batch.append((task, episodes[memory.pk], extracted[memory.pk]))
        outcomes = graph.episodes_write(project=project, batch=[(episode, ex) for _task, episode, ex in batch])
        ingested = {}
        for task, episode, _extraction in batch:
            outcome = outcomes[episode.memory_id]
            if isinstance(outcome, Exception):
                errors[task.pk] = _readable(outcome)
            else:
                ingested[task.pk] = outcome
        embedded = embedding.result()
        indexed = recall.memories_index_each(
            memories=[by_task[task_id] for task_id in ingested], embedded=embedded
        ) if ingested else {}  # fmt: skip
        results = {
            task_id: {**asdict(outcome), "passages": indexed.get(by_task[task_id].pk, 0)}
            for task_id, outcome in ingested.items()
        }
        _end(current, results, {task.pk for task in cancelled}, errors)
    recall.ensure_vector_index(embedded.embedder.dimension)


# The field an ended task of each status has of its own (a cancelled one has none).
_OWN_FIELD = {Status.COMPLETED: "result", Status.FAILED: "error"}


def _end(tasks: list[TaskLog], results: dict, cancelled: set, errors: dict) -> None:
    """Record each task's end, and its memory's status, in a few statements per status.

    Call with the tasks' rows locked and their attempts checked current.
    """
    now = timezone.now()
    ended: dict[str, list[TaskLog]] = {}
    for task in tasks:
        if task.pk in results:
            task.status, task.progress, task.message, task.result = (
                Status.COMPLETED,
                100,
                DONE_MESSAGE,
                results[task.pk],
            )
        elif task.pk in cancelled:
            task.status, task.message = Status.CANCELLED, "Cancelled"
        elif task.pk in errors:
            task.status, task.message, task.error = Status.FAILED, "Failed", errors[task.pk]
        else:
            continue
        task.completed_at = task.updated_at = now
        ended.setdefault(task.status, []).append(task)
    for status, same in ended.items():
        # What the tasks of a status share goes in one plain UPDATE, and only the
        # field that differs between them in a CASE: building a CASE over every
        # field cost Django more time than the database took to run it.
        shared = {"progress": 100} if status == Status.COMPLETED else {}
        TaskLog.objects.filter(pk__in=[task.pk for task in same]).update(
            status=status, message=same[0].message, completed_at=now, updated_at=now, **shared
        )
        if differs := _OWN_FIELD.get(status):
            TaskLog.objects.bulk_update(same, [differs])
        Memory.objects.filter(current_task__in=same).update(processing_status=status, updated_at=now)


def _fail_all(tasks: list[TaskLog], error: str) -> None:
    """The batch failed as a whole: each attempt still current ends failed, with the error."""
    with transaction.atomic():
        running = Q()
        for task in tasks:
            running |= Q(pk=task.pk, attempts=task.attempts)
        failing = list(TaskLog.objects.select_for_update().filter(running, status=Status.PROCESSING))
        _end(failing, {}, set(), {task.pk: error for task in failing})


def _readable(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
