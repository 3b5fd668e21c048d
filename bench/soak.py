"""A long session: does the server or the worker grow without bound? Memory and open files, not time.

``python -m bench.soak [--reruns 240] [--predictions 300] [--tabs 50] [--worker-runs 30] [--root DIR]
[--label NAME] [--out bench/soak.json]``

Server: a fresh data directory gets 10 finished Quick-demo runs from the CLI (tfidf_logreg, zero_shot and
head_only at seeds 0-2, one more tfidf_logreg), then ``streamlit run app.py`` (of ``--root``: another checkout,
e.g. a ``git worktree`` of an older commit, for a before/after; default this one) is driven in headless Chromium
(Playwright, Debian's chromium):

* ``reruns``: one tab on Compare, Playground, Learning curves and Accuracy vs cost in turn (the sidebar's links),
  a reload every sixth step and a picker changed (a segmented control or a select box) in between;
* ``predict``: the Playground with a tfidf_logreg, a zero_shot and a head_only run, a different text predicted
  each step;
* ``tabs``: a tab (a browser context) opened, a text predicted on the Playground, another page, the tab closed,
  in turn; then a wait past Streamlit's 120-s keep for disconnected sessions.

Every 20 steps (10 tabs) it records the server's RSS (/proc/PID/status VmRSS), its open files, how many of them
are the run store's database and WAL (one pair per open SQLite connection) or epoll files (one per open asyncio
event loop) and its threads.

Worker: one :class:`bertlab.jobs.JobManager` of this process (this checkout) trains ``--worker-runs`` Quick-demo
runs queued at once in another fresh data directory (tfidf_logreg every other run, zero_shot and head_only in
turn between), and after each run records the process's RSS, open files, threads, Python objects after a
collection, the data directory's files and the store's WAL size, and the entries /tmp gained.

Prints the samples as they come and writes them all to ``--out``. Needs /usr/bin/chromium (``make
browser-deps``); a few minutes per phase on 2 vCPUs. Nothing here is timed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "docs" / "screenshots"))

PAGES = {"compare": "Compare", "playground": "Playground", "learning-curves": "Learning curves",
         "accuracy-vs-cost": "Accuracy vs cost"}
WORDS = ("moving funny dull brilliant awful tender slow sharp clumsy warm cold witty tedious gorgeous flat script "
         "cast plot ending music camera actor director scene dialogue").split()
BOX_MODELS = ("zero_shot", "head_only")  # joined to the Playground's default (the newest run, a tfidf_logreg)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def process_sample(pid: int, store_db: Path | None = None) -> dict:
    """RSS (MB), open files, those on the store's database and WAL, epoll files (one per event loop) and threads
    of process ``pid``."""
    rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS")) // 1024
    targets = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed since the listing
            pass
    d = {"rss_mb": rss, "open_files": len(targets), "threads": len(os.listdir(f"/proc/{pid}/task")),
         "epoll_files": targets.count("anon_inode:[eventpoll]")}  # one per open asyncio event loop
    if store_db is not None:
        d["store_files"] = sum(t in (str(store_db), f"{store_db}-wal") for t in targets)
    return d


def make_runs(home: Path) -> None:
    """The 10 finished runs the pages show: three CLI launches of three strategies and one more tfidf_logreg."""
    env = {**os.environ, "BERTLAB_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    launches = [["tfidf_logreg", "zero_shot", "head_only", "--seed", str(s)] for s in range(3)]
    for args in [*launches, ["tfidf_logreg", "--seed", "3"]]:
        subprocess.run([sys.executable, "-m", "bertlab", "run", "--quick", "--quiet", "--strategies", *args],
                       cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)


def settle(page) -> None:
    """Wait for the rerun a click started to end (Streamlit's status widget gone)."""
    page.wait_for_timeout(400)
    try:
        page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    except Exception as e:  # noqa: BLE001 - a slow rerun: the next step waits on its own
        log(f"still running after 60 s: {type(e).__name__}")
    page.wait_for_timeout(200)


def goto(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    settle(page)


def change_picker(page, rng: random.Random) -> None:
    """Click one of the page's segmented controls, else pick an option of its first select box."""
    main = page.locator('[data-testid="stMain"]')
    buttons = main.locator('[data-testid^="stBaseButton-segmented_control"]')
    if n := buttons.count():
        buttons.nth(rng.randrange(n)).click()
    elif main.locator('[data-testid="stSelectbox"]').count():
        main.locator('[data-testid="stSelectbox"]').first.click()
        options = page.locator('[role="option"]')
        try:
            options.first.wait_for(timeout=5000)
            options.nth(rng.randrange(options.count())).click()
        except Exception:  # noqa: BLE001 - no list opened: leave it closed
            page.keyboard.press("Escape")
    else:
        return
    settle(page)


def predict(page, text: str) -> None:
    page.get_by_label("Text to classify").fill(text)
    page.get_by_role("button", name="Predict", exact=True).first.click()
    settle(page)


def pick_box_models(page) -> None:
    for name in BOX_MODELS:
        page.locator('[data-testid="stMultiSelect"] input').first.click()
        page.wait_for_timeout(500)
        page.locator('[role="option"]', has_text=name).first.click(timeout=10_000)
        page.keyboard.press("Escape")
        settle(page)


def serve(args, home: Path, out: dict) -> None:
    """The server phases; samples appended to ``out["server"]``."""
    from capture import open_page, start_server
    from playwright.sync_api import sync_playwright

    rng = random.Random(0)
    proc, url = start_server(home, root=Path(args.root).resolve())
    db = home / "runs.sqlite"
    rows = out["server"]

    def sample(phase: str, step: int) -> None:
        rows.append({"phase": phase, "step": step, **process_sample(proc.pid, db)})
        log(json.dumps(rows[-1]))

    try:
        with sync_playwright() as p:
            browser, page = open_page(p, 60_000)
            goto(page, f"{url}/compare")
            sample("start", 0)
            slugs, cur = list(PAGES), "compare"
            for step in range(1, args.reruns + 1):
                if step % 6 == 0:
                    page.reload()
                    page.wait_for_selector('[data-testid="stSidebar"]')
                    settle(page)
                elif step % 6 in (1, 3):
                    cur = slugs[(slugs.index(cur) + 1) % len(slugs)]
                    page.locator('[data-testid="stSidebarNav"] a', has_text=PAGES[cur]).first.click()
                    settle(page)
                else:
                    change_picker(page, rng)
                if step % 20 == 0:
                    sample("reruns", step)
            goto(page, f"{url}/playground")
            pick_box_models(page)
            for step in range(1, args.predictions + 1):
                predict(page, f"{step}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))))
                if step % 20 == 0:
                    sample("predict", step)
            page.context.close()
            for step in range(1, args.tabs + 1):
                ctx = browser.new_context(viewport={"width": 1366, "height": 900})
                tab = ctx.new_page()
                goto(tab, f"{url}/playground")
                predict(tab, f"tab {step}: a warm and witty film")
                goto(tab, f"{url}/{slugs[step % 3]}")
                ctx.close()
                if step % 10 == 0:
                    sample("tabs", step)
            browser.close()
        time.sleep(150)  # Streamlit keeps a disconnected session 120 s
        sample("tabs closed, 150 s later", args.tabs)
    finally:
        proc.terminate()
        proc.wait(15)


def work(args, home: Path, out: dict) -> None:
    """The worker phase; samples appended to ``out["worker"]``."""
    os.environ["BERTLAB_HOME"] = str(home)
    from bertlab.config import DataConfig
    from bertlab.jobs import JobManager
    from bertlab.store import ACTIVE, RunStore
    from bertlab.strategies import make_config

    data = DataConfig(train_size=500, val_size=200, test_size=500)  # the Quick demo's caps
    names = ["tfidf_logreg" if i % 2 == 0 else BOX_MODELS[(i // 2) % 2] for i in range(args.worker_runs)]
    configs = [make_config(n, data=data, seed=i) for i, n in enumerate(names)]
    tmp_before = set(os.listdir(tempfile.gettempdir()))
    rows = out["worker"]

    def sample(done: int, strategy: str | None, status: str | None) -> None:
        gc.collect()
        wal = home / "runs.sqlite-wal"
        rows.append({"runs_done": done, "strategy": strategy, "status": status,
                     **process_sample(os.getpid(), home / "runs.sqlite"), "python_objects": len(gc.get_objects()),
                     "home_files": sum(len(f) for _, _, f in os.walk(home)),
                     "wal_bytes": wal.stat().st_size if wal.exists() else 0,
                     "tmp_entries_gained": len(set(os.listdir(tempfile.gettempdir())) - tmp_before)})
        log(json.dumps(rows[-1]))

    store = RunStore(home)
    jm = JobManager(store)
    sample(0, None, None)
    ids, seen = jm.submit(configs, batch_id="soak-worker"), set()
    while len(seen) < len(ids):
        ended = [r for r in (store.get(i) for i in ids if i not in seen) if r.status not in ACTIVE]
        for r in sorted(ended, key=lambda r: ids.index(r.id)):
            seen.add(r.id)
            sample(len(seen), r.strategy, r.status)
        time.sleep(0.2)
    jm.wait_idle()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reruns", type=int, default=240)
    ap.add_argument("--predictions", type=int, default=300)
    ap.add_argument("--tabs", type=int, default=50)
    ap.add_argument("--worker-runs", type=int, default=30)
    ap.add_argument("--root", default=str(REPO), help="the checkout whose app.py is served (default: this one)")
    ap.add_argument("--skip", nargs="*", default=[], choices=("server", "worker"))
    ap.add_argument("--label", default="this checkout", help="the key the samples go under in --out")
    ap.add_argument("--out", default=str(Path(__file__).with_name("soak.json")),
                    help="a JSON object of labels; this run's samples replace its label's")
    args = ap.parse_args()
    out: dict = {"root": args.root, "server": [], "worker": []}
    for phase, fn in (("server", serve), ("worker", work)):
        if phase in args.skip:
            continue
        home = Path(tempfile.mkdtemp(prefix=f"bertlab-soak-{phase}-"))
        try:
            if phase == "server":
                make_runs(home)
            fn(args, home, out)
        finally:
            shutil.rmtree(home, ignore_errors=True)
    path = Path(args.out)
    kept = json.loads(path.read_text()) if path.exists() else {}
    kept[args.label] = out
    path.write_text(json.dumps(kept, indent=1) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
