"""POST /api/v1/projects/<project_id>/export/ and GET .../export/<task_id>/download/."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.memories.exports import selectors
from apps.memories.exports.download import file_response
from apps.memories.exports.formats import FORMATS
from apps.memories.exports.services import export_request
from apps.projects.access import get_project_for_user
from apps.tasks.jobs import job_start_from_api


class ExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=[(name, chosen.label) for name, chosen in FORMATS.items()],
        help_text="jsonl: JSON Lines the batch import reads back; markdown: a zip of one Markdown file per memory.",
    )


class ExportStartedSerializer(serializers.Serializer):
    task_id = serializers.UUIDField()
    task_url = serializers.CharField()
    stream_url = serializers.CharField()
    download_url = serializers.CharField(help_text="The file, once the task has completed.")


class ExportApi(APIView):
    @extend_schema(
        request=ExportInputSerializer,
        responses={
            202: ExportStartedSerializer,
            400: OpenApiResponse(description="Field errors"),
            409: OpenApiResponse(
                description="An export in this format is already pending or running; `task_id` names it."
            ),
        },
    )
    def post(self, request: Request, project_id: UUID) -> Response:
        project = get_project_for_user(request.user, project_id)
        data = ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return job_start_from_api(
            lambda: export_request(project=project, by=request.user, format=data.validated_data["format"]),
            started=lambda task: (
                ExportStartedSerializer(
                    {
                        "task_id": task.id,
                        "task_url": reverse("api:task-detail", args=[task.id]),
                        "stream_url": reverse("api:task-stream", args=[task.id]),
                        "download_url": reverse("api:project-export-download", args=[project.id, task.id]),
                    }
                ).data
            ),
        )


class _AnyAccept(BaseContentNegotiation):
    """The file is what it is, whatever the client accepts; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportDownloadApi(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, by its format"),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, by its format"),
            404: OpenApiResponse(description="No such export in a project of yours."),
            409: OpenApiResponse(description="The export is still pending or running."),
            410: OpenApiResponse(description="The export failed or was cancelled, or its file expired."),
        },
    )
    def get(self, request: Request, project_id: UUID, task_id: UUID) -> HttpResponse:
        task = selectors.get_export_for_user(request.user, project_id, task_id)
        try:
            export = selectors.export_file(task)
        except selectors.ExportNotReady as not_ready:
            code = status.HTTP_410_GONE if not_ready.gone else status.HTTP_409_CONFLICT
            return Response({"detail": str(not_ready), "status": task.status}, status=code)
        return file_response(export)
