"""Training while the app shows it: full_ft's speed with the Compare page open against the page closed.

``python -m bench.app_refresh [--repeats R] [--out bench/app_refresh.json]``

The app trains in a worker thread of the Streamlit server, and the Compare page
redraws its live part every 2 s while a run trains, so what a user watching the
curves gets is the engine's speed less what the refresh takes from it (CPU and
the GIL in the server, rendering in the browser). Each measurement starts a
fresh ``streamlit run app.py`` (as ``make run`` does) with a fresh data
directory, drives it in headless Chromium (Playwright, Debian's chromium), and
launches full_ft alone on the Data page's default quick caps, then either

* ``page closed``: the browser leaves for about:blank right after Launch;
* ``Compare open``: the browser stays on Compare until the run ends, with
  bertlab's ``.streamlit/config.toml``;
* ``Compare open, Streamlit's GC``: the same with ``--runner.postScriptGC true``
  (Streamlit's default: a full garbage collection after every script and
  fragment run, which bertlab's config turns off);
* ``page closed, PASSIVE threads`` and ``Compare open, PASSIVE threads``: the
  server with the thread policy bertlab had before (OpenMP threads that sleep
  at once, a fixed thread count) instead of its short spin and one thread
  fewer while other processes, the browser among them, keep a core busy.

``--only NAME ...`` measures only those conditions.

The conditions alternate within each repeat. Prints each run's training and
evaluation seconds, the server's and the browser's CPU seconds, the server's
memory (RSS) when the run has ended, and the medians and ratios to ``page
closed`` (``--out`` also appends them to a JSON list). Needs /usr/bin/chromium
(``make browser-deps``); times are never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "docs" / "screenshots"))

# The thread policy bertlab had before its short spin and adapted thread count (bertlab/cpushare.py).
PASSIVE = {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": None, "BERTLAB_CPU_SHARE": "0"}
# name -> (where the browser waits, Streamlit flags, the server's environment changes: None unsets)
CONDITIONS: dict[str, tuple[str, tuple[str, ...], dict[str, str | None]]] = {
    "page closed": ("away", (), {}),
    "Compare open": ("compare", (), {}),
    "Compare open, Streamlit's GC": ("compare", ("--runner.postScriptGC", "true"), {}),
    "page closed, PASSIVE threads": ("away", (), PASSIVE),
    "Compare open, PASSIVE threads": ("compare", (), PASSIVE),
}


def _cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _set_env(changes: dict[str, str | None]) -> None:
    for k, v in changes.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def measure(where: str, flags: tuple[str, ...], env: dict[str, str | None] | None = None,
            timeout: float = 1800) -> dict:
    """One full_ft run launched from the Train page, the browser on Compare or away until it ends."""
    home = Path(tempfile.mkdtemp(prefix="bertlab-refresh-"))
    try:
        return _measure(home, where, flags, env, timeout)
    finally:
        shutil.rmtree(home, ignore_errors=True)  # a model and caches per measurement: /tmp filled up


def _measure(home: Path, where: str, flags: tuple, env: dict | None, timeout: float) -> dict:
    """:func:`measure` in the data home ``home``."""
    import psutil
    from capture import launch_alone, open_page, start_server, wait_for
    from playwright.sync_api import sync_playwright

    from bertlab.store import ACTIVE, RunStore

    saved = {k: os.environ.get(k) for k in env or {}}
    try:  # the server inherits this process's environment
        _set_env(env or {})
        proc, url = start_server(home, *flags)
    finally:
        _set_env(saved)
    store = RunStore(home)
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, 180_000)
            page.goto(url)
            launch_alone(page, "full_ft")
            if where == "compare":
                page.get_by_role("link", name="Compare").first.click()
            else:
                page.goto("about:blank")
            wait_for(lambda: store.list_runs() and not any(r.status in ACTIVE for r in store.list_runs()), timeout)
            chromium = [q.pid for q in psutil.process_iter(["name"]) if "chrom" in (q.info["name"] or "").lower()]
            browser_cpu = _cpu_seconds(chromium)
            server_cpu = _cpu_seconds([proc.pid])
            server_rss = psutil.Process(proc.pid).memory_info().rss / 2**20
            browser.close()
        run = store.list_runs()[0]
        if run.status != "succeeded":
            raise SystemExit(f"the run ended {run.status}: {run.error}")
        return {"train_seconds": run.costs["train_seconds"], "eval_seconds": run.costs["eval_seconds"],
                "server_cpu_seconds": server_cpu, "browser_cpu_seconds": browser_cpu, "server_rss_mb": server_rss,
                "steps": run.costs.get("steps"), "train_tokens": run.costs.get("train_tokens")}
    finally:
        proc.terminate()
        proc.wait(15)


def summarize(rows: dict[str, list[dict]]) -> dict:
    """Medians per condition and each condition's training time as a ratio to ``page closed``."""
    med = {name: {k: statistics.median(r[k] for r in rs) for k in ("train_seconds", "eval_seconds",
                                                                   "server_cpu_seconds", "browser_cpu_seconds",
                                                                   "server_rss_mb")}
           for name, rs in rows.items() if rs}
    base = med.get("page closed", {}).get("train_seconds")
    ratios = {name: m["train_seconds"] / base for name, m in med.items() if base and name != "page closed"}
    return {"median": med, "train_time_vs_page_closed": ratios}


def run(repeats: int = 2, only: list[str] | None = None) -> dict:
    names = only or list(CONDITIONS)
    unknown = [n for n in names if n not in CONDITIONS]
    if unknown:
        raise SystemExit(f"unknown condition(s) {unknown}; known: {list(CONDITIONS)}")
    rows: dict[str, list[dict]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names:
            where, flags, env = CONDITIONS[name]
            out = measure(where, flags, env)
            rows[name].append(out)
            print(f"  [{r + 1}/{repeats}] {name}: training {out['train_seconds']:.1f} s, evaluation "
                  f"{out['eval_seconds']:.1f} s; server CPU {out['server_cpu_seconds']:.0f} s, browser CPU "
                  f"{out['browser_cpu_seconds']:.0f} s; server RSS at the end {out['server_rss_mb']:.0f} MB", flush=True)
    return {"runs": rows, **summarize(rows)}


def main() -> None:
    from bench.report import append

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", help="append the result (with the date) to this JSON list, e.g. bench/app_refresh.json")
    ap.add_argument("--only", nargs="+", metavar="CONDITION", help=f"measure only these of {list(CONDITIONS)}")
    a = ap.parse_args()
    res = run(a.repeats, a.only)
    print(json.dumps({k: v for k, v in res.items() if k != "runs"}, indent=2))
    if a.out:
        append(a.out, res)
    for name, ratio in res["train_time_vs_page_closed"].items():
        print(f"{name}: full_ft trains in {ratio:.2f}x the time it takes with the page closed")


if __name__ == "__main__":
    main()
