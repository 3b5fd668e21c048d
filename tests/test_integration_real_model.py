"""The real packaged model on a small rotten_tomatoes subset (slow: a few minutes on 2 CPU cores)."""

from __future__ import annotations

import pytest

from bertlab.config import DataConfig
from bertlab.predict import Predictor
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


@pytest.mark.slow
def test_full_ft_and_head_only_beat_majority_on_rotten_tomatoes():
    store = RunStore()
    data = DataConfig(name="rotten_tomatoes", train_size=600, val_size=100, test_size=300)
    ids = {}
    for s in ("zero_shot", "head_only", "full_ft"):
        cfg = make_config(s, data=data, **({"epochs": 2, "batch_size": 16} if s == "full_ft" else {}))
        ids[s] = store.create_run(cfg)
        assert execute_run(store, ids[s]) == SUCCEEDED, store.get(ids[s]).error
    m = {s: store.get(i).metrics for s, i in ids.items()}
    majority = m["full_ft"]["majority_accuracy"]
    assert 0.5 < majority < 0.65
    assert m["full_ft"]["test_accuracy"] > majority + 0.05
    assert m["head_only"]["test_accuracy"] > majority + 0.05
    assert m["zero_shot"]["test_accuracy"] > majority
    preds = Predictor(store).predict(list(ids.values()), ["A moving, beautifully acted film.",
                                                          "Dull, lifeless and far too long."])
    for p in preds:
        assert p.labels == ["fresh", "rotten"], (p.strategy, p.probs)
