"""Pages for browsing a project's graph: communities, entities, graph views."""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.graph import selectors
from apps.graph.forms import EntitySearchForm
from apps.graph.rebuild import RebuildRunning, rebuild_request
from apps.projects.access import Action, get_project_for_user, may
from apps.projects.models import Project
from apps.tasks.models import TaskLog


def _rebuild_links(project: Project, task: TaskLog) -> dict:
    links = {
        "task_id": str(task.id),
        "stream_url": reverse("api:task-stream", args=[task.id]),
        "detail_url": reverse("graph:communities", args=[project.id]),
    }
    if may(project, Action.EDIT):
        links["cancel_url"] = reverse("api:task-cancel", args=[task.id])
    return links


@login_required
def community_list(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    page = Paginator(selectors.communities_of(project), 20).get_page(request.GET.get("page"))
    members = selectors.top_members([c.id for c in page.object_list], limit=selectors.MEMBERS_SHOWN)
    rebuild = selectors.active_rebuild(project)
    progress = _rebuild_links(project, rebuild) if rebuild else None
    context = {
        "project": project,
        "page": page,
        "communities": [(c, members.get(c.id, []), max(c.member_count - selectors.MEMBERS_SHOWN, 0)) for c in page],
        "can_edit": may(project, Action.EDIT),
        "rebuild": rebuild,
        "progress": progress,
        "progress_json": json.dumps(progress),
    }
    return render(request, "graph/communities.html", context)


@login_required
@require_POST
def community_rebuild(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    try:
        rebuild_request(project=project, by=request.user)
    except RebuildRunning as running:
        messages.info(request, f"{running} Its progress is shown below.")
    else:
        messages.success(request, "Community rebuild started.")
    return redirect("graph:communities", project_id=project.id)


@login_required
def entity_list(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    form = EntitySearchForm(request.GET, project=project)
    q = type_name = ""
    if form.is_valid():
        q, type_name = form.cleaned_data["q"].strip(), form.cleaned_data["type"]
    entities = selectors.entities_of(project, q=q, type_name=type_name)
    page = Paginator(entities, 50).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "form": form,
        "page": page,
        "filtered": bool(q or type_name),
    }
    return render(request, "graph/entity_list.html", context)


@login_required
def entity_detail(request: HttpRequest, project_id: UUID, entity_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    entity = selectors.get_entity(project, entity_id)
    memories = selectors.entity_memories(entity)
    context = {
        "project": project,
        "entity": entity,
        "outgoing": selectors.entity_relationships(entity, direction="out")[: selectors.RELATIONSHIPS_SHOWN],
        "outgoing_count": entity.outgoing.count(),
        "incoming": selectors.entity_relationships(entity, direction="in")[: selectors.RELATIONSHIPS_SHOWN],
        "incoming_count": entity.incoming.count(),
        "memories": memories[: selectors.MEMORIES_SHOWN],
        "memory_count": memories.count(),
        "shown": selectors.RELATIONSHIPS_SHOWN,
        "relationships_api": reverse("api:graph-relationship-list", args=[project.id]) + f"?entity={entity.id}",
    }
    return render(request, "graph/entity_detail.html", context)


@login_required
def project_graph(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    context = {
        "project": project,
        "data_url": reverse("api:graph-project", args=[project.id]),
        "limit": selectors.GRAPH_NODE_LIMIT,
    }
    return render(request, "graph/graph.html", context)


@login_required
def entity_graph(request: HttpRequest, project_id: UUID, entity_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    entity = selectors.get_entity(project, entity_id)
    depth = 2 if request.GET.get("depth") == "2" else 1
    data_url = reverse("api:graph-neighbourhood", args=[project.id, entity.id]) + f"?depth={depth}"
    context = {
        "project": project,
        "entity": entity,
        "depth": depth,
        "data_url": data_url,
        "limit": selectors.GRAPH_NODE_LIMIT,
    }
    return render(request, "graph/graph.html", context)
