from django.urls import path

from apps.memories import import_api, import_views

urlpatterns = [
    path("project/<uuid:project_id>/memories/import/", import_views.memory_import, name="import"),
    path(
        "project/<uuid:project_id>/memories/import/<uuid:task_id>/",
        import_views.memory_import_result,
        name="import-result",
    ),
]

api_urlpatterns = [
    path("memories/import/", import_api.MemoryImportApi.as_view(), name="memory-import"),
]
