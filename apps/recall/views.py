"""The search page of a project, and its "Rebuild recall index" button."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from apps.projects.access import Action, get_project_for_user, may
from apps.recall import selectors
from apps.recall.forms import SearchForm
from apps.recall.search import search
from apps.recall.services import reindex_request
from apps.tasks.jobs import job_card, job_start_from_page

_FILTERS = ("q", "from", "to", "as_of", "tags", "limit")


def marked(snippet: str, highlights: list[dict]) -> SafeString:
    """The snippet, escaped, with <mark> around the highlighted words."""
    out, at = [], 0
    for mark in highlights:
        out += [escape(snippet[at : mark["start"]]), "<mark>", escape(snippet[mark["start"] : mark["end"]]), "</mark>"]
        at = mark["end"]
    out.append(escape(snippet[at:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@login_required
def search_page(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    asked = any(request.GET.get(name, "").strip() for name in _FILTERS)
    form = SearchForm(request.GET if asked else None)
    result = search(project=project, query=form.query()) if asked and form.is_valid() else None
    reindex = selectors.active_reindex(project)
    context = {
        "project": project,
        "form": form,
        "result": result,
        "rows": [(r, marked(r.snippet, r.highlights)) for r in result.results] if result else [],
        "can_edit": may(project, Action.EDIT),
        "reindex": reindex,
        **job_card(project, reindex, detail_url=reverse("recall:search", args=[project.id])),
    }
    return render(request, "recall/search.html", context)


@login_required
@require_POST
def reindex(request: HttpRequest, project_id: UUID) -> HttpResponse:
    project = get_project_for_user(request.user, project_id, Action.EDIT)
    job_start_from_page(
        request, lambda: reindex_request(project=project, by=request.user), started="Rebuilding the recall index."
    )
    return redirect("recall:search", project_id=project.id)
