from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_eventstream.utils import get_storage

from apps.projects import selectors, services
from apps.projects.access import Action, get_project_for_user, may
from apps.projects.deletion import project_delete_request, project_deletion
from apps.projects.forms import MemberForm, ProjectDeleteForm, ProjectForm
from apps.projects.models import Membership
from apps.tasks.channels import project_channel
from apps.tasks.models import Status


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.projects_for_user(request.user), 25)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "projects/list.html", {"page": page})


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"Project “{project.name}” created.")
        return redirect("projects:detail", project_id=project.id)
    return render(request, "projects/new.html", {"form": form})


@login_required
def project_detail(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """The project's home: its counts, latest memories and the tasks that need an eye, live.

    The one page that shows every room at once, so it asks each room's
    selectors: a fixed number of queries, whatever the project's size.
    """
    from apps.graph.selectors import graph_counts
    from apps.memories.selectors import memory_count, recent_memories
    from apps.tasks import selectors as tasks

    project = get_project_for_user(request.user, project_id)
    channel = project_channel(project.id)
    # The live tables resume from the moment this page was read (see progress.js).
    resume = f"{channel}:{get_storage().get_current_id(channel)}"
    task_counts = tasks.project_status_counts(project.id)
    context = {
        "project": project,
        "can_manage": may(project, Action.MANAGE),
        "can_edit": may(project, Action.EDIT),
        "memory_count": memory_count(project),
        "graph": graph_counts(project),
        "running_count": task_counts[Status.PENDING] + task_counts[Status.PROCESSING],
        "failed_count": task_counts[Status.FAILED],
        "running": list(tasks.active_tasks(project.id).select_related("project").order_by("-created_at")[:10]),
        "failed": tasks.failed_not_retried(project.id, limit=5),
        "memories": recent_memories(project, limit=8),
        "stream_url": reverse("api:project-stream", args=[project.id]),
        "last_event_id": resume,
        "streams_json": json.dumps([{"url": reverse("api:project-stream", args=[project.id]), "lastEventId": resume}]),
        "next": request.get_full_path(),
    }
    return render(request, "projects/detail.html", context)


@login_required
def project_edit(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.MANAGE)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, **form.cleaned_data)
        messages.success(request, "Project saved.")
        return redirect("projects:detail", project_id=project.id)
    return render(request, "projects/edit.html", {"project": project, "form": form})


@login_required
def project_members(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        project = get_project_for_user(request.user, project_id, Action.MANAGE)
        if form.is_valid():
            try:
                services.membership_set(project=project, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{form.cleaned_data['username']} is now a {form.cleaned_data['role']}.")
                return redirect("projects:members", project_id=project.id)
    context = {
        "project": project,
        "memberships": selectors.project_memberships(project),
        "form": form,
        "can_manage": may(project, Action.MANAGE),
    }
    return render(request, "projects/members.html", context)


@login_required
@require_POST
def project_member_remove(request: HttpRequest, project_id: UUID, membership_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.MANAGE)
    try:
        services.membership_remove(project=project, membership_id=membership_id)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Member removed.")
    return redirect("projects:members", project_id=project.id)


@login_required
def project_delete(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """Delete the project (owners only), after its name is typed; then its live progress."""
    project = get_project_for_user(request.user, project_id, Action.MANAGE)
    deletion = project_deletion(project)
    form = ProjectDeleteForm(request.POST or None, project=project)
    if deletion is None and request.method == "POST" and form.is_valid():
        project_delete_request(project=project, by=request.user)
        return redirect("projects:delete", project_id=project.id)
    progress = None
    if deletion is not None:
        progress = {
            "stream_url": reverse("api:task-stream", args=[deletion.id]),
            "task_url": reverse("api:task-detail", args=[deletion.id]),
            "detail_url": reverse("projects:list"),
        }
    context = {
        "project": project,
        "form": form,
        "deletion": deletion,
        "progress": progress,
        "progress_json": json.dumps(progress),
    }
    return render(request, "projects/delete.html", context)
