"""Row locks on a project that several rooms take in the same place of their lock order."""

from __future__ import annotations

from django.db import connection


def hold_project(project_id) -> None:
    """Take, now, the key-share lock on the project that this transaction's
    new rows would take at COMMIT (PostgreSQL checks our foreign keys then).

    It waits for a running graph write (which holds the project's row lock),
    and keeps the next one from starting, without blocking others that hold
    it too. Taken before any memory row, as the lock order wants
    (apps/memories/services.py).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM projects_project WHERE id = %s FOR KEY SHARE", [project_id])
