"""tfidf_logreg's fit: one BLAS thread (what bertlab uses) against numpy's and scipy's default thread count.

``python -m bench.tfidf_threads [--repeats R] [--out bench/tfidf_threads.json]``

tfidf_logreg fits a logistic regression (lbfgs) for each C of its grid on one TF-IDF matrix. lbfgs does many
small dense products, and OpenBLAS's threads wait for work spinning, so a second thread can cost more than it
gives, most of all where another process (the app's training, a browser) keeps a core busy. Each repeat fits the
whole C grid both ways, alternating, on the Quick demo's and on Standard's training texts (rotten_tomatoes), first
with the machine as found (idle, or not: the load average is printed), then with one more busy process beside it
(a Python loop: what a training run or a browser does to the fit). Prints the medians, their ratio, and whether both ways gave the same coefficients.
Times are never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import time
from pathlib import Path

import bertlab  # noqa: F401  (bertlab's thread settings before numpy's libraries start)


def _spin(stop) -> None:
    while not stop.is_set():
        pass


def fit_grid(x, labels, limited: bool):
    """Seconds to fit every C of tfidf_logreg's grid, and the coefficients."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from bertlab.strategies.tfidf_logreg import C_GRID, one_blas_thread

    t0 = time.perf_counter()
    coefs = []
    for c in C_GRID:
        clf = LogisticRegression(C=c, max_iter=2000, random_state=0)
        if limited:
            with one_blas_thread():
                clf.fit(x, labels)
        else:
            clf.fit(x, labels)
        coefs.append(clf.coef_)
    return time.perf_counter() - t0, np.concatenate(coefs)


def main(argv: list[str] | None = None) -> dict:
    import numpy as np

    from bertlab.config import SPLIT_PRESETS, DataConfig
    from bertlab.data import load_splits
    from bertlab.strategies.tfidf_logreg import TfidfModel

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    res: dict = {"setups": {}}
    for preset in ("Quick demo", "Standard"):
        tr, va, te = SPLIT_PRESETS[preset]
        sp = load_splits(DataConfig(train_size=tr, val_size=va, test_size=te))
        _, x = TfidfModel.vectorize(sp.train.texts, 2, 200_000)
        fit_grid(x, sp.train.labels, True)  # warm-up: imports, first calls
        for load in ("as found", "one busy process added"):
            stop = mp.Event()
            busy = mp.Process(target=_spin, args=(stop,)) if load != "as found" else None
            if busy:
                busy.start()
            try:
                times: dict[str, list[float]] = {"one thread": [], "default threads": []}
                same = True
                for _ in range(args.repeats):
                    a, ca = fit_grid(x, sp.train.labels, True)
                    b, cb = fit_grid(x, sp.train.labels, False)
                    times["one thread"].append(a)
                    times["default threads"].append(b)
                    same &= bool(np.allclose(ca, cb, rtol=1e-6, atol=1e-9))
            finally:
                if busy:
                    stop.set()
                    busy.join()
            med = {k: statistics.median(v) for k, v in times.items()}
            key = f"{preset}, {load}"
            res["setups"][key] = {"n_train": len(sp.train), "load_average_1min": os.getloadavg()[0],
                                  "seconds": times, "median_s": med,
                                  "default_over_one_thread": med["default threads"] / med["one thread"],
                                  "same_coefficients": same}
            print(f"{key:38s} n={len(sp.train):5d}  load {os.getloadavg()[0]:.1f}  one thread {med['one thread']:.3f} s  default "
                  f"{med['default threads']:.3f} s  ratio {med['default threads'] / med['one thread']:.1f}x  "
                  f"same coefficients: {same}")
    if args.out:
        args.out.write_text(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
