from __future__ import annotations

import pytest
from django.urls import reverse

from apps.tasks.models import Status, TaskLog

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]


@pytest.fixture
def task(team):
    return TaskLog.objects.create(project=team["project"], task_type="ingest_memory", subject_label="Notes")


@pytest.mark.parametrize("who", PEOPLE)
def test_it_shows_a_task_to_members_only(api_client_for, team, task, who):
    response = api_client_for(None if who == "anonymous" else team[who]).get(reverse("api:task-detail", args=[task.id]))
    expected = {"outsider": 404, "anonymous": 401}.get(who, 200)
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["id"] == str(task.id)
        assert body["status"] == "pending" and body["progress"] == 0 and body["message"] == "Queued"
        assert body["stages"] == []


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_editors_cancel(api_client_for, team, task, who, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(None if who == "anonymous" else team[who]).post(
            reverse("api:task-cancel", args=[task.id])
        )
    expected = {"viewer": 403, "outsider": 404, "anonymous": 401}.get(who, 202)
    assert response.status_code == expected
    assert TaskLog.objects.get(pk=task.pk).status == ("cancelled" if expected == 202 else "pending")


def test_it_answers_409_for_cancelling_a_finished_task(api_client_for, team, task):
    TaskLog.objects.filter(pk=task.pk).update(status=Status.COMPLETED)
    response = api_client_for(team["owner"]).post(reverse("api:task-cancel", args=[task.id]))
    assert response.status_code == 409
    assert "already completed" in response.json()["detail"]


def test_it_lists_and_filters_tasks(api_client_for, team, task, make_project):
    TaskLog.objects.create(project=team["project"], task_type="rebuild_communities", status=Status.FAILED)
    elsewhere = make_project(team["outsider"], name="Theirs")
    TaskLog.objects.create(project=elsewhere, task_type="ingest_memory")
    client = api_client_for(team["viewer"])
    assert len(client.get("/api/v1/tasks/").json()["results"]) == 2
    assert [t["task_type"] for t in client.get("/api/v1/tasks/", {"status": "failed"}).json()["results"]] == [
        "rebuild_communities"
    ]
    assert len(client.get("/api/v1/tasks/", {"type": "ingest_memory"}).json()["results"]) == 1
    assert client.get("/api/v1/tasks/", {"status": "bogus"}).status_code == 400


def test_it_filters_by_project_among_the_users_own(api_client_for, team, task, make_project):
    elsewhere = make_project(team["outsider"], name="Theirs")
    TaskLog.objects.create(project=elsewhere, task_type="ingest_memory")
    client = api_client_for(team["viewer"])
    assert [t["id"] for t in client.get("/api/v1/tasks/", {"project": str(team["project"].id)}).json()["results"]] == [
        str(task.id)
    ]
    assert client.get("/api/v1/tasks/", {"project": str(elsewhere.id)}).json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "bogus"}, "status"), ({"project": "not-a-uuid"}, "project"), ({"type": "x" * 41}, "type")],
)
def test_it_answers_bad_filters_with_field_errors(api_client_for, team, query, field):
    response = api_client_for(team["viewer"]).get("/api/v1/tasks/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field] and response.json()[field][0]
