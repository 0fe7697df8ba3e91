from celery import shared_task

from apps.graph.constants import REBUILD
from apps.graph.rebuild import DONE_MESSAGE, communities_rebuild
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(REBUILD))
def rebuild_communities(task_id: str) -> None:
    run_task(task_id, communities_rebuild, done_message=DONE_MESSAGE)
