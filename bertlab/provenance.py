"""What reproducing a stored run's numbers needs beyond its config, worked out once for every surface that gives it
(`runs --json`, the Results CSV, `show`, the HTML report, an exported zip): the precision it computed in beside its
setting, the libraries' versions it trained with, and which of its config's settings its strategy used."""

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
