"""The benchmark's bookkeeping: every ratio the issue asks for, computed from the setups' medians (no timing)."""

from __future__ import annotations

import json

import pytest
import torch

from bench import report
from bench.common import Sample, Settings, summarize
from bertlab import paired

ISSUE_KEYS = {"full_ft_vs_trainer_default", "full_ft_vs_trainer_grouped", "head_only_vs_naive",
              "head_only_vs_embedding_pass", "embedding_pass_vs_plain", "head_only_warm_vs_cold", "first_comparison_s",
              "playground_all_runs_p95_ms", "playground_per_run_p95_ms", "fp32_ceiling_fraction"}


def _setup(seconds: float, **extra) -> dict:
    return {"seconds_median": seconds, "seconds": [seconds], "cpu_seconds_median": seconds, "peak_rss_mb": 100.0,
            "peak_rss_delta_mb": 10.0, **extra}


def fake_results() -> dict:
    return {
        "machine": {"device": "test CPU", "torch": "x", "native_bf16": False, "logical_cpus": 2,
                    "load_average_at_start": [1.0], "load_average_at_end": [1.0]},
        "settings": {"quick": True, "repeats": 1},
        "ceiling": {"fp32_gflops": 100.0, "fp32_n": 1024, "bf16_gflops": 1.0, "bf16_n": 512, "fp32_small_gflops": 50.0},
        "full_ft": {"bertlab_dtype": "fp32", "setups": {
            "bertlab": _setup(10.0, test_accuracy=0.80, useful_gflops_per_s=65.0, executed_gflops_per_s=55.0,
                              examples_per_s=20.0),
            "bertlab_all_tokens": _setup(11.5, test_accuracy=0.80),
            "bertlab_per_tensor": _setup(10.8, test_accuracy=0.80),
            "trainer_default": _setup(30.0, test_accuracy=0.805), "trainer_grouped": _setup(12.0, test_accuracy=0.80),
            "tutorial": _setup(40.0, test_accuracy=0.79)}},
        "head_only": {"setups": {"head_only_bertlab": _setup(5.0), "head_only_naive": _setup(25.0),
                                 "embedding_pass": _setup(4.5), "plain_forward": _setup(9.0)},
                      "warm_vs_cold": {"cold_seconds": 20.0, "warm_seconds": 0.5}},
        "first_comparison": {"seconds": 42.0},
        "playground": {"all_runs": {"p95_ms": 80.0}, "per_run_worst_p95_ms": 25.0},
    }


def test_every_issue_ratio_is_computed_from_the_medians():
    r = report.ratios(fake_results())
    assert ISSUE_KEYS <= set(r)
    assert r["full_ft_vs_trainer_default"] == 3.0
    assert r["full_ft_vs_trainer_grouped"] == 1.2
    assert r["full_ft_vs_trainer_all_flags"] == 1.2  # no bf16 setup on this machine: grouped is "all flags"
    assert abs(r["full_ft_accuracy_delta_vs_trainer"] - (-0.5)) < 1e-9
    assert r["head_only_vs_naive"] == 5.0 and r["embedding_pass_vs_plain"] == 2.0
    assert abs(r["head_only_vs_embedding_pass"] - 5 / 4.5) < 1e-9
    assert r["head_only_warm_vs_cold"] == 0.025 and r["fp32_ceiling_fraction"] == 0.65
    assert r["fp32_ceiling_fraction_executed"] == 0.55 and r["full_ft_first_token_speedup"] == 1.15
    assert abs(r["full_ft_flat_weights_speedup"] - 1.08) < 1e-9
    assert r["bf16_ceiling_fraction"] is None  # bertlab did not train in bf16
    assert r["full_ft_matmul_bound_vs_trainer_default"] is None  # no profiler breakdown in this result
    res = fake_results()
    res["full_ft"]["flops"] = {"time_breakdown": {"matmul_share": 0.5}}
    r = report.ratios(res)
    assert r["full_ft_matmul_bound_vs_trainer_default"] == 6.0 and r["full_ft_matmul_bound_vs_trainer_grouped"] == 2.4


def test_on_a_native_bf16_machine_the_fp32_target_reads_the_fp32_peer_and_bf16_reads_bertlab():
    res = fake_results()
    ft = res["full_ft"]
    ft["bertlab_dtype"] = "bfloat16"
    res["ceiling"]["bf16_gflops"] = 400.0
    ft["setups"]["bertlab"]["useful_gflops_per_s"] = 100.0
    assert report.ratios(res)["fp32_ceiling_fraction"] is None  # no fp32 run of bertlab: nothing to compare
    ft["setups"]["bertlab_fp32"] = _setup(20.0, useful_gflops_per_s=40.0, executed_gflops_per_s=35.0)
    r = report.ratios(res)
    assert r["bf16_ceiling_fraction"] == 0.25 and r["fp32_ceiling_fraction"] == 0.40
    assert r["fp32_ceiling_fraction_executed"] == 0.35


def test_verdicts_and_table_name_every_ratio(tmp_path):
    res = fake_results()
    res["ratios"] = report.ratios(res)
    res["targets"] = report.verdicts(res["ratios"])
    t = res["targets"]
    assert t["full_ft_vs_trainer_default"]["met"] is True and t["full_ft_vs_trainer_grouped"]["met"] is False
    assert t["playground_per_run_p95_ms"]["met"] is False and t["playground_all_runs_p95_ms"]["met"] is True
    assert t["bf16_ceiling_fraction"]["met"] is None
    text = report.table(res)
    for k in res["ratios"]:
        assert k in text
    assert text.rstrip().splitlines()[-1].startswith("full_ft_matmul_bound_vs_trainer_grouped")  # ratios come last
    report.write(res, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["ratios"] == res["ratios"]


def test_summary_takes_the_median_and_keeps_one_off_figures():
    samples = [Sample(3.0, 2.0, 300, 30, {"test_accuracy": 0.9}), Sample(1.0, 1.0, 200, 20, {}),
               Sample(2.0, 1.5, 250, 25, {})]
    s = summarize(samples)
    assert s["seconds_median"] == 2.0 and s["cpu_seconds_median"] == 1.5
    assert s["test_accuracy"] == 0.9 and s["peak_rss_mb"] == 300 / 2**20


def test_summary_keeps_the_accuracy_and_seed_of_every_repeat():
    samples = [Sample(1.0, 1.0, 1, 1, {"test_accuracy": a, "seed": k}) for k, a in enumerate([0.78, 0.80, 0.76])]
    s = summarize(samples)
    assert s["test_accuracy"] == 0.78 and s["seed"] == 0  # the first repeat's, as before
    assert s["test_accuracy_per_repeat"] == [0.78, 0.80, 0.76] and s["seed_per_repeat"] == [0, 1, 2]
    assert "test_accuracy_per_repeat" not in summarize(samples[:1])  # one repeat: nothing to list


def test_accuracy_target_is_the_mean_of_per_seed_differences():
    res = fake_results()
    ft = res["full_ft"]["setups"]
    ft["bertlab"].update(test_accuracy=0.80, test_accuracy_per_repeat=[0.80, 0.77, 0.79], seed_per_repeat=[0, 1, 2])
    ft["trainer_default"].update(test_accuracy=0.78, test_accuracy_per_repeat=[0.78, 0.79, 0.78],
                                 seed_per_repeat=[0, 1, 2])
    r = report.ratios(res)
    assert r["full_ft_accuracy_delta_first_seed"] == pytest.approx(2.0)
    assert r["full_ft_accuracy_delta_vs_trainer"] == pytest.approx((2.0 - 2.0 + 1.0) / 3)
    # repeats at other seeds than the peer's are not paired: only the first repeats compare
    ft["trainer_default"]["seed_per_repeat"] = [5, 6, 7]
    assert report.ratios(res)["full_ft_accuracy_delta_vs_trainer"] == pytest.approx(2.0)
    text = report.table({**res, "ratios": report.ratios(res), "targets": report.verdicts(report.ratios(res))})
    assert "acc/seed (seeds 0, 1, 2)" in text and "0.800 0.770 0.790" in text


def test_quick_mode_is_smaller_than_full():
    q, f = Settings.make(True), Settings.make(False)
    assert q.train_size < f.train_size and q.repeats < f.repeats
    assert Settings.make(True, repeats=2, train_size=None).repeats == 2


def test_full_ft_time_breakdown_runs_on_a_tiny_model(tiny_model, tiny_data):
    """The profiler section of the bench (kept running so it does not rot); shares add up to one."""
    from bench import full_ft
    from bertlab.data import load_splits

    s = Settings.make(True, model=tiny_model, batch_size=8, max_length=32)
    tb = full_ft.time_breakdown(load_splits(tiny_data), s, steps=2)
    assert tb["steps"] == 2
    assert abs(tb["matmul_share"] + tb["optimizer_share"] + tb["other_share"] - 1) < 1e-9
    assert 0 < tb["matmul_share"] < 1 and tb["top_ops"]


def test_int8_check_compares_a_finished_run(tiny_model, tiny_data):
    from bench import int8_check
    from bertlab.data import load_splits
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, batch_size=8,
                                       max_length=32))
    assert execute_run(store, rid) == SUCCEEDED
    (r,) = int8_check.main(["--limit", "1"])
    assert r["run"] == rid and r["test_texts"] == len(load_splits(tiny_data).test)
    assert 0 <= r["same_label_fraction"] <= 1 and r["int8_one_sentence_p95_ms"] > 0


def test_playground_first_token_peer_compares_both_graphs(tiny_model, tiny_data):
    """The playground's peer: every-position graphs against first-token graphs, asked alternately, same answers."""
    pytest.importorskip("onnxruntime")
    from bench import playground
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    ids = [store.create_run(make_config(n, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32))
           for n in ("full_ft", "tfidf_logreg")]
    assert all(execute_run(store, r) == SUCCEEDED for r in ids)
    res = playground.first_token_peer(store, ids, ["fun", "a dull and overlong film", "ok"])
    assert res["first_token"]["n"] == res["all_positions"]["n"] == 3
    assert res["same_answers"]["same_labels"] and res["same_answers"]["max_prob_diff"] < 1e-4
    assert res["all_onnxruntime"] and res["speedup_p50"] > 0
    # the last export was the first-token graph, and it replaced the every-position one
    names = [p.name for p in store.artifact_path(ids[0]).glob(".onnx/*.onnx")]
    assert len(names) == 1 and "all-positions" not in names[0]


def test_omp_policy_trains_under_both_policies(tiny_model, tmp_path):
    import glob
    import tempfile

    import psutil

    from bench import omp_policy

    homes = set(glob.glob(f"{tempfile.gettempdir()}/bertlab-omp-*"))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    res = omp_policy.run(train_size=32, repeats=1, hogs=1, model=tiny_model, spins=(10000, 50000))
    # each probe's data home (a saved model) is removed: 170 of them had filled /tmp
    assert set(glob.glob(f"{tempfile.gettempdir()}/bertlab-omp-*")) <= homes
    assert set(res["seconds"]) == {"bertlab default", "PASSIVE", "OpenMP default", "PASSIVE, GOMP_SPINCOUNT=10000",
                                   "PASSIVE, GOMP_SPINCOUNT=50000"}
    assert all(len(v) == 1 and v[0] > 0 for v in res["seconds"].values())
    assert res["passive_vs_default"] > 0 and res["passive_vs_spin_50000"] > 0 and res["hogs"] == 1
    assert res["passive_vs_bertlab_default"] > 0
    out = tmp_path / "omp.json"
    omp_policy.append(str(out), res)
    omp_policy.append(str(out), {**res, "hogs": 2})
    kept = json.loads(out.read_text())
    assert [r["hogs"] for r in kept] == [1, 2] and kept[0]["date"]
    assert kept[0]["median_seconds"] == res["median_seconds"]
    alive = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()
             and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive  # the CPU hog is gone


def test_full_ft_repeat_r_trains_every_setup_at_seed_plus_r(tiny_model, tiny_data):
    """Each repeat has its own seed, the same for every setup, and measures test accuracy (compared seed by seed)."""
    from bench import full_ft
    from bertlab.data import load_splits

    s = Settings.make(True, model=tiny_model, batch_size=8, max_length=32, seed=3)
    fns = full_ft.setups(load_splits(tiny_data), s)
    for name in ("bertlab", "tutorial"):
        outs = [fns[name](r) for r in (0, 1)]
        assert [o["seed"] for o in outs] == [3, 4]
        assert all(0 <= o["test_accuracy"] <= 1 for o in outs)


def test_full_ft_section_compares_bertlab_and_the_trainer_text_by_text_at_every_seed(tiny_model, tiny_data):
    from bench import common, full_ft
    from bertlab.data import load_splits

    s = Settings.make(True, model=tiny_model, batch_size=8, max_length=32, seed=3)
    splits = load_splits(tiny_data)
    fns = {k: v for k, v in full_ft.setups(splits, s).items() if k in ("bertlab", "trainer_default", "tutorial")}
    samples = common.interleaved(fns, 2, log=lambda m: None)
    tests = full_ft.paired_tests_per_repeat(splits.test.labels, samples)
    assert list(tests) == ["trainer_default"]  # Trainer setups only: the tutorial loop is no peer here
    for r, t in enumerate(tests["trainer_default"]):
        a, b = (samples[k][r].info["test_accuracy"] for k in ("bertlab", "trainer_default"))
        assert t["seed"] == 3 + r and t["difference_points"] == pytest.approx(100 * (a - b))
        assert t["p_mcnemar"] == paired.mcnemar_p(t["bertlab_only_right"], t["peer_only_right"])
    res = fake_results()
    res["full_ft"]["paired_tests"] = tests
    res["ratios"] = report.ratios(res)
    res["targets"] = report.verdicts(res["ratios"])
    res["head_only"] = {"setups": {"head_only_bertlab": _setup(1.0)}}
    text = report.table(res)
    at = text.index("bertlab vs trainer_default, text by text")
    assert text.index("full_ft: median") < at < text.index("head_only: median")  # under the full_ft table


def test_full_ft_per_tensor_setup_turns_only_the_flat_weights_off(tiny_model, tiny_data):
    from bench import full_ft
    from bertlab import models
    from bertlab.data import load_splits

    s = Settings.make(True, model=tiny_model, batch_size=8, max_length=32)
    splits, tok = load_splits(tiny_data), models.load_tokenizer(tiny_model)
    outs = [full_ft.bertlab_setup(splits, s, tok, torch.device("cpu"), torch.bfloat16, flat=f)(0) for f in (True, False)]
    assert [o["flat_weights"] for o in outs] == [True, False]
    assert all(o["ceiling_gflops"] > 0 for o in outs)  # the bf16 ceiling, measured beside the repeat
    assert all(o["first_token_last_layer"] and o["examples"] == len(splits.train) for o in outs)
    fp32 = full_ft.bertlab_setup(splits, s, tok, torch.device("cpu"), None)(0)
    assert not fp32["flat_weights"]  # autocast off: nothing to cast


def test_accuracy_seeds_runs_each_setup_at_each_seed(tiny_model):
    from bench import accuracy_seeds

    res = accuracy_seeds.run([0, 1], quick=True, model=tiny_model)
    assert res["seeds"] == [0, 1]
    for k in accuracy_seeds.SETUPS:
        assert len(res["accuracy"][k]) == 2 and all(0 <= a <= 1 for a in res["accuracy"][k])
        assert abs(res["mean"][k] - sum(res["accuracy"][k]) / 2) < 1e-12
    d = res["bertlab_minus_trainer_default_points"]
    assert abs(d - (res["mean"]["bertlab"] - res["mean"]["trainer_default"]) * 100) < 1e-9
    # At each seed, bertlab against each Trainer text by text: the split of the texts only one gets right gives
    # the same accuracy difference as the two accuracies.
    for peer in ("trainer_default", "trainer_grouped"):
        tests = res["paired_tests"][peer]
        assert [t["seed"] for t in tests] == [0, 1]
        for t, diff in zip(tests, res[f"per_seed_minus_{peer}_points"]["values"]):
            assert t["difference_points"] == pytest.approx(diff)
            assert t["difference_points"] == pytest.approx(100 * (t["bertlab_only_right"] - t["peer_only_right"])
                                                           / res["test_size"])
            assert 0 < t["p_mcnemar"] <= 1


def test_benchmark_results_leave_out_the_test_predictions():
    from bench.common import Sample, summarize

    samples = [Sample(1.0, 1.0, 0, 0, {"test_accuracy": 0.5, "_test_predictions": [0, 1]}) for _ in range(2)]
    out = summarize(samples)
    assert "_test_predictions" not in out and out["test_accuracy_per_repeat"] == [0.5, 0.5]


def test_accuracy_seeds_add_runs_only_new_seeds_and_keeps_the_old(tmp_path, monkeypatch):
    from bench import accuracy_seeds as acs

    calls = []

    def fake_run(seeds, quick=False, model=None):
        calls.append(list(seeds))
        acc = {k: [0.7 + 0.01 * s + 0.001 * i for s in seeds] for i, k in enumerate(acs.SETUPS)}
        return acs.summarize(seeds, acc, 100, 50)

    monkeypatch.setattr(acs, "run", fake_run)
    out = tmp_path / "acc.json"
    out.write_text(json.dumps(acs.add_seeds([0, 1], out)))
    both = acs.add_seeds([0, 1, 2], out)
    assert calls == [[0, 1], [2]] and both["seeds"] == [0, 1, 2]
    assert both["accuracy"]["bertlab"] == pytest.approx([0.70, 0.71, 0.72])
    d = both["per_seed_minus_trainer_default_points"]  # bertlab is 0.001 below the default Trainer at every seed
    assert d["values"] == pytest.approx([-0.1] * 3) and d["mean"] == pytest.approx(-0.1)
    assert d["standard_error"] == pytest.approx(0, abs=1e-9)
    monkeypatch.setattr(acs, "run", lambda seeds, quick=False, model=None:
                        acs.summarize(seeds, {k: [0.5] * len(seeds) for k in acs.SETUPS}, 999, 50))
    with pytest.raises(SystemExit, match="other sizes"):
        acs.add_seeds([3], out)


def test_accuracy_seeds_only_adds_fp16_at_the_seeds_already_there(tmp_path, monkeypatch):
    from bench import accuracy_seeds as acs

    acc = {k: [0.70, 0.72] for k in (*acs.SETUPS, "bertlab_fp32")}
    out = tmp_path / "acc.json"
    out.write_text(json.dumps(acs.summarize([3, 5], acc, 100, 50)))
    calls = []

    def fake_run(seeds, quick=False, model=None, only=None):
        calls.append((list(seeds), only))
        return {"bertlab_fp16": [0.71, 0.72]}

    monkeypatch.setattr(acs, "run", fake_run)
    res = acs.add_setups(["bertlab_fp16"], out)
    assert calls == [([3, 5], ["bertlab_fp16"])]
    assert res["accuracy"]["bertlab"] == [0.70, 0.72] and res["accuracy"]["bertlab_fp16"] == [0.71, 0.72]
    assert res["per_seed_fp16_minus_fp32_points"]["values"] == pytest.approx([1.0, 0.0])


def test_accuracy_seeds_fp16_setup_trains_in_fp16(tiny_model, monkeypatch):
    from bench import accuracy_seeds as acs
    from bench import full_ft

    dtypes, real = [], full_ft.bertlab_setup
    monkeypatch.setattr(full_ft, "bertlab_setup", lambda *a, **k: dtypes.append(a[4]) or real(*a, **k))
    acc = acs.run([0], quick=True, model=tiny_model, only=["bertlab_fp16"])
    assert list(acc) == ["bertlab_fp16"] and 0 <= acc["bertlab_fp16"][0] <= 1
    assert dtypes[-1] == torch.float16


def test_flop_figures_count_what_the_first_token_path_skips(tiny_model, tiny_data):
    """Useful FLOP/s is 6NT for every setup; executed FLOP/s is lower only where the first-token path ran."""
    from bench import full_ft
    from bertlab.clsonly import skipped_params
    from bertlab.data import load_splits

    splits = load_splits(tiny_data)
    s = Settings.make(True, model=tiny_model, max_length=32)
    summary = {"bertlab": _setup(2.0, examples=len(splits.train), first_token_last_layer=True),
               "bertlab_all_tokens": _setup(2.0, examples=len(splits.train), first_token_last_layer=False)}
    f = full_ft.flop_figures(splits, s, summary)
    model = full_ft._new_model(s, splits.label_names)
    n = skipped_params(model)
    layer = model.bert.encoder.layer[-1]
    assert n == sum(p.numel() for p in layer.parameters()) - 2 * sum(p.numel() for p in layer.attention.self.key.parameters())
    assert f["skipped_by_first_token_last_layer"] == 6.0 * n * (f["real_train_tokens"] - len(splits.train))
    a, b = summary["bertlab"], summary["bertlab_all_tokens"]
    assert a["useful_gflops_per_s"] == b["useful_gflops_per_s"] == b["executed_gflops_per_s"]
    assert a["executed_gflops_per_s"] == (f["train_flops"] - f["skipped_by_first_token_last_layer"]) / 2.0 / 1e9
    assert 0 < f["skipped_fraction"] < 0.5
    lm = f["layer_matmul_gflops"]  # the matmul rate at the step's own shapes, measured beside the figures
    assert lm["tokens"] == round(s.batch_size * f["mean_tokens"]) and lm["fp32"] > 0


def test_flop_figures_pair_each_repeat_with_the_ceiling_measured_beside_it(tiny_model, tiny_data):
    from bench import full_ft
    from bertlab.data import load_splits

    splits = load_splits(tiny_data)
    s = Settings.make(True, model=tiny_model, max_length=32)
    bert = _setup(2.0, examples=len(splits.train))
    bert.update(seconds=[2.0, 4.0, 1.0], ceiling_gflops_per_repeat=[100.0, 80.0, 100.0])
    f = full_ft.flop_figures(splits, s, {"bertlab": bert})
    per = [f["train_flops"] / sec / 1e9 / c for sec, c in ((2.0, 100.0), (4.0, 80.0), (1.0, 100.0))]
    assert bert["ceiling_fraction_per_repeat"] == per and bert["ceiling_fraction_paired"] == per[0]  # the median
    res = fake_results()
    res["full_ft"]["setups"]["bertlab"]["ceiling_fraction_paired"] = 0.7
    r = report.ratios(res)
    assert r["fp32_ceiling_fraction"] == 0.7 and r["fp32_ceiling_fraction_run_ceiling"] == 0.65


def test_layer_matmul_gflops_times_a_layers_products(monkeypatch):
    """FLOPs counted are 6 x tokens x the layer's weights; the time is the best round's."""
    from bench import common

    clock = iter(float(i) for i in range(1000))  # every perf_counter call advances one second
    monkeypatch.setattr(common.time, "perf_counter", lambda: next(clock))
    rate = common.layer_matmul_gflops(torch.float32, hidden=8, intermediate=32, tokens=10, reps=2)
    weights = 4 * 8 * 8 + 2 * 8 * 32
    assert rate == pytest.approx(6 * 10 * weights / (1 / 5) / 1e9)  # 5 rounds per timed second


def test_app_refresh_summary_takes_medians_and_ratios_to_the_closed_page():
    from bench.app_refresh import summarize

    def row(train):
        return {"train_seconds": train, "eval_seconds": 1.0, "server_cpu_seconds": 2.0, "browser_cpu_seconds": 3.0,
                "server_rss_mb": 900.0}

    res = summarize({"page closed": [row(40), row(50), row(44)], "Compare open": [row(60), row(66)],
                     "Compare open, Streamlit's GC": []})
    assert res["median"]["page closed"]["train_seconds"] == 44
    assert res["train_time_vs_page_closed"] == {"Compare open": 63 / 44}


def test_a_quick_run_never_overwrites_the_full_results():
    from pathlib import Path

    from bench.__main__ import QUICK_RESULTS, RESULTS, parse_args

    assert parse_args([]).out == RESULTS and parse_args(["--quick"]).out == QUICK_RESULTS != RESULTS
    assert parse_args(["--quick", "--out", "x.json"]).out == Path("x.json")  # an explicit path wins


def test_measuring_a_ceiling_leaves_torchs_random_stream_alone():
    """bertlab's full_ft repeats measure the ceiling between building the model and training it."""
    from bench.common import matmul_gflops

    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    matmul_gflops(torch.float32, 64, reps=1)
    assert torch.equal(torch.rand(3), expected)


def test_tfidf_serving_compares_the_counter_built_once_with_one_built_every_call():
    """The bench behind the Playground's tfidf_logreg latency (a review: ~40 ms a text, built every call): both ways
    run on the same texts and give the same probabilities; a model's counter is built once, then reused."""
    from bench import tfidf_serving
    from bertlab.strategies.tfidf_logreg import TfidfModel

    res = tfidf_serving.run(["rotten_tomatoes"], repeats=1, train_size=200, texts_per_repeat=3)
    row = res["setups"]["rotten_tomatoes"]
    assert row["same_probabilities"] and row["terms"] > 100 and row["n_train"] <= 200
    assert {k: v["n"] for k, v in row["one_text"].items()} == {"built once (bertlab)": 3,
                                                               "built every call (before)": 3}
    model, _ = TfidfModel.fit(["a good film", "a bad film", "good fun", "bad plot"], [1, 0, 1, 0], C=1.0,
                              ngram_max=2, max_features=None, seed=0)
    first = model.predict_proba(["a good plot"])
    counter = model._counter
    assert counter is not None and model.predict_proba(["a good plot"]).tolist() == first.tolist()
    assert model._counter is counter  # reused, not rebuilt
