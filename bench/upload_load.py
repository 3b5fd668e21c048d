"""A large upload on the Data page: reading, loading and splitting it, this checkout against an earlier commit.

``python -m bench.upload_load [--rows 200000] [--repeats 3] [--old 888f2e9] [--out bench/upload_load.json]``

Users upload a file on the Data page and wait on its spinner while the page reads the file (to pick its
columns), loads it (cleaning: empty texts, labels, duplicates) and draws the split. This builds a CSV of
``--rows`` rows from rotten_tomatoes' built-in sentences (two shuffled sentences a row, with the first one's
label) and times the same functions the page calls: ``read_table`` and ``detect_columns`` (read), ``load_file``
(load) and ``split_for`` on the default caps (split). Each measurement runs in a fresh process (so no cache of
one helps the next), with bertlab from this checkout or from ``--old`` (its ``bertlab/`` taken out with ``git
archive``), the two alternating within each repeat after one untimed run of each, and reports each step's
seconds and the process's peak memory (RSS). Both must give the same rows, notes and split (a digest of them is
compared). Prints the medians and their ratios (old / new); ``--out`` writes them with every repeat and the load
average. Times are never asserted in the tests.
"""

from __future__ import annotations

import hashlib
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = ("read", "load", "split")
BASELINE = "888f2e9"  # the commit before the Data page's path was made faster (2026-12-06)


def make_csv(path: Path, rows: int, seed: int = 0) -> int:
    """A CSV of ``rows`` rows (text, label) of two rotten_tomatoes sentences each, in a shuffled order; its size."""
    import pandas as pd

    from bertlab.data.builtin import load_builtin

    ds = load_builtin("rotten_tomatoes")
    rng = random.Random(seed)
    texts, names = ds.texts, [ds.label_names[y] for y in ds.labels]
    picked = [(rng.randrange(len(texts)), rng.randrange(len(texts))) for _ in range(rows)]
    pd.DataFrame({"text": [texts[a] + " " + texts[b] for a, b in picked], "label": [names[a] for a, _ in picked]}
                 ).to_csv(path, index=False)
    return path.stat().st_size


def worker(path: str) -> dict:
    """One measurement, in this process: the page's three steps over the file at ``path``."""
    import bertlab
    from bertlab.config import DataConfig
    from bertlab.data import detect_columns, load_file, read_table, split_for

    raw = Path(path).read_bytes()
    got: dict = {"bertlab": str(Path(bertlab.__file__).parent)}
    t0 = time.perf_counter()
    df = read_table(raw, Path(path).name, [])
    columns = detect_columns(df.copy())
    t1 = time.perf_counter()
    del df, raw
    ds = load_file(path, columns[0], columns[1])
    t2 = time.perf_counter()
    sp = split_for(ds, DataConfig(source="file", name=path, text_column=columns[0], label_column=columns[1]))
    t3 = time.perf_counter()
    digest = hashlib.sha256(json.dumps([ds.texts, ds.labels, ds.label_names, ds.notes, ds.row_ids, sp.notes,
                                        *([p.texts, [int(y) for y in p.labels]] for p in (sp.train, sp.val, sp.test))],
                                       ensure_ascii=False).encode()).hexdigest()[:16]
    got |= {"read": t1 - t0, "load": t2 - t1, "split": t3 - t2, "rows_kept": len(ds), "digest": digest,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return got


def measure(root: Path, path: Path, home: str) -> dict:
    """:func:`worker` in a fresh process importing bertlab from ``root``."""
    from bench.against import worker_result  # here: a worker runs this file with only bertlab/ on its path

    return worker_result(__file__, root, home, str(path))


def main(argv: list[str] | None = None) -> dict:
    from bench.against import parser

    ap = parser(__doc__, BASELINE, "--rows", 200_000)
    args = ap.parse_args(argv)
    from bench.against import alternating, versions

    with tempfile.TemporaryDirectory(prefix="bertlab-upload-bench-") as tmp:
        tmp = Path(tmp)
        roots = versions(args.old, tmp)
        path = tmp / "upload.csv"
        size = make_csv(path, args.rows)
        runs, loads = alternating(
            roots, args.repeats, lambda root: measure(root, path, str(tmp / "home")),
            lambda g: "  ".join(f"{s} {g[s]:.2f} s" for s in STEPS) + f"  peak {g['peak_rss_mb']:.0f} MB")
    digests = {n: {g["digest"] for g in v} for n, v in runs.items()}
    med = {n: {k: statistics.median(g[k] for g in v) for k in (*STEPS, "peak_rss_mb")} for n, v in runs.items()}
    for n in runs:
        med[n]["total"] = statistics.median(sum(g[s] for s in STEPS) for g in runs[n])
    ratio = {k: med["old"][k] / med["new"][k] for k in (*STEPS, "total")}
    res = {"rows": args.rows, "file_mb": size / 1e6, "old": args.old, "repeats": args.repeats,
           "load_average_1min": loads, "runs": runs, "median": med, "old_over_new": ratio,
           "same_results": len(digests["old"] | digests["new"]) == 1, "rows_kept": runs["new"][0]["rows_kept"]}
    print(f"{args.rows:,} rows ({size / 1e6:.0f} MB), medians of {args.repeats}, old {args.old} / new:")
    for k in (*STEPS, "total"):
        print(f"  {k:6s} old {med['old'][k]:.2f} s  new {med['new'][k]:.2f} s  {ratio[k]:.2f}x")
    print(f"  peak   old {med['old']['peak_rss_mb']:.0f} MB  new {med['new']['peak_rss_mb']:.0f} MB;  same results: "
          f"{res['same_results']};  load average {min(loads):.1f}-{max(loads):.1f}")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2])))
    else:
        main()
