"""Config validation/serialisation and the SQLite run store."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from bertlab.config import DataConfig, RunConfig
from bertlab.errors import ConfigError
from bertlab.store import CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED, RunStore
from bertlab.strategies import make_config


def test_config_round_trip():
    cfg = make_config("full_ft", epochs=3, data=DataConfig(name="tweets", train_size=100), options={"x": 1})
    again = RunConfig.from_dict(cfg.to_dict())
    assert again == cfg
    assert again.data.name == "tweets" and again.epochs == 3


def test_strategy_defaults_and_overrides():
    assert make_config("head_only").epochs == 30
    assert make_config("full_ft").learning_rate == 1e-4
    assert make_config("full_ft", learning_rate=None).learning_rate == 1e-4  # None = keep default
    assert make_config("full_ft", learning_rate=2e-5).learning_rate == 2e-5


def test_an_option_given_at_its_default_is_the_config_that_leaves_it_out():
    """The Train page's fields start at each option's default and stored it; `run` and bertlab.compare left it out:
    one run, two configs. An option at the value it has when left out is left out; others stay."""
    assert make_config("lora", options={"r": 8, "dropout": 0.1}) == make_config("lora")
    assert make_config("lora").options == {"r": 8}  # its own default options stay
    assert make_config("lora", options={"r": 4, "dropout": 0.2}).options == {"r": 4, "dropout": 0.2}
    assert make_config("scratch", options={"mlm_epochs": 0, "mlm_lr": 5e-4, "mlm_probability": 0.15}).options == {}
    assert make_config("tfidf_logreg", options={"ngram_max": 2, "max_features": 200_000, "C": 1.0}).options == {
        "C": 1.0}  # C's default is worked out on the validation split: a C given is kept
    assert make_config("dapt", options={"mlm_epochs": 1}).options == {"mlm_epochs": 1, "mlm_lr": 5e-5}


@pytest.mark.parametrize("field,value,msg", [
    ("epochs", 0, "epochs must be a whole number from 1 to 100, got 0."),
    ("learning_rate", 0.0, "learning_rate must be above 0 and at most 1 (e.g. 5e-5), got 0.0."),
    ("precision", "fp8", "precision 'fp8' is unknown; use one of ('auto', 'fp32', 'bf16', 'fp16')."),
    ("patience", -1, "patience must be a whole number from 0 to 100, got -1."),
])
def test_config_errors_name_field_and_value(field, value, msg):
    with pytest.raises(ConfigError) as e:
        make_config("full_ft", **{field: value})
    assert str(e.value) == msg


@pytest.mark.parametrize("field,value,msg", [
    ("weight_decay", "0.01", "weight_decay must be in [0, 1], got '0.01'."),
    ("warmup_ratio", None, "warmup_ratio must be in [0, 1), got None."),
    ("grad_clip", "1", "grad_clip must be above 0, got '1'."),
    ("grad_clip", True, "grad_clip must be above 0, got True."),
    ("new_vocab", "yes", "new_vocab must be true or false, got 'yes'."),
])
def test_optimiser_settings_that_are_not_numbers_are_config_errors_not_type_errors(field, value, msg):
    """RunConfig.validate says it checks every field and raises ConfigError naming the field, the value and the
    fix, but a weight_decay, warmup_ratio or grad_clip that is not a number (compare(settings={'full_ft':
    {'weight_decay': 'x'}}), a hand-written spec) failed its range check with "TypeError: '<=' not supported
    between instances of 'int' and 'str'", and new_vocab='yes' or grad_clip=True was kept. A number of numpy's
    type is still one."""
    import numpy as np

    with pytest.raises(ConfigError) as e:
        RunConfig("full_ft", **{field: value})
    assert str(e.value) == msg
    assert make_config("full_ft", weight_decay=np.float32(0.5), grad_clip=np.int64(2)).grad_clip == 2


def test_unknown_strategy_and_fields():
    with pytest.raises(ConfigError, match="strategy 'magic' is unknown"):
        make_config("magic")
    with pytest.raises(ConfigError, match=r"unknown config fields \['bogus'\]"):
        RunConfig.from_dict({"strategy": "full_ft", "bogus": 1})


def test_store_round_trip_and_points():
    store = RunStore()
    cfg = make_config("full_ft")
    rid = store.create_run(cfg, "batch1")
    run = store.get(rid)
    assert run.status == QUEUED and run.batch_id == "batch1" and run.run_config == cfg
    assert store.claim(rid, "cpu")
    assert not store.claim(rid, "cpu")  # only once
    store.add_points(rid, [("train_loss", 1, 0.1, 0.9), ("train_loss", 2, 0.2, 0.8)])
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8}, costs={"train_seconds": 1.5})
    run = store.get(rid)
    assert run.status == SUCCEEDED and run.metrics["test_accuracy"] == 0.8 and run.finished
    pts = store.points([rid])
    assert [p["value"] for p in pts] == [0.9, 0.8]
    # a second store object on the same directory sees the same data (page refresh, restart)
    assert RunStore(store.root).get(rid).metrics == {"test_accuracy": 0.8}


def test_cancel_queued_and_running_and_interrupt():
    store = RunStore()
    a, b = store.create_run(make_config("full_ft")), store.create_run(make_config("full_ft"))
    assert store.request_cancel(a) == CANCELLED
    assert store.get(a).error == "cancelled by the user before it started"  # the status line says why
    assert store.get(a).status == CANCELLED
    store.claim(b, "cpu")
    assert store.request_cancel(b) == RUNNING and store.cancel_requested(b)
    staging = store.staging_path(b)
    (staging / "model.safetensors").write_bytes(b"half written")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a server that trained b, stopped since
    store.update(b, owner=f"{socket.gethostname()}:{dead.pid}:{time.time():.0f}")
    assert store.mark_interrupted() == [b]
    assert store.get(b).status == INTERRUPTED
    assert not staging.exists()  # nothing can finish writing an interrupted run's weights: they go at once
    assert store.request_cancel("nope") is None


def test_store_concurrent_writers():
    store = RunStore()
    rid = store.create_run(make_config("full_ft"))

    def write(k: int) -> None:
        for i in range(50):
            store.add_points(rid, [(f"s{k}", i, float(i), float(k))])

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.points([rid])) == 200


def test_list_runs_filters():
    store = RunStore()
    ids = [store.create_run(make_config("zero_shot"), "b1") for _ in range(3)]
    other = store.create_run(make_config("zero_shot"), "b2")
    assert {r.id for r in store.list_runs(batch_id="b1")} == set(ids)
    assert store.list_runs(limit=1)[0].id == other
    store.delete(other)
    assert store.get(other) is None


def test_list_runs_takes_runs_that_pass_every_filter_given():
    """A status and a batch together: the runs of that batch in that status, not those of either."""
    store = RunStore()
    done, queued = (store.create_run(make_config("zero_shot"), "b1") for _ in range(2))
    elsewhere = store.create_run(make_config("zero_shot"), "b2")
    for rid in (done, elsewhere):
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED)
    assert [r.id for r in store.list_runs(status=(SUCCEEDED,), batch_id="b1")] == [done]
    assert [r.id for r in store.list_runs(status=(QUEUED,), batch_id="b2")] == []
    assert {r.id for r in store.list_runs(status=(QUEUED, SUCCEEDED), batch_id="b1")} == {done, queued}


def test_a_batch_is_undone_only_where_every_run_was_cancelled_or_interrupted():
    from types import SimpleNamespace

    from bertlab.store import undone_batches, undone_groups

    def run(batch, status):
        return SimpleNamespace(batch_id=batch, status=status)

    runs = [run("gone", CANCELLED), run("gone", INTERRUPTED), run("half", CANCELLED), run("half", SUCCEEDED),
            run("ok", SUCCEEDED)]
    assert undone_batches(runs) == {"gone"}  # 'half' has a finished run to show
    assert undone_groups({"empty": [], "half": [run("half", INTERRUPTED), run("half", QUEUED)]}) == set()


def test_an_underscore_in_a_run_reference_is_a_literal_not_any_character():
    """Ids have no '_': a reference of underscores names no run, never 'any four characters' (the only run)."""
    from bertlab.errors import BertlabError

    store = RunStore()
    rid = store.create_run(make_config("zero_shot"))
    with pytest.raises(BertlabError, match="no run with id '____'"):
        store.resolve_id("____")
    assert store.resolve_id(rid[-4:]) == rid


def test_ids_of_a_status_match_the_runs_listed():
    """The sidebar's 2-second check for a run that finished (the app reruns to show it) reads ids only."""
    store = RunStore()
    ids = [store.create_run(make_config("zero_shot"), "b1") for _ in range(3)]
    store.claim(ids[0], "cpu")
    store.finish(ids[0], SUCCEEDED)
    assert store.ids(status=(SUCCEEDED,)) == {ids[0]} == {r.id for r in store.list_runs(status=(SUCCEEDED,))}
    assert store.ids(status=(QUEUED, SUCCEEDED)) == set(ids)


def test_a_run_is_found_by_the_end_of_its_id_as_the_app_shows_it():
    from bertlab.errors import BertlabError

    store = RunStore()
    a = store.create_run(make_config("full_ft"))
    b = store.create_run(make_config("head_only"))
    while b[:-2] == a[:-2] or b[-4:] in a:  # ids end in 6 random hex digits: two in one second may share 4 (CI did)
        store.delete(b)
        b = store.create_run(make_config("head_only"))
    assert store.resolve_id(a) == a and store.resolve_id(b[-4:]) == b
    assert store.resolve_id(f"full_ft · {a[-4:]}") == a  # the label copied from the app
    assert store.resolve_id(a[:-2]) == a  # or the start of the id
    with pytest.raises(BertlabError, match=f"matches 2 runs: {a} \\(full_ft\\), {b} \\(head_only\\)"):
        store.resolve_id(a[:9])  # the same date: both
    with pytest.raises(BertlabError, match="no run with id 'zzzz'"):
        store.resolve_id("zzzz")
    with pytest.raises(BertlabError, match="no run with id '%'"):
        store.resolve_id("%")  # a LIKE wildcard is a literal here, never "every run"


def test_restart_leaves_runs_of_other_live_processes_alone():
    import subprocess
    import sys

    import psutil

    store = RunStore()
    mine, theirs, dead = (store.create_run(make_config("full_ft")) for _ in range(3))
    for r in (mine, theirs, dead):
        store.claim(r, "cpu")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import socket

        host = socket.gethostname()
        store.update(theirs, owner=f"{host}:{child.pid}:{psutil.Process(child.pid).create_time():.0f}")
        store.update(dead, owner=f"{host}:999999:1")
        assert sorted(store.mark_interrupted()) == sorted([mine, dead])
        assert store.get(theirs).status == RUNNING
    finally:
        child.kill()
        child.wait()
    assert store.mark_interrupted() == [theirs]  # its process is gone now


def test_a_run_whose_process_died_is_not_left_running_in_an_open_app():
    """A CLI killed mid-run: an app already open must not show its run 'running' forever."""
    import socket
    import subprocess
    import sys

    import psutil

    store = RunStore()
    mine, theirs, dead, dead2 = (store.create_run(make_config("full_ft")) for _ in range(4))
    for r in (mine, theirs, dead, dead2):
        store.claim(r, "cpu")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()
        store.update(theirs, owner=f"{host}:{child.pid}:{psutil.Process(child.pid).create_time():.0f}")
        child_gone = subprocess.Popen([sys.executable, "-c", "pass"])
        child_gone.wait()
        store.update(dead, owner=f"{host}:{child_gone.pid}:1")
        store.update(dead2, owner=f"{host}:999999:1")
        # Cancel acts at once on a run nobody trains any more, and only flags the live ones.
        assert store.request_cancel(dead2) == CANCELLED
        assert store.request_cancel(theirs) == RUNNING and store.cancel_requested(theirs)
        # The idle sweep: this process's own run (being trained here) and the live process's are left alone.
        assert store.mark_orphans() == [dead]
        assert store.get(dead).status == INTERRUPTED and "stopped" in store.get(dead).error
        assert store.get(mine).status == RUNNING and store.get(theirs).status == RUNNING
    finally:
        child.kill()
        child.wait()
    assert store.mark_orphans() == [theirs]


def test_runs_marks_a_killed_cli_runs_run_interrupted_without_blaming_the_server(capsys):
    """A review: a `run` killed mid-training, then `bertlab runs`: "full_ft: the server stopped while this run was
    training"; no server had run. The CLI cannot tell whose process it was, and says so neutrally."""
    import socket

    from bertlab.cli import main
    from bertlab.store import ORPHANED

    store = RunStore()
    rid = store.create_run(make_config("full_ft"))
    store.claim(rid, "cpu")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store.update(rid, owner=f"{socket.gethostname()}:{gone.pid}:1")
    assert main(["runs"]) == 0
    capsys.readouterr()
    assert store.get(rid).status == INTERRUPTED and store.get(rid).error == ORPHANED
    assert "server" not in ORPHANED


def test_the_idle_worker_sweeps_orphaned_runs(monkeypatch):
    import socket

    from bertlab import jobs

    monkeypatch.setattr(jobs, "ORPHAN_CHECK_S", 0.05)
    store = RunStore()
    rid = store.create_run(make_config("full_ft"))
    store.claim(rid, "cpu")
    jm = jobs.JobManager(store)  # starts with nothing orphaned...
    try:
        store.update(rid, status=RUNNING, owner=f"{socket.gethostname()}:999999:1")  # ...then a CLI dies
        deadline = time.monotonic() + 30
        while store.get(rid).status == RUNNING and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.get(rid).status == INTERRUPTED
    finally:
        jm.shutdown()


def test_deleting_the_data_directory_under_a_running_server_starts_afresh(bertlab_home):
    """The sidebar says "delete it to start afresh": pages (a new thread per rerun) and the worker's own
    connection must then see a new, empty store, not fail on every page until a restart."""
    import shutil

    store = RunStore()
    old = store.create_run(make_config("zero_shot"))
    shutil.rmtree(store.root)
    seen = {}

    def page():  # a Streamlit rerun: its own thread, its own connection
        seen["runs"] = store.list_runs()
        seen["new"] = store.create_run(make_config("zero_shot"))

    t = threading.Thread(target=page)
    t.start()
    t.join()
    assert seen["runs"] == [] and store.get(old) is None  # this thread's old connection follows too
    assert [r.id for r in store.list_runs()] == [seen["new"]] and store.artifact_path(seen["new"]).parent.is_dir()


def test_a_store_made_by_an_older_bertlab_gains_the_new_columns(tmp_path):
    import sqlite3

    root = tmp_path / "old"
    (root / "runs").mkdir(parents=True)
    with sqlite3.connect(root / "runs.sqlite") as c:  # the runs table as the first releases made it
        c.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, batch_id TEXT, created REAL, started REAL, finished REAL,"
                  " status TEXT NOT NULL, strategy TEXT, dataset TEXT, model TEXT, device TEXT, config TEXT NOT NULL,"
                  " progress REAL DEFAULT 0, phase TEXT DEFAULT '', metrics TEXT, costs TEXT, error TEXT,"
                  " traceback TEXT, artifact_dir TEXT, notes TEXT DEFAULT '[]', data_summary TEXT,"
                  " cancel_requested INTEGER DEFAULT 0)")
    store = RunStore(root)
    rid = store.create_run(make_config("full_ft"))
    store.claim(rid, "cpu")
    store.update(rid, phase_started=123.0)
    run = store.get(rid)
    assert run.owner and run.phase_started == 123.0
    assert run.progress_at is None  # not recorded yet: read as absent
    store.update(rid, progress_at=124.0)
    assert store.get(rid).progress_at == 124.0


def test_a_store_whose_progress_table_predates_pace_started_gains_it(tmp_path):
    """run_progress as 41b5b34 made it (progress_at alone): the estimate's start of a phase (pace_started) is kept
    beside it, the column added on opening, and a run's phase_started stays when its phase began."""
    import sqlite3

    store = RunStore(tmp_path)
    rid = store.create_run(make_config("full_ft"))
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:  # the table as it was
        c.execute("DROP TABLE run_progress")
        c.execute("CREATE TABLE run_progress (run_id TEXT PRIMARY KEY, progress_at REAL)")
    store = RunStore(tmp_path)
    store.update(rid, phase_started=100.0, progress_at=160.0, pace_started=112.0)
    run = store.get(rid)
    assert (run.phase_started, run.progress_at, run.pace_started) == (100.0, 160.0, 112.0)
    store.update(rid, pace_started=None)  # too early to tell again (a new phase's first step)
    assert [(r.progress_at, r.pace_started) for r in store.list_runs()] == [(160.0, None)]


def test_a_read_only_store_whose_progress_table_predates_pace_started_is_read_without_it(tmp_path, monkeypatch):
    """A store made before pace_started, opened read-only (no column can be added): its runs are listed and shown,
    the pace's start read from phase_started (mutation round 8: the query naming the missing column failed every
    page with 'no such column')."""
    import sqlite3
    from pathlib import Path

    from bertlab import store as store_module

    store = RunStore(tmp_path)
    rid = store.create_run(make_config("full_ft"))
    store.update(rid, phase_started=100.0, progress_at=160.0)
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:  # the table as it was
        c.execute("DROP TABLE run_progress")
        c.execute("CREATE TABLE run_progress (run_id TEXT PRIMARY KEY, progress_at REAL)")
        c.execute("INSERT INTO run_progress VALUES (?, 160.0)", (rid,))
    connect = sqlite3.connect

    def read_only(path, *args, **kwargs):
        if not kwargs.get("uri") and str(path).endswith("runs.sqlite"):
            return connect(f"{Path(path).as_uri()}?mode=ro", *args, uri=True, **kwargs)
        return connect(path, *args, **kwargs)

    monkeypatch.setattr(store_module.sqlite3, "connect", read_only)
    ro = RunStore(tmp_path)
    assert ro.read_only is not None
    assert [r.id for r in ro.list_runs()] == [rid]
    run = ro.get(rid)
    assert (run.phase_started, run.progress_at, run.pace_started) == (100.0, 160.0, 100.0)


def test_a_run_an_older_bertlab_trains_in_this_store_keeps_its_time_left(tmp_path):
    """bertlab up to 4d07d53 (another checkout sharing the data directory: a CLI run beside this app) writes its
    pace's start in phase_started and never pace_started: read here, its run had no time left for all its training
    (pace_started None), where that bertlab itself said 75 s. A run without one is read with its phase_started as
    the pace's start; this bertlab's own "too early to tell" (None after a phase's first step) stays None."""
    from bertlab.estimate import run_time_left

    store = RunStore(tmp_path)
    old, new = store.create_run(make_config("full_ft")), store.create_run(make_config("full_ft"))
    for rid in (old, new):
        store.claim(rid, "cpu")
    # what 4d07d53's runner writes: StoreCallbacks._flush with phase_started=pace_start()
    store.update(old, phase_started=110.0, progress=0.5, progress_at=190.0, phase="train")
    run = RunStore(tmp_path).get(old)
    assert run.pace_started == 110.0  # the old code: None
    assert run_time_left(run, 195.0) == 75.0  # as 4d07d53 reads it: 80 s for the first half, 5 s since
    # this bertlab's: the phase began at 100, too early to tell after its first step
    store.update(new, phase_started=100.0, pace_started=100.0, progress=0.0, progress_at=100.0, phase="train")
    store.update(new, progress=0.1, progress_at=117.0, pace_started=None)
    run = RunStore(tmp_path).get(new)
    assert (run.phase_started, run.pace_started) == (100.0, None) and run_time_left(run, 190.0) is None
    store.update(new, progress=0.2, progress_at=121.0, pace_started=113.0)
    assert RunStore(tmp_path).get(new).pace_started == 113.0


def test_an_older_bertlab_can_still_read_a_store_this_one_wrote(tmp_path):
    """Bertlab up to de00c71 reads a run as Run(**row) of `SELECT * FROM runs`: a runs column it does not know is a
    TypeError (progress_at, added as one in e8c73f0's store, broke its every page and `runs` on the same data
    directory). The columns it knows stay the runs table's only ones; progress_at is kept beside it."""
    import sqlite3

    store = RunStore(tmp_path)
    rid = store.create_run(make_config("full_ft"))
    store.claim(rid, "cpu")
    store.update(rid, progress=0.5, phase="train", phase_started=100.0, progress_at=160.0)
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        columns = {r[1] for r in c.execute("PRAGMA table_info(runs)")}
    assert columns == {"id", "batch_id", "created", "started", "finished", "status", "strategy", "dataset", "model",
                       "device", "config", "progress", "phase", "metrics", "costs", "error", "traceback",
                       "artifact_dir", "notes", "data_summary", "cancel_requested", "owner", "phase_started"}
    run = store.get(rid)
    assert (run.progress, run.phase_started, run.progress_at) == (0.5, 100.0, 160.0)
    assert [r.progress_at for r in store.list_runs(status=("running",))] == [160.0]
    store.update(rid, progress_at=170.0)  # alone, and again: one row a run
    assert RunStore(tmp_path).get(rid).progress_at == 170.0
    store.finish(rid, "succeeded")
    store.delete(rid)
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        assert c.execute("SELECT COUNT(*) FROM run_progress").fetchone()[0] == 0


def test_no_progress_row_outlives_its_run(tmp_path):
    """run_progress keeps no row for a run the store no longer has: neither from a progress written after the run
    was deleted (a runner's last flush), nor from a delete by an older bertlab, which knows only runs and points."""
    import sqlite3

    store = RunStore(tmp_path)
    gone, old_deleted = store.create_run(make_config("full_ft")), store.create_run(make_config("full_ft"))
    store.update(old_deleted, progress=0.5, progress_at=150.0)
    store.finish(gone, "succeeded")
    store.delete(gone)
    store.update(gone, progress=1.0, progress_at=160.0)
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        assert c.execute("SELECT run_id FROM run_progress").fetchall() == [(old_deleted,)]
        c.execute("DELETE FROM points WHERE run_id=?", (old_deleted,))  # as de00c71's delete does
        c.execute("DELETE FROM runs WHERE id=?", (old_deleted,))
    RunStore(tmp_path).list_runs()  # the next bertlab to open it
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        assert c.execute("SELECT COUNT(*) FROM run_progress").fetchone()[0] == 0


def test_a_store_a_bertlab_made_with_progress_at_as_a_runs_column_reads_the_new_one(tmp_path):
    import sqlite3

    store = RunStore(tmp_path)
    rid = store.create_run(make_config("full_ft"))
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:  # as 41b5b34 left it: its stale value is not read
        c.execute("ALTER TABLE runs ADD COLUMN progress_at REAL")
        c.execute("UPDATE runs SET progress_at=5.0")
    fresh = RunStore(tmp_path)
    assert fresh.get(rid).progress_at is None
    fresh.update(rid, progress_at=9.0)
    assert fresh.get(rid).progress_at == 9.0 and fresh.list_runs()[0].progress_at == 9.0


def test_a_store_with_a_column_a_newer_bertlab_added_still_opens(tmp_path):
    import sqlite3

    store = RunStore(tmp_path)
    rid = store.create_run(make_config("full_ft"))
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        c.execute("ALTER TABLE runs ADD COLUMN added_later REAL")
    fresh = RunStore(tmp_path)
    assert fresh.get(rid).id == rid and [r.id for r in fresh.list_runs()] == [rid]


def test_a_run_this_process_still_trains_keeps_its_staging_when_marked(tmp_path):
    """A second job manager in the same process (Streamlit's "Clear cache") marks runs: it must not delete the
    weights a thread here is writing, nor those of a run whose dead process a cancel finds."""
    store = RunStore()
    rid = store.create_run(make_config("full_ft"))
    store.claim(rid, "cpu")  # owned by this process
    staging = store.staging_path(rid)
    store.mark_interrupted()
    assert staging.is_dir()
    other = store.create_run(make_config("full_ft"))
    store.claim(other, "cpu")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.update(other, owner=f"{socket.gethostname()}:{dead.pid}:{time.time():.0f}")
    gone = store.staging_path(other)
    assert store.request_cancel(other) == CANCELLED and not gone.exists()


@pytest.mark.parametrize("column, value", [("metrics", '{"test_accuracy": 0.8, "per_cl'), ("config", '{"strat'),
                                           ("metrics", "[1, 2]"), ("notes", "")])
def test_a_run_whose_stored_json_is_cut_short_reads_as_failed_and_the_others_still_list(tmp_path, column, value):
    """A run's row holding JSON cut mid-way (a disk that filled, a hand edit) made every page and command (`runs`,
    `report`, `predict`, Compare, Playground) fail with a JSONDecodeError: the other runs went unseen."""
    import sqlite3

    store = RunStore(tmp_path)
    good, bad = (store.create_run(make_config("head_only")) for _ in range(2))
    for rid in (good, bad):
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8}, costs={"train_seconds": 1.5})
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        c.execute(f"UPDATE runs SET {column}=? WHERE id=?", (value, bad))
    runs = {r.id: r for r in RunStore(tmp_path).list_runs()}
    assert runs[good].status == SUCCEEDED and runs[good].metrics == {"test_accuracy": 0.8}
    if value == "":  # an empty column is read as empty, as before: nothing damaged
        assert runs[bad].status == SUCCEEDED and runs[bad].notes == []
        return
    assert runs[bad].status == FAILED and runs[bad].metrics == {} and runs[bad].costs == {}
    assert runs[bad].error.startswith(f"its stored record cannot be read ({column}: ")
    assert f"bertlab delete {bad}" in runs[bad].error
    if column == "config":  # Run again on it: a sentence, not a TypeError from RunConfig({})
        with pytest.raises(ConfigError, match="its stored record cannot be read"):
            _ = runs[bad].run_config
    else:
        assert runs[bad].run_config == make_config("head_only")


def test_a_run_whose_notes_alone_are_damaged_keeps_its_results_and_predict_names_a_damaged_field(
        tmp_path, tiny_data, monkeypatch, capsys):
    """One damaged field failed the whole run: its notes alone cut short (caveats, not results) lost its metrics
    and model too, and `predict` on a run whose data_summary was cut short said only "is failed; only succeeded
    runs can predict". Notes alone degrade (one note says what was lost; the run keeps its status, metrics and
    model); a result field still fails the run (its metrics), and predict says which field and what to do (a data
    summary cut short degrades too now: the test below)."""
    import sqlite3

    from bertlab.cli import main
    from bertlab.runner import execute_run

    monkeypatch.setenv("BERTLAB_HOME", str(tmp_path))
    store = RunStore(tmp_path)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    execute_run(store, rid)
    kept = store.get(rid)
    assert kept.status == SUCCEEDED and kept.metrics
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        c.execute("UPDATE runs SET notes=? WHERE id=?", ('["dropped 3 dupl', rid))
    run = RunStore(tmp_path).get(rid)
    assert run.status == SUCCEEDED and run.metrics == kept.metrics and run.costs == kept.costs and not run.error
    assert len(run.notes) == 1 and run.notes[0].startswith("its stored notes cannot be read (JSONDecodeError: ")
    assert run.notes[0].endswith("the rest of its record (results, costs, settings, model) is shown as stored")
    capsys.readouterr()
    assert main(["predict", rid, "a fine film"]) == 0
    assert rid in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        c.execute("UPDATE runs SET notes='[]', metrics=? WHERE id=?", ('{"test_acc', rid))
    assert RunStore(tmp_path).get(rid).status == FAILED
    assert main(["predict", rid, "a fine film"]) == 2
    err = capsys.readouterr().err
    assert f"run {rid} cannot predict: its stored record cannot be read (metrics: JSONDecodeError: " in err
    assert f"bertlab delete {rid}" in err and "is failed" not in err


def test_a_run_whose_data_summary_is_damaged_keeps_its_results_with_a_note_and_does_not_predict(
        tmp_path, tiny_data, monkeypatch, capsys):
    """A data summary cut short failed the whole run (note57): its results, costs and model were hidden for a record
    of its data's sizes and classes. It degrades as damaged notes do: the run keeps its status, metrics and costs,
    a note says what was lost; it does not predict (whether it reads text pairs is in that summary), saying why."""
    import sqlite3

    from bertlab.cli import main
    from bertlab.runner import execute_run

    monkeypatch.setenv("BERTLAB_HOME", str(tmp_path))
    store = RunStore(tmp_path)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    execute_run(store, rid)
    kept = store.get(rid)
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        c.execute("UPDATE runs SET data_summary=? WHERE id=?", ('{"sizes": {"tr', rid))
    run = RunStore(tmp_path).get(rid)
    assert run.status == SUCCEEDED and not run.error  # the old code: failed, "its stored record cannot be read"
    assert run.metrics == kept.metrics and run.costs == kept.costs and run.data_summary == {}
    assert run.notes[0].startswith("its stored data summary cannot be read (JSONDecodeError: ")
    assert run.notes[1:] == kept.notes  # its own notes kept after it
    capsys.readouterr()
    assert main(["predict", rid, "a fine film"]) == 2
    err = capsys.readouterr().err
    assert (f"run {rid} cannot predict: its stored data summary cannot be read, so whether it reads a text or a text "
            "pair is unknown") in err and f"bertlab delete {rid}" in err
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:  # its notes too: one note for each
        c.execute("UPDATE runs SET notes=? WHERE id=?", ('["dropped 3 dupl', rid))
    run = RunStore(tmp_path).get(rid)
    assert run.status == SUCCEEDED and len(run.notes) == 2
    assert run.notes[0].startswith("its stored data summary cannot be read (JSONDecodeError: ")
    assert run.notes[1].startswith("its stored notes cannot be read (JSONDecodeError: ")
    assert main(["runs"]) == 0 and rid in capsys.readouterr().out


def test_a_run_whose_notes_and_another_field_are_damaged_still_reads_as_failed(tmp_path, tiny_data):
    """Notes alone degrade (the run keeps its results); damaged notes beside a damaged result field (its metrics)
    are not notes alone: the run reads as failed, naming the fields, not as succeeded with no metrics."""
    import sqlite3

    store = RunStore(tmp_path)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.5}, notes=["a note"])
    with sqlite3.connect(tmp_path / "runs.sqlite") as c:
        c.execute("UPDATE runs SET notes=?, metrics=? WHERE id=?", ('["dropped 3 dupl', '{"test_acc', rid))
    run = RunStore(tmp_path).get(rid)
    assert run.status == FAILED and run.error.startswith("its stored record cannot be read")
    assert "metrics: JSONDecodeError" in run.error and not run.metrics


def test_queued_elsewhere_counts_only_other_live_processes_runs_less_those_skipped(tmp_path, tiny_data):
    """The sidebar's '… and N more queued by another process': the runs a live other process queued, oldest first,
    less those the page lists itself (``skip``); not this process's queued runs nor a dead process's."""
    import socket

    import psutil

    store = RunStore(tmp_path)
    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = f"{socket.gethostname()}:{cli.pid}:{psutil.Process(cli.pid).create_time():.0f}"
        theirs = []
        for i in range(10):
            theirs.append(rid := store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=i)))
            store.update(rid, owner=owner)
        for i in range(3):  # this process's own
            store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=100 + i))
        dead = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=200))
        store.update(dead, owner=f"{socket.gethostname()}:999999999:1")
        shown, n = store.queued_elsewhere(4)
        assert [r.id for r in shown] == theirs[:4] and n == 10
        shown, n = store.queued_elsewhere(4, {theirs[0], theirs[5]})
        assert [r.id for r in shown] == [theirs[1], theirs[2], theirs[3], theirs[4]] and n == 8
    finally:
        cli.kill()
        cli.wait()


@pytest.mark.parametrize("damage", [b"not a database" * 100, b"SQLite format 3\x00" + b"\x10\x00" + b"\xff" * 4000])
def test_a_damaged_run_store_is_a_sentence_saying_what_to_do(tmp_path, capsys, monkeypatch, damage):
    """runs.sqlite that SQLite cannot read (overwritten, cut short) made every command exit 1 with a
    sqlite3.DatabaseError traceback, and the app show it on every page."""
    from bertlab.cli import main
    from bertlab.errors import StoreError

    (tmp_path / "runs.sqlite").write_bytes(damage)
    with pytest.raises(StoreError, match=r"runs\.sqlite' is damaged and cannot be read \(.+\)\. Move it aside"):
        RunStore(tmp_path)
    monkeypatch.setenv("BERTLAB_HOME", str(tmp_path))
    assert main(["runs"]) == 2
    assert "is damaged and cannot be read" in capsys.readouterr().err
    (tmp_path / "runs.sqlite").rename(tmp_path / "runs.sqlite.damaged")  # what the message says to do
    assert RunStore(tmp_path).list_runs() == []


def test_listing_runs_again_decodes_only_the_rows_that_changed(tmp_path, monkeypatch):
    """Compare lists every run of the store on each rerun (several times): 500 runs' JSON was decoded again every
    time, though a finished run's row never changes. A changed row is read anew; a run handed out is the caller's."""
    from bertlab import store as store_mod

    s = RunStore(tmp_path)
    ids = [s.create_run(make_config("tfidf_logreg", data=DataConfig(name="rotten_tomatoes"))) for _ in range(30)]
    for i in ids:
        s.update(i, status="succeeded", metrics={"accuracy": 0.5}, notes=["a note"])
    decoded = []
    real = store_mod._decode
    monkeypatch.setattr(store_mod, "_decode", lambda row: decoded.append(row["id"]) or real(row))
    assert len(s.list_runs()) == 30
    first = len(decoded)
    runs = s.list_runs()
    assert len(decoded) == first and [r.id for r in runs] == [r.id for r in s.list_runs()]
    s.update(ids[3], metrics={"accuracy": 0.75})
    again = s.list_runs()
    assert decoded[first:] == [ids[3]] and next(r for r in again if r.id == ids[3]).metrics == {"accuracy": 0.75}
    runs[0].status, runs[0].artifact_dir = "failed", "elsewhere"  # the caller's copy: the next read is the row's
    assert s.get(runs[0].id).status == "succeeded" and s.get(runs[0].id).artifact_dir is None


def test_a_process_kind_is_kept_while_its_process_holds_a_running_run_and_then_dropped(tmp_path, monkeypatch):
    """process_kinds kept a row for every process that ever claimed a run (3 rows after 3 `worker` processes had
    each trained a run and exited). A row goes once its process holds no running run (its runs ended, or it died
    and its run was marked interrupted, the reason said first); while it trains one it stays, for a SIGKILL."""
    import signal
    import sqlite3
    from pathlib import Path

    from bertlab import store as store_module

    def kinds() -> list[str]:
        return [r[0] for r in sqlite3.connect(tmp_path / "runs.sqlite").execute("SELECT kind FROM process_kinds")]

    worker = "the `python -m bertlab worker` process"
    monkeypatch.setattr(store_module, "_PROCESS_KIND", [worker])
    store = RunStore(tmp_path)
    a, b, c = (store.create_run(make_config("tfidf_logreg")) for _ in range(3))
    assert store.claim(a, "cpu") and store.claim(b, "cpu") and kinds() == [worker]
    store.finish(a, SUCCEEDED)
    assert kinds() == [worker]  # b still trains here
    store.finish(b, FAILED)
    assert kinds() == []
    killed = subprocess.run([sys.executable, "-c", "import os, signal, sys\nfrom bertlab import store\n"
                             "store.set_process_kind('the server')\n"
                             "assert store.RunStore(sys.argv[1]).claim(sys.argv[2], 'cpu')\n"
                             "os.kill(os.getpid(), signal.SIGKILL)\n", str(tmp_path), c],
                            cwd=Path(__file__).parent.parent, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert kinds() == ["the server"]  # its run is left 'running': kept until that is said
    assert store.mark_orphans() == [c] and store.get(c).error == "the server stopped while this run was training"
    assert kinds() == []


def test_the_decoded_runs_cache_keeps_to_its_size_in_characters(tmp_path, monkeypatch):
    """The decoded runs are kept up to DECODED_CACHE_CHARS of their rows' characters, the least recently used out
    first: a server listing a large store on every rerun holds that much, not every row it ever decoded."""
    from bertlab import store as store_mod

    monkeypatch.setattr(store_mod, "_DECODED", store_mod.OrderedDict())
    monkeypatch.setattr(store_mod, "_DECODED_CHARS", [0])
    s = RunStore(tmp_path)
    ids = [s.create_run(make_config("tfidf_logreg", data=DataConfig(name="rotten_tomatoes"))) for _ in range(20)]
    row = s._conn().execute(f"{store_mod._SELECT} WHERE runs.id=?", (ids[0],)).fetchone()
    one = sum(len(v) for v in tuple(row) if isinstance(v, str))
    monkeypatch.setattr(store_mod, "DECODED_CACHE_CHARS", 5 * one)
    assert len(s.list_runs()) == 20
    assert 3 <= len(store_mod._DECODED) <= 6 and store_mod._DECODED_CHARS[0] <= 5 * one
    assert store_mod._DECODED_CHARS[0] == sum(chars for _, chars in store_mod._DECODED.values())
    assert {k[0] for k in store_mod._DECODED} <= set(ids[:6])  # listed newest first: the oldest, decoded last, kept


def _open_store_files(store: RunStore) -> int:
    """How many of this process's file descriptors are open on ``store``'s database or its WAL (Linux's /proc)."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}") in (str(store.path), f"{store.path}-wal")
        except OSError:  # the listing's own descriptor, closed since
            pass
    return n


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through Linux's /proc")
def test_a_thread_that_ends_closes_its_store_connection(tmp_path):
    # Streamlit runs every rerun of a page in a thread of its own, and each thread opens its own connection. A
    # connection sits in a reference cycle (its statement cache), so when the thread ended it stayed open until a
    # full garbage collection, which the app no longer forces after each rerun (postScriptGC = false): 300
    # Playground predictions had the server hold 65 connections at once (65 open database files, 63 WALs, and
    # each its page cache).
    store = RunStore(tmp_path / "home")
    store.create_run(make_config("zero_shot", data=DataConfig(train_size=10)))
    before = _open_store_files(store)
    was_on = gc.isenabled()
    gc.disable()  # the collections Python makes by itself are what the app waited on: none here
    try:
        for _ in range(20):
            t = threading.Thread(target=lambda: store.list_runs(limit=None))
            t.start()
            t.join()
        assert _open_store_files(store) <= before + 2  # the last thread's, at most (SQLite may keep a file to reuse)
    finally:
        if was_on:
            gc.enable()
    assert len(store.list_runs(limit=None)) == 1  # the main thread's connection still works


def _claimed_by_a_killed_process(root, run_id: str, kind: str) -> None:
    """``run_id`` claimed by a process of ``kind`` that was then SIGKILLed: left 'running', its kind's row kept."""
    import signal
    from pathlib import Path

    killed = subprocess.run([sys.executable, "-c", "import os, signal, sys\nfrom bertlab import store\n"
                             f"store.set_process_kind({kind!r})\n"
                             "assert store.RunStore(sys.argv[1]).claim(sys.argv[2], 'cpu')\n"
                             "os.kill(os.getpid(), signal.SIGKILL)\n", str(root), run_id],
                            cwd=Path(__file__).parent.parent, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr


def _process_kinds(root) -> list[str]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(root / "runs.sqlite")) as c:
        return [r[0] for r in c.execute("SELECT kind FROM process_kinds ORDER BY kind")]


def test_a_dead_processs_kind_goes_when_its_run_is_cancelled_or_marked_interrupted(tmp_path):
    """Mutation round 7: the row of a process killed mid-run goes once its run is said to have stopped, whichever
    of the store's three ways says it: mark_orphans (the test above), a Cancel of the orphan (request_cancel) and a
    restarted server's mark_interrupted; a row left there outlived every run its process trained."""
    store = RunStore(tmp_path)
    a, b = (store.create_run(make_config("tfidf_logreg")) for _ in range(2))
    _claimed_by_a_killed_process(tmp_path, a, "the `python -m bertlab worker` process")
    assert _process_kinds(tmp_path) == ["the `python -m bertlab worker` process"]
    assert store.request_cancel(a) == CANCELLED
    assert store.get(a).error == "cancelled by the user; the process training it had stopped"
    assert _process_kinds(tmp_path) == []
    _claimed_by_a_killed_process(tmp_path, b, "the server")
    assert _process_kinds(tmp_path) == ["the server"]
    assert store.mark_interrupted() == [b]
    assert store.get(b).error == "the server stopped while this run was training"
    assert _process_kinds(tmp_path) == []


def test_a_running_run_with_no_owner_keeps_no_other_processs_kind(tmp_path, monkeypatch):
    """A run left 'running' with no owner (a store an older bertlab wrote, before runs named their process) must not
    make every process's row stay: SQL's ``NOT IN`` a list holding NULL is never true, and nothing was dropped."""
    from bertlab import store as store_module

    monkeypatch.setattr(store_module, "_PROCESS_KIND", ["the `python -m bertlab worker` process"])
    store = RunStore(tmp_path)
    old, a = (store.create_run(make_config("tfidf_logreg")) for _ in range(2))
    store.update(old, status=RUNNING, owner=None)  # no owner
    assert store.get(old).owner is None
    assert store.claim(a, "cpu") and _process_kinds(tmp_path) == ["the `python -m bertlab worker` process"]
    store.finish(a, SUCCEEDED)
    assert _process_kinds(tmp_path) == []


def test_a_thread_keeps_one_connection_while_its_store_file_stays(tmp_path):
    """A thread reuses its connection call after call (opened, checked and cleaned once), and gets a new one only
    where the data directory was deleted and made anew; the one it replaced is closed then."""
    import sqlite3

    store = RunStore(tmp_path / "home")
    first = store._conn()
    assert store._conn() is first and store._conn() is first
    store.list_runs()
    assert store._conn() is first
    shutil.rmtree(tmp_path / "home")
    again = RunStore(tmp_path / "home")  # a page makes the store afresh
    assert again._conn() is not first  # (another object: its own connections)
    fresh = store._conn()
    assert fresh is not first and store._conn() is fresh
    with pytest.raises(sqlite3.ProgrammingError):  # the old connection was closed, not left open
        first.execute("SELECT 1")
