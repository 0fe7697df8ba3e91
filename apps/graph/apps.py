from django.apps import AppConfig


class GraphConfig(AppConfig):
    name = "apps.graph"
    label = "graph"
    verbose_name = "Knowledge graph"

    def ready(self) -> None:
        from django.urls import reverse

        from apps.graph.constants import SUBJECT_TYPE
        from apps.tasks.services import register_subject

        # A rebuild changes nothing of its own subject's state; its page is the communities list.
        register_subject(
            SUBJECT_TYPE,
            follow=lambda task: None,
            url=lambda task: reverse("graph:communities", args=[task.project_id]),
        )
