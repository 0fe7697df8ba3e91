from django.apps import AppConfig


class MemoriesConfig(AppConfig):
    name = "apps.memories"
    label = "memories"

    def ready(self) -> None:
        from apps.memories.services import SUBJECT_TYPE, memory_follow_task, memory_url
        from apps.tasks.services import register_subject

        register_subject(SUBJECT_TYPE, follow=memory_follow_task, url=memory_url)
