"""Every page of the Streamlit app, driven with streamlit.testing.v1.AppTest (in-process, no browser)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.common import DELETED_BY, FOREIGN_CANCELLER, md, section_html
from bertlab.config import DataConfig
from bertlab.store import ACTIVE, FAILED, SUCCEEDED, RunStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["app_pages/data.py", "app_pages/train.py", "app_pages/compare.py", "app_pages/playground.py"]


def app_on(page: str | None = None, session: dict | None = None, desk: str | None = None) -> AppTest:
    """A new session of the app (on ``page``); with ``desk``, one whose address names that desk (a reload)."""
    at = AppTest.from_file(APP, default_timeout=120)
    if desk is not None:
        at.query_params["desk"] = desk
    for k, v in (session or {}).items():
        at.session_state[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def no_problems(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def wait_done(home: Path, timeout: float = 240) -> list:
    """Poll the store (the same channel the pages read) until no run is queued or running."""
    store = RunStore(home)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        runs = store.list_runs()
        if runs and not any(r.status in ACTIVE for r in runs):
            return runs
        time.sleep(0.5)
    raise AssertionError(f"runs still active after {timeout}s: {[(r.strategy, r.status) for r in store.list_runs()]}")


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(page):
    at = app_on(page)
    no_problems(at)
    assert at.title, "every page has a title"
    sidebar_text = " ".join(m.value for m in at.sidebar.markdown)
    assert "Device:" in sidebar_text and "Job queue" in sidebar_text
    assert re.search(r"Device:\*\* .+ · (fp32|bf16|fp16 \(loss scaling\))", sidebar_text), sidebar_text


def test_data_page_defaults_to_rotten_tomatoes_with_quick_caps():
    at = app_on()
    no_problems(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train"] == "500" and metrics["Validation"] == "200" and metrics["Test"] == "500"
    assert int(metrics["Examples (cleaned)"].replace(",", "")) > 10_000
    assert at.session_state["keep_data_config"]["name"] == "rotten_tomatoes"


def test_the_classroom_size_halves_standards_training_texts_and_keeps_its_1000_test_texts():
    """A teacher wanted a ranking to show a class within minutes: Quick demo's 500 test texts cannot tell gaps of a
    few points from chance, and Standard's 2,000 training texts take twice as long."""
    at = app_on()
    at.radio(key="keep_preset").set_value("Classroom").run()
    no_problems(at)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Train"], metrics["Validation"], metrics["Test"]) == ("1,000", "300", "1,000")
    config = at.session_state["keep_data_config"]
    assert (config["train_size"], config["val_size"], config["test_size"]) == (1000, 300, 1000)
    (said,) = [c.value for c in at.caption if c.value.startswith("Classroom:")]
    assert "Half of Standard's training examples" in said and "1,000 test texts" in said
    assert not any(c.value.startswith("Quick demo:") for c in at.caption)
    # a new session on this desk opens on Classroom again, not on Custom
    again = app_on(desk=at.query_params["desk"])
    no_problems(again)
    assert again.radio(key="keep_preset").value == "Classroom"


def test_a_new_session_keeps_the_data_last_chosen(bertlab_home, tiny_csv):
    """A reload (a new session) must not put the Train page back on the default data behind the user's back."""
    import json

    at = app_on()
    at.selectbox(key="keep_builtin").set_value("bbc_news").run()
    at.radio(key="keep_preset").set_value("Custom").run()
    at.number_input(key="keep_cap_train").set_value(300).run()
    no_problems(at)
    desk = at.query_params["desk"]
    again = app_on("app_pages/train.py", desk=desk)  # a reload: a new session, the same address
    no_problems(again)
    cfg = again.session_state["keep_data_config"]
    assert (cfg["name"], cfg["train_size"], cfg["test_size"]) == ("bbc_news", 300, 500)
    # kept as a run's config keeps its data (config.data_dict): no text_pair_column of single texts, which an older
    # bertlab's DataConfig(**data) refuses (its app at this desk then forgot the data last loaded)
    kept = json.loads((bertlab_home / "desks" / desk / "last_data.json").read_text())
    assert "text_pair_column" not in kept and DataConfig(**kept) == DataConfig(**cfg)
    # a desk name that could reach outside the data directory is not taken: a new desk instead
    for bad in ("../" + desk, "a/b", "x" * 65):
        assert app_on("app_pages/train.py", desk=bad).query_params["desk"] not in (bad, desk)
    # another browser on the same server (another desk) is not handed this one's choice
    other = app_on("app_pages/train.py")
    assert other.query_params["desk"] != desk and other.session_state["keep_data_config"]["name"] == "rotten_tomatoes"
    visit = app_on()  # a visit to the Data page that keeps the defaults leaves no desk folder behind
    assert not (bertlab_home / "desks" / visit.query_params["desk"]).exists()
    data = app_on(desk=desk)
    no_problems(data)
    assert data.selectbox(key="keep_builtin").value == "bbc_news" and data.radio(key="keep_preset").value == "Custom"
    assert data.number_input(key="keep_cap_train").value == 300
    # an upload whose file has gone since: the default data, not an error
    (bertlab_home / "desks" / desk / "last_data.json").write_text(
        json.dumps({**cfg, "source": "file", "name": str(tiny_csv) + "x"}))
    gone = app_on(desk=desk)
    no_problems(gone)
    assert gone.session_state["keep_data_config"]["name"] == "rotten_tomatoes"


def test_a_small_file_is_said_to_fit_under_every_size_instead_of_the_quick_demos_500_test_texts():
    """A 120-row file: Quick, Standard and All give the same splits; the caption spoke of 500 test texts."""
    rows = [f"review number {i} was {('good', 'bad', 'fine')[i % 3]},{('pos', 'neg', 'mid')[i % 3]}" for i in range(120)]
    at = app_on()
    quick = [c.value for c in at.caption if c.value.startswith("Quick demo:")]
    assert quick and not any(c.value.startswith("This dataset is small") for c in at.caption)  # the built-in
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("tiny.csv", ("text,label\n" + "\n".join(rows)).encode(), "text/csv")).run()
    no_problems(at)
    small = [c.value for c in at.caption if c.value.startswith("This dataset is small")]
    metrics = {m.label: m.value for m in at.metric}
    assert small == [f"This dataset is small: its {metrics['Train']} / {metrics['Validation']} / {metrics['Test']} "
                     "examples fit under every size, so each gives the same splits. On "
                     f"{metrics['Test']} test texts only large gaps between strategies can be told from chance."]
    assert not any(c.value.startswith("Quick demo:") for c in at.caption)
    # on fewer than 6 test texts McNemar's test can tell no gap from chance, however large: said so
    rows = [f"review number {i} was {('good', 'bad')[i % 2]},{('pos', 'neg')[i % 2]}" for i in range(12)]
    at.file_uploader[0].set_value(("twelve.csv", ("text,label\n" + "\n".join(rows)).encode(), "text/csv")).run()
    no_problems(at)
    n_test = int({m.label: m.value for m in at.metric}["Test"])
    assert n_test < 6 and any(c.value.endswith(f"On {n_test} test texts no gap between strategies can be told from "
                                               "chance (that takes 6 texts or more where two runs differ).")
                              for c in at.caption)


def test_data_page_warns_of_an_imbalanced_test_split_with_rare_classes():
    rows = [f"ticket number {i} about my account,other" for i in range(276)]
    rows += [f"please cancel subscription {i},cancel" for i in range(12)]
    rows += [f"I want my money back {i},refund" for i in range(12)]
    raw = ("text,label\n" + "\n".join(rows) + "\n").encode()
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("support.csv", raw, "text/csv")).run()
    no_problems(at)
    warning = " ".join(w.value for w in at.warning)
    assert re.search(r"The majority class is 9\d\.\d% of the test split", warning) and "judges by macro-F1" in warning
    assert re.search(r"The test split has only \d+ of 'cancel', \d+ of 'refund'|only \d+ of 'refund', \d+ of "
                     r"'cancel'", warning), warning
    # a balanced built-in: nothing to say
    at.radio(key="keep_source").set_value("Built-in").run()
    no_problems(at)
    assert at.session_state["keep_data_config"]["name"] == "rotten_tomatoes" and not at.warning


@pytest.mark.parametrize("name,raw,expected", [
    ("book.xlsx", b"PK\x03\x04" + bytes(200), "export the sheet as csv"),
    ("broken.csv", b'text,label\n"an unclosed quote,pos\nfine,neg\n', "quote"),
    ("one_class.csv", b"text,label\n" + b"".join(b"text %d,pos\n" % i for i in range(20)), "one class"),
    ("empty.jsonl", b"", "empty"),
    ("bad.jsonl", b'{"text": "a", "label": 1}\nnot json\n', "line 2"),
])
def test_data_page_shows_clear_error_for_bad_upload(name, raw, expected):
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value((name, raw, "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert expected in errors.lower(), errors
    assert "Traceback" not in errors
    assert not re.search(r"[0-9a-f]{12}-", errors), errors  # the file as uploaded, not its storage name
    # The Train page then says its runs would not use this file.
    problem = at.session_state["data_problem"]
    assert expected in problem.lower()
    at.switch_page("app_pages/train.py").run()
    no_problems(at)
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "not used" in warning and "would use **rotten_tomatoes**" in warning, warning


def test_the_upload_pickers_keep_a_small_summary_of_the_file_not_its_table():
    """The page's cache kept each uploaded table whole for its pickers (~300 MB for a 95 MB CSV, two files
    cached) beside the dataset cleaned from it: it keeps the columns, the row count, the first rows (a copy, not
    a view holding the table) and the split columns, found as detect_split_column finds them among the others."""
    import numpy as np
    import pandas as pd

    from app_pages.data import RawFile
    from bertlab.data import detect_split_column

    n = 200
    df = pd.DataFrame({"text": [f"text {i}" for i in range(n)], "label": ["a", "b"] * (n // 2),
                       "set": ["train", "test"] * (n // 2), 2020: ["x"] * n, "split": ["dev", "test"] * (n // 2),
                       "fold": list(range(n))})
    raw = RawFile.of(df)
    assert raw.columns == ["text", "label", "set", "2020", "split", "fold"] and raw.rows == n
    assert list(raw.head.columns) == raw.columns and len(raw.head) == 20
    assert not np.shares_memory(raw.head["text"].to_numpy(), df["text"].to_numpy())
    named = df.rename(columns=str)
    for text in raw.columns:
        for label in raw.columns:
            others = [c for c in raw.columns if c not in (text, label)]
            assert raw.split_column(others) == (detect_split_column(named[others]) if others else None)


def test_data_page_upload_with_column_pickers(tiny_csv):
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("reviews.csv", tiny_csv.read_bytes(), "text/csv")).run()
    no_problems(at)
    assert [s.value for s in at.selectbox if s.label.endswith("column")] == ["text", "label"]
    cfg = at.session_state["keep_data_config"]
    assert cfg["source"] == "file" and Path(cfg["name"]).is_file() and cfg["label_column"] == "label"
    assert {m.label: m.value for m in at.metric}["Classes"] == "2"
    assert at.session_state["data_problem"] is None  # the Train page has nothing to warn about


def test_an_uploads_loading_and_cleaning_shows_a_spinner_saying_how_many_rows(tiny_csv, monkeypatch):
    """A 300,000-row upload left the page blank under its Size choice for 8-25 s: the dataset was loaded inside the
    cached splits, where Streamlit shows no inner cached function's spinner."""
    import streamlit as st
    from streamlit.elements.spinner import SpinnerMixin

    import app_pages.common as common

    shown: list[str] = []  # the spinners showing now
    during: list[list[str]] = []  # those showing at each load of the upload
    spinner = SpinnerMixin.spinner

    @__import__("contextlib").contextmanager
    def watched(self, text="In progress...", **kwargs):
        shown.append(text)
        try:
            with spinner(self, text, **kwargs):
                yield
        finally:
            shown.pop()

    loader = common.load_data

    def load(cfg):
        if cfg.source == "file":
            during.append(list(shown))
        return loader(cfg)

    monkeypatch.setattr(SpinnerMixin, "spinner", watched)  # a cached function's spinner
    monkeypatch.setattr(st, "spinner", lambda text="In progress...", **kw: watched(st._main, text, **kw))
    monkeypatch.setattr(common, "load_data", load)
    raw = tiny_csv.read_bytes() + b"one more review that makes this file its own,pos\n"  # not cached by another test
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("big.csv", raw, "text/csv")).run()
    no_problems(at)
    assert during, "the upload was loaded"
    assert all(any("Cleaning 81 rows" in m for m in seen) for seen in during), during


def test_train_page_rejects_bad_model_and_hyperparameters(tiny_data):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value("/no/such/model/dir").run()
    assert any("model" in e.value for e in at.error)
    launch = next(b for b in at.button if b.label.startswith("Launch"))
    assert launch.disabled


def test_launch_zero_shot_and_head_only_then_compare_and_playground(tiny_model, tiny_data, bertlab_home):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(at)
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "head_only"]).run()
    at.number_input(key="keep_hp_head_only_epochs").set_value(3).run()
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    no_problems(at)
    assert "Queued 2 runs: zero_shot, head_only" in at.success[0].value

    runs = wait_done(bertlab_home)
    assert sorted((r.strategy, r.status) for r in runs) == [("head_only", SUCCEEDED), ("zero_shot", SUCCEEDED)]

    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    page_text = " ".join(m.value for m in at.markdown)
    assert page_text.count("test accuracy **") == 2  # one status line per finished run
    table = at.dataframe[0].value
    assert set(table["run"]) == {"zero_shot", "head_only"} and table["test accuracy"].between(0, 100).all()  # percent
    # both answer with the same frozen encoder: the same cost to serve, with its unit
    assert table["inference FLOPs/text"].str.endswith("FLOP").all() and table["inference FLOPs/text"].nunique() == 1
    assert any(m.value == section_html("Can its confidence be trusted? (calibration)") for m in at.markdown)
    assert any(c.value.startswith("Each point: the test texts a run answered with about that confidence")
               for c in at.caption)
    assert len(at.get("plotly_chart")) >= 2 + 3 + 2  # curves, acc/cost/scatter, one confusion matrix per run
    precision = {"bfloat16": "bf16", "float16": "fp16"}.get(runs[0].costs["precision"], "fp32")  # what this machine ran
    assert any(c.value.startswith("Device: ") and f" · {precision}" in c.value for c in at.caption)

    at.switch_page("app_pages/playground.py").run()
    no_problems(at)
    at.text_area(key="pg_box_text").set_value("a wonderful superb film").run()
    no_problems(at)
    preds = {m.label: m.value for m in at.metric}
    assert len(at.metric) == 2 and set(preds) == {"prediction"}
    assert all(m.value in ("neg", "pos") for m in at.metric)
    latencies = [c.value for c in at.caption if c.value.startswith("latency")]
    assert len(latencies) == 2


def test_the_playgrounds_answer_fits_its_card_with_its_ellipsis_at_three_and_four_cards_a_row():
    """Three runs a row (259-px cards at 1366 px) showed 'technol…y_ne…': the middle cut's 14 characters, then the
    card's own ellipsis at the end, since the '…' alone takes 34 px of the 36-px type (Chromium). Each cut now
    leaves room for it: 12 characters of ~17.3 px and the ellipsis fit the card."""
    from app_pages.inference_box import prediction_text

    names = ["technology_and_gadgets_reviews_and_industry_news", "business_and_economy_stories_from_the_uk"]
    three = prediction_text(names[0], names, 3, projector=False)
    assert three == "techno…y_news" and 12 * 17.3 + 34 <= 259, three
    assert prediction_text(names[0], names, 4, projector=False) == "tech…news"
    assert prediction_text(names[0], names, 2, projector=False) == "technology…ustry_news"
    assert prediction_text("neg", ["neg", "pos"], 3, projector=False) == "neg"  # short names whole


def test_the_playgrounds_answer_holds_its_cut_at_1024_px_in_projector_mode():
    """The type's rule counted the page's margins, the cards' gaps and padding at the desk's size: in projector mode
    (a 20-px page) they are a quarter larger. Chromium at 1024 px, projector on, two cards of a run whose classes are
    'business_and_economy_stories_from_the_uk_and_abroad' and 'technology_and_gadgets_reviews_and_industry_news':
    each card's text 212 px (1024 less 600, halved), the rule's type 26.6 px (it counted 540), the cut
    'technolo…try_news' 225 px wide, cut again by the card ('technolo…try_n…'). Its type now fits the card."""
    import re

    from app_pages.common import PROJECTOR_PX
    from app_pages.inference_box import ANSWER_CHAR_PX, ANSWER_PX, ELLIPSIS_PX, answer_css, prediction_text

    names = ["business_and_economy_stories_from_the_uk_and_abroad", "technology_and_gadgets_reviews_and_industry_news"]
    css = answer_css(2, projector=True)
    fixed, per_px = map(float, re.search(r"calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)", css).groups())
    assert fixed == 600  # measured: 1024 - 2 x 212
    font = min(ANSWER_PX * PROJECTOR_PX / 16, (1024 - fixed) * per_px)
    cut = prediction_text(names[1], names, 2, projector=True)
    drawn = ((len(cut) - 1) * ANSWER_CHAR_PX + ELLIPSIS_PX * ("…" in cut)) * font / ANSWER_PX
    assert drawn <= 212, (cut, font, drawn)  # the old rule: 26.6-px type, 239 px by this count (225 measured)
    assert answer_css(2, projector=False).count("calc((100vw - 540px)")  # the desk's sizes as they were


def test_the_playgrounds_answer_holds_its_cut_at_1024_px_and_cuts_less_at_1920():
    """The cut assumed a 1366-px screen. Chromium, two class names 'technology_and_gadgets_news' / '_reviews': at 1024 px
    (a projector; the cards' text 242, 145 and 97 px wide at two, three and four cards a row) the card's own ellipsis
    cut it again ('tec…' of 'tech…iews'); at 1920 px (690, 444, 321 px) it cut names that fitted
    ('technology…ts_reviews' in 690 px). Below 1366 px the answer's type shrinks with the card, so the 1366-px cut
    fits the text's room there; from 1600 px a longer cut, made for 1600 px, is shown instead."""
    import re

    from app_pages.inference_box import ANSWER_CHAR_PX, ANSWER_PX, ELLIPSIS_PX, WIDE_PX, answer_css, prediction_text

    names = ["technology_and_gadgets_news", "technology_and_gadgets_reviews"]
    measured = {1024: {2: 242, 3: 145, 4: 97}, 1920: {2: 690, 3: 444, 4: 321}}  # each card's text, px (Chromium)

    def drawn_px(cut: str, font: float) -> float:  # the cut at ``font`` px: its characters and its ellipsis
        return ((len(cut) - 1) * ANSWER_CHAR_PX + ELLIPSIS_PX * ("…" in cut)) * font / ANSWER_PX

    for cards in (2, 3, 4):
        css = answer_css(cards, projector=False)
        fixed, per_px = map(float, re.search(r"calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)", css).groups())
        font = min(ANSWER_PX, (1024 - fixed) * per_px)
        narrow, wide = (prediction_text(names[1], names, cards, projector=False, cards_px=w) for w in (900, WIDE_PX))
        assert drawn_px(narrow, font) <= measured[1024][cards], (cards, narrow, font)  # the old code: 36 px type
        assert min(ANSWER_PX, (1920 - fixed) * per_px) == ANSWER_PX  # full size on a wide screen
        assert len(wide) > len(narrow) and drawn_px(wide, ANSWER_PX) <= measured[1920][cards], (cards, wide)
        # the wide cut hidden under 1600 px, the 1366-px one from 1600 px
        assert "@media (min-width:1600px){[class*='st-key-pg_answer_900_']{display:none}}" in css
        assert f"[class*='st-key-pg_answer_{WIDE_PX}_']{{display:none}}" in css
    assert prediction_text(names[1], names, 2, projector=False, cards_px=WIDE_PX) == "technology_and…dgets_reviews"


def test_the_playgrounds_answer_keeps_its_type_on_a_phone():
    """The answer's type shrinks with the room beside the sidebar: on a phone (no sidebar beside the cards, each the
    page's width) that room is below zero, and the answer was drawn at 0 px (Chromium, 390 px, one card: 'refund'
    gone from its card, '80% confident' under nothing). The shrinking rule holds from Streamlit's md breakpoint."""
    import re

    from app_pages.inference_box import ANSWER_PX, answer_css

    def font_at(css: str, width: int) -> float:  # the answer's type at ``width`` px, as a browser computes it
        m = re.search(r"(?:@media \(min-width:(\d+)px\)\{)?\[class\*='st-key-pg_answer_'\] \[data-testid='stMetricValue'\]"
                      r"\{font-size:min\(([\d.]+)px,calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)\)\}", css)
        start, most, fixed, per_px = m.groups()
        if start and width < int(start):
            return ANSWER_PX  # Streamlit's own size: the rule does not apply
        return max(0.0, min(float(most), (width - float(fixed)) * float(per_px)))  # a negative size is 0

    for projector in (False, True):
        for cards in (1, 2, 3, 4):
            css = answer_css(cards, projector=projector)
            for width in (360, 390, 412, 640, 767):  # phones, and a tablet held upright
                assert font_at(css, width) == ANSWER_PX, (projector, cards, width)  # the old code: 0 px
            assert font_at(css, 1024) < ANSWER_PX  # still made smaller beside the sidebar at 1024 px


def test_the_playgrounds_answer_and_the_projectors_matrices_take_the_room_of_a_folded_sidebar():
    """The answer's type and the matrices' one-a-row rule counted the sidebar's 300 px with it folded too (its
    button). Chromium, 1024 px, bbc_news's three cards: folded, each card's text 245 px (145 open), its answer at the
    open sidebar's 20.3 px; in projector mode its five-topic matrices one a row, 824 px each, where two (392 px
    each, measured after) fit as they do from 1,263 px with it open. Streamlit marks the folded sidebar
    data-collapsed='true', which the CSS keys on."""
    import re
    from pathlib import Path

    import streamlit

    from app_pages.common import SIDEBAR_FOLDED, one_a_row_css
    from app_pages.inference_box import ANSWER_CHAR_PX, ANSWER_PX, ELLIPSIS_PX, answer_css, prediction_text

    bundle = "".join(p.read_text(errors="replace") for p in
                     (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("index.*.js"))
    assert '"data-testid":`stSidebar`' in bundle and '"data-collapsed":' in bundle  # what SIDEBAR_FOLDED keys on
    names = ["technology_and_gadgets_news", "technology_and_gadgets_reviews"]
    css = answer_css(3, projector=False)
    rules = re.findall(r"(body:has\(\[data-testid='stSidebar'\]\[data-collapsed='true'\]\) )?\[class\*='st-key-pg_answer_'\] "
                       r"\[data-testid='stMetricValue'\]\{font-size:min\(([\d.]+)px,calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)\)\}",
                       css)
    assert [bool(r[0]) for r in rules][:2] == [False, True], css  # the old code: no rule for a folded sidebar
    (_, _, fixed, per_px), (_, most, folded, folded_per_px) = rules[:2]
    assert float(folded) == float(fixed) - 300 and folded_per_px == per_px
    font = min(float(most), (1024 - float(folded)) * float(per_px))
    assert font > 34  # 20.3 px before, in a card 100 px wider
    cut = prediction_text(names[1], names, 3, projector=False)
    assert ((len(cut) - 1) * ANSWER_CHAR_PX + ELLIPSIS_PX * ("…" in cut)) * font / ANSWER_PX <= 245  # measured room
    folded_css = one_a_row_css(1263)
    assert f"@media (max-width:1262.98px){{body:not(:has({SIDEBAR_FOLDED})) .st-key-cm_grid" in folded_css
    assert "@media (max-width:962.98px){.st-key-cm_grid [data-testid='stHorizontalBlock']{flex-wrap:wrap}" in folded_css


def test_the_playgrounds_answer_counts_streamlits_narrower_margins_under_864_px():
    """Streamlit's page keeps 5rem each side from 864 px of screen, 1rem under it, and the answer's type counted the
    wide margins everywhere. Chromium, 800 px, the sidebar open: one card's text 436 px with the answer at 12.8 px,
    three cards' 113 px each at 9.9 px, where the 1366-px cut (36 px in 868 and 257 px) fits 18.1 and 15.8 px; at
    860 px 133 px, at 870 px (the wide margins) 94 px. Under 864 px the rule counts the margins as they are."""
    import re

    from app_pages.inference_box import ANSWER_CHAR_PX, ANSWER_PX, ELLIPSIS_PX, answer_css, prediction_text

    value = r"\[class\*='st-key-pg_answer_'\] \[data-testid='stMetricValue'\]"

    def font_at(css: str, width: int) -> float:  # the sidebar open: the last rule whose media query holds
        font = ANSWER_PX
        for block in re.findall(r"@media ([^{]+)\{((?:[^{}]*\{[^{}]*\})*)\}", css):
            lo, hi = re.search(r"min-width:([\d.]+)px", block[0]), re.search(r"max-width:([\d.]+)px", block[0])
            if (lo and width < float(lo.group(1))) or (hi and width > float(hi.group(1))):
                continue
            if m := re.match(value + r"\{font-size:min\(([\d.]+)px,calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)\)\}",
                             block[1]):
                most, fixed, per_px = map(float, m.groups())
                font = min(most, (width - fixed) * per_px)
        return font

    names = ["technology_and_gadgets_news", "technology_and_gadgets_reviews"]
    for cards, width, room in ((1, 800, 436), (3, 800, 113), (3, 860, 133), (3, 870, 94), (3, 1024, 145)):
        font = font_at(answer_css(cards, projector=False), width)
        cut = prediction_text(names[1], names, cards, projector=False)
        drawn = ((len(cut) - 1) * ANSWER_CHAR_PX + ELLIPSIS_PX * ("…" in cut)) * font / ANSWER_PX
        assert drawn <= room, (cards, width, font, drawn)  # the cut fits the card's measured text
        assert font >= ANSWER_PX * room / ((900 - 16 * (cards - 1)) / cards - 32) - 0.2, (cards, width, font)
    assert font_at(answer_css(1, projector=False), 800) > 18  # the old rule: 12.8 px


def test_the_playgrounds_answer_is_never_made_smaller_than_the_pages_own_type_where_it_has_room():
    """The rule only ever makes the answer smaller than Streamlit's metric value (2.25rem): its cap is that size at
    the page's type, 45 px in projector mode (a 20-px page), 36 px at the desk (mutation round 8: capped at the
    desk's 36 px, a projector's answer was smaller than its page's on every wide screen)."""
    import re

    from app_pages import common
    from app_pages.inference_box import ANSWER_PX, answer_css

    for projector, page_px in ((False, 16), (True, common.PROJECTOR_PX)):
        for cards in (1, 2, 3, 4):
            caps = re.findall(r"font-size:min\(([\d.]+)px,", answer_css(cards, projector=projector))
            assert caps, (projector, cards)  # one per rule: the sidebar open or folded, the page's margins
            for most in caps:
                assert float(most) == ANSWER_PX * page_px / 16, (projector, cards, most)


def test_the_playgrounds_answer_shows_exactly_one_of_its_two_cuts_at_every_width_around_1600_px():
    """Each card holds a cut for 1366 px and one for 1600 px and over, each hidden on the other's screens: at every
    width one shows (mutation round 8: both hidden at exactly 1600 px, a common screen, where the hiding rules'
    edges met; a zoomed page has fractional widths, hence the 0.02 px below)."""
    import re

    from app_pages.inference_box import CARDS_PX, WIDE_PX, answer_css

    css = answer_css(2, projector=False)
    rules = re.findall(r"@media \((min|max)-width:([\d.]+)px\)\{\[class\*='st-key-pg_answer_(\d+)_'\]"
                       r"\{display:none\}\}", css)
    assert len(rules) == 2

    def shown(width: float) -> list[int]:
        hidden = {int(key) for edge, px, key in rules
                  if (width >= float(px) if edge == "min" else width <= float(px))}
        return [w for w in (CARDS_PX, WIDE_PX) if w not in hidden]

    for width in (1024, 1366, 1599, 1599.5, 1599.98):
        assert shown(width) == [CARDS_PX], width
    for width in (1600, 1600.5, 1920):
        assert shown(width) == [WIDE_PX], width


def test_the_playgrounds_answer_in_projector_mode_at_1024_px_is_as_large_as_its_cut_allows():
    """Projector mode at 1024 px, two cards: each card's text is 212 px (Chromium), so the cut made for a 410-px
    card at 45-px type is drawn at 45 x 212 / 410 = 23.3 px, no smaller (mutation round 8: the type's rate left at
    the desk's size drew it at 18.6 px, a fifth smaller than the room allows)."""
    import re

    from app_pages.inference_box import CARD_GAP_PX, CARD_PAD_PX, CARDS_PX, answer_css

    fixed, per_px = re.search(r"calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)", answer_css(2, projector=True)).groups()
    room = (CARDS_PX - CARD_GAP_PX) / 2 - CARD_PAD_PX  # the 1366-px card the cut is made for
    assert abs((1024 - float(fixed)) * float(per_px) - 45 * 212 / room) < 0.1


def test_in_projector_mode_under_864_px_the_answers_type_counts_the_margins_at_the_pages_scale():
    """Under 864 px Streamlit's margins are 128 px narrower at 16-px rem, and the page's own type (projector mode)
    scales them with it: Chromium, two cards, projector mode, the sidebar open: each card's text 180 px at 800 px,
    210 at 860, 212 at 1024, where the answer's type stood at 19.76, 23.05 and 23.27 px, one ratio (0.110 px of type
    a px of text). Counting 128 px at every scale gave 18.0 px at 800 (0.100)."""
    import re

    from app_pages.inference_box import answer_css

    value = r"\[class\*='st-key-pg_answer_'\] \[data-testid='stMetricValue'\]"
    css = answer_css(2, projector=True)

    def font_at(width: int) -> float:  # the sidebar open: the last rule whose media query holds
        font = None
        for query, rules in re.findall(r"@media ([^{]+)\{((?:[^{}]*\{[^{}]*\})*)\}", css):
            lo, hi = re.search(r"min-width:([\d.]+)px", query), re.search(r"max-width:([\d.]+)px", query)
            if (lo and width < float(lo.group(1))) or (hi and width > float(hi.group(1))):
                continue
            if m := re.match(value + r"\{font-size:min\(([\d.]+)px,calc\(\(100vw - ([\d.]+)px\) \* ([\d.]+)\)\)\}",
                             rules):
                most, fixed, per_px = map(float, m.groups())
                font = min(most, (width - fixed) * per_px)
        return font

    ratio = font_at(1024) / 212
    for width, room in ((800, 180), (860, 210)):
        assert font_at(width) / room == pytest.approx(ratio, rel=0.01), (width, font_at(width))


def test_the_playgrounds_answer_keeps_its_type_at_768_px_where_the_sidebar_is_folded():
    """Review: the rule shrinking the answer's type with the room beside the sidebar held from 768 px, where
    Streamlit still folds its sidebar (Chromium, one tfidf_logreg card: at 768 px the sidebar off the page, the card
    704 px wide, the answer at 11.4 px; at 769 px the sidebar beside it, the card 405 px). It holds from 769 px."""
    from app_pages.inference_box import SIDEBAR_BESIDE_FROM_PX, answer_css

    assert SIDEBAR_BESIDE_FROM_PX == 769
    for projector in (False, True):
        for cards in (1, 2, 3, 4):
            css = answer_css(cards, projector=projector)
            assert "@media (min-width:769px){[class*='st-key-pg_answer_'] [data-testid='stMetricValue']" in css
            assert "min-width:768px" not in css


def test_the_playgrounds_answer_is_cut_shorter_for_projector_type_and_fits_its_card_either_way():
    """Mutation round 7: in projector mode the answer's type is larger (PROJECTOR_PX against 16 px), so fewer of
    its characters fit a card: the cut leaves room for them and for the card's ellipsis (2 to 4 cards a row; 2 at
    most in projector mode)."""
    from app_pages import common
    from app_pages import inference_box as box

    names = ["technology_and_gadgets_reviews_and_industry_news", "business_and_economy_stories_from_the_uk"]
    cut = {}
    for projector, scale, rows in ((False, 1.0, (2, 3, 4)), (True, common.PROJECTOR_PX / 16, (1, 2))):
        for cards in rows:
            room = (box.CARDS_PX - box.CARD_GAP_PX * (cards - 1)) / cards - box.CARD_PAD_PX
            cut[projector, cards] = text = box.prediction_text(names[0], names, cards, projector=projector)
            # the cut's characters (its own '…' among them) and the card's ellipsis, in the card
            assert (len(text) - 1) * box.ANSWER_CHAR_PX * scale + box.ELLIPSIS_PX * scale <= room, (
                cards, projector, text)
    assert len(cut[True, 2]) < len(cut[False, 2]), cut


def test_runs_that_disagree_on_a_text_are_told_they_must_each_pick_a_class():
    """A review's four support-ticket runs read "The weather in Paris is lovely today": 'feature_request' 47%,
    'shipping' 31%, 'billing' 42%, 'shipping' 32%, four answers on four cards and nothing said of a text none of
    them was trained for. Runs that disagree now get a line saying each must pick one of its classes."""
    import numpy as np

    from app_pages.inference_box import disagreement_note
    from bertlab.predict import Prediction

    names = ["billing", "bug", "cancellation", "feature_request", "login", "shipping"]

    def pred(run_id, top, p=0.4, classes=names):
        probs = np.full((1, len(classes)), (1 - p) / (len(classes) - 1))
        probs[0, classes.index(top)] = p
        return Prediction(run_id=run_id, strategy="full_ft", label_names=classes, probs=probs, latency_ms=5.0)

    weather = [pred("a", "feature_request", 0.47), pred("b", "shipping", 0.31), pred("c", "billing", 0.42),
               pred("d", "shipping", 0.32)]
    note = disagreement_note(weather)
    assert note.startswith("The 4 runs give 3 different answers. Each model must answer one of the 6 classes it "
                           'learnt, with no "none of these"')
    assert disagreement_note([pred("a", "billing", 0.9), pred("b", "billing", 0.5)]) is None  # they agree
    assert disagreement_note(weather[:1]) is None  # one run: nothing to disagree with
    # runs of two datasets (other classes): their answers cannot agree, so they are not said to disagree
    assert disagreement_note([pred("a", "billing"), pred("b", "pos", classes=["neg", "pos"])]) is None


def test_the_playground_and_compares_box_say_that_runs_which_disagree_must_each_pick_a_class(tmp_path,
                                                                                           bertlab_home):
    """disagreement_note is said under the Playground's cards and in Compare's box caption, not only built: two
    runs of the same two classes (one trained on a file with its labels swapped) answer 'a wonderful superb film'
    'pos' and 'neg'."""
    import pandas as pd
    from conftest import make_texts

    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    texts, labels = make_texts()
    store = RunStore(bertlab_home)
    for name, swap in (("kept.csv", {}), ("swapped.csv", {"pos": "neg", "neg": "pos"})):
        pd.DataFrame({"text": texts, "label": [swap.get(y, y) for y in labels]}).to_csv(tmp_path / name, index=False)
        data = DataConfig(source="file", name=str(tmp_path / name), train_size=None, val_size=None, test_size=None)
        rid = store.create_run(make_config("tfidf_logreg", data=data), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    said = "The 2 runs give 2 different answers. Each model must answer one of the 2 classes it learnt"
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful superb film").run()
    no_problems(at)
    assert {m.value for m in at.metric if m.label == "prediction"} == {"neg", "pos"}
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    at = app_on("app_pages/compare.py")
    at.text_input(key="cmp_box_text").set_value("a wonderful superb film").run()
    no_problems(at)
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]


def test_the_playgrounds_answer_is_told_apart_from_a_class_that_differs_only_in_its_middle():
    """Mutation round 7: the answer is cut as the run's classes are cut together (plots.middle_cuts), longer where
    two would read alike: 'question_about_billing_for_my_account' and '…shipping…' each cut alone read
    'questi…ccount' on a card of three a row; cut together, what tells them apart in the middle shows."""
    from app_pages.inference_box import prediction_text
    from bertlab import plots

    names = ["question_about_billing_for_my_account", "question_about_shipping_for_my_account", "other"]
    alone = [plots.middle_cut(n, 13) for n in names[:2]]
    assert alone[0] == alone[1]  # cut one at a time, the two read alike
    cards = [prediction_text(n, names, 3, projector=False) for n in names]
    assert len(set(cards)) == 3 and cards[2] == "other", cards


def test_the_playgrounds_answer_cuts_a_long_class_name_in_its_middle_so_two_alike_stay_apart(
        tmp_path, bertlab_home):
    """A card's answer was cut at its end by the card ("technology_and_gadget…" at 1366 px): two classes that
    differ only at the end ('…_about_the_invoice_positive', '…_negative') read alike. It is cut in the middle
    now, as the confusion matrices and per-class tables cut them, to what fits one card of two a row, and the bars
    under it give it whole."""
    import pandas as pd
    from conftest import make_texts

    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    texts, labels = make_texts()
    long = {"pos": "customer_support_request_about_the_invoice_positive",
            "neg": "customer_support_request_about_the_invoice_negative"}
    pd.DataFrame({"text": texts, "label": [long[y] for y in labels]}).to_csv(tmp_path / "long.csv", index=False)
    data = DataConfig(source="file", name=str(tmp_path / "long.csv"), train_size=None, val_size=None, test_size=None)
    store = RunStore(bertlab_home)
    for c in (1.0, 4.0):
        rid = store.create_run(make_config("tfidf_logreg", data=data, options={"C": c}), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful superb film").run()
    at.text_area(key="pg_box_text").set_value("an awful dull boring film").run()
    no_problems(at)
    answers = [m.value for m in at.metric if m.label == "prediction"]
    # 21 characters: what two a row fit at 1366 px; each card's second, shown from 1600 px, fits 29 there
    assert answers == [md("customer_s…e_negative"), md("customer_suppo…oice_negative")] * 2, answers
    assert all(f"{md(long['neg'])}: " in t for t in [b.proto.text for b in at.get("progress")][::2][:2])


def test_compare_cancel_button_stops_a_running_run(tiny_model, tiny_data, bertlab_home):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    at.number_input(key="keep_hp_full_ft_epochs").set_value(100).run()  # far longer than the test waits
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    store = RunStore(bertlab_home)
    run_id = store.list_runs()[0].id
    end = time.monotonic() + 120
    while not store.points([run_id], ("train_loss",)) and time.monotonic() < end:
        time.sleep(0.2)  # wait until it really trains
    at.switch_page("app_pages/compare.py").run()
    cancel = next(b for b in at.button if b.label == "Cancel")
    cancel.click().run()
    assert not at.exception
    runs = wait_done(bertlab_home, timeout=60)
    assert runs[0].status == "cancelled" and store.points([run_id], ("train_loss",))  # partial curve kept
    at.run()
    assert any("cancelled" in c.value for c in at.caption)


def test_cancel_asks_first_for_runs_launched_at_another_desk(tiny_data, bertlab_home, monkeypatch):
    """A classroom: every student's Compare page showed the teacher's runs with a Cancel button one click from
    stopping them for everyone. A run launched at another desk (or by the CLI) asks first; one's own does not."""
    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    store = RunStore(bertlab_home)
    ids = [store.create_run(make_config(n, data=tiny_data), batch_id="b-teacher") for n in ("head_only", "full_ft")]
    student = app_on("app_pages/compare.py")
    no_problems(student)
    assert not [b for b in student.button if b.label == "Cancel" or b.label.startswith("Cancel the")]
    assert any(m.value.startswith("Launched from another browser or from the command line") and "stops it for "
               "everyone" in m.value for m in student.markdown)  # said in the popover, before stopping
    stop = [b for b in student.button if b.label == "Stop for everyone"]
    assert len(stop) == 3  # each run's, and all the unfinished ones'
    next(b for b in stop if b.key == f"cancel_{ids[0]}").click().run()
    assert store.get(ids[0]).status == "cancelled" and store.get(ids[1]).status == "queued"
    # its status line, on every desk's page, says it was not its launcher (it read "cancelled by the user")
    assert store.get(ids[0]).error == f"cancelled by {FOREIGN_CANCELLER} before it started"
    # the teacher's desk launched them: a plain Cancel button, no question
    (bertlab_home / "desks" / "teacher").mkdir(parents=True)
    (bertlab_home / "desks" / "teacher" / "batches.json").write_text('["b-teacher"]')
    teacher = app_on("app_pages/compare.py", desk="teacher")
    no_problems(teacher)
    assert [b.key for b in teacher.button if b.label == "Cancel"] == [f"cancel_{ids[1]}"]
    assert not [b for b in teacher.button if b.label == "Stop for everyone"]
    next(b for b in teacher.button if b.key == f"cancel_{ids[1]}").click().run()
    assert store.get(ids[1]).error == "cancelled by the user before it started"  # its own desk: as before
    # a student's "Cancel the N unfinished runs" (its popover's Stop for everyone) on the teacher's batch says so too
    late = [store.create_run(make_config(n, data=tiny_data), batch_id="b-teacher") for n in ("tfidf_logreg", "lora")]
    student = app_on("app_pages/compare.py")
    next(b for b in student.button if b.key == "cmp_cancel_all").click().run()
    no_problems(student)
    assert {store.get(rid).error for rid in late} == {f"cancelled by {FOREIGN_CANCELLER} before it started"}


def test_restart_shows_stored_runs_and_marks_unfinished_ones_interrupted(bertlab_home, tiny_data):
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)  # a previous server process left one run "running"
    run_id = store.create_run(make_config("head_only", data=tiny_data), batch_id="b-old")
    assert store.claim(run_id, "cpu")
    at = app_on("app_pages/compare.py")
    assert not at.exception
    assert store.get(run_id).status == "interrupted"
    assert any("interrupted" in e.value and "server stopped" in e.value for e in at.error)


def test_train_page_offers_every_registered_strategy_with_valid_default_inputs(tiny_data):
    from bertlab.strategies import REGISTRY

    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(list(REGISTRY)).run()
    no_problems(at)  # a default outside a widget's bounds would raise here
    # one panel per strategy, beside the note on how the table's estimates (time, memory) are made
    panels = [e.label for e in at.expander if e.label != "How these estimates are made"]
    assert len(panels) == len(REGISTRY) and len(at.expander) == len(REGISTRY) + 1
    assert all(any(p.startswith(f"**{n}**: ") for p in panels) for n in REGISTRY)
    assert next(b for b in at.button if b.label.startswith("Launch")).label == f"Launch {len(REGISTRY)} runs"


def test_train_pages_caption_names_what_the_embedding_cache_is_keyed_on(tiny_model, tiny_data, tmp_path):
    """The caption said "cached per model and max length", the README "per model, max length and precision": the
    cache is keyed on all three, so a bf16 run does not reuse fp32 embeddings; both now say so."""
    import torch

    from bertlab.embeddings import cache_dir

    folders = {cache_dir(tiny_model, 64, None, tmp_path), cache_dir(tiny_model, 64, torch.bfloat16, tmp_path),
               cache_dir(tiny_model, 32, None, tmp_path)}
    assert len(folders) == 3  # another precision or max length is another cache
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(at)
    (said,) = [c.value for c in at.caption if "share their texts' embeddings" in c.value]
    keyed = "cached per model, max length and precision:"
    assert keyed in said
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert f"zero_shot and head_only share their texts' embeddings, {keyed}" in readme


def test_strategy_options_from_option_specs_reach_the_run_config(tiny_model, tiny_data, bertlab_home):
    from bertlab.strategies import REGISTRY

    with_opts = [n for n, s in REGISTRY.items()
                 if any(v.get("kind") == "int" for v in (getattr(s, "option_specs", None) or {}).values())]
    if not with_opts:
        pytest.skip("no registered strategy declares an int option")
    name = with_opts[0]
    opt, spec = next((k, v) for k, v in REGISTRY[name].option_specs.items() if v.get("kind") == "int")
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value([name]).run()
    at.number_input(key=f"keep_opt_{name}_{opt}").set_value(spec["min"] + 1).run()
    # Launching queues the run; the store holds its config whether or not the worker has started it.
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(at)
    run = RunStore(bertlab_home).list_runs()[0]
    assert run.strategy == name and run.config["options"][opt] == spec["min"] + 1
    RunStore(bertlab_home).request_cancel(run.id)
    wait_done(bertlab_home, timeout=120)


def _launched_configs(at: AppTest, home: Path) -> dict[str, dict]:
    """Click Launch, then each run's stored config by strategy (the runs cancelled: only their configs matter)."""
    next(b for b in at.button if b.label.startswith("Launch ")).click().run()
    no_problems(at)
    store = RunStore(home)
    runs = store.list_runs(batch_id=at.session_state["last_launch"]["batch"], limit=None)
    for r in runs:
        store.request_cancel(r.id)
    wait_done(home, timeout=120)
    return {r.strategy: r.config for r in runs}


def test_the_train_pages_defaults_store_the_config_the_cli_and_the_api_store(tiny_model, tiny_data, bertlab_home):
    """A reproducibility check: launched at every default, lora stored options {'r': 8, 'dropout': 0.1}, scratch
    its three masked-LM options and tfidf_logreg ngram_max 2 and max_features 200,000, which `run` and
    bertlab.compare leave out ({'r': 8}, {}, {}): the same run had two configs (another sweep config_key)."""
    from bertlab.api import _configs

    names = ["lora", "scratch", "tfidf_logreg"]
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model,
                                       "keep_strategies": names})
    got = _launched_configs(at, bertlab_home)
    common = dict.fromkeys(("seed", "precision", "class_weights", "keep_best", "patience", "label_descriptions"))
    data = DataConfig(**got["lora"]["data"])  # the file's columns as the Data page read them
    api = {c.strategy: json.loads(json.dumps(c.to_dict())) for c in _configs(names, data, tiny_model, common, {}, 1)}
    assert got == api
    assert got["lora"]["options"] == {"r": 8} and got["tfidf_logreg"]["options"] == {}


def test_zero_shots_own_sentences_from_the_train_page_store_the_config_the_cli_stores(tiny_model, tiny_data,
                                                                                     bertlab_home):
    """A reproducibility check: zero_shot's fields start at the data's own sentences (here the label names) and the
    Train page stored them, where `run` and bertlab.compare store None (the same sentences): two configs for one
    run. Written sentences are still stored."""
    from bertlab.api import _configs

    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model,
                                       "keep_strategies": ["zero_shot"]})
    got = _launched_configs(at, bertlab_home)["zero_shot"]
    common = dict.fromkeys(("seed", "precision", "class_weights", "keep_best", "patience", "label_descriptions"))
    api = _configs(["zero_shot"], DataConfig(**got["data"]), tiny_model, common, {}, 1)[0]
    assert got == json.loads(json.dumps(api.to_dict())) and got["label_descriptions"] is None
    first = next(w for w in at.text_input if w.key and w.key.startswith("keep_desc_"))
    first.set_value("A happy text.").run()
    assert _launched_configs(at, bertlab_home)["zero_shot"]["label_descriptions"][0] == "A happy text."


def test_the_train_pages_summary_table_says_the_options_set_beside_their_defaults(tiny_model, tiny_data,
                                                                                     bertlab_home):
    """A review: lora at rank 4 and partial_ft at 2 layers, and the summary table still read "(option 'r', default
    8)" and "(option 'layers', default half)", as if the fields did nothing (the diagrams above did change)."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model,
                                       "keep_strategies": ["lora", "partial_ft"]})
    no_problems(at)

    def trains() -> dict:
        return at.table[0].value.set_index("strategy")["trains"].to_dict()

    assert "set here" not in " ".join(trains().values())  # every option at its default: nothing to add
    at.number_input(key="keep_opt_lora_r").set_value(4).run()
    at.number_input(key="keep_opt_partial_ft_layers").set_value(2).run()
    no_problems(at)
    assert trains()["lora"].endswith("; set here: r 4") and trains()["partial_ft"].endswith("; set here: layers 2")


def test_partial_fts_layers_stop_at_the_models_layer_count(tiny_model, tiny_data, bertlab_home, capsys):
    """A review: 'Top layers trained' took 0 to 48 on a 6-layer model, and `--option partial_ft.layers=10` queued a
    run that failed as it started; a value out of range is refused before anything is queued."""
    from bertlab.cli import main
    from bertlab.models import load_config

    depth = load_config(tiny_model).num_hidden_layers
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model,
                                       "keep_strategies": ["partial_ft"], "keep_opt_partial_ft_layers": depth + 4})
    no_problems(at)
    field = at.number_input(key="keep_opt_partial_ft_layers")
    assert field.max == depth and field.value == depth  # a value set for a deeper model comes down, and is said
    assert any(f"{depth + 4} is more than this model allows; set to {depth}" in c.value for c in at.caption)
    assert main(["run", "--model", tiny_model, "--dataset", str(tiny_data.name), "--strategies", "partial_ft",
                 "--option", f"partial_ft.layers={depth + 1}"]) == 2
    # in option_refusal's words, as bertlab.compare says it (it said "layers must be from 0 to 6 for ..., got 7")
    assert f"layers is {depth + 1}; it takes a whole number from 0 to {depth} for" in capsys.readouterr().err
    assert RunStore(bertlab_home).list_runs() == []
    # read once per model, not on every rerun of the page (a hub model's config is a request online)
    from bertlab import models
    from bertlab.strategies import REGISTRY

    models.layer_count.cache_clear()
    calls = []
    real = models.load_config
    models.load_config = lambda m: calls.append(m) or real(m)
    try:
        assert [REGISTRY["partial_ft"].option_max("layers", tiny_model) for _ in range(3)] == [depth] * 3
    finally:
        models.load_config = real
    assert calls == [tiny_model]


def test_compare_shows_dapt_mlm_curve_and_run_notes(tiny_model, tiny_data, bertlab_home):
    """dapt's continued-pretraining loss has its own chart; notes stored on a run are one click away."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    cfg = make_config("dapt", model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32)
    rid = store.create_run(cfg)
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    assert store.get(rid).notes, "dapt notes the MLM head it had to initialise"
    at = app_on("app_pages/compare.py")
    no_problems(at)
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("masked-LM loss" in t for t in titles)
    assert any(e.label.endswith("on this run") for e in at.expander)
    assert any("MLM" in m.value or "masked" in m.value for m in at.markdown)


def test_compare_says_how_to_read_the_loss_curves_where_it_draws_them(tiny_model, tiny_data, bertlab_home):
    """Under the training-loss and validation charts nothing said what they show: a product manager saw three charts
    of "loss" without knowing lower is better or what a rising validation loss means. A caption now says it, in the
    report's words (plots.CURVES_READING); runs without a loss (tfidf_logreg) draw no curve and get no caption."""
    from bertlab import plots
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b0")
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert plots.CURVES_READING not in [c.value for c in at.caption]
    cfg = make_config("head_only", model=tiny_model, data=tiny_data, epochs=2, batch_size=8, max_length=32)
    rid = store.create_run(cfg, batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert [c.value for c in at.caption].count(plots.CURVES_READING) == 1
    assert plots.CURVES_READING.startswith("Reading the curves: lower loss is better")


def test_compare_says_so_when_the_batch_on_screen_is_deleted_elsewhere(tiny_data, bertlab_home):
    """A classroom review: a student read another desk's launch on Compare; its owner deleted it, and at the next
    refresh the page showed a third student's launch without a word."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for seed, batch in ((0, "b0"), (1, "b1")):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id=batch)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/compare.py")
    at.selectbox(key="cmp_batch_box").set_value("b0").run()  # the older launch, chosen by hand
    no_problems(at)
    title = at.selectbox(key="cmp_batch_box").format_func("b0")
    assert not any("has been deleted" in i.value for i in at.info)
    store.delete_finished([r.id for r in store.list_runs(batch_id="b0")])  # its owner's Delete, at another desk
    at.run()
    no_problems(at)
    assert at.selectbox(key="cmp_batch_box").value == "b1"
    said = [i.value for i in at.info if "has been deleted" in i.value]
    assert said and md(title) in said[0] and "Pick another in the Batch list" in said[0] and DELETED_BY in said[0]
    at.run()  # the next refresh still says why the page changed
    assert any("has been deleted" in i.value for i in at.info)
    # a batch that is there: nothing said
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=2), batch_id="b2")
    assert execute_run(store, rid) == SUCCEEDED
    at.run()
    at.selectbox(key="cmp_batch_box").set_value("b2").run()
    assert not any("has been deleted" in i.value for i in at.info)


def test_playground_keeps_the_chosen_runs_when_a_new_run_finishes(tiny_data, bertlab_home):
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)

    def finished(batch: str, seed: int) -> str:
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id=batch)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        return rid

    first, second = finished("b1", 0), finished("b1", 1)
    at = app_on("app_pages/playground.py")
    no_problems(at)
    assert set(at.multiselect(key="keep_pg_runs").value) == {first, second}
    at.multiselect(key="keep_pg_runs").set_value([first]).run()
    third = finished("b2", 2)  # a new launch finishes while the page is open
    at.run()
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == [first, third]


def test_playground_says_which_chosen_model_was_deleted_elsewhere(tiny_data, bertlab_home):
    """A classroom review: a student's Playground held another desk's model; its owner deleted the run on Compare,
    and the model left the student's list at the next refresh with only "Choose at least one run." said."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = []
    for seed in (0, 1, 2):
        ids.append(store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b1"))
        assert execute_run(store, ids[-1]) == SUCCEEDED, store.get(ids[-1]).error
    at = app_on("app_pages/playground.py")
    at.multiselect(key="keep_pg_runs").set_value(ids[:2]).run()
    box = at.multiselect(key="keep_pg_runs")
    title = box.format_func(ids[0])
    assert not any("been deleted" in i.value for i in at.info)
    store.delete_finished([ids[0]])  # at another desk
    at.run()
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == [ids[1]]
    said = [i.value for i in at.info if "been deleted" in i.value]
    assert said and md(title) in said[0] and "those still in the list answer" in said[0] and DELETED_BY in said[0]
    assert said[0].startswith(f"The model chosen here ({md(title)}) has been deleted")  # one: not "1 models ... have"
    assert "with Compare's Delete" in said[0] and "or with the CLI's `delete`" in said[0]  # the ways a run goes
    at.run()  # said still at the next refresh
    assert any("been deleted" in i.value for i in at.info)
    other = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b2")
    assert execute_run(store, other) == SUCCEEDED
    at.run()
    at.multiselect(key="keep_pg_runs").set_value([ids[1], ids[2]]).run()  # a new choice: nothing more to say
    assert not any("been deleted" in i.value for i in at.info)
    store.delete_finished([ids[1], ids[2]])
    at.run()  # every chosen model gone: said, with what to do
    no_problems(at)
    said = [i.value for i in at.info if "been deleted" in i.value]
    assert said and "2 models chosen here" in said[0] and "choose others above" in said[0]
    assert not any(i.value == "Choose at least one run." for i in at.info)


def _same_name_upload(tiny_csv, tmp_path):
    """Another student's upload: a file of ``tiny_csv``'s name, in another folder, with other labels."""
    import pandas as pd

    other = tmp_path / "b" / tiny_csv.name
    other.parent.mkdir()
    df = pd.read_csv(tiny_csv)
    df["label"] = df["label"].map(lambda v: f"topic {v}")
    df.to_csv(other, index=False)
    return other


def test_playground_tells_two_uploads_of_one_name_apart(tiny_csv, tiny_data, bertlab_home, tmp_path):
    """A classroom review: students A and B each uploaded a class.csv (A's of sentiments, B's of topics); their
    runs, chosen together on the Playground, read as trained on one dataset and nothing said their labels differ."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    other = _same_name_upload(tiny_csv, tmp_path)
    store = RunStore(bertlab_home)
    ids = []
    for seed, data in ((0, tiny_data), (1, DataConfig(**{**asdict(tiny_data), "name": str(other)}))):
        ids.append(store.create_run(make_config("tfidf_logreg", data=data, seed=seed), batch_id=f"b{seed}"))
        assert execute_run(store, ids[-1]) == SUCCEEDED, store.get(ids[-1]).error
    at = app_on("app_pages/playground.py")
    at.multiselect(key="keep_pg_runs").set_value(ids).run()
    no_problems(at)
    said = [c.value for c in at.caption if "different datasets" in c.value]
    assert said == [f"These runs were trained on different datasets ({md('tiny.csv (2 different files of that name)')}"
                    "): their labels differ."]
    at.multiselect(key="keep_pg_runs").set_value(ids[:1]).run()  # one file: nothing to say
    assert not [c for c in at.caption if "different datasets" in c.value]


def test_two_configs_of_one_hub_dataset_are_two_datasets_to_the_pickers():
    """Compare's data filter and the Playground's "different datasets" line key a run's data by its file for an
    upload; a hub dataset's two configs (tweet_eval's emotion and sentiment: two tasks) stay two datasets."""
    from types import SimpleNamespace

    from app_pages import common

    runs = [SimpleNamespace(id=f"r{i}", created=1.7e9 + i, dataset=f"tweet_eval ({c})",
                            config={"data": {"source": "hub", "name": "tweet_eval", "hub_config": c}})
            for i, c in enumerate(("emotion", "sentiment"))]
    assert common.dataset_names(runs) == {"tweet_eval (emotion)": "tweet_eval (emotion)",
                                          "tweet_eval (sentiment)": "tweet_eval (sentiment)"}


def test_compare_dataset_filter_tells_two_uploads_of_one_name_apart(tiny_csv, tiny_data, bertlab_home, tmp_path):
    """A classroom review: students A and B each uploaded a class.csv; Compare's Pick runs Dataset filter offered one
    'class.csv', which let both students' runs through (the Playground tells the two apart)."""
    from bertlab.strategies import make_config

    other = _same_name_upload(tiny_csv, tmp_path)
    store = RunStore(bertlab_home)
    ids = []
    for seed, data in ((0, tiny_data), (1, DataConfig(**{**asdict(tiny_data), "name": str(other)}))):
        ids.append(store.create_run(make_config("tfidf_logreg", data=data, seed=seed), batch_id=f"b{seed}"))
        store.claim(ids[-1], "cpu")
        store.finish(ids[-1], SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        time.sleep(0.01)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value([]).run()
    no_problems(at)
    pills = at.pills(key="keep_cmp_f_data")
    first = f"{tiny_csv.name} (1 of 2 different files of that name)"  # the one trained on first: A's
    assert sorted(pills.options) == [first, f"{tiny_csv.name} (2 of 2 different files of that name)"]
    a = store.get(ids[0]).config["data"]["name"]  # A's file
    assert pills.format_func(a) == first
    pills.set_value([a]).run()
    no_problems(at)
    offered = at.multiselect(key="keep_cmp_runs").options
    assert len(offered) == 1 and f"· {ids[0][-4:]} (" in offered[0]  # A's run alone
    # one file of a name: its name alone
    store.delete_finished([ids[1]])
    at.run()
    assert at.pills(key="keep_cmp_f_data").options == [tiny_csv.name]


def test_playground_lists_the_runs_in_launch_order_as_compare_does(tiny_data, bertlab_home):
    """A persona: the chosen runs read tfidf_logreg, head_only, zero_shot (the store's newest first) above
    answers and a Compare page that read zero_shot, head_only, tfidf_logreg."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = [store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=s), batch_id="b1") for s in range(3)]
    for rid in ids:
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/playground.py")
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == ids
    # runs chosen in another order are shown in launch order too, as the answers below them are
    at.multiselect(key="keep_pg_runs").set_value([ids[2], ids[0]]).run()
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == [ids[0], ids[2]]


def test_playground_waits_for_this_desks_queued_launch_not_another_desks_runs(tiny_data, bertlab_home, monkeypatch):
    """A classroom review: desk B launched a slow run; its Playground opened on desk A's finished launch (A's
    example sentences), and when B's run finished it was added beside A's, unsaid whose they were. Compare and
    Accuracy vs cost showed B's own launch. Now the Playground waits for it, says so, and B's models replace A's."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # queued runs stay queued
    store = RunStore(bertlab_home)
    theirs = [store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=s), batch_id="b-desk-a")
              for s in (0, 1)]
    for rid in theirs:
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    time.sleep(0.01)
    mine = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=5), batch_id="b-desk-b")
    # desk B opened the Playground before its launch was its own: desk A's finished launch is what it can try
    at = app_on("app_pages/playground.py", desk="b")
    no_problems(at)
    assert set(at.multiselect(key="keep_pg_runs").value) == set(theirs)
    (bertlab_home / "desks" / "b").mkdir(parents=True, exist_ok=True)
    (bertlab_home / "desks" / "b" / "batches.json").write_text(json.dumps(["b-desk-b"]))
    # a fresh browser at desk B, its launch still queued: no stranger's models, a line naming its launch
    fresh = app_on("app_pages/playground.py", desk="b")
    no_problems(fresh)
    assert fresh.multiselect(key="keep_pg_runs").value == [], (fresh.session_state["cmp_choice"], fresh.session_state["cmp_by_hand"] if "cmp_by_hand" in fresh.session_state else None)
    options = fresh.multiselect(key="keep_pg_runs").options  # desk A's runs stay pickable by hand
    assert len(options) == 2 and all(any(rid[-4:] in o for o in options) for rid in theirs), options
    waiting = " ".join(i.value for i in fresh.info).replace("\\", "")  # Markdown-escaped
    assert "tfidf_logreg" in waiting and "no finished run yet" in waiting and "starts next" in waiting, waiting
    assert execute_run(store, mine) == SUCCEEDED, store.get(mine).error
    for page in (fresh, at):  # its run finished: it is the selection, in place of desk A's
        page.run()
        no_problems(page)
        assert page.multiselect(key="keep_pg_runs").value == [mine]


def test_playground_opens_on_the_newest_finished_launch_when_this_desks_launch_ended_without_one(
        tiny_data, bertlab_home, monkeypatch):
    """A review: a desk whose only launch failed (or that looked at its launch on Compare, then cancelled it) opened
    the Playground empty with only 'Choose at least one run.': it waited for a launch with nothing left to train.
    Now it opens on the newest finished launch, saying the desk's launch ended without a finished run."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.store import CANCELLED, FAILED
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # nothing trains behind the test
    store = RunStore(bertlab_home)
    theirs = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=0), batch_id="b-desk-a")
    assert execute_run(store, theirs) == SUCCEEDED, store.get(theirs).error
    time.sleep(0.01)
    mine = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=5), batch_id="b-desk-b")
    store.finish(mine, FAILED, error="out of memory")
    (bertlab_home / "desks" / "b").mkdir(parents=True, exist_ok=True)
    (bertlab_home / "desks" / "b" / "batches.json").write_text(json.dumps(["b-desk-b"]))
    at = app_on("app_pages/playground.py", desk="b")
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == [theirs]
    lines = " ".join(i.value for i in at.info).replace("\\", "")
    assert "ended without a finished run" in lines and "Choose at least one run" not in lines, lines
    # a desk that chose its launch on Compare, then cancelled it: the same
    store.finish(mine, CANCELLED)
    at = app_on("app_pages/playground.py", {"cmp_choice": "b-desk-b", "cmp_by_hand": "b-desk-b"})
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == [theirs]
    assert "ended without a finished run" in " ".join(i.value for i in at.info), [i.value for i in at.info]


def test_playground_does_not_wait_for_a_strangers_launch_compare_opened_on_by_default(tiny_data, bertlab_home,
                                                                                       monkeypatch):
    """A review: a desk that launched nothing visited Compare first, which opened on the newest launch, another
    desk's still queued; the Playground then opened empty on it, saying 'Your launch ... has no finished run yet'.
    Now only a launch chosen on Compare by hand is waited for, said as 'The launch chosen on Compare'."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # queued runs stay queued
    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=0), batch_id="b-desk-a")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error
    time.sleep(0.01)
    store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=5), batch_id="b-desk-c")  # a stranger's
    at = app_on("app_pages/compare.py", desk="b")
    no_problems(at)
    assert at.selectbox[0].value == "b-desk-c"  # Compare's default: the newest launch
    at.switch_page("app_pages/playground.py").run()
    no_problems(at)
    assert at.multiselect(key="keep_pg_runs").value == [done]
    lines = " ".join(i.value for i in at.info)
    assert "Your launch" not in lines and "no finished run yet" not in lines, lines
    # chosen by hand on Compare (a newer launch finished since, Compare's default now): the Playground waits for
    # it, and says whose choice it was
    time.sleep(0.01)
    newer = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=7), batch_id="b-desk-d")
    assert execute_run(store, newer) == SUCCEEDED, store.get(newer).error
    fresh = app_on("app_pages/compare.py", desk="b")
    assert fresh.selectbox[0].value == "b-desk-d"
    fresh.selectbox[0].set_value("b-desk-c").run()
    fresh.switch_page("app_pages/playground.py").run()
    no_problems(fresh)
    assert fresh.multiselect(key="keep_pg_runs").value == []
    lines = " ".join(i.value for i in fresh.info).replace("\\", "")
    assert "The launch chosen on Compare" in lines and "no finished run yet" in lines, lines
    assert "Your launch" not in lines, lines


def test_train_page_caps_max_length_at_the_models_position_embeddings(tiny_model, tiny_data, bertlab_home):
    """The tiny model has 128 position embeddings: the field stops there and a kept larger value is lowered."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_hp_full_ft_max_length": 512})
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "full_ft"]).run()
    fields = [at.number_input(key=f"keep_hp_{n}_max_length") for n in ("zero_shot", "full_ft")]
    assert [f.max for f in fields] == [512, 512] and fields[1].value == 512  # the packaged MiniLM's 512
    at.text_input(key="keep_model").set_value(tiny_model).run()
    no_problems(at)
    fields = [at.number_input(key=f"keep_hp_{n}_max_length") for n in ("zero_shot", "full_ft")]
    assert [f.max for f in fields] == [128, 128]
    # Lowered from the kept 512 to the limit (Streamlit alone would reset it to the field's minimum, 8).
    assert fields[1].value == 128 and fields[0].value == 128
    assert any("Lowered to 128" in c.value for c in at.caption)


def test_max_length_help_says_which_tokens_are_read_and_minilms_sentence_limit(tiny_model, tiny_data, bertlab_home):
    """A long-document review: the help said only 'Longer texts are truncated to this many tokens' (not that the
    start is kept), and zero_shot and head_only at 512 on MiniLM went past the 256 tokens its sentence-transformers
    config embeds (its card: 'input text longer than 256 word pieces is truncated') without a word."""
    from bertlab.models import sentence_max_length

    assert sentence_max_length("minilm") == 256 and sentence_max_length(tiny_model) is None
    assert sentence_max_length("/no/such/model/dir") is None
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "head_only", "full_ft"]).run()
    no_problems(at)
    helps = {n: at.number_input(key=f"keep_hp_{n}_max_length").help for n in ("zero_shot", "head_only", "full_ft")}
    # and (baa7989) the other cut the runs offer, named where it is chosen: this pin changed on purpose
    assert all("keep their first this-many tokens (or their start and end: 'Cut long texts to'); the rest is not "
               "read" in h for h in helps.values())
    assert "embeds at most 256 tokens" in helps["zero_shot"] and "embeds at most 256 tokens" in helps["head_only"]
    assert "256" not in helps["full_ft"]  # fine-tuning retrains the encoder at the length it is given
    # its cost said where it is chosen (a policy analyst raising it to 512 for long reports was told nothing of
    # the time and memory it takes)
    assert all("costs more: the time of a step grows with the tokens read, faster than in proportion" in h
               and "so does the memory a batch takes" in h for h in helps.values())
    at.text_input(key="keep_model").set_value(tiny_model).run()  # a plain BERT: no sentence config, nothing said
    assert "embeds at most" not in at.number_input(key="keep_hp_zero_shot_max_length").help


def test_train_page_refuses_max_length_beyond_the_model_at_launch(tiny_model, tiny_data, bertlab_home, monkeypatch):
    """When the form could not read the limit (no cap on the field), Launch still refuses before queueing."""
    import bertlab.models

    monkeypatch.setattr(bertlab.models, "known_max_positions", lambda model: None)
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    at.number_input(key="keep_hp_full_ft_max_length").set_value(300).run()
    next(b for b in at.button if b.label.startswith("Launch")).click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert md("max_length 300 is beyond the model's 128 positions; use at most 128.") in errors  # shown as typed
    assert RunStore(bertlab_home).list_runs() == [] and not at.success


def test_max_length_check_reads_the_models_config(tiny_model):
    from bertlab.errors import ConfigError
    from bertlab.models import check_max_length, known_max_positions

    assert known_max_positions(tiny_model) == 128 and known_max_positions("minilm") == 512
    assert known_max_positions("/no/such/model/dir") is None
    check_max_length(tiny_model, 128)
    with pytest.raises(ConfigError, match="max_length 129 is beyond the model's 128 positions; use at most 128"):
        check_max_length(tiny_model, 129)


def test_this_desks_own_sweep_does_not_take_compare_away_from_its_launch(tiny_data, bertlab_home):
    """A teacher prepared a launch, then queued a sweep on Learning curves: Compare opened on the sweep, and the
    strategy cards quoted its runs. A sweep has its own page; Compare stays on the desk's newest launch."""
    from bertlab import sweep
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    launch = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-class")
    assert execute_run(store, launch) == SUCCEEDED
    time.sleep(0.01)
    sweep_id = sweep.save_sweep(store, sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[20], data=tiny_data))
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=1), batch_id=sweep_id)
    assert execute_run(store, rid) == SUCCEEDED
    (bertlab_home / "desks" / "teacher").mkdir(parents=True)
    (bertlab_home / "desks" / "teacher" / "batches.json").write_text(json.dumps([sweep_id, "b-class"]))
    at = app_on("app_pages/compare.py", {"keep_sw_current": sweep_id}, desk="teacher")
    no_problems(at)
    assert at.selectbox[0].value == "b-class" and len(at.selectbox[0].options) == 2  # the sweep still listed
    assert "sweep · " in at.selectbox[0].options[0] and " · 1 run of tfidf_logreg" in at.selectbox[0].options[0]
    cards = app_on("app_pages/teaching.py", {"keep_sw_current": sweep_id, "keep_tc_strategy": "tfidf_logreg"},
                   desk="teacher")
    no_problems(cards)
    quoted = [m.value for m in cards.markdown if m.value.startswith("- run `")]
    assert quoted and all(f"`{launch[-4:]}`" in q for q in quoted)  # the launch's run, not the sweep's


def test_compare_and_playground_default_to_the_latest_launch_not_a_later_sweep(tiny_data, bertlab_home):
    """A sweep queued after a launch is listed but not chosen by default; with only a sweep it is the default."""
    from bertlab import sweep
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    sweep_id = sweep.save_sweep(store, sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[20], data=tiny_data))

    def finished(batch: str, seed: int) -> str:
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id=batch)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        return rid

    swept = [finished(sweep_id, 0), finished(sweep_id, 1)]
    at = app_on("app_pages/compare.py")  # nothing but the sweep: it is the default
    no_problems(at)
    assert at.selectbox[0].value == sweep_id and at.selectbox[0].format_func(sweep_id).startswith("sweep · ")
    assert set(app_on("app_pages/playground.py").multiselect(key="keep_pg_runs").value) == set(swept)

    launch = finished("b1", 0)
    time.sleep(0.01)
    swept.append(finished(sweep_id, 2))  # the sweep has the newest run
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert at.selectbox[0].value == "b1" and len(at.selectbox[0].options) == 2
    page_text = " ".join(m.value for m in at.markdown)
    assert page_text.count("test accuracy **") == 1  # the launch's one run, not the sweep's three
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    assert at.multiselect[0].value == [launch]
    pg = app_on("app_pages/playground.py")
    no_problems(pg)
    assert pg.multiselect(key="keep_pg_runs").value == [launch]


@pytest.mark.parametrize("value", ["", "   "])
def test_train_page_empty_model_says_what_to_enter_and_disables_launch(tiny_data, bertlab_home, value):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(value).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # the message is Markdown-escaped
    assert "the model is empty: enter a model" in errors and "or use the default 'minilm'" in errors
    assert "config.json" not in errors
    launch = next(b for b in at.button if b.label.startswith("Launch"))
    assert launch.disabled
    assert RunStore(bertlab_home).list_runs() == []


def test_resolve_refuses_an_empty_model_name():
    from bertlab.errors import ModelError
    from bertlab.models import resolve

    with pytest.raises(ModelError, match="the model is empty: enter a model"):
        resolve("")


def test_playground_models_older_than_the_runs_listed_are_not_called_gone(tiny_data, bertlab_home):
    """A chosen model still stored but older than the newest 200 finished runs the Playground lists is not said to
    have been deleted: only a run the store no longer has is."""
    store = RunStore(bertlab_home)
    ids = two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/playground.py")
    at.multiselect(key="keep_pg_runs").set_value([ids["b0"], ids["b1"]]).run()
    assert not any("been deleted" in i.value for i in at.info)
    for _ in range(199):  # newer finished runs: b0 is now out of the newest 200, b1 the oldest listed
        rid = store.create_run(store.get(ids["b1"]).run_config, batch_id="b9")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5})
    at.run()
    assert ids["b0"] not in at.multiselect(key="keep_pg_runs").value  # the premise: no longer listed
    assert not any("been deleted" in i.value for i in at.info)


def test_playground_answers_with_the_runs_that_can_when_one_model_was_deleted(tiny_data, bertlab_home):
    import shutil

    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = []
    for seed in range(2):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    shutil.rmtree(store.artifact_path(ids[1]))
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful film").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert not at.exception and not at.error
    assert len(at.metric) == 1  # the healthy run answers...
    assert any("Cannot answer" in w.value and ids[1][-4:] in w.value and "deleted" in w.value for w in at.warning)
    assert not any("no word of this text" in c.value for c in at.caption)
    # a text of none of the words it was trained on: its answer is the classes' prior, and the card says so
    at.text_area(key="pg_box_text").set_value("zqxj vwkp").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert any(c.value.startswith("⚠ no word of this text was in its training texts") for c in at.caption)


def test_playground_says_a_text_of_words_no_training_text_has_is_unlike_what_the_runs_learnt(tiny_data,
                                                                                             bertlab_home):
    """Runs that agreed on 'asdf qwerty' (two sentiment runs, one answer) said nothing of a text unlike their training
    texts. Where most of its words are in none of them, one line says so (a count of words, not a score); a text
    of their words gets none, nor do the notes single out a run."""
    from app_pages.inference_box import unseen_note
    from bertlab.data import load_splits
    from bertlab.data.dataset import training_words
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for seed in range(2):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/playground.py")
    train = load_splits(store.get(rid).run_config.data).train.texts
    for text, said in ((train[0], False), ("asdf qwerty", True)):
        at.text_area(key="pg_box_text").set_value(text).run()
        next(b for b in at.button if b.label == "Predict").click().run()
        assert not at.exception and len(at.metric) == 2
        note = [c.value for c in at.caption if "in none of the training texts" in c.value]
        assert bool(note) == said, (text, note)
    assert note[0].startswith(":material/travel_explore: Both its words (“asdf”, “qwerty”) are in none of the training "
                              "texts: this text is unlike what the runs learnt from")
    known = training_words(train)
    seen = sorted(known)[:3]
    assert unseen_note(" ".join([*seen, "asdf"]), [known]) is None  # 1 of 4: not most
    assert unseen_note(" ".join([*seen[:2], "asdf", "qwerty"]), [known]) is None  # 2 of 4: half, not most
    from bertlab.textpair import PAIR_SEP

    # a typed pair's "[SEP]" is not a word of it: 1 of 2, not "2 of its 3 words (“sep”, “asdf”)"
    assert unseen_note(f"{seen[0]}{PAIR_SEP}asdf", [known]) is None
    assert unseen_note(" ".join([seen[0], "asdf", "qwerty"]), [known]).startswith("2 of its 3 words (“asdf”, “qwerty”)")
    assert unseen_note("asdf qwerty", []) is None and unseen_note("!!", [known]) is None  # nothing to go on


def test_the_unseen_words_note_names_four_of_them_at_most_and_a_lone_word_as_such():
    """The Playground's unseen-words line quotes the first four words no training text has, then '…'; a text of one
    such word says 'Its only word', not 'All 1 words'."""
    from app_pages.inference_box import unseen_note

    known = [frozenset({"good", "film"})]
    assert unseen_note("alpha bravo charlie delta echo", known).startswith(
        "All 5 words (“alpha”, “bravo”, “charlie”, “delta”, …) are in none of the training texts")
    assert unseen_note("alpha bravo charlie delta", known).startswith(
        "All 4 words (“alpha”, “bravo”, “charlie”, “delta”) are in none")
    assert unseen_note("zebra", known).startswith("Its only word (“zebra”) is in none of the training texts")


def test_the_unseen_words_line_leaves_out_the_runs_whose_strategy_reads_no_training_text(tiny_data):
    """Which runs learnt from training texts was told by their stored trainable_params being 0 (zero_shot's),
    where each strategy already says it (reads_training_texts): a zero_shot run whose costs lack the count (a
    failed write, an older store) had its data's training words counted as what the runs learnt from."""
    from types import SimpleNamespace

    from app_pages.inference_box import learnt_from

    other = DataConfig(**{**asdict(tiny_data), "seed": 7})

    def run(rid, strategy, data, costs):
        return SimpleNamespace(id=rid, strategy=strategy, run_config=SimpleNamespace(data=data), costs=costs)

    done = [run("z", "zero_shot", other, {}), run("z2", "zero_shot", other, {"trainable_params": 0}),
            run("t", "tfidf_logreg", tiny_data, {"trainable_params": 20}),
            run("t2", "tfidf_logreg", tiny_data, {"trainable_params": 20}), run("h", "head_only", other, None)]
    assert learnt_from(done, ["z", "z2", "t", "t2"]) == [tiny_data]  # zero_shot's data left out, each data once
    assert learnt_from(done, ["z", "h"]) == [other]
def test_the_unseen_words_note_leaves_out_zero_shot_which_learnt_from_no_text(tiny_data, bertlab_home, monkeypatch):
    """zero_shot trains on no text: 'in none of the training texts' said to it alone would blame a training set it
    never had; beside a run that trained, the note is that run's."""
    from types import SimpleNamespace

    from app_pages import inference_box

    said = []
    monkeypatch.setattr(inference_box.st, "caption", said.append)
    zs, tf = (SimpleNamespace(id=i, strategy=s, run_config=SimpleNamespace(data=tiny_data),
                              costs={"trainable_params": n})
              for i, s, n in (("zs", "zero_shot", 0), ("tf", "tfidf_logreg", 1234)))
    inference_box._unseen_caption([zs], ["zs"], "asdf qwerty")
    assert said == []
    inference_box._unseen_caption([zs, tf], ["zs", "tf"], "asdf qwerty")
    assert len(said) == 1 and "are in none of the training texts" in said[0]


def test_playground_does_not_say_emoji_count_as_words_to_a_tfidf_run_trained_before_they_did(tiny_data,
                                                                                              bertlab_home):
    """A diff review: to a tfidf_logreg run trained before emoji were words (its tfidf.json holds the older
    pattern), an emoji-only text has no word, and the card said '(each emoji or other symbol counts as a word)'."""
    import json

    from bertlab.runner import execute_run
    from bertlab.strategies import make_config
    from bertlab.strategies.tfidf_logreg import OLDER_TOKEN_PATTERN

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    meta_file = store.artifact_path(rid) / "tfidf.json"
    meta_file.write_text(json.dumps({**json.loads(meta_file.read_text()), "token_pattern": OLDER_TOKEN_PATTERN}))
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("😍 👍").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert not at.exception
    said = [c.value for c in at.caption if "no word of this text" in c.value]
    assert len(said) == 1 and "counts as a word" not in said[0] and "trained before emoji" in said[0]


def test_the_inference_box_asks_at_most_the_runs_that_stay_loaded():
    from types import SimpleNamespace

    from app_pages.inference_box import box_runs
    from bertlab.config import MAX_LOADED_RUNS

    runs = [SimpleNamespace(id=f"r{i}{s}", strategy=s) for i in range(10) for s in ("zero_shot", "full_ft", "lora")]
    runs.append(SimpleNamespace(id="last", strategy="scratch"))
    picked = box_runs(runs)
    assert len(picked) == MAX_LOADED_RUNS and [r.id for r in picked] == sorted(
        (r.id for r in picked), key=[r.id for r in runs].index)  # launch order kept
    assert {r.strategy for r in picked} == {"zero_shot", "full_ft", "lora", "scratch"}  # every strategy answers
    assert box_runs(runs[:5]) == runs[:5]
    # a sweep (sizes 32, 128, 512 x 2 seeds x 3 strategies): the largest size's runs, which its answer is for (a
    # review: the box held 12 runs of sizes 32 and 128, none of 512)
    sweep = [SimpleNamespace(id=f"{s}-{n}-{k}", strategy=s, data_summary={"sizes": {"train": n}})
             for n in (32, 128, 512) for k in range(2) for s in ("zero_shot", "head_only", "tfidf_logreg")]
    picked = box_runs(sweep)
    assert len(picked) == MAX_LOADED_RUNS and [r.id for r in picked] == sorted(
        (r.id for r in picked), key=[r.id for r in sweep].index)
    assert {r.id for r in sweep if r.data_summary["sizes"]["train"] == 512} <= {r.id for r in picked}


@pytest.mark.parametrize("absolute", [False, True])
def test_data_page_never_loads_a_hub_name_that_is_a_folder_here(absolute, private_folder_and_no_hub_load):
    """A security review: 'bertlab-data/uploads' (the default data folder under `make run`) as the hub name loaded
    and previewed every student's uploads; an absolute folder's columns reached the pickers. Now the page refuses
    the name before any load (of the test split too), with a message that says nothing of the files."""
    from bertlab.data import hub

    uploads, calls = private_folder_and_no_hub_load
    try:
        at = app_on()
        at.radio(key="keep_source").set_value("Hub dataset").run()
        at.text_input(key="keep_hub_name").set_value(str(uploads) if absolute else "bertlab-data/uploads").run()
        at.text_input(key="keep_hub_test_split").set_value("test").run()
        next(b for b in at.button if b.label == "Load from the hub").click().run()
        assert not at.exception, [e.value for e in at.exception]
        said = " ".join(e.value for e in at.error)
        assert "is not a hub id" in said and "secretlabel" not in said, said
        assert not at.selectbox and calls == []
    finally:
        hub.hub_table.cache_clear()


def test_hub_dataset_with_two_label_columns_gets_column_pickers(monkeypatch):
    """A TREC-like hub set (coarse and fine labels): detection cannot choose, so the page asks, as for uploads."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    texts = [f"what is the name of city number {i}?" for i in range(40)] + [f"who wrote book {i}?" for i in range(40)]
    feats = datasets.Features({"text": datasets.Value("string"),
                               "coarse_label": datasets.ClassLabel(names=["LOC", "HUM"]),
                               "fine_label": datasets.ClassLabel(names=["city", "ind", "other"])})
    d = datasets.Dataset.from_dict({"text": texts, "coarse_label": [0] * 40 + [1] * 40,
                                    "fine_label": [0] * 40 + [1] * 20 + [2] * 20}, features=feats)
    calls = []
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: calls.append(name) or d)
    try:
        at = app_on()
        at.radio(key="keep_source").set_value("Hub dataset").run()
        at.text_input(key="keep_hub_name").set_value("someone/trec").run()
        assert not at.selectbox  # nothing loaded before the button
        next(b for b in at.button if b.label == "Load from the hub").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("Pick the columns yourself" in w.value for w in at.warning)
        label = next(s for s in at.selectbox if s.label == "Label column")
        label.set_value("fine_label").run()
        no_problems(at)
        assert not any("Pick the columns yourself" in w.value for w in at.warning)  # picked: nothing left to ask
        cfg = at.session_state["keep_data_config"]
        assert (cfg["source"], cfg["name"], cfg["text_column"], cfg["label_column"]) == (
            "hub", "someone/trec", "text", "fine_label")
        assert next(m for m in at.metric if m.label == "Classes").value == "3"
        assert calls == ["someone/trec"]  # the pickers and the cleaned dataset read one download
    finally:
        hub.hub_table.cache_clear()


def test_train_page_says_how_long_the_runs_ahead_of_a_new_launch_should_take(tiny_data, bertlab_home, monkeypatch):
    """A classroom review: a student's one-second zero_shot waited 4-5 minutes behind other students' full_ft
    runs, the Train page saying only how many runs were ahead. The queue stays first in, first out; the page now
    says how long the runs ahead should take, from runs finished here, where it can."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-past")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error
    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # runs stay queued
    theirs = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    theirs.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in theirs.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(theirs)
    mine = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(mine)
    line = next(c.value for c in mine.caption if "ahead of a new launch" in c.value)
    assert re.search(r"It should take ~\d+ s \(estimated as above\)\.$", line), line
    assert [r.status for r in store.list_runs()].count("queued") == 1  # the queue itself is untouched


def test_the_train_pages_line_on_the_runs_ahead_is_redrawn_while_they_run(tiny_data, bertlab_home, monkeypatch):
    """Drawn once with the page, "It should take ~52 s" of a full_ft training stayed on the Train page while the
    sidebar beside it counted the run down to "~9 s left" (a Quick-demo launch watched every 8 s). The line is drawn
    in a fragment that reruns every QUEUE_REFRESH_S while runs are queued or train, and in one that does not rerun
    with none."""
    import streamlit

    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    real, every = streamlit.fragment, {}

    def fragment(func=None, *, run_every=None):  # records each fragment's refresh, by the function it draws
        if func is None:  # st.fragment(run_every=...)(func)
            return lambda f: fragment(f, run_every=run_every)
        every[func.__name__] = run_every
        return real(func, run_every=run_every)

    monkeypatch.setattr(streamlit, "fragment", fragment)
    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # runs stay queued
    idle = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(idle)
    assert "queue_line" in every and every["queue_line"] is None
    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-past")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error
    theirs = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    theirs.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in theirs.button if b.label.startswith("Launch 1 run")).click().run()
    every.clear()
    mine = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(mine)
    assert any("ahead of a new launch" in c.value for c in mine.caption)
    from app_pages.train import QUEUE_REFRESH_S

    assert every["queue_line"] == QUEUE_REFRESH_S


def _line_behind_a_run_past_its_estimate(tiny_data, bertlab_home, monkeypatch, behind: list[str]) -> str:
    """The Train page's line on the runs ahead of a new launch while the worker trains a tfidf_logreg an hour in
    (its estimate: a second or so), no progress told yet, with ``behind`` queued after it."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-past")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error  # its estimate: a second or so
    slow = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-slow")

    def loop(self):  # the worker trains 'slow', an hour in and no progress told yet
        with self._lock:
            self._queued = list(behind)
            self._running = slow
        self.store.claim(slow, "cpu")
        self.store.update(slow, started=time.time() - 3600)
        time.sleep(600)

    monkeypatch.setattr(JobManager, "_loop", loop)
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    time.sleep(0.5)
    at.run()
    no_problems(at)
    return next(c.value for c in at.caption if "ahead of a new launch" in c.value)


def test_a_run_training_past_its_estimate_is_not_said_to_take_a_second(tiny_data, bertlab_home, monkeypatch):
    """A review: behind a 10-minute full_ft past its estimate, the Train page read 'It should take ~1 s': the run
    training counted max(0, estimate - elapsed). Now it is said to be past its estimate."""
    line = _line_behind_a_run_past_its_estimate(tiny_data, bertlab_home, monkeypatch, [])
    assert "~1 s" not in line and "past its estimate" in line, line


def test_runs_queued_with_no_estimate_behind_one_past_its_estimate_are_still_counted(tiny_data, bertlab_home,
                                                                                     monkeypatch):
    """A review: with the run training past its estimate and two queued runs with no estimate, the Train page said
    only 'The one training has run past its estimate: when it ends is not known.', the two left out."""
    # two runs gone from the store since: no estimate
    line = _line_behind_a_run_past_its_estimate(tiny_data, bertlab_home, monkeypatch, ["gone-1", "gone-2"])
    assert "past its estimate" in line and "2 more with no estimate yet" in line, line


def test_runs_ahead_with_no_run_of_their_strategy_here_take_the_tables_rough_estimate(tiny_model, tiny_data,
                                                                                        bertlab_home, monkeypatch):
    """A review: a queued full_ft counted as 'no estimate yet' ahead of a new launch, while the strategy table
    above gave full_ft a rough figure from the encoder speed zero_shot measured here. Now both give one."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    done = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data, max_length=32),
                            batch_id="b-past")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error
    store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, max_length=32, epochs=1),
                     batch_id="b-queued")
    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # it stays queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model})
    no_problems(at)
    line = next(c.value for c in at.caption if "ahead of a new launch" in c.value)
    assert re.search(r"It should take ~\d+ (s|min) \(estimated as above\)\.$", line), line


def test_launch_clicked_again_asks_before_queueing_the_same_batch_twice(tiny_model, tiny_data, bertlab_home,
                                                                         monkeypatch):
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # runs stay queued: the launch is live
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()

    def launch_button():
        return next(b for b in at.button if b.label.startswith("Launch 1 run"))

    launch_button().click().run()
    no_problems(at)
    store = RunStore(bertlab_home)
    assert len(store.list_runs()) == 1 and any("Queued 1 run" in s.value for s in at.success)
    # the queue ahead of a next launch is said beside its estimate; Compare says where each queued run stands
    # (named as this launch's own: 'ahead of a new launch' read as strangers' runs right after launching)
    assert any("Your launch's 1 run is still queued or training: a new launch starts after it" in c.value
               for c in at.caption)
    other = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    assert any("1 run is queued or training ahead of a new launch (from any tab or user)" in c.value
               for c in other.caption)  # another session: the same run is someone else's
    cmp = app_on("app_pages/compare.py")
    assert any(c.value.endswith("queued: starts next") for c in cmp.caption)
    assert "Idle" not in " ".join(c.value for c in at.sidebar.caption)  # the sidebar shows the new run at once
    launch_button().click().run()
    no_problems(at)
    assert len(store.list_runs()) == 1  # not queued twice...
    assert any("a second time?" in w.value for w in at.warning)  # ...but asked
    assert any("This run is the same" in w.value for w in at.warning)
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg", "zero_shot"]).run()  # another selection:
    assert not any("second time" in w.value for w in at.warning)  # the question no longer holds
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    launch_button().click().run()
    next(b for b in at.button if b.label == "No, keep one copy").click().run()
    assert len(store.list_runs()) == 1 and not any("second time" in w.value for w in at.warning)
    batch = store.list_runs()[0].batch_id  # ...and where the one copy is is said
    assert any(f"already in batch `{batch}`" in i.value for i in at.info) and not at.success
    # Another tab at this desk (another session, the same address) is asked too: the question comes from the runs
    # waiting, not from this tab.
    tab = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)}, desk=at.query_params["desk"])
    tab.text_input(key="keep_model").set_value(tiny_model).run()
    tab.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in tab.button if b.label.startswith("Launch 1 run")).click().run()
    assert len(store.list_runs()) == 1 and any("a second time?" in w.value for w in tab.warning)
    # Another user's browser (another desk) on a shared server: the same run is theirs to launch, unasked.
    other = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    other.text_input(key="keep_model").set_value(tiny_model).run()
    other.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in other.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(other)
    assert len(store.list_runs()) == 2 and not any("second time" in w.value for w in other.warning)
    launch_button().click().run()
    next(b for b in at.button if b.label == "Queue them again").click().run()
    no_problems(at)
    assert len(store.list_runs()) == 3 and len({r.batch_id for r in store.list_runs()}) == 3


def test_a_launch_that_repeats_some_runs_still_training_asks_and_can_queue_only_the_new_ones(
        tiny_model, tiny_data, bertlab_home, monkeypatch):
    """Launching a still-training tfidf_logreg again beside a new zero_shot queued both silently (asked only when
    every run repeated a live launch): the first one trained twice."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the first launch stays queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    store = RunStore(bertlab_home)
    assert len(store.list_runs()) == 1
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg", "zero_shot"]).run()
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    no_problems(at)
    assert len(store.list_runs()) == 1  # nothing queued yet: asked
    assert any("1 of these 2 runs (tfidf_logreg) is the same" in w.value for w in at.warning), \
        [w.value for w in at.warning]
    next(b for b in at.button if b.label == "Queue only the 1 new one").click().run()
    no_problems(at)
    assert sorted(r.strategy for r in store.list_runs()) == ["tfidf_logreg", "zero_shot"]
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()  # both still queued: asked
    assert any("These 2 runs are the same" in w.value for w in at.warning)
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg", "zero_shot", "head_only"]).run()
    next(b for b in at.button if b.label.startswith("Launch 3 runs")).click().run()
    next(b for b in at.button if b.label == "Queue all 3").click().run()
    no_problems(at)
    assert len(store.list_runs()) == 5


def test_queue_only_the_new_ones_keeps_out_the_run_asked_about_once_it_finished(tiny_model, tiny_data, bertlab_home,
                                                                                 monkeypatch):
    """"Queue only the N new ones" recomputed which runs repeated the live launch on click: the still-training run
    finished meanwhile, so none did, and the run the user chose not to repeat was queued again (or the click was
    lost with the question). The question's runs are kept with it and the click keeps them out."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the worker takes nothing by itself
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    store = RunStore(bertlab_home)
    first = store.list_runs()[0].id
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg", "zero_shot"]).run()
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    assert any("1 of these 2 runs (tfidf_logreg) is the same" in w.value for w in at.warning)
    store.claim(first, "cpu")  # it finishes while the question is on the screen
    store.finish(first, SUCCEEDED, metrics={"test_accuracy": 0.9}, costs={})
    next(b for b in at.button if b.label == "Queue only the 1 new one").click().run()
    no_problems(at)
    assert sorted(r.strategy for r in store.list_runs()) == ["tfidf_logreg", "zero_shot"]
    assert not any("second time" in w.value for w in at.warning)


def test_launch_clicked_again_once_part_of_it_finished_still_asks(tiny_model, tiny_data, bertlab_home, monkeypatch):
    """Launch clicked again while the launch still trained, its first run finished: it queued them all again, unasked;
    and the queue beside the estimate counted an earlier launch of this desk as "from other tabs or users"."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the worker takes nothing by itself
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg", "zero_shot"]).run()
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    store = RunStore(bertlab_home)
    first, second = sorted(store.list_runs(), key=lambda r: r.strategy != "tfidf_logreg")
    assert execute_run(store, first.id) == SUCCEEDED  # trained; zero_shot still waits
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    no_problems(at)
    assert len(store.list_runs()) == 2 and any("a second time?" in w.value for w in at.warning)
    # once nothing of it is left to train, the same launch is a new one (to measure again), unasked
    assert execute_run(store, second.id) == SUCCEEDED
    at.run()
    assert not any("second time" in w.value for w in at.warning)
    # an earlier launch of this desk still waiting, and a new one: both are this desk's in the queue's count
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot"]).run()
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(at)
    import dataclasses

    real = JobManager.snapshot  # (the runs trained above by hand stay in the idle worker's queue: not as it runs)
    monkeypatch.setattr(JobManager, "snapshot", lambda self: dataclasses.replace(real(self),
        queued=tuple(r.id for r in store.list_runs(status=ACTIVE))))
    at.run()
    no_problems(at)
    assert any("Your launches' 2 runs are still queued or training" in c.value for c in at.caption), \
        [c.value for c in at.caption]


def test_the_sidebar_says_a_queued_runs_id_tail_is_an_id_not_a_count(tiny_data, bertlab_home, monkeypatch):
    """A review: the queue read "scratch · 8488 queued", the id's tail as if 8488 runs were queued."""
    import dataclasses

    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the worker takes nothing by itself
    store = RunStore(bertlab_home)
    running = store.create_run(make_config("full_ft", data=tiny_data))
    store.claim(running, "cpu")
    store.update(running, progress=0.4, phase="train")
    waiting = store.create_run(make_config("scratch", data=tiny_data))
    real = JobManager.snapshot
    monkeypatch.setattr(JobManager, "snapshot", lambda self: dataclasses.replace(
        real(self), running=running, progress=0.4, phase="train", queued=(waiting,)))
    at = app_on("app_pages/data.py")
    no_problems(at)
    queue = " ".join(c.value for c in at.sidebar.caption)
    assert f"scratch · queued (run …{waiting[-4:]})" in queue, queue
    assert f"{waiting[-4:]} queued" not in queue, queue
    bars = [p.proto.text for p in at.sidebar.get("progress")]
    assert any(t.startswith("▶ full_ft · train 40%") and t.endswith(f"(run …{running[-4:]})") for t in bars), bars


def test_a_lowered_batch_size_is_said_with_the_launch(tiny_model, tiny_data, bertlab_home, monkeypatch):
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))
    # zero_shot takes no batches of training texts: "lowered ... for zero_shot, head_only" told of nothing it does
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_hp_zero_shot_batch_size": 512})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft", "zero_shot"]).run()
    at.number_input(key="keep_hp_full_ft_batch_size").set_value(512).run()
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    no_problems(at)
    (note,) = [i.value for i in at.info if "Batch size lowered to" in i.value]
    assert note.endswith("for full_ft.")


def test_batches_with_the_same_title_stay_apart_and_an_undone_batch_is_not_the_default(tiny_data):
    from types import SimpleNamespace

    from app_pages import common

    def run(batch, status, t):
        return SimpleNamespace(id=f"{batch}-{t}", batch_id=batch, status=status, created=1.7e9 + t,
                               strategy="zero_shot", dataset="rotten_tomatoes")

    first, copy = [run("b-aaaa", "succeeded", 0)], [run("b-bbbb", "cancelled", 1)]
    titles = common.batch_titles({"b-bbbb": copy, "b-aaaa": first}, set())
    assert len(set(titles.values())) == 2 and titles["b-bbbb"].endswith("all cancelled")
    assert common.latest_batch(copy + first, set()) == "b-aaaa"  # newest first; the undone copy is skipped
    assert common.latest_batch(copy, set()) == "b-bbbb"  # unless nothing else is there
    stopped = [run("b-dddd", "interrupted", 3), run("b-dddd", "cancelled", 2)]  # a restart, then the rest cancelled
    assert common.latest_batch(stopped + first, set()) == "b-aaaa"
    failed = [run("b-eeee", "failed", 4)]  # a failure has something to show: its error
    assert common.latest_batch(failed + stopped + first, set()) == "b-eeee"
    same = [run("b-cccc", "succeeded", 0)]
    titles = common.batch_titles({"b-aaaa": first, "b-cccc": same}, set())
    assert titles["b-aaaa"].endswith("· aaaa") and titles["b-cccc"].endswith("· cccc")
    # a sweep holding a point reused from an earlier launch is named by its own runs' time, not the reused one's
    reused = run("b-aaaa", "succeeded", 0)
    sweep = [reused, run("sweep-1", "succeeded", 600)]
    title = common.batch_titles({"sweep-1": sweep}, {"sweep-1"})["sweep-1"]
    assert title.startswith("sweep · " + time.strftime("%b %d %H:%M", time.localtime(1.7e9 + 600)))
    assert time.strftime("%H:%M", time.localtime(1.7e9)) not in title


def test_launches_that_differ_only_in_their_seeds_are_told_apart_by_them_in_batch_titles():
    """28 quick launches at other split seeds and seeds all read 'Dec 05 16:39 · rotten_tomatoes · zero_shot,
    tfidf_logreg, head_only', told apart within one minute only by an id's tail (a review)."""
    from types import SimpleNamespace

    from app_pages import common

    def run(batch, seed, t, strategy="zero_shot"):
        data = {**asdict(DataConfig()), "seed": seed}
        return SimpleNamespace(id=f"{batch}-{t}", batch_id=batch, status="succeeded", created=1.7e9 + t,
                               strategy=strategy, dataset="rotten_tomatoes", model=None, config={"seed": seed,
                                                                                                  "data": data})

    batches = {"b-aaaa": [run("b-aaaa", 0, 0)], "b-bbbb": [run("b-bbbb", 7, 1)], "b-cccc": [run("b-cccc", 7, 2)],
               "b-dddd": [run("b-dddd", 7, 3, "tfidf_logreg")]}
    titles = common.batch_titles(batches, set())
    assert titles["b-aaaa"].endswith("zero_shot · split 0, seed 0"), titles
    assert titles["b-bbbb"].endswith("zero_shot · split 7, seed 7 · bbbb"), titles  # the same: the id's tail still
    assert titles["b-dddd"].endswith("· tfidf_logreg"), titles  # already its own: as it was


def test_a_desks_launch_undone_is_not_what_compare_opens_on_nor_the_clis_latest(tiny_data, bertlab_home, capsys):
    """A launch clicked twice, then the second undone: a reload (or another browser at the desk) opened Compare on
    the copy, "None of these runs finished", with a predictions CSV to download holding one error; the CLI's
    `report --batch latest` wrote a report of the four cancelled runs."""
    from bertlab import report
    from bertlab.cli import main
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    first = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-first")
    assert execute_run(store, first) == "succeeded"
    copy = [store.create_run(make_config(n, data=tiny_data), batch_id="b-copy") for n in ("tfidf_logreg", "zero_shot")]
    for rid in copy:
        store.request_cancel(rid)  # queued: cancelled at once
    assert {store.get(rid).status for rid in copy} == {"cancelled"}
    (bertlab_home / "desks" / "teacher").mkdir(parents=True)
    (bertlab_home / "desks" / "teacher" / "batches.json").write_text('["b-copy", "b-first"]')
    at = app_on("app_pages/compare.py", desk="teacher")
    no_problems(at)
    assert at.session_state["cmp_choice"] == "b-first"
    assert not next(b for b in at.get("download_button") if b.proto.label == "Test predictions (CSV)").proto.disabled
    # picked by hand, the undone one is shown, and there is nothing to download from it
    at.selectbox[0].set_value("b-copy").run()
    no_problems(at)
    button = next(b for b in at.get("download_button") if b.proto.label == "Test predictions (CSV)")
    assert button.proto.disabled and "None of these runs finished" in button.proto.help
    assert report.resolve_runs(store, batch="latest") == [first]
    assert main(["runs"]) == 0
    listed = capsys.readouterr().out
    assert "`--batch latest` for the first not all cancelled" in listed
    assert any(line.strip().startswith("b-copy") and line.endswith("all cancelled") for line in listed.splitlines())


def test_compare_cancels_every_unfinished_run_of_a_batch_at_once(tiny_data, bertlab_home, monkeypatch):
    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    at = app_on("app_pages/compare.py")  # creates this home's manager (with the idle loop)
    store = RunStore(bertlab_home)
    older = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=9), batch_id="b0")
    store.update(older, status="succeeded")  # an earlier batch, which a fresh visit would show after the cancel
    for seed in range(3):
        store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b1")
    desk = bertlab_home / "desks" / at.query_params["desk"]  # launched at this desk (another's asks first)
    desk.mkdir(parents=True, exist_ok=True)
    (desk / "batches.json").write_text('["b1"]')
    at.run()
    no_problems(at)
    assert at.selectbox[0].value == "b1"
    next(b for b in at.button if b.label == "Cancel the 3 unfinished runs").click().run()
    assert [r.status for r in store.list_runs(batch_id="b1")] == ["cancelled"] * 3
    assert not any(b.label.startswith("Cancel the") for b in at.button)
    assert at.selectbox[0].value == "b1"  # still the batch just cancelled, not another one
    at.run()
    assert at.selectbox[0].value == "b1"
    # another tab's (or process's) new launch: named in a toast, listed, but the page stays where the user is
    store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=8), batch_id="b2")
    at.run()
    assert at.selectbox[0].value == "b1" and len(at.selectbox[0].options) == 3
    assert any("New runs from another tab or process" in t.proto.body for t in at.get("toast"))
    # this session's own launch: shown at once
    store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=7), batch_id="b3")
    at.session_state["last_launch"] = {"batch": "b3", "strategies": ["tfidf_logreg"]}
    at.run()
    assert at.selectbox[0].value == "b3"
    # a first visit to Compare after launching (Train, Launch, Compare) shows the launch, not a newer one's
    store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=6), batch_id="b4")  # someone else's, newer
    fresh = app_on("app_pages/compare.py", {"last_launch": {"batch": "b3", "strategies": ["tfidf_logreg"]}})
    assert fresh.selectbox[0].value == "b3"
    # a reload (a new session at the desk that launched b3) opens on that desk's launch, not on b4
    (bertlab_home / "desks" / "d7").mkdir(parents=True)
    (bertlab_home / "desks" / "d7" / "batches.json").write_text('["b3", "b0"]')
    assert app_on("app_pages/compare.py", desk="d7").selectbox[0].value == "b3"
    assert app_on("app_pages/compare.py").selectbox[0].value == "b4"  # a new desk: the newest, as before


def test_the_sidebar_shows_a_run_another_process_trains(tiny_data, bertlab_home):
    from bertlab.strategies import make_config

    at = app_on("app_pages/data.py")  # this home's manager exists before the "CLI" run starts
    store = RunStore(bertlab_home)
    import socket
    import subprocess
    import sys

    import psutil

    rid = store.create_run(make_config("full_ft", data=tiny_data))
    store.claim(rid, "cpu")
    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the "CLI" training it
    try:
        owner = f"{socket.gethostname()}:{cli.pid}:{psutil.Process(cli.pid).create_time():.0f}"
        store.update(rid, progress=0.4, phase="train", owner=owner)
        nxt = store.create_run(make_config("head_only", data=tiny_data))  # the CLI batch's next run
        store.update(nxt, owner=owner)
        at.run()
        no_problems(at)
        assert any("full_ft · train 40% (another process" in p.proto.text for p in at.sidebar.get("progress"))
        assert f"head_only · queued (another process; run …{nxt[-4:]})" in " ".join(c.value for c in at.sidebar.caption)
        assert any(f"(another process, e.g. the CLI; run …{rid[-4:]})" in p.proto.text
                   for p in at.sidebar.get("progress"))
        assert "Idle" not in " ".join(c.value for c in at.sidebar.caption)
    finally:  # its runs ended before it is: gone, it leaves them to this test's manager to adopt and train
        store.finish(rid, "succeeded")
        store.request_cancel(nxt)
        cli.kill()
        cli.wait()


def test_the_sidebar_counts_every_run_another_process_has_queued_and_shows_the_next_ones(tiny_data, bertlab_home,
                                                                                         monkeypatch):
    """A CLI sweep of hundreds of queued runs: the panel read the 50 newest, showed the last of them as next and said
    "… and 42 more" whatever the count. Then it decoded every queued run every 2 s in every browser to show 8 of them
    (500 queued: ~13 ms a refresh, 1.5 ms for 50): it reads the 8 it shows and counts the rest."""
    import socket
    import subprocess
    import sys

    import psutil

    from bertlab import store as store_mod
    from bertlab.strategies import make_config

    at = app_on("app_pages/data.py")
    store = RunStore(bertlab_home)
    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the "CLI" that queued them
    ids = []
    try:
        owner = f"{socket.gethostname()}:{cli.pid}:{psutil.Process(cli.pid).create_time():.0f}"
        for i in range(60):
            ids.append(rid := store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=i), batch_id="cli"))
            store.update(rid, owner=owner)
        decoded = []
        real = store_mod._decode
        monkeypatch.setattr(store_mod, "_decode", lambda row: decoded.append(row["id"]) or real(row))
        at.run()
        no_problems(at)
        said = " ".join(c.value for c in at.sidebar.caption)
        assert f"queued (another process; run …{ids[0][-4:]})" in said  # the oldest: the next to train
        assert f"run …{ids[-1][-4:]})" not in said
        assert "… and 52 more queued by another process" in said
        # the 8 shown, not the 60 queued (the newest run is read too: the idle watch for new runs)
        assert set(decoded) & set(ids) == {*ids[:8], ids[-1]}
    finally:
        for rid in ids:
            store.request_cancel(rid)
        cli.kill()
        cli.wait()


def test_a_killed_cli_run_is_interrupted_on_compare_while_this_server_trains(tiny_data, bertlab_home, monkeypatch):
    """kill -9 of a CLI run sharing the data directory: Compare showed it "running" with a Cancel button, and its
    next run "queued: starts when the runs before it finish", until this server's own run ended (its worker looks
    for dead processes' runs only while idle), while the sidebar had already dropped them."""
    import socket

    from bertlab import jobs
    from bertlab.store import INTERRUPTED, ORPHANED
    from bertlab.strategies import make_config

    monkeypatch.setattr(jobs, "ORPHAN_CHECK_S", 3600.0)  # as a worker busy with a long run: it does not look
    at = app_on("app_pages/data.py")  # this home's manager exists before the CLI dies
    store = RunStore(bertlab_home)
    dead = f"{socket.gethostname()}:999999999:1"  # the killed CLI
    rid = store.create_run(make_config("full_ft", data=tiny_data), batch_id="b-cli")
    store.claim(rid, "cpu")
    store.update(rid, progress=0.3, phase="train", owner=dead)
    nxt = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-cli")
    store.update(nxt, owner=dead)
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.get(rid).status == INTERRUPTED
    assert any(ORPHANED in e.value for e in at.error), [e.value for e in at.error]
    assert not [b for b in at.button if b.key == f"cancel_{rid}"]
    captions = " ".join(c.value for c in at.caption)
    assert "starts when the runs before it finish" not in captions, captions
    assert store.get(nxt).owner != dead  # this server took it over: it trains it
    wait_done(bertlab_home)


def test_train_page_estimates_scale_by_the_datas_text_length(tiny_model, tiny_data, bertlab_home):
    from bertlab.models import pick_device
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, max_length=32))
    assert execute_run(store, rid) == SUCCEEDED
    row = _train_page_row(tiny_model, tiny_data, "full_ft")
    assert row["estimate from"] == "1 past run on this device, per token", (row, pick_device().name)
    assert row["estimated time"] != "unknown"


def _train_page_row(tiny_model, tiny_data, strategy: str):
    """The Train page's row of ``strategy`` in its estimates table, with only that strategy chosen."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value([strategy]).run()
    no_problems(at)
    table = at.table[0].value
    return table[table["strategy"] == strategy].iloc[0]


def test_train_page_estimates_from_a_strategys_own_run_older_than_the_newest_200(tiny_model, tiny_data,
                                                                                  bertlab_home):
    """After a sweep of 200 newer runs of another strategy, the full_ft run measured before it was out of the
    newest 200 the estimates read: full_ft's time read "unknown" (or a rough figure from another strategy's
    speed) where its own measured pace was stored."""
    from bertlab.models import pick_device
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, max_length=32))
    assert execute_run(store, rid) == SUCCEEDED
    for _ in range(200):  # a sweep's points, finished (their costs alone are read)
        later = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
        store.finish(later, SUCCEEDED, metrics={"test_accuracy": 0.5}, costs={"total_seconds": 1.0})
    assert rid not in {r.id for r in store.list_runs(limit=200)}  # the premise
    row = _train_page_row(tiny_model, tiny_data, "full_ft")
    assert row["estimate from"] == "1 past run on this device, per token", (row, pick_device().name)


def test_train_page_estimate_grows_with_scratchs_masked_lm_epochs(tiny_model, tiny_data, bertlab_home):
    """Set in scratch's panel, the masked-LM epochs count in its estimate (they were left out: a run of three times
    the work was estimated at a plain run's time)."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("scratch", model=tiny_model, data=tiny_data, epochs=1, max_length=32))
    assert execute_run(store, rid) == SUCCEEDED
    # above the table's 1 s rounding; its training and evaluation too, or the minute would read as start-up, which
    # does not grow with the work
    store.update(rid, costs={**store.get(rid).costs, "total_seconds": 60.0, "train_seconds": 40.0,
                             "eval_seconds": 15.0})
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model,
                                       "keep_strategies": ["scratch"], "keep_hp_scratch_epochs": 1})

    def seconds() -> float:  # '~45 s' or '~3 min' in the table
        text = at.table[0].value.iloc[0]["estimated time"]
        return float(text.strip("~ mins")) * (60 if text.endswith("min") else 1)

    plain = seconds()
    at.number_input(key="keep_opt_scratch_mlm_epochs").set_value(20).run()
    no_problems(at)
    assert seconds() > 3 * plain, at.table[0].value.to_dict("records")


def test_train_page_estimates_runs_whose_embeddings_are_cached_at_the_warm_time(tiny_model, tiny_data, bertlab_home):
    """After a first zero_shot and head_only run, a second one on the same texts reuses their cached embeddings and
    takes a small part of the first's time: the estimate said the first's (its total counts the encoder pass)."""
    from bertlab.estimate import Estimate
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    past = {}
    for n in ("zero_shot", "head_only"):
        rid = store.create_run(make_config(n, model=tiny_model, data=tiny_data))
        assert execute_run(store, rid) == SUCCEEDED
        past[n] = store.get(rid).costs
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "head_only"]).run()
    no_problems(at)
    table = at.table[0].value.set_index("strategy")
    # each past run's time beyond its embedding pass, at the same sizes and epochs: what a warm run takes
    warm = {n: c["wall_seconds"] - c["embedding_seconds"] for n, c in past.items()}
    for n in ("zero_shot", "head_only"):
        assert table.loc[n, "estimate from"] == "embeddings cached: 1 past run on this device, less its embedding pass"
        assert table.loc[n, "estimated time"] == Estimate(warm[n], "").text()
    # three seeds: head_only's second and third find all its texts cached as well
    at.number_input(key="keep_repeats").set_value(3).run()
    total = next(c.value for c in at.caption if c.value.startswith("Estimated time for the 4 runs"))
    assert total == f"Estimated time for the 4 runs, one after another: {Estimate(warm['zero_shot'] + 3 * warm['head_only'], '').text()}."
    # at another max length the embeddings are another cache's, not computed yet: the whole run, as before
    at.number_input(key="keep_hp_zero_shot_max_length").set_value(64).run()
    no_problems(at)
    table = at.table[0].value.set_index("strategy")
    assert table.loc["zero_shot", "estimate from"] == "1 past run on this device, per token"
    assert table.loc["head_only", "estimate from"].startswith("embeddings cached: ")


def _long_texts_note(tiny_model: str, csv: Path, texts: list[str]) -> tuple[AppTest, str]:
    """The Train page on a file of ``texts`` (two classes in turn) written to ``csv``, full_ft on the tiny model,
    and its line on long texts."""
    import pandas as pd

    pd.DataFrame({"text": texts, "label": [["a", "b"][j % 2] for j in range(len(texts))]}).to_csv(csv, index=False)
    data = DataConfig(source="file", name=str(csv), train_size=None, val_size=None, test_size=None)
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    no_problems(at)
    return at, next(c.value for c in at.caption if "These texts are long" in c.value)


def test_train_page_says_when_texts_are_long_enough_to_be_cut(tiny_model, tmp_path):
    texts = [f"text {j}: " + " ".join(f"word{i} about topic {j % 2}" for i in range(120)) for j in range(60)]
    at, note = _long_texts_note(tiny_model, tmp_path / "long.csv", texts)
    assert "100% longer than max length 128 and cut to it" in note
    # 128 is all the tiny model reads: a larger max length is no remedy there (the form stops at it)
    assert "128 is all this model reads" in note and "head+tail truncation" in note
    assert "a larger max length keeps more" not in note
    at.number_input(key="keep_hp_full_ft_max_length").set_value(64).run()
    note = next(c.value for c in at.caption if "These texts are long" in c.value)
    assert "a larger max length keeps more of each text" in note and "reads at most 128 tokens" in note
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()  # no tokens, nothing cut
    assert not any("These texts are long" in c.value for c in at.caption)


def test_before_any_run_the_train_page_offers_to_measure_the_device_then_estimates_roughly(tiny_model, tiny_data,
                                                                                          bertlab_home):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "full_ft", "tfidf_logreg"]).run()
    no_problems(at)
    table = at.table[0].value
    assert set(table["estimated time"]) == {"unknown"}
    probe = [b for b in at.button if b.label.startswith("Measure this device's speed")]
    assert len(probe) == 1
    probe[0].click().run()
    no_problems(at)
    table = at.table[0].value.set_index("strategy")
    # the strategies the encoder's speed sets now have a rough figure; tfidf_logreg (no encoder) stays unknown
    for n in ("zero_shot", "full_ft"):
        assert table.loc[n, "estimated time"].startswith("~"), table
        assert table.loc[n, "estimate from"].startswith("rough: this device's measured speed")
    assert table.loc["tfidf_logreg", "estimated time"] == "unknown"
    assert not [b for b in at.button if b.label.startswith("Measure this device's speed")]  # kept: asked once
    # and what the whole launch should take, one run after another
    total = [c.value for c in at.caption if c.value.startswith("Estimated time for the 3 runs")]
    assert len(total) == 1 and total[0].endswith("plus tfidf_logreg (no estimate yet).")


def test_the_device_measurement_held_back_while_a_run_trains_says_why_beside_its_button(tiny_model, tiny_data,
                                                                                        bertlab_home):
    """Greyed out while anything trained (a CLI run too), with the reason only in its tooltip: a click did nothing
    visible (a review)."""
    import socket
    import subprocess
    import sys

    import psutil

    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert store.claim(rid, "cpu")
    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # the CLI training it
    try:
        owner = f"{socket.gethostname()}:{cli.pid}:{psutil.Process(cli.pid).create_time():.0f}"
        store.update(rid, owner=owner)
        at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
        at.text_input(key="keep_model").set_value(tiny_model).run()
        at.multiselect(key="keep_strategies").set_value(["zero_shot", "full_ft"]).run()
        no_problems(at)
        (probe,) = [b for b in at.button if b.label.startswith("Measure this device's speed")]
        assert probe.disabled
        assert any(c.value.startswith("Measuring waits until nothing trains: 1 run running") for c in at.caption)
    finally:
        cli.kill()
        cli.wait()


def test_a_launch_estimated_at_hours_asks_before_queueing(tiny_model, tiny_data, bertlab_home):
    """A launch that would keep the device busy for long waits for a second click, with its cost and a smaller
    sample offered; a short one queues at once."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    past = store.get(rid)
    store.update(rid, costs={**past.costs, "total_seconds": 4 * 3600.0})  # this device: hours for this data
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    no_problems(at)
    assert any(w.value.startswith("Estimated time for the 1 run, one after another: ~") for w in at.warning)
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(at)
    assert len(store.list_runs()) == 1  # nothing queued yet
    ask = next(w.value for w in at.warning if "keep this device busy" in w.value)
    assert "(tfidf_logreg ~" in ask and "*Standard* size" in ask
    # while it asks, Launch waits for the answer (a second click on it had queued the runs)
    assert next(b for b in at.button if b.label.startswith("Launch 1 run")).disabled
    at.button(key="long_no").click().run()
    assert not any("keep this device busy" in w.value for w in at.warning) and len(store.list_runs()) == 1
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    at.button(key="long_yes").click().run()
    no_problems(at)
    assert len(store.list_runs()) == 2 and any("Queued 1 run: tfidf_logreg" in s.value for s in at.success)
    wait_done(bertlab_home)


def test_a_thin_test_class_under_a_cap_points_to_a_larger_cap_not_a_larger_file(bertlab_home, tmp_path):
    """A large file on the Quick demo caps: its 2% class gets ~10 test texts because of the cap, so the warning
    says to raise the cap, not (as for a small file) that only more data would help."""
    import json

    import pandas as pd

    rows = [(f"message number {i} about {('billing', 'delivery', 'refund')[0 if i % 50 == 0 else 1 + i % 2]}",
             ("refund", "billing", "delivery")[0 if i % 50 == 0 else 1 + i % 2]) for i in range(5000)]
    path = tmp_path / "big.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    quick = DataConfig(source="file", name=str(path), text_column="text", label_column="label",
                       train_size=500, val_size=200, test_size=500)
    (bertlab_home / "desks" / "d1").mkdir(parents=True, exist_ok=True)
    (bertlab_home / "desks" / "d1" / "last_data.json").write_text(json.dumps(asdict(quick)))
    at = app_on(desk="d1")
    no_problems(at)
    warning = next(w.value for w in at.warning if "The test split has only" in w.value)
    assert "of 'refund'" in warning
    assert ("The test split is capped at 500 texts and this data has 5,000 examples: the *Classroom*, *Standard* or "
            "*All data* size, or a larger *Custom* test cap gives more test texts of each class.") in warning
    assert "more test texts need a larger file" not in warning


def test_balanced_few_shot_data_says_its_test_splits_tilt_is_rounding(bertlab_home, tmp_path):
    """A review's rt_8.csv (8 fresh, 8 rotten): a test split of 3 texts (2 fresh, 1 rotten) made the Majority
    baseline 66.7%, and the warning listed the counts without saying the data itself is balanced."""
    import json

    import pandas as pd

    rows = [(f"review number {i} of a film, {('fresh', 'rotten')[i % 2]}", ("fresh", "rotten")[i % 2]) for i in
            range(16)]
    path = tmp_path / "rt_8.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    cfg = DataConfig(source="file", name=str(path), text_column="text", label_column="label")
    (bertlab_home / "desks" / "d1").mkdir(parents=True, exist_ok=True)
    (bertlab_home / "desks" / "d1" / "last_data.json").write_text(json.dumps(asdict(cfg)))
    at = app_on(desk="d1")
    no_problems(at)
    assert next(m.value for m in at.metric if m.label == "Majority baseline") == "66.7%"
    warning = next(w.value for w in at.warning if "The test split has only" in w.value)
    assert ("The data itself is balanced (8 of each class): the test split's uneven counts are how 3 test texts "
            "divide among 2 classes, so its majority baseline (66.7%) is above the data's (50.0%) by that rounding "
            "alone.") in warning

def test_a_new_session_keeps_the_strategies_last_chosen(bertlab_home):
    """A reload used to put back the default four, scratch included, after the user removed it."""
    at = app_on("app_pages/train.py")
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "tfidf_logreg"]).run()
    no_problems(at)
    desk = at.query_params["desk"]
    again = app_on("app_pages/train.py", desk=desk)
    no_problems(again)
    assert again.multiselect(key="keep_strategies").value == ["zero_shot", "tfidf_logreg"]
    (bertlab_home / "desks" / desk / "last_strategies.json").write_text('["gone_strategy"]')  # a strategy it lacks
    fresh = app_on("app_pages/train.py", desk=desk)
    assert fresh.multiselect(key="keep_strategies").value == ["zero_shot", "head_only", "full_ft", "scratch"]


def test_compare_runs_a_failed_run_again_and_deletes_ended_runs_after_asking(tiny_data, bertlab_home, monkeypatch):
    """After a crash or a restart the only way back was to rebuild the launch on Train; and no page could free the
    disk of old models. Run again queues the same settings in the batch; Delete asks once, and keeps live runs."""
    from bertlab.jobs import JobManager
    from bertlab.store import FAILED
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    (bertlab_home / "desks" / "d1").mkdir(parents=True, exist_ok=True)  # launched at this desk: Run again asks nothing
    (bertlab_home / "desks" / "d1" / "batches.json").write_text(json.dumps(["b1"]))
    at = app_on("app_pages/compare.py", desk="d1")
    store = RunStore(bertlab_home)
    bad = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b1")
    store.claim(bad, "cpu")
    store.finish(bad, FAILED, error="out of memory: try a smaller batch")
    at.run()
    no_problems_but_the_failure = [e.value for e in at.error]
    assert len(no_problems_but_the_failure) == 1 and not at.exception
    next(b for b in at.button if b.label == "Run again").click().run()
    runs = store.list_runs(batch_id="b1")
    assert len(runs) == 2 and {r.status for r in runs} == {"queued", "failed"}
    again = next(r for r in runs if r.status == "queued")
    assert again.config == store.get(bad).config
    # no second copy at a second click: the button gives way to a line pointing at the run queued again
    assert not any(b.label == "Run again" for b in at.button)
    assert any(c.value.startswith(":material/replay: run again: see the run") for c in at.caption)
    # one run of the launch, run twice: not "tfidf_logreg ×2" in the batch's title, as if two seeds (a review)
    from app_pages.common import batch_title

    title = batch_title(store.list_runs(batch_id="b1"))
    assert "tfidf_logreg ×2" not in title and title.endswith("tfidf_logreg · live · 1 failed")
    next(b for b in at.button if b.label == "Delete 1 run").click().run()
    assert store.get(bad) is not None  # asked first
    assert any("for good?" in w.value for w in at.warning)
    at.button(key="cmp_delete_yes").click().run()
    assert store.get(bad) is None and store.get(again.id).status == "queued"  # the live one stays


def test_compare_runs_every_stopped_run_of_a_launch_again_in_one_click(tiny_data, bertlab_home, monkeypatch):
    """A server restart that interrupted a launch of four took four clicks of Run again. One button queues every
    run of the list that offers Run again (failed too, as Run again does), each setting once, and says how many."""
    from bertlab.jobs import JobManager
    from bertlab.store import FAILED, INTERRUPTED, SUCCEEDED
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    store = RunStore(bertlab_home)
    ended = {}
    for seed, status in ((1, INTERRUPTED), (2, INTERRUPTED), (3, INTERRUPTED), (4, FAILED), (5, SUCCEEDED),
                         (5, INTERRUPTED)):  # the last: its setting has a result already, so it is not run again
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b4")
        store.claim(rid, "cpu")
        store.finish(rid, status, error=None if status == SUCCEEDED else "the server stopped",
                     metrics={"test_accuracy": 0.5, "test_macro_f1": 0.5} if status == SUCCEEDED else {})
        ended[rid] = seed
    (bertlab_home / "desks" / "d1").mkdir(parents=True, exist_ok=True)
    (bertlab_home / "desks" / "d1" / "batches.json").write_text(json.dumps(["b4"]))
    at = app_on("app_pages/compare.py", desk="d1")
    assert not at.exception, [x.value for x in at.exception]
    assert len([b for b in at.button if b.label == "Run again"]) == 4
    button = at.button(key="cmp_again_all")
    assert button.label == "Run the 4 failed and interrupted runs again" and not button.disabled
    button.click().run()
    assert not at.exception, [x.value for x in at.exception]
    queued = [r for r in store.list_runs(batch_id="b4") if r.status == "queued"]
    assert sorted(r.config["seed"] for r in queued) == [1, 2, 3, 4]
    assert {json.dumps(r.config, sort_keys=True) for r in queued} == {
        json.dumps(store.get(i).config, sort_keys=True) for i, seed in ended.items() if seed != 5}
    assert "Queued 4 runs again." in [t.value for t in at.toast]
    # nothing left to run again: neither button, each run pointing at its copy
    assert not any(b.label == "Run again" for b in at.button) and not any(b.key == "cmp_again_all" for b in at.button)


def _compare_on_ended_runs(home: Path, monkeypatch, runs: list, batch: str) -> AppTest:
    """Compare at desk d1, whose launch ``batch`` holds ``runs`` ((config, status) each, ended so: a succeeded one
    with its accuracy, any other with the error 'out of memory'), beside a worker that trains nothing."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    store = RunStore(home)
    for cfg, status in runs:
        rid = store.create_run(cfg, batch_id=batch)
        store.claim(rid, "cpu")
        store.finish(rid, status, error=None if status == SUCCEEDED else "out of memory",
                     metrics={"test_accuracy": 0.5, "test_macro_f1": 0.5} if status == SUCCEEDED else {})
    (home / "desks" / "d1").mkdir(parents=True, exist_ok=True)
    (home / "desks" / "d1" / "batches.json").write_text(json.dumps([batch]))
    at = app_on("app_pages/compare.py", desk="d1")
    assert not at.exception, [x.value for x in at.exception]
    return at


def test_run_all_again_lists_three_kinds_of_ended_runs_as_a_sentence(tiny_data, bertlab_home, monkeypatch):
    """A copyedit read: the one button for every run that offers Run again joined its kinds with "and" each time,
    so a list holding a failed, an interrupted and a cancelled run read "Run the 3 failed and interrupted and
    cancelled runs again". Three kinds now read as a list: "failed, interrupted and cancelled"."""
    from bertlab.store import CANCELLED, INTERRUPTED
    from bertlab.strategies import make_config

    at = _compare_on_ended_runs(bertlab_home, monkeypatch, [
        (make_config("tfidf_logreg", data=tiny_data, seed=seed), status)
        for seed, status in ((1, FAILED), (2, INTERRUPTED), (3, CANCELLED))], "b3")
    assert at.button(key="cmp_again_all").label == "Run the 3 failed, interrupted and cancelled runs again"


def test_run_again_asks_first_for_a_run_launched_at_another_desk(tiny_data, bertlab_home, monkeypatch):
    """A failed run launched at another desk (a teacher's, or the CLI's): its own Run again queued it again on the
    shared worker at one click, while the button for all such runs and Cancel ask first. It asks too; one's own
    run's does not."""
    from bertlab.jobs import JobManager
    from bertlab.store import FAILED
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    store = RunStore(bertlab_home)
    bad = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-teacher")
    store.claim(bad, "cpu")
    store.finish(bad, FAILED, error="out of memory: try a smaller batch")
    student = app_on("app_pages/compare.py")
    assert not student.exception, [x.value for x in student.exception]
    assert not [b for b in student.button if b.label == "Run again"]  # no one-click button
    assert any(m.value.startswith("Launched from another browser or from the command line") and "running it again "
               "queues it on the one worker every desk shares" in m.value for m in student.markdown)
    assert [r.status for r in store.list_runs(batch_id="b-teacher")] == ["failed"]
    student.button(key=f"again_{bad}").click().run()  # "Run it again for everyone", in the popover
    assert sorted(r.status for r in store.list_runs(batch_id="b-teacher")) == ["failed", "queued"]
    (bertlab_home / "desks" / "teacher").mkdir(parents=True)
    (bertlab_home / "desks" / "teacher" / "batches.json").write_text('["b-teacher"]')
    other = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4), batch_id="b-teacher")
    store.claim(other, "cpu")
    store.finish(other, FAILED, error="out of memory")
    teacher = app_on("app_pages/compare.py", desk="teacher")
    assert [b.key for b in teacher.button if b.label == "Run again"] == [f"again_{other}"]


def test_a_class_used_once_is_left_out_from_the_data_page_on_request():
    rows = [f"review number {i} here,{('pos', 'neg')[i % 2]}" for i in range(60)] + ["odd one out,mixed"]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("stray.csv", ("text,label\n" + "\n".join(rows)).encode(), "text/csv")).run()
    assert [e.value for e in at.error] and at.error[0].value.startswith("class 'mixed' has 1 example")
    at.button(key="drop_rare_go").click().run()
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Classes"] == "2"
    box = next(c for c in at.checkbox if c.label == "Leave out the classes with fewer than 3 examples")
    assert box.value is True
    assert any(c.value.startswith("This dataset is small") for c in at.caption)  # the sizes see the classes kept
    # the class left out is said in the notes, not counted as examples 'in no split' (a review: "1 of the 61")
    assert not any("in no split" in c.value for c in at.caption)
    assert at.session_state["keep_data_config"]["drop_rare"] is True
    page = " ".join(str(x.value) for x in [*at.markdown, *at.caption, *at.info])
    assert "left out 1 class with fewer than 3 examples" in page and "'mixed'" in page
    at.switch_page("app_pages/train.py").run()  # the Train page's classes and label sentences are the two left
    no_problems(at)
    at.switch_page("app_pages/data.py").run()
    at.radio(key="keep_source").set_value("Built-in").run()  # another dataset starts without the choice
    no_problems(at)
    assert at.session_state["keep_data_config"]["drop_rare"] is False


def test_an_upload_with_its_own_split_column_is_split_by_it_unless_drawn_is_chosen():
    labels = ("pos", "neg", "mid")
    parts = ("train", "train", "test", "validation")
    rows = [f"review number {i} was {labels[i % 3]},{labels[i % 3]},{parts[(i // 3) % 4]}" for i in range(240)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("own.csv", ("text,label,split\n" + "\n".join(rows)).encode(), "text/csv")).run()
    no_problems(at)
    (split,) = [s for s in at.selectbox if s.label == "Split"]
    assert split.value == "split" and split.options == ["drawn (stratified, by seed)", "the file's own: column split"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Train"], metrics["Validation"], metrics["Test"]) == ("120", "60", "60")
    assert md("the file's own split (column 'split'): 120 train, 60 validation and 60 test rows") in at.info[0].value
    assert not [w for w in at.warning if "test rows of this data's own split" in w.value]  # 60 fit under 500
    assert at.session_state["keep_data_config"]["split_column"] == "split"
    split.set_value("drawn (stratified, by seed)").run()
    no_problems(at)
    assert at.session_state["keep_data_config"]["split_column"] is None
    assert {m.label: m.value for m in at.metric}["Test"] == "48"  # a fifth of 240, drawn
    assert "the file's own split" not in " ".join(i.value for i in at.info)


def test_an_upload_whose_split_column_marks_only_some_rows_warns_of_the_rows_left_out():
    """A team's ticket file with a split column for half its rows: the other half was left out with a line among
    the cleaning notes (a review: 1,510 of 3,013 rows), under the chart; now a warning beside the numbers."""
    labels = ("pos", "neg", "mid")
    parts = ("train", "train", "test", "validation", "", "")
    rows = [f"review number {i} was {labels[i % 3]},{labels[i % 3]},{parts[(i // 3) % 6]}" for i in range(240)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("half.csv", ("text,label,split\n" + "\n".join(rows)).encode(), "text/csv")).run()
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Examples (cleaned)"] == "162"
    (w,) = [w for w in at.warning if "no value in the split column" in w.value]
    assert md("dropped 78 of 240 rows (32%) with no value in the split column 'split'") in w.value
    assert md("the Data page's Split: drawn") in w.value
    assert not [i for i in at.info if "no value in the split column" in i.value]  # said once


def test_a_hub_datasets_own_test_split_is_chosen_on_the_data_page(monkeypatch):
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    feats = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
    splits = {name: datasets.Dataset.from_dict({"text": [f"{name} review {i}" for i in range(n)],
                                                "label": [i % 2 for i in range(n)]}, features=feats)
              for name, n in (("train", 90), ("test", 40))}
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: splits[split])
    at = app_on()
    at.radio(key="keep_source").set_value("Hub dataset").run()
    at.text_input(key="keep_hub_name").set_value("someone/reviews").run()
    at.text_input(key="keep_hub_test_split").set_value("test").run()
    next(b for b in at.button if b.label == "Load from the hub").click().run()
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Test"] == "40"
    assert at.session_state["keep_data_config"]["hub_test_split"] == "test"
    at.text_input(key="keep_hub_test_split").set_value("nope").run()
    next(b for b in at.button if b.label == "Load from the hub").click().run()
    assert at.error and "nope" in at.error[0].value  # a split the dataset lacks: said, with the button
    # and still said on the next rerun (a sidebar's refresh while runs train took it away within seconds), without
    # trying again; gone once the inputs change
    loads = []
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: loads.append(a) or splits[k.get("split")])
    at.run()
    assert at.error and "nope" in at.error[0].value and loads == []
    at.text_input(key="keep_hub_test_split").set_value("").run()
    assert not at.error


def test_a_workbook_with_a_number_for_a_header_still_offers_its_own_split():
    """Excel keeps a header of 2020 as the number 2020: looking for a split column by the pickers' names crashed."""
    import io

    import pandas as pd

    labels, parts = ("pos", "neg"), ("train", "train", "test")
    df = pd.DataFrame({"text": [f"review number {i} was {labels[i % 2]}" for i in range(60)],
                       "label": [labels[i % 2] for i in range(60)], 2020: list(range(60)),
                       "split": [parts[(i // 2) % 3] for i in range(60)]})
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("book.xlsx", buf.getvalue(), "application/octet-stream")).run()
    no_problems(at)
    assert next(s for s in at.selectbox if s.label == "Split").value == "split"
    assert {m.label: m.value for m in at.metric}["Test"] == "20"


def test_a_size_that_cuts_the_files_own_test_set_says_so_beside_the_numbers():
    """A persona: an 850-row test split showed as 500 under the Quick demo, said in one cleaning note only."""
    labels = ("pos", "neg")
    rows = [f"review number {i} was {labels[i % 2]},{labels[i % 2]},{'test' if i < 700 else 'train'}"
            for i in range(1000)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("own.csv", ("text,label,split\n" + "\n".join(rows)).encode(), "text/csv")).run()
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Test"] == "500"  # the Quick demo's cap
    (cut,) = [w.value for w in at.warning if "test rows of this data's own split" in w.value]
    assert cut.startswith("The test cap (500) takes 500 of the 700 test rows of this data's own split")
    at.radio(key="keep_preset").set_value("All data").run()
    assert {m.label: m.value for m in at.metric}["Test"] == "700"
    assert not [w for w in at.warning if "test rows of this data's own split" in w.value]


def test_an_upload_whose_split_column_says_eval_is_refused_with_the_values_not_silently_drawn():
    """A persona's file: split = train / eval / test. The column was passed over (not every value named a part)
    and a split was drawn without a word: the file's held-out rows trained on, its test set replaced."""
    labels = ("pos", "neg")
    parts = ("train", "train", "eval", "test")
    rows = [f"review number {i} was {labels[i % 2]},{labels[i % 2]},{parts[(i // 2) % 4]}" for i in range(240)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("own.csv", ("text,label,split\n" + "\n".join(rows)).encode(), "text/csv")).run()
    (split,) = [s for s in at.selectbox if s.label == "Split"]
    assert split.value == "split"  # found, though one value names no part
    shown = " ".join(e.value for e in at.error)
    assert md("holds values that name no part: 'eval' (60)") in shown and md("Split: drawn") in shown
    split.set_value("drawn (stratified, by seed)").run()  # the way out it names
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Test"] == "48"


def test_accuracy_vs_cost_cards_and_playground_open_on_the_batch_compare_shows(tiny_model, tiny_data, bertlab_home):
    """Two personas: after a CLI run (or a colleague's launch) made since, Accuracy vs cost opened on that newer
    batch, and stayed there after Compare was switched back to the class's dataset: another dataset's verdict."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore()
    for batch in ("mine", "theirs"):  # 'theirs' is newer
        for strategy in ("tfidf_logreg", "zero_shot"):
            rid = store.create_run(make_config(strategy, model=tiny_model, data=tiny_data, max_length=32),
                                   batch_id=batch)
            assert execute_run(store, rid) == SUCCEEDED
    (bertlab_home / "desks" / "d9").mkdir(parents=True)
    (bertlab_home / "desks" / "d9" / "batches.json").write_text('["mine"]')

    def costs_batch(at):  # the list labelled as Compare's, which picks the same (it read "Runs (one launch or one sweep)")
        return next(s.value for s in at.selectbox if s.label == "Batch (one launch or sweep)")

    at = app_on("app_pages/costs.py", desk="d9")  # a reload at the desk that launched 'mine'
    no_problems(at)
    assert costs_batch(at) == "mine"
    at.switch_page("app_pages/playground.py").run()
    assert {store.get(i).batch_id for i in at.session_state["keep_pg_runs"]} == {"mine"}
    # Compare switched to the other batch: the other pages follow it
    at.switch_page("app_pages/compare.py").run()
    assert at.selectbox[0].value == "mine" and at.selectbox[0].label == "Batch (one launch or sweep)"
    at.selectbox[0].set_value("theirs").run()
    at.switch_page("app_pages/costs.py").run()
    assert costs_batch(at) == "theirs"
    assert app_on("app_pages/costs.py").selectbox[0].value == "theirs"  # a new desk: the newest, as before


def test_runs_no_seed_changes_name_their_split_seed_where_a_batch_has_several(tiny_model, tiny_data):
    """A teacher's sweep: zero_shot and tfidf_logreg read only 'n=32' twice, with different accuracies (each seed
    of a sweep draws its own split); the report's seed column showed '-' for them."""
    from dataclasses import replace

    from bertlab import report
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore()
    ids = []
    for seed in (0, 1):
        rid = store.create_run(make_config("tfidf_logreg", data=replace(tiny_data, seed=seed), seed=seed),
                               batch_id="sw")
        assert execute_run(store, rid) == SUCCEEDED
        ids.append(rid)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    shown = " ".join(m.value for m in at.markdown)
    assert "split seed 0" in shown and "split seed 1" in shown
    page = report.build_html(store, ids)
    assert "<th>split seed</th>" in page


def test_the_data_page_says_where_the_examples_no_split_holds_went():
    """A persona's 1,200-row file on the Quick demo: 500 / 120 / 240 and 340 examples used nowhere, unsaid; a
    teacher's bbc_news: Test 425 beside 'cap: 500', unexplained."""
    rows = [f"review number {i} was {('good', 'bad')[i % 2]},{('pos', 'neg')[i % 2]}" for i in range(1200)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("big.csv", ("text,label\n" + "\n".join(rows)).encode(), "text/csv")).run()
    no_problems(at)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Train"], metrics["Validation"], metrics["Test"]) == ("500", "120", "240")
    note = next(c.value for c in at.caption if "in no split" in c.value)
    assert note == ("The test split is about a fifth of the examples (240), under its cap of 500. 340 of the 1,200 "
                    "examples are in no split: this size caps train at 500. *All data* uses every one (a longer "
                    "run).")
    # the split's note that the test cap is more than the 240 there: said by this caption, not again below it
    assert not any("test cap (test_size)" in i.value for i in at.info)
    at.radio(key="keep_preset").set_value("All data").run()
    no_problems(at)
    assert not any("in no split" in c.value or "about a fifth" in c.value for c in at.caption)
    # a review's 6-row file: 2 / 2 / 2 read "about a fifth of the examples (2)"
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    six = "text,label\n" + "\n".join(f"review {w} here,{('pos', 'neg')[i % 2]}"
                                      for i, w in enumerate("one two three four five six".split()))
    at.file_uploader[0].set_value(("six.csv", six.encode(), "text/csv")).run()
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Test"] == "2"
    said = " ".join(c.value for c in at.caption)
    warned = " ".join(w.value for w in at.warning)  # the rare-class warning said "about a fifth" too (a diff review)
    assert "about a fifth" not in said and "about a fifth" not in warned
    assert "The test split is 2 of the 6 examples (33%): more test texts need a larger file." in warned
    assert ("The test split is 2 of the 6 examples (33%), under its cap of 500: more than the usual fifth, as each "
            "split keeps at least one example of every class.") in said


def test_a_column_pick_that_did_not_load_is_said_when_the_data_page_comes_back_at_the_data_in_use():
    """A review: 'id' picked as the label (300 values, refused), then Train, then Data again: the picker showed
    'stars' and the error was gone, without a word that the pick had been undone."""
    rows = "\n".join(f"{i},review number {i} was {('good', 'bad')[i % 2]},{1 + i % 5}" for i in range(300))
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("idstars.csv", ("id,body,stars\n" + rows).encode(), "text/csv")).run()
    no_problems(at)
    next(s for s in at.selectbox if s.label == "Label column").set_value("id").run()
    # (said as a column with a different value for each text since c9d9d00 ran that check first: it read "300
    # distinct values for 300 texts, fewer than 3 a class")
    assert any("a different value for each of its 300 texts" in e.value for e in at.error)
    assert not any("Your last pick" in i.value for i in at.info)  # the error says it, on the page itself
    at.switch_page("app_pages/train.py").run()
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    assert next(s for s in at.selectbox if s.label == "Label column").value == "stars"
    undone = next(i.value for i in at.info if "Your last pick" in i.value)
    assert "a different value for each of its 300 texts" in undone and "The pickers are back at the data in use: text column 'body', " \
        "label column 'stars'." in undone
    at.run()  # the data in use loaded again: said once
    assert not any("Your last pick" in i.value for i in at.info)


def test_the_train_page_suggests_sentences_where_zero_shot_would_compare_texts_with_bare_label_names(tiny_data):
    """A persona's upload: zero_shot's descriptions defaulted to 'fresh' and 'rotten' and it scored under the
    majority class; the Train page never said they could be sentences."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "tfidf_logreg"]).run()
    no_problems(at)
    hint = [c.value for c in at.caption if "bare label names" in c.value]
    assert hint and "open **zero_shot** above to write them" in hint[0]
    # written as sentences: nothing to say
    for t in at.text_input:
        if (t.key or "").startswith("keep_desc_"):
            t.set_value(f"A text that reads as {t.label}.")
    at.run()
    assert not any("bare label names" in c.value for c in at.caption)
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    assert not any("bare label names" in c.value for c in at.caption)


def test_the_train_page_launches_balanced_class_weights_for_the_strategies_that_train(tiny_model, tiny_data,
                                                                                       bertlab_home, monkeypatch):
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "tfidf_logreg"]).run()
    at.checkbox(key="keep_class_weights").check().run()
    no_problems(at)
    next(b for b in at.button if b.label.startswith("Launch 2 runs")).click().run()
    no_problems(at)
    got = {r.strategy: r.config.get("class_weights") for r in RunStore(bertlab_home).list_runs()}
    assert got == {"tfidf_logreg": "balanced", "zero_shot": "none"}  # zero_shot trains on no label
    cmp = app_on("app_pages/compare.py")
    assert "balanced classes" in " ".join(m.value for m in cmp.markdown)
    # the batch's title names it too: a plain launch of the same strategies beside it would read the same
    assert any("tfidf_logreg (balanced)" in str(o) for s in cmp.selectbox for o in s.options)


def test_compare_says_why_runs_on_two_files_get_no_answer(tiny_data, bertlab_home, tmp_path):
    from dataclasses import replace

    from bertlab.strategies import make_config

    copy = tmp_path / "tickets.csv"
    copy.write_bytes(Path(tiny_data.name).read_bytes())
    store = RunStore(bertlab_home)
    for name, data in (("zero_shot", tiny_data), ("tfidf_logreg", replace(tiny_data, name=str(copy)))):
        rid = store.create_run(make_config(name, data=data), batch_id="b-two")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert any(i.value.replace("\\", "").startswith("No answer for these runs: they were trained and tested on "
                                                     "different data (tickets.csv, tiny.csv)")
               for i in at.info), [i.value for i in at.info]


def test_compare_says_why_one_finished_run_beside_a_failed_one_gets_no_answer(tiny_data, bertlab_home):
    """One run succeeded, one failed: nothing at all under "Which one to use?" (a review)."""
    from bertlab.store import FAILED
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for name, status in (("zero_shot", SUCCEEDED), ("tfidf_logreg", FAILED)):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b-one")
        store.claim(rid, "cpu")
        store.finish(rid, status, **({"metrics": {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                                      "costs": {"train_seconds": 1.0, "train_flops": 1e6}} if status == SUCCEEDED
                                     else {"error": "ValueError: boom"}))
    at = app_on("app_pages/compare.py")
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["failed: ValueError\\: boom"]  # the failed run's own line, as ever
    assert any(i.value.replace("\\", "").startswith("No answer yet: only zero_shot finished, so there is nothing to "
                                                     "compare it with. Ended without a result: tfidf_logreg (failed: "
                                                     "ValueError: boom)") for i in at.info), [i.value for i in at.info]


def test_pick_runs_starts_from_the_batch_on_screen(tiny_data, bertlab_home):
    """A persona chose an older batch, then switched Pick runs on: the list held the newest launch's runs."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = {}
    for batch in ("b0", "b1"):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id=batch)
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6})
        ids[batch] = rid
        time.sleep(0.01)
    at = app_on("app_pages/compare.py")
    assert at.selectbox[0].value == "b1"
    at.selectbox[0].set_value("b0").run()
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    no_problems(at)
    assert at.multiselect[0].value == [ids["b0"]]


def two_settings_in_two_launches(tiny_data, home) -> dict[str, str]:
    """Two finished tfidf_logreg runs, one with word pairs (ngram_max 2) and one without, launched apart (batches
    b0 and b1): {batch: run id}."""
    from bertlab.strategies import make_config

    store = RunStore(home)
    ids = {}
    for batch, ngram in (("b0", 1), ("b1", 2)):
        ids[batch] = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": ngram}),
                                      batch_id=batch)
        store.claim(ids[batch], "cpu")
        store.finish(ids[batch], SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8,
                                                     "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        time.sleep(0.01)
    return ids


def test_runs_picked_on_compare_are_what_the_other_pages_show_and_stay_picked(tiny_data, bertlab_home):
    """A persona picked two launches' runs on Compare (head_only at two learning rates); Accuracy vs cost, the
    Strategy cards and the Playground each opened on one launch, and back on Compare the switch was off."""
    ids = two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value([ids["b0"], ids["b1"]]).run()
    no_problems(at)
    at.switch_page("app_pages/costs.py").run()
    no_problems(at)
    assert at.selectbox[0].value == "picked on Compare" and "Runs picked on Compare · 2 runs" in at.selectbox[0].options
    # the list holds the picks beside the batches, and its label says so (it read "Runs (one launch or one sweep)")
    assert at.selectbox[0].label == "Batch (one launch or sweep), or the runs picked on Compare"
    table = next(d.value for d in at.dataframe if "strategy" in d.value.columns)
    assert sorted(table["strategy"]) == ["tfidf_logreg (ngram_max 1)", "tfidf_logreg (ngram_max 2)"]
    at.switch_page("app_pages/teaching.py").run()
    at.radio(key="keep_tc_strategy").set_value("tfidf_logreg").run()
    no_problems(at)
    lines = [m.value for m in at.markdown if "test accuracy" in m.value]
    assert len(lines) == 2 and "Runs picked on Compare" in " ".join(m.value for m in at.markdown)
    at.switch_page("app_pages/playground.py").run()
    no_problems(at)
    assert sorted(at.multiselect(key="keep_pg_runs").value) == sorted(ids.values())
    at.switch_page("app_pages/compare.py").run()
    assert at.toggle(key="keep_cmp_pick").value and at.multiselect(key="keep_cmp_runs").value == [ids["b0"], ids["b1"]]


def test_compare_pick_runs_names_picked_runs_deleted_elsewhere(tiny_data, bertlab_home):
    """A classroom review: a student picked runs of two launches on Compare; another desk deleted one of them, and at
    the next refresh the picks shrank without a word (the batch mode and the Playground say so)."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    ids = two_settings_in_two_launches(tiny_data, bertlab_home)
    store = RunStore(bertlab_home)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value([ids["b0"], ids["b1"]]).run()
    no_problems(at)
    title = at.multiselect(key="keep_cmp_runs").format_func(ids["b0"])
    assert not any("been deleted" in i.value for i in at.info)
    store.delete_finished([ids["b0"]])  # another desk's Delete
    at.run()
    no_problems(at)
    assert at.multiselect(key="keep_cmp_runs").value == [ids["b1"]]
    said = [i.value for i in at.info if "been deleted" in i.value]
    assert said and md(title) in said[0] and said[0].startswith("The run picked here")
    assert "the others picked are shown" in said[0]
    at.run()  # the next refresh still says why the picks changed
    assert any("been deleted" in i.value for i in at.info)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b2")  # another launch, unpicked
    assert execute_run(store, rid) == SUCCEEDED
    store.delete_finished([ids["b1"]])  # the last run picked: nothing picked is left to show
    at.run()
    no_problems(at)
    said = [i.value for i in at.info if "been deleted" in i.value]
    assert said and "pick others above" in said[0]
    # picks changed by hand: said no more
    at.multiselect(key="keep_cmp_runs").set_value([rid]).run()
    no_problems(at)
    assert not any("been deleted" in i.value for i in at.info)


def test_compare_picks_older_than_the_runs_listed_are_not_called_gone(tiny_data, bertlab_home, monkeypatch):
    """A picked run that is still stored but older than the newest runs Compare lists (common.RUNS_LISTED) is not
    said to have been deleted: only a run the store no longer has is (the page's caption says where older ones are)."""
    from app_pages import common

    ids = two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value([ids["b0"], ids["b1"]]).run()
    no_problems(at)
    monkeypatch.setattr(common, "RUNS_LISTED", 1)  # b0 is now older than the runs listed
    at.run()
    no_problems(at)
    assert at.multiselect(key="keep_cmp_runs").value == [ids["b1"]]
    assert not any("been deleted" in i.value for i in at.info)


def test_the_results_tables_run_column_is_as_wide_as_its_longest_name(tiny_data, bertlab_home):
    """'head_only (lr 0.001) · 0cd3' was cut to 'head_only (lr 0.001' in the 120-px run column: two seeds read
    alike."""
    import json

    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for c in (1.0, 10.0):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"C": c, "ngram_max": 2}),
                               batch_id="b1")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = next(d for d in at.dataframe if "run" in d.value.columns and "macro-F1" in d.value.columns)
    longest = max(len(n) for n in table.value["run"])
    assert longest > 15 and "(C 10" in " ".join(table.value["run"])  # the premise: names longer than 120 px hold
    width = json.loads(table.proto.columns)["run"]["width"]
    assert width >= 8 * longest  # about 8 px a character at the table's type size


def test_pickers_name_each_runs_setting(tiny_data, bertlab_home):
    """Compare's Pick runs, the Playground's and the export's pickers said 'tfidf_logreg · 1a2b' for both settings."""
    two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    no_problems(at)
    assert sum("tfidf_logreg (ngram_max " in o for o in at.multiselect(key="keep_cmp_runs").options) == 2
    at.switch_page("app_pages/playground.py").run()
    no_problems(at)
    assert sum("tfidf_logreg (ngram_max " in o for o in at.multiselect(key="keep_pg_runs").options) == 2


def test_one_launch_compares_a_strategy_at_several_learning_rates(tiny_model, tiny_data, bertlab_home, monkeypatch):
    """An engineer asking "does tuning matter on my data?": the strategies picker takes a strategy once and its
    panel one learning rate, so two rates took two launches, and Compare opened on the second alone."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "head_only"]).run()
    # right under head_only's learning rate; zero_shot takes none
    field = at.text_input(key="keep_hp_head_only_more_lrs")
    assert field.label == "Also compare at learning rates" and field.placeholder == "e.g. 3e-3, 3e-2"
    assert not [t for t in at.text_input if t.key == "keep_hp_zero_shot_more_lrs"]
    field.set_value("3e-3, 3e-2").run()
    at.number_input(key="keep_repeats").set_value(2).run()
    no_problems(at)
    # strategies x learning rates x seeds: zero_shot once, head_only 3 rates x 2 seeds
    assert next(b for b in at.button if b.label.startswith("Launch")).label == "Launch 7 runs"
    plan = next(c.value for c in at.caption if "learning rates" in c.value and "Compare weighs" in c.value)
    assert "**head_only** at 3 learning rates, 0.01, 0.003 and 0.03, × 2 seeds: 6 runs" in plan
    next(b for b in at.button if b.label == "Launch 7 runs").click().run()
    no_problems(at)
    runs = RunStore(bertlab_home).list_runs()
    assert len(runs) == 7 and len({r.batch_id for r in runs}) == 1  # one batch: Compare opens on all of them
    got = sorted((r.config["learning_rate"], r.config["seed"]) for r in runs if r.strategy == "head_only")
    assert got == [(0.003, 0), (0.003, 1), (0.01, 0), (0.01, 1), (0.03, 0), (0.03, 1)]
    # named as Compare names them, not "head_only ×6"
    assert ("Queued 7 runs: zero_shot, head_only (lr 0.01) ×2, head_only (lr 0.003) ×2, head_only (lr 0.03) ×2"
            in at.success[0].value)
    at.run()  # the sidebar's job queue names them so too ("head_only · 5289 queued" said no rate)
    queue = " ".join(c.value for c in at.sidebar.caption)
    assert all(f"head_only (lr {lr}) · " in queue for lr in ("0.01", "0.003", "0.03")), queue
    cmp = app_on("app_pages/compare.py", desk=at.query_params["desk"])
    no_problems(cmp)
    shown = " ".join(m.value for m in cmp.markdown)  # each queued run's status line says its rate
    assert all(f"seed {s} · lr {lr}" in shown for lr in ("0.01", "0.003", "0.03") for s in (0, 1)), shown
    assert any("zero_shot, head_only (lr 0.01) ×2, head_only (lr 0.003) ×2, head_only (lr 0.03) ×2" in str(o)
               for s in cmp.selectbox for o in s.options)  # the batch's title, as the launch named them


def test_a_mistake_in_the_learning_rates_to_compare_is_said_at_the_field_and_holds_launch(tiny_model, tiny_data):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    at.text_input(key="keep_hp_full_ft_more_lrs").set_value("3e-5, 3x-4").run()
    assert not at.exception
    assert [e.value for e in at.error] == [md("full_ft: Also compare at learning rates: '3x-4' is not a number; "
                                              "write learning rates separated by commas, e.g. 3e-3, 3e-2.")]
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled
    assert any("Launch waits until full_ft's" in c.value for c in at.caption)
    at.text_input(key="keep_hp_full_ft_more_lrs").set_value("3e-5, 2").run()
    assert md("learning_rate must be above 0 and at most 1 (e.g. 5e-5), got 2.") in at.error[0].value
    at.text_input(key="keep_hp_full_ft_more_lrs").set_value("1e-4").run()  # the rate on the left: one run
    no_problems(at)
    launch = next(b for b in at.button if b.label.startswith("Launch"))
    assert launch.label == "Launch 1 run" and not launch.disabled


def test_one_launch_is_capped_in_learning_rates_and_in_runs(tiny_model, tiny_data, bertlab_home, monkeypatch):
    """A security review: 2,000 rates pasted into head_only's *Also compare at learning rates* with Runs per
    strategy 10 gave an enabled "Launch 20031 runs" (~52 h of the one worker a classroom shares). The field takes at
    most 10 rates (said under it), and a launch over 100 runs (BERTLAB_MAX_RUNS_PER_LAUNCH) waits, saying why."""
    monkeypatch.delenv("BERTLAB_MAX_RUNS_PER_LAUNCH", raising=False)
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "head_only"]).run()
    at.number_input(key="keep_repeats").set_value(10).run()
    field = at.text_input(key="keep_hp_head_only_more_lrs")
    field.set_value(", ".join(f"{k}e-4" for k in range(1, 2001))).run()
    assert [e.value for e in at.error] == [md("head_only: Also compare at learning rates: 2,000 further learning "
                                              "rates given; at most 9 here, 10 with its own, per strategy in one "
                                              "launch (each is a run per seed). Keep the few worth comparing, e.g. "
                                              "3e-3, 1e-2, 3e-2.")]
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled
    # 10 more rates would be 11 with the panel's own, where `run --lr` takes 10 (a diff review): refused too
    field.set_value(", ".join(f"{k}e-4" for k in range(2, 12))).run()
    assert at.error and "10 further learning rates given; at most 9 here" in at.error[0].value.replace("\\", "")
    field.set_value(", ".join(f"{k}e-4" for k in range(2, 11))).run()  # 9 more rates: 10 x 10 seeds + zero_shot
    assert not at.exception and not at.error
    launch = next(b for b in at.button if b.label.startswith("Launch"))
    assert launch.label == "Launch 101 runs" and launch.disabled
    said = [c.value.replace("\\", "") for c in at.caption]
    assert any(c.startswith(":material/block: Launch waits: This launch has 101 runs (strategies x learning rates x "
                            "seeds); the limit is 100 per launch on this server.") and "BERTLAB_MAX_RUNS_PER_LAUNCH"
               in c for c in said), said
    assert RunStore(bertlab_home).list_runs() == []
    monkeypatch.setenv("BERTLAB_MAX_RUNS_PER_LAUNCH", "200")  # the teacher's server allows more
    at.run()
    assert not next(b for b in at.button if b.label.startswith("Launch")).disabled


def _train_page_after_a_20_minute_full_ft(tiny_model, tiny_data, bertlab_home, epochs: int):
    """The Train page set to launch full_ft (max length 32, ``epochs``) where one past full_ft run here took 20
    minutes (its time stored as such): the estimates learn from it. Returns the page, the store and that run's id."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, max_length=32))
    assert execute_run(store, rid) == SUCCEEDED
    store.update(rid, costs={**store.get(rid).costs, "total_seconds": 20 * 60.0})  # here: 20 min a run
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    at.number_input(key="keep_hp_full_ft_epochs").set_value(epochs).run()
    at.number_input(key="keep_hp_full_ft_max_length").set_value(32).run()
    return at, store, rid


def test_an_estimate_with_stop_early_after_says_it_is_the_most_the_run_takes(tiny_model, tiny_data, bertlab_home):
    """full_ft on 150 tweets set to 8 epochs with Stop early after 1 was estimated at ~43 s for the 8 and stopped
    after 5, with nothing said that it might: its estimate counts every epoch, the most it should take. The table
    and the launch's total say "up to", and the basis says why; without patience, "~" as before."""
    at, _, _ = _train_page_after_a_20_minute_full_ft(tiny_model, tiny_data, bertlab_home, epochs=3)
    no_problems(at)
    row = at.table[0].value.iloc[0]
    assert row["estimated time"].startswith("~") and "Stop early" not in row["estimate from"]
    assert any(m.value.startswith("Estimated time for the 1 run, one after another: ~") for m in [*at.caption, *at.warning])
    at.number_input(key="keep_hp_full_ft_patience").set_value(1).run()
    no_problems(at)
    row = at.table[0].value.iloc[0]
    assert row["estimated time"].startswith("up to ~")
    assert row["estimate from"].endswith("; all 3 epochs counted: Stop early after (1) may end it sooner")
    assert any(m.value.startswith("Estimated time for the 1 run, one after another: up to ~")
               and m.value.endswith(" (full_ft may stop early and take less).") for m in [*at.caption, *at.warning])


def test_the_estimate_and_the_long_launch_question_count_every_learning_rate(tiny_model, tiny_data, bertlab_home,
                                                                             monkeypatch):
    """A launch of full_ft at two rates and two seeds is four runs: its estimate and the question before a launch
    of hours count all four, not one per strategy."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    at, store, rid = _train_page_after_a_20_minute_full_ft(tiny_model, tiny_data, bertlab_home, epochs=1)
    no_problems(at)
    assert any(c.value == "Estimated time for the 1 run, one after another: ~20 min." for c in at.caption)
    at.text_input(key="keep_hp_full_ft_more_lrs").set_value("3e-5").run()
    at.number_input(key="keep_repeats").set_value(2).run()
    no_problems(at)
    assert any(w.value == "Estimated time for the 4 runs, one after another: ~80 min." for w in at.warning), \
        [w.value for w in at.warning] + [c.value for c in at.caption]
    next(b for b in at.button if b.label == "Launch 4 runs").click().run()
    assert len(store.list_runs()) == 1  # asked first: ~80 min of full_ft
    assert any("keep this device busy for **~80 min**" in w.value for w in at.warning)
    at.button(key="long_yes").click().run()
    no_problems(at)
    queued = sorted((r.config["learning_rate"], r.config["seed"]) for r in store.list_runs() if r.id != rid)
    assert queued == [(3e-5, 0), (3e-5, 1), (1e-4, 0), (1e-4, 1)]


def test_pick_runs_emptied_stays_empty(tiny_data, bertlab_home):
    """Review: removing the last picked run refilled the list with the batch on screen, so it could not be
    emptied to pick afresh."""
    two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    assert at.multiselect(key="keep_cmp_runs").value  # the batch on screen, to start from
    at.multiselect(key="keep_cmp_runs").set_value([]).run()
    no_problems(at)
    assert at.multiselect(key="keep_cmp_runs").value == []


def test_the_train_page_says_when_other_programs_keep_the_machine_busy(tiny_model, tiny_data, bertlab_home,
                                                                      monkeypatch):
    """A teacher's runs took 2-3x their estimates while other programs kept the 2-core machine busy (load 6), and
    the Train page said nothing. Between two draws of the page it now measures the cores other processes kept busy
    (the app's own work left out) and, from half a core on, says runs will make way for them."""
    from test_pages_sweep import app_on, no_problems

    from bertlab import cpushare

    samples = iter([(100.0, 500.0, 20.0), (110.0, 515.0, 21.0),  # 15 busy core-s in 10 s, 1 of them the app's
                    (111.0, 515.5, 21.2),  # under 2 s later: the last word stands
                    (130.0, 516.0, 22.0)])  # quiet since: no note
    monkeypatch.setattr(cpushare, "sample", lambda cpus=None: next(samples))
    monkeypatch.setattr(cpushare, "cores", lambda: 2)

    def busy(at) -> list[str]:
        return [w.value for w in at.warning if "Other programs" in w.value]

    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})  # the default strategies' table
    no_problems(at)
    assert busy(at) == []  # the first sample: nothing to compare with yet
    at.text_input(key="keep_model").set_value(tiny_model)
    at.multiselect(key="keep_strategies").set_value(["head_only"]).run()
    no_problems(at)
    (note,) = busy(at)
    assert note.startswith("Other programs kept about 1.4 of this machine's 2 cores busy over the last 10 s.")
    at.run()
    assert busy(at) == [note]
    at.run()
    assert busy(at) == []


def test_compares_throughput_chart_says_what_examples_per_second_count_for_each_strategy(tiny_data, bertlab_home):
    """An ML engineer ranked the Training throughput chart's bars as one measure: full_ft counts each text once an
    epoch, head_only once, tfidf_logreg once for each C it fits. The table's column said so in its help only; the
    chart now says it under itself."""
    two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert not any("once per value of C" in c.value for c in at.caption)
    at.segmented_control(key="keep_cost").set_value("train_examples_per_s").run()
    no_problems(at)
    assert any(c.value.startswith("Training examples per second") and "once per value of C" in c.value
               for c in at.caption)


def test_compare_says_under_its_table_and_chart_that_examples_per_second_is_one_measure(tiny_data, bertlab_home):
    """examples/s meant three things (full_ft texts x epochs, head_only each text once, tfidf_logreg each text once
    per C it tried) and said so only in the column's help. tfidf_logreg now counts each text once over its whole
    fit, and the line under the table and the chart's caption say what the column counts, for every strategy."""
    two_settings_in_two_launches(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert any("Examples/s: training texts x epochs per second of training (head_only: each text through its "
               "encoder once; tfidf_logreg: each text once" in c.value for c in at.caption)
    at.segmented_control(key="keep_cost").set_value("train_examples_per_s").run()
    no_problems(at)
    (chart,) = [c.value for c in at.caption if c.value.startswith("Training examples per second")]
    assert "its training texts x epochs, per second of its training time" in chart
    assert "tfidf_logreg counts it once too, over its whole fit" in chart


def test_data_page_preview_shows_a_long_class_name_whole():
    """A newsroom persona on bbc_news: the preview's label column, after the text, had what the text left, and
    'entertainment' read 'entertainm'."""
    at = app_on()
    at.selectbox(key="keep_builtin").set_value("bbc_news").run()
    no_problems(at)
    preview = next(d for d in at.dataframe if "label" in d.value.columns and "text" in d.value.columns)
    assert list(preview.value.columns) == ["label", "text"]
    width = json.loads(preview.proto.columns)["label"].get("width")
    assert isinstance(width, int) and width >= 8 * len("entertainment")  # px: about 8 a character, and padding


def test_the_results_table_rounds_an_accuracy_as_its_status_line_does(tiny_data, bertlab_home):
    """45 of 80 right: the status line and the answer said 56.2% (Python rounds the half to even), the Results
    table 56.3% (its %.1f format rounded 56.25 up). The table now gets the number rounded as the line writes it."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b1")
    store.claim(rid, "cpu")
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 45 / 80, "test_macro_f1": 0.5, "majority_accuracy": 0.5},
                 costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50, "test": 80}})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert any("test accuracy **56.2%**" in m.value for m in at.markdown)
    table = next(d for d in at.dataframe if "test accuracy" in d.value.columns and "macro-F1" in d.value.columns)
    assert list(table.value["test accuracy"]) == [56.2]


def _validation_rows(tiny_data, bertlab_home, kept: dict[str, tuple[float, float | None]]) -> dict[str, dict]:
    """Compare's validation table, by strategy, for one finished run of each strategy in ``kept`` at its
    (validation accuracy, validation loss or None where it kept none)."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for strategy, (acc, loss) in kept.items():
        rid = store.create_run(make_config(strategy, data=tiny_data), batch_id="b1")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.75, "test_macro_f1": 0.7, "majority_accuracy": 0.5,
                                              "val_accuracy": acc, "val_macro_f1": 0.8,
                                              **({"val_loss": loss} if loss is not None else {})},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50, "test": 80}})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = next(d.value for d in at.dataframe if "val loss" in d.value.columns
                 and "test accuracy" not in d.value.columns).set_index("run")  # the validation table
    return {str(k).split(" ")[0]: dict(v) for k, v in table.iterrows()}


def test_the_validation_table_says_n_a_for_a_loss_no_run_kept_as_the_other_tables_do(tiny_data, bertlab_home):
    """The validation table showed "None" for tfidf_logreg's val loss beside a head_only run's, where every other
    table's missing figure reads "n/a" (a review of the themes and screen sizes)."""
    rows = _validation_rows(tiny_data, bertlab_home, {"tfidf_logreg": (0.8125, None), "head_only": (0.8125, 0.4213)})
    assert rows["tfidf_logreg"] == {"val accuracy": "81.2%", "val macro-F1": "0.800", "val loss": "n/a"}, rows
    assert rows["head_only"]["val loss"] == "0.421"


def test_the_validation_tables_text_sorts_as_its_figures_do(tiny_data, bertlab_home):
    """The validation table's figures are text (so that a missing one reads 'n/a'), and a click on a text column's
    header sorts its text: 100.0% came before 81.2% and 9.5% after both, a loss of 12.300 before 2.100 (headless
    Chromium). Ordered as text, the cells are now in the order of their figures, 'n/a' after them, and read the
    same (right-aligned: the padding shows as nothing)."""
    rows = _validation_rows(tiny_data, bertlab_home,
                            {"tfidf_logreg": (1.0, None), "head_only": (0.8125, 12.3), "full_ft": (0.095, 2.1)})

    def by_text(column: str) -> list[str]:
        return [s for _, s in sorted((r[column], s) for s, r in rows.items())]

    assert by_text("val accuracy") == ["full_ft", "head_only", "tfidf_logreg"], rows  # 9.5%, 81.2%, 100.0%
    assert by_text("val loss") == ["full_ft", "head_only", "tfidf_logreg"], rows  # 2.100, 12.300, n/a
    assert {s: r["val accuracy"].strip() for s, r in rows.items()} == {
        "tfidf_logreg": "100.0%", "head_only": "81.2%", "full_ft": "9.5%"}
    assert rows["tfidf_logreg"]["val loss"] == "n/a" and rows["head_only"]["val loss"].strip() == "12.300"


def test_the_warning_for_a_file_of_summaries_reads_as_one_sentence():
    """250 articles and their summaries: the Data page's warning read "Pick the columns yourself: no label column
    found among ['article', 'summary'] (a column with 2-200 distinct values): column 'summary' holds ...", two colons
    in a row; the reason now follows the first clause after a semicolon."""
    rows = [f"Article {i}: the council met on day {i} and talked at length.,Meeting {i}." for i in range(250)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("articles.csv", ("article,summary\n" + "\n".join(rows)).encode(), "text/csv")).run()
    warning = next(w.value for w in at.warning if "Pick the columns yourself" in w.value).replace("\\", "")  # md
    assert "(a column with 2-200 distinct values); column 'summary' holds a different text" in warning, warning
    assert warning.count(": ") == 2, warning  # the page's, and the one in the reason ('Meeting 0.'): a text of its own


def test_a_file_of_summaries_is_refused_once_not_by_a_warning_then_an_error():
    """300 articles and their summaries (a look in Chromium): the warning over the pickers said 'summary' holds a
    text of its own and what to do, then the load's error under them said the same in other words ('the label
    column has a different value for each of its 300 texts ...'). The warning says it once; the error comes back
    where the user has picked the columns (the warning gone), as the only message left."""
    rows = [f"Article {i}: the council met on day {i} and talked at length.,Meeting {i}." for i in range(300)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("articles.csv", ("article,summary\n" + "\n".join(rows)).encode(), "text/csv")).run()
    said = [w.value for w in at.warning if "Pick the columns yourself" in w.value]
    assert len(said) == 1 and "holds a different text in nearly every row" in said[0], said
    assert not [e.value for e in at.error], [e.value for e in at.error]
    assert not any(m.label == "Classes" for m in at.metric)  # still not loaded
    next(s for s in at.selectbox if s.label == "Text column").set_value("summary").run()
    next(s for s in at.selectbox if s.label == "Text column").set_value("article").run()  # picked by hand
    assert not any("Pick the columns yourself" in w.value for w in at.warning)
    assert [e.value for e in at.error if "a different value for each of its 300 texts" in e.value]


def test_an_upload_whose_label_column_is_unclear_starts_from_its_text_and_likeliest_label():
    """id, review, stars: the pickers started at id (text) and review (labels), and the page then offered to leave
    out the 30 "classes" of one review each."""
    rows = [f"{i},{'I loved item' if i % 2 else 'I returned item'} {i} after a week,{i % 2}" for i in range(30)]
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("reviews.csv", ("id,review,stars\n" + "\n".join(rows)).encode(), "text/csv")).run()
    assert any("Pick the columns yourself" in w.value and "'id', 'stars'" in w.value for w in at.warning)
    picked = {s.label: s.value for s in at.selectbox if s.label in ("Text column", "Label column")}
    assert picked == {"Text column": "review", "Label column": "stars"}
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Classes"] == "2"
    at.run()  # drawn again (the columns now kept as the data's): still to check, nothing picked yet
    assert any("Pick the columns yourself" in w.value for w in at.warning)
    next(s for s in at.selectbox if s.label == "Text column").set_value("id").run()
    next(s for s in at.selectbox if s.label == "Text column").set_value("review").run()  # and back: still picked
    assert not any("Pick the columns yourself" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Classes"] == "2"


def test_an_uploads_columns_can_be_changed_after_a_visit_to_another_page_and_survive_its_upload_again():
    """The uploader forgets its file on another page: back on Data, the pickers were gone ("Using the file uploaded
    earlier") and the label could not be changed without uploading again, which then reset it to the detected one."""
    rows = "".join(f"{i},text number {i} about {'goals' if i % 2 else 'votes'},{'sport' if i % 2 else 'politics'},"
                   f"{'pos' if i % 3 else 'neg'}\n" for i in range(60))
    raw = ("id,text,topic,sentiment\n" + rows).encode()
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("three.csv", raw, "text/csv")).run()
    label = next(s for s in at.selectbox if s.label == "Label column")
    first = label.value
    other = "topic" if first != "topic" else "sentiment"
    label.set_value(other).run()
    assert at.session_state["keep_data_config"]["label_column"] == other
    at.switch_page("app_pages/train.py").run()
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    assert any("Using the file uploaded earlier: `three.csv`" in i.value for i in at.info)
    picked = {s.label: s.value for s in at.selectbox if s.label in ("Text column", "Label column", "Split")}
    assert picked == {"Text column": "text", "Label column": other, "Split": "drawn (stratified, by seed)"}
    next(s for s in at.selectbox if s.label == "Label column").set_value(first).run()  # changed without uploading
    no_problems(at)
    assert at.session_state["keep_data_config"]["label_column"] == first
    next(s for s in at.selectbox if s.label == "Label column").set_value(other).run()
    # the same file uploaded again starts at the columns chosen for it, not at the detected ones
    at.file_uploader[0].set_value(("three.csv", raw, "text/csv")).run()
    assert next(s for s in at.selectbox if s.label == "Label column").value == other
    assert at.session_state["keep_data_config"]["label_column"] == other


def test_a_class_with_no_test_row_in_a_files_own_split_is_not_called_rare_in_it():
    """A review: 40 BBC texts whose own split marks no 'tech' row as test read "'tech' is only 0.0% of the test split
    ... so Compare's answer judges by macro-F1" and "only 0 of 'tech'", where Compare judged by accuracy (an absent
    class is not rare in the test set); the split's note says it is never tested."""
    rows = "".join(f"a text about topic {c} number {i},{c},{'test' if i % 4 == 0 and c != 'e' else 'train'}\n"
                   for c in "abcde" for i in range(16))
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("own.csv", ("text,label,split\n" + rows).encode(), "text/csv")).run()
    no_problems(at)
    said = " ".join(str(w.value) for w in [*at.warning, *at.info, *at.caption, *at.markdown])
    assert md("1 class ('e') has no test row in the file's own split (column 'split')") in said
    assert "is only 0.0% of the test split" not in said and "judges by macro-F1" not in said
    assert "0 of 'e'" not in said and "4 of 'a'" in said  # the thin test split: of the classes it holds


def test_fifty_even_classes_are_not_called_imbalanced_and_their_thin_test_split_is_said_briefly():
    rows = "".join(f"a text about topic {i % 50} number {i} with words,topic_{i % 50}\n" for i in range(1000))
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("fifty.csv", ("text,label\n" + rows).encode(), "text/csv")).run()
    no_problems(at)
    said = " ".join(w.value for w in [*at.warning, *at.info, *at.caption, *at.markdown])
    assert "is only 2.0% of the test split" not in said and "judges by macro-F1" not in said
    thin = next(w.value for w in at.warning if "The test split has only" in w.value)
    assert "and 44 more classes with fewer than 20 each" in thin and thin.count(" of '") == 6


def test_a_header_only_workbook_is_said_on_the_data_page_not_a_traceback():
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame(columns=["text", "label"]).to_excel(buf, index=False)
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("header.xlsx", buf.getvalue(), "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("header.xlsx has a header (text, label) but no data rows." in e.value.replace("\\", "") for e in at.error)


def test_leaving_out_rare_classes_is_not_offered_where_it_would_leave_fewer_than_two():
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    rows = [f"review number {i} here,{'pos' if i < 30 else 'odd'}" for i in range(31)]
    at.file_uploader[0].set_value(("two.csv", ("text,label\n" + "\n".join(rows)).encode(), "text/csv")).run()
    assert at.error[0].value.startswith("class 'odd' has 1 example") and "fewer than two classes" in at.error[0].value
    assert not [b for b in at.button if b.key == "drop_rare_go"]


def test_accuracy_vs_cost_of_runs_on_two_datasets_shows_one_dataset_at_a_time(tiny_data, bertlab_home):
    """Runs picked on Compare from two datasets made one front and one table over both: bbc_news's 98% beside
    rotten_tomatoes' 72%, as if the gap were the strategies'. The page asks which dataset."""
    from dataclasses import replace

    from bertlab.config import upload_display_name
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for i, (strategy, data) in enumerate((("tfidf_logreg", tiny_data),
                                          ("head_only", replace(tiny_data, source="builtin", name="tweets")))):
        rid = store.create_run(make_config(strategy, data=data), batch_id="b0")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8 - i / 10, "test_macro_f1": 0.8,
                                              "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
    at = app_on("app_pages/costs.py")
    no_problems(at)
    (pick,) = [w for w in at.get("button_group") if w.label == "Dataset"]
    first = upload_display_name(tiny_data.name)
    assert sorted(pick.options) == sorted([first, "tweets"]) and pick.value == sorted([first, "tweets"])[0]

    def strategies() -> set:
        return {s for d in at.dataframe if "strategy" in d.value.columns for s in d.value["strategy"]}

    assert strategies() == ({"tfidf_logreg"} if pick.value == first else {"head_only"})
    pick.set_value("tweets").run()
    no_problems(at)
    assert strategies() == {"head_only"}


def test_runs_picked_from_two_datasets_each_say_their_dataset(tiny_data, bertlab_home):
    """Pick runs across two datasets: the status lines read alike ("tfidf_logreg · 1a2b") with nothing saying which
    data each run was on."""
    from dataclasses import replace

    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = []
    for i, data in enumerate((tiny_data, replace(tiny_data, source="builtin", name="tweets"))):
        rid = store.create_run(make_config("tfidf_logreg", data=data), batch_id=f"b{i}")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        ids.append(rid)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value(ids).run()
    no_problems(at)
    lines = [m.value for m in at.markdown if "<b>tfidf_logreg</b>" in m.value]
    assert len(lines) == 2 and any("tweets" in v for v in lines) and any(
        make_config("tfidf_logreg", data=tiny_data).data.label in v for v in lines), lines


def test_compare_lists_the_oldest_batch_it_offers_whole_and_says_older_ones_are_not_listed(tiny_data, monkeypatch):
    """A review: with more runs than Compare read (300), the oldest batch listed showed 10 of its 11 runs and the
    batch before it was gone, without a word."""
    from app_pages import common
    from bertlab.strategies import make_config

    store = RunStore()
    for batch, names in (("b-old", ("zero_shot", "tfidf_logreg", "head_only")), ("b-new", ("zero_shot", "tfidf_logreg"))):
        for name in names:
            rid = store.create_run(make_config(name, data=tiny_data), batch_id=batch)
            store.claim(rid, "cpu")
            store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.9, "test_macro_f1": 0.9,
                                                  "majority_accuracy": 0.5},
                         costs={"train_seconds": 1.0, "train_flops": 1e6, "trainable_params": 10})
            time.sleep(0.01)  # created in this order
    monkeypatch.setattr(common, "RUNS_LISTED", 4)  # b-new's 2 and the newest 2 of b-old's 3
    at = app_on("app_pages/compare.py")
    assert not at.exception, [e.value for e in at.exception]
    box = next(s for s in at.selectbox if s.label.startswith("Batch"))
    old = next(o for o in box.options if "head_only" in o)
    assert "zero_shot" in old, box.options  # b-old whole: its oldest run, zero_shot, was cut off
    assert any("Listed: the batches of the newest 4 runs" in c.value for c in at.caption)
    monkeypatch.setattr(common, "RUNS_LISTED", 2000)
    at = app_on("app_pages/compare.py")
    assert not any("Listed: the batches of the newest" in c.value for c in at.caption)


def test_compare_draws_a_chosen_few_of_many_runs_and_folds_their_lines(tiny_data):
    """A review: a batch of 180 runs (20 learning rates x 9 seeds) took 38 s to draw, 180 confusion matrices among
    its charts, and its 180 status lines came first, 27,000 px above them. Of more than CHARTED runs the charts draw
    a chosen few (by default each setting's run of median accuracy), the tables every one; the finished runs' lines
    are folded away."""
    from bertlab.strategies import make_config

    store = RunStore()
    accs = {}
    for lr in (1e-3, 3e-3, 1e-2, 3e-2, 1e-1):
        for seed in range(3):  # 15 runs: 5 settings x 3 seeds
            rid = store.create_run(make_config("head_only", data=tiny_data, learning_rate=lr, seed=seed),
                                   batch_id="many")
            store.claim(rid, "cpu")
            accs[rid] = 0.5 + 0.05 * seed + lr
            store.finish(rid, SUCCEEDED, metrics={"test_accuracy": accs[rid], "test_macro_f1": 0.5,
                                                  "majority_accuracy": 0.5, "confusion": [[5, 5], [5, 5]],
                                                  "label_names": ["neg", "pos"]},
                         costs={"train_seconds": 1.0, "train_flops": 1e6, "trainable_params": 10})
    at = app_on("app_pages/compare.py")
    assert not at.exception, [e.value for e in at.exception]
    pick = next(m for m in at.multiselect if m.label.startswith("Runs drawn in the charts below (15 in this"))
    runs = {r.id: r for r in store.list_runs(limit=None)}
    # one run per learning rate, the median seed (seed 1), best first
    assert [runs[i].config["learning_rate"] for i in pick.value] == [1e-1, 3e-2, 1e-2, 3e-3, 1e-3]
    assert {runs[i].config["seed"] for i in pick.value} == {1}
    assert len(at.get("plotly_chart")) < 15  # not one matrix per run
    shown = " ".join(e.label for e in at.expander)
    assert "The finished and queued runs, a line each" in shown
    # the results table still lists all 15
    table = next(d.value for d in at.dataframe if "run" in d.value.columns and len(d.value) == 15)
    assert len(table) == 15
    # the default follows the runs until the list is edited (a keyed widget kept its first default: the first 12
    # queued runs of a launch, for good)
    seed2 = [i for i in accs if runs[i].config["seed"] == 2]
    for i in seed2:  # seed 2 drops to the middle
        store.update(i, metrics={**runs[i].metrics, "test_accuracy": accs[i] - 0.07})
    at.run()
    pick = next(m for m in at.multiselect if m.label.startswith("Runs drawn in the charts below"))
    assert {runs[i].config["seed"] for i in pick.value} == {2}
    pick.set_value(pick.value[:2]).run()  # edited: it stands
    store.update(seed2[0], metrics={**runs[seed2[0]].metrics, "test_accuracy": 0.01})
    at.run()
    assert len(next(m for m in at.multiselect if m.label.startswith("Runs drawn")).value) == 2


def test_a_label_column_picked_over_an_unsure_guess_is_not_questioned_again_after_a_reload():
    """id, review, stars with 'stars' picked over the guess: after a reload (a new session at the same desk) the
    "Pick the columns yourself" warning came back over the column the user had already picked."""
    rows = [f"{i},{'I loved item' if i % 2 else 'I returned item'} {i} after a week,{i % 2},{i % 3}"
            for i in range(30)]
    at = app_on(desk="reloadpick")
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("reviews.csv", ("id,review,stars,shop\n" + "\n".join(rows)).encode(),
                                   "text/csv")).run()
    assert any("Pick the columns yourself" in w.value for w in at.warning)
    label = next(s for s in at.selectbox if s.label == "Label column")
    other = "shop" if label.value != "shop" else "stars"
    label.set_value(other).run()
    no_problems(at)
    assert not any("Pick the columns yourself" in w.value for w in at.warning)
    again = app_on(desk="reloadpick")  # the reload
    no_problems(again)
    assert next(s for s in again.selectbox if s.label == "Label column").value == other
    assert not any("Pick the columns yourself" in w.value for w in again.warning)


@pytest.mark.parametrize("reload", [False, True])
def test_an_upload_that_did_not_load_is_back_with_its_error_after_another_page_or_a_reload(reload, bertlab_home):
    """A file with two classes of one example each: back from Train (or after a reload) the source had switched to
    the built-in data that loaded last, and "Upload a file" showed an empty uploader; the file, its error and the
    button to leave the classes out were gone."""
    rows = [f"review number {i} here,{('pos', 'neg')[i % 2]}" for i in range(60)] + ["odd one,mixed", "odd two,weird"]
    desk = f"failedup{int(reload)}"
    at = app_on(desk=desk)
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("stray.csv", ("text,label\n" + "\n".join(rows)).encode(), "text/csv")).run()
    assert at.error[0].value.startswith("2 classes have fewer than 3 examples")
    # kept as a run's config keeps its data (config.data_dict): no text_pair_column of single texts, which an older
    # bertlab's DataConfig(**data) refuses (its app at this desk then forgot the failed upload)
    kept = json.loads((bertlab_home / "desks" / desk / "last_upload.json").read_text())["config"]
    assert "text_pair_column" not in kept and DataConfig(**kept).name.endswith("stray.csv")
    if reload:
        at = app_on(desk=desk)
    else:
        at.switch_page("app_pages/train.py").run()
        at.switch_page("app_pages/data.py").run()
    assert at.radio(key="keep_source").value == "Upload a file"
    assert any("Your upload `stray.csv` did not load" in i.value for i in at.info)
    assert [e.value for e in at.error] and at.error[0].value.startswith("2 classes have fewer than 3 examples")
    picked = {s.label: s.value for s in at.selectbox if s.label in ("Text column", "Label column")}
    assert picked == {"Text column": "text", "Label column": "label"}
    at.button(key="drop_rare_go").click().run()
    no_problems(at)
    assert {m.label: m.value for m in at.metric}["Classes"] == "2"
    assert at.session_state["keep_data_config"]["name"].endswith("stray.csv")
    # loaded now: the page opens on it as the data in use, not as an upload that failed
    at.switch_page("app_pages/train.py").run()
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    assert any("Using the file uploaded earlier: `stray.csv`" in i.value for i in at.info)


def test_refused_uploads_are_not_kept_for_good(bertlab_home):
    """A security review: every upload was kept, refused ones too (three one-class uploads: three errors, three
    files in uploads/). A file that does not parse is never stored, and an upload that did not load goes when
    another upload replaces it at the desk, unless something else still names it (here another desk's record)."""
    uploads = bertlab_home / "uploads"

    def upload(at, name: str, body: str):
        at.file_uploader[0].set_value((name, body.encode(), "text/csv")).run()

    one_class = "text,label\n" + "\n".join(f"review number {i} here,pos" for i in range(60))
    at = app_on(desk="uploader")
    at.radio(key="keep_source").set_value("Upload a file").run()
    upload(at, "first.csv", one_class)
    assert at.error and [p.name[13:] for p in uploads.iterdir()] == ["first.csv"]
    upload(at, "second.csv", one_class + "\nanother,pos")
    assert at.error and [p.name[13:] for p in uploads.iterdir()] == ["second.csv"]
    (bertlab_home / "desks" / "other").mkdir(parents=True)  # another desk still names it: kept
    (bertlab_home / "desks" / "other" / "last_upload.json").write_text(json.dumps(
        {"config": {"name": str(next(uploads.iterdir()))}}))
    upload(at, "third.csv", one_class + "\nyet another,pos")
    assert at.error and sorted(p.name[13:] for p in uploads.iterdir()) == ["second.csv", "third.csv"]
    upload(at, "broken.jsonl", "{not json")  # does not parse: never stored
    assert at.error and sorted(p.name[13:] for p in uploads.iterdir()) == ["second.csv", "third.csv"]
    upload(at, "good.csv", one_class + "\n" + "\n".join(f"review number {i} there,neg" for i in range(60)))
    no_problems(at)
    assert sorted(p.name[13:] for p in uploads.iterdir()) == ["good.csv", "second.csv"]


def test_compare_sums_up_sixty_classes_of_two_test_texts_rather_than_listing_them(tiny_data, bertlab_home):
    """60 classes of 2 test texts each: "Few test texts of 'class_0' (2), 'class_1' (2), ..." named all 60."""
    from bertlab.strategies import make_config

    names = [f"class_{i}" for i in range(60)]
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b60")
    store.claim(rid, "cpu")
    per_class = {n: {"recall": 0.5, "precision": 0.5, "f1": 0.5, "support": 2} for n in names}
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.5, "test_macro_f1": 0.5, "majority_accuracy": 1 / 60,
                                          "label_names": names, "per_class": per_class,
                                          "confusion": [[2 * (i == j) for j in range(60)] for i in range(60)]},
                 costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 400, "test": 120}})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    said = next(c.value for c in at.caption if "Few test texts" in c.value)
    assert "Few test texts (all 60 classes have 2 test texts): one text more or less" in said
    assert "class_7" not in said


def test_compares_precision_view_gives_no_figure_where_a_run_never_answered_a_class(tiny_data, bertlab_home):
    """A review of comments, 3% abusive: scratch answered 'ok' to every text, and Compare's Precision view read 0% for
    'abusive', as if each of its answers of 'abusive' were wrong; it gave none (0 right of 0, undefined)."""
    from bertlab.metrics import NEVER_ANSWERED_NOTE, classification_report
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="bnever")
    store.claim(rid, "cpu")
    m = classification_report([0] * 12 + [1] * 363, [1] * 375, ["abusive", "ok"])
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": m["accuracy"], "test_macro_f1": m["macro_f1"],
                                          "majority_accuracy": m["majority_accuracy"], "label_names": ["abusive", "ok"],
                                          "per_class": m["per_class"], "confusion": m["confusion"]},
                 costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 1500, "test": 375}})
    at = app_on("app_pages/compare.py", {"keep_per_class": "precision"})
    no_problems(at)
    table = next(d.value for d in at.dataframe if "abusive (n=12)" in d.value.columns)
    assert table["abusive (n=12)"].isna().all()
    assert any(NEVER_ANSWERED_NOTE in c.value for c in at.caption)
    # Streamlit draws that empty cell as a grey "None" (seen in Chromium), where the note said "no figure is given"
    assert any(f"{NEVER_ANSWERED_NOTE} A cell with no figure reads None in this table." in c.value for c in at.caption)
    at = app_on("app_pages/compare.py", {"keep_per_class": "recall"})
    table = next(d.value for d in at.dataframe if "abusive (n=12)" in d.value.columns)
    assert list(table["abusive (n=12)"]) == [0.0]  # its recall: 0 of 12 found
    assert not any(NEVER_ANSWERED_NOTE in c.value for c in at.caption)


def test_a_new_session_keeps_the_model_last_typed(tiny_model, tiny_data, bertlab_home):
    """A reload used to put "minilm" back in the Model field, and Launch then trained MiniLM with nothing saying so."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    no_problems(at)
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/train.py").run()
    assert at.text_input(key="keep_model").value == tiny_model  # another page and back
    desk = at.query_params["desk"]
    again = app_on("app_pages/train.py", desk=desk)
    no_problems(again)
    assert again.text_input(key="keep_model").value == tiny_model
    assert again.session_state["keep_model"] == tiny_model  # what Launch reads
    fresh = app_on("app_pages/train.py")  # another desk: the default
    assert fresh.text_input(key="keep_model").value == "minilm"


def test_batch_and_run_titles_name_a_model_other_than_the_default():
    """A single-model ALBERT batch read "Dec 05 16:04 · rotten_tomatoes · zero_shot, head_only" on Compare's picker,
    as a MiniLM one did; its runs in the Playground's list too (a review). The default's titles stay as they were."""
    from types import SimpleNamespace

    from app_pages import common

    def run(strategy, model, t=0):
        return SimpleNamespace(id=f"r-{t:04d}", batch_id="b", status="succeeded", created=1.7e9 + t,
                               strategy=strategy, dataset="rotten_tomatoes", model=model, config={})

    albert = [run("zero_shot", "/models/tiny-albert"), run("head_only", "/models/tiny-albert", 1)]
    assert common.batch_title(albert).endswith(" · rotten_tomatoes · tiny-albert · zero_shot, head_only")
    assert common.run_title(albert[1]) == "✓ head_only · 0001 (rotten_tomatoes · tiny-albert)"
    assert common.batch_title(albert, sweep=True).split(" · ", 2)[2].startswith("rotten_tomatoes · tiny-albert · 2 runs")
    # tfidf_logreg reads no model: its run says none, and the batch still says the one the others read
    tfidf = run("tfidf_logreg", "/models/tiny-albert", 2)
    assert common.run_title(tfidf) == "✓ tfidf_logreg · 0002 (rotten_tomatoes)"
    assert " · tiny-albert · " in common.batch_title([*albert, tfidf])
    default = [run("zero_shot", "minilm"), run("head_only", "minilm", 1)]
    assert common.batch_title(default).endswith(" · rotten_tomatoes · zero_shot, head_only")
    assert common.run_title(default[1]) == "✓ head_only · 0001 (rotten_tomatoes)"
    # two models: each run's name says its own (bertlab.variants), the title adds none
    mixed = common.batch_title([albert[0], default[1]])
    assert mixed.count("tiny-albert") == 1 and "zero_shot (tiny-albert)" in mixed


def test_pick_runs_filters_narrow_the_list_by_dataset_strategy_status_and_batch(tiny_data, bertlab_home):
    """A review: with 160 stored runs Pick runs listed every one, with no way to narrow it to one dataset or one
    launch. The filters above it narrow what it offers; the runs picked stay picked (and listed)."""
    from dataclasses import replace

    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    tweets = replace(tiny_data, source="builtin", name="tweets")
    made = {}
    for batch, data, name, status in (("b0", tiny_data, "zero_shot", SUCCEEDED), ("b0", tiny_data, "tfidf_logreg", SUCCEEDED),
                                      ("b1", tweets, "tfidf_logreg", SUCCEEDED), ("b1", tweets, "zero_shot", "cancelled"),
                                      ("b2", tiny_data, "tfidf_logreg", SUCCEEDED)):
        rid = store.create_run(make_config(name, data=data), batch_id=batch)
        store.claim(rid, "cpu")
        store.finish(rid, status, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        made[(batch, name)] = rid
        time.sleep(0.01)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    no_problems(at)

    def offered() -> set[str]:  # the runs the list offers, by their id's tail (each title ends "· a1b2 (data)")
        return {re.search(r"· (\w{4}) \(", o).group(1) for o in at.multiselect(key="keep_cmp_runs").options}

    def tails(*keys) -> set[str]:
        return {made[k][-4:] for k in keys}

    everything = set(made)
    assert offered() == tails(*everything)  # no filter: every run
    picked = [made[("b2", "tfidf_logreg")]]  # the batch on screen
    assert at.multiselect(key="keep_cmp_runs").value == picked
    at.pills(key="keep_cmp_f_data").set_value(["tweets"]).run()
    no_problems(at)
    assert offered() == tails(("b1", "tfidf_logreg"), ("b1", "zero_shot"), ("b2", "tfidf_logreg"))  # + the picked
    at.multiselect(key="keep_cmp_runs").set_value(picked + [made[("b1", "tfidf_logreg")], made[("b1", "zero_shot")]]).run()
    at.pills(key="keep_cmp_f_data").set_value([]).run()
    at.pills(key="keep_cmp_f_strategy").set_value(["zero_shot"]).run()
    at.pills(key="keep_cmp_f_status").set_value([SUCCEEDED]).run()
    no_problems(at)
    # zero_shot runs that succeeded (b0's), and the three picked
    assert offered() == tails(("b0", "zero_shot"), ("b1", "tfidf_logreg"), ("b1", "zero_shot"), ("b2", "tfidf_logreg"))
    assert len(at.multiselect(key="keep_cmp_runs").value) == 3
    at.pills(key="keep_cmp_f_strategy").set_value([]).run()
    at.pills(key="keep_cmp_f_status").set_value([]).run()
    at.selectbox(key="keep_cmp_f_batch").set_value("b0").run()
    no_problems(at)
    assert offered() == tails(("b0", "zero_shot"), ("b0", "tfidf_logreg"), ("b1", "tfidf_logreg"), ("b1", "zero_shot"),
                              ("b2", "tfidf_logreg"))
    at.multiselect(key="keep_cmp_runs").set_value([]).run()  # nothing picked: the batch's runs alone
    assert offered() == tails(("b0", "zero_shot"), ("b0", "tfidf_logreg"))


def test_a_strategy_not_yet_run_is_estimated_roughly_from_the_encoder_speed_a_past_run_measured(tiny_model, tiny_data,
                                                                                               bertlab_home):
    """A review: full_ft on the full tweets set (~37k texts) showed 'unknown' until the user clicked Measure this
    device's speed, though a zero_shot run had measured the encoder's speed on this device."""
    from types import SimpleNamespace

    from bertlab.estimate import encoder_estimate
    from bertlab.models import pick_device
    from bertlab.strategies import make_config

    device = pick_device().name
    past = SimpleNamespace(status=SUCCEEDED, model="m", device=device, strategy="zero_shot", config={},
                           costs={"device": device, "embedding_seconds": 2.0, "embedded_texts": 120,
                                  "embedding_cache_hits": 20},
                           data_summary={"mean_tokens": 20.0})
    est = encoder_estimate([past], "m", device, (1000.0, 500.0), 30.0)
    # 2 s over 100 texts x 20 tokens: 1 ms a token; 1,000 texts through a step (3 forward passes) and 500 forward
    assert est.seconds == pytest.approx(0.001 * 30 * (3 * 1000 + 500))
    assert est.basis.startswith("rough: the encoder speed zero_shot measured here (1 past run)")
    assert encoder_estimate([past], "other-model", device, (1000.0, 500.0), 30.0) is None
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    table = at.table[0].value.set_index("strategy")  # nothing to go by yet: it says so, and what to click
    assert table.loc["full_ft", "estimate from"].endswith("click Measure this device's speed below"), table
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data))
    store.claim(rid, device)
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.5, "test_macro_f1": 0.5, "majority_accuracy": 0.5},
                 costs={**past.costs, "total_seconds": 3.0, "train_seconds": 0.0},
                 data_summary={"mean_tokens": 20.0, "sizes": {"train": 50, "validation": 20, "test": 20}})
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft", "tfidf_logreg"]).run()
    no_problems(at)
    table = at.table[0].value.set_index("strategy")
    assert table.loc["full_ft", "estimated time"].startswith("~"), table
    assert table.loc["full_ft", "estimate from"].startswith("rough: the encoder speed zero_shot measured here")
    assert table.loc["tfidf_logreg", "estimated time"] == "unknown"  # no encoder: nothing to scale from
    # the button for a closer figure is still offered
    assert [b for b in at.button if b.label.startswith("Measure this device's speed")]


def test_export_of_a_run_whose_saved_model_is_missing_or_damaged_says_so_at_once(tiny_data, bertlab_home):
    """Accuracy vs cost's Export a model: a truncated bertlab_run.json put a JSONDecodeError traceback in the page
    (nothing below it rendered); a full_ft run whose folder was deleted was said to have "no transformers model",
    and only a press of Prepare the zip told it was gone. Now a one-line warning says which, the button disabled."""
    from bertlab.strategies import make_config
    from bertlab.strategies.base import ARTIFACT_META

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("full_ft", data=tiny_data), batch_id="b0")
    store.claim(rid, "cpu")
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                 costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})

    def export_part() -> tuple[str, list]:
        at = app_on("app_pages/costs.py")
        no_problems(at)
        (zip_button,) = [b for b in at.button if b.label == "Prepare the zip"]
        captions = " ".join(c.value for c in at.caption)
        assert "no transformers model" not in captions, captions  # false for full_ft
        return " ".join(w.value for w in at.warning), [zip_button.disabled]

    warned, disabled = export_part()  # no runs/<id>/ folder at all
    assert "saved model is missing" in warned and disabled == [True]
    art = store.artifact_path(rid)
    art.mkdir(parents=True)
    (art / ARTIFACT_META).write_text('{\n  "kind": "classifier",\n  "label_na')  # cut short (head -c 40)
    warned, disabled = export_part()
    assert "saved model is damaged" in warned and disabled == [True]


def test_prepare_the_zip_of_a_run_with_a_damaged_file_shows_the_error_in_words(tiny_data, bertlab_home):
    """A cut-short tfidf.json: Prepare the zip raised a JSONDecodeError (a traceback in the page; it catches
    BertlabError only). Now it shows that the saved model cannot be read and may be damaged."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b0")
    assert execute_run(store, rid) == SUCCEEDED
    tf = store.artifact_path(rid) / "tfidf.json"
    tf.write_text(tf.read_text()[:40])
    at = app_on("app_pages/costs.py")
    no_problems(at)
    (zip_button,) = [b for b in at.button if b.label == "Prepare the zip"]
    zip_button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "cannot be read" in errors and "damaged or partly deleted" in errors, errors


def test_compares_batch_picker_says_the_chosen_batchs_whole_title_below_it(tiny_data, bertlab_home):
    """At 1024 px the box beside Pick runs cut a batch's title mid-word ('... tfidf_logreg, head_onl')."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED
    at = app_on("app_pages/compare.py")
    no_problems(at)
    box = next(s for s in at.selectbox if s.label.startswith("Batch"))
    title = box.format_func(box.value)
    assert title.endswith("tfidf_logreg") and title in [c.value for c in at.caption]


def test_compares_batch_list_takes_every_pick_not_every_other(tiny_data, bertlab_home):
    """A batch picked, then another: the page stayed on the first (in a browser too). The list had no key, so its
    index was part of its identity; the index that followed a pick made a new widget, which dropped the next pick.
    Leaving for another page and coming back keeps the last pick."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for b in ("b1", "b2", "b3"):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id=b)
        assert execute_run(store, rid) == SUCCEEDED
    at = app_on("app_pages/compare.py")
    no_problems(at)

    def shown() -> str:
        return next(s for s in at.selectbox if s.label.startswith("Batch")).value

    for b in ("b1", "b2", "b3", "b1"):
        next(s for s in at.selectbox if s.label.startswith("Batch")).select(b).run()
        no_problems(at)
        assert shown() == b
        assert at.session_state["cmp_choice"] == b
    at.switch_page("app_pages/playground.py").run()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert shown() == "b1"


def test_results_tables_fit_1024_px_beside_a_run_column_widened_by_long_names(tiny_data, bertlab_home):
    """A review: runs picked over two datasets ('tfidf_logreg (rotten_tomatoes) · a898') widened the run column to
    300 px, and at 1024x900 with the sidebar open the scores table cut 'baseline' and the six-column training
    costs cut 'train FLOPs' and hid 'train MiB' behind a sideways scroll. Each table's numbers now fit beside it."""
    import json
    from dataclasses import replace

    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = []
    for name, majority in (("rotten_tomatoes", 0.5), ("tweets", 0.6)):
        for c in (1.0, 10.0):
            rid = store.create_run(make_config("tfidf_logreg", data=replace(tiny_data, source="builtin", name=name),
                                               options={"C": c}), batch_id=f"b-{name}")
            store.claim(rid, "cpu")
            store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8,
                                                  "majority_accuracy": majority},
                         costs={"train_seconds": 1.0, "train_flops": 1e6, "trainable_params": 1000,
                                "peak_memory_bytes": 2**20, "inference_flops_per_text": 100.0},
                         data_summary={"sizes": {"train": 50}})
            ids.append(rid)
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value(ids).run()
    no_problems(at)
    tables = [d for d in at.dataframe if "run" in d.value.columns and "train FLOPs" in d.value.columns]
    shown = [list(t.proto.column_order) for t in tables]
    run_px = json.loads(tables[0].proto.columns)["run"]["width"]
    assert run_px >= 250  # the premise: long names widen the run column
    # each column's width as Chromium drew it at 1024 px (header and padding), and the ~564 px the tables had
    drawn = {"test accuracy": 64, "95% interval": 89, "macro-F1": 72, "majority baseline": 70, "train time (s)": 53,
             "train examples/s": 83, "trainable params": 88, "train FLOPs": 90, "peak memory (MiB)": 75,
             "inference FLOPs/text": 95}
    assert all(t[0] == "run" and run_px + sum(drawn[c] for c in t[1:]) <= 564 for t in shown), (run_px, shown)
    assert [c for t in shown for c in t[1:]] == list(drawn)  # every column once, in order


def test_a_pick_runs_filter_stays_chosen_when_no_run_holds_its_value_any_more(tiny_data, bertlab_home):
    """A review: filtering Pick runs on "running", the filter vanished when the last run finished (a status no run
    held was let go on the next redraw) and the list offered every run with nothing said. Now the value stays
    chosen, marked "(none now)", and the page says no run matches. (Here the last failed run is deleted: the same
    status gone from every run.)"""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = {}
    for name, status in (("tfidf_logreg", SUCCEEDED), ("zero_shot", FAILED)):
        ids[status] = store.create_run(make_config(name, data=tiny_data), batch_id=f"b-{name}")
        store.claim(ids[status], "cpu")
        store.finish(ids[status], status, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8,
                                                   "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
    at = app_on("app_pages/compare.py")
    at.toggle(key="keep_cmp_pick").set_value(True).run()
    at.multiselect(key="keep_cmp_runs").set_value([]).run()
    at.pills(key="keep_cmp_f_status").set_value([FAILED]).run()
    no_problems(at)
    assert len(at.multiselect(key="keep_cmp_runs").options) == 1  # the failed one
    store.delete(ids[FAILED])
    at.run()
    no_problems(at)
    status = at.pills(key="keep_cmp_f_status")
    assert status.value == [FAILED]  # still chosen, and said to match no run now
    assert any(o.endswith(f"{FAILED} (none now)") for o in status.options), status.options
    assert at.multiselect(key="keep_cmp_runs").options == []  # not every run
    assert any(c.value.startswith("No run matches these filters now") for c in at.caption)


def test_the_train_panel_sets_weight_decay_and_warmup_and_the_runs_store_them(tiny_model, tiny_data, bertlab_home,
                                                                             monkeypatch):
    """A review: the panel described weight decay 0.01 and a 10% warmup, which the Results CSV lists, but had no
    field for either. full_ft's panel sets both (and its optimiser line says the values set); head_only's, whose head
    trains at a constant learning rate, sets its weight decay only; the queued runs store what was set."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["head_only", "full_ft"]).run()
    assert at.number_input(key="keep_hp_full_ft_weight_decay").value == pytest.approx(0.01)
    assert not [n for n in at.number_input if n.key == "keep_hp_head_only_warmup_ratio"]
    at.number_input(key="keep_hp_full_ft_weight_decay").set_value(0.1).run()
    at.number_input(key="keep_hp_full_ft_warmup_ratio").set_value(0.25).run()
    at.number_input(key="keep_hp_head_only_weight_decay").set_value(0.05).run()
    no_problems(at)
    assert any("first 25% of steps" in c.value and "weight decay 0.1" in c.value for c in at.caption)
    next(b for b in at.button if b.label.startswith("Launch")).click().run()
    no_problems(at)
    got = {r.strategy: (r.config["weight_decay"], r.config["warmup_ratio"]) for r in RunStore(bertlab_home).list_runs()}
    assert got["full_ft"] == pytest.approx((0.1, 0.25)) and got["head_only"][0] == pytest.approx(0.05)


def test_the_train_panel_offers_head_tail_truncation_and_the_runs_store_it(tiny_model, tiny_data, bertlab_home,
                                                                           monkeypatch):
    """How a long text is cut (RunConfig.truncation) is offered beside max length to every strategy that reads
    tokens, start only by default, its split (32 + 96 of 128) said in its help; tfidf_logreg, which reads whole
    texts, is told it does not apply; the queued runs store what was chosen."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["head_only", "full_ft", "tfidf_logreg"]).run()
    boxes = {b.key: b for b in at.selectbox if b.key and b.key.endswith("_truncation")}
    assert set(boxes) == {"keep_hp_head_only_truncation", "keep_hp_full_ft_truncation"}
    box = boxes["keep_hp_full_ft_truncation"]
    assert box.label == "Cut long texts to" and box.value == "head" and box.options == [
        "Start only (head)", "Start and end (head+tail)"]
    assert "32 + 96 of 128 tokens" in box.help and "tfidf_logreg reads whole texts" in box.help
    assert box.help.endswith(" Default: Start only (head).")  # default_text gave '' for a string: no default said
    assert any("start and end) does not apply to it either" in c.value for c in at.caption)  # tfidf_logreg's panel
    box.set_value("head_tail").run()
    no_problems(at)
    next(b for b in at.button if b.label.startswith("Launch")).click().run()
    no_problems(at)
    got = {r.strategy: r.config.get("truncation") for r in RunStore(bertlab_home).list_runs()}
    assert got == {"full_ft": "head_tail", "head_only": "head", "tfidf_logreg": "head"}


def test_keep_values_puts_back_what_streamlit_dropped_while_its_page_was_away():
    """A review: a Train panel's typed Epochs came back at the default after 15 s on another page (a run of the
    sidebar's idle fragment dropped the state of widgets the page did not draw). Each full run puts them back."""
    from app_pages.common import KEPT_VALUES, keep_values

    state = {"keep_hp_head_only_epochs": 5, "keep_hp_head_only_more_lrs": "3e-2", "other": 1}
    keep_values(state)
    del state["keep_hp_head_only_epochs"], state["keep_hp_head_only_more_lrs"]  # as Streamlit drops them
    keep_values(state)
    assert state["keep_hp_head_only_epochs"] == 5 and state["keep_hp_head_only_more_lrs"] == "3e-2"
    state["keep_hp_head_only_epochs"] = 7  # typed since: the copy follows the field
    keep_values(state)
    assert state[KEPT_VALUES]["keep_hp_head_only_epochs"] == 7 and "other" not in state[KEPT_VALUES]


def test_launch_waits_while_a_field_shows_a_value_out_of_range(tiny_data, bertlab_home):
    """A review: full_ft's Epochs -1, Learning rate 0 and Batch size 0 turned red, Launch stayed on and queued the
    last valid values. The value shown is checked now: said under the field, and Launch waits, naming it."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    at.number_input(key="keep_hp_full_ft_epochs").set_value(-1).run()
    at.number_input(key="keep_hp_full_ft_learning_rate").set_value(0.0).run()
    assert not at.exception
    launch = next(b for b in at.button if b.label.startswith("Launch"))
    assert launch.disabled
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "epochs must be a whole number from 1 to 100, got -1" in errors and "learning_rate must be above 0" in errors
    assert any("Launch waits until full_ft's *Epochs* and *Learning rate* are fixed" in c.value for c in at.caption)
    at.number_input(key="keep_hp_full_ft_epochs").set_value(1).run()
    at.number_input(key="keep_hp_full_ft_learning_rate").set_value(1e-4).run()
    assert not next(b for b in at.button if b.label.startswith("Launch")).disabled and not at.error


def test_each_train_field_says_its_default_and_a_panel_resets_to_them(tiny_data, bertlab_home):
    """A review: once a field was changed nothing on the Train page showed its default ("Peak AdamW learning
    rate."). Each field's help gives the strategy's default, and "Reset to defaults" puts the panel back."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["head_only", "full_ft"]).run()
    assert "Default: 1.0e-4." in at.number_input(key="keep_hp_full_ft_learning_rate").help
    assert "Default: 30." in at.number_input(key="keep_hp_head_only_epochs").help
    assert "Default: off." in at.number_input(key="keep_opt_full_ft_layer_decay").help
    at.number_input(key="keep_hp_full_ft_epochs").set_value(5).run()
    at.number_input(key="keep_hp_full_ft_learning_rate").set_value(2e-2).run()
    at.text_input(key="keep_hp_full_ft_more_lrs").set_value("3e-2").run()
    at.number_input(key="keep_hp_head_only_epochs").set_value(5).run()
    at.button(key="reset_full_ft").click().run()
    assert not at.exception
    assert at.number_input(key="keep_hp_full_ft_epochs").value == 3
    assert at.number_input(key="keep_hp_full_ft_learning_rate").value == 1e-4
    assert at.text_input(key="keep_hp_full_ft_more_lrs").value == ""
    assert at.number_input(key="keep_hp_head_only_epochs").value == 5  # another panel keeps its own


def test_a_reset_panel_holds_exactly_what_a_fresh_panel_holds(tiny_data, bertlab_home):
    """"Reset to defaults" puts back each value of a panel (numbers, switches, the extra rates, the options) as the
    fresh panel held it, of the same type: the reset and the widgets' start take their defaults from one place."""
    names = ["full_ft", "head_only", "scratch", "lora"]
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(names).run()
    no_problems(at)
    prefixes = tuple(f"keep_{kind}_{n}_" for kind in ("hp", "opt") for n in names)

    def panels() -> dict:
        return {k: (v, type(v)) for k, v in at.session_state.to_dict().items() if k.startswith(prefixes)}

    fresh = panels()
    assert "keep_hp_full_ft_epochs" in fresh and "keep_opt_lora_r" in fresh and "keep_hp_scratch_new_vocab" in fresh
    for key, value in [("keep_hp_full_ft_epochs", 5), ("keep_hp_full_ft_learning_rate", 2e-2),
                       ("keep_hp_full_ft_weight_decay", 0.2), ("keep_hp_full_ft_warmup_ratio", 0.3),
                       ("keep_hp_full_ft_patience", 2), ("keep_opt_full_ft_layer_decay", 0.9),
                       ("keep_hp_head_only_epochs", 5), ("keep_hp_head_only_seed", 3), ("keep_opt_lora_r", 4),
                       ("keep_opt_lora_dropout", 0.2)]:
        at.number_input(key=key).set_value(value).run()
    at.text_input(key="keep_hp_full_ft_more_lrs").set_value("3e-2").run()
    at.checkbox(key="keep_hp_full_ft_keep_best").check().run()
    at.checkbox(key="keep_hp_scratch_new_vocab").check().run()
    at.number_input(key="keep_hp_scratch_vocab_size").set_value(1000).run()
    assert panels() != fresh
    for n in names:
        at.button(key=f"reset_{n}").click().run()
    no_problems(at)
    assert panels() == fresh


def test_strategies_gives_the_defaults_of_options_left_unset(capsys):
    """A review: `strategies` listed full_ft's options "layer_decay, head_lr" with no default, dapt's with theirs."""
    from bertlab.cli import main

    assert main(["strategies"]) == 0
    out = capsys.readouterr().out
    assert "when not given: layer_decay off; head_lr the learning rate" in out
    assert "alpha 2 x r" in out and "layers half the layers" in out


def test_weight_decay_and_warmup_out_of_range_hold_launch_and_no_warmup_says_so(tiny_data, bertlab_home):
    """A diff review: the new Weight decay and Warmup fields kept the browser's bounds, so a typed 5 turned red while
    the last valid value was queued, and a warmup of 0 ("0: no warmup") was said as "rises linearly over the first
    0% of steps". They are checked as the other fields now, and no warmup is said so."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    at.number_input(key="keep_hp_full_ft_weight_decay").set_value(5.0).run()
    at.number_input(key="keep_hp_full_ft_warmup_ratio").set_value(1.0).run()
    assert not at.exception
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "weight_decay must be in [0, 1], got 5.0" in errors and "warmup_ratio must be in [0, 1), got 1.0" in errors
    at.number_input(key="keep_hp_full_ft_weight_decay").set_value(0.1).run()
    at.number_input(key="keep_hp_full_ft_warmup_ratio").set_value(0.0).run()
    assert not next(b for b in at.button if b.label.startswith("Launch")).disabled and not at.error
    line = next(c.value for c in at.caption if c.value.startswith("Optimizer: AdamW"))
    assert "no warmup: the learning rate falls linearly from its peak to 0" in line and "weight decay 0.1" in line


def test_train_page_survives_a_bad_rate_beside_further_rates_and_draws_scratchs_card_from_a_valid_size(
        tiny_data, bertlab_home):
    """A diff review of the unbounded fields: a bad Learning rate (0) beside further rates crashed the page
    (KeyError: 'learning_rate'), and scratch's diagram drew a vocabulary of -1 words that Launch refuses. Now the
    field says why and Launch waits, and the card is drawn at the default size meanwhile."""
    import re

    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["head_only", "scratch"]).run()
    at.text_input(key="keep_hp_head_only_more_lrs").set_value("3e-2").run()
    at.number_input(key="keep_hp_head_only_learning_rate").set_value(0.0).run()
    assert not at.exception
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled

    def scratch_card() -> str:
        alts = [re.search(r'alt="([^"]*)"', m.value).group(1) for m in at.markdown if '<img src="data:image/svg' in m.value]
        return next(a for a in alts if "scratch" in a.lower() or "random" in a.lower())

    at.checkbox(key="keep_hp_scratch_new_vocab").check().run()
    at.number_input(key="keep_hp_scratch_vocab_size").set_value(8000).run()
    default = scratch_card()
    at.number_input(key="keep_hp_scratch_vocab_size").set_value(-1).run()
    assert not at.exception and scratch_card() == default


def test_train_field_helps_give_the_default_as_the_field_shows_it(tiny_data, bertlab_home):
    """A diff review: head_only's default rate 0.01 read "Default: 0.01" beside a field showing 1.0e-02, and an
    option's help ran into its default ("passes of masked-LM over the text Default: 1.")."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["head_only", "full_ft", "dapt"]).run()
    assert at.number_input(key="keep_hp_head_only_learning_rate").help.endswith("Default: 1.0e-2.")
    assert at.number_input(key="keep_hp_full_ft_weight_decay").help.endswith("Default: 0.010.")
    assert at.number_input(key="keep_opt_dapt_mlm_epochs").help.endswith("over the text. Default: 1.")


def test_headings_go_h1_then_h2_for_a_screen_reader(tiny_model, bertlab_home):
    """An accessibility review: Data's dataset name and Accuracy vs cost's "Export a model" were h3 right under the
    page's h1, the Strategy cards in Large-diagram mode named the strategy in no heading, and the sidebar's brand was
    an h3 ("### :material/science: bertlab") whose icon was read aloud. Sections are h2 now, the card's name is an
    h2 in either mode (small on a projector: the chosen option and the diagram name it too), and the brand a bold
    paragraph whose icon a screen reader skips."""
    from bertlab.strategies import REGISTRY

    at = app_on("app_pages/data.py")
    no_problems(at)
    assert len(at.header) == 1 and "rotten" in at.header[0].value.lower() and not at.subheader
    brand = next(m.value for m in at.sidebar.markdown if "bertlab</p>" in m.value)
    assert brand.startswith("<p ") and "<span aria-hidden='true'" in brand
    assert not any(m.value.lstrip().startswith("#") for m in at.sidebar.markdown)
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "lora"})
    no_problems(at)
    title = REGISTRY["lora"].title
    assert at.toggle(key="keep_tc_big").value and any(
        m.value.startswith("<h2 ") and m.value.endswith(f">{title}</h2>") for m in at.markdown)
    at.toggle(key="keep_tc_big").set_value(False).run()
    assert at.header[0].value == title
    costs = (Path(__file__).parents[1] / "app_pages" / "costs.py").read_text()
    assert 'st.header("Export a model")' in costs and "st.subheader" not in costs


def test_a_strategy_cards_name_is_its_heading_set_larger_than_its_intro(tiny_model, bertlab_home):
    """A lead's walk-through: in Large-diagram mode (the default) the card's name, an h2 at 1.25rem, was set no larger
    than the semi-bold intro under it (1.25rem), and read as its first line. The name is a page section's heading
    now, larger than the intro, on a projector too (both scale with the page's text)."""
    import re

    from bertlab.strategies import REGISTRY

    def rem(markup: str) -> float:
        return float(re.search(r"font-size:([\d.]+)rem", markup).group(1))

    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "head_only"})
    no_problems(at)
    assert at.toggle(key="keep_tc_big").value
    title = REGISTRY["head_only"].title
    (name,) = [m.value for m in at.markdown if m.value.startswith("<h2 ") and m.value.endswith(f">{title}</h2>")]
    intro = next(m.value for m in at.markdown if m.value.startswith("<p style='font-size:"))
    assert rem(name) > rem(intro), (name, intro)


def test_the_train_page_writes_no_stray_none_above_a_strategys_diagram(tiny_data, bertlab_home):
    """A walk-through: every strategy panel showed a stray "None" above its diagram: a bare expression in
    train.teaching_card, which Streamlit's magic writes out."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["full_ft", "scratch"]).run()
    no_problems(at)
    shown = [m.value.strip() for m in at.markdown] + [c.value.strip() for c in at.code]
    assert not [v for v in shown if v in ("None", "`None`")], shown


def test_compare_keeps_the_baseline_under_its_tables_and_folds_how_to_read_them(tiny_data, bertlab_home):
    """At 1366x768 nine lines of notes (the interval, examples/s, the memory figures) stood between Compare's
    tables and its charts: the majority baseline, the bar every run must clear, stays in sight under the tables;
    how to read them is one click away, whole, in an expander."""
    from bertlab import pareto
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for first in (True, False):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": 1 + first}),
                               batch_id="b0")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e6, "memory_first_in_process": first},
                     data_summary={"sizes": {"train": 50}})
        time.sleep(0.01)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert "Always answering the majority class scores 50.0% here: every run must beat that." in [
        c.value for c in at.caption]
    (folded,) = [e for e in at.expander if e.label.startswith("Reading these tables")]
    assert folded.label == "Reading these tables: the 95% interval, examples/s, memory"
    inside = [c.value for c in folded.caption]
    assert len(inside) == 2 and inside[0].startswith("95% interval: the accuracies the model could truly have")
    assert "Wilson score interval" in inside[0] and "Examples/s: training texts x epochs" in inside[0]
    assert pareto.FLOP_WORDS in inside[0]  # what the table's '2.70 TFLOP' means (a copyedit read)
    assert inside[1].startswith("Memory of tfidf_logreg") and "it reads high beside them" in inside[1]
    # said once, in the expander
    assert sum("Memory of" in c.value for c in at.caption) == 1
    assert sum("Wilson score interval" in c.value for c in at.caption) == 1


def test_compare_gives_the_majority_baseline_by_macro_f1_where_the_answer_judges_by_it(tiny_data, bertlab_home):
    """A persona's comments, 3% abusive: under the tables "Always answering the majority class scores 96.8% here:
    every run must beat that.", while the answer judged by macro-F1, where the majority's bar is 0.492 (and a run
    at 98.4% accuracy scored 0.829). The caption now gives that macro-F1 too; on even classes it reads as before
    (the test above)."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    per_class = {"a": {"precision": 97 / 98, "recall": 1.0, "f1": 0.995, "support": 97},
                 "b": {"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3}}
    for first in (True, False):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": 1 + first}),
                               batch_id="b0")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.985, "test_macro_f1": 0.83, "majority_accuracy": 0.97,
                                              "per_class": per_class, "label_names": ["a", "b"],
                                              "confusion": [[97, 0], [1, 2]]},
                     costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        time.sleep(0.01)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert ("Always answering the majority class scores 97.0% here (macro-F1 0.492, the measure the answer judges "
            "by): every run must beat that.") in [c.value for c in at.caption]


def _two_runs_on_a_rare_class(tiny_data, bertlab_home) -> dict:
    """tfidf_logreg and head_only, finished on a test set of 97 'a' and 3 'b' (majority 97%: Compare judges it by
    macro-F1); returns their per-class figures."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    per_class = {"a": {"precision": 97 / 98, "recall": 1.0, "f1": 0.995, "support": 97},
                 "b": {"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3}}
    for first, name in ((True, "tfidf_logreg"), (False, "head_only")):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b0")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.99, "test_macro_f1": 0.8975, "majority_accuracy": 0.97,
                                              "per_class": per_class, "label_names": ["a", "b"],
                                              "confusion": [[97, 0], [1, 2]]},
                     costs={"train_seconds": 1.0 + first, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        time.sleep(0.01)
    return per_class


def test_compares_trade_off_chart_draws_macro_f1_where_the_answer_judges_by_it(tiny_data, bertlab_home):
    """A persona's comments, 3% abusive: the answer judged by macro-F1 while the trade-off chart under it drew
    accuracy ("Accuracy vs training time", scratch at 96.8% beside full_ft's 99.7%)."""
    _two_runs_on_a_rare_class(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Macro-F1 vs training time" in t for t in specs)
    assert not any("Accuracy vs training time" in t for t in specs)


def test_compares_test_score_chart_draws_the_majoritys_macro_f1_where_the_answer_judges_by_it(tiny_data,
                                                                                              bertlab_home):
    """A review of comments, 3% abusive: Compare judged by macro-F1 and its caption gave the majority's macro-F1, but
    its test-score chart drew the majority's accuracy alone as a dashed line."""
    from bertlab.metrics import majority_macro_f1

    per_class = _two_runs_on_a_rare_class(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    spec = next(c.proto.spec for c in at.get("plotly_chart") if '"Test accuracy"' in c.proto.spec)
    assert f"majority macro-F1 {majority_macro_f1({'per_class': per_class}):.3f}" in spec and '"dashdot"' in spec


def _two_calibrated_tfidf_runs(tiny_data, bertlab_home):
    """Two finished tfidf_logreg runs of 5 test texts in two calibration bins, at ECE 0.30 and 0.05."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for n, ece in ((1, 0.30), (2, 0.05)):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": n}), batch_id="b0")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={
            "test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5, "test_ece": ece,
            "test_mean_confidence": 0.5 + ece, "calibration": [{"confidence": 0.6, "accuracy": 0.5, "count": 2},
                                                               {"confidence": 0.9, "accuracy": 1.0, "count": 3}]},
            costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
        time.sleep(0.01)


def test_compare_says_the_calibration_finding_under_its_chart_and_folds_how_to_read_it(tiny_data, bertlab_home):
    """At 1366x768 six lines stood under the calibration chart (what a point is, what ECE is, when calibration
    matters, then the finding): the finding, the largest ECE and what chance alone would show on this many texts,
    stays in sight; how to read the chart is one click away, whole."""
    _two_calibrated_tfidf_runs(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    (finding,) = [c.value for c in at.caption if c.value.startswith("The largest calibration error here: ")]
    assert "ECE 0.300 (mean confidence 80%, accuracy 80%)." in finding
    assert " On 5 test texts a run right exactly as often as it says would still show an ECE of " in finding
    (folded,) = [e for e in at.expander if e.label == "Reading this chart: the points, ECE, when it matters"]
    (how,) = [c.value for c in folded.caption]
    assert how.startswith("Each point: the test texts a run answered with about that confidence")
    assert "ECE (expected calibration error) is the mean gap" in how and how.endswith(
        "Calibration matters where a threshold on the confidence decides (send the unsure texts to a person).")
    assert sum("Each point: the test texts" in c.value for c in at.caption) == 1  # said once, in the expander


def test_compare_says_what_macro_f1_and_ece_are_where_it_shows_them(tiny_data, bertlab_home):
    """A product manager shown Compare met 'macro-F1' in the answer, the status lines and the scores table, and 'ECE'
    in the calibration finding, both explained only in a folded help or the per-class section further down: the
    caption under the scores and the finding under the calibration chart now say them in words, as the report does
    under its results table (bertlab.metrics)."""
    from bertlab.metrics import ECE_WORDS, MACRO_F1_WORDS
    _two_calibrated_tfidf_runs(tiny_data, bertlab_home)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    said = [c.value for c in at.caption]
    bar = next(i for i, c in enumerate(said) if c.startswith("Always answering the majority class scores"))
    assert said[bar + 1] == ("Macro-F1: each class's F1 (from 0 to 1, high where the run finds that class's texts "
                             "and its answers of that class are right) averaged with every class counting the same, "
                             "so a run that misses a small class scores low here even where its accuracy is high.")
    assert said[bar + 1][1:] == MACRO_F1_WORDS[1:] + "."
    (finding,) = [c.value for c in at.caption if c.value.startswith("The largest calibration error here: ")]
    assert f"ECE 0.300 (mean confidence 80%, accuracy 80%). {ECE_WORDS}. On 5 test texts" in finding


def test_compare_says_a_succeeded_run_without_stored_results_has_none_and_makes_no_score_up(tiny_data, bertlab_home):
    """A succeeded run whose record lacks its metrics (hand-edited, or written by another tool) read "test accuracy
    0.0% · macro-F1 0.000" on Compare, a score made up; `runs` shows '-' for it."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    good, bare = (store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=s), batch_id="b1") for s in (0, 1))
    assert execute_run(store, good) == SUCCEEDED, store.get(good).error
    store.finish(bare, SUCCEEDED)  # no metrics
    at = app_on("app_pages/compare.py")
    no_problems(at)
    said = " ".join(m.value for m in at.main.markdown)
    assert said.count("test accuracy **") == 1  # the good run's only
    assert [w.value for w in at.warning if "no test results are stored" in w.value] == [
        f"succeeded, but no test results are stored for it, so there is nothing to show. Delete it and train it "
        f"again (`python -m bertlab delete {bare}`)."]


def test_a_launch_with_one_run_cancelled_says_how_many_not_all_cancelled(tiny_data):
    from types import SimpleNamespace

    from app_pages import common
    from bertlab.strategies import make_config

    def run(strategy, status, t):
        return SimpleNamespace(id=f"b-aaaa-{t}", batch_id="b-aaaa", status=status, created=1.7e9 + t, model=None,
                               strategy=strategy, dataset="rotten_tomatoes", config=make_config(strategy).to_dict())

    runs = [run("zero_shot", "succeeded", 0), run("head_only", "cancelled", 1), run("full_ft", "succeeded", 2)]
    title = common.batch_title(runs)
    assert title.endswith(" · zero_shot, head_only, full_ft · 1 cancelled") and "all cancelled" not in title
    assert common.batch_title(runs[1:2]).endswith(" · all cancelled")


def test_train_page_waits_on_a_domain_file_its_runs_would_fail_on(tiny_model, tiny_data, bertlab_home):
    """A binary file uploaded as dapt's extra text was described under the strategies ('is not UTF-8 text') but
    Launch stayed on, and the run then failed as it started. Launch now waits, the reason beside it, as for a
    strategy the model refuses; with the file removed it is on again."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["dapt", "tfidf_logreg"]).run()
    at.file_uploader(key="opt_dapt_domain_file").set_value(("scan.txt", b"\x00\x01\x02 binary", "text/plain")).run()
    no_problems(at)
    assert next(b for b in at.button if b.label.startswith("Launch ")).disabled
    waits = [c.value for c in at.caption if "Launch waits until" in c.value]
    assert waits == [":material/block: Launch waits until **dapt**'s extra text file (in its "
                     "panel above) is replaced or removed: " + md("dapt option 'domain_file' 'scan.txt' is not UTF-8 "
                     "text (it holds NUL bytes: a binary file, or UTF-16); save it as UTF-8.")], waits
    assert not [c for c in at.caption if "extra text file: " in c.value]  # said once, beside Launch
    at.file_uploader(key="opt_dapt_domain_file").set_value(None).run()
    assert not next(b for b in at.button if b.label.startswith("Launch ")).disabled


def test_train_page_says_what_a_domain_file_gives_the_run_before_launch(tiny_model, tiny_data, bertlab_home):
    """dapt's extra text file in latin-1, with two held-out texts in it: its reading note and the texts left out were
    said only in the run's notes after it trained. The page says them under the strategies, before launch."""
    from bertlab.data import load_splits

    sp = load_splits(tiny_data)
    raw = f"un café crème\n{sp.test.texts[0].upper()}\n{sp.val.texts[1]}\nfresh line\n".encode("latin-1")
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["dapt"]).run()
    assert not [c for c in at.caption if "extra text file" in c.value]
    at.file_uploader(key="opt_dapt_domain_file").set_value(("domain.txt", raw, "text/plain")).run()
    no_problems(at)
    said = [c.value for c in at.caption if "extra text file" in c.value]
    assert len(said) == 1, said
    # named as uploaded, domain.txt, not as its saved copy ('ca09cf01ce28-domain.txt', which the notes said before)
    assert "**dapt**'s extra text file: " + md("domain.txt is not valid UTF-8 (first bad byte at offset 6); read it "
                                                "as cp1252") in said[0]
    assert md(f"masked-LM on {len(sp.train)} training texts (labels unused) + 2 lines of domain.txt") in said[0]
    assert md("dropped 2 lines of domain.txt that are validation or test texts") in said[0]
    assert not re.search(r"[0-9a-f]{12}-domain", said[0]), said[0]


def test_a_launch_clicked_as_the_strategies_change_is_queued_not_dropped(tiny_model, tiny_data, bertlab_home,
                                                                         monkeypatch):
    """A click on "Launch 2 runs" that reached the server with a strategy's removal (a classroom's loaded server
    redraws a page in seconds: the student removed one and clicked Launch before the label read "Launch 1 run")
    queued nothing and said nothing: the unkeyed button was named by its label, and the one clicked was gone. In
    a headless-Chromium classroom of 8 browsers one student's launch was lost so."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg", "zero_shot"]).run()
    launch = next(b for b in at.button if b.label.startswith("Launch 2 runs"))
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"])  # both reach the server in one rerun
    launch.click().run()
    no_problems(at)
    assert [r.strategy for r in RunStore(bertlab_home).list_runs()] == ["tfidf_logreg"]  # as the page now reads
    assert any(s.value.startswith("Queued 1 run: tfidf_logreg") for s in at.success)


def _two_desks_launch(tiny_model, tiny_data, monkeypatch) -> list:
    """Two students' desks, each launching one run from the Train page (tfidf_logreg, then zero_shot), the worker
    training nothing (the runs stay queued): the desks' AppTests, in that order."""
    from bertlab.jobs import JobManager

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # the runs stay queued
    desks = []
    for strategy in ("tfidf_logreg", "zero_shot"):  # two students, a launch each
        at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
        at.text_input(key="keep_model").set_value(tiny_model).run()
        at.multiselect(key="keep_strategies").set_value([strategy]).run()
        next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
        no_problems(at)
        desks.append(at)
    return desks


def test_a_desks_own_launches_and_queued_runs_say_yours_beside_other_desks(tiny_model, tiny_data, bertlab_home,
                                                                          monkeypatch):
    """A classroom of 8 browsers on one server: the sidebar's queue held 11 runs of 7 desks and Compare's Batch
    list five launches titled alike ("Dec 06 21:10 · rotten_tomatoes · head_only · live"), a student's own told
    from a neighbour's by nothing. This desk's are marked "yours"; another desk's are not."""
    desks = _two_desks_launch(tiny_model, tiny_data, monkeypatch)
    store = RunStore(bertlab_home)
    run = {r.strategy: r for r in store.list_runs()}
    mine, theirs = run["tfidf_logreg"], run["zero_shot"]
    desks[0].run()  # its sidebar as the next refresh draws it, the other desk's run queued
    queue = [c.value for c in desks[0].sidebar.caption if "· queued (" in c.value]
    assert f":material/hourglass_empty: tfidf_logreg · queued (yours, run …{mine.id[-4:]})" in queue, queue
    assert f":material/hourglass_empty: zero_shot · queued (run …{theirs.id[-4:]})" in queue, queue
    queue = [c.value for c in desks[1].sidebar.caption if "· queued (" in c.value]  # the other desk: the other way
    assert any(q.endswith(f"(run …{mine.id[-4:]})") for q in queue) and any(
        q.endswith(f"(yours, run …{theirs.id[-4:]})") for q in queue), queue
    at = desks[0].switch_page("app_pages/compare.py").run()
    no_problems(at)
    box = at.selectbox[0]
    assert box.value == mine.batch_id  # Compare opens on this desk's launch, as before
    assert box.format_func(mine.batch_id).endswith(" · live · yours"), box.format_func(mine.batch_id)
    assert not box.format_func(theirs.batch_id).endswith("yours")
    fresh = app_on("app_pages/compare.py")  # a desk that launched nothing: nothing is its own
    assert len(fresh.selectbox[0].options) == 2 and not any(o.endswith("yours") for o in fresh.selectbox[0].options)


def test_compare_says_roughly_when_a_queued_run_starts_where_the_runs_ahead_have_estimates(tiny_data, bertlab_home,
                                                                                         monkeypatch):
    """A classroom of 8 browsers on one server: a student's queued head_only read 'starts when the 9 runs ahead of
    it finish (one training now)' on Compare for minutes, with no word of how long, though the Train page estimated
    the same queue ahead of a new launch. Compare says it too now, from the same estimates."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-past")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error  # the estimates learn from it
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-other")
    queued = [store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=s), batch_id="b-mine")
              for s in (4, 5)]

    def loop(self):  # the worker trains one run, the two queued behind it
        with self._lock:
            self._queued = list(queued)
            self._running = training
        self.store.claim(training, "cpu")
        # half done after 30 s (so ~30 s left at its pace, whatever its estimate from the run above says)
        self.store.update(training, progress=0.5, phase="train", pace_started=time.time() - 30)
        time.sleep(600)

    monkeypatch.setattr(JobManager, "_loop", loop)
    at = app_on("app_pages/compare.py")
    time.sleep(0.5)
    at.run()
    no_problems(at)
    assert at.selectbox[0].value == "b-mine"
    lines = [c.value for c in at.caption if "queued: starts when" in c.value]
    assert len(lines) == 2, lines
    assert re.search(r"queued: starts when the run ahead of it finishes \(one training now\), in ~\d+ s$", lines[0]), lines
    assert re.search(r"queued: starts when the 2 runs ahead of it finish \(one training now\), in ~\d+ s$", lines[1]), lines


def test_the_queue_wait_counts_the_run_training_at_its_pace_as_the_sidebar_does(tiny_data, bertlab_home, monkeypatch):
    """A classroom's sidebar said '~69 s left' of the full_ft training (its pace so far) while the run queued behind
    it said 'in ~2 min' on Compare: the wait counted the run training by its estimate from past runs while it was
    within it. Once the run has a pace, the wait counts what its pace leaves, as the sidebar does."""
    import bertlab.sweep
    from app_pages import common
    from bertlab.estimate import run_time_left
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-other")
    store.claim(training, "cpu")
    store.update(training, progress=0.5, phase="train", pace_started=time.time() - 30)
    run = store.get(training)
    # its estimate from past runs says 600 s in all, so ~570 s left; its pace says ~30 s
    monkeypatch.setattr(bertlab.sweep, "estimate_total", lambda past, configs, *a, **k: (600.0 * len(configs), 0))
    seconds, unknown, overdue = common.ahead_seconds([run], [])
    pace = run_time_left(run, time.time())
    assert pace is not None and pace < 100, pace
    assert (unknown, overdue) == (0, 0)
    assert abs(seconds - pace) < 5, (seconds, pace)


def test_the_queue_wait_makes_no_estimate_of_the_run_training_where_its_pace_tells(tiny_data, bertlab_home,
                                                                                  monkeypatch):
    """Once the run training has a pace the queue wait counts that, but the estimate from past runs was still made
    for it and thrown away (the Train page's every redraw, each queue position's wait): one estimate_total call of
    two. Made now only where no pace tells."""
    import bertlab.sweep
    from app_pages import common
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-other")
    queued = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4), batch_id="b-mine")
    store.claim(training, "cpu")
    store.update(training, progress=0.5, phase="train", pace_started=time.time() - 30)
    asked = []
    monkeypatch.setattr(bertlab.sweep, "estimate_total",
                        lambda past, configs, *a, **k: (asked.append(len(configs)), (600.0 * len(configs), 0))[1])
    seconds, unknown, overdue = common.ahead_seconds([store.get(training), store.get(queued)], [])
    assert (unknown, overdue) == (0, 0) and 600 < seconds < 700, seconds
    assert asked == [1]  # the queued run's; the old code: [1, 1], the training run's too
    store.update(training, progress=0.0, phase="train", pace_started=time.time())  # no pace yet: its estimate
    asked.clear()
    common.ahead_seconds([store.get(training), store.get(queued)], [])
    assert asked == [1, 1]


def test_the_queue_wait_reads_the_store_again_for_a_run_launched_since_its_slot_began(tiny_data, bertlab_home,
                                                                                     monkeypatch):
    """The queue wait's reads of the store are shared by every estimate of a 10-s slot; a run launched after them
    (another desk's launch, which takes its turn ahead of this run) was missing from them and counted as unknown, so
    Compare's 'in ~2 min' went blank for the rest of the slot, every such launch in a classroom."""
    from collections import OrderedDict

    import bertlab.sweep
    from app_pages import common
    from bertlab.strategies import make_config

    monkeypatch.setattr(common, "QUEUE_WAIT_S", 1e12)  # one slot for the whole test
    monkeypatch.setattr(common, "_WAITS", OrderedDict())
    monkeypatch.setattr(common, "_WAITS_READ", {})
    monkeypatch.setattr(bertlab.sweep, "estimate_total", lambda past, configs, *a, **k: (60.0 * len(configs), 0))
    store = RunStore(bertlab_home)
    first = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-other")
    assert common.queue_wait((first,)) == "~60 s"
    later = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4), batch_id="b-third")
    assert common.queue_wait((first, later)) == "~2 min"  # the old code: '' (the later run unknown)


def test_the_queue_wait_says_up_to_where_stop_early_after_may_end_a_run_ahead_sooner(tiny_data, bertlab_home,
                                                                                   monkeypatch):
    """Compare's 'starts when the run ahead of it finishes, in ~2 min' counted every epoch of a full_ft run ahead
    set to Stop early after 1 of 5 epochs, as the Train page, the sidebar and Compare's time left say 'up to ~2 min'
    of such a run: the wait now says it the same way, by the estimate of a run queued ahead and by the pace of the
    one training; runs that cannot stop early keep '~'."""
    from collections import OrderedDict

    import bertlab.sweep
    from app_pages import common
    from bertlab.strategies import make_config

    monkeypatch.setattr(common, "QUEUE_WAIT_S", 1e12)
    monkeypatch.setattr(common, "_WAITS", OrderedDict())
    monkeypatch.setattr(common, "_WAITS_READ", {})
    monkeypatch.setattr(bertlab.sweep, "estimate_total", lambda past, configs, *a, **k: (60.0 * len(configs), 0))
    store = RunStore(bertlab_home)
    every = store.create_run(make_config("full_ft", data=tiny_data, epochs=5), batch_id="b-other")
    stops = store.create_run(make_config("full_ft", data=tiny_data, epochs=5, patience=1, seed=4), batch_id="b-other")
    assert common.queue_wait((every,)) == "~60 s"
    assert common.queue_wait((every, stops)) == "up to ~2 min"  # the old code: '~2 min'
    store.claim(stops, "cpu")
    store.update(stops, progress=0.5, phase="train", pace_started=time.time() - 30)  # ~30 s left at its pace
    assert common.ahead_at_most([store.get(stops)])
    store.update(stops, phase="test")  # its test pass: Stop early after has no more to end
    assert not common.ahead_at_most([store.get(stops)])
    assert not common.ahead_at_most([store.get(every), None])


def test_the_queue_wait_says_nothing_where_the_run_training_is_past_its_estimate_with_no_pace(tiny_data,
                                                                                              bertlab_home,
                                                                                              monkeypatch):
    """The run training has run past what its estimate gave it and has no pace yet to tell its time left by: the
    wait of a run queued behind it is not known, and Compare says where it stands without a time (not the queued
    runs' time alone, as if the one training were about to end)."""
    from collections import OrderedDict

    import bertlab.sweep
    from app_pages import common
    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(common, "QUEUE_WAIT_S", 1e12)
    monkeypatch.setattr(common, "_WAITS", OrderedDict())
    monkeypatch.setattr(common, "_WAITS_READ", {})
    monkeypatch.setattr(bertlab.sweep, "estimate_total", lambda past, configs, *a, **k: (60.0 * len(configs), 0))
    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    store = RunStore(bertlab_home)
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-other")
    queued = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4), batch_id="b-other")
    store.claim(training, "cpu")
    store.update(training, started=time.time() - 700, progress=0.0, phase="train", pace_started=time.time() - 700)
    assert common.ahead_seconds([store.get(training), store.get(queued)], [])[1:] == (0, 1)
    said = common.queue_wait((training, queued))
    assert said == "", said


def test_accuracy_vs_cost_on_a_batch_whose_runs_all_failed_says_so_and_where_to_look(tiny_data, bertlab_home,
                                                                                     monkeypatch):
    """A batch whose only run failed read "None of these runs has finished yet." under an hourglass on Accuracy vs
    cost (seen in Chromium): it had finished, and nothing said why there was no chart or what to do. Now it says
    none succeeded, how each ended, and where to see why; a batch still training says how many are still to come."""
    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    store = RunStore(bertlab_home)
    bad = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-failed")
    store.claim(bad, "cpu")
    store.finish(bad, FAILED, error="RuntimeError: out of memory")
    at = app_on("app_pages/costs.py")
    assert not at.exception
    (note,) = [i.value for i in at.info if "None of these runs" in i.value]
    assert "has finished yet" not in note
    assert "succeeded (1 failed)" in note and "Compare" in note
    store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-failed")  # queued, not trained
    at = app_on("app_pages/costs.py")
    (note,) = [i.value for i in at.info if "None of these runs" in i.value]
    assert "has finished yet: 1 still to train" in note


def test_a_run_another_machine_trains_in_this_data_directory_is_shown_and_the_app_settles(tiny_data, bertlab_home,
                                                                                           monkeypatch):
    """A run the store says is training, under a process this server cannot look up (another machine sharing the
    data directory): the sidebar counted it as busy, the queue panel (which showed only this server's runs and
    live local processes') saw nothing and reran the whole app at once, and that redraw found it busy again: 979
    full runs of the app in 20 s, a page that never settled (an AppTest timed out). It is shown as another
    process's run now, and the app's run ends."""
    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    at = app_on("app_pages/costs.py")
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-far")
    store.claim(rid, "cpu")
    with store._tx() as c:  # claimed by a process on another machine
        c.execute("UPDATE runs SET owner=? WHERE id=?", ("another-machine:4242:1700000000", rid))
    at.run()
    no_problems(at)
    shown = [p.proto.text for p in at.sidebar.get("progress")]
    assert shown == [f"▶ tfidf_logreg · starting 0% (another process, e.g. the CLI; run …{rid[-4:]})"], shown
    assert store.get(rid).status == "running"  # left alone: its process may well be alive over there


def test_accuracy_vs_cost_counts_a_running_run_among_those_still_to_train(tiny_data, bertlab_home, monkeypatch):
    """Mutation round 6 (CO1): counting only queued runs as still to come passed every test; a batch of two runs,
    one training and one queued, would read "1 still to train"."""
    from bertlab.jobs import JobManager
    from bertlab.strategies import make_config

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    at = app_on("app_pages/costs.py")  # the server first: at its start it marks runs left running interrupted
    store = RunStore(bertlab_home)
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-two")
    store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=1), batch_id="b-two")
    store.claim(training, "cpu")
    at.run()
    no_problems(at)
    (note,) = [i.value for i in at.info if "None of these runs" in i.value]
    assert "has finished yet: 2 still to train" in note, note


def test_the_sidebar_marks_this_desks_run_in_training_yours(tiny_model, tiny_data, bertlab_home, monkeypatch):
    """Mutation round 6 (AP1, AP3): the sidebar marked this desk's queued runs "yours" (tested), but leaving the mark
    off the run in training, or reading the desk's launches only while something was queued, passed every test."""
    import threading

    from bertlab.jobs import JobManager

    claimed = threading.Event()

    def loop(self):  # the worker takes the desk's launch and trains it until the test ends; nothing else queued
        run_id = None
        while not run_id:
            run_id, _ = self._take()
        self.store.claim(run_id, "cpu")
        claimed.set()
        time.sleep(600)

    monkeypatch.setattr(JobManager, "_loop", loop)
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    assert claimed.wait(60)
    (run,) = RunStore(bertlab_home).list_runs()
    at.run()
    no_problems(at)
    shown = [p.proto.text for p in at.sidebar.get("progress")]
    assert shown == [f"▶ tfidf_logreg · starting 0% (yours, run …{run.id[-4:]})"], shown
    other = app_on("app_pages/train.py")  # another desk: the same run, not its own
    assert [p.proto.text for p in other.sidebar.get("progress")] == [f"▶ tfidf_logreg · starting 0% (run …{run.id[-4:]})"]


def _per_class_table(tiny_data, bertlab_home, names: list[str], batch: str):
    """Compare's per-class table for one finished run over three classes ``names`` (4 test texts: 1, 1 and 2 of
    them), and its column config."""
    from bertlab.metrics import classification_report
    from bertlab.strategies import make_config

    m = classification_report([0, 1, 2, 2], [0, 1, 2, 1], names)
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id=batch)
    store.claim(rid, "cpu")
    store.finish(rid, SUCCEEDED, metrics={"test_" + k if k in ("accuracy", "macro_f1") else k: v
                                          for k, v in m.items() if k != "probabilities"} | {"label_names": names},
                 costs={"train_seconds": 1.0}, data_summary={"sizes": {"train": 50, "test": 4}})
    at = app_on("app_pages/compare.py")
    assert not at.exception
    table = next(d for d in at.dataframe if any("(n=" in c for c in d.value.columns))
    config = json.loads(table.proto.columns)
    return table, config


def test_compares_per_class_table_cuts_long_class_names_in_its_headers(tiny_data, bertlab_home):
    """Three 42-55-character class names (seen in Chromium at 1366 px): the per-class table's headers were the whole
    names, ~300 px a column, one class and a half shown and the rest behind a sideways scroll. The header cuts a long
    name in the middle, as the confusion matrices do; its tooltip keeps it whole."""
    from bertlab.plots import middle_cut

    names = ["account_access_and_password_reset_requests", "billing_and_payment_questions_from_enterprise_customers",
             "technical_support_for_mobile_application_crashes"]
    table, config = _per_class_table(tiny_data, bertlab_home, names, "b-long")
    for name, n in zip(names, (1, 1, 2)):
        whole = f"{name} (n={n})"
        assert whole in table.value.columns  # the data keeps the whole name
        assert config[whole]["label"] == f"{middle_cut(name)} (n={n})"  # the old code: no label, the whole name
        assert config[whole]["help"] == whole


def test_run_all_again_leaves_out_a_run_its_strategy_cannot_run_on_its_model(tiny_data, bertlab_home, monkeypatch):
    """Mutation round 5: to_run_again without its cannot_run_again passed this file's Run again tests: a partial_ft
    run on an ALBERT model, which has no Run again of its own (it would fail the same way), was counted and queued
    again by the one button for every stopped run."""
    from bertlab.strategies import REGISTRY, make_config

    monkeypatch.setattr(type(REGISTRY["partial_ft"]), "refusal",
                        lambda self, model: "partial_ft cannot run on this ALBERT model" if "albert" in model else None)
    store = RunStore(bertlab_home)
    at = _compare_on_ended_runs(bertlab_home, monkeypatch, [
        (make_config(**{"strategy": "tfidf_logreg", **kw}, data=tiny_data), FAILED)
        for kw in ({"seed": 1}, {"seed": 2}, {"strategy": "partial_ft", "model": "/models/tiny-albert"})], "b7")
    assert len([b for b in at.button if b.label == "Run again"]) == 2  # not partial_ft's
    assert at.button(key="cmp_again_all").label == "Run the 2 failed runs again"
    at.button(key="cmp_again_all").click().run()
    queued = [r for r in store.list_runs(batch_id="b7") if r.status == "queued"]
    assert sorted(r.strategy for r in queued) == ["tfidf_logreg", "tfidf_logreg"]


def test_run_all_again_is_not_offered_beside_a_single_run_again(tiny_data, bertlab_home, monkeypatch):
    """Mutation round 5: the one button for every stopped run shown beside a single Run again (< 2 made < 1: 'Run
    the 1 failed runs again' under the run's own button) passed this file's Run again tests."""
    from bertlab.strategies import make_config

    at = _compare_on_ended_runs(bertlab_home, monkeypatch, [
        (make_config("tfidf_logreg", data=tiny_data, seed=seed), status)
        for seed, status in ((1, SUCCEEDED), (2, FAILED))], "b7")
    assert len([b for b in at.button if b.label == "Run again"]) == 1
    assert not any(b.key == "cmp_again_all" for b in at.button), [b.label for b in at.button]


def test_compares_per_class_headers_keep_names_differing_in_their_middle_apart(tiny_data, bertlab_home):
    """'question_about_billing_account' and 'question_about_shipping_account' were both headed
    'question_abo…ing_account (n=…)' in the per-class table: the header's cut is longer where two would read alike."""
    names = ["question_about_billing_account", "question_about_shipping_account", "general_feedback"]
    table, config = _per_class_table(tiny_data, bertlab_home, names, "b-mid")
    labels = [config[f"{n} (n=1)"]["label"] for n in names[:2]]
    assert all("…" in label for label in labels)
    assert labels[0] != labels[1]  # the old code: 'question_abo…ing_account (n=1)' twice


def test_accuracy_vs_cost_and_learning_curves_lists_say_yours_as_compare_does(tiny_model, tiny_data, bertlab_home,
                                                                             monkeypatch):
    """Compare's Batch list marked this desk's launches "· yours" (a classroom's five launches were titled alike),
    but Accuracy vs cost's list of the same launches and Learning curves' list of sweeps did not (the diff review):
    a student there still could not tell their own launch from a neighbour's."""
    desks = _two_desks_launch(tiny_model, tiny_data, monkeypatch)
    store = RunStore(bertlab_home)
    run = {r.strategy: r for r in store.list_runs()}
    for r in run.values():  # both finished, as the worker would leave them
        store.claim(r.id, "cpu")
        store.finish(r.id, SUCCEEDED, metrics={"test_accuracy": 0.5, "test_macro_f1": 0.5},
                     costs={"train_seconds": 1.0, "trainable_params": 10, "train_flops": 1e9},
                     data_summary={"sizes": {"train": 50, "test": 4}})
    mine, theirs = run["tfidf_logreg"], run["zero_shot"]
    at = desks[0].switch_page("app_pages/costs.py").run()
    assert not at.exception
    box = next(b for b in at.selectbox if b.label.startswith("Batch (one launch or sweep)"))  # Compare's label
    assert box.format_func(mine.batch_id).endswith(" · yours"), box.format_func(mine.batch_id)
    assert not box.format_func(theirs.batch_id).endswith("yours")
    from app_pages import common

    titles = {"sw-1": "sweep one", "sw-2": "sweep two"}
    assert common.mark_yours(titles, {"sw-2"}) == {"sw-1": "sweep one", "sw-2": "sweep two · yours"}


def test_the_playground_says_roughly_when_this_desks_queued_launch_starts_as_compare_does(tiny_data, bertlab_home,
                                                                                          monkeypatch):
    """Compare said of a queued run 'starts when the run ahead of it finishes (one training now), in ~30 s', but the
    Playground, waiting for the same launch, said where it stood in line and not when (the classroom review)."""
    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-desk-a")
    assert execute_run(store, done) == SUCCEEDED, store.get(done).error
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3), batch_id="b-desk-a2")
    mine = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4), batch_id="b-desk-b")

    def loop(self):  # the worker trains one run, this desk's queued behind it
        with self._lock:
            self._queued = [mine]
            self._running = training
        self.store.claim(training, "cpu")
        self.store.update(training, progress=0.5, phase="train", pace_started=time.time() - 30)  # ~30 s left
        time.sleep(600)

    monkeypatch.setattr(JobManager, "_loop", loop)
    (bertlab_home / "desks" / "b").mkdir(parents=True, exist_ok=True)
    (bertlab_home / "desks" / "b" / "batches.json").write_text(json.dumps(["b-desk-b"]))
    at = app_on("app_pages/playground.py", desk="b")
    time.sleep(0.5)
    at.run()
    no_problems(at)
    waiting = " ".join(i.value for i in at.info).replace("\\", "")
    assert re.search(r"its first run starts when the run ahead of it finishes \(one training now\), in ~\d+ s\)",
                     waiting), waiting


def test_train_page_names_texts_cut_at_max_length_from_the_answers_share(tiny_model, tmp_path, monkeypatch):
    """The Train page's line on texts cut at max length kept its own ">= 0.1" beside Compare's answer's CUT_SHARE
    (the share of a run's texts cut from which the answer names it): the page reads the answer's constant."""
    import bertlab.answer

    short = [f"text {j}: word about topic {j % 2}" for j in range(28)]
    long = [f"text {j}: " + " ".join(f"word{i} about topic {j % 2}" for i in range(120)) for j in range(12)]
    at, note = _long_texts_note(tiny_model, tmp_path / "some.csv", short + long)  # 12 of 40 cut (of those read)
    cut = int(re.search(r"(\d+)% longer than max length 128 and cut to it", note)[1])
    assert 20 <= cut <= 40, note
    monkeypatch.setattr(bertlab.answer, "CUT_SHARE", 0.5)  # the answer would name no cut under half: nor does the page
    at.run()
    no_problems(at)
    assert not any("These texts are long" in c.value for c in at.caption)
    monkeypatch.setattr(bertlab.answer, "CUT_SHARE", 0.2)  # under the share cut: named
    at.run()
    assert any(f"{cut}% longer than max length 128" in c.value for c in at.caption)


def test_train_page_says_its_long_texts_token_counts_are_of_texts_clipped_on_loading(tiny_model, tmp_path):
    """Consultation responses of 1,500-8,000 words (a median 5,346 tokens) clipped to 10,000 characters on
    loading: the Train page said 'These texts are long: median 1,646 tokens', the clipped texts' count, read as the
    documents'. It says what the median is of where the data's texts were clipped; not otherwise."""
    texts = [f"report {j}: " + " ".join(f"word{i} about topic {j % 2}" for i in range(800)) for j in range(40)]
    _, note = _long_texts_note(tiny_model, tmp_path / "long.csv", texts)
    assert (" tokens in their first 10,000 characters (the longer texts were clipped to them on loading; no strategy "
            "reads past them), 100% longer than max length 128") in note
    # long, not clipped: as before
    _, note = _long_texts_note(tiny_model, tmp_path / "short.csv", [t[:3000] for t in texts])
    assert "clipped" not in note and "100% longer than max length 128" in note
    # 2 of 40 clipped (5%): the median is the texts' own, and the line names no clip, as Compare's answer names
    # none under a tenth (data.dataset.CLIP_SHARE); it named the clip for any clipped text (bbc_news: 7 articles)
    _, note = _long_texts_note(tiny_model, tmp_path / "few.csv", texts[:2] + [t[:3000] for t in texts[2:]])
    assert "clipped" not in note and "first 10,000 characters" not in note and "100% longer than max length" in note
    from bertlab.data.dataset import clip_note, clip_worth_naming

    assert clip_worth_naming([clip_note(4)], 40) == (4, 10_000) and clip_worth_naming([clip_note(3)], 40) is None
    assert clip_worth_naming([clip_note(3)], None) == (3, 10_000)  # not known how many were read: named


def test_compares_per_class_table_counts_the_runs_on_other_classes_it_leaves_out(tiny_data, bertlab_home):
    """Compare's per-class caption said "Left out: 1 run(s) on other classes": the count takes its number, as the
    command line's per-class table says it ("2 runs")."""
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    for i, names in enumerate((["neg", "pos"], ["neg", "pos"], ["a", "b", "c"], ["a", "b", "c"])):  # another dataset
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=i), batch_id="b")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={
            "test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5, "label_names": names,
            "per_class": {n: {"recall": 0.5, "precision": 0.5, "f1": 0.5, "support": 10} for n in names},
            "confusion": [[5 + 5 * (a == b) for b in names] for a in names]},
            costs={"train_seconds": 1.0, "train_flops": 1e6}, data_summary={"sizes": {"train": 50}})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    said = [c.value for c in at.caption if "on other classes" in c.value]
    assert len(said) == 1 and said[0].endswith(" Left out: 2 runs on other classes (another dataset).")


def test_the_launchs_total_names_as_stopping_early_only_the_strategies_it_counts():
    """The Train page's total says 'up to' and names the strategies that may stop early among those its time counts:
    full_ft with no estimate yet is said after 'plus', and neither makes the known time 'up to' nor is named as
    taking less (it is in no figure to take less of)."""
    from app_pages import train

    assert train.total_estimate({"lora": 60.0}, ["full_ft"], 2, ["full_ft", "lora"]) == (
        "Estimated time for the 2 runs, one after another: up to ~60 s (lora may stop early and take less), plus "
        "full_ft (no estimate yet).")
    assert train.total_estimate({"lora": 60.0}, ["full_ft"], 2, ["full_ft"]) == (
        "Estimated time for the 2 runs, one after another: ~60 s, plus full_ft (no estimate yet).")


def test_the_line_on_the_runs_ahead_says_up_to_where_stop_early_after_may_end_one(monkeypatch):
    """A Quick-demo launch with Stop early after set to 1 for scratch: while scratch trained, the sidebar said
    'scratch · train 10% · up to ~79 s left' and the Train page's line on the runs ahead, beside it, 'It should
    take ~84 s'. The line says 'up to' where a run ahead (queued, or training in its training phase) may stop
    early, as the sidebar and the strategy table do, and '~' as before where none may."""
    from types import SimpleNamespace

    from app_pages import train

    monkeypatch.setattr(train, "ahead_seconds", lambda runs, past: (84.0, 0, 0))
    # a running run's pace is known (its time left counted as the sidebar counts it): common.ahead_at_most then
    # asks whether that time left is the most it has left, as the sidebar's 'up to' does
    monkeypatch.setattr("bertlab.estimate.run_time_left", lambda r, now, progress=None: 30.0)

    def run(status: str, phase: str, patience: int, strategy: str = "scratch"):
        return SimpleNamespace(status=status, phase=phase, strategy=strategy,
                               config={"epochs": 5, "patience": patience})

    assert "It should take up to ~84 s (estimated as above)." in train.ahead_text([run("running", "train", 1)], [])
    assert "They should take up to ~84 s" in train.ahead_text([run("running", "train", 0), run("queued", "", 1)], [])
    assert "It should take ~84 s" in train.ahead_text([run("running", "train", 0)], [])
    assert "It should take ~84 s" in train.ahead_text([run("running", "test", 1)], [])  # its training is over
    assert "It should take ~84 s" in train.ahead_text([run("queued", "", 1, "zero_shot")], [])  # no epochs to stop


def _runs_with_predictions(tiny_data, bertlab_home, runs: list[tuple], batch: str) -> list[str]:
    """Finished runs of ``(strategy, label names, labels, probabilities or None, answers)``, each with its stored
    test predictions (and probabilities where given) where the store looks for them."""
    from bertlab import paired
    from bertlab.metrics import classification_report
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    ids = []
    for seed, (strategy, names, labels, probs, preds) in enumerate(runs):
        m = classification_report(labels, preds, names)
        rid = store.create_run(make_config(strategy, data=tiny_data, seed=seed), batch_id=batch)
        store.claim(rid, "cpu")
        paired.save_predictions(bertlab_home / "runs" / rid, preds, labels, "fp", probs)
        store.finish(rid, SUCCEEDED, artifact_dir=str(bertlab_home / "runs" / rid),
                     metrics={"test_" + k if k in ("accuracy", "macro_f1") else k: v
                              for k, v in m.items() if k != "probabilities"} | {"label_names": names},
                     costs={"train_seconds": 1.0}, data_summary={"sizes": {"train": 50, "test": len(labels)}})
        ids.append(rid)
    return ids


def test_compare_draws_precision_against_recall_on_the_rarest_class_and_names_a_run_without_probabilities(
        tiny_data, bertlab_home):
    """A trust-and-safety engineer with 3% abusive comments: each run's precision and recall at its one operating
    point did not say how it trades one for the other. Compare draws each run's precision-recall curve on a class
    (the rarest first), its average precision, its precision at 90% recall, and names a run that kept no
    probabilities; another class picked redraws it."""
    names = ["ok", "abusive", "spam"]
    labels = [0] * 10 + [1] * 2 + [2] * 4
    good = [[0.1, 0.8, 0.1] if y == 1 else [0.8, 0.1, 0.1] if y == 0 else [0.1, 0.1, 0.8] for y in labels]
    blurred = [[0.5, 0.3, 0.2] if y == 1 else [0.4, 0.35, 0.25] if y == 0 and i % 3 == 0 else p
               for i, (y, p) in enumerate(zip(labels, good))]
    _runs_with_predictions(tiny_data, bertlab_home, [
        ("full_ft", names, labels, good, [max(range(3), key=p.__getitem__) for p in good]),
        ("head_only", names, labels, blurred, [max(range(3), key=p.__getitem__) for p in blurred]),
        ("tfidf_logreg", names, labels, None, labels)], "b-pr")
    at = app_on("app_pages/compare.py")
    assert not at.exception
    box = next(s for s in at.selectbox if s.label == "Class")
    assert box.value == "abusive" and box.options == ["abusive (the rarest)", "spam", "ok"]
    table = next(d.value for d in at.dataframe if "average precision" in d.value.columns)
    assert list(table["run"]) == ["full_ft", "head_only"]
    assert list(table["average precision"]) == ["1.000", "0.333"]  # head_only ranks 4 'ok' texts above the abusive
    assert list(table["precision at 90% recall"]) == ["100% (p ≥ 0.800)", "33% (p ≥ 0.300)"]
    answers = next(d.value for d in at.dataframe if "its answers: recall" in d.value.columns)  # the second table
    assert list(answers["its answers: recall"]) == ["100%", "0%"] and answers["its answers: precision"][1] == "–"
    said = " ".join(c.value for c in at.caption)
    assert "No curve for tfidf_logreg: it kept no class probabilities" in said
    assert "draw the same curve" not in said
    # the '(p ≥ ...)' said by one of the table's own (it said 'p ≥ 0.3', a number of no reading of the table)
    assert ("'p ≥ 0.800' (full_ft, at 90% recall): the threshold that gets there, the run answering 'abusive'"
            in said.replace("\\", ""))  # as shown: Markdown's escapes aside
    box.set_value("spam").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "average precision" in d.value.columns)
    assert list(table["average precision"]) == ["1.000", "1.000"]
    # both perfect on 'spam': one line over the other, which read as head_only missing; the caption says so
    said = " ".join(c.value for c in at.caption)
    assert "full_ft and head_only draw the same curve: one line lies over the other." in said


def test_compare_names_a_run_whose_stored_probabilities_are_out_of_step_and_draws_the_others(tiny_data, bertlab_home):
    """A predictions file whose probabilities lost a row: the run is named with why (it said 'its test set holds no
    text of this class', of a class with 2 texts), the page does not fail and the other run is drawn."""
    import json

    from bertlab import paired

    names, labels = ["ok", "abusive"], [0] * 6 + [1] * 2
    probs = [[0.8, 0.2] if y == 0 else [0.3, 0.7] for y in labels]
    ids = _runs_with_predictions(tiny_data, bertlab_home, [
        ("full_ft", names, labels, probs, labels), ("head_only", names, labels, probs, labels)], "b-step")
    path = bertlab_home / "runs" / ids[1] / paired.PREDICTIONS_FILE
    d = json.loads(path.read_text())
    path.write_text(json.dumps({**d, "probabilities": d["probabilities"][:-1]}))
    at = app_on("app_pages/compare.py")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "average precision" in d.value.columns)
    assert list(table["run"]) == ["full_ft"]
    said = " ".join(c.value for c in at.caption)
    assert ("No curve for head_only: its stored test predictions are out of step (7 rows of class probabilities for "
            "8 true labels).") in said


def test_compare_gives_the_threshold_chosen_on_validation_texts_and_what_it_gets_on_the_test_texts(
        tiny_data, bertlab_home):
    """Compare read each run's precision at 90% recall off its test curve, the threshold chosen on the texts it is
    scored on (optimistic). Beside it the table now gives the threshold chosen on the run's validation texts and the
    test precision and recall at it, the caption says which is which, and a run stored before (no validation
    probabilities) says its only threshold is the test curve's."""
    from bertlab import paired, prcurve

    names = ["ok", "abusive"]
    labels = [0] * 8 + [1] * 2
    probs = [[0.9, 0.1]] * 6 + [[0.4, 0.6], [0.7, 0.3]] + [[0.2, 0.8], [0.5, 0.5]]  # abusive at 0.8 and 0.5
    ids = _runs_with_predictions(tiny_data, bertlab_home, [
        ("full_ft", names, labels, probs, [max(range(2), key=p.__getitem__) for p in probs]),
        ("head_only", names, labels, probs, [max(range(2), key=p.__getitem__) for p in probs])], "b-op")
    # full_ft's validation texts: 10 abusive, 9 of them at 0.3 or more: 90% recall there needs p >= 0.3, which on
    # the test texts answers 0.8, 0.6, 0.5 and 0.3: 2 of 4 right, both found (its test curve: 67% from 0.5)
    val = [0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.3, 0.05]
    paired.save_predictions(bertlab_home / "runs" / ids[0], [1] * 10, [1] * 10, "vfp", [[1 - p, p] for p in val],
                            file=paired.VAL_PREDICTIONS_FILE)
    at = app_on("app_pages/compare.py")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "average precision" in d.value.columns)
    assert list(table["precision at 90% recall"]) == ["67% (p ≥ 0.500)"] * 2
    assert list(table["validation threshold (90% recall)"]) == ["p ≥ 0.300 (10 texts of the class)",
                                                                 prcurve.NO_VAL_PROBABILITIES]
    assert list(table["test precision, recall there"]) == ["50%, 100%", "–"]
    # and for 90% precision, in the second table: every validation text of full_ft is abusive, so its answers are
    # all right down to its least, 0.05 (10 answered), which on the test texts answers all 10: 2 right, both found
    table = next(d.value for d in at.dataframe if "validation threshold (90% precision)" in d.value.columns)
    assert list(table["validation threshold (90% precision)"]) == ["p ≥ 0.050 (10 texts answered)",
                                                                    prcurve.NO_VAL_PROBABILITIES]
    assert list(table["test precision, recall there"]) == ["20%, 100%", "–"]
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "read off the test curve, the threshold fitted to the very texts it is scored on: optimistic" in said
    assert "what that threshold gets on unseen texts" in said


def test_compare_has_no_precision_recall_section_where_no_run_kept_probabilities(tiny_data, bertlab_home):
    _runs_with_predictions(tiny_data, bertlab_home, [("tfidf_logreg", ["a", "b"], [0, 1, 1], None, [0, 1, 0])], "b-n")
    at = app_on("app_pages/compare.py")
    assert not at.exception
    assert not any(s.label == "Class" for s in at.selectbox)
    assert not any("Precision against recall" in m.value for m in at.markdown)
