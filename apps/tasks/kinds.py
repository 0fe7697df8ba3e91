"""What each type of task is called on the pages, and how its result reads.

The apps that own a type of task register it (in their AppConfig.ready), so
this app shows "Ingest memory · 3 entities, 2 relationships" without knowing
what a memory is. An unregistered type still reads: its name, spaced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ResultSummary = Callable[[dict], str]


@dataclass(frozen=True)
class TaskKind:
    label: str
    summarize: ResultSummary | None = None


_kinds: dict[str, TaskKind] = {}


def register_task_kind(task_type: str, *, label: str, summarize: ResultSummary | None = None) -> None:
    _kinds[task_type] = TaskKind(label=label, summarize=summarize)


def task_label(task_type: str) -> str:
    kind = _kinds.get(task_type)
    return kind.label if kind else task_type.replace("_", " ").capitalize()


def result_summary(task_type: str, result) -> str:
    """One sentence for a task's result; empty when there is none to tell."""
    kind = _kinds.get(task_type)
    if not isinstance(result, dict) or kind is None or kind.summarize is None:
        return ""
    try:
        return kind.summarize(result)
    except (KeyError, TypeError, ValueError):  # an older result's shape: the raw result is still shown
        return ""


def counted(count: int, one: str, many: str | None = None) -> str:
    """`1 entity`, `3 entities`: for summaries."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
