"""SQLite run store: runs, their configs, step/epoch metrics and artifact paths.

The store is the only channel between the training worker and the pages: a
page refresh, a second tab, the CLI or a restarted server all read the same
file. WAL mode lets readers proceed while the worker writes; every write is
one transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bertlab.config import RunConfig
from bertlab.errors import (
    BertlabError,
    ConfigError,
    StoreError,
    damaged_store_message,
    store_message,
    unwritable_reason,
)
from bertlab.paths import check_id, data_home, dir_bytes, safe_join

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "succeeded", "failed", "cancelled", "interrupted")
ACTIVE = (QUEUED, RUNNING)
CANCELLED_BY = "the user"  # who cancelled a run, as its error says it, unless told (request_cancel's ``by``)
FINISHED = (SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)


def undone_batches(runs) -> set[str]:
    """The batches of ``runs`` whose every run was cancelled or interrupted (a launch clicked twice, then undone;
    one stopped by a restart and the rest cancelled): nothing in them to show, so no page opens on one and
    ``--batch latest`` passes it over."""
    groups: dict[str, list] = {}
    for r in runs:
        groups.setdefault(r.batch_id, []).append(r)
    return undone_groups(groups)


def undone_groups(groups: dict[str, list]) -> set[str]:
    """The groups of ``groups`` (``{batch id: its runs}``; a sweep's batch the runs holding its points, as
    :func:`bertlab.sweep.batches` groups them) with runs, every one cancelled or interrupted: the one test of an
    undone batch, which :func:`undone_batches` applies to runs grouped by their batch id."""
    return {b for b, runs in groups.items() if runs and all(r.status in (CANCELLED, INTERRUPTED) for r in runs)}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, batch_id TEXT, created REAL, started REAL, finished REAL,
    status TEXT NOT NULL, strategy TEXT, dataset TEXT, model TEXT, device TEXT,
    config TEXT NOT NULL, progress REAL DEFAULT 0, phase TEXT DEFAULT '',
    metrics TEXT, costs TEXT, error TEXT, traceback TEXT, artifact_dir TEXT,
    notes TEXT DEFAULT '[]', data_summary TEXT, cancel_requested INTEGER DEFAULT 0, owner TEXT,
    phase_started REAL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created);
CREATE INDEX IF NOT EXISTS runs_status_finished ON runs(status, finished);
CREATE TABLE IF NOT EXISTS points (
    run_id TEXT NOT NULL, series TEXT NOT NULL, step INTEGER, x REAL, value REAL
);
CREATE INDEX IF NOT EXISTS points_run ON points(run_id, series);
CREATE TABLE IF NOT EXISTS run_progress (run_id TEXT PRIMARY KEY, progress_at REAL, pace_started REAL);
CREATE TABLE IF NOT EXISTS process_kinds (owner TEXT PRIMARY KEY, kind TEXT NOT NULL);
"""
# Columns the runs table gains are read by every older bertlab on the same data directory, whose Run(**row) refuses
# one it does not know (a TypeError on every page and `runs`, until 41b5b34's filter in _decode): so a new field is
# kept in a table of its own, as progress_at in run_progress, joined in here.
_PACE = ", run_progress.pace_started AS pace_started_"  # left out of a read-only store made before it (RunStore._select)
_SELECT = (f"SELECT runs.*, run_progress.progress_at AS progress_at_{_PACE} "
           "FROM runs LEFT JOIN run_progress ON run_progress.run_id = runs.id")
_OWN_TABLE = ("progress_at", "pace_started")  # Run fields stored beside the runs table, not in it


def _unwritable(root: Path, e: sqlite3.OperationalError) -> BaseException:
    """A :class:`StoreError` saying what to do where ``e`` says the data directory cannot be written (read-only,
    full: :func:`bertlab.errors.unwritable_reason`); else ``e`` itself (a lock held too long, say)."""
    return StoreError(store_message(root, e)) if unwritable_reason(e) else e


DAMAGED = "its stored record cannot be read"  # the start of the error of a run whose row is damaged (_decode)
SUMMARY_LOST = "its stored data summary cannot be read"  # the start of the note of a run whose data_summary is damaged
# what `run`, `sweep` and bertlab.compare say of a run of theirs gone from the store before its turn
DELETED_WHILE_QUEUED = "deleted while it waited (cancelled, then deleted from another terminal or the app): skipped"
# and what bertlab.compare says of one deleted from elsewhere the moment it ended (`run` says so and exits 1)
DELETED_AS_IT_ENDED = "deleted from another terminal or the app as soon as it ended: left out of the comparison"
ORPHANED = "the process training this run stopped"  # a run whose process died, where which one is not known
_PROCESS_KIND: list[str | None] = [None]  # what this process is, in words (set_process_kind)


def set_process_kind(kind: str) -> None:
    """Say what this process is ("the server", "the `python -m bertlab worker` process"): kept beside the runs it
    trains (table process_kinds, a row per process while it holds a running run: :func:`_forget_kinds`), so that
    whichever process finds one of them left 'running' by it after it died (a SIGKILL) gives the same reason,
    :func:`stopped_reason`. A restarted server said "the server stopped while this run was training" (of a killed
    worker too), any other process "the process training this run stopped"."""
    _PROCESS_KIND[0] = kind


def stopped_reason(kind: str | None) -> str:
    """A run's error where the process training it (of ``kind``, None: not known) died while it trained."""
    return f"{kind} stopped while this run was training" if kind else ORPHANED


def _kinds(c: sqlite3.Connection, owners: set) -> dict[str, str]:
    """{owner: what that process was} of ``owners``, as :func:`set_process_kind` recorded them (none known in a store
    older than the table)."""
    if not owners:
        return {}
    try:
        rows = c.execute(f"SELECT owner, kind FROM process_kinds WHERE owner IN ({','.join('?' * len(owners))})",
                         list(owners)).fetchall()
    except sqlite3.OperationalError:
        return {}
    return {r[0]: r[1] for r in rows}


def _forget_kinds(c: sqlite3.Connection) -> None:
    """Drop the :func:`set_process_kind` rows of processes that hold no running run: a row is read only for a run
    left 'running' by a process that died, and every process that ever claimed a run kept one (3 rows after 3
    `worker` processes had each trained a run and exited). A process claiming its next run writes its row again,
    in the same transaction as the claim; one that dies mid-run keeps it until its run is marked interrupted."""
    try:
        c.execute("DELETE FROM process_kinds WHERE owner NOT IN "
                  "(SELECT owner FROM runs WHERE status=? AND owner IS NOT NULL)", (RUNNING,))
    except sqlite3.OperationalError:  # no such table: a store older than it, opened by a reader of it
        pass


def _process_tag() -> str:
    """host:pid:start-time of this process (start time guards against pid reuse)."""
    import psutil

    return f"{socket.gethostname()}:{os.getpid()}:{psutil.Process().create_time():.0f}"


def _owner_alive(owner: str | None) -> bool | None:
    """Whether the process ``owner`` names (another process on this host) is still alive; None where that
    cannot be told or does not apply: this very process, another host, no owner.

    Start times are compared with a 2 s tolerance: psutil derives them from the boot time, which moves when the
    clock is stepped (a VM's time sync); a new process at a reused pid started well after the one named.
    """
    import psutil

    try:
        host, pid, started = (owner or "").rsplit(":", 2)
        if host != socket.gethostname() or int(pid) == os.getpid():
            return None
        return abs(psutil.Process(int(pid)).create_time() - float(started)) <= 2.0
    except psutil.NoSuchProcess:
        return False
    except (ValueError, psutil.Error):
        return None


def _ours(owner: str | None) -> bool:
    """True if ``owner`` names this very process (the tag ``claim`` wrote)."""
    return owner == _process_tag()


def _dead_owner(owner: str | None) -> bool:
    """True if ``owner`` names a different process on this host that is no longer alive (killed, crashed)."""
    return _owner_alive(owner) is False


def _other_live_process(owner: str | None) -> bool:
    """True if ``owner`` names a different process on this host that is still alive."""
    return _owner_alive(owner) is True


@dataclass
class Run:
    """One row of the runs table, decoded."""

    id: str
    batch_id: str
    created: float
    status: str
    strategy: str
    dataset: str
    model: str
    config: dict
    started: float | None = None
    finished: float | None = None
    device: str | None = None
    progress: float = 0.0
    phase: str = ""
    metrics: dict = field(default_factory=dict)
    costs: dict = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    artifact_dir: str | None = None
    notes: list[str] = field(default_factory=list)
    data_summary: dict = field(default_factory=dict)
    cancel_requested: bool = False
    owner: str | None = None
    phase_started: float | None = None  # when the current phase (embed, mlm, train, test) began
    progress_at: float | None = None  # when ``progress`` was reached: the time left counts down from it
    # the phase's start as its time left reads it (estimate.run_time_left): ``phase_started`` moved later by its
    # first step's warm-up once a second step says the pace, None between the two (runner.StoreCallbacks.pace_start)
    pace_started: float | None = None
    # who asked to cancel the run while it still runs ('the user', 'someone at another desk'): not its error until
    # it stops (request_cancel writes it in the error column, for the worker's last word; _decode moves it here)
    cancel_asked_by: str | None = None

    @property
    def stopping(self) -> str | None:
        """'stopping (asked by the user)' while a run asked to stop still runs, as `show`, its --json and the
        --json rows of `runs` and `run` say it; None otherwise."""
        return f"stopping (asked by {self.cancel_asked_by})" if self.cancel_asked_by else None

    @property
    def run_config(self) -> RunConfig:
        """The run's settings.

        Raises:
            ConfigError: where they cannot be read (a damaged row: its ``error`` says so), or are not this bertlab's.
        """
        if not self.config:  # every stored run has one; empty: unreadable (_decode)
            raise ConfigError(f"run {self.id}: {DAMAGED}, so its settings are unknown; train it again from the "
                              "Train page (or `python -m bertlab run`).")
        return RunConfig.from_dict(self.config)

    @property
    def label(self) -> str:
        """Short display name: strategy (``head_only (balanced)`` with balanced class weights) plus the id's tail."""
        from bertlab.config import shown_strategy

        return f"{shown_strategy(self)} · {self.id[-4:]}"


_RUN_FIELDS = frozenset(f.name for f in fields(Run))


def _like(text: str) -> str:
    """``text`` as a literal in a LIKE pattern (escape character '!')."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


# In a tfidf_logreg run's costs: its train_examples_per_s counts each training text once over its whole fit (its
# search over C in its time), as every strategy's counts texts x epochs per second of training. Runs stored before
# 2026-12-05 lack it: theirs counted each text once per C tried (137 ex/s for 300 texts in 8.75 s, 4 Cs; 34 now).
# In a fine-tuning run's (2026-12-06 on): its rate is over all of its training time, a masked-LM phase first (dapt's,
# scratch's mlm_epochs) included; before, over the fine-tuning alone (a dapt run: 67 ex/s, 23 over its train time).
THROUGHPUT_MARK = "examples_per_s_counts"
THROUGHPUT_MEASURE = "training texts x epochs"
_C_TRIED = re.compile(r"best on validation of \[([^\]]*)\]")


def _throughput_now(d: dict) -> None:
    """A stored run's examples/s on today's measure, as read (the store keeps its figure, also under
    ``train_examples_per_s_stored``). A tfidf_logreg run's: Compare's table and Throughput chart set an older run 4x
    above a new one, under a caption saying "each text once". Its figure is divided by the Cs it tried: the list its
    notes give, else one where its config set C, else the grid it searched (the same since the strategy was added).
    A run with a masked-LM phase (dapt; scratch with mlm_epochs): its rate was over its fine-tuning alone, whose time
    is its train time less ``mlm_seconds``: scaled to its whole train time (exact: the same texts x epochs)."""
    costs = d["costs"]
    if THROUGHPUT_MARK in costs or not costs.get("train_examples_per_s"):
        return
    mlm, train = float(costs.get("mlm_seconds") or 0.0), float(costs.get("train_seconds") or 0.0)
    if mlm > 0 and train > mlm:  # a masked-LM phase its rate left out: the same texts x epochs over all its training
        d["costs"] = {**costs, "train_examples_per_s": costs["train_examples_per_s"] * (train - mlm) / train,
                      "train_examples_per_s_stored": costs["train_examples_per_s"], THROUGHPUT_MARK: THROUGHPUT_MEASURE}
        return
    if d["strategy"] != "tfidf_logreg":
        return
    listed = next((m.group(1) for n in d["notes"] if isinstance(n, str) and (m := _C_TRIED.search(n))), None)
    if listed is not None:
        tried = len([c for c in listed.split(",") if c.strip()])
    elif ((d["config"] or {}).get("options") or {}).get("C") is not None:
        tried = 1
    else:
        from bertlab.strategies.tfidf_logreg import C_GRID

        tried = len(C_GRID)
    d["costs"] = {**costs, "train_examples_per_s": costs["train_examples_per_s"] / max(1, tried),
                  "train_examples_per_s_stored": costs["train_examples_per_s"], THROUGHPUT_MARK: THROUGHPUT_MEASURE}


def _decode(row: sqlite3.Row) -> Run:
    d = dict(row)
    damaged = []
    for k, default in (("config", {}), ("metrics", {}), ("costs", {}), ("notes", []), ("data_summary", {})):
        try:
            v = json.loads(d[k]) if d.get(k) else type(default)()
        except (ValueError, TypeError) as e:  # cut short (a disk that filled, a hand edit): this run only
            damaged.append(f"{k}: {type(e).__name__}: {e}")
            v = type(default)()
        if not isinstance(v, type(default)):
            damaged.append(f"{k}: a {type(v).__name__}, not a {type(default).__name__}")
            v = type(default)()
        d[k] = v
    d["cancel_requested"] = bool(d.get("cancel_requested"))
    if d["cancel_requested"] and d.get("status") == RUNNING and (d.get("error") or "").startswith("cancelled by "):
        # asked, not yet stopped: who asked, not an error (`show`, --json and a report listed it under errors)
        d["cancel_asked_by"], d["error"] = d["error"].removeprefix("cancelled by "), None
    if damaged and all(x.startswith(("notes: ", "data_summary: ")) for x in damaged):
        # its notes or data summary alone: caveats and what its data was, not its results or settings. The run
        # keeps its metrics, model and status, a note saying what was lost (a damaged notes field failed the whole
        # run, and so did a damaged data summary). Its settings, results or costs still fail it: they are needed to
        # show or use it rightly. Without its data summary it cannot predict: whether it reads text pairs is
        # unknown (bertlab.predict, SUMMARY_LOST).
        lost = {x.split(": ", 1)[0]: x.split(": ", 1)[1] for x in damaged}
        d["notes"] = ([f"{SUMMARY_LOST} ({lost['data_summary']}): its data's sizes, classes and the machine it "
                       "trained on are unknown, and it cannot answer new texts; its results, costs and settings are "
                       "shown as stored"] if "data_summary" in lost else []) + (
            [f"its stored notes cannot be read ({lost['notes']}); the rest of its record (results, costs, settings, "
             "model) is shown as stored"] if "notes" in lost else d["notes"])
    elif damaged:
        _mark_damaged(d, damaged)
    for k in _OWN_TABLE:  # run_progress's (a store 41b5b34 made has a runs column progress_at too, not written)
        if f"{k}_" in d:
            d[k] = d.pop(f"{k}_")
    # No pace_started (NULL, or a read-only store made before the column): a run an older bertlab trained, sharing
    # the data directory, which writes the pace's start in phase_started (its time left went blank for its whole
    # run, read here); this one writes its "too early to tell" as 0 (RunStore.update)
    pace = d.get("pace_started")
    d["pace_started"] = d.get("phase_started") if pace is None else (pace or None)
    _throughput_now(d)
    # a column a newer bertlab added is not this one's to read: the store stays open to both
    return Run(**{k: v for k, v in d.items() if k in _RUN_FIELDS})


# Runs decoded, by their row's whole content (a changed column is another key): Compare decoded every run of the
# store on each rerun (list_runs of 500 runs: 0.28 s of JSON and Run objects, ~0.85 s a rerun under load, six lists
# a rerun), though a finished run's row never changes. Kept by the rows' characters, least recently used out first.
DECODED_CACHE_CHARS = 16 * 2**20
_DECODED: OrderedDict = OrderedDict()
_DECODED_CHARS = [0]
_DECODED_LOCK = threading.Lock()


def _decode_cached(row: sqlite3.Row) -> Run:
    """:func:`_decode` once per row content; each call gets its own :class:`Run` (its dicts and lists are shared
    with the cache's: read them, do not change them in place)."""
    values = tuple(row)
    key = (row["id"], hash(values))
    with _DECODED_LOCK:
        hit = _DECODED.get(key)
        if hit is not None:
            _DECODED.move_to_end(key)
            return replace(hit[0])
    run = _decode(row)
    chars = sum(len(v) for v in values if isinstance(v, str))
    if chars <= DECODED_CACHE_CHARS:
        with _DECODED_LOCK:
            if key not in _DECODED:
                _DECODED[key] = (run, chars)
                _DECODED_CHARS[0] += chars
            while _DECODED_CHARS[0] > DECODED_CACHE_CHARS:
                _, (_, old) = _DECODED.popitem(last=False)
                _DECODED_CHARS[0] -= old
    return replace(run)


def _mark_damaged(d: dict, damaged: list[str]) -> None:
    """A run whose row holds JSON that cannot be read (``damaged``: which, and why) is read as a failed run saying
    so, its unreadable fields empty: one such row made every page and command fail with a JSONDecodeError, the other
    runs unseen. A queued or running one keeps its status (its worker fails it on reading its settings)."""
    if d.get("status") not in ACTIVE:  # what is left of it is no result to show beside the others
        d["status"], d["metrics"], d["costs"] = FAILED, {}, {}
    d["error"] = (f"{DAMAGED} ({'; '.join(damaged)}); its results cannot be shown. Delete it (Compare's Delete, or "
                  f"`python -m bertlab delete {d.get('id')}`) and train it again.")
    d["traceback"] = None


class _ThreadConn:
    """A thread's connection, closed when the thread ends: the thread's ``threading.local`` values are dropped then,
    and this (outside any reference cycle) with them. Left to itself a connection sits in a cycle (its statement
    cache) and stays open until a full garbage collection: the app runs each rerun in a thread of its own and no
    longer collects after each (postScriptGC = false), and 300 Playground predictions had the server hold 65 at
    once (65 open database files, 63 WALs)."""

    __slots__ = ("conn", "file_id")

    def __init__(self, conn: sqlite3.Connection, file_id: object) -> None:
        self.conn, self.file_id = conn, file_id

    def __del__(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - at interpreter exit, or already closed: nothing to free
            pass


def write_refused(c: sqlite3.Connection) -> sqlite3.OperationalError | None:
    """SQLite's own answer to whether the store can be written through ``c``: its error where it refuses
    (SQLITE_READONLY), else None.

    Opening a store the -wal and -shm files of which are there (a server running on the share, a copy taken with
    them) writes nothing, so SQLite opens it read-only without a word where the file cannot be written (a read-only
    mount, a bind mount included; another's file) and only the first write failed: the store was taken as writable,
    so Launch stayed on and every page that reads the sweeps failed making their folder (Errno 30, a traceback).
    The probe is a delete of no row, rolled back: it writes nothing. A lock a writer holds is no refusal (answered at
    once, not after the busy timeout), nor is a full disk (nothing to write) or any other error: the write says so."""
    c.execute("PRAGMA busy_timeout=0")
    try:
        c.execute("BEGIN IMMEDIATE")
        c.execute("DELETE FROM runs WHERE 0")
    except sqlite3.OperationalError as e:  # the low byte is the primary code (SQLITE_READONLY_DBMOVED, ... too)
        return e if (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF == sqlite3.SQLITE_READONLY else None
    finally:
        with contextlib.suppress(sqlite3.Error):
            if c.in_transaction:
                c.execute("ROLLBACK")
        c.execute("PRAGMA busy_timeout=30000")
    return None


class RunStore:
    """Thread-safe access to ``<root>/runs.sqlite`` and ``<root>/runs/<id>/`` artifacts."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).resolve() if root else data_home()
        self.path = self.root / "runs.sqlite"
        self._local = threading.local()
        self.read_only: str | None = None  # why, where the data directory cannot be written (opened read-only)
        # the reason alone, "it is full" or "it is read-only or not yours to write" (errors.unwritable_reason): the
        # app's note says it in its own sentence
        self.read_only_reason: str | None = None
        self._conn()

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection. The data directory may be deleted under a running server ("delete it to
        start afresh"): then the next call makes a new, empty store rather than failing on every page."""
        held = getattr(self._local, "held", None)
        c = held.conn if held is not None else None
        if c is not None and self._file_id() != held.file_id:  # deleted, perhaps made anew by a page
            c.close()
            c = None
        if c is None:
            c = self._open()
            have = {r[1] for r in c.execute("PRAGMA table_info(runs)")}
            # Stores made before runs recorded their process (owner) and when their phase began (phase_started).
            for col, kind in (("owner", "TEXT"), ("phase_started", "REAL")):
                if col not in have:
                    try:
                        c.execute(f"ALTER TABLE runs ADD COLUMN {col} {kind}")
                    except sqlite3.OperationalError:  # another thread or process added it first
                        pass
            # and before runs recorded their phase's start as its time left reads it apart from the start itself
            if "pace_started" not in {r[1] for r in c.execute("PRAGMA table_info(run_progress)")}:
                try:
                    c.execute("ALTER TABLE run_progress ADD COLUMN pace_started REAL")
                except sqlite3.OperationalError:  # added first elsewhere, or a read-only store: read without it
                    pass
            self._select = _SELECT if "pace_started" in {r[1] for r in c.execute(
                "PRAGMA table_info(run_progress)")} else _SELECT.replace(_PACE, "")
            # An older bertlab deletes a run from runs and points alone: its run_progress row goes here.
            orphans = "FROM run_progress WHERE run_id NOT IN (SELECT id FROM runs)"
            try:  # looked for first: no write (no lock) where there is none, as at almost every opening
                if c.execute(f"SELECT 1 {orphans} LIMIT 1").fetchone():
                    c.execute(f"DELETE {orphans}")
            except sqlite3.OperationalError:  # busy or read-only: a row nothing reads, removed another time
                pass
            self._local.held = _ThreadConn(c, self._file_id())
        return c

    def _open(self) -> sqlite3.Connection:
        """A new connection to the store, made (with its tables) where there is none yet. A data directory that
        cannot be written (a read-only mount, a colleague's copied results) is opened read-only where it holds a
        store: every reading command and page works, and each write says the directory cannot be written."""
        try:
            (self.root / "runs").mkdir(parents=True, exist_ok=True)
            c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.OperationalError) as e:  # read-only, full: a sentence, not a traceback
            return self._read_only_conn(e)
        try:
            c.row_factory = sqlite3.Row
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA busy_timeout=30000")
            c.executescript(_SCHEMA)  # IF NOT EXISTS: a no-op on a store that has its tables
            refused = write_refused(c)
        except sqlite3.OperationalError as e:
            c.close()
            return self._read_only_conn(e)
        except sqlite3.DatabaseError as e:  # "file is not a database", "malformed": a sentence on every page
            c.close()
            raise StoreError(damaged_store_message(self.path, e)) from None
        if refused is not None:  # opened without a word where it cannot be written: read-only, said so
            c.close()
            return self._read_only_conn(refused)
        return c

    def _read_only_conn(self, e: BaseException) -> sqlite3.Connection:
        """A read-only connection to the store, where ``e`` (opening it to write) says the data directory cannot
        be written and it holds a store; else the error saying what to do. ``mode=ro`` first (it sees a writer's
        changes); ``immutable=1`` where SQLite cannot even make the files it reads a WAL store through."""
        if not unwritable_reason(e) or not self.path.is_file():
            raise (StoreError(store_message(self.root, e)) if isinstance(e, OSError) else _unwritable(self.root, e)) \
                from None
        why = store_message(self.root, e)
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                c = sqlite3.connect(f"{self.path.as_uri()}?{query}", uri=True, timeout=30, isolation_level=None)
            except sqlite3.OperationalError:
                continue
            try:
                c.row_factory = sqlite3.Row
                c.execute("PRAGMA busy_timeout=30000")
                c.execute("SELECT 1 FROM runs LIMIT 1").fetchall()
            except sqlite3.OperationalError:
                c.close()
                continue
            except sqlite3.DatabaseError as de:
                c.close()
                raise StoreError(damaged_store_message(self.path, de)) from None
            self.read_only, self.read_only_reason = why, unwritable_reason(e, self.root)
            return c
        raise StoreError(why) from None

    def check_writable(self) -> None:
        """Raise the :class:`StoreError` saying why where the data directory was opened read-only: for what writes
        files beside the store (its caches, a run's folder) before it writes a row, or writes none."""
        if self.read_only:
            raise StoreError(self.read_only)

    def _file_id(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return st.st_dev, st.st_ino

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        c = self._conn()
        self.check_writable()  # a read-only connection; some writes (BEGIN IMMEDIATE when immutable) it lets start
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise _unwritable(self.root, e) from None
        try:
            yield c
        except BaseException as e:
            with contextlib.suppress(sqlite3.Error):  # a failed write may have ended the transaction itself
                c.execute("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError) and (err := _unwritable(self.root, e)) is not e:
                raise err from None
            raise
        try:
            c.execute("COMMIT")
        except sqlite3.OperationalError as e:
            raise _unwritable(self.root, e) from None

    # --- runs ---------------------------------------------------------------------------------
    def create_run(self, config: RunConfig, batch_id: str | None = None) -> str:
        """Store a new queued run and return its id."""
        # Six hex digits after the second: a sweep queueing hundreds of runs in one second meets a repeat now and
        # then (about 1 in 120 for 520 runs), so a taken id is drawn again rather than failing the whole launch.
        for attempt in range(20):
            run_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
            try:
                with self._tx() as c:
                    c.execute(
                        "INSERT INTO runs (id, batch_id, created, status, strategy, dataset, model, config, owner)"
                        " VALUES (?,?,?,?,?,?,?,?,?)",
                        (run_id, batch_id or run_id, time.time(), QUEUED, config.strategy, config.data.label,
                         config.model, json.dumps(config.to_dict()), _process_tag()))  # owner: who queued it
                return run_id
            except sqlite3.IntegrityError:
                if attempt == 19:
                    raise
        raise AssertionError("unreachable")

    def get(self, run_id: str) -> Run | None:
        c = self._conn()  # (which reads the store's columns: self._select)
        row = c.execute(f"{self._select} WHERE runs.id=?", (run_id,)).fetchone()
        return self._located(_decode_cached(row)) if row else None

    def resolve_id(self, ref: str) -> str:
        """The full id of the run ``ref`` names: its id, or the id's end as the app shows it (``full_ft · d47a``:
        ``d47a``), or its start; one run only.

        Raises:
            BertlabError: no run, or several runs, match (the message lists them).
        """
        ref = ref.strip().split("·")[-1].strip()
        if ref and self.get(ref) is not None:
            return ref
        if len(ref) >= 3:
            rows = self._conn().execute("SELECT id, strategy FROM runs WHERE id LIKE ? ESCAPE '!' OR id LIKE ? "
                                        "ESCAPE '!' ORDER BY created", (_like(ref) + "%", "%" + _like(ref))).fetchall()
            if len(rows) == 1:
                return rows[0]["id"]
            if rows:
                named = ", ".join(f"{r['id']} ({r['strategy']})" for r in rows[:6]) + (" ..." if len(rows) > 6 else "")
                raise BertlabError(f"{ref!r} matches {len(rows)} runs: {named}; give more of the id.")
        raise BertlabError(f"no run with id {ref!r}; `python -m bertlab runs` lists them (an id's last 4 "
                           "characters, as the app shows them, are enough).")

    def _located(self, run: Run) -> Run:
        """Point ``artifact_dir`` under this store's root, so a moved or copied data directory still works."""
        if run.artifact_dir:
            run.artifact_dir = str(self.root / "runs" / run.id)
        return run

    def list_runs(self, status: tuple[str, ...] | None = None, batch_id: str | None = None,
                  limit: int | None = 500, strategy: str | None = None, model: str | None = None) -> list[Run]:
        """Runs, newest first, optionally filtered; ``limit=None`` lists them all."""
        self._conn()  # (which reads the store's columns: self._select)
        q, args = self._select, []
        conds = []
        if status:
            conds.append(f"status IN ({','.join('?' * len(status))})")
            args += list(status)
        for column, value in (("batch_id", batch_id), ("strategy", strategy), ("model", model)):
            if value:
                conds.append(f"{column}=?")
                args.append(value)
        if conds:
            q += " WHERE " + " AND ".join(conds)
        q += " ORDER BY created DESC, runs.rowid DESC"
        if limit is not None:
            q += " LIMIT ?"
            args.append(limit)
        return [self._located(_decode_cached(r)) for r in self._conn().execute(q, args).fetchall()]

    def queued_elsewhere(self, shown: int, skip: set[str] | frozenset = frozenset()) -> tuple[list[Run], int]:
        """The runs other live processes have queued here (a CLI sweep's next runs), oldest first, less ``skip``'s:
        the first ``shown`` of them and how many there are. One query of ids and owners (no run decoded) and
        ``shown`` reads: the sidebar asks every 2 s, and decoding all 500 runs a CLI sweep queued took ~13 ms a
        refresh (1.5 ms for the 50 it read before), in every open browser."""
        rows = self._conn().execute("SELECT id, owner FROM runs WHERE status=? ORDER BY created, rowid",
                                    (QUEUED,)).fetchall()
        alive = {o: _other_live_process(o) for o in {r[1] for r in rows}}  # each owner's process looked up once
        ids = [r[0] for r in rows if alive[r[1]] and r[0] not in skip]
        return [r for r in (self.get(i) for i in ids[:shown]) if r is not None], len(ids)

    def ids(self, status: tuple[str, ...]) -> set[str]:
        """The ids of the runs in ``status``: one small query (no run decoded), for a check every few seconds."""
        q = f"SELECT id FROM runs WHERE status IN ({','.join('?' * len(status))})"
        return {r["id"] for r in self._conn().execute(q, list(status)).fetchall()}

    def finished_mark(self, status: tuple[str, ...]) -> tuple[int, float]:
        """(how many runs are in ``status``, the latest ``finished`` time among them, 0 for none): one row from an
        index, however many runs the store holds, for a check every few seconds that a run has finished since."""
        q = f"SELECT COUNT(*), MAX(finished) FROM runs WHERE status IN ({','.join('?' * len(status))})"
        n, latest = self._conn().execute(q, list(status)).fetchone()
        return int(n), float(latest or 0.0)

    def update(self, run_id: str, **fields: Any) -> None:
        """Set columns of a run (dicts/lists are JSON-encoded); ``progress_at`` in its own table (:data:`_SELECT`)."""
        if not fields:
            return
        enc = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in fields.items() if k not in _OWN_TABLE}
        cols = ", ".join(f"{k}=?" for k in enc)
        with self._tx() as c:  # one transaction: a reader sees the progress and when it was reached together
            if enc:
                c.execute(f"UPDATE runs SET {cols} WHERE id=?", [*enc.values(), run_id])
            if own := [k for k in _OWN_TABLE if k in fields]:  # only for a run the store has: a deleted run's last
                # flush adds no row. A pace_started of None (too early to tell) is written 0: NULL is an older
                # bertlab's, whose phase_started is the pace's start (_decode)
                if "pace_started" in fields and fields["pace_started"] is None:
                    fields = {**fields, "pace_started": 0.0}
                c.execute(f"INSERT INTO run_progress (run_id, {', '.join(own)}) SELECT ?, {', '.join('?' for _ in own)} "
                          "WHERE EXISTS (SELECT 1 FROM runs WHERE id=?) ON CONFLICT(run_id) DO UPDATE SET "
                          + ", ".join(f"{k}=excluded.{k}" for k in own), (run_id, *(fields[k] for k in own), run_id))

    def claim(self, run_id: str, device: str) -> bool:
        """Atomically move a queued run to running. False if it is no longer queued (e.g. cancelled)."""
        with self._tx() as c:
            cur = c.execute("UPDATE runs SET status=?, started=?, device=?, progress=0, owner=? WHERE id=? AND status=?",
                            (RUNNING, time.time(), device, tag := _process_tag(), run_id, QUEUED))
            if cur.rowcount == 1 and _PROCESS_KIND[0]:  # what this process is: said if it dies (stopped_reason)
                c.execute("INSERT OR IGNORE INTO process_kinds (owner, kind) VALUES (?, ?)", (tag, _PROCESS_KIND[0]))
            return cur.rowcount == 1

    def finish(self, run_id: str, status: str, **fields: Any) -> None:
        if status == SUCCEEDED:  # a cancel asked too late to stop it wrote who asked there (request_cancel)
            fields.setdefault("error", None)
        self.update(run_id, status=status, finished=time.time(), **fields)
        with self._tx() as c:  # its process's kind, where it trains nothing else now (_forget_kinds)
            _forget_kinds(c)

    def request_cancel(self, run_id: str, by: str = CANCELLED_BY) -> str | None:
        """Cancel a queued run now, or flag a running one (its worker stops within one step). ``by``: who, as the
        run's error says it ('cancelled by the user'; the app's Compare names another desk than the launch's: on a
        shared server "the user" read as the student whose run it was, who had cancelled nothing).

        Returns the run's status after the call, or None if there is no such run.
        """
        with self._tx() as c:
            row = c.execute("SELECT status, owner FROM runs WHERE id=?", (run_id,)).fetchone()
            if row is None:
                return None
            if row["status"] == QUEUED:
                c.execute("UPDATE runs SET status=?, finished=?, error=? WHERE id=?",
                          (CANCELLED, time.time(), f"cancelled by {by} before it started", run_id))
                return CANCELLED
            orphan = row["status"] == RUNNING and _dead_owner(row["owner"])
            if orphan:
                # A run whose training process died (a killed CLI) has nobody left to read the flag.
                c.execute("UPDATE runs SET status=?, finished=?, error=? WHERE id=?",
                          (CANCELLED, time.time(), f"cancelled by {by}; the process training it had stopped",
                           run_id))
                _forget_kinds(c)
            elif row["status"] == RUNNING:
                # who asked, for the worker's last word (execute_run, as it stops), wherever it trains
                c.execute("UPDATE runs SET cancel_requested=1, error=? WHERE id=?", (f"cancelled by {by}", run_id))
                return RUNNING
            else:
                return row["status"]
        self._drop_staging([run_id])  # its half-written weights: nothing will finish them
        return CANCELLED

    def cancel_requested(self, run_id: str) -> bool:
        row = self._conn().execute("SELECT cancel_requested FROM runs WHERE id=?", (run_id,)).fetchone()
        return bool(row and row[0])

    def mark_interrupted(self, reason: str = "the server stopped while this run was training") -> list[str]:
        """After a restart: runs left 'running' by a dead process become 'interrupted'.

        A run still being trained by another live process on this machine (a CLI
        sharing the data directory) is left alone. Returns the ids marked: [] where the data directory is read-only
        (they are read as they were left).
        """
        if self.read_only:
            return []
        with self._tx() as c:
            rows = c.execute("SELECT id, owner FROM runs WHERE status=?", (RUNNING,)).fetchall()
            marked = [(r[0], r[1]) for r in rows if not _other_live_process(r[1])]
            ids = [i for i, _ in marked]
            # a dead process whose kind is known: said as every other process that finds its run says it
            kinds = _kinds(c, {o for _, o in marked if _dead_owner(o)})
            c.executemany("UPDATE runs SET status=?, finished=?, error=? WHERE id=? AND status=?",
                          [(INTERRUPTED, time.time(), stopped_reason(kinds[o]) if o in kinds else reason, i, RUNNING)
                           for i, o in marked])
            _forget_kinds(c)  # the dead processes' kinds, said: no run of theirs is left to say them of
        # Half-written weights go, except this process's own: a thread here may still be writing them (a second
        # job manager made after Streamlit's "Clear cache"); they go when the run is deleted.
        self._drop_staging([i for i, owner in marked if not _ours(owner)])
        return ids

    def mark_orphans(self) -> list[str]:
        """Runs left 'running' by another process on this host that has since died (a CLI killed mid-run)
        become 'interrupted'. Safe while this process trains: its own runs and live processes' are left alone.
        Returns the ids marked: [] where the data directory is read-only."""
        if self.read_only:
            return []
        rows = self._conn().execute("SELECT id, owner FROM runs WHERE status=?", (RUNNING,)).fetchall()
        dead = [(r[0], r[1]) for r in rows if _dead_owner(r[1])]
        ids = [i for i, _ in dead]
        if ids:  # a write only when there is something to mark: this runs every few seconds
            with self._tx() as c:
                kinds = _kinds(c, {o for _, o in dead})
                c.executemany("UPDATE runs SET status=?, finished=?, error=? WHERE id=? AND status=?",
                              [(INTERRUPTED, time.time(), stopped_reason(kinds.get(o)), i, RUNNING)
                               for i, o in dead])
                _forget_kinds(c)
            self._drop_staging(ids)
        return ids

    def adopt_orphaned_queue(self) -> list[str]:
        """Queued runs whose process has died (a server or CLI killed with runs still waiting) become this
        process's, oldest first: they stayed "queued" for ever while another server was up, since only a
        starting one took them over. The ids adopted; the caller queues them (none where the data directory is
        read-only: nothing can be trained there)."""
        if self.read_only:
            return []
        rows = self._conn().execute("SELECT id, owner FROM runs WHERE status=? ORDER BY created",
                                    (QUEUED,)).fetchall()
        dead = [(r[0], r[1]) for r in rows if _dead_owner(r[1])]
        if not dead:  # a write only when there is something to adopt: this runs every few seconds
            return []
        me = _process_tag()
        with self._tx() as c:  # another live server may adopt them at the same moment: one of us gets each
            return [i for i, owner in dead
                    if c.execute("UPDATE runs SET owner=? WHERE id=? AND status=? AND owner=?",
                                 (me, i, QUEUED, owner)).rowcount == 1]

    def set_queue_turn(self, batch_id: str, run_id: str) -> None:
        """Remember the launch (batch) whose run the worker took last, and that run: a restart continues the
        launches' rotation after it (:func:`bertlab.jobs.turn_after_restart`) instead of starting it afresh, where
        the launch that had just had its turn could go again first. Its own table, made on the first write: a data
        directory from before it (read-only too) is read as it was."""
        with self._tx() as c:
            c.execute("CREATE TABLE IF NOT EXISTS queue_state (key TEXT PRIMARY KEY, value TEXT)")
            c.execute("INSERT OR REPLACE INTO queue_state (key, value) VALUES ('last_turn', ?)",
                      (json.dumps({"batch": batch_id, "run": run_id}),))

    def queue_turn(self) -> tuple[str, str] | None:
        """(batch id, run id) of the run the worker took last (:meth:`set_queue_turn`); None where none was
        remembered (a data directory from before it, or a queue that never ran)."""
        try:
            row = self._conn().execute("SELECT value FROM queue_state WHERE key='last_turn'").fetchone()
        except sqlite3.OperationalError:  # no such table: a store from before it
            return None
        try:
            d = json.loads(row[0]) if row else None
            return (str(d["batch"]), str(d["run"])) if d else None
        except (ValueError, TypeError, KeyError):  # a hand-edited value: the rotation starts afresh, as before
            return None

    def _drop_staging(self, run_ids: list[str]) -> None:
        """An interrupted run's half-written weights (its staging directory, up to a model's size) go at once,
        not when the run is deleted: nothing can finish writing them."""
        import shutil

        for i in run_ids:
            shutil.rmtree(safe_join(self.root / "runs", f".tmp-{check_id(i, 'run id')}"), ignore_errors=True)

    def clear_queue(self) -> int:
        """Cancel every queued run; returns how many."""
        with self._tx() as c:
            return c.execute("UPDATE runs SET status=?, finished=?, error=? WHERE status=?",
                             (CANCELLED, time.time(), "cancelled by the user before it started (queue cleared)",
                              QUEUED)).rowcount

    def disk_bytes(self, run_id: str) -> int:
        """What a run's files take on disk (its model above all: a fine-tuned MiniLM is ~90 MB)."""
        return sum(dir_bytes(d) for d in (self.artifact_path(run_id),
                                          safe_join(self.root / "runs", f".tmp-{check_id(run_id, 'run id')}")))

    def delete_finished(self, run_ids: list[str]) -> tuple[list[str], list[str]]:
        """Delete the runs of ``run_ids`` that are not queued or running (their models, curves and results);
        returns (deleted, left: still active, which a worker may be writing)."""
        deleted, left = [], []
        for i in run_ids:
            run = self.get(i)
            if run is None:
                continue
            if run.status in ACTIVE:
                left.append(i)
            else:
                self.delete(i)
                deleted.append(i)
        return deleted, left

    def delete(self, run_id: str) -> None:
        """Remove a finished run, its points and its artifacts."""
        import shutil

        run = self.get(run_id)
        if run is None:
            return
        # Paths first: an id that is not a safe name raises here, before anything is deleted.
        # A run killed mid-write leaves its staging directory behind; it goes with the run.
        dirs = [self.artifact_path(run_id), safe_join(self.root / "runs", f".tmp-{run_id}")]
        with self._tx() as c:
            c.execute("DELETE FROM points WHERE run_id=?", (run_id,))
            c.execute("DELETE FROM runs WHERE id=?", (run_id,))
            c.execute("DELETE FROM run_progress WHERE run_id=?", (run_id,))
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)

    # --- points -------------------------------------------------------------------------------
    def add_points(self, run_id: str, rows: list[tuple[str, int, float, float]]) -> None:
        """Append (series, step, x, value) rows for a run."""
        if rows:
            with self._tx() as c:
                c.executemany("INSERT INTO points (run_id, series, step, x, value) VALUES (?,?,?,?,?)",
                              [(run_id, *r) for r in rows])

    def points(self, run_ids: list[str], series: tuple[str, ...] | None = None) -> list[dict]:
        """All points of the given runs as dicts {run_id, series, step, x, value}."""
        if not run_ids:
            return []
        q = f"SELECT run_id, series, step, x, value FROM points WHERE run_id IN ({','.join('?' * len(run_ids))})"
        args: list[Any] = list(run_ids)
        if series:
            q += f" AND series IN ({','.join('?' * len(series))})"
            args += list(series)
        q += " ORDER BY run_id, series, step"
        return [dict(r) for r in self._conn().execute(q, args).fetchall()]

    # --- artifacts ----------------------------------------------------------------------------
    def artifact_path(self, run_id: str) -> Path:
        """Where a run's artifacts live (the id is validated so it cannot escape the data directory)."""
        return safe_join(self.root / "runs", check_id(run_id, "run id"))

    def staging_path(self, run_id: str) -> Path:
        """A temporary directory the run writes into before it is renamed into place."""
        p = safe_join(self.root / "runs", f".tmp-{check_id(run_id, 'run id')}")
        if p.exists():
            import shutil

            shutil.rmtree(p)
        p.mkdir(parents=True)
        return p
