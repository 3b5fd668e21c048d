"""What a click costs on the app's pages: each page's rerun time (Streamlit reruns the whole page script on every
interaction), in-process with ``streamlit.testing.v1.AppTest``, against another commit measured in the same run.

``python -m bench.pages [--against REV] [--reruns N] [--repeats R] [--pages compare playground costs data curves]
[--browser] [--profile PAGE] [--out FILE]``

Reads the runs of the data directory ``BERTLAB_HOME`` names (make one first, e.g. two ``python -m bertlab run
--quick --strategies zero_shot head_only full_ft tfidf_logreg --max-length 64 --epochs 1`` and one ``--repeats 3``
launch). Each measurement is a fresh Python process that opens a new app session on the page, runs it once (the cold
run: imports, first reads, caches filled; printed apart) and then reruns it ``N`` times unchanged, which is what a
click that changes nothing the page computes from costs (Compare's *Judge by* changes one key; each rerun here also
switches *Judge by* and back on Compare, so both are timed). With ``--against REV`` the same measurement runs in a
git worktree of ``REV`` (a temporary one, removed after), the two alternating ``R`` times so background load hits
both alike; the medians and their ratios are printed last. Each measurement also opens the page in a second session
of its warm process (a new tab: the server's part). ``--browser`` times clicks in headless Chromium instead, against a
``streamlit run`` of each tree (docs/screenshots/capture.py starts it; its log is ``server.log`` in the data
directory; a server started on a data directory takes over the queued runs a dead process left there, so point
``BERTLAB_HOME`` at a copy when other work shares it). ``--profile PAGE`` prints cProfile's top functions of that page's reruns instead. Results of one run:
``bench/pages.json``. Times are never asserted."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "docs" / "screenshots"))
PAGES = {"compare": "app_pages/compare.py", "playground": "app_pages/playground.py",
         "costs": "app_pages/costs.py", "data": "app_pages/data.py", "curves": "app_pages/sweep.py"}
TEXT = "A moving, beautifully acted film."
TEXT_KEYS = {"playground": "pg_box_text", "compare": "cmp_box_text"}


def _judge_flip(at, i: int) -> None:
    """On Compare, a click on *Judge by* (alternately macro-F1 and accuracy): the page's own control."""
    for w in at.get("button_group"):
        if w.label == "Judge by":
            w.set_value(("accuracy", "macro_f1")[i % 2])
            return


def child(root: Path, page: str, reruns: int, profile: bool) -> dict:
    """One session of the app in ``root`` on ``page``: the cold run and ``reruns`` reruns, in seconds."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest, app_test, local_script_runner

    # A server compiles each page once (its runtime's one ScriptCache); AppTest compiles app.py and the page afresh
    # on every run (~0.1 s for Compare), which no click in a browser pays: share one cache, as the server does.
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared

    prof, on = None, [False]
    if profile:
        import cProfile

        from streamlit.runtime.scriptrunner import script_runner

        prof = cProfile.Profile()
        inner = script_runner.exec_func_with_error_handling

        def profiled(func, ctx):  # the page runs in the script runner's thread: profile it there
            if not on[0]:
                return inner(func, ctx)
            prof.enable()
            try:
                return inner(func, ctx)
            finally:
                prof.disable()

        script_runner.exec_func_with_error_handling = profiled
        on[0] = False
    at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
    if page in TEXT_KEYS:  # Playground and Compare answer a typed text: what a class types first
        at.session_state[TEXT_KEYS[page]] = TEXT
    at.run()
    t0 = time.perf_counter()
    at.switch_page(PAGES[page]).run()
    cold = time.perf_counter() - t0
    problems = [str(e.value)[:200] for e in at.exception]
    times, cpu = [], []
    for i in range(reruns):
        if page == "compare":
            _judge_flip(at, i + 1)
        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            on[0] = True
        at.run()
        if prof:
            on[0] = False
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        problems += [str(e.value)[:200] for e in at.exception]
    if prof:
        import pstats

        stats = pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative")
        stats.print_stats(40)
        stats.print_stats(r"(app_pages|bertlab|app\.py)", 60)  # the app's own functions
    fresh = AppTest.from_file(str(root / "app.py"), default_timeout=300)  # a new session (tab) of a warm server
    if page in TEXT_KEYS:
        fresh.session_state[TEXT_KEYS[page]] = TEXT
    t0 = time.perf_counter()
    fresh.run()
    fresh.switch_page(PAGES[page]).run()
    return {"cold": cold, "reruns": times, "cpu": cpu, "new_session": time.perf_counter() - t0,
            "problems": problems[:3]}


def measure(root: Path, page: str, reruns: int, profile: bool = False) -> dict:
    """:func:`child` in a fresh process whose imports come from ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root), HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(root), "--pages", page,
                          "--reruns", str(reruns)] + (["--profile", page] if profile else []),
                         cwd=root, env=env, capture_output=True, text=True, check=False)
    if profile:
        print(out.stderr[-20000:], file=sys.stderr)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        raise RuntimeError(f"{page} in {root} failed: {out.stderr[-3000:]}")
    return json.loads(lines[-1])


def browser_clicks(root: Path, clicks: int) -> dict[str, list[float]]:
    """Seconds from a click in headless Chromium until the server's script-finished message arrives (the page's
    running indicator stops then): Compare's *Judge by*, the moves between Compare, Playground and Accuracy vs cost
    in the menu, after one untimed visit to each, and each page opened in a new tab. Fragment runs (Playground
    refreshes its answers while a model is exported to ONNX) do not count: only a whole run that ended."""
    from capture import ARGS, CHROMIUM, start_server  # docs/screenshots: the screenshots' server and browser
    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    proc, url = start_server(Path(os.environ["BERTLAB_HOME"]), "--server.headless", "true", root=root)
    finished: list[float] = []

    def frame(payload) -> None:
        if isinstance(payload, bytes | bytearray):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:  # noqa: BLE001 - not a ForwardMsg (none expected): ignored
                return
            # a whole run that ended (not one stopped for a rerun, not a fragment's): what the indicator waits for
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                finished.append(time.perf_counter())

    def timed(page, act) -> float:
        n, t0 = len(finished), time.perf_counter()
        act()
        while len(finished) == n:
            page.wait_for_timeout(5)
            if time.perf_counter() - t0 > 120:
                raise RuntimeError("no script_finished in 120 s")
        took = finished[n] - t0
        page.wait_for_timeout(300)  # let the browser draw before the next click
        return took

    out: dict[str, list[float]] = {"compare judge": [], "menu: to Compare": [],
                                   "menu: to Playground": [], "menu: to Accuracy vs cost": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            page.set_default_timeout(180_000)
            page.on("websocket", lambda ws: ws.on("framereceived", frame))
            link = {name: (lambda n=name: page.get_by_role("link", name=n).first.click())
                    for name in ("Compare", "Playground", "Accuracy vs cost")}
            page.goto(url + "/compare")
            page.get_by_text("Judge by").first.wait_for()
            page.wait_for_timeout(1500)
            for name in ("Playground", "Accuracy vs cost", "Compare"):  # each page once, untimed (cold)
                timed(page, link[name])
            for i in range(clicks):
                label = ("Macro-F1", "Accuracy")[i % 2]
                out["compare judge"].append(timed(page, lambda lab=label: page.get_by_role(
                    "radio", name=lab, exact=True).first.click()))
            for _ in range(clicks):
                for name in ("Accuracy vs cost", "Compare", "Playground"):
                    out[f"menu: to {name}"].append(timed(page, link[name]))
            for _ in range(clicks):  # a page opened in a new tab (a new session of the warm server)
                for path in ("compare", "playground", "accuracy-vs-cost"):
                    tab = browser.new_page(viewport={"width": 1440, "height": 1100})
                    tab.on("websocket", lambda ws: ws.on("framereceived", frame))
                    out.setdefault(f"new tab: /{path}", []).append(timed(tab, lambda t=tab, q=path: t.goto(
                        f"{url}/{q}", wait_until="commit")))
                    tab.close()
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def browser_main(trees: dict[str, Path], repeats: int, clicks: int) -> dict:
    """:func:`browser_clicks` for each tree, alternating, ``repeats`` times: medians and ratios."""
    got: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    for rep in range(repeats):
        for name, root in trees.items():
            r = browser_clicks(root, clicks)
            for k, v in r.items():
                got[name].setdefault(k, []).extend(v)
                print(f"repeat {rep + 1} {name:12s} {k:26s} " + " ".join(f"{t:.2f}" for t in v),
                      file=sys.stderr, flush=True)
    summary = {}
    names = list(trees)
    for k in got[names[-1]]:
        row = {n: round(statistics.median(got[n][k]), 3) for n in names}
        line = f"browser {k:26s} " + "; ".join(f"{n}: {v:.3f} s" for n, v in row.items())
        if len(names) == 2:
            row["ratio"] = round(row[names[0]] / row[names[1]], 2)
            line += f"; {row['ratio']:.2f}x faster"
        summary[k] = row
        print(line)
    return summary


def apptest_main(trees: dict[str, Path], pages: list[str], repeats: int, reruns: int, against: str | None) -> dict:
    """:func:`measure` of each page in each tree, alternating, ``repeats`` times: medians and ratios."""
    results: dict[str, dict[str, list]] = {t: {p: [] for p in pages} for t in trees}
    colds: dict[str, dict[str, list]] = {t: {p: [] for p in pages} for t in trees}
    cpus: dict[str, dict[str, list]] = {t: {p: [] for p in pages} for t in trees}
    fresh: dict[str, dict[str, list]] = {t: {p: [] for p in pages} for t in trees}
    for rep in range(repeats):
        for page in pages:
            for name, root in trees.items():
                r = measure(root, page, reruns)
                results[name][page] += r["reruns"]
                cpus[name][page] += r["cpu"]
                colds[name][page].append(r["cold"])
                fresh[name][page].append(r["new_session"])
                print(f"repeat {rep + 1} {page:10s} {name:12s} cold {r['cold']:.2f} s, new session "
                      f"{r['new_session']:.2f} s, reruns "
                      + " ".join(f"{t:.3f}" for t in r["reruns"]) + (f"  problems: {r['problems']}"
                                                                       if r["problems"] else ""),
                      file=sys.stderr, flush=True)
    out = {}
    for page in pages:
        row = {name: {"rerun_median_s": round(statistics.median(results[name][page]), 3),
                      "rerun_cpu_median_s": round(statistics.median(cpus[name][page]), 3),
                      "new_session_median_s": round(statistics.median(fresh[name][page]), 3),
                      "cold_median_s": round(statistics.median(colds[name][page]), 3)} for name in trees}
        line = f"{page:10s} " + "; ".join(f"{n}: rerun {v['rerun_median_s']:.3f} s, CPU {v['rerun_cpu_median_s']:.3f} s"
                                         f" (new session {v['new_session_median_s']:.2f} s, cold "
                                         f"{v['cold_median_s']:.2f} s)" for n, v in row.items())
        if against:
            row["ratio"] = round(row[against]["rerun_median_s"] / row["this tree"]["rerun_median_s"], 2)
            row["cpu_ratio"] = round(row[against]["rerun_cpu_median_s"] / row["this tree"]["rerun_cpu_median_s"], 2)
            line += f"; {row['ratio']:.2f}x faster rerun ({row['cpu_ratio']:.2f}x less CPU)"
        out[page] = row
        print(line)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--against", help="a git revision measured beside this tree (e.g. HEAD~3)")
    ap.add_argument("--reruns", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    ap.add_argument("--profile", choices=list(PAGES))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--browser", action="store_true",
                    help="time clicks in headless Chromium instead (a streamlit server per tree; /usr/bin/chromium)")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(Path(a.child), a.pages[0], a.reruns, bool(a.profile))), flush=True)
        return
    if a.profile:
        measure(REPO, a.profile, a.reruns, profile=True)
        return
    trees = {"this tree": REPO}
    tmp = None
    if a.against:
        tmp = Path(tempfile.mkdtemp(prefix="bertlab-pages-")) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(tmp), a.against], check=True)
        trees = {a.against: tmp, "this tree": REPO}
    against = a.against and subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", a.against],
                                           capture_output=True, text=True, check=True).stdout.strip()
    summary = {"reruns": a.reruns, "repeats": a.repeats, "against": against,
               "home": os.environ.get("BERTLAB_HOME"), "when": time.strftime("%Y-%m-%d %H:%M")}
    try:
        if a.browser:
            summary["browser"] = browser_main(trees, a.repeats, a.reruns)
        else:
            summary["pages"] = apptest_main(trees, a.pages, a.repeats, a.reruns, a.against)
    finally:
        if tmp is not None:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp)], check=False)
            shutil.rmtree(tmp.parent, ignore_errors=True)  # mkdtemp's folder, empty once the worktree is gone
    if a.out:
        a.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
