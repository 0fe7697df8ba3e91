"""Batch import: one parent task that creates a memory, and so an ingestion
child task, per item; the parent ends when its children have. The children
are handed to the workers INGEST_BATCH_SIZE to a message and ingested
together (imports.ingestion).

Each item is an ImportItem row of the parent, pending until the worker reads
it; its outcome (created, duplicate or rejected, with the memory or the
reason) is written in the transaction that creates its memory. The parent's
result holds only the counts: `{"total", "created", "duplicates",
"rejected"}`, plus `stopped_after` when it stopped half-way and `children`
once they have ended.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from apps.memories.imports.ingestion import INGEST_BATCH, INGEST_BATCH_SIZE, ingestion_tasks_create
from apps.memories.imports.parsing import Entry, ParsedImport, RejectedItem
from apps.memories.models import ImportItem, ImportOutcome, Memory, content_hash
from apps.memories.services import DuplicateMemory, content_too_long, memory_create
from apps.memories.validation import InvalidMemoryFields, describe_errors, validate_memory_fields
from apps.projects.access import signed_in
from apps.projects.models import Project
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter, TaskCancelled, TaskSuperseded
from apps.tasks.services import (
    WAIT_FOR_CHILDREN,
    task_create,
    task_expect_children,
    task_request_cancel,
    tasks_enqueue_batch,
    tasks_held_for_batch,
)

BATCH_IMPORT = "batch_import"
SUBJECT_TYPE = "memories.import"
CHILD_MESSAGE = "{done} of {total} imported"
NOTHING_NEW_MESSAGE = "Nothing new to import; every item was a duplicate or was rejected"

CREATED, DUPLICATE, REJECTED = ImportOutcome.CREATED, ImportOutcome.DUPLICATE, ImportOutcome.REJECTED
# The result's name for the count of each outcome.
COUNTS = {CREATED: "created", DUPLICATE: "duplicates", REJECTED: "rejected"}
# Memories are created this many to a transaction, so the first children are
# ingesting while the rest are still being read.
BATCH_SIZE = 100
CANCEL_CHECK_EVERY = 50


class ImportAlreadyRead(Exception):
    """Every item of the import was read by an earlier run."""


def import_start(*, project: Project, author: AbstractBaseUser | None, parsed: ParsedImport) -> TaskLog:
    """Record the import's parent task with its items; it is enqueued when the transaction commits."""
    count = parsed.size
    with transaction.atomic():
        task = task_create(
            project=project,
            task_type=BATCH_IMPORT,
            created_by=author,
            payload={
                "format": parsed.format,
                "source_name": parsed.source_name,
                "item_count": count,
                "child_message": CHILD_MESSAGE,
            },
            subject_type=SUBJECT_TYPE,
            subject_label=f"Import of {parsed.source_name} ({count:,} item{'' if count == 1 else 's'})",
        )
        ImportItem.objects.bulk_create(
            (_pending_item(task, position, entry) for position, entry in enumerate(parsed.entries)), batch_size=500
        )
        return task


def _pending_item(task: TaskLog, position: int, entry: Entry) -> ImportItem:
    if isinstance(entry, RejectedItem):
        return ImportItem(task=task, position=position, line=entry.line, source=entry.source, reason=entry.reason)
    title = entry.fields.get("title")
    return ImportItem(
        task=task,
        position=position,
        line=entry.line,
        source=entry.source,
        title=title.strip()[:200] if isinstance(title, str) else "",
        fields=entry.fields,
    )


def import_result_url(task: TaskLog) -> str:
    return reverse("memories:import-result", args=[task.project_id, task.id])


def import_run(task: TaskLog, reporter: ProgressReporter) -> dict | object:
    """The parent's work: create a memory per valid, new item, then wait for their ingestion.

    Reads the items still pending, BATCH_SIZE to a transaction, checking for
    cancellation every CANCEL_CHECK_EVERY items; a run after a dead worker
    carries on where the last committed batch ended. Stopped half-way
    (cancelled or failed), the items not yet read stay pending for a retry,
    and on cancel the children already started are cancelled too.
    """
    if task.retry_of_id is not None and not task.import_items.exists():
        _copy_unread_import(task.retry_of_id, task)
    pending = ImportItem.objects.filter(task=task, outcome=ImportOutcome.PENDING).order_by("position")
    if not pending.exists():
        raise ImportAlreadyRead("The items of this import were already read; start a new import to add them again.")
    run = _ImportRun(task)
    total = run.total
    reporter.stage(0, f"Reading {total:,} items...")
    try:
        while True:
            with transaction.atomic(), tasks_held_for_batch():
                batch = list(pending[:BATCH_SIZE])
                valid = []
                for item in batch:
                    if item.position % CANCEL_CHECK_EVERY == 0:
                        reporter.check_cancelled()
                    if (fields := run.check(item)) is not None:
                        valid.append((item, fields))
                run.create(valid)
                ImportItem.objects.bulk_update(batch, ["outcome", "reason", "memory", "existing_memory_id"])
                if not pending.exists():
                    # In the transaction of the last creations: from its commit
                    # on, each child's end may be the parent's.
                    return run.finish()
            reporter.stage(0, f"Read {batch[-1].position + 1:,} of {total:,} items")
    except TaskSuperseded:
        raise  # another attempt runs this import now: what it records is its own
    except BaseException as exc:
        run.stop(cancelled=isinstance(exc, TaskCancelled))
        raise


@transaction.atomic  # all or none: a rerun copies only when it finds no items
def _copy_unread_import(previous_id, task: TaskLog) -> None:
    """A retry reads again every item of the attempt it retries, if that one stopped before reading them all."""
    previous = ImportItem.objects.filter(task_id=previous_id).order_by("position")
    if not previous.filter(outcome=ImportOutcome.PENDING).exists():
        return
    ImportItem.objects.bulk_create(
        (
            ImportItem(
                task=task,
                position=item.position,
                line=item.line,
                source=item.source,
                title=item.title,
                fields=item.fields,
                reason="" if item.fields is not None else item.reason,
            )
            for item in previous.iterator()
        ),
        batch_size=500,
    )


def import_counts(task: TaskLog) -> dict:
    """The result's counts of what the import's items became so far."""
    by_outcome = dict(task.import_items.values_list("outcome").annotate(n=Count("id")).order_by())
    return {
        "total": task.payload.get("item_count", sum(by_outcome.values())),
        **{name: by_outcome.get(outcome, 0) for outcome, name in COUNTS.items()},
    }


class _ImportRun:
    def __init__(self, task: TaskLog) -> None:
        self.task = task
        self.project = task.project
        self.author = task.created_by
        self.total = task.payload.get("item_count") or task.import_items.count()

    def check(self, item: ImportItem) -> dict | None:
        """The item's memory fields, cleaned; or None, with the item rejected (saved with its batch)."""
        if item.fields is None:  # the parser's verdict, kept in `reason`
            item.outcome = REJECTED
            return None
        try:
            fields = validate_memory_fields(item.fields)
        except InvalidMemoryFields as invalid:
            item.outcome, item.reason = REJECTED, str(invalid)
            return None
        if refusal := content_too_long(fields["content"]):
            item.outcome, item.reason = REJECTED, describe_errors({"content": [refusal]})
            return None
        return fields

    def create(self, valid: list[tuple[ImportItem, dict]]) -> None:
        """Create the memories of a batch's valid items, each with its ingestion task, in a few statements.

        An item whose content the project (or an earlier item) already holds
        is a duplicate of that memory. If someone else adds the same content
        at this very moment, the batch is created again one memory at a time,
        as memory_create does it, where that race is a duplicate like any other.
        """
        if not valid:
            return
        try:
            with transaction.atomic():
                self._create_together(valid)
        except IntegrityError:
            for item, fields in valid:
                self.read_one(item, fields)

    def _create_together(self, valid: list[tuple[ImportItem, dict]]) -> None:
        hashes = {content_hash(fields["content"]) for _item, fields in valid}
        known = dict(
            Memory.objects.filter(project=self.project, content_hash__in=hashes).values_list("content_hash", "id")
        )
        author = signed_in(self.author)
        memories = []
        for item, fields in valid:
            fingerprint = content_hash(fields["content"])
            if fingerprint in known:
                item.outcome, item.existing_memory_id, item.memory = DUPLICATE, known[fingerprint], None
                continue
            memory = Memory(
                project=self.project, author=author, content_hash=fingerprint,
                **{**fields, "valid_at": fields.get("valid_at") or timezone.now()},
            )  # fmt: skip
            known[fingerprint] = memory.id
            item.outcome, item.memory = CREATED, memory
            memories.append(memory)
        ingestion_tasks_create(memories, by=self.author, parent=self.task)
        Memory.objects.bulk_create(memories)
        for item, _fields in valid:
            if item.outcome == CREATED:
                item.memory_id = item.memory.id

    def read_one(self, item: ImportItem, fields: dict) -> None:
        """Give the item its outcome, creating its memory with memory_create."""
        item.outcome, item.reason, item.memory, item.existing_memory_id = REJECTED, "", None, None
        try:
            memory = memory_create(project=self.project, author=self.author, parent_task=self.task, **fields)
        except DuplicateMemory as duplicate:
            item.outcome, item.existing_memory_id = DUPLICATE, duplicate.existing.id
            return
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"content": exc.messages}
            item.outcome, item.reason = REJECTED, describe_errors(errors)
            return
        except IntegrityError:
            # Someone else added the same content at this very moment.
            existing = Memory.objects.filter(project=self.project, content_hash=content_hash(fields["content"])).first()
            if existing is None:
                raise
            item.outcome, item.existing_memory_id = DUPLICATE, existing.id
            return
        item.outcome, item.memory = CREATED, memory

    def finish(self) -> dict | object:
        result = import_counts(self.task)
        TaskLog.objects.filter(pk=self.task.pk).update(result=result, updated_at=timezone.now())
        self.task.result = result
        if not result["created"]:
            return result
        task_expect_children(self.task, result["created"])
        # The ingestions go to the workers many to a message (imports.ingestion),
        # once all are read: reading is quick, and the bar then counts them all
        # from the first. Those of an earlier attempt's batches go too.
        waiting = self.task.children.filter(status=Status.PENDING, enqueued_at__isnull=True)
        ids = list(waiting.order_by("created_at", "id").values_list("pk", flat=True))
        transaction.on_commit(partial(tasks_enqueue_batch, INGEST_BATCH, ids, size=INGEST_BATCH_SIZE))
        return WAIT_FOR_CHILDREN

    def stop(self, *, cancelled: bool) -> None:
        """Count what was read before the import stopped; the rest stays pending for a retry."""
        counts = import_counts(self.task)
        result = {**counts, "stopped_after": sum(counts[name] for name in COUNTS.values())}
        TaskLog.objects.filter(pk=self.task.pk).update(result=result)
        if cancelled:
            # A cancel cascades to the children it sees; those of a batch
            # that committed just after it are cancelled here.
            for child in self.task.children.filter(status__in=[Status.PENDING, Status.PROCESSING]):
                task_request_cancel(child)
