"""The check for test texts that differ from a training text only in their numbers, on an upload of numeric texts:
this checkout's load and split against the commit before the check.

``python -m bench.number_copies [--rows 200000] [--repeats 3] [--old 62b2975^] [--out bench/number_copies.json]``

``number_copies_note`` (bertlab/data/dataset.py, commit 62b2975) keys every test and training text that holds a
digit, after ``near_copies_note`` has keyed every text: on data where every text has a number (tickets, alerts,
logs) that is most of a split's cost again. This builds a CSV of ``--rows`` texts, each two rotten_tomatoes
sentences and an order number (one in ten the sentences of an earlier row with another number: the copies the
check counts), and times what the Data page calls: ``load_file`` (load) and ``split_for`` with no caps (split: its
notes, the two checks among them; 80% of the rows train, 20% test). Each measurement runs in a fresh process, with
bertlab from this checkout or from ``--old`` (its ``bertlab/`` taken out with ``git archive``), the two alternating
within each repeat after one untimed run of each (bench/against.py, as bench/upload_load.py). Both must give the
same split (a digest of its texts and labels); the new one's numbers note is printed. Prints the medians and their
ratio (new / old: what the check costs); ``--out`` writes them with every repeat and the load average. Times are
never asserted in the tests.
"""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

STEPS = ("load", "split")
BASELINE = "62b2975^"  # the commit before number_copies_note (2026-12-07)


def make_csv(path: Path, rows: int, seed: int = 0) -> int:
    """A CSV of ``rows`` rows (text, label), each text two rotten_tomatoes sentences and an order number; one in
    ten repeats an earlier row's sentences with another number. Returns its size."""
    import pandas as pd

    from bertlab.data.builtin import load_builtin

    ds = load_builtin("rotten_tomatoes")
    rng = random.Random(seed)
    texts, names = ds.texts, [ds.label_names[y] for y in ds.labels]
    picked: list[tuple[int, int]] = []
    for i in range(rows):
        picked.append(picked[rng.randrange(i)] if i > 10 and rng.random() < 0.1
                      else (rng.randrange(len(texts)), rng.randrange(len(texts))))
    pd.DataFrame({"text": [f"{texts[a]} order {rng.randrange(10**6)} {texts[b]}" for a, b in picked],
                  "label": [names[a] for a, _ in picked]}).to_csv(path, index=False)
    return path.stat().st_size


def worker(path: str) -> dict:
    """One measurement, in this process: load the CSV at ``path`` and split it without caps."""
    import bertlab
    from bertlab.config import DataConfig
    from bertlab.data import load_file, split_for

    got: dict = {"bertlab": str(Path(bertlab.__file__).parent)}
    t0 = time.perf_counter()
    ds = load_file(path, "text", "label")
    t1 = time.perf_counter()
    sp = split_for(ds, DataConfig(source="file", name=path, text_column="text", label_column="label",
                                  train_size=None, val_size=None, test_size=None))
    t2 = time.perf_counter()
    digest = hashlib.sha256(json.dumps([[p.texts, [int(y) for y in p.labels]] for p in (sp.train, sp.val, sp.test)],
                                       ensure_ascii=False).encode()).hexdigest()[:16]
    got |= {"load": t1 - t0, "split": t2 - t1, "digest": digest, "train": len(sp.train), "test": len(sp.test),
            "numbers_note": next((n for n in sp.notes if "only in their numbers" in n), None)}
    return got


def measure(root: Path, path: Path, home: str) -> dict:
    """:func:`worker` in a fresh process importing bertlab from ``root``."""
    from bench.against import worker_result

    return worker_result(__file__, root, home, str(path))


def main(argv: list[str] | None = None) -> dict:
    from bench.against import parser

    ap = parser(__doc__, BASELINE, "--rows", 200_000)
    args = ap.parse_args(argv)
    from bench.against import alternating, versions

    with tempfile.TemporaryDirectory(prefix="bertlab-numbers-bench-") as tmp:
        tmp = Path(tmp)
        roots = versions(args.old, tmp)
        path = tmp / "numbers.csv"
        size = make_csv(path, args.rows)
        runs, loads = alternating(roots, args.repeats, lambda root: measure(root, path, str(tmp / "home")),
                                  lambda g: "  ".join(f"{s} {g[s]:.2f} s" for s in STEPS))
    med = {n: {k: statistics.median(g[k] for g in v) for k in STEPS} for n, v in runs.items()}
    for n in runs:
        med[n]["total"] = statistics.median(sum(g[s] for s in STEPS) for g in runs[n])
    ratio = {k: med["new"][k] / med["old"][k] for k in (*STEPS, "total")}
    new = runs["new"][0]
    res = {"rows": args.rows, "file_mb": size / 1e6, "old": args.old, "repeats": args.repeats,
           "train": new["train"], "test": new["test"], "load_average_1min": loads, "runs": runs, "median": med,
           "new_over_old": ratio, "same_split": len({g["digest"] for v in runs.values() for g in v}) == 1,
           "numbers_note": new["numbers_note"]}
    print(f"{args.rows:,} rows ({size / 1e6:.0f} MB; {new['train']:,} train, {new['test']:,} test), medians of "
          f"{args.repeats}, new / old {args.old}:")
    for k in (*STEPS, "total"):
        print(f"  {k:6s} old {med['old'][k]:.2f} s  new {med['new'][k]:.2f} s  {ratio[k]:.2f}x")
    print(f"  same split: {res['same_split']};  load average {min(loads):.1f}-{max(loads):.1f}")
    print(f"  new's note: {new['numbers_note']}")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2])))
    else:
        main()
