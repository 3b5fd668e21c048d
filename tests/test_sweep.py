"""Learning-curve sweeps: planning, resuming by config identity, results and the figure."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bertlab import sweep
from bertlab.config import DataConfig
from bertlab.data import load_splits
from bertlab.errors import ConfigError
from bertlab.jobs import JobManager
from bertlab.runner import execute_run
from bertlab.store import QUEUED, SUCCEEDED, RunStore
from bertlab.strategies import make_config

FAST = ["tfidf_logreg", "head_only"]  # strategies that cost seconds on the tiny model


def spec_for(tiny_model, tiny_data, **kw) -> sweep.SweepSpec:
    data = DataConfig(**{**tiny_data.__dict__, "val_size": 10, "test_size": 16})
    base = {"strategies": FAST, "sizes": [8, 16], "seeds": [0, 1], "data": data, "model": tiny_model,
            "common": {"max_length": 32, "batch_size": 8}}
    return sweep.SweepSpec(**{**base, **kw})


def test_plan_varies_size_and_seed_and_is_deterministic(tiny_model, tiny_data):
    spec = spec_for(tiny_model, tiny_data, strategies=["full_ft", "tfidf_logreg"], sizes=[16, 8, None])
    pts = sweep.plan(spec)
    assert len(pts) == spec.n_points == 12
    assert [p.size for p in pts[:4]] == [8] * 4  # small sizes first
    assert {(p.strategy, p.size, p.seed) for p in pts} == {
        (s, n, seed) for s in ("full_ft", "tfidf_logreg") for n in (8, 16, None) for seed in (0, 1)}
    again = sweep.plan(spec)
    assert [sweep.config_key(p.config) for p in pts] == [sweep.config_key(p.config) for p in again]
    for p in pts:
        assert p.config.data.train_size == p.size
        assert p.config.seed == p.seed and p.config.data.seed == p.seed  # vary_split
        assert p.config.max_length == 32
        if p.size is not None:
            assert p.config.batch_size <= p.size
            assert p.config.data.val_size <= p.size  # cap_val


def test_min_steps_raises_epochs_for_small_sizes(tiny_model, tiny_data):
    # own_minimum=False: raised to min_steps alone (full_ft's own 40: test_fine_tuning_points_reach_their_...)
    spec = spec_for(tiny_model, tiny_data, strategies=["full_ft"], sizes=[8, 64], seeds=[0], min_steps=20,
                    own_minimum=False)
    by_size = {p.size: p.config for p in sweep.plan(spec)}
    assert by_size[8].epochs == 20  # 1 step per epoch at batch 8
    assert by_size[64].epochs == 3  # 8 steps per epoch -> ceil(20 / 8)
    off = spec_for(tiny_model, tiny_data, strategies=["full_ft"], sizes=[8], seeds=[0], min_steps=0)
    assert sweep.plan(off)[0].config.epochs == make_config("full_ft").epochs  # the strategy default


def test_fine_tuning_points_reach_their_strategy_own_minimum(tiny_model, tiny_data, tmp_path):
    """full_ft/lora need FINE_TUNE_STEPS (40): raised to the sweep's 20 alone, full_ft at 32 texts trained 20 steps
    and its run said "only 20 optimizer steps ... too few"."""
    from bertlab.strategies.classifier import FINE_TUNE_STEPS, few_steps_note

    spec = spec_for(tiny_model, tiny_data, strategies=["full_ft", "lora", "partial_ft", "dapt", "scratch"],
                    sizes=[8, 32, 128], seeds=[0], min_steps=20, common={"max_length": 32})
    for p in sweep.plan(spec):
        steps = -(-p.size // p.config.batch_size) * p.config.epochs
        assert few_steps_note(p.size, p.config.batch_size, p.config.epochs, FINE_TUNE_STEPS if p.strategy != "scratch"
                              else 20) is None, (p.strategy, p.size, steps)
    by = {(p.strategy, p.size): p.config for p in sweep.plan(spec)}
    assert by[("full_ft", 32)].epochs == 20 and by[("full_ft", 128)].epochs == 5  # 2 and 8 steps an epoch at 16
    assert by[("scratch", 32)].epochs == 20  # its own minimum is the sweep's 20: 1 step an epoch at 32
    more = dataclasses.replace(spec, min_steps=60)  # a user's minimum above the strategy's own wins
    assert {p.size: p.config.epochs for p in sweep.plan(more) if p.strategy == "full_ft"} == {8: 60, 32: 30, 128: 8}
    off = dataclasses.replace(spec, min_steps=0)  # 0: no point is raised, the strategy's own minimum neither
    assert all(p.config.epochs == make_config(p.strategy).epochs for p in sweep.plan(off))
    # The projection reads the epochs without the raise, for this sweep as for one raised to 20 alone.
    store = RunStore(tmp_path / "home")
    sid = sweep.save_sweep(store, spec)
    cfg = by[("full_ft", 32)]
    rid = store.create_run(cfg, batch_id=sid)
    assert sweep.unraised_epochs(store, [store.get(rid)]) == {rid: make_config("full_ft").epochs}


def test_a_sweep_stored_before_the_own_minimum_keeps_its_points(tiny_model, tiny_data, tmp_path):
    spec = spec_for(tiny_model, tiny_data, strategies=["full_ft"], sizes=[32], seeds=[0], min_steps=20)
    old = {k: v for k, v in spec.to_dict().items() if k != "own_minimum"}  # as a sweep saved before it was written
    assert sweep.plan(sweep.SweepSpec.from_dict(old))[0].config.epochs == 5  # 4 steps an epoch: 20, as run
    assert sweep.plan(sweep.SweepSpec.from_dict(spec.to_dict()))[0].config.epochs == 10  # 40, its own minimum


def test_a_sweep_stored_before_a_default_changed_keeps_its_points(tiny_model, tiny_data, tmp_path):
    # lora trained at batch 32 by default until 2026-12-05: a sweep stored then, read with today's batch 16, showed
    # its finished lora points as missing (Learning curves, `runs`) and `sweep --sweep-id` trained them again
    store = RunStore(tmp_path)
    spec = spec_for(tiny_model, tiny_data, strategies=["lora", "tfidf_logreg"], sizes=[32], seeds=[0],
                    common={"max_length": 32})
    old = {k: v for k, v in spec.to_dict().items() if k != "former_defaults"}  # as a sweep saved before it existed
    then = dataclasses.replace(spec, per_strategy={"lora": {"batch_size": 32}})  # its points as planned then
    sweep_id = "sweep-20261204-120000-abcd"
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "sweeps" / f"{sweep_id}.json").write_text(json.dumps({"id": sweep_id, "created": 0.0, "spec": old}))
    for pt in sweep.plan(then):  # its runs, trained by the code of its day
        store.finish(store.create_run(pt.config, batch_id=sweep_id), SUCCEEDED)
    assert sweep.plan(then)[0].config.batch_size == 32
    loaded = sweep.load_sweep(store, sweep_id)
    assert sweep.split_points(store, loaded)[0] == []  # nothing to train again
    assert len(sweep.point_runs(store, [sweep_id])[sweep_id]) == 2  # both points held
    assert loaded.former_defaults == {"lora": {"batch_size": 32}}
    assert sweep.find_sweep(store, loaded) == sweep_id
    # a sweep stored now plans today's defaults, whatever runs of old defaults the store holds
    fresh = sweep.SweepSpec.from_dict(spec.to_dict())
    assert fresh.former_defaults == {} and sweep.plan(fresh)[0].config.batch_size == 16
    assert sweep.find_sweep(store, fresh) is None
    assert [c.strategy for c in sweep.split_points(store, fresh)[0]] == ["lora"]


def test_fixed_split_keeps_data_seed(tiny_model, tiny_data):
    spec = spec_for(tiny_model, tiny_data, vary_split=False, seeds=[3, 4])
    assert {p.config.data.seed for p in sweep.plan(spec)} == {tiny_data.seed}


@pytest.mark.parametrize("kw, fragment", [
    ({"strategies": []}, "strategies is empty"),
    ({"strategies": ["nope"]}, "unknown"),
    ({"sizes": []}, "sizes is empty"),
    ({"sizes": [1]}, "at least 2"),
    ({"sizes": [8, 8]}, "repeat"),
    ({"seeds": [-1]}, "seeds"),
    ({"min_steps": -1}, "min_steps"),
    # a non-bool was taken for its truth: 'no' as true, None as false (a JSON spec written by hand, the API)
    ({"cap_val": "no"}, r"^cap_val must be true or false, got 'no'\.$"),
    ({"vary_split": None}, r"^vary_split must be true or false, got None\.$"),
    ({"vary_split": 1}, r"^vary_split must be true or false, got 1\.$"),
    ({"own_minimum": "yes"}, r"^own_minimum must be true or false, got 'yes'\.$"),
])
def test_bad_specs_say_what_to_fix(tiny_model, tiny_data, kw, fragment):
    with pytest.raises(ConfigError, match=fragment):
        spec_for(tiny_model, tiny_data, **kw)


def test_test_set_fixed_and_train_sets_nested_across_sizes(tiny_data):
    small = load_splits(DataConfig(**{**tiny_data.__dict__, "train_size": 8}))
    big = load_splits(DataConfig(**{**tiny_data.__dict__, "train_size": 24}))
    assert small.test.texts == big.test.texts
    assert set(small.train.texts) < set(big.train.texts)


def test_sweep_through_job_manager_resumes_without_recomputing(tiny_model, tiny_data):
    store = RunStore()
    jm = JobManager(store)
    try:
        spec = spec_for(tiny_model, tiny_data)
        sub = sweep.submit(jm, spec)
        assert len(sub.submitted) == 8 and sub.reused == []
        assert jm.wait_idle(timeout=600)
        rows = sweep.collect(store, spec)
        assert [r["status"] for r in rows] == [SUCCEEDED] * 8, [r["error"] for r in rows]
        assert {r["n_train"] for r in rows} == {8, 16}
        for r in rows:  # the rarest class's share of the test set, which the sweep's default measure reads
            support = [c["support"] for c in store.get(r["run_id"]).metrics["per_class"].values() if c["support"]]
            assert r["rarest_share"] == pytest.approx(min(support) / sum(support))
        assert all(store.get(r["run_id"]).batch_id == sub.sweep_id for r in rows)
        # The same seed sees the same test set at every size.
        for seed in (0, 1):
            tests = {store.get(r["run_id"]).data_summary["sizes"]["test"] for r in rows if r["seed"] == seed}
            assert len(tests) == 1
        again = sweep.submit(jm, spec)
        assert again.submitted == [] and sorted(again.reused) == sorted(r["run_id"] for r in rows)
        # the same spec again is the same sweep, not a second record of it (a double click, the same command)
        assert again.sweep_id == sub.sweep_id and len(sweep.list_sweeps(store)) == 1
        # A larger sweep only computes its new points.
        bigger = spec_for(tiny_model, tiny_data, sizes=[8, 16, 24])
        more = sweep.submit(jm, bigger)
        assert len(more.submitted) == 4 and len(more.reused) == 8
        assert jm.wait_idle(timeout=600)
    finally:
        jm.shutdown()
    agg = sweep.aggregate(sweep.collect(store, bigger))
    assert len(agg) == 6 and all(a["n_seeds"] == 2 for a in agg)
    for a in agg:
        accs = [r["test_accuracy"] for r in sweep.collect(store, bigger)
                if r["strategy"] == a["strategy"] and r["size"] == a["size"]]
        assert a["mean"] == pytest.approx(sum(accs) / 2)
        assert a["std"] == pytest.approx(abs(accs[0] - accs[1]) / 2 ** 0.5)
    assert [s["id"] for s in sweep.list_sweeps(store)][0] in (more.sweep_id, again.sweep_id, sub.sweep_id)
    assert sweep.load_sweep(store, more.sweep_id).sizes == [8, 16, 24]


def test_aggregate_and_figure_from_rows():
    rows = [{"strategy": s, "size": n, "seed": k, "test_accuracy": acc, "n_train": n, "train_seconds": 1.0,
             "train_flops": 1.0, "majority_accuracy": 0.5, "status": SUCCEEDED}
            for s, n, k, acc in [("a", 10, 0, 0.6), ("a", 10, 1, 0.8), ("a", 100, 0, 0.9), ("a", 100, 1, 0.9),
                                 ("b", 10, 0, 0.7), ("b", 10, 1, None), ("b", 100, 0, 0.75), ("b", 100, 1, 0.85)]]
    agg = {(a["strategy"], a["size"]): a for a in sweep.aggregate(rows)}
    assert agg[("a", 10)]["mean"] == pytest.approx(0.7) and agg[("a", 10)]["std"] == pytest.approx(0.1414, abs=1e-4)
    # one seed has no spread to show: none, not a reassuring 0.0 (no error bar; the text table prints no "±")
    assert agg[("b", 10)]["n_seeds"] == 1 and agg[("b", 10)]["std"] is None
    assert "0.700 (1)" in sweep.format_curves(list(agg.values()))
    fig = sweep.learning_curve_figure(list(agg.values()))
    assert fig.layout.xaxis.type == "log"
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["a", "b"]
    a, a_bars = fig.data[:2]
    assert list(a.x) == [10, 100] and list(a.y) == pytest.approx([0.7, 0.9])
    assert list(a_bars.error_y.array) == pytest.approx([0.1414, 0.0], abs=1e-4)
    text = sweep.format_curves(list(agg.values()))
    assert "0.700±0.141 (2)" in text and "b" in text


def test_cli_sweep_runs_then_resumes(tiny_model, tiny_csv, capsys, tmp_path):
    from bertlab.cli import main

    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "8", "all", "--seeds", "0", "--val-size", "10", "--test-size", "16", "--max-length", "32",
            "--json", "--html", str(tmp_path / "lc.html")]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["status"] for p in out["points"]] == [SUCCEEDED, SUCCEEDED]
    assert out["points"][1]["size"] is None and out["points"][1]["n_train"] > 8
    assert "plotly" in (tmp_path / "lc.html").read_text()
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "0 new" in captured.err and json.loads(captured.out)["points"] == out["points"]


def test_cli_sweep_json_names_seeds_as_runs_json_does(tiny_model, tiny_csv, capsys):
    """A review: one run was `"seed": 1` in `sweep --json`'s points (the plan's seed) and `"seed": null` in `runs
    --json` (no seed changes tfidf_logreg), whose `split_seed` the sweep did not give. Now both say seed and
    split_seed alike, and the plan's seed is `sweep_seed`."""
    from bertlab.cli import main

    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg", "head_only",
            "--sizes", "8", "--seeds", "1", "--val-size", "10", "--test-size", "16", "--max-length", "32", "--json"]
    for extra, split_seed in (([], 1), (["--fixed-split"], 0)):
        assert main(base + extra) == 0
        points = json.loads(capsys.readouterr().out)["points"]
        assert main(["runs", "--json"]) == 0
        runs = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
        assert [(p["strategy"], p["sweep_seed"], p["seed"], p["split_seed"]) for p in points] == [
            ("tfidf_logreg", 1, None, split_seed), ("head_only", 1, 1, split_seed)]
        assert [(p["seed"], p["split_seed"]) for p in points] == [
            (runs[p["run_id"]]["seed"], runs[p["run_id"]]["split_seed"]) for p in points]


def test_cli_sweep_runs_points_left_queued(tiny_model, tiny_csv, capsys):
    """An interrupted CLI sweep leaves queued runs; the next call runs them instead of skipping them."""
    from bertlab.cli import main

    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "8", "--seeds", "0", "--val-size", "10", "--test-size", "16"]
    store = RunStore()
    spec = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[8], seeds=[0], model=tiny_model,
                           data=DataConfig(source="file", name=str(tiny_csv.resolve()), train_size=None,
                                           val_size=10, test_size=16))
    rid = store.create_run(sweep.plan(spec)[0].config)
    assert main(args) == 0
    assert "1 queued earlier, 0 new" in capsys.readouterr().err
    assert store.get(rid).status == SUCCEEDED
    assert not store.list_runs(status=(QUEUED,))


def test_cli_sweep_no_run_only_reports(tiny_model, tiny_csv, capsys):
    from bertlab.cli import main

    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "8", "--seeds", "0", "--val-size", "10", "--test-size", "16", "--no-run", "--json"]
    assert main(args) == 1  # nothing computed: the points are missing
    out = json.loads(capsys.readouterr().out)
    assert [p["status"] for p in out["points"]] == ["missing"]
    assert RunStore().list_runs() == []


def test_estimate_total_scales_past_runs_and_counts_unknown_points(tiny_model, tiny_data):
    from types import SimpleNamespace

    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg", "full_ft"], sizes=[8, 16, None])
    configs = [p.config for p in sweep.plan(spec)]
    past = [SimpleNamespace(status=SUCCEEDED, strategy="tfidf_logreg", model=tiny_model, device="cpu-x",
                            costs={"device": "cpu-x", "total_seconds": 26.0},
                            data_summary={"sizes": {"train": 0, "validation": 10, "test": 16}},
                            config={"epochs": 1})]
    seconds, unknown = sweep.estimate_total(past, configs, "cpu-x")
    # tfidf_logreg does not use epochs: time scales with the examples it reads once each, 1 s each in the past run
    # (0 + 10 + 16); the validation split is capped at the training size: 2 seeds x ((8 + 8 + 16) + (16 + 10 + 16))
    assert seconds == pytest.approx(2 * ((8 + 8 + 16) + (16 + 10 + 16)))
    # full_ft never ran here (6 points), and the 2 tfidf "all" points have no known size
    assert unknown == 6 + 2
    assert sweep.estimate_total(past, configs, "another device") == (0.0, len(configs))
    # told how many examples the data has, "all" is that many (and a cap above it counts what there is)
    seconds, unknown = sweep.estimate_total(past, configs, "cpu-x",
                                            available=lambda c: {"train": 40, "validation": 12, "test": 14})
    assert unknown == 6 and seconds == pytest.approx(2 * ((8 + 8 + 14) + (16 + 10 + 14) + (40 + 10 + 14)))
    # an uncapped test split of unknown size is unknown, not 0 texts to evaluate
    whole_test = [dataclasses.replace(c, data=dataclasses.replace(c.data, test_size=None)) for c in configs]
    assert sweep.estimate_total(past, whole_test, "cpu-x") == (0.0, len(configs))


def test_estimate_total_counts_head_only_points_whose_embeddings_an_earlier_point_cached(tiny_model, tiny_data):
    """A head_only sweep embeds its validation and test texts once: every later point finds them cached (and a
    second seed on the same split all of its texts), so it takes its head's training, not a first run's time."""
    from types import SimpleNamespace

    from bertlab.estimate import estimate_seconds

    spec = spec_for(tiny_model, tiny_data, strategies=["head_only"])
    configs = [p.config for p in sweep.plan(spec)]
    assert [(c.data.train_size, c.seed) for c in configs] == [(8, 0), (8, 1), (16, 0), (16, 1)]
    past = [SimpleNamespace(status=SUCCEEDED, strategy="head_only", model=tiny_model, device="cpu-x",
                            costs={"device": "cpu-x", "total_seconds": 26.0, "wall_seconds": 26.0,
                                   "embedding_seconds": 24.0, "embedding_cache_hits": 0, "embedded_texts": 34},
                            data_summary={"sizes": {"train": 8, "validation": 10, "test": 16}},
                            config={"epochs": 30})]
    shared = frozenset(f"v{i}".encode() for i in range(10))  # the validation and test texts every point embeds

    def embedded(c):  # a point's training texts: the first train_size of one sample
        return shared | {f"r{i}".encode() for i in range(c.data.train_size)}, frozenset()

    cold, unknown = sweep.estimate_total(past, configs, "cpu-x")
    seconds, unknown_cached = sweep.estimate_total(past, configs, "cpu-x", cached=embedded)
    assert unknown == unknown_cached == 0
    # the first point embeds everything; the second seed finds it all; size 16 finds 18 of its 26 texts
    expected = 0.0
    for c, share in zip(configs, (0.0, 1.0, 18 / 26, 1.0)):
        d = c.data
        sizes = {"train": d.train_size, "validation": d.val_size, "test": d.test_size}
        expected += estimate_seconds(past, "head_only", tiny_model, "cpu-x", sizes, c.epochs, cached=share).seconds
    assert seconds == pytest.approx(expected)
    assert seconds < cold / 2
    # no such check (a caller from before it): every point cold, as before
    assert cold == pytest.approx(sum(
        estimate_seconds(past, "head_only", tiny_model, "cpu-x", {"train": c.data.train_size,
                         "validation": c.data.val_size, "test": c.data.test_size}, c.epochs).seconds
        for c in configs))


def test_results_table_shows_the_planned_size_of_unfinished_points():
    agg = [{"strategy": "full_ft", "size": 64, "n_seeds": 0, "n_planned": 3, "mean": None, "std": None,
            "n_train": None, "train_seconds": None},
           {"strategy": "full_ft", "size": 32, "n_seeds": 1, "n_planned": 3, "mean": 0.6, "std": 0.0,
            "n_train": 32.0, "train_seconds": 2.0}]
    rows = sweep.results_table(agg)
    assert [(r["n labelled"], r["seeds"]) for r in rows] == [(32, "1/3"), (64, "0/3")]


def test_cli_sweep_reruns_a_point_left_running_by_a_dead_process(tiny_model, tiny_csv, capsys):
    """A sweep process killed mid-run leaves its point 'running'; the next call marks it and runs it again."""
    import socket

    from bertlab.cli import main

    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "8", "--seeds", "0", "--val-size", "10", "--test-size", "16"]
    store = RunStore()
    spec = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[8], seeds=[0], model=tiny_model,
                           data=DataConfig(source="file", name=str(tiny_csv.resolve()), train_size=None,
                                           val_size=10, test_size=16))
    rid = store.create_run(sweep.plan(spec)[0].config)
    store.claim(rid, "cpu")
    with store._tx() as c:  # pretend a process that no longer exists claimed it
        c.execute("UPDATE runs SET owner=? WHERE id=?", (f"{socket.gethostname()}:999999999:1", rid))
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "1 run left running by a stopped process marked interrupted" in err and "1 new" in err
    assert store.get(rid).status == "interrupted"
    done = store.list_runs(status=(SUCCEEDED,))
    assert len(done) == 1 and done[0].id != rid


def test_a_data_file_edited_after_a_sweep_is_run_again(tiny_model, tiny_data):
    import os
    import time

    from bertlab.runner import execute_run

    store = RunStore()
    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg"], sizes=[8], seeds=[0])
    sid, todo, _ = sweep.prepare(store, spec)
    rid = store.create_run(todo[0], sid)
    assert execute_run(store, rid) == SUCCEEDED
    assert sweep.prepare(store, spec, sid)[1:] == ([], [rid])  # unchanged file: reused
    path = tiny_data.name
    with open(path, "a") as f:
        f.write("one more review of a film,pos\n")
    later = time.time() + 5
    os.utime(path, (later, later))
    _, todo, reused = sweep.prepare(store, spec, sid)
    assert len(todo) == 1 and reused == []


def test_a_stored_config_from_before_a_new_field_keeps_its_key(tiny_model, tiny_data):
    cfg = make_config("full_ft", model=tiny_model, data=tiny_data)
    old = cfg.to_dict()
    del old["keep_best"]  # stored before the field existed
    assert sweep.config_key(old) == sweep.config_key(cfg)
    assert sweep.config_key(cfg.replace(keep_best=True)) != sweep.config_key(cfg)


def test_a_config_stored_with_options_at_their_defaults_keeps_its_key(tiny_model, tiny_data):
    """The Train page stored every option at its default (lora's dropout 0.1, tfidf_logreg's ngram_max 2) until
    make_config left them out: a run stored before is the run a config made today names, not a point to train
    again."""
    for strategy, stored in (("lora", {"dropout": 0.1}), ("tfidf_logreg", {"ngram_max": 2, "max_features": 200000})):
        cfg = make_config(strategy, model=tiny_model, data=tiny_data)
        old = cfg.to_dict()
        old["options"] = {**old["options"], **stored}
        assert sweep.config_key(old) == sweep.config_key(cfg), strategy
    lora = make_config("lora", model=tiny_model, data=tiny_data)
    assert sweep.config_key(lora.replace(options={**lora.options, "dropout": 0.2})) != sweep.config_key(lora)


def test_cli_sweep_list_of_no_sweeps_says_so_on_stderr(capsys):
    """`sweep --list` on a data directory with no sweep printed nothing at all (exit 0), where `runs` says "no runs
    yet"; it says so on stderr (stdout stays empty for `| wc -l`), and --json prints []."""
    from bertlab.cli import main

    assert main(["sweep", "--list"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "no sweeps stored yet" in err
    assert main(["sweep", "--list", "--json"]) == 0 and json.loads(capsys.readouterr().out) == []


def test_cli_sweep_warns_of_rows_a_files_own_split_leaves_unmarked_before_it_trains(tmp_path, capsys):
    """`run` warns of the rows a file's split column leaves empty (5f372a9); `sweep` said it nowhere: a 300-row file
    with a split for its first 150 rows trained every point on those, its output (9 lines on stdout, 5 on stderr)
    without a word of the 150 left out. It now gives `run`'s warning line before the plan."""
    import csv

    from bertlab.cli import main

    path = tmp_path / "half.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "split"])
        for i in range(300):
            part = ("train", "train", "train", "test", "validation")[i % 5] if i < 150 else ""
            w.writerow([f"review {i} says it was {('good', 'bad')[i % 2]} {'xyz'[i % 3]}", ("pos", "neg")[i % 2], part])
    assert main(["sweep", "--dataset", str(path), "--strategies", "tfidf_logreg", "--sizes", "16", "--seeds", "0",
                 "--dry-run"]) == 0
    err = capsys.readouterr().err.splitlines()
    (warning,) = [x for x in err if "no value in the split column" in x]
    assert warning.startswith("warning: dropped 150 of 300 rows (50%) with no value in the split column 'split'")
    assert err.index(warning) < next(i for i, x in enumerate(err) if x.startswith("sweep "))  # before the plan


def test_cli_sweep_warns_of_a_large_share_of_rows_dropped_for_conflicting_labels_before_the_plan(tmp_path, capsys):
    """Rows dropped as texts seen with different labels, a fifth of the data or more (a survey's satisfaction from
    its answers), are said as a warning before anything trains, as `run` and `sweep` say unmarked rows: no test
    reached the command line's warning of them."""
    import csv

    from bertlab.cli import main

    path = tmp_path / "rated.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for i in range(60):
            w.writerow([f"answer {i} says it was {('good', 'bad')[i % 2]}", ("pos", "neg")[i % 2]])
        for i in range(10):  # the same few words rated both ways
            w.writerows([[f"fine {i}", "pos"], [f"fine {i}", "neg"]])
    assert main(["sweep", "--dataset", str(path), "--strategies", "tfidf_logreg", "--sizes", "16", "--seeds", "0",
                 "--dry-run"]) == 0
    err = capsys.readouterr().err.splitlines()
    (warning,) = [x for x in err if "different labels" in x]
    assert warning.startswith("warning: dropped 20 rows whose text appears with different labels (25% of 80 rows): "
                              "for these the label is not the text's alone")
    assert err.index(warning) < next(i for i, x in enumerate(err) if x.startswith("sweep "))  # before the plan


def test_cli_sweep_dry_run_json_prints_the_plan_as_json_on_stdout(tiny_model, tiny_csv, capsys):
    """`sweep --dry-run --json` printed nothing on stdout (the plan on stderr only, exit 0): a script's `| jq` read
    nothing. It now prints the plan as one JSON object; no point is stored."""
    from bertlab.cli import main
    from bertlab.store import RunStore

    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
                 "head_only", "--sizes", "8", "--seeds", "0", "1", "--epochs", "2", "--dry-run", "--json"]) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)
    assert plan["dry_run"] is True and plan["sweep_id"] is None and plan["points"] == 4 and plan["new"] == 4
    assert [(w["strategy"], w["size"], w["seed"], w["epochs"]) for w in plan["would_run"]] == [
        ("tfidf_logreg", 8, None, None), ("head_only", 8, 0, 2), ("tfidf_logreg", 8, None, None),
        ("head_only", 8, 1, 2)]
    assert plan["estimated_seconds"] is None  # nothing has run on this store yet: no estimate, not "0 seconds"
    assert "would run head_only n=8 seed=0 epochs=2" in err and RunStore().list_runs() == []


def test_cli_sweep_dry_run_json_counts_done_queued_and_new_points_and_gives_the_split_seed(tiny_model, tiny_csv,
                                                                                           capsys):
    """The dry run's JSON against a store that holds some points: one done, one queued earlier (an interrupted
    sweep's), two new; the queued one is among what it would run. --fixed-split: every point's split seed is
    --split-seed's, not its training seed."""
    from bertlab.cli import main
    from bertlab.store import RunStore

    data = ["--dataset", str(tiny_csv), "--model", tiny_model, "--sizes", "8", "16", "--seeds", "0",
            "--split-seed", "3", "--fixed-split", "--epochs", "2"]
    assert main(["sweep", *data, "--strategies", "tfidf_logreg", "--quiet"]) == 0
    store = RunStore()
    (at16,) = [r for r in store.list_runs() if r.config["data"]["train_size"] == 16]
    store.create_run(at16.run_config, "b")  # queued, the newest of that point: a sweep interrupted before it ran
    capsys.readouterr()
    assert main(["sweep", *data, "--strategies", "tfidf_logreg", "head_only", "--dry-run",
                 "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["points"], plan["done_or_running"], plan["queued_earlier"], plan["new"]) == (4, 1, 1, 2)
    assert [(w["strategy"], w["size"], w["seed"], w["split_seed"]) for w in plan["would_run"]] == [
        ("tfidf_logreg", 16, None, 3), ("head_only", 8, 0, 3), ("head_only", 16, 0, 3)]


def test_cli_sweep_says_when_one_epochs_value_overrides_differing_defaults(tiny_model, tiny_csv, capsys):
    from bertlab.cli import main

    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "head_only", "full_ft",
                 "--sizes", "8", "--seeds", "0", "--epochs", "2", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "note: --epochs 2 applies to every strategy: head_only (its default 30), full_ft (3) (a sweep takes one " \
           "value for all)" in err


def test_zero_shot_runs_once_per_split_and_its_spread_is_not_a_reassuring_zero(tiny_model, tiny_data):
    """zero_shot: no seed changes what it does. On one split its seeds share one run per size (the curve keeps a
    point at each size, and its spread is "-", one run, not 0); where each seed draws its split, each runs."""
    fixed = spec_for(tiny_model, tiny_data, strategies=["zero_shot", "head_only"], vary_split=False)
    keys: dict[str, set] = {}
    for p in sweep.plan(fixed):
        keys.setdefault(p.strategy, set()).add(sweep.config_key(p.config))
    assert len(sweep.plan(fixed)) == fixed.n_points == 8
    assert len(keys["zero_shot"]) == 2 and len(keys["head_only"]) == 4  # one zero_shot run per size
    assert sweep.shared_points(fixed) == {"zero_shot": (4, 2)}
    assert sweep.shared_sentence(fixed) == (" zero_shot's 4 points share 2 runs: no seed changes what it does, and "
                                            "the seeds share one split.")
    drawn = spec_for(tiny_model, tiny_data, strategies=["zero_shot", "head_only"])  # each seed its own split
    assert sweep.shared_points(drawn) == {} and sweep.shared_sentence(drawn) == ""

    store = RunStore()
    jm = JobManager(store)
    try:
        sub = sweep.submit(jm, fixed)
        assert len(sub.submitted) == 6  # 4 head_only points, 2 zero_shot runs
        assert jm.wait_idle(timeout=600)
        again = sweep.submit(jm, fixed)
        assert again.submitted == [] and len(again.reused) == 6  # each run once, not once per point
    finally:
        jm.shutdown()
    rows = sweep.collect(store, fixed)
    assert [r["status"] for r in rows] == [SUCCEEDED] * 8, [r["error"] for r in rows]
    agg = {(a["strategy"], a["size"]): a for a in sweep.aggregate(rows)}
    for size in (8, 16):
        zs = [r for r in rows if r["strategy"] == "zero_shot" and r["size"] == size]
        assert len(zs) == 2 and len({r["run_id"] for r in zs}) == 1 and zs[0]["n_train"] == size
        assert agg[("zero_shot", size)]["n_seeds"] == agg[("zero_shot", size)]["n_planned"] == 1
        assert agg[("zero_shot", size)]["std"] is None
        assert agg[("head_only", size)]["n_seeds"] == 2
    assert agg[("zero_shot", 8)]["mean"] == agg[("zero_shot", 16)]["mean"]  # the same test texts, no training


def test_cli_sweep_with_a_rare_class_draws_and_prints_macro_f1_as_its_answers_judge(tiny_model, capsys, tmp_path):
    """The curves, the table and the per-size answers of `sweep` read one measure: macro-F1 where a class is under
    5% of the test texts (as the app's Learning curves page and the report)."""
    import pandas as pd

    from bertlab.cli import main
    from tests.conftest import make_texts

    texts, labels = make_texts(n_per_class=60)
    texts += [f"a rare complaint about the invoice #{i}" for i in range(6)]
    labels += ["billing"] * 6
    path = tmp_path / "rare.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(path, index=False)
    args = ["sweep", "--dataset", str(path), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "16", "32", "--seeds", "0", "--val-size", "10", "--test-size", "80", "--max-length", "32"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["metric"] == "macro_f1"
    assert all(p["rarest_share"] < 0.05 for p in out["points"])
    by_size = {c["size"]: c["mean"] for c in out["curves"]}
    assert by_size == {p["size"]: p["test_macro_f1"] for p in out["points"]}
    # the answer at each size, as the table prints it (the JSON had none)
    ordered = sorted(out["points"], key=lambda p: p["size"])
    assert [(a["size"], a["pick"], a["pick_score"]) for a in out["answers"]] == [
        (p["size"], "tfidf_logreg", pytest.approx(p["test_macro_f1"])) for p in ordered]
    assert all(a["why"] == "the only strategy run" and a["p"] is None for a in out["answers"])
    assert main(args) == 0
    assert "test macro-F1 mean±std over seeds" in capsys.readouterr().out


def test_sizes_at_or_above_the_training_examples_run_once_as_all():
    """A persona's upload had 263 training examples: 512 and 2048 both trained on the 263, twice each."""
    assert sweep.fit_sizes([32, 128, 512, 2048, None], 263) == ([32, 128, None], [512, 2048])
    assert sweep.fit_sizes([512, 32, 2048], 263) == ([None, 32], [512, 2048])  # "all" takes the first one's place
    assert sweep.fit_sizes([32, 263], 263) == ([32, None], [263])  # all 263 is all
    assert sweep.fit_sizes([32, 128], 263) == ([32, 128], [])
    # under the class count: one example of each class, so that many (a review's --sizes 3 on 5 classes trained
    # on 5, the table said 3 and the answer n=5)
    assert sweep.lift_sizes([3, 5, 32, None], 5) == ([5, 32, None], [3])
    assert sweep.lift_sizes([2, 3, 32], 5) == ([5, 32], [2, 3]) and sweep.lift_sizes([32], 5) == ([32], [])
    assert sweep.lift_sentence([3], 5) == "3 is fewer than the 5 classes: it trains on 5, one example of each."
    assert sweep.lift_sentence([3, 2], 5) == "2 and 3 are fewer than the 5 classes: they train on 5, one example of each."
    assert sweep.fit_sentence([2048, 512], 263) == "512 and 2048 are more than the 263 training examples: they run " \
                                                   "once, as all."
    assert sweep.fit_sentence([512], 263) == "512 is more than the 263 training examples: it runs as all."
    assert sweep.fit_sentence([512], 263, all_chosen=True).endswith("it runs once, as all.")
    assert sweep.fit_sentence([], 263) == ""


def test_cli_sweep_runs_sizes_over_the_training_split_once_as_all(tiny_model, tiny_csv, capsys):
    from bertlab.cli import main

    n_train = len(load_splits(DataConfig(source="file", name=str(tiny_csv), train_size=None)).train)
    assert 16 < n_train < 512
    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
                 "--sizes", "16", "512", "2048", "all", "--seeds", "0", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert f"512 and 2048 are more than the {n_train} training examples: they run once, as all." in err
    assert [line.split("seed=")[0].strip() for line in err.splitlines() if "would run" in line] == [
        "would run tfidf_logreg n=16", "would run tfidf_logreg n=all"]  # not n=512 and n=2048 besides


def test_cli_sweep_defaults_to_the_pages_sizes_and_says_what_all_is_and_how_long_it_takes(tiny_model, tiny_csv,
                                                                                          capsys):
    """`sweep` with no --sizes planned 32 128 512 2048 all (on rotten_tomatoes, full_ft and lora on every training
    text, hours on a CPU) and --dry-run said n=all with no number of texts and no estimate. Its default is now the
    Learning curves page's sizes, and it says how many texts "all" is and the page's estimated time."""
    from app_pages.sweep import DEFAULT_SIZES
    from bertlab.cli import build_parser, main

    default = build_parser().parse_args(["sweep"]).sizes
    assert default == DEFAULT_SIZES == list(sweep.DEFAULT_SIZES) and None not in default
    n_train = len(load_splits(DataConfig(source="file", name=str(tiny_csv), train_size=None)).train)
    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--seeds", "0"]
    assert main([*base, "--sizes", "8", "all", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert f'"all" is {n_train:,} training texts. Estimated time: unknown until each strategy has run once on ' \
           "this device." in err
    assert [line.split("seed=0")[1] for line in err.splitlines() if "n=all" in line] == [
        f" ({n_train:,} texts)"]  # tfidf_logreg has no epochs: none said
    assert main([*base, "--sizes", "8"]) == 0  # one tfidf_logreg run here: the next sweep's estimate has a past
    capsys.readouterr()
    assert main([*base, "--sizes", "16", "all"]) == 0  # the normal start says it too
    assert "Estimated time here: " in capsys.readouterr().err.splitlines()[0]


def test_cli_sweep_no_run_says_no_estimate_for_the_runs_it_does_not_train(tiny_model, tiny_csv, monkeypatch, capsys):
    """A review: `sweep --no-run` (only report what is done) printed "Estimated time here: ~3 min (from past runs
    on this device)" and '"all" is 8,926 training texts.' for runs it would not train, reading the data and the
    tokenizer to say it. Now it says how many points it leaves unrun, and estimates nothing."""
    from bertlab.cli import main

    def no_estimate(*args, **kwargs):
        raise AssertionError("sweep --no-run estimated the time of runs it does not train")

    monkeypatch.setattr(sweep, "estimate_here", no_estimate)
    monkeypatch.setattr(sweep, "all_sentence", no_estimate)
    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
                 "--sizes", "8", "all", "--seeds", "0", "--no-run"]) == 1  # stored, none run
    first = capsys.readouterr().err.splitlines()[0]
    assert first.endswith("0 queued earlier, 2 not run (--no-run).")
    assert "Estimated" not in first and '"all" is' not in first


def test_cli_sweep_no_run_reads_no_tokenizer_and_refuses_nothing(tiny_model, tiny_csv, monkeypatch, capsys):
    """`sweep --no-run` (only report what is done) loaded the model's tokenizer and tokenized 200 training texts to
    check it, and could refuse the report (a strategy the model cannot run, a tokenizer that reads nothing) though
    it trains nothing. Now it reports; the normal start still checks both."""
    from bertlab import models
    from bertlab.cli import main
    from bertlab.strategies import REGISTRY

    def no_tokenizer(*args, **kwargs):
        raise AssertionError("sweep --no-run loaded a tokenizer for runs it does not train")

    monkeypatch.setattr(models, "load_tokenizer", no_tokenizer)
    monkeypatch.setattr(type(REGISTRY["head_only"]), "refusal", lambda self, model: "head_only cannot run here.")
    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "head_only",
                 "--sizes", "8", "--seeds", "0", "--no-run"]) == 1  # stored, none run
    assert capsys.readouterr().err.splitlines()[0].endswith("0 queued earlier, 1 not run (--no-run).")
    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "head_only",
                 "--sizes", "8", "--seeds", "0", "--dry-run"]) == 2
    assert "--strategies head_only: head_only cannot run here." in capsys.readouterr().err


def test_cli_sweep_raises_a_size_under_the_class_count_and_says_so(capsys):
    """A review: `--sizes 3` on bbc_news's 5 topics: the table said 3, the answer n=5, nothing said why."""
    from bertlab.cli import main

    assert main(["sweep", "--dataset", "bbc_news", "--strategies", "tfidf_logreg", "--sizes", "3", "32",
                 "--seeds", "0", "--test-size", "100", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "3 is fewer than the 5 classes: it trains on 5, one example of each." in err
    assert [line.split()[3] for line in err.splitlines() if "would run" in line] == ["n=5", "n=32"]


def test_cli_sweep_takes_zero_shots_label_descriptions_as_run_does(tiny_model, tiny_csv, capsys):
    from bertlab.cli import main

    sentences = ["A review that hates the film.", "A review that loves the film."]
    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "zero_shot", "tfidf_logreg",
            "--sizes", "8", "--seeds", "0", "--no-run"]
    assert main([*base, "--label-descriptions", *sentences]) == 1  # stored, nothing run: the points are missing
    store = RunStore()
    spec = sweep.load_sweep(store, sweep.list_sweeps(store)[0]["id"])
    got = {p.strategy: p.config.label_descriptions for p in sweep.plan(spec)}
    assert got == {"zero_shot": sentences, "tfidf_logreg": None}  # only zero_shot reads them: others keep their key
    capsys.readouterr()
    assert main([*base, "--label-descriptions", "one", "two", "three"]) != 0
    assert "--label-descriptions has 3 sentences but the data has 2 classes" in capsys.readouterr().err
    # given where the sweep runs no zero_shot: said as a warning, as `run` says it
    assert main([*base[:6], "tfidf_logreg", *base[8:], "--label-descriptions", *sentences]) == 1
    assert ("warning: --label-descriptions: only zero_shot reads label descriptions, and this sweep does not run it; "
            "they are ignored.\n") in capsys.readouterr().err


def test_the_validation_sentence_gives_each_points_validation_size_as_the_plan_sets_it(tiny_model, tiny_data):
    """A point at n labelled training examples also uses its validation split's labels (tfidf_logreg's C)."""
    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg"], sizes=[16, 8, None])  # validation cap 10
    said = sweep.validation_sentence(spec)
    vals = {p.size: p.config.data.val_size for p in sweep.plan(spec) if p.size is not None}
    assert vals == {8: 8, 16: 10}
    assert f"(validation examples: n=8: {vals[8]}, n=16: {vals[16]})." in said and "at most as many" in said
    uncapped = sweep.validation_sentence(dataclasses.replace(spec, cap_val=False))
    assert "n=8: 10, n=16: 10" in uncapped and "at most as many" not in uncapped
    assert sweep.validation_sentence(dataclasses.replace(spec, sizes=[None])) == ""


def test_the_validation_sentence_says_the_validation_texts_there_not_a_cap_above_them(tiny_model, tiny_data):
    """A 1,200-row file has 120 validation texts: its sweep's sentence read 'n=512: 200' at the Quick demo's cap
    (200) and 'n=512: 512' at All data, the caps, where every point used the 120."""
    from bertlab.data import load_splits

    there = load_splits(tiny_data.uncapped()).sizes()["validation"]
    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg"], sizes=[2, there + 50, None])
    spec.data = dataclasses.replace(spec.data, val_size=there + 20)  # a cap above the validation texts
    said = sweep.validation_sentence(spec, sweep.available_sizes())
    assert f"(validation examples: n=2: 2, n={there + 50:,}: {there:,})." in said
    assert f"n={there + 50:,}: {there + 20:,}" in sweep.validation_sentence(spec)  # not knowing what is there: the cap
    uncapped = dataclasses.replace(spec, cap_val=False, data=dataclasses.replace(spec.data, val_size=None))
    assert f"(validation examples: n=2: {there:,}, n={there + 50:,}: {there:,})." in \
        sweep.validation_sentence(uncapped, sweep.available_sizes())
    assert "n=2: all" in sweep.validation_sentence(uncapped)


def test_the_sweeps_sentence_says_how_many_test_texts_each_point_is_scored_on(tiny_model, tiny_data):
    """A lecturer's small sweep: the page said 'The test set stays the same for every size of a seed' and nowhere
    how many texts that was (the Data page's test cap), nor so what a point of accuracy weighs."""
    from bertlab.data import load_splits

    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg"], sizes=[8, 16])  # test cap 16
    said = sweep.validation_sentence(spec)
    assert said.endswith(" Each point is scored on 16 test texts, its seed's test split, the same at every size "
                         "(one text: 6.2 percentage points of accuracy)."), said
    fixed = sweep.validation_sentence(dataclasses.replace(spec, vary_split=False))
    assert "scored on 16 test texts, one test split for every size and seed" in fixed
    # a cap above the test texts there: what is there, as the validation split's
    there = load_splits(tiny_data.uncapped()).sizes()["test"]
    above = dataclasses.replace(spec, data=dataclasses.replace(spec.data, test_size=there + 40))
    assert f"scored on {there:,} test texts," in sweep.validation_sentence(above, sweep.available_sizes())
    uncapped = dataclasses.replace(spec, data=dataclasses.replace(spec.data, test_size=None))
    assert "test text" not in sweep.validation_sentence(uncapped)  # all of them, how many not known: not said
    assert f"scored on {there:,} test texts," in sweep.validation_sentence(uncapped, sweep.available_sizes())
    one = dataclasses.replace(spec, data=dataclasses.replace(spec.data, test_size=1))  # a cap of one: singular
    assert " Each point is scored on 1 test text, its seed's test split" in sweep.validation_sentence(one)


def test_cli_sweep_takes_one_learning_rate_per_strategy(tiny_model, tiny_csv, capsys):
    """A learning curve of full_ft at the rate tuned for it: --lr as `run` takes it, one rate per strategy."""
    from bertlab.cli import main

    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "zero_shot", "head_only",
            "full_ft", "--sizes", "8", "--seeds", "0"]
    assert main([*base, "--lr", "full_ft=3e-5", "--dry-run"]) == 0
    err = capsys.readouterr().err
    shown = {line.split()[2]: line.split()[-1] for line in err.splitlines() if "would run" in line}
    # zero_shot trains nothing: no rate and no epochs said ("epochs=1" read as one epoch of training)
    assert shown == {"zero_shot": "seed=0", "head_only": f"lr={sweep.default_rate('head_only'):g}",
                     "full_ft": "lr=3e-05"}
    assert main([*base[:6], "tfidf_logreg", "head_only", *base[9:], "--dry-run"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "would run" in line]
    assert "epochs=" not in lines[0] and "tfidf_logreg" in lines[0] and "epochs=" in lines[1]
    assert main([*base, "--lr", "2e-4", "--no-run"]) == 1  # stored, nothing run
    store = RunStore()
    (listed,) = sweep.list_sweeps(store)
    assert listed["shown"] == ["zero_shot", "head_only (lr 0.0002)", "full_ft (lr 0.0002)"]
    got = {p.strategy: p.config.learning_rate for p in sweep.plan(sweep.load_sweep(store, listed["id"]))}
    assert got == {"zero_shot": make_config("zero_shot").learning_rate, "head_only": 2e-4, "full_ft": 2e-4}
    assert "--lr 0.0002 applies to every strategy" in capsys.readouterr().err
    for bad, said in ((["2e-5,5e-5"], "a sweep takes one learning rate per strategy"),
                      (["zero_shot=1e-3"], "zero_shot does not use --lr"),
                      (["1e-4", "2e-4"], "--lr has two values for every strategy")):
        assert main([*base, "--lr", *bad, "--dry-run"]) != 0
        assert said in capsys.readouterr().err


def test_a_sweep_names_a_strategy_by_its_rate_only_where_it_is_not_its_own_default(tiny_model, tiny_data):
    spec = spec_for(tiny_model, tiny_data, strategies=["head_only", "full_ft", "tfidf_logreg"], sizes=[8],
                    per_strategy={"head_only": {"learning_rate": sweep.default_rate("head_only")},
                                  "full_ft": {"learning_rate": 2e-5}}, common={"class_weights": "balanced"})
    assert sweep.shown_strategies(spec) == ["head_only (balanced)", "full_ft (balanced, lr 2e-05)",
                                            "tfidf_logreg (balanced)"]


def test_a_sweep_at_another_rate_names_it_in_the_legend_the_tables_and_its_answer(tiny_model, tiny_data):
    """A review: a sweep of head_only at lr 0.03 said its rate in its title only; the chart's legend, the points
    table, "Which one to use at each size?" and the CLI's table said plain "head_only", as if at its default. Each
    now names it as the title does (sweep.shown_strategies: the rate where not the default, in
    variants.setting_text's words, as Compare names runs)."""
    from bertlab import answer

    store = RunStore()
    rate = sweep.default_rate("head_only") * 3
    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg", "head_only"], sizes=[8, 16], seeds=[0],
                    per_strategy={"head_only": {"learning_rate": rate}})
    named = f"head_only (lr {rate:g})"
    assert sweep.strategy_names(spec) == {"tfidf_logreg": "tfidf_logreg", "head_only": named}
    sweep.save_sweep(store, spec)
    rows = sweep.collect(store, spec)
    assert {r["strategy"]: r["name"] for r in rows} == {"tfidf_logreg": "tfidf_logreg", "head_only": named}
    assert named + " n=8 seed 0" in sweep.points_text(rows)  # the warnings of points not run
    for k, r in enumerate(rows):  # as if each had finished
        r.update(status=SUCCEEDED, run_id=f"r{k}", n_train=r["size"], test_accuracy=0.6 + 0.1 * (r["strategy"] ==
                 "head_only"), test_macro_f1=0.6, majority_accuracy=0.5, train_seconds=1.0, train_flops=1.0)
    agg = sweep.aggregate(rows)
    fig = sweep.learning_curve_figure(agg)
    assert [t.name for t in fig.data if t.showlegend is not False][:2] == ["tfidf_logreg", named]
    assert any(t.hovertemplate.startswith(f"<b>{named}</b>") for t in fig.data if t.hovertemplate)
    assert {r["strategy"] for r in sweep.results_table(agg)} == {"tfidf_logreg", named}
    assert any(line.startswith(named) for line in sweep.format_curves(agg).splitlines())
    picks = answer.sweep_rows(rows, metric="accuracy")
    assert [r["most accurate"] for r in picks] == [named, named]
    assert all(row["most accurate"].startswith(named) for row in answer.sweep_table(picks))


def test_cli_sweep_at_another_rate_names_it_in_its_progress_and_table(tiny_model, tiny_csv, capsys):
    """The CLI's sweep said "[1/1] head_only n=8" and "head_only  0.688 (1)" for a sweep at lr 0.03 (its rate said
    only by `sweep --list`); its answer's names are sweep.collect's, tested above."""
    from bertlab.cli import main

    assert main(["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "head_only", "--sizes",
                 "8", "--seeds", "0", "--max-length", "32", "--lr", "3e-2"]) == 0
    out, err = capsys.readouterr()
    assert "[1/1] head_only (lr 0.03) n=8 seed=0: started" in err
    assert any(line.startswith("head_only (lr 0.03)  ") for line in out.splitlines()), out


def _agg(strategy, n, accs, majority=0.58, majority_f1=0.37):
    rows = [{"strategy": strategy, "size": n, "seed": k, "test_accuracy": a, "test_macro_f1": a - 0.1, "n_train": n,
             "train_seconds": 1.0, "train_flops": 1.0, "majority_accuracy": majority, "majority_macro_f1": majority_f1,
             "status": SUCCEEDED, "run_id": f"{strategy}-{n}-{k}"} for k, a in enumerate(accs)]
    return sweep.aggregate(rows), sweep.aggregate(rows, "test_macro_f1")


def test_a_narrow_range_gets_ticks_with_a_decimal_so_no_two_read_the_same():
    """A review: ticks "58% 58% 58% 58%" for a curve from 57.6% to 58.6%."""
    narrow = _agg("a", 32, [0.576, 0.586])[0] + _agg("a", 64, [0.58, 0.582])[0]
    assert sweep.learning_curve_figure(narrow).layout.yaxis.tickformat == ".1%"
    wide = _agg("a", 32, [0.55, 0.6])[0] + _agg("a", 64, [0.8, 0.85])[0]
    assert sweep.learning_curve_figure(wide).layout.yaxis.tickformat == ".0%"
    f1 = _agg("a", 32, [0.576, 0.586], majority_f1=0.47)[1]  # (macro-F1 0.476 to 0.486)
    assert sweep.learning_curve_figure(f1, percent=False).layout.yaxis.tickformat == ".3f"
    # the majority class's line is on the axis too: the range runs down to it
    f1 = _agg("a", 32, [0.576, 0.586])[1]
    assert sweep.learning_curve_figure(f1, percent=False).layout.yaxis.tickformat == ".2f"


def test_a_point_of_one_seed_has_no_error_bar_and_its_hover_says_one_seed():
    """A review: "± 0.0%" in the hover and a zero-height bar for one seed, where the table says "-"."""
    agg = _agg("a", 32, [0.7])[0] + _agg("a", 64, [0.7, 0.72])[0]
    trace, bars = sweep.learning_curve_figure(agg).data
    # the bars on their own trace, of the points of two seeds only: plotly draws a missing value as a bar of height
    # 0, cap and all; the points of two seeds keep their caps (a review: every cap was gone, width 0)
    assert not trace.error_y.visible and list(bars.x) == [64] and not bars.showlegend
    assert list(bars.error_y.array) == pytest.approx([0.01414], abs=1e-4) and bars.error_y.width > 0
    assert bars.legendgroup == trace.legendgroup == "a" and bars.hoverinfo == "skip"
    one, two = (c[3] for c in trace.customdata)
    assert one == " · 1 seed" and "±" not in one
    assert two == " ± 1.4 pt · 2 seeds"  # in points, as the table says it
    assert "%{customdata[3]}" in trace.hovertemplate and "±" not in trace.hovertemplate


def test_the_macro_f1_view_draws_the_majority_class_macro_f1_as_its_reference_line(tiny_model, tiny_data):
    """The rows are judged against the majority class in the macro-F1 view too: the chart drew no line there."""
    from bertlab.metrics import majority_macro_f1

    f1 = _agg("a", 32, [0.6, 0.7])[1]
    fig = sweep.learning_curve_figure(f1, metric_label="test macro-F1", percent=False)
    (line,) = fig.layout.shapes
    assert line.y0 == pytest.approx(0.37)
    assert line.name == "always the majority class (macro-F1 0.370)" and line.showlegend
    # collect reads it from a run's per-class counts: 2m / (m + n) over the classes present
    assert majority_macro_f1({"per_class": {"a": {"support": 90}, "b": {"support": 5}, "c": {"support": 5},
                                            "d": {"support": 0}}}) == pytest.approx(2 * 90 / 190 / 3)
    store = RunStore()
    spec = spec_for(tiny_model, tiny_data, strategies=["tfidf_logreg"], sizes=[8], seeds=[0])
    sid, todo, _ = sweep.prepare(store, spec)
    execute_run(store, store.create_run(todo[0], sid))
    (row,) = sweep.collect(store, spec)
    assert row["majority_macro_f1"] == pytest.approx(majority_macro_f1(store.get(row["run_id"]).metrics))
    assert 0 < row["majority_macro_f1"] < 1


def _fail_tfidf(monkeypatch):
    from bertlab.strategies.tfidf_logreg import TfidfLogReg

    def broken(self, ctx):
        raise RuntimeError("injected fault in fit\nsecond line")

    monkeypatch.setattr(TfidfLogReg, "run", broken)


def test_cli_sweep_names_its_failed_points_their_error_and_why_it_exits_1(tiny_model, tiny_csv, capsys, monkeypatch):
    """A review: each failed point said only "failed after 0.2 s", the table "-", and the exit status 1 no word."""
    from bertlab.cli import main

    _fail_tfidf(monkeypatch)
    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "8", "16", "--seeds", "0", "1", "--val-size", "10", "--test-size", "16"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "points that did not succeed:\n  failed: RuntimeError: injected fault in fit\n" in err
    assert "    tfidf_logreg n=8 seeds 0, 1; tfidf_logreg n=16 seeds 0, 1" in err
    assert "second line" not in err.split("points that did not succeed:")[1]  # the first line of each error
    assert "exit status 1: 4 of 4 points did not succeed; `python -m bertlab sweep --sweep-id " in err
    # --no-run: the points are missing, and said so
    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "32", "--seeds", "0", "--val-size", "10", "--test-size", "16", "--no-run"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"  missing: {sweep.MISSING_WHY}\n    tfidf_logreg n=32 seed 0" in err


def test_cli_sweep_interrupted_says_an_open_app_runs_the_rest(tiny_model, tiny_csv, capsys, monkeypatch):
    """It said "the rest stays queued; `sweep --sweep-id` resumes it", but an app open on the same data directory
    runs queued runs at once."""
    from bertlab import cli

    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run_points", stop)
    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--sizes", "8", "--seeds", "0", "--val-size", "10", "--test-size", "16"]
    assert cli.main(args) == 130
    err = capsys.readouterr().err
    assert ("interrupted (stopped with Ctrl-C): the rest stays queued: an app open on this data directory runs it; "
            "else `python -m bertlab sweep --sweep-id sweep-") in err


def _two_sweeps(tiny_model, tiny_csv, capsys):
    """Sweep A (n=8) and B (n=8 and 16), B reusing A's run at 8; their ids."""
    from bertlab.cli import main

    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
            "--seeds", "0", "--val-size", "10", "--test-size", "16", "--json"]
    assert main(base + ["--sizes", "8"]) == 0
    a = json.loads(capsys.readouterr().out)["sweep_id"]
    assert main(base + ["--sizes", "8", "16"]) == 0
    b = json.loads(capsys.readouterr().out)["sweep_id"]
    return a, b


def test_deleting_a_sweeps_batch_warns_of_another_sweep_that_used_its_runs(tiny_model, tiny_csv, capsys):
    """A review: `delete --batch A` took the runs sweep B reused without a word (B's curve lost them), and A stayed
    listed as an empty shell that nothing could delete."""
    from bertlab.cli import main

    a, b = _two_sweeps(tiny_model, tiny_csv, capsys)
    assert main(["delete", "--batch", a]) == 0
    err = capsys.readouterr().err
    assert f"warning: it held points of sweep {b}, which loses them from its curve" in err
    assert f"the plan of sweep {a} stays" in err and f"`sweep --delete {a}` removes it" in err
    assert main(["sweep", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [ln.endswith("(no runs: `sweep --sweep-id ID` runs it, `sweep --delete ID` removes it)") for ln in listed] == [
        ln.startswith(a) for ln in listed] and len(listed) == 2
    assert main(["sweep", "--list", "--json"]) == 0
    assert {s["sweep_id"]: s["runs"] for s in json.loads(capsys.readouterr().out)} == {a: 0, b: 1}
    assert main(["sweep", "--delete", a]) == 0
    assert f"deleted sweep {a}: its plan and 0 runs" in capsys.readouterr().err
    assert [s["id"] for s in sweep.list_sweeps(RunStore())] == [b]


def test_sweep_delete_refuses_the_options_it_would_ignore(tiny_model, tiny_csv, capsys):
    """A review: `sweep --delete ID --dry-run` deleted the sweep all the same (--json, --sweep-id... were dropped
    without a word too); the combination is refused in one line, and the sweep stays."""
    from bertlab.cli import main

    store = RunStore()
    spec = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[12], seeds=[0], model=tiny_model,
                           data=DataConfig(source="file", name=str(tiny_csv), val_size=10, test_size=16))
    sid = sweep.prepare(store, spec)[0]
    for extra in (["--dry-run"], ["--sizes", "8", "--json"]):
        assert main(["sweep", "--delete", sid, *extra]) == 2
        err = capsys.readouterr().err
        assert err == (f"error: sweep --delete takes no other option ({', '.join(e for e in extra if e.startswith('--'))}"
                       f" given): it only deletes the sweep; run `python -m bertlab sweep --delete {sid}` alone.\n")
        assert sweep.load_sweep(store, sid)
    assert main(["sweep", "--delete", sid]) == 0
    assert sweep.list_sweeps(store) == []


def test_sweep_delete_keeps_the_runs_another_sweep_uses(tiny_model, tiny_csv, capsys):
    from bertlab.cli import main

    a, b = _two_sweeps(tiny_model, tiny_csv, capsys)
    store = RunStore()
    assert main(["sweep", "--delete", a]) == 0
    captured = capsys.readouterr()
    assert f"deleted sweep {a}: its plan and 0 runs" in captured.err and captured.out == ""
    assert f"kept 1 of its runs: sweep {b} uses it too" in captured.err
    assert [r["status"] for r in sweep.collect(store, sweep.load_sweep(store, b))] == [SUCCEEDED, SUCCEEDED]
    with pytest.raises(ConfigError, match="no sweep with id"):
        sweep.load_sweep(store, a)
    assert main(["sweep", "--delete", b]) == 0
    captured = capsys.readouterr()
    assert f"deleted sweep {b}: its plan and 1 run " in captured.err  # the one it queued
    # the one it reused from A's launch is that batch's: left, and said how to delete it
    assert f"left 1 run it reused from batch {a}: `python -m bertlab delete --batch {a}` deletes it" in captured.err
    assert [r.batch_id for r in store.list_runs()] == [a] and sweep.list_sweeps(store) == []
    # a sweep with a run still queued is left whole
    spec = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[12], seeds=[0], model=tiny_model,
                           data=DataConfig(source="file", name=str(tiny_csv), val_size=10, test_size=16))
    sid, (todo,), _ = sweep.prepare(store, spec)
    rid = store.create_run(todo, sid)
    assert main(["sweep", "--delete", sid]) == 1
    assert f"cancel them first ({rid})" in capsys.readouterr().err
    assert store.get(rid) is not None and sweep.load_sweep(store, sid)


def test_sweep_help_says_seeds_are_values_not_a_count(capsys):
    """`sweep --seeds 0` queued a sweep at seed 0 where its user read --seeds as how many seeds; the help said only
    "one run per strategy, size and seed" under SEEDS [SEEDS ...]."""
    from bertlab.cli import main

    with pytest.raises(SystemExit) as done:
        main(["sweep", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--seeds SEED [SEED ...]" in text
    assert "the seed values, not how many (--seeds 0 1 2: three seeds; --seeds 0: one)" in text, text


def test_cli_sweep_split_seed_counts_its_seeds_as_the_learning_curves_page_does(tiny_model, tiny_csv, capsys):
    """`sweep` always started at split seed 0: a page sweep on the Data page's split seed 3 (seeds 3, 4, 5, or all
    on split 3 with "One split for every seed") had no command-line twin. `--split-seed 3` is that twin: the same
    stored plan and the same runs, the split said in --list and --json."""
    from bertlab.cli import main

    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg", "head_only",
            "--sizes", "8", "--split-seed", "3", "--val-size", "10", "--test-size", "16", "--max-length", "32",
            "--epochs", "1", "--min-steps", "0"]
    data = DataConfig(source="file", name=str(tiny_csv.resolve()), train_size=None, val_size=10, test_size=16, seed=3)
    store = RunStore()
    for extra, fixed in (([], False), (["--fixed-split"], True)):
        assert main(base + extra + ["--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        stored = sweep.load_sweep(store, out["sweep_id"])
        assert (stored.seeds, stored.data.seed, stored.vary_split) == ([3, 4, 5], 3, not fixed)
        # the page's plan for split seed 3 and three seeds (app_pages/sweep.py builds it so)
        page = sweep.SweepSpec(strategies=["tfidf_logreg", "head_only"], sizes=[8], data=data, model=tiny_model,
                               seeds=sweep.counted_seeds(data.seed, 3), vary_split=not fixed, min_steps=0,
                               common={"max_length": 32, "epochs": 1})
        assert stored.to_dict() == page.to_dict()
        assert [(p["strategy"], p["sweep_seed"], p["split_seed"]) for p in out["points"]] == [
            (p.strategy, p.seed, p.config.data.seed) for p in sweep.plan(page)]
        assert {(p["strategy"], p["split_seed"]) for p in out["points"]} == (
            {(s, 3) for s in ("tfidf_logreg", "head_only")} if fixed else
            {(s, k) for s in ("tfidf_logreg", "head_only") for k in (3, 4, 5)})
        runs = {r.id: r for r in store.list_runs()}
        assert sorted((runs[p["run_id"]].config["seed"], runs[p["run_id"]].config["data"]["seed"])
                      for p in out["points"] if p["strategy"] == "head_only") == (
            [(3, 3), (4, 3), (5, 3)] if fixed else [(3, 3), (4, 4), (5, 5)])
    assert main(["sweep", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert sorted(line.split("seeds: ")[1] for line in listed) == ["3 4 5", "3 4 5 on split 3"]
    # seeds drawing their own splits from 0: split 3 would serve no point, refused saying what to do
    assert main(base + ["--seeds", "0", "1", "--dry-run"]) == 2
    assert ("--split-seed 3 with --seeds 0 1: each seed draws its own split (split seeds 0 1), so split 3 would "
            "train no point. Count the seeds up from it (--seeds 3 4, or no --seeds: 3 4 5), or add --fixed-split"
            in capsys.readouterr().err)


def test_cli_sweep_new_vocab_takes_a_model_folder_without_a_tokenizer_as_the_page_does(tiny_model, tiny_csv, tmp_path,
                                                                                        capsys):
    """The Learning curves page's "scratch: new vocabulary" has its CLI twin, as `run --new-vocab`: scratch's points
    train their own vocabulary, so a folder without tokenizer files serves them; any strategy that reads the
    folder's tokenizer is refused before anything is stored."""
    from test_outcomes import _copy_model

    from bertlab.cli import main

    d = str(_copy_model(tiny_model, tmp_path / "no-tokenizer", tokenizer=False))
    base = ["sweep", "--dataset", str(tiny_csv), "--model", d, "--sizes", "16", "--seeds", "0", "--json"]
    for refused in (["--strategies", "scratch"], ["--strategies", "scratch", "head_only", "--new-vocab"]):
        assert main([*base, *refused, "--dry-run"]) == 2
        assert "has no tokenizer files" in capsys.readouterr().err
    assert main([*base, "--strategies", "scratch", "--new-vocab", "--dry-run"]) == 0
    assert "would run scratch n=16" in capsys.readouterr().err
    assert main([*base, "--strategies", "scratch", "--new-vocab", "--no-run"]) == 1  # planned, not trained
    out = json.loads(capsys.readouterr().out)
    spec = sweep.load_sweep(RunStore(), out["sweep_id"])
    assert spec.per_strategy == {"scratch": {"new_vocab": True}} and all(p.config.new_vocab for p in sweep.plan(spec))
    assert [p["name"] for p in out["points"]] == ["scratch (own vocabulary)"]


def test_min_steps_counts_a_last_partial_batch_as_a_step_and_a_small_size_batches_all_its_texts(tiny_model,
                                                                                              tiny_data):
    spec = spec_for(tiny_model, tiny_data, strategies=["full_ft"], sizes=[4, 12], seeds=[0], min_steps=20,
                    own_minimum=False)
    by_size = {p.size: p.config for p in sweep.plan(spec)}
    assert (by_size[12].batch_size, by_size[12].epochs) == (8, 10)  # batches of 8 and 4: 2 steps an epoch
    assert (by_size[4].batch_size, by_size[4].epochs) == (4, 20)  # one batch of its 4 texts, not of 8


def test_a_size_equal_to_the_training_examples_is_at_least_them_and_all_shows_what_it_trained_on():
    assert sweep.fit_sentence([263], 263) == "263 is at least the 263 training examples: it runs as all."
    agg = [{"strategy": "tfidf_logreg", "size": None, "n_seeds": 2, "n_planned": 2, "mean": 0.8, "std": 0.01,
            "n_train": 263.0, "train_seconds": 1.0}]
    assert sweep.results_table(agg)[0]["n labelled"] == 263  # "all": what the finished runs trained on
    assert sweep.counted_seeds(5) == [5, 6, 7] and sweep.counted_seeds(0, 2) == [0, 1]


def test_a_zero_shot_stored_with_its_datas_own_sentences_is_the_point_a_sweep_plans(tiny_model, tiny_data, tmp_path):
    """The Train page stored zero_shot's sentences written out where they were the data's own (rotten_tomatoes'
    "This movie was great." / "... terrible.", a file's label names) until it stored None, as run and
    bertlab.compare do: a sweep over a store holding such a run trained the point again (todo ['zero_shot'])."""
    store = RunStore(tmp_path)
    builtin = sweep.SweepSpec(strategies=["zero_shot"], sizes=[200], seeds=[0],
                              data=DataConfig(source="builtin", name="rotten_tomatoes"), model=tiny_model)
    own = ["This movie was great.", "This movie was terrible."]
    old = store.create_run(sweep.plan(builtin)[0].config.replace(label_descriptions=own))
    store.finish(old, SUCCEEDED, data_summary={"label_names": ["fresh", "rotten"]})
    assert sweep.split_points(store, builtin) == ([], [old])
    written = dataclasses.replace(builtin, common={"label_descriptions": own})  # a plan giving them: still that run
    assert sweep.plan(written)[0].config.label_descriptions == own and sweep.split_points(store, written) == ([], [old])
    queued = RunStore(tmp_path / "queued")  # a run not started yet has recorded no labels: a built-in's are known
    qid = queued.create_run(sweep.plan(builtin)[0].config.replace(label_descriptions=own))
    assert sweep.split_points(queued, builtin) == ([], [qid])
    on_file = spec_for(tiny_model, tiny_data, strategies=["zero_shot"], sizes=[8], seeds=[0])
    fid = store.create_run(sweep.plan(on_file)[0].config.replace(label_descriptions=["neg", "pos"]))
    store.finish(fid, SUCCEEDED, data_summary={"label_names": ["neg", "pos"]})
    assert sweep.split_points(store, on_file) == ([], [fid])
    # sentences of the user's own are another run, as before
    mine = RunStore(tmp_path / "mine")
    store_id = mine.create_run(sweep.plan(builtin)[0].config.replace(label_descriptions=["Loved it.", "Hated it."]))
    mine.finish(store_id, SUCCEEDED, data_summary={"label_names": ["fresh", "rotten"]})
    assert [c.strategy for c in sweep.split_points(mine, builtin)[0]] == ["zero_shot"]


def test_the_form_and_the_curves_count_a_points_test_texts_by_one_rule():
    """The Learning curves form (b0caa3a) and the line under the curves (50f32a2) each worked out the test texts a
    point is scored on, by two copies of one rule that parted at a count of 0 ('(0 texts, ...)' in the form,
    nothing under the curves). Both ask sweep.test_texts now."""
    assert sweep.test_texts(500, 1_200) == 500 and sweep.test_texts(500, 120) == 120  # the cap, or what is there
    assert sweep.test_texts(None, 120) == 120 and sweep.test_texts(500, None) == 500
    assert sweep.test_texts(None, None) is None


def test_the_sweep_estimate_says_up_to_where_stop_early_after_may_end_its_runs_sooner():
    """A sweep run with --patience (Stop early after) was estimated at every epoch and said '~2 min', where the Train
    page, the sidebar and the CLI's runs say 'up to ~2 min' of such runs: the Learning curves page and the CLI's
    sweep now say it the same way, naming the strategies that may stop early."""
    stop = make_config("full_ft", epochs=5, patience=1)
    every = make_config("full_ft", epochs=2, patience=1)  # 2 epochs: patience 1 cannot end it sooner
    embeds = make_config("head_only", epochs=30, patience=1)  # its epochs cost nearly nothing
    assert sweep.stop_early_strategies([every, embeds]) == []
    assert sweep.stop_early_strategies([stop, every, stop]) == ["full_ft"]
    said = sweep.estimate_sentence(120.0, 0, 3, sweep.stop_early_strategies([stop, every]))
    assert said == (" Estimated time here: up to ~2 min (from past runs on this device; full_ft may stop early and "
                    "take less)."), said
    assert "up to ~2 min (full_ft may stop early and take less) plus 1 point" in sweep.estimate_sentence(
        120.0, 1, 3, ["full_ft"])
    assert sweep.estimate_sentence(120.0, 0, 3) == " Estimated time here: ~2 min (from past runs on this device)."


def test_a_sweeps_estimate_says_up_to_only_of_the_strategies_its_seconds_hold(tiny_model, tiny_csv, capsys):
    """57aac93's 'up to' named every strategy set to Stop early after, where the Train page names only those its total
    holds: a sweep of tfidf_logreg (run here before) and full_ft with --patience (never run here) said 'Estimated time
    here: up to ~5 s (full_ft may stop early and take less) plus 2 points whose strategy has not run on this device
    yet', though full_ft's points are the 2 left out of that time. It now says the time as it is."""
    from bertlab.cli import main

    base = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--seeds", "0"]
    assert main([*base, "--strategies", "tfidf_logreg", "--sizes", "8"]) == 0  # a past tfidf_logreg run here
    capsys.readouterr()
    assert main([*base, "--strategies", "tfidf_logreg", "full_ft", "--sizes", "8", "16", "--epochs", "5",
                 "--patience", "1", "--dry-run"]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert "Estimated time here: ~" in first and " plus 2 points whose strategy has not run on this device yet." in first
    assert "up to" not in first and "may stop early" not in first
    counted: list = []
    full_ft = make_config("full_ft", model=tiny_model, epochs=5, patience=1)
    assert sweep.estimate_total([], [full_ft], "cpu", counted=counted) == (0.0, 1) and counted == []
