"""Plotly figure builders for the app: pure functions of store data (runs and their points).

Every chart colours a run by its strategy (the same colour on every page), puts
units in its axis titles, and downsamples long step series so that a long
session does not send ever-growing figures to the browser.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from bertlab.costs import memory_of
from bertlab.metrics import (
    CALIBRATION_BINS,
    format_interval,
    majority_macro_f1,
    never_answered_any,
    precision_text,
    probability_percent,
    run_accuracy_interval,
    shown_precision,
    whole_percent,
)
from bertlab.pareto import MEASURE_NAMES, axis_label, examples_per_s, format_flops, measure_label
from bertlab.pareto import _three as three_figures
from bertlab.variants import base_strategy

# Okabe-Ito colour-blind-safe colours for the registered strategies, fixed so a
# strategy looks the same on every page and in every session. Each is 3:1 or more against the light theme's white
# (WCAG's least for graphics): Okabe-Ito's orange and sky blue, 2.25:1 and 2.31:1 there, are darker shades of
# their hues here (partial_ft, lora), and the dark theme has its own shades where the light ones fall short on it.
STRATEGY_COLORS: dict[str, str] = {
    "zero_shot": "#0072B2",
    "head_only": "#009E73",
    "full_ft": "#D55E00",
    "scratch": "#CC79A7",
    "partial_ft": "#BD8300",
    "lora": "#1D96DB",
    "dapt": "#7F3C8D",
    "tfidf_logreg": "#6B6B6B",
}
# The dark theme's (against its #0E1117): dapt's purple lighter (2.64:1 there), partial_ft and lora in Okabe-Ito's
# own brighter orange and sky blue. A shade keeps its bar text's colour (plots.text_color_on: black or white).
STRATEGY_COLORS_DARK: dict[str, str] = {**STRATEGY_COLORS, "partial_ft": "#E69F00", "lora": "#56B4E9",
                                        "dapt": "#9245A2"}
THEME_BACKGROUNDS = {False: "#FFFFFF", True: "#0E1117"}  # a chart's background, light and dark (.streamlit/config)
# A marker shape per strategy as well: under deuteranopia head_only's green and tfidf_logreg's grey (and
# zero_shot's blue and dapt's purple) look alike, so a line is also told by its markers.
STRATEGY_SYMBOLS: dict[str, str] = {
    "zero_shot": "circle",
    "head_only": "square",
    "full_ft": "diamond",
    "scratch": "x",
    "partial_ft": "triangle-up",
    "lora": "triangle-down",
    "dapt": "star",
    "tfidf_logreg": "cross",
}
_EXTRA_COLORS = ("#A6761D", "#1B9E77", "#E7298A", "#66A61E", "#7570B3", "#B15928", "#17BECF", "#BCBD22")
# A dash per run of one strategy (run_styles), as many as a chart draws (CHARTED): with five, a strategy's sixth
# seed drew its first's line (one colour, one marker, one dash) and nothing on the chart told them apart. Plotly's
# six named dashes, then dash lists (px on, px off) of other rhythms.
_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "2px,6px", "12px,4px,2px,4px,2px,4px",
           "16px,6px,16px,6px,2px,6px", "4px,4px,12px,4px", "20px,4px", "8px,4px,2px,4px,2px,4px,2px,4px")
MAX_POINTS = 400  # per plotted series; enough to see the shape of any curve

# Cost measures the app can chart: store key -> (title, unit, scale divisor).
# Each cost measure's chart title (its name on the Cost measure buttons, pareto.MEASURE_NAMES: a "Trainable
# weights" button opened a chart titled "Trainable parameters"), unit and divisor
COSTS: dict[str, tuple[str, str, float]] = {
    "train_seconds": (MEASURE_NAMES["train_seconds"], "s", 1.0),
    "total_seconds": (MEASURE_NAMES["total_seconds"], "s", 1.0),
    "trainable_params": (MEASURE_NAMES["trainable_params"], "count", 1.0),
    "train_flops": (MEASURE_NAMES["train_flops"], "FLOPs", 1.0),
    "inference_flops_per_text": (MEASURE_NAMES["inference_flops_per_text"], "FLOPs", 1.0),
    "peak_memory_bytes": (MEASURE_NAMES["peak_memory_bytes"], "MiB", 2.0**20),
    "train_examples_per_s": (MEASURE_NAMES["train_examples_per_s"], "examples/s", 1.0),
}


def is_flops(cost: str) -> bool:
    """Whether a cost is counted in FLOPs (shown as '176 GFLOP', axes with SI prefixes)."""
    return COSTS.get(cost, ("", "", 1.0))[1] == "FLOPs"


def _slim_template(name: str = "plotly_white", traces: tuple[str, ...] = ("bar", "scatter")) -> go.layout.Template:
    """``name`` cut to what these charts use: its layout without colour scales (the heatmap names its
    own) and geo/polar/3-D sections, and the defaults of ``traces`` only.

    Plotly validates and deep-copies a figure's template whenever one is set, and plotly_white carries
    defaults for two dozen trace types: setting it took ~25 ms per figure, about half of building the
    Compare page's charts, whose 2-second refresh shares the CPU with the training it shows. The slim
    copy looks the same for these chart types and costs ~3 ms.
    """
    full = pio.templates[name].to_plotly_json()
    drop = ("colorscale", "coloraxis", "geo", "polar", "ternary", "scene", "mapbox")
    layout = {k: v for k, v in full["layout"].items() if k not in drop}
    data = {k: v for k, v in full["data"].items() if k in traces}
    return go.layout.Template(layout=layout, data=data)


TEMPLATE = _slim_template()


def figure(data: Any = None) -> go.Figure:
    """A new figure with the shared template (set at construction, so plotly's default is never applied)."""
    return go.Figure(data=data, layout={"template": TEMPLATE})


# A trace's ``meta`` key for what it shows instead in projector mode (larger text, app_pages.common.projected):
# ``{PROJECTOR: {"text": [...]}}`` are trace properties, set there over the trace's own.
PROJECTOR = "projector"

_LAYOUT = dict(
    margin=dict(l=10, r=10, t=84, b=10),
    # The title sits at the top left, the legend in a row of its own just above the plot area.
    legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0, title_text=""),
    hovermode="closest",
    font=dict(size=13),
)


def style(fig: go.Figure, title: str | None, height: int, **extra: Any) -> go.Figure:
    """Shared look (the figure comes from :func:`figure`): title top-left, legend row above the plot."""
    layout = {**_LAYOUT, **extra}
    if title is not None:
        layout["title"] = dict(text=title, x=0, xref="paper", y=0.98, yref="container", yanchor="top",
                               font=dict(size=16))
    fig.update_layout(height=height, **layout)
    return fig


def strategy_color(strategy: str, dark: bool = False) -> str:
    """The colour of ``strategy`` (stable for unknown names too; a balanced run, or one with other settings,
    keeps its strategy's: ``full_ft (lr 2e-05)`` is full_ft's colour); ``dark``: its shade for the dark theme."""
    strategy = base_strategy(strategy)
    if strategy in STRATEGY_COLORS:
        return (STRATEGY_COLORS_DARK if dark else STRATEGY_COLORS)[strategy]
    h = int(hashlib.sha1(strategy.encode()).hexdigest(), 16)
    return _EXTRA_COLORS[h % len(_EXTRA_COLORS)]


def for_dark_theme(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` with each strategy colour in its dark-theme shade (:data:`STRATEGY_COLORS_DARK`): lines,
    markers, bars, label leaders. Figures are built in the light theme's colours, on the server, which does not know
    the theme; the app's chart call knows it (app_pages.common.chart)."""
    swap = {light.upper(): STRATEGY_COLORS_DARK[k] for k, light in STRATEGY_COLORS.items()
            if STRATEGY_COLORS_DARK[k] != light}

    def walk(v: Any) -> Any:
        if isinstance(v, str):  # a colour, or one inside HTML (a confusion matrix title's swatch: "color:#7F3C8D")
            return swap.get(v.upper()) or (re.sub(r"#[0-9A-Fa-f]{6}\b", lambda m: swap.get(m[0].upper(), m[0]), v)
                                           if "#" in v else v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return go.Figure(walk(fig.to_plotly_json()))


def strategy_symbol(strategy: str) -> str:
    """The marker shape of ``strategy`` (a circle for names without one)."""
    return STRATEGY_SYMBOLS.get(base_strategy(strategy), "circle")


def text_color_on(fill: str) -> str:
    """Black or white, whichever reads better on the colour ``fill`` ('#RRGGBB'): white on orange or sky blue
    was 2.3:1, under the 4.5:1 that text needs."""
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(fill.lstrip("#")[i:i + 2], 16)) for i in (0, 2, 4))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


CHARTED = 12  # more runs than this: the charts draw CHARTED of them (charted_default), the tables every one


def charted_default(runs: Sequence[Any], most: int = CHARTED) -> list:
    """The runs a chart of many runs draws: every one where there are at most ``most``, else the runs training now
    and, of each strategy and setting (:func:`bertlab.variants.labels`), its finished run of median test accuracy
    (its middle seed), best first, ``most`` in all. The Compare page's default (its list can change it) and the
    report's. A review: 180 runs (20 learning rates x 9 seeds) took 38 s to draw, 180 confusion matrices among
    them, with bars of one colour under labels that ran into each other."""
    from bertlab import variants
    from bertlab.store import ACTIVE, SUCCEEDED

    if len(runs) <= most:
        return list(runs)
    names = variants.labels(runs)
    groups: dict[str, list] = {}
    for r in runs:
        groups.setdefault(names[r.id], []).append(r)
    middle = []
    for rs in groups.values():
        done = sorted((r for r in rs if r.status == SUCCEEDED), key=lambda r: r.metrics.get("test_accuracy") or 0)
        if done:
            middle.append(done[(len(done) - 1) // 2])
    middle.sort(key=lambda r: -(r.metrics.get("test_accuracy") or 0))
    return [*(r for r in runs if r.status in ACTIVE), *middle][:most]


def run_labels(runs: Sequence[Any]) -> dict[str, str]:
    """Display names: the strategy alone when it is unique among ``runs``, else strategy + id tail (a run with
    balanced class weights is ``head_only (balanced)``; runs of one strategy with different settings are
    ``full_ft (lr 2e-05)`` and ``full_ft (lr 5e-05)``: :func:`bertlab.variants.labels`)."""
    from bertlab.variants import labels

    names = labels(runs)
    counts: dict[str, int] = {}
    for r in runs:
        counts[names[r.id]] = counts.get(names[r.id], 0) + 1
    return {r.id: names[r.id] if counts[names[r.id]] == 1 else f"{names[r.id]} · {r.id[-4:]}" for r in runs}


def _settings(runs: Sequence[Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(each run's name, each strategy's settings by those names in the order met): ``head_only (lr 0.001)`` and
    ``head_only (lr 0.03)`` are two settings of head_only, its seeds one."""
    from bertlab.variants import labels

    names = labels(runs)
    settings: dict[str, list[str]] = {}
    for r in runs:
        settings.setdefault(r.strategy, [])
        if names[r.id] not in settings[r.strategy]:
            settings[r.strategy].append(names[r.id])
    return names, settings


def run_styles(runs: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """(colour, dash) per run id: colour by strategy, dash tells apart runs of one strategy: its settings where it
    ran with several (``head_only (lr 0.001)``'s seeds all dashed, ``head_only (lr 0.03)``'s dotted: by run, a
    persona's two settings at two seeds each drew one of each dashed), else its runs (seeds)."""
    names, settings = _settings(runs)
    seen: dict[str, int] = {}
    out = {}
    for r in runs:
        if len(settings[r.strategy]) > 1:
            i = settings[r.strategy].index(names[r.id])
        else:
            i = seen.get(r.strategy, 0)
            seen[r.strategy] = i + 1
        out[r.id] = (strategy_color(r.strategy), _DASHES[i % len(_DASHES)])
    return out


def setting_patterns(runs: Sequence[Any]) -> list[str]:
    """A bar fill per run (in order) telling apart the settings of one strategy (``head_only (lr 0.001)`` plain,
    ``head_only (lr 0.03)`` hatched): bars of one colour were all the differences a review could not read. Plain
    for every run where no strategy ran with several settings (seeds of one setting share its fill)."""
    names, settings = _settings(runs)
    return [_PATTERNS[settings[r.strategy].index(names[r.id]) % len(_PATTERNS)] for r in runs]


def downsample(xs: Sequence[float], ys: Sequence[float], max_points: int = MAX_POINTS) -> tuple[list, list]:
    """Average consecutive points into at most ``max_points`` buckets (keeps the curve's shape).

    Averaging (rather than striding) also smooths noisy per-step losses, which is
    what a reader of a long loss curve wants.
    """
    n = len(xs)
    if n <= max_points:
        return list(xs), list(ys)
    edges = np.linspace(0, n, max_points + 1).astype(int)
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    bx = [float(x[a:b].mean()) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    by = [float(y[a:b].mean()) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    return bx, by


def series(points: Iterable[dict], run_id: str, name: str, x: str = "step") -> tuple[list, list]:
    """The (x, value) lists of one series of one run, ordered by ``x``."""
    rows = sorted((p[x], p["value"]) for p in points if p["run_id"] == run_id and p["series"] == name)
    return [r[0] for r in rows], [r[1] for r in rows]


def _empty(fig: go.Figure, message: str) -> go.Figure:
    fig.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font=dict(size=14, color="#888"))
    return fig


def smooth(ys: Sequence[float], weight: float) -> list[float]:
    """Exponential moving average (debiased, as TensorBoard does) of a noisy per-step series."""
    out, avg = [], 0.0
    for i, y in enumerate(ys, 1):
        avg = weight * avg + (1 - weight) * y
        out.append(avg / (1 - weight**i))
    return out


LOSS_X = {"step": ("step", "optimizer step (batches)"), "epoch": ("x", "epoch (passes over the training set)"),
          "progress": ("step", "share of the run's training steps (%)")}


def _run_total_steps(run: Any, last_step: float) -> float:
    """Planned steps of a run: its last step when it succeeded, else (running, or stopped part way: cancelled,
    failed, interrupted) extrapolated from its progress, so that a run cancelled at 42% ends at 42%, as it did
    while it ran, not stretched over the whole axis as if it had finished."""
    p = getattr(run, "progress", 1.0) or 0.0
    if getattr(run, "status", "succeeded") != "succeeded" and 0.02 < p < 1:
        return last_step / p
    return last_step


def train_loss_figure(runs: Sequence[Any], points: Sequence[dict], height: int = 340, x: str = "step",
                      smoothing: float = 0.8, name: str = "train_loss", title: str = "Training loss",
                      y_title: str = "cross-entropy loss (nats)") -> go.Figure:
    """Training loss per run against optimizer steps or epochs: raw steps faint, smoothed curve bold.

    Args:
        runs / points: store runs and their points.
        x: "step", "epoch" or "progress" (steps as a share of the run, so short and long runs overlay).
        smoothing: EMA weight for the bold curve (0 = none); per-step losses are noisy.
        name: the series to draw ("mlm_loss" for dapt's continued pretraining).
    """
    field, x_title = LOSS_X[x]
    fig = figure()
    labels, styles = run_labels(runs), run_styles(runs)
    for r in runs:
        xs, ys = series(points, r.id, name, x=field)
        if not xs:
            continue
        if x == "progress":
            total = _run_total_steps(r, xs[-1]) or 1.0
            xs = [s / total for s in xs]
        xs, ys = downsample(xs, ys)
        color, dash = styles[r.id]
        fmt = {"step": ".0f", "epoch": ".2f", "progress": ".0%"}[x]
        hover = f"{x} %{{x:{fmt}}}<br>loss %{{y:.3f}}<extra>{labels[r.id]}</extra>"
        if smoothing and len(ys) > 20:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=labels[r.id], legendgroup=r.id, showlegend=False,
                                     line=dict(color=color, width=1), opacity=0.25, hoverinfo="skip"))
            ys = smooth(ys, smoothing)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=labels[r.id], legendgroup=r.id,
                                 line=dict(color=color, dash=dash, width=2.5), hovertemplate=hover,
                                 marker=dict(symbol=strategy_symbol(r.strategy), size=8, maxdisplayed=12)))
    style(fig, title, height)
    fig.update_xaxes(title_text=x_title, rangemode="tozero")
    if x == "progress":
        fig.update_xaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_yaxes(title_text=y_title, rangemode="tozero")
    if not fig.data:
        _empty(fig, no_steps_message(runs))
    elif name == "train_loss":
        _uniform_guess_line(fig, runs)
    return fig


def _uniform_guess_line(fig: go.Figure, runs: Sequence[Any]) -> None:
    """The loss of guessing every class alike, ln(classes), dashed, where the runs share one class count: a curve
    that stays on it has learnt nothing (from scratch on a few hundred texts, say)."""
    counts = {len(names) for r in runs if (names := (r.data_summary or {}).get("label_names"))}
    if len(counts) == 1 and (k := counts.pop()) > 1:
        fig.add_hline(y=math.log(k), line=dict(color="#888", dash="dash", width=1.5),
                      annotation_text=f"guessing {k} classes alike: ln {k} = {math.log(k):.2f}",
                      annotation_position="top right", annotation_font=dict(size=12))


def no_steps_message(runs: Sequence[Any]) -> str:
    """Why a loss chart is empty: steps still to come, or finished runs whose strategy takes no gradient steps.

    zero_shot (nothing trained) and tfidf_logreg (a closed-form L-BFGS fit) finish without any optimizer
    step; "no training steps yet" would wrongly suggest they are still to train.
    """
    if not runs or any(getattr(r, "status", "") in ("queued", "running") for r in runs):
        return "no training steps yet"
    done = sorted({r.strategy for r in runs if r.status == "succeeded"})
    if not done:
        return "no training steps: the runs stopped before their first step"
    verb = "does" if len(done) == 1 else "do"
    return f"no loss curve: {', '.join(done)} {verb} not train with gradient steps"


def mlm_loss_figure(runs: Sequence[Any], points: Sequence[dict], height: int = 300) -> go.Figure:
    """The masked-LM phase of dapt (continued pretraining) and of scratch (option mlm_epochs): masked-LM loss per
    MLM step (empty when no run has one), with the loss of guessing uniformly over the vocabulary, ln(vocabulary
    size), as a dashed line: a checkpoint without masked-LM head weights, or a random model, starts near or above
    it."""
    fig = train_loss_figure(runs, points, height, name="mlm_loss",
                            title="Pretraining phase: masked-LM loss, before training on the labels",
                            y_title="masked-LM cross-entropy (nats)")
    sizes = {int(v) for r in runs if (v := (r.costs or {}).get("mlm_vocab_size"))}
    if len(sizes) == 1 and fig.data:
        (v,) = sizes
        fig.add_hline(y=math.log(v), line=dict(color="#888", dash="dash", width=1.5),
                      annotation_text=f"uniform guess over {v:,} tokens: {math.log(v):.1f} nats",
                      annotation_position="top right", annotation_font=dict(size=12))
    return fig


def mlm_caption(strategies: set[str]) -> str:
    """What the masked-LM chart shows, for the strategies drawn in it (dapt, scratch with mlm_epochs, or both)."""
    parts = []
    if "dapt" in strategies:
        parts.append("dapt continues the pretrained model's masked-language-model training")
    if "scratch" in strategies:
        parts.append("scratch pretrains its random model as a masked language model (option mlm_epochs)")
    return ("Before training on the labels, " + "; ".join(parts) + ", on the training texts (and any unlabelled "
            "file you gave it). The classification loss that follows is in the chart above.")


VALIDATION = {"val_loss": "Validation loss", "val_accuracy": "Validation accuracy"}
# What the loss and validation curves show, in words, under them on Compare and in the report: their captions said
# what is drawn (cross-entropy per step, loss and accuracy per epoch), not how a reader who knows no ML reads it.
CURVES_READING = ("Reading the curves: lower loss is better (it measures how far a run's probabilities were from the "
                  "right answers). The validation texts are ones no run trains on: validation accuracy rising and its "
                  "loss falling is the run learning; a validation loss that turns up while the training loss keeps "
                  "falling is the run memorising its training texts (overfitting).")


def validation_figure(runs: Sequence[Any], points: Sequence[dict], height: int = 340,
                      progress: bool = False, panels: Sequence[str] = tuple(VALIDATION),
                      legend: bool = True, wrap_titles: bool = False) -> go.Figure:
    """Validation loss and validation accuracy by epoch, side by side, one line per run.

    ``progress``: by epoch as a share of each run's epochs instead, so a 30-epoch head_only does not squeeze
    3-epoch fine-tuning into the first tenth of the axis (the loss chart's "by % of run"). ``panels``: which of
    the two to draw (keys of :data:`VALIDATION`): Compare draws each in a column of its own, as a phone stacks
    columns, where one figure's two plots stayed side by side at ~130 px each. ``legend=False``: no run legend
    (and no room kept for one above the title), for a figure drawn right under a chart that names the same runs
    in the same colours and symbols; a run that chart does not name (no training loss: zero_shot, tfidf_logreg), and
    a line that shares its colour with another (runs of one strategy: head_only at two learning rates), is named by a
    label beside its last point. A long line shows a few markers (:func:`marker_sizes`), so its dashes show.
    ``wrap_titles``: each title on two lines ("Validation" over "accuracy"),
    room kept above the plot for both, for a column too narrow for one line at projector size (Compare's at 1024 px
    in projector mode, ~250 px: "Validation accuracy" at 22 px, from the plot's left edge ~100 px in, was cut at
    "Validation accu")."""
    titles = [VALIDATION[p].replace(" ", "<br>", 1) if wrap_titles else VALIDATION[p] for p in panels]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=titles,
                        horizontal_spacing=0.12, figure=figure())
    labels, styles = run_labels(runs), run_styles(runs)
    # Without a legend, the training-loss chart above names the runs, but not one that trained nothing (zero_shot's
    # lone point at epoch 0, tfidf_logreg's at its fit): a user saw an unexplained dot, named only in its hover. Those
    # runs' points carry their name beside them (the layout's font: it follows the dark theme and projector mode).
    trained = {p["run_id"] for p in points if p["series"] == "train_loss"}
    # Nor could a user tell apart two lines of one strategy (head_only at lr 0.01 and 0.03: one colour, one symbol):
    # their ends carry their names too.
    shared, ends = _sharing_colour(runs, points, panels), []
    for r in runs:
        color, dash = styles[r.id]
        named = not legend and r.id not in trained and r.id not in shared
        for col, name in enumerate(panels, 1):
            xs, ys = series(points, r.id, name, x="x")
            if not xs:
                continue
            xs, ys = downsample(xs, ys)
            epochs = xs
            total = max(float((r.config or {}).get("epochs") or 0), xs[-1]) or 1.0
            if progress:
                xs = [e / total for e in xs]
            if not legend and r.id in shared:
                ends.append(_End(col, xs[-1], ys[-1], labels[r.id], color))
            unit = "loss %{y:.3f}" if name == "val_loss" else "accuracy %{y:.1%}"
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers+text" if named else "lines+markers",
                                     name=labels[r.id], legendgroup=r.id,
                                     text=[""] * (len(xs) - 1) + [labels[r.id]] if named else None,
                                     # off the curves' usual way: accuracy climbs, loss falls
                                     textposition="bottom right" if name == "val_accuracy" else "top right",
                                     cliponaxis=not named,
                                     line=dict(color=color, dash=dash, width=2),
                                     marker=dict(size=marker_sizes(len(xs)), symbol=strategy_symbol(r.strategy)),
                                     customdata=epochs, hovertemplate="epoch %{customdata:.0f}<br>" + unit
                                     + "<extra>" + labels[r.id] + "</extra>"), row=1, col=col)
            kept = r.metrics.get("kept_epoch")
            if kept in epochs:  # keep_best: ring the epoch whose weights the run kept
                y = ys[epochs.index(kept)]
                fig.add_trace(go.Scatter(x=[kept / total if progress else kept], y=[y], mode="markers",
                                         name=labels[r.id], legendgroup=r.id,
                                         marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color=color, width=2.5)),
                                         # with class weights the class-weighted loss, which the curve is not
                                         hovertemplate=f"epoch {kept}: weights kept (lowest "
                                                       f"{html.escape(r.metrics.get('kept_by') or 'validation loss')})"
                                                       "<extra>" + labels[r.id] + "</extra>", showlegend=False),
                              row=1, col=col)
    # One legend entry per run even when a run has both curves.
    names_seen: set[str] = set()
    for tr in fig.data:
        tr.showlegend = legend and tr.name not in names_seen
        names_seen.add(tr.name)
    if legend:  # Legend row above the two titles; titles bold at the top left of their plots, like every other chart's.
        style(fig, None, height, legend={**_LAYOUT["legend"], "y": 1.2})
    else:  # the titles alone above the plot: the room kept for a legend row would be empty
        # (two title lines at projector size, 22 px, take ~55 px)
        style(fig, None, height, showlegend=False, margin={**_LAYOUT["margin"], "t": 64 if wrap_titles else 40})
    for ann, axis in zip(fig.layout.annotations, ("xaxis", "xaxis2")[:len(panels)]):
        ann.update(text=f"<b>{ann.text}</b>", x=fig.layout[axis].domain[0], xanchor="left", align="left",
                   font=dict(size=16))
    top = _max_x(fig)
    _label_ends(fig, ends, middle=0.5 if progress else max(1, top) / 2, panels=panels)
    _place_lone_labels(fig, (-0.03, 1.03) if progress else (-0.25, max(1, top) + 0.25))
    if progress:
        # short: the plots stand closer with accuracy's axis on the right, and at projector size at 1024 px the two
        # titles ran into one ("share of the run's epochsshare of the run's epochs")
        fig.update_xaxes(title_text="% of the run's epochs", tickformat=".0%", range=[-0.03, 1.03])
    else:  # padded so a point at epoch 0 (zero_shot's single evaluation) is not cut in half
        fig.update_xaxes(title_text="epoch", range=[-0.25, max(1, top) + 0.25], dtick=1 if top <= 12 else None)
    col = {name: i for i, name in enumerate(panels, 1)}
    if "val_loss" in col:
        fig.update_yaxes(title_text="cross-entropy loss (nats)", rangemode="tozero", row=1, col=col["val_loss"])
    if "val_accuracy" in col:
        # Accuracy's axis on the right of its plot beside loss's: between the two, at projector size at 1024 px, its
        # title ran into the loss plot's '100%' tick (the gap is a share of the width: no one gap fits 1024 and 1920).
        fig.update_yaxes(title_text="accuracy (%)", tickformat=".0%", range=[0, 1.02], row=1, col=col["val_accuracy"],
                         side="right" if col["val_accuracy"] > 1 else "left")
    if not fig.data:
        _empty(fig, "no validation results yet")
    return fig


def marker_sizes(n: int, size: int = 8, most: int = 6) -> int | list[int]:
    """Marker sizes along a line of ``n`` points: every point's where there are few, else ``most`` spread evenly
    (the last one among them) and none between: head_only's 30 epochs drew a square on every one, hiding the dashes
    that tell its learning rates apart. The hover still answers at every point."""
    if n <= most + 2:
        return size
    shown = {round(i * (n - 1) / (most - 1)) for i in range(most)}
    return [size if i in shown else 0 for i in range(n)]


def _sharing_colour(runs: Sequence[Any], points: Sequence[dict], panels: Sequence[str]) -> set[str]:
    """The runs drawn in these validation panels whose strategy (their colour) has another run drawn there."""
    drawn = {p["run_id"] for p in points if p["series"] in panels}
    by_strategy: dict[str, list[str]] = {}
    for r in runs:
        if r.id in drawn:
            by_strategy.setdefault(r.strategy, []).append(r.id)
    return {i for ids in by_strategy.values() if len(ids) > 1 for i in ids}


class _End(NamedTuple):
    """A line's last point, to be named (:func:`_label_ends`)."""
    col: int
    x: float
    y: float
    text: str
    color: str


def _label_ends(fig: go.Figure, ends: Sequence[_End], middle: float, panels: Sequence[str], gap: float = 17) -> None:
    """Names each of ``ends`` with a label joined to its last point by a thin line of its colour: labels running
    inwards (left of an end past the x axis' ``middle``: to its right, "head_only (lr 0.03)" was cut at the chart's
    edge), one a line (``gap`` px) apart, stacked in the order of their ends (the highest end's label on top), above
    the ends or below them, where the plot has more room: two runs' names, each beside its own point, were written
    over each other where their lines ended close (two full_ft runs' one-epoch points, 0.58 both)."""
    height = _plot_height(fig)
    for col, name in enumerate(panels, 1):
        here, axis = [e for e in ends if e.col == col and _is_finite(e.y)], "" if col == 1 else str(col)
        drawn = [y for tr in fig.data if tr.xaxis == f"x{axis}" for _, y, _ in _finite_points(tr)]
        top = 1.02 if name == "val_accuracy" else (max(drawn, default=1.0) * 1.05 or 1.0)  # loss: from 0, autorange
        px = height / top  # pixels per unit of y
        for right in (False, True):
            group = sorted((e for e in here if (e.x > middle) == right), key=lambda e: -e.y)
            if not group:
                continue
            above = (top - group[0].y) * px >= len(group) * gap + 8 or (top - group[0].y) >= group[-1].y
            first = group[0].y * px + 14 if above else group[-1].y * px - 14 - (len(group) - 1) * gap
            for k, e in enumerate(group):  # label k's centre, in pixels up from the axis
                at = first + (len(group) - 1 - k) * gap
                _leader_label(fig, e.x, e.y, e.text, f"x{axis}", f"y{axis}", left=right, rise=at - e.y * px,
                              color=e.color)


def _plot_height(fig: go.Figure) -> float:
    """A chart's plot area height in px (its height less the margins and the x axis' title), what the labels beside
    its points are placed for."""
    return (fig.layout.height or 340) - (fig.layout.margin.t or 0) - (fig.layout.margin.b or 0) - 45  # axis title


def _leader_label(fig: go.Figure, x: float, y: float, text: str, xref: str, yref: str, left: bool, rise: float,
                  color: str) -> None:
    """``text`` ``rise`` px above the point (x, y) (below where negative), to its left where ``left``, joined to it
    by a thin line of ``color``: how :func:`_label_ends` and :func:`_place_lone_labels` name a point whose label
    cannot sit right beside it."""
    fig.add_annotation(x=x, y=y, text=text, xref=xref, yref=yref, ax=-6 if left else 6, ay=-rise,
                       axref="pixel", ayref="pixel", xanchor="right" if left else "left",
                       showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=color, standoff=5)


LABEL_PLOT_PX = 190  # a validation plot's width to place labels for: Compare's column at 1024 px in projector mode
LABEL_CHAR_PX, LABEL_LINE_PX = 10.0, 22.0  # a label's character and line, at the larger (projector) size, roughly
_LABEL_SIDES = {True: ("bottom left", "top left", "middle left"), False: ("bottom right", "top right", "middle right")}


def _is_finite(v) -> bool:
    return isinstance(v, int | float) and math.isfinite(v)


def _finite_points(tr) -> list[tuple[float, float, int]]:
    """A trace's (x, y, index) where both are finite numbers (a diverged run's loss: inf, or None from the store)."""
    return [(x, y, i) for i, (x, y) in enumerate(zip(tr.x or (), tr.y or ())) if _is_finite(x) and _is_finite(y)]


def _place_lone_labels(fig: go.Figure, x_range: tuple[float, float]) -> None:
    """Sets the ``textposition`` of each named lone point (a trace with text: zero_shot's, tfidf_logreg's) to the
    place beside it that covers the fewest of the other runs' markers and lines (markers counted thrice), the label
    to the left of a point past the middle of the x axis: tfidf_logreg's at 100% ran past the chart's right edge
    ("tfid"), and zero_shot's, below its point at 0%, sat under head_only's first markers. Placed labels count as
    obstacles for the next. Pixels are reckoned for :data:`LABEL_PLOT_PX`, the narrowest the plot is drawn."""
    height = _plot_height(fig)
    sx = LABEL_PLOT_PX / (x_range[1] - x_range[0])
    for axis in {tr.xaxis or "x" for tr in fig.data}:
        here = [tr for tr in fig.data if (tr.xaxis or "x") == axis]
        # finite points only: a diverged run's inf loss made the scale NaN (int(NaN) stopped Compare's charts)
        ys = [y for tr in here for _, y, _ in _finite_points(tr)]
        top = 1.02 if all(y <= 1 for y in ys) else max(ys) * 1.05
        sy = height / (top or 1.0)
        obstacles: list[tuple[float, float, int]] = []  # (x px, y px up, weight)
        for tr in here:
            if tr.mode and "text" in tr.mode:
                continue
            sizes = tr.marker.size if isinstance(tr.marker.size, tuple | list) else [tr.marker.size or 0] * len(tr.x)
            pts = [(x * sx, y * sy) for x, y, _ in _finite_points(tr)]
            obstacles += [(x * sx, y * sy, 3) for x, y, i in _finite_points(tr) if sizes[i]]
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):  # the line, every ~4 px
                n = max(1, int(math.hypot(x1 - x0, y1 - y0) / 4))
                obstacles += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n, 1) for k in range(1, n)]
        for tr in here:
            fin = _finite_points(tr)
            if not (tr.mode and "text" in tr.mode and tr.text) or not fin or fin[-1][2] != len(tr.x) - 1:
                continue  # a lone point that is not a finite number: nothing to place beside
            x, y = tr.x[-1] * sx, tr.y[-1] * sy
            w = LABEL_CHAR_PX * len(tr.text[-1])
            left = tr.x[-1] > (x_range[0] + x_range[1]) / 2
            order = _LABEL_SIDES[left] if tr.textposition.startswith("bottom") else (
                _LABEL_SIDES[left][1], _LABEL_SIDES[left][0], _LABEL_SIDES[left][2])

            costs = {}
            for pos in order:  # over the ticks or the title: worse than any crowd
                x0, y0, x1, y1 = _label_box(x, y, w, pos)
                costs[pos] = _covered((x0, y0, x1, y1), obstacles) + (100 if y0 < 0 or y1 > top * sy else 0)
            best = min(order, key=costs.__getitem__)  # ties: the first (off the curve's usual way)
            tr.textposition = best
            x0, y0, x1, y1 = _label_box(x, y, w, best)
            if costs[best] and (away := _clear_offset(_label_box(x, y, w, order[0]), obstacles, top * sy)) is not None:
                # crowded all round (zero_shot's point at 0%, among head_only's first markers): the name further
                # up or down where nothing is drawn, joined to its point by a thin line of the run's colour
                x0, y0, x1, y1 = _label_box(x, y, w, order[0])
                y0, y1 = y0 + away, y1 + away
                _leader_label(fig, tr.x[-1], tr.y[-1], tr.text[-1], tr.xaxis or "x", tr.yaxis or "y", left=left,
                              rise=(y0 + y1) / 2 - y, color=tr.line.color)
                tr.mode, tr.text = tr.mode.replace("+text", ""), None
            obstacles += [(x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * j / 2, 3) for i in range(9) for j in range(3)]


def _label_box(x: float, y: float, w: float, pos: str) -> tuple[float, float, float, float]:
    """The box (px: left, bottom, right, top) of a label ``w`` px wide at ``textposition`` ``pos`` of a point."""
    x0 = x - 4 - w if pos.endswith("left") else x + 4
    y0 = {"bottom": y - 4 - LABEL_LINE_PX, "top": y + 4, "middle": y - LABEL_LINE_PX / 2}[pos.split()[0]]
    return x0, y0, x0 + w, y0 + LABEL_LINE_PX


def _covered(box: tuple[float, float, float, float], obstacles: Sequence[tuple[float, float, int]]) -> int:
    """The weight of ``obstacles`` (x, y px, weight) within ``box`` or 4 px of it."""
    x0, y0, x1, y1 = box
    return sum(k for ox, oy, k in obstacles if x0 - 4 <= ox <= x1 + 4 and y0 - 4 <= oy <= y1 + 4)


def _clear_offset(box: tuple[float, float, float, float], obstacles: Sequence[tuple[float, float, int]],
                  top: float, step: float = 6) -> float | None:
    """How far (px, up positive) to move ``box`` so that it covers none of ``obstacles`` and stays between 0 and
    ``top``: the nearest such place, None where there is none."""
    x0, y0, x1, y1 = box
    for k in range(1, int(top / step) + 1):
        for dy in (-k * step, k * step):  # below first: accuracy climbs, so below a point is usually empty
            if y0 + dy < 0 or y1 + dy > top:
                continue
            if not _covered((x0, y0 + dy, x1, y1 + dy), obstacles):
                return dy
    return None


def _max_x(fig: go.Figure) -> float:
    xs = [x for tr in fig.data for x in (tr.x or ())]
    return max(xs) if xs else 0


def _succeeded(runs: Sequence[Any]) -> list[Any]:
    return [r for r in runs if r.status == "succeeded" and r.metrics]


def memory_note(runs: Sequence[Any]) -> str | None:
    """A line naming the runs whose peak memory leaves out the frozen encoder (already loaded by an earlier run in
    the process, or embeddings served from the cache), so that "head_only needs 1/20 of zero_shot's memory" is not
    read off the table; None where no run did."""
    labels = run_labels(runs)
    light = [labels[r.id] for r in runs if (r.costs or {}).get("memory_without_encoder")]
    first = [labels[r.id] for r in runs if (r.costs or {}).get("memory_first_in_process")]

    def named(which: list[str]) -> str:  # 179 runs named one by one filled a screen (a review's 180-run batch)
        return ", ".join(which) if len(which) <= 6 else (
            "every run" if len(which) == len(runs) else f"{len(which)} of these {len(runs)} runs")

    said = []
    if light:
        said.append(f"Memory of {named(light)}: the encoder was already loaded by an earlier run, or its "
                    "embeddings came from the cache, so the figure leaves out the encoder's weights and its pass: the "
                    "same run in a fresh process needs more.")
    if first and len(runs) > 1:  # one run alone is compared with nothing
        said.append(f"Memory of {named(first)}: the first run measured in its process (the app's server after "
                    "it started, or a command), so on the CPU the figure also holds the process's one-time set-up "
                    "(PyTorch's kernels and buffers), which later runs reuse: it reads high beside them.")
    of = {memory_of(r) for r in runs}
    if {"rss", "cuda"} <= of:  # one column, two measures (a diff review): said
        ram = [labels[r.id] for r in runs if memory_of(r) == "rss"]
        said.append(f"Memory of {named(ram)}: the RAM it added (it runs nothing on the GPU); the others' is the "
                    "GPU memory they allocated.")
    return " ".join(said) or None


def results_frame(runs: Sequence[Any]) -> pd.DataFrame:
    """One row per run with the comparison numbers (accuracy, F1, baseline, the validation scores, time, size,
    compute, memory)."""
    labels = run_labels(runs)
    rows = []
    for r in runs:
        m, c = r.metrics or {}, r.costs or {}
        mem = c.get("peak_memory_bytes")
        rows.append({
            "run": labels[r.id],
            "status": r.status,
            "test accuracy": m.get("test_accuracy"),
            "95% interval": format_interval(accuracy_interval(r)),
            "macro-F1": m.get("test_macro_f1"),
            "majority baseline": m.get("majority_accuracy"),
            # the kept model on the validation texts (what Keep best and the answer's check of a setting read)
            "val accuracy": m.get("val_accuracy"),
            "val macro-F1": m.get("val_macro_f1"),
            "val loss": m.get("val_loss"),
            "train time (s)": c.get("train_seconds"),
            "total time (s)": c.get("total_seconds"),
            "train examples/s": examples_per_s(c),
            "trainable params": c.get("trainable_params"),
            "total params": c.get("total_params"),
            "train FLOPs": c.get("train_flops"),
            "inference FLOPs/text": c.get("inference_flops_per_text"),
            "peak memory (MiB)": mem / 2**20 if mem else None,
            "device": c.get("device") or r.device,
            "precision": precision_text(c.get("precision")),
            "run id": r.id,
        })
    return pd.DataFrame(rows)


def device_line(runs: Sequence[Any]) -> str | None:
    """Compare's line under its table naming the devices (and precisions) the runs trained on, as
    :func:`results_frame` gives them, each once: "Device: cpu · bf16." Where a run has no precision (tfidf_logreg
    runs no network) beside one on the same device with it, the device is said once, not "cpu; cpu · bf16".
    None where no run names a device."""
    devices = sorted({" · ".join(str(x) for x in ((r.costs or {}).get("device") or r.device,
                                                  precision_text((r.costs or {}).get("precision"))) if x)
                      for r in runs} - {""})
    devices = [d for d in devices if not any(e.startswith(d + " · ") for e in devices)]
    return f"Device: {'; '.join(devices)}." if devices else None


def accuracy_interval(run: Any) -> tuple[float, float] | None:
    """The 95% Wilson interval of a run's test accuracy: stored since runs record it, else computed from the
    accuracy and the test-set size (older runs), None when neither is known."""
    sizes = (getattr(run, "data_summary", None) or {}).get("sizes") or {}
    return run_accuracy_interval(run.metrics or {}, sizes.get("test"))


def cost_text(cost: str, v: float | None) -> str:
    """A cost value as the charts label it: FLOPs with their SI unit ('176 GFLOP'), others compact."""
    return format_flops(v) if is_flops(cost) else human(v)


def human(v: float | None, unit: str = "") -> str:
    """Compact number for bar labels, three significant figures as FLOPs have (:func:`format_flops`): 22.7M, 1.20T,
    0.734, 46.0, 5.00, 0. A chart's labels alike: '0 / 21 / 4.29 / 108' ('21' was 21.0) read as of mixed precision."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    v = float(f"{v:.3g}")  # rounded first, so 999.6 is '1.00k', not '1000'
    a = abs(v)
    for div, suf in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{three_figures(v / div)}{suf}{(' ' + unit) if unit else ''}".strip()
    return f"{three_figures(v)} {unit}".strip()


def wrapped_ticks(names: Sequence[str]) -> dict:
    """A bar chart's run names as tick labels on two or three lines, the strategy first and what tells it apart
    below ("head_only<br>(lr 0.01)"): written on one line, a half-width chart at projector size turned them on
    their side and they took half its height from the bars. Empty where no name has more than the strategy."""
    def wrap(n: str) -> str:
        return n.replace(" (", "<br>(", 1).replace(" · ", "<br>· ", 1)

    if not any(wrap(n) != n for n in names):
        return {}
    return {"tickmode": "array", "tickvals": list(names), "ticktext": [wrap(n) for n in names]}


# How far up the accuracy axis (0 to 1.08) a bar's value at its foot reaches, with half the macro-F1 diamond: ~16 px of
# text and padding and ~7 px of diamond, of a plot ~185 px high at 340 px (alike at projector size).
FOOT_LABEL = 0.14


def on_the_foot(accuracy: float, macro_f1: float | None) -> bool:
    """Whether a bar's value, written at its foot, would be covered by the macro-F1 diamond (a macro-F1 near 0)
    or not fit the bar (an accuracy near 0): :func:`accuracy_figure` writes it above the bar's interval then."""
    return accuracy < FOOT_LABEL or (macro_f1 is not None and macro_f1 < FOOT_LABEL)


def _each_runs_baseline(fig: go.Figure, x: list, ys: list, dash: str, name: str, hover: str) -> None:
    """Each run's own baseline as a ``dash`` line across its bar (the chart's one-line baseline's dash): grey marks
    ('line-ew' markers) drew the accuracy's and the macro-F1's alike, solid and 1 px apart in width, while the words
    under the chart (Compare's report, the README) said dashed and dash-dotted. A shape per bar (a category's index
    +-0.45 on the category axis), the legend's entry a line of that dash, the values on hover from unseen markers."""
    for i, y in enumerate(ys):
        if y is not None:
            fig.add_shape(type="line", xref="x", yref="y", x0=i - 0.45, x1=i + 0.45, y0=y, y1=y,
                          line=dict(color="#888", dash=dash, width=2.5))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, legendgroup=name,
                             line=dict(color="#888", dash=dash, width=2.5)))
    fig.add_trace(go.Scatter(x=x, y=ys, mode="markers", name=name, legendgroup=name, showlegend=False,
                             marker=dict(size=26, opacity=0), hovertemplate=hover))


def accuracy_figure(runs: Sequence[Any], height: int = 340, by: str = "accuracy") -> go.Figure:
    """Test accuracy bars per run, macro-F1 as diamonds, the majority-class baseline as a dashed line; ``by``
    "macro_f1" (the page judges by it) adds the majority's macro-F1 (:func:`bertlab.metrics.majority_macro_f1`) as a
    dash-dotted line, the bar the diamonds must clear."""
    fig = figure()
    done = _succeeded(runs)
    labels = run_labels(done)
    x = [labels[r.id] for r in done]
    acc = [r.metrics.get("test_accuracy") for r in done]
    f1 = [r.metrics.get("test_macro_f1") for r in done]
    if done:
        cis = [accuracy_interval(r) for r in done]
        # Error bars: the 95% interval of each accuracy (test-set sampling noise). The value sits inside the
        # bar's foot: at its top, the macro-F1 diamond (usually close to the accuracy), the error bar and a
        # baseline near the accuracy covered it (seen in headless Chromium: "72.4%" under a diamond and the line).
        # mid grey: seen on the light theme and the dark one (#444 was 1.9:1 on the dark background)
        err = dict(type="data", symmetric=False, color="#888", thickness=1.5, width=6,
                   array=[(ci[1] - a) if ci else 0 for ci, a in zip(cis, acc)],
                   arrayminus=[(a - ci[0]) if ci else 0 for ci, a in zip(cis, acc)],
                   visible=any(cis))
        hover = ["" if ci is None else f"<br>95% interval {format_interval(ci)}" for ci in cis]
        above = [i for i, (a, f) in enumerate(zip(acc, f1)) if a is not None and on_the_foot(a, f)]
        value_size = 16 if len(done) <= 4 else 14
        fig.add_trace(go.Bar(x=x, y=acc, name="accuracy (95% interval)", error_y=err,
                             marker_color=[strategy_color(r.strategy) for r in done],
                             # light hatching (its value stays readable over it)
                             marker_pattern=dict(shape=setting_patterns(done), solidity=0.15),
                             text=["" if i in above else f"{a:.1%}" for i, a in enumerate(acc)],
                             textposition="inside", insidetextanchor="start",
                             textangle=0,  # shrunk to fit a narrow bar, never turned on its side
                             # At projector size '72.6%' was shrunk to ~8 px in a half-width chart at 1024 px. Its
                             # ~30-px bars hold '72.6' (the axis says %) at 16 px, four of them; more, at 14 (the least
                             # common.projected lets a bar's value shrink to).
                             meta={PROJECTOR: {"text": ["" if i in above else f"{a * 100:.1f}" for i, a in enumerate(acc)],
                                               "textfont": {"size": value_size}}},
                             textfont=dict(color=[text_color_on(strategy_color(r.strategy)) for r in done]),
                             customdata=hover,
                             hovertemplate="%{x}<br>accuracy %{y:.1%}%{customdata}<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=f1, mode="markers", name="macro-F1",
                                 # white with a dark edge: seen on every bar colour and on both themes
                                 marker=dict(symbol="diamond", size=11, color="white", line=dict(color="#222", width=1.5)),
                                 hovertemplate="%{x}<br>macro-F1 %{y:.3f}<extra></extra>"))
        if above:
            # A bar whose macro-F1 diamond sits on its foot (a run near 0 macro-F1 read "23◇%"), or too short to
            # hold its value: the value above the bar's interval instead, in the theme's text colour.
            tops = [cis[i][1] if cis[i] else acc[i] for i in above]
            fig.add_trace(go.Scatter(x=[x[i] for i in above], y=tops, mode="text", textposition="top center",
                                     text=[f"{acc[i]:.1%}" for i in above], showlegend=False, hoverinfo="skip",
                                     cliponaxis=False, name="accuracy",
                                     meta={PROJECTOR: {"text": [f"{acc[i] * 100:.1f}" for i in above],
                                                       "textfont": {"size": value_size}}}))
        bases = [r.metrics.get("majority_accuracy") for r in done]
        if len({round(b, 3) for b in bases if b is not None}) > 1:
            # runs on different test sets (picked from two datasets, or seeds drawing their own splits): each
            # bar's own baseline, a dash across it; one line at the largest judged tweets' zero_shot against
            # rotten_tomatoes' majority class
            _each_runs_baseline(fig, x, bases, "dash", "majority baseline (each run's test set)",
                                "%{x}<br>majority baseline %{y:.1%}<extra></extra>")
        else:
            base = max((b or 0) for b in bases)
            fig.add_hline(y=base, line_dash="dash", line_color="#888")
            # The baseline is named in the legend (an annotation would sit on top of the bars).
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"majority baseline {base:.1%}",
                                     line=dict(color="#888", dash="dash")))
        f1_bases = [majority_macro_f1(r.metrics) for r in done] if by == "macro_f1" else []
        if len({round(b, 3) for b in f1_bases if b is not None}) > 1:
            # as the accuracy's: each run's own, a dash-dot across its bar
            _each_runs_baseline(fig, x, f1_bases, "dashdot", "majority macro-F1 (each run's test set)",
                                "%{x}<br>majority macro-F1 %{y:.3f}<extra></extra>")
        elif any(b is not None for b in f1_bases):
            # judged by macro-F1 (3% abusive comments: the majority's accuracy 96.8%, its macro-F1 0.492), the bar
            # the answer holds runs to, dash-dotted beside the accuracy's dashes
            f1_base = max(b for b in f1_bases if b is not None)
            fig.add_hline(y=f1_base, line_dash="dashdot", line_color="#888")
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"majority macro-F1 {f1_base:.3f}",
                                     line=dict(color="#888", dash="dashdot")))
    # Short titles: half-width charts cut longer ones at 1024 px; the direction is in the axis title.
    style(fig, "Test accuracy", height, showlegend=bool(done))
    # Short: at 1280 px beside the cost chart a longer title was cut at both ends ("cro-F1 (%, higher...").
    fig.update_yaxes(title_text="% (higher is better)", tickformat=".0%", range=[0, 1.08])
    fig.update_xaxes(title_text="run (strategy)", **wrapped_ticks(x))
    if not done:
        _empty(fig, "no finished runs yet")
    return fig


def cost_figure(runs: Sequence[Any], cost: str = "train_seconds", height: int = 340) -> go.Figure:
    """Bars of one cost measure per finished run (see :data:`COSTS`)."""
    title, unit, div = COSTS[cost]
    fig = figure()
    done = _succeeded(runs)
    labels = run_labels(done)
    vals = [(r.costs or {}).get(cost) for r in done]
    vals = [v / div if isinstance(v, (int, float)) else None for v in vals]
    if done:
        fig.add_trace(go.Bar(x=[labels[r.id] for r in done], y=vals,
                             marker_color=[strategy_color(r.strategy) for r in done],
                             marker_pattern=dict(shape=setting_patterns(done), solidity=0.3),
                             text=[cost_text(cost, v) for v in vals], textposition="outside", cliponaxis=False,
                             customdata=[_hover_value(cost, v, unit) for v in vals],
                             hovertemplate="%{x}<br>%{customdata}<extra></extra>", showlegend=False))
    lower = "higher is better" if cost == "train_examples_per_s" else "lower is cheaper"
    style(fig, title, height)
    fig.update_yaxes(title_text=f"{unit} ({lower})", rangemode="tozero")  # the chart's title names the measure
    if is_flops(cost):  # "10G", "2T" as in GFLOP/TFLOP everywhere else, not plotly's "10B" (billions)
        fig.update_yaxes(exponentformat="SI")
    fig.update_xaxes(title_text="run (strategy)", **wrapped_ticks([labels[r.id] for r in done]))
    if not done:
        _empty(fig, "no finished runs yet")
    return fig


def _hover_value(cost: str, v: float | None, unit: str) -> str:
    if is_flops(cost):
        return format_flops(v)
    return "-" if v is None else f"{v:,.4g} {unit}"


def label_positions(xs: Sequence[float], ys: Sequence[float], labels: Sequence[str], log_x: bool = False,
                    width_px: float = 560, height_px: float = 300) -> list[str]:
    """Plotly ``textposition`` per marker so that text labels of nearby markers do not overlap.

    Greedy: each label, in order of x, takes the first of above / below / right / left whose box (estimated
    from its length at ~8.5 px a character: 7 at the charts' 13 px, 10 at projector size) overlaps no label placed before it and no other marker, and stays
    within the plot's width, preferring a place nearer its own marker than any other (beside another, a name was
    read as that one's); ``above`` when none is free (:func:`label_places` moves those further out).
    Above or below a point at an edge, the label runs inwards from it ("top right" at the left edge): centred,
    at projector size, the rightmost one was cut at the chart's edge ("head_onl") and the leftmost ran over the
    y axis' tick labels. ``width_px``/``height_px`` are the plot area's rough size, which turns data units into
    pixels.
    """
    return [p if isinstance(p, str) else "top center"
            for p in _place(xs, ys, labels, log_x, width_px, height_px, far=False)]


# A label's character width and the plot's width, as the placer guesses them: wide enough for projector size (18 px
# text, where "zero_shot (0 FLOP)" ran into "head_only") and the Accuracy vs cost page's chart beside its legend.
CHAR_PX = 8.5
LabelPlace = str | tuple[float, float]
CORNERS = ("top left", "bottom right", "top right", "bottom left")  # beside a marker, in the order tried


def label_places(xs: Sequence[float], ys: Sequence[float], labels: Sequence[str], log_x: bool = False,
                 width_px: float = 560, height_px: float = 300,
                 lines: Sequence[tuple[int, int]] = (),
                 y_range: tuple[float, float] | None = None) -> list[LabelPlace]:
    """:func:`label_positions`, but a label with no free place beside its marker is moved further out, up or
    down in steps of a line, and given as ``(ax, ay)``: the pixel offset of its centre from the marker (plotly's
    annotation arrow offsets, ``ay`` growing downwards), drawn with a thin line back to the marker
    (:func:`add_point_labels`). Three runs of one strategy at about one cost and accuracy (head_only at three
    learning rates, its embeddings cached) wrote two of their names over each other.

    ``lines``: pairs of markers joined by a straight line (the Pareto front), which a label then keeps off where
    a place beside its marker is free of it (the front ran through "tfidf_logreg" and "zero_shot (0 FLOP)"); a
    corner beside the marker (above left, below right...) is tried before moving further out.

    A label is placed where its own marker is the nearest one to it; where no place is, it is moved further out,
    on its line, rather than written beside another marker ("head_only" to the right of its marker read as the
    name of tfidf_logreg's, 0.29 s and 0.7 points away).

    ``y_range``: the y axis' range as drawn, where known: a label is then kept inside the plot vertically too. A
    point near its axis' top (tfidf_logreg at 98.6% under an axis ending at 102%) had its name written above it,
    over the legend row ("tfidf_logreg" under "always the majority class")."""
    return _place(xs, ys, labels, log_x, width_px, height_px, far=True, lines=lines, y_range=y_range)


def _place(xs: Sequence[float], ys: Sequence[float], labels: Sequence[str], log_x: bool, width_px: float,
           height_px: float, far: bool, lines: Sequence[tuple[int, int]] = (),
           y_range: tuple[float, float] | None = None) -> list[LabelPlace]:
    if not xs:
        return []
    fx = [math.log10(v) if log_x and v > 0 else float(v) for v in xs]
    lo_x, hi_x = min(fx), max(fx)
    lo_y, hi_y = y_range or (min(ys), max(ys))
    sx = width_px / ((hi_x - lo_x) or 1.0)
    sy = height_px / ((hi_y - lo_y) or 1.0)
    pts = [((fx[i] - lo_x) * sx, (ys[i] - lo_y) * sy) for i in range(len(xs))]  # pixels, y growing upwards
    r = 8.0  # a marker's radius

    def crossed(box: tuple[float, float, float, float]) -> bool:  # by a joining line (sampled every ~2 px)
        x0, y0, x1, y1 = box
        for a, b in lines:
            (ax, ay), (bx, by) = pts[a], pts[b]
            n = max(2, int(math.hypot(bx - ax, by - ay) / 2))
            if any(x0 < ax + (bx - ax) * k / n < x1 and y0 < ay + (by - ay) * k / n < y1 for k in range(n + 1)):
                return True
        return False

    def free(i: int, box: tuple[float, float, float, float], boxes: list) -> bool:
        x0, y0, x1, y1 = box
        if any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes):
            return False
        return not crossed(box) and not any(j != i and x0 < px + r and px - r < x1 and y0 < py + r and py - r < y1
                                            for j, (px, py) in enumerate(pts))

    def fits(i: int, cand: tuple[LabelPlace, float, float], w: float, h: float, boxes: list) -> bool:
        place, cx0, cy0 = cand
        inside = (0 <= cx0 and cx0 + w <= width_px) or not (isinstance(place, str) and (
            place.startswith("middle") or place in CORNERS))
        if y_range is not None and not 0 <= cy0 <= cy0 + h <= height_px:  # above or below the plot
            return False
        return inside and free(i, (cx0, cy0, cx0 + w, cy0 + h), boxes)

    def nearest_own(i: int, x0: float, y0: float, w: float, h: float) -> bool:  # the box's nearest marker is i's
        def gap(p: tuple[float, float]) -> float:
            return math.hypot(max(x0 - p[0], 0.0, p[0] - x0 - w), max(y0 - p[1], 0.0, p[1] - y0 - h))

        own = gap(pts[i])
        return all(gap(p) > own for j, p in enumerate(pts) if j != i)

    boxes: list[tuple[float, float, float, float]] = []
    out: list[LabelPlace] = [""] * len(xs)
    for i in _left_to_right_top_first(pts, r):
        (px, py), w, h = pts[i], CHAR_PX * len(labels[i]) + 4, 20.0
        # Centred where it fits the width, else running inwards from the point.
        side, x0 = (("right", px) if px - w / 2 < 0 else ("left", px - w) if px + w / 2 > width_px else
                    ("center", px - w / 2))
        candidates: list[tuple[LabelPlace, float, float]] = [
            (f"top {side}", x0, py + 10), (f"bottom {side}", x0, py - 10 - h),
            ("middle right", px + 10, py - h / 2), ("middle left", px - 10 - w, py - h / 2)]
        if lines:  # the corners, where a line leaves the sides above and below the marker
            candidates += [(c, px - w if c.endswith("left") else px, py + 10 if c.startswith("top") else py - 10 - h)
                           for c in CORNERS]
        if far:  # further up or down, a line at a time; its centre offset from the marker, y growing downwards;
            # inside the plot first (below it, a label ran over the x axis' tick labels)
            further = [((x0 + w / 2 - px, py - cy), x0, cy - h / 2) for k in range(1, 7) for sign in (1, -1)
                       for cy in [py + sign * (10 + h / 2 + k * (h + 2))]]
            candidates += sorted(further, key=lambda c: not -h / 2 <= c[2] <= height_px - h / 2)
        # First a place nearer its own marker than any other: head_only (4.98 s, 95.0%), its top and bottom taken,
        # was written to its right, beside tfidf_logreg's marker 0.29 s on, and read as that marker's name. Then,
        # where none is, one joined to its marker by a line (moved further out), then any free place.
        chosen, joined, anywhere = None, None, None
        for cand in candidates:  # in order, stopping at the first nearest its own marker
            if fits(i, cand, w, h, boxes):
                if nearest_own(i, cand[1], cand[2], w, h):
                    chosen = cand
                    break
                anywhere = anywhere or cand
                joined = joined or (None if isinstance(cand[0], str) else cand)
        chosen = chosen or joined or anywhere or candidates[0]
        place, cx0, cy0 = chosen
        boxes.append((cx0, cy0, cx0 + w, cy0 + h))
        out[i] = place
    return out


def _left_to_right_top_first(pts: Sequence[tuple[float, float]], r: float) -> list[int]:
    """The order labels are placed in: left to right, and top first among markers in one column (within a marker's
    radius ``r`` of the column's first). In the runs' order, zero_shot's name (at 83%) took the place under
    head_only's star (96.5%, both at 2.91 GFLOP a text) and head_only's went on a line further down, beside
    zero_shot's dot: a reader of the report saw the two names swapped."""
    order = sorted(range(len(pts)), key=lambda i: pts[i][0])
    out: list[int] = []
    while order:
        column = [i for i in order if pts[i][0] - pts[order[0]][0] <= r]
        out += sorted(column, key=lambda i: -pts[i][1])
        order = [i for i in order if i not in column]
    return out


def add_point_labels(fig: go.Figure, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str],
                     places: Sequence[LabelPlace], log_x: bool = False) -> list[str]:
    """Adds the labels :func:`label_places` moved away from their markers as annotations with a thin line back
    to the marker, and returns every marker's ``textposition`` (those moved ones get no text of their own:
    their trace's text is to be left empty)."""
    positions = []
    for x, y, text, place in zip(xs, ys, texts, places):
        if isinstance(place, str):
            positions.append(place)
            continue
        positions.append("top center")
        ax, ay = place
        fig.add_annotation(x=math.log10(x) if log_x and x > 0 else x, y=y, text=text, ax=ax, ay=ay,
                           axref="pixel", ayref="pixel", showarrow=True, arrowhead=0, arrowwidth=1,
                           arrowcolor="rgba(128,128,128,0.7)", standoff=8)
    return positions


def tradeoff_figure(runs: Sequence[Any], cost: str = "train_seconds", height: int = 380,
                    by: str = "accuracy") -> go.Figure:
    """Accuracy (``by="macro_f1"``: macro-F1, where the answer judges by it) against a cost, one marker per
    finished run: up and to the left is better. On comments 3% abusive, Compare's chart drew accuracy (scratch,
    which answered 'ok' to all, at 96.8% beside full_ft's 99.7%) under an answer that judged by macro-F1 (0.492
    against 0.978)."""
    f1 = by == "macro_f1"
    score = "test_macro_f1" if f1 else "test_accuracy"
    _, unit, div = COSTS[cost]
    fig = figure()
    done = [r for r in _succeeded(runs) if isinstance((r.costs or {}).get(cost), (int, float))]
    labels = run_labels(done)
    xs = [r.costs[cost] / div for r in done]
    positive = [v for v in xs if v > 0]
    log = len(positive) == len(xs) and len(xs) > 1 and max(xs) / min(xs) > 100
    ys, texts = [r.metrics.get(score) or 0 for r in done], [labels[r.id] for r in done]
    # The y axis' range first, for the placer (as Accuracy vs cost's): a name written above a point near the axis'
    # top ran over the subtitle ("tfidf_logreg" at 96.0% under an axis ending at 102%, at 1024 px in projector mode)
    pad = max(0.02, 0.15 * (max(ys) - min(ys))) if ys else 0.0
    y_range = (max(0.0, min(ys) - pad), min(1.02, max(ys) + pad)) if ys else None
    places = label_places(xs, ys, texts, log_x=log, y_range=y_range)
    where = add_point_labels(fig, xs, ys, texts, places, log_x=log)
    for r, v, pos, place in zip(done, xs, where, places):
        fig.add_trace(go.Scatter(
            x=[v], y=[r.metrics.get(score)], mode="markers+text", name=labels[r.id],
            text=[labels[r.id] if isinstance(place, str) else ""], textposition=pos,
            cliponaxis=False,  # a label above a point near 100% stays whole
            # its strategy's marker, as on the curves: a circle of each colour told full_ft and partial_ft apart by
            # colour alone, alike under deuteranopia
            marker=dict(size=16, color=strategy_color(r.strategy), symbol=strategy_symbol(r.strategy),
                        line=dict(color="white", width=1)),
            hovertemplate=f"{labels[r.id]}<br>{_hover_value(cost, v, unit)}<br>"
                          + ("macro-F1 %{y:.3f}" if f1 else "accuracy %{y:.1%}") + "<extra></extra>"))
    # The direction on a line of its own: on one line at projector size the title ran past a 524-px chart at 1024 px
    # ("Accuracy vs training time (up and left is bet").
    style(fig, f"{'Macro-F1' if f1 else 'Accuracy'} vs {measure_label(cost)}", height, showlegend=False)
    fig.update_layout(title_subtitle=dict(text="up and left is better", font_size=13))
    # "compute (FLOPs, estimate)", "training time (s, log scale)": named as its button, as Accuracy vs cost's axes
    fig.update_xaxes(title_text=axis_label(cost, unit, log),
                     type="log" if log else "linear", exponentformat="SI" if is_flops(cost) else "B")
    if xs and not log:  # pad so markers and their labels at the edges are not cut; from 0, so that costs 0.01%
        # apart (every BERT strategy's inference FLOPs) are drawn as the same, not stretched across the chart
        span = max(xs) - min(min(xs), 0) or 1.0
        fig.update_xaxes(range=[min(min(xs), 0) - 0.08 * span, max(xs) + 0.08 * span])
    if y_range:
        fig.update_yaxes(range=list(y_range))
    # the decimal where the ticks need it, as Accuracy vs cost's ("100%", not "100.0%", over a wide range)
    fig.update_yaxes(title_text="test macro-F1" if f1 else "test accuracy (%)", tickformat=".2~f" if f1 else ".1~%")
    if not done:
        _empty(fig, "no finished runs yet")
    return fig


@dataclass
class PerClass:
    """:func:`per_class_rows`: one row per run, one column per class, in percent."""

    rows: list[dict]
    columns: dict[str, str]  # class name -> column title, "cancel (n=4)"
    support: dict[str, int]  # test texts per class
    left_out: int  # finished runs on other classes (another dataset)
    never_answered: bool = False  # a precision left out where a run never answered its class (NEVER_ANSWERED_NOTE)


def per_class_rows(runs: Sequence[Any], what: str = "recall") -> PerClass | None:
    """Recall, precision or F1 (``what``) of every class for every finished run, on the classes of the first run
    that recorded them (runs on other classes are left out and counted); None where no run recorded them."""
    done = [r for r in _succeeded(runs) if (r.metrics or {}).get("per_class")]
    if not done:
        return None
    names = done[0].metrics.get("label_names")
    same = [r for r in done if r.metrics.get("label_names") == names]
    support = {n: int(v.get("support") or 0) for n, v in same[0].metrics["per_class"].items()}
    columns = {n: f"{n} (n={k:,})" for n, k in support.items()}
    labels = run_labels(same)
    # a class with no test text (a file's own split may leave one out) has no recall or F1: blank, not 0%; a class
    # the run never answered has no precision (metrics.NEVER_ANSWERED_NOTE)
    def value(r, n: str) -> float | None:
        if n not in r.metrics["per_class"] or not (support[n] or what == "precision"):
            return None
        v = shown_precision(r.metrics, n) if what == "precision" else r.metrics["per_class"][n][what]
        return None if v is None else 100 * v

    rows = [{"run": labels[r.id]} | {columns[n]: value(r, n) for n in support} for r in same]
    return PerClass(rows=rows, columns=columns, support=support, left_out=len(done) - len(same),
                    never_answered=what == "precision" and never_answered_any([r.metrics for r in same], support))


def calibration_figure(runs: Sequence[Any], height: int = 360) -> go.Figure:
    """Reliability diagram: per run, the accuracy of its test answers against their confidence (bins of 0.1, markers
    sized by how many texts each holds). On the diagonal: right as often as it says; below: overconfident."""
    fig = figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#BBBBBB", dash="dash"),
                             name="right as often as it says", hoverinfo="skip"))
    done = [r for r in _succeeded(runs) if (r.metrics or {}).get("calibration")]
    labels = run_labels(done)
    for r in done:
        bins = r.metrics["calibration"]
        total = sum(b["count"] for b in bins) or 1
        fig.add_trace(go.Scatter(
            x=[b["confidence"] for b in bins], y=[b["accuracy"] for b in bins], mode="lines+markers",
            name=f"{labels[r.id]} (ECE {r.metrics.get('test_ece', 0):.3f})",
            line=dict(color=strategy_color(r.strategy), width=2),
            marker=dict(size=[6 + 18 * (b["count"] / total) ** 0.5 for b in bins], color=strategy_color(r.strategy),
                        symbol=strategy_symbol(r.strategy)),
            customdata=[b["count"] for b in bins],
            hovertemplate=f"{labels[r.id]}<br>confidence %{{x:.0%}}<br>right %{{y:.0%}}<br>%{{customdata}} texts"
                          "<extra></extra>"))
    style(fig, "Confidence against accuracy (test set)", height)
    # The top class of k has a probability of 1/k at least: the axis starts there (0.5 for two classes).
    k = max((len(r.metrics.get("label_names") or []) for r in done), default=0)
    lo = math.floor(10 / k) / 10 if k >= 2 else 0.0
    fig.update_xaxes(title_text="confidence: the probability of the answer (%)", range=[lo - 0.02, 1.02],
                     tickformat=".0%")
    fig.update_yaxes(title_text="share of those answers that were right (%)", range=[0, 1.02], tickformat=".0%")
    if not done:
        _empty(fig, "no finished run recorded its probabilities")
    return fig



def pr_figure(runs: Sequence[Any], cs: Any, at_recall: float | None = None, height: int = 420) -> go.Figure:
    """Precision against recall on one class (``cs``, :func:`bertlab.prcurve.curves`), a line per run that kept its
    probabilities (its strategy's colour and dash, its average precision in the legend), the point its own answers
    sit at marked by its strategy's symbol; the share of the class among the test texts (what answering at random
    gets) dashed grey where the runs share one, ``at_recall`` a dotted upright line. A step that rises before it
    moves right: the area under it is the average precision."""
    fig = figure()
    by_id = {r.id: r for r in runs}
    drawn = [c for c in cs.curves if c.run_id in by_id]
    labels, styles = run_labels(runs), run_styles(runs)  # named and dashed as the page's other charts
    shares = {round(c.positives / c.texts, 6) for c in drawn}
    if len(shares) == 1:
        share = shares.pop()
        fig.add_trace(go.Scatter(x=[0, 1], y=[share, share], mode="lines", line=dict(color="#BBBBBB", dash="dash"),
                                 name=f"at random ({share:.1%} of the texts)", hoverinfo="skip"))
    for c in drawn:
        r = by_id[c.run_id]
        color, dash = styles[r.id]
        name = labels[r.id]
        # scikit-learn's first point (recall 0, precision 1) drew an upright line along the axis, from 100% down to
        # a weak run's precision: the line starts at its first answer's precision instead (the same area under it)
        fig.add_trace(go.Scatter(
            x=c.recall, y=c.precision[1:2] + c.precision[1:], mode="lines", line=dict(color=color, dash=dash, width=2, shape="vh"),
            name=f"{name} (AP {c.ap:.2f})", legendgroup=r.id,
            customdata=[("" if t is None else f"<br>answers it from p ≥ {t:.3f}") for t in c.threshold],
            hovertemplate=f"{html.escape(name)}<br>recall %{{x:.0%}}<br>precision %{{y:.0%}}%{{customdata}}"
                          "<extra></extra>"))
        p, rec = c.at_answers
        if p is not None:
            fig.add_trace(go.Scatter(
                x=[rec], y=[p], mode="markers", legendgroup=r.id, showlegend=False,
                marker=dict(size=13, color=color, symbol=strategy_symbol(r.strategy), line=dict(width=1.5,
                                                                                               color="#FFFFFF")),
                hovertemplate=f"{html.escape(name)}: its answers<br>recall %{{x:.0%}}<br>precision %{{y:.0%}}"
                              "<extra></extra>"))
    style(fig, f"Precision against recall on {cs.name!r} (test set)", height)
    if at_recall is not None and drawn:
        fig.add_vline(x=at_recall, line=dict(color="#888888", dash="dot", width=1))
    fig.update_xaxes(title_text=f"recall: the share of {cs.name!r} texts found (%)", range=[-0.02, 1.02],
                     tickformat=".0%")
    fig.update_yaxes(title_text="precision: its answers right (%)", range=[-0.02, 1.04],
                     tickformat=".0%")
    if not drawn:
        _empty(fig, "no finished run kept its class probabilities")
    return fig


def pr_table(runs: Sequence[Any], cs: Any, target: float, of: str = "recall") -> pd.DataFrame | None:
    """The numbers of :func:`pr_figure` at a recall (``of`` "recall") or a precision (``of`` "precision") of
    ``target``, a row per run with a curve, in two tables so that each fits the page (one of ten columns needed a
    sideways scroll at 1366 pixels), what to quote first. At a recall: the threshold chosen on the run's validation
    texts and the test precision and recall at it (:func:`operating_cells`), then its best precision at a recall
    of ``target`` or more read off the test curve (optimistic), and its average precision. At a precision: the
    threshold chosen on its validation texts for that precision and the test precision and recall at it, then its
    best recall at a precision of ``target`` or more read off the test curve, and the precision and recall of its
    own answers. A reading off the curve comes with the least probability that answers the class there ('–' where no
    threshold gets there). None without a curve."""
    from bertlab.prcurve import precision_at_recall, recall_at_precision

    by_id = {r.id: r for r in runs}
    drawn = [c for c in cs.curves if c.run_id in by_id]
    if not drawn:
        return None
    labels = run_labels(runs)
    pct = whole_percent
    t = pct(100 * target)

    def read(got: tuple | None) -> str:
        if got is None:
            return "–"
        v, th = got
        return pct(100 * v) + ("" if th is None else f" (p ≥ {th:.3f})")

    rows = []
    for c in drawn:
        p, rec = c.at_answers
        if of == "recall":
            rows.append({"run": labels[c.run_id], **operating_cells(c, target),
                         f"precision at {t} recall": read(precision_at_recall(c, target)),
                         "average precision": f"{c.ap:.3f}"})
        else:
            rows.append({"run": labels[c.run_id], **operating_cells(c, target, "precision"),
                         f"recall at {t} precision": read(recall_at_precision(c, target)),
                         "its answers: precision": "–" if p is None else pct(100 * p),
                         "its answers: recall": pct(100 * rec)})
    return pd.DataFrame(rows)


def operating_cells(c: Any, target: float, of: str = "recall") -> dict[str, str]:
    """A run's threshold chosen on its validation texts for a recall of ``target`` (``of`` "precision": a precision)
    and the test precision and recall at it (:func:`bertlab.prcurve.operating_point`), as :func:`pr_table`'s two
    cells: the threshold said unreliable where chosen on fewer than :data:`bertlab.prcurve.MIN_VAL_POSITIVES`
    validation texts (of the class for a recall, answered for a precision), and why there is none (a run stored
    before kept no validation probabilities: its only threshold is the test curve's, optimistic)."""
    from bertlab import prcurve

    t = whole_percent(100 * target)
    head, there = f"validation threshold ({t} {of})", "test precision, recall there"
    got = prcurve.operating_point(c, target, of)
    if got is None:
        why = prcurve.no_threshold_why(c, target, of) or prcurve.NO_VAL_CLASS_TEXTS
        return {head: why, there: "–"}
    n = got.chosen_on
    texts = f"{n} text{'s' * (n != 1)} " + ("answered" if of == "precision" else "of the class")
    return {head: f"p ≥ {got.threshold:.3f} " + (f"(unreliable: {texts})" if got.unreliable else f"({texts})"),
            there: ("–" if got.test_precision is None else whole_percent(100 * got.test_precision)) + ", "
            + whole_percent(100 * got.test_recall)}


def pr_operating_note(cs: Any, target: float) -> str:
    """What the validation thresholds beside the test curve's readings are, said under :func:`pr_table`."""
    from bertlab import prcurve

    t = whole_percent(100 * target)
    # the columns' own names, as the tables spell them (a capitalised 'Precision at 90% recall' named none)
    test_read = (f"The 'precision at {t} recall' and 'recall at {t} precision' columns and their 'p ≥' are read off "
                 "the test curve, the threshold fitted to the very texts it is scored on: optimistic.")
    if all(c.val_scores is None for c in cs.curves):  # runs stored before (each cell says so): no point to quote
        return f"{test_read} {prcurve.NO_RUN_KEPT_VALIDATION}"
    return (f"{test_read} The 'validation threshold' is chosen on the run's validation texts instead (for {t} recall, "
            f"the largest probability at which it finds {t} of their {cs.name!r} texts, how many said beside it; for "
            f"{t} precision, the smallest at which {t} of its answers there are right, how many it answers said beside "
            "it), none of which is a test text; the test precision and recall there are what that threshold gets on "
            f"unseen texts, the operating point to quote. Chosen on fewer than {prcurve.MIN_VAL_POSITIVES} validation "
            "texts (of the class, or answered), it is unreliable (said in its cell).")


def pr_threshold_note(runs: Sequence[Any], cs: Any, target: float) -> str:
    """What the '(p ≥ ...)' beside a reading of :func:`pr_table` is, on its first such reading (where it says 'p ≥
    0.137', a made-up example's number was read for one of the table's): "'p ≥ 0.137' (head_only, at 90% recall): the
    threshold that gets there, the run answering 'abusive' where its probability of it is that or more"."""
    from bertlab.prcurve import precision_at_recall, recall_at_precision

    labels = run_labels(runs)
    t = whole_percent(100 * target)
    for c in (c for c in cs.curves if c.run_id in labels):
        for got, at in ((precision_at_recall(c, target), f"at {t} recall"),
                        (recall_at_precision(c, target), f"at {t} precision")):
            if got is not None and got[1] is not None:
                return (f"'p ≥ {got[1]:.3f}' ({labels[c.run_id]}, {at}): the threshold that gets there, the run "
                        f"answering {cs.name!r} where its probability of it is that or more.")
    return "'p ≥': the threshold that gets there, on that run's probability of the class."


# --- the numbers behind the charts ---------------------------------------------------------------
# Tables of what a chart draws, for a reader who cannot see it (a screen reader gets nothing of a chart's SVG) or
# wants the exact values: cells as text, a first column naming the rows.
def curve_table(runs: Sequence[Any], points: Sequence[dict], series: str) -> pd.DataFrame | None:
    """``series`` per epoch (rows) and run (columns): a validation series' value at each epoch, a training series'
    mean over each epoch's steps (their epoch is fractional: epoch 1 holds the steps up to 1.0). Accuracies in
    percent, losses to three decimals, '–' where a run has no point; None where no run has one."""
    labels = run_labels(runs)
    values: dict[str, dict[int, list[float]]] = {}
    for p in points:
        if p["series"] == series and p["run_id"] in labels and p["value"] == p["value"]:  # not NaN
            epoch = max(0, math.ceil(float(p["x"]) - 1e-6))
            values.setdefault(labels[p["run_id"]], {}).setdefault(epoch, []).append(float(p["value"]))
    if not values:
        return None
    def fmt(v: float) -> str:
        return f"{v:.1%}" if series.endswith("accuracy") else f"{v:.3f}"

    epochs = sorted({e for by in values.values() for e in by})
    table = {"epoch": epochs}
    for r in runs:
        if (by := values.get(labels[r.id])) is not None:
            table[labels[r.id]] = [fmt(sum(by[e]) / len(by[e])) if e in by else "–" for e in epochs]
    return pd.DataFrame(table)


def calibration_table(runs: Sequence[Any]) -> pd.DataFrame | None:
    """The points of :func:`calibration_figure`: per band of confidence (rows: the bins of
    :func:`bertlab.metrics.calibration`) and run (columns), how many test texts it answered that sure and the share
    it got right; None where no run recorded its probabilities."""
    done = [r for r in _succeeded(runs) if (r.metrics or {}).get("calibration")]
    if not done:
        return None
    labels = run_labels(done)
    cells: dict[str, dict[int, str]] = {}
    for r in done:
        for b in r.metrics["calibration"]:
            k = min(CALIBRATION_BINS - 1, max(0, math.ceil(b["confidence"] * CALIBRATION_BINS) - 1))
            # halves up, as the chart's hover and every other table (5 of 8 right read 62% beside its 63%)
            cells.setdefault(labels[r.id], {})[k] = f"{b['count']:,} texts: {whole_percent(100 * b['accuracy'])} right"
    bands = sorted({k for by in cells.values() for k in by})
    step = 100 / CALIBRATION_BINS
    table = {"confidence": [f"{k * step:.0f}–{(k + 1) * step:.0f}%" for k in bands]}
    table |= {run: [by.get(k, "–") for k in bands] for run, by in cells.items()}
    return pd.DataFrame(table)


def confusion_table(run: Any) -> pd.DataFrame:
    """The counts of :func:`confusion_figure`: a row per true label, a column per predicted one."""
    m = run.metrics or {}
    cm = np.asarray(m.get("confusion") or [[0]], dtype=int)
    names = [str(n) for n in m.get("label_names") or range(len(cm))]
    table = {"true label": names}
    table |= {f"predicted {n}": [int(v) for v in cm[:, j]] for j, n in enumerate(names)}
    return pd.DataFrame(table)


# A confusion matrix's room per class (px of height) and per character of an upright class name below it: at a fixed
# 300 px, bbc_news's five topics left a matrix of ~115 px, its cells ~23 px, under names like 'entertainment' turned
# upright (they do not fit flat under a third of the page).
CONFUSION_CELL_PX = 34
CONFUSION_CHAR_PX = 7
CONFUSION_FLAT_WIDTH = 200  # a matrix's width, about, in a third of a 1280-px page: wider names are turned


# Above this many classes a matrix takes a row of its own at full width: 60 classes two a row were ~320 px wide and
# ~2,100 px tall, ~5-px cells full of overlapping "0", the names cut to "class_" and the title over the first cells.
CONFUSION_MANY = 15
CONFUSION_FULL_PX = 760  # about what the cells of a matrix the page's width get, at 1280 px (names and margins aside)
CONFUSION_TEXT_PX = 14  # cells narrower than this show no count (the hover and the numbers' table have it)
CONFUSION_TICK_CHARS = 12  # a class name under or beside many cells is cut to this many characters
# A class name beside or under a few classes' cells is cut in its middle to this many characters (the hover keeps it
# whole): three support-ticket classes of ~50 characters took ~300 px of a 360-px column, left the matrix a ~50-px
# sliver, turned the names upright under it and cut the second run's title ("tfidf_logre").
CONFUSION_NAME_CHARS = 24
# Half of Compare's main column at 1024 px with the sidebar open (headless Chromium: 242-px charts, two a row)
CONFUSION_HALF_1024 = 242


def confusion_per_row(runs: Sequence[Any], most: int = 3, scale: float = 1.0) -> int:
    """How many confusion matrices of ``runs`` fit a row of a 1280-px page: ``most``, or two where the classes are
    many or their names long, one above :data:`CONFUSION_MANY` classes. Three a row left bbc_news's five topics
    cells ~23 px wide beside 'entertainment', their counts in 8-px type; a third of the page leaves ~260 px for a
    matrix and the class names to its left.

    ``scale``: the charts' type against the desk's 13 px (projector mode's 18 px: 18/13). Such a page is planned
    for a 1024-px projector, where half the main column is :data:`CONFUSION_HALF_1024` px: a matrix that needs more
    at that size gets a row of its own (bbc_news two a row there: titles cut to 'tfidf_lo', 'zero_sh', cells ~14 px
    wide, counts in 10-px type)."""
    widest = _confusion_widest(runs)
    if widest is None:
        return 1
    if scale > 1 and widest * scale > CONFUSION_HALF_1024:
        return 1
    return min(most, 2) if widest > 260 else most


def _confusion_widest(runs: Sequence[Any]) -> int | None:
    """The px the widest matrix of ``runs`` needs at the desk's type (its cells and class names), None where one has
    more than :data:`CONFUSION_MANY` classes (a row of its own on any screen)."""
    names = [[str(n) for n in (r.metrics or {}).get("label_names") or []] for r in runs]
    if any(len(ns) > CONFUSION_MANY for ns in names):
        return None
    return max((CONFUSION_CELL_PX * len(ns) + CONFUSION_CHAR_PX * min(max(map(len, ns)), CONFUSION_NAME_CHARS)
                for ns in names if ns), default=0)


def confusion_two_from_px(runs: Sequence[Any], scale: float) -> int | None:
    """The screen width (px, the sidebar open) from which two matrices of ``runs`` fit a row at the type ``scale`` (>1)
    where :func:`confusion_per_row` gives each a row of its own for a 1024-px screen: half the main column grows by
    half of each px past 1024 (:data:`CONFUSION_HALF_1024` there). None where two fit at 1024 px already, or never
    (more than :data:`CONFUSION_MANY` classes). bbc_news's five topics in projector mode: 1,263 px."""
    widest = _confusion_widest(runs)
    if widest is None or scale <= 1 or widest * scale <= CONFUSION_HALF_1024:
        return None
    return 1024 + math.ceil(2 * (widest * scale - CONFUSION_HALF_1024))


def confusion_height(names: Sequence[str], least: int = 300) -> int:
    """Height (px) of a confusion matrix of ``names``: ``least``, or more where the classes are many or their names
    long enough to be turned upright under it."""
    longest = min(max((len(n) for n in names), default=1), CONFUSION_NAME_CHARS)  # as drawn (middle_cut)
    if len(names) > CONFUSION_MANY:  # square cells across the page's width, the names upright and cut below
        return max(least, 90 + confusion_cell_px(len(names)) * len(names)
                   + CONFUSION_CHAR_PX * min(longest, CONFUSION_TICK_CHARS))
    upright = len(names) * (CONFUSION_CHAR_PX * longest + 8) > CONFUSION_FLAT_WIDTH
    ticks = CONFUSION_CHAR_PX * longest if upright else 16
    # title 44, margin 10, the axis title and the gaps plotly leaves: ~100 px besides the cells and the names
    return max(least, 100 + CONFUSION_CELL_PX * len(names) + ticks)


def confusion_cell_px(n_classes: int) -> int:
    """About how many px a cell of a matrix of ``n_classes`` gets: :data:`CONFUSION_CELL_PX`, or for many classes
    (a matrix the page's width) the page's width shared among them."""
    if n_classes <= CONFUSION_MANY:
        return CONFUSION_CELL_PX
    return max(4, min(CONFUSION_CELL_PX, CONFUSION_FULL_PX // n_classes))


def short_name(name: str, most: int = CONFUSION_TICK_CHARS) -> str:
    """``name`` cut to ``most`` characters with an ellipsis (whole where it fits)."""
    return name if len(name) <= most else name[: most - 1] + "…"


def middle_cut(name: str, most: int = CONFUSION_NAME_CHARS) -> str:
    """``name`` cut to ``most`` characters in its middle, its start and its end kept ('account_acce…et_requests'):
    long class names often share a start ('customer_support_billing', 'customer_support_refunds') and differ at the
    end, where a cut at the end would make them one. Whole where it fits."""
    if len(name) <= most:
        return name
    head = (most - 1) // 2 + (most - 1) % 2
    return name[:head] + "…" + name[len(name) - (most - 1 - head):]


def middle_cuts(names: Sequence[str], most: int = CONFUSION_NAME_CHARS) -> list[str]:
    """:func:`middle_cut` of each of ``names``, a cut longer where two names would read alike: names that differ
    only in their middle ('question_about_billing_account', 'question_about_shipping_account') both read
    'question_abo…ing_account' at ``most``, two rows of a matrix named the same. Those keep two characters more at a
    time, until they differ (at worst whole)."""
    names = [str(n) for n in names]
    widths = [most] * len(names)
    while True:
        cuts = [middle_cut(n, w) for n, w in zip(names, widths)]
        seen: dict[str, set[str]] = {}
        for n, c in zip(names, cuts):
            seen.setdefault(c, set()).add(n)
        clash = [i for i, c in enumerate(cuts) if len(seen[c]) > 1 and len(names[i]) > widths[i]]
        if not clash:
            return cuts
        for i in clash:
            widths[i] += 2


def confusion_figure(run: Any, height: int | None = None, title: str | None = None) -> go.Figure:
    """Confusion matrix of a finished run's test predictions (counts; colour = share of the true class), titled
    ``title`` (default: the run's strategy), at least ``height`` px high (default 300), more for many classes or
    long class names (:func:`confusion_height`)."""
    m = run.metrics or {}
    cm = np.asarray(m.get("confusion") or [[0]], dtype=float)
    names = [str(n) for n in m.get("label_names") or range(len(cm))]
    height = confusion_height(names, height or 300)
    share = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    written = confusion_cell_px(len(names)) >= CONFUSION_TEXT_PX  # a count fits its cell
    fig = figure(go.Heatmap(
        z=share, x=names, y=names, text=cm.astype(int), texttemplate="%{text}" if written else "",
        colorscale="Blues", zmin=0, zmax=1, showscale=False,
        hovertemplate="true %{y}<br>predicted %{x}<br>%{text} examples (%{z:.0%} of true)<extra></extra>"))
    # The title is only the run's name: plots this narrow cut anything longer (accuracy is in the hover
    # and everywhere else on the page).
    # the square in the strategy's colour, the name in the theme's text colour (coloured text was 2.3-3.9:1)
    name = html.escape(title or run_labels([run])[run.id])
    style(fig, f"<span style='color:{strategy_color(run.strategy)}'>■</span> {name}", height,
           margin=dict(l=10, r=10, t=44, b=10))
    # the title 6 px from the top whatever the height (a share of the height put it over a tall matrix's cells)
    fig.update_layout(title_font_size=14, title_y=1 - 6 / height)
    fig.update_xaxes(title_text="predicted label", side="bottom", type="category")
    fig.update_yaxes(title_text="true label", autorange="reversed", type="category")
    if len(names) > CONFUSION_MANY:  # square cells, every name (cut) upright under its column, in smaller type
        cut = [short_name(n) for n in names]
        ticks = dict(tickmode="array", tickvals=names, ticktext=cut, tickfont_size=10 if not written else 11)
        fig.update_xaxes(tickangle=-90, **ticks)
        fig.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain", constraintoward="top", **ticks)
        fig.update_xaxes(constrain="domain")
    elif any(len(n) > CONFUSION_NAME_CHARS for n in names):  # a few classes, long names: cut in the middle
        ticks = dict(tickmode="array", tickvals=names, ticktext=middle_cuts(names))
        fig.update_xaxes(**ticks)
        fig.update_yaxes(**ticks)
    return fig


def label_distribution_figure(counts: dict[str, dict[str, int]], height: int = 320) -> go.Figure:
    """Examples per class, one bar group per split: ``{"train": {"pos": 10, ...}, "test": {...}}``."""
    fig = figure()
    shades = {"train": "#0072B2", "validation": "#56B4E9", "test": "#E69F00", "all": "#0072B2"}
    for split, per_class in counts.items():
        fig.add_trace(go.Bar(x=list(per_class), y=list(per_class.values()), name=split,
                             marker_color=shades.get(split, "#999"),
                             hovertemplate="%{x}<br>%{y:,} examples<extra>" + split + "</extra>"))
    style(fig, "Label distribution", height, barmode="group")
    fig.update_xaxes(title_text="label", type="category")
    names = list(dict.fromkeys(n for c in counts.values() for n in c))
    if any(len(str(n)) > CONFUSION_NAME_CHARS for n in names):  # cut in the middle, whole in the hover: three
        # 50-character names were turned upright, took most of the chart's height (bars ~30 px) and were cut
        fig.update_xaxes(tickmode="array", tickvals=names, ticktext=middle_cuts(names))
    fig.update_yaxes(title_text="examples (count)", tickformat=",d")
    if max((v for c in counts.values() for v in c.values()), default=0) <= 5:  # counts: whole numbers (a 6-row
        fig.update_yaxes(dtick=1)  # file's axis read 0, 0.2, 0.4...)
    return fig


_PATTERNS = ("", "/", ".", "x", "\\", "+")  # bar fills telling apart the runs of one strategy (colour)


def probability_figure(predictions: Sequence[Any], labels: dict[str, str] | None = None,
                       height: int | None = None) -> go.Figure:
    """Class probabilities of the first text, one bar group per run (colour = strategy)."""
    fig = figure()
    seen: dict[str, int] = {}
    counts = Counter(p.strategy for p in predictions)
    for p in predictions:
        name = (labels or {}).get(p.run_id, p.strategy)
        # on the bar, short: the strategy, and its id's end where the strategy answers twice (the legend and hover
        # keep the whole name: "head_only (lr 0.001) · 0cd3 55%" ran over the class names and past the chart's edge)
        short = p.strategy if counts[p.strategy] == 1 else f"{p.strategy} ·{p.run_id[-4:]}"
        probs = np.asarray(p.probs)[0]
        # a strategy's second run (another dataset, setting or seed) hatched: the same colour alone read as one run
        i = seen[p.strategy] = seen.get(p.strategy, -1) + 1
        color = strategy_color(p.strategy)
        # Each bar names its run where there are several ("head_only 67%"): told apart by colour alone, head_only's
        # and tfidf_logreg's were one grey under deuteranopia, and all four on a greyscale projector. The name goes
        # inside a bar of half the axis or more (outside, it ran past the chart's edge), after a shorter one.
        fig.add_trace(go.Bar(y=list(p.label_names), x=probs, orientation="h", name=name,
                             marker_color=color,
                             marker_pattern_shape=_PATTERNS[i % len(_PATTERNS)],
                             # never "100%" for 0.996 (the card beside it said 99.6%)
                             text=[f"{short} {probability_percent(v)}" if len(predictions) > 1 else probability_percent(v)
                                   for v in probs],
                             textposition=["inside" if v >= 0.5 else "outside" for v in probs]
                             if len(predictions) > 1 else "outside",
                             insidetextanchor="end", insidetextfont_color=text_color_on(color), cliponaxis=False,
                             customdata=[probability_percent(v, 1) for v in probs],
                             hovertemplate="%{y}: %{customdata}<extra>" + name + "</extra>"))
    n_labels = max((len(p.label_names) for p in predictions), default=2)
    named = len(predictions) > 1
    # named bars a little taller, their text never shrunk below 12 px (plotly fit "zero_shot 87%" into a 13-px bar
    # at ~7 px on a 390-px phone)
    style(fig, "Class probabilities", height or 130 + (28 if named else 22) * n_labels * max(1, len(predictions)),
          barmode="group", **({"uniformtext": dict(minsize=12, mode="show")} if named else {}))
    fig.update_xaxes(title_text="probability (%)", tickformat=".0%", range=[0, 1.12])
    fig.update_yaxes(title_text="class", type="category", autorange="reversed")
    return fig
