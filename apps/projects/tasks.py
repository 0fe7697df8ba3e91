from celery import shared_task

from apps.projects.deletion import DELETE_PROJECT, DONE_MESSAGE, project_delete_run
from apps.tasks.services import celery_name, run_task


@shared_task(name=celery_name(DELETE_PROJECT))
def delete_project(task_id: str) -> None:
    run_task(task_id, project_delete_run, done_message=DONE_MESSAGE)
