"""`manage.py reindex [--project ID] [--wait]`: rebuild the recall index as tasks.

One reindex task per project (the same task as the "Rebuild recall index"
button), queued for the workers. `--wait` runs them here instead, one after
the other, printing their progress — for a deploy step or a machine without
a running worker.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.projects.models import Project
from apps.recall.services import DONE_MESSAGE, recall_reindex, reindex_request
from apps.tasks.jobs import JobRunning
from apps.tasks.services import run_task


class Command(BaseCommand):
    help = "Index every memory again for recall (after the migration, or a change of EMBEDDINGS_* settings)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", help="Only this project (its id); default: every project")
        parser.add_argument("--wait", action="store_true", help="Run here and wait, instead of queueing for a worker")

    def handle(self, *args, project: str | None = None, wait: bool = False, **options) -> None:
        projects = Project.objects.order_by("created_at")
        if project:
            try:
                projects = list(projects.filter(pk=project))
            except ValidationError:
                projects = []
            if not projects:
                raise CommandError(f"No project with id {project!r}.")
        tasks = []
        for each in projects:
            try:
                task = reindex_request(project=each, by=None)
            except JobRunning as running:
                self.stdout.write(f"{each.name}: already being reindexed (task {running.task.id})")
                continue
            tasks.append(task)
            self.stdout.write(f"{each.name}: reindex task {task.id} {'started' if wait else 'queued'}")
        if not wait:
            return
        for task in tasks:
            # The queued copy finds the task already finished and does nothing.
            run_task(str(task.id), recall_reindex, done_message=DONE_MESSAGE)
            task.refresh_from_db()
            while not task.is_finished:  # a worker took it first: wait for it
                time.sleep(1)
                task.refresh_from_db()
            self.stdout.write(f"{task.subject_label}: {task.status} {task.result or task.error or ''}")
            if task.status != "completed":
                raise CommandError(f"Reindex of {task.subject_label} {task.status}: {task.error}")
