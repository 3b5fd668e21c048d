"""Thread settings: OpenMP's wait policy and thread count, each measured in a fresh process.

They can only be set before torch starts its thread pool, hence subprocesses.
On a machine where other processes compete for the cores, OpenMP threads
that spin-wait at every barrier lose their time slice and everyone waits;
``OMP_WAIT_POLICY=PASSIVE`` makes them sleep instead, and bertlab's default
adds a short spin before the sleep (``GOMP_SPINCOUNT=10000``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = r"""
import json, sys, time
import numpy as np, torch
torch.set_num_threads(int(sys.argv[1]))
from bertlab import embeddings
tok, enc = embeddings.get_encoder(sys.argv[2], torch.device("cpu"))
one = tok(["a short sentence to classify quickly"], return_tensors="pt")
batch = tok(["a review of moderate length, about as long as the average one in the data set"] * 32,
            return_tensors="pt")
with torch.inference_mode():
    for _ in range(5):
        enc(**one)
    lat = []
    for _ in range(40):
        t = time.perf_counter(); enc(**one); lat.append(time.perf_counter() - t)
    enc(**batch)
    bt = []
    for _ in range(5):
        t = time.perf_counter(); enc(**batch); bt.append(time.perf_counter() - t)
print(json.dumps({"one_p50_ms": float(np.percentile(lat, 50) * 1e3), "one_p95_ms": float(np.percentile(lat, 95) * 1e3),
                  "batch32_ms": float(np.median(bt) * 1e3)}))
"""

VARIANTS = {
    "2 threads, OMP default": (2, {}),
    "2 threads, OMP_WAIT_POLICY=PASSIVE": (2, {"OMP_WAIT_POLICY": "PASSIVE"}),
    "2 threads, bertlab's default (PASSIVE, GOMP_SPINCOUNT=10000)": (2, {"OMP_WAIT_POLICY": "PASSIVE",
                                                                      "GOMP_SPINCOUNT": "10000"}),
    "1 thread": (1, {}),
}


def run(model: str) -> dict:
    """Latency of one sentence and a 32-text batch for each variant (fresh process each)."""
    out = {}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name, (threads, policy) in VARIANTS.items():
        env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
        env.update(policy)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        p = subprocess.run([sys.executable, "-c", PROBE, str(threads), model], capture_output=True, text=True,
                           env=env, timeout=600, cwd=root)
        if p.returncode != 0:
            out[name] = {"error": p.stderr.strip().splitlines()[-1:]}
            continue
        out[name] = json.loads(p.stdout.strip().splitlines()[-1])
        out[name]["load_average"] = os.getloadavg()[0]
    return out
