"""Load finished runs and predict; models stay loaded and warm for the playground.

Runs whose predictions come from the same frozen encoder (zero_shot and
head_only with the same model and max_length) share one forward pass.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
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
        enc = encode(self.tok, texts, self.max_length)
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
        groups: dict[tuple[str, int], list[_Loaded]] = {}
        for m in loaded:
            if m.encoder_key:
                groups.setdefault(m.encoder_key, []).append(m)
            else:
                t0 = time.perf_counter()
                p = m.predict_texts(texts, self.dtype)
                out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, p, (time.perf_counter() - t0) * 1e3)
        for (model, max_length), ms in groups.items():
            t0 = time.perf_counter()
            tok, enc_model = embeddings.get_encoder(model, self.device.torch)
            enc = encode(tok, texts, max_length)
            emb = embeddings.embed_encoded(enc_model, enc, 64, self.device.torch, self.dtype, tok.pad_token_id)
            shared_ms = (time.perf_counter() - t0) * 1e3
            for m in ms:
                t1 = time.perf_counter()
                p = m.from_embeddings(emb)
                out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, p,
                                           shared_ms + (time.perf_counter() - t1) * 1e3, shared_encoder=len(ms) > 1)
        return [out[r] for r in run_ids]
