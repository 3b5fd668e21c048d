"""Playground latency: one sentence answered by each finished run, and by all runs of a comparison together.

Trains one small run per registered strategy (8 in bertlab today: the
latency of a loaded model does not depend on how long it was trained), then
asks ``bertlab.predict.Predictor`` -- the object the playground page uses --
for one sentence at a time: per run, and for all runs in one call.
"""

from __future__ import annotations

import time

import numpy as np

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


def measure(store: RunStore, run_ids: list[str], sentences: list[str]) -> dict:
    """Per-run and all-runs latencies (p50/p95) for one sentence per call; checks both agree."""
    forget_memory(encoders=True)
    pred = Predictor(store)
    t0 = time.perf_counter()
    pred.warm(run_ids)
    warm_s = time.perf_counter() - t0
    per_run: dict[str, list[float]] = {r: [] for r in run_ids}
    together: list[float] = []
    agree = True
    for text in sentences:
        t1 = time.perf_counter()
        joint = pred.predict(run_ids, [text])
        together.append(time.perf_counter() - t1)
        for r, pj in zip(run_ids, joint):
            t2 = time.perf_counter()
            (single,) = pred.predict([r], [text])
            per_run[r].append(time.perf_counter() - t2)
            agree &= bool(np.allclose(single.probs, pj.probs, atol=1e-5))
    strategies = {r: store.get(r).strategy for r in run_ids}
    per = {strategies[r]: percentiles_ms(v) for r, v in per_run.items()}
    all_lat = [x for v in per_run.values() for x in v]
    return {"runs": len(run_ids), "strategies": sorted(strategies.values()), "warm_seconds": warm_s,
            "all_runs": percentiles_ms(together), "per_run_pooled": percentiles_ms(all_lat),
            "per_run_worst_p95_ms": max(p["p95_ms"] for p in per.values()), "per_run": per,
            "joint_matches_single": agree}


def run(s: Settings, sentences: list[str]) -> dict:
    store, ids = train_runs(s)
    return measure(store, ids, sentences)
