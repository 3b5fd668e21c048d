"""A large file launched from the CLI or the API: looking for its split column, then loading it, this checkout
against an earlier commit.

``python -m bench.cli_load [--rows 200000] [--repeats 3] [--old d71e4bb] [--out bench/cli_load.json]``

`python -m bertlab run --dataset FILE` and the API's launch look for the file's split column
(``split_column_of_file``, as ``--split-column auto``) before the run loads it (``load_file``). This builds the
CSV of ``--rows`` rows that ``bench/upload_load.py`` builds (two shuffled rotten_tomatoes sentences a row) and times
both steps, each measurement in a fresh process with bertlab from this checkout or from ``--old`` (its ``bertlab/``
taken out with ``git archive``), the two alternating within each repeat after one untimed run of each; it counts the
file's parses and reports the process's peak memory (RSS). Both must give the same rows and notes (a digest of
them is compared). Prints the medians and their ratios (old / new); ``--out`` writes them with every repeat and
the load average. Times are never asserted in the tests.
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = ("look", "load")
BASELINE = "d71e4bb"  # the commit before a launch's load took the table its split-column look parsed (2026-12-07)


def worker(path: str) -> dict:
    """One measurement, in this process: the split column looked for, then the file loaded, as `run` does."""
    import bertlab
    from bertlab.data import files

    parses = [0]
    real = files._read_table

    def counted(*a):
        parses[0] += 1
        return real(*a)

    files._read_table = counted
    got: dict = {"bertlab": str(Path(bertlab.__file__).parent)}
    t0 = time.perf_counter()
    column = files.split_column_of_file(path, {None})
    t1 = time.perf_counter()
    ds = files.load_file(path, None, None, split_column=column)
    t2 = time.perf_counter()
    digest = hashlib.sha256(json.dumps([column, ds.texts, ds.labels, ds.label_names, ds.notes, ds.row_ids],
                                       ensure_ascii=False).encode()).hexdigest()[:16]
    got |= {"look": t1 - t0, "load": t2 - t1, "parses": parses[0], "rows_kept": len(ds), "digest": digest,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return got


def measure(root: Path, path: Path, home: str) -> dict:
    """:func:`worker` in a fresh process importing bertlab from ``root``."""
    from bench.against import worker_result  # here: a worker runs this file with only bertlab/ on its path

    return worker_result(__file__, root, home, str(path))


def main(argv: list[str] | None = None) -> dict:
    from bench.against import parser
    from bench.upload_load import make_csv

    ap = parser(__doc__, BASELINE, "--rows", 200_000)
    args = ap.parse_args(argv)
    from bench.against import alternating, versions

    with tempfile.TemporaryDirectory(prefix="bertlab-cli-load-bench-") as tmp:
        tmp = Path(tmp)
        roots = versions(args.old, tmp)
        path = tmp / "upload.csv"
        size = make_csv(path, args.rows)
        runs, loads = alternating(
            roots, args.repeats, lambda root: measure(root, path, str(tmp / "home")),
            lambda g: "  ".join(f"{s} {g[s]:.2f} s" for s in STEPS)
            + f"  parses {g['parses']}  peak {g['peak_rss_mb']:.0f} MB")
    digests = {n: {g["digest"] for g in v} for n, v in runs.items()}
    med = {n: {k: statistics.median(g[k] for g in v) for k in (*STEPS, "peak_rss_mb")} for n, v in runs.items()}
    for n in runs:
        med[n]["total"] = statistics.median(sum(g[s] for s in STEPS) for g in runs[n])
    ratio = {k: med["old"][k] / med["new"][k] for k in (*STEPS, "total")}
    res = {"rows": args.rows, "file_mb": size / 1e6, "old": args.old, "repeats": args.repeats,
           "load_average_1min": loads, "runs": runs, "median": med, "old_over_new": ratio,
           "parses": {n: sorted({g["parses"] for g in v}) for n, v in runs.items()},
           "same_results": len(digests["old"] | digests["new"]) == 1, "rows_kept": runs["new"][0]["rows_kept"]}
    print(f"{args.rows:,} rows ({size / 1e6:.0f} MB), medians of {args.repeats}, old {args.old} / new:")
    for k in (*STEPS, "total"):
        print(f"  {k:6s} old {med['old'][k]:.2f} s  new {med['new'][k]:.2f} s  {ratio[k]:.2f}x")
    print(f"  parses old {res['parses']['old']} new {res['parses']['new']};  peak old {med['old']['peak_rss_mb']:.0f} MB"
          f"  new {med['new']['peak_rss_mb']:.0f} MB;  same results: {res['same_results']};  load average "
          f"{min(loads):.1f}-{max(loads):.1f}")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2])))
    else:
        main()
