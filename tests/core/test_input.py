"""What input the service accepts (apps.core.input), as a client meets it:
HTTP in, HTTP out, on the real database. Nothing here may answer 500, and a
refused request stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from apps.memories.models import Memory

DEEP = "[" * 1000 + "]" * 1000


def memory_payload(team, **fields) -> dict:
    return {"project_id": str(team["project"].id), "title": "Standup", "content": "Alice works at Acme.", **fields}


def post_json(client, path: str, body: str):
    return client.post(path, data=body, content_type="application/json")


def test_it_refuses_deep_json_on_the_token_endpoint_without_credentials(client, db):
    response = post_json(client, "/api/v1/auth/token/", DEEP)
    assert response.status_code == 400
    assert "nest at most 32 levels" in response.json()["detail"]


def test_it_refuses_deep_json_on_a_write_endpoint(api_client_for, team):
    body = json.dumps(memory_payload(team))[:-1] + ', "metadata": {"a": ' + DEEP + "}}"
    response = post_json(api_client_for(team["editor"]), "/api/v1/memories/", body)
    assert response.status_code == 400
    assert "nest at most 32 levels" in str(response.json())
    assert not Memory.objects.exists()


def test_it_accepts_json_nested_within_the_limit(api_client_for, team, django_capture_on_commit_callbacks):
    nested: dict = {}
    inner = nested
    for _ in range(30):
        inner["a"] = {}
        inner = inner["a"]
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client_for(team["editor"]).post(
            "/api/v1/memories/", memory_payload(team, metadata=nested), format="json"
        )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": "a\u0000b"}, "title", "NUL"),
        ({"content": "Alice\u0000works"}, "content", "NUL"),
        ({"metadata": {"source": "x\u0000y"}}, "metadata", "NUL"),
        ({"metadata": {"ke\u0000y": "x"}}, "metadata", "NUL"),
        ({"tags": ["ok", "b\u0000d"]}, "tags", "NUL"),
        ({"title": "half \ud800 a pair"}, "title", "surrogates"),
        ({"metadata": {"deep": ["\udfff"]}}, "metadata", "surrogates"),
    ],
)
def test_it_answers_bad_text_with_a_field_error(api_client_for, team, fields, field, words):
    # json.dumps writes NUL and lone surrogates as \u escapes, as a client would.
    body = json.dumps(memory_payload(team, **fields))
    response = post_json(api_client_for(team["editor"]), "/api/v1/memories/", body)
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()[field])
    assert not Memory.objects.exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_nan_and_infinity(api_client_for, team, constant):
    body = json.dumps(memory_payload(team))[:-1] + f', "metadata": {{"score": {constant}}}}}'
    response = post_json(api_client_for(team["editor"]), "/api/v1/memories/", body)
    assert response.status_code == 400
    assert "finite" in str(response.json())
    assert not Memory.objects.exists()


def test_it_refuses_bad_text_in_a_patch(api_client_for, team, ingest):
    memory = ingest(team["project"], team["owner"], content="Alice works at Acme.")
    body = json.dumps({"metadata": {"note": "\u0000"}})
    response = api_client_for(team["editor"]).patch(
        f"/api/v1/memories/{memory.id}/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "metadata" in response.json()
    memory.refresh_from_db()
    assert memory.metadata == {}


@pytest.mark.parametrize(
    "path", ["/api/v1/memories/?status=%00", "/api/v1/tasks/?status=a%00b", "/api/v1/projects/?x%00=1"]
)
def test_it_refuses_nul_in_a_query_string(api_client_for, team, path):
    response = api_client_for(team["editor"]).get(path)
    assert response.status_code == 400
    assert "NUL" in str(response.json())


def test_it_refuses_nul_in_a_page_query_string(client, team):
    client.force_login(team["owner"])
    response = client.get(f"/project/{team['project'].id}/memories/?q=%00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_it_refuses_a_body_over_the_limit_naming_the_limit(api_client_for, team):
    with override_settings(REQUEST_MAX_BYTES=1024 * 1024):
        body = json.dumps(memory_payload(team, content="x" * (2 * 1024 * 1024)))
        response = post_json(api_client_for(team["editor"]), "/api/v1/memories/", body)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is 2.0 MB; the limit is 1.0 MB.")
    assert not Memory.objects.exists()


def test_it_answers_bad_text_in_the_memory_form_with_a_field_error(client, team):
    client.force_login(team["editor"])
    response = client.post(
        f"/project/{team['project'].id}/memories/new/",
        {"title": "Notes", "content": "Alice\x00Chen", "content_type": "text"},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not Memory.objects.exists()


def test_it_rejects_imported_items_with_bad_text_and_keeps_the_rest(api_client_for, team):
    lines = "\n".join(
        [
            json.dumps({"title": "Good", "content": "Alice works at Acme."}),
            json.dumps({"title": "Bad", "content": "x", "metadata": {"a": "\u0000"}}),
            json.dumps({"title": "Surrogate", "content": "half \ud800"}),
            '{"title": "NaN", "content": "y", "metadata": {"n": NaN}}',
            DEEP,
        ]
    )
    response = api_client_for(team["editor"]).post(
        "/api/v1/memories/import/",
        {"project_id": str(team["project"].id), "format": "jsonl", "content": lines},
        format="json",
    )
    assert response.status_code == 202, response.content
    from apps.memories.imports.parsing import read_import

    parsed = read_import(format="jsonl", text=lines)
    reasons = [getattr(entry, "reason", None) for entry in parsed.entries]
    assert reasons[0] is None
    assert "NUL" in reasons[1] and "(at metadata.a)" in reasons[1]
    assert "surrogates" in reasons[2]
    assert "finite" in reasons[3]
    assert "nest at most" in reasons[4]


def test_it_refuses_deep_json_in_import_items(api_client_for, team):
    body = json.dumps({"project_id": str(team["project"].id)})[:-1] + ', "items": [' + DEEP + "]}"
    response = post_json(api_client_for(team["editor"]), "/api/v1/memories/import/", body)
    assert response.status_code == 400
    assert "nest at most" in str(response.json())


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/memories/",
        "/api/v1/tasks/",
        "/api/v1/projects/",
        "/api/v1/projects/{project}/entities/",
        "/api/v1/projects/{project}/relationships/",
        "/api/v1/projects/{project}/communities/",
        "/api/v1/projects/{project}/schema/entity-types/",
        "/api/v1/projects/{project}/schema/edge-types/",
    ],
)
def test_it_renders_list_endpoints_as_html_for_a_browser(client, team, ingest, path):
    ingest(team["project"], team["owner"], content="Alice Chen works at Acme Corp.")
    client.force_login(team["owner"])
    response = client.get(path.format(project=team["project"].id), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Alice Chen" in response.content.decode() or "results" in response.content.decode()
