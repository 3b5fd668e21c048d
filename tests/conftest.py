"""Shared fixtures: an isolated data home, a tiny random BERT and a tiny dataset."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

# onnxruntime leaves /tmp/mat-debug-<pid>.log (and queues telemetry) unless this is set before it loads. bertlab sets
# it on import, but a test file that imports onnxruntime first (test_onnxrt.py run alone) and the exported models'
# code run in subprocesses left one file per process in /tmp. test_onnxrt's own check of bertlab removes it.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

POS = ["good", "great", "wonderful", "superb", "lovely", "excellent", "fun", "moving"]
NEG = ["bad", "awful", "terrible", "boring", "dull", "poor", "weak", "tedious"]
FILL = ["the", "film", "was", "really", "quite", "plot", "acting", "story", "and", "a"]


def make_texts(n_per_class: int = 40, seed: int = 0) -> tuple[list[str], list[str]]:
    """Separable two-class texts: sentiment words in filler."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n_per_class):
        for lab, words in (("pos", POS), ("neg", NEG)):
            body = rng.sample(FILL, 4) + rng.sample(words, 2)
            rng.shuffle(body)
            texts.append(" ".join(body) + f" #{i}")
            labels.append(lab)
    return texts, labels


@pytest.fixture(autouse=True)
def bertlab_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data directory (store, caches, artifacts)."""
    home = tmp_path / "home"
    monkeypatch.setenv("BERTLAB_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # A fixed thread count: tests that compare two runs bit for bit failed on a busy machine when one of the
    # two gave a thread way (bertlab.cpushare; another count rounds differently). Its own tests turn it on.
    monkeypatch.setenv("BERTLAB_CPU_SHARE", "0")
    from bertlab.data.hub import hub_table

    hub_table.cache_clear()  # a hub split one test faked must not answer the next test
    from bertlab.data import shared

    shared.forget()  # nor the data another test's runs shared
    from bertlab import runner

    # as if a run had been measured in this process already: which test's run came first would mark its memory
    # "first in its process" (tests of that mark set it to 0)
    monkeypatch.setattr(runner, "_MEASURED_IN_PROCESS", [1])
    return home


@pytest.fixture
def private_folder_and_no_hub_load(tmp_path, monkeypatch) -> tuple[Path, list]:
    """Another user's uploads at bertlab-data/uploads under the working directory (a 'secretlabel' CSV), the hub
    reachable, and ``datasets.load_dataset`` recording its calls and failing the test if one is made."""
    import pandas as pd

    datasets = pytest.importorskip("datasets")
    from bertlab.data import hub

    uploads = tmp_path / "bertlab-data" / "uploads"
    uploads.mkdir(parents=True)
    pd.DataFrame({"text": ["private words"] * 4, "label": ["secretlabel", "other"] * 2}).to_csv(
        uploads / "a.csv", index=False)
    monkeypatch.chdir(tmp_path)
    calls: list = []
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: calls.append(a) or pytest.fail("loaded"))
    return uploads, calls


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    """A random 2-layer, hidden-32 BERT saved with the packaged model's tokenizer (safetensors)."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from bertlab.models import default_model_path

    d = tmp_path_factory.mktemp("tiny-bert")
    tok = AutoTokenizer.from_pretrained(default_model_path())
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    import torch

    torch.manual_seed(0)
    BertModel(cfg).save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    return str(d)


@pytest.fixture
def tiny_csv(tmp_path) -> Path:
    """A 2-class CSV of 80 rows."""
    import pandas as pd

    texts, labels = make_texts()
    p = tmp_path / "tiny.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(p, index=False)
    return p


@pytest.fixture
def tiny_data(tiny_csv):
    """A DataConfig over the tiny CSV with small splits."""
    from bertlab.config import DataConfig

    return DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None)


@pytest.fixture
def two_rates(tiny_data):
    """A persona's plan, stored as finished runs with answers of known quality on the real test set (no training):
    head_only and full_ft each at learning rates 0.001 and 0.03 and seeds 0 and 1, and zero_shot: 9 runs, one
    batch. head_only at 0.03, seed 1, answers one class to every text; the runs trained on two machines."""
    import numpy as np

    from bertlab import paired
    from bertlab.data import load_splits
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    test = load_splits(tiny_data).test
    names, y = test.label_names, list(test.labels)
    fp = paired.fingerprint(test.texts, y, names)
    store = RunStore()
    plan = [("head_only", lr, seed) for lr in (0.001, 0.03) for seed in (0, 1)]
    plan += [("full_ft", lr, seed) for lr in (0.001, 0.03) for seed in (0, 1)] + [("zero_shot", None, 0)]
    ids = []
    for i, (name, lr, seed) in enumerate(plan):
        kw = {"learning_rate": lr} if lr else {}
        rid = store.create_run(make_config(name, data=tiny_data, seed=seed, **kw), batch_id="b-rates")
        rng = np.random.default_rng(i)
        preds = ([0] * len(y) if (name, lr, seed) == ("head_only", 0.03, 1)
                 else [t if rng.random() < 0.55 + 0.04 * i else 1 - t for t in y])
        conf = np.zeros((len(names), len(names)), dtype=int)
        np.add.at(conf, (np.asarray(y), np.asarray(preds)), 1)
        store.claim(rid, "cpu")
        store.update(rid, artifact_dir=str(store.artifact_path(rid)), data_summary={
            "sizes": {"train": 40, "validation": 10, "test": len(y)},
            "environment": {"device": "cpu", "torch": ("2.4.0", "2.5.1")[i % 2]}})
        paired.save_predictions(store.artifact_path(rid), preds, y, fp)
        acc = float(np.mean(np.asarray(preds) == np.asarray(y)))
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": acc, "test_macro_f1": acc, "majority_accuracy": 0.5,
                                              "confusion": conf.tolist(), "label_names": names},
                     costs={"train_seconds": 1.0 + i, "train_flops": 1e9 * (i + 1), "trainable_params": 100,
                            "device": "cpu"})
        ids.append(rid)
    return store, ids


def deleting_the_rest_at_the_first_run(monkeypatch) -> list[str]:
    """Another terminal's `cancel` then `delete` of a launch's runs still queued, done as its first run starts:
    wraps execute_run; returns the ids deleted (test_cli_scripts, test_api)."""
    import bertlab.runner as runner
    from bertlab.store import QUEUED, RunStore

    real, deleted = runner.execute_run, []

    def execute_run(store, rid, *args, **kwargs):
        if not deleted:
            other = RunStore()
            rest = [r.id for r in other.list_runs(status=(QUEUED,), limit=None) if r.id != rid]
            for i in rest:
                other.request_cancel(i)
            deleted.extend(other.delete_finished(rest)[0])
        return real(store, rid, *args, **kwargs)

    monkeypatch.setattr(runner, "execute_run", execute_run)
    return deleted
