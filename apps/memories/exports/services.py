"""Exporting a project's memories to a file, as a task; and removing old exports.

`export_request` starts one (one per project and format at a time); the
worker runs `export_run`, which streams the memories into a file under
EXPORT_DIR/<project id>/ and reports its progress. The file is written
under a name of its attempt's own and moved into place only while that
attempt is still the task's current one, so a download never sees half a
file. Files go EXPORT_RETENTION_HOURS after their export ended
(`exports_clean`, run by beat every hour and by `manage.py clean_exports`),
and at once when their project is deleted.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from apps.memories.exports.formats import FORMATS
from apps.memories.exports.selectors import (
    EXPORT,
    export_expires_at,
    export_format,
    export_path,
    memories_to_export,
)
from apps.projects.models import Project
from apps.tasks.jobs import job_start
from apps.tasks.models import Status, TaskLog
from apps.tasks.reporter import ProgressReporter

logger = logging.getLogger(__name__)

SUBJECT_TYPE = "memories.export"
DONE_MESSAGE = "Export completed"
# Memories written between two looks at the task: a progress report, or at
# least a check for a cancel. A report (a stage row and two events) costs a
# few queries, so after the first one they come at most every REPORT_SECONDS.
REPORT_EVERY = 200
REPORT_SECONDS = 0.5
PART = ".part"


def export_request(*, project: Project, by: AbstractBaseUser | None, format: str) -> TaskLog:
    """Start exporting the project's memories as `format` (a key of FORMATS), or raise JobRunning."""
    chosen = FORMATS[format]
    return job_start(
        project=project,
        task_type=EXPORT,
        by=by,
        payload={"format": format},
        subject_type=SUBJECT_TYPE,
        subject_label=f"{chosen.short} export of {project.name}",
        what=f"An export of this project as {chosen.short}",
    )


def export_url(task: TaskLog) -> str:
    return reverse("memories:export-detail", args=[task.project_id, task.id])


def export_run(task: TaskLog, reporter: ProgressReporter) -> dict:
    """The worker's part: write every memory of the project, oldest first, into the export's file.

    Returns {"format", "memories", "bytes", "filename"}; `filename` is the
    name a download is offered under.
    """
    chosen = export_format(task)
    project = Project.objects.get(pk=task.project_id)
    memories = memories_to_export(project)
    total = memories.count()
    reporter.stage(1, f"Exporting {total:,} memor{'y' if total == 1 else 'ies'}...")
    final = export_path(task)
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(f"{final.name}.{reporter.attempt}{PART}")
    stem = slugify(project.name, allow_unicode=True)[:60].strip("-_") or "project"
    written = 0
    progress = _Progress(reporter, total)
    try:
        with chosen.writer(part, stem) as write:
            for memory in memories.iterator(chunk_size=REPORT_EVERY):
                write(memory)
                written += 1
                if written % REPORT_EVERY == 0:
                    progress.report(written)
        reporter.check_current()  # a replaced attempt leaves the file to the current one
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return {
        "format": chosen.name,
        "memories": written,
        "bytes": final.stat().st_size,
        "filename": f"{stem}-{timezone.localdate():%Y-%m-%d}{chosen.extension}",
    }


class _Progress:
    def __init__(self, reporter: ProgressReporter, total: int) -> None:
        self.reporter = reporter
        self.total = total
        self.reported_at: float | None = None

    def report(self, written: int) -> None:
        percent = min(99, 1 + 98 * written // max(self.total, 1))
        due = self.reported_at is None or time.monotonic() - self.reported_at >= REPORT_SECONDS
        if due and percent > self.reporter.task.progress:
            self.reporter.stage(percent, f"Exported {written:,} of {max(self.total, written):,} memories")
            self.reported_at = time.monotonic()
        else:
            self.reporter.check_cancelled()


@dataclass
class CleanReport:
    removed: list[str] = field(default_factory=list)


def exports_clean() -> CleanReport:
    """Remove the files of exports past their retention, of unfinished attempts that
    ended, and of tasks or projects that no longer exist.

    Only what exports write is touched: folders named by a project id holding
    files named by a task id; anything else under EXPORT_DIR stays.
    """
    report = CleanReport()
    root = Path(settings.EXPORT_DIR)
    if not root.is_dir():
        return report
    folders = {_uuid(folder.name): folder for folder in root.iterdir() if folder.is_dir()}
    folders.pop(None, None)
    live_projects = set(Project.objects.filter(pk__in=list(folders)).values_list("pk", flat=True))
    for project_id, folder in folders.items():
        files = {_uuid(path.name.split(".", 1)[0]): path for path in folder.iterdir() if path.is_file()}
        files.pop(None, None)
        if project_id not in live_projects:
            for path in files.values():
                path.unlink(missing_ok=True)
            _remove_if_empty(folder)
            report.removed.append(f"{folder.name}/")
            continue
        tasks = TaskLog.objects.filter(project_id=project_id, task_type=EXPORT, pk__in=list(files)).only(
            "id", "status", "completed_at", "payload", "project_id"
        )
        tasks = {task.pk: task for task in tasks}
        for task_id, path in files.items():
            if _expired(path, tasks.get(task_id)):
                path.unlink(missing_ok=True)
                report.removed.append(f"{folder.name}/{path.name}")
    return report


def _expired(path: Path, task: TaskLog | None) -> bool:
    if task is None:
        return True
    if path.name.endswith(PART):  # its attempt is over once the task is
        return task.status not in (Status.PENDING, Status.PROCESSING)
    expires = export_expires_at(task)
    return expires is None or expires <= timezone.now()


def _uuid(name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(name)
    except ValueError:
        return None


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # something not ours is in it
        logger.warning("Export folder %s of a deleted project holds other files; left in place.", folder)


def project_exports_remove(project_id) -> None:
    """A deleted project's export files go with it (projects.deletion calls this once it commits)."""
    folder = Path(settings.EXPORT_DIR) / str(project_id)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and _uuid(path.name.split(".", 1)[0]) is not None:
                path.unlink(missing_ok=True)
        _remove_if_empty(folder)
