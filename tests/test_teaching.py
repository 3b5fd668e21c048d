"""Teaching cards: the diagram's counts come from the real model and match what each strategy trains."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from bertlab import models, teaching
from bertlab.strategies import REGISTRY, get_strategy


def _built_counts(name: str, tiny_model: str, options: dict) -> tuple[int, int]:
    """(trainable, total) of the model the strategy really builds."""
    from bertlab.strategies import make_config

    cfg = make_config(name, model=tiny_model, options=options)
    ctx = SimpleNamespace(config=cfg, splits=SimpleNamespace(label_names=["neg", "pos"]), notes=[],
                          derived_options={})
    model, _ = get_strategy(name).build(ctx)
    return (sum(p.numel() for p in model.parameters() if p.requires_grad),
            sum(p.numel() for p in model.parameters()))


def test_parts_count_the_real_model(tiny_model):
    parts = teaching.model_parts(tiny_model, 2)
    names = [n for n, _ in parts]
    assert names == ["embeddings", "layer 0", "layer 1", "pooler", "head"]
    real = models.load_classifier(tiny_model, ["neg", "pos"])
    assert sum(c for _, c in parts) == sum(p.numel() for p in real.parameters())
    assert dict(parts)["head"] == 32 * 2 + 2


@pytest.mark.parametrize("name, options", [("full_ft", {}), ("partial_ft", {}), ("partial_ft", {"layers": 2}),
                                           ("lora", {"r": 4}), ("dapt", {}), ("scratch", {})])
def test_card_trainable_matches_what_the_strategy_trains(tiny_model, name, options):
    card = teaching.card(name, tiny_model, options)
    trainable, total = _built_counts(name, tiny_model, options)
    assert card.trainable_params == trainable
    if name != "lora":
        assert card.total_params == total


def test_partial_ft_diagram_marks_top_layers(tiny_model):
    blocks = teaching.strategy_blocks("partial_ft", tiny_model, {"layers": 1})
    assert [b.state for b in blocks] == ["frozen", "frozen", "trained", "trained", "trained"]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_strategy_has_a_card_with_a_valid_svg(name, tiny_model):
    card = teaching.card(name, tiny_model)
    root = ET.fromstring(card.svg)  # well-formed XML
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) >= len(card.blocks)
    text = " ".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
    if name == "tfidf_logreg":  # no network: word counts under a linear head, no BERT layers drawn
        assert "layer" not in text and "TF-IDF of word 1-2-grams" in text and [b.name for b in card.blocks] == [
            "input", "head"]
    else:
        assert "layer 1" in text and "embeddings" in text and "embeddings: " in card.alt
    # a long title goes on two lines rather than past the card's edge
    titles = [e.text for e in root.iter() if e.tag.endswith("text") and e.get("font-weight") == "bold"]
    assert all(len(t) <= 52 for t in titles) and "".join(titles).replace(":", ": ", 1).startswith(
        get_strategy(name).title)
    # a light card under it and dark text on it, so the diagram reads on the dark theme too
    assert rects[0].get("width") == "100%" and rects[0].get("fill") == "#FFFFFF" and root.get("fill") == "#1F2933"
    assert card.alt.startswith(f"Diagram of what {name} trains")
    assert card.when and card.summary and card.cost
    assert 0.0 <= card.trainable_fraction <= 1.0
    if get_strategy(name).trains == "nothing":
        assert card.trainable_params == 0


def test_card_collects_numbers_from_the_comparison(tiny_model):
    ok = SimpleNamespace(id="r1", strategy="lora", status="succeeded", metrics={"test_accuracy": 0.8},
                         costs={"train_seconds": 3.0, "trainable_params": 10}, data_summary={"sizes": {"train": 50}})
    other = SimpleNamespace(id="r2", strategy="full_ft", status="succeeded", metrics={}, costs={}, data_summary={})
    failed = SimpleNamespace(id="r3", strategy="lora", status="failed", metrics={}, costs={}, data_summary={})
    card = teaching.card("lora", tiny_model, runs=[ok, other, failed])
    assert card.measured == [{"run_id": "r1", "test_accuracy": 0.8, "train_seconds": 3.0, "trainable_params": 10,
                              "n_train": 50, "n_labelled": 50}]


@pytest.mark.slow
def test_default_model_card_numbers():
    card = teaching.card("lora")
    assert card.total_params > 22_000_000
    assert 0.005 < card.trainable_fraction < 0.02  # rank-8 adapters on q/k/v + pooler + head of MiniLM: ~1.1%


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_cards_total_counts_exactly_the_blocks_its_diagram_counts(name, tiny_model):
    """zero_shot read "of 22,565,376", full_ft "of 22,713,986", and zero_shot's diagram drew its unused pooler's
    size as if counted: students asked why one model changed size. A block outside the total says so."""
    card = teaching.card(name, tiny_model)
    adapters = sum(b.trained_params for b in card.blocks if b.state == teaching.ADAPTER)
    assert card.total_params == sum(b.params for b in card.blocks if teaching.counted(b)) + adapters
    root = ET.fromstring(card.svg)
    drawn = [e.text for e in root.iter() if e.tag.endswith("text") and e.get("fill") == "#333"]  # the sizes column
    outside = [b for b in card.blocks if not teaching.counted(b) and b.params]
    assert sum("not counted" in t for t in drawn) == len(outside)
    for b in outside:
        assert f"{b.name}: not used, {teaching._fmt(b.params)} weights, not counted in the total" in card.alt
    if card.total_params:  # the total in parts, and why it differs between cards
        assert card.total_note.startswith(f"Total {card.total_params:,} weights = encoder ")
        assert "Totals differ between cards only by the head, pooler and adapters" in card.total_note
    else:
        assert card.total_note == ""


def test_totals_differ_by_the_pooler_and_head_alone_and_say_so(tiny_model):
    zero, head, full = (teaching.card(n, tiny_model) for n in ("zero_shot", "head_only", "full_ft"))
    parts = dict(teaching.model_parts(tiny_model, 2))
    assert head.total_params - zero.total_params == parts["head"]
    assert full.total_params - head.total_params == parts["pooler"]
    encoder = f"encoder {zero.total_params:,}"
    assert encoder in zero.total_note and encoder in head.total_note and encoder in full.total_note
    pooler = f"the pooler ({parts['pooler']:,}) is not counted: not used (mean pooling instead)"
    assert pooler in zero.total_note and pooler in head.total_note and "no head" in zero.total_note
    assert f"pooler {parts['pooler']:,} + head {parts['head']:,}" in full.total_note
    assert [b.params for b in zero.blocks if b.name == "head"] == [0]  # zero_shot has no head: no size drawn


def test_scratchs_new_vocabulary_is_said_to_change_the_encoders_size(tiny_model):
    """scratch with a new vocabulary said "encoder 13,916,928 ... the encoder is the same" beside 22,565,376 on
    every other card: the note says the new vocabulary resized it, and to what from what."""
    full, usual = teaching.card("full_ft", tiny_model), teaching.card("scratch", tiny_model)
    encoder = sum(b.params for b in full.blocks if b.name not in ("pooler", "head"))
    vocab, hidden = teaching._vocab_and_hidden(tiny_model)
    for size in (vocab // 2, vocab * 2):
        new = teaching.card("scratch", tiny_model, new_vocab=size)
        here = encoder + (size - vocab) * hidden
        assert f"encoder {here:,} +" in new.total_note and "the encoder is the same" not in new.total_note
        assert (f"and here by the new vocabulary too, which makes the word embeddings "
                f"{'smaller' if size < vocab else 'larger'}: encoder {here:,} here, {encoder:,} with the model's "
                "own vocabulary (the other cards).") in new.total_note
    assert usual.total_note.endswith("the encoder is the same.") and f"encoder {encoder:,} +" in usual.total_note


def test_the_train_and_cards_pages_say_why_the_total_differs(tiny_model, tiny_data, bertlab_home):
    from dataclasses import asdict

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=180)
    at.session_state["keep_data_config"] = asdict(tiny_data)
    at.session_state["keep_tc_model"] = tiny_model
    at.run()
    at.switch_page("app_pages/train.py").run()
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "full_ft"]).run()
    assert not at.exception, [e.value for e in at.exception]
    notes = [c.value for c in at.caption if "Totals differ between cards" in c.value]
    assert [n.split(" =")[0] for n in notes] == [f"Total {teaching.card(s, tiny_model).total_params:,} weights"
                                                 for s in ("zero_shot", "full_ft")]
    at.switch_page("app_pages/teaching.py").run()
    at.radio(key="keep_tc_strategy").set_value("zero_shot").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == teaching.card("zero_shot", tiny_model).total_note for c in at.caption)


def test_the_train_pages_diagrams_explain_their_words_as_the_cards_page_does(tiny_model, tiny_data, bertlab_home):
    """A teacher: the Train page drew each strategy's diagram ("pooler · mean pooling instead", "not counted")
    with no word on what its labels mean; the Strategy cards page explains them under its diagram."""
    from dataclasses import asdict

    from streamlit.testing.v1 import AppTest

    from app_pages.common import md

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=180)
    at.session_state["keep_data_config"] = asdict(tiny_data)
    at.run()
    at.switch_page("app_pages/train.py").run()
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot", "partial_ft"]).run()
    assert not at.exception, [e.value for e in at.exception]
    legends = [m.value for m in at.markdown if m.value.startswith("**Reading the diagram**")]
    assert len(legends) == 2  # one per chosen strategy, each its own
    for name, legend in zip(("zero_shot", "partial_ft"), legends):
        for term, _ in teaching.card(name, tiny_model).glossary:
            assert f"**{md(term)}**" in legend
    assert "not counted" in legends[0] and "pooler" in legends[0]  # zero_shot draws its unused pooler


def test_partial_fts_legend_says_which_layers_are_frozen_and_which_train(tiny_model):
    """partial_ft's "Reading the diagram" merged every layer into "layers 0 to N", so it never said the lower layers
    and the embeddings stay frozen while the top layers, the pooler and the head train."""
    cases = [(teaching.DEFAULT_MODEL, {}, ["layers 3 to 5 (trained)", "layers 0 to 2 (frozen)"]),  # MiniLM, 6 layers
             (teaching.DEFAULT_MODEL, {"layers": 1}, ["layer 5", "layers 0 to 4 (frozen)"]),
             (tiny_model, {"layers": 1}, ["layer 1", "layer 0"])]  # a layer alone: its label as drawn
    for model, options, layers in cases:
        terms = dict(teaching.card("partial_ft", model, options).glossary)
        assert [t for t in terms if t.startswith("layer")] == layers
        for t in layers:  # a layer alone says its state in its meaning, as the embeddings and pooler do
            assert "(" in t or terms[t].endswith("Trained here" if t in ("layer 5", "layer 1") else "Frozen here")
        assert terms["embeddings"].endswith("Frozen here") and terms["pooler"].endswith("Trained here")
        assert terms["head · new, random"].endswith("Trained here")
    # one state for every layer: one entry, as before, and no state said
    full = dict(teaching.card("full_ft").glossary)
    assert [t for t in full if t.startswith("layer")] == ["layers 0 to 5"]
    assert not any(m.endswith(" here") for m in full.values())


def test_the_layer_diagram_follows_the_dark_theme_and_stays_light_for_paper(tiny_model):
    """A review in the dark theme: the Strategy cards' layer diagram stayed a bright white block (fill #FFFFFF, text
    #1F2933). Drawn for the dark theme it is a dark card with light text, each block's label readable on its fill,
    trained and frozen in their own colours; the default (the report, paper) is the light card it was."""
    from bertlab.plots import text_color_on

    light = ET.fromstring(teaching.card("lora", tiny_model).svg)
    dark = ET.fromstring(teaching.card("lora", tiny_model, dark=True).svg)
    card = [e for e in dark.iter() if e.tag.endswith("rect")][0]
    assert [e for e in light.iter() if e.tag.endswith("rect")][0].get("fill") == "#FFFFFF"
    assert card.get("fill") != "#FFFFFF" and text_color_on(card.get("fill")) == "#FFFFFF"  # a dark card
    assert text_color_on(dark.get("fill")) == "#000000"  # its text light
    fills = {e.get("fill") for e in dark.iter() if e.tag.endswith("rect")}
    assert {teaching.COLORS[teaching.TRAINED], teaching.COLORS[teaching.FROZEN]} <= fills
    for rect in (e for e in dark.iter() if e.tag.endswith("rect") and e.get("width") not in (None, "100%")):
        assert rect.get("fill") != "#FFFFFF"  # no white block left on the dark card


def test_tfidf_logreg_says_one_weight_per_n_gram_with_two_classes(tiny_data):
    """With two classes scikit-learn keeps one row of weights: 6,816 n-grams gave 6,817 weights (Compare's count)
    where the card's head said "one weight per n-gram x class" and its Trains text "per n-gram and class"."""
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config
    from bertlab.strategies.tfidf_logreg import TfidfModel

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    n_grams = len(TfidfModel.load(store.artifact_path(rid)).terms)
    assert run.costs["trainable_params"] == n_grams + 1  # one row and its bias, not 2 x (n-grams + 1)
    two = [b.note for b in teaching.strategy_blocks("tfidf_logreg", n_classes=2)]
    assert two[-1] == "one weight per n-gram" and teaching.note_meaning(two[-1])
    assert [b.note for b in teaching.strategy_blocks("tfidf_logreg", n_classes=3)][-1] == "one weight per n-gram x class"
    trains = get_strategy("tfidf_logreg").trains
    assert trains.startswith("one weight per n-gram,") and "and class with more than two classes" in trains


def test_partial_ft_card_of_an_odd_depth_trains_the_top_half_rounded_up_as_the_run_does(tmp_path):
    """partial_ft trains its top (n + 1) // 2 layers by default (:mod:`bertlab.strategies.partial_ft`): on three
    layers two, as its card must draw them (MiniLM's six hide a card that rounds down)."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    tok = AutoTokenizer.from_pretrained(models.default_model_path())
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128)
    BertModel(cfg).save_pretrained(tmp_path, safe_serialization=True)
    tok.save_pretrained(tmp_path)
    blocks = teaching.strategy_blocks("partial_ft", str(tmp_path))
    assert [b.state for b in blocks] == ["frozen", "frozen", "trained", "trained", "trained", "trained"]
    assert teaching.card("partial_ft", str(tmp_path)).trainable_params == _built_counts("partial_ft", str(tmp_path), {})[0]


def test_zero_shot_learnt_from_no_labelled_example_though_its_run_records_the_split():
    from types import SimpleNamespace

    def run(strategy):
        return SimpleNamespace(id=f"r-{strategy}", strategy=strategy, status="succeeded",
                               data_summary={"sizes": {"train": 500}}, metrics={"test_accuracy": 0.7},
                               costs={"train_seconds": 1.0, "trainable_params": 0})

    runs = [run("zero_shot"), run("head_only")]
    assert [(n["n_train"], n["n_labelled"]) for s in ("zero_shot", "head_only")
            for n in teaching.measured_numbers(s, runs)] == [(500, 0), (500, 500)]


def test_a_million_weights_read_as_millions():
    assert [teaching._fmt(n) for n in (999, 1_000, 1_000_000)] == ["999", "1.0k", "1.00M"]
    # the mutation round: 999,999 read '1000.0k' (rounded to one decimal in thousands)
    assert [teaching._fmt(n) for n in (999_949, 999_950, 999_999)] == ["999.9k", "1.00M", "1.00M"]


def test_loras_adapter_count_reads_the_models_config_once(tiny_model, monkeypatch):
    """The Train page drew lora's card and estimated its memory on every rerun, each reading the model's config again
    for its adapters' count (a hub model's config is a request online); now once per model and rank."""
    reads = []
    real = models.load_config
    monkeypatch.setattr(models, "load_config", lambda m: reads.append(m) or real(m))
    getattr(teaching._adapter_weights, "cache_clear", lambda: None)()  # a model and rank read by an earlier test
    counts = [[b.trained_params for b in teaching.strategy_blocks("lora", tiny_model, {"r": 4})] for _ in range(5)]
    assert len({tuple(c) for c in counts}) == 1 and reads == [tiny_model]
    hidden = int(real(tiny_model).hidden_size)
    assert teaching._adapter_weights(tiny_model, 4) == 3 * 4 * 2 * hidden and reads == [tiny_model]
    assert teaching._adapter_weights(tiny_model, 8) == 3 * 8 * 2 * hidden and reads == [tiny_model] * 2
