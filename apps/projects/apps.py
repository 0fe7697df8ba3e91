from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    label = "projects"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.projects.deletion import SUBJECT_TYPE, project_follow_deletion
        from apps.tasks.services import register_subject

        register_subject(SUBJECT_TYPE, follow=project_follow_deletion, url=lambda task: reverse("projects:list"))
