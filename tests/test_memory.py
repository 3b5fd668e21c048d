"""bertlab.memory: a run's peak memory estimated before launch, its terms, and the runs it was fitted to."""

from __future__ import annotations

import json

import pytest

from bertlab import memory
from bertlab.memory import MemoryEstimate, estimate_bytes, shape_of

MIB = 2**20

# Runs measured on a 2-core CPU (bf16 autocast, precision "auto"; fp32 where said), MiniLM, bbc_news 64 training /
# 32 validation / 32 test texts, 1 epoch, one `python -m bertlab run ... --json` per fresh process and data
# directory: (strategy, batch size, max length, bf16, the run's stored peak_memory_bytes in MiB). The project's
# notes hold them with their estimates (memest_table.md).
MEASURED = [
    ("full_ft", 8, 128, True, 722.1), ("full_ft", 16, 256, True, 1499.6), ("full_ft", 32, 64, True, 807.5),
    ("full_ft", 4, 512, True, 1741.7), ("full_ft", 8, 128, False, 605.0), ("full_ft", 16, 256, False, 1961.6),
    ("head_only", 32, 128, True, 343.3), ("head_only", 64, 256, True, 401.1), ("zero_shot", 32, 128, True, 220.1),
    ("lora", 16, 128, True, 780.4), ("partial_ft", 16, 128, True, 588.6), ("dapt", 16, 128, True, 985.9),
    ("scratch", 16, 128, True, 801.7), ("lora", 8, 256, True, 944.9), ("partial_ft", 32, 256, True, 1496.1),
]  # the last three were measured after the constants were fitted (0.88, 1.01, 1.02 times their estimates)


def _est(strategy: str, batch: int = 16, length: int = 128, half: bool = True) -> MemoryEstimate:
    return estimate_bytes(strategy, shape_of(strategy, "minilm"), batch, length, half,
                          mlm=0.15 if strategy == "dapt" else 0.0)


@pytest.mark.parametrize(("strategy", "batch", "length", "half", "mib"), MEASURED)
def test_the_estimate_is_within_the_range_measured_of_each_run_it_was_fitted_to(strategy, batch, length, half, mib):
    est = _est(strategy, batch, length, half)
    low, high = memory.MEASURED_RANGE
    assert low <= mib * MIB / est.bytes <= high, (strategy, batch, length, est.terms)


@pytest.mark.parametrize("strategy", ["full_ft", "lora", "partial_ft", "dapt", "scratch", "head_only", "zero_shot"])
def test_more_batch_or_more_length_takes_more(strategy):
    base = _est(strategy, 16, 128).bytes  # (zero_shot and head_only embed 64 texts a batch at least)
    assert _est(strategy, 128, 128).bytes > base and _est(strategy, 16, 256).bytes > base


def test_attention_grows_with_the_square_of_the_length():
    """The same tokens a batch (4 x 512 against 32 x 64): the longer texts keep more, attention's scores."""
    assert _est("full_ft", 4, 512).terms["activations"] > 2 * _est("full_ft", 32, 64).terms["activations"]


def test_head_only_and_zero_shot_take_less_than_the_strategies_that_train_the_encoder():
    for small in ("head_only", "zero_shot"):
        for big in ("full_ft", "lora", "partial_ft", "dapt", "scratch"):
            assert _est(small).bytes < _est(big).bytes, (small, big)
    assert _est("partial_ft").bytes < _est("full_ft").bytes  # its lower layers keep nothing for a backward pass


def test_frozen_weights_carry_no_gradients_or_optimizer_states():
    full = shape_of("full_ft", "minilm")
    assert _est("full_ft").terms["optimizer states"] == 8 * full.trainable and full.trainable > 22_000_000
    for s in ("lora", "partial_ft", "head_only"):
        shape = shape_of(s, "minilm")
        assert shape.trainable < full.trainable and shape.weights >= full.weights - 200_000
        # AdamW's two states and a gradient for each trainable weight, none for a frozen one
        assert _est(s).terms["optimizer states"] == 8 * shape.trainable
        assert _est(s).terms["gradients"] == 4 * shape.trainable
    assert _est("head_only").terms["optimizer states"] < 100_000  # its head only
    assert _est("zero_shot").terms["optimizer states"] == 0  # it trains nothing
    # lora's adapters are weights the model did not have, held beside it (mutants16: leaving them out passed)
    assert shape_of("lora", "minilm").weights > full.weights
    # partial_ft: its top half of MiniLM's 6 layers, no embeddings
    assert shape_of("partial_ft", "minilm").backprop_layers == 3 and shape_of("lora", "minilm").backprop_layers == 6


def test_bf16_keeps_smaller_activations_than_fp32():
    assert _est("full_ft", 16, 256, half=True).terms["activations"] < _est("full_ft", 16, 256, half=False).terms[
        "activations"]


def test_the_terms_of_a_strategy_follow_its_own_settings():
    """mutants16: each of these terms could be dropped or mis-scaled and every run stayed within MEASURED_RANGE."""
    # zero_shot and head_only embed 64 texts a batch at least: a smaller batch keeps as much
    head = {b: _est("head_only", b).terms["activations"] for b in (16, 64, 128)}
    assert head[16] == head[64] < head[128]
    # fp32 has no bf16 copies of the weights: a smaller fixed term than under bf16 autocast
    assert _est("full_ft", half=False).terms["fixed"] < _est("full_ft").terms["fixed"]
    # lora's adapters' dropout keeps their inputs: a term of its own, which grows with the batch
    assert "adapter inputs" not in _est("full_ft").terms
    assert _est("lora", 32).terms["adapter inputs"] == 2 * _est("lora", 16).terms["adapter inputs"] > 0
    # dapt's masked-LM logits grow with the share of tokens masked
    shape = shape_of("dapt", "minilm")
    logits = {m: estimate_bytes("dapt", shape, 16, 128, mlm=m).terms["masked-LM logits"] for m in (0.15, 0.3)}
    assert logits[0.3] == pytest.approx(2 * logits[0.15], rel=1e-6)


def test_tfidf_logreg_is_not_estimated():
    from bertlab.config import DataConfig
    from bertlab.strategies import make_config

    cfg = make_config("tfidf_logreg", data=DataConfig(source="builtin", name="tweets"))
    est = memory.estimate_config(cfg)
    assert est.bytes is None and est.text() == "unknown"


def test_estimate_config_reads_the_config_and_lowers_the_batch_to_the_training_texts():
    from bertlab.config import DataConfig
    from bertlab.models import DeviceInfo
    from bertlab.strategies import make_config

    cpu32 = DeviceInfo("cpu", "test cpu", bf16=False)
    data = DataConfig(source="builtin", name="tweets")
    cfg = make_config("full_ft", data=data, batch_size=32, max_length=256)
    est = memory.estimate_config(cfg, cpu32)
    assert est.bytes == estimate_bytes("full_ft", shape_of("full_ft", "minilm"), 32, 256, half=False).bytes
    assert memory.estimate_config(cfg, cpu32, n_train=8).bytes == estimate_bytes(
        "full_ft", shape_of("full_ft", "minilm"), 8, 256, half=False).bytes
    # "auto" on a CPU with native bf16 trains under bf16 autocast; dapt's masked-LM logits are counted
    bf16 = DeviceInfo("cpu", "test cpu", bf16=True)
    assert memory.estimate_config(cfg, bf16).bytes == estimate_bytes(
        "full_ft", shape_of("full_ft", "minilm"), 32, 256, half=True).bytes
    assert "masked-LM logits" in memory.estimate_config(make_config("dapt", data=data), bf16).terms


def test_estimate_config_counts_the_longest_text_and_keeps_an_embedding_batch():
    """mutants16: the longest text counted as max(max_length, longest), and an embedding batch lowered to the
    training texts (it embeds the validation and test texts too), passed every test."""
    from bertlab.config import DataConfig
    from bertlab.models import DeviceInfo
    from bertlab.strategies import make_config

    cpu32 = DeviceInfo("cpu", "test cpu", bf16=False)
    data = DataConfig(source="builtin", name="tweets")
    cfg = make_config("full_ft", data=data, batch_size=32, max_length=256)
    # a batch is padded to its longest text: 60 tokens count as 60, and a text past max length as max length
    assert memory.estimate_config(cfg, cpu32, longest=60).bytes == estimate_bytes(
        "full_ft", shape_of("full_ft", "minilm"), 32, 60, half=False).bytes
    assert memory.estimate_config(cfg, cpu32, longest=1000).bytes == memory.estimate_config(cfg, cpu32).bytes
    head = make_config("head_only", data=data, batch_size=128)
    assert memory.estimate_config(head, cpu32, n_train=8).bytes == memory.estimate_config(head, cpu32).bytes


def test_per_strategy_keeps_each_strategys_largest_estimate_in_the_configs_order():
    """What the sweep's plan and its warning say: a strategy's largest run (mutants16: its smallest passed)."""
    from bertlab.config import DataConfig
    from bertlab.models import DeviceInfo
    from bertlab.strategies import make_config

    cpu32 = DeviceInfo("cpu", "test cpu", bf16=False)
    data = DataConfig(source="builtin", name="tweets")
    configs = [make_config("full_ft", data=data, batch_size=b) for b in (32, 8, 64)] + [
        make_config("head_only", data=data)]
    got = memory.per_strategy(configs, cpu32)
    assert list(got) == ["full_ft", "head_only"]
    assert got["full_ft"].bytes == memory.estimate_config(configs[2], cpu32).bytes > memory.estimate_config(
        configs[0], cpu32).bytes


def test_the_words():
    assert MemoryEstimate(1_100_000_000, "").text() == "~1.1 GB"
    assert MemoryEstimate(351_000_000, "").text() == "~350 MB"
    assert MemoryEstimate(None, "").text() == "unknown"
    assert memory.format_bytes(6_160) == "6 kB"
    # one decimal below 10 GB, none from there (mutants16: '12.0 GB' passed every test)
    assert memory.format_bytes(1.54e9) == "1.5 GB" and memory.format_bytes(12.4e9) == "12 GB"
    note = memory.too_big_note({"full_ft": MemoryEstimate(9_000_000_000, ""), "head_only": MemoryEstimate(4e8, "")},
                               8_000_000_000)
    assert note.startswith("full_ft (~9.0 GB) may not fit: about 8.0 GB of memory available") and "head_only" not in note
    assert memory.too_big_note({"full_ft": MemoryEstimate(9_000_000_000, "")}, None) is None
    assert memory.too_big_note({"full_ft": MemoryEstimate(9_000_000_000, "")}, 10**10) is None


def test_the_warning_advises_by_what_the_runs_over_the_limit_are():
    """Its advice ended "or pick a strategy that trains fewer weights" where the runs over the limit were
    zero_shot or head_only, which train no encoder weight; their batch counts from 64 up."""
    big = MemoryEstimate(9_000_000_000, "")
    embeds = memory.too_big_note({"zero_shot": big, "head_only": big, "full_ft": MemoryEstimate(4e8, "")}, 8 * 10**9)
    assert "fewer weights" not in embeds and "full_ft" not in embeds, embeds
    assert embeds.endswith("Lower the max length, or the batch size where it is above 64 (texts are embedded at "
                           "least 64 at a time)."), embeds
    both = memory.too_big_note({"head_only": big, "full_ft": big, "lora": big}, 8 * 10**9)
    # "or for full_ft, lora pick a strategy ..." read as a list cut short
    assert both.endswith("Lower the batch size or max length (activations grow with both), or, for full_ft and "
                         "lora, pick a strategy that trains fewer weights."), both
    three = memory.too_big_note({"zero_shot": big, "full_ft": big, "lora": big, "partial_ft": big}, 8 * 10**9)
    assert three.endswith("or, for full_ft, lora and partial_ft, pick a strategy that trains fewer weights."), three
    alone = memory.too_big_note({"full_ft": big}, 8 * 10**9)
    assert alone.endswith("(activations grow with both), or pick a strategy that trains fewer weights."), alone


def test_sweep_dry_run_says_each_strategys_peak_memory_and_warns_where_it_would_not_fit(tiny_model, tiny_csv, capsys,
                                                                                       monkeypatch):
    from bertlab.cli import main

    args = ["sweep", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg", "head_only",
            "full_ft", "--sizes", "8", "--seeds", "0", "--epochs", "1", "--dry-run", "--json"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)
    mem = plan["estimated_peak_memory_bytes"]
    assert mem["tfidf_logreg"] is None and 0 < mem["head_only"] < mem["full_ft"]
    line = next(x for x in err.splitlines() if x.startswith("sweep "))
    assert "Peak memory each run should add (estimated, texts filling max length): head_only ~" in line and ", full_ft ~" in line
    assert "may not fit" not in err
    monkeypatch.setattr(memory, "available_bytes", lambda device_type="cpu": mem["full_ft"] - 1)
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "warning: full_ft (~" in err and "may not fit" in err and "head_only (~" not in err.split("warning:")[-1]


def test_run_warns_before_training_where_a_run_would_not_fit(tiny_model, tiny_csv, capsys, monkeypatch):
    from bertlab.cli import main

    monkeypatch.setattr(memory, "available_bytes", lambda device_type="cpu": 1_000_000)
    assert main(["run", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
                 "--quiet"]) == 0
    assert "may not fit" not in capsys.readouterr().err  # not estimated: nothing said
    monkeypatch.setattr(memory, "estimate_config", lambda c, device=None, n_train=None: MemoryEstimate(5_000_000, ""))
    assert main(["run", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "tfidf_logreg",
                 "--quiet"]) == 0
    assert "warning: tfidf_logreg (~5 MB) may not fit: about 1 MB of memory available" in capsys.readouterr().err


def test_the_models_config_is_read_once_not_for_each_strategy_on_each_rerun(tiny_model, monkeypatch):
    """The Train page estimates each strategy's memory on every rerun: each estimate read the model's config again
    (AutoConfig.from_pretrained, for a hub model a request online): a rerun of 3 strategies read it 3 times. A rerun
    after the first reads it no more."""
    from bertlab import models

    reads = []
    real = models.load_config
    monkeypatch.setattr(models, "load_config", lambda m: reads.append(m) or real(m))
    if hasattr(memory, "_dims"):  # read afresh for this test
        memory._dims.cache_clear()
    names = ("full_ft", "head_only", "partial_ft")
    first = [shape_of(s, tiny_model) for s in names]
    assert reads  # read on the first
    reads.clear()
    assert [shape_of(s, tiny_model) for s in names] == first and reads == []
    assert first[0].layers == real(tiny_model).num_hidden_layers


def test_scratchs_new_vocabulary_is_counted_as_its_strategy_card_counts_it():
    """scratch with a new vocabulary (8,000 tokens) trains embeddings of that many rows, not MiniLM's 30,522: the
    Train page's card counted 8,000 while the memory column beside it counted the model's, 11.9M weights with their
    gradients and AdamW states (and masked-LM scores over 30,522 tokens)."""
    from bertlab.strategies import make_config
    from bertlab.teaching import strategy_blocks

    own, model = make_config("scratch", new_vocab=True, vocab_size=8000), make_config("scratch")
    a, b = memory.estimate_config(own), memory.estimate_config(model)
    assert a.terms["weights"] == 4 * sum(x.params for x in strategy_blocks("scratch", own.model, new_vocab=8000))
    assert b.terms["weights"] == 4 * sum(x.params for x in strategy_blocks("scratch", model.model))
    assert a.terms["weights"] < b.terms["weights"] and a.bytes < b.bytes
    assert shape_of("scratch", "minilm", new_vocab=8000).vocab == 8000 < shape_of("scratch", "minilm").vocab


def test_compare_warns_before_training_where_a_run_would_not_fit(tiny_csv, monkeypatch):
    """bertlab.compare, as `run`: a run whose estimated peak exceeds the memory available now is warned of before
    training (it said nothing, where `run` on the same runs warned)."""
    import warnings

    import bertlab

    monkeypatch.setattr(memory, "available_bytes", lambda device_type="cpu": 1_000_000)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        bertlab.compare(str(tiny_csv), ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    assert not [w for w in got if "may not fit" in str(w.message)]  # not estimated: nothing said
    monkeypatch.setattr(memory, "estimate_config", lambda c, device=None, n_train=None: MemoryEstimate(5_000_000, ""))
    with pytest.warns(UserWarning, match=r"tfidf_logreg \(~5 MB\) may not fit: about 1 MB of memory available") as got:
        bertlab.compare(str(tiny_csv), ["tfidf_logreg"], sizes=(None, None, None), progress=False)
    assert [w.filename for w in got if "may not fit" in str(w.message)] == [__file__]  # names the caller's line


def test_the_train_pages_note_says_why_a_config_it_could_not_read_is_unknown_once(tiny_model, tiny_data, monkeypatch):
    """The folded note names each *unknown* memory's reason (tfidf_logreg's, or a model whose config could not be
    read): the latter's reason began 'unknown: ' itself, so the note said "full_ft's *unknown*: unknown: the model's
    config could not be read (...)"."""
    from dataclasses import asdict

    from test_app_pages import app_on, no_problems

    def unreadable(*args, **kwargs):
        raise OSError("no config.json in that folder")

    monkeypatch.setattr(memory, "shape_of", unreadable)
    assert memory.estimate_config(__import__("bertlab.strategies").strategies.make_config("full_ft")).bytes is None
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    no_problems(at)
    assert at.table[0].value.set_index("strategy").loc["full_ft", "estimated memory"] == "unknown"
    note = next(e for e in at.expander if e.label == "How these estimates are made").caption[1].value
    assert note.endswith(" full_ft's *unknown*: the model's config could not be read (no config.json in that "
                         "folder)."), note


def test_the_train_page_shows_each_strategys_estimated_memory_and_warns_where_it_would_not_fit(tiny_model, tiny_data,
                                                                                             monkeypatch):
    """Beside its estimated time, each strategy's peak memory (bertlab.memory), at the settings in its panel and
    the longest training text (a batch is padded to its longest: short texts fill no 128 tokens); a warning above
    Launch where one exceeds the memory available now."""
    from dataclasses import asdict

    from test_app_pages import app_on, no_problems

    calls = []
    real = memory.estimate_config

    def recorded(cfg, device=None, n_train=None, longest=None):
        calls.append((cfg.strategy, cfg.batch_size, cfg.max_length, longest))
        return real(cfg, device, n_train, longest)

    monkeypatch.setattr(memory, "estimate_config", recorded)
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["head_only", "full_ft", "tfidf_logreg"]).run()
    no_problems(at)
    table = at.table[0].value.set_index("strategy")
    assert list(table.columns[:2]) == ["estimated time", "estimated memory"]
    assert table.loc["tfidf_logreg", "estimated memory"] == "unknown"
    # and why, in the folded note on how the estimates are made (the page said it nowhere)
    note = next(e for e in at.expander if e.label == "How these estimates are made").caption[1].value
    assert note.endswith(" each must fit alone. tfidf_logreg's *unknown*: not estimated (scikit-learn's TF-IDF, no "
                         "network).")
    for n in ("head_only", "full_ft"):
        assert table.loc[n, "estimated memory"].startswith("~") and table.loc[n, "estimated memory"].endswith("B")
    assert not [w for w in at.warning if "may not fit" in w.value]
    from bertlab.data import load_splits
    from bertlab.runner import token_lengths

    longest = max(token_lengths(tiny_model, load_splits(tiny_data).train.texts))
    assert longest < 128 and calls[-2] == ("full_ft", 16, 128, longest)
    # a batch size set in full_ft's panel: the figure follows it; less memory available than it takes: warned
    monkeypatch.setattr(memory, "available_bytes", lambda device_type="cpu": 260_000_000)
    at.number_input(key="keep_hp_full_ft_batch_size").set_value(8).run()
    no_problems(at)
    assert ("full_ft", 8, 128, longest) in calls
    warned = [w.value for w in at.warning if "may not fit" in w.value]
    assert len(warned) == 1 and warned[0].startswith("full_ft (~") and "about 260 MB of memory available" in warned[0]
    assert "head_only" not in warned[0]
