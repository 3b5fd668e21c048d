"""What the app shows for the newer library data (accuracy intervals, keep_best) and the browser audit's
polish: only relevant hyperparameters, one FLOPs format, original upload names, empty inputs that say so."""

from __future__ import annotations

import math
from dataclasses import asdict

from streamlit.proto.Metric_pb2 import Metric as MetricProto
from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from bertlab import memory, plots
from bertlab.config import DataConfig, upload_display_name
from bertlab.metrics import format_interval, wilson_interval
from bertlab.pareto import format_cost, format_flops
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, Run, RunStore
from bertlab.strategies import REGISTRY, make_config


def finished(store: RunStore, cfg, batch: str = "b1") -> Run:
    rid = store.create_run(cfg, batch_id=batch)
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    return store.get(rid)


def old_run(acc: float = 0.8, n_test: int = 50) -> Run:
    """A run stored before metrics held test_accuracy_ci95."""
    return Run(id="old-1", batch_id="b", created=1.0, status="succeeded", strategy="full_ft", dataset="d",
               model="minilm", config={}, metrics={"test_accuracy": acc, "test_macro_f1": acc, "majority_accuracy": 0.5,
                                                   "confusion": [[20, 5], [5, 20]], "label_names": ["a", "b"]},
               costs={"train_seconds": 1.0, "train_flops": 1.76e11, "trainable_params": 10},
               data_summary={"sizes": {"train": 100, "validation": 20, "test": n_test}})


# --- 1a: accuracy intervals ---------------------------------------------------------------------------------
def test_compare_shows_the_95_percent_interval_in_status_lines_and_table(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    runs = [finished(store, make_config("tfidf_logreg", data=tiny_data, seed=s)) for s in (0, 1)]
    at = app_on("app_pages/compare.py")
    no_problems(at)
    lines = [m.value for m in at.markdown if "test accuracy **" in m.value]
    assert len(lines) == 2
    for r in runs:
        ci = format_interval(tuple(r.metrics["test_accuracy_ci95"]))
        assert sum(f"**{r.metrics['test_accuracy']:.1%}** (95%: {ci})" in line for line in lines) >= 1
    table = at.dataframe[0].value
    assert set(table["95% interval"]) == {format_interval(tuple(r.metrics["test_accuracy_ci95"])) for r in runs}
    assert table["test accuracy"].between(0, 100).all()  # percent points, shown with one decimal
    assert any("overlap" in c.value and "chance" in c.value for c in at.caption)


def test_runs_stored_without_an_interval_get_one_from_their_test_size():
    run = old_run(acc=0.8, n_test=50)
    assert plots.accuracy_interval(run) == wilson_interval(40, 50)
    assert plots.results_frame([run]).loc[0, "95% interval"] == format_interval(wilson_interval(40, 50))
    no_size = old_run()
    no_size.data_summary = {}
    assert plots.accuracy_interval(no_size) is None


def test_accuracy_chart_draws_the_interval_as_error_bars():
    run = old_run(acc=0.8, n_test=50)
    lo, hi = wilson_interval(40, 50)
    bar = plots.accuracy_figure([run]).data[0]
    assert bar.error_y.visible and abs(bar.error_y.array[0] - (hi - 0.8)) < 1e-9
    assert abs(bar.error_y.arrayminus[0] - (0.8 - lo)) < 1e-9
    # the value label sits at the bar's foot, clear of the macro-F1 diamond and the interval drawn at its top
    assert bar.text == ("80.0%",) and bar.textposition == "inside" and bar.insidetextanchor == "start"


# --- 1b: keep_best ------------------------------------------------------------------------------------------
def test_keep_best_checkbox_only_for_epoch_strategies_and_it_reaches_the_queued_config(tiny_model, tiny_data,
                                                                                        bertlab_home):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(list(REGISTRY)).run()
    no_problems(at)
    boxes = {c.key for c in at.checkbox}
    for name, s in REGISTRY.items():
        assert (f"keep_hp_{name}_keep_best" in boxes) == s.uses_epochs, name
    at.multiselect(key="keep_strategies").set_value(["head_only"]).run()
    box = at.checkbox(key="keep_hp_head_only_keep_best")
    assert box.value is False and "validation loss" in box.label
    box.check().run()
    at.number_input(key="keep_hp_head_only_patience").set_value(4).run()
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(at)
    store = RunStore(bertlab_home)
    run = store.list_runs()[0]
    assert run.strategy == "head_only" and run.config["keep_best"] is True and run.config["patience"] == 4
    store.request_cancel(run.id)


# --- 2: polish -----------------------------------------------------------------------------------------------
def test_train_page_shows_only_the_hyperparameters_a_strategy_uses(tiny_data):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "tfidf_logreg", "full_ft"]).run()
    no_problems(at)
    keys = {n.key for n in at.number_input}
    for f in ("epochs", "batch_size", "learning_rate", "max_length", "seed"):
        assert f"keep_hp_full_ft_{f}" in keys
    assert {k for k in keys if k.startswith("keep_hp_zero_shot_")} == {"keep_hp_zero_shot_batch_size",
                                                                      "keep_hp_zero_shot_max_length"}
    assert {k for k in keys if k.startswith("keep_hp_tfidf_logreg_")} == set()  # no seed: its fit is deterministic


def test_tfidf_logreg_shows_no_seed_field_but_says_why(tiny_data):
    """tfidf_logreg's lbfgs fit draws nothing at random (uses_seed False, the run stores seed null): the page had a
    "Seed" field "of the fit" that changed nothing; now a caption says the fit is deterministic."""
    assert not REGISTRY["tfidf_logreg"].uses_seed
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()
    no_problems(at)
    assert not [n for n in at.number_input if n.label == "Seed"]
    assert any("No seed: the fit is deterministic" in c.value for c in at.caption)


def test_flops_read_the_same_everywhere():
    assert format_flops(1.76e11) == "176 GFLOP" and format_flops(3.8e13) == "38.0 TFLOP"
    assert format_flops(999.6e9) == "1.00 TFLOP" and format_flops(0) == "0 FLOP" and format_flops(None) == "-"
    assert format_cost(2.5e9, "train_flops") == "2.50 GFLOP"
    assert format_cost(0.0, "train_money") == "$0" and format_cost(3e-5, "train_money") == "<$0.0001"
    assert format_cost(0.0123, "train_money") == "$0.0123" and format_cost(1234.5, "train_money") == "$1,234.50"
    fig = plots.cost_figure([old_run()], "train_flops")
    assert list(fig.data[0].text) == ["176 GFLOP"]


def test_compare_table_formats_flops_and_throughput_of_a_run_that_trains_nothing(tiny_model, tiny_data,
                                                                                  bertlab_home):
    store = RunStore(bertlab_home)
    finished(store, make_config("zero_shot", model=tiny_model, data=tiny_data, max_length=32))
    finished(store, make_config("tfidf_logreg", data=tiny_data))
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = at.dataframe[0].value.set_index("run")
    assert table.loc["zero_shot", "train examples/s"] == "n/a"
    assert table.loc["tfidf_logreg", "train examples/s"].replace(",", "").isdigit()
    assert all(str(v).endswith("FLOP") for v in table["train FLOPs"])


def test_uploaded_files_show_their_own_name_not_the_storage_hash(tiny_csv, bertlab_home):
    from bertlab.data import save_upload

    path = save_upload(tiny_csv.read_bytes(), "my reviews.csv")
    assert path.name != "my_reviews.csv" and upload_display_name(str(path)) == "my_reviews.csv"
    assert DataConfig(source="file", name=str(path)).label == "my_reviews.csv"
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(DataConfig(source="file", name=str(path)))})
    no_problems(at)
    data_line = next(m.value for m in at.markdown if m.value.startswith("**Data:**"))
    assert "`my_reviews.csv`" in data_line and path.name not in data_line


def test_playground_predict_on_an_empty_box_asks_for_a_text(tiny_data, bertlab_home):
    finished(RunStore(bertlab_home), make_config("tfidf_logreg", data=tiny_data))
    at = app_on("app_pages/playground.py")
    no_problems(at)
    assert not at.warning
    at.text_area(key="pg_box_text").set_value("   ").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert any("Type a text" in w.value for w in at.warning)
    assert not at.metric  # nothing predicted


def test_strategy_card_share_of_weights_has_no_arrow(tiny_model):
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "zero_shot"})
    no_problems(at)
    m = at.metric[0]
    assert m.value == "0" and m.proto.direction == MetricProto.MetricDirection.NONE
    assert m.proto.delta.startswith("0.0% of")


def test_learning_curves_page_refuses_an_empty_model(tiny_csv, bertlab_home):
    data = DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=10, test_size=16)
    at = app_on("app_pages/sweep.py", {"keep_data_config": data.__dict__})
    at.multiselect(key="keep_sw_strategies").set_value(["tfidf_logreg"])
    at.text_input(key="keep_sw_model").set_value("  ")
    at.button[0].click().run()
    assert any("the model is empty" in e.value for e in at.error)
    assert RunStore(bertlab_home).list_runs() == [] and not at.success


# --- 3: layout ------------------------------------------------------------------------------------------------
def test_scatter_labels_of_nearby_points_go_to_different_sides():
    pos = plots.label_positions([0.0, 0.3, 30.0], [0.697, 0.697, 0.717], ["zero_shot", "head_only", "full_ft"])
    assert pos[0] != pos[1] and pos[2] == "top left"  # at the right edge: running left from the point
    # At the left edge a label runs right (centred, it ran over the y axis' tick labels); centred between them.
    assert plots.label_positions([1.0, 50.0, 100.0], [0.7, 0.7, 0.7], ["a", "b", "c"]) == [
        "top right", "top center", "top left"]
    assert plots.label_positions([], [], []) == []


def test_a_scatter_label_moved_off_its_place_stays_nearest_its_own_marker_or_joined_to_it():
    """Accuracy vs training time: head_only (4.98 s, 95.0%) and tfidf_logreg (5.27 s, 95.7%) close together, its
    places above and below taken, "head_only" was written to the right of its marker, beside tfidf_logreg's grey
    one, and read as its name. A label now goes where its own marker is the nearest, else further out on a line
    back to it."""
    xs, ys = [4.98, 5.27, 118.28, 133.19, 3.44], [0.95, 0.957, 0.549, 0.737, 0.923]
    names = ["head_only", "tfidf_logreg", "zero_shot", "full_ft", "lora"]
    places = plots.label_places(xs, ys, names)
    sx, sy = 560 / (max(xs) - min(xs)), 300 / (max(ys) - min(ys))  # the placer's frame (its default size)
    pts = [((x - min(xs)) * sx, (y - min(ys)) * sy) for x, y in zip(xs, ys)]
    for i, (name, place) in enumerate(zip(names, places)):
        if not isinstance(place, str):
            continue  # moved further out: drawn with a line back to its own marker
        (px, py), w, h = pts[i], plots.CHAR_PX * len(name) + 4, 20.0
        vert, horiz = place.split()
        x0 = {"center": px - w / 2, "right": px + (10 if vert == "middle" else 0),
              "left": px - w - (10 if vert == "middle" else 0)}[horiz]
        y0 = {"top": py + 10, "bottom": py - 10 - h, "middle": py - h / 2}[vert]
        gap = [math.hypot(max(x0 - qx, 0, qx - x0 - w), max(y0 - qy, 0, qy - y0 - h)) for qx, qy in pts]
        assert min(range(len(pts)), key=gap.__getitem__) == i, (name, place, gap)
    assert not isinstance(places[0], str)  # head_only: nowhere beside its marker is nearest it; on a line
    from tests.test_app_plots import make_run

    fig = plots.tradeoff_figure([make_run(s, s[0], acc=y, train_seconds=x) for s, x, y in zip(names, xs, ys)])
    (note,) = [a for a in fig.layout.annotations if a.text == "head_only"]
    assert note.showarrow and note.x == 4.98 and note.y == 0.95  # its line ends at its own marker


def test_scatter_labels_of_a_cluster_of_runs_move_further_out_on_lines_to_their_markers():
    """Five head_only runs at five learning rates, about one cost and accuracy (their embeddings cached): beside
    the markers there are four places, so names were written over each other. The rest now stack further up or
    down, every name once, none over another, with a line back to its marker."""
    xs, ys = [0.4, 0.50, 0.51, 0.52, 0.53, 0.54, 120.0], [0.726, 0.722, 0.720, 0.719, 0.721, 0.718, 0.80]
    names = ["zero_shot"] + [f"head_only (lr {lr})" for lr in ("0.01", "0.003", "0.03", "0.1", "0.001")] + ["full_ft"]
    places = plots.label_places(xs, ys, names, log_x=True)
    near = plots.label_positions(xs, ys, names, log_x=True)[1:6]
    assert len(set(near)) < len(near)  # beside the markers alone (what was drawn before), two names share a place
    moved = [p for p in places if not isinstance(p, str)]
    assert moved and all(ax == ax and abs(ay) > 20 for ax, ay in moved)
    # The labels' boxes in the placer's own pixel frame overlap nowhere.
    fx = [math.log10(v) for v in xs]
    sx, sy = 700 / (max(fx) - min(fx)), 300 / (max(ys) - min(ys))
    boxes = []
    for x, y, name, place in zip(fx, ys, names, places):
        px, py, w, h = (x - min(fx)) * sx, (y - min(ys)) * sy, 7.0 * len(name) + 4, 16.0
        if isinstance(place, str):
            vert, horiz = place.split()
            x0 = {"center": px - w / 2, "right": px + (10 if vert == "middle" else 0),
                  "left": px - w - (10 if vert == "middle" else 0)}[horiz]
            y0 = {"top": py + 10, "bottom": py - 10 - h, "middle": py - h / 2}[vert]
        else:
            x0, y0 = px + place[0] - w / 2, py - place[1] - h / 2
        boxes.append((x0, y0, x0 + w, y0 + h))
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # In the chart: the moved names are annotations with a line, their markers carry no text of their own.
    from tests.test_app_plots import make_run
    runs = [make_run("zero_shot", "z", acc=ys[0], train_seconds=xs[0])]
    for k, (x, y) in enumerate(zip(xs[1:6], ys[1:6])):
        runs.append(make_run("head_only", f"h{k}", acc=y, train_seconds=x))
        runs[-1].config["learning_rate"] = float(names[k + 1].split()[-1].rstrip(")"))
    runs.append(make_run("full_ft", "f", acc=ys[6], train_seconds=xs[6]))
    fig = plots.tradeoff_figure(runs, "train_seconds")
    shown = [t.text[0] for t in fig.data if t.text[0]] + [a.text for a in fig.layout.annotations]
    assert sorted(shown) == sorted(names)
    assert fig.layout.annotations and all(a.showarrow for a in fig.layout.annotations)
    assert all(abs(a.x - math.log10(x)) < 1e-9 for a in fig.layout.annotations
               for x in [xs[names.index(a.text)]])  # on a log axis, annotations sit at log10(x)


# --- user text shown where Streamlit renders Markdown ------------------------------------------------------------
MARKDOWN_TRAPS = ["a $5 ticket and $10 popcorn", "*so* _bad_ it's **good**", "1. not a list", ":red[alarm] # no",
                  "[link](http://x) `code` <b>bold</b> \\ back", "pos_*"]


def test_md_shows_user_text_as_typed_under_commonmark():
    import html
    import re

    from markdown_it import MarkdownIt

    from app_pages.common import md

    parser = MarkdownIt("commonmark")
    for s in MARKDOWN_TRAPS:
        rendered = parser.render(md(s)).strip()
        assert rendered.startswith("<p>") and "<em>" not in rendered and "<a " not in rendered, rendered
        assert html.unescape(re.sub(r"</?p>", "", rendered)) == s
        # and Streamlit's own directives ($...$ LaTeX, :color[...]) see no bare marker
        assert not re.search(r"(?<!\\)[$:*_`\[]", md(s))


def test_md_shows_html_entities_as_typed_not_decoded():
    """A review holding '&amp; phone' or '&lt;b&gt;' (scraped text) showed as '& phone' and '<b>' on its
    Playground example button: the text shown was not the text the model got."""
    import html
    import re

    from markdown_it import MarkdownIt

    from app_pages.common import md
    from app_pages.inference_box import example_label

    parser = MarkdownIt("commonmark")
    for s in ["case &amp; phone", "&lt;b&gt;bold&lt;/b&gt; &#39;x&#39; &copy;", "AT&T & co"]:
        rendered = re.sub(r"</?p>", "", parser.render(md(example_label(s, False))).strip())
        assert html.unescape(rendered) == s


def test_the_playground_word_cards_show_labels_with_entities_as_typed():
    """"Which words decided it?" shows each run's answer inside inline HTML (inference_box._shown: html.escape, then
    Markdown-escaping). Once md escaped '&' too, the entities html.escape writes showed themselves: a label 'Arts &
    Culture' read 'Arts &amp; Culture' on the card (a diff review)."""
    import html
    import re

    from markdown_it import MarkdownIt

    from app_pages.inference_box import _shown

    parser = MarkdownIt("commonmark").enable("html_inline")
    for s in ["Arts & Culture", "<b>x</b> & y", "case &amp; phone", "a_b *c* $5"]:
        rendered = re.sub(r"</?p>", "", parser.render(f"<b>{_shown(s)}</b>").strip())
        assert rendered.startswith("<b>") and rendered.endswith("</b>"), rendered
        assert html.unescape(rendered[3:-4]) == s, rendered


def test_playground_examples_and_predictions_are_escaped(tmp_path, bertlab_home):
    import pandas as pd

    from app_pages.common import md

    texts, labels = [], []
    for i in range(30):  # separable: "$" reviews are one class
        texts += [f"a $5 ticket and ${i} popcorn, *awful* #{i}", f"wonderful lovely film number {i}"]
        labels += ["bad_*", "good"]
    csv = tmp_path / "dollars.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(csv, index=False)
    data = DataConfig(source="file", name=str(csv), train_size=None, val_size=None, test_size=None)
    finished(RunStore(bertlab_home), make_config("tfidf_logreg", data=data))
    at = app_on("app_pages/playground.py")
    no_problems(at)
    dollar = next(b for b in at.button if "\\$5" in b.label)
    assert "$5" not in dollar.label.replace("\\$", "")  # every $ escaped
    full = next(t for t in texts if md(t) == dollar.label)  # short enough to be the label itself
    # the tooltip still holds the whole text (a narrow button clips even a short label) and the true label
    assert dollar.help == f"{md(full)}\n\ntrue label: {md('bad_*')}"
    dollar.click().run()
    assert at.text_area(key="pg_box_text").value.startswith("a $5 ticket")  # the box gets the raw text
    next(b for b in at.button if b.label == "Predict").click().run()
    no_problems(at)
    assert [m.value for m in at.metric] == [md("bad_*")]


def test_compare_escapes_the_reason_of_a_stopped_run(tiny_data, bertlab_home):
    """A cancelled run's status line shows its reason as typed, like a failed run's error."""
    from app_pages.common import md

    store = RunStore(bertlab_home)
    done = finished(store, make_config("tfidf_logreg", data=tiny_data))
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=1), batch_id=done.batch_id)
    reason = "stopped at $5 and $10, *now*"
    store.finish(rid, "cancelled", error=reason)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    lines = [c.value for c in at.caption if "cancelled:" in c.value]
    assert lines == [f":material/stop_circle: cancelled: {md(reason)}"]


def test_compare_flags_a_run_that_answers_one_class_to_everything(tiny_data, bertlab_home):
    """A run that learned nothing (scratch on little data) says so on its status line, not only in its notes."""
    store = RunStore(bertlab_home)
    done = finished(store, make_config("tfidf_logreg", data=tiny_data))
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=1), batch_id=done.batch_id)
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.5, "test_macro_f1": 0.33, "majority_accuracy": 0.5,
                                          "confusion": [[5, 0], [5, 0]], "label_names": ["neg", "pos"]},
                 costs={"total_seconds": 2.0})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    flags = [w.value for w in at.warning if "to every test text" in w.value]
    assert flags == ["Answers 'neg' to every test text: it learned nothing beyond always giving one answer (see the notes)."]
    # the number and its unit kept on one line (at 1024 px in projector mode "9.2" ended a line, "s in all" under it)
    assert any(m.value.endswith("· whole run 2.0\u00a0s") for m in at.markdown if "test accuracy **" in m.value)


def test_compare_shows_notes_every_run_shares_once(tiny_data, bertlab_home):
    """What cleaning did to the data is the same for every run: said once, so each run's own notes stand out."""
    store = RunStore(bertlab_home)
    a = finished(store, make_config("tfidf_logreg", data=tiny_data))
    b = finished(store, make_config("tfidf_logreg", data=tiny_data, seed=1))
    store.update(a.id, notes=["dropped 3 duplicate texts", "kept the weights of epoch 2"])
    store.update(b.id, notes=["dropped 3 duplicate texts"])
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert [e.label for e in at.expander if "on this run" in e.label] == ["1 note on this run"]
    assert any(c.value == "Every run: dropped 3 duplicate texts" for c in at.caption)


def test_compare_status_lines_say_which_seed_and_size_a_repeated_strategy_ran(tiny_model, tiny_data,
                                                                             bertlab_home):
    from dataclasses import replace

    store = RunStore(bertlab_home)
    for seed, n in ((0, 8), (1, 8), (0, 16)):
        finished(store, make_config("head_only", model=tiny_model, data=replace(tiny_data, train_size=n), seed=seed,
                                    max_length=32))
    # tfidf_logreg: no seed changes what it does, so its line names no seed
    finished(store, make_config("tfidf_logreg", data=replace(tiny_data, train_size=8), seed=3))
    at = app_on("app_pages/compare.py")
    no_problems(at)

    def lines(strategy):
        titles = [m.value for m in at.markdown if f"■</span> <b>{strategy}</b>" in m.value]
        return sorted(t.split("<br>")[1].split(">")[1].split("<")[0] for t in titles)

    assert lines("head_only") == ["n=16 · seed 0", "n=8 · seed 0", "n=8 · seed 1"]
    assert lines("tfidf_logreg") == ["n=8"]


def test_phase_time_left_is_the_pace_so_far_and_silent_while_too_early():
    from bertlab.estimate import phase_time_left

    assert phase_time_left(0.25, 1000.0, 1060.0) == 180.0  # a quarter in a minute: three more minutes
    assert phase_time_left(0.02, 1000.0, 1030.0) is None  # under 5% done, half a minute in: warm-up would mislead
    assert phase_time_left(0.02, 1000.0, 1120.0) == 5880.0  # two minutes in: a long run's pace is worth saying
    assert phase_time_left(0.5, 1000.0, 1003.0) is None  # under 5 s in
    assert phase_time_left(0.5, None, 1060.0) is None  # a run stored before phases recorded their start
    assert phase_time_left(1.0, 1000.0, 1060.0) is None


def test_phase_time_left_counts_down_from_when_its_progress_was_reached():
    from bertlab.estimate import phase_time_left

    # a quarter done a minute in, 10 s ago: three minutes then, 170 s now (the pace from now had said 210 s,
    # growing every second until the next step)
    assert phase_time_left(0.25, 1000.0, 1070.0, progress_at=1060.0) == 170.0
    assert phase_time_left(0.25, 1000.0, 1080.0, progress_at=1060.0) == 160.0
    assert phase_time_left(0.25, 1000.0, 1250.0, progress_at=1060.0) is None  # past the pace: no "~1 s" that stays
    assert phase_time_left(0.25, 1000.0, 1060.0, progress_at=None) == 180.0  # a run stored before it was recorded
    assert phase_time_left(0.25, 1000.0, 1060.0, progress_at=990.0) == 180.0  # a time from before this phase
    assert phase_time_left(0.02, 1000.0, 1030.0, progress_at=1020.0) is None  # still too early to tell


def test_a_fine_tuning_runs_time_left_in_training_includes_its_test_pass():
    """lora's status line said ~1 s left at 96% of training, then its test pass took 12 s: the test texts' forward
    passes, priced at the training phase's pace so far, are added."""
    import pytest

    from bertlab.estimate import run_time_left
    from bertlab.store import Run

    def running(strategy: str, phase: str = "train", sizes: dict | None = None) -> Run:
        return Run(id="r", batch_id="b", created=0.0, status="running", strategy=strategy, dataset="d", model="m",
                   config={"epochs": 2}, progress=0.5, phase=phase, pace_started=1000.0, progress_at=1100.0,
                   data_summary={"sizes": {"train": 100, "validation": 30, "test": 300} if sizes is None else sizes})

    # half of 200 training texts and 60 validation texts (forward passes: 20 training texts' worth) in 100 s:
    # 220 texts' worth in 200 s; the 300 test texts are 100 texts' worth: 200 / 220 x 100 s
    assert run_time_left(running("lora"), 1110.0) == pytest.approx(90.0 + 200 / 220 * 100)
    assert run_time_left(running("full_ft", "test"), 1110.0) == pytest.approx(90.0)  # the test pass itself
    assert run_time_left(running("head_only"), 1110.0) == pytest.approx(90.0)  # its test texts are embedded first
    assert run_time_left(running("tfidf_logreg"), 1110.0) == pytest.approx(90.0)
    assert run_time_left(running("lora", sizes={}), 1110.0) == pytest.approx(90.0)  # sizes not recorded yet


def _clocked_run(tmp_path, monkeypatch):
    """A tfidf_logreg run's store callbacks under a clock the test moves (``clock[0]``, from 1000 s), flushing every
    step, its 8-step phase begun: (clock, store, run id, callbacks)."""
    from bertlab import runner
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    clock = [1000.0]
    monkeypatch.setattr(runner.time, "time", lambda: clock[0])
    store = RunStore(tmp_path)
    rid = store.create_run(make_config("tfidf_logreg"))
    cb = runner.StoreCallbacks(store, rid)
    cb.FLUSH_S = 0.0
    cb.on_start(8)
    return clock, store, rid, cb


def test_a_few_step_runs_first_time_left_leaves_out_its_first_steps_warm_up(tmp_path, monkeypatch):
    """A --quick full_ft of 8 steps (batch size 64, 1 epoch): its first step took 17.4 s, the next six ~4.6 s each,
    and the first time left read 162 s where 73 s were (the first step's warm-up counted as the pace of all).
    The pace is now that of the steps after the first: nothing said after the first step, then the phase's start
    as the time left reads it moves later by what the first step took beyond them."""
    import pytest

    from bertlab.estimate import run_time_left

    clock, store, rid, cb = _clocked_run(tmp_path, monkeypatch)
    clock[0] += 17.0  # the first step: 17 s, warm-up included
    cb.on_step(1, 0.125, 0.7, 1e-4)
    assert store.get(rid).pace_started is None and run_time_left(store.get(rid), clock[0]) is None  # too early
    clock[0] += 4.0  # the second: 4 s
    cb.on_step(2, 0.25, 0.6, 1e-4)
    run = store.get(rid)
    assert run.pace_started == pytest.approx(1013.0) and run.progress_at == pytest.approx(1021.0)
    assert run_time_left(run, clock[0]) == pytest.approx(6 * 4.0)  # 6 steps of 4 s (the old code: 63 s)
    for step in range(3, 8):
        clock[0] += 4.0
        cb.on_step(step, step / 8, 0.5, 1e-4)
    assert run_time_left(store.get(rid), clock[0]) == pytest.approx(4.0)
    clock[0] += 1.0  # a first step faster than the rest: the phase's start as it was, never before it
    cb.on_start(4, phase="test")
    clock[0] += 1.0
    cb.on_step(1, 0.25, float("nan"), 0.0, phase="test")
    clock[0] += 3.0
    cb.on_step(2, 0.5, float("nan"), 0.0, phase="test")
    assert store.get(rid).pace_started == pytest.approx(1042.0)  # when the test phase began


def test_a_runs_stored_phase_start_is_when_its_phase_began_beside_the_start_its_time_left_reads(tmp_path, capsys,
                                                                                                  monkeypatch):
    """Since the time left left out the first step's warm-up, the stored ``phase_started`` was the start the estimate
    reads: empty between steps 1 and 2 (`show` printed "phase_started: None" of a run 17 s into training), then 13 s
    after the phase began. A script reading it got an empty or a wrong time. It is when the phase began again; the
    estimate's start is ``pace_started``, shown beside it."""
    import json
    import time

    import pytest

    from bertlab.cli import main

    monkeypatch.setenv("BERTLAB_HOME", str(tmp_path))
    clock, store, rid, cb = _clocked_run(tmp_path, monkeypatch)
    clock[0] += 17.0
    cb.on_step(1, 0.125, 0.7, 1e-4)
    run = store.get(rid)
    assert (run.phase_started, run.pace_started) == (1000.0, None)  # the old code: None, None
    clock[0] += 4.0
    cb.on_step(2, 0.25, 0.6, 1e-4)
    run = store.get(rid)
    assert run.phase_started == 1000.0 and run.pace_started == pytest.approx(1013.0)  # the old code: 1013, none
    clock[0] += 1.0
    cb.on_start(4, phase="test")
    assert store.get(rid).phase_started == 1022.0
    capsys.readouterr()
    assert main(["show", "--json", rid]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["phase_started"], record["pace_started"]) == (1022.0, 1022.0)
    assert main(["show", rid]) == 0  # both said as times, as the run's other times are
    lines = capsys.readouterr().out.splitlines()
    for k in ("phase_started", "pace_started"):
        (line,) = [x for x in lines if x.startswith(f"{k}: ")]
        assert line == f"{k}: {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(1022.0))}"


def test_each_phase_leaves_out_its_own_first_steps_warm_up_and_a_one_step_phase_keeps_its_start(tmp_path,
                                                                                                  monkeypatch):
    """Mutation round 7: the first step whose warm-up is left out is the phase's own (dapt's mlm phase, then its
    train phase: the train phase's time left was worked out from the mlm phase's first step), and a phase done in
    one step keeps when it began (its first step is its last: nothing after it to read a pace from)."""
    import pytest

    from bertlab import runner
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    clock = [1000.0]
    monkeypatch.setattr(runner.time, "time", lambda: clock[0])
    store = RunStore(tmp_path)
    rid = store.create_run(make_config("dapt"))
    cb = runner.StoreCallbacks(store, rid)
    cb.FLUSH_S = 0.0
    cb.on_start(4, phase="mlm")
    for step, took in enumerate((17.0, 4.0, 4.0, 4.0), start=1):
        clock[0] += took
        cb.on_step(step, step / 4, 2.0, 1e-4, phase="mlm")
    # pace_started is the phase's start as its time left reads it (phase_started, since 89c773b, when it began)
    run = store.get(rid)
    assert run.pace_started == pytest.approx(1013.0) and run.phase_started == pytest.approx(1000.0)
    clock[0] += 1.0  # 1030: the train phase begins
    cb.on_start(8)
    clock[0] += 17.0
    cb.on_step(1, 0.125, 0.7, 1e-4)
    run = store.get(rid)
    assert run.pace_started is None and run.phase_started == pytest.approx(1030.0)  # too early: its own first step
    clock[0] += 4.0
    cb.on_step(2, 0.25, 0.6, 1e-4)
    assert store.get(rid).pace_started == pytest.approx(1043.0)  # 1047 less its second step's 4 s
    clock[0] += 1.0  # 1052: a test phase of one step
    cb.on_start(1, phase="test")
    clock[0] += 3.0
    cb.on_step(1, 1.0, float("nan"), 0.0, phase="test")
    run = store.get(rid)
    assert run.pace_started == run.phase_started == pytest.approx(1052.0) and run.progress == 1.0


def test_runs_record_when_their_phase_began(tiny_model, tiny_data, bertlab_home):
    import time

    store = RunStore(bertlab_home)
    t0 = time.time()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    assert t0 <= run.phase_started <= run.progress_at <= time.time()


def test_compare_says_how_long_a_running_phase_has_left(tiny_data, bertlab_home):
    import socket
    import subprocess
    import sys
    import time

    import psutil

    store = RunStore(bertlab_home)
    at = app_on("app_pages/compare.py")
    ids = [store.create_run(make_config(s, data=tiny_data), "b1") for s in ("full_ft", "dapt")]
    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # the process "training" them
    try:
        owner = f"{socket.gethostname()}:{cli.pid}:{psutil.Process(cli.pid).create_time():.0f}"
        for rid, phase in zip(ids, ("train", "mlm")):
            store.claim(rid, "cpu")
            store.update(rid, progress=0.5, phase=phase, owner=owner, pace_started=time.time() - 600)
        at.run()
        no_problems(at)
        bars = [p.proto.text for p in at.get("progress")]
        assert "train · 50% · ~10 min left" in bars, bars
        assert "mlm · 50% · ~10 min left of masked-LM training, then fine-tuning" in bars, bars
        store.update(ids[0], progress=0.01, pace_started=time.time() - 20)  # too early to tell: no guess
        at.run()
        assert "train · 1%" in [p.proto.text for p in at.get("progress")]
        store.update(ids[0], progress=0.01, pace_started=time.time() - 600)  # 1% in ten minutes: a long run
        at.run()
        assert any(p.proto.text.startswith("train · 1% · ~16") for p in at.get("progress"))  # ~16.5 h left
        # half done ten minutes in, a minute ago: nine minutes left, not the eleven its pace from now would say
        now = time.time()
        store.update(ids[0], progress=0.5, pace_started=now - 660, progress_at=now - 60)
        at.run()
        assert "train · 50% · ~9 min left" in [p.proto.text for p in at.get("progress")]
    finally:  # its runs ended before it is: gone, it leaves them to this test's manager to adopt and train
        for rid in ids:
            store.finish(rid, "succeeded")
        cli.kill()
        cli.wait()


def test_the_inference_box_marks_a_run_that_answers_one_class_to_everything(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    ids = []
    for seed in range(2):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED
        ids.append(rid)
    run = store.get(ids[1])
    n = len(run.metrics["confusion"])
    store.update(ids[1], metrics={**run.metrics, "confusion": [[5] + [0] * (n - 1)] * n})  # as a scratch run that learned nothing
    at = app_on("app_pages/compare.py")
    at.text_input(key="cmp_box_text").set_value("a wonderful film").run()
    no_problems(at)
    answers = next(m.value for m in at.markdown if m.value.startswith("- ")).splitlines()
    assert [" ⚠: " in a for a in answers] == [False, True] and all(a.endswith("%") for a in answers)
    label = run.metrics["label_names"][0]
    assert any(f"answers '{label}' to every test text: its answer here means nothing" in c.value for c in at.caption)


def test_the_inference_box_says_when_a_text_is_longer_than_the_models_read(tiny_model, tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    for name in ("zero_shot", "tfidf_logreg", "full_ft"):  # a frozen encoder's tokenizer, none, the run's own
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=16, epochs=1),
                               batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED
    at = app_on("app_pages/compare.py")
    at.text_input(key="cmp_box_text").set_value("a wonderful film").run()
    no_problems(at)
    assert not any("tokens:" in c.value for c in at.caption)
    at.text_input(key="cmp_box_text").set_value("a wonderful film " * 20).run()
    no_problems(at)
    note = next(c.value for c in at.caption if "tokens:" in c.value)
    assert "zero_shot, full_ft read only its first 16 (the max length they were run with)" in note  # not tfidf
    assert not any("unknown to the vocabulary" in c.value for c in at.caption)  # English: every word known
    # a pasted book is tokenised from its first 10,000 characters: the count says so
    at.text_input(key="cmp_box_text").set_value("great " * 3000).run()
    no_problems(at)
    note = next(c.value for c in at.caption if "tokens:" in c.value)
    assert note.startswith(":material/content_cut: This text's first 10,000 characters are ")
    # emoji alone reach an English WordPiece model as [UNK] tokens only: its answer is about nothing
    at.text_input(key="cmp_box_text").set_value("😀 🎉 🙈 🚀").run()
    no_problems(at)
    unknown = next(c.value for c in at.caption if "unknown to the vocabulary" in c.value)
    assert unknown.startswith(":material/help: 100% of this text's tokens are unknown to the vocabulary of zero_shot, "
                              "full_ft ([UNK]: emoji, a script it was not trained on, or a word too long to split): "
                              "their answers say next to nothing about this text.")  # not tfidf_logreg: no such token
    assert not any("characters" in c.value for c in at.caption)
    # one 12,000-character word (a review): one [UNK] token, so no token count says the text was cut; a line does
    at.text_input(key="cmp_box_text").set_value("x" * 12_000).run()
    no_problems(at)
    assert any("100% of this text's tokens are unknown" in c.value for c in at.caption)
    assert ":material/content_cut: Every model here reads only this text's first 10,000 characters." in [
        c.value for c in at.caption]


def test_the_sidebar_says_how_long_the_running_phase_has_left(tiny_data, bertlab_home, monkeypatch):
    import time

    from bertlab.jobs import JobManager, JobSnapshot

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("full_ft", data=tiny_data))
    store.claim(rid, "cpu")
    store.update(rid, progress=0.5, phase="train", pace_started=time.time() - 600)
    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # trains nothing
    monkeypatch.setattr(JobManager, "snapshot", lambda self: JobSnapshot(rid, 0.5, "train", (), True, None))
    at = app_on("app_pages/data.py")
    no_problems(at)
    assert any(p.proto.text == f"▶ full_ft · train 50% · ~10 min left (run …{rid[-4:]})"
               for p in at.sidebar.get("progress"))
    store.finish(rid, "succeeded")


def test_a_run_served_from_the_embedding_cache_says_what_it_took(tiny_data, bertlab_home):
    """A warm head_only run counts its encoder pass as it cost when computed: "15 s in all" for a 1 s run read
    as 15 s of waiting. The status line says what it took."""
    from app_pages import common

    store = RunStore(bertlab_home)
    run = finished(store, make_config("tfidf_logreg", data=tiny_data))
    store.update(run.id, costs={**run.costs, "total_seconds": 15.0, "wall_seconds": 1.0, "cache_saved_seconds": 14.0})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    line = next(m.value for m in at.markdown if "test accuracy" in m.value)
    assert (f"whole run {common.seconds_together(1.0)} this time (the embeddings came from the cache; "
            f"{common.seconds_together(15.0)} with them computed, as in a first run)") in line
    assert f"whole run {common.seconds_together(15.0)}" not in line and common.seconds_together(15.0) == "15.0\u00a0s"
    # "with its embedding pass" read as if the table's train s (which counts that pass too) left it out
    assert "with its embedding pass" not in line


def _partly_cached_run(tiny_data, bertlab_home):
    """A finished run stored as a first head_only run after zero_shot: 16.6 s whole, 13.4 s this time, 258 of its 680
    embeddings from the cache; and its status line on Compare."""
    store = RunStore(bertlab_home)
    run = finished(store, make_config("tfidf_logreg", data=tiny_data))
    store.update(run.id, costs={**run.costs, "total_seconds": 16.6, "wall_seconds": 13.4, "cache_saved_seconds": 3.2,
                                "embedded_texts": 680, "embedding_cache_hits": 258})
    at = app_on("app_pages/compare.py")
    no_problems(at)
    return run, next(m.value for m in at.markdown if "test accuracy" in m.value)


def test_a_run_served_partly_from_the_embedding_cache_says_how_much(tiny_data, bertlab_home):
    """A first head_only run after zero_shot (which had embedded the validation and test texts: 258 of 680) said
    "the embeddings came from the cache" while it spent 9.8 s embedding its training texts (a review)."""
    run, line = _partly_cached_run(tiny_data, bertlab_home)
    assert "this time (258 of 680 embeddings came from the cache; " in line
    assert "the embeddings came" not in line


def test_train_s_says_it_is_the_training_alone_where_the_run_times_are_whole_runs(tiny_data, bertlab_home):
    """A persona: head_only's '3.8 s' (train s, on Compare and Accuracy vs cost) beside '7.9 s' on Compare's status
    line and '~8 s' on the Train page, with nothing to say why they differ: both are right, the tables' is the
    training alone, the others the whole run."""
    from app_pages import common

    store = RunStore(bertlab_home)
    finished(store, make_config("tfidf_logreg", data=tiny_data))
    assert "whole run" in common.TRAIN_TIME_HELP and "encoder pass over the training texts" in common.TRAIN_TIME_HELP
    for page in ("app_pages/compare.py", "app_pages/costs.py"):
        at = app_on(page)
        no_problems(at)
        assert any(common.TRAIN_TIME_HELP in d.proto.columns for d in at.dataframe), page
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(at)
    assert any(c.value.startswith("Estimated time: the whole run") for c in at.caption)


def test_compare_and_the_cli_label_a_runs_whole_time_alike_apart_from_train_s(tiny_data, bertlab_home):
    """A first-time user's head_only run showed 13.4 s on Compare's status line ("in all"), 16.6 s "with them
    computed", 11.8 s under train s and the CLI's "stored: 16.6 s total": which timed what was left to guess. The
    status line and the CLI's end line both say "whole run" now, as TRAIN_TIME_HELP (train s: training alone)."""
    from app_pages import common
    from bertlab.cli import _stored_time

    run, line = _partly_cached_run(tiny_data, bertlab_home)
    cli = _stored_time(RunStore(bertlab_home).get(run.id).costs)
    assert f"whole run {common.seconds_together(13.4)} this time" in line and "in all" not in line
    assert cli.startswith("; whole run 16.6 s as stored") and " total " not in cli
    assert "whole run" in common.TRAIN_TIME_HELP


def test_train_pages_note_on_how_times_are_estimated_is_folded_under_the_table(tiny_data, bertlab_home):
    """At 1366x768 the note on how the table's times are made (five lines) stood between the table and Launch, which
    was at y=1258 px: it is one click away now, in an expander under the table, whole."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(at)
    # titled for both its notes (time and memory) since the memory's joined it; "How these times are estimated" before
    folded = [e for e in at.expander if e.label == "How these estimates are made"]
    assert len(folded) == 1
    said = [c.value for c in folded[0].caption]
    assert len(said) == 2 and said[0].startswith("Estimated time: the whole run") and said[0].endswith(
        "the run skips their encoder pass and takes a small part of a first run's time.")
    # and how the table's estimated memory is made (bertlab.memory), folded with it
    assert said[1].startswith("Estimated memory: the peak a run adds") and "each must fit alone" in said[1]
    # the test's bound said as a bound: "which took 0.6 to 1.2 times their estimates" read as what they took, where
    # the README gives what they took (0.64 to 1.10) and none took 1.2
    lo, hi = memory.MEASURED_RANGE
    assert f"(each within {lo:g} to {hi:g} times its estimate)" in said[1] and "which took" not in said[1]


def test_playground_offers_examples_of_a_dataset_of_long_texts_too():
    """A teacher with bbc_news: no example buttons at all (every article is over 160 characters)."""
    from app_pages.common import examples
    from bertlab.data.dataset import TextDataset

    long = TextDataset(texts=["word " * 200 + str(i) for i in range(6)] + ["short but fine text here"],
                       labels=[0, 0, 1, 1, 1, 0, 1], label_names=["business", "sport"])
    got = examples(long)
    assert [lab for _, lab in got] == ["business", "business", "sport"]
    assert got[2][0] == "short but fine text here"  # the short ones where the class has some
    assert got[0][0] in long.texts and len(got[0][0]) > 160  # else its shortest, whole


def _playground_examples(tmp_path, home, rows: list[dict]):
    """The Playground (AppTest) over a finished run of a file of ``rows`` ({text, label}), and its example buttons."""
    import pandas as pd

    path = tmp_path / "texts.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    data = DataConfig(source="file", name=str(path), train_size=None, val_size=None, test_size=None)
    finished(RunStore(home), make_config("tfidf_logreg", data=data))
    at = app_on("app_pages/playground.py")
    no_problems(at)
    return at, [b for b in at.button if b.key and b.key.startswith("pg_box_ex_")]


def test_playground_examples_cover_every_class_of_five_and_keep_long_articles_short(tmp_path, bertlab_home):
    """A newsroom persona on bbc_news: the eight example buttons were two of each of the first four topics (none of
    'tech'), each a whole ~2,000-character article, which pushed the text box ~2,500 px down the page; eight starts
    of 300 characters still took ~900 px. Where most examples are articles: one per class, each its start."""
    import random

    most = 160  # characters of an example's button (its start, then "…"); a click fills in the whole text

    rng = random.Random(0)
    topics = ["business", "entertainment", "politics", "sports", "tech"]
    rows = [{"text": f"{t} story {i}: " + " ".join(rng.choice([t, "the", "a", "said", "on", "and"]) for _ in range(300)),
             "label": t} for t in topics for i in range(20)]
    at, examples = _playground_examples(tmp_path, bertlab_home, rows)
    assert len(examples) == 5
    shown = {t for t in topics for b in examples if f"true label: {t}" in b.help}
    assert shown == set(topics)  # one of each class
    shown_text = [b.label.replace("\\", "") for b in examples]  # as the page shows it (markdown escapes off)
    assert all(len(t) <= most and t.endswith("…") for t in shown_text)
    # a click still fills in the whole article, as the test set holds it
    examples[0].click().run()
    whole = at.text_area(key="pg_box_text").value
    assert len(whole) > most and whole.startswith(shown_text[0][:-1])


def test_playground_offers_eight_examples_of_a_two_class_dataset(tmp_path, bertlab_home):
    """A review on rotten_tomatoes: four example buttons (two a class), where the README says up to eight."""
    rows = [{"text": f"a {w} short review number {i} of {w} films", "label": w} for w in ("good", "bad")
            for i in range(60)]
    _, examples = _playground_examples(tmp_path, bertlab_home, rows)
    assert len(examples) == 8
    assert sum("true label: good" in b.help for b in examples) == 4


def test_text_boxes_take_their_direction_from_what_is_typed(bertlab_home):
    """Arabic or Hebrew typed on the Playground ran left-to-right (its full stop and numbers on the wrong side):
    every text box now takes each paragraph's direction from its first strong letter (as dir="auto"), checked in
    a headless Chromium (computed unicode-bidi: plaintext, Arabic set from the right)."""
    from app_pages import common

    at = app_on("app_pages/playground.py")
    no_problems(at)
    assert "textarea" in common.BIDI_CSS and "unicode-bidi:plaintext" in common.BIDI_CSS
    assert any(common.BIDI_CSS in h.proto.body for h in at.get("html"))


def test_projector_mode_enlarges_every_charts_text_and_the_pages(tmp_path, bertlab_home):
    """A teacher at 1920 px: Compare's ticks and legends were ~11 px on the wall."""
    import plotly.graph_objects as go

    from app_pages import common
    from bertlab import plots

    at = app_on("app_pages/data.py")
    no_problems(at)
    # The page's text is a quarter larger while the switch is on, in the browser (tests/test_browser_app.py): a
    # rule on the switch's own state, which names its key (Streamlit gives the element a class from it)
    assert common.PROJECTOR_CSS.startswith(f"html:has(.st-key-{common.PROJECTOR_KEY} input:checked)")
    assert "{font-size:20px}" in common.PROJECTOR_CSS
    assert any(common.PROJECTOR_CSS in h.proto.body for h in at.get("html"))
    (switch,) = [t for t in at.sidebar.toggle if t.label == "Projector: larger text"]
    assert switch.key == common.PROJECTOR_KEY
    switch.set_value(True).run()
    no_problems(at)
    (shown,) = [c for c in at.get("plotly_chart")]  # the label distribution
    import json

    spec = json.loads(shown.proto.spec)
    assert spec["layout"]["font"]["size"] == common.PROJECTOR_FONT
    # the figure itself is copied, never changed (a cached figure stays as it was)
    fig = plots.figure(go.Bar(x=[1], y=[1]))
    plots.style(fig, "t", 300)
    import streamlit as st

    st.session_state[common.PROJECTOR_KEY] = True
    try:
        big = common.projected(fig)
    finally:
        del st.session_state[common.PROJECTOR_KEY]
    assert big.layout.font.size == common.PROJECTOR_FONT and big.layout.title.font.size == 22
    assert big.layout.height == 345 and fig.layout.font.size == 13 and fig.layout.height == 300
    # the legend's title as large as its entries: Streamlit's theme fills it at 15 px where the figure leaves it
    # unset (Learning curves' "strategy (bars: ±1 std over seeds)" read 15 px beside 18-px entries, Chromium)
    assert big.layout.legend.title.font.size == big.layout.legend.font.size == common.PROJECTOR_FONT
    assert fig.layout.legend.title.font.size is None


def test_at_projector_size_a_charts_legend_hangs_under_its_title_and_bar_values_stay_level():
    """A teacher, Projector on, Compare at 1280 px: the half-width "Test accuracy" chart's legend wrapped to three
    rows and grew up over the title, and the accuracies inside the bars were turned on their side. The legend row
    now hangs from under the title (plotly moves the plot down as far as its rows need), and the values are shrunk
    to fit a narrow bar instead of turned."""
    import streamlit as st

    from app_pages import common

    runs = [Run(id=f"r{i}", batch_id="b", created=1.0, status=SUCCEEDED, strategy=s, dataset="d", model="m", config={},
                metrics={"test_accuracy": 0.7, "test_macro_f1": 0.6, "majority_accuracy": 0.55,
                         "confusion": [[3, 1], [1, 3]], "label_names": ["a", "b"]}, costs={"train_seconds": 1.0})
            for i, s in enumerate(("zero_shot", "head_only", "full_ft", "scratch"))]
    fig = plots.accuracy_figure(runs)
    assert fig.data[0].textangle == 0
    st.session_state[common.PROJECTOR_KEY] = True
    try:
        big = common.projected(fig)
    finally:
        del st.session_state[common.PROJECTOR_KEY]
    title_bottom = 1.5 * big.layout.title.font.size  # px from the figure's top: the title's line
    legend = big.layout.legend
    assert legend.yref == "container" and legend.yanchor == "top"
    assert (1 - legend.y) * big.layout.height >= title_bottom  # its top under the title's line
    assert fig.layout.legend.yref is None  # the figure itself as it was


def _depth(node, kind: str, depth: int = 0) -> int | None:
    """How many blocks deep the first ``kind`` element of ``node``'s tree lies (None: there is none)."""
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", None) == kind:
            return depth
        if (found := _depth(child, kind, depth + 1)) is not None:
            return found
    return None


def test_the_projector_switch_draws_the_pages_tables_anew(bertlab_home):
    """A teacher: with Projector on, the Data page's table kept its small text. st.dataframe paints on a canvas at
    the font size the page had when it was first drawn (CSS cannot reach it): the switch must make the browser
    build the tables again, which a changed nesting does, and only after the new style is in place."""
    at = app_on("app_pages/data.py")
    no_problems(at)
    off = _depth(at.main, "dataframe")
    assert off is not None  # the page has a table to enlarge
    styles = [h.proto.body for h in at.get("html")]
    next(t for t in at.sidebar.toggle if t.label == "Projector: larger text").set_value(True).run()
    no_problems(at)
    assert _depth(at.main, "dataframe") == off + 1
    # the style stays as it was: the browser has applied the larger size at the click (the switch's own state)
    assert [h.proto.body for h in at.get("html")] == styles
    next(t for t in at.sidebar.toggle if t.label == "Projector: larger text").set_value(False).run()
    no_problems(at)
    assert _depth(at.main, "dataframe") == off
    assert [h.proto.body for h in at.get("html")] == styles


def test_a_session_that_opens_in_projector_mode_builds_its_tables_again_once_the_browser_has_shown_the_switch(
        bertlab_home):
    """A classroom bookmark (?projector=1) built the Data page's table small six loads in eight: the table came in
    the same browser update as the switch that enlarges the page; a timer of half a second after the first run
    still left one load in four small (and a CI run). The first page is drawn at the outer level, with a watcher
    that asks the browser itself; only its answer draws the page one level deeper."""
    from streamlit.testing.v1 import AppTest
    from test_pages_sweep import APP

    from app_pages import common

    off = _depth(app_on("app_pages/data.py").main, "dataframe")
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["projector"] = "1"
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    assert at.toggle(key="keep_projector").value is True
    # stacked containers (as many levels as a desk screen's columns), not yet the page one level deeper
    assert _depth(at.main, "dataframe") == off and common.PROJECTOR_BUILT not in at.session_state
    watchers = [e for e in at.sidebar if e.type == "bidi_component"]
    assert len(watchers) == 1 and "bertlab_projector_size" in str(watchers[0].proto)
    at.run()  # another full run (a session's first runs come two or three at once): still waiting for the browser
    assert _depth(at.main, "dataframe") == off and common.PROJECTOR_BUILT not in at.session_state
    # what the browser checks, and tells: the page's text at projector size, which the switch's own style sets
    assert f'fontSize === "{common.PROJECTOR_PX}px"' in common._PROJECTOR_SIZE_JS
    assert f"font-size:{common.PROJECTOR_PX}px" in common.PROJECTOR_CSS
    assert 'setTriggerValue("shown", true)' in common._PROJECTOR_SIZE_JS
    at.session_state[common.PROJECTOR_BUILT] = True  # what the watcher's call sets (AppTest cannot send it)
    at.run()
    no_problems(at)
    # the whole page again, built large, and the watcher gone
    assert _depth(at.main, "dataframe") == off + 1
    assert not [e for e in at.sidebar if e.type == "bidi_component"]


def test_the_projector_size_watchers_call_marks_the_tables_as_built_large():
    """The browser's answer, as the watcher's trigger calls it."""
    import streamlit as st

    from app_pages import common

    st.session_state.clear()
    try:
        common.projector_size_shown()
        assert st.session_state[common.PROJECTOR_BUILT] is True
    finally:
        st.session_state.clear()


def test_every_chart_of_the_app_goes_through_projector_mode():
    """A chart drawn with st.plotly_chart directly would stay small on a projector."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    direct = [f"{p.name}:{i}" for p in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]
              if p.name != "common.py" for i, line in enumerate(p.read_text().splitlines(), 1)
              if "plotly_chart(" in line]
    assert direct == []


def test_projector_mode_and_the_learning_curves_form_are_kept_for_the_desk_across_a_reload(bertlab_home):
    """A teacher: after a reload the Learning curves form went back to its 75-run default (the Train page keeps
    its choices per desk); projector mode would have gone too."""
    at = app_on("app_pages/sweep.py", desk="dclass")
    no_problems(at)
    next(t for t in at.sidebar.toggle if t.label == "Projector: larger text").set_value(True).run()
    at.multiselect(key="keep_sw_strategies").set_value(["tfidf_logreg"])
    at.multiselect(key="keep_sw_sizes").set_value([16, 32])
    at.number_input(key="keep_sw_seeds").set_value(2)
    next(b for b in at.button if b.label == "Run the sweep").click().run()
    no_problems(at)
    again = app_on("app_pages/sweep.py", desk="dclass")  # a reload: a new session at the same desk
    no_problems(again)
    assert next(t for t in again.sidebar.toggle if t.label == "Projector: larger text").value is True
    assert again.multiselect(key="keep_sw_strategies").value == ["tfidf_logreg"]
    assert again.multiselect(key="keep_sw_sizes").value == [16, 32]
    assert again.number_input(key="keep_sw_seeds").value == 2
    other = app_on("app_pages/sweep.py", desk="dother")  # another desk: the defaults
    assert next(t for t in other.sidebar.toggle if t.label == "Projector: larger text").value is False
    assert other.number_input(key="keep_sw_seeds").value == 3


def test_the_learning_rate_steps_in_its_defaults_decade(tiny_model):
    """+/- on head_only's learning rate (1.0e-02) moved it by 1e-5: 1.0e-02 again, nothing the field shows."""
    at = app_on("app_pages/train.py", {"keep_model": tiny_model})
    at.multiselect(key="keep_strategies").set_value(["head_only", "full_ft"]).run()
    no_problems(at)
    for name in ("head_only", "full_ft"):
        field = at.number_input(key=f"keep_hp_{name}_learning_rate")
        before = field.value
        field.increment().run()
        assert f"{at.number_input(key=f'keep_hp_{name}_learning_rate').value:.1e}" != f"{before:.1e}", name
        at.number_input(key=f"keep_hp_{name}_learning_rate").decrement().run()
        at.number_input(key=f"keep_hp_{name}_learning_rate").decrement().run()  # below the default too
        assert at.number_input(key=f"keep_hp_{name}_learning_rate").value < before, name


def test_batch_size_help_says_what_a_gpu_gains_from_larger_batches_only_on_a_gpu(monkeypatch):
    """On an H200 a step of 32 short texts left the GPU waiting on the host (bench/README.md's GPU section)."""
    import torch

    from app_pages import common
    from bertlab import models

    cpu = models.DeviceInfo("cpu", "Some CPU (2 threads)", bf16=True)
    monkeypatch.setattr(common, "device_info", lambda: (cpu, torch.bfloat16))
    at = app_on("app_pages/train.py")
    no_problems(at)
    assert "H200" not in at.number_input(key="keep_hp_full_ft_batch_size").help
    a100 = models.DeviceInfo("cuda", "NVIDIA A100", bf16=True, fp16=True)
    monkeypatch.setattr(common, "device_info", lambda: (a100, torch.bfloat16))
    at = app_on("app_pages/train.py")
    no_problems(at)
    help_text = at.number_input(key="keep_hp_full_ft_batch_size").help
    assert "6,560 at batch 256" in help_text and "higher learning rate or more epochs" in help_text


def test_playground_offers_at_most_six_article_starts_however_many_classes(tmp_path, bertlab_home):
    """Twenty topics of articles were twenty buttons, the text box further down than the eight before."""
    body = " ".join(f"sentence {k} of a long article" for k in range(30))
    rows = [{"text": f"topic {t} piece {i}: {body}", "label": f"topic{t}"} for t in range(20) for i in range(6)]
    _, examples = _playground_examples(tmp_path, bertlab_home, rows)
    assert len(examples) == 6
    assert len({b.help.rsplit("true label: ", 1)[1] for b in examples}) == 6  # six topics, one each


def test_playground_cards_are_two_a_row_in_projector_mode(tiny_data, bertlab_home):
    """A teacher at 1024 px in projector mode: four cards a row cut the predicted class to "r…" and "fr…"."""
    store = RunStore(bertlab_home)
    for seed in range(4):
        finished(store, make_config("tfidf_logreg", data=tiny_data, seed=seed))
    for projector, per_row in ((False, 4), (True, 2)):
        at = app_on("app_pages/playground.py", {"keep_projector": projector})
        at.text_area(key="pg_box_text").set_value("a wonderful film").run()
        next(b for b in at.button if b.label == "Predict").click().run()
        no_problems(at)
        assert len(at.metric) == 4
        cards = [c for c in at.columns if any(True for _ in c.get("metric"))]
        assert len(cards) == per_row, projector


def test_compares_charts_have_their_numbers_one_toolbar_button_and_readable_text(tiny_data, bertlab_home):
    """An accessibility review of Compare: the curves, the calibration chart and the confusion matrices had their
    numbers only in the SVG; every chart's toolbar was 8 Tab stops (~90 on the page); ticks, axis titles and point
    labels were 3.7:1 on the light theme, captions 4.1:1."""
    import json

    from app_pages import common

    store = RunStore(bertlab_home)
    runs = [finished(store, make_config("tfidf_logreg", data=tiny_data, seed=s)) for s in (0, 1)]
    store.add_points(runs[0].id, [("train_loss", 1, 0.5, 0.9), ("train_loss", 2, 1.0, 0.7)])  # (it has none)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    numbers = {e.label: e for e in at.expander if e.label.startswith("The numbers behind")}
    assert set(numbers) == {"The numbers behind these curves", "The numbers behind this chart",
                            "The numbers behind these matrices"}
    assert not any(e.proto.expanded for e in numbers.values())  # collapsed: the page is no longer
    labels = plots.run_labels([store.get(r.id) for r in runs])
    curves = numbers["The numbers behind these curves"]
    assert curves.markdown[0].value.startswith("**Training loss")
    loss, *_, val_acc = (t.value for t in curves.table)
    assert loss.to_dict("list") == {"epoch": [1], labels[runs[0].id]: ["0.800"]}  # the epoch's mean
    accuracy = {labels[r.id]: [f"{p['value']:.1%}"] for r in runs for p in store.points([r.id], ("val_accuracy",))}
    assert val_acc.to_dict("list") == {"epoch": [1], **accuracy}
    (cal,) = numbers["The numbers behind this chart"].table
    assert list(cal.value.columns)[0] == "confidence" and len(cal.value.columns) == 3
    matrices = numbers["The numbers behind these matrices"].table
    assert sorted(m.value.iloc[:, 1:].to_numpy().tolist() for m in matrices) == sorted(
        store.get(r.id).metrics["confusion"] for r in runs)
    for c in at.get("plotly_chart"):  # the PNG download at most (and Streamlit's full screen)
        config = json.loads(c.proto.config)
        assert config.get("displayModeBar") is False or {"zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
                                                         "resetScale2d"} <= set(config["modeBarButtonsToRemove"])
        assert "toImage" not in config.get("modeBarButtonsToRemove", [])
    # the theme's text colour on the charts' text, captions at 75%: in the browser (injected with the page's style)
    assert any(common.READABLE_CSS in h.proto.body for h in at.get("html"))
    assert "{fill:currentColor!important}" in common.READABLE_CSS and "opacity:.75" in common.READABLE_CSS


def test_a_probability_near_certain_is_never_rounded_to_100_percent(tiny_data, bertlab_home, monkeypatch):
    """A review: a Playground card said "100% confident" while its bar said "fresh: 99.6%". A probability that is
    not exactly 1 (or 0) gets the decimals that keep it off 100% (0%), on the card, the bars, the chart and the
    Compare page's compact list."""
    import numpy as np

    from bertlab.metrics import probability_percent
    from bertlab.predict import Prediction, Predictor

    assert [probability_percent(p) for p in (0.996, 0.9996, 0.004, 1.0, 0.0, 0.62)] == [
        "99.6%", "99.96%", "0.4%", "100%", "0%", "62%"]
    assert probability_percent(0.999999) == ">99.99%" and probability_percent(0.996, 1) == "99.6%"
    run = finished(RunStore(bertlab_home), make_config("tfidf_logreg", data=tiny_data))
    names = run.metrics["label_names"]
    monkeypatch.setattr(Predictor, "predict", lambda self, ids, texts: [
        Prediction(i, "tfidf_logreg", names, np.array([[0.996, 0.004]]), 1.0) for i in ids])
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful film").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    no_problems(at)
    assert [m.proto.delta for m in at.metric] == ["99.6% confident"]
    bars = [e.proto.text for e in at.get("progress")]
    assert bars == [f"{names[0]}: 99.6%", f"{names[1]}: 0.4%"]
    at = app_on("app_pages/compare.py")
    at.text_input(key="cmp_box_text").set_value("a wonderful film").run()
    no_problems(at)
    answers = next(m.value for m in at.markdown if m.value.startswith("- ") and " · " in m.value)
    assert answers.endswith("· 99.6%") and "100%" not in answers
    fig = plots.probability_figure(Predictor.predict(None, [run.id], ["x"]))
    assert list(fig.data[0].text) == ["99.6%", "0.4%"] and list(fig.data[0].customdata) == ["99.6%", "0.4%"]


def test_runs_finishing_every_second_redraw_the_app_at_most_once_per_ten_seconds(tiny_data, bertlab_home):
    """The busy sidebar compared every succeeded run id in the store each 2-s refresh and redrew the whole app on
    any new one: a CLI sweep of fast points (one run a second) redrew the page every 2 s, and the query grew with
    the store (a review). Now one aggregate row per refresh, and at most one full redraw per 10 s, the first at
    once (a finished run still joins the Playground soon after it finishes)."""
    from app_pages import common

    store = RunStore(bertlab_home)

    def finish_one() -> str:
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={}, costs={})
        return rid

    def mark():
        return store.finished_mark((SUCCEEDED,))

    assert mark() == (0, 0.0)
    assert not common.rerun_for_finished({common.FINISHED_SEEN: None}, (1, 5.0), 0.0)  # not drawn while busy
    state = {common.FINISHED_SEEN: mark()}  # the full redraw
    reruns, ids = [], []
    for second in range(21):  # a run finishes every second; the fragment looks every 2 s
        ids.append(finish_one())
        if second % 2 == 0 and common.rerun_for_finished(state, mark(), 1000.0 + second):
            reruns.append(second)
    assert reruns == [0, 10, 20]  # the first at once, then one per 10 s: not one per refresh
    assert mark()[0] == 21
    assert not common.rerun_for_finished(state, mark(), 1100.0)  # all of them drawn: nothing to redraw
    store.delete(ids[-1])  # a deletion only: no redraw, and no redraw for it later either
    assert not common.rerun_for_finished(state, mark(), 1200.0)
    assert state[common.FINISHED_SEEN] == mark() and not common.rerun_for_finished(state, mark(), 1300.0)
    finish_one()
    assert common.rerun_for_finished(state, mark(), 1400.0)


def test_a_clicked_examples_true_label_shows_under_the_box(tiny_data, bertlab_home):
    """An accessibility review: an example's true label was only in its button's tooltip ("hover for the true
    label"), which a screen reader never reads. Once clicked, "True label: ..." is a caption under the box (the
    tooltip stays), until the text in the box is changed."""
    finished(RunStore(bertlab_home), make_config("tfidf_logreg", data=tiny_data))
    at = app_on("app_pages/playground.py")
    no_problems(at)
    assert not [c for c in at.caption if c.value.startswith("True label")]
    example = next(b for b in at.button if b.help and "true label: " in b.help)
    label = example.help.rsplit("true label: ", 1)[1]  # the tooltip kept
    example.click().run()
    assert [c.value for c in at.caption if c.value.startswith("True label")] == [f"True label: {label}"]
    at.text_area(key="pg_box_text").set_value("a text of my own").run()
    assert not [c for c in at.caption if c.value.startswith("True label")]


def test_the_playground_says_a_long_text_is_cut_before_its_answers(tiny_model, tiny_data, bertlab_home):
    """A long-document review: a pasted 3,000-word article's "read only its first 512" note came under the answer
    cards, the probability chart and the words' toggle, a scroll away from answers that read as the whole text's."""
    finished(RunStore(bertlab_home), make_config("zero_shot", model=tiny_model, data=tiny_data, max_length=16))
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful film " * 40).run()
    no_problems(at)

    kinds = [("cut" if n.type == "caption" and "read only its first 16" in str(n.value).replace("reads", "read")
              else n.type) for n in _in_order(at.main)]
    assert "cut" in kinds and "metric" in kinds
    assert kinds.index("cut") < kinds.index("metric")


def _in_order(node):
    """A page's elements (AppTest), top to bottom."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for key in sorted(children):
        yield from _in_order(children[key])


def test_the_playground_box_comes_before_its_examples_folded_under_it(tiny_data, bertlab_home):
    """A review at 1366x768 after the Quick demo: eight example buttons came before "Text to classify" (its box at
    y=762 px) and a clicked example's answers at y=1001, below the first screen. The box and Predict come first,
    the examples folded under them; a click fills the box, folds them again, and its answers come under the box."""
    finished(RunStore(bertlab_home), make_config("tfidf_logreg", data=tiny_data))
    at = app_on("app_pages/playground.py")
    no_problems(at)

    def order() -> list[str]:
        return ["example" if (getattr(n, "key", None) or "").startswith("pg_box_ex_") else n.type
                for n in _in_order(at.main)]

    assert order().index("text_area") < order().index("example")
    (folded,) = [e for e in at.expander if e.label == "Try an example from the test set"]
    assert not folded.proto.expanded
    inside = [b for b in folded.button if b.key.startswith("pg_box_ex_")]
    assert inside and len(inside) == len([b for b in at.button if b.key.startswith("pg_box_ex_")])
    at.session_state["pg_box_examples_open"] = True  # unfolded, as a click on it does
    at.run()
    assert at.expander[0].proto.expanded
    example = next(b for b in at.button if b.key.startswith("pg_box_ex_"))
    text = example.help.split("\n\ntrue label: ")[0]
    example.click().run()
    no_problems(at)
    assert at.text_area(key="pg_box_text").value.replace("\\", "") == text.replace("\\", "")
    assert not at.expander[0].proto.expanded  # folded again: only its one line between the box and its answers
    shown = order()
    assert shown.index("text_area") < shown.index("example") < shown.index("metric")


def test_accuracy_vs_cost_shows_its_chart_before_the_prices_and_the_prices_still_count(tiny_data, bertlab_home):
    """A review at 1366x768 after the Quick demo: the three price inputs and their note came before the answer, the
    chart's top at y=756 px, though only the Money measure and the table's money columns use them. The measure,
    sentences and chart come first, the prices under them, above the table they price; a price set still reaches
    the sentences, the chart and the table."""
    store = RunStore(bertlab_home)
    for strategy in ("tfidf_logreg", "zero_shot"):
        rid = store.create_run(make_config(strategy, data=tiny_data), batch_id="b1")
        store.claim(rid, "cpu")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.9 if strategy == "zero_shot" else 0.8,
                                              "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 3600.0, "train_flops": 1e6, "device": "cpu"},
                     data_summary={"sizes": {"train": 50}})
    at = app_on("app_pages/costs.py")
    no_problems(at)
    kinds = ["price" if getattr(n, "key", None) == "keep_pr_cpu" else n.type for n in _in_order(at.main)]
    assert "plotly_chart" in kinds and "price" in kinds and "dataframe" in kinds, kinds
    assert kinds.index("plotly_chart") < kinds.index("price") < kinds.index("dataframe")
    next(w for w in at.get("button_group") if w.key == "keep_pr_measure").set_value("train_money").run()
    at.number_input(key="keep_pr_cpu").set_value(7.25).run()
    no_problems(at)
    assert any("$7.25" in m.value for m in at.markdown), [m.value for m in at.markdown]  # the sentence
    (table,) = [d.value for d in at.dataframe if "cost of one run" in d.value.columns]
    assert set(table["cost of one run"]) == {"$7.25"}  # an hour at $7.25 (the default is $0.05)


def test_a_theme_switched_in_the_menu_redraws_the_app_once():
    """Streamlit does not rerun the script when Light or Dark is picked in the menu (streamlit#11920): the Strategy
    cards' diagram stayed a white card on the dark page until the next click. The sidebar's timed fragment asks
    rerun_for_theme with the theme it sees; a change redraws the whole app once, no change nothing."""
    from app_pages import common

    assert not common.rerun_for_theme({}, True)  # no full redraw yet: nothing to compare with
    state = {common.THEME_DRAWN: False}  # drawn in the light theme
    assert not common.rerun_for_theme(state, False)
    assert common.rerun_for_theme(state, True)  # Dark picked: redraw
    assert state[common.THEME_DRAWN] is True and not common.rerun_for_theme(state, True)  # once
    assert common.rerun_for_theme(state, False)  # and back to Light


def test_a_playground_card_rounds_its_probabilities_as_its_confidence_and_the_chart_do(tiny_data, bertlab_home,
                                                                                        monkeypatch):
    """Seen in Chromium on bbc_news: full_ft's card said "85% confident" over "business: 85.5%", and its bars
    "politics: 4.7%", "tech: 3.5%" beside the chart's "full_ft 5%", "full_ft 3%": the bars alone had one decimal.
    They round as the confidence and the chart do (whole percents, more only to keep a value off 0% and 100%)."""
    import numpy as np

    from bertlab.predict import Prediction, Predictor

    run = finished(RunStore(bertlab_home), make_config("tfidf_logreg", data=tiny_data))
    names = run.metrics["label_names"]
    probs = np.array([[0.8549, 0.1451] + [0.0] * (len(names) - 2)])
    monkeypatch.setattr(Predictor, "predict", lambda self, ids, texts: [
        Prediction(i, "tfidf_logreg", names, probs, 1.0) for i in ids])
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful film").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    no_problems(at)
    assert [m.proto.delta for m in at.metric] == ["85% confident"]
    bars = [e.proto.text for e in at.get("progress")]
    assert bars[:2] == [f"{names[0]}: 85%", f"{names[1]}: 15%"]  # the old code: 85.5% and 14.5%
    chart = plots.probability_figure(Predictor.predict(None, [run.id], ["x"]))
    assert [t.split(": ")[1] for t in bars[:2]] == list(chart.data[0].text)[:2]
