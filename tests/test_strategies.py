"""Every registered strategy, end to end on a tiny model: runs, stores metrics, predicts."""

from __future__ import annotations

import numpy as np
import pytest

from bertlab import paired
from bertlab.data import load_splits
from bertlab.embeddings import cached_keys, text_keys
from bertlab.models import autocast_dtype, pick_device
from bertlab.predict import Predictor
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import REGISTRY, get_strategy, make_config


def tiny_config(name: str, tiny_model: str, tiny_data, **kw):
    base = {"epochs": 2, "batch_size": 8, "max_length": 32}
    if name not in ("zero_shot", "head_only", "tfidf_logreg"):
        base["learning_rate"] = 1e-3
    return make_config(name, model=tiny_model, data=tiny_data, **{**base, **kw})


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_strategy_runs_end_to_end(name, tiny_model, tiny_data):
    store = RunStore()
    rid = store.create_run(tiny_config(name, tiny_model, tiny_data))
    status = execute_run(store, rid)
    run = store.get(rid)
    assert status == SUCCEEDED, run.traceback or run.error
    m, c = run.metrics, run.costs
    assert 0.0 <= m["test_accuracy"] <= 1.0
    assert 0.0 <= m["test_macro_f1"] <= 1.0
    assert len(m["confusion"]) == 2 and sum(map(sum, m["confusion"])) == run.data_summary["sizes"]["test"]
    # every strategy records how far its confidence is from its accuracy (bins cover every test text)
    assert 0.0 <= m["test_ece"] <= 1.0 and 0.5 <= m["test_mean_confidence"] <= 1.0
    assert sum(b["count"] for b in m["calibration"]) == run.data_summary["sizes"]["test"]
    assert c["total_params"] > 0 and 0 <= c["trainable_params"] <= c["total_params"]
    # what the run added over the process's memory at its start: a tiny run can reuse memory and add nothing
    assert isinstance(c["peak_memory_bytes"], int) and c["peak_memory_bytes"] >= 0
    if "train_flops_per_s" in c:  # a rate over the same work as the totals it is read beside
        assert c["train_flops_per_s"] == pytest.approx(c["train_flops"] / c["train_seconds"] if c["train_seconds"] else 0)
    strategy = get_strategy(name)
    if strategy.trains == "nothing":
        assert c["trainable_params"] == 0
    else:
        assert c["trainable_params"] > 0
    # every strategy keeps its validation texts' probabilities, keep_best off too (mutants18: only a restored
    # epoch's kept, runs that kept their last epoch stored none, and passed every test)
    kept = paired.load_val_predictions(run)
    assert kept is not None and np.asarray(kept["probabilities"]).shape == (len(load_splits(tiny_data).val), 2)
    preds = Predictor(store).predict([rid], ["a wonderful film", "an awful film"])
    assert preds[0].probs.shape == (2, 2)
    assert abs(preds[0].probs.sum(1) - 1).max() < 1e-4
    assert set(preds[0].labels) <= {"neg", "pos"}
    # what it declares it embeds through the shared cache (what the Train page's time estimate checks the cache
    # for) is what it embedded, and the cache now holds all of it for this device: a second run would embed nothing
    sp = load_splits(tiny_data)
    assert c.get("embedded_texts", 0) == sum(len(getattr(sp, w)) for w in strategy.embeds)
    need = text_keys([t for w in strategy.embeds for t in getattr(sp, w).texts]
                     + strategy.embedded_texts(run.run_config, sp))
    device = pick_device()
    assert need <= cached_keys(tiny_model, 32, autocast_dtype("auto", device), device.name)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_strategy_metadata_complete(name):
    s = get_strategy(name)
    assert s.title and s.summary and s.trains and s.frozen and s.when
    cfg = make_config(name)
    assert cfg.strategy == name


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_strategy_trains_and_frozen_lines_name_no_code_identifier(name):
    """A copyedit read: head_only's line on the Train page's table and its Strategy card said it trains "a linear
    head (hidden_size x classes weights)", a config field a teacher has not met. The lines say what trains in
    words; a strategy's own name (zero_shot...) is the only snake_case word they may use."""
    import re

    s = get_strategy(name)
    words = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", s.trains + " " + s.frozen))
    assert words <= set(REGISTRY), (name, words)


def test_trainable_strategies_learn_separable_data(tiny_model, tiny_data):
    store = RunStore()
    rid = store.create_run(tiny_config("full_ft", tiny_model, tiny_data, epochs=6, learning_rate=3e-3))
    assert execute_run(store, rid) == SUCCEEDED
    m = store.get(rid).metrics
    # separable data: a trained model must beat always-majority by a wide margin
    assert m["test_accuracy"] >= m["majority_accuracy"] + 0.2


def test_scratch_new_vocab(tiny_model, tiny_data):
    store = RunStore()
    rid = store.create_run(tiny_config("scratch", tiny_model, tiny_data, new_vocab=True, vocab_size=500))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    assert any("WordPiece" in n for n in run.notes)
    import json
    from pathlib import Path

    cfg = json.loads((Path(run.artifact_dir) / "config.json").read_text())
    assert cfg["vocab_size"] < 1000


def test_fixed_seed_is_repeatable(tiny_model, tiny_data):
    store = RunStore()
    accs = []
    for _ in range(2):
        rid = store.create_run(tiny_config("full_ft", tiny_model, tiny_data))
        execute_run(store, rid)
        accs.append((store.get(rid).metrics["test_accuracy"], store.get(rid).metrics.get("val_loss")))
    assert accs[0] == accs[1]


def test_inference_cost_per_text_is_the_saved_models_forward_over_the_test_texts(tiny_model, tiny_data):
    """What serving costs: 2 x the non-embedding weights the saved model runs x the test texts' mean tokens, plus
    attention's 4 x layers x width x s^2 for each text of s tokens (served alone: no padding), the same for every
    strategy that keeps the encoder (lora merged, head_only and zero_shot on the frozen one), and a few FLOPs per
    n-gram for tfidf_logreg."""
    from transformers import AutoModelForSequenceClassification

    from bertlab.costs import non_embedding_params
    from bertlab.data import load_splits
    from bertlab.engine import encode
    from bertlab.models import load_tokenizer

    store = RunStore()
    costs, runs = {}, {}
    for name in ("full_ft", "lora", "head_only", "zero_shot", "tfidf_logreg"):
        rid = store.create_run(tiny_config(name, tiny_model, tiny_data, epochs=1))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        runs[name] = store.get(rid)
        costs[name] = runs[name].costs["inference_flops_per_text"]
    test = load_splits(runs["full_ft"].run_config.data).test.texts
    tokens = encode(load_tokenizer(tiny_model), test, 32).lengths
    saved = AutoModelForSequenceClassification.from_pretrained(runs["full_ft"].artifact_dir)
    layers, width = 2, 32  # the tiny BERT's (conftest)
    assert costs["full_ft"] == pytest.approx(2 * non_embedding_params(saved) * tokens.mean()
                                             + 4 * layers * width * (tokens.astype(float) ** 2).mean())
    assert costs["lora"] == pytest.approx(costs["full_ft"])  # adapters merged: the same model to run
    for name in ("head_only", "zero_shot"):  # the same encoder; the tiny model's pooler is a few % of it
        assert costs[name] == pytest.approx(costs["full_ft"], rel=0.1)
    assert 0 < costs["tfidf_logreg"] < 1e-3 * costs["full_ft"]
    from bertlab.costs import ATTENTION_MARK

    # every encoder run says its FLOPs count attention; tfidf_logreg's never had such a term
    assert [n for n, r in runs.items() if r.costs.get(ATTENTION_MARK)] == ["full_ft", "lora", "head_only", "zero_shot"]


def test_one_deleted_or_damaged_model_does_not_silence_the_others(tiny_model, tiny_data):
    import shutil

    from bertlab.errors import BertlabError
    from bertlab.strategies.base import ARTIFACT_META

    store = RunStore()
    ids = [store.create_run(tiny_config("tfidf_logreg", tiny_model, tiny_data)) for _ in range(3)]
    for r in ids:
        assert execute_run(store, r) == SUCCEEDED
    shutil.rmtree(store.artifact_path(ids[1]))
    (store.artifact_path(ids[2]) / ARTIFACT_META).write_text("{not json")
    cut = store.create_run(tiny_config("zero_shot", tiny_model, tiny_data))  # weights cut short (a full disk)
    assert execute_run(store, cut) == SUCCEEDED
    for f in store.artifact_path(cut).glob("*.safetensors"):
        f.write_bytes(f.read_bytes()[:50])
    ids.append(cut)
    p = Predictor(store)
    ok, bad = p.usable(ids)
    assert ok == [ids[0]] and set(bad) == {ids[1], ids[2], cut}
    assert "deleted" in bad[ids[1]] and "damaged" in bad[ids[2]] and "damaged" in bad[cut]
    assert p.predict(ok, ["a wonderful film"])[0].probs.shape == (1, 2)
    with pytest.raises(BertlabError, match="cannot be read"):  # a clear error, not a JSONDecodeError
        p.predict(ids[2:], ["a wonderful film"])


def test_asking_more_runs_than_stay_loaded_does_not_reload_them_every_time(tiny_model, tiny_data, monkeypatch):
    from bertlab import predict

    store = RunStore()
    ids = [store.create_run(tiny_config("tfidf_logreg", tiny_model, tiny_data)) for _ in range(3)]
    for r in ids:
        assert execute_run(store, r) == SUCCEEDED
    loads = []
    real = predict._Loaded.__init__
    monkeypatch.setattr(predict._Loaded, "__init__", lambda self, *a, **k: (loads.append(a[0]), real(self, *a, **k))[1])
    p = Predictor(store, max_loaded=2)
    for _ in range(3):
        assert len(p.predict(ids, ["a wonderful film"])) == 3
    assert sorted(loads) == sorted(ids)  # each loaded once, not once per request


def test_full_ft_training_flops_count_attention_over_each_texts_real_length(tiny_model, tiny_data):
    """6 x N x T for the weights, and for attention 3 x (4 x layers x width x s^2) for every training text of s
    real tokens in every epoch: the padding each batch adds up to its longest text is not counted (the run says how
    much there was, padding_fraction)."""
    from bertlab.costs import non_embedding_params
    from bertlab.engine import encode
    from bertlab.models import load_classifier, load_tokenizer

    store = RunStore()
    rid = store.create_run(tiny_config("full_ft", tiny_model, tiny_data, epochs=2, batch_size=4))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    c = store.get(rid).costs
    train = load_splits(store.get(rid).run_config.data).train.texts
    s = encode(load_tokenizer(tiny_model), train, 32).lengths.astype(int)
    assert c["train_tokens"] == 2 * s.sum() and c["train_square_tokens"] == 2 * (s**2).sum()
    n = non_embedding_params(load_classifier(tiny_model, ["neg", "pos"]))
    layers, width = 2, 32  # the tiny BERT's (conftest)
    assert c["train_flops"] == pytest.approx(6 * n * 2 * s.sum() + 3 * 4 * layers * width * 2 * (s**2).sum())
    assert c["padding_fraction"] > 0  # batches were padded, and the figure above left that padding out
    from bertlab.costs import ATTENTION_MARK

    assert c[ATTENTION_MARK] is True  # what tells it from a run stored before (costs.attention_mix_note)


def test_a_fine_tuned_run_predicts_the_probabilities_its_test_set_got(tiny_model, tiny_data):
    """A full_ft run in the Playground (its own classifier, not a shared encoder) answers its test texts with the
    class probabilities stored when it was scored: each text's over its classes, asked together or alone."""
    import numpy as np

    from bertlab import paired

    store = RunStore()
    rid = store.create_run(tiny_config("full_ft", tiny_model, tiny_data, precision="fp32"))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    test = load_splits(tiny_data).test
    stored = np.asarray(paired.load_predictions(store.get(rid))["probabilities"])
    predictor = Predictor(store)
    predictor.dtype = None  # fp32, as the run evaluated
    together = predictor.predict([rid], test.texts)[0]
    assert together.probs == pytest.approx(stored, abs=2e-3)
    assert predictor.predict([rid], test.texts[:1])[0].probs == pytest.approx(stored[:1], abs=2e-3)
    predictor.close()


def test_head_only_training_flops_count_the_encoder_pass_with_its_attention(tiny_model, tiny_data):
    """head_only's training: one encoder pass over the training texts (2 x N x T and each text's attention,
    4 x layers x width x s^2, from the cache's per-text lengths), then its head's epochs (6 x head x texts)."""
    from bertlab import embeddings
    from bertlab.engine import encode
    from bertlab.models import load_tokenizer

    store = RunStore()
    rid = store.create_run(tiny_config("head_only", tiny_model, tiny_data, epochs=2))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    run = store.get(rid)
    train = load_splits(run.run_config.data).train.texts
    s = encode(load_tokenizer(tiny_model), train, 32).lengths.astype(int)
    n_enc = embeddings.encoder_info(tiny_model)[0]
    head = run.costs["trainable_params"]
    assert run.costs["train_flops"] == pytest.approx(2 * n_enc * s.sum() + 4 * 2 * 32 * (s**2).sum()
                                                     + 6 * head * len(train) * 2)


def test_frozen_encoder_runs_predict_the_probabilities_their_test_set_got_at_their_own_max_length(tiny_model,
                                                                                                  tiny_data):
    """head_only and zero_shot share one encoder pass in the Playground: each still answers as its run evaluated
    (normalised embeddings, its head's bias, its texts cut at its max_length), so its probabilities for the test
    texts are those stored with the run, whether asked alone or beside the other and a TF-IDF run, in the order
    asked."""
    import numpy as np

    from bertlab import paired

    store = RunStore()
    runs = {}
    for name, max_length in (("head_only", 8), ("zero_shot", 8), ("tfidf_logreg", 32)):
        rid = store.create_run(tiny_config(name, tiny_model, tiny_data, max_length=max_length, precision="fp32",
                                           epochs=20))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        runs[name] = rid
    test = load_splits(tiny_data).test
    predictor = Predictor(store)
    predictor.dtype = None  # fp32, as the runs evaluated
    order = [runs["zero_shot"], runs["tfidf_logreg"], runs["head_only"]]
    together = predictor.predict(order, test.texts)
    assert [p.run_id for p in together] == order
    assert [p.shared_encoder for p in together] == [True, False, True]  # one encoder pass for the two
    for name in ("head_only", "zero_shot"):
        stored = np.asarray(paired.load_predictions(store.get(runs[name]))["probabilities"])
        alone = predictor.predict([runs[name]], test.texts)[0]
        assert alone.probs == pytest.approx(stored, abs=2e-3)
        assert together[order.index(runs[name])].probs == pytest.approx(stored, abs=2e-3)
        assert alone.labels == [test.label_names[i] for i in stored.argmax(1)]
        one = predictor.predict([runs[name]], test.texts[:1])[0]  # a text alone answers as in the batch
        assert not alone.shared_encoder and not one.shared_encoder
        assert one.probs == pytest.approx(alone.probs[:1], abs=1e-4)
        # a blank text (spaces, a line break) is read as the word "[empty]", as an empty one is
        blank = predictor.predict([runs[name]], ["", "  \n ", "[empty]"])[0].probs
        assert blank[1] == pytest.approx(blank[0], abs=1e-6) and blank[2] == pytest.approx(blank[0], abs=1e-6)
    predictor.close()


def test_runs_keep_their_validation_probabilities_of_the_model_they_kept(tiny_model, tiny_data, monkeypatch):
    """A threshold chosen on validation texts (bertlab.prcurve.operating_point) needs each run's validation
    probabilities: runs kept only the test texts'. They now keep those of the validation texts too, of the model
    they kept: full_ft with keep_best made to keep epoch 1 of 3 (its lowest 'loss' made the epoch number), so the
    last epoch's would differ, and head_only, zero_shot and tfidf_logreg: what the saved model answers for the
    validation texts, as the Playground computes it."""
    import numpy as np

    from bertlab import engine, paired

    monkeypatch.setattr(engine, "kept_loss", lambda rec: float(rec["epoch"]))  # epoch 1 is the best
    store = RunStore()
    runs = {}
    for name, kw in (("full_ft", {"epochs": 3, "keep_best": True, "learning_rate": 5e-3}), ("head_only", {}),
                     ("zero_shot", {}), ("tfidf_logreg", {})):
        rid = store.create_run(tiny_config(name, tiny_model, tiny_data, precision="fp32", **kw))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        runs[name] = rid
    assert store.get(runs["full_ft"]).metrics["kept_epoch"] == 1
    val = load_splits(tiny_data).val
    predictor = Predictor(store)
    predictor.dtype = None  # fp32, as the runs evaluated
    for name, rid in runs.items():
        run = store.get(rid)
        kept = paired.load_val_predictions(run)
        assert kept is not None, name
        assert kept["labels"] == list(val.labels) and len(kept["predictions"]) == len(val.texts)
        stored = np.asarray(kept["probabilities"])
        now = predictor.predict([rid], val.texts)[0]
        assert now.probs == pytest.approx(stored, abs=2e-3), name
        assert kept["fingerprint"] == paired.fingerprint(val.texts, val.labels, val.label_names)
        assert run.metrics["val_fingerprint"] == kept["fingerprint"]  # recorded, for prcurve to check the file by
        assert kept["fingerprint"] != run.metrics["test_fingerprint"]
    predictor.close()
