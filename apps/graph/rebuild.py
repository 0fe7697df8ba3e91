"""Rebuilding a project's communities from scratch, as a task.

`rebuild_request` starts one (never two at once per project, apps.tasks.jobs);
the worker runs `communities_rebuild` through apps.tasks.services.run_task.

The slow part (Louvain over the current relationships, then naming every
community, one LLM call each when an LLM is configured) runs without the
project's graph lock, so ingestion carries on meanwhile. The old communities
are then replaced by the new ones in one transaction that holds the lock:
pages show the old communities or the new, never a half-empty graph, and a
cancel that arrives before that commit leaves the old ones untouched.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count

from apps.graph.communities import Namer, PlannedCommunity, name_community, namer_from, plan_rebuild
from apps.graph.constants import REBUILD, SUBJECT_TYPE
from apps.graph.extraction import get_extractor
from apps.graph.models import Community, Entity, Relationship
from apps.graph.services import communities_update, lock_project_graph
from apps.projects.models import Project
from apps.tasks.jobs import job_start
from apps.tasks.models import TaskLog
from apps.tasks.reporter import ProgressReporter

# Each stage names the work done after it.
LOADING = (10, "Loading the graph...")
DETECTING = (25, "Detecting communities...")
NAMING = (60, "Naming and summarising communities...")
NAMING_LAST = 84  # "Named i of n communities" moves between NAMING and SAVING
SAVING = (85, "Saving communities...")
COUNTING = (95, "Counting members...")
DONE_MESSAGE = "Community rebuild completed"

# While naming: how often to check for a cancel and to report how far it got.
CHECK_EVERY_SECONDS = 1.0
# With an LLM: how many communities (the largest; of two members or more) it names.
# Each is a call of seconds; the rest are named offline, so that a project of
# thousands of small groups still rebuilds within the task's time limit.
LLM_NAMED_LIMIT = 100


def rebuild_request(*, project: Project, by: AbstractBaseUser | None) -> TaskLog:
    """Start a rebuild of the project's communities, or raise JobRunning with the one under way."""
    return job_start(
        project=project,
        task_type=REBUILD,
        by=by,
        subject_type=SUBJECT_TYPE,
        subject_label=f"Communities of {project.name}",
        what="A community rebuild of this project",
    )


def communities_rebuild(task: TaskLog, reporter: ProgressReporter) -> dict:
    """Replace the project's communities with Louvain's over its current relationships.

    Returns `{"communities", "entities", "largest"}` as saved.
    """
    project = Project.objects.get(pk=task.project_id)

    reporter.stage(*LOADING)
    names = dict(Entity.objects.filter(project=project).values_list("id", "name"))
    relationships = list(
        Relationship.objects.filter(project=project, invalid_at__isnull=True).values_list(
            "source_id", "target_id", "name"
        )
    )

    reporter.stage(*DETECTING)
    naming = _Naming(reporter, _namer())
    plan = plan_rebuild(names, relationships, namer=naming.name, progress=naming.progress)

    reporter.stage(*SAVING)
    with transaction.atomic():
        lock_project_graph(project)
        _replace_communities(project, plan)
        # The last check point: a cancel here rolls the new communities back.
        reporter.stage(*COUNTING)
        return _count_members(project)


def _namer() -> Namer:
    if settings.GRAPH_EXTRACTOR != "llm":
        return name_community
    llm = namer_from(get_extractor())
    asked = 0

    def name(members: list[tuple[str, int]], facts: list[tuple[str, str, str]]) -> tuple[str, str]:
        nonlocal asked
        # A community of one has nothing to summarise: spare the model the call.
        # plan_rebuild names the largest first, so the limit leaves out the smallest.
        if len(members) < 2 or asked >= LLM_NAMED_LIMIT:
            return name_community(members, facts)
        asked += 1
        return llm(members, facts)

    return name


class _Naming:
    """Turns plan_rebuild's naming loop into stages of this task, and checks for cancels in it."""

    def __init__(self, reporter: ProgressReporter, namer: Namer) -> None:
        self.reporter = reporter
        self.namer = namer
        self.started = False
        self.percent = NAMING[0]
        self.last_check = 0.0

    def name(self, members: list[tuple[str, int]], facts: list[tuple[str, str, str]]) -> tuple[str, str]:
        if not self.started:
            self.started = True
            self.reporter.stage(*NAMING)
            self.last_check = time.monotonic()
        elif time.monotonic() - self.last_check >= CHECK_EVERY_SECONDS:
            self.reporter.check_cancelled()
            self.last_check = time.monotonic()
        return self.namer(members, facts)

    def progress(self, percent: int, message: str) -> None:
        """plan_rebuild's own percent: 10 when detection starts, then 10..100 as it names."""
        if not self.started or percent <= 10:
            return
        mapped = NAMING[0] + (percent - 10) * (NAMING_LAST - NAMING[0]) // 90
        # Report only a real step forward, and not more than once in a while:
        # a graph of many small communities names thousands in a second.
        if mapped > self.percent and time.monotonic() - self.last_check >= CHECK_EVERY_SECONDS:
            self.percent = mapped
            self.reporter.stage(mapped, message)
            self.last_check = time.monotonic()


def _replace_communities(project: Project, plan: list[PlannedCommunity]) -> None:
    """Swap the old communities for the planned ones. Call holding the project's graph lock.

    Entities that ingestion added after the graph was loaded join a community
    the incremental way; the ones it removed are simply not there to place.
    """
    present = set(Entity.objects.filter(project=project).values_list("id", flat=True))
    Entity.objects.filter(project=project, community__isnull=False).update(community=None)
    Community.objects.filter(project=project).delete()

    kept = [(planned, planned.members & present) for planned in plan]
    kept = [(planned, members) for planned, members in kept if members]
    created = Community.objects.bulk_create(
        [
            Community(project=project, name=planned.name[:200], summary=planned.summary, member_count=len(members))
            for planned, members in kept
        ],
        batch_size=500,
    )
    Entity.objects.bulk_update(
        [
            Entity(pk=entity_id, community_id=community.pk)
            for community, (_, members) in zip(created, kept, strict=True)
            for entity_id in members
        ],
        ["community"],
        batch_size=500,
    )
    placed = set().union(*(members for _, members in kept))
    if newcomers := present - placed:
        communities_update(project=project, entity_ids=newcomers)


def _count_members(project: Project) -> dict:
    """Set every community's member_count from its members; drop empty ones; sum up."""
    counts: dict[int, int] = dict(
        Entity.objects.filter(project=project, community__isnull=False)
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    stale = []
    for community in Community.objects.filter(project=project).only("id", "member_count"):
        if community.member_count != counts.get(community.pk, 0):
            community.member_count = counts.get(community.pk, 0)
            stale.append(community)
    Community.objects.bulk_update(stale, ["member_count"], batch_size=500)
    Community.objects.filter(project=project, member_count=0).delete()
    return {
        "communities": len(counts),
        "entities": sum(counts.values()),
        "largest": max(counts.values(), default=0),
    }
