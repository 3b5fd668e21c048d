"""Is one run really better than another? A paired comparison on the test set they share.

Two runs evaluated on the same test texts can be compared text by text: only the
texts on which they disagree (one right, the other wrong) say anything about which
is better. That is McNemar's test, and it is far more sensitive than checking
whether two accuracies' 95% intervals overlap, which treats the two runs as if
they had been scored on different texts.

Every finished run stores its test predictions (``.eval/test_predictions.json``
in its model directory, left out of exports) with a fingerprint of the test set (the texts, their labels and
the label names, in order), so runs are only ever paired on identical test sets.

What the test covers: the sampling noise of the test set (another test set of
the same size could have come out differently). What it does not: training
noise. Another seed trains another model, which may land elsewhere; only runs
at several seeds (the Learning curves page) show that.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bertlab import memo
from bertlab.metrics import signed

# In a hidden folder of the run's model directory: what bertlab derives for itself, left out of exports.
PREDICTIONS_FILE = Path(".eval") / "test_predictions.json"
# The validation texts' predictions of the kept model (the epoch keep_best chose, or the last), kept alike: a
# threshold chosen on them is read on the test texts without having seen them (bertlab.prcurve.operating_point).
# Runs stored before 2026-12-07 have none.
VAL_PREDICTIONS_FILE = Path(".eval") / "val_predictions.json"


def fingerprint(texts: list[str], labels: list[int], label_names: list[str]) -> str:
    """A short hash of a test set: runs with the same fingerprint were scored on the very same examples."""
    h = hashlib.sha256()
    h.update(json.dumps(list(label_names), ensure_ascii=False).encode())
    for t, y in zip(texts, labels):
        h.update(b"\x00")
        h.update(str(int(y)).encode())
        h.update(b"\x01")
        h.update(t.encode("utf-8", "surrogatepass"))
    h.update(str(len(texts)).encode())
    return h.hexdigest()[:16]


# Every class's probability is kept up to this many classes (the test-predictions CSV's columns); beyond, the
# confidence only: 10,000 texts x 20 classes parsed to ~8 MB, and the app caches up to 32 MB of predictions files.
MAX_STORED_CLASSES = 5


def save_predictions(directory: str | Path, predictions, labels, test_fingerprint: str, probabilities=None,
                     file: Path = PREDICTIONS_FILE) -> Path:
    """Write a run's test predictions (class indices, in test-set order) next to its model; with ``probabilities``
    (n_texts x n_classes) also each answer's confidence (its class's probability) and, up to
    :data:`MAX_STORED_CLASSES` classes, every class's probability (4 decimals). ``file``: where under the model's
    directory (:data:`VAL_PREDICTIONS_FILE` for the validation texts')."""
    path = Path(directory) / file
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"fingerprint": test_fingerprint, "labels": [int(y) for y in labels],
            "predictions": [int(p) for p in predictions]}
    if probabilities is not None and len(probabilities) == len(data["predictions"]):
        probs = np.asarray(probabilities, dtype=float)
        data["confidences"] = [round(float(probs[i, p]), 4) for i, p in enumerate(data["predictions"])]
        if probs.shape[1] <= MAX_STORED_CLASSES:
            data["probabilities"] = np.round(probs, 4).tolist()
    path.write_text(json.dumps(data))
    return path


def load_predictions(run) -> dict | None:
    """``{"fingerprint", "labels", "predictions"}`` of a finished run (and where it had them, ``confidences`` and
    ``probabilities``, see :func:`save_predictions`), or None (older runs kept none). Looked up once per run
    inside :func:`bertlab.memo.within` (a report looked up each run's file seven times)."""
    return memo.kept("predictions", (run,), (), lambda: _load_predictions(run))


def load_val_predictions(run) -> dict | None:
    """The same of the run's validation texts (:data:`VAL_PREDICTIONS_FILE`; its ``fingerprint`` the validation
    split's), or None: runs stored before 2026-12-07 kept none."""
    return memo.kept("val_predictions", (run,), (), lambda: _load_predictions(run, VAL_PREDICTIONS_FILE))


def _load_predictions(run, file: Path = PREDICTIONS_FILE) -> dict | None:
    if getattr(run, "status", "succeeded") != "succeeded" or not getattr(run, "artifact_dir", None):
        return None
    path = Path(run.artifact_dir) / file
    try:
        st = path.stat()
    except OSError:
        return None
    return _read_predictions(str(path), st.st_mtime_ns, st.st_size)


def _parse_predictions(path: str, mtime_ns: int = 0, size: int = 0) -> dict | None:
    """A predictions file parsed (None where it cannot be read or its labels and predictions differ in length)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or len(data.get("labels", ())) != len(data.get("predictions", ())):
        return None
    return data


# Parsed predictions files kept by the bytes of their files, not by their count: 256 files at most were kept, and a
# data directory of 500 runs read in turn (the report, Compare's answer, `paired`) parsed every file again on each
# pass, 3,482 parses for a report of 500 runs (an LRU cycled through more entries than it holds keeps none), while
# 256 files of 10,000 test texts and 5 classes each held 760 MB (a 0.55 MB file parses to 3.0 MB). A file takes about 6x its bytes once parsed (a 16 kB file of
# 500 texts and 2 classes' probabilities: 97 kB), so ~200 MB at most; 500 such runs' files take 8 MB.
PREDICTIONS_CACHE_BYTES = 32 * 2**20


class _PredictionsCache:
    """:func:`_parse_predictions` once per file version (path, modification time, size), least recently used first
    out when the files kept pass :data:`PREDICTIONS_CACHE_BYTES`; a file larger than that is parsed each time.
    Thread-safe (the app's pages and its worker read predictions)."""

    def __init__(self, parse: Callable[..., dict | None]) -> None:
        self.__wrapped__ = parse
        self._kept: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __call__(self, path: str, mtime_ns: int, size: int) -> dict | None:
        key = (path, mtime_ns, size)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        data = self.__wrapped__(path, mtime_ns, size)
        cost = max(1, size)
        if cost > PREDICTIONS_CACHE_BYTES:
            return data
        with self._lock:
            if key not in self._kept:
                self._kept[key] = data
                self._bytes += cost
            while self._bytes > PREDICTIONS_CACHE_BYTES and self._kept:
                (_, _, old), _ = self._kept.popitem(last=False)
                self._bytes -= max(1, old)
        return data

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0


_read_predictions = _PredictionsCache(_parse_predictions)


def mcnemar_p(a_only: int, b_only: int) -> float:
    """Exact two-sided McNemar p-value: the chance of a split at least this uneven of the texts the two
    runs disagree on (one right, the other wrong), were each equally likely to win each of them.

    Computed exactly with integers (a binomial test with p = 1/2 on ``a_only + b_only`` trials).
    """
    n = a_only + b_only
    m = min(a_only, b_only)
    if n == 0 or 2 * m == n:
        return 1.0
    term, tail = 1, 1  # C(n, 0); the sum of C(n, k) for k <= m
    for k in range(m):
        term = term * (n - k) // (k + 1)
        tail += term
    return min(1.0, 2 * tail / (1 << n))


def difference_interval(a_only: int, b_only: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of accuracy(A) - accuracy(B) on paired data (Agresti & Min 2005: the Wald interval of
    the matched-pairs difference with half an example added to each of the four cells)."""
    if n <= 0:
        return (-1.0, 1.0)
    n2 = n + 2
    b, c = a_only + 0.5, b_only + 0.5
    d = (b - c) / n2
    se = math.sqrt(max(0.0, (b + c) - (b - c) ** 2 / n2)) / n2
    return (max(-1.0, d - z * se), min(1.0, d + z * se))


@dataclass
class Paired:
    """Run A against run B on the same ``n`` test texts."""

    n: int
    both_right: int
    a_only: int  # A right, B wrong
    b_only: int  # B right, A wrong
    both_wrong: int
    difference: float  # accuracy(A) - accuracy(B)
    interval: tuple[float, float]  # 95% interval of the difference
    p_value: float  # exact McNemar

    @property
    def disagree(self) -> int:
        return self.a_only + self.b_only


def compare(labels, pred_a, pred_b) -> Paired:
    """The paired comparison of two runs' predictions on the same labelled texts."""
    y, a, b = (np.asarray(v, dtype=int) for v in (labels, pred_a, pred_b))
    if not (len(y) == len(a) == len(b)):
        raise ValueError(f"paired predictions need the same texts: {len(y)} labels, {len(a)} and {len(b)} predictions")
    ra, rb = a == y, b == y
    a_only, b_only = int((ra & ~rb).sum()), int((rb & ~ra).sum())
    n = len(y)
    return Paired(n=n, both_right=int((ra & rb).sum()), a_only=a_only, b_only=b_only,
                  both_wrong=int((~ra & ~rb).sum()), difference=(a_only - b_only) / n if n else 0.0,
                  interval=difference_interval(a_only, b_only, n), p_value=mcnemar_p(a_only, b_only))


def macro_f1_rows(labels: np.ndarray, preds: np.ndarray, n_classes: int) -> np.ndarray:
    """Macro-F1 of each row of ``preds`` (R, n) against ``labels`` (R, n) or (n,), averaged over the classes
    present in that row's labels, as :func:`bertlab.metrics.classification_report` averages (F1 = 2 TP /
    (predicted + true)). One confusion matrix per row, counted in one pass."""
    rows, n = preds.shape
    k = n_classes
    y = np.broadcast_to(labels, preds.shape)
    cells = (np.arange(rows, dtype=np.int64)[:, None] * (k * k) + y * k + preds).ravel()
    conf = np.bincount(cells, minlength=rows * k * k).reshape(rows, k, k)
    return _macro_f1(np.diagonal(conf, axis1=1, axis2=2), conf.sum(2), conf.sum(1))


def _macro_f1(tp: np.ndarray, true_n: np.ndarray, pred_n: np.ndarray) -> np.ndarray:
    """Macro-F1 of each row from its per-class counts (R, k each: true positives, true and predicted texts), over
    the classes present in that row's labels: the one formula :func:`macro_f1_rows` and :func:`_compare_f1` share,
    so the same counts give the same floats."""
    f1 = np.divide(2.0 * tp, true_n + pred_n, out=np.zeros(tp.shape), where=(true_n + pred_n) > 0)
    present = true_n > 0
    return np.divide((f1 * present).sum(1), present.sum(1), out=np.zeros(len(tp)), where=present.sum(1) > 0)


@dataclass
class PairedF1:
    """Run A against run B on the same ``n`` test texts, by macro-F1."""

    n: int
    a_f1: float
    b_f1: float
    difference: float  # macro-F1(A) - macro-F1(B)
    interval: tuple[float, float]  # 95% paired bootstrap interval of the difference
    p_value: float  # paired permutation test (approximate randomisation)


def compare_f1(labels, pred_a, pred_b, rounds: int = 2000, seed: int = 0) -> PairedF1:
    """The paired comparison of two runs by macro-F1, which has no McNemar: macro-F1 is not a sum over texts.

    p: a paired permutation test (approximate randomisation, Noreen 1989): were A and B interchangeable, swapping
    their answers on any text would change nothing, so ``rounds`` random swaps per text give the differences
    chance alone makes; p is the share at least as large as the observed one (with the observed one counted).
    Interval: the 2.5th and 97.5th percentiles of the difference over ``rounds`` bootstrap resamples of the test
    texts. Seeded, so a page shows the same p on every refresh.
    """
    y, a, b = (np.asarray(v, dtype=np.int64) for v in (labels, pred_a, pred_b))
    if not (len(y) == len(a) == len(b)):
        raise ValueError(f"paired predictions need the same texts: {len(y)} labels, {len(a)} and {len(b)} predictions")
    # ~0.15 s for 1,000 texts (on a busy 2-vCPU machine), and the answer asks for many pairs whenever the Compare page redraws its results:
    # computed once per pair of predictions (keyed by their digests, a few dozen bytes each), in one orientation
    # (A against B is B against A mirrored), so the same pair always gets the same p.
    ky, ka, kb = (hashlib.sha1(v.tobytes()).digest() for v in (y, a, b))
    flip = kb < ka
    key = (ky, min(ka, kb), max(ka, kb), rounds, seed)
    with _F1_LOCK:
        res = _F1_CACHE.get(key)
    if res is None:
        res = _compare_f1(y, b, a, rounds, seed) if flip else _compare_f1(y, a, b, rounds, seed)
        with _F1_LOCK:
            _F1_CACHE[key] = res
            while len(_F1_CACHE) > 4096:
                _F1_CACHE.popitem(last=False)
    if not flip:
        return res
    return PairedF1(n=res.n, a_f1=res.b_f1, b_f1=res.a_f1, difference=-res.difference,
                    interval=(-res.interval[1], -res.interval[0]), p_value=res.p_value)


_F1_CACHE: OrderedDict = OrderedDict()
_F1_LOCK = threading.Lock()


def _compare_f1(y: np.ndarray, a: np.ndarray, b: np.ndarray, rounds: int, seed: int) -> PairedF1:
    n = len(y)
    k = int(max(y.max(initial=0), a.max(initial=0), b.max(initial=0))) + 1
    fa, fb = (float(macro_f1_rows(y, v[None, :], k)[0]) for v in (a, b))
    observed = fa - fb
    rng = np.random.default_rng(seed)
    chunk = max(1, min(rounds, 2_000_000 // max(1, n)))  # rounds x texts per step: a few MB whatever the test size
    swapped, resampled = _swap_counter(y, a, b, k), _resample_counter(y, a, b, k)
    perm, boot = [], []
    for start in range(0, rounds, chunk):
        r = min(chunk, rounds - start)
        perm.append(swapped(rng.random((r, n))))  # the same draws, in the same order, as ever: the same p
        boot.append(resampled(rng.integers(0, n, (r, n))))
    perm_d, boot_d = np.concatenate(perm), np.concatenate(boot)
    if a.tolist() == b.tolist():
        p = 1.0
    else:
        p = float((1 + np.sum(np.abs(perm_d) >= abs(observed) - 1e-12)) / (rounds + 1))
    lo, hi = np.percentile(boot_d, [2.5, 97.5])
    return PairedF1(n=n, a_f1=fa, b_f1=fb, difference=observed, interval=(float(lo), float(hi)), p_value=min(1.0, p))


# A round's macro-F1 needs only per-class counts (true positives, true and predicted texts), and texts with the same
# label and the same two answers add the same to them: each round counts how many texts of each such kind it has
# (a few kinds: 8 at most for two classes) and turns those into the per-class counts with one small product of
# integers (exact in float64). The page's first macro-F1 judgement ran 4 confusion matrices over every text of every
# round for each pair (0.60 s a pair at 1,000 texts on a busy 2-vCPU machine, 0.16 s counting kinds, measured together);
# the counts, and so every F1, p and interval, are the same (tests/test_paired.py checks it against the old way).


def _kinds(y: np.ndarray, a: np.ndarray, b: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each text's kind (an index) and the kinds' (label, A's answer, B's answer), 3 x kinds."""
    kinds, which = np.unique((y * k + a) * k + b, return_inverse=True)
    return which.reshape(-1), np.stack([kinds // (k * k), kinds // k % k, kinds % k])


def _class_counts(label: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Per kind of text (a label and an answer each): its [true positive, true, predicted] per class, kinds x 3k."""
    true, predicted = (np.arange(k) == label[:, None]), (np.arange(k) == pred[:, None])
    return np.concatenate([true & predicted, true, predicted], axis=1).astype(float)


def _rows_f1(counts: np.ndarray, weights: np.ndarray, k: int, base: np.ndarray | None = None) -> np.ndarray:
    """Macro-F1 of each row of ``counts`` (rounds x kinds of text) with ``weights`` (:func:`_class_counts`) and
    ``base`` (3k counts every round adds)."""
    total = np.rint(counts @ weights).astype(np.int64)
    if base is not None:
        total += base
    return _macro_f1(total[:, :k], total[:, k:2 * k], total[:, 2 * k:])


def _swap_counter(y: np.ndarray, a: np.ndarray, b: np.ndarray, k: int) -> Callable[[np.ndarray], np.ndarray]:
    """For uniform draws (rounds x texts): each round's macro-F1(A) - macro-F1(B) with A's and B's answers swapped
    where a draw is below 0.5. Only the texts they answer differently can change: the rest are one fixed count."""
    differ, same = np.flatnonzero(a != b), a == b
    base = np.rint(_class_counts(y[same], a[same], k).sum(0)).astype(np.int64)
    which, (ky, ka, kb) = _kinds(y[differ], a[differ], b[differ], k)
    # state 2 * kind + swapped: A answers kb where swapped, B ka
    ly = np.repeat(ky, 2)
    to_a, to_b = np.stack([ka, kb], 1).reshape(-1), np.stack([kb, ka], 1).reshape(-1)
    wa, wb = _class_counts(ly, to_a, k), _class_counts(ly, to_b, k)
    states = 2 * len(ky)

    def diffs(draws: np.ndarray) -> np.ndarray:
        r = len(draws)
        cells = np.arange(r, dtype=np.int64)[:, None] * states + 2 * which + (draws[:, differ] < 0.5)
        counts = np.bincount(cells.ravel(), minlength=r * states).reshape(r, states).astype(float)
        return _rows_f1(counts, wa, k, base) - _rows_f1(counts, wb, k, base)

    return diffs


def _resample_counter(y: np.ndarray, a: np.ndarray, b: np.ndarray, k: int) -> Callable[[np.ndarray], np.ndarray]:
    """For bootstrap indices (rounds x texts): each resample's macro-F1(A) - macro-F1(B)."""
    which, (ky, ka, kb) = _kinds(y, a, b, k)
    wa, wb = _class_counts(ky, ka, k), _class_counts(ky, kb, k)
    g = len(ky)

    def diffs(idx: np.ndarray) -> np.ndarray:
        r = len(idx)
        cells = np.arange(r, dtype=np.int64)[:, None] * g + which[idx]
        counts = np.bincount(cells.ravel(), minlength=r * g).reshape(r, g).astype(float)
        return _rows_f1(counts, wa, k) - _rows_f1(counts, wb, k)

    return diffs


def verdict(p: Paired, name_a: str, name_b: str) -> str:
    """One sentence a reader can act on."""
    if p.disagree == 0:
        return f"{name_a} and {name_b} are right and wrong on exactly the same test texts."
    lead, trail = (name_a, name_b) if p.a_only >= p.b_only else (name_b, name_a)
    wins, losses = max(p.a_only, p.b_only), min(p.a_only, p.b_only)
    split = (f"Of the {p.disagree:,} test texts where only one of them is right, {lead} gets {wins:,} and "
             f"{trail} {losses:,}")
    if p.p_value < 0.05:
        return (f"{split}: a split this uneven would happen by chance less than 5% of the time "
                f"({p_is(p.p_value)}): evidence that {lead} is better on texts like these, beyond the luck of this "
                "test set.")
    return (f"{split}: a split at least this uneven would happen {format_p(p.p_value, percent=True)} of the time "
            f"by chance alone ({p_is(p.p_value)}), so this test set cannot tell them apart.")


def at_the_edge(p_value: float, interval: tuple[float, float]) -> bool:
    """Whether the exact test and the 95% interval disagree about a gap of zero: p at 0.05 or over with an
    interval that leaves out 0, or p under 0.05 with one that takes it in. The interval (Agresti-Min) is an
    approximation, the exact test's p is not: near p = 0.05 they can fall on either side of it. For macro-F1
    (:func:`compare_f1`) both are drawn at random, the interval by bootstrap and p by permutation: the same."""
    return (p_value < 0.05) != (interval[0] > 0 or interval[1] < 0)


EDGE_NOTE = ("The 95% interval (an approximation) and the exact test disagree here on whether the gap could be "
             "zero: a gap at the edge of what this test set can tell; the exact test decides.")
F1_EDGE_NOTE = ("The 95% bootstrap interval and the permutation test disagree here on whether the macro-F1 gap "
                "could be zero (two approximations, each drawn at random): a gap at the edge of what this test set "
                "can tell; the permutation test decides.")


def p_is(p: float) -> str:
    """'p = 0.031', 'p < 0.001': a p-value in a sentence."""
    text = format_p(p)
    return f"p {text[0]} {text[1:]}" if text.startswith("<") else f"p = {text}"


def format_p(p: float, percent: bool = False) -> str:
    """'0.031', '<0.001'; with ``percent``, '3%' / '<0.1%'. A p below 0.05 is never rounded up to it (0.0498, not
    0.050): the lines beside it say which side of 0.05 it is on."""
    if p < 0.001:
        return "<0.1%" if percent else "<0.001"
    scale, digits = (100, 0 if p >= 0.1 else 1) if percent else (1, 2 if p >= 0.1 else 3)
    while p < 0.05 and round(scale * p, digits) >= 0.05 * scale and digits < 8:
        digits += 1
    return f"{scale * p:.{digits}f}" + ("%" if percent else "")


def pairable(runs: list) -> dict[str, list[tuple]]:
    """Finished runs with stored predictions, grouped by test set: ``{fingerprint: [(run, data), ...]}``."""
    groups: dict[str, list[tuple]] = {}
    for r in runs:
        data = load_predictions(r)
        if data is not None:
            groups.setdefault(data["fingerprint"], []).append((r, data))
    return groups


def variant(run) -> tuple[str, str]:
    """What makes two runs seeds of one thing: their strategy and its settings (:func:`bertlab.variants.variant`:
    a balanced head_only against a plain one, or full_ft at two learning rates, is a choice, not training luck)."""
    from bertlab.variants import variant as of

    return of(run)


def _weights(run) -> str:
    return (getattr(run, "config", None) or {}).get("class_weights") or "none"


def run_name(run) -> str:
    """``full_ft · 1a2b`` (``head_only (balanced) · 3c4d``): one run alone, by its strategy. Among other runs, name
    it by :func:`run_names`, which says the settings that tell it from another run of its strategy."""
    from bertlab.config import shown_strategy

    return f"{shown_strategy(run)} · {run.id[-4:]}"


def run_names(runs: list) -> dict[str, str]:
    """``{run_id: "head_only (lr 0.001) · 12e4"}``: each of ``runs`` as the paired tests (the CLI's lines, the
    report's table) name it: its strategy, the settings that tell it from the other runs of that strategy among
    ``runs`` (:func:`bertlab.variants.labels`; two learning rates of head_only read "head_only · 5972" and
    "head_only · 1078" before), and its id's tail."""
    from bertlab.variants import labels

    shown = labels(runs)
    return {r.id: f"{shown[r.id]} · {r.id[-4:]}" for r in runs}


def namer(runs: list) -> Callable[[object], str]:
    """:func:`run_names` of ``runs`` as a function of a run (:func:`run_name` for one not among them)."""
    names = run_names(runs)
    return lambda run: names.get(run.id) or run_name(run)


def by_accuracy(members: list[tuple]) -> list[tuple]:
    """One test set's ``(run, predictions)`` pairs, the most accurate run first."""
    return sorted(members, key=lambda m: -float(m[0].metrics.get("test_accuracy") or 0))


def holm(ps: list[float]) -> list[float]:
    """Holm's step-down adjustment of ``ps`` (in their order): below 0.05 after it, the chance that any of these
    tests' verdicts is a false alarm stays under 5%, however many pairs a comparison makes (6 for 4 runs)."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        out[i] = running
    return out


def train_size(run):
    """The training examples a run measured (its data summary), None before it started."""
    return ((getattr(run, "data_summary", None) or {}).get("sizes") or {}).get("train")


def _seeds(run) -> tuple:
    """(split seed, training seed) of a run; None where unknown, or for a strategy no seed changes (zero_shot,
    tfidf_logreg), whose one run stands for every training seed of its split."""
    from bertlab.strategies import REGISTRY

    cfg = getattr(run, "config", None) or {}
    seeded = getattr(REGISTRY.get(run.strategy), "uses_seed", True)
    return (cfg.get("data") or {}).get("seed"), cfg.get("seed") if seeded else None


def _same_seeds(a: tuple, b: tuple) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b))


def compared(runs: list) -> Callable[[object, object], bool]:
    """Which pairs of two different strategies (:func:`variant`) among ``runs`` are a choice someone makes: runs at
    the same training size, and where seeds were matched (each strategy run at the same seeds), at the same seed.
    full_ft at 100 examples against head_only at 1,000, or full_ft's seed 0 against head_only's seed 2 beside the
    pair at seed 0, compare nothing anyone chooses between; in Holm's family they only made every p larger (a
    3-seed comparison of two strategies made 9 pairs of which 3 are seed against seed). Where two strategies
    share no seed at a size (run by hand at seeds 1 and 7), their runs are compared all the same."""
    v = {r.id: variant(r) for r in runs}  # once each: a run's settings are a JSON dump (and zero_shot a file read)
    matched = {(v[a.id], v[b.id], train_size(a)) for a in runs for b in runs
               if v[a.id] != v[b.id] and train_size(a) == train_size(b) and _same_seeds(_seeds(a), _seeds(b))}

    def choice(a, b) -> bool:
        if train_size(a) != train_size(b):
            return False
        return _same_seeds(_seeds(a), _seeds(b)) or (v[a.id], v[b.id], train_size(a)) not in matched

    return choice


def family_words(strategy_pairs: list[tuple[str, str]]) -> str:
    """What the pairs of Holm's family are pairs of, from their (strategy A, strategy B): "different strategies",
    "different settings" (head_only at two learning rates, a balanced head_only against a plain one) or both."""
    kinds = {a == b for a, b in strategy_pairs}
    return ("different strategies or settings" if kinds == {True, False}
            else "different settings" if kinds == {True} else "different strategies")


def pairwise_rows(members: list[tuple], name=None, metric: str = "accuracy", family_only: bool = False) -> list[dict]:
    """The pairs of one test set's runs, the more accurate one first: a row each for a table, with McNemar's p
    (and with ``metric`` 'macro_f1', the macro-F1 difference and its paired permutation test's p) and, for a pair of
    two strategies (or two settings of one, :func:`variant`), the p of ``metric`` adjusted for the number of such
    pairs (Holm; ``holm_pairs``, ``holm_of``, the column it adjusts, and ``holm_family``, what its pairs are of:
    :func:`family_words`). Two seeds (or sizes) of one strategy are no choice to make: their rows show how far
    training luck (or more data) moves it, outside the family. Two strategies are paired where someone would choose
    between them (:func:`compared`): at the same training size and seed; other pairs of them are left out of the
    table. ``name``: how a run is named (default: :func:`run_names` of these runs, by the settings that differ).
    ``family_only``: macro-F1's permutation test only for the rows Holm's adjustment is over (for their Holm p
    alone: a row outside it gets none)."""
    ordered = by_accuracy(members)
    name = name or namer([r for r, _ in members])
    choice = compared([r for r, _ in members])
    v = {r.id: variant(r) for r, _ in members}
    rows, strategies = [], []
    for i, (ra, da) in enumerate(ordered):
        for rb, db in ordered[i + 1:]:
            # a balanced head_only is not a seed of a plain one, nor lr 2e-05 of 5e-05; across training sizes
            # (a sweep's points, whose epochs and batch size follow the size) one strategy is one learning curve
            same = (v[ra.id] == v[rb.id] if train_size(ra) == train_size(rb)
                    else (ra.strategy, _weights(ra)) == (rb.strategy, _weights(rb)))
            if not same and not choice(ra, rb):
                continue
            p = compare(da["labels"], da["predictions"], db["predictions"])
            rows.append({"A": name(ra), "B": name(rb), "A - B (points)": 100 * p.difference,
                         "95% interval (points)": f"{signed(100 * p.interval[0], 1)} to {signed(100 * p.interval[1], 1)}",
                         "only A right": p.a_only, "only B right": p.b_only, "p (McNemar)": p.p_value,
                         "at_edge": at_the_edge(p.p_value, p.interval), "a_id": ra.id, "b_id": rb.id,
                         "family": not same, "test_set": da.get("fingerprint")})
            if not same:
                strategies.append((ra.strategy, rb.strategy))
    words = family_words(strategies)  # one test set: one family
    for r in rows:
        r["holm_family"] = words
    if metric == "macro_f1":
        add_f1(rows, {r.id: d for r, d in members}, family_only)
    else:
        _adjust(rows, "p (McNemar)")
    return rows


def add_f1(rows: list[dict], data: dict, family_only: bool = False) -> None:
    """Add each row's macro-F1 difference and permutation-test p (``data``: predictions by run id) and adjust
    those p (Holm) instead of McNemar's: the table then judges by macro-F1. ``family_only``: only to the rows in
    Holm's family (each test costs ~0.15 s at 1,000 texts; a sweep's rows of one strategy across sizes, outside the
    family, made a one-seed 5-size, 5-strategy answer take 18 s)."""
    for r in rows:
        if family_only and not r["family"]:
            continue
        a, b = data[r["a_id"]], data[r["b_id"]]
        c = compare_f1(a["labels"], a["predictions"], b["predictions"])
        r["A − B (macro-F1)"], r["p (macro-F1)"] = c.difference, c.p_value
    _adjust(rows, "p (macro-F1)")


def _adjust(rows: list[dict], key: str) -> None:
    """Holm's adjustment of the rows' ``key`` p over the pairs of two strategies (or two settings of one) among them
    (``family``), one family per test set."""
    for r in rows:
        r["p (Holm)"], r["holm_pairs"], r["holm_of"] = None, 0, key
    for test_set in dict.fromkeys(r.get("test_set") for r in rows):
        family = [r for r in rows if r["family"] and r.get("test_set") == test_set]
        for r, adjusted in zip(family, holm([r[key] for r in family])):
            r["p (Holm)"] = adjusted
            r["holm_pairs"] = len(family)  # the pairs of two strategies (or settings) of this test set it adjusts for


def format_holm(row: dict) -> str:
    """A row's Holm-adjusted p for a table: '—' for two seeds of one strategy (outside the adjusted family)."""
    return "—" if row["p (Holm)"] is None else format_p(row["p (Holm)"])


def test_set_of(run, fp: str, splits=None):
    """The test set ``run`` was scored on, loaded again (``splits``: what splits a data config, default
    :func:`bertlab.data.load_splits`; the app passes its cached one), or None where its data cannot be loaded any
    more (a moved upload, an offline hub dataset) or no longer gives the test set ``fp`` names."""
    from bertlab.data import load_splits

    try:
        test = (splits or load_splits)(run.run_config.data).test
    except Exception:  # noqa: BLE001 - the texts are a bonus beside the stored answers, never a reason to fail
        return None
    return test if fingerprint(test.texts, test.labels, test.label_names) == fp else None


def surest_wrong(data: dict) -> list[int]:
    """Indices of the test texts a run got wrong, the surest answer first (``data``: its stored predictions, with
    confidences; [] where they were not kept)."""
    if "confidences" not in data:
        return []
    conf = data["confidences"]
    return sorted((i for i, (y, p) in enumerate(zip(data["labels"], data["predictions"])) if y != p),
                  key=lambda i: -conf[i])


def disagreements(labels, pred_a, pred_b) -> list[int]:
    """Indices of the test texts where exactly one of the two runs is right."""
    y, a, b = (np.asarray(v, dtype=int) for v in (labels, pred_a, pred_b))
    return np.flatnonzero((a == y) != (b == y)).tolist()


def summary_rows(runs: list, name=None, max_runs: int = 8, metric: str = "accuracy") -> list[dict]:
    """The pairs of :func:`pairwise_rows` of each test set (groups of up to ``max_runs`` runs: :func:`crowded` says
    which are left out), for a table. ``name``: how a run is named (default: :func:`run_names` of ``runs``, by the
    settings that tell runs of one strategy apart: "head_only (lr 0.001) · 12e4")."""
    name = name or namer(runs)
    rows = []
    for members in pairable(runs).values():
        if 2 <= len(members) <= max_runs:
            rows += pairwise_rows(members, name, metric)
    return rows


# The most runs of one test set whose every pair a report, or `run`'s lines, list (16 runs: at most 120 pairs; a
# persona's plan of 2 learning rates x 2 strategies x 2 seeds + zero_shot is 9). Beyond, they say how to get them.
MAX_LISTED_RUNS = 16


def crowded(runs: list, max_runs: int) -> list[list]:
    """The runs of each test set with more than ``max_runs`` runs: those :func:`summary_rows` leaves out."""
    return [[r for r, _ in members] for members in pairable(runs).values() if len(members) > max_runs]


def crowded_note(group: list, max_runs: int, command: str) -> str:
    """Why a test set's pairs are not listed, and how to get them: ``command``, the `paired` command over them."""
    ids = f" with their {len(group)} run ids" if command.endswith("...") else ""
    return (f"{len(group)} runs share one test set, more than the {max_runs} whose pairs are listed here (too many "
            f"pairs for one table): `{command}`{ids} prints every pair.")


def paired_command(group: list, store=None) -> str:
    """``python -m bertlab paired --batch B`` where ``group`` is a whole batch (every run of it, with ``store`` to
    check), else ``python -m bertlab paired`` with the run ids (up to 20 of them written out: a sweep's 60 are a
    paragraph)."""
    batches = list(dict.fromkeys(getattr(r, "batch_id", None) for r in group))
    if len(batches) == 1 and batches[0] and store is not None:
        whole = {r.id for r in store.list_runs(batch_id=batches[0], limit=100_000)}
        if whole <= {r.id for r in group}:
            return f"python -m bertlab paired --batch {batches[0]}"
    if len(group) > 20:
        return "python -m bertlab paired RUN_ID ..."
    return "python -m bertlab paired " + " ".join(r.id for r in group)


def no_pairs_reason(runs: list) -> str:
    """Why :func:`summary_rows` pairs none of ``runs``: they were scored on different test sets, or fewer than two
    of them kept test predictions."""
    groups = pairable(runs)
    kept = {r.id for members in groups.values() for r, _ in members}
    names = run_names(runs)
    missing = [names[r.id] for r in runs if r.id not in kept]
    without = (f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no stored test predictions: runs that "
               "did not succeed, and runs finished before bertlab kept test predictions, have none")
    if len(groups) >= 2:
        return ("these runs were tested on different test sets (different data or split seed), so no two of them "
                "can be compared text by text" + (f"; {without}" if missing else ""))
    return ("no two of these runs share a test set with stored predictions"
            + (f" ({without})" if missing else ""))


def summary_lines(rows: list[dict], runs: list | None = None) -> list[str]:
    """The pairs of :func:`summary_rows` as text lines (the command line prints them under its table). With
    ``runs`` (those the rows name), each line adds the pair's macro-F1 difference and permutation-test p, and Holm's
    adjustment is of those p (the measure judged by), not McNemar's."""
    if not rows:
        return []
    data = {r.id: d for r in runs or [] if (d := load_predictions(r)) is not None}
    if data and rows[0].get("holm_of") != "p (macro-F1)" and all(r[k] in data for r in rows for k in ("a_id", "b_id")):
        rows = [dict(r) for r in rows]
        add_f1(rows, data)
    out = ["Paired tests on the same test texts (McNemar's exact test; only the texts one run gets right and the "
           "other wrong count" + ("; then macro-F1, paired permutation test" if data else "") + "):"]
    for r in rows:
        holm_p = (f" (Holm, over {r['holm_pairs']} pairs of runs of {r.get('holm_family', 'different strategies')}: "
                  f"{_holm_said(r)})" if r["holm_pairs"] > 1 else "")
        f1 = (f"; macro-F1 {signed(r['A − B (macro-F1)'], 3)}, {p_is(r['p (macro-F1)'])}" if "p (macro-F1)" in r else "")
        mcnemar, f1 = ((p_is(r["p (McNemar)"]), f1 + holm_p) if r.get("holm_of") == "p (macro-F1)"
                       else (p_is(r["p (McNemar)"]) + holm_p, f1))
        out.append(f"  {r['A']} vs {r['B']}: {signed(r['A - B (points)'], 1)} points (95% {r['95% interval (points)']}), "
                   f"only A right on {r['only A right']:,}, only B on {r['only B right']:,}, "
                   f"{mcnemar}{f1}")
    if edge := [f"{r['A']} vs {r['B']}" for r in rows if r.get("at_edge")]:
        out.append(f"  {', '.join(edge)}: {EDGE_NOTE[0].lower()}{EDGE_NOTE[1:]}")
    below = sum(_judged_p(r) < 0.05 for r in rows)
    here = (("this one is" if below else "this one is not") if len(rows) == 1
            else "none of these is" if not below else f"{below} of these {len(rows)} {'is' if below == 1 else 'are'}")
    out.append(f"  p below 0.05: unlikely to be the luck of the test set ({here}). The luck of training (another "
               "seed) is not covered." + (" With several pairs, some p fall below 0.05 by chance alone; Holm's adjusted p "
                                 "keeps the chance of any false alarm among them under 5%, and the count above goes "
                                 "by it where a line has one."  # (a review counted 10 raw p below 0.05 beside "9")
                                 if any(r["holm_pairs"] > 1 for r in rows) else ""))
    return out


def _holm_said(row: dict) -> str:
    """A line's Holm p after the p it adjusts: 'unchanged' where the two read alike ("p = 0.25 (Holm, over 3 pairs
    ...: 0.25)" said one number twice, as :func:`holm_words` no longer does), 'still <0.001' where both are under
    the smallest p said."""
    text = format_p(row["p (Holm)"])
    if text != format_p(row[row.get("holm_of") or "p (McNemar)"]):
        return text
    return f"still {text}" if text.startswith("<") else "unchanged"


def _judged_p(row: dict) -> float:
    """The p a line of :func:`summary_lines` is judged by: Holm's adjusted p where several pairs were tested,
    else that of the measure Holm's adjustment is of (macro-F1's permutation test, or McNemar's)."""
    if row["holm_pairs"] > 1:
        return row["p (Holm)"]
    return row["p (macro-F1)"] if row.get("holm_of") == "p (macro-F1)" else row["p (McNemar)"]


def holm_of_pairs(members: list[tuple], metric: str = "accuracy") -> dict[frozenset, tuple[float, int]]:
    """{frozenset of two run ids: (Holm's adjusted p, how many pairs it is over)} for each pair the paired-test table
    (:func:`pairwise_rows`, ``metric``'s p) adjusts, one family per test set, as that table forms them. ``members``:
    ``(run, predictions)``, on one test set or several."""
    by_set: dict = {}
    for m in members:
        by_set.setdefault(m[1].get("fingerprint"), []).append(m)
    return {frozenset((r["a_id"], r["b_id"])): (r["p (Holm)"], r["holm_pairs"])
            for group in by_set.values() for r in pairwise_rows(group, lambda r: r.id, metric, family_only=True)
            if r["p (Holm)"] is not None and r["holm_pairs"] > 1}


def holm_words(p: float, pairs: int, raw: float | None = None) -> str:
    """', 0.32 after Holm over 10 pairs': what adds Holm's p to a pair's own (``raw``), where it is over ``pairs``
    (0: ''); ', unchanged after Holm over 3 pairs' where the two read alike (the largest p of a family is often
    left as it was: "p = 0.5, 0.5 after Holm over 3 pairs" said one number twice); ', still <0.001 after Holm
    over 6 pairs' where both are under the smallest p said: 'unchanged' was said of a p Holm had multiplied by 6."""
    if not pairs:
        return ""
    text = format_p(p)
    if raw is not None and text == format_p(raw):
        return f", still {text} after Holm over {pairs} pairs" if text.startswith("<") else \
            f", unchanged after Holm over {pairs} pairs"
    return f", {text} after Holm over {pairs} pairs"


def holm_judged(members: list[tuple], metric: str = "accuracy") -> Callable[[str, str, float], tuple[float, int]]:
    """A function of two run ids and their pair's own p: (the p the paired-test table judges that pair by, how many
    pairs Holm's adjustment is over: 0 where the table does not adjust it; :func:`holm_words` says it). Holm's p over
    the table's pairs is computed once, on the first call (the permutation tests of macro-F1 cost)."""
    holm: dict | None = None

    def judged(a_id: str, b_id: str, p: float) -> tuple[float, int]:
        nonlocal holm
        if holm is None:
            holm = holm_of_pairs(members, metric)
        adjusted, pairs = holm.get(frozenset((a_id, b_id)), (None, 0))
        if adjusted is None:
            return p, 0
        # never below the pair's own p (a rounding of the family's step-down cannot lower it)
        return max(adjusted, p), pairs

    return judged


def gain_judge(runs: list, metric: str = "accuracy"):
    """For :func:`bertlab.pareto.tradeoff_sentences`: whether one strategy's gain over another is beyond the
    luck of the test set, where each is a single run and both were scored on the same texts (else None): McNemar's
    test, or by ``metric`` 'macro_f1' the paired permutation test. Among several pairs the gain is judged by Holm's
    adjusted p, as the paired-test table judges it (a review: "beyond the luck of the test set: McNemar p = 0.036"
    beside a table whose Holm p for that pair was 0.32)."""
    test, name = (compare_f1, "paired permutation test,") if metric == "macro_f1" else (compare, "McNemar")
    data = {r.id: d for r in runs if (d := load_predictions(r)) is not None}
    judged = holm_judged([(r, data[r.id]) for r in runs if r.id in data], metric)

    def judge(dear: dict, cheap: dict) -> str | None:
        ids_a, ids_b = dear.get("run_ids") or [], cheap.get("run_ids") or []
        if len(ids_a) != 1 or len(ids_b) != 1 or ids_a[0] not in data or ids_b[0] not in data:
            return None  # an average over several runs, or no stored predictions
        a, b = data[ids_a[0]], data[ids_b[0]]
        if a["fingerprint"] != b["fingerprint"]:
            return None
        p = test(a["labels"], a["predictions"], b["predictions"]).p_value
        by, pairs = judged(ids_a[0], ids_b[0], p)
        how = "beyond the luck of the test set" if by < 0.05 else "a gap this test set cannot tell from chance"
        return f"{how}: {name} {p_is(p)}{holm_words(by, pairs, p)}"

    return judge
