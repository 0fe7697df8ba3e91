"""Merging two entities by hand, from the schema page."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.graph.merge_forms import EntityMergeForm
from apps.graph.services import EntityMergeError, entity_merge
from apps.projects.access import Action, get_project_for_user


@login_required
def entity_merge_view(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    form = EntityMergeForm(request.POST or None, project=project, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        merge = form.cleaned_data["merge"]
        name = merge.name
        try:
            kept = entity_merge(project=project, keep=form.cleaned_data["keep"], merge=merge)
        except EntityMergeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Merged “{name}” into “{kept.name}”.")
            return redirect("graph:entity", project.id, kept.id)
    return render(request, "graph/entity_merge.html", {"project": project, "form": form})
