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

# The new key's secret waits here between the POST that made it and the page
# that shows it, which takes it out: redirecting after the POST keeps a
# reload from making a second key, and the secret never enters a URL.
NEW_KEY = "agents.new_key"


@login_required
def key_list(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.MANAGE)
    form = KeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.key_create(project=project, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session[NEW_KEY] = {"id": key.id, "secret": secret}
            return redirect("agents:keys", project_id=project.id)
    created = None
    if (new := request.session.pop(NEW_KEY, None)) is not None:
        created = {"key": selectors.key_of_project(project, new["id"]), "secret": new["secret"]}
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
