"""The kinds of subject a task can be about (a memory, say), registered by the apps that own them.

Each kind brings a hook that keeps the subject's own status in step with its
task, and the URL of the subject's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.tasks.models import TaskLog

SubjectHook = Callable[[TaskLog], None]


@dataclass(frozen=True)
class SubjectType:
    follow: SubjectHook  # keeps the subject's own status in step with its task
    url: Callable[[TaskLog], str | None] = lambda task: None  # noqa: E731 - the subject's page


_subjects: dict[str, SubjectType] = {}


def register_subject(
    subject_type: str, *, follow: SubjectHook, url: Callable[[TaskLog], str | None] | None = None
) -> None:
    """Tell the task center about a kind of subject (a memory, say)."""
    _subjects[subject_type] = SubjectType(follow=follow, url=url or (lambda task: None))


def subject_url(task: TaskLog) -> str | None:
    subject = _subjects.get(task.subject_type)
    return subject.url(task) if subject else None


def _follow_subject(task: TaskLog) -> None:
    subject = _subjects.get(task.subject_type)
    if subject is not None:
        subject.follow(task)
