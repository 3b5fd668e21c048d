"""The product's question answered in a few sentences: which of these runs to use, and what it costs.

"Should I use a pretrained BERT as it is, train only a head, fine-tune it fully, or train one from scratch?"
From one comparison (runs scored on the same test texts, one run per strategy) the honest answer is:

* the most accurate run;
* the cheapest run that this test set cannot tell from it (McNemar's exact test, :mod:`bertlab.paired`):
  if there is one, the dearer run's lead could be the luck of the test set, and the cheaper run is the one to
  start with, unless the interval of the gap, which the answer gives, holds points worth the extra cost;
* otherwise the most accurate cheaper run, and what the best run's lead costs;
* any run that does no better than always answering the majority class (McNemar's exact test against its answers);
* what the answer does not cover: the luck of training (one seed per strategy).

Cost is training compute (FLOPs, the same on any machine), then training time. With several runs of a strategy
at one training size (seeds: the Train page's "Runs per strategy", ``run --repeats`` or a sweep), the same rule
applies to the strategies' mean accuracies, compared with a paired t-test over the seeds (:func:`over_seeds`);
the Learning curves page applies it at every training size (:func:`sweep_rows`).
"""

from __future__ import annotations

import functools
import math
import re
import statistics
from dataclasses import dataclass, field
from types import SimpleNamespace

from bertlab import memo, paired, variants
from bertlab.metrics import FEW_PER_CLASS_TEXTS, class_count, points_range, rarest_class, signed
from bertlab.pareto import NEGLIGIBLE_FLOPS as PARETO_NEGLIGIBLE
from bertlab.pareto import format_flops, in_millions

ALPHA = 0.05


@dataclass
class Answer:
    """What to use: ``pick`` (a run), why, in ``sentences`` (plain text, no markup)."""

    best: object
    pick: object
    headline: str
    sentences: list[str] = field(default_factory=list)
    caveat: str = ""
    plain: str = ""  # the answer in words for someone who never trained a model ('' where there is no pick)
    # False where no run is worth using (none better than always answering the majority class): ``pick`` is then
    # only the most accurate, not a recommendation (`run --json` marked it "recommended" beside "None of these...")
    recommends: bool = True
    over_seeds: bool = False  # judged over several runs of a strategy (a t-test over seeds), not one run each

    def __post_init__(self) -> None:
        # the answer's first FLOP figures read in words (356 GFLOP: 356 billion operations), said before the folded
        # explanation (FLOP_WORDS) on Compare and near the report's bottom
        self.headline, *self.sentences = read_first_flops([self.headline, *self.sentences])

    def text(self) -> str:
        return " ".join([self.plain, self.headline, *self.sentences, self.caveat]).strip()


FLOPS_READ = "arithmetic operations"  # the words that read the answer's first FLOP figures (read_first_flops)
_PREFIX_WORDS = {"": "", "k": " thousand", "M": " million", "G": " billion", "T": " trillion", "P": " quadrillion",
                 "E": " quintillion"}
_FLOPS = re.compile(r"(\d[\d.,]*) ([kMGTPE]?)FLOP\b(?: (instead of|against) (\d[\d.,]*) ([kMGTPE]?)FLOP\b)?")


def read_first_flops(parts: list[str]) -> list[str]:
    """``parts`` (an answer's headline and sentences, in order) with its first FLOP figure, or pair of figures
    ('356 GFLOP instead of 3.20 TFLOP'), read in words after it: '..., that is 356 billion against 3.20 trillion
    arithmetic operations' within brackets, else in brackets ('10.0 TFLOP (10.0 trillion arithmetic operations) of
    training compute'). The answer named '356 GFLOP instead of 3.20 TFLOP' to a reader with no word yet of what a
    GFLOP is (said folded away on Compare, near the report's bottom). Once: parts that read them already stay."""
    if any(FLOPS_READ in p for p in parts):
        return list(parts)
    for i, part in enumerate(parts):
        if not (m := _FLOPS.search(part)):
            continue
        words = f"{m[1]}{_PREFIX_WORDS[m[2]]}"
        if m[3]:
            words += f" against {m[4]}{_PREFIX_WORDS[m[5]]}"
        after = part[m.end():m.end() + 1]
        if part[:m.start()].count("(") > part[:m.start()].count(")"):  # within brackets: no brackets in brackets
            said = f", that is {words} {FLOPS_READ}" + ("," if after not in (";", ")", ":", ",", ".") else "")
        else:
            said = f" ({words} {FLOPS_READ})"
        return [*parts[:i], part[:m.end()] + said + part[m.end():], *parts[i + 1:]]
    return list(parts)


def still_to_finish(runs: list) -> list:
    """The runs queued or training, not those being stopped: they will not finish."""
    from bertlab.store import ACTIVE

    return [r for r in runs if getattr(r, "status", None) in ACTIVE and not getattr(r, "cancel_requested", False)]


def so_far(still: int) -> str:
    """What the answer's heading adds while ``still`` runs are to finish: " (so far: 1 run still to finish)"."""
    return f" (so far: {still} run{'s' * (still != 1)} still to finish)" if still else ""


def provisional(a: Answer, still: int) -> Answer:
    """``a`` as it reads while ``still`` runs are to finish: its headline and its plain words start "So far"
    (an exported report said "Use zero_shot" with full_ft still training, where Compare said "So far: use ...")."""
    if not still:
        return a
    from dataclasses import replace

    return replace(a, headline=f"So far: {a.headline[:1].lower()}{a.headline[1:]}",
                   plain=a.plain.replace("In plain words:", "So far, in plain words:", 1))


def still_sentence(still: list, name) -> str:
    """The runs ``still`` to finish named (``name``: a run's name), and what that means for the answer."""
    return ("Still to finish: " + ", ".join(f"{name(r)} ({'training' if r.status == 'running' else r.status})"
                                            for r in still)
            + f"; the answer can change when {'it finishes' if len(still) == 1 else 'they finish'}.")


# What each strategy is, for a reader who knows none of the names (a stakeholder, a manager).
PLAIN_NAMES = {
    # not "the pretrained model as it is, with no training": a class on transfer learning read that as raw
    # pretrained BERT classifying at 72%, where the default model is a sentence-embedding model (already trained to
    # place similar texts close) and zero_shot matches each text to a description of each class (or its name)
    "zero_shot": "the pretrained model matching each text to a short description of each class (no training)",
    "head_only": "the pretrained model with a small classifier trained on top",
    "full_ft": "the pretrained model fine-tuned on your examples",
    "partial_ft": "the pretrained model with only its top layers fine-tuned",
    "lora": "the pretrained model with small trained adapters (LoRA)",
    "dapt": "the model pretrained further on your texts, then fine-tuned",
    "scratch": "a model of the same shape trained from scratch on your examples",
    "tfidf_logreg": "a simple word-count model (no neural network)",
}


def plain_words(best, pick, said: dict | None = None, who: str = "these test texts") -> str:
    """'In plain words: use a simple word-count model (no neural network). ...': the answer without the names,
    tests and units (the headline keeps them). ``said``: run id -> what its name adds to its strategy's among the
    runs compared (:func:`bertlab.variants.parts`: 'lr 2e-05'), which tells two runs of one strategy apart."""
    def say(run) -> str:
        inside = (said or {}).get(run.id) or (["balanced"] if (getattr(run, "config", None) or {}).get(
            "class_weights") == "balanced" else [])
        # "learning rate 0.03", not "lr 0.03": these words are for a reader who knows none of the terms
        rest = [p.replace("lr ", "learning rate ", 1) if p.startswith("lr ") else p for p in inside if p != "balanced"]
        return (PLAIN_NAMES.get(run.strategy, run.strategy) + (f" ({', '.join(rest)})" if rest else "")
                + (", trained with balanced classes" if "balanced" in inside else ""))

    if say(pick) == say(best):
        return f"In plain words: use {say(pick)}; nothing else tried here did better."
    return (f"In plain words: use {say(pick)}. {say(best)[:1].upper()}{say(best)[1:]} scored higher, but "
            f"by a gap {who} cannot tell from chance, and it costs more to train.")


def _acc(run) -> float:
    return float(run.metrics.get("test_accuracy") or 0.0)


def _cost(run) -> tuple[float, float]:
    """(training FLOPs, training seconds); a run that did not record its FLOPs is never taken for the cheapest."""
    c = run.costs or {}
    flops = c.get("train_flops")
    return (math.inf if flops is None else float(flops), float(c.get("train_seconds") or 0.0))


SAME_COST = 0.10  # training FLOPs this close count as the same cost (seconds, noisier, only where FLOPs are 0)
# Training below this many FLOPs (about a second of a 2-core CPU) costs nothing worth weighing: a persona's answer
# chose zero_shot over a more accurate tfidf_logreg because tfidf's 1.5 MFLOP (1.2 s) "cost more to train", for a
# model 1.8 million times dearer to serve. (Accuracy vs cost says so of its pairs under it too.)
NEGLIGIBLE_FLOPS = PARETO_NEGLIGIBLE


# _cheapest's first words where the best costs next to nothing beside the others (zero_shot: nothing at all);
# over_seeds tells such a row by them (its why) from one a test decides
NEXT_TO_NOTHING, NOTHING_TO_TRAIN = "next to nothing to train", "nothing to train"


def _cheapest(cost, others, to_train: bool = True) -> str:
    """'the cheapest to train', or where a run costs less but both next to nothing (NEGLIGIBLE_FLOPS) the words
    that say so: zero_shot's 0 FLOP is less than tfidf_logreg's 1.5 MFLOP, and neither is worth weighing (so where
    zero_shot is the one costing less, too: the runs beside it call tfidf_logreg "About as cheap to train"); where
    another run costs about as much (SAME_COST), 'as cheap to train as any run here'. ``others``: the other runs'
    costs; ``to_train``: False for the words without 'to train' (a table's cell under a training-cost heading)."""
    # cheaper than another run only by next to nothing, either way: zero_shot's 0 FLOP read "Use zero_shot: the
    # cheapest to train" above "About as cheap to train ...: tfidf_logreg" (1.53 MFLOP), both true, read together a
    # clash (rotten_tomatoes, run --quick); the words that say both cost next to nothing, as where tfidf_logreg leads
    if any(_dearer(cost, o, floor=0.0) or (_dearer(o, cost, floor=0.0) and not _dearer(o, cost)) for o in others):
        # "to train" said here too: "as cheap as any run here" read as every cost, for head_only at 2.76 GFLOP a
        # text to serve beside tfidf_logreg's 2.45 kFLOP (a review's 7 test texts of bbc_long.csv)
        if cost[0] == 0:  # zero_shot trains nothing at all: "next to nothing to train" said it trained a little
            return (f"{NOTHING_TO_TRAIN}, as cheap" + (" to train" if to_train else "") + " as any run here (under "
                    "100 GFLOP counts as next to nothing: about a second of a CPU)")
        return (f"{NEXT_TO_NOTHING}, as cheap" + (" to train" if to_train else "") + " as any run here (under "
                "100 GFLOP: about a second of a CPU)")
    if any(not _dearer(o, cost, floor=0.0) for o in others):
        return "as cheap to train as any run here" if to_train else "as cheap as any run here"
    return "the cheapest to train" if to_train else "the cheapest"


def _dearer(ca: tuple[float, float], cb: tuple[float, float], floor: float | None = None) -> bool:
    """Whether training cost ``ca`` (FLOPs, seconds) is clearly above ``cb``: FLOPs more than SAME_COST apart and
    above NEGLIGIBLE_FLOPS, or both without FLOPs, seconds so apart. A persona: of two tfidf_logreg runs 3.7% apart in FLOPs the cheaper was
    picked over one 0.07 better by macro-F1; of two head_only runs with the same FLOPs, 2.8 s against 3.6 s of
    wall-time noise decided which "costs more to train"."""
    (fa, ta), (fb, tb) = ca, cb
    # both without FLOPs (runs stored before bertlab counted them: math.inf each) are weighed by their seconds, as the
    # docstring says; inf against inf read "about the same cost", and full_ft at 3.3 min was called "as cheap to
    # train as any run here" beside head_only at 10 s
    if (fa > 0 or fb > 0) and not (fa == fb == math.inf):
        return fa > max(fb * (1 + SAME_COST), NEGLIGIBLE_FLOPS if floor is None else floor)
    return ta > tb * (1 + SAME_COST)


def _n_train(run):
    return ((run.data_summary or {}).get("sizes") or {}).get("train")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


@dataclass(frozen=True)
class Judge:
    """What the answer judges runs by: accuracy (McNemar's exact test) or macro-F1 (paired permutation test)."""

    key: str  # in run.metrics
    name: str
    top_run: str  # "the most accurate run"
    top_of: str  # "the most accurate of these runs"
    top: str  # "the most accurate"
    test: str  # the paired test's name in a sentence

    def of(self, run) -> float:
        return float((run.metrics or {}).get(self.key) or 0.0)

    @property
    def test_name(self) -> str:
        """The test as a noun phrase: "McNemar's test", "the paired permutation test"."""
        return "McNemar's test" if self.test == "McNemar" else f"the {self.test}"

    @property
    def p_name(self) -> str:
        """Its p as a noun phrase: "McNemar's p", "the paired permutation test's p"."""
        return "McNemar's p" if self.test == "McNemar" else f"the {self.test}'s p"

    @property
    def edge_note(self) -> str:
        """What to say where its test's p and its 95% interval disagree on whether the gap could be zero."""
        return paired.EDGE_NOTE if self.test == "McNemar" else paired.F1_EDGE_NOTE

    def value(self, x: float) -> str:
        """'94.2%' / 'macro-F1 0.545'."""
        return _pct(x) if self.key == "test_accuracy" else f"macro-F1 {x:.3f}"

    def short(self, x: float) -> str:
        """'94.2%' / '0.545': a second value beside one that :meth:`value` named."""
        return _pct(x) if self.key == "test_accuracy" else f"{x:.3f}"

    def gap(self, d: float) -> str:
        """'1.7 points' / '0.225 of macro-F1'; a gap the shown figures cannot hold, 'under 0.1 points' / 'under 0.001
        of macro-F1': 2,026 against 2,024 right of 2,500 read "0.1 points behind (81.0% against 81.0%)", and 2,025
        against 2,026 "0.0 points behind". (Two scores shown alike are always under that apart.)"""
        if self.key == "test_accuracy":
            return "under 0.1 points" if 0 < abs(100 * d) < 0.1 else f"{100 * d:.1f} points"
        return "under 0.001 of macro-F1" if 0 < abs(d) < 0.001 else f"{d:.3f} of macro-F1"

    def span(self, lo: float, hi: float) -> str:
        return (f"{signed(100 * lo, 1)} to {signed(100 * hi, 1)} points" if self.key == "test_accuracy"
                else f"{signed(lo, 3)} to {signed(hi, 3)} of macro-F1")

    def compare(self, labels, a, b):
        """An object with ``difference`` (A - B), ``interval`` (95%) and ``p_value``."""
        return paired.compare(labels, a, b) if self.key == "test_accuracy" else paired.compare_f1(labels, a, b)


ACCURACY = Judge("test_accuracy", "accuracy", "the most accurate run", "the most accurate of these runs",
                 "the most accurate", "McNemar")
MACRO_F1 = Judge("test_macro_f1", "macro-F1", "the best run by macro-F1", "the best of these runs by macro-F1",
                 "the best by macro-F1", "paired permutation test")
JUDGES = {"accuracy": ACCURACY, "macro_f1": MACRO_F1}


@dataclass(frozen=True)
class Tested:
    """A paired test of two runs as the answer judges it: ``p_value`` is Holm's adjusted p where the paired-test
    table under the answer adjusts that pair (:func:`bertlab.paired.pairwise_rows`: two strategies, or two settings
    of one, on one test set), else the pair's own p (``raw``, the same then). A review: the answer called head_only
    at lr 0.1 "less accurate than" lr 0.01 on its own p = 0.036 while the table under it, by Holm's p over 10 pairs
    (0.32), said none of its gaps was beyond chance."""

    difference: float
    interval: tuple[float, float]
    p_value: float  # the p judged by
    raw: float  # the pair's own p
    pairs: int = 0  # how many pairs Holm's adjustment is over (0: not adjusted)

    def said(self, judge: Judge) -> str:
        """'McNemar p = 0.036, 0.32 after Holm over 10 pairs': both p where Holm adjusts, as the table shows them."""
        return f"{judge.test} {paired.p_is(self.raw)}{paired.holm_words(self.p_value, self.pairs, self.raw)}"


def holm_tester(members: list[tuple], judge: Judge):
    """For ``members`` (``(run, predictions)`` on one test set): a function of two of them, ``(run_a, data_a,
    run_b, data_b)``, that tests A against B with ``judge``'s paired test and returns a :class:`Tested` whose p is
    the one the paired-test table judges that pair by (Holm's adjusted p over the table's pairs, where it adjusts).
    The table's p are computed on the first call (by macro-F1, a permutation test a pair: none where none is asked)."""
    judged = paired.holm_judged(members, "macro_f1" if judge is MACRO_F1 else "accuracy")

    def test(ra, da, rb, db) -> Tested:
        c = judge.compare(da["labels"], da["predictions"], db["predictions"])
        p, pairs = judged(ra.id, rb.id, c.p_value)
        return Tested(c.difference, tuple(c.interval), p, c.p_value, pairs)

    return test

# A majority class this large makes accuracy reward answering it always: the answer judges by macro-F1 instead.
IMBALANCED = 0.7
# A class this rare moves accuracy by at most this much if a model ignores it altogether: macro-F1 judges instead
# (where it is also under half the share each class would have if all were alike: 50 even classes are 2% each).
RARE_SHARE = 0.05


def rare_share(share: float, classes: int | None = None) -> bool:
    """Whether a class that is ``share`` of the test texts is rare enough for the answer to judge by macro-F1: under
    RARE_SHARE of them and, where the number of ``classes`` is known, under half an even share (1 / classes / 2).
    A balanced set of 50 topics, 2% each, was flagged as imbalanced."""
    return share < RARE_SHARE and (not classes or share < 0.5 / classes)


def default_metric(runs: list) -> str:
    """'macro_f1' where the test set's majority class is IMBALANCED or more of it, or a class is under RARE_SHARE of
    it; else 'accuracy'."""
    if _rarest(runs) is not None:
        return "macro_f1"
    return _metric_for([(getattr(r, "metrics", None) or {}).get("majority_accuracy") for r in runs])


def judged_by_sentence(chosen: str | None, runs: list) -> str:
    """Which measure an answer judged ``runs`` by, in a sentence: ``chosen`` ('accuracy', 'macro_f1'; None: the
    default). A report exported with Compare on Macro-F1 judged by accuracy without a word (a review)."""
    default = default_metric(runs)
    used = chosen or default
    if used == default:
        return f"Judged by {JUDGES[used].name}, the default for this test set."
    return f"Judged by {JUDGES[used].name}, as chosen (the default for this test set: {JUDGES[default].name})."


def _metric_for(majorities: list) -> str:
    maj = [float(m) for m in majorities if m is not None]
    return "macro_f1" if maj and max(maj) >= IMBALANCED else "accuracy"


def _rarest(runs: list) -> tuple[str, int, int] | None:
    """:func:`rarest_class` of the first run whose rarest class is rare in its test set (:func:`rare_share`), else
    None."""
    for r in runs:
        m = getattr(r, "metrics", None) or {}
        rare = rarest_class(m)
        if rare is not None and rare_share(rare[1] / rare[2], class_count(m)):
            return rare
    return None


def imbalance_note(runs: list) -> str:
    """Why the answer judges by macro-F1 by default, or '' where it does not."""
    if default_metric(runs) != "macro_f1":
        return ""
    maj = max(float((r.metrics or {}).get("majority_accuracy") or 0) for r in runs)
    if maj >= IMBALANCED:
        return (f"The majority class is {_pct(maj)} of the test texts, so accuracy would reward answering it always: "
                f"this answer judges by macro-F1, where every class counts the same.")
    name, n, total = _rarest(runs)
    return (f"{name!r} is only {n} of the {total:,} test texts ({_pct(n / total)}): a model could ignore it and lose "
            "next to no accuracy, so this answer judges by macro-F1, where every class counts the same.")


# A class with fewer test texts (metrics.FEW_PER_CLASS_TEXTS, 20) moves its recall by 5 points or more a text: the
# answer names it where it judges by macro-F1, as the per-class tables and the Data page note it. At 10, as it was,
# a class of 12 to 19 test texts got a note under Compare's table and none in the answer it weighs on.
FEW_CLASS_TEXTS = FEW_PER_CLASS_TEXTS

# A sentence of the answer names this many classes at most, then counts the rest: on 100 classes, where 92 had under
# 10 test texts and a run never answered 26, the two sentences named every one of them (3,075 and 776 characters).
# As the Data page's warning on rare classes: up to 8 named, else the first 6 and how many more.
NAMED_CLASSES = 8


def _shown(items: list) -> int:
    """How many of ``items`` (classes) a sentence names: all up to :data:`NAMED_CLASSES`, else 6."""
    return len(items) if len(items) <= NAMED_CLASSES else 6


def few_class_texts_sentence(runs: list) -> str | None:
    """Where the answer judges by macro-F1: the classes with under FEW_CLASS_TEXTS test texts (the fewest any of
    ``runs`` was scored on), which macro-F1 counts as much as the others though a text or two moves them a lot, or
    None. A persona: a class of 6 test texts weighed a third of macro-F1, and the answer named only the majority."""
    fewest: dict[str, int] = {}
    for r in runs:
        for c, v in ((getattr(r, "metrics", None) or {}).get("per_class") or {}).items():
            if isinstance(v, dict) and v.get("support"):
                fewest[c] = min(fewest.get(c, math.inf), int(v["support"]))
    few = sorted(((c, k) for c, k in fewest.items() if k < FEW_CLASS_TEXTS), key=lambda ck: ck[1])
    if not few:
        return None
    one = len(few) == 1
    listed = " and ".join(f"{c!r} ({k} test text{'s' * (k != 1)})" for c, k in few[:_shown(few)])
    if len(few) > _shown(few):
        listed += f" and {len(few) - _shown(few):,} more classes of under {FEW_CLASS_TEXTS} test texts each"
    moves = points_range(100 / few[-1][1], 100 / few[0][1])
    return (f"Macro-F1 counts {listed} as much as any other class: each of {'its' if one else 'their'} texts "
            f"answered otherwise moves {'its' if one else 'their'} recall by {moves}, so this verdict rests partly "
            "on a handful of texts; more test texts of " + ("that class" if one else "those classes")
            + " would make it firmer.")


def missed_classes_sentence(run, name: str) -> str | None:
    """'full_ft never answered 'refund' (6 test texts)': a class the run ignores, which accuracy hides."""
    from bertlab.metrics import never_predicted, single_class_prediction

    m = getattr(run, "metrics", None) or {}
    confusion, names = m.get("confusion") or [], m.get("label_names") or []
    missed = never_predicted(confusion, names)
    if not missed or single_class_prediction(confusion, names) is not None:
        return None  # nothing missed, or a one-class run (said elsewhere)
    listed = ", ".join(f"{c!r} ({n} test text{'s' if n != 1 else ''})" for c, n in missed[:_shown(missed)])
    if len(missed) > _shown(missed):
        rest = missed[_shown(missed):]
        listed += (f" and {len(rest):,} more classes ({sum(n for _, n in rest):,} test texts)")
    return f"{name} never answered {listed}: its recall there is 0."


WEAK_CLASS_GAP = 0.10  # another run finds this much more of the pick's weakest class: worth a sentence
WEAK_CLASS_F1_GAP = 0.05  # ...and answers it this much better by F1, so that it is not a run that says it to all


def weakest_class_sentence(pick, runs: list, labels: dict[str, str]) -> str | None:
    """Where there are three classes or more, or two on an imbalanced test set (:func:`default_metric` judges by
    macro-F1): the pick's weakest class by F1, where another of ``runs`` scored on the same test texts finds at least
    WEAK_CLASS_GAP more of it with an F1 at least WEAK_CLASS_F1_GAP higher, or None.
    A persona's tweets answer picked head_only, which found 44% of the positive tweets where full_ft found 55%,
    and said nothing of it: accuracy and macro-F1 average that away. Recall alone would have named zero_shot, which
    found 64% of them by answering 'positive' to many others. Another's comments, 3% abusive: the answer started
    with tfidf_logreg, which found 6 of the 12 abusive test texts where full_ft found 11, and said nothing of it
    (macro-F1 0.829 against 0.978 averages the rare class with the 'ok' one). On a balanced two-class set accuracy
    says it already. ``labels``: run names by id."""
    def scores(run) -> dict[str, tuple[float, float, int]]:
        per_class = (getattr(run, "metrics", None) or {}).get("per_class") or {}
        return {c: (float(v["recall"]), float(v["f1"]), int(v["support"])) for c, v in per_class.items()
                if isinstance(v, dict) and v.get("support") and None not in (v.get("recall"), v.get("f1"))}

    mine, fp = scores(pick), (getattr(pick, "metrics", None) or {}).get("test_fingerprint")
    if (len(mine) < 2 or (len(mine) == 2 and default_metric([pick]) != "macro_f1") or fp is None
            or min(r for r, _, _ in mine.values()) == 0):  # never answered: said elsewhere
        return None
    weak = min(mine, key=lambda c: mine[c][1])
    recall, f1, n = mine[weak]
    rivals = [(theirs[weak], r) for r in runs if r is not pick and getattr(r, "id", None) in labels
              and (r.metrics or {}).get("test_fingerprint") == fp and weak in (theirs := scores(r))
              and theirs[weak][0] - recall >= WEAK_CLASS_GAP and theirs[weak][1] - f1 >= WEAK_CLASS_F1_GAP]
    if not rivals:
        return None
    (r_recall, r_f1, _), rival = max(rivals, key=lambda t: t[0][1])
    return (f"Its weakest class: {labels[pick.id]} finds {recall:.0%} of the {n} {weak!r} test texts (F1 {f1:.2f}), "
            f"{labels[rival.id]} {r_recall:.0%} (F1 {r_f1:.2f}); if that class matters most, weigh the recall per "
            "class too.")


def _seconds(s: float) -> str:
    """Training seconds for people, as every page times them (:func:`bertlab.estimate.format_duration`): '12.3 s',
    '4.5 min', '3.0 h' (3 hours read "180.0 min of training")."""
    from bertlab.estimate import format_duration

    return format_duration(s)


def cost_phrase(dear, cheap) -> str:
    """What ``cheap`` costs next to ``dear``, as a verb phrase: "trains nothing", or "takes 1/38 of the training
    compute (263 GFLOP instead of 10.0 TFLOP; 12.0 s of training instead of 3.8 min here)"."""
    (fd, sd), (fc, sc) = _cost(dear), _cost(cheap)
    if fc <= 0 and sc <= 0:
        return "trains nothing"
    # a run that kept no train_seconds read as "0.0 s": "10.0 s of training instead of 0.0 s here" of a pick called
    # the cheaper one; its seconds are left out instead
    timed = _timed(dear) and _timed(cheap)
    time = f"{_seconds(sc)} of training instead of {_seconds(sd)} here" if timed else ""
    if 0 < fc < math.inf and 0 < fd < math.inf:
        r = fd / fc
        if r < 1.05:
            return f"takes about the same training compute ({format_flops(fc)}{'; ' * timed}{time})"
        return (f"takes {_share(r)} of the training compute ({format_flops(fc)} instead of {format_flops(fd)}"
                f"{'; ' * timed}{time})")
    if timed and sc < sd:
        return f"takes less training ({time})"
    # not faster by the clock: "takes less training (180.0 min of training instead of 10.0 s here)" was said of the
    # slower run, the cheaper by its FLOPs alone
    if fd == math.inf and 0 <= fc < math.inf:  # the dearer only for keeping no FLOPs (never taken for the cheaper)
        return (f"kept its training compute ({format_flops(fc)}{'; ' * timed}{time}), where the other run's was not "
                "recorded, so that one counts as the costlier")
    if 0 <= fc < fd < math.inf:
        return f"takes less training compute ({format_flops(fc)} instead of {format_flops(fd)}{'; ' * timed}{time})"
    return "takes less training"


def _timed(run) -> bool:
    """Whether ``run`` kept its training seconds (``_cost`` reads a missing one as 0.0)."""
    return (getattr(run, "costs", None) or {}).get("train_seconds") is not None


def _serve(run) -> float | None:
    """What answering one text costs the run's model (FLOPs), or None for a run stored before bertlab counted it."""
    v = (run.costs or {}).get("inference_flops_per_text")
    return None if v is None else float(v)


def _share(ratio: float) -> str:
    """'1/3.2', '1/38', '1/4,200', '1/12 million', '1/25 billion': as precise as a ratio of two estimates deserves."""
    # two significant figures here too: 1.43 million is not "1 million"; in billions and trillions beyond a
    # thousand million (pareto's trade-off sentences word their ratios the same way)
    if (big := in_millions(ratio)) is not None:
        return f"1/{big}"
    if ratio >= 1e4:  # two significant figures: '1/140,000'
        return f"1/{float(f'{ratio:.2g}'):,.0f}"
    return f"1/{ratio:,.0f}" if round(ratio, 1) >= 10 else f"1/{ratio:.1f}"  # 9.96: '1/10', not "1/10.0"


def _times(ratio: float) -> str:
    """'3.2', '38', '4,200', '1.8 million' (times): as :func:`_share` words the inverse ('1,787,568.6 times' read
    as a measurement to a tenth)."""
    return _share(ratio).removeprefix("1/")


def validation_pick_sentence(runs: list, chosen: str, label_of, judge: Judge, test_text) -> str | None:
    """Where the strategy of the run named ``chosen`` (``label_of(run)``: the answer's name for a run) ran with
    several settings (learning rates, class weights), the one named is the best of them on the test texts, which
    flatters it (a reviewer: a setting picked on the test texts and then scored on them). Say whether the
    validation texts, which no reported number is measured on, pick the same setting, by the measure the answer
    judges by (validation accuracy, or validation macro-F1 when judged by macro-F1): a review found the lowest
    validation loss read here "pick it too" while validation accuracy picked another rate (67% against 64%).
    Settings level on that measure are told apart by the lowest validation loss; where the measure is missing
    or the same for every setting, the loss alone picks, and the sentence says which measure picked. Where
    validation picks another setting, it is named with its test score (``test_text(label)``). Over seeds, each
    setting's mean. None with one setting, or where the runs kept no validation figure to pick by."""
    strategy = next((r.strategy for r in runs if label_of(r) == chosen), None)
    groups: dict[str, list] = {}
    for r in runs:
        if r.strategy == strategy:
            groups.setdefault(label_of(r), []).append(r)
    if len(groups) < 2:
        return None

    def mean_of(key: str, rs: list) -> float | None:
        vs = [(r.metrics or {}).get(key) for r in rs]
        return None if any(v is None for v in vs) else sum(vs) / len(vs)

    measure = "macro-F1" if judge is MACRO_F1 else "accuracy"
    vals = {g: mean_of("val_macro_f1" if judge is MACRO_F1 else "val_accuracy", rs) for g, rs in groups.items()}
    losses = {g: mean_of("val_loss", rs) for g, rs in groups.items()}
    has_vals = all(v is not None for v in vals.values())
    has_losses = all(v is not None for v in losses.values())
    top = [g for g, v in vals.items() if v >= max(vals.values()) - 1e-12] if has_vals else list(groups)
    if has_losses and len(top) > 1:  # level on the judge's measure (or it is missing): the loss tells them apart
        low = min(losses[g] for g in top)
        picks = [g for g in top if losses[g] <= low + 1e-12]
        if len(top) < len(groups):
            how = f"the highest validation {measure}, shared by {len(top)} settings, then the lowest validation loss"
        else:  # the measure cannot choose (missing, or the same for all): the loss alone picks
            how = "the lowest validation loss" + ("" if has_vals else f"; no validation {measure} kept")
    elif has_vals:
        picks = top
        how = f"the highest validation {measure}"
    else:
        return None
    if any(len(rs) > 1 for rs in groups.values()):
        how += ", mean over seeds"
    intro = f"{strategy} ran with {len(groups)} settings here, and the one named is the best of them on the test texts"
    if chosen in picks:
        return (f"{intro}; the validation texts, which no number here is measured on, pick it too ({how}): the "
                "choice does not rest on the test texts alone.")
    other = picks[0]
    if has_vals and len(top) == 1:  # the judge's measure picked: its figures say by how much
        show = _pct if judge is ACCURACY else (lambda x: f"{x:.3f}")
        how += f": {show(vals[other])} against {show(vals[chosen])} for the one named"
    return (f"{intro}, which flatters it: the validation texts, which no number here is measured on, pick {other} "
            f"({how}), whose test score, {test_text(other)}, is the fairer estimate of what {strategy} does on new "
            "texts.")


def serve_machine(costs: dict) -> str | None:
    """The machine a run's serving was timed on (:func:`bertlab.serving.measure`): ``serve_machine``, else (timed
    before it was recorded) ``serve_device``, which then named the machine for every strategy."""
    return costs.get("serve_machine") or costs.get("serve_device")


def measured_serving(a, b) -> str:
    """' Measured on this machine: 3.7 ms against 11.9 ms a text (1/3.2 of the time) ...' where both runs' serving
    was measured on one machine (Compare's Measure serving speed), else ''. A finance reader took "1/7.2 million of
    the compute per text" for money; time per text shrinks far less than compute where tokenising and calling the
    model take most of it. The machine is ``serve_machine`` (runs measured before it was recorded: their
    ``serve_device``, then always the machine's): on a GPU machine tfidf_logreg answers on the CPU, and its
    ``serve_device`` says so, beside a GPU run timed alongside it."""
    ca, cb = a.costs or {}, b.costs or {}
    ma, mb = ca.get("serve_ms_p50"), cb.get("serve_ms_p50")
    if not ma or not mb or serve_machine(ca) != serve_machine(cb):
        return ""
    ratio = ("about the same time" if max(ma, mb) <= 1.05 * min(ma, mb) else
             f"{_share(mb / ma)} of the time" if ma < mb else f"{_times(ma / mb)} times the time")
    out = f" Measured on this machine: {ma:.3g} ms against {mb:.3g} ms a text, one at a time ({ratio})"
    ta, tb = ca.get("serve_texts_per_s"), cb.get("serve_texts_per_s")
    if ta and tb:
        out += f"; {ta:,.0f} against {tb:,.0f} texts/s in batches"
    return out + "."


def serve_sentence(runs: list, best, pick, name, acc_text=None, useless=()) -> str | None:
    """One sentence on what serving costs (forward FLOPs per text), the cost a choice keeps paying after training:
    that these runs all cost the same to serve, what the pick costs next to the best, or which run is far cheaper
    to serve. None where a run has no such count (stored before bertlab counted it). ``name(run)`` and
    ``acc_text(run)`` say how the answer names a run and its accuracy; runs in ``useless`` (no better than the
    majority class) are never named as the cheap one to serve."""
    acc_text = acc_text or (lambda r: _pct(_acc(r)))
    from bertlab.pareto import SAME_COST

    cost = {r.id: _serve(r) for r in runs}
    if any(v is None or v <= 0 for v in cost.values()):
        return None  # not counted (older runs), or nothing to count (no known n-gram in the test texts)

    def same(a: float, b: float) -> bool:
        return abs(a - b) <= SAME_COST * max(a, b)

    fp, fb = cost[pick.id], cost[best.id]
    if all(same(v, fp) for v in cost.values()):
        lo, hi = format_flops(min(cost.values())), format_flops(max(cost.values()))
        flops = lo if lo == hi else f"{lo} to {hi}"
        return (f"All of them answer a text with about the same compute ({flops} per text): they differ in what "
                f"training costs, not in what serving costs.")
    if pick is not best and not same(fp, fb):
        how = f"{_share(fb / fp)} of" if fp < fb else f"{_times(fp / fb)} times"
        return (f"To serve, {name(pick)} takes {how} the compute per text of {name(best)} ({format_flops(fp)} "
                f"against {format_flops(fb)}).") + measured_serving(pick, best)
    skip = {r.id for r in useless}
    cheapest = min((r for r in runs if r.id not in skip), key=lambda r: cost[r.id], default=pick)
    others = [r for r in runs if r.id not in skip and r.id != pick.id]
    if cheapest.id == pick.id and others and all(cost[r.id] >= 10 * fp for r in others):
        nearest = min(others, key=lambda r: cost[r.id])
        return (f"It is also the cheapest to serve: {format_flops(fp)} per text, against {format_flops(cost[nearest.id])} "
                f"for {name(nearest)} ({_share(cost[nearest.id] / fp)} of the compute).") + measured_serving(pick, nearest)
    if cost[cheapest.id] * 10 <= fp:
        return (f"Cheapest to serve: {name(cheapest)} ({acc_text(cheapest)}), at {_share(fp / cost[cheapest.id])} "
                f"of {name(pick)}'s compute per text ({format_flops(cost[cheapest.id])} against {format_flops(fp)})."
                + measured_serving(cheapest, pick))
    if pick is not best:
        return f"{name(pick)} and {name(best)} cost the same to serve ({format_flops(fp)} per text)."
    return None


def _majority_p(run, data: dict, judge: Judge = ACCURACY) -> float | None:
    """p that the run beats always answering the test set's majority class, or None where that is unknown.

    Both compare the run with the majority class's answers text by text, as the pairs of runs are compared (a
    run that answers the majority class to everything is a run like the others there: an unpaired binomial test
    against the majority's rate called a run 'not clearly better' than it that the paired table, on the same
    texts, found better beyond chance). Accuracy: McNemar's exact test, one-sided. Macro-F1: the paired
    permutation test against the majority class's answers (1.0 where the run does no better). Worked out once per
    predictions and judge inside :func:`bertlab.memo.within` (a report asked it of each run six times)."""
    return memo.kept("majority_p", (data, judge), (), lambda: _majority_p_of(data, judge))


def _majority_p_of(data: dict, judge: Judge) -> float | None:
    labels = data["labels"]
    n = len(labels)
    if not n:
        return None
    if judge is ACCURACY:
        c = paired.compare(labels, data["predictions"], _majority_answers(labels))
        # one-sided: half the two-sided exact p (the binomial with p = 1/2 is symmetric)
        return min(1.0, c.p_value / 2) if c.a_only > c.b_only else 1.0
    c = paired.compare_f1(labels, data["predictions"], _majority_answers(labels))
    # one-sided, as for accuracy: the swap distribution is symmetric, so half the two-sided p
    return min(1.0, c.p_value / 2) if c.difference > 0 else 1.0


def _majority_answers(labels: list[int]) -> list[int]:
    """The test set's most common label for every text (ties: the smallest label)."""
    counts: dict[int, int] = {}
    for y in labels:
        counts[y] = counts.get(y, 0) + 1
    top = min(counts, key=lambda y: (-counts[y], y))
    return [top] * len(labels)


def _majority_value(data: dict, judge: Judge) -> float:
    labels = data["labels"]
    if judge is ACCURACY:
        return max(labels.count(y) for y in set(labels)) / len(labels)
    import numpy as np

    y = np.asarray(labels, dtype=np.int64)
    return float(paired.macro_f1_rows(y, np.asarray([_majority_answers(labels)]), int(y.max()) + 1)[0])


def no_answer_reason(runs: list) -> str | None:
    """Why :func:`answer` says nothing for these runs where a reader would expect it to (two or more finished runs
    of different strategies, or one finished beside runs that ended without a result), in a sentence; None where it
    answers, or where there is nothing to ask (one strategy, and nothing else ran). A persona's runs on a CSV and on
    an .xlsx of the same texts lost the answer without a word; so did one finished run beside a failed one."""
    done = [r for r in runs if getattr(r, "status", None) == "succeeded"]
    if len({paired.variant(r) for r in done}) >= 2:
        return _declined(done)
    return _nothing_to_compare(runs, done)


def _nothing_to_compare(runs: list, done: list) -> str | None:
    """Where one strategy (and setting) of ``runs`` finished and others ended without a result: why there is no
    answer and what to do, else None. One run finished and one failed read nothing at all under Compare's "Which
    one to use?" (a review)."""
    if not done or not (left := _not_compared(runs)):
        return None
    names = _names_apart(runs)
    only = names[done[0].id] if len(done) == 1 else variants.labels(done)[done[0].id]  # seeds: the strategy's name
    it = "it" if len(left) == 1 else "them"
    # A run cancelled on purpose has nothing to fix ("once what stopped it is fixed" read oddly of it, a review):
    # the words for a fix go to the runs that failed or were interrupted, by name where some were cancelled.
    stopped = [r for r in left if r.status != "cancelled"]
    if not stopped:
        again = f"Run {it} again"
    elif len(stopped) == len(left):
        again = f"Run {it} again once what stopped {it} is fixed"
    else:
        again = (f"Run {it} again ({', '.join(dict.fromkeys(names[r.id] for r in stopped))} once what stopped "
                 f"{'it' if len(stopped) == 1 else 'them'} is fixed)")
    return (f"No answer yet: only {only} finished, so there is nothing to compare it with. Ended without a result: "
            f"{_ended_list(left, names)}. {again}, or train another strategy, for an answer.")


def _declined(done: list) -> str | None:
    """Why :func:`answer` declines these finished runs (several datasets; a strategy on several models at the
    largest size), in the words :func:`no_answer_reason` shows; None where it can answer them."""
    if len(data := sorted({str(r.dataset) for r in done})) > 1:
        from bertlab.config import upload_display_name

        shown = ", ".join(upload_display_name(d) for d in data[:4]) + (", …" if len(data) > 4 else "")
        return (f"No answer for these runs: they were trained and tested on different data ({shown}), and one "
                "answer compares strategies on one dataset. Pick runs of one dataset (the same file read twice, "
                "as a CSV and as a spreadsheet, counts as two).")
    size = max((_n_train(r) for r in done), key=lambda v: -1 if v is None else v)
    models: dict[str, set] = {}
    for r in done:
        if _n_train(r) == size:
            models.setdefault(r.strategy, set()).add(r.model)
    if several := sorted(s for s, m in models.items() if len(m) > 1):
        return (f"No answer for these runs: {', '.join(several)} ran on several models here, and its runs are not "
                "seeds of one thing. Pick runs of one model per strategy.")
    return None


def answer(runs: list, name=None, metric: str | None = None) -> Answer | None:
    """Which of these finished runs to use, or None where the selection cannot say (fewer than two strategies
    with stored test predictions at the largest training size of these runs). Runs of ``runs`` that ended without
    a result are named in a sentence of their own (:func:`not_compared_sentence`).

    ``metric``: 'accuracy' or 'macro_f1'; None chooses (:func:`default_metric`: macro-F1 on a test set whose
    majority class is 70% or more of it, or a class under 5%). One run per strategy: a paired test on the test texts they share
    (McNemar for accuracy, a permutation test for macro-F1). Several runs of a strategy (seeds, at that training
    size): :func:`over_seeds`, the strategies' means compared with a paired t-test over seeds.
    """
    done = [r for r in runs if getattr(r, "status", None) == "succeeded"]
    if not done or _declined(done):
        return None  # several datasets, or a strategy on several models: no one question (no_answer_reason)
    chosen = metric or default_metric(done)
    judge = JUDGES[chosen]
    # The largest training size (a sweep's last point, as the report's and Accuracy vs cost's trade-offs).
    at_size = _at_largest_size(done)
    # a run named beside them that shares a strategy's name (a finished full_ft and an interrupted one): each named
    # as the tables name them, "full_ft · 8c6b" and "full_ft · 15b0", not "full_ft" twice
    names = _names_apart(runs) if name is None and _not_compared(runs) else None
    if names is not None:
        name = lambda run: names[run.id]  # noqa: E731
    # a strategy with and without balanced class weights is two choices, not seeds of one (paired.variant)
    variants = [paired.variant(r) for r in at_size]
    if len(set(variants)) < len(variants):
        a = over_seeds(at_size, judge)
    else:
        a = _one_run_each(at_size, name, judge, table=done)
    if a is not None and judge is MACRO_F1 and (few := few_class_texts_sentence(at_size)):
        a.sentences.insert(0, few)
    if a is not None and metric is None and (why := imbalance_note(done)):
        a.sentences.insert(0, why)
    elif a is not None and chosen == "accuracy" and (why := imbalance_note(done)):  # chosen against the default
        why = why.split(": ")[0]
        a.sentences.insert(0, f"Judged by accuracy although {why[:1].lower()}{why[1:]}; macro-F1 counts every "
                              "class the same.")
    if a is not None:
        from bertlab.plots import run_labels

        # the headline's names in every sentence: "full_ft never answered ..." read beside "Use full_ft · 8c6b"
        labels = {r.id: name(r) for r in at_size} if name is not None else run_labels(at_size)
        seeded = len(set(variants)) < len(variants)  # one seed's recall per class says little of a mean
        for r in [a.pick] if a.pick is a.best else [a.pick, a.best]:
            if seeded:  # its strategy's seeds, named as the answer names it (not "lora · 0003", one seed's run)
                if warn := _seeds_missed_sentence(r, at_size):
                    a.sentences.append(warn)
            elif getattr(r, "id", None) in labels and (warn := missed_classes_sentence(r, labels[r.id])):
                a.sentences.append(warn)
        if a.recommends and (clock := (_seeds_clock_sentence(a.pick, at_size) if seeded else
                                       clock_sentence(a.pick, at_size, labels))):
            a.sentences.append(clock)
        if not seeded and getattr(a.pick, "id", None) in labels and (
                weak := weakest_class_sentence(a.pick, at_size, labels)):
            a.sentences.append(weak)
    if a is not None and (brief := few_steps_sentence(at_size, judge)):
        a.sentences.append(brief)
    if a is not None and (whole := whole_texts_sentence(at_size)):
        a.sentences.append(whole)
    if a is not None and (left := not_compared_sentence(runs, names)):  # a failed run: not silently left out
        a.sentences.append(left)
    if a is not None and len({_n_train(r) for r in done}) > 1:
        a.sentences.append(SEVERAL_SIZES + EVERY_SIZE_ON_PAGE)
    return a


# Said where an answer's runs trained at several sizes; a sweep's report, which has the table for every size, says
# where that table is instead of the page (a student reading the report has no Learning curves page).
SEVERAL_SIZES = "These runs were trained on several training sizes; this answer is for the largest."
EVERY_SIZE_ON_PAGE = " The Learning curves page answers for every size."

NOT_COMPARED_CHARS = 120  # of a failed run's error: its first line, cut here


def _at_largest_size(done: list) -> list:
    """The runs of ``done`` at their largest training size (a sweep's last point): those an answer weighs."""
    size = max((_n_train(r) for r in done), key=lambda v: -1 if v is None else v)
    return [r for r in done if _n_train(r) == size]


def _not_compared(runs: list) -> list:
    """The runs of ``runs`` that ended without a result, of a strategy and settings no finished run here has (one
    per setting)."""
    from bertlab.store import CANCELLED, FAILED, INTERRUPTED
    from bertlab.variants import variant_keys

    # a zero_shot that ended before it read its sentences takes the defaults a finished one recorded
    v = variant_keys(runs)
    have = {v[r.id] for r in runs if getattr(r, "status", None) == "succeeded"}
    left = [r for r in runs if getattr(r, "status", None) in (FAILED, CANCELLED, INTERRUPTED)
            and v[r.id] not in have]  # run again and finished: compared after all
    return list({v[r.id]: r for r in left}.values())


def _names_apart(runs: list) -> dict[str, str]:
    """Names for the runs an answer weighs and those it could not compare, told apart as every table tells them
    (:func:`bertlab.plots.run_labels`: the id's tail where a name repeats, "full_ft · 8c6b")."""
    from bertlab.plots import run_labels

    done = [r for r in runs if getattr(r, "status", None) == "succeeded"]
    return run_labels([*(_at_largest_size(done) if done else []), *_not_compared(runs)])


def not_compared_sentence(runs: list, names: dict[str, str] | None = None) -> str | None:
    """The runs of ``runs`` that ended without a result (failed, cancelled, interrupted), and of a strategy and
    settings no finished run here has, named with why: "Not compared: dapt (failed: UnicodeDecodeError: ...)."
    A failed dapt vanished from the answer, which said "nothing else tried here did better" (a review). Named as
    the answer names them (``names``; by default :func:`_names_apart`): an interrupted full_ft beside a finished
    one read "Not compared: full_ft (interrupted)" above a table naming "full_ft · 8c6b" and "full_ft · 15b0"."""
    left = _not_compared(runs)
    if not left:
        return None
    return "Not compared: " + _ended_list(left, names or _names_apart(runs)) + "."


def _ended_list(left: list, names: dict[str, str]) -> str:
    """'dapt (failed: UnicodeDecodeError: ...); lora (cancelled)': runs that ended without a result, with why."""
    def why(r) -> str:
        line = next((ln.strip() for ln in (r.error or "").splitlines() if ln.strip()), "")
        if len(line) > NOT_COMPARED_CHARS:
            line = line[:NOT_COMPARED_CHARS - 1].rstrip() + "…"
        return r.status if not line or line.lower().startswith(r.status) else f"{r.status}: {line}"

    return "; ".join(f"{names[r.id]} ({why(r)})" for r in left)


def _seeds_missed_sentence(run, runs: list) -> str | None:
    """:func:`missed_classes_sentence` over seeds: for the strategy of ``run`` (named as :func:`over_seeds` names
    it), the first of its seeds' runs that never answered a class, named by its seed, and how many of its seeds did
    so: "lora at seed 2 never answered 'c3' (1 test text): its recall there is 0; 2 of its 3 seeds missed a class."
    It read "lora · 0003 never answered 'c3'" beside an answer that said "lora"."""
    from bertlab.variants import labels as named

    shown = named(runs)
    mine = sorted((r for r in runs if shown[r.id] == shown[run.id]), key=lambda r: getattr(r, "created", 0))
    said = [x for r in mine if (x := missed_classes_sentence(
        r, f"{shown[r.id]} at seed {(getattr(r, 'config', None) or {}).get('seed', '?')}" if len(mine) > 1
        else shown[r.id]))]
    if not said:
        return None
    if len(said) == 1:
        return said[0] if len(mine) == 1 else f"{said[0][:-1]}; the other {len(mine) - 1} seed{'s' * (len(mine) > 2)} did not."
    return f"{said[0][:-1]}; {len(said)} of its {len(mine)} seeds missed a class."


def _seeds_clock_sentence(pick, runs: list) -> str | None:
    """:func:`clock_sentence` over seeds: each strategy (named as :func:`over_seeds` names it) by its runs' mean
    costs, a cost a run did not keep left out of its strategy's, as :func:`over_seeds` prices them. It named one
    seed's run ("By the clock, full_ft · 0004 trained faster here") beside an answer that said "full_ft"."""
    from bertlab.variants import labels as named

    shown = named(runs)
    groups: dict[str, list] = {}
    for r in runs:
        groups.setdefault(shown[r.id], []).append(r)

    def priced(strategy: str, rs: list) -> SimpleNamespace:
        kept = {key: [v for r in rs if (v := (getattr(r, "costs", None) or {}).get(key)) is not None]
                for key in ("train_flops", "train_seconds")}
        return SimpleNamespace(id=strategy, strategy=strategy,
                               costs={key: _mean(vs) for key, vs in kept.items() if len(vs) == len(rs)})

    means = {s_: priced(s_, rs) for s_, rs in groups.items()}
    return clock_sentence(means[shown[pick.id]], list(means.values()), {s_: s_ for s_ in means},
                          over=", means over the seeds" if any(len(rs) > 1 for rs in groups.values()) else "")


def clock_sentence(pick, runs: list, labels: dict[str, str], over: str = "") -> str | None:
    """Where a run the answer counts as costlier to train (by FLOPs) trained clearly faster than ``pick`` by the
    clock (two thirds of the time or less, 2 s or more apart: beyond a shared machine's noise), a sentence saying so and why the answer weighs FLOPs; else
    None. A review: "Use tfidf_logreg: ... the cheapest to train" above a table timing it at 13.6 s and head_only
    at 6.9 s, where the answer's yardstick was never named. ``over``: what the seconds are, after them (", means
    over the seeds")."""
    seconds = (getattr(pick, "costs", None) or {}).get("train_seconds")
    if not seconds:
        return None
    faster = [r for r in runs if r is not pick and _dearer(_cost(r), _cost(pick))
              and 0 < (t := float((r.costs or {}).get("train_seconds") or 0)) <= seconds / 1.5 and seconds - t >= 2.0]
    if not faster:
        return None
    quick = min(faster, key=lambda r: r.costs["train_seconds"])
    name = labels.get(getattr(quick, "id", None), quick.strategy)
    said = f"By the clock, {name} trained faster here ({_seconds(quick.costs['train_seconds'])} against {_seconds(seconds)}{over})"
    if _cost(quick)[0] == math.inf and _cost(pick)[0] < math.inf:
        # not "the answer weighs training FLOPs" alone, as if its FLOPs said it cost more: it kept none (a run
        # stored before bertlab counted them), and the answer never takes an unknown cost for the cheaper
        return (f"{said}, but kept no training FLOPs (stored before bertlab counted them): the answer weighs FLOPs, "
                "and never takes a cost it does not know for the cheaper.")
    return (f"{said}: the answer weighs training FLOPs, an estimate of the arithmetic that does not depend on the "
            "machine or its load, where seconds do, and count work the FLOPs leave out (reading and tokenising the "
            "texts, a search over settings).")


def one_class_sentence(run, name: str) -> str | None:
    """"full_ft answered 'fresh' to every text: it learned nothing in 32 optimizer steps; train it longer ...", for a
    run that gave one answer to every test text, else None. A teacher's 1-epoch full_ft read only "not clearly
    better" than the majority class, which says nothing of a model that learned nothing. What to change is the
    run's note's advice (:func:`bertlab.strategies.one_class_advice`), in its strategy's terms."""
    from bertlab.metrics import run_single_class

    if (only := run_single_class(getattr(run, "metrics", None))) is None:
        return None
    said = f"{name} answered {only!r} to every text: "
    if getattr(run, "strategy", None) == "zero_shot":  # nothing trained: its class sentences decide
        return said + "its class descriptions do not tell the texts apart; write ones that do."
    from bertlab.strategies import one_class_advice

    config, summary = getattr(run, "config", None) or {}, getattr(run, "data_summary", None) or {}
    advice = one_class_advice(getattr(run, "strategy", None), epochs=config.get("epochs"),
                              learning_rate=config.get("learning_rate"), class_weights=config.get("class_weights"),
                              train_counts=summary.get("train_counts"), n_train=(summary.get("sizes") or {}).get("train"),
                              steps=(getattr(run, "costs", None) or {}).get("steps"),
                              # its notes call its steps too few: agreed with, as its own one-class note does (at
                              # ten times the rate in 32 steps this ended "not longer" beside "give it 40 or more")
                              few_steps=_few_steps_head(run) is not None)
    return said + (advice or "it learned nothing; train it longer, or on more examples of the other classes") + "."


def _few_steps_head(run) -> str | None:
    """'12 optimizer steps' where ``run``'s notes call its optimizer steps too few
    (:func:`bertlab.strategies.classifier.few_steps_note`: "only 12 optimizer steps (...): too few ..."), else None."""
    for note in getattr(run, "notes", None) or []:
        head = note.split(":")[0]
        if note.startswith("only ") and " optimizer step" in head:
            return head[len("only "):]
    return None


def few_steps_sentence(runs: list, judge: Judge = ACCURACY) -> str | None:
    """A sentence naming the strategies among ``runs`` trained with too few optimizer steps to judge (their runs'
    note from :func:`bertlab.strategies.classifier.few_steps_note`), or None: an answer that calls full_ft "less
    accurate" after 6 steps says more about the settings than about full_ft."""
    from bertlab.metrics import run_single_class
    from bertlab.strategies import rate_too_high

    few: dict[str, str] = {}
    for r in runs:
        if run_single_class(getattr(r, "metrics", None)) is not None and rate_too_high(
                getattr(r, "strategy", None), (getattr(r, "config", None) or {}).get("learning_rate")):
            continue  # its one-class sentence says to lower its rate, "not longer" (full_ft at 1 in 12 steps)
        if (head := _few_steps_head(r)) is not None:
            few.setdefault(r.strategy, head)
    if not few:
        return None
    listed = "; ".join(f"{s}, {steps}" for s, steps in few.items())
    # "or trusting its lead" only of a strategy that leads (by ``judge``'s measure): said of full_ft at 57.8%, the
    # last of four (rotten_tomatoes, run --quick, full_ft at 1 epoch). Over seeds, by its mean, as the answer
    # ranks them: one lucky seed of a full_ft at 6 steps (86% and 50%, mean 68%) earned "trusting its lead" beside
    # a head_only at 75% and 76%
    means: dict = {}
    for r in runs:
        means.setdefault(paired.variant(r), []).append(judge.of(r))
    top = max(means, key=lambda v: _mean(means[v]), default=(None,))[0]
    lead = ("" if top not in few else ", or trusting its lead" if len(few) == 1 else f", or trusting {top}'s lead")
    return (f"Trained too briefly to judge ({listed}): too few optimizer steps for the weights to move far, so "
            f"{'its score' if len(few) == 1 else 'their scores'} may understate "
            f"{'the strategy' if len(few) == 1 else 'these strategies'}. Train longer (more epochs, or a smaller "
            f"batch size) before ruling {'it' if len(few) == 1 else 'them'} out{lead}.")


# A run's truncation note (bertlab.runner.truncation_note), read only for runs stored before its numbers were kept
# as fields (metrics["truncation"], bertlab.runner.truncation_record): "425 of 425 test texts (100%) are longer than max_length
# 128 tokens and were cut to it ... (median 411 tokens, ...": the share cut of the first part it counts, the max
# length, the median length.
_CUT_NOTE = re.compile(r"^[\d,]+ of [\d,]+ \w+ texts \(([\d.]+)%\) are longer than max_length (\d+) tokens and were "
                       r"cut to it.*?\(median ([\d,]+) tokens")
# ... and the model's limit it names (bertlab.runner.longer_texts_advice): below it, "this model reads at most 512
# tokens"; at it, "512 is all this model reads"
_LIMIT = re.compile(r"this model reads at most (\d+) tokens|(\d+) is all this model reads")
# The share of a run's texts cut at max_length from which a whole-text comparison is named; the Train page's line on
# long texts (cut at max length) is said from the same share
CUT_SHARE = 0.10


def truncation_of(run) -> dict | None:
    """What a run's truncation note says, as numbers: share (percent of the first part it names), max_length,
    median (tokens) and limit (the model's, None where the note names none); None where nothing was cut. From its
    metrics' record (runs stored since 2026-12-06), else parsed from the note (runs stored before)."""
    rec = (getattr(run, "metrics", None) or {}).get("truncation")
    if isinstance(rec, dict) and rec.get("max_length"):
        return {"share": 100 * float(rec["share"]), "max_length": int(rec["max_length"]),
                "median": int(rec["median_tokens"]), "limit": rec.get("model_limit")}
    for note in getattr(run, "notes", None) or []:
        if m := _CUT_NOTE.match(note):
            lim = _LIMIT.search(note)
            return {"share": float(m[1]), "max_length": int(m[2]), "median": int(m[3].replace(",", "")),
                    "limit": int(next(g for g in lim.groups() if g)) if lim else None}
    return None


def whole_texts_sentence(runs: list) -> str | None:
    """Where runs did not read the same text: a strategy that reads every text whole (tfidf_logreg: no tokenizer, no
    max_length), or runs at another max_length (``--max-length full_ft=256``), beside runs whose tokenizer cut a
    share of the texts at theirs (:data:`CUT_SHARE` or more, from their truncation note), a sentence saying so;
    None otherwise. On bbc_news (Quick demo, 2026-12-06) the answer picked tfidf_logreg (98.6%) over head_only
    (97.9%) unsaid that head_only had read the first 128 tokens of articles of a median 421, tfidf_logreg all. On a
    pair task (a run's ``text_pair_column``) a pair is cut longer text first (bertlab.textpair), not to its first
    tokens: a run at 16 tokens reads the start of both texts, and the sentence says so of each pair."""
    from bertlab.data.dataset import clip_worth_naming
    from bertlab.strategies import REGISTRY

    pairs = any((getattr(r, "data_summary", None) or {}).get("text_pair_column") for r in runs)
    text = "pair" if pairs else "text"

    whole: dict[str, None] = {}
    # (max_length, truncation): the strategies that read at it, cutting a long text's start alone or its start and end
    read: dict[tuple[int, str], dict[str, None]] = {}
    shares: dict[int, list[float]] = {}  # max_length: the shares cut there (runs cutting CUT_SHARE or more)
    medians, own_medians, cut_models, limits = [], [], {}, []
    for r in runs:
        s = REGISTRY.get(getattr(r, "strategy", None))  # (a run read back with its scores alone: none)
        if s is None:
            continue
        if not s.uses_tokens:
            whole[r.strategy] = None
            continue
        length = (getattr(r, "config", None) or {}).get("max_length")
        if (cut := truncation_of(r)) is not None and cut["share"] >= 100 * CUT_SHARE:
            length = cut["max_length"]
            shares.setdefault(length, []).append(cut["share"])
            # counted in the model's tokens, or (scratch's new vocabulary) in the run's own: another scale
            own = not s.reads_model_tokenizer(bool((getattr(r, "config", None) or {}).get("new_vocab")))
            (own_medians if own else medians).append(cut["median"])
            cut_models[getattr(r, "model", None)] = None
            limits.append(cut["limit"])
        if length:
            how = (getattr(r, "config", None) or {}).get("truncation") or "head"  # a run from before it: head
            # a pair: head always; one strategy read two ways is named by what tells its runs apart
            # ('head_only (head_tail truncation)'), as the answer names them
            read.setdefault((int(length), "head" if pairs else how), {})[r.id] = None
    # runs at one max length that cut a long text differently (head, head_tail) did not read the same text either
    if not shares or not (whole or len(read) > 1):
        return None

    from bertlab.variants import labels

    named = labels([r for r in runs if getattr(r, "id", None) is not None])

    def listed(ids) -> str:
        names = list(dict.fromkeys(named.get(i, i) for i in ids))
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def share(length: int, both: bool = False) -> str:
        cut = shares[length]
        lo, hi = f"{min(cut):.0f}", f"{max(cut):.0f}"  # as shown: 99.8% and 100% cut read "100-100%"
        most = f"{hi}%" if lo == hi else f"{lo}-{hi}%"
        return f" ({most} of the {text}s were longer{', for both' * both})"

    # texts clipped on loading (MAX_TEXT_CHARS): read by no run past the clip, not even the one that reads them
    # "whole"; the token counts below are of the clipped texts. Said where they are CLIP_SHARE or more of the texts
    # a run read (its split's sizes), as the Train page's long-text line says it
    def clipped(r) -> tuple[int, int] | None:
        read = sum(((getattr(r, "data_summary", None) or {}).get("sizes") or {}).values())
        return clip_worth_naming(getattr(r, "notes", None), read)

    clip = max((c for r in runs if (c := clipped(r))), default=None)
    first = f"its first {clip[1]:,} characters" if clip else ""
    parts = ([f"{listed(whole)} read each {text} whole"
              + (f" up to {first} ({clip[0]:,} of the data's {text}s were longer and were clipped to it on "
                 "loading: no run read past it)" if clip else "")] if whole else [])
    # a head and a head_tail run at one max length share one share of texts cut: said once, after the second (it
    # was said twice, word for word, in a Compare of head_only head against head_tail at 64)
    cuts = sorted(read.items(), reverse=True)
    for i, ((length, how), names) in enumerate(cuts):
        verb = "" if parts else " read"
        what = (f"{length} tokens of each pair, the longer of its two texts cut first" if pairs
                else f"its first {length // 4} and last {length - length // 4} tokens" if how == "head_tail"
                else f"its first {length} tokens")
        last = i + 1 == len(cuts) or cuts[i + 1][0][0] != length
        parts.append(f"{listed(names)}{verb} {'only ' * (length in shares)}{what}"
                     + (share(length, both=i > 0 and cuts[i - 1][0][0] == length) if length in shares and last
                        else ""))
    median = statistics.median_high(medians or own_medians)  # the model's tokens where any run counted in them
    return (f"Not on the same text: {', '.join(parts)}; the median {text} is {median:,} "
            f"tokens{' in ' + first if clip else ''}, so part of the gap between them may be the words an encoder never saw; {_longer(cut_models, limits, max(shares))}.")


def _longer(models_cut: dict, limits: list, longest: int) -> str:
    """What a larger max length can do for runs of ``models_cut`` that cut texts at up to ``longest`` tokens, from
    the model's limit their truncation notes give (``limits``, None for a note that gives none): that limit named,
    or, at it, that none is possible (as the notes say, :func:`bertlab.runner.longer_texts_advice`). It said 'at
    most the model's positions, 512 for MiniLM' of runs already at 512, and of every model alike."""
    from bertlab.config import model_title

    if not limits or None in limits:
        return "a larger max length, where the model reads more, compares them on more of each text"
    names = " and ".join(dict.fromkeys(model_title(str(m)).split(" (")[0] for m in models_cut if m)) or "the model"
    if longest >= min(limits):
        return (f"{min(limits)} tokens is all {names} reads, so a larger max length is not possible (the runs' "
                "truncation notes say what else reads more of each text)")
    return f"a larger max length (at most {min(limits)}, {names}'s positions) compares them on more of each text"


# What an answer from one training of each strategy does not weigh, and how to weigh it.
ONE_SEED_CAVEAT = ("Each run is one training at one seed: this weighs the luck of the test set, not of training "
                   "(another seed trains another model). Several runs per strategy (Runs per strategy on the Train "
                   "page, run --repeats, repeats=N in bertlab.compare, or a sweep) cover that too.")


def _one_run_each(at_size: list, name=None, judge: Judge = ACCURACY, table: list | None = None) -> Answer | None:
    """:func:`answer` for one run per strategy: a paired test on the test texts they share with the best run
    (None where that run kept no test predictions: it could not be tested against the others). ``table``: the runs
    of the paired-test table beside the answer (default ``at_size``), whose Holm family on this test set the gaps
    are judged by: a sweep's smaller sizes share its test set, and their pairs are in that family too."""
    score = judge.of
    best_data = paired.load_predictions(max(at_size, key=score))
    if best_data is None:
        return None
    members = [(r, d) for r in at_size if (d := paired.load_predictions(r)) is not None
               and d["fingerprint"] == best_data["fingerprint"]]
    if len(members) < 2:
        return None
    if name is None:  # the names every chart gives them: the strategy alone where it ran once, else "full_ft · 1a2b"
        from bertlab.plots import run_labels

        labels = run_labels([r for r, _ in members])
        name = lambda run: labels[run.id]  # noqa: E731
    n = len(best_data["labels"])
    # Runs no better than always answering the majority class: named, never recommended.
    flat = [r for r, d in members if (mp := _majority_p(r, d, judge)) is not None and mp >= ALPHA]
    # A paired test's p does not fall as the score rises (a run answering nearly always the majority class gets a
    # small p from a few right flips; one answering both classes a larger p): a run scoring at least as well as one
    # found better than the majority class is not set aside, or the answer would call a less accurate run "the most
    # accurate" (a review: head_only at 56.0% named so, full_ft at 58.5% set aside).
    if clear := [score(r) for r, _ in members if r not in flat]:
        flat = [r for r in flat if score(r) < min(clear) - 1e-12]
    flat_ids = {r.id for r in flat}
    maj = _majority_value(best_data, judge)
    below = [r for r in flat if score(r) < maj - 1e-9]
    level = [r for r in flat if r not in below]
    parts = ([f"not clearly better: {', '.join(f'{name(r)} ({judge.short(score(r))})' for r in level)}"] if level else
             []) + ([f"worse: {', '.join(f'{name(r)} ({judge.short(score(r))})' for r in below)}"] if below else [])
    flat_sentence = (f"Against always answering the majority class ({judge.value(maj)}), "
                     f"{'; '.join(parts)}.")
    # and of those, the ones that answered one class to every text, said plainly (beside it, not in it)
    one_class = [x for r in flat if (x := one_class_sentence(r, name(r)))]
    caveat = ONE_SEED_CAVEAT
    useful = [(r, d) for r, d in members if r.id not in flat_ids]
    if not useful:
        best = max((r for r, _ in members), key=score)
        labels = best_data["labels"]
        rest = n - max(labels.count(y) for y in set(labels))  # texts outside the majority class
        # a test set of one class: "of which only 0 are outside the majority class: on so few, even a large gap
        # may be chance" (no gap can be told there at all, and more texts of that one class would not help)
        few = (", every one of them of one class: answering it always is right on all of them, so no run can be "
               "told from doing that" if not rest else
               f", of which only {rest:,} {'is' if rest == 1 else 'are'} outside the majority class: on so few, "
               "even a large gap may be chance" if rest < 50 else "")
        more = "test texts of the other classes" if not rest else "more test texts"
        headline = (f"None of these runs is clearly better than always answering the majority class "
                    f"({judge.value(maj)} on {n:,} test text{'s' * (n != 1)}{few}). Score them on {more}, or train "
                    f"on more data or with another strategy, before choosing one.")
        return Answer(best=best, pick=best, headline=headline, sentences=[flat_sentence, *one_class], caveat=caveat,
                      recommends=False)
    # The best; of equal scores, the cheapest, and of those about as cheap as it (SAME_COST: seconds of wall-time
    # noise are no reason), the better by the other measure (a persona's two head_only runs at 70.6%, 3.35 s and
    # 3.38 s, were told apart by the 0.03 s and not by macro-F1's 0.691 against 0.657).
    other = MACRO_F1 if judge is ACCURACY else ACCURACY
    top = [m for m in useful if score(m[0]) == max(score(r) for r, _ in useful)]
    low = min(_cost(r) for r, _ in top)
    best, best_data = max((m for m in top if not _dearer(_cost(m[0]), low)),
                          key=lambda m: (other.of(m[0]), [-x for x in _cost(m[0])]))
    # each pair judged as the paired-test table under the answer judges it: by Holm's p where it adjusts
    family = members + [(r, d) for r in table or [] if r not in at_size and (d := paired.load_predictions(r))
                        is not None and d["fingerprint"] == best_data["fingerprint"]]
    test = holm_tester(family, judge)
    cheaper = [(r, d, test(best, best_data, r, d)) for r, d in members if _dearer(_cost(best), _cost(r))]
    bn = name(best)
    sentences: list[str] = []
    dearer = [(r, d, test(best, best_data, r, d)) for r, d in useful if not _dearer(_cost(best), _cost(r)) and score(r) < score(best)]
    if not cheaper:
        pick = best
        # runs that kept no training FLOPs (stored before bertlab counted them) are never the cheaper, but nor are
        # they shown to cost more: "Use full_ft: the cheapest to train" beside head_only at 10 s against 3.3 min
        unknown = [r for r, _ in members if r is not best and _cost(r)[0] == math.inf] if _cost(best)[0] < math.inf \
            else []
        known = [_cost(r) for r, _ in members if r is not best and r not in unknown]
        cheapest = (_cheapest(_cost(best), known) + (" of the runs that kept their training FLOPs" if unknown else "")
                    if known or not unknown else "the only run here that kept its training FLOPs")
        if dearer and any(c.p_value >= ALPHA for _, _, c in dearer) and (known or not unknown):
            # ahead of a dearer run by a gap the test set cannot tell from chance: the right pick all the same
            # (the cheapest, and nothing beats it), but "the most accurate" read as settled on 8 test texts
            headline = (f"Use {bn}: {cheapest}, and no costlier run is better beyond the luck of the test "
                        f"set ({judge.value(score(best))} on {n:,} test texts).")
        else:
            headline = (f"Use {bn}: {judge.top_of} ({judge.value(score(best))} on {n:,} test texts) and "
                        f"{cheapest}.")
    else:
        # A cheaper run the test set cannot tell from the best, that no other run beats beyond its luck either
        # (paired tests are not transitive: B may tie with A and C while C beats B), and that beats the majority
        # class.
        def beaten(r, d) -> bool:
            return any(score(o) > score(r) and test(o, od, r, d).p_value < ALPHA for o, od in members if o is not r)

        tied = [c for c in cheaper if c[2].p_value >= ALPHA and c[0].id not in flat_ids and not beaten(c[0], c[1])]
        if tied:  # the cheapest, and of those about as cheap as it, the best
            low = min(_cost(c[0]) for c in tied)
            pick, _, p = max((c for c in tied if not _dearer(_cost(c[0]), low)), key=lambda c: (score(c[0]),
                                                                                                [-x for x in _cost(c[0])]))
            pn = name(pick)
            headline = (f"Start with {pn}: it is {judge.gap(p.difference)} behind {judge.top_run}, {bn} "
                        f"({judge.value(score(pick))} against {judge.short(score(best))} on {n:,} test texts), a gap "
                        f"this test set cannot tell from chance ({p.said(judge)}), and it "
                        f"{cost_phrase(best, pick)}.")
            sentences.append(f"The 95% interval of {bn}'s lead on texts like these runs from "
                             f"{judge.span(*p.interval)}: if a lead near the top of that range would be worth its "
                             f"cost, score both on more test texts to settle it."
                             + (" " + judge.edge_note if paired.at_the_edge(p.raw, p.interval) else "")
                             # said wherever Holm alone leaves the gap within chance: by macro-F1 (a bootstrap
                             # interval beside a permutation p) the pair's own p can be below 0.05 while its
                             # interval spans 0, and nothing said why the gap was within chance
                             + (f" (That interval and this pair's own p, below {ALPHA}, are of this pair alone; it is "
                                f"Holm's adjustment for the {p.pairs} pairs tested here that leaves the gap within "
                                "chance.)" if p.pairs and p.raw < ALPHA <= p.p_value else ""))

            def passed_over(r, d, c) -> str:
                if c.p_value < ALPHA:
                    return f"behind {bn} beyond chance, {c.said(judge)}"
                if beaten(r, d):
                    return "behind another run here beyond chance"
                if _dearer(_cost(r), _cost(pick)):
                    return f"costlier to train than {pn}"
                if score(r) < score(pick):
                    return f"about as cheap as {pn} and {judge.gap(score(pick) - score(r))} behind it"
                return f"about as cheap as {pn}"

            # the runs between the pick and the best: a persona's two head_only settings, cheaper than full_ft and
            # dearer than zero_shot, were named nowhere in the answer
            if passed := [c for c in cheaper if c[0] is not pick and c[0].id not in flat_ids]:
                sentences.append(f"Also cheaper than {bn}, and not the pick: " + "; ".join(
                    f"{name(r)} ({judge.value(score(r))}: {passed_over(r, d, c)})"
                    for r, d, c in sorted(passed, key=lambda c: -score(c[0]))) + ".")
        elif ties := [c for c in cheaper if c[2].p_value >= ALPHA and c[0].id not in flat_ids]:  # rare
            pick = best
            headline = (f"Use {bn}: {judge.top_of} ({judge.value(score(best))} on {n:,} test texts). The "
                        f"cheaper runs this test set cannot tell from it ({', '.join(name(c[0]) for c in ties)}) "
                        f"are each beaten beyond chance by another run.")
        else:
            pick = best
            rivals = [c for c in cheaper if c[0].id not in flat_ids]  # each behind it beyond chance
            if rivals:
                nearest, _, p = max(rivals, key=lambda c: (score(c[0]), [-x for x in _cost(c[0])]))
                nn = name(nearest)
                headline = (f"Use {bn}: {judge.top_of} ({judge.value(score(best))} on {n:,} test texts), "
                            f"{judge.gap(p.difference)} ahead of the best cheaper run, {nn} "
                            f"({judge.value(score(nearest))}), beyond the luck of the test set ({p.said(judge)}; 95% "
                            f"interval of the lead {judge.span(*p.interval)}).")
                if paired.at_the_edge(p.raw, p.interval):
                    sentences.append(judge.edge_note)
                # "ahead of every cheaper run" holds as far as its least clear test does (an intersection-union
                # test's p is the largest): where that is not the nearest run's, it is named too
                least, _, lp = max(rivals, key=lambda c: c[2].p_value)
                if least is not nearest and lp.p_value > p.p_value:
                    sentences.append(f"Every cheaper run is behind it beyond chance; the least clear of those gaps "
                                     f"is to {name(least)} ({judge.value(score(least))}, {lp.said(judge)}).")
                sentences.append(lead_price(best, nearest, bn, nn))
            else:
                headline = (f"Use {bn}: {judge.top_of} ({judge.value(score(best))} on {n:,} test texts); every "
                            f"cheaper run is no better than always answering the majority class.")
    if dearer:  # what paying more would have bought: less, or nothing the test set can tell
        def behind(r, c) -> str:
            return f"{name(r)} ({judge.value(score(r))}, {judge.gap(c.difference)} behind, {c.said(judge)})"

        def by_cost(group) -> list[tuple[str, list]]:
            """The group's costlier runs, then those about as costly as the best (within SAME_COST) or cheaper
            to run, each with its words: one phrase for a whole group called full_ft "No cheaper to train" beside
            zero_shot, at 100,000 times tfidf_logreg's training compute. (The second group's words were "No
            cheaper to train", beside a table where one of them was: next to nothing both, not weighed.)"""
            unseen = [m for m in group if _cost(m[0])[0] == math.inf and _cost(best)[0] < math.inf]
            costlier = [m for m in group if _dearer(_cost(m[0]), _cost(best)) and m not in unseen]
            rest = [m for m in group if not _dearer(_cost(m[0]), _cost(best))]
            return [(w, g) for w, g in (("Costlier to train", costlier), ("About as cheap to train", rest),
                                        ("Of unknown training cost (no FLOPs kept)", unseen)) if g]

        ranked = sorted(dearer, key=lambda m: -score(m[0]))
        for words, group in by_cost([(r, c) for r, _, c in ranked if c.p_value < ALPHA]):
            sentences.append(f"{words} and less {'accurate' if judge is ACCURACY else 'good by macro-F1'} "
                             f"than {bn}: {', '.join(behind(r, c) for r, c in group)}.")
        for words, group in by_cost([(r, c) for r, _, c in ranked if c.p_value >= ALPHA]):
            sentences.append(f"{words}, and behind {bn} by a gap this test set cannot tell from chance: "
                             f"{', '.join(behind(r, c) for r, c in group)}.")
    if n < FEW_TEST_TEXTS:
        sentences.append(few_test_texts(n, best, bn, judge))
    ran = [r for r, _ in members]
    by_name = {name(r): r for r in ran}
    for chosen in dict.fromkeys([name(best), name(pick)]):  # a setting chosen on the test texts: does validation agree?
        if said := validation_pick_sentence(ran, chosen, name, judge, lambda g: judge.value(score(by_name[g]))):
            sentences.append(said)
    same = [r for r, _ in useful if r is not best and r is not pick and score(r) == score(best)]
    if same:  # as good as the best, but dearer to train: worth naming, or the reader wonders where they went
        good = "accurate" if judge is ACCURACY else "good by macro-F1"
        if dear_same := [r for r in same if _dearer(_cost(r), _cost(best))]:
            sentences.append(f"As {good} as {bn}, for more training: {', '.join(name(r) for r in dear_same)}.")
        alike = [r for r in same if r not in dear_same]
        # told apart by the other measure, as far as its shown figures do (a review: "behind it by macro-F1:
        # head_only (1.000 against 1.000)", two runs level on both)
        level = [r for r in alike if other.short(other.of(r)) == other.short(other.of(best))]
        if behind_other := [r for r in alike if r not in level]:
            sentences.append(f"As {good} as {bn}, at about the same training cost, but behind it by "
                             f"{other.name}: " + ", ".join(f"{name(r)} ({other.short(other.of(r))} against "
                                                            f"{other.short(other.of(best))})"
                                                            for r in behind_other) + ".")
        if level:
            sentences.append(f"As {good} as {bn}, and level with it by {other.name} too "
                             f"({other.short(other.of(best))}), at about the same training cost: "
                             f"{', '.join(name(r) for r in level)}. Either will do.")
    if (serve := serve_sentence([r for r, _ in members], best, pick, name, lambda r: judge.value(score(r)),
                                useless=flat)) is not None:
        sentences.append(serve)
    if flat:
        sentences += [flat_sentence, *one_class]
    by = ACCURACY if judge is MACRO_F1 else MACRO_F1
    # judged by Holm's p over every pair of the table (its runs, the flat ones too), as that table judging by ``by``
    if trade := tradeoff(useful, pick, name, by, holm_tester(family, by)):
        sentences.append(trade)
    return Answer(best=best, pick=pick, headline=headline, sentences=sentences, caveat=caveat,
                  plain=plain_words(best, pick, variants.parts([r for r, _ in members])))


def _seeds_tradeoff(by_strategy: dict, pick: str, useless, by_id: dict, by: Judge) -> str | None:
    """:func:`tradeoff` over seeds: where the other measure ``by`` (accuracy, or macro-F1) puts a strategy ahead of
    ``pick`` (means over seeds) beyond chance by :func:`seeds_p`, the sentence that says so."""
    means = {s_: _mean(q[by.key] for q in seeds.values()) for s_, seeds in by_strategy.items() if s_ not in useless}
    top = max(means, key=means.get)
    common = sorted(set(by_strategy[top]) & set(by_strategy[pick]), key=str)
    if top == pick or means[top] <= means[pick] or len(common) < 2:
        return None

    def data(s_: str, k):
        return paired.load_predictions(by_id[by_strategy[s_][k]["run_id"]])

    def each_seed() -> list:
        out = []
        for k in common:
            a, b = data(top, k), data(pick, k)
            out.append(by.compare(a["labels"], a["predictions"], b["predictions"]).p_value
                       if a and b and a["fingerprint"] == b["fingerprint"] else None)
        return out

    p, how = seeds_p([by_strategy[top][k][by.key] - by_strategy[pick][k][by.key] for k in common],
                     each_seed, lambda: len({(d or {}).get("fingerprint") for s_ in (top, pick) for k in common
                                             if (d := data(s_, k))}) == 1)
    if p is None or p >= ALPHA:
        return None
    return _tradeoff_sentence(by, top, pick, means[top] - means[pick], means[top], means[pick], ", means over the seeds",
                              f"beyond chance ({seeds_test_name(how, len(common), by)}, {paired.p_is(p)})")


def tradeoff(members: list[tuple], pick, name, by: Judge, test=None) -> str | None:
    """Where one measure chose ``pick`` but by the other, ``by``, another of ``members`` (``(run, predictions)`` on
    one test set) is ahead of it beyond chance (its paired test, judged by ``test``: :func:`holm_tester`, by default
    over ``members``, so among several pairs by Holm's adjusted p as the paired-test table judging by ``by``; a
    review: "beyond the luck of the test set (paired permutation test p = 0.048)" where Holm's p over the table's 10
    pairs was 1.00): the sentence that says what judging by the first gave up, else None. Personas: macro-F1, moved by a class of 5 test texts, picked zero_shot, 13 points less
    accurate than head_only (p < 0.001), and nothing said so; accuracy picked a run that never answers a class of
    a tenth of the texts, where another run was far ahead by macro-F1."""
    mine = next((d for r, d in members if r is pick), None)
    if mine is None:
        return None
    test = test or holm_tester(members, by)
    ahead = [(r, c) for r, d in members if r is not pick and by.of(r) > by.of(pick)
             and (c := test(r, d, pick, mine)).p_value < ALPHA]
    if not ahead:
        return None
    r, c = max(ahead, key=lambda m: by.of(m[0]))
    return _tradeoff_sentence(by, name(r), name(pick), c.difference, by.of(r), by.of(pick), "",
                              f"beyond the luck of the test set ({c.said(by)})")


def _tradeoff_sentence(by: Judge, top: str, pick: str, gap: float, v_top: float, v_pick: float, over: str,
                       beyond: str) -> str:
    """What judging by the other measure than ``by`` trades away: ``top`` ahead of ``pick`` by ``by``."""
    if by is ACCURACY:
        return (f"What judging by macro-F1 trades away: by accuracy (every text counts the same), {top} is "
                f"{by.gap(gap)} ahead of {pick} ({by.value(v_top)} against {by.short(v_pick)}{over}), {beyond}. "
                f"Macro-F1 counts each class the same, so a rare class weighs as much as a common one: keep {pick} "
                "if the rare classes matter that much, else judge by accuracy.")
    return (f"What judging by accuracy trades away: by macro-F1 (every class counts the same), {top} is "
            f"{by.gap(gap)} ahead of {pick} ({by.value(v_top)} against {by.short(v_pick)}{over}), {beyond}: judge "
            "by macro-F1 if every class should count the same, however few its texts.")


FEW_TEST_TEXTS = 100  # under this, a test set tells apart only gaps of 10-30 points


def few_test_texts(n: int, best, bn: str, judge: Judge) -> str:
    """What a test set of ``n`` < :data:`FEW_TEST_TEXTS` texts can tell, with the best run's interval."""
    from bertlab.metrics import run_accuracy_interval

    ci = run_accuracy_interval(best.metrics or {}, n) if judge is ACCURACY else None
    known = f" ({bn}'s accuracy is somewhere in {_pct(ci[0])}-{_pct(ci[1])}, 95% interval)" if ci else ""
    data = (getattr(best, "config", None) or {}).get("data") or {}
    cap = data.get("test_size")
    more = (f"More test texts (a larger test cap on the Data page, now {cap:,}, or more data) would settle it."
            if cap and n >= cap else
            f"More test rows in the file's own split (column {data['split_column']!r}) would settle it."
            if data.get("split_column")
            else f"A larger hub test split than {data['hub_test_split']!r} would settle it."
            if data.get("hub_test_split")
            else "The test split already holds all the texts this data can spare: only more labelled data would "
                 "settle it.")
    return (f"{n:,} test texts are few{known}: only a large gap between runs can be told from chance, and this "
            f"ranking may not hold on other texts. {more}")


def lead_price(best, cheap, bn: str, cn: str) -> str:
    """What the best run's lead over a cheaper run costs, in a sentence that names the lead first: "What head_only's
    lead over tfidf_logreg costs: 10,000 times the training compute (...)". It read "What the lead costs:
    tfidf_logreg takes 1/10,000 of the training compute ...", and a first-time user took tfidf_logreg, named
    first, for the lead."""
    fd, sd = _cost(best)
    fc = _cost(cheap)[0]
    head = f"What {bn}'s lead over {cn} costs:"
    if _cost(cheap) == (0.0, 0.0):
        here = f" ({_seconds(sd)} here)" if _timed(best) else ""  # none kept: not "(0.0 s here)"
        if not (0 < fd < math.inf or _timed(best)):
            return f"{head} {bn} kept no training cost (FLOPs or seconds); {cn} trains nothing."
        spent = f"{format_flops(fd)} of training compute{here}" if 0 < fd < math.inf else f"{_seconds(sd)} of training here"
        return f"{head} {spent}; {cn} trains nothing."
    if 0 < fc < math.inf and 0 < fd < math.inf and fd / fc >= 1.05:
        sc = _cost(cheap)[1]
        time = (f"; {_seconds(sd)} of training instead of {_seconds(sc)} here" if _timed(best) and _timed(cheap)
                else "")
        return f"{head} {_times(fd / fc)} times the training compute ({format_flops(fd)} instead of {format_flops(fc)}{time})."
    return f"{head} {cn} {cost_phrase(best, cheap)}."


def text_lines(runs: list, width: int = 110, metric: str | None = None) -> list[str]:
    """The answer for a terminal: a heading and the text wrapped to ``width``, or [] where there is none."""
    import textwrap

    a = answer(runs, metric=metric)
    text = a.text() if a is not None else no_answer_reason(runs)  # none: said why, where a reader expects one
    if text is None:
        return []
    return ["Which one to use?", *textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")]


# --- a sweep: which strategy to use at each training size ---------------------------------------------------------------
def seed_paired_p(diffs: list[float]) -> float | None:
    """Two-sided p of a paired t-test over seeds: could the mean of these per-seed differences be zero?

    The spread of the differences holds whatever changes from seed to seed: the luck of training, and where each
    seed draws its own split, of the test set and of which examples were labelled too. Differences all equal
    (common with 2-3 seeds, as accuracies move in steps of 1/test size): None, no test; they say nothing of the
    spread.
    """
    from scipy.stats import t as student_t

    k = len(diffs)
    if k < 2:
        raise ValueError("a paired t-test over seeds needs at least two seeds")
    mean = sum(diffs) / k
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (k - 1))
    if sd <= 1e-12:
        return None
    return float(2 * student_t.sf(abs(mean) / (sd / math.sqrt(k)), k - 1))


def seed_interval(diffs: list[float]) -> tuple[float, float] | None:
    """The 95% interval of the mean of per-seed differences, from the t distribution (the paired t-test's own: it
    leaves out zero exactly where that test's p is below 0.05). None with under two seeds or no spread."""
    from scipy.stats import t as student_t

    k = len(diffs)
    if k < 2:
        return None
    mean = sum(diffs) / k
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (k - 1))
    if sd <= 1e-12:
        return None
    half = float(student_t.ppf(0.975, k - 1)) * sd / math.sqrt(k)
    # no lead can be above 100 points (or 1 of macro-F1) either way: with two seeds (t's 12.7 times the spread) a
    # lead of 7.5 points from -5 and +20 "runs from -151.3 to +166.3 points"; cut to what is possible (the
    # value cannot be outside it, so the interval keeps its 95%); cut at both ends, (-1.0, 1.0), it bounds nothing,
    # and the answer says the seeds are too few to bound the lead instead of "runs from -100.0 to +100.0 points"
    return max(-1.0, mean - half), min(1.0, mean + half)


def seeds_p(diffs: list[float], each_seed, one_split=None) -> tuple[float | None, str]:
    """(p, how) for a gap over seeds: the paired t-test over the seeds' ``diffs`` ("t"); where it does not find the
    gap beyond chance, ``each_seed()`` (the paired test on each seed's own test texts, one p per seed, None where
    unknown) may: a gap beyond the luck of the test texts at every seed, the same way each time, is not luck
    either, and the largest of those p stands for them ("each"). Few seeds give the t-test one or two degrees of
    freedom: an 18-point gap at both of two seeds read "cannot tell apart". The same gap at every seed leaves the
    t-test nothing to go on (None): the test on each seed's texts decides alone, either way, so that a cheaper
    strategy 1 point behind at each of two seeds is still "cannot tell apart", not "untested".

    Seeds scored on one test set (``one_split()`` true) share that set's luck, which the t-test does not see: a
    gap it finds beyond the luck of training is called beyond chance only where the test on each seed's texts
    agrees at the median seed; else the median p stands ("text"): 3 seeds all 1 point ahead on 200 texts are not
    told apart by those 200 texts, however steady the point."""
    p = seed_paired_p(diffs)
    if p is not None and p < ALPHA:
        if one_split is not None and one_split():
            known = [q for q in each_seed() if q is not None]  # a run stored without predictions: the others
            # the upper median: with an even number of seeds, one seed's own p (the mean of two is no test's)
            if known and (med := statistics.median_high(known)) >= ALPHA:
                return med, "text"
        return p, "t"
    if p is None or min(diffs) > 0 or max(diffs) < 0:
        each = each_seed()
        if each and all(q is not None for q in each) and (p is None or all(q < ALPHA for q in each)):
            return max(each), "each"
    return p, "t"


def _who_tells(how: str, k: int) -> str:
    """Who cannot tell two strategies apart, for a sentence: the seeds (t-test), the test texts at each seed, or
    the test set (one seed)."""
    return ("the test set" if k <= 1 else "the seeds" if how == "t" else "the test texts" if how == "text"
            else "the test texts at some seed")


def seeds_test_name(how: str, k: int, judge: Judge) -> str:
    """What decided a gap over ``k`` seeds, for a sentence: 'paired t-test over 3 seeds' or 'the largest of
    McNemar's p at each of the 2 seeds' (followed by ', p = ...')."""
    if how == "text":
        return (f"the median of {judge.p_name} over the {k} seeds, on one test set" if k % 2 else
                f"the higher middle value of {judge.p_name} over the {k} seeds, on one test set")
    return f"paired t-test over {k} seeds" if how == "t" else f"the largest of {judge.p_name} at each of the {k} seeds"


def _test_said(how: str, k: int, judge: Judge) -> str:
    """The test that decided a gap, for a sweep's line: over seeds (:func:`seeds_test_name`), or with one seed
    the paired test on its test texts."""
    return seeds_test_name(how, k, judge) if k > 1 else f"{judge.test_name} on one seed"


def _mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs)


def sweep_metric(points: list[dict]) -> str:
    """:func:`default_metric` for sweep points: 'macro_f1' where a test set's majority class is IMBALANCED or more,
    or its rarest class under RARE_SHARE of it (``rarest_share``, from :func:`bertlab.sweep.collect`)."""
    if any(p.get("rarest_share") is not None and rare_share(p["rarest_share"], p.get("classes")) for p in points):
        return "macro_f1"
    return _metric_for([p.get("majority_accuracy") for p in points])


ONLY_ABOVE_MAJORITY = "the only strategy better than the majority class beyond chance"


def sweep_rows(points: list[dict], get_run=None, metric: str | None = None) -> list[dict]:
    """Per training size of a sweep: the most accurate strategy (mean over seeds) and the cheapest one that is not
    worse beyond chance, from :func:`bertlab.sweep.collect` rows.

    Strategies are compared on the seeds both finished: a paired t-test over those seeds where there are two or
    more, McNemar's test on the shared test texts where there is one (``get_run(run_id)`` loads the runs), else no
    test. A cheaper strategy is the pick only if no more accurate strategy beats it beyond chance either.
    ``metric``: 'accuracy' or 'macro_f1' (then "most accurate" means the best by macro-F1, and one seed falls back
    to the paired permutation test); None chooses as :func:`sweep_metric` does.
    """
    judge = JUDGES[metric or sweep_metric(points)]
    sizes: dict = {}
    # each strategy by the name its sweep gives it ("head_only (lr 0.03)", where not at its default rate)
    for p in points:
        if p.get("status") == "succeeded" and p.get(judge.key) is not None:
            sizes.setdefault(p["size"], {}).setdefault(p.get("name") or p["strategy"], {})[p["seed"]] = p
    planned: dict = {}  # every strategy at each size, finished or not (in the sweep's order)
    for p in points:
        planned.setdefault(p["size"], {})[p.get("name") or p["strategy"]] = None
    # "unfinished": the planned strategies with no finished point at the size (queued, failed, deleted), which the
    # row cannot weigh: it read as if they had lost
    holm = _sweep_holm(points, get_run, judge)

    def whole(by_strategy: dict) -> str | None:  # the main answer's not-the-same-text sentence, at this size
        if get_run is None:
            return None
        runs = [r for seeds in by_strategy.values() for q in seeds.values()
                if q.get("run_id") and (r := get_run(q["run_id"])) is not None]
        return whole_texts_sentence(runs)

    return [_size_row(size, by_strategy, get_run, judge, len(planned[size]), holm)
            | {"judge": judge.name, "unfinished": [s for s in planned[size] if s not in by_strategy],
               "whole": whole(by_strategy)}
            for size, by_strategy in sorted(sizes.items(), key=lambda kv: float("inf") if kv[0] is None else kv[0])]


def sweep_whole_texts(rows: list[dict]) -> list[str]:
    """The not-the-same-text sentences (:func:`whole_texts_sentence`) of :func:`sweep_rows`' sizes, said once where
    every size has the same one, else each with the sizes it is of ("At 16 and 32 labelled: Not on the same
    text: ..."). The Learning curves page's per-size answer left it out where Compare's answer for the largest size
    said it (tfidf_logreg against head_only at 128 tokens of bbc_news's articles)."""
    said: dict[str, list] = {}
    for r in rows:
        if r.get("whole"):
            said.setdefault(r["whole"], []).append(r["n labelled"])
    if len(said) == 1 and len(next(iter(said.values()))) == len(rows):
        return list(said)

    def sizes(ns: list) -> str:
        shown = [f"{n:,}" if n else "all" for n in ns]
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]

    return [f"At {sizes(ns)} labelled: {text}" for text, ns in said.items()]


def _sweep_holm(points: list[dict], get_run, judge: Judge):
    """For :func:`_size_row`: :func:`bertlab.paired.holm_judged` over every finished run of the sweep (its
    paired-test table's Holm family, one per test set: every size sharing that test set), built on first use; None
    without ``get_run``. A review: the one-seed line read "ahead of every cheaper strategy beyond chance ... (McNemar's
    test on one seed, p = 0.036)" under an answer that, by Holm's p over the table's 6 pairs (0.11), called the same
    gap one the test set cannot tell from chance."""
    if get_run is None:
        return None
    ids = dict.fromkeys(p["run_id"] for p in points if p.get("status") == "succeeded" and p.get("run_id"))

    @functools.cache
    def judged():
        members = [(r, d) for i in ids if (r := get_run(i)) is not None and (d := paired.load_predictions(r))]
        return paired.holm_judged(members, "macro_f1" if judge is MACRO_F1 else "accuracy")

    return lambda a_id, b_id, p: judged()(a_id, b_id, p)


def _size_row(size, by_strategy: dict[str, dict], get_run, judge: Judge = ACCURACY, planned: int = 0,
              holm=None) -> dict:
    """:func:`sweep_rows` at one training size: ``by_strategy[strategy][seed]`` is a finished point. "acc" and
    "accuracy" hold ``judge``'s measure (accuracy, or macro-F1). ``planned``: how many strategies the sweep runs
    at this size, finished or not. ``holm``: where one seed decides a pair, the p it is judged by and the words
    that add Holm's p (:func:`bertlab.paired.holm_judged`: as the paired-test table and the answer judge it);
    None: the pair's own p. The most accurate strategy's tests over seeds against two or more others are judged
    by Holm's p over those tests (``test``; ``p_said`` quotes both)."""
    key = judge.key
    stats = {s: {"acc": _mean(q[key] for q in seeds.values()),
                 "cost": (_mean(q.get("train_flops") or 0.0 for q in seeds.values()),
                          _mean(q.get("train_seconds") or 0.0 for q in seeds.values())),
                 "n": _mean(q.get("n_train") or 0 for q in seeds.values())} for s, seeds in by_strategy.items()}

    how: dict[tuple[str, str], str] = {}  # which test decided each pair: "t", "each" or "one" (one seed)

    @functools.cache
    def common_seeds(a: str, b: str) -> tuple:
        """The seeds both strategies ran at. Seeds at which both are the same runs (two strategies no seed changes,
        each run once) count once: copies are not seeds."""
        pairs: dict[tuple, object] = {}
        for k in sorted(set(by_strategy[a]) & set(by_strategy[b]), key=str):
            pa, pb = by_strategy[a][k], by_strategy[b][k]  # a sweep's one zero_shot run serves every seed
            pairs.setdefault((pa.get("run_id") or id(pa), pb.get("run_id") or id(pb)), k)
        return tuple(pairs.values())

    def gaps(a: str, b: str) -> list[float]:
        """a's score minus b's at each seed both ran."""
        return [by_strategy[a][k][key] - by_strategy[b][k][key] for k in common_seeds(a, b)]

    def test(a: str, b: str) -> tuple[float | None, int]:
        """(p, seeds compared) for strategy a against b, the p it is judged by; p None where there is nothing to
        test on. The best strategy against another over seeds: Holm's p over the best's comparisons over seeds
        (:func:`seeds_holm`), as one seed's pairs are judged by Holm's over the paired-test table; :func:`p_said`
        then quotes both where they read differently."""
        p, k = own_test(a, b)
        if a == best and k > 1 and p is not None and (family := seeds_holm().get(b)):
            adjusted, pairs = family
            judged = max(adjusted, p)  # never below the pair's own p (paired.holm_judged's rule)
            if paired.format_p(judged) == paired.format_p(p):  # 'p = 0.057, 0.057 after Holm' adds nothing
                return judged, k
            return holm_said(a, b, p, judged, pairs), k
        return p, k

    @functools.cache
    def seeds_holm() -> dict[str, tuple[float, int]]:
        """{strategy: (Holm's p, pairs)} over the best strategy's tests against the others (those set aside as no
        better than the majority class apart) decided over two seeds or more, where there are two or more: each
        said "beyond chance" on its own, they were judged by their own p (a t-test's p = 0.03 against each of
        three strategies), while a pair one seed decides quoted Holm's ("McNemar p = 0.036, 0.32 after Holm over
        10 pairs")."""
        tested = [(s, p) for s in stats if s != best and (pk := own_test(best, s))[1] > 1 and (p := pk[0]) is not None]
        if len(tested) < 2:
            return {}
        return {s: (q, len(tested)) for (s, _), q in zip(tested, paired.holm([p for _, p in tested]))}

    @functools.cache
    def own_test(a: str, b: str) -> tuple[float | None, int]:
        """(p, seeds compared) for strategy a against b by its own test; p None where there is nothing to test on."""
        common = common_seeds(a, b)
        if len(common) >= 2:
            p, how[(a, b)] = seeds_p(gaps(a, b),
                                     lambda: [per_seed(a, b, k) for k in common],
                                     lambda: len({fingerprint(x, k) for x in (a, b) for k in common} - {None}) == 1)
            return p, len(common)
        how[(a, b)] = "one"
        if len(common) == 1:
            return one_seed(a, b, common[0]), 1
        return None, len(common)

    said: dict[tuple[str, str], str] = {}  # 'p = 0.036, 0.11 after Holm over 6 pairs' where Holm judged a pair

    def one_seed(a: str, b: str, seed) -> float | None:
        """The p a pair run at one seed is judged by: Holm's over the sweep's table where it adjusts that pair."""
        p = per_seed(a, b, seed)
        if p is None or holm is None:
            return p
        return holm_said(a, b, p, *holm(by_strategy[a][seed].get("run_id"), by_strategy[b][seed].get("run_id"), p))

    def holm_said(a: str, b: str, p: float, judged: float, pairs: int) -> float:
        """Holm's step for a pair, over seeds (:func:`seeds_holm`) or at one seed (``holm``): ``judged``, the p the
        pair is judged by, which :func:`p_said` quotes beside its own ``p`` (over ``pairs``; 0: its own alone)."""
        said[(a, b)] = f"{paired.p_is(p)}{paired.holm_words(judged, pairs, p)}"
        return judged

    def p_said(a: str, b: str, p: float) -> str:
        """The pair's p for a sentence: both its own and Holm's where Holm judged it."""
        return said.get((a, b)) or paired.p_is(p)

    @functools.cache
    def predictions(strategy: str, seed) -> dict | None:
        run = get_run(by_strategy[strategy][seed]["run_id"]) if get_run is not None else None
        return paired.load_predictions(run) if run is not None else None

    def fingerprint(strategy: str, seed) -> str | None:
        """Which test set the run of ``strategy`` at ``seed`` was scored on (None: unknown)."""
        d = predictions(strategy, seed)
        return d["fingerprint"] if d else None

    def per_seed(a: str, b: str, seed) -> float | None:
        """The paired test of a against b on the test texts they shared at ``seed``; None where unknown."""
        da, db = predictions(a, seed), predictions(b, seed)
        if da and db and da["fingerprint"] == db["fingerprint"]:
            return judge.compare(da["labels"], da["predictions"], db["predictions"]).p_value
        return None

    def beats_majority(s: str) -> bool | None:
        """Whether ``s`` beats always answering the majority class beyond chance, as a pair of strategies is told
        apart: over its seeds' gaps to the majority's score (:func:`seeds_p`), or by the paired test on the test
        texts where it ran once (as the answer for one run per strategy judges); None where a run's predictions
        are unknown. A review's tfidf_logreg at 57.8%, 60.9% and 58.7% against a majority of 57.8% (p = 0.28)
        was "better than the majority class" for one seed 0.1 points above it, and the cheapest to serve."""
        ids = dict.fromkeys(q.get("run_id") for _, q in sorted(by_strategy[s].items(), key=lambda kv: str(kv[0])))
        got = [get_run(r) if get_run is not None and r else None for r in ids]  # one run serving seeds: once
        return None if any(r is None for r in got) else beats_majority_class(got, judge)

    # A strategy not better than always answering the majority class beyond chance (or that answered one class to
    # every test text at each seed) is never the answer, however cheap or "best" on a measure it games; where its
    # predictions are unknown, one that beat it at no seed.
    useless = {s for s, seeds in by_strategy.items()
               if all(_no_better_than_majority(q, get_run, judge) for q in seeds.values())
               or beats_majority(s) is False}
    # As for one run each: a strategy scoring at least as well as one found better than the majority class is not
    # set aside (a paired test's p does not fall as the score rises: full_ft at 50%, 95% and 80% over three seeds,
    # p = 0.3, would leave head_only at 70% "the most accurate")
    if clear := [v["acc"] for s, v in stats.items() if s not in useless]:
        useless = {s for s in useless if stats[s]["acc"] < min(clear) - 1e-12}
    if useless == set(stats):
        best = min(stats, key=lambda s: (-stats[s]["acc"], stats[s]["cost"]))
        return {"size": size, "n labelled": round(stats[best]["n"]) or None, "most accurate": best,
                # seeds: None ("-"), not 0: no two strategies were compared, though each one's seeds were tested
                # against the majority class
                "accuracy": stats[best]["acc"], "pick": None, "pick accuracy": None, "p": None, "seeds": None,
                "why": "no strategy beat always answering the majority class beyond chance", "near": None,
                "costs": {s: v["cost"] for s, v in stats.items()},
                "accuracies": {s: v["acc"] for s, v in stats.items()}, "useless": sorted(useless)}
    stats_all = stats
    stats = {s: v for s, v in stats.items() if s not in useless}
    best = min(stats, key=lambda s: (-stats[s]["acc"], stats[s]["cost"]))
    row = {"size": size, "n labelled": round(stats[best]["n"]) or None, "most accurate": best,
           "accuracy": stats[best]["acc"], "pick": best, "pick accuracy": stats[best]["acc"], "p": None,
           "seeds": len(by_strategy[best]), "why": "", "near": None,
           "costs": {s: v["cost"] for s, v in stats_all.items()},
           "accuracies": {s: v["acc"] for s, v in stats_all.items()}, "useless": sorted(useless),
           # (p, seeds) of one strategy against another and which test gave it, for an answer's sentences
           "test": test, "how_of": lambda a, b: how[(a, b)], "gaps": gaps,
           # the words for a pair's p: its own and Holm's where Holm judged it ('p = 0.036, 0.11 after Holm ...')
           "p_said": p_said}
    cheaper = sorted((s for s in stats if _dearer(stats[best]["cost"], stats[s]["cost"])),
                     key=lambda s: stats[s]["cost"])

    def fits(s: str) -> bool:
        """Not worse than the best beyond chance, and not beaten beyond chance by another more accurate one."""
        p, _ = test(best, s)
        return p is not None and p >= ALPHA and not any(
            stats[o]["acc"] > stats[s]["acc"] and (q := test(o, s)[0]) is not None and q < ALPHA
            for o in stats if o not in (s, best))

    for first in cheaper:  # the cheapest first; of those about as cheap as it, the most accurate
        if not fits(first):
            continue
        s = max((o for o in cheaper if not _dearer(stats[o]["cost"], stats[first]["cost"]) and fits(o)),
                key=lambda o: stats[o]["acc"])
        p, k = test(best, s)
        row.update({"pick": s, "pick accuracy": stats[s]["acc"], "p": p, "seeds": k, "how": how[(best, s)]})
        row["why"] = (f"{judge.gap(stats[best]['acc'] - stats[s]['acc'])} behind {best}: "
                      f"{_who_tells(how[(best, s)], k)} cannot tell them apart "
                      f"({_test_said(how[(best, s)], k, judge)}, {p_said(best, s, p)})")
        return row
    if len(stats_all) == 1:  # "the most accurate and the cheapest" of one said nothing
        # others queued, training or failed: not "the only one run" (the page redraws as they finish)
        row["why"] = "the only strategy run" if planned <= 1 else "the only strategy finished at this size"
        row["seeds"] = None  # compared with nothing: "–", not its own seed count (a diff review)
        return row
    if len(stats) == 1:  # the others set aside: "the most accurate and the cheapest" of one said nothing
        row["why"] = ONLY_ABOVE_MAJORITY
        row["seeds"] = None
        return row
    if not cheaper:
        words = _cheapest(stats[best]["cost"], [v["cost"] for s_, v in stats.items() if s_ != best], to_train=False)
        row["why"] = f"{judge.top} and {words}" + (" of the strategies better than the majority class"
                                                        if useless else "")
        # whether its lead over the next is real, which its cost no longer decides: the table said only that
        # head_only was "the most accurate and next to nothing to train" at 32 and 128 tweets, where the lab's
        # question is whether it beats tfidf_logreg with few labels (it did, p = 0.018 over 3 seeds)
        if near := max((o for o in stats if o != best), key=lambda o: stats[o]["acc"], default=None):
            p, k = test(best, near)
            if p is not None:
                verdict = ("beyond chance" if p < ALPHA else
                           f"a gap {_who_tells(how[(best, near)], k)} cannot tell from chance")
                row["lead"] = (f"ahead of {near} by {judge.gap(stats[best]['acc'] - stats[near]['acc'])}, {verdict} "
                               f"({_test_said(how[(best, near)], k, judge)}, {p_said(best, near, p)})")
        return row
    tested = [(s, *test(best, s)) for s in cheaper]
    if all(p is not None and p < ALPHA for _, p, _ in tested):
        near, p, k = max(tested, key=lambda t: stats[t[0]]["acc"])
        row.update({"p": p, "seeds": k, "near": near, "how": how[(best, near)]})
        row["why"] = (f"ahead of every cheaper strategy beyond chance; of the nearest, {near}, by "
                      f"{judge.gap(stats[best]['acc'] - stats[near]['acc'])} "
                      f"({_test_said(how[(best, near)], k, judge)}, {p_said(best, near, p)})")
    elif any(p is None for _, p, _ in tested):
        row["why"] = ("not tested against every cheaper strategy (no finished seed in common, or the same gap at "
                      "every seed)")
    else:
        row["why"] = "each cheaper strategy is behind it or another one beyond chance"
    return row


def beats_majority_class(runs: list, judge: Judge = ACCURACY) -> bool | None:
    """Whether one strategy's ``runs`` (its seeds at one size) beat always answering the majority class beyond
    chance, as two strategies are told apart: the paired test against the majority's answers on the test texts
    where it ran once (:func:`_majority_p`), else :func:`seeds_p` over its seeds' gaps to the majority's score;
    None where a run kept no test predictions."""
    data = [paired.load_predictions(r) for r in runs]
    if not runs or any(d is None for d in data):
        return None
    each = [_majority_p(r, d, judge) for r, d in zip(runs, data)]
    if len(runs) == 1:
        return each[0] is not None and each[0] < ALPHA
    gaps = [judge.of(r) - _majority_value(d, judge) for r, d in zip(runs, data)]
    p, _ = seeds_p(gaps, lambda: each, lambda: len({d["fingerprint"] for d in data}) == 1)
    return _mean(gaps) > 0 and p is not None and p < ALPHA


def not_above_majority(rows: list[dict], runs: list, metric: str = "accuracy") -> set[str]:
    """The strategies of :func:`bertlab.pareto.by_strategy` ``rows`` (their ``run_ids`` among ``runs``) not better
    than always answering the majority class beyond chance (:func:`beats_majority_class`; or one class answered
    to every test text): the Accuracy vs cost page starred a tfidf_logreg at 57.3% against a majority of 57.8% on
    its front. Rows of several sizes or models, or without predictions, are left out (no verdict)."""
    from bertlab.metrics import run_single_class

    judge = JUDGES[metric]
    key = "test_macro_f1" if judge is MACRO_F1 else "test_accuracy"
    by_id = {r.id: r for r in runs}
    out = set()
    for row in rows:
        rs = [by_id[i] for i in row.get("run_ids") or [] if i in by_id]
        if not rs or len({_n_train(r) for r in rs}) != 1 or len({r.model for r in rs}) != 1:
            continue
        if all(run_single_class(r.metrics) is not None for r in rs) or beats_majority_class(rs, judge) is False:
            out.add(row["strategy"])
    # as the answers keep them: one scoring at least as well as one found better than the majority class stays
    score = {r["strategy"]: r.get(key) for r in rows}
    if clear := [v for s, v in score.items() if s not in out and v is not None]:
        out = {s for s in out if score[s] is None or score[s] < min(clear) - 1e-12}
    return out


def with_flat(rows: list[dict], runs: list, metric: str = "accuracy") -> list[dict]:
    """``rows`` of :func:`bertlab.pareto.by_strategy`, each with ``flat``: :func:`not_above_majority` (then on no
    Pareto front, drawn hollow, and named as such)."""
    flat = not_above_majority(rows, runs, metric)
    return [r | {"flat": r["strategy"] in flat} for r in rows]


def _no_better_than_majority(point: dict, get_run, judge: Judge = ACCURACY) -> bool:
    """Whether a finished point did no better than always answering the majority class, by ``judge``'s measure:
    accuracy at or below the majority's; macro-F1 at or below that of the majority class's answers (read from the
    run's class sizes); or, either way, one class answered to every test text (where the run can be read)."""
    maj, acc = point.get("majority_accuracy"), point.get("test_accuracy")
    if judge is ACCURACY and maj is not None and acc is not None and acc <= maj + 1e-9:
        return True
    run = get_run(point["run_id"]) if get_run is not None and point.get("run_id") else None
    if run is None:
        return False
    from bertlab.metrics import run_single_class

    m = run.metrics or {}
    if run_single_class(m) is not None:
        return True
    if judge is MACRO_F1 and point.get("test_macro_f1") is not None:
        sizes = [int(v.get("support") or 0) for v in (m.get("per_class") or {}).values()]
        present = [k for k in sizes if k]
        if present:  # the majority class's answers: F1 2m / (m + n) on its class, 0 on the others
            f1_maj = 2 * max(present) / (max(present) + sum(present)) / len(present)
            return point["test_macro_f1"] <= f1_maj + 1e-9
    return False


def sweep_note(vary_split: bool = True, metric: str = "accuracy", own_test: bool = False) -> str:
    """What the per-size table of :func:`sweep_rows` rests on, for a sweep whose seeds draw their own split
    (``vary_split``, the default) or share one, judged by ``metric``; ``own_test``: the data's own split (a
    file's split column, a hub test split) keeps one test set at every seed."""
    agree = ("a gap it finds is called beyond chance only where the paired test on the shared test texts agrees at "
             "the median seed")
    luck = (f"the seeds share the data's own test set (a file's split column, a hub test split), so the t-test "
            f"covers the luck of training{' and of which train rows were labelled' if vary_split else ''}, not of "
            f"the test set; {agree}"
            if own_test else
            "each seed draws its own split and trains anew, so this covers the luck of the test set, of which "
            "examples were labelled and of training" if vary_split else
            f"the seeds share one split, so the t-test covers the luck of training only; {agree}")
    if metric == "macro_f1":
        top, one = ("the best strategy by macro-F1 (mean over seeds; every class counts the same)",
                    "the paired permutation test of macro-F1")
    else:
        top, one = "the most accurate strategy (mean over seeds)", "McNemar's test"
    return (f"Per training size: {top}, and the cheapest one (training FLOPs, "
            "then time) that is not worse beyond chance, where no other strategy beats it beyond chance either. "
            f"Strategies are compared on the seeds both finished, with a paired t-test over those seeds: {luck}. "
            f"With one seed, {one} on the shared test texts (the luck of the test set only). A few seeds give the "
            f"t-test little to go on, so a gap that {one} finds beyond chance at every seed, the same way each "
            "time, counts as beyond chance too (the largest of those p values is quoted). A few seeds "
            "can show only large, steady gaps: \"cannot tell them apart\" may mean \"run more seeds\".")


def sweep_table(rows: list[dict]) -> list[dict]:
    """:func:`sweep_rows` as table rows (accuracies in percent, macro-F1 as it is)."""
    def value(r: dict, x: float) -> str:
        return MACRO_F1.value(x) if r.get("judge") == MACRO_F1.name else _pct(x)

    def why(r: dict) -> str:
        out = r["why"] + (f"; {r['lead']}" if r.get("lead") else "")
        if r.get("useless") and r["pick"] is not None and r["why"] != ONLY_ABOVE_MAJORITY:
            out += f"; not better than the majority class beyond chance: {', '.join(r['useless'])}"
        elif r.get("useless") and r["pick"] is not None:
            out += f" ({', '.join(r['useless'])} {'is' if len(r['useless']) == 1 else 'are'} not)"
        if r.get("unfinished"):
            out += f"; {', '.join(r['unfinished'])}: no finished point at this size"
        return out

    return [{"labelled": r["n labelled"],
             ("best by macro-F1" if r.get("judge") == MACRO_F1.name else "most accurate"):
                 f"{r['most accurate']} ({value(r, r['accuracy'])})",
             "use": "none" if r["pick"] is None else f"{r['pick']} ({value(r, r['pick accuracy'])})", "why": why(r),
             # text: a column of numbers and one dash showed an empty cell in the page's table ("-": a bullet)
             "seeds compared": "–" if r["seeds"] is None else str(r["seeds"])}
            for r in rows]


def sweep_lines(rows: list[dict]) -> list[str]:
    """:func:`sweep_rows` for a terminal: one line per training size."""
    if not rows:
        return []
    out = ["Which one to use at each size? (where a test decided it, the line names it; see the Learning curves "
           "page)"]
    for r in sweep_table(rows):
        n = f"n={r['labelled']:,}" if r["labelled"] else "n=all"
        out.append(f"  {n:>8}: use {r['use']}: {r['why']}")
    return out + [f"  {said}" for said in sweep_whole_texts(rows)]


def _one_test_set(runs: list) -> bool:
    """Whether every run was scored on the same test texts: by the fingerprints stored with their predictions
    (a file's own split keeps its test set at every split seed), else, where a run has none, by their split
    seeds."""
    found = set()
    for r in runs:
        d = paired.load_predictions(r)
        if d is None:
            return len({variants.seed_key(r)[0] for r in runs}) == 1
        found.add(d["fingerprint"])
    return len(found) == 1


def _trains_nothing(strategy: str) -> bool:
    """zero_shot and the like: no seed changes what they do (the Train page offers them none)."""
    from bertlab.strategies import REGISTRY

    s = REGISTRY.get(variants.base_strategy(strategy))  # "tfidf_logreg (balanced)": no seed changes it either
    return s is not None and not s.uses_seed


def over_seeds(runs: list, judge: Judge = ACCURACY) -> Answer | None:
    """The answer from several runs per strategy at one training size (seeds): each strategy's mean accuracy
    (or macro-F1, by ``judge``),
    and the cheapest strategy not worse than the most accurate one beyond chance, by a paired t-test over the
    seeds both ran (:func:`sweep_rows`' rule). A strategy no seed changes (zero_shot), run once, counts at every
    seed."""
    by_id = {r.id: r for r in runs}
    points = {}
    # "head_only (balanced)" apart from a plain head_only, "full_ft (lr 2e-05)" from "full_ft (lr 5e-05)"
    shown = variants.labels(runs)
    for r in sorted(runs, key=lambda r: getattr(r, "created", 0)):
        points[(shown[r.id], variants.seed_key(r))] = {
            "strategy": shown[r.id], "seed": variants.seed_key(r), "size": _n_train(r), "n_train": _n_train(r),
            "test_accuracy": _acc(r), "test_macro_f1": MACRO_F1.of(r),
            "majority_accuracy": (r.metrics or {}).get("majority_accuracy"), "train_flops": _cost(r)[0], "train_seconds": _cost(r)[1], "run_id": r.id,
            "status": "succeeded"}
    keys = {k for (_, k) in points}
    by_strategy: dict[str, dict] = {}
    for (strategy, k), pt in points.items():
        by_strategy.setdefault(strategy, {})[k] = pt
    for strategy, seeds in by_strategy.items():
        if len(seeds) == 1 and _trains_nothing(strategy):
            (key, only), = seeds.items()
            # The same answers at every training seed of its split (another split is another test set).
            by_strategy[strategy] = {k: only for k in keys if k[0] == key[0]}
    if len(by_strategy) < 2:
        return None
    # a pair that one seed decides judged by Holm's p over the runs' paired-test table, as the sweep page and the
    # table itself judge it: by the pair's own p, a strategy at three seeds was called ahead of one run once "beyond
    # chance" on Compare while the sweep page, by Holm's, said the test set could not tell them apart
    row = _size_row(_n_train(runs[0]), by_strategy, by_id.get, judge,
                    holm=_sweep_holm(list(points.values()), by_id.get, judge))
    acc, cost = row["accuracies"], row["costs"]
    best, pick = row["most accurate"], row["pick"]
    negligible = (f"{judge.top} and {NEXT_TO_NOTHING}", f"{judge.top} and {NOTHING_TO_TRAIN}")  # its why: no test
    any_run = {st: by_id[next(iter(seeds.values()))["run_id"]] for st, seeds in by_strategy.items()}
    if pick is None:  # no strategy better than the majority class beyond chance
        return Answer(best=any_run[best], pick=any_run[best],
                      headline="None of these strategies beat always answering the majority class beyond chance: "
                               "train on more data or with another strategy (or score on more test texts) before "
                               "choosing one.",
                      sentences=[f"{', '.join(sorted(by_strategy))}: by {judge.name}, not better than the majority "
                                 "class's answers beyond chance (over their seeds, or on the test texts where run "
                                 "once)."], caveat="", recommends=False, over_seeds=True)
    ran = {st: sum(1 for (s_, _) in points if s_ == st) for st in by_strategy}  # runs each strategy finished

    def priced(s_: str) -> SimpleNamespace:
        """The strategy's mean costs, as a run's; its seconds only where each of its runs kept them (else a mean
        of none read "10.0 s of training instead of 0.0 s here")."""
        timed = all(_timed(by_id[q["run_id"]]) for q in by_strategy[s_].values())
        return SimpleNamespace(costs={"train_flops": cost[s_][0]} | ({"train_seconds": cost[s_][1]} if timed else {}))

    def mean(s_: str) -> str:
        """'76.4%, mean of 3 seeds' / '72.4%, one run'. A strategy no seed changes (zero_shot) run at two seeds on
        one split gave the same answers twice: "mean of 2 seeds" read as two draws of luck averaged."""
        said = f"{judge.value(acc[s_])}, "
        if ran[s_] < 2:
            return said + "one run"
        # the same score at every run of it: a sweep's seeds that drew their own splits, or a GPU's arithmetic, can
        # part them (a mean then, as for any strategy)
        if _trains_nothing(s_) and len({judge.of(by_id[q["run_id"]]) for (st, _), q in points.items() if st == s_}) == 1:
            why = "it trains nothing, so no seed changes it" if cost[s_][0] == 0 else "no seed changes it"
            return said + f"the same at {'both' if ran[s_] == 2 else f'all {ran[s_]}'} runs: {why}"
        return said + f"mean of {ran[s_]} seeds"

    def test_name(k: int) -> str:
        return seeds_test_name(row.get("how", "t"), k, judge) if k > 1 else f"{judge.test} on one run of each"

    n = _n_train(runs[0])
    # zero_shot reads none of them: "Use zero_shot ... With 500 training examples." said what it never used
    from bertlab.strategies import REGISTRY

    reads = getattr(REGISTRY.get(variants.base_strategy(pick)), "reads_training_texts", True)
    size = ("" if not n else f" With {n:,} training examples." if reads or len(by_strategy) < 2 else
            f" It trains on none of the {n:,} training examples the others had.")
    sentences: list[str] = []
    if pick != best:
        k = row["seeds"]
        top = "the most accurate strategy" if judge is ACCURACY else "the best strategy by macro-F1"
        headline = (f"Start with {pick} ({mean(pick)}): it is {judge.gap(acc[best] - acc[pick])} behind "
                    f"{top}, {best} ({mean(best)}), a gap "
                    f"{_who_tells(row.get('how', 't'), k)} cannot tell from chance ({test_name(k)}, "
                    f"{row['p_said'](best, pick, row['p'])}), and it {cost_phrase(priced(best), priced(pick))}.{size}")
        common = sorted(set(by_strategy[best]) & set(by_strategy[pick]), key=str)
        if len(common) > 1 and row.get("how") == "text":
            sentences.append(f"{best} was ahead beyond the luck of training (paired t-test over {len(common)} seeds), "
                             f"but every seed was scored on the same test texts, and on them the gap is within "
                             "their own luck: more test texts would settle it.")
        elif len(common) > 1 and row.get("how") == "each":
            gap = judge.gap(acc[best] - acc[pick])  # "ahead by the same under 0.1 points" read garbled
            same = f"by the same amount, {gap}," if gap.startswith("under ") else f"by the same {gap}"
            sentences.append(f"{best} was ahead {same} at every seed, which "
                             f"leaves the t-test no spread to go on; {judge.test_name} on each seed's test texts "
                             "cannot rule out chance: more test texts would settle it.")
        elif len(common) > 1:
            ahead = sum(by_strategy[best][c][judge.key] > by_strategy[pick][c][judge.key] for c in common)
            lead = seed_interval(row["gaps"](best, pick))  # how large the lead may be, as for one run each
            sentences.append(f"{best} was ahead at {ahead} of {len(common)} seeds, by amounts too uneven for "
                             f"{len(common)} seeds to rule out chance: more seeds would settle it."
                             + (f" {len(common)} seeds are too few to bound its mean lead: the 95% interval (t over "
                                "the seeds) is wider than any lead can be, either way." if lead == (-1.0, 1.0) else
                                f" The 95% interval of its mean lead (t over the seeds) runs from "
                                f"{judge.span(*lead)}: if a lead near the top of that range would be worth its "
                                "cost, run more seeds to settle it." if lead else ""))
    elif row["near"] is not None:
        near, k = row["near"], row["seeds"]
        lead = seed_interval(row["gaps"](best, near)) if row.get("how") == "t" else None
        headline = (f"Use {best}: {judge.top} ({mean(best)}), ahead of every cheaper strategy beyond chance; of "
                    f"the nearest, {near} ({mean(near)}), by {judge.gap(acc[best] - acc[near])} ({test_name(k)}, "
                    f"{row['p_said'](best, near, row['p'])}" + (f"; 95% interval of the lead {judge.span(*lead)}" if lead else "")
                    + f").{size}")
        sentences.append(lead_price(priced(best), priced(near), best, near))
    elif (cheapest := row["why"].startswith(f"{judge.top} and the cheapest")) or row["why"].startswith(
            (*negligible, f"{judge.top} and as cheap as any")):
        # "as cheap as any run here" (a table cell's words) read after its own "the most accurate" a second time:
        # "Use full_ft: the most accurate (76.2%, mean of 2 seeds); the most accurate and as cheap as any run here."
        # beside strategies that kept no training FLOPs, cheapest only of those that did (as for one run each)
        unknown = [s_ for s_ in by_strategy if s_ != best and s_ not in row.get("useless", [])
                   and cost[s_][0] == math.inf] if cost[best][0] < math.inf else []
        known = [s_ for s_ in by_strategy if s_ != best and s_ not in row.get("useless", []) and s_ not in unknown]
        headline = (f"Use {best}: {judge.top} ({mean(best)}) and "
                    + ("the only strategy here that kept its training FLOPs" if unknown and not known else
                       ("the cheapest to train" if cheapest else row["why"].removeprefix(f"{judge.top} and ").replace(
                           "as cheap as any run here", "as cheap to train as any run here", 1)
                           .removesuffix(" of the strategies better than the majority class"))
                       + (" of the strategies better than the majority class" if row.get("useless") and cheapest
                          else " of the strategies" if unknown else "")
                       + (" that kept their training FLOPs" if unknown else ""))
                    + f".{size}")
    else:
        headline = f"Use {best}: {judge.top} ({mean(best)}); {row['why']}.{size}"
    # The rest, named with their means: a strategy run at three seeds that the answer never mentioned read as lost.
    named = {best, pick, row["near"], *row.get("useless", [])}
    behind = sorted((s_ for s_ in by_strategy if s_ not in named and not _dearer(cost[pick], cost[s_])),
                    key=lambda s_: -acc[s_])
    if pick == best:  # level with the best over the seeds is not "behind it" (a tie at three seeds read as a loss)
        good = "accurate" if judge is ACCURACY else "good by macro-F1"
        tied = [s_ for s_ in behind if math.isclose(acc[s_], acc[best], rel_tol=1e-12, abs_tol=1e-12)]
        if costlier := [s_ for s_ in tied if _dearer(cost[s_], cost[best])]:
            sentences.append(f"As {good} as {best} ({mean(best)}), for more training: "
                             + ", ".join(f"{s_} ({mean(s_)})" for s_ in costlier) + ".")
        if alike := [s_ for s_ in tied if s_ not in costlier]:
            sentences.append(f"As {good} as {best} ({mean(best)}), at about the same training cost: "
                             + ", ".join(f"{s_} ({mean(s_)})" for s_ in alike) + ".")
        behind = [s_ for s_ in behind if s_ not in tied]

    def trailing(s_: str) -> str:
        """'head_only (73.0%, mean of 2 seeds)', and where the pick is the best, how far behind it and whether
        that gap is beyond chance: "the most accurate (72.4%, one run)" beside head_only 0.7 points behind named
        no test, where the answer from one run each says "a gap this test set cannot tell from chance"."""
        if pick != best:
            return f"{s_} ({mean(s_)})"
        p, k = row["test"](best, s_)
        if p is None:
            return f"{s_} ({mean(s_)})"
        how = row["how_of"](best, s_)  # this pair's own test (test_name(k) words the pick's)
        said = (f"{seeds_test_name(how, k, judge) if how != 'one' and k > 1 else judge.test + ' on one run of each'}"
                f", {row['p_said'](best, s_, p)}")
        gap = judge.gap(acc[best] - acc[s_])
        return (f"{s_} ({mean(s_)}, {gap} behind: " + (f"beyond chance, {said})" if p < ALPHA else
                                                       f"a gap {_who_tells(how, k)} cannot tell from chance, {said})"))

    dear = [s_ for s_ in behind if _dearer(cost[s_], cost[pick])]
    # a strategy whose runs kept no training FLOPs (stored before bertlab counted them) is never the cheaper, nor
    # shown to cost more: "Costlier to train than full_ft" was said of head_only at 10 s without FLOPs, as the
    # answer for one run each said it before it named them apart
    unseen = [s_ for s_ in dear if cost[s_][0] == math.inf and cost[pick][0] < math.inf]
    dear = [s_ for s_ in dear if s_ not in unseen]
    if dear:
        sentences.append((f"Costlier to train than {best} and behind it: " if pick == best else
                          f"Costlier to train than {pick} and no better than {best}: ")
                         + ", ".join(trailing(s_) for s_ in dear) + ".")
    if level := [s_ for s_ in behind if s_ not in dear and s_ not in unseen]:  # within SAME_COST: not "dearer"
        sentences.append((f"About as costly to train as {best} and behind it: " if pick == best else
                          f"About as costly to train as {pick} and no better than {best}: ")
                         + ", ".join(trailing(s_) for s_ in level) + ".")
    if unseen:
        sentences.append((f"Of unknown training cost (no FLOPs kept) and behind {best}: " if pick == best else
                          f"Of unknown training cost (no FLOPs kept) and no better than {best}: ")
                         + ", ".join(trailing(s_) for s_ in unseen) + ".")
    if row.get("useless"):  # never the answer, and never to go unmentioned: a strategy left out reads as lost
        sentences.append("Not better than always answering the majority class beyond chance: "
                         + ", ".join(f"{s_} ({mean(s_)})" for s_ in row["useless"]) + ".")
    for chosen in dict.fromkeys([best, pick]):  # a setting chosen on the test texts: does validation agree?
        if said := validation_pick_sentence(runs, chosen, lambda r: shown[r.id], judge, mean):
            sentences.append(said)
    serve = serve_sentence(list(any_run.values()), any_run[best], any_run[pick], lambda r: shown[r.id],
                           lambda r: mean(shown[r.id]), useless=[any_run[s_] for s_ in row.get("useless", [])])
    if serve is not None:
        sentences.append(serve)
    seeded = [c for st, c in ran.items() if not _trains_nothing(st)] or list(ran.values())
    k = max(seeded)
    upto = "Up to " if min(seeded) < k else ""
    one_split = _one_test_set(runs)
    if row.get("how") == "each" and row["p"] is not None and row["p"] < ALPHA:
        sentences.append(f"{row['seeds']} seeds give the t-test too little to go on; the gap was beyond the luck of "
                         f"the test texts at each seed, the same way each time ({judge.test}), which the t-test "
                         "alone could not show.")
    if trade := _seeds_tradeoff(by_strategy, pick, row.get("useless", []), by_id,
                                ACCURACY if judge is MACRO_F1 else MACRO_F1):
        sentences.append(trade)
    other = pick if pick != best else row["near"]
    if row["why"].startswith((f"{judge.top} and the cheapest", *negligible)):  # no test
        caveat = ""
    elif k == 1:  # the strategies a seed changes each ran once (zero_shot twice beside them): one training each
        # ("1 training seeds on one split: ... beyond the luck of training (the t-test over seeds)", where McNemar's
        # test on one run of each had decided)
        caveat = ONE_SEED_CAVEAT
    elif row.get("how") == "each" and row["p"] is not None and row["p"] < ALPHA:
        # not "beyond the luck of training (the t-test over seeds)": the t-test could not show it (a persona)
        caveat = (f"{row['seeds']} seeds are too few for the t-test over them to weigh the luck of training: this "
                  "verdict rests on the gap being beyond the luck of the test texts at every seed, the same way each "
                  "time. More seeds would weigh training's luck properly.")
    elif row.get("how") == "one" and other is not None and _trains_nothing(best) and _trains_nothing(other):
        caveat = (f"No seed changes what {best} and {other} do, so each ran once and the verdict is {judge.test_name} "
                  "on their test texts: the luck of those texts, not of training (there is none to have).")
    elif one_split and len({variants.seed_key(r)[0] for r in runs}) > 1:  # a file's own split: one test set, seeds apart
        caveat = (f"{upto}{k} seeds scored on one test set (the data's own split): a gap is beyond chance here where it "
                  "is beyond the luck of training and of which train rows were labelled (the t-test over seeds) and "
                  "of these test texts (the paired test at the median seed).")
    else:
        caveat = (f"{upto}{k} training seeds on one split: a gap is beyond chance here where it is beyond the luck of "
                  "training (the t-test over seeds) and of these test texts (the paired test at the median seed); "
                  "which examples were labelled is the one luck left in: another split could rank them otherwise."
                  if one_split else
                  f"{upto}{k} seeds, each with its own split and training: this covers the luck of the test set, of "
                  "which examples were labelled and of training.")
    best_run = by_id[by_strategy[best][next(iter(by_strategy[best]))]["run_id"]]
    pick_run = by_id[by_strategy[pick][next(iter(by_strategy[pick]))]["run_id"]]
    return Answer(best=best_run, pick=pick_run, headline=headline, sentences=sentences, caveat=caveat,
                  over_seeds=True,
                  # who decided (a review: "these test texts cannot tell", where the t-test over the seeds had)
                  plain=plain_words(best_run, pick_run, variants.parts(runs),
                                    _who_tells(row.get("how", "t"), row["seeds"] or 0).replace("the test set",
                                                                                          "these test texts")))


def gain_judge(runs: list, metric: str = "accuracy"):
    """For :func:`bertlab.pareto.tradeoff_sentences`: whether one strategy's gain over another is beyond chance.

    Single runs on the same test texts: :func:`bertlab.paired.gain_judge` (McNemar, or for ``metric``
    'macro_f1' the paired permutation test). Several runs per strategy at one training size: a paired t-test over
    the seeds both ran (a strategy no seed changes, run once, counts at every seed). Else None: no verdict.
    """
    measure = JUDGES[metric]
    single = paired.gain_judge(runs, metric)
    by_id = {r.id: r for r in runs}

    def accuracies(ids: list[str]) -> dict | None:
        """{seed: run} of these runs, or None where they are not seeds of one thing (several sizes or models)."""
        rs = [by_id[i] for i in ids if i in by_id]
        if not rs or len({_n_train(r) for r in rs}) != 1 or len({r.model for r in rs}) != 1:
            return None
        return {variants.seed_key(r): r for r in rs}

    def text_test(ra, rb) -> float | None:
        """The paired test of two runs on the test texts they share (None where they share none)."""
        da, db = paired.load_predictions(ra), paired.load_predictions(rb)
        if not da or not db or da["fingerprint"] != db["fingerprint"]:
            return None
        return measure.compare(da["labels"], da["predictions"], db["predictions"]).p_value

    def test_sets(runs_: list) -> set:
        return {d["fingerprint"] if (d := paired.load_predictions(r)) else None for r in runs_}

    def judge(dear: dict, cheap: dict) -> str | None:
        ids_a, ids_b = dear.get("run_ids") or [], cheap.get("run_ids") or []
        if len(ids_a) == 1 and len(ids_b) == 1:
            return single(dear, cheap)
        a, b = accuracies(ids_a), accuracies(ids_b)
        if a is None or b is None or _n_train(by_id[ids_a[0]]) != _n_train(by_id[ids_b[0]]):
            return None
        for acc, ids in ((a, ids_a), (b, ids_b)):
            if len(acc) == 1 and _trains_nothing(by_id[ids[0]].strategy):
                (key, only), = acc.items()
                acc.update({k: only for k in (set(a) | set(b)) if k[0] == key[0]})  # its split's seeds only
        common = sorted(set(a) & set(b), key=str)
        if len(common) < 2:
            return None
        p, how = seeds_p([measure.of(a[k]) - measure.of(b[k]) for k in common],
                         lambda: [text_test(a[k], b[k]) for k in common],  # as the Compare answer judges
                         lambda: len(test_sets([x[k] for x in (a, b) for k in common]) - {None}) == 1)
        if p is None:
            return None
        if how == "text":  # not "beyond ...": pareto.beyond_chance reads a verdict's first word
            return (f"a gap the test texts all seeds shared cannot tell from chance (beyond the luck of training "
                    f"only): {seeds_test_name(how, len(common), measure)}, {paired.p_is(p)}")
        if how == "each" and p >= ALPHA:
            return (f"the same gap at every seed, which the test texts at some seed cannot tell from chance: "
                    f"{seeds_test_name(how, len(common), measure)}, {paired.p_is(p)}")
        if how == "each":
            return (f"beyond the luck of the test texts at every seed: {seeds_test_name(how, len(common), measure)}, "
                    f"{paired.p_is(p)}")
        verdict = "beyond the luck of the seeds" if p < ALPHA else "a gap the seeds cannot tell from chance"
        return f"{verdict}: paired t-test over {len(common)} seeds, {paired.p_is(p)}"

    return judge
