from celery import shared_task

from apps.memories.constants import INGEST
from apps.memories.services import DONE_MESSAGE, memory_ingest
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(INGEST))
def ingest_memory(task_id: str) -> None:
    run_task(task_id, memory_ingest, done_message=DONE_MESSAGE)
