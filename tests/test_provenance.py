"""`runs --json`, the Results CSV, `show`, the HTML report and an exported zip give a run's reproduction fields (the
precision it ran in beside its setting, library versions, the settings its strategy used) from one place
(bertlab.provenance): they must agree, strategy by strategy."""

import pytest

from bertlab import cli, export, report
from bertlab.provenance import VERSIONS
from bertlab.store import Run, RunStore
from bertlab.strategies import REGISTRY, make_config
from bertlab.variants import EPOCH_FIELDS


def _run(strategy: str) -> Run:
    env = {"bertlab": "0.1.0 (abc)", "torch": "2.0", "transformers": "4.0"}  # scikit-learn, peft...: not recorded
    return Run(id=f"r-{strategy}", batch_id="b", created=0.0, status="succeeded", strategy=strategy, dataset="sst2",
               model="minilm", config=make_config(strategy, warmup_ratio=0.2).to_dict(),
               costs={"precision": "bfloat16", "device": "cpu"},
               data_summary={"environment": env, "file_sha256": "f00d", "sizes": {"test": 10}})


@pytest.mark.parametrize("strategy", sorted(REGISTRY))
def test_surfaces_agree_on_reproduction_fields(strategy, tmp_path):
    run = _run(strategy)
    row, csv_row = cli.result_row(run), report.results_rows([run])[0]
    rec, zipped = cli.run_record(RunStore(tmp_path), run), export.run_record(run, {})
    assert row["precision"] == csv_row["precision"] == rec["precision"]["ran_in"] == "bf16"
    assert zipped["environment"]["precision"] == "bf16"
    assert row["precision_setting"] == rec["precision"]["setting"] == zipped["environment"]["precision_setting"] \
        == "auto"
    assert "Ran in bf16 (its precision setting: auto)" in report._precision_line(run)
    assert row["versions"] == {k: csv_row[k] for k in VERSIONS if csv_row[k]}
    assert {k: csv_row[k] for k in VERSIONS if not csv_row[k]} == {k: None for k in ("scikit-learn", "peft",
                                                                                     "onnxruntime")}
    assert row["data_sha256"] == csv_row["data_sha256"] == "f00d"
    s = REGISTRY[strategy]
    for k in (*EPOCH_FIELDS, "max_length"):  # blank alike where the strategy does not use a setting
        assert row[k] == csv_row[k] == (run.config[k] if s.uses_field(k) else None), k
    # the CLI's per-strategy flags go by the same rule
    assert [cli._uses(strategy, k) for k in EPOCH_FIELDS] == [s.uses_field(k) for k in EPOCH_FIELDS]


def test_a_run_of_a_strategy_no_longer_registered_keeps_its_settings_in_the_csv_not_in_the_json(tmp_path):
    """The Results CSV keeps the settings of a run whose strategy is gone (nothing says it did not use them);
    `runs --json` blanks them (used_settings' ``unknown``)."""
    run = _run("head_only")
    run.strategy = "retired_strategy"
    row, csv_row = cli.result_row(run), report.results_rows([run])[0]
    for k in ("epochs", "learning_rate", "max_length"):
        assert csv_row[k] == run.config[k] is not None, k
        assert row[k] is None, k


def test_thread_counts_read_in_number_order_and_one_step_is_a_step():
    from types import SimpleNamespace

    from bertlab.provenance import run_threads

    # "10" sorts before "2" as text: a 16-core machine's run read "10 (...), 2 (...)"
    assert run_threads(SimpleNamespace(costs={"train_threads": {"10": 5, "2": 90}})) == "2 (90 steps), 10 (5 steps)"
    assert run_threads(SimpleNamespace(costs={"train_threads": {"2": 1, "1": 90}})) == "1 (90 steps), 2 (1 step)"


def test_the_zips_record_names_the_device_the_run_measured():
    """The environment's device is the one the run's costs name (with the GPU's model), the run's bare setting
    only where it measured none."""
    run = _run("full_ft")
    run.device, run.costs["device"] = "cuda", "cuda:0 (NVIDIA T4)"
    assert export.run_record(run, {})["environment"]["device"] == "cuda:0 (NVIDIA T4)"
    del run.costs["device"]
    assert export.run_record(run, {})["environment"]["device"] == "cuda"
