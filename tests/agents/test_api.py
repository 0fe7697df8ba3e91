"""The keys API: POST/GET /api/v1/projects/<id>/keys/, DELETE .../keys/<key_id>/."""

from __future__ import annotations

import pytest

from apps.agents.models import ProjectAPIKey, hash_secret


def keys_url(project) -> str:
    return f"/api/v1/projects/{project.id}/keys/"


def test_it_creates_a_key_and_shows_the_secret_once(api_client_for, team):
    client = api_client_for(team["owner"])
    response = client.post(keys_url(team["project"]), {"name": "Claude Desktop", "scope": "write"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "scope", "prefix", "key"}
    assert (body["name"], body["scope"]) == ("Claude Desktop", "write")
    assert body["key"].startswith(body["prefix"]) and body["prefix"].startswith("ms_")
    assert ProjectAPIKey.objects.get(pk=body["id"]).secret_hash == hash_secret(body["key"])

    listed = client.get(keys_url(team["project"])).json()["results"]
    assert [(k["id"], k["name"], k["prefix"], k["created_by"]) for k in listed] == [
        (body["id"], "Claude Desktop", body["prefix"], "owner")
    ]
    assert "key" not in listed[0] and body["key"] not in str(listed)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"scope": "read"}, "name"), ({"name": "", "scope": "read"}, "name"), ({"name": "a", "scope": "all"}, "scope")],
)
def test_it_answers_bad_input_with_field_errors(api_client_for, team, data, field):
    response = api_client_for(team["owner"]).post(keys_url(team["project"]), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ProjectAPIKey.objects.exists()


@pytest.mark.parametrize(("person", "status"), [("editor", 403), ("viewer", 403), ("outsider", 404), (None, 401)])
def test_it_lets_only_those_who_manage_the_project_touch_keys(api_client_for, make_key, team, person, status):
    key = ProjectAPIKey.objects.get(prefix=make_key(team["project"], team["owner"])[:11])
    client = api_client_for(team[person] if person else None)
    assert client.get(keys_url(team["project"])).status_code == status
    assert client.post(keys_url(team["project"]), {"name": "a", "scope": "read"}, format="json").status_code == status
    assert client.delete(f"{keys_url(team['project'])}{key.id}/").status_code == status
    assert ProjectAPIKey.objects.count() == 1
    assert ProjectAPIKey.objects.get(pk=key.pk).revoked_at is None


def test_it_revokes_and_the_key_stops_at_once(api_client_for, key_client, make_key, team):
    secret = make_key(team["project"], team["owner"], "write")
    agent = key_client(secret)
    assert agent.get("/api/v1/memories/").status_code == 200
    key = ProjectAPIKey.objects.get()

    response = api_client_for(team["owner"]).delete(f"{keys_url(team['project'])}{key.id}/")
    assert response.status_code == 204
    refused = agent.get("/api/v1/memories/")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    listed = api_client_for(team["owner"]).get(keys_url(team["project"])).json()["results"]
    assert listed[0]["revoked_at"] is not None


def test_it_does_not_revoke_another_projects_key(api_client_for, make_key, make_project, team):
    elsewhere = make_project(team["owner"], name="Elsewhere")
    make_key(elsewhere, team["owner"])
    key = ProjectAPIKey.objects.get()
    assert api_client_for(team["owner"]).delete(f"{keys_url(team['project'])}{key.id}/").status_code == 404
    assert ProjectAPIKey.objects.get().revoked_at is None


def test_it_does_not_let_a_key_manage_keys(key_client, make_key, team):
    agent = key_client(make_key(team["project"], team["owner"], "write"))
    response = agent.post(keys_url(team["project"]), {"name": "more", "scope": "write"}, format="json")
    assert response.status_code == 403
    assert "cannot manage" in response.json()["detail"]
    assert agent.get(keys_url(team["project"])).status_code == 403
    assert ProjectAPIKey.objects.count() == 1
