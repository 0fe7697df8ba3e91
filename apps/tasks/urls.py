from django.urls import path

from apps.tasks import api, streams

app_name = "tasks"

urlpatterns: list = []

api_urlpatterns = [
    path("projects/<uuid:project_id>/stream", streams.project_stream, name="project-stream"),
    path("tasks/", api.TaskListApi.as_view(), name="task-list"),
    path("tasks/<uuid:task_id>/", api.TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<uuid:task_id>/stream", streams.task_stream, name="task-stream"),
    path("tasks/<uuid:task_id>/cancel/", api.TaskCancelApi.as_view(), name="task-cancel"),
    path("tasks/<uuid:task_id>/retry/", api.TaskRetryApi.as_view(), name="task-retry"),
]
