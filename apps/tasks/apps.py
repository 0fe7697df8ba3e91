from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "apps.tasks"
    label = "tasks"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from apps.projects.models import Membership
        from apps.tasks import signals  # noqa: F401 - connects the Celery signal handlers
        from apps.tasks.events import membership_deleted

        # A removed member's streams behind Pushpin end whichever way the membership went.
        post_delete.connect(membership_deleted, sender=Membership, dispatch_uid="tasks.membership_deleted")
