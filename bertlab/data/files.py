"""Users' own files: CSV, TSV, JSONL/JSON, Parquet and Excel (.xlsx), with column detection.

Files are parsed from bytes in memory (never executed, never unpickled).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import itertools
import json
import math
import os
import re
import threading
import unicodedata
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from bertlab.config import upload_display_name
from bertlab.data.dataset import MAX_CLASSES, TextDataset, build_dataset, counted, part_of, quoted_start
from bertlab.errors import ColumnChoiceError, DataError
from bertlab.guard import guard_note, guard_undone, may_bear_guard
from bertlab.heap import release_free_heap
from bertlab.paths import data_home, dir_bytes, positive_int_env, safe_join
from bertlab.textpair import PAIR_SEP, join_pair

MAX_FILE_BYTES = 100 * 1024 * 1024
UPLOADS_LIMIT_ENV = "BERTLAB_MAX_UPLOADS_MB"
MAX_UPLOADS_MB = 2048  # all files kept under <data home>/uploads together, unless UPLOADS_LIMIT_ENV says otherwise
UNPACKED_XLSX_BYTES = 2 * 1024**3  # what a workbook may unpack to (its XML is ~10x the cells' text)
# a file this large or larger hands the parse's freed memory back to the OS once read (bertlab.heap): a 95 MB CSV
# left the app's server process 400 MB larger than the table it kept
TRIM_AFTER_BYTES = 2**20
SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".pq", ".xlsx")
TEXT_NAMES = ("text", "sentence", "review", "content", "document", "body", "tweet", "message", "comment",
              "utterance", "question", "title")
LABEL_NAMES = ("label", "labels", "category", "class", "sentiment", "target", "topic", "intent", "y",
               "emotion", "stance", "rating")
# The two texts of a pair task (paraphrase, entailment, similarity: GLUE's MRPC, RTE, QQP, QNLI, MNLI, STS-B, SNLI):
# their label says how the two relate, which one of them alone cannot show. Also any names alike but for a final
# 1 / 2 or a / b ('text_a', 'text_b').
PAIR_NAMES = (("sentence1", "sentence2"), ("premise", "hypothesis"), ("question1", "question2"),
              ("question", "sentence"), ("question", "passage"), ("question", "context"), ("query", "passage"))
SPLIT_NAMES = ("split", "set", "subset", "partition", "fold", "data_split", "dataset_split", "part")


def too_big_message(name: str, size: int) -> str:
    """The message for a file over :data:`MAX_FILE_BYTES` (size rounded up, so it always reads as over)."""
    mb = math.ceil(size * 10 / 2**20) / 10
    return (f"{name} is {mb:,.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit. Sample it down "
            "(a few thousand rows per class is plenty) and upload it again.")


def unsupported_message(name: str, suffix: str) -> str:
    """The message for a file type bertlab does not read."""
    hint = (" Save the sheet as .xlsx or export it as CSV (UTF-8) first." if suffix in (".xls", ".xlsm", ".ods", ".numbers")
            else "")
    return f"{name}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}.{hint}"


def _utf16_without_bom(raw: bytes, filename: str, notes: list[str]) -> str | None:
    """UTF-16 text saved without a byte-order mark. The high byte of each ASCII character (separators, newlines,
    digits) is NUL; the byte order with more NUL high bytes is tried first, and the decoded text must read as
    text: printable characters and line breaks, no NUL."""
    if len(raw) % 2:
        return None
    head = raw[:4000]
    orders = sorted((("utf-16-le", head[1::2].count(0)), ("utf-16-be", head[0::2].count(0))), key=lambda t: -t[1])
    for enc, zeros in orders:
        if not zeros:  # separators and line breaks are ASCII: a UTF-16 table has some NUL high bytes
            continue
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:2000]
        if "\x00" in text or "\n" not in text and "\r" not in text:
            continue
        if sum(ch.isprintable() or ch in "\t\r\n" for ch in sample) < 0.98 * len(sample):
            continue
        notes.append(f"{filename}: read as {enc.upper()} (it has no byte-order mark; save it as UTF-8 to be sure)")
        return text
    return None


def _mostly_utf8(raw: bytes) -> str | None:
    """The text, if ``raw`` is UTF-8 with a few broken bytes: its valid non-ASCII characters (accents, other
    scripts, emoji) far outnumber the broken sequences. A Windows-1252 or latin-1 file's accented letters are
    each a broken UTF-8 sequence, with hardly a valid one among them, so it is not read this way."""
    text = raw.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return text if good >= 10 * bad else None


MAX_CONTROL_SHARE = 0.05  # of a file's first characters: above it, bytes read as latin-1 are no text


def _control_share(text: str, sample: int = 65_536) -> float:
    """The share of control characters (other than tab and line breaks) among ``text``'s first ``sample``: random
    bytes read as latin-1 are about a quarter C0/C1 controls; a latin-1 or Windows-1252 table has next to none."""
    head = text[:sample]
    bad = sum(1 for ch in head if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f\v")
    return bad / len(head) if head else 0.0


def decode_text(raw: bytes, filename: str, notes: list[str]) -> str:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252/latin-1 with a note."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(
                f"{filename} starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                "(an odd number of bytes or a broken character: is it truncated?). Re-save it as UTF-8."
            ) from None
        notes.append(f"{filename}: read as UTF-16 (it starts with a UTF-16 byte-order mark)")
        return text
    if raw.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{filename} is a ZIP archive, not a text table (nor an Excel workbook, which is read as one): unzip it "
            "and upload the table inside."
        )
    if b"\x00" in raw[:65536]:
        text = _utf16_without_bom(raw, filename, notes)
        if text is not None:
            return text
        raise DataError(
            f"{filename} looks like a binary file, not text (it contains NUL bytes). "
            "Upload a CSV/TSV/JSONL text file or a Parquet file."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        pos = e.start
        if (text := _mostly_utf8(raw)) is not None:
            bad = text.count("\ufffd")
            notes.append(f"{filename} is UTF-8 with {bad:,} invalid byte sequence{'s' * (bad != 1)} (the first at "
                         f"offset {pos:,}); each became '\ufffd'. The rest reads as it was written.")
            return text
    else:
        if raw.startswith(b"\xef\xbb\xbf"):
            # Excel writes this mark; left in, it would glue itself to the first column's name.
            notes.append(f"{filename}: removed the UTF-8 byte-order mark at its start")
        return text
    for enc in ("cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if _control_share(text) > MAX_CONTROL_SHARE:
            # random or compressed bytes without a NUL (an image, a .docx's insides renamed .csv): latin-1 reads any
            # byte, and the 'table' then failed on its field counts ("line 17 has 3 fields but the header has 2")
            raise DataError(
                f"{filename} looks like a binary file, not text ({_control_share(text):.0%} of its first characters "
                "are control characters, which text hardly holds). Upload a CSV/TSV/JSONL text file or a Parquet "
                "file."
            )
        notes.append(
            f"{filename} is not valid UTF-8 (first bad byte at offset {pos}); read it as {enc}. "
            "Save it as UTF-8 if characters look wrong."
        )
        return text
    raise DataError(f"{filename}: cannot decode the text; save it as UTF-8.")  # pragma: no cover


def _parser_message(err: str, filename: str, sep: str) -> str:
    """Turn pandas' tokenizer error into a sentence that says which line and what to do."""
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(sep, repr(sep))
    if m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", err):
        want, line, saw = m.groups()
        return (f"{filename} line {line} has {saw} fields but the header has {want}. Put quotes around "
                f"texts that contain a {shown}, or fix that line.")
    if m := re.search(r"EOF inside string starting at row (\d+)", err):
        return (f"{filename} has a quote (\") opened near data row {m.group(1)} that is never closed. "
                "Close it, or double quotes inside quoted texts (\"\").")
    return f"{filename} is not a well-formed table ({err.strip()}). Check its separator and quotes."


def _first_lines(text: str, n: int) -> list[str]:
    """``text``'s first ``n`` lines (split at \\n), as ``text.split("\\n", n)[:n]`` gives them, without the copy of
    the rest of the text that made (a 200,000-row upload's 47 MB, twice a read: 0.1-0.2 s, and that much memory)."""
    end = -1
    for _ in range(n):
        if (end := text.find("\n", end + 1)) < 0:
            return text.split("\n")
    return text[:end].split("\n")


def _guess_separator(text: str) -> str:
    """The separator: the one candidate in the header line if there is exactly one, else csv.Sniffer's guess.

    The header decides first because texts are full of commas, semicolons and bars that fool the sniffer
    (a review with three ';' per line made it split "text,label" files on ';').
    """
    header = _first_lines(text.lstrip("\ufeff"), 1)[0]
    in_header = [d for d in ",\t;|" if d in header]
    if len(in_header) == 1:
        return in_header[0]
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters="".join(in_header) or ",\t;|").delimiter
    except csv.Error:
        return in_header[0] if in_header else ","


_LONE_CR = re.compile(r"\r(?!\n|\Z)")  # not before a line feed, nor the file's last character
_LONE_CR_HOLDER = "\ue000"  # a private-use character: no text in a table means it


def _csv_bytes(text: str) -> io.BytesIO:
    """``text`` as UTF-8 bytes for pandas to parse. An ``io.StringIO`` of it held four bytes a character (its
    buffer is UCS-4): a 95 MB CSV took 380 MB more while pandas read it (and reads a text handle as UTF-8 anyway)."""
    return io.BytesIO(text.encode("utf-8"))


_SEP_LINE = re.compile(r'"?sep=([^\r\n"])"?[ \t]*(?:\r\n|\n|\r)')


def _read_delimited(text: str, filename: str, sep: str | None, notes: list[str]) -> pd.DataFrame:
    if not text.strip():
        raise DataError(f"{filename} is empty: it has no header and no rows.")
    lone_cr = False
    n_cr = len(_LONE_CR.findall(text)) if "\r" in text and _LONE_CR_HOLDER not in text else 0
    if n_cr and text.count("\n") > n_cr:
        # Lines end at \n (or \r\n) here, so a lone \r sits inside a text (pasted from an old Mac or a form).
        # (Where lone \r outnumber line feeds, they are the line ends: an old Mac's "CSV (Macintosh)".)
        # pandas ended the row there: half a text without its label, the other half a row of its own. It is
        # held as another character while pandas reads, then put back: quoted or not, the text keeps it.
        text, lone_cr = _LONE_CR.sub(_LONE_CR_HOLDER, text), True
        notes.append(f"{filename}: {n_cr:,} carriage return{'s' * (n_cr > 1)} (\\r) inside lines kept as part of "
                     "their text (a line ends at \\n)")
    elif n_cr:
        # Lines end at \r alone (an old Mac's "CSV (Macintosh)"): read as lines ending at \n, as pandas reads them
        # anyway. The title above the column names was not looked for (the file was one line to the search) and
        # became the header: "its rows have more fields than its header (1 names: Survey export 2024)".
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if hint := _SEP_LINE.match(text):  # Excel's "sep=;" line: the separator, not a row (it was read as the header)
        sep, text = hint.group(1), text[hint.end():]
        notes.append(f"{filename}: its first line, {hint.group(0).strip()!r}, names the separator (as Excel "
                     "writes it): read as that, not as a row")
    if sep is None:
        sep = _guess_separator(text)
    head = [line[:10_000] for line in _first_lines(text, 11)]
    try:  # (lines ending at \r alone end at \n by now, above)
        rows = [next(csv.reader([line], delimiter=sep), []) for line in head]
    except csv.Error:
        rows = []
    if (r := _header_row_below(rows)) > 0:
        notes.append(_title_note(filename, r, [c for c in rows[r] if c.strip()]))
        text = text.split("\n", r)[r]
    try:
        # Only empty cells and str(NaN) are missing: "None", "NA", "null" are real labels (and texts) in practice.
        df = pd.read_csv(_csv_bytes(text), encoding="utf-8", sep=sep, dtype=object, keep_default_na=False,
                         na_values=["", "nan", "NaN"], skip_blank_lines=True, engine="c")
    except pd.errors.ParserError as e:
        raise DataError(_parser_message(str(e), filename, sep)) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{filename} is empty: it has no header and no rows.") from None
    if not isinstance(df.index, pd.RangeIndex):
        # pandas silently turns the first field into an index when every row has more fields than the header.
        raise DataError(
            f"{filename}: its rows have more fields than its header ({len(df.columns)} names: "
            f"{', '.join(map(str, df.columns))}). Add the missing column names to the header, "
            "or quote fields that contain the separator."
        )
    if df.empty:
        raise DataError(f"{filename} has a header ({', '.join(map(str, df.columns))}) but no data rows.")
    header = [str(c).strip() for c in df.columns]
    again = _repeats_header(df, header, text)
    if again.any():  # two files joined with `cat`: the second's header line is no example (a class of its name)
        df = df[~again].reset_index(drop=True)
        notes.append(f"{filename}: dropped {int(again.sum()):,} row{'s' * (int(again.sum()) > 1)} repeating the "
                     "header line (files joined together?)")
    elif (value := _header_is_data(df)) is not None:
        # a file with no header line (a .txt of "text<TAB>label" lines): its first row became the column names,
        # a sentence and a class, and was lost from the data without a word
        df = pd.read_csv(_csv_bytes(text), encoding="utf-8", sep=sep, dtype=object, keep_default_na=False,
                         na_values=["", "nan", "NaN"], skip_blank_lines=True, engine="c", header=None)
        df.columns = [f"column {i}" for i in range(1, len(df.columns) + 1)]
        notes.append(f"{filename} has no header line: its first line is a row of data ({value!r} is a value of its "
                     f"column in other rows too), so it is read as one, and the columns are named "
                     f"{', '.join(df.columns)}; a first line of column names (e.g. text,label) names them")
    elif any(re.search(r"\.\d+$", str(c)) for c in df.columns):  # pandas' name for a repeated one: was it?
        df = _repeated_names(df, filename, notes, _header_row(text, sep))
    if lone_cr:
        df = df.map(lambda v: v.replace(_LONE_CR_HOLDER, "\r") if isinstance(v, str) else v)
        df.columns = [c.replace(_LONE_CR_HOLDER, "\r") if isinstance(c, str) else c for c in df.columns]
    return _r_missing(df, filename, notes)


def _r_missing(df: pd.DataFrame, filename: str, notes: list[str]) -> pd.DataFrame:
    """``df`` with its ``NA`` cells missing where a column of numbers holds them: the file writes its missing values
    as R's ``write.csv`` does (a survey's satisfaction 1-5 with ``NA`` for no answer), and each ``NA`` had been read
    as a value, the label column's class ``NA`` beside 1-5, the text column's answer ``NA``. Elsewhere ``NA`` stays a
    value (a label, a text), as a file of words may mean it."""
    marked = []
    for col in df.columns:
        s = df[col]
        na = s.eq("NA")
        if not na.any():
            continue
        rest = s[~na].dropna()
        if len(rest) and pd.to_numeric(rest.astype(str).str.strip(), errors="coerce").notna().all():
            marked.append(col)
    if not marked:
        return df
    cells = df.eq("NA")
    n = int(cells.to_numpy().sum())
    notes.append(f"{filename}: read its {n:,} NA cell{'s' * (n > 1)} as missing values (its column"
                 f"{'s' * (len(marked) > 1)} of numbers {', '.join(map(repr, marked))} write"
                 f"{'s' * (len(marked) == 1)} them so, as R does), in every column")
    return df.mask(cells)


def _repeats_header(df: pd.DataFrame, header: list[str], text: str | None = None) -> pd.Series:
    """Whether each row of ``df`` repeats ``header`` (each cell, its spaces stripped, the column's name), as a
    boolean Series on ``df``'s index. Looked for column by column among the rows still matching, and a cell only
    stripped where it holds the name: stripping and comparing every cell (``df.map``) took 0.35-0.8 s of reading
    a 200,000-row upload, 2 to 5 times the parse itself. ``text``: the delimited text ``df`` was parsed from; a
    cell is written in it as it is (or, quoted, with its quotes doubled), so where a name free of quotes and line
    breaks is nowhere in it after its first line, no row repeats the header, and no cell is looked at."""
    none = pd.Series(np.zeros(len(df), dtype=bool), index=df.index)
    if text is not None and all(h and not any(c in h for c in '"\r\n') for h in header):
        start = text.find("\n") + 1  # (no line break: from the start, the header line included, so it is found)
        if any(text.find(h, start) < 0 for h in header):
            return none
    rows = range(len(df))
    for i, name in enumerate(header):
        col = df.iloc[:, i].to_numpy()
        rows = [r for r in rows if isinstance(v := col[r], str) and name in v and v.strip() == name]
        if not rows:
            break
    again = none.copy()
    again.iloc[list(rows)] = True
    return again


def _header_row(text: str, sep: str) -> list[str]:
    """The first record of a delimited ``text``, its names as written (pandas renames a repeated one)."""
    return next(csv.reader(text[:1_000_000].splitlines(keepends=True), delimiter=sep), [])


def _repeated_names(df: pd.DataFrame, filename: str, notes: list[str], header: list | None = None) -> pd.DataFrame:
    """``df`` with each column named once, and a note for every name the file's ``header`` (default: ``df``'s own
    columns) gave to several columns. pandas' CSV and Excel readers rename the second 'text' to 'text.1' without
    a word, and a JSON table kept both, which then broke the load (a column lookup got two columns)."""
    header = [str(c) for c in (list(df.columns) if header is None else header)]
    repeated = [n for n in dict.fromkeys(header) if header.count(n) > 1]
    if not repeated:
        return df
    if df.columns.duplicated().any():  # kept as they are: named as pandas' readers name them (text, text.1...)
        names: list[str] = []
        for c in map(str, df.columns):
            new, k = c, 0
            while new in names or (new != c and new in set(map(str, df.columns))):
                k += 1
                new = f"{c}.{k}"
            names.append(new)
        df = df.set_axis(names, axis=1)
    # the names the repeated header cells got, by position (a file's own 'text.1' beside two 'text' is no copy of
    # them: 'text,text,text.1' was said "3 columns ... read as 'text', 'text.2', 'text.1'" of 2)
    at = list(map(str, df.columns)) if len(header) == len(df.columns) else None
    for n in repeated:
        got = ([c for c, h in zip(at, header) if h == n] if at is not None else
               [str(c) for c in df.columns if str(c) == n or re.fullmatch(re.escape(n) + r"\.\d+", str(c))])
        notes.append(f"{filename} has {header.count(n)} columns named {n!r}: read as {', '.join(map(repr, got))}, in "
                     "the file's order; choose the one you mean with the column pickers (--text-column / "
                     "--label-column), or give them different names in the file")
    return df


def _header_row_below(rows: list[list]) -> int:
    """Where a table's column names are, counted from its first row: 0 where the first row can be them, else the
    first of the next ten rows with two filled cells or more, one of them a text's or a label's name ('review',
    'sentiment'), below rows of one cell at most: a report's title and blank lines above the header, as an Excel
    export has them. Those were read as the header (a text column named 'Survey export 2024', the real names a row).
    (A first row of two cells or more is the header: ',text,label', pandas' index unnamed, is not a title.)"""
    known = set(TEXT_NAMES) | set(LABEL_NAMES)

    def filled(row: list) -> list[str]:
        return [str(v).strip() for v in row if v is not None and not (isinstance(v, float) and math.isnan(v))
                and str(v).strip()]

    counts = [len(filled(r)) for r in rows[:11]]
    for r in range(1, len(counts)):
        cells = filled(rows[r])
        if max(counts[:r]) > 1:
            return 0
        if counts[r] >= 2 and any(c.lower() in known for c in cells):
            return r
    return 0


def _title_note(filename: str, r: int, names: list, line: str = "line") -> str:
    return (f"{filename}: its column names ({', '.join(map(str, names))}) are on {line} {r + 1}; the "
            f"{counted(r, line)} above them (a title?) {'was' if r == 1 else 'were'} skipped")


def _header_is_data(df: pd.DataFrame) -> str | None:
    """The first line's cell that shows it is a row of data, not column names, or None: no name is one a header
    would have (text, label, an id...), and some column of a few repeated values (a label's) has its name among its
    values ("negative" over a column of positive and negative)."""
    known = set(TEXT_NAMES) | set(LABEL_NAMES) | set(SPLIT_NAMES) | ID_WORDS
    if any(_name_tokens(c) & known and len(_name_tokens(c)) <= 3 for c in df.columns):  # a name, not a sentence
        return None
    for c in df.columns:
        if not isinstance(c, str) or not c.strip() or c.startswith("Unnamed: "):  # pandas' name for an empty cell
            continue
        vals = df[c].dropna().map(lambda v: v.strip() if isinstance(v, str) else v)
        if 2 <= vals.nunique() <= min(MAX_CLASSES, len(vals) / 2) and c.strip() in set(vals):
            return c.strip()
    return None


def _read_jsonl(text: str, filename: str) -> pd.DataFrame:
    rows = []
    # Split on "\n" only: str.splitlines() also breaks at U+2028, \x85 etc., which JSON strings may hold raw.
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{filename} line {n} is not valid JSON ({e.msg}); fix or remove that line.") from None
        except RecursionError:
            raise DataError(f"{filename} line {n} is nested too deeply to be a table row.") from None
        if not isinstance(obj, dict):
            raise DataError(f"{filename} line {n} is not a JSON object; each line must be like {{\"text\": ..., \"label\": ...}}.")
        rows.append(obj)
    if not rows:
        raise DataError(f"{filename} is empty: it has no JSON lines.")
    return pd.DataFrame(rows)


def _read_json(text: str, filename: str) -> pd.DataFrame:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if "\n{" in text.strip():  # really JSON Lines with a .json name
            return _read_jsonl(text, filename)
        raise DataError(f"{filename} is not valid JSON (line {e.lineno}: {e.msg}).") from None
    except RecursionError:
        raise DataError(f"{filename} is nested too deeply to be a table; expected a list of objects.") from None
    if isinstance(obj, dict) and {"columns", "data"} <= set(obj) and isinstance(obj["data"], list):
        try:  # pandas' to_json(orient="split")
            return pd.DataFrame(obj["data"], columns=obj["columns"])
        except (ValueError, TypeError):
            pass
    if isinstance(obj, dict) and obj and all(isinstance(v, dict) for v in obj.values()):
        # pandas' to_json() default, {"text": {"0": ..., "1": ...}, "label": {...}}, or orient="index",
        # {"0": {"text": ..., "label": ...}, ...}: the side whose keys are all row numbers is the index; where
        # neither or both are, the side with fewer keys holds the column names.
        inner = next(iter(obj.values()))
        outer_rows, inner_rows = (all(str(k).lstrip("-").isdigit() for k in keys) for keys in (obj, inner))
        by_rows = outer_rows if outer_rows != inner_rows else len(obj) > len(inner)
        return pd.DataFrame.from_dict(obj, orient="index" if by_rows else "columns")
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list)]
        records = [v for v in lists if v and all(isinstance(r, dict) for r in v)]
        if len(records) == 1:  # {"data": [{"text": ..., "label": ...}, ...]}
            return pd.DataFrame(records[0])
        if all(isinstance(v, list) for v in obj.values()) and obj:
            try:
                return pd.DataFrame(obj)  # column-oriented {"text": [...], "label": [...]}
            except ValueError:
                pass
        if len(lists) == 1:
            obj = lists[0]
    if not isinstance(obj, list) or not obj or not all(isinstance(r, dict) for r in obj):
        raise DataError(f"{filename}: expected a JSON list of objects like [{{\"text\": ..., \"label\": ...}}], or "
                        "columns like {\"text\": [...], \"label\": [...]} (pandas: to_json(orient=\"records\") or "
                        "the default to_json()); rows without column names cannot be read.")
    return pd.DataFrame(obj)


def _read_parquet(raw: bytes, filename: str, notes: list[str] | None = None) -> pd.DataFrame:
    """The table, its rows numbered from 0 as they are stored: pandas writes a frame's index into the file (a
    filtered frame's 2, 3, 5...; an id set as the index), which would otherwise number the rows. A named index
    becomes a column (an id kept there is found as the id column). Two columns of one name (pyarrow writes them)
    are read as the CSV reader reads them, 'text' and 'text.1', with a note in ``notes``."""
    try:
        df = pd.read_parquet(io.BytesIO(raw))
    except Exception as e:  # pyarrow raises several unrelated types for a bad file
        if (df := _parquet_repeated_names(raw)) is not None:  # "Multiple matches for FieldRef.Name(text)"
            if df.empty:  # as a file of unique names and no rows is said to be (it was "not a readable Parquet file")
                raise DataError(f"{filename} has columns ({', '.join(map(str, df.columns))}) but no data rows.") \
                    from None
            return _repeated_names(df, filename, notes if notes is not None else [])
        detail = str(e).splitlines()[0][:200] if str(e) else ""
        raise DataError(
            f"{filename} is not a readable Parquet file ({type(e).__name__}: {detail}). It may be truncated "
            "or another format: re-save it with pandas DataFrame.to_parquet, or upload a CSV."
        ) from None
    if df.empty:
        raise DataError(f"{filename} has columns ({', '.join(map(str, df.columns)) or 'none'}) but no data rows.")
    df = _uncategorised(df)
    names = [n for n in df.index.names if n is not None]
    keep = bool(names) and len(names) == df.index.nlevels and not set(map(str, names)) & set(map(str, df.columns))
    return df.reset_index(drop=not keep)


def _parquet_repeated_names(raw: bytes) -> pd.DataFrame | None:
    """The table of a Parquet file that gives one name to several columns, read column by column (pandas' reader
    looks columns up by name and fails: "Multiple matches for FieldRef.Name(text)", which was said as a file
    "truncated or another format"); None where it is not such a file or cannot be read so either."""
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(io.BytesIO(raw)).read()
        names = [str(n) for n in table.column_names]
        if len(set(names)) == len(names):
            return None
        df = pd.DataFrame({i: table.column(i).to_pandas() for i in range(table.num_columns)})
    except Exception:  # noqa: BLE001 (pyarrow raises several unrelated types for a bad file: the caller says so)
        return None
    df.columns = names
    return _uncategorised(df)


def _uncategorised(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its categorical columns (a pandas frame's ``category`` columns, kept as such in its Parquet file)
    as plain values, as a CSV's are read: a column of one category (``lang``, 'en' in every row) failed the text
    column's detection with "TypeError: 'Categorical' with dtype category does not support operation 'mean'"."""
    cats = [i for i, t in enumerate(df.dtypes) if isinstance(t, pd.CategoricalDtype)]  # by place: names may repeat
    if not cats:
        return df
    df = df.copy(deep=False)
    for i in cats:
        df.isetitem(i, df.iloc[:, i].astype(object))
    return df


def _is_workbook(raw: bytes) -> bool:
    """Whether ``raw`` is an .xlsx workbook: a ZIP archive holding xl/workbook.xml."""
    import zipfile

    if not raw.startswith(b"PK\x03\x04"):
        return False
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _read_xlsx(raw: bytes, filename: str, notes: list[str]) -> pd.DataFrame:
    """The first sheet with any cells of an Excel workbook (read with openpyxl: cell values only, no formulas run,
    no macros), with a note naming the other sheets."""
    import zipfile

    if raw.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 container: a password-protected workbook, or an old .xls
        raise DataError(f"{filename} is a password-protected workbook or an old .xls saved under .xlsx: open it in "
                        "Excel, remove the password and save it as .xlsx, or export the sheet as CSV (UTF-8).")
    if not raw.startswith(b"PK\x03\x04"):
        raise DataError(f"{filename} is not an Excel .xlsx workbook (an .xlsx file is a ZIP archive). If it is a "
                        "text table renamed, give it its real extension (.csv, .tsv...), or re-save it from Excel.")
    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = 0  # reading it below says what is wrong
    if unpacked > UNPACKED_XLSX_BYTES:  # a small file that unpacks to gigabytes of XML would exhaust the memory
        raise DataError(f"{filename} unpacks to {unpacked / 2**30:,.1f} GB, over the {UNPACKED_XLSX_BYTES // 2**30} GB "
                        "bertlab reads from a workbook. Export the sheet as CSV (UTF-8), or sample it down.")
    try:
        book = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl")
        sheets = list(book.sheet_names)
        # The first sheet that can hold a dataset (two columns with values, one of them repeating a value as a
        # label column does: each class needs several examples), else the first of two columns, else the first with
        # any cells: a workbook opening on a notes, readme or codebook sheet (one column, or 'variable' and
        # 'description' with a row each) has its data further on.
        first = wide = None
        for sheet in sheets:
            df = book.parse(sheet)
            if not df.empty or len(df.columns):
                first = first or (sheet, df)
                values = df.dropna(how="all").dropna(axis=1, how="all")
                if values.shape[1] >= 2:
                    wide = wide or (sheet, df)
                    if any(values[c].dropna().astype(str).duplicated().any() for c in values.columns):
                        break
        else:
            if first is None:
                raise DataError(f"{filename}: every sheet ({', '.join(map(repr, sheets)) or 'none'}) is empty.")
            sheet, df = wide or first
    except DataError:
        raise
    except Exception as e:  # openpyxl and zipfile raise several unrelated types for a bad file
        detail = str(e).splitlines()[0][:200] if str(e) else ""
        raise DataError(f"{filename} is not a readable .xlsx workbook ({type(e).__name__}: {detail}). It may be "
                        "truncated: re-save it from Excel, or export the sheet as CSV (UTF-8).") from None
    top = book.parse(sheet, header=None, nrows=11).values.tolist()
    # the row of column names as written (pandas renames a repeated one 'text.1'): the first, or the one below a title
    r = _header_row_below(top)
    header = [v for v in (top[r] if len(top) > r else []) if not pd.isna(v)]
    if r > 0:
        df = book.parse(sheet, header=r)
        notes.append(_title_note(filename, r, header, "row"))
    if len(sheets) > 1:
        others = [x for x in sheets if x != sheet]
        notes.append(f"{filename}: read the sheet {sheet!r}; the workbook also has {', '.join(map(repr, others))} "
                     "(to use another sheet, save it as a workbook or CSV of its own)")
    if df.dropna(how="all").empty:  # a header row alone: its names vanish below with the empty columns
        where = f" (sheet {sheet!r})" if len(sheets) > 1 else ""
        raise DataError(f"{filename}{where} has a header ({', '.join(map(str, df.columns))}) but no data rows.")
    # Excel's blank rows and columns come back as all-empty: dropped, as a CSV export would not have them.
    df = df.dropna(how="all").dropna(axis=1, how="all")
    if any(re.search(r"\.\d+$", str(c)) for c in df.columns):  # pandas' name for a repeated one: was it?
        df = _repeated_names(df, filename, notes, header)
    return df


def read_table(raw: bytes, filename: str, notes: list[str] | None = None) -> pd.DataFrame:
    """Parse an uploaded file's bytes into a DataFrame, choosing the reader by extension.

    Raises:
        DataError: empty, too large, binary, undecodable or malformed file.
    """
    try:
        return _read_table(raw, filename, notes)
    finally:  # its decoded text and the parser's buffers, freed by now: glibc kept them for the process
        if len(raw) >= TRIM_AFTER_BYTES:
            release_free_heap()


def _read_table(raw: bytes, filename: str, notes: list[str] | None) -> pd.DataFrame:
    notes = notes if notes is not None else []
    name = Path(filename).name or "file"
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(too_big_message(name, len(raw)))
    if not raw:
        raise DataError(f"{name} is empty (0 bytes).")
    suffix = Path(name).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _read_parquet(raw, name, notes)
    if suffix == ".xlsx":
        return _read_xlsx(raw, name, notes)
    if suffix in TOKEN_SUFFIXES:  # CoNLL's: said to be token-level where it reads so, else unsupported as before
        try:
            token_level = token_level_message(decode_text(raw, name, []), name)
        except DataError:  # not text
            token_level = None
        if token_level is not None:
            raise DataError(token_level)
    if suffix not in SUFFIXES:
        raise DataError(unsupported_message(name, suffix))
    if raw[:4] == b"PAR1":
        return _read_parquet(raw, name, notes)
    if _is_workbook(raw):
        notes.append(f"{name} is an Excel workbook under another extension: read it as one")
        return _read_xlsx(raw, name, notes)
    text = decode_text(raw, name, notes)
    if suffix in (".csv", ".tsv", ".txt") and (token_level := token_level_message(text, name)) is not None:
        raise DataError(token_level)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(text, name)
    if suffix == ".json":  # pandas' to_json(orient="split") keeps a name given to two columns
        return _repeated_names(_read_json(text, name), name, notes)
    return _read_delimited(text, name, "\t" if suffix == ".tsv" else None, notes)


TOKEN_SUFFIXES = (".conll", ".iob", ".bio")  # token-level (NER) files' own extensions: refused saying what they are
# a token's tag in the IOB / BIOES schemes of NER files (CoNLL-2003, WikiANN, OntoNotes): O, or B-PER, I-LOC, ...
_TOKEN_TAG = re.compile(r"(?:O|[BIESLU]-[A-Za-z][\w.-]*)")
TOKEN_LINES_READ = 5000  # the lines a file's start is judged on: enough for a few hundred sentences


def token_level_message(text: str, name: str) -> str | None:
    """The refusal of a token-level (NER) file: one token a line with its tag last (B-PER, I-LOC, O; CoNLL-2003's
    POS and chunk columns between them), blank lines between sentences, as a .conll file, a token/tag TSV or a
    space-separated CoNLL .txt holds; None for any other text. Read whole, such a file was a table of two columns
    that 'all look like text', or one column of 'token tag' strings with 'no label column found'. Judged on its
    first :data:`TOKEN_LINES_READ` lines: 90% or more of the lines with anything on them (a header and
    ``-DOCSTART-`` lines aside) a single token and a tag, some tag a B- or I- one, and a blank line between two
    sentences at least twice."""
    lines = [ln.rstrip("\r\n") for ln in itertools.islice(io.StringIO(text), TOKEN_LINES_READ)]
    filled = [ln.split() for ln in lines if ln.strip() and not ln.startswith("-DOCSTART-")]
    blanks = sum(1 for a, b in zip(lines, lines[1:]) if not a.strip() and b.strip())
    if len(filled) < 20 or blanks < 2:
        return None
    tags = [f[-1] for f in filled if 2 <= len(f) <= 5 and _TOKEN_TAG.fullmatch(f[-1])]
    if len(tags) < 0.9 * len(filled) or not any(t != "O" for t in tags):
        return None
    kinds = sorted({t for t in tags if t != "O"}, key=lambda t: (t[0] != "B", t[2:]))[:3]  # B-LOC, B-ORG, B-PER
    # "866 of 866 lines read" read as how much of the file was read, not how many lines end in a tag
    said = ", ".join(map(repr, kinds)) + " or 'O'"
    return (f"{name} looks like a token-level (NER) file: one token per line with its tag ({len(tags):,} of the "
            f"{len(filled):,} non-blank lines read end in a tag such as {said}), blank lines between "
            f"sentences. {TOKEN_LEVEL_ADVICE}")


# what a token-level file or table is told to do instead (token_level_message, token_columns_message)
TOKEN_LEVEL_ADVICE = ("bertlab classifies whole texts, one label per text; it does not tag each token. Choose a "
                      "file of one text and its label per row (a sentence or document classification), or a "
                      "token-classification tool for this one.")


def token_columns_message(df: pd.DataFrame, nested: list) -> str | None:
    """The refusal of a token-level (NER) table, as a JSONL or Parquet file or a hub dataset holds one (CoNLL-2003,
    WikiANN: ``tokens`` beside ``ner_tags``): a nested column of lists of strings, and another of lists as long in
    90% of rows or more (a tag for each token); None otherwise. Such a table was told to 'flatten them into plain
    text and label columns first', which makes no classification dataset of it."""
    lists = {c: df[c].dropna() for c in nested}
    lists = {c: v for c, v in lists.items() if len(v) and v.map(lambda x: isinstance(x, (list, tuple))
                                                               or type(x).__name__ == "ndarray").all()}
    for tok, toks in lists.items():
        if not toks.map(lambda x: all(isinstance(t, str) for t in x)).all():
            continue
        for tag, tags in lists.items():
            if tag == tok:
                continue
            both = toks.index.intersection(tags.index)
            same = sum(len(toks[i]) == len(tags[i]) > 0 for i in both)
            if len(both) and same >= 0.9 * len(both):
                return (f"columns {tok!r} and {tag!r} hold a token-level (NER) dataset: each row a list of tokens "
                        f"with a tag for each ({same:,} of {len(both):,} rows). {TOKEN_LEVEL_ADVICE}")
    return None


def _pick(df: pd.DataFrame, names: tuple[str, ...], exclude: set[str]) -> str | None:
    lower = {str(c).strip().lower(): c for c in df.columns if c not in exclude}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _name_tokens(col: object) -> set[str]:
    """'feedback_text' / 'reviewBody' / 'Comment Text' -> their words, lower case."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(col))
    return {t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t}


NOT_TEXT_WORDS = {"id", "ids", "url", "uri", "link", "key", "type", "date", "time", "count", "code", "number", "num",
                  "hash", "uuid"}


def _pick_by_word(lengths: dict[str, float]) -> str | None:
    """Among text-like columns (``lengths``: their mean lengths), the one whose name holds a text word
    ('feedback_text', 'review_body') and no label or identifier word ('label_text' names a label, 'comment_id' an
    id), and whose values are about as long as the longest ('product_title' beside a 'description' is not the text);
    None where none or several are."""
    longest = max(lengths.values(), default=0.0)
    found = [c for c, n in lengths.items() if _name_tokens(c) & set(TEXT_NAMES) and n >= 0.5 * longest
             and not _name_tokens(c) & (set(LABEL_NAMES) | NOT_TEXT_WORDS)]
    return found[0] if len(found) == 1 else None


def _varied(s: pd.Series) -> bool:
    """Whether a column's values are mostly distinct, as texts are (a templated notes column with 21 values in
    54,000 rows is not the text). Short columns pass: 30 rows say little."""
    vals = s.dropna()
    return len(vals) < 50 or vals.astype(str).nunique() >= 0.2 * len(vals)


def _is_nested(v: object) -> bool:
    return isinstance(v, (list, dict, tuple, np.ndarray))


def _is_stringy(s: pd.Series) -> bool:
    """Mostly strings, and not numbers written as strings (CSV columns are read as strings)."""
    vals = s.dropna()
    if len(vals) == 0 or vals.map(lambda v: isinstance(v, str)).mean() <= 0.9:
        return False
    return pd.to_numeric(vals.head(1000), errors="coerce").notna().mean() <= 0.9


def _nested_columns(df: pd.DataFrame) -> list[str]:
    """Columns holding lists or dicts anywhere (not only in their first rows: those are unhashable)."""
    return [c for c in df.columns if df[c].dtype == object and df[c].dropna().map(_is_nested).any()]


def detect_split_column(df: pd.DataFrame, exclude: set[str] = frozenset()) -> str | None:
    """A column holding the file's own split: named like one (``split``, ``set``, ``fold``...), with a few distinct
    values, some of them naming a part (train, validation or test; see
    :data:`bertlab.data.dataset.PART_NAMES`), and test among them or a value naming no part; None where there is
    none.

    A value naming no part (``eval``, ``holdout``: the file's test rows, perhaps) does not hide the column: loading
    it then refuses with the values listed (and the way to draw the split instead), where ignoring it would quietly
    draw a test set from rows the file holds out, and train on its test rows. Only train and validation rows
    (nothing held out to test on) are passed over: the test set is drawn, as before. A column of one value, test,
    beside empty cells is found too: the file marks its held-out test rows, and the empty ones are trained on."""
    for c in df.columns:
        if str(c) in exclude or str(c).strip().lower() not in SPLIT_NAMES or df[c].dropna().map(_is_nested).any():
            continue
        vals = set(df[c].dropna().astype(str).str.strip().unique()[:MAX_SPLIT_VALUES + 1].tolist()) - {""}
        named = {part_of(v) for v in vals}
        found = named - {None}
        if found and ("test" in found or None in named) and 1 < len(vals) <= MAX_SPLIT_VALUES:
            return str(c)
        # one value, test, beside empty cells: the file marks its held-out test rows, and trains on the rest
        if found == {"test"} and len(vals) == 1 and (df[c].isna().any() or (df[c].astype(str).str.strip() == "").any()):
            return str(c)
    return None


MAX_SPLIT_VALUES = 10  # a split column names a few parts: a 'set' column of 40 values is something else


ID_WORDS = {"id", "ids", "idx", "uuid", "guid", "key"}


def detect_id_column(df: pd.DataFrame, exclude: set[str] = frozenset()) -> str | None:
    """A column naming each row: an identifier word in its name (``id``, ``ticket_id``, ``reviewId``, ``idx``,
    ``uuid``...) and a value in every row, no two alike; None where there is none (then rows go by number)."""
    for c in df.columns:
        if str(c) in exclude or not _name_tokens(c) & ID_WORDS:
            continue
        col = df[c]
        if col.isna().any() or col.map(_is_nested).any():
            continue
        if col.astype(str).str.strip().nunique() == len(col):
            return str(c)
    return None


def split_column_of_file(path: str | Path, exclude: set[str | None] = frozenset()) -> str | None:
    """:func:`detect_split_column` of a file on disk, leaving out the columns ``exclude`` (the text and label
    columns given); None where it has none or cannot be read (loading it then says why)."""
    path = Path(path)
    notes: list[str] = []
    try:
        if path.is_dir():  # a dataset's folder: its files' parts, where it has a test part
            found = {p for p, _ in folder_parts(path)}
            return FOLDER_SPLIT if {"train", "test"} <= found else None
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        key = _version(path)
        df = read_table(path.read_bytes(), upload_display_name(path.name), notes)
    except (DataError, OSError):
        return None
    _hold(key, df, notes)
    return detect_split_column(df.set_axis([str(c) for c in df.columns], axis=1), {c for c in exclude if c})


# The table :func:`split_column_of_file` parsed last, and the notes its reading gave, for the :func:`load_file` of
# the same file version that follows it in the same process (the CLI's `run`, the API's launch: the split column
# is looked for before the run loads the file, and both parsed it, 2.7-5.0 s each for 98 MB; the Data page's
# upload, :func:`hold_table`, parsed to pick its columns). Taken by that load,
# or replaced by the next file looked at, or let go after HOLD_SECONDS (the API's data_config alone loads nothing):
# one table at most is held, for two minutes at most.
HOLD_SECONDS = 120.0
_HELD: dict = {}
_HELD_LOCK = threading.Lock()


def _version(path: Path) -> tuple[str, int, int]:
    """Which file version ``path`` is: its resolved path, size and modification time."""
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _hold(key: tuple, df: pd.DataFrame, notes: list[str]) -> None:
    held = (df, list(notes))
    with _HELD_LOCK:
        _HELD.clear()
        _HELD[key] = held

    def drop() -> None:
        with _HELD_LOCK:
            if _HELD.get(key) is held:
                del _HELD[key]

    timer = threading.Timer(HOLD_SECONDS, drop)
    timer.daemon = True
    timer.start()


def hold_table(path: str | Path, name: str, df: pd.DataFrame, notes: list[str]) -> None:
    """Keep ``df``, the table :func:`read_table` parsed from the bytes now stored at ``path`` under the file name
    ``name`` (and the notes it gave), for the :func:`load_file` of that file that follows: the Data page parsed an
    upload to pick its columns, then parsed it again to load it. Nothing is kept where the load would read it under
    another name (its messages name the file as :func:`~bertlab.config.upload_display_name` shows it)."""
    path = Path(path)
    if upload_display_name(path.name) != name:
        return
    try:
        _hold(_version(path), df, notes)
    except OSError:
        pass


def _head(path: Path) -> bytes:
    """The first four bytes of the file at ``path`` (b"" where it cannot be read)."""
    try:
        with path.open("rb") as f:
            return f.read(4)
    except OSError:
        return b""


def _take_held(path: Path) -> tuple[pd.DataFrame, list[str]] | None:
    """The table held for ``path`` as it is now (and its read notes), let go by the holder; None where none is."""
    try:
        key = _version(path)
    except OSError:
        return None
    with _HELD_LOCK:
        held = _HELD.pop(key, None)
        _HELD.clear()  # another file's: its load is not coming next
    return held


def pair_partner(df: pd.DataFrame, text: str) -> str | None:
    """The other half of a text pair that ``text`` belongs to (``sentence2`` beside ``sentence1``, ``hypothesis``
    beside ``premise``; see :data:`PAIR_NAMES`), where ``df`` holds it as a column of strings; None otherwise."""
    lower = {str(c).strip().lower(): str(c) for c in df.columns if str(c) != str(text)}
    t = str(text).strip().lower()
    names = [b for a, b in PAIR_NAMES if a == t] + [a for a, b in PAIR_NAMES if b == t]
    named = len(names)
    if m := re.fullmatch(r"(.+?)([ _-]?)([12ab])", t):
        stem, sep, end = m.groups()
        names.append(stem + sep + {"1": "2", "2": "1", "a": "b", "b": "a"}[end])
    for k, n in enumerate(names):  # texts, mostly distinct: not a label beside them ('column 2' of a file without a
        # header); a pair task's own names may repeat a text (MNLI writes each premise with three hypotheses)
        if n in lower and _is_stringy(col := df[lower[n]]) and col.dropna().astype(str).nunique() >= max(
                3, (0.2 if k < named else 0.5) * col.notna().sum()):
            return lower[n]
    return None


def _named_pair(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are a pair of :data:`PAIR_NAMES` (``premise`` and ``hypothesis``), not only names
    alike but for their ends (``text1`` and ``text2``: a tweet and its reply, too, whose label is the tweet's)."""
    a, b = str(a).strip().lower(), str(b).strip().lower()
    return (a, b) in PAIR_NAMES or (b, a) in PAIR_NAMES


def pair_message(first: str, second: str) -> str:
    """Why two columns named alike (``text1`` and ``text2``) are not taken in passing, as a text pair or one text.
    (Columns named as a pair task's, :data:`PAIR_NAMES`, are taken as a pair: :func:`detect_pair_column`.)"""
    return (f"columns {first!r} and {second!r}, named alike, look like a text pair (a pair task, such as "
            "paraphrase or entailment, whose label says how the two texts relate), or a text and its context (a "
            "tweet and the replies to it, whose label is the tweet's). Say which: to read them as a pair, as BERT "
            f"reads one, set the text column to {first!r} and the second text column to {second!r}; to read one "
            "text, set the text column alone to the one the label is about.")


def pair_note(text: str, partner: str) -> str:
    """The note a dataset read from one half of a text pair carries (the runs' notes, the Data page's warning). Its
    advice names the two in the pair's order: a named pair's task order (``sentence1`` first, QNLI's ``question``
    first), else a final 1 before 2, a before b; ``sentence2`` read alone was told to take ``sentence1`` as its
    second text, the pair backwards."""
    first = (_pair_order(text, partner)[0] if _named_pair(text, partner)
             else min(text, partner, key=lambda c: str(c).strip().lower()))
    how = (f"set the second text column to {partner!r} to read both, as BERT reads a pair" if first == text else
           f"set the text column to {partner!r} and the second text column to {text!r} to read both in the pair's "
           "order, as BERT reads a pair")
    if not _named_pair(text, partner):
        return (f"{PAIR_NOTE_START} {text!r}; {partner!r} beside it, named alike, may be the other half of a text "
                f"pair: if the label says how the two relate, the runs never see {partner!r}, so they learn only "
                f"what {text!r} gives away on its own ({how})")
    return (f"{PAIR_NOTE_START} {text!r}, one half of a text pair ({partner!r} beside it): the label says how the "
            f"two relate, and the runs never see {partner!r}, so they learn only what {text!r} gives away on its "
            f"own ({how})")


def pair_read_note(text: str, pair: str) -> str:
    """The note a dataset read as a text pair carries: which columns, and how a pair is written and read."""
    return (f"{PAIR_READ_START} column {text!r}, then column {pair!r}; each example is written as the two texts "
            f"joined by {PAIR_SEP.strip()!r} (as a pair is typed in the Playground), and the BERT-based strategies "
            "read it as BERT reads a pair (tokenizer(text, text_pair): segment A, then B)")


def _pair_order(a: str, b: str) -> tuple[str, str]:
    """A named pair (:data:`PAIR_NAMES`) in its task's order: ``sentence1`` before ``sentence2``, ``question``
    before ``sentence`` (GLUE's QNLI reads the question first)."""
    la, lb = str(a).strip().lower(), str(b).strip().lower()
    return (b, a) if (lb, la) in PAIR_NAMES else (a, b)


def detect_pair_column(df: pd.DataFrame, text: str, label: str | None = None) -> str | None:
    """The second text of a pair task whose first text is ``text``: its partner where the two are named as a pair
    task's (:data:`PAIR_NAMES`: ``sentence2`` beside ``sentence1``, ``sentence`` beside QNLI's ``question``); None
    otherwise (columns only named alike, ``text1`` and ``text2``, are asked about: :func:`pair_message`)."""
    partner = pair_partner(df, text)
    if partner is None or partner == label or not _named_pair(text, partner):
        return None
    return partner if _pair_order(text, partner)[0] == text else None


PAIR_NOTE_START = "read only the text column"
PAIR_READ_START = "read a text pair:"


def detect_text_column(df: pd.DataFrame, label_column: str | None = None) -> str:
    """The column of texts, as the Data page finds it: one named like text (``text``, ``review``...), else among the
    columns of strings, one whose name holds a text word (``customer_review``), else the longest where no other
    comes close; never ``label_column`` or a column named like a label.

    A named pair task's columns (:data:`PAIR_NAMES`) give the first of the two (``sentence1``, QNLI's
    ``question``), whose partner :func:`detect_pair_column` finds.

    Raises:
        ColumnChoiceError: no column looks like text, or several do, or the one found has a partner only named
            alike (``text1`` beside ``text2``: :func:`pair_partner`), which may be a pair or a text and its context.
    """
    df.columns = [str(c) for c in df.columns]
    cols = list(df.columns)
    if (named := _pick(df, TEXT_NAMES, {label_column})) is not None:
        if (partner := pair_partner(df, named)) is not None and partner != label_column:
            if _named_pair(named, partner):  # GLUE's QNLI: 'sentence' is a text name, 'question' comes first
                return _pair_order(named, partner)[0]
            raise ColumnChoiceError(pair_message(*sorted((named, partner), key=cols.index)), "text",
                                    sorted((named, partner), key=cols.index))
        return named
    # A column named like a label ("label", "category"...) is never the text, even if it holds words.
    not_text = label_column or _pick(df, LABEL_NAMES, set())
    stringy = [c for c in cols if c != not_text and _is_stringy(df[c])]
    # a column named as an identifier is not the text, where another column of strings is (a survey's ResponseId,
    # R_1a2b3c... of 17 characters, all distinct, was taken for the text beside answers of one to three words that
    # repeat, 'more trees', and every run trained on the ids)
    stringy = [c for c in stringy if not _name_tokens(c) & ID_WORDS] or stringy
    # texts are mostly distinct: a column repeating a few templates is not the text, where another column is
    stringy = [c for c in stringy if _varied(df[c])] or stringy
    lengths = {c: df[c].dropna().astype(str).str.len().mean() for c in stringy}
    ranked = sorted(lengths, key=lengths.get, reverse=True)
    if (named := _pick_by_word(lengths)) is not None:  # a name with a text word settles a close call
        ranked = [named]
    if not ranked:
        nested = _nested_columns(df)
        if (token_level := token_columns_message(df, nested)) is not None:
            raise DataError(token_level)
        hint = (f" Columns {nested} hold nested values (lists or structs): flatten them into plain "
                "text and label columns first." if nested else "")
        raise ColumnChoiceError(f"no column looks like text among {cols} (a text column holds sentences, "
                                f"not numbers or codes); set the text column explicitly.{hint}", "text")
    # (every text empty, the longest's mean length 0: that one, whose rows are then refused as having no text)
    close = [c for c in ranked if lengths[c] > 0.5 * lengths[ranked[0]]] or ranked[:1]
    if (partner := pair_partner(df, close[0])) is not None and partner != label_column:
        if _named_pair(close[0], partner):
            return _pair_order(close[0], partner)[0]
        pair = sorted((close[0], partner), key=cols.index)  # in the table's order
        raise ColumnChoiceError(pair_message(*pair), "text", pair)
    if len(close) > 1:
        raise ColumnChoiceError(
            f"cannot tell which column holds the text: {close[:3]} all look like text. "
            "Set the text column explicitly.", "text", close
        )
    return ranked[0]


def check_named_columns(cols: list[str], text_column: str | None, label_column: str | None,
                        pair_column: str | None = None, where: str = "in the file") -> None:
    """Refuse a column named that is not among ``cols`` (``where``: what holds them, as the message says it).

    Raises:
        DataError: "text column 'text' is not in the file; its columns are ['review', 'sentiment']."
    """
    for fld, val in (("text column", text_column), ("label column", label_column),
                     ("second text column", pair_column)):
        if val is not None and val not in cols:
            raise DataError(f"{fld} {val!r} is not {where}; its columns are {cols}.")


def detect_columns(df: pd.DataFrame, text_column: str | None = None,
                   label_column: str | None = None, pair_column: str | None = None) -> tuple[str, str]:
    """Find the text and label columns, or check the ones given; ``pair_column``: a text pair's second text,
    never taken for either (the text column is then found among the others).

    Raises:
        DataError: a named column is missing, or the choice is ambiguous.
    """
    cols = [str(c) for c in df.columns]
    df.columns = cols
    check_named_columns(cols, text_column, label_column, pair_column)
    if text_column and label_column and text_column == label_column:
        raise DataError(f"text and label column are both {text_column!r}; choose two different columns.")
    if pair_column is not None and pair_column in (text_column, label_column):
        which = "text" if pair_column == text_column else "label"
        raise DataError(f"the second text column {pair_column!r} is also the {which} column; choose another.")
    if text_column is None and pair_column is not None:
        text_column = detect_text_column(df.drop(columns=[pair_column]), label_column)
    text = text_column or detect_text_column(df, label_column)
    label = label_column or _pick(df, LABEL_NAMES, {text, pair_column})
    if label is None:
        flat = [c for c in cols if c not in (text, pair_column) and c not in _nested_columns(df)]  # lists: unhashable
        cands = [c for c in flat if 2 <= df[c].nunique(dropna=True) <= MAX_CLASSES]
        if len(cands) > 1 and (split := detect_split_column(df[cands])) is not None:
            cands.remove(split)  # train/test is where a row goes, not what it is
        if not cands:  # a file of one class: its label column (one named like a label, 'sentiment_label', or the
            # only other column) holds one value; taken, so that loading says "has only one class ('positive')", not
            # that no label column was found (a label column named exactly so is taken above, whatever it holds)
            one = [c for c in flat if df[c].nunique(dropna=True) == 1]
            named = [c for c in one if _name_tokens(c) & set(LABEL_NAMES)]
            cands = named if len(named) == 1 else one if flat == one and len(one) == 1 else []
        if not cands:
            why, own = _why_no_label(df, [c for c in cols if c not in (text, pair_column)]) or (None, None)
            error = ColumnChoiceError(f"no label column found among {cols} (a column with 2-{MAX_CLASSES} distinct "
                                      "values)" + (f"; {why}" if why else "; set it explicitly."), "label")
            error.own_text = own
            raise error
        if len(cands) > 1:
            error = ColumnChoiceError(f"cannot tell which column holds the labels: {cands} all could. Set the label "
                                      "column explicitly." + _tag_columns_note(df, cands), "label", cands)
            # where to start: the app's pickers, and the CLI's example ('stars', not the first that could be, 'id')
            error.starts_at = fallback_columns(df, error)
            raise error
        label = cands[0]
    return text, label


def fallback_columns(df: pd.DataFrame, error: ColumnChoiceError) -> tuple[str, str]:
    """The columns for a page's pickers to start from where :func:`detect_columns` could not decide (``error``):
    the text column it found, where it found one, and the likeliest label among those it could not choose from (not
    an id column, the fewest distinct values). A file of ``id, review, stars`` started with ``id`` as its text and
    ``review`` as its labels: 30 "classes" of one review each."""
    cols = [str(c) for c in df.columns]
    df = df.set_axis(cols, axis=1)
    if error.column == "text":
        text = error.choices[0] if error.choices else cols[0]
    else:
        try:
            text = detect_text_column(df)
        except DataError:
            text = cols[0]
    others = [c for c in cols if c != text] or cols
    flat = [c for c in others if c not in _nested_columns(df)]  # lists are unhashable
    ids = {detect_id_column(df[flat])} if flat else set()
    cands = [c for c in (error.choices if error.column == "label" else []) if c != text] or flat or others
    cands = [c for c in cands if c not in ids] or cands

    def classes(c: str) -> tuple[bool, float]:  # two values or more first, then the fewest
        n = df[c].nunique(dropna=True) if c in flat else math.inf
        return n < 2, n

    label = min(cands, key=classes)
    return text, label


def _kind(col: pd.Series) -> str:
    """What a non-text column holds, in words ("int", "list", "no")."""
    vals = col.dropna()
    if vals.empty:
        return "no"
    v = vals.iloc[0]
    return "list" if isinstance(v, (list, tuple, np.ndarray)) else type(v).__name__


NAME_WORDS = {"text", "name", "names", "str", "string"}


def _id_text(v: object) -> str:
    return str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)


def class_names_column(df: pd.DataFrame, label: str, exclude: set = frozenset()) -> tuple[str | None, str | None]:
    """The column naming the classes of ``label`` where ``label`` holds whole-number ids: named like a label and a
    name (``label_text``, ``label_name``, ``category_name``), of strings, each id beside one name and each name
    beside one id; None otherwise (then the ids are the class names). Second, where such a column of strings is not
    one name an id: why, in words (a note: the classes named '0' and '1' beside it said nothing of it)."""
    named = [c for c in df.columns if c not in exclude and c != label
             and _name_tokens(c) & NAME_WORDS and _name_tokens(c) & set(LABEL_NAMES)]
    ids = df[label].dropna()
    if not named or ids.empty or ids.map(_is_nested).any():  # (most tables: no such column, nothing more read)
        return None, None
    numbers = pd.to_numeric(ids.astype(str).str.strip(), errors="coerce")
    if numbers.isna().any() or (numbers % 1 != 0).any():
        return None, None
    note = None
    for c in named:
        if not _is_stringy(df[c]):
            continue
        blank = int(df[c][df[label].notna()].isna().sum())
        pairs = df[[label, c]].dropna().drop_duplicates()
        if not blank and pairs[label].is_unique and pairs[c].is_unique:
            return str(c), None
        if note is None:  # the first such column's reason
            both = pairs[pairs[label].duplicated(keep=False)].sort_values(label, kind="stable")
            if both.empty:
                both = pairs[pairs[c].duplicated(keep=False)].sort_values(c, kind="stable")
            why = (", ".join(f"{_id_text(i)} = {n!r}" for i, n in both.head(3).itertuples(index=False)) if len(both)
                   else f"{blank:,} row{'s' if blank > 1 else ''} with an id but no name")
            note = (f"did not name the classes of the label column {label!r} by column {c!r}, which is not one name "
                    f"an id ({why}): the classes are the ids")
    return None, note


MAX_SCORE_LEVELS = 10  # numbers with fractions in more distinct values than this are scores (regression), not classes
RATING_WORDS = {"rating", "ratings", "stars", "star"}  # a column of these in half points holds a rating's levels


def _scores(col: pd.Series) -> str | None:
    """Where ``col`` holds scores rather than class ids (numbers with a fractional part, in more than
    :data:`MAX_SCORE_LEVELS` distinct values: STS-B's 0-5 similarity, a rating averaged over raters), a few of them
    in words; None otherwise (whole numbers are class ids: 1-5 stars; and a column named like a rating
    (:data:`RATING_WORDS`) in half points, 1-10 in halves: its 19 levels are the classes it always had)."""
    vals = pd.Series(col.dropna().unique())  # each value once: a label column repeats a few
    if len(vals) <= MAX_SCORE_LEVELS:
        return None
    if not pd.api.types.is_float_dtype(vals):
        if not vals.map(lambda v: isinstance(v, str)).all():
            return None
        vals = pd.to_numeric(vals.str.strip(), errors="coerce")
        if vals.isna().any():  # a word among them: labels written as words or codes
            return None
        vals = vals.drop_duplicates()  # ' 3.5' and '3.5'
    fractional = vals[(vals % 1) != 0]
    if fractional.empty or len(vals) <= MAX_SCORE_LEVELS:
        return None
    if _name_tokens(col.name) & RATING_WORDS and ((vals * 2) % 1 == 0).all():
        return None
    shown = ", ".join(f"{v:g}" for v in fractional.head(3))
    return f"{len(vals):,} distinct numbers such as {shown}"


LABEL_SEPARATORS = (";", "|", ",")  # what joins a row's several tags in a multi-label file: 'billing;refund'


def _list_text(v: str) -> list | None:
    """A list of tags written as text, '["billing", "refund"]' (JSON) or "['billing', 'refund']" (a pandas list
    column saved as CSV); None where ``v`` is not one."""
    import ast

    v = v.strip()
    if not (v.startswith("[") and v.endswith("]")):
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            got = parse(v)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(got, list) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in got):
            return got
    return None


def joined_labels(col: pd.Series) -> tuple[pd.Series, str | None] | None:
    """Where a column of strings holds several tags a row (a multi-label file's ``tags``): each row's tags as a
    list, and what joined them (';', '|' or ',', or None for lists written as text, '["billing", "refund"]');
    None otherwise. Joined tags are taken as such where at least two values join several, and every tag recurs in
    two values or more, so fewer tags than values (82 combinations of 6 tags, each combination a 'class'); a label
    with a comma in it, 'yes, definitely' beside 'no, never', is no list."""
    vals = col.dropna()
    # strings only, told in C: every load reads its label column here (a Python check of each value took 0.13 s of
    # 210,000 labels); a categorical column (a DataFrame's or a Parquet file's category dtype) by its categories,
    # which infer_dtype calls 'categorical' whatever they hold
    told = vals.cat.categories if isinstance(vals.dtype, pd.CategoricalDtype) else vals
    if vals.empty or pd.api.types.infer_dtype(told, skipna=False) != "string":
        return None
    uniq = pd.Series(vals.unique())
    lists = uniq.map(_list_text)
    if lists.notna().all():
        parsed = dict(zip(uniq, lists))
        return vals.map(parsed.get), None
    for sep in LABEL_SEPARATORS:
        parts = uniq.map(lambda v, sep=sep: [p.strip() for p in v.split(sep)])
        if int((parts.map(len) > 1).sum()) < 2:
            continue
        seen: dict[str, int] = {}
        for ps in parts:
            for p in set(ps):
                seen[p] = seen.get(p, 0) + 1
        if "" in seen or len(seen) >= len(uniq) or min(seen.values()) < 2:
            continue
        return vals.map(lambda v, sep=sep: [p.strip() for p in v.split(sep)]), sep
    return None


def scores_message(column: str, scores: str, what: str = "scores") -> str:
    """Why a column of scores (:func:`_scores`, ``scores`` its words) is not a label column; ``column``: it, in
    words ("the label column 'score'"); ``what``: what it holds ("numbers", for a price's)."""
    return (f"{column} holds {what}, not classes: {scores}; a regression target, as in STS-B's similarity scores. "
            "bertlab compares classifiers, which learn a few classes from many texts each: choose a label column of "
            f"classes, or a dataset with one (or bin the {what} into classes, say low / middle / high, in a file of "
            "your own).")


def _quantities(col: pd.Series) -> str | None:
    """Where ``col`` holds whole numbers in more distinct values than :data:`MAX_CLASSES`, some of them repeated
    (a price, a count: a quantity, not an id, whose values are each a row's own), a few of them in words."""
    vals = col.dropna()
    if vals.empty or vals.map(_is_nested).any() or _name_tokens(col.name) & ID_WORDS:
        return None
    numbers = pd.to_numeric(vals.astype(str).str.strip(), errors="coerce")
    if numbers.isna().any():
        return None
    distinct = numbers.drop_duplicates()
    if len(distinct) <= MAX_CLASSES or len(distinct) == len(numbers):
        return None
    return f"{len(distinct):,} distinct numbers such as {', '.join(f'{v:g}' for v in distinct.head(3))}"


_CODE = re.compile(r"[^\W\d_]{0,6}[-_#:/.]?\d[\d\-_.:/,]*")  # 100042, TCK-00042, C000042, 2024-05-01, 3.5


def _codes(col: pd.Series) -> str | None:
    """Where every value of ``col`` is a number or an id's code (digits after at most a short prefix: 100042,
    'TCK-00042', a date) rather than text, three of them in words; None otherwise. A column named 'text' of
    ticket numbers, or a survey's customer ids taken for the text where no other column held strings, trained every
    strategy on the ids."""
    shown: list[str] = []
    for v in col.dropna():  # value by value: a column of texts is told by its first (every load reads this)
        if _is_nested(v) or not (v := str(v).strip()):
            continue
        if _CODE.fullmatch(v) is None:
            return None
        if len(shown) < 3 and v not in shown:
            shown.append(v)
    return ", ".join(map(repr, shown)) or None


def _tag_columns_note(df: pd.DataFrame, cands: list[str]) -> str:
    """Where two or more of the columns ``cands`` hold 0 or 1 in every row, and some rows a 1 in more than one of
    them (a multi-label file's one column per tag: billing, refund, shipping), a sentence saying so; '' otherwise."""
    def flag(c: str) -> pd.Series:  # 0.0 and 1.0 too: a DataFrame's or a Parquet file's 0/1 column with a gap is float
        return df[c].dropna().astype(str).str.strip().str.lower().replace({"0.0": "0", "1.0": "1"})

    flags = [c for c in cands if set(flag(c)) <= {"0", "1", "true", "false"}]
    if len(flags) < 2:
        return ""
    ones = pd.concat([flag(c).isin({"1", "true"}) for c in flags], axis=1).fillna(False).sum(axis=1)
    several = int((ones > 1).sum())
    if not several:
        return ""
    return (f" Columns {flags} hold 0 or 1 in each row, and {several:,} of {len(df):,} rows have a 1 in more than one: "
            "one column per tag, a multi-label dataset; bertlab compares single-label classifiers, one class per "
            "text. Choose one tag's column as the label (a yes/no classifier for that tag), or make a column of one "
            "label per row in a file of your own.")


def _why_no_label(df: pd.DataFrame, others: list[str]) -> tuple[str, str | None] | None:
    """Why none of the columns ``others`` is a label column, where one of them holds what another task's data does:
    several labels a row (a multi-label file's tags, lists or joined in a string), or scores or quantities (a
    regression target: STS-B's similarity, a price), or a text of its own (a summary); None otherwise. Each such
    column was passed over for holding lists or more than :data:`MAX_CLASSES` values, and loading said 'no label
    column found', nothing of why. Returns (why, the column said to hold a value of each row's own (a text, an id), else None)."""
    for c in others:
        col = df[c]
        if col.dropna().map(_is_nested).any():  # lists, or dicts (nested values): _scores cannot hash them
            return multi_label_message(col, c), None
        if (joined := joined_labels(col)) is not None:
            return multi_label_message(joined[0], c, joined[1]), None
    for c in others:
        if (scores := _scores(df[c])) is not None:
            return scores_message(f"column {c!r}", scores), None
        if (numbers := _quantities(df[c])) is not None:
            return scores_message(f"column {c!r}", numbers, "numbers"), None
    # a value of each row's own: a summary's, an answer's column (a text), or an id's (a ticket's uuid, an order
    # number), which was called "a text of its own (a summary, an answer, a passage)"; texts first, so a summary
    # beside an id column is the one named
    own = [c for c in others if _is_stringy(df[c]) and df[c].dropna().nunique() >= 0.9 * df[c].notna().sum()]
    words = {c: df[c].dropna().astype(str).str.strip().str.contains(r"\s").mean() >= 0.5 for c in own}
    for c in sorted(own, key=lambda c: not words[c]):
        vals = df[c].dropna()
        seen = f"({vals.nunique():,} distinct in {len(vals):,}, such as {quoted_start(str(vals.iloc[0]))})"
        if not words[c]:
            return (f"column {c!r} holds a different value in nearly every row {seen}: an id or a code of each row, "
                    "not a class. bertlab classifies each text into one of a few classes, each with many texts. "
                    "Choose a label column of classes, or a dataset with one."), c
        return (f"column {c!r} holds a different text in nearly every row {seen}: a text of its own "
                "(a summary, an answer, a passage), not a class. bertlab classifies each text into one of a few "
                "classes, each with many texts; it does not learn to write, pick or rank texts. Choose a label "
                "column of classes, or a dataset with one."), c
    return None


def multi_label_message(col: pd.Series, label: str, sep: str | None = None) -> str:
    """Why a column of lists (a multi-label dataset's, such as GoEmotions' ``labels``) is not a label column;
    ``sep``: what joined each row's labels where the column held them as one string (:func:`joined_labels`)."""
    sizes = col.dropna().map(lambda v: len(v) if isinstance(v, (list, tuple, np.ndarray)) else None)
    if sizes.isna().any():  # dicts, or lists mixed with plain values
        return f"column {label!r} holds nested values (lists or dicts); a label must be one string or number per row."
    several = int((sizes > 1).sum())
    held = "a list of labels in each row" if sep is None else f"labels joined by {sep!r} in each row"
    return (f"column {label!r} holds {held} (a multi-label dataset: {several:,} of "
            f"{len(sizes):,} rows have more than one); bertlab compares single-label classifiers, one class per text. "
            "Choose a column of one label per row, or a single-label dataset (or keep the rows with exactly one label, "
            "in a file of your own).")


def dataset_from_table(df: pd.DataFrame, name: str, text_column: str | None = None,
                       label_column: str | None = None, notes: list[str] | None = None,
                       split_column: str | None = None, parts: list[str] | None = None,
                       split_source: str | None = None, number_rows: bool = True,
                       label_named: bool | None = None, pair_column: str | None = None,
                       undo_guard: bool = True) -> TextDataset:
    """Turn a parsed table into a cleaned :class:`TextDataset`; ``split_column``: the column holding the table's
    own split (train / validation / test per row), or ``parts``, that split given row by row (``split_source``
    saying where from), else the split is drawn later. Each text keeps where it came from (``row_ids``): its id
    column's value where the table has one (:func:`detect_id_column`), else (``number_rows``) its row number
    counting from 1 after the header. ``label_named``: whether the user named the label column (default: whether
    ``label_column`` is given); a named one may hold more than :data:`MAX_CLASSES` classes, a detected one not.
    ``pair_column``: a text pair's second text (the text column's its first), each example then the two joined
    (:func:`bertlab.textpair.join_pair`); where neither it nor the text column is given, a pair task's columns
    named as one (:func:`detect_pair_column`) are read as a pair. ``undo_guard``: a text column that bears the
    spreadsheet guard of bertlab's own CSVs (:func:`bertlab.guard.guard_undone`) is read without it, with a note."""
    text, label = detect_columns(df, text_column, label_column, pair_column)
    if pair_column is None and text_column is None:
        pair_column = detect_pair_column(df, text, label)
    if label_named is None:
        label_named = label_column is not None
    if split_column is not None:
        if split_column not in df.columns:
            raise DataError(f"split column {split_column!r} is not in the file; its columns are "
                            f"{[str(c) for c in df.columns]}.")
        if split_column in (text, label, pair_column):
            which = "text" if split_column == text else "label" if split_column == label else "second text"
            raise DataError(f"the split column {split_column!r} is also the {which} column; choose another.")
    for col, role in ((text, "the text column"), (pair_column, "the second text column")):
        if col is not None and not any(isinstance(v, str) for v in df[col].dropna().head(1000)):
            raise DataError(
                f"column {col!r} holds {_kind(df[col])} values, not text; choose a column of plain strings "
                f"as {role}."
            )
    for col, role in ((text, "the text column"), (pair_column, "the second text column")):
        if col is not None and (codes := _codes(df[col])) is not None:
            raise DataError(f"column {col!r} holds numbers or codes, not text: every value is one, such as {codes}. "
                            "bertlab classifies texts (sentences, reviews, messages) by their words, and an id or a "
                            f"number has none to learn from; choose a column of texts as {role}.")
    if df[label].dropna().map(_is_nested).any():
        raise DataError(multi_label_message(df[label], label))
    if (joined := joined_labels(df[label])) is not None:  # 'billing;refund': each combination was a class
        raise DataError(multi_label_message(joined[0], label, joined[1]))
    if (scores := _scores(df[label])) is not None:
        raise DataError(scores_message(f"the label column {label!r}", scores))
    if split_column is not None and df[split_column].dropna().map(_is_nested).any():
        raise DataError(f"column {split_column!r} holds nested values (lists or dicts); a split column holds train, "
                        "validation or test in each row.")
    labels = df[label].tolist()
    names, names_note = class_names_column(df, label, {text, split_column, pair_column})
    if names is not None:
        # SetFit's sets: 'label' 0 / 1 beside 'label_text' negative / positive; the ids named the classes '0' and
        # '1' everywhere (zero_shot compared texts with the digits)
        pairs = df[[label, names]].dropna().drop_duplicates().sort_values(label)
        labels = df[names].where(df[label].notna()).tolist()
        shown = ", ".join(f"{_id_text(i)} = {n!r}" for i, n in pairs.head(6).itertuples(index=False))
        names_note = (f"named the classes of the label column {label!r} by column {names!r}: {shown}"
                      + (f" and {len(pairs) - 6:,} more" if len(pairs) > 6 else ""))
    id_col = detect_id_column(df, {str(c) for c in (text, label, split_column, names, pair_column) if c is not None})
    if id_col is not None:
        row_ids, row_id_name = df[id_col].tolist(), id_col
    elif number_rows and isinstance(df.index, pd.RangeIndex):  # (a CSV's): its numbers plus one, made at once
        idx = df.index  # (checking each number took 0.04-0.06 s of a 200,000-row upload's load)
        row_ids, row_id_name = list(range(idx.start + 1, idx.stop + 1, idx.step)), "row"
    elif number_rows:  # the index counts data rows from 0, blank Excel rows included (they are dropped, not renumbered)
        row_ids, row_id_name = [int(i) + 1 if isinstance(i, (int, np.integer)) else n + 1
                                for n, i in enumerate(df.index)], "row"
    else:
        row_ids, row_id_name = None, "row"
    # A table bertlab wrote (Compare's test predictions, report --predictions, predict -o) uploaded back as data
    # holds "'@united ..." for the tweet "@united ...": 242 of the tweets Quick demo's 500 test texts trained and
    # tested with the apostrophe. The text column(s) only, as predict --file reads them.
    read = {c: df[c] for c in (text, pair_column) if c is not None}
    guard_notes = []
    for c in read if undo_guard else ():
        if (u := guard_undone(read[c].tolist())) is not None:
            guard_notes.append(guard_note(name, c, sum(1 for v in read[c] if isinstance(v, str) and v[:1] == "'")))
            read[c] = pd.Series(u, index=df.index, dtype=object)
    texts = read[text].tolist() if pair_column is None else _joined(read[text], read[pair_column])
    ds = build_dataset(texts, labels, name=name,
                       description=f"{name}: text column {text!r}"
                                   + (f", second text column {pair_column!r}" if pair_column else "")
                                   + f", label column {label!r}"
                                   + (f", split column {split_column!r}" if split_column else ""),
                       parts=df[split_column].tolist() if split_column is not None else parts,
                       split_column=split_column or "split", split_source=split_source,
                       row_ids=row_ids, row_id_name=row_id_name, max_classes=None if label_named else MAX_CLASSES)
    ds.notes = list(notes or []) + guard_notes + ([names_note] if names_note else []) + ds.notes
    if pair_column is not None:
        ds.notes.append(pair_read_note(text, pair_column))
    elif (partner := pair_partner(df, text)) is not None and partner != label:
        ds.notes.append(pair_note(text, partner))
    ds.label_descriptions = list(ds.label_names)
    ds.columns = (text, label)
    ds.pair_column = pair_column
    return ds


def _joined(first: pd.Series, second: pd.Series) -> list[object]:
    """Each row's two texts as one string (:func:`bertlab.textpair.join_pair`); None where either is missing or
    blank, so that the row is dropped as one with an empty text."""
    def one(a: object, b: object) -> object:
        if _blank(a) or _blank(b):
            return None
        if _is_nested(a) or _is_nested(b):
            return a if _is_nested(a) else b  # not text: dropped as such
        return join_pair(str(a), str(b))

    return [one(a, b) for a, b in zip(first.tolist(), second.tolist())]


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


FOLDER_SPLIT = "split"  # the split column that names a folder's own parts (its files'), in configs and --split-column
FOLDER_FILES = 64  # a dataset's folder holds a few files per part; more is some other folder


def _part_of_name(name: str) -> str | None:
    """The part a file's name says: 'train-00000-of-00001.parquet', 'test.csv', 'dev_set.jsonl'; None otherwise."""
    return part_of(re.split(r"[-_.\s]", name, maxsplit=1)[0])


def folder_parts(path: Path) -> list[tuple[str, Path]]:
    """(part, file) of a dataset saved as a folder, in the first of these layouts it has: table files named by
    their part in it (``train.csv`` beside ``test.csv``), or in its ``data/`` folder (a hub download's
    ``data/train-00000-of-00001.parquet``), or the ``.arrow`` files of a datasets ``save_to_disk`` folder, in
    folders named by their part (``train/``, ``test/``). Only those places are looked in: a folder of other things
    (a home folder) is no dataset, however deep its files."""
    def visible(d: Path) -> list[Path]:
        try:
            return sorted(f for f in d.iterdir() if not f.name.startswith("."))
        except OSError:
            return []

    for d in (path, path / "data"):
        found = [(part, f) for f in visible(d) if f.is_file() and f.suffix.lower() in SUFFIXES
                 and (part := _part_of_name(f.name)) is not None]
        if found:
            return found
    return [(part, f) for sub in visible(path) if sub.is_dir() and (part := part_of(sub.name)) is not None
            for f in visible(sub) if f.is_file() and f.suffix == ".arrow"]


def _class_names(f: Path, table=None) -> dict:
    """ClassLabel names of a hub file's columns, {column: names object}: in a Parquet file's own metadata (the hub
    writes its features there) or beside an .arrow file (``dataset_info.json``); {} where it says none."""
    from types import SimpleNamespace

    info = None
    try:
        if table is not None:
            meta = (table.schema.metadata or {}).get(b"huggingface")
            info = json.loads(meta).get("info") if meta else None
        elif (f.parent / "dataset_info.json").is_file():
            info = json.loads((f.parent / "dataset_info.json").read_text())
    except (ValueError, OSError):
        return {}
    feats = (info or {}).get("features") or {}
    return {c: SimpleNamespace(names=v["names"]) for c, v in feats.items()
            if isinstance(v, dict) and v.get("_type") == "ClassLabel" and v.get("names")}


def read_folder(path: Path, notes: list[str]) -> tuple[pd.DataFrame, list[str] | None]:
    """A dataset saved as a folder (:func:`folder_parts`) as one table, and each row's part (its file's) where the
    folder has a train and a test part: its own split; else None, the split is drawn (a note says so). The parts are
    kept beside the table, not in a column of it: a column of the files' own (``split`` too) stays as they wrote
    it. ClassLabel ids become their names, as for a hub dataset.

    Raises:
        DataError: no such files, too many, or too large together.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bertlab.data.hub import _names_for_class_labels

    files = folder_parts(path)
    if not files:
        raise DataError(f"{str(path)!r} is a folder, not a file, and holds no data files named by their part "
                        "(train, validation, test); choose a CSV, TSV, JSONL, JSON, Parquet or .xlsx file, or a "
                        "folder of train/validation/test files (a hub dataset's download, or datasets' "
                        "save_to_disk).")
    if len(files) > FOLDER_FILES:
        raise DataError(f"{str(path)!r} holds {len(files):,} data files named by a part; a dataset's folder holds "
                        f"a few per part (at most {FOLDER_FILES}): choose the dataset's own folder.")
    total = sum(f.stat().st_size for _, f in files)
    if total > MAX_FILE_BYTES:
        raise DataError(too_big_message(path.name, total))
    frames, row_parts = [], []
    for part, f in files:
        if f.suffix == ".arrow":
            try:
                with pa.memory_map(str(f)) as src:
                    table = pa.ipc.open_stream(src).read_all()
            except (pa.ArrowInvalid, OSError) as e:
                raise DataError(f"{f.name} is not a readable Arrow file ({e}).") from None
            df, names = table.to_pandas(), _class_names(f)
        elif f.suffix.lower() in (".parquet", ".pq"):
            try:
                table = pq.read_table(f)
            except (pa.ArrowInvalid, OSError) as e:
                raise DataError(f"{f.name} is not a readable Parquet file ({e}).") from None
            df, names = table.to_pandas(), _class_names(f, table)
        else:
            df, names = read_table(f.read_bytes(), f.name, notes), {}
        df.columns = [str(c) for c in df.columns]
        _names_for_class_labels(df, names)
        frames.append(df)
        row_parts += [part] * len(df)
    df = pd.concat(frames, ignore_index=True)
    parts = sorted({p for p, _ in files}, key=("train", "validation", "test").index)
    shown = ", ".join(f"{p} ({sum(1 for q, _ in files if q == p)} file{'s' * (sum(1 for q, _ in files if q == p) > 1)})"
                      for p in parts)
    if "test" in parts and "train" in parts:
        notes.append(f"read the folder's {shown}: its own split")
        return df, row_parts
    notes.append(f"read the folder's {shown}: with no " + ("test" if "train" in parts else "train")
                 + " part, the split is drawn from all of their rows")
    return df, None


def load_file(path: str | Path, text_column: str | None = None, label_column: str | None = None,
              raw: bytes | None = None, split_column: str | None = None,
              pair_column: str | None = None) -> TextDataset:
    """Load a user's CSV/TSV/JSONL/JSON/Parquet/.xlsx file (from disk, or from ``raw`` bytes), or a dataset's
    folder of train/validation/test files (:func:`read_folder`).

    Raises:
        DataError: any problem with the file, with what to do about it.
    """
    path = Path(path)
    if raw is None:
        if path.is_dir():
            notes: list[str] = []
            df, parts = read_folder(path, notes)
            # a hub download's Parquet, save_to_disk's .arrow, JSON lines: no guard of bertlab's (CSVs alone)
            undo_guard = all(may_bear_guard(f.name) for _, f in folder_parts(path))
            if parts is not None and split_column == FOLDER_SPLIT:  # the folder's own split: its files' parts
                if FOLDER_SPLIT in df.columns:
                    notes.append(f"the files' own column {FOLDER_SPLIT!r} is kept as a column: the split is the "
                                 "folder's parts (--split-column none draws one)")
                return dataset_from_table(df, path.name, text_column, label_column, notes, parts=parts,
                                          pair_column=pair_column, undo_guard=undo_guard,
                                          split_source="the folder's own split (its files' parts)")
            if split_column == FOLDER_SPLIT and FOLDER_SPLIT not in df.columns:  # no test part: drawn
                split_column = None
            return dataset_from_table(df, path.name, text_column, label_column, notes, split_column,
                                      pair_column=pair_column, undo_guard=undo_guard)
        if not path.is_file():
            raise DataError(f"file {str(path)!r} does not exist.")
        if path.stat().st_size > MAX_FILE_BYTES:  # checked before reading: never pull 10 GB into memory
            raise DataError(too_big_message(path.name, path.stat().st_size))
        held = _take_held(path)  # parsed a moment ago to look for its split column: the same parse
        raw = path.read_bytes() if held is None else b""
    else:
        held = None
    notes: list[str] = []
    shown = upload_display_name(path.name)  # messages name the file as the user uploaded it
    if held is not None:
        df, notes = held
        big = path.stat().st_size >= TRIM_AFTER_BYTES
    else:
        big = len(raw) >= TRIM_AFTER_BYTES
        df = read_table(raw, shown, notes)
    # the guard is taken off only where bertlab can have written it: a JSON-lines or Parquet file's apostrophes are
    # its texts' own (as predict --file reads them)
    # (a held table's bytes were not read again: its first ones tell a Parquet file by another name, as read_table did)
    undo_guard = may_bear_guard(path.name, raw[:4] if held is None else _head(path))
    del raw, held
    try:
        return dataset_from_table(df, shown, text_column, label_column, notes, split_column,
                                  pair_column=pair_column, undo_guard=undo_guard)
    finally:
        del df
        if big:  # the table and the cleaning's copies of it: freed, handed back (see TRIM_AFTER_BYTES)
            release_free_heap()


def uploads_limit() -> int:
    """The most bytes the uploads folder may hold: ``BERTLAB_MAX_UPLOADS_MB`` megabytes where set, else 2 GB. On a
    shared server every upload was kept for good with no total limit.

    Raises:
        DataError: the variable is not a whole number of at least 1.
    """
    return positive_int_env(UPLOADS_LIMIT_ENV, MAX_UPLOADS_MB, "of megabytes of at least 1 (all uploads together)",
                            f"{MAX_UPLOADS_MB:,} MB", DataError) * 2**20


def _check_room(root: Path, size: int, name: str) -> None:
    """Refuse a new upload of ``size`` bytes that would take the uploads folder over :func:`uploads_limit`."""
    limit = uploads_limit()
    held = dir_bytes(root)  # 0 where missing or unreadable: the write below says what is wrong
    if held + size > limit:
        raise DataError(f"{name} cannot be kept: the uploads on this server take {held / 2**20:,.1f} MB of their "
                        f"{limit / 2**20:,.0f} MB limit, and it is {size / 2**20:,.1f} MB. Use a smaller sample, or ask "
                        "whoever runs the server to free space (delete the uploads no run needs from the data "
                        f"directory's uploads/ folder) or to raise {UPLOADS_LIMIT_ENV}.")


def save_upload(raw: bytes, filename: str, root: Path | None = None) -> Path:
    """Keep an uploaded file under ``<data home>/uploads`` so its runs can reload it, even after a restart.

    The user's file name never becomes a path on its own: only its last part is kept, reduced to
    letters, digits, ``.``, ``-`` and ``_``, and prefixed with the content hash (so two uploads named
    ``data.csv`` do not overwrite each other). The bytes are written to a temporary file and renamed.

    Args:
        raw: the uploaded bytes (read from memory, never executed).
        filename: the name the browser sent.
        root: the uploads directory (default ``<data home>/uploads``).

    Returns:
        The stored file's path, to use as ``DataConfig(source="file", name=...)``.

    Raises:
        DataError: empty, too large, an unsupported file type, or no room left under :func:`uploads_limit`.
    """
    name = Path(str(filename).replace("\\", "/")).name
    # Letters of any script stay (two Cyrillic file names must remain two names); everything else becomes "_".
    safe = re.sub(r"[^\w.-]", "_", unicodedata.normalize("NFC", name)).lstrip(".")[-100:] or "upload"
    while len(safe.encode()) > 200:  # a file name is at most 255 bytes: 100 CJK characters are 300
        safe = safe[1:]
    suffix = Path(safe).suffix.lower()
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(too_big_message(safe, len(raw)))
    if not raw:
        raise DataError(f"{safe} is empty (0 bytes).")
    if suffix not in SUFFIXES:
        raise DataError(unsupported_message(safe, suffix))
    root = Path(root) if root is not None else data_home() / "uploads"
    target = safe_join(root, f"{hashlib.sha256(raw).hexdigest()[:12]}-{safe}")
    if target.exists():
        return target
    _check_room(root, len(raw), safe)
    tmp = target.with_name(f".tmp-{uuid.uuid4().hex}")
    try:
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o700)  # users' data: private to the account running bertlab
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, target)  # atomic: a reader never sees half a file
    except OSError as e:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # a read-only folder refuses this too: its error, not the one that matters, went up
            pass
        what = ("Free some disk space, or point BERTLAB_HOME at a directory with room, and upload it again."
                if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else
                "Check that the data directory can be written (or point BERTLAB_HOME at one that can), and upload "
                "it again.")
        raise DataError(f"could not keep {safe} in {root}: {e.strerror or e}. {what}") from None
    return target
