from __future__ import annotations

import pytest
from django.test import override_settings

from apps.memories.models import Memory

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]


def payload(team, **fields):
    return {
        "project_id": str(team["project"].id),
        "title": "Standup",
        "content": "Alice Chen works at Acme Corp.",
        **fields,
    }


def test_it_creates_a_memory_and_answers_with_its_task(api_client_for, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client_for(team["editor"]).post("/api/v1/memories/", payload(team, tags=["work"]), format="json")
    assert response.status_code == 201
    body = response.json()
    memory = Memory.objects.get(pk=body["id"])
    assert body["processing_status"] == "pending"
    assert body["task_id"] == str(memory.current_task_id)
    assert body["tags"] == ["work"] and body["content_type"] == "text"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"content": ""}, "content"),
        ({"content": "   "}, "content"),
        ({"content_type": "pdf"}, "content_type"),
        ({"project_id": "not-a-uuid"}, "project_id"),
        ({"project_id": "00000000-0000-4000-8000-000000000000"}, "project_id"),
        ({"valid_at": "yesterday"}, "valid_at"),
        ({"tags": "work"}, "tags"),
    ],
)
def test_it_answers_bad_input_with_field_errors(api_client_for, team, fields, field):
    response = api_client_for(team["editor"]).post("/api/v1/memories/", payload(team, **fields), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Memory.objects.exists()


def test_it_refuses_content_over_the_limit(api_client_for, team):
    with override_settings(MEMORY_MAX_CONTENT_CHARS=10):
        response = api_client_for(team["editor"]).post("/api/v1/memories/", payload(team), format="json")
    # The service's rule and message, as a field error (the page shows the same one).
    content = payload(team)["content"]
    assert response.status_code == 400
    assert response.json() == {
        "content": [
            f"Content is {len(content):,} characters; the limit is 10. Nothing was saved. Split it into several memories; the Import page takes many at once (a JSON Lines file, or one text file per part)."
        ]
    }


def test_it_answers_malformed_json_with_400(api_client_for, team):
    response = api_client_for(team["editor"]).post(
        "/api/v1/memories/", data='{"title": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_it_reports_a_duplicate_with_409(api_client_for, team, django_capture_on_commit_callbacks):
    client = api_client_for(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post("/api/v1/memories/", payload(team), format="json").json()
        again = client.post("/api/v1/memories/", payload(team, title="Again"), format="json")
    assert again.status_code == 409
    assert again.json()["existing_id"] == first["id"]
    assert Memory.objects.count() == 1


@pytest.mark.parametrize("who", PEOPLE)
def test_it_applies_project_access_to_memories(api_client_for, team, who, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        memory_id = api_client_for(team["owner"]).post("/api/v1/memories/", payload(team), format="json").json()["id"]
    client = api_client_for(None if who == "anonymous" else team[who])
    read = client.get(f"/api/v1/memories/{memory_id}/")
    assert read.status_code == {"outsider": 404, "anonymous": 401}.get(who, 200)
    create = client.post("/api/v1/memories/", payload(team, content="Different words."), format="json")
    assert create.status_code == {"viewer": 403, "outsider": 400, "anonymous": 401}.get(who, 201)
    listing = client.get("/api/v1/memories/", {"project_id": str(team["project"].id)})
    assert listing.status_code == {"outsider": 404, "anonymous": 401}.get(who, 200)


def test_it_reingests_when_content_changes(api_client_for, team, django_capture_on_commit_callbacks):
    client = api_client_for(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        created = client.post("/api/v1/memories/", payload(team), format="json").json()
        title_only = client.patch(f"/api/v1/memories/{created['id']}/", {"title": "Renamed"}, format="json").json()
        new_content = client.patch(
            f"/api/v1/memories/{created['id']}/", {"content": "Bob Smith lives in Paris."}, format="json"
        ).json()
    assert title_only["task_id"] == created["task_id"]
    assert new_content["task_id"] != created["task_id"]
    assert new_content["processing_status"] == "pending"


def test_it_deletes_a_memory(api_client_for, team, django_capture_on_commit_callbacks):
    client = api_client_for(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        created = client.post("/api/v1/memories/", payload(team), format="json").json()
    assert api_client_for(team["viewer"]).delete(f"/api/v1/memories/{created['id']}/").status_code == 403
    assert client.delete(f"/api/v1/memories/{created['id']}/").status_code == 204
    assert not Memory.objects.exists()


def test_it_lists_and_filters_memories(api_client_for, team, ingest, make_project):
    done = ingest(team["project"], team["owner"], content="Alice Chen works at Acme Corp.")
    with_pending = ingest(team["project"], team["owner"], content="Bob Stone lives in Paris.")
    Memory.objects.filter(pk=with_pending.pk).update(processing_status="pending")
    theirs = make_project(team["outsider"], name="Theirs")
    ingest(theirs, team["outsider"], content="Carol Diaz founded Initech.")
    client = api_client_for(team["viewer"])

    assert len(client.get("/api/v1/memories/").json()["results"]) == 2
    listed = client.get("/api/v1/memories/", {"project_id": str(team["project"].id), "status": "completed"}).json()
    assert [memory["id"] for memory in listed["results"]] == [str(done.id)]
    assert client.get("/api/v1/memories/", {"project_id": str(theirs.id)}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"), [({"status": "bogus"}, "status"), ({"project_id": "not-a-uuid"}, "project_id")]
)
def test_it_answers_bad_filters_with_field_errors(api_client_for, team, query, field):
    response = api_client_for(team["viewer"]).get("/api/v1/memories/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field] and response.json()[field][0]
