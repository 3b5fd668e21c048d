"""What a finished run tells its user beyond the score: accuracy noise, cut texts, a model that learned nothing."""

from __future__ import annotations

import pytest

from bertlab import plots
from bertlab.metrics import classification_report, single_class_prediction, wilson_interval
from bertlab.runner import execute_run, outcome_notes
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import get_strategy, make_config


def test_wilson_interval_matches_the_textbook_values():
    lo, hi = wilson_interval(85, 100)
    assert (round(lo, 4), round(hi, 4)) == (0.7672, 0.9069)
    assert wilson_interval(10, 10)[1] == 1.0 and wilson_interval(0, 10)[0] == 0.0
    wide, narrow = wilson_interval(40, 50), wilson_interval(800, 1000)
    assert wide[1] - wide[0] > 2 * (narrow[1] - narrow[0])  # more test examples, less noise


def test_report_carries_the_interval_around_its_accuracy():
    rep = classification_report([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], ["a", "b"])
    lo, hi = rep["accuracy_ci95"]
    assert lo < rep["accuracy"] == 0.8 < hi


def test_an_older_runs_interval_is_computed_from_the_nearest_count_of_right_answers():
    """A run stored without its interval: 0.29 of 100 texts is 29 right (0.29 * 100 is 28.999... in floats: a floor
    made it 28, an interval for another accuracy)."""
    from bertlab.metrics import run_accuracy_interval

    assert run_accuracy_interval({"test_accuracy": 0.29}, 100) == wilson_interval(29, 100)
    assert run_accuracy_interval({"test_accuracy_ci95": [0.2, 0.4], "test_accuracy": 0.29}, 100) == (0.2, 0.4)
    assert run_accuracy_interval({"test_accuracy": 0.29}, None) is None


def test_the_rarest_class_is_the_one_with_fewest_test_texts():
    from bertlab.metrics import rarest_class

    metrics = {"per_class": {"a": {"support": 50}, "b": {"support": 3}, "c": {"support": 20}, "d": {"support": 0}}}
    assert rarest_class(metrics) == ("b", 3, 73)  # d, absent from the test set, is not rare in it
    assert rarest_class({}) is None


def test_per_class_precision_recall_and_support_read_the_confusion_matrix_by_its_right_axes():
    """Rows are the true classes, columns the predicted: precision divides by a column (how often the class was
    predicted), recall and support by a row (how often it was the answer). By hand: 'a' predicted once, rightly."""
    from bertlab.metrics import classification_report

    m = classification_report([0, 0, 0, 1, 1, 2], [0, 1, 1, 1, 2, 2], ["a", "b", "c"])
    assert m["confusion"] == [[1, 2, 0], [0, 1, 1], [0, 0, 1]]
    got = {k: (v["precision"], v["recall"], v["support"]) for k, v in m["per_class"].items()}
    assert got == {"a": (1.0, pytest.approx(1 / 3), 3), "b": (pytest.approx(1 / 3), 0.5, 2), "c": (0.5, 1.0, 1)}
    assert m["per_class"]["b"]["f1"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))


def test_single_class_prediction():
    assert single_class_prediction([[5, 0], [3, 0]], ["a", "b"]) == "a"
    assert single_class_prediction([[5, 1], [3, 0]], ["a", "b"]) is None


def test_learned_nothing_is_a_note(tiny_model, tiny_data):
    from bertlab.data import load_splits

    splits = load_splits(tiny_data)
    cfg = make_config("tfidf_logreg", model=tiny_model, data=tiny_data)
    test = classification_report([0, 1, 1, 0], [1, 1, 1, 1], splits.label_names)
    notes = outcome_notes(cfg, get_strategy("tfidf_logreg"), splits, test)
    head = (f"predicted {splits.label_names[1]!r} for every test example: it learned nothing beyond always "
            "guessing one class (test accuracy 50.0%, the majority class gives 50.0%); ")
    # tfidf_logreg has no epochs or learning rate to raise; on 56 texts of two even classes, its texts are too few
    assert notes == [head + "the words of its 56 training texts do not tell the classes apart (too few texts, or too "
                     "short ones); give it more labelled texts of each class, or longer ones"]
    cfg = make_config("full_ft", model=tiny_model, data=tiny_data)
    assert outcome_notes(cfg, get_strategy("full_ft"), splits, test)[-1] == (
        head + "try more epochs, a higher learning rate or more data")
    # zero_shot learns nothing: a reviewer read "it learned nothing" of it. Its sentences are what to change.
    cfg = make_config("zero_shot", model=tiny_model, data=tiny_data)
    said = outcome_notes(cfg, get_strategy("zero_shot"), splits, test)[-1]
    assert "learned" not in said and said.startswith(f"predicted {splits.label_names[1]!r} for every test example: "
                                                     "its label sentences do not tell the texts apart")


@pytest.mark.parametrize("strategy,split", [("zero_shot", "test"), ("head_only", "train")])
@pytest.mark.parametrize("max_length,cut", [(8, True), (128, False)])
def test_texts_cut_at_max_length_are_counted_in_a_note(tiny_model, tiny_data, max_length, cut, strategy, split):
    store = RunStore()
    rid = store.create_run(make_config(strategy, model=tiny_model, data=tiny_data, max_length=max_length))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    notes = [n for n in run.notes if "longer than max_length" in n]
    assert bool(notes) == cut, run.notes
    if cut:  # the texts the run reads: zero_shot never reads the training texts
        n = run.data_summary["sizes"][split]
        which = "training" if split == "train" else "test"
        assert notes[0].startswith(f"{n:,} of {n:,} {which} texts (100%) are longer than max_length 8")
    lo, hi = run.metrics["test_accuracy_ci95"]
    assert lo <= run.metrics["test_accuracy"] <= hi


def test_a_run_served_from_the_embedding_cache_says_so_and_is_billed_as_a_cold_one(tiny_model, tiny_data):
    from bertlab import embeddings, plots

    store = RunStore()
    runs = []
    with embeddings._LOCK:  # as a fresh server: no encoder loaded yet
        embeddings._ENCODERS.clear()
    for strategy in ("zero_shot", "head_only", "head_only"):  # the default flow: zero_shot embeds val + test first
        rid = store.create_run(make_config(strategy, model=tiny_model, data=tiny_data, epochs=1, max_length=24))
        assert execute_run(store, rid) == SUCCEEDED
        runs.append(store.get(rid))
    zs, first, warm = runs
    notes = [[n for n in r.notes if "reused from the cache" in n] for r in runs]
    sizes = zs.data_summary["sizes"]
    n = sum(sizes.values())
    assert notes[0] == []
    # head_only after zero_shot embedded only its training texts: billed for them, not for a share of all texts
    assert first.costs["embedding_cache_hits"] == sizes["validation"] + sizes["test"]
    assert notes[1][0].startswith(f"embeddings of {sizes['validation'] + sizes['test']:,} of {n:,} texts were reused")
    assert notes[2][0].startswith(f"embeddings of {n:,} of {n:,} texts were reused from the cache of an earlier run "
                                  "(same model, max length and precision): this run spent ")
    assert notes[2][0].endswith("so they compare with a cold run's")
    # the encoder pass over the training texts costs the same whether this run computed it or the cache served it
    enc = [r.costs["train_seconds"] - r.costs["head_seconds"] for r in (first, warm)]
    assert enc[0] > 0 and enc[0] == pytest.approx(enc[1], rel=1e-9)
    assert warm.costs["eval_seconds"] == pytest.approx(first.costs["eval_seconds"], rel=1e-9)
    assert warm.costs["train_flops"] == first.costs["train_flops"]
    # the total counts the reused pass too: at least what training and evaluation are billed, beyond the wall time
    assert warm.costs["cache_saved_seconds"] > 0
    assert warm.costs["total_seconds"] == pytest.approx(warm.costs["wall_seconds"] + warm.costs["cache_saved_seconds"])
    assert warm.costs["total_seconds"] >= warm.costs["train_seconds"] + warm.costs["eval_seconds"]
    # throughput: each training text once through the encoder
    assert first.costs["train_examples_per_s"] == pytest.approx(sizes["train"] / first.costs["train_seconds"])
    # memory: zero_shot loaded the encoder; the head_only runs found it loaded (or cached), and the table says so
    assert [r.costs["memory_without_encoder"] for r in runs] == [False, True, True]
    note = plots.memory_note(runs)
    assert note.startswith(f"Memory of head_only · {first.id[-4:]}, head_only · {warm.id[-4:]}: the encoder was "
                           "already loaded") and "zero_shot" not in note
    assert not any(r.costs.get("memory_first_in_process") for r in runs)


def test_the_first_run_measured_in_a_process_is_named_beside_the_memory_column(tiny_model, tiny_data, monkeypatch):
    """A review: partial_ft, the first run after the server restarted, took 1,366 MiB against dapt's 1,330, though it
    trains less: on the CPU the first run's RSS holds the process's one-time set-up."""
    from bertlab import runner

    monkeypatch.setattr(runner, "_MEASURED_IN_PROCESS", [0])
    store = RunStore()
    runs = []
    for name in ("tfidf_logreg", "full_ft"):
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=24, epochs=1))
        assert execute_run(store, rid) == SUCCEEDED
        runs.append(store.get(rid))
    assert [r.costs.get("memory_first_in_process", False) for r in runs] == [True, False]
    note = plots.memory_note(runs)
    assert note.startswith("Memory of tfidf_logreg: the first run measured in its process") and "full_ft" not in note
    assert plots.memory_note(runs[:1]) is None  # alone, it is compared with nothing


@pytest.mark.parametrize("descriptions,warned", [(["0", "1"], True), (["a bad review", "a good review"], False)])
def test_zero_shot_warns_when_label_descriptions_have_no_words(tiny_model, tiny_data, descriptions, warned):
    store = RunStore()
    rid = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data, max_length=24,
                                       label_descriptions=descriptions))
    assert execute_run(store, rid) == SUCCEEDED
    notes = [n for n in store.get(rid).notes if "have no words" in n]
    assert notes == ([f"label descriptions {descriptions} have no words: zero-shot compares each text with these "
                      "strings, which mean nothing to the model, so expect about chance accuracy; describe each "
                      "class in a few words (Train page: Label descriptions; CLI: --label-descriptions)"]
                     if warned else [])


def test_best_keeper_puts_back_the_epoch_of_lowest_validation_loss():
    import torch
    from torch import nn

    from bertlab.engine import BestKeeper

    m = nn.Linear(3, 2)
    m.bias.requires_grad_(False)  # frozen parts are not copied (and never change)
    keep = BestKeeper(m, enabled=True)
    snapshots = []
    for epoch, loss in enumerate([0.5, 0.3, 0.4, float("nan")], 1):
        with torch.no_grad():
            m.weight.add_(1.0)
        snapshots.append(m.weight.detach().clone())
        keep.update(epoch, loss)
    assert keep.restore() == 2
    assert torch.equal(m.weight, snapshots[1])
    off = BestKeeper(m, enabled=False)
    off.update(1, 0.1)
    off.update(2, 0.9)
    assert off.restore() is None


def test_the_learning_rate_warms_up_linearly_to_its_peak_then_decays_linearly_to_zero():
    """linear_schedule: step s of ``warmup`` gets (s + 1) / warmup of the peak (never 0: the first step learns), the
    peak at the last warm-up step and the first after it, then (total - s) / (total - warmup) down to 0."""
    import torch

    from bertlab.engine import linear_schedule

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=2.0)
    sched = linear_schedule(opt, warmup=4, total=10)
    lrs = []
    for _ in range(10):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert lrs == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.0, 2 * 5 / 6, 2 * 4 / 6, 2 * 3 / 6, 2 * 2 / 6, 2 * 1 / 6])
    assert sched.get_last_lr()[0] == 0.0  # after the last step
    none = linear_schedule(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0), warmup=0, total=4)
    assert none.get_last_lr()[0] == 1.0  # no warm-up: the first step at the peak


def _first_token_toy(classes: int):
    """A classifier as evaluate calls one, whose logits over ``classes`` classes are an embedding of each text's
    first token: the two evaluate tests work its losses out by hand from ``model.emb``."""
    from types import SimpleNamespace

    from torch import nn

    class Toy(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, classes)

        def forward(self, input_ids, attention_mask, **_):
            return SimpleNamespace(logits=self.emb(input_ids[:, 0]))

    return Toy()


def test_evaluate_reports_the_mean_cross_entropy_over_the_split_and_the_predicted_classes():
    """The validation loss keep_best and patience compare is a mean over texts, whatever the batches."""
    import torch
    from torch import nn

    from bertlab.engine import Encoded, evaluate

    torch.manual_seed(0)
    model = _first_token_toy(3)
    enc = Encoded([[1, 2], [3], [4, 5, 6], [7], [8, 9]])
    labels = [0, 1, 2, 0, 1]
    with torch.no_grad():
        logits = model.emb(torch.tensor([1, 3, 4, 7, 8]))
    want = float(nn.functional.cross_entropy(logits, torch.tensor(labels)))
    for batch in (2, 5):
        m = evaluate(model, enc, labels, ["a", "b", "c"], batch, torch.device("cpu"), None, 0)
        assert m["loss"] == pytest.approx(want, rel=1e-5)
        assert m["predictions"] == logits.argmax(1).tolist()


def test_an_epochs_training_loss_is_the_mean_of_its_steps():
    from bertlab.engine import epoch_record

    assert epoch_record({"epoch": 2, "val_loss": 0.5}, [0.9, 0.6, 0.3]) == {"epoch": 2, "val_loss": 0.5,
                                                                            "train_loss": pytest.approx(0.6)}
    assert epoch_record({"epoch": 1}, [])["train_loss"] is None


def test_best_keeper_keeps_the_first_of_epochs_with_the_same_lowest_loss_and_counts_patience_from_it():
    """A tie is no improvement: the earlier epoch stays the best, and epochs since it count toward patience;
    where the last epoch is the best, nothing is put back (None: no "kept the weights of epoch 3 of 3")."""
    from torch import nn

    from bertlab.engine import BestKeeper

    keep = BestKeeper(nn.Linear(2, 2), enabled=True)
    for epoch, loss in enumerate([0.5, 0.4, 0.4, 0.4], 1):
        keep.update(epoch, loss)
    assert keep.best_epoch == 2 and keep.should_stop(2, 10) and not keep.should_stop(3, 10)
    assert keep.restore() == 2
    last = BestKeeper(nn.Linear(2, 2), enabled=True)
    for epoch, loss in enumerate([0.5, 0.4, 0.3], 1):
        last.update(epoch, loss)
    assert last.restore() is None


def test_head_only_keep_best_returns_the_head_of_its_best_epoch():
    import numpy as np
    import torch

    from bertlab.engine import Callbacks, best_epoch_outcome
    from bertlab.strategies.embedding_based import train_linear_head

    rng = np.random.default_rng(0)
    x, xv = rng.normal(size=(64, 16)).astype(np.float32), rng.normal(size=(32, 16)).astype(np.float32)
    y, yv = rng.integers(0, 2, 64), rng.integers(0, 2, 32)  # noise: it can only overfit
    head, history, _, restored = train_linear_head(x, y, xv, yv, 2, epochs=30, lr=0.1, batch_size=16,
                                                   weight_decay=0.0, seed=0, callbacks=Callbacks(),
                                                   label_names=["a", "b"], keep_best=True)
    losses = [h["val_loss"] for h in history]
    assert restored == 1 + int(np.argmin(losses)) and restored < 30
    with torch.no_grad():
        got = float(torch.nn.functional.cross_entropy(head(torch.from_numpy(xv)), torch.from_numpy(yv).long()))
    assert got == pytest.approx(min(losses), abs=1e-6)
    rec, note = best_epoch_outcome(restored, history)
    assert rec == history[restored - 1] and note.startswith(f"kept the weights of epoch {restored} of 30")


def _rare_class_features(n: int, rng):
    """``n`` made-up embeddings, 3% of them a rare class (1) that the first feature hints at."""
    import numpy as np

    y = (rng.random(n) < 0.03).astype(int)
    y[:3] = 1
    x = rng.normal(size=(n, 16)).astype(np.float32)
    x[:, 0] += y
    return x, y


def test_keep_best_reads_the_validation_loss_weighted_as_the_training_loss_is():
    """Balanced class weights on a 97/3 split: keep_best and early stopping read the unweighted validation loss,
    which the majority class dominates, so the epoch kept was the one best at 'ok' (epoch 16 here, against epoch 2
    by the loss the head trained on). They now read the validation loss weighted as the training loss is; the
    stored val_loss stays unweighted (comparable with other runs'), and the notes say which loss they read."""
    import numpy as np
    import torch

    from bertlab.engine import Callbacks, best_epoch_outcome, early_stop_note
    from bertlab.metrics import balanced_class_weights
    from bertlab.strategies.embedding_based import train_linear_head

    rng = np.random.default_rng(1)
    (x, y), (xv, yv) = _rare_class_features(400, rng), _rare_class_features(200, rng)
    w = balanced_class_weights(list(y), 2)
    head, history, _, restored = train_linear_head(x, y, xv, yv, 2, epochs=30, lr=0.1, batch_size=32,
                                                   weight_decay=0.0, seed=0, callbacks=Callbacks(),
                                                   label_names=["ok", "abusive"], keep_best=True, class_weight=w)
    weighted, plain = [h["weighted_val_loss"] for h in history], [h["val_loss"] for h in history]
    assert restored == 1 + int(np.argmin(weighted)) != 1 + int(np.argmin(plain))  # the two choices differ here
    with torch.no_grad():
        lv, yt = head(torch.from_numpy(xv)), torch.from_numpy(yv).long()
        assert float(torch.nn.functional.cross_entropy(lv, yt, weight=torch.tensor(w))) == pytest.approx(min(weighted))
        assert float(torch.nn.functional.cross_entropy(lv, yt)) == pytest.approx(plain[restored - 1])
    rec, note = best_epoch_outcome(restored, history)
    assert note.startswith(f"kept the weights of epoch {restored} of 30, the lowest class-weighted validation loss "
                           f"({min(weighted):.3f}; the last epoch's was {weighted[-1]:.3f})"), note
    stopped = early_stop_note(history[:5], 30, 2)
    assert stopped.startswith("stopped early after epoch 5 of 30: the class-weighted validation loss had not"), stopped
    # without class weights, as before: the plain loss, named so
    _, unweighted, _, kept = train_linear_head(x, y, xv, yv, 2, epochs=30, lr=0.1, batch_size=32, weight_decay=0.0,
                                               seed=0, callbacks=Callbacks(), label_names=["ok", "abusive"],
                                               keep_best=True)
    assert "weighted_val_loss" not in unweighted[0] and kept == 1 + int(np.argmin([h["val_loss"] for h in unweighted]))
    assert best_epoch_outcome(kept, unweighted)[1].startswith(f"kept the weights of epoch {kept} of 30, the lowest "
                                                              "validation loss (")


def test_evaluate_gives_the_validation_loss_weighted_as_the_training_loss_where_it_is():
    """train_classifier's keep_best and early stopping read evaluate's weighted_loss where it trains with class
    weights: torch's weighted cross-entropy (each text's loss times its class's weight, over those weights' sum)."""
    import torch
    from torch import nn

    from bertlab.engine import Encoded, evaluate

    torch.manual_seed(0)
    model = _first_token_toy(2)
    enc = Encoded([[1], [2], [3], [4], [5], [6]])
    labels = [0, 0, 0, 0, 0, 1]
    with torch.no_grad():
        logits = model.emb(torch.tensor([1, 2, 3, 4, 5, 6]))
    w = [0.6, 3.0]
    m = evaluate(model, enc, labels, ["ok", "rare"], 4, torch.device("cpu"), None, 0, class_weight=w)
    y = torch.tensor(labels)
    assert m["weighted_loss"] == pytest.approx(float(nn.functional.cross_entropy(logits, y, weight=torch.tensor(w))))
    assert m["loss"] == pytest.approx(float(nn.functional.cross_entropy(logits, y)))
    assert "weighted_loss" not in evaluate(model, enc, labels, ["ok", "rare"], 4, torch.device("cpu"), None, 0)


def test_fine_tuning_with_class_weights_keeps_the_epoch_of_lowest_weighted_validation_loss():
    """train_classifier (full_ft, partial_ft, lora, dapt, scratch) reads the weighted validation loss as
    train_linear_head does."""
    import numpy as np
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from bertlab.engine import Callbacks, Encoded, train_classifier

    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(
        vocab_size=120, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, num_labels=2))
    rng = np.random.default_rng(0)
    ids = [[101, *rng.integers(5, 60, 6).tolist(), 102] for _ in range(40)]
    labels = [int(i % 10 == 0) for i in range(40)]
    stats = train_classifier(model, Encoded(ids), labels, Encoded(ids[:20]), labels[:20], ["ok", "rare"], epochs=4,
                             batch_size=8, lr=1e-2, weight_decay=0.0, warmup_ratio=0.0, grad_clip=1.0, seed=0,
                             device=torch.device("cpu"), dtype=None, pad_id=0, callbacks=Callbacks(),
                             keep_best=True, class_weight=[0.55, 5.0])
    weighted = [h["weighted_val_loss"] for h in stats.history]
    assert weighted != [h["val_loss"] for h in stats.history]
    best = 1 + int(np.argmin(weighted))
    assert stats.restored_epoch == (None if best == 4 else best)


def test_keep_best_names_overfitting_only_where_the_losses_show_it():
    """A review: "later epochs overfit" for a validation loss of 0.589 against 0.596 on 150 texts, a teacher's
    sentence on a gap the validation texts' luck makes. The note states the fact; overfitting only where the
    validation loss rose clearly (OVERFIT_RISE) while the training loss fell."""
    from bertlab.engine import OVERFIT_RISE, best_epoch_outcome

    def hist(val, train):
        return [{"epoch": i + 1, "val_loss": v, "train_loss": t} for i, (v, t) in enumerate(zip(val, train))]

    _, note = best_epoch_outcome(2, hist([0.62, 0.589, 0.596], [0.7, 0.6, 0.5]))
    assert note == ("kept the weights of epoch 2 of 3, the lowest validation loss (0.589; the last epoch's was "
                    "0.596): later epochs did not lower it")
    assert "overfit" not in note
    _, note = best_epoch_outcome(1, hist([0.40, 0.45, 0.52], [0.5, 0.3, 0.2]))
    assert 0.52 / 0.40 - 1 >= OVERFIT_RISE  # the premise
    assert note.endswith("later epochs did not lower it, and they overfit: the validation loss rose by 30% while "
                         "the training loss fell (0.500 to 0.200)")
    # both losses rising (a learning rate too high), or no training loss kept: no overfitting said
    for train in ([0.5, 0.6, 0.9], [None, None, None]):
        _, note = best_epoch_outcome(1, hist([0.40, 0.45, 0.52], train))
        assert note.endswith("later epochs did not lower it")


def test_a_validation_loss_risen_by_exactly_the_threshold_is_named_overfitting():
    from bertlab.engine import OVERFIT_RISE, best_epoch_outcome

    hist = [{"epoch": 1, "val_loss": 0.625, "train_loss": 0.5}, {"epoch": 2, "val_loss": 0.6875, "train_loss": 0.25}]
    assert (0.6875 - 0.625) / 0.625 == OVERFIT_RISE  # the premise: a rise of exactly a tenth, in floats too
    _, note = best_epoch_outcome(1, hist)
    assert note.endswith("and they overfit: the validation loss rose by 10% while the training loss fell (0.500 to "
                         "0.250)")


def test_the_weighted_loss_of_no_texts_is_none_not_nan():
    """keep_best would compare a nan (mutants16: dropping the no-texts check passed every test)."""
    import torch

    from bertlab.engine import weighted_loss

    assert weighted_loss(torch.zeros((0, 2)), torch.zeros(0, dtype=torch.long), [1.0, 3.0]) is None
    assert weighted_loss(torch.zeros((2, 2)), torch.tensor([0, 1]), None) is None
    assert weighted_loss(torch.zeros((2, 2)), torch.tensor([0, 1]), [1.0, 3.0]) == pytest.approx(0.6931, abs=1e-4)


def test_overfitting_under_class_weights_is_read_and_named_on_the_weighted_validation_loss():
    """With class weights, keep_best reads the class-weighted validation loss: overfitting is measured on it and
    named so, here while the plain one fell (mutants16: the sentence saying 'the validation loss rose by 50%' of a
    loss that fell passed every test)."""
    from bertlab.engine import best_epoch_outcome

    hist = [{"epoch": 1, "val_loss": 0.5, "weighted_val_loss": 0.4, "train_loss": 0.6},
            {"epoch": 2, "val_loss": 0.45, "weighted_val_loss": 0.6, "train_loss": 0.3}]
    _, note = best_epoch_outcome(1, hist)
    assert note.endswith("the lowest class-weighted validation loss (0.400; the last epoch's was 0.600): later "
                         "epochs did not lower it, and they overfit: the class-weighted validation loss rose by 50% "
                         "while the training loss fell (0.600 to 0.300)"), note


def test_training_loops_keep_each_epochs_training_loss_beside_its_validation_record():
    import numpy as np

    from bertlab.engine import Callbacks
    from bertlab.strategies.embedding_based import train_linear_head

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 8)).astype(np.float32), rng.integers(0, 2, 32)
    _, history, _, _ = train_linear_head(x, y, x, y, 2, epochs=2, lr=0.1, batch_size=16, weight_decay=0.0, seed=0,
                                         callbacks=Callbacks(), label_names=["a", "b"])
    assert all(h["train_loss"] > 0 for h in history) and len(history) == 2


def test_head_only_stops_early_once_patience_runs_out_and_keeps_its_best_epoch():
    import numpy as np

    from bertlab.engine import Callbacks, early_stop_note
    from bertlab.strategies.embedding_based import train_linear_head

    rng = np.random.default_rng(0)
    x, xv = rng.normal(size=(64, 16)).astype(np.float32), rng.normal(size=(32, 16)).astype(np.float32)
    y, yv = rng.integers(0, 2, 64), rng.integers(0, 2, 32)  # noise: the validation loss soon stops falling
    kw = {"lr": 0.1, "batch_size": 16, "weight_decay": 0.0, "seed": 0, "callbacks": Callbacks(), "label_names": ["a", "b"]}
    _, full, _, _ = train_linear_head(x, y, xv, yv, 2, epochs=30, **kw)
    losses = [h["val_loss"] for h in full]
    best = 1 + int(np.argmin(losses[:4]))  # the best within the first epochs...
    assert min(losses[best:best + 3]) >= losses[best - 1]  # ...then three epochs without a lower loss
    _, history, _, restored = train_linear_head(x, y, xv, yv, 2, epochs=30, keep_best=True, patience=3, **kw)
    assert len(history) == best + 3 < 30  # stopped as soon as patience ran out
    assert [h["val_loss"] for h in history] == pytest.approx(losses[: best + 3])  # the same epochs until then
    assert restored == best
    assert early_stop_note(history, 30, 3) == (f"stopped early after epoch {best + 3} of 30: the validation loss had "
                                               "not improved for 3 epochs (patience 3)")
    assert early_stop_note(full, 30, 3) is None  # ran every epoch


def test_full_ft_patience_reaches_the_run_and_its_notes(tiny_model, tiny_data):
    store = RunStore()
    cfg = make_config("full_ft", model=tiny_model, data=tiny_data, epochs=8, learning_rate=3e-2, patience=1)
    rid = store.create_run(cfg)
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    losses = [p["value"] for p in sorted(store.points([rid], ("val_loss",)), key=lambda p: p["x"])]
    # it stops at the first epoch that does not beat the best so far, or runs all 8 if each one did
    worse = next((i for i in range(1, len(losses)) if losses[i] >= min(losses[:i])), None)
    assert len(losses) == (8 if worse is None else worse + 1)
    assert any(n.startswith("stopped early after epoch") for n in run.notes) == (len(losses) < 8)


def test_max_length_beyond_the_model_fails_a_tokenizing_run_but_not_tfidf(tiny_model, tiny_data):
    store = RunStore()
    runs = {s: store.create_run(make_config(s, model=tiny_model, data=tiny_data, max_length=256))
            for s in ("tfidf_logreg", "zero_shot")}  # the tiny model has 128 positions
    assert execute_run(store, runs["tfidf_logreg"]) == SUCCEEDED
    assert execute_run(store, runs["zero_shot"]) == "failed"
    assert "beyond the model's 128 positions" in store.get(runs["zero_shot"]).error


def test_full_ft_keep_best_saves_and_reports_the_epoch_of_lowest_validation_loss(tiny_model, tiny_data):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from bertlab.data import load_splits
    from bertlab.engine import encode, evaluate

    store = RunStore()
    # A learning rate this high makes the validation loss zigzag, so an earlier epoch can be the best one.
    cfg = make_config("full_ft", model=tiny_model, data=tiny_data, epochs=6, learning_rate=3e-2, keep_best=True)
    rid = store.create_run(cfg)
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    losses = [p["value"] for p in sorted(store.points([rid], ("val_loss",)), key=lambda p: p["x"])]
    assert len(losses) == 6
    best = min(losses)
    assert run.metrics["val_loss"] == pytest.approx(best)
    restored = 1 + losses.index(best)
    assert run.metrics["kept_epoch"] == restored
    kept = [n for n in run.notes if n.startswith("kept the weights of epoch")]
    assert kept == ([] if restored == 6 else [kept[0]])
    assert restored == 6 or kept[0].startswith(f"kept the weights of epoch {restored} of 6")
    # The saved model is the kept epoch's: its validation loss is the lowest one, not the last one.
    from bertlab import models

    splits = load_splits(cfg.data)
    model = AutoModelForSequenceClassification.from_pretrained(run.artifact_dir)
    tok = AutoTokenizer.from_pretrained(run.artifact_dir)
    m = evaluate(model, encode(tok, splits.val.texts, cfg.max_length), splits.val.labels, splits.label_names, 16,
                 torch.device("cpu"), models.autocast_dtype(cfg.precision, models.pick_device("cpu")), tok.pad_token_id)
    assert m["loss"] == pytest.approx(best, rel=1e-4, abs=1e-5)


def test_a_run_kept_by_the_class_weighted_loss_says_so_in_its_metrics(tiny_model, tiny_data):
    """keep_best with balanced class weights reads the class-weighted validation loss: the run's metrics say which
    loss kept its epoch (kept_by), for the chart's ring beside the unweighted val_loss it draws."""
    store = RunStore()
    ids = [store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, epochs=3, keep_best=True,
                                        class_weights=w)) for w in ("balanced", "none")]
    for rid in ids:
        assert execute_run(store, rid) == SUCCEEDED
    weighted, plain = (store.get(i).metrics for i in ids)
    assert weighted["kept_by"] == "class-weighted validation loss" and "kept_epoch" in weighted
    assert plain["kept_by"] == "validation loss"


def test_a_run_that_keeps_its_last_epoch_marks_no_kept_epoch(tiny_model, tiny_data):
    """Without keep_best the last epoch's weights are kept, and no epoch is ringed as 'weights kept (lowest validation
    loss)' (a mutation recording the last epoch as kept whatever keep_best said passed its tests)."""
    store = RunStore()
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=2, keep_best=False))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    assert "val_loss" in run.metrics and "kept_epoch" not in run.metrics


def test_calibration_bins_and_expected_calibration_error():
    import numpy as np

    from bertlab.metrics import calibration, classification_report

    # 10 texts said at 0.9 (9 right), 5 at 0.6 (all right): ECE = 10/15 * 0 + 5/15 * 0.4
    probs = np.array([[0.9, 0.1]] * 10 + [[0.6, 0.4]] * 5)
    y = [0] * 9 + [1] + [0] * 5
    c = calibration(y, probs)
    assert c["ece"] == pytest.approx(5 / 15 * 0.4)
    assert c["calibration"] == [{"confidence": pytest.approx(0.6), "accuracy": 1.0, "count": 5},
                                {"confidence": pytest.approx(0.9), "accuracy": 0.9, "count": 10}]
    assert c["mean_confidence"] == pytest.approx((9 + 3) / 15)
    # a three-class model always certain and always right: calibrated
    sure = np.eye(3)[[0, 1, 2, 1]]
    assert calibration([0, 1, 2, 1], sure)["ece"] == 0.0
    rep = classification_report([0, 1, 2, 1], [0, 1, 2, 1], ["a", "b", "c"], probs=sure)
    assert rep["ece"] == 0.0 and "ece" not in classification_report([0, 1], [0, 1], ["a", "b"])


def test_on_a_few_test_texts_compare_says_what_ece_a_calibrated_model_would_show_by_luck():
    """A review (16 texts of rotten_tomatoes, 3 test texts): Compare named the largest ECE, 0.3 or so, as if it
    measured the model; a model right exactly as often as it says reads about that on 3 texts by luck alone."""
    import numpy as np

    from bertlab.metrics import calibration, chance_ece, chance_ece_sentence

    rng = np.random.default_rng(0)
    for n, lo, hi in ((16, 0.12, 0.26), (1000, 0.01, 0.03)):  # measured: about 0.17 and 0.022
        conf = rng.uniform(0.5, 1, n)
        bins = calibration((rng.uniform(size=n) < conf).astype(int), np.stack([1 - conf, conf], 1))["calibration"]
        assert lo < chance_ece(bins) < hi
    # a certain model has no luck to show; no bins, nothing to say
    assert chance_ece([{"confidence": 1.0, "accuracy": 1.0, "count": 5}]) == 0.0 and chance_ece([]) is None
    few = {"calibration": [{"confidence": 0.7, "accuracy": 1.0, "count": 2}, {"confidence": 0.9, "accuracy": 0.0,
                                                                               "count": 1}]}
    said = chance_ece_sentence(few)
    assert said.startswith(" On 3 test texts a run right exactly as often as it says would still show an ECE of "
                           "about 0.") and said.endswith("an ECE near that is no evidence of miscalibration.")
    many = {"calibration": [{"confidence": 0.95, "accuracy": 0.95, "count": 2000}]}
    assert chance_ece_sentence(many) == "" and chance_ece_sentence({}) == ""


def test_a_few_texts_cut_read_as_a_share_not_zero_percent(tiny_model):
    from bertlab.runner import truncation_note

    note = truncation_note(tiny_model, [], 10, lengths=[5] * 199 + [50])
    assert note.startswith("1 of 200 training texts (0.5%) are longer than max_length 10")


def test_a_text_of_exactly_max_length_tokens_is_not_counted_as_cut(tiny_model):
    """A text of max_length tokens fits whole (a mutation counting it as cut passed its tests)."""
    from bertlab.runner import truncation_note

    assert truncation_note(tiny_model, [], 10, lengths=[10, 10, 4]) is None
    assert truncation_note(tiny_model, [], 10, lengths=[10, 11, 4]).startswith("1 of 3 training texts (33%)")


def test_only_strategies_that_train_in_batches_get_the_batch_size_note(tiny_model, tiny_data):
    store = RunStore()
    notes = {}
    for strategy in ("tfidf_logreg", "head_only"):
        rid = store.create_run(make_config(strategy, model=tiny_model, data=tiny_data, batch_size=4096))
        assert execute_run(store, rid) == SUCCEEDED
        notes[strategy] = [n for n in store.get(rid).notes if n.startswith("batch_size 4096 is larger")]
    assert notes["tfidf_logreg"] == [] and len(notes["head_only"]) == 1


GERMAN = ["Der Kopfhörer ist sein Geld nicht wert, totaler Schrott.", "Ich habe den Wasserkocher für mein Büro gekauft.",
          "Die Lieferung war schnell und die Verpackung einwandfrei.", "Leider funktioniert die Fernbedienung überhaupt nicht.",
          "Hervorragende Tonqualität, ich bin begeistert von diesem Lautsprecher."]
CHINESE = ["耳机质量很好，物超所值。", "快递很慢，包装也破了。", "这个水壶用起来很方便。", "屏幕太暗了，不推荐购买。", "客服态度一般。"]
ENGLISH = ["The headphones are worth every penny.", "Delivery was slow and the box was damaged.",
           "This kettle is easy to use.", "The screen is too dark; I would not buy it again.", "Customer service was fine."]


def test_a_language_the_model_does_not_know_is_said_in_the_runs_notes_and_before_launch(tiny_model, tmp_path):
    """The default model is English: Chinese is mostly [UNK] to it and German words fall into many pieces. Runs said
    nothing (zero_shot scored 15% on German beside a 35% majority class); now their notes and the Train page do."""
    import pandas as pd
    from test_pages_sweep import app_on, no_problems

    from bertlab.config import DataConfig
    from bertlab.runner import vocabulary_note

    assert vocabulary_note(tiny_model, ENGLISH) is None
    german = vocabulary_note(tiny_model, GERMAN)
    assert german is not None and " cuts these texts' words into " in german and "multilingual" in german
    chinese = vocabulary_note(tiny_model, CHINESE)
    assert chinese is not None and " of these texts' tokens are unknown to " in chinese
    # a model that reads Chinese character by character (bert-base-chinese, mBERT) is not "cutting words": one
    # piece per character, each character a word
    from bertlab.engine import vocabulary_fit

    class ByCharacter:
        unk_token_id = 100

        def __call__(self, texts, **kw):
            return {"input_ids": [[7] * sum(not c.isspace() and c not in "，。" for c in t) for t in texts]}

    assert vocabulary_fit(ByCharacter(), CHINESE) == (0.0, 1.0)
    path = tmp_path / "zh.csv"
    pd.DataFrame({"text": [f"{t}{i}" for i in range(8) for t in CHINESE],
                  "label": ["pos", "neg", "pos", "neg", "pos"] * 8}).to_csv(path, index=False)
    data = DataConfig(source="file", name=str(path))
    store = RunStore()
    rid = store.create_run(make_config("head_only", model=tiny_model, data=data, epochs=1))
    assert execute_run(store, rid) == SUCCEEDED
    assert any(" of these texts' tokens are unknown to " in n for n in store.get(rid).notes)
    at = app_on("app_pages/train.py", {"keep_data_config": data.__dict__})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["head_only"]).run()
    no_problems(at)
    assert any(" of these texts' tokens are unknown to " in w.value for w in at.warning)
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()  # reads no tokens: nothing to say
    assert not any("unknown to" in w.value for w in at.warning)


EMOJI = ["😍😍 🎉", "👍 💔 wow", "🙈 🚀", "😡 👎", "❤️ 🔥 🔥"]


def test_unknown_emoji_are_named_as_emoji_not_as_a_script_and_tfidf_reads_them(tiny_model, tmp_path):
    """Texts mostly emoji were blamed on "a script such as Chinese or Japanese", with a language's advice, in the
    runs' notes and before launch on the Train page. Now the note counts which unknown pieces are emoji and says
    what to do about them; Chinese keeps its note; tfidf_logreg knows an emoji-only text whose emoji it trained on."""
    import pandas as pd
    from test_pages_sweep import app_on, no_problems

    from bertlab.config import DataConfig
    from bertlab.runner import vocabulary_note
    from bertlab.strategies.tfidf_logreg import TfidfModel

    note = vocabulary_note(tiny_model, EMOJI)
    assert note is not None and " of these texts' tokens are unknown to " in note
    assert "100% of the unknown pieces are emoji" in note and "demojize" in note and "Chinese" not in note
    chinese = vocabulary_note(tiny_model, CHINESE)
    assert "such as Chinese or Japanese" in chinese and "emoji" not in chinese
    path = tmp_path / "emoji.csv"
    pd.DataFrame({"text": [f"{t} {i}" for i in range(8) for t in EMOJI],
                  "label": ["pos", "pos", "pos", "neg", "pos"] * 8}).to_csv(path, index=False)
    at = app_on("app_pages/train.py", {"keep_data_config": DataConfig(source="file", name=str(path)).__dict__})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["head_only"]).run()
    no_problems(at)
    warned = [w.value for w in at.warning if " of these texts' tokens are unknown to " in w.value]
    assert warned and "are emoji" in warned[0] and "Chinese" not in warned[0]
    model, _ = TfidfModel.fit(["😍 nice", "💔 sad", "😍 good", "💔 bad"], [1, 0, 1, 0], C=10.0, ngram_max=2,
                              max_features=None, seed=0)
    proba, known = model.predict_proba_known(["😍😍", "💔", "🎉"])
    assert known.tolist() == [True, True, False] and proba[:2].argmax(1).tolist() == [1, 0]


THAI = ["อาหารอร่อยมาก", "บริการดีเยี่ยม", "ชอบมากที่สุด", "อาหารไม่อร่อย", "บริการแย่มาก", "ไม่ชอบเลย"]


def test_texts_or_class_descriptions_that_are_one_input_to_the_model_are_said_not_blamed_on_epochs(tiny_model,
                                                                                                  tmp_path):
    """Thai, written without spaces, is '[UNK]' in every text to an English model: head_only answered one class and
    was told to try more epochs or a higher learning rate. Chinese class names are both '[UNK]': zero_shot answered
    one class and was told to write a sentence per class. Both now say the true cause, in the run's note and
    before launch on the Train page."""
    import pandas as pd
    from test_pages_sweep import app_on, no_problems

    from bertlab.config import DataConfig
    from bertlab.runner import descriptions_note, same_inputs_note

    path = tmp_path / "th.csv"
    pd.DataFrame({"text": [f"{t}ครั้งที่{i}" for i in range(10) for t in THAI],
                  "label": ["pos", "pos", "pos", "neg", "neg", "neg"] * 10}).to_csv(path, index=False)
    data = DataConfig(source="file", name=str(path))
    assert same_inputs_note(tiny_model, [f"{t}ครั้งที่{i}" for i in range(10) for t in THAI]).startswith(
        "all 60 of these texts are the same input to ")
    assert same_inputs_note(tiny_model, ENGLISH) is None
    store = RunStore()
    rid = store.create_run(make_config("head_only", model=tiny_model, data=data, epochs=1))
    assert execute_run(store, rid) == SUCCEEDED
    one = next(n for n in store.get(rid).notes if n.startswith("predicted "))
    assert "are the same input to " in one and "more epochs" not in one.split("are the same input")[0]
    assert "try more epochs" not in one and "higher learning rate" not in one
    at = app_on("app_pages/train.py", {"keep_data_config": data.__dict__})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["head_only"]).run()
    no_problems(at)
    assert any("are the same input to " in w.value for w in at.warning)

    assert descriptions_note(tiny_model, ["sport news", "technology news"], ["a", "b"]) is None
    zh = descriptions_note(tiny_model, ["体育", "科技"], ["体育", "科技"])
    assert "mostly unknown tokens" in zh and "'体育' and '科技'" in zh
    path = tmp_path / "zh.csv"
    pd.DataFrame({"text": [f"{t} {i}" for i in range(20) for t in ENGLISH[:4]],
                  "label": ["体育", "科技"] * 40}).to_csv(path, index=False)
    data = DataConfig(source="file", name=str(path))
    rid = store.create_run(make_config("zero_shot", model=tiny_model, data=data))
    assert execute_run(store, rid) == SUCCEEDED
    one = next(n for n in store.get(rid).notes if n.startswith("predicted "))
    assert "mostly unknown tokens" in one and "write for each class a sentence" not in one
    at = app_on("app_pages/train.py", {"keep_data_config": data.__dict__})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["zero_shot"]).run()
    no_problems(at)
    assert any("cannot tell those classes apart" in w.value for w in at.warning)


def test_scratch_with_a_new_vocabulary_is_not_told_its_texts_are_one_input_nor_a_blank_description_unknown(
        tiny_model, tmp_path):
    """A diff review: with scratch alone and New vocabulary ticked, the Train page said Thai texts were all one input
    to the model and advised another model, while scratch reads them with its own WordPiece vocabulary (the run's
    note rightly skips it); and a blank zero_shot description was called 'mostly unknown tokens ([UNK])'."""
    import pandas as pd
    from test_pages_sweep import app_on, no_problems

    from bertlab.config import DataConfig
    from bertlab.runner import descriptions_note

    path = tmp_path / "th.csv"
    pd.DataFrame({"text": [f"{t}ครั้งที่{i}" for i in range(10) for t in THAI],
                  "label": ["pos", "pos", "pos", "neg", "neg", "neg"] * 10}).to_csv(path, index=False)
    data = DataConfig(source="file", name=str(path))
    at = app_on("app_pages/train.py", {"keep_data_config": data.__dict__})
    at.text_input(key="keep_model").set_value(tiny_model).run()
    at.multiselect(key="keep_strategies").set_value(["scratch"]).run()
    at.checkbox(key="keep_hp_scratch_new_vocab").check().run()
    no_problems(at)
    assert not any("are the same input to " in w.value or "[UNK]" in w.value for w in at.warning)
    at.checkbox(key="keep_hp_scratch_new_vocab").uncheck().run()  # the model's own vocabulary: said again
    assert any("are the same input to " in w.value for w in at.warning)

    assert descriptions_note(tiny_model, ["sport news", " "], ["a", "b"]) is None
    assert "['体育']" in descriptions_note(tiny_model, ["sport news", "", "体育"], ["a", "b", "c"])


def test_pieces_per_word_counts_devanagari_words_whole():
    """Words were runs of \\w, which has no combining marks: Hindi was cut at every vowel sign and virama, so its
    words were counted too many and its pieces per word too low (1.51 reported, 2.32 measured)."""
    from bertlab.engine import _WORD, vocabulary_fit

    assert _WORD.findall("भारत ने क्रिकेट मैच जीता") == ["भारत", "ने", "क्रिकेट", "मैच", "जीता"]
    assert _WORD.findall("film中文 a café, x\u0301y") == ["film", "中", "文", "a", "café", "x\u0301y"]

    class Pieces:  # two pieces per word, whatever the script
        unk_token_id = 100

        def __call__(self, texts, **kw):
            return {"input_ids": [[7] * (2 * len(t.split())) for t in texts]}

    assert vocabulary_fit(Pieces(), ["भारत ने क्रिकेट मैच जीता", "The film was good"]) == (0.0, 2.0)


AMHARIC = ["ስልኩ በጣም ጥሩ ነው።", "መላኪያው ዘግይቷል፣ ሳጥኑም ተበላሽቷል።", "ይህ ማንቆርቆሪያ ለመጠቀም ቀላል ነው።",
           "ማያ ገጹ በጣም ጨለማ ነው፣ አልመክረውም።", "የደንበኞች አገልግሎት ጥሩ ነበር።"]


def test_a_script_the_default_model_never_saw_is_warned_about_not_refused(tmp_path):
    """Amharic on the packaged English model is every token [UNK]: it was refused as a folder with no tokenizer
    ("Save the model's own tokenizer into its folder"), the CLI refused head_only with tfidf_logreg, and the Train
    page showed that error instead of the warning that names the cause. Now it is the unknown-script warning."""
    import pandas as pd
    from test_pages_sweep import app_on, no_problems

    from bertlab.cli import check_tokenizer
    from bertlab.config import DataConfig
    from bertlab.models import DEFAULT_MODEL, check_tokenizer_reads, load_tokenizer

    tok = load_tokenizer(DEFAULT_MODEL)
    assert {i for x in tok(AMHARIC, add_special_tokens=False)["input_ids"] for i in x} == {tok.unk_token_id}
    check_tokenizer_reads(DEFAULT_MODEL, AMHARIC * 20)
    check_tokenizer(DEFAULT_MODEL, ["head_only", "tfidf_logreg"], AMHARIC * 20)
    path = tmp_path / "am.csv"
    pd.DataFrame({"text": [f"{t}{i}" for i in range(8) for t in AMHARIC],
                  "label": ["pos", "neg", "pos", "neg", "pos"] * 8}).to_csv(path, index=False)
    at = app_on("app_pages/train.py", {"keep_data_config": DataConfig(source="file", name=str(path)).__dict__})
    at.text_input(key="keep_model").set_value(DEFAULT_MODEL).run()
    at.multiselect(key="keep_strategies").set_value(["head_only", "tfidf_logreg"]).run()
    no_problems(at)
    assert not any("reads none of the words" in e.value for e in at.error)
    assert any(" of these texts' tokens are unknown to " in w.value for w in at.warning)
    assert not next(b for b in at.button if b.label.startswith("Launch")).disabled


def test_a_fine_tuning_run_of_a_few_optimizer_steps_says_its_score_means_little(tiny_model, tiny_data):
    """28 training texts at batch 16 for 3 epochs are 6 steps: full_ft scored at the majority class and nothing
    said why. A run that plans under 20 steps says so, and how many epochs would give it 20."""
    from bertlab.strategies.classifier import few_steps_note

    assert few_steps_note(28, 16, 3) == (
        "only 6 optimizer steps (28 training texts at batch size 16, 3 epochs): too few for the weights to move far, "
        "so this score says little about the strategy. 10 epochs, or a smaller batch size, give it 20 or more.")
    assert few_steps_note(2000, 32, 1) is None and few_steps_note(640, 32, 1) is None
    store = RunStore()
    few = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, batch_size=32,
                                       max_length=16))
    enough = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=3, batch_size=4,
                                          max_length=16))
    for rid in (few, enough):
        assert execute_run(store, rid) == SUCCEEDED
    assert any(n.startswith("only ") and "optimizer step" in n for n in store.get(few).notes)
    # its few-steps note only: a tiny model that answered one class anyway is told "it learned nothing in N
    # optimizer steps" by the one-class advice, which is not this note (seen in a fresh-clone CI)
    assert not any(n.startswith("only ") and "optimizer step" in n for n in store.get(enough).notes)


def test_cut_texts_are_counted_in_every_part_the_run_reads_in_one_number_format(tiny_model):
    """A review: head_only said '210 of 210 training texts ... were cut' (its validation and test texts were cut
    too, unsaid) and 'median 1136 tokens, longest 1,139' wrote its two numbers two ways."""
    from bertlab.runner import truncation_note

    long, short = "word " * 40, "hi"
    note = truncation_note(tiny_model, [], 10, lengths=[1136] * 5 + [1139],
                           more={"validation": [long, short], "test": [long, short]})
    assert note.startswith("6 of 6 training texts (100%) are longer than max_length 10 tokens and were cut to it, "
                           "as were 1 of 2 validation and 1 of 2 test texts (median 1,136 tokens, longest 1,139); ")
    # a part with nothing cut is not named; nothing cut anywhere: no note
    assert ", as were 1 of 2 test texts (" in truncation_note(tiny_model, [], 10, lengths=[50, 5],
                                                               more={"validation": [short], "test": [long, short]})
    assert truncation_note(tiny_model, [], 10, lengths=[5], more={"validation": [short], "test": [short]}) is None


def test_a_training_run_counts_its_cut_validation_and_test_texts_too(tiny_model, tiny_data):
    from bertlab.data import load_splits

    splits = load_splits(tiny_data)
    test = classification_report([0, 1], [0, 1], splits.label_names)
    cfg = make_config("head_only", model=tiny_model, data=tiny_data, max_length=8)
    cut = [n for n in outcome_notes(cfg, get_strategy("head_only"), splits, test) if "were cut" in n]
    sizes = splits.sizes()
    assert len(cut) == 1 and cut[0].startswith(
        f"{sizes['train']:,} of {sizes['train']:,} training texts (100%) are longer than max_length 8 tokens and were "
        f"cut to it, as were {sizes['validation']:,} of {sizes['validation']:,} validation and {sizes['test']:,} of "
        f"{sizes['test']:,} test texts (median ")


def _copy_model(tiny_model: str, dest, tokenizer: bool = True):
    """A copy of the tiny model's folder: its weights and config, and its tokenizer where asked."""
    import shutil
    from pathlib import Path

    dest.mkdir()
    for f in Path(tiny_model).iterdir():
        if f.name in ("config.json", "model.safetensors") or tokenizer:
            shutil.copy(f, dest / f.name)
    return dest


def test_a_model_folder_without_a_tokenizer_is_refused_before_any_run_is_stored(tiny_model, tiny_csv, tmp_path,
                                                                              capsys):
    """A save_pretrained() of the model alone (config.json + model.safetensors) was accepted: transformers 5 built
    an empty tokenizer, every word [UNK], and every strategy "succeeded" with only the unknown-script warning."""
    from bertlab.cli import main
    from bertlab.errors import ModelError
    from bertlab.models import resolve

    d = str(_copy_model(tiny_model, tmp_path / "no-tokenizer", tokenizer=False))
    with pytest.raises(ModelError) as e:
        resolve(d)
    assert "has no tokenizer files (none of tokenizer.json, vocab.txt, vocab.json + merges.txt" in str(e.value)
    assert f".save_pretrained({d!r})" in str(e.value)
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "--model", d,
                 "--max-length", "32"]) == 2
    assert "has no tokenizer files" in capsys.readouterr().err
    assert RunStore().list_runs() == []


def test_scratch_with_its_own_new_vocabulary_takes_a_model_folder_without_a_tokenizer(tiny_model, tiny_csv, tmp_path,
                                                                                      capsys):
    """A review: the folder was refused for every strategy, also for scratch training a new WordPiece vocabulary
    on the training texts, which reads only the folder's config. Any strategy that reads the folder's tokenizer
    (scratch without --new-vocab too) is refused as before."""
    from bertlab.cli import main

    d = str(_copy_model(tiny_model, tmp_path / "no-tokenizer", tokenizer=False))
    common = ["run", "--dataset", str(tiny_csv), "--model", d, "--max-length", "32", "--epochs", "1"]
    for refused in (["--strategies", "scratch"], ["--strategies", "scratch", "head_only", "--new-vocab"]):
        assert main([*common, *refused]) == 2
        assert "has no tokenizer files" in capsys.readouterr().err
    assert RunStore().list_runs() == []
    assert main([*common, "--strategies", "scratch", "--new-vocab"]) == 0
    (run,) = RunStore().list_runs()
    assert run.status == SUCCEEDED and any("new WordPiece vocabulary" in n for n in run.notes), (run.error, run.notes)
    capsys.readouterr()
    assert main(["predict", run.id, "a wonderful film"]) == 0  # it answers with the vocabulary it trained


def test_the_train_page_takes_a_folder_without_a_tokenizer_for_scratch_with_a_new_vocabulary(tiny_model, tiny_data,
                                                                                            tmp_path, bertlab_home):
    """The Train page refused a model folder without tokenizer files as it was typed, before the strategies were
    picked, where `run --strategies scratch --new-vocab` takes it: now Launch waits only while a strategy chosen
    reads the tokenizer, and the page says which, and that scratch with a new vocabulary would not."""
    from dataclasses import asdict

    from test_app_pages import wait_done
    from test_pages_sweep import app_on, no_problems

    d = str(_copy_model(tiny_model, tmp_path / "no-tokenizer", tokenizer=False))
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["scratch", "head_only"]).run()
    at.text_input(key="keep_model").set_value(d).run()
    assert not at.exception
    (said,) = [e.value.replace("\\", "") for e in at.error]
    assert "has no tokenizer files" in said and "scratch, head_only read it." in said
    assert "scratch with a new vocabulary (*New vocabulary* in its panel below) would not" in at.error[0].value
    launch = lambda: next(b for b in at.button if b.label.startswith("Launch"))  # noqa: E731
    assert launch().disabled
    at.checkbox(key="keep_hp_scratch_new_vocab").check().run()
    (said,) = [e.value.replace("\\", "") for e in at.error]
    assert "head_only reads it." in said  # scratch no longer does
    assert launch().disabled
    at.multiselect(key="keep_strategies").set_value(["scratch"]).run()
    no_problems(at)
    assert not launch().disabled
    at.checkbox(key="keep_hp_scratch_new_vocab").uncheck().run()  # its own vocabulary again: the tokenizer is read
    assert any("scratch reads it." in e.value for e in at.error) and launch().disabled
    at.checkbox(key="keep_hp_scratch_new_vocab").check().run()
    at.number_input(key="keep_hp_scratch_epochs").set_value(1).run()
    at.number_input(key="keep_hp_scratch_max_length").set_value(32).run()
    launch().click().run()
    no_problems(at)
    (run,) = wait_done(bertlab_home)  # and it trains, as the CLI's run does
    assert run.status == SUCCEEDED and any("new WordPiece vocabulary" in n for n in run.notes), (run.error, run.notes)


def test_a_tokenizer_that_reads_no_word_is_refused_before_launch(tiny_model, tiny_data, tiny_csv, tmp_path,
                                                                 capsys):
    """A vocabulary of special tokens alone: every text became [CLS] [UNK]... [SEP] and every run "succeeded" with
    no word said; now the CLI refuses it before storing a run, and the Train page names it and keeps Launch off,
    the strategies still chosen. A model that knows some of the words (Chinese in an English model) only warns."""
    from dataclasses import asdict

    from test_pages_sweep import app_on, no_problems

    from bertlab.cli import main

    d = _copy_model(tiny_model, tmp_path / "specials-only", tokenizer=False)
    (d / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
    expected = f"the tokenizer of {str(d)!r} reads none of the words of "
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "full_ft", "--model", str(d),
                 "--max-length", "32"]) == 2
    assert expected in capsys.readouterr().err
    assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "head_only", "--model", str(d),
                 "--sizes", "20", "--max-length", "32"]) == 2
    assert expected in capsys.readouterr().err
    assert RunStore().list_runs() == []
    from bertlab.models import check_tokenizer_reads

    check_tokenizer_reads(tiny_model, CHINESE)  # mostly [UNK], some characters known: a warning's case, not this
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.multiselect(key="keep_strategies").set_value(["head_only", "tfidf_logreg"]).run()
    at.text_input(key="keep_model").set_value(str(d)).run()
    assert not at.exception
    assert any(expected in e.value.replace("\\", "") for e in at.error)
    assert at.multiselect(key="keep_strategies").value == ["head_only", "tfidf_logreg"]
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled
    at.multiselect(key="keep_strategies").set_value(["tfidf_logreg"]).run()  # reads no tokens: launches
    no_problems(at)
    assert not next(b for b in at.button if b.label.startswith("Launch")).disabled


@pytest.mark.parametrize("strategy", ["full_ft", "lora", "partial_ft", "dapt"])
def test_a_one_class_runs_note_gives_the_advice_compares_answer_gives(tiny_model, tiny_data, monkeypatch, strategy):
    """Review: for the strategies trained over optimizer steps the note said "try more epochs, a higher learning rate
    or more data" while Compare's answer, reading the run's steps, said "it learned nothing in 32 optimizer steps;
    train it longer ...": the note now passes the same steps and training texts, so both read the same."""
    from bertlab import answer, metrics, runner

    only = lambda *a, **k: "pos"  # noqa: E731  (a run that answered one class: the tiny model may not)
    monkeypatch.setattr(runner, "single_class_prediction", only)
    monkeypatch.setattr(metrics, "run_single_class", only)
    store = RunStore()
    rid = store.create_run(make_config(strategy, model=tiny_model, data=tiny_data, epochs=1))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    note = next(n for n in run.notes if n.startswith("predicted 'pos' for every test example"))
    said = answer.one_class_sentence(run, strategy)
    assert said.startswith(f"{strategy} answered 'pos' to every text: it learned nothing in ")
    assert note.split("); ", 1)[1] + "." == said.split(": ", 1)[1]
    assert f"{run.costs['steps']:,} optimizer step" in note and "try more epochs" not in note


def test_texts_cut_at_the_models_own_limit_get_remedies_not_a_larger_max_length(tiny_model):
    """A long-document review: BBC articles at max_length 512 on MiniLM (its limit) were told 'a larger max length
    keeps more of each text', which the form and the CLI then refuse; there the note names what does help."""
    from bertlab.runner import truncation_note

    at_limit = truncation_note(tiny_model, [], 128, lengths=[100, 400, 900])  # the tiny model reads 128 positions
    assert "a larger max length keeps more" not in at_limit
    assert "128 is all this model reads" in at_limit and "head+tail truncation" in at_limit
    assert "chunks" in at_limit and "tfidf_logreg reads every text whole" in at_limit
    below = truncation_note(tiny_model, [], 64, lengths=[100, 400, 900])
    assert below.endswith("a larger max length keeps more of each text at more cost per step (this model reads at "
                          "most 128 tokens: 2 of these 3 texts would still be cut there)")
    assert truncation_note(tiny_model, [], 64, lengths=[100, 120]).endswith("none would be cut there)")


def test_a_new_vocabulary_run_counts_its_cut_texts_and_mean_tokens_in_its_own_tokens(tiny_model, tiny_data):
    """scratch with a new WordPiece vocabulary read its texts in its own tokens, but its mean_tokens was counted with
    the pretrained tokenizer and it had no truncation note at all (`not cfg.new_vocab`), as had every strategy of
    `run --new-vocab` (which sets new_vocab on each config: head_only at 128 tokens on bbc_news said nothing)."""
    from transformers import AutoTokenizer

    from bertlab.engine import untruncated_lengths
    from bertlab.estimate import truncated_mean

    store = RunStore()
    rid = store.create_run(make_config("scratch", model=tiny_model, data=tiny_data, max_length=8, epochs=1,
                                       new_vocab=True, vocab_size=500))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    own = AutoTokenizer.from_pretrained(run.artifact_dir)  # the vocabulary it trained
    assert len(own) < 1000  # not the pretrained one's ~30,000
    from bertlab.data import load_splits

    sp = load_splits(tiny_data)
    lengths = untruncated_lengths(own, sp.train.texts)
    every = sorted(lengths + untruncated_lengths(own, sp.val.texts) + untruncated_lengths(own, sp.test.texts))
    assert run.data_summary["mean_tokens"] == pytest.approx(truncated_mean(lengths, 8))
    notes = [n for n in run.notes if "longer than max_length 8 tokens" in n]
    assert len(notes) == 1, run.notes
    assert f"(median {every[len(every) // 2]:,} tokens, longest {every[-1]:,})" in notes[0]
    # a strategy reading the model's tokenizer under a new_vocab config (as `run --new-vocab` makes them) says so too
    splits = sp
    test = classification_report([0, 1], [0, 1], splits.label_names)
    cfg = make_config("head_only", model=tiny_model, data=tiny_data, max_length=8, new_vocab=True)
    assert any("longer than max_length 8 tokens" in n for n in outcome_notes(cfg, get_strategy("head_only"), splits,
                                                                               test))


def test_the_truncation_record_keeps_the_median_its_note_says():
    """Mutation round 5: truncation_record taking the lower median of an even count (the note says the upper,
    every[len // 2]) passed test_outcomes and test_answer, whose texts' two middle lengths were equal: Compare's
    answer would have said another median than the run's note."""
    from bertlab.runner import truncation_record

    rec = truncation_record("training", 0.75, 2, [1, 3, 5, 7], 512)
    assert rec == {"part": "training", "share": 0.75, "max_length": 2, "median_tokens": 5, "longest_tokens": 7,
                   "model_limit": 512}


def test_the_truncation_record_is_of_every_text_counted_as_its_note_is(tiny_model):
    """Mutation round 5: truncation_record given the first part's lengths alone (the training texts', not the
    validation and test texts' too) passed test_outcomes and test_answer: the median Compare's answer reads would
    not have been the one the run's note says."""
    from bertlab.runner import truncation_note

    record: dict = {}
    note = truncation_note(tiny_model, ["word " * 40, "word " * 3], 16,
                           more={"test": ["word " * 30, "word " * 35, "word " * 36]}, record=record)
    assert f"(median {record['median_tokens']:,} tokens, longest {record['longest_tokens']:,})" in note, (note, record)
    assert record["median_tokens"] < record["longest_tokens"]


def test_a_cut_texts_note_says_its_token_counts_are_of_texts_clipped_on_loading(tiny_model, tmp_path):
    """Consultation responses of 1,500-8,000 words, clipped to 10,000 characters on loading: head_only's note said
    '(median 1,647 tokens, longest 1,720)', the clipped texts' counts, read as the data's (its longest was
    9,008 tokens). The note says what the counts are of where the data's texts were clipped, and not otherwise."""
    import pandas as pd

    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    rows = [(f"{w} paper number {'one two three four five six'.split()[i]} " + "policy words " * 1000, w)
            for w in ("housing", "transport") for i in range(6)]
    rows += [(f"a short note on {w} and {x}", w) for w in ("housing", "transport") for x in "abcdef"]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    splits = load_splits(DataConfig(source="file", name=str(path), train_size=None, val_size=None, test_size=None))
    assert any(n.startswith("clipped 12 texts longer than 10,000 characters") for n in splits.notes)  # the premise
    cfg = make_config("head_only", model=tiny_model, data=DataConfig(source="file", name=str(path)), max_length=16)
    test = classification_report([0, 1, 1, 0], [0, 1, 1, 0], splits.label_names)
    note = next(n for n in outcome_notes(cfg, get_strategy("head_only"), splits, test) if "max_length 16" in n)
    assert ", counted in the first 10,000 characters the longer texts were clipped to on loading); " in note
    zs = make_config("zero_shot", model=tiny_model, data=DataConfig(source="file", name=str(path)), max_length=16)
    note = next(n for n in outcome_notes(zs, get_strategy("zero_shot"), splits, test) if "max_length 16" in n)
    assert ", counted in the first 10,000 characters the longer texts were clipped to on loading); " in note  # its test texts
    splits.notes = [n for n in splits.notes if not n.startswith("clipped ")]  # nothing clipped: as before
    note = next(n for n in outcome_notes(cfg, get_strategy("head_only"), splits, test) if "max_length 16" in n)
    assert "clipped" not in note
