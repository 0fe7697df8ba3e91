from django.urls import path

from apps.tasks import streams

app_name = "tasks"

urlpatterns: list = []

api_urlpatterns = [
    path("projects/<uuid:project_id>/stream", streams.project_stream, name="project-stream"),
]
