"""Users' own files: CSV, TSV, JSONL/JSON and Parquet, with column detection.

Files are parsed from bytes in memory (never executed, never unpickled).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from bertlab.data.dataset import MAX_CLASSES, TextDataset, build_dataset
from bertlab.errors import DataError

MAX_FILE_BYTES = 100 * 1024 * 1024
SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".pq")
TEXT_NAMES = ("text", "sentence", "review", "content", "document", "body", "tweet", "message", "comment",
              "utterance", "question", "title")
LABEL_NAMES = ("label", "labels", "category", "class", "sentiment", "target", "topic", "intent", "y",
               "emotion", "stance", "rating")


def _decode(raw: bytes, filename: str, notes: list[str]) -> str:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252/latin-1 with a note."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append(f"{filename}: read as UTF-16 (it starts with a UTF-16 byte-order mark)")
        return raw.decode("utf-16")
    if b"\x00" in raw[:65536]:
        raise DataError(
            f"{filename} looks like a binary file, not text (it contains NUL bytes). "
            "Upload a CSV/TSV/JSONL text file or a Parquet file."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        pos = e.start
    for enc in ("cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        notes.append(
            f"{filename} is not valid UTF-8 (first bad byte at offset {pos}); read it as {enc}. "
            "Save it as UTF-8 if characters look wrong."
        )
        return text
    raise DataError(f"{filename}: cannot decode the text; save it as UTF-8.")  # pragma: no cover


def _read_delimited(text: str, filename: str, sep: str | None) -> pd.DataFrame:
    if not text.strip():
        raise DataError(f"{filename} is empty: it has no header and no rows.")
    if sep is None:
        try:
            sep = csv.Sniffer().sniff(text[:20000], delimiters=",\t;|").delimiter
        except csv.Error:
            sep = ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=object, keep_default_na=True,
                         skip_blank_lines=True, engine="c")
    except pd.errors.ParserError as e:
        raise DataError(
            f"{filename} has rows with a different number of fields than its header ({e}). "
            "Quote fields that contain the separator, or fix the ragged rows."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{filename} is empty: it has no header and no rows.") from None
    if df.empty:
        raise DataError(f"{filename} has a header ({', '.join(map(str, df.columns))}) but no data rows.")
    return df


def _read_jsonl(text: str, filename: str) -> pd.DataFrame:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{filename} line {n} is not valid JSON ({e.msg}); fix or remove that line.") from None
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
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list)]
        if all(isinstance(v, list) for v in obj.values()) and obj:
            try:
                return pd.DataFrame(obj)  # column-oriented {"text": [...], "label": [...]}
            except ValueError:
                pass
        if len(lists) == 1:
            obj = lists[0]
    if not isinstance(obj, list) or not obj or not all(isinstance(r, dict) for r in obj):
        raise DataError(f"{filename}: expected a JSON list of objects like [{{\"text\": ..., \"label\": ...}}].")
    return pd.DataFrame(obj)


def _read_parquet(raw: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(raw))
    except Exception as e:  # pyarrow raises several unrelated types for a bad file
        raise DataError(f"{filename} is not a readable Parquet file ({type(e).__name__}: {e}).") from None


def read_table(raw: bytes, filename: str, notes: list[str] | None = None) -> pd.DataFrame:
    """Parse an uploaded file's bytes into a DataFrame, choosing the reader by extension.

    Raises:
        DataError: empty, too large, binary, undecodable or malformed file.
    """
    notes = notes if notes is not None else []
    name = Path(filename).name or "file"
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(
            f"{name} is {len(raw) / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB. "
            "Sample it down (e.g. a few thousand rows per class is plenty) and upload again."
        )
    if not raw:
        raise DataError(f"{name} is empty (0 bytes).")
    suffix = Path(name).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _read_parquet(raw, name)
    if suffix not in SUFFIXES:
        raise DataError(f"{name}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}.")
    if raw[:4] == b"PAR1":
        return _read_parquet(raw, name)
    text = _decode(raw, name, notes)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(text, name)
    if suffix == ".json":
        return _read_json(text, name)
    return _read_delimited(text, name, "\t" if suffix == ".tsv" else None)


def _pick(df: pd.DataFrame, names: tuple[str, ...], exclude: set[str]) -> str | None:
    lower = {str(c).strip().lower(): c for c in df.columns if c not in exclude}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _is_stringy(s: pd.Series) -> bool:
    vals = s.dropna()
    return len(vals) > 0 and vals.map(lambda v: isinstance(v, str)).mean() > 0.9


def detect_columns(df: pd.DataFrame, text_column: str | None = None,
                   label_column: str | None = None) -> tuple[str, str]:
    """Find the text and label columns, or check the ones given.

    Raises:
        DataError: a named column is missing, or the choice is ambiguous.
    """
    cols = [str(c) for c in df.columns]
    df.columns = cols
    for fld, val in (("text column", text_column), ("label column", label_column)):
        if val is not None and val not in cols:
            raise DataError(f"{fld} {val!r} is not in the file; its columns are {cols}.")
    if text_column and label_column and text_column == label_column:
        raise DataError(f"text and label column are both {text_column!r}; choose two different columns.")
    text = text_column or _pick(df, TEXT_NAMES, {label_column})
    if text is None:
        stringy = [c for c in cols if c != label_column and _is_stringy(df[c])]
        lengths = {c: df[c].dropna().astype(str).str.len().mean() for c in stringy}
        ranked = sorted(lengths, key=lengths.get, reverse=True)
        if not ranked:
            raise DataError(f"no text column found among {cols}; set the text column explicitly.")
        if len(ranked) > 1 and lengths[ranked[1]] > 0.5 * lengths[ranked[0]]:
            raise DataError(
                f"cannot tell which column holds the text: {ranked[:3]} all look like text. "
                "Set the text column explicitly."
            )
        text = ranked[0]
    label = label_column or _pick(df, LABEL_NAMES, {text})
    if label is None:
        cands = [c for c in cols if c != text and 2 <= df[c].nunique(dropna=True) <= MAX_CLASSES]
        if not cands:
            raise DataError(f"no label column found among {cols} (a column with 2-{MAX_CLASSES} distinct values); set it explicitly.")
        if len(cands) > 1:
            raise DataError(f"cannot tell which column holds the labels: {cands} all could. Set the label column explicitly.")
        label = cands[0]
    return text, label


def dataset_from_table(df: pd.DataFrame, name: str, text_column: str | None = None,
                       label_column: str | None = None, notes: list[str] | None = None) -> TextDataset:
    """Turn a parsed table into a cleaned :class:`TextDataset`."""
    text, label = detect_columns(df, text_column, label_column)
    if not any(isinstance(v, str) for v in df[text].dropna().head(1000)):
        raise DataError(
            f"column {text!r} holds {df[text].dropna().map(lambda v: type(v).__name__).iloc[0] if df[text].notna().any() else 'no'} values, not text; choose a column of plain strings as the text column."
        )
    if df[label].dropna().map(lambda v: isinstance(v, (list, dict))).any():
        raise DataError(f"column {label!r} holds nested values (lists or dicts); a label must be one string or number per row.")
    ds = build_dataset(df[text].tolist(), df[label].tolist(), name=name,
                       description=f"{name}: text column {text!r}, label column {label!r}")
    ds.notes = list(notes or []) + ds.notes
    ds.label_descriptions = list(ds.label_names)
    return ds


def load_file(path: str | Path, text_column: str | None = None, label_column: str | None = None,
              raw: bytes | None = None) -> TextDataset:
    """Load a user's CSV/TSV/JSONL/JSON/Parquet file (from disk, or from ``raw`` bytes).

    Raises:
        DataError: any problem with the file, with what to do about it.
    """
    path = Path(path)
    if raw is None:
        if not path.is_file():
            raise DataError(f"file {str(path)!r} does not exist.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DataError(
                f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB. "
                "Sample it down and try again."
            )
        raw = path.read_bytes()
    notes: list[str] = []
    df = read_table(raw, path.name, notes)
    return dataset_from_table(df, path.name, text_column, label_column, notes)
