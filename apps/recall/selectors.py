"""Reading the recall index: the passages behind a search, and the reindex task under way."""

from __future__ import annotations

from apps.projects.models import Project
from apps.tasks.jobs import active_job
from apps.tasks.models import TaskLog


def active_reindex(project: Project) -> TaskLog | None:
    """The project's recall reindex that is pending or running, if any."""
    from apps.recall.services import REINDEX

    return active_job(project, REINDEX)


def indexed_memory_count(project: Project) -> int:
    from apps.recall.models import Passage

    return Passage.objects.filter(project=project).values("memory_id").distinct().count()
