"""head_only: bertlab (one cached embedding pass, then a linear head) against the naive loop.

The naive loop is what one writes first: a frozen encoder inside the training
loop, run again on every batch of every epoch (and on the validation split
after every epoch), unsorted batches padded per batch, fp32, ``no_grad``.
Also: bertlab's embedding pass against a plain unsorted fp32 batched forward
over the same texts, and a second run that finds the disk cache warm.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from bench.common import Settings
from bertlab import embeddings, models
from bertlab.config import DataConfig
from bertlab.data import Splits
from bertlab.engine import Callbacks
from bertlab.strategies import RunContext, get_strategy, make_config

BATCH = 64  # head_only's default batch size; the naive loop and the plain forward use it too


def fresh_home() -> Path:
    """Point bertlab at an empty data home (cold disk cache) and forget in-memory caches."""
    home = Path(tempfile.mkdtemp(prefix="bertlab-bench-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)  # caches and models: gone with the process
    os.environ["BERTLAB_HOME"] = str(home)
    forget_memory(encoders=False)
    return home


def forget_memory(encoders: bool) -> None:
    """Drop what a new process would not have: cache objects (and loaded encoders and their ONNX sessions
    if asked; a new data home also means a new ONNX export then)."""
    with embeddings._LOCK:
        embeddings._CACHES.clear()
        if encoders:
            embeddings._ENCODERS.clear()
            embeddings._SESSIONS.clear()


def _config(s: Settings):
    data = DataConfig(name=s.dataset, train_size=s.train_size, val_size=s.val_size, test_size=s.test_size,
                      seed=s.seed)
    return make_config("head_only", data=data, model=s.model, epochs=s.head_epochs, seed=s.seed)


def run_strategy(splits: Splits, s: Settings) -> dict:
    """One head_only run through the real strategy; returns its wall time and costs."""
    dev = models.pick_device()
    cfg = _config(s)
    with tempfile.TemporaryDirectory() as art:
        ctx = RunContext(cfg, splits, dev, models.autocast_dtype("auto", dev), Callbacks(), Path(art))
        t0, c0 = time.perf_counter(), time.process_time()
        out = get_strategy("head_only").run(ctx)
        sec = time.perf_counter() - t0
    return {"seconds": sec, "cpu_seconds": time.process_time() - c0, "test_accuracy": out.test["accuracy"], "embedding_seconds": out.costs["embedding_seconds"],
            "head_seconds": out.costs["head_seconds"], "cache_hits": out.costs["embedding_cache_hits"],
            "texts": out.costs["embedded_texts"]}


def bertlab_setup(splits: Splits, s: Settings) -> Callable[[int], dict]:
    """head_only on a cold disk cache, encoder already loaded (the app keeps it loaded)."""

    def run(r: int) -> dict:
        fresh_home()
        return run_strategy(splits, s)

    return run


def embedding_pass_setup(splits: Splits, s: Settings) -> Callable[[int], dict]:
    """bertlab's embedding pass alone (tokenise + length-sorted inference), on a cold cache.

    Like the app, the process keeps the encoder loaded (and, on a CPU, its verified ONNX Runtime session:
    the one-time export is paid in the warm-up; ``warm_vs_cold`` and the first comparison count it).
    """
    texts = splits.train.texts + splits.val.texts + splits.test.texts
    dev = models.pick_device()

    def run(r: int) -> dict:
        fresh_home()
        cache = embeddings.cache_for(s.model, s.max_length, models.autocast_dtype("auto", dev))
        t0, c0 = time.perf_counter(), time.process_time()
        res = cache.get(texts, dev.torch, batch_size=BATCH)
        return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "texts": len(texts),
                "computed": res.computed, "backend": res.backend}

    return run


def _plain_embed(tok, enc, texts: list[str], max_length: int) -> np.ndarray:
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), BATCH):
            b = tok(texts[i : i + BATCH], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            h = enc(**b).last_hidden_state
            out.append(embeddings.mean_pool(h, b["attention_mask"]).numpy())
    return np.concatenate(out)


def plain_forward_setup(splits: Splits, s: Settings) -> Callable[[int], dict]:
    """A plain batched fp32 forward in input order (padding to each batch's longest), ``no_grad``."""
    texts = splits.train.texts + splits.val.texts + splits.test.texts
    tok, enc = embeddings.get_encoder(s.model, torch.device("cpu"))

    def run(r: int) -> dict:
        t0, c0 = time.perf_counter(), time.process_time()
        vecs = _plain_embed(tok, enc, texts, s.max_length)
        return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "texts": len(vecs)}

    return run


def naive_setup(splits: Splits, s: Settings) -> Callable[[int], dict]:
    """Frozen encoder run on every batch of every epoch, linear head trained on top."""
    tok, enc = embeddings.get_encoder(s.model, torch.device("cpu"))
    cfg = _config(s)

    def run(r: int) -> dict:
        torch.manual_seed(s.seed)
        head = nn.Linear(enc.config.hidden_size, len(splits.label_names))
        opt = torch.optim.AdamW(head.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
        rng = np.random.default_rng(s.seed)
        y = torch.tensor(splits.train.labels)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(s.head_epochs):
            perm = rng.permutation(len(splits.train))
            for i in range(0, len(perm), BATCH):
                idx = perm[i : i + BATCH]
                x = _plain_embed(tok, enc, [splits.train.texts[j] for j in idx], s.max_length)
                x = torch.from_numpy(embeddings.normalize(x))
                loss = nn.functional.cross_entropy(head(x), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():  # validation every epoch, as bertlab's head_only reports it
                head(torch.from_numpy(embeddings.normalize(_plain_embed(tok, enc, splits.val.texts, s.max_length))))
        with torch.no_grad():
            xt = torch.from_numpy(embeddings.normalize(_plain_embed(tok, enc, splits.test.texts, s.max_length)))
            pred = head(xt).argmax(1).numpy()
        sec = time.perf_counter() - t0
        return {"seconds": sec, "cpu_seconds": time.process_time() - c0, "test_accuracy": float((pred == np.asarray(splits.test.labels)).mean())}

    return run


def setups(splits: Splits, s: Settings) -> dict[str, Callable[[int], dict]]:
    return {"head_only_bertlab": bertlab_setup(splits, s), "head_only_naive": naive_setup(splits, s),
            "embedding_pass": embedding_pass_setup(splits, s), "plain_forward": plain_forward_setup(splits, s)}


def warm_vs_cold(splits: Splits, s: Settings) -> dict:
    """A first head_only run as a new process sees it (no model loaded, empty disk cache), then a second one.

    Between the two, everything in memory is dropped (loaded encoders, cache
    objects), so the second run has only the disk cache to reuse.
    """
    fresh_home()
    forget_memory(encoders=True)
    cold = run_strategy(splits, s)
    forget_memory(encoders=True)
    warm = run_strategy(splits, s)
    return {"cold_seconds": cold["seconds"], "warm_seconds": warm["seconds"], "warm_cache_hits": warm["cache_hits"],
            "texts": warm["texts"], "same_accuracy": cold["test_accuracy"] == warm["test_accuracy"]}
