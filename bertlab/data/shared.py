"""The cleaned dataset and splits that the runs of one launch share: read and cleaned once, not once a run.

A launch of 4 strategies x 3 seeds is 12 runs on one dataset and, the training seed aside, one split. Each run read
and cleaned the whole source again: a 650,000-row hub split took 14-22 s a run for the 3,500 texts the Standard caps
keep. :func:`shared_splits` serves every run after the first from what the first read, in this process (the job
manager's one worker thread, the CLI's `run`, :func:`bertlab.compare`), while the source is unchanged:

- a file: the SHA-256 of its bytes (what the runs record of it, so each run's hash is the one of the data it
  trained on); a folder of train/validation/test files: each file's size and times;
- a hub split: the table :func:`~bertlab.data.hub.hub_table` holds, the very object (it is cached per process):
  loaded again, it is read and cleaned again;
- a built-in dataset: :func:`~bertlab.data.builtin.load_builtin` keeps it per process already; its splits are
  shared here.

Each caller gets its own :class:`Splits` (new lists over the same text objects), so a run that adds a note to its
splits or reorders them touches no other run's. At most :data:`MAX_HELD` datasets are held (two launches on two
datasets take turns a run each in the app's queue); the job manager calls :func:`forget` once its queue is empty,
and the CLI and the Python API once their launch ends, so no idle process keeps a 650,000-row dataset alive.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from pathlib import Path

from bertlab.config import DataConfig
from bertlab.data.dataset import Splits, TextDataset
from bertlab.errors import BertlabError
from bertlab.heap import release_free_heap

MAX_HELD = 2  # datasets held at once
MAX_SPLITS = 16  # splits held per dataset (a sweep's points: its sizes x split seeds)

_LOCK = threading.RLock()  # one load at a time: a second caller for the same data waits for it, then shares it


@dataclasses.dataclass
class _Held:
    dataset: TextDataset
    stamp: object  # what the source was when read (see the module's docstring); compared, never trusted blindly
    digest: str | None  # a file's SHA-256
    splits: OrderedDict = dataclasses.field(default_factory=OrderedDict)


_HELD: OrderedDict[tuple, _Held] = OrderedDict()


_SPLIT_FIELDS = ("seed", "train_size", "val_size", "test_size", "drop_rare")


def _data_key(cfg: DataConfig) -> tuple:
    """What names one cleaned dataset: the source and every choice that reads it (the text pair's second column
    too), all of :class:`DataConfig` but the split's fields (a field added later is in the key unless named there)."""
    return tuple((f.name, getattr(cfg, f.name)) for f in dataclasses.fields(cfg) if f.name not in _SPLIT_FIELDS)


def _split_key(cfg: DataConfig) -> tuple:
    return tuple(getattr(cfg, f) for f in _SPLIT_FIELDS)


def file_digest(path: str | os.PathLike) -> str | None:
    """The SHA-256 of the file at ``path``, read in pieces (never the whole file in memory); None where it cannot
    be read (a folder, a deleted file)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _folder_stamp(path: Path) -> tuple | None:
    """A folder dataset's files as they are now: each one's path, size, and modification and change times."""
    from bertlab.data.files import folder_parts

    try:
        out = []
        for part, f in folder_parts(path):
            st = f.stat()
            out.append((part, str(f), st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        return tuple(out)
    except OSError:
        return None


class _Objects:
    """Objects (hub tables) that are equal to another ``_Objects`` while they are the very same living objects."""

    def __init__(self, objects: list) -> None:
        self.refs = tuple(weakref.ref(o) for o in objects)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _Objects) and len(self.refs) == len(other.refs)
                and all(a() is not None and a() is b() for a, b in zip(self.refs, other.refs)))

    __hash__ = None  # type: ignore[assignment]


def _stamp(cfg: DataConfig) -> tuple[object, str | None]:
    """What the source of ``cfg`` is now (None: unknown, so never served from what is held), and a file's SHA-256
    (None for others)."""
    if cfg.source == "file":
        from bertlab.data.files import MAX_FILE_BYTES

        path = Path(cfg.name)
        if path.is_dir():
            return _folder_stamp(path), None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:  # refused by the load, before a hash of 10 GB is taken
                return None, None
        except OSError:
            return None, None
        digest = file_digest(path)
        return digest, digest
    if cfg.source == "hub":
        from bertlab.data.hub import hub_table

        tables = [hub_table(cfg.name, cfg.hub_split, cfg.hub_config)]  # (what load_hub reads first: its errors)
        if cfg.hub_test_split:
            try:
                tables.append(hub_table(cfg.name, cfg.hub_test_split, cfg.hub_config))
            except BertlabError:  # the load says what is wrong, in its order of checks (the split's labels first)
                return None, None
        return _Objects(tables), None
    return ("builtin", cfg.name), None  # load_builtin keeps it for the process


def _same(a: object, b: object) -> bool:
    return a is not None and a == b


def _own(sp: Splits) -> Splits:
    """A copy of ``sp`` whose lists are the caller's own (the texts themselves are shared: strings never change)."""
    def copy(ds: TextDataset) -> TextDataset:
        return dataclasses.replace(
            ds, texts=list(ds.texts), labels=list(ds.labels), label_names=list(ds.label_names), notes=list(ds.notes),
            label_descriptions=None if ds.label_descriptions is None else list(ds.label_descriptions),
            parts=None if ds.parts is None else list(ds.parts),
            row_ids=None if ds.row_ids is None else list(ds.row_ids))
    return Splits(train=copy(sp.train), val=copy(sp.val), test=copy(sp.test), notes=list(sp.notes),
                  capped=sp.capped)


def _load(cfg: DataConfig) -> TextDataset:
    from bertlab.data import load_data  # (the package's, looked up at each call: tests count its reads there)

    return load_data(cfg)


def _held(cfg: DataConfig) -> _Held:
    """The held dataset ``cfg`` names, read now where none is held or its source changed since (the lock held)."""
    key = _data_key(cfg)
    stamp, _ = _stamp(cfg)
    held = _HELD.get(key)
    if held is not None and _same(held.stamp, stamp):
        _HELD.move_to_end(key)
        return held
    if held is not None:  # changed: the old copy goes before the new one is read
        del _HELD[key]
    while len(_HELD) >= MAX_HELD:  # and the least recently used, before the new one is read, not after
        _HELD.popitem(last=False)
    ds = _load(cfg)
    after, digest_after = _stamp(cfg)
    held = _Held(ds, after, digest_after)
    if _same(stamp, after):  # changed while it was read: served to this caller, kept for none
        _HELD[key] = held
    return held


def shared_splits(cfg: DataConfig) -> Splits:
    """The splits ``cfg`` gives, as :func:`bertlab.data.load_splits` makes them (the same texts, labels, order and
    notes), read and split once for every caller with the same data and split; their ``file_sha256`` is the data
    file's hash where it is one file. The splits are the caller's own to change.

    Raises:
        BertlabError: as :func:`bertlab.data.load_splits`.
    """
    from bertlab.data import split_for

    with _LOCK:
        held = _held(cfg)
        key = _split_key(cfg)
        sp = held.splits.get(key)
        if sp is None:
            sp = split_for(held.dataset, cfg)
            while len(held.splits) >= MAX_SPLITS:
                held.splits.popitem(last=False)
            if _HELD.get(_data_key(cfg)) is held:  # (not one read while its source changed)
                held.splits[key] = sp
        else:
            held.splits.move_to_end(key)
        out = _own(sp)
        out.file_sha256 = held.digest
        return out


def forget() -> None:
    """Let go of every held dataset and split, and hand the memory they held back to the OS."""
    with _LOCK:
        if not _HELD:
            return
        _HELD.clear()
    release_free_heap()


def held_count() -> int:
    """How many datasets are held now."""
    with _LOCK:
        return len(_HELD)
