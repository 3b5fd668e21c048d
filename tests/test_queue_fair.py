"""The worker's fair queue: launches (batches) take turns, a run each, so a student's one-second zero_shot does
not wait behind another student's four full_ft runs. Runs are faked (bertlab.jobs.execute_run): the order is what
is tested, not the training."""

from __future__ import annotations

import threading

import pytest

from bertlab import jobs
from bertlab.jobs import JobManager
from bertlab.store import CANCELLED, QUEUED, RUNNING, SUCCEEDED, RunStore
from bertlab.strategies import make_config

WAIT = 30


@pytest.fixture
def ran(monkeypatch) -> tuple[list[str], threading.Event]:
    """The runs the worker took, in order, each finished at once, and a gate the first one waits at: what is
    submitted while it is closed is queued before the worker chooses its second run."""
    order: list[str] = []
    gate = threading.Event()

    def fake(store, run_id, cancel=None, on_progress=None, device=None):
        order.append(run_id)
        if not store.claim(run_id, "cpu"):  # cancelled while queued: the real one ends so too
            return CANCELLED
        if len(order) == 1:
            assert gate.wait(WAIT)
        store.finish(run_id, SUCCEEDED)
        return SUCCEEDED

    monkeypatch.setattr(jobs, "execute_run", fake)
    return order, gate


@pytest.fixture
def jm():
    m = JobManager(RunStore())
    yield m
    m.shutdown()


def configs(tiny_data, n: int) -> list:
    return [make_config("tfidf_logreg", data=tiny_data, seed=s) for s in range(n)]


def first_taken(jm: JobManager, order: list[str]) -> None:
    """Wait until the worker holds its first run (at the gate), claimed in the store."""
    for _ in range(WAIT * 100):
        if order and jm.snapshot().running == order[0] and jm.store.get(order[0]).status == RUNNING:
            return
        threading.Event().wait(0.01)
    raise AssertionError("the worker took no run")


def test_two_launches_take_turns_and_the_snapshot_says_the_order_they_run_in(jm, ran, tiny_data):
    order, gate = ran
    a = jm.submit(configs(tiny_data, 3), batch_id="b-a")
    first_taken(jm, order)
    b = jm.submit(configs(tiny_data, 3), batch_id="b-b")
    queued = jm.snapshot().queued
    assert list(queued) == [b[0], a[1], b[1], a[2], b[2]]  # B's first run next, not after all of A's
    gate.set()
    assert jm.wait_idle(WAIT)
    assert order == [a[0], b[0], a[1], b[1], a[2], b[2]]
    assert order[1:] == list(queued)  # every reader of the snapshot (sidebar, places, waits) read the real order
    assert all(jm.store.get(i).status == SUCCEEDED for i in a + b)


def test_one_launch_alone_runs_in_the_order_it_was_submitted(jm, ran, tiny_data):
    order, gate = ran
    ids = jm.submit(configs(tiny_data, 4), batch_id="b-alone")
    first_taken(jm, order)
    assert list(jm.snapshot().queued) == ids[1:]
    gate.set()
    assert jm.wait_idle(WAIT)
    assert order == ids


def test_three_launches_rotate_in_order_of_first_submission(jm, ran, tiny_data):
    order, gate = ran
    a = jm.submit(configs(tiny_data, 3), batch_id="b-a")
    first_taken(jm, order)
    b = jm.submit(configs(tiny_data, 1), batch_id="b-b")
    # a new launch's first run waits for the next run of each launch after the one taken, not for all of them
    assert jm.snapshot().ahead_of_new() == (b[0],)
    c = jm.submit(configs(tiny_data, 2), batch_id="b-c")
    queued = jm.snapshot().queued
    assert list(queued) == [b[0], c[0], a[1], c[1], a[2]]
    assert queued.index(c[0]) == 1  # as ahead_of_new said
    gate.set()
    assert jm.wait_idle(WAIT)
    assert order == [a[0], *queued]


def test_a_cancelled_queued_run_is_skipped_and_its_launchs_next_run_takes_its_turn(jm, ran, tiny_data):
    order, gate = ran
    a = jm.submit(configs(tiny_data, 3), batch_id="b-a")
    first_taken(jm, order)
    b = jm.submit(configs(tiny_data, 2), batch_id="b-b")
    assert jm.cancel(b[0]) == CANCELLED
    queued = jm.snapshot().queued
    assert list(queued) == [b[1], a[1], a[2]]
    gate.set()
    assert jm.wait_idle(WAIT)
    assert order == [a[0], *queued]
    assert jm.store.get(b[0]).status == CANCELLED and jm.store.get(b[0]).started is None


def test_clearing_the_queue_leaves_nothing_to_run(jm, ran, tiny_data):
    order, gate = ran
    a = jm.submit(configs(tiny_data, 2), batch_id="b-a")
    first_taken(jm, order)
    b = jm.submit(configs(tiny_data, 2), batch_id="b-b")
    assert jm.clear_queue() == 3
    assert jm.snapshot().queued == () and jm.snapshot().ahead_of_new() == ()
    gate.set()
    assert jm.wait_idle(WAIT)
    assert order == [a[0]]
    assert [jm.store.get(i).status for i in (a[1], *b)] == [CANCELLED] * 3
    c = jm.submit(configs(tiny_data, 1), batch_id="b-c")  # the worker goes on
    assert jm.wait_idle(WAIT) and order == [a[0], c[0]]


def test_runs_resumed_at_start_keep_their_launch_and_take_turns(tiny_data, monkeypatch):
    store = RunStore()
    a = [store.create_run(c, "b-a") for c in configs(tiny_data, 3)]
    b = [store.create_run(c, "b-b") for c in configs(tiny_data, 2)]
    monkeypatch.setattr(JobManager, "_loop", lambda self: None)  # look at the queue, train nothing
    m = JobManager(store)
    assert m._queued == [a[0], b[0], a[1], b[1], a[2]]
    assert all(store.get(i).status == QUEUED for i in a + b)


def test_launches_submitted_from_many_threads_while_the_worker_takes_runs_each_run_once(jm, ran, tiny_data):
    """The worker chooses and takes a run under the lock a submit queues under: none is lost or run twice."""
    order, gate = ran
    gate.set()
    ids: list[str] = []
    lock = threading.Lock()

    def launch(k: int) -> None:
        got = jm.submit(configs(tiny_data, 3), batch_id=f"b-{k}")
        with lock:
            ids.extend(got)

    threads = [threading.Thread(target=launch, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert jm.wait_idle(WAIT)
    assert sorted(order) == sorted(ids) and len(order) == 18
    for k in range(6):  # within each launch, the order it was submitted in
        mine = [i for i in order if jm.store.get(i).batch_id == f"b-{k}"]
        assert mine == [i for i in ids if i in mine]


def test_the_sidebar_and_the_train_page_tell_the_order_launches_take_turns_in(ran, tiny_data, bertlab_home):
    """Two desks' launches waiting after a server start: the sidebar lists the queue in the order it will run, and
    the Train page says a new launch's first run waits for the one training and the next of the other launch, not
    for all five, and how long those two should take."""
    import time
    from dataclasses import asdict

    from tests.test_app_pages import app_on, no_problems

    order, gate = ran
    store = RunStore(bertlab_home)
    a = [store.create_run(c, "b-a") for c in configs(tiny_data, 3)]
    b = [store.create_run(c, "b-b") for c in configs(tiny_data, 2)]
    try:
        at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})  # its manager resumes them
        for _ in range(WAIT * 10):
            if store.get(a[0]).status == RUNNING:
                break
            time.sleep(0.1)
        at.run()
        no_problems(at)
        tails = [i[-4:] for i in (b[0], a[1], b[1], a[2])]
        queue = [c.value for c in at.sidebar.caption if "· queued (run …" in c.value]
        assert [q.split("run …")[1][:4] for q in queue] == tails, queue
        line = next(c.value for c in at.caption if "take turns" in c.value)
        assert line.startswith(":material/hourglass_empty: 5 runs are queued or training (from any tab or user). "
                               "Launches take turns, a run each: a new launch's runs alternate with them, and its "
                               "first run starts after 2 of them."), line
    finally:
        gate.set()


def test_a_run_the_worker_has_taken_but_not_yet_marked_running_starts_now(monkeypatch):
    """A full suite under load: Compare read a run still 'queued' in the store that the worker had already taken
    (it is the snapshot's running one, not in its queue) as "starts when the runs before it finish". It is starting."""
    from app_pages import common
    from bertlab.jobs import JobSnapshot

    snap = JobSnapshot("r2", 0.0, "starting", ("r3",), True, None)
    monkeypatch.setattr(common, "manager", lambda: type("M", (), {"snapshot": lambda self: snap})())
    assert common.queue_place("r2") == "starts now"
    assert common.queue_place("r3") == "starts when the run ahead of it finishes (one training now)"


def _launches(store: RunStore, tiny_data, sizes: dict[str, int]) -> dict[str, list[str]]:
    """Queued runs of each launch, created one after another (``created`` 1, 2, ...: one order whatever the clock)."""
    out, t = {}, 0
    for batch, n in sizes.items():
        out[batch] = [store.create_run(c, batch) for c in configs(tiny_data, n)]
        for rid in out[batch]:
            t += 1
            store.update(rid, created=float(t))
    return out


def _serve(store: RunStore, turns: int, monkeypatch) -> None:
    """A server that takes ``turns`` runs (each done at once), then stops: its worker's own take and its memory."""
    def loop(self):
        for _ in range(turns):
            run_id, _ev = self._take()
            self._remember_turn()
            store.claim(run_id, "cpu")
            store.finish(run_id, SUCCEEDED)

    monkeypatch.setattr(JobManager, "_loop", loop)
    JobManager(store)._thread.join(WAIT)
    monkeypatch.setattr(JobManager, "_loop", lambda self: None)  # the restarted one: look at the queue only


def test_a_restart_goes_on_with_the_rotation_after_the_launch_that_had_the_last_turn(tiny_data, monkeypatch):
    """After a restart the rotation started afresh, ordered by each launch's oldest queued run: launch A, which had
    just had its turn, went again first, and B waited twice. The store remembers the last turn now."""
    store = RunStore()
    runs = _launches(store, tiny_data, {"b-a": 3, "b-b": 2})
    a, b = runs["b-a"], runs["b-b"]
    _serve(store, 1, monkeypatch)
    assert store.queue_turn() == ("b-a", a[0])
    assert JobManager(store)._queued == [b[0], a[1], b[1], a[2]]  # it was [a[1], b[0], a[2], b[1]]


def test_a_restart_after_a_launch_ran_its_last_run_goes_on_with_the_launch_after_it(tiny_data, monkeypatch):
    """A, B and C took turns until B's one run; after the restart C's turn comes, not A's again (B has none left:
    it is placed where its run was, after A's oldest queued run and before C's)."""
    store = RunStore()
    runs = _launches(store, tiny_data, {"b-a": 2, "b-b": 1, "b-c": 2})
    a, b, c = runs["b-a"], runs["b-b"], runs["b-c"]
    _serve(store, 2, monkeypatch)
    assert [store.get(i).status for i in (a[0], b[0])] == [SUCCEEDED, SUCCEEDED]
    assert store.queue_turn() == ("b-b", b[0])
    assert JobManager(store)._queued == [c[0], a[1], c[1]]  # it was [a[1], c[0], c[1]]


def test_one_launch_resumes_in_its_own_order_and_a_store_from_before_the_memory_reads_as_it_did(tiny_data,
                                                                                               monkeypatch):
    """One launch alone keeps its order across a restart. A data directory from before the queue remembered its
    last turn has no table for it: it is read (and resumed) as before, and its first turn makes the table."""
    import sqlite3

    store = RunStore()
    runs = _launches(store, tiny_data, {"b-a": 2, "b-b": 1})
    tables = lambda s: {r[0] for r in sqlite3.connect(s.path).execute(  # noqa: E731
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "queue_state" not in tables(store) and store.queue_turn() is None
    monkeypatch.setattr(JobManager, "_loop", lambda self: None)
    assert JobManager(store)._queued == [runs["b-a"][0], runs["b-b"][0], runs["b-a"][1]]  # as before
    solo = RunStore(store.root / "solo")
    ids = _launches(solo, tiny_data, {"b-solo": 4})["b-solo"]
    _serve(solo, 1, monkeypatch)
    assert "queue_state" in tables(solo)
    assert JobManager(solo)._queued == ids[1:]
    with sqlite3.connect(solo.path) as db:  # a value no version wrote: the rotation starts afresh, as before
        db.execute("UPDATE queue_state SET value='[1' WHERE key='last_turn'")
    assert solo.queue_turn() is None and JobManager(solo)._queued == ids[1:]
