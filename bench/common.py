"""Shared benchmark helpers: timing with interleaved repeats, matmul ceilings, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from bertlab import models
from bertlab.costs import PeakMemory


@dataclass
class Settings:
    """Sizes and repeats of one benchmark run (``quick`` shrinks everything)."""

    quick: bool = False
    model: str = "minilm"
    dataset: str = "rotten_tomatoes"
    train_size: int = 2000
    val_size: int = 500
    test_size: int = 1000
    epochs: int = 1
    batch_size: int = 32
    max_length: int = 128
    lr: float = 1e-4
    seed: int = 0
    repeats: int = 3
    head_epochs: int = 5
    playground_queries: int = 40
    sections: tuple[str, ...] = ("ceiling", "full_ft", "head_only", "first_comparison", "playground", "threads")

    @property
    def ceiling_n(self) -> int:
        """The size of the n x n matmul the ceilings are measured with (smaller in a quick run)."""
        return 1024 if self.quick else 2048

    @classmethod
    def make(cls, quick: bool, **overrides) -> Settings:
        base = cls(quick=True, train_size=200, val_size=50, test_size=200, repeats=1, playground_queries=20) \
            if quick else cls()
        for k, v in overrides.items():
            if v is not None:
                setattr(base, k, v)
        return base


@dataclass
class Sample:
    """One timed repeat of one setup."""

    seconds: float
    cpu_seconds: float  # CPU time of the whole process (all threads): less sensitive to other load than wall time
    peak_rss: int
    rss_delta: int
    info: dict = field(default_factory=dict)


def median(xs: list[float]) -> float:
    return float(statistics.median(xs)) if xs else float("nan")


def timed(fn: Callable[[], dict], device_type: str = "cpu") -> Sample:
    """Run ``fn`` once under a peak-memory sampler.

    ``fn`` returns a dict that must hold ``seconds`` (the timed region it
    measured itself, so model loading stays outside) and may hold anything else.
    """
    cpu0 = time.process_time()
    with PeakMemory(device_type, interval=0.05) as mem:
        info = fn()
    cpu = info.pop("cpu_seconds", time.process_time() - cpu0)  # the setup's own timed region when it gives one
    return Sample(float(info.pop("seconds")), cpu, mem.high_water, mem.peak, info)


def interleaved(setups: dict[str, Callable[[int], dict]], repeats: int, log=print) -> dict[str, list[Sample]]:
    """Run every setup ``repeats`` times, round-robin (A B C, A B C, ...).

    Round-robin rather than A A A, B B B: on a shared machine the background
    load drifts, and interleaving spreads that drift over all setups alike.
    Each setup gets the repeat index (e.g. to evaluate accuracy only once).
    """
    out: dict[str, list[Sample]] = {k: [] for k in setups}
    for r in range(repeats):
        for name, fn in setups.items():
            s = timed(lambda fn=fn, r=r: fn(r))
            out[name].append(s)
            log(f"  [{r + 1}/{repeats}] {name}: {s.seconds:.2f} s  load {os.getloadavg()[0]:.1f}")
    return out


def summarize(samples: list[Sample]) -> dict:
    """Median seconds, every repeat, peak memory, and the first repeat's extra info.

    Figures that every repeat reports and that differ from one repeat to the next (``test_accuracy``,
    ``seed``, ``ceiling_gflops``: the matmul ceiling measured beside that repeat) are also kept per repeat,
    as ``<key>_per_repeat``.
    """
    info = {}
    for s in samples:  # later repeats may omit one-off figures; keys with a leading underscore are not results
        info = {**{k: v for k, v in s.info.items() if not k.startswith("_")}, **info}
    for key in ("test_accuracy", "seed", "ceiling_gflops"):
        if len(samples) > 1 and all(key in s.info for s in samples):
            info[f"{key}_per_repeat"] = [s.info[key] for s in samples]
    return {"seconds_median": median([s.seconds for s in samples]), "seconds": [round(s.seconds, 4) for s in samples],
            "cpu_seconds_median": median([s.cpu_seconds for s in samples]),
            "peak_rss_mb": max(s.peak_rss for s in samples) / 2**20,
            "peak_rss_delta_mb": max(s.rss_delta for s in samples) / 2**20, **info}


def matmul_gflops(dtype: torch.dtype, n: int = 2048, reps: int = 5, device: str = "cpu",
                  budget_s: float = 20.0) -> float:
    """Best-of-``reps`` rate of an n x n matmul in GFLOP/s (2 n^3 FLOPs), the ceiling to compare against.

    The best, not the median: a ceiling is what the hardware can do, and on a
    shared machine only the best repeat comes close to that. Stops early after
    ``budget_s`` (emulated bf16 on a CPU can be 100x slower than fp32).
    """
    g = torch.Generator().manual_seed(0)  # its own: measuring must not move the random stream a training draws from
    a = torch.randn(n, n, generator=g).to(device=device, dtype=dtype)
    b = torch.randn(n, n, generator=g).to(device=device, dtype=dtype)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    return 2 * n**3 / _best_seconds(lambda: a @ b, reps, sync, budget_s=budget_s) / 1e9


def layer_matmul_gflops(dtype: torch.dtype, hidden: int, intermediate: int, tokens: int, reps: int = 5,
                        device: str = "cpu") -> float:
    """Best-of-``reps`` rate of one encoder layer's training matrix products at ``tokens`` rows, in GFLOP/s.

    The products a step of ``tokens`` real tokens does in each of a BERT layer's six linear maps (query, key,
    value, attention output: hidden x hidden; feed-forward: hidden x intermediate and back), laid out as
    ``nn.Linear`` does them: forward ``x @ W.T``, backward ``g @ W`` and ``g.T @ x``. 6 x tokens x the
    layer's weights FLOPs per round. This is the ceiling at the model's own shapes, which no training loop
    can beat: where it sits near the n x n rate (the EPYC with AVX-512 BF16, bf16: 410 against 428 GFLOP/s in
    one run, 358 against 416 in another), the shapes are not what keeps training below the n x n ceiling.
    """
    shapes = [(hidden, hidden)] * 4 + [(intermediate, hidden), (hidden, intermediate)]  # (out, in)
    ws = [torch.randn(o, i, device=device).to(dtype) for o, i in shapes]
    xs = [torch.randn(tokens, i, device=device).to(dtype) for _, i in shapes]
    gs = [torch.randn(tokens, o, device=device).to(dtype) for o, _ in shapes]
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def one_round() -> None:
        for w, x, g in zip(ws, xs, gs):
            x @ w.t()
            g @ w
            g.t() @ x

    flops = 6 * tokens * sum(o * i for o, i in shapes)
    return flops / _best_seconds(one_round, reps, sync, rounds=5) / 1e9


def _best_seconds(fn: Callable[[], None], reps: int, sync: Callable[[], None], rounds: int = 1,
                  budget_s: float = float("inf")) -> float:
    """Seconds per call of ``fn``: best of ``reps`` timings of ``rounds`` calls each, after one untimed call;
    stops early once ``budget_s`` has passed."""
    t_end = time.perf_counter() + budget_s
    fn()
    sync()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(rounds):
            fn()
        sync()
        best = min(best, (time.perf_counter() - t0) / rounds)
        if time.perf_counter() > t_end:
            break
    return best


def matmul_gflops_per_cpu_second(n: int = 1024, reps: int = 5) -> float:
    """fp32 matmul FLOPs per second of process CPU time (all threads): a ceiling that other load barely moves.

    Wall-clock ceilings and training rates both sink when other processes
    share the cores; FLOPs per CPU-second compare the work done per unit of
    CPU actually received, so a fraction of this ceiling stays meaningful there.
    """
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    c0 = time.process_time()
    for _ in range(reps):
        a @ b
    return 2 * n**3 * reps / (time.process_time() - c0) / 1e9


def machine() -> dict:
    """What the numbers were measured on."""
    import transformers

    dev = models.pick_device()
    return {
        "device": dev.name, "device_type": dev.type, "cpu": models._cpu_name(), "logical_cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(), "native_bf16": dev.bf16,
        "cpu_flags_bf16": models.cpu_has_fast_bf16(), "torch": torch.__version__,
        "transformers": transformers.__version__, "python": platform.python_version(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
        "load_average_at_start": list(os.getloadavg()),
    }


def percentiles_ms(xs: list[float]) -> dict:
    """p50 / p95 / mean of latencies given in seconds, in milliseconds."""
    a = np.asarray(xs) * 1e3
    return {"p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)), "mean_ms": float(a.mean()),
            "n": len(xs)}
