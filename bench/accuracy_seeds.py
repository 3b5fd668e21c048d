"""full_ft test accuracy over several seeds: bertlab's engine against HF Trainer (default and grouped).

``python -m bench.accuracy_seeds [--seeds 0 1 2] [--quick]``

The main benchmark compares accuracy at one seed, where a difference of a
point or two can be nothing but which examples happened to share a batch. This
runs the same three setups as ``bench/full_ft.py`` (same split, model,
hyperparameters, one epoch) at each seed -- the seed sets the new head's
initialisation, the batch order and dropout; the split stays the one of the
main benchmark -- and prints each accuracy, the mean per setup and bertlab's
mean difference to each Trainer, in points. Results go to
``bench/accuracy_seeds.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as in `python -m bench`

SETUPS = ("bertlab", "trainer_default", "trainer_grouped")
OUT = Path(__file__).with_name("accuracy_seeds.json")


def run(seeds: list[int], quick: bool = False, model: str | None = None) -> dict:
    from bench import full_ft
    from bench.common import Settings
    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    base = Settings.make(quick, model=model)
    splits = load_splits(DataConfig(name=base.dataset, train_size=base.train_size, val_size=base.val_size,
                                    test_size=base.test_size, seed=base.seed))
    acc: dict[str, list[float]] = {k: [] for k in SETUPS}
    for seed in seeds:
        s = dataclasses.replace(base, seed=seed)
        fns = full_ft.setups(splits, s)
        for name in SETUPS:
            out = fns[name](0)  # repeat 0 measures test accuracy
            acc[name].append(out["test_accuracy"])
            print(f"  seed {seed} {name}: test accuracy {out['test_accuracy']:.3f} ({out['seconds']:.0f} s)", flush=True)
    mean = {k: float(np.mean(v)) for k, v in acc.items()}
    return {"seeds": seeds, "train_size": base.train_size, "test_size": base.test_size, "accuracy": acc,
            "mean": mean, "sd": {k: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for k, v in acc.items()},
            "bertlab_minus_trainer_default_points": (mean["bertlab"] - mean["trainer_default"]) * 100,
            "bertlab_minus_trainer_grouped_points": (mean["bertlab"] - mean["trainer_grouped"]) * 100}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--quick", action="store_true", help="the quick benchmark's small sizes")
    ap.add_argument("--model")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    res = run(a.seeds, a.quick, a.model)
    a.out.write_text(json.dumps(res, indent=2) + "\n")
    for k in SETUPS:
        print(f"{k:<18} mean {res['mean'][k]:.3f}  sd {res['sd'][k]:.3f}")
    print(f"bertlab - Trainer default: {res['bertlab_minus_trainer_default_points']:+.1f} points; "
          f"bertlab - Trainer grouped: {res['bertlab_minus_trainer_grouped_points']:+.1f} points; wrote {a.out}")


if __name__ == "__main__":
    main()
