"""Pooled sentence embeddings from a frozen encoder, computed once and cached.

zero_shot and head_only (and the playground) share these. The cache is keyed
per text, so any subset of a dataset (learning curves, another train_size)
reuses what was computed before. On disk: safetensors shards under
``<data home>/cache/embeddings/<model key>/``; each shard is written to a temp
name and renamed, so a crash never leaves a half-written shard.

On a CPU in fp32 the forward passes run in ONNX Runtime where a check shows it
answers like PyTorch (:mod:`bertlab.onnxrt`); both backends share one cache,
since their embeddings agree to within 1e-3.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import save_file

from bertlab import models, onnxrt, textpair
from bertlab.engine import Encoded, encode, map_sorted, shape_multiple
from bertlab.paths import data_home

_LOCK = threading.RLock()
_ENCODERS: OrderedDict[tuple[str, str], tuple] = OrderedDict()
_MAX_ENCODERS = 3
ORT_BATCH = 32
SHARD_TEXTS = 4096  # texts embedded and saved per shard: what a cancelled run keeps


def model_identity(model: str) -> str:
    """Where ``model``'s weights live plus, for a local directory, a tag of its weight files.

    Part of every cache key here, so a directory re-saved with new weights is
    a new model rather than a hit on the old one's encoder or embeddings.
    """
    resolved = models.resolve(model)
    p = Path(resolved)
    # The real path: the app and a CLI reaching one model through different links (a symlinked virtual
    # environment, say) share its caches.
    return f"{p.resolve()}|{onnxrt.weights_tag(p)}" if p.is_dir() else resolved


def get_encoder(model: str, device: torch.device):
    """(tokenizer, encoder in eval mode) for ``model`` on ``device``, kept loaded (small LRU)."""
    key = (model_identity(model), str(device))
    with _LOCK:
        if key in _ENCODERS:
            _ENCODERS.move_to_end(key)
            return _ENCODERS[key]
    tok = models.load_tokenizer(model)
    enc = models.load_encoder(model).to(device).eval()
    for p in enc.parameters():
        p.requires_grad_(False)
    with _LOCK:
        _ENCODERS[key] = (tok, enc)
        while len(_ENCODERS) > _MAX_ENCODERS:
            _ENCODERS.popitem(last=False)
        return _ENCODERS[key]


_SESSIONS: dict[tuple, object] = {}


def encoder_session(model: str, threads: int, spin: bool | None = None, pairs: bool = False):
    """A verified ONNX Runtime session of ``model``'s frozen encoder (last hidden state), or None; with
    ``pairs``, its graph reads a pair task's texts (:func:`bertlab.onnxrt.export`), else single texts.

    Exported once to ``<data home>/cache/onnx/`` and kept open per thread count for the process;
    None where ONNX Runtime is missing, switched off, or answered differently
    from PyTorch (see :mod:`bertlab.onnxrt`).
    """
    if not onnxrt.available():
        return None
    key = (model_identity(model), threads, spin, pairs)
    with _LOCK:
        if key in _SESSIONS:
            return _SESSIONS[key]
    resolved = models.resolve(model)
    tag = hashlib.sha1(f"{model}|{resolved}".encode()).hexdigest()[:16]
    path = data_home() / "cache" / "onnx" / onnxrt.export_name(f"encoder-{tag}", onnxrt.weights_tag(Path(resolved)),
                                                              "hidden", pairs)
    tok, enc = get_encoder(model, torch.device("cpu"))
    longest = min(512, int(getattr(enc.config, "max_position_embeddings", 512)))  # runs use max_length <= 512
    session = onnxrt.open_session(enc, path, "hidden", tok, longest, threads, spin, pairs)
    with _LOCK:
        return _SESSIONS.setdefault(key, session)


def release_encoder(model: str, threads: int, spin: bool | None) -> None:
    """Forget ``model``'s CPU encoder and its :func:`encoder_session` for ``threads``/``spin`` (the Playground's,
    once no loaded run reads that encoder any more): ~90 MB each for MiniLM, kept for the process otherwise. A
    caller still holding either keeps using it; the next caller loads it again."""
    ident = model_identity(model)
    with _LOCK:
        for pairs in (False, True):
            _SESSIONS.pop((ident, threads, spin, pairs), None)
        _ENCODERS.pop((ident, "cpu"), None)


def encoder_info(model: str) -> tuple[int, int, int]:
    """(non-embedding params, total params, hidden size) of ``model``'s encoder, without loading its weights.

    Built on the meta device from the config, so asking costs milliseconds,
    not a model load (runs served from the cache never load the encoder).
    """
    return _encoder_info(model, model_identity(model))


@functools.lru_cache(maxsize=16)
def _encoder_info(model: str, identity: str) -> tuple[int, int, int]:
    from transformers import AutoModel

    from bertlab.costs import non_embedding_params

    cfg = models.load_config(model)
    with torch.device("meta"):
        m = AutoModel.from_config(cfg)
    # FLOPs by the one convention every strategy's are counted in (2 or 6 x non-embedding params x tokens, the
    # pooler included; attention from encoder_attention), so that runs of one encoder read as the same work per
    # text; the weights it holds leave out the pooler, which mean pooling never uses (as the strategy cards draw it).
    pooler = getattr(m, "pooler", None)
    unused = sum(p.numel() for p in pooler.parameters()) if pooler is not None else 0
    return non_embedding_params(m), sum(p.numel() for p in m.parameters()) - unused, int(cfg.hidden_size)


def encoder_attention(model: str) -> tuple[int, int]:
    """(layers, width) of ``model``'s self-attention (:func:`bertlab.costs.attention_shape`), from its config: what
    the attention term of its FLOPs needs, without loading its weights."""
    return _encoder_attention(model, model_identity(model))


@functools.lru_cache(maxsize=16)
def _encoder_attention(model: str, identity: str) -> tuple[int, int]:
    from bertlab.costs import attention_shape

    return attention_shape(models.load_config(model))


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of token vectors over real (unmasked) tokens, as sentence-transformers does."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


@torch.inference_mode()
def embed_encoded(encoder, enc: Encoded, batch_size: int, device: torch.device, dtype: torch.dtype | None,
                  pad_id: int, progress=None, session=None) -> np.ndarray:
    """Mean-pooled embeddings (float32, input order) in length-sorted batches.

    With ``session`` (an :func:`encoder_session` of the same encoder) the forward
    passes run in ONNX Runtime instead of PyTorch.
    """

    def pooled(b: dict[str, torch.Tensor]) -> np.ndarray:
        if session is not None:
            h = torch.from_numpy(session(b["input_ids"].numpy(), b["attention_mask"].numpy()))
            return mean_pool(h, b["attention_mask"]).numpy()
        b = {k: v.to(device) for k, v in b.items()}
        with torch.autocast(device.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
            h = encoder(**b).last_hidden_state
        return mean_pool(h.float(), b["attention_mask"]).cpu().numpy()

    if session is not None:  # measured here: ONNX Runtime is fastest at 32 texts a batch (64: 8% slower)
        batch_size = min(batch_size, ORT_BATCH)
    out = map_sorted(enc, batch_size, pad_id, pooled, progress, 1 if session is not None else shape_multiple(device))
    return out if out is not None else np.zeros((0, encoder.config.hidden_size), dtype=np.float32)


# Prefixed to a text pair's bytes in its cache key (text_key): a cache filled before pairs were read as pairs
# (2026-12-06) holds such a string embedded as one text, its second half as token type 0, now 1 (another vector)
PAIR_KEY = b"pair\x00"


def text_key(text: str, pairs: bool = False) -> bytes:
    """The cache key of ``text``; with ``pairs`` (a pair task's texts), a text pair's
    (:func:`bertlab.textpair.is_pair`) differs from that of the same string read as one text, as a cache filled
    before pairs were read as pairs, or by a single-text dataset holding a literal [SEP], embedded it."""
    raw = text.encode("utf-8")
    return hashlib.blake2b(PAIR_KEY + raw if pairs and textpair.is_pair(text) else raw, digest_size=16).digest()


@dataclass
class EmbedResult:
    """Embeddings of some texts plus what producing them cost."""

    vectors: np.ndarray
    computed: int  # texts that had to go through the encoder now
    tokens: int  # real tokens of all texts (cost of producing them, cached or not)
    seconds: float
    backend: str = "cache"  # what computed the missing ones: "onnxruntime" or "torch" ("cache": nothing was)
    # Per text, the encoder seconds its embedding cost when it was computed, now or by an earlier run (its
    # share of that pass, by tokens), on the device asked about. What a
    # strategy's time counts, so a run that reused the cache costs what the same run would cold.
    text_seconds: np.ndarray | None = None
    text_tokens: np.ndarray | None = None  # per text, its real tokens (cut at max_length)
    # Whether this call's memory left out the encoder: served whole from the cache (never loaded), or the encoder
    # was already loaded in this process (by an earlier run, zero_shot's say). A run's peak memory then says so.
    encoder_preloaded: bool = False


def cache_dir(model: str, max_length: int, dtype: torch.dtype | None, root: Path | None = None,
              truncation: str = "head") -> Path:
    """Where the embeddings of ``model`` at ``max_length`` and ``dtype`` are cached (one folder of shards), for
    texts cut as ``truncation`` says (:func:`bertlab.engine.encode`): a long text's head-only embedding is not its
    head+tail one. "head" keeps the folder it had before the setting, so earlier caches are still read."""
    ident = f"{model}|{model_identity(model)}|{max_length}|{dtype}" + ("" if truncation == "head" else f"|{truncation}")
    return (root or data_home() / "cache" / "embeddings") / hashlib.sha1(ident.encode()).hexdigest()[:16]


def text_keys(texts: Iterable[str], pairs: bool = False) -> frozenset[bytes]:
    """The cache keys of ``texts`` (a hash each: no tokenizer, about a microsecond a text; ``pairs``: as
    :func:`text_key`'s)."""
    return frozenset(text_key(t, pairs) for t in texts)


_SHARD_KEYS: dict[tuple[str, str], frozenset[bytes]] = {}
_CACHED: dict[tuple[str, str], tuple[tuple[str, ...], frozenset[bytes]]] = {}


def cached_keys(model: str, max_length: int, dtype: torch.dtype | None, device_name: str,
                root: Path | None = None, truncation: str = "head") -> frozenset[bytes]:
    """Keys of the texts a run of ``model`` at ``max_length`` and ``dtype`` on ``device_name`` would take from the
    cache rather than embed: those whose shards say what their pass cost on that device (as
    :meth:`EmbeddingCache.get` counts a hit). What a time estimate checks before a run, cheaply: it reads each
    shard's keys and costs (24 bytes a text, not its vectors), once per shard and process, and loads no model.
    """
    d = cache_dir(model, max_length, dtype, root, truncation)
    names = tuple(sorted(f.name for f in d.glob("*.safetensors"))) if d.is_dir() else ()
    key = (str(d), device_name)
    with _LOCK:
        if key in _CACHED and _CACHED[key][0] == names:
            return _CACHED[key][1]
    keys = frozenset().union(*(_shard_keys(d / n, device_name) for n in names))
    with _LOCK:
        _CACHED[key] = (names, keys)
        # Shards of this folder no longer on disk (a deleted data directory, a cleared cache) are not kept either:
        # a long-lived app would otherwise hold every shard's keys it ever read.
        gone = [k for k in _SHARD_KEYS if k[1] == device_name and Path(k[0]).parent == d
                and Path(k[0]).name not in names]
        for k in gone:
            del _SHARD_KEYS[k]
    return keys


def _shard_keys(path: Path, device_name: str) -> frozenset[bytes]:
    """The keys of one shard whose cost on ``device_name`` it holds (a shard is never rewritten: read it once)."""
    key = (str(path), device_name)
    with _LOCK:
        if key in _SHARD_KEYS:
            return _SHARD_KEYS[key]
    found: frozenset[bytes] = frozenset()
    try:
        with safe_open(str(path), "np") as fh:
            # as _load_shards reads them: a shard of another device, or from before costs were kept, is no hit here
            if (fh.metadata() or {}).get("device") == device_name and "seconds" in fh.keys():
                keys, secs = fh.get_tensor("keys"), fh.get_tensor("seconds")
                found = frozenset(k.tobytes() for k, t in zip(keys, secs) if not math.isnan(t))
    except Exception:  # noqa: BLE001 - a corrupt shard is skipped, as the cache skips it
        pass
    with _LOCK:
        _SHARD_KEYS[key] = found
    return found


class EmbeddingCache:
    """Per-text cache of pooled embeddings for one (model, max_length, dtype, truncation)."""

    def __init__(self, model: str, max_length: int, dtype: torch.dtype | None, root: Path | None = None,
                 truncation: str = "head") -> None:
        self.dir = cache_dir(model, max_length, dtype, root, truncation)
        self.model, self.max_length, self.dtype, self.truncation = model, max_length, dtype, truncation
        self._mem: dict[bytes, np.ndarray] = {}
        self._ntok: dict[bytes, int] = {}
        # Encoder seconds each text cost when computed, per device it was computed on: a data directory shared
        # by a GPU and a CPU machine must not bill one's speed to the other.
        self._secs: dict[bytes, dict[str, float]] = {}
        self._loaded: set[str] = set()

    def _load_shards(self) -> None:
        if not self.dir.is_dir():
            return
        for f in sorted(self.dir.glob("*.safetensors")):
            if f.name in self._loaded:
                continue
            try:
                with safe_open(str(f), "np") as fh:
                    d = {k: fh.get_tensor(k) for k in fh.keys()}
                    shard_device = (fh.metadata() or {}).get("device")
            except Exception:  # noqa: BLE001 - a corrupt shard is skipped, never fatal
                continue
            # Shards written before costs were kept, or before they named their device, bill no known cost.
            secs = d["seconds"] if "seconds" in d and shard_device else None
            for i, (k, v, n) in enumerate(zip(d["keys"], d["vectors"], d["lengths"])):
                key = k.tobytes()
                self._mem[key] = v
                self._ntok[key] = int(n)
                if secs is not None and not math.isnan(secs[i]):
                    self._secs.setdefault(key, {})[shard_device] = float(secs[i])
            self._loaded.add(f.name)

    def _save_shard(self, keys: list[bytes], vecs: np.ndarray, lengths: np.ndarray, seconds: np.ndarray,
                    device_name: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}.safetensors"
        tmp = self.dir / f".{name}.tmp"
        karr = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 16)
        save_file({"keys": karr, "vectors": np.ascontiguousarray(vecs, dtype=np.float32),
                   "lengths": lengths.astype(np.int64), "seconds": seconds.astype(np.float64)}, str(tmp),
                  metadata={"device": device_name})
        tmp.rename(self.dir / name)
        self._loaded.add(name)

    def get(self, texts: list[str], device: torch.device, batch_size: int = 64, progress=None,
            device_name: str | None = None, pairs: bool = False) -> EmbedResult:
        """Embeddings for ``texts``, computing only those not cached yet; ``pairs``: they are a pair task's
        (bertlab.textpair), a ``[SEP]`` in one where its two texts meet, else each is one text.

        ``device_name`` (``DeviceInfo.name``; default ``str(device)``) keys what each text's pass cost: a text
        whose cost is known only on another device is computed once more here, so its cost is this device's.
        """
        dev = device_name or str(device)
        t0 = time.perf_counter()
        with _LOCK:
            self._load_shards()
            keys = [text_key(t, pairs) for t in texts]
            # A text cached by an older bertlab, which kept no cost, or cached on another device, is computed once
            # more: a run served from it would otherwise bill its encoder pass as free, or at another chip's speed.
            missing = list(dict.fromkeys(k for k in keys if k not in self._mem or dev not in self._secs.get(k, {})))
        by_key = dict(zip(keys, texts))
        backend = "cache"
        with _LOCK:
            preloaded = not missing or (model_identity(self.model), str(device)) in _ENCODERS
        if missing:  # the encoder is loaded only when something must be computed: a warm run never pays for it
            tok, encoder = get_encoder(self.model, device)
            session = (encoder_session(self.model, torch.get_num_threads(), pairs=pairs)
                       if onnxrt.wanted(device, self.dtype) else None)
            backend = onnxrt.backend_name(session)
            # In chunks, each saved as a shard when done: a run cancelled (or killed) an hour into a large set keeps
            # what it computed, and the next run starts from there.
            chunks = [missing[i:i + SHARD_TEXTS] for i in range(0, len(missing), SHARD_TEXTS)]
            per_batch = min(batch_size, ORT_BATCH) if session is not None else batch_size  # as embed_encoded batches
            total = sum(math.ceil(len(c) / per_batch) for c in chunks)
            done = 0
            for chunk in chunks:
                def chunk_progress(d: int, _t: int, before: int = done) -> None:
                    if progress is not None:
                        progress(before + d, total)

                t_pass = time.perf_counter()  # the encoder pass itself: tokenising and embedding, not loading it
                enc = encode(tok, [by_key[k] for k in chunk], self.max_length, pairs, self.truncation)
                vecs = embed_encoded(encoder, enc, batch_size, device, self.dtype, tok.pad_token_id, chunk_progress,
                                     session)
                lengths = np.asarray(enc.lengths, dtype=np.float64)
                secs = (time.perf_counter() - t_pass) * lengths / max(1.0, float(lengths.sum()))
                with _LOCK:
                    for k, v, n, t in zip(chunk, vecs, enc.lengths, secs):
                        self._mem[k] = v
                        self._ntok[k] = int(n)
                        self._secs.setdefault(k, {})[dev] = float(t)
                    self._save_shard(chunk, vecs, enc.lengths, secs, dev)
                done += math.ceil(len(chunk) / per_batch)
        out = np.stack([self._mem[k] for k in keys]) if keys else np.zeros((0, encoder_info(self.model)[2]), np.float32)
        tokens = sum(self._ntok[k] for k in keys)
        text_seconds = np.array([self._secs[k][dev] for k in keys], dtype=np.float64)
        text_tokens = np.array([self._ntok[k] for k in keys], dtype=np.int64)
        return EmbedResult(out, len(missing), tokens, time.perf_counter() - t0, backend, text_seconds, text_tokens,
                           preloaded)


_CACHES: dict[tuple, EmbeddingCache] = {}


def cache_for(model: str, max_length: int, dtype: torch.dtype | None, truncation: str = "head") -> EmbeddingCache:
    """The process-wide cache object for a (model, max_length, dtype, truncation, data home)."""
    key = (model, max_length, str(dtype), str(data_home()), truncation)
    with _LOCK:
        if key not in _CACHES:
            _CACHES[key] = EmbeddingCache(model, max_length, dtype, truncation=truncation)
        return _CACHES[key]


def normalize(x: np.ndarray) -> np.ndarray:
    return x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)
