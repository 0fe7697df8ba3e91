"""Sending an export's file, for the page and the API alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from apps.memories.exports.selectors import ExportFile

CHUNK = 256 * 1024


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    # Read on a thread, a chunk at a time: under ASGI Django would read a
    # plain (sync) file response whole into memory before sending it.
    file = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk
    finally:
        file.close()


def file_response(export: ExportFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_chunks(export.path), content_type=export.content_type)
    response["Content-Length"] = str(export.size)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
