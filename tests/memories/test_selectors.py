"""Fetching a memory for a user: the one access check for a memory's pages and API."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.memories import services
from apps.memories.selectors import get_memory_for_user
from apps.projects.access import Action, may

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]
# What each person may do with a memory of the team's project: 404 for those
# outside it (as for an unknown id), 403 for a role that lacks the action.
EXPECTED = {
    "owner": {Action.VIEW: None, Action.EDIT: None, Action.MANAGE: None},
    "editor": {Action.VIEW: None, Action.EDIT: None, Action.MANAGE: PermissionDenied},
    "viewer": {Action.VIEW: None, Action.EDIT: PermissionDenied, Action.MANAGE: PermissionDenied},
    "outsider": {Action.VIEW: Http404, Action.EDIT: Http404, Action.MANAGE: Http404},
    "anonymous": {Action.VIEW: Http404, Action.EDIT: Http404, Action.MANAGE: Http404},
}


@pytest.fixture
def memory(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return services.memory_create(project=team["project"], author=team["owner"], title="Notes", content="Alice.")


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", list(Action))
def test_it_applies_the_projects_access_rules(team, memory, who, action):
    user = AnonymousUser() if who == "anonymous" else team[who]
    error = EXPECTED[who][action]
    if error is None:
        found = get_memory_for_user(user, memory.id, action)
        assert found == memory and found.project == team["project"]
        assert may(found.project, action)  # the project carries the user's role
    else:
        with pytest.raises(error):
            get_memory_for_user(user, memory.id, action)


@pytest.mark.parametrize("memory_id", [uuid.uuid4(), "not-a-uuid"])
def test_it_answers_404_for_an_unknown_id(team, memory, memory_id):
    with pytest.raises(Http404):
        get_memory_for_user(team["owner"], memory_id)


def test_it_answers_404_for_a_memory_of_another_project_than_the_pages(team, memory, make_project):
    other = make_project(team["owner"], name="Other")
    assert get_memory_for_user(team["owner"], memory.id, project_id=team["project"].id) == memory
    with pytest.raises(Http404):
        get_memory_for_user(team["owner"], memory.id, project_id=other.id)
