"""Every access rule, tried as owner, editor, viewer, outsider and anonymous."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.projects.access import Action, can
from apps.projects.deletion import DELETE_PROJECT
from apps.projects.models import Project
from apps.tasks.models import TaskLog

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]


def page_client(client, team, who):
    if who != "anonymous":
        client.force_login(team[who])
    return client


def expected(who, allowed: set[str], denied_status: int) -> int | None:
    """None for 'allowed'; 404 for outsiders; 403 for members without the right."""
    if who in allowed:
        return None
    if who == "outsider":
        return 404
    if who == "anonymous":
        return denied_status
    return 403


@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_the_project_page_to_members_only(client, team, who):
    response = page_client(client, team, who).get(reverse("projects:detail", args=[team["project"].id]))
    status = expected(who, {"owner", "editor", "viewer"}, 302)
    assert response.status_code == (status or 200)
    if who == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_owner_edit_the_project(client, team, who):
    url = reverse("projects:edit", args=[team["project"].id])
    response = page_client(client, team, who).post(url, {"name": "Renamed", "description": ""})
    status = expected(who, {"owner"}, 302)
    assert response.status_code == (status or 302)
    renamed = Project.objects.get(pk=team["project"].pk).name == "Renamed"
    assert renamed is (who == "owner")


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_owner_add_members(client, team, make_user, who):
    newcomer = make_user("newcomer")
    url = reverse("projects:members", args=[team["project"].id])
    response = page_client(client, team, who).post(url, {"username": "newcomer", "role": "editor"})
    status = expected(who, {"owner"}, 302)
    assert response.status_code == (status or 302)
    assert can(newcomer, team["project"].id) is (who == "owner")


@pytest.mark.parametrize("who", PEOPLE)
def test_it_applies_the_same_rules_to_the_api(api_client_for, team, who):
    client = api_client_for(None if who == "anonymous" else team[who])
    url = reverse("api:project-detail", args=[team["project"].id])

    read = client.get(url)
    assert read.status_code == (expected(who, {"owner", "editor", "viewer"}, 401) or 200)

    change = client.patch(url, {"description": "new words"}, format="json")
    assert change.status_code == (expected(who, {"owner"}, 401) or 200)

    delete = client.delete(url)
    assert delete.status_code == (expected(who, {"owner"}, 401) or 202)  # 202: a task deletes it
    started = TaskLog.objects.filter(project=team["project"], task_type=DELETE_PROJECT).exists()
    assert started is (who == "owner")


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_it_refuses_the_project_stream_to_non_members(client, team, who):
    response = page_client(client, team, who).get(reverse("api:project-stream", args=[team["project"].id]))
    assert response.status_code == 404


def test_it_knows_what_each_role_may_do(team):
    project_id = team["project"].id
    assert [can(team["owner"], project_id, a) for a in Action] == [True, True, True]
    assert [can(team["editor"], project_id, a) for a in Action] == [True, True, False]
    assert [can(team["viewer"], project_id, a) for a in Action] == [True, False, False]
    assert [can(team["outsider"], project_id, a) for a in Action] == [False, False, False]


def test_it_treats_a_malformed_project_id_as_missing(team):
    assert can(team["owner"], "not-a-uuid") is False
