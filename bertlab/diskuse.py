"""How much disk the data directory takes, and freeing it: the app's sidebar line, ``delete --all/--before`` and
``clean --caches``.

A classroom server left running for a term filled gigabytes (each fine-tuned MiniLM run ~87 MB, twice that once the
Playground has exported it to ONNX) with nothing that said so, and cleanup was one batch at a time.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bertlab.errors import BertlabError
from bertlab.paths import dir_bytes, format_bytes
from bertlab.store import ACTIVE, CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED, RunStore

# What `clean --caches` removes under <data home>/cache/: computed again when needed (the frozen encoder's
# embeddings of a dataset, its ONNX export). Not the device's measured speed (cache/speed_probe.json,
# bertlab.speedprobe.PROBE_FILE), which time estimates use.
CACHE_DIRS = ("embeddings", "onnx")
ALL_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)


@dataclass(frozen=True)
class DiskUse:
    """Bytes the data directory's parts take."""

    runs_bytes: int
    runs: int  # how many runs the store holds
    cache_bytes: int
    upload_bytes: int

    def line(self) -> str:
        """'Runs 87.4 MiB (4) · caches 1.8 MiB · uploads 0 B', in the units the pages use (:func:`format_bytes`)."""
        return (f"Runs {format_bytes(self.runs_bytes)} ({self.runs}) · caches {format_bytes(self.cache_bytes)} · "
                f"uploads {format_bytes(self.upload_bytes)}")


def measure(store: RunStore) -> DiskUse:
    """Walk the data directory once (a few files per run: milliseconds for a term's runs)."""
    root = store.root
    return DiskUse(dir_bytes(root / "runs"), len(store.ids(ALL_STATUSES)), dir_bytes(root / "cache"),
                   dir_bytes(root / "uploads"))


_CACHED: dict[str, tuple[float, DiskUse | None, object]] = {}  # {data directory: (when, answer, the mark it is of)}
_LOCK = threading.Lock()
_BUSY: set[str] = set()


def runs_mark(store: RunStore) -> tuple[int, float]:
    """(how many runs the store holds, when the latest ended): changes when a run is launched, ends or is deleted,
    what :func:`cached` measures again for. One row from an index, for every rerun of every page."""
    return store.finished_mark(ALL_STATUSES)


def cached(store: RunStore, max_age: float = 60.0, wait: float = 0.0, mark: object = None) -> DiskUse | None:
    """:func:`measure`'s last answer for ``store``, at most ``max_age`` seconds old. When it is older (or none yet) a
    background thread measures again, and the older answer comes back meanwhile; on the very first call for
    ``store``, after waiting up to ``wait`` seconds for the thread (the walk takes milliseconds: an idle page that
    opened without the line would never show it), the fresh one if it came, else None. ``mark`` (:func:`runs_mark`):
    where it differs from the one the last answer was measured at, the runs changed since: measured again at once,
    waited for as the first (the line read "Runs 6.3 KiB (2)" on Compare's first render after two runs had
    finished, 837.9 KiB, for up to a minute). A measurement that fails (a folder that cannot be read) keeps the
    older answer (None where there is none) until it is ``max_age`` old, then is tried again in the background,
    never waited for: every render waited ``wait`` anew for a walk that kept failing."""
    key = str(store.root)
    with _LOCK:
        first = key not in _CACHED
        when, use, seen = _CACHED.get(key, (float("-inf"), None, None))
        changed = mark is not None and not first and mark != seen
        if (time.monotonic() - when < max_age and not changed) or key in _BUSY:
            return use
        _BUSY.add(key)

    def again() -> None:
        fresh = use
        try:
            fresh = measure(store)
        except Exception:  # noqa: BLE001 - a folder that cannot be read now: the older answer, tried again in max_age
            pass
        finally:
            with _LOCK:
                _CACHED[key] = (time.monotonic(), fresh, mark)
                _BUSY.discard(key)

    thread = threading.Thread(target=again, name="bertlab-disk-use", daemon=True)
    thread.start()
    if (first or changed) and wait > 0:
        thread.join(wait)
        with _LOCK:
            use = _CACHED.get(key, (None, None, None))[1]
    return use


def parse_date(value: str) -> float:
    """A ``--before`` date (2026-01-31, or 2026-01-31T12:00) as a timestamp in local time.

    Raises:
        BertlabError: not a date, with the form it takes.
    """
    try:
        return datetime.fromisoformat(value.strip()).timestamp()
    except ValueError:
        raise BertlabError(f"--before {value!r} is not a date: give it as YYYY-MM-DD (e.g. 2026-01-31), "
                         "optionally with a time (2026-01-31T12:00).") from None


def ended_runs(store: RunStore, before: float | None = None) -> list[str]:
    """The ids of the runs that ended (not queued or running), and where ``before`` is given, ended before it
    (a run without an end time, by when it was made)."""
    ended = [r for r in store.list_runs(limit=None) if r.status not in ACTIVE]
    return [r.id for r in ended if before is None or (r.finished or r.created) < before]


def clean_caches(root: Path) -> int:
    """Remove the embedding and ONNX caches under ``root``/cache (not runs, not uploads); the bytes freed."""
    freed = 0
    for name in CACHE_DIRS:
        d = root / "cache" / name
        if d.is_dir():
            held = dir_bytes(d)
            shutil.rmtree(d, ignore_errors=True)
            freed += held - dir_bytes(d)  # a file that could not be removed is not counted as freed
    return freed
