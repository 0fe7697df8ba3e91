"""The access rules for a request made with a project API key (apps.projects.access)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.agents.services import key_authenticate, key_create
from apps.projects.access import Action, can, check_not_key, get_project_for_user, may
from apps.projects.selectors import projects_for_user


@pytest.fixture
def as_key(team, make_project):
    """as_key(scope) -> the owner as a request with a key of the team's project sees them."""
    team["other"] = make_project(team["owner"], name="Other")  # the owner's too, but not the key's

    def make(scope: str):
        return key_authenticate(
            secret=key_create(project=team["project"], created_by=team["owner"], name="k", scope=scope)[1]
        )

    return make


def test_it_lets_a_read_key_only_view(team, as_key):
    user = as_key("read")
    project = get_project_for_user(user, team["project"].id)
    assert (project, project.user_role, project.key_scope) == (team["project"], "owner", "read")
    assert may(project, Action.VIEW) and not may(project, Action.EDIT) and not may(project, Action.MANAGE)
    for action in (Action.EDIT, Action.MANAGE):
        with pytest.raises(PermissionDenied, match="read-only"):
            get_project_for_user(user, team["project"].id, action)
    assert can(user, team["project"].id) and not can(user, team["project"].id, Action.EDIT)


def test_it_lets_a_write_key_edit_but_never_manage(team, as_key):
    user = as_key("write")
    assert may(get_project_for_user(user, team["project"].id, Action.EDIT), Action.EDIT)
    with pytest.raises(PermissionDenied, match="cannot manage"):
        get_project_for_user(user, team["project"].id, Action.MANAGE)
    with pytest.raises(PermissionDenied, match="cannot create projects"):
        check_not_key(user, "create projects")
    check_not_key(team["owner"], "create projects")  # the owner's own session may


def test_it_hides_every_other_project_from_a_key(team, as_key):
    user = as_key("write")
    with pytest.raises(Http404):
        get_project_for_user(user, team["other"].id)
    assert not can(user, team["other"].id)
    assert list(projects_for_user(user)) == [team["project"]]
    # The same owner without the key still has both.
    assert set(projects_for_user(team["owner"])) == {team["project"], team["other"]}
