"""A project's schema over the API: entity types and edge types, listed, added, changed, deleted.

The input serializers check the shape of a request, the same forms as the
schema page the name's format, and the same services write (and apply the
rules on uniqueness and built-in names), so a page and a script are told the
same thing.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import Form
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.graph import selectors
from apps.graph import services as graph
from apps.graph.api.serializers import (
    EdgeTypeInputSerializer,
    EdgeTypeSerializer,
    EntityTypeInputSerializer,
    EntityTypeSerializer,
)
from apps.graph.forms import EdgeTypeForm, EntityTypeForm
from apps.graph.models import EdgeType, EntityType
from apps.projects.access import Action, get_project_for_user
from apps.projects.models import Project


def _form_errors(form: Form) -> ValidationError:
    return ValidationError(
        {("non_field_errors" if name == "__all__" else name): messages for name, messages in form.errors.items()}
    )


class _SchemaTypeApi(generics.GenericAPIView):
    """What differs between the two kinds of type; subclasses fill it in."""

    model: type[EntityType] | type[EdgeType]
    form_class: type[EntityTypeForm] | type[EdgeTypeForm]
    input_serializer: type[serializers.Serializer]
    output_serializer: type[serializers.ModelSerializer]

    def listed(self, project: Project):
        raise NotImplementedError

    def context(self, project: Project) -> dict:
        return {}

    def output(self, project: Project, schema_type) -> dict:
        annotated = self.listed(project).get(pk=schema_type.pk)
        return self.output_serializer(annotated, context=self.context(project)).data

    def create(self, project: Project, data: dict):
        raise NotImplementedError

    def update(self, schema_type, data: dict):
        raise NotImplementedError

    def delete_type(self, schema_type) -> None:
        raise NotImplementedError

    def write(self, data: dict, save):
        """Check `data` with the page's form, then `save(cleaned data)` through a service."""
        form = self.form_class(data=data)
        if not form.is_valid():
            raise _form_errors(form)
        try:
            return save(form.cleaned_data)
        except DjangoValidationError as refused:
            form.add_error(None, refused)
            raise _form_errors(form) from None


class _SchemaTypeListApi(_SchemaTypeApi):
    def get(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        page = self.paginate_queryset(self.listed(project))
        data = self.output_serializer(page, many=True, context=self.context(project)).data
        return self.get_paginated_response(data)

    def post(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id, Action.EDIT)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = self.write(dict(data.validated_data), lambda cleaned: self.create(project, cleaned))
        return Response(self.output(project, created), status=status.HTTP_201_CREATED)


class _SchemaTypeDetailApi(_SchemaTypeApi):
    def _get(self, request: Request, project_id: UUID, type_id: int, action: Action):
        project = get_project_for_user(request.user, project_id, action)
        schema_type = self.model.objects.filter(project=project, pk=type_id).first()
        if schema_type is None:
            raise Http404(f"No such {self.model._meta.verbose_name}.")
        return project, schema_type

    def get(self, request: Request, project_id: UUID, type_id: int) -> Response:
        project, schema_type = self._get(request, project_id, type_id, Action.VIEW)
        return Response(self.output(project, schema_type))

    def patch(self, request: Request, project_id: UUID, type_id: int) -> Response:
        project, schema_type = self._get(request, project_id, type_id, Action.EDIT)
        data = self.input_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        current = {name: getattr(schema_type, name) for name in self.input_serializer().fields}
        saved = self.write({**current, **data.validated_data}, lambda cleaned: self.update(schema_type, cleaned))
        return Response(self.output(project, saved))

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="The type is in use or built in.")})
    def delete(self, request: Request, project_id: UUID, type_id: int) -> Response:
        _, schema_type = self._get(request, project_id, type_id, Action.EDIT)
        try:
            self.delete_type(schema_type)
        except graph.TypeInUse as refused:
            return Response({"detail": str(refused), "code": "in_use"}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _EntityTypes:
    model = EntityType
    form_class = EntityTypeForm
    input_serializer = EntityTypeInputSerializer
    output_serializer = EntityTypeSerializer
    serializer_class = EntityTypeSerializer

    def listed(self, project: Project):
        return selectors.entity_types_of(project)

    def create(self, project: Project, data: dict) -> EntityType:
        return graph.entity_type_create(project=project, **data)

    def update(self, schema_type: EntityType, data: dict) -> EntityType:
        return graph.entity_type_update(entity_type=schema_type, **data)

    def delete_type(self, schema_type: EntityType) -> None:
        graph.entity_type_delete(entity_type=schema_type)


class _EdgeTypes:
    model = EdgeType
    form_class = EdgeTypeForm
    input_serializer = EdgeTypeInputSerializer
    output_serializer = EdgeTypeSerializer
    serializer_class = EdgeTypeSerializer

    def listed(self, project: Project):
        return selectors.edge_types_of(project)

    def create(self, project: Project, data: dict) -> EdgeType:
        return graph.edge_type_create(project=project, **data)

    def update(self, schema_type: EdgeType, data: dict) -> EdgeType:
        return graph.edge_type_update(edge_type=schema_type, **data)

    def delete_type(self, schema_type: EdgeType) -> None:
        graph.edge_type_delete(edge_type=schema_type)

    def context(self, project: Project) -> dict:
        return {"triples": selectors.edge_type_triples(project)}


def _documented(list_api: type, detail_api: type, input_serializer: type, output_serializer: type) -> None:
    extend_schema_view(
        get=extend_schema(responses=output_serializer(many=True)),
        post=extend_schema(request=input_serializer, responses={201: output_serializer}),
    )(list_api)
    extend_schema_view(patch=extend_schema(request=input_serializer, responses=output_serializer))(detail_api)


class EntityTypeListApi(_EntityTypes, _SchemaTypeListApi):
    pass


class EntityTypeDetailApi(_EntityTypes, _SchemaTypeDetailApi):
    pass


class EdgeTypeListApi(_EdgeTypes, _SchemaTypeListApi):
    pass


class EdgeTypeDetailApi(_EdgeTypes, _SchemaTypeDetailApi):
    pass


_documented(EntityTypeListApi, EntityTypeDetailApi, EntityTypeInputSerializer, EntityTypeSerializer)
_documented(EdgeTypeListApi, EdgeTypeDetailApi, EdgeTypeInputSerializer, EdgeTypeSerializer)
