"""The CLI's light commands (`runs`, `show`, `--help`) with runs stored: this checkout against an earlier commit.

``python -m bench.light_cli [--runs 50] [--repeats 3] [--old d71e4bb] [--out bench/light_cli.json]``

Copies the finished runs of the data directory ``BERTLAB_HOME`` names (make one first: ``python -m bertlab run
--quick --strategies tfidf_logreg``) through the store's API, with new ids, into a temporary data directory until it
holds ``--runs`` runs (:func:`bench.many_runs.copy_runs`), then times each command as a user types it, ``python -m
bertlab ...`` in a fresh process, with bertlab from this checkout or from ``--old`` (its ``bertlab/`` taken out with
``git archive``), the two alternating within each repeat after one untimed run of each. Each process says whether
it imported torch; both versions must print the same thing. Prints the medians and their ratios (old / new);
``--out`` writes them with every repeat and the load average. Times are never asserted in the tests.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = "d71e4bb"  # the commit before the light commands stopped importing torch (2026-12-07)
# runs the CLI as `python -m bertlab` does, then says whether torch was imported (stderr's last line)
_CODE = ("import runpy, sys\nsys.argv[0] = 'bertlab'\ntry:\n    runpy.run_module('bertlab', run_name='__main__')\n"
         "except SystemExit:\n    pass\nsys.stdout.flush()\nprint('torch imported:', 'torch' in sys.modules, file=sys.stderr)")


def commands(run_id: str) -> dict[str, list[str]]:
    return {"runs": ["runs"], "show": ["show", run_id], "--help": ["--help"]}


def measure(root: Path, argv: list[str], home: str) -> dict:
    """``python -m bertlab ARGV`` in a fresh process importing bertlab from ``root``: seconds, output, torch."""
    env = {**os.environ, "PYTHONPATH": str(root), "BERTLAB_HOME": home}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CODE, *argv], cwd=root, env=env, capture_output=True, text=True,
                         check=True)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "stdout": out.stdout, "torch": out.stderr.strip().endswith("True")}


def main(argv: list[str] | None = None) -> dict:
    from bench.against import parser

    ap = parser(__doc__, BASELINE, "--runs", 50)
    args = ap.parse_args(argv)
    from bench.against import versions as old_and_new
    from bench.many_runs import copy_runs
    from bertlab.paths import data_home

    source = data_home()
    with tempfile.TemporaryDirectory(prefix="bertlab-light-cli-") as tmp:
        tmp = Path(tmp)
        home = tmp / "home"
        ids = copy_runs(source, home, args.runs)
        versions = old_and_new(args.old, tmp)
        cmds = commands(ids[0])
        runs: dict[str, dict[str, list[dict]]] = {c: {"old": [], "new": []} for c in cmds}
        loads = []
        for cmd in cmds.values():
            for name in versions:  # warm-up, untimed: each version's bytecode compiled, the files in the page cache
                measure(versions[name], cmd, str(home))
        for r in range(args.repeats):
            for c, cmd in cmds.items():
                for name in (("old", "new") if r % 2 == 0 else ("new", "old")):  # alternating: load hits both alike
                    runs[c][name].append(measure(versions[name], cmd, str(home)))
                    loads.append(os.getloadavg()[0])
                    print(f"repeat {r + 1} {c} {name}: {runs[c][name][-1]['seconds']:.2f} s "
                          f"(torch imported: {runs[c][name][-1]['torch']}, load {loads[-1]:.1f})", flush=True)
    same = {c: len({g["stdout"] for v in runs[c].values() for g in v}) == 1 for c in cmds}
    med = {c: {n: statistics.median(g["seconds"] for g in v) for n, v in runs[c].items()} for c in cmds}
    res = {"runs_stored": args.runs, "old": args.old, "repeats": args.repeats, "load_average_1min": loads,
           "seconds": {c: {n: [g["seconds"] for g in v] for n, v in runs[c].items()} for c in cmds},
           "torch_imported": {c: {n: sorted({g["torch"] for g in v}) for n, v in runs[c].items()} for c in cmds},
           "median_s": med, "old_over_new": {c: med[c]["old"] / med[c]["new"] for c in cmds}, "same_output": same}
    print(f"{args.runs} runs stored, medians of {args.repeats}, old {args.old} / new:")
    for c in cmds:
        print(f"  {c:7s} old {med[c]['old']:.2f} s  new {med[c]['new']:.2f} s  {res['old_over_new'][c]:.2f}x  "
              f"torch old {res['torch_imported'][c]['old']} new {res['torch_imported'][c]['new']}  "
              f"same output: {same[c]}")
    print(f"  load average {min(loads):.1f}-{max(loads):.1f}")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
