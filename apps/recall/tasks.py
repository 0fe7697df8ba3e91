from celery import shared_task

from apps.recall.services import DONE_MESSAGE, REINDEX, recall_reindex
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(REINDEX))
def reindex_recall(task_id: str) -> None:
    run_task(task_id, recall_reindex, done_message=DONE_MESSAGE)
