"""GET /api/v1/projects/<project_id>/search/ and POST .../recall/reindex/."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.graph.api.serializers import RelationshipSerializer
from apps.projects.access import Action, get_project_for_user
from apps.recall.forms import SearchForm
from apps.recall.search import search
from apps.recall.services import reindex_request
from apps.tasks.jobs import job_start_from_api


class _MemoryRef(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    valid_at = serializers.DateTimeField()
    content_type = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())


class _Highlight(serializers.Serializer):
    start = serializers.IntegerField(help_text="Offset in the snippet")
    end = serializers.IntegerField()
    text = serializers.CharField()


class _Result(serializers.Serializer):
    memory = _MemoryRef()
    snippet = serializers.CharField()
    highlights = _Highlight(many=True)
    score = serializers.FloatField(help_text="Reciprocal rank fusion score; higher is better")
    retrievers = serializers.ListField(child=serializers.ChoiceField(["lexical", "dense", "graph", "time"]))


class _Entity(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(source="entity_type.name")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(source="query.q")
    took_ms = serializers.FloatField()
    results = _Result(many=True)
    facts = RelationshipSerializer(many=True)
    entities = _Entity(many=True)


class SearchApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="The question or words to find"),
            OpenApiParameter("limit", int, description="1..50, default 10"),
            OpenApiParameter("as_of", str, description="ISO datetime: facts valid then, memories dated no later"),
            OpenApiParameter("from", str, description="ISO datetime: memories dated from"),
            OpenApiParameter("to", str, description="ISO datetime: memories dated until"),
            OpenApiParameter("tags", str, description="Comma-separated tags, all required"),
        ],
        responses={200: SearchResultSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        result = search(project=project, query=form.query())
        return Response(SearchResultSerializer(result).data)


class ReindexApi(APIView):
    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(description="{task_id}"),
            409: OpenApiResponse(description="A reindex is already pending or running; `task_id` names it."),
        },
    )
    def post(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.EDIT)
        return job_start_from_api(lambda: reindex_request(project=project, by=request.user))
