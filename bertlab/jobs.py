"""Process-wide job manager: a queue and one background worker thread.

Jobs run one at a time (one GPU, or the CPU's cores, is best used by one run). Launches (batches) take turns, a
run each (:func:`fair_order`): in a classroom a student's one-second zero_shot waited minutes behind another
student's four full_ft runs when the queue was first in, first out.
The worker never touches the UI; it talks through the run store. Any error in
a run becomes a FAILED run (see ``runner.execute_run``); an error in the
worker loop itself is recorded and the loop goes on.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bertlab.config import RunConfig
from bertlab.data import shared
from bertlab.runner import execute_run
from bertlab.store import CANCELLED, CANCELLED_BY, FAILED, INTERRUPTED, QUEUED, RUNNING, RunStore, _other_live_process

log = logging.getLogger(__name__)
ORPHAN_CHECK_S = 5.0  # how often an idle worker looks for runs whose training process died
EXIT_WAIT_S = 5.0  # how long a process that exits waits for its runs in progress to stop (all managers together)
SERVER_STOPPED = "the server stopped while this run was training"  # store.stopped_reason("the server")
_MANAGERS: weakref.WeakSet[JobManager] = weakref.WeakSet()


def _stop_all_at_exit() -> None:
    """The process is exiting (Streamlit stopped by SIGTERM or Ctrl-C): stop every manager's run in progress and
    wait for it, at most EXIT_WAIT_S in all. A worker thread still inside PyTorch as the interpreter ended aborted
    the process ("terminate called without an active exception"). Registered after torch is imported (by
    bertlab.runner), so it runs before torch's own exit handlers."""
    deadline = time.monotonic() + EXIT_WAIT_S
    for jm in list(_MANAGERS):
        jm.stop_for_exit(max(0.0, deadline - time.monotonic()))


atexit.register(_stop_all_at_exit)


def fair_order(queued: list[str], batch_of: Mapping[str, str], rank: Mapping[str, int], last: int) -> list[str]:
    """The order the worker takes the ``queued`` runs in: launches take turns, a run each. After a run of a batch
    the next is the oldest queued run of the next batch, in order of the batches' first submission (``rank``:
    1, 2, ...), that still has queued runs, wrapping round; ``last`` is the rank of the batch last taken from (0:
    none). Within a batch the runs keep the order they have in ``queued``; one batch alone runs in that order. A run
    with no batch in ``batch_of`` (none should lack one) is a batch of its own, ranked after the known ones."""
    groups: dict[str, list[str]] = {}
    for rid in queued:
        groups.setdefault(batch_of.get(rid, rid), []).append(rid)
    ranks = _ranks(groups, rank)
    turn = sorted(groups, key=lambda b: (ranks[b] <= last, ranks[b]))  # the batches after the last one first
    order: list[str] = []
    for k in range(max(map(len, groups.values()), default=0)):  # round k: each batch's k-th run, in turn
        order += [groups[b][k] for b in turn if k < len(groups[b])]
    return order


def _ranks(batches: Iterable[str], rank: Mapping[str, int]) -> dict[str, int]:
    """``rank`` for each of ``batches``, the unknown ones after the known, as first met."""
    top, met = max(rank.values(), default=0), list(dict.fromkeys(batches))
    unknown = [b for b in met if b not in rank]
    return {b: rank.get(b) or top + 1 + unknown.index(b) for b in met}


def turn_after_restart(last_batch: str, last_created: float | None, first_queued: Mapping[str, float],
                       rank: Mapping[str, int]) -> int:
    """``last`` for :func:`fair_order` after a restart, so the rotation goes on after the launch that took the last
    turn (``last_batch``, whose run taken then was created at ``last_created``) instead of starting afresh, where
    that launch could go again first. The queue resumed ranks its launches by their oldest queued run
    (``first_queued``: batch -> when that run was created; ``rank``: 1, 2, ... in that order). A launch with runs
    still queued goes last in the first round (its rank); one with none left is placed where its run would rank:
    after the launches whose oldest queued run is older. 0 (the rotation from the start, as before) where it sat
    before them all or is not known."""
    if last_batch in rank:
        return rank[last_batch]
    if last_created is None:
        return 0
    return max((rank[b] for b, t in first_queued.items() if b in rank and t <= last_created), default=0)


def place_of_new(queued: list[str], batch_of: Mapping[str, str], rank: Mapping[str, int], last: int) -> int:
    """How many of the ``queued`` runs (in :func:`fair_order`) the first run of a launch submitted now would wait
    for: a new batch ranks after every other, so its turn comes after one run of each batch ranked after ``last``,
    not after all of them."""
    return sum(r > last for r in _ranks((batch_of.get(rid, rid) for rid in queued), rank).values())


@dataclass(frozen=True)
class JobSnapshot:
    """Thread-safe view of the worker's state for the UI."""

    running: str | None
    progress: float
    phase: str
    queued: tuple[str, ...]  # in the order they will run (launches take turns), if nothing else is queued
    worker_alive: bool
    last_error: str | None
    new_after: int | None = None  # how many of ``queued`` run before a launch submitted now starts (None: all)

    def ahead_of_new(self) -> tuple[str, ...]:
        """The queued runs a launch submitted now waits for before its first run starts (the one running aside)."""
        return self.queued if self.new_after is None else self.queued[:self.new_after]


class JobManager:
    """Queue runs and execute them in a daemon worker thread.

    On start it marks runs left ``running`` by a dead process as
    ``interrupted`` and, if ``resume``, re-queues runs still ``queued``, each in its batch.
    Launches take turns, a run each (:func:`fair_order`); ``_queued`` is kept in that order.
    """

    def __init__(self, store: RunStore | None = None, resume: bool = True) -> None:
        self.store = store or RunStore()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # a run queued, or the worker asked to stop
        self._closing = False
        self._batch_of: dict[str, str] = {}  # queued run -> its batch
        self._rank: dict[str, int] = {}  # batch -> 1, 2, ... in order of its first submission here
        self._last = 0  # the rank of the batch the worker last took a run of
        self._cancel: dict[str, threading.Event] = {}
        self._running: str | None = None
        self._progress = (0.0, "")
        self._last_error: str | None = None
        self._queued: list[str] = []
        self._last_sweep = time.monotonic()
        self._stopping: str | bool = False  # the process exits (why, in words): a run stopped now was interrupted
        self._turn: tuple[str, str] | None = None  # (batch, run) the worker took last, to remember in the store
        self.interrupted = self.store.mark_interrupted()
        if resume and not self.store.read_only:  # a read-only data directory: nothing can be trained there
            # Runs queued by another live process (a CLI sharing the data directory) are its to run: taking
            # them would train two runs at once, each at half speed.
            first_queued: dict[str, float] = {}
            for r in reversed(self.store.list_runs(status=(QUEUED,), limit=None)):
                if not _other_live_process(r.owner):
                    first_queued.setdefault(r.batch_id, r.created)
                    self._enqueue(r.id, r.batch_id)
            self._resume_turn(first_queued)
        self._thread = threading.Thread(target=self._loop, daemon=True, name="bertlab-worker")
        self._thread.start()
        _MANAGERS.add(self)

    # --- public API -------------------------------------------------------------------------
    def submit(self, configs: list[RunConfig], batch_id: str | None = None) -> list[str]:
        """Store one queued run per config (one batch) and queue them. Returns their ids."""
        # eight hex digits: two launches in one second (two users) must not become one batch
        batch_id = batch_id or f"b{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        ids = []
        for c in configs:  # each queued as it is stored: a store that fails half way strands none of them
            ids.append(self.store.create_run(c, batch_id))
            self._enqueue(ids[-1], batch_id)
        return ids

    def cancel(self, run_id: str, by: str = CANCELLED_BY) -> str | None:
        """Cancel a queued run at once, or stop a running one within one step; ``by``: who, as the run's error
        says it (:meth:`RunStore.request_cancel`)."""
        with self._lock:
            ev = self._cancel.get(run_id)
            if ev is not None:
                ev.set()
            if run_id in self._queued:
                self._queued.remove(run_id)
                self._batch_of.pop(run_id, None)
                self._reorder()  # the batch's next run takes its turn
        return self.store.request_cancel(run_id, by)

    def clear_queue(self) -> int:
        """Cancel every queued (not running) run."""
        with self._lock:
            self._queued.clear()
            self._batch_of.clear()
        return self.store.clear_queue()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self._running, self._progress[0], self._progress[1], tuple(self._queued),
                               self._thread.is_alive(), self._last_error,
                               place_of_new(self._queued, self._batch_of, self._rank, self._last))

    def sweep_orphans(self) -> None:
        """Mark runs whose training process died (a CLI killed mid-run) interrupted, and take over the runs it
        had queued. Cheap (a read; a write only when something is found), so pages call it at each refresh: the
        worker itself looks only while idle, between runs and every ORPHAN_CHECK_S while it trains."""
        self._sweep_orphans()

    def is_busy(self) -> bool:
        s = self.snapshot()
        return bool(s.running or s.queued)

    def wait_idle(self, timeout: float | None = None, poll: float = 0.05) -> bool:
        """Block until nothing is running or queued (for tests and the CLI). True if idle."""
        end = None if timeout is None else time.monotonic() + timeout
        while self.is_busy():  # a run is taken off the queue and made the running one at once, under the lock
            if end is not None and time.monotonic() > end:
                return False
            time.sleep(poll)
        return True

    # --- worker -----------------------------------------------------------------------------
    def _resume_turn(self, first_queued: Mapping[str, float]) -> None:
        """Go on with the rotation the store remembers (:meth:`RunStore.queue_turn`): the launch that took the last
        turn before the restart waits for the others' turns (:func:`turn_after_restart`)."""
        try:
            turn = self.store.queue_turn()
            taken = self.store.get(turn[1]) if turn else None
        except Exception:  # noqa: BLE001 - a store that cannot be read: the rotation starts afresh, as before
            log.exception("could not read the queue's last turn")
            return
        if turn:
            with self._lock:
                self._last = turn_after_restart(turn[0], taken.created if taken else None, first_queued,
                                                self._rank)
                self._reorder()

    def _remember_turn(self) -> None:
        """Store the turn just taken (:meth:`RunStore.set_queue_turn`), outside the lock; a store that cannot be
        written now costs the rotation after a restart, never the run."""
        turn, self._turn = self._turn, None
        if turn:
            try:
                self.store.set_queue_turn(*turn)
            except Exception:  # noqa: BLE001
                log.exception("could not remember the queue's last turn")

    def _enqueue(self, run_id: str, batch_id: str) -> None:
        with self._lock:
            self._rank.setdefault(batch_id, len(self._rank) + 1)
            self._batch_of[run_id] = batch_id
            self._queued.append(run_id)
            self._reorder()
            self._wake.notify()

    def _reorder(self) -> None:
        """Put ``_queued`` in the order the runs will run (the lock held): every reader of the snapshot (the
        sidebar, a queued run's place, the Train page's wait) reads that order."""
        self._queued = fair_order(self._queued, self._batch_of, self._rank, self._last)

    def _take(self) -> tuple[str | None, threading.Event | None]:
        """The next run in turn, made the running one under the lock that submit queues under (a run submitted in
        another thread meanwhile is in the order this one was chosen from, or in the next), and its cancel event;
        (None, None) after ORPHAN_CHECK_S with nothing queued; ('', None) once the worker is to stop."""
        with self._wake:
            self._wake.wait_for(lambda: self._queued or self._closing, timeout=ORPHAN_CHECK_S)
            if self._closing:
                return "", None
            if not self._queued:
                return None, None
            run_id = self._queued.pop(0)
            batch = self._batch_of.pop(run_id, run_id)
            self._last = self._rank.get(batch, self._last)
            self._turn = (batch, run_id)
            self._reorder()
            ev = threading.Event()
            self._running, self._progress = run_id, (0.0, "starting")
            self._cancel[run_id] = ev
            return run_id, ev

    def _set_progress(self, progress: float, phase: str) -> None:
        with self._lock:
            self._progress = (progress, phase)
        # While a run trains (minutes to hours) a killed CLI's run must not stay "running", nor its queued runs
        # wait for nobody: look now and then from the worker too, not only while idle.
        now = time.monotonic()
        if now - self._last_sweep >= ORPHAN_CHECK_S:
            self._last_sweep = now
            self._sweep_orphans()

    def _loop(self) -> None:
        while True:
            run_id, ev = self._take()
            if run_id == "":
                return
            if run_id is None or ev is None:
                self._sweep_orphans()
                continue
            self._remember_turn()
            try:
                status = execute_run(self.store, run_id, ev, on_progress=self._set_progress)
                if status == CANCELLED and self._stopping and not self.store.cancel_requested(run_id):
                    # stopped because the process exits, not by a user: as a restart marks such a run
                    self.store.finish(run_id, INTERRUPTED, error=self._stopping, phase="interrupted")
            except Exception as e:  # noqa: BLE001 - keep the worker alive whatever happens
                log.exception("worker error on %s", run_id)
                with self._lock:
                    self._last_error = f"{run_id}: {type(e).__name__}: {e}"
                self._fail_if_running(run_id, e)
            finally:
                with self._lock:
                    self._running = None
                    self._cancel.pop(run_id, None)
                    idle = not self._queued
            if idle:  # the data the queue's runs shared (read once for them): no run is left to need it
                shared.forget()
            self._sweep_orphans()  # between runs too: a busy queue must not leave a dead CLI's run "running"

    def _sweep_orphans(self) -> None:
        """While idle: a run whose training process died (a CLI killed mid-run) must not show 'running'
        forever in an app that was already open."""
        try:
            self.store.mark_orphans()
            for run_id in self.store.adopt_orphaned_queue():  # a dead process's waiting runs: ours to run
                with self._lock:  # those a start of this process queued already are taken over, not queued twice
                    mine = run_id in self._queued or run_id == self._running
                if not mine:
                    run = self.store.get(run_id)
                    self._enqueue(run_id, run.batch_id if run is not None else run_id)  # it keeps its batch
        except Exception:  # noqa: BLE001 - a store that cannot be read now is read again next time
            log.exception("could not check for orphaned runs")

    def _fail_if_running(self, run_id: str, e: Exception) -> None:
        """A run must never stay 'running' after its worker gave up on it (e.g. the store failed mid-run)."""
        try:
            run = self.store.get(run_id)
            if run is not None and run.status == RUNNING:
                self.store.finish(run_id, FAILED, error=f"internal error: {type(e).__name__}: {e}")
        except Exception:  # noqa: BLE001 - the store itself is failing; a restart marks it interrupted
            log.exception("could not mark %s failed", run_id)

    def stop_for_exit(self, timeout: float = EXIT_WAIT_S, reason: str = SERVER_STOPPED) -> None:
        """Stop the run in progress within a step and wait up to ``timeout`` for the worker to end, as the process
        exits; that run is marked interrupted (as a restart would mark it), its error ``reason`` (the app's server,
        or `worker` stopped by Ctrl-C / SIGTERM: a diff review), and the queued ones stay queued for the next
        start."""
        with self._lock:
            # the first reason stands: the exit hook's second call (a worker whose run took over its wait to stop)
            # wrote "the server stopped" over `worker`'s own words (a diff review)
            self._stopping = self._stopping or reason
            self._queued.clear()  # in this process only: the store keeps them queued
            self._closing = True
            self._wake.notify_all()
            for ev in self._cancel.values():
                ev.set()
        self._thread.join(timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop after the current run (tests)."""
        with self._lock:
            for ev in self._cancel.values():
                ev.set()
            self._queued.clear()
            self._closing = True
            self._wake.notify_all()
        self._thread.join(timeout)
