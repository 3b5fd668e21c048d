"""The app's figure builders (bertlab.plots) and run-time estimates (bertlab.estimate): pure functions."""

from __future__ import annotations

import numpy as np
import pytest

from bertlab import pareto, plots
from bertlab.estimate import estimate_seconds, work_units
from bertlab.store import Run
from bertlab.strategies import REGISTRY


def make_run(strategy: str, run_id: str, status: str = "succeeded", acc: float = 0.8, **costs) -> Run:
    metrics = {"test_accuracy": acc, "test_macro_f1": acc - 0.05, "majority_accuracy": 0.55,
               "confusion": [[40, 10], [8, 42]], "label_names": ["neg", "pos"]} if status == "succeeded" else {}
    return Run(id=run_id, batch_id="b1", created=1.0, status=status, strategy=strategy, dataset="d", model="minilm",
               config={"epochs": 2}, metrics=metrics,
               costs={"train_seconds": 10.0, "total_seconds": 12.0, "trainable_params": 1000,
                      "train_flops": 1e12, "peak_memory_bytes": 2**29, "train_examples_per_s": 100.0,
                      "device": "cpu0", **costs},
               data_summary={"sizes": {"train": 100, "validation": 20, "test": 50}})


def loss_points(run_id: str, n: int) -> list[dict]:
    return [{"run_id": run_id, "series": "train_loss", "step": i, "x": i / 10, "value": 1 / (i + 1)}
            for i in range(1, n + 1)]


def test_every_registered_strategy_has_a_distinct_stable_colour():
    colours = {n: plots.strategy_color(n) for n in REGISTRY}
    assert len(set(colours.values())) == len(colours)
    assert plots.strategy_color("my_new_strategy") == plots.strategy_color("my_new_strategy")


def _contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        ch = [int(c.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_strategy_has_its_own_marker_and_bar_labels_read_on_its_colour():
    """Colour alone does not tell every strategy apart under deuteranopia (head_only's green and tfidf_logreg's
    grey): each has a marker shape of its own, on the lines of every chart; and the accuracy bars' labels take
    black or white, whichever reads on the bar (white on orange was 2.3:1)."""
    symbols = {n: plots.strategy_symbol(n) for n in REGISTRY}
    assert len(set(symbols.values())) == len(symbols)
    runs = [make_run(s, f"{s}-run", acc=0.5 + i / 50) for i, s in enumerate(REGISTRY)]
    for r in runs:
        r.metrics.update(calibration=[{"confidence": 0.6, "accuracy": 0.5, "count": 10},
                                      {"confidence": 0.9, "accuracy": 0.85, "count": 20}], test_ece=0.05)
    points = [p for r in runs for p in loss_points(r.id, 30)]
    points += [{"run_id": r.id, "series": "val_accuracy", "step": e, "x": e, "value": 0.7} for r in runs for e in (1, 2)]
    for fig in (plots.train_loss_figure(runs, points), plots.validation_figure(runs, points),
                plots.calibration_figure(runs)):
        drawn = {}
        for t in fig.data:  # the lines a legend names (not the faint raw loss under the smoothed one)
            if (name := str(t.name or "").split(" ")[0]) in REGISTRY and "lines" in t.mode and t.hoverinfo != "skip":
                assert "markers" in t.mode, t.name
                drawn[name] = t.marker.symbol
        assert drawn == symbols
    bars = next(t for t in plots.accuracy_figure(runs).data if t.type == "bar")
    for colour, text in zip(bars.marker.color, bars.textfont.color):
        assert _contrast(colour, text) >= 4.5, (colour, text)
    assert plots.text_color_on("#E69F00") == "#000000" and plots.text_color_on("#0072B2") == "#FFFFFF"


def test_downsample_bounds_points_and_keeps_shape():
    xs = list(range(10_000))
    ys = [float(x) for x in xs]
    bx, by = plots.downsample(xs, ys, max_points=300)
    assert len(bx) == len(by) == 300
    assert bx[0] < 50 and bx[-1] > 9_950  # still spans the whole run
    assert np.all(np.diff(by) > 0)  # a rising curve stays rising
    assert plots.downsample([1, 2], [3, 4]) == ([1, 2], [3, 4])


def test_loss_figure_is_bounded_and_coloured_by_strategy():
    runs = [make_run("full_ft", "r1"), make_run("scratch", "r2")]
    fig = plots.train_loss_figure(runs, loss_points("r1", 5000) + loss_points("r2", 10))
    by_name = {t.name: t for t in fig.data}
    assert len(by_name["full_ft"].x) <= plots.MAX_POINTS and len(by_name["scratch"].x) == 10
    assert by_name["full_ft"].line.color == plots.strategy_color("full_ft")
    assert fig.layout.xaxis.title.text and "loss" in fig.layout.yaxis.title.text


def test_the_loss_chart_marks_the_loss_of_guessing_every_class_alike():
    import math

    runs = [make_run("full_ft", "r1"), make_run("scratch", "r2")]
    for r in runs:
        r.data_summary["label_names"] = ["neg", "neu", "pos"]
    fig = plots.train_loss_figure(runs, loss_points("r1", 30) + loss_points("r2", 30))
    (line,) = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert line.y0 == line.y1 == pytest.approx(math.log(3))
    assert fig.layout.annotations[0].text == "guessing 3 classes alike: ln 3 = 1.10"
    # runs on data of different class counts share no such line
    runs[1].data_summary["label_names"] = ["a", "b"]
    assert not plots.train_loss_figure(runs, loss_points("r1", 30) + loss_points("r2", 30)).layout.shapes


def test_two_runs_of_one_strategy_get_one_colour_and_different_dashes():
    runs = [make_run("head_only", "aaaa1111"), make_run("head_only", "bbbb2222")]
    fig = plots.train_loss_figure(runs, loss_points("aaaa1111", 3) + loss_points("bbbb2222", 3))
    assert {t.line.color for t in fig.data} == {plots.strategy_color("head_only")}
    assert len({t.line.dash for t in fig.data}) == 2
    assert {t.name for t in fig.data} == {"head_only · 1111", "head_only · 2222"}


CHARTS = [
    lambda runs: plots.validation_figure(runs, []),
    lambda runs: plots.accuracy_figure(runs),
    lambda runs: plots.cost_figure(runs, "peak_memory_bytes"),
    lambda runs: plots.tradeoff_figure(runs, "train_flops"),
    lambda runs: plots.confusion_figure(runs[0]),
    lambda runs: plots.label_distribution_figure({"train": {"neg": 3, "pos": 4}}),
]


@pytest.mark.parametrize("build", CHARTS)
def test_every_chart_titles_every_axis(build):
    fig = build([make_run("zero_shot", "z1", trainable_params=0, train_flops=0.0), make_run("full_ft", "f1")])
    axes = [k for k in fig.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]
    assert axes and all(getattr(fig.layout, k).title.text for k in axes)


@pytest.mark.parametrize("build", CHARTS + [lambda runs: plots.train_loss_figure(runs, loss_points("f1", 30))])
def test_every_chart_looks_like_plotly_white_without_carrying_all_of_it(build):
    """The slim template (plotly_white's layout, bar and scatter defaults) keeps the Compare page's refresh cheap."""
    import plotly.io as pio

    fig = build([make_run("zero_shot", "z1"), make_run("full_ft", "f1")])
    white = pio.templates["plotly_white"].layout.to_plotly_json()
    mine = fig.layout.template.layout.to_plotly_json()
    for key in ("paper_bgcolor", "plot_bgcolor", "xaxis", "yaxis", "font", "colorway", "hoverlabel", "autotypenumbers"):
        assert mine[key] == white[key], key
    assert set(fig.layout.template.data.to_plotly_json()) <= {"bar", "scatter"}
    assert "geo" not in mine and "colorscale" not in mine


def test_cost_and_accuracy_charts_show_only_finished_runs_with_units():
    runs = [make_run("full_ft", "f1"), make_run("scratch", "s1", status="running")]
    cost = plots.cost_figure(runs, "peak_memory_bytes")
    assert list(cost.data[0].x) == ["full_ft"] and cost.data[0].y[0] == pytest.approx(512.0)  # MiB
    assert "MiB" in cost.layout.yaxis.title.text
    acc = plots.accuracy_figure(runs)
    assert list(acc.data[0].y) == [0.8]


def test_runs_on_test_sets_with_other_majority_classes_each_show_their_own_baseline():
    """A review: runs picked from rotten_tomatoes (majority 57.8%) and tweets (43.0%) drew one line, "majority
    baseline 57.8%", across every bar: tweets' zero_shot at 45% read as below chance."""
    rt, tw = make_run("full_ft", "f1", acc=0.8), make_run("zero_shot", "z1", acc=0.45)
    rt.metrics["majority_accuracy"], tw.metrics["majority_accuracy"] = 0.578, 0.43
    fig = plots.accuracy_figure([rt, tw])
    # no one line for all: a line across each bar alone (they were markers, and no shape at all, before)
    assert [(s.y0, s.x1 - s.x0 < 1) for s in fig.layout.shapes] == [(0.578, True), (0.43, True)]
    (base,) = [t for t in fig.data if str(t.name).startswith("majority baseline") and t.x != (None,)]
    assert base.name == "majority baseline (each run's test set)" and list(base.y) == [0.578, 0.43]
    assert list(base.x) == list(next(t for t in fig.data if t.type == "bar").x)
    # one test set (or the same share on several): one line, named with its value, as before
    tw.metrics["majority_accuracy"] = 0.578
    fig = plots.accuracy_figure([rt, tw])
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].y0 == 0.578
    assert [t.name for t in fig.data if str(t.name).startswith("majority")] == ["majority baseline 57.8%"]


def test_tradeoff_uses_log_axis_only_when_values_span_decades():
    wide = [make_run("full_ft", "f1", trainable_params=22_000_000), make_run("head_only", "h1", trainable_params=770)]
    assert plots.tradeoff_figure(wide, "trainable_params").layout.xaxis.type == "log"
    with_zero = wide + [make_run("zero_shot", "z1", trainable_params=0)]
    assert plots.tradeoff_figure(with_zero, "trainable_params").layout.xaxis.type == "linear"


def test_results_frame_has_the_comparison_columns():
    df = plots.results_frame([make_run("full_ft", "f1", precision="float16"), make_run("scratch", "s1", status="failed")])
    for col in ("test accuracy", "macro-F1", "majority baseline", "train time (s)", "train examples/s",
                "trainable params", "total params", "train FLOPs", "inference FLOPs/text", "peak memory (MiB)",
                "device", "precision"):
        assert col in df.columns
    assert df.loc[0, "peak memory (MiB)"] == pytest.approx(512.0)
    assert df.loc[0, "precision"] == "fp16"
    assert df.loc[1, "status"] == "failed" and np.isnan(df.loc[1, "test accuracy"])


def test_compare_device_line_names_a_device_once_where_tfidf_has_no_precision():
    """Compare's "Device:" line: tfidf_logreg runs no network, so its run has no precision; beside a head_only run on
    the same CPU at bf16 the line read "Device: cpu0; cpu0 · bf16." Now the device is said once; another device, or
    the same one at another precision, is still said."""
    tfidf, head = make_run("tfidf_logreg", "t1"), make_run("head_only", "h1", precision="bfloat16")
    assert plots.device_line([tfidf, head]) == "Device: cpu0 · bf16."
    assert plots.device_line([tfidf]) == "Device: cpu0."
    fp32 = make_run("full_ft", "f1", precision="fp32")
    assert plots.device_line([tfidf, head, fp32]) == "Device: cpu0 · bf16; cpu0 · fp32."
    gpu = make_run("full_ft", "g1", precision="float16", device="cuda:0 (NVIDIA T4)")
    assert plots.device_line([tfidf, gpu]) == "Device: cpu0; cuda:0 (NVIDIA T4) · fp16."
    assert plots.device_line([make_run("full_ft", "n1", device=None)]) is None


def test_confusion_figure_shows_counts_and_row_shares():
    fig = plots.confusion_figure(make_run("full_ft", "f1"))
    hm = fig.data[0]
    assert np.asarray(hm.text).tolist() == [[40, 10], [8, 42]]
    assert np.allclose(np.asarray(hm.z).sum(1), 1.0)
    # the strategy's colour on a square, not on the text (green or orange text failed contrast)
    assert fig.layout.title.text == f"<span style='color:{plots.strategy_color('full_ft')}'>■</span> full_ft"
    assert fig.layout.title.font.color is None


def test_confusion_matrices_of_five_topics_get_room_for_their_cells():
    """A newsroom persona on bbc_news: three matrices a row left each ~260 px, five topics' cells ~23 px wide beside
    'entertainment' and the counts in 8-px type, in a fixed 300 px of height under the upright names."""
    topics = ["business", "entertainment", "politics", "sports", "tech"]
    news = make_run("full_ft", "f5")
    news.metrics |= {"label_names": topics, "confusion": np.diag([101, 74, 81, 100, 69]).tolist()}
    tweets = make_run("head_only", "h3")
    tweets.metrics |= {"label_names": ["negative", "neutral", "positive"], "confusion": np.eye(3, dtype=int).tolist()}
    two = make_run("zero_shot", "z2")
    assert plots.confusion_per_row([news, two]) == 2  # the page lays out the most crowded matrix's row
    assert plots.confusion_per_row([tweets, two]) == plots.confusion_per_row([two]) == 3
    assert plots.confusion_figure(two).layout.height == plots.confusion_figure(tweets).layout.height == 300
    tall = plots.confusion_figure(news).layout.height
    assert tall > 300  # the five rows and the upright names share more than the two classes' 300 px
    assert plots.confusion_figure(news, height=320).layout.height == tall  # the report's 320 is a floor
    news.metrics["label_names"] = [f"{t} news" for t in topics]
    assert plots.confusion_figure(news).layout.height > tall  # longer names turned upright take more
    assert plots.confusion_figure(two, height=320).layout.height == 320


def test_estimate_is_unknown_without_history_and_scales_with_work():
    sizes = {"train": 100, "validation": 20, "test": 50}
    assert estimate_seconds([], "full_ft", "minilm", "cpu0", sizes, 2).text() == "unknown"
    past = [make_run("full_ft", "f1", total_seconds=27.0)]  # work = 100*2 + 20*2 + 50 = 290
    same = estimate_seconds(past, "full_ft", "minilm", "cpu0", sizes, 2)
    assert same.seconds == pytest.approx(27.0)
    double = estimate_seconds(past, "full_ft", "minilm", "cpu0", {"train": 200, "validation": 40, "test": 100}, 2)
    assert double.seconds == pytest.approx(54.0)
    assert estimate_seconds(past, "full_ft", "minilm", "other-device", sizes, 2).seconds is None
    assert estimate_seconds(past, "scratch", "minilm", "cpu0", sizes, 2).seconds is None


def test_estimate_adds_a_past_runs_start_up_once_instead_of_scaling_it_with_the_texts():
    """tfidf_logreg on 200 training texts (200 / 500 to evaluate) took 2.15 s here, 1.97 s of it outside training
    and evaluation (loading, saving): scaled with the texts it estimated 8,000 at 20.5 s; they took 4.2 s."""
    from bertlab.estimate import startup_seconds

    small = make_run("tfidf_logreg", "t1", total_seconds=2.153, train_seconds=0.165, eval_seconds=0.018)
    small.data_summary = {"sizes": {"train": 200, "validation": 200, "test": 500}}
    assert startup_seconds(small) == pytest.approx(1.97)
    got = estimate_seconds([small], "tfidf_logreg", "minilm", "cpu0", {"train": 8000, "validation": 200, "test": 500},
                           1, uses_epochs=False).seconds
    assert got == pytest.approx(1.97 + 0.183 / 900 * 8700)  # ~3.7 s
    # a run from before its start-up could be told (no evaluation time): all of it scales, as before
    assert startup_seconds(make_run("full_ft", "f0", total_seconds=27.0)) is None
    # start-ups are a median of the runs', each run's rate its time beyond its own
    a = make_run("full_ft", "f1", total_seconds=14.0, train_seconds=6.0, eval_seconds=4.0)
    b = make_run("full_ft", "f2", total_seconds=16.0, train_seconds=6.0, eval_seconds=4.0)
    c = make_run("full_ft", "f3", total_seconds=20.0, train_seconds=6.0, eval_seconds=4.0, tokenize_seconds=1.0)
    sizes = {"train": 100, "validation": 20, "test": 50}
    got = estimate_seconds([a, b, c], "full_ft", "minilm", "cpu0", sizes, 2).seconds
    assert got == pytest.approx(6.0 + 10.0)  # start-ups 4, 6, 9 s; the same work beyond them 10, 10, 11 s


def test_estimate_prices_a_text_evaluated_as_a_forward_pass_not_a_training_step():
    """Measured here (full_ft, lora, scratch on reviews, 10 runs): a training text took 1.4-3.3 times (median 2.5) as
    long as one evaluated; counted alike, lora on 100 training texts and 300 validation texts put 400 and 50 at
    0.60 of what they took."""
    from bertlab.estimate import STEP_FORWARDS

    assert STEP_FORWARDS == 3.0
    assert work_units({"train": 100, "validation": 300, "test": 200}, 2, True) == pytest.approx(200 + 800 / 3)
    past = make_run("lora", "l1", total_seconds=30.0)
    past.config = {"epochs": 1}
    past.data_summary = {"sizes": {"train": 100, "validation": 300, "test": 200}}  # work = 100 + 500 / 3
    got = estimate_seconds([past], "lora", "minilm", "cpu0", {"train": 400, "validation": 50, "test": 200}, 1)
    assert got.seconds == pytest.approx(30.0 / (100 + 500 / 3) * (400 + 250 / 3))  # ~54 s, not ~33


def test_estimate_counts_the_masked_lm_epochs_before_the_labels():
    """scratch with 10 masked-LM epochs took 318 s where plain scratch took 92 s (README): an estimate from one must
    not be the other's. Work: train x (epochs + masked-LM epochs) + (validation x epochs + test) / 3 (forward passes only)."""
    sizes = {"train": 100, "validation": 20, "test": 50}
    plain = make_run("scratch", "s1", total_seconds=29.0)  # work = 100*2 + (20*2 + 50) / 3 = 230
    assert estimate_seconds([plain], "scratch", "minilm", "cpu0", sizes, 2).seconds == pytest.approx(29.0)
    ten = estimate_seconds([plain], "scratch", "minilm", "cpu0", sizes, 2, pretrain_epochs=10)
    assert ten.seconds == pytest.approx(29.0 * (230 + 1000) / 230)
    pretrained = make_run("scratch", "s2", total_seconds=29.0 * 1230 / 230)
    pretrained.config = {"epochs": 2, "options": {"mlm_epochs": 10}}  # work = 230 + 100*10 = 1230
    assert estimate_seconds([pretrained], "scratch", "minilm", "cpu0", sizes, 2).seconds == pytest.approx(29.0)
    # dapt's masked-LM epochs default to 1 where its options do not say
    dapt = make_run("dapt", "d1", total_seconds=39.0)  # work = 230 + 100
    assert estimate_seconds([dapt], "dapt", "minilm", "cpu0", sizes, 2, pretrain_epochs=1).seconds == pytest.approx(39.0)
    assert estimate_seconds([dapt], "dapt", "minilm", "cpu0", sizes, 2, pretrain_epochs=3).seconds == \
        pytest.approx(39.0 * 530 / 330)


def test_a_tiny_past_run_does_not_set_the_rate_of_a_big_one():
    """zero_shot on 200 BBC articles was estimated at ~46 s from two past runs, 500 reviews (7.2 s) and a file of
    12 short texts (0.4 s, mostly loading the model: ten times the reviews' seconds per token); it took 3.6 s."""
    sizes = {"train": 80, "validation": 40, "test": 80}
    reviews = make_run("zero_shot", "z1", total_seconds=7.21)
    reviews.data_summary = {"sizes": {"train": 500, "validation": 200, "test": 500}, "mean_tokens": 27.4}
    tiny = make_run("zero_shot", "z2", total_seconds=0.41)
    tiny.data_summary = {"sizes": {"train": 28, "validation": 4, "test": 8}, "mean_tokens": 6.2}
    got = estimate_seconds([tiny, reviews], "zero_shot", "minilm", "cpu0", sizes, 1, uses_epochs=False,
                           tokens=128.0).seconds
    w = flop_weighed_tokens("minilm")
    assert got == pytest.approx(7.21 / (700 * w(27.4)) * 120 * w(128))  # the reviews' rate: ~6.0 s
    # a slow outlier among several alike moves it no more than a median would
    alike = [make_run("zero_shot", f"a{i}", total_seconds=s) for i, s in enumerate((7.0, 7.2, 30.0))]
    for r in alike:
        r.data_summary = dict(reviews.data_summary)
    got = estimate_seconds(alike, "zero_shot", "minilm", "cpu0", sizes, 1, uses_epochs=False, tokens=128.0).seconds
    assert got == pytest.approx(7.2 / (700 * w(27.4)) * 120 * w(128))


def flop_weighed_tokens(model: str):
    """A text's tokens as its forward FLOPs weigh them, by hand: 2 x N x s + 4 x layers x width x s^2 over 2 x N."""
    from bertlab import embeddings

    n = embeddings.encoder_info(model)[0]
    layers, width = 6, 384  # all-MiniLM-L6-v2, the packaged model
    return lambda s: (2 * n * s + 4 * layers * width * s * s) / (2 * n)


def test_estimate_scales_by_text_length_where_runs_recorded_it():
    """A past run on short reviews (27 tokens a text) must not promise the same time for long articles: their
    tokens as the FLOPs weigh them (attention's share grows with the length), 4% dearer a token on MiniLM."""
    sizes = {"train": 100, "validation": 20, "test": 50}
    past = [make_run("full_ft", "f1", total_seconds=27.0)]
    past[0].data_summary = {**past[0].data_summary, "mean_tokens": 27.0}
    long = estimate_seconds(past, "full_ft", "minilm", "cpu0", sizes, 2, tokens=128.0)
    w = flop_weighed_tokens("minilm")
    assert long.seconds == pytest.approx(27.0 * w(128) / w(27)) and "per token" in long.basis
    assert long.seconds == pytest.approx(27.0 * 128 / 27 * 1.0426, rel=1e-4)
    asked = []
    lazy = estimate_seconds(past, "full_ft", "minilm", "cpu0", sizes, 2, tokens=lambda: asked.append(1) or 54.0)
    assert lazy.seconds == pytest.approx(27.0 * w(54) / w(27)) and asked == [1]
    assert estimate_seconds(past, "scratch", "minilm", "cpu0", sizes, 2, tokens=lambda: asked.append(1)).seconds \
        is None and asked == [1]  # no comparable run: the tokenizer is not even loaded
    # runs from before mean_tokens was recorded: fine-tuning's token count gives it (100 train texts x 2 epochs)
    old = make_run("full_ft", "f0", total_seconds=27.0)
    old.costs = {**old.costs, "train_tokens": 100 * 2 * 27}
    assert estimate_seconds([old], "full_ft", "minilm", "cpu0", sizes, 2, tokens=54.0).seconds == pytest.approx(
        27.0 * w(54) / w(27))
    # neither recorded: examples only, as before
    bare = make_run("full_ft", "f2", total_seconds=27.0)
    assert estimate_seconds([bare], "full_ft", "minilm", "cpu0", sizes, 2, tokens=54.0).seconds == pytest.approx(27.0)


def embedding_run(strategy: str, run_id: str, total: float, wall: float, embedding: float, hits: int,
                  texts: int = 170) -> Run:
    """A past zero_shot or head_only run as the runner stores it: ``total`` counts an encoder pass the cache saved
    it, ``wall`` is what it took, ``embedding`` its time in the embedding cache (lookups and the pass it ran)."""
    run = make_run(strategy, run_id, total_seconds=total, wall_seconds=wall, embedding_seconds=embedding,
                   embedding_cache_hits=hits, embedded_texts=texts)
    run.data_summary = {**run.data_summary, "mean_tokens": 27.0}
    return run


def test_estimate_of_a_run_whose_embeddings_are_cached_is_the_warm_time_not_a_first_runs():
    """A second head_only run on the same texts reuses the cached embeddings and takes seconds: the estimate said
    the first run's time (its total counts the encoder pass), many times what it took."""
    sizes = {"train": 100, "validation": 20, "test": 50}  # work = 100*2 + 20*2 + 50 = 290, as the past run's
    cold = embedding_run("head_only", "h1", total=27.0, wall=27.0, embedding=25.0, hits=0)
    assert estimate_seconds([cold], "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0).seconds == pytest.approx(27.0)
    # nothing cached (or not known): as before, the whole run
    assert estimate_seconds([cold], "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=0.0).seconds \
        == pytest.approx(27.0)
    # all cached, no warm run yet: the past run's time beyond its embedding pass (the head, evaluation, saving)
    warm = estimate_seconds([cold], "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=1.0)
    assert warm.seconds == pytest.approx(2.0)
    assert warm.basis == "embeddings cached: 1 past run on this device, less its embedding pass"
    # it scales with the head's work (examples x epochs), not with text length: no text goes through the encoder
    assert estimate_seconds([cold], "head_only", "minilm", "cpu0", {"train": 200, "validation": 40, "test": 100}, 2,
                            tokens=54.0, cached=1.0).seconds == pytest.approx(4.0)
    # partly cached: the warm part plus the cold run's encoder pass over the share still to embed
    half = estimate_seconds([cold], "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=0.5)
    assert half.seconds == pytest.approx(2.0 + 0.5 * 25.0)
    assert half.basis.startswith("embeddings 50% cached: 1 past run on this device, less its embedding pass; the "
                                 "rest's encoder pass from 1 past run on this device, per token")
    # a past run served whole from the cache says what a warm run takes; it is preferred (its total still counts
    # the encoder pass it was spared, so the cold estimate is unchanged by it)
    served = embedding_run("head_only", "h2", total=26.0, wall=1.0, embedding=0.1, hits=170)
    both = [served, cold]
    assert estimate_seconds(both, "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0).seconds \
        == pytest.approx(26.5)
    again = estimate_seconds(both, "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=1.0)
    assert again.seconds == pytest.approx(1.0)
    assert again.basis == "embeddings cached: 1 past run on this device, served from the cache"
    # runs from before wall and embedding times were recorded: the cold estimate, as before
    old = make_run("head_only", "h0", total_seconds=27.0)
    assert estimate_seconds([old], "head_only", "minilm", "cpu0", sizes, 2, cached=1.0).seconds == pytest.approx(27.0)
    # another device's warm runs say nothing about this one
    assert estimate_seconds(both, "head_only", "minilm", "gpu1", sizes, 2, cached=1.0).seconds is None


def test_a_quarter_cached_run_pays_the_encoder_pass_over_the_three_quarters_still_to_embed():
    """The share still to embed costs the cold run's encoder pass, not the share cached (at half cached the two
    read alike)."""
    sizes = {"train": 100, "validation": 20, "test": 50}
    cold = embedding_run("head_only", "h1", total=27.0, wall=27.0, embedding=25.0, hits=0)
    quarter = estimate_seconds([cold], "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=0.25)
    assert quarter.seconds == pytest.approx(2.0 + 0.75 * 25.0)
    assert quarter.basis.startswith("embeddings 25% cached:")


def test_the_mean_tokens_an_estimate_scales_by_count_a_long_text_at_max_length():
    """Runs truncate at max_length, so a 300-token text costs what a 128-token one does."""
    from bertlab.estimate import truncated_mean

    assert truncated_mean([10, 300, 50], 128) == pytest.approx((10 + 128 + 50) / 3)
    assert truncated_mean([], 128) == 0.0


def test_a_warm_estimate_weighs_past_runs_by_their_work_as_a_cold_one_does():
    """Two tiny warm runs (a dozen texts, most of their 0.8 s loading the model) beside one of 290 units of work:
    a plain median took the tiny runs' rate, ~12 s for a warm run that takes ~1 s."""
    sizes = {"train": 100, "validation": 20, "test": 50}
    tiny = []
    for i in range(2):
        run = embedding_run("head_only", f"t{i}", total=1.0, wall=0.8, embedding=0.05, hits=12, texts=12)
        run.data_summary = {**run.data_summary, "sizes": {"train": 6, "validation": 2, "test": 4}}  # 20 units
        tiny.append(run)
    big = embedding_run("head_only", "big", total=26.0, wall=1.0, embedding=0.1, hits=170)
    warm = estimate_seconds([*tiny, big], "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=1.0)
    assert warm.seconds == pytest.approx(1.0)
    assert warm.basis == "embeddings cached: 3 past runs on this device, served from the cache"
    # the same for runs not yet served from the cache: their time beyond the embedding pass
    cold = [embedding_run("head_only", f"c{i}", total=1.0, wall=1.0, embedding=0.2, hits=0, texts=12) for i in range(2)]
    for run in cold:
        run.data_summary = {**run.data_summary, "sizes": {"train": 6, "validation": 2, "test": 4}}
    cold.append(embedding_run("head_only", "c2", total=27.0, wall=27.0, embedding=25.0, hits=0))
    assert estimate_seconds(cold, "head_only", "minilm", "cpu0", sizes, 2, tokens=27.0, cached=1.0).seconds \
        == pytest.approx(2.0)


def test_cache_shares_count_texts_cached_now_or_by_an_earlier_run_of_the_launch():
    from types import SimpleNamespace

    from bertlab.estimate import cache_shares

    def cfg(strategy, model="m", max_length=128):
        return SimpleNamespace(strategy=strategy, model=model, max_length=max_length, precision="auto")

    val_test, train = {b"v1", b"v2", b"t1", b"t2"}, {b"r1", b"r2", b"r3", b"r4"}
    cached_now = frozenset({b"v1"})
    needs = {"zero_shot": val_test, "head_only": val_test | train}

    def embedded(c):
        return (needs[c.strategy], cached_now) if c.strategy in needs else None

    launch = [cfg("zero_shot"), cfg("full_ft"), cfg("head_only"), cfg("head_only"), cfg("head_only", max_length=64),
              None]
    # zero_shot finds 1 of its 4 texts; head_only then finds zero_shot's 4 of its 8, its second seed all; at
    # another max length (another cache) only what is cached there now; a config that does not validate: unknown
    assert cache_shares(launch, embedded) == [0.25, None, 0.5, 1.0, 0.125, None]


def test_a_rough_estimate_leaves_out_the_forward_passes_of_cached_texts():
    from bertlab.estimate import probe_estimate
    from bertlab.speedprobe import Speed

    speed = Speed(train_s_per_token=1e-3, forward_s_per_token=1e-3, load_seconds=2.0, tokens=64, measured=0.0)
    cold = probe_estimate(speed, (0.0, 1000.0), 10.0)
    assert cold.seconds == pytest.approx(2.0 + 10.0) and cold.basis.startswith("rough")
    part = probe_estimate(speed, (0.0, 1000.0), 10.0, cached=0.75)
    assert part.seconds == pytest.approx(2.0 + 2.5) and part.basis.startswith("embeddings 75% cached; rough")
    # all cached: no forward pass and no model to load
    full = probe_estimate(speed, (0.0, 1000.0), 10.0, cached=1.0)
    assert full.seconds == pytest.approx(0.0) and full.basis.startswith("embeddings cached; rough")


def test_runs_record_their_training_texts_mean_length_in_tokens(tiny_model, tiny_data):
    from bertlab.estimate import mean_tokens
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, max_length=16))
    assert execute_run(store, rid) == SUCCEEDED
    from bertlab.data import load_splits

    texts = load_splits(tiny_data).train.texts
    assert store.get(rid).data_summary["mean_tokens"] == pytest.approx(mean_tokens(tiny_model, texts, 16))


def test_tfidf_estimate_scales_by_the_texts_words(tiny_data):
    """tfidf_logreg on 500 BBC articles (100 / 200 to evaluate) took 18.6 s here where the estimate from its runs on
    short reviews said ~1 s: it counted texts, not their length. Its runs record their mean words per text, and
    its estimate scales by them as the encoder strategies' do by tokens."""
    from bertlab.estimate import mean_words
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    reviews = make_run("tfidf_logreg", "t1", total_seconds=5.1)
    reviews.data_summary = {"sizes": {"train": 8000, "validation": 100, "test": 200}, "mean_words": 21.0}
    sizes = {"train": 500, "validation": 100, "test": 200}
    got = estimate_seconds([reviews], "tfidf_logreg", "minilm", "cpu0", sizes, 1, uses_epochs=False,
                           tokens=lambda: 420.0)
    assert got.seconds == pytest.approx(5.1 / (8300 * 21.0) * 800 * 420.0)  # ~10 s, not ~0.5
    assert got.basis == "1 past run on this device, per word"
    assert mean_words(["one two three", "four"]) == 2.0
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    from bertlab.data import load_splits

    texts = load_splits(tiny_data).train.texts
    assert store.get(rid).data_summary["mean_words"] == pytest.approx(mean_words(texts))


def test_work_units_for_strategies_without_epochs_count_each_text_once():
    """tfidf_logreg fits on its training texts: measured here, 8,000 of them (100 validation, 200 test) took 5.1 s
    where the estimate from a run on 200 / 500 / 1,000 (2.3 s), counting validation and test only, said ~1 s."""
    assert work_units({"train": 100, "validation": 20, "test": 50}, 5, uses_epochs=False) == 170
    past = make_run("tfidf_logreg", "t1", total_seconds=2.3)
    past.data_summary = {"sizes": {"train": 200, "validation": 500, "test": 1000}}
    got = estimate_seconds([past], "tfidf_logreg", "minilm", "cpu0", {"train": 8000, "validation": 100, "test": 200},
                           1, uses_epochs=False).seconds
    assert got == pytest.approx(2.3 / 1700 * 8300)


def test_head_only_estimate_does_not_grow_with_its_epochs():
    """head_only's epochs train a linear head on cached embeddings: measured here, 30 epochs on 200/100/200 reviews
    took 19.4 s (total), 100 took 27.0 s and 5 took 23.6 s, where the estimate from the first had said ~71 s and
    ~4 s (it scaled by epochs as for fine-tuning). Its work is one encoder pass over every split's texts."""
    past = make_run("head_only", "h1", total_seconds=17.0)  # config epochs 2, sizes 100/20/50: 170 texts embedded
    sizes = {"train": 200, "validation": 20, "test": 120}
    for epochs in (2, 30, 100):
        got = estimate_seconds([past], "head_only", "minilm", "cpu0", sizes, epochs).seconds
        assert got == pytest.approx(17.0 / 170 * 340)
    assert work_units({"train": 100, "validation": 20, "test": 50}, 30, True, embeds=("train", "val", "test")) == 170
    # zero_shot embeds validation and test only, as before
    assert work_units({"train": 100, "validation": 20, "test": 50}, 1, False, embeds=("val", "test")) == 70


def test_long_loss_series_get_a_faint_raw_line_and_a_smoothed_one_and_an_epoch_axis():
    fig = plots.train_loss_figure([make_run("full_ft", "r1")], loss_points("r1", 100), x="epoch")
    faint, bold = fig.data
    assert faint.opacity < 1 and faint.showlegend is False and bold.showlegend is not False
    assert np.std(np.diff(bold.y)) < np.std(np.diff(faint.y)) + 1e-12
    assert max(bold.x) == pytest.approx(10.0)  # points' x is the epoch
    assert "epoch" in fig.layout.xaxis.title.text
    assert plots.smooth([1.0, 1.0, 1.0], 0.9) == pytest.approx([1.0, 1.0, 1.0])  # debiased: no start-up dip


def test_progress_axis_overlays_short_and_long_runs_and_extrapolates_running_and_stopped_ones():
    long_run, short_run = make_run("head_only", "h1"), make_run("full_ft", "f1", status="running")
    short_run.progress = 0.5  # 10 of 20 planned steps done
    fig = plots.train_loss_figure([long_run, short_run], loss_points("h1", 400) + loss_points("f1", 10),
                                  x="progress", smoothing=0)
    by_name = {t.name: t for t in fig.data}
    assert max(by_name["head_only"].x) == pytest.approx(1.0, abs=0.01)
    assert max(by_name["full_ft"].x) == pytest.approx(0.5)
    # stopped part way (cancelled at 42%, or failed): it ends where it stopped, not stretched to 100% as if finished
    for status in ("cancelled", "failed", "interrupted"):
        stopped = make_run("full_ft", "f1", status=status)
        stopped.progress = 0.42
        fig = plots.train_loss_figure([long_run, stopped], loss_points("h1", 400) + loss_points("f1", 21),
                                      x="progress", smoothing=0)
        assert max({t.name: t for t in fig.data}["full_ft"].x) == pytest.approx(0.42), status


def _strategy_colours(fig) -> dict[str, set[str]]:
    """strategy -> the colours it is drawn in, from traces named after a run or bars labelled by run."""
    names = set(REGISTRY)
    out: dict[str, set[str]] = {}
    for t in fig.data:
        marker = getattr(t, "marker", None)
        colours = marker.color if marker is not None else None
        if isinstance(colours, (list, tuple)):  # bars: one colour per x label
            for label, c in zip(t.x, colours):
                out.setdefault(str(label).split(" · ")[0], set()).add(c)
            continue
        strategy = str(t.name or "").split(" · ")[0]
        if strategy in names:
            line = getattr(t, "line", None)
            out.setdefault(strategy, set()).add((line.color if line is not None else None) or colours)
    return out


STRATEGY_CHARTS = {
    "train_loss": lambda runs: plots.train_loss_figure(runs, [p for r in runs for p in loss_points(r.id, 5)]),
    "accuracy": plots.accuracy_figure,
    "cost": lambda runs: plots.cost_figure(runs, "train_seconds"),
    "tradeoff": lambda runs: plots.tradeoff_figure(runs, "train_seconds"),
    # The Accuracy-vs-cost page and the HTML report draw this one.
    "pareto": lambda runs: pareto.pareto_figure(pareto.by_strategy(pareto.rows_from_runs(runs)), "train_seconds"),
}


@pytest.mark.parametrize("chart", list(STRATEGY_CHARTS))
def test_every_chart_colours_a_strategy_with_its_shared_colour(chart):
    runs = [make_run(s, f"{s}-run", acc=0.5 + i / 50) for i, s in enumerate(REGISTRY)]
    got = _strategy_colours(STRATEGY_CHARTS[chart](runs))
    assert set(got) == set(REGISTRY)
    assert got == {s: {plots.strategy_color(s)} for s in REGISTRY}


def test_empty_loss_chart_says_why_finished_runs_have_no_steps():
    def message(runs) -> str:
        fig = plots.train_loss_figure(runs, [])
        assert not fig.data
        return " ".join(a.text for a in fig.layout.annotations)

    finished = [make_run("zero_shot", "z1"), make_run("tfidf_logreg", "t1")]
    text = message(finished)
    assert "yet" not in text
    assert text == "no loss curve: tfidf_logreg, zero_shot do not train with gradient steps"
    assert message(finished[:1]) == "no loss curve: zero_shot does not train with gradient steps"
    assert message(finished + [make_run("full_ft", "f1", status="running")]) == "no training steps yet"
    assert message([make_run("full_ft", "f1", status="failed")]).startswith("no training steps: the runs stopped")


def test_validation_chart_rings_the_epoch_keep_best_kept():
    pts = [{"run_id": "f1", "series": s, "step": e * 10, "x": float(e), "value": v}
           for e, loss, acc in ((1, 0.6, 0.7), (2, 0.4, 0.8), (3, 0.5, 0.78))
           for s, v in (("val_loss", loss), ("val_accuracy", acc))]
    kept = make_run("full_ft", "f1")
    kept.metrics["kept_epoch"] = 2
    rings = [t for t in plots.validation_figure([kept], pts).data if t.mode == "markers"]
    assert [(list(t.x), list(t.y)) for t in rings] == [([2], [0.4]), ([2], [0.8])]
    assert not any(t.showlegend for t in rings)
    assert not [t for t in plots.validation_figure([make_run("full_ft", "f1")], pts).data if t.mode == "markers"]


def test_the_kept_epochs_ring_names_the_class_weighted_loss_where_the_run_kept_by_it():
    """With class weights keep_best reads the class-weighted validation loss (0820675), not the val_loss the chart
    draws: its ring's hover said 'weights kept (lowest validation loss)' at a point that need not be the curve's
    lowest. It names the loss the run kept by (its metrics' kept_by); a run without it (older ones) as before."""
    pts = [{"run_id": "f1", "series": s, "step": e * 10, "x": float(e), "value": v}
           for e, loss, acc in ((1, 0.6, 0.7), (2, 0.4, 0.8), (3, 0.5, 0.78))
           for s, v in (("val_loss", loss), ("val_accuracy", acc))]
    run = make_run("full_ft", "f1")
    run.metrics["kept_epoch"] = 1
    hovers = [t.hovertemplate for t in plots.validation_figure([run], pts).data if t.mode == "markers"]
    assert hovers and all(h.startswith("epoch 1: weights kept (lowest validation loss)") for h in hovers)
    run.metrics["kept_by"] = "class-weighted validation loss"
    hovers = [t.hovertemplate for t in plots.validation_figure([run], pts).data if t.mode == "markers"]
    assert hovers and all(h.startswith("epoch 1: weights kept (lowest class-weighted validation loss)") for h in hovers)


def test_compute_axes_read_giga_and_tera_and_accuracy_axes_read_percent():
    """'10G' and '2T' on FLOPs axes (GFLOP/TFLOP in every table), not plotly's '10B'; accuracy in % everywhere."""
    from bertlab import sweep

    runs = [make_run("full_ft", "r1", train_flops=1e13), make_run("head_only", "r2", acc=0.7, train_flops=1e11)]
    assert plots.cost_figure(runs, "train_flops").layout.yaxis.exponentformat == "SI"
    assert plots.cost_figure(runs, "train_seconds").layout.yaxis.exponentformat != "SI"
    assert plots.tradeoff_figure(runs, "train_flops").layout.xaxis.exponentformat == "SI"
    served = [make_run("full_ft", "r1", inference_flops_per_text=6.1e8),
              make_run("tfidf_logreg", "r2", acc=0.7, inference_flops_per_text=50.0)]
    bars = plots.cost_figure(served, "inference_flops_per_text")
    assert bars.layout.yaxis.exponentformat == "SI" and list(bars.data[0].text) == ["610 MFLOP", "50.0 FLOP"]
    assert plots.tradeoff_figure(served, "inference_flops_per_text").layout.xaxis.type == "log"
    rows = pareto.by_strategy(pareto.rows_from_runs(runs))
    fig = pareto.pareto_figure(rows, "train_flops")
    assert fig.layout.xaxis.exponentformat == "SI" and fig.layout.yaxis.tickformat == ".1~%"  # percent, trimmed
    agg = sweep.aggregate([{"strategy": "full_ft", "size": 32, "seed": 0, "test_accuracy": 0.7, "n_train": 32,
                            "train_seconds": 1.0, "train_flops": 1e9, "majority_accuracy": 0.5}])
    curve = sweep.learning_curve_figure(agg)
    assert curve.layout.yaxis.tickformat == ".0%" and curve.layout.yaxis.title.text == "test accuracy (%)"


def test_calibration_figure_draws_each_runs_bins_against_the_diagonal():
    good = make_run("full_ft", "f1")
    good.metrics |= {"test_ece": 0.05, "calibration": [{"confidence": 0.65, "accuracy": 0.6, "count": 10},
                                                       {"confidence": 0.95, "accuracy": 0.9, "count": 90}]}
    old = make_run("head_only", "h1")  # stored before runs recorded their calibration: left out
    fig = plots.calibration_figure([good, old])
    diagonal, line = fig.data
    assert list(diagonal.x) == [0, 1] and list(line.x) == [0.65, 0.95] and list(line.y) == [0.6, 0.9]
    assert line.name == "full_ft (ECE 0.050)" and line.marker.size[1] > line.marker.size[0]
    assert fig.layout.xaxis.tickformat == ".0%"
    assert any("no finished run" in a.text for a in plots.calibration_figure([old]).layout.annotations)


def test_learning_curves_by_macro_f1_are_drawn_as_scores_without_the_accuracy_baseline():
    from bertlab import sweep

    pts = [{"strategy": "full_ft", "size": 32, "seed": s, "test_accuracy": 0.9, "test_macro_f1": 0.5 + s / 10,
            "n_train": 32, "train_seconds": 1.0, "train_flops": 1e9, "majority_accuracy": 0.9} for s in range(2)]
    agg = sweep.aggregate(pts, "test_macro_f1")
    assert agg[0]["mean"] == pytest.approx(0.55)
    fig = sweep.learning_curve_figure(agg, metric_label="test macro-F1", percent=False)
    assert fig.layout.yaxis.tickformat == ".2f" and fig.layout.yaxis.title.text == "test macro-F1"
    assert not fig.layout.shapes  # the majority class's accuracy is no macro-F1 baseline
    assert sweep.results_table(agg, "macro-F1")[0]["macro-F1 mean"] == pytest.approx(0.55)
    by_acc = sweep.learning_curve_figure(sweep.aggregate(pts))
    (line,) = by_acc.layout.shapes  # by accuracy it is drawn, named in the legend (its words on the chart sat on
    # the largest size's points), and the legend says what the error bars are
    assert line.showlegend and line.name == "always the majority class (90.0%)" and not by_acc.layout.annotations
    assert by_acc.layout.legend.title.text == "strategy (bars: ±1 std over seeds)"


def test_learning_curves_legend_is_a_row_above_the_plot_not_half_a_phone():
    """A review at 390 px: the legend "strategy (bars: ±1 std over seeds)" beside the plot took half the width and the
    x title was cut. It is a row hung under the title now, its title on a line of its own over the strategies."""
    from bertlab import sweep

    pts = [{"strategy": st, "size": n, "seed": s, "test_accuracy": 0.6 + s / 20, "n_train": n, "train_seconds": 1.0,
            "train_flops": 1e9, "majority_accuracy": 0.58} for st in ("zero_shot", "head_only") for n in (32, 64)
           for s in (0, 1)]
    legend = sweep.learning_curve_figure(sweep.aggregate(pts)).layout.legend
    assert legend.orientation == "h" and legend.yanchor == "top" and legend.title.side == "top"


def test_validation_plots_can_be_drawn_one_a_figure_for_columns_a_phone_stacks():
    """A review at 390 px: Compare's validation loss and accuracy, two plots of one figure, stayed side by side at
    ~130 px each. Each can be a figure of its own now (Compare puts them in columns, which a phone stacks)."""
    pts = [{"run_id": "f1", "series": s, "step": e, "x": float(e), "value": v}
           for e in (1, 2) for s, v in (("val_loss", 0.5), ("val_accuracy", 0.8))]
    run = make_run("full_ft", "f1")
    acc = plots.validation_figure([run], pts, panels=("val_accuracy",))
    assert [t.y for t in acc.data] == [(0.8, 0.8)] and "xaxis2" not in acc.layout.to_plotly_json()
    assert acc.layout.yaxis.title.text == "accuracy (%)" and acc.layout.yaxis.side == "left"
    assert "Validation accuracy" in acc.layout.annotations[0].text
    loss = plots.validation_figure([run], pts, panels=("val_loss",))
    assert [t.y for t in loss.data] == [(0.5, 0.5)] and loss.layout.yaxis.title.text == "cross-entropy loss (nats)"


def test_validation_plots_can_leave_the_run_legend_to_the_chart_above():
    """A review at 1024 px: Compare's two validation charts, each in a ~310 px column, repeated seven runs' legend
    in four rows each, over a plot of ~100 of its 300 px. ``legend=False``: no legend and no room kept for one."""
    pts = [{"run_id": rid, "series": "val_loss", "step": e, "x": float(e), "value": 0.5} for e in (1, 2)
           for rid in ("f1", "h1")]
    runs = [make_run("full_ft", "f1"), make_run("head_only", "h1")]
    with_legend = plots.validation_figure(runs, pts, panels=("val_loss",))
    assert sum(bool(t.showlegend) for t in with_legend.data) == 2
    bare = plots.validation_figure(runs, pts, panels=("val_loss",), legend=False)
    assert bare.layout.showlegend is False and not any(t.showlegend for t in bare.data)
    assert bare.layout.margin.t < with_legend.layout.margin.t
    assert [t.line.color for t in bare.data] == [t.line.color for t in with_legend.data]  # the same styles


def test_validation_plots_without_a_legend_name_the_runs_the_loss_chart_does_not():
    """Compare's validation-accuracy chart drew zero_shot's lone point at epoch 0 (it trains nothing, so it has no
    line and no entry in the training-loss chart, the one that names the runs) named only by its hover: the point
    carries its run's name, in the layout's font (the theme's colour, projector mode's size); a trained run's line
    is named by the chart above and gets no label."""
    pts = [{"run_id": "z1", "series": "val_accuracy", "step": 0, "x": 0.0, "value": 0.6}]
    pts += [{"run_id": "f1", "series": "val_accuracy", "step": e, "x": float(e), "value": 0.7} for e in (1, 2)]
    pts += loss_points("f1", 3)
    runs = [make_run("zero_shot", "z1"), make_run("full_ft", "f1")]
    bare = plots.validation_figure(runs, pts, panels=("val_accuracy",), legend=False)
    (zero,) = [t for t in bare.data if t.name == "zero_shot"]
    assert "text" in zero.mode and list(zero.text) == ["zero_shot"]
    assert zero.textfont.color is None and zero.textfont.size is None  # the layout's: dark theme, projector
    assert zero.cliponaxis is False  # its name is not cut at the plot's edge
    (trained,) = [t for t in bare.data if t.name == "full_ft"]
    assert "text" not in trained.mode and trained.text is None
    with_legend = plots.validation_figure(runs, pts, panels=("val_accuracy",))  # the legend names it there
    assert not any("text" in t.mode for t in with_legend.data)


def test_validation_charts_by_share_of_run_overlay_short_and_long_runs():
    long, short = make_run("head_only", "h"), make_run("full_ft", "f")
    long.config, short.config = {"epochs": 30}, {"epochs": 3}
    pts = [{"run_id": "h", "series": "val_loss", "step": e, "x": float(e), "value": 1 / e} for e in range(1, 31)]
    pts += [{"run_id": "f", "series": "val_loss", "step": e, "x": float(e), "value": 1 / e} for e in range(1, 4)]
    by_epoch = plots.validation_figure([long, short], pts)
    assert max(by_epoch.data[1].x) == 3 and max(by_epoch.data[0].x) == 30  # 3 epochs in a tenth of the axis
    by_share = plots.validation_figure([long, short], pts, progress=True)
    assert max(by_share.data[0].x) == pytest.approx(1.0) and max(by_share.data[1].x) == pytest.approx(1.0)
    assert list(by_share.data[1].customdata) == [1, 2, 3]  # the hover still names the epoch
    assert by_share.layout.xaxis.tickformat == ".0%"


def test_the_masked_lm_chart_marks_a_uniform_guess_over_the_vocabulary():
    import math

    run = make_run("dapt", "d", mlm_vocab_size=30522)
    pts = [{"run_id": "d", "series": "mlm_loss", "step": i, "x": i / 10, "value": 11.0 - i / 10} for i in range(1, 30)]
    fig = plots.mlm_loss_figure([run], pts)
    (line,) = fig.layout.shapes
    assert line.y0 == pytest.approx(math.log(30522)) and "30,522 tokens: 10.3 nats" in fig.layout.annotations[-1].text
    assert not plots.mlm_loss_figure([make_run("dapt", "d")], pts).layout.shapes  # older runs: no size, no line


def test_a_log_cost_axis_ticks_zero_where_free_runs_sit_and_steps_of_2_and_5_over_a_short_span():
    """A teacher on Accuracy vs cost: zero_shot (trains nothing) sat on a "100G" tick, and the axis had two ticks,
    "100G" and "1T". The point that costs nothing now sits with no tick within a factor 2 of it, and a span under
    three decades is ticked at 1, 2 and 5 times each power of ten. It sat on a bare "0" tick, which a log axis has
    no place for (a lead's walk-through): its own label says "(0 FLOP)", and the axis has no "0"."""
    runs = [make_run("zero_shot", "z", acc=0.726, train_flops=0.0), make_run("head_only", "h", acc=0.722,
            train_flops=2.96e11), make_run("full_ft", "f", acc=0.744, train_flops=2.2e12),
            make_run("scratch", "s", acc=0.578, train_flops=3e12)]
    fig = pareto.pareto_figure(pareto.rows_from_runs(runs), "train_flops")
    ax = fig.layout.xaxis
    (zs,) = [t for t in fig.data if t.name == "zero_shot"]
    at = zs.x[0]
    assert "0" not in ax.ticktext and zs.text[0] == "zero_shot (0 FLOP)" and not any(v < 2 * at for v in ax.tickvals)
    shown = [t for v, t in zip(ax.tickvals, ax.ticktext) if at <= v <= 3e12]
    assert shown == ["200G", "500G", "1T", "2T"]
    # a wide span: powers of ten alone; no free run, no "0"
    vals, text = pareto.log_ticks(1e9, 1e15)
    assert "0" not in text and text[:3] == ["1G", "10G", "100G"] and len(vals) == len(text)
    assert pareto.log_ticks(1e-5, 1e-3, currency="$")[1][:3] == ["$0.00001", "$0.00002", "$0.00005"]


def test_accuracy_vs_cost_has_the_legend_row_and_few_ticks_apart_from_its_zero():
    """A review at 390 px: the legend ("always the majority class (58.0%)") sat right of the plot and squeezed it
    to ~70 px, eight ticks from "0" to "1T" piled up, and at 1024 px "0" and "1M" ran together. The legend is now the
    row above the plot that every chart has, a wide span is ticked every other power of ten, and "0" sits a whole
    decade from the next tick."""
    runs = [make_run("zero_shot", "z", acc=0.716, train_flops=0.0), make_run("tfidf_logreg", "t", acc=0.645,
            train_flops=1.2e6), make_run("head_only", "h", acc=0.595, train_flops=2e11),
            make_run("full_ft", "f", acc=0.58, train_flops=5e11)]
    rows = pareto.rows_from_runs(runs)
    for r in rows:
        r["majority_accuracy"] = 0.58
    fig = pareto.pareto_figure(rows, "train_flops")
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y > 1
    assert any(t.name == "always the majority class (58.0%)" and t.showlegend is not False for t in fig.data)
    ax = fig.layout.xaxis
    # no bare "0" on a log axis (its point's label says it); 1M to 500G is six decades, which fit (MOST_TICKS)
    assert list(ax.ticktext) == ["1M", "10M", "100M", "1G", "10G", "100G", "1T"]
    (at,) = next(t for t in fig.data if t.name == "zero_shot").x
    assert min(ax.tickvals) >= 4 * at  # no tick glued to the free run's point
    vals, text = pareto.log_ticks(1e9, 1e15, most=6)
    assert text == ["1G", "100G", "10T", "1P"]


def test_accuracy_axes_tick_with_no_needless_decimals_and_their_hover_keeps_one():
    """A lead's walk-through: Accuracy vs cost's y ticks read "60.0%, 80.0%, 100.0%" over a wide range (and
    Compare's trade-off chart's too); a decimal is written where the ticks need one ("72.5%"), trimmed where not
    ("100%"), and a hover still says "72.5%" or "100.0%" (d3's "~" trims only the ticks)."""
    rows = [{"strategy": s, "train_flops": f, "test_accuracy": a, "test_macro_f1": a}
            for s, f, a in (("zero_shot", 0.0, 0.62), ("head_only", 2e11, 0.8), ("full_ft", 5e12, 0.99))]
    fig = pareto.pareto_figure(rows, "train_flops")
    assert fig.layout.yaxis.tickformat == ".1~%" and "%{y:.1%}" in fig.data[0].hovertemplate
    assert pareto.pareto_figure(rows, "train_flops", "test_macro_f1").layout.yaxis.tickformat == ".3~f"
    runs = [make_run("full_ft", "r1", train_flops=1e13), make_run("head_only", "r2", acc=0.7, train_flops=1e9)]
    assert plots.tradeoff_figure(runs, "train_flops").layout.yaxis.tickformat == ".1~%"


def test_bar_charts_write_a_runs_setting_under_its_strategy():
    """Projector on, half width: "head_only (lr 0.001)" and its three namesakes were turned on their side under the
    accuracy bars and took half the chart's height. The bar charts' tick labels now put the setting on a line of
    its own under the strategy; names that are a strategy alone keep plotly's own ticks."""
    runs = [make_run("zero_shot", "z", acc=0.726)]
    for k, lr in enumerate((1e-3, 1e-2)):
        runs.append(make_run("head_only", f"h{k}", acc=0.71))
        runs[-1].config["learning_rate"] = lr
    for fig in (plots.accuracy_figure(runs), plots.cost_figure(runs, "train_seconds")):
        ax = fig.layout.xaxis
        assert list(ax.tickvals) == list(fig.data[0].x) == ["zero_shot", "head_only (lr 0.001)", "head_only (lr 0.01)"]
        assert list(ax.ticktext) == ["zero_shot", "head_only<br>(lr 0.001)", "head_only<br>(lr 0.01)"]
    plain = plots.accuracy_figure([make_run("zero_shot", "z"), make_run("full_ft", "f")])
    assert plain.layout.xaxis.ticktext is None


def test_the_masked_lm_charts_caption_names_the_strategies_it_draws():
    """scratch pretrains too (option mlm_epochs): the caption said "dapt first continues..." under scratch's curve."""
    only_scratch = plots.mlm_caption({"scratch"})
    assert "scratch pretrains its random model" in only_scratch and "dapt" not in only_scratch
    only_dapt = plots.mlm_caption({"dapt"})
    assert "dapt continues the pretrained model's" in only_dapt and "scratch" not in only_dapt
    both = plots.mlm_caption({"dapt", "scratch"})
    assert both.index("dapt") < both.index("scratch") and both.startswith("Before training on the labels, ")


def test_the_label_distributions_axis_counts_in_whole_numbers():
    """A review's 6-row file: the axis read 0, 0.2, 0.4 ... 1 for counts of 1 and 2."""
    small = plots.label_distribution_figure({"train": {"neg": 2, "pos": 2}, "test": {"neg": 1, "pos": 1}})
    assert small.layout.yaxis.dtick == 1 and small.layout.yaxis.tickformat == ",d"
    big = plots.label_distribution_figure({"train": {"neg": 7368, "pos": 5383}})
    assert big.layout.yaxis.dtick is None and big.layout.yaxis.tickformat == ",d"


def test_two_runs_of_one_strategy_are_told_apart_in_the_class_probabilities():
    """A review: head_only on two datasets drew two bar groups in one colour, one legend swatch alike."""
    import numpy as np

    from bertlab.predict import Prediction

    preds = [Prediction("a", "head_only", ["neg", "pos"], np.array([[0.3, 0.7]]), 1.0),
             Prediction("b", "head_only", ["neg", "pos"], np.array([[0.6, 0.4]]), 1.0),
             Prediction("c", "full_ft", ["neg", "pos"], np.array([[0.1, 0.9]]), 1.0)]
    fig = plots.probability_figure(preds, {"a": "head_only (lr 0.001)", "b": "head_only (lr 0.03)", "c": "full_ft"})
    fills = [t.marker.pattern.shape for t in fig.data]
    assert fills[0] != fills[1] and fills[0] == fills[2] == ""  # the first run of each strategy plain
    assert fig.data[0].marker.color == fig.data[1].marker.color


def test_a_bars_value_goes_above_its_interval_where_the_macro_f1_diamond_would_cover_it():
    """A reviewer on bbc_news: scratch at 23% accuracy and macro-F1 near 0 put the white diamond over the value at
    its bar's foot ("23◇%"). That value is written above the bar's interval instead; the others stay at the foot."""
    ok, low = make_run("full_ft", "f1", acc=0.8), make_run("scratch", "s1", acc=0.23)
    low.metrics["test_macro_f1"] = 0.02
    fig = plots.accuracy_figure([ok, low])
    bar = next(t for t in fig.data if t.type == "bar")
    assert list(bar.text) == ["80.0%", ""] and bar.textposition == "inside" and bar.insidetextanchor == "start"
    (moved,) = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    top = plots.accuracy_interval(low)[1]
    assert list(moved.x) == ["scratch"] and list(moved.text) == ["23.0%"] and moved.textposition == "top center"
    assert moved.y[0] == pytest.approx(top) and moved.showlegend is False
    assert moved.textfont.color is None  # the theme's text colour: it is not on the bar
    assert moved.meta[plots.PROJECTOR]["text"] == ["23.0"] and bar.meta[plots.PROJECTOR]["text"] == ["80.0", ""]
    # a bar too short to hold its value: above its interval as well; none moved where nothing covers them
    assert plots.on_the_foot(0.05, 0.04) and plots.on_the_foot(0.9, 0.1) and not plots.on_the_foot(0.3, 0.25)
    assert not [t for t in plots.accuracy_figure([ok]).data if t.type == "scatter" and t.mode == "text"]


def test_the_numbers_behind_the_curves_calibration_and_confusion_charts():
    """A screen reader got nothing of Compare's curves, calibration chart and confusion matrices (their numbers
    were only in the SVG): each has a table of what it draws."""
    a, b = make_run("head_only", "h1"), make_run("zero_shot", "z1")
    points = [{"run_id": "h1", "series": "train_loss", "step": s, "x": s / 2, "value": v}
              for s, v in ((1, 1.0), (2, 0.8), (3, 0.5), (4, 0.3))]
    points += [{"run_id": "h1", "series": "val_accuracy", "step": 2 * e, "x": float(e), "value": 0.6 + e / 10}
               for e in (1, 2)] + [{"run_id": "z1", "series": "val_accuracy", "step": 0, "x": 0.0, "value": 0.55}]
    loss = plots.curve_table([a, b], points, "train_loss")  # each epoch's mean
    assert loss.to_dict("list") == {"epoch": [1, 2], "head_only": ["0.900", "0.400"]}
    acc = plots.curve_table([a, b], points, "val_accuracy")
    assert acc.to_dict("list") == {"epoch": [0, 1, 2], "head_only": ["–", "70.0%", "80.0%"],
                                   "zero_shot": ["55.0%", "–", "–"]}
    assert plots.curve_table([a, b], points, "val_loss") is None
    a.metrics["calibration"] = [{"confidence": 0.55, "accuracy": 0.5, "count": 10},
                                {"confidence": 0.93, "accuracy": 0.9, "count": 1200}]
    cal = plots.calibration_table([a, b])
    assert cal.to_dict("list") == {"confidence": ["50–60%", "90–100%"],
                                   "head_only": ["10 texts: 50% right", "1,200 texts: 90% right"]}
    assert plots.calibration_table([b]) is None
    assert plots.confusion_table(a).to_dict("list") == {"true label": ["neg", "pos"], "predicted neg": [40, 8],
                                                        "predicted pos": [10, 42]}


def test_the_memory_note_says_where_one_column_holds_ram_beside_gpu_memory():
    """A diff review: on a GPU machine tfidf_logreg's peak memory is the RAM it added, the others' CUDA memory, in
    one column called GPU memory."""
    from types import SimpleNamespace

    def run(i, strategy, of):
        return SimpleNamespace(id=f"run-{i}", strategy=strategy, costs={"peak_memory_of": of}, config={},
                               dataset="d", model="m", status="succeeded")

    mixed = [run(1, "tfidf_logreg", "rss"), run(2, "full_ft", "cuda")]
    assert plots.memory_note(mixed) == ("Memory of tfidf_logreg: the RAM it added (it runs nothing on the GPU); the "
                                        "others' is the GPU memory they allocated.")
    assert plots.memory_note([run(1, "tfidf_logreg", "rss"), run(2, "full_ft", "rss")]) is None  # a CPU machine


def test_a_gpu_run_stored_before_peak_memory_of_reads_as_gpu_memory_not_ram():
    """A run trained on a GPU before 2026-12-05 stored the GPU memory it allocated, without peak_memory_of: the
    report's memory table called it RAM, and beside a new tfidf_logreg (RAM) Compare's note said nothing of the mix.
    Its recorded device type says which it measured; a CPU run of then measured RAM."""
    from types import SimpleNamespace

    from bertlab.report import _memory_section

    def run(i, strategy, costs, device_type):
        return SimpleNamespace(id=f"run-{i}", strategy=strategy, config={}, dataset="d", model="m",
                               status="succeeded", costs={"peak_memory_bytes": 300 * 2**20, **costs},
                               data_summary={"environment": {"device type": device_type}})

    old_gpu = run(1, "full_ft", {}, "cuda")  # the old shape: no peak_memory_of
    old_cpu = run(2, "head_only", {}, "cpu")
    new_ram = run(3, "tfidf_logreg", {"peak_memory_of": "rss"}, "cuda")
    assert plots.memory_note([new_ram, old_gpu]) == (
        "Memory of tfidf_logreg: the RAM it added (it runs nothing on the GPU); the others' is the GPU memory they "
        "allocated.")
    assert plots.memory_note([new_ram, old_cpu]) is None
    # a run that stored no peak memory measured neither: not named as RAM beside a GPU run
    unmeasured = SimpleNamespace(**{**vars(old_cpu), "id": "run-4", "costs": {}})
    assert plots.memory_note([old_gpu, unmeasured]) is None
    html = _memory_section([old_gpu, old_cpu], {"run-1": "full_ft", "run-2": "head_only"})
    assert "<td>full_ft</td><td>300.0 MiB</td><td>GPU memory</td>" in html.replace("\n", "")
    assert "<td>head_only</td><td>300.0 MiB</td><td>RAM</td>" in html.replace("\n", "")


def test_a_confusion_matrix_of_sixty_classes_takes_a_row_with_square_cells_and_readable_names():
    """60 classes two a row were ~320 px wide and ~2,100 px tall: ~5-px cells full of overlapping "0", the names cut
    to "class_" and the title over the first cells."""
    names = [f"class_{i}" for i in range(59)] + ["a rather long class name"]
    many = make_run("head_only", "h60")
    many.metrics |= {"label_names": names, "confusion": (2 * np.eye(60, dtype=int)).tolist()}
    two = make_run("zero_shot", "z2")
    assert plots.confusion_per_row([many, two]) == 1
    fig = plots.confusion_figure(many)
    assert 600 < fig.layout.height < 1100  # square-ish cells across the page, not 2,100 px of slivers
    assert fig.data[0].texttemplate == ""  # no counts in cells too small for them (the hover has them)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert list(fig.layout.xaxis.ticktext)[-1] == "a rather lo…" and list(fig.layout.xaxis.ticktext)[0] == "class_0"
    assert fig.layout.xaxis.tickangle == -90
    assert fig.layout.height * (1 - fig.layout.title.y) <= 10  # the title in the top margin, clear of the cells
    sixteen = make_run("full_ft", "f16")
    sixteen.metrics |= {"label_names": names[:16], "confusion": np.eye(16, dtype=int).tolist()}
    assert plots.confusion_per_row([sixteen]) == 1 and plots.confusion_figure(sixteen).data[0].texttemplate
    # two classes: as before
    small = plots.confusion_figure(two)
    assert small.layout.height == 300 and small.data[0].texttemplate == "%{text}" and small.layout.xaxis.ticktext is None


def test_accuracy_vs_costs_flop_axes_name_their_unit_and_say_they_are_estimates():
    """A review: after the labels were named as the buttons, Accuracy vs cost's inference axis read "inference
    compute per text (log scale)" over ticks "10G", and neither FLOP axis said "(estimate)" any more."""
    from bertlab import pareto

    rows = [{"strategy": s, "inference_flops_per_text": f, "train_flops": f * 1000, "test_accuracy": a}
            for s, f, a in (("tfidf_logreg", 2e5, 0.7), ("full_ft", 3e10, 0.8))]
    inference = pareto.pareto_figure(rows, "inference_flops_per_text")
    assert inference.layout.xaxis.title.text == "inference compute per text (FLOPs, estimate, log scale)"
    assert "inference compute per text (FLOPs, estimate): " in inference.data[0].hovertemplate
    assert inference.layout.title.text.startswith("Accuracy vs inference compute per text")
    training = pareto.pareto_figure(rows, "train_flops")
    assert training.layout.xaxis.title.text == "compute (FLOPs, estimate, log scale)"
    assert training.layout.title.text == "Accuracy vs compute (FLOPs)"  # named as its button
    assert pareto.MEASURE_NAMES["inference_flops_per_text"] == "Inference compute per text"  # the button as it was


def test_compares_flop_axes_say_they_are_estimates_as_accuracy_vs_costs_do():
    """Compare's trade-off axis read "compute (FLOPs, log scale)" where Accuracy vs cost's read "compute (FLOPs,
    estimate, log scale)": the estimate was said by Accuracy vs cost alone. Both charts name their axes alike now."""
    from bertlab import pareto

    wide = [make_run("full_ft", "r1", train_flops=1e13), make_run("head_only", "r2", acc=0.7, train_flops=1e9)]
    assert plots.tradeoff_figure(wide, "train_flops").layout.xaxis.title.text == "compute (FLOPs, estimate, log scale)"
    rows = [{"strategy": r.strategy, "train_flops": r.costs["train_flops"], "test_accuracy": r.metrics["test_accuracy"]}
            for r in wide]
    assert pareto.pareto_figure(rows, "train_flops").layout.xaxis.title.text == "compute (FLOPs, estimate, log scale)"
    near = [make_run("full_ft", "r1", inference_flops_per_text=2e10),
            make_run("head_only", "r2", acc=0.7, inference_flops_per_text=1e10)]
    linear = plots.tradeoff_figure(near, "inference_flops_per_text").layout.xaxis
    assert linear.type == "linear" and linear.title.text == "inference compute per text (FLOPs, estimate)"
    # a measure that is not a FLOP count is no estimate
    assert plots.tradeoff_figure(wide, "train_seconds").layout.xaxis.title.text == "training time (s)"


def test_a_short_cost_axis_keeps_to_the_most_ticks_too():
    """A review: ``most`` was ignored where the span is short (1, 2 and 5 times each power of ten): training times of
    0, 3.1, 40 and 900 s drew nine labels, "0 5 10 20 50 100 200 500 1k", on a chart drawn for six at most."""
    from bertlab import pareto

    def on_axis(lo, hi, zero_at):
        vals, text = pareto.log_ticks(lo, hi, zero_at, most=pareto.MOST_TICKS)
        return [t for v, t in zip(vals, text) if lo / 1.5 <= v <= hi * 1.5 or v == zero_at]

    times = on_axis(3.1, 900, 3.1 / 3)
    assert len(times) <= pareto.MOST_TICKS and "0" not in times and "1k" in times, times
    flops = on_axis(1e9, 3e11, 1e9 / 3)
    assert len(flops) <= pareto.MOST_TICKS and flops[0] == "1G" and "0" not in flops and "100G" in flops, flops
    assert on_axis(10, 50, None) == ["10", "20", "50"]  # few enough: 1, 2 and 5 as before
    ax, at = _free_run_time_axis()
    shown = [t for v, t in zip(ax.tickvals, ax.ticktext) if v >= at and v <= 900 * 1.5]
    assert len(shown) <= pareto.MOST_TICKS and "0" not in ax.ticktext, shown
    assert min(ax.tickvals) >= 2 * at  # the free run's point apart from the first tick


def _free_run_time_axis():
    """Accuracy vs cost's training-time axis for runs of 0 (zero_shot), 3.1, 40 and 900 s, and zero_shot's x there."""
    rows = [{"strategy": s, "train_seconds": t, "test_accuracy": a}
            for s, t, a in (("zero_shot", 0.0, 0.6), ("tfidf_logreg", 3.1, 0.65), ("head_only", 40.0, 0.7),
                            ("full_ft", 900.0, 0.8))]
    fig = pareto.pareto_figure(rows, "train_seconds")
    (at,) = next(t for t in fig.data if t.name == "zero_shot").x
    return fig.layout.xaxis, at


def test_a_free_run_takes_no_tick_from_the_most_a_cost_axis_draws():
    """log_ticks gave the free run's point a "0" tick that pareto_figure then sliced off, but it still counted
    against MOST_TICKS: 0, 3.1, 40 and 900 s drew "10 100 1k" where "5 10 50 100 500 1k" fit, and 1G to 100T with a
    free run every other decade. It gives no "0" now, and the ticks keep their distance from the free point."""
    ax, at = _free_run_time_axis()
    assert [t for v, t in zip(ax.tickvals, ax.ticktext) if v <= 900 * 1.5] == ["5", "10", "50", "100", "500", "1k"]
    assert min(ax.tickvals) >= 2 * at
    vals, text = pareto.log_ticks(1e9, 1e14, 1e8, most=pareto.MOST_TICKS)
    assert text == ["1G", "10G", "100G", "1T", "10T", "100T"] and len(vals) == len(text)


def test_the_encoder_speed_estimate_is_speed_probes_formula_with_the_same_numbers(monkeypatch):
    """bertlab.estimate.encoder_estimate repeated speedprobe.Speed.seconds' formula (tokens x (step texts x a
    step's seconds + forward texts x a pass's)): it hands a Speed to probe_estimate now, so a change to the formula
    reaches both; its estimates stay the numbers the copy gave (to the last bits of a float) and read the same."""
    from types import SimpleNamespace

    from bertlab import speedprobe
    from bertlab.estimate import STEP_FORWARDS, encoder_estimate

    def past(secs: float, texts: int, hits: int, tokens: float) -> SimpleNamespace:
        return SimpleNamespace(status="succeeded", model="m", device="cpu", strategy="zero_shot", config={},
                               costs={"device": "cpu", "embedding_seconds": secs, "embedded_texts": texts,
                                      "embedding_cache_hits": hits}, data_summary={"mean_tokens": tokens})

    cases = [([past(2.0, 120, 20, 20.0)], (1000.0, 500.0), 30.0, 105.0),
             ([past(0.7, 333, 0, 17.3)], (12_345.0, 0.0), 61.9, 0.7 / (333 * 17.3) * 61.9 * 3 * 12_345),
             ([past(2.0, 120, 20, 20.0), past(9.1, 2_000, 5, 48.2), past(0.3, 40, 0, 11.0)], (37_000.0, 3_700.0),
              127.5, None)]
    for runs, work, tokens, old in cases:
        est = encoder_estimate(runs, "m", "cpu", work, tokens)
        if old is None:  # the copy's formula, at the weighted median rate it took
            from bertlab.estimate import weighted_median

            rates = [(r.costs["embedding_seconds"] / ((c := r.costs["embedded_texts"] - r.costs["embedding_cache_hits"])
                                                      * r.data_summary["mean_tokens"]), c * r.data_summary["mean_tokens"])
                     for r in runs]
            old = weighted_median(rates) * tokens * (STEP_FORWARDS * work[0] + work[1])
        assert est.seconds == pytest.approx(old, rel=1e-12, abs=0)
        assert est.text() == type(est)(old, "").text()
        assert est.basis.startswith("rough: the encoder speed zero_shot measured here")
    monkeypatch.setattr(speedprobe.Speed, "seconds", lambda self, step, forward, tokens: 42.0)
    assert encoder_estimate(cases[0][0], "m", "cpu", (1000.0, 500.0), 30.0).seconds == 42.0  # the one formula


def test_validation_plots_without_a_legend_tell_apart_two_settings_of_one_strategy():
    """A review: head_only at lr 0.01 and 0.03 over 30 epochs drew two lines of one colour with a square on every
    epoch, hiding the dashes that tell them apart, and no legend named them. A long line now shows a few markers
    (its last among them), and lines sharing a colour are named at their ends, stacked, not over each other."""
    runs = [make_run("head_only", "h1"), make_run("head_only", "h2"), make_run("full_ft", "f1")]
    runs[0].config, runs[1].config = {"epochs": 30, "lr": 0.01}, {"epochs": 30, "lr": 0.03}
    pts = [{"run_id": rid, "series": "val_accuracy", "step": e, "x": float(e), "value": 0.6 + d}
           for rid, d in (("h1", 0.01), ("h2", 0.0)) for e in range(1, 31)]
    pts += [{"run_id": "f1", "series": "val_accuracy", "step": 1, "x": 1.0, "value": 0.7}]
    pts += loss_points("h1", 3) + loss_points("h2", 3) + loss_points("f1", 3)
    bare = plots.validation_figure(runs, pts, panels=("val_accuracy",), legend=False)
    lines = [t for t in bare.data if t.name.startswith("head_only")]
    assert len(lines) == 2 and lines[0].line.dash != lines[1].line.dash
    for t in lines:
        sizes = list(t.marker.size)
        assert 2 <= sum(s > 0 for s in sizes) <= 8 and sizes[-1] > 0
    names = {a.text: a for a in bare.layout.annotations if a.showarrow}
    labels = plots.run_labels(runs)
    assert set(names) == {labels["h1"], labels["h2"]}  # full_ft, alone in its colour, is named by the chart above
    high, low = names[labels["h1"]], names[labels["h2"]]
    assert high.ay <= low.ay - 14  # a line apart, the higher end's above (ay grows downwards)
    assert high.x == low.x == 30 and high.xanchor == "right"  # running inwards from the right edge
    assert high.arrowcolor == plots.strategy_color("head_only")
    assert not any(a.showarrow for a in plots.validation_figure(runs, pts, panels=("val_accuracy",)).layout.annotations)


def test_estimate_counts_the_epochs_a_past_run_trained_before_it_stopped_early():
    """A full_ft run on 150 tweets set to 8 epochs stopped after 5 (patience 1) in 45.9 s: counted as 8 epochs of
    work, its speed read 1.5 times what it was, and a 5-epoch run's estimate came out as much too short. A past run
    with patience counts the epochs its optimizer steps say it trained (100 texts at batch 16: 7 steps an epoch)."""
    from bertlab.estimate import past_epochs

    sizes = {"train": 100, "validation": 20, "test": 50}
    stopped = make_run("full_ft", "s1", total_seconds=40.0, steps=35)
    stopped.config = {"epochs": 8, "patience": 1, "batch_size": 16}
    assert past_epochs(stopped) == 5
    assert estimate_seconds([stopped], "full_ft", "minilm", "cpu0", sizes, 5).seconds == pytest.approx(40.0)
    assert estimate_seconds([stopped], "full_ft", "minilm", "cpu0", sizes, 8).seconds == pytest.approx(
        40.0 * (100 * 8 + (20 * 8 + 50) / 3) / (100 * 5 + (20 * 5 + 50) / 3))
    # a run that trained every epoch, or one without patience, counts its epochs as set
    ran_all = make_run("full_ft", "s2", total_seconds=40.0, steps=56)
    ran_all.config = {"epochs": 8, "patience": 1, "batch_size": 16}
    plain = make_run("full_ft", "s3", total_seconds=40.0, steps=35)
    plain.config = {"epochs": 8, "batch_size": 16}
    assert past_epochs(ran_all) == 8 and past_epochs(plain) == 8
    assert estimate_seconds([ran_all], "full_ft", "minilm", "cpu0", sizes, 8).seconds == pytest.approx(40.0)


def test_a_run_that_may_stop_early_is_estimated_and_counted_down_as_the_most_it_takes():
    """Stop early after may end a run before its last epoch: its estimate and its time left count every epoch, the
    most it should take, and say "up to". Only where it can stop sooner (more epochs than patience + 1) and the
    strategy's time grows with its epochs (not head_only's head on cached embeddings, nor tfidf_logreg)."""
    import time
    from types import SimpleNamespace

    from bertlab.cli import live_status
    from bertlab.estimate import Estimate, at_most, may_stop_early, time_left_at_most

    assert may_stop_early("full_ft", 8, 1) and may_stop_early("lora", 3, 1)
    assert not may_stop_early("full_ft", 8, 0) and not may_stop_early("full_ft", 2, 1)
    assert not may_stop_early("head_only", 30, 2) and not may_stop_early("tfidf_logreg", 1, 1)
    est = at_most(Estimate(43.0, "1 past run on this device"), "full_ft", 8, 1)
    assert est.text() == "up to ~43 s" and est.basis.endswith("; all 8 epochs counted: Stop early after (1) may end "
                                                              "it sooner")
    assert at_most(Estimate(43.0, "b"), "full_ft", 8, 0) == Estimate(43.0, "b")
    assert at_most(Estimate(None, "b"), "full_ft", 8, 1).text() == "unknown"
    now = time.time()
    run = SimpleNamespace(status="running", strategy="full_ft", config={"epochs": 8, "patience": 1}, phase="train",
                          progress=0.5, progress_at=now, pace_started=now - 60, phase_started=now - 60,
                          cancel_requested=False, data_summary={}, owner=None)
    assert time_left_at_most(run) and live_status(run).startswith("running 50% (train, up to ~")
    run.phase = "test"  # the test pass after training: no epoch left to skip
    assert not time_left_at_most(run)
    run.phase, run.config = "train", {"epochs": 8, "patience": 0}
    assert live_status(run).startswith("running 50% (train, ~")
    # one wording of the time left (bertlab.estimate.time_left_words) for `runs`, the CLI's progress bar and the app's
    # status lines: each wrote "Estimate(left, '', at_most=time_left_at_most(run)).text()" of its own
    from app_pages.common import time_left_text
    from bertlab.cli import bar_words
    from bertlab.estimate import time_left_words

    t = time.time()  # 43.5 s left as it was reached: '~43 s' for the milliseconds these calls take
    run.config, run.progress_at, run.pace_started = {"epochs": 8, "patience": 1}, t, t - 43.5
    words = time_left_words(run, time.time())
    assert words == "up to ~43 s" and live_status(run) == f"running 50% (train, {words} left)"
    assert bar_words(SimpleNamespace(get=lambda _: run), "r", 0.5, "train", time.time()) == f"train · {words} left"
    assert time_left_text(run) == f" · {words} left"


def test_estimate_counts_a_domain_files_lines_in_the_masked_lm_epochs(tmp_path):
    """A dapt run with a 2,699-line domain file took 129 s where the estimate from a plain dapt run said 10.7 s, and
    the other way round: the masked-LM work is its texts (training texts + the file's lines) x its epochs, for the
    new run (the file's lines, counted before launch) and for past runs (their costs' mlm_texts)."""
    from bertlab.strategies.dapt import domain_lines

    sizes = {"train": 100, "validation": 20, "test": 50}
    plain = make_run("dapt", "d1", total_seconds=39.0, mlm_texts=100)  # work = 100*2 + (20*2 + 50) / 3 + 100 = 330
    with_file = make_run("dapt", "d2", total_seconds=39.0 * 3030 / 330, mlm_texts=100 + 2700)  # work = 230 + 2800
    domain = tmp_path / "domain.txt"
    domain.write_text("a line of domain text\n\n" * 2700)
    n = REGISTRY["dapt"].pretrain_texts({"domain_file": str(domain)}, 100)
    assert n == 2800 and domain_lines(None) == 0 and domain_lines(tmp_path / "none.txt") == 0
    assert REGISTRY["scratch"].pretrain_texts({"domain_file": str(domain)}, 100) == 2800
    assert REGISTRY["full_ft"].pretrain_texts({}, 100) == 100
    # the new run with the file, from a plain past run; the new plain run from a past run with the file
    assert estimate_seconds([plain], "dapt", "minilm", "cpu0", sizes, 2, pretrain_epochs=1,
                            pretrain_texts=n).seconds == pytest.approx(39.0 * 3030 / 330)
    assert estimate_seconds([with_file], "dapt", "minilm", "cpu0", sizes, 2, pretrain_epochs=1,
                            pretrain_texts=100).seconds == pytest.approx(39.0)
    assert estimate_seconds([with_file], "dapt", "minilm", "cpu0", sizes, 2, pretrain_epochs=2,
                            pretrain_texts=n).seconds == pytest.approx(39.0 * 3030 / 330 * (230 + 5600) / 3030)
    # the speed probe's work counts them too
    from bertlab.strategies import make_config

    cfg = make_config("dapt", options={"domain_file": str(domain)})
    step, _ = REGISTRY["dapt"].probe_work(cfg, sizes)
    plain_step, _ = REGISTRY["dapt"].probe_work(make_config("dapt"), sizes)
    assert step - plain_step == 2700


def test_validation_labels_near_the_right_edge_run_left_and_clear_of_other_runs_markers():
    """A review's batch (zero_shot, head_only, full_ft, tfidf_logreg) by % of run: tfidf_logreg's point at 100% was
    labelled "tfid" (its name, bottom right of the point, ran past the chart's edge) and zero_shot's name sat under
    head_only's first markers. A label past the middle runs to the left of its point, and where every place beside
    the point is crowded it moves up or down to an empty place, joined to its point by a line."""
    runs = [make_run("zero_shot", "z"), make_run("head_only", "h"), make_run("full_ft", "f"),
            make_run("tfidf_logreg", "t")]
    runs[1].config, runs[2].config, runs[3].config = {"epochs": 30}, {"epochs": 3}, {"epochs": 1}
    pts = [{"run_id": "z", "series": "val_accuracy", "step": 0, "x": 0.0, "value": 0.64}]
    pts += [{"run_id": "h", "series": "val_accuracy", "step": e, "x": float(e), "value": 0.59 + min(e, 4) * 0.03}
            for e in range(1, 31)]
    pts += [{"run_id": "f", "series": "val_accuracy", "step": e, "x": float(e), "value": 0.62 + e * 0.04}
            for e in (1, 2, 3)]
    pts += [{"run_id": "t", "series": "val_accuracy", "step": 1, "x": 1.0, "value": 0.67}]
    pts += loss_points("h", 3) + loss_points("f", 3)
    fig = plots.validation_figure(runs, pts, height=300, progress=True, panels=("val_accuracy",), legend=False)
    notes = {a.text: a for a in fig.layout.annotations if a.showarrow}
    for name, x in (("tfidf_logreg", 1.0), ("zero_shot", 0.0)):
        (tr,) = [t for t in fig.data if t.name == name]
        if name in notes:  # moved off the crowd: joined by a line, running inwards
            assert notes[name].xanchor == ("right" if x > 0.5 else "left") and tr.text is None
            assert notes[name].ay != 0 and notes[name].arrowcolor == plots.strategy_color(name)
        else:
            assert list(tr.text) == [name] and tr.textposition.endswith("left" if x > 0.5 else "right")
    # zero_shot's place beside its point (below or above, to the right) holds head_only's first marker and its line
    assert "zero_shot" in notes and notes["zero_shot"].ay > 0  # below, where the plot is empty


def test_class_probability_bars_name_their_run_not_by_colour_alone():
    """An accessibility review: under deuteranopia head_only's and tfidf_logreg's bars were one grey, and on a
    greyscale projector all four runs' were. With several runs each bar's text names its run ("head_only 67%"), inside
    a bar of half the axis or more (in a colour that reads on it), never shrunk below 12 px; a lone run's bars keep
    their bare values."""
    import numpy as np

    from bertlab.predict import Prediction

    preds = [Prediction(rid, s, ["neg", "pos"], np.array([[1 - v, v]]), 1.0)
             for rid, s, v in (("a", "head_only", 0.67), ("b", "tfidf_logreg", 0.2))]
    fig = plots.probability_figure(preds)
    assert [list(t.text) for t in fig.data] == [["head_only 33%", "head_only 67%"],
                                                ["tfidf_logreg 80%", "tfidf_logreg 20%"]]
    assert [list(t.textposition) for t in fig.data] == [["outside", "inside"], ["inside", "outside"]]
    assert fig.data[1].insidetextfont.color == plots.text_color_on(plots.strategy_color("tfidf_logreg"))
    assert fig.layout.uniformtext.minsize >= 12 and fig.layout.uniformtext.mode == "show"
    alone = plots.probability_figure(preds[:1])
    assert list(alone.data[0].text) == ["33%", "67%"] and alone.layout.uniformtext.minsize is None


@pytest.mark.parametrize("dark", [False, True])
def test_every_strategy_colour_is_at_least_3_to_1_against_its_themes_background(dark):
    """An accessibility review: lora's sky blue was 2.31:1 and partial_ft's orange 2.25:1 on the light theme's white,
    dapt's purple 2.64:1 on the dark theme's #0E1117, under WCAG's 3:1 for graphics. Each theme has its own shades
    (of the same hues), each keeping its bar text's colour, and the app's charts get the dark ones on the dark theme."""
    for name in REGISTRY:
        colour = plots.strategy_color(name, dark=dark)
        assert _contrast(colour, plots.THEME_BACKGROUNDS[dark]) >= 3, (name, colour)
        assert plots.text_color_on(colour) == plots.text_color_on(plots.strategy_color(name))
    assert len({plots.strategy_color(n, dark=dark) for n in REGISTRY}) == len(REGISTRY)


def test_the_dark_theme_gets_its_strategy_shades_in_every_chart():
    runs = [make_run("dapt", "d1"), make_run("lora", "l1"), make_run("full_ft", "f1")]
    fig = plots.accuracy_figure(runs)
    light = {str(c) for t in fig.data for c in np.ravel([t.marker.color]) if c is not None}
    assert plots.strategy_color("dapt") in light
    dark = plots.for_dark_theme(fig)
    shades = {str(c) for t in dark.data for c in np.ravel([t.marker.color]) if c is not None}
    assert plots.strategy_color("dapt", dark=True) in shades and plots.strategy_color("dapt") not in shades
    assert plots.strategy_color("full_ft") in shades  # the same in both themes
    assert plots.strategy_color("dapt") in light  # the figure itself left as it was (a cached one is shared)


def test_the_apps_charts_take_the_dark_shades_on_the_dark_theme(monkeypatch):
    import streamlit as st

    from app_pages import common

    drawn = []
    monkeypatch.setattr(st, "plotly_chart", lambda fig, **kw: drawn.append(fig))
    fig = plots.accuracy_figure([make_run("dapt", "d1")])
    for dark in (False, True):
        monkeypatch.setattr(common, "dark_theme", lambda dark=dark: dark)
        common.chart(fig)
    assert [tuple(d.data[0].marker.color) for d in drawn] == [
        (plots.strategy_color("dapt"),), (plots.strategy_color("dapt", dark=True),)]
    assert plots.strategy_color("dapt", dark=True) in common.swatch("dapt")


def test_a_legends_title_is_in_the_themes_text_colour():
    """An accessibility review: Learning curves' legend title "strategy (bars: ±1 std over seeds)", the one place
    saying what the error bars are, was Streamlit's chart grey #808495 on white (3.72:1). The app's chart CSS gives a
    legend's title the theme's text colour, as it does the ticks and axis titles."""
    import re

    from app_pages import common

    rule = re.search(r"\.js-plotly-plot :is\(([^)]*(?:\([^)]*\)[^)]*)*)\)\{fill:currentColor!important\}",
                     common.READABLE_CSS)
    assert rule and ".legendtitletext" in rule.group(1).split(",")


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), None])
def test_validation_plots_draw_beside_a_diverged_runs_loss(bad):
    """A diff review: a run whose validation loss diverged (inf; NaN, which the store gives back as None) stopped
    Compare's charts with "cannot convert float NaN to integer" once lone points' labels were placed among the
    other runs' points. The labels are placed among the finite points, and the figure is drawn."""
    runs = [make_run("full_ft", "f1"), make_run("full_ft", "f2"), make_run("zero_shot", "z1")]
    runs[0].config, runs[1].config = {"epochs": 3, "lr": 1e-4}, {"epochs": 3, "lr": 3e-4}  # two settings: ends named
    pts = [{"run_id": rid, "series": "val_loss", "step": e, "x": float(e), "value": v}
           for rid in ("f1", "f2") for e, v in ((1, 0.6), (2, 0.55), (3, bad))]
    pts += [{"run_id": rid, "series": "val_accuracy", "step": e, "x": float(e), "value": 0.7}
            for rid in ("f1", "f2") for e in (1, 2, 3)]
    pts += [{"run_id": "z1", "series": "val_accuracy", "step": 0, "x": 0.0, "value": 0.6},
            {"run_id": "z1", "series": "val_loss", "step": 0, "x": 0.0, "value": 0.7}]
    pts += loss_points("f1", 3) + loss_points("f2", 3)
    for panels in (("val_loss",), ("val_accuracy",)):
        fig = plots.validation_figure(runs, pts, panels=panels, legend=False)
        assert any(tr.name and "zero_shot" in str(tr.text or tr.name) for tr in fig.data) or fig.layout.annotations


def test_class_probability_bars_name_their_run_short():
    """A diff review: the bars carried the whole run label ("head_only (lr 0.001) · 0cd3 55%"), which ran over the
    class names inside a long bar and past the chart's edge beside a short one. A bar names its strategy, and its
    id's end where the strategy answers twice; the legend and the hover keep the whole label."""
    import numpy as np

    from bertlab.predict import Prediction

    preds = [Prediction("r-0cd3", "head_only", ["neg", "pos"], np.array([[0.45, 0.55]]), 1.0),
             Prediction("r-9f1e", "head_only", ["neg", "pos"], np.array([[0.6, 0.4]]), 1.0),
             Prediction("r-77aa", "full_ft", ["neg", "pos"], np.array([[0.1, 0.9]]), 1.0)]
    labels = {"r-0cd3": "head_only (lr 0.001) · 0cd3", "r-9f1e": "head_only (lr 0.03) · 9f1e", "r-77aa": "full_ft"}
    fig = plots.probability_figure(preds, labels)
    assert [list(t.text) for t in fig.data] == [["head_only ·0cd3 45%", "head_only ·0cd3 55%"],
                                                ["head_only ·9f1e 60%", "head_only ·9f1e 40%"],
                                                ["full_ft 10%", "full_ft 90%"]]
    assert [t.name for t in fig.data] == list(labels.values())


def test_the_dark_theme_recolours_a_strategy_colour_written_inside_html_too():
    """A diff review: a confusion matrix's title draws its run's swatch as HTML ("<span style='color:#7F3C8D'>"), which
    for_dark_theme, swapping only strings that are a colour, left in the light shade: dapt's at 2.64:1 on the dark
    background, the failure the dark shades fix. Colours inside a string are swapped too."""
    light, dark = plots.STRATEGY_COLORS["dapt"], plots.STRATEGY_COLORS_DARK["dapt"]
    assert light != dark
    fig = plots.confusion_figure(make_run("dapt", "d1"))
    assert light.lower() in fig.layout.title.text.lower()
    title = plots.for_dark_theme(fig).layout.title.text
    assert dark.lower() in title.lower() and light.lower() not in title.lower()


def test_a_domain_files_count_for_the_estimate_is_the_runs_own(tmp_path):
    """A read-through: the estimate counted a domain file's lines by iterating the file, while the run keeps
    read_domain_texts' lines (splitlines, which also splits at \\u2028 and the like): the two could differ. The
    estimate now counts with the run's own reader."""
    from bertlab.strategies.dapt import domain_lines, read_domain_texts

    f = tmp_path / "d.txt"
    f.write_text("one review\u2028and another\n\nthird one\n", encoding="utf-8")
    assert domain_lines(f) == len(read_domain_texts(str(f))) == 3


def test_charted_default_draws_each_settings_median_seed_best_first_after_the_runs_training_now():
    """Of more runs than CHARTED, the charts draw the runs training now, then each strategy and setting's run of
    median test accuracy (the lower middle of an even count), best first; a failed run is none of them. At most
    CHARTED runs it draws every one."""
    def seeded(strategy, i, acc, status="succeeded"):
        r = make_run(strategy, f"{strategy}-{i}", status=status, acc=acc)
        r.config = {"epochs": 2, "seed": i}
        return r

    head = [seeded("head_only", i, a) for i, a in enumerate((0.70, 0.78, 0.72, 0.76, 0.74, 0.73))]
    full = [seeded("full_ft", i, a) for i, a in enumerate((0.86, 0.80, 0.84, 0.82))]  # even: its 0.82, not 0.84
    zero = [seeded("zero_shot", 0, 0.60)]
    lora = [seeded("lora", 0, 0.0, "running"), seeded("lora", 1, 0.0, "failed")]
    runs = [*head, *full, *zero, *lora]
    assert len(runs) > plots.CHARTED
    drawn = plots.charted_default(runs)
    assert [r.id for r in drawn] == ["lora-0", "full_ft-3", "head_only-5", "zero_shot-0"]
    assert [r.id for r in plots.charted_default(runs, most=2)] == ["lora-0", "full_ft-3"]
    twelve = runs[:plots.CHARTED]
    assert plots.charted_default(twelve) == twelve  # at most CHARTED: every one, in its order


def test_results_frame_gives_the_validation_scores_and_the_training_throughput():
    run = make_run("full_ft", "f1", inference_examples_per_s=900.0)
    run.metrics.update(val_accuracy=0.81, val_macro_f1=0.8, val_loss=0.42)
    df = plots.results_frame([run, make_run("zero_shot", "z1", train_examples_per_s=0.0)])
    assert df.loc[0, "val loss"] == 0.42 and df.loc[0, "val accuracy"] == 0.81 and df.loc[0, "val macro-F1"] == 0.8
    assert df.loc[0, "train examples/s"] == 100.0  # training's, not serving's
    assert np.isnan(df.loc[1, "train examples/s"])  # zero_shot trains nothing: blank, not 0


def test_tradeoff_goes_log_past_a_hundredfold_spread_not_a_tenfold_one():
    def two(small):
        return [make_run("full_ft", "f1", train_seconds=1000.0), make_run("head_only", "h1", train_seconds=small)]

    assert plots.tradeoff_figure(two(50.0), "train_seconds").layout.xaxis.type == "linear"  # 20x
    assert plots.tradeoff_figure(two(5.0), "train_seconds").layout.xaxis.type == "log"  # 200x


def test_a_run_without_a_baseline_does_not_pull_the_baseline_line_to_zero():
    with_base, without = make_run("full_ft", "f1"), make_run("head_only", "h1")
    without.metrics["majority_accuracy"] = None
    fig = plots.accuracy_figure([without, with_base])
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].y0 == 0.55
    assert [t.name for t in fig.data if str(t.name).startswith("majority")] == ["majority baseline 55.0%"]


def test_each_runs_own_baselines_are_drawn_dashed_and_dash_dotted_as_the_words_say():
    """Runs on different test sets: each run's majority accuracy and majority macro-F1 were grey 'line-ew' markers,
    solid both and 1 px apart in width, while the report's caption and the README said a dashed line and a
    dash-dotted one (the chart drew no dash at all): a line of that dash across each bar, and in the legend."""
    runs = [make_run("full_ft", "f1"), make_run("zero_shot", "z1", acc=0.45)]
    for r, few in zip(runs, (12, 30)):
        r.metrics |= {"majority_accuracy": 363 / (363 + few),
                      "per_class": {"abusive": {"support": few}, "ok": {"support": 363}}}
    fig = plots.accuracy_figure(runs, by="macro_f1")
    assert sorted((s.line.dash, round(s.x0 + 0.45)) for s in fig.layout.shapes) == [
        ("dash", 0), ("dash", 1), ("dashdot", 0), ("dashdot", 1)]
    assert all(s.x1 - s.x0 < 1 and s.xref == "x" for s in fig.layout.shapes)  # each across its own bar alone
    legend = {t.name: t.line.dash for t in fig.data if t.showlegend is not False and str(t.name).startswith("majority")}
    assert legend == {"majority baseline (each run's test set)": "dash",
                      "majority macro-F1 (each run's test set)": "dashdot"}
    assert not any(getattr(t.marker, "symbol", None) == "line-ew" for t in fig.data if t.type == "scatter")


def test_the_accuracy_chart_draws_the_majoritys_macro_f1_where_the_page_judges_by_it():
    """A review of comments, 3% abusive: Compare judged by macro-F1 and its caption gave the majority's macro-F1
    (0.492), but the test-score chart drew only the majority's accuracy (96.8%) as a dashed line, the bar every
    diamond cleared; the bar macro-F1 sets was nowhere on it."""
    from bertlab.metrics import majority_macro_f1

    runs = [make_run("full_ft", "f1"), make_run("head_only", "h1")]
    for r in runs:
        r.metrics |= {"majority_accuracy": 363 / 375, "per_class": {"abusive": {"support": 12}, "ok": {"support": 363}}}
    by_acc = plots.accuracy_figure(runs)
    assert [s.y0 for s in by_acc.layout.shapes] == [363 / 375]
    assert not any("macro-F1 0.49" in str(t.name) for t in by_acc.data)
    fig = plots.accuracy_figure(runs, by="macro_f1")
    bar = majority_macro_f1(runs[0].metrics)
    assert round(bar, 3) == 0.492
    assert [(s.y0, s.line.dash) for s in fig.layout.shapes] == [(363 / 375, "dash"), (bar, "dashdot")]
    assert "majority macro-F1 0.492" in [t.name for t in fig.data]
    # runs on different test sets: each run's own, across its bar
    runs[1].metrics["per_class"] = {"abusive": {"support": 30}, "ok": {"support": 345}}
    each = next(t for t in plots.accuracy_figure(runs, by="macro_f1").data
                if t.name == "majority macro-F1 (each run's test set)" and t.x != (None,))  # not the legend's line
    assert list(each.y) == [bar, majority_macro_f1(runs[1].metrics)]


def test_a_cost_chart_says_which_way_is_better():
    runs = [make_run("full_ft", "f1"), make_run("head_only", "h1")]
    assert plots.cost_figure(runs, "train_examples_per_s").layout.yaxis.title.text == "examples/s (higher is better)"
    assert plots.cost_figure(runs, "train_seconds").layout.yaxis.title.text == "s (lower is cheaper)"


def test_per_class_rows_counts_the_runs_on_other_classes_it_leaves_out():
    def with_classes(run, names):
        run.metrics["label_names"] = names
        run.metrics["per_class"] = {n: {"recall": 0.5, "precision": 0.5, "f1": 0.5, "support": 10} for n in names}
        return run

    runs = [with_classes(make_run("full_ft", "f1"), ["neg", "pos"]),
            with_classes(make_run("head_only", "h1"), ["neg", "pos"]),
            with_classes(make_run("lora", "l1"), ["a", "b", "c"])]  # another dataset
    table = plots.per_class_rows(runs)
    assert table.left_out == 1 and [r["run"] for r in table.rows] == ["full_ft", "head_only"]
    assert plots.per_class_rows(runs[:2]).left_out == 0


def test_three_confusion_matrices_a_row_up_to_a_matrix_of_260_px():
    """Two a row only past the ~260 px a third of the page leaves: four classes of 10-letter names (206 px: 4 cells
    of 34 px and 70 px of names) still fit three a row, five topics with 'entertainment' (261 px) do not."""
    four = make_run("full_ft", "f4")
    four.metrics |= {"label_names": ["category_a", "category_b", "category_c", "category_d"],
                     "confusion": np.eye(4, dtype=int).tolist()}
    assert plots.confusion_per_row([four]) == 3



def test_long_class_names_are_counted_as_drawn_cut_when_matrices_are_laid_out_a_row():
    """A matrix's names are drawn cut to CONFUSION_NAME_CHARS (middle_cut), so the row layout counts them so: two
    classes of 47-character names take 2 cells and 24 characters (236 px), three a row, not two as their whole
    length (397 px) would give."""
    two = make_run("full_ft", "f2")
    two.metrics |= {"label_names": ["customer_support_billing_and_payment_enterprise",
                                    "customer_support_billing_and_payment_consumers"],
                    "confusion": np.eye(2, dtype=int).tolist()}
    assert plots.confusion_per_row([two]) == 3

def test_a_confusion_matrix_of_a_few_long_class_names_cuts_them_in_the_middle_keeping_them_apart():
    """Three support-ticket classes of 42-55 characters (seen in Chromium at 1366 px): the names beside the matrix
    took ~300 px of its ~360-px column, the matrix was a ~50-px sliver, the names under it were turned upright and
    cut at the chart's foot, and the second run's title was cut ("tfidf_logre"). Names past CONFUSION_NAME_CHARS are
    cut in the middle (start and end kept, so names sharing a start stay apart); the hover keeps them whole."""
    names = ["customer_support_billing_and_payment_enterprise", "customer_support_billing_and_payment_consumer",
             "account_access_and_password_reset_requests"]
    run = make_run("tfidf_logreg", "r1")
    run.metrics.update(label_names=names, confusion=[[40, 0, 0], [5, 35, 0], [0, 0, 40]])
    fig = plots.confusion_figure(run)
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert list(axis.tickvals) == names  # the cells keep the whole names: the hover shows them
        shown = list(axis.ticktext)  # the old code: no ticktext, every name whole
        assert all(len(t) <= plots.CONFUSION_NAME_CHARS for t in shown) and len(set(shown)) == 3
        assert shown[0].endswith("enterprise") and shown[1].endswith("consumer")
    # the matrix as tall as its cut names need, not its whole ones; two a row (as with bbc_news' five topics)
    assert plots.confusion_height(names) == plots.confusion_height(["x" * plots.CONFUSION_NAME_CHARS] * 3)
    assert plots.confusion_per_row([run, run, run]) == 2
    short = make_run("tfidf_logreg", "r2")  # names that fit are left alone
    assert plots.confusion_figure(short).layout.xaxis.ticktext is None


def test_the_label_distribution_cuts_long_class_names_in_the_middle():
    """The Data page with three 42-55-character class names (an uploaded CSV, seen in Chromium at 1366 px): the names
    were turned upright under the bars, took most of the chart's height (the bars ~30 px high), were cut at its foot
    ('billing_and_payment_questions_fr') and ran into the axis title. Cut in the middle as the confusion matrices do;
    the bars and hover keep the whole names."""
    names = ["account_access_and_password_reset_requests", "billing_and_payment_questions_from_enterprise_customers",
             "technical_support_for_mobile_application_crashes"]
    fig = plots.label_distribution_figure({"train": dict.fromkeys(names, 140), "test": dict.fromkeys(names, 40)})
    assert list(fig.layout.xaxis.tickvals) == names  # the old code: no ticks set, every name whole
    assert list(fig.layout.xaxis.ticktext) == [plots.middle_cut(n) for n in names]
    assert all(len(t) <= plots.CONFUSION_NAME_CHARS for t in fig.layout.xaxis.ticktext)
    assert list(fig.data[0].x) == names
    assert plots.label_distribution_figure({"train": {"neg": 3, "pos": 4}}).layout.xaxis.ticktext is None


def test_class_names_differing_only_in_their_middle_are_cut_apart():
    """'question_about_billing_account' and 'question_about_shipping_account' both read 'question_abo…ing_account'
    cut in the middle at CONFUSION_NAME_CHARS: two rows and two columns of a confusion matrix, and two bars of the
    label distribution, named the same. The cut of names that would read alike is longer, until they differ."""
    names = ["question_about_billing_account", "question_about_shipping_account", "general_feedback"]
    assert plots.middle_cut(names[0]) == plots.middle_cut(names[1])  # the clash
    cuts = plots.middle_cuts(names)
    assert len(set(cuts)) == 3 and cuts[2] == "general_feedback"  # the old code: one cut for both
    assert all("…" in c and len(c) < len(n) for c, n in zip(cuts[:2], names))  # still cut, both
    run = make_run("tfidf_logreg", "r1")
    run.metrics.update(label_names=names, confusion=np.eye(3, dtype=int).tolist())
    fig = plots.confusion_figure(run)
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert list(axis.tickvals) == names and len(set(axis.ticktext)) == 3
    bars = plots.label_distribution_figure({"train": dict.fromkeys(names, 10)})
    assert len(set(bars.layout.xaxis.ticktext)) == 3
    # names apart at the usual cut keep it; a name twice (whole) is no clash to widen forever
    apart = ["customer_complaint_about_late_delivery", "customer_complaint_about_lost_delivery"]
    assert plots.middle_cuts(apart) == [plots.middle_cut(n) for n in apart]
    assert plots.middle_cuts(["same", "same"]) == ["same", "same"]
    assert plots.middle_cuts(["x" * 40, "x" * 40]) == [plots.middle_cut("x" * 40)] * 2


def test_compares_scatter_writes_no_name_above_a_point_near_its_axis_top():
    """bbc_news, five runs at 200 training texts (Compare at 1024 px in projector mode): "tfidf_logreg" at 96.0% and
    "head_only" at 96.5%, under an axis ending at 102%, were written above their markers, over the chart's subtitle
    ("up and left is better"). The placer now knows the axis' range, as Accuracy vs cost's does: both sit below."""
    data = [("tfidf_logreg", 5.2, 0.96), ("zero_shot", 0.0, 0.83), ("head_only", 15.7, 0.965), ("lora", 24.7, 0.72),
            ("partial_ft", 33.3, 0.47)]
    fig = plots.tradeoff_figure([make_run(s, s, acc=a, train_seconds=x) for s, x, a in data], "train_seconds")
    lo, hi = fig.layout.yaxis.range
    assert hi == 1.02 and lo <= 0.47
    written = {t.name: t.textposition for t in fig.data if t.text != ("",)}
    moved = {a.text: a.ay for a in fig.layout.annotations}
    for name in ("tfidf_logreg", "head_only"):
        assert not written.get(name, "").startswith("top") and moved.get(name, 1) > 0, (name, written, moved)


def test_the_tradeoff_chart_draws_macro_f1_where_the_answer_judges_by_it():
    """A persona's comments, 3% abusive: Compare's answer judged by macro-F1 (scratch, 'ok' to every text, 0.492;
    full_ft 0.978) while its trade-off chart under it drew accuracy (96.8% against 99.7%: scratch looked nearly as
    good). by="macro_f1" draws each run's macro-F1, named so; the default is accuracy, as before."""
    runs = [make_run("full_ft", "r1", acc=0.997), make_run("scratch", "r2", acc=0.968, train_seconds=60.0)]
    runs[1].metrics["test_macro_f1"] = 0.492
    fig = plots.tradeoff_figure(runs, "train_seconds", by="macro_f1")
    assert [t.y[0] for t in fig.data if t.mode == "markers+text"] == [runs[0].metrics["test_macro_f1"], 0.492]
    assert fig.layout.title.text.startswith("Macro-F1 vs ") and fig.layout.yaxis.title.text == "test macro-F1"
    assert all("macro-F1" in t.hovertemplate for t in fig.data if t.mode == "markers+text")
    plain = plots.tradeoff_figure(runs, "train_seconds")
    assert [t.y[0] for t in plain.data if t.mode == "markers+text"] == [0.997, 0.968]
    assert plain.layout.title.text.startswith("Accuracy vs ") and plain.layout.yaxis.title.text == "test accuracy (%)"
