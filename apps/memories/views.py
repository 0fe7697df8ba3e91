from __future__ import annotations

import json
from uuid import UUID

from django.conf import settings
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

from apps.core.pagination import page_of_request
from apps.memories import selectors, services
from apps.memories.forms import MemoryEditForm, MemoryForm
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
    page = page_of_request(selectors.memory_list_rows(project, status=status), request.GET, size=25)
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
        "memories": [memory],
        "can_edit": may(project, Action.EDIT),
        # The list's own address, for its Cancel/Retry buttons to come back to.
        "next": target if target.startswith("/") and url_has_allowed_host_and_scheme(target, None) else "",
    }
    return render(request, "memories/_rows.html", context)


@login_required
def memory_create(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    form = MemoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            memory = services.memory_create(project=project, author=request.user, **form.cleaned_data)
        except services.DuplicateMemory as duplicate:
            form.add_error("content", _duplicate_message(duplicate))
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
        "versions": selectors.memory_versions(memory)[:50],
        "entities": selectors.memory_entities(memory),
        "relationships": selectors.memory_relationships(memory),
        "tasks": selectors.memory_tasks(memory)[:20],
        "can_edit": may(project, Action.EDIT),
        "progress": _progress_links(memory) if memory.current_task_id else None,
    }
    context["progress_json"] = json.dumps(context["progress"])
    return render(request, "memories/detail.html", context)


@login_required
def memory_edit(request: HttpRequest, project_id: UUID, memory_id: UUID) -> HttpResponse:
    memory = selectors.get_memory_for_user(request.user, memory_id, Action.EDIT, project_id=project_id)
    project = memory.project
    initial = {name: getattr(memory, name) for name in services.VERSIONED_FIELDS}
    # No `instance`: the form must not change the memory itself; memory_update does, and records the version.
    form = MemoryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        task_before = memory.current_task_id
        try:
            services.memory_update(memory=memory, by=request.user, **form.cleaned_data)
        except services.DuplicateMemory as duplicate:
            form.add_error("content", _duplicate_message(duplicate))
        except services.ConcurrentEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if memory.current_task_id != task_before:
                messages.success(request, "Saved; the new version is being ingested.")
            else:
                messages.success(request, "Saved.")
            return redirect("memories:detail", project_id=project.id, memory_id=memory.id)
    return render(request, "memories/edit.html", {"project": project, "memory": memory, "form": form})


def _duplicate_message(duplicate: services.DuplicateMemory) -> str:
    url = reverse("memories:detail", args=[duplicate.existing.project_id, duplicate.existing.id])
    return format_html('{} <a href="{}">See it</a>.', str(duplicate), url)


@login_required
def memory_version(request: HttpRequest, project_id: UUID, memory_id: UUID, version_id: int) -> HttpResponse:
    memory = selectors.get_memory_for_user(request.user, memory_id, project_id=project_id)
    version = selectors.get_memory_version(memory, version_id)
    context = {
        "project": memory.project,
        "memory": memory,
        "version": version,
        "can_edit": may(memory.project, Action.EDIT),
    }
    return render(request, "memories/version.html", context)


@login_required
@require_POST
def memory_version_restore(request: HttpRequest, project_id: UUID, memory_id: UUID, version_id: int) -> HttpResponse:
    """Make an earlier version the memory's text again: an edit like any other (recorded, re-ingested)."""
    memory = selectors.get_memory_for_user(request.user, memory_id, Action.EDIT, project_id=project_id)
    version = selectors.get_memory_version(memory, version_id)
    try:
        services.memory_update(
            memory=memory, by=request.user, **{name: getattr(version, name) for name in services.VERSIONED_FIELDS}
        )
    except services.DuplicateMemory as duplicate:
        messages.error(request, _duplicate_message(duplicate))
    except (services.ConcurrentEdit, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, f"Restored the version of {version.replaced_at:%Y-%m-%d %H:%M}.")
    return redirect("memories:detail", project_id=memory.project_id, memory_id=memory.id)


@login_required
def memory_delete(request: HttpRequest, project_id: UUID, memory_id: UUID) -> HttpResponse:
    """GET asks first (a page, no script needed); POST moves the memory to the project's trash."""
    memory = selectors.get_memory_for_user(request.user, memory_id, Action.EDIT, project_id=project_id)
    project = memory.project
    if request.method != "POST":
        return _confirm(
            request,
            project=project,
            heading=f"Delete “{memory.title}”?",
            text=(
                f"It goes to this project's trash, out of every list, search and the graph. "
                f"You can restore it from the trash for {settings.MEMORY_TRASH_DAYS} days; "
                "then it is deleted for good."
            ),
            button="Move to trash",
            cancel_url=reverse("memories:detail", args=[project.id, memory.id]),
        )
    services.memory_trash(memory=memory, by=request.user)
    trash_url = reverse("memories:trash", args=[project.id])
    messages.success(request, format_html('Moved “{}” to the <a href="{}">trash</a>.', memory.title, trash_url))
    return redirect("memories:list", project_id=project.id)


def _confirm(request: HttpRequest, *, project, heading: str, text: str, button: str, cancel_url: str) -> HttpResponse:
    context = {"project": project, "heading": heading, "text": text, "button": button, "cancel_url": cancel_url}
    return render(request, "memories/confirm.html", context)


@login_required
def trash(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    page = Paginator(selectors.trashed_memories(project), 25).get_page(request.GET.get("page"))
    for memory in page.object_list:
        memory.expires_at = selectors.trash_expires_at(memory)
    context = {
        "project": project,
        "page": page,
        "can_edit": may(project, Action.EDIT),
        "trash_days": settings.MEMORY_TRASH_DAYS,
    }
    return render(request, "memories/trash.html", context)


@login_required
@require_POST
def trash_restore(request: HttpRequest, project_id: UUID, memory_id: UUID) -> HttpResponse:
    memory = selectors.get_trashed_memory_for_user(request.user, memory_id, project_id=project_id)
    try:
        services.memory_restore(memory=memory, by=request.user)
    except services.DuplicateMemory as duplicate:
        messages.error(
            request,
            format_html(
                "“{}” cannot come back: {} Delete one of the two first.", memory.title, _duplicate_message(duplicate)
            ),
        )
        return redirect("memories:trash", project_id=project_id)
    except services.RestoreRefused as exc:
        messages.error(request, f"“{memory.title}” cannot come back yet: {exc}")
        return redirect("memories:trash", project_id=project_id)
    messages.success(request, f"Restored “{memory.title}”; it is being ingested again.")
    return redirect("memories:detail", project_id=project_id, memory_id=memory.id)


@login_required
def trash_delete(request: HttpRequest, project_id: UUID, memory_id: UUID) -> HttpResponse:
    """GET asks first; POST deletes one memory of the trash forever."""
    memory = selectors.get_trashed_memory_for_user(request.user, memory_id, project_id=project_id)
    if request.method != "POST":
        return _confirm(
            request,
            project=memory.project,
            heading=f"Delete “{memory.title}” forever?",
            text="It cannot be restored afterwards.",
            button="Delete forever",
            cancel_url=reverse("memories:trash", args=[project_id]),
        )
    if services.trash_delete(memory=memory):
        messages.success(request, f"Deleted “{memory.title}” forever.")
    else:
        messages.error(request, f"“{memory.title}” was restored meanwhile; it was not deleted.")
    return redirect("memories:trash", project_id=project_id)


@login_required
def trash_empty(request: HttpRequest, project_id: UUID) -> HttpResponse:
    """GET asks first; POST deletes everything in the project's trash forever."""
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    if request.method != "POST":
        count = selectors.trashed_memories(project).count()
        return _confirm(
            request,
            project=project,
            heading="Empty the trash?",
            text=f"{count:,} memor{'y' if count == 1 else 'ies'} will be deleted forever. This cannot be undone.",
            button="Empty trash",
            cancel_url=reverse("memories:trash", args=[project.id]),
        )
    count = services.trash_empty(project=project)
    messages.success(request, f"Emptied the trash: {count:,} memor{'y' if count == 1 else 'ies'} deleted forever.")
    return redirect("memories:trash", project_id=project.id)
