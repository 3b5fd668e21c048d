"""Money for a finance reader: serving cost beside training cost on Accuracy vs cost, sums in the money trade-off,
the projection to more data in the report, prices and currency codes written as people write them, and the
report's curves on a scale that fits runs of very different lengths."""

from __future__ import annotations

import html
import re

import pytest
from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from bertlab import pareto, plots, report, serving
from bertlab.pareto import Prices
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


def stored_run(store: RunStore, strategy: str, data, epochs: int = 2, secs: float = 36.0, acc: float = 0.8,
               serve: float | None = None, batch: str = "b1") -> str:
    """A finished run trained on 500 texts for ``secs`` seconds on a CPU, with a validation loss and accuracy each
    epoch, and where ``serve`` is given, Compare's serving measurement at ``serve`` texts/s (no model saved)."""
    rid = store.create_run(make_config(strategy, data=data, epochs=epochs), batch_id=batch)
    store.claim(rid, "cpu")
    rows = [("train_loss", s, s / 10, 0.7 - 0.01 * s) for s in range(1, 10 * epochs + 1)]
    for e in range(1, epochs + 1):
        rows += [("val_accuracy", 10 * e, float(e), 0.6 + 0.01 * e), ("val_loss", 10 * e, float(e), 0.6 - 0.01 * e)]
    store.add_points(rid, rows)
    costs = {"train_seconds": secs, "train_flops": 1e6 * secs, "device": "cpu (2 threads)"}
    if serve is not None:
        costs |= {"serve_ms_p50": 5.0, "serve_ms_p95": 6.0, "serve_texts_per_s": serve, "serve_backend": "torch",
                  "serve_device": "cpu (2 threads)"}
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": acc, "test_macro_f1": acc, "majority_accuracy": 0.5},
                 costs=costs, data_summary={"sizes": {"train": 500, "validation": 100, "test": 200}})
    return rid


def text_of(page: str) -> str:
    """The report's words, without its scripts and tags."""
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- 3: currency and prices written as people write them -------------------------------------------------
def test_a_currency_code_is_spaced_from_the_number_and_a_symbol_is_not():
    assert pareto.format_cost(0.6522, "train_money", Prices(currency="EUR")) == "EUR 0.6522"
    assert pareto.format_cost(0.6522, "train_money", Prices(currency="€")) == "€0.6522"
    assert pareto.format_cost(0.6522, "train_money") == "$0.6522"
    assert pareto.format_cost(1234.5, "train_money", Prices(currency="CHF")) == "CHF 1,234.50"
    assert pareto.format_cost(0.0, "train_money", Prices(currency="EUR")) == "EUR 0"
    assert pareto.format_cost(3e-5, "train_money", Prices(currency="EUR")) == "<EUR 0.0001"
    # the money chart's ticks too, on a log axis (beside a free run, which gets no "0" tick) and on a linear one
    vals, text = pareto.log_ticks(1e-5, 1e-3, 3e-6, "EUR")
    assert "EUR 0" not in text and "EUR 0.0001" in text and "€0.0001" in pareto.log_ticks(1e-5, 1e-3, None, "€")[1]
    rows = [{"strategy": "head_only", "test_accuracy": 0.72, "train_money": 0.002},
            {"strategy": "full_ft", "test_accuracy": 0.8, "train_money": 0.004}]
    assert pareto.pareto_figure(rows, "train_money", prices=Prices(currency="EUR")).layout.xaxis.tickprefix == "EUR "
    assert pareto.pareto_figure(rows, "train_money", prices=Prices(currency="€")).layout.xaxis.tickprefix == "€"


def test_prices_are_written_with_two_decimals_as_the_page_shows_them():
    assert pareto.format_price(2.5) == "$2.50" and pareto.format_price(3.0, Prices(currency="EUR")) == "EUR 3.00"
    assert pareto.format_price(0.05) == "$0.05"
    assert pareto.format_price(0.045) == "$0.045"  # not rounded to a price nobody set


# --- 1b: the money trade-off quotes the sums -----------------------------------------------------------
MONEY_ROWS = [{"strategy": "zero_shot", "test_accuracy": 0.70, "train_money": 0.0},
              {"strategy": "head_only", "test_accuracy": 0.77, "train_money": 0.0055},
              {"strategy": "full_ft", "test_accuracy": 0.831, "train_money": 0.21},
              {"strategy": "scratch", "test_accuracy": 0.60, "train_money": 0.30}]


def test_the_money_trade_off_quotes_the_money():
    lines = pareto.tradeoff_sentences(MONEY_ROWS, "train_money", prices=Prices(currency="EUR"))
    assert lines == ["full_ft is +6.1 points over head_only for 38x the money (EUR 0.2100 against EUR 0.0055).",
                     "head_only is +7.0 points over zero_shot (which trains nothing), for EUR 0.0055 of training.",
                     "Not worth it on this measure: scratch at EUR 0.3000 (another strategy is at least as accurate "
                     "for no more money)."]
    judged = pareto.tradeoff_sentences(MONEY_ROWS, "train_money", prices=Prices(),
                                       judge=lambda dear, cheap: "a gap this test set cannot tell from chance: p = 0.3")
    assert judged[0] == ("full_ft is +6.1 points over head_only for 38x the money ($0.2100 against $0.0055; a gap "
                         "this test set cannot tell from chance: p = 0.3).")
    assert judged[1].endswith("(which trains nothing; a gap this test set cannot tell from chance: p = 0.3), for "
                              "$0.0055 of training.")
    assert judged[2].startswith("scratch at $0.3000 costs more than zero_shot at $0 for no gain")
    # the other measures keep their words: the ratio says it there
    flops = [{**r, "train_flops": 1e14 * r["train_money"]} for r in MONEY_ROWS]  # past 100 GFLOP: weighed
    assert pareto.tradeoff_sentences(flops, "train_flops")[0] == "full_ft is +6.1 points over head_only for 38x the compute."
    # a price of 0: not "they tie, and what training costs decides" on the measure of that cost (a review)
    free = [{**r, "train_money": 0.0, "train_seconds": 100 * r["train_money"]} for r in MONEY_ROWS]
    assert pareto.tradeoff_sentences(free, "train_money") == [
        "No price is set (0 per hour), so money tells these runs apart by nothing: set the price per CPU- or "
        "GPU-hour above, or compare them by training compute or time."]
    nothing = [{**r, "train_money": 0.0, "train_seconds": 0.0} for r in MONEY_ROWS[:1]] * 2  # nothing trained
    assert "No price is set" not in " ".join(pareto.tradeoff_sentences(nothing, "train_money"))


# --- 1a: serving money on Accuracy vs cost -----------------------------------------------------------
def test_serving_money_per_million_is_compares_figure_averaged_per_strategy(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data, serve=100.0), stored_run(store, "head_only", tiny_data,
                                                                              serve=300.0),
           stored_run(store, "tfidf_logreg", tiny_data)]
    price = Prices(cpu_hour=3.6)
    rows = pareto.rows_from_runs([store.get(i) for i in ids], price)
    for r in rows:
        c = store.get(r["run_id"]).costs
        assert r["serve_money_per_million"] == serving.money_per_million(c.get("serve_texts_per_s"), 3.6)
    by = {r["strategy"]: r for r in pareto.by_strategy(rows)}
    assert by["head_only"]["serve_money_per_million"] == pytest.approx((10.0 + 10 / 3) / 2)  # 1e6 / rate s x $0.001
    assert by["tfidf_logreg"]["serve_money_per_million"] is None


def test_costs_page_shows_serving_money_where_compare_measured_it_and_says_how_elsewhere(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    stored_run(store, "head_only", tiny_data, serve=100.0)
    stored_run(store, "tfidf_logreg", tiny_data, acc=0.7)
    at = app_on("app_pages/costs.py")
    at.number_input(key="keep_pr_cpu").set_value(3.6).run()
    at.text_input(key="keep_pr_cur").set_value("EUR").run()
    no_problems(at)
    table = next(d.value for d in at.dataframe if "strategy" in d.value.columns).set_index("strategy")
    assert table.loc["head_only", "serving per million texts"] == "EUR 10.00"  # 10,000 s at EUR 3.6 an hour
    assert table.loc["tfidf_logreg", "serving per million texts"] == "not measured"
    # which price applies is said: a GPU price set for CPU runs changed nothing, without a word (a review)
    assert any("these runs trained on a CPU, so the GPU price does not apply to them" in c.value for c in at.caption)
    assert any("press *Measure serving speed* under *What serving costs* on Compare" in c.value for c in at.caption)


# --- 1c: the report projects training to more data, as the page does -----------------------------------
def test_report_projects_training_to_more_data_and_quotes_serving_money(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data, secs=36.0, serve=100.0),
           stored_run(store, "tfidf_logreg", tiny_data, secs=3.6, acc=0.7)]
    price = Prices(cpu_hour=3.6, currency="EUR")  # 0.001 a second
    page = text_of(report.build_html(store, ids, prices=price))
    i = page.index("What training would cost at 100,000 examples")
    section = page[i:page.index("Recall per class") if "Recall per class" in page else None]
    # 36 s on 500 texts: 7,200 s (2.0 h) and EUR 7.20 on 100,000, by the page's own function
    row = {"n_train": 500, "train_money": 0.036, "train_seconds": 36.0}
    assert pareto.scaled_to(row, "train_money", 100_000) == pytest.approx(7.2)
    assert "head_only 500 EUR 0.0360 2.0 h EUR 7.20 EUR 10.00" in section
    assert "tfidf_logreg 500 EUR 0.0036 12.0 min EUR 0.7200 not measured" in section
    assert "press Measure serving speed on the Compare page, then make the report again" in section
    smaller = text_of(report.build_html(store, ids, prices=price, project_to=5_000))
    assert "What training would cost at 5,000 examples" in smaller and "EUR 0.3600" in smaller


def test_report_cli_projects_to_the_size_asked_and_refuses_a_size_below_one(tiny_data, bertlab_home, tmp_path, capsys):
    from bertlab.cli import main

    store = RunStore(bertlab_home)
    stored_run(store, "tfidf_logreg", tiny_data)
    out = tmp_path / "r.html"
    assert main(["report", "--batch", "latest", "-o", str(out), "--project-to", "5000"]) == 0
    assert "What training would cost at 5,000 examples" in text_of(out.read_text(encoding="utf-8"))
    assert main(["report", "--batch", "latest", "-o", str(out)]) == 0
    assert f"What training would cost at {pareto.PROJECT_TO:,} examples" in text_of(out.read_text(encoding="utf-8"))
    with pytest.raises(SystemExit):
        main(["report", "--batch", "latest", "-o", str(out), "--project-to", "0"])
    assert "0 is below 1" in capsys.readouterr().err


def test_report_writes_prices_with_two_decimals_and_codes_spaced(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    rid = stored_run(store, "tfidf_logreg", tiny_data)
    page = text_of(report.build_html(store, [rid], prices=Prices(cpu_hour=0.5, gpu_hour=2.5, currency="EUR")))
    assert "Money = training time x EUR 0.50 per CPU machine-hour or EUR 2.50 per GPU-hour." in page


# --- 2: the report's curves by % of run where the runs' epochs differ a lot -----------------------------
def test_report_draws_curves_by_percent_of_run_when_epochs_differ_and_says_so(tiny_data, bertlab_home,
                                                                              monkeypatch):
    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data, epochs=30), stored_run(store, "full_ft", tiny_data, epochs=3)]
    runs = [store.get(i) for i in ids]
    assert report.curves_axis(runs, store.points(ids)) == (
        "progress", "Shown by % of run: head_only trains 30 epochs and full_ft 3, so by epoch full_ft would fill "
                    "only the first 10% of the axis.")
    drawn = {}

    def spy(name, real):
        def draw(*a, **k):
            drawn.setdefault(name, k)  # the first call: the report's own chart (the MLM one comes after)
            return real(*a, **k)
        return draw

    monkeypatch.setattr(plots, "validation_figure", spy("val", plots.validation_figure))
    monkeypatch.setattr(plots, "train_loss_figure", spy("loss", plots.train_loss_figure))
    page = text_of(report.build_html(store, ids))
    assert drawn["val"]["progress"] is True and drawn["loss"]["x"] == "progress"
    assert ("Validation loss and accuracy per epoch. Shown by % of run: head_only trains 30 epochs and full_ft 3, so "
            "by epoch full_ft would fill only the first 10% of the axis.") in page
    assert "Cross-entropy per optimizer step, against the share of each run's steps." in page


def test_a_stopped_runs_epochs_are_those_it_ran_in_the_axis_note(tiny_data, bertlab_home):
    """A review: full_ft cancelled after 1 of its 10 epochs beside head_only's 30: "head_only trains 30 epochs and
    full_ft 10, so by epoch full_ft would fill only the first 33%": its curve, stopped, fills a thirtieth."""
    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data, epochs=30), stored_run(store, "full_ft", tiny_data, epochs=1)]
    store.update(ids[1], config={**store.get(ids[1]).config, "epochs": 10})
    assert report.curves_axis([store.get(i) for i in ids], store.points(ids)) == ("step", "")  # 10 of 30: as planned
    store.update(ids[1], status="cancelled")
    assert report.curves_axis([store.get(i) for i in ids], store.points(ids)) == (
        "progress", "Shown by % of run: head_only trains 30 epochs and full_ft 1, so by epoch full_ft would fill "
                    "only the first 3% of the axis.")


def test_report_keeps_curves_by_step_and_epoch_for_runs_of_like_length(tiny_data, bertlab_home, monkeypatch):
    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data, epochs=8), stored_run(store, "full_ft", tiny_data, epochs=3)]
    assert report.curves_axis([store.get(i) for i in ids], store.points(ids)) == ("step", "")  # 8 / 3: under 3x
    page = text_of(report.build_html(store, ids))
    assert "Validation loss and accuracy per epoch." in page and "Shown by % of run" not in page
    assert "Cross-entropy per optimizer step." in page


def test_a_sweeps_raised_epochs_are_taken_back_in_the_projection(tiny_data):
    """A review: a sweep raised full_ft to 10 epochs at n=32 (its minimum steps) and kept 3 at n=256; projected to
    100,000 examples the first said 667 min, the second 112, where training on 100,000 would use the 3."""
    from bertlab import sweep

    store = RunStore()
    spec = sweep.SweepSpec(strategies=["full_ft", "tfidf_logreg"], sizes=[16], seeds=[0], data=tiny_data,
                           min_steps=20, common={"batch_size": 8},
                           own_minimum=False)  # raised to 20 steps alone, as a sweep stored before full_ft's 40
    sid, todo, _ = sweep.prepare(store, spec)
    ids = {}
    for cfg in todo:
        rid = ids[cfg.strategy] = store.create_run(cfg, batch_id=sid)
        store.claim(rid, "cpu")
        store.update(rid, data_summary={"sizes": {"train": 16, "validation": 8, "test": 16}})
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.9, "test_macro_f1": 0.9, "majority_accuracy": 0.5},
                     costs={"train_seconds": 10.0, "train_flops": 1e12, "trainable_params": 10})
    ft = store.get(ids["full_ft"])
    assert ft.config["epochs"] == 10  # 20 steps at 2 batches per epoch, against full_ft's own 3
    runs = store.list_runs()
    assert sweep.unraised_epochs(store, runs) == {ft.id: 3}
    rows = {r["strategy"]: r for r in pareto.rows_from_runs(runs, unraised=sweep.unraised_epochs(store, runs))}
    assert pareto.scaled_to(rows["full_ft"], "train_seconds", 1600) == pytest.approx(10.0 * 100 * 3 / 10)
    assert pareto.scaled_to(rows["tfidf_logreg"], "train_seconds", 1600) == pytest.approx(10.0 * 100)  # no epochs
    page = report.build_html(store, list(ids.values()), project_to=1600)
    assert "the projection counts the strategy's own epochs" in page


def test_serving_money_says_the_figure_to_quote_and_the_busy_machine_warning_on_every_surface(tiny_data,
                                                                                             bertlab_home):
    """zero_shot, head_only and lora do the same work per text: the report's two money sections and Accuracy vs
    cost's table showed their per-run money (24.59 / 23.43 / 20.38) without Compare's median note or its warning
    that batches slower than single texts make the money too high, so lora read 17% cheaper to serve (a review)."""
    store = RunStore(bertlab_home)
    ids = [stored_run(store, s, tiny_data, serve=rate) for s, rate in
           (("zero_shot", 40.66), ("head_only", 42.68), ("lora", 49.06))]
    for rid in ids:  # one encoder pass each; 9.5 ms one at a time (105 texts/s) beside ~43 in batches: busy
        store.update(rid, costs={**store.get(rid).costs, "inference_flops_per_text": 1e9, "serve_ms_p50": 9.5})
    price = Prices(cpu_hour=3.6, currency="EUR")
    quote = serving.same_work_note([store.get(i) for i in ids], price)
    assert quote.startswith("These runs do the same work per text")
    assert "median: 9.5 ms per text, 43 texts/s, EUR 23.43 per million texts" in quote
    assert "the money above is then too high" in quote
    page = text_of(report.build_html(store, ids, prices=price))
    serve_part = page[page.index("What serving costs"):]
    projection = page[page.index("What training would cost"):page.index("What serving costs")]
    for part in (serve_part, projection):
        assert quote in part
    at = app_on("app_pages/costs.py")
    at.number_input(key="keep_pr_cpu").set_value(3.6).run()
    at.text_input(key="keep_pr_cur").set_value("EUR").run()
    no_problems(at)
    assert any(c.value == serving.same_work_note([store.get(i) for i in ids], price, bold="**") for c in at.caption)


def test_a_currency_change_states_no_relabelled_default_price_for_a_device_no_run_used(tiny_data, bertlab_home):
    """Currency EUR and a CPU price of 3.60, the GPU price left alone: the report said 'EUR 3.60 per CPU
    machine-hour or EUR 2.50 per GPU-hour' for CPU runs, the $2.50 default relabelled (a review)."""
    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data), stored_run(store, "full_ft", tiny_data)]
    pareto.save_prices(Prices(cpu_hour=3.6, currency="EUR", unset=("gpu_hour",)))  # as the app keeps them, the GPU price left alone
    price = pareto.load_prices()
    page = text_of(report.build_html(store, ids, prices=price))
    assert "Money = training time x EUR 3.60 per CPU machine-hour. " in page
    assert "EUR 2.50" not in page
    at = app_on("app_pages/costs.py")
    at.number_input(key="keep_pr_cpu").set_value(3.6).run()
    at.text_input(key="keep_pr_cur").set_value("EUR").run()
    no_problems(at)
    charged = next(c.value for c in at.caption if c.value.startswith("Charged at"))
    assert "EUR 3.60 per CPU machine-hour" in charged and "2.50" not in charged
    # a GPU run charged at the default nobody set in EUR: said, not relabelled without a word
    store.update(ids[1], costs={**store.get(ids[1]).costs, "device": "NVIDIA H100"})
    line = text_of(report.build_html(store, ids, prices=price)).split("Money = training time x ")[1]
    assert line.startswith("EUR 3.60 per CPU machine-hour or EUR 2.50 per GPU-hour (the default $2.50, never set in "
                           "EUR: not converted). ")
    # a GPU price given (here on the CLI) is stated as it is, for GPU runs or not
    from bertlab.cli import main

    store.update(ids[1], costs={**store.get(ids[1]).costs, "device": "cpu (2 threads)"})
    out = bertlab_home / "r.html"
    assert main(["report", *ids, "-o", str(out)]) == 0
    assert "Money = training time x EUR 3.60 per CPU machine-hour. " in text_of(out.read_text(encoding="utf-8"))
    assert main(["report", *ids, "-o", str(out), "--price-gpu", "2.5"]) == 0
    assert ("Money = training time x EUR 3.60 per CPU machine-hour or EUR 2.50 per GPU-hour. "
            in text_of(out.read_text(encoding="utf-8")))


def test_a_price_typed_equal_to_the_default_is_set_not_never_set(tiny_data, bertlab_home):
    """Which prices were set is recorded, not decided by equality with the default: EUR 0.05 saved made the report
    say "EUR 0.05 per CPU machine-hour (the default $0.05, never set in EUR: not converted)" (a review)."""
    import json

    store = RunStore(bertlab_home)
    ids = [stored_run(store, "head_only", tiny_data)]
    pareto.save_prices(Prices(0.05, 2.5, "EUR"))
    price = pareto.load_prices()
    assert price.unset == ()
    page = text_of(report.build_html(store, ids, prices=price))
    assert "Money = training time x EUR 0.05 per CPU machine-hour or EUR 2.50 per GPU-hour. " in page  # both set
    assert "never set" not in page
    # a prices.json written before the "set" list: a price at its default was never set, as it said then
    (bertlab_home / pareto.PRICES_FILE).write_text(json.dumps({"cpu_hour": 1.0, "gpu_hour": 2.5, "currency": "EUR"}))
    assert pareto.load_prices().unset == ("gpu_hour",)
    (bertlab_home / pareto.PRICES_FILE).write_text("[1, 2]")
    assert pareto.load_prices().unset == ("cpu_hour", "gpu_hour")
    # on the page: a CPU price typed, then typed back to the default, is set, and a reload keeps it so
    (bertlab_home / pareto.PRICES_FILE).unlink()
    at = app_on("app_pages/costs.py")
    at.number_input(key="keep_pr_cpu").set_value(1.0).run()
    at.number_input(key="keep_pr_cpu").set_value(0.05).run()
    at.text_input(key="keep_pr_cur").set_value("EUR").run()
    no_problems(at)
    charged = next(c.value for c in at.caption if c.value.startswith("Charged at"))
    assert "EUR 0.05 per CPU machine-hour" in charged and "never set" not in charged
    saved = pareto.load_prices()
    assert (saved.cpu_hour, saved.currency, saved.unset) == (0.05, "EUR", ("gpu_hour",))
    again = app_on("app_pages/costs.py")
    no_problems(again)
    assert "never set" not in next(c.value for c in again.caption if c.value.startswith("Charged at"))


def test_a_strategys_point_averages_each_measure_over_the_runs_that_recorded_it():
    """Two seeds of one strategy, one run before serving speed was measured: its serving cost is the measured
    run's, not halved by the run without one."""
    rows = [{"strategy": "full_ft", "run_id": "a", "test_accuracy": 0.80, "train_seconds": 1800.0,
             "serve_money_per_million": 4.0, "inference_flops_per_text": None},
            {"strategy": "full_ft", "run_id": "b", "test_accuracy": 0.84, "train_seconds": 3600.0,
             "serve_money_per_million": None, "inference_flops_per_text": None}]
    (row,) = pareto.by_strategy(rows)
    assert row["n_runs"] == 2 and row["run_ids"] == ["a", "b"]
    assert row["test_accuracy"] == pytest.approx(0.82) and row["train_seconds"] == pytest.approx(2700.0)
    assert row["serve_money_per_million"] == pytest.approx(4.0)
    assert row["inference_flops_per_text"] is None


def test_costs_within_one_percent_of_the_dearer_are_all_the_same_cost():
    """SAME_COST is a share of the largest cost: 100 and 101.005 (1.005 apart: within 1% of 101.005, not of 100)
    are the same cost."""
    rows = [{"strategy": "a", "train_flops": 100.0}, {"strategy": "b", "train_flops": 101.005}]
    assert pareto.all_same_cost(rows, "train_flops")
    assert not pareto.all_same_cost(rows + [{"strategy": "c", "train_flops": 103.0}], "train_flops")
    assert not pareto.all_same_cost(rows + [{"strategy": "c", "train_flops": None}], "train_flops")


def test_tfidf_logreg_on_a_gpu_machine_is_priced_at_the_cpu_hour_it_used(tiny_data, bertlab_home):
    """On a GPU machine tfidf_logreg (scikit-learn, on the CPU) recorded the GPU as its device, so its training and
    its serving were billed at the GPU-hour ($2.50 by default, 50x the CPU-hour), though Accuracy vs cost says
    "Money = training time x the price per hour of the device the run used". Its costs now name the CPU."""
    from bertlab.models import DeviceInfo
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run

    gpu = DeviceInfo("cuda", "NVIDIA H100 80GB HBM3", True)
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    assert execute_run(store, rid, device=gpu) == SUCCEEDED
    run = store.get(rid)
    assert pareto.device_kind(run.costs["device"]) == "cpu"
    prices = Prices(cpu_hour=3.6, gpu_hour=360.0)
    (row,) = pareto.rows_from_runs([run], prices)
    assert row["train_money"] == pytest.approx(run.costs["train_seconds"] * 0.001)  # 3.6 an hour
    (csv_row,) = report.results_rows([run], prices)
    assert csv_row["train_money"] == pytest.approx(row["train_money"]) and csv_row["price_per_hour"] == 3.6
    predictor = Predictor(store)
    predictor.device = gpu  # the machine's device, as the app's predictor has it there
    m = serving.measure(store, predictor, [rid], ["a fine film", "a dull one"], singles=3, batch=2, batch_texts=4)
    assert pareto.device_kind(m[rid]["serve_device"]) == "cpu"
    # the Train page on that machine still estimates the next tfidf_logreg run from this one
    from bertlab.estimate import estimate_seconds

    sizes = run.data_summary["sizes"]
    assert estimate_seconds([run], "tfidf_logreg", run.model, gpu.name, sizes, 1, uses_epochs=False).seconds
    assert csv_row["price_per_hour"] == prices.per_hour(store.get(rid).costs["serve_device"])
