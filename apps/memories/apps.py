from django.apps import AppConfig


class MemoriesConfig(AppConfig):
    name = "apps.memories"
    label = "memories"

    def ready(self) -> None:
        from apps.memories.services import SUBJECT_TYPE, memory_follow_task
        from apps.tasks.services import register_subject_hook

        register_subject_hook(SUBJECT_TYPE, memory_follow_task)
