"""Regenerate the README screenshots from the real app: the default first-two-minutes flow.

    .venv/bin/python docs/screenshots/capture.py [--out docs/screenshots] [--scene default|dapt|curves|...]

Starts `streamlit run app.py` on a free loopback port with a fresh data
directory, then in headless Chromium:

* ``default``: keeps the Data page defaults (rotten_tomatoes, quick caps),
  launches the four default strategies, shoots Compare while full_ft trains,
  cancels scratch, waits for the rest, and shoots every page. Prints the
  seconds from Launch to each run's end (real numbers for the README).
* ``dapt``: launches dapt alone and shoots Compare with its masked-LM curve
  and its fine-tuning curve.
* ``curves``: with ``--home`` pointing at a data directory that holds a
  sweep (e.g. one made by ``python -m bertlab sweep``), shoots the Learning
  curves page.
* ``imbalanced``: with ``--home`` holding a launch on an imbalanced test set
  (the README's: ``run --dataset docs/examples/support_tickets.csv``), shoots
  Compare's answer (judged by macro-F1) and its per-class table.
* ``calibration``: with ``--home`` holding a launch (the README's: ``run --quick
  --strategies zero_shot head_only full_ft tfidf_logreg``), shoots Compare's
  calibration section.
* ``playground``: with ``--home`` holding a launch (the same), shoots the
  Playground with a clicked test-set example and every run's answer.
* ``prcurve``: with ``--home`` holding a launch on a rare class (the README's:
  docs/examples/make_rare_comments.py's 1,500 comments, 3% abusive, ``run
  --quick --strategies head_only tfidf_logreg full_ft --epochs full_ft=1``),
  shoots Compare's precision-recall section.
* ``train``: the default scene's Train page alone (``train.png``): launches
  the four default strategies, shoots the page, and cancels them.

Needs /usr/bin/chromium (`make browser-deps`).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bertlab.store import ACTIVE, RunStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# The Train page after a launch, from zero_shot's open explanation down to "Watch them train on Compare"
# (1500 cut that link off once the estimates table had its memory column and "How these times are estimated")
TRAIN_HEIGHT = 1600
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def start_server(home: Path, *flags: str, root: Path = REPO) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` of ``root`` (as `make run` does, plus Streamlit ``flags``) serving ``home``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BERTLAB_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", *flags], cwd=root, env=env,
                            stdout=open(home / "server.log", "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(180):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("streamlit did not start; see " + str(home / "server.log"))


def open_page(p, timeout_ms: int):
    """Debian's headless Chromium through Playwright ``p``: (browser, a 1440-px-wide page), with
    ``timeout_ms`` as every wait's default."""
    from playwright.sync_api import expect

    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.set_default_timeout(timeout_ms)
    expect.set_options(timeout=timeout_ms)
    return browser, page


def launch_alone(page, strategy: str) -> float:
    """From a loaded app: on the Train page, replace the default strategies with ``strategy`` and launch it
    (with the Data page's settings). Returns ``time.monotonic()`` at the click."""
    from playwright.sync_api import expect

    expect(page.get_by_text("Examples (cleaned)")).to_be_visible()
    page.get_by_role("link", name="Train").first.click()
    expect(page.get_by_role("button", name="Launch 4 runs")).to_be_visible()
    page.get_by_role("button", name="Clear all").first.click()  # drop the four defaults
    time.sleep(2)
    box = page.get_by_role("combobox", name="Strategies (they run one after another, in this order)")
    box.click()
    box.fill(strategy)
    page.get_by_role("option").filter(has_text=f"{strategy}:").first.click()
    page.keyboard.press("Escape")
    launch = page.get_by_role("button", name="Launch 1 run")
    expect(launch).to_be_visible()
    t0 = time.monotonic()
    launch.click()
    expect(page.get_by_text("Queued 1 run")).to_be_visible()
    return t0


def launch_four(page) -> float:
    """From the Data page: on the Train page, open zero_shot's explanation and launch the four default strategies
    (the picture train.png shows). Returns ``time.monotonic()`` at the click."""
    from playwright.sync_api import expect

    page.get_by_role("link", name="Train").first.click()
    launch = page.get_by_role("button", name="Launch 4 runs")
    expect(launch).to_be_visible()
    page.get_by_text("zero_shot", exact=True).first.click()  # open one explanation
    t0 = time.monotonic()
    launch.click()
    expect(page.get_by_text("Queued 4 runs")).to_be_visible()
    return t0


def wait_for(pred, timeout: float, poll: float = 1.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(poll)
    raise TimeoutError


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    ap.add_argument("--caps", help="custom train,val,test caps instead of the default quick preset (busy machines)")
    ap.add_argument("--scene", choices=("default", "dapt", "curves", "curves-answer", "seeds-answer", "imbalanced",
                                             "calibration", "playground", "prcurve", "train"),
                    default="default")
    ap.add_argument("--home", help="data directory to serve (default: a fresh one)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.scene != "default":
        return scene(args, out)
    from playwright.sync_api import expect, sync_playwright

    home = Path(tempfile.mkdtemp(prefix="bertlab-shots-"))
    proc, url = start_server(home)
    store = RunStore(home)
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, 180_000)

            def shot(name: str, height: int) -> None:
                # Streamlit pages scroll inside the viewport, so the viewport's height is the picture's.
                page.set_viewport_size({"width": 1440, "height": height})
                # Charts load lazily: wait until no placeholder is left, or the picture shows grey boxes.
                expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
                time.sleep(3)
                page.screenshot(path=str(out / f"{name}.png"), timeout=180_000)

            page.goto(url)
            expect(page.get_by_text("Examples (cleaned)")).to_be_visible()
            if args.caps:
                page.get_by_text("Custom", exact=True).click()
                for label, value in zip(("Train cap", "Validation cap", "Test cap"), args.caps.split(",")):
                    page.get_by_label(label).fill(value)
                    page.get_by_label(label).press("Enter")
                    time.sleep(1)
            shot("data", 1150)

            t0 = launch_four(page)
            shot("train", TRAIN_HEIGHT)

            page.get_by_role("link", name="Compare").first.click()
            runs = {r.strategy: r.id for r in store.list_runs()}
            # Mid-training: full_ft has a few epochs' worth of points.
            wait_for(lambda: (r := store.get(runs["full_ft"])) and r.status == "running" and r.progress > 0.6, 1800)
            shot("compare_live", 1250)
            # Cancel scratch while it trains and check it stops.
            wait_for(lambda: (r := store.get(runs["scratch"])) and r.status == "running" and r.progress > 0.2, 1800)
            page.get_by_role("button", name="Cancel").last.click()
            t_cancel = time.monotonic()
            wait_for(lambda: store.get(runs["scratch"]).status == "cancelled", 120, 0.2)
            print(f"scratch stopped {time.monotonic() - t_cancel:.1f} s after Cancel was clicked")
            wait_for(lambda: not any(r.status in ACTIVE for r in store.list_runs()), 600)
            page.reload()
            expect(page.get_by_text("Confusion matrices (test set)")).to_be_visible()
            shot("compare", 2350)
            # The paired test below the charts, with the texts the two best runs disagree on.
            page.set_viewport_size({"width": 1440, "height": 1250})
            heading = page.get_by_role("heading", name="Is the difference real?")
            heading.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.locator('[data-testid="stExpander"]').filter(has_text="test texts where only one").locator(
                "summary").click()
            time.sleep(3)
            heading.evaluate("e => e.scrollIntoView({block: 'start'})")
            time.sleep(2)
            page.screenshot(path=str(out / "compare_paired.png"), timeout=180_000)

            page.get_by_role("link", name="Playground").first.click()
            # The first answer loads the models (PyTorch answers while their ONNX exports run in the background);
            # the picture shows a later one, as a user sees it after the first few seconds.
            page.get_by_label("Text to classify").fill("Too long, but worth it.")
            page.get_by_role("button", name="Predict", exact=True).click()
            expect(page.locator('[data-testid="stMetric"]')).to_have_count(3)
            time.sleep(20)
            page.get_by_label("Text to classify").fill("A moving, beautifully acted film, though a bit too long.")
            page.get_by_role("button", name="Predict", exact=True).click()
            expect(page.get_by_text("onnxruntime").first).to_be_visible()
            shot("playground", 1150)
            browser.close()
        for r in sorted(store.list_runs(), key=lambda r: r.created):
            took = (r.finished or 0) - (store.list_runs()[-1].created)
            acc = r.metrics.get("test_accuracy")
            print(f"{r.strategy:10s} {r.status:10s} finished {took:6.1f} s after launch; "
                  f"run {r.costs.get('total_seconds', float('nan')):6.1f} s; test acc {acc if acc is None else round(acc, 3)}")
        print(f"launch-to-last {time.monotonic() - t0:.0f} s; screenshots in {out}")
    finally:
        proc.terminate()
        proc.wait(15)


def section_shot(page, out: Path, heading_name: str, name: str, height: int) -> None:
    """A picture of one section of the page: from its heading down ``height`` pixels, at 1440 px wide."""
    from playwright.sync_api import expect

    heading = page.get_by_role("heading", name=heading_name)
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
    time.sleep(3)
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")  # charts above may have grown meanwhile
    time.sleep(2)
    box = heading.bounding_box()
    page.screenshot(path=str(out / f"{name}.png"), timeout=180_000, clip={
        "x": box["x"] - 20, "y": max(0, box["y"] - 20), "width": 1440 - box["x"], "height": height})


def scene(args, out: Path) -> None:
    """The dapt and learning-curve pictures (curves-answer: the Learning curves page's "Which one to use at each
    size?" of the sweep in ``--home``; seeds-answer: Compare's "Which one to use?" of the latest launch there)."""
    from playwright.sync_api import expect, sync_playwright

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="bertlab-shots-"))
    proc, url = start_server(home)
    store = RunStore(home)
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, 600_000)

            def shot(name: str, height: int) -> None:
                page.set_viewport_size({"width": 1440, "height": height})
                expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
                time.sleep(3)
                page.screenshot(path=str(out / f"{name}.png"), timeout=180_000)

            page.goto(url)
            time.sleep(20)  # let the first script run finish before polling the page (seen: lazy elements stuck)
            if args.scene == "curves":
                page.get_by_role("link", name="Learning curves").first.click()
                expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
                shot("learning_curves", 1700)
            elif args.scene in ("curves-answer", "seeds-answer"):
                if args.scene == "curves-answer":
                    page.get_by_role("link", name="Learning curves").first.click()
                    section_shot(page, out, "Which one to use at each size?", "learning_curves_answer", 440)
                else:  # the latest launch's "Which one to use?" on Compare (e.g. after `run --repeats 3`)
                    page.get_by_role("link", name="Compare").first.click()
                    section_shot(page, out, "Which one to use?", "compare_seeds_answer", 600)
            elif args.scene == "imbalanced":  # the latest launch in --home on an imbalanced test set (README)
                page.get_by_role("link", name="Compare").first.click()
                section_shot(page, out, "Which one to use?", "compare_imbalanced", 520)
                section_shot(page, out, "Per class (test set)", "compare_per_class", 330)
            elif args.scene == "calibration":  # the latest launch in --home (the README's: run --quick with four)
                page.get_by_role("link", name="Compare").first.click()
                section_shot(page, out, "Can its confidence be trusted? (calibration)", "compare_calibration", 520)
            elif args.scene == "prcurve":  # the latest launch in --home on a rare class (README: 3% abusive)
                page.get_by_role("link", name="Compare").first.click()
                section_shot(page, out, "Precision against recall, one class (test set)", "compare_prcurve", 1095)
            elif args.scene == "train":  # the default scene's Train page, without training the four runs
                expect(page.get_by_text("Examples (cleaned)")).to_be_visible()
                launch_four(page)
                shot("train", TRAIN_HEIGHT)
                for r in store.list_runs():
                    store.request_cancel(r.id)
            elif args.scene == "playground":  # the latest launch in --home: a clicked example and its answers
                page.get_by_role("link", name="Playground").first.click()
                expect(page.get_by_label("Text to classify")).to_be_visible()
                # the first answer loads the models (and starts their ONNX exports): shoot a later one
                page.get_by_label("Text to classify").fill("Too long, but worth it.")
                page.get_by_role("button", name="Predict", exact=True).click()
                expect(page.locator('[data-testid="stMetric"]').first).to_be_visible()
                time.sleep(30)
                page.get_by_text("Try an example from the test set", exact=True).click()
                page.locator("[data-testid='stExpander'] button").first.click()
                expect(page.get_by_text("True label").first).to_be_visible()
                shot("playground", 1150)
            else:
                t0 = launch_alone(page, "dapt")
                page.get_by_role("link", name="Compare").first.click()
                wait_for(lambda: not any(r.status in ACTIVE for r in store.list_runs()), 3600, 2)
                page.reload()
                expect(page.get_by_text("Confusion matrices (test set)")).to_be_visible()
                shot("compare_dapt", 1900)
                r = store.list_runs()[0]
                print(f"dapt {r.status} in {time.monotonic() - t0:.0f} s; test acc {r.metrics.get('test_accuracy')}; "
                      f"notes: {r.notes}")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(15)


if __name__ == "__main__":
    main()
