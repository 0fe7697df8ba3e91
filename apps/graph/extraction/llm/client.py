"""An extractor for any OpenAI-compatible Chat Completions endpoint (OpenAI, Ollama, vLLM, LiteLLM).

Failure behaviour, since this is what users see when their endpoint misbehaves:

* 429 and 5xx answers and connection errors are retried, up to `max_retries`
  times after the first attempt, with exponential backoff and jitter; a
  Retry-After header is honoured, up to `retry_after_max` seconds.
* `timeout` bounds one whole call — every attempt and every wait between
  attempts — not just one socket read. Time spent queueing for a concurrency
  slot is not counted: it measures this process, not the endpoint.
* At most `max_concurrency` requests to one endpoint are in flight at once
  across the threads of this process (a module-level semaphore per endpoint).
  Separate worker processes each have their own limit.
* Every failure raises ExtractionError naming the endpoint and what to check.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

import httpx

from apps.graph.extraction.llm.answers import (
    community_messages,
    extraction_messages,
    load_json_object,
    parse_community,
    parse_extraction,
)
from apps.graph.extraction.types import CONTENT_TYPES, Extraction, ExtractionError, SchemaSpec

_MAX_ANSWER_BYTES = 8 * 1024 * 1024  # far beyond any real answer; stops a runaway stream

_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()
_jitter = random.Random()


def _slots_for(base_url: str, limit: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault((base_url, limit), threading.BoundedSemaphore(limit))


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._at - time.monotonic()

    def extend(self, seconds: float) -> None:
        self._at += seconds


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Failure:
    """Why an attempt failed, kept to explain the final error."""

    status: int | None = None
    error: Exception | None = None
    retry_after: float | None = None

    def describe(self) -> str:
        if self.status is not None:
            return f"answered {self.status} {_phrase(self.status)}"
        if isinstance(self.error, httpx.ConnectError):
            return f"unreachable: {self.error}"
        return f"dropped the connection: {self.error}"


class LLMExtractor:
    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        model: str = "llama3.1",
        timeout: float = 60.0,
        max_retries: int = 4,
        max_concurrency: int = 4,
        *,
        backoff_base: float = 1.0,
        backoff_max: float = 20.0,
        retry_after_max: float = 60.0,
    ) -> None:
        # The values come validated from settings (memstack/settings.py); tests pass their own.
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_concurrency = max_concurrency
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers)
        self._endpoint = f"LLM endpoint {self.base_url}"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LLMExtractor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def extract(self, text: str, *, content_type: str, schema: SchemaSpec) -> Extraction:
        if content_type not in CONTENT_TYPES:
            raise ExtractionError(f"Unknown content type {content_type!r}; expected one of {', '.join(CONTENT_TYPES)}.")
        answer = self._complete(extraction_messages(text, content_type, schema))
        return parse_extraction(answer, self._endpoint, schema)

    def summarize_community(self, member_names: Sequence[str], facts: Sequence[str]) -> tuple[str, str]:
        """A (name, summary) for a community, written by the model from its members and facts."""
        return parse_community(self._complete(community_messages(list(member_names), facts)), self._endpoint)

    # --- one chat completion, with retries -----------------------------------------------

    def _complete(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        body = {
            "model": self.model,
            "messages": messages,
            "response_format": {"type": "json_object"},
            "temperature": 0,
        }
        deadline = _Deadline(self.timeout)
        failures: list[_Failure] = []
        while True:
            outcome = self._attempt(body, deadline)
            if isinstance(outcome, _Reply):
                return self._answer(outcome)
            failure = outcome
            failures.append(failure)
            if len(failures) > self.max_retries:
                raise self._gave_up(failures)
            delay = self._delay(len(failures), failure)
            if delay >= deadline.remaining():
                raise self._timed_out(f"; the last attempt {failure.describe()}")
            time.sleep(delay)

    def _attempt(self, body: dict[str, Any], deadline: _Deadline) -> _Reply | _Failure:
        """One POST: the reply if it succeeded, else why not. Raises when retrying is pointless."""
        slots = _slots_for(self.base_url, self.max_concurrency)
        queued_at = time.monotonic()
        with slots:
            deadline.extend(time.monotonic() - queued_at)
            try:
                reply = self._post(body, deadline)
            except httpx.TimeoutException:
                raise self._timed_out("") from None
            except httpx.TransportError as error:
                return _Failure(error=error)
        if 200 <= reply.status < 300:
            return reply
        if reply.status == 429 or reply.status >= 500:
            return _Failure(status=reply.status, retry_after=_retry_after(reply.headers))
        raise self._rejected(reply)

    def _post(self, body: dict[str, Any], deadline: _Deadline) -> _Reply:
        """POST and read the whole answer within the deadline (httpx's own timeouts are per read)."""
        url = f"{self.base_url}/chat/completions"
        with self._client.stream("POST", url, json=body, timeout=_timeout(deadline)) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if deadline.remaining() <= 0:
                    raise httpx.ReadTimeout("deadline passed while reading the answer")
                if size > _MAX_ANSWER_BYTES:
                    raise ExtractionError(f"{self._endpoint} sent an answer larger than {_MAX_ANSWER_BYTES} bytes.")
                chunks.append(chunk)
            return _Reply(response.status_code, response.headers, b"".join(chunks))

    def _answer(self, reply: _Reply) -> dict[str, Any]:
        try:
            envelope = json.loads(reply.body)
        except ValueError as error:
            raise ExtractionError(
                f"{self._endpoint} returned invalid JSON: {error}; the answer began {reply.text[:120]!r}."
            ) from None
        try:
            choice = envelope["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ExtractionError(
                f"{self._endpoint} returned an unexpected response (no choices[0].message.content); "
                "is LLM_BASE_URL an OpenAI-compatible /v1 endpoint?"
            ) from None
        if not isinstance(content, str):
            raise ExtractionError(f"{self._endpoint} returned an empty answer.")
        return load_json_object(content, self._endpoint, truncated=choice.get("finish_reason") == "length")

    def _delay(self, failed_attempts: int, failure: _Failure) -> float:
        if failure.retry_after is not None:
            return min(failure.retry_after, self.retry_after_max)
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (failed_attempts - 1))
        return backoff / 2 + _jitter.uniform(0, backoff / 2)  # jitter keeps workers from retrying in step

    # --- errors a user can act on ----------------------------------------------------------

    def _gave_up(self, failures: list[_Failure]) -> ExtractionError:
        last = failures[-1]
        attempts = len(failures)
        if all(f.status is None for f in failures):
            return ExtractionError(
                f"{self._endpoint} {last.describe()} ({attempts} attempts). "
                "Check LLM_BASE_URL and that the server is running."
            )
        if all(f.status == last.status for f in failures):
            advice = (
                "try again later or lower LLM_MAX_CONCURRENCY"
                if last.status == 429
                else "the server is failing; try again later"
            )
            return ExtractionError(f"{self._endpoint} {last.describe()} {attempts} times in a row; {advice}.")
        return ExtractionError(f"{self._endpoint} failed {attempts} attempts; the last one {last.describe()}.")

    def _timed_out(self, detail: str) -> ExtractionError:
        return ExtractionError(
            f"{self._endpoint} timed out after {self.timeout:g} s (LLM_TIMEOUT_SECONDS){detail}. "
            "The model may be overloaded, or the memory too long for it."
        )

    def _rejected(self, reply: _Reply) -> ExtractionError:
        advice = {
            401: "Check LLM_API_KEY.",
            403: "Check LLM_API_KEY and the model's access rights.",
            404: "Check LLM_BASE_URL (it usually ends in /v1) and LLM_MODEL.",
        }.get(reply.status, "Check LLM_MODEL and the server's logs.")
        detail = " ".join(reply.text.split())[:200]
        return ExtractionError(
            f"{self._endpoint} rejected the request: {reply.status} {_phrase(reply.status)}"
            f"{': ' + detail if detail else ''}. {advice}"
        )


def _timeout(deadline: _Deadline) -> httpx.Timeout:
    remaining = deadline.remaining()
    if remaining <= 0:
        raise httpx.ConnectTimeout("no time left")
    return httpx.Timeout(remaining)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
