from __future__ import annotations

import pytest
from django.test import override_settings


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
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0", EVENT_BRIDGE="redis"):
        response = client.get("/healthz")
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
