from django.urls import path

from apps.recall import api, views

app_name = "recall"

urlpatterns = [
    path("project/<uuid:project_id>/search/", views.search_page, name="search"),
    path("project/<uuid:project_id>/search/reindex/", views.reindex, name="reindex"),
]

api_urlpatterns = [
    path("projects/<uuid:project_id>/search/", api.SearchApi.as_view(), name="recall-search"),
    path("projects/<uuid:project_id>/recall/reindex/", api.ReindexApi.as_view(), name="recall-reindex"),
]
