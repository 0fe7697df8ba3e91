from django.urls import path

from apps.graph.api import browse as api
from apps.graph.api import schema as schema_api
from apps.graph.views import browse, schema
from apps.graph.views.merge import entity_merge_view

app_name = "graph"

_project = "project/<uuid:project_id>"
_types = {"entity": "entity-types", "edge": "edge-types"}

urlpatterns = [
    path(f"{_project}/communities/", browse.community_list, name="communities"),
    path(f"{_project}/communities/rebuild/", browse.community_rebuild, name="communities-rebuild"),
    path(f"{_project}/entities/", browse.entity_list, name="entities"),
    path(f"{_project}/entities/<int:entity_id>/", browse.entity_detail, name="entity"),
    path(f"{_project}/entities/<int:entity_id>/graph/", browse.entity_graph, name="entity-graph"),
    path(f"{_project}/graph/", browse.project_graph, name="graph"),
    path(f"{_project}/schema/", schema.schema, name="schema"),
    path(f"{_project}/schema/merge-entities/", entity_merge_view, name="entity-merge"),
]
for kind, segment in _types.items():
    urlpatterns += [
        path(
            f"{_project}/schema/{segment}/new/", schema.schema_type_create, {"kind": kind}, name=f"{kind}-type-create"
        ),
        path(
            f"{_project}/schema/{segment}/<int:type_id>/edit/",
            schema.schema_type_edit,
            {"kind": kind},
            name=f"{kind}-type-edit",
        ),
        path(
            f"{_project}/schema/{segment}/<int:type_id>/delete/",
            schema.schema_type_remove,
            {"kind": kind},
            name=f"{kind}-type-delete",
        ),
    ]

_api_project = "projects/<uuid:project_id>"

api_urlpatterns = [
    path(f"{_api_project}/entities/", api.EntityListApi.as_view(), name="graph-entity-list"),
    path(f"{_api_project}/entities/<int:entity_id>/", api.EntityDetailApi.as_view(), name="graph-entity-detail"),
    path(
        f"{_api_project}/entities/<int:entity_id>/neighbourhood/",
        api.EntityNeighbourhoodApi.as_view(),
        name="graph-neighbourhood",
    ),
    path(f"{_api_project}/relationships/", api.RelationshipListApi.as_view(), name="graph-relationship-list"),
    path(f"{_api_project}/communities/", api.CommunityListApi.as_view(), name="graph-community-list"),
    path(f"{_api_project}/communities/rebuild/", api.CommunityRebuildApi.as_view(), name="graph-community-rebuild"),
    path(f"{_api_project}/graph/", api.ProjectGraphApi.as_view(), name="graph-project"),
    path(f"{_api_project}/schema/entity-types/", schema_api.EntityTypeListApi.as_view(), name="graph-entity-type-list"),
    path(
        f"{_api_project}/schema/entity-types/<int:type_id>/",
        schema_api.EntityTypeDetailApi.as_view(),
        name="graph-entity-type-detail",
    ),
    path(f"{_api_project}/schema/edge-types/", schema_api.EdgeTypeListApi.as_view(), name="graph-edge-type-list"),
    path(
        f"{_api_project}/schema/edge-types/<int:type_id>/",
        schema_api.EdgeTypeDetailApi.as_view(),
        name="graph-edge-type-detail",
    ),
]
