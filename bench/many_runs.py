"""A data directory of many finished runs: the HTML report of all of them, with the predictions cache bertlab keeps
(bounded by its files' bytes) against the cache it kept before (the 256 files last read), in one process.

``python -m bench.many_runs [--runs N] [--repeats R] [--out bench/many_runs.json]``

Copies the finished runs of the data directory ``BERTLAB_HOME`` names (make one first: ``python -m bertlab run
--quick --strategies tfidf_logreg head_only``) through the store's API, with new ids, into a temporary data
directory until it holds ``N`` runs (their records, models, curves and predictions files copied), then builds the
report of every run ``R`` times each way, alternating (one untimed build first, for the imports). Counts the
predictions files parsed in each build beside its seconds; medians and their ratio are printed last. The report
reads each run's predictions several times (the paired tests, the answer, the per-class tables): a cache of 256 files
read in turn through 500 kept none. Times are never asserted in the tests.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def copy_runs(source: Path, target: Path, n: int) -> list[str]:
    """``n`` runs in ``target``: the finished runs of ``source`` again and again, each copy a batch of its own."""
    from bertlab.config import RunConfig
    from bertlab.store import SUCCEEDED, RunStore

    src_store, store = RunStore(source), RunStore(target)
    src = [r for r in src_store.list_runs(limit=None) if r.status == SUCCEEDED]
    if not src:
        raise SystemExit(f"no finished runs in {source}: run `python -m bertlab run --quick ...` there first")
    points = {r.id: src_store.points([r.id]) for r in src}
    ids: list[str] = []
    while len(ids) < n:
        batch = None
        for r in src[: n - len(ids)]:
            rid = store.create_run(RunConfig.from_dict(r.config), batch_id=batch)
            batch = batch or rid
            store.update(rid, status=r.status, started=r.started, finished=r.finished, device=r.device,
                         progress=r.progress, phase=r.phase, metrics=r.metrics, costs=r.costs, notes=r.notes,
                         data_summary=r.data_summary)
            if r.artifact_dir:
                shutil.copytree(r.artifact_dir, store.artifact_path(rid))
                store.update(rid, artifact_dir=str(store.artifact_path(rid)))
            store.add_points(rid, [(p["series"], p["step"], p["x"], p["value"]) for p in points[r.id]])
            ids.append(rid)
    return ids


def build(store, ids: list[str], old_cache: bool) -> tuple[float, int]:
    """Seconds to build the report of ``ids``, and the predictions files parsed, from an empty cache."""
    from bertlab import paired, report

    parsed = [0]

    def counting(*args):
        parsed[0] += 1
        return paired._parse_predictions(*args)

    cache = functools.lru_cache(maxsize=256)(counting) if old_cache else paired._PredictionsCache(counting)
    saved = paired._read_predictions
    paired._read_predictions = cache
    try:
        t0 = time.perf_counter()
        report.build_html(store, ids)
        return time.perf_counter() - t0, parsed[0]
    finally:
        paired._read_predictions = saved


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("bench/many_runs.json"))
    args = ap.parse_args(argv)
    from bertlab.paths import data_home

    source = data_home()
    with tempfile.TemporaryDirectory(prefix="bertlab-many-runs-") as tmp:
        os.environ["BERTLAB_HOME"] = tmp
        ids = copy_runs(source, Path(tmp), args.runs)
        from bertlab.store import RunStore

        store = RunStore(Path(tmp))
        build(store, ids, old_cache=False)  # imports, the dataset's first load
        setups = {"bytes-bounded cache (now)": False, "256 files cached (before)": True}
        seconds: dict[str, list[float]] = {k: [] for k in setups}
        parses: dict[str, list[int]] = {k: [] for k in setups}
        for r in range(args.repeats):
            for name, old in (setups.items() if r % 2 == 0 else reversed(setups.items())):
                s, n = build(store, ids, old)
                seconds[name].append(s)
                parses[name].append(n)
                print(f"repeat {r + 1} {name}: {s:.2f} s, {n} predictions files parsed", flush=True)
    med = {k: statistics.median(v) for k, v in seconds.items()}
    new, old = setups
    result = {"runs": args.runs, "repeats": args.repeats, "load_average_1min": os.getloadavg()[0],
              "seconds": seconds, "median_s": med, "predictions_parsed": parses,
              "before_over_now": med[old] / med[new]}
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"report of {args.runs} runs: {med[new]:.2f} s now, {med[old]:.2f} s before ({med[old] / med[new]:.2f}x); "
          f"predictions parsed {parses[new][0]} against {parses[old][0]}")


if __name__ == "__main__":
    main()
