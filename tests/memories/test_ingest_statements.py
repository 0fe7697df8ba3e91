"""How many SQL statements one memory's ingestion sends, on real PostgreSQL.

Each statement is a round trip, and round trips, not extraction, are what an
ingestion spends its time on (docs/benchmarks.md, "Ingestion speed"). The
bounds below are what the pipeline needs today with a little room: a change
that adds statements to every memory fails here and has to say why.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.memories import services as memory_services
from apps.memories.tasks import ingest_memory
from tests.stages import INGESTION_STAGES

# Creating a memory: its row, its task, and the task's "queued" events (one statement).
CREATE_STATEMENTS = 14
# Running it: seven stages (the row update, its stage row and its two events:
# one statement each), the graph's reads and writes, the recall passages, and
# the end. 66 measured (the first memory of a project: it creates the
# built-in types; a later memory that names entities needs 41).
RUN_STATEMENTS = 68


def test_one_memory_stays_within_its_statements(transactional_db, team):
    # Committed as in production (no test transaction around it), so each
    # commit's callbacks run as they do there: the events and the enqueue (to
    # the test broker); the worker is this test.
    with CaptureQueriesContext(connection) as created:
        memory = memory_services.memory_create(
            project=team["project"], author=team["owner"], title="Standup", content="Alice Chen works at Acme Corp."
        )
    with CaptureQueriesContext(connection) as ran:
        ingest_memory(str(memory.current_task_id))

    memory.refresh_from_db()
    assert memory.processing_status == "completed"
    # Every stage and message of the single-memory flow is still recorded.
    assert [(s.progress, s.message) for s in memory.current_task.stages.all()] == INGESTION_STAGES
    print(f"create: {len(created)} statements, run: {len(ran)} statements")
    assert len(created) <= CREATE_STATEMENTS, "\n".join(q["sql"][:120] for q in created.captured_queries)
    assert len(ran) <= RUN_STATEMENTS, "\n".join(q["sql"][:120] for q in ran.captured_queries)
