"""The REST API with `Authorization: Bearer <key>`: one project, one scope, for every endpoint family.

The key's creator (the owner) is a member of a second project too: a key of
the first must see nothing of the second, though its creator could.
"""

from __future__ import annotations

import pytest

from apps.memories.models import Memory
from apps.tasks.models import TaskLog


@pytest.fixture
def two(team, make_project, ingest):
    """The team's project (with an ingested memory) and another project of the same owner (with one too)."""
    project, owner = team["project"], team["owner"]
    other = make_project(owner, name="Other")
    return {
        "project": project,
        "other": other,
        "memory": ingest(project, owner, content="Alice Chen works at Acme Corp."),
        "other_memory": ingest(other, owner, content="Bob Li works at Initech."),
    }


@pytest.fixture
def read(two, team, make_key, key_client):
    return key_client(make_key(two["project"], team["owner"], "read"))


@pytest.fixture
def write(two, team, make_key, key_client):
    return key_client(make_key(two["project"], team["owner"], "write"))


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {str(row["id"]) for row in response.json()["results"]}


# -- projects ----------------------------------------------------------------------


def test_it_shows_only_the_keys_project(two, read, write):
    assert ids(read.get("/api/v1/projects/")) == {str(two["project"].id)}
    assert read.get(f"/api/v1/projects/{two['project'].id}/").status_code == 200
    assert read.get(f"/api/v1/projects/{two['other'].id}/").status_code == 404
    # Creating, renaming and deleting projects is for people, not keys.
    assert write.post("/api/v1/projects/", {"name": "Mine"}, format="json").status_code == 403
    assert write.patch(f"/api/v1/projects/{two['project'].id}/", {"name": "X"}, format="json").status_code == 403
    assert write.delete(f"/api/v1/projects/{two['project'].id}/").status_code == 403


# -- memories ----------------------------------------------------------------------


def test_it_lets_a_read_key_read_memories_of_its_project_only(two, read):
    assert ids(read.get("/api/v1/memories/")) == {str(two["memory"].id)}
    assert read.get(f"/api/v1/memories/?project_id={two['other'].id}").status_code == 404
    detail = read.get(f"/api/v1/memories/{two['memory'].id}/")
    assert detail.status_code == 200
    assert {e["name"] for e in detail.json()["entities"]} == {"Alice Chen", "Acme Corp"}
    assert read.get(f"/api/v1/memories/{two['other_memory'].id}/").status_code == 404


def test_it_refuses_writes_to_a_read_key(two, read):
    created = read.post(
        "/api/v1/memories/", {"project_id": str(two["project"].id), "title": "t", "content": "c"}, format="json"
    )
    assert created.status_code == 403
    assert "read-only" in created.json()["detail"]
    memory_url = f"/api/v1/memories/{two['memory'].id}/"
    assert read.patch(memory_url, {"title": "Changed"}, format="json").status_code == 403
    assert read.delete(memory_url).status_code == 403
    assert Memory.objects.filter(project=two["project"]).count() == 1
    assert Memory.objects.get(pk=two["memory"].pk).title == "Notes"


def test_it_lets_a_write_key_write_in_its_project_only(two, write, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        created = write.post(
            "/api/v1/memories/", {"project_id": str(two["project"].id), "title": "t", "content": "new"}, format="json"
        )
    assert created.status_code == 201
    # The memory is the key's creator's, like any other of theirs.
    assert Memory.objects.get(pk=created.json()["id"]).author == two["memory"].author
    elsewhere = write.post(
        "/api/v1/memories/", {"project_id": str(two["other"].id), "title": "t", "content": "x"}, format="json"
    )
    assert elsewhere.status_code == 400  # as for a stranger: no such project
    assert "project_id" in elsewhere.json()
    assert write.patch(f"/api/v1/memories/{two['other_memory'].id}/", {"title": "X"}, format="json").status_code == 404
    assert write.delete(f"/api/v1/memories/{two['other_memory'].id}/").status_code == 404
    assert write.delete(f"/api/v1/memories/{two['memory'].id}/").status_code == 204
    assert Memory.objects.filter(pk=two["other_memory"].pk).exists()


# -- tasks -------------------------------------------------------------------------


def test_it_limits_tasks_to_the_keys_project_and_scope(two, read, write, django_capture_on_commit_callbacks):
    own = TaskLog.objects.create(project=two["project"], task_type="ingest_memory")
    other = TaskLog.objects.create(project=two["other"], task_type="ingest_memory")
    assert str(two["other_memory"].current_task_id) not in ids(read.get("/api/v1/tasks/"))
    assert ids(read.get("/api/v1/tasks/")) == {str(own.id), str(two["memory"].current_task_id)}
    assert read.get(f"/api/v1/tasks/{own.id}/").status_code == 200
    assert read.get(f"/api/v1/tasks/{other.id}/").status_code == 404

    assert read.post(f"/api/v1/tasks/{own.id}/cancel/").status_code == 403
    assert read.post(f"/api/v1/tasks/{two['memory'].current_task_id}/retry/").status_code == 403
    assert write.post(f"/api/v1/tasks/{other.id}/cancel/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert write.post(f"/api/v1/tasks/{own.id}/cancel/").status_code == 202
    assert TaskLog.objects.get(pk=own.pk).status == "cancelled"
    assert TaskLog.objects.get(pk=other.pk).status == "pending"


# -- graph -------------------------------------------------------------------------


def test_it_limits_the_graph_to_the_keys_project_and_scope(two, read, write, django_capture_on_commit_callbacks):
    project, other = two["project"].id, two["other"].id
    names = {e["name"] for e in read.get(f"/api/v1/projects/{project}/entities/").json()["results"]}
    assert names == {"Alice Chen", "Acme Corp"}
    for path in ("entities/", "relationships/", "communities/", "graph/", "schema/entity-types/"):
        assert read.get(f"/api/v1/projects/{project}/{path}").status_code == 200, path
        assert read.get(f"/api/v1/projects/{other}/{path}").status_code == 404, path

    assert read.post(f"/api/v1/projects/{project}/communities/rebuild/").status_code == 403
    new_type = {"name": "Gadget", "description": "A thing"}
    assert read.post(f"/api/v1/projects/{project}/schema/entity-types/", new_type, format="json").status_code == 403
    assert write.post(f"/api/v1/projects/{other}/communities/rebuild/").status_code == 404
    with django_capture_on_commit_callbacks(execute=False):
        assert write.post(f"/api/v1/projects/{project}/communities/rebuild/").status_code == 202
    assert write.post(f"/api/v1/projects/{project}/schema/entity-types/", new_type, format="json").status_code == 201


def test_it_limits_search_to_the_keys_project_and_scope(two, read, write, django_capture_on_commit_callbacks):
    project, other = two["project"].id, two["other"].id
    found = read.get(f"/api/v1/projects/{project}/search/", {"q": "Where does Alice Chen work?"})
    assert found.status_code == 200, found.content
    assert [r["memory"]["id"] for r in found.json()["results"]] == [str(two["memory"].id)]
    assert read.get(f"/api/v1/projects/{other}/search/", {"q": "Bob Li"}).status_code == 404
    # Rebuilding the index is a write: a read key may not, a write key may in its own project only.
    assert read.post(f"/api/v1/projects/{project}/recall/reindex/").status_code == 403
    assert write.post(f"/api/v1/projects/{other}/recall/reindex/").status_code == 404
    with django_capture_on_commit_callbacks(execute=False):
        assert write.post(f"/api/v1/projects/{project}/recall/reindex/").status_code == 202


# -- streams (refusals; a key's open stream is in test_mcp_live.py) ----------------


def test_it_refuses_streams_of_other_projects(two, read):
    assert read.get(f"/api/v1/projects/{two['other'].id}/stream").status_code == 404
    assert read.get(f"/api/v1/tasks/{two['other_memory'].current_task_id}/stream").status_code == 404


# -- keys that stop ----------------------------------------------------------------


def test_it_holds_a_key_to_its_creators_current_role(two, team, make_key, key_client):
    from apps.projects.models import Membership

    agent = key_client(make_key(two["project"], team["editor"], "write"))
    memory_url = f"/api/v1/memories/{two['memory'].id}/"
    Membership.objects.filter(project=two["project"], user=team["editor"]).update(role="viewer")
    assert agent.patch(memory_url, {"title": "X"}, format="json").status_code == 403
    assert agent.get(memory_url).status_code == 200
    Membership.objects.filter(project=two["project"], user=team["editor"]).delete()
    assert agent.get(memory_url).status_code == 404


def test_it_answers_401_to_unknown_keys(client, db):
    response = client.get("/api/v1/memories/", HTTP_AUTHORIZATION="Bearer ms_not-a-key")
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown or revoked API key."
    assert client.get("/api/v1/memories/", HTTP_AUTHORIZATION="Bearer two words").status_code == 401
