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
    if label_column is None and "label" in df.columns:
        feat = d.features.get("label")
        if getattr(feat, "names", None):
            df["label"] = [feat.names[i] for i in df["label"]]
    return dataset_from_table(df, name, text_column, label_column)
