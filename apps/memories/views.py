from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_eventstream.utils import get_storage

from apps.memories import selectors, services
from apps.memories.forms import MemoryForm
from apps.memories.models import Memory
from apps.projects.access import Action, get_project_for_user, may
from apps.tasks.channels import project_channel
from apps.tasks.models import Status


def _wants_json(request: HttpRequest) -> bool:
    # The New Memory page's script submits with fetch and shows progress in place.
    return request.headers.get("X-Requested-With") == "fetch"


@login_required
def memory_list(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    status = request.GET.get("status") if request.GET.get("status") in Status.values else None
    page = Paginator(selectors.memories_of(project, status=status), 25).get_page(request.GET.get("page"))
    channel = project_channel(project.id)
    context = {
        "project": project,
        "page": page,
        "status": status,
        "statuses": Status.choices,
        "can_edit": may(project, Action.EDIT),
        # The stream resumes from what this page already shows, so nothing
        # that happens between rendering and connecting is missed.
        "stream_url": reverse("api:project-stream", args=[project.id]),
        "last_event_id": f"{channel}:{get_storage().get_current_id(channel)}",
        "next": request.get_full_path(),
    }
    return render(request, "memories/list.html", context)


@login_required
def memory_row(request: HttpRequest, project_id: UUID, task_id: UUID) -> HttpResponse:
    """The list's row for the memory that `task_id` ingests, for a list page that heard of the task
    on its stream (a memory added elsewhere, or a retry); 204 if the list's status filter leaves it out."""
    project = get_project_for_user(request.user, project_id)
    memory = selectors.memory_of_task(project, task_id)
    status = request.GET.get("status")
    if memory is None or (status in Status.values and memory.processing_status != status):
        return HttpResponse(status=204)
    target = request.GET.get("next", "")
    context = {
        "memory": memory,
        "can_edit": may(project, Action.EDIT),
        # The list's own address, for its Cancel/Retry buttons to come back to.
        "next": target if target.startswith("/") and url_has_allowed_host_and_scheme(target, None) else "",
    }
    return render(request, "memories/_row.html", context)


@login_required
def memory_create(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    form = MemoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            memory = services.memory_create(project=project, author=request.user, **form.cleaned_data)
        except services.DuplicateMemory as duplicate:
            url = reverse("memories:detail", args=[project.id, duplicate.existing.id])
            form.add_error("content", format_html('{} <a href="{}">See it</a>.', str(duplicate), url))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if _wants_json(request):
                return JsonResponse(_progress_links(memory), status=201)
            messages.success(request, "Memory saved; it is being ingested.")
            return redirect("memories:detail", project_id=project.id, memory_id=memory.id)
    if request.method == "POST" and _wants_json(request):
        form_html = render_to_string("memories/_form_fields.html", {"form": form}, request=request)
        return JsonResponse({"form_html": form_html}, status=400)
    return render(request, "memories/new.html", {"project": project, "form": form})


def _progress_links(memory: Memory) -> dict:
    task_id = memory.current_task_id
    return {
        "memory_id": str(memory.id),
        "task_id": str(task_id),
        "stream_url": reverse("api:task-stream", args=[task_id]),
        "cancel_url": reverse("api:task-cancel", args=[task_id]),
        "detail_url": reverse("memories:detail", args=[memory.project_id, memory.id]),
        "list_url": reverse("memories:list", args=[memory.project_id]),
    }


@login_required
def memory_detail(request: HttpRequest, project_id: UUID, memory_id: UUID) -> HttpResponse:
    memory = selectors.get_memory_for_user(request.user, memory_id, project_id=project_id)
    project = memory.project
    context = {
        "project": project,
        "memory": memory,
        "entities": selectors.memory_entities(memory),
        "relationships": selectors.memory_relationships(memory),
        "tasks": selectors.memory_tasks(memory)[:20],
        "can_edit": may(project, Action.EDIT),
        "progress": _progress_links(memory) if memory.current_task_id else None,
    }
    context["progress_json"] = json.dumps(context["progress"])
    return render(request, "memories/detail.html", context)


@login_required
@require_POST
def memory_delete(request: HttpRequest, project_id: UUID, memory_id: UUID) -> HttpResponse:
    memory = selectors.get_memory_for_user(request.user, memory_id, Action.EDIT, project_id=project_id)
    project = memory.project
    services.memory_delete(memory=memory)
    messages.success(request, f"Memory “{memory.title}” deleted.")
    return redirect("memories:list", project_id=project.id)
