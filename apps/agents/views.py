"""The project's keys page: list, create (the secret shown once), revoke."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.agents import selectors, services
from apps.agents.forms import KeyForm
from apps.projects.access import Action, get_project_for_user


@login_required
def key_list(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.MANAGE)
    form = KeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.key_create(project=project, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the secret must not travel through a
            # URL or the session. This page is the only time it is shown.
            created = {"key": key, "secret": secret}
            form = KeyForm()
    context = {"project": project, "keys": selectors.keys_of(project), "form": form, "created": created}
    return render(request, "agents/keys.html", context)


@login_required
@require_POST
def key_revoke(request: HttpRequest, project_id: UUID, key_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.MANAGE)
    key = selectors.key_of_project(project, key_id)
    if key is None:
        raise Http404("No such key.")
    if services.key_revoke(key=key):
        messages.success(request, f"Key “{key.name}” revoked: it stops working at once.")
    else:
        messages.info(request, f"Key “{key.name}” was already revoked.")
    return redirect("agents:keys", project_id=project.id)
