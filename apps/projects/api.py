from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.projects import selectors, services
from apps.projects.access import Action, check_not_key, get_project_for_user
from apps.projects.models import Project


class ProjectOutputSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="user_role", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "name", "description", "role", "created_at", "updated_at"]


class ProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectListCreateApi(generics.GenericAPIView):
    serializer_class = ProjectOutputSerializer

    def get_queryset(self):
        return selectors.projects_for_user(self.request.user)

    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProjectOutputSerializer(page, many=True).data)

    @extend_schema(request=ProjectInputSerializer, responses={201: ProjectOutputSerializer})
    def post(self, request: Request) -> Response:
        check_not_key(request.user, "create projects")
        data = ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(owner=request.user, **data.validated_data)
        project.user_role = "owner"
        return Response(ProjectOutputSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(generics.GenericAPIView):
    serializer_class = ProjectOutputSerializer

    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        return Response(ProjectOutputSerializer(project).data)

    @extend_schema(request=ProjectInputSerializer, responses=ProjectOutputSerializer)
    def patch(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.MANAGE)
        data = ProjectInputSerializer(instance=project, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {"name": project.name, "description": project.description, **data.validated_data}
        services.project_update(project=project, **fields)
        return Response(ProjectOutputSerializer(project).data)

    def delete(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.MANAGE)
        project.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
