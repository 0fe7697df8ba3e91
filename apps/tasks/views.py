from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.projects.access import Action, get_project_for_user, may
from apps.projects.selectors import projects_for_user
from apps.tasks import selectors, services
from apps.tasks.channels import project_channel
from apps.tasks.eta import estimate_eta
from apps.tasks.events import resume_id
from apps.tasks.models import Status, TaskLog


@login_required
def task_list(request: HttpRequest, project_id: UUID | None = None) -> HttpResponse:
    """Every task the user may see, newest first; per project when `project_id` is given."""
    project = get_project_for_user(request.user, project_id) if project_id else None
    projects = list(projects_for_user(request.user))
    wanted = {
        "project": str(project.id) if project else request.GET.get("project", ""),
        "status": request.GET.get("status", "") if request.GET.get("status") in Status.values else "",
        "type": request.GET.get("type", "")[:40],
        "q": request.GET.get("q", "").strip()[:200],
    }
    if wanted["project"] not in {str(p.id) for p in projects}:
        wanted["project"] = ""
    tasks = selectors.tasks_for_user(
        request.user, project_id=wanted["project"] or None, task_type=wanted["type"] or None
    )
    if wanted["q"]:
        tasks = tasks.filter(subject_label__icontains=wanted["q"])
    counts = dict(tasks.order_by().values_list("status").annotate(n=Count("id")))
    if wanted["status"]:
        tasks = tasks.filter(status=wanted["status"])
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    shown_projects = {task.project_id for task in page.object_list}
    # One stream per project on the page, each resuming from what the page shows.
    streams = [
        {"url": reverse("api:project-stream", args=[pid]), "lastEventId": resume_id(project_channel(pid))}
        for pid in sorted(shown_projects, key=str)
    ]
    context = {
        "project": project,
        "projects": projects,
        "page": page,
        "wanted": wanted,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "total": sum(counts.values()),
        "task_types": TaskLog.objects.filter(project__in=[p.id for p in projects])
        .order_by("task_type")
        .values_list("task_type", flat=True)
        .distinct(),
        "streams_json": json.dumps(streams),
    }
    return render(request, "tasks/list.html", context)


@login_required
def task_detail(request: HttpRequest, task_id: UUID) -> HttpResponse:
    task = selectors.get_task_for_user(request.user, task_id)
    project = get_project_for_user(request.user, task.project_id)
    context = {
        "task": task,
        "project": project,
        "timeline": selectors.task_timeline(task),
        "children": Paginator(task.children.order_by("created_at"), 50).get_page(request.GET.get("page")),
        "retries": task.retries.order_by("created_at"),
        "subject_url": services.subject_url(task),
        "eta_seconds": estimate_eta(task),
        "can_edit": may(project, Action.EDIT),
        "show_traceback": request.user.is_staff,
        "result_json": json.dumps(task.result, indent=2, ensure_ascii=False) if task.result is not None else "",
        "payload_summary": selectors.payload_summary(task.payload),
        "progress_json": json.dumps(
            {
                "stream_url": reverse("api:task-stream", args=[task.id]),
                "cancel_url": reverse("api:task-cancel", args=[task.id]),
                "detail_url": reverse("tasks:detail", args=[task.id]),
            }
        ),
    }
    return render(request, "tasks/detail.html", context)


@login_required
@require_POST
def task_cancel(request: HttpRequest, task_id: UUID) -> HttpResponse:
    task = selectors.get_task_for_user(request.user, task_id, Action.EDIT)
    if services.task_request_cancel(task):
        task.refresh_from_db()
        done = "cancelled" if task.status == Status.CANCELLED else "asked to stop; it stops at its next step"
        messages.success(request, f"The task was {done}.")
    else:
        messages.error(request, f"This task is already {task.status}; there is nothing to cancel.")
    return redirect(_back(request, task))


@login_required
@require_POST
def task_retry(request: HttpRequest, task_id: UUID) -> HttpResponse:
    task = selectors.get_task_for_user(request.user, task_id, Action.EDIT)
    try:
        attempt = services.task_retry(task, by=request.user)
    except services.RetryRefused as refused:
        messages.error(request, str(refused))
        return redirect(_back(request, task))
    messages.success(request, "A new attempt was started.")
    return redirect("tasks:detail", task_id=attempt.id)


def _back(request: HttpRequest, task: TaskLog) -> str:
    """Where the button was pressed, if that is one of our pages; else the task page."""
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("tasks:detail", args=[task.id])
