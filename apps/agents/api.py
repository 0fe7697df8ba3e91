"""Managing a project's API keys over the API (owners, or whoever the access rules let manage the project)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents import selectors, services
from apps.agents.models import ProjectAPIKey
from apps.projects.access import Action, Scope, get_project_for_user


class KeyOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = ProjectAPIKey
        fields = ["id", "name", "scope", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]


class KeyCreatedSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text="The secret: shown this once, never again.")

    class Meta:
        model = ProjectAPIKey
        fields = ["id", "name", "scope", "prefix", "key"]


class KeyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=Scope.choices)


class KeyListCreateApi(generics.GenericAPIView):
    serializer_class = KeyOutputSerializer

    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.MANAGE)
        page = self.paginate_queryset(selectors.keys_of(project))
        return self.get_paginated_response(KeyOutputSerializer(page, many=True).data)

    @extend_schema(request=KeyInputSerializer, responses={201: KeyCreatedSerializer})
    def post(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.MANAGE)
        data = KeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            key, secret = services.key_create(project=project, created_by=request.user, **data.validated_data)
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from None
        key.key = secret
        return Response(KeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)


class KeyRevokeApi(generics.GenericAPIView):
    serializer_class = KeyOutputSerializer

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: UUID, key_id: int) -> Response:
        project = get_project_for_user(request.user, project_id, Action.MANAGE)
        key = selectors.key_of_project(project, key_id)
        if key is None:
            raise Http404("No such key in this project.")
        services.key_revoke(key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
