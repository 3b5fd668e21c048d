"""Rough run-time estimates from past runs on the same device (for the Train page).

A run's time is taken to grow with the examples it processes (training
examples times epochs plus evaluation examples) times their mean length in
tokens (after truncation at max_length): a BBC article of 128 tokens costs
about five short reviews. The seconds per such token come from the most recent
finished runs of the same strategy, model and device. With no such run, a
rough figure comes from this device's measured speed where it has been
measured (:mod:`bertlab.speedprobe`, on request); else the estimate is unknown,
which is more honest than a guess.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SUCCEEDED = "succeeded"


@dataclass(frozen=True)
class Estimate:
    """Expected seconds for a run (None = unknown) and what the number is based on."""

    seconds: float | None
    basis: str

    def text(self) -> str:
        """``~40 s``, ``~3 min`` or ``unknown``."""
        return "unknown" if self.seconds is None else "~" + format_duration(self.seconds, rough=True)


def format_duration(s: float, rough: bool = False) -> str:
    """Seconds for people: '12.3 s', '4.5 min', '1.2 h' (under 90 s, under 90 min, beyond); ``rough``: whole seconds
    and minutes ('~' estimates)."""
    if s < 90:
        return f"{max(1, round(s))} s" if rough else f"{s:.1f} s"
    if s < 5400:
        return f"{round(s / 60)} min" if rough else f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def work_units(sizes: dict[str, int], epochs: int, uses_epochs: bool) -> float:
    """Examples a run processes: train x epochs plus evaluation (validation each epoch, test once)."""
    tr, va, te = sizes.get("train", 0), sizes.get("validation", 0), sizes.get("test", 0)
    if not uses_epochs:
        return float(va + te)
    return float(tr * epochs + va * epochs + te)


def past_tokens(run: Any) -> float | None:
    """Mean tokens per training text a past run processed (after truncation), if it recorded them."""
    mean = (run.data_summary or {}).get("mean_tokens")
    if mean:
        return float(mean)
    # Runs from before mean_tokens was recorded: fine-tuning ones counted their training tokens.
    tokens, n = (run.costs or {}).get("train_tokens"), ((run.data_summary or {}).get("sizes") or {}).get("train")
    epochs = (run.config or {}).get("epochs") or 1
    return tokens / (n * epochs) if tokens and n else None


def mean_tokens(model: str, texts: Sequence[str], max_length: int, sample: int = 2000) -> float:
    """Mean length in tokens of ``texts`` (the first ``sample``) after truncation at ``max_length``: what the
    estimate scales by (as runs record it). Loads the model's tokenizer (a second or so the first time)."""
    from bertlab.runner import token_lengths  # the runner's count, so estimates and runs count alike

    lengths = token_lengths(model, list(texts[:sample]))
    return truncated_mean(lengths, max_length)


def truncated_mean(lengths: Sequence[int], max_length: int) -> float:
    """Mean of ``lengths`` with each cut at ``max_length`` (texts longer than it are truncated); 0 for none."""
    return sum(min(n, max_length) for n in lengths) / len(lengths) if lengths else 0.0


def estimate_seconds(runs: Sequence[Any], strategy: str, model: str, device: str, sizes: dict[str, int],
                     epochs: int, uses_epochs: bool = True, last: int = 5, tokens: float | None = None) -> Estimate:
    """Estimate a new run's seconds from ``runs`` (store Run objects, newest first).

    Args:
        runs: past runs; only succeeded ones of this strategy, model and device count.
        strategy / model / device: what the new run uses (device is ``DeviceInfo.name``).
        sizes: the new run's split sizes ({"train", "validation", "test"}).
        epochs: the new run's epochs.
        uses_epochs: whether the strategy's time grows with epochs.
        last: how many recent comparable runs to take the median rate of.
        tokens: the new run's mean tokens per text (``mean_tokens``), or a function giving it (called only
            when a comparable past run exists); None for a strategy that does not tokenize (tfidf_logreg) or
            where unknown: then only the number of examples counts.
    """
    rates, per_token = [], []
    comparable = [r for r in runs if r.status == SUCCEEDED and r.strategy == strategy and r.model == model]
    if callable(tokens):
        tokens = tokens() if comparable else None
    for r in comparable:
        if (r.costs or {}).get("device", r.device) != device:
            continue
        secs = (r.costs or {}).get("total_seconds")
        past_sizes = (r.data_summary or {}).get("sizes")
        past_epochs = (r.config or {}).get("epochs", 1)
        if not secs or not past_sizes:
            continue
        units = work_units(past_sizes, past_epochs, uses_epochs)
        if units > 0:
            rates.append(secs / units)
            if tokens and (t := past_tokens(r)):
                per_token.append(secs / (units * t))
        if len(rates) >= last:
            break
    if not rates:
        return Estimate(None, "no past run here yet")
    new_units = work_units(sizes, epochs, uses_epochs)
    if per_token:
        n = len(per_token)
        return Estimate(statistics.median(per_token) * new_units * tokens,
                        f"{n} past run{'s' if n > 1 else ''} on this device, per token")
    n = len(rates)
    return Estimate(statistics.median(rates) * new_units, f"{n} past run{'s' if n > 1 else ''} on this device")


def probe_estimate(speed: Any, work: tuple[float, float] | None, tokens: float | None) -> Estimate | None:
    """A rough estimate from this device's measured speed (:class:`bertlab.speedprobe.Speed`) and a strategy's
    work (``Strategy.probe_work``) at ``tokens`` mean tokens per text; None where any of them is missing."""
    if speed is None or work is None or not tokens:
        return None
    return Estimate(speed.seconds(*work, tokens), "rough: this device's measured speed (no run of it here yet)")


def phase_time_left(progress: float | None, phase_started: float | None, now: float) -> float | None:
    """Seconds left in a running phase at its pace so far (elapsed x (1 - p) / p), or None while too early to
    tell: under 5 s in, or under 5% done and under a minute in (the first steps also pay for warm-up, which a
    minute outweighs: a run of hours would otherwise say nothing for its first quarter of an hour), or nothing done
    or no start time recorded."""
    if not phase_started or not progress or progress >= 1.0:
        return None
    elapsed = now - phase_started
    if elapsed < 5 or (progress < 0.05 and elapsed < 60):
        return None
    return elapsed * (1.0 - progress) / progress
