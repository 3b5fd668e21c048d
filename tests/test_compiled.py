"""The opt-in compiled training forward (``train_classifier(compile_mode=...)``, ``bench/gpu.py --compile``).

Compiled, the model runs without bertlab's CPU paths (flat masters, compact embedding rows, kept embedding
gradient, eager attention with its own dropout masks, the thread policy): those break the graph or recompile it.
On a CPU ``reduce-overhead`` compiles without CUDA graphs; the GPU figures come from ``bench/gpu.py`` on a GPU.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification

from bertlab.engine import Callbacks, Encoded, train_classifier


class _Losses(Callbacks):
    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_step(self, step, epoch, loss, lr, phase="train") -> None:
        self.losses.append(loss)


def _train(compile_mode: str | None, device: str = "cpu"):
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=200, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                     max_position_embeddings=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                     num_labels=2)
    model = BertForSequenceClassification(cfg)
    rng = np.random.default_rng(0)
    ids = [[101, *rng.integers(5, 200, int(n)).tolist(), 102] for n in rng.integers(3, 40, 48)]
    labels = [int(x[1] % 2) for x in ids]  # learnable from the first word
    cb = _Losses()
    stats = train_classifier(model, Encoded(ids), labels, Encoded(ids[:8]), labels[:8], ["a", "b"], epochs=2,
                             batch_size=8, lr=3e-3, weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0, seed=0,
                             device=torch.device(device), dtype=None, pad_id=0, callbacks=cb, compile_mode=compile_mode)
    return model.cpu(), cb.losses, stats


@pytest.mark.slow
@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA graphs need a CUDA GPU"))])
def test_a_compiled_forward_trains_the_same_model(device):
    """fp32, no dropout: compiled and uncompiled runs take the same steps, to rounding (on CUDA, through CUDA graphs)."""
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    plain_model, plain_losses, plain_stats = _train(None, device)
    assert counters["stats"]["unique_graphs"] == 0
    model, losses, stats = _train("reduce-overhead", device)
    assert counters["stats"]["unique_graphs"] >= 1  # the forward went through the compiler
    assert not counters["graph_break"], dict(counters["graph_break"])  # in one graph: CUDA graphs cover it whole
    if device == "cuda":
        assert counters["inductor"]["cudagraph_skips"] == 0
    assert len(losses) == len(plain_losses) == 12
    assert losses[-1] < losses[0]  # it learned
    np.testing.assert_allclose(losses, plain_losses, rtol=2e-3, atol=2e-4)
    for (name, p), q in zip(model.named_parameters(), plain_model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=2e-3, atol=2e-4, msg=name)
    assert stats.history[-1]["val_loss"] == pytest.approx(plain_stats.history[-1]["val_loss"], rel=2e-3, abs=2e-4)
    # the CPU paths stay off under the compiler, and on without it
    assert not (stats.flat_weights or stats.eager_attention or stats.kept_embedding_gradient)
    assert stats.embedding_rows_trained is None and stats.fewest_threads is None
    if device == "cpu":
        assert plain_stats.eager_attention and plain_stats.kept_embedding_gradient


@pytest.mark.slow
def test_the_gpu_bench_times_a_compiled_bertlab(tmp_path):
    from bench import gpu

    res = gpu.main(["--tiny", "--device", "cpu", "--examples", "48", "--batch-size", "16", "--repeats", "1",
                    "--max-length", "32", "--compile", "default", "--out", str(tmp_path / "gpu.json")])
    assert set(res["setups"]) == {"bertlab", "trainer_grouped", "bertlab_compiled"}
    assert res["compile_mode"] == "default" and res["compile_first_seconds"] > 0
    assert res["setups"]["bertlab_compiled"]["examples_per_s"] > 0
    assert "partial" not in res
    c = res["compile_counters"]
    assert c["unique_graphs"] >= 1 and c["graph_breaks"] == 0 and c["cudagraph_skips"] == 0
    assert c["frames_compiled"] >= 1
