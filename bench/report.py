"""Ratios against the issue's targets, the printed table, and results.json."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

# key -> (target text, test on the value)
TARGETS: dict[str, tuple[str, object]] = {
    "full_ft_vs_trainer_default": (">= 3x", lambda v: v >= 3),
    "full_ft_vs_trainer_grouped": (">= 1.5x", lambda v: v >= 1.5),
    "full_ft_vs_trainer_all_flags": (">= 1.0x", lambda v: v >= 1.0),
    "full_ft_vs_tutorial": ("(reference)", None),
    # bertlab minus the default Trainer in test-accuracy points: the mean over the repeats' seeds (each repeat
    # runs every setup at its own seed), and the first seed alone, which one seed's luck moves by ~1.5 points.
    "full_ft_accuracy_delta_vs_trainer": ("within +-1 point", lambda v: abs(v) <= 1.0),
    "full_ft_accuracy_delta_first_seed": ("(one seed)", None),
    "head_only_vs_naive": (">= 4.5x", lambda v: v >= 4.5),
    "head_only_vs_embedding_pass": ("<= 1.2x", lambda v: v <= 1.2),
    "embedding_pass_vs_plain": (">= 2x", lambda v: v >= 2),
    "head_only_warm_vs_cold": ("< 0.05", lambda v: v < 0.05),
    "first_comparison_s": ("< 60 s", lambda v: v < 60),
    "playground_all_runs_p95_ms": ("< 100 ms", lambda v: v < 100),
    "playground_per_run_p95_ms": ("< 20 ms", lambda v: v < 20),
    "fp32_ceiling_fraction": (">= 0.60", lambda v: v >= 0.6),
    "bf16_ceiling_fraction": (">= 0.50", lambda v: v >= 0.5),
    # The two above pair each training repeat with the ceiling measured right before and after it (the median
    # of those fractions); these divide the median training rate by the best ceiling of the whole run instead.
    "fp32_ceiling_fraction_run_ceiling": ("(vs the run's best)", None),
    "bf16_ceiling_fraction_run_ceiling": ("(vs the run's best)", None),
    "fp32_ceiling_fraction_cpu_time": ("(same, per CPU-second)", None),
    # The two above count 6 x N x tokens, as MFU does; bertlab's first-token last layer skips part of that,
    # so this one divides only the FLOPs bertlab executes: the hardware efficiency of its arithmetic.
    "fp32_ceiling_fraction_executed": ("(FLOPs executed)", None),
    "bf16_layer_shape_fraction": ("(vs the step's own shapes)", None),
    "fp32_layer_shape_fraction": ("(vs the step's own shapes)", None),
    "full_ft_first_token_speedup": ("(reference)", None),
    "full_ft_flat_weights_speedup": ("(reference)", None),
    "playground_first_token_graph_speedup": ("(reference)", None),
    # What full_ft could reach against each Trainer if everything but its matrix products took no time
    # (bertlab's seconds x the profiler's matmul share): below the target means no loop in this arithmetic can meet it.
    "full_ft_matmul_bound_vs_trainer_default": ("(bound for >= 3x)", None),
    "full_ft_matmul_bound_vs_trainer_grouped": ("(bound for >= 1.5x)", None),
}


def _get(d: dict, *path, default=None):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def accuracy_deltas(a: dict | None, b: dict | None) -> list[float] | None:
    """``a``'s test accuracy minus ``b``'s in points, seed by seed (the repeats both ran at the same seeds);
    the first repeat's alone where per-repeat figures are missing or the seeds differ."""
    if not a or not b or a.get("test_accuracy") is None or b.get("test_accuracy") is None:
        return None
    pa, pb = a.get("test_accuracy_per_repeat"), b.get("test_accuracy_per_repeat")
    if pa and pb and len(pa) == len(pb) and a.get("seed_per_repeat") == b.get("seed_per_repeat"):
        return [(x - y) * 100 for x, y in zip(pa, pb)]
    return [(a["test_accuracy"] - b["test_accuracy"]) * 100]


def ratios(res: dict) -> dict[str, float | None]:
    """One number per target (speed-ups are peer seconds / bertlab seconds)."""
    ft = res.get("full_ft", {}).get("setups", {})
    ho = res.get("head_only", {}).get("setups", {})

    def sec(group: dict, name: str) -> float | None:
        return _get(group, name, "seconds_median")

    def div(a, b):
        return a / b if a is not None and b else None

    b = sec(ft, "bertlab")
    share = _get(res, "full_ft", "flops", "time_breakdown", "matmul_share")
    mm = b * share if b is not None and share else None
    all_flags = "trainer_grouped_bf16" if "trainer_grouped_bf16" in ft else "trainer_grouped"
    acc = accuracy_deltas(ft.get("bertlab"), ft.get("trainer_default"))
    # The ceiling targets read bertlab's run in each precision: "bertlab" itself in its default precision, else
    # the "bertlab_fp32" / "bertlab_bf16" peer that machines with native bf16 also time.
    fp32 = "bertlab" if res.get("full_ft", {}).get("bertlab_dtype") == "fp32" else "bertlab_fp32" if "bertlab_fp32" in ft \
        else None
    bf16 = "bertlab_bf16" if "bertlab_bf16" in ft else "bertlab" \
        if res.get("full_ft", {}).get("bertlab_dtype") == "bfloat16" else None
    layer = _get(res, "full_ft", "flops", "layer_matmul_gflops") or {}

    def run_ceiling(setup: str | None, prec: str) -> float | None:
        """The setup's median useful FLOP/s against the best ceiling of the whole run."""
        return div(_get(ft, setup, "useful_gflops_per_s"), _get(res, "ceiling", f"{prec}_gflops")) if setup else None

    def paired(setup: str | None, prec: str) -> float | None:
        """The median over repeats of each repeat's FLOP/s against the ceiling measured beside it (else the run's)."""
        if not setup:
            return None
        return _get(ft, setup, "ceiling_fraction_paired") or run_ceiling(setup, prec)

    return {
        "full_ft_vs_trainer_default": div(sec(ft, "trainer_default"), b),
        "full_ft_vs_trainer_grouped": div(sec(ft, "trainer_grouped"), b),
        "full_ft_vs_trainer_all_flags": div(sec(ft, all_flags), b),
        "full_ft_vs_tutorial": div(sec(ft, "tutorial"), b),
        "full_ft_accuracy_delta_vs_trainer": sum(acc) / len(acc) if acc else None,
        "full_ft_accuracy_delta_first_seed": acc[0] if acc else None,
        "head_only_vs_naive": div(sec(ho, "head_only_naive"), sec(ho, "head_only_bertlab")),
        "head_only_vs_embedding_pass": div(sec(ho, "head_only_bertlab"), sec(ho, "embedding_pass")),
        "embedding_pass_vs_plain": div(sec(ho, "plain_forward"), sec(ho, "embedding_pass")),
        "head_only_warm_vs_cold": div(_get(res, "head_only", "warm_vs_cold", "warm_seconds"),
                                      _get(res, "head_only", "warm_vs_cold", "cold_seconds")),
        "first_comparison_s": _get(res, "first_comparison", "seconds"),
        "playground_all_runs_p95_ms": _get(res, "playground", "all_runs", "p95_ms"),
        "playground_per_run_p95_ms": _get(res, "playground", "per_run_worst_p95_ms"),
        "fp32_ceiling_fraction": paired(fp32, "fp32"),
        "bf16_ceiling_fraction": paired(bf16, "bf16"),
        "fp32_ceiling_fraction_run_ceiling": run_ceiling(fp32, "fp32"),
        "bf16_ceiling_fraction_run_ceiling": run_ceiling(bf16, "bf16"),
        "fp32_ceiling_fraction_cpu_time": div(_get(ft, fp32, "useful_gflops_per_cpu_s"),
                                              _get(res, "ceiling", "fp32_gflops_per_cpu_s")) if fp32 else None,
        "fp32_ceiling_fraction_executed": div(_get(ft, fp32, "executed_gflops_per_s"),
                                              _get(res, "ceiling", "fp32_gflops")) if fp32 else None,
        "bf16_layer_shape_fraction": div(_get(ft, bf16, "useful_gflops_per_s"), layer.get("bf16")) if bf16 else None,
        "fp32_layer_shape_fraction": div(_get(ft, fp32, "useful_gflops_per_s"), layer.get("fp32")) if fp32 else None,
        "full_ft_first_token_speedup": div(sec(ft, "bertlab_all_tokens"), b),
        "full_ft_flat_weights_speedup": div(sec(ft, "bertlab_per_tensor"), b),
        "playground_first_token_graph_speedup": _get(res, "playground", "first_token_graphs", "speedup_p50"),
        "full_ft_matmul_bound_vs_trainer_default": div(sec(ft, "trainer_default"), mm),
        "full_ft_matmul_bound_vs_trainer_grouped": div(sec(ft, "trainer_grouped"), mm),
    }


def verdicts(r: dict[str, float | None]) -> dict[str, dict]:
    out = {}
    for k, v in r.items():
        target, test = TARGETS[k]
        met = None if v is None or test is None or (isinstance(v, float) and math.isnan(v)) else bool(test(v))
        out[k] = {"target": target, "met": met}
    return out


def _fmt(v, nd: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return str(v)


def table(res: dict) -> str:
    """The human summary: setups first, ratios last."""
    la = res["machine"].get("load_average_at_start", [0])[0], res["machine"].get("load_average_at_end", [0])[0]
    lines = [f"load average (1 min) at start / end: {la[0]:.1f} / {la[1]:.1f} on {res['machine']['logical_cpus']} CPUs",
             f"machine: {res['machine']['device']}  (torch {res['machine']['torch']}, "
             f"native bf16: {res['machine']['native_bf16']}, mode: {'quick' if res['settings']['quick'] else 'full'})"]
    c = res.get("ceiling")
    if c:
        lines.append(f"matmul ceiling: fp32 {c['fp32_gflops']:.1f} GFLOP/s ({c['fp32_n']}^2), bf16 "
                     f"{c['bf16_gflops']:.2f} GFLOP/s ({c['bf16_n']}^2; fp32 at that size {c['fp32_small_gflops']:.1f})")
    lm = _get(res, "full_ft", "flops", "layer_matmul_gflops")
    if lm:
        lines.append(f"matmul at the step's own shapes (one layer's products, {lm['tokens']} rows): fp32 "
                     f"{lm['fp32']:.1f} GFLOP/s" + (f", bf16 {lm['bf16']:.1f} GFLOP/s" if "bf16" in lm else ""))
    for group in ("full_ft", "head_only"):
        setups = res.get(group, {}).get("setups", {})
        if not setups:
            continue
        lines.append(f"\n{group}: median of {res['settings']['repeats']} (seconds per repeat in results.json)")
        seeds = next((v["seed_per_repeat"] for v in setups.values() if v.get("seed_per_repeat")), None)
        acc_head = "acc/seed" if seeds else "test acc"
        lines.append(f"  {'setup':<22}{'median s':>10}{'ex/s':>9}{'GFLOP/s':>9}{'pad %':>7}{'peak MB':>9}{'cpu s':>8}"
                     f"  {acc_head}" + (f" (seeds {', '.join(map(str, seeds))})" if seeds else ""))
        for name, v in setups.items():
            pad = v.get("padding_fraction")
            accs = (v.get("test_accuracy_per_repeat") if seeds else None) or [v.get("test_accuracy")]
            lines.append(f"  {name:<22}{v['seconds_median']:>10.2f}{_fmt(v.get('examples_per_s'), 1):>9}"
                         f"{_fmt(v.get('useful_gflops_per_s'), 1):>9}{_fmt(pad * 100 if pad is not None else None, 1):>7}"
                         f"{v['peak_rss_mb']:>9.0f}{v['cpu_seconds_median']:>8.1f}  "
                         + " ".join(_fmt(a, 3) for a in accs))
        for peer, tests in (res[group].get("paired_tests") or {}).items():  # full_ft's, under its table
            lines.append(f"  bertlab vs {peer}, text by text (McNemar's exact test on the test texts): " + "; ".join(
                f"seed {t['seed']} {t['difference_points']:+.1f} points, {t['bertlab_only_right']} vs "
                f"{t['peer_only_right']} texts, p = {t['p_mcnemar']:.3f}" for t in tests))
    tb = _get(res, "full_ft", "flops", "time_breakdown")
    if tb:
        lines.append(f"\nfull_ft step time (profiler, {tb['steps']} steps): matrix products {tb['matmul_share']:.0%}, "
                     f"optimizer + clipping {tb['optimizer_share']:.0%}, everything else {tb['other_share']:.0%}")
        lines.append("  top ops: " + ", ".join(f"{o['op'].replace('aten::', '')} {o['share']:.0%}"
                                               for o in tb["top_ops"][:6]))
    t = res.get("threads")
    if t:
        lines.append("\nthread settings (fresh process each): one-sentence p50 / p95 ms, 32-text batch ms")
        for name, v in t.items():
            lines.append(f"  {name:<38}{_fmt(v.get('one_p50_ms'), 1):>8}{_fmt(v.get('one_p95_ms'), 1):>8}"
                         f"{_fmt(v.get('batch32_ms'), 0):>8}")
    pg = res.get("playground")
    if pg and pg.get("all_runs"):
        lines.append(f"\nplayground, one sentence, {pg.get('runs', '?')} runs: p50 / p95 ms")
        lines.append(f"  all runs, as the app does it         {_fmt(pg['all_runs'].get('p50_ms'), 1):>8}"
                     f"{_fmt(pg['all_runs'].get('p95_ms'), 1):>8}")
        if pg.get("per_run_pooled"):
            lines.append(f"  per run, as the app does it          {pg['per_run_pooled']['p50_ms']:>8.1f}"
                         f"{pg['per_run_pooled']['p95_ms']:>8.1f}")
        ft = pg.get("first_token_graphs") or {}
        if ft.get("all_positions"):  # its own alternating pair, so compare these two with each other
            for k, label in (("first_token", "first-token graphs (alternating)"),
                             ("all_positions", "every-position graphs (alternating)")):
                lines.append(f"  all runs, {label:<27}{ft[k]['p50_ms']:>8.1f}{ft[k]['p95_ms']:>8.1f}")
        tq = (pg.get("torch") or {}).get("all_runs")
        if tq:
            lines.append(f"  all runs, PyTorch, one-thread workers{tq['p50_ms']:>8.1f}{tq['p95_ms']:>8.1f}")
        if pg.get("all_runs_sequential"):
            q = pg["all_runs_sequential"]
            lines.append(f"  all runs, PyTorch, one after another {q['p50_ms']:>8.1f}{q['p95_ms']:>8.1f}")
        if pg.get("backends"):
            lines.append("  backends: " + ", ".join(f"{k} {v}" for k, v in sorted(pg["backends"].items())))
        agree = pg.get("onnx_vs_torch")
        if agree:
            lines.append(f"  ONNX Runtime vs PyTorch over {agree['sentences']} sentences: same labels "
                         f"{'yes' if agree['same_labels'] else 'NO'}, largest probability difference "
                         f"{agree['max_prob_diff']:.1e}")
        f = pg.get("matmul_floor_per_model") or {}
        if f:
            lines.append(f"  floor: the {f['linear_layers']} matrix products of one model at {f['tokens']} tokens "
                         f"({f['matmul_mflop']:.0f} MFLOP, {f['weights_mb']:.0f} MB of weights): {f['p50_ms']:.1f} ms "
                         f"= {f['gflops_per_s']:.0f} GFLOP/s")
    lines.append(f"\n{'ratio':<36}{'value':>10}  {'target':<18}met")
    for k, v in res["ratios"].items():
        tv = res["targets"][k]
        met = {True: "yes", False: "NO", None: "n/a"}[tv["met"]]
        lines.append(f"{k:<36}{_fmt(v, 3):>10}  {tv['target']:<18}{met}")
    return "\n".join(lines)


def write(res: dict, path: Path) -> None:
    path.write_text(json.dumps(res, indent=2, default=float) + "\n")


def append(path: str, res: dict) -> None:
    """Add ``res`` with today's date to the JSON list in ``path`` (created if missing): the side benches'
    (``bench.omp_policy``, ``bench.app_refresh``) record of every run, where results.json keeps the latest."""
    runs = []
    if os.path.exists(path):
        with open(path) as f:
            runs = json.load(f)
    runs.append({"date": time.strftime("%Y-%m-%d"), **res})
    with open(path, "w") as f:
        json.dump(runs, f, indent=1)
        f.write("\n")
