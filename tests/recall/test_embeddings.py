"""The embedding backends: WordLlama offline, and an OpenAI-compatible endpoint over real sockets."""

from __future__ import annotations

import numpy as np
import pytest

from apps.recall.embeddings import EmbeddingError, OpenAIEmbedder, WordLlamaEmbedder
from tests.graph.fake_llm import Reply


def vectors_for(request: dict, dimension: int = 3) -> Reply:
    """One vector per input, unnormalised, in shuffled order (the client must sort by index)."""
    data = [{"index": i, "embedding": [float(i + 1)] * dimension} for i in range(len(request["input"]))]
    return Reply(body={"data": list(reversed(data)), "model": request["model"]})


def test_wordllama_loads_from_its_package_and_puts_alike_texts_close():
    embedder = WordLlamaEmbedder()
    matrix = embedder.embed(["a bakery selling bread", "a shop for pastries", "a football match"])
    assert matrix.shape == (3, 256) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)
    assert matrix[0] @ matrix[1] > matrix[0] @ matrix[2]


def test_openai_batches_keeps_order_and_normalises(fake_llm):
    fake = None

    def script(n: int) -> Reply:
        return vectors_for(fake.requests[n])

    fake = fake_llm(script)
    embedder = OpenAIEmbedder(fake.base_url, "text-embedding-3-small", "sk-test", batch_size=4, max_concurrency=2)
    matrix = embedder.embed([f"text {i}" for i in range(10)])
    assert sorted(len(r["input"]) for r in fake.requests) == [
        2,
        4,
        4,
    ]
    assert all(r["path"] == "/v1/embeddings" and r["model"] == "text-embedding-3-small" for r in fake.requests)
    assert fake.headers[0]["Authorization"] == "Bearer sk-test"
    assert matrix.shape == (10, 3) and embedder.dimension == 3
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1)
    assert fake.max_in_flight <= 2


def test_openai_retries_429_and_5xx_with_backoff_then_succeeds(fake_llm):
    fake = None

    def script(n: int) -> Reply:
        if n == 0:
            return Reply(status=429, body={"error": "slow down"}, headers={"Retry-After": "0"})
        if n == 1:
            return Reply(status=503, body={"error": "busy"})
        return vectors_for(fake.requests[n])

    fake = fake_llm(script)
    embedder = OpenAIEmbedder(fake.base_url, "m", backoff_base=0.01)
    assert embedder.embed(["one", "two"]).shape == (2, 3)
    assert fake.count == 3


def test_openai_gives_up_with_a_message_after_its_retries(fake_llm):
    fake = fake_llm(lambda n: Reply(status=500, body={"error": "down"}))
    embedder = OpenAIEmbedder(fake.base_url, "m", max_retries=2, backoff_base=0.01)
    with pytest.raises(EmbeddingError, match="failed 3 attempts; the last one answered 500"):
        embedder.embed(["x"])
    assert fake.count == 3


def test_openai_does_not_retry_a_rejected_request(fake_llm):
    fake = fake_llm(lambda n: Reply(status=401, body={"error": "bad key"}))
    with pytest.raises(EmbeddingError, match="rejected the request: 401.*EMBEDDINGS_API_KEY"):
        OpenAIEmbedder(fake.base_url, "m").embed(["x"])
    assert fake.count == 1


def test_openai_times_out_within_its_budget(fake_llm):
    fake = fake_llm(lambda n: Reply(delay=5, body={"data": []}))
    embedder = OpenAIEmbedder(fake.base_url, "m", timeout=0.5)
    with pytest.raises(EmbeddingError, match=r"timed out after 0.5 s \(EMBEDDINGS_TIMEOUT_SECONDS\)"):
        embedder.embed(["x"])


def test_openai_says_when_the_endpoint_is_unreachable(closed_port_url):
    embedder = OpenAIEmbedder(closed_port_url, "m", max_retries=1, backoff_base=0.01)
    with pytest.raises(EmbeddingError, match="unreachable"):
        embedder.embed(["x"])


def test_openai_refuses_an_answer_with_the_wrong_count(fake_llm):
    fake = fake_llm(lambda n: Reply(body={"data": [{"index": 0, "embedding": [1.0, 0.0]}]}))
    with pytest.raises(EmbeddingError, match="answered 1 vectors for 2 texts"):
        OpenAIEmbedder(fake.base_url, "m").embed(["a", "b"])
