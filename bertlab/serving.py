"""What serving each finished run costs, measured: its latency for one text and its throughput in batches.

Inference FLOPs per text (recorded by every run) say what answering costs on any machine; this module times it on
this one, through the same :class:`bertlab.predict.Predictor` the Playground and Compare's inference box use (the
app's answers through ONNX Runtime on a CPU once a model's export is verified, PyTorch otherwise). Each run is
timed alone (zero_shot and head_only share an encoder pass only when they answer together), after a warm-up, the
runs taking turns text by text and batch by batch, so that the machine's drift and settling hit them all alike:

* ``serve_ms_p50`` / ``serve_ms_p95``: milliseconds to answer one text, tokenising included, over ``singles``
  test texts one at a time (what a user waiting on a request sees; the p95 of 20 is a rough one);
* ``serve_texts_per_s``: texts per second answering ``batch_texts`` test texts in batches of ``batch``, the texts
  sorted by length first as a job over a backlog would (and as bertlab's own passes do: a batch is padded to its
  longest text, so unsorted batches of long-tailed texts mostly compute padding, and came out slower than one
  text at a time), and from it the money a million texts cost at a price per device-hour.

The figures are stored in the run's costs with the backend and device that answered, so the report has them too.
Another job on the machine (a run training in the background) slows them down: measure when the machine is idle.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from bertlab.store import SUCCEEDED, RunStore

SERVE_KEYS = ("serve_ms_p50", "serve_ms_p95", "serve_texts_per_s", "serve_backend", "serve_device", "serve_machine")


def measure(store: RunStore, predictor, run_ids: list[str], texts: list[str], singles: int = 20, batch: int = 64,
            batch_texts: int = 256, progress=None) -> dict[str, dict]:
    """Time each succeeded run of ``run_ids`` on ``texts`` and store what it measured in the run's costs.

    ``progress(done, total, doing)``, with ``total`` twice the runs, is called as each run loads (``doing`` says
    so: loading and exporting a model can take longer than timing it), during the timing (``doing``: the
    timing) and once at the end (``doing`` None). Returns ``{run_id: {serve_ms_p50, serve_ms_p95,
    serve_texts_per_s, serve_backend, serve_device, serve_machine}}``; ``{}`` where no run succeeded. ``serve_device``
    is what answered (the CPU for tfidf_logreg on a GPU machine too: what its serving is priced at),
    ``serve_machine`` the machine that measured (the predictor's device): runs timed on one machine compare.
    """
    if not texts:
        raise ValueError("serving is measured on some texts: none given")
    runs = [r for r in (store.get(i) for i in run_ids) if r is not None and r.status == SUCCEEDED]
    if not runs:
        return {}
    # Runs take turns in groups that stay loaded together: beyond the predictor's limit, each turn would reload a
    # run from disk and time the loading.
    group = max(1, getattr(predictor, "max_loaded", len(runs)))
    out: dict[str, dict] = {}
    for start in range(0, len(runs), group):
        out |= _measure_group(store, predictor, runs[start:start + group], texts, singles, batch, batch_texts,
                              progress, start, len(runs))
    if progress is not None:
        progress(2 * len(runs), 2 * len(runs), None)
    return out


def _measure_group(store: RunStore, predictor, runs: list, texts: list[str], singles: int, batch: int,
                   batch_texts: int, progress, offset: int, n_all: int) -> dict[str, dict]:
    """:func:`measure` for runs that stay loaded together (``offset``: how many runs came before them)."""
    ones = [texts[i % len(texts)] for i in range(singles)]
    many = sorted((texts[i % len(texts)] for i in range(batch_texts)), key=len)  # batches of like lengths
    out: dict[str, dict] = {}
    for k, run in enumerate(runs):
        if progress is not None:
            progress(2 * offset + k, 2 * n_all, f"loading {run.strategy} (and exporting it to ONNX Runtime the first time)")
        predictor.warm([run.id], wait_fast=True)  # loaded, and exported to ONNX where the app would use it
        predictor.predict([run.id], ones[:2])
    # Every run's texts in turn, round-robin (as bench/ does): timed one run after another, the first paid for the
    # machine settling (zero_shot at 24 ms against 10-13 ms for runs doing the very same encoder pass).
    lat: dict[str, list[float]] = {r.id: [] for r in runs}
    backend: dict[str, str] = {}
    for j, t in enumerate(ones):
        if progress is not None and j % max(1, len(ones) // len(runs)) == 0:
            progress(2 * offset + len(runs) + min(len(runs) - 1, j * len(runs) // len(ones)), 2 * n_all,
                     "timing one text at a time, each run in turn")
        for run in runs:
            t0 = time.perf_counter()  # the whole call, tokenising included: what a caller waits for
            p = predictor.predict([run.id], [t])[0]
            lat[run.id].append((time.perf_counter() - t0) * 1e3)
            backend[run.id] = p.backend
    secs = dict.fromkeys(lat, 0.0)
    for i in range(0, len(many), batch):
        for run in runs:
            t0 = time.perf_counter()
            predictor.predict([run.id], many[i:i + batch])
            secs[run.id] += time.perf_counter() - t0
    from bertlab.strategies import REGISTRY

    for run in runs:
        # what answered: tfidf_logreg answers on the CPU on a GPU machine too (its money per million texts is at
        # the CPU-hour, as its training's is)
        kept = REGISTRY.get(run.strategy)
        device = predictor.device.name if kept is None else kept.device_name(predictor.device)
        m = {"serve_ms_p50": statistics.median(lat[run.id]), "serve_ms_p95": float(np.percentile(lat[run.id], 95)),
             "serve_texts_per_s": len(many) / secs[run.id] if secs[run.id] > 0 else None,
             "serve_backend": backend[run.id], "serve_device": device,
             # the machine that timed it (tfidf_logreg's CPU and a GPU run's timings, taken side by side, compare)
             "serve_machine": predictor.device.name}
        if (fresh := store.get(run.id)) is None:  # deleted while it was timed (another tab, `delete`): nothing to
            continue  # keep (its costs read None: an AttributeError ended the whole measurement)
        store.update(run.id, costs={**(fresh.costs or {}), **m})
        out[run.id] = m
    return out


def money_per_million(texts_per_s: float | None, price_per_hour: float) -> float | None:
    """What answering a million texts costs at ``price_per_hour`` of the device, at ``texts_per_s``."""
    if not texts_per_s:
        return None
    return 1e6 / texts_per_s / 3600 * price_per_hour


def same_work_note(runs: list, prices, bold: str = "") -> str | None:
    """The one serving figure to quote where several timed runs do the same work per text, as one sentence:
    Compare's serving caption, the report's serving and projection sections and Accuracy vs cost's table all say it.

    Runs whose inference FLOPs per text are within 1% of each other (one pass of the same encoder: zero_shot,
    head_only and lora) differ in their timings by the machine's noise alone, so their per-run money (24.59,
    23.43, 20.38) read as lora being 17% cheaper to serve; the median over them is the figure to quote. The
    largest such group counts: beside it a TF-IDF run or a smaller model may do far less, which is not noise.
    Where batches came out slower per text than single texts (a busy machine), the sentence says the money is
    then too high. ``bold`` wraps the figures (``"**"`` for Markdown). None where fewer than two timed runs do
    the same work.
    """
    from bertlab.pareto import format_cost

    timed = [r for r in runs if (r.costs or {}).get("serve_ms_p50") is not None]
    groups: list[list] = []
    for r in sorted((r for r in timed if r.costs.get("inference_flops_per_text")),
                    key=lambda r: r.costs["inference_flops_per_text"]):
        if groups and r.costs["inference_flops_per_text"] <= 1.01 * groups[-1][0].costs["inference_flops_per_text"]:
            groups[-1].append(r)
        else:
            groups.append([r])
    same = max(groups, key=len) if groups else []
    if len(same) < 2:
        return None
    names = list(dict.fromkeys(r.strategy for r in same))
    who = ("These runs" if len(same) == len(timed) else f"The runs of {names[0]}" if len(names) == 1
           else f"The runs of {', '.join(names[:-1])} and {names[-1]}")
    p50 = statistics.median(r.costs["serve_ms_p50"] for r in same)
    rates = [r.costs["serve_texts_per_s"] for r in same if r.costs.get("serve_texts_per_s")]
    rate = statistics.median(rates) if rates else None
    per_m = money_per_million(rate, prices.per_hour(same[0].costs.get("serve_device")))
    b = bold
    return (f"{who} do the same work per text (one pass of the same encoder): differences between their "
            "timings are this machine's noise, not a cost of the strategy. The figure to quote is their "
            f"median: {b}{p50:.1f} ms{b} per text" + (f", {b}{rate:,.0f} texts/s{b}" if rate else "")
            + (f", {b}{format_cost(per_m, 'train_money', prices)} per million texts{b}" if per_m else "")
            + ". Measure again, with nothing else running, to see how large the noise is."
            # a reviewer's 11.9 ms a text one at a time beside 43 texts/s in batches (84 from the latency): the
            # money, from the batches, was then about twice what the single texts gave
            + (f" Here batches came out slower per text than single texts ({1000 / p50:,.0f} texts/s one at "
               "a time), usually a sign that something else was using the machine while they were timed: "
               "the money above is then too high." if rate and p50 and rate < 1000 / p50 else ""))
