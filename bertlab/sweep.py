"""Learning-curve sweeps: chosen strategies x training-set sizes x seeds, through the job manager.

A sweep is a plan of ordinary runs. Each point is a RunConfig whose
``data.train_size`` (and seeds) vary; the split keeps the test set of a given
seed fixed while ``train_size`` changes, and the smaller training sets are
subsets of the larger ones. Resuming is by identity: a point whose exact
config already succeeded (or is queued/running) in the store is not run again,
so re-submitting an interrupted sweep only computes what is missing.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bertlab.config import BALANCED_SUFFIX, DEFAULT_MODEL, DataConfig, RunConfig, data_dict
from bertlab.errors import BertlabError, ConfigError
from bertlab.metrics import class_count, majority_macro_f1, rarest_class
from bertlab.paths import check_id, safe_join
from bertlab.store import QUEUED, RUNNING, SUCCEEDED, Run, RunStore

MAX_POINTS = 2000

# Strategy defaults changed since sweeps were first stored: each one's defaults before a change (lora's batch 32 until
# 2026-12-05, partial_ft's 32 x 2 epochs until 2026-12-03, scratch's 3 epochs at 5e-4 until 2026-12-02, full_ft's and
# dapt's 32 x 2 until 2026-11-23). A sweep's spec names only what it sets, its points take the rest from the
# strategy's defaults: a sweep stored before a change, planned with today's, gave its finished points other configs
# (its lora points, trained at batch 32, read as missing on Learning curves, and resuming it trained them again).
FORMER_DEFAULTS: dict[str, tuple[dict[str, Any], ...]] = {
    "lora": ({"batch_size": 32},),
    "partial_ft": ({"epochs": 2, "batch_size": 32},),
    "scratch": ({"epochs": 3, "learning_rate": 5e-4},),
    "full_ft": ({"epochs": 2, "batch_size": 32},),
    "dapt": ({"epochs": 2, "batch_size": 32},),
}


@dataclass
class SweepSpec:
    """What to sweep.

    Attributes:
        strategies: registered strategy names, one curve each.
        sizes: training-set sizes; None means the whole training split.
        seeds: one run per seed at each size. With ``vary_split`` the seed also
            picks the data split, so the spread includes which examples were labelled.
        data: the dataset; its train_size is replaced per point.
        model: encoder for every strategy.
        common: RunConfig overrides for every strategy (e.g. {"max_length": 64}).
        per_strategy: overrides per strategy name (e.g. {"full_ft": {"epochs": 3}}).
        min_steps: raise epochs so a point does at least this many optimizer steps
            (fine-tuning 32 examples for 2 steps would not be a fair point), and at least the strategy's own
            minimum (:func:`point_min_steps`); 0 does not raise them at all.
        own_minimum: raise to the strategy's own minimum too. False only for a sweep stored before that was done
            (:meth:`from_dict`), so its points keep the configs its runs were trained with.
        cap_val: cap the validation split at the training size, so no strategy
            (tfidf_logreg picks C on it) sees many more labels than the point claims.
        vary_split: use the seed for the data split too.
        former_defaults: {strategy: settings} under ``common`` and ``per_strategy``: the strategy's defaults when the
            sweep was stored, where they have changed since (:data:`FORMER_DEFAULTS`; empty for a new sweep), so
            its points keep the configs its runs were trained with. None: a spec stored before it was recorded,
            read as {} until :func:`load_sweep` finds them from its runs.
    """

    strategies: list[str]
    sizes: list[int | None]
    seeds: list[int] = field(default_factory=lambda: [0])
    data: DataConfig = field(default_factory=DataConfig)
    model: str = DEFAULT_MODEL
    common: dict[str, Any] = field(default_factory=dict)
    per_strategy: dict[str, dict[str, Any]] = field(default_factory=dict)
    min_steps: int = 20
    own_minimum: bool = True
    cap_val: bool = True
    vary_split: bool = True
    former_defaults: dict[str, dict[str, Any]] | None = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.data, dict):
            self.data = DataConfig(**self.data)
        self.validate()

    def validate(self) -> None:
        """Check the spec; raise ConfigError naming the field and the fix."""
        from bertlab.strategies import REGISTRY

        if not self.strategies:
            raise ConfigError("strategies is empty; choose at least one strategy for the sweep.")
        unknown = [s for s in self.strategies if s not in REGISTRY]
        if unknown:
            raise ConfigError(f"sweep strategies {unknown} are unknown; choose from {sorted(REGISTRY)}.")
        if not self.sizes:
            raise ConfigError("sizes is empty; give training-set sizes such as 32 128 512 (or 'all').")
        for s in self.sizes:
            if s is not None and (not isinstance(s, int) or isinstance(s, bool) or s < 2):
                raise ConfigError(f"sweep size {s!r} is not a whole number of at least 2 (or 'all').")
        if not self.seeds or any(not isinstance(s, int) or isinstance(s, bool) or s < 0 for s in self.seeds):
            raise ConfigError(f"seeds must be non-negative whole numbers, got {self.seeds!r}.")
        if len(set(self.sizes)) != len(self.sizes) or len(set(self.seeds)) != len(self.seeds):
            raise ConfigError("sizes and seeds must not repeat values; remove the duplicates.")
        if not isinstance(self.min_steps, int) or not 0 <= self.min_steps <= 10_000:
            raise ConfigError(f"min_steps must be a whole number from 0 to 10,000, got {self.min_steps!r}.")
        # cap_val 'no' (a JSON spec written by hand, the API) was taken as true, a truthy string
        for name in ("own_minimum", "cap_val", "vary_split"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, got {getattr(self, name)!r}.")
        n = len(self.strategies) * len(self.sizes) * len(self.seeds)
        if n > MAX_POINTS:
            raise ConfigError(f"the sweep has {n:,} points (strategies x sizes x seeds); the limit is {MAX_POINTS:,}.")

    @property
    def n_points(self) -> int:
        return len(self.strategies) * len(self.sizes) * len(self.seeds)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["data"] = data_dict(self.data)  # readable by an older bertlab's DataConfig(**data)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SweepSpec:
        known = {f.name for f in dataclasses.fields(cls)}
        # A spec stored before own_minimum existed raised its points to min_steps alone: planning them with the
        # strategy's own minimum would give its finished fine-tuning points other configs, shown as missing.
        # One stored before former_defaults existed may have trained at defaults changed since (None: not known).
        return cls(**{k: v for k, v in {"own_minimum": False, "former_defaults": None, **d}.items() if k in known})


# The sizes a sweep takes where none are given, the Learning curves page's and the CLI's alike: five up to 2048.
# "all" is left out: all of rotten_tomatoes is ~9,000 training texts, hours of full_ft and lora per seed on a CPU
# (the CLI's default had it, 75 runs on rotten_tomatoes with no estimate).
DEFAULT_SIZES: tuple[int, ...] = (32, 64, 128, 512, 2048)
# The strategies a sweep draws where none are chosen: the Learning curves page's first choice and `sweep --strategies`'.
DEFAULT_SWEEP_STRATEGIES = ("zero_shot", "head_only", "tfidf_logreg", "full_ft", "lora")


def counted_seeds(split_seed: int, n: int = 3) -> list[int]:
    """A sweep's ``n`` seeds counted up from ``split_seed`` (s, s + 1, ...): the Learning curves page's from the Data
    page's split seed, and ``sweep --split-seed s``'s where ``--seeds`` is not given. Each draws its own split, or
    with one split for every seed (``vary_split`` False) they all train on split ``split_seed``."""
    return list(range(split_seed, split_seed + n))


@dataclass(frozen=True)
class Point:
    """One planned point: which strategy, size and seed, and its full run config."""

    strategy: str
    size: int | None
    seed: int
    config: RunConfig


def fit_sizes(sizes: list[int | None], n_train: int) -> tuple[list[int | None], list[int]]:
    """The sizes to sweep on a training split of ``n_train`` examples, and those of ``sizes`` that became "all".

    A size at or above ``n_train`` trains on every training example, as "all" (None) does: 512 and 2048 on 263
    examples were two runs of the same 263 and two rows "263" in the table. They become one "all", in the place
    of the first of them; the order of the others is kept.
    """
    kept: list[int | None] = []
    merged: list[int] = []
    for s in sizes:
        if s is not None and s >= n_train:
            merged.append(s)
            s = None
        if s not in kept:
            kept.append(s)
    return kept, merged


def _sizes_text(sizes: list[int]) -> str:
    """'512 and 2048', '2, 3 and 4': sizes as the form and --sizes write them (2048, not 2,048)."""
    return f"{', '.join(map(str, sizes[:-1]))} and {sizes[-1]}" if len(sizes) > 1 else str(sizes[0])


def lift_sizes(sizes: list[int | None], n_classes: int) -> tuple[list[int | None], list[int]]:
    """The sizes to sweep with ``n_classes`` classes, and those of ``sizes`` raised to it: a training sample holds
    at least one example of each class, so a size of 3 with 5 classes trained on 5, and the table said 3 where
    the answer said n=5. A raised size takes the class count, once (with one already there, it is that one)."""
    kept: list[int | None] = []
    lifted: list[int] = []
    for s in sizes:
        if s is not None and s < n_classes:
            lifted.append(s)
            s = n_classes
        if s not in kept:
            kept.append(s)
    return kept, lifted


def lift_sentence(lifted: list[int], n_classes: int) -> str:
    """'3 is fewer than the 5 classes: it trains on 5, one example of each.' ('' where none was raised)."""
    if not lifted:
        return ""
    shown = sorted(lifted)
    return (f"{_sizes_text(shown)} {'are' if len(shown) > 1 else 'is'} fewer than the {n_classes} classes: "
            f"{'they train' if len(shown) > 1 else 'it trains'} on {n_classes}, one example of each.")


def fit_sentence(merged: list[int], n_train: int, all_chosen: bool = False) -> str:
    """'512 and 2048 are more than the 263 training examples: they run once, as all.' ('' where none merged).

    ``all_chosen``: "all" was among the sizes too (one merged size then runs once with it)."""
    if not merged:
        return ""
    shown = sorted(merged)
    names = _sizes_text(shown)
    than = "more than" if shown[0] > n_train else "at least"
    if len(shown) > 1:
        return f"{names} are {than} the {n_train:,} training examples: they run once, as all."
    return (f"{names} is {than} the {n_train:,} training examples: it runs "
            f"{'once, as all' if all_chosen else 'as all'}.")


def point_config(spec: SweepSpec, strategy: str, size: int | None, seed: int) -> RunConfig:
    """The RunConfig of one sweep point (deterministic: the same inputs give an identical config)."""
    from bertlab.strategies import make_config

    data = dataclasses.replace(spec.data, train_size=size, seed=seed if spec.vary_split else spec.data.seed)
    if spec.cap_val and size is not None and (data.val_size is None or data.val_size > size):
        data = dataclasses.replace(data, val_size=size)
    over = {**(spec.former_defaults or {}).get(strategy, {}), **spec.common, **spec.per_strategy.get(strategy, {})}
    cfg = make_config(strategy, data=data, model=spec.model, seed=seed, **over)
    if size is not None:
        bs = min(cfg.batch_size, size)
        epochs = cfg.epochs
        if (need := point_min_steps(spec, strategy)) and _uses_epochs(strategy):
            epochs = max(epochs, min(100, math.ceil(need / math.ceil(size / bs))))
        cfg = cfg.replace(batch_size=bs, epochs=epochs)
    return cfg


def point_min_steps(spec: SweepSpec, strategy: str) -> int:
    """The optimizer steps a sized point of ``strategy`` is raised to: ``spec.min_steps``, and at least the
    strategy's own minimum (full_ft, partial_ft, lora and dapt: FINE_TUNE_STEPS, 40), under which its run gets a
    "too few optimizer steps" note. Raised to the sweep's 20 alone, full_ft at 32 texts trained 20 steps and the
    answer called the point "trained too briefly to judge" (a review). 0 where ``spec.min_steps`` is 0: not raised."""
    from bertlab.strategies import get_strategy

    if not spec.min_steps:
        return 0
    own = getattr(get_strategy(strategy), "min_steps", 0) if spec.own_minimum else 0
    return max(spec.min_steps, own)


def unraised_epochs(store: RunStore, runs) -> dict[str, int]:
    """Of ``runs``, those a sweep trained for more epochs than the strategy's own, to reach its minimum steps at a
    small size: the epochs it trains without that raise, by run id. Training on a real data volume uses those: a
    projection of full_ft's 10 epochs at n=32 to 100,000 examples said 667 min where its 3 epochs at n=256 said 112
    (a review)."""
    out: dict[str, int] = {}
    specs: dict[str, SweepSpec | None] = {}
    for r in runs:
        cfg, b = r.config or {}, r.batch_id or ""
        size = (cfg.get("data") or {}).get("train_size")
        if not b.startswith("sweep-") or size is None or not _uses_epochs(r.strategy) or not cfg.get("epochs"):
            continue
        if b not in specs:
            try:
                specs[b] = load_sweep(store, b)
            except BertlabError:  # its plan deleted: nothing to go by
                specs[b] = None
        spec = specs[b]
        if spec is None or not spec.min_steps or r.strategy not in spec.strategies:
            continue
        base = point_config(dataclasses.replace(spec, min_steps=0), r.strategy, size, int(cfg.get("seed") or 0)).epochs
        if base < int(cfg["epochs"]):
            out[r.id] = base
    return out


def _uses_epochs(strategy: str) -> bool:
    from bertlab.strategies import get_strategy

    return get_strategy(strategy).uses_epochs and strategy != "head_only"


def _size_order(size: int | None) -> float:
    return math.inf if size is None else size


def _served_by(spec: SweepSpec, strategy: str, seed: int) -> int:
    """The seed whose run serves this point. A strategy that no seed changes (zero_shot) runs once per split: once
    per size, unless the seeds draw their own splits. (It reads no training texts either, but a run per size keeps
    each size's runs a complete comparison, for the Accuracy vs cost page; with its test embeddings cached, a
    rerun costs little.)"""
    from bertlab.strategies import get_strategy

    return spec.seeds[0] if not get_strategy(strategy).uses_seed and not spec.vary_split else seed


def plan(spec: SweepSpec) -> list[Point]:
    """Every point of the sweep, small sizes first (the cheap part of the curve appears early). Points that one
    run serves (:func:`_served_by`: zero_shot's seeds on one split) share its config, so it runs once."""
    order = sorted(spec.sizes, key=_size_order)
    return [Point(st, size, seed, point_config(spec, st, size, _served_by(spec, st, seed)))
            for size in order for seed in spec.seeds for st in spec.strategies]


def shared_points(spec: SweepSpec) -> dict[str, tuple[int, int]]:
    """{strategy: (points, runs)} for the strategies whose points share runs (zero_shot), for messages."""
    out: dict[str, tuple[int, int]] = {}
    for st in spec.strategies:
        keys = [config_key(p.config) for p in plan(dataclasses.replace(spec, strategies=[st]))]
        if len(set(keys)) < len(keys):
            out[st] = (len(keys), len(set(keys)))
    return out


def shared_sentence(spec: SweepSpec) -> str:
    """' zero_shot's 12 points share 4 runs: no seed changes what it does, and the seeds share one split.' or ''."""
    parts = [f"{st}'s {points} points share {runs} run{'s' if runs != 1 else ''}"
             for st, (points, runs) in shared_points(spec).items()]
    if not parts:
        return ""
    return f" {'; '.join(parts)}: no seed changes what {'it does' if len(parts) == 1 else 'they do'}, and the seeds share one split."


def validation_sentence(spec: SweepSpec, available: Callable[[RunConfig], dict[str, int] | None] | None = None) -> str:
    """What the x-axis of the learning curves leaves out: each point's validation split, whose labels are used too
    (tfidf_logreg picks its C on them; Keep best its epoch). A reviewer: "labelled training examples" hid that a
    point at n may use up to 2n labels. '' for a sweep with no sized point.

    ``available``: optional ``config -> {"train", "validation", "test"}``, the uncapped split sizes of a point's data
    (:func:`estimate_total`'s; None for unknown): a cap above the validation examples there counts what is there. A
    1,200-row file's 120 validation texts read "n=512: 200" at the Quick demo's cap of 200, "n=512: 512" at All
    data: the caps, not what the points used.
    """
    sizes = [s for s in spec.sizes if s is not None]
    if not sizes:
        return ""
    # each size's point (every point at a size has the same caps and as many validation texts)
    first = {p.size: p.config for p in plan(dataclasses.replace(spec, strategies=spec.strategies[:1],
                                                                 seeds=spec.seeds[:1]))}

    def val(size: int) -> str:
        used = first[size].data.val_size  # the cap the plan sets (cap_val: at most the training size)
        there = (available(first[size]) or {}).get("validation") if available is not None else None
        if there is not None:
            used = there if used is None else min(used, there)
        return "all" if used is None else f"{used:,}"

    each = ", ".join(f"n={s:,}: {val(s)}" for s in sorted(sizes))
    most = (" at most as many as it trains on," if spec.cap_val else "")
    return (f"The x-axis counts training examples only. Each point also has a validation split,{most} whose labels "
            f"are used as well: tfidf_logreg picks its C on it, and Keep best, where on, the epoch it keeps "
            f"(validation examples: {each}).{test_sentence(spec, first[min(sizes)], available)}")


def test_texts(cap: int | None, there: int | None) -> int | None:
    """How many test texts a sweep's point is scored on: the test cap (the Data page's size), or what the split
    holds (``there``) where that is fewer; None where neither is known. The Learning curves form says it of a sweep
    to queue, :func:`test_sentence` of a sweep's points."""
    known = [n for n in (cap, there) if n is not None]
    return min(known) if known else None


def test_sentence(spec: SweepSpec, config: RunConfig,
                  available: Callable[[RunConfig], dict[str, int] | None] | None = None) -> str:
    """How many test texts ``spec``'s points are scored on (``config``: one of its points), and what one of them
    weighs: ' Each point is scored on 500 test texts, its seed's test split, the same at every size (one text: 0.2
    percentage points of accuracy).' A lecturer running a small sweep read 'The test set stays the same for every size' and
    nowhere how big it was: the test cap is the Data page's. '' where neither the cap nor the split's size is
    known."""
    used = test_texts(config.data.test_size, (available(config) or {}).get("test") if available is not None else None)
    if not used:
        return ""
    # one test set for every seed: --fixed-split, or a file's (or the hub's) own test split
    shared = not spec.vary_split or bool(spec.data.split_column or spec.data.hub_test_split)
    which = "one test split for every size and seed" if shared else "its seed's test split, the same at every size"
    return (f" Each point is scored on {used:,} test text{'s' * (used != 1)}, {which} (one text: {100 / used:.2g} "
            "percentage points of accuracy).")


def config_key(config: RunConfig | dict) -> str:
    """Canonical JSON of a config: two runs with the same key did exactly the same thing.

    A stored config gets today's defaults for fields added since it was stored, so
    adding a field (with a default that keeps the old behaviour) does not orphan old points; and an option stored
    at the value it takes when left out (the Train page stored every one before 2026-12-06) is left out, as
    :func:`~bertlab.strategies.make_config` leaves it now.
    """
    if isinstance(config, dict):
        try:
            config = RunConfig.from_dict(config)
        except (ConfigError, TypeError):
            pass
    d = config.to_dict() if isinstance(config, RunConfig) else config
    if isinstance(config, RunConfig):  # options at the value they take when left out, as make_config leaves them
        from bertlab.strategies import get_strategy
        from bertlab.strategies.base import set_options

        try:
            d["options"] = set_options(get_strategy(config.strategy), dict(d.get("options") or {}))
        except ConfigError:  # a strategy no longer registered: its config as stored
            pass
    return json.dumps(d, sort_keys=True, separators=(",", ":"))


def stored_config(run: Run) -> dict:
    """``run``'s config as today's code stores it: zero_shot's label sentences left out (None) where they are its
    data's own, which the Train page stored written out before 2026-12-06 (run and bertlab.compare store None for
    them): the data's own are a built-in dataset's sentences for its labels, else the label names, as
    :func:`~bertlab.strategies.embedding_based.data_descriptions` reads them. The labels are the run's recorded
    ones (a built-in's own, sorted as its load sorts them, for a run that recorded none yet)."""
    cfg = run.config or {}
    given = cfg.get("label_descriptions")
    if run.strategy != "zero_shot" or not given:
        return cfg
    data = cfg.get("data") or {}
    names = (run.data_summary or {}).get("label_names")
    if data.get("source", "builtin") == "builtin":
        from bertlab.data.builtin import BUILTIN
        from bertlab.data.dataset import _sort_names

        info = BUILTIN.get(data.get("name"))
        if info is None:
            return cfg
        own = [info.label_descriptions.get(n, n) for n in (names or _sort_names(list(info.label_descriptions)))]
    elif names:
        own = [str(n) for n in names]
    else:
        return cfg
    return {**cfg, "label_descriptions": None} if list(given) == own else cfg


def existing_runs(store: RunStore, statuses: tuple[str, ...] = (SUCCEEDED, QUEUED, RUNNING)) -> dict[str, Run]:
    """The newest run per config key among runs with ``statuses``: each under its config's key and, where they
    differ, :func:`stored_config`'s (a point planned with the data's own sentences written out still finds it)."""
    out: dict[str, Run] = {}
    for r in store.list_runs(status=statuses, limit=1_000_000):  # newest first: keep the first seen
        out.setdefault(config_key(r.config), r)
        out.setdefault(config_key(stored_config(r)), r)
    return out


# --- persistence ---------------------------------------------------------------------------------
def _sweep_dir(store: RunStore):
    d = store.root / "sweeps"
    if not store.read_only:  # a read-only data directory without one has no sweeps to read (saving one says why)
        d.mkdir(exist_ok=True)
    return d


def save_sweep(store: RunStore, spec: SweepSpec, sweep_id: str | None = None) -> str:
    """Store the spec as ``<home>/sweeps/<id>.json``; returns the id."""
    store.check_writable()
    if sweep_id:
        path = safe_join(_sweep_dir(store), check_id(sweep_id, "sweep id") + ".json")
        path.write_text(json.dumps({"id": sweep_id, "created": time.time(), "spec": spec.to_dict()}, indent=2))
        return sweep_id
    while True:  # a drawn id: never write over another sweep stored in the same second with the same draw
        sweep_id = f"sweep-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"
        path = safe_join(_sweep_dir(store), check_id(sweep_id, "sweep id") + ".json")
        try:
            with open(path, "x") as f:
                f.write(json.dumps({"id": sweep_id, "created": time.time(), "spec": spec.to_dict()}, indent=2))
            return sweep_id
        except FileExistsError:
            continue


def load_sweep(store: RunStore, sweep_id: str, keys: set[str] | None = None) -> SweepSpec:
    """The spec of a stored sweep (``keys``: as :func:`with_former_defaults` takes them).

    Raises:
        ConfigError: no such sweep.
    """
    path = safe_join(_sweep_dir(store), check_id(sweep_id, "sweep id") + ".json")
    if not path.is_file():
        raise ConfigError(f"no sweep with id {sweep_id!r}; `python -m bertlab sweep --list` shows them.")
    return with_former_defaults(store, SweepSpec.from_dict(json.loads(path.read_text())["spec"]), keys)


def with_former_defaults(store: RunStore, spec: SweepSpec, keys: set[str] | None = None) -> SweepSpec:
    """``spec`` with its ``former_defaults`` known. A spec stored before they were recorded (None) gets, for each of
    its strategies whose defaults changed since (:data:`FORMER_DEFAULTS`), the defaults under which more of its
    points have a stored run than under today's (today's on a tie, or where none has a run). ``keys``: the
    config keys of the stored runs, where the caller has them."""
    if spec.former_defaults is not None:
        return spec
    changed = [st for st in spec.strategies if st in FORMER_DEFAULTS]
    if changed and keys is None:
        keys = set(existing_runs(store, statuses=_ANY_STATUS))
    found: dict[str, dict[str, Any]] = {}
    for st in changed:
        def held(defaults: dict[str, Any], st: str = st) -> int:
            one = dataclasses.replace(spec, strategies=[st], former_defaults={st: defaults})
            return sum(config_key(pt.config) in keys for pt in plan(one))
        best = max(({}, *FORMER_DEFAULTS[st]), key=held)  # max keeps the first of equals: today's
        if best and held(best) > held({}):
            found[st] = best
    return dataclasses.replace(spec, former_defaults=found)


def find_sweep(store: RunStore, spec: SweepSpec) -> str | None:
    """The id of the newest stored sweep with exactly this spec, if any."""
    want = json.dumps(spec.to_dict(), sort_keys=True)
    keys = set(existing_runs(store, statuses=_ANY_STATUS))
    for p in sorted(_sweep_dir(store).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            d = json.loads(p.read_text())
            stored = with_former_defaults(store, SweepSpec.from_dict(d["spec"]), keys)
            if json.dumps(stored.to_dict(), sort_keys=True) == want:
                return d["id"]
        except (ValueError, KeyError, TypeError):
            continue
    return None


def shown_strategies(spec: SweepSpec) -> list[str]:
    """The sweep's strategies as tables name their runs: ``head_only (balanced)`` where its points train with
    balanced class weights (zero_shot, which reads no training label, never does); ``full_ft (lr 2e-05)`` where
    the sweep sets a learning rate other than the strategy's own default; ``scratch (own vocabulary)`` where its
    points train a new vocabulary; ``head_only (head_tail truncation)`` where they keep a long text's start and end."""
    from bertlab.strategies import REGISTRY
    from bertlab.variants import setting_text

    def balanced(s: str) -> bool:  # as point_config would set it, without building (and validating) a config
        weights = {**spec.common, **spec.per_strategy.get(s, {})}.get("class_weights")
        return weights == "balanced" and REGISTRY[s].reads_training_texts

    def shown(s: str) -> str:  # "head_only (balanced, lr 0.01)"
        lr = spec.per_strategy.get(s, {}).get("learning_rate")
        tags = [BALANCED_SUFFIX.strip(" ()")] if balanced(s) else []
        tags += [setting_text("learning_rate", float(lr))] if lr is not None and lr != default_rate(s) else []
        tags += [setting_text("new_vocab", True)] if spec.per_strategy.get(s, {}).get("new_vocab") else []
        # "head_only (head_tail truncation)": a long text's start and end read (not tfidf_logreg's whole texts)
        cut = {**spec.common, **spec.per_strategy.get(s, {})}.get("truncation")
        tags += [setting_text("truncation", cut)] if cut == "head_tail" and REGISTRY[s].uses_tokens else []
        return f"{s} ({', '.join(tags)})" if tags else s

    return [shown(s) for s in spec.strategies]


def strategy_names(spec: SweepSpec) -> dict[str, str]:
    """{strategy: its name in this sweep} (:func:`shown_strategies`): what the legend, the points table and "Which
    one to use at each size?" call it. A review: a sweep at lr 0.03 said its rate in its title only; the chart and
    the tables said plain "head_only", as if at its default."""
    return dict(zip(spec.strategies, shown_strategies(spec)))


def default_rate(strategy: str) -> float:
    """The learning rate ``strategy`` trains at unless told otherwise."""
    from bertlab.strategies import make_config

    return make_config(strategy).learning_rate


def list_sweeps(store: RunStore) -> list[dict]:
    """Stored sweeps, newest first: {id, created, strategies, shown (:func:`shown_strategies`), sizes, seeds,
    dataset, n_points, split_seed, runs}. ``split_seed``: the one split every seed trains on (a fixed split), None
    where each seed draws its own. ``runs``: how many runs hold its points now (0: every one was deleted, the sweep
    is an empty plan that :func:`delete_sweep` removes)."""
    out = []
    for p in _sweep_dir(store).glob("*.json"):
        try:
            d = json.loads(p.read_text())
            spec = SweepSpec.from_dict(d["spec"])
        except (ValueError, KeyError, TypeError):
            continue  # a hand-edited or foreign file is not a sweep
        out.append({"id": d["id"], "created": d.get("created", 0.0), "strategies": spec.strategies,
                    "shown": shown_strategies(spec), "sizes": spec.sizes, "seeds": spec.seeds,
                    "dataset": spec.data.label, "n_points": spec.n_points,
                    "split_seed": None if spec.vary_split else spec.data.seed})
    held = point_runs(store, [d["id"] for d in out])
    for d in out:
        d["runs"] = len(held.get(d["id"], []))
    return sorted(out, key=lambda d: d["created"], reverse=True)


def other_sweeps(store: RunStore, run_ids, sweep_id: str | None = None) -> dict[str, list[str]]:
    """{sweep id: those of ``run_ids`` holding its points} for each stored sweep but ``sweep_id`` that uses any:
    a run another sweep reused serves its curve too (``delete --batch A`` took points from sweep B unsaid)."""
    ids = set(run_ids)
    others = [s["id"] for s in _stored(store) if s["id"] != sweep_id]
    out = {}
    for sid, runs in point_runs(store, others).items():
        if used := [r.id for r in runs if r.id in ids]:
            out[sid] = used
    return out


def sweep_ids(store: RunStore) -> set[str]:
    """The ids of the stored sweeps (cheap: :func:`list_sweeps` also counts each one's runs, reading the store)."""
    return {d["id"] for d in _stored(store)}


def _stored(store: RunStore) -> list[dict]:
    """Every stored sweep's id (and file), without loading its runs."""
    out = []
    for p in _sweep_dir(store).glob("*.json"):
        try:
            out.append({"id": json.loads(p.read_text())["id"], "path": p})
        except (ValueError, KeyError, TypeError):
            continue
    return out


@dataclass
class SweepDeletion:
    """What :func:`delete_sweep` did: the runs it deleted (with the bytes freed), those it kept because another
    stored sweep holds them ({sweep id: run ids}), those still queued or running (nothing deleted then), and the
    runs it reused from other launches, left alone ({batch id: run ids})."""

    deleted: list[str]
    freed: int
    kept: dict[str, list[str]]
    active: list[str]
    reused: dict[str, list[str]] = field(default_factory=dict)


def delete_sweep(store: RunStore, sweep_id: str) -> SweepDeletion:
    """Delete a stored sweep: its plan and the runs it queued that no other stored sweep holds. Runs it reused
    from another launch stay (they are that launch's). While one of its runs is queued or running nothing is
    deleted: cancel them first (a worker may be writing them).

    Raises:
        ConfigError: no such sweep.
    """
    load_sweep(store, sweep_id)  # says so where there is none
    path = safe_join(_sweep_dir(store), check_id(sweep_id, "sweep id") + ".json")
    own = {r.id for r in store.list_runs(batch_id=sweep_id, limit=1_000_000)}
    held = {r.id: r for r in point_runs(store, [sweep_id]).get(sweep_id, [])}
    active = sorted(i for i, r in {**held, **{i: store.get(i) for i in own}}.items()
                    if r is not None and r.status in (QUEUED, RUNNING))
    if active:
        return SweepDeletion([], 0, {}, active)
    kept = other_sweeps(store, own, sweep_id)
    shared = {i for ids in kept.values() for i in ids}
    doomed = sorted(own - shared)
    freed = sum(store.disk_bytes(i) for i in doomed)
    deleted, _ = store.delete_finished(doomed)
    path.unlink(missing_ok=True)
    reused: dict[str, list[str]] = {}
    for i, r in held.items():
        if i not in own:
            reused.setdefault(r.batch_id or "", []).append(i)
    return SweepDeletion(deleted, freed, kept, [], reused)


# --- running ---------------------------------------------------------------------------------------
@dataclass
class SweepSubmission:
    """What :func:`submit` did: the sweep id, the new run ids, the points reused from the store, and the strategies
    whose points it left out, with why (:func:`refusals`)."""

    sweep_id: str
    submitted: list[str]
    reused: list[str]
    left_out: dict[str, str] = field(default_factory=dict)


def _file_changed_at(data: DataConfig) -> float | None:
    """When a file dataset was last modified (None for built-in and hub data, or a missing file)."""
    if data.source != "file":
        return None
    try:
        return os.stat(data.name).st_mtime
    except OSError:
        return None


def prepare(store: RunStore, spec: SweepSpec, sweep_id: str | None = None) -> tuple[str, list[RunConfig], list[str]]:
    """Save the sweep and split its points into configs still to run and ids of runs to reuse.

    A spec identical to a stored sweep's is that sweep (resumed, not stored twice): a second click on "Run the
    sweep", or the same CLI command again, adds no second record of it.
    """
    sweep_id = sweep_id or find_sweep(store, spec) or save_sweep(store, spec)
    if not (_sweep_dir(store) / f"{sweep_id}.json").is_file():
        save_sweep(store, spec, sweep_id)
    todo, reused = split_points(store, spec)
    return sweep_id, todo, reused


def split_points(store: RunStore, spec: SweepSpec) -> tuple[list[RunConfig], list[str]]:
    """The sweep's configs still to run and the ids of runs it can reuse, without saving anything."""
    have: dict[str, Run | None] = dict(existing_runs(store))
    changed = _file_changed_at(spec.data)
    if changed is not None:  # the same path with new content: runs that read the old content are not reused
        have = {k: r for k, r in have.items() if r is None or r.started is None or r.started >= changed}
    todo, reused = [], []
    for pt in plan(spec):
        key = config_key(pt.config)
        if key in have:
            if have[key] is not None and have[key].id not in reused:  # one zero_shot run serves several seeds
                reused.append(have[key].id)
            continue
        todo.append(pt.config)
        have[key] = None  # two identical points in one plan run once
    return todo, reused


def submit(manager, spec: SweepSpec, sweep_id: str | None = None) -> SweepSubmission:
    """Queue the sweep's missing points on ``manager`` (a JobManager) as one batch named after the sweep.

    Points already succeeded, queued or running with an identical config are reused, not recomputed. Points of a
    strategy that cannot run on the sweep's model (:func:`refusals`) are left out: a sweep stored before that
    refusal queued them again, each to fail as it started.
    """
    sweep_id, todo, reused = prepare(manager.store, spec, sweep_id)
    left_out = refusals(spec)
    todo = [c for c in todo if c.strategy not in left_out]
    submitted = manager.submit(todo, batch_id=sweep_id) if todo else []
    return SweepSubmission(sweep_id, submitted, reused, left_out)


def refusals(spec: SweepSpec) -> dict[str, str]:
    """``{strategy: why}`` for the sweep's strategies that cannot run on its model at all (partial_ft on ALBERT:
    ``Strategy.refusal``), in the sweep's order; empty where every one can. New sweeps are refused before they are
    stored (the CLI, the Learning curves form); a plan stored before the refusal can still hold them."""
    from bertlab.strategies import get_strategy

    return {s: why for s in dict.fromkeys(spec.strategies) if (why := get_strategy(s).refusal(spec.model))}


def estimate_total(past_runs: list, configs: list[RunConfig], device: str,
                   tokens=None, available=None, cached=None, fallback=None, *,
                   counted: list | None = None, timed: list | None = None) -> tuple[float, int]:
    """Rough seconds to run ``configs`` here, from past runs (see bertlab.estimate), and how many are unknown.

    A point is unknown when no run of its strategy has finished on this device, or one of its split sizes is
    "all" and ``available`` does not say how many that is.
    ``tokens``: optional ``config -> mean tokens per text`` (mean words for a strategy that reads no tokenizer,
    tfidf_logreg: :func:`bertlab.estimate.mean_words`; None for unknown), to scale by text length.
    ``available``: optional ``config -> {"train", "validation", "test"}``, the uncapped split sizes of its data
    (None for unknown); a cap then counts as ``min(cap, available)``, and "all" as what is available.
    ``cached``: optional ``config -> (keys of the texts it embeds, keys the embedding cache holds now)`` (None for
    a strategy that embeds nothing; see :func:`bertlab.estimate.cache_shares`): a zero_shot or head_only point
    whose texts are cached by then, now or by a point before it, is estimated at the warm time (its head's
    training, no encoder pass over them).
    ``fallback``: optional ``(config, sizes, cached share) -> seconds or None``, a rough figure where no past run of
    its strategy gives one (the Train page's table falls back so; a point it gives none stays unknown).
    ``counted``: where given, each config the total holds (not unknown) is appended to it, for
    :func:`stop_early_strategies`: a strategy never run here is in none of the seconds, so no 'up to' for it.
    ``timed``: where given, ``(config, seconds)`` of each config the total holds is appended to it (the Learning
    curves page's confirm box names the point estimated to take longest).
    """
    from bertlab.estimate import cache_shares, estimate_seconds
    from bertlab.strategies import get_strategy

    shares = cache_shares(configs, cached) if cached is not None else [None] * len(configs)
    total, unknown = 0.0, 0
    for cfg, share in zip(configs, shares):
        d = cfg.data
        sizes = {"train": d.train_size, "validation": d.val_size, "test": d.test_size}
        full = available(cfg) if available is not None else None
        if full is not None:
            sizes = {k: full[k] if v is None else min(v, full[k]) for k, v in sizes.items()}
        if None in sizes.values():  # an "all" whose size is not known: 0 test texts would under-count
            unknown += 1
            continue
        strategy = get_strategy(cfg.strategy)
        est = estimate_seconds(past_runs, cfg.strategy, cfg.model, device, sizes, cfg.epochs, strategy.uses_epochs,
                               tokens=(lambda c=cfg: tokens(c)) if tokens is not None else None, cached=share, pretrain_epochs=strategy.pretrain_epochs(cfg.options),
                               pretrain_texts=strategy.pretrain_texts(cfg.options, sizes["train"]))
        seconds = est.seconds if est.seconds is not None or fallback is None else fallback(cfg, sizes, share)
        if seconds is None:
            unknown += 1
        else:
            total += seconds
            if counted is not None:
                counted.append(cfg)
            if timed is not None:
                timed.append((cfg, seconds))
    return total, unknown


def stop_early_strategies(configs: list[RunConfig]) -> list[str]:
    """The strategies, in order, of ``configs`` whose Stop early after (patience) may end a run before its last
    epoch (:func:`bertlab.estimate.may_stop_early`): :func:`estimate_total` counts every epoch of such a run, the
    most it should take. For an estimate's words, ``configs`` are those it counted (its ``counted``): a strategy
    with no run here yet is left out of its seconds ('plus N points whose strategy has not run'), as the Train page
    names only the strategies its total holds."""
    from bertlab.estimate import may_stop_early

    return list(dict.fromkeys(c.strategy for c in configs if may_stop_early(c.strategy, c.epochs, c.patience)))


def estimate_sentence(seconds: float, unknown: int, n: int, sooner: list[str] | tuple = ()) -> str:
    """The estimate of :func:`estimate_total` for ``n`` runs as the Learning curves page and the CLI say it
    (leading space; empty where there are no runs). ``sooner``: the strategies whose Stop early after may end
    their runs sooner (:func:`stop_early_strategies`): the time is then the most it should take ('up to ~8 min',
    as the Train page says it)."""
    from bertlab.estimate import Estimate

    est = Estimate(seconds, "", at_most=bool(sooner)).text()
    less = f" ({', '.join(sooner)} may stop early and take less)" if sooner else ""
    if n and seconds and unknown:
        return (f" Estimated time here: {est}{less} plus {unknown} point"
                f"{'s' * (unknown > 1)} whose strategy has not run on this device yet.")
    if n and seconds:
        return f" Estimated time here: {est} (from past runs on this device{'; ' + less[2:-1] if sooner else ''})."
    if n:
        return " Estimated time: unknown until each strategy has run once on this device."
    return ""


def available_sizes() -> Callable[[RunConfig], dict[str, int] | None]:
    """``config -> {"train", "validation", "test"}``: the uncapped split sizes of a point's data (None where it
    cannot be read), each data read once: :func:`estimate_total`'s ``available``, for the CLI (the page caches its
    own)."""
    from bertlab.data import load_splits

    seen: dict[str, dict[str, int] | None] = {}

    def available(cfg: RunConfig) -> dict[str, int] | None:
        k = json.dumps(dataclasses.asdict(cfg.data.uncapped()), sort_keys=True, default=str)
        if k not in seen:
            try:
                seen[k] = load_splits(cfg.data.uncapped()).sizes()
            except BertlabError:
                seen[k] = None
        return seen[k]

    return available


def estimate_here(store: RunStore, configs: list[RunConfig], device: str,
                  available: Callable[[RunConfig], dict[str, int] | None], *,
                  counted: list | None = None) -> tuple[float, int]:
    """:func:`estimate_total` of ``configs`` from this store's past runs on ``device``, each point's mean tokens
    read from its data (each data and model once; where they cannot be read, unscaled), as the Learning curves
    page estimates it, less its embedding cache's share (a cold pass: the estimate errs long). For the CLI."""
    from bertlab.data import load_splits
    from bertlab.estimate import mean_words, truncated_mean
    from bertlab.runner import token_lengths
    from bertlab.strategies import get_strategy

    means: dict[tuple, float | None] = {}

    def tokens(cfg: RunConfig) -> float | None:
        k = (json.dumps(dataclasses.asdict(cfg.data), sort_keys=True, default=str), cfg.model, cfg.max_length,
             get_strategy(cfg.strategy).uses_tokens)
        if k not in means:
            try:
                texts = load_splits(cfg.data).train.texts[:2000]
                if not get_strategy(cfg.strategy).uses_tokens:  # tfidf_logreg: its runs record words
                    means[k] = mean_words(texts)
                else:
                    means[k] = truncated_mean(token_lengths(cfg.model, texts), cfg.max_length)
            except (BertlabError, OSError):
                means[k] = None
        return means[k]

    return estimate_total(store.list_runs(limit=500), configs, device, tokens, available, counted=counted)


def all_sentence(spec: SweepSpec, available: Callable[[RunConfig], dict[str, int] | None]) -> str:
    """' "all" is 8,926 training texts.' where the sweep has the size all (leading space; empty where it has not
    or its data cannot be read): the CLI's --dry-run said n=all, not how many texts that is."""
    point = next((pt for pt in plan(spec) if pt.size is None), None)
    sizes = available(point.config) if point is not None else None
    return f' "all" is {sizes["train"]:,} training texts.' if sizes else ""


# --- results ---------------------------------------------------------------------------------------
_ANY_STATUS = (SUCCEEDED, QUEUED, RUNNING, "failed", "cancelled", "interrupted")


def _point_runs(spec: SweepSpec, runs: dict[str, Run], done: dict[str, Run]) -> list[tuple[Point, Run | None]]:
    """Each planned point with the run that holds it: the newest that succeeded with its exact config, else the
    newest in any state; from any batch (a widened sweep reuses its narrower predecessor's runs)."""
    out = []
    for pt in plan(spec):
        key = config_key(pt.config)
        out.append((pt, done.get(key) or runs.get(key)))
    return out


def point_runs(store: RunStore, sweep_ids) -> dict[str, list[Run]]:
    """{sweep id: the runs holding its points}, each run once, in every state, reused ones included: what the
    Learning curves page plots (:func:`collect`), for the pages that list a sweep as a set of runs (Accuracy vs
    cost, Strategy cards). A sweep's batch holds only the runs it queued; after a second seed was added to a
    one-seed sweep, its batch held the new seed's runs alone. An id with no stored sweep is left out."""
    ids = list(sweep_ids)
    if not ids:
        return {}
    runs, done = existing_runs(store, statuses=_ANY_STATUS), existing_runs(store, statuses=(SUCCEEDED,))
    out: dict[str, list[Run]] = {}
    for sid in ids:
        try:
            spec = load_sweep(store, sid, set(runs))
        except (ConfigError, ValueError, KeyError, TypeError):
            continue
        held = {r.id: r for _, r in _point_runs(spec, runs, done) if r is not None}
        out[sid] = list(held.values())
    return out


def batches(store: RunStore, runs: list[Run], sweep_ids) -> dict[str, list[Run]]:
    """``runs`` by batch id, in the order met, where each sweep's batch is the runs holding its points
    (:func:`point_runs`), not just those it queued itself."""
    out: dict[str, list[Run]] = {}
    for r in runs:
        out.setdefault(r.batch_id, []).append(r)
    out.update({b: held for b, held in point_runs(store, set(sweep_ids) & out.keys()).items() if held})
    return out


def undone(store: RunStore, runs: list[Run], sweep_ids) -> set[str]:
    """The batches of ``runs`` with nothing to show (:func:`bertlab.store.undone_batches`), a sweep's batch being the
    runs holding its points as :func:`batches` lists it: a sweep whose own queued runs were all cancelled, its
    zero_shot points reused from an earlier launch finished, was passed over by ``--batch latest`` and said to be
    "all cancelled" beside the finished runs it listed."""
    from bertlab.store import undone_batches, undone_groups

    out = undone_batches(runs)
    if sweeps := out & set(sweep_ids):  # only these can differ: read their points (a store scan) only then
        held = point_runs(store, sweeps)
        out -= {s for s in sweeps if held.get(s)} - undone_groups(held)
    return out


def collect(store: RunStore, spec: SweepSpec) -> list[dict]:
    """One row per planned point with its current run (if any): status, n_train, accuracy, costs; ``name``: its
    strategy as this sweep names it (:func:`strategy_names`)."""
    runs = existing_runs(store, statuses=_ANY_STATUS)
    done = existing_runs(store, statuses=(SUCCEEDED,))
    names = strategy_names(spec)  # "head_only (lr 0.03)": the rate it ran at, where not its default
    rows = []
    for pt, r in _point_runs(spec, runs, done):
        row = {"strategy": pt.strategy, "name": names[pt.strategy], "size": pt.size, "seed": pt.seed,
               "run_id": r.id if r else None,
               "status": r.status if r else "missing", "n_train": None, "test_accuracy": None,
               "test_macro_f1": None, "majority_accuracy": None, "majority_macro_f1": None, "train_seconds": None,
               "train_flops": None, "trainable_params": None, "rarest_share": None, "classes": None,
               "error": r.error if r else None}
        if r is not None and r.status == SUCCEEDED:
            rare = rarest_class(r.metrics)  # what the sweep's default measure reads, as Compare's answer does
            row.update(n_train=r.data_summary.get("sizes", {}).get("train"),
                       test_accuracy=r.metrics.get("test_accuracy"), test_macro_f1=r.metrics.get("test_macro_f1"),
                       majority_accuracy=r.metrics.get("majority_accuracy"),
                       majority_macro_f1=majority_macro_f1(r.metrics),
                       train_seconds=r.costs.get("train_seconds"), train_flops=r.costs.get("train_flops"),
                       trainable_params=r.costs.get("trainable_params"),
                       rarest_share=rare[1] / rare[2] if rare else None, classes=class_count(r.metrics))
        rows.append(row)
    return rows


BAD_STATUSES = ("missing", "failed", "cancelled", "interrupted")  # points "Run missing and failed points again" reruns


def points_text(rows: list[dict]) -> str:
    """'head_only n=32 seeds 0, 1; tfidf_logreg n=all seed 0': which points ``rows`` (:func:`collect`'s) are, by
    strategy as the sweep names it and size."""
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r["name"], r["size"]), []).append(r["seed"])
    first = {st: i for i, st in reversed(list(enumerate(r["name"] for r in rows)))}
    order = sorted(groups, key=lambda k: (first[k[0]], _size_order(k[1])))  # a strategy's sizes together
    return "; ".join(f"{st} n={size or 'all'} seed{'s' * (len(groups[st, size]) > 1)} "
                     f"{', '.join(map(str, sorted(set(groups[st, size]))))}" for st, size in order)


MISSING_WHY = "no run: never queued, or its run was deleted"


def unfinished(rows: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """The points of ``rows`` (:func:`collect`) that will not finish unless run again (missing, failed,
    cancelled or interrupted), as (status, the first line of their error, the points) for each distinct pair: a
    CLI sweep said only "failed after 0.2 s", and the Learning curves page said nothing of the points whose runs
    were deleted."""
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r["status"] in BAD_STATUSES:
            first = MISSING_WHY if r["status"] == "missing" else (r.get("error") or "").strip().split("\n")[0]
            out.setdefault((r["status"], first), []).append(r)
    return [(status, why, pts) for (status, why), pts in out.items()]


def unfinished_lines(rows: list[dict]) -> list[str]:
    """:func:`unfinished` for a terminal: one line per status and error, naming its points."""
    return [f"  {status}{': ' + why if why else ''}\n    {points_text(pts)}" for status, why, pts in unfinished(rows)]


def _mean_std(xs: list[float]) -> tuple[float, float | None]:
    m = sum(xs) / len(xs)
    # Sample standard deviation (n - 1): with 2-3 seeds the population formula understates the spread. One seed
    # has no spread to show (None: a table says "-", not a reassuring 0.0).
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else None
    return m, sd


def aggregate(rows: list[dict], metric: str = "test_accuracy") -> list[dict]:
    """Mean and standard deviation over seeds per (strategy, size), from :func:`collect` rows, with ``name``: the
    name the sweep gives the strategy (the strategy's own for rows without one), which the figure and the text
    table below read."""
    groups: dict[tuple[str, Any], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["strategy"], r["size"]), []).append(r)
    out = []
    for (st, size), rs in groups.items():
        # One run may serve several seeds (zero_shot on one split): counted once, so its spread is "-", not 0.
        runs = {r.get("run_id") or id(r): r for r in rs}
        ok = [r for r in runs.values() if r[metric] is not None]
        row = {"strategy": st, "name": rs[0].get("name") or st, "size": size, "n_seeds": len(ok),
               "n_planned": len(runs),
               "mean": None, "std": None, "n_train": None, "train_seconds": None, "train_flops": None}
        if ok:
            row["mean"], row["std"] = _mean_std([r[metric] for r in ok])
            row["n_train"] = sum(r["n_train"] for r in ok) / len(ok)
            row["train_seconds"] = sum(r["train_seconds"] or 0.0 for r in ok) / len(ok)
            row["train_flops"] = sum(r["train_flops"] or 0.0 for r in ok) / len(ok)
            row["majority"] = sum(r["majority_accuracy"] or 0.0 for r in ok) / len(ok)
            f1s = [r["majority_macro_f1"] for r in ok if r.get("majority_macro_f1") is not None]
            row["majority_f1"] = sum(f1s) / len(f1s) if f1s else None
        out.append(row)
    return out


def progress(rows: list[dict]) -> dict[str, int]:
    """Counts of points by status (for progress bars)."""
    out: dict[str, int] = {}
    for r in rows:
        out[r["status"]] = out.get(r["status"], 0) + 1
    return out


def _train_time(seconds: float | None) -> str:
    """A point's mean training time as every page words one ('1.3 min'; the hover's '75.3 s' read apart from the
    pages' minutes), '-' where its runs kept none."""
    from bertlab.estimate import format_duration

    return "-" if seconds is None else format_duration(seconds)


def _spread_text(a: dict, percent: bool) -> str:
    """A point's spread for its hover, in the words of the table: '± 1.2 pt · 3 seeds' (macro-F1: '± 0.012'), and
    '1 seed' where there is none to show (not a reassuring '± 0.0%')."""
    n = a["n_seeds"]
    if a["std"] is None:
        return f" · {n} seed{'s' * (n != 1)}"
    sd = f"{100 * a['std']:.1f} pt" if percent else f"{a['std']:.3f}"
    return f" ± {sd} · {n} seeds"


def _y_tickformat(values: list[float], percent: bool) -> str:
    """The y-axis's tick format: one more decimal where the values span under 5 points (0.05), where whole
    percents read "58% 58% 58% 58%" for ticks from 57.6% to 58.6%."""
    narrow = bool(values) and max(values) - min(values) < 0.05
    if percent:
        return ".1%" if narrow else ".0%"
    return ".3f" if narrow else ".2f"


def learning_curve_figure(agg: list[dict], title: str = "Learning curves", metric_label: str = "test accuracy",
                          percent: bool = True):
    """Plotly figure: mean +- std of the metric against labelled examples (log x), one line per strategy.

    ``percent``: the metric is an accuracy (axis in %, the majority class's accuracy drawn as a dotted line); else
    macro-F1, drawn as it is, with the macro-F1 of always answering the majority class as that line (the answers
    judge each strategy against it). A point of one seed has no error bar and its hover says "1 seed"."""
    import plotly.graph_objects as go

    from bertlab.plots import figure, strategy_color, strategy_symbol, style  # every chart's look

    fig = figure()
    fmt = ".1%" if percent else ".3f"
    strategies = list(dict.fromkeys(a["strategy"] for a in agg))
    span: list[float] = []  # every value the y-axis shows: means, their bars and the majority line
    for st in strategies:
        pts = sorted((a for a in agg if a["strategy"] == st and a["mean"] is not None), key=lambda a: a["n_train"])
        if not pts:
            continue
        span += [a["mean"] + k * (a["std"] or 0.0) for a in pts for k in (-1, 1)]
        name = pts[0]["name"]  # "head_only (lr 0.03)": the sweep's rate, where not the default
        fig.add_trace(go.Scatter(
            x=[a["n_train"] for a in pts], y=[a["mean"] for a in pts], name=name, mode="lines+markers",
            line={"color": strategy_color(st), "width": 2.5}, marker={"symbol": strategy_symbol(st), "size": 9},
            legendgroup=st,
            customdata=[[a["n_seeds"], a["std"], _train_time(a["train_seconds"]), _spread_text(a, percent)] for a in pts],
            hovertemplate=(f"<b>{name}</b><br>n=%{{x:.0f}}<br>{metric_label} %{{y:{fmt}}}%{{customdata[3]}}"
                           "<br>train %{customdata[2]}<extra></extra>")))
        # The bars, capped, on their own trace of the points of two seeds or more: a cap's width is one for a whole
        # trace, and plotly draws a point of one seed (no spread, None) as a bar of height 0 with its cap, which
        # read as a spread of exactly zero. Hidden with its line from the legend (one group).
        if spread := [a for a in pts if a["std"] is not None]:
            fig.add_trace(go.Scatter(
                x=[a["n_train"] for a in spread], y=[a["mean"] for a in spread], name=name, legendgroup=st,
                showlegend=False, mode="markers", marker={"size": 9, "opacity": 0}, hoverinfo="skip",
                error_y={"type": "data", "array": [a["std"] for a in spread], "visible": True, "width": 6,
                         "thickness": 2, "color": strategy_color(st)}))
    maj = [a.get("majority" if percent else "majority_f1") for a in agg]
    maj = [m for m in maj if m is not None]
    if maj:
        base = sum(maj) / len(maj)
        span.append(base)
        # named in the legend: written on the chart it sat on the largest size's points and error bars
        fig.add_hline(y=base, line_dash="dot", line_color="grey", showlegend=True,
                      name=f"always the majority class ({base:.1%})" if percent
                      else f"always the majority class (macro-F1 {base:.3f})")
    fig.update_yaxes(tickformat=_y_tickformat(span, percent))  # accuracy in percent, as everywhere in the app
    # The legend in the row above the plot that every chart has, what the error bars are on a line over it (nothing
    # said so): at plotly's default, right of the plot, it took half a phone's width and the x title was cut.
    style(fig, title, 460)
    fig.update_layout(legend={"title": {"text": "strategy (bars: ±1 std over seeds)", "side": "top"},
                              "yref": "container", "y": 1 - 40 / 460, "yanchor": "top"},
                      xaxis_title="labelled training examples (log scale)",
                      yaxis_title=f"{metric_label} (%)" if percent else metric_label)
    xs = sorted({round(a["n_train"]) for a in agg if a["n_train"]})
    # Ticks at the measured sizes: log axes otherwise label 2, 3, 5 between the decades.
    fig.update_xaxes(type="log", tickvals=xs, ticktext=[f"{x:,}" for x in xs])
    return fig


def results_table(agg: list[dict], name: str = "accuracy") -> list[dict]:
    """Rows for a table: strategy, n, mean, std (of ``name``: "accuracy", or "macro-F1"), seeds, mean train
    seconds.

    "n labelled" is what the finished runs trained on, else the planned size (empty for "all" until one
    finishes).
    """
    def n(a: dict) -> int | None:
        return a["size"] if a["n_train"] is None else round(a["n_train"])

    return [{"strategy": a.get("name") or a["strategy"], "n labelled": n(a),
             f"{name} mean": a["mean"], f"{name} std": a["std"], "seeds": f"{a['n_seeds']}/{a['n_planned']}",
             "train s (mean)": a["train_seconds"]}
            for a in sorted(agg, key=lambda a: (a["strategy"], _size_order(a["size"])))]


def format_curves(agg: list[dict], name: str = "test accuracy") -> str:
    """Plain-text table: one row per strategy, one column per size, 'mean ± std' of the measure ``name``."""
    sizes = sorted({a["size"] for a in agg}, key=_size_order)
    strategies = list(dict.fromkeys(a["strategy"] for a in agg))
    cell = {(a["strategy"], a["size"]): a for a in agg}
    head = ["strategy"] + [str(s) if s is not None else "all" for s in sizes]
    lines = []
    names = {a["strategy"]: a["name"] for a in agg}
    for st in strategies:
        row = [names[st]]
        for s in sizes:
            a = cell.get((st, s))
            row.append("-" if not a or a["mean"] is None else
                       f"{a['mean']:.3f}" + (f"±{a['std']:.3f}" if a["std"] is not None else "") + f" ({a['n_seeds']})")
        lines.append(row)
    widths = [max(len(x) for x in col) for col in zip(head, *lines)]
    out = ["  ".join(x.ljust(w) for x, w in zip(r, widths)) for r in [head, *lines]]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out + ["", f"{name} mean±std over seeds (seeds done); columns = training-set size"])
