"""Compare in projector mode (``?projector=1``) at 1024 px, where the main column is ~524 px wide beside the sidebar
and the accuracy and cost charts ~242 px each (measured in headless Chromium): a reviewer presenting there found bar
values shrunk to ~8 px, a title cut off, an axis title over the next plot and bar values of mixed precision."""

from __future__ import annotations

import pytest

from bertlab import plots
from bertlab.store import SUCCEEDED, Run

CHART_1024 = 524  # px: a full-width chart on Compare at 1024 px, projector on
HALF_PLOT_1024 = 130  # px: the plot area of a half-width bar chart there (242 px less its axes)
EM = 0.45  # a character's mean width in em, digits and lower case (Source Sans: "72.6" is 28 px at 16 px)
BOLD = 0.52  # the same in bold (a title: "Accuracy vs training time (up and left is better)" 561 px at 22 px)


def _runs(n: int = 4) -> list[Run]:
    names = ("zero_shot", "head_only", "tfidf_logreg", "full_ft", "scratch", "lora")[:n]
    return [Run(id=f"r{i}", batch_id="b", created=1.0, status=SUCCEEDED, strategy=s, dataset="d", model="m",
                config={"epochs": 3},
                metrics={"test_accuracy": 0.726 - i / 100, "test_macro_f1": 0.7, "majority_accuracy": 0.578,
                         "confusion": [[3, 1], [1, 3]], "label_names": ["a", "b"]},
                costs={"train_seconds": (0.0, 21.0, 4.29, 108.0, 50.0, 30.0)[i], "peak_memory_bytes": 2.0**20 * 21})
            for i, s in enumerate(names)]


@pytest.fixture
def projector():
    """``common.projected`` as with the sidebar's Projector switch on."""
    import streamlit as st

    from app_pages import common

    st.session_state[common.PROJECTOR_KEY] = True
    yield common.projected
    del st.session_state[common.PROJECTOR_KEY]


@pytest.mark.parametrize("n", [4, 6])
def test_accuracy_bar_values_are_at_least_14_px_and_fit_their_slot_at_1024(projector, n):
    """plotly shrinks a bar's text to fit the bar: '72.6%' came out ~8 px in a ~26-px bar. At projector size a value
    is never shrunk below 14 px, and it is short enough ('72.6', the axis says %) to stay inside its own slot."""
    fig = plots.accuracy_figure(_runs(n))
    assert fig.data[0].text[0] == "72.6%" and fig.layout.uniformtext.minsize is None  # the figure itself as it was
    big = projector(fig)
    bar = big.data[0]
    assert big.layout.uniformtext.mode == "show" and big.layout.uniformtext.minsize >= 14
    size = bar.textfont.size
    assert size >= 14 and bar.textposition == "inside" and bar.textangle == 0
    assert bar.text[0] == "72.6" and bar.textfont.color == fig.data[0].textfont.color
    if n <= 4:  # (six bars' values, 22 px apart at 1024 px beside the sidebar, cannot be 14 px and apart)
        slot = HALF_PLOT_1024 / n
        assert max(len(t) for t in bar.text) * EM * size <= slot - 3  # 3 px or more from its neighbours


def test_bar_charts_get_wider_bars_at_projector_size_and_other_charts_are_left_alone(projector):
    cost = projector(plots.cost_figure(_runs(), "train_seconds"))
    assert cost.layout.bargap <= 0.1 and cost.layout.uniformtext.minsize >= 14
    scatter = projector(plots.tradeoff_figure(_runs(), "train_seconds"))
    assert scatter.layout.bargap is None and scatter.layout.uniformtext.minsize is None


@pytest.mark.parametrize("cost", list(plots.COSTS))
def test_scatter_title_fits_a_1024_chart_at_projector_size(projector, cost):
    """'Accuracy vs training time (up and left is better)' ran past the chart at 1024 px ('...is bet'): the direction
    is a subtitle of its own line now, and the plot starts under both lines."""
    big = projector(plots.tradeoff_figure(_runs(), cost))
    title = big.layout.title
    assert title.subtitle.text == "up and left is better"
    assert len(title.text) * BOLD * title.font.size <= CHART_1024 - 20  # the chart's left margin
    sub = title.subtitle.font.size
    assert sub == 18 and len(title.subtitle.text) * EM * sub <= CHART_1024 - 20
    # the title's line, the subtitle's, then the plot (the legend would hang there; this chart has none)
    assert big.layout.margin.t >= 1.6 * title.font.size + 1.4 * sub


def test_validation_accuracy_axis_sits_on_the_right_clear_of_the_loss_plot():
    """The accuracy plot's y-axis title, between the two plots, ran over the loss plot's '100%' tick at projector size
    at 1024 px: accuracy's axis is on the right of its plot, and the gap between them holds only their x ticks."""
    fig = plots.validation_figure(_runs(), [], progress=True)
    assert fig.layout.yaxis2.side == "right" and fig.layout.yaxis.side in (None, "left")
    gap = fig.layout.xaxis2.domain[0] - fig.layout.xaxis.domain[1]
    plot = CHART_1024 - 2 * 75  # the axes' ticks and titles at either side, at 18 px
    assert gap * plot >= 0.5 * EM * 16 * (len("100%") + len("0%"))  # the end ticks' halves, 16 px at projector size
    # each plot's x-axis title within the distance between the plots' centres (they ran into one)
    centres = (fig.layout.xaxis2.domain[0] + fig.layout.xaxis2.domain[1] - sum(fig.layout.xaxis.domain)) / 2 * plot
    assert len(fig.layout.xaxis.title.text) * EM * 18 <= centres - 8


def test_bar_values_on_one_chart_have_three_significant_figures():
    """Training time read '0 / 21 / 4.29 / 108' (21.0 lost its zero): every value has three significant figures
    now, as FLOPs have ('38.0 TFLOP'); nothing (0) stays '0'."""
    assert [plots.human(v) for v in (0.0, 21.0, 4.29, 108.0)] == ["0", "21.0", "4.29", "108"]
    assert [plots.human(v) for v in (5.0, 46.04, 0.0734, 22.7e6, 1536.0)] == ["5.00", "46.0", "0.0734", "22.7M", "1.54k"]
    assert plots.human(999.6) == "1.00k" and plots.human(2.5e12, "x") == "2.50T x" and plots.human(None) == "-"
    bars = plots.cost_figure(_runs(), "train_seconds").data[0]
    assert list(bars.text) == ["0", "21.0", "4.29", "108"]


COLUMN_1024 = 252  # px: each of Compare's two validation charts at 1024 px, projector on (measured in Chromium)
PLOT_LEFT_1024 = 103  # px: where the accuracy plot (and its title) starts in it, after its axis's ticks and title


def test_compares_validation_titles_fit_their_column_at_1024(projector, tiny_data, bertlab_home):
    """In projector mode at 1024 px "Validation accuracy" (22 px, from ~103 px into a 252-px column) was cut at
    "Validation accu". Compare draws each title on two lines there, left-aligned, with room above the plot for
    both; without projector mode (1440 px: 482-px columns) they stay on one line."""
    import json

    from test_app_polish import finished
    from test_pages_sweep import app_on, no_problems

    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    big = projector(plots.validation_figure(_runs(), [], panels=("val_accuracy",), legend=False, wrap_titles=True))
    title = big.layout.annotations[0]  # (then "no validation results yet": no points here)
    lines = title.text.removeprefix("<b>").removesuffix("</b>").split("<br>")
    assert lines == ["Validation", "accuracy"] and title.align == "left" and title.font.size == 22
    assert PLOT_LEFT_1024 + max(map(len, lines)) * BOLD * title.font.size <= COLUMN_1024 - 10
    assert big.layout.margin.t >= 2 * 1.2 * title.font.size  # both lines above the plot, not over it
    store = RunStore(bertlab_home)
    finished(store, make_config("tfidf_logreg", data=tiny_data))
    for on, want in ((True, ["Validation<br>loss", "Validation<br>accuracy"]),
                     (False, ["Validation loss", "Validation accuracy"])):
        at = app_on("app_pages/compare.py", {"keep_projector": on})
        no_problems(at)
        shown = [a["text"] for c in at.get("plotly_chart")
                 for a in json.loads(c.proto.spec)["layout"].get("annotations", ()) if "Validation" in a["text"]]
        assert shown == [f"<b>{t}</b>" for t in want], shown


def test_a_five_topic_confusion_matrix_gets_a_row_of_its_own_on_a_projector():
    """bbc_news at 1024 px in projector mode, two matrices a row (242 px each in headless Chromium): titles cut to
    'tfidf_lo' and 'zero_sh', five cells in ~70 px beside 18-px 'entertainment', counts in 10-px type. At that type a
    matrix needing more than half the column gets the row; two classes still go two a row, and the desk is as was."""
    from app_pages import common

    topics = ["business", "entertainment", "politics", "sports", "tech"]
    news = _runs(2)
    for r in news:
        r.metrics |= {"label_names": topics, "confusion": [[9 * (i == j) for j in range(5)] for i in range(5)]}
    scale = common.PROJECTOR_FONT / 13
    assert plots.confusion_per_row(news, most=2, scale=scale) == 1
    assert plots.confusion_per_row(_runs(2), most=2, scale=scale) == 2  # fresh / rotten: ~150 px at 18 px
    assert plots.confusion_per_row(news) == 2 and plots.confusion_per_row(_runs(3)) == 3


def test_on_a_wide_projector_five_topic_confusion_matrices_stay_two_a_row(projector, tmp_path, bertlab_home):
    """In projector mode bbc_news's matrices were one a row at 1920 px too (1,420 px each, headless Chromium): the
    page cannot tell 1024 from 1920. Two a row now, with a CSS media query giving each a row of its own below the
    width two need (1,263 px for five topics at 18 px: 524 px each at 1024, 690 px each two a row at 1920)."""
    import csv

    from test_app_polish import finished
    from test_pages_sweep import app_on, no_problems
    from test_teacher_polish import _row_width

    from app_pages.common import one_a_row_css
    from bertlab.config import DataConfig
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    topics = ["business", "entertainment", "politics", "sports", "tech"]
    news = _runs(2)
    for r in news:
        r.metrics |= {"label_names": topics, "confusion": [[9 * (i == j) for j in range(5)] for i in range(5)]}
    scale = 18 / 13
    assert plots.confusion_two_from_px(news, scale) == 1263  # 2 x (261 x 18/13 - 242) px past 1024
    assert plots.confusion_two_from_px(_runs(2), scale) is None  # two classes: two a row at 1024 already
    assert plots.confusion_two_from_px(news, 1.0) is None  # the desk's type: as was
    many = _runs(2)
    for r in many:
        r.metrics |= {"label_names": [f"c{i}" for i in range(plots.CONFUSION_MANY + 1)]}
    assert plots.confusion_two_from_px(many, scale) is None  # a row of its own on any screen
    # below 1,263 px with the sidebar open, below 963 px with it folded (its 300 px are the matrices' then)
    open_ = "body:not(:has([data-testid='stSidebar'][data-collapsed='true'])) "
    assert one_a_row_css(1263) == (f"@media (max-width:1262.98px){{{open_}.st-key-cm_grid "
                                   f"[data-testid='stHorizontalBlock']{{flex-wrap:wrap}}{open_}.st-key-cm_grid "
                                   "[data-testid='stColumn']{min-width:100%}}"
                                   "@media (max-width:962.98px){.st-key-cm_grid [data-testid='stHorizontalBlock']"
                                   "{flex-wrap:wrap}.st-key-cm_grid [data-testid='stColumn']{min-width:100%}}")
    path = tmp_path / "news.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for i in range(60):
            w.writerow([f"story {i} about {topics[i % 5]} number {i % 7}", topics[i % 5]])
    store = RunStore(bertlab_home)
    data = DataConfig(source="file", name=str(path), train_size=None, val_size=None, test_size=None)
    rid = [finished(store, make_config("tfidf_logreg", data=data, seed=seed)).id for seed in (0, 1)][0]
    at = app_on("app_pages/compare.py", {"keep_projector": True})
    no_problems(at)
    assert _row_width(at.main, f"cm_{rid}") == 2  # two a row; the CSS wraps them below 1,263 px
    styles = [h.proto.body for h in at.get("html") if "cm_grid" in h.proto.body]
    assert styles == [f"<style>{one_a_row_css(1263)}</style>"], styles
    desk = app_on("app_pages/compare.py", {"keep_projector": False})
    no_problems(desk)
    assert not [h for h in desk.get("html") if "cm_grid" in h.proto.body]
