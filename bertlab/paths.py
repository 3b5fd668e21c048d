"""Where bertlab keeps its files, and safe path building under that root."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bertlab.errors import BertlabError, StoreError, store_message

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


DEFAULT_HOME = Path(__file__).resolve().parent.parent / "bertlab-data"


def data_home() -> Path:
    """Return the data directory (``$BERTLAB_HOME``, else ``bertlab-data`` in the checkout), created if missing.

    The default sits beside the code rather than in the working directory, so the app and a CLI started from any
    folder (``/path/to/bertlab/.venv/bin/python -m bertlab ...`` next to one's data files) share their runs. A
    ``bertlab-data`` with runs in the working directory (the default before) is still used there: its runs stay
    in sight.
    """
    env = os.environ.get("BERTLAB_HOME")
    here = Path("bertlab-data").resolve()
    root = Path(env).expanduser().resolve() if env else here if (here / "runs.sqlite").is_file() else DEFAULT_HOME
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a parent not ours to write, a full disk: a sentence, not a traceback
        raise StoreError(store_message(root, e)) from None
    return root


def check_id(value: str, field: str = "id") -> str:
    """Validate an identifier that will become part of a path.

    Raises:
        BertlabError: if ``value`` could escape its directory (``..``, ``/``...).
    """
    if not isinstance(value, str) or not _SAFE_ID.match(value) or ".." in value:
        raise BertlabError(
            f"{field} {value!r} is not a valid identifier: use letters, digits, '-', '_' or '.' only."
        )
    return value


def safe_join(root: Path, *parts: str) -> Path:
    """Join ``parts`` under ``root`` and refuse anything that resolves outside it."""
    root = Path(root).resolve()
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        raise BertlabError(f"path {'/'.join(parts)!r} points outside {root}; refusing to use it.")
    return target


def keep_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, only where it changed (a choice the app keeps for later sessions).
    A data directory that cannot be written keeps nothing: the choice then lasts the session only."""
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def dir_bytes(path: Path | str, skip: tuple[str, ...] = ()) -> int:
    """Bytes of the files under ``path`` (recursively; 0 where it is not a folder), leaving out the top-level
    entries named in ``skip``; a file that vanishes meanwhile counts nothing."""
    root = Path(path)
    total = 0
    for p in root.rglob("*") if root.is_dir() else ():
        try:
            if p.is_file() and p.relative_to(root).parts[0] not in skip:
                total += p.stat().st_size
        except OSError:
            continue
    return total


def format_bytes(n: int | None) -> str:
    """'87.3 MiB', '412 KiB', '-' for unknown: a size on disk as the pages and the report show it. A size that the
    unit below would write as 1,024.0 takes this one (1 MiB less a byte read "1,024.0 KiB", not "1.0 MiB")."""
    if n is None:
        return "-"
    for div, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if float(f"{n * 2**10 / div:.1f}") >= 2**10:  # as the unit below writes it (bytes: whole, the same test)
            return f"{n / div:,.1f} {unit}"
    return f"{n:,} B"


def freed_words(n: int) -> str:
    """'412.5 KiB freed', 'nothing on disk to free': what deleting files of ``n`` bytes gave back (a run's 300 KiB
    read '0.3 MiB freed' and a run with no files left '0.0 MiB freed', as if something had been)."""
    return f"{format_bytes(n)} freed" if n > 0 else "nothing on disk to free"


def positive_int_env(name: str, default: int, what: str, default_text: str,
                     error: type[BertlabError] = BertlabError) -> int:
    """The whole number of at least 1 the environment variable ``name`` gives, or ``default`` where it is unset or
    blank: a limit whoever runs the server may raise (runs per launch, megabytes of uploads).

    Raises:
        ``error``: the variable holds anything else, worded "NAME must be a whole number {what}, got ...; unset it
        for the default, {default_text}."
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise error(f"{name} must be a whole number {what}, got {text!r}; unset it for the default, {default_text}.")
    return n
