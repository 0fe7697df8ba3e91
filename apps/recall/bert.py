"""A BERT encoder in numpy: sentence vectors from a small transformer without a deep-learning framework.

Written from the architecture as BERT's paper (Devlin et al., 2018) and the
Transformer's (Vaswani et al., 2017) describe it, for the checkpoint layout
that `BertModel` weights use in a safetensors file:

* input: the sum of a token's word, position and segment (type 0)
  embeddings, then layer normalisation;
* each layer (post-LN): multi-head self-attention (softmax(QKᵀ/√d)V per
  head, padded positions masked out), a dense projection, the residual and
  layer normalisation; then a feed-forward block (dense, GELU, dense), the
  residual and layer normalisation;
* a sentence vector: the mean of the last layer's token states over the
  attention mask (what sentence-transformers models such as
  all-MiniLM-L6-v2 were trained with), L2-normalised by the caller.

Inference only, float32. Verified against the reference implementation on
varied sentences (tests/recall/test_minilm.py holds the figures).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# A padded position's attention score: far below any real one, so softmax gives it (float32) zero.
MASKED = np.float32(-1e9)


@dataclass(frozen=True)
class BertConfig:
    hidden: int
    heads: int
    layers: int
    intermediate: int
    max_positions: int
    layer_norm_eps: float

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        raw = json.loads(path.read_text())
        if raw.get("hidden_act", "gelu") != "gelu" or raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path}: only BERT with GELU and absolute positions is supported")
        return cls(
            hidden=raw["hidden_size"],
            heads=raw["num_attention_heads"],
            layers=raw["num_hidden_layers"],
            intermediate=raw["intermediate_size"],
            max_positions=raw["max_position_embeddings"],
            layer_norm_eps=raw["layer_norm_eps"],
        )


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3·hidden): the query, key and value projections side by side, one matrix product
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    feed_in: np.ndarray
    feed_in_bias: np.ndarray
    feed_out: np.ndarray
    feed_out_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function (numpy has none), in place, by Abramowitz & Stegun's 7.1.26: within 1.5e-7
    exactly, 5e-7 in float32, below what changes a vector."""
    sign = np.sign(x)
    a = np.abs(x, out=x)
    t = a * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1, poly, out=x)
    x *= sign
    return x


# Elementwise work goes over this many rows at a time, so that its dozen passes stay in the core's cache.
_ROWS_AT_ONCE = 64


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU as BERT defines it, x·Φ(x), with the exact normal CDF (not the tanh approximation); in place."""
    half = np.float32(0.5)
    root_half = np.float32(1 / math.sqrt(2))
    for start in range(0, x.shape[0], _ROWS_AT_ONCE):
        rows = x[start : start + _ROWS_AT_ONCE]
        phi = _erf(rows * root_half)
        phi += 1
        phi *= half
        rows *= phi
    return x


def _layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    """Layer normalisation over the last axis, in place."""
    weight, bias = norm
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x)[:, None]
    variance /= np.float32(x.shape[-1])
    variance += np.float32(eps)
    np.sqrt(variance, out=variance)
    x /= variance
    x *= weight
    x += bias
    return x


class BertEncoder:
    def __init__(self, config: BertConfig, tensors: dict[str, np.ndarray]) -> None:
        self.config = config

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        def linear(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            # Stored as (out, in), applied as x·Wᵀ: transposed once here, so each product reads rows.
            return np.ascontiguousarray(get(f"{prefix}.weight").T), get(f"{prefix}.bias")

        def norm(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            return get(f"{prefix}.weight"), get(f"{prefix}.bias")

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.segment = get("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(config.layers):
            at = f"encoder.layer.{i}"
            projections = [linear(f"{at}.attention.self.{name}") for name in ("query", "key", "value")]
            attention_out, attention_out_bias = linear(f"{at}.attention.output.dense")
            feed_in, feed_in_bias = linear(f"{at}.intermediate.dense")
            feed_out, feed_out_bias = linear(f"{at}.output.dense")
            self.layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(np.concatenate([w for w, _ in projections], axis=1)),
                    qkv_bias=np.concatenate([b for _, b in projections]),
                    attention_out=attention_out,
                    attention_out_bias=attention_out_bias,
                    attention_norm=norm(f"{at}.attention.output.LayerNorm"),
                    feed_in=feed_in,
                    feed_in_bias=feed_in_bias,
                    feed_out=feed_out,
                    feed_out_bias=feed_out_bias,
                    output_norm=norm(f"{at}.output.LayerNorm"),
                )
            )

    @classmethod
    def load(cls, folder: Path) -> BertEncoder:
        """config.json and model.safetensors of a BertModel checkpoint."""
        from safetensors.numpy import load_file

        return cls(BertConfig.from_file(folder / "config.json"), load_file(folder / "model.safetensors"))

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token states (batch, length, hidden) for token ids and their attention mask
        (batch, length; 1 for a token, 0 for padding)."""
        batch, length = ids.shape
        if length > self.config.max_positions:
            raise ValueError(f"{length} tokens: the model takes at most {self.config.max_positions}")
        c = self.config
        head = c.hidden // c.heads
        scale = np.float32(1 / math.sqrt(head))
        x = self.word[ids] + self.position[:length] + self.segment
        x = _layer_norm(x.reshape(batch * length, c.hidden), self.embedding_norm, c.layer_norm_eps)
        # Added to every score of a padded key, in every head and query position.
        masked = np.where(mask[:, None, None, :] > 0, np.float32(0), MASKED)
        for layer in self.layers:
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias
            q, k, v = qkv.reshape(batch, length, 3, c.heads, head).transpose(
                2, 0, 3, 1, 4
            )  # (batch, heads, length, head)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += masked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, c.hidden)
            attended = context @ layer.attention_out
            attended += layer.attention_out_bias
            attended += x
            x = _layer_norm(attended, layer.attention_norm, c.layer_norm_eps)
            inner = x @ layer.feed_in
            inner += layer.feed_in_bias
            out = gelu(inner) @ layer.feed_out
            out += layer.feed_out_bias
            out += x
            x = _layer_norm(out, layer.output_norm, c.layer_norm_eps)
        return x.reshape(batch, length, c.hidden)

    def mean_pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """One vector per row: the mean of its tokens' last states, padding left out."""
        states = self.hidden_states(ids, mask)
        weights = mask.astype(np.float32)[:, :, None]
        return (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), np.float32(1e-9))
