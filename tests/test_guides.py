"""What a learner who read the tutorials bertlab was conceived from (the project's seeds) finds: their words in
bertlab's names, where their recipe differs from bertlab's defaults, the options their recipes rely on."""

from __future__ import annotations

from dataclasses import asdict

from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from bertlab.store import RunStore


def test_the_optimiser_line_says_what_the_trainer_does_by_default(tiny_data):
    """It said the schedule (10% warmup, weight decay 0.01) was "the Trainer's defaults too": the Trainer's are no
    warmup and no weight decay, and a learner comparing with a Trainer tutorial read the opposite."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    no_problems(at)
    line = next(c.value for c in at.caption if c.value.startswith("Optimiser: AdamW; the learning rate rises"))
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
    next(b for b in at.button if b.label.startswith("Launch 1 run")).click().run()
    no_problems(at)
    store = RunStore(bertlab_home)
    run = store.list_runs()[0]
    assert run.strategy == "scratch" and run.config["new_vocab"] is True and run.config["vocab_size"] == 600
    store.request_cancel(run.id)
