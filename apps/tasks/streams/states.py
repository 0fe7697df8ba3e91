"""Which task states may follow which on one stream: a stream never sends a task's older state."""

from __future__ import annotations

from datetime import datetime

from apps.tasks.events import TERMINAL_EVENTS

# What a stream weighs of a task's event: (task id, whether it ends the task,
# progress, updated_at). Worked out once per event, however many streams send it.
TaskState = tuple[str, bool, int, datetime | None]


def task_state(event_type: str, payload) -> TaskState | None:
    """The state an event says its task is in; None for an event without a `task_id`."""
    if not isinstance(payload, dict) or not isinstance(payload.get("task_id"), str):
        return None
    progress = payload.get("progress") if isinstance(payload.get("progress"), int) else 0
    return payload["task_id"], event_type in TERMINAL_EVENTS, progress, _timestamp(payload.get("updated_at"))


class TaskStates:
    """What one stream has sent of each task, so that it never sends an older state.

    A state is newer if the task ended, or moved forward (more progress, or
    as much but later `updated_at`). Nothing follows a terminal state. Events
    without a `task_id` pass untouched.
    """

    def __init__(self) -> None:
        self._sent: dict[str, tuple[int, datetime | None]] = {}
        self.ended: set[str] = set()

    def admit(self, state: TaskState | None) -> bool:
        if state is None:
            return True
        task_id, terminal, progress, updated = state
        if task_id in self.ended:
            return False
        if terminal:
            self.ended.add(task_id)
            self._sent.pop(task_id, None)
            return True
        previous = self._sent.get(task_id)
        if previous is not None:
            last_progress, last_updated = previous
            if progress < last_progress:
                return False
            if progress == last_progress and updated is not None and last_updated is not None:
                if updated <= last_updated:
                    return False
        self._sent[task_id] = (progress, updated)
        return True


def _timestamp(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
