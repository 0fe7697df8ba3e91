from django.urls import path

from apps.projects import api, views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_create, name="create"),
    path("project/<uuid:project_id>/", views.project_detail, name="detail"),
    path("project/<uuid:project_id>/edit/", views.project_edit, name="edit"),
    path("project/<uuid:project_id>/delete/", views.project_delete, name="delete"),
    path("project/<uuid:project_id>/members/", views.project_members, name="members"),
    path(
        "project/<uuid:project_id>/members/<int:membership_id>/remove/",
        views.project_member_remove,
        name="member-remove",
    ),
]

api_urlpatterns = [
    path("projects/", api.ProjectListCreateApi.as_view(), name="project-list"),
    path("projects/<uuid:project_id>/", api.ProjectDetailApi.as_view(), name="project-detail"),
]
