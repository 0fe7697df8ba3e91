"""Which task states may follow which on one stream: a stream never sends a task's older state."""

from __future__ import annotations

from datetime import datetime

from apps.tasks.events import TERMINAL_EVENTS


class TaskStates:
    """What one stream has sent of each task, so that it never sends an older state.

    A state is newer if the task ended, or moved forward (more progress, or
    as much but later `updated_at`). Nothing follows a terminal state. Events
    without a `task_id` pass untouched.
    """

    def __init__(self) -> None:
        self._sent: dict[str, tuple[int, datetime | None]] = {}
        self.ended: set[str] = set()

    def admit(self, event_type: str, payload) -> bool:
        if not isinstance(payload, dict) or not isinstance(payload.get("task_id"), str):
            return True
        task_id = payload["task_id"]
        if task_id in self.ended:
            return False
        if event_type in TERMINAL_EVENTS:
            self.ended.add(task_id)
            self._sent.pop(task_id, None)
            return True
        progress = payload.get("progress") if isinstance(payload.get("progress"), int) else 0
        updated = _timestamp(payload.get("updated_at"))
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
