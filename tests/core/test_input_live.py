"""Request bodies as a real server receives them (uvicorn): a chunked upload
without Content-Length, and a body far over the limit."""

from __future__ import annotations

import json

import httpx
import pytest

from apps.memories.models import Memory

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]


def test_it_reads_a_chunked_body_without_content_length(uvicorn_server, member_project):
    body = json.dumps(
        {"project_id": str(member_project["project"].id), "title": "Chunked", "content": "Alice works at Acme."}
    ).encode()

    def chunks():
        for start in range(0, len(body), 16):
            yield body[start : start + 16]

    response = httpx.post(
        f"{uvicorn_server.url}/api/v1/memories/",
        content=chunks(),
        headers={"Authorization": f"Token {member_project['token']}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 201, response.text
    assert Memory.objects.get(pk=response.json()["id"]).content == "Alice works at Acme."


def test_it_answers_a_60_mb_body_with_413_naming_the_limit(uvicorn_server, member_project):
    body = b'{"title": "' + b"x" * (60 * 1024 * 1024) + b'"}'
    response = httpx.post(
        f"{uvicorn_server.url}/api/v1/memories/",
        content=body,
        headers={"Authorization": f"Token {member_project['token']}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is 60.0 MB; the limit is 21.0 MB.")
    assert not Memory.objects.exists()


def test_it_answers_a_chunked_body_over_the_limit_with_413(uvicorn_server, member_project):
    def chunks():
        for _ in range(30):
            yield b"x" * (1024 * 1024)

    response = httpx.post(
        f"{uvicorn_server.url}/api/v1/memories/",
        content=chunks(),
        headers={"Authorization": f"Token {member_project['token']}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert "the limit is 21.0 MB" in response.json()["detail"]
