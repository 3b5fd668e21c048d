"""End to end in a real headless browser: `streamlit run app.py`, driven with Playwright.

Playwright cannot download browsers here, so this uses Debian's Chromium
(`make browser-deps` installs the `chromium` and `chromium-driver` packages).
Screenshots go to the test's tmp directory, or to $BERTLAB_SCREENSHOTS if set.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[1]
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium chromium-driver)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """A real `streamlit run app.py` on a free loopback port, with its own data directory."""
    port = free_port()
    env = {**os.environ, "BERTLAB_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("streamlit did not start:\n" + (tmp_path / "server.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_default_flow_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("BERTLAB_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1100})
        page.set_default_timeout(90_000)
        expect.set_options(timeout=90_000)  # first loads import torch and the data: slow on 2 cores
        # bertlab works offline: the pages ask nothing of another server (the tab's icon, a material symbol,
        # was fetched from fonts.gstatic.com: an error in the console and no icon, offline)
        elsewhere = []
        def offline(tab):
            tab.on("request", lambda r: None if r.url.startswith((server, f"blob:{server}", "data:"))
                   else elsewhere.append(r.url))
        offline(page)

        # Data: the default dataset, with a small custom cap.
        page.goto(server)
        expect(page.get_by_role("combobox", name="Dataset")).to_have_value(re.compile("rotten_tomatoes"))
        expect(page.get_by_text("Examples (cleaned)")).to_be_visible()
        page.get_by_text("Custom", exact=True).click()
        def settle() -> None:
            # A fill that lands while the previous rerun is still running can be lost (seen in CI under
            # load): wait until Streamlit's "Running..." status widget is gone before the next input.
            page.wait_for_timeout(300)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")

        for label, value in (("Train cap", "60"), ("Validation cap", "40"), ("Test cap", "60")):
            box = page.get_by_label(label)
            for _ in range(3):
                settle()
                box.fill(value)
                box.press("Enter")
                settle()
                if box.input_value() == value:
                    break
            expect(box).to_have_value(value)
        metrics = page.locator('[data-testid="stMetricValue"]')
        # Examples, classes, majority baseline, then train, validation, test (two rows of three).
        for i, value in ((3, "60"), (4, "40"), (5, "60")):  # train, validation, test: the page has caught up
            expect(metrics.nth(i)).to_have_text(value)
        settle()
        page.screenshot(path=str(shots / "data.png"))
        preview = page.locator('[data-testid="stDataFrame"]').first.bounding_box()["height"]  # at the usual size

        # Train: keep zero_shot and head_only, launch.
        page.get_by_role("link", name="Train").first.click()
        expect(page.get_by_role("heading", name="Train")).to_be_visible()
        expect(page.get_by_text("train 60 · validation 40 · test 60")).to_be_visible()
        for name in ("full_ft", "scratch"):
            page.get_by_role("button", name=re.compile(f"^Remove {name}")).click()
        page.get_by_role("button", name="Launch 2 runs").click()
        expect(page.get_by_text("Queued 2 runs: zero_shot, head_only")).to_be_visible()
        page.screenshot(path=str(shots / "train.png"))

        # Compare: both runs finish and their charts appear (the page refreshes itself meanwhile).
        page.get_by_role("link", name="Compare").first.click()
        expect(page.get_by_text(re.compile(r"test accuracy \d+\.\d%"))).to_have_count(2, timeout=300_000)
        expect(page.get_by_text("Confusion matrices (test set)")).to_be_visible()
        # curves (training loss; validation loss and accuracy, a figure each, in two columns a phone stacks),
        # accuracy/cost/scatter, the precision-recall curves of one class (both runs keep their probabilities), the
        # calibration diagram, one confusion matrix per run
        expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(3 + 3 + 1 + 1 + 2, timeout=60_000)
        page.screenshot(path=str(shots / "compare.png"))
        # On a phone (390 px) no chart title runs past its chart: an SVG title cannot wrap, and a teacher's
        # students saw "Validation accurac…" and "Accuracy vs training time (up and left…" cut off.
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(1500)  # the charts redraw at the new width
        cut = page.eval_on_selector_all(".js-plotly-plot", """plots => plots.flatMap(p => {
            const edge = p.getBoundingClientRect().right;
            return [...p.querySelectorAll('.gtitle, .annotation-text')]
                .filter(t => t.getBoundingClientRect().right > edge + 1).map(t => t.textContent);
        })""")
        assert page.locator(".js-plotly-plot .gtitle").count() >= 3 and cut == []
        page.screenshot(path=str(shots / "compare_phone.png"))
        page.set_viewport_size({"width": 1440, "height": 1100})

        # Playground: type a sentence, both finished runs answer.
        page.get_by_role("link", name="Playground").first.click()
        box = page.get_by_label("Text to classify")
        box.fill("A moving, beautifully acted film that I loved.")
        page.get_by_role("button", name="Predict", exact=True).click()
        cards = page.locator('[data-testid="stMetric"]')
        expect(cards).to_have_count(2, timeout=120_000)
        for name in ("zero_shot", "head_only"):
            expect(page.get_by_text(name, exact=True).first).to_be_visible()
        assert {cards.nth(i).locator('[data-testid="stMetricValue"]').inner_text() for i in range(2)} <= {
            "fresh", "rotten"}
        page.screenshot(path=str(shots / "playground.png"))

        # A page's address is its name; the old one (a bookmark of /costs) still leads there, at the same desk.
        page.get_by_role("link", name="Accuracy vs cost").first.click()
        expect(page).to_have_url(re.compile(r"/accuracy-vs-cost\?desk=\w+"))
        desk = re.search(r"desk=(\w+)", page.url).group(1)
        page.goto(f"{server}/costs?desk={desk}")
        expect(page).to_have_url(re.compile(f"/accuracy-vs-cost\\?desk={desk}$"))
        expect(page.get_by_role("heading", name="Accuracy vs cost")).to_be_visible()
        # /data, the Data page's name in the menu, opens it (it showed "Page not found" over it)
        page.goto(f"{server}/data?desk={desk}")
        expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
        page.wait_for_timeout(1500)
        assert page.get_by_text("Page not found").count() == 0
        page.goto(f"{server}/accuracy-vs-cost?desk={desk}")
        expect(page.get_by_role("heading", name="Accuracy vs cost")).to_be_visible()
        # Projector mode enlarges the tables too: st.dataframe paints on a canvas, whose text CSS does not reach,
        # at the size the page had when the table was drawn (a teacher's table stayed small). Its rows grow.
        table = page.locator('[data-testid="stDataFrame"]').first
        expect(table).to_be_visible()
        settle()
        small = table.bounding_box()["height"]
        # The switch's own checkbox, as the app's CSS reads it (common.PROJECTOR_CSS): re-found at every check, so
        # a rerun that draws the sidebar anew is no stale handle. Each click waits until the switch shows the state
        # the last one left: a click while a rerun still redrew it could land on the old switch and go unheard
        # (one run in eight under CPU load failed at the click back).
        switch = page.locator(".st-key-keep_projector input")
        html = page.locator("html")
        expect(switch).not_to_be_checked()
        page.get_by_text("Projector: larger text").click()
        expect(switch).to_be_checked()
        # polled on a timer: by animation frame it timed out in a fresh clone's CI though the table had grown
        height = "(document.querySelector('[data-testid=\"stDataFrame\"]')?.getBoundingClientRect().height || 0)"
        page.wait_for_function(f"h => {height} > 1.15 * h", arg=small, polling=250)
        expect(html).to_have_css("font-size", "20px")
        page.screenshot(path=str(shots / "costs_projector.png"))
        # and back: a CI run, and one switch in three here, had kept the table at the size it had before the click
        settle()
        expect(switch).to_be_checked()
        page.get_by_text("Projector: larger text").click()
        expect(switch).not_to_be_checked()
        page.wait_for_function(f"h => {height} > 0 && {height} < 1.05 * h", arg=small, polling=250)
        expect(html).to_have_css("font-size", "16px")

        # A classroom bookmark opens in projector mode, with no click: its first page's table is built large too
        # (six loads in eight had built it small, in the same browser update as the switch).
        fresh = browser.new_page(viewport={"width": 1440, "height": 1100})
        fresh.set_default_timeout(90_000)  # a new desk's first load, as the first page's
        offline(fresh)
        fresh.goto(f"{server}/?projector=1")
        try:
            fresh.wait_for_function(f"h => {height} > 1.15 * h", arg=preview, polling=250)
        except Exception:  # what the page had, to tell a slow load from a table built small
            fresh.screenshot(path=str(shots / "fresh_projector.png"))
            raise AssertionError(fresh.evaluate("""() => ({font: getComputedStyle(document.documentElement).fontSize,
                tables: [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(
                    e => e.getBoundingClientRect().height), running: !!document.querySelector(
                    '[data-testid="stStatusWidget"]')})""") | {"preview": preview}) from None
        assert fresh.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
        # and a page link clicked the moment such a page first shows large is followed: the size watcher's call
        # (which reruns the page the browser shows) had sent it back to Data, a click in four
        nav = browser.new_page(viewport={"width": 1440, "height": 1100})
        nav.set_default_timeout(90_000)
        offline(nav)
        nav.goto(f"{server}/?projector=1", wait_until="commit")
        nav.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'", polling=20)
        nav.get_by_role("link", name="Strategy cards").first.evaluate("a => a.click()")  # at once, as it shows
        expect(nav.get_by_role("heading", name="Strategy cards")).to_be_visible()
        nav.wait_for_timeout(2000)  # where the watcher's run would have taken it back
        expect(nav).to_have_url(re.compile("/strategy-cards"))
        expect(nav.get_by_role("heading", name="Strategy cards")).to_be_visible()
        browser.close()
    assert elsewhere == []
    assert all((shots / f"{n}.png").stat().st_size > 10_000 for n in ("data", "train", "compare", "playground"))


def test_every_cards_block_labels_fit_their_blocks_as_chromium_draws_them():
    """'embeddings · masked-LM, then fine-tuned' (dapt, scratch pretrained as a masked LM) ran past its block's
    right edge: measured here with the browser's own text widths, at the Train page's size and the large one."""
    from playwright.sync_api import sync_playwright

    from bertlab import teaching
    from bertlab.strategies import REGISTRY

    cards = [teaching.card(n, scale=s).svg for n in REGISTRY for s in (1.0, 1.35)]
    cards += [teaching.card("scratch", options={"mlm_epochs": 3}, scale=s).svg for s in (1.0, 1.35)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page()
        page.set_content("<html><body>" + "".join(cards) + "</body></html>")
        # each block label against the block drawn just before it (the rect it is written on)
        spans = page.evaluate("""() => Array.from(document.querySelectorAll('svg g > text')).flatMap(t => {
            let r = t.previousElementSibling;  // past lora's adapter strip, drawn on the block's right end
            while (r && r.tagName === 'rect' && +r.getAttribute('x') !== 0) r = r.previousElementSibling;
            if (!r || r.tagName !== 'rect' || +r.getAttribute('height') < 20) return [];
            return [[t.textContent, t.x.baseVal[0].value + t.getComputedTextLength(), +r.getAttribute('width')]];
        })""")
        browser.close()
    assert any("masked-LM, then fine-tuned" in label for label, _, _ in spans)
    too_long = [(label, round(end), width) for label, end, width in spans if end > width]
    assert not too_long, too_long


def test_a_run_joins_the_playground_as_it_finishes_while_another_still_trains(server, tmp_path, tiny_data):
    """A review: in a CLI batch of full_ft then scratch sharing the app's data directory, full_ft joined the
    Playground's "Models (finished runs)" only once scratch had ended too (while anything trained, only the sidebar's
    queue reran). The README: "runs of the latest launch join it as they finish"."""
    from playwright.sync_api import expect, sync_playwright

    from bertlab.runner import execute_run
    from bertlab.store import RUNNING, SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore(tmp_path / "home")  # the server's data directory; this process plays the CLI
    first = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=0), batch_id="b1")
    assert execute_run(store, first) == SUCCEEDED
    last = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=2), batch_id="b1")
    assert store.claim(last, "cpu")  # "training" all along, in a live process: the server leaves it be
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(f"{server}/playground")
        models = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Models (finished runs)")
        expect(models).to_contain_text(f"· {first[-4:]}", timeout=90_000)
        expect(page.get_by_text("another process, e.g. the CLI")).to_be_visible()  # busy: the queue refreshes
        second = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=1), batch_id="b1")
        assert execute_run(store, second) == SUCCEEDED
        expect(models).to_contain_text(f"· {second[-4:]}", timeout=30_000)  # joined while `last` trains
        expect(models).to_contain_text(f"· {first[-4:]}")
        assert store.get(last).status == RUNNING
        browser.close()


def test_an_idle_compare_page_says_so_when_the_batch_it_shows_is_deleted_elsewhere(server, tmp_path, tiny_data):
    """A classroom review: student B read student A's launch on Compare, nothing training; A deleted it, and B's
    page went on showing it (its Playground box offering the deleted model) until B clicked something: the idle
    watch looked for new runs only. It redraws on a deletion too, and Compare says what happened."""
    from playwright.sync_api import expect, sync_playwright

    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore(tmp_path / "home")  # the server's data directory; this process plays student A
    for seed, batch in ((0, "b-a"), (1, "b-c")):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id=batch)
        assert execute_run(store, rid) == SUCCEEDED
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(f"{server}/compare")
        box = page.get_by_role("combobox", name="Batch (one launch or sweep)")
        expect(box).to_be_visible(timeout=90_000)  # a first load imports torch: slow on 2 cores
        box.click()
        page.get_by_role("option").last.click()  # the older launch, A's
        expect(page.get_by_text(f"· {store.list_runs(batch_id='b-a')[0].id[-4:]}").first).to_be_visible(timeout=30_000)
        store.delete_finished([r.id for r in store.list_runs(batch_id="b-a")])  # A's Delete, at A's desk
        expect(page.get_by_text(re.compile("The batch you were looking at .* has been deleted"))).to_be_visible(
            timeout=30_000)  # no click: the idle watch (every 5 s) redraws
        browser.close()


def test_typed_settings_survive_a_long_visit_to_another_page(server):
    """A review: head_only's Epochs 5, Learning rate 2e-2 and further rates 3e-2, then 15 s on Strategy cards, came
    back at the defaults (after 1 s they were kept) and Launch would have queued the defaults: a run of the
    sidebar's idle fragment (every IDLE_WATCH_S) dropped the state of the widgets the page did not draw. The
    Learning curves page's fields are kept the same way."""
    from playwright.sync_api import expect, sync_playwright

    away = 3 * 5.0 + 1  # past a few runs of app.py's idle watch (IDLE_WATCH_S = 5 s)

    def field(where, kind: str, label: str):
        return where.locator(f"[data-testid={kind}]", has_text=label).locator("input").first

    def type_in(box, value: str) -> None:
        box.fill(value)
        box.press("Enter")
        expect(box).to_have_value(value)
        time.sleep(1.5)  # the rerun that takes it

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(90_000)
        expect.set_options(timeout=90_000)
        page.goto(f"{server}/train")

        def head_only():
            summary = page.locator("[data-testid='stExpander'] summary", has_text="head_only:").first
            panel = page.locator("[data-testid='stExpander']").filter(
                has=page.locator("summary", has_text="head_only:")).first
            expect(page.get_by_role("button", name=re.compile(r"^Launch"))).to_be_visible()
            time.sleep(2)  # the page drawn whole
            if not field(panel, "stNumberInput", "Epochs").is_visible():
                summary.click()
            expect(field(panel, "stNumberInput", "Epochs")).to_be_visible()
            return panel

        panel = head_only()
        type_in(field(panel, "stNumberInput", "Epochs"), "5")
        type_in(field(panel, "stNumberInput", "Learning rate"), "2.0e-2")
        type_in(field(panel, "stTextInput", "Also compare at learning rates"), "3e-2")
        page.get_by_role("link", name="Learning curves").first.click()
        type_in(field(page, "stNumberInput", "Seeds per point"), "5")
        page.get_by_role("link", name="Strategy cards").first.click()
        expect(page.get_by_role("heading", name="Strategy cards").first).to_be_visible()
        time.sleep(away)
        page.get_by_role("link", name="Train").first.click()
        panel = head_only()
        expect(field(panel, "stNumberInput", "Epochs")).to_have_value("5")
        expect(field(panel, "stNumberInput", "Learning rate")).to_have_value("2.0e-2")
        expect(field(panel, "stTextInput", "Also compare at learning rates")).to_have_value("3e-2")
        expect(page.get_by_text("at 2 learning rates").first).to_be_visible()
        page.get_by_role("link", name="Strategy cards").first.click()
        time.sleep(away)
        page.get_by_role("link", name="Learning curves").first.click()
        expect(field(page, "stNumberInput", "Seeds per point")).to_have_value("5")
        browser.close()


def test_dark_picked_in_the_menu_redraws_the_strategy_card_dark(server):
    """Dark picked in the ⋮ menu turned the page dark but left the Strategy cards' diagram a white card (drawn for
    the light theme) until the next click: Streamlit does not rerun the script on a theme switch (streamlit#11920),
    and the card, an image, takes no colour from the page. The sidebar's timed fragment now redraws the app once
    the theme differs from the one the page was drawn in."""
    import base64

    from playwright.sync_api import expect, sync_playwright

    from bertlab.teaching import CARD_COLORS

    def card_fill(page) -> str:
        src = page.locator("img[src^='data:image/svg+xml']").first.get_attribute("src")
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
        return re.search(r'<rect width="100%" height="100%"[^>]* fill="([^"]+)"', svg).group(1)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 1000}, color_scheme="light")
        page.set_default_timeout(90_000)
        expect.set_options(timeout=90_000)
        page.goto(f"{server}/strategy-cards")
        expect(page.get_by_text("weights trained").first).to_be_visible()
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        assert card_fill(page) == CARD_COLORS[False][0]
        page.locator("[data-testid='stMainMenu']").click()
        page.locator("[data-testid='stMainMenuItem-theme-Dark']").click()
        page.keyboard.press("Escape")
        deadline = time.monotonic() + 30  # a few of the idle fragment's 5-s refreshes, on a loaded machine
        while card_fill(page) != CARD_COLORS[True][0] and time.monotonic() < deadline:
            time.sleep(1)
        assert card_fill(page) == CARD_COLORS[True][0]  # the old code: still the light card's white
        browser.close()
