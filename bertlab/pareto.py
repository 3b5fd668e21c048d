"""Accuracy against cost: the Pareto front, money from a user-set price, and the trade-off in words.

Inputs are plain rows (one per run, see :func:`rows_from_runs`), so the same
functions serve the app, the HTML report and the CLI.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace

from bertlab.estimate import format_duration

# One name for each cost measure, on every page that offers it (the Cost measure buttons of Compare and of Accuracy
# vs cost), in the charts' titles under them and in the report's headings: Compare's "Train time", "Trainable
# params" and "Inference/text" were Accuracy vs cost's "Training time", "Trainable weights" and "Inference compute
# per text", and a "Trainable weights" button opened a chart titled "Trainable parameters".
MEASURE_NAMES = {
    "train_seconds": "Training time", "total_seconds": "Total time", "trainable_params": "Trainable weights",
    "train_flops": "Compute (FLOPs)", "train_money": "Money", "inference_flops_per_text": "Inference compute per text",
    "peak_memory_bytes": "Peak memory", "train_examples_per_s": "Throughput",
}


def examples_per_s(costs: dict | None) -> float | None:
    """A run's training examples/s, None where it trained nothing (zero_shot stores 0.0: a throughput of nothing,
    n/a in every table, the Results CSV, the report, ``run --json`` and the API) or none was recorded."""
    return (costs or {}).get("train_examples_per_s") or None


def _name_and_notes(cost: str, unit: str) -> tuple[str, list[str]]:
    """``cost``'s name as it reads inside a sentence, and what its parentheses hold: the unit its name says
    ("Compute (FLOPs)") or ``unit``, not twice."""
    name = MEASURE_NAMES.get(cost, cost)
    name = name[:1].lower() + name[1:]  # "compute (FLOPs)", not "compute (flops)"
    base, _, said = name.partition(" (")
    notes = [said.removesuffix(")")] if said else []
    return base, notes + ([unit] if unit and unit not in notes else [])


def _with_notes(base: str, notes: list[str]) -> str:
    return f"{base} ({', '.join(notes)})" if notes else base


def measure_label(cost: str, unit: str = "") -> str:
    """``cost``'s name (:data:`MEASURE_NAMES`) as it reads inside a sentence or a chart title, with ``unit`` where
    given: 'compute (FLOPs)', 'training time (s)'; a name that says its unit already is not given it twice."""
    return _with_notes(*_name_and_notes(cost, unit))


def axis_label(cost: str, unit: str = "", log: bool = False) -> str:
    """``cost``'s label as an axis and its hover name it, on every chart of it (Accuracy vs cost's, Compare's): as
    :func:`measure_label`, a FLOP count saying it is an estimate (the costs module's, from the architecture) and a
    ``log`` axis saying so, inside the one pair of parentheses: 'compute (FLOPs, estimate, log scale)', 'training
    time (s, log scale)', 'money (log scale)'."""
    base, notes = _name_and_notes(cost, unit)
    return _with_notes(base, notes + (["estimate"] if cost in FLOP_COSTS else []) + (["log scale"] if log else []))


# The units the labels name beside the measures' names (Compute (FLOPs) says its own): without its unit,
# "inference compute per text (log scale)" stood over ticks reading "10G"
UNITS = {"train_seconds": "s", "inference_flops_per_text": "FLOPs"}
# Each measure's label (charts' titles, the report's headings: named as its button) and its noun in the trade-off
# sentences
COSTS = {
    "train_seconds": (measure_label("train_seconds", UNITS["train_seconds"]), "the training time"),
    "train_flops": (measure_label("train_flops"), "the compute"),
    "trainable_params": (measure_label("trainable_params"), "the trainable weights"),
    "train_money": (measure_label("train_money"), "the money"),
    "inference_flops_per_text": (measure_label("inference_flops_per_text", UNITS["inference_flops_per_text"]),
                                 "the compute per prediction"),
}
FLOP_COSTS = ("train_flops", "inference_flops_per_text")
# What the stars of pareto_figure mean, as the Accuracy vs cost page and the report say it: a star is also dapt's
# marker on Compare's accuracy-against-cost charts and the curves (plots.STRATEGY_SYMBOLS), where a reader of "Stars
# mark the Pareto front" could take dapt for on it; here a run off the front is a circle, dapt's too.
STARS_SAID = ("Stars mark the Pareto front (no other strategy is both cheaper and better), whatever the strategy: "
              "a run off it is a circle here, dapt's too, whose star on the other charts is its own marker.")
# Training examples the Accuracy vs cost page and the report project training's time and money to, at first: a
# comparison on a 500-text sample makes training look free.
PROJECT_TO = 100_000
# Costs closer than this (relative) count as equal on the front: every strategy that keeps the encoder's size
# costs the same to serve, give or take its few head weights.
SAME_COST = 0.01


@dataclass(frozen=True)
class Prices:
    """What an hour of machine time costs, to show cost in money (any currency; defaults are rough cloud prices)."""

    cpu_hour: float = 0.05
    gpu_hour: float = 2.50
    currency: str = "$"
    # the prices left at their defaults by whoever set these (the app's inputs, the saved prices): a $2.50 GPU
    # default read as EUR 2.50 once the currency was changed. Prices built in code set none.
    unset: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        from bertlab.errors import ConfigError

        if not set(self.unset) <= {"cpu_hour", "gpu_hour"}:
            raise ConfigError(f"unset names prices (cpu_hour, gpu_hour), got {self.unset!r}.")

        for name in ("cpu_hour", "gpu_hour"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v < 1e6 or math.isnan(v):
                raise ConfigError(f"price {name} must be a number from 0 upwards (e.g. 2.5), got {v!r}.")
        c = self.currency
        if not isinstance(c, str) or len(c) > 4 or any(ch in c for ch in '<>&"\'') or not c.isprintable():
            raise ConfigError(f"currency must be a symbol or code of at most 4 characters (e.g. $, €, EUR), got {c!r}.")

    def per_hour(self, device: str | None) -> float:
        return self.cpu_hour if device_kind(device) == "cpu" else self.gpu_hour


PRICES_FILE = "prices.json"


PRICE_NAMES = ("cpu_hour", "gpu_hour")


def marking_defaults(p: Prices) -> Prices:
    """``p`` with its prices still at the default marked ``unset``: how a prices.json written before the set prices
    were recorded (no "set" list) is read, as those versions said of it; nothing says which were typed."""
    default = Prices()
    return replace(p, unset=tuple(k for k in PRICE_NAMES if getattr(p, k) == getattr(default, k)))


def load_prices() -> Prices:
    """The prices last set in this data directory (the app's Accuracy vs cost page), else the defaults, all
    ``unset``. Its "set" list names the prices someone set: one typed equal to its default ($0.05, 2.50) is set
    too, where deciding by equality called EUR 0.05 "the default $0.05, never set in EUR" (a review)."""
    import json

    from bertlab.errors import BertlabError
    from bertlab.paths import data_home

    try:
        saved = json.loads((data_home() / PRICES_FILE).read_text(encoding="utf-8"))
        p = Prices(**{k: saved[k] for k in (*PRICE_NAMES, "currency") if k in saved})
        if "set" not in saved:
            return marking_defaults(p)
        kept = saved["set"] if isinstance(saved["set"], list) else []
        return replace(p, unset=tuple(k for k in PRICE_NAMES if k not in kept))
    except (OSError, ValueError, TypeError, BertlabError):
        return Prices(unset=PRICE_NAMES)


def save_prices(p: Prices) -> None:
    """Keep ``p`` in this data directory: the app's next sessions and the CLI's report use it. Its prices not in
    ``p.unset`` are recorded as set (Prices built in code set both)."""
    import json

    from bertlab.paths import data_home, keep_text

    keep_text(data_home() / PRICES_FILE, json.dumps({"cpu_hour": p.cpu_hour, "gpu_hour": p.gpu_hour,
                                                     "currency": p.currency,
                                                     "set": [k for k in PRICE_NAMES if k not in p.unset]},
                                                    sort_keys=True))


def device_kind(device: str | None) -> str:
    """'cpu' or 'gpu' from the device name a run recorded (CPU names end with '(N threads)')."""
    if not device or re.search(r"\(\d+ threads?\)\s*$", device) or device.lower() == "cpu":
        return "cpu"
    return "gpu"


def rows_from_runs(runs, prices: Prices | None = None, unraised: dict[str, int] | None = None) -> list[dict]:
    """One row per succeeded run: strategy (``head_only (balanced)`` for a run with balanced class weights, and
    ``full_ft (lr 2e-05)`` where full_ft ran with other settings too: :func:`bertlab.variants.labels`; not seeds
    of one thing), accuracy, F1 and cost fields (money included: training, and serving a million texts where
    Compare measured the run's serving speed, :func:`bertlab.serving.money_per_million`). ``unraised``: the
    epochs a sweep's run would train without its minimum-steps raise (:func:`bertlab.sweep.unraised_epochs`),
    which :func:`scaled_to` projects with (``epochs_share``)."""
    from bertlab.serving import money_per_million
    from bertlab.variants import labels

    runs = list(runs)
    shown = labels(runs)

    prices = prices or Prices()
    out = []
    for r in runs:
        if r.status != "succeeded":
            continue
        c, m = r.costs, r.metrics
        secs = float(c.get("train_seconds") or 0.0)
        out.append({"run_id": r.id, "strategy": shown[r.id], "test_accuracy": m.get("test_accuracy"),
                    "test_macro_f1": m.get("test_macro_f1"), "majority_accuracy": m.get("majority_accuracy"),
                    "train_seconds": secs, "train_flops": float(c.get("train_flops") or 0.0),
                    "trainable_params": int(c.get("trainable_params") or 0),
                    "train_money": secs / 3600 * prices.per_hour(c.get("device")),
                    "inference_flops_per_text": (None if c.get("inference_flops_per_text") is None
                                                 else float(c["inference_flops_per_text"])),
                    # None until Compare's "Measure serving speed" timed the run: Compare's own figure, not re-derived
                    "serve_money_per_million": money_per_million(c.get("serve_texts_per_s"),
                                                                 prices.per_hour(c.get("serve_device"))),
                    "device": c.get("device"), "n_train": (r.data_summary.get("sizes") or {}).get("train"),
                    "epochs_share": ((unraised or {})[r.id] / float(r.config["epochs"])
                                     if r.id in (unraised or {}) else 1.0)})
    return out


def by_strategy(rows: list[dict]) -> list[dict]:
    """Mean of every numeric field per strategy (several seeds of one strategy become one point)."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["strategy"], []).append(r)
    out = []
    for st, rs in groups.items():
        row = {"strategy": st, "n_runs": len(rs), "run_ids": [r["run_id"] for r in rs if r.get("run_id")]}
        for k in ("test_accuracy", "test_macro_f1", "train_seconds", "train_flops", "trainable_params", "train_money",
                  "inference_flops_per_text", "serve_money_per_million", "n_train", "majority_accuracy",
                  "epochs_share"):
            vals = [r[k] for r in rs if r.get(k) is not None]
            row[k] = sum(vals) / len(vals) if vals else None
        out.append(row)
    return out


def _one(verdict: str) -> str:
    """A judge's verdict after "the gap is": 'one this test set cannot tell from chance', not 'a gap this ...'."""
    return "one " + verdict[len("a gap "):] if verdict.startswith("a gap ") else verdict


def seed_spread(runs) -> list[dict]:
    """For each strategy run several times at one training size (seeds): how far its scores moved, as a table's
    rows: runs, mean ± standard deviation (over the runs, n - 1) and range of test accuracy, and macro-F1's mean ±
    standard deviation. [] where no strategy ran twice at a size. The mean alone hides whether 80% was 79-81% or
    70-90%."""
    import statistics

    from bertlab import variants

    groups: dict[tuple, list[dict]] = {}
    by_id = {r.id: r for r in runs}
    for r in rows_from_runs(runs):
        run = by_id[r["run_id"]]
        cfg = {k: v for k, v in (getattr(run, "config", None) or {}).items() if k != "seed"}
        if isinstance(cfg.get("data"), dict):
            cfg["data"] = {k: v for k, v in cfg["data"].items() if k != "seed"}  # a sweep's seed draws its split
        # seeds of one thing: the same data, model and settings but the seeds (Pick runs can mix others)
        key = (r["strategy"], r["n_train"], getattr(run, "dataset", None), getattr(run, "model", None),
               json.dumps(cfg, sort_keys=True, default=str))
        groups.setdefault(key, []).append(r)
    out = []
    for (strategy, n, *_), rs in groups.items():
        # one run per seed, the newest, as the answer counts them: a run repeated at its seed is not another seed
        # (a persona's table said 3 runs where the answer said a mean of 2 seeds)
        newest: dict[tuple, dict] = {}
        for r in sorted(rs, key=lambda r: getattr(by_id[r["run_id"]], "created", 0)):
            run = by_id[r["run_id"]]
            key = variants.seed_key(run) if "seed" in (getattr(run, "config", None) or {}) else r["run_id"]
            newest[key] = r
        rs = list(newest.values())
        acc = [r["test_accuracy"] for r in rs if r["test_accuracy"] is not None]
        f1 = [r["test_macro_f1"] for r in rs if r["test_macro_f1"] is not None]
        if len(acc) < 2:
            continue
        out.append({"strategy": strategy, "training examples": n, "runs": len(acc),
                    "test accuracy": f"{100 * statistics.mean(acc):.1f}% ± {100 * statistics.stdev(acc):.1f}",
                    "range": f"{100 * min(acc):.1f}-{100 * max(acc):.1f}%",
                    "macro-F1": (f"{statistics.mean(f1):.3f} ± {statistics.stdev(f1):.3f}" if len(f1) > 1 else "-")})
    # smallest training size first, strategies in their order within one: in the runs' order (newest first) a
    # sweep's report listed 200, 200, 50, 50, 100, 100 training examples
    return sorted(out, key=lambda r: (r["training examples"] is None, r["training examples"] or 0))


def scaled_to(row: dict, cost: str, n: int) -> float | None:
    """``row``'s training ``cost`` (time, money, FLOPs) projected to ``n`` training examples, as if it grew in
    proportion to them (same epochs, text lengths and device; a sweep's epochs raised at a small size taken back to
    the strategy's own, ``epochs_share``): a rough guide to what a run on real data volumes costs, when the
    comparison ran on a sample. None where the row's size or cost is unknown."""
    have, value = row.get("n_train"), row.get(cost)
    if not have or value is None:
        return None
    return value * n / have * float(row.get("epochs_share") or 1.0)


def _same_cost(c2: float, c: float) -> bool:
    return abs(c2 - c) <= SAME_COST * max(abs(c), abs(c2))


def _cheaper(c2: float, c: float) -> bool:
    return c2 < c and not _same_cost(c2, c)


def _beats(r2: dict, r: dict, cost: str, metric: str) -> bool:
    """Whether ``r2`` dominates ``r``: cheaper-or-equal and accurate-or-more, one of them strictly."""
    c2, c, a2, a = r2[cost], r[cost], r2[metric], r[metric]
    return (_cheaper(c2, c) or _same_cost(c2, c)) and a2 >= a and (_cheaper(c2, c) or a2 > a)


def pareto_front(rows: list[dict], cost: str, metric: str = "test_accuracy") -> list[int]:
    """Indices of rows no other row beats: nothing is both cheaper-or-equal and more accurate-or-equal (one strict).

    Returned in order of increasing cost.
    """
    # not better than always answering the majority class (``flat``): on no front, however cheap
    pts = [(i, r) for i, r in enumerate(rows) if r.get(cost) is not None and r.get(metric) is not None
           and not r.get("flat")]
    front = [(r[cost], -r[metric], i) for i, r in pts
             if not any(_beats(r2, r, cost, metric) for j, r2 in pts if j != i)]
    return [i for _, _, i in sorted(front)]


NEGLIGIBLE_FLOPS = 1e11  # training under this is next to nothing (bertlab.answer.NEGLIGIBLE_FLOPS, the same)


def two_figures(x: float) -> str:
    """``x`` to two significant figures, as plainly as that reads: '1.4', '2', '12', '140' (a ratio of two
    estimates deserves no more)."""
    return f"{float(f'{x:.2g}'):,g}"


def in_millions(x: float) -> str | None:
    """``x`` from a million up in words, to two significant figures: '1.2 million', '25 billion', '30 trillion'
    (3 PFLOP against 120 kFLOP read "25,000 million"); None below a million. Rounded before its unit is picked: a
    rounding that carries takes the next unit (999 million read "1,000 million", not "1 billion")."""
    x = float(f"{x:.2g}")
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if x >= size:
            return f"{two_figures(x / size)} {word}"
    return None


def _ratio(a: float, b: float) -> str:
    r = a / b
    if (big := in_millions(r)) is not None:  # a network against word counts: the digits past the second mean nothing
        return f"{big} times"  # as the answer's shares ('1/25 billion'), not "25,000 million times"
    if r >= 1e4:  # two figures, as answer's shares ('1/19,000'): '19,093x' claimed digits the estimates lack
        return f"{float(f'{r:.2g}'):,.0f}x"
    return f"{r:,.0f}x" if round(r, 1) >= 10 else f"{r:.1f}x"  # 9.96 is '10x', not "10.0x"


def tradeoff_sentences(rows: list[dict], cost: str = "train_flops", metric: str = "test_accuracy",
                       judge=None, prices: Prices | None = None) -> list[str]:
    """The Pareto front in words, most accurate first.

    Each sentence compares one front point with the next cheaper one, e.g.
    "full_ft is +X points over head_only for Nx the compute". Points
    whose cost is zero (nothing trained) are described as such. ``judge(dear,
    cheap)``, where given, may add whether the gain is beyond the luck of the
    test set (``bertlab.paired.gain_judge``): a few words, or None.
    """
    front = [rows[i] for i in pareto_front(rows, cost, metric)]
    noun = COSTS.get(cost, (cost, cost))[1]

    def quoted(r: dict) -> str:  # " at $0.0123" on the money measure: a finance reader wants the sums themselves
        return f" at {format_cost(r[cost], cost, prices)}" if cost == "train_money" else ""
    flat = [r for r in rows if r.get("flat") and r.get(metric) is not None]
    if flat:  # a review: tfidf_logreg at 57.3%, under the 57.8% of always answering "fresh", starred on the front
        named = [r["strategy"] + (f" ({r[metric]:.3f})" if metric == "test_macro_f1" else f" ({r[metric]:.1%})")
                 for r in flat]
        flat_said = ("Not better than always answering the majority class beyond chance, so on no front however "
                     f"cheap: {', '.join(named)}.")
    if (cost == "train_money" and len(rows) > 1 and all(not r.get(cost) for r in rows)
            and any((r.get("train_seconds") or 0) > 0 for r in rows)):
        # a price of 0: "they tie, and what training costs decides" argued in a circle on the measure of that cost
        return ["No price is set (0 per hour), so money tells these runs apart by nothing: set the price per "
                "CPU- or GPU-hour above, or compare them by training compute or time.", *([flat_said] if flat else [])]
    if all_same_cost(rows, cost) and len(rows) > 1 and front:
        top = "the best by macro-F1" if metric == "test_macro_f1" else "the most accurate"
        ranked = sorted((r for r in rows if r.get(metric) is not None and not r.get("flat")), key=lambda r: -r[metric])
        best = ranked[0]
        lead = (f"They all cost about the same on this measure ({format_cost(best[cost], cost, prices)}): "
                f"{best['strategy']} is {top}")
        verdict = judge(best, ranked[1]) if judge and len(ranked) > 1 else None
        tail = [flat_said] if flat else []  # never unmentioned where they all cost the same (a diff review)
        if verdict and not beyond_chance(verdict):
            # The same verdict as Compare's answer: a lead the test set cannot tell from chance is no reason to pick.
            return [f"{lead}, but its lead over {ranked[1]['strategy']} is {verdict}: on this measure they tie, "
                    "and what training costs decides.", *tail]
        return [f"{lead}" + (f" ({verdict} over {ranked[1]['strategy']})" if verdict else "")
                + ", so it is the one to use on this measure alone.", *tail]
    out = []
    for cheap, dear in zip(front[:-1], front[1:]):
        d = dear[metric] - cheap[metric]
        gain = f"+{d:.3f} macro-F1" if metric == "test_macro_f1" else f"+{100 * d:.1f} points"
        verdict = judge(dear, cheap) if judge else None
        if cheap[cost] > 0:
            sums = (f"{format_cost(dear[cost], cost, prices)} against {format_cost(cheap[cost], cost, prices)}"
                    if cost == "train_money" else "")
            # the answers weigh no training under 100 GFLOP (about a second of a CPU): "200,000x the compute" for
            # head_only over tfidf_logreg read as dear, where Learning curves called it "as cheap as any"
            tiny = ("both next to nothing to train, under 100 GFLOP" if cost == "train_flops"
                    and dear[cost] < NEGLIGIBLE_FLOPS else "")
            said = "; ".join(t for t in (sums, tiny, verdict) if t)
            what = f"for {_ratio(dear[cost], cheap[cost])} {noun}" + (f" ({said})" if said else "")
        else:
            what = "(which trains nothing" + (f"; {verdict}" if verdict else "") + ")" + (
                f", for {format_cost(dear[cost], cost, prices)} of training" if cost == "train_money" else "")
        out.append(f"{dear['strategy']} is {gain} over {cheap['strategy']} {what}.")
    out.reverse()
    on_front = set(pareto_front(rows, cost, metric))
    dominated, ties = [], []
    for i, r in enumerate(rows):
        if i in on_front or r.get(cost) is None or r.get(metric) is None or r.get("flat"):
            continue
        level = _level_with(r, [rows[j] for j in on_front], cost, metric, judge)
        if level is None:
            dominated.append(r["strategy"] + quoted(r))
        elif _same_cost(level[0][cost], r[cost]):
            ties.append(f"{r['strategy']} costs the same as {level[0]['strategy']} and its gap to it is {_one(level[1])}, "
                        "so on this measure they tie.")
        else:  # beaten by a cheaper one by a margin within chance: still dearer for nothing seen, said with the odds
            ties.append(f"{r['strategy']}{quoted(r)} costs more than {level[0]['strategy']}{quoted(level[0])} for no "
                        f"gain the test can see (the gap is {_one(level[1])}): not worth it on this measure unless "
                        "more data shows one.")
    if dominated:
        out.append(f"Not worth it on this measure: {', '.join(dominated)} (another strategy is at least as "
                   f"{'good by macro-F1' if metric == 'test_macro_f1' else 'accurate'} for no more {noun.removeprefix('the ')}).")
    out.extend(ties)
    if flat:
        out.append(flat_said)
    if len(front) == 1:
        top = "the best by macro-F1" if metric == "test_macro_f1" else "the most accurate"
        out.insert(0, f"{front[0]['strategy']} is both {top} and the cheapest here.")
    return out


def _level_with(row: dict, front: list[dict], cost: str, metric: str, judge) -> tuple[dict, str] | None:
    """(the front row that beats ``row`` at the least cost, the judge's verdict) where every front row beating it
    leads by a margin the judge cannot tell from chance: then ``row`` is level with them on accuracy, and either
    ties (the same cost) or is dearer for nothing seen. None where any lead is beyond chance or unjudged."""
    if judge is None:
        return None
    rivals = sorted((f for f in front if _beats(f, row, cost, metric)), key=lambda f: f[cost])
    verdicts = [judge(f, row) for f in rivals]
    if not rivals or any(not v or beyond_chance(v) for v in verdicts):
        return None
    # the same-cost rival first (a tie), else the cheapest
    i = next((k for k, f in enumerate(rivals) if _same_cost(f[cost], row[cost])), 0)
    return rivals[i], verdicts[i]


def beyond_chance(verdict: str) -> bool:
    """Whether a gain judge's verdict (``bertlab.paired.gain_judge``, ``bertlab.answer.gain_judge``) says the gain
    is beyond the luck of the test set or of the seeds."""
    return verdict.startswith("beyond")


def all_same_cost(rows: list[dict], cost: str) -> bool:
    """Whether every row's ``cost`` is within SAME_COST of the others (e.g. every BERT strategy's inference FLOPs)."""
    if any(r.get(cost) is None for r in rows):
        return False  # a run that did not record this cost (an older one) may be anywhere
    vals = [r[cost] for r in rows]
    return bool(vals) and max(vals) - min(vals) <= SAME_COST * max(abs(v) for v in vals)


def money(amount: str, currency: str) -> str:
    """An amount (already written as digits) with its currency before it: '$0.65', '€2.50', 'EUR 0.65'. A code in
    letters needs a space before the number ('EUR0.6522' read as one word); a symbol does not."""
    return f"{currency} {amount}" if currency[-1:].isalpha() else f"{currency}{amount}"


def format_price(per_hour: float, prices: Prices | None = None) -> str:
    """A price per hour as the page's input shows it: two decimals ('$2.50', not '$2.5'), more where the price has
    them ('$0.045': rounding it to '$0.05' would misquote it)."""
    digits = f"{per_hour:,.2f}" if round(per_hour, 2) == per_hour else f"{per_hour:,.6f}".rstrip("0")
    return money(digits, (prices or Prices()).currency)


def price_line(prices: Prices, kinds) -> str:
    """The prices that charged runs on the device ``kinds`` ({'cpu', 'gpu'}): 'EUR 3.60 per CPU machine-hour'.

    A price nobody set (``prices.unset``) is left out where no run used its device: currency EUR and a CPU price
    set for CPU runs made the report say 'or EUR 2.50 per GPU-hour', the $2.50 default relabelled (a review); where
    a run did use it, in another currency than the default's, it says it was not converted."""
    parts = []
    for kind, per, unit in (("cpu", prices.cpu_hour, "CPU machine-hour"), ("gpu", prices.gpu_hour, "GPU-hour")):
        unset = f"{kind}_hour" in prices.unset
        if unset and kind not in kinds:
            continue  # a default nobody set, for a device no run used: nothing to say
        parts.append(f"{format_price(per, prices)} per {unit}"
                     + (f" (the default {format_price(per)}, never set in {prices.currency}: not converted)"
                        if unset and prices.currency != Prices().currency else ""))
    return " or ".join(parts)


def format_cost(value: float | None, cost: str, prices: Prices | None = None) -> str:
    """Human units for a cost value."""
    if value is None:
        return "-"
    if cost == "train_money":
        cur = (prices or Prices()).currency
        if value == 0:
            return money("0", cur)
        if value < 0.0001:  # not "$0.0000" for a run that did cost something
            return "<" + money("0.0001", cur)
        return money(f"{value:.4f}" if value < 1 else f"{value:,.2f}", cur)
    if cost == "train_seconds":  # in words as every page times a run: '75.3 s' beside Compare's '1.3 min'
        return format_duration(value)
    if cost in FLOP_COSTS:
        return format_flops(value)
    return f"{value:,.0f}"


_SI = ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


# What a FLOP and its prefixes are, for a reader who has not met them (a teacher, a stakeholder reading the report):
# said once beside the tables that show them, in the app and in the report.
FLOP_WORDS = ("FLOP: one floating-point operation (a multiplication or an addition), so FLOPs count the arithmetic "
              "a run did, the same on any machine; k, M, G, T before it: thousand, million, billion, trillion.")


def format_flops(value: float | None) -> str:
    """FLOPs with an SI prefix and three significant figures: '176 GFLOP', '38.0 TFLOP', '0 FLOP'.

    The one format for compute on every page, chart and report ("176B" from a generic compact number
    format reads as bytes or billions of something).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    value = float(f"{value:.3g}")  # round first, so 999.6e9 is '1.00 TFLOP', not '1000 GFLOP'
    for div, prefix in _SI:
        if abs(value) >= div:
            return f"{_three(value / div)} {prefix}FLOP"
    return f"{_three(value)} FLOP" if value else "0 FLOP"


def _three(v: float) -> str:
    """Three significant figures without an exponent: 176, 38.0, 2.50, 0.123."""
    digits = max(0, 2 - math.floor(math.log10(abs(v)))) if v else 0
    return f"{v:.{digits}f}"


def log_ticks(lo: float, hi: float, zero_at: float | None = None, currency: str | None = None,
              most: int | None = None) -> tuple[list[float], list[str]]:
    """Tick values and texts of a log axis from ``lo`` to ``hi``: powers of ten, and 2 and 5 times them where the
    span is short (plotly's own minor labels were unreadable, and its powers alone left a teacher two ticks, "100G"
    and "1T"); SI prefixes (10G, 2T), or ``currency`` and plain numbers for money. ``zero_at``: where the points
    that cost nothing are drawn, with no tick within a factor 2 of it (zero_shot sat on "100G"), or of 4 where the
    ticks are whole decades apart ("0" and "1M" ran into one at 1024 px); it gets no tick of its own (a "0" on a log
    axis reads as a scale that reaches it: the point's own label says "(0 FLOP)"). ``most``: at most that many
    ticks drawn between ``lo`` and ``hi``: 1 and 5 times each power of ten where 1, 2 and 5 would be more, else
    powers of ten, every other or third one where more would be: eight on a phone's chart piled into one block of
    text."""
    span = math.log10(hi / lo) if lo > 0 else 0.0
    bottom = min(lo, zero_at or lo)  # ticks past the axis' ends are not drawn
    decades = range(math.floor(math.log10(bottom)), math.ceil(math.log10(hi)) + 1)
    gap = 2.0  # the nearest a tick may be to "0", as a factor: a tick step or more, so that the two never touch

    def shown(vals: list[float]) -> list[float]:
        return [v for v in vals if v >= gap * zero_at] if zero_at is not None else vals

    def drawn(vals: list[float]) -> int:  # how many of them fall on the axis, padded as plotly pads it
        return len([v for v in vals if lo / 1.5 <= v <= hi * 1.5])

    vals = []
    # short spans: 1, 2 and 5 times each power of ten, else 1 and 5, where ``most`` allows them (training times from
    # 3 s to 900 s drew nine labels, "0 5 10 20 50 100 200 500 1k", on a phone's chart); else decades, below
    for steps in ((1, 2, 5), (1, 5)) if span <= 2.5 else ():
        vals = shown([m * 10.0 ** k for k in decades for m in steps])
        if most is None or drawn(vals) <= most:
            break
        vals = []
    if not vals:
        gap = 4.0
        every = 1
        vals = shown([10.0 ** k for k in decades])
        while most is not None and drawn(vals[::every]) > most and every < len(vals):
            every += 1
        # the thinned decades kept from the first one on the axis, so that the cheapest cost keeps its label
        first = next((i for i, v in enumerate(vals) if v >= lo / 10.001), 0)
        vals = vals[first::every]

    def fmt(v: float) -> str:
        if currency is not None:  # "$0.00001", not "$1e-05"
            return money(f"{v:.12f}".rstrip("0").rstrip(".") if v < 1 else f"{v:,g}", currency)
        for e, prefix in ((15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k")):
            if v >= 10 ** e * 0.999:
                return f"{v / 10 ** e:g}{prefix}"
        return f"{v:g}"

    return vals, [fmt(v) for v in vals]


FIGURE_HEIGHT = 460
# Powers of ten a cost axis labels, at most: a phone's chart is ~330 px wide, and eight ticks from
# "0" to "1T" piled up there (every other decade is drawn instead).
MOST_TICKS = 6


def pareto_figure(rows: list[dict], cost: str = "train_flops", metric: str = "test_accuracy", title: str | None = None,
                  prices: Prices | None = None):
    """Scatter of accuracy against a cost (log x when the spread is large), Pareto front joined by a line.

    On a log axis a point that costs nothing (zero_shot trains nothing) is drawn at the left edge, its name saying
    its 0 ("zero_shot (0 FLOP)") so it does not read as a small cost, with no tick of its own (a "0" on a log axis)
    nor one near it. Money ticks carry the currency of ``prices``; the y ticks write no needless decimals."""
    import plotly.graph_objects as go

    from bertlab.plots import add_point_labels, figure, label_places, strategy_color, style  # the app's one look

    label, axis = COSTS.get(cost, (cost, cost))[0], axis_label(cost, UNITS.get(cost, ""))
    f1 = metric == "test_macro_f1"
    y_fmt = ".3f" if f1 else ".1%"
    fig = figure()
    front = pareto_front(rows, cost, metric)
    # Zero-cost points (zero_shot trains nothing) cannot sit on a log axis; they are drawn at the left edge.
    positive = [r[cost] for r in rows if r.get(cost)]
    same = all_same_cost(rows, cost)  # one cost: an axis zoomed on 0.01% differences would draw a gap
    log = bool(positive) and not same and max(positive) / max(min(positive), 1e-30) > 10
    # A tick step left of the cheapest cost: a third where ticks are 1, 2 and 5 times each power of ten (log_ticks'
    # short spans), a decade where they are powers alone ("0" at a third of "1M" read as one label, "0 1M").
    floor = (min(positive) / (3 if max(positive) / min(positive) <= 10**2.5 else 10)) if log else 0.0

    def x(v: float) -> float:
        return v if (v or not log) else floor

    drawn = [i for i, r in enumerate(rows) if r.get(cost) is not None and r.get(metric) is not None]
    texts = {i: r["strategy"] + (f" ({format_cost(0.0, cost, prices)})" if log and r.get(cost) == 0 else "")
             for i, r in enumerate(rows)}
    dx, dy, dt = [x(rows[i][cost]) for i in drawn], [rows[i][metric] for i in drawn], [texts[i] for i in drawn]
    on_front = [drawn.index(i) for i in front if i in drawn] if len(front) > 1 else []
    majority = [r["majority_accuracy"] for r in rows if r.get("majority_accuracy") is not None]
    one_majority = not f1 and majority and max(majority) - min(majority) < 1e-9  # one test set's share: a line
    ys = dy + (majority[:1] if one_majority else [])
    # padded for the labels, never past 100% (plotly's own range ran to 150% over a 100% point); the labels are
    # placed inside it (one above a point near the top ran over the legend)
    y_range = (max(0.0, min(ys) - (pad := max(0.02, 0.15 * (max(ys) - min(ys))))), min(1.02, max(ys) + pad)) if ys else None
    places = label_places(dx, dy, dt, log_x=log, lines=list(zip(on_front, on_front[1:])), y_range=y_range)
    where = dict(zip(drawn, add_point_labels(fig, dx, dy, dt, places, log_x=log)))
    moved = {i for i, p in zip(drawn, places) if not isinstance(p, str)}
    for i, r in enumerate(rows):
        fig.add_trace(go.Scatter(
            x=[x(r[cost])], y=[r[metric]], mode="markers+text", name=r["strategy"], cliponaxis=False,
            text=["" if i in moved else texts[i]], textposition=where.get(i, "top center"),
            marker={"size": 14, "symbol": "star" if i in front else "circle-open" if r.get("flat") else "circle",
                    "color": strategy_color(r["strategy"])},
            hovertemplate=f"<b>{r['strategy']}</b><br>{axis}: {format_cost(r[cost], cost, prices)}"
                          f"<br>{metric.replace('_', ' ')}: %{{y:{y_fmt}}}<extra></extra>", showlegend=False))
    if len(front) > 1:
        # its legend entry a star on the dashed line (an outline over each front point's own): a legend of a line
        # alone left "star" to the caption, and dapt's marker on Compare's charts and the curves is a star too
        fig.add_trace(go.Scatter(x=[x(rows[i][cost]) for i in front], y=[rows[i][metric] for i in front],
                                 mode="lines+markers", line={"dash": "dash", "color": "grey"}, name="Pareto front",
                                 marker={"size": 14, "symbol": "star-open", "color": "grey"}, hoverinfo="skip"))
    # The legend ("always the majority class (58.0%)", "Pareto front") in the row above the plot that every chart
    # has: at plotly's default, on the right, it squeezed the plot to ~70 px on a phone.
    style(fig, title or f"{'Macro-F1' if f1 else 'Accuracy'} vs {label}", FIGURE_HEIGHT)
    fig.update_layout(xaxis_title=axis_label(cost, UNITS.get(cost, ""), log), yaxis_title=metric.replace("_", " "))
    if log:
        cur = (prices or Prices()).currency if cost == "train_money" else None
        zero = any(rows[i][cost] == 0 for i in drawn)
        # no tick at the free point nor within a step of it (log_ticks' zero_at): its own label says "(0 FLOP)"
        vals, text = log_ticks(min(positive), max(positive), floor if zero else None, cur, most=MOST_TICKS)
        fig.update_xaxes(type="log", tickvals=vals, ticktext=text)
    elif same and positive:
        fig.update_xaxes(range=[0, 1.15 * max(positive)])
    if cost in FLOP_COSTS:
        fig.update_xaxes(exponentformat="SI")  # 10G, 2T: giga- and tera-FLOPs, not plotly's "B" for billions
    elif cost == "train_money":  # "$0.0001", not "100µ" with no currency
        fig.update_xaxes(exponentformat="none", tickprefix=money("", (prices or Prices()).currency), tickformat="~g")
    # Percent, as on every page; a decimal where the ticks need one, as close accuracies otherwise read "71%, 71%,
    # 72%", and none where they do not (a wide range read "60.0%, 80.0%, 100.0%"): d3's "~" trims trailing zeros
    fig.update_yaxes(tickformat=".3~f" if f1 else ".1~%", title_text="test macro-F1" if f1 else metric.replace("_", " ") + " (%)")
    if one_majority:  # one test set's share: a line, as on Compare
        fig.add_hline(y=majority[0], line={"dash": "dot", "color": "#666", "width": 1})
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line={"dash": "dot", "color": "#666", "width": 1},
                                 name=f"always the majority class ({majority[0]:.1%})", hoverinfo="skip"))
    if y_range:
        fig.update_yaxes(range=list(y_range))
    return fig
