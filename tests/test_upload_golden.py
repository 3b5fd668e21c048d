"""A tricky upload read, loaded and split exactly as before the Data page's path was made faster: the kept rows,
their order, the notes and the split compared with the outputs captured from the code before that change
(``tests/upload_golden.json``; ``python tests/test_upload_golden.py --capture`` wrote it)."""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bertlab.config import DataConfig
from bertlab.data import detect_columns, load_file, read_table, split_for
from bertlab.data.dataset import copy_key

GOLDEN = Path(__file__).with_name("upload_golden.json")

# Texts alike but for case, spacing, Unicode form (composed / decomposed accents, full-width letters, a no-break
# space), control characters that str.split() takes for spaces, and texts that are not alike though they look it.
ALIKE = [
    ["Great movie", "great MOVIE", "great  movie", "great\tmovie", " Great movie ", "GREAT\u00a0movie"],
    ["caf\u00e9 scene", "cafe\u0301 scene", "CAF\u00c9 SCENE"],
    ["The movie", "\uff34\uff48\uff45 \uff4d\uff4f\uff56\uff49\uff45", "the\x1cmovie", "the\x0bmovie"],
    ["stra\u00dfe film", "STRASSE film", "strasse  film"],
    ["a b", "a\u2028b", "a\u3000b", "A B"],
    ["dots...", "dots\u2026"],  # NFKC: the ellipsis is three dots
    ["\u0130stanbul trip", "i\u0307stanbul trip"],
]
LABELS = ["pos", "neg", "pos ", " neg", "Pos", "NEG", "neutral", "neu tral", "neu  tral", "1.0", "1", "caf\u00e9",
          "cafe\u0301"]


def tricky_rows(seed: int = 7, n: int = 160) -> list[list[str]]:
    """Rows (text, label, split) of a file a user might upload, shuffled by ``seed``."""
    rng = random.Random(seed)
    rows = []
    for g, group in enumerate(ALIKE):  # one label a group (copies), but for the last (a conflict)
        label = rng.choice(LABELS[:6])
        for t in group:
            rows.append([t, label if g < len(ALIKE) - 1 else rng.choice(LABELS[:6]),
                         rng.choice(["train", "test", "validation"])])
    for i in range(n):
        words = " ".join(rng.choice(["good", "bad", "plot", "Film", "actor", "\u00e9t\u00e9", "na\u00efve", "x"])
                         for _ in range(rng.randint(1, 6)))
        rows.append([words + f" {i % 37}", rng.choice(LABELS), rng.choice(["train", "train", "test", "validation"])])
    rows += [["", "pos", "train"], ["   ", "neg", "test"], ["no label here", "", "train"],
             ["conflict text", "pos", "train"], ["Conflict  text", "neg", "train"],
             ["x" * 10_050, "neg", "train"], ["y" * 9_999 + " tail", "pos", "test"],
             ["carriage\rreturn inside", "pos", "train"], ["ends with space ", "neg", "validation"]]
    rng.shuffle(rows)
    # a second file's header joined in (with spaces round its names), as `cat a.csv b.csv` leaves it
    rows.insert(len(rows) // 2, [" text ", "label ", " split"])
    return rows


def tricky_csv(rows: list[list[str]]) -> bytes:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') or v != v.strip() else v

    return ("text,label,split\n" + "".join(",".join(cell(v) for v in r) + "\n" for r in rows)).encode("utf-8")


def outputs(path: Path) -> dict:
    """What the Data page gets from the file at ``path``: the table read and its guessed columns, then the data
    loaded (drawn split, and the file's own) and split."""
    raw = path.read_bytes()
    notes: list[str] = []
    df = read_table(raw, path.name, notes)
    got = {"read": {"columns": [str(c) for c in df.columns], "rows": df.astype(object).where(df.notna(), None)
                    .values.tolist(), "notes": notes, "guess": list(detect_columns(df.copy()))}}
    for split_column in (None, "split"):
        ds = load_file(path, "text", "label", split_column=split_column)
        sp = split_for(ds, DataConfig(source="file", name=str(path), text_column="text", label_column="label",
                                      split_column=split_column, seed=3))
        got[f"split={split_column}"] = {
            "texts": ds.texts, "labels": ds.labels, "label_names": ds.label_names, "notes": ds.notes,
            "row_ids": ds.row_ids, "parts": ds.parts,
            "splits": {part: {"texts": getattr(sp, part).texts, "labels": [int(y) for y in getattr(sp, part).labels]}
                       for part in ("train", "val", "test")},
            "split_notes": sp.notes, "split_names": sp.label_names}
    return got


def test_upload_outputs_are_the_old_codes(tmp_path):
    path = tmp_path / "tricky.csv"
    path.write_bytes(tricky_csv(tricky_rows()))
    got = json.loads(json.dumps(outputs(path)))
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for key in want:
        assert got[key] == want[key], key
    assert got == want


@pytest.mark.parametrize("text", [t for g in ALIKE for t in g] + [
    "", " ", "plain ascii", "two  spaces", " lead", "trail ", "tab\there", "ctl\x1fchar", "bell\x07char", "x" * 10_001,
    "x" * 9_999 + " y", "UPPER lower 123 !?", "\x7fdel", "a\nb", "a\r\nb", "no\u00a0break"])
def test_copy_key_as_written_out(text):
    """copy_key as its definition says: NFKC, spaces collapsed, casefolded, clipped first (any fast path agrees)."""
    clipped = unicodedata.normalize("NFKC", text[:10_000])
    assert copy_key(text) == " ".join(clipped.split()).casefold()


if __name__ == "__main__" and sys.argv[1:] == ["--capture"]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "tricky.csv"
        p.write_bytes(tricky_csv(tricky_rows()))
        GOLDEN.write_text(json.dumps(outputs(p), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print("wrote", GOLDEN)


def _defined_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text[:10_000]).split()).casefold()


def test_copy_key_every_code_point():
    """Every code point alone, between letters and beside a space: copy_key as its definition says (a fast path
    that took a separator, a control character or a compatibility form that NFKC spaces out for a letter fails)."""
    wrong = [hex(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF
             for text in (chr(c), f"a{chr(c)}b", f"a {chr(c)}") if copy_key(text) != _defined_key(text)]
    assert wrong == []


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
@settings(max_examples=500, deadline=None)
def test_copy_key_any_text(text):
    assert copy_key(text) == _defined_key(text)


def test_repeated_header_rows_as_before():
    """_repeats_header marks the rows the old whole-table comparison marked: every cell, stripped, its column's
    name (a missing cell, another value, a name with more text or in another column's place never)."""
    import numpy as np
    import pandas as pd

    from bertlab.data.files import _repeats_header

    header = ["text", "label", "n"]
    df = pd.DataFrame(np.array([[" text ", "label", "n"], ["text", "label ", None], ["text", "label", "1"], ["text x", "label", "n"],
                       ["label", "text", "n"], ["text", "label", "n"], [None, "label", "n"], ["\ttext", "\u00a0label", "n "],
                       ["texts", "label", "n"], ["a", "b", "c"]], dtype=object), columns=header)
    old = (df.map(lambda v: v.strip() if isinstance(v, str) else v) == header).all(axis=1)
    got = _repeats_header(df, header)
    assert got.tolist() == old.tolist() == [True, False, False, False, False, True, False, True, False, False]
    assert got.index.equals(df.index) and got.dtype == np.bool_


@pytest.mark.parametrize("text", [
    "text,label\na,b\ntext,label\n", "text,label\na,b\n text , label \n", 'text,label\na,b\n"text","label"\n',
    "text,label\na,b\nc,d\n", "text,label\n\"text\nlabel\",b\n", "text,label\ntext,b\nlabel,c\n",
    "\n\ntext,label\na,b\n", "text,label", '"te""xt",label\na,b\n"te""xt",label\n', "a b,c\n a b ,c\n",
    "text,label\r\na,b\r\ntext,label\r\n", "text,Unnamed\n,x\n"])
def test_repeated_header_rows_from_the_text_as_before(text):
    """Given the text a table was parsed from, _repeats_header skips the cells where a name is not in it: the rows
    marked are still the old whole-table comparison's."""
    import io

    import pandas as pd

    from bertlab.data.files import _repeats_header

    df = pd.read_csv(io.BytesIO(text.encode()), encoding="utf-8", sep=",", dtype=object, keep_default_na=False,
                     na_values=["", "nan", "NaN"], skip_blank_lines=True, engine="c")
    header = [str(c).strip() for c in df.columns]
    old = (df.map(lambda v: v.strip() if isinstance(v, str) else v) == header).all(axis=1)
    assert _repeats_header(df, header, text).tolist() == _repeats_header(df, header).tolist() == old.tolist()


@given(st.text(st.sampled_from("ab\n\r,\"x"), max_size=40), st.integers(1, 12))
def test_first_lines_as_split(text, n):
    from bertlab.data.files import _first_lines

    assert _first_lines(text, n) == text.split("\n", n)[:n]


def test_upload_bench_runs_and_agrees_with_the_old_code(tmp_path, capsys):
    """bench/upload_load.py on a small file: both versions measured in their own processes, the same results."""
    from bench import upload_load

    res = upload_load.main(["--rows", "300", "--repeats", "1", "--out", str(tmp_path / "r.json")])
    assert res["same_results"] and res["rows_kept"] > 250
    assert {g["bertlab"] for g in res["runs"]["new"]} == {str(upload_load.REPO / "bertlab")}
    assert json.loads((tmp_path / "r.json").read_text())["old"] == upload_load.BASELINE


def test_a_file_whose_split_column_is_looked_for_is_parsed_once_and_loads_as_before(tmp_path, monkeypatch):
    """The CLI and the API parsed a file once per launch only to find its split column (2.7-5.0 s on 98 MB), then
    again to load it: the load takes the table that look parsed (the same parse: the same bytes, name and read
    notes), and gives the golden rows, notes and split; a file changed in between is read again."""
    from bertlab.data import files

    path = tmp_path / "tricky.csv"
    path.write_bytes(b"exported from a spreadsheet\n\n" + tricky_csv(tricky_rows()))  # a title line: a read note
    reads = []
    real = files._read_table
    monkeypatch.setattr(files, "_read_table", lambda *a: reads.append(a[1]) or real(*a))
    assert files.split_column_of_file(path, {"text", "label"}) == "split"
    ds = load_file(path, "text", "label", split_column="split")
    assert reads == ["tricky.csv"]  # one parse for both
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))["split=split"]
    assert [ds.texts, ds.labels, ds.label_names, ds.parts] == [want["texts"], want["labels"], want["label_names"],
                                                                want["parts"]]
    assert any("line 3" in n for n in ds.notes), ds.notes  # the read's note about the title line, kept
    again = load_file(path, "text", "label", split_column="split")  # the held table was taken: parsed anew
    assert reads == ["tricky.csv"] * 2
    assert [ds.texts, ds.labels, ds.label_names, ds.row_ids, ds.parts, ds.notes] == [
        again.texts, again.labels, again.label_names, again.row_ids, again.parts, again.notes]
    # a file that changed after the look is read as it is now
    assert files.split_column_of_file(path, {"text", "label"}) == "split"
    path.write_bytes(tricky_csv(tricky_rows()[:40]))
    changed = load_file(path, "text", "label", split_column="split")
    assert len(reads) == 4 and len(changed.texts) < len(ds.texts)


def test_an_upload_parsed_to_pick_its_columns_is_not_parsed_again_to_load(tmp_path, monkeypatch):
    """The Data page parsed an upload to pick its columns, then the stored file again to load it: the load takes
    the table the page parsed (the same bytes under the same name), with the golden rows, notes and split."""
    from types import SimpleNamespace

    from app_pages import data as page
    from bertlab.data import files

    raw = tricky_csv(tricky_rows())
    reads = []
    real = files._read_table
    monkeypatch.setattr(files, "_read_table", lambda *a: reads.append(a[1]) or real(*a))
    path, got, guess = page._read_upload("golden-tag", "tricky.csv", SimpleNamespace(getvalue=lambda: raw))
    assert guess[:2] == ("text", "label") and "split" in got.split_columns
    ds = load_file(path, "text", "label", split_column="split")
    assert reads == ["tricky.csv"]  # one parse for both
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))["split=split"]
    assert [ds.texts, ds.labels, ds.label_names, ds.notes, ds.row_ids, ds.parts] == [
        want["texts"], want["labels"], want["label_names"], want["notes"], want["row_ids"], want["parts"]]
    load_file(path, "text", "label")  # other columns or split: parsed again, as before
    assert reads == ["tricky.csv"] * 2


def test_a_file_rewritten_at_the_same_size_after_its_look_is_read_as_it_is_now(tmp_path):
    """Mutation round 7: the held table is of one file version, its modification time among what names it: a file
    rewritten between the look and the load at the very same size (a label edited, 'pos' for 'neg') was loaded as
    it had been."""
    import os

    from bertlab.data import files

    path = tmp_path / "tricky.csv"
    rows = tricky_rows()
    path.write_bytes(tricky_csv(rows))
    assert files.split_column_of_file(path, {"text", "label"}) == "split"
    edited = [[t, "neg" if lab == "pos" else "pos" if lab == "neg" else lab, s] for t, lab, s in rows]
    assert edited != rows
    before = path.stat()
    path.write_bytes(tricky_csv(edited))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))  # a second later, whatever the clock says
    assert path.stat().st_size == before.st_size
    ds = load_file(path, "text", "label", split_column="split")
    fresh = load_file(path, "text", "label", split_column="split")  # nothing held: parsed from the file
    assert [ds.texts, ds.labels, ds.label_names] == [fresh.texts, fresh.labels, fresh.label_names]


def test_one_table_at_most_is_held_and_none_after_another_files_load(tmp_path):
    """Mutation round 7: a look at a second file lets the first's table go (one table at most is held, for
    memory: 98 MB files), and a load of another file lets go of what was held (that look's load is not coming)."""
    from bertlab.data import files

    paths = [tmp_path / f"{n}.csv" for n in ("a", "b", "c")]
    for i, p in enumerate(paths):
        p.write_bytes(tricky_csv(tricky_rows(seed=i)))
    files.split_column_of_file(paths[0], {"text", "label"})
    files.split_column_of_file(paths[1], {"text", "label"})
    assert [k[0] for k in files._HELD] == [str(paths[1].resolve())]
    load_file(paths[2], "text", "label", split_column="split")
    assert files._HELD == {}


def test_a_held_tables_timer_lets_go_of_its_own_table_only(tmp_path, monkeypatch):
    """Mutation round 7: the two-minute timer of a look lets go of the table that look held, not one a later look
    at the same file version held (the later look's load would parse the file again)."""
    from bertlab.data import files

    timers = []

    class Timer:  # held, not started: the test says when two minutes have passed
        def __init__(self, seconds, call):
            self.call, self.daemon = call, False
            timers.append(self)

        def start(self):
            pass

    monkeypatch.setattr(files.threading, "Timer", Timer)
    path = tmp_path / "tricky.csv"
    path.write_bytes(tricky_csv(tricky_rows()))
    files.split_column_of_file(path, {"text", "label"})
    files.split_column_of_file(path, {"text", "label"})  # looked at again: held anew
    timers[0].call()  # the first look's two minutes are up
    assert len(files._HELD) == 1
    timers[1].call()
    assert files._HELD == {}


def test_a_big_file_loaded_from_its_held_table_still_hands_its_memory_back(tmp_path, monkeypatch):
    """Mutation round 7: a load of a file of TRIM_AFTER_BYTES or more hands the freed heap back to the system after
    it (a 98 MB file's table and the cleaning's copies), the held table's load too: it has no bytes of its own to
    measure, and is big by the file's size."""
    from bertlab.data import files

    monkeypatch.setattr(files, "TRIM_AFTER_BYTES", 100_000)  # big, at a test's size
    path = tmp_path / "big.csv"
    path.write_bytes(tricky_csv(tricky_rows(n=3_000)))
    assert path.stat().st_size >= files.TRIM_AFTER_BYTES
    released = []
    monkeypatch.setattr(files, "release_free_heap", lambda: released.append(1))
    assert files.split_column_of_file(path, {"text", "label"}) == "split"
    released.clear()  # the look's own read may hand memory back: the load is what is checked
    load_file(path, "text", "label", split_column="split")
    assert files._HELD == {} and released  # loaded from the held table, and handed back
