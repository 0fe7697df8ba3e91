"""Reading imports and their items, for the pages and the API."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from apps.memories.imports.services import BATCH_IMPORT
from apps.memories.models import ImportItem, ImportOutcome, Memory
from apps.projects.access import Action, get_project_for_user
from apps.projects.models import Project
from apps.tasks.models import TaskLog


def get_import_for_user(
    user: AbstractBaseUser | AnonymousUser,
    task_id: UUID | str,
    action: Action = Action.VIEW,
    *,
    project_id: UUID | str | None = None,
) -> TaskLog:
    """The import (its parent task) if the user may do `action` in its project; Http404 or PermissionDenied otherwise.

    `task.project` carries the user's role, as get_project_for_user returns it.
    With `project_id`, an import of another project is not found.
    """
    try:
        task = TaskLog.objects.filter(pk=task_id, task_type=BATCH_IMPORT).select_related("created_by").first()
    except ValidationError:  # not a UUID
        task = None
    if task is None or (project_id is not None and str(task.project_id) != str(project_id)):
        raise Http404("No such import.")
    task.project = get_project_for_user(user, task.project_id, action)
    return task


def recent_imports(project: Project, *, limit: int = 10) -> QuerySet[TaskLog]:
    return TaskLog.objects.filter(project=project, task_type=BATCH_IMPORT).defer("payload", "result")[:limit]


def import_items(task: TaskLog, *, outcome: str | None = None) -> QuerySet[ImportItem]:
    """The items the import has read, in their order in the import; only those with `outcome` if given."""
    items = ImportItem.objects.filter(task=task).exclude(outcome=ImportOutcome.PENDING)
    if outcome:
        items = items.filter(outcome=outcome)
    # Neither the submitted fields nor the memories' contents: a page shows titles.
    return items.select_related("memory").defer("fields", "memory__content", "memory__metadata").order_by("position")


def with_memories(project: Project, items: list[ImportItem]) -> list[dict]:
    """Each item with the memory it created or repeats (None if deleted since)."""
    existing_ids = [item.existing_memory_id for item in items if item.existing_memory_id]
    existing = Memory.objects.filter(project=project, pk__in=existing_ids).only("id", "title", "processing_status")
    by_id = {memory.id: memory for memory in existing}
    return [{"item": item, "memory": item.memory or by_id.get(item.existing_memory_id)} for item in items]
