"""Cost accounting: peak memory is what a run adds, parameter counts are of the model as it runs."""

from __future__ import annotations

import sys
import time

import pytest
import torch

from bertlab.costs import PeakMemory, count_params, non_embedding_params

MB = 2**20


def _touched(n_bytes: int) -> bytearray:
    """n_bytes that are really resident (a zero-filled buffer may stay unmapped until written)."""
    return bytearray(b"\x01" * n_bytes)


def test_peak_memory_reports_what_the_block_adds_not_the_process():
    ballast = _touched(400 * MB)  # the server's footprint before the run: models, caches, earlier runs
    with PeakMemory("cpu", interval=0.01) as mem:
        work = _touched(64 * MB)
        time.sleep(0.1)
        del work
    assert 48 * MB <= mem.peak <= 200 * MB  # the 64 MB of work, not the 400 MB already there
    assert mem.start >= 400 * MB
    assert mem.high_water == mem.start + mem.peak
    del ballast


def test_peak_memory_of_idle_block_is_near_zero_in_a_big_process():
    ballast = _touched(300 * MB)
    with PeakMemory("cpu", interval=0.01) as mem:
        time.sleep(0.05)
    assert mem.peak < 32 * MB
    del ballast


def test_peak_memory_keeps_the_peak_after_the_memory_is_freed():
    with PeakMemory("cpu", interval=0.01) as mem:
        work = _touched(96 * MB)
        time.sleep(0.1)  # several samples while the work is resident
        del work
    assert mem.peak >= 80 * MB


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_peak_memory_counts_memory_an_earlier_run_freed_and_this_one_reuses():
    earlier = [torch.ones(25_000) for _ in range(2000)]  # 100 KB tensors: 200 MB on the C heap, not mmap
    del earlier  # freed, but glibc keeps the pages: reusing them would not raise RSS
    with PeakMemory("cpu", interval=0.01) as mem:
        work = [torch.ones(25_000) for _ in range(2000)]
        time.sleep(0.1)
    assert mem.peak >= 150 * MB
    del work


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_peak_memory_excludes_what_was_allocated_before():
    ballast = torch.empty(256 * MB, dtype=torch.uint8, device="cuda")
    with PeakMemory("cuda") as mem:
        work = torch.empty(64 * MB, dtype=torch.uint8, device="cuda")
        del work
    assert mem.start >= 256 * MB
    assert 64 * MB <= mem.peak < 80 * MB
    del ballast


def test_run_memory_does_not_include_the_server_footprint(tiny_model, tiny_data):
    """Through the runner: a tiny tfidf run in a process already holding 512 MB reports far less."""
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    ballast = _touched(512 * MB)
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    assert 0 <= store.get(rid).costs["peak_memory_bytes"] < 400 * MB
    del ballast


def _tiny_classifier():
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64, num_labels=2)
    return BertForSequenceClassification(cfg)


def test_lora_counts_the_model_as_it_runs():
    """peft keeps the frozen classifier/pooler beside their trained copies; only one of each runs."""
    from peft import LoraConfig, TaskType, get_peft_model

    base = _tiny_classifier()
    _, base_total = count_params(base)
    base_ne = non_embedding_params(base)
    model = get_peft_model(base, LoraConfig(task_type=TaskType.SEQ_CLS, r=4, target_modules=["query", "key", "value"],
                                            modules_to_save=["classifier", "pooler"]))
    adapters = 2 * 3 * 4 * (32 + 32)  # rank 4 on q, k, v of 2 layers of hidden 32
    head = 32 * 33 + 32 * 2 + 2  # pooler + classifier
    trainable, total = count_params(model)
    assert trainable == adapters + head
    assert total == base_total + adapters  # not + head again for the idle originals
    assert non_embedding_params(model) == base_ne + adapters
    x = torch.randint(0, 100, (2, 8))
    assert model(input_ids=x).logits.shape == (2, 2)  # the wrapped model still runs


def test_count_params_counts_shared_weights_once():
    a = torch.nn.Linear(4, 4)
    model = torch.nn.Sequential(a, a)
    assert count_params(model) == (20, 20)


def _stub_cuda_allocator(monkeypatch) -> None:
    """torch.cuda's memory functions as on a GPU where nothing was allocated (tfidf_logreg allocates nothing there)."""
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda *a, **k: None)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda *a, **k: 0)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda *a, **k: 0)


def test_tfidf_logregs_memory_on_a_cuda_machine_is_the_ram_it_adds(tiny_model, tiny_data, monkeypatch):
    """A review: on a CUDA machine tfidf_logreg's peak memory was read from the GPU allocator it never uses: 0, a
    blank cell in Compare. It is the process RAM it adds, as on a CPU."""
    from bertlab import costs, models
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    _stub_cuda_allocator(monkeypatch)
    levels = iter([400 * MB])  # the process before the run, then 64 MB more while it fits

    monkeypatch.setattr(costs, "_rss", lambda: next(levels, 464 * MB))
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid, device=models.DeviceInfo("cuda", "NVIDIA H200", bf16=True, fp16=True)) == SUCCEEDED
    run = store.get(rid)
    c = run.costs
    assert c["peak_memory_bytes"] == 64 * MB
    # its costs name the CPU it computed on (money prices it there); the run's machine is still the GPU one
    assert c["peak_memory_of"] == "rss" and c["device"] == models.pick_device("cpu").name
    assert run.device == "NVIDIA H200"


def test_only_tfidf_logreg_runs_nothing_on_the_device():
    """Every other strategy's memory stays the device's (the CUDA allocator's peak on a GPU)."""
    from bertlab.strategies import REGISTRY

    assert {n for n, s in REGISTRY.items() if not s.uses_device} == {"tfidf_logreg"}


def test_peak_memory_on_cuda_reads_the_allocator_not_the_process(monkeypatch):
    from bertlab import costs

    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda *a, **k: None)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda *a, **k: 100 * MB)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda *a, **k: 130 * MB)
    monkeypatch.setattr(costs, "_rss", lambda: pytest.fail("RSS read for a CUDA measure"))
    with PeakMemory("cuda") as mem:
        pass
    assert mem.peak == 30 * MB


def test_flops_are_2nt_forward_and_6nt_to_train_and_per_text_to_serve():
    """The formulas every run's FLOPs come from (Kaplan et al. 2020): a forward pass 2 x N x T, training 6 x N x T,
    and serving one text 2 x N x its mean tokens."""
    from bertlab.costs import forward_flops, inference_flops_per_text, train_flops

    assert forward_flops(1_000, 50) == 100_000
    assert train_flops(1_000, 50) == 300_000
    assert inference_flops_per_text(1_000, 500, 10) == 100_000  # 500 tokens over 10 texts: 50 a text
    assert inference_flops_per_text(1_000, 0, 0) == 0.0


def test_non_embedding_params_leave_out_the_embedding_tables_only():
    """BERT's word, position and type tables cost no FLOPs per token (looked up); every other weight does."""
    model = _tiny_classifier()
    tables = sum(p.numel() for n, p in model.named_parameters() if n.startswith("bert.embeddings.")
                 and "LayerNorm" not in n)
    norm = sum(p.numel() for n, p in model.named_parameters() if n.startswith("bert.embeddings.LayerNorm"))
    _, total = count_params(model)
    assert non_embedding_params(model) == total - tables - norm  # the embeddings' LayerNorm is part of that stage
    assert tables == (100 + 64 + 2) * 32


def test_trainable_params_are_the_ones_that_require_grad():
    model = _tiny_classifier()
    for p in model.bert.parameters():
        p.requires_grad = False
    trainable, total = count_params(model)
    assert trainable == 32 * 2 + 2  # the classifier alone
    assert non_embedding_params(model, trainable_only=True) == trainable


def test_flops_count_attention_by_hand_on_a_tiny_config():
    """Attention's two matmuls hold no weights, so 2 x N x T misses them: per layer and text of s tokens, Q K^T and
    the mix of the values each 2 x s^2 x width FLOPs forward, 3x that to train. Counted by hand for a 2-layer,
    hidden-32 BERT and texts of 3 and 5 tokens."""
    from transformers import BertConfig

    from bertlab.costs import (
        attention_flops,
        attention_shape,
        forward_flops,
        inference_flops_per_text,
        square_tokens,
        train_flops,
    )

    cfg = BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    assert attention_shape(cfg) == (2, 32)
    assert square_tokens([3, 5]) == 9 + 25
    # 2 layers x (3^2 + 5^2 = 34 score pairs) x (2 x 32 for Q K^T + 2 x 32 for the values) = 8,704
    assert attention_flops((2, 32), 34) == 8_704
    assert forward_flops(1_000, 8, 8_704) == 2 * 1_000 * 8 + 8_704 == 24_704
    assert train_flops(1_000, 8, 8_704) == 6 * 1_000 * 8 + 3 * 8_704 == 74_112
    assert inference_flops_per_text(1_000, 8, 2, 8_704) == 24_704 / 2  # two texts: half each on average


def test_attention_grows_with_the_square_of_the_length_and_not_with_padding():
    """A text twice as long: twice the 2 x N x T, four times the attention. A batch's padding (a short text beside a
    long one) adds nothing: each text counts its own real tokens."""
    from bertlab.costs import attention_flops, forward_flops, square_tokens

    shape, n = (6, 384), 10_795_394  # all-MiniLM-L6-v2
    for s in (32, 128, 256):
        assert attention_flops(shape, square_tokens([2 * s])) == 4 * attention_flops(shape, square_tokens([s]))
        assert forward_flops(n, 2 * s) == 2 * forward_flops(n, s)
    # MiniLM at 128 tokens: attention is 5.5% on top of 2NT; at 512, 22%
    assert attention_flops(shape, 128**2) / forward_flops(n, 128) == pytest.approx(0.0546, abs=5e-4)
    assert attention_flops(shape, 512**2) / forward_flops(n, 512) == pytest.approx(0.2185, abs=5e-4)
    assert square_tokens([10, 2]) == 104 < square_tokens([10, 10])  # the short text padded to 10 would be 200


@pytest.mark.parametrize("kind", ["bert", "distilbert", "albert"])
def test_attention_shape_reads_each_family_config(kind):
    """Every depth runs attention (ALBERT's one shared layer at each of its layers), over heads x head size."""
    import transformers as t

    from bertlab.costs import attention_shape

    cfg = {"bert": lambda: t.BertConfig(hidden_size=48, num_hidden_layers=3, num_attention_heads=4),
           "distilbert": lambda: t.DistilBertConfig(dim=48, n_layers=3, n_heads=4),
           "albert": lambda: t.AlbertConfig(hidden_size=48, num_hidden_layers=3, num_attention_heads=4,
                                            num_hidden_groups=1)}[kind]()
    assert attention_shape(cfg) == (3, 48)


def test_attention_width_is_heads_times_head_size_where_a_config_sets_its_head_size():
    """A config whose heads x head_dim is not its hidden size (a model that sets head_dim) is counted over heads x
    head_dim, the width Q K^T is computed over (reading the hidden size instead passed its tests: every family
    tested derives head_dim from it); a config without heads, over its hidden size; one without either, (0, 0)."""
    from types import SimpleNamespace

    from bertlab.costs import attention_shape

    assert attention_shape(SimpleNamespace(num_hidden_layers=2, num_attention_heads=4, hidden_size=48,
                                           head_dim=8)) == (2, 32)
    assert attention_shape(SimpleNamespace(num_hidden_layers=2, hidden_size=48)) == (2, 48)
    assert attention_shape(SimpleNamespace()) == (0, 0)


def test_a_training_step_is_the_estimates_three_forward_passes_with_attention_too():
    """The Train page's rough estimate counts a training step as STEP_FORWARDS forward passes by FLOPs: with
    attention in both (its backward twice its forward, as a weight's), the ratio stays exact."""
    from bertlab.costs import attention_flops, forward_flops, train_flops
    from bertlab.estimate import STEP_FORWARDS

    attention = attention_flops((6, 384), 40 * 128**2)
    assert train_flops(10_000_000, 40 * 128, attention) == STEP_FORWARDS * forward_flops(10_000_000, 40 * 128, attention)
