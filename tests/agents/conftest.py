from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.agents.services import key_create


@pytest.fixture
def make_key():
    """make_key(project, user, scope="read") -> the secret of a new key."""

    def make(project, user, scope: str = "read", name: str = "agent") -> str:
        return key_create(project=project, created_by=user, name=name, scope=scope)[1]

    return make


@pytest.fixture
def key_client():
    def make(secret: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make
