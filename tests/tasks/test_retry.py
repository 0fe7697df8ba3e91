from __future__ import annotations

import pytest
from django.urls import reverse

from apps.memories.models import Memory
from apps.tasks import services
from apps.tasks.models import Status, TaskLog


@pytest.fixture
def failed_memory(team, ingest):
    from django.test import override_settings

    with override_settings(GRAPH_EXTRACTOR="llm", LLM_BASE_URL="http://127.0.0.1:9/v1", LLM_MAX_RETRIES=0):
        return ingest(team["project"], team["editor"], content="Alice Chen works at Acme Corp.")


def test_it_retries_a_failed_ingestion_as_a_new_linked_attempt(
    team, failed_memory, api_client_for, django_capture_on_commit_callbacks
):
    old = failed_memory.current_task
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client_for(team["editor"]).post(reverse("api:task-retry", args=[old.id]))
    assert response.status_code == 201
    attempt = TaskLog.objects.get(pk=response.json()["id"])
    assert (attempt.status, attempt.retry_of_id, attempt.subject_id) == ("pending", old.id, str(failed_memory.id))
    memory = Memory.objects.get(pk=failed_memory.pk)
    assert (memory.current_task_id, memory.processing_status) == (attempt.id, "pending")

    from apps.memories.tasks import ingest_memory

    with django_capture_on_commit_callbacks(execute=True):
        ingest_memory(str(attempt.id))
    assert Memory.objects.get(pk=failed_memory.pk).processing_status == "completed"
    assert TaskLog.objects.get(pk=old.pk).status == "failed"  # the old attempt stays as it ended


@pytest.mark.parametrize("state", [Status.PENDING, Status.PROCESSING, Status.COMPLETED])
def test_it_refuses_to_retry_a_task_that_did_not_fail(team, api_client_for, state):
    task = TaskLog.objects.create(project=team["project"], task_type="ingest_memory", status=state)
    response = api_client_for(team["editor"]).post(reverse("api:task-retry", args=[task.id]))
    assert response.status_code == 409
    assert f"this one is {state}" in response.json()["detail"]
    assert TaskLog.objects.count() == 1


def test_it_refuses_to_retry_the_same_attempt_twice(team, failed_memory, django_capture_on_commit_callbacks):
    old = failed_memory.current_task
    with django_capture_on_commit_callbacks(execute=False):
        attempt = services.task_retry(old, by=team["editor"])
        with pytest.raises(services.RetryRefused, match=f"already retried as task {attempt.id}"):
            services.task_retry(old, by=team["editor"])
    assert TaskLog.objects.filter(retry_of=old).count() == 1


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_it_lets_only_editors_retry(team, failed_memory, api_client_for, who):
    response = api_client_for(team[who]).post(reverse("api:task-retry", args=[failed_memory.current_task_id]))
    assert response.status_code == {"viewer": 403, "outsider": 404}[who]
    assert TaskLog.objects.count() == 1
