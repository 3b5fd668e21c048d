"""The spreadsheet guard of bertlab's CSVs (:func:`bertlab.report._cell` puts an apostrophe before a text a
spreadsheet would run as a formula), and taking it off a table read back: a small module, so that the file loader
(:mod:`bertlab.data.files`) reads it without importing the report's store and plots."""

from __future__ import annotations

import re

GUARDED = ("=", "+", "-", "@", "'", "\t", "\r")  # what :func:`bertlab.report._cell` puts an apostrophe before


def guard_undone(values: list) -> list | None:
    """A column of a table read back (``values``) without the apostrophe :func:`bertlab.report._cell` put before its
    texts, where the column bears that guard's mark: some text starts with an apostrophe, each that does is a text
    the guard marks with one put before it, and no text the guard marks is left bare. None where it does not (a
    file bertlab did not write keeps its apostrophes: "'90s hits" or "'@user" beside "@user" are not its guard's)."""
    texts = [v for v in values if isinstance(v, str)]
    marked = [v for v in texts if v[:1] == "'"]
    if not marked or any(v[1:2] not in GUARDED or is_number(v[1:]) for v in marked):
        return None
    if any(v[:1] in GUARDED and v[:1] != "'" and not is_number(v) for v in texts):
        return None
    return [v[1:] if isinstance(v, str) and v[:1] == "'" else v for v in values]


# bertlab writes the guard in CSVs alone (a spreadsheet may keep it in a workbook it saves), never in JSON lines
# (predict -o with --json), Parquet or a save_to_disk folder's Arrow, whose apostrophes are the texts' own
_NO_GUARD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet", ".pq", ".arrow")


def may_bear_guard(name: str, head: bytes = b"") -> bool:
    """Whether a file named ``name`` (its first bytes ``head``, where read) can hold the guard: a CSV, TSV, text or
    workbook can; a JSON-lines, JSON or Parquet file cannot (a .jsonl of "'-) wink" was read as "-) wink")."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return f".{suffix}" not in _NO_GUARD_SUFFIXES and head[:4] != b"PAR1"


def guard_note(name: str, column: object, n: int) -> str:
    """The note said where :func:`guard_undone` took the guard off ``n`` cells of ``column`` of file ``name``."""
    return (f"{name}: took the ' off {n:,} cell(s) of column {column!r} that bertlab's CSVs put before a text starting "
            "with = + - @ or ' (a spreadsheet's formula guard), to read those texts as written")


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_number(v: str) -> bool:
    """'-1', '+2.5', '1e-3': a number a spreadsheet reads as one (not 'nan', '-inf' or '1_000')."""
    return _NUMBER.fullmatch(v) is not None
