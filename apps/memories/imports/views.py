from __future__ import annotations

import json
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.memories.imports import parsing
from apps.memories.imports.forms import ImportForm
from apps.memories.imports.services import BATCH_IMPORT, CREATED, DUPLICATE, REJECTED, import_start
from apps.memories.models import Memory
from apps.projects.access import Action, get_project_for_user, may
from apps.tasks.models import TaskLog

ITEMS_PER_PAGE = 100
# An item's outcome, its label, and the result's count of it.
OUTCOMES = [
    (CREATED, "Created", "created"),
    (DUPLICATE, "Duplicates (skipped)", "duplicates"),
    (REJECTED, "Rejected", "rejected"),
]


@login_required
def memory_import(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        task = import_start(project=project, author=request.user, parsed=form.parsed)
        return redirect("memories:import-result", project_id=project.id, task_id=task.id)
    context = {
        "project": project,
        "form": form,
        "max_items": f"{parsing.max_items():,}",
        "max_megabytes": f"{parsing.max_bytes() / (1024 * 1024):,.1f}".removesuffix(".0"),
        "columns": parsing.CSV_COLUMNS,
        "recent": TaskLog.objects.filter(project=project, task_type=BATCH_IMPORT).defer("payload", "result")[:10],
    }
    return render(request, "memories/import.html", context)


@login_required
def memory_import_result(request: HttpRequest, project_id: UUID, task_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    task = TaskLog.objects.filter(project=project, pk=task_id, task_type=BATCH_IMPORT).first()
    if task is None:
        raise Http404("No such import.")
    result = task.result or {}
    outcome = request.GET.get("outcome") if request.GET.get("outcome") in (value for value, *_ in OUTCOMES) else None
    items = [item for item in result.get("items", []) if outcome is None or item["status"] == outcome]
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    live = not task.is_finished
    links = {
        "stream_url": reverse("api:task-stream", args=[task.id]),
        "cancel_url": reverse("api:task-cancel", args=[task.id]),
        "detail_url": request.path,
    }
    context = {
        "project": project,
        "task": task,
        "result": result,
        "read": "items" in result,
        "page": page,
        "rows": _rows(project, page.object_list),
        "outcome": outcome,
        "outcomes": [(value, label, result.get(count, 0)) for value, label, count in OUTCOMES],
        "format": task.payload.get("format", ""),
        "can_edit": may(project, Action.EDIT),
        "links": links if live else None,
        "links_json": json.dumps(links),
    }
    return render(request, "memories/import_result.html", context)


def _rows(project, items: list[dict]) -> list[dict]:
    """The page's items, each with the memory it created or duplicated (None if since deleted)."""
    ids = [item.get("memory_id") or item.get("existing_id") for item in items]
    memories = Memory.objects.filter(project=project, pk__in=[i for i in ids if i]).only(
        "id", "title", "processing_status"
    )
    by_id = {str(memory.id): memory for memory in memories}
    return [{**item, "memory": by_id.get(memory_id)} for item, memory_id in zip(items, ids)]
