from django.urls import path

from apps.memories.exports import api, views

urlpatterns = [
    path("project/<uuid:project_id>/export/", views.export_page, name="export"),
    path("project/<uuid:project_id>/export/<uuid:task_id>/", views.export_detail, name="export-detail"),
    path("project/<uuid:project_id>/export/<uuid:task_id>/download/", views.export_download, name="export-download"),
]

api_urlpatterns = [
    path("projects/<uuid:project_id>/export/", api.ExportApi.as_view(), name="project-export"),
    path(
        "projects/<uuid:project_id>/export/<uuid:task_id>/download/",
        api.ExportDownloadApi.as_view(),
        name="project-export-download",
    ),
]
