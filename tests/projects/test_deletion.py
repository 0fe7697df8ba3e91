"""Deleting a project: the API, the page and the admin start a task; the task
deletes the project's graph, schema, memories, tasks and events, then the project."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django_eventstream.models import Event

from apps.graph.models import EdgeType, Entity, EntityType, Mention, Relationship
from apps.memories.models import Memory
from apps.memories.services import memory_trash
from apps.projects.deletion import DELETE_PROJECT, project_owned_models
from apps.projects.models import Membership, Project
from apps.projects.tasks import delete_project
from apps.tasks.channels import project_channel
from apps.tasks.models import TaskLog

PEOPLE = ["editor", "viewer", "outsider", "anonymous"]


@pytest.fixture
def full_project(team, ingest):
    project = team["project"]
    ingest(project, team["owner"], content="Alice Chen works at Acme Corp. Bob Stone lives in Paris.")
    ingest(project, team["owner"], content="Carol Diaz founded Initech. Alice Chen knows Carol Diaz.")
    assert Entity.objects.filter(project=project).exists() and Relationship.objects.filter(project=project).exists()
    return project


def run_deletion(task_id, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        delete_project(str(task_id))


def assert_nothing_left(project_id, deletion_id) -> None:
    assert not Project.objects.filter(pk=project_id).exists()
    for model in project_owned_models():
        assert not model._base_manager.filter(project_id=project_id).exists(), model
    assert not Membership.objects.filter(project_id=project_id).exists()
    assert not Mention.objects.filter(entity__project_id=project_id).exists()
    # Only the deletion's own events are left (the test publishes them all at its end).
    for data in Event.objects.filter(channel=project_channel(project_id), eid__gt=0).values_list("data", flat=True):
        assert json.loads(json.loads(data))["task_id"] == str(deletion_id)


def test_it_deletes_a_project_with_a_graph_through_the_api(
    api_client_for, team, full_project, django_capture_on_commit_callbacks
):
    other = Project.objects.get(name="Elsewhere")
    other_entities = Entity.objects.filter(project=other).count()
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client_for(team["owner"]).delete(f"/api/v1/projects/{full_project.id}/")
    assert response.status_code == 202
    task = TaskLog.objects.get(pk=response.json()["task_id"])
    assert task.task_type == DELETE_PROJECT and task.status == "pending"

    run_deletion(task.id, django_capture_on_commit_callbacks)

    assert_nothing_left(full_project.id, task.id)
    assert not TaskLog.objects.filter(pk=task.id).exists()
    assert Entity.objects.filter(project=other).count() == other_entities
    assert Project.objects.filter(pk=other.pk).exists()


def test_it_reports_progress_and_ends_with_completed(
    api_client_for, team, full_project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        task_id = api_client_for(team["owner"]).delete(f"/api/v1/projects/{full_project.id}/").json()["task_id"]
    run_deletion(task_id, django_capture_on_commit_callbacks)
    events = list(
        Event.objects.filter(channel=f"task-{task_id}", eid__gt=0).order_by("eid").values_list("type", flat=True)
    )
    assert events[-1] == "completed"
    assert events.count("completed") == 1


def test_it_deletes_the_memories_in_the_trash_with_the_rest(
    api_client_for, team, full_project, django_capture_on_commit_callbacks
):
    trashed = Memory.objects.filter(project=full_project).first()
    memory_trash(memory=trashed, by=team["owner"])
    with django_capture_on_commit_callbacks(execute=False):
        task_id = api_client_for(team["owner"]).delete(f"/api/v1/projects/{full_project.id}/").json()["task_id"]

    run_deletion(task_id, django_capture_on_commit_callbacks)

    assert not Memory.all_objects.filter(pk=trashed.pk).exists()
    assert_nothing_left(full_project.id, task_id)
    stages = Event.objects.filter(channel=f"task-{task_id}", type="completed").values_list("data", flat=True)
    (completed,) = [json.loads(json.loads(data)) for data in stages]
    assert completed["result"]["deleted"]["memories"] == 2


def test_a_second_delete_returns_the_deletion_under_way(api_client_for, team, full_project):
    client = api_client_for(team["owner"])
    first = client.delete(f"/api/v1/projects/{full_project.id}/").json()["task_id"]
    assert client.delete(f"/api/v1/projects/{full_project.id}/").json()["task_id"] == first


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_owner_may_delete(api_client_for, team, person):
    user = team.get(person)
    response = api_client_for(user).delete(f"/api/v1/projects/{team['project'].id}/")
    assert response.status_code == {"editor": 403, "viewer": 403, "outsider": 404, "anonymous": 401}[person]
    assert not TaskLog.objects.filter(task_type=DELETE_PROJECT).exists()


def test_the_page_asks_for_the_name_then_shows_live_progress(client, team, full_project):
    client.force_login(team["owner"])
    url = f"/project/{full_project.id}/delete/"
    page = client.get(url).content.decode()
    assert "Type the project&#x27;s name to confirm" in page and "cannot be undone" in page

    wrong = client.post(url, {"name": "Something else"})
    assert wrong.status_code == 200
    assert "That is not this project" in wrong.content.decode()
    assert not TaskLog.objects.filter(task_type=DELETE_PROJECT).exists()

    right = client.post(url, {"name": full_project.name})
    assert right.status_code == 302 and right.url == url
    task = TaskLog.objects.get(task_type=DELETE_PROJECT)
    page = client.get(url).content.decode()
    assert "progress-card" in page and f"/api/v1/tasks/{task.id}/stream" in page
    assert 'data-done-url="/projects/"' in page


@pytest.mark.parametrize("person", ["editor", "viewer"])
def test_the_page_is_for_owners_only(client, team, person):
    client.force_login(team[person])
    assert client.get(f"/project/{team['project'].id}/delete/").status_code == 403
    assert client.post(f"/project/{team['project'].id}/delete/", {"name": "Research"}).status_code == 403


@pytest.fixture
def admin_client_(client, db):
    admin = User.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    return client


def test_the_admin_deletes_one_memory_through_the_service(admin_client_, team, ingest):
    project = team["project"]
    memory = ingest(project, team["owner"], content="Alice Chen works at Acme Corp.")
    assert Entity.objects.filter(project=project).exists()
    response = admin_client_.post(f"/admin/memories/memory/{memory.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Memory.objects.filter(pk=memory.pk).exists()
    assert not Entity.objects.filter(project=project).exists()
    assert not Relationship.objects.filter(project=project).exists()


def test_the_admin_bulk_delete_goes_through_the_service(admin_client_, team, ingest):
    project = team["project"]
    one = ingest(project, team["owner"], content="Alice Chen works at Acme Corp.")
    two = ingest(project, team["owner"], content="Bob Stone lives in Paris.")
    response = admin_client_.post(
        "/admin/memories/memory/",
        {"action": "delete_selected", "_selected_action": [str(one.id), str(two.id)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Memory.objects.filter(project=project).exists()
    assert not Entity.objects.filter(project=project).exists()
    assert not Relationship.objects.filter(project=project).exists()


def test_the_admin_cannot_edit_a_memory_around_the_services(admin_client_, team, ingest):
    memory = ingest(team["project"], team["owner"], content="Alice Chen works at Acme Corp.")
    response = admin_client_.post(
        f"/admin/memories/memory/{memory.id}/change/", {"title": "x", "content": "Other", "project": team["project"].id}
    )
    assert response.status_code == 403
    memory.refresh_from_db()
    assert memory.content == "Alice Chen works at Acme Corp."


def test_the_admin_deletes_a_project_as_a_task(admin_client_, team, full_project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client_.post(f"/admin/projects/project/{full_project.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    task = TaskLog.objects.get(task_type=DELETE_PROJECT)
    run_deletion(task.id, django_capture_on_commit_callbacks)
    assert_nothing_left(full_project.id, task.id)
    assert not EntityType.objects.filter(project_id=full_project.id).exists()
    assert not EdgeType.objects.filter(project_id=full_project.id).exists()
