from django.apps import AppConfig


class MemoriesConfig(AppConfig):
    name = "apps.memories"
    label = "memories"

    def ready(self) -> None:
        from apps.memories import task_kinds
        from apps.memories.constants import INGEST, SUBJECT_TYPE
        from apps.memories.imports import services as imports
        from apps.memories.services import memory_follow_task, memory_url
        from apps.tasks.services import register_subject

        register_subject(SUBJECT_TYPE, follow=memory_follow_task, url=memory_url)
        # An import's own state is its task's; its page is the per-item result.
        register_subject(imports.SUBJECT_TYPE, follow=lambda task: None, url=imports.import_result_url)
        task_kinds.register(ingest=INGEST, batch_import=imports.BATCH_IMPORT)
