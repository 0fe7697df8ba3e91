"""Batch import: one parent task that creates a memory, and so an ingestion
child task, per item; the parent ends when its children have.

The items travel to the worker in the parent's payload and are dropped from
it once read, leaving the counts; the per-item outcome is the parent's result:
`{"items": [{"line", "source"?, "title"?, "status", "memory_id"?,
"existing_id"?, "reason"?}], "total", "created", "duplicates", "rejected"}`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.memories.api import MemoryInputSerializer
from apps.memories.imports.parsing import ImportItem, ParsedImport, RejectedItem, entry_from_json
from apps.memories.models import Memory, content_hash
from apps.memories.services import DuplicateMemory, memory_create
from apps.projects.models import Project
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled
from apps.tasks.services import WAIT_FOR_CHILDREN, task_create, task_expect_children, task_request_cancel

BATCH_IMPORT = "batch_import"
SUBJECT_TYPE = "memories.import"
CHILD_MESSAGE = "{done} of {total} imported"
NOTHING_NEW_MESSAGE = "Nothing new to import; every item was a duplicate or was rejected"

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"
# Memories are created this many to a transaction, so the first children are
# ingesting while the rest are still being read.
BATCH_SIZE = 100
CANCEL_CHECK_EVERY = 50


class ImportAlreadyRead(Exception):
    """The task's items were read by an earlier run and are no longer in its payload."""


def import_start(*, project: Project, author: AbstractBaseUser | None, parsed: ParsedImport) -> TaskLog:
    """Record the import's parent task with its items; it is enqueued when the transaction commits."""
    count = parsed.size
    with transaction.atomic():
        return task_create(
            project=project,
            task_type=BATCH_IMPORT,
            created_by=author,
            payload={
                "format": parsed.format,
                "source_name": parsed.source_name,
                "item_count": count,
                "child_message": CHILD_MESSAGE,
                "entries": [entry.as_json() for entry in parsed.entries],
            },
            subject_type=SUBJECT_TYPE,
            subject_label=f"Import of {parsed.source_name} ({count:,} item{'' if count == 1 else 's'})",
        )


def import_result_url(task: TaskLog) -> str:
    return reverse("memories:import-result", args=[task.project_id, task.id])


def import_run(task: TaskLog, reporter: ProgressReporter) -> dict | object:
    """The parent's work: create a memory per valid, new item, then wait for their ingestion.

    Checks for cancellation every CANCEL_CHECK_EVERY items. Stopped half-way
    (cancelled or failed), the items read so far are kept as the result, and
    on cancel the children already started are cancelled too.
    """
    if "entries" not in task.payload:
        raise ImportAlreadyRead("The items of this import were already read; start a new import to add them again.")
    entries = [entry_from_json(data) for data in task.payload["entries"]]
    run = _ImportRun(task)
    total = len(entries)
    reporter.stage(0, f"Reading {total:,} items...")
    try:
        for start in range(0, total, BATCH_SIZE):
            end = min(start + BATCH_SIZE, total)
            with transaction.atomic():
                for index in range(start, end):
                    if index % CANCEL_CHECK_EVERY == 0:
                        reporter.check_cancelled()
                    run.add(entries[index])
                if end == total:
                    # In the transaction of the last creations: from its commit
                    # on, each child's end may be the parent's.
                    return run.finish()
            run.committed = end
            reporter.stage(0, f"Read {end:,} of {total:,} items")
    except BaseException as exc:
        run.stop(cancelled=isinstance(exc, TaskCancelled))
        raise
    with transaction.atomic():  # no items at all (the parser refuses that, but a payload is data)
        return run.finish()


class _ImportRun:
    def __init__(self, task: TaskLog) -> None:
        self.task = task
        self.project = task.project
        self.author = task.created_by
        self.outcomes: list[dict] = []
        self.committed = 0  # outcomes whose transaction committed
        self.created_ids: set = set()

    def add(self, entry: ImportItem | RejectedItem) -> None:
        outcome = {"line": entry.line}
        if entry.source:
            outcome["source"] = entry.source
        if isinstance(entry, RejectedItem):
            self.outcomes.append({**outcome, "status": REJECTED, "reason": entry.reason})
            return
        title = entry.fields.get("title")
        if isinstance(title, str) and title.strip():
            outcome["title"] = title.strip()[:200]
        self.outcomes.append({**outcome, **self._create(entry.fields)})

    def _create(self, fields: dict) -> dict:
        data = MemoryInputSerializer(data=fields)
        if not data.is_valid():
            return {"status": REJECTED, "reason": _reason(data.errors)}
        try:
            memory = memory_create(
                project=self.project, author=self.author, parent_task=self.task, **data.validated_data
            )
        except DuplicateMemory as duplicate:
            return self._duplicate(duplicate.existing)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"content": exc.messages}
            return {"status": REJECTED, "reason": _reason(errors)}
        except IntegrityError:
            # Someone else added the same content at this very moment.
            existing = Memory.objects.filter(
                project=self.project, content_hash=content_hash(data.validated_data["content"])
            ).first()
            if existing is None:
                raise
            return self._duplicate(existing)
        self.created_ids.add(memory.id)
        return {"status": CREATED, "memory_id": str(memory.id)}

    def _duplicate(self, existing: Memory) -> dict:
        if existing.id not in self.created_ids and _started_by(existing, self.task):
            # Created by an earlier run of this same task (its worker died
            # half-way and the sweeper queued it again): it is this import's.
            self.created_ids.add(existing.id)
            return {"status": CREATED, "memory_id": str(existing.id)}
        return {"status": DUPLICATE, "existing_id": str(existing.id)}

    def result(self, outcomes: list[dict]) -> dict:
        counts = {status: 0 for status in (CREATED, DUPLICATE, REJECTED)}
        for outcome in outcomes:
            counts[outcome["status"]] += 1
        return {
            "items": outcomes,
            "total": self.task.payload.get("item_count", len(outcomes)),
            "created": counts[CREATED],
            "duplicates": counts[DUPLICATE],
            "rejected": counts[REJECTED],
        }

    def finish(self) -> dict | object:
        result = self.result(self.outcomes)
        payload = {key: value for key, value in self.task.payload.items() if key != "entries"}
        TaskLog.objects.filter(pk=self.task.pk).update(result=result, payload=payload, updated_at=timezone.now())
        self.task.result, self.task.payload = result, payload
        if not result["created"]:
            return result
        task_expect_children(self.task, result["created"])
        return WAIT_FOR_CHILDREN

    def stop(self, *, cancelled: bool) -> None:
        """Keep what was read before the import stopped; the items stay in the payload for a retry."""
        result = {**self.result(self.outcomes[: self.committed]), "stopped_after": self.committed}
        TaskLog.objects.filter(pk=self.task.pk).update(result=result)
        if cancelled:
            # A cancel cascades to the children it sees; those of a batch
            # that committed just after it are cancelled here.
            for child in self.task.children.filter(status__in=[Status.PENDING, Status.PROCESSING]):
                task_request_cancel(child)


def _started_by(memory: Memory, task: TaskLog) -> bool:
    return memory.current_task_id is not None and (
        TaskLog.objects.filter(pk=memory.current_task_id, parent_id=task.pk).exists()
    )


def _reason(errors: dict) -> str:
    """DRF's field errors as one sentence per field: `title: This field is required.`"""
    return "; ".join(f"{field}: {' '.join(_messages(problems))}" for field, problems in errors.items())


def _messages(problems) -> list[str]:
    if isinstance(problems, dict):  # a list field's errors, by index
        return [message for nested in problems.values() for message in _messages(nested)]
    if isinstance(problems, list):
        return [message for nested in problems for message in _messages(nested)]
    return [str(problems)]
