"""How fast this device trains and runs a model, measured in a few seconds: time estimates before any run.

The Train page estimates a run's time from past runs of the same strategy,
model and device (:mod:`bertlab.estimate`). Before the first one there is
nothing to scale from, so on request this module times a few real training
steps (forward, backward, AdamW) and forward passes of the model on a batch of
random tokens, in the precision runs use, and keeps the seconds per token in
``<data home>/cache/speed_probe.json``. Each strategy says how many texts go
through a training step and how many through a forward pass only
(``Strategy.probe_work``), which turns the two rates into a rough estimate.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass

import torch

from bertlab import embeddings, models, onnxrt
from bertlab.cpushare import cpu_share
from bertlab.engine import Encoded, make_optimizer, param_groups
from bertlab.errors import BertlabError
from bertlab.paths import data_home, keep_text

PROBE_FILE = "speed_probe.json"


@dataclass(frozen=True)
class Speed:
    """What one training step and one forward pass cost per token here, and loading the model."""

    train_s_per_token: float
    forward_s_per_token: float
    load_seconds: float
    tokens: int  # the sequence length it was measured at
    measured: float  # when (epoch seconds)

    def seconds(self, step_texts: float, forward_texts: float, tokens: float) -> float:
        """Rough seconds for a run: ``step_texts`` texts of ``tokens`` tokens through a training step,
        ``forward_texts`` through a forward pass, plus loading the model once."""
        return self.load_seconds + tokens * (step_texts * self.train_s_per_token
                                             + forward_texts * self.forward_s_per_token)


def _key(model: str, device: models.DeviceInfo, dtype: torch.dtype | None) -> str:
    return f"{embeddings.model_identity(model)}|{device.name}|{models.precision_name(dtype)}"


def _read() -> dict:
    path = data_home() / "cache" / PROBE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or a damaged file: measured again on request


def saved(model: str, device: models.DeviceInfo, dtype: torch.dtype | None) -> Speed | None:
    """The speed measured earlier for this model, device and precision, if any (None for a model that does not
    resolve: the page's own check says why)."""
    try:
        d = _read().get(_key(model, device, dtype))
    except BertlabError:
        return None
    try:
        return Speed(**d) if d else None
    except TypeError:
        return None


def measure(model: str, device: models.DeviceInfo, dtype: torch.dtype | None, tokens: int = 64,
            batch_size: int = 32, min_seconds: float = 1.0, max_steps: int = 5) -> Speed:
    """Time training steps and forward passes of ``model`` on ``device`` and save the rates (a few seconds).

    Args:
        tokens: sequence length of the random batch (the data's mean length after truncation fits best).
        batch_size: texts per batch.
        min_seconds / max_steps: each kind is timed over at least two steps, then until ``min_seconds`` have
            passed or ``max_steps`` steps ran, after one untimed warm-up step; the median step counts.
    """
    tokens = max(8, min(int(tokens), models.max_positions(model)))
    dev = device.torch
    t0 = time.perf_counter()
    net = models.load_classifier(model, ["a", "b"]).to(dev)
    load = time.perf_counter() - t0
    vocab = int(net.config.vocab_size)
    gen = torch.Generator().manual_seed(0)
    batch = {"input_ids": torch.randint(100, vocab, (batch_size, tokens), generator=gen).to(dev),
             "attention_mask": torch.ones(batch_size, tokens, dtype=torch.long).to(dev)}
    labels = torch.randint(0, 2, (batch_size,), generator=gen).to(dev)
    opt = make_optimizer(param_groups(net, 0.01, 1e-5), 1e-5, dev)

    def train_step() -> None:
        with torch.autocast(dev.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
            loss = net(**batch, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    # Forward passes as zero_shot and head_only run them: the shared frozen encoder, through ONNX Runtime where
    # runs use it (a CPU in fp32), in batches of 64.
    tok, encoder = embeddings.get_encoder(model, dev)
    session = (embeddings.encoder_session(model, torch.get_num_threads()) if onnxrt.wanted(dev, dtype) else None)
    texts = Encoded(torch.randint(100, vocab, (64, tokens), generator=gen).tolist())

    def forward() -> None:
        embeddings.embed_encoded(encoder, texts, 64, dev, dtype, tok.pad_token_id, session=session)

    def timed(fn, share) -> float:
        fn()  # warm-up: first-call allocations and kernel choices
        _sync(dev)
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < max_steps and (len(times) < 2 or time.perf_counter() - start < min_seconds):
            if share is not None:
                share.tick()  # the threads a run would use now, beside the machine's other work
            t = time.perf_counter()
            fn()
            _sync(dev)
            times.append(time.perf_counter() - t)
        return statistics.median(times) / (batch_size * tokens)  # the median: one step slowed by a hiccup is not the speed

    with cpu_share(dev) as share:
        net.train()
        train = timed(train_step, share)
        fwd = timed(forward, share) * batch_size / len(texts)  # per token of its own batch
    speed = Speed(train, fwd, load, tokens, time.time())
    all_speeds = _read()
    all_speeds[_key(model, device, dtype)] = asdict(speed)
    keep_text(data_home() / "cache" / PROBE_FILE, json.dumps(all_speeds, indent=1))
    return speed


def _sync(dev: torch.device) -> None:
    models.synchronize(dev)  # CUDA and Apple GPUs queue work: a step's time is until it has run
