"""The fast paths keep their behaviour: warm cache without a model load, lagged loss reports, fused AdamW."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import make_texts

from bertlab import dropout as cheap_dropout
from bertlab import embeddings, models
from bertlab.costs import non_embedding_params
from bertlab.engine import Callbacks, encode, make_optimizer, train_classifier, training_attention


def test_encoder_info_matches_the_loaded_model(tiny_model):
    enc = models.load_encoder(tiny_model)
    n_ne, total, hidden = embeddings.encoder_info(tiny_model)
    # zero_shot and head_only mean-pool the token vectors: the pooler's weights are not theirs (as the strategy
    # cards draw it); their FLOPs follow the one convention of every strategy (non-embedding params, pooler in)
    pooler = sum(p.numel() for p in enc.pooler.parameters())
    assert pooler > 0
    assert n_ne == non_embedding_params(enc)
    assert total == sum(p.numel() for p in enc.parameters()) - pooler
    assert hidden == enc.config.hidden_size == 32


def test_an_embedding_pass_stopped_midway_keeps_its_finished_chunks(tiny_model, monkeypatch, tmp_path):
    """Shards are saved chunk by chunk: a run cancelled an hour into a large set keeps what it computed, and the
    next pass computes only the rest, with the same vectors as one uninterrupted pass."""
    from bertlab.errors import RunCancelled

    monkeypatch.setattr(embeddings, "SHARD_TEXTS", 16)
    texts, _ = make_texts(20)  # 40 texts: chunks of 16, 16 and 8, in batches of 8
    seen: list[tuple[int, int]] = []

    def stop_in_the_second_chunk(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 3:  # the first batch of the second chunk
            raise RunCancelled()

    with pytest.raises(RunCancelled):
        embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, torch.device("cpu"), batch_size=8,
                                                           progress=stop_in_the_second_chunk)
    assert seen == [(1, 5), (2, 5), (3, 5)]  # one count over the whole pass, not per chunk
    again = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, torch.device("cpu"), batch_size=8)
    assert again.computed == 40 - 16
    monkeypatch.setattr(embeddings, "SHARD_TEXTS", 4096)
    with embeddings._LOCK:
        embeddings._ENCODERS.clear()
    whole = embeddings.EmbeddingCache(tiny_model, 64, None, root=tmp_path / "whole")  # one uninterrupted pass
    one = whole.get(texts, torch.device("cpu"), batch_size=8)
    assert one.computed == 40
    np.testing.assert_allclose(again.vectors, one.vectors, rtol=1e-5, atol=1e-6)
    # batches larger than ONNX Runtime's (32): the count follows the batches the pass really runs, over two shards
    monkeypatch.setattr(embeddings, "SHARD_TEXTS", 64)
    calls: list[tuple[int, int]] = []
    more, _ = make_texts(50, seed=7)
    embeddings.EmbeddingCache(tiny_model, 64, None, root=tmp_path / "big").get(
        more, torch.device("cpu"), batch_size=64, progress=lambda d, t: calls.append((d, t)))
    total = calls[-1][1]
    assert calls == [(d, total) for d in range(1, total + 1)], calls  # one call a batch, never back, ends at 100%


def test_warm_cache_returns_same_vectors_without_loading_the_encoder(tiny_model):
    texts, _ = make_texts(10)
    cold = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, torch.device("cpu"))
    assert cold.computed == len(texts)
    with embeddings._LOCK:  # as a new process: nothing loaded, only the disk cache
        embeddings._ENCODERS.clear()
    warm = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts[::-1], torch.device("cpu"))
    assert warm.computed == 0
    assert not embeddings._ENCODERS  # served from disk; the model was never loaded
    np.testing.assert_array_equal(warm.vectors, cold.vectors[::-1])
    assert warm.tokens == cold.tokens
    empty = embeddings.EmbeddingCache(tiny_model, 64, None).get([], torch.device("cpu"))
    assert empty.vectors.shape == (0, 32)
    # what each text cost when computed travels with it, so a warm run is billed as the cold one was
    assert (cold.text_seconds > 0).all()
    np.testing.assert_array_equal(warm.text_seconds, cold.text_seconds[::-1])
    np.testing.assert_array_equal(warm.text_tokens, cold.text_tokens[::-1])


def test_a_shard_from_an_older_bertlab_without_costs_is_computed_once_more(tiny_model):
    from safetensors.numpy import load_file, save_file

    texts, _ = make_texts(6)
    cache = embeddings.EmbeddingCache(tiny_model, 64, None)
    cold = cache.get(texts, torch.device("cpu"))
    for f in cache.dir.glob("*.safetensors"):  # as written before shards kept their seconds
        d = load_file(str(f))
        del d["seconds"]
        save_file(d, str(f))
        # named to be read after the shard the next call writes (two shards of one second sort by a random tail)
        f.rename(f.with_name("99999999999999-old.safetensors"))
    old = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, torch.device("cpu"))
    # computed once more, so that a run is never billed nothing for an encoder pass: then cached with its cost
    assert old.computed == len(texts) and (old.text_seconds > 0).all()
    np.testing.assert_allclose(old.vectors, cold.vectors, atol=1e-6)
    again = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, torch.device("cpu"))
    assert again.computed == 0
    np.testing.assert_array_equal(again.text_seconds, old.text_seconds)


def test_a_text_costed_on_another_device_is_computed_once_more_and_costed_here(tiny_model):
    texts, _ = make_texts(6)
    cpu = torch.device("cpu")
    gpu_run = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, cpu, device_name="Some GPU")
    assert gpu_run.computed == len(texts)
    # another machine sharing the data directory: its chip's cost must not be billed to this one's runs
    here = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, cpu, device_name="This CPU (2 threads)")
    assert here.computed == len(texts) and (here.text_seconds > 0).all()
    np.testing.assert_allclose(here.vectors, gpu_run.vectors, atol=1e-6)
    # both costs are kept: each device's runs are now served from the cache, billed at their own device's cost
    for name, first in (("Some GPU", gpu_run), ("This CPU (2 threads)", here)):
        again = embeddings.EmbeddingCache(tiny_model, 64, None).get(texts, cpu, device_name=name)
        assert again.computed == 0
        np.testing.assert_array_equal(again.text_seconds, first.text_seconds)


def test_the_cache_says_which_texts_a_run_would_take_from_it_without_loading_a_model(tiny_model, monkeypatch):
    """What the Train page's estimate checks before a run: the texts a run on this device would not embed again,
    from the shards' keys alone. It must agree with what :meth:`EmbeddingCache.get` then computes."""
    from safetensors.numpy import load_file, save_file

    texts, _ = make_texts(6)
    gpu_texts, cpu_texts = texts[:5], texts[5:]
    cpu = torch.device("cpu")
    embeddings.EmbeddingCache(tiny_model, 64, None).get(gpu_texts, cpu, device_name="Some GPU")
    cache = embeddings.EmbeddingCache(tiny_model, 64, None)
    cache.get(cpu_texts, cpu, device_name="This CPU")

    def no_model(*_a, **_k):
        raise AssertionError("the check loaded a model")

    with monkeypatch.context() as m:
        m.setattr(embeddings, "get_encoder", no_model)
        m.setattr(models, "load_encoder", no_model)
        m.setattr(models, "load_tokenizer", no_model)
        assert embeddings.cached_keys(tiny_model, 64, None, "This CPU") == embeddings.text_keys(cpu_texts)
        assert embeddings.cached_keys(tiny_model, 64, None, "Some GPU") == embeddings.text_keys(gpu_texts)
        # another max length or precision is another cache
        assert embeddings.cached_keys(tiny_model, 32, None, "This CPU") == frozenset()
        assert embeddings.cached_keys(tiny_model, 64, torch.bfloat16, "This CPU") == frozenset()
    # a shard from before costs were kept is no hit (the run embeds its texts again), as get counts it
    shard = next(f for f in cache.dir.glob("*.safetensors") if len(load_file(str(f))["keys"]) == len(cpu_texts))
    d = load_file(str(shard))
    del d["seconds"]
    save_file(d, str(shard.with_name("99999999999999-old.safetensors")), metadata={"device": "This CPU"})
    shard.unlink()
    assert embeddings.cached_keys(tiny_model, 64, None, "This CPU") == frozenset()
    again = embeddings.EmbeddingCache(tiny_model, 64, None).get(cpu_texts, cpu, device_name="This CPU")
    assert again.computed == len(cpu_texts)
    # a new shard is seen at once
    assert embeddings.cached_keys(tiny_model, 64, None, "This CPU") == embeddings.text_keys(cpu_texts)


def test_the_cache_check_forgets_the_keys_of_shards_that_are_gone(tiny_model):
    """A long-lived app reads each shard's keys once; a deleted data directory or cleared cache must not leave them
    in memory for good."""
    import shutil

    texts, _ = make_texts(4)
    cache = embeddings.EmbeddingCache(tiny_model, 48, None)
    cache.get(texts, torch.device("cpu"), device_name="This CPU")
    assert embeddings.cached_keys(tiny_model, 48, None, "This CPU") == embeddings.text_keys(texts)
    held = [k for k in embeddings._SHARD_KEYS if k[0].startswith(str(cache.dir))]
    assert held
    shutil.rmtree(cache.dir)
    assert embeddings.cached_keys(tiny_model, 48, None, "This CPU") == frozenset()
    assert not any(k in embeddings._SHARD_KEYS for k in held)


class _Record(Callbacks):
    def __init__(self) -> None:
        self.steps: list[tuple[int, float]] = []
        self.evals: list[int] = []

    def on_step(self, step, epoch, loss, lr, phase="train"):
        self.steps.append((step, loss))

    def on_eval(self, step, epoch, metrics):
        self.evals.append(step)


def test_a_model_directory_resaved_with_new_weights_is_not_served_from_the_cache(tmp_path):
    from transformers import AutoTokenizer, BertConfig, BertModel

    tok = AutoTokenizer.from_pretrained(models.default_model_path())
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64)
    d = tmp_path / "model"
    texts = ["hello world", "a film"]

    def save_and_embed(seed: int):
        torch.manual_seed(seed)
        BertModel(cfg).save_pretrained(d, safe_serialization=True)
        tok.save_pretrained(d)
        res = embeddings.EmbeddingCache(str(d), 32, None, root=tmp_path / "cache").get(texts, torch.device("cpu"))
        truth = embeddings.EmbeddingCache(str(d), 32, None, root=tmp_path / f"fresh{seed}")
        return res, embeddings.get_encoder(str(d), torch.device("cpu"))[1], truth

    first, enc0, _ = save_and_embed(0)
    second, enc1, fresh = save_and_embed(1)  # same directory, same process, new weights
    assert second.computed == 2 and enc1 is not enc0
    assert not np.allclose(first.vectors, second.vectors)
    np.testing.assert_allclose(second.vectors, fresh.get(texts, torch.device("cpu")).vectors, atol=1e-5)


def test_every_step_is_reported_once_in_order_before_its_eval(tiny_model):
    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(20)
    y = [int(lab == "pos") for lab in labels]
    model = models.load_classifier(tiny_model, ["neg", "pos"])
    enc = encode(tok, texts, 32)
    cb = _Record()
    st = train_classifier(model, enc, y, enc, y, ["neg", "pos"], epochs=2, batch_size=8, lr=1e-3, weight_decay=0.01,
                          warmup_ratio=0.1, grad_clip=1.0, seed=0, device=torch.device("cpu"), dtype=None,
                          pad_id=tok.pad_token_id, callbacks=cb)
    assert [s for s, _ in cb.steps] == list(range(1, st.steps + 1))
    assert all(math.isfinite(loss) for _, loss in cb.steps)
    assert cb.evals == [st.steps // 2, st.steps]  # each epoch's steps all reported before its evaluation


def _train_recording_attention(tiny_model, dtype, switch=training_attention):
    """Train 2 epochs; return (the model, the attention implementation seen by each forward, train or eval)."""
    from unittest import mock

    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(16)
    y = [int(lab == "pos") for lab in labels]
    torch.manual_seed(0)
    model = models.load_classifier(tiny_model, ["neg", "pos"])
    assert model.config._attn_implementation == "sdpa"  # transformers' default, kept for inference
    seen: list[tuple[bool, str]] = []
    model.register_forward_pre_hook(lambda m, a: seen.append((m.training, m.config._attn_implementation)))
    enc = encode(tok, texts, 32)
    with mock.patch("bertlab.engine.training_attention", switch):
        train_classifier(model, enc, y, enc, y, ["neg", "pos"], epochs=2, batch_size=8, lr=1e-3, weight_decay=0.01,
                         warmup_ratio=0.1, grad_clip=1.0, seed=0, device=torch.device("cpu"), dtype=dtype,
                         pad_id=tok.pad_token_id, callbacks=Callbacks())
    return model, seen


@pytest.mark.parametrize("dtype", [torch.bfloat16, None])
def test_cpu_training_runs_bertlabs_attention_and_dropout_then_puts_sdpa_back(tiny_model, dtype):
    model, seen = _train_recording_attention(tiny_model, dtype)
    assert {impl for training, impl in seen if training} == {cheap_dropout.ATTENTION}
    assert {impl for training, impl in seen if not training} == {"sdpa"}  # each epoch's evaluation
    assert model.config._attn_implementation == "sdpa"  # put back for inference and saving
    drops = [m for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    assert drops and not any("forward" in vars(m) for m in drops)  # torch's own dropout again


def test_a_gpu_keeps_its_own_attention_and_dropout(tiny_model):
    model = models.load_classifier(tiny_model, ["neg", "pos"])
    with training_attention(model, torch.device("cuda")) as switched:  # nothing runs on the GPU
        assert not switched and model.config._attn_implementation == "sdpa"


def test_a_model_that_cannot_switch_its_attention_keeps_its_own_and_torchs_dropout():
    from transformers import AutoModelForSequenceClassification, DebertaV2Config

    cfg = DebertaV2Config(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                          intermediate_size=64, num_labels=2)
    model = AutoModelForSequenceClassification.from_config(cfg)  # only warns when asked to switch
    before = model.config._attn_implementation
    with training_attention(model, torch.device("cpu")) as switched:
        assert not switched and model.config._attn_implementation == before
        assert not any("forward" in vars(m) for m in model.modules())


def test_switching_attention_mid_run_changes_nothing_but_the_dropout_draws(tiny_model, tmp_path):
    """With every dropout probability at 0, training through bertlab's attention (eager masks, set at run
    time) gives the same weights as SDPA throughout, to fp32 rounding."""
    from transformers import AutoModel

    no_drop = tmp_path / "no-dropout"
    m = AutoModel.from_pretrained(tiny_model, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    m.save_pretrained(no_drop)
    models.load_tokenizer(tiny_model).save_pretrained(no_drop)
    switched, seen = _train_recording_attention(str(no_drop), None)
    assert {impl for training, impl in seen if training} == {cheap_dropout.ATTENTION}
    plain, _ = _train_recording_attention(str(no_drop), None, switch=_keep)
    torch.manual_seed(0)
    init = models.load_classifier(str(no_drop), ["neg", "pos"])
    moved = max(float((a - b).abs().max()) for a, b in zip(plain.state_dict().values(), init.state_dict().values()))
    assert moved > 1e-3  # training changed the weights, so equal weights mean equal training
    for (name, a), b in zip(switched.state_dict().items(), plain.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6, msg=name)


def _keep(model, device):
    import contextlib

    return contextlib.nullcontext(False)


def test_cheap_dropout_drops_p_keeps_the_mean_and_follows_torchs_seed():
    x = torch.ones(1_000_000)
    torch.manual_seed(0)
    y = cheap_dropout.dropout(x, 0.1)
    kept = y != 0
    frac = 1 - kept.float().mean().item()
    assert abs(frac - 0.1) < 5 * (0.1 * 0.9 / x.numel()) ** 0.5  # within 5 standard errors of p
    torch.testing.assert_close(y[kept], torch.full_like(y[kept], 65536 / (65536 - 6554)))  # inverted scaling
    assert abs(y.mean().item() - 1) < 0.002
    torch.manual_seed(0)
    assert torch.equal(cheap_dropout.dropout(x, 0.1), y)  # torch.manual_seed reproduces the masks
    assert not torch.equal(cheap_dropout.dropout(x, 0.1), y)
    for p in (0.3, 0.5):
        frac = (cheap_dropout.dropout(x, p) == 0).float().mean().item()
        assert abs(frac - p) < 5 * (p * (1 - p) / x.numel()) ** 0.5
    # positions are independent: neighbours (the four 16-bit parts of one 64-bit word) are not correlated
    k = (cheap_dropout.dropout(x, 0.5) != 0).float()
    assert abs(torch.corrcoef(torch.stack([k[:-1], k[1:]]))[0, 1].item()) < 0.01
    assert cheap_dropout.dropout(x, 0.1, training=False) is x and cheap_dropout.dropout(x, 0.0) is x
    assert not cheap_dropout.dropout(x[:10], 1.0).any()


def test_cheap_dropout_gradient_is_its_mask():
    x = torch.randn(4, 7, 5, requires_grad=True)
    y = cheap_dropout.dropout(x, 0.2)
    y.sum().backward()
    torch.testing.assert_close(x.grad, (y / x).detach())


def test_bertlabs_attention_is_transformers_eager_attention_without_dropout():
    from transformers.models.bert.modeling_bert import eager_attention_forward

    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 3, 6, 8) for _ in range(3))
    mask = torch.zeros(2, 1, 6, 6)
    mask[1, :, :, 4:] = torch.finfo(torch.float32).min
    module = torch.nn.Module().eval()
    for m in (None, mask):
        ours = cheap_dropout.attention(module, q, k, v, m, scaling=0.3, dropout=0.1)
        theirs = eager_attention_forward(module, q, k, v, m, scaling=0.3, dropout=0.1)
        for a, b in zip(ours, theirs):
            torch.testing.assert_close(a, b)


def test_adamw_is_fused_on_cpu():
    p = torch.nn.Parameter(torch.ones(3))
    opt = make_optimizer([{"params": [p], "weight_decay": 0.0, "lr": 0.1}], 0.1, torch.device("cpu"))
    assert opt.defaults["fused"] is True
    p.grad = torch.ones(3)
    opt.step()
    assert torch.all(p < 1)


def test_playground_pool_gives_the_same_answers_as_one_model_after_another(tiny_model, tiny_data, monkeypatch):
    """The one-thread worker pool (few texts, several runs, CPU) changes speed only, not the predictions."""
    import numpy as np

    import bertlab.predict as predict_mod
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    ids = []
    for name, seed in (("full_ft", 0), ("full_ft", 1), ("head_only", 0), ("zero_shot", 0), ("tfidf_logreg", 0)):
        cfg = make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32, seed=seed)
        rid = store.create_run(cfg)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    texts = ["a wonderful lovely film"]
    pred = Predictor(store, device=models.pick_device("cpu"))
    calls = []
    real_pool = pred._pool
    monkeypatch.setattr(pred, "_pool", lambda: calls.append(1) or real_pool())
    pooled = pred.predict(ids, texts)
    assert calls, "several runs and one sentence should use the worker pool"
    monkeypatch.setattr(predict_mod, "INTERACTIVE_TEXTS", 0)
    sequential = pred.predict(ids, texts)
    assert len(calls) == 1  # the second call did not ask for the pool
    for a, b in zip(pooled, sequential):
        assert a.run_id == b.run_id and np.allclose(a.probs, b.probs, atol=1e-6)
    # the two frozen-encoder runs (head_only, zero_shot) still share one pass
    assert [p.shared_encoder for p in pooled] == [False, False, True, True, False]
    # a single run answers in the calling thread (no pool)
    pred.predict(ids[:1], texts)
    assert len(calls) == 1
    pred.close()


def test_the_playground_pool_runs_one_thread_each_and_leaves_later_threads_theirs():
    """torch.set_num_threads in a pool worker also set torch's process-wide starting count: after the Playground's
    first pool, a thread starting torch work later (the training worker's first run, a page, the device name) ran
    on one thread, and the Train page's estimates found no past run on "AMD EPYC (1 threads)"."""
    import threading

    from bertlab.predict import one_thread_pool

    base = torch.get_num_threads()
    if base < 2:
        pytest.skip("needs two torch threads to tell one from the starting count")
    waiting, out = threading.Event(), {}
    before = threading.Thread(target=lambda: (waiting.wait(60), out.update(before=torch.get_num_threads())))
    before.start()  # started before the pool, first torch work after it (the training worker)
    pool = one_thread_pool(2, "t")
    try:
        assert sorted(pool.submit(torch.get_num_threads).result() for _ in range(4)) == [1, 1, 1, 1]
        waiting.set()
        before.join()
        later = threading.Thread(target=lambda: out.update(later=torch.get_num_threads()))
        later.start()
        later.join()
        assert out == {"before": base, "later": base} and torch.get_num_threads() == base
    finally:
        pool.shutdown()

def test_app_turns_off_streamlits_full_garbage_collection_after_every_run():
    """Streamlit collects all garbage generations after every script and fragment run by default; with torch
    loaded that holds the GIL long enough to slow the training the Compare page is showing (1.44x against 1.07x
    without it, bench/app_refresh.py). The repo's config turns it off; this also fails if Streamlit stops
    reading the option under that name (the setting would then silently do nothing)."""
    import inspect
    import tomllib
    from pathlib import Path

    from streamlit import config
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    cfg = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert cfg["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template
    assert 'get_option("runner.postScriptGC")' in inspect.getsource(ScriptRunner._on_script_finished)


def _embedding_model(tiny_model):
    torch.manual_seed(0)
    return models.load_classifier(tiny_model, ["neg", "pos"])


def test_kept_embedding_gradient_trains_the_same_model(tiny_model, monkeypatch):
    import contextlib
    from unittest import mock

    monkeypatch.setenv("BERTLAB_COMPACT_EMBEDDING", "0")  # the compact rows (bertlab.embrows) keep their own buffer

    import bertlab.engine as engine

    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(16)
    y = [int(lab == "pos") for lab in labels]
    enc = encode(tok, texts, 32)
    results = []
    for kept in (True, False):
        model = _embedding_model(tiny_model)
        w0 = model.get_input_embeddings().weight.detach().clone()
        ctx = engine.kept_embedding_gradient if kept else (lambda m, d: contextlib.nullcontext(False))
        with mock.patch.object(engine, "kept_embedding_gradient", ctx):
            st = train_classifier(model, enc, y, enc, y, ["neg", "pos"], epochs=2, batch_size=8, lr=1e-3,
                                  weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0, seed=0,
                                  device=torch.device("cpu"), dtype=None, pad_id=tok.pad_token_id,
                                  callbacks=Callbacks())
        assert st.kept_embedding_gradient is kept
        emb = model.get_input_embeddings()
        assert "forward" not in vars(emb) and emb.weight.grad is None  # put back, buffer released
        assert float((emb.weight.detach() - w0).abs().max()) > 1e-3  # the embeddings trained
        results.append(model.state_dict())
    for (name, a), b in zip(results[0].items(), results[1].values()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6, msg=name)


def test_kept_embedding_gradient_equals_autograds_over_steps_padding_and_accumulation(tiny_model):
    from bertlab.embgrad import kept_embedding_gradient

    ours, ref = _embedding_model(tiny_model), _embedding_model(tiny_model)
    pad = ref.get_input_embeddings().padding_idx
    g = torch.Generator().manual_seed(0)
    batches = [torch.randint(1, 500, (4, 9), generator=g) for _ in range(4)]
    for b in batches:
        b[:, 6:] = pad  # padding rows get no gradient
    with kept_embedding_gradient(ours) as applied:
        assert applied
        for n, ids in enumerate(batches):
            for model in (ours, ref):
                model.get_input_embeddings()(ids).pow(2).sum().backward()
                if n == 2:  # a second backward before zeroing: gradients add up
                    model.get_input_embeddings()(ids[:, :3]).sum().backward()
            a, b = ours.get_input_embeddings().weight.grad, ref.get_input_embeddings().weight.grad
            torch.testing.assert_close(a, b)
            assert not a[pad].any()
            for model in (ours, ref):
                model.zero_grad(set_to_none=True)  # next step: rows written before must read zero again


def test_kept_embedding_gradient_leaves_tied_and_frozen_embeddings_alone(tiny_model):
    from transformers import AutoModelForMaskedLM

    from bertlab.embgrad import kept_embedding_gradient

    mlm = AutoModelForMaskedLM.from_pretrained(tiny_model)  # the output layer shares the embedding matrix
    assert mlm.get_output_embeddings().weight is mlm.get_input_embeddings().weight
    with kept_embedding_gradient(mlm) as applied:
        assert not applied
    frozen = _embedding_model(tiny_model)
    frozen.get_input_embeddings().weight.requires_grad_(False)
    with kept_embedding_gradient(frozen) as applied:
        assert not applied


def _train_flat(tiny_model, flat: bool, *, grad_clip: float, dtype=torch.bfloat16, layer_decay=None, epochs=2,
                fused: bool = True):
    from unittest import mock

    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(16)
    y = [int(lab == "pos") for lab in labels]
    enc = encode(tok, texts, 32)
    model = _embedding_model(tiny_model)
    w0 = {n: p.detach().clone() for n, p in model.named_parameters()}
    with mock.patch.dict("os.environ", {"BERTLAB_FLAT_WEIGHTS": "1" if flat else "0",
                                        "BERTLAB_FUSED_QKV": "1" if fused else "0"}):
        st = train_classifier(model, enc, y, enc, y, ["neg", "pos"], epochs=epochs, batch_size=8, lr=1e-3,
                              weight_decay=0.01, warmup_ratio=0.1, grad_clip=grad_clip, seed=0,
                              device=torch.device("cpu"), dtype=dtype, pad_id=tok.pad_token_id,
                              callbacks=Callbacks(), layer_decay=layer_decay)
    return model, st, w0


def test_flat_weights_train_the_same_model_as_autocast(tiny_model):
    # Without clipping (a bound no gradient reaches) and with the projections apart the arithmetic is the same
    # operation for operation.
    (a, st_a, w0), (b, st_b, _) = (_train_flat(tiny_model, f, grad_clip=1e9, fused=False) for f in (True, False))
    assert st_a.flat_weights and not st_b.flat_weights
    query = "bert.encoder.layer.0.attention.self.query.weight"
    assert float((a.state_dict()[query] - w0[query]).abs().max()) > 1e-4  # the linear maps trained
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(x, y, rtol=0, atol=0, msg=name)
    assert [h["val_loss"] for h in st_a.history] == [h["val_loss"] for h in st_b.history]


@pytest.mark.parametrize("layer_decay", [None, 0.8])
def test_flat_weights_with_clipping_and_layer_groups_stay_within_rounding(tiny_model, layer_decay):
    # Clipping takes one norm over the flat gradient instead of one per tensor: the sum is ordered differently.
    (a, _, _), (b, _, _) = (_train_flat(tiny_model, f, grad_clip=0.05, layer_decay=layer_decay, fused=False)
                            for f in (True, False))
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(x, y, rtol=1e-5, atol=1e-6, msg=name)


def _same_logits_and_gradients(ours, ref):
    """``ours`` through the flat path (both layers' query, key and value fused) answers and differentiates as
    ``ref`` does on a padded batch; returns the flat path (to release)."""
    from bertlab.engine import param_groups
    from bertlab.flatweights import FlatWeights

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, 500, (3, 11), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 7:] = 0
    flat = FlatWeights(ours, param_groups(ours, 0.01, 1e-3), torch.float32)
    assert len(flat.fused) == 2  # both layers' self-attention
    torch.manual_seed(1)
    a = flat(input_ids=ids, attention_mask=mask).logits
    torch.manual_seed(1)
    b = ref(input_ids=ids, attention_mask=mask).logits
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    a.pow(2).sum().backward()
    b.pow(2).sum().backward()
    grads = {n: p.grad for n, p in ref.named_parameters()}
    for f in flat.flats:
        for name, piece in zip(f.names, f.master.grad.split(f.sizes), strict=True):
            torch.testing.assert_close(piece.view(grads[name].shape), grads[name], rtol=1e-4, atol=1e-6, msg=name)
    return flat


@pytest.mark.parametrize("training", [True, False])
def test_fused_projection_gives_the_models_logits_and_gradients(tiny_model, training):
    # In fp32 the flat path's "cast" is a copy, so any difference would be the fused forward's own.

    ours, ref = _embedding_model(tiny_model), _embedding_model(tiny_model)
    for m in (ours, ref):
        m.train(training)
    flat = _same_logits_and_gradients(ours, ref)
    att = ours.bert.encoder.layer[0].attention.self
    assert att._bertlab_qkv_w is None  # this step's weights are not kept for a later plain forward
    flat.release()
    assert "forward" not in vars(att) and not hasattr(att, "_bertlab_qkv_w")


@pytest.mark.parametrize("kind", ["xlm-roberta", "electra", "distilbert", "distilbert-eager", "distilbert-training"])
def test_fused_projection_serves_xlm_r_electra_and_distilbert_exactly(kind):
    """XLM-R's and ELECTRA's self-attention is BERT's under another name, DistilBERT's has q_lin, k_lin, v_lin and
    its output projection inside: one product for query, key and value, the same answers (SDPA and eager, and in
    training with dropout). Between steps (an evaluation) the installed forward falls back to the model's own."""
    import copy

    import transformers as t


    small = dict(vocab_size=600, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                 max_position_embeddings=80, num_labels=2)
    torch.manual_seed(0)
    if kind.startswith("distilbert"):
        cfg = t.DistilBertConfig(vocab_size=600, dim=32, n_layers=2, n_heads=2, hidden_dim=64,
                                 max_position_embeddings=80, num_labels=2)
        cfg._attn_implementation = "eager" if kind.endswith("eager") else "sdpa"
        ref = t.DistilBertForSequenceClassification(cfg)
    else:
        ref = (t.XLMRobertaForSequenceClassification(t.XLMRobertaConfig(**small, pad_token_id=1))
               if kind == "xlm-roberta" else t.ElectraForSequenceClassification(t.ElectraConfig(**small, embedding_size=16)))
    ref.train(kind.endswith("training"))  # built, not loaded: in training mode, with dropout
    ours = copy.deepcopy(ref)
    flat = _same_logits_and_gradients(ours, ref)
    ids = torch.randint(5, 500, (2, 9), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)
    mask[0, 5:] = 0
    ours.eval(), ref.eval()
    with torch.no_grad():  # the fused forwards are still installed, without this step's weights: the fallback
        torch.testing.assert_close(ours(input_ids=ids, attention_mask=mask).logits,
                                   ref(input_ids=ids, attention_mask=mask).logits, rtol=1e-5, atol=1e-6)
    flat.release()


def test_fused_projection_trains_in_bf16_and_is_put_back(tiny_model):
    model, st, w0 = _train_flat(tiny_model, True, grad_clip=1.0)
    assert st.flat_weights and all(math.isfinite(h["val_loss"]) for h in st.history)
    key = "bert.encoder.layer.1.attention.self.key.weight"
    assert float((model.state_dict()[key] - w0[key]).abs().max()) > 1e-4
    assert not any("forward" in vars(m) for m in model.modules())


def test_flat_weights_give_every_parameter_its_own_storage_back(tiny_model, tmp_path):
    model, st, _ = _train_flat(tiny_model, True, grad_clip=1.0, epochs=1)
    assert st.flat_weights
    ptrs = [p.untyped_storage().data_ptr() for p in model.parameters()]
    assert len(set(ptrs)) == len(ptrs)
    assert all(p.grad is None for p in model.parameters())
    model.save_pretrained(tmp_path)  # safetensors refuses tensors that share memory
    # read back as saved (load_classifier would start a new head: the checkpoint is itself a classifier)
    from transformers import AutoModelForSequenceClassification

    again = AutoModelForSequenceClassification.from_pretrained(tmp_path)
    for (name, x), y in zip(model.state_dict().items(), again.state_dict().values()):
        torch.testing.assert_close(x, y, rtol=0, atol=0, msg=name)


def test_flat_weights_are_released_when_a_run_is_cancelled(tiny_model):
    from bertlab.errors import RunCancelled

    class StopAfterTwo(Callbacks):
        n = 0

        def should_stop(self) -> bool:
            self.n += 1
            return self.n > 2

    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(32)
    enc = encode(tok, texts, 32)
    model = _embedding_model(tiny_model)
    with pytest.raises(RunCancelled):
        train_classifier(model, enc, [int(lab == "pos") for lab in labels], enc, [0] * 32, ["neg", "pos"],
                         epochs=1, batch_size=4, lr=1e-3, weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0,
                         seed=0, device=torch.device("cpu"), dtype=torch.bfloat16, pad_id=tok.pad_token_id,
                         callbacks=StopAfterTwo())
    ptrs = [p.untyped_storage().data_ptr() for p in model.parameters()]
    assert len(set(ptrs)) == len(ptrs)


def test_flat_weights_leave_fp32_training_tied_and_frozen_weights_alone(tiny_model):
    from transformers import AutoModelForMaskedLM

    from bertlab.engine import param_groups
    from bertlab.flatweights import FlatWeights, flat_weights

    model = _embedding_model(tiny_model)
    groups = param_groups(model, 0.01, 1e-3)
    with flat_weights(model, groups, None) as flat:
        assert flat is None
    mlm = AutoModelForMaskedLM.from_pretrained(tiny_model)
    decoder = mlm.get_output_embeddings()
    assert type(decoder) is torch.nn.Linear and decoder.weight is mlm.get_input_embeddings().weight
    mlm.bert.encoder.layer[0].attention.self.query.weight.requires_grad_(False)
    groups = param_groups(mlm, 0.01, 1e-3)
    flat = FlatWeights(mlm, groups, torch.bfloat16)
    flattened = {n for f in flat.flats for n in f.names}
    assert flattened and "cls.predictions.decoder.weight" not in flattened
    assert "bert.encoder.layer.0.attention.self.query.weight" not in flattened
    assert "bert.encoder.layer.0.attention.self.key.weight" in flattened
    flat.release()


def _train_rows(tiny_model, compact: bool, *, dtype=None, layer_decay=None, weight_decay=0.5, keep_best=False,
                val_texts: int = 16):
    from unittest import mock

    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(16)
    y = [int(lab == "pos") for lab in labels]
    enc = encode(tok, texts, 32)
    val_t, val_l = make_texts(val_texts, seed=1) if val_texts != 16 else (texts, labels)
    val = encode(tok, val_t, 32)
    model = _embedding_model(tiny_model)
    w0 = model.get_input_embeddings().weight.detach().clone()
    with mock.patch.dict("os.environ", {"BERTLAB_COMPACT_EMBEDDING": "1" if compact else "0"}):
        st = train_classifier(model, enc, y, val, [int(lab == "pos") for lab in val_l], ["neg", "pos"], epochs=2,
                              batch_size=8, lr=1e-2, weight_decay=weight_decay, warmup_ratio=0.1, grad_clip=0.5,
                              seed=0, device=torch.device("cpu"), dtype=dtype, pad_id=tok.pad_token_id,
                              callbacks=Callbacks(), layer_decay=layer_decay, keep_best=keep_best)
    return model, st, w0, enc


@pytest.mark.parametrize("dtype,layer_decay", [(None, None), (None, 0.8), (torch.bfloat16, None)])
def test_compact_embedding_trains_the_model_dense_adamw_trains(tiny_model, dtype, layer_decay):
    # A weight decay of 0.5 makes the untouched rows' decay large enough that leaving it out would show.
    (a, st_a, w0, enc), (b, st_b, _, _) = (_train_rows(tiny_model, c, dtype=dtype, layer_decay=layer_decay)
                                           for c in (True, False))
    used = sorted({i for row in enc.ids for i in row} | {a.get_input_embeddings().padding_idx})
    assert st_a.embedding_rows_trained == len(used) and st_b.embedding_rows_trained is None
    emb = a.get_input_embeddings()
    assert "forward" not in vars(emb) and emb.weight.grad is None
    untouched = torch.ones(w0.shape[0], dtype=torch.bool)
    untouched[used] = False
    w = emb.weight.detach()
    assert float((w[untouched] - w0[untouched]).abs().max()) > 1e-4  # decayed, as dense AdamW decays them
    assert float((w[~untouched] - w0[~untouched]).abs().max()) > 1e-3  # trained
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(x, y, rtol=1e-5, atol=1e-6, msg=name)
    for ha, hb in zip(st_a.history, st_b.history):  # each evaluation saw the written-back matrix
        assert ha["val_loss"] == pytest.approx(hb["val_loss"], rel=1e-5)


def test_compact_embedding_evaluates_texts_with_tokens_training_never_saw(tiny_model):
    (a, st_a, _, _), (b, st_b, _, _) = (_train_rows(tiny_model, c, val_texts=24) for c in (True, False))
    assert st_a.embedding_rows_trained
    for ha, hb in zip(st_a.history, st_b.history):
        assert ha["val_loss"] == pytest.approx(hb["val_loss"], rel=1e-5)


def test_compact_embedding_refuses_an_unseen_token_in_training_and_leaves_restored_weights(tiny_model):
    from bertlab.embrows import compact_embedding

    model = _embedding_model(tiny_model)
    groups = engine_param_groups(model)
    emb = model.get_input_embeddings()
    with compact_embedding(model, groups, [[101, 2000, 102]], torch.device("cpu")) as ce:
        assert ce is not None and not any(p is emb.weight for g in groups for p in g["params"])
        model.train()
        with pytest.raises(ValueError, match="outside the training texts"):
            emb(torch.tensor([[101, 2001, 102]]))
        emb(torch.tensor([[101, 2000, 102]])).sum().backward()
        ce.param.data.add_(1.0)
        ce.stepped()
        ce.flush()
        assert float(emb.weight.detach()[2000, 0] - ce.param.detach()[ce.remap[2000], 0]) == 0
        restored = emb.weight.detach().clone().mul_(0.5)
        with torch.no_grad():
            emb.weight.copy_(restored)  # what BestKeeper.restore does after the last flush
    assert torch.equal(emb.weight.detach(), restored) and "forward" not in vars(emb)


def test_compact_embedding_stays_off_where_it_would_not_pay_or_is_not_asked(tiny_model, monkeypatch):
    from bertlab.embrows import compact_embedding

    model = _embedding_model(tiny_model)
    every_row = [list(range(model.get_input_embeddings().weight.shape[0]))]
    with compact_embedding(model, engine_param_groups(model), every_row, torch.device("cpu")) as ce:
        assert ce is None
    with compact_embedding(model, engine_param_groups(model), [[101, 102]], torch.device("cuda")) as ce:
        assert ce is None
    monkeypatch.setenv("BERTLAB_COMPACT_EMBEDDING", "0")
    with compact_embedding(model, engine_param_groups(model), [[101, 102]], torch.device("cpu")) as ce:
        assert ce is None


def engine_param_groups(model):
    from bertlab.engine import param_groups

    return param_groups(model, 0.01, 1e-3)


def test_kept_embedding_gradient_leaves_the_compact_rows_lookup_in_place(tiny_model):
    from bertlab.embgrad import kept_embedding_gradient
    from bertlab.embrows import compact_embedding

    model = _embedding_model(tiny_model)
    emb = model.get_input_embeddings()
    with compact_embedding(model, engine_param_groups(model), [[101, 2000, 102]], torch.device("cpu")) as ce:
        with kept_embedding_gradient(model) as kept:
            assert not kept and vars(emb)["forward"] == ce.lookup
        assert vars(emb)["forward"] == ce.lookup  # still routed through the compact rows after it exits


def test_a_model_reached_through_a_symlink_shares_its_caches(tiny_model, tmp_path):
    link = tmp_path / "linked-model"
    link.symlink_to(tiny_model, target_is_directory=True)
    assert embeddings.model_identity(str(link)) == embeddings.model_identity(tiny_model)


def test_collate_rounds_a_batch_up_to_the_multiple_and_masks_only_the_texts():
    from bertlab.engine import collate

    b = collate([[5, 6, 7], [5] * 9], pad_id=0, multiple=8)
    assert b["input_ids"].shape == (2, 16)
    assert b["attention_mask"].sum(1).tolist() == [3, 9]
    assert b["input_ids"][0, 3:].eq(0).all() and b["input_ids"][1, :9].eq(5).all()
    assert collate([[5] * 16], pad_id=0, multiple=8)["input_ids"].shape == (1, 16)  # already a multiple
    assert collate([[5] * 3], pad_id=0)["input_ids"].shape == (1, 3)
    # never past the cap: a model's positions may end at a length that is no multiple of 8
    assert collate([[5] * 9], pad_id=0, multiple=8, cap=10)["input_ids"].shape == (1, 10)
    assert collate([[5] * 3], pad_id=0, multiple=8, cap=10)["input_ids"].shape == (1, 8)


def test_the_padding_cap_is_the_cut_texts_were_tokenised_to_so_one_sentence_is_rounded_too(tiny_model):
    """The Playground asks one sentence at a time: capped at its own length it would meet a new shape with every
    new length on a GPU. Capped at max_length it is rounded up like any batch, and never past max_length."""
    tok = models.load_tokenizer(tiny_model)
    one = encode(tok, ["a short sentence"], 30)
    assert one.pad_cap() == 30 and len(one.ids[0]) < 8
    from bertlab.engine import Encoded

    assert Encoded([[1, 2, 3], [1] * 9]).pad_cap() == 9 and Encoded([]).pad_cap() is None


def _without_dropout(tiny_model):
    """The tiny classifier with every dropout off (attention's too, which reads its module's p), so that runs
    that pad differently draw no different masks."""
    torch.manual_seed(0)
    model = models.load_classifier(tiny_model, ["neg", "pos"])
    for mod in model.modules():
        if isinstance(mod, torch.nn.Dropout):
            mod.p = 0.0
    return model


def test_padding_batches_to_a_multiple_of_8_changes_nothing_but_the_shapes(tiny_model):
    """What CUDA runs do by default (engine.shape_multiple): the extra padding is masked out, so the logits and
    gradients are the padded-to-the-longest batch's; training steps through the same losses."""
    from bertlab.engine import collate, shape_multiple

    assert shape_multiple(torch.device("cuda")) == 8 and shape_multiple(torch.device("cpu")) == 1
    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(24)
    y = [int(lab == "pos") for lab in labels]
    enc = encode(tok, texts, 32)
    assert any(n % 8 for n in enc.lengths)
    model = _without_dropout(tiny_model)
    params = [p for p in model.parameters() if p.requires_grad]
    out = []
    for multiple in (1, 8):
        batch = collate(enc.ids[:9], tok.pad_token_id, multiple)
        logits = model(**batch).logits
        loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y[:9]))
        out.append((batch["input_ids"].shape[1], logits, torch.autograd.grad(loss, params)))
    (n1, l1, g1), (n8, l8, g8) = out
    assert n8 % 8 == 0 and n8 > n1
    torch.testing.assert_close(l8, l1, rtol=0, atol=1e-5)
    for a, b in zip(g8, g1):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)

    class Losses(Callbacks):
        def __init__(self):
            self.losses = []

        def on_step(self, step, epoch, loss, lr, phase="train"):
            self.losses.append(loss)

    runs = []
    for multiple in (1, 8):
        m = _without_dropout(tiny_model)
        cb = Losses()
        st = train_classifier(m, enc, y, enc, y, ["neg", "pos"], epochs=2, batch_size=8, lr=1e-4,
                              weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0, seed=0,
                              device=torch.device("cpu"), dtype=None, pad_id=tok.pad_token_id, callbacks=cb,
                              pad_multiple=multiple)
        runs.append((st, cb.losses))
    (st1, loss1), (st8, loss8) = runs
    assert st8.padded_tokens > st1.padded_tokens and st8.tokens == st1.tokens
    # AdamW divides by the gradient's size, so rounding differences of near-zero gradients grow step by step:
    # the first step is the same to rounding, the rest close.
    assert len(loss1) == len(loss8) == 2 * math.ceil(len(enc) / 8)
    assert abs(loss1[0] - loss8[0]) < 1e-6
    np.testing.assert_allclose(loss8, loss1, rtol=1e-3)


def test_cuda_padding_runs_every_path_and_never_passes_the_models_positions(tmp_path, monkeypatch, bertlab_home):
    """What a CUDA GPU does (shape_multiple 8), forced on a CPU, on a model whose positions end at 36 (no multiple
    of 8), texts cut at 36: training, evaluation, the embedding pass and dapt's masked-LM phase all pad to 8 where
    that stays within 36, and every run succeeds (a batch of 40 would index past the position table)."""
    import random

    from transformers import AutoTokenizer, BertConfig, BertModel

    import bertlab.embeddings as embeddings_mod
    import bertlab.engine as engine
    from bertlab.config import DataConfig
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    for mod in (engine, embeddings_mod):  # dapt imports them from engine when it runs
        monkeypatch.setattr(mod, "shape_multiple", lambda device: 8)
    widths = []
    real = engine.collate

    def spy(ids, pad_id, multiple=1, cap=None, types=None):  # (types: a text pair's token types)
        out = real(ids, pad_id, multiple, cap, types)
        widths.append(out["input_ids"].shape[1])
        return out

    monkeypatch.setattr(engine, "collate", spy)
    tok = AutoTokenizer.from_pretrained(models.default_model_path())
    d = tmp_path / "positions-36"
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=36)).save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    rng = random.Random(0)
    words = "good bad fine awful great poor lovely dull film plot acting scene".split()
    rows = [(" ".join(rng.choice(words) for _ in range(rng.randint(2, 60))), rng.choice(["pos", "neg"]))
            for _ in range(120)]
    csv = tmp_path / "data.csv"
    csv.write_text("text,label\n" + "".join(f"{t},{lab}\n" for t, lab in rows))
    data = DataConfig(source="file", name=str(csv), train_size=None, val_size=None, test_size=None)
    store = RunStore()
    for name, max_length in (("full_ft", 36), ("dapt", 36), ("dapt", 32), ("zero_shot", 36)):
        widths.clear()
        rid = store.create_run(make_config(name, model=str(d), data=data, epochs=1, batch_size=8,
                                           max_length=max_length))
        status = execute_run(store, rid)
        run = store.get(rid)
        assert status == SUCCEEDED, (name, max_length, run.error)
        assert widths and max(widths) <= max_length, (name, max_length, sorted(set(widths)))
        assert any(w % 8 == 0 and w < max_length for w in widths), (name, sorted(set(widths)))  # rounded up


def test_the_process_wide_cache_of_one_max_length_never_serves_another(tiny_model):
    """cache_for keys its objects by model, max_length, dtype and data home: a head_only run at 64 tokens after one
    at 16 must not be served the 16-token embeddings (different vectors for texts longer than 16)."""
    texts = [" ".join(make_texts(10)[0][:4])]  # one long text, cut differently at 16 and 64 tokens
    short, long = embeddings.cache_for(tiny_model, 16, None), embeddings.cache_for(tiny_model, 64, None)
    assert short is not long and (short.max_length, long.max_length) == (16, 64)
    assert embeddings.cache_for(tiny_model, 16, None) is short
    a = short.get(texts, torch.device("cpu")).vectors
    b = long.get(texts, torch.device("cpu")).vectors
    assert not np.allclose(a, b)


def test_a_texts_embedding_is_the_mean_over_its_own_tokens_whatever_it_is_batched_with(tiny_model, tmp_path):
    """Padding is masked out of the mean: a short text batched beside a long one gets the vector it gets alone."""
    short, long = "a fine film", " ".join(make_texts(10)[0][:3])
    alone = embeddings.EmbeddingCache(tiny_model, 64, None, root=tmp_path / "a").get([short], torch.device("cpu"))
    both = embeddings.EmbeddingCache(tiny_model, 64, None, root=tmp_path / "b").get([short, long],
                                                                                     torch.device("cpu"))
    assert both.text_tokens[1] > 2 * both.text_tokens[0]  # the premise: the short one is padded in that batch
    np.testing.assert_allclose(both.vectors[0], alone.vectors[0], atol=1e-5)


def test_an_epoch_with_a_last_partial_batch_counts_it_in_the_steps_the_schedule_and_progress_plan(tiny_model):
    """20 texts in batches of 8 are 3 steps an epoch (8, 8 and 4): the progress total and the learning-rate schedule
    plan 6 steps over 2 epochs, so the epoch each step reports ends at 2.0 and no step trains at a rate of 0."""

    class Plan(Callbacks):
        def __init__(self) -> None:
            self.total, self.epochs, self.lrs = None, [], []

        def on_start(self, total_steps, phase="train"):
            self.total = total_steps

        def on_step(self, step, epoch, loss, lr, phase="train"):
            self.epochs.append(epoch)
            self.lrs.append(lr)

    tok = models.load_tokenizer(tiny_model)
    texts, labels = make_texts(10)
    y = [int(lab == "pos") for lab in labels]
    enc = encode(tok, texts, 32)
    cb = Plan()
    st = train_classifier(models.load_classifier(tiny_model, ["neg", "pos"]), enc, y, enc, y, ["neg", "pos"],
                          epochs=2, batch_size=8, lr=1e-3, weight_decay=0.01, warmup_ratio=0.0, grad_clip=1.0, seed=0,
                          device=torch.device("cpu"), dtype=None, pad_id=tok.pad_token_id, callbacks=cb)
    assert cb.total == st.steps == 6
    assert cb.epochs == pytest.approx([1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    assert all(lr > 0 for lr in cb.lrs[:-1])  # the rate each step leaves for the next; after the last, 0
