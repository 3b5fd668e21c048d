"""What a learner who read the tutorials bertlab was conceived from (the project's seeds) finds: their words in
bertlab's names, where their recipe differs from bertlab's defaults, the options their recipes rely on."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict

from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from bertlab import teaching
from bertlab.config import RunConfig
from bertlab.store import RunStore
from bertlab.strategies import REGISTRY, make_config


def test_the_strategy_cards_page_maps_the_tutorials_words_to_bertlabs_names():
    at = app_on("app_pages/teaching.py")
    no_problems(at)
    box = next(e for e in at.expander if e.label.startswith("Coming from a tutorial"))
    text = "\n".join(m.value for m in box.markdown)
    for words, name in (("feature extraction", "`head_only`"), ("continued or continual pretraining", "`dapt`"),
                        ("next sentence prediction (NSP)", "(not offered)"), ("differential", "`layer_decay`"),
                        ("training from scratch", "`scratch`"), ("logistic regression", "`tfidf_logreg`"),
                        ("fine-tuning only the last (top) layers", "`partial_ft`")):
        row = next((line for line in text.splitlines() if words in line), "")
        assert name in row, (words, row)
    assert "bert-base-uncased" in text and "padding='max_length'" in text  # the recipe's table too


def test_the_recipe_is_a_list_that_fits_a_projector():
    """The recipe was a three-column table: at 1024 px in projector mode its cells needed 532 px of the expander's
    482 (headless Chromium), the third column over the box's edge and ~150 px wide, the learning-rate row taller than
    the screen. One item a setting, as the words above it."""
    at = app_on("app_pages/teaching.py")
    no_problems(at)
    box = next(e for e in at.expander if e.label.startswith("Coming from a tutorial"))
    text = "\n".join(m.value for m in box.markdown)
    assert "|---|" not in text
    for what, theirs, ours in teaching.TUTORIAL_RECIPE:
        assert f"- **{what}**: *tutorials*: {theirs}. *bertlab*: {ours}" in text.splitlines(), what


def test_every_name_the_tutorial_table_gives_exists():
    """A strategy, an option of one, or a RunConfig field: a renamed option must not leave the table naming it."""
    options = {o for s in REGISTRY.values() for o in (getattr(s, "option_specs", None) or {})}
    fields = {f.name for f in dataclasses.fields(RunConfig)}
    for _, name, _ in teaching.TUTORIAL_TERMS:
        assert name in REGISTRY or name in options or name in fields or name == "(not offered)", name


def test_the_recipe_table_states_bertlabs_actual_defaults():
    """The table says what bertlab does where a tutorial does otherwise; these are the numbers it quotes."""
    recipe = {what: ours for what, _, ours in teaching.TUTORIAL_RECIPE}
    for name in ("full_ft", "partial_ft", "dapt"):
        assert make_config(name).learning_rate == 1e-4 and "1e-4 for full_ft, partial_ft and dapt" in \
            recipe["learning rate (fine-tuning)"]
    ft, head, scratch = make_config("full_ft"), make_config("head_only"), make_config("scratch")
    assert (ft.epochs, ft.batch_size) == (3, 16) and "3 epochs of shuffled batches of 16" in recipe["epochs and batch size"]
    assert (head.epochs, head.learning_rate) == (30, 1e-2) and "30 epochs at 1e-2" in recipe["epochs and batch size"]
    assert (scratch.epochs, scratch.learning_rate) == (5, 2e-4) and "5 epochs at 2e-4" in recipe["epochs and batch size"]
    assert ft.max_length == 128 and recipe["max length"].startswith("128 tokens")
    assert (ft.warmup_ratio, ft.weight_decay, ft.grad_clip) == (0.1, 0.01, 1.0)
    assert all(x in recipe["schedule"] for x in ("first 10% of steps", "weight decay 0.01", "norm 1.0"))


def test_the_train_page_points_a_tutorials_reader_to_the_mapping(tiny_data):
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    no_problems(at)
    assert any("Coming from a tutorial" in c.value and "Strategy cards" in c.value for c in at.caption)
    assert "bert-base-uncased" in at.text_input(key="keep_model").help


def test_the_optimiser_line_says_what_the_trainer_does_by_default(tiny_data):
    """It said the schedule (10% warmup, weight decay 0.01) was "the Trainer's defaults too": the Trainer's are no
    warmup and no weight decay, and a learner comparing with a Trainer tutorial read the opposite."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    no_problems(at)
    line = next(c.value for c in at.caption if c.value.startswith("Optimizer: AdamW; the learning rate rises"))
    assert "the Trainer's defaults too" not in line
    assert "no warmup and no weight decay unless set" in line


def test_scratch_offers_a_new_vocabulary_and_it_reaches_the_queued_config(tiny_model, tiny_data, bertlab_home):
    """The tutorials' "from scratch with a new vocabulary" was the CLI's --new-vocab only."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["scratch", "full_ft"]).run()
    no_problems(at)
    boxes = {c.key for c in at.checkbox}
    assert "keep_hp_scratch_new_vocab" in boxes and "keep_hp_full_ft_new_vocab" not in boxes
    assert "keep_hp_scratch_vocab_size" not in {n.key for n in at.number_input}  # only once it is ticked
    at.multiselect(key="keep_strategies").set_value(["scratch"]).run()
    at.checkbox(key="keep_hp_scratch_new_vocab").check().run()
    at.number_input(key="keep_hp_scratch_vocab_size").set_value(600).run()
    # The diagram's word embeddings are the new vocabulary's, not the model's: in the picture and its alt text.
    from bertlab import models
    from bertlab.teaching import _fmt, card

    cfg = models.load_config(tiny_model)
    plain, new = card("scratch", tiny_model), card("scratch", tiny_model, new_vocab=600)
    assert new.total_params - plain.total_params == (600 - cfg.vocab_size) * cfg.hidden_size
    assert "new vocabulary, up to 600 tokens" in new.svg and "new vocabulary" not in plain.svg
    emb = next(b.params for b in new.blocks if b.name == "embeddings")
    alt = next(m.value for m in at.markdown if "Diagram of what scratch trains" in m.value)
    assert f"embeddings: trained from random init, {_fmt(emb)} weights" in alt
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(at)
    store = RunStore(bertlab_home)
    run = store.list_runs()[0]
    assert run.strategy == "scratch" and run.config["new_vocab"] is True and run.config["vocab_size"] == 600
    store.request_cancel(run.id)


def test_the_readme_gives_the_same_tables():
    """README's "Coming from a tutorial" says what the Strategy cards page says, row for row."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for words, name, note in teaching.TUTORIAL_TERMS:
        shown = name if name.startswith("(") else f"`{name}`"
        assert f"| {words} | {shown} | {note} |" in readme, words
    for what, theirs, ours in teaching.TUTORIAL_RECIPE:
        assert f"| {what} | {theirs} | {ours} |" in readme, what


def test_the_diagrams_words_name_the_cls_token_and_pooler_output():
    """The tutorials read the [CLS] token's vector, `pooler_output`; the cards' legend said "its first token"."""
    meaning = dict(teaching.card("full_ft").glossary)["pooler"]
    assert "[CLS]" in meaning and "pooler_output" in meaning
