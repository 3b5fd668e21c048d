"""The GPU code paths a CPU machine never takes, simulated on CPU: host-to-device copies that do not wait for the
device, and the Apple GPU's (mps) synchronize and cache release beside CUDA's."""

from __future__ import annotations

import sys

import pytest
import torch

from bertlab import engine, models, speedprobe
from bertlab.runner import execute_run, release_memory
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


def test_dapts_masked_lm_copies_its_batches_to_the_device_without_waiting(tiny_model, tiny_data, monkeypatch):
    # A review: batch["input_ids"].to(dev) and mask.to(dev) were blocking copies, a stream sync every step on CUDA.
    real_to = torch.Tensor.to
    blocking = []

    def to(self, *args, **kwargs):
        if sys._getframe(1).f_code.co_name == "continue_pretraining" and not kwargs.get("non_blocking"):
            blocking.append(sys._getframe(1).f_lineno)
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    store = RunStore()
    rid = store.create_run(make_config("dapt", model=tiny_model, data=tiny_data, epochs=1, batch_size=8,
                                       max_length=32, learning_rate=1e-3))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).traceback
    assert store.get(rid).costs["mlm_steps"] > 0
    assert blocking == [], f"blocking copies at dapt.py lines {sorted(set(blocking))}"


@pytest.fixture
def apple_gpu(monkeypatch):
    """torch as on a Mac with an Apple GPU and no CUDA: what each mps call was asked."""
    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    monkeypatch.setattr(torch.mps, "synchronize", lambda: calls.append("synchronize"))
    monkeypatch.setattr(torch.mps, "empty_cache", lambda: calls.append("empty_cache"))
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: pytest.fail("CUDA synchronize on a Mac"))
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: pytest.fail("CUDA empty_cache on a Mac"))
    return calls


def test_a_step_timed_on_an_apple_gpu_waits_for_it(apple_gpu):
    speedprobe._sync(torch.device("mps"))
    models.synchronize(torch.device("mps"))
    assert apple_gpu == ["synchronize", "synchronize"]


def test_release_memory_empties_the_apple_gpus_cache(apple_gpu):
    release_memory()
    assert apple_gpu == ["empty_cache"]


def test_a_cpu_only_build_never_calls_torch_mps(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for name in ("synchronize", "empty_cache"):
        monkeypatch.setattr(torch.mps, name, lambda *a, name=name: pytest.fail(f"torch.mps.{name} called"))
    models.synchronize(torch.device("mps"))
    models.synchronize(torch.device("cpu"))
    release_memory()


def test_the_engine_waits_for_the_device_at_each_epochs_end(tiny_model, monkeypatch):
    """The end-of-epoch wait (the epoch's queued steps are training time) goes through models.synchronize, which
    knows mps; it was CUDA-only."""
    from conftest import make_texts

    waits = []
    monkeypatch.setattr(engine, "synchronize", lambda dev: waits.append(dev.type))
    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(8)
    enc = engine.encode(tok, texts, 32)
    model = models.load_classifier(tiny_model, ["neg", "pos"])
    engine.train_classifier(model, enc, [int(x == "pos") for x in labels], enc, [0] * len(enc), ["neg", "pos"],
                            epochs=2, batch_size=8, lr=1e-3, weight_decay=0.0, warmup_ratio=0.0, grad_clip=1.0, seed=0,
                            device=torch.device("cpu"), dtype=None, pad_id=tok.pad_token_id,
                            callbacks=engine.Callbacks())
    assert waits == ["cpu", "cpu"]
