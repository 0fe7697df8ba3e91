from django.apps import AppConfig


class MemoriesConfig(AppConfig):
    name = "apps.memories"
    label = "memories"

    def ready(self) -> None:
        from apps.memories import task_kinds
        from apps.memories.constants import INGEST, SUBJECT_TYPE
        from apps.memories.exports import selectors as export_selectors
        from apps.memories.exports import services as exports
        from apps.memories.imports import services as imports
        from apps.memories.services import memory_follow_task, memory_url
        from apps.tasks.services import register_subject

        register_subject(SUBJECT_TYPE, follow=memory_follow_task, url=memory_url)
        # An import's own state is its task's; its page is the per-item result.
        register_subject(imports.SUBJECT_TYPE, follow=lambda task: None, url=imports.import_result_url)
        # An export's page shows its progress, then its file.
        register_subject(exports.SUBJECT_TYPE, follow=lambda task: None, url=exports.export_url)
        task_kinds.register(ingest=INGEST, batch_import=imports.BATCH_IMPORT, export=export_selectors.EXPORT)

        from apps.projects.deletion import on_project_deleted

        on_project_deleted(exports.project_exports_remove)
