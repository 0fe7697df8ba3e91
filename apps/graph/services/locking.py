"""The lock that serialises writes to one project's graph."""

from __future__ import annotations

from apps.projects.models import Project


def lock_project_graph(project: Project) -> None:
    """Serialise graph writes in a project until the current transaction ends.

    A row lock on the project on PostgreSQL; SQLite takes its write lock at
    the start of every transaction (IMMEDIATE mode), which serialises too.
    """
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).first()
