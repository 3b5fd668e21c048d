"""A catalogue of bad inputs: each gets one exact, actionable message, and nothing else breaks.

Every case pins the text a user sees. File problems are checked twice: from the
loader (what a page shows before launching) and as the stored error of a run
that was launched anyway (what the run table shows). After every case, a store
holding an earlier finished run must be unchanged: same status, metrics, curve
points and artifact bytes, and no run left queued or running.

Problems found only while a run executes (batch size, max_length) are checked
through the FAILED run's stored error text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from bertlab.config import DataConfig, RunConfig
from bertlab.data import load_file, load_splits, read_table
from bertlab.data.files import MAX_FILE_BYTES
from bertlab.errors import BertlabError, ColumnChoiceError, ConfigError, DataError, ModelError
from bertlab.models import resolve
from bertlab.runner import execute_run
from bertlab.store import FAILED, SUCCEEDED, RunStore
from bertlab.strategies import make_config

sys.path.insert(0, str(Path(__file__).parent))
from conftest import make_texts  # noqa: E402

# ---------------------------------------------------------------------------------------------
# File builders
# ---------------------------------------------------------------------------------------------
TEXTS, LABELS = make_texts(n_per_class=15)  # 30 distinct, separable rows, 'pos'/'neg'


def csv_text(rows: list[tuple], header: tuple = ("text", "label"), sep: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def good_rows() -> list[tuple[str, str]]:
    return list(zip(TEXTS, LABELS))


def parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf)
    return buf.getvalue()


def parquet_named(columns: list[list], names: list[str]) -> bytes:
    """A Parquet file of ``columns`` under ``names`` as pyarrow writes them, two alike included (pandas cannot)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table([pa.array(c) for c in columns], names=names), buf)
    return buf.getvalue()


def xlsx(sheets: dict[str, pd.DataFrame], **kw) -> bytes:
    """An Excel workbook with these sheets, in order (``kw`` go to ``to_excel``)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in sheets.items():
            df.to_excel(w, sheet_name=name, index=False, **kw)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    """A small .xlsx whose directory says its sheet unpacks to 2.5 GB: what a hostile workbook (a few MB of deflated
    zeros) declares. Patched rather than compressed, which took 30 s."""
    import struct
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<x/>")
    raw = bytearray(buf.getvalue())
    at = raw.index(b"PK\x01\x02")  # the central directory entry: its uncompressed size at offset 24
    raw[at + 24:at + 28] = struct.pack("<I", int(2.5 * 2**30))
    return bytes(raw)


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


# ---------------------------------------------------------------------------------------------
# The shared world: a store with one finished run that every case must leave untouched
# ---------------------------------------------------------------------------------------------
@dataclass
class World:
    store: RunStore
    run_id: str
    model: str
    data: Path
    snapshot: dict

    def take_snapshot(self) -> dict:
        run = self.store.get(self.run_id)
        art = Path(run.artifact_dir)
        files = {}
        for p in sorted(q for q in art.rglob("*") if q.is_file()):  # .eval/ (the test predictions) too
            with open(p, "rb") as f:  # not Path.read_bytes: one test forbids that
                files[p.relative_to(art).as_posix()] = hashlib.sha256(f.read()).hexdigest()
        return {"status": run.status, "metrics": run.metrics, "costs": run.costs,
                "points": self.store.points([self.run_id]), "files": files}

    def assert_intact(self) -> None:
        """The earlier run is byte-for-byte the same; no run is stuck queued/running; failures say why."""
        assert self.take_snapshot() == self.snapshot
        others = [r for r in self.store.list_runs() if r.id != self.run_id]
        assert all(r.status in (FAILED, SUCCEEDED) for r in others), [(r.id, r.status) for r in others]
        assert all(r.error for r in others if r.status == FAILED)

    def run_fails_with(self, cfg: RunConfig) -> str:
        """Launch ``cfg`` in the shared store; it must fail, and its stored error is returned."""
        rid = self.store.create_run(cfg)
        status = execute_run(self.store, rid)
        run = self.store.get(rid)
        assert status == FAILED, (run.status, run.error)
        assert run.traceback is None, "a user mistake must be a message, not a traceback"
        return run.error


@pytest.fixture(scope="module")
def world(tiny_model, tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("world")
    data = root / "good.csv"
    data.write_text(csv_text(good_rows()))
    store = RunStore(root / "home")
    cfg = make_config("full_ft", model=tiny_model, epochs=1, batch_size=8, max_length=16, learning_rate=1e-3,
                      data=DataConfig(source="file", name=str(data), train_size=None, val_size=None,
                                      test_size=None))
    rid = store.create_run(cfg)
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    w = World(store, rid, tiny_model, data, {})
    w.snapshot = w.take_snapshot()
    assert w.snapshot["points"] and w.snapshot["files"]
    return w


def file_config(world: World, path: Path, **data_kw) -> RunConfig:
    kw = {"train_size": None, "val_size": None, "test_size": None, **data_kw}
    return make_config("full_ft", model=world.model, epochs=1, batch_size=4, max_length=16,
                       data=DataConfig(source="file", name=str(path), **kw))


# ---------------------------------------------------------------------------------------------
# 1. Files that must be refused, with the exact message
# ---------------------------------------------------------------------------------------------
@dataclass
class Refused:
    id: str
    filename: str
    content: Callable[[], bytes | str]
    message: Callable[[Path], str]  # expected message, given the file's path
    error: type = DataError
    columns: dict | None = None  # text_column / label_column the user set


def _ner_lines(sep: str) -> str:
    """A token-level (NER) file: 30 sentences of 4 tokens, each token and its tag on a line (``sep`` between:
    CoNLL-2003's POS and chunk columns, a tab, a space), a blank line between sentences."""
    sents = [[(name, "B-PER"), ("visited", "O"), ("New", "B-LOC"), ("York", "I-LOC")]
             for name in ("Ana", "Bo", "Cy", "Di", "Ed", "Flo") * 5]
    return "-DOCSTART- -X- -X- O\n\n" * (sep != "\t") + "\n".join(
        "".join(f"{t}{sep}{g}\n" for t, g in s) for s in sents)


def test_a_file_that_only_resembles_a_token_level_one_is_not_called_one():
    """What token_level_message asks of a file before it calls it token-level: 90% of its lines a token and a tag,
    some tag a B- or I- one, two sentence breaks at least (mutants16: 50%, all 'O' tags, one break each passed
    every test). Each case is the NER file above, changed in that one respect."""
    from bertlab.data.files import token_level_message

    ner = _ner_lines("\t")
    assert token_level_message(ner, "ner.tsv") is not None
    rows = ner.splitlines()
    one_break = "\n".join(r for i, r in enumerate(rows) if r.strip() or i == 4) + "\n"
    assert one_break.count("\n\n") == 1 and token_level_message(one_break, "ner.tsv") is None
    four_in_five = ner + "".join(f"a short review number {i}\tpos\n" for i in range(30))  # 120 of 150 lines tagged
    assert token_level_message(four_in_five, "ner.tsv") is None
    all_o = "".join(f"{r.split()[0]}\tO\n" if r.strip() else "\n" for r in rows)
    assert token_level_message(all_o, "ner.tsv") is None


def _ragged() -> str:
    return "text,label\na fine first row,pos\nthis row, sadly, has extra commas,neg\n" + csv_text(good_rows())[11:]


def _utf16_header_only() -> bytes:
    return "text,label\n".encode("utf-16")


REFUSED = [
    Refused("empty_file", "empty.csv", lambda: b"", lambda p: "empty.csv is empty (0 bytes)."),
    Refused("blank_lines_only", "blank.csv", lambda: "\n  \n\n",
            lambda p: "blank.csv is empty: it has no header and no rows."),
    Refused("header_only", "header.csv", lambda: "text,label\n",
            lambda p: "header.csv has a header (text, label) but no data rows."),
    Refused("utf16_header_only", "header16.csv", _utf16_header_only,
            lambda p: "header16.csv has a header (text, label) but no data rows."),
    Refused("binary_named_csv", "binary.csv", lambda: bytes(range(256)) * 40,
            lambda p: "binary.csv looks like a binary file, not text (it contains NUL bytes). "
                      "Upload a CSV/TSV/JSONL text file or a Parquet file."),
    # random bytes without a NUL (compressed or encrypted data renamed .csv): latin-1 reads any byte, and the 'table'
    # was refused over its field counts ("noise.csv line 17 has 3 fields but the header has 2. Put quotes ...")
    Refused("binary_without_nul_named_csv", "noise.csv",
            lambda: bytes(random.Random(0).choices(range(1, 256), k=20_000)),
            lambda p: "noise.csv looks like a binary file, not text (24% of its first characters are control "
                      "characters, which text hardly holds). Upload a CSV/TSV/JSONL text file or a Parquet file."),
    Refused("xlsx_named_csv", "sheet.csv", lambda: b"PK\x03\x04" + bytes(200),
            lambda p: "sheet.csv is a ZIP archive, not a text table (nor an Excel workbook, which is read as one): "
                      "unzip it and upload the table inside."),
    Refused("broken_xlsx", "book.xlsx", lambda: b"PK\x03\x04" + bytes(200),
            lambda p: "book.xlsx is not a readable .xlsx workbook (BadZipFile: File is not a zip file). It may be "
                      "truncated: re-save it from Excel, or export the sheet as CSV (UTF-8)."),
    Refused("password_protected_xlsx", "locked.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            lambda p: "locked.xlsx is a password-protected workbook or an old .xls saved under .xlsx: open it in "
                      "Excel, remove the password and save it as .xlsx, or export the sheet as CSV (UTF-8)."),
    Refused("xlsx_that_unpacks_to_gigabytes", "bomb.xlsx", _zip_bomb,
            lambda p: "bomb.xlsx unpacks to 2.5 GB, over the 2 GB bertlab reads from a workbook. Export the sheet as "
                      "CSV (UTF-8), or sample it down."),
    # its header's names were dropped with its empty columns: the page then crashed on a table of no columns
    Refused("header_only_xlsx", "header.xlsx", lambda: xlsx({"Sheet1": pd.DataFrame(columns=["text", "label"])}),
            lambda p: "header.xlsx has a header (text, label) but no data rows."),
    Refused("header_only_parquet", "header.parquet",
            lambda: parquet(pd.DataFrame({"text": pd.Series([], dtype=str), "label": pd.Series([], dtype=str)})),
            lambda p: "header.parquet has columns (text, label) but no data rows."),
    # two columns of one name and no rows (mutation round 6, F7): said "not a readable Parquet file (ArrowInvalid:
    # Multiple matches for FieldRef.Name(text) ...)", where the same file with unique names is said to be empty
    Refused("header_only_parquet_two_columns_named_text", "twice.parquet",
            lambda: parquet_named([[], [], []], ["text", "text", "label"]),
            lambda p: "twice.parquet has columns (text, text, label) but no data rows."),
    Refused("csv_named_xlsx", "book.xlsx", lambda: csv_text(good_rows()),
            lambda p: "book.xlsx is not an Excel .xlsx workbook (an .xlsx file is a ZIP archive). If it is a text "
                      "table renamed, give it its real extension (.csv, .tsv...), or re-save it from Excel."),
    Refused("old_excel", "book.xls", lambda: b"\xd0\xcf\x11\xe0" + bytes(200),
            lambda p: "book.xls: unsupported file type '.xls'; use one of .csv, .tsv, .txt, .jsonl, .ndjson, "
                      ".json, .parquet, .pq, .xlsx. Save the sheet as .xlsx or export it as CSV (UTF-8) first."),
    Refused("no_extension", "data", lambda: csv_text(good_rows()),
            lambda p: "data: unsupported file type '(none)'; use one of .csv, .tsv, .txt, .jsonl, .ndjson, "
                      ".json, .parquet, .pq, .xlsx."),
    Refused("ragged_rows", "ragged.csv", _ragged,
            lambda p: "ragged.csv line 3 has 4 fields but the header has 2. Put quotes around texts that "
                      "contain a comma, or fix that line."),
    Refused("every_row_wider_than_header", "wide.csv",
            lambda: "text,label\n" + "".join(f"{i},{t},{y}\n" for i, (t, y) in enumerate(good_rows())),
            lambda p: "wide.csv: its rows have more fields than its header (2 names: text, label). Add the "
                      "missing column names to the header, or quote fields that contain the separator."),
    Refused("unclosed_quote", "quote.csv", lambda: 'text,label\n"never closed,pos\nb,neg\n',
            lambda p: 'quote.csv has a quote (") opened near data row 1 that is never closed. Close it, or '
                      'double quotes inside quoted texts ("").'),
    Refused("missing_label_column_named", "named.csv", lambda: csv_text(good_rows()),
            lambda p: "label column 'category' is not in the file; its columns are ['text', 'label'].",
            columns={"label_column": "category"}),
    Refused("missing_text_column_named", "named.csv", lambda: csv_text(good_rows()),
            lambda p: "text column 'body' is not in the file; its columns are ['text', 'label'].",
            columns={"text_column": "body"}),
    Refused("same_text_and_label_column", "same.csv", lambda: csv_text(good_rows()),
            lambda p: "text and label column are both 'text'; choose two different columns.",
            columns={"text_column": "text", "label_column": "text"}),
    Refused("no_label_column", "textonly.csv", lambda: csv_text([(t,) for t in TEXTS], header=("text",)),
            lambda p: "no label column found among ['text'] (a column with 2-200 distinct values); "
                      "set it explicitly."),
    Refused("no_text_column_numbers_only", "numbers.csv",
            lambda: csv_text([(i, i % 2) for i in range(30)], header=("id", "score")),
            lambda p: "no column looks like text among ['id', 'score'] (a text column holds sentences, not "
                      "numbers or codes); set the text column explicitly."),
    Refused("text_column_ambiguous", "twotext.csv",
            lambda: csv_text([(t, t[::-1], y) for t, y in good_rows()], header=("a", "b", "label")),
            lambda p: "cannot tell which column holds the text: ['a', 'b'] all look like text. "
                      "Set the text column explicitly."),
    Refused("both_columns_ambiguous", "anon.csv",
            lambda: csv_text([(t, y, "x" if i % 3 else "y") for i, (t, y) in enumerate(good_rows())],
                             header=("col1", "col2", "col3")),
            lambda p: "cannot tell which column holds the labels: ['col2', 'col3'] all could. "
                      "Set the label column explicitly."),
    Refused("one_class_only", "oneclass.csv", lambda: csv_text([(t, "pos") for t in TEXTS]),
            lambda p: "dataset 'oneclass.csv' has only one class ('pos') after cleaning: a classifier needs at "
                      "least 2 classes. Check the label column."),
    Refused("one_class_after_case_merge", "casemerge.csv",
            lambda: csv_text([(t, ["Spam", "spam ", "SPAM"][i % 3]) for i, t in enumerate(TEXTS)]),
            lambda p: "dataset 'casemerge.csv' has only one class ('spam') after cleaning: a classifier needs "
                      "at least 2 classes. Check the label column."),
    Refused("over_1000_classes", "manyclasses.csv",
            lambda: csv_text([(f"example text {i}", f"class {i % 1200}") for i in range(2400)]),
            lambda p: "the label column has 1,200 distinct values; bertlab supports up to 200 classes. Is it "
                      "really the label column (not an id or a text column)? Choose another label column."),
    Refused("every_label_missing", "nolabels.csv", lambda: csv_text([(t, "") for t in TEXTS]),
            lambda p: "dataset 'nolabels.csv' has no rows with both a non-empty text and a label."),
    Refused("every_text_blank", "notexts.csv",
            lambda: csv_text([("   " if i % 2 else "", y) for i, y in enumerate(LABELS)]),
            lambda p: "dataset 'notexts.csv' has no rows with both a non-empty text and a label."),
    Refused("every_text_conflicting_duplicate", "conflicts.csv",
            lambda: csv_text([(t, y) for t in TEXTS[:10] for y in ("pos", "neg")]),
            lambda p: "dataset 'conflicts.csv' has no usable rows: every text appears more than once with "
                      "different labels. Check that the label column matches the text column row by row."),
    Refused("templated_column_as_text", "templated.csv",
            lambda: csv_text([(f"Ticket routed to team {i % 3}; see the notes", ("pos", "neg")[i % 2]) for i in range(60)]),
            lambda p: "dataset 'templated.csv' has no usable rows: every text appears more than once with different "
                      "labels. The text column has only 3 distinct values in 60 rows: it is probably not the column "
                      "of texts; choose another text column."),
    Refused("text_and_label_columns_swapped", "swapped.csv",
            lambda: csv_text([(y, t) for t, y in zip(TEXTS[:20], LABELS[:20])]),
            lambda p: "dataset 'swapped.csv' has no usable rows: every text appears more than once with different "
                      "labels. The text column has only 2 distinct values and the label column 20: the two look "
                      "swapped; choose the text and label columns the other way round."),
    Refused("jsonl_broken_line", "broken.jsonl",
            lambda: jsonl([{"text": t, "label": y} for t, y in good_rows()[:5]]) + '{"text": "cut off", "lab\n',
            lambda p: "broken.jsonl line 6 is not valid JSON (Unterminated string starting at); "
                      "fix or remove that line."),
    Refused("jsonl_line_not_object", "array.jsonl",
            lambda: jsonl([{"text": "a", "label": "x"}]) + '["b", "y"]\n',
            lambda p: 'array.jsonl line 2 is not a JSON object; each line must be like {"text": ..., "label": ...}.'),
    Refused("jsonl_blank_only", "blank.jsonl", lambda: "\n\n\n",
            lambda p: "blank.jsonl is empty: it has no JSON lines."),
    Refused("json_invalid", "bad.json", lambda: '{"text": ["a", "b"], "label": ',
            lambda p: "bad.json is not valid JSON (line 1: Expecting value)."),
    Refused("json_not_a_table", "scalar.json", lambda: "42",
            lambda p: 'scalar.json: expected a JSON list of objects like [{"text": ..., "label": ...}], or columns '
                      'like {"text": [...], "label": [...]} (pandas: to_json(orient="records") or the default '
                      'to_json()); rows without column names cannot be read.'),
    Refused("json_rows_without_names", "values.json", lambda: pd.DataFrame({"text": TEXTS, "label": LABELS}).to_json(
        orient="values"), lambda p: 'values.json: expected a JSON list of objects like [{"text": ..., "label": ...}], '
                                    'or columns like {"text": [...], "label": [...]} (pandas: to_json(orient="records") '
                                    'or the default to_json()); rows without column names cannot be read.'),
    Refused("several_tiny_classes_named_at_once", "tiny_classes.csv",
            lambda: csv_text(good_rows() + [("one lonely text", "rare"), ("another lonely one", "odd"),
                                            ("a third lonely one", "odd"), ("and the last", "solo")]),
            lambda p: "3 classes have fewer than 3 examples: 'rare' (1), 'solo' (1), 'odd' (2); each class needs at "
                      "least 3 (one each for train, validation and test). Add examples or remove those classes."),
    Refused("parquet_nested_label", "nestedlabel.parquet",
            lambda: parquet(pd.DataFrame({"text": TEXTS, "label": [[y, "x"] for y in LABELS]})),
            lambda p: "column 'label' holds a list of labels in each row (a multi-label dataset: 30 of 30 rows have "
                      "more than one); bertlab compares single-label classifiers, one class per text. Choose a column "
                      "of one label per row, or a single-label dataset (or keep the rows with exactly one label, in a "
                      "file of your own)."),
    # a multi-label file's tags joined in one string: each combination was taken for a class, and the split refused
    # it with '4 classes have fewer than 3 examples: 'neg;spam' (1)...', nothing said of several labels a row
    Refused("csv_tags_joined_by_semicolons", "tags.csv",
            lambda: csv_text([(t, f"{y};spam" if i % 3 == 0 else y) for i, (t, y) in enumerate(good_rows())],
                             ("text", "tags")),
            lambda p: "column 'tags' holds labels joined by ';' in each row (a multi-label dataset: 10 of 30 rows "
                      "have more than one); bertlab compares single-label classifiers, one class per text. Choose a "
                      "column of one label per row, or a single-label dataset (or keep the rows with exactly one "
                      "label, in a file of your own)."),
    Refused("csv_tags_as_json_lists", "jsontags.csv",
            lambda: csv_text([(t, json.dumps([y, "spam"] if i % 2 else [y])) for i, (t, y) in enumerate(good_rows())],
                             ("text", "tags")),
            lambda p: "column 'tags' holds a list of labels in each row (a multi-label dataset: 15 of 30 rows have "
                      "more than one); bertlab compares single-label classifiers, one class per text. Choose a column "
                      "of one label per row, or a single-label dataset (or keep the rows with exactly one label, in a "
                      "file of your own)."),
    # passed over as label columns (lists; more than 200 values), each said only 'no label column found'
    Refused("jsonl_tags_as_lists_not_named", "tags.jsonl",
            lambda: "".join(json.dumps({"text": t, "tags": [y, "spam"] if i % 3 == 0 else [y]}) + "\n"
                            for i, (t, y) in enumerate(good_rows())),
            lambda p: "no label column found among ['text', 'tags'] (a column with 2-200 distinct values); column "
                      "'tags' holds a list of labels in each row (a multi-label dataset: 10 of 30 rows have more than "
                      "one); bertlab compares single-label classifiers, one class per text. Choose a column of one "
                      "label per row, or a single-label dataset (or keep the rows with exactly one label, in a file of "
                      "your own).", ColumnChoiceError),
    # a nested object beside the text and no label: _scores hashed its dicts, a TypeError traceback
    Refused("jsonl_nested_objects_not_named", "meta.jsonl",
            lambda: "".join(json.dumps({"text": t, "meta": {"tags": [y]}}) + "\n" for t, y in good_rows()),
            lambda p: "no label column found among ['text', 'meta'] (a column with 2-200 distinct values); column "
                      "'meta' holds nested values (lists or dicts); a label must be one string or number per row.",
            ColumnChoiceError),
    Refused("csv_similarity_scores_in_many_values", "stsb.csv",
            lambda: csv_text([(f"the first sentence of pair {i}", f"a second sentence, number {i}", f"{i / 50:.2f}")
                              for i in range(251)], ("sentence1", "sentence2", "score")),
            lambda p: "no label column found among ['sentence1', 'sentence2', 'score'] (a column with 2-200 distinct "
                      "values); column 'score' holds scores, not classes: 251 distinct numbers such as 0.02, 0.04, "
                      "0.06; a regression target, as in STS-B's similarity scores. bertlab compares classifiers, "
                      "which learn a few classes from many texts each: choose a label column of classes, or a dataset "
                      "with one (or bin the scores into classes, say low / middle / high, in a file of your own).",
            ColumnChoiceError),
    Refused("csv_prices_in_many_whole_numbers", "prices.csv",
            lambda: csv_text([(f"a second-hand item for sale, listing {i}", str(10 + i // 2)) for i in range(500)],
                             ("description", "price")),
            lambda p: "no label column found among ['description', 'price'] (a column with 2-200 distinct values); "
                      "column 'price' holds numbers, not classes: 250 distinct numbers such as 10, 11, 12; a "
                      "regression target, as in STS-B's similarity scores. bertlab compares classifiers, which learn "
                      "a few classes from many texts each: choose a label column of classes, or a dataset with one "
                      "(or bin the numbers into classes, say low / middle / high, in a file of your own).",
            ColumnChoiceError),
    # a number of each row's own (an order number not named as an id): no quantity, which repeats, so no 'regression
    # target' (files._quantities); passed over as an id, and said as no label column found
    Refused("csv_order_numbers_each_rows_own", "orders.csv",
            lambda: csv_text([(f"a second-hand item for sale, listing {i}", str(5000 + i)) for i in range(500)],
                             ("description", "order")),
            lambda p: "no label column found among ['description', 'order'] (a column with 2-200 distinct values); "
                      "set it explicitly.", ColumnChoiceError),
    # ids for texts: loaded, and every strategy trained on the ticket numbers (a CSV's numbers are read as strings)
    Refused("csv_text_column_of_ticket_numbers", "tickets.csv",
            lambda: csv_text([(str(100000 + i), y) for i, y in enumerate(LABELS)]),
            lambda p: "column 'text' holds numbers or codes, not text: every value is one, such as '100000', "
                      "'100001', '100002'. bertlab classifies texts (sentences, reviews, messages) by their words, and "
                      "an id or a number has none to learn from; choose a column of texts as the text column."),
    Refused("csv_only_customer_ids_beside_the_label", "customers.csv",
            lambda: csv_text([(f"C{i:06d}", str(i % 7), y) for i, y in enumerate(LABELS)],
                             ("customer_id", "visits", "label")),
            lambda p: "column 'customer_id' holds numbers or codes, not text: every value is one, such as 'C000000', "
                      "'C000001', 'C000002'. bertlab classifies texts (sentences, reviews, messages) by their words, "
                      "and an id or a number has none to learn from; choose a column of texts as the text column."),
    # one 0/1 column per tag: the message named the columns, nothing of the one column per tag
    Refused("csv_one_column_per_tag", "onehot.csv",
            lambda: csv_text([(t, int(y == "pos"), int(y == "neg"), i % 3 // 2) for i, (t, y) in enumerate(good_rows())],
                             ("text", "praise", "complaint", "urgent")),
            lambda p: "cannot tell which column holds the labels: ['praise', 'complaint', 'urgent'] all could. Set "
                      "the label column explicitly. Columns ['praise', 'complaint', 'urgent'] hold 0 or 1 in each "
                      "row, and 10 of 30 rows have a 1 in more than one: one column per tag, a multi-label dataset; "
                      "bertlab compares single-label classifiers, one class per text. Choose one tag's column as the "
                      "label (a yes/no classifier for that tag), or make a column of one label per row in a file of "
                      "your own.", ColumnChoiceError),
    # a summary for the label, one text each: the split listed them as 30 'classes with fewer than 3 examples'
    Refused("csv_summaries_taken_for_the_label", "summaries.csv",
            lambda: csv_text([(f"{t}. It went on for a while, and then it ended.", f"Summary {i}: {t[:20].strip()}")
                              for i, t in enumerate(TEXTS)], ("article", "summary")),
            lambda p: "the label column has a different value for each of its 30 texts, such as "
                      f"{sorted(f'Summary {i}: {t[:20].strip()}' for i, t in enumerate(TEXTS))[0]!r} and "
                      f"{sorted(f'Summary {i}: {t[:20].strip()}' for i, t in enumerate(TEXTS))[1]!r}: each would be a class "
                      "of one text, which no classifier can learn or be tested on. Is it really the label column (not "
                      "an id or a text column: a summary, an answer, a note)? bertlab classifies each text into one of "
                      "a few classes, each with many texts; choose another label column."),
    # past 200 summaries, the summary column was passed over and loading said only 'no label column found'
    Refused("csv_articles_and_their_summaries", "articles.csv",
            lambda: csv_text([(f"Article {i}: the council met on day {i} and talked at length.", f"Meeting {i}.")
                              for i in range(250)], ("article", "summary")),
            lambda p: "no label column found among ['article', 'summary'] (a column with 2-200 distinct values); "
                      "column 'summary' holds a different text in nearly every row (250 distinct in 250, such as "
                      "'Meeting 0.'): a text of its own (a summary, an answer, a passage), not a class. bertlab "
                      "classifies each text into one of a few classes, each with many texts; it does not learn to "
                      "write, pick or rank texts. Choose a label column of classes, or a dataset with one.",
            ColumnChoiceError),
    # token-level (NER) files: a .conll file was 'unsupported file type', a token/tag TSV 'cannot tell which column
    # holds the text', a space-separated CoNLL .txt 'no label column found', none saying what the file is
    *(Refused(f"{kind}_token_level_ner", f"ner.{suffix}", lambda sep=sep: _ner_lines(sep),
              lambda p, n=n: f"{p.name} looks like a token-level (NER) file: one token per line with its tag "
                             f"({n} of the {n} non-blank lines read end in a tag such as 'B-LOC', 'B-PER', 'I-LOC' "
                             "or 'O'), blank lines "
                             "between sentences. bertlab classifies whole texts, one label per text; it does not tag "
                             "each token. Choose a file of one text and its label per row (a sentence or document "
                             "classification), or a token-classification tool for this one.")
      for kind, suffix, sep, n in (("conll", "conll", " NN I-NP ", 120), ("tsv", "tsv", "\t", 120),
                                   ("txt", "txt", " ", 120))),
    # 300 distinct in 500 rows: no text of each row's own ('nearly every row' is 90% of them), so no such reason
    Refused("csv_summaries_repeated_past_a_tenth", "repeated.csv",
            lambda: csv_text([(f"Article {i}: the council met on day {i} and talked at length.", f"Meeting {i % 300}.")
                              for i in range(500)], ("article", "summary")),
            lambda p: "no label column found among ['article', 'summary'] (a column with 2-200 distinct values); "
                      "set it explicitly.", ColumnChoiceError),
    Refused("parquet_nested_text", "nestedtext.parquet",
            lambda: parquet(pd.DataFrame({"text": [{"body": t} for t in TEXTS], "label": LABELS})),
            lambda p: "column 'text' holds dict values, not text; choose a column of plain strings as the "
                      "text column."),
    Refused("parquet_struct_columns_only", "struct.parquet",
            lambda: parquet(pd.DataFrame({"record": [{"t": t, "y": y} for t, y in good_rows()],
                                          "tags": [[y] for y in LABELS]})),
            lambda p: "no column looks like text among ['record', 'tags'] (a text column holds sentences, not "
                      "numbers or codes); set the text column explicitly. Columns ['record', 'tags'] hold nested "
                      "values (lists or structs): flatten them into plain text and label columns first."),
    Refused("parquet_numeric_text_column", "inttext.parquet",
            lambda: parquet(pd.DataFrame({"text": range(30), "label": LABELS})),
            lambda p: "column 'text' holds int64 values, not text; choose a column of plain strings as the "
                      "text column."),
    Refused("parquet_corrupt", "corrupt.parquet", lambda: b"PAR1" + b"\x01" * 64,
            lambda p: "corrupt.parquet is not a readable Parquet file (ArrowInvalid: Could not open Parquet "
                      "input source '<Buffer>': Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file.). It may be "
                      "truncated or another format: re-save it with pandas DataFrame.to_parquet, or upload a CSV."),
    Refused("utf16_truncated", "cut16.csv", lambda: csv_text(good_rows()).encode("utf-16") + b"x",
            lambda p: "cut16.csv starts with a UTF-16 byte-order mark but is not valid UTF-16 (an odd number of "
                      "bytes or a broken character: is it truncated?). Re-save it as UTF-8."),
    Refused("json_nested_too_deeply", "deep.json", lambda: "[" * 100_000 + "]" * 100_000,
            lambda p: "deep.json is nested too deeply to be a table; expected a list of objects."),
    Refused("jsonl_nested_too_deeply", "deep.jsonl", lambda: "[" * 100_000 + "]" * 100_000 + "\n",
            lambda p: "deep.jsonl line 1 is nested too deeply to be a table row."),
    Refused("class_with_one_example", "rare.csv",
            lambda: csv_text(good_rows() + [("a lone example of a rare class", "rare")]),
            lambda p: "class 'rare' has 1 example(s); each class needs at least 3 (one each for train, validation "
                      "and test). Add examples or remove that class."),
]


def _write(tmp_path: Path, case: Refused) -> Path:
    content = case.content()
    path = tmp_path / case.filename
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize("case", REFUSED, ids=[c.id for c in REFUSED])
def test_refused_file_has_exact_message(case, world, tmp_path):
    path = _write(tmp_path, case)
    expected = case.message(path)
    with pytest.raises(BertlabError) as e:
        load_splits(DataConfig(source="file", name=str(path), **(case.columns or {})))
    assert isinstance(e.value, case.error)
    assert str(e.value) == expected
    # The same text is what a launched run records, and the finished run next to it is untouched.
    assert world.run_fails_with(file_config(world, path, **(case.columns or {}))) == expected
    world.assert_intact()


def test_file_that_does_not_exist(world, tmp_path):
    path = tmp_path / "gone.csv"
    expected = f"file {str(path)!r} does not exist."
    with pytest.raises(DataError) as e:
        load_file(path)
    assert str(e.value) == expected
    assert world.run_fails_with(file_config(world, path)) == expected
    world.assert_intact()


def test_folder_instead_of_file(world, tmp_path):
    expected = (f"{str(tmp_path)!r} is a folder, not a file, and holds no data files named by their part (train, "
                "validation, test); choose a CSV, TSV, JSONL, JSON, Parquet or .xlsx file, or a folder of "
                "train/validation/test files (a hub dataset's download, or datasets' save_to_disk).")
    with pytest.raises(DataError) as e:
        load_file(tmp_path)
    assert str(e.value) == expected
    assert world.run_fails_with(file_config(world, tmp_path)) == expected
    world.assert_intact()


def test_upload_over_100_mb_in_memory(world):
    raw = b"text,label\n" + b"x" * MAX_FILE_BYTES  # 100 MB + 11 bytes: just over the limit
    with pytest.raises(DataError) as e:
        read_table(raw, "huge.csv")
    assert str(e.value) == ("huge.csv is 100.1 MB, over the 100 MB limit. Sample it down (a few thousand rows "
                            "per class is plenty) and upload it again.")
    world.assert_intact()


def test_file_over_100_mb_on_disk_is_refused_before_reading(world, tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(150 * 2**20)  # sparse: 150 MB long, no disk used
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    expected = ("huge.csv is 150.0 MB, over the 100 MB limit. Sample it down (a few thousand rows per class is "
                "plenty) and upload it again.")
    with pytest.raises(DataError) as e:
        load_file(path)
    assert str(e.value) == expected
    assert world.run_fails_with(file_config(world, path)) == expected
    world.assert_intact()


# ---------------------------------------------------------------------------------------------
# 2. Quirky files that must LOAD, with a note that says what was done
# ---------------------------------------------------------------------------------------------
@dataclass
class Loads:
    id: str
    filename: str
    content: Callable[[], bytes | str]
    rows: int
    labels: list[str]
    notes: list[str]
    check: Callable[[object], None] | None = None


QUOTED = [
    ('He said "wow", then left.\nSecond line, with a comma.', "pos"),
    ('Only "quotes" here', "neg"),
    ("Commas, commas, commas", "pos"),
    ('Ends with a quote "', "neg"),
    ("multi\nline\n\ntext", "pos"),
    ("plain text", "neg"),
]


def _latin1() -> bytes:
    return csv_text([(f"café crème, très {t}", y) for t, y in good_rows()]).encode("latin-1")


def _long_texts() -> str:
    rows = good_rows()
    rows[0] = ("word " * 20_000, rows[0][1])  # 100,000 characters
    rows[1] = ("y" * 150_000, rows[1][1])
    return csv_text(rows)


def _blank_texts() -> str:
    rows = good_rows()
    for i in (0, 4, 8):
        rows[i] = ("", rows[i][1])  # empty -> NaN in the CSV reader
    for i in (2, 6):
        rows[i] = ("   \t  ", rows[i][1])  # whitespace only
    rows[10] = ("nan", rows[10][1])  # a literal 'nan' (str(NaN) written out) is missing data too
    return csv_text(rows)


def _lone_cr() -> str:
    """Texts with a bare carriage return inside, unquoted, in a file whose lines end with \\n (a form's paste)."""
    lines = csv_text(good_rows()).split("\n")
    for i in (1, 6, 10):
        lines[i] = f"half a sentence {i}\rand its other half,{lines[i].rsplit(',', 1)[1]}"
    return "\n".join(lines)


def _check_lone_cr(ds) -> None:
    for i in (1, 6, 10):  # whole, with the label of their line; no half-texts as rows of their own
        assert f"half a sentence {i}\rand its other half" in ds.texts
    assert not any(t.startswith("and its other half") for t in ds.texts)


def _check_quoted(ds) -> None:
    got = dict(zip(ds.texts, (ds.label_names[i] for i in ds.labels)))
    for t, y in QUOTED:
        assert got[t.strip()] == y


def _check_utf8_bom(ds) -> None:
    assert "text" in ds.description and "\ufeff" not in ds.description


def _check_latin1(ds) -> None:
    assert all(t.startswith("café crème, très ") for t in ds.texts)


def _check_first_text(ds) -> None:
    assert sorted(ds.texts) == sorted(TEXTS)  # the first of the columns named alike, not its reversed copy


def _check_long(ds) -> None:
    assert max(len(t) for t in ds.texts) == 10_000


LOADS = [
    Loads("latin1_text", "latin1.csv", _latin1, 30, ["neg", "pos"],
          ["latin1.csv is not valid UTF-8 (first bad byte at offset 15); read it as cp1252. "
           "Save it as UTF-8 if characters look wrong."], _check_latin1),
    Loads("utf16_with_bom", "utf16.csv", lambda: csv_text(good_rows()).encode("utf-16"), 30, ["neg", "pos"],
          ["utf16.csv: read as UTF-16 (it starts with a UTF-16 byte-order mark)"]),
    Loads("utf16_without_bom", "utf16le.csv", lambda: csv_text(good_rows()).encode("utf-16-le"), 30,
          ["neg", "pos"], ["utf16le.csv: read as UTF-16-LE (it has no byte-order mark; save it as UTF-8 to be sure)"]),
    Loads("utf8_with_bom", "excel.csv", lambda: b"\xef\xbb\xbf" + csv_text(good_rows()).encode(), 30,
          ["neg", "pos"], ["excel.csv: removed the UTF-8 byte-order mark at its start"], _check_utf8_bom),
    Loads("quoted_newlines_commas_quotes", "quoted.csv", lambda: csv_text(QUOTED + good_rows()), 36,
          ["neg", "pos"], [], _check_quoted),
    Loads("carriage_returns_inside_unquoted_texts", "cr.csv", _lone_cr, 30, ["neg", "pos"],
          ["cr.csv: 3 carriage returns (\\r) inside lines kept as part of their text (a line ends at \\n)"],
          _check_lone_cr),
    # an old Mac's "CSV (Macintosh)": lines end at \r, one line feed at the end (an editor's): not texts' \r
    Loads("mac_line_ends_and_one_line_feed", "mac.csv", lambda: csv_text(good_rows()).replace("\n", "\r") + "\n",
          30, ["neg", "pos"], []),
    Loads("semicolon_separated", "semi.csv", lambda: csv_text(good_rows(), sep=";"), 30, ["neg", "pos"], []),
    Loads("texts_full_of_semicolons_and_bars", "punct.csv",
          lambda: csv_text([(f"{t}; so; very; much | more | {i}", y) for i, (t, y) in enumerate(good_rows())]),
          30, ["neg", "pos"], []),
    Loads("tsv_with_commas", "tabs.tsv", lambda: csv_text([(t + ", indeed", y) for t, y in good_rows()], sep="\t"),
          30, ["neg", "pos"], []),
    Loads("old_mac_line_endings", "cr.csv", lambda: csv_text(good_rows()).replace("\n", "\r"), 30,
          ["neg", "pos"], []),
    Loads("windows_line_endings", "crlf.csv", lambda: csv_text(good_rows()).replace("\n", "\r\n"), 30,
          ["neg", "pos"], []),
    Loads("numeric_looking_labels", "numeric.csv",
          lambda: csv_text([(t, ["2", "10", "2.0", "10.0"][i % 4]) for i, t in enumerate(TEXTS)]), 30,
          ["2", "10"], ["read 14 labels written like '1.0' as whole numbers ('1')"]),
    Loads("labels_differ_by_case_and_space", "case.csv",
          lambda: csv_text([(t, {"pos": ["Pos", "pos", " pos  "][i // 2 % 3], "neg": ["neg", "NEG"][i // 2 % 2]}[y])
                            for i, (t, y) in enumerate(good_rows())]), 30, ["neg", "pos"],
          ["merged labels that differ only by case: ['NEG', 'neg'] -> 'neg'; ['Pos', 'pos'] -> 'pos'",
           "merged labels that differ only by spaces: ' pos  ' → 'pos' (5 rows)"]),
    # a star rating with a stray space ("5 " beside "5"): merged, and said, with the rows of each spelling
    Loads("labels_differ_only_by_spaces", "stars.csv",
          lambda: csv_text([(t, {0: "5 ", 1: " 3"}.get(i, ["1", "3", "5"][i % 3])) for i, t in enumerate(TEXTS)]),
          30, ["1", "3", "5"], ["merged labels that differ only by spaces: ' 3' → '3' (1 row), '5 ' → '5' (1 row)"]),
    # every label with a space after it (nothing to merge with): the spaces taken off, said too
    Loads("labels_all_with_a_trailing_space", "trail.csv",
          lambda: csv_text([(t, y + " ") for t, y in good_rows()]), 30, ["neg", "pos"],
          ["took the spaces off labels: 'neg ' → 'neg' (15 rows), 'pos ' → 'pos' (15 rows)"]),
    Loads("nan_empty_whitespace_texts", "blanks.csv", _blank_texts, 24, ["neg", "pos"],
          ["dropped 6 of 30 rows with an empty or missing text"]),
    Loads("texts_of_100k_characters", "long.csv", _long_texts, 30, ["neg", "pos"],
          ["clipped 2 texts longer than 10,000 characters to their first 10,000: no strategy reads past that, "
           "tfidf_logreg included"], _check_long),
    Loads("short_rows_missing_label", "short.csv",
          lambda: csv_text(good_rows()) + "a row without its label\nanother one\n", 30, ["neg", "pos"],
          ["dropped 2 rows with a missing label"]),
    Loads("one_row_missing_label", "short1.csv",
          lambda: csv_text(good_rows()) + "a row without its label\n", 30, ["neg", "pos"],
          ["dropped 1 row with a missing label"]),
    Loads("duplicates_and_conflicts", "dupes.csv",
          lambda: csv_text(good_rows() + good_rows()[:4] + [(t, "pos" if y == "neg" else "neg")
                                                            for t, y in good_rows()[4:6]]), 28, ["neg", "pos"],
          ["dropped 4 duplicate texts (kept the first of each)",
           "dropped 4 rows whose text appears with different labels"]),
    Loads("jsonl_boolean_labels", "bools.jsonl",
          lambda: jsonl([{"text": t, "label": y == "pos"} for t, y in good_rows()]), 30, ["False", "True"], []),
    Loads("json_column_oriented", "cols.json", lambda: json.dumps({"text": TEXTS, "label": LABELS}), 30,
          ["neg", "pos"], []),
    Loads("labels_spelled_like_missing_values", "nulls.csv",
          lambda: csv_text([(t, ["None", "NA", "null"][i % 3]) for i, t in enumerate(TEXTS)]), 30,
          ["NA", "None", "null"], []),
    Loads("texts_spelled_like_missing_values", "natext.csv",
          lambda: csv_text([("NA", "neg"), ("null", "pos")] + good_rows()), 32, ["neg", "pos"], []),
    # R's write.csv: numeric codes 1-2 with NA for a missing one, and an unanswered text NA; the label NA had been a
    # third class (a survey's satisfaction 1-5 read as six: 1-5 and 'NA'), the text NA an answer trained on
    Loads("r_export_numeric_codes_with_na", "r_export.csv",
          lambda: csv_text([(t, 1 + (y == "pos")) for t, y in good_rows()]
                           + [("NA", 2), ("a text whose code is missing", "NA"), ("another without one", "NA")]),
          30, ["1", "2"], ["r_export.csv: read its 3 NA cells as missing values (its column of numbers 'label' writes "
                           "them so, as R does), in every column", "dropped 1 of 33 rows with an empty or missing text",
                           "dropped 2 rows with a missing label"]),
    Loads("parquet_nullable_columns", "nullable.parquet",
          lambda: parquet(pd.DataFrame({
              "text": pd.array([None if i == 3 else t for i, t in enumerate(TEXTS)], dtype="string"),
              "label": pd.array([None if i % 5 == 0 else i % 2 for i in range(30)], dtype="Int64")})),
          23, ["0", "1"], ["dropped 1 of 30 rows with an empty or missing text",
                           "dropped 6 rows with a missing label"]),
    Loads("json_records_under_a_key", "wrapped.json",
          lambda: json.dumps({"data": [{"text": t, "label": y} for t, y in good_rows()]}), 30,
          ["neg", "pos"], []),
    *[Loads(f"pandas_to_json_{orient}", f"{orient}.json",
            lambda orient=orient: pd.DataFrame({"text": TEXTS, "label": LABELS}).to_json(orient=orient),
            30, ["neg", "pos"], []) for orient in (None, "index", "split", "table")],
    *[Loads(f"pandas_to_json_{orient}_more_columns_than_rows", f"wide_{orient}.json",
            lambda orient=orient: pd.DataFrame({"text": TEXTS[:8], "label": LABELS[:8], **{f"x{i}": range(8)
                                                                                         for i in range(10)}}
                                               ).to_json(orient=orient), 8, sorted(set(LABELS[:8])), [])
      for orient in (None, "index")],
    Loads("utf8_with_one_broken_byte", "cjk.csv",
          lambda: csv_text([(f"这是第{i}个例子 café 😀", ["好", "坏"][i % 2]) for i in range(30)]).encode()
          .replace(b"\n", b"\n\xff", 1),
          30, ["坏", "好"], ["cjk.csv is UTF-8 with 1 invalid byte sequence (the first at offset 11); each became "
                           "'\ufffd'. The rest reads as it was written."]),
    Loads("utf16_without_bom_other_script", "cjk16.csv",
          lambda: csv_text([(f"这是一个关于事物的例句第{i}号", ["好", "坏"][i % 2]) for i in range(30)]).encode("utf-16-le"),
          30, ["坏", "好"], ["cjk16.csv: read as UTF-16-LE (it has no byte-order mark; save it as UTF-8 to be sure)"]),
    Loads("utf16_without_bom_long_texts_without_ascii", "cjk16long.csv",
          lambda: ("text,label\n" + "".join(f"这部电影的剧情非常精彩演员的表演也很出色值得一看{'好坏'[i % 2] * (i + 1)},"
                                            f"{'正面负面'[2 * (i % 2):2 * (i % 2) + 2]}\n" for i in range(30))
                   ).encode("utf-16-le"),
          30, ["正面", "负面"], ["cjk16long.csv: read as UTF-16-LE (it has no byte-order mark; save it as UTF-8 to be "
                              "sure)"]),
    Loads("jsonl_nested_values_after_row_100", "late_lists.jsonl",
          lambda: jsonl([{"body_txt": f"{t} number {i}", "cat": y, "tags": "x" if i < 150 else ["l"]}
                         for i, (t, y) in enumerate(good_rows() * 8)]), 240, ["neg", "pos"], []),
    Loads("xlsx_first_sheet_numeric_labels", "book.xlsx",
          lambda: xlsx({"reviews": pd.DataFrame({"text": TEXTS, "stars": [1 + (y == "pos") for y in LABELS]}),
                        "notes": pd.DataFrame({"x": [1]})}), 30, ["1", "2"],
          ["book.xlsx: read the sheet 'reviews'; the workbook also has 'notes' (to use another sheet, save it as a "
           "workbook or CSV of its own)"]),
    # a notes sheet of one column first (no dataset fits in one column): the data is on a later sheet
    Loads("xlsx_notes_sheet_first", "multi.xlsx",
          lambda: xlsx({"Info": pd.DataFrame({"note": ["read me first", "the data is on the next sheet"]}),
                        "Data": pd.DataFrame({"text": TEXTS, "label": LABELS})}), 30, ["neg", "pos"],
          ["multi.xlsx: read the sheet 'Data'; the workbook also has 'Info' (to use another sheet, save it as a "
           "workbook or CSV of its own)"]),
    # a survey's workbook: a notes sheet of two columns (a row per variable, no value repeated, so no label column)
    # before the data was read as the dataset, each variable's name a class of one row (RareClassError)
    Loads("xlsx_two_column_notes_sheet_first", "survey.xlsx",
          lambda: xlsx({"Notes": pd.DataFrame({"variable": ["text", "label", "id"],
                                               "description": ["the free-text answer", "coded theme", "respondent"]}),
                        "Data": pd.DataFrame({"text": TEXTS, "label": LABELS})}), 30, ["neg", "pos"],
          ["survey.xlsx: read the sheet 'Data'; the workbook also has 'Notes' (to use another sheet, save it as a "
           "workbook or CSV of its own)"]),
    Loads("xlsx_with_blank_rows_and_columns", "gaps.xlsx",
          lambda: xlsx({"Sheet1": pd.DataFrame({"text": TEXTS + [None], "": [None] * 31, "label": LABELS + [None]})}),
          30, ["neg", "pos"], []),
    Loads("xlsx_named_csv", "export.csv",
          lambda: xlsx({"Sheet1": pd.DataFrame({"text": TEXTS, "label": LABELS})}), 30, ["neg", "pos"],
          ["export.csv is an Excel workbook under another extension: read it as one"]),
    # a header naming two columns alike: pandas renamed the second 'text.1' without a word (a JSON table kept both,
    # and the load crashed on them: AttributeError, 'DataFrame' object has no attribute 'tolist')
    Loads("csv_two_columns_named_text", "twice.csv",
          lambda: csv_text([(t, t[::-1], y) for t, y in good_rows()], header=("text", "text", "label")), 30,
          ["neg", "pos"], ["twice.csv has 2 columns named 'text': read as 'text', 'text.1', in the file's order; "
                           "choose the one you mean with the column pickers (--text-column / --label-column), or "
                           "give them different names in the file"], _check_first_text),
    Loads("json_split_two_columns_named_text", "twice.json",
          lambda: json.dumps({"columns": ["text", "text", "label"],
                              "data": [[t, t[::-1], y] for t, y in good_rows()]}), 30,
          ["neg", "pos"], ["twice.json has 2 columns named 'text': read as 'text', 'text.1', in the file's order; "
                           "choose the one you mean with the column pickers (--text-column / --label-column), or "
                           "give them different names in the file"], _check_first_text),
    Loads("xlsx_two_columns_named_label", "twice.xlsx",
          lambda: xlsx({"Sheet1": pd.DataFrame([[t, y, i] for i, (t, y) in enumerate(good_rows())],
                                               columns=["text", "label", "label"])}), 30,
          ["neg", "pos"], ["twice.xlsx has 2 columns named 'label': read as 'label', 'label.1', in the file's order; "
                           "choose the one you mean with the column pickers (--text-column / --label-column), or "
                           "give them different names in the file"]),
    # Excel's separator line ("sep=;", which Excel writes for a locale's CSV): it was read as the header, the real
    # header became a row, its label name a class of 1 example, and the split refused the file over that class
    Loads("excel_separator_line", "excelsep.csv", lambda: "sep=;\n" + csv_text(good_rows(), sep=";"), 30,
          ["neg", "pos"], ["excelsep.csv: its first line, 'sep=;', names the separator (as Excel writes it): read as "
                           "that, not as a row"], _check_first_text),
    # a report's title and a blank line above the header, as exports have them: the title was read as the header,
    # the real names became a row and their label name a class of 1 example (the split refused the file over it)
    Loads("csv_title_above_the_header", "report.csv",
          lambda: "Survey export 2024-05-01\n\n" + csv_text(good_rows(), header=("review", "sentiment")), 30,
          ["neg", "pos"], ["report.csv: its column names (review, sentiment) are on line 3; the 2 lines above them (a "
                           "title?) were skipped"], _check_first_text),
    # the same with lines ending at \r alone (an old Mac's "CSV (Macintosh)"): the title was not looked for (the
    # file was one line to the search) and became the header: "its rows have more fields than its header"
    Loads("csv_title_above_the_header_mac_line_ends", "report_mac.csv",
          lambda: ("Survey export 2024-05-01\n\n" + csv_text(good_rows(), header=("review", "sentiment"))).replace(
              "\n", "\r"), 30,
          ["neg", "pos"], ["report_mac.csv: its column names (review, sentiment) are on line 3; the 2 lines above "
                           "them (a title?) were skipped"], _check_first_text),
    Loads("xlsx_title_above_the_header", "report.xlsx",
          lambda: xlsx({"Sheet1": pd.DataFrame([["Survey export 2024-05-01", None], ["review", "sentiment"],
                                                *good_rows()])}, header=False), 30,
          ["neg", "pos"], ["report.xlsx: its column names (review, sentiment) are on row 2; the 1 row above them (a "
                           "title?) was skipped"], _check_first_text),
    # both at once: a title above a header naming two columns alike. The workbook's repeated names were looked for
    # in its first row (the title), so 'text.1' went unsaid and the title's note named a 'text.1' the file never had
    Loads("xlsx_title_above_two_columns_named_text", "report2.xlsx",
          lambda: xlsx({"Sheet1": pd.DataFrame([["Survey export 2024-05-01", None, None], ["text", "text", "label"],
                                                *[(t, t[::-1], y) for t, y in good_rows()]])}, header=False), 30,
          ["neg", "pos"], ["report2.xlsx: its column names (text, text, label) are on row 2; the 1 row above them (a "
                           "title?) was skipped",
                           "report2.xlsx has 2 columns named 'text': read as 'text', 'text.1', in the file's order; "
                           "choose the one you mean with the column pickers (--text-column / --label-column), or "
                           "give them different names in the file"], _check_first_text),
    # pandas' to_csv with its index: a first row of two names after an empty one is the header, not a title
    Loads("csv_index_column_unnamed", "indexed.csv",
          lambda: pd.DataFrame({"text": TEXTS, "label": LABELS}).to_csv(), 30, ["neg", "pos"], [], _check_first_text),
    # names that only look like pandas' renaming: no note
    Loads("csv_columns_really_named_text_dot_1", "dotted.csv",
          lambda: csv_text([(t, t[::-1], y) for t, y in good_rows()], header=("text", "text.1", "label")), 30,
          ["neg", "pos"], [], _check_first_text),
    # pyarrow writes two columns of one name; pandas' reader failed on it, which was said as a file "truncated or
    # another format" ("not a readable Parquet file (ArrowInvalid: Multiple matches for FieldRef.Name(text) ...")
    Loads("parquet_two_columns_named_text", "twice.parquet",
          lambda: parquet_named([TEXTS, [t[::-1] for t in TEXTS], LABELS], ["text", "text", "label"]), 30,
          ["neg", "pos"], ["twice.parquet has 2 columns named 'text': read as 'text', 'text.1', in the file's order; "
                           "choose the one you mean with the column pickers (--text-column / --label-column), or "
                           "give them different names in the file"], _check_first_text),
    Loads("parquet_extra_nested_column", "extra.parquet",
          lambda: parquet(pd.DataFrame({"text": TEXTS, "label": LABELS, "meta": [{"k": i} for i in range(30)]})),
          30, ["neg", "pos"], []),
]


@pytest.mark.parametrize("case", LOADS, ids=[c.id for c in LOADS])
def test_quirky_file_loads_with_note(case, world, tmp_path):
    content = case.content()
    path = tmp_path / case.filename
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    ds = load_file(path)
    assert len(ds) == case.rows
    assert ds.label_names == case.labels
    assert sorted(ds.notes) == sorted(case.notes)
    if case.check:
        case.check(ds)
    # it also splits, so a run can use it
    sp = load_splits(DataConfig(source="file", name=str(path), train_size=None, val_size=None, test_size=None))
    assert sum(sp.sizes().values()) == case.rows
    world.assert_intact()


def test_train_size_cap_larger_than_data_is_a_note(world, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(csv_text(good_rows()))
    sp = load_splits(DataConfig(source="file", name=str(path), train_size=10_000))
    assert sp.sizes()["train"] == 21
    assert "the train cap (train_size) of 10,000 is more than the 21 train examples available; using all of them" in sp.notes
    world.assert_intact()


# ---------------------------------------------------------------------------------------------
# 3. Bad settings: refused when the config is built, before anything is stored
# ---------------------------------------------------------------------------------------------
CONFIG_CASES = [
    ("epochs_0", {"epochs": 0}, "epochs must be a whole number from 1 to 100, got 0."),
    ("epochs_10000", {"epochs": 10_000}, "epochs must be a whole number from 1 to 100, got 10000."),
    ("epochs_fractional", {"epochs": 2.5}, "epochs must be a whole number from 1 to 100, got 2.5."),
    ("learning_rate_0", {"learning_rate": 0.0},
     "learning_rate must be above 0 and at most 1 (e.g. 5e-5), got 0.0."),
    ("learning_rate_negative", {"learning_rate": -1e-4},
     "learning_rate must be above 0 and at most 1 (e.g. 5e-5), got -0.0001."),
    ("learning_rate_nan", {"learning_rate": float("nan")},
     "learning_rate must be above 0 and at most 1 (e.g. 5e-5), got nan."),
    ("batch_size_0", {"batch_size": 0}, "batch_size must be a whole number from 1 to 4,096, got 0."),
    ("max_length_4", {"max_length": 4}, "max_length must be a whole number from 8 to 8,192, got 4."),
    ("precision_fp8", {"precision": "fp8"}, "precision 'fp8' is unknown; use one of ('auto', 'fp32', 'bf16', 'fp16')."),
    ("warmup_ratio_1", {"warmup_ratio": 1.0}, "warmup_ratio must be in [0, 1), got 1.0."),
    ("empty_model", {"model": "  "},
     "model is empty; use 'minilm' (the offline default), a hub id or a local directory."),
    ("blank_label_description", {"label_descriptions": ["a good film", " "]},
     "every label description must be a non-empty sentence."),
    # found by fuzzing compare's arguments: "TypeError: 'bool' object is not iterable"
    ("label_descriptions_bool", {"label_descriptions": False},
     "label_descriptions is a bool; give a list of sentences, one per class, in the data's order of classes."),
    # found by fuzzing compare's arguments: stored and trained, then "TypeError: 'int' object is not a mapping"
    ("options_not_a_dict", {"options": 3},
     "options must be a dict of the strategy's own options by name (e.g. {'r': 16} for lora; `python -m bertlab "
     "strategies` lists them), got 3."),
    ("options_keys_not_names", {"options": {1: 16}},
     "options must be a dict of the strategy's own options by name (e.g. {'r': 16} for lora; `python -m bertlab "
     "strategies` lists them), got {1: 16}."),
    ("label_descriptions_number", {"label_descriptions": 3},
     "label_descriptions is an int; give a list of sentences, one per class, in the data's order of classes."),
]


@pytest.mark.parametrize("field_values,message", [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_bad_setting_is_refused(field_values, message, world):
    with pytest.raises(ConfigError) as e:
        make_config("full_ft", **field_values)
    assert str(e.value) == message
    world.assert_intact()


DATA_CONFIG_CASES = [
    ("train_size_0", {"train_size": 0}, "train_size must be a positive whole number or empty for all (the CLI: 'all'), got 0."),
    ("test_size_negative", {"test_size": -5}, "test_size must be a positive whole number or empty for all (the CLI: 'all'), got -5."),
    ("unknown_source", {"source": "s3"}, "data source 's3' is unknown; use one of ('builtin', 'file', 'hub')."),
    ("empty_dataset_name", {"name": " "},
     "dataset name is empty; choose a built-in dataset, a file or a hub name."),
    ("negative_seed", {"seed": -1}, "seed must be a non-negative whole number, got -1."),
]


@pytest.mark.parametrize("kw,message", [c[1:] for c in DATA_CONFIG_CASES], ids=[c[0] for c in DATA_CONFIG_CASES])
def test_bad_data_setting_is_refused(kw, message, world):
    with pytest.raises(ConfigError) as e:
        DataConfig(**kw)
    assert str(e.value) == message
    world.assert_intact()


def test_unknown_strategy_and_unknown_field(world):
    with pytest.raises(ConfigError) as e:
        make_config("magic")
    assert str(e.value).startswith("strategy 'magic' is unknown; choose from [")
    assert "'full_ft'" in str(e.value) and "'zero_shot'" in str(e.value)
    with pytest.raises(ConfigError) as e:
        RunConfig.from_dict({"strategy": "full_ft", "epoch": 3})
    assert str(e.value).startswith("unknown config fields ['epoch']; known fields are ['batch_size', ")
    world.assert_intact()


# ---------------------------------------------------------------------------------------------
# 4. Data sources and models that cannot be used offline or at all
# ---------------------------------------------------------------------------------------------
def test_unknown_hub_dataset_offline(world):
    expected = ("the Hugging Face hub is unreachable and dataset 'someone/no-such-dataset' (split 'train') is not in "
                "this machine's datasets cache, so it cannot be loaded. Download it on a machine that is online and "
                "use it as a CSV/JSONL/Parquet file (uploaded on the Data page, or its path as --dataset on the command "
                "line), or pick a built-in dataset.")
    cfg = make_config("full_ft", model=world.model, data=DataConfig(source="hub", name="someone/no-such-dataset"))
    with pytest.raises(DataError) as e:
        load_splits(cfg.data)
    assert str(e.value) == expected
    assert world.run_fails_with(cfg) == expected
    with pytest.raises(DataError) as e:  # a config given is named too ('de' of a multilingual set)
        load_splits(DataConfig(source="hub", name="someone/no-such-dataset", hub_config="de"))
    assert "dataset 'someone/no-such-dataset' (split 'train', config 'de') is not in" in str(e.value)
    world.assert_intact()


def test_hub_name_mistyped_offline_names_the_builtin_it_is_close_to(world):
    """'rotten_tomatos' typed as a hub name with no internet: the message said only 'pick a built-in dataset', not
    that the built-in 'rotten_tomatoes' was one letter away (the app's hub box, hub: on the command line)."""
    expected = ("the Hugging Face hub is unreachable and dataset 'rotten_tomatos' (split 'train') is not in this "
                "machine's datasets cache, so it cannot be loaded. Download it on a machine that is online and use it "
                "as a CSV/JSONL/Parquet file (uploaded on the Data page, or its path as --dataset on the command "
                "line), or pick the built-in 'rotten_tomatoes' (Built-in on the Data page, --dataset rotten_tomatoes "
                "on the command line), whose name is close to 'rotten_tomatos'.")
    cfg = make_config("full_ft", model=world.model, data=DataConfig(source="hub", name="rotten_tomatos"))
    with pytest.raises(DataError) as e:
        load_splits(cfg.data)
    assert str(e.value) == expected
    assert world.run_fails_with(cfg) == expected
    # a built-in's very name typed there ('tweets') went unnamed, where 'Tweets' was named
    with pytest.raises(DataError) as e:
        load_splits(DataConfig(source="hub", name="tweets"))
    assert str(e.value).endswith("or pick the built-in 'tweets' (Built-in on the Data page, --dataset tweets on the "
                                 "command line), of that name.")
    world.assert_intact()


@pytest.mark.parametrize("typed, meant", [("rotten_tomatos", "rotten_tomatoes"), ("bbc-news", "bbc_news"),
                                          ("Tweets", "tweets"), ("BBC News", "bbc_news")])
def test_builtin_name_mistyped_says_which_was_meant(typed, meant, world, capsys):
    """The CLI's --dataset, the API's data and a stored config said the name was unknown, listing the built-ins,
    without saying which one was a letter, a case or a dash away."""
    from bertlab.api import data_config
    from bertlab.cli import main

    hint = f"Did you mean the built-in {meant!r}?"
    assert main(["run", "--dataset", typed, "--strategies", "tfidf_logreg"]) == 2
    assert capsys.readouterr().err == (f"error: dataset {typed!r} is not a built-in (rotten_tomatoes, bbc_news, "
                                       f"tweets), an existing file, or 'hub:<name>'. {hint}\n")
    with pytest.raises(DataError) as e:
        data_config(typed)
    assert str(e.value).endswith(f"a pandas DataFrame or a DataConfig. {hint}")
    cfg = make_config("full_ft", model=world.model, data=DataConfig(source="builtin", name=typed))
    assert world.run_fails_with(cfg) == (f"unknown built-in dataset {typed!r}; choose one of ['bbc_news', "
                                         f"'rotten_tomatoes', 'tweets']. {hint}")
    world.assert_intact()


def test_unknown_builtin_dataset(world):
    expected = "unknown built-in dataset 'imdb'; choose one of ['bbc_news', 'rotten_tomatoes', 'tweets']."
    cfg = make_config("full_ft", model=world.model, data=DataConfig(source="builtin", name="imdb"))
    assert world.run_fails_with(cfg) == expected
    world.assert_intact()


def _no_weights(d: Path) -> None:
    (d / "config.json").write_text(json.dumps({"model_type": "bert"}))


def _pickle_only(d: Path) -> None:
    _no_weights(d)
    (d / "pytorch_model.bin").write_bytes(b"not really a checkpoint")


def _no_config(d: Path) -> None:
    (d / "model.safetensors").write_bytes(b"{}")


MODEL_DIR_CASES = [
    ("dir_without_weights", _no_weights,
     "model directory {p!r} has no .safetensors weights (bertlab does not load pickled pytorch_model.bin files); "
     "re-save it with save_pretrained(safe_serialization=True)."),
    ("dir_with_pickle_weights_only", _pickle_only,
     "model directory {p!r} has no .safetensors weights (bertlab does not load pickled pytorch_model.bin files); "
     "re-save it with save_pretrained(safe_serialization=True)."),
    ("dir_without_config", _no_config,
     "model directory {p!r} has no config.json; point at a save_pretrained() directory."),
]


@pytest.mark.parametrize("make,template", [c[1:] for c in MODEL_DIR_CASES], ids=[c[0] for c in MODEL_DIR_CASES])
def test_unusable_local_model_directory(make, template, world, tmp_path):
    d = tmp_path / "mymodel"
    d.mkdir()
    make(d)
    expected = template.format(p=str(d))
    with pytest.raises(ModelError) as e:
        resolve(str(d))
    assert str(e.value) == expected
    cfg = make_config("full_ft", model=str(d), data=DataConfig(source="file", name=str(world.data)))
    assert world.run_fails_with(cfg) == expected
    world.assert_intact()


def test_model_path_is_a_file(world, tmp_path):
    f = tmp_path / "model.safetensors"
    f.write_bytes(b"{}")
    expected = f"model path {str(f)!r} is not a directory made by save_pretrained()."
    with pytest.raises(ModelError) as e:
        resolve(str(f))
    assert str(e.value) == expected
    world.assert_intact()


@pytest.mark.parametrize("model_id", ["bert-base-nonexistent", "someorg/some-model"])
def test_unknown_model_id_offline(model_id, world):
    expected = (f"model {model_id!r} is not a local directory and the Hugging Face hub is unreachable. "
                "Use 'minilm' (the packaged offline model) or a local save_pretrained() directory.")
    with pytest.raises(ModelError) as e:
        resolve(model_id)
    assert str(e.value) == expected
    cfg = make_config("full_ft", model=model_id, data=DataConfig(source="file", name=str(world.data)))
    assert world.run_fails_with(cfg) == expected
    world.assert_intact()


# ---------------------------------------------------------------------------------------------
# 5. Problems found only when the run executes: the FAILED run's stored error
# ---------------------------------------------------------------------------------------------
def test_batch_size_larger_than_dataset_runs_one_full_batch_with_a_note(world, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(csv_text(good_rows()))
    cfg = file_config(world, path).replace(batch_size=64, epochs=2)
    rid = world.store.create_run(cfg)
    assert execute_run(world.store, rid) == SUCCEEDED
    run = world.store.get(rid)
    assert "batch_size 64 is larger than the 21 training examples; used batch_size 21" in run.notes
    assert run.costs["steps"] == 2  # one full batch per epoch
    world.assert_intact()


def test_max_length_beyond_model_positions(world, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(csv_text(good_rows()))
    cfg = file_config(world, path).replace(max_length=512)
    # the tiny test model has 128 position embeddings
    assert world.run_fails_with(cfg) == "max_length 512 is beyond the model's 128 positions; use at most 128."
    world.assert_intact()


def test_a_header_below_a_title_is_a_row_naming_a_text_or_label_column_not_any_row_of_two_cells():
    """Mutation round 5: _header_row_below taking the first row of two filled cells below a one-cell first row as the
    header, whatever its cells (the check that one is a text's or label's name dropped), passed this file: a title
    above header-less rows ('great film,pos') would have had its first row of data read as column names, and a note
    saying a title was skipped above them."""
    from bertlab.data.files import _header_row_below

    data = [["great film", "pos"], ["awful film", "neg"]] * 3
    assert _header_row_below([["Survey export 2024"], *data]) == 0
    assert _header_row_below([["Survey export 2024"], [], ["review", "sentiment"], *data]) == 2
    assert _header_row_below([["Survey export 2024"], [], ["Review", "Stars"], *data]) == 2  # its case aside


def test_a_first_row_of_two_names_is_the_header_though_a_value_below_is_a_columns_name():
    """Mutation round 5: _header_row_below looking below a first row of two cells (> 1 made > 2) passed this file: an
    intent dataset whose first class is 'question' (a label column's name) had that row of data taken for the
    header, its real header for a title."""
    rows = [("where is my order", "question"), ("the box came broken", "complaint")] * 10
    notes: list[str] = []
    df = read_table(("text,intent\n" + "".join(f"{t},{y}\n" for t, y in rows)).encode(), "intents.csv", notes)
    assert list(df.columns) == ["text", "intent"] and len(df) == 20
    assert not [n for n in notes if "a title?" in n], notes


def test_a_header_three_lines_down_and_a_quoted_separator_line_are_read_as_excel_writes_them():
    """Mutation round 5, each passing this file: the header looked for in the first 3 lines only (the docstring's
    ten rows cut: a title, a date and a blank line above it read the title as the header and refused the file), and
    Excel's separator line written quoted ('"sep=;"', as some exports quote every line) no longer read as one."""
    rows = [("a great film", "pos"), ("an awful film", "neg")] * 10
    notes: list[str] = []
    text = "Survey export\nExported 2024-05-01\n\nreview,sentiment\n" + "".join(f"{t},{y}\n" for t, y in rows)
    df = read_table(text.encode(), "report.csv", notes)
    assert list(df.columns) == ["review", "sentiment"] and len(df) == 20
    assert "report.csv: its column names (review, sentiment) are on line 4; the 3 lines above them (a title?) were " \
           "skipped" in notes
    notes = []
    df = read_table(('"sep=;"\ntext;label\n' + "".join(f"{t};{y}\n" for t, y in rows)).encode(), "semi.csv", notes)
    assert list(df.columns) == ["text", "label"] and len(df) == 20
    assert any(n.startswith("semi.csv: its first line, '\"sep=;\"', names the separator") for n in notes), notes


def test_a_column_of_empty_texts_is_refused_as_having_no_text_not_an_index_error():
    """Fuzzing: a JSON-lines file (or a DataFrame) whose one column of strings holds only empty ones, under a name
    that is not a text name ('notes'), failed in the text column's detection with "IndexError: list index out of
    range" (no column came within half of the longest's mean length, 0). That column is the text; its rows are
    refused as the same file with the column named 'text' is."""
    said = "dataset 'notes.jsonl' has no rows with both a non-empty text and a label."
    for raw in (b'{"notes": "", "label": "a"}\n{"notes": "", "label": "b"}\n',
                b'{"notes": "", "label": "a"}\n{"notes": null, "label": "b"}\n',
                b'{"a": "", "b": ""}\n{"a": "", "b": "x"}\n'):
        with pytest.raises(DataError) as e:
            load_file("notes.jsonl", raw=raw)
        assert str(e.value) == said, raw
