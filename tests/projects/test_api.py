from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.projects.models import Membership, Project


@pytest.mark.django_db
def test_it_issues_a_token_for_good_credentials(make_user):
    make_user("lin", password="a long passphrase 42")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "lin", "password": "a long passphrase 42"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listing = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/projects/")
    assert listing.status_code == 200


@pytest.mark.django_db
def test_it_refuses_a_token_for_bad_credentials(make_user):
    make_user("lin", password="a long passphrase 42")
    response = APIClient().post("/api/v1/auth/token/", {"username": "lin", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    missing = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"username", "password"}


def test_it_creates_a_project(api_client_for, make_user):
    user = make_user()
    response = api_client_for(user).post(
        "/api/v1/projects/", {"name": "Papers", "description": "Reading"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Papers" and body["role"] == "owner"
    assert Membership.objects.get(project_id=body["id"]).user == user


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "description": None}, "description"),
    ],
)
def test_it_answers_bad_input_with_field_errors(api_client_for, make_user, payload, field):
    response = api_client_for(make_user()).post("/api/v1/projects/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Project.objects.exists()


def test_it_answers_malformed_json_with_400(api_client_for, make_user):
    response = api_client_for(make_user()).post("/api/v1/projects/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_it_paginates_and_lists_only_my_projects(api_client_for, make_user, make_project):
    me = make_user()
    for n in range(55):
        make_project(me, name=f"P{n:02d}")
    make_project(make_user(), name="Theirs")
    client = api_client_for(me)
    first = client.get("/api/v1/projects/").json()
    second = client.get(first["next"]).json()
    assert first["count"] == 55
    assert len(first["results"]) == 50 and len(second["results"]) == 5
    assert "Theirs" not in {p["name"] for p in first["results"] + second["results"]}


def test_it_requires_authentication(db):
    response = APIClient().get("/api/v1/projects/")
    assert response.status_code == 401


def test_it_updates_a_project_partially(api_client_for, team):
    url = reverse("api:project-detail", args=[team["project"].id])
    response = api_client_for(team["owner"]).patch(url, {"description": "Updated"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Research"
    assert response.json()["description"] == "Updated"


def test_it_serves_the_openapi_schema_and_docs(client, make_user):
    client.force_login(make_user())
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/projects/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
