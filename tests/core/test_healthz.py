from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.core.models import Beat
from apps.tasks.models import TaskLog
from apps.tasks.services import task_create, tasks_sweep


@pytest.mark.django_db
def test_it_reports_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} >= {
        "database",
        "broker",
        "event_bridge",
        "migrations",
    }


@pytest.mark.django_db
def test_it_names_the_broker_when_redis_is_down(client):
    # Nothing listens on port 1: a real refused connection, as when Redis is stopped.
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0", EVENT_BRIDGE="redis", HEALTHZ_TOKEN="monitor-secret"):
        response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-secret")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert "broker" in body["failing"]
    # The event bridge reports what its own subscription saw, not a PING:
    # tests/tasks/test_bridge.py and test_redis_outage.py cover it.
    assert "unreachable" in body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_it_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_it_rejects_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_it_names_what_fails_to_anonymous_callers_but_never_the_error_text(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0", EVENT_BRIDGE="redis", HEALTHZ_TOKEN="monitor-secret"):
        anonymous = client.get("/healthz")
        wrong_token = client.get("/healthz", HTTP_AUTHORIZATION="Bearer guess")
    for response in (anonymous, wrong_token):
        assert response.status_code == 503
        body = response.json()
        assert "broker" in body["failing"]
        assert body["checks"]["broker"] == {"ok": False}
        assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_error_text_to_staff(client, make_user):
    staff = make_user("ops")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0", EVENT_BRIDGE="redis"):
        body = client.get("/healthz").json()
    assert "unreachable" in body["checks"]["broker"]["error"]


@pytest.mark.django_db
def test_it_reports_when_the_sweeper_last_ran(client):
    Beat.record("sweeper")
    body = client.get("/healthz").json()
    assert body["checks"]["sweeper"]["ok"] is True
    assert body["checks"]["sweeper"]["last_run_seconds_ago"] in (0, 1)


@pytest.mark.django_db
def test_it_fails_when_the_sweeper_is_late(client):
    Beat.objects.create(name="sweeper", at=timezone.now() - timedelta(seconds=600))
    with override_settings(SWEEPER_LATE_SECONDS=120, HEALTHZ_TOKEN="t"):
        response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer t")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["sweeper"]
    assert body["checks"]["sweeper"]["last_run_seconds_ago"] >= 600
    assert "last ran 600 s ago" in body["checks"]["sweeper"]["error"]


@pytest.mark.django_db
def test_it_fails_when_the_sweeper_never_ran_while_work_waits(client, make_project):
    project = make_project()
    task = task_create(project=project, task_type="ingest_memory", created_by=None)
    TaskLog.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(seconds=300))
    with override_settings(SWEEPER_LATE_SECONDS=120):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["sweeper"] == {"ok": False, "last_run_seconds_ago": None}


@pytest.mark.django_db
def test_a_sweep_records_that_it_ran(client):
    tasks_sweep()
    assert client.get("/healthz").json()["checks"]["sweeper"]["last_run_seconds_ago"] in (0, 1)
