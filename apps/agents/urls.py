from django.urls import path

from apps.agents import api, views

app_name = "agents"

urlpatterns = [
    path("project/<uuid:project_id>/keys/", views.key_list, name="keys"),
    path("project/<uuid:project_id>/keys/<int:key_id>/revoke/", views.key_revoke, name="key-revoke"),
]

api_urlpatterns = [
    path("projects/<uuid:project_id>/keys/", api.KeyListCreateApi.as_view(), name="key-list"),
    path("projects/<uuid:project_id>/keys/<int:key_id>/", api.KeyRevokeApi.as_view(), name="key-detail"),
]
