"""Popular hub datasets' shapes, built in memory (the hub cannot be reached in tests): their features, split names
and configs as on the hub, a few rows each. What a user who names one gets, from the library, the CLI and the Data
page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bertlab.config import DataConfig
from bertlab.data import load_data, load_file
from bertlab.data.files import dataset_from_table
from bertlab.errors import ColumnChoiceError, DataError

APP = str(Path(__file__).resolve().parents[1] / "app.py")
datasets = pytest.importorskip("datasets")
ClassLabel, Value, Features = datasets.ClassLabel, datasets.Value, datasets.Features


def dataset_dict(features: dict, rows: dict[str, list[dict]]) -> datasets.DatasetDict:
    """A DatasetDict of ``features`` with ``rows`` per split."""
    f = Features(features)
    return datasets.DatasetDict({split: datasets.Dataset.from_list(r, features=f) for split, r in rows.items()})


def glue_pair(config: str, first: str, second: str, names: list[str], n: int = 60) -> datasets.DatasetDict:
    """A GLUE pair task (MRPC: sentence1 / sentence2; MNLI: premise / hypothesis; QNLI: question / sentence)."""
    def rows(split, k, unlabelled=False):
        return [{first: f"{config} {split} first text number {i} about a thing", second: f"{split} second text {i}",
                 "label": -1 if unlabelled else i % len(names), "idx": i} for i in range(k)]
    return dataset_dict({first: Value("string"), second: Value("string"), "label": ClassLabel(names=names),
                         "idx": Value("int32")},
                        {"train": rows("train", n), "validation": rows("validation", n // 2),
                         "test": rows("test", n // 2, unlabelled=True)})


@pytest.fixture
def hub(monkeypatch):
    """``hub(name, {config: DatasetDict})``: the hub reachable, holding that dataset (config None: one without
    configs); ``datasets.load_dataset`` answers as the real one does for a missing config or split."""
    from bertlab.data import hub as hub_module

    held: dict[str, dict] = {}

    def load(path, name=None, split=None, **_):
        configs = held[path]
        if name is None and None not in configs:
            raise ValueError(f"Config name is missing.\nPlease pick one among the available configs: {list(configs)}"
                             f"\nExample of usage:\n\t`load_dataset('{path}', '{next(iter(configs))}')`")
        dd = configs[name]
        if split not in dd:
            raise ValueError(f'Unknown split "{split}". Should be one of {list(dd)}.')
        return dd[split]

    monkeypatch.setattr(hub_module, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", load)
    return lambda name, configs: held.__setitem__(name, configs)


@pytest.mark.parametrize("config, first, second", [("mrpc", "sentence1", "sentence2"),
                                                   ("mnli", "premise", "hypothesis"),
                                                   ("qnli", "question", "sentence")])
def test_a_pair_task_is_read_as_a_pair_and_never_as_one_text_without_a_word(hub, config, first, second):
    """GLUE's QNLI trained on 'sentence' alone without a word ('sentence' is a text name), and MRPC or MNLI on the
    text column picked from two, with nothing saying the label is about the pair; then they were refused. Named as a
    pair task's, the two are now read as a pair, in the task's order (QNLI's question first), on the hub's own test
    split too; one half read alone, by choice, still says so."""
    hub("glue", {config: glue_pair(config, first, second, ["yes", "no"])})
    cfg = DataConfig(source="hub", name="glue", hub_config=config, hub_test_split="validation")
    both = load_data(cfg)
    assert both.columns[0] == first and both.pair_column == second
    assert both.texts[0] == f"{config} train first text number 0 about a thing [SEP] train second text 0"
    assert any(t.endswith("[SEP] validation second text 3") for t in both.texts) and both.parts.count("test") == 30
    assert any(n.startswith(f"read a text pair: column {first!r}, then column {second!r}") for n in both.notes)
    assert load_data(DataConfig(**{**cfg.__dict__, "hub_test_split": None})).pair_column == second
    ds = load_data(DataConfig(**{**cfg.__dict__, "text_column": first}))
    assert (f"read only the text column {first!r}, one half of a text pair ({second!r} beside it): the label says how "
            f"the two relate, and the runs never see {second!r}") in " ".join(ds.notes)


def test_a_file_of_a_pair_task_says_so_too_and_single_texts_say_nothing(tmp_path):
    path = tmp_path / "pairs.csv"
    pd.DataFrame({"text_a": [f"first text number {i}" for i in range(30)],
                  "text_b": [f"second text number {i}" for i in range(30)],
                  "label": ["same", "different"] * 15}).to_csv(path, index=False)
    # named alike but for their ends, not a pair of GLUE's names: they may be (text1 a tweet, text2 its replies, the
    # label the tweet's), where "are a text pair" and "the label says how the two relate" were said as facts, the
    # latter as a warning on the Data and Train pages of a run on the text the label is about
    with pytest.raises(ColumnChoiceError, match="'text_a' and 'text_b', named alike, look like a text pair") as e:
        load_file(path)
    assert e.value.choices == ["text_a", "text_b"]
    assert ("set the text column to 'text_a' and the second text column to 'text_b'; to read one text, set the text "
            "column alone to the one the label is about") in str(e.value)
    asked = load_file(path, "text_a", pair_column="text_b")  # the user's answer: a pair
    assert asked.texts[0] == "first text number 0 [SEP] second text number 0" and asked.pair_column == "text_b"
    assert load_file(path, pair_column="text_b").columns[0] == "text_a"  # the first text found among the others
    assert any("'text_b' beside it, named alike, may be the other half of a text pair: if the label says how the two "
               "relate" in n for n in load_file(path, "text_a").notes)
    single = tmp_path / "single.csv"
    pd.DataFrame({"sentence": [f"a review number {i}" for i in range(30)], "label": ["pos", "neg"] * 15,
                  "idx": range(30)}).to_csv(single, index=False)
    assert not any("text pair" in n for n in load_file(single).notes)


def data_page_on_hub(name: str, config: str = "", test_split: str = ""):
    """The Data page after a user typed a hub dataset's name, config and test split and pressed the button."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.radio(key="keep_source").set_value("Hub dataset").run()
    at.text_input(key="keep_hub_name").set_value(name).run()
    at.text_input(key="keep_hub_config").set_value(config).run()
    at.text_input(key="keep_hub_test_split").set_value(test_split).run()
    next(b for b in at.button if b.label == "Load from the hub").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_data_page_warns_where_a_pair_tasks_runs_would_read_one_half(hub):
    hub("glue", {"mrpc": glue_pair("mrpc", "sentence1", "sentence2", ["not_equivalent", "equivalent"])})
    at = data_page_on_hub("glue", "mrpc", "validation")
    assert not any("pair" in w.value for w in at.warning), [w.value for w in at.warning]  # read as one: nothing asked
    second = next(s for s in at.selectbox if s.label == "Second text (pair)")
    assert second.value == "sentence2" and any(i.value.startswith("**A pair task**") for i in at.info)
    assert list(at.dataframe[0].value.columns)[:3] == ["label", "sentence1", "sentence2"]  # the preview: both texts
    second.set_value("none (single texts)").run()  # the user reads one half alone
    assert not at.error, [e.value for e in at.error]
    said = [w.value for w in at.warning if "one half of a text pair" in w.value]
    assert len(said) == 1 and said[0].startswith("The runs read only the text column") and "sentence2" in said[0]
    assert not any("text pair" in i.value for i in at.info)  # said once, as a warning, not among the cleaning notes
    at.switch_page("app_pages/train.py").run()  # and again where the runs are launched
    assert any(w.value.startswith("The runs read only the text column 'sentence1'") for w in at.warning)


def test_a_regression_target_is_refused_as_scores_not_read_as_classes(hub):
    """GLUE's STS-B: a float similarity score. Its 0.5 steps (11 values) loaded as 11 'classes' without a word; finer
    scores were refused as 'is it really the label column (not an id)?', which it is."""
    def rows(split, n, step):
        return [{"sentence1": f"stsb {split} a man number {i} plays", "sentence2": f"someone {i} plays music",
                 "label": round((i * 7 % 51) / 10 / step) * step, "idx": i} for i in range(n)]
    feats = {"sentence1": Value("string"), "sentence2": Value("string"), "label": Value("float32"),
             "idx": Value("int32")}
    for step, levels in ((0.5, 11), (0.1, 51)):
        hub("glue", {"stsb": dataset_dict(feats, {"train": rows("train", 400, step)})})
        from bertlab.data.hub import hub_table

        hub_table.cache_clear()
        with pytest.raises(DataError, match=rf"the label column 'label' holds scores, not classes: {levels} distinct "
                                            r"numbers such as .*; a regression target"):
            load_data(DataConfig(source="hub", name="glue", hub_config="stsb", text_column="sentence1"))
    # whole numbers stored as floats (stars 1.0-5.0) are classes still
    stars = dataset_dict({"text": Value("string"), "stars": Value("float64")},
                         {"train": [{"text": f"review number {i}", "stars": float(1 + i % 5)} for i in range(60)]})
    hub("someone/stars", {None: stars})
    assert load_data(DataConfig(source="hub", name="someone/stars")).label_names == ["1", "2", "3", "4", "5"]


def test_a_rating_in_half_points_is_classes_and_a_label_of_them_still_scores():
    """A 'rating' of 1-10 in halves (19 levels) loaded as 19 classes before the scores check; it was then refused as
    'holds scores, not classes' with no way to take it (naming the label column did not help)."""
    halves = [1 + (i * 7 % 19) / 2 for i in range(190)]
    df = pd.DataFrame({"text": [f"a film review number {i}" for i in range(190)], "rating": halves})
    assert len(dataset_from_table(df, "ratings.csv").label_names) == 19
    df["rating"] = [f"{v:g}" for v in halves]  # as a CSV read as strings
    assert len(dataset_from_table(df, "ratings.csv").label_names) == 19
    # the same half points in a column not named like a rating (STS-B's 'label'), or a rating in thirds (averaged
    # over three raters), are scores still
    with pytest.raises(DataError, match="holds scores, not classes: 19 distinct"):
        dataset_from_table(df.rename(columns={"rating": "label"}), "ratings.csv")
    df["rating"] = [1 + (i % 28) / 3 for i in range(190)]
    with pytest.raises(DataError, match="holds scores, not classes: 28 distinct"):
        dataset_from_table(df, "ratings.csv")


def test_a_multi_label_column_is_refused_in_words_that_say_so(hub):
    """GoEmotions' 'labels': a list of emotions per text (Sequence(ClassLabel)). It was refused as 'nested values
    (lists or dicts)', which did not say why a list of labels cannot be one."""
    names = ["admiration", "amusement", "anger", "neutral"]
    rows = [{"text": f"reddit comment number {i}", "labels": [i % 4] if i % 4 else [0, 3], "id": f"e{i}"}
            for i in range(60)]
    hub("go_emotions", {None: dataset_dict({"text": Value("string"),
                                            "labels": datasets.Sequence(ClassLabel(names=names)),
                                            "id": Value("string")}, {"train": rows})})
    with pytest.raises(DataError, match=r"^column 'labels' holds a list of labels in each row \(a multi-label dataset: "
                                        r"15 of 60 rows have more than one\); bertlab compares single-label"):
        load_data(DataConfig(source="hub", name="go_emotions"))
    dicts = pd.DataFrame({"text": [r["text"] for r in rows], "labels": [{"name": "x"}] * 60})
    with pytest.raises(DataError, match=r"^column 'labels' holds nested values \(lists or dicts\); a label must be"):
        dataset_from_table(dicts, "dicts")  # not lists of labels: said as before


def imdb() -> datasets.DatasetDict:
    """imdb: train and test labelled neg / pos, 'unsupervised' all -1."""
    def rows(split, n, unlabelled=False):
        return [{"text": f"imdb {split} review number {i} was {'great' if i % 2 else 'awful'}",
                 "label": -1 if unlabelled else i % 2} for i in range(n)]
    return dataset_dict({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])},
                        {"train": rows("train", 60), "test": rows("test", 40), "unsupervised": rows("unsup", 50, True)})


def test_an_unlabelled_split_named_to_train_on_says_so(hub):
    """imdb's 'unsupervised' split to train on was refused as "dataset 'imdb' has no rows with both a non-empty text
    and a label", which did not say why, nor which split to name."""
    hub("imdb", {None: imdb()})
    with pytest.raises(DataError, match=r"^the hub split 'unsupervised' of 'imdb' has no labels \(every row's 'label' "
                                        r"is -1.*Name a labelled split \(often 'train'\)"):
        load_data(DataConfig(source="hub", name="imdb", hub_split="unsupervised"))
    assert len(load_data(DataConfig(source="hub", name="imdb", hub_test_split="test"))) == 100


def test_a_dataset_of_several_configs_named_without_one_says_where_to_name_it(hub, capsys):
    """glue and tweet_eval need a config: the message was datasets' own, ending "Example of usage:
    `load_dataset('glue', 'ax')`" (code, and a config without a train split), on the Data page too."""
    from bertlab.cli import main

    emotion = dataset_dict({"text": Value("string"), "label": ClassLabel(names=["anger", "joy"])},
                           {"train": [{"text": f"tweet number {i}", "label": i % 2} for i in range(60)]})
    hub("tweet_eval", {"emotion": emotion, "sentiment": emotion})
    with pytest.raises(DataError, match=r"^hub dataset 'tweet_eval' has several configs \(subsets\) and needs one: "
                                        r"\['emotion', 'sentiment'\]\. Type one in the Data page's Config field \(on "
                                        r"the command line: --hub-config NAME\)\.$"):
        load_data(DataConfig(source="hub", name="tweet_eval"))
    assert main(["run", "--dataset", "hub:tweet_eval", "--strategies", "tfidf_logreg"]) == 2
    assert "needs one: ['emotion', 'sentiment']" in capsys.readouterr().err
    assert len(load_data(DataConfig(source="hub", name="tweet_eval", hub_config="emotion"))) == 60


def test_runs_on_two_configs_of_one_dataset_are_named_apart(hub, capsys):
    """tweet_eval's emotion (4 classes) and sentiment (3) are two tasks: their runs were both listed as 'tweet_eval',
    in `runs`, the batch titles, Compare, and the answer took them for one dataset."""
    from bertlab.answer import _declined
    from bertlab.cli import main
    from bertlab.store import RunStore

    def config(names):
        return dataset_dict({"text": Value("string"), "label": ClassLabel(names=names)},
                            {"train": [{"text": f"tweet number {i} feels {names[i % len(names)]}",
                                        "label": i % len(names)} for i in range(60)]})
    hub("tweet_eval", {"emotion": config(["anger", "joy", "optimism", "sadness"]),
                       "sentiment": config(["negative", "neutral", "positive"])})
    for c in ("emotion", "sentiment"):
        assert main(["run", "--dataset", "hub:tweet_eval", "--hub-config", c, "--strategies", "tfidf_logreg",
                     "--quiet"]) == 0
        assert f"data: tweet_eval ({c}): text column 'text'" in capsys.readouterr().err
    runs = RunStore().list_runs()
    assert sorted(r.dataset for r in runs) == ["tweet_eval (emotion)", "tweet_eval (sentiment)"]
    assert "different data (tweet_eval (emotion), tweet_eval (sentiment))" in _declined(runs)
    assert main(["runs"]) == 0
    assert "tweet_eval (emotion)" in capsys.readouterr().out
    assert DataConfig(source="hub", name="imdb").label == "imdb"  # no config: the id alone, as before


def test_class_ids_beside_a_column_of_their_names_are_named_by_it(hub, tmp_path):
    """SetFit/sst2 (the Data page's example name): 'label' 0 / 1 beside 'label_text' negative / positive. Its
    classes were '0' and '1' on every page, and zero_shot compared each text with a digit."""
    def rows(split, n):
        return [{"text": f"setfit {split} review number {i}", "label": i % 2,
                 "label_text": ["negative", "positive"][i % 2]} for i in range(n)]
    hub("SetFit/sst2", {None: dataset_dict({"text": Value("string"), "label": Value("int64"),
                                            "label_text": Value("string")},
                                           {"train": rows("train", 60), "test": rows("test", 30)})})
    ds = load_data(DataConfig(source="hub", name="SetFit/sst2", hub_test_split="test"))
    assert ds.label_names == ["negative", "positive"] and ds.label_descriptions == ["negative", "positive"]
    assert ds.notes[0] == "named the classes of the label column 'label' by column 'label_text': 0 = 'negative', 1 = 'positive'"
    path = tmp_path / "ids.csv"
    frame = pd.DataFrame(rows("file", 30))
    frame.to_csv(path, index=False)
    assert load_file(path).label_names == ["negative", "positive"]  # a file alike (its ids read as strings)
    frame.loc[0, "label_text"] = "negatif"  # two names for id 0: not a column of names; the ids stay
    frame.to_csv(path, index=False)
    assert load_file(path).label_names == ["0", "1"]


def test_a_column_of_names_that_is_not_one_name_an_id_says_why_the_ids_stay():
    """A 'label_text' beside 'label' ids but not one to one: the classes were '0', '1', '2' without a word, beside a
    column of names the user sees in the table."""
    df = pd.DataFrame({"text": [f"a review number {i}" for i in range(90)], "label": [i % 3 for i in range(90)],
                       "label_text": [["negative", "neutral", "positive"][i % 3] for i in range(90)]})
    df.loc[4, "label_text"] = "mixed"  # id 1 beside two names
    ds = dataset_from_table(df, "ids.csv")
    assert ds.label_names == ["0", "1", "2"]
    assert ("did not name the classes of the label column 'label' by column 'label_text', which is not one name an id "
            "(1 = 'neutral', 1 = 'mixed'): the classes are the ids") in ds.notes
    df.loc[4, "label_text"], df.loc[5, "label_text"] = "neutral", None  # an id without its name
    assert "(1 row with an id but no name)" in " ".join(dataset_from_table(df, "ids.csv").notes)
    df.loc[5, "label_text"] = "positive"
    assert ds.notes != (named := dataset_from_table(df, "ids.csv")).notes and named.label_names[0] == "negative"
