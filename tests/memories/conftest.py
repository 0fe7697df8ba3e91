from __future__ import annotations

import pytest

from apps.memories import services
from apps.memories.tasks import ingest_memory


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Create a memory and run its ingestion here, as the worker would (events stored on commit)."""

    def run(project, author, **fields):
        fields.setdefault("title", "Notes")
        with django_capture_on_commit_callbacks(execute=False):
            memory = services.memory_create(project=project, author=author, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            ingest_memory(str(memory.current_task_id))
        memory.refresh_from_db()
        return memory

    return run
