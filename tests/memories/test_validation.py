"""The rules for a memory's fields, which the API and the batch import share."""

from __future__ import annotations

import pytest

from apps.memories.validation import InvalidMemoryFields, validate_memory_fields


def test_it_fills_in_the_defaults():
    fields = validate_memory_fields({"title": "Standup", "content": "Alice."})
    assert fields == {
        "title": "Standup", "content": "Alice.", "content_type": "text", "tags": [], "source_description": "", "metadata": {},
    }  # fmt: skip
    assert validate_memory_fields({"title": "Renamed"}, partial=True) == {"title": "Renamed"}


def test_it_says_what_is_wrong_with_each_field():
    with pytest.raises(InvalidMemoryFields) as raised:
        validate_memory_fields({"content": "  ", "tags": ["ok", "x" * 51], "content_type": "pdf"})
    assert set(raised.value.errors) == {"title", "content", "tags", "content_type"}
    assert str(raised.value) == (
        "title: This field is required.; content: Write something to remember.; "
        'content_type: "pdf" is not a valid choice.; tags: Ensure this field has no more than 50 characters.'
    )


def test_the_api_and_the_import_answer_the_same_fields_alike(team, api_client_for):
    bad = {"title": "Standup", "content": "Alice.", "tags": "x" * 3, "metadata": []}
    response = api_client_for(team["editor"]).post(
        "/api/v1/memories/", {"project_id": str(team["project"].id), **bad}, format="json"
    )
    with pytest.raises(InvalidMemoryFields) as raised:
        validate_memory_fields(bad)
    assert response.status_code == 400 and response.json() == raised.value.errors
