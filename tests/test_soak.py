"""Soak: a seeded mix of good runs, failing runs, faults, cancels, two submitting sessions and a restart.

Small enough for CI (tiny model, mostly zero-shot runs), but every path a user
can take through the job manager is exercised in one store. At the end, the
invariants that make bertlab trustworthy must hold: no run lost, none stuck,
each with the ending it should have and its exact message, finished ones with
complete artifacts that predict, no staging leftovers, and a worker still alive.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bertlab.config import DataConfig
from bertlab.jobs import JobManager
from bertlab.predict import Predictor
from bertlab.store import ACTIVE, CANCELLED, FAILED, QUEUED, RUNNING, SUCCEEDED, RunStore
from bertlab.strategies import REGISTRY, make_config
from bertlab.strategies.base import ARTIFACT_META

WAIT = 300
FAULT = "RuntimeError: injected fault in the strategy"


@pytest.fixture
def faulty_strategies(monkeypatch):
    """Runs whose config says options={'fault': True} raise inside the strategy, as a bug would."""
    for name in ("zero_shot", "head_only", "full_ft"):
        cls = type(REGISTRY[name])
        real = cls.run

        def run(self, ctx, _real=real):
            if ctx.config.options.get("fault"):
                raise RuntimeError("injected fault in the strategy")
            return _real(self, ctx)

        monkeypatch.setattr(cls, "run", run)


class Plan:
    """Builds runs of known kinds and remembers the ending each must have."""

    def __init__(self, tiny_model: str, data: DataConfig, tmp: Path) -> None:
        self.model, self.data, self.tmp = tiny_model, data, tmp
        self.expect: dict[str, tuple[str, str | None]] = {}  # run id -> (status, error)
        self.kinds: dict[str, str] = {}

    def config(self, kind: str):
        kw = {"model": self.model, "data": self.data, "max_length": 16}
        if kind == "zero_shot":
            return make_config("zero_shot", **kw)
        if kind == "head_only":
            return make_config("head_only", epochs=2, batch_size=16, **kw)
        if kind == "fault":
            return make_config("zero_shot", options={"fault": True}, **kw)
        if kind == "missing_file":
            return make_config("zero_shot", **{**kw, "data": DataConfig(source="file", name=str(self.tmp / "gone.csv"))})
        if kind == "too_long":
            return make_config("zero_shot", **{**kw, "max_length": 1024})
        if kind == "long":
            return make_config("full_ft", epochs=100, batch_size=2, learning_rate=1e-3, **kw)
        raise ValueError(kind)

    def ending(self, kind: str) -> tuple[str, str | None]:
        return {
            "zero_shot": (SUCCEEDED, None), "head_only": (SUCCEEDED, None),
            "fault": (FAILED, FAULT),
            "missing_file": (FAILED, f"file {str(self.tmp / 'gone.csv')!r} does not exist."),
            "too_long": (FAILED, "max_length 1024 is beyond the model's 128 positions; use at most 128."),
            "long": (CANCELLED, "cancelled by the user"),  # every long run here is stopped on purpose
        }[kind]

    def submit(self, jm: JobManager, kinds: list[str]) -> list[str]:
        ids = jm.submit([self.config(k) for k in kinds])
        for i, k in zip(ids, kinds):
            self.expect[i], self.kinds[i] = self.ending(k), k
        return ids


def wait_training(store: RunStore, run_id: str) -> None:
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if store.get(run_id).status == RUNNING and store.points([run_id], ("train_loss",)):
            return
        time.sleep(0.05)
    raise AssertionError(f"{run_id} never started training")


QUICK = ["zero_shot", "zero_shot", "head_only", "fault", "missing_file", "too_long"]


def test_soak_mixed_sessions_faults_cancels_and_restart(tiny_model, tiny_data, tmp_path, faulty_strategies):
    rng = random.Random(7)
    plan = Plan(tiny_model, tiny_data, tmp_path)
    store = RunStore()
    jm = JobManager(store)
    try:
        # Phase 1: two sessions submit at the same moment, behind a long run; cancel one queued, then the long one.
        barrier = threading.Barrier(2)
        got: dict[str, list[str]] = {}

        def session(name: str, kinds: list[str]) -> None:
            barrier.wait()
            got[name] = plan.submit(jm, kinds)

        (long1,) = plan.submit(jm, ["long"])
        sessions = {"A": ["zero_shot", "fault", "zero_shot", "missing_file"],
                    "B": ["zero_shot", "head_only", "too_long", "zero_shot"]}
        threads = [threading.Thread(target=session, args=kv) for kv in sessions.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT)
        wait_training(store, long1)
        victim = got["B"][0]
        assert jm.cancel(victim) == CANCELLED
        plan.expect[victim] = (CANCELLED, "cancelled by the user before it started")
        assert jm.cancel(long1) == RUNNING  # flagged; stops within a step
        assert jm.wait_idle(WAIT)

        # Phase 2: a restart while a long run trains and three runs wait: the queue resumes in the new manager.
        long2, *waiting = plan.submit(jm, ["long", "zero_shot", "fault", "head_only"])
        wait_training(store, long2)
        jm.shutdown()  # stops the running run (cancelled); queued runs stay queued in the store
        assert [store.get(i).status for i in waiting] == [QUEUED] * 3
        jm = JobManager(RunStore(store.root), resume=True)
        assert jm.wait_idle(WAIT)

        # Phase 3: bursts of random quick runs, no waiting in between.
        for _ in range(3):
            plan.submit(jm, [rng.choice(QUICK) for _ in range(4)])
        assert jm.wait_idle(WAIT)
        snap = jm.snapshot()
        assert snap.worker_alive and snap.last_error is None and not snap.queued and snap.running is None
    finally:
        jm.shutdown()

    # --- invariants --------------------------------------------------------------------------------------
    runs = {r.id: r for r in RunStore(store.root).list_runs(limit=10_000)}
    assert set(plan.expect) == set(runs), "runs lost or invented"  # runs lost = 0
    assert not [r for r in runs.values() if r.status in ACTIVE]
    for rid, (status, error) in plan.expect.items():
        r = runs[rid]
        assert (r.status, r.error if error else None) == (status, error), (plan.kinds[rid], r.status, r.error)
    assert runs[victim].started is None  # cancelled while queued: never started
    succeeded = [r for r in runs.values() if r.status == SUCCEEDED]
    for r in succeeded:
        assert (Path(r.artifact_dir) / ARTIFACT_META).is_file()
    preds = Predictor(store).predict([r.id for r in succeeded], ["a wonderful film", "an awful film"])
    assert all(p.probs.shape == (2, 2) for p in preds)
    assert not list((store.root / "runs").glob(".tmp-*")), "a staging directory was left behind"
    for rid in plan.expect:  # each run's curve is its own: steps count up from 1 without gaps or repeats
        steps = [p["step"] for p in store.points([rid], ("train_loss",))]
        assert steps == list(range(1, len(steps) + 1)), (rid, steps)
        if plan.kinds[rid] == "head_only" and runs[rid].status == SUCCEEDED:
            assert len(steps) == runs[rid].costs["steps"]
    assert store._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = Counter(r.status for r in runs.values())
    assert counts[SUCCEEDED] >= 10 and counts[FAILED] >= 4 and counts[CANCELLED] >= 3, counts
