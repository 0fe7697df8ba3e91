"""Facts follow their own time with a real worker: memories POSTed in any order end in the same facts.

Each memory goes in over the API and is ingested by a real Celery worker on
PostgreSQL before the next is sent, so the order the worker sees is the order
they were sent in. tests/graph/test_validity.py covers the same rules below
the API, case by case.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.graph.models import Relationship
from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.memories.test_ingestion_live import create_memory
from tests.tasks.test_recovery_live import wait_until

pytestmark = [pytest.mark.live, pytest.mark.shared_uvicorn]

ACME = ("Alice Chen works at Acme Corp.", "2021-03-01T09:00:00Z")
GLOBEX = ("Alice Chen works at Globex.", "2023-06-01T09:00:00Z")
# The date the text states wins over the memory's own (written long after).
INITECH = ("On 2 September 2024 Alice Chen started working at Initech.", "2026-01-15T09:00:00Z")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def send_in_order(server, token, project, notes) -> None:
    for content, valid_at in notes:
        body = create_memory(server, token, project, title=content[:30], content=content, valid_at=valid_at)
        memory = Memory.objects.get(pk=body["id"])
        wait_until(
            lambda memory=memory: TaskLog.objects.get(pk=memory.current_task_id).is_finished,
            60,
            f"the ingestion of {content!r}",
        )
        assert TaskLog.objects.get(pk=memory.current_task_id).status == "completed"


def employers(project) -> list[tuple]:
    """Alice's employers as the project's facts hold them: where, from when, until when, closed by which."""
    return sorted(
        Relationship.objects.filter(project=project, source__name="Alice Chen", name="WORKS_AT").values_list(
            "target__name", "valid_at", "invalid_at", "invalidated_by__target__name"
        )
    )


def test_memories_sent_in_any_order_give_the_same_facts(
    uvicorn_server, celery_worker, make_user, make_project, token_for
):
    owner = make_user()
    token = token_for(owner)
    orders = {
        "oldest first": [ACME, GLOBEX, INITECH],
        "newest first": [INITECH, GLOBEX, ACME],
        "middle last": [INITECH, ACME, GLOBEX],
    }
    results = {}
    for label, notes in orders.items():
        project = make_project(owner, name=label)
        send_in_order(uvicorn_server, token, project, notes)
        results[label] = employers(project)

    assert results["oldest first"] == [
        ("Acme Corp", utc(ACME[1]), utc(GLOBEX[1]), "Globex"),
        ("Globex", utc(GLOBEX[1]), datetime(2024, 9, 2, tzinfo=UTC), "Initech"),
        ("Initech", datetime(2024, 9, 2, tzinfo=UTC), None, None),
    ]
    assert results["newest first"] == results["middle last"] == results["oldest first"]
