"""``python -m bench [--quick]``: run every section, print the table, write bench/results.json."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # the bench forks subprocesses (thread probes)
# The app's OpenMP policy (a short spin, then sleep; bertlab/__init__.py) for every setup, so the comparisons
# are fair; `python -m bench.omp_policy` measures what the policy is worth.
import bertlab  # noqa: E402,F401  (sets it before torch starts its threads)
from bench import common, report  # noqa: E402  (after the environment is set)

RESULTS = Path(__file__).with_name("results.json")
QUICK_RESULTS = Path(__file__).with_name("results_quick.json")  # a check run must not overwrite the full one


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ceiling(s: common.Settings) -> dict:
    import torch

    from bertlab import models

    n = s.ceiling_n
    native = models.pick_device().bf16
    small = 2048 if native else 512  # emulated bf16 is ~100x slower: a 2048^2 product would take minutes
    return {"fp32_gflops": common.matmul_gflops(torch.float32, n), "fp32_n": n,
            "bf16_gflops": common.matmul_gflops(torch.bfloat16, small, reps=3), "bf16_n": small,
            "fp32_small_gflops": common.matmul_gflops(torch.float32, small),
            "fp32_gflops_per_cpu_s": common.matmul_gflops_per_cpu_second(n),
            "formula": "2 * n^3 FLOPs per n x n matmul, best of the repeats"}


def section_full_ft(s: common.Settings, splits) -> dict:
    from bench import full_ft
    from bertlab import models

    log("full_ft: warm-up on 64 texts")
    small = _small(splits)
    for fn in full_ft.setups(small, s).values():
        fn(1)
    log("full_ft: timed repeats")
    samples = common.interleaved(full_ft.setups(splits, s), s.repeats, log)
    setups = {k: common.summarize(v) for k, v in samples.items()}
    paired_tests = full_ft.paired_tests_per_repeat(splits.test.labels, samples)
    flops = full_ft.flop_figures(splits, s, setups)
    log("full_ft: where a training step's time goes (profiler)")
    flops["time_breakdown"] = full_ft.time_breakdown(splits, s)
    dtype = models.autocast_dtype("auto", models.pick_device())
    return {"setups": setups, "flops": flops, "bertlab_dtype": "fp32" if dtype is None else str(dtype)[6:],
            "paired_tests": paired_tests}


def section_head_only(s: common.Settings, splits) -> dict:
    from bench import head_only

    log("head_only: warm-up")
    small = _small(splits)
    for fn in head_only.setups(small, s).values():
        fn(1)
    log("head_only: timed repeats")
    samples = common.interleaved(head_only.setups(splits, s), s.repeats, log)
    log("head_only: cold vs warm disk cache")
    return {"setups": {k: common.summarize(v) for k, v in samples.items()},
            "warm_vs_cold": head_only.warm_vs_cold(splits, s)}


def _small(splits):
    from bertlab.data import Splits

    return Splits(splits.train.subset(range(min(64, len(splits.train)))),
                  splits.val.subset(range(min(32, len(splits.val)))),
                  splits.test.subset(range(min(32, len(splits.test)))))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, one repeat: a few minutes")
    ap.add_argument("--repeats", type=int, help="timed repeats per setup (median reported)")
    ap.add_argument("--train-size", type=int, dest="train_size")
    ap.add_argument("--test-size", type=int, dest="test_size")
    ap.add_argument("--model", help="model spec (default: the packaged minilm)")
    ap.add_argument("--only", nargs="+", help="run only these sections", choices=common.Settings.sections)
    ap.add_argument("--out", type=Path, help="where to write the JSON results (default: bench/results.json, "
                    "or bench/results_quick.json with --quick)")
    a = ap.parse_args(argv)
    a.out = a.out or (QUICK_RESULTS if a.quick else RESULTS)
    return a


def main(argv: list[str] | None = None) -> dict:
    a = parse_args(argv)
    s = common.Settings.make(a.quick, repeats=a.repeats, train_size=a.train_size, test_size=a.test_size,
                             model=a.model)
    if a.only:
        s.sections = tuple(a.only)
    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    t_start = time.perf_counter()
    res: dict = {"machine": common.machine(), "settings": {k: v for k, v in vars(s).items()},
                 "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    splits = load_splits(DataConfig(name=s.dataset, train_size=s.train_size, val_size=s.val_size,
                                    test_size=s.test_size, seed=s.seed))
    res["data"] = {"dataset": s.dataset, **splits.sizes()}
    if "ceiling" in s.sections:
        log("matmul ceilings")
        res["ceiling"] = ceiling(s)
    if "full_ft" in s.sections:
        res["full_ft"] = section_full_ft(s, splits)
    if "ceiling" in s.sections:  # again after the long section: the ceiling is the best seen in the run
        again = ceiling(s)
        for k in ("fp32_gflops", "bf16_gflops", "fp32_small_gflops", "fp32_gflops_per_cpu_s"):
            res["ceiling"][k] = max(res["ceiling"][k], again[k])
    if "head_only" in s.sections:
        res["head_only"] = section_head_only(s, splits)
    if "first_comparison" in s.sections:
        log("time to first comparison (zero_shot + head_only, defaults)")
        from bench import first_comparison

        res["first_comparison"] = first_comparison.run()
    if "playground" in s.sections:
        log("playground: training one small run per strategy")
        from bench import playground

        res["playground"] = playground.run(s, splits.test.texts[: s.playground_queries])
    if "threads" in s.sections:
        log("thread settings")
        from bench import threads

        res["threads"] = threads.run(s.model)
    res["machine"]["load_average_at_end"] = list(os.getloadavg())
    res["total_seconds"] = time.perf_counter() - t_start
    res["ratios"] = report.ratios(res)
    res["targets"] = report.verdicts(res["ratios"])
    report.write(res, a.out)
    print(report.table(res))
    log(f"wrote {a.out} in {res['total_seconds']:.0f} s")
    return res


if __name__ == "__main__":
    main()
