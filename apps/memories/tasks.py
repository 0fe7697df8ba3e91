import logging

from celery import shared_task

from apps.memories.constants import INGEST
from apps.memories.services import DONE_MESSAGE, memory_ingest, trash_purge
from apps.tasks.services import celery_name, run_task

logger = logging.getLogger(__name__)


@shared_task(name=celery_name(INGEST))
def ingest_memory(task_id: str) -> None:
    run_task(task_id, memory_ingest, done_message=DONE_MESSAGE)


@shared_task(name="memstack.purge_memory_trash")
def purge_memory_trash() -> int:
    purged = trash_purge()
    if purged:
        logger.info("Deleted forever %d memories that were in a trash past MEMORY_TRASH_DAYS.", purged)
    return purged
