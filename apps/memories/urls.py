from django.urls import path

from apps.memories import api, views
from apps.memories.exports import urls as exports
from apps.memories.imports import urls as imports

app_name = "memories"

urlpatterns = [
    path("project/<uuid:project_id>/memories/", views.memory_list, name="list"),
    path("project/<uuid:project_id>/memories/new/", views.memory_create, name="create"),
    path("project/<uuid:project_id>/memories/rows/<uuid:task_id>/", views.memory_row, name="row"),
    path("project/<uuid:project_id>/memories/<uuid:memory_id>/", views.memory_detail, name="detail"),
    path("project/<uuid:project_id>/memories/<uuid:memory_id>/edit/", views.memory_edit, name="edit"),
    path("project/<uuid:project_id>/memories/<uuid:memory_id>/delete/", views.memory_delete, name="delete"),
    path(
        "project/<uuid:project_id>/memories/<uuid:memory_id>/versions/<int:version_id>/",
        views.memory_version,
        name="version",
    ),
    path(
        "project/<uuid:project_id>/memories/<uuid:memory_id>/versions/<int:version_id>/restore/",
        views.memory_version_restore,
        name="version-restore",
    ),
    path("project/<uuid:project_id>/memories/trash/", views.trash, name="trash"),
    path("project/<uuid:project_id>/memories/trash/empty/", views.trash_empty, name="trash-empty"),
    path(
        "project/<uuid:project_id>/memories/trash/<uuid:memory_id>/restore/", views.trash_restore, name="trash-restore"
    ),
    path("project/<uuid:project_id>/memories/trash/<uuid:memory_id>/delete/", views.trash_delete, name="trash-delete"),
    *imports.urlpatterns,
    *exports.urlpatterns,
]

api_urlpatterns = [
    path("memories/", api.MemoryListCreateApi.as_view(), name="memory-list"),
    path("memories/<uuid:memory_id>/", api.MemoryDetailApi.as_view(), name="memory-detail"),
    *imports.api_urlpatterns,
    *exports.api_urlpatterns,
]
