from celery import shared_task

from apps.tasks.services import tasks_sweep


@shared_task(name="memstack.sweep_tasks", ignore_result=True)
def sweep_tasks() -> dict:
    """Periodic (celery beat): recover stuck and never-enqueued tasks."""
    return vars(tasks_sweep())
