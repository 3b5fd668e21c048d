"""Hugging Face hub datasets, for users who are online."""

from __future__ import annotations

import os
import re
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from bertlab.config import hub_label, is_hub_id
from bertlab.data.builtin import close_builtin
from bertlab.data.dataset import TextDataset
from bertlab.data.files import dataset_from_table, detect_columns, detect_pair_column
from bertlab.errors import DataError

HUB_HOST = "huggingface.co"
_CONFIG_MISSING = re.compile(r"Config name is missing.*?available configs: (\[[^\]]*\])", re.S)
_OFFLINE_LOCK = threading.Lock()


_TRUE = {"1", "true", "yes", "on"}


def _hub_address() -> tuple[str, int]:
    """Where a download would connect first: the proxy when one is set for the hub's host, else the hub itself
    (or the mirror ``HF_ENDPOINT`` names)."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or f"https://{HUB_HOST}")
    host = endpoint.hostname or HUB_HOST
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    proxies = getproxies()  # HTTPS_PROXY, https_proxy, ALL_PROXY... as requests and httpx read them
    proxy = proxies.get(endpoint.scheme or "https") or proxies.get("all")
    if proxy and not proxy_bypass(host):
        p = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if p.hostname:
            return p.hostname, p.port or (443 if p.scheme == "https" else 80)
    return host, port


def hub_reachable(timeout: float = 3.0) -> bool:
    """True if the hub (or the proxy or mirror set for it) answers a TCP connect quickly, and offline mode is
    not forced."""
    if any(os.environ.get(v, "").strip().lower() in _TRUE for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")):
        return False
    try:
        with socket.create_connection(_hub_address(), timeout=timeout):
            return True
    except OSError:
        return False


@contextmanager
def _offline():
    """datasets and huggingface_hub in offline mode for a while (they read their env vars once, at import):
    a dataset downloaded earlier then loads from the local cache at once, instead of after network timeouts."""
    import datasets
    from huggingface_hub import constants

    with _OFFLINE_LOCK:  # one at a time: two overlapping loads would restore each other's flags wrongly
        before = datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE
        datasets.config.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE = True
        try:
            yield
        finally:
            datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE = before


def check_hub_name(name: str) -> None:
    """Refuse a hub dataset name that ``datasets.load_dataset`` would read from this machine's disk instead: it
    prefers a local path when one exists, so a "hub name" like ``bertlab-data/uploads`` or ``/srv/private`` would
    load another user's files. One message for every refusal, saying nothing about what is on the disk.

    Raises:
        DataError: the name is not a hub id, or it is also a path here (relative to the working directory).
    """
    s = str(name)
    if not is_hub_id(s) or os.path.isabs(s) or os.path.lexists(s) or os.path.lexists(os.path.expanduser(s)):
        raise DataError(f"hub dataset name {s!r} is not a hub id like 'imdb' or 'user/dataset' that can only mean "
                        "a dataset on the hub (it must not name a file or folder on this machine), so it is not "
                        "loaded. To use a file of your own, upload it on the Data page (on the command line: "
                        "--dataset PATH).")


@dataclass
class HubTable:
    """A hub split as a table, ClassLabel ids already turned into names."""

    frame: pd.DataFrame
    unlabelled: dict[str, int]  # per ClassLabel column: rows whose id was -1 (unlabelled)
    cached: bool  # loaded from the local datasets cache because the hub is unreachable


@lru_cache(maxsize=4)  # the Data page's column pickers and every run of a launch read the same split (or two)
def hub_table(name: str, split: str = "train", config: str | None = None) -> HubTable:
    """Load ``name`` with ``datasets.load_dataset`` (treat the frame as read-only). Offline, a copy downloaded
    earlier loads from the local datasets cache; without one, a clear message says what to do instead.

    Raises:
        DataError: a name ``check_hub_name`` refuses (checked before anything is read), hub unreachable and
            nothing cached, or an unknown dataset, config or split.
    """
    check_hub_name(name)
    import datasets  # local import: slow, and only needed for the hub

    online = hub_reachable()
    try:
        if online:
            d = datasets.load_dataset(name, config, split=split)
        else:
            with _offline():
                d = datasets.load_dataset(name, config, split=split)
    except Exception as e:  # the hub raises many types: not found, gated, bad split...
        which = f"split {split!r}" + (f", config {config!r}" if config else "")
        near = close_builtin(name)  # 'rotten_tomatos' typed here: the built-in was meant, most likely
        # (its very name, 'tweets', too: it went unnamed where 'Tweets' was named)
        builtin = (f"the built-in {near!r} (Built-in on the Data page, --dataset {near} on the command line), "
                   + ("of that name" if near == name else f"whose name is close to {name!r}") if near
                   else "a built-in dataset")
        if not online:
            raise DataError(
                f"the Hugging Face hub is unreachable and dataset {name!r} ({which}) is not in this "
                "machine's datasets cache, so it cannot be loaded. Download it on a machine that is online and "
                "use it as a CSV/JSONL/Parquet file (uploaded on the Data page, or its path as --dataset on the command "
                f"line), or pick {builtin}."
            ) from None
        if m := _CONFIG_MISSING.search(str(e)):  # its own advice reads `load_dataset('glue', 'ax')`: say where to type
            raise DataError(f"hub dataset {name!r} has several configs (subsets) and needs one: {m.group(1)}. Type "
                            "one in the Data page's Config field (on the command line: --hub-config NAME).") from None
        raise DataError(f"could not load hub dataset {name!r} ({which}): {e}"
                        + (f" Or pick {builtin}." if near else "")) from None
    df = d.to_pandas()
    return HubTable(df, _names_for_class_labels(df, d.features), cached=not online)


def load_hub(name: str, split: str = "train", config: str | None = None, text_column: str | None = None,
             label_column: str | None = None, test_split: str | None = None,
             pair_column: str | None = None) -> TextDataset:
    """The cleaned dataset of a hub split (see ``hub_table``), from the given or detected columns; with
    ``test_split``, that split's rows too, as the test set (the dataset's own, as papers report on), ``split``'s
    for training and validation. ``pair_column``: a text pair's second text (GLUE's MRPC and QNLI are found as
    pairs by their columns' names: :func:`bertlab.data.files.detect_pair_column`).

    Raises:
        DataError: as ``hub_table``, or column problems; a test split without labels.
    """
    t = hub_table(name, split, config)
    label_named = label_column is not None  # (a test split's detection fills label_column in below)
    col = label_column or (next(iter(t.unlabelled)) if len(t.unlabelled) == 1 else None)
    if col is not None and len(t.frame) and t.unlabelled.get(col) == len(t.frame):
        # imdb's 'unsupervised': said as 'no rows with both a non-empty text and a label'
        raise DataError(f"the hub split {split!r} of {name!r} has no labels (every row's {col!r} is -1: unlabelled "
                        "text, kept for pretraining), so there is nothing to train on. Name a labelled split "
                        "(often 'train').")
    frame, parts, source = t.frame.copy(), None, None
    counts = dict(t.unlabelled)
    if test_split:
        tt = hub_table(name, test_split, config)
        # the columns read from the training split (detected once, and given to the table of both below)
        detected = text_column is None
        text_column, label_column = detect_columns(t.frame.copy(), text_column, label_column, pair_column)
        if detected and pair_column is None:  # found here, so that dataset_from_table below is told both
            pair_column = detect_pair_column(t.frame, text_column, label_column)
        if missing := [c for c in (text_column, pair_column, label_column) if c and c not in tt.frame.columns]:
            raise DataError(f"the hub split {test_split!r} of {name!r} has no column {' or '.join(map(repr, missing))} "
                            f"(its columns: {[str(c) for c in tt.frame.columns]}), so its rows cannot be read like "
                            f"those of {split!r}. Leave the test split empty to draw one, or name another.")
        frame = pd.concat([frame, tt.frame[[c for c in tt.frame.columns if c in frame.columns]]], ignore_index=True)
        parts = ["train"] * len(t.frame) + ["test"] * len(tt.frame)
        source = f"the hub's own splits ({split!r} to train and validate on, {test_split!r} to test on)"
        for col, k in tt.unlabelled.items():
            counts[col] = counts.get(col, 0) + k
        # the label column's ids, where it is a ClassLabel column (given, or the only one): all -1, no test at all
        col = label_column or (next(iter(tt.unlabelled)) if len(tt.unlabelled) == 1 else None)
        if col is not None and len(tt.frame) and tt.unlabelled.get(col) == len(tt.frame):
            raise DataError(f"the hub split {test_split!r} of {name!r} has no labels (every row's {col!r} is -1, as "
                            "in many benchmarks' hidden test sets): it cannot score a model. Leave the test split "
                            "empty to draw one, or name a labelled split (often 'validation').")
    # Rows keep the hub's id column where it has one; numbers in a table of two splits would name no row.
    shown = hub_label(name, config)  # as DataConfig.label names it
    ds = dataset_from_table(frame, shown, text_column, label_column, parts=parts, split_source=source,
                            number_rows=False, label_named=label_named, pair_column=pair_column,
                            undo_guard=False)  # (a hub dataset is no table bertlab wrote)
    if test_split:
        ds.description += f", test split {test_split!r}"
    # The -1 count of the label column used (given, or the only ClassLabel column; else the largest count).
    unlabelled = counts.get(label_column, 0) if label_column else (
        next(iter(counts.values())) if len(counts) == 1 else max(counts.values(), default=0))
    for i, note in enumerate(ds.notes):
        if unlabelled and note.endswith(" with a missing label"):
            ds.notes[i] = f"{note} ({unlabelled:,} had label -1: unlabelled, as in many hub test splits)"
    if t.cached:
        ds.notes.append("loaded from this machine's datasets cache: the hub is unreachable, so this is the copy "
                        "downloaded earlier")
    return ds


def _names_for_class_labels(df, features) -> dict[str, int]:
    """Replace ClassLabel ids by their names in every ClassLabel column of ``df``, in place.

    Ids outside the names (-1 marks an unlabelled row in hub datasets) become missing,
    so they are dropped rather than read as a class. Returns how many -1 ids each
    ClassLabel column held.
    """
    counts: dict[str, int] = {}
    for col, feat in features.items():
        names = getattr(feat, "names", None)
        if not names or col not in df.columns:
            continue
        # A column with missing ids comes out of to_pandas() as floats (1.0, nan): read whole floats as ids.
        ids = [int(i) if isinstance(i, float) and i.is_integer() else i for i in df[col].tolist()]
        counts[col] = sum(1 for i in ids if i == -1)
        df[col] = [names[i] if isinstance(i, int) and 0 <= i < len(names) else None for i in ids]
    return counts
