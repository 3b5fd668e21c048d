"""What reproducing a stored run's numbers needs beyond its config, worked out once for every surface that gives it
(`runs --json`, the Results CSV, `show`, the HTML report, an exported zip): the precision it computed in beside its
setting, the CPU threads it trained on, the libraries' versions it trained with, and which of its config's settings
its strategy used."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bertlab.metrics import precision_text

# The libraries whose versions a run records (bertlab's with its checkout's commit): the CSV's columns, `runs --json`'s
# "versions".
VERSIONS = ("bertlab", "torch", "transformers", "scikit-learn", "peft", "onnxruntime")


def run_precision(run: Any) -> dict[str, str | None]:
    """``{"precision": what run computed in, "precision_setting": its config's setting}``: the config's "auto" is
    bf16 on one machine and fp32 on another, so the setting alone does not say. "precision" is None for a run that
    measured none (tfidf_logreg, one that did not finish)."""
    return {"precision": precision_text((run.costs or {}).get("precision")),
            "precision_setting": (run.config or {}).get("precision")}


def run_versions(run: Any) -> dict[str, str | None]:
    """Each of :data:`VERSIONS` as ``run`` recorded it in its environment, None where it recorded none."""
    env = (run.data_summary or {}).get("environment") or {}
    return {k: env.get(k) for k in VERSIONS}


def used_settings(config: dict, strategy: Any, fields: Iterable[str], unknown: bool) -> dict[str, Any]:
    """``fields`` of a run's ``config``, None where its ``strategy`` does not use one
    (:meth:`~bertlab.strategies.base.Strategy.uses_field`: zero_shot's epochs, head_only's warmup); a strategy no
    longer registered (``strategy`` None) keeps each where ``unknown``."""
    return {k: config.get(k) if (unknown if strategy is None else strategy.uses_field(k)) else None for k in fields}


def run_threads(run: Any) -> str | None:
    """The torch thread counts ``run``'s training steps ran at on a CPU: "2", or "1 (90 steps), 2 (6 steps)" where
    it gave threads way to other work for a while (:mod:`bertlab.cpushare`); None where it recorded none (a GPU, a
    strategy without a training loop, a run from before it was recorded). Another count rounds the sums
    differently: full_ft on the Quick demo at seed 0 trained other weights at a fixed 1 and a fixed 2 threads, and
    scored 74.2% where it gave a thread way mid-run against 74.4% at either fixed count. A run repeats bit for bit
    at its count (``OMP_NUM_THREADS=N BERTLAB_CPU_SHARE=0``); one that changed count mid-run cannot be repeated
    exactly."""
    steps = (getattr(run, "costs", None) or {}).get("train_threads")
    if not steps:
        return None
    if len(steps) == 1:
        return next(iter(steps))
    return ", ".join(f"{n} ({k:,} step{'s' * (k != 1)})" for n, k in sorted(steps.items(), key=lambda kv: int(kv[0])))
