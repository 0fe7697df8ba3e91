"""The fields of a memory as a client sends them, checked once for every way in.

The API (apps/memories/api.py) and the batch import (apps/memories/imports)
both call `validate_memory_fields`; the API's create serializer extends
MemoryInput with the project. The content's length and duplicates are the
services' rules (memory_create, memory_update), not checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from apps.memories.models import ContentType


class MemoryInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(trim_whitespace=False)
    content_type = serializers.ChoiceField(choices=ContentType.choices, default=ContentType.TEXT)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, default=list)
    source_description = serializers.CharField(max_length=255, allow_blank=True, default="")
    metadata = serializers.DictField(default=dict)
    valid_at = serializers.DateTimeField(required=False)

    def validate_content(self, content: str) -> str:
        if not content.strip():
            raise serializers.ValidationError("Write something to remember.")
        return content


class InvalidMemoryFields(ValueError):
    """The fields break a rule; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        self.errors = errors
        super().__init__(describe_errors(errors))


def validate_memory_fields(data: Mapping[str, Any], *, partial: bool = False) -> dict:
    """The fields cleaned (defaults filled in unless `partial`), or InvalidMemoryFields."""
    fields = MemoryInput(data=data, partial=partial)
    if not fields.is_valid():
        raise InvalidMemoryFields(fields.errors)
    return dict(fields.validated_data)


def describe_errors(errors: Mapping[str, Any]) -> str:
    """Field errors as one sentence per field: `title: This field is required.`"""
    return "; ".join(f"{field}: {' '.join(_messages(problems))}" for field, problems in errors.items())


def _messages(problems) -> list[str]:
    if isinstance(problems, Mapping):  # a list field's errors, by index
        return [message for nested in problems.values() for message in _messages(nested)]
    if isinstance(problems, list | tuple):
        return [message for nested in problems for message in _messages(nested)]
    return [str(problems)]
