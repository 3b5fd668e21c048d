"""tfidf_logreg's answer to one text: its word counter built once per loaded model (bertlab) against built on
every call (what :meth:`TfidfModel.transform` did before, the peer), on the full training sets of the built-in
datasets, interleaved in one run.

``python -m bench.tfidf_serving [--repeats R] [--datasets NAME ...] [--train-size N] [--out bench/tfidf_serving.json]``

A review timed the Playground's tfidf_logreg on bbc_news at ~40 ms a text, slower than MiniLM's ~8-12 ms, while
every page calls it the cheapest model to serve: building the counter (a dict of every one of its ~120,000 terms,
then scikit-learn's check of it) took nearly all of it. Prints, per dataset, the terms, the medians and 95th
percentiles of both ways over the same texts (test texts, one per call), their ratio, and whether both gave the same
probabilities. Times are never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import bertlab  # noqa: F401  (bertlab's thread settings before numpy's libraries start)


def _p95(v: list[float]) -> float:
    s = sorted(v)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def per_call_rebuilt(model, texts: list[str]):
    """The peer: the model's transform with its counter built anew, as every call did before."""
    model._counter = None
    return model.predict_proba(texts)


def run(datasets: list[str], repeats: int, train_size: int | None = None, texts_per_repeat: int = 20) -> dict:
    import numpy as np

    from bertlab.config import DataConfig
    from bertlab.data import load_splits
    from bertlab.strategies.tfidf_logreg import TfidfModel

    res: dict = {"setups": {}}
    for name in datasets:
        sp = load_splits(DataConfig(name=name, train_size=train_size or 100_000, val_size=50, test_size=500))
        model, _ = TfidfModel.fit(sp.train.texts, sp.train.labels, C=4.0, ngram_max=2, max_features=None, seed=0)
        texts = sp.test.texts[:texts_per_repeat]
        model.predict_proba(texts[:1])  # warm-up: imports, the counter once
        times: dict[str, list[float]] = {"built once (bertlab)": [], "built every call (before)": []}
        same = True
        for _ in range(repeats):
            for text in texts:
                t0 = time.perf_counter()
                a = model.predict_proba([text])
                times["built once (bertlab)"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                b = per_call_rebuilt(model, [text])
                times["built every call (before)"].append(time.perf_counter() - t0)
                same &= bool(np.array_equal(a, b))
        ms = {k: {"p50_ms": 1000 * statistics.median(v), "p95_ms": 1000 * _p95(v), "n": len(v)}
              for k, v in times.items()}
        ratio = ms["built every call (before)"]["p50_ms"] / ms["built once (bertlab)"]["p50_ms"]
        res["setups"][name] = {"n_train": len(sp.train), "terms": len(model.terms), "one_text": ms,
                               "before_over_bertlab_p50": ratio, "same_probabilities": same}
        print(f"{name:16s} n_train={len(sp.train):6,d} terms={len(model.terms):8,d}  "
              + "  ".join(f"{k}: p50 {v['p50_ms']:.2f} ms, p95 {v['p95_ms']:.2f} ms" for k, v in ms.items())
              + f"  ratio {ratio:.0f}x  same probabilities: {same}")
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--datasets", nargs="+", default=["bbc_news", "rotten_tomatoes"])
    ap.add_argument("--train-size", type=int, default=None, help="cap on training texts (default: all)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    res = run(args.datasets, args.repeats, args.train_size)
    if args.out:
        args.out.write_text(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
