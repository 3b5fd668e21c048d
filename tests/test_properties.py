"""Property tests of the file loader on generated tables (hypothesis).

Two promises:
1. A well-formed table (a text column, a label column) round-trips through
   every supported format: the loaded dataset has every row, the same
   text -> label mapping, and exactly the promised label set.
2. Any table at all, however messy, either loads into a dataset whose columns
   and labels come from that table, or raises ``BertlabError``: never another
   exception type.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bertlab.data.dataset import MAX_CLASSES, MAX_TEXT_CHARS
from bertlab.data.files import _codes, dataset_from_table, load_file, read_table
from bertlab.errors import BertlabError
from bertlab.guard import guard_undone, may_bear_guard

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")
# Strings pandas' CSV reader treats as missing values: a table holding them is not "well-formed" text.
PANDAS_NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
                    derandomize=True)


def encode(df: pd.DataFrame, fmt: str) -> bytes:
    """Write ``df`` the way a user's tool would (pandas/csv module), as bytes."""
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        # CRLF, as Excel writes: then a lone \r inside a text gets quoted (with "\n" endings it would not be).
        df.to_csv(buf, index=False, sep="," if fmt == "csv" else "\t", quoting=csv.QUOTE_MINIMAL,
                  lineterminator="\r\n")
        return buf.getvalue().encode("utf-8")
    if fmt == "jsonl":
        # ensure_ascii=False keeps U+2028 and friends raw, as many tools write them
        return "".join(json.dumps(r, default=str, ensure_ascii=False) + "\n" for r in df.to_dict("records")).encode()
    if fmt == "json":
        return json.dumps(df.to_dict("records"), default=str, ensure_ascii=False).encode()
    buf = io.BytesIO()
    df.to_parquet(buf)
    return buf.getvalue()


# --- 1. well-formed tables round-trip ------------------------------------------------------------
text_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
words = st.text(text_chars, min_size=1, max_size=60)
label_words = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F)
                      | st.sampled_from(" -_:&'/"), min_size=1, max_size=12)


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@st.composite
def clean_tables(draw) -> tuple[pd.DataFrame, dict[str, str]]:
    labels = draw(st.lists(label_words.map(norm), min_size=2, max_size=6,
                           unique_by=lambda s: s.casefold()))
    assume(all(lab and lab not in PANDAS_NA and not re.fullmatch(r"[+-]?\d+\.0+", lab) for lab in labels))
    # texts that differ only by case, spacing or Unicode form (NFKC: 'ª' and 'a', full-width and plain) are
    # duplicates to bertlab (an uncased tokenizer sees one input)
    texts = draw(st.lists(words.map(str.strip), min_size=3 * len(labels), max_size=40,
                          unique_by=lambda t: " ".join(unicodedata.normalize("NFKC", t).split()).casefold()))
    assume(all(t and t not in PANDAS_NA for t in texts))
    # a text column whose every value is a number or a code ('0', '1', ... 'TCK-00042') is refused since cbbb73e, on
    # purpose (test_bad_inputs pins it): no text of its own to learn from, so no well-formed table of texts
    assume(_codes(pd.Series(texts)) is None)
    rows = {t: labels[i % len(labels)] for i, t in enumerate(texts)}  # every class at least 3 times
    df = pd.DataFrame({"text": list(rows), "label": list(rows.values())})
    return df, rows


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(table=clean_tables())
# found by a 500-example run: texts full of '|' made csv.Sniffer split a "text,label" file on '|'
@example(table=(pd.DataFrame({"text": ["a|b|c", "d|e", "f|g|h|i", "j", "k|l", "m|n|o"],
                              "label": ["x", "y"] * 3}),
                {"a|b|c": "x", "d|e": "y", "f|g|h|i": "x", "j": "y", "k|l": "x", "m|n|o": "y"}))
# quoted carriage returns, alone and before a line feed, in one file: both kept as they were
@example(table=(pd.DataFrame({"text": ["0\r0", "1\r\n1", "2", "3", "4", "5"], "label": ["x", "y"] * 3}),
                {"0\r0": "x", "1\r\n1": "y", "2": "x", "3": "y", "4": "x", "5": "y"}))
# a text column bearing the spreadsheet guard of bertlab's own CSVs (every text that starts with ' is ' before
# = + - @ ' tab or CR, and none of those starts a text bare) is read without it: "'-" reads "-" (README, Data)
@example(table=(pd.DataFrame({"text": ["'-", "''Tis", "a", "b", "c", "d"], "label": ["x", "y"] * 3}),
                {"'-": "x", "''Tis": "y", "a": "x", "b": "y", "c": "x", "d": "y"}))
def test_well_formed_table_round_trips(fmt, table):
    df, rows = table
    ds = load_file(f"upload.{fmt}", raw=encode(df, fmt))
    assert sorted(ds.label_names) == sorted(set(rows.values()))
    got = {t: ds.label_names[y] for t, y in zip(ds.texts, ds.labels)}
    # every row, exactly, where no guard is seen; a guarded column's texts without it (and a note saying so) in the
    # formats bertlab writes it in (CSV, TSV): JSON lines, JSON and Parquet keep every text as written
    unguarded = guard_undone(list(rows)) if may_bear_guard(f"upload.{fmt}") else None
    assert got == (rows if unguarded is None else dict(zip(unguarded, rows.values())))
    assert (unguarded is not None) == any("took the ' off" in n for n in ds.notes)
    assert "text column 'text', label column 'label'" in ds.description


# --- 2. messy tables: load with the promised columns, or BertlabError -----------------------------
cell = st.one_of(
    st.none(),
    st.text(text_chars, max_size=30),
    st.sampled_from(["", " ", "nan", "NA", "1.0", "2", "Pos", "pos ", "a,b", 'q"uote', "line\nbreak", "\t"]),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
col_names = st.one_of(st.sampled_from(["text", "label", "sentence", "category", "x", "y", "Text", " label "]),
                      st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8))


@st.composite
def messy_tables(draw) -> pd.DataFrame:
    names = draw(st.lists(col_names, min_size=1, max_size=4, unique=True))
    n = draw(st.integers(0, 30))
    return pd.DataFrame({c: draw(st.lists(cell, min_size=n, max_size=n)) for c in names})


def _write_messy(df: pd.DataFrame, fmt: str) -> bytes | None:
    """Bytes of ``df`` in ``fmt``, or None where the format cannot hold this mix of types."""
    if fmt == "parquet":
        df = df.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    try:
        return encode(df, fmt)
    except (ValueError, TypeError, OverflowError):  # pyarrow refuses mixed object columns
        return None


def _key(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = norm(str(v))
    if re.fullmatch(r"[+-]?\d+\.0+", s):
        s = str(int(s.split(".")[0]))
    return s.casefold()


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(df=messy_tables(), explicit=st.booleans())
def test_any_table_loads_or_raises_bertlab_error(fmt, df, explicit):
    raw = _write_messy(df, fmt)
    assume(raw is not None)
    kw = {}
    if explicit and len(df.columns) >= 2:
        kw = {"text_column": str(df.columns[0]), "label_column": str(df.columns[1])}
    try:
        ds = load_file(f"messy.{fmt}", raw=raw, **kw)
    except BertlabError as e:
        assert str(e).strip(), "an error must say something"
        return
    # It loaded: the promised shape and labels.
    m = re.search(r"text column (.+), label column (.+)$", ds.description)
    assert m, ds.description
    text_col, label_col = (ast.literal_eval(g) for g in m.groups())  # the names are written as reprs
    table = read_table(raw, f"messy.{fmt}")
    assert text_col in table.columns and label_col in table.columns and text_col != label_col
    if kw:
        assert (text_col, label_col) == (kw["text_column"], kw["label_column"])
    assert len(ds.texts) == len(ds.labels) > 0
    assert all(isinstance(t, str) and t == t.strip() and 0 < len(t) <= MAX_TEXT_CHARS for t in ds.texts)
    assert 2 <= len(ds.label_names) <= MAX_CLASSES
    assert len(set(ds.label_names)) == len(ds.label_names)
    assert set(ds.labels) == set(range(len(ds.label_names)))  # every class has an example
    raw_labels = {_key(v) for v in table[label_col].dropna()}
    assert {n.casefold() for n in ds.label_names} <= raw_labels
    raw_texts = {norm(str(v)) for v in table[text_col].dropna()}
    assert {norm(t) for t in ds.texts} <= raw_texts  # generated texts are short: nothing is clipped


@SETTINGS
@given(df=messy_tables())
# found by a 500-example run: every row a conflicting duplicate used to raise IndexError
@example(df=pd.DataFrame({"text": ["0", "0"], "label": ["0", "00"]}))
def test_dataset_from_any_dataframe_is_total(df):
    """The table-level API (used for hub datasets too) has the same promise."""
    try:
        ds = dataset_from_table(df.copy(), "frame")
    except BertlabError:
        return
    assert len(ds.texts) == len(ds.labels) > 0 and len(ds.label_names) >= 2
