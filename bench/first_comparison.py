"""Time to first comparison: zero_shot + head_only with the app's defaults, launch to both results stored.

Goes through the real path (JobManager -> worker thread -> runner -> store) in
a fresh data home with nothing loaded: dataset parsing, model loading, the
shared embedding pass, both strategies, artifacts and store writes all count.
"""

from __future__ import annotations

import time

from bench.head_only import forget_memory, fresh_home
from bertlab.data import builtin
from bertlab.jobs import JobManager
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


def run() -> dict:
    """Seconds from submit to both runs stored, and proof that the embedding pass was shared."""
    fresh_home()
    forget_memory(encoders=True)
    builtin.load_builtin.cache_clear()
    store = RunStore()
    jm = JobManager(store)
    try:
        t0, cpu0 = time.perf_counter(), time.process_time()
        ids = jm.submit([make_config("zero_shot"), make_config("head_only")])
        jm.wait_idle()
        sec, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        jm.shutdown()
    runs = [store.get(i) for i in ids]
    zs, ho = runs
    return {
        "seconds": sec, "cpu_seconds": cpu, "statuses": [r.status for r in runs], "all_succeeded": all(r.status == SUCCEEDED for r in runs),
        "zero_shot_accuracy": (zs.metrics or {}).get("test_accuracy"),
        "head_only_accuracy": (ho.metrics or {}).get("test_accuracy"),
        "zero_shot_seconds": (zs.costs or {}).get("total_seconds"),
        "head_only_seconds": (ho.costs or {}).get("total_seconds"),
        "head_only_embedded_texts": (ho.costs or {}).get("embedded_texts"),
        "head_only_cache_hits_from_zero_shot": (ho.costs or {}).get("embedding_cache_hits"),
        "sizes": (ho.data_summary or {}).get("sizes"),
    }
