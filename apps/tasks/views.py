from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.core.pagination import page_of_request
from apps.projects.access import Action, get_project_for_user, may
from apps.projects.selectors import projects_for_user
from apps.tasks import selectors, services
from apps.tasks.channels import project_channel
from apps.tasks.eta import estimate_eta
from apps.tasks.events import resume_id
from apps.tasks.models import Status, TaskLog

# At most this many project streams per dashboard page: a browser holds about
# six connections per server over HTTP/1.1 and the page needs some for itself.
MAX_STREAMS = 4


def _filtered(request: HttpRequest, project_id: UUID | None) -> tuple:
    """The dashboard's filters from the query string, and the tasks they select (any status)."""
    project = get_project_for_user(request.user, project_id) if project_id else None
    # A project's own dashboard needs no list of the others (no project filter, its own stream).
    projects = [project] if project else list(projects_for_user(request.user))
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
    return project, projects, wanted, tasks


@login_required
def task_list(request: HttpRequest, project_id: UUID | None = None) -> HttpResponse:
    """Every task the user may see, newest first; per project when `project_id` is given."""
    project, projects, wanted, tasks = _filtered(request, project_id)
    counts = selectors.capped_status_counts(tasks)
    if wanted["status"]:
        tasks = tasks.filter(status=wanted["status"])
    page = page_of_request(selectors.dashboard_rows(tasks), request.GET, size=50)
    # The streams of the projects whose tasks may appear here, those on the
    # page first: each resumes from what the page shows, and a task started
    # after the page was rendered arrives as a new row (see progress.js).
    if wanted["project"]:
        stream_projects = [wanted["project"]]
    else:
        on_page = sorted({str(task.project_id) for task in page.object_list})
        stream_projects = (on_page + [str(p.id) for p in projects if str(p.id) not in on_page])[:MAX_STREAMS]
    streams = [
        {
            "url": reverse("api:project-stream", args=[pid]),
            "lastEventId": resume_id(project_channel(pid)),
        }
        for pid in stream_projects
    ]
    context = {
        "project": project,
        "projects": projects,
        "page": page,
        "wanted": wanted,
        "statuses": [(value, label, counts[value]) for value, label in Status.choices],
        "total": counts["total"],
        "task_types": selectors.task_types([wanted["project"]] if wanted["project"] else [p.id for p in projects]),
        "streams_json": json.dumps(streams),
        "counts_url": reverse("tasks:project-counts", args=[project.id]) if project else reverse("tasks:counts"),
        "next": request.get_full_path(),
    }
    return render(request, "tasks/list.html", context)


@login_required
def task_counts(request: HttpRequest, project_id: UUID | None = None) -> JsonResponse:
    """The dashboard's counts by status, for its filters: the page refreshes them as tasks change."""
    _, _, _, tasks = _filtered(request, project_id)
    return JsonResponse(selectors.capped_status_counts(tasks))


@login_required
def task_row(request: HttpRequest, task_id: UUID) -> HttpResponse:
    """One dashboard row, for a task the page heard of on its stream; 204 if the page's filters leave it out."""
    task = selectors.get_task_for_user(request.user, task_id)
    scoped = request.GET.get("scope") == "project"
    _, _, wanted, tasks = _filtered(request, task.project_id if scoped else None)
    if wanted["status"]:
        tasks = tasks.filter(status=wanted["status"])
    if not tasks.filter(pk=task.pk).exists():
        return HttpResponse(status=204)
    context = {
        "tasks": [task],
        "project": task.project if scoped else None,
        "next": _local_path(request.GET.get("next")),
    }
    return render(request, "tasks/_rows.html", context)


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
    # Back where Retry was pressed (a memory's page follows the new attempt), else to the attempt.
    return redirect(_back(request, attempt))


def _local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else empty (never another site's address)."""
    target = target or ""
    return target if target.startswith("/") and url_has_allowed_host_and_scheme(target, None) else ""


def _back(request: HttpRequest, task: TaskLog) -> str:
    """Where the button was pressed, if that is one of our pages; else the task page."""
    return _local_path(request.POST.get("next")) or reverse("tasks:detail", args=[task.id])
