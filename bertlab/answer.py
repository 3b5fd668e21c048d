"""The product's question answered in a few sentences: which of these runs to use, and what it costs.

"Should I use a pretrained BERT as it is, train only a head, fine-tune it fully, or train one from scratch?"
From one comparison (runs scored on the same test texts, one run per strategy) the honest answer is:

* the most accurate run;
* the cheapest run that this test set cannot tell from it (McNemar's exact test, :mod:`bertlab.paired`):
  if there is one, the dearer run's lead could be the luck of the test set, and the cheaper run is the one to
  start with, unless the interval of the gap, which the answer gives, holds points worth the extra cost;
* otherwise the most accurate cheaper run, and what the best run's lead costs;
* any run that does no better than always answering the majority class (exact binomial test);
* what the answer does not cover: the luck of training (one seed per strategy).

Cost is training compute (FLOPs, the same on any machine), then training time. Selections with several runs of
one strategy at one training size (seeds of a sweep) get no answer here: the Learning curves and Accuracy vs
cost pages average them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bertlab import paired
from bertlab.pareto import format_flops

ALPHA = 0.05


@dataclass
class Answer:
    """What to use: ``pick`` (a run), why, in ``sentences`` (plain text, no markup)."""

    best: object
    pick: object
    headline: str
    sentences: list[str] = field(default_factory=list)
    caveat: str = ""

    def text(self) -> str:
        return " ".join([self.headline, *self.sentences, self.caveat]).strip()


def _acc(run) -> float:
    return float(run.metrics.get("test_accuracy") or 0.0)


def _cost(run) -> tuple[float, float]:
    c = run.costs or {}
    return (float(c.get("train_flops") or 0.0), float(c.get("train_seconds") or 0.0))


def _n_train(run):
    return ((run.data_summary or {}).get("sizes") or {}).get("train")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{s / 60:.1f} min"


def cost_phrase(dear, cheap) -> str:
    """What ``cheap`` costs next to ``dear``, as a verb phrase: "trains nothing", or "takes 1/38 of the training
    compute (263 GFLOP instead of 10.0 TFLOP; 12.0 s of training instead of 3.8 min here)"."""
    (fd, sd), (fc, sc) = _cost(dear), _cost(cheap)
    if fc <= 0 and sc <= 0:
        return "trains nothing"
    time = f"{_seconds(sc)} of training instead of {_seconds(sd)} here"
    if fc > 0 and fd > 0:
        r = fd / fc
        share = f"1/{r:.0f}" if r >= 10 else f"1/{r:.1f}"
        return f"takes {share} of the training compute ({format_flops(fc)} instead of {format_flops(fd)}; {time})"
    return f"takes less training ({time})"


def _majority_p(run, n: int) -> float | None:
    """One-sided exact binomial p that the run beats always answering the majority class, or None."""
    maj = run.metrics.get("majority_accuracy")
    if maj is None or not n:
        return None
    from scipy.stats import binomtest

    k = round(_acc(run) * n)
    return float(binomtest(k, n, min(max(float(maj), 1e-9), 1 - 1e-9), alternative="greater").pvalue)


def _namer(members: list[tuple]):
    """The strategy's name where it ran once among these runs, else ``full_ft · 1a2b``."""
    counts: dict[str, int] = {}
    for r, _ in members:
        counts[r.strategy] = counts.get(r.strategy, 0) + 1
    return lambda run: run.strategy if counts.get(run.strategy) == 1 else paired.run_name(run)


def answer(runs: list, name=None) -> Answer | None:
    """Which of these finished runs to use, or None where the selection cannot say (fewer than two runs on one
    test set with stored predictions, or several runs of one strategy at one training size)."""
    done = [r for r in runs if getattr(r, "status", None) == "succeeded"]
    groups = paired.pairable(done)
    where: dict[tuple, set] = {}
    for fp, members in groups.items():
        for r, _ in members:
            where.setdefault((r.strategy, _n_train(r), r.model), set()).add(fp)
    if not groups or any(len(fps) > 1 for fps in where.values()):
        return None  # a strategy at several seeds (test sets): averaging them is the Learning curves page's job
    members = max(groups.values(), key=lambda m: max(_acc(r) for r, _ in m))
    best_run = paired.by_accuracy(members)[0][0]
    members = [(r, d) for r, d in members if _n_train(r) == _n_train(best_run)]
    if len(members) < 2:
        return None
    name = name or _namer(members)
    # The most accurate; of equal accuracy, the cheapest.
    best, best_data = min(members, key=lambda m: (-_acc(m[0]), _cost(m[0])))
    n = len(best_data["labels"])
    cheaper = [(r, d, paired.compare(best_data["labels"], best_data["predictions"], d["predictions"]))
               for r, d in members if _cost(r) < _cost(best)]
    bn = name(best)
    sentences: list[str] = []
    if not cheaper:
        pick = best
        headline = (f"Use {bn}: the most accurate of these runs ({_pct(_acc(best))} on {n:,} test texts) and "
                    f"the cheapest to train.")
    else:
        # A cheaper run the test set cannot tell from the best, that no other run beats beyond its luck either
        # (paired tests are not transitive: B may tie with A and C while C beats B).
        def beaten(r, d) -> bool:
            return any(_acc(o) > _acc(r) and paired.compare(d["labels"], od["predictions"], d["predictions"]).p_value
                       < ALPHA for o, od in members if o is not r)

        tied = [c for c in cheaper if c[2].p_value >= ALPHA and not beaten(c[0], c[1])]
        if tied:
            pick, _, p = min(tied, key=lambda c: (_cost(c[0]), -_acc(c[0])))
            pn = name(pick)
            lo, hi = (100 * x for x in p.interval)
            headline = (f"Start with {pn}: it is {100 * p.difference:.1f} points behind the most accurate run, "
                        f"{bn} ({_pct(_acc(pick))} against {_pct(_acc(best))} on {n:,} test texts), a gap this "
                        f"test set cannot tell from chance (McNemar p = {paired.format_p(p.p_value)}), and it "
                        f"{cost_phrase(best, pick)}.")
            sentences.append(f"{bn}'s true lead could be anywhere from {lo:+.1f} to {hi:+.1f} points (95% "
                             f"interval): if a lead near the top of that range would be worth its cost, score both "
                             f"on more test texts to settle it.")
        else:
            pick = best
            nearest, _, p = max(cheaper, key=lambda c: (_acc(c[0]), [-x for x in _cost(c[0])]))
            nn = name(nearest)
            lo, hi = (100 * x for x in p.interval)
            headline = (f"Use {bn} if {100 * p.difference:.1f} points are worth its cost: it is the most accurate "
                        f"({_pct(_acc(best))} on {n:,} test texts) and ahead of the best cheaper run, {nn} "
                        f"({_pct(_acc(nearest))}), beyond the luck of the test set (McNemar p = "
                        f"{paired.format_p(p.p_value)}; 95% interval of the lead {lo:+.1f} to {hi:+.1f} points).")
            sentences.append(f"{nn} {cost_phrase(best, nearest)}.")
    flat = []
    for r, _ in members:
        mp = _majority_p(r, n)
        if mp is not None and mp >= ALPHA:
            flat.append(f"{name(r)} ({_pct(_acc(r))})")
    if flat:
        maj = float(best.metrics.get("majority_accuracy") or 0.0)
        sentences.append(f"No better than always answering the majority class ({_pct(maj)}): {', '.join(flat)}.")
    caveat = ("Each run is one training at one seed: this weighs the luck of the test set, not of training (another "
              "seed trains another model). A sweep over several seeds (the Learning curves page, or python -m "
              "bertlab sweep) covers that too.")
    return Answer(best=best, pick=pick, headline=headline, sentences=sentences, caveat=caveat)


def text_lines(runs: list, width: int = 110) -> list[str]:
    """The answer for a terminal: a heading and the text wrapped to ``width``, or [] where there is none."""
    import textwrap

    a = answer(runs)
    if a is None:
        return []
    return ["Which one to use?", *textwrap.wrap(a.text(), width, initial_indent="  ", subsequent_indent="  ")]
