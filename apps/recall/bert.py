"""A BERT encoder's forward pass as an ONNX graph, run by ONNX Runtime: no deep-learning framework.

The graph is written here from the architecture as BERT's paper (Devlin et
al., 2018) and the Transformer's (Vaswani et al., 2017) describe it, with the
weights of a `BertModel` checkpoint (a safetensors file) as its constants:

* input: the sum of a token's word, position and segment (type 0)
  embeddings, then layer normalisation;
* each layer (post-LN): multi-head self-attention (softmax(QKᵀ/√d)V per
  head), a dense projection, the residual and
  layer normalisation; then a feed-forward block (dense, GELU with the exact
  normal CDF, dense), the residual and layer normalisation;
* a sentence vector: the mean of the last layer's token states (what
  sentence-transformers models such as all-MiniLM-L6-v2 were trained with),
  L2-normalised by the caller.

It is built in memory when the model is loaded, never written to disk. In
float32 it gives the reference implementation's vectors (verified on varied
sentences: tests/recall/test_minilm.py holds the figures) about twice as
fast as the same arithmetic in numpy, the encoder this replaced; with its
dense layers in int8 (what MemStack runs) about five times as fast
(docs/benchmarks.md, "Recall").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

OPSET = 20  # the first with GELU as one operator
INT8_LEVELS = 127  # a weight's quantised range is -127..127 (symmetric, so its zero point is 0)


@dataclass(frozen=True)
class BertConfig:
    hidden: int
    heads: int
    layers: int
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
            max_positions=raw["max_position_embeddings"],
            layer_norm_eps=raw["layer_norm_eps"],
        )


class _Graph:
    """Nodes and constants of an ONNX graph, each node's outputs named for it."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.constants: list = []

    def constant(self, name: str, value) -> str:
        self.constants.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, domain: str | None = None, **attributes) -> str:
        (output,) = self.outputs(op_type, *inputs, count=1, domain=domain, **attributes)
        return output

    def outputs(self, op_type: str, *inputs: str, count: int, domain: str | None = None, **attributes) -> list[str]:
        names = [f"{op_type.lower()}_{len(self.nodes)}_{i}" for i in range(count)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, domain=domain, **attributes))
        return names


def quantised(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A (in, out) float weight as int8 and one scale per output column: weight ≈ int8 · scale."""
    scale = np.abs(weight).max(axis=0) / INT8_LEVELS
    scale[scale == 0] = 1
    return np.clip(np.rint(weight / scale), -INT8_LEVELS, INT8_LEVELS).astype(np.int8), scale.astype(np.float32)


def bert_graph(config: BertConfig, tensors: dict[str, np.ndarray], *, int8: bool = False):
    """The ModelProto: one text's input_ids (1, length; int64) → its sentence vector (1, hidden).

    One text at a time, so no position is padding and the graph needs no
    attention mask (MiniLMEmbedder.embed says why it never makes batches).

    With `int8`, the dense layers' weights are kept as int8 with a scale per
    output column, and their inputs are quantised to 8 bits as they come
    (ONNX Runtime's DynamicQuantizeMatMul): a quarter of the memory to read,
    about 2.7 times faster for a short text, vectors within a cosine of 0.99
    of float32's and the same recall on LoCoMo (docs/benchmarks.md).
    Attention's own products stay float32.
    """
    c = config
    head = c.hidden // c.heads
    g = _Graph()

    def weight(name: str) -> str:
        return g.constant(name, np.ascontiguousarray(tensors[name], dtype=np.float32))

    def dense(x: str, prefixes: list[str], name: str) -> str:
        """x·W + b for the checkpoint's linear layers at `prefixes`, side by side: one product."""
        # Stored as (out, in), applied as x·Wᵀ: transposed once here.
        w = np.ascontiguousarray(np.concatenate([tensors[f"{p}.weight"].T for p in prefixes], axis=1), np.float32)
        bias = g.constant(f"{name}.bias", np.concatenate([tensors[f"{p}.bias"] for p in prefixes]).astype(np.float32))
        if not int8:
            return g.op("Add", g.op("MatMul", x, g.constant(f"{name}.weight", w)), bias)
        levels, scale = quantised(w)
        return g.op(
            "DynamicQuantizeMatMul",
            x,
            g.constant(f"{name}.weight", levels),
            g.constant(f"{name}.scale", scale),
            g.constant(f"{name}.zero_point", np.zeros_like(scale, dtype=np.int8)),
            bias,
            domain="com.microsoft",
        )

    def linear(x: str, prefix: str) -> str:
        return dense(x, [prefix], prefix)

    def norm(x: str, prefix: str) -> str:
        return g.op(
            "LayerNormalization", x, weight(f"{prefix}.weight"), weight(f"{prefix}.bias"), epsilon=c.layer_norm_eps
        )

    def scalar(name: str, value, dtype=np.float32) -> str:
        return g.constant(name, np.array(value, dtype=dtype))

    length = g.op("Gather", g.op("Shape", "input_ids"), scalar("one_index", 1, np.int64), axis=0)
    positions = g.op("Range", scalar("zero_index", 0, np.int64), length, scalar("step", 1, np.int64))
    x = g.op(
        "Add",
        g.op("Gather", weight("embeddings.word_embeddings.weight"), "input_ids"),
        g.op("Gather", weight("embeddings.position_embeddings.weight"), positions),
    )
    segment = g.constant("segment", np.asarray(tensors["embeddings.token_type_embeddings.weight"][0], np.float32))
    x = norm(g.op("Add", x, segment), "embeddings.LayerNorm")

    into_heads = g.constant("into_heads", np.array([0, 0, c.heads, head], np.int64))
    out_of_heads = g.constant("out_of_heads", np.array([0, 0, c.hidden], np.int64))
    scale = scalar("scale", 1 / math.sqrt(head))
    for i in range(c.layers):
        at = f"encoder.layer.{i}"

        projections = [f"{at}.attention.self.{p}" for p in ("query", "key", "value")]
        qkv = g.outputs("Split", dense(x, projections, f"{at}.attention.self.qkv"), count=3, axis=-1, num_outputs=3)
        q, k, v = (
            g.op("Transpose", g.op("Reshape", projection, into_heads), perm=perm)
            # (batch, heads, length, head); the keys transposed: (batch, heads, head, length)
            for projection, perm in zip(qkv, ([0, 2, 1, 3], [0, 2, 3, 1], [0, 2, 1, 3]), strict=True)
        )
        scores = g.op("Mul", g.op("MatMul", q, k), scale)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), out_of_heads)
        x = norm(g.op("Add", linear(context, f"{at}.attention.output.dense"), x), f"{at}.attention.output.LayerNorm")
        inner = g.op("Gelu", linear(x, f"{at}.intermediate.dense"))
        x = norm(g.op("Add", linear(inner, f"{at}.output.dense"), x), f"{at}.output.LayerNorm")

    token_axis = g.constant("token_axis", np.array([1], np.int64))
    g.nodes.append(helper.make_node("ReduceMean", [x, token_axis], ["sentence"], keepdims=0))
    graph = helper.make_graph(
        g.nodes,
        "bert_mean_pooled",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "length"])],
        [helper.make_tensor_value_info("sentence", TensorProto.FLOAT, [1, c.hidden])],
        g.constants,
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    )


class BertEncoder:
    """Mean-pooled sentence vectors from a BertModel checkpoint, on `threads` cores; `int8`: see bert_graph."""

    def __init__(self, config: BertConfig, tensors: dict[str, np.ndarray], *, int8: bool, threads: int = 1) -> None:
        self.config = config
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep rather than spin: the worker's other process needs the core.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        model = bert_graph(config, tensors, int8=int8).SerializeToString()
        self._session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    @classmethod
    def load(cls, folder: Path, *, int8: bool, threads: int = 1) -> BertEncoder:
        """config.json and model.safetensors of a BertModel checkpoint."""
        from safetensors.numpy import load_file

        tensors = load_file(folder / "model.safetensors")
        return cls(BertConfig.from_file(folder / "config.json"), tensors, int8=int8, threads=threads)

    def mean_pooled(self, ids: list[int]) -> np.ndarray:
        """One text's vector from its token ids: the mean of its tokens' last states."""
        if len(ids) > self.config.max_positions:
            raise ValueError(f"{len(ids)} tokens: the model takes at most {self.config.max_positions}")
        (sentence,) = self._session.run(["sentence"], {"input_ids": np.array([ids], dtype=np.int64)})
        return sentence[0]
