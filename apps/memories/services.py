"""Writing memories, and the ingestion pipeline that turns one into graph."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.graph import services as graph
from apps.memories.constants import INGEST, SUBJECT_TYPE
from apps.memories.models import Memory, MemoryVersion, content_hash
from apps.projects.access import signed_in
from apps.projects.locking import hold_project
from apps.projects.models import Project
from apps.recall import services as recall
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter
from apps.tasks.services import task_create, task_request_cancel

# The stages of ingestion that are this room's, as DESIGN.md lists them; the
# graph reports its own (20 to 75) in graph.episode_ingest.
STARTING = (10, "Starting episode ingestion...")
INDEXING_FOR_RECALL = (90, "Indexing for recall...")
DONE_MESSAGE = "Episode ingestion completed"


class DuplicateMemory(Exception):
    def __init__(self, existing: Memory) -> None:
        super().__init__(f"The same content is already in this project: “{existing.title}”.")
        self.existing = existing


def content_too_long(content: str) -> str | None:
    """Why `content` is refused for its length, or None."""
    limit = settings.MEMORY_MAX_CONTENT_CHARS
    if len(content) <= limit:
        return None
    return (
        f"Content is {len(content):,} characters; the limit is {limit:,}. Nothing was saved. "
        "Split it into several memories; the Import page takes many at once "
        "(a JSON Lines file, or one text file per part)."
    )


def _check_content(project: Project, content: str, *, exclude: Memory | None = None) -> str:
    if refusal := content_too_long(content):
        raise ValidationError({"content": refusal})
    fingerprint = content_hash(content)
    existing = Memory.objects.filter(project=project, content_hash=fingerprint)
    if exclude is not None:
        existing = existing.exclude(pk=exclude.pk)
    if duplicate := existing.first():
        raise DuplicateMemory(duplicate)
    return fingerprint


def _start_ingestion(
    memory: Memory,
    *,
    by: AbstractBaseUser | None,
    parent: TaskLog | None = None,
    replacing: object = None,
    changes: dict | None = None,
    restoring: bool = False,
) -> TaskLog | None:
    """Queue a new ingestion and make it the memory's current task, with `changes` to the memory.

    A conditional update: it only happens while the memory's current task is
    still `replacing` (its id). Returns None when another change got there
    first; the caller's transaction must then be rolled back.
    """
    task = task_create(
        parent=parent,
        project=memory.project,
        task_type=INGEST,
        created_by=by,
        payload={
            "memory_id": str(memory.id),
            "content_chars": len(changes.get("content", memory.content) if changes else memory.content),
        },
        subject_type=SUBJECT_TYPE,
        subject_id=str(memory.id),
        subject_label=(changes or {}).get("title", memory.title),
    )
    now = timezone.now()
    changes = {**(changes or {}), "current_task": task, "processing_status": Status.PENDING, "updated_at": now}
    # A live memory, or (for a restore) one in the trash: never the other.
    rows = Memory.all_objects.filter(pk=memory.pk, current_task_id=replacing, deleted_at__isnull=not restoring)
    if not rows.update(**changes):
        return None
    for name, value in changes.items():
        setattr(memory, name, value)
    return task


def _stop_ingestion(task: TaskLog | None) -> None:
    """Ask a memory's unfinished ingestion to stop (its content is changing or going)."""
    if task is not None and not task.is_finished:
        task_request_cancel(task)


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
    try:
        # A savepoint: the same content created at this very moment by
        # another request trips the unique constraint, which is a duplicate
        # like any other, not an error.
        with transaction.atomic():
            memory = Memory.objects.create(
                project=project,
                author=signed_in(author),
                title=title,
                content=content,
                content_type=content_type,
                tags=tags or [],
                source_description=source_description,
                metadata=metadata or {},
                valid_at=valid_at or timezone.now(),
                content_hash=fingerprint,
            )
    except IntegrityError as exc:
        existing = Memory.objects.filter(project=project, content_hash=fingerprint).first()
        if existing is None:
            raise
        raise DuplicateMemory(existing) from exc
    _start_ingestion(memory, by=author, parent=parent_task)
    return memory


class MemoryGone(Exception):
    """An ingestion whose memory went to the trash, or was deleted, before it started."""


class ConcurrentEdit(Exception):
    """The memory kept changing under this edit; the caller may try again."""


# Lock order, on every path that takes more than one of these rows (the API,
# the worker, the sweeper): task rows first, then the project (the graph lock,
# or the key-share lock any insert of a task or memory takes on it), then the
# memory row. The worker's run_task moves a task then follows it on the
# memory; its graph writes lock the project then reference the memory. An
# edit that took the memory first would deadlock with either. PostgreSQL
# checks our foreign keys at COMMIT (Django makes them deferred), so the
# key-share lock a new task takes on its project would come last unless
# taken on purpose, in its place (hold_project).
REINGEST_FIELDS = ("content", "content_type", "valid_at")
# What a MemoryVersion keeps of the memory as it was before an edit.
VERSIONED_FIELDS = ("title", "content", "content_type", "tags", "source_description", "valid_at")
EDIT_ATTEMPTS = 5


def memory_update(*, memory: Memory, by: AbstractBaseUser | None, **fields) -> Memory:
    """Change a memory; new content (or a new content type or date) is ingested again.

    Only the fields that change are written, so a worker's concurrent change
    of the status is never written back stale. Re-ingestion replaces the
    current task with a conditional update; if another edit replaced it
    first, this one is retried on the fresh row.

    An edit of the title, content, type, tags, source or date first records
    the memory as it was (a MemoryVersion, in the same transaction).

    Raises DuplicateMemory, ValidationError (content over the limit) and,
    after EDIT_ATTEMPTS lost races in a row (or when the memory went to the
    trash meanwhile), ConcurrentEdit.
    """
    for _ in range(EDIT_ATTEMPTS):
        try:
            with transaction.atomic():
                if _update(memory, by=by, fields=fields):
                    return memory
        except IntegrityError as exc:
            # The same content saved into another memory at this very moment.
            fingerprint = content_hash(fields["content"]) if "content" in fields else None
            existing = Memory.objects.filter(project=memory.project, content_hash=fingerprint).exclude(pk=memory.pk)
            if fingerprint is None or not existing.exists():
                raise
            raise DuplicateMemory(existing.first()) from exc
        memory.refresh_from_db()
        if memory.deleted_at is not None:
            raise ConcurrentEdit("The memory was put in the trash while saving; restore it to edit it.")
    raise ConcurrentEdit("The memory changed again and again while saving; try again.")


def _update(memory: Memory, *, by: AbstractBaseUser | None, fields: dict) -> bool:
    changed = {name: value for name, value in fields.items() if value != getattr(memory, name)}
    if not changed:
        return True
    if "content" in changed:
        changed["content_hash"] = _check_content(memory.project, changed["content"], exclude=memory)
    if any(name in changed for name in VERSIONED_FIELDS):
        # In the edit's transaction: a lost race below rolls it back with the edit.
        MemoryVersion.objects.create(
            memory=memory,
            replaced_by=signed_in(by),
            **{name: getattr(memory, name) for name in VERSIONED_FIELDS},
        )
    if not any(name in changed for name in REINGEST_FIELDS):
        for name, value in changed.items():
            setattr(memory, name, value)
        memory.save(update_fields=[*changed, "updated_at"])
        return True
    current = Memory.objects.filter(pk=memory.pk).values_list("current_task_id", flat=True).first()
    if current is not None:
        _stop_ingestion(TaskLog.objects.get(pk=current))
    hold_project(memory.project_id)
    if _start_ingestion(memory, by=by, replacing=current, changes=changed) is None:
        transaction.set_rollback(True)
        return False
    return True


@transaction.atomic
def memory_delete(*, memory: Memory) -> None:
    """Delete a memory forever (from the trash, or the admin), and everything in the graph that only it supported."""
    _stop_ingestion(memory.current_task)
    graph.episode_remove(project=memory.project, episode_id=memory.id)
    memory.delete()


def memory_trash(*, memory: Memory, by: AbstractBaseUser | None) -> None:
    """Put a memory in its project's trash: it leaves every list, search, agent and the graph at once.

    One transaction, in the lock order: the ingestion under way is asked to
    stop (task row), the graph support the memory gave is withdrawn (the
    project's graph lock), then the memory is marked (its row) and its recall
    passages go. An ingestion still running checks for that stop inside each
    of its graph writes, under the same lock, so none lands after this
    commits; its recall step finds the memory gone from the live ones.
    Restorable until MEMORY_TRASH_DAYS have passed (trash_purge).
    """
    with transaction.atomic():
        current = Memory.all_objects.filter(pk=memory.pk).values_list("current_task_id", flat=True).first()
        if current is not None:
            _stop_ingestion(TaskLog.objects.get(pk=current))
        graph.episode_remove(project=memory.project, episode_id=memory.id)
        now = timezone.now()
        Memory.all_objects.filter(pk=memory.pk, deleted_at__isnull=True).update(
            deleted_at=now, deleted_by=signed_in(by), updated_at=now
        )
        recall.memory_unindex(memory_id=memory.pk)
    memory.refresh_from_db()


class RestoreRefused(Exception):
    """The memory cannot come back from the trash now; the message says why and what to do."""


def memory_restore(*, memory: Memory, by: AbstractBaseUser | None) -> TaskLog:
    """Take a memory out of the trash and ingest it again (graph support and recall passages).

    Returns the new ingestion task. Raises DuplicateMemory when the same
    content was added to the project since, RestoreRefused while the
    ingestion that was stopped at the delete has not stopped yet.
    """
    with transaction.atomic():
        current = Memory.all_objects.filter(pk=memory.pk).values_list("current_task_id", flat=True).first()
        if current is not None and not TaskLog.objects.get(pk=current).is_finished:
            raise RestoreRefused("Its ingestion is still stopping; try again in a moment.")
        if duplicate := Memory.objects.filter(project=memory.project, content_hash=memory.content_hash).first():
            raise DuplicateMemory(duplicate)
        hold_project(memory.project_id)
        try:
            with transaction.atomic():
                task = _start_ingestion(
                    memory, by=by, replacing=current, changes={"deleted_at": None, "deleted_by": None}, restoring=True
                )
        except IntegrityError as exc:  # the same content added at this very moment
            duplicate = Memory.objects.filter(project=memory.project, content_hash=memory.content_hash).first()
            if duplicate is None:
                raise
            raise DuplicateMemory(duplicate) from exc
        if task is None:
            raise RestoreRefused("It changed while restoring (restored already, or deleted forever); reload the trash.")
    return task


def trash_delete(*, memory: Memory) -> bool:
    """Delete a memory of the trash forever; False (nothing done) if it left the trash meanwhile.

    Checked once the graph lock is held, in the lock order: a restore that
    got there first keeps its memory, and this transaction takes back all
    it did (the cancel, the graph withdrawal).
    """
    with transaction.atomic():
        _stop_ingestion(memory.current_task)
        graph.episode_remove(project=memory.project, episode_id=memory.id)
        if not Memory.all_objects.filter(pk=memory.pk, deleted_at__isnull=False).select_for_update().exists():
            transaction.set_rollback(True)
            return False
        memory.delete()
    return True


def trash_empty(*, project: Project) -> int:
    """Delete forever every memory in the project's trash. Returns how many."""
    return _delete_trashed(Memory.all_objects.filter(project=project, deleted_at__isnull=False))


def trash_purge(*, now: datetime | None = None) -> int:
    """Delete forever what has been in any trash longer than MEMORY_TRASH_DAYS (the beat runs it). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MEMORY_TRASH_DAYS)
    return _delete_trashed(Memory.all_objects.filter(deleted_at__lt=cutoff))


def _delete_trashed(memories) -> int:
    count = 0
    for memory_id in list(memories.values_list("pk", flat=True)):
        memory = Memory.all_objects.select_related("project", "current_task").filter(pk=memory_id).first()
        if memory is not None and trash_delete(memory=memory):
            count += 1
    return count


def memory_follow_task(task: TaskLog) -> None:
    """Keep a memory's processing_status in step with its current task.

    A retry of the memory's current task becomes its current task.
    """
    current = [task.id] if task.retry_of_id is None else [task.id, task.retry_of_id]
    # In the trash too: a task stopped by the delete ends there, and says so.
    Memory.all_objects.filter(pk=task.subject_id, current_task_id__in=current).update(
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
    memory = Memory.objects.select_related("project").filter(pk=task.subject_id).first()
    if memory is None:
        raise MemoryGone("This memory is in the trash or was deleted; restore it to ingest it again.")
    # The content alone: a title in front would break JSON content and could
    # pass for a speaker in a conversation.
    episode = graph.Episode(
        memory_id=memory.id, text=memory.content, content_type=memory.content_type, valid_at=memory.valid_at
    )
    # Its passages are embedded beside the graph's stages and indexed after them.
    embedding = recall.embedding_start([memory])

    ingested = graph.episode_ingest(project=memory.project, episode=episode, reporter=reporter)
    try:
        reporter.stage(*INDEXING_FOR_RECALL)
        indexed = recall.memory_index(memory=memory, embedding=embedding)
    except BaseException:
        # Cancelled or failed after the graph's part: take back what it wrote too.
        graph.episode_remove(project=memory.project, episode_id=memory.id)
        raise

    return {**asdict(ingested), "passages": indexed["passages"]}
