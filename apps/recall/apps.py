from django.apps import AppConfig
from django.db.models.signals import pre_migrate


class RecallConfig(AppConfig):
    name = "apps.recall"
    label = "recall"
    verbose_name = "Recall"

    def ready(self) -> None:
        from apps.recall.schema import refuse_migrate_without_pgvector

        pre_migrate.connect(refuse_migrate_without_pgvector, sender=self, dispatch_uid="recall-pgvector")

        from django.urls import reverse

        from apps.recall.services import SUBJECT_TYPE
        from apps.tasks.services import register_subject

        # A reindex changes nothing of its subject's state; its page is the project's search page.
        register_subject(
            SUBJECT_TYPE, follow=lambda task: None, url=lambda task: reverse("recall:search", args=[task.project_id])
        )

    def schema_findings(self, connection, applied: set[tuple[str, str]]) -> list:
        """For apps.core.schema: the extension and indexes migration 0001 made, and stale vectors."""
        from apps.recall.schema import findings

        return findings(connection, applied)
