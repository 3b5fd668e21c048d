"""Classification metrics: accuracy, macro-F1, per-class precision/recall, confusion."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np

# A class with fewer test texts moves its recall by 5 points or more a text: the per-class tables (Compare's, run's)
# say so under them.
FEW_PER_CLASS_TEXTS = 20


def points_range(lo: float, hi: float) -> str:
    """'6 points' or '6 to 17 points' (what one text moves a class's recall by, for its most and fewest texts)."""
    return f"{lo:.0f} points" if round(lo) == round(hi) else f"{lo:.0f} to {hi:.0f} points"


def few_texts_sentence(support: dict, shown: Callable[[str], str] = repr, listed: int = 6) -> str | None:
    """"Few test texts of 'neg' (12), 'pos' (12): one text more or less moves these by 8 points.", said under a
    per-class table (Compare's, run's) of the classes of ``support`` (test texts by class) with under
    :data:`FEW_PER_CLASS_TEXTS` and some; None where there are none. Each is named (``shown``: a class as the caller
    writes it, Compare's in Markdown) where they are ``listed`` or fewer, else they are summed up ("(all 60 classes
    have 2 test texts)"): 60 classes of 2 each were listed in a block of 60 names."""
    rare = {n: int(k) for n, k in support.items() if 0 < k < FEW_PER_CLASS_TEXTS}
    if not rare:
        return None
    if len(rare) <= listed:
        which = "of " + ", ".join(f"{shown(n)} ({k:,})" for n, k in rare.items())
    else:
        counts = sorted(set(rare.values()))
        who = f"all {len(support):,} classes" if len(rare) == len(support) else f"{len(rare):,} classes"
        if len(counts) == 1:
            which = (f"({who} have {counts[0]:,} test text{'s' * (counts[0] != 1)}"
                     f"{'' if who.startswith('all') else ' each'})")
        else:
            fewest = sorted(rare.items(), key=lambda kv: kv[1])[:3]
            which = (f"({who} have {counts[0]:,} to {counts[-1]:,} each; the fewest: "
                     + ", ".join(f"{shown(n)} ({k:,})" for n, k in fewest) + ")")
    return (f"Few test texts {which}: one text more or less moves {'this' if len(rare) == 1 else 'these'} by "
            f"{points_range(100 / max(rare.values()), 100 / min(rare.values()))}.")


def classification_report(y_true: list[int] | np.ndarray, y_pred: list[int] | np.ndarray,
                          label_names: list[str], probs: np.ndarray | None = None) -> dict:
    """All final metrics for one split.

    Returns:
        dict with accuracy, macro_f1, per_class {name: {precision, recall, f1, support}},
        confusion (rows = true, cols = predicted), majority_accuracy and
        accuracy_ci95 (the 95% Wilson interval of the accuracy) and predictions (the predicted class
        of each example, in order: what a paired comparison of two runs needs, bertlab.paired); given ``probs``,
        calibration (:func:`calibration`) and probabilities (``probs`` as an array, for the stored predictions).
    """
    yt = np.asarray(y_true, dtype=int)
    yp = np.asarray(y_pred, dtype=int)
    k = len(label_names)
    conf = np.zeros((k, k), dtype=int)
    np.add.at(conf, (yt, yp), 1)
    tp = np.diag(conf).astype(float)
    pred_n = conf.sum(0).astype(float)
    true_n = conf.sum(1).astype(float)
    prec = np.divide(tp, pred_n, out=np.zeros(k), where=pred_n > 0)
    rec = np.divide(tp, true_n, out=np.zeros(k), where=true_n > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(k), where=(prec + rec) > 0)
    present = true_n > 0
    n = len(yt)
    return {
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "accuracy_ci95": list(wilson_interval(int(tp.sum()), n)),
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {
            name: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                   "support": int(true_n[i])}
            for i, name in enumerate(label_names)
        },
        "confusion": conf.tolist(),
        "majority_accuracy": (Counter(yt.tolist()).most_common(1)[0][1] / n) if n else 0.0,
        "predictions": yp.tolist(),
        **(calibration(yt, probs) if probs is not None and len(yt) else {}),
        **({"probabilities": np.asarray(probs, dtype=float)} if probs is not None and len(yt) else {}),
    }


# What the score columns mean, in the words Compare and the report both use beside them: a reader who knows no ML
# met "macro-F1" and "ECE" as bare column headers (the report never said what macro-F1 is; ECE only two sections on).
MACRO_F1_WORDS = ("macro-F1: each class's F1 (from 0 to 1, high where the run finds that class's texts and its answers "
                  "of that class are right) averaged with every class counting the same, so a run that misses a small "
                  "class scores low here even where its accuracy is high")
ECE_WORDS = ("ECE: the expected calibration error, the mean gap between how sure a run says it is and how often it is "
             "right (0: right exactly as often as it says)")
CALIBRATION_BINS = 10


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores (logits, or scaled similarities)."""
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def calibration(y_true, probs: np.ndarray, bins: int = CALIBRATION_BINS) -> dict:
    """How far a model's confidence (its top class probability) is from how often it is right.

    ``ece``: expected calibration error (Guo et al. 2017): the texts are put in ``bins`` equal-width bins of
    confidence, and the gaps between each bin's mean confidence and its accuracy are averaged, weighted by the
    bin's share of texts. 0 = a model right 80% of the time when it says 80%. ``calibration``: the bins that hold
    texts (mean confidence, accuracy, count), for a reliability diagram.
    """
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probs, dtype=np.float64)
    conf = p.max(1)
    right = p.argmax(1) == y
    # bin b holds confidences in (b/bins, (b+1)/bins]; a confidence of exactly 0 goes to the first bin
    which = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        m = which == b
        k = int(m.sum())
        if not k:
            continue
        c, a = float(conf[m].mean()), float(right[m].mean())
        ece += k / len(y) * abs(c - a)
        rows.append({"confidence": c, "accuracy": a, "count": k})
    return {"ece": ece, "calibration": rows, "mean_confidence": float(conf.mean())}


def chance_ece(bins: list[dict], draws: int = 400, seed: int = 0) -> float | None:
    """The ECE a model right exactly as often as it says would still show on these reliability ``bins`` (their
    confidences and counts, as :func:`calibration` stores them) by the luck of the test texts alone: the mean over
    ``draws`` of the ECE when each bin's right answers are drawn Binomial(count, confidence). A perfectly
    calibrated model scores about 0.3 on 3 texts and 0.17 on 16 (confidences even in 0.5-1): on a small test set
    an ECE under this is no sign of miscalibration. None without bins."""
    counts = np.array([int(b.get("count") or 0) for b in bins or []])
    conf = np.array([float(b.get("confidence") or 0) for b in bins or []])
    n = counts.sum()
    if not n:
        return None
    rng = np.random.default_rng(seed)
    right = rng.binomial(counts, np.clip(conf, 0.0, 1.0), size=(draws, len(counts)))
    return float((np.abs(right / np.maximum(counts, 1) - conf) * counts / n).sum(1).mean())


CHANCE_ECE_SAID = 0.03  # the ECE a calibrated model shows by luck from which the caption says it (about 500 texts)


def chance_ece_sentence(m: dict) -> str:
    """' On 16 test texts a run right exactly as often as it says would still show an ECE of about 0.190 ...': on a
    small test set ECE is mostly the luck of a few texts per band (on 3 texts a perfectly calibrated model reads
    about 0.3), and the caption named the largest as if it measured the model; '' where that luck is small."""
    chance = chance_ece(m.get("calibration") or [])
    if chance is None or chance < CHANCE_ECE_SAID:
        return ""
    n = sum(int(b.get("count") or 0) for b in m["calibration"])
    return (f" On {n:,} test texts a run right exactly as often as it says would still show an ECE of about "
            f"{chance:.3f} by the luck of the texts alone (at these confidences): an ECE near that is no evidence "
            "of miscalibration.")


def wilson_interval(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of an accuracy of ``correct`` out of ``n`` (sampling noise of the test set).

    Two runs whose intervals overlap widely may differ by chance alone: with a
    few hundred test examples a few points of accuracy are within noise.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = correct / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, centre - half), min(1.0, centre + half))


def run_accuracy_interval(metrics: dict, n_test: int | None) -> tuple[float, float] | None:
    """A run's stored 95% accuracy interval, or one computed from its accuracy and test size (older runs)."""
    ci = metrics.get("test_accuracy_ci95")
    if ci:
        return (float(ci[0]), float(ci[1]))
    acc = metrics.get("test_accuracy")
    if acc is None or not n_test:
        return None
    return wilson_interval(round(acc * n_test), n_test)


def precision_text(stored: str | None) -> str | None:
    """A run's stored precision ("fp32", or the autocast dtype "bfloat16" / "float16") by the names the
    ``precision`` setting takes: fp32, bf16, fp16."""
    return {"bfloat16": "bf16", "float16": "fp16"}.get(stored, stored) if stored else None


def signed(value: float, decimals: int) -> str:
    """'+0.012', '-1.5': a gap or difference with its sign, rounded first so that a tiny negative (or a negative
    zero, e.g. a gap negated) prints as '+0.000', not '-0.000', a sign the digits shown do not bear out."""
    return f"{round(float(value), decimals) + 0.0:+.{decimals}f}"


def whole_percent(percent: float) -> str:
    """A percentage (0-100) as a whole one, a half rounded up: '63%' for 62.5 (10 of 16 texts), as Compare's table
    shows it (its "%.0f%%" formats in JavaScript, whose toFixed rounds a half up). Python's format and round take a
    half to the even neighbour ('62%'): the report and `run`'s per-class recall call this one, so all three agree."""
    return f"{math.floor(percent + 0.5)}%"


def probability_percent(p: float, decimals: int = 0) -> str:
    """A probability (0-1) as a percentage with ``decimals`` decimals, and more where those would round it to 100%
    or 0% while it is not exactly that: '99.6%' for 0.996, never '100%' beside a bar that says 99.6% (a review: a
    Playground card "100% confident"). Beyond two more decimals it reads '>99.99%' (or '<0.01%')."""
    p = float(p)
    for d in range(decimals, decimals + 3):
        s = f"{p:.{d}%}"
        if p in (0.0, 1.0) or float(s[:-1]) not in (0.0, 100.0):
            return s
    limit = 10.0 ** -(decimals + 2)  # the smallest step of the last decimals tried, in percent
    return f">{100 - limit:.{decimals + 2}f}%" if p > 0.5 else f"<{limit:.{decimals + 2}f}%"


def format_interval(ci: tuple[float, float] | None) -> str | None:
    """'76.7-90.7%' (None stays None)."""
    return None if ci is None else f"{100 * ci[0]:.1f}-{100 * ci[1]:.1f}%"


def single_class_prediction(confusion: list[list[int]], label_names: list[str]) -> str | None:
    """The one class a model predicted for every example, if it did so (it learned nothing), else None."""
    used = [j for j in range(len(label_names)) if any(row[j] for row in confusion)]
    return label_names[used[0]] if len(used) == 1 and len(label_names) > 1 else None


def run_single_class(metrics: dict | None) -> str | None:
    """:func:`single_class_prediction` of a stored run's metrics (its test confusion matrix and class names): the
    one class it answered to every test text, else None (also for a run that recorded no confusion matrix)."""
    m = metrics or {}
    return single_class_prediction(m.get("confusion") or [], m.get("label_names") or [])


def class_count(metrics: dict) -> int | None:
    """How many classes a run's test set holds (those with test texts), from its per-class counts; None where it
    recorded none."""
    per_class = (metrics or {}).get("per_class") or {}
    return sum(1 for v in per_class.values() if isinstance(v, dict) and v.get("support")) or None


def rarest_class(metrics: dict) -> tuple[str, int, int] | None:
    """(class, its test texts, all test texts) of the rarest class a run's test set holds, from its per-class
    counts; None where it recorded none."""
    per_class = (metrics or {}).get("per_class") or {}
    support = {n: int(v.get("support") or 0) for n, v in per_class.items()
               if isinstance(v, dict) and v.get("support")}  # a class absent from the test set is not rare in it
    if not support:
        return None
    name = min(support, key=support.get)
    return name, support[name], sum(support.values())


def majority_macro_f1(metrics: dict) -> float | None:
    """The macro-F1 of always answering the majority class on a run's test set, from its per-class counts: F1
    2m / (m + n) on its class (m of the n texts), 0 on the others, averaged over the classes present (as
    :func:`classification_report` averages); None where the run recorded no counts."""
    per_class = (metrics or {}).get("per_class") or {}
    present = [int(v.get("support") or 0) for v in per_class.values() if isinstance(v, dict)]
    present = [k for k in present if k]
    if not present:
        return None
    m, n = max(present), sum(present)
    return 2 * m / (m + n) / len(present)


def never_predicted(confusion: list[list[int]], label_names: list[str]) -> list[tuple[str, int]]:
    """(class, its test texts) for each class that has test texts but that the model never answered: accuracy can
    hide a rare class a model ignores altogether."""
    return [(name, sum(confusion[i])) for i, name in enumerate(label_names)
            if i < len(confusion) and sum(confusion[i]) > 0 and not any(row[i] for row in confusion)]


# A class a run never answered has no precision: 0 right of 0 answers is undefined. classification_report stores 0
# there (as scikit-learn's zero_division=0), which read as "always wrong"; the per-class precision tables (Compare's,
# `run`'s, the report's) give no figure and say this. Macro-F1 is left as it is: such a class, where it has test
# texts, has recall 0 and so F1 0, which macro-F1 counts (a class with no test text is left out of it).
NEVER_ANSWERED_NOTE = ("Where a run never answered a class, its precision there is undefined (0 right of 0 answers), "
                       "not 0%: no figure is given.")


def shown_precision(metrics: dict, name: str) -> float | None:
    """A class's stored precision, or None where the run never answered it (its column of the confusion matrix is
    all 0): see :data:`NEVER_ANSWERED_NOTE`. Runs stored without a confusion matrix give their stored figure."""
    v = ((metrics.get("per_class") or {}).get(name) or {}).get("precision")
    names, confusion = metrics.get("label_names") or [], metrics.get("confusion") or []
    if v is None or name not in names or not confusion:
        return v
    i = names.index(name)
    return None if not any(row[i] for row in confusion if i < len(row)) else v


def never_answered_any(runs, names) -> bool:
    """Whether some of ``runs`` (their metrics) never answered one of ``names``: a precision table then says
    :data:`NEVER_ANSWERED_NOTE`."""
    return any(shown_precision(m, n) is None and ((m.get("per_class") or {}).get(n) or {}).get("precision") is not None
               for m in runs for n in names)


def accuracy(y_true, y_pred) -> float:
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    return float((yt == yp).mean()) if len(yt) else 0.0


def balanced_class_weights(labels, n_classes: int) -> list[float]:
    """Each class's loss weight so that every class weighs as much as the others in training: n / (k x its
    count), k the classes present (scikit-learn's ``class_weight="balanced"``); 0 for a class absent from
    ``labels``. All 1 on balanced labels."""
    counts = [0] * n_classes
    for y in labels:
        counts[int(y)] += 1
    present = sum(1 for c in counts if c)
    n = sum(counts)
    return [n / (present * c) if c else 0.0 for c in counts]
