from django.urls import path

from apps.memories.imports import api, views

urlpatterns = [
    path("project/<uuid:project_id>/memories/import/", views.memory_import, name="import"),
    path(
        "project/<uuid:project_id>/memories/import/<uuid:task_id>/",
        views.memory_import_result,
        name="import-result",
    ),
]

api_urlpatterns = [
    path("memories/import/", api.MemoryImportApi.as_view(), name="memory-import"),
    path("memories/import/<uuid:task_id>/items/", api.ImportItemListApi.as_view(), name="memory-import-items"),
]
