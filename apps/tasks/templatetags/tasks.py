from __future__ import annotations

from django import template

from apps.tasks import kinds

register = template.Library()


@register.filter
def task_label(task_type: str) -> str:
    """`ingest_memory` as the pages say it: `Ingest memory`."""
    return kinds.task_label(task_type)


@register.filter
def task_result_summary(task) -> str:
    return kinds.result_summary(task.task_type, task.result)
