"""What a learner who read the tutorials bertlab was conceived from (the project's seeds) finds: their words in
bertlab's names, where their recipe differs from bertlab's defaults, the options their recipes rely on."""

from __future__ import annotations

from dataclasses import asdict

from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)


def test_the_optimiser_line_says_what_the_trainer_does_by_default(tiny_data):
    """It said the schedule (10% warmup, weight decay 0.01) was "the Trainer's defaults too": the Trainer's are no
    warmup and no weight decay, and a learner comparing with a Trainer tutorial read the opposite."""
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    no_problems(at)
    line = next(c.value for c in at.caption if c.value.startswith("Optimiser: AdamW; the learning rate rises"))
    assert "the Trainer's defaults too" not in line
    assert "no warmup and no weight decay unless set" in line
