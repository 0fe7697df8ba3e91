from celery import shared_task

from apps.memories.exports.selectors import EXPORT
from apps.memories.exports.services import DONE_MESSAGE, export_run, exports_clean
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(EXPORT))
def export_memories(task_id: str) -> None:
    run_task(task_id, export_run, done_message=DONE_MESSAGE)


@shared_task(name="memstack.clean_exports", ignore_result=True)
def clean_exports() -> int:
    """Periodic (celery beat): remove export files past their retention."""
    return len(exports_clean().removed)
