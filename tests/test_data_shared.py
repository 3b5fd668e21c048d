"""A launch's runs read and clean their data once (bertlab.data.shared), and train on what they trained on before:
the same texts, split, notes and fingerprints; a changed file or another data choice is read again."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from conftest import make_texts

from bertlab import runner
from bertlab.config import DataConfig
from bertlab.data import files, load_splits, shared, split_for
from bertlab.jobs import JobManager
from bertlab.launch import launch_configs
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config

WAIT = 300


@pytest.fixture
def reads(monkeypatch) -> dict[str, int]:
    """How often a table is read from bytes, cleaned into a dataset, and split, from now on."""
    counts = {"read": 0, "clean": 0, "split": 0}

    def counting(what, real):
        def f(*a, **kw):
            counts[what] += 1
            return real(*a, **kw)
        return f

    monkeypatch.setattr(files, "read_table", counting("read", files.read_table))
    monkeypatch.setattr(files, "build_dataset", counting("clean", files.build_dataset))
    import bertlab.data

    monkeypatch.setattr(bertlab.data, "split_for", counting("split", split_for))
    return counts


def same_splits(a, b) -> None:
    """``a`` and ``b`` hold the same texts, labels, order, parts, row ids and notes in every part."""
    for part in ("train", "val", "test"):
        x, y = getattr(a, part), getattr(b, part)
        assert dataclasses.asdict(x) == dataclasses.asdict(y), part
    assert a.notes == b.notes


def test_a_launchs_runs_in_the_app_read_clean_and_split_their_data_once(tiny_model, tiny_data, reads):
    """The app's worker read and cleaned a 650,000-row hub split, or a 400,000-row upload, whole for every run of a
    launch (14 s a run measured, for the 3,500 texts the Standard caps keep): 4 strategies x 3 seeds, 12 times."""
    configs = [c for s in ("head_only", "full_ft") for c in launch_configs(
        make_config(s, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=16), 2)]
    configs.append(make_config("tfidf_logreg", data=tiny_data))
    jm = JobManager(RunStore())
    try:
        ids = jm.submit(configs)
        assert jm.wait_idle(WAIT)
        runs = [jm.store.get(i) for i in ids]
    finally:
        jm.shutdown()
    assert [r.status for r in runs] == [SUCCEEDED] * 5
    assert reads == {"read": 1, "clean": 1, "split": 1}
    assert len({r.metrics["test_fingerprint"] for r in runs}) == 1
    assert {r.data_summary["file_sha256"] for r in runs} == {shared.file_digest(tiny_data.name)}
    assert shared.held_count() == 0  # let go once the queue is empty: an idle server keeps no dataset


def test_the_cli_and_the_python_api_read_their_launchs_data_once(tiny_model, tiny_csv, reads, capsys):
    """`run` and compare read the file to check it before storing any run, then each run read and cleaned it again:
    the runs of a launch add no read to one run's (both also read the file once to find a split column in it)."""
    import bertlab
    from bertlab.cli import main

    def cli(*strategies: str) -> dict[str, int]:
        before = dict(reads)
        main(["run", "--dataset", str(tiny_csv), "--strategies", *strategies, "--model", tiny_model,
              "--repeats", "2", "--epochs", "1", "--max-length", "16", "--json"])
        assert shared.held_count() == 0  # let go once the launch is done
        return {k: reads[k] - before[k] for k in reads}

    one = cli("tfidf_logreg")  # one run (no seed changes what it does)
    assert cli("tfidf_logreg", "head_only") == one  # three runs
    assert one["clean"] == 1 and one["split"] == 1

    def api(*strategies: str) -> dict[str, int]:
        before = dict(reads)
        c = bertlab.compare(str(tiny_csv), strategies, model=tiny_model, repeats=2, progress=False,
                            settings={s: {"epochs": 1, "max_length": 16} for s in strategies if s == "head_only"})
        assert {r.status for r in c} == {SUCCEEDED}
        assert shared.held_count() == 0
        return {k: reads[k] - before[k] for k in reads}

    one = api("tfidf_logreg")
    assert api("tfidf_logreg", "head_only") == one
    assert one["clean"] == 1 and one["split"] == 1


def test_what_is_shared_is_what_load_splits_gives_each_time(tiny_csv, tmp_path):
    """The same texts, labels, order and notes as a fresh load, for capped and All-data splits, a file's own split,
    a built-in dataset; and each caller's splits are its own to change."""
    texts, labels = make_texts(30)
    own = tmp_path / "own.csv"
    pd.DataFrame({"text": texts + ["great fun indeed", "awful bore indeed"], "label": labels + ["pos", "neg"],
                  "split": ["train", "test", "validation"] * 20 + ["train", "test"]}).to_csv(own, index=False)
    configs = [DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None),
               DataConfig(source="file", name=str(tiny_csv), train_size=20, val_size=5, test_size=10, seed=3),
               DataConfig(source="file", name=str(own), split_column="split", train_size=None, val_size=None,
                          test_size=None),
               DataConfig(source="builtin", name="bbc_news", train_size=200, val_size=50, test_size=100)]
    for cfg in configs:
        for _ in range(2):  # read, then served
            same_splits(shared.shared_splits(cfg), load_splits(cfg))
    a = shared.shared_splits(configs[0])
    n = len(a.train)
    a.notes.append("batch_size 64 is larger than the training examples")  # as the runner adds
    a.train.texts.reverse()
    a.train.notes.append("mine")
    b = shared.shared_splits(configs[0])
    same_splits(b, load_splits(configs[0]))
    assert len(b.train) == n and "mine" not in b.train.notes


def test_a_changed_file_or_other_choices_are_read_again_and_other_caps_split_again(tiny_csv, reads):
    cfg = DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None)
    first = shared.shared_splits(cfg)
    shared.shared_splits(cfg)
    assert reads == {"read": 1, "clean": 1, "split": 1}
    assert first.file_sha256 == shared.file_digest(tiny_csv)
    shared.shared_splits(dataclasses.replace(cfg, train_size=20, seed=1))  # another split of the same data
    assert reads == {"read": 1, "clean": 1, "split": 2}
    shared.shared_splits(dataclasses.replace(cfg, text_column="text", label_column="label"))  # other choices
    assert reads["read"] == 2
    # the same size, other bytes: every label swapped
    df = pd.read_csv(tiny_csv)
    df["label"] = df["label"].map({"pos": "neg", "neg": "pos"})
    before = tiny_csv.stat().st_size
    df.to_csv(tiny_csv, index=False)
    assert tiny_csv.stat().st_size == before
    again = shared.shared_splits(cfg)
    assert reads["read"] == 3
    same_splits(again, load_splits(cfg))
    assert again.file_sha256 == shared.file_digest(tiny_csv) != first.file_sha256


def test_a_hub_split_is_cleaned_once_while_its_table_is_the_one_loaded(monkeypatch, reads):
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    texts, labels = make_texts(40)
    loads = []

    def load(path, name=None, split=None, **_):
        loads.append((path, name, split))
        rows = {"text": texts, "label": [["neg", "pos"].index(v) for v in labels]}
        return datasets.Dataset.from_dict(rows, features=datasets.Features(
            {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])}))

    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", load)
    cfg = DataConfig(source="hub", name="someone/reviews", train_size=None, val_size=None, test_size=None)
    for _ in range(3):
        same_splits(shared.shared_splits(cfg), load_splits(cfg))
    assert reads["clean"] == 1 + 3  # one shared, and the three fresh loads compared with
    hub.hub_table.cache_clear()  # loaded again (the cache of tables evicted it): cleaned again
    shared.shared_splits(cfg)
    assert reads["clean"] == 5 and len(loads) == 2
    shared.shared_splits(dataclasses.replace(cfg, hub_config="other"))
    assert reads["clean"] == 6


def test_runs_give_the_same_results_with_and_without_the_shared_data(tiny_model, tiny_data, monkeypatch, tmp_path):
    def launch(home):
        monkeypatch.setenv("BERTLAB_HOME", str(tmp_path / home))  # (no embeddings cached by the other launch)
        store = RunStore()
        configs = [make_config("tfidf_logreg", data=tiny_data),
                   *launch_configs(make_config("head_only", model=tiny_model, data=tiny_data, epochs=2,
                                               batch_size=8, max_length=16), 2)]
        ids = [store.create_run(c, "b") for c in configs]
        for i in ids:
            assert runner.execute_run(store, i) == SUCCEEDED
        out = []
        for i in ids:
            r = store.get(i)
            summary = {k: v for k, v in r.data_summary.items() if k not in ("load_seconds", "environment")}
            # (a note says how long reused embeddings took when computed: a time, as load_seconds)
            out.append((r.metrics, summary, [re.sub(r"\d+\.\d+ s\b", "_ s", n) for n in r.notes]))
        return out

    shared_results = launch("shared")
    monkeypatch.setattr(runner, "shared_splits", load_splits)  # as before: each run loads its own
    assert launch("own") == shared_results


def test_at_most_two_datasets_are_held(tmp_path, reads):
    """Two launches on two datasets take turns a run each in the app's queue: both are held; a third data lets go of
    the one used least recently (never several 650,000-row tables for one launch)."""
    texts, labels = make_texts(20)
    cfgs = []
    for k in range(3):
        p = tmp_path / f"d{k}.csv"
        pd.DataFrame({"text": [f"{t} {k}" for t in texts], "label": labels}).to_csv(p, index=False)
        cfgs.append(DataConfig(source="file", name=str(p), train_size=None, val_size=None, test_size=None))
    for cfg in (cfgs[0], cfgs[1], cfgs[0], cfgs[1]):
        shared.shared_splits(cfg)
    assert reads["clean"] == 2 and shared.held_count() == 2
    shared.shared_splits(cfgs[2])  # d0 used least recently: let go
    assert reads["clean"] == 3 and shared.held_count() == 2
    shared.shared_splits(cfgs[1])
    assert reads["clean"] == 3
    shared.shared_splits(cfgs[0])
    assert reads["clean"] == 4
    shared.forget()
    assert shared.held_count() == 0


def test_a_text_pairs_second_column_is_another_dataset_not_the_first_texts_served_again(tmp_path, reads):
    """text1 alone, then text1 with text2 as its pair: the key held every choice but the pair's column, so the
    pair's runs were served the single texts read first (and trained on half of each example)."""
    texts, labels = make_texts(30, seed=3)
    path = tmp_path / "pairs.csv"
    pd.DataFrame({"text1": texts, "text2": [" ".join(t.split()[::-1]) for t in texts], "label": labels}).to_csv(
        path, index=False)
    single = DataConfig(source="file", name=str(path), text_column="text1", label_column="label", train_size=None,
                        val_size=None, test_size=None)
    alone = shared.shared_splits(single)
    pair = shared.shared_splits(dataclasses.replace(single, text_pair_column="text2"))
    assert reads["clean"] == 2
    assert not any("[SEP]" in t for t in alone.train.texts)
    assert all("[SEP]" in t for t in pair.train.texts)
    same_splits(pair, load_splits(dataclasses.replace(single, text_pair_column="text2")))


def test_keeping_the_rare_classes_is_another_split_and_a_changed_folder_file_is_read_again(tmp_path, reads):
    """drop_rare is a split choice: a launch leaving the rare classes in must not be served the split that left
    them out (a mutation dropping it from the split's key passed its tests). A folder dataset whose training file
    is rewritten (same names, labels swapped) is read again, not served as it was (nor was its files' size and times
    leaving the folder's stamp)."""
    from bertlab.errors import RareClassError

    texts = [f"text number {i} of the rare test" for i in range(62)]
    labels = ["pos"] * 30 + ["neg"] * 30 + ["mixed", "other"]
    rare = tmp_path / "rare.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(rare, index=False)
    cfg = DataConfig(source="file", name=str(rare), train_size=None, val_size=None, test_size=None, drop_rare=True)
    assert sorted(shared.shared_splits(cfg).label_names) == ["neg", "pos"]
    with pytest.raises(RareClassError):
        shared.shared_splits(dataclasses.replace(cfg, drop_rare=False))

    # another label column of one file is another dataset (a mutation moving it to the split's key passed too)
    two = tmp_path / "two_labels.csv"
    words, classes = make_texts(30, 4)
    pd.DataFrame({"text": words, "sentiment": classes, "length": ["long" if len(t) > 35 else "short" for t in words]}
                 ).to_csv(two, index=False)
    by = DataConfig(source="file", name=str(two), text_column="text", label_column="sentiment", train_size=None,
                    val_size=None, test_size=None)
    assert sorted(shared.shared_splits(by).label_names) == ["neg", "pos"]
    assert sorted(shared.shared_splits(dataclasses.replace(by, label_column="length")).label_names) == ["long", "short"]

    folder = tmp_path / "parts"
    folder.mkdir()
    words, classes = make_texts(30, 3)
    pd.DataFrame({"text": words[:40], "label": classes[:40]}).to_csv(folder / "train.csv", index=False)
    pd.DataFrame({"text": words[40:], "label": classes[40:]}).to_csv(folder / "test.csv", index=False)
    fcfg = DataConfig(source="file", name=str(folder), train_size=None, val_size=None, test_size=None)
    first = shared.shared_splits(fcfg)
    reads_before = reads["read"]
    swapped = pd.read_csv(folder / "train.csv")
    swapped["label"] = swapped["label"].map({"pos": "neg", "neg": "pos"})
    swapped.to_csv(folder / "train.csv", index=False)
    again = shared.shared_splits(fcfg)
    assert reads["read"] > reads_before
    same_splits(again, load_splits(fcfg))
    assert again.train.labels != first.train.labels or again.train.label_names != first.train.label_names
