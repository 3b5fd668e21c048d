"""How each run trades precision for recall on one class: its precision-recall curve over the class's probability,
its average precision (the area under that curve), the point its answers (argmax) sit at, and what precision it
gets at a recall one asks for (or the reverse), read off the curve. From each run's stored test probabilities
(:func:`bertlab.paired.load_predictions`; kept up to :data:`bertlab.paired.MAX_STORED_CLASSES` classes). A reading
off the test curve names a threshold fitted to the texts it is scored on (optimistic); :func:`operating_point`
chooses the threshold on the run's validation probabilities instead (:func:`bertlab.paired.load_val_predictions`)
and reads the test precision and recall at it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bertlab import paired

# Why a run has no curve, said where the curves are drawn.
NO_PROBABILITIES = ("it kept no class probabilities (runs of more than "
                    f"{paired.MAX_STORED_CLASSES} classes keep only each answer's confidence, and older runs none)")
NO_SUCH_CLASS = "its test set holds no text of this class"
# Where the report, `run`'s output and the Python API read each curve: 90% recall (and precision), Compare's default
READ_AT = 0.9
# The recalls (and precisions) a curve is read at: Compare's list, the report's 90%. A curve of more than
# MAX_POINTS points is thinned to that many for drawing (its readings at these kept exact, from every point, and
# the points they read, and the run's first answer, kept among those drawn):
# on 25,000 test texts a curve held ~10,000 points, and eight runs' made a 6.6 MB figure, hashed and redrawn on
# each rerun of Compare.
TARGETS = (0.5, 0.8, 0.9, 0.95, 0.99)
MAX_POINTS = 800
# A dataclass field's metadata key: the field is no part of what a figure draws (app_pages.common.figure's key
# leaves it out)
UNKEYED = "unkeyed"


@dataclass
class Curve:
    """One run's precision-recall curve for one class. ``recall`` rises and ``precision`` goes with it (the points
    where the curve changes: a run of points of equal recall is kept by its two ends, so the polyline, drawn as a
    step that rises before it moves right, is the full curve's); ``threshold``: the least probability of the class
    that answers it at each point (None at recall 0). ``ap``: average precision; ``at_answers``: (precision,
    recall) of the run's own answers (argmax) for the class, precision None where it never answered it."""
    run_id: str
    positives: int
    texts: int
    recall: list[float]
    precision: list[float]
    threshold: list[float | None]
    ap: float
    at_answers: tuple[float | None, float]
    # a thinned curve's readings at each of TARGETS, read from every point before thinning: {target: (precision at
    # that recall, recall at that precision)}; empty where the curve kept every point
    readings: dict = field(default_factory=dict)
    # (whether each text is of the class, its probability of it) on the test texts and on the run's validation texts
    # (None: a run stored before 2026-12-07 kept no validation probabilities), for :func:`operating_point`. Not
    # drawn, so left out of the Compare page's figure key (UNKEYED): a thinned curve's 800 points were the key, and
    # 25,000 test texts' scores each would be hashed again on every rerun.
    test_scores: tuple | None = field(default=None, repr=False, compare=False, metadata={UNKEYED: True})
    val_scores: tuple | None = field(default=None, repr=False, compare=False, metadata={UNKEYED: True})
    # why val_scores is None where the run kept a validation file: out of step with its validation split (OutOfStep)
    val_refused: str | None = field(default=None, compare=False, metadata={UNKEYED: True})


class OutOfStep(ValueError):
    """A run's stored predictions that do not match its test set: their probabilities and true labels differ in
    rows, or their labels in number from the texts its metrics were scored on (a file of another test set). Its
    message says why, in the words Compare, the report and `run` print after 'No curve for <run>: '."""


def scored_texts(run) -> int | None:
    """How many test texts a run's metrics were scored on (its classes' supports added up), None where unknown."""
    per_class = (getattr(run, "metrics", None) or {}).get("per_class") or {}
    got = [v.get("support") for v in per_class.values() if isinstance(v, dict)]
    return sum(got) if got and all(isinstance(n, int) for n in got) else None


def validation_texts(run) -> int | None:
    """How many validation texts a run was given (its data summary's), None where unknown."""
    n = ((getattr(run, "data_summary", None) or {}).get("sizes") or {}).get("validation")
    return n if isinstance(n, int) else None


def scores_for(d: dict, names: list[str], name: str, texts: int | None = None, split: str = "test",
               fingerprint: str | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(whether each test text is of class ``name``, its probability of it) from a run's stored predictions ``d``,
    or None where it kept no probabilities or has no such class. Raises :class:`OutOfStep` where its probabilities
    and its true labels differ in rows, or its labels are not ``texts`` (the run's test texts, where known): a curve
    of them would be wrong, quietly. ``split``: "validation" for the run's validation predictions (``texts`` then
    :func:`validation_texts`), as its messages say. ``fingerprint``: the split's as the run recorded it
    (``test_fingerprint``, ``val_fingerprint`` in its metrics), where known: a file of another split of as many
    texts (another split seed's) has another."""
    if not d or "probabilities" not in d or name not in names:
        return None
    i = names.index(name)
    probs = np.asarray(d["probabilities"], dtype=float)
    labels = len(d["labels"])
    stored = f"its stored {split} predictions are out of step"
    if probs.ndim != 2 or probs.shape[0] != labels:
        rows = probs.shape[0] if probs.ndim else 0
        raise OutOfStep(f"{stored} ({rows} rows of class probabilities for {labels} true labels)")
    if texts is not None and labels != texts:
        raise OutOfStep(f"{stored} with its {split} set ({labels} true labels for the {texts} {split} texts "
                        + ("its metrics were scored on)" if split == "test" else "it was given)"))
    if fingerprint and d.get("fingerprint") and d["fingerprint"] != fingerprint:
        raise OutOfStep(f"{stored} with its {split} set (they are of other {split} texts: fingerprint "
                        f"{d['fingerprint']}, its {split} set's {fingerprint})")
    if probs.shape[1] <= i:
        raise OutOfStep(f"{stored} ({probs.shape[1]} classes' probabilities for its {len(names)} classes)")
    return np.asarray(d["labels"], dtype=int) == i, probs[:, i]


def curve(run_id: str, y: np.ndarray, score: np.ndarray, predicted: np.ndarray,
          val: tuple | None = None) -> Curve | None:
    """The :class:`Curve` of binary truths ``y`` against ``score`` (``predicted``: whether the run answered the
    class, text by text), as scikit-learn computes it; None where the class has no test text (no recall).
    ``val``: the run's validation (truths, scores), whose thresholds at :data:`TARGETS` (:func:`operating_point`)
    a thinned curve keeps the points of."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    y = np.asarray(y, dtype=bool)
    if not y.any():
        return None
    precision, recall, thresholds = precision_recall_curve(y, score)
    # scikit-learn's order: recall falling, its last point (recall 0, precision 1) without a threshold
    p, r = precision[::-1].tolist(), recall[::-1].tolist()
    t = [None] + thresholds[::-1].tolist()
    keep = [k for k in range(len(r)) if k in (0, len(r) - 1) or r[k] != r[k - 1] or r[k] != r[k + 1]]
    predicted = np.asarray(predicted, dtype=bool)
    tp = int((predicted & y).sum())
    at = (tp / int(predicted.sum()) if predicted.any() else None, tp / int(y.sum()))
    c = Curve(run_id, int(y.sum()), len(y), [r[k] for k in keep], [p[k] for k in keep], [t[k] for k in keep],
              float(average_precision_score(y, score)), at)
    if len(keep) > MAX_POINTS:  # evenly spaced points, both ends kept; the readings from the whole curve
        readings = {x: (precision_at_recall(c, x), recall_at_precision(c, x)) for x in TARGETS}
        # and the points they read: the table's 'p ≥ 0.203' was on no point of the line drawn, whose hover said
        # 0.233 there (evenly spaced points alone skipped it), and the line passed below the precision read
        index = {t: k for k, t in enumerate(c.threshold)}
        read = {index[got[1]] for pair in readings.values() for got in pair if got is not None}
        # and the run's first answer: pr_figure starts its line at that point's precision, and a thinned curve's
        # second point was the next one kept instead (a weak run's line began at 30%, not at its first answer's 0%)
        read.add(1)
        # and the points the validation thresholds answer at (the tables' 'test precision, recall there'), else
        # the line drawn had none there and its hover named another threshold ('p ≥ 0.412' beside the table's 0.411)
        if val is not None:
            chosen = ({choose_threshold(val[0], val[1], x) for x in TARGETS}  # for a recall, and for a precision
                      | {choose_precision_threshold(val[0], val[1], x) for x in TARGETS}) - {None}
            ts = np.array([-np.inf if t is None else t for t in c.threshold])
            read |= {int(np.flatnonzero(ts >= t)[ts[ts >= t].argmin()]) for t in chosen if (ts >= t).any()}
        some = sorted(set(np.linspace(0, len(keep) - 1, MAX_POINTS - len(read)).round().astype(int).tolist()) | read)
        c = Curve(run_id, c.positives, c.texts, [c.recall[k] for k in some], [c.precision[k] for k in some],
                  [c.threshold[k] for k in some], c.ap, at, readings)
    return c


def precision_at_recall(c: Curve, target: float) -> tuple[float, float | None] | None:
    """(the best precision at a recall of ``target`` or more, the least probability that answers the class there),
    read off the curve; None where no threshold reaches that recall (never: the lowest finds every text). Where
    several points share that precision, the one of most recall (the least probability): it finds more texts as
    precisely."""
    if target in c.readings:
        return c.readings[target][0]
    best = None
    for p, r, t in zip(c.precision, c.recall, c.threshold):  # recall rising: a later point of equal precision wins
        if r >= target - 1e-12 and (best is None or p >= best[0]):
            best = (p, t)
    return best


def recall_at_precision(c: Curve, target: float) -> tuple[float, float | None] | None:
    """(the best recall at a precision of ``target`` or more, the least probability that answers the class there),
    None where no threshold that finds a text of the class is that precise."""
    if target in c.readings:
        return c.readings[target][1]
    best = None
    for p, r, t in zip(c.precision, c.recall, c.threshold):
        if r > 0 and p >= target - 1e-12 and (best is None or r > best[0]):
            best = (r, t)
    return best


# Fewer validation texts of the class than this (for a recall; for a precision, fewer validation texts answered at
# it): a threshold chosen on them is said unreliable (on 3 texts, 90% recall is the least probability of all 3, one
# text's luck; 2 answers both right are '100% precise').
MIN_VAL_POSITIVES = 5
# What a table says of a run with no validation probabilities, and what every reading off the test curve is.
NO_VAL_PROBABILITIES = "no validation probabilities (stored before 2026-12-07): threshold read on test texts: optimistic"
TEST_THRESHOLD_ONLY = "threshold read on test texts: optimistic"
# Where no run shown kept validation probabilities (all stored before 2026-12-07, the first Compare after an
# upgrade): the caption described at length a threshold no cell gave, 'the operating point to quote'.
NO_RUN_KEPT_VALIDATION = ("None of these runs kept its validation probabilities (each cell says why), so none has a "
                          "threshold chosen on texts it is not scored on; a run trained again keeps them.")
NO_VAL_CLASS_TEXTS = "none: its validation texts hold none of the class"  # and of one whose validation texts have none


def no_operating_point(c: Curve) -> str | None:
    """Why a curve has no validation probabilities to choose a threshold on (a run stored before they were kept, or
    its validation file out of step with its validation split), None where it has them."""
    if c.val_scores is not None:
        return None
    return f"{c.val_refused}: {TEST_THRESHOLD_ONLY}" if c.val_refused else NO_VAL_PROBABILITIES


def no_threshold_why(c: Curve, target: float, of: str = "recall") -> str | None:
    """Why :func:`operating_point` gives the curve none at ``target`` (:func:`no_operating_point`, its validation
    texts holding none of the class, or, ``of`` "precision", no threshold that precise on them), None where it gives
    one: the table's cell and the API's column."""
    if operating_point(c, target, of) is not None:
        return None
    if (why := no_operating_point(c)) is not None:
        return why
    if c.val_scores is None or not np.asarray(c.val_scores[0]).any():
        return NO_VAL_CLASS_TEXTS
    from bertlab.plots import whole_percent

    return f"none: no threshold is {whole_percent(100 * target)} precise on its validation texts"


@dataclass
class OperatingPoint:
    """A threshold chosen on the validation texts for a recall of ``target`` (``of`` "recall": the largest
    probability of the class at which the validation recall reaches it, :func:`choose_threshold`) or a precision
    (``of`` "precision": the smallest at which the validation precision reaches it,
    :func:`choose_precision_threshold`) and what it gets on the test texts, which it never saw: ``test_precision``
    (None where it answers no test text) and ``test_recall``. ``val_positives``: the validation texts of the class;
    ``val_answered``: those it answers (of any class). ``unreliable`` below :data:`MIN_VAL_POSITIVES` texts of the
    class (a recall) or texts answered (a precision: the share right of so few is luck)."""
    target: float
    threshold: float
    val_positives: int
    val_recall: float
    test_precision: float | None
    test_recall: float
    of: str = "recall"
    val_answered: int = 0

    @property
    def chosen_on(self) -> int:
        """The validation texts the choice rests on: of the class (a recall), answered (a precision)."""
        return self.val_answered if self.of == "precision" else self.val_positives

    @property
    def unreliable(self) -> bool:
        return self.chosen_on < MIN_VAL_POSITIVES


def choose_threshold(y: np.ndarray, score: np.ndarray, target: float) -> float | None:
    """The largest threshold whose recall on ``y`` (truths) reaches ``target`` (answering the class where the score
    is that or more): the k-th highest score of a text of the class, k the fewest texts that make ``target``; None
    without a text of the class."""
    y = np.asarray(y, dtype=bool)
    pos = np.sort(np.asarray(score, dtype=float)[y])[::-1]
    if not len(pos):
        return None
    k = max(1, int(np.ceil(target * len(pos) - 1e-9)))
    return float(pos[min(k, len(pos)) - 1])


def choose_precision_threshold(y: np.ndarray, score: np.ndarray, target: float) -> float | None:
    """The smallest threshold whose precision on ``y`` (truths) reaches ``target`` (answering the class where the
    score is that or more), among the scores of the texts of the class (lowered to another text's score it answers
    more wrongly and finds none more); None where none reaches it or without a text of the class."""
    y = np.asarray(y, dtype=bool)
    s = np.asarray(score, dtype=float)
    order = np.argsort(-s, kind="stable")
    ss, yy = s[order], y[order]
    tp = np.cumsum(yy)
    ends = np.flatnonzero(np.r_[ss[1:] != ss[:-1], True])  # the last text of each run of equal scores
    found = tp[ends]
    new = np.diff(np.r_[0, found]) > 0  # a text of the class at that score
    ok = new & (found / (ends + 1) >= target - 1e-12)
    return float(ss[ends[ok][-1]]) if ok.any() else None


def operating_point(c: Curve, target: float, of: str = "recall") -> OperatingPoint | None:
    """The threshold :func:`choose_threshold` picks on the run's validation texts for a recall of ``target`` (``of``
    "precision": :func:`choose_precision_threshold`, for a precision), and the test precision and recall at it; None
    where the run kept no validation probabilities, its validation texts hold none of the class, or (a precision)
    no threshold is that precise on them."""
    if c.val_scores is None or c.test_scores is None:
        return None
    vy, vs = (np.asarray(a) for a in c.val_scores)
    t = (choose_precision_threshold if of == "precision" else choose_threshold)(vy, vs, target)
    if t is None:
        return None
    vy = vy.astype(bool)
    y, s = np.asarray(c.test_scores[0], dtype=bool), np.asarray(c.test_scores[1], dtype=float)
    said = s >= t
    tp = int((said & y).sum())
    return OperatingPoint(target, t, int(vy.sum()), float((vs[vy] >= t).mean()),
                          tp / int(said.sum()) if said.any() else None, tp / int(y.sum()), of,
                          int((vs >= t).sum()))


def class_choices(runs) -> list[str]:
    """The classes a curve can be drawn for: those with test texts in the runs that kept probabilities, the rarest
    first (ties in the runs' order of classes): the default is the rarest, where precision and recall matter."""
    support: dict[str, int] = {}
    for r in runs:
        d = paired.load_predictions(r)
        if not d or "probabilities" not in d:
            continue
        for n, v in ((r.metrics or {}).get("per_class") or {}).items():
            if isinstance(v, dict) and v.get("support"):
                support.setdefault(n, int(v["support"]))
    return sorted(support, key=lambda n: (support[n], list(support).index(n)))


@dataclass
class Curves:
    """The curves of one class, a run each (in the runs' order), and the runs without one: (run, why)."""
    name: str
    curves: list[Curve]
    missing: list[tuple] = field(default_factory=list)


def curves(runs, name: str) -> Curves:
    """Each finished run's :class:`Curve` for class ``name``."""
    out = Curves(name, [])
    for r in runs:
        names = (r.metrics or {}).get("label_names") or []
        d = paired.load_predictions(r)
        try:
            got = scores_for(d, names, name, scored_texts(r), fingerprint=(r.metrics or {}).get("test_fingerprint"))
        except OutOfStep as e:
            out.missing.append((r, str(e)))
            continue
        if got is None:
            out.missing.append((r, NO_SUCH_CLASS if d and "probabilities" in d else NO_PROBABILITIES))
            continue
        y, score = got
        val, refused = None, None
        try:  # a validation file out of step: no threshold chosen on it (said), the curve drawn all the same
            val = scores_for(paired.load_val_predictions(r), names, name, validation_texts(r), "validation",
                             (r.metrics or {}).get("val_fingerprint"))
        except OutOfStep as e:
            refused = str(e)
        c = curve(r.id, y, score, np.asarray(d["predictions"], dtype=int) == names.index(name), val)
        if c is None:
            out.missing.append((r, NO_SUCH_CLASS))
        else:
            c.test_scores, c.val_scores, c.val_refused = (y, score), val, refused
            out.curves.append(c)
    return out


def coinciding(cs: Curves) -> list[list[str]]:
    """The run ids whose curves are the same line (the same recall and precision at every point, to 1e-9), a group
    each, in the runs' order: drawn one over the other, the last hid the others (two perfect runs, AP 1.00 each,
    showed one line and read as a run missing)."""
    groups: dict[tuple, list[str]] = {}
    for c in cs.curves:
        key = (tuple(round(r, 9) for r in c.recall), tuple(round(p, 9) for p in c.precision))
        groups.setdefault(key, []).append(c.run_id)
    return [ids for ids in groups.values() if len(ids) > 1]


def coinciding_sentence(cs: Curves, labels: dict[str, str]) -> str:
    """What Compare and the report say under the chart where curves coincide (``labels``: a run's name by id), ''
    where none do: 'full_ft and head_only draw the same curve: one line lies over the other.'"""
    said = []
    for ids in coinciding(cs):
        names = [labels.get(i, i) for i in ids]
        who = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + " and " + names[-1]
        said.append(f"{who} draw the same curve: one line lies over the "
                    + ("other." if len(names) == 2 else "others (the last drawn is seen)."))
    return " ".join(said)
