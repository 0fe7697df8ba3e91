"""The export pages: choose a format, follow the export's progress, download its file."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.memories.exports import selectors
from apps.memories.exports.download import file_response
from apps.memories.exports.formats import FORMATS
from apps.memories.exports.forms import ExportForm
from apps.memories.exports.services import export_request
from apps.memories.selectors import memory_count
from apps.projects.access import get_project_for_user
from apps.tasks.jobs import job_card, job_start_from_page


@login_required
def export_page(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """The format choice, and the project's latest exports with their files."""
    project = get_project_for_user(request.user, project_id)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        task = job_start_from_page(
            request,
            lambda: export_request(project=project, by=request.user, format=form.cleaned_data["format"]),
            started="Export started.",
            shown="here",
        )
        return redirect("memories:export-detail", project_id=project.id, task_id=task.id)
    context = {
        "project": project,
        "form": form,
        "memory_count": memory_count(project),
        "retention": _retention(),
        "import_max_items": f"{settings.IMPORT_MAX_ITEMS:,}",
        "exports": [_described(task) for task in selectors.project_exports(project)],
    }
    return render(request, "memories/export.html", context)


@login_required
def export_detail(request: HttpRequest, project_id: UUID, task_id: UUID) -> HttpResponse:
    """One export: its live progress while it runs, then its file (or why there is none)."""
    task = selectors.get_export_for_user(request.user, project_id, task_id)
    project = task.project
    running = None if task.is_finished else task
    context = {
        "project": project,
        "export": _described(task),
        "task": task,
        **job_card(project, running, detail_url=reverse("memories:export", args=[project.id])),
    }
    return render(request, "memories/export_detail.html", context)


@login_required
def export_download(request: HttpRequest, project_id: UUID, task_id: UUID) -> HttpResponse:
    task = selectors.get_export_for_user(request.user, project_id, task_id)
    try:
        export = selectors.export_file(task)
    except selectors.ExportNotReady as not_ready:
        messages.error(request, str(not_ready))
        return redirect("memories:export-detail", project_id=task.project_id, task_id=task.id)
    return file_response(export)


def _retention() -> str:
    hours = settings.EXPORT_RETENTION_HOURS
    if hours % 24 == 0:
        return f"{hours // 24} day{'' if hours == 24 else 's'}"
    return f"{hours} hour{'' if hours == 1 else 's'}"


def _described(task) -> dict:
    """An export as the pages show it: its format's name, and its file if it can still be had."""
    chosen = FORMATS.get(task.payload.get("format", ""))
    try:
        file = selectors.export_file(task)
    except selectors.ExportNotReady as not_ready:
        file, reason = None, str(not_ready)
    else:
        reason = ""
    return {
        "task": task,
        "format": chosen.short if chosen else task.payload.get("format", ""),
        "file": file,
        "unavailable": reason if task.is_finished else "",
        "expires_at": selectors.export_expires_at(task) if file else None,
        "download_url": reverse("memories:export-download", args=[task.project_id, task.id]),
    }
