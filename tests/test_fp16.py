"""fp16 autocast with loss scaling: what "auto" picks on GPUs without native bf16 (T4, V100), and that training
scales the loss, unscales before clipping and skips overflowing steps. Run on CPU, where torch has fp16 autocast
and GradScaler too."""

from __future__ import annotations

import functools

import pytest
import torch
from conftest import make_texts
from test_strategies import tiny_config
from torch import nn

from bertlab import models
from bertlab.engine import Callbacks, backward_step, encode, loss_scaler, overflow_note, skip_counter, train_classifier
from bertlab.errors import ConfigError
from bertlab.runner import execute_run
from bertlab.store import FAILED, SUCCEEDED, RunStore
from bertlab.strategies import REGISTRY, make_config

T4 = models.DeviceInfo("cuda", "Tesla T4", bf16=False, fp16=True)
A100 = models.DeviceInfo("cuda", "NVIDIA A100", bf16=True, fp16=True)
OLD_CPU = models.DeviceInfo("cpu", "old CPU", bf16=False)


@pytest.mark.parametrize("device,precision,want", [
    (T4, "auto", torch.float16), (A100, "auto", torch.bfloat16), (OLD_CPU, "auto", None),
    (A100, "fp16", torch.float16), (T4, "fp32", None), (OLD_CPU, "bf16", torch.bfloat16)])
def test_auto_takes_fp16_only_where_a_gpu_has_tensor_cores_but_no_native_bf16(device, precision, want):
    assert models.autocast_dtype(precision, device) == want


@pytest.mark.parametrize("capability,want", [((7, 5), (False, True)), ((7, 0), (False, True)),
                                             ((8, 0), (True, True)), ((9, 0), (True, True)), ((6, 1), (False, False))])
def test_a_t4_is_not_taken_for_a_bf16_gpu(monkeypatch, capability, want):
    # torch.cuda.is_bf16_supported() says yes on a T4 (bf16 emulated, slower than fp16); pick_device must not.
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "some GPU")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: capability)
    dev = models.pick_device("cuda")
    assert (dev.type, dev.bf16, dev.fp16) == ("cuda", *want)


def test_loss_scaler_only_for_fp16():
    assert loss_scaler(torch.device("cpu"), torch.bfloat16) is None
    assert loss_scaler(torch.device("cpu"), None) is None
    assert isinstance(loss_scaler(torch.device("cpu"), torch.float16), torch.amp.GradScaler)


def _grads_after(scaler, grad_clip: float) -> list[torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    x, y = torch.randn(8, 16), torch.tensor([0, 1] * 4)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the gradients stay as the step saw them
    loss = nn.functional.cross_entropy(model(x), y)
    backward_step(loss, opt, list(model.parameters()), grad_clip, scaler)
    return [p.grad.clone() for p in model.parameters()]


def test_the_clip_sees_unscaled_gradients():
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    for a, b in zip(_grads_after(scaler, 1e9), _grads_after(None, 1e9)):
        torch.testing.assert_close(a, b)  # unscaled: not 1024 times larger
    clipped = _grads_after(torch.amp.GradScaler("cpu", init_scale=1024.0), 0.01)
    assert float(torch.linalg.vector_norm(torch.cat([g.flatten() for g in clipped]))) == pytest.approx(0.01, rel=1e-3)


def _train(tiny_model, dtype):
    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(16)
    enc = encode(tok, texts, 32)
    torch.manual_seed(0)
    model = models.load_classifier(tiny_model, ["neg", "pos"])
    w0 = {n: p.detach().clone() for n, p in model.named_parameters()}
    train_classifier(model, enc, [int(lab == "pos") for lab in labels], enc, [0] * len(enc), ["neg", "pos"],
                     epochs=2, batch_size=8, lr=1e-3, weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0, seed=0,
                     device=torch.device("cpu"), dtype=dtype, pad_id=tok.pad_token_id, callbacks=Callbacks())
    return {n: p.detach() - w0[n] for n, p in model.named_parameters()}


def test_fp16_training_moves_the_weights_as_fp32_does(tiny_model):
    half, full = _train(tiny_model, torch.float16), _train(tiny_model, None)
    a = torch.cat([d.flatten() for d in half.values()])
    b = torch.cat([d.flatten() for d in full.values()])
    assert float(b.norm()) > 0.1
    assert float(a.norm() / b.norm()) == pytest.approx(1.0, abs=0.1)
    assert float(a @ b / (a.norm() * b.norm())) > 0.95


def test_steps_whose_scaled_gradients_overflow_are_skipped_whole(tiny_model, monkeypatch):
    # A scale of 2^100 overflows every fp16 gradient in the few steps this trains: no step may change any weight,
    # weight decay of the embedding rows no batch used included (bertlab.embrows applies it lazily).
    monkeypatch.setattr(torch.amp, "GradScaler", functools.partial(torch.amp.GradScaler, init_scale=2.0**100))
    assert all(float(d.abs().max()) == 0 for d in _train(tiny_model, torch.float16).values())


class CountingScaler(torch.amp.GradScaler):
    updates = 0

    def update(self, *a, **k):
        CountingScaler.updates += 1
        return super().update(*a, **k)


@pytest.mark.parametrize("name", ["full_ft", "dapt"])
def test_runs_in_fp16_scale_their_loss(name, tiny_model, tiny_data, monkeypatch):
    monkeypatch.setattr(torch.amp, "GradScaler", CountingScaler)
    CountingScaler.updates = 0
    store = RunStore()
    rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32,
                                       learning_rate=1e-3, precision="fp16"))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).traceback
    run = store.get(rid)
    assert run.costs["precision"] == "float16"
    steps = [p for p in store.points([rid], ("train_loss", "mlm_loss"))]
    assert CountingScaler.updates == len(steps) > 0  # every optimizer step, both of dapt's phases


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_strategy_runs_in_fp16(name, tiny_model, tiny_data):
    store = RunStore()
    rid = store.create_run(tiny_config(name, tiny_model, tiny_data, epochs=1, precision="fp16"))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).traceback
    # tfidf_logreg runs no network: no precision stored (it said float16 of scikit-learn)
    assert store.get(rid).costs["precision"] == (None if name == "tfidf_logreg" else "float16")


def _fp16_run(name, tiny_model, tiny_data, **kw):
    store = RunStore()
    rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32,
                                       learning_rate=1e-3, precision="fp16", **kw))
    return store, rid, execute_run(store, rid)


@pytest.mark.parametrize("name,phase", [("full_ft", "fine-tuning"), ("dapt", "masked-LM")])
def test_a_run_whose_every_fp16_step_overflowed_fails_and_says_why(name, phase, tiny_model, tiny_data, monkeypatch):
    # A review: every step skipped, the run still ended 'succeeded' with its initial weights, its note "try more
    # epochs, a higher learning rate...".
    monkeypatch.setattr(torch.amp, "GradScaler", functools.partial(torch.amp.GradScaler, init_scale=2.0**100))
    store, rid, status = _fp16_run(name, tiny_model, tiny_data)
    run = store.get(rid)
    assert status == FAILED, run.notes
    assert "fp16 overflow" in run.error and phase in run.error
    assert "'bf16'" in run.error and "'fp32'" in run.error
    assert run.traceback is None  # a choice the user can change, said in a sentence


@pytest.mark.parametrize("name", ["full_ft", "dapt"])
def test_fp16_steps_the_scaler_skipped_are_counted_and_noted(name, tiny_model, tiny_data, monkeypatch):
    # The first step of each phase overflows (2^100), then the scale drops to 2^10, where none does.
    monkeypatch.setattr(torch.amp, "GradScaler", functools.partial(torch.amp.GradScaler, init_scale=2.0**100,
                                                                   backoff_factor=2.0**-90))
    store, rid, status = _fp16_run(name, tiny_model, tiny_data)
    run = store.get(rid)
    assert status == SUCCEEDED, run.error
    assert run.costs["skipped_steps"] == 1 < run.costs["steps"]
    notes = [n for n in run.notes if n.startswith("fp16 overflow")]
    if name == "dapt":
        assert run.costs["mlm_skipped_steps"] == 1 < run.costs["mlm_steps"]
        assert len(notes) == 2 and "masked-LM" in notes[0]
    assert f"skipped 1 of {run.costs['steps']} optimizer steps of fine-tuning" in notes[-1]
    assert "bf16" in notes[-1] and "fp32" in notes[-1]


def test_skipped_steps_are_counted_on_the_device_without_asking_the_scale():
    # get_scale() makes the host wait for the GPU: the count must not ask for it each step.
    class NoWait(torch.amp.GradScaler):
        def get_scale(self):
            raise AssertionError("get_scale() waits for the device")

    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = NoWait("cpu", init_scale=2.0**100, backoff_factor=2.0**-90)
    skipped = skip_counter(scaler, torch.device("cpu"))
    for _ in range(3):
        with torch.autocast("cpu", dtype=torch.float16):
            loss = model(torch.randn(8, 4)).float().pow(2).mean() * 1e30  # 1e30 x 2^100: inf in any dtype
        backward_step(loss, opt, list(model.parameters()), 1.0, scaler, skipped=skipped)
        opt.zero_grad()
    assert int(skipped) == 3
    assert skip_counter(None, torch.device("cpu")) is None


def test_no_skipped_steps_no_note():
    assert overflow_note(0, 10) is None
    assert "2 of 10" in overflow_note(2, 10)
    with pytest.raises(ConfigError, match="every one of the 10"):
        overflow_note(10, 10)
