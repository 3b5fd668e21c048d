"""Load finished runs and predict; models stay loaded and warm for the playground.

Runs whose predictions come from the same frozen encoder (zero_shot and
head_only with the same model and max_length) share one forward pass.

When several runs answer a few short texts (the playground's typed sentence)
on CPU, their forward passes go to a small pool of workers with one torch
thread each, one model per worker: for ~20 tokens, splitting each of the
hundreds of small ops over two OpenMP threads gains little, while two models
on two cores run side by side (bench/playground.py measures both ways).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from bertlab import embeddings, models
from bertlab.engine import encode, predict_logits
from bertlab.errors import BertlabError
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies.base import ARTIFACT_META

MAX_TEXT_CHARS = 10_000
# At most this many texts count as "interactive" and take the one-thread-per-model path on CPU.
INTERACTIVE_TEXTS = 8


@dataclass
class Prediction:
    """One run's answer for a list of texts."""

    run_id: str
    strategy: str
    label_names: list[str]
    probs: np.ndarray  # (n_texts, n_classes)
    latency_ms: float
    shared_encoder: bool = False

    @property
    def labels(self) -> list[str]:
        return [self.label_names[i] for i in self.probs.argmax(1)]


class _Loaded:
    def __init__(self, run_id: str, strategy: str, meta: dict, artifact: Path, device: torch.device) -> None:
        self.run_id, self.strategy, self.meta = run_id, strategy, meta
        self.kind = meta["kind"]
        self.label_names = meta["label_names"]
        self.max_length = int(meta["max_length"])
        self.device = device
        if self.kind == "classifier":
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            self.tok = AutoTokenizer.from_pretrained(artifact, trust_remote_code=False)
            self.model = AutoModelForSequenceClassification.from_pretrained(
                artifact, use_safetensors=True, trust_remote_code=False).to(device).eval()
        elif self.kind == "head":
            w = load_file(str(artifact / "head.safetensors"))
            self.weight, self.bias = w["weight"].float(), w["bias"].float()
        elif self.kind == "tfidf":
            from bertlab.strategies.tfidf_logreg import TfidfModel

            self.tfidf = TfidfModel.load(artifact)
        elif self.kind == "zero_shot":
            self.label_emb = load_file(str(artifact / "zero_shot.safetensors"))["label_embeddings"].float()
            self.scale = float(meta.get("scale", 20.0))
        else:
            raise BertlabError(f"run {run_id}: unknown artifact kind {self.kind!r}")

    @property
    def encoder_key(self) -> tuple[str, int] | None:
        return (self.meta["model"], self.max_length) if self.kind in ("head", "zero_shot") else None

    def from_embeddings(self, emb: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(embeddings.normalize(emb))
        if self.kind == "head":
            logits = x @ self.weight.T + self.bias
        else:
            logits = self.scale * (x @ self.label_emb.T)
        return torch.softmax(logits, -1).numpy()

    def predict_texts(self, texts: list[str], dtype: torch.dtype | None) -> np.ndarray:
        if self.kind == "tfidf":
            return self.tfidf.predict_proba(texts)
        return self.forward(self.encode(texts), dtype)

    def encode(self, texts: list[str]):
        return encode(self.tok, texts, self.max_length)

    def forward(self, enc, dtype: torch.dtype | None) -> np.ndarray:
        logits = predict_logits(self.model, enc, 64, self.device, dtype, self.tok.pad_token_id)
        return torch.softmax(torch.from_numpy(logits), -1).numpy()


class Predictor:
    """Keeps up to ``max_loaded`` finished runs in memory and predicts with them."""

    def __init__(self, store: RunStore, device: models.DeviceInfo | None = None, max_loaded: int = 12) -> None:
        self.store = store
        self.device = device or models.pick_device()
        self.dtype = models.autocast_dtype("auto", self.device)
        self.max_loaded = max_loaded
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def load(self, run_id: str) -> _Loaded:
        """Load (or fetch from memory) a finished run.

        Raises:
            BertlabError: unknown run, not finished, or artifacts missing.
        """
        with self._lock:
            if run_id in self._loaded:
                self._loaded.move_to_end(run_id)
                return self._loaded[run_id]
        run = self.store.get(run_id)
        if run is None:
            raise BertlabError(f"no run with id {run_id!r}; `python -m bertlab runs` lists them.")
        if run.status != SUCCEEDED or not run.artifact_dir:
            raise BertlabError(f"run {run_id} is {run.status}; only succeeded runs can predict.")
        artifact = self.store.artifact_path(run_id)
        meta_path = artifact / ARTIFACT_META
        if not meta_path.is_file():
            raise BertlabError(f"run {run_id} has no saved model in {artifact}; it may have been deleted.")
        loaded = _Loaded(run_id, run.strategy, json.loads(meta_path.read_text()), artifact, self.device.torch)
        with self._lock:
            self._loaded[run_id] = loaded
            while len(self._loaded) > self.max_loaded:
                self._loaded.popitem(last=False)
        return loaded

    def warm(self, run_ids: list[str]) -> None:
        """Load runs and run one tiny prediction so the first real one is fast."""
        self.predict(run_ids, ["warm up"])

    def predict(self, run_ids: list[str], texts: list[str]) -> list[Prediction]:
        """Predictions of each run for ``texts`` (frozen-encoder runs share one encoder pass)."""
        texts = [t[:MAX_TEXT_CHARS] if t.strip() else "[empty]" for t in texts]
        loaded = [self.load(r) for r in run_ids]
        out: dict[str, Prediction] = {}
        # Units of work: one per fine-tuned model, one per shared frozen encoder. Tokenising happens
        # here, in the calling thread (a fast tokenizer must not be used from two threads at once).
        units: list[tuple[list[_Loaded], object]] = []
        groups: dict[tuple[str, int], list[_Loaded]] = {}
        for m in loaded:
            if m.encoder_key:
                groups.setdefault(m.encoder_key, []).append(m)
            elif m.kind == "tfidf":
                t0 = time.perf_counter()
                p = m.predict_texts(texts, self.dtype)
                out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, p, (time.perf_counter() - t0) * 1e3)
            else:
                units.append(([m], m.encode(texts)))
        for (model, max_length), ms in groups.items():
            tok, enc_model = embeddings.get_encoder(model, self.device.torch)
            units.append((ms, (enc_model, tok.pad_token_id, encode(tok, texts, max_length))))
        pool = self._pool() if len(texts) <= INTERACTIVE_TEXTS and len(units) > 1 else None
        if pool is not None:
            results = list(pool.map(self._run_unit, units))
        else:
            results = [self._run_unit(u) for u in units]
        for (ms, _), (probs, ms_taken) in zip(units, results):
            if ms[0].encoder_key:
                for m in ms:
                    t1 = time.perf_counter()
                    p = m.from_embeddings(probs)
                    out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, p,
                                               ms_taken + (time.perf_counter() - t1) * 1e3,
                                               shared_encoder=len(ms) > 1)
            else:
                m = ms[0]
                out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, probs, ms_taken)
        return [out[r] for r in run_ids]

    def _run_unit(self, unit) -> tuple[np.ndarray, float]:
        """One forward pass: a fine-tuned model's class probabilities, or a frozen encoder's embeddings."""
        ms, payload = unit
        t0 = time.perf_counter()
        if ms[0].encoder_key:
            enc_model, pad_id, enc = payload
            res = embeddings.embed_encoded(enc_model, enc, 64, self.device.torch, self.dtype, pad_id)
        else:
            res = ms[0].forward(payload, self.dtype)
        return res, (time.perf_counter() - t0) * 1e3

    def _pool(self) -> ThreadPoolExecutor | None:
        """The one-thread-per-worker pool for short inputs on CPU (None elsewhere: a GPU queues its own work)."""
        if self.device.type != "cpu":
            return None
        with self._lock:
            if self._executor is None:
                workers = max(1, min(torch.get_num_threads(), os.cpu_count() or 1))
                self._executor = ThreadPoolExecutor(workers, thread_name_prefix="bertlab-predict",
                                                    initializer=torch.set_num_threads, initargs=(1,))
            return self._executor

    def close(self) -> None:
        """Stop the worker threads (they also end with the process)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None
