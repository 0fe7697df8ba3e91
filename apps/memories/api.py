from __future__ import annotations

from uuid import UUID

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.pagination import KeysetPagination
from apps.memories import selectors, services
from apps.memories.models import Memory
from apps.memories.validation import InvalidMemoryFields, MemoryInput, validate_memory_fields
from apps.projects.access import Action, get_project_for_user, key_of
from apps.tasks.models import Status


class EntityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(source="entity_type.name")


class MemoryOutputSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)
    task_id = serializers.UUIDField(source="current_task_id", read_only=True)

    class Meta:
        model = Memory
        fields = [
            "id",
            "project_id",
            "title",
            "content",
            "content_type",
            "tags",
            "source_description",
            "metadata",
            "valid_at",
            "processing_status",
            "task_id",
            "created_at",
            "updated_at",
        ]


class MemoryDetailOutputSerializer(MemoryOutputSerializer):
    entities = serializers.SerializerMethodField()

    class Meta(MemoryOutputSerializer.Meta):
        fields = MemoryOutputSerializer.Meta.fields + ["entities"]

    @extend_schema(responses=EntityRefSerializer(many=True))
    def get_entities(self, memory: Memory) -> list[dict]:
        return EntityRefSerializer(selectors.memory_entities(memory), many=True).data


# The fields' rules are apps/memories/validation.py's: the import checks its items by them too.
class MemoryCreateSerializer(MemoryInput):
    project_id = serializers.UUIDField()


def _duplicate_response(duplicate: services.DuplicateMemory) -> Response:
    return Response(
        {"detail": str(duplicate), "code": "duplicate", "existing_id": str(duplicate.existing.id)},
        status=status.HTTP_409_CONFLICT,
    )


def _as_api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class MemoryFilter(django_filters.FilterSet):
    project_id = django_filters.UUIDFilter(method="filter_project", help_text="Only this project's memories.")
    status = django_filters.ChoiceFilter(field_name="processing_status", choices=Status.choices)

    class Meta:
        model = Memory
        fields = ["project_id", "status"]

    def filter_project(self, memories: QuerySet[Memory], name: str, project_id: UUID) -> QuerySet[Memory]:
        # A project the user is not a member of answers 404, as everywhere else.
        return memories.filter(project=get_project_for_user(self.request.user, project_id))


class MemoryListCreateApi(generics.GenericAPIView):
    serializer_class = MemoryOutputSerializer
    # Newest first, by cursor: `next`/`previous` links, no `count` (apps.core.pagination).
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemoryFilter

    def get_queryset(self) -> QuerySet[Memory]:
        return selectors.memories_for_user(self.request.user)

    # The filterset's parameters, documented; an operation id of its own (not the detail's).
    @extend_schema(operation_id="memories_list", filters=True, responses=MemoryOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(MemoryOutputSerializer(page, many=True).data)

    @extend_schema(request=MemoryCreateSerializer, responses={201: MemoryOutputSerializer})
    def post(self, request: Request) -> Response:
        data = MemoryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            project = get_project_for_user(request.user, fields.pop("project_id"), Action.EDIT)
        except Http404:
            raise ApiValidationError({"project_id": ["No project with this id that you are a member of."]}) from None
        except PermissionDenied:
            if key_of(request.user) is not None:
                raise  # the key's own reason (read-only)
            raise PermissionDenied("Viewers cannot add memories to this project.") from None
        try:
            memory = services.memory_create(project=project, author=request.user, **fields)
        except services.DuplicateMemory as duplicate:
            return _duplicate_response(duplicate)
        except ValidationError as exc:
            raise _as_api_error(exc) from None
        return Response(MemoryOutputSerializer(memory).data, status=status.HTTP_201_CREATED)


class MemoryDetailApi(generics.GenericAPIView):
    serializer_class = MemoryDetailOutputSerializer

    def _get(self, request: Request, memory_id: UUID, action: Action) -> Memory:
        return selectors.get_memory_for_user(request.user, memory_id, action)

    def get(self, request: Request, memory_id: UUID) -> Response:
        return Response(MemoryDetailOutputSerializer(self._get(request, memory_id, Action.VIEW)).data)

    @extend_schema(request=MemoryInput, responses=MemoryDetailOutputSerializer)
    def patch(self, request: Request, memory_id: UUID) -> Response:
        memory = self._get(request, memory_id, Action.EDIT)
        try:
            fields = validate_memory_fields(request.data, partial=True)
        except InvalidMemoryFields as invalid:
            raise ApiValidationError(invalid.errors) from None
        try:
            services.memory_update(memory=memory, by=request.user, **fields)
        except services.DuplicateMemory as duplicate:
            return _duplicate_response(duplicate)
        except services.ConcurrentEdit as exc:
            return Response({"detail": str(exc), "code": "conflict"}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            raise _as_api_error(exc) from None
        return Response(MemoryDetailOutputSerializer(memory).data)

    def delete(self, request: Request, memory_id: UUID) -> Response:
        """Move the memory to its project's trash: from now on it is 404 here and absent from every
        list and search, its graph support withdrawn. The pages restore it, for MEMORY_TRASH_DAYS."""
        services.memory_trash(memory=self._get(request, memory_id, Action.EDIT), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
