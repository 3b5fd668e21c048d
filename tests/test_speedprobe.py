"""The device speed probe and the work each strategy declares for a rough estimate before its first run."""

from __future__ import annotations

import pytest

from bertlab import models, speedprobe
from bertlab.estimate import probe_estimate
from bertlab.strategies import REGISTRY, make_config

SIZES = {"train": 400, "validation": 100, "test": 200}


def test_probe_measures_keeps_and_is_keyed_by_device_and_precision(tiny_model):
    dev = models.pick_device("cpu")
    assert speedprobe.saved(tiny_model, dev, None) is None
    s = speedprobe.measure(tiny_model, dev, None, tokens=16, batch_size=4, min_seconds=0.01, max_steps=2)
    assert s.tokens == 16 and s.train_s_per_token > 0 and s.forward_s_per_token > 0 and s.load_seconds > 0
    assert speedprobe.saved(tiny_model, dev, None) == s  # kept in the data directory for later sessions
    # another precision or another machine's device is not this measurement
    assert speedprobe.saved(tiny_model, dev, models.autocast_dtype("bf16", dev)) is None
    other = models.DeviceInfo("cuda", "Some GPU", True, True)
    assert speedprobe.saved(tiny_model, other, None) is None
    # a run's rough time: loading once, then texts x tokens at each rate
    assert s.seconds(10, 30, 20) == pytest.approx(s.load_seconds + 20 * (10 * s.train_s_per_token
                                                                           + 30 * s.forward_s_per_token))


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_strategy_declares_its_work_or_none(name, tiny_model):
    cfg = make_config(name, model=tiny_model)
    work = REGISTRY[name].probe_work(cfg, SIZES)
    if name == "tfidf_logreg":
        assert work is None  # no encoder: a probe of one says nothing about it
        return
    step, forward = work
    assert step >= 0 and forward > 0
    epochs = cfg.epochs
    if name == "zero_shot":
        assert (step, forward) == (0, 300)
    elif name == "head_only":
        assert (step, forward) == (0, 700)  # one pass over every text; the head's epochs are on cached vectors
    elif name == "partial_ft":
        layers = models.load_config(tiny_model).num_hidden_layers
        share = ((layers + 1) // 2) / layers
        assert step == pytest.approx(400 * epochs * share)
        assert forward == pytest.approx(100 * epochs + 200 + 400 * epochs * (1 - share))
    elif name == "dapt":
        assert step == 400 * epochs + 400 * cfg.options["mlm_epochs"] and forward == 100 * epochs + 200
    else:
        assert (step, forward) == (400 * epochs, 100 * epochs + 200)


def test_partial_ft_declares_a_training_step_for_its_trained_layers_and_a_forward_for_the_rest(tiny_model):
    """Every layer trained: full_ft's work; none: forward passes only. On the tiny model's 2 layers the default (1 of
    2) is half of each, so a mutation swapping the trained and frozen shares passed its tests."""
    epochs = make_config("partial_ft").epochs
    every = REGISTRY["partial_ft"].probe_work(make_config("partial_ft", model=tiny_model, options={"layers": 2}), SIZES)
    assert every == pytest.approx((400 * epochs, 100 * epochs + 200))
    none = REGISTRY["partial_ft"].probe_work(make_config("partial_ft", model=tiny_model, options={"layers": 0}), SIZES)
    assert none == pytest.approx((0, 100 * epochs + 200 + 400 * epochs))


def test_probe_estimate_needs_a_speed_work_and_tokens(tiny_model):
    s = speedprobe.Speed(1e-3, 2e-4, 1.5, 64, 0.0)
    est = probe_estimate(s, (100, 50), 40)
    assert est.seconds == pytest.approx(1.5 + 40 * (100 * 1e-3 + 50 * 2e-4))
    assert est.basis.startswith("rough")
    assert probe_estimate(None, (100, 50), 40) is None
    assert probe_estimate(s, None, 40) is None
    assert probe_estimate(s, (100, 50), None) is None


def test_rough_estimates_weigh_tokens_as_the_flops_do_attention_growing_with_length(tiny_model):
    """A text of s tokens costs 2 x N x s + 4 x layers x width x s^2 forward FLOPs: a speed measured at 64 tokens a
    text, or an encoder pass timed on texts of 20, counts each token of longer texts dearer, of shorter ones cheaper
    (the tiny BERT: 2 layers of 32), and a text of the length measured exactly as measured."""
    from types import SimpleNamespace

    from bertlab import embeddings
    from bertlab.estimate import encoder_estimate

    n = embeddings.encoder_info(tiny_model)[0]

    def w(s):  # a text's forward FLOPs in tokens of 2 x N each
        return (2 * n * s + 4 * 2 * 32 * s * s) / (2 * n)

    s = speedprobe.Speed(1e-3, 2e-4, 1.5, 64, 0.0)
    assert probe_estimate(s, (100, 50), 64, model=tiny_model).seconds == pytest.approx(probe_estimate(s, (100, 50), 64).seconds)
    est = probe_estimate(s, (100, 50), 40, model=tiny_model)
    assert est.seconds == pytest.approx(1.5 + w(40) / w(64) * 64 * (100 * 1e-3 + 50 * 2e-4))
    assert est.seconds < probe_estimate(s, (100, 50), 40).seconds  # shorter texts than measured: cheaper a token
    past = SimpleNamespace(status="succeeded", model=tiny_model, device="cpu", strategy="zero_shot", config={},
                           costs={"device": "cpu", "embedding_seconds": 2.0, "embedded_texts": 120,
                                  "embedding_cache_hits": 20}, data_summary={"mean_tokens": 20.0})
    got = encoder_estimate([past], tiny_model, "cpu", (1000.0, 500.0), 30.0)
    assert got.seconds == pytest.approx(2.0 / (100 * w(20)) * w(30) * (3 * 1000 + 500))
