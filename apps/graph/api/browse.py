"""Reading a project's graph over the API, and starting a community rebuild."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.graph import selectors
from apps.graph.api.serializers import (
    CommunitySerializer,
    EntityDetailSerializer,
    EntitySerializer,
    GraphSerializer,
    RelationshipSerializer,
    TaskStartedSerializer,
)
from apps.graph.rebuild import rebuild_request
from apps.projects.access import Action, get_project_for_user
from apps.tasks.jobs import job_start_from_api


class _Limit(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=selectors.GRAPH_MAX_NODE_LIMIT, default=selectors.GRAPH_NODE_LIMIT
    )


class EntityListApi(generics.GenericAPIView):
    serializer_class = EntitySerializer

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
        type = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name contains"), OpenApiParameter("type", str)],
        responses=EntitySerializer(many=True),
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        entities = selectors.entities_of(
            project, q=filters.validated_data["q"].strip(), type_name=filters.validated_data["type"].strip()
        )
        page = self.paginate_queryset(entities)
        return self.get_paginated_response(EntitySerializer(page, many=True).data)


class EntityDetailApi(generics.GenericAPIView):
    serializer_class = EntityDetailSerializer

    def get(self, request: Request, project_id: UUID, entity_id: int) -> Response:
        project = get_project_for_user(request.user, project_id)
        entity = selectors.get_entity(project, entity_id)
        relationships = selectors.relationships_of(project, entity_id=entity.id)
        memories = selectors.entity_memories(entity)
        context = {
            "relationships": relationships[: selectors.RELATIONSHIPS_SHOWN],
            "relationship_count": relationships.count(),
            "memories": memories[: selectors.MEMORIES_SHOWN],
            "mention_count": memories.count(),
        }
        return Response(EntityDetailSerializer(entity, context=context).data)


class EntityNeighbourhoodApi(generics.GenericAPIView):
    serializer_class = GraphSerializer

    class FilterSerializer(_Limit):
        depth = serializers.IntegerField(min_value=1, max_value=2, default=1)

    @extend_schema(parameters=[OpenApiParameter("depth", int, enum=[1, 2]), OpenApiParameter("limit", int)])
    def get(self, request: Request, project_id: UUID, entity_id: int) -> Response:
        project = get_project_for_user(request.user, project_id)
        entity = selectors.get_entity(project, entity_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        depth, limit = filters.validated_data["depth"], filters.validated_data["limit"]
        graph = selectors.neighbourhood(entity, depth=depth, limit=limit)
        return Response({**asdict(graph), "limit": limit, "center": entity.id, "depth": depth})


class ProjectGraphApi(generics.GenericAPIView):
    serializer_class = GraphSerializer

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="At most this many nodes, best-connected first")]
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        filters = _Limit(data=request.query_params)
        filters.is_valid(raise_exception=True)
        limit = filters.validated_data["limit"]
        return Response({**asdict(selectors.project_graph(project, limit=limit)), "limit": limit})


class RelationshipListApi(generics.GenericAPIView):
    serializer_class = RelationshipSerializer

    class FilterSerializer(serializers.Serializer):
        entity = serializers.IntegerField(required=False, min_value=1, help_text="Either end is this entity")
        name = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")
        current = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[OpenApiParameter("entity", int), OpenApiParameter("name", str), OpenApiParameter("current", bool)],
        responses=RelationshipSerializer(many=True),
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        relationships = selectors.relationships_of(
            project,
            entity_id=filters.validated_data.get("entity"),
            name=filters.validated_data["name"].strip(),
            current=filters.validated_data["current"],
        )
        page = self.paginate_queryset(relationships)
        return self.get_paginated_response(RelationshipSerializer(page, many=True).data)


class CommunityListApi(generics.GenericAPIView):
    serializer_class = CommunitySerializer

    @extend_schema(responses=CommunitySerializer(many=True))
    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        page = self.paginate_queryset(selectors.communities_of(project))
        members = selectors.top_members([c.id for c in page], limit=selectors.MEMBERS_SHOWN)
        return self.get_paginated_response(CommunitySerializer(page, many=True, context={"members": members}).data)


class CommunityRebuildApi(generics.GenericAPIView):
    serializer_class = TaskStartedSerializer

    @extend_schema(
        request=None,
        responses={
            202: TaskStartedSerializer,
            409: OpenApiResponse(description="A rebuild is already pending or running; `task_id` names it."),
        },
    )
    def post(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.EDIT)
        return job_start_from_api(lambda: rebuild_request(project=project, by=request.user))
