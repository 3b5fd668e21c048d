"""Playground latency: one sentence answered by each finished run, and by all runs of a comparison together.

Trains one small run per registered strategy (8 in bertlab today: the
latency of a loaded model does not depend on how long it was trained), then
asks ``bertlab.predict.Predictor`` -- the object the playground page uses --
for one sentence at a time: per run, and for all runs in one call.

All runs together are timed three ways in the same run: as the playground
does it (on CPU, each model in ONNX Runtime once verified, forward passes
spread over one-thread workers), the same in PyTorch, and in PyTorch one model
after another with every thread. The ONNX Runtime answers are checked against
PyTorch's (same labels, largest probability difference). A classifier's
graph is exported with its last layer for the first token only
(``bertlab.clsonly``); :func:`first_token_peer` times that against the same
runs exported with every position (``BERTLAB_CLS_ONLY=0``), alternating. The "floor" is what the model's matrix products
alone take for a sentence of median length: no framework overhead, the lower
bound for an fp32 forward on this CPU.
"""

from __future__ import annotations

import os
import time
from unittest import mock

import numpy as np
import torch

import bertlab.predict as predict_mod
from bench.common import Settings, percentiles_ms
from bench.head_only import forget_memory, fresh_home
from bertlab.config import DataConfig
from bertlab.jobs import JobManager
from bertlab.predict import Predictor
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import REGISTRY, make_config

N_RUNS = 8


def train_runs(s: Settings) -> tuple[RunStore, list[str]]:
    """One finished run per strategy (repeating full_ft with other seeds if fewer than 8 exist)."""
    fresh_home()
    forget_memory(encoders=True)
    data = DataConfig(name=s.dataset, train_size=64, val_size=32, test_size=32, seed=s.seed)
    names = sorted(REGISTRY)[:N_RUNS]
    configs = [make_config(n, data=data, model=s.model, epochs=1, batch_size=16) for n in names]
    configs += [make_config("full_ft", data=data, model=s.model, epochs=1, batch_size=16, seed=k + 1)
                for k in range(N_RUNS - len(configs))]
    store = RunStore()
    jm = JobManager(store)
    try:
        ids = jm.submit(configs)
        jm.wait_idle()
    finally:
        jm.shutdown()
    ok = [i for i in ids if store.get(i).status == SUCCEEDED]
    return store, ok


def measure(store: RunStore, run_ids: list[str], sentences: list[str], pooled: bool = True,
            backend: str = "auto") -> dict:
    """Per-run and all-runs latencies (p50/p95) for one sentence per call; checks both agree.

    ``pooled=False`` turns off PyTorch's one-thread worker pool (every model in turn, all threads).
    ``backend`` as in ``Predictor``: "auto" is what the app uses.
    """
    forget_memory(encoders=True)
    saved = predict_mod.INTERACTIVE_TEXTS
    predict_mod.INTERACTIVE_TEXTS = saved if pooled else 0
    try:
        return _measure(store, run_ids, sentences, backend)
    finally:
        predict_mod.INTERACTIVE_TEXTS = saved


def _measure(store: RunStore, run_ids: list[str], sentences: list[str], backend: str) -> dict:
    pred = Predictor(store, backend=backend)
    t0 = time.perf_counter()
    pred.warm(run_ids, wait_fast=True)
    warm_s = time.perf_counter() - t0
    answers: list[list[np.ndarray]] = []
    per_run: dict[str, list[float]] = {r: [] for r in run_ids}
    together: list[float] = []
    agree = True
    for text in sentences:
        t1 = time.perf_counter()
        joint = pred.predict(run_ids, [text])
        together.append(time.perf_counter() - t1)
        answers.append([p.probs[0] for p in joint])
        for r, pj in zip(run_ids, joint):
            t2 = time.perf_counter()
            (single,) = pred.predict([r], [text])
            per_run[r].append(time.perf_counter() - t2)
            agree &= bool(np.allclose(single.probs, pj.probs, atol=1e-5))
    strategies = {r: store.get(r).strategy for r in run_ids}
    per = {strategies[r]: percentiles_ms(v) for r, v in per_run.items()}
    all_lat = [x for v in per_run.values() for x in v]
    backends = {strategies[r]: b for r, b in pred.backends(run_ids).items()}
    pred.close()
    return {"runs": len(run_ids), "strategies": sorted(strategies.values()), "warm_seconds": warm_s,
            "backends": backends,
            "all_runs": percentiles_ms(together), "per_run_pooled": percentiles_ms(all_lat),
            "per_run_worst_p95_ms": max(p["p95_ms"] for p in per.values()), "per_run": per,
            "joint_matches_single": agree, "answers": answers}


def agreement(a: list[list[np.ndarray]], b: list[list[np.ndarray]]) -> dict:
    """Do two backends give every sentence the same label from every run, and how far apart are the probabilities?"""
    same = all(int(x.argmax()) == int(y.argmax()) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    diff = max(float(np.abs(x - y).max()) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    return {"same_labels": same, "max_prob_diff": diff, "sentences": len(a)}


def matmul_floor(store: RunStore, run_ids: list[str], sentences: list[str], reps: int = 30) -> dict:
    """Time of one fine-tuned model's Linear layers alone on a median-length sentence (p50, ms)."""
    pred = Predictor(store)
    model = next((m for m in (pred.load(r) for r in run_ids) if m.kind == "classifier"), None)
    if model is None:
        return {}
    n_tok = int(np.median([len(x) for x in model.encode(sentences).ids]))
    layers = [mod for mod in model.model.modules() if isinstance(mod, torch.nn.Linear)]
    xs = [torch.randn(n_tok, mod.in_features) for mod in layers]
    times = []
    with torch.inference_mode():
        for r in range(reps + 3):
            t0 = time.perf_counter()
            for mod, x in zip(layers, xs):
                torch.nn.functional.linear(x, mod.weight, mod.bias)
            if r >= 3:
                times.append(time.perf_counter() - t0)
    flops = sum(2 * n_tok * mod.in_features * mod.out_features for mod in layers)
    p50 = float(np.median(times))
    return {"tokens": n_tok, "linear_layers": len(layers), "matmul_mflop": flops / 1e6, "p50_ms": p50 * 1e3,
            "gflops_per_s": flops / p50 / 1e9,
            "weights_mb": sum(mod.weight.numel() * 4 for mod in layers) / 1e6}


def first_token_peer(store: RunStore, run_ids: list[str], sentences: list[str]) -> dict:
    """All runs together through classifier graphs exported with and without the first-token last layer.

    Two predictors (the peer's graphs exported with ``BERTLAB_CLS_ONLY=0``), asked the same sentence
    alternately, the order swapped every sentence, so neither gains from going second.
    """
    forget_memory(encoders=True)
    with mock.patch.dict(os.environ, {"BERTLAB_CLS_ONLY": "0"}):
        every = Predictor(store, backend="auto")
        every.warm(run_ids, wait_fast=True)
    first = Predictor(store, backend="auto")
    first.warm(run_ids, wait_fast=True)
    times: dict[str, list[float]] = {"first_token": [], "all_positions": []}
    answers: dict[str, list[list[np.ndarray]]] = {k: [] for k in times}
    for i, text in enumerate(sentences):
        pair = [("first_token", first), ("all_positions", every)]
        for name, pred in pair if i % 2 == 0 else pair[::-1]:
            t0 = time.perf_counter()
            out = pred.predict(run_ids, [text])
            times[name].append(time.perf_counter() - t0)
            answers[name].append([p.probs[0] for p in out])
    backends = [every.backends(run_ids), first.backends(run_ids)]
    every.close()
    first.close()
    res = {k: percentiles_ms(v) for k, v in times.items()}
    res["same_answers"] = agreement(answers["first_token"], answers["all_positions"])
    res["all_onnxruntime"] = all(b == "onnxruntime" for d in backends for b in d.values() if b != "tfidf")
    res["speedup_p50"] = res["all_positions"]["p50_ms"] / res["first_token"]["p50_ms"]
    return res


def run(s: Settings, sentences: list[str]) -> dict:
    store, ids = train_runs(s)
    res = measure(store, ids, sentences, pooled=True, backend="auto")
    torch_res = measure(store, ids, sentences, pooled=True, backend="torch")
    seq = measure(store, ids, sentences, pooled=False, backend="torch")
    res["onnx_vs_torch"] = agreement(res.pop("answers"), torch_res.pop("answers"))
    seq.pop("answers")
    res["torch"] = {k: torch_res[k] for k in ("all_runs", "per_run_pooled", "per_run_worst_p95_ms", "per_run")}
    res["all_runs_sequential"] = seq["all_runs"]
    res["all_runs_pool_speedup_p50"] = seq["all_runs"]["p50_ms"] / torch_res["all_runs"]["p50_ms"]
    res["all_runs_onnx_speedup_p50"] = torch_res["all_runs"]["p50_ms"] / res["all_runs"]["p50_ms"]
    res["matmul_floor_per_model"] = matmul_floor(store, ids, sentences)
    res["first_token_graphs"] = first_token_peer(store, ids, sentences)
    return res
