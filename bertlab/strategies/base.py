"""Strategy objects, their registry, and what a run hands to a strategy.

A strategy is a small object that says what it trains and how; the shared
engine (``bertlab.engine``) does the looping. Each strategy module registers
itself with :func:`register`, so the UI, CLI and tests see it at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bertlab.config import RunConfig
from bertlab.errors import ConfigError

if TYPE_CHECKING:
    import torch

    from bertlab.data import Splits
    from bertlab.engine import Callbacks
    from bertlab.models import DeviceInfo

ARTIFACT_META = "bertlab_run.json"


@dataclass
class RunContext:
    """Everything a strategy needs for one run."""

    config: RunConfig
    splits: Splits
    device: DeviceInfo
    dtype: torch.dtype | None
    callbacks: Callbacks
    artifact_dir: Path
    notes: list[str] = field(default_factory=list)
    # options whose value the strategy worked out because the config left them empty (lora's alpha = 2 x r,
    # partial_ft's layers = half), recorded with the run's costs so its options can be read back whole
    derived_options: dict[str, Any] = field(default_factory=dict)
    # seconds of training work a strategy did before its training loop, by name (scratch's new vocabulary:
    # "vocab_seconds"): counted in its training time, as tfidf_logreg's counts fitting its vocabulary
    pre_train_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def torch_device(self) -> torch.device:
        return self.device.torch


@dataclass
class RunOutput:
    """What a strategy returns: test metrics (see metrics.classification_report) and costs."""

    test: dict
    costs: dict[str, Any]
    val: dict | None = None
    # the validation texts' answers and class probabilities of the model kept (the epoch keep_best chose, or the
    # last): {"predictions": [...], "probabilities": n_texts x n_classes}, stored beside the test ones
    # (paired.VAL_PREDICTIONS_FILE); None where a strategy has none
    val_predictions: dict | None = None


class Strategy:
    """Base class. Subclasses set the class attributes and implement :meth:`run`.

    Attributes:
        name: registry key, e.g. "full_ft".
        title: short human name.
        summary: one line for the UI: what is trained, what is frozen.
        trains / frozen: the parts of the model that do / do not change.
        defaults: RunConfig fields this strategy sets differently from the base.
        uses_epochs: whether the epochs/lr/batch controls matter.
        uses_tokens: whether texts go through the model's tokenizer, cut at max_length.
        uses_device: whether it computes on the run's device (a GPU where there is one); not tfidf_logreg, which
            runs on the CPU whatever the device, so its peak memory is the process RAM it adds, not the GPU's.
        uses_seed: whether the seed changes what it does (not for zero_shot, which trains nothing, nor tfidf_logreg, whose solver draws nothing at random).
        reads_training_texts: whether the training texts go through the model (not for zero_shot).
        embeds: the splits ("train", "val", "test") whose texts it embeds through the shared embedding cache
            (:mod:`bertlab.embeddings`) instead of training the encoder on them: what a time estimate checks the
            cache for (:meth:`embedded_texts`).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    trains: ClassVar[str] = ""
    frozen: ClassVar[str] = ""
    when: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}
    uses_epochs: ClassVar[bool] = True
    uses_tokens: ClassVar[bool] = True  # reads the model's tokenizer (and so max_length applies)
    uses_device: ClassVar[bool] = True  # computes on the run's device (GPU memory is what it uses there)
    uses_seed: ClassVar[bool] = True
    reads_training_texts: ClassVar[bool] = True  # zero_shot does not: it compares label descriptions only
    # RunConfig training fields an epoch strategy ignores (head_only: no warmup, no clipping): blank in the CSV
    unused_fields: ClassVar[tuple[str, ...]] = ()
    embeds: ClassVar[tuple[str, ...]] = ()

    def uses_field(self, field: str) -> bool:
        """Whether the RunConfig setting ``field`` changes what this strategy does: max_length and truncation where it
        reads tokens, a training setting (:data:`bertlab.variants.EPOCH_FIELDS`) where it trains over epochs and does not ignore
        it (head_only's head trains at a constant learning rate, unclipped: its :attr:`unused_fields`)."""
        return (self.uses_tokens if field in ("max_length", "truncation")
                else self.uses_epochs and field not in self.unused_fields)

    def device_name(self, machine: DeviceInfo) -> str:
        """The device this strategy computes on, on ``machine`` (a run's or a predictor's): its own name, or the
        CPU's where it does not use the device (tfidf_logreg on a GPU machine: priced at the CPU-hour, training and
        serving alike)."""
        from bertlab.models import pick_device

        return machine.name if self.uses_device else pick_device("cpu").name

    def run(self, ctx: RunContext) -> RunOutput:  # pragma: no cover - abstract
        raise NotImplementedError

    def probe_work(self, config: RunConfig, sizes: dict[str, int]) -> tuple[float, float] | None:
        """(texts through a training step of the whole encoder, texts through a forward pass only) for a run of
        ``config`` on splits of ``sizes``: what turns this device's measured speed (:mod:`bertlab.speedprobe`)
        into a rough time before any run of the strategy here. None: the encoder does not set its time."""
        return None

    def option_max(self, option: str, model: str) -> float | None:
        """The largest value ``option`` may take for runs on ``model`` where that depends on the model (partial_ft's
        layers: the model's layer count), or None: its spec's ``max`` holds. The Train page's field and the CLI's
        --option stop there, so a value out of range is refused before a run is queued, not as a failed run."""
        return None

    def reads_model_tokenizer(self, new_vocab: bool) -> bool:
        """Whether a run reads the model's own tokenizer, so a model folder without tokenizer files is refused for
        it: every strategy that reads tokens, but scratch with its own new vocabulary (``new_vocab``)."""
        return self.uses_tokens

    def refusal(self, model: str) -> str | None:
        """Why this strategy cannot run on ``model`` at all (partial_ft on ALBERT, whose layers share one layer's
        weights), said before launch: the Train page keeps Launch off with it under the strategy, the CLI refuses
        it before storing a run, Compare offers no Run again for such a run. None where it can run (or the model's
        config cannot be read: that error is said where the model is checked)."""
        return None

    def pretrain_epochs(self, options: dict) -> int:
        """Passes over the training texts before training on the labels (dapt's and scratch's masked-LM epochs), as
        ``options`` set them: what a time estimate adds to the epochs. 0 by default. Raises ConfigError where the
        options do not validate."""
        return 0

    def pretrain_texts(self, options: dict, train: int) -> int:
        """Texts each of those passes goes over, for a run with ``train`` training texts and ``options``: the
        training texts, and an extra domain file's lines where the strategy takes one (dapt's, scratch's option
        'domain_file', counted as the run reads it)."""
        if "domain_file" not in (getattr(self, "option_specs", None) or {}):
            return train
        from bertlab.strategies.dapt import domain_lines

        return train + domain_lines(options.get("domain_file"))

    def embedded_texts(self, config: RunConfig, splits: Splits) -> list[str]:
        """Texts a run of ``config`` embeds through the shared cache beside its :attr:`embeds` splits' (zero_shot's
        label descriptions); none by default."""
        return []

    @staticmethod
    def save_meta(ctx: RunContext, kind: str, **extra: Any) -> None:
        """Write the artifact description that ``bertlab.predict`` reads."""
        meta = {"kind": kind, "strategy": ctx.config.strategy, "model": ctx.config.model,
                "max_length": ctx.config.max_length,
                "truncation": ctx.config.truncation, "label_names": ctx.splits.label_names, **extra}
        (ctx.artifact_dir / ARTIFACT_META).write_text(json.dumps(meta, indent=2))


# Artifact kinds that answer through the unchanged pretrained encoder (not saved with them): zero_shot's label
# vectors and head_only's head. The playground shares one encoder pass among them, the export zip adds the
# encoder, and a run's size on disk counts it.
ENCODER_KINDS = ("head", "zero_shot")

REGISTRY: dict[str, Strategy] = {}


def loss_weights(config: RunConfig, splits: Splits) -> list[float] | None:
    """Each class's weight in the training loss where ``config.class_weights`` is "balanced" (from the training
    labels), else None: every text alike."""
    if config.class_weights != "balanced":
        return None
    from bertlab.metrics import balanced_class_weights

    return balanced_class_weights(splits.train.labels, len(splits.label_names))


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: add a strategy to the registry under ``cls.name``."""
    if not cls.name or cls.name in REGISTRY:
        raise ValueError(f"strategy name {cls.name!r} is empty or already registered")
    REGISTRY[cls.name] = cls()
    return cls


def get_strategy(name: str) -> Strategy:
    """The registered strategy called ``name``.

    Raises:
        ConfigError: unknown name.
    """
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):  # TypeError: a list, unhashable
        import difflib

        # 'head-only', 'Full_FT', 'tfidf', 'lora ': the one meant, named (was only the list to find it in)
        typed = str(name).strip().lower().replace("-", "_").replace(" ", "_")
        near = ([typed] if typed in REGISTRY else [s for s in REGISTRY if s.startswith(typed)] if len(typed) >= 3
                else []) or difflib.get_close_matches(typed, list(REGISTRY), n=1, cutoff=0.75)
        hint = f" Did you mean {near[0]!r}?" if len(near) == 1 else ""
        raise ConfigError(f"strategy {name!r} is unknown; choose from {sorted(REGISTRY)}.{hint}") from None


def one_answer_reason(name: str) -> str:
    """Why a run of strategy ``name`` that gave one answer to every test text did so, as the app, the HTML report
    and the Strategy cards say it: a trained one learned nothing beyond that answer; zero_shot trains nothing, its
    label sentences decide (an unknown name reads as trained)."""
    s = REGISTRY.get(name)
    if s is None or s.reads_training_texts:
        return "it learned nothing beyond always giving one answer"
    return "its label sentences do not tell the texts apart"


FEW_TEXTS = 1000  # tfidf_logreg on fewer training texts than this may simply have seen too few words
HIGH_RATE = 10  # a fine-tuning run at this many times its default learning rate or more: its rate, not its length,
# is what to change when it learned nothing (full_ft at 1: its training loss went 0.69 -> 7.7 -> 6.9)


def rate_too_high(name: str, learning_rate: float | None) -> bool:
    """Whether ``learning_rate`` is :data:`HIGH_RATE` times strategy ``name``'s default or more: where a run that
    learned nothing is to be trained at a lower rate, not longer (:func:`one_class_advice`; Compare's answer leaves
    such a run out of its "trained too briefly, train longer")."""
    s = REGISTRY.get(name)
    default = s.defaults.get("learning_rate") if s is not None else None
    return bool(learning_rate and default and learning_rate >= HIGH_RATE * default)


def one_class_advice(name: str, *, epochs: int | None = None, learning_rate: float | None = None,
                     class_weights: str | None = None, train_counts: dict[str, int] | None = None,
                     n_train: int | None = None, steps: int | None = None, few_steps: bool = False) -> str | None:
    """What to change in a run of strategy ``name`` that answered one class to every test text, in its strategy's
    terms, as the run's note and Compare's answer both say it (lower case, no full stop), or None for a strategy
    that trains nothing on the labels (zero_shot: its sentences decide, said apart). The note said "try more
    epochs, a higher learning rate or more data" of a head_only whose answer said "try a lower learning rate";
    scratch was told to train longer where from random weights it needs far more data; tfidf_logreg always
    blamed "too few texts, or too short ones", even on thousands of texts of one dominant class.

    ``train_counts``: training texts per class, where known (``n_train`` then defaults to their sum); ``steps``:
    the optimizer steps it took, where known; ``few_steps``: the run's notes also call them too few (its
    :func:`bertlab.strategies.classifier.few_steps_note`), which the advice then puts after the rate rather than
    contradicting it with "not longer"."""
    s = REGISTRY.get(name)
    if s is None or not s.reads_training_texts:
        return None
    if train_counts:
        n_train = n_train or sum(train_counts.values())
    texts = f"its {n_train:,} training texts" if n_train else "its training texts"
    if not s.uses_epochs:  # tfidf_logreg: no epochs, no steps; its words are all it has
        from bertlab.answer import IMBALANCED

        if train_counts and n_train and (top := max(train_counts, key=train_counts.get)) and (
                share := train_counts[top] / n_train) >= IMBALANCED:
            weights = "" if class_weights == "balanced" else " (or train with balanced class weights)"
            return (f"{share:.0%} of {texts} are {top!r}, so answering {top!r} is what its words learned best; give "
                    f"it more labelled examples of the other classes{weights}")
        if n_train and n_train >= FEW_TEXTS:
            return (f"the words of {texts} do not tell the classes apart (which words a text uses is not what sets "
                    "them apart); a strategy that reads the texts through a pretrained encoder (head_only, "
                    "full_ft) may")
        return (f"the words of {texts} do not tell the classes apart (too few texts, or too short ones); give it "
                "more labelled texts of each class, or longer ones")
    if name == "scratch":  # from random weights: its epochs are not what is missing
        return (f"from random weights it learns nothing from {texts}; it needs far more data, or pretraining: a "
                "strategy that starts from the pretrained encoder (head_only, full_ft) learns from these")
    if name == "head_only":  # a linear head: its epochs and learning rate are the controls
        default = s.defaults["learning_rate"]
        if not (epochs and learning_rate):
            return "its head learned nothing; try more epochs or another learning rate"
        fix = (f"a lower learning rate (its default is {default:g}), or more epochs" if learning_rate > default
               else f"more epochs, or a higher learning rate (its default is {default:g})")
        return (f"its head on the frozen encoder learned nothing in {epochs:,} epoch{'s' * (epochs != 1)} at "
                f"learning rate {learning_rate:g}; try {fix}")
    if rate_too_high(name, learning_rate):  # training longer would not help
        default = s.defaults["learning_rate"]
        too_high = (f"its learning rate {learning_rate:g} is {learning_rate / default:,.0f} times its default "
                    f"({default:g}): steps that large make fine-tuning diverge rather than learn")
        if few_steps and steps:  # the run's few-steps note asks for more steps: the rate comes first, then those
            return (f"{too_high}, so the rate is the first thing to change: train it at a lower rate (its default, or "
                    f"a few times it); at that rate more steps help too (its {steps:,} are few, as its note on them "
                    "says), at this one they would only diverge longer")
        return f"{too_high}; train it at a lower rate (its default, or a few times it), not longer"
    if steps:
        return (f"it learned nothing in {steps:,} optimizer step{'s' * (steps != 1)}; train it longer (more epochs, "
                "or a smaller batch size)")
    return "try more epochs, a higher learning rate or more data"


def seeded_configs(config, repeats: int) -> list:
    """``repeats`` copies of ``config`` at training seeds seed, seed + 1, ... (the split unchanged); one where no
    seed changes what the strategy does (zero_shot)."""
    n = repeats if get_strategy(config.strategy).uses_seed else 1
    return [config.replace(seed=config.seed + k) for k in range(n)]


def set_options(strategy, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` less those at the value the strategy takes when a config leaves them out (an ``option_specs``
    default, not one of its ``defaults``' options): one config per run, whichever surface launched it. The Train
    page's fields start at each default and stored every one (lora's ``dropout`` 0.1, scratch's ``mlm_*``,
    tfidf_logreg's ``ngram_max`` and ``max_features``), the CLI and ``bertlab.compare`` none, so the same run had two
    configs: another :func:`bertlab.sweep.config_key`, a sweep that did not count it as done."""
    specs = getattr(strategy, "option_specs", None) or {}
    own = strategy.defaults.get("options", {})
    return {k: v for k, v in options.items()
            if k in own or k not in specs or (d := specs[k].get("default")) is None or isinstance(v, bool) or v != d}


def option_refusal(strategy, key: str, value: Any, model: str | None = None) -> str | None:
    """Why ``value`` is no value of ``strategy``'s option ``key`` (one of its ``option_specs``), as the Train page's
    field and the CLI's ``--option`` take it: the option, the value and what it takes ("ngram_max is 'abc'; it takes
    a whole number from 1 to 5 (default 2)"); None where it fits. ``model``: the range a model sets (partial_ft's
    layers, :meth:`Strategy.option_max`). None fits an option whose default is None (it reads "unset")."""
    import math
    import os

    spec = strategy.option_specs[key]
    kind, lo, hi = spec.get("kind"), spec.get("min"), spec.get("max")
    if model and kind in ("int", "float") and (most := strategy.option_max(key, model)) is not None:
        hi = most

    def shown(v) -> str:
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{v:,g}"

    if kind == "file":
        fits = isinstance(value, (str, os.PathLike)) and Path(value).expanduser().is_file()
        takes = "the path of a file" + (f" ({', '.join(spec['suffixes'])})" if spec.get("suffixes") else "")
    else:
        number = (int,) if kind == "int" else (int, float)
        fits = (isinstance(value, number) and not isinstance(value, bool) and math.isfinite(value)
                and (lo is None or lo <= value) and (hi is None or value <= hi))
        takes = ("a whole number" if kind == "int" else "a number") + (
            f" from {shown(lo)} to {shown(hi)}" if lo is not None and hi is not None else "")
        if hi is not None and hi != spec.get("max"):
            takes += f" for {model} (the most this model allows)"
    default, unset = spec.get("default"), spec.get("unset")
    if fits or (value is None and default is None):
        return None
    if default is None:  # None (or leaving it out) is a value: the spec's "unset"
        takes += ", or None" + (f" for {unset}" if unset and unset != "none" else "")
    elif isinstance(default, (int, float)):
        takes += f" (default {shown(default)})"
    return f"{key} is {value!r}; it takes {takes}"


def make_config(strategy: str, **overrides: Any) -> RunConfig:
    """A RunConfig with ``strategy``'s defaults, then ``overrides`` (None values are ignored); an option given at
    the value it has when left out is left out (:func:`set_options`)."""
    s = get_strategy(strategy)
    kw = {**s.defaults, **{k: v for k, v in overrides.items() if v is not None}}
    if isinstance(kw.get("options"), dict):
        kw["options"] = {**s.defaults.get("options", {}), **set_options(s, kw["options"])}
    if not s.reads_training_texts and kw.get("class_weights") == "balanced":
        # zero_shot trains on no label: asked of a whole launch or sweep, the weights change nothing there, and
        # its run stays the same run (the same config as one launched without them)
        kw["class_weights"] = "none"
    data = kw.get("data")
    pair = (data.get("text_pair_column") if isinstance(data, dict) else getattr(data, "text_pair_column", None))
    if kw.get("truncation") == "head_tail" and (not s.uses_tokens or pair):
        # tfidf_logreg reads whole texts, and a pair task's pairs are cut as head whatever the setting
        # (engine.encode): asked of a whole launch or sweep, head_tail changes nothing there, and its run stays the
        # same run (named, listed and reused as one launched without it)
        kw["truncation"] = "head"
    return RunConfig(strategy=strategy, **kw)
