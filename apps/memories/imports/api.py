"""POST /api/v1/memories/import/: start a batch import."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFilesSent
from django.http import Http404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import JSONParser
from apps.memories.imports import parsing, selectors
from apps.memories.imports.services import import_result_url, import_start
from apps.memories.models import ImportItem, ImportOutcome
from apps.projects.access import Action, get_project_for_user

# JSON escaping can double the size of pasted content (every newline becomes
# "\n"); anything beyond that is refused before the body is read at all.
ENVELOPE_BYTES = 1024 * 1024


class StreamedJSONParser(BaseParser):
    """JSON read from the request stream.

    DRF's JSONParser reads `request.body`, which Django caps at
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default, a limit meant for forms).
    This endpoint bounds the body itself, from Content-Length, before it is
    read (MemoryImportApi.post), so an import may be as big as IMPORT_MAX_BYTES.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return JSONParser().parse(stream, media_type, parser_context)


class ImportInputSerializer(serializers.Serializer):
    project_id = serializers.UUIDField()
    format = serializers.ChoiceField(
        choices=list(parsing.FORMATS.items()), required=False,
        help_text="jsonl, csv or json for `content`; left out: from the file names, or how the content starts.",
    )  # fmt: skip
    content = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    items = serializers.ListField(child=serializers.JSONField(), required=False, help_text="A JSON array of memories.")
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False,
        help_text="Multipart: one JSONL, CSV or JSON file, or any number of text and Markdown files.",
    )  # fmt: skip


class ImportStartedSerializer(serializers.Serializer):
    task_id = serializers.UUIDField()
    items = serializers.IntegerField(help_text="Items read, malformed ones included; each gets an outcome.")
    stream_url = serializers.CharField()
    task_url = serializers.CharField()
    result_url = serializers.CharField()
    items_url = serializers.CharField(help_text="Each item's outcome, page by page, once the import has read it.")


class MemoryImportApi(generics.GenericAPIView):
    serializer_class = ImportInputSerializer
    parser_classes = [StreamedJSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ImportInputSerializer, responses={202: ImportStartedSerializer})
    def post(self, request: Request) -> Response:
        body_size = int(request.META.get("CONTENT_LENGTH") or 0)
        if body_size > 2 * parsing.max_bytes() + ENVELOPE_BYTES:
            raise ApiValidationError({"non_field_errors": [parsing.size_refusal(body_size)]})
        data = ImportInputSerializer(data=_request_data(request))
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            project = get_project_for_user(request.user, fields["project_id"], Action.EDIT)
        except Http404:
            raise ApiValidationError({"project_id": ["No project with this id that you are a member of."]}) from None
        except PermissionDenied:
            raise PermissionDenied("Viewers cannot import memories into this project.") from None

        given = [name for name in ("content", "items", "file") if name in fields]
        if len(given) != 1:
            message = "Send the import as content (with its format), as items, or as file: exactly one."
            raise ApiValidationError({"non_field_errors": [message]})
        source = given[0]
        try:
            if source == "file":
                parsed = parsing.read_import(format=fields.get("format"), files=parsing.read_uploads(fields["file"]))
            elif source == "items":
                parsed = parsing.read_import(format=fields.get("format"), items=fields["items"])
            else:
                parsed = parsing.read_import(format=fields.get("format"), text=fields["content"], name="API upload")
        except parsing.ImportRefused as refused:
            raise ApiValidationError({source: [str(refused)]}) from None

        task = import_start(project=project, author=request.user, parsed=parsed)
        started = {
            "task_id": task.id,
            "items": parsed.size,
            "stream_url": reverse("api:task-stream", args=[task.id]),
            "task_url": reverse("api:task-detail", args=[task.id]),
            "result_url": import_result_url(task),
            "items_url": reverse("api:memory-import-items", args=[task.id]),
        }
        return Response(ImportStartedSerializer(started).data, status=status.HTTP_202_ACCEPTED)


class ImportItemOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(source="outcome", choices=ImportOutcome.choices)
    memory_id = serializers.UUIDField(allow_null=True, help_text="The memory created.")
    existing_id = serializers.UUIDField(
        source="existing_memory_id", allow_null=True, help_text="For a duplicate: the memory it repeats."
    )

    class Meta:
        model = ImportItem
        fields = ["line", "source", "title", "status", "reason", "memory_id", "existing_id"]


class ImportItemFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in ImportOutcome.choices if value != ImportOutcome.PENDING]
    )

    class Meta:
        model = ImportItem
        fields = ["outcome"]


class ImportItemListApi(generics.ListAPIView):
    """The outcome of each item the import has read, in the import's order."""

    serializer_class = ImportItemOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ImportItemFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no import to read
            return ImportItem.objects.none()
        return selectors.import_items(selectors.get_import_for_user(self.request.user, self.kwargs["task_id"]))


def _request_data(request: Request):
    """The parsed body; Django's own limits on form data answered as field errors, not a bare 400."""
    try:
        return request.data
    except RequestDataTooBig:
        limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / (1024 * 1024)
        message = f"Form fields are limited to {limit:,.1f} MB; send the import as JSON or as a file."
        raise ApiValidationError({"content": [message]}) from None
    except TooManyFilesSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        raise ApiValidationError({"file": [f"At most {limit:,} files per request; split the import."]}) from None
