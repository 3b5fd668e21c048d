"""full_ft test accuracy over several seeds: bertlab's engine against HF Trainer (default and grouped).

``python -m bench.accuracy_seeds [--seeds 0 1 2] [--quick] [--add] [--only bertlab_fp16]``

The main benchmark compares accuracy at as many seeds as it has repeats (three),
where a difference of a point or two can be nothing but which examples happened
to share a batch. This runs only the accuracy side, at as many seeds as asked:
the same setups as ``bench/full_ft.py`` (bertlab, the default and the
length-grouped Trainer; where the CPU or GPU has native bf16 also bertlab in its
other precision and the grouped Trainer in bf16; same split, model,
hyperparameters, one epoch) at each seed -- the seed sets the new head's
initialisation, the batch order and dropout; the split stays the one of the
main benchmark -- and prints each accuracy, the mean per setup and bertlab's
mean difference to each Trainer, in points, and at each seed a paired test of
bertlab against each Trainer on the same test texts (McNemar's exact test:
could the difference be the luck of the test set?). Results go to
``bench/accuracy_seeds.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

import bertlab  # noqa: E402,F401  (the app's OpenMP policy, as in `python -m bench`)

SETUPS = ("bertlab", "trainer_default", "trainer_grouped")
# Also run where the machine has them (native bf16): bertlab in its other precision and the bf16 Trainer, so
# the seeds show whether bf16 keeps accuracy.
EXTRA = ("bertlab_fp32", "bertlab_bf16", "trainer_grouped_bf16")
PEERS = ("trainer_default", "trainer_grouped", "trainer_grouped_bf16")
# Run only when named (--only): bertlab in fp16 with loss scaling, what "auto" picks on a GPU with tensor cores
# but no native bf16 (T4, V100). A CPU computes in the formats such a GPU uses (fp16 operands and results), slowly.
OPTIONAL = ("bertlab_fp16",)
OUT = Path(__file__).with_name("accuracy_seeds.json")


def optional_setups(splits, s) -> dict:
    """The OPTIONAL setups, built as ``full_ft.setups`` builds the others."""
    import torch

    from bench import full_ft
    from bertlab import models

    dev = models.pick_device()
    return {"bertlab_fp16": full_ft.bertlab_setup(splits, s, models.load_tokenizer(s.model), dev.torch, torch.float16)}


def run(seeds: list[int], quick: bool = False, model: str | None = None, only: list[str] | None = None) -> dict:
    from bench import full_ft
    from bench.common import Settings
    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    base = Settings.make(quick, model=model)
    splits = load_splits(DataConfig(name=base.dataset, train_size=base.train_size, val_size=base.val_size,
                                    test_size=base.test_size, seed=base.seed))
    acc: dict[str, list[float]] = {}
    tests: dict[str, list[dict]] = {}  # per seed: bertlab against each peer, text by text
    for seed in seeds:
        s = dataclasses.replace(base, seed=seed)
        fns = {**full_ft.setups(splits, s), **(optional_setups(splits, s) if only else {})}
        preds = {}
        for name in only or SETUPS + tuple(k for k in EXTRA if k in fns):
            out = fns[name](0)  # repeat 0 trains at the settings' own seed
            acc.setdefault(name, []).append(out["test_accuracy"])
            preds[name] = out.get("_test_predictions")
            print(f"  seed {seed} {name}: test accuracy {out['test_accuracy']:.3f} ({out['seconds']:.0f} s)", flush=True)
        for peer, t in full_ft.paired_tests(splits.test.labels, preds).items():
            tests.setdefault(peer, []).append({"seed": seed, **t})
    if only:
        return acc
    return {**summarize(seeds, acc, base.train_size, base.test_size), "paired_tests": tests}


def add_setups(names: list[str], out: Path, quick: bool = False, model: str | None = None) -> dict:
    """Run ``names`` at the seeds ``out`` holds and summarize them with the setups already there."""
    old = json.loads(out.read_text())
    acc = run(old["seeds"], quick, model, only=names)
    kept = {"paired_tests": old["paired_tests"]} if "paired_tests" in old else {}
    return {**summarize(old["seeds"], {**old["accuracy"], **acc}, old["train_size"], old["test_size"]), **kept}


def summarize(seeds: list[int], acc: dict[str, list[float]], train_size: int, test_size: int) -> dict:
    """Means, sample standard deviations, and bertlab's difference to each Trainer (means, and per seed)."""
    mean = {k: float(np.mean(v)) for k, v in acc.items()}
    res = {"seeds": seeds, "train_size": train_size, "test_size": test_size, "accuracy": acc,
           "mean": mean, "sd": {k: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for k, v in acc.items()},
           "bertlab_minus_trainer_default_points": (mean["bertlab"] - mean["trainer_default"]) * 100,
           "bertlab_minus_trainer_grouped_points": (mean["bertlab"] - mean["trainer_grouped"]) * 100}
    for peer in (p for p in PEERS if p in acc):
        res[f"per_seed_minus_{peer}_points"] = per_seed_points(acc["bertlab"], acc[peer])
    if "bertlab_fp16" in acc and "bertlab_fp32" in acc:  # what fp16 with loss scaling costs against fp32
        res["per_seed_fp16_minus_fp32_points"] = per_seed_points(acc["bertlab_fp16"], acc["bertlab_fp32"])
    return res


def per_seed_points(a: list[float], b: list[float]) -> dict:
    """``a`` minus ``b`` seed by seed, in points, with their mean and its standard error."""
    d = (np.array(a) - np.array(b)) * 100
    return {"values": [float(x) for x in d], "mean": float(d.mean()),
            "standard_error": float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else None}


def add_seeds(seeds: list[int], out: Path, quick: bool = False, model: str | None = None) -> dict:
    """Keep the seeds already in ``out`` (same sizes), run only the missing ones, and summarize them all."""
    old = json.loads(out.read_text()) if out.is_file() else None
    new = [x for x in seeds if old is None or x not in old["seeds"]]
    res = run(new, quick, model) if new else None
    if old is None:
        return res
    if res is not None and (res["train_size"], res["test_size"]) != (old["train_size"], old["test_size"]):
        raise SystemExit(f"{out} holds other sizes ({old['train_size']}/{old['test_size']}); use another --out")
    keys = [k for k in old["accuracy"] if res is None or k in res["accuracy"]]  # setups run at every seed
    acc = {k: old["accuracy"][k] + (res["accuracy"][k] if res else []) for k in keys}
    tests = {k: old.get("paired_tests", {}).get(k, []) + (res or {}).get("paired_tests", {}).get(k, [])
             for k in PEERS}
    return {**summarize(old["seeds"] + new, acc, old["train_size"], old["test_size"]),
            "paired_tests": {k: v for k, v in tests.items() if v}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--quick", action="store_true", help="the quick benchmark's small sizes")
    ap.add_argument("--model")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--add", action="store_true",
                    help="keep the seeds already in --out and run only the others (CPU training is deterministic per seed)")
    ap.add_argument("--only", nargs="+", choices=OPTIONAL,
                    help="run these setups at the seeds --out already holds, and add them to it")
    a = ap.parse_args()
    if a.only:
        res = add_setups(a.only, a.out, a.quick, a.model)
    else:
        res = add_seeds(a.seeds, a.out, a.quick, a.model) if a.add else run(a.seeds, a.quick, a.model)
    a.out.write_text(json.dumps(res, indent=2) + "\n")
    for k in res["accuracy"]:
        print(f"{k:<20} mean {res['mean'][k]:.3f}  sd {res['sd'][k]:.3f}")
    print(f"bertlab - Trainer default: {res['bertlab_minus_trainer_default_points']:+.1f} points; "
          f"bertlab - Trainer grouped: {res['bertlab_minus_trainer_grouped_points']:+.1f} points; wrote {a.out}")
    for t in res.get("paired_tests", {}).get("trainer_default", []):
        print(f"seed {t['seed']}: bertlab - Trainer default {t['difference_points']:+.1f} points; only bertlab right on "
              f"{t['bertlab_only_right']}, only the Trainer on {t['peer_only_right']} texts: McNemar p = {t['p_mcnemar']:.3f}")
    se = res["per_seed_minus_trainer_default_points"]["standard_error"]
    if se is not None:
        print(f"per seed, bertlab - Trainer default: {res['per_seed_minus_trainer_default_points']['mean']:+.1f} "
              f"± {se:.1f} points (standard error over {len(res['seeds'])} seeds)")


if __name__ == "__main__":
    main()
