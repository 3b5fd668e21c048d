"""Cost accounting: parameters, FLOPs estimates, peak memory, timing."""

from __future__ import annotations

import os
import threading
import time

import psutil
import torch


def count_params(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


def non_embedding_params(model: torch.nn.Module) -> int:
    """Parameters outside the embedding tables: the ones that cost FLOPs per token."""
    n = 0
    for name, p in model.named_parameters():
        if "embeddings" in name:
            continue
        n += p.numel()
    return n


def forward_flops(n_params_non_emb: int, tokens: int) -> float:
    """Forward FLOPs ~= 2 * N * T (N = non-embedding params, T = real tokens).

    The attention score term (2 * n_layers * seq * d per token) is left out: at
    max_length 128 on MiniLM it is under 10% of the total.
    """
    return 2.0 * n_params_non_emb * tokens


def train_flops(n_params_non_emb: int, tokens: int) -> float:
    """Training FLOPs ~= 6 * N * T (forward 2NT + backward 4NT), Kaplan et al. 2020."""
    return 6.0 * n_params_non_emb * tokens


class PeakMemory:
    """Track peak memory during a block: CUDA max-allocated on GPU, process RSS sampled on CPU."""

    def __init__(self, device_type: str, interval: float = 0.1) -> None:
        self.device_type = device_type
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        if self.device_type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        else:
            proc = psutil.Process(os.getpid())
            self.peak = proc.memory_info().rss

            def sample() -> None:
                while not self._stop.wait(self.interval):
                    self.peak = max(self.peak, proc.memory_info().rss)

            self._thread = threading.Thread(target=sample, daemon=True, name="bertlab-mem")
            self._thread.start()
        return self

    def read(self) -> int:
        if self.device_type == "cuda":
            return int(torch.cuda.max_memory_allocated())
        return int(self.peak)

    def __exit__(self, *exc: object) -> None:
        if self._thread:
            self._stop.set()
            self._thread.join(timeout=1)
        self.peak = self.read()


class Timer:
    """Accumulating wall-clock timer: ``with timer: ...`` adds to ``timer.seconds``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._t0 = 0.0

    def __enter__(self) -> Timer:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._t0
