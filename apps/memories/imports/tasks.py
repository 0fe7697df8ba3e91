from celery import shared_task

from apps.memories.imports.services import BATCH_IMPORT, NOTHING_NEW_MESSAGE, import_run
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(BATCH_IMPORT))
def batch_import(task_id: str) -> None:
    # The done message is only seen when nothing was created: otherwise the
    # parent ends with its children, as "N of N imported".
    run_task(task_id, import_run, done_message=NOTHING_NEW_MESSAGE)
