"""Cancelling a running ingestion from the progress card, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.graph.models import Entity
from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.e2e.test_memory_progress import TIMEOUT_MS, submit_memory
from tests.graph.conftest import fake_llm  # noqa: F401 - a real OpenAI-compatible server on 127.0.0.1
from tests.graph.fake_llm import Reply, chat_answer
from tests.live import start_celery_worker

pytestmark = pytest.mark.live

ANSWER = chat_answer({"entities": [{"name": "Alice Chen", "type": "Person"}], "relationships": []})


def test_it_cancels_a_running_ingestion_from_the_card(logged_in_page, live_postgres_env, member_project, fake_llm):  # noqa: F811
    # Extraction takes 5 s: long enough to press Cancel while the task runs.
    llm = fake_llm(lambda n: Reply(delay=5, body=ANSWER.body))
    env = {**live_postgres_env, "GRAPH_EXTRACTOR": "llm", "LLM_BASE_URL": llm.base_url, "LLM_MAX_RETRIES": "0"}
    page, project = logged_in_page, member_project["project"]
    with start_celery_worker(env):
        submit_memory(page, project)
        card = page.locator("#progress-card")
        expect(card.locator("[data-message]")).to_have_text(
            "Extracting entities and relationships...", timeout=TIMEOUT_MS
        )

        card.get_by_role("button", name="Cancel").click()
        expect(card.locator("[data-error]")).to_have_text(
            "Ingestion was cancelled. The memory was kept.", timeout=TIMEOUT_MS
        )
        expect(card.get_by_role("button", name="Cancel")).to_be_hidden()

    memory = Memory.objects.get(project=project)
    task = TaskLog.objects.get(pk=memory.current_task_id)
    assert (memory.processing_status, task.status) == ("cancelled", "cancelled")
    assert task.progress == 30  # it stopped at the check after extraction
    assert not Entity.objects.filter(project=project).exists()  # nothing half-written stays
