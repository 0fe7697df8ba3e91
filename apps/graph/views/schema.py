"""The schema page: a project's entity and edge types, and forms to change them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.graph import selectors
from apps.graph import services as graph
from apps.graph.forms import EdgeTypeForm, EntityTypeForm
from apps.graph.models import DEFAULT_ENTITY_TYPES, EdgeType, EntityType
from apps.projects.access import Action, get_project_for_user, may
from apps.projects.models import Project


@dataclass(frozen=True)
class Kind:
    model: type[EntityType] | type[EdgeType]
    form: type[EntityTypeForm] | type[EdgeTypeForm]
    label: str
    # The kind's services, called with the form's cleaned data.
    create: Callable[..., EntityType | EdgeType]
    update: Callable[..., EntityType | EdgeType]
    delete: Callable[..., None]


# The URLs pass `kind`: one view per action serves both kinds of type.
KINDS = {
    "entity": Kind(
        EntityType,
        EntityTypeForm,
        "entity type",
        create=graph.entity_type_create,
        update=lambda schema_type, **data: graph.entity_type_update(entity_type=schema_type, **data),
        delete=lambda schema_type: graph.entity_type_delete(entity_type=schema_type),
    ),
    "edge": Kind(
        EdgeType,
        EdgeTypeForm,
        "edge type",
        create=graph.edge_type_create,
        update=lambda schema_type, **data: graph.edge_type_update(edge_type=schema_type, **data),
        delete=lambda schema_type: graph.edge_type_delete(edge_type=schema_type),
    ),
}


def _schema_url(project: Project, kind: str) -> str:
    return f"{reverse('graph:schema', args=[project.id])}#{kind}-types"


def _render_schema(request: HttpRequest, project: Project, **forms) -> HttpResponse:
    triples = selectors.edge_type_triples(project)
    edge_types = list(selectors.edge_types_of(project))
    for edge_type in edge_types:
        edge_type.triples = triples.get(edge_type.id, [])
    context = {
        "project": project,
        "can_edit": may(project, Action.EDIT),
        "builtin_types": DEFAULT_ENTITY_TYPES,
        "entity_types": selectors.entity_types_of(project),
        "edge_types": edge_types,
        "entity_form": forms.get("entity") or EntityTypeForm(prefix="entity"),
        "edge_form": forms.get("edge") or EdgeTypeForm(prefix="edge"),
    }
    return render(request, "graph/schema.html", context)


@login_required
def schema(request: HttpRequest, project_id: UUID) -> HttpResponse:
    return _render_schema(request, get_project_for_user(request.user, project_id))


@login_required
@require_POST
def schema_type_create(request: HttpRequest, project_id: UUID, kind: str) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    spec = KINDS[kind]
    form = spec.form(request.POST, prefix=kind)
    if form.is_valid():
        try:
            created = spec.create(project=project, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"Added the {spec.label} “{created.name}”.")
            return redirect(_schema_url(project, kind))
    return _render_schema(request, project, **{kind: form})


@login_required
def schema_type_edit(request: HttpRequest, project_id: UUID, type_id: int, kind: str) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    spec = KINDS[kind]
    schema_type = get_object_or_404(spec.model, project=project, pk=type_id)
    form = spec.form(request.POST or None, initial=model_to_dict(schema_type, fields=spec.form._meta.fields))
    if request.method == "POST" and form.is_valid():
        try:
            saved = spec.update(schema_type, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"Saved the {spec.label} “{saved.name}”.")
            return redirect(_schema_url(project, kind))
    context = {"project": project, "form": form, "schema_type": schema_type, "label": spec.label, "kind": kind}
    return render(request, "graph/schema_type_edit.html", context)


@login_required
@require_POST
def schema_type_remove(request: HttpRequest, project_id: UUID, type_id: int, kind: str) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    spec = KINDS[kind]
    schema_type = get_object_or_404(spec.model, project=project, pk=type_id)
    try:
        spec.delete(schema_type)
    except graph.TypeInUse as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Deleted the {spec.label} “{schema_type.name}”.")
    return redirect(_schema_url(project, kind))
