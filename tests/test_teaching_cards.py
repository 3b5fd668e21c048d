"""The Strategy cards as a class reads them: plain words first, the mechanics folded out, the diagram's labels
explained, zero_shot's sentences shown, and a strategy still training said to be training."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict
from types import SimpleNamespace

import pytest
from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from app_pages.common import lead_html, md
from bertlab import teaching
from bertlab.config import DataConfig
from bertlab.store import ACTIVE, CANCELLED, SUCCEEDED, RunStore
from bertlab.strategies import REGISTRY, make_config

CURIOUS = "For the curious: how it works exactly"
# Words a student cannot be expected to know: they belong in the fold-out, not in a card's opening lines.
JARGON = ("[CLS]", "pooler", "AdamW", "optimi", "gradient", "hidden_size", "tanh", "ForSequenceClassification",
          "embedding", "mean-pool", "linear", "low-rank", "masked", "TF-IDF", "logistic", "projection")


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_card_opens_in_plain_words(name, tiny_model):
    """Full fine-tuning's card led with "the [CLS] token's vector through the pooler (dense + tanh)"."""
    card = teaching.card(name, tiny_model)
    assert card.intro and card.plain_when and card.plain_cost
    assert card.intro != card.summary  # not the engineers' one-liner again
    for text in (card.intro, card.plain_when, card.plain_cost):
        assert not [w for w in JARGON if w.lower() in text.lower()], text
    # one or two sentences (an analogy may be the second) a student reads at a glance
    assert card.intro.count(". ") + 1 <= 3 and len(card.intro) <= 300


def _drawn(card: teaching.Card) -> tuple[list[str], list[str]]:
    """(block labels, sizes) as the diagram draws them: "layer 1 · computed once, cached", "147.8k not counted"."""
    texts = [e for e in ET.fromstring(card.svg).iter() if e.tag.endswith("text") and e.text]
    labels = [e.text for e in texts if e.get("font-weight") != "bold" and e.get("fill") != "#333"
              and e.text not in teaching.LEGEND.values()]
    return labels, [e.text for e in texts if e.get("fill") == "#333"]


@pytest.mark.parametrize("name, options", [(n, {}) for n in sorted(REGISTRY)] + [("lora", {"r": 32}),
                                                                                   ("partial_ft", {"layers": 1})])
def test_the_diagrams_legend_explains_every_label_it_draws(name, options, tiny_model):
    """"pooler · mean pooling instead", "head · label embeddings instead" and "147.8k not counted" were drawn with
    no word on what they meant."""
    card = teaching.card(name, tiny_model, options)
    terms = dict(card.glossary)
    assert all(terms.values())
    labels, sizes = _drawn(card)
    for label in labels:
        block, _, note = label.partition(" · ")
        if block.startswith("layer "):  # the encoder's layers are explained once, as a group
            term = next(t for t in terms if t.startswith("layers ") or t.partition(" · ")[0] == block)
            assert term.partition(" · ")[2] == note, (term, label)
        else:
            term = label
            assert term in terms, (label, list(terms))
        if note:  # each note in words, within its block's line
            assert teaching.note_meaning(note) and teaching.note_meaning(note) in terms[term]
    assert ("not counted" in terms) == any("not counted" in s for s in sizes)
    assert ("k, M" in terms) == bool(sizes)


@pytest.mark.parametrize("name", ["zero_shot", "head_only", "full_ft", "tfidf_logreg"])
def test_the_card_page_leads_with_plain_words_and_folds_out_the_mechanics(name, tiny_model):
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": name})
    no_problems(at)
    card = teaching.card(name, tiny_model)
    outside = [m.value for m in at.main.markdown]
    assert lead_html(card.intro, "1.25rem") in outside  # projector size, the card's first words
    assert f"**Good for:** {card.plain_when}" in outside and f"**Cost:** {card.plain_cost}" in outside
    (fold,) = [e for e in at.expander if e.label == CURIOUS]
    inside = [m.value for m in fold.markdown]
    # every fact of the old card, now in the fold-out
    assert inside[0] == lead_html(card.summary, "1.5rem")
    assert {f"**Trains:** {card.trains}", f"**Frozen:** {card.frozen}", f"**When to use it:** {card.when}",
            f"**What it costs:** {card.cost}"} <= set(inside)
    if card.total_note:
        assert [c.value for c in fold.caption] == [card.total_note]
    for technical in (f"**When to use it:** {card.when}", f"**What it costs:** {card.cost}"):
        assert sum(m.value == technical for m in at.markdown) == 1  # in the fold-out only
    legend = next(c.value for c in at.caption if c.value.startswith("**Reading the diagram**"))
    for term, meaning in card.glossary:
        assert f"\n- **{md(term)}**: {md(meaning)}" in legend
    if name in ("zero_shot", "head_only"):
        assert f"**{md('pooler · mean pooling instead')}**" in legend and "**not counted**" in legend


def test_the_zero_shot_card_shows_the_sentences_it_compares_with(tiny_model, bertlab_home):
    rt = DataConfig(source="builtin", name="rotten_tomatoes", train_size=500, val_size=200, test_size=500)
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "zero_shot",
                                          "keep_data_config": asdict(rt)})
    no_problems(at)
    text = next(m.value for m in at.markdown if m.value.startswith("**The 2 sentences it compares with**"))
    assert "*rotten\\_tomatoes*" in text and "the defaults" in text
    assert f"- **fresh**: “{md('This movie was great.')}”" in text
    assert f"- **rotten**: “{md('This movie was terrible.')}”" in text
    # other cards compare with no sentences
    at.radio(key="keep_tc_strategy").set_value("head_only").run()
    assert not [m for m in at.markdown if "sentences it compares with" in m.value]


def test_the_zero_shot_card_shows_the_sentences_written_on_the_train_page(tiny_model, tiny_data, bertlab_home):
    from app_pages import common

    labels = list(common.splits(tiny_data).label_names)
    tag = common.descriptions_tag(tiny_data, labels)
    mine = {common.description_key(tag, 0): "A sad text.", common.description_key(tag, 1): "A happy text."}
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "zero_shot",
                                          "keep_data_config": asdict(tiny_data), **mine})
    no_problems(at)
    text = next(m.value for m in at.markdown if "sentences it compares with" in m.value)
    assert "yours, written on the Train page" in text
    assert f"- **neg**: “{md('A sad text.')}”" in text and f"- **pos**: “{md('A happy text.')}”" in text


def _run(status: str, strategy: str = "scratch", **kw) -> SimpleNamespace:
    return SimpleNamespace(id=f"r-{status}", strategy=strategy, status=status, progress=kw.get("progress", 0.0),
                           phase=kw.get("phase", ""), error=kw.get("error"))


def test_a_run_without_numbers_says_where_it_is():
    runs = [_run("running", progress=0.4, phase="train"), _run("queued"), _run("failed", error="CUDA out of memory\nat"),
            _run("cancelled", error="cancelled by the user"), _run("interrupted"), _run("succeeded"),
            _run("running", strategy="full_ft")]
    said = {status: text for _, status, text in teaching.unfinished("scratch", runs)}
    assert said == {"running": "training now, 40% done: follow it on Compare",
                    "queued": "queued: it starts when the runs ahead of it finish (see Compare)",
                    "failed": "failed: CUDA out of memory (details on Compare)",
                    "cancelled": "cancelled before it finished (cancelled by the user)",
                    "interrupted": "interrupted before it finished: run it again from Compare"}
    embedding = teaching.unfinished("head_only", [_run("running", "head_only", progress=0.25, phase="embed")])
    assert embedding[0][2] == "training now, 25% done, reading the texts: follow it on Compare"


@pytest.fixture
def other_process(bertlab_home):
    """The owner tag of another live process (a CLI training runs of this home): the app's manager neither adopts
    its queued runs nor marks its running one interrupted. Its runs are ended before it is: once it had gone, the
    test's manager adopted them and was training one when pytest exited, which aborted the process (rc 134)."""
    import psutil

    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    tag = f"{socket.gethostname()}:{cli.pid}:{psutil.Process(cli.pid).create_time():.0f}"
    try:
        yield tag
    finally:
        store = RunStore(bertlab_home)
        for r in store.list_runs(limit=None):
            if r.owner == tag and r.status in ACTIVE:
                store.finish(r.id, CANCELLED)
        cli.kill()
        cli.wait()


def test_a_card_whose_strategy_trains_in_the_batch_it_names_says_so(tiny_model, tiny_data, bertlab_home,
                                                                    other_process):
    """scratch's card read "not run yet here; launch it on the Train page" under "Measured in the comparison ...
    · live" while scratch trained in that very batch."""
    at = app_on("app_pages/data.py", {"keep_tc_model": tiny_model})  # the manager exists before the "CLI" runs
    store = RunStore(bertlab_home)
    done = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-now")
    store.finish(done, SUCCEEDED, metrics={"test_accuracy": 0.7}, costs={"train_seconds": 1.0},
                 data_summary={"sizes": {"train": 40}})
    training = store.create_run(make_config("scratch", model=tiny_model, data=tiny_data), batch_id="b-now")
    store.claim(training, "cpu")
    store.update(training, progress=0.4, phase="train", owner=other_process)
    waiting = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data), batch_id="b-now")
    store.update(waiting, owner=other_process)
    at.switch_page("app_pages/teaching.py").run()
    for name, rid, said in (("scratch", training, "training now, 40% done: follow it on Compare"),
                            ("full_ft", waiting, "queued: it starts when the runs ahead of it finish")):
        at.radio(key="keep_tc_strategy").set_value(name).run()
        no_problems(at)
        text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
        assert f"- run `{rid[-4:]}`: {md(said)}" in text, text
        assert "not run yet here" not in text and "launch it on the Train page" not in text
    at.radio(key="keep_tc_strategy").set_value("lora").run()  # not in the batch at all: an invitation to launch
    assert any(c.value == "not run yet here; launch it on the Train page" for c in at.caption)


def test_a_card_quoting_an_older_batch_says_its_strategy_trains_now_in_the_shown_one(tiny_model, tiny_data,
                                                                                     bertlab_home, other_process):
    at = app_on("app_pages/data.py", {"keep_tc_model": tiny_model})
    store = RunStore(bertlab_home)
    old = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data), batch_id="b-old")
    store.finish(old, SUCCEEDED, metrics={"test_accuracy": 0.6}, costs={"train_seconds": 1.0},
                 data_summary={"sizes": {"train": 40}})
    new = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data), batch_id="b-new")
    store.claim(new, "cpu")
    store.update(new, progress=0.5, phase="train", owner=other_process)
    at.switch_page("app_pages/teaching.py").run()
    at.radio(key="keep_tc_strategy").set_value("head_only").run()
    no_problems(at)
    lines = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any(f"run `{old[-4:]}`: **60.0%**" in x for x in lines)  # the numbers it has, from the older batch
    assert any(f"run `{new[-4:]}`: training now, 50% done" in x and x.startswith("- in *") for x in lines), lines


def test_a_quoted_zero_shot_run_with_other_sentences_says_which_it_used(tiny_model, tiny_data, bertlab_home):
    """The sentences shown are those a launch would use now; a quoted run that compared with others says so, or its
    accuracy would read as that of the sentences above it."""
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data), batch_id="b1")
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.6}, costs={"train_seconds": 0.0},
                 data_summary={"sizes": {"train": 40}})
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "zero_shot",
                                          "keep_data_config": asdict(tiny_data)})
    no_problems(at)
    assert not [c for c in at.caption if c.value.startswith("It compared with other sentences")]  # the defaults
    store.update(rid, config={**store.get(rid).config, "label_descriptions": ["A gloomy text.", "A cheerful text."]})
    at.run()
    no_problems(at)
    assert [c.value for c in at.caption if c.value.startswith("It compared with other sentences")] == [
        f"It compared with other sentences: “{md('A gloomy text.')}”; “{md('A cheerful text.')}”."]


def test_the_train_pages_diagrams_follow_the_options_set_in_their_panels(tiny_model, tiny_data):
    """partial_ft's top layers, lora's rank and scratch's masked-LM pretraining, as set on the Train page, are what
    its diagrams draw (they drew the defaults whatever was set)."""
    import base64
    import re

    def svgs(at) -> list[str]:
        found = [re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', m.value) for m in at.markdown]
        return [base64.b64decode(f.group(1)).decode() for f in found if f]

    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model,
                                       "keep_strategies": ["scratch", "partial_ft", "lora"]})
    no_problems(at)
    before = svgs(at)
    assert len(before) == 3 and not any("masked-LM, then fine-tuned" in s for s in before)
    at.number_input(key="keep_opt_scratch_mlm_epochs").set_value(2).run()
    at.number_input(key="keep_opt_partial_ft_layers").set_value(1).run()
    at.number_input(key="keep_opt_lora_r").set_value(2).run()
    no_problems(at)
    after = svgs(at)
    opts = [("scratch", {"mlm_epochs": 2}), ("partial_ft", {"layers": 1}), ("lora", {"r": 2})]
    assert after == [teaching.card(n, tiny_model, options=o).svg for n, o in opts]
    assert "masked-LM, then fine-tuned" in after[0] and after[1:] != before[1:]


def test_the_train_pages_diagram_is_drawn_large_in_projector_mode(tiny_model, tiny_data):
    """Projector mode draws the Train page's layer diagram as large as the Strategy cards page's (it stayed at
    480 px, its labels at 14 px, while the page's text grew)."""
    import re

    from app_pages.common import DIAGRAM_BIG_WIDTH, PROJECTOR_KEY

    def imgs(at) -> list[str]:
        return [m.value for m in at.markdown if re.search(r'src="data:image/svg\+xml;base64,', m.value)]

    session = {"keep_data_config": asdict(tiny_data), "keep_model": tiny_model, "keep_strategies": ["partial_ft"]}
    at = app_on("app_pages/train.py", {**session, PROJECTOR_KEY: True})
    no_problems(at)
    big = teaching.card("partial_ft", tiny_model, scale=1.35).svg
    assert [f"width:{DIAGRAM_BIG_WIDTH}px" in x for x in imgs(at)] == [True] and DIAGRAM_BIG_WIDTH >= 700
    assert _svg_of(imgs(at)[0]) == big
    plain = app_on("app_pages/train.py", session)  # off: as before
    assert ["width:480px" in x for x in imgs(plain)] == [True]
    assert _svg_of(imgs(plain)[0]) == teaching.card("partial_ft", tiny_model).svg != big


def _svg_of(markdown: str) -> str:
    import base64
    import re

    return base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', markdown).group(1)).decode()


def test_the_scratch_card_can_show_pretraining_from_scratch(tiny_model):
    """The guides' "pretraining from scratch" is scratch's option mlm_epochs: its card's switch draws the layers
    trained twice (first as a masked LM on the texts)."""
    import base64
    import re

    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "scratch"})
    no_problems(at)

    def svg() -> str:
        m = next(f for f in (re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', x.value) for x in at.markdown) if f)
        return base64.b64decode(m.group(1)).decode()

    assert "masked-LM, then fine-tuned" not in svg()
    assert any("learns only from your labelled examples" in m.value for m in at.markdown)
    at.toggle(key="keep_tc_mlm").set_value(True).run()
    no_problems(at)
    assert "masked-LM, then fine-tuned" in svg()
    # its everyday words too: it no longer learns only from labelled examples
    intro = teaching.card("scratch", tiny_model, {"mlm_epochs": 1}).intro
    assert any(m.value == lead_html(intro, "1.25rem") for m in at.markdown) and "hidden" in intro
    assert not any("learns only from your labelled examples" in m.value for m in at.markdown)


def test_a_card_quotes_a_sweep_where_its_strategy_ran_when_no_launch_has_it(tiny_model, tiny_data, bertlab_home):
    """A review: Compare showed a full_ft-only sweep, and head_only's card said "not run yet here; launch it on
    the Train page" though head_only had succeeded some twenty times in an earlier sweep."""
    from bertlab import sweep

    store = RunStore(bertlab_home)
    older = sweep.save_sweep(store, sweep.SweepSpec(strategies=["head_only"], sizes=[20], data=tiny_data))
    ran = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data), batch_id=older)
    store.finish(ran, SUCCEEDED, metrics={"test_accuracy": 0.6}, costs={"train_seconds": 1.0},
                 data_summary={"sizes": {"train": 20}})
    time.sleep(0.01)
    newer = sweep.save_sweep(store, sweep.SweepSpec(strategies=["full_ft"], sizes=[20], data=tiny_data))
    ft = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data), batch_id=newer)
    store.finish(ft, SUCCEEDED, metrics={"test_accuracy": 0.7}, costs={"train_seconds": 1.0},
                 data_summary={"sizes": {"train": 20}})
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "head_only"})
    no_problems(at)
    assert not any(c.value == "not run yet here; launch it on the Train page" for c in at.caption)
    assert any(f"run `{ran[-4:]}`: **60.0%**" in m.value for m in at.markdown)


def test_the_cards_say_what_trains_as_the_diagrams_draw_it(tiny_model):
    """A teacher's review: LoRA's first line said only adapters and a head train (the pooler, 57% of its trained
    weights on MiniLM, was drawn trained below it); dapt's said the model "keeps practising" a game the default
    model has no head for, and its notes that the first steps "only fit that head" (every weight trains from the
    first step); full_ft's read as if the pooler were pretrained, where MiniLM ships it untrained."""
    from bertlab.strategies import REGISTRY

    lora = teaching.card("lora", tiny_model)
    assert "summary layer on top" in lora.intro
    dapt = teaching.card("dapt", tiny_model)
    assert "keeps practising" not in dapt.intro and "pretrained with" in dapt.intro
    assert "only fit that head" not in REGISTRY["dapt"].when and "every weight trains from the first step" in \
        REGISTRY["dapt"].when
    assert "its pooler ships untrained" in REGISTRY["full_ft"].when


def test_a_card_draws_the_model_of_the_runs_it_quotes_and_says_when_the_typed_one_differs(tiny_model, tiny_data,
                                                                                         bertlab_home):
    """A review: with Compare on an ALBERT batch, head_only's card quoted the ALBERT run's accuracy beside MiniLM's
    diagram (its Model field always started at minilm), with nothing saying the two were of different models."""
    from bertlab.config import DEFAULT_MODEL
    from bertlab.variants import model_name

    store = RunStore(bertlab_home)
    for batch, model, acc in (("b-tiny", tiny_model, 0.6), ("b-default", DEFAULT_MODEL, 0.7)):
        rid = store.create_run(make_config("head_only", model=model, data=tiny_data), batch_id=batch)
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": acc}, costs={"train_seconds": 1.0},
                     data_summary={"sizes": {"train": 20}, "label_names": ["neg", "pos"]})
        time.sleep(0.01)

    def total(model: str) -> str:
        return f" of {teaching.card('head_only', model, n_classes=2).total_params:,}"

    at = app_on("app_pages/teaching.py", {"cmp_choice": "b-tiny", "keep_tc_strategy": "head_only"})
    no_problems(at)
    assert any("**60.0%**" in m.value for m in at.markdown)
    assert at.text_input(key="keep_tc_model").value == tiny_model  # the quoted run's model, not minilm
    assert at.metric[0].proto.delta.endswith(total(tiny_model)) and not at.warning
    at.session_state["cmp_choice"] = "b-default"  # Compare shows another batch: the field follows its runs
    at.run()
    assert at.text_input(key="keep_tc_model").value == DEFAULT_MODEL and not at.warning
    at.text_input(key="keep_tc_model").set_value(tiny_model).run()  # typed: kept, and said to differ
    assert at.metric[0].proto.delta.endswith(total(tiny_model))
    (warned,) = [w.value for w in at.warning]
    assert f"trained **{md(model_name(DEFAULT_MODEL))}**" in warned and "Clear the field to draw theirs" in warned
    at.session_state["cmp_choice"] = "b-tiny"
    at.run()
    assert at.text_input(key="keep_tc_model").value == tiny_model and not at.warning  # typed, and now theirs
    at.text_input(key="keep_tc_model").set_value("").run()  # cleared: the runs' model again
    assert at.text_input(key="keep_tc_model").value == tiny_model and not at.warning


def test_the_scratch_card_says_what_it_lacks_is_data_not_steps():
    """A review: scratch's card said "Each step costs as much as full fine-tuning, and it needs many more steps"
    where its defaults (5 epochs of batches of 32) take fewer optimizer steps than full_ft's (3 epochs of 16), and
    the README measured 10 epochs doing no better than 5."""
    import math

    def steps(name: str, n: int = 1000) -> int:
        d = REGISTRY[name].defaults
        return d["epochs"] * math.ceil(n / d["batch_size"])

    assert steps("scratch") <= steps("full_ft")  # the premise: ~160 against ~190 per 1,000 texts
    said = " ".join([*teaching.PLAIN["scratch"], teaching.COST_NOTES["scratch"]])
    assert "many more steps" not in said and "more data and steps" not in said
    assert "far more data" in teaching.PLAIN["scratch"][2] and "fewer, larger steps" in teaching.PLAIN["scratch"][2]
    assert "10 did no better than 5 on 2,000 reviews" in teaching.PLAIN["scratch"][2]


def test_the_scratch_card_says_its_defaults_take_more_training_compute_than_full_ft_in_larger_steps():
    """A review: the scratch card and cost note said "Each step costs as much as full fine-tuning, and by default it
    takes no more steps" where a default scratch step is a batch twice full_ft's and its 5 epochs against 3 make
    ~1.67x the training compute (train_flops 309.2 M against 185.5 M on the same data)."""
    import math

    ft, sc = REGISTRY["full_ft"].defaults, REGISTRY["scratch"].defaults
    assert ft["max_length"] == sc["max_length"]  # the premise: a text costs the same per epoch in both
    compute = sc["epochs"] / ft["epochs"]
    assert sc["batch_size"] > ft["batch_size"]  # larger steps
    assert sc["epochs"] * math.ceil(1000 / sc["batch_size"]) < ft["epochs"] * math.ceil(1000 / ft["batch_size"])
    plain, note = teaching.PLAIN["scratch"][2], teaching.COST_NOTES["scratch"]
    for said in (plain, note):
        assert "Each step costs" not in said and "no more steps" not in said
        assert f"about {compute:.1f}x" in said and "fewer, larger steps" in said and "far more data" in said
    assert f"{sc['epochs']} times against {ft['epochs']}" in plain
    assert f"{sc['epochs']} epochs against {ft['epochs']}" in note


def test_a_quoted_zero_shot_run_on_other_data_says_its_sentences_are_that_datas(tiny_model, tiny_data, bertlab_home):
    """A lecturer's card listed "The 3 sentences it compares with on the current data, tweets" above a bbc_news
    run's "It compared with other sentences: ..." (five news topics), which read as tweets' sentences changed: the
    card quotes the comparison Compare shows, whatever the Data page holds. It now names the run's data."""
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data), batch_id="b1")
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.6}, costs={"train_seconds": 0.0},
                 data_summary={"sizes": {"train": 40}})
    store.update(rid, config={**store.get(rid).config, "label_descriptions": ["A gloomy text.", "A cheerful text."]})
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "zero_shot",
                                          "keep_data_config": asdict(DataConfig(name="rotten_tomatoes"))})
    no_problems(at)
    assert any("on the current data, *rotten\\_tomatoes*" in m.value for m in at.markdown)  # the premise
    said = [c.value for c in at.caption if c.value.startswith("It ")]
    assert len(said) == 1 and said[0].startswith(f"It ran on other data, *{md(tiny_data.label)}*, not "
                                                  "*rotten\\_tomatoes* (the current data, whose sentences are "
                                                  "above): it compared with that data's sentences: “"), said
    assert said[0].endswith(f"“{md('A gloomy text.')}”; “{md('A cheerful text.')}”.")
    # on the current data, as before
    at = app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "keep_tc_strategy": "zero_shot",
                                          "keep_data_config": asdict(tiny_data)})
    no_problems(at)
    assert [c.value for c in at.caption if c.value.startswith("It ")] == [  # as before: other sentences, same data
        f"It compared with other sentences: “{md('A gloomy text.')}”; “{md('A cheerful text.')}”."]
