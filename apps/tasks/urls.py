from django.urls import path

from apps.tasks import api, streams, views

app_name = "tasks"

urlpatterns = [
    path("tasks/", views.task_list, name="list"),
    path("tasks/counts/", views.task_counts, name="counts"),
    path("tasks/<uuid:task_id>/", views.task_detail, name="detail"),
    path("tasks/<uuid:task_id>/row/", views.task_row, name="row"),
    path("tasks/<uuid:task_id>/cancel/", views.task_cancel, name="cancel"),
    path("tasks/<uuid:task_id>/retry/", views.task_retry, name="retry"),
    path("project/<uuid:project_id>/tasks/", views.task_list, name="project-list"),
    path("project/<uuid:project_id>/tasks/counts/", views.task_counts, name="project-counts"),
]

api_urlpatterns = [
    path("projects/<uuid:project_id>/stream", streams.project_stream, name="project-stream"),
    path("tasks/", api.TaskListApi.as_view(), name="task-list"),
    path("tasks/<uuid:task_id>/", api.TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<uuid:task_id>/stream", streams.task_stream, name="task-stream"),
    path("tasks/<uuid:task_id>/cancel/", api.TaskCancelApi.as_view(), name="task-cancel"),
    path("tasks/<uuid:task_id>/retry/", api.TaskRetryApi.as_view(), name="task-retry"),
]
