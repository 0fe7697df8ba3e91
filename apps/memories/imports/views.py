from __future__ import annotations

import json
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.memories.imports import parsing, selectors
from apps.memories.imports.forms import ImportForm
from apps.memories.imports.services import COUNTS, import_start
from apps.memories.models import ImportOutcome
from apps.projects.access import Action, get_project_for_user, may

ITEMS_PER_PAGE = 100
# An item's outcome, its label, and the result's count of it.
OUTCOMES = [
    (ImportOutcome.CREATED, "Created", COUNTS[ImportOutcome.CREATED]),
    (ImportOutcome.DUPLICATE, "Duplicates (skipped)", COUNTS[ImportOutcome.DUPLICATE]),
    (ImportOutcome.REJECTED, "Rejected", COUNTS[ImportOutcome.REJECTED]),
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
        "recent": selectors.recent_imports(project),
    }
    return render(request, "memories/import.html", context)


@login_required
def memory_import_result(request: HttpRequest, project_id: UUID, task_id: UUID) -> HttpResponse:
    task = selectors.get_import_for_user(request.user, task_id, project_id=project_id)
    project, result = task.project, task.result or {}
    outcome = request.GET.get("outcome") if request.GET.get("outcome") in ImportOutcome.values else None
    page = Paginator(selectors.import_items(task, outcome=outcome), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
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
        # The counts are written when the items have been read (or the import stopped).
        "read": "total" in result,
        "page": page,
        "rows": selectors.with_memories(project, list(page.object_list)),
        "outcome": outcome,
        "outcomes": [(value, label, result.get(count, 0)) for value, label, count in OUTCOMES],
        "read_count": sum(result.get(count, 0) for *_, count in OUTCOMES),
        "format": task.payload.get("format", ""),
        "can_edit": may(project, Action.EDIT),
        "links": links if live else None,
        "links_json": json.dumps(links),
    }
    return render(request, "memories/import_result.html", context)
