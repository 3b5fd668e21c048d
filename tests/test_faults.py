"""Faults and lifecycle: cancel, injected errors, out-of-memory, SIGKILL and restart, two sessions at once.

Faults are injected where they would really happen: an optimizer step hook
raises (a bad kernel, a CUDA OOM), a store write fails, or the whole server
process is killed with SIGKILL. After each, the tests check what a user would
see: the run's status and message, curves kept, artifacts intact or absent,
and a worker that goes on with the next run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from pathlib import Path

import pytest
import torch

from bertlab import engine, models, runner
from bertlab.data import load_splits
from bertlab.jobs import JobManager
from bertlab.predict import Predictor
from bertlab.runner import execute_run, release_memory
from bertlab.store import CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED, RunStore
from bertlab.strategies import make_config
from bertlab.strategies.base import ARTIFACT_META

REPO = Path(__file__).resolve().parents[1]
WAIT = 300  # generous upper bound for a tiny run on a loaded 2-core CI box; never a timing assertion


def tiny(tiny_model, data, strategy="full_ft", **kw):
    base = {"epochs": 1, "batch_size": 8, "max_length": 16}
    if strategy not in ("zero_shot", "head_only"):
        base["learning_rate"] = 1e-3
    return make_config(strategy, model=tiny_model, data=data, **{**base, **kw})


def long_run(tiny_model, data):
    """A tiny-model run with hundreds of optimizer steps: long enough to cancel or kill mid-way."""
    return tiny(tiny_model, data, epochs=100, batch_size=2)


@pytest.fixture
def optimizer_hooks(monkeypatch):
    """Count optimizer steps of trainable runs, and let a test inject a fault before step N."""
    state = {"steps": 0, "fault_at": None, "fault": None}

    real = engine.make_optimizer

    def make(params, lr, device):
        opt = real(params, lr, device)

        def pre(*_):
            if state["fault_at"] is not None and state["steps"] + 1 == state["fault_at"]:
                state["fault_at"] = None  # fire once: the next run is healthy
                f = state["fault"]
                raise type(f)(*f.args)  # a fresh exception: a kept one would pin the run's frames

        def post(*_):
            state["steps"] += 1

        opt.register_step_pre_hook(pre)
        opt.register_step_post_hook(post)
        return opt

    monkeypatch.setattr(engine, "make_optimizer", make)
    return state


def train_steps(store: RunStore, run_id: str) -> list[int]:
    return [p["step"] for p in store.points([run_id], ("train_loss",))]


def assert_no_artifacts(store: RunStore, run_id: str) -> None:
    assert not store.artifact_path(run_id).exists()
    assert not (store.root / "runs" / f".tmp-{run_id}").exists()


# ---------------------------------------------------------------------------------------------
# Cancel
# ---------------------------------------------------------------------------------------------
def test_cancel_is_honoured_within_one_optimizer_step(tiny_model, tiny_data, optimizer_hooks, monkeypatch):
    """The cancel lands while step 5 is being reported; step 6 must never run."""
    reached, go = threading.Event(), threading.Event()
    real_on_step = runner.StoreCallbacks.on_step
    at_cancel = {}

    def on_step(self, step, epoch, loss, lr, phase="train"):
        real_on_step(self, step, epoch, loss, lr, phase)
        if phase == "train" and step == 5:
            at_cancel["steps"] = optimizer_hooks["steps"]  # the engine may report a step late: count real ones
            reached.set()
            go.wait(WAIT)

    monkeypatch.setattr(runner.StoreCallbacks, "on_step", on_step)
    jm = JobManager(RunStore())
    try:
        (rid,) = jm.submit([long_run(tiny_model, tiny_data)])
        assert reached.wait(WAIT)
        assert jm.snapshot().running == rid
        jm.cancel(rid)
        go.set()
        assert jm.wait_idle(WAIT)
        run = jm.store.get(rid)
        assert run.status == CANCELLED and run.error == "cancelled by the user"
        assert optimizer_hooks["steps"] == at_cancel["steps"] >= 5  # no optimizer step after the cancel
        assert train_steps(jm.store, rid) == [1, 2, 3, 4, 5]  # the partial curve is kept
        assert run.finished and run.phase == "cancelled"
        assert_no_artifacts(jm.store, rid)
        assert jm.snapshot().running is None and jm.snapshot().worker_alive
    finally:
        go.set()
        jm.shutdown()


def test_a_run_cancelled_from_another_desk_says_so_whether_queued_or_training(tiny_model, tiny_data, monkeypatch):
    """A classroom review: student D cancelled student C's run on Compare, and C's page read "cancelled by the
    user", as if C had done it. Who cancelled is kept, for the queued run and for the one the worker stops."""
    reached, go = threading.Event(), threading.Event()
    real_on_step = runner.StoreCallbacks.on_step

    def on_step(self, step, epoch, loss, lr, phase="train"):
        real_on_step(self, step, epoch, loss, lr, phase)
        if phase == "train" and step == 2:
            reached.set()
            go.wait(WAIT)

    monkeypatch.setattr(runner.StoreCallbacks, "on_step", on_step)
    jm = JobManager(RunStore())
    try:
        training, waiting = jm.submit([long_run(tiny_model, tiny_data), long_run(tiny_model, tiny_data)])
        assert reached.wait(WAIT)
        jm.cancel(waiting, by="someone at another desk")
        jm.cancel(training, by="someone at another desk")
        go.set()
        assert jm.wait_idle(WAIT)
        assert jm.store.get(waiting).error == "cancelled by someone at another desk before it started"
        run = jm.store.get(training)
        assert run.status == CANCELLED and run.error == "cancelled by someone at another desk"
    finally:
        go.set()
        jm.shutdown()


def test_a_dead_processs_waiting_runs_are_taken_over_by_a_server_already_up(tiny_model, tiny_data):
    """Server A was killed with runs still queued while server B was up: only a starting server took queued runs
    over, so they said "queued" for ever. B's idle check now adopts them (a live owner's it leaves alone)."""
    import socket

    import psutil

    store = RunStore()
    jm = JobManager(store)  # up before the other process queued anything
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = f"{socket.gethostname()}:{other.pid}:{psutil.Process(other.pid).create_time():.0f}"
        rid = store.create_run(tiny(tiny_model, tiny_data, strategy="tfidf_logreg"))
        store.update(rid, owner=owner)
        jm._sweep_orphans()
        assert store.get(rid).status == QUEUED and rid not in jm.snapshot().queued  # alive: its own to run
        other.kill()
        other.wait()
        jm._sweep_orphans()
        assert jm.wait_idle(WAIT)
        assert store.get(rid).status == SUCCEEDED
    finally:
        other.kill()
        jm.shutdown()


def test_a_server_started_after_the_owner_died_queues_its_waiting_runs_once(tiny_model, tiny_data, monkeypatch):
    """The start queues them, the idle check then takes them over: they were queued (and listed) twice."""
    import socket

    import psutil

    store = RunStore()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    owner = f"{socket.gethostname()}:{other.pid}:{psutil.Process(other.pid).create_time():.0f}"
    rid = store.create_run(tiny(tiny_model, tiny_data, strategy="tfidf_logreg"))
    store.update(rid, owner=owner)
    other.kill()
    other.wait()
    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    jm = JobManager(store)
    assert jm.snapshot().queued == (rid,)
    jm._sweep_orphans()
    assert jm.snapshot().queued == (rid,) and store.get(rid).owner != owner  # taken over, once


def test_cancel_from_another_process_stops_the_run(tiny_model, tiny_data, optimizer_hooks):
    """A cancel written to the store (the CLI, a second server) is picked up by the worker's poll."""
    jm = JobManager(RunStore())
    try:
        (rid,) = jm.submit([long_run(tiny_model, tiny_data)])
        other = RunStore(jm.store.root)  # its own connection, like another process
        deadline = time.monotonic() + WAIT
        while not train_steps(other, rid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert other.request_cancel(rid) == RUNNING
        assert jm.wait_idle(WAIT)
        run = other.get(rid)
        assert run.status == CANCELLED
        total = 100 * 28  # epochs x steps per epoch: the run was stopped long before the end
        assert 0 < len(train_steps(other, rid)) <= optimizer_hooks["steps"] < total
    finally:
        jm.shutdown()


@pytest.mark.parametrize("when", ["data_load", "final_eval"])
def test_a_cancel_between_polled_phases_still_cancels(tiny_model, tiny_data, monkeypatch, when):
    """Loading data and the final test evaluation do not poll for a cancel step by step; a cancel
    pressed then must still end the run CANCELLED (it ended 'succeeded', as if nobody had asked)."""
    store = RunStore()
    rid = store.create_run(tiny(tiny_model, tiny_data))
    if when == "data_load":
        real = runner.shared_splits

        def load(spec):
            out = real(spec)
            store.request_cancel(rid)
            return out

        monkeypatch.setattr(runner, "shared_splits", load)
    else:
        import sys

        from bertlab import engine

        real = engine.evaluate

        def evaluate(*a, **kw):
            out = real(*a, **kw)
            # asked during the last evaluation (the classifier's of the test texts), after the last training step;
            # the classifier imports evaluate when it runs (the strategies import no torch until then)
            if sys._getframe(1).f_globals["__name__"] == "bertlab.strategies.classifier":
                store.request_cancel(rid)
            return out

        monkeypatch.setattr(engine, "evaluate", evaluate)
    assert execute_run(store, rid) == CANCELLED
    run = store.get(rid)
    assert run.status == CANCELLED and run.error == "cancelled by the user"
    assert_no_artifacts(store, rid)


def test_the_test_evaluation_is_a_phase_with_progress_that_a_cancel_stops(tiny_model, tiny_data, monkeypatch):
    """The final evaluation reports its batches as phase "test" (it sat at "train 100%" for minutes on 10,000
    texts), and a cancel pressed during it stops it at the next batch instead of after the last."""
    seen: list[tuple[int, float]] = []
    real_on_step = runner.StoreCallbacks.on_step

    def on_step(self, step, epoch, loss, lr, phase="train"):
        real_on_step(self, step, epoch, loss, lr, phase)
        if phase == "test":
            seen.append((step, self.progress))
            self.cancel.set()  # the user presses Cancel after the first test batch

    monkeypatch.setattr(runner.StoreCallbacks, "on_step", on_step)
    store = RunStore()
    rid = store.create_run(tiny(tiny_model, tiny_data, batch_size=2))
    n_batches = -(-len(load_splits(store.get(rid).run_config.data).test) // 4)  # evaluation batches: 2 x 2
    assert n_batches >= 3
    assert execute_run(store, rid) == CANCELLED
    assert seen == [(1, pytest.approx(1 / n_batches))]  # one batch of the test split, then it stopped
    assert store.get(rid).error == "cancelled by the user"


# ---------------------------------------------------------------------------------------------
# Memory release
# ---------------------------------------------------------------------------------------------
def test_release_memory_collects_cycles_and_empties_the_cuda_cache(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: calls.append("empty_cache"))
    t = torch.zeros(1000)
    cycle: list = [t]
    cycle.append(cycle)  # only the cycle collector can free this
    ref = weakref.ref(t)
    del t, cycle
    gc.disable()
    try:
        assert ref() is not None
        release_memory()
        assert ref() is None
    finally:
        gc.enable()
    assert calls == ["empty_cache"]


@pytest.mark.parametrize("outcome", [SUCCEEDED, FAILED, CANCELLED])
def test_every_run_end_releases_its_model(outcome, tiny_model, tiny_data, optimizer_hooks, monkeypatch):
    """Whatever the ending, release_memory runs and nothing keeps the trained model alive.

    On a GPU that model is what holds memory; on CPU a weak reference shows it is gone.
    """
    refs, released = [], []
    real_load = models.load_classifier

    def load(*a, **kw):
        m = real_load(*a, **kw)
        refs.append(weakref.ref(m))
        return m

    monkeypatch.setattr(models, "load_classifier", load)
    monkeypatch.setattr(runner, "release_memory", lambda: (released.append(1), release_memory()))
    cancel = threading.Event()
    if outcome == FAILED:
        optimizer_hooks.update(fault_at=2, fault=RuntimeError("injected fault"))
    if outcome == CANCELLED:
        real_on_step = runner.StoreCallbacks.on_step
        monkeypatch.setattr(runner.StoreCallbacks, "on_step",
                            lambda self, *a, **k: (real_on_step(self, *a, **k), cancel.set()))
    store = RunStore()
    rid = store.create_run(tiny(tiny_model, tiny_data))
    assert execute_run(store, rid, cancel) == outcome
    assert released == [1]
    gc.collect()
    assert len(refs) == 1 and refs[0]() is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_memory_returns_to_baseline_after_runs(tiny_model, tiny_data, optimizer_hooks):
    store = RunStore()
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    for fault in (None, RuntimeError("injected fault")):
        optimizer_hooks.update(fault_at=2 if fault else None, fault=fault)
        rid = store.create_run(tiny(tiny_model, tiny_data))
        execute_run(store, rid, device=models.pick_device("cuda"))
        torch.cuda.synchronize()
        assert torch.cuda.memory_allocated() == base, store.get(rid).status


# ---------------------------------------------------------------------------------------------
# Injected faults: failed with a message, the worker goes on
# ---------------------------------------------------------------------------------------------
OOM_CASES = [
    (torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total capacity)"),
     "out of memory: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total capacity). "
     "Try a smaller batch_size or max_length, or a smaller model."),
    (RuntimeError("MPS backend out of memory (MPS allocated: 9.00 GB)"),
     "out of memory: MPS backend out of memory (MPS allocated: 9.00 GB). Try a smaller batch_size or max_length, "
     "or a smaller model."),
    (RuntimeError("DefaultCPUAllocator: not enough memory: you tried to allocate 68719476736 bytes."),
     "out of memory: DefaultCPUAllocator: not enough memory: you tried to allocate 68719476736 bytes. "
     "Try a smaller batch_size or max_length, or a smaller model."),
    # Python's and NumPy's own: a bare MemoryError read 'MemoryError: ', NumPy's said nothing of what to lower
    (MemoryError(), "out of memory: MemoryError. Try a smaller batch_size or max_length, or a smaller model."),
    (MemoryError("Unable to allocate 1.50 GiB for an array with shape (256, 512, 3072) and data type float32"),
     "out of memory: Unable to allocate 1.50 GiB for an array with shape (256, 512, 3072) and data type float32. "
     "Try a smaller batch_size or max_length, or a smaller model."),
]
FAULT_CASES = [
    (RuntimeError("injected fault in step 3"), "RuntimeError: injected fault in step 3"),
    (FloatingPointError("loss is nan"), "FloatingPointError: loss is nan"),
    *OOM_CASES,
]


@pytest.mark.parametrize("fault,message", FAULT_CASES, ids=["runtime", "nan", "cuda_oom", "mps_oom", "cpu_oom",
                                                                 "memory_error", "numpy_memory_error"])
def test_fault_in_a_step_fails_that_run_and_the_next_one_runs(fault, message, tiny_model, tiny_data,
                                                                optimizer_hooks):
    optimizer_hooks.update(fault_at=3, fault=fault)
    jm = JobManager(RunStore())
    try:
        bad, good = jm.submit([tiny(tiny_model, tiny_data), tiny(tiny_model, tiny_data)])
        assert jm.wait_idle(WAIT)
        b, g = jm.store.get(bad), jm.store.get(good)
        assert b.status == FAILED and b.error == message
        assert type(fault).__name__ in b.traceback  # the traceback is kept for the details pane
        # the curve up to the fault is kept (the engine may report each loss one step late)
        assert train_steps(jm.store, bad) in ([1], [1, 2])
        assert_no_artifacts(jm.store, bad)
        assert g.status == SUCCEEDED, g.error
        assert (Path(g.artifact_dir) / ARTIFACT_META).is_file()
        s = jm.snapshot()
        assert s.worker_alive and s.last_error is None and s.running is None
    finally:
        jm.shutdown()


def test_fault_while_loading_data_fails_the_run_only(tiny_model, tiny_data, monkeypatch):
    real = runner.shared_splits
    calls = []

    def flaky(cfg):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(5, "Input/output error", "/mnt/data/reviews.csv")
        return real(cfg)

    monkeypatch.setattr(runner, "shared_splits", flaky)
    jm = JobManager(RunStore())
    try:
        bad, good = jm.submit([tiny(tiny_model, tiny_data, "zero_shot")] * 2)
        assert jm.wait_idle(WAIT)
        assert jm.store.get(bad).error == "OSError: [Errno 5] Input/output error: '/mnt/data/reviews.csv'"
        assert jm.store.get(good).status == SUCCEEDED
    finally:
        jm.shutdown()


def test_a_disk_full_as_the_model_is_saved_says_what_to_do(tiny_data, monkeypatch):
    """A review: a run that filled the disk while saving its model failed with safetensors' raw "SafetensorError:
    Error while serializing: I/O error: No space left on device (os error 28)", where the app's other writes say
    what to do."""
    class SafetensorError(Exception):
        pass

    def full(*a, **k):
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    monkeypatch.setattr(runner.paired, "save_predictions", full)
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    assert execute_run(store, rid) == FAILED
    error = store.get(rid).error
    assert error.startswith(f"cannot write the data directory {str(store.root)!r} (it is full)"), error
    assert "free some space" in error and error.endswith("(SafetensorError: Error while serializing: I/O error: No "
                                                         "space left on device (os error 28))")


def test_store_write_failing_mid_run_never_leaves_it_running(tiny_model, tiny_data, monkeypatch):
    """Every curve write for one run fails (disk full): the run must still end, and the next one run."""
    real = RunStore.add_points

    def add_points(self, run_id, rows):
        if rows and self.get(run_id).config["options"].get("victim"):
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, run_id, rows)

    monkeypatch.setattr(RunStore, "add_points", add_points)
    jm = JobManager(RunStore())
    try:
        bad, good = jm.submit([tiny(tiny_model, tiny_data, options={"victim": True}), tiny(tiny_model, tiny_data)])
        assert jm.wait_idle(WAIT)
        b = jm.store.get(bad)
        # said with what to do, the store's own words kept (it was the bare "OperationalError: ...")
        assert b.status == FAILED and b.error.startswith(f"cannot write the data directory {str(jm.store.root)!r} "
                                                         "(it is full)")
        assert b.error.endswith("(OperationalError: database or disk is full)")
        assert jm.store.get(good).status == SUCCEEDED
        assert jm.snapshot().worker_alive
    finally:
        jm.shutdown()


def test_worker_that_gives_up_on_a_run_marks_it_failed_and_goes_on(tiny_model, tiny_data, monkeypatch):
    """Last line of defence: even if execute_run itself raises, no run is left 'running'."""
    from bertlab import jobs

    real = jobs.execute_run
    calls = []

    def broken_once(store, run_id, *a, **kw):
        calls.append(run_id)
        if len(calls) == 1:
            store.claim(run_id, "cpu")
            raise KeyError("lost track of the run")
        return real(store, run_id, *a, **kw)

    monkeypatch.setattr(jobs, "execute_run", broken_once)
    jm = JobManager(RunStore())
    try:
        bad, good = jm.submit([tiny(tiny_model, tiny_data, "zero_shot")] * 2)
        assert jm.wait_idle(WAIT)
        assert jm.store.get(bad).status == FAILED
        assert jm.store.get(bad).error == "internal error: KeyError: 'lost track of the run'"
        assert jm.store.get(good).status == SUCCEEDED
        s = jm.snapshot()
        assert s.worker_alive and s.last_error == f"{bad}: KeyError: 'lost track of the run'"
    finally:
        jm.shutdown()


# ---------------------------------------------------------------------------------------------
# SIGKILL the server mid-run, start again
# ---------------------------------------------------------------------------------------------
CHILD = textwrap.dedent(
    """
    import sys, time
    from bertlab.config import DataConfig
    from bertlab.jobs import JobManager
    from bertlab.store import RunStore
    from bertlab.strategies import make_config, base

    mode, model, csv_path = sys.argv[1:4]
    data = DataConfig(source="file", name=csv_path, train_size=None, val_size=None, test_size=None)
    kw = dict(model=model, data=data, max_length=16, learning_rate=1e-3)
    jm = JobManager(RunStore())
    (done,) = jm.submit([make_config("full_ft", epochs=1, batch_size=8, **kw)])
    assert jm.wait_idle(300)
    print("DONE", done, flush=True)
    if mode == "saving":  # stop for good while the artifact is half written
        real = base.Strategy.save_meta
        def stuck(ctx, kind, **extra):
            print("SAVING", flush=True)
            time.sleep(600)
        base.Strategy.save_meta = staticmethod(stuck)
        long_cfg = make_config("full_ft", epochs=1, batch_size=8, **kw)
    else:
        long_cfg = make_config("full_ft", epochs=100, batch_size=2, **kw)
    ids = jm.submit([long_cfg] + [make_config("zero_shot", **kw)] * 2)
    print("QUEUED", *ids, flush=True)
    if mode == "training":
        while not jm.store.points([ids[0]], ("train_loss",)):
            time.sleep(0.05)
        print("TRAINING", flush=True)
    time.sleep(600)
    """
)


@contextlib.contextmanager
def _reaped(proc: subprocess.Popen):
    """Kill ``proc`` at the end of the block if it still runs (a test that failed while it waited)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


STOPPED_SERVER = textwrap.dedent(
    """
    import signal, sys, time
    from bertlab.config import DataConfig
    from bertlab.jobs import JobManager
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))  # as Streamlit does: the main thread ends, Python exits
    model, csv_path = sys.argv[1:3]
    data = DataConfig(source="file", name=csv_path, train_size=None, val_size=None, test_size=None)
    kw = dict(model=model, data=data, max_length=16, learning_rate=1e-3)
    jm = JobManager(RunStore())
    ids = jm.submit([make_config("full_ft", epochs=100, batch_size=2, **kw), make_config("zero_shot", **kw)])
    print("QUEUED", *ids, flush=True)
    while not jm.store.points([ids[0]], ("train_loss",)):
        time.sleep(0.05)
    print("TRAINING", flush=True)
    time.sleep(600)
    """
)


def test_sigterm_of_the_server_mid_run_exits_cleanly_and_marks_the_run_interrupted(tmp_path, tiny_model, tiny_csv,
                                                                                   bertlab_home):
    """SIGTERM of the server while full_ft trained ended in a C++ abort ("terminate called without an active
    exception"): the worker thread was still inside PyTorch as the interpreter ended."""
    script = tmp_path / "stopped_server.py"
    script.write_text(STOPPED_SERVER)
    env = {**os.environ, "BERTLAB_HOME": str(bertlab_home), "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, str(script), tiny_model, str(tiny_csv)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with _reaped(proc):
        ids = []
        for line in proc.stdout:
            word, *rest = line.split()
            ids = rest if word == "QUEUED" else ids
            if word == "TRAINING":
                break
        else:
            pytest.fail(f"server exited early: {proc.wait()} {proc.stderr.read()[-3000:]}")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 0 and "terminate called" not in err, (proc.returncode, err[-3000:])
    store = RunStore(bertlab_home)
    trained, waiting = (store.get(i) for i in ids)
    assert trained.status == INTERRUPTED and trained.error == "the server stopped while this run was training"
    assert store.points([trained.id], ("train_loss",))  # its curve so far kept
    assert waiting.status == QUEUED  # the next start trains it


def test_sigterm_of_the_cli_worker_mid_run_says_the_worker_stopped_not_the_server(tiny_model, tiny_csv,
                                                                                   bertlab_home):
    """`python -m bertlab worker` stopped by SIGTERM marked its run "the server stopped while this run was
    training" (a diff review): it was no server; its own words, as `run` says them, and 143 as a shell gives it."""
    from bertlab.config import DataConfig

    store = RunStore(bertlab_home)
    data = DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None)
    kw = dict(model=tiny_model, data=data, max_length=16, learning_rate=1e-3)
    long, waiting = (store.create_run(make_config("full_ft", epochs=100, batch_size=2, **kw), "b-w"),
                     store.create_run(make_config("zero_shot", **kw), "b-w"))
    for rid in (long, waiting):  # queued by a server since stopped: no live owner
        store.update(rid, owner=f"{socket.gethostname()}:999999999:1")
    env = {**os.environ, "BERTLAB_HOME": str(bertlab_home), "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bertlab", "worker"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with _reaped(proc):
        deadline = time.monotonic() + WAIT
        while not store.points([long], ("train_loss",)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 143, (proc.returncode, err[-3000:])
    assert store.get(long).status == INTERRUPTED
    assert store.get(long).error == "stopped by SIGTERM while this run was training"
    assert store.get(waiting).status == QUEUED


def test_the_first_reason_to_stop_stands_when_the_exit_hook_stops_the_manager_again(bertlab_home):
    """`worker` stops its manager with its own words, then the exit hook stops it again with the server's: a run
    slower to stop than the first wait was marked "the server stopped" (a diff review)."""
    jm = JobManager(RunStore(bertlab_home))
    jm.stop_for_exit(0.1, reason="stopped by SIGTERM while this run was training")
    jm.stop_for_exit(0.1)
    assert jm._stopping == "stopped by SIGTERM while this run was training"


def _artifact_digest(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(q for q in path.rglob("*") if q.is_file())}  # .eval/ (the test predictions) too


def _kill_mid_run(tmp_path: Path, mode: str, tiny_model: str, tiny_csv: Path, home: Path) -> dict:
    script = tmp_path / "server.py"
    script.write_text(CHILD)
    env = {**os.environ, "BERTLAB_HOME": str(home), "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, str(script), mode, tiny_model, str(tiny_csv)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict = {}
    try:
        for line in proc.stdout:
            word, *rest = line.split()
            seen[word] = rest
            if word == "DONE":  # record the finished run's artifacts while the server is alive
                done = RunStore(home).get(rest[0])
                seen["digest"] = _artifact_digest(Path(done.artifact_dir))
            if word in ("TRAINING", "SAVING"):
                break
        else:
            pytest.fail(f"server exited early: {proc.wait()} {proc.stderr.read()[-3000:]}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(WAIT)
    assert proc.returncode == -signal.SIGKILL
    return seen


def _restart_checks(home: Path, seen: dict, resume: bool) -> RunStore:
    """Start a new manager on a killed server's data; check what every restart must guarantee."""
    done, (killed, q1, q2) = seen["DONE"][0], seen["QUEUED"]
    store = RunStore(home)
    assert store._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.get(killed).status == RUNNING  # what the dead process left behind
    jm = JobManager(store, resume=resume)
    try:
        assert jm.interrupted == [killed]
        k = store.get(killed)
        assert k.status == INTERRUPTED and k.error == "the server stopped while this run was training"
        # finished runs and their artifacts are intact, byte for byte, and still predict
        d = store.get(done)
        assert d.status == SUCCEEDED and Path(d.artifact_dir) == store.artifact_path(done)
        assert _artifact_digest(Path(d.artifact_dir)) == seen["digest"]
        assert Predictor(store).predict([done], ["a wonderful film"])[0].probs.shape == (1, 2)
        if resume:
            assert jm.wait_idle(WAIT)
            assert [store.get(q).status for q in (q1, q2)] == [SUCCEEDED, SUCCEEDED]
        else:
            assert [store.get(q).status for q in (q1, q2)] == [QUEUED, QUEUED]
            assert jm.clear_queue() == 2
            assert [store.get(q).status for q in (q1, q2)] == [CANCELLED, CANCELLED]
        # no half-written artifact is listed as a finished run; nothing lost, nothing duplicated
        for r in store.list_runs(status=(SUCCEEDED,)):
            assert (Path(r.artifact_dir) / ARTIFACT_META).is_file() and ".tmp-" not in r.artifact_dir
        assert killed not in {r.id for r in store.list_runs(status=(SUCCEEDED,))}
        assert len(store.list_runs()) == 4
    finally:
        jm.shutdown()
    return store


def test_sigkill_while_training_then_restart_clear_or_resume(tiny_model, tiny_csv, tmp_path):
    home = tmp_path / "home"
    seen = _kill_mid_run(tmp_path, "training", tiny_model, tiny_csv, home)
    killed = seen["QUEUED"][0]
    assert train_steps(RunStore(home), killed)  # its partial curve survived the kill
    copy = tmp_path / "home-copy"
    shutil.copytree(home, copy)  # the same killed state, restarted two ways
    _restart_checks(home, seen, resume=False)
    shutil.rmtree(home)  # the copy must stand on its own (artifact paths follow the data directory)
    _restart_checks(copy, seen, resume=True)
    assert train_steps(RunStore(copy), killed)  # still there after the restart


def test_sigkill_while_writing_artifacts_then_restart(tiny_model, tiny_csv, tmp_path):
    home = tmp_path / "home"
    seen = _kill_mid_run(tmp_path, "saving", tiny_model, tiny_csv, home)
    killed = seen["QUEUED"][0]
    staging = home / "runs" / f".tmp-{killed}"
    # the kill hit after the weights were written, before the run's description: only staging has them
    assert (staging / "model.safetensors").is_file() and not (staging / ARTIFACT_META).exists()
    assert not RunStore(home).artifact_path(killed).exists()
    store = _restart_checks(home, seen, resume=False)
    store.delete(killed)  # deleting the interrupted run also removes its leftover staging dir
    assert not staging.exists() and store.get(killed) is None


# ---------------------------------------------------------------------------------------------
# Two sessions queue 10 runs each at the same moment
# ---------------------------------------------------------------------------------------------
def test_two_sessions_queue_ten_runs_each_at_once(tiny_model, tiny_data):
    jm = JobManager(RunStore())
    barrier = threading.Barrier(2)
    submitted: dict[str, list[str]] = {}

    def session(name: str, sizes: range) -> None:
        cfgs = [tiny(tiny_model, dataclasses.replace(tiny_data, train_size=n), "head_only",
                     epochs=2, batch_size=4, options={"session": name}) for n in sizes]
        barrier.wait()
        submitted[name] = jm.submit(cfgs)

    sizes = {"A": range(8, 18), "B": range(18, 28)}  # a distinct train size per run: a fingerprint
    threads = [threading.Thread(target=session, args=(k, v)) for k, v in sizes.items()]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT)
        assert jm.wait_idle(WAIT)
        # each session (its own connection, like a browser tab) sees all 20 runs
        views = [RunStore(jm.store.root).list_runs() for _ in range(2)]
        all_ids = submitted["A"] + submitted["B"]
        assert len(set(all_ids)) == 20
        for v in views:
            assert {r.id for r in v} == set(all_ids)
        for name, ids in submitted.items():
            for rid, n in zip(ids, sizes[name]):
                run = jm.store.get(rid)
                assert run.status == SUCCEEDED, run.error
                assert run.config["options"]["session"] == name and run.config["data"]["train_size"] == n
                assert run.data_summary["sizes"]["train"] == n
                steps = -(-n // 4) * 2  # ceil(n / batch) x epochs
                assert train_steps(jm.store, rid) == list(range(1, steps + 1))
                val = [p["step"] for p in jm.store.points([rid], ("val_accuracy",))]
                assert val == [steps // 2, steps]
    finally:
        jm.shutdown()


def test_an_unwritable_data_directory_is_a_sentence_not_a_traceback(tmp_path, tiny_data, monkeypatch):
    """A read-only or full data directory showed sqlite3.OperationalError / OSError tracebacks on Launch and on
    every page. The store says what is wrong and what to do, the app once, above nothing else."""
    from streamlit.testing.v1 import AppTest

    from bertlab.errors import StoreError

    store = RunStore(tmp_path / "ro")
    store._conn().execute("PRAGMA query_only=ON")  # as a read-only file answers, for root too
    with pytest.raises(StoreError) as e:
        store.create_run(make_config("tfidf_logreg", data=tiny_data))
    assert str(e.value).startswith(f"cannot write the data directory {str(tmp_path / 'ro')!r} (it is read-only or "
                                   "not yours to write). ") and "BERTLAB_HOME" in str(e.value)
    assert "make it writable, or point BERTLAB_HOME" in str(e.value)  # not "free some space" (a review)
    assert "free some space" not in str(e.value)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BERTLAB_HOME", str(blocker / "data"))  # cannot be made
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120).run()
    assert not at.exception, [x.value for x in at.exception]
    assert len(at.error) == 1 and at.error[0].value.startswith("cannot write the data directory")


def test_a_full_data_directory_is_said_to_be_full_not_read_only(tmp_path, tiny_data, monkeypatch):
    """A full disk takes the read-only path (the store is opened read-only: SQLite says "disk I/O error", unable
    to grow its -shm file), and both the store's message and the app's note said "it is read-only or not yours to
    write ... make it writable" (reproduced on a 3 MiB tmpfs filled up). They say "it is full" and to free space;
    a directory that may not be written is read-only, whatever its free space."""
    import types

    from streamlit.testing.v1 import AppTest

    from bertlab import errors

    io = sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: types.SimpleNamespace(free=4096))
    assert errors.unwritable_reason(io, tmp_path) == "it is full"
    assert errors.unwritable_reason(io) == "it is read-only or not yours to write"  # no directory to look at
    assert "(it is full). Runs, models and caches are kept there: free some space" in errors.store_message(tmp_path, io)
    monkeypatch.setattr(os, "access", lambda p, mode: False)  # a read-only mount, another's folder
    assert errors.unwritable_reason(io, tmp_path) == "it is read-only or not yours to write"
    monkeypatch.undo()
    assert errors.unwritable_reason(io, tmp_path) == "it is read-only or not yours to write"  # room left: as before

    full = tmp_path / "full"
    full.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(full)], capture_output=True).returncode != 0:
        pytest.skip("no tmpfs to fill here")
    try:
        writer = RunStore(full / "home")
        writer.create_run(make_config("tfidf_logreg", data=tiny_data), "b-full")
        writer._conn().close()
        del writer
        with pytest.raises(OSError), open(full / "filler", "wb") as f:  # the disk fills up
            while True:
                f.write(b"\0" * 65536)
        store = RunStore(full / "home")
        assert store.read_only_reason == "it is full" and len(store.list_runs()) == 1
        assert store.read_only.startswith(f"cannot write the data directory {str(full / 'home')!r} (it is full). "
                                          "Runs, models and caches are kept there: free some space"), store.read_only
        monkeypatch.setenv("BERTLAB_HOME", str(full / "home"))
        at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120).run()
        assert not at.exception, [x.value for x in at.exception]
        note = next(x.value for x in at.info if "cannot be written" in x.value)
        assert "cannot be written (it is full): its runs are shown" in note and "To train, free some space there" in note
        assert "read-only" not in note
    finally:
        subprocess.run(["umount", "--lazy", str(full)], check=True)


def test_a_killed_processs_run_gets_one_reason_whichever_process_finds_it(tmp_path, tiny_data, monkeypatch):
    """After a SIGKILL of the process training a run, a restarted server said "the server stopped while this run was
    training" (of a killed `worker` too) and any other process that found it first (an open app, `runs`) "the
    process training this run stopped". Each process says what it is as it claims a run; whichever finds the run
    of a dead one gives the same reason, naming it."""
    from bertlab.store import ORPHANED

    monkeypatch.setattr(JobManager, "_loop", lambda self: None)  # a manager that trains nothing
    store = RunStore(tmp_path)
    ids = [store.create_run(make_config("tfidf_logreg", data=tiny_data), "b") for _ in range(5)]
    claim_and_die = ("import os, signal, sys\n"
                     "from bertlab import store\n"
                     "if sys.argv[2] and hasattr(store, 'set_process_kind'):\n    store.set_process_kind(sys.argv[2])\n"
                     "from bertlab.store import RunStore\n"
                     "assert RunStore(sys.argv[1]).claim(sys.argv[3], 'cpu')\n"
                     "os.kill(os.getpid(), signal.SIGKILL)\n")

    def killed(kind: str, run_id: str) -> None:
        done = subprocess.run([sys.executable, "-c", claim_and_die, str(tmp_path), kind, run_id],
                              cwd=Path(__file__).parent.parent, capture_output=True, text=True)
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert store.get(run_id).status == RUNNING

    for kind, (first, second) in (("the `python -m bertlab worker` process", ids[:2]), ("the server", ids[2:4])):
        killed(kind, first)
        assert store.mark_orphans() == [first]  # an open app's worker finds it
        killed(kind, second)
        JobManager(RunStore(tmp_path)).shutdown()  # a server starting finds it
        assert store.get(first).error == store.get(second).error == f"{kind} stopped while this run was training"
    killed("", ids[4])  # a process that did not say what it is (the Python API): as before
    assert store.mark_orphans() == [ids[4]] and store.get(ids[4]).error == ORPHANED


@contextlib.contextmanager
def _read_only(folder: Path):
    """``folder`` made read-only for this process while the block runs: a read-only bind mount over it as root
    (root ignores file modes), ``chmod a-w`` otherwise; skipped where neither can be done here."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for p, m in modes.items():
            p.chmod(m & ~0o222)
        try:
            yield
        finally:
            for p, m in modes.items():
                p.chmod(m)
        return
    if shutil.which("mount") is None or subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                                                       capture_output=True).returncode != 0:
        pytest.skip("no read-only bind mount here")
    try:
        yield
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)  # the app's store may still hold it open


def test_a_read_only_data_directory_is_read_and_only_writes_are_refused(tmp_path, tiny_data, monkeypatch, capsys):
    """A read-only data directory (a colleague's copied results, a classroom share) refused even `runs` and every
    page with "cannot write the data directory": the store is opened read-only where it cannot be written, every
    reading command and page shows its runs, and only what writes (a run, delete, clean, Launch) says why not."""
    from streamlit.testing.v1 import AppTest

    from bertlab.cli import main
    from bertlab.errors import StoreError

    home = tmp_path / "home"
    writer = RunStore(home)
    waiting = writer.create_run(make_config("tfidf_logreg", data=tiny_data), "b-waiting")  # left queued
    done = writer.create_run(make_config("tfidf_logreg", data=tiny_data), "b-copied")
    writer.finish(done, SUCCEEDED, metrics={"test_accuracy": 0.75, "test_macro_f1": 0.7})
    stopped = writer.create_run(make_config("head_only", data=tiny_data), "b-copied")
    writer.finish(stopped, INTERRUPTED, error="the server stopped while this run was training")
    writer._conn().close()  # as copied: no -wal and -shm files beside it, which SQLite cannot make here
    del writer
    with _read_only(home):
        with pytest.raises(OSError):
            (home / "probe").write_text("x")
        store = RunStore(home)
        assert store.read_only and store.read_only.startswith(f"cannot write the data directory {str(home)!r} "
                                                              "(it is read-only or not yours to write)")
        assert {r.id for r in store.list_runs()} == {waiting, done, stopped}
        assert store.mark_interrupted() == [] and store.mark_orphans() == []
        with monkeypatch.context() as m:  # a worker that takes nothing: what is queued stays in sight
            m.setattr(JobManager, "_loop", lambda self: None)
            jobs = JobManager(store)  # a queued run is not taken: it could not be claimed, let alone trained
            assert jobs.snapshot().queued == () and store.get(waiting).status == QUEUED
            jobs.shutdown()
        with pytest.raises(StoreError, match="cannot write the data directory"):
            store.create_run(make_config("tfidf_logreg", data=tiny_data))
        with pytest.raises(StoreError, match="cannot write the data directory"):
            store.delete(done)
        assert store.get(done).status == SUCCEEDED
        capsys.readouterr()
        assert main(["runs"]) == 0 and done in capsys.readouterr().out
        assert main(["show", done[-4:]]) == 0 and done in capsys.readouterr().out
        assert main(["report", "--batch", "b-copied", "-o", str(tmp_path / "r.html")]) == 0
        assert (tmp_path / "r.html").is_file()
        for argv in (["delete", done, "--yes"], ["clean", "--caches"]):
            capsys.readouterr()
            assert main(argv) != 0
            assert "cannot write the data directory" in capsys.readouterr().err, argv
        at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120).run()
        at.switch_page("app_pages/compare.py").run()
        assert not at.exception, [x.value for x in at.exception]
        assert not [e.value for e in at.error if "cannot write" in e.value]
        notes = [i.value for i in at.info if "cannot be written" in i.value]
        assert len(notes) == 1 and "launching" in notes[0] and "are off" in notes[0]
        assert any("75.0%" in m.value for m in at.markdown)  # the finished run, shown
        assert [b.disabled for b in at.button if b.label == "Run again"] == [True], [b.label for b in at.button]
        assert all(b.disabled for b in at.button if b.label.startswith("Delete"))
        at.switch_page("app_pages/train.py").run()
        assert not at.exception, [x.value for x in at.exception]
        assert [b.disabled for b in at.button if b.label.startswith("Launch")] == [True]


def _copied_with_its_wal(tmp_path: Path, tiny_data) -> tuple[Path, str]:
    """A data directory copied while a process had its store open (a server running on the share, a colleague's
    results copied mid-session): its -wal and -shm files copied beside it. Returns it and its finished run's id."""
    writer = RunStore(tmp_path / "live")
    done = writer.create_run(make_config("tfidf_logreg", data=tiny_data), "b-copied")
    writer.finish(done, SUCCEEDED, metrics={"test_accuracy": 0.75, "test_macro_f1": 0.7})
    home = tmp_path / "home"
    shutil.copytree(tmp_path / "live", home)  # the writer still open
    assert (home / "runs.sqlite-wal").is_file() and (home / "runs.sqlite-shm").is_file()
    return home, done


def test_a_read_only_bind_mount_holding_the_stores_wal_is_read_only(tmp_path, tiny_data, monkeypatch, capsys):
    """A read-only bind mount of a data directory whose store's -wal and -shm files are there (copied with them, or
    a server still running on the share) was taken as writable: opening it writes nothing, so SQLite opened the file
    read-only without a word (read_only None), Launch stayed on with no note, and `runs`, `report`, `paired` and the
    Compare, Playground and Learning curves pages failed with "[Errno 30] Read-only file system: '.../sweeps'" (a
    traceback in the page). The store asks SQLite whether it may write (write_refused) and opens read-only."""
    from streamlit.testing.v1 import AppTest

    from bertlab.cli import main

    if os.geteuid() != 0:  # chmod a-w leaves the store's own files writable by their owner: they can be written
        pytest.skip("a read-only bind mount needs root")
    home, done = _copied_with_its_wal(tmp_path, tiny_data)
    monkeypatch.setenv("BERTLAB_HOME", str(home))
    with _read_only(home):
        with pytest.raises(OSError):
            (home / "probe").write_text("x")
        store = RunStore(home)
        assert store.read_only_reason == "it is read-only or not yours to write", store.read_only
        assert [r.id for r in store.list_runs()] == [done]
        capsys.readouterr()
        for argv in (["runs"], ["show", done[-4:]],
                     ["report", "--batch", "b-copied", "-o", str(tmp_path / "r.html")]):
            assert main(argv) == 0, (argv, capsys.readouterr().err)
        capsys.readouterr()
        assert main(["run", "--dataset", "rotten_tomatoes", "--strategies", "tfidf_logreg", "--train-size", "50",
                     "--val-size", "20", "--test-size", "50"]) == 2
        assert "cannot write the data directory" in capsys.readouterr().err
        at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120).run()
        at.switch_page("app_pages/compare.py").run()
        assert not at.exception, [x.value for x in at.exception]
        assert len([i for i in at.info if "cannot be written" in i.value]) == 1
        at.switch_page("app_pages/train.py").run()
        assert not at.exception, [x.value for x in at.exception]
        assert [b.disabled for b in at.button if b.label.startswith("Launch")] == [True]


def test_write_refused_is_sqlites_answer_not_a_lock_or_a_full_disk(tmp_path, tiny_data, monkeypatch):
    """Where no bind mount can be made: the store file opened read-only as SQLite opens it on a read-only mount
    (mode=ro, the -wal and -shm files there) is read-only (it was taken as writable); a store another writer holds
    locked is not (answered at once, not after the 30 s busy timeout), nor one whose write would fail on a full disk
    or an I/O error: SQLITE_READONLY (any of its extended codes) alone says a store cannot be written."""
    from bertlab import store as store_module
    from bertlab.store import write_refused

    home, done = _copied_with_its_wal(tmp_path, tiny_data)
    connect = sqlite3.connect

    def as_on_a_read_only_mount(path, *args, **kwargs):
        if not kwargs.get("uri") and Path(path) == home / "runs.sqlite":
            return connect(f"{Path(path).as_uri()}?mode=ro", *args, uri=True, **kwargs)
        return connect(path, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(store_module.sqlite3, "connect", as_on_a_read_only_mount)
        store = RunStore(home)
        assert store.read_only_reason == "it is read-only or not yours to write", store.read_only
        assert [r.id for r in store.list_runs()] == [done]

    locker = connect(home / "runs.sqlite", isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # a writer mid-transaction
    store = RunStore(home)
    assert store.read_only is None
    assert store._conn().execute("PRAGMA busy_timeout").fetchone()[0] == 30000  # the probe's 0 undone
    locker.execute("ROLLBACK")
    store.create_run(make_config("tfidf_logreg", data=tiny_data), "b-after")  # writable indeed

    class Answers:  # a connection whose write says what SQLite would
        def __init__(self, code: int) -> None:
            self.code, self.in_transaction, self.sent = code, False, []

        def execute(self, sql: str):
            self.sent.append(sql)
            if sql == "BEGIN IMMEDIATE":
                self.in_transaction = True
            elif sql.startswith("DELETE"):
                e = sqlite3.OperationalError(f"code {self.code}")
                e.sqlite_errorcode = self.code
                raise e
            elif sql == "ROLLBACK":
                self.in_transaction = False

    for code, refused in ((sqlite3.SQLITE_READONLY, True), (sqlite3.SQLITE_READONLY | 4 << 8, True),  # DBMOVED
                          (sqlite3.SQLITE_BUSY, False), (sqlite3.SQLITE_LOCKED, False), (sqlite3.SQLITE_FULL, False),
                          (sqlite3.SQLITE_IOERR, False), (sqlite3.SQLITE_IOERR | 3 << 8, False)):
        c = Answers(code)
        assert (write_refused(c) is not None) is refused, code
        assert "ROLLBACK" in c.sent and not c.in_transaction and c.sent[-1] == "PRAGMA busy_timeout=30000", c.sent


def test_the_worker_on_a_read_only_data_directory_says_it_cannot_write_it(tmp_path, monkeypatch, capsys):
    """`python -m bertlab worker` on a read-only data directory holding a dead process's queued run printed
    "training 1 queued run", then "queue empty", and exited 0 having trained nothing (mutation round 5: the
    read-only guard of adopt_orphaned_queue, dropped, made it fail there instead). It says, as run and clean do,
    that it cannot write the data directory."""
    from bertlab.cli import main

    home = tmp_path / "home"
    writer = RunStore(home)
    rid = writer.create_run(make_config("tfidf_logreg"), "b-left")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    writer.update(rid, owner=f"{socket.gethostname()}:{dead.pid}:{time.time():.0f}")  # queued by a process now gone
    writer._conn().close()
    del writer
    monkeypatch.setenv("BERTLAB_HOME", str(home))
    with _read_only(home):
        store = RunStore(home)
        assert store.read_only and store.adopt_orphaned_queue() == []  # nothing it could claim
        capsys.readouterr()
        assert main(["worker"]) == 2
        err = capsys.readouterr().err
        assert "cannot write the data directory" in err and "training 1 queued run" not in err
        assert store.get(rid).status == QUEUED


def test_a_sweep_saved_on_a_read_only_data_directory_says_it_cannot_write_it(tmp_path, tiny_data):
    """Mutation round 5: save_sweep without its check_writable passed test_faults and test_sweep. On a read-only data
    directory it says why, in the store's words, rather than an OSError from writing the spec's file."""
    from bertlab import sweep
    from bertlab.errors import StoreError

    home = tmp_path / "home"
    writer = RunStore(home)
    writer.create_run(make_config("tfidf_logreg", data=tiny_data), "b-copied")
    writer._conn().close()
    del writer
    spec = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[8], seeds=[0], data=tiny_data)
    with _read_only(home):
        store = RunStore(home)
        for sweep_id in (None, "sw-1"):
            with pytest.raises(StoreError, match="cannot write the data directory"):
                sweep.save_sweep(store, spec, sweep_id)
        assert sweep.list_sweeps(store) == [] and not (home / "sweeps").exists()


def test_write_refused_asks_with_no_busy_wait_and_puts_the_stores_wait_back(tmp_path):
    """The probe asks SQLite at busy timeout 0, so that a store another writer holds locked is answered at once (at
    the store's 30 s, opening it waited the writer out: mutation round 8), and the store's 30 s are put back after."""
    from bertlab.store import write_refused

    RunStore(tmp_path)  # the store's tables
    real = sqlite3.connect(tmp_path / "runs.sqlite", isolation_level=None)
    real.execute("PRAGMA busy_timeout=30000")

    class Watched:  # the real connection, noting the busy timeout each write is asked at
        def __init__(self) -> None:
            self.asked_at: list[int] = []

        @property
        def in_transaction(self) -> bool:
            return real.in_transaction

        def execute(self, sql: str):
            if sql == "BEGIN IMMEDIATE":
                self.asked_at.append(real.execute("PRAGMA busy_timeout").fetchone()[0])
            return real.execute(sql)

    c = Watched()
    assert write_refused(c) is None  # a store it may write
    assert c.asked_at == [0] and not real.in_transaction
    assert real.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    real.close()


def test_a_cancel_too_late_to_stop_a_run_leaves_its_success_without_an_error(tiny_model, tiny_data, monkeypatch):
    """A cancel asked for after the run's last check (as its model is saved) comes too late: the run succeeds. The
    request had written who asked into the run's error ("cancelled by the user", for the worker's last word), and
    the succeeded run kept it: `show` and `run --json` gave a succeeded run the error 'cancelled by the user'."""
    store = RunStore()
    rid = store.create_run(tiny(tiny_model, tiny_data))
    real = runner.serving_bytes

    def saved(*a, **kw):  # after the last _stop_if_cancelled: nothing stops the run now
        assert store.request_cancel(rid) == RUNNING
        return real(*a, **kw)

    monkeypatch.setattr(runner, "serving_bytes", saved)
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    assert run.status == SUCCEEDED and run.error is None
