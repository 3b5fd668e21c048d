"""The Python API (bertlab.api): the README's notebook example on the tiny model, a keyboard interrupt in the middle
of a run, and the mistakes it refuses before storing anything."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import deleting_the_rest_at_the_first_run, make_texts  # tests/ is on sys.path

import bertlab
from bertlab import paired
from bertlab.errors import BertlabError, ColumnChoiceError, ConfigError, DataError
from bertlab.store import CANCELLED, INTERRUPTED, RunStore


@pytest.fixture
def reviews() -> pd.DataFrame:
    """The README's ``df``: a text column and a label column, named as a user's might be."""
    texts, labels = make_texts()
    return pd.DataFrame({"review": texts, "sentiment": labels})


def test_the_readmes_example_runs_on_the_tiny_model(reviews, tiny_model, capsys, monkeypatch):
    """The README's example, on the tiny model and the whole tiny table (the Quick demo's sizes are larger)."""
    from bertlab import predict

    loads = []
    real_load = predict._Loaded.__init__
    monkeypatch.setattr(predict._Loaded, "__init__", lambda self, run_id, *a, **kw: loads.append(run_id) or real_load(
        self, run_id, *a, **kw))
    c = bertlab.compare(reviews, ["zero_shot", "head_only", "full_ft", "tfidf_logreg"], sizes=(None, None, None),
                        model=tiny_model, settings={"full_ft": {"epochs": 3}})
    data_line, *lines = capsys.readouterr().out.splitlines()
    assert data_line == ("data: dataframe.parquet: text column 'review', label column 'sentiment' (text_column / "
                         "label_column choose others); 2 classes; train 56, validation 8, test 16")
    assert [line.split(":")[0] for line in lines] == [
        f"[{k}/4] {r.strategy} · {r.id[-4:]}" for k, r in enumerate(c.runs, 1)]  # one line a run, no bar
    assert not any("\r" in line for line in lines) and all("succeeded after" in line for line in lines)  # no tty
    table = c.table
    assert list(table["name"]) == ["zero_shot", "head_only", "full_ft", "tfidf_logreg"]
    assert list(table["status"]) == ["succeeded"] * 4
    store = RunStore()
    for row in table.to_dict("records"):  # the stored numbers, as `run --json` gives them
        run = store.get(row["run_id"])
        assert row["test_accuracy"] == run.metrics["test_accuracy"]
        assert row["trainable_params"] == run.costs["trainable_params"]
        assert row["dataset"] == "dataframe.parquet" and row["n_train"] == run.data_summary["sizes"]["train"]
    assert c.batch_id and {r.batch_id for r in store.list_runs()} == {c.batch_id}
    assert isinstance(c.answer, str) and "tfidf_logreg" in c.answer
    assert "Which one to use?" in repr(c) and "<table" in c._repr_html_()
    curves = c.curves()
    assert set(curves["name"]) >= {"head_only", "full_ft"}
    assert (curves[curves["name"] == "full_ft"]["series"] == "train_loss").sum() >= 3
    fig = c.plot_loss()
    assert {t.name for t in fig.data if t.name} >= {"full_ft", "head_only"}
    assert len(c.plot_validation().data) >= 2
    wide = c.predict(["a wonderful film", "boring and dull"])
    assert list(wide.columns) == ["zero_shot", "head_only", "full_ft", "tfidf_logreg"]
    assert list(wide.index) == ["a wonderful film", "boring and dull"]
    assert sorted(loads) == sorted(r.id for r in c.runs)  # each model loaded once, kept for the next call
    # A run's predictions on its own test texts are its stored answers for them (the same model, the same texts)
    run = c["tfidf_logreg"]
    assert c[np.int64(3)] is run and c[-1] is run  # numpy's integers are positions (read as an id: TypeError len())
    with pytest.raises(TypeError, match="position, name or id"):
        c[3.0]
    with pytest.raises(IndexError, match=r"run 4: this comparison has 4 runs, 0 to 3 \(or -1 for the last\); "
                                         "zero_shot, head_only, full_ft, tfidf_logreg"):
        c[4]  # was "list index out of range"
    from bertlab.data import load_splits

    test = load_splits(run.config.data).test
    got = run.predict(test.texts)
    stored = paired.load_predictions(run.run)
    assert list(got["label"]) == [test.label_names[i] for i in stored["predictions"]]
    assert list(got.columns) == ["text", "label", "confidence", "p(neg)", "p(pos)"]
    assert ((got["p(neg)"] + got["p(pos)"]) - 1).abs().max() < 1e-6
    assert len(loads) == 4  # the comparison's model answered: not loaded a second time
    # Later, in another kernel: the same run by the id's end, and the launch as the latest
    again = bertlab.load_run(run.id[-6:])
    assert again.id == run.id and list(again.predict(test.texts[:3])["label"]) == list(got["label"][:3])
    assert [r.id for r in bertlab.load_comparison().runs] == [r.id for r in c.runs]
    # one run's id as a string, not a list: was read as its letters ("no run with id '2'")
    assert [r.id for r in bertlab.load_comparison(run_ids=run.id[-6:]).runs] == [run.id]
    with pytest.raises(ConfigError, match=r"load_run takes one run's id as a string, not list .*; for several runs, "
                                          r"bertlab.load_comparison\(run_ids=\[...\]\)"):
        bertlab.load_run([run.id])  # was AttributeError: 'list' object has no attribute 'strip'
    # nothing named: the Python arguments, not the CLI's --batch flag
    for nothing in ({"batch": None}, {"batch": ""}, {"batch": None, "run_ids": []}):
        with pytest.raises(ConfigError, match=r"name some runs: give run_ids=\[...\] .* or batch='BATCH_ID'") as e:
            bertlab.load_comparison(**nothing)
        assert "--batch" not in str(e.value)


def test_a_keyboard_interrupt_marks_the_run_interrupted_and_cancels_the_rest(reviews, tiny_model, monkeypatch):
    """Jupyter's Interrupt mid-run left the run 'running' for as long as the kernel lived (its process alive, so
    nothing marked it: the app showed it training) and the launch's other runs queued."""
    from bertlab.runner import StoreCallbacks

    steps = []
    real = StoreCallbacks.on_step

    def interrupted(self, step, *a, **k):
        steps.append(step)
        if len(steps) == 2:  # as a SIGINT arriving during training
            raise KeyboardInterrupt
        return real(self, step, *a, **k)

    monkeypatch.setattr(StoreCallbacks, "on_step", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bertlab.compare(reviews, ["full_ft", "tfidf_logreg"], sizes=(None, None, None), model=tiny_model,
                        progress=False)
    runs = {r.strategy: r for r in RunStore().list_runs()}
    assert runs["full_ft"].status == INTERRUPTED and "keyboard interrupt" in runs["full_ft"].error
    assert runs["tfidf_logreg"].status == CANCELLED
    assert not list((RunStore().root / "runs").glob(".tmp-*"))  # no half-written model left behind
    c = bertlab.load_comparison()  # what there is, read back
    assert [r.status for r in c.runs] == [INTERRUPTED, CANCELLED]
    # and as a notebook shows it: the interrupted run's reason under the table, as repr() prints it
    assert "<li>full_ft: stopped by a keyboard interrupt (Python) while this run was training</li>" in c._repr_html_()


def test_an_interrupt_while_the_runs_are_stored_leaves_none_queued(reviews, monkeypatch):
    """The launch's runs were stored before the interrupt was watched for: an interrupt between two left the first
    queued, its process alive, for an app on the same data directory to adopt and train once the kernel ended."""
    real = RunStore.create_run
    made = []

    def create_run(self, config, batch_id=None):
        if made:
            raise KeyboardInterrupt
        made.append(real(self, config, batch_id))
        return made[-1]

    monkeypatch.setattr(RunStore, "create_run", create_run)
    with pytest.raises(KeyboardInterrupt):
        bertlab.compare(reviews, ["head_only", "tfidf_logreg"], sizes=(None, None, None), progress=False)
    assert [(r.id, r.status) for r in RunStore().list_runs()] == [(made[0], CANCELLED)]


def test_a_failed_run_is_a_row_with_its_error_and_a_warning_when_progress_is_off(reviews, monkeypatch):
    from bertlab.strategies import get_strategy

    def broken(self, ctx):
        raise RuntimeError("the disk fell off")

    monkeypatch.setattr(type(get_strategy("tfidf_logreg")), "run", broken)
    with pytest.warns(UserWarning, match="tfidf_logreg · .*failed: RuntimeError: the disk fell off"):
        c = bertlab.compare(reviews, ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    assert c.table.loc[0, "status"] == "failed" and "the disk fell off" in c.table.loc[0, "error"]
    assert "RuntimeError" in c["tfidf_logreg"].run.traceback
    with pytest.raises(BertlabError, match="no run of this comparison succeeded"):
        c.predict("anything")


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"strategies": ["head_only", "head_only"]}, ConfigError, "repeats=N"),
    ({"strategies": ["headonly"]}, ConfigError, "strategy 'headonly' is unknown"),
    # a misspelt one: the one meant, named, where only the list was (the CLI's run --strategies too)
    ({"strategies": ["head-only"]}, ConfigError, r"strategy 'head-only' is unknown; choose from \[.*\]\. Did you mean "
                                                 r"'head_only'\?"),
    ({"strategies": ["tfidf"]}, ConfigError, r"Did you mean 'tfidf_logreg'\?"),
    ({"settings": {"tfidf_logreg": {"lr": 1e-3}}}, ConfigError, "'lr', not a run setting"),
    ({"settings": {"full_ft": {"epochs": 2}}}, ConfigError, "'full_ft', not among strategies"),
    # found by fuzzing compare's arguments: stored, and ignored as the run trained
    ({"settings": {"tfidf_logreg": {"options": {"c": 4, "ngram_max": 3}}}}, ConfigError,
     r"^settings\['tfidf_logreg'\]\['options'\] has 'c', not an option of tfidf_logreg; its options are C, ngram_max, "
     r"max_features\.$"),
    ({"strategies": ["head_only"], "settings": {"head_only": {"options": {"r": 16}}}}, ConfigError,
     r"^settings\['head_only'\]\['options'\] has 'r', not an option of head_only; it has no options\.$"),
    ({"sizes": "tiny"}, ConfigError, "'quick', 'classroom', 'standard', 'all'"),
    ({"repeats": 0}, ConfigError, "repeats must be a whole number"),
    ({"settings": {"tfidf_logreg": 3}}, ConfigError, r"settings\['tfidf_logreg'\] is 3; give a dict"),
    # found by fuzzing compare's arguments: "TypeError: 'int' object is not iterable", a ValueError of dict()'s
    ({"settings": 3}, ConfigError, r"^settings 3: give a dict of each strategy's run settings, such as "
                                   r"settings=\{'full_ft': \{'epochs': 3\}\}\.$"),
    ({"settings": "epochs=3"}, ConfigError, r"^settings 'epochs=3': give a dict of each strategy's run settings"),
    ({"strategies": ["head_only"], "settings": {"head_only": {"learning_rate": []}}}, ConfigError,
     r"\['learning_rate'\] is empty"),
    # found by fuzzing compare's arguments: "ValueError: could not convert string to float: 'x'", a TypeError of None
    ({"strategies": ["head_only"], "settings": {"head_only": {"learning_rate": [1e-3, "x"]}}}, ConfigError,
     r"^settings\['head_only'\]\['learning_rate'\] has 'x', not a number; give rates such as \[1e-3, 3e-2\], one run "
     r"each\.$"),
    ({"strategies": ["head_only"], "settings": {"head_only": {"learning_rate": [1e-3, None]}}}, ConfigError,
     r"\['learning_rate'\] has None, not a number"),
    # the same words for the first rate (it said RunConfig's "learning_rate must be above 0 ..., got 'x'.")
    ({"strategies": ["head_only"], "settings": {"head_only": {"learning_rate": ["x", 1e-3]}}}, ConfigError,
     r"^settings\['head_only'\]\['learning_rate'\] has 'x', not a number; give rates such as \[1e-3, 3e-2\], one run "
     r"each\.$"),
    ({"strategies": ["head_only"], "settings": {"head_only": {"learning_rate": "x"}}}, ConfigError,
     r"^settings\['head_only'\]\['learning_rate'\] has 'x', not a number"),
    # True is an int to Python: a later rate True had queued a run at learning rate 1.0
    ({"strategies": ["head_only"], "settings": {"head_only": {"learning_rate": [1e-3, True]}}}, ConfigError,
     r"\['learning_rate'\] has True, not a number"),
    # options that are not a dict failed the option-name check with "TypeError: 'int' object is not iterable"
    ({"settings": {"tfidf_logreg": {"options": 3}}}, ConfigError, r"^options must be a dict of the strategy's own "
                                                                  r"options by name .*, got 3\.$"),
    ({"sizes": 500}, ConfigError, r"sizes 500: give three caps.* \(\(500, None, None\) caps the training split"),
    # accepted, then a KeyError 'f1' when the answer was read (printing the comparison), after the runs trained
    ({"judge_by": "f1"}, ConfigError, "judge_by 'f1' is not a measure"),
    # found by fuzzing compare's arguments: "TypeError: unhashable type: 'list'"
    ({"judge_by": ["accuracy"]}, ConfigError, r"judge_by \['accuracy'\] is not a measure the answer judges by; use "
                                              "one of 'accuracy', 'macro_f1'"),
    # a DataFrame's column said "is not in the file" (the Parquet copy it is kept as)
    ({"text_column": "text"}, BertlabError, r"^text column 'text' is not a column of the DataFrame; its columns are "
                                            r"\['review', 'sentiment'\]\.$"),
    ({"strategies": 3}, ConfigError, r"strategies 3: give a list of strategy names"),  # was a TypeError, iterable
    ({"strategies": {"head_only"}}, ConfigError, r"strategies \{'head_only'\}: give a list"),  # a set: no order
    ({"strategies": np.array(["tfidf_logreg", "headonly"])}, ConfigError, "strategy 'headonly' is unknown"),
    # an array or a Series for a name said numpy's and pandas' "The truth value of ... is ambiguous"
    ({"precision": np.array(["fp32", "bf16"])}, ConfigError,
     r"^precision must be a string, one of \('auto', 'fp32', 'bf16', 'fp16'\); got a ndarray: array\(\['fp32', "),
    ({"class_weights": pd.Series(["balanced", "none"])}, ConfigError,
     r"^class_weights must be a string, one of \('none', 'balanced'\); got a Series: 0 balanced 1 none "),
    # a bool is an int to Python: accepted, and shown as "split True"
    ({"split_seed": True}, ConfigError, r"^seed must be a non-negative whole number, got True\.$"),
    # an option's value it does not take: stored, and failed as a run ("tfidf_logreg option 'ngram_max' must be a
    # whole number from 1 to 5, got 'abc'"); refused before anything is stored, by the option's spec
    ({"settings": {"tfidf_logreg": {"options": {"ngram_max": "abc"}}}}, ConfigError,
     r"^settings\['tfidf_logreg'\]\['options'\]: ngram_max is 'abc'; it takes a whole number from 1 to 5 \(default "
     r"2\)\.$"),
    ({"settings": {"tfidf_logreg": {"options": {"max_features": 10}}}}, ConfigError,
     r"max_features is 10; it takes a whole number from 100 to 5,000,000 \(default 200,000\)\.$"),
    ({"strategies": ["lora"], "settings": {"lora": {"options": {"r": 8, "alpha": "x"}}}}, ConfigError,
     r"^settings\['lora'\]\['options'\]: alpha is 'x'; it takes a number from 0\.1 to 1,024, or None for 2 x r\.$"),
    # a model that is no name: stored and trained where no run reads it (tfidf_logreg alone), "'int' object has no
    # attribute 'strip'" where one does
    ({"model": 3}, ConfigError, r"^model must be a string: 'minilm' \(the offline default\), a hub id or a local "
                                r"directory; got an int: 3\.$"),
    ({"model": ["minilm"], "strategies": ["head_only"]}, ConfigError, r"^model must be a string: .*; got a list: "
                                                                      r"\['minilm'\]\.$"),
    ({"model": None, "strategies": ["tfidf_logreg", "head_only"]}, ConfigError, r"^model must be a string: .*; got a "
                                                                                r"NoneType: None\.$"),
    # a name that is no string was taken and cleaned to a file name: name=['x'] kept the DataFrame as __x__.parquet
    ({"name": ["x"]}, ConfigError, r"^name must be a string, what a DataFrame is called in the app and the tables "
                                   r"\(such as 'reviews'\); got a list: \['x'\]\.$"),
    ({"name": 3}, ConfigError, r"^name must be a string, .*; got an int: 3\.$"),
    ({"name": None}, ConfigError, r"^name must be a string, .*; got a NoneType: None\.$"),
    # a blank name was kept quietly: name="   " as ___.parquet, name="" as dataframe.parquet
    ({"name": "   "}, ConfigError, r"^name must be a string, what a DataFrame is called in the app and the tables "
                                   r"\(such as 'reviews'\); got a blank one: '   '\.$"),
    ({"name": ""}, ConfigError, r"^name must be a string, .*; got a blank one: ''\.$"),
])
def test_mistakes_are_refused_before_any_run_is_stored(reviews, kwargs, error, words):
    kwargs = {"strategies": ["tfidf_logreg"], **kwargs}
    with pytest.raises(error, match=words):
        bertlab.compare(reviews, **kwargs)
    assert RunStore().list_runs() == []


def test_configs_refuse_a_name_that_is_not_a_string_and_a_seed_that_is_a_bool():
    """A one-element array for precision passed ``in PRECISIONS`` and was kept as the run's precision (a longer one
    raised "truth value ... ambiguous"); DataConfig(seed=True) was kept and shown as "split True". A numpy string is
    a string, and stays accepted."""
    from bertlab.config import DataConfig, RunConfig

    for field in ("precision", "class_weights"):
        value = "fp32" if field == "precision" else "balanced"
        with pytest.raises(ConfigError, match=f"^{field} must be a string, one of .*; got a list: "):
            RunConfig(strategy="full_ft", **{field: [value]})
        with pytest.raises(ConfigError, match=f"^{field} must be a string, one of .*; got a ndarray: "):
            RunConfig(strategy="full_ft", **{field: np.array([value])})
        assert getattr(RunConfig(strategy="full_ft", **{field: np.str_(value)}), field) == value
    with pytest.raises(ConfigError, match=r"^seed must be a non-negative whole number, got False\.$"):
        DataConfig(source="builtin", name="rotten_tomatoes", seed=False)
    assert DataConfig(source="builtin", name="rotten_tomatoes", seed=1).seed == 1


def test_a_model_is_a_string_or_a_path_and_nothing_else(reviews, tiny_model):
    """compare(model=3) was stored and trained with tfidf_logreg alone (no run reads the model); RunConfig kept it.
    Both refuse a model that is no string in words; a local folder given as a Path is its path."""
    from bertlab.config import RunConfig

    with pytest.raises(ConfigError, match=r"^model must be a string: .*; got a float: 1\.5\.$"):
        RunConfig(strategy="tfidf_logreg", model=1.5)
    c = bertlab.compare(reviews, ["tfidf_logreg"], model=Path(tiny_model), progress=False)
    assert c.runs[0].run.model == str(Path(tiny_model)) and c.runs[0].run.status == "succeeded"


def test_every_options_value_is_checked_by_its_spec(reviews, tiny_model, tmp_path):
    """bertlab.compare checked an option's name, not its value: {'ngram_max': 'abc'} was stored and failed as a run.
    strategies.base.option_refusal checks a value by the option's spec, as the Train page's field and `run
    --option` take it: every spec's default fits, and so does None where the default is None; a bool, a number out
    of range, a whole number's fraction, NaN and a missing file do not, each said with what the option takes."""
    from bertlab.api import _configs, data_config
    from bertlab.strategies import REGISTRY
    from bertlab.strategies.base import option_refusal

    checked = 0
    for name, s in REGISTRY.items():
        for key, spec in (getattr(s, "option_specs", None) or {}).items():
            assert option_refusal(s, key, spec["default"]) is None, (name, key)
            for bad in ([True, "2"] + ([spec["max"] + 1, spec["min"] - 1, float("nan")] if "max" in spec else [])
                        + ([2.5] if spec["kind"] == "int" else []) + ([str(tmp_path / "none.txt")]
                                                                     if spec["kind"] == "file" else [])):
                why = option_refusal(s, key, bad)
                assert why and why.startswith(f"{key} is {bad!r}; it takes "), (name, key, bad, why)
            checked += 1
    assert checked >= 15
    lora = REGISTRY["lora"]
    assert option_refusal(lora, "r", None) == "r is None; it takes a whole number from 1 to 256 (default 8)"
    # a model's own range: partial_ft's layers up to the tiny model's 2
    assert option_refusal(REGISTRY["partial_ft"], "layers", 3, tiny_model).startswith(
        f"layers is 3; it takes a whole number from 0 to 2 for {tiny_model} (the most this model allows), or None")
    assert option_refusal(REGISTRY["partial_ft"], "layers", 2, tiny_model) is None
    # a file given as a Path is checked, and stored as its path
    domain = tmp_path / "domain.txt"
    domain.write_text("some text\n")
    dc = data_config(reviews, None, None, None, None, None, "reviews")
    configs = _configs(["dapt"], dc, tiny_model, {}, {"dapt": {"options": {"domain_file": domain}}}, 1)
    assert configs[0].options["domain_file"] == str(domain)
    with pytest.raises(ConfigError, match=r"^settings\['dapt'\]\['options'\]: domain_file is PosixPath\(.*; it takes "
                                          r"the path of a file \(\.txt\), or None\.$"):
        _configs(["dapt"], dc, tiny_model, {}, {"dapt": {"options": {"domain_file": tmp_path / "gone.txt"}}}, 1)


def test_a_stored_comparison_refuses_a_measure_it_cannot_judge_by(reviews):
    bertlab.compare(reviews, ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    with pytest.raises(ConfigError, match="use one of 'accuracy', 'macro_f1'"):
        bertlab.load_comparison(judge_by="f1")
    assert bertlab.load_comparison(judge_by="macro_f1").judge_by == "macro_f1"


def test_a_measure_set_on_a_comparison_later_is_checked_too():
    """c.judge_by = 'f1' on a Comparison was kept, and printing it (or c.answer) raised KeyError 'f1'."""
    from bertlab.api import Comparison

    c = Comparison([], store=RunStore())
    with pytest.raises(ConfigError, match="judge_by 'f1' is not a measure the answer judges by"):
        c.judge_by = "f1"
    with pytest.raises(ConfigError, match=r"judge_by \{'accuracy'\} is not a measure"):  # was unhashable, a TypeError
        c.judge_by = {"accuracy"}
    c.judge_by = "macro_f1"
    assert c.judge_by == "macro_f1"


def test_a_bad_loss_axis_is_said_in_words():
    with pytest.raises(ConfigError, match="x 'time': plot_loss draws the loss by 'step', 'epoch', 'progress'"):
        bertlab.Comparison([], store=RunStore()).plot_loss(x="time")  # was KeyError 'time'


def test_a_series_for_data_is_said_in_words(reviews):
    with pytest.raises(BertlabError, match=r"data is a pandas Series \(80 values, 'review'\); pass a DataFrame") as e:
        bertlab.compare(reviews["review"], ["tfidf_logreg"])
    assert reviews["review"][0] not in str(e.value)  # not the Series' rows, as the name of a dataset
    assert RunStore().list_runs() == []


@pytest.mark.parametrize(("shape", "words"), [
    ("list", r"data is a list of 80 values; pass a DataFrame .* pd.DataFrame\(\{'text': texts, 'label': labels\}\)"),
    ("pair", r"data is a tuple of 2 values; pass a DataFrame"),
    ("array", r"data is a numpy array of 80 values; pass a DataFrame"),
    ("dict", r"data is a dict \(keys 'review', 'sentiment'\); pass it as a DataFrame, pd.DataFrame\(data\)"),
])
def test_texts_and_labels_not_in_a_dataframe_are_said_in_words_without_the_texts(reviews, shape, words):
    """A list of texts, (texts, labels) or {'text': texts, 'label': labels} was refused with its repr, every text in
    it, as the name of a dataset: 66,000 characters for 600 tweets."""
    texts, labels = reviews["review"].tolist(), reviews["sentiment"].tolist()
    data = {"list": texts, "pair": (texts, labels), "array": np.array(texts),
            "dict": {"review": texts, "sentiment": labels}}[shape]
    with pytest.raises(BertlabError, match=words) as e:
        bertlab.compare(data, ["tfidf_logreg"])
    assert texts[0] not in str(e.value) and len(str(e.value)) < 200
    assert RunStore().list_runs() == []


def test_a_sparse_column_is_kept_as_its_values_and_a_mixed_one_is_refused(reviews):
    """A sparse column (pd.arrays.SparseArray) of texts or labels was refused as one that "mix[es] kinds of values"
    (pyarrow's "Sparse pandas data ... not supported"): it holds the same values as its dense form, which is kept,
    the same file as the dense frame's. A column that does mix kinds is still refused as one."""
    from bertlab.api import data_config

    dense = reviews.assign(stars=[5 if s == "pos" else 0 for s in reviews["sentiment"]])
    kept = data_config(dense, "review", "sentiment").name
    sparse = dense.assign(review=pd.arrays.SparseArray(dense["review"]),
                          sentiment=pd.arrays.SparseArray(dense["sentiment"]),
                          stars=pd.arrays.SparseArray(dense["stars"], fill_value=0))
    assert all(isinstance(sparse[c].dtype, pd.SparseDtype) for c in ("review", "sentiment", "stars"))
    assert data_config(sparse, "review", "sentiment").name == kept  # the same table, kept once
    assert isinstance(sparse["review"].dtype, pd.SparseDtype)  # the caller's frame is left as it was
    mixed = dense.assign(stars=[5, "five", *dense["stars"][2:]])
    with pytest.raises(DataError, match=r"its column\(s\) \['stars'\] mix kinds of values"):
        data_config(mixed, "review", "sentiment")


@pytest.mark.parametrize("frame", [pd.DataFrame(), pd.DataFrame({"text": [], "label": []})])
def test_an_empty_dataframe_is_refused_as_one_and_not_kept(frame):
    from bertlab.paths import data_home

    with pytest.raises(BertlabError, match=r"the DataFrame has no rows \(its columns: (none|text, label)\)"):
        bertlab.compare(frame, ["tfidf_logreg"])  # was "dataframe.parquet has columns (none) but no data rows"
    assert not list((data_home() / "uploads").glob("*")) and RunStore().list_runs() == []


def test_a_dataframe_of_rows_without_columns_is_not_said_to_have_no_rows():
    """pd.DataFrame(index=range(5)) is empty to pandas, but it has 5 rows: it was told "has no rows"."""
    from bertlab.paths import data_home

    with pytest.raises(BertlabError, match=r"the DataFrame has 5 rows but no columns; give one with a text column"):
        bertlab.compare(pd.DataFrame(index=range(5)), ["tfidf_logreg"])
    assert not list((data_home() / "uploads").glob("*")) and RunStore().list_runs() == []


@pytest.mark.parametrize("column", ["text_column", "label_column", "text_pair_column"])
def test_a_column_the_dataframe_lacks_is_refused_before_its_copy_is_kept(reviews, column):
    """data_config(df, text_column='text') gave a DataConfig, and compare kept the DataFrame's Parquet copy among
    the uploads before its reading said the column was missing (in the copy's words: "is not in the file")."""
    from bertlab.paths import data_home

    with pytest.raises(BertlabError, match=r" 'text' is not a column of the DataFrame; its columns are "
                                           r"\['review', 'sentiment'\]\.$"):
        bertlab.data_config(reviews, **{column: "text"})
    assert not list((data_home() / "uploads").glob("*"))


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"text_column": ["review"]}, "text_column ['review'] is a list; give one column's name, such as "
                                  "text_column='review'."),
    ({"label_column": ("sentiment",)}, "label_column ('sentiment',) is a tuple; give one column's name, such as "
                                       "label_column='sentiment'."),
    ({"text_pair_column": True}, "text_pair_column True is a bool; give one column's name, such as "
                                 "text_pair_column='sentence2'."),
])
@pytest.mark.parametrize("as_file", [False, True])
def test_a_column_argument_that_is_not_a_name_is_said_in_words(reviews, tmp_path, kwargs, words, as_file):
    """Fuzzing compare's arguments: text_column=['review'] for a file failed with "TypeError: unhashable type:
    'list'" (the columns put in a set to look for the split column); for a DataFrame it was "not a column"."""
    data = reviews
    if as_file:
        data = tmp_path / "reviews.csv"
        reviews.to_csv(data, index=False)
    with pytest.raises(ConfigError) as e:
        bertlab.compare(data, ["tfidf_logreg"], **kwargs)
    assert str(e.value) == words
    assert RunStore().list_runs() == []


def test_a_dataframe_without_column_names_takes_its_columns_by_number(reviews):
    """pd.DataFrame(rows) names its columns 0 and 1, kept by their names as text ('0', '1'): text_column=0 was
    refused as "text column 0 is not a column of the DataFrame; its columns are ['0', '1']"."""
    df = pd.DataFrame(list(zip(reviews["sentiment"], reviews["review"])))
    c = bertlab.compare(df, ["tfidf_logreg"], text_column=1, label_column=np.int64(0), sizes="all", progress=False)
    assert c.runs[0].run.data_summary["text_column"] == "1"
    assert c.runs[0].status == "succeeded"


def test_a_dataframe_with_two_columns_named_alike_is_said_in_words(reviews):
    """pd.concat([texts, texts], axis=1) names two columns 'review': kept as Parquet, it failed with a traceback
    (ValueError: Duplicate column names, then KeyError: 0 while looking for the column at fault)."""
    from bertlab.paths import data_home

    df = pd.concat([reviews[["review"]], reviews[["review", "sentiment"]]], axis=1)
    with pytest.raises(BertlabError) as e:
        bertlab.compare(df, ["tfidf_logreg"])
    assert str(e.value) == ("the DataFrame has 2 columns named 'review' (its columns: ['review', 'review', "
                            "'sentiment']); give each column a name of its own, e.g. df.columns = ['review', "
                            "'review_2', 'sentiment'], or keep the one you mean.")
    assert not list((data_home() / "uploads").glob("*")) and RunStore().list_runs() == []


def test_columns_that_cannot_be_told_apart_say_which_argument_to_pass(reviews):
    df = pd.DataFrame({"a": reviews["review"], "b": reviews["review"][::-1].to_list(), "y": reviews["sentiment"]})
    with pytest.raises(ColumnChoiceError, match=r"Pass text_column='a'"):  # the CLI names --text-column
        bertlab.compare(df, ["tfidf_logreg"])
    assert RunStore().list_runs() == []
    c = bertlab.compare(df, ["tfidf_logreg"], text_column="a", sizes=(None, None, None), progress=False)
    assert c.runs[0].run.data_summary["text_column"] == "a"


def test_a_dataframe_is_kept_once_and_its_split_column_is_its_split(reviews):
    df = reviews.assign(split=(["train"] * 6 + ["validation", "test"]) * (len(reviews) // 8))
    a = bertlab.data_config(df)
    b = bertlab.data_config(df.copy())
    assert a.name == b.name and a.split_column == "split"
    assert len(list(Path(a.name).parent.iterdir())) == 1
    c = bertlab.compare(df, ["tfidf_logreg"], sizes="all", progress=False)
    assert c.runs[0].run.data_summary["sizes"] == {"train": 60, "validation": 10, "test": 10}


def test_compare_warns_of_rows_a_files_own_split_leaves_unmarked_before_it_trains(reviews):
    """compare() on a file whose split column marks some rows only trained on those, the rows left out said only in
    each run's notes (its data line and printed comparison said nothing), where `run` and `sweep` give a warning
    before training. It is a warning here too, as the few-steps notes are."""
    df = reviews.assign(split=(["train"] * 6 + ["validation", "test"]) * (len(reviews) // 8))
    df.loc[df.index[:16], "split"] = ""
    with pytest.warns(UserWarning, match=r"dropped 16 of 80 rows \(20%\) with no value in the split column 'split'"):
        c = bertlab.compare(df, ["tfidf_logreg"], sizes="all", progress=False)
    assert c.runs[0].run.data_summary["sizes"]["train"] + c.runs[0].run.data_summary["sizes"]["test"] < 80


def test_importing_bertlab_stays_light():
    """The API comes on first use: `import bertlab` (the CLI's and the app's first import) loads no torch or pandas,
    and bertlab.compare is there once asked for."""
    code = ("import sys, bertlab; heavy = [m for m in ('torch', 'pandas') if m in sys.modules]; "
            "print(heavy, bertlab.compare.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == "[] bertlab.api"


def test_the_readmes_example_names_only_what_the_api_has():
    """The example the test above runs, as the README writes it: every attribute it reads of bertlab, of the
    comparison (c) and of the run exists (a renamed method left behind in the README fails here)."""
    import ast
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## From Python (notebooks and scripts)"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    owners = {"bertlab": bertlab, "c": bertlab.Comparison, "run": bertlab.RunResult}
    used = {(n.value.id, n.attr) for n in ast.walk(ast.parse(code))
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in owners}
    assert {("bertlab", "compare"), ("c", "table"), ("c", "predict"), ("run", "predict"), ("run", "export")} <= used
    assert not [f"{o}.{a}" for o, a in used if not hasattr(owners[o], a)]
    assert 'bertlab.compare(df, ["zero_shot", "head_only", "full_ft", "tfidf_logreg"]' in code


def test_the_data_line_says_where_the_default_sizes_capped_a_dataframe(capsys):
    """A 3,600-row DataFrame was cut to the default Standard caps without a word: 520 of its training texts left
    out, and nothing said sizes='all' would train on them."""
    texts, labels = make_texts(1800)
    df = pd.DataFrame({"text": texts, "label": labels})
    bertlab.compare(df, ["tfidf_logreg"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith("train 2,000, validation 360, test 720 (the default sizes='standard' caps; sizes='all' "
                          "takes every row)"), first
    bertlab.compare(df, ["tfidf_logreg"], sizes="standard")  # asked for: nothing to point out
    assert capsys.readouterr().out.splitlines()[0].endswith("train 2,000, validation 360, test 720")


def test_the_data_line_does_not_call_a_split_of_exactly_the_caps_size_capped(capsys):
    """A DataFrame whose training split came out at exactly Standard's 2,000 (nothing left out: validation and test
    under their caps) was said cut by the default caps, pointing to sizes='all' for rows there were none of."""
    from bertlab.data.dataset import TextDataset, split_dataset

    def whole(n):  # the split sizes with no caps
        t, lab = make_texts(n)
        ds = TextDataset(texts=t, labels=[["neg", "pos"].index(x) for x in lab], label_names=["neg", "pos"])
        return split_dataset(ds, train_size=None, val_size=None, test_size=None).sizes()

    n = next(n for n in range(1400, 1460) if whole(n)["train"] == 2000)
    texts, labels = make_texts(n)
    bertlab.compare(pd.DataFrame({"text": texts, "label": labels}), ["tfidf_logreg"])
    first = capsys.readouterr().out.splitlines()[0]
    assert "train 2,000, validation" in first and "caps" not in first, first


def test_compare_on_a_built_in_dataset_says_its_default_size_is_not_the_apps(capsys):
    """As `run`: bertlab.compare("rotten_tomatoes") trains on the Standard size, the app's defaults on the Quick demo
    (other texts, other scores), and nothing said which."""
    bertlab.compare("rotten_tomatoes", ["tfidf_logreg"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("data: rotten_tomatoes; 2 classes; train 2,000, validation 500, test 1,000: the default "
                     "sizes='standard'. The app's Data page starts at the Quick demo (500 / 200 / 500): "
                     "sizes='quick' for those runs.")
    bertlab.compare("rotten_tomatoes", ["tfidf_logreg"], sizes="quick")
    assert not capsys.readouterr().out.startswith("data: ")


def test_a_list_of_learning_rates_in_settings_queues_one_run_each_in_its_order(tiny_model, tiny_data):
    from bertlab import api

    configs = api._configs(["head_only"], tiny_data, tiny_model, {},
                           {"head_only": {"learning_rate": [1e-3, 3e-2, 1e-2]}}, 1)
    assert [c.learning_rate for c in configs] == [1e-3, 3e-2, 1e-2]


def test_a_column_choice_error_names_the_column_to_pass_for_the_one_it_asks_about():
    from bertlab import api

    for column, want in (("text", "review"), ("label", "stars")):
        e = ColumnChoiceError("which column?", column, ["review", "title", "stars"])
        e.starts_at = ("review", "stars")  # the detection's (text, label)
        assert str(api._with_hint(e)).endswith(f"Pass {column}_column={want!r}.")


def test_a_prediction_frames_confidence_is_each_texts_top_probability():
    from types import SimpleNamespace

    from bertlab import api

    p = SimpleNamespace(probs=np.array([[0.2, 0.8]]), labels=["pos"], label_names=["neg", "pos"])
    df = api._prediction_frame(["great"], p)
    assert df.to_dict("records") == [{"text": "great", "label": "pos", "confidence": 0.8, "p(neg)": 0.2, "p(pos)": 0.8}]


@pytest.mark.parametrize("missing", ["bbc_news.csv", "data/rotten_tomatoes.csv"])
def test_a_missing_file_named_like_a_builtin_is_not_taken_for_a_mistyped_builtin(missing, tmp_path, monkeypatch):
    """data='bbc_news.csv', a file that is not there (a path typo, or not downloaded yet), was answered "Did you mean
    the built-in 'bbc_news'?": other data than the file meant (the CLI says the file does not exist)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BertlabError) as e:
        bertlab.data_config(missing)
    assert str(e.value) == (f"data {missing!r} is not a built-in dataset (rotten_tomatoes, bbc_news, tweets), an "
                            "existing file or folder, 'hub:<name>', a pandas DataFrame or a DataConfig.")
    with pytest.raises(BertlabError) as e:
        bertlab.data_config("rotten_tomatos")  # a name, mistyped: still said
    assert str(e.value).endswith("Did you mean the built-in 'rotten_tomatoes'?")


def test_label_descriptions_as_a_dict_are_put_in_the_datas_order_and_a_string_is_refused(reviews, tiny_model):
    """A dict {class: sentence} was read as its keys (zero_shot then read the class names, the user's sentences
    nowhere, nothing said), and a single string as its letters ("has 4 sentences" for "good")."""
    with pytest.raises(ConfigError, match=r"label_descriptions is one string \('good'\); give one sentence per"):
        bertlab.compare(reviews, ["zero_shot"], model=tiny_model, label_descriptions="good")
    # compare's words for any other kind, the dict it takes named (RunConfig's said "give a list of sentences")
    for given, kind in ((False, "a bool"), (3, "an int"), ({"Bad.", "Good."}, "a set")):
        with pytest.raises(ConfigError, match=rf"^label_descriptions is {kind} \(.*\); give one sentence per class: a "
                                              r"list in the data's order of classes, or a dict \{class: sentence\}\.$"):
            bertlab.compare(reviews, ["zero_shot"], model=tiny_model, label_descriptions=given)
    with pytest.raises(ConfigError, match=r"no sentence for the class\(es\) 'pos' and names 'positive', not a class"):
        bertlab.compare(reviews, ["zero_shot"], model=tiny_model, label_descriptions={"neg": "Bad.", "positive": "Ok."})
    # every class and one more: the extra name (a misspelt or stale class) refused, not silently dropped
    with pytest.raises(ConfigError, match=r"label_descriptions names 'neutral', not a class of the data; its classes "
                                          r"are 'neg', 'pos'\."):
        bertlab.compare(reviews, ["zero_shot"], model=tiny_model,
                        label_descriptions={"neg": "Bad.", "pos": "Good.", "neutral": "Meh."})
    assert RunStore().list_runs() == []
    with pytest.raises(ConfigError, match="label_descriptions is a dict; give a list"):  # RunConfig, as settings
        bertlab.compare(reviews, ["zero_shot"], model=tiny_model,
                        settings={"zero_shot": {"label_descriptions": {"neg": "Bad.", "pos": "Good."}}})
    c = bertlab.compare(reviews, ["zero_shot"], model=tiny_model, sizes=(None, None, None), progress=False,
                        label_descriptions={"pos": "A good film.", "neg": "A bad film."})
    assert c.runs[0].config.label_descriptions == ["A bad film.", "A good film."]  # neg, pos: the data's order


def test_label_descriptions_no_chosen_strategy_reads_are_said_once_and_zero_shots_are_read(reviews, tiny_model):
    """label_descriptions given for tfidf_logreg alone were stored with its run and read by nothing, without a word;
    a UserWarning says so once (naming the caller's line), and zero_shot's go on as before, without it."""
    with pytest.warns(UserWarning, match="label_descriptions: only zero_shot reads label descriptions, and strategies "
                                         "does not name it; they are ignored") as got:
        bertlab.compare(reviews, ["tfidf_logreg"], model=tiny_model, sizes=(None, None, None), progress=False,
                        label_descriptions=["A bad film.", "A good film."])
    unread = [w for w in got if "only zero_shot reads" in str(w.message)]
    assert len(unread) == 1 and unread[0].filename == __file__
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        c = bertlab.compare(reviews, ["zero_shot", "tfidf_logreg"], model=tiny_model, sizes=(None, None, None),
                            progress=False, label_descriptions=["A bad film.", "A good film."])
    assert not [w for w in seen if "only zero_shot reads" in str(w.message)]
    assert c["zero_shot"].config.label_descriptions == ["A bad film.", "A good film."]


@pytest.mark.parametrize("kind", [np.array, pd.Series])
def test_label_descriptions_from_numpy_or_pandas_are_a_list(reviews, tiny_model, kind):
    """An array or a Series of sentences said "The truth value of an array with more than one element is
    ambiguous" (ValueError, from RunConfig's check)."""
    c = bertlab.compare(reviews, ["zero_shot"], model=tiny_model, sizes=(None, None, None), progress=False,
                        label_descriptions=kind(["A bad film.", "A good film."]))
    assert c.runs[0].status == "succeeded" and c.runs[0].config.label_descriptions == ["A bad film.", "A good film."]


def test_a_notebook_shows_the_comparison_table_as_repr_prints_it_not_raw_fractions(reviews):
    """Jupyter shows _repr_html_: it was `table`'s raw columns (test_accuracy 0.398305, peak_memory_bytes 310521856,
    NaN for a cancelled run) where repr() and `run` print percentages, the 95% interval and '-'."""
    import html
    import re

    from bertlab.cli import RUN_COLUMNS

    c = bertlab.compare(reviews, ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    page = c._repr_html_()
    heads = re.findall(r"<th>(.*?)</th>", page)
    assert heads == [html.escape(h) for h in RUN_COLUMNS]
    acc = c.table["test_accuracy"][0]
    assert f"<td>{100 * acc:.1f}%</td>" in page and f"<td>{acc}</td>" not in page and "NaN" not in page


def test_a_comparison_prints_the_per_class_tables_run_prints(tiny_data):
    """A persona's comments, 3% abusive: `run` printed each run's recall (and, on a rare class, precision) of each
    class, while repr(c) and the notebook's HTML gave the table and the answer alone, so from Python nothing said
    that tfidf_logreg found 6 of the 12 abusive test texts (at 98.4% accuracy)."""
    from bertlab.api import Comparison
    from bertlab.cli import per_class_lines
    from bertlab.store import SUCCEEDED
    from bertlab.strategies import make_config

    store = RunStore()
    per_class = {"abusive": {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 12},
                 "ok": {"precision": 363 / 369, "recall": 1.0, "f1": 0.992, "support": 363}}
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 369 / 375, "majority_accuracy": 363 / 375,
                                          "label_names": ["abusive", "ok"], "per_class": per_class})
    c = Comparison([store.get(rid)], store=store)
    lines = per_class_lines(c._runs)
    assert lines[0].startswith("Recall per class") and any(x.startswith("Precision per class") for x in lines)
    assert "\n".join(lines) in repr(c)
    assert html.escape("\n".join(lines)) in c._repr_html_()


def test_a_comparison_gives_each_runs_average_precision_on_the_rarest_class(tiny_data):
    """Compare and the report read each run's precision-recall curve on the rarest class (its average precision,
    its precision at 90% recall); a Comparison had none of those numbers. ``precision_recall()`` gives them (the
    rarest class by default, any other by name; a run that kept no probabilities with why), and repr(c) and the
    notebook's HTML print them as `run` does."""
    from bertlab import prcurve
    from bertlab.api import Comparison
    from bertlab.metrics import classification_report
    from bertlab.store import SUCCEEDED
    from bertlab.strategies import make_config

    store = RunStore()
    names, labels = ["abusive", "ok"], [0, 0] + [1] * 18  # 2 of 20 abusive
    ids = []
    for strategy, abusive in (("zero_shot", [0.7, 0.4, 0.6, 0.5] + [0.1] * 16),
                              ("head_only", [0.9, 0.8] + [0.3] * 18), ("tfidf_logreg", None)):
        rid = store.create_run(make_config(strategy, data=tiny_data))
        probs = None if abusive is None else [[p, 1 - p] for p in abusive]
        preds = labels if probs is None else [0 if p >= 0.5 else 1 for p in abusive]
        store.update(rid, artifact_dir=str(store.artifact_path(rid)))
        paired.save_predictions(store.artifact_path(rid), preds, labels, "fp", probs)
        if strategy == "head_only":  # its validation texts: 10 abusive; 90% recall there needs p >= 0.2
            val = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.2, 0.1] + [0.1] * 5
            paired.save_predictions(store.artifact_path(rid), [0 if p >= 0.5 else 1 for p in val], [0] * 10 + [1] * 5,
                                    "vfp", [[p, 1 - p] for p in val], file=paired.VAL_PREDICTIONS_FILE)
        store.finish(rid, SUCCEEDED, metrics=classification_report(labels, preds, names)
                     | {"label_names": names, "majority_accuracy": 0.9})
        ids.append(rid)
    c = Comparison([store.get(i) for i in ids], store=store)
    got = c.precision_recall()
    # the threshold chosen on validation texts and what it gets on the test texts: new columns (this pin changed)
    assert list(got.columns) == ["name", "label", "average_precision", "precision_at_90_recall",
                                 "threshold_at_90_recall", "threshold_from_validation", "test_precision_at_it",
                                 "test_recall_at_it", "validation_texts_of_class", "no_validation_threshold",
                                 "recall_at_90_precision", "threshold_at_90_precision",
                                 "threshold_from_validation_for_90_precision", "test_precision_at_it_for_90_precision",
                                 "test_recall_at_it_for_90_precision", "validation_texts_answered_for_90_precision",
                                 "no_curve", "run_id"]
    # head_only: from 0.2 it answers all 20 test texts, 2 right, both found; zero_shot kept no validation texts'
    assert got["threshold_from_validation"].tolist()[1] == pytest.approx(0.2)
    assert got["test_precision_at_it"].tolist()[1] == pytest.approx(0.1)
    assert got["test_recall_at_it"].tolist()[1] == pytest.approx(1.0)
    assert got["validation_texts_of_class"].tolist()[1] == 10
    assert got.iloc[0][["threshold_from_validation", "test_precision_at_it"]].isna().all()
    # and why, in the report's words (its NaN alone read the same for a run stored before, one whose validation
    # texts hold none of the class and one whose validation file is out of step)
    assert got["no_validation_threshold"][0] == prcurve.NO_VAL_PROBABILITIES
    assert got["no_validation_threshold"][1:].isna().all()  # head_only has one; tfidf_logreg no curve (no_curve)
    # and for 90% precision (these columns pinned new): head_only's validation answers from 0.2 are its 9 abusive
    # texts there, all right (from 0.1, 10 of 15); on the test texts it answers all 20 from 0.2, 2 right, both
    # found. Its test curve: both abusive from 0.8, 2 of 2; zero_shot's: the one at 0.7 alone, then 0.6 is 'ok'
    assert got["threshold_from_validation_for_90_precision"].tolist()[1] == pytest.approx(0.2)
    assert got["validation_texts_answered_for_90_precision"].tolist()[1] == 9
    assert got["test_precision_at_it_for_90_precision"].tolist()[1] == pytest.approx(0.1)
    assert got["test_recall_at_it_for_90_precision"].tolist()[1] == pytest.approx(1.0)
    assert got["recall_at_90_precision"].tolist()[:2] == [pytest.approx(0.5), pytest.approx(1.0)]
    assert got["threshold_at_90_precision"].tolist()[:2] == [pytest.approx(0.7), pytest.approx(0.8)]
    assert np.isnan(got["threshold_from_validation_for_90_precision"].tolist()[0])
    assert got["name"].tolist() == ["zero_shot", "head_only", "tfidf_logreg"] and set(got["label"]) == {"abusive"}
    # zero_shot ranks two 'ok' texts (0.6, 0.5) between the abusive ones (0.7, 0.4): AP (1 + 2/4) / 2; both found
    # from 0.4 on, 2 of 4 answers right. head_only ranks both first.
    assert got["average_precision"].tolist()[:2] == [pytest.approx(0.75), pytest.approx(1.0)]
    assert got["precision_at_90_recall"].tolist()[:2] == [pytest.approx(0.5), pytest.approx(1.0)]
    assert got["threshold_at_90_recall"].tolist()[:2] == [pytest.approx(0.4), pytest.approx(0.8)]
    assert got["no_curve"].isna().tolist() == [True, True, False] and got["no_curve"][2] == prcurve.NO_PROBABILITIES
    assert got.iloc[2][["average_precision", "precision_at_90_recall"]].isna().all()
    ok = c.precision_recall("ok")  # any class by name: 'ok' is found by both, ranked first by head_only
    assert set(ok["label"]) == {"ok"} and ok["average_precision"][1] == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="'abusive', 'ok'"):
        c.precision_recall("spam")
    # the table `run` prints, in repr and the notebook's view
    shown = repr(c)
    assert "Precision against recall on 'abusive', the rarest class" in shown
    assert re.search(r"zero_shot\s+0\.750\s+50% \(p ≥ 0\.400\)", shown)
    assert "No curve for tfidf_logreg" in shown and "No curve for tfidf_logreg" in c._repr_html_()
    assert html.escape("Precision against recall on 'abusive'") in c._repr_html_()
    with pytest.raises(ConfigError, match="kept its class probabilities"):
        Comparison([store.get(ids[2])], store=store).precision_recall()


def test_a_notebook_lists_the_errors_repr_prints(tiny_data):
    """The HTML listed failed and interrupted runs' errors by a copy of the CLI table's rule (cli.run_errors now,
    for both), which named a run its own way: the two must list the same runs, by the same names."""
    import html

    from bertlab.api import Comparison
    from bertlab.cli import json_rows, run_errors
    from bertlab.store import FAILED, SUCCEEDED
    from bertlab.strategies import make_config

    store = RunStore()
    ids = [store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=s, class_weights=w))
           for s, w in ((0, "balanced"), (1, None), (2, None))]
    store.finish(ids[0], FAILED, error="boom <1>")
    store.finish(ids[1], CANCELLED, error="cancelled by the user")  # the user's doing: no error
    store.finish(ids[2], SUCCEEDED, metrics={"test_accuracy": 0.5})
    c = Comparison([store.get(i) for i in ids], store=store)
    (name, error), = run_errors(json_rows(c._runs), c.names)
    assert error == "boom <1>" and name == c.names[ids[0]]
    assert f"errors:\n  {name}: {error}" in repr(c)
    assert f"<ul><li>{html.escape(name)}: {html.escape(error)}</li></ul>" in c._repr_html_()


def test_a_run_exports_from_python_and_plain_transformers_answers_as_it_does(reviews, tiny_model, tmp_path):
    """A notebook had no way to export a run but a shell command (`!python -m bertlab export ID`): run.export()
    writes the CLI's zip, whose folder plain transformers loads to the run's own probabilities."""
    import zipfile

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    c = bertlab.compare(reviews, ["full_ft"], model=tiny_model, sizes=(None, None, None), precision="fp32",
                        progress=False)
    run = c["full_ft"]
    path = run.export(tmp_path)
    assert path == tmp_path / f"{run.id}.zip"
    zipfile.ZipFile(path).extractall(tmp_path / "x")
    folder = tmp_path / "x" / run.id
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tok = AutoTokenizer.from_pretrained(folder)
    texts = ["a wonderful film", "boring and dull", "the plot"]
    with torch.no_grad():
        probs = model(**tok(texts, return_tensors="pt", padding=True)).logits.softmax(-1).numpy()
    ours = run.predict(texts)
    assert np.allclose(probs, ours[["p(neg)", "p(pos)"]].to_numpy(), atol=1e-4)
    assert [model.config.id2label[i] for i in probs.argmax(1)] == list(ours["label"])
    with pytest.raises(BertlabError, match=r"cannot write .*m.zip.: the folder .* does not exist"):
        run.export(tmp_path / "no" / "such" / "folder" / "m.zip")


def test_a_pair_runs_predict_takes_each_pair_as_a_tuple_and_a_single_text_run_refuses_one(reviews, capsys):
    """run.predict([("great film", "awful film")]) read the tuple's repr as one text, "('great film', 'awful
    film')", quotes and all, with nothing said: a pair task's run had no way to be given a pair but typing the
    Playground's "[SEP]". A tuple is now the pair, joined as the run's own texts were."""
    df = pd.DataFrame({"first": reviews["review"], "second": reviews["review"][::-1].to_list(),
                       "label": reviews["sentiment"]})
    c = bertlab.compare(df, ["tfidf_logreg"], text_column="first", text_pair_column="second", sizes="all")
    # the progress line names a pair's columns (it said "text_column / label_column choose others" of them)
    data_line = capsys.readouterr().out.splitlines()[0]
    assert data_line.startswith("data: ") and "(text_column / text_pair_column / label_column choose others)" in data_line
    run = c["tfidf_logreg"]
    got = run.predict([("a wonderful film", "boring and dull"), "superb acting"])
    assert list(got["text"]) == ["a wonderful film [SEP] boring and dull", "superb acting"]
    typed = run.predict(["a wonderful film [SEP] boring and dull", "superb acting"])
    pd.testing.assert_frame_equal(got, typed)
    assert list(c.predict([("a wonderful film", "boring and dull")]).index) == ["a wonderful film [SEP] boring and dull"]
    with pytest.raises(ConfigError, match=r"a text pair is two texts, \(first, second\); got 3"):
        run.predict([("a", "b", "c")])
    with pytest.raises(ConfigError, match=r"a text pair is two texts, \(first, second\); got 1"):
        run.predict([("a wonderful film",)])  # one text in a tuple: not a TypeError from joining it
    single = bertlab.compare(reviews, ["tfidf_logreg"], sizes="all", progress=False)
    with pytest.raises(ConfigError, match=r"tfidf_logreg trained on single texts, not pairs: give it one text each"):
        single.predict([("a wonderful film", "boring and dull")])


def test_help_on_the_package_names_the_python_api():
    """help(bertlab), a notebook's first look, listed only __dir__ and __getattr__ (the API loads on first use):
    nothing said compare, load_run or load_comparison existed."""
    import pydoc

    page = pydoc.render_doc(bertlab, renderer=pydoc.plaintext)
    for name in ("compare(", "load_comparison(", "load_run(", "data_config(", "Comparison", "RunResult",
                 "help(bertlab.compare)"):
        assert name in page


def test_what_help_bertlab_lists_of_a_comparison_and_a_run_is_theirs():
    """`help(bertlab)` lists what a Comparison and a RunResult offer; Comparison.report (a60b857) was missing from
    it. Every name it lists is one the class has, so a rename cannot leave the list behind unseen."""
    import re

    import bertlab
    from bertlab.api import Comparison, RunResult

    for cls in (Comparison, RunResult):
        line = next(line for line in bertlab.__doc__.splitlines() if line.strip().startswith(f"{cls.__name__}:"))
        named = re.findall(r"\.(\w+)", line)
        assert named and [n for n in named if not hasattr(cls, n)] == [], (cls.__name__, named)
    assert "report" in re.findall(r"\.(\w+)", next(line for line in bertlab.__doc__.splitlines()
                                                  if line.strip().startswith("Comparison:")))


def test_the_packages_public_names_are_the_api():
    """`import bertlab; dir(bertlab)` (a notebook's tab completion) listed os beside compare, and `from bertlab
    import *` took os too; after a compare, the submodules it loaded (api, cli, config...) as well."""
    code = ("import bertlab, bertlab.cli; ns = {}; exec('from bertlab import *', ns); "
            "print(sorted(n for n in dir(bertlab) if not n.startswith('_'))); "
            "print(sorted(n for n in ns if not n.startswith('_'))); print('__version__' in dir(bertlab)); "
            "print([n for n in dir(bertlab) if n.startswith('_') and not n.startswith('__')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[1]).stdout.splitlines()
    api = str(sorted(["compare", "load_run", "load_comparison", "data_config", "Comparison", "RunResult"]))
    assert out == [api, api, "True", "[]"]  # nor its private names (_os, _API): the module's dunders alone


def test_the_tables_whole_numbers_stay_whole_beside_a_run_without_them(reviews, tiny_model):
    """A launch with tfidf_logreg (no seed, epochs, batch size or max length) turned those columns to floats for
    every run: seed 0.0 and 1.0, epochs 30.0, beside NaN. They are pandas' nullable integers now: 0, 1, <NA>."""
    c = bertlab.compare(reviews, ["head_only", "tfidf_logreg"], model=tiny_model, sizes=(None, None, None),
                        repeats=2, progress=False)
    t = c.table
    assert list(t["name"]) == ["head_only", "head_only", "tfidf_logreg"]
    for col in ("seed", "epochs", "batch_size", "max_length"):
        assert t[col].dtype == "Int64" and t[col].isna().tolist() == [False, False, True], col
    assert t["seed"].tolist()[:2] == [0, 1] and t["epochs"][0] == c.runs[0].config.epochs
    assert t["test_accuracy"].dtype == float and t["n_train"].dtype == "int64"  # the rest as before
    # JSON as the README says a notebook writes it: None / null where a run has none (pandas' to_dict, to_json)
    assert json.loads(json.dumps(t.to_dict("records")))[2]["seed"] is None
    assert json.loads(t.to_json(orient="records"))[2]["seed"] is None and c.runs[2].row["seed"] is None


def test_a_strategy_that_ran_at_several_settings_asks_for_one_of_its_names(reviews):
    """c['head_only'] where head_only ran at two learning rates said "'head_only' names 0 runs of this comparison"
    (it names two: by their strategy, not by the names the table gives them)."""
    from bertlab.strategies import make_config

    c = bertlab.compare(reviews, ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    single = c.runs[0].run
    twins = []
    for rate in (1e-3, 1e-2):  # two stored runs of one strategy told apart by a setting: named by it
        config = make_config("head_only", data=single.run_config.data, learning_rate=rate)
        rid = RunStore().create_run(config, "b")
        twins.append(RunStore().get(rid))
    two = bertlab.Comparison(twins)
    with pytest.raises(KeyError, match=r"'head_only' is the strategy of 2 runs of this comparison; name one by its "
                                       r"name: 'head_only \(lr 0.001\)', 'head_only \(lr 0.01\)'"):
        two["head_only"]
    assert two["head_only (lr 0.01)"].id == twins[1].id
    with pytest.raises(KeyError, match=r"'lora' names no run of this comparison; name one by its position, name or id"):
        c["lora"]


def test_numpys_numbers_are_taken_as_pythons(reviews, tiny_model):
    """A notebook's numbers often come from numpy (np.arange, a DataFrame cell): np.int64(2) epochs was refused as
    "epochs must be a whole number from 1 to 100, got np.int64(2)", and so were a seed, repeats, split_seed and
    sizes; an array of learning rates as "learning_rate must be above 0 ... got array([...])"."""
    c = bertlab.compare(reviews, ["tfidf_logreg", "head_only"], sizes=(np.int64(40), None, None),
                        split_seed=np.int64(2), seed=np.int64(1), repeats=np.int64(1), progress=False, model=tiny_model,
                        settings={"head_only": {"epochs": np.int64(2), "learning_rate": np.array([1e-3, 1e-2])}})
    t = c.table
    assert list(t["name"]) == ["tfidf_logreg", "head_only (lr 0.001)", "head_only (lr 0.01)"]
    assert t["epochs"].tolist()[1:] == [2, 2] and t["learning_rate"].tolist()[1:] == [1e-3, 1e-2]
    assert t["n_train"].tolist() == [40] * 3 and t["split_seed"].tolist() == [2] * 3 and t["seed"][1] == 1
    assert type(c.runs[1].config.epochs) is int and type(c.runs[1].config.data.train_size) is int


def test_a_missing_text_is_refused_not_predicted_as_the_word_nan(reviews):
    """run.predict(df['text']) with a NaN in it answered for the text "nan" (and None for "None"), nothing said."""
    c = bertlab.compare(reviews, ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    with pytest.raises(ConfigError, match=r"texts\[1\] is nan, not a text; leave the missing ones out first"):
        c["tfidf_logreg"].predict(pd.Series(["superb acting", np.nan]))
    with pytest.raises(ConfigError, match=r"texts\[0\] is None, not a text"):
        c.predict([None])
    assert list(c.predict(pd.Series(["superb acting", np.nan]).dropna()).index) == ["superb acting"]


def test_a_notebooks_line_for_a_run_past_90_s_says_its_time_in_minutes(capsys):
    """compare()'s line a run said "succeeded after 95.3 s" where Compare, the report and `run` say '1.6 min'."""
    from types import SimpleNamespace

    from bertlab.api import _Progress

    line = _Progress(True, 1, 2, "full_ft · ab12")
    line.t0 -= 95.3  # started 95.3 s ago
    line.done(SimpleNamespace(status="failed", error="boom", metrics=None))
    assert capsys.readouterr().out.strip() == "[1/2] full_ft · ab12: failed after 1.6 min: boom"


def test_a_comparison_writes_its_report_judged_as_it_was_asked(reviews, tmp_path):
    """A researcher's script had no way to the report (the answer, intervals, paired tests, seeds, versions) but the
    command line and the batch id, whose report then judged a compare(..., judge_by="macro_f1") by accuracy: the
    comparison writes it, judged by its own measure, and the results CSV beside it."""
    c = bertlab.compare(reviews, ["tfidf_logreg", "zero_shot"], sizes=(None, None, None), progress=False,
                        judge_by="macro_f1")
    out = c.report(tmp_path / "survey.html", csv=tmp_path / "survey.csv")
    assert out == tmp_path / "survey.html"
    page = out.read_text(encoding="utf-8")
    assert "Judged by macro-F1, as chosen" in page and "Is the difference real?" in page
    assert all(r.id in page for r in c.runs)
    table = pd.read_csv(tmp_path / "survey.csv", encoding="utf-8-sig")
    assert table["run_id"].tolist() == [r.id for r in c.runs] and table["data_sha256"].notna().all()
    with pytest.raises(BertlabError, match="no_such_folder"):
        c.report(tmp_path / "no_such_folder" / "r.html")


def test_compare_warns_of_a_large_share_of_rows_dropped_for_conflicting_labels(reviews):
    """Rows dropped as texts seen with different labels, a third of the data (a survey's satisfaction from its
    answers), were a note in each run's notes only: compare says it before training, as it says unmarked rows."""
    flipped = reviews.iloc[: len(reviews) // 4].assign(
        sentiment=lambda d: d["sentiment"].map(dict(zip(sorted(set(reviews["sentiment"])),
                                                        sorted(set(reviews["sentiment"]))[::-1]))))
    with pytest.warns(UserWarning, match="the label is not the text's alone"):
        bertlab.compare(pd.concat([reviews, flipped], ignore_index=True), ["tfidf_logreg"], sizes=(None, None, None),
                        progress=False)


def test_a_queued_run_deleted_from_elsewhere_is_skipped_with_a_warning(reviews, monkeypatch):
    """compare's second run cancelled and deleted from another terminal (or Compare) while the first trained:
    execute_run raised KeyError on it (store.get was None; followed up from a mypy finding) and compare lost the whole comparison.
    Now a warning says so and the comparison holds the run still stored."""
    from bertlab.store import DELETED_WHILE_QUEUED

    deleted = deleting_the_rest_at_the_first_run(monkeypatch)  # as `cancel` and `delete` in another terminal would
    with pytest.warns(UserWarning, match=f"zero_shot · .*: {re.escape(DELETED_WHILE_QUEUED)}"):
        c = bertlab.compare(reviews, ["tfidf_logreg", "zero_shot"], sizes=(None, None, None), progress=False)
    assert len(deleted) == 1
    assert list(c.table["strategy"]) == ["tfidf_logreg"] and c.table.loc[0, "status"] == "succeeded"


def test_a_run_deleted_as_soon_as_it_ended_is_left_out_not_a_traceback(reviews, monkeypatch):
    """compare's first run deleted from another terminal the moment it ended (mutants16: reading the deleted run
    then, shown.done(None), passed every test): the comparison holds the runs still stored."""
    import bertlab.runner as runner

    real, ended = runner.execute_run, []

    def execute_run(store, rid, *args, **kwargs):
        status = real(store, rid, *args, **kwargs)
        if not ended:
            ended.extend(RunStore().delete_finished([rid])[0])
        return status

    monkeypatch.setattr(runner, "execute_run", execute_run)
    from bertlab.store import DELETED_AS_IT_ENDED

    # named in a warning, as a run deleted while queued is (`run` says so and exits 1): left out quietly before
    with pytest.warns(UserWarning, match=f"tfidf_logreg · .* succeeded, then was {re.escape(DELETED_AS_IT_ENDED)}") as w:
        c = bertlab.compare(reviews, ["tfidf_logreg", "zero_shot"], sizes=(None, None, None), progress=False)
    # and names the line that called compare, as compare's other warnings do (mutants18: bertlab/api.py passed)
    said = [x for x in w if DELETED_AS_IT_ENDED in str(x.message)]
    assert len(said) == 1 and said[0].filename == __file__
    assert len(ended) == 1
    assert list(c.table["strategy"]) == ["zero_shot"]
