from celery import shared_task

from apps.memories.imports.ingestion import INGEST_BATCH, import_ingest_batch
from apps.memories.imports.services import BATCH_IMPORT, NOTHING_NEW_MESSAGE, import_run
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(BATCH_IMPORT))
def batch_import(task_id: str) -> None:
    # The done message is only seen when nothing was created: otherwise the
    # parent ends with its children, as "N of N imported".
    run_task(task_id, import_run, done_message=NOTHING_NEW_MESSAGE)


@shared_task(name=celery_name(INGEST_BATCH))
def ingest_batch(task_ids: list[str]) -> None:
    """Ingest many of an import's memories in one call (apps.memories.imports.ingestion)."""
    import_ingest_batch(task_ids)
