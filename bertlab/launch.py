"""What one launch queues: each strategy at each of its learning rates, and each of those at each seed.

The learning rate is the setting most worth trying on one's own data ("does tuning matter here?"), and runs of
one strategy at two rates are two choices, not seeds (:mod:`bertlab.variants` names them ``head_only (lr
0.001)`` and ``head_only (lr 0.03)``). One launch can hold them, so that Compare, which opens on the latest
launch, weighs them at once: the Train page's *Also compare at learning rates* and the CLI's ``--lr
head_only=1e-3,3e-2`` queue one run per rate and seed, the rates in the order given, each rate's seeds together.
"""

from __future__ import annotations

import re

from bertlab.config import RunConfig
from bertlab.errors import ConfigError
from bertlab.paths import positive_int_env
from bertlab.strategies import get_strategy, seeded_configs

MAX_RATES = 10  # learning rates in one list (a strategy's further rates to compare, or a --lr list)
MAX_RUNS_ENV = "BERTLAB_MAX_RUNS_PER_LAUNCH"
MAX_RUNS_PER_LAUNCH = 100  # runs one launch may queue, unless MAX_RUNS_ENV says otherwise (a classroom's server)


def max_runs_per_launch() -> int:
    """The most runs one launch may queue: ``BERTLAB_MAX_RUNS_PER_LAUNCH`` where set, else 100. On a shared
    server one click queued 20,031 runs (2,000 pasted rates x 10 seeds), days of the one worker everyone shares.

    Raises:
        ConfigError: the variable is set to something other than a whole number of at least 1.
    """
    return positive_int_env(MAX_RUNS_ENV, MAX_RUNS_PER_LAUNCH, "of at least 1 (the most runs one launch may queue)",
                            str(MAX_RUNS_PER_LAUNCH), ConfigError)


def launch_size_problem(n_runs: int) -> str | None:
    """Why a launch of ``n_runs`` runs may not be queued (more than :func:`max_runs_per_launch`), else None."""
    try:
        cap = max_runs_per_launch()
    except ConfigError as e:
        return str(e)
    if n_runs <= cap:
        return None
    return (f"this launch has {n_runs:,} runs (strategies x learning rates x seeds); the limit is {cap:,} per launch "
            "on this server. Queue fewer: fewer learning rates or seeds, or the strategies over several launches "
            f"(whoever runs the server can set {MAX_RUNS_ENV} higher).")


def learning_rates(text: str, where: str, further: bool = False) -> list[float]:
    """The learning rates written in ``text`` (``"3e-3, 3e-2"``: commas, semicolons or spaces between), in the
    order given; [] for a blank text. ``further``: rates beside the strategy's own (the Train page's field), so at
    most ``MAX_RATES`` - 1 of them, and a strategy runs at ``MAX_RATES`` rates at most either way (`--lr`'s list).

    Raises:
        ConfigError: naming ``where`` (the field or flag), for more than ``MAX_RATES`` values (one fewer with
        ``further``), a value that is not a number, one that is not above 0 and at most 1, or one given twice.
    """
    out: list[float] = []
    items = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    if len(items) > MAX_RATES - further:  # each is a run per seed: 2,000 pasted rates queued 20,031 runs
        given = f"{len(items):,} further learning rates given" if further else f"{len(items):,} learning rates given"
        most = f"at most {MAX_RATES - 1} here, {MAX_RATES} with its own," if further else f"at most {MAX_RATES}"
        raise ConfigError(f"{where}: {given}; {most} per strategy in one launch (each is a run per seed). Keep the "
                          "few worth comparing, e.g. 3e-3, 1e-2, 3e-2.")
    for item in items:
        try:
            v = float(item)
        except ValueError:
            raise ConfigError(f"{where}: {item!r} is not a number; write learning rates separated by commas, e.g. "
                              "3e-3, 3e-2.") from None
        if not 0 < v <= 1:  # what RunConfig takes (nan fails both comparisons)
            raise ConfigError(f"{where}: learning_rate must be above 0 and at most 1 (e.g. 5e-5), got {item}.")
        if v in out:
            raise ConfigError(f"{where}: {item} is given twice; each learning rate is one run (more seeds of one "
                              "are 'Runs per strategy' / --repeats).")
        out.append(v)
    return out


def launch_configs(config: RunConfig, repeats: int, also: list[float] | tuple[float, ...] = ()) -> list[RunConfig]:
    """``config`` at its own learning rate, then at each of ``also`` not equal to it, each rate at ``repeats``
    seeds (:func:`~bertlab.strategies.seeded_configs`): one run per rate and seed. A strategy no learning rate
    changes runs at its own only."""
    rates = [config.learning_rate]
    if get_strategy(config.strategy).uses_epochs:  # not zero_shot's or tfidf_logreg's: they train no epochs
        rates += [r for r in dict.fromkeys(also) if r != config.learning_rate]
    return [c for lr in rates for c in seeded_configs(config.replace(learning_rate=lr), repeats)]


def example_rates(default: float) -> str:
    """Two rates around a strategy's default, as an example to write: ``"3e-3, 3e-2"`` around 1e-2."""
    return ", ".join(f"{default * f:.0e}".replace("e-0", "e-") for f in (0.3, 3))
