"""The HTML report of many runs (the CLI's `report`, the app's download): this checkout against an earlier commit.

``python -m bench.report_runs [--runs 500] [--repeats 3] [--old d71e4bb] [--out bench/report_runs.json]``

Copies the finished runs of the data directory ``BERTLAB_HOME`` names (make one first: ``python -m bertlab run
--quick --strategies tfidf_logreg head_only``) through the store's API, with new ids, into a temporary data
directory until it holds ``--runs`` runs (:func:`bench.many_runs.copy_runs`), then builds the report of every run
in a fresh process (its imports timed too), with bertlab from this checkout or from ``--old`` (its ``bertlab/`` taken out with ``git
archive``), the two alternating within each repeat after one untimed run of each: the first build (every
predictions file parsed) and a second in the same process (the files cached, what Compare's download meets after
the pages read them). Both versions must write the same page but for the time it was made, the charts' random
element ids and the machine section (the checkout's commit): a digest of it is compared. Prints the medians and
their ratios (old / new); ``--out`` writes them with every repeat and the load average. Times are never asserted
in the tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = "d71e4bb"  # the commit before a report's runs were named and tested once each (2026-12-07)
STEPS = ("imports_and_first", "first", "second")


def same_page(html: str) -> str:
    """``html`` without what differs between two builds of one report: when it was made, and the charts' ids."""
    html = re.sub(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d", "Generated", html)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "id", html)


def worker() -> dict:
    """Two builds of the report of every run of ``BERTLAB_HOME``, in this process, after the imports (timed too:
    the old code imported torch with the report, the new one scipy while building it)."""
    t0 = time.perf_counter()
    import bertlab
    from bertlab import report
    from bertlab.store import RunStore

    imports = time.perf_counter() - t0

    report.machine_info = lambda: {"machine": "left out"}  # names the checkout's commit, which differs
    store = RunStore()
    ids = [r.id for r in store.list_runs(limit=None)]
    got: dict = {"bertlab": str(Path(bertlab.__file__).parent), "runs": len(ids), "imports": imports}
    for step in ("first", "second"):
        t0 = time.perf_counter()
        html = report.build_html(store, ids)
        got[step] = time.perf_counter() - t0
        got[f"{step}_digest"] = hashlib.sha256(same_page(html).encode()).hexdigest()[:16]
    got["imports_and_first"] = imports + got["first"]  # what the CLI's `report` waits for, but for the interpreter
    return got


def alternate(repeats: int) -> dict:
    """In this process (this checkout), after one untimed build: builds of the report with each run's answers kept
    for the build (:mod:`bertlab.memo`, now) and without (every list and chart working them out again, as before),
    alternating, so that the machine's load hits both alike."""
    import contextlib

    from bertlab import memo, report
    from bertlab.store import RunStore

    report.machine_info = lambda: {"machine": "left out"}
    store = RunStore()
    ids = [r.id for r in store.list_runs(limit=None)]
    report.build_html(store, ids)
    kept = memo.within
    seconds: dict[str, list[float]] = {"kept": [], "not kept": []}
    pages = set()
    for r in range(repeats):
        for name in (("kept", "not kept") if r % 2 == 0 else ("not kept", "kept")):
            memo.within = kept if name == "kept" else contextlib.nullcontext
            t0 = time.perf_counter()
            html = report.build_html(store, ids)
            seconds[name].append(time.perf_counter() - t0)
            pages.add(hashlib.sha256(same_page(html).encode()).hexdigest())
    memo.within = kept
    return {"seconds": seconds, "same_page": len(pages) == 1}


def measure(root: Path, home: str) -> dict:
    """:func:`worker` in a fresh process importing bertlab from ``root``."""
    from bench.against import worker_result  # here: a worker runs this file with only bertlab/ on its path

    return worker_result(__file__, root, home, cwd=root)


def main(argv: list[str] | None = None) -> dict:
    from bench.against import parser

    ap = parser(__doc__, BASELINE, "--runs", 500)
    ap.add_argument("--alternate", type=int, default=0, metavar="R",
                    help="also R builds each way in one process of this checkout, answers kept or not, alternating")
    args = ap.parse_args(argv)
    from bench.against import alternating, versions
    from bench.many_runs import copy_runs
    from bertlab.paths import data_home

    source = data_home()
    with tempfile.TemporaryDirectory(prefix="bertlab-report-bench-") as tmp:
        tmp = Path(tmp)
        home = tmp / "home"
        copy_runs(source, home, args.runs)
        roots = versions(args.old, tmp)
        same = {}
        if args.alternate:
            env = {**os.environ, "PYTHONPATH": str(REPO), "BERTLAB_HOME": str(home)}
            out = subprocess.run([sys.executable, __file__, "--alternate", str(args.alternate)], cwd=REPO, env=env,
                                 check=True, capture_output=True, text=True).stdout
            same = json.loads(out.strip().splitlines()[-1])
            print(f"one process, alternating: answers kept {same['seconds']['kept']}, not kept "
                  f"{same['seconds']['not kept']}; same page: {same['same_page']}", flush=True)
        runs, loads = alternating(roots, args.repeats, lambda root: measure(root, str(home)),
                                  lambda g: f"imports {g['imports']:.2f} s, first build {g['first']:.2f} s, second "
                                            f"{g['second']:.2f} s")
    digests = {g[f"{s}_digest"] for v in runs.values() for g in v for s in ("first", "second")}
    med = {n: {s: statistics.median(g[s] for g in v) for s in STEPS} for n, v in runs.items()}
    ratio = {s: med["old"][s] / med["new"][s] for s in STEPS}
    res = {"runs_stored": args.runs, "old": args.old, "repeats": args.repeats, "load_average_1min": loads,
           "runs": runs, "median_s": med, "old_over_new": ratio, "same_page": len(digests) == 1}
    if same:
        res["one_process"] = same | {"median_s": {k: statistics.median(v) for k, v in same["seconds"].items()}}
    print(f"report of {args.runs} runs, medians of {args.repeats}, old {args.old} / new:")
    for s in STEPS:
        print(f"  {s:17s} old {med['old'][s]:.2f} s  new {med['new'][s]:.2f} s  {ratio[s]:.2f}x")
    print(f"  same page: {res['same_page']};  load average {min(loads):.1f}-{max(loads):.1f}")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker()))
    elif sys.argv[1:2] == ["--alternate"]:
        print(json.dumps(alternate(int(sys.argv[2]))))
    else:
        main()
