"""Property tests of the comparison's answer (bertlab.answer) on generated result sets (hypothesis).

Whatever the runs (2 to 5 strategies at 1 to 3 seeds, 2 to 6 classes, 12 to 400 test texts, costs from nothing to
petaFLOPs, a run that kept no FLOPs or no seconds), the answer's text holds to what a reader checks it against:

1. the pick is one of the finished runs, and a run it recommends beats always answering the majority class;
2. every percentage it quotes with a decimal is one the table beside it shows (a run's accuracy, the majority
   class's, over seeds a strategy's mean), or the 95% interval it names for the best run on few test texts;
3. no count reads in the plural for one ("1 runs", "1 seeds"), no gap reads "0.0 points", no number is nan
   or inf, no interval runs past 100 points, no run that kept no training seconds reads "0.0 s", and "takes less
   training" is never said of the slower run, no duration reads "180.0 min" nor a ratio "1/25,000 million";
4. beside runs that kept no training FLOPs, no run is "the cheapest to train" of all of them, and none of those is
   named among the costlier to train; "the cheapest to train" is never said beside a run "About as cheap".
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bertlab import answer, paired
from bertlab.metrics import classification_report, run_accuracy_interval

SETTINGS = settings(max_examples=60, phases=[Phase.explicit, Phase.reuse, Phase.generate], deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
                    derandomize=True)
STRATEGIES = ("zero_shot", "tfidf_logreg", "head_only", "lora", "partial_ft", "full_ft")
COSTS = st.one_of(st.none(), st.just(0.0), st.sampled_from([1.2e5, 1.5e6, 2.5e11, 1e13, 1.1e13, 3e15]))
SECONDS = st.one_of(st.none(), st.sampled_from([0.0, 0.4, 2.0, 10.0, 200.0, 3 * 3600.0]))


@st.composite
def result_sets(draw):
    n = draw(st.integers(12, 400))
    k = draw(st.integers(2, 6))
    labels = [draw(st.integers(0, k - 1)) if i >= k else i for i in range(n)]  # every class at least once
    strategies = draw(st.lists(st.sampled_from(STRATEGIES), min_size=2, max_size=5, unique=True))
    seeds = draw(st.sampled_from([1, 1, 2, 3]))  # several: the answer over seeds (zero_shot, tfidf_logreg run once)
    runs = []
    for s in strategies:
        right = draw(st.floats(0.0, 1.0))
        flops, seconds = draw(COSTS), draw(SECONDS)
        for seed in range(1 if s in ("zero_shot", "tfidf_logreg") else seeds):
            rng = draw(st.randoms(use_true_random=False))
            preds = [y if rng.random() < right else rng.randrange(k) for y in labels]
            runs.append((s, preds, flops, seconds, seed))
    return labels, runs


def make_runs(where: Path, labels: list[int], runs: list[tuple]) -> list:
    out = []
    k = max(labels) + 1
    names = [f"c{c}" for c in range(k)]
    majority = max(labels.count(y) for y in set(labels)) / len(labels)
    for i, (strategy, preds, flops, seconds, seed) in enumerate(runs):
        d = where / f"run{i}"
        paired.save_predictions(d, preds, labels, "fp0")
        rep = classification_report(labels, preds, names)
        costs = {key: v for key, v in (("train_flops", flops), ("train_seconds", seconds)) if v is not None}
        out.append(SimpleNamespace(
            id=f"20261201-000000-{i:06d}", strategy=strategy, status="succeeded", model="minilm",
            dataset="rotten_tomatoes", artifact_dir=str(d), error=None, notes=[], cancel_requested=False,
            metrics={"test_accuracy": sum(p == y for p, y in zip(preds, labels)) / len(labels),
                     "test_macro_f1": rep["macro_f1"], "majority_accuracy": majority, "per_class": rep["per_class"],
                     "confusion": rep["confusion"], "label_names": names},
            costs=costs, config={"seed": seed, "data": {"seed": 0}}, created=float(i),
            data_summary={"sizes": {"train": 500}}))
    return out


@SETTINGS
@given(case=result_sets())
def test_the_answer_quotes_only_the_tables_figures_and_reads_as_it_should(case):
    labels, spec = case
    with tempfile.TemporaryDirectory() as tmp:
        runs = make_runs(Path(tmp), labels, spec)
        a = answer.answer(runs)
        assert a is not None  # two strategies or more, one test set: always an answer
        text = a.text()
        assert a.pick in runs and a.best in runs
        if a.recommends:
            data = paired.load_predictions(a.pick)
            p = answer._majority_p(a.pick, data, answer.JUDGES[answer.default_metric(runs)])
            assert p is not None and p < answer.ALPHA or any(
                answer._majority_p(r, paired.load_predictions(r), answer.JUDGES[answer.default_metric(runs)])
                < answer.ALPHA and answer.JUDGES[answer.default_metric(runs)].of(r) <=
                answer.JUDGES[answer.default_metric(runs)].of(a.pick) for r in runs)
        shown = {answer._pct(r.metrics["test_accuracy"]) for r in runs}
        shown.add(answer._pct(runs[0].metrics["majority_accuracy"]))
        for s_ in {r.strategy for r in runs}:  # over seeds: each strategy's mean, as the table of means shows it
            accs = [r.metrics["test_accuracy"] for r in runs if r.strategy == s_]
            shown.add(answer._pct(sum(accs) / len(accs)))
        ci = run_accuracy_interval(a.best.metrics, len(labels))
        if ci:
            shown |= {answer._pct(ci[0]), answer._pct(ci[1])}
        quoted = set(re.findall(r"(?<![\d.])\d+\.\d%", text))
        assert quoted <= shown, (quoted - shown, text)
        assert not re.search(r"(?<![\d.])1 (runs|seeds|pairs|settings|test texts|classes|training examples|points)\b",
                             text), text
        assert not re.search(r"(?<![\d.])0\.0 points|only 0 ", text), text
        assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE), text
        # no interval past what a gap can be (100 points), no "0.0 s" for a run that kept no seconds
        assert all(abs(float(x)) <= 100 for x in re.findall(r"([-+]\d+\.\d) (?:to [-+][\d.]+ )?points", text)), text
        unit = {"s": 1, "min": 60, "h": 3600}
        for cheap, dear in re.findall(r"takes less training \(([\d.]+ (?:s|min|h)) of training instead of "
                                      r"([\d.]+ (?:s|min|h))", text):  # "less" said of the faster by the clock
            assert [float(x.split()[0]) * unit[x.split()[1]] for x in (cheap, dear)] == sorted(
                float(x.split()[0]) * unit[x.split()[1]] for x in (cheap, dear)), text
        # durations and ratios in the words a reader uses: no "180.0 min", no "1/25,000 million"
        assert not re.search(r"(?<![\d.])(?:\d{3,}|9\d)\.\d min\b|\d,\d{3} million", text), text
        if re.search(r"(?<![\d.])0\.0 s\b", text):
            assert any(r.costs.get("train_seconds") == 0.0 for r in runs), text
        # beside a run that kept no training FLOPs, and one that did, "the cheapest to train" is said only of the
        # runs that kept theirs (one run each and over seeds alike), and no sentence of costlier runs names it
        if {"train_flops" in r.costs for r in runs} == {True, False}:
            assert not re.search(r"the cheapest to train(?! of the)", text), text
        # "the cheapest to train" never beside a run "About as cheap to train" (or "as costly") as it
        if re.search(r"the cheapest to train(?! of the)", text):
            assert not re.search(r"About as (cheap|costly) to train", text), text
        if a.over_seeds:  # named by strategy throughout, as its headline names them: not one seed's run's label
            assert " · " not in text, text
        # (two runs that kept none are weighed by their seconds: one of them may be the costlier)
        best_kept = all("train_flops" in r.costs for r in runs if r.strategy == a.best.strategy)
        for said in re.findall(r"Costlier to train[^:]*: (.*?)\.(?: |$)", text) if best_kept else []:
            assert not any(re.search(rf"(?:^|, ){r.strategy} \(", said) for r in runs
                           if "train_flops" not in r.costs), text
