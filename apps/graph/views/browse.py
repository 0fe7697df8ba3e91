"""Pages for browsing a project's graph: communities, entities, graph views."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.graph import selectors
from apps.graph.forms import EntitySearchForm
from apps.graph.rebuild import rebuild_request
from apps.projects.access import Action, get_project_for_user, may
from apps.tasks.jobs import job_card, job_start_from_page


@login_required
def community_list(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    page = Paginator(selectors.communities_of(project), 20).get_page(request.GET.get("page"))
    members = selectors.top_members([c.id for c in page.object_list], limit=selectors.MEMBERS_SHOWN)
    rebuild = selectors.active_rebuild(project)
    context = {
        "project": project,
        "page": page,
        "communities": [(c, members.get(c.id, []), max(c.member_count - selectors.MEMBERS_SHOWN, 0)) for c in page],
        "can_edit": may(project, Action.EDIT),
        "rebuild": rebuild,
        **job_card(project, rebuild, detail_url=reverse("graph:communities", args=[project.id])),
    }
    return render(request, "graph/communities.html", context)


@login_required
@require_POST
def community_rebuild(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    job_start_from_page(
        request, lambda: rebuild_request(project=project, by=request.user), started="Community rebuild started."
    )
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


# Rows per page for each list of an entity's page (each list pages on its own).
ENTITY_PAGE_ROWS = 25


@login_required
def entity_detail(request: HttpRequest, project_id: UUID, entity_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    entity = selectors.get_entity(project, entity_id)

    def paged(rows, param: str):
        return Paginator(rows, ENTITY_PAGE_ROWS).get_page(request.GET.get(param))

    context = {
        "project": project,
        "entity": entity,
        "outgoing": paged(selectors.entity_relationships(entity, direction="out"), "out"),
        "incoming": paged(selectors.entity_relationships(entity, direction="in"), "in"),
        "memories": paged(selectors.entity_memories(entity), "mentions"),
    }
    return render(request, "graph/entity_detail.html", context)


# The graph page draws this many entities unless asked for another of GRAPH_SIZES:
# a few dozen stay readable; hundreds are a hairball however they are laid out.
GRAPH_SIZES = (25, 50, 100, 200, 300)
GRAPH_DEFAULT_SIZE = 50
# Colours of the communities drawn, largest first; the rest share OTHER_COLOUR.
PALETTE = (
    "#2f5bd3", "#1a7f37", "#b35900", "#8a3ffc", "#c2185b", "#00838f",
    "#6d4c41", "#5c6bc0", "#9e9d24", "#d84315", "#00695c", "#ad1457",
)  # fmt: skip
OTHER_COLOUR = "#8c95a6"
NO_COMMUNITY_COLOUR = "#c9ced8"


def _coloured(graph: selectors.GraphView) -> list[dict]:
    """Give each node its community's colour; the legend, largest community first."""
    sizes = Counter(node["community_id"] for node in graph.nodes if node["community_id"] is not None)
    names = selectors.community_names(sizes)
    legend = [
        {"name": names.get(community_id, "A community"), "count": count, "colour": PALETTE[rank], "id": community_id}
        for rank, (community_id, count) in enumerate(sizes.most_common(len(PALETTE)))
    ]
    colours = {entry["id"]: entry["colour"] for entry in legend}
    others = sum(sizes.values()) - sum(entry["count"] for entry in legend)
    if others:
        legend.append({"name": "Other communities", "count": others, "colour": OTHER_COLOUR, "id": None})
    alone = sum(1 for node in graph.nodes if node["community_id"] is None)
    if alone:
        legend.append({"name": "In no community", "count": alone, "colour": NO_COMMUNITY_COLOUR, "id": None})
    for node in graph.nodes:
        node["community"] = names.get(node["community_id"], "")
        node["colour"] = (
            NO_COMMUNITY_COLOUR if node["community_id"] is None else colours.get(node["community_id"], OTHER_COLOUR)
        )
    return legend


def _graph_context(graph: selectors.GraphView, **extra) -> dict:
    """What graph.html needs: the drawing's data (embedded: no second request), its legend and its list."""
    legend = _coloured(graph)
    degree_rank = sorted(graph.nodes, key=lambda node: (-node["degree"], node["name"]))
    return {
        "graph": graph,
        "graph_data": {**asdict(graph), **{k: v for k, v in extra.items() if k in ("center", "depth", "limit")}},
        "legend": legend,
        "listed": degree_rank,
        **extra,
    }


@login_required
def project_graph(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    try:
        size = int(request.GET.get("size", GRAPH_DEFAULT_SIZE))
    except ValueError:
        size = GRAPH_DEFAULT_SIZE
    size = size if size in GRAPH_SIZES else GRAPH_DEFAULT_SIZE
    # The strongest relationships only: about two per entity drawn.
    graph = selectors.project_graph(project, limit=size, edge_limit=2 * size)
    context = {"project": project, **_graph_context(graph, limit=size), "sizes": GRAPH_SIZES}
    return render(request, "graph/graph.html", context)


@login_required
def entity_graph(request: HttpRequest, project_id: UUID, entity_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    entity = selectors.get_entity(project, entity_id)
    depth = 2 if request.GET.get("depth") == "2" else 1
    graph = selectors.neighbourhood(entity, depth=depth, limit=selectors.GRAPH_NODE_LIMIT)
    context = {
        "project": project,
        "entity": entity,
        **_graph_context(graph, center=entity.id, depth=depth, limit=selectors.GRAPH_NODE_LIMIT),
    }
    return render(request, "graph/graph.html", context)
