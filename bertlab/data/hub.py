"""Hugging Face hub datasets, for users who are online."""

from __future__ import annotations

import os
import socket

from bertlab.data.dataset import TextDataset
from bertlab.data.files import dataset_from_table
from bertlab.errors import DataError

HUB_HOST = "huggingface.co"


def hub_reachable(timeout: float = 3.0) -> bool:
    """True if the hub answers a TCP connect quickly (and offline mode is not forced)."""
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return False
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def load_hub(name: str, split: str = "train", config: str | None = None, text_column: str | None = None,
             label_column: str | None = None) -> TextDataset:
    """Load ``name`` with ``datasets.load_dataset``; fail fast with a clear message when offline.

    Raises:
        DataError: hub unreachable, unknown dataset/split, or column problems.
    """
    if not hub_reachable():
        raise DataError(
            f"the Hugging Face hub is unreachable, so dataset {name!r} cannot be downloaded. "
            "Download it on a machine that is online and upload it here as a CSV/JSONL/Parquet file, "
            "or pick a built-in dataset."
        )
    import datasets  # local import: slow, and only needed online

    try:
        d = datasets.load_dataset(name, config, split=split)
    except Exception as e:  # the hub raises many types: not found, gated, bad split...
        raise DataError(f"could not load hub dataset {name!r} (split {split!r}): {e}") from None
    df = d.to_pandas()
    unlabelled = _names_for_class_labels(df, d.features)
    ds = dataset_from_table(df, name, text_column, label_column)
    generic = f"dropped {unlabelled:,} rows with a missing label"
    if unlabelled and generic in ds.notes:
        ds.notes[ds.notes.index(generic)] = (f"dropped {unlabelled:,} rows with label -1 "
                                             "(unlabelled, as in many hub test splits)")
    return ds


def _names_for_class_labels(df, features) -> int:
    """Replace ClassLabel ids by their names in every ClassLabel column of ``df``, in place.

    Ids outside the names (-1 marks an unlabelled row in hub datasets) become missing,
    so they are dropped rather than read as a class. Returns how many -1 ids the
    chosen columns held (the largest count over ClassLabel columns).
    """
    most = 0
    for col, feat in features.items():
        names = getattr(feat, "names", None)
        if not names or col not in df.columns:
            continue
        ids = df[col].tolist()
        most = max(most, sum(1 for i in ids if i == -1))
        df[col] = [names[i] if isinstance(i, int) and 0 <= i < len(names) else None for i in ids]
    return most
