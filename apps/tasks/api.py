from __future__ import annotations

from uuid import UUID

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.pagination import KeysetPagination
from apps.projects.access import Action
from apps.tasks import selectors, services
from apps.tasks.eta import estimate_eta
from apps.tasks.models import Status, TaskLog, TaskStage


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskStage
        fields = ["progress", "message", "at"]


class TaskOutputSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)
    parent_id = serializers.UUIDField(read_only=True)
    retry_of_id = serializers.UUIDField(read_only=True)
    subject = serializers.SerializerMethodField()

    class Meta:
        model = TaskLog
        fields = [
            "id",
            "project_id",
            "task_type",
            "status",
            "progress",
            "message",
            "payload",
            "result",
            "error",
            "created_at",
            "updated_at",
            "started_at",
            "completed_at",
            "heartbeat_at",
            "attempts",
            "parent_id",
            "retry_of_id",
            "subject",
        ]

    def get_subject(self, task: TaskLog) -> dict | None:
        if not task.subject_type:
            return None
        return {"type": task.subject_type, "id": task.subject_id, "label": task.subject_label}


class TaskDetailOutputSerializer(TaskOutputSerializer):
    stages = StageSerializer(many=True, read_only=True)
    eta_seconds = serializers.SerializerMethodField()

    class Meta(TaskOutputSerializer.Meta):
        fields = TaskOutputSerializer.Meta.fields + ["eta_seconds", "stages"]

    def get_eta_seconds(self, task: TaskLog) -> int | None:
        return estimate_eta(task)


class TaskFilter(django_filters.FilterSet):
    project = django_filters.UUIDFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    type = django_filters.CharFilter(field_name="task_type", max_length=40)

    class Meta:
        model = TaskLog
        fields = ["project", "status", "type"]


class TaskListApi(generics.GenericAPIView):
    serializer_class = TaskOutputSerializer
    # Newest first, by cursor: `next`/`previous` links, no `count` (apps.core.pagination).
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = TaskFilter

    def get_queryset(self) -> QuerySet[TaskLog]:
        return selectors.tasks_for_user(self.request.user)

    # The filterset's parameters, documented; an operation id of its own (not the detail's).
    @extend_schema(operation_id="tasks_list", filters=True, responses=TaskOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TaskOutputSerializer(page, many=True).data)


class TaskDetailApi(generics.GenericAPIView):
    serializer_class = TaskDetailOutputSerializer

    def get(self, request: Request, task_id: UUID) -> Response:
        task = selectors.get_task_for_user(request.user, task_id)
        return Response(TaskDetailOutputSerializer(task).data)


class TaskRetryApi(generics.GenericAPIView):
    serializer_class = TaskOutputSerializer

    @extend_schema(request=None, responses={201: TaskOutputSerializer, 409: None})
    def post(self, request: Request, task_id: UUID) -> Response:
        task = selectors.get_task_for_user(request.user, task_id, Action.EDIT)
        try:
            attempt = services.task_retry(task, by=request.user)
        except services.RetryRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(TaskOutputSerializer(attempt).data, status=status.HTTP_201_CREATED)


class TaskCancelApi(generics.GenericAPIView):
    serializer_class = TaskOutputSerializer

    @extend_schema(request=None, responses={202: TaskOutputSerializer, 409: None})
    def post(self, request: Request, task_id: UUID) -> Response:
        task = selectors.get_task_for_user(request.user, task_id, Action.EDIT)
        if not services.task_request_cancel(task):
            return Response(
                {"detail": f"This task is already {task.status}; there is nothing to cancel."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(TaskOutputSerializer(task).data, status=status.HTTP_202_ACCEPTED)
