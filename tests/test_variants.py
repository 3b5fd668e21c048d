"""Runs of one strategy with different settings are two choices, not seeds of one (bertlab.variants)."""

import json

from bertlab import answer, pareto, variants
from bertlab.plots import run_labels, strategy_color
from bertlab.strategies.base import ARTIFACT_META
from tests.test_answer import LABELS, fake_run, right_on


def _with(run, **config):
    run.config = {**run.config, **config}
    return run


def test_two_learning_rates_of_full_ft_are_named_by_what_differs_and_seeds_share_a_name(tmp_path):
    a0 = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0, seed=0), learning_rate=2e-5)
    a1 = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 301), 1e13, 200.0, seed=1), learning_rate=2e-5)
    b0 = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 320), 1e13, 200.0, seed=0), learning_rate=5e-5)
    h = fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 290), 2.5e11, 10.0)
    names = variants.labels([a0, a1, b0, h])
    assert names == {a0.id: "full_ft (lr 2e-05)", a1.id: "full_ft (lr 2e-05)", b0.id: "full_ft (lr 5e-05)",
                     h.id: "head_only"}
    assert variants.variant(a0) == variants.variant(a1) != variants.variant(b0)
    # the charts' names: seeds of one setting told apart by their ids, settings by the settings
    shown = run_labels([a0, a1, b0, h])
    assert shown[b0.id] == "full_ft (lr 5e-05)" and shown[a0.id] == f"full_ft (lr 2e-05) · {a0.id[-4:]}"
    assert strategy_color("full_ft (lr 2e-05)") == strategy_color("full_ft")


def test_a_setting_a_strategy_never_uses_or_an_old_config_leaves_out_does_not_split_it(tmp_path):
    z1 = _with(fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 280), 0.0, 0.0), epochs=1)
    z2 = _with(fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 280), 0.0, 0.0), epochs=3,
               learning_rate=1e-3)
    old = fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0, seed=0)  # no patience key
    new = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0, seed=1), patience=0,
                keep_best=False)
    assert set(variants.labels([z1, z2, old, new]).values()) == {"zero_shot", "full_ft"}


def test_zero_shot_runs_with_other_label_sentences_are_two_choices_named_by_their_first_sentence(tmp_path):
    plain = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 200), 0.0, 0.0)
    told = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 300), 0.0, 0.0)
    for run, descs in ((plain, ["0", "1"]), (told, ["A review that hates the film.", "A review that loves it."])):
        (tmp_path / "meta" / run.id).mkdir(parents=True)
        (tmp_path / "meta" / run.id / ARTIFACT_META).write_text(json.dumps({"label_descriptions": descs}))
        run.artifact_dir = str(tmp_path / "meta" / run.id)
    names = variants.labels([plain, told])
    assert names == {plain.id: "zero_shot (sentences “0”)", told.id: "zero_shot (sentences “A review that hates the …”)"}
    rows = pareto.by_strategy(pareto.rows_from_runs([plain, told]))
    assert sorted(r["strategy"] for r in rows) == sorted(names.values())  # two points, not one mean of both


def test_seeds_of_two_learning_rates_are_answered_as_two_choices_and_none_is_lost(tmp_path):
    runs = []
    for seed in range(3):  # the better learning rate first: before, the later runs at each seed replaced them
        runs.append(_with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 340 + seed, 7 * seed), 1e13, 200.0,
                                   seed=seed), learning_rate=5e-5))
    for seed in range(3):
        runs.append(_with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 250 + seed, 5 * seed), 1e13, 200.0,
                                   seed=seed), learning_rate=2e-5))
        runs.append(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 255 + seed, 3 * seed), 2.5e11, 10.0,
                             seed=seed))
    a = answer.answer(runs, metric="accuracy")
    assert a is not None and a.best.config["learning_rate"] == 5e-5 and a.pick is a.best
    assert "full_ft (lr 5e-05)" in a.headline
    assert "(learning rate 5e-05)" in a.plain  # the plain words say which full_ft, in words


def test_one_run_each_of_two_learning_rates_names_them_by_the_setting_not_by_run_id(tmp_path):
    slow = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 360), 1e13, 200.0), learning_rate=5e-5)
    fast = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 250), 1e13, 200.0), learning_rate=2e-5)
    a = answer.answer([slow, fast], metric="accuracy")
    assert a is not None and a.best is slow
    assert a.headline.startswith("Use full_ft (lr 5e-05):"), a.headline


def test_a_sweeps_sizes_keep_the_strategys_name_though_small_sizes_train_more_epochs(tmp_path):
    small = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 250), 1e12, 20.0, n_train=100),
                  epochs=10, batch_size=16)
    large = fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0, n_train=2000)
    assert set(variants.labels([small, large]).values()) == {"full_ft"}


def test_the_report_says_what_each_run_trained_with_and_not_zero_shots_unused_epochs(tmp_path):
    from bertlab.report import _configs_section

    z = _with(fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 280), 0.0, 0.0), epochs=3,
              learning_rate=1e-3, max_length=64, label_descriptions=["bad", "good"])
    f = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0), learning_rate=2e-5,
              keep_best=True)
    z.notes = f.notes = []
    assert variants.settings_text(z) == "max_length 64, label sentences “bad”, “good”"
    text = variants.settings_text(f)
    assert text.startswith("2 epochs, lr 2e-05, batch 32") and "best epoch kept" in text and "patience" not in text
    page = _configs_section([z, f])
    assert "Trained with: max_length 64, label sentences “bad”, “good”." in page and f"Trained with: {text}." in page


def test_one_epoch_is_one_epoch(tmp_path):
    one = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0), epochs=1)
    three = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0), epochs=3)
    assert sorted(variants.labels([one, three]).values()) == ["full_ft (1 epoch)", "full_ft (3 epochs)"]


def test_two_settings_as_accurate_and_as_costly_are_told_apart_by_the_other_measure_not_by_seconds(tmp_path):
    """A persona's two head_only runs (lr 0.001 and 0.03) at 70.6%, both 296 GFLOP, 3.345 s and 3.38 s: the answer
    called the first 'the cheapest to train' and the other 'as accurate, for more training', on 0.035 s of wall
    time, though macro-F1 told them apart (0.657 against 0.691)."""
    zeros = [i for i, y in enumerate(LABELS) if y == 0]
    one_sided = [1 if i in set(zeros[:100]) else y for i, y in enumerate(LABELS)]  # every mistake on class 0
    even = [1 - y if i % 4 in (0, 1) and i < 200 else y for i, y in enumerate(LABELS)]  # 50 of each class
    assert sum(p == y for p, y in zip(one_sided, LABELS)) == sum(p == y for p, y in zip(even, LABELS))  # premise
    low = _with(fake_run(tmp_path, "head_only", LABELS, one_sided, 2.96e11, 3.345), learning_rate=1e-3)
    high = _with(fake_run(tmp_path, "head_only", LABELS, even, 2.96e11, 3.38), learning_rate=3e-2)
    assert high.metrics["test_macro_f1"] > low.metrics["test_macro_f1"]
    a = answer.answer([low, high], metric="accuracy")
    assert a.best is high and a.pick is high
    assert "as cheap to train as any run here" in a.headline and "the cheapest" not in a.headline
    assert ("As accurate as head_only (lr 0.03), at about the same training cost, but behind it by macro-F1: "
            f"head_only (lr 0.001) ({low.metrics['test_macro_f1']:.3f} against "
            f"{high.metrics['test_macro_f1']:.3f}).") in a.sentences


def test_two_runs_level_on_both_measures_are_not_called_behind_by_the_other(tmp_path):
    """A review: head_only and tfidf_logreg both at 100% and macro-F1 1.000 read "As accurate as tfidf_logreg, at
    about the same training cost, but behind it by macro-F1: head_only (1.000 against 1.000)"."""
    a_run = fake_run(tmp_path, "tfidf_logreg", LABELS, list(LABELS), 2.96e11, 3.0)
    b_run = fake_run(tmp_path, "head_only", LABELS, list(LABELS), 2.96e11, 3.02)
    a = answer.answer([a_run, b_run], metric="accuracy")
    said = " ".join(a.sentences)
    assert "behind it by macro-F1" not in said
    other = "head_only" if a.best is a_run else "tfidf_logreg"
    assert f"and level with it by macro-F1 too (1.000), at about the same training cost: {other}." in said


def test_a_strategys_settings_draw_with_their_own_dash_and_its_seeds_share_it(tmp_path):
    from bertlab.plots import run_styles

    runs = [_with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 280), 2.96e11, 3.0, seed=seed),
                  learning_rate=lr) for lr in (1e-3, 3e-2) for seed in (0, 1)]
    dash = {r.id: run_styles(runs)[r.id][1] for r in runs}
    assert dash[runs[0].id] == dash[runs[1].id] != dash[runs[2].id] == dash[runs[3].id]
    seeds = [fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 280), 1e13, 3.0, seed=s) for s in (0, 1)]
    assert len({run_styles(seeds)[r.id][1] for r in seeds}) == 2  # one setting: its seeds told apart


def test_a_queued_run_is_named_as_the_running_one_beside_it_and_no_setting_is_made_up(tmp_path):
    """Review: a running head_only (its size measured) and a queued one (none yet) were weighed apart, so neither
    said its learning rate while the launch was live; a plain scratch run was named 'vocab 8000', and a queued
    zero_shot 'sentences “”'."""
    running = _with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 280), 2.96e11, 3.0),
                    learning_rate=1e-2, data={"seed": 0, "train_size": 500})
    queued = _with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 280), 2.96e11, 3.0),
                   learning_rate=3e-2, data={"seed": 0, "train_size": 500})
    queued.data_summary, queued.status = {}, "queued"
    assert variants.labels([running, queued]) == {running.id: "head_only (lr 0.01)", queued.id: "head_only (lr 0.03)"}
    own = _with(fake_run(tmp_path, "scratch", LABELS, right_on(LABELS, 280), 1e13, 3.0), new_vocab=True,
                vocab_size=4000)
    plain = fake_run(tmp_path, "scratch", LABELS, right_on(LABELS, 280), 1e13, 3.0)
    assert variants.labels([own, plain]) == {own.id: "scratch (own vocabulary, vocab 4000)",
                                             plain.id: "scratch (model's vocabulary)"}
    told = _with(fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 280), 0.0, 0.0),
                 label_descriptions=["bad", "good"])
    waiting = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 280), 0.0, 0.0)
    waiting.status = "queued"
    assert variants.labels([told, waiting]) == {told.id: "zero_shot (sentences “bad”)", waiting.id: "zero_shot"}


def test_a_sweeps_sizes_of_one_strategy_are_still_paired_as_one_learning_curve(tmp_path):
    """Review: with epochs and batch size among a run's settings, a sweep's full_ft at 100 examples (10 epochs,
    batch 16) and at 2,000 counted as two settings, and the paired table dropped the row of what more data did."""
    from bertlab import paired

    small = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 250), 1e12, 20.0, n_train=100),
                  epochs=10, batch_size=16)
    large = fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0, n_train=2000)
    members = [(r, paired.load_predictions(r)) for r in (small, large)]
    (row,) = paired.pairwise_rows(members)
    assert {row["a_id"], row["b_id"]} == {small.id, large.id} and row["family"] is False  # outside Holm's family


def _val(run, loss, acc=0.7):
    run.metrics |= {"val_loss": loss, "val_accuracy": acc}
    return run


def test_a_learning_rate_picked_on_the_test_texts_is_checked_against_the_validation_texts(tmp_path):
    """A reviewer: with three learning rates of head_only, the answer named the one best on the test texts and
    quoted its test score, a choice made on the texts it is then scored on. The validation texts say whether
    they pick the same rate."""
    lo = _val(_with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 290), 2.5e11, 10.0), learning_rate=1e-3),
              0.61)
    mid = _val(_with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 300), 2.5e11, 10.0),
                     learning_rate=1e-2), 0.56)
    hi = _val(_with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 296), 2.5e11, 10.0), learning_rate=1e-1),
              0.86)
    zero = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 250, 100), 0.0, 0.0)
    a = answer.answer([lo, mid, hi, zero])
    assert a.pick is mid
    assert ("head_only ran with 3 settings here, and the one named is the best of them on the test texts; the "
            "validation texts, which no number here is measured on, pick it too (the lowest validation loss): the "
            "choice does not rest on the test texts alone.") in a.sentences
    # validation prefers another rate: the named one's test score flatters it, and the fairer one is given
    mid.metrics["val_loss"] = 0.70
    a = answer.answer([lo, mid, hi, zero])
    assert a.pick is mid
    assert ("head_only ran with 3 settings here, and the one named is the best of them on the test texts, which "
            "flatters it: the validation texts, which no number here is measured on, pick head_only (lr 0.001) "
            "(the lowest validation loss), whose test score, 72.5%, is the fairer estimate of what head_only does "
            "on new texts.") in a.sentences
    # one setting only: nothing to say
    assert not any("settings here" in s for s in answer.answer([mid, zero]).sentences)


def test_over_seeds_the_validation_check_uses_each_settings_mean(tmp_path):
    runs = []
    for seed in (0, 1):
        runs.append(_val(_with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 300 + seed), 2.5e11, 10.0,
                                        seed=seed), learning_rate=1e-2), 0.50 + 0.2 * seed))  # mean 0.60
        runs.append(_val(_with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, 290 + seed), 2.5e11, 10.0,
                                        seed=seed), learning_rate=1e-3), 0.58))  # mean 0.58: validation's pick
    zero = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 250, 100), 0.0, 0.0)
    a = answer.answer([*runs, zero])
    said = next(s for s in a.sentences if "settings here" in s)
    assert said.startswith("head_only ran with 2 settings here, and the one named is the best of them on the test "
                           "texts, which flatters it: the validation texts, which no number here is measured on, "
                           "pick head_only (lr 0.001) (the lowest validation loss, mean over seeds), whose test "
                           "score, 72.6%, mean of 2 seeds, is the fairer estimate")


def test_the_validation_check_picks_by_the_measure_the_answer_judges_by(tmp_path):
    """A review: head_only at four learning rates, the answer named lr 0.01 (best on the test texts) and said the
    validation texts "pick it too (the lowest validation loss)", while by validation accuracy (67% against 64%)
    and macro-F1 they picked lr 0.03. The check now goes by the answer's measure on the validation texts, names
    the setting they pick with its test score, and falls back to the loss only where the measure cannot choose."""
    def rate(lr, right, loss, acc, f1):
        run = _with(fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, right), 2.5e11, 10.0), learning_rate=lr)
        run.metrics |= {"val_loss": loss, "val_accuracy": acc, "val_macro_f1": f1}
        return run

    low = rate(1e-3, 290, 0.634, 0.64, 0.532)
    best = rate(1e-2, 300, 0.610, 0.64, 0.614)  # lowest validation loss, but not the most accurate on validation
    val_pick = rate(3e-2, 296, 0.747, 0.67, 0.655)
    zero = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 250, 100), 0.0, 0.0)
    a = answer.answer([low, best, val_pick, zero], metric="accuracy")
    assert a.pick is best
    assert ("head_only ran with 3 settings here, and the one named is the best of them on the test texts, which "
            "flatters it: the validation texts, which no number here is measured on, pick head_only (lr 0.03) "
            "(the highest validation accuracy: 67.0% against 64.0% for the one named), whose test score, 74.0%, is "
            "the fairer estimate of what head_only does on new texts.") in a.sentences
    assert not any("pick it too" in s for s in a.sentences)
    said = next(s for s in answer.answer([low, best, val_pick, zero], metric="macro_f1").sentences
                if "settings here" in s)
    assert "pick head_only (lr 0.03) (the highest validation macro-F1: 0.655 against 0.614 for the one named)" in said
    # level on validation accuracy with another setting: the loss tells them apart, and the sentence says so
    val_pick.metrics["val_accuracy"] = 0.64
    low.metrics["val_accuracy"] = 0.60
    assert ("head_only ran with 3 settings here, and the one named is the best of them on the test texts; the "
            "validation texts, which no number here is measured on, pick it too (the highest validation accuracy, "
            "shared by 2 settings, then the lowest validation loss): the choice does not rest on the test texts "
            "alone.") in answer.answer([low, best, val_pick, zero], metric="accuracy").sentences
    # runs that kept no validation accuracy: the loss picks, and the sentence says why
    for r in (low, best, val_pick):
        del r.metrics["val_accuracy"]
    assert any("pick it too (the lowest validation loss; no validation accuracy kept)" in s
               for s in answer.answer([low, best, val_pick, zero], metric="accuracy").sentences)


def test_runs_picked_from_two_datasets_are_named_by_their_dataset_and_the_settings_that_differ(tmp_path):
    """A review: Pick runs across a rotten_tomatoes launch (lora r 4) and a tweets one (lora r 16) named them
    "lora · 893a" and "lora · ecae" in every table and chart; and where the names did say the rank, lora's alpha
    (worked out as twice r, never set) came with it: "lora (alpha 8, r 4)"."""
    def lora(r, dataset):
        run = _with(fake_run(tmp_path, "lora", LABELS, right_on(LABELS, 300), 1e12, 20.0), options={"r": r})
        run.costs = {**run.costs, "derived_options": {"alpha": 2 * r}}
        run.dataset = dataset
        return run

    a, b = lora(4, "rotten_tomatoes"), lora(16, "tweets")
    z = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 200), 0.0, 0.0)
    z.dataset = "tweets"
    names = variants.labels([a, b, z])
    assert names == {a.id: "lora (rotten_tomatoes, r 4)", b.id: "lora (tweets, r 16)", z.id: "zero_shot (tweets)"}
    assert run_labels([a, b, z]) == names  # no id tails needed: the names tell them apart
    # a list that names the dataset beside each run (the pickers, the CLI's runs table): the settings only
    assert variants.labels([a, b, z], data=False) == {a.id: "lora (r 4)", b.id: "lora (r 16)", z.id: "zero_shot"}
    # on one dataset, as before: the settings alone; an alpha set by hand is a choice, and named
    b.dataset = "rotten_tomatoes"
    assert variants.labels([a, b]) == {a.id: "lora (r 4)", b.id: "lora (r 16)"}
    b.config["options"] = {"r": 16, "alpha": 32}
    assert variants.labels([a, b]) == {a.id: "lora (alpha 8, r 4)", b.id: "lora (alpha 32, r 16)"}
    # uploaded files by the name the user gave them; two models by the model's own name
    a.dataset, b.dataset = "/x/uploads/3f2a9c0b1d4e-reviews.csv", "rotten_tomatoes"
    assert variants.labels([a, b])[a.id] == "lora (reviews.csv, alpha 8, r 4)"
    a.dataset, b.model = "rotten_tomatoes", "google-bert/bert-base-uncased"
    assert variants.labels([a, b])[b.id] == "lora (bert-base-uncased, alpha 32, r 16)"


def test_settings_a_dataset_or_a_queued_run_brings_are_not_named_as_choices(tmp_path):
    """A review of the names across datasets: each dataset's zero_shot has its own default sentences, and runs on
    two read "zero_shot (sentences “A news article about bus…”)" and "zero_shot (sentences “This movie was
    great.”)"; and a queued lora, which has worked out no alpha yet, named the finished ones' alpha."""
    def zs(dataset, descs):
        run = fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 300), 0.0, 0.0)
        run.dataset = dataset
        run.config = {**run.config, "label_descriptions": descs}
        return run

    news = zs("bbc_news", ["A news article about business.", "A news article about sport."])
    film = zs("rotten_tomatoes", ["This movie was terrible.", "This movie was great."])
    assert variants.labels([news, film]) == {news.id: "zero_shot (bbc_news)", film.id: "zero_shot (rotten_tomatoes)"}
    assert variants.labels([news, film], data=False) == {news.id: "zero_shot", film.id: "zero_shot"}
    other = zs("rotten_tomatoes", ["A bad film.", "A good film."])  # on one dataset, other sentences: a choice
    assert variants.labels([film, other], data=False)[other.id] == "zero_shot (sentences “A bad film.”)"

    def lora(r, done=True):
        run = _with(fake_run(tmp_path, "lora", LABELS, right_on(LABELS, 300), 1e12, 20.0), options={"r": r})
        if done:
            run.costs = {**run.costs, "derived_options": {"alpha": 2 * r}}
        else:
            run.status, run.costs = "queued", {}
        return run

    a, b, queued = lora(4), lora(16), lora(4, done=False)
    assert variants.labels([a, b, queued]) == {a.id: "lora (r 4)", b.id: "lora (r 16)", queued.id: "lora (r 4)"}
    assert set(variants.labels([a, queued]).values()) == {"lora"}  # one setting, one name, queued or not


def test_a_queued_zero_shot_seed_is_named_as_the_finished_one_of_the_same_config(tmp_path):
    """Review: during a sweep at two seeds, the finished zero_shot (its model recorded the dataset's default
    sentences) read "zero_shot (sentences “This movie was terrible.”)" beside the queued seed (no sentences read
    yet), the batch title named zero_shot twice and `runs` grew 171 columns wide: one config, two names."""
    def zs(seed, queued=False, descs=None):
        run = _with(fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 280), 0.0, 0.0, seed=seed),
                    data={"seed": 0, "train_size": 32}, label_descriptions=descs)
        if queued:
            run.status, run.data_summary = "queued", {}
        else:
            meta = tmp_path / "meta" / run.id
            meta.mkdir(parents=True)
            recorded = descs or ["This movie was terrible.", "This movie was great."]
            (meta / ARTIFACT_META).write_text(json.dumps({"label_descriptions": recorded}))
            run.artifact_dir = str(meta)
        return run

    done, waiting = zs(0), zs(1, queued=True)
    assert variants.labels([done, waiting]) == {done.id: "zero_shot", waiting.id: "zero_shot"}
    told = zs(2, descs=["A bad film.", "A good film."])  # other sentences beside them: a choice, named alike
    names = variants.labels([done, waiting, told])
    assert names[done.id] == names[waiting.id] == "zero_shot (sentences “This movie was terrible.”)"
    assert names[told.id] == "zero_shot (sentences “A bad film.”)"


def test_a_pair_run_and_a_run_on_one_half_of_the_pair_are_two_choices_not_two_seeds(tmp_path):
    """The README's pair baseline: full_ft reading sentence1 + sentence2 as a pair and full_ft reading sentence2
    alone, on one file, were both "full_ft", one variant, averaged as seeds of one choice. They read other texts:
    each is named by what it read; a queued run leaving the columns to detection reads what the finished one that
    left them recorded, and runs reading one column alike are one choice."""
    def on_file(k, summary, data=None, status="succeeded"):
        r = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, k), 1e13, 200.0),
                  data={"seed": 0, **(data or {})})
        r.dataset, r.data_summary, r.status = "pairs.csv", {**r.data_summary, **summary}, status
        return r

    pair = on_file(300, {"text_column": "sentence1", "text_pair_column": "sentence2", "label_column": "label"})
    half = on_file(260, {"text_column": "sentence2", "label_column": "label"}, {"text_column": "sentence2"})
    assert variants.labels([pair, half]) == {pair.id: "full_ft (text columns 'sentence1' + 'sentence2')",
                                             half.id: "full_ft (text column 'sentence2')"}
    # a column itself called "text" read "text text" (the sidebar's queue: "tfidf_logreg (class.csv, text text)")
    plain = on_file(250, {"text_column": "text", "label_column": "label"}, {"text_column": "text"})
    assert variants.labels([plain, half])[plain.id] == "full_ft (text column 'text')"
    assert variants.variant(pair) != variants.variant(half)
    assert len({variants.variant_keys([pair, half])[r.id] for r in (pair, half)}) == 2
    queued = on_file(0, {}, status="queued")  # columns left to detection: the pair, as the finished run found
    waiting = on_file(0, {}, {"text_column": "sentence2"}, status="queued")
    names = variants.labels([pair, half, queued, waiting])
    assert names[queued.id] == names[pair.id] and names[waiting.id] == names[half.id]
    keys = variants.variant_keys([pair, half, queued, waiting])
    assert keys[queued.id] == keys[pair.id] and keys[waiting.id] == keys[half.id]
    # the same column read, one left to detection and one named: seeds of one choice, named as before
    named = on_file(290, {"text_column": "sentence1", "text_pair_column": "sentence2", "label_column": "label"},
                    {"text_column": "sentence1", "text_pair_column": "sentence2"})
    assert variants.labels([pair, named]) == {pair.id: "full_ft", named.id: "full_ft"}
    assert variants.variant(pair) == variants.variant(named)
    # each dataset reads its own columns: runs on two files are named by their data, not by their columns
    other = on_file(280, {"text_column": "review", "label_column": "label"})
    other.dataset = "reviews.csv"
    assert variants.labels([pair, other]) == {pair.id: "full_ft (pairs.csv)", other.id: "full_ft (reviews.csv)"}
    assert "text" not in variants.settings_text(pair)


def test_two_patiences_of_full_ft_are_two_choices_named_by_it(tmp_path):
    """Early stopping's patience is a training setting: full_ft stopping after 1 epoch without improvement and full_ft
    training on are two choices, not two seeds to average (a mutation leaving patience out of the settings passed
    every test)."""
    a = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 300), 1e13, 200.0, seed=0), patience=1,
              keep_best=True)
    b = _with(fake_run(tmp_path, "full_ft", LABELS, right_on(LABELS, 320), 1e13, 200.0, seed=1), patience=0,
              keep_best=True)
    assert variants.variant(a) != variants.variant(b)
    assert variants.labels([a, b]) == {a.id: "full_ft (patience 1)", b.id: "full_ft (patience 0)"}


def test_a_launch_queues_its_learning_rates_in_the_order_given_each_rates_seeds_together():
    """`--lr head_only=3e-2,1e-3` and the Train page's list: the strategy's own rate first, then the others as
    written (not sorted), one given twice or equal to its own queued once, each rate's seeds together."""
    from bertlab.launch import launch_configs
    from bertlab.strategies import make_config

    base = make_config("head_only", learning_rate=1e-2)
    configs = launch_configs(base, 2, [3e-2, 1e-2, 1e-3, 3e-2])
    assert [(c.learning_rate, c.seed) for c in configs] == [(1e-2, 0), (1e-2, 1), (3e-2, 0), (3e-2, 1),
                                                          (1e-3, 0), (1e-3, 1)]


def test_the_example_rates_are_a_third_and_three_times_the_default():
    from bertlab.launch import example_rates

    assert example_rates(1e-2) == "3e-3, 3e-2"
    assert example_rates(5e-5) == "2e-5, 2e-4"


def test_a_learning_rate_of_one_is_taken_as_runconfig_takes_it():
    import pytest

    from bertlab.errors import ConfigError
    from bertlab.launch import learning_rates

    assert learning_rates("1, 3e-2", "--lr") == [1.0, 3e-2]  # above 0 and at most 1
    with pytest.raises(ConfigError, match="at most 1"):
        learning_rates("1.5", "--lr")


def test_a_launch_of_exactly_the_limit_is_queued(monkeypatch):
    from bertlab.launch import MAX_RUNS_ENV, MAX_RUNS_PER_LAUNCH, launch_size_problem

    monkeypatch.delenv(MAX_RUNS_ENV, raising=False)
    assert launch_size_problem(MAX_RUNS_PER_LAUNCH) is None
    assert "the limit is 100 per launch" in launch_size_problem(MAX_RUNS_PER_LAUNCH + 1)


def test_inside_a_reports_build_the_names_with_and_without_the_dataset_stay_apart_and_each_call_gets_its_own(
        tmp_path):
    """Mutation round 7 (bertlab.memo): inside a report's build (memo.within) the names are kept per list of runs
    and per ``data``: a list naming the dataset and one leaving it out are two answers ("lora (r 4)" was given
    where "lora (rotten_tomatoes, r 4)" was asked); and each call gets its own copy, so that a caller that adds to
    what it got changes nothing the next caller is given."""
    from bertlab import memo

    def lora(r, dataset):
        run = _with(fake_run(tmp_path, "lora", LABELS, right_on(LABELS, 300), 1e12, 20.0), options={"r": r})
        run.dataset = dataset
        return run

    a, b = lora(4, "rotten_tomatoes"), lora(16, "tweets")
    with memo.within():
        assert variants.labels([a, b], data=False) == {a.id: "lora (r 4)", b.id: "lora (r 16)"}
        assert variants.labels([a, b]) == {a.id: "lora (rotten_tomatoes, r 4)", b.id: "lora (tweets, r 16)"}
        got = variants.parts([a, b])
        got[a.id].append("mine")
        assert variants.parts([a, b])[a.id] == ["rotten_tomatoes", "r 4"]
        mine = variants.settings(a)
        mine["options"] = "mine"
        mine.get("label_descriptions", []).append("mine")
        assert variants.settings(a) == variants._settings(a)
