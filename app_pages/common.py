"""Shared pieces of the pages: process-wide resources, the chosen data, small formatting helpers.

This module is imported by the pages (it is not a page: ``app.py`` lists the
pages explicitly with ``st.navigation``). Only Streamlit and bertlab here, no
torch: training and inference live in the library.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import streamlit as st

from bertlab import variants
from bertlab.config import (
    SPLIT_PRESETS,
    TRUNCATIONS,
    DataConfig,
    data_dict,
    shown_strategy,
    upload_display_name,
)
from bertlab.data import BUILTIN, Splits, TextDataset, load_data, split_for
from bertlab.errors import BertlabError, ModelError
from bertlab.jobs import JobManager
from bertlab.paths import data_home, keep_text
from bertlab.store import ACTIVE, RunStore, set_process_kind, undone_batches

# Session keys starting with "keep_" survive page switches (app.py calls keep_values every run,
# which stops Streamlit from deleting the state of widgets that are not on the current page).
KEEP = "keep_"
DATA_KEY = "keep_data_config"
# A copy of every "keep_" value under a key no widget owns. Re-assigning them in app.py is not enough: a run of
# the sidebar's fragments alone (the idle watch every IDLE_WATCH_S, the queue every 2 s) drops the state of the
# widgets the last full run did not draw, so a Train panel left for 15 s came back at its defaults (a review).
KEPT_VALUES = "_kept_values"


def keep_values(state: MutableMapping) -> None:
    """At the top of every full run: put back each "keep_" value Streamlit dropped while its page was not shown,
    then record the values as they are now and re-assign them (so this run's end keeps them too)."""
    kept = state.setdefault(KEPT_VALUES, {})
    for k, v in kept.items():
        if k not in state:
            state[k] = v
    for k in [k for k in state if str(k).startswith(KEEP)]:
        kept[k] = state[k] = state[k]

PRESETS = SPLIT_PRESETS  # the Data page's size choices (bertlab.config; the CLI's --quick is the first)
DEFAULT_PRESET = "Quick demo"
RUNS_LISTED = 2000  # Compare offers the batches of this many newest runs (each listed batch whole)


# --- process-wide resources --------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _manager(home: str) -> JobManager:
    # Keyed by the data directory so tests (one BERTLAB_HOME each) never share a store.
    set_process_kind("the server")  # a run of it found after a SIGKILL: "the server stopped while ..." by any process
    return JobManager(RunStore(home))


def manager() -> JobManager:
    """The one job manager (queue + worker thread) of this server process."""
    return _manager(str(data_home()))


def store() -> RunStore:
    """The run store every page reads."""
    return manager().store


READ_ONLY_OFF = "off: the data directory cannot be written (see the note at the top of the page)"


def read_only() -> bool:
    """Whether the data directory cannot be written (a read-only mount, a colleague's copied results): its runs
    are read, and what writes there (Launch, Run again, Delete, timing serving speed, a sweep) is off."""
    return bool(store().read_only)


def read_only_note() -> str:
    """The note, once at the top of every page, where the data directory cannot be written (markdown), with the
    store's reason: a full disk is opened read-only too, and was called "read-only or not yours to write"."""
    why = store().read_only_reason or "it is read-only or not yours to write"
    do = "free some space there" if why == "it is full" else "make it writable"
    return (f"The data directory {md(repr(str(store().root)))} cannot be written ({why}): its runs are shown, but "
            f"launching, Run again, deleting runs and timing serving speed are off. To train, {do}, or point "
            "BERTLAB_HOME at a folder you can write and restart (BERTLAB_HOME=/path/to/folder make run).")


_PREDICTING: set[str] = set()  # the data directories whose Predictor this process has made


@st.cache_resource(show_spinner=False)
def _predictor(home: str):
    from bertlab.predict import Predictor  # loads torch: only when a page predicts

    _PREDICTING.add(home)
    return Predictor(_manager(home).store, backend="auto")


def predictor():
    """The one Predictor (warm models) of this server process."""
    return _predictor(str(data_home()))


def forget_runs(deleted: list[str] | None = None) -> None:
    """Free the memory of loaded models whose runs are gone: ``deleted`` (just deleted on this page), else every
    loaded run no longer in the store (deleted by the CLI or another tab; a few look-ups by id). Each loaded
    fine-tuned model held ~130 MB until the server restarted. Nothing to do (and no torch import) where this
    process has not predicted yet."""
    if str(data_home()) not in _PREDICTING:
        return
    if deleted:
        predictor().forget(deleted)
    else:
        predictor().forget_deleted()


@st.cache_resource(show_spinner=False)
def device_name() -> str:
    """The device runs use: GPU name, or the CPU and its threads (what runs record, so estimates match on it)."""
    from bertlab.models import pick_device

    return pick_device().name


@st.cache_resource(show_spinner=False)
def device_info():
    """The :class:`bertlab.models.DeviceInfo` runs use, and the autocast dtype of the default precision ("auto")."""
    from bertlab.models import autocast_dtype, pick_device

    dev = pick_device()
    return dev, autocast_dtype("auto", dev)


@st.cache_resource(show_spinner=False)
def device_label() -> str:
    """The device and the precision runs train in by default ("auto"), for the sidebar."""
    from bertlab.models import autocast_dtype, pick_device, precision_name

    name = precision_name(autocast_dtype("auto", pick_device()))
    return f"{device_name()} · {name}" + (" (loss scaling)" if name == "fp16" else "")


def sweep_batches() -> set[str]:
    """Batch ids that are sweeps (a sweep queues its points as one batch named by its id)."""
    from bertlab.sweep import sweep_ids

    return sweep_ids(store())  # ids only: counting each sweep's runs read the whole store on every page's rerun


def batch_title(runs: list, sweep: bool = False, batch: str | None = None) -> str:
    """``Dec 01 23:28 · rotten_tomatoes · zero_shot, head_only`` (or ``sweep · ... · 12 runs of ...``): one batch as
    every page names it. Its time is that of its own first run (``batch``: its id): a sweep holds points reused
    from earlier launches, and was named by the oldest of them (a reviewer's 22:24 sweep read "22:14")."""
    first = min(r.created for r in ([r for r in runs if batch and r.batch_id == batch] or runs))
    when = time.strftime("%H:%M", time.localtime(first))
    day = time.strftime("%b %d", time.localtime(first))
    live = " · live" if any(r.status in ACTIVE for r in runs) else ""
    stopped = {s: sum(r.status == s for r in runs) for s in ("cancelled", "failed", "interrupted")}
    if stopped["cancelled"] == len(runs):
        live += " · all cancelled"
    else:
        live += "".join(f" · {n} {s}" for s, n in stopped.items() if n)
    shown = variants.labels(runs)  # "full_ft (lr 2e-05), full_ft (lr 5e-05)": not "full_ft ×2" seeds
    # a run stopped and then run again (Compare's Run again: the same settings, queued in this batch) is one run of
    # the launch, not two: an interrupted lora and its rerun read "lora ×2", like two seeds
    from bertlab.sweep import config_key

    ended = ("cancelled", "failed", "interrupted")
    counted = runs
    if any(r.status in ended for r in runs) and any(r.status not in ended for r in runs):
        again = {config_key(r.config) for r in runs if r.status not in ended}
        counted = [r for r in runs if r.status not in ended or config_key(r.config) not in again]
    ordered = [shown[r.id] for r in sorted(counted, key=lambda r: r.created)]
    # the model, where it is one other than the default (several: each name says its own, from labels above); an
    # ALBERT batch read like one of MiniLM's
    data = dataset_name(runs[0].dataset) + (f" · {m}" if (m := variants.batch_model(runs, named=True)) else "")
    if sweep:  # sizes x seeds runs of a few strategies: name each strategy once
        return f"sweep · {day} {when} · {data} · {len(runs)} run{'s' * (len(runs) != 1)} of {', '.join(dict.fromkeys(ordered))}{live}"
    # "full_ft ×3" for a strategy launched at several seeds
    names = ", ".join(n + (f" ×{ordered.count(n)}" if ordered.count(n) > 1 else "") for n in dict.fromkeys(ordered))
    return f"{day} {when} · {data} · {names}{live}"


def batch_titles(batches: dict[str, list], sweeps: set[str]) -> dict[str, str]:
    """Each batch's title, made unique: two launches in the same minute with the same strategies would read the
    same, and a selectbox could then open only one of them."""
    titles = {b: batch_title(runs, b in sweeps, b) for b, runs in batches.items()}
    # where titles are the same, what differs between those launches (28 quick runs at different seeds all read
    # alike, told apart only by an id's tail within one minute): "· split 7, seed 7"
    alike: dict[str, list[str]] = {}
    for b, t in titles.items():
        alike.setdefault(t, []).append(b)
    for same in alike.values():
        if len(same) > 1:
            differ = variants.launch_differences({b: batches[b] for b in same})
            titles |= {b: titles[b] + f" · {differ[b]}" for b in same if differ[b]}
    seen: dict[str, int] = {}
    for t in titles.values():
        seen[t] = seen.get(t, 0) + 1
    return {b: t + (f" · {b[-4:]}" if seen[t] > 1 else "") for b, t in titles.items()}


def latest_batch(runs: list, sweeps: set[str]) -> str | None:
    """The batch a page shows by default: the newest launch that is not a sweep, else the newest sweep; a batch
    whose every run was cancelled or interrupted (a launch clicked twice, then undone; one stopped by a restart and
    the rest cancelled) only when nothing else is there: it has nothing to show.

    A sweep is many small runs of a few strategies (sizes x seeds): shown by default it crowds the charts
    and hides the launch the user came to see. ``runs`` are newest first.
    """
    if not runs:
        return None
    from bertlab.sweep import undone as undone_of

    undone = undone_of(store(), runs, sweeps)  # a sweep: the runs holding its points, as its title reads them
    kept = [r for r in runs if r.batch_id not in undone] or runs
    return next((r.batch_id for r in kept if r.batch_id not in sweeps), kept[0].batch_id)


def own_launches() -> set[str]:
    """The batches (launches, sweeps) this desk made: this session's last launch and sweep, and those kept for the
    desk (:func:`own_batches`)."""
    return {b for b in ((st.session_state.get("last_launch") or {}).get("batch"),
                        st.session_state.get("keep_sw_current"), *own_batches()) if b}


YOURS = "yours"  # the mark of this desk's launches and runs (the pages' batch and sweep lists, the sidebar's queue)


def mark_yours(titles: dict[str, str], own: set[str] | None = None) -> dict[str, str]:
    """``titles`` (batch or sweep id -> its title in a list) with this desk's launches and sweeps (``own``, else
    :func:`own_launches`) ending " · yours": in a classroom of 8 browsers five launches read "Dec 06 21:10 ·
    rotten_tomatoes · head_only · live" and the like, a student's own told from a neighbour's by nothing (Compare's
    Batch list, Accuracy vs cost's and Learning curves' lists alike)."""
    own = own_launches() if own is None else own
    return {b: t + (f" · {YOURS}" if b in own else "") for b, t in titles.items()}


FOREIGN_CANCEL = ("Launched from another browser or from the command line (a teacher's run on a classroom's "
                  "server, say): stopping it stops it for everyone watching it.")
# who cancelled such a run, as its status line then says it to every desk: "cancelled by the user" read, on the
# page of the student who launched it, as if they had done it themselves (a classroom review)
FOREIGN_CANCELLER = "someone at a desk that did not launch it"
# how a run chosen on a page can vanish under it, in the same words on Compare (the batch on screen) and the
# Playground (a model chosen)
DELETED_BY = "with Compare's Delete (in this tab or another, or at another desk) or with the CLI's `delete`"


def cancel_run(run_id: str, own: bool) -> None:
    """Cancel a run from Compare; ``own``: launched at this desk, else its status line names another desk."""
    manager().cancel(run_id, **({} if own else {"by": FOREIGN_CANCELLER}))


def cancel_control(where, label: str, own: bool, key: str, disabled: bool = False, help: str | None = None,
                   icon: str | None = None, warning: str = FOREIGN_CANCEL, confirm: str = "Stop for everyone",
                   confirm_icon: str = ":material/stop_circle:") -> bool:
    """A Cancel button in ``where`` that returns True when clicked; for runs not launched at this desk (``own``
    False) a popover that asks first (``warning``, then a ``confirm`` button): in a classroom every student's
    Compare page showed the teacher's runs with a Cancel button one click from stopping them for all. Other
    one-click actions on another desk's runs (a sweep's Run again) ask the same way, in their own words."""
    if own:
        return where.button(label, key=key, disabled=disabled, help=help, icon=icon)
    with where.popover(label, disabled=disabled, help=help, icon=icon):
        st.markdown(warning)
        return st.button(confirm, key=key, type="primary", icon=confirm_icon)


def queue_place(run_id: str, when: bool = False) -> str:
    """Where a queued run stands: 'starts when the 3 runs ahead of it finish (one training now)'. On a shared
    server the runs ahead may be anyone's: one worker trains them one at a time, launches taking turns (the
    snapshot's ``queued`` is in that order; a launch made later can take its turn before this run). ``when``:
    and roughly when, where the runs ahead have estimates (', in ~4 min'): in a classroom a student's head_only
    read 'starts when the 9 runs ahead of it finish' for minutes, with no word of how long (:func:`queue_wait`)."""
    snap = manager().snapshot()
    if run_id == snap.running:  # taken by the worker, not yet marked running in the store (a moment; under load more)
        return "starts now"
    if run_id not in snap.queued:
        return "starts when the runs before it finish"
    before = (*([snap.running] if snap.running else []), *snap.queued[:snap.queued.index(run_id)])
    ahead = len(before)
    if not ahead:
        return "starts next"
    wait = queue_wait(before) if when else ""
    return ((f"starts when the {ahead} runs ahead of it finish" if ahead != 1 else
             "starts when the run ahead of it finishes") + (" (one training now)" if snap.running else "")
            + (f", in {wait}" if wait else ""))


def rough_estimate(past: list, model: str, device: str, speed, work: tuple[float, float] | None,
                   tokens: float | None, cached: float | None):
    """The Train page's strategy table's figure for a strategy no run of which finished here: from this device's
    measured ``speed``, else (nothing of it cached) from the encoder speed past zero_shot or head_only runs
    measured; None where neither can tell."""
    from bertlab.estimate import encoder_estimate, probe_estimate

    return (probe_estimate(speed, work, tokens, cached, model)
            or (encoder_estimate(past, model, device, work, tokens) if not cached else None))


def ahead_seconds(ahead: list, past: list) -> tuple[float, int, int]:
    """Estimated seconds until the runs ``ahead`` (the one training, then those queued, in order; None for one
    gone from the store's active runs) have finished, as the Train page's strategy table estimates a launch
    (bertlab.sweep.estimate_total over ``past``, the runs it estimates from, else the table's
    :func:`rough_estimate`), how many of them have no estimate, and whether the one training is past its estimate
    with no pace to tell its time left by (1, else 0). The one training counts what its pace so far leaves (the
    sidebar's and Compare's '~2 min left'), or before it has one what its estimate leaves after the time it has run
    (a classroom's sidebar said '~69 s left' of the run training while the run queued behind it said 'in ~2 min',
    from the estimate)."""
    from bertlab import speedprobe
    from bertlab.estimate import run_time_left
    from bertlab.strategies import REGISTRY
    from bertlab.sweep import estimate_total

    runs = [r for r in ahead if r is not None]
    device = device_name()
    dev, dtype = device_info()

    def rough(c, sizes: dict[str, int], share: float | None) -> float | None:
        try:
            work = REGISTRY[c.strategy].probe_work(c, sizes)
        except (BertlabError, KeyError):
            return None
        est = rough_estimate(past, c.model, device, speedprobe.saved(c.model, dev, dtype), work,
                             run_tokens(c) if REGISTRY[c.strategy].uses_tokens else None, share)
        return est.seconds if est else None

    def estimate(configs: list) -> tuple[float, int]:
        return estimate_total(past, configs, device, run_tokens, run_available, embedding_keys,
                              fallback=rough)

    total, unknown, overdue = 0.0, len(ahead) - len(runs), 0  # a run gone since (finished or deleted): unknown
    queued = [r for r in runs if r.status != "running"]
    now = time.time()
    for r in runs:
        if r.status == "running":
            pace = run_time_left(r, now) if r.phase != "mlm" else None
            if pace is not None:  # what its pace so far leaves, as the sidebar's '~69 s left' says
                total += pace
                continue  # its estimate unused: not made
            s, u = estimate([r.run_config])
            left = s - (now - (r.started or now))
            if not u and left > 0:  # too early for a pace: what its estimate leaves
                total += left
            elif u:
                unknown += 1
            else:
                overdue = 1
    s, u = estimate([r.run_config for r in queued])
    return total + s, unknown + u, overdue


def ahead_at_most(ahead: list) -> bool:
    """Whether :func:`ahead_seconds` of the runs ``ahead`` is the most they should take: one of them is counted to
    its last epoch where Stop early after may end it sooner (the one training by its pace,
    bertlab.estimate.time_left_at_most; else by its estimate, bertlab.estimate.may_stop_early), so the wait is said
    'up to ~2 min' as the sidebar's time left and the Train page's estimate are."""
    from bertlab.estimate import may_stop_early, run_time_left, time_left_at_most

    now = time.time()
    for r in ahead:
        if r is None:
            continue
        if r.status == "running" and r.phase != "mlm" and run_time_left(r, now) is not None:
            if time_left_at_most(r):
                return True
            continue
        cfg = r.config or {}
        if may_stop_early(r.strategy, cfg.get("epochs"), cfg.get("patience")):
            return True
    return False


PAST_RUNS = 200  # the newest runs in the store the time estimates learn from
PAST_OF_EACH = 20  # and of each strategy asked about, its newest finished runs on the model, however old


def past_runs(strategies: list[str], model: str) -> list:
    """The runs the Train page's time estimates learn from, newest first: the :data:`PAST_RUNS` newest in the store,
    and each of ``strategies``' newest finished runs on ``model`` (:data:`PAST_OF_EACH`) older than those. After a
    sweep of 300 head_only and tfidf_logreg runs, a full_ft run measured the day before was out of the newest 200:
    full_ft read "unknown" (or a rough figure from another strategy's speed) where its own measured pace was stored."""
    from bertlab.store import SUCCEEDED

    past = store().list_runs(limit=PAST_RUNS)
    seen = {r.id for r in past}
    older = [r for n in strategies for r in store().list_runs(status=(SUCCEEDED,), strategy=n, model=model,
                                                              limit=PAST_OF_EACH) if r.id not in seen]
    return past + sorted(older, key=lambda r: r.created, reverse=True)


QUEUE_WAIT_S = 10.0  # a queued run's wait is estimated afresh at most this often (shared by every page and session)
_WAITS: OrderedDict = OrderedDict()  # (data directory, run ids ahead, time slot) -> '~2 min' or ''
_WAITS_LOCK = threading.Lock()
_WAITS_READ: dict = {}  # (data directory, time slot) -> (the active runs by id, the runs estimates learn from)


def queue_wait(ahead: tuple[str, ...]) -> str:
    """'~2 min': roughly how long until the runs ``ahead`` of a queued one (the one training first, then those
    queued before it) have finished, as the Train page estimates the queue ahead of a new launch
    (:func:`ahead_seconds`); '' where one of them has no estimate or the one training is past it. Kept for
    :data:`QUEUE_WAIT_S` for every page and session: Compare's status lines refresh every 2 s in each browser, and
    30 students' pages would each estimate the same queue."""
    if not ahead:
        return ""
    key = (str(store().root), ahead, int(time.time() // QUEUE_WAIT_S))
    with _WAITS_LOCK:
        if key in _WAITS:
            return _WAITS[key]
    from bertlab.estimate import Estimate

    read = _WAITS_READ.get(key[::2])
    # ~26 ms an estimate of 5 runs ahead on a 2-core CPU: each slot's reads serve all of them, but read again for a
    # run launched since (another desk's, taking its turn ahead): missing from them it was unknown, the wait blank
    if read is None or any(i not in read[0] for i in ahead):
        read = ({r.id: r for r in store().list_runs(status=ACTIVE, limit=None)}, store().list_runs(limit=PAST_RUNS))
        _WAITS_READ.clear()
        _WAITS_READ[key[::2]] = read
    active, past = read
    runs = [active.get(i) for i in ahead]
    seconds, unknown, overdue = ahead_seconds(runs, past)
    said = "" if unknown or overdue else Estimate(seconds, "", at_most=ahead_at_most(runs)).text()
    with _WAITS_LOCK:
        _WAITS[key] = said
        while len(_WAITS) > 256:
            _WAITS.popitem(last=False)
    return said


HAND_KEY = "cmp_by_hand"  # the batch last chosen by hand in Compare's Batch list (cmp_choice is also its default)
PICKED_KEY = "keep_cmp_runs"  # the runs picked on Compare (its Pick runs switch), kept across pages
PICKED = "picked on Compare"  # the batch key other pages give those runs beside the launches
# The list of batches, on Compare and on Accuracy vs cost (which read "Batch (one launch or sweep)" and "Runs (one
# launch or one sweep)" for the same pick); Accuracy vs cost's, where it also holds the runs picked on Compare, says so
BATCH_LABEL = "Batch (one launch or sweep)"
BATCH_OR_PICKED_LABEL = "Batch (one launch or sweep), or the runs picked on Compare"


def picked(runs: list) -> list:
    """The runs picked on Compare where its Pick runs switch is on, of ``runs`` (in their order); [] where it is
    off or none of them is among ``runs``."""
    if not st.session_state.get("keep_cmp_pick"):
        return []
    ids = set(st.session_state.get(PICKED_KEY) or [])
    return [r for r in runs if r.id in ids]


def with_picked(batches: dict, titles: dict, runs: list) -> tuple[dict, dict]:
    """``batches`` (batch id -> runs) and their ``titles`` with the runs picked on Compare first, as
    :data:`PICKED`, where there are any: the comparison the desk made across launches, on every page."""
    if not (chosen := picked(runs)):
        return batches, titles
    return ({PICKED: chosen, **batches},
            {PICKED: f"Runs picked on Compare · {len(chosen)} run{'s' * (len(chosen) != 1)}", **titles})


def shown_batch(runs: list, sweeps: set[str]) -> str | None:
    """The batch the other pages open on: the runs picked on Compare (:data:`PICKED`, where its Pick runs switch is
    on), else the batch it shows (as chosen there), else this desk's newest launch (not a sweep, not all cancelled)
    that is stored, else :func:`latest_batch`. A CLI run or another user's launch made since does not take Accuracy vs cost, the
    cards or the Playground away from the comparison this desk was looking at. ``runs`` are newest first."""
    if picked(runs):
        return PICKED
    present = {r.batch_id for r in runs}
    if (choice := st.session_state.get("cmp_choice")) in present:
        return choice
    own = own_launches()
    # a sweep has its own page: it takes no other page over; a launch of this desk's all cancelled (clicked twice,
    # then undone) has nothing to show, as latest_batch passes it over
    mine = set(own) & present - sweeps - undone_batches(runs)
    # runs come newest first: the first of this desk's batches met is its newest
    return next((r.batch_id for r in runs if r.batch_id in mine), None) or latest_batch(runs, sweeps)


# --- the chosen data ---------------------------------------------------------------------------
def default_data_config() -> DataConfig:
    """rotten_tomatoes with the quick caps: what a first-time user should see working first."""
    tr, va, te = PRESETS[DEFAULT_PRESET]
    return DataConfig(source="builtin", name="rotten_tomatoes", train_size=tr, val_size=va, test_size=te)


LAST_DATA_FILE = "last_data.json"
JUDGE_LABELS = {"accuracy": "Accuracy", "macro_f1": "Macro-F1"}
JUDGE_HELP = ("Accuracy counts every text the same; macro-F1 averages the F1 of each class, so a rare class counts as "
              "much as a common one. Macro-F1 is the default where the majority class is 70% or more of the test "
              "texts, or a class is under 5% of them and under half the share of a class if all were even (50 "
              "even topics are 2% each, and not imbalanced): there accuracy rewards answering the common class always, or "
              "ignoring the rare one.")


# Compare's Judge by, per default measure, kept across pages: the Accuracy vs cost page and the report Compare
# exports judge by it too (a review: Compare on Macro-F1, the report and the trade-off page by accuracy, unsaid).
JUDGE_KEPT = "keep_judge"


def judge_by(default: str, key: str, where=st, start: str | None = None) -> str:
    """The Judge by control (Accuracy / Macro-F1) of Compare, Accuracy vs cost and Learning curves: 'accuracy' or
    'macro_f1'. Keyed by the default, so that other data (balanced after imbalanced) starts from its own;
    ``start``: what it shows first (else the default)."""
    return where.segmented_control("Judge by", list(JUDGE_LABELS), default=start or default, key=f"{key}_{default}",
                                   format_func=JUDGE_LABELS.get, required=True, help=JUDGE_HELP) or default


def judge_chosen(default: str, key: str, start: str | None = None) -> str:
    """What :func:`judge_by` with this key holds, before it is drawn (a page that draws it below what it judges)."""
    return st.session_state.get(f"{key}_{default}") or start or default


def compare_judge(default: str) -> str:
    """What Compare's Judge by last judged runs of this ``default`` measure by (the default where never changed)."""
    return (st.session_state.get(JUDGE_KEPT) or {}).get(default) or default


def keep_compare_judge(default: str, judge: str) -> None:
    """Remember Compare's Judge by for runs of this ``default`` measure (:func:`compare_judge`)."""
    st.session_state[JUDGE_KEPT] = {**(st.session_state.get(JUDGE_KEPT) or {}), default: judge}


DESK_PARAM = "desk"
_DESK_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
OWN_BATCHES_FILE = "batches.json"


def desk() -> str:
    """This browser's desk: a name kept in the page's address (``?desk=...``), so that a reload, or a bookmark,
    finds the data, strategies and launches it chose, and on a shared server (a classroom) one user's upload or
    launch never becomes another's default. A visit without one gets a new random name."""
    d = st.session_state.get("_desk")
    if d is None:
        asked = st.query_params.get(DESK_PARAM)
        d = asked if isinstance(asked, str) and _DESK_RE.fullmatch(asked) else secrets.token_hex(6)
        st.session_state["_desk"] = d
    return d


def keep_desk_in_address() -> None:
    """Put this browser's desk in the address, once per run, before the page runs (the app's frame calls it):
    a page opened directly, or one that stops early, dropped it once when it was set only where it differed."""
    st.query_params[DESK_PARAM] = desk()


def desk_dir() -> Path:
    """Where this desk's choices are kept in the data directory (``desks/<name>/``)."""
    return data_home() / "desks" / desk()


def own_batches() -> list[str]:
    """The batches (launches, sweeps) made at this desk, newest first (at most 200 kept)."""
    try:
        got = json.loads((desk_dir() / OWN_BATCHES_FILE).read_text())
    except (OSError, ValueError):
        return []
    return [b for b in got if isinstance(b, str)] if isinstance(got, list) else []


def remember_batch(batch_id: str) -> None:
    """Note a launch or sweep made at this desk: Compare opens on it after a reload, and only this desk's
    launches count as "the same launch again"."""
    if batch_id:
        keep_text(desk_dir() / OWN_BATCHES_FILE,
                  json.dumps([batch_id, *[b for b in own_batches() if b != batch_id]][:200]))



def data_config() -> DataConfig:
    """The DataConfig chosen on the Data page; in a new session (a reload, a bookmark) the data last chosen at
    this desk (:func:`desk`), so that a reload never launches runs on other data than the page showed; else the
    default one."""
    d = st.session_state.get(DATA_KEY)
    if not d:
        last = last_data_config()
        if last is None:
            return default_data_config()
        st.session_state[DATA_KEY] = asdict(last)
        return last
    try:
        return DataConfig(**d)
    except (BertlabError, TypeError):
        return default_data_config()


def last_data_config() -> DataConfig | None:
    """The data last loaded on the Data page at this desk (None: none, unreadable, or an upload whose file is
    gone)."""
    try:
        cfg = DataConfig(**json.loads((desk_dir() / LAST_DATA_FILE).read_text()))
    except (OSError, ValueError, TypeError, BertlabError):
        return None
    if cfg.source == "file" and not Path(cfg.name).is_file():
        return None
    return cfg


def set_data_config(cfg: DataConfig) -> None:
    st.session_state[DATA_KEY] = asdict(cfg)
    path = desk_dir() / LAST_DATA_FILE
    # The defaults need no file: a visit that changes nothing leaves no desk behind (the Data page sets the
    # data at every run, and every visit to the bare address is a new desk).
    if cfg != default_data_config() or path.is_file():
        # as a run's config stores it (data_dict): an older bertlab's app at this desk reads it with DataConfig(**data)
        keep_text(path, json.dumps(data_dict(cfg), sort_keys=True))


SETTINGS_FILE = "settings.json"


def desk_settings() -> dict:
    """Small choices kept for this desk across reloads (projector mode, the Learning curves form, zero_shot's label
    sentences): {} where none."""
    try:
        got = json.loads((desk_dir() / SETTINGS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def save_desk_settings(**values) -> None:
    """Keep ``values`` (JSON-able) among this desk's settings."""
    keep_text(desk_dir() / SETTINGS_FILE, json.dumps({**desk_settings(), **values}, sort_keys=True))


LAST_STRATEGIES_FILE = "last_strategies.json"


def last_strategies() -> list[str] | None:
    """The strategies last chosen on the Train page at this desk (None: none, or unreadable), so that a reload
    does not put back a strategy the user removed (a scratch run of hours)."""
    from bertlab.strategies import REGISTRY

    try:
        names = json.loads((desk_dir() / LAST_STRATEGIES_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(names, list):
        return None
    kept = [n for n in names if isinstance(n, str) and n in REGISTRY]
    return kept if kept or not names else None


def save_strategies(names: list[str]) -> None:
    keep_text(desk_dir() / LAST_STRATEGIES_FILE, json.dumps(list(names)))


MODEL_SETTING = "model"  # the Train page's Model field, among the desk's settings


def last_model() -> str | None:
    """The model last typed on the Train page at this desk (None: none, or unreadable), so that a reload does not
    put MiniLM back in the field and Launch train it while the user had chosen another model."""
    got = desk_settings().get(MODEL_SETTING)
    return got.strip() if isinstance(got, str) and got.strip() else None


def save_model(model: str) -> None:
    """Keep the Train page's model among this desk's settings (:func:`last_model`)."""
    save_desk_settings(**{MODEL_SETTING: str(model).strip()})


FINISHED_SEEN = "_finished_seen"  # (count, latest finished) of the succeeded runs the page last drew
FINISHED_RERUN_AT = "_finished_rerun_at"  # when a finished run last redrew the whole app (time.monotonic)
FINISHED_RERUN_GAP_S = 10.0


def succeeded_mark() -> tuple[int, float]:
    """:meth:`RunStore.finished_mark` of the succeeded runs: what :func:`rerun_for_finished` compares."""
    from bertlab.store import SUCCEEDED

    return store().finished_mark((SUCCEEDED,))


def rerun_for_finished(state, mark: tuple[int, float], now: float) -> bool:
    """Whether a run that succeeded since the page was drawn (``state[FINISHED_SEEN]``; None: not drawn while busy)
    calls for redrawing the whole app now, so the Playground and Compare's box offer it; ``mark`` is
    :func:`succeeded_mark`, ``now`` time.monotonic(). At most one such redraw per :data:`FINISHED_RERUN_GAP_S`:
    a CLI sweep of fast points finishing a run every second or two redrew the whole page every 2-s refresh (a
    review). A finish within the gap waits (the mark it differs from is kept), and redraws once the gap is over.
    A deletion alone (fewer runs, none newer) only updates the mark."""
    seen = state.get(FINISHED_SEEN)
    if seen is None or tuple(mark) == tuple(seen):
        return False
    if not (mark[1] > seen[1] or mark[0] > seen[0]):
        state[FINISHED_SEEN] = tuple(mark)
        return False
    if (last := state.get(FINISHED_RERUN_AT)) is not None and now - last < FINISHED_RERUN_GAP_S:
        return False
    state[FINISHED_SEEN], state[FINISHED_RERUN_AT] = tuple(mark), now
    return True


THEME_DRAWN = "_theme_drawn"  # whether the page was last drawn in the dark theme (dark_theme() at the full redraw)


def rerun_for_theme(state, dark: bool) -> bool:
    """Whether the browser's theme is no longer the one the page was drawn in (``state[THEME_DRAWN]``; ``dark``:
    :func:`dark_theme` now), which calls for redrawing the whole app. Streamlit does not rerun the script when the
    user picks Light or Dark in the menu (streamlit#11920), so what the page colours itself (the Strategy cards'
    diagram, strategy colours, swatches) stayed in the old theme until the next click: a white card on the dark
    page. The sidebar's timed fragment asks this at each of its refreshes. Unknown (no full redraw yet): no."""
    if THEME_DRAWN not in state or state[THEME_DRAWN] == dark:
        return False
    state[THEME_DRAWN] = dark
    return True


PRICE_KEYS = (("keep_pr_cpu", "cpu_hour"), ("keep_pr_gpu", "gpu_hour"), ("keep_pr_cur", "currency"))
PRICES_SET = "pr_set"  # the prices someone set (by name): typed on the page, or saved as set


def prices():
    """The prices per device-hour set on the Accuracy vs cost page (Compare's serving table, the report and the
    CSV use them too); in a new session (a reload, a second tab) the ones last set in this data directory, so
    a reload never puts the defaults back behind the user's back. A price nobody set is ``unset``; which were set
    is kept (:func:`mark_price_set`), not guessed from equality with the default: EUR 0.05 typed was said to be
    "the default $0.05, never set in EUR" (a review)."""
    from bertlab.pareto import PRICE_NAMES, Prices, load_prices

    if not all(k in st.session_state for k, _ in PRICE_KEYS) or PRICES_SET not in st.session_state:
        saved = load_prices()
        for k, field in PRICE_KEYS:
            st.session_state.setdefault(k, getattr(saved, field))
        st.session_state.setdefault(PRICES_SET, [k for k in PRICE_NAMES if k not in saved.unset])
    unset = tuple(k for k in PRICE_NAMES if k not in st.session_state[PRICES_SET])
    try:
        return Prices(**{field: st.session_state[k] for k, field in PRICE_KEYS}, unset=unset)
    except (BertlabError, TypeError):
        return Prices(unset=PRICE_NAMES)


def mark_price_set(name: str) -> None:
    """on_change of a price input: ``name`` (cpu_hour, gpu_hour) was set, whatever its value."""
    st.session_state[PRICES_SET] = sorted({*st.session_state.get(PRICES_SET, []), name})


def set_data_problem(message: str | None) -> None:
    """What went wrong with the data last picked on the Data page (None: it loaded), so that the Train page can
    say its runs would use the last data that did load."""
    st.session_state["data_problem"] = message


def data_problem() -> str | None:
    return st.session_state.get("data_problem")


def upload_tag(up: Any, memo: MutableMapping) -> str:
    """The first 8 hex digits of an uploaded file's SHA-256, hashed once per upload (``up.file_id``: the uploader's
    id for it, the same on every rerun until another file is uploaded) and kept in ``memo`` (the session's): every
    rerun of the Data page hashed the whole file again while the uploader held it, 0.17 s a click for a 58 MB CSV of
    200,000 rows. ``memo`` keeps the latest upload's only."""
    fid = getattr(up, "file_id", None)
    if fid is None or memo.get("file_id") != fid:
        memo.clear()
        memo.update(file_id=fid, tag=hashlib.sha256(up.getvalue()).hexdigest()[:8])
    return memo["tag"]


def _key(cfg: DataConfig) -> str:
    return json.dumps(asdict(cfg), sort_keys=True)


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=8)
def _dataset(source: str, name: str, text_column: str | None, label_column: str | None, hub_split: str,
             hub_config: str | None, split_column: str | None = None,
             hub_test_split: str | None = None, text_pair_column: str | None = None) -> TextDataset:
    return load_data(DataConfig(source=source, name=name, text_column=text_column, label_column=label_column,
                                hub_split=hub_split, hub_config=hub_config, split_column=split_column,
                                hub_test_split=hub_test_split, text_pair_column=text_pair_column))


def dataset(cfg: DataConfig) -> TextDataset:
    """The cleaned dataset ``cfg`` names (cached per process; treat it as read-only).

    Raises:
        BertlabError: anything wrong with the data, with what to do.
    """
    return _dataset(cfg.source, cfg.name, cfg.text_column, cfg.label_column, cfg.hub_split, cfg.hub_config,
                    cfg.split_column, cfg.hub_test_split, cfg.text_pair_column)


# 64 places, as _split_keys has: the Learning curves form's estimate asks for each point's splits (5 sizes x 3 seeds)
# and each seed's whole data, 19 configs that thrashed 16 places, so every rerun of that page split the data 19 times
# again (1.7 s a rerun). A Splits holds lists of the dataset's own text objects: 0.21 MB for rotten_tomatoes' 12,751 rows.
@st.cache_resource(show_spinner=False, max_entries=64)
def _splits(key: str) -> Splits:
    cfg = DataConfig(**json.loads(key))
    return split_for(dataset(cfg), cfg)


def splits(cfg: DataConfig) -> Splits:
    """The train/validation/test splits ``cfg`` gives (the same ones a run will use)."""
    return _splits(_key(cfg))


@st.cache_data(show_spinner=False, max_entries=48)
def _about_train_texts(what: str, key: str, model: str):
    """``bertlab.runner``'s ``what`` (token_lengths, vocabulary_note or same_inputs_note) of ``model`` over the
    training texts of the data ``key`` names; None where the data or the model cannot be read. Loads the tokenizer:
    only when asked, and once per data and model."""
    from bertlab import runner

    try:
        sp = splits(DataConfig(**json.loads(key)))
        texts = sp.train.texts
        if what == "token_lengths":
            return sorted(runner.token_lengths(model, texts[:2000]))
        if what == "vocabulary_note":
            return runner.vocabulary_note(model, texts, sp.pairs)
        return getattr(runner, what)(model, texts)
    except BertlabError:
        return None


@st.cache_resource(show_spinner=False, max_entries=16)
def _training_words(key: str) -> frozenset[str] | None:
    from bertlab.data.dataset import training_words as words

    try:
        return words(splits(DataConfig(**json.loads(key))).train.texts)
    except BertlabError:
        return None


def training_words(cfg: DataConfig) -> frozenset[str] | None:
    """Every word of the training texts ``cfg`` gives (a run's, with its caps: what it learnt from), once per data;
    None where the data cannot be read again."""
    return _training_words(_key(cfg))


def token_lengths(cfg: DataConfig, model: str) -> list[int] | None:
    """The training texts' lengths in ``model``'s tokens, sorted (the first 2,000 texts); None where the data or
    the model cannot be read."""
    return _about_train_texts("token_lengths", _key(cfg.uncapped()), model)


def vocabulary_note(cfg: DataConfig, model: str) -> str | None:
    """Where ``model``'s vocabulary covers ``cfg``'s training texts poorly (another language or script), the
    sentence that says so (bertlab.runner.vocabulary_note; the runs' notes say it too); else None."""
    return _about_train_texts("vocabulary_note", _key(cfg.uncapped()), model)


def same_inputs_note(cfg: DataConfig, model: str) -> str | None:
    """Where ``cfg``'s training texts are all (or nearly all) the same input to ``model`` (a script its vocabulary
    does not know, written without spaces: every text '[UNK]'), the sentence that says so
    (bertlab.runner.same_inputs_note; a run that then answers one class says it too); else None."""
    return _about_train_texts("same_inputs_note", _key(cfg.uncapped()), model)


@st.cache_data(show_spinner=False, max_entries=64)
def descriptions_note(model: str, descriptions: tuple[str, ...], labels: tuple[str, ...]) -> str | None:
    """Where zero_shot's ``descriptions`` are mostly [UNK] to ``model`` or two are the same input to it, the
    sentence that says so (bertlab.runner.descriptions_note); else None."""
    from bertlab.runner import descriptions_note as note  # loads the tokenizer: only when asked

    try:
        return note(model, list(descriptions), list(labels))
    except BertlabError:
        return None


@st.cache_data(show_spinner=False, max_entries=16)
def _tokenizer_problem(key: str, model: str, stamp: tuple) -> str | None:
    from bertlab.models import check_tokenizer_reads  # loads the tokenizer: only when asked

    try:
        check_tokenizer_reads(model, splits(DataConfig(**json.loads(key))).train.texts)
    except BertlabError as e:
        # the model's own problem; the data's is said where the data is read
        return str(e) if isinstance(e, ModelError) else None
    return None


def tokenizer_problem(cfg: DataConfig, model: str) -> str | None:
    """Why ``model``'s tokenizer cannot be used on ``cfg``'s training texts (it reads none of their words: special
    tokens only), or None (bertlab.models.check_tokenizer_reads). Asked again once the model's folder changes (its
    tokenizer saved into it)."""
    folder = Path(model).expanduser()
    stamp = tuple(sorted((f.name, f.stat().st_mtime_ns) for f in folder.iterdir())) if folder.is_dir() else ()
    return _tokenizer_problem(_key(cfg.uncapped()), model, stamp)


def missing_tokenizer(model: str, names: list[str], new_vocab: bool, where: str) -> str | None:
    """Why a launch of ``names`` waits for ``model``, a folder without tokenizer files (markdown): the strategies that
    read its tokenizer (every one that reads tokens but scratch with a new vocabulary, ``new_vocab``, as `run
    --strategies scratch --new-vocab` takes it), and that scratch with a new vocabulary (set by ``where``, markdown)
    would not; None where none of them reads it or the folder has its tokenizer. The Train page's check and the
    Learning curves page's: the latter refused no such folder, and queued points that could only fail. Where
    scratch is not chosen, the box ``where`` names is not on the page yet: the message says to add scratch."""
    from bertlab.models import resolve
    from bertlab.strategies import REGISTRY

    readers = [n for n in names if REGISTRY[n].reads_model_tokenizer(new_vocab)]
    if not readers:
        return None
    if "scratch" not in names:  # its New vocabulary box shows once scratch is chosen
        where = "add scratch and tick its *New vocabulary* box"
    try:
        resolve(model, tokenizer=True)
    except BertlabError as e:
        verb = "reads" if len(readers) == 1 else "read"
        return (f"{md(str(e))} {md(', '.join(readers))} {verb} it. scratch with a new vocabulary ({where}) would "
                "not: it trains its own on the training texts.")
    return None


def mean_tokens(cfg: DataConfig, model: str, max_length: int) -> float | None:
    """Mean tokens per training text of ``cfg`` for ``model`` cut at ``max_length`` (what time estimates scale
    by), from ``token_lengths`` (one tokenising pass, cached); None where the data or the model cannot be read."""
    from bertlab.estimate import truncated_mean

    lengths = token_lengths(cfg, model)
    return None if lengths is None else truncated_mean(lengths, max_length)


def mean_words(cfg: DataConfig) -> float | None:
    """Mean words per training text of ``cfg`` (what tfidf_logreg's estimate scales by, as its runs record it:
    bertlab.estimate.mean_words); None where the data cannot be read."""
    from bertlab.estimate import mean_words as words

    try:
        return words(splits(cfg).train.texts)
    except BertlabError:
        return None


def run_tokens(config: Any) -> float | None:
    """A run's (a RunConfig's) mean tokens per text, so its time estimate scales by text length (see
    bertlab.estimate); mean words for a strategy that reads no tokenizer (tfidf_logreg)."""
    from bertlab.strategies import REGISTRY

    if (s := REGISTRY.get(config.strategy)) is not None and not s.uses_tokens:
        return mean_words(config.data)
    return mean_tokens(config.data, config.model, config.max_length)


def run_available(config: Any) -> dict[str, int] | None:
    """How many texts each split of a run's (a RunConfig's) data has uncapped, so an "all" size has an estimate;
    None where the data cannot be read."""
    try:
        return splits(config.data.uncapped()).sizes()
    except BertlabError:
        return None


# A sweep's points are a data config each (5 sizes x 3 split seeds is 15): 16 places thrashed from 4 seeds on, and
# a point's hashes were computed again, splits and all, on every redraw (a hash a text: well under 1 MB a config).
@st.cache_resource(show_spinner=False, max_entries=64)
def _split_keys(key: str) -> dict[str, frozenset[bytes]]:
    from bertlab.embeddings import text_keys  # a hash a text: no tokenizer, no model

    sp = splits(DataConfig(**json.loads(key)))
    return {w: text_keys(d.texts, sp.pairs) for w, d in (("train", sp.train), ("val", sp.val), ("test", sp.test))}


def embedding_keys(config: Any) -> tuple[frozenset[bytes], frozenset[bytes]] | None:
    """(the cache keys of the texts a run of ``config`` (a RunConfig) embeds through the shared embedding cache,
    the keys that cache holds now for its model, max length and precision on this device): what
    :func:`bertlab.estimate.cache_shares` counts. None for a strategy that embeds nothing (every one but zero_shot
    and head_only), or data or a model that cannot be read. Hashes the texts (once per data) and reads the cache's
    keys; loads no model and tokenizes nothing."""
    from bertlab import embeddings
    from bertlab.models import autocast_dtype
    from bertlab.strategies import REGISTRY
    from bertlab.strategies.base import Strategy

    s = REGISTRY.get(config.strategy)
    if s is None or not s.embeds:
        return None
    try:
        per_split = _split_keys(_key(config.data))
        # zero_shot's label sentences; head_only embeds nothing beside its splits (and needs no splits read again)
        extra = type(s).embedded_texts is not Strategy.embedded_texts
        own = embeddings.text_keys(s.embedded_texts(config, splits(config.data))) if extra else set()
        dev, _ = device_info()
        now = embeddings.cached_keys(config.model, config.max_length, autocast_dtype(config.precision, dev),
                                     dev.name, truncation=config.truncation)
    except BertlabError:
        return None
    return frozenset().union(own, *(per_split[w] for w in s.embeds)), now


def label_descriptions(cfg: DataConfig, ds: TextDataset) -> list[str]:
    """Zero-shot prompts: the built-in ones, else the label names themselves."""
    if cfg.source == "builtin" and cfg.name in BUILTIN:
        info = BUILTIN[cfg.name].label_descriptions
        return [info.get(n, n) for n in ds.label_names]
    return list(ds.label_descriptions or ds.label_names)


DESCRIPTIONS_SETTING = "label_descriptions"
KEPT_DESCRIPTIONS = 50  # datasets whose sentences a desk keeps (the most recently edited)


def descriptions_tag(cfg: DataConfig, labels: list[str]) -> str:
    """The data zero_shot's label sentences belong to (its source, name and classes): the Train page's fields and
    the desk's kept sentences are keyed by it, so that one dataset's sentences never land on another's classes."""
    return hashlib.sha256(repr((cfg.source, cfg.name, list(labels))).encode()).hexdigest()[:10]


def description_key(tag: str, i: int) -> str:
    """The session key of the Train page's sentence field of class ``i`` of the data ``tag``."""
    return f"keep_desc_{tag}_{i}"


def _kept_descriptions(tag: str) -> list[str] | None:
    for entry in desk_settings().get(DESCRIPTIONS_SETTING) or []:
        if isinstance(entry, dict) and entry.get("data") == tag:
            got = entry.get("sentences")
            return got if isinstance(got, list) and all(isinstance(g, str) for g in got) else None
    return None


def descriptions_in_use(tag: str, defaults: list[str]) -> tuple[list[str], bool]:
    """zero_shot's label sentences for the data ``tag``, as a launch would use them (stripped): this session's Train
    page fields, else the ones kept at this desk (a reload), else ``defaults``; and whether they are the user's
    (differ from the defaults)."""
    keys = [description_key(tag, i) for i in range(len(defaults))]
    got = [str(st.session_state[k]) for k in keys] if all(k in st.session_state for k in keys) else None
    if got is None and (kept := _kept_descriptions(tag)) is not None and len(kept) == len(defaults):
        got = kept
    shown = [g.strip() for g in (got or defaults)]
    return shown, shown != [d.strip() for d in defaults]


def save_descriptions(tag: str, defaults: list[str]) -> None:
    """The sentence fields' on_change: this desk keeps the data ``tag``'s sentences as written (forgets them where
    they are the defaults again), the most recently edited first, for :data:`KEPT_DESCRIPTIONS` datasets."""
    got = [str(st.session_state.get(description_key(tag, i), d)) for i, d in enumerate(defaults)]
    others = [e for e in desk_settings().get(DESCRIPTIONS_SETTING) or []
              if isinstance(e, dict) and e.get("data") != tag]
    mine = [{"data": tag, "sentences": got}] if [g.strip() for g in got] != [d.strip() for d in defaults] else []
    save_desk_settings(**{DESCRIPTIONS_SETTING: (mine + others)[:KEPT_DESCRIPTIONS]})


def zero_shot_descriptions(cfg: DataConfig) -> tuple[list[str], list[str], list[str]] | None:
    """(label names, the sentences a zero_shot run of ``cfg``'s data uses now, their defaults): the Learning curves
    page's zero_shot points compare texts with the same sentences as a launch from the Train page (a sweep once used
    the bare label names: 26.7% where Compare, with the user's sentences, had 72%). None where the data does not
    load (the page shows that error elsewhere)."""
    try:
        sp = splits(cfg)
    except BertlabError:
        return None
    labels = list(sp.label_names)
    defaults = label_descriptions(cfg, sp.train)
    return labels, descriptions_in_use(descriptions_tag(cfg, labels), defaults)[0], [d.strip() for d in defaults]


def examples(ds: TextDataset, per_class: int = 2, max_chars: int = 160,
             exclude: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """A few short (text, label) examples per class, none of them in ``exclude``, for one-click tries in the
    playground; where a class has no text that short (news articles), its shortest ones, whole: the models answer
    the test text as it is."""
    out: list[tuple[str, str]] = []
    for label_id, label in enumerate(ds.label_names):
        own = [t for t, y in zip(ds.texts, ds.labels) if y == label_id and len(t) >= 20 and t not in exclude]
        picked = [t for t in own if len(t) <= max_chars] or sorted(own, key=len)
        out += [(t, label) for t in picked[:per_class]]
    return out


def reading_the_diagram(c) -> str:
    """A strategy card's diagram's words explained (``c``: a bertlab.teaching.Card), for under the diagram: a class
    asked what "pooler · mean pooling instead" or "147.8k not counted" meant."""
    return "**Reading the diagram**, top down:\n" + "".join(f"\n- **{md(t)}**: {md(m)}" for t, m in c.glossary)


# --- projector mode ---------------------------------------------------------------------------
PROJECTOR_KEY = "keep_projector"
PROJECTOR_FONT = 18  # a chart's text in projector mode (13 otherwise; its title 16 -> 22)
# Streamlit's sizes are in rem: all a quarter larger while the sidebar's switch is on, as the browser shows it. A
# style sent with the run the click starts came too late for the tables: st.dataframe sizes its rows and text when
# built, the page's tables were built anew (page_frame) in the same browser update that brought the style, and
# about one switch in three left them small (or large, switching off). The switch's own state needs no server.
PROJECTOR_PX = 20  # the page's text size in projector mode (16 otherwise)
PROJECTOR_CSS = f"html:has(.st-key-{PROJECTOR_KEY} input:checked){{font-size:{PROJECTOR_PX}px}}"
PROJECTOR_BUILT = "_projector_built"  # this session's tables were built at projector size (see page_frame)
# A layer diagram at projector size (the Strategy cards page's large diagram, the Train page's in projector mode):
# drawn 1.35 times larger and across ~760 px, where at 1024 px a column's ~330 px shrank its labels to ~8 px.
DIAGRAM_BIG_SCALE = 1.35
DIAGRAM_BIG_WIDTH = min(760, round(560 * DIAGRAM_BIG_SCALE))


PROJECTOR_PARAM = "projector"  # ?projector=1 in the address: on from the first page, on any desk
_PARAM_ON, _PARAM_OFF = {"1", "true", "on", "yes"}, {"0", "false", "off", "no"}


# Text that reads on both themes (WCAG AA, 4.5:1). Streamlit draws a chart's ticks, axis titles, notes and point
# labels in a grey of 3.7:1 on the light theme's white, and captions at 60% opacity (4.1:1; 3.9:1 on the sidebar),
# where much of the teaching is. The charts' text in the theme's own text colour (currentColor, as Streamlit's own
# charts have it: it follows the light and the dark theme and the ⋮ menu's switch, which a figure built on the
# server cannot know), except a bar's value inside it (black or white, by its bar) and the confusion matrices'
# counts (by their cells); captions at 75% (6.2:1 on the sidebar, 9:1 and 8:1 on the dark theme's). A legend's title
# too: Learning curves' "strategy (bars: ±1 std over seeds)", the one place saying what the error bars are, was
# #808495 on white (3.72:1).
READABLE_CSS = (".js-plotly-plot :is(g[class$='tick']>text,text[class$='title']:not(.gtitle),.annotation-text,"
                ".bartext-outside,.textpoint>text,.legendtitletext){fill:currentColor!important}"
                "[data-testid='stCaptionContainer']{opacity:.75!important}")

# A link with the keyboard's focus is ringed as Streamlit rings a focused button: its menu links and page links
# (Compare, "Next: choose strategies and launch") showed focus by a pale grey background alone (as on hover), about
# 1.1:1 on the sidebar, the same look as the page the menu marks as current.
FOCUS_CSS = "a:focus-visible{outline:2px solid currentColor!important;outline-offset:2px}"

# The dark theme's chosen option of a segmented control or pills (Judge by, Cost measure) is written in the primary
# colour on a tint of it: .streamlit/config.toml's dark primary (#1B78B8) keeps 4.5:1 under the white of the chosen
# multiselect tags and primary buttons, and so reads 3.66:1 on that tint (axe-core); the theme's link colour there.
DARK_SELECTED_CSS = "[data-testid='stButtonGroup'] button[data-selected='true'] p{color:#56B4E9}"


def theme_css(dark: bool) -> str:
    """The CSS only one theme needs (:data:`DARK_SELECTED_CSS` on the dark theme), for the app's style block: the
    sidebar redraws the app when the theme changes (``rerun_for_theme``)."""
    return DARK_SELECTED_CSS if dark else ""


# Text boxes take each paragraph's direction from its first strong letter, as dir="auto" does: Arabic or Hebrew
# typed on the Playground ran left-to-right, its punctuation and numbers on the wrong side.
BIDI_CSS = "textarea,input[type='text']{unicode-bidi:plaintext;text-align:start}"


def _projector_asked() -> bool | None:
    """What the address asks (``?projector=1`` or ``=0``), None where it asks nothing (or nothing we read)."""
    asked = st.query_params.get(PROJECTOR_PARAM)
    asked = asked.strip().lower() if isinstance(asked, str) else ""
    return True if asked in _PARAM_ON else False if asked in _PARAM_OFF else None


def projector() -> bool:
    """Whether this session shows larger text for a projector: the sidebar's toggle, which starts as the address
    asks (``?projector=1``: a classroom PC's bookmark of the bare address is a new desk every time), else as this
    desk last had it (a reload keeps it)."""
    if PROJECTOR_KEY not in st.session_state:
        asked = _projector_asked()
        st.session_state[PROJECTOR_KEY] = bool(desk_settings().get("projector", False)) if asked is None else asked
    return bool(st.session_state.get(PROJECTOR_KEY))


def page_frame(on: bool):
    """The container the page is drawn in: one level deeper in projector mode, so that toggling it draws every
    table anew. st.dataframe paints on a canvas (glide-data-grid) at the font size the page had when the table
    was built; CSS cannot reach it, and a table already on screen kept its small text. A changed nesting makes the
    browser build the tables again, and by then the browser has the new size: :data:`PROJECTOR_CSS` follows
    the switch itself, before the server hears of the click.

    A session that opens in projector mode (``?projector=1``, or the desk's choice) has no click: its first page
    can come in the same browser update as the switch, and its tables are then built small. That page is drawn at
    the outer level, with a small watcher in the sidebar (:func:`_watch_for_projector_size`) that tells the server
    once the page's text is at projector size in the browser; the run that brings draws the page one level deeper.
    (A timer of half a second instead left one load in four small: the browser had not yet shown the switch.)"""
    if on and not st.session_state.get(PROJECTOR_BUILT):
        with st.sidebar:
            _watch_for_projector_size()
        return contextlib.nullcontext()
    return st.container() if on else contextlib.nullcontext()


# Asks the browser itself, at every frame it paints, whether the page's text is at projector size: true once the
# switch is on the page, checked, and the style is in place. Tables built from then on are built large. Once: the
# watcher goes. Its call reruns the page the browser shows: sent after a page link's click but before that page
# arrives, it named the old page, and Streamlit, folding the two runs into one for the newer one's page, stayed
# there (checked every 50 ms, one such click in four was lost). After a click on a link to another page it waits
# until the address shows that page (a watcher drawn again meanwhile too: the click is kept on the window); after
# Back it stays silent.
_PROJECTOR_SIZE_JS = f"""
export default function(component) {{
    const {{ setTriggerValue }} = component;
    let done = false, frame = 0;
    const leaving = (event) => {{
        const link = event.target.closest && event.target.closest("a[href]");
        // another page of the app (not a heading's #anchor, nor a link out)
        if (link && link.origin === location.origin && !link.target && link.pathname !== location.pathname) {{
            window.bertlabGoingTo = link.pathname;
        }}
    }};
    const back = () => {{ done = true; }};
    const look = () => {{
        if (done) return;
        const going = window.bertlabGoingTo;
        if ((!going || going === location.pathname)
                && getComputedStyle(document.documentElement).fontSize === "{PROJECTOR_PX}px") {{
            done = true;
            setTriggerValue("shown", true);
        }} else {{
            frame = requestAnimationFrame(look);
        }}
    }};
    document.addEventListener("click", leaving, true);
    window.addEventListener("popstate", back);
    look();
    return () => {{
        done = true;
        cancelAnimationFrame(frame);
        document.removeEventListener("click", leaving, true);
        window.removeEventListener("popstate", back);
    }};
}}
"""
_projector_size_watcher = None


def _watch_for_projector_size() -> None:
    global _projector_size_watcher
    if _projector_size_watcher is None:
        _projector_size_watcher = st.components.v2.component("bertlab_projector_size", js=_PROJECTOR_SIZE_JS)
    _projector_size_watcher(key="_projector_size", on_shown_change=projector_size_shown, height=0)


def projector_size_shown() -> None:
    """The watcher's call: the browser shows the page at projector size; the run it brings (a full one) draws the
    page one level deeper, its tables built large."""
    st.session_state[PROJECTOR_BUILT] = True


def keep_projector_in_address() -> None:
    """``?projector=1`` in the address while projector mode is on, none while off, once per run as the desk is
    (:func:`keep_desk_in_address`; a page switch drops the parameters): a bookmark, or a link copied from the
    classroom PC, opens in projector mode."""
    if projector():
        st.query_params[PROJECTOR_PARAM] = "1"
    elif PROJECTOR_PARAM in st.query_params:
        del st.query_params[PROJECTOR_PARAM]


def save_projector() -> None:
    """The projector toggle's on_change: this desk keeps it. A click sizes the page in the browser at once
    (:data:`PROJECTOR_CSS`): the tables the next run builds are built large."""
    save_desk_settings(projector=bool(st.session_state.get(PROJECTOR_KEY)))
    st.session_state[PROJECTOR_BUILT] = True


def columns_unless_projector(spec, **kwargs) -> list:
    """``st.columns(spec, **kwargs)`` on a desk screen; in projector mode as many containers, one under the other:
    at 1024 px and projector type, things side by side were cut ("Measure servi…", "Keep the best epoch (lowest
    vali…") or squeezed (two charts of ~450 px)."""
    if projector():
        return [st.container() for _ in range(spec if isinstance(spec, int) else len(spec))]
    return st.columns(spec, **kwargs)


def projected(fig):
    """``fig`` with larger text where the session is in projector mode (a copy: a figure from a cache is left as
    it is); else ``fig`` itself. A teacher found Compare's tick labels and legends ~11 px on a 1920-px projector."""
    if not projector():
        return fig
    import plotly.graph_objects as go

    from bertlab.plots import PROJECTOR

    out = go.Figure(fig)
    title = out.layout.title.font.size
    # the legend's title too: Streamlit's theme sets it (15 px), so it stayed 15 beside its 18-px entries, and on
    # Learning curves it is what says the bars are ±1 std over seeds
    out.update_layout(font_size=PROJECTOR_FONT, legend_font_size=PROJECTOR_FONT, legend_title_font_size=PROJECTOR_FONT,
                      hoverlabel_font_size=PROJECTOR_FONT)
    scale = PROJECTOR_FONT / 13
    if title:
        out.update_layout(title_font_size=round(title * scale))
    out.update_xaxes(tickfont_size=PROJECTOR_FONT - 2, title_font_size=PROJECTOR_FONT)
    out.update_yaxes(tickfont_size=PROJECTOR_FONT - 2, title_font_size=PROJECTOR_FONT)
    for a in out.layout.annotations or ():  # subplot titles, a chart's notes: their own sizes, scaled alike
        a.font.size = round((a.font.size or 13) * scale)
    if out.layout.title.subtitle.font.size:
        out.update_layout(title_subtitle_font_size=round(out.layout.title.subtitle.font.size * scale))
    for tr in out.data:  # what a trace shows instead at this size (plots.PROJECTOR: '72.6' for '72.6%' in a bar)
        if isinstance(tr.meta, dict) and isinstance(tr.meta.get(PROJECTOR), dict):
            tr.update(tr.meta[PROJECTOR])
    if any(tr.type == "bar" and tr.text is not None for tr in out.data):
        # Bar values never under 14 px: plotly shrank a value to fit its bar, to ~8 px in a half-width chart at
        # 1024 px; one that would shrink below is drawn at its own size instead (a figure sizes its values to fit,
        # plots.PROJECTOR), the others alike. Bars a little wider for them (plotly's gap is a fifth of each slot).
        out.update_layout(uniformtext=dict(minsize=PROJECTOR_FONT - 4, mode="show"), bargap=0.1)
    if out.layout.height:  # room for the larger ticks and legend
        out.update_layout(height=round(out.layout.height * 1.15))
    legend = out.layout.legend
    if out.layout.height and out.layout.title.text and legend.orientation == "h" and (legend.y or 0) >= 1:
        # The legend row above the plot hangs from under the title instead, and plotly moves the plot down as far
        # as its rows need: at projector size a half-width chart's legend wrapped to three rows, which grew up
        # over the title ("Test accuracy" under "accuracy (95% interval)" at 1280 px).
        under = 1.6 * (out.layout.title.font.size or PROJECTOR_FONT) + 6
        if out.layout.title.subtitle.text:  # its line under the title's
            under += 1.4 * (out.layout.title.subtitle.font.size or PROJECTOR_FONT)
        out.update_layout(legend=dict(yref="container", y=1 - under / out.layout.height, yanchor="top"),
                          margin_t=under + 10)
    return out


# A chart's toolbar: the PNG download only (and Streamlit's full-screen button). Plotly's eight buttons were eight
# Tab stops a chart, ~90 on Compare, before the next control; zooming stays a drag on the plot (a double-click
# resets it). A chart whose ``config`` says ``displayModeBar: False`` has none.
CHART_CONFIG = {"displaylogo": False,
                "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d",
                                           "autoScale2d", "resetScale2d", "hoverClosestCartesian",
                                           "hoverCompareCartesian", "toggleSpikelines"]}


# Figures kept per server process (:func:`figure`): Compare draws ~10 a selection, a few selections and themes fit.
# Each entry holds up to four figures (plain, projector, dark, both): a 24-run loss chart is ~0.8 MiB and each
# adapted copy ~0.4, and while runs train every 2-s refresh adds entries for the moving curves, so 96 could hold a
# few hundred MiB (a diff review); 48 keeps several desks' selections.
FIGURES_KEPT = 48
_FIGURE_KEY = "_bertlab_figure_key"  # set on a cached figure: chart() finds its projector/dark versions by it


@st.cache_resource(show_spinner=False)
def _figures() -> tuple[threading.Lock, OrderedDict]:
    """The figure cache of this server process: a lock and {key: {"fig": figure, (projector, dark): adapted}}."""
    return threading.Lock(), OrderedDict()


def _plain(o):
    """What :func:`figure`'s key writes for an argument JSON has no form of: a dataclass (a run, prices) as its
    fields, an array or a NumPy number as its values, a set sorted, a path as text. Anything else raises TypeError,
    and the figure is built uncached: never keyed on a repr, which elides the middle of a long array. (No pickle:
    the security scan bans it from the code, loads and dumps alike.)"""
    import dataclasses

    if dataclasses.is_dataclass(o) and not isinstance(o, type):  # less the fields no figure draws (prcurve.UNKEYED)
        return {"__type__": type(o).__qualname__, **{f.name: getattr(o, f.name) for f in dataclasses.fields(o)
                                                     if not f.metadata.get("unkeyed")}}
    if hasattr(o, "tolist") and callable(o.tolist):  # numpy arrays and scalars, torch tensors
        return o.tolist()
    if isinstance(o, (set, frozenset)):
        return sorted(o, key=repr)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"no key for {type(o).__name__}")


def figure(build, *args, **kwargs):
    """``build(*args, **kwargs)`` (a figure builder of bertlab.plots or pareto: a pure function of its arguments)
    from a cache per server process, so a rerun that changes nothing it draws (a click on *Judge by*, an expander's
    widget, the live part's 2-s refresh of finished runs) does not build it again: plotly builds a figure in
    20-100 ms, most of a Compare rerun. The key is the builder and a digest of everything it is given (the runs
    with their status, metrics, costs and notes; the curves' points; each option), so a run that finishes, changes
    or is deleted is drawn afresh: nothing is keyed on a run id alone. Arguments :func:`_plain` cannot write out build the
    figure uncached. The figure returned is shared between reruns and sessions: never change it
    (:func:`chart` copies before it adapts one to projector mode or the dark theme)."""
    try:
        key = hashlib.blake2b(json.dumps([build.__module__, build.__qualname__, args, kwargs], sort_keys=True,
                                         default=_plain, allow_nan=True).encode(), digest_size=16).digest()
    except (TypeError, ValueError):
        return build(*args, **kwargs)
    lock, cache = _figures()
    with lock:
        entry = cache.get(key)
        if entry is not None:
            cache.move_to_end(key)
            return entry["fig"]
    fig = build(*args, **kwargs)
    setattr(fig, _FIGURE_KEY, key)
    with lock:
        cache[key] = {"fig": fig}
        while len(cache) > FIGURES_KEPT:
            cache.popitem(last=False)
    return fig


def _adapted(fig, projector_on: bool, dark: bool):
    """``fig`` in projector size and the dark theme's shades, as asked (both rebuild the figure: a copy)."""
    fig = projected(fig) if projector_on else fig
    if dark:  # the strategies' shades for the dark background (lora's sky blue, dapt's lighter purple)
        from bertlab.plots import for_dark_theme

        fig = for_dark_theme(fig)
    return fig


def chart(fig, where=None, config: dict | None = None, **kwargs) -> None:
    """``st.plotly_chart`` (in ``where``, a column) of :func:`projected` ``fig``, with :data:`CHART_CONFIG`'s
    toolbar updated by ``config``: every chart of the app goes through here, so projector mode, the dark theme's
    strategy colours and the one toolbar reach them all. A figure from :func:`figure` keeps its projector and
    dark-theme versions beside it in that cache (each rebuilds the figure, ~10 ms for a 16-trace chart)."""
    mode = (projector(), dark_theme())
    key = getattr(fig, _FIGURE_KEY, None)
    if not any(mode):
        pass
    elif key is None:
        fig = _adapted(fig, *mode)
    else:
        lock, cache = _figures()
        with lock:
            entry = cache.get(key)
            done = entry.get(mode) if entry is not None and entry["fig"] is fig else None
        if done is None:
            done = _adapted(fig, *mode)
            with lock:
                if entry is not None and cache.get(key) is entry:
                    entry[mode] = done
        fig = done
    (where or st).plotly_chart(fig, config={**CHART_CONFIG, **(config or {})}, **kwargs)


# --- formatting --------------------------------------------------------------------------------
def time_left_text(run, progress: float | None = None, short: bool = False) -> str:
    """' · ~2 min left' for a running phase, at its pace so far, a fine-tuning run's test pass after its training
    included ('' while too early to tell); ``progress``: a fresher figure than the store's (the job manager's).
    dapt's masked-LM phase says its fine-tuning follows (``short``, for the sidebar: 'in this phase')."""
    from bertlab.estimate import time_left_words

    if (left := time_left_words(run, time.time(), progress)) is None:
        return ""
    then = " in this phase" if short else " of masked-LM training, then fine-tuning"
    return f" · {left} left" + (then if run.phase == "mlm" else "")


# The words of a paired test, as the README's "Words used on the pages" gives them: a student read "McNemar p <
# 0.001, still <0.001 after Holm over 3 pairs" on Accuracy vs cost, and "p = 0.018" on Learning curves, with nothing
# on either page to say what they are (Compare explains them under its paired-test table).
TEST_WORDS = ("*McNemar's test* asks whether two runs scored on the same test texts differ beyond the luck of those "
              "texts, from the texts only one of them gets right; a *paired t-test over seeds* asks it of the gaps "
              "at each seed; *p* is the chance of a gap at least that large if both were equally good (below 0.05: "
              "\"beyond chance\"); *Holm* adjusts the p of several pairs at once so that the chance of any false "
              "alarm stays under 5%.")


def test_words(lines: list[str]) -> None:
    """:data:`TEST_WORDS` as a caption, where ``lines`` (an answer's, a trade-off's) quote a test's p."""
    if any(" p = " in x or " p < " in x or "(p = " in x for x in lines):
        st.caption(":material/help: " + TEST_WORDS)


# What "train s" means wherever a table shows it (Compare, Accuracy vs cost): a reader saw head_only's 3.8 s there
# beside "7.9 s" on Compare's status line and ~8 s on the Train page, which are the whole run.
TRAIN_TIME_HELP = ("Training only, in seconds: head_only's counts its encoder pass over the training texts (as it "
                   "costs when the embeddings are computed, even where they came from the cache) and then its head; "
                   "zero_shot trains nothing (0); dapt's (and scratch's with masked-LM epochs) counts its "
                   "masked-LM phase, scratch's with a new vocabulary training that vocabulary, tfidf_logreg's fitting "
                   "its vocabulary and its search over C. Compare's status lines and the Train page's estimates give the "
                   "whole run: loading, training, validation and test.")


def percent(v: float | None) -> float | None:
    """A fraction in percent for a table's ``%.1f%%`` column, rounded here as ``f"{v:.1%}"`` writes it in the
    status lines and answers: the table's own format rounds a half up (45 of 80 right read 56.3% in the Results
    table and 56.2% beside it). None and NaN stay as they are (an empty cell)."""
    if v is None or v != v:
        return v
    return float(f"{100 * v:.1f}")


def seconds(s: float | None) -> str:
    from bertlab.estimate import format_duration

    return "-" if s is None else format_duration(s)


def seconds_together(s: float | None) -> str:
    """:func:`seconds` with no line break inside ("9.2\u00a0s"): in a sentence that wraps, Compare's run lines at
    1024 px in projector mode put "9.2" at a line's end and "s in all" under it (three runs of five)."""
    return seconds(s).replace(" ", "\u00a0")


# Plain symbols (not emoji): they render in every font, including in select boxes.
STATUS_ICON = {"queued": "○", "running": "▶", "succeeded": "✓", "failed": "✗", "cancelled": "■",
               "interrupted": "!"}


def dataset_name(name: str) -> str:
    """A run's dataset as the user knows it: an uploaded file's own name, not the stored '<hash>-name'
    (runs stored before DataConfig.label dropped the prefix still carry it)."""
    return upload_display_name(name)


def data_file(run: Any) -> str:
    """Which data ``run`` was trained on, as a key: an uploaded file's stored path (two students' uploads of one name,
    'class.csv', are two files), else its dataset as tables name it ('tweet_eval (emotion)')."""
    data = (getattr(run, "config", None) or {}).get("data") or {}
    return str(data["name"]) if data.get("source") == "file" and data.get("name") else str(run.dataset)


def dataset_names(runs: list) -> dict[str, str]:
    """{:func:`data_file`: its name as the user knows it} for ``runs``, newest first; two different files uploaded
    under one name are told apart: 'class.csv (1 of 2 different files of that name)', numbered from the first one
    trained on (a classroom review: two students' class.csv read as one dataset)."""
    files: dict[str, str] = {}
    for r in runs:
        files.setdefault(data_file(r), dataset_name(r.dataset))
    first = {}
    for r in sorted(runs, key=lambda r: getattr(r, "created", 0) or 0):
        first.setdefault(data_file(r), len(first))
    shown = list(files.values())
    named = {}
    for key, name in files.items():
        if (k := shown.count(name)) == 1:
            named[key] = name
        else:
            order = sorted((f for f, n in files.items() if n == name), key=first.get)
            named[key] = f"{name} ({order.index(key) + 1} of {k} different files of that name)"
    return named


def run_title(run: Any, names: dict | None = None) -> str:
    """``✓ head_only · a1b2 (rotten_tomatoes)``; ``names``: run id -> its strategy as :func:`bertlab.variants.labels`
    names it among the runs listed (``✓ head_only (lr 0.03) · a1b2 (rotten_tomatoes)``), so that a picker tells
    two settings apart. A model other than the default follows the data: ``(rotten_tomatoes · albert-base-v2)``."""
    shown = (names or {}).get(run.id) or shown_strategy(run)
    model = f" · {m}" if (m := variants.own_model(run)) else ""
    return f"{STATUS_ICON.get(run.status, '')} {shown} · {run.id[-4:]} ({dataset_name(run.dataset)}{model})"


# '&' too: an HTML entity in a text ('&amp; phone', '&lt;b&gt;') was shown decoded ('& phone', '<b>'), so a
# Playground example did not read as the text the model got
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:&])")


def md(text: str) -> str:
    """``text`` shown as typed where Streamlit renders Markdown (labels, captions, tooltips, alerts).

    Streamlit reads ``*``, ``_``, ``$...$`` (LaTeX), ``:color[...]`` and the like in every label: a review
    that mentions "$5 and $10" would otherwise turn into a formula. Every ASCII punctuation mark may be
    backslash-escaped in CommonMark, so escaping these shows them literally.
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def swatch(strategy: str) -> str:
    """A square in ``strategy``'s chart colour, as HTML, to put before its name: the colour on the square, the
    name in the theme's text colour (coloured text was 2.3-3.9:1 against the page)."""
    from bertlab.plots import strategy_color

    return f"<span style='color:{strategy_color(strategy, dark=dark_theme())}'>■</span>"


# A page section's heading (Compare's Results, Which one to use?, ...; Learning curves' sections): an h2 under the
# page's h1, at the size of the h4 ("#### Results") it was drawn as. An axe-core audit: Compare's and Learning
# curves' sections were h4 straight under the h1, two levels skipped in a screen reader's outline of the page.
SECTION_STYLE = "font-size:1.5rem;font-weight:600;line-height:1.2;padding:.5rem 0 1rem;margin:0"


def section_html(title: str) -> str:
    """The markdown :func:`section` writes for ``title`` (plain text, escaped)."""
    return f"<h2 style='{SECTION_STYLE}'>{html.escape(title)}</h2>"


def section(title: str, where=st) -> None:
    """``title`` as a section heading (:data:`SECTION_STYLE`) in ``where`` (the page, or a container)."""
    where.markdown(section_html(title), unsafe_allow_html=True)


def lead_html(text: str, size: str) -> str:
    """``text`` (plain, escaped) as a paragraph in semi-bold type of ``size``: the Strategy card's first words at
    projector size, which were an h5 ("##### ...") under the card's h2, a sentence in a screen reader's outline of
    headings, two levels down."""
    return f"<p style='font-size:{size};font-weight:600;line-height:1.3'>{html.escape(text)}</p>"


def dark_theme() -> bool:
    """Whether the page is drawn in the dark theme (an SVG drawn as an image takes no colour from the page)."""
    return getattr(getattr(st.context, "theme", None), "type", None) == "dark"


def diagram(svg: str, alt: str, width: int | None = None, where=st) -> None:
    """An SVG drawn as an image with alt text (``st.image`` has none: a screen reader got nothing from the
    diagrams); ``width`` in px, else the container's width."""
    import base64

    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    size = f"width:{int(width)}px;max-width:100%" if width else "width:100%"
    where.markdown(f'<img src="{html.escape(src)}" alt="{html.escape(alt)}" style="{html.escape(size)};height:auto">',
                   unsafe_allow_html=True)


def show_error(e: BaseException) -> None:
    """A user-facing error: the message only, never a traceback (escaped: it quotes file and column names)."""
    st.error(md(str(e)), icon=":material/error:")


# The sidebar's width beside the page (Streamlit's default, 300 px in projector mode too), and a selector for the
# page while it is folded away (its button; Streamlit marks stSidebar data-collapsed): the page's width-keyed rules
# counted the 300 px with the sidebar folded too. At 1024 px (Chromium) a folded sidebar leaves the cards 100 px
# more each, three a row (245 px against 145), where the answer kept the open sidebar's 20.3-px type, and
# bbc_news's projector matrices stood one a row 824 px wide, where two a row (about 400 px each) fit as they do
# from 1,263 px with it open.
SIDEBAR_PX = 300
SIDEBAR_FOLDED = "[data-testid='stSidebar'][data-collapsed='true']"


def one_a_row_css(below_px: int) -> str:
    """CSS giving each confusion matrix of Compare's grid (``cm_grid``, two a row) a row of its own on a screen
    narrower than ``below_px`` (the sidebar open; :data:`SIDEBAR_PX` less with it folded): its columns wrap, each
    as wide as the row."""
    def wrap(within: str) -> str:
        return (f"{within}.st-key-cm_grid [data-testid='stHorizontalBlock']{{flex-wrap:wrap}}"
                f"{within}.st-key-cm_grid [data-testid='stColumn']{{min-width:100%}}")

    return (f"@media (max-width:{below_px - 0.02:g}px){{{wrap(f'body:not(:has({SIDEBAR_FOLDED})) ')}}}"
            f"@media (max-width:{below_px - SIDEBAR_PX - 0.02:g}px){{{wrap('')}}}")


TRUNCATION_LABELS = {"head": "Start only (head)", "head_tail": "Start and end (head+tail)"}
# "Cut long texts to"'s help, the Train page's panels and the Learning curves form alike
TRUNCATION_FIELD_HELP = (
    "How a text longer than the max length is cut, in training, testing and the Playground alike. Start only: its "
    "first max-length tokens. Start and end: its first quarter of max length ([CLS] among them) and its last three "
    "quarters ([SEP] among them), e.g. 32 + 96 of 128 tokens: the end of a long document (a review's verdict, an "
    "article's conclusion) often says as much as its start (Sun et al. 2019 found head+tail best on long reviews). "
    "A text no longer than the max length is read whole either way; a text pair is cut as start only. tfidf_logreg "
    f"reads whole texts: it does not apply to it. Default: {TRUNCATION_LABELS['head']}.")


def truncation_input(col, key: str) -> str:
    """How a text longer than max length is cut (RunConfig.truncation; the CLI's --truncation): its start, or its
    start and end (the first quarter of max length and the last three quarters, Sun et al. 2019's head+tail). The
    Train page's panels and the Learning curves form offer it alike."""
    return col.selectbox("Cut long texts to", TRUNCATIONS, key=key, format_func=TRUNCATION_LABELS.get,
                         help=TRUNCATION_FIELD_HELP)
