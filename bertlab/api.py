"""Python API: what ``python -m bertlab run`` and ``predict`` do, from a notebook or a script.

:func:`compare` trains strategies on a dataset (a built-in name, a file, a hub name or a pandas DataFrame) in the
calling thread, one run after another, and returns a :class:`Comparison`: its results as a DataFrame (the columns of
``run --json``), the answer ("Which one to use?") in words, the loss curves as a DataFrame or a plotly figure, and
predictions on new texts. :func:`load_comparison` and :func:`load_run` read stored runs back (after a kernel
restart, or runs the app or the CLI trained). Everything goes through the library the app and the CLI use (the
same checks before anything is stored, the same runner, store, answer and figures): runs made here show in the app
and in ``python -m bertlab runs``, in the same data directory (``$BERTLAB_HOME``, read when a function is called).

A keyboard interrupt (Jupyter's *Interrupt*) stops the run in progress: it is marked interrupted and the launch's
runs still to come cancelled, as ``run`` does on Ctrl-C, and the interrupt goes on up. Without this the run stayed
"running" for as long as the kernel lived, in the app too (its process was alive, so no one marked it).
"""

from __future__ import annotations

import html
import io
import numbers
import os
import sys
import time
import uuid
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bertlab.config import (
    DEFAULT_MODEL,
    DEFAULT_STRATEGIES,
    DESCRIPTIONS_UNREAD,
    SPLIT_PRESETS,
    DataConfig,
    RunConfig,
    model_refusal,
)
from bertlab.errors import BertlabError, ColumnChoiceError, ConfigError, DataError, RareClassError
from bertlab.estimate import format_duration

SIZES = {"quick": "Quick demo", "classroom": "Classroom", "standard": "Standard", "all": "All data"}
INTERRUPTED_REASON = "stopped by a keyboard interrupt (Python) while this run was training"


def _store():
    from bertlab.store import RunStore

    return RunStore()


def _plain(value: Any) -> Any:
    """``value`` with numpy's scalars and arrays as Python's (in dicts, lists and tuples too): a notebook's
    ``np.int64(2)`` from ``np.arange`` or a DataFrame cell was refused as "epochs must be a whole number ..., got
    np.int64(2)", and a config holding one could not be stored as JSON."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


# --- data -----------------------------------------------------------------------------------------------------
def _caps(sizes: str | Sequence[int | None]) -> dict[str, int | None]:
    """``sizes`` (a preset's name or (train, validation, test) caps, None for all) as DataConfig's caps."""
    if isinstance(sizes, str):
        if sizes.lower() not in SIZES:
            raise ConfigError(f"sizes {sizes!r} is not a preset; use one of {', '.join(map(repr, SIZES))} (the app's "
                              "Quick demo, Classroom, Standard and All data), or (train, validation, test) caps such "
                              "as (500, 200, 500), None for all of a split.")
        caps = SPLIT_PRESETS[SIZES[sizes.lower()]]
    else:
        try:
            caps = tuple(sizes)
        except TypeError:  # sizes=500 said "'int' object is not iterable"
            raise ConfigError(f"sizes {sizes!r}: give three caps, (train, validation, test), None for all of a split "
                              f"(({sizes!r}, None, None) caps the training split alone), or a preset's name.") from None
        if len(caps) != 3:
            raise ConfigError(f"sizes {sizes!r}: give three caps, (train, validation, test), None for all of a split.")
    return dict(zip(("train_size", "val_size", "test_size"), caps))


def _frame_file(df: pd.DataFrame, name: str) -> Path:
    """``df`` kept as a Parquet file among the uploads (:func:`bertlab.data.save_upload`, named by its content's
    hash): its runs reload it as an uploaded file's, after a restart too, and the same table is kept once."""
    import pyarrow as pa

    from bertlab.data import save_upload

    df = df.rename(columns=str)  # Parquet names columns by text
    names = list(df.columns)
    if twice := [n for n in dict.fromkeys(names) if names.count(n) > 1]:  # Parquet refuses them: was a KeyError
        n = twice[0]
        fixed = [f"{c}_{names[:i].count(c) + 1}" if c == n and names[:i].count(c) else c for i, c in enumerate(names)]
        raise DataError(f"the DataFrame has {names.count(n)} columns named {n!r} (its columns: {names}); give each "
                        f"column a name of its own, e.g. df.columns = {fixed}, or keep the one you mean.")
    # a sparse column (pd.arrays.SparseArray: labels kept sparse, texts from a sparse pipeline) holds the same values
    # as its dense form, which Parquet keeps; pyarrow refuses the sparse one ("Sparse pandas data ... not
    # supported"), which was said as a column that mixes kinds of values
    if sparse := [c for c in df.columns if isinstance(df[c].dtype, pd.SparseDtype)]:
        df = df.assign(**{c: df[c].sparse.to_dense() for c in sparse})
    buf = io.BytesIO()
    try:
        df.to_parquet(buf, index=False)
    except (pa.ArrowException, TypeError, ValueError) as e:
        mixed = []
        for c in df.columns:
            try:
                pa.Array.from_pandas(df[c])
            except (pa.ArrowException, TypeError, ValueError):
                mixed.append(c)
        col = (mixed or list(df.columns))[0]
        raise DataError(f"the DataFrame cannot be kept as a table file ({type(e).__name__}: {str(e)[:200]}); its "
                        f"column(s) {mixed or list(df.columns)} mix kinds of values: convert them first, e.g. "
                        f"df[{col!r}] = df[{col!r}].astype(str).") from None
    stem = Path(str(name)).stem or "dataframe"
    return save_upload(buf.getvalue(), f"{stem}.parquet")


def _column_name(arg: str, value: Any) -> str | None:
    """A column argument as a column's name: a whole number as its digits (a DataFrame's columns are kept by their
    names as text, so ``pd.DataFrame(rows)``'s column 0 is '0'); anything else but a string refused in words. A list
    (``text_column=['review']``) failed with "TypeError: unhashable type: 'list'" for a file, and column 0 of a
    DataFrame was said not to be among its columns ['0', '1']."""
    value = _plain(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is not None and not isinstance(value, str):
        example = {"text_column": "review", "label_column": "sentiment"}.get(arg, "sentence2")
        raise ConfigError(f"{arg} {value!r} is a {type(value).__name__}; give one column's name, such as "
                          f"{arg}={example!r}.")
    return value


def data_config(data: Any, text_column: str | None = None, label_column: str | None = None,
                sizes: str | Sequence[int | None] | None = None, split_seed: int | None = None,
                drop_rare_classes: bool | None = None, name: str = "dataframe", *,
                text_pair_column: str | None = None) -> DataConfig:
    """The :class:`~bertlab.config.DataConfig` for ``data``.

    Args:
        data: a built-in dataset's name (``"rotten_tomatoes"``; ``python -m bertlab datasets`` lists them),
            ``"hub:<name>"``, a file or dataset folder (CSV/TSV/JSONL/JSON/Parquet/Excel, as ``--dataset`` takes),
            a pandas DataFrame (kept among the uploads, as an uploaded file), or a DataConfig (used as it is, but
            for the arguments given).
        text_column / label_column: a file's or DataFrame's columns, where they cannot be told.
        text_pair_column: a pair task's second text column (``text_column`` its first; GLUE's MRPC, QNLI...): each
            example is the two texts, read as BERT reads a pair. Columns named as a pair task's (``sentence1`` /
            ``sentence2``, ``premise`` / ``hypothesis``, ``question`` / ``sentence``) are read as a pair without it.
        sizes: caps on the (train, validation, test) splits, None for all of one, or a preset: "quick"
            (500, 200, 500), "classroom", "standard" (the default: 2000, 500, 1000) or "all".
        split_seed: seeds the drawn split (default 0). A file or DataFrame with a split column (``split`` holding
            train / validation / test) is split by it, as on the command line.
        drop_rare_classes: leave out the classes with too few examples to split, instead of refusing the data.
        name: what a DataFrame is called in the app and the tables.

    Raises:
        BertlabError: data that is none of these, or settings DataConfig refuses (the message names them).
    """
    from bertlab.data import BUILTIN
    from bertlab.data.builtin import did_you_mean
    from bertlab.data.files import check_named_columns, split_column_of_file

    if not isinstance(name, str):  # name=['x'] was taken and cleaned to "__x__.parquet" without a word
        kind, shown = type(name).__name__, " ".join(repr(name).split())  # a Series' repr is several lines
        raise ConfigError(f"name must be a string, what a DataFrame is called in the app and the tables (such as "
                          f"'reviews'); got {'an' if kind[0] in 'aeiou' else 'a'} {kind}: {shown}.")
    if not name.strip():  # name="   " was kept quietly as "___.parquet" (and "" as "dataframe.parquet")
        raise ConfigError(f"name must be a string, what a DataFrame is called in the app and the tables (such as "
                          f"'reviews'); got a blank one: {name!r}.")
    sizes, split_seed, drop_rare_classes = _plain(sizes), _plain(split_seed), _plain(drop_rare_classes)
    text_column, label_column, text_pair_column = (
        _column_name(a, v) for a, v in (("text_column", text_column), ("label_column", label_column),
                                        ("text_pair_column", text_pair_column)))
    common: dict[str, Any] = {k: v for k, v in (("seed", split_seed), ("drop_rare", drop_rare_classes)) if v is not None}
    caps = _caps(sizes) if sizes is not None else {}
    columns = {k: v for k, v in (("text_column", text_column), ("label_column", label_column),
                                 ("text_pair_column", text_pair_column)) if v is not None}
    if isinstance(data, DataConfig):
        import dataclasses

        return dataclasses.replace(data, **caps, **common, **columns)
    caps = caps or _caps("standard")
    if isinstance(data, pd.DataFrame):
        if data.empty:  # was kept among the uploads first, then refused as "dataframe.parquet has ... no data rows"
            # (empty: no rows, or rows but no columns, as pd.DataFrame(index=range(5)), whose rows are said)
            has = (f"no rows (its columns: {', '.join(map(str, data.columns)) or 'none'})" if not len(data) else
                   f"{len(data):,} row{'s' * (len(data) != 1)} but no columns")
            raise DataError(f"the DataFrame has {has}; give one with a text column and a label column, a row a text.")
        # before its copy is kept: a column it lacks said "is not in the file" (that Parquet copy) as it was read
        check_named_columns([str(c) for c in data.columns], text_column, label_column, text_pair_column,
                            where="a column of the DataFrame")
        data = _frame_file(data, name)
    if isinstance(data, str) and data in BUILTIN:
        if columns:
            raise ConfigError(f"text_column / text_pair_column / label_column choose a file's or a DataFrame's "
                              f"columns; the built-in "
                              f"{data!r} has its own.")
        return DataConfig(source="builtin", name=data, **caps, **common)
    if isinstance(data, str) and data.startswith("hub:"):
        return DataConfig(source="hub", name=data[4:], **columns, **caps, **common)
    if isinstance(data, (str, os.PathLike)) and Path(data).expanduser().exists():
        path = str(Path(data).expanduser().resolve())
        split = split_column_of_file(path, {text_column, label_column, text_pair_column})  # as `run --split-column auto`
        return DataConfig(source="file", name=path, split_column=split, **columns, **caps, **common)
    if isinstance(data, pd.Series):  # its repr, rows and all, was put in the message as the name of a dataset
        raise DataError(f"data is a pandas Series ({len(data):,} values, {data.name!r}); pass a DataFrame with a text "
                        "column and a label column, e.g. pd.DataFrame({'text': texts, 'label': labels}).")
    if isinstance(data, dict):  # its repr, every text, was the message (66,000 characters for 600 tweets)
        raise DataError(f"data is a dict (keys {', '.join(map(repr, list(data)[:5]))}{', ...' * (len(data) > 5)}); "
                        "pass it as a DataFrame, pd.DataFrame(data), with a text column and a label column.")
    if not isinstance(data, (str, os.PathLike)) and hasattr(data, "__len__"):  # a list of texts, (texts, labels)...
        kind = "numpy array" if type(data).__module__ == "numpy" else type(data).__name__
        raise DataError(f"data is a {kind} of {len(data):,} values; pass a DataFrame with a text "
                        "column and a label column, e.g. pd.DataFrame({'text': texts, 'label': labels}).")
    raise DataError(f"data {data!r} is not a built-in dataset ({', '.join(BUILTIN)}), an existing file or folder, "
                    "'hub:<name>', a pandas DataFrame or a DataConfig."
                    + (did_you_mean(data) if isinstance(data, str) else ""))


def _judge(judge_by: str | None) -> str | None:
    """``judge_by`` checked: None (the default) or one of :data:`bertlab.answer.JUDGES`, as ``--judge-by`` takes."""
    from bertlab.answer import JUDGES

    # (not a string: a list, ['accuracy'], failed with "TypeError: unhashable type: 'list'")
    if judge_by is not None and (not isinstance(judge_by, str) or judge_by not in JUDGES):
        raise ConfigError(f"judge_by {judge_by!r} is not a measure the answer judges by; use one of "
                          f"{', '.join(map(repr, JUDGES))}, or None for the default (as `run --judge-by`).")
    return judge_by


def _with_hint(e: BertlabError) -> BertlabError:
    """``e`` with how to do here what it asks: the argument to pass (the CLI names its flags, the app its pickers)."""
    if isinstance(e, ColumnChoiceError):
        pick = (e.starts_at[e.column == "label"] if e.starts_at else e.choices[0] if e.choices else None)
        out = ColumnChoiceError(f"{e} Pass {e.column}_column={pick or 'NAME'!r}.", e.column, e.choices)
        out.starts_at = e.starts_at
        return out
    if isinstance(e, RareClassError) and e.can_leave_out:
        return RareClassError(f"{e} Or pass drop_rare_classes=True to leave them out.", e.classes, e.can_leave_out)
    return e


def _descriptions(given: Any, dc: DataConfig) -> list[str] | None:
    """``label_descriptions`` as RunConfig takes them: a list, one sentence per class in the data's order. A dict
    ``{class: sentence}`` is put in that order (it was read as its keys, the class names, with nothing said); a
    single string is refused (it was read as its letters: "has 4 sentences" for "good")."""
    if isinstance(given, pd.Series):  # a Series or an array said "The truth value of ... is ambiguous"
        given = given.tolist()
    given = _plain(given)
    if isinstance(given, tuple):
        given = list(given)
    either = "give one sentence per class: a list in the data's order of classes, or a dict {class: sentence}."
    if isinstance(given, str):
        raise ConfigError(f"label_descriptions is one string ({given!r}); {either}")
    if given is not None and not isinstance(given, (list, dict)):
        # False, 3 or a set: RunConfig's "give a list of sentences" (a field's words) left out the dict compare takes
        kind = type(given).__name__
        raise ConfigError(f"label_descriptions is {'an' if kind[0] in 'aeiou' else 'a'} {kind} ({given!r}); {either}")
    if not isinstance(given, dict):
        return given
    from bertlab.data.shared import shared_splits

    try:
        names = [str(n) for n in shared_splits(dc).label_names]
    except BertlabError as e:
        raise _with_hint(e) from None
    by_name = {str(k): v for k, v in given.items()}
    if missing := [n for n in names if n not in by_name]:
        extra = [k for k in by_name if k not in names]
        raise ConfigError(f"label_descriptions has no sentence for the class(es) {', '.join(map(repr, missing))}"
                          + (f" and names {', '.join(map(repr, extra))}, not a class" if extra else "")
                          + f"; the data's classes are {', '.join(map(repr, names))}.")
    if extra := [k for k in by_name if k not in names]:
        raise ConfigError(f"label_descriptions names {', '.join(map(repr, extra))}, not a class of the data; its "
                          f"classes are {', '.join(map(repr, names))}.")
    return [by_name[n] for n in names]


# --- configs --------------------------------------------------------------------------------------------------
def _configs(strategies: Sequence[str], data: DataConfig, model: str, common: dict[str, Any],
             settings: dict[str, dict[str, Any]], repeats: int) -> list[RunConfig]:
    """Each run's validated config, refused as the CLI and the Train page refuse them before anything is stored:
    an unknown or repeated strategy, a setting RunConfig does not have, a model a strategy cannot use, a max length
    beyond the model's, too many runs for one launch. ``settings[name]["learning_rate"]`` may list several rates:
    one run each (``--lr head_only=1e-3,3e-2``)."""
    import dataclasses

    from bertlab import models
    from bertlab.launch import launch_configs, launch_size_problem
    from bertlab.strategies import get_strategy, make_config
    from bertlab.strategies.base import option_refusal

    if isinstance(strategies, str):
        strategies = [strategies]
    if not strategies:
        raise ConfigError("strategies is empty; name at least one (python -m bertlab strategies lists them).")
    for s in strategies:
        get_strategy(s)  # unknown: the message lists the registered ones
    if twice := [s for s in dict.fromkeys(strategies) if list(strategies).count(s) > 1]:
        raise ConfigError(f"strategies names {', '.join(twice)} more than once: it would train the same run twice. "
                          f"For several seeds use repeats=N; for several learning rates settings={{{twice[0]!r}: "
                          "{'learning_rate': [1e-3, 3e-2]}}.")
    if unknown := [s for s in settings if s not in strategies]:
        raise ConfigError(f"settings has {', '.join(map(repr, unknown))}, not among strategies {list(strategies)}.")
    fields = {f.name for f in dataclasses.fields(RunConfig)} - {"strategy", "data", "model"}
    for s, given in settings.items():
        if not isinstance(given, dict):  # {"full_ft": 3} said "'int' object is not iterable"
            raise ConfigError(f"settings[{s!r}] is {given!r}; give a dict of run settings, such as "
                              f"settings={{{s!r}: {{'epochs': 3}}}}.")
        rates = given.get("learning_rate")
        if isinstance(rates, (list, tuple)) and not rates:  # [] said "list index out of range"
            raise ConfigError(f"settings[{s!r}]['learning_rate'] is empty; give a rate, or a list of them (one run "
                              "each).")
        if bad := [k for k in given if k not in fields]:
            raise ConfigError(f"settings[{s!r}] has {', '.join(map(repr, bad))}, not a run setting; the settings are "
                              f"{', '.join(sorted(fields))} (a strategy's own options go in 'options').")
        # a misspelt option ({'lora': {'options': {'rank': 16}}}) was stored and ignored: lora trained at r=8, without
        # a word (`run --option lora.rank=16` is refused)
        specs = getattr(get_strategy(s), "option_specs", None) or {}
        if isinstance(opts := given.get("options"), dict) and (bad := [k for k in opts if k not in specs]):
            raise ConfigError(f"settings[{s!r}]['options'] has {', '.join(map(repr, bad))}, not an option of {s}; "
                              + (f"its options are {', '.join(specs)}." if specs else "it has no options."))
        # a value the option does not take ({'ngram_max': 'abc'}) was stored and failed as a run: refused as the
        # Train page's fields and `run --option` refuse it, by the option's spec
        for k, v in (opts if isinstance(opts, dict) else {}).items():
            if why := option_refusal(get_strategy(s), k, v, model):
                raise ConfigError(f"settings[{s!r}]['options']: {why}.")
        if isinstance(opts, dict) and any(isinstance(v, os.PathLike) for v in opts.values()):
            settings[s] = {**given, "options": {k: os.fspath(v) if isinstance(v, os.PathLike) else v
                                                for k, v in opts.items()}}  # a file as a Path: stored as its path
    if any(get_strategy(s).uses_tokens for s in strategies):
        models.resolve(model, tokenizer=any(get_strategy(s).reads_model_tokenizer(bool(common.get("new_vocab")))
                                            for s in strategies))
    configs: list[RunConfig] = []
    for s in strategies:
        if why := get_strategy(s).refusal(model):
            raise ConfigError(f"{s}: {why}")
        own = dict(settings.get(s, {}))
        rates = own.pop("learning_rate", None)
        rates = list(rates) if isinstance(rates, (list, tuple)) else [rates]
        # every rate, in one message wherever it stands (a later one not a number said "could not convert string to
        # float"; the first, 'x', RunConfig's words); the first may be None, the strategy's own. Out of range: RunConfig's
        if bad := [r for i, r in enumerate(rates) if (i or r is not None)
                   and (not isinstance(r, (int, float)) or isinstance(r, bool))]:
            raise ConfigError(f"settings[{s!r}]['learning_rate'] has {bad[0]!r}, not a number; give rates such as "
                              "[1e-3, 3e-2], one run each.")
        base = make_config(s, data=data, model=model, **{**common, **own}, learning_rate=rates[0])
        if get_strategy(s).uses_field("max_length"):
            models.check_max_length(model, base.max_length)
        configs += launch_configs(base, repeats, [float(r) for r in rates[1:]])
    if too_many := launch_size_problem(len(configs)):
        raise ConfigError(too_many.replace("learning rates x seeds", "learning rates x repeats"))
    return configs


def _checked_splits(configs: list[RunConfig], strategies: Sequence[str]):
    """The data's splits, loaded once before any run is stored (a bad file fails here, not as failed runs), and the
    checks that need them: a tokenizer that reads none of the texts, label descriptions that are not one a class."""
    from bertlab import models
    from bertlab.data.shared import shared_splits
    from bertlab.strategies import get_strategy

    first = configs[0]
    try:
        sp = shared_splits(first.data)  # read once: the runs share it
    except BertlabError as e:
        raise _with_hint(e) from None
    if any(get_strategy(s).reads_model_tokenizer(first.new_vocab) for s in strategies):
        models.check_tokenizer_reads(first.model, sp.train.texts)
    descriptions = next((c.label_descriptions for c in configs if c.strategy == "zero_shot"), None)
    if descriptions and len(descriptions) != len(sp.label_names):
        raise ConfigError(f"label_descriptions has {len(descriptions)} sentences but the data has "
                          f"{len(sp.label_names)} classes ({', '.join(map(str, sp.label_names))}); give one per "
                          "class, in that order.")
    return sp


# --- running --------------------------------------------------------------------------------------------------
def _live_line() -> bool:
    """Whether standard output redraws a line on ``\\r``: a terminal, or a Jupyter kernel's output (not a file)."""
    try:
        return sys.stdout.isatty() or "ipykernel" in sys.modules
    except (AttributeError, ValueError):  # stdout replaced or closed
        return False


class _Progress:
    """One line per run, rewritten in place (``\\r``) as it goes where the output redraws it, then its result: in
    a notebook one line a run, not a progress bar's hundred; in a log file only the result."""

    def __init__(self, on: bool, k: int, n: int, desc: str) -> None:
        self.on, self.head, self.shown, self.width = on, f"[{k}/{n}] {desc}", None, 0
        self.live = on and _live_line()
        self.t0 = time.perf_counter()

    def _write(self, text: str, end: str = "") -> None:
        sys.stdout.write(("\r" if self.live else "") + text.ljust(self.width) + end)
        sys.stdout.flush()
        self.width = len(text)

    def __call__(self, p: float, phase: str) -> None:
        now = (phase, round(100 * p))
        if self.live and now != self.shown:
            self.shown = now
            self._write(f"{self.head}: {phase or 'starting'} {now[1]}%")

    def done(self, run) -> None:
        if not self.on:
            return
        said = f"{self.head}: {run.status} after {format_duration(time.perf_counter() - self.t0)}"
        if run.status == "succeeded":
            said += f", test accuracy {run.metrics['test_accuracy']:.1%}"
        elif run.error:
            said += f": {run.error}"
        self._write(said, "\n")


def _stop(store, ids: list[str], current: str | None) -> None:
    """After a keyboard interrupt: the run in progress marked interrupted (its process lives on, in a notebook, so
    nothing else would), the rest of the launch cancelled, as `run` does on Ctrl-C."""
    from bertlab.store import INTERRUPTED, RUNNING

    if current is not None and (run := store.get(current)) is not None and run.status == RUNNING:
        store.finish(current, INTERRUPTED, error=INTERRUPTED_REASON)
    for rid in ids:
        store.request_cancel(rid)


def compare(data: Any, strategies: Sequence[str] = DEFAULT_STRATEGIES, *, text_column: str | None = None,
            label_column: str | None = None, sizes: str | Sequence[int | None] | None = None,
            split_seed: int | None = None, drop_rare_classes: bool | None = None, model: str | os.PathLike = DEFAULT_MODEL,
            seed: int | None = None, repeats: int = 1, settings: dict[str, dict[str, Any]] | None = None,
            precision: str | None = None, class_weights: str | None = None, keep_best: bool | None = None,
            patience: int | None = None, label_descriptions: list[str] | dict | None = None, judge_by: str | None = None,
            progress: bool = True, name: str = "dataframe", text_pair_column: str | None = None,
            truncation: str | None = None) -> Comparison:
    """Train ``strategies`` on ``data``, one run after another in this thread, and return their comparison.

    The same launch as ``python -m bertlab run`` (its checks, runs, answer; runs land in the app's data directory,
    one batch), without a command line: every argument is a Python value.

    Args:
        data, text_column, text_pair_column, label_column, sizes, split_seed, drop_rare_classes, name: the data
            (:func:`data_config`; ``text_pair_column``: a pair task's second text); ``sizes`` defaults to "standard", a DataConfig's own caps for a DataConfig.
        strategies: registered strategy names (``python -m bertlab strategies``), each once.
        model: "minilm" (the packaged default), a hub id or a local ``save_pretrained`` folder (a string or a Path).
        seed: the training seed (default 0); ``repeats``: runs at seeds seed, seed + 1, ... of each strategy a seed
            changes.
        settings: each strategy's own RunConfig settings, e.g. ``{"full_ft": {"epochs": 3, "learning_rate":
            3e-5}, "lora": {"options": {"r": 16}}}``; a list of learning rates runs one each.
        precision, class_weights, keep_best, patience, label_descriptions: as ``run``'s flags, for every strategy;
            ``label_descriptions`` (zero_shot's sentences) a list in the data's order of classes or a dict
            ``{class: sentence}``.
        truncation: how a text longer than max_length is cut, "head" (default: its first max_length tokens) or
            "head_tail" (its first quarter and last three quarters of max_length tokens, [CLS] and [SEP] kept), for
            every strategy that tokenizes (not tfidf_logreg, which reads whole texts); as ``run --truncation``.
        judge_by: what the answer judges by, "accuracy" or "macro_f1" (default: as ``run``).
        progress: a line per run on standard output as it trains, then its result; False: nothing.

    Raises:
        BertlabError: a mistake in the data or settings, before any run is stored; the message names the argument.
        KeyboardInterrupt: passed on after marking the run in progress interrupted and cancelling the rest.
    """
    from bertlab.data.shared import forget

    _judge(judge_by)  # before anything trains: a misspelt measure failed only when the answer was read
    seed, repeats, settings, keep_best, patience = map(_plain, (seed, repeats, settings, keep_best, patience))
    dc = data_config(data, text_column, label_column, sizes, split_seed, drop_rare_classes, name,
                     text_pair_column=text_pair_column)
    if not isinstance(repeats, int) or isinstance(repeats, bool) or repeats < 1:
        raise ConfigError(f"repeats must be a whole number from 1, got {repeats!r}.")
    model = os.fspath(model) if isinstance(model, os.PathLike) else model  # a local folder as a Path: its path
    if why := model_refusal(model):  # before any strategy reads it (head_only's said "'int' object has no ...")
        raise ConfigError(why)
    if isinstance(strategies, (set, frozenset, dict)) or not isinstance(strategies, (str, Iterable)):
        # strategies=3 said "'int' object is not iterable"; a set trained in an order that changed with the kernel
        raise ConfigError(f"strategies {strategies!r}: give a list of strategy names, such as ['head_only', "
                          "'tfidf_logreg'] (python -m bertlab strategies lists them).")
    # an array's or a Series' names too (numpy's str_ as plain str), a generator read once
    strategies = [strategies] if isinstance(strategies, str) else [str(s) if isinstance(s, str) else s
                                                                    for s in strategies]
    try:  # settings=3 said "'int' object is not iterable", settings='epochs=3' "dictionary update sequence ..."
        settings = dict(settings or {})
    except (TypeError, ValueError):
        raise ConfigError(f"settings {settings!r}: give a dict of each strategy's run settings, such as "
                          "settings={'full_ft': {'epochs': 3}}.") from None
    try:
        common = {"seed": seed, "precision": precision, "class_weights": class_weights, "keep_best": keep_best,
                  "patience": patience, "truncation": truncation, "label_descriptions": _descriptions(label_descriptions, dc)}
        configs = _configs(strategies, dc, model, common, settings, repeats)
        if label_descriptions is not None and "zero_shot" not in strategies:  # stored with the runs, read by none
            warnings.warn(DESCRIPTIONS_UNREAD.format(what="label_descriptions", why="strategies does not name it"),
                          UserWarning, stacklevel=2)
        return _launch(configs, strategies, dc, data, sizes, judge_by, progress)
    finally:  # the data its runs shared, read once: a notebook's kernel lives on, and need not keep it
        forget()


def _launch(configs: list[RunConfig], strategies: Sequence[str], dc: DataConfig, data: Any,
            sizes: str | Sequence[int | None] | None, judge_by: str | None, progress: bool) -> Comparison:
    """:func:`compare`'s checks of the data, its runs one after another, and their comparison (warnings name the
    line that called compare)."""
    from bertlab.runner import execute_run
    from bertlab.store import DELETED_AS_IT_ENDED, DELETED_WHILE_QUEUED
    from bertlab.strategies.classifier import few_steps_planned

    sp = _checked_splits(configs, strategies)
    if progress and dc.source != "builtin" and sp.train.description:  # the columns read and the sizes, as `run`
        capped = sizes is None and not isinstance(data, DataConfig) and bool(sp.capped)
        # a pair task's columns are two texts and a label: named so (it read "text_column / label_column" of them)
        others = "text_column / text_pair_column / label_column" if sp.pairs else "text_column / label_column"
        print(f"data: {sp.train.description} ({others} choose others); {len(sp.label_names)} "
              f"classes; train {len(sp.train):,}, validation {len(sp.val):,}, test {len(sp.test):,}"
              + (" (the default sizes='standard' caps; sizes='all' takes every row)" if capped else ""))
    elif progress and dc.source == "builtin" and sizes is None and not isinstance(data, DataConfig):
        # as `run` says it: the app's defaults are the Quick demo, another split and other scores
        quick = " / ".join(f"{n:,}" for n in SPLIT_PRESETS["Quick demo"])
        print(f"data: {dc.name}; {len(sp.label_names)} classes; train {len(sp.train):,}, validation {len(sp.val):,}, "
              f"test {len(sp.test):,}: the default sizes='standard'. The app's Data page starts at the Quick demo "
              f"({quick}): sizes='quick' for those runs.")
    from bertlab.data.dataset import warned

    # rows a file's own split leaves unmarked, as `run` and `sweep` say them before training: a file with a split for
    # 150 of its 300 rows trained on those, the note only in each run's notes (its printed comparison said nothing);
    # and a large share of rows dropped for a text seen with different labels
    for note in (n for n in sp.notes if warned(n)):
        warnings.warn(note, stacklevel=3)
    for s, note in few_steps_planned(configs, len(sp.train)).items():
        warnings.warn(f"{s}: {note}", stacklevel=3)
    from bertlab import memory
    from bertlab.models import pick_device

    # a run that would not fit in the memory free now, as `run` warns before it loads a model (bertlab.memory)
    dev = pick_device()
    if too_big := memory.too_big_note(memory.per_strategy(configs, dev, lambda c: len(sp.train)),
                                      memory.available_bytes(dev.type), dev.type):
        warnings.warn(too_big, stacklevel=3)
    store = _store()
    batch = f"py-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    ids: list[str] = []
    current = None
    try:
        for c in configs:  # inside: an interrupt between two leaves none queued (a server would adopt and train it)
            ids.append(store.create_run(c, batch))
        for k, (rid, cfg) in enumerate(zip(ids, configs), 1):
            if store.get(rid) is None:  # execute_run raised KeyError on it, and the runs after it never trained
                warnings.warn(f"{cfg.strategy} · {rid[-4:]}: {DELETED_WHILE_QUEUED}", stacklevel=3)
                continue
            current = rid
            shown = _Progress(progress, k, len(ids), f"{cfg.strategy} · {rid[-4:]}")
            status = execute_run(store, rid, on_progress=shown)
            current = None
            if (run := store.get(rid)) is None:  # deleted as soon as it ended: left out quietly before, as none ran
                warnings.warn(f"{cfg.strategy} · {rid[-4:]} {status}, then was {DELETED_AS_IT_ENDED}", stacklevel=3)
                continue
            shown.done(run)
            if not progress and run.status == "failed":
                warnings.warn(f"{cfg.strategy} · {rid[-4:]} failed: {run.error}", stacklevel=3)
    except KeyboardInterrupt:
        _stop(store, ids, current)
        if progress:
            print(f"\ninterrupted: the run in progress is marked interrupted, the rest cancelled; the finished "
                  f"runs: bertlab.load_comparison({batch!r})")
        raise
    return Comparison([r for i in ids if (r := store.get(i)) is not None], judge_by=judge_by, store=store)


# --- results --------------------------------------------------------------------------------------------------
def _curves(store, runs: list, names: dict[str, str]) -> pd.DataFrame:
    points = store.points([r.id for r in runs])
    df = pd.DataFrame(points, columns=["run_id", "series", "step", "x", "value"]).rename(columns={"x": "epoch"})
    df.insert(1, "name", df["run_id"].map(names))
    return df


def _prediction_frame(texts: list[str], p) -> pd.DataFrame:
    probs = p.probs
    df = pd.DataFrame({"text": texts, "label": p.labels, "confidence": probs.max(1)})
    for j, c in enumerate(p.label_names):
        df[f"p({c})"] = probs[:, j]
    return df


def _texts(texts: str | Sequence[str | tuple[str, str]]) -> tuple[list[str], bool]:
    """The texts to predict, and whether any is a pair: a (first, second) tuple is joined as a pair task's texts
    are (:func:`bertlab.textpair.join_pair`, "first [SEP] second"); it was read as its repr, one text
    "('great film', 'awful film')", parentheses, quotes and all."""
    from bertlab.textpair import join_pair

    if isinstance(texts, str):
        return [texts], False
    out, pairs = [], False
    for t in texts:
        if isinstance(t, (tuple, list)):
            if len(t) != 2:
                raise ConfigError(f"a text pair is two texts, (first, second); got {len(t)}: {str(t)[:80]}")
            out.append(join_pair(*t))
            pairs = True
        elif t is None or (isinstance(t, float) and t != t) or t is pd.NA:  # a Series' NaN was predicted as "nan"
            raise ConfigError(f"texts[{len(out)}] is {t!r}, not a text; leave the missing ones out first "
                              "(texts.dropna() for a Series).")
        else:
            out.append(str(t))
    if not out:
        raise ConfigError("texts is empty; give a text or a list of them.")
    return out, pairs


def _pairs_read(models, runs: list[RunResult], pairs: bool) -> None:
    """Refuse text pairs for a run trained on single texts (it would read "[SEP]" as a word of one text)."""
    if pairs and (single := [r for r in runs if r.id not in models.pair_runs([r.id for r in runs])]):
        raise ConfigError(f"{', '.join(r.name for r in single)} trained on single texts, not pairs: give "
                          "it one text each (a pair is for a run trained with text_pair_column).")


class RunResult:
    """One stored run: its status, numbers and curves, and predictions with its model (a finished run's).

    Attributes:
        run: the store's record (:class:`bertlab.store.Run`): ``metrics``, ``costs``, ``notes``, ``error``,
            ``traceback``, ``config``, ``data_summary``...
        name: the run as tables name it (``head_only`` or ``head_only (lr 0.001)``).
    """

    def __init__(self, run, name: str | None = None, store=None, shared: Comparison | None = None) -> None:
        self.run, self.name = run, name or run.strategy
        self._store = store or _store()
        self._shared = shared  # its comparison, whose loaded models it uses: each is loaded once
        self._predictor = None

    def _models(self):
        if self._shared is not None:
            return self._shared._models()
        if self._predictor is None:
            from bertlab.predict import Predictor

            self._predictor = Predictor(self._store)
        return self._predictor

    @property
    def id(self) -> str:
        return self.run.id

    @property
    def strategy(self) -> str:
        return self.run.strategy

    @property
    def status(self) -> str:
        """succeeded, failed, cancelled, interrupted (queued or running while another process trains it)."""
        return self.run.status

    @property
    def error(self) -> str | None:
        return self.run.error

    @property
    def notes(self) -> list[str]:
        """What cleaning and training changed (rows dropped, texts cut...), as Compare shows them."""
        return list(self.run.notes)

    @property
    def metrics(self) -> dict:
        """test_accuracy, test_macro_f1, per_class, confusion, label_names, val_*...: as stored."""
        return dict(self.run.metrics)

    @property
    def costs(self) -> dict:
        """train_seconds, total_seconds, train_examples_per_s, trainable_params, train_flops, peak_memory_bytes...: as
        stored, but train_examples_per_s None for a run that trained nothing (zero_shot), as in ``table``."""
        from bertlab.pareto import examples_per_s

        costs = dict(self.run.costs)
        if "train_examples_per_s" in costs:
            costs["train_examples_per_s"] = examples_per_s(costs)
        return costs

    @property
    def config(self) -> RunConfig:
        return self.run.run_config

    @property
    def row(self) -> dict:
        """Its fields as ``run --json`` gives them (test_accuracy, test_macro_f1, train_seconds, ...)."""
        from bertlab.cli import result_row

        return result_row(self.run) | {"name": self.name}

    def curves(self) -> pd.DataFrame:
        """Its recorded points: one row each (run_id, name, series, step, epoch, value); series are train_loss,
        val_loss, val_accuracy... as the app's charts draw them."""
        return _curves(self._store, [self.run], {self.id: self.name})

    def predict(self, texts: str | Sequence[str]) -> pd.DataFrame:
        """Its model's answer for each text: text, label, confidence, and ``p(<class>)`` for each class. The model
        stays loaded for the next call. A run trained on text pairs (``text_pair_column``) takes each as a
        ``(first, second)`` tuple (or "first [SEP] second", as the Playground).

        Raises:
            BertlabError: the run did not succeed, or its saved model is gone.
        """
        texts, pairs = _texts(texts)
        _pairs_read(self._models(), [self], pairs)
        return _prediction_frame(texts, self._models().predict([self.id], texts)[0])

    def export(self, dest: str | os.PathLike | None = None, onnx: bool = False) -> Path:
        """Its model as a zip, as ``python -m bertlab export``: a folder named by the run id holding a Hugging Face
        transformers model (config.json, model.safetensors, the tokenizer; ``from_pretrained`` loads it), or
        tfidf_logreg's vocabulary and weights, with a README.txt of code that runs it and bertlab_run.json (its
        config, environment and test metrics).

        Args:
            dest: a .zip path, or an existing folder to put ``<run id>.zip`` in (default: the data directory's exports/).
            onnx: also the model as ``model.onnx`` for ONNX Runtime (not tfidf_logreg), checked against PyTorch.

        Returns:
            the zip's path.

        Raises:
            BertlabError: the run did not succeed, its saved model is gone, or the zip cannot be written.
        """
        from bertlab.cli import write_error
        from bertlab.export import ZipWriteError, export_model_zip

        try:
            return export_model_zip(self._store, self.id, dest, onnx=onnx)
        except ZipWriteError as e:
            raise write_error(e.filename, "model zip", e) from None

    def __repr__(self) -> str:
        m = self.run.metrics or {}
        score = f", test accuracy {m['test_accuracy']:.1%}" if m.get("test_accuracy") is not None else ""
        return f"<RunResult {self.name} · {self.id}: {self.status}{score}>"


class Comparison:
    """The runs of one launch (or any stored runs) compared: what ``run`` prints, as Python objects.

    Attributes:
        runs: a :class:`RunResult` per run, in launch order.
        batch_id: the launch's batch (``python -m bertlab report --batch BATCH_ID`` reads it too).
    """

    def __init__(self, runs: list, judge_by: str | None = None, store=None) -> None:
        from bertlab import variants

        self._store = store or _store()
        self._runs = list(runs)
        self.judge_by = judge_by  # checked (the setter)
        self.names = variants.labels(self._runs)
        self.runs = [RunResult(r, self.names[r.id], self._store, self) for r in self._runs]
        self.batch_id = self._runs[0].batch_id if self._runs else None
        self._predictor = None

    @property
    def judge_by(self) -> str | None:
        """What the answer judges by: "accuracy", "macro_f1", or None for the default (as ``run --judge-by``)."""
        return self._judge_by

    @judge_by.setter
    def judge_by(self, value: str | None) -> None:  # c.judge_by = 'f1' later: refused there, not when printed
        self._judge_by = _judge(value)

    @property
    def table(self) -> pd.DataFrame:
        """One row a run with every field of ``run --json`` (name, status, test_accuracy, test_accuracy_ci95,
        test_macro_f1, majority_accuracy, train_seconds, train_examples_per_s, trainable_params, train_flops,
        peak_memory_bytes, per_class, notes, error, run_id...): accuracies as fractions."""
        from bertlab.cli import json_rows

        rows = json_rows(self._runs)
        df = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
        for col in df.columns:  # whole numbers beside a None (tfidf_logreg's seed, epochs): 0, 1, <NA>, not 0.0, 1.0, NaN
            got = [r[col] for r in rows if r[col] is not None]
            if got and len(got) < len(rows) and all(isinstance(v, int) and not isinstance(v, bool) for v in got):
                df[col] = pd.array([r[col] for r in rows], dtype="Int64")
        return df

    @property
    def answer(self) -> str | None:
        """"Which one to use?" in words, as the Compare page and ``run`` say it (None where there is nothing to say)."""
        from bertlab import answer

        a = answer.answer(self._runs, metric=self.judge_by)
        return a.text() if a is not None else answer.no_answer_reason(self._runs)

    def __getitem__(self, key: int | str) -> RunResult:
        """A run by position, name (``"head_only"``, where one run has it) or id (its last characters will do)."""
        if isinstance(key, numbers.Integral):  # numpy's integers too (an index from a table's argmax)
            if not -len(self.runs) <= int(key) < len(self.runs):  # was "list index out of range"
                raise IndexError(f"run {int(key)}: this comparison has {len(self.runs)} run"
                                 f"{'s' * (len(self.runs) != 1)}, 0 to {len(self.runs) - 1} (or -1 for the last); "
                                 f"{', '.join(r.name for r in self.runs)}.")
            return self.runs[int(key)]
        if not isinstance(key, str):
            raise TypeError(f"a run is named by its position, name or id, not by {type(key).__name__} {key!r}.")
        named = [r for r in self.runs if r.name == key]
        if len(named) == 1:
            return named[0]
        by_id = [r for r in self.runs if r.id == key or (len(key) >= 3 and r.id.endswith(key))]
        if len(by_id) == 1:
            return by_id[0]
        which = named or by_id
        if not which and (of := [r for r in self.runs if r.strategy == key]):  # 'head_only' of two learning rates
            which = of                                                          # was "names 0 runs"
            if len({r.name for r in of}) == len(of):
                raise KeyError(f"{key!r} is the strategy of {len(of)} runs of this comparison; name one by its name: "
                               f"{', '.join(map(repr, (r.name for r in of)))}.")
        listed = ", ".join(f"{r.name} · {r.id}" for r in (which or self.runs))
        if not which:
            raise KeyError(f"{key!r} names no run of this comparison; name one by its position, name or id: {listed}.")
        raise KeyError(f"{key!r} names {len(which)} runs of this comparison; name one by its id: {listed}.")

    def __len__(self) -> int:
        return len(self.runs)

    def curves(self) -> pd.DataFrame:
        """Every run's recorded points: one row each (run_id, name, series, step, epoch, value)."""
        return _curves(self._store, self._runs, self.names)

    def precision_recall(self, label: str | None = None) -> pd.DataFrame:
        """How each finished run ranks the texts of one class (``label``; by default the rarest, as Compare's and the
        report's precision-recall curves and ``run``'s output read it): one row a run (name, label,
        average_precision: the area under its precision-recall curve on the test set; precision_at_90_recall: its
        best precision where it finds 90% of the class's texts, and threshold_at_90_recall: the least probability
        of the class that answers it there, both read on the test texts themselves (optimistic: the threshold is
        fitted to the texts it is scored on); threshold_from_validation: the largest probability at which the run
        finds 90% of its validation texts of the class, none of which is a test text, and test_precision_at_it,
        test_recall_at_it: what that threshold gets on the test texts, the operating point to quote;
        validation_texts_of_class: how many chose it (unreliable below :data:`bertlab.prcurve.MIN_VAL_POSITIVES`),
        these four NaN where no_validation_threshold says why (as the report's cell: a run stored before
        2026-12-07 kept no validation probabilities, its validation file is out of step, or its validation texts
        hold none of the class), missing where they are given; recall_at_90_precision and
        threshold_at_90_precision: the reverse reading off the test curve (optimistic), and
        threshold_from_validation_for_90_precision: the smallest probability (of a validation text of the class) at
        which 90% of the run's validation answers are right, with test_precision_at_it_for_90_precision,
        test_recall_at_it_for_90_precision and validation_texts_answered_for_90_precision (unreliable below
        :data:`bertlab.prcurve.MIN_VAL_POSITIVES`), NaN where none is that precise; no_curve: why a run has none,
        its numbers then NaN; run_id), fractions, as the report's table reads them (:mod:`bertlab.prcurve`).

        Raises:
            ConfigError: no finished run kept its class probabilities, or ``label`` is not a class one has test texts of.
        """
        from bertlab import prcurve

        done = [r for r in self._runs if r.status == "succeeded"]
        choices = prcurve.class_choices(done)
        if not choices:
            why = prcurve.NO_PROBABILITIES.partition(" (")[2]  # "runs of more than 5 classes keep only ...)"
            raise ConfigError(f"no finished run of this comparison kept its class probabilities ({why}, so none has "
                              "a precision-recall curve.")
        if label is None:
            label = choices[0]
        elif label not in choices:
            raise ConfigError(f"label {label!r}: the curves are drawn for {', '.join(map(repr, choices))} (the rarest "
                              "first), the classes with test texts in the runs that kept their probabilities.")
        cs = prcurve.curves(done, label)
        got = {c.run_id: c for c in cs.curves}
        why = {r.id: w for r, w in cs.missing}
        rows = []
        for r in done:
            c = got.get(r.id)
            at = prcurve.precision_at_recall(c, prcurve.READ_AT) if c is not None else None
            op = prcurve.operating_point(c, prcurve.READ_AT) if c is not None else None
            back = prcurve.recall_at_precision(c, prcurve.READ_AT) if c is not None else None
            op_p = prcurve.operating_point(c, prcurve.READ_AT, "precision") if c is not None else None
            rows.append({"name": self.names[r.id], "label": label, "average_precision": c.ap if c else None,
                         "precision_at_90_recall": at[0] if at else None,
                         "threshold_at_90_recall": at[1] if at else None,
                         "threshold_from_validation": op.threshold if op else None,
                         "test_precision_at_it": op.test_precision if op else None,
                         "test_recall_at_it": op.test_recall if op else None,
                         "validation_texts_of_class": op.val_positives if op else None,
                         "no_validation_threshold": prcurve.no_threshold_why(c, prcurve.READ_AT) if c else None,
                         "recall_at_90_precision": back[0] if back else None,
                         "threshold_at_90_precision": back[1] if back else None,
                         "threshold_from_validation_for_90_precision": op_p.threshold if op_p else None,
                         "test_precision_at_it_for_90_precision": op_p.test_precision if op_p else None,
                         "test_recall_at_it_for_90_precision": op_p.test_recall if op_p else None,
                         "validation_texts_answered_for_90_precision": op_p.val_answered if op_p else None,
                         "no_curve": why.get(r.id), "run_id": r.id})
        df = pd.DataFrame(rows)
        for col in ("average_precision", "precision_at_90_recall", "threshold_at_90_recall", "threshold_from_validation",
                    "test_precision_at_it", "test_recall_at_it", "validation_texts_of_class", "recall_at_90_precision",
                    "threshold_at_90_precision", "threshold_from_validation_for_90_precision",
                    "test_precision_at_it_for_90_precision", "test_recall_at_it_for_90_precision",
                    "validation_texts_answered_for_90_precision"):
            df[col] = df[col].astype(float)
        return df

    def plot_loss(self, x: str = "step"):
        """The training loss chart of the Compare page (a plotly figure): ``x`` "step", "epoch" or "progress"."""
        from bertlab import plots

        if x not in plots.LOSS_X:  # 'time' said KeyError 'time' from inside the figure
            raise ConfigError(f"x {x!r}: plot_loss draws the loss by {', '.join(map(repr, plots.LOSS_X))}.")
        return plots.train_loss_figure(self._runs, self._store.points([r.id for r in self._runs]), x=x)

    def plot_validation(self):
        """Validation loss and accuracy by epoch (a plotly figure), as the Compare page draws them."""
        from bertlab import plots

        return plots.validation_figure(self._runs, self._store.points([r.id for r in self._runs]))

    def predict(self, texts: str | Sequence[str]) -> pd.DataFrame:
        """Every finished run's label for each text: one row a text, one column a run (by name; a name two runs
        share gets the id's end), as the Playground answers. Frozen-encoder runs share one encoder pass. Runs
        trained on text pairs take each as a ``(first, second)`` tuple."""
        texts, pairs = _texts(texts)
        done = [r for r in self.runs if r.status == "succeeded"]
        if not done:
            raise BertlabError("no run of this comparison succeeded, so none can predict.")
        _pairs_read(self._models(), done, pairs)
        preds = self._models().predict([r.id for r in done], texts)
        names = [r.name for r in done]
        cols = [n if names.count(n) == 1 else f"{n} · {r.id[-4:]}" for n, r in zip(names, done)]
        return pd.DataFrame({c: p.labels for c, p in zip(cols, preds)}, index=pd.Index(texts, name="text"))

    def report(self, path: str | os.PathLike = "report.html", csv: str | os.PathLike | None = None,
               title: str = "bertlab comparison") -> Path:
        """Write this comparison's self-contained HTML report (the answer, the results and their 95% intervals, the
        paired tests, each run's config, seeds, data SHA-256 and library versions), as ``python -m bertlab report``
        writes it, judged by this comparison's ``judge_by`` (the command line's default is the data's own); ``csv``:
        also the results CSV, one row a run. Returns the report's path. From Python there was no way to it but the
        command line and the batch id, whose report then judged a ``compare(..., judge_by="macro_f1")`` by accuracy.

        Raises:
            BertlabError: a path whose folder does not exist, or that is a folder.
        """
        from bertlab import report
        from bertlab.cli import _put, output_file
        from bertlab.pareto import load_prices

        out = output_file(path, "report")
        table = output_file(csv, "CSV") if csv is not None else None
        ids = [r.id for r in self._runs]
        prices = load_prices()  # as set on the app's Accuracy vs cost page, as the command line reads them
        # written as `report` writes its -o and --csv (the CSV with its byte-order mark for a spreadsheet)
        _put(out, str(path), "report", report.build_html(self._store, ids, title=title, prices=prices,
                                                         judge_by=self.judge_by))
        if table is not None:
            _put(table, str(csv), "CSV", report.results_csv(self._store, ids, prices))
        return out

    def _models(self):
        """One predictor for the comparison and its runs: a model loaded for one call stays for the next."""
        if self._predictor is None:
            from bertlab.predict import Predictor

            self._predictor = Predictor(self._store)
        return self._predictor

    def __repr__(self) -> str:
        from bertlab import answer, cli

        lines = [cli.format_table(cli.json_rows(self._runs), names=self.names)]
        if per_class := cli.per_class_lines(self._runs):  # as `run` prints it: what accuracy averages away
            lines += ["", *per_class]
        lines += ["", *answer.text_lines(self._runs, metric=self.judge_by)]
        return "\n".join(lines).rstrip()

    def _repr_html_(self) -> str:
        """The table ``repr`` prints (accuracies in percent with their interval, FLOPs and seconds rounded, '-' for
        none), its errors and the answer, as HTML: a notebook showed ``table``'s raw fractions instead (0.398305,
        peak_memory_bytes 310521856, NaN for a cancelled run)."""
        from bertlab import cli

        rows = cli.json_rows(self._runs)
        cells = pd.DataFrame([cli._cells(r, self.names) for r in rows], columns=list(cli.RUN_COLUMNS))
        out = [cells.to_html(index=False)]
        if errors := [f"<li>{html.escape(name)}: {html.escape(error)}</li>" for name, error in cli.run_errors(rows, self.names)]:
            out.append(f"<p><b>Errors</b></p><ul>{''.join(errors)}</ul>")
        if per_class := cli.per_class_lines(self._runs):
            out.append(f"<pre>{html.escape(chr(10).join(per_class))}</pre>")
        if said := self.answer:
            out.append(f"<p><b>Which one to use?</b> {html.escape(said)}</p>")
        return "".join(out)


def load_run(run_id: str) -> RunResult:
    """A stored run by its id, or the id's last characters as the app shows them (``full_ft · d47a``: ``"d47a"``).

    Raises:
        BertlabError: no run, or several, match.
    """
    from bertlab import variants

    if not isinstance(run_id, str):  # load_run(['d47a']) said AttributeError: 'list' object has no attribute 'strip'
        raise ConfigError(f"load_run takes one run's id as a string, not {type(run_id).__name__} {str(run_id)[:80]}; "
                          "for several runs, bertlab.load_comparison(run_ids=[...]).")
    store = _store()
    run = store.get(store.resolve_id(run_id))
    return RunResult(run, variants.labels([run])[run.id], store)


def load_comparison(batch: str = "latest", run_ids: Sequence[str] | None = None,
                    judge_by: str | None = None) -> Comparison:
    """Stored runs as a :class:`Comparison`: a launch's (``batch``: its id, or "latest", the newest launch not all
    cancelled, as ``report --batch latest``), or the runs ``run_ids`` names (ids or their last characters; one
    run's as a string). ``judge_by``: what its answer judges by, "accuracy" or "macro_f1" (default: as ``run``), as
    :func:`compare`'s.

    Raises:
        BertlabError: no such batch or run, or no runs yet.
    """
    from bertlab import report

    store = _store()
    if isinstance(run_ids, str):  # run_ids='d47a' was read as its letters: "no run with id 'd'"
        run_ids = [run_ids]
    if not run_ids and not batch:  # report's words named the CLI's flag, --batch BATCH_ID, to a Python user
        raise ConfigError("name some runs: give run_ids=[...] (ids or their last characters) or batch='BATCH_ID' "
                          "('latest', the default: the newest launch; a sweep's id: the runs holding its points).")
    ids = report.resolve_runs(store, run_ids=list(run_ids) if run_ids else None, batch=None if run_ids else batch,
                              points=True)
    return Comparison([store.get(i) for i in ids], judge_by=judge_by, store=store)
