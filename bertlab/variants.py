"""Which runs are seeds of one thing, and what to call them.

Two runs of one strategy, on the same data and model, are seeds of one choice only where they trained with the
same settings: full_ft at a learning rate of 2e-05 and full_ft at 5e-05 are two choices to weigh, not two draws of
training luck to average (a persona's two zero_shot runs with different label sentences were averaged as seeds,
and two full_ft runs at one seed and two learning rates lost one of them to the other). :func:`settings` is what a
run trained with beyond its seed; :func:`variant` the key that makes runs seeds of one thing; :func:`labels` the
names pages, tables and legends give them: ``full_ft`` where every full_ft run among them trained alike, else
``full_ft (lr 2e-05)`` and ``full_ft (lr 5e-05)``, naming only what differs.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from bertlab import memo, paired
from bertlab.config import DEFAULT_MODEL, RunConfig

# Training settings that apply to a strategy that trains over epochs (zero_shot and tfidf_logreg have none).
EPOCH_FIELDS = ("epochs", "learning_rate", "batch_size", "warmup_ratio", "weight_decay", "grad_clip", "keep_best",
                "patience")
OPTION = "option "  # a strategy's option among settings(): "option ngram_max"
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(RunConfig) if f.default is not dataclasses.MISSING}

# How a differing setting reads in a name: "lr 2e-05", "3 epochs".
_SHOWN = {
    "epochs": "{} epochs", "learning_rate": "lr {}", "batch_size": "batch {}", "warmup_ratio": "warmup {}",
    "weight_decay": "weight decay {}", "grad_clip": "clip {}", "patience": "patience {}",
    "max_length": "max_length {}", "vocab_size": "vocab {}", "truncation": "{} truncation",
}


def base_strategy(name: str) -> str:
    """``full_ft`` from ``full_ft``, ``head_only (balanced)`` or ``full_ft (lr 2e-05)``: the strategy a shown name
    is of (strategy names have no spaces)."""
    return name.split(" (")[0]


def effective_options(strategy, cfg: dict, costs: dict) -> dict:
    """The options a run used: the strategy's defaults (which the config leaves out), then those it worked out
    as it ran (lora's alpha, partial_ft's layers: ``costs["derived_options"]``), overlaid with those set."""
    defaults = {k: spec["default"] for k, spec in (getattr(strategy, "option_specs", None) or {}).items()
                if spec.get("default") is not None}
    return {**defaults, **((costs or {}).get("derived_options") or {}), **(cfg.get("options") or {})}


_SAVED: dict[str, tuple[str, ...]] = {}  # artifact dir -> the sentences its finished model recorded


def _saved_descriptions(artifact_dir: str) -> tuple[str, ...] | None:
    """The label sentences a finished zero_shot model recorded (read once per artifact: pages ask on every
    redraw); None, not kept, where it has not recorded them yet."""
    if artifact_dir in _SAVED:
        return _SAVED[artifact_dir]
    from bertlab.strategies.base import ARTIFACT_META

    try:
        found = json.loads((Path(artifact_dir) / ARTIFACT_META).read_text()).get("label_descriptions")
    except (OSError, ValueError, AttributeError):
        return None
    if not found:
        return None
    if len(_SAVED) > 4096:
        _SAVED.clear()
    _SAVED[artifact_dir] = tuple(found)
    return _SAVED[artifact_dir]


def descriptions(run) -> list[str] | None:
    """zero_shot's label sentences, as its saved model recorded them (the built-in's defaults where none were
    set), else as its config gave them; None for other strategies."""
    if run.strategy != "zero_shot":
        return None
    done = getattr(run, "status", "succeeded") == "succeeded"  # a queued or failed run saved no model to read
    saved = _saved_descriptions(str(run.artifact_dir)) if done and getattr(run, "artifact_dir", None) else None
    return list(saved) if saved else (getattr(run, "config", None) or {}).get("label_descriptions")


def settings(run) -> dict:
    """What ``run`` trained with beyond its data, model and seed, as far as its strategy uses it: the epoch
    settings of a strategy trained over epochs (not zero_shot's unused epochs), max_length where it reads
    tokens, its options, zero_shot's label sentences, the class weights of one that learns from labels, and
    scratch's own vocabulary. Fields a config written before they existed lacks count at their defaults.
    Precision is left out: it changes speed, and the benchmark shows accuracy holds. Worked out once per run
    inside :func:`bertlab.memo.within` (each call gets its own dict)."""
    kept = memo.kept("settings", (run,), (), lambda: _settings(run))
    return {k: list(v) if isinstance(v, list) else v for k, v in kept.items()}


def _settings(run) -> dict:
    from bertlab.strategies import REGISTRY

    cfg = {**_DEFAULTS, **(getattr(run, "config", None) or {})}
    s = REGISTRY.get(run.strategy)
    out: dict = {}
    out.update({k: cfg.get(k) for k in (*EPOCH_FIELDS, "max_length") if s is None or s.uses_field(k)})
    if s is None or s.uses_field("truncation"):  # how a long text was cut: a config from before it says head
        out["truncation"] = cfg.get("truncation") or "head"
    if s is None or s.reads_training_texts:
        out["class_weights"] = cfg.get("class_weights") or "none"
    # each option on its own: a name says only the one that differs ('ngram_max 2', not every default beside it)
    out.update({OPTION + k: v for k, v in effective_options(s, cfg, getattr(run, "costs", None) or {}).items()})
    if (descs := descriptions(run)) is not None:
        out["label_descriptions"] = list(descs)
    if (text := text_read(run)) is not None:
        out["text"] = text
    if s is None or s.uses_tokens:  # its own vocabulary, and how large, or the model's
        out["new_vocab"] = bool(cfg.get("new_vocab"))
        if out["new_vocab"]:
            out["vocab_size"] = cfg.get("vocab_size")
    return out


def text_read(run) -> str | None:
    """The text column(s) a run on a table read: "review", or "sentence1 + sentence2" for a text pair; as the run
    recorded them once it loaded its data, else as its config names them. None for a built-in dataset, and for a
    run not started whose config leaves them to be detected (:func:`_known_sentences` fills that in)."""
    summary = getattr(run, "data_summary", None) or {}
    first, second = summary.get("text_column"), summary.get("text_pair_column")
    if not first:
        data = (getattr(run, "config", None) or {}).get("data") or {}
        first, second = data.get("text_column"), data.get("text_pair_column")
    if not first:
        return None
    return f"{first} + {second}" if second else str(first)


def _frozen(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def seed_key(run) -> tuple:
    """Which seed a run is, for pairing runs of different strategies: its split's seed and its training seed."""
    cfg = getattr(run, "config", None) or {}
    return (cfg.get("data") or {}).get("seed"), cfg.get("seed")


def variant(run) -> tuple[str, str]:
    """What makes two runs seeds of one thing (at one training size, on one dataset and model): their strategy
    and every setting :func:`settings` names. A balanced head_only against a plain one, or full_ft at two
    learning rates, is a choice to make, not two draws of training luck."""
    return run.strategy, _frozen(settings(run))


def variant_keys(runs) -> dict[str, tuple[str, str]]:
    """Each of ``runs``' :func:`variant` by id, a zero_shot not finished and given no sentences read as having the
    defaults a finished one given none recorded on its dataset (:func:`_known_sentences`, as :func:`labels` names
    it): an interrupted rerun of a finished zero_shot's config counted as a setting no finished run had, and the
    answer read "Use zero_shot · 2d49" and "Not compared: zero_shot · f2fe (interrupted)" where the names said
    "zero_shot" for both."""
    runs = list(runs)
    found = {r.id: settings(r) for r in runs}
    _known_sentences(runs, found)
    return {r.id: (r.strategy, _frozen(found[r.id])) for r in runs}


def setting_text(key: str, value) -> str:
    """One setting as a run's name shows it: ``("learning_rate", 2e-05)`` → "lr 2e-05", an option by its own name,
    the keep-best and vocabulary switches in words."""
    if key.startswith(OPTION):
        return f"{key[len(OPTION):]} {value:g}" if isinstance(value, float) else f"{key[len(OPTION):]} {value}"
    if key == "label_descriptions":
        first = str((value or [""])[0])
        return f"sentences “{first[:24]}…”" if len(first) > 24 else f"sentences “{first}”"
    if key == "keep_best":
        return "best epoch kept" if value else "last epoch"
    if key == "text":  # the text column(s) read: "text column 'sentence2'", "text columns 'sentence1' + 'sentence2'"
        # quoted, and called columns: a column itself called "text" read "text text" (the sidebar's queue read
        # "tfidf_logreg (class.csv, text text)")
        cols = str(value).split(" + ")
        return (f"text column '{cols[0]}'" if len(cols) == 1
                else "text columns " + " + ".join(f"'{c}'" for c in cols))
    if key == "new_vocab":
        return "own vocabulary" if value else "model's vocabulary"
    if key == "epochs" and value == 1:
        return "1 epoch"
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return _SHOWN.get(key, key + " {}").format(shown)


def settings_text(run) -> str:
    """``run``'s :func:`settings` in words, for a report: '2 epochs, lr 5e-05, batch 32, …'; zero_shot's
    'max_length 128, sentences “…”' (not the epochs it never ran)."""
    found = settings(run)
    off = {"keep_best": False, "patience": 0, "new_vocab": False, "truncation": "head"}  # "off" reads so only to tell two runs apart
    parts = [setting_text(k, v) for k, v in found.items() if k not in ("class_weights", "vocab_size", "label_descriptions",
                                                                       "text")
             and (k not in off or v != off[k])]
    if descs := found.get("label_descriptions"):  # every sentence, whole: a name quotes only the first, cut
        parts.append("label sentences " + ", ".join(f"“{d}”" for d in descs))
    if found.get("class_weights") == "balanced":
        parts.append("balanced class weights")
    if found.get("new_vocab"):
        parts[parts.index(setting_text("new_vocab", True))] += f" of {found.get('vocab_size')} tokens"
    return ", ".join(parts)


def _group(run) -> tuple:
    """Runs whose names are weighed against each other: one strategy at one training size, as asked for (a queued
    run has measured no size yet, and must be named as the running one beside it is), else as measured."""
    data = (getattr(run, "config", None) or {}).get("data")
    size = data["train_size"] if isinstance(data, dict) and "train_size" in data else paired.train_size(run)
    return run.strategy, size


def _differs(key: str, members: list, found: dict) -> bool:
    """Whether the runs ``members`` (their :func:`settings`: ``found``) differ in ``key``; zero_shot's sentences
    within a dataset only: each dataset has its own default ones, and runs on two datasets read "zero_shot
    (sentences “A news article about bus…”)" and "zero_shot (sentences “This movie was great.”)"."""
    if key not in _PER_DATASET:
        return len({_frozen(f.get(key)) for f in found.values()}) > 1
    per_data: dict[str, set] = {}
    for r in members:
        per_data.setdefault(str(getattr(r, "dataset", None)), set()).add(_frozen(found[r.id].get(key)))
    return any(len(v) > 1 for v in per_data.values())


# Settings that each dataset has its own of (its default label sentences, its text columns): they name runs apart
# only within one dataset, and a run not started that leaves them to its data reads what a run given none recorded.
_PER_DATASET = ("label_descriptions", "text")


def _given(run, key: str) -> bool:
    """Whether ``run``'s config sets ``key`` (of :data:`_PER_DATASET`) itself, rather than leaving it to its data."""
    cfg = getattr(run, "config", None) or {}
    return bool(cfg.get(key) if key == "label_descriptions" else (cfg.get("data") or {}).get("text_column"))


def _known_sentences(members: list, found: dict) -> None:
    """Fill in, in ``found`` (the members' :func:`settings`), what a run not finished yet that was given none of
    :data:`_PER_DATASET` will read: a zero_shot's sentences, its dataset's defaults, which a finished one given none
    recorded; a run on a table, the text columns its data's detection picks, which a finished run left to detect
    them recorded. A sweep's finished seed read "zero_shot (sentences “This movie was great.”)" beside a queued seed
    of the same config, as if the sentences it has not read yet were other ones; a queued run beside one given
    other sentences (or columns) still differs."""
    for key in _PER_DATASET:
        recorded: dict[str, object] = {}  # dataset -> what a finished run left to its data recorded
        for r in members:
            if key in found[r.id] and not _given(r, key):
                recorded.setdefault(str(getattr(r, "dataset", None)), found[r.id][key])
        for r in members:
            if key not in found[r.id] and (key != "label_descriptions" or r.strategy == "zero_shot"):
                if (known := recorded.get(str(getattr(r, "dataset", None)))) is not None:
                    found[r.id] = {**found[r.id], key: known}


def model_name(model) -> str:
    """A model as a name part: 'all-MiniLM-L6-v2' of 'sentence-transformers/all-MiniLM-L6-v2' or a path."""
    return str(model).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def reads_model(run) -> bool:
    """Whether ``run``'s strategy reads its model (tfidf_logreg's config names a model it never reads)."""
    from bertlab.strategies import REGISTRY

    return getattr(REGISTRY.get(run.strategy), "uses_tokens", True)


def own_model(run) -> str | None:
    """``run``'s model as a name part (:func:`model_name`) where it read one other than the default, else None: a
    single-model batch of ALBERT runs read like one of MiniLM's on every page and in `runs`."""
    model = getattr(run, "model", None)
    return model_name(model) if model and str(model) != DEFAULT_MODEL and reads_model(run) else None


def batch_model(runs, named: bool = False) -> str | None:
    """The model(s) ``runs`` read, as a name part, where any is other than the default: ``tiny-albert``; a batch
    mixing models names each, oldest run's first (``minilm, albert-base-v2``). None where all read the default or
    none reads a model, and for several models where ``named``: each run's name from :func:`labels` (``data``
    true) says its own then. `runs` names its runs without the model (``labels(..., data=False)``): a batch of the
    default and another read as if on no model at all."""
    reading = sorted((r for r in runs if reads_model(r)), key=lambda r: getattr(r, "created", 0) or 0)
    models = list(dict.fromkeys(model_name(getattr(r, "model", None) or DEFAULT_MODEL) for r in reading))
    if not any(own_model(r) for r in reading) or (named and len(models) > 1):
        return None
    return ", ".join(models)


def _launch_settings(run) -> dict[str, str]:
    """The settings one launch is told apart from another by (:func:`launch_differences`), each as it reads."""
    cfg = getattr(run, "config", None) or {}
    data = cfg.get("data") or {}
    caps = "/".join("all" if data.get(k) is None else f"{data[k]:,}" for k in ("train_size", "val_size", "test_size"))
    found = {"split": data.get("seed"), "seed": cfg.get("seed"), "caps": caps if data else None}
    found |= {k: cfg.get(k) for k in ("max_length", "epochs", "learning_rate", "batch_size")}
    found["truncation"] = (cfg.get("truncation") or "head") if cfg else None  # a config from before it: head
    return {k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in found.items() if v is not None}


_LAUNCH_SHOWN = {"split": "split {}", "seed": "seed {}", "caps": "caps {}", "max_length": "max length {}",
                 "truncation": "{} truncation",
                 "epochs": "epochs {}", "learning_rate": "lr {}", "batch_size": "batch {}"}


def launch_differences(batches: dict[str, list]) -> dict[str, str]:
    """What tells apart launches (batch id -> its runs) that would otherwise read alike: the split seed, seed,
    size caps, max length, epochs, learning rate or batch size where they differ between the batches, e.g.
    ``{"b1": "split 7, seed 7", "b2": "split 0, seed 0"}``; '' for each where none differs. 28 quick runs at
    different seeds all read "Dec 05 16:39 · rotten_tomatoes · zero_shot, tfidf_logreg, head_only" in a menu."""
    values = {b: {} for b in batches}
    for b, runs in batches.items():
        for r in sorted(runs, key=lambda r: getattr(r, "created", 0)):
            for k, v in _launch_settings(r).items():
                values[b].setdefault(k, []).append(v)
    shown = {b: {k: "/".join(dict.fromkeys(v)) for k, v in found.items()} for b, found in values.items()}
    differing = [k for k in _LAUNCH_SHOWN if len({found.get(k) for found in shown.values()}) > 1]
    return {b: ", ".join(_LAUNCH_SHOWN[k].format(found[k]) for k in differing if k in found)
            for b, found in shown.items()}


def parts(runs, data: bool = True) -> dict[str, list[str]]:
    """What each run's name adds to its strategy's (:func:`labels`), in parts: ``["balanced", "lr 2e-05"]``, []
    for a run trained as every other run of its strategy among ``runs``. A part is said only for a run that has
    the setting (a plain scratch run has no vocabulary size of its own; a queued zero_shot no sentences yet).
    Runs on several datasets (picked across launches) each start with their dataset's name, and on several models
    with their model's (unless ``data`` is false): a pick from two datasets read "lora · 893a" and "lora · ecae",
    rank 4 and rank 16, in every table and chart."""
    runs = list(runs)
    kept = memo.kept("parts", runs, (data,), lambda: _parts(runs, data))  # a report asked 22 times of 500 runs
    return {k: list(v) for k, v in kept.items()}


def _parts(runs: list, data: bool) -> dict[str, list[str]]:
    from bertlab.config import upload_display_name

    datasets = data and len({str(getattr(r, "dataset", None)) for r in runs}) > 1
    models = data and len({str(getattr(r, "model", None)) for r in runs if reads_model(r)}) > 1
    groups: dict[tuple, list] = {}
    for r in runs:
        groups.setdefault(_group(r), []).append(r)
    out: dict[str, list[str]] = {}
    for members in groups.values():
        found = {r.id: settings(r) for r in members}
        _known_sentences(members, found)
        keys = sorted({k for s in found.values() for k in s})
        # an option no run set by hand, that a run worked out from another (lora's alpha, twice its r), follows
        # that one: "lora (alpha 8, r 4)" against "lora (alpha 32, r 16)" named what the user never chose, and a
        # queued lora, which has worked out nothing yet, read "lora" beside a finished "lora (alpha 8)"
        hand = {OPTION + k for r in members for k in ((getattr(r, "config", None) or {}).get("options") or {})}
        derived = {OPTION + k for r in members
                   for k in ((getattr(r, "costs", None) or {}).get("derived_options") or {})} - hand
        differ = [k for k in keys if k != "class_weights" and k not in derived and _differs(k, members, found)]
        said: dict[tuple, str] = {}  # one set of parts per distinct setting
        for r in members:
            where = ([upload_display_name(str(r.dataset))] if datasets else []) + (
                [model_name(r.model)] if models and reads_model(r) else [])
            mine = where + (["balanced"] if found[r.id].get("class_weights") == "balanced" else [])
            mine += [setting_text(k, found[r.id][k]) for k in differ if found[r.id].get(k) not in (None, [])]
            # what the name stands for: the settings that name runs apart (not a derived one, not sentences that
            # differ only between datasets), their class weights and their data
            sig = _frozen([{k: found[r.id].get(k) for k in [*differ, "class_weights"]}, where])
            while tuple(mine) in said and said[tuple(mine)] != sig:  # two settings that read alike (cut sentences)
                mine[-1:] = [(mine[-1] if mine else "setting") + "′"]
            said.setdefault(tuple(mine), sig)
            out[r.id] = mine
    return out


def labels(runs, data: bool = True) -> dict[str, str]:
    """Each run's name as pages, tables and legends give it: its strategy (``head_only (balanced)`` where it
    trained with balanced class weights), followed, where runs of that strategy at one training size trained with
    different settings, by the settings that differ (:func:`parts`): ``full_ft (lr 2e-05)`` against
    ``full_ft (lr 5e-05)``; where the runs are on several datasets (or models), by each one's, unless ``data`` is
    false (a list that names the dataset beside). Seeds of one thing share a name; a sweep's points at different
    sizes (more epochs at a small size) keep the strategy's name, as a learning curve joins them."""
    runs = list(runs)
    said = parts(runs, data)
    return {r.id: r.strategy + (f" ({', '.join(said[r.id])})" if said[r.id] else "") for r in runs}
