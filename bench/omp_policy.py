"""OpenMP wait policy and training speed: PASSIVE (bertlab's default) against OpenMP's default and a short spin.

``python -m bench.omp_policy [--hogs N] [--repeats R] [--train-size N] [--spins N [N ...]]``

Each measurement trains one full_ft run through bertlab's runner in a fresh
process (the policy can only be chosen before torch starts its threads),
alternating the policies: bertlab's default (PASSIVE with ``GOMP_SPINCOUNT=10000``
and one thread fewer for each core other processes keep busy, see
``bertlab/cpushare.py``), then with a fixed thread count: PASSIVE (threads sleep at once), OpenMP's default
(libgomp spins ~300,000 times, about 3 ms, before sleeping) and PASSIVE with
``GOMP_SPINCOUNT=N`` for each ``--spins`` value (a spin of N, ~N/100,000 ms,
then sleep; 10000 by default). ``--hogs N`` starts N CPU-bound processes
beside it for the whole measurement, as on a machine shared with other work.
Prints the training seconds of each run and the medians (``--out`` also
appends them to a JSON list); times are never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from bench.report import append

PROBE = r"""
import json, os, shutil, sys, tempfile
os.environ["BERTLAB_HOME"] = home = tempfile.mkdtemp(prefix="bertlab-omp-")
try:  # each probe saves a model there: 170 probes left 775 MB in /tmp
    from bertlab.config import DataConfig
    from bertlab.runner import execute_run
    from bertlab.store import RunStore
    from bertlab.strategies import make_config
    data = DataConfig(name="rotten_tomatoes", train_size=int(sys.argv[1]), val_size=64, test_size=200, seed=0)
    store = RunStore()
    rid = store.create_run(make_config("full_ft", data=data, model=sys.argv[2], epochs=1, batch_size=32, seed=0))
    status = execute_run(store, rid)
    print(json.dumps({"status": status, "train_seconds": store.get(rid).costs.get("train_seconds")}))
finally:
    shutil.rmtree(home, ignore_errors=True)
"""


SPINS = (10000,)  # the short spins measured unless --spins says otherwise


def spin_name(n: int) -> str:
    """The name a short spin of ``n`` goes by in the results."""
    return f"PASSIVE, GOMP_SPINCOUNT={n}"


DEFAULT = "bertlab default"  # PASSIVE with GOMP_SPINCOUNT=10000, thread count adapted to other work


def policies(spins: tuple[int, ...] = SPINS) -> dict[str, dict[str, str]]:
    """The environment of each policy ("" leaves the choice to OpenMP: bertlab keeps an explicit setting).

    Every policy but bertlab's default runs with a fixed thread count (``BERTLAB_CPU_SHARE=0``).
    """
    fixed = {"BERTLAB_CPU_SHARE": "0"}
    out = {DEFAULT: {}, "PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE", **fixed},
           "OpenMP default": {"OMP_WAIT_POLICY": "", **fixed}}
    out.update({spin_name(n): {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": str(n), **fixed} for n in spins})
    return out


def _hog() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def run(train_size: int = 512, repeats: int = 2, hogs: int = 0, model: str = "minilm",
        spins: tuple[int, ...] = SPINS) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    procs = [_hog() for _ in range(hogs)]
    pol = policies(spins)
    seconds: dict[str, list[float]] = {k: [] for k in pol}
    try:
        time.sleep(1 if hogs else 0)
        for r in range(repeats):
            for name, value in pol.items():
                env = {k: v for k, v in os.environ.items()
                       if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "BERTLAB_CPU_SHARE")}
                env.update(value, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
                p = subprocess.run([sys.executable, "-c", PROBE, str(train_size), model], capture_output=True,
                                   text=True, env=env, cwd=root, timeout=1800)
                if p.returncode != 0:
                    raise SystemExit(f"{name}: {p.stderr.strip().splitlines()[-1:]}")
                out = json.loads(p.stdout.strip().splitlines()[-1])
                seconds[name].append(out["train_seconds"])
                print(f"  [{r + 1}/{repeats}] {name}: {out['train_seconds']:.1f} s of training  "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait(30)  # reaped before returning: no hog outlives the measurement
    med = {k: float(np.median(v)) for k, v in seconds.items()}
    return {"train_size": train_size, "hogs": hogs, "seconds": seconds, "median_seconds": med,
            "passive_vs_default": med["PASSIVE"] / med["OpenMP default"],
            "passive_vs_bertlab_default": med["PASSIVE"] / med[DEFAULT],
            **{f"passive_vs_spin_{n}": med["PASSIVE"] / med[spin_name(n)] for n in spins}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hogs", type=int, default=0, help="CPU-bound processes to run beside the training")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--train-size", type=int, default=512)
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--spins", type=int, nargs="+", default=list(SPINS), help="GOMP_SPINCOUNT values to measure")
    ap.add_argument("--out", help="append the result (with the date) to this JSON list, e.g. bench/omp_policy.json")
    a = ap.parse_args()
    res = run(a.train_size, a.repeats, a.hogs, a.model, tuple(a.spins))
    print(json.dumps(res, indent=2))
    if a.out:
        append(a.out, res)
    print(f"with {a.hogs} CPU hog(s), PASSIVE takes {res['passive_vs_default']:.2f}x the time of OpenMP's default")
    print(f"  and {res['passive_vs_bertlab_default']:.2f}x that of bertlab's default (short spin, adapted threads)")
    for n in a.spins:
        print(f"  and {res[f'passive_vs_spin_{n}']:.2f}x that of {spin_name(n)}")


if __name__ == "__main__":
    main()
