"""The community rebuild: as a task run here (events read back from storage), and once for real
through the API, a Celery worker and the task's stream."""

from __future__ import annotations

import json

import httpx
import pytest
from django.db.models import Count
from django.test import override_settings
from django_eventstream.models import Event

from apps.graph import rebuild
from apps.graph.models import Community, Entity, Mention, Relationship
from apps.graph.services import communities_update
from apps.graph.tasks import rebuild_communities
from apps.tasks.jobs import JobRunning
from apps.tasks.models import TaskLog
from apps.tasks.services import task_request_cancel
from tests.graph.conftest import seed
from tests.graph.fake_llm import chat_answer

STAGES = [
    (10, "Loading the graph..."),
    (25, "Detecting communities..."),
    (60, "Naming and summarising communities..."),
    (85, "Saving communities..."),
    (95, "Counting members..."),
]


@pytest.fixture
def run_rebuild(django_capture_on_commit_callbacks):
    """Request a rebuild and run it here, as the worker would (events stored on commit)."""

    def run(project, by=None) -> TaskLog:
        task = rebuild.rebuild_request(project=project, by=by)
        with django_capture_on_commit_callbacks(execute=True):
            rebuild_communities(str(task.id))
        task.refresh_from_db()
        return task

    return run


def events_of(task: TaskLog) -> list[tuple[str, dict]]:
    rows = Event.objects.filter(channel=f"task-{task.id}", eid__gt=0).order_by("eid")
    return [(row.type, json.loads(json.loads(row.data))) for row in rows]


def communities_by_members(project) -> dict[frozenset[int], Community]:
    found: dict[int, set[int]] = {}
    for entity_id, community_id in Entity.objects.filter(project=project).values_list("id", "community_id"):
        found.setdefault(community_id, set()).add(entity_id)
    return {frozenset(members): Community.objects.get(pk=cid) for cid, members in found.items()}


def test_it_rebuilds_two_thousand_entities_in_forty_communities(team, seed_graph, run_rebuild):
    project = team["project"]
    graph = seed_graph(project, clusters=40, size=50)
    Community.objects.create(project=project, name="Stale", member_count=7)  # what a rebuild replaces

    task = run_rebuild(project, by=team["editor"])

    assert (task.status, task.progress, task.message) == ("completed", 100, "Community rebuild completed")
    assert task.result == {"communities": 40, "entities": 2000, "largest": 50}
    assert task.created_by == team["editor"]
    # Louvain finds the seeded groups; the closed relationships between them count for nothing.
    assert set(communities_by_members(project)) == {frozenset(group) for group in graph.clusters}
    assert not Entity.objects.filter(project=project, community__isnull=True).exists()
    assert not Community.objects.filter(name="Stale").exists()
    counted = Community.objects.filter(project=project).annotate(n=Count("members"))
    assert all(c.member_count == c.n == 50 for c in counted)
    assert sum(c.member_count for c in counted) == Entity.objects.filter(project=project).count() == 2000
    # Named without an LLM, after its best-connected members.
    assert all(" & " in c.name and c.summary.startswith("50 entities: ") for c in counted)

    stages = [(s.progress, s.message) for s in task.stages.all()]
    assert stages == STAGES
    events = events_of(task)
    progress = [data["progress"] for _, data in events]
    assert progress == sorted(progress) and progress[-1] == 100
    assert [
        (p, m) for kind, d in events if kind == "progress" and (p := d["progress"]) and (m := d["message"])
    ] == STAGES
    assert [kind for kind, _ in events if kind != "progress"] == ["completed"]
    assert events[-1][1]["result"] == task.result


def test_it_puts_isolated_entities_in_communities_of_their_own(team, seed_graph, run_rebuild):
    project = team["project"]
    graph = seed_graph(project, clusters=2, size=6)
    loner = Entity.objects.create(
        project=project,
        name="Loner",
        normalized_name="loner",
        entity_type=Entity.objects.first().entity_type,
        first_seen_at=graph.memory.valid_at,
        last_seen_at=graph.memory.valid_at,
    )
    Mention.objects.create(memory=graph.memory, entity=loner)

    task = run_rebuild(project)

    assert task.result == {"communities": 3, "entities": 13, "largest": 6}
    loner.refresh_from_db()
    assert (loner.community.name, loner.community.member_count) == ("Loner", 1)


def test_it_completes_on_an_empty_project(team, run_rebuild):
    task = run_rebuild(team["project"])
    assert task.status == "completed"
    assert task.result == {"communities": 0, "entities": 0, "largest": 0}


def test_it_leaves_the_old_communities_when_cancelled_before_saving(
    team, seed_graph, monkeypatch, django_capture_on_commit_callbacks
):
    project = team["project"]
    seed_graph(project, clusters=3, size=5)
    task = rebuild.rebuild_request(project=project, by=team["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        communities_update(project=project, entity_ids=Entity.objects.values_list("id", flat=True))
    before = communities_by_members(project)
    naming = rebuild.name_community

    def name_then_cancel(members, facts):
        task_request_cancel(TaskLog.objects.get(pk=task.pk))  # someone presses Cancel while it names
        return naming(members, facts)

    monkeypatch.setattr(rebuild, "_namer", lambda: name_then_cancel)
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_communities(str(task.id))

    task.refresh_from_db()
    assert task.status == "cancelled"
    assert communities_by_members(project).keys() == before.keys()
    assert events_of(task)[-1][0] == "cancelled"


def test_it_places_entities_that_ingestion_added_during_the_rebuild(team, seed_graph, monkeypatch, run_rebuild):
    project = team["project"]
    graph = seed_graph(project, clusters=2, size=5)
    naming = rebuild.name_community
    added = []

    def name_while_ingestion_adds(members, facts):
        if not added:  # between loading the graph and saving it, a memory brings a newcomer
            anchor = min(graph.clusters[0])
            newcomer = Entity.objects.create(
                project=project,
                name="Newcomer",
                normalized_name="newcomer",
                entity_type=Entity.objects.get(pk=anchor).entity_type,
                first_seen_at=graph.memory.valid_at,
                last_seen_at=graph.memory.valid_at,
            )
            Mention.objects.create(memory=graph.memory, entity=newcomer)
            Relationship.objects.create(project=project, source=newcomer, target_id=anchor, name="KNOWS")
            added.append(newcomer)
        return naming(members, facts)

    monkeypatch.setattr(rebuild, "_namer", lambda: name_while_ingestion_adds)
    task = run_rebuild(project)

    newcomer = Entity.objects.get(pk=added[0].pk)
    anchor = Entity.objects.get(pk=min(graph.clusters[0]))
    assert newcomer.community_id == anchor.community_id is not None
    assert task.result == {"communities": 2, "entities": 11, "largest": 6}
    assert anchor.community.member_count == 6


def test_it_names_groups_with_the_llm_when_one_is_configured(team, seed_graph, run_rebuild, fake_llm):
    project = team["project"]
    seed_graph(project, clusters=2, size=4)
    Entity.objects.create(
        project=project,
        name="Loner",
        normalized_name="loner",
        entity_type=Entity.objects.first().entity_type,
        first_seen_at=Entity.objects.first().first_seen_at,
        last_seen_at=Entity.objects.first().last_seen_at,
    )
    server = fake_llm(lambda n: chat_answer({"name": f"Team {n + 1}", "summary": "People who know each other."}))

    with override_settings(GRAPH_EXTRACTOR="llm", LLM_BASE_URL=server.base_url, LLM_MAX_RETRIES=0):
        task = run_rebuild(project)

    assert task.status == "completed", task.error
    assert server.count == 2  # the community of one is named without asking
    names = set(Community.objects.filter(project=project).values_list("name", flat=True))
    assert names == {"Team 1", "Team 2", "Loner"}


def test_it_names_only_the_largest_groups_with_the_llm(team, seed_graph, run_rebuild, fake_llm, monkeypatch):
    project = team["project"]
    graph = seed_graph(project, clusters=2, size=4)
    Entity.objects.filter(pk=min(graph.clusters[1])).delete()  # the second group is the smaller
    server = fake_llm(lambda n: chat_answer({"name": "Asked", "summary": "Named by the model."}))
    monkeypatch.setattr(rebuild, "LLM_NAMED_LIMIT", 1)

    with override_settings(GRAPH_EXTRACTOR="llm", LLM_BASE_URL=server.base_url, LLM_MAX_RETRIES=0):
        task = run_rebuild(project)

    assert task.status == "completed" and server.count == 1
    named = list(Community.objects.filter(project=project).values_list("name", "member_count"))
    assert named[0] == ("Asked", 4) and named[1][1] == 3 and " & " in named[1][0]


def test_it_fails_readably_and_keeps_the_old_communities_when_the_llm_is_down(
    team, seed_graph, run_rebuild, closed_port_url
):
    project = team["project"]
    seed_graph(project, clusters=2, size=4)
    old = Community.objects.create(project=project, name="Before", member_count=8)
    Entity.objects.update(community=old)

    with override_settings(GRAPH_EXTRACTOR="llm", LLM_BASE_URL=closed_port_url, LLM_MAX_RETRIES=0):
        task = run_rebuild(project)

    assert task.status == "failed"
    assert "unreachable" in task.error
    assert list(Community.objects.filter(project=project).values_list("name", flat=True)) == ["Before"]
    assert Entity.objects.filter(community=old).count() == 8


def test_it_refuses_a_second_rebuild_while_one_is_pending(team):
    first = rebuild.rebuild_request(project=team["project"], by=team["owner"])
    with pytest.raises(JobRunning) as refused:
        rebuild.rebuild_request(project=team["project"], by=team["editor"])
    assert refused.value.task == first
    first.mark_cancelled()
    assert rebuild.rebuild_request(project=team["project"], by=team["editor"]) != first


# -- for real: HTTP, a Celery worker, the task's stream --------------------------------------

TERMINAL = {"completed", "failed", "cancelled"}


@pytest.mark.live
def test_it_rebuilds_through_the_api_and_the_worker(uvicorn_server, celery_worker, member_project, open_stream):
    project, token = member_project["project"], member_project["token"]
    seed(project, clusters=5, size=20)
    watcher = open_stream(uvicorn_server, project.id, token=token)  # the project's stream: every stage as it happens
    watcher.wait_opened()

    response = httpx.post(
        f"{uvicorn_server.url}/api/v1/projects/{project.id}/communities/rebuild/",
        headers={"Authorization": f"Token {token}"},
        timeout=30,
        trust_env=False,
    )
    assert response.status_code == 202, response.text
    task_id = response.json()["task_id"]
    stream = open_stream(uvicorn_server, path=f"/api/v1/tasks/{task_id}/stream", token=token)
    events = stream.wait_for(lambda events: any(e.event in TERMINAL for e in events), timeout=90)

    terminal = [e for e in events if e.event in TERMINAL]
    assert [e.event for e in terminal] == ["completed"], terminal[0].data
    assert terminal[0].data["message"] == "Community rebuild completed"
    assert terminal[0].data["result"] == {"communities": 5, "entities": 100, "largest": 20}
    seen = watcher.wait_for(lambda events: any(e.event in TERMINAL and e.data["task_id"] == task_id for e in events))
    ours = [e for e in seen if e.data["task_id"] == task_id]
    assert [
        (e.data["progress"], e.data["message"]) for e in ours if e.event == "progress" and e.data["progress"]
    ] == STAGES
    assert [e.event for e in ours if e.event != "progress"] == ["completed"]
    assert Community.objects.filter(project=project).count() == 5
    task = TaskLog.objects.get(pk=task_id)
    assert [(s.progress, s.message) for s in task.stages.all()] == STAGES
