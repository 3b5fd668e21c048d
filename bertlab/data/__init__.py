"""Datasets: built-in (offline), users' files, hub names; cleaning and stratified splits."""

from __future__ import annotations

from bertlab.config import DataConfig
from bertlab.data.builtin import BUILTIN, load_builtin
from bertlab.data.dataset import Splits, TextDataset, build_dataset, split_dataset
from bertlab.data.files import detect_columns, detect_split_column, fallback_columns, load_file, read_table, save_upload
from bertlab.data.hub import load_hub

__all__ = [
    "BUILTIN", "DataConfig", "Splits", "TextDataset", "build_dataset", "detect_columns", "detect_split_column", "fallback_columns",
    "load_builtin",
    "load_data", "load_file", "load_hub", "load_splits", "read_table", "save_upload", "split_dataset", "split_for",
]


def load_data(cfg: DataConfig) -> TextDataset:
    """Load the whole (cleaned) dataset that ``cfg`` names."""
    if cfg.source == "builtin":
        return load_builtin(cfg.name)
    if cfg.source == "file":
        return load_file(cfg.name, cfg.text_column, cfg.label_column, split_column=cfg.split_column,
                         pair_column=cfg.text_pair_column)
    return load_hub(cfg.name, cfg.hub_split, cfg.hub_config, cfg.text_column, cfg.label_column, cfg.hub_test_split,
                    pair_column=cfg.text_pair_column)


def split_for(ds: TextDataset, cfg: DataConfig) -> Splits:
    """``ds`` (the dataset ``cfg`` names, loaded) split as ``cfg`` says: its seed, caps and rare classes."""
    return split_dataset(ds, seed=cfg.seed, train_size=cfg.train_size, val_size=cfg.val_size,
                         test_size=cfg.test_size, drop_rare=cfg.drop_rare)


def load_splits(cfg: DataConfig) -> Splits:
    """Load and split the dataset that ``cfg`` names, applying its caps."""
    return split_for(load_data(cfg), cfg)
