"""Command line: ``python -m bertlab {datasets,strategies,run,runs,show,paired,predict,sweep,report,delete,clean,cancel,
worker,export}``."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import sys
import time
import uuid
from pathlib import Path

from bertlab import memory, paths, variants
from bertlab.config import (
    BALANCED_SUFFIX,
    CLASS_WEIGHTS,
    DEFAULT_MODEL,
    DEFAULT_STRATEGIES,
    DESCRIPTIONS_UNREAD,
    MAX_LENGTH_COST,
    MAX_TEXT_CHARS,
    PRECISIONS,
    TFIDF_READS,
    TRUNCATION_HELP,
    TRUNCATIONS,
    DataConfig,
    RunConfig,
)
from bertlab.errors import BertlabError, ColumnChoiceError, ConfigError, RareClassError
from bertlab.estimate import format_duration
from bertlab.pareto import PROJECT_TO, examples_per_s

PRECISION_HELP = ("autocast dtype; auto (default): bf16 where the CPU or GPU has it natively, fp16 with loss scaling on "
                  "a GPU with tensor cores but no bf16 (T4, V100), else fp32")


ALL = "all"  # a split cap given as 'all': no cap (None, which on the command line means "the default")


SPLIT_AUTO, SPLIT_DRAW = "auto", "none"  # --split-column's words: find the file's own split column; draw the split
SPLIT_COLUMN_HELP = ("a file's column saying train, validation (val, dev) or test per row: its own fixed split, "
                     "instead of a drawn one; 'none' draws the split anyway (default 'auto': a column "
                     "named split, set, fold... with a few values naming parts, test among them; one naming no part, e.g. eval, is "
                     "refused with the values listed)")


CLASS_WEIGHTS_HELP = ("balanced: weigh each class's training loss by n / (classes x its count), so a rare class "
                      "counts as much as a common one (tfidf_logreg: scikit-learn's class_weight='balanced'); "
                      "default none")
JUDGE_BY_HELP = ("what the answer ('Which one to use?') judges runs by; default: macro-F1 where the test set's "
                 "majority class is 70%% or more of it or a class under 5%% of it and under half an even share, else accuracy")
TEXT_PAIR_HELP = ("a pair task's second text column (paraphrase, entailment, a question and its answer: GLUE's MRPC, "
                  "QNLI...), --text-column its first: each example is the two texts, read as BERT reads a pair. A "
                  "pair task's columns named as one (sentence1 / sentence2, premise / hypothesis, question / "
                  "sentence...) are read as a pair without it, where --text-column is not given")
# a file's or a hub dataset's (as a built-in's refusal of them says): "a file's column" read as if a hub dataset's
# columns could not be chosen
TEXT_COLUMN_HELP = "the column of texts, of a file or a hub dataset (default: found as the Data page finds it)"
LABEL_COLUMN_HELP = "the column of labels, of a file or a hub dataset (default: found as the Data page finds it)"
HUB_SPLIT_HELP = ("a hub dataset's split to read (default: train), drawn into train / validation / test, or into train "
                  "and validation where --hub-test-split names the test split")
HUB_TEST_SPLIT_HELP = ("a hub dataset's own test split (e.g. test) to score on, --hub-split then giving the train "
                       "and validation rows (default: the test set is drawn from --hub-split)")


DEFAULT_REPORT = "bertlab-report.html"
QUIET_HELP = ("no progress bar or line per run on stderr (--json keeps them there: stdout stays JSON, a script still "
              "sees the runs going)")


def _whole(v: str) -> int:
    try:
        return int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{v!r} is not a whole number") from None


def _positive_int(v: str) -> int | None:
    """A whole number from 1 (`runs --limit 0` said "no runs yet" beside a store of them), or 'all' (None)."""
    if v.strip().lower() == ALL:
        return None
    try:
        n = int(v)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{v!r}: give a whole number from 1, or 'all'")
    return n


def _cap_arg(v: str) -> int | str:
    """A split cap: a whole number, or 'all' for the whole split."""
    if v.strip().lower() == ALL:
        return ALL
    try:
        return int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{v!r} is not a whole number or 'all'") from None


def data_config_from_arg(dataset: str, args: argparse.Namespace) -> DataConfig:
    """A built-in name, ``hub:<name>``, or a file path."""
    from bertlab.data import BUILTIN
    from bertlab.data.builtin import did_you_mean

    caps = {k: None if getattr(args, k) == ALL else getattr(args, k) for k in ("train_size", "val_size", "test_size")}
    common = {"text_column": args.text_column, "label_column": args.label_column,
              "text_pair_column": getattr(args, "text_pair_column", None), "seed": args.split_seed,
              "drop_rare": bool(getattr(args, "drop_rare_classes", False)), **caps}
    split = getattr(args, "split_column", None)
    is_file = dataset not in BUILTIN and not dataset.startswith("hub:") and (Path(dataset).exists()
                                                                              or Path(dataset).suffix)
    if split not in (None, SPLIT_AUTO, SPLIT_DRAW) and not is_file:
        raise BertlabError("--split-column reads a file's own split; a built-in or hub dataset's split is drawn "
                           "(a hub dataset's own test split: --hub-test-split).")
    if getattr(args, "hub_config", None) and not dataset.startswith("hub:"):
        raise BertlabError("--hub-config names a hub dataset's config (--dataset hub:<name>).")
    if getattr(args, "hub_test_split", None) and not dataset.startswith("hub:"):
        raise BertlabError("--hub-test-split names a hub dataset's test split (--dataset hub:<name>); a file's own "
                           "split is read from its split column (--split-column).")
    if dataset in BUILTIN:
        if args.text_column or args.label_column or getattr(args, "text_pair_column", None):
            raise BertlabError(f"--text-column / --text-pair-column / --label-column choose a file's or a hub "
                               f"dataset's columns; the "
                               f"built-in {dataset!r} has its own (see `python -m bertlab datasets`).")
        return DataConfig(source="builtin", name=dataset, **common)
    if dataset.startswith("hub:"):
        return DataConfig(source="hub", name=dataset[4:], hub_split=args.hub_split,
                          hub_config=(getattr(args, "hub_config", None) or "").strip() or None,
                          hub_test_split=(getattr(args, "hub_test_split", None) or "").strip() or None, **common)
    if is_file:
        from bertlab.data.files import split_column_of_file

        path = str(Path(dataset).resolve())
        # auto: a column named like a split (split, set, fold...) whose few values name parts, test among them (a
        # value naming no part is refused when it loads, not passed over)
        column = (None if split == SPLIT_DRAW else
                  split_column_of_file(path, {args.text_column, args.label_column,
                                              getattr(args, "text_pair_column", None)}) if split in (None, SPLIT_AUTO)
                  else split)
        return DataConfig(source="file", name=path, split_column=column, **common)
    raise BertlabError(f"dataset {dataset!r} is not a built-in ({', '.join(BUILTIN)}), an existing file, "
                       f"or 'hub:<name>'.{did_you_mean(dataset)}")


def model_arg(model: str) -> str:
    """``--model``: a local directory becomes absolute (runs are replayed from other folders); else as given."""
    p = Path(model).expanduser()
    return str(p.resolve()) if p.exists() or model.startswith((".", "/", "~")) else model


def output_file(path: str | Path, what: str = "output") -> Path:
    """Check an output path before any work: its folder exists and it is not itself a folder.

    Raises:
        BertlabError: the path is a directory or its parent folder does not exist.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        raise BertlabError(f"{what} {str(path)!r} is a folder; give a file name, e.g. {str(p / 'out')!r}.")
    if not p.parent.is_dir():
        raise BertlabError(f"cannot write {what} {str(path)!r}: the folder {str(p.parent)!r} does not exist.")
    return p


@contextlib.contextmanager
def writing(path: str | Path, what: str = "output"):
    """Turn an OS error while writing ``path`` into :func:`output_file`'s words (``report -o /proc/x.html``: a folder
    that exists but takes no files gave "error: [Errno 2] No such file or directory: '/proc/x.html'").

    Raises:
        BertlabError: naming the file, what it is and why it cannot be written.
    """
    try:
        yield
    except BrokenPipeError:  # `--csv /dev/stdout | head`: the reader has what it wanted (main's exit 141)
        raise
    except OSError as e:
        raise write_error(path, what, e) from None


def write_error(path: str | Path, what: str, e: OSError) -> BertlabError:
    """:func:`writing`'s words for ``e``, an OSError writing ``path``."""
    why = (e.strerror or str(e)).rstrip(".")
    return BertlabError(f"cannot write {what} {str(path)!r}: {why[:1].lower() + why[1:]}; give a file in a folder "
                        "you can write to.")


def to_stdout(text: str) -> None:
    """Write ``text`` to standard output, all of it or a :class:`BrokenPipeError` (main's exit 141).

    Why not ``sys.stdout.write``: a write of more than a pipe holds (64 KiB) to a reader that stops early
    (``predict -o - | head``: 3,000 predictions, 430 KB) was cut short by the kernel, and CPython 3.11 dropped
    the rest without an error, so the command exited 0 where ``runs | head`` exits 141. ``os.write`` returns the
    part written; the next write raises.
    """
    import os

    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # stdout replaced (a test's capture): no pipe to cut it short
        fd = None
    if fd is None or os.linesep != "\n":  # Windows' text stdout turns '\n' into '\r\n': its own write does
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    sys.stdout.flush()  # what print() left in the buffer first
    data = memoryview(text.encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"))
    while data:
        data = data[os.write(fd, data):]


def write_csv(path: str | Path, text: str) -> None:
    """Write CSV ``text`` (:func:`bertlab.report.csv_text`) to ``path``: a file gets a UTF-8 byte-order mark, the
    terminal or a pipe none.

    Why: a CSV file is usually opened in a spreadsheet, and Excel reads UTF-8 without the mark in the system's code
    page ("Kopfhörer" and Chinese texts came out garbled), so files get it, as the app's download buttons do
    (:func:`bertlab.report.for_spreadsheet`); pandas skips it, Python's csv module with ``encoding="utf-8-sig"``.
    CSV sent to stdout (``-o /dev/stdout``: the terminal, a pipe or a shell redirect) or into a named pipe gets
    none: a program reads it there, and the mark would be an invisible character glued to the first column's name.
    """
    import os
    import stat

    from bertlab.report import for_spreadsheet

    p = Path(path).expanduser()
    try:
        st = p.stat()
    except OSError:  # a new file
        st = None
    try:
        out = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout replaced or closed (io.UnsupportedOperation is both)
        out = None
    if st is not None and out is not None and (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
        to_stdout(text)  # not reopened: a file stdout is redirected to is appended to, not truncated
    elif st is not None and not stat.S_ISREG(st.st_mode):
        p.write_text(text, encoding="utf-8")
    else:
        p.write_bytes(for_spreadsheet(text))


# --- per-strategy settings of `run` -------------------------------------------------------------------
# flag attribute -> (flag, type, RunConfig field). Each takes one VALUE (every strategy), NAME=VALUE pairs, or both;
# --lr's values may list several learning rates joined by commas (NAME=1e-3,3e-2), one run each.
PER_STRATEGY_FLAGS = {"epochs": ("--epochs", int, "epochs"), "lr": ("--lr", float, "learning_rate"),
                      "batch_size": ("--batch-size", int, "batch_size"),
                      "max_length": ("--max-length", int, "max_length"),
                      "weight_decay": ("--weight-decay", float, "weight_decay"),
                      "warmup": ("--warmup", float, "warmup_ratio")}
PER_STRATEGY_METAVAR = "VALUE|NAME=VALUE"
# The optimiser's settings a flag sets, their ranges (config.OPTIMISER_RANGES) in words: RunConfig's own message names
# the field, not the flag ("warmup_ratio must be in [0, 1)"), and only after the data has loaded.
OPTIMISER_RANGE_WORDS = {"weight_decay": "AdamW's weight decay is from 0 to 1 (e.g. 0.01; 0 for none)",
                         "warmup_ratio": "the warmup is a share of the training steps, from 0 to below 1 (e.g. 0.1: "
                                         "the first 10%; 0 for none)"}


def _number(flag: str, given: str, text: str, cast: type) -> int | float:
    try:
        return cast(text)
    except ValueError:
        what = "a whole number" if cast is int else "a number (e.g. 2e-5)"
        raise BertlabError(f"{flag} {given}: {text!r} is not {what}.") from None


def _uses(strategy: str, field: str) -> bool:
    """Whether ``field`` changes what ``strategy`` does (the token limit: any tokenizer; the rest: training)."""
    from bertlab.strategies import get_strategy

    return get_strategy(strategy).uses_field(field)


SEVERAL = "lr"  # the one per-strategy flag that takes several values, one run each: --lr head_only=1e-3,3e-2


def _values(flag: str, given: str, text: str, cast: type, several: bool) -> int | float | tuple[float, ...]:
    """One number, or for the flag that takes several (``several``), the tuple of those joined by commas."""
    if "," not in text:
        v = _number(flag, given, text, cast)
        return (v,) if several else v
    if not several:
        raise BertlabError(f"{flag} {given}: {flag} takes one value per strategy; only --lr takes several to "
                           "compare (one run each, e.g. --lr head_only=1e-3,3e-2).")
    if "" in text.split(","):  # "head_only=1e-3,,3e-2", or a lone "1e-3," (a split one is joined, per_strategy_values)
        raise BertlabError(f"{flag} {given}: a value is missing beside a comma; list the values with commas and no "
                           f"spaces, e.g. {flag} {','.join(p for p in given.split(',') if p)}.")
    from bertlab.launch import learning_rates

    return tuple(learning_rates(text, f"{flag} {given}"))


def _shown_value(v) -> str:
    return ",".join(f"{x:g}" for x in v) if isinstance(v, tuple) else f"{v:g}"


def per_strategy_values(flag: str, tokens: list[str] | None, cast: type, field: str,
                        strategies: list[str], several: bool = False) -> tuple[object, dict[str, object]]:
    """``(value for every strategy or None, {strategy: its own value})`` of one per-strategy flag; with
    ``several`` (--lr) each value is a tuple of one or more, joined by commas where given (one run each).

    Raises:
        BertlabError: a value that is not a number, two bare values, a NAME not in ``strategies`` (or named twice,
        or one that does not use the flag), several values for a flag that takes one.
    """
    bare, named, given = None, {}, {}  # given: each value as written, for a message
    tokens = list(tokens or ())
    for a, b in zip(tokens, tokens[1:]):  # "--lr head_only=1e-4, 5e-2": the shell cut the list at the space
        if several and (a.endswith(",") or b.startswith(",")):
            if "=" in b:  # "head_only=1e-4, full_ft=2e-5": two strategies' values, kept apart by the space
                raise BertlabError(f"{flag} {a} {b}: a comma joins values of one strategy; between strategies "
                                   f"only a space: {flag} {a.rstrip(',')} {b.lstrip(',')}.")
            raise BertlabError(f"{flag} {a} {b}: a space beside a comma cut the list in two; write it without "
                               f"spaces: {flag} {a.rstrip(',')},{b.lstrip(',')}.")
    compare = (lambda a, b: f" To compare them in one launch, join them with a comma: {flag} {a},{b}.") if several \
        else (lambda a, b: "")
    for tok in tokens or ():
        name, sep, text = tok.partition("=")
        if not sep:
            if bare is not None:
                example = next((s for s in strategies if _uses(s, field)), strategies[0])
                raise BertlabError(f"{flag} has two values for every strategy ({_shown_value(bare)} and {tok}); give "
                                   f"one, and NAME=VALUE for a strategy of its own (e.g. {flag} {example}={tok})."
                                   + compare(given[None], tok))
            bare, given[None] = _values(flag, tok, tok, cast, several), tok
            continue
        if name not in strategies:
            raise BertlabError(f"{flag} {tok}: {name!r} is not among this run's --strategies "
                               f"({', '.join(dict.fromkeys(strategies))}).")
        if name in named:
            raise BertlabError(f"{flag} names {name} twice; give it one value."
                               + compare(given[name], text))
        if not _uses(name, field):
            raise BertlabError(f"{flag} {tok}: {name} does not use {flag} (see `python -m bertlab strategies`).")
        named[name], given[name] = _values(flag, tok, text, cast, several), tok
    return bare, named


def bare_value_note(flag: str, bare, field: str, strategies: list[str], named: dict) -> str | None:
    """A line saying what a value given for every strategy overrode, where their own defaults differ."""
    from bertlab.strategies import make_config

    covered = {s: getattr(make_config(s), field) for s in strategies if s not in named and _uses(s, field)}
    if bare is None or len(set(covered.values())) < 2:
        return None
    listed = ", ".join(f"{s} ({'its default ' * (i == 0)}{v:g})" for i, (s, v) in enumerate(covered.items()))
    where = "every strategy not named" if named else "every strategy"
    return f"note: {flag} {_shown_value(bare)} applies to {where}: {listed}; {flag} NAME=VALUE sets one"


def option_specs(strategy: str) -> dict:
    """A strategy's extra options (``option_specs``: kind, range), as the app's Train page offers them."""
    from bertlab.strategies import get_strategy

    return getattr(get_strategy(strategy), "option_specs", None) or {}


def _option_value(given: str, strategy: str, key: str, spec: dict, text: str, model: str | None = None):
    """``text`` as the value of ``strategy``'s option ``key``; a number that is not one, or out of its range (for
    ``model``, where the model sets it: partial_ft's layers), refused in the words of
    :func:`bertlab.strategies.base.option_refusal`, as ``bertlab.compare`` refuses it: "--option lora.r=0: r is 0;
    it takes a whole number from 1 to 256 (default 8)."."""
    from bertlab.strategies import get_strategy
    from bertlab.strategies.base import option_refusal

    kind = spec.get("kind")
    if kind == "file":
        p = Path(text).expanduser()
        if not p.is_file():
            raise BertlabError(f"--option {given}: {text!r} is not a file.")
        return str(p.resolve())
    if kind not in ("int", "float"):
        return text
    if spec.get("default") is None and text.strip().lower() == "none":
        return None  # "or None for off", as the refusal below says of such an option
    try:
        v: int | float | str = (int if kind == "int" else float)(text)
    except ValueError:
        v = text  # refused below: "r is 'two'; it takes a whole number from 1 to 256 (default 8)"
    if why := option_refusal(get_strategy(strategy), key, v, model):
        raise BertlabError(f"--option {given}: {why}.")
    return v


def strategy_options(tokens: list[str] | None, strategies: list[str], model: str | None = None) -> dict[str, dict]:
    """``{strategy: {key: value}}`` from ``--option NAME.KEY=VALUE`` arguments.

    Raises:
        BertlabError: not NAME.KEY=VALUE, an unknown strategy or key (the message lists the valid ones), a
        strategy not in ``strategies``, or a value of the wrong kind or out of range (for ``model``, where the
        range depends on it: partial_ft's layers).
    """
    from bertlab.strategies import REGISTRY

    with_options = "; ".join(f"{n} ({', '.join(option_specs(n))})" for n in REGISTRY if option_specs(n))
    out: dict[str, dict] = {}
    for tok in tokens or ():
        target, sep, text = tok.partition("=")
        name, dot, key = target.partition(".")
        if not (sep and dot and name and key):
            raise BertlabError(f"--option {tok!r} is not NAME.KEY=VALUE (e.g. lora.r=16).")
        if name not in REGISTRY:
            raise BertlabError(f"--option {tok}: strategy {name!r} is unknown; the strategies with options are "
                               f"{with_options}.")
        if name not in strategies:
            raise BertlabError(f"--option {tok}: {name} is not among this run's --strategies "
                               f"({', '.join(dict.fromkeys(strategies))}).")
        specs = option_specs(name)
        if key not in specs:
            valid = (f"has no option {key!r}; its options are {', '.join(specs)}" if specs else
                     f"has no options (the strategies with options are {with_options})")
            flag = next((f for f, _, field in PER_STRATEGY_FLAGS.values() if key in (field, f[2:].replace("-", "_"))),
                        None)
            if flag:  # full_ft.weight_decay=0.1: a setting every training strategy has, set by its own flag
                valid += f"; {key} is set by {flag}: {flag} {name}={text}"
            raise BertlabError(f"--option {tok}: {name} {valid}.")
        if key in out.get(name, {}):  # the last one won without a word; a strategy named twice in --lr is refused
            raise BertlabError(f"--option {name}.{key} is given twice; give it once (for several values, one run "
                               "each, launch again with the other).")
        # the range for ``model`` where it sets one: partial_ft.layers=10 on a 6-layer model was queued, and failed
        # as it started
        out.setdefault(name, {})[key] = _option_value(tok, name, key, specs[key], text, model)
    return out


def sweep_rates(tokens: list[str] | None, strategies: list[str]) -> dict[str, dict]:
    """A sweep's ``--lr``: ``{strategy: {"learning_rate": rate}}`` for each strategy that trains and is given one
    (one value for all of them, or NAME=VALUE), printing (stderr) what a value for all overrode. A sweep takes one
    rate per strategy: its curves are one choice each."""
    for tok in tokens or ():
        if "," in tok:
            raise BertlabError(f"--lr {tok}: a sweep takes one learning rate per strategy (one curve each); run a "
                               "sweep per rate, or compare rates at one size with `run --lr` (e.g. --lr "
                               "full_ft=2e-5,5e-5).")
    bare, named = per_strategy_values("--lr", tokens, float, "learning_rate", strategies)
    if note := bare_value_note("--lr", bare, "learning_rate", strategies, named):
        print(note, file=sys.stderr)
    rates = {s: named.get(s, bare) for s in dict.fromkeys(strategies) if _uses(s, "learning_rate")}
    return {s: {"learning_rate": lr} for s, lr in rates.items() if lr is not None}


def strategy_overrides(args: argparse.Namespace) -> dict[str, dict]:
    """Each strategy's RunConfig overrides from --epochs/--lr/--batch-size/--max-length and --option; prints a note
    (stderr) for each value given to every strategy that overrides defaults which differ between them. A
    strategy's ``learning_rate`` is a tuple of the rates to run it at (None: its default)."""
    from bertlab.config import OPTIMISER_RANGES

    out: dict[str, dict] = {s: {} for s in args.strategies}
    for attr, (flag, cast, field) in PER_STRATEGY_FLAGS.items():
        bare, named = per_strategy_values(flag, getattr(args, attr), cast, field, args.strategies, attr == SEVERAL)
        if field in OPTIMISER_RANGES:
            ok, _ = OPTIMISER_RANGES[field]
            for name, v in [(None, bare), *named.items()]:
                if v is not None and not ok(v):
                    raise BertlabError(f"{flag} {f'{name}=' if name else ''}{v:g}: {OPTIMISER_RANGE_WORDS[field]}.")
        if note := bare_value_note(flag, bare, field, args.strategies, named):
            print(note, file=sys.stderr)
        for s in out:
            out[s][field] = named.get(s, bare)
    for s, opts in strategy_options(args.option, args.strategies, getattr(args, "model", None)).items():
        out[s]["options"] = opts
    return out


def check_max_lengths(model: str, given: dict[str, int | None]) -> None:
    """A ``--max-length`` (``given``: each strategy's, None where not given) beyond the model's position embeddings,
    refused before any run is stored (it was stored as a failed run, exit 1); reads the model's config only.

    Raises:
        ConfigError: naming the value, the model's limit and what to use instead.
    """
    from bertlab.models import check_max_length

    for s, n in given.items():
        if n is not None and _uses(s, "max_length"):
            check_max_length(model, n)


def check_refusals(model: str, strategies: list[str]) -> None:
    """A strategy that cannot run on ``model`` at all (partial_ft on ALBERT: ``Strategy.refusal``), refused before
    any run is stored: it was stored, and failed as it started.

    Raises:
        ConfigError: naming the strategy, why, and what to use instead.
    """
    from bertlab.strategies import get_strategy

    for s in dict.fromkeys(strategies):
        if why := get_strategy(s).refusal(model):
            raise ConfigError(f"--strategies {s}: {why}")


def check_tokenizer(model: str, strategies: list[str], texts: list[str], new_vocab: bool = False) -> None:
    """A model whose tokenizer reads none of the training texts (special tokens only), refused before any run is
    stored where a strategy reads the model's tokenizer (:func:`bertlab.models.check_tokenizer_reads`); every run
    "succeeded". scratch with a new vocabulary (``new_vocab``) reads its own."""
    from bertlab.strategies import get_strategy

    if any(get_strategy(s).reads_model_tokenizer(new_vocab) for s in strategies):
        from bertlab.models import check_tokenizer_reads

        check_tokenizer_reads(model, texts)


def check_descriptions(descriptions: list[str], label_names: list[str]) -> None:
    """--label-descriptions: one sentence per class, in the data's order.

    Raises:
        ConfigError: another number of them.
    """
    if len(descriptions) != len(label_names):
        raise ConfigError(f"--label-descriptions has {len(descriptions)} sentences but the data has "
                          f"{len(label_names)} classes ({', '.join(map(str, label_names))}); give one per class, "
                          "in that order.")


def result_row(run) -> dict:
    """The comparison fields of a stored run (the --json schema)."""
    from bertlab.costs import memory_of, model_bytes
    from bertlab.metrics import run_accuracy_interval
    from bertlab.provenance import run_precision, run_threads, run_versions, used_settings
    from bertlab.strategies import REGISTRY
    from bertlab.variants import EPOCH_FIELDS

    m, c, cfg = run.metrics, run.costs, run.config or {}
    ci = run_accuracy_interval(m, (run.data_summary or {}).get("sizes", {}).get("test"))
    s = REGISTRY.get(run.strategy)
    return {"run_id": run.id, "batch_id": run.batch_id, "strategy": run.strategy,
            "dataset": run_dataset(run), "class_weights": cfg.get("class_weights") or "none",
            # the training seed (null where no seed changes what the strategy does: zero_shot, tfidf_logreg), and
            # the split's: two runs of one strategy differ by these
            "seed": cfg.get("seed") if s is None or s.uses_seed else None,
            "split_seed": (cfg.get("data") or {}).get("seed"), "status": run.status,
            "n_train": ((run.data_summary or {}).get("sizes") or {}).get("train"),  # measured; null before it ran
            "test_accuracy": m.get("test_accuracy"), "test_accuracy_ci95": list(ci) if ci else None,
            "test_macro_f1": m.get("test_macro_f1"),
            # the kept model on the validation texts (null where a run kept none)
            **{k: m.get(k) for k in ("val_accuracy", "val_macro_f1", "val_loss")},
            "majority_accuracy": m.get("majority_accuracy"), "train_seconds": c.get("train_seconds"),
            "train_examples_per_s": examples_per_s(c), "trainable_params": c.get("trainable_params"),
            "total_params": c.get("total_params"), "train_flops": c.get("train_flops"),
            "inference_flops_per_text": c.get("inference_flops_per_text"),
            "peak_memory_bytes": c.get("peak_memory_bytes"),
            # what that peak is: "rss" (the RAM the run added) or "cuda" (the GPU memory it allocated; tfidf_logreg's
            # is RAM on a GPU machine too), and whether it also holds the process's one-time set-up (a CLI run is
            # the first in its process: it reads high beside the next), and whether it leaves out the encoder (loaded
            # by an earlier run in the process, or its embeddings cached: head_only after zero_shot reads low), as the
            # Results CSV and Compare's memory note say
            "peak_memory_of": memory_of(run), "memory_first_in_process": bool(c.get("memory_first_in_process")),
            "memory_without_encoder": bool(c.get("memory_without_encoder")),
            "model_bytes": model_bytes(run), "device": c.get("device"), "label_names": m.get("label_names"), "per_class": m.get("per_class"),
            # a run asked to stop that still runs: 'stopping (asked by the user)', not its error (null otherwise)
            "error": run.error, "stopping": run.stopping, "notes": list(run.notes),
            # the settings two runs of one strategy differ by (`--lr head_only=1e-3,3e-2` gave two head_only rows
            # alike but for their ids): null where the strategy does not use one
            "model": run.model,
            **used_settings(cfg, s, ("learning_rate", "epochs", "batch_size", "max_length"), unknown=False),
            # how a long text was cut (a run from before the setting: head); null for tfidf_logreg's whole texts
            "truncation": (cfg.get("truncation") or "head") if s is None or s.uses_field("truncation") else None,
            "options": cfg.get("options") or {},
            # the optimiser's and the epochs' other settings, as the Results CSV has them (null where unused:
            # head_only has no warmup or clipping), and the data file's checksum: a row named 'head_only (weight
            # decay 0.1)' shows the setting its name gives
            **used_settings(cfg, s, [k for k in EPOCH_FIELDS if k not in ("learning_rate", "epochs", "batch_size")],
                            unknown=False),
            "data_sha256": (run.data_summary or {}).get("file_sha256"),
            # what reproducing its numbers needs beyond its config: the precision it computed in (its config's
            # "auto" is bf16 on one machine, fp32 on another), the libraries' versions (bertlab's with its
            # commit) and which test set it was scored on (runs with the same fingerprint compare text by text)
            **run_precision(run), "threads": run_threads(run),
            "versions": {k: v for k, v in run_versions(run).items() if v},
            "test_fingerprint": m.get("test_fingerprint")}


def json_rows(runs: list) -> list[dict]:
    """:func:`result_row` of each run, with ``name``: the run as the table, the answer and the report's CSV name it
    (``head_only (lr 0.001)``)."""
    names = variants.labels(runs)
    return [result_row(r) | {"name": names[r.id]} for r in runs]


def run_dataset(run) -> str:
    """A run's dataset as the app names it: a built-in's name, a hub dataset's id, a file's own name (an upload
    without the '<hash>-' it is stored under, which runs stored before DataConfig.label dropped it still carry)."""
    from bertlab.config import upload_display_name

    source = ((run.config or {}).get("data") or {}).get("source")
    # a hub id keeps its owner ('SetFit/sst2'): only a file's path is cut to its name
    return run.dataset if source == "hub" else upload_display_name(run.dataset or "")


def notes_lines(runs: list, width: int = 110) -> list[str]:
    """What cleaning and training changed (``run.notes``), wrapped to ``width``: the notes every finished run shares
    once, then each run's own under its strategy (and seed, where a strategy ran more than once), as the Compare
    page shows them."""
    import textwrap

    done = [r for r in runs if r.status == "succeeded"]
    shared = set.intersection(*(set(r.notes) for r in done)) if len(done) >= 2 else set()
    names = variants.labels(runs)
    strategies = [names[r.id] for r in runs]
    groups = [("every run", [n for n in done[0].notes if n in shared])] if shared else []
    for r in runs:
        shown = names[r.id]
        name = f"{shown} (seed {r.config.get('seed')})" if strategies.count(shown) > 1 else shown
        own = [n.removeprefix(f"{r.strategy}: ") for n in r.notes if n not in shared]
        groups.append((name, own))
    lines = [line for name, notes in groups if notes
             for line in textwrap.wrap(" · ".join(notes), width, initial_indent=f"  {name}: ",
                                       subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)]
    return ["Notes:", *lines] if lines else []


def per_class_lines(runs: list) -> list[str]:
    """Each finished run's recall of each class on the test set, one row a class (with its test texts), one column
    a run, as Compare's "Per class" table: where there are three classes or more, or two where one is rare (the
    answer judges by macro-F1 by default: :func:`bertlab.answer.default_metric`). Accuracy and macro-F1 average
    away which class a run misses (on the 3-class tweets, zero_shot found 14% of the neutral tweets at 43%
    accuracy; on comments 3% abusive, tfidf_logreg found 6 of the 12 abusive ones at 98.4% accuracy and macro-F1
    0.829, and `run` printed no table); with two even ones, the answer's missed-class sentence and macro-F1 say
    enough. Where the answer judges by macro-F1 by default, each run's precision of each class follows, as a second
    table: recall alone ranked zero_shot, which found 8 of those 12 by calling 152 texts abusive, above head_only's
    6 of 6 answers right (Compare's table has a Precision view); then each run's average precision on the rarest
    class and its precision at 90% recall (:func:`pr_lines`), as the report's precision-recall table reads them.
    Runs on other classes than
    the first one's (another dataset) are left out, and counted. A half rounds up (12.5% -> 13%), as Compare and the
    report round it (:func:`bertlab.metrics.whole_percent`)."""
    from bertlab import answer
    from bertlab.metrics import (
        NEVER_ANSWERED_NOTE,
        few_texts_sentence,
        never_answered_any,
        shown_precision,
        whole_percent,
    )

    done = [r for r in runs if r.status == "succeeded" and (r.metrics or {}).get("per_class")]
    if not done:
        return []
    classes = done[0].metrics.get("label_names") or list(done[0].metrics["per_class"])
    same = [r for r in done if (r.metrics.get("label_names") or list(r.metrics["per_class"])) == classes]
    if len(classes) < 2 or len(classes) == 2 and answer.default_metric(same) != "macro_f1":
        return []
    shown = variants.labels(same)  # seeds of one thing share a name: the seed tells them apart, as in the notes
    names = {r.id: f"{shown[r.id]} (seed {r.config.get('seed')})" if list(shown.values()).count(shown[r.id]) > 1
             else shown[r.id] for r in same}
    support = {c: int((same[0].metrics["per_class"].get(c) or {}).get("support") or 0) for c in classes}
    first = max(len("class"), *(len(str(c)) for c in classes))
    cols = [max(len(names[r.id]), 4) for r in same]

    def row(cells: list[str]) -> str:
        return "  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, [first, 10, *cols])))
    lines = ["Recall per class (test set: the share of each class's texts the run answered right):",
             row(["class", "test texts", *(names[r.id] for r in same)])]
    for c in classes:
        # no test text of the class (a file's own split may leave one out): no recall to show, not 0%
        got = [(r.metrics["per_class"].get(c) or {}).get("recall") if support[c] else None for r in same]
        lines.append(row([str(c), f"{support[c]:,}", *("-" if v is None else whole_percent(100 * v) for v in got)]))
    if few := few_texts_sentence(support):  # as Compare's caption under its per-class table
        lines.append(f"  {few}")
    if answer.default_metric(same) == "macro_f1":
        # a rare class: recall alone rewards a run that answers it to many texts (zero_shot found 8 of the 12
        # abusive comments, more than head_only's 6, by calling 152 texts abusive: 5% of them right)
        lines += ["", "Precision per class (test set: the share of the run's answers of each class that were right):",
                  row(["class", "test texts", *(names[r.id] for r in same)])]
        for c in classes:
            got = [shown_precision(r.metrics, c) for r in same]  # None: never answered (NEVER_ANSWERED_NOTE)
            lines.append(row([str(c), f"{support[c]:,}", *("-" if v is None else whole_percent(100 * v)
                                                            for v in got)]))
        if never_answered_any([r.metrics for r in same], classes):
            lines.append(f"  {NEVER_ANSWERED_NOTE}")
        if pr := pr_lines(same, names):  # the report's and Compare's average precision, in words where none
            lines += ["", *pr]
    if left := len(done) - len(same):
        from bertlab.data.dataset import counted

        lines.append(f"  Left out: {counted(left, 'run')} on other classes (another dataset).")
    return lines


def pr_lines(runs: list, names: dict[str, str], width: int = 110) -> list[str]:
    """Each run's average precision on the rarest class (the one Compare's and the report's precision-recall curves
    read by default, :func:`bertlab.prcurve.class_choices`) and its precision at :data:`bertlab.prcurve.READ_AT`
    recall, with the least probability that gets there, as the report's table reads them; the runs without a curve
    named, with why (they kept no class probabilities), as the page says it. [] where no run kept probabilities.
    ``names``: each run's name by id, as :func:`per_class_lines` names them."""
    import textwrap

    import numpy as np

    from bertlab import prcurve
    from bertlab.metrics import whole_percent

    choices = prcurve.class_choices(runs)
    if not choices:
        return []
    cs = prcurve.curves(runs, choices[0])
    at = whole_percent(100 * prcurve.READ_AT)
    rarest = ", the rarest class" if len(choices) > 1 else ""
    lines = [f"Precision against recall on {cs.name!r}{rarest} (test set; `report` and Compare draw the curves):"]
    if cs.curves:
        heads = ["run", "average precision", f"precision at {at} recall", "validation threshold",
                 "test precision, recall at it"]
        cells = []
        for c in cs.curves:
            got = prcurve.precision_at_recall(c, prcurve.READ_AT)
            read = "-" if got is None else whole_percent(100 * got[0]) + ("" if got[1] is None else f" (p ≥ {got[1]:.3f})")
            op = prcurve.operating_point(c, prcurve.READ_AT)
            if op is None:
                chosen = ("out of step" if c.val_refused else "none kept (older run)" if c.val_scores is None
                          else "no class text")
                there = "-"
            else:
                chosen = f"p ≥ {op.threshold:.3f}" + (f" (unreliable: {op.val_positives})" if op.unreliable else "")
                there = ("-" if op.test_precision is None else whole_percent(100 * op.test_precision)) + ", " + \
                    whole_percent(100 * op.test_recall)
            cells.append([names.get(c.run_id, c.run_id), f"{c.ap:.3f}", read, chosen, there])
        # and at the precision, a second table (one of both did not fit 110 columns)
        heads2 = ["run", f"recall at {at} precision", f"validation threshold ({at} precision)",
                  "test precision, recall at it"]
        cells2 = []
        for c in cs.curves:
            got = prcurve.recall_at_precision(c, prcurve.READ_AT)
            read = "-" if got is None else whole_percent(100 * got[0]) + ("" if got[1] is None else f" (p ≥ {got[1]:.3f})")
            op = prcurve.operating_point(c, prcurve.READ_AT, "precision")
            if op is None:
                chosen = ("out of step" if c.val_refused else "none kept (older run)" if c.val_scores is None
                          else "no class text" if not np.asarray(c.val_scores[0]).any() else "none that precise")
                there = "-"
            else:
                chosen = f"p ≥ {op.threshold:.3f}" + (f" (unreliable: {op.val_answered})" if op.unreliable else "")
                there = ("-" if op.test_precision is None else whole_percent(100 * op.test_precision)) + ", " + \
                    whole_percent(100 * op.test_recall)
            cells2.append([names.get(c.run_id, c.run_id), read, chosen, there])
        for hs, rows in ((heads, cells), (heads2, cells2)):
            w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(hs)]
            lines += ["  " + "  ".join(x.rjust(w[i]) if i else x.ljust(w[i]) for i, x in enumerate(row))
                      for row in [hs, *rows]]
    # 'p\u00a0≥' (a no-break space): 'p' and '≥' wrapped apart on two lines
    said = [f"Average precision: the area under a run's curve, 1 where it ranks every {cs.name!r} text above the "
            f"others; 'p\u00a0≥': the least probability of {cs.name!r} that answers it there, read on the test texts "
            f"themselves (optimistic). "
            + (prcurve.NO_RUN_KEPT_VALIDATION.replace("each cell", "its column") if all(
                c.val_scores is None for c in cs.curves) else
               f"The validation threshold is chosen on the run's validation texts instead (the largest probability "
               f"finding {at} of them); the test precision and recall at it are what it gets on unseen texts. "
               f"For {at} precision it is the smallest probability at which {at} of its validation answers are "
               f"right. 'unreliable: n': chosen on fewer than {prcurve.MIN_VAL_POSITIVES} validation texts of the "
               "class (for a precision: answered); 'older run': stored before runs kept validation probabilities.")
               ] if cs.curves else []
    said += [f"No validation threshold for {names.get(c.run_id, c.run_id)}: {c.val_refused}." for c in cs.curves
             if c.val_refused]
    said += [f"No curve for {names.get(r.id, r.id)}: {why}." for r, why in cs.missing]
    return lines + [line for s in said for line in textwrap.wrap(s, width, initial_indent="  ", subsequent_indent="    ",
                                                                 break_long_words=False, break_on_hyphens=False)]


# The comparison `run` prints, costs included; `runs` lists every stored run, of any dataset, in about 120 columns
# (one line a run on a 120-column terminal): which data, how accurate, the id to pass on (`runs --json`, `report` and
# `paired` have the rest).
# "val acc": the kept model on the validation texts, beside the test score (a rate picked by the test score is
# flattered by it; the validation texts tell it apart)
RUN_COLUMNS = ("strategy", "seed", "status", "test acc", "95% interval", "macro-F1", "val acc", "majority", "train s",
               "ex/s", "trainable", "train FLOPs", "infer/text", "run id")
# "train n": a sweep's runs of one strategy at several sizes read alike without it
RUNS_COLUMNS = ("strategy", "seed", "status", "dataset", "train n", "test acc", "95% interval", "macro-F1", "run id")
TABLE_WIDTH = 120
# The dataset column takes the room the others leave in TABLE_WIDTH, at least this: a longer name is cut in its
# middle, keeping its end (a date, '.csv' or '.xlsx': the same texts in two files are two datasets).
DATASET_MIN_WIDTH = 16
# The model column (`runs`, where a run read another model than the default) shares that room, cut the same way,
# at least this: its end tells models apart ('...-MiniLM-L12-v2', '-base-v2'). Uncut, a model named
# 'paraphrase-multilingual-MiniLM-L12-v2' made the table 137 columns wide and squeezed the dataset to its least.
MODEL_MIN_WIDTH = 12
FITTED_COLUMNS = {"dataset": DATASET_MIN_WIDTH, "model": MODEL_MIN_WIDTH}


def _fitted_widths(head: list[str], lines: list[list[str]]) -> dict[int, int]:
    """{column index: width} of the :data:`FITTED_COLUMNS` in ``head``: the room the other columns leave in
    TABLE_WIDTH, shared out narrowest first (a column narrower than its share keeps its width and leaves the rest
    to the others), each at least its minimum."""
    fitted = [i for i, h in enumerate(head) if h in FITTED_COLUMNS]
    natural = {i: max(len(x) for x in col) for i, col in enumerate(zip(head, *lines))}
    left = TABLE_WIDTH - sum(w for i, w in natural.items() if i not in fitted) - 2 * (len(head) - 1)
    widths = {}
    for k, i in enumerate(sorted(fitted, key=natural.get)):
        widths[i] = min(natural[i], max(FITTED_COLUMNS[head[i]], left // (len(fitted) - k)))
        left -= widths[i]
    return widths


def _cut_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, more of its end kept than of its start (where file names differ
    most: a date, a version, '.csv' or '.xlsx'): 'customer_support_tickets_2024.csv' -> 'custome…ets_2024.csv' (20)."""
    if len(text) <= width:
        return text
    head = (width - 1) * 2 // 5
    return text[:head] + "…" + text[-(width - 1 - head):]


def _cells(r: dict, names: dict | None = None) -> dict[str, str]:
    """A --json row's cells, by column header; ``names``: run id -> its strategy as the runs name it
    (:func:`bertlab.variants.labels`: ``full_ft (lr 2e-05)`` where full_ft also ran with other settings)."""
    from bertlab.metrics import format_interval
    from bertlab.pareto import format_flops

    def f(v, spec):
        return format(v, spec) if isinstance(v, (int, float)) else "-"

    def pct(v):  # accuracy in percent, as the answer under the table, the app and the report write it (--json: raw)
        return f"{100 * v:.1f}%" if isinstance(v, (int, float)) else "-"
    return {"strategy": (names or {}).get(r["run_id"]) or _shown(r), "seed": f(r.get("seed"), "d"), "status": r["status"],
            "dataset": r.get("dataset") or "-", "model": r.get("model_shown") or "-", "train n": f(r.get("n_train"), ","),
            "test acc": pct(r["test_accuracy"]), "95% interval": format_interval(r.get("test_accuracy_ci95")) or "-",
            "macro-F1": f(r["test_macro_f1"], ".3f"), "val acc": pct(r.get("val_accuracy")),
            "majority": pct(r["majority_accuracy"]),
            "train s": f(r["train_seconds"], ".1f"),
            # a run that trains nothing (zero_shot) has no throughput: "-", not 0.0
            "ex/s": f(r["train_examples_per_s"] or None, ".1f"), "trainable": f(r["trainable_params"], ","),
            "train FLOPs": format_flops(r.get("train_flops")),
            "infer/text": format_flops(r.get("inference_flops_per_text")), "run id": r["run_id"]}


def format_table(rows: list[dict], columns: tuple[str, ...] = RUN_COLUMNS, names: dict | None = None) -> str:
    """A plain-text table of --json rows (:func:`result_row`), in ``columns`` (headers of :func:`_cells`);
    ``names``: run id -> strategy name (:func:`bertlab.variants.labels`)."""
    head = list(columns)
    lines = [[c[h] for h in head] for c in (_cells(r, names) for r in rows)]
    for i, room in _fitted_widths(head, lines).items():  # the columns of any length (dataset, model): cut to fit
        for line in lines:
            line[i] = _cut_middle(line[i], room)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in [head, *lines]]
    out.insert(1, "  ".join("-" * w for w in widths))
    errors = [f"  {name}: {error}" for name, error in run_errors(rows, names)]
    return "\n".join(out + (["", "errors:", *errors] if errors else []))


def run_errors(rows: list[dict], names: dict | None = None) -> list[tuple[str, str]]:
    """(name, error) of the --json rows that failed or were interrupted, as a table lists them under it (the CLI's,
    a Comparison's repr and its HTML); failures only: a cancel is the user's own doing, not an error (its status
    column says so)."""
    return [((names or {}).get(r["run_id"]) or _shown(r), r["error"]) for r in rows
            if r["status"] in ("failed", "interrupted") and r.get("error")]


def _shown(row: dict) -> str:
    """A --json row's strategy as tables name it: ``head_only (balanced)`` where it trained with balanced class
    weights (:func:`bertlab.config.shown_strategy`)."""
    return row["strategy"] + (BALANCED_SUFFIX if row.get("class_weights") == "balanced" else "")


def cmd_datasets(args: argparse.Namespace) -> int:
    from bertlab.data import BUILTIN

    for b in BUILTIN.values():
        print(f"{b.name:16s} {b.title}: {b.description}")
    return 0


def cmd_strategies(args: argparse.Namespace) -> int:
    from bertlab.strategies import REGISTRY, make_config

    for s in REGISTRY.values():
        print(f"{s.name:12s} {s.summary}")
        if s.uses_epochs:  # what `run` uses unless --epochs/--lr/--batch-size say otherwise
            c = make_config(s.name)
            print(f"{'':12s} defaults: epochs {c.epochs}, lr {c.learning_rate:g}, batch {c.batch_size}")
        if specs := option_specs(s.name):  # what `run --option NAME.KEY=VALUE` takes
            opts = ", ".join(k if v.get("default") is None else f"{k} {v['default']:g}" for k, v in specs.items())
            print(f"{'':12s} options (--option {s.name}.KEY=VALUE): {opts}")
            # those that default to unset, in words: full_ft's "layer_decay, head_lr" gave no default (a review)
            if unset := [f"{k} {v['unset']}" for k, v in specs.items() if v.get("default") is None and v.get("unset")]:
                print(f"{'':12s} when not given: {'; '.join(unset)}")
    return 0


def warn_unmarked_rows(sp) -> None:
    """Say the rows a file's own split leaves unmarked (:data:`bertlab.data.dataset.NO_PART_NOTE`'s note, with its
    share and what to do) as a 'warning:' line on stderr, before anything trains: `run` said it only in the notes
    under its results table (a review's tickets: 1,510 of 3,013 rows left out), and `sweep` nowhere at all (a
    300-row file with a split for 150 of its rows trained every point on those without a word)."""
    from bertlab.data.dataset import warned

    for note in (n for n in sp.notes if warned(n)):  # and a large share of rows dropped for conflicting labels
        print(f"warning: {note}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bertlab.config import SPLIT_PRESETS
    from bertlab.runner import execute_run
    from bertlab.store import RunStore
    from bertlab.strategies import get_strategy, make_config

    # --from-run: the stored run's config, with the flags given in place of its values
    stored = rerun_config(args) if args.from_run else None
    # Split caps: what was given, else the preset (--quick: the app's Quick demo, --classroom: its Classroom;
    # default: Standard).
    preset = SPLIT_PRESETS["Quick demo" if args.quick else "Classroom" if args.classroom else "Standard"]
    # no size asked for: Standard, where the app's Data page starts at the Quick demo (said with the data line)
    standard_by_default = stored is None and not (args.quick or args.classroom) and all(
        getattr(args, k) is None for k in ("train_size", "val_size", "test_size"))
    for k, v in zip(("train_size", "val_size", "test_size"), preset):
        if getattr(args, k) is None and stored is None:
            setattr(args, k, v)
    for s in args.strategies:
        get_strategy(s)  # an unknown name fails before the data is read
    if twice := [s for s in dict.fromkeys(args.strategies) if args.strategies.count(s) > 1]:
        # the same strategy twice trained two identical runs at one seed, without a word
        once = " ".join(dict.fromkeys(args.strategies))
        # --lr only for one that reads a learning rate: zero_shot and tfidf_logreg train no network
        rated = [s for s in twice if get_strategy(s).uses_field("learning_rate")]
        rates = (f"for two learning rates of one, join them with a comma (--lr {rated[0]}=1e-3,3e-2); " if rated
                 else "")
        # --repeats only for one that a seed changes: zero_shot and tfidf_logreg run once whatever it says
        seeded = [s for s in twice if get_strategy(s).uses_seed]
        unseeded = [s for s in twice if s not in seeded]
        seeds = (f"For several seeds of each strategy, use --repeats N (--strategies {once} --repeats 3)" if seeded
                 else "")
        if unseeded:
            same = (f"no seed changes what {' or '.join(unseeded)} {'does' if len(unseeded) == 1 else 'do'}, so one "
                    f"run of {'it' if len(unseeded) == 1 else 'each'} is all there is")
            seeds = f"{seeds}; {same}" if seeds else same[:1].upper() + same[1:]
        settings = ("--epochs, --option ..." if any(get_strategy(s).uses_epochs for s in twice) else
                    "--label-descriptions, --max-length ..." if any(get_strategy(s).uses_tokens for s in twice)
                    else "--option ...")
        raise BertlabError(f"--strategies names {', '.join(twice)} more than once: a strategy named twice trains the "
                           f"same run twice (the same settings and seed). {seeds}; {rates}for other settings, run it "
                           f"once per setting ({settings}) and compare the runs with `python -m bertlab paired "
                           "RUN_ID RUN_ID` or `report`.")
    if any(get_strategy(s).uses_tokens for s in args.strategies):
        from bertlab.models import resolve

        # an unreachable hub model fails here, as on the Train page, not as failed runs; a folder without tokenizer
        # files too, unless only scratch with its new vocabulary reads tokens
        resolve(args.model, tokenizer=any(get_strategy(s).reads_model_tokenizer(args.new_vocab) for s in args.strategies))
    check_refusals(args.model, args.strategies)
    per_strategy = strategy_overrides(args)  # malformed --lr/--epochs/... and --option values fail here too
    check_max_lengths(args.model, {s: o["max_length"] or (stored and stored.max_length) for s, o in per_strategy.items()})
    data = stored.data if stored else data_config_from_arg(args.dataset, args)
    from bertlab.data.shared import shared_splits

    # fail fast on a bad dataset, before any run is stored (and read once: the runs share what is read here)
    sp = shared_splits(data)
    check_tokenizer(args.model, args.strategies, sp.train.texts, args.new_vocab)
    if args.label_descriptions and "zero_shot" in args.strategies:  # not as a failed run after the others trained
        check_descriptions(args.label_descriptions, sp.label_names)
    elif args.label_descriptions and (stored is None or "label_descriptions" in getattr(args, "given", ())):
        # given for head_only or full_ft alone, the sentences were stored with the runs and read by none of them
        unread = DESCRIPTIONS_UNREAD.format(what="--label-descriptions", why="--strategies does not name it")
        print(f"warning: {unread}", file=sys.stderr)
    if data.source != "builtin" and sp.train.description:  # the columns read, as the Data page shows them
        others = ("--text-column / --text-pair-column / --label-column"
                  + (" / --split-column" if data.source == "file" else ""))
        hint = "" if stored else (f" ({others} choose others"  # --from-run: its own columns (others refused)
                                  + ("; --split-column none draws the split" if data.split_column else "") + ")")
        # a file of 200,000 rows read "train 2,000, validation 500, test 1,000" without a word that a size capped
        # them (the Python API's line said so): which parts a cap cut, and how to take every row
        cut = (f" ({', '.join(sp.capped)} capped by "
               + ("the default size, the app's Standard" if standard_by_default else "the size asked for")
               + "; --train-size all --val-size all --test-size all takes every row)") if sp.capped else ""
        print(f"data: {sp.train.description}{hint}; "
              f"{len(sp.label_names)} classes; train {len(sp.train):,}, validation {len(sp.val):,}, "
              f"test {len(sp.test):,}{cut}", file=sys.stderr)
        warn_unmarked_rows(sp)
    elif data.source == "builtin" and standard_by_default:
        # The same launch from the app's defaults is the Quick demo: another training set, another test set, other
        # scores, and nothing in this output said which size these runs had.
        print(f"data: {data.name}; {len(sp.label_names)} classes; train {len(sp.train):,}, validation "
              f"{len(sp.val):,}, test {len(sp.test):,}: the Standard size, run's default. The app's Data page starts "
              f"at the Quick demo ({' / '.join(f'{n:,}' for n in SPLIT_PRESETS['Quick demo'])}): --quick for those "
              "runs.", file=sys.stderr)
    overrides = {"model": args.model, "seed": args.seed,
                 # on, or off where --no-... was given (a rerun's stored 'on' undone); else the default (None)
                 **{k: getattr(args, k) if getattr(args, k) or k in getattr(args, "given", ()) else None
                    for k in ("new_vocab", "keep_best")},
                 "precision": args.precision, "patience": args.patience,
                 "class_weights": args.class_weights, "truncation": args.truncation,
                 "label_descriptions": args.label_descriptions}
    from bertlab.launch import launch_configs, launch_size_problem

    # One run per learning rate (--lr NAME=1e-3,3e-2), each at training seeds seed, seed + 1, ... (--repeats) on the
    # same split (one run where no seed changes anything).
    configs = []
    for s in args.strategies:
        rates = per_strategy[s].pop("learning_rate") or (None,)
        if stored is not None:  # its every setting, then the flags given (make_config keeps a value, drops a None)
            given = {k: v for k, v in {**overrides, **per_strategy[s]}.items() if v is not None}
            given["options"] = {**stored.options, **given.get("options", {})}
            fields = {**{k: v for k, v in stored.to_dict().items() if k != "strategy"}, "data": data, **given}
            base = make_config(s, **{**fields, "learning_rate": rates[0] or stored.learning_rate})
        else:
            base = make_config(s, data=data, **overrides, **per_strategy[s], learning_rate=rates[0])
        configs += launch_configs(base, args.repeats, rates[1:])
    if too_many := launch_size_problem(len(configs)):  # before any run is stored, as the Train page's Launch waits
        raise BertlabError(too_many.replace("learning rates x seeds", "--lr rates x --repeats"))
    from bertlab.strategies.classifier import few_steps_planned

    # before launch, as the Train page says it: 1 epoch of full_ft on the Quick demo answered one class to every text
    for name, note in few_steps_planned(configs, len(sp.train)).items():
        print(f"warning: {name}: {note}", file=sys.stderr)
    from bertlab.models import pick_device

    # a run that would not fit in the memory free now, said before it loads its model (a peak estimated from its
    # settings, bertlab.memory)
    dev = pick_device()
    if too_big := memory.too_big_note(memory.per_strategy(configs, dev, lambda c: len(sp.train)),
                                      memory.available_bytes(dev.type), dev.type):
        print(f"warning: {too_big}", file=sys.stderr)
    from bertlab.strategies.dapt import domain_file_notes, domain_file_problem

    # a domain file the runs would fail on (missing, binary, empty): refused before any run is stored, as the Train
    # page's Launch waits; it was said as a note and each run then failed after loading its model
    if problems := list(dict.fromkeys(p for c in configs if (p := domain_file_problem(c.strategy, c.options)))):
        raise BertlabError(" ".join(problems))
    # what an extra text file gives dapt or scratch (its texts, read how, the cap, held-out texts left out): before
    # launch, as the Train page says it, not only in the runs' notes after; once for runs that read it alike
    for note in dict.fromkeys(n for c in configs for n in domain_file_notes(c.strategy, c.options, sp)):
        print(f"note: {note}", file=sys.stderr)
    from bertlab.store import set_process_kind

    set_process_kind("the `python -m bertlab run` process")  # said of its run if it is killed (stopped_reason)
    store = RunStore()
    # a random tail, as the app's: two CLI runs started in the same second were one batch
    batch = f"cli-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"  # two runs in one second: two batches
    ids = [store.create_run(c, batch) for c in configs]
    try:
        _run_all(store, ids, configs, args, tqdm, execute_run)
    except KeyboardInterrupt as e:
        # The run being trained is marked interrupted and the rest cancelled, so none stays 'running'.
        how, code = _stopped(e)
        store.mark_interrupted(reason=f"{how} while this run was training")
        for rid in ids:
            store.request_cancel(rid)
        print(f"\ninterrupted ({how}): the run in progress is marked interrupted, the rest cancelled",
              file=sys.stderr)
        if args.json:  # the runs as far as they went, so a script's `> out.json` holds JSON, not nothing; no
            # comparison was made, so "recommended" is null, as for one run (false: the answer found none worth using)
            stored = [run for i in ids if (run := store.get(i)) is not None]  # one deleted from elsewhere: gone
            print(json.dumps([{**r, "recommended": None} for r in json_rows(stored)], indent=2))
        return code
    # the runs still stored: one deleted from elsewhere while it waited was skipped (and fails the exit code)
    finished = [r for i in ids if (r := store.get(i)) is not None]
    rows = json_rows(finished)
    if args.json:
        from bertlab import answer, paired

        a = answer.answer(finished, metric=args.judge_by)
        for r, run in zip(rows, finished):  # the answer's pick (each of its seeds), marked
            # null where there is no answer (one run, one strategy's seeds): no comparison recommends or rules out
            # a run (a single run read "recommended": false, as if the answer had found it not worth using)
            r["recommended"] = None if a is None else a.recommends and paired.variant(run) == paired.variant(
                a.pick) and ((run.data_summary or {}).get("sizes", {}).get("train")
                             == (a.pick.data_summary or {}).get("sizes", {}).get("train"))
        print(json.dumps(rows, indent=2))
        # none: why, as the table form, the report and Compare say it (one run finished beside a failed one read
        # nothing here)
        if text := a.text() if a is not None else answer.no_answer_reason(finished):
            print("Which one to use? " + text, file=sys.stderr)
    else:
        print(format_table(rows, names=variants.labels(finished)))
        from bertlab import answer, paired

        if notes := notes_lines(finished):
            print("\n" + "\n".join(notes))
        if per_class := per_class_lines(finished):
            print("\n" + "\n".join(per_class))
        if advice := answer.text_lines(finished, metric=args.judge_by):
            print("\n" + "\n".join(advice))
        by_f1 = (args.judge_by or answer.default_metric(finished)) == "macro_f1"
        # every pair of up to MAX_LISTED_RUNS runs (9 runs printed none under the old cap of 8), else how to get them
        cap = paired.MAX_LISTED_RUNS
        lines = paired.summary_lines(paired.summary_rows(finished, max_runs=cap), finished if by_f1 else None)
        lines += [paired.crowded_note(group, cap, paired.paired_command(group, store))
                  for group in paired.crowded(finished, cap)]
        if lines:
            print("\n" + "\n".join(lines))
    return 0 if len(finished) == len(ids) and all(r["status"] == "succeeded" for r in rows) else 1


# Flags that choose other data or strategies: refused with --from-run, which reruns a run on its own (its split's
# sizes and seed may change: the same data, cut or drawn otherwise).
_OTHER_DATA = {"strategies": "--strategies", "dataset": "--dataset", "text_column": "--text-column",
               "text_pair_column": "--text-pair-column",
               "label_column": "--label-column", "split_column": "--split-column", "hub_split": "--hub-split",
               "hub_config": "--hub-config", "hub_test_split": "--hub-test-split"}
# run-level flags whose value stands in for the stored run's where given (else args takes the stored value, so
# that the checks before launch read what will run)
_RERUN_FIELDS = ("model", "seed", "precision", "new_vocab", "keep_best", "patience", "class_weights",
                 "truncation", "label_descriptions")


def rerun_config(args: argparse.Namespace) -> RunConfig:
    """`run --from-run RUN_ID`: the stored run's config, its data's split sizes, split seed and rare-class choice
    replaced by those given (--train-size, --quick, --split-seed, --drop-rare-classes). ``args`` is set so the rest
    of `run` reads the stored run: its strategy, and each run-level setting not given (model, seed, precision...);
    per-strategy flags (--lr, --epochs...) and --option override its values where given.

    Raises:
        BertlabError: no such run, a stored config this bertlab cannot read, or a flag that chooses other data or
            strategies (the message names it).
    """
    import dataclasses

    from bertlab.config import SPLIT_PRESETS
    from bertlab.store import RunStore

    store = RunStore()
    run = store.get(store.resolve_id(args.from_run))
    if refused := [flag for dest, flag in _OTHER_DATA.items() if dest in args.given]:
        raise BertlabError(f"--from-run reruns {run.label} on its own data with its own strategy; {', '.join(refused)} "
                           "would change them: run without --from-run for other data or strategies (`python -m "
                           f"bertlab show {run.id}` prints its settings, to give as flags).")
    stored = run.run_config  # a ConfigError (a BertlabError) where its fields are not this bertlab's
    caps = {}
    if args.quick or args.classroom:
        caps = dict(zip(("train_size", "val_size", "test_size"),
                        SPLIT_PRESETS["Quick demo" if args.quick else "Classroom"]))
    caps.update({k: None if getattr(args, k) == ALL else getattr(args, k)
                 for k in ("train_size", "val_size", "test_size") if k in args.given})
    data = dataclasses.replace(stored.data, **caps, **({"seed": args.split_seed} if "split_seed" in args.given else {}),
                               **({"drop_rare": args.drop_rare_classes} if "drop_rare_classes" in args.given else {}))
    args.strategies = [stored.strategy]
    for field in _RERUN_FIELDS:  # each a flag's dest and a RunConfig field alike
        if field not in args.given:
            setattr(args, field, getattr(stored, field))
    summary = run.data_summary or {}
    if data.source == "file" and summary.get("file_sha256"):
        from bertlab.data.shared import file_digest

        if file_digest(data.name) not in (None, summary["file_sha256"]):
            print(f"warning: {data.name} changed since {run.label} ran (its SHA-256 differs): the rerun reads it as "
                  "it is now, so its numbers may differ for that too.", file=sys.stderr)
    return stored.replace(data=data)


def cmd_paired(args: argparse.Namespace) -> int:
    from bertlab import answer, paired, report
    from bertlab.store import RunStore

    store = RunStore()
    ids = report.resolve_runs(store, run_ids=args.run_ids, batch=args.batch, points=True)
    runs = [store.get(i) for i in ids]
    if len(runs) < 2:
        raise BertlabError(one_run_named(args, runs[0]))
    by_f1 = (args.judge_by or answer.default_metric(runs)) == "macro_f1"
    # judged as the lines are: with --json too (it ignored --judge-by, and its Holm p then told another story)
    rows = paired.summary_rows(runs, max_runs=len(runs), metric="macro_f1" if by_f1 else "accuracy")
    if not rows:  # why, with --json too (it printed [] and exited 0 without a word)
        if args.json:
            print("[]")
        print(paired.no_pairs_reason(runs), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(paired_json_rows(rows, runs), indent=2))
        if advice := answer.text_lines(runs, metric=args.judge_by):  # on stderr, as `run --json`: stdout stays JSON
            print("\n".join(advice), file=sys.stderr)
        return 0
    print("\n".join(paired.summary_lines(rows, runs if by_f1 else None)))  # the rows above: loaded and paired once
    if advice := answer.text_lines(runs, metric=args.judge_by):
        print("\n" + "\n".join(advice))
    return 0


def one_run_named(args: argparse.Namespace, run) -> str:
    """Why `paired` has one run to compare (it said "name at least two runs" where two were named): the same run
    named twice, or a batch of one run."""
    if len(args.run_ids or ()) >= 2:
        return (f"{' and '.join(args.run_ids)} name the same run ({run.id}) twice: name two different runs to "
                "compare.")
    if args.batch and not args.run_ids:
        return (f"batch {run.batch_id} has one run ({run.id}), nothing to compare it with: name another run beside "
                f"it (`python -m bertlab paired {run.id} RUN_ID`).")
    return "name at least two runs (or a --batch of them) to compare."


def paired_json_rows(rows: list[dict], runs: list) -> list[dict]:
    """`paired --json`: each pair of :func:`bertlab.paired.summary_rows` with snake_case keys and fractions, as `run
    --json` gives its runs (``a_run_id``, ``a_name`` as its ``name``, ``diff``, ``diff_ci95`` [lo, hi],
    ``p_mcnemar``, ``p_permutation`` where judged by macro-F1, ``p_holm``), then the table's own columns as before
    (points, "A", "p (McNemar)"...), which scripts written against them still read."""
    from bertlab import paired

    data = {r.id: paired.load_predictions(r) for r in runs}
    names = variants.labels(runs)  # as run/runs --json name them
    out = []
    for r in rows:
        a, b = data[r["a_id"]], data[r["b_id"]]
        t = paired.compare(a["labels"], a["predictions"], b["predictions"])  # unrounded: the row has points, text
        f1 = ({"diff_macro_f1": r["A − B (macro-F1)"], "p_permutation": r["p (macro-F1)"]}
              if "p (macro-F1)" in r else {})
        out.append({"a_run_id": r["a_id"], "b_run_id": r["b_id"], "a_name": names[r["a_id"]],
                    "b_name": names[r["b_id"]], "diff": t.difference, "diff_ci95": list(t.interval), "only_a_right": t.a_only,
                    "only_b_right": t.b_only, "p_mcnemar": t.p_value, **f1, "p_holm": r["p (Holm)"],
                    "holm_pairs": r["holm_pairs"], **r})
    return out


def _logged(desc: str, quiet: bool):
    """Where standard error is not a terminal (a run under nohup, in CI, piped to a file) and not ``quiet``: a
    line as the run starts and one as it ends (tqdm draws its bars on a terminal only: a killed run's log was
    empty, and a sweep's said nothing for hours). Returns the call that prints the end line."""
    if quiet or sys.stderr.isatty():
        return lambda status, costs=None: None
    print(f"{desc}: started", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    return lambda status, costs=None: print(f"{desc}: {status} after {format_duration(time.perf_counter() - t0)} wall "
                                            f"incl. loading{_stored_time(costs)}", file=sys.stderr, flush=True)


def _stored_time(costs: dict | None) -> str:
    """The run's stored time beside the end line's wall clock, labelled: '7.7 s' beside Compare's '5.0 s in all
    (6.6 s with them computed)' and the CSV's total_seconds 6.62 read as a third figure (a review). The wall clock
    also counts loading the model and data in this process, which the stored figures leave out."""
    from bertlab.estimate import cached_share

    # times in words as every page and the answer give them (format_duration): "whole run 75.3 s" here beside
    # Compare's "1.3 min" read as two times
    total = (costs or {}).get("total_seconds")
    if total is None:
        return ""
    wall = costs.get("wall_seconds")
    cached = (costs.get("cache_saved_seconds") or 0) >= 0.5 and wall is not None
    # "whole run", as Compare's status line says it (and "train s" the tables' training alone): "stored: 31.5 s total"
    # beside the table's train s 16.4 left "total" of what to guess
    return (f"; whole run {format_duration(total)} as stored (total_seconds, as Compare and the CSV give it"
            + (f"; {format_duration(wall)} this time, {cached_share(costs)} from the cache)" if cached else ")"))


def _run_all(store, ids: list[str], configs: list, args: argparse.Namespace, tqdm, execute_run) -> None:
    from bertlab.data.shared import forget

    try:
        _run_each(store, ids, configs, args, tqdm, execute_run)
    finally:  # the launch's data, read once for its runs, is let go once they are done
        forget()


BAR_LEFT_EVERY_S = 1.0  # how often a progress bar reads its run's time left from the store


def bar_words(store, rid: str, p: float, phase: str, now: float) -> str:
    """A progress bar's words after its percentage and elapsed time: the phase, and the time left in it as the app's
    status lines and `runs` say it ('train · ~2 min left', 'up to ~2 min' where Stop early after may end it
    sooner), where it can be told yet (bertlab.estimate.run_time_left, ``p`` reached ``now``); else the phase
    alone. The bars said only the elapsed time: a terminal's full_ft gave no hint of when it would end where the
    app beside it said '~43 s left'."""
    from bertlab.estimate import time_left_words

    run = store.get(rid)
    if run is None or run.phase != phase:  # the store a step behind: the phase alone until it catches up
        return phase
    left = time_left_words(run, now, p)
    return phase if left is None else f"{phase} · {left} left"


def _bar_progress(bar, store, rid: str):
    """The ``on_progress`` of a run's progress bar: its percentage, and its phase's words (:func:`bar_words`), read
    at most every :data:`BAR_LEFT_EVERY_S` (and at once on a new phase)."""
    last = {"at": 0.0, "phase": None}

    def progress(p: float, phase: str) -> None:
        bar.n = round(100 * p)
        now = time.time()
        if phase != last["phase"] or now - last["at"] >= BAR_LEFT_EVERY_S:
            last.update(at=now, phase=phase)
            bar.set_postfix_str(bar_words(store, rid, p, phase, now))
        else:
            bar.refresh()

    return progress


def _run_each(store, ids: list[str], configs: list, args: argparse.Namespace, tqdm, execute_run) -> None:
    for k, (rid, cfg) in enumerate(zip(ids, configs), 1):
        if _deleted_while_queued(store, rid, f"[{k}/{len(ids)}] {cfg.strategy} · {rid[-4:]}", args.quiet):
            continue
        ended = _logged(f"[{k}/{len(ids)}] {cfg.strategy} · {rid[-4:]}", args.quiet)  # --json too: on stderr
        with tqdm(total=100, desc=f"{cfg.strategy:10s}", unit="%", disable=args.quiet or None,
                  bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed} {postfix}", file=sys.stderr) as bar:
            status = execute_run(store, rid, on_progress=_bar_progress(bar, store, rid))
            bar.n = 100
            bar.set_postfix_str(status)
        ended(status, getattr(store.get(rid), "costs", None))  # None: deleted as soon as it ended
        _deleted_as_it_ended(store, rid, f"[{k}/{len(ids)}] {cfg.strategy} · {rid[-4:]}", status, args.quiet)


def _deleted_while_queued(store, rid: str, desc: str, quiet: bool) -> bool:
    """Whether a launch's queued run ``rid`` is gone from the store (`cancel`, then `delete`, from another terminal,
    or Compare's Cancel and Delete): said on standard error unless ``quiet``, and skipped. execute_run raised
    KeyError on it, and `run` and `sweep` ended in a traceback, the runs after it never trained."""
    from bertlab.store import DELETED_WHILE_QUEUED

    if store.get(rid) is not None:
        return False
    if not quiet:
        print(f"{desc}: {DELETED_WHILE_QUEUED}", file=sys.stderr, flush=True)
    return True


def _deleted_as_it_ended(store, rid: str, desc: str, status: str, quiet: bool) -> None:
    """Where a launch's run ``rid`` is gone from the store the moment it ended (deleted from another terminal or the
    app): said on standard error unless ``quiet``, in the words bertlab.compare warns with. `run` and `sweep`
    exited 1 without a line saying why (the run's end line read 'succeeded')."""
    from bertlab.store import DELETED_AS_IT_ENDED

    if store.get(rid) is None and not quiet:
        print(f"{desc} {status}, then was {DELETED_AS_IT_ENDED}", file=sys.stderr, flush=True)


STALLED = "queued, waiting*"  # a queued run whose process died: nothing runs it until the app is opened


def live_status(run) -> str:
    """A run's status as `runs` shows it: a running run's progress and phase, with its time left where it can be
    told (``running 9% (train, ~3 min left)``), as the app's status lines say; :data:`STALLED` for a queued run
    whose process died; else its status."""
    from bertlab.estimate import time_left_words
    from bertlab.store import QUEUED, RUNNING, _dead_owner

    if run.status == RUNNING:
        if run.cancel_requested:
            return "stopping"  # as show ('running, stopping (asked by ...)'), Compare and cancel say it
        left = time_left_words(run, time.time())
        return (f"running {run.progress or 0:.0%} ({run.phase or 'starting'}"
                + (f", {left} left" if left is not None else "") + ")")
    if run.status == QUEUED and _dead_owner(run.owner):
        return STALLED
    return run.status


def cmd_runs(args: argparse.Namespace) -> int:
    from bertlab.store import ACTIVE, FINISHED, ORPHANED, RunStore, undone_groups
    from bertlab.sweep import batches as sweep_batches
    from bertlab.sweep import sweep_ids

    store = RunStore()
    # a run whose process died (killed, Ctrl-C) is not shown as 'running'; which process it was (a server, a CLI)
    # is not known here: "the server stopped" was said of a killed CLI run
    store.mark_interrupted(reason=ORPHANED)
    runs = store.list_runs(limit=None if args.limit is None else args.limit + 1)
    if args.limit is not None and len(runs) > args.limit:
        # a script reading `runs --json` got the newest 50 of 55 runs without a word that there were more
        runs = runs[:args.limit]
        total = len(store.ids((*ACTIVE, *FINISHED)))
        print(f"note: the newest {args.limit:,} of {total:,} stored runs; --limit all lists them all",
              file=sys.stderr)
    if args.json:
        print(json.dumps(json_rows(runs), indent=2))
    elif not runs:
        # on stderr: `runs > runs.txt` wrote this sentence as if it were the table
        print("no runs yet: try `python -m bertlab run --dataset rotten_tomatoes`", file=sys.stderr)
    else:
        shown = variants.labels(runs, data=False)  # the table has a dataset column
        # a running run's progress, as the app shows it, in its status cell (the JSON keeps the plain status)
        status = {r.id: live_status(r) for r in runs}  # once a run: a queued one's asks the OS about its owner
        # a model column where any run read a model other than the default: an ALBERT batch read like MiniLM's
        models = ({r.id: variants.model_name(r.model) if variants.reads_model(r) else "-" for r in runs}
                  if any(variants.own_model(r) for r in runs) else {})
        columns = RUNS_COLUMNS if not models else (*RUNS_COLUMNS[:4], "model", *RUNS_COLUMNS[4:])
        print(format_table([result_row(r) | {"status": status[r.id], "model_shown": models.get(r.id)} for r in runs],
                           columns, shown))
        if STALLED in status.values():
            print(f"\n{STALLED}: queued by a process that has stopped; the app takes them over and trains them once "
                  "one of its pages is open in a browser (a restarted server waits for that), or `python -m bertlab "
                  "worker` trains them without one.")
        batches: dict[str, list] = {}
        data: dict[str, list] = {}  # each batch's dataset(s), as the app titles a run: 'full_ft · d47a (reviews.csv)'
        statuses: dict[str, list] = {}
        # a sweep's batch is every run holding its points, as the app names it: its zero_shot points reused from
        # earlier launches were left out ('tfidf_logreg, head_only' where the app said 'zero_shot, tfidf_logreg,
        # head_only')
        grouped = sweep_batches(store, runs, sweep_ids(store))
        for b, members in grouped.items():
            members.sort(key=lambda r: r.created, reverse=True)  # newest first, as the table
            names = variants.labels(members, data=False) if any(r.id not in shown for r in members) else shown
            batches[b] = [names[r.id] for r in members]
            data[b] = [run_dataset(r) for r in members]
            statuses[b] = [r.status for r in members]
        # from the runs the line lists: a sweep whose own runs were all cancelled but whose reused points finished
        # listed those points and ended "all cancelled"
        undone = undone_groups(grouped)
        undone_words = {b: stopped_words([r.status for r in grouped[b]]) for b in undone}
        print("\nlatest batches (`report --batch ID`, or `--batch latest` for the first"
              + (" not all cancelled" if undone else "")
              + (" or interrupted" if any(w != "all cancelled" for w in undone_words.values()) else "") + "):")
        lines = {}
        for b, names in list(batches.items())[:5]:
            # runs that failed, were cancelled or interrupted, as the app's batch titles say (a failed run's batch
            # read like one that all went well)
            stopped = [f"{n} {s}" for s in ("cancelled", "failed", "interrupted") if (n := statuses[b].count(s))]
            model = f" · {m}" if (m := variants.batch_model(grouped[b])) else ""
            lines[b] = (f"{', '.join(dict.fromkeys(reversed(names)))}  ({', '.join(dict.fromkeys(data[b]))}{model})",
                        f"  {undone_words[b]}" if b in undone else f"  {', '.join(stopped)}" if stopped else "")
        for b, (line, end) in lines.items():
            # launches that read alike (quick runs at other seeds) say what differs between them: "split 7, seed 7"
            same = {o: grouped[o] for o, (other, _) in lines.items() if other == line}
            differ = variants.launch_differences(same)[b] if len(same) > 1 else ""
            print(f"  {b}  {line}" + (f"  {differ}" if differ else "") + end)
    return 0


def run_record(store, run) -> dict:
    """``run``'s whole stored record, as `show` prints it: every field of its row (config, data summary with the
    environment it trained in, metrics, costs, notes, error and traceback) and where its files are (``paths``),
    with the precision it computed in beside its config's setting."""
    import dataclasses

    from bertlab.provenance import run_precision

    record = dataclasses.asdict(run)
    precision = run_precision(run)
    record["precision"] = {"setting": precision["precision_setting"], "ran_in": precision["precision"]}
    model = store.artifact_path(run.id)
    record["paths"] = {"model": str(model) if model.is_dir() else None, "store": str(store.path),
                       "disk_bytes": store.disk_bytes(run.id)}
    record["stopping"] = run.stopping  # as a --json row has it: 'stopping (asked by ...)' while it stops
    return record


# `show`'s sections in order: the record's other fields (id, status, times...) come first, one a line
_SHOW_SECTIONS = ("config", "precision", "data_summary", "metrics", "costs", "paths", "notes", "error", "traceback")


def record_lines(record: dict) -> list[str]:
    """A run's record (:func:`run_record`) as text: its plain fields one a line, then each section, a nested
    field by its dotted name ('data.seed: 0', 'per_class.neg.recall: 0.9'), a list as JSON on its line."""
    def flat(d: dict, prefix: str = "") -> list[str]:
        out = []
        for k, v in d.items():
            if isinstance(v, dict) and v:
                out += flat(v, f"{prefix}{k}.")
            else:
                out.append(f"  {prefix}{k}: {v if isinstance(v, str) else json.dumps(v)}")
        return out

    lines = []
    for k, v in record.items():
        if k in _SHOW_SECTIONS or k == "stopping":
            continue
        if k in ("created", "started", "finished", "phase_started", "progress_at", "pace_started") and v:
            v = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(v))
        if k == "status" and record.get("stopping"):  # asked to stop, still running: not an error yet
            v = f"{v}, {record['stopping']}"
        lines.append(f"{k}: {v if v is None or isinstance(v, str | int | float) else json.dumps(v)}")
    for k in _SHOW_SECTIONS:
        v = record.get(k)
        if v in (None, {}, [], ""):
            continue
        if k == "traceback":
            lines += ["traceback:", *("  " + line for line in v.rstrip().splitlines())]
        elif isinstance(v, list):
            lines += [f"{k}:", *(f"  {x}" for x in v)]
        elif isinstance(v, dict):
            lines += [f"{k}:", *flat(v)]
        else:
            lines.append(f"{k}: {v}")
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    from bertlab.store import ORPHANED, RunStore

    store = RunStore()
    store.mark_interrupted(reason=ORPHANED)  # as `runs`: a run whose process died is not shown as running
    run = store.get(store.resolve_id(args.run_id))
    record = run_record(store, run)
    print(json.dumps(record, indent=2) if args.json else "\n".join(record_lines(record)))
    return 0


def stopped_words(statuses: list[str]) -> str:
    """A batch whose every run was cancelled or interrupted, as `runs` says it: 'all cancelled', 'all interrupted',
    or how many of each ('1 interrupted, 1 cancelled' read "all cancelled": a run Ctrl-C stopped mid-training)."""
    from bertlab.store import CANCELLED, INTERRUPTED

    n = {s: statuses.count(s) for s in (INTERRUPTED, CANCELLED) if s in statuses}
    if len(n) == 1:
        return f"all {next(iter(n))}"
    return ", ".join(f"{k} {s}" for s, k in n.items())


def _file_name(path: str) -> str:
    """`predict --file`'s file as its notes name it: its name, or standard input for '-'."""
    return "standard input" if path == "-" else Path(path).name


def cmd_predict(args: argparse.Namespace) -> int:
    from bertlab.data.dataset import counted
    from bertlab.predict import UNKNOWN_WHY, Predictor
    from bertlab.store import RunStore

    texts = [*args.text, *args.text_option]
    extra: list[dict] = [{} for _ in texts]  # per text: its row in --file and that row's other columns
    store = RunStore()
    ids = ([store.resolve_id(r) for r in args.run_id.split(",")] if args.run_id != "all"
           else [r.id for r in store.list_runs(status=("succeeded",))])
    if args.file:
        # the text column the runs were trained on, where the file has one of that name (the same file, often)
        trained = [c for i in ids if (r := store.get(i)) and (c := (r.data_summary or {}).get("text_column"))]
        pairs = [(s["text_column"], s["text_pair_column"]) for i in ids if (r := store.get(i))
                 and (s := r.data_summary or {}).get("text_pair_column") and s.get("text_column")]
        more, rows, blank = texts_from_file(args.file, args.text_column, trained, pairs)
        texts += more
        extra += rows
        if blank:
            shown = ", ".join(map(str, blank[:10])) + (f" and {len(blank) - 10:,} more" if len(blank) > 10 else "")
            print(f"note: skipped {len(blank):,} blank row(s) of {_file_name(args.file)} ({shown}); with -o or --json "
                  "each prediction gives its row, to join them back", file=sys.stderr)
    elif not texts:
        raise BertlabError("give text(s) to classify, or --file with one text per line (.txt) or a table.")
    if args.file is None and (blank := [i for i, t in enumerate(texts, 1) if not t.strip()]):
        which = "the text" if len(texts) == 1 else f"text {blank[0]} of {len(texts)}"
        raise BertlabError(f"{which} is blank: there is nothing to classify; give each text some words.")
    if args.explain and args.output:
        raise BertlabError("--explain prints each run's words; leave out -o/--output (--json gives every word's "
                           "weight).")
    if args.explain and args.file and len(texts) > MAX_EXPLAIN_TEXTS:
        from bertlab.explain import MAX_WORDS

        raise BertlabError(f"--explain with --file: {_file_name(args.file)} has {len(texts):,} texts, and each costs "
                           f"every run up to {MAX_WORDS + 1} texts (each word left out in turn); give at most "
                           f"{MAX_EXPLAIN_TEXTS} (a file of the few texts to explain), or predict the file without "
                           "--explain.")
    if args.output and args.output != "-":  # "-": standard output, as other tools take it (it wrote a file "-")
        output_file(args.output, "CSV of predictions")  # before loading any model
    if not ids:
        raise BertlabError("no succeeded runs to predict with; run `python -m bertlab run` first.")
    predictor = Predictor(store)
    # every run that can answer, for `all` and a list alike (as the app's box): one run's deleted or damaged model
    # left the others silent
    named = len(ids)
    ids, bad = predictor.usable(ids)
    if bad and len(bad) == named == 1 and args.run_id != "all":
        raise BertlabError(next(iter(bad.values())))  # the one run asked for: its error, as before
    for why in bad.values():
        print(f"note: left out: {why}", file=sys.stderr)
    if not ids:
        raise BertlabError(f"none of the {counted(named, 'succeeded run' if args.run_id == 'all' else 'run')} can "
                           "predict (each is said above).")
    status = _left_out_status(args.run_id, bad, named)
    preds = predictor.predict(ids, texts)  # --explain too: its notes (one class, unknown words, cut texts) first
    from bertlab.metrics import run_single_class

    for rid in ids:  # as the app's box marks them: such a run's answers mean nothing
        if only := run_single_class(run.metrics if (run := store.get(rid)) else None):
            print(f"note: run {rid} answered {only!r} to every test text: its answers here mean nothing",
                  file=sys.stderr)
    def which(idx: list[int]) -> str:
        return ", ".join(f"row {extra[i]['row']}" if "row" in extra[i] else f"text {i + 1}"
                         for i in idx[:10]) + (" ..." if len(idx) > 10 else "")

    for p in preds:  # tfidf_logreg: a text with no word it saw in training gets the classes' prior
        if p.unknown and (blind := [i for i, u in enumerate(p.unknown) if u]):
            print(f"note: run {p.run_id} ({p.strategy}) saw none of the words of {len(blind):,} text(s) in training "
                  f"({which(blind)}): its answer there is just the classes' prior", file=sys.stderr)
    # the runs that read tokens: a text mostly [UNK] to a model (emoji, Chinese to an English WordPiece), as the
    # app's boxes say (a review: `predict` answered "business 0.91" for a Chinese sentence without a word)
    if args.file:  # a file of texts, often the test set again: its answers beside the run's reported scores
        mixed = [f"{p.run_id} ({p.strategy}, {prec})" for p in preds if p.unknown is None
                 and (p.backend == "onnxruntime" or predictor.dtype is None)  # answered in fp32
                 and (prec := ((store.get(p.run_id).costs or {}).get("precision"))) in ("bfloat16", "float16")]
        if mixed:
            print(f"note: run{'s' * (len(mixed) > 1)} {', '.join(mixed)} trained and scored its test texts under "
                  "that autocast; these answers are fp32, so a text whose top two classes are within about 0.005 "
                  "can get the other class (a few in a thousand): scores recomputed from them may differ by that",
                  file=sys.stderr)
    strategy = {p.run_id: p.strategy for p in preds}
    for rid, hits in predictor.unknown_texts(ids, texts).items():
        lo, hi = min(s for _, s in hits), max(s for _, s in hits)
        shares = f"{lo:.0%}" if f"{lo:.0%}" == f"{hi:.0%}" else f"{lo:.0%}-{hi:.0%}"
        print(f"note: run {rid} ({strategy[rid]}): {shares} of the tokens of {len(hits):,} text(s) "
              f"({which([i for i, _ in hits])}) are unknown to its vocabulary ({UNKNOWN_WHY}): its answer there "
              "says next to nothing", file=sys.stderr)
    _cut_notes(predictor, preds, texts, which)
    if args.explain:
        return _explain(predictor, store, ids, texts, extra, args.json) or status
    # each run as run/runs --json name it: three head_only runs at three --lr were all "head_only"
    names = variants.labels([store.get(p.run_id) for p in preds])

    def json_line(p, text: str, x: dict, label: str, probs) -> str:
        return json.dumps({**x, "run_id": p.run_id, "name": names[p.run_id], "strategy": p.strategy, "text": text,
                           "label": label,
                           "probabilities": dict(zip(p.label_names, map(float, probs)))}, default=str)

    if args.output and args.json:  # JSON lines, as --json prints them (it wrote the CSV, --json unread)
        lines = "".join(json_line(p, t, x, lab, probs) + "\n"
                        for p in preds for t, x, lab, probs in zip(texts, extra, p.labels, p.probs))
        if args.output == "-":
            to_stdout(lines)
            return status
        with writing(args.output, "JSON lines of predictions"):
            Path(args.output).write_text(lines, encoding="utf-8")
        print(f"wrote {counted(len(preds) * len(texts), 'prediction')} ({counted(len(texts), 'text')} x "
              f"{counted(len(preds), 'run')}) to {args.output} as JSON lines", file=sys.stderr)
        return status
    if args.output:
        rows = [{**x, "text": t, "run_id": p.run_id, "name": names[p.run_id],
                 "strategy": p.strategy, "label": lab,
                 **{f"p_{n}": round(float(v), 6) for n, v in zip(p.label_names, probs)}}
                for p in preds for t, x, lab, probs in zip(texts, extra, p.labels, p.probs)]
        from bertlab.report import csv_text

        table = csv_text(rows, list(dict.fromkeys(k for r in rows for k in r)))
        if args.output == "-":
            to_stdout(table)
            return status
        with writing(args.output, "CSV of predictions"):
            write_csv(args.output, table)
        print(f"wrote {counted(len(rows), 'prediction')} ({counted(len(texts), 'text')} x "
              f"{counted(len(preds), 'run')}) to {args.output}", file=sys.stderr)
        return status
    for p in preds:
        for text, x, label, probs in zip(texts, extra, p.labels, p.probs):
            dist = ", ".join(f"{n}={v:.2f}" for n, v in zip(p.label_names, probs))
            if args.json:
                print(json_line(p, text, x, label, probs))
            else:
                print(f"{p.run_id} ({names[p.run_id]}): {label}  [{dist}]  {text[:60]!r}")
    return status


MAX_EXPLAIN_TEXTS = 20  # texts of a --file that --explain takes: each costs every run up to 61 texts


def _explain(predictor, store, ids: list[str], texts: list[str], extra: list[dict], as_json: bool) -> int:
    """`predict --explain`: each run's top words for and against its answer to each text (word occlusion, as the
    Playground's "Which words decided it?"); with --json one object per run and text with every word's weight, and
    with --file the text's row and the table's other columns, as the predictions give them."""
    from bertlab import explain

    names = variants.labels([store.get(i) for i in ids])
    if not as_json:
        print(f"note: {explain.METHOD}", file=sys.stderr)
    for text, x in zip(texts, extra):
        found = explain.explain(predictor, ids, text)
        if found and (note := explain.ALONE if found[0].alone else explain.capped_note(
                found[0], explain.end_readers(predictor, ids, text) if found[0].capped else None, names)):
            print(f"note: {note}", file=sys.stderr)
        for e in found:
            if as_json:
                print(json.dumps({**x, "name": names[e.run_id], "text": text, **e.to_dict()}, default=str))
            else:
                # the unit only where there are weights: a one-word text read "... no text to weigh it against
                # (probability points)"
                unit = "" if e.alone else " (probability points)"
                print(f"{e.run_id} ({names[e.run_id]}): {e.label} {e.prob:.2f}  {text[:60]!r}\n"
                      f"  top words {explain.top_words_line(e)}{unit}")
    return 0


def _left_out_status(run_id: str, bad: dict[str, str], named: int) -> int:
    """The exit status of `predict` where the others answered: 0, or 1 where a run named in a list could not (a
    script that named its runs finds out, as a sweep with a failed point exits 1; `all` asks for whichever can)."""
    if not bad or run_id == "all":
        return 0
    print(f"exit status 1: {len(bad)} of the {named} runs named could not answer ({', '.join(bad)}); the others did",
          file=sys.stderr)
    return 1


CUT_NOTES = 10  # at most, one per text: a file of long articles gets a count for the rest


def _cut_notes(predictor, preds: list, texts: list[str], which) -> None:
    """Say which texts are longer than a run reads (its max_length, as in training): its answer is about their
    start only. The app's boxes said so ("This text is 1,781 tokens: ... read only its first 64"), the CLI said
    nothing (a review); the same sentence, from bertlab.predict."""
    from bertlab.predict import cut_note

    ids = [p.run_id for p in preds]
    cuts = predictor.cut_each(ids, texts)
    long = sorted(set(cuts) | {i for i, t in enumerate(texts) if len(t) > MAX_TEXT_CHARS})
    names = {p.run_id: f"run {p.run_id} ({p.strategy})" for p in preds}
    ends = predictor.head_tail_runs(ids) if long else set()  # those keep a long text's start and end
    for i in long[:CUT_NOTES]:
        cut = cuts.get(i, {})
        where = "" if len(texts) == 1 else f"{which([i])}: "
        note = cut_note(cut, len(texts[i]) > MAX_TEXT_CHARS, names, len(cut) == len(ids), ends)
        print(f"note: {where}{note}", file=sys.stderr)
    if len(long) > CUT_NOTES:
        print(f"note: {len(long) - CUT_NOTES:,} more text(s) are longer than a run here reads: its answer there is "
              "about their start only", file=sys.stderr)


_PREDICTED = {"row", "text", "run_id", "name", "strategy", "label", "probabilities"}  # the output's own fields


def texts_from_file(path: str, text_column: str | None, trained: list[str] = (),
                    trained_pairs: list[tuple[str, str]] = ()) -> tuple[list[str], list[dict], list[int]]:
    """Texts to classify from a file: one per line (.txt), or a table's text column (any file the Data page reads:
    the column named by ``text_column``, else the first of ``trained`` (the runs' training text columns) the file
    has, else the one the Data page would find; where ``trained_pairs`` (the runs' (text, second text) columns of a
    pair task) pairs it with a column the file has, each row's two texts as one pair). Returns the texts; for each, its row in the file (1 = the first
    line or record) and, for a table, its other columns (an id to join the predictions back on); and the rows
    skipped as blank."""
    from bertlab.data.files import ColumnChoiceError, detect_text_column, read_table

    # '-': standard input, one text a line, as `predict -o -` writes to standard output (`... | predict RUN --file -`
    # said "--file '-' is not a file")
    p = Path("standard input") if path == "-" else Path(path).expanduser()
    if path != "-" and not p.is_file():
        raise BertlabError(f"--file {path!r} is not a file.")
    if path == "-" and sys.stdin.isatty():  # typed at a terminal, it waited with nothing said
        print("reading texts from standard input, one a line; end with Ctrl-D (Ctrl-Z then Enter on Windows)",
              file=sys.stderr)
    raw = sys.stdin.buffer.read() if path == "-" else p.read_bytes()
    notes: list[str] = []
    if path == "-" or p.suffix.lower() == ".txt":
        from bertlab.data.files import decode_text

        # as the Data page reads text: UTF-8, UTF-16, else Windows-1252 with a note ("café" came out "caf�", and
        # the answer changed with it, where the same bytes in a .csv read right)
        lines = decode_text(raw, p.name, notes).splitlines()
        _print_notes(notes)
        texts = [line.strip() for line in lines if line.strip()]
        rows = [{"row": i} for i, line in enumerate(lines, 1) if line.strip()]
        blank = [i for i, line in enumerate(lines, 1) if not line.strip()]
    else:
        import pandas as pd

        # its notes too, as the Data page gives them: a table read as cp1252, a first line that is data, not a
        # header, two columns named alike (went unsaid: only a .txt's were printed)
        df = read_table(raw, p.name, notes)
        df.columns = [str(c) for c in df.columns]
        # A table bertlab wrote (report --predictions, predict -o, the app's downloads) holds "'@united ..." for the
        # tweet "@united ...", the spreadsheet guard: read as written, 242 of the tweets Quick demo's 500 test texts
        # were other texts than the ones scored, and 17 of zero_shot's answers changed
        from bertlab.guard import guard_note, guard_undone, may_bear_guard

        guarded = may_bear_guard(p.name, raw[:4])  # only where the guard can be: not JSON lines or Parquet
        undone = {c: u for c in df.columns if guarded and (u := guard_undone(list(df[c]))) is not None}
        for c, u in undone.items():
            n = sum(1 for v in df[c] if isinstance(v, str) and v[:1] == "'")
            df[c] = pd.Series(u, index=df.index, dtype=object)
            notes.append(guard_note(p.name, c, n))
        _print_notes(notes)  # before the column is looked for: "no header line ... named column 1, column 2" is
        # what explains "no column 'text'"
        col = text_column or next((c for c in trained if c in df.columns), None)
        if col is None:
            try:
                col = detect_text_column(df)
            except ColumnChoiceError as e:
                why = str(e).split(";")[0].split(". ")[0]  # "cannot tell which column holds the text: [...] all..."
                raise BertlabError(f"{p.name}: which column holds the texts? {why[:1].upper()}{why[1:]}. Its "
                                   f"columns are {list(df.columns)}; give --text-column NAME.") from None
        if col not in df.columns:
            raise BertlabError(f"{p.name}: no column {col!r}; its columns are {list(df.columns)}; give "
                               "--text-column NAME.")
        keep = [i for i, t in enumerate(df[col]) if not _missing(t, pd) and str(t).strip()]
        kept = set(keep)
        blank = [i + 1 for i in range(len(df)) if i not in kept]
        texts = [str(df[col].iat[i]) for i in keep]
        if (second := dict(trained_pairs).get(col)) is not None and second in df.columns:
            # the runs read text pairs (a pair task) from this column and that one: each row's two texts, joined as
            # they trained on them (bertlab.textpair); a blank second text is classified alone
            from bertlab.textpair import join_pair

            texts = [join_pair(t, df[second].iat[i]) if not _missing(df[second].iat[i], pd)
                     and str(df[second].iat[i]).strip() else t for t, i in zip(texts, keep)]
        others = [c for c in df.columns if c != col]
        rows = [{"row": i + 1, **{_input_name(c): _cell(df[c].iat[i], pd) for c in others}} for i in keep]
    if not texts:
        raise BertlabError(f"{p.name} has no texts to classify.")
    return texts, rows, blank


def _print_notes(notes: list[str]) -> None:
    """What reading ``predict --file``'s file did (:func:`texts_from_file`), on stderr as soon as it is read."""
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def _missing(v, pd) -> bool:
    """Whether a table cell is missing: None, NaN, pandas' NA or NaT (``v == v`` raises on pd.NA)."""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or array in a JSON cell: not missing
        return False


def _cell(v, pd):
    """A table cell as a CSV or JSON value: None for a missing one (never NaN, which JSON lacks), plain Python
    numbers."""
    if _missing(v, pd):
        return None
    return v.item() if hasattr(v, "item") else v


def _input_name(column: str) -> str:
    """A --file column's name in the output: input_<name> where the output has a field of that name (the row
    number, the prediction's label, its probabilities), so a test file's true 'label' stays beside the predicted."""
    return f"input_{column}" if column in _PREDICTED or column.startswith("p_") else column


# --- sweep, report, export (learning curves and stakeholder outputs) ---------------------------------
def _at_least_one(v: str) -> int:
    """A count of examples: a whole number of at least 1."""
    if (n := _whole(v)) < 1:
        raise argparse.ArgumentTypeError(f"{n} is below 1: give a number of training examples, e.g. {PROJECT_TO}")
    return n


def _price(v: str) -> float:
    """A price per machine-hour (`report --price-cpu/--price-gpu`), in :class:`bertlab.pareto.Prices`' range: `-1`
    was refused as "price cpu_hour must be ...", naming a field of the code, not the option typed."""
    from bertlab.errors import ConfigError
    from bertlab.pareto import Prices

    try:
        price = float(v)
        Prices(cpu_hour=price)
    except (ValueError, ConfigError):
        raise argparse.ArgumentTypeError(f"{v!r} is not a price: give a number from 0 upwards, below 1,000,000 "
                                         "(e.g. 2.5)") from None
    return price


def _size_arg(v: str) -> int | None:
    """A sweep's training size: a whole number, or 'all' (None)."""
    size = _cap_arg(v)
    if size != ALL and size < 1:  # `--sizes -5` was "fewer than the 2 classes: it trains on 2", where run refuses
        raise argparse.ArgumentTypeError(f"{v!r}: a training size is a whole number from 1, or 'all'")
    return None if size == ALL else size


def _run_points(store, ids: list[str], quiet: bool, names: dict[str, str] | None = None) -> None:
    """Execute stored queued runs one after another with a progress bar each; ``names``: strategy -> the name its
    sweep gives it (``head_only (lr 0.03)``: :func:`bertlab.sweep.strategy_names`)."""
    from tqdm import tqdm

    from bertlab.runner import execute_run

    for k, rid in enumerate(ids, 1):
        if _deleted_while_queued(store, rid, f"[{k}/{len(ids)}] point {rid[-4:]}", quiet):
            continue
        run = store.get(rid)
        shown = (names or {}).get(run.strategy, run.strategy)
        desc = f"[{k}/{len(ids)}] {shown} n={run.config['data']['train_size'] or 'all'} seed={run.config['seed']}"
        ended = _logged(desc, quiet)
        with tqdm(total=100, desc=desc, unit="%", disable=quiet or None, file=sys.stderr,
                  bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed} {postfix}") as bar:
            status = execute_run(store, rid, on_progress=_bar_progress(bar, store, rid))
            bar.set_postfix_str(status)
        now = store.get(rid)  # None: deleted as soon as it ended
        error = ((now.error if now else None) or "").strip().split("\n")[0] if status == "failed" else ""
        # "failed after 0.2 s" said nothing of why
        ended(f"{status} ({error})" if error else status, now.costs if now else None)
        _deleted_as_it_ended(store, rid, desc, status, quiet)


def cmd_sweep(args: argparse.Namespace) -> int:
    from bertlab import sweep
    from bertlab.store import ORPHANED, RunStore, set_process_kind

    set_process_kind("the `python -m bertlab sweep` process")  # said of its run if it is killed (stopped_reason)
    store = RunStore()
    if args.delete:
        if given := _options_given(args, ("delete",)):  # --dry-run, --json, --sweep-id... were dropped unsaid
            raise BertlabError(f"sweep --delete takes no other option ({', '.join(given)} given): it only deletes "
                               f"the sweep; run `python -m bertlab sweep --delete {args.delete}` alone.")
        return _delete_sweep(store, args.delete)
    if args.list:
        if args.json:  # it printed the text lines, --json unread
            print(json.dumps([{"sweep_id": s["id"], "dataset": s["dataset"], "strategies": s["shown"],
                               "sizes": ["all" if n is None else n for n in s["sizes"]], "seeds": s["seeds"],
                               "points": s["n_points"], "runs": s["runs"], "split_seed": s["split_seed"]}
                              for s in sweep.list_sweeps(store)], indent=2))
            return 0
        if not (listed := sweep.list_sweeps(store)):  # it printed nothing at all, where `runs` says "no runs yet"
            print("no sweeps stored yet: `python -m bertlab sweep --strategies zero_shot head_only --sizes 32 128` "
                  "starts one", file=sys.stderr)
        for s in listed:
            # "head_only (balanced)": a sweep with balanced class weights is not one without
            sizes = " ".join("all" if n is None else str(n) for n in s["sizes"])  # not Python's [32, None]
            # a sweep whose runs were all deleted was listed as if whole
            empty = ("  (no runs: `sweep --sweep-id ID` runs it, `sweep --delete ID` removes it)"
                     if not s["runs"] else "")
            # each seed draws its own split, or all train on one (--fixed-split): which one was said nowhere
            one = f" on split {s['split_seed']}" if s["split_seed"] is not None else ""
            print(f"{s['id']}  {s['dataset']}  {', '.join(s['shown'])}  sizes: {sizes}  seeds: "
                  f"{' '.join(map(str, s['seeds']))}{one}{empty}")
        return 0
    for out, what in ((args.html, "HTML plot"), (args.png, "PNG plot")):
        if out:
            output_file(out, what)  # before hours of training, not after
    if args.sweep_id:
        spec = sweep.load_sweep(store, args.sweep_id)
        if not args.no_run and (refused := sweep.refusals(spec)):
            # a plan stored before the refusal (partial_ft on ALBERT): its points were queued again, each to fail as
            # it started. Refused before anything is queued, as a new sweep is; --no-run still reports it.
            s, why = next(iter(refused.items()))
            others = [n for n in spec.strategies if n not in refused]
            instead = (f"start a sweep with its other settings and --strategies {' '.join(others)} for its other "
                       "points, or " if others else "")
            raise ConfigError(f"sweep {args.sweep_id} plans {s} on {spec.model}: {why.rstrip('.')}. Its plan cannot "
                              f"change: {instead}`python -m bertlab sweep --sweep-id {args.sweep_id} --no-run` "
                              "reports what it has done.")
        # its own plan stands: options that would make another one were taken and dropped without a word
        # every option of the plan (all but what to do with it: list, dry run, outputs, how to judge)
        given = _options_given(args, ("sweep_id", "list", "delete", "dry_run", "no_run", "html", "png", "json",
                                      "judge_by", "quiet"))
        if given:
            print(f"note: {', '.join(given)} ignored: --sweep-id resumes that sweep as it was planned (its "
                  "strategies, sizes, seeds, data, model and training settings); for another plan, start a sweep "
                  "without it", file=sys.stderr)
    else:
        if len(set(args.sizes)) != len(args.sizes):  # as --seeds: a repeated size was dropped without a word
            raise ConfigError("--sizes repeats a value; give each size once.")
        if twice := [s for s in dict.fromkeys(args.strategies) if args.strategies.count(s) > 1]:
            # stored as "head_only, head_only", with one run on two rows of its points (`run` refuses it too)
            raise ConfigError(f"--strategies names {', '.join(twice)} more than once: a sweep runs each strategy "
                              f"once at every size and seed; name it once (--strategies "
                              f"{' '.join(dict.fromkeys(args.strategies))}); for two settings of one, run a sweep per "
                              "setting.")
        check_max_lengths(args.model, dict.fromkeys(args.strategies, args.max_length))
        if not args.no_run:  # --no-run reports what is done and trains nothing: nothing to refuse it for
            check_refusals(args.model, args.strategies)
        split_seeds(args)  # the seeds count up from --split-seed, as the page's from the Data page's split seed
        args.train_size = None  # each point's split: its seed, or --split-seed's with --fixed-split
        data = data_config_from_arg(args.dataset, args)
        from bertlab.data import load_splits

        sp = load_splits(data)  # fail fast on a bad dataset, before any run is stored
        warn_unmarked_rows(sp)  # as `run` says it, before any point trains
        if not args.no_run:  # reading the tokenizer and 200 texts for runs it does not train (a9a5b24)
            check_tokenizer(args.model, args.strategies, sp.train.texts, args.new_vocab)
        # Sizes at or above the training examples all train on every one: they run once, as "all".
        sizes, merged = sweep.fit_sizes(args.sizes, len(sp.train))
        if merged:
            print(sweep.fit_sentence(merged, len(sp.train), None in args.sizes), file=sys.stderr)
        sizes, lifted = sweep.lift_sizes(sizes, len(sp.label_names))  # one example of each class at least
        if lifted:
            print(sweep.lift_sentence(lifted, len(sp.label_names)), file=sys.stderr)
        per_strategy = sweep_rates(args.lr, args.strategies)
        if args.new_vocab:  # the Learning curves page's "scratch: new vocabulary"
            if "scratch" in args.strategies:
                per_strategy.setdefault("scratch", {})["new_vocab"] = True
            else:
                print("--new-vocab: only scratch trains a new vocabulary, and this sweep does not run it",
                      file=sys.stderr)
        if args.label_descriptions:
            if "zero_shot" not in args.strategies:
                unread = DESCRIPTIONS_UNREAD.format(what="--label-descriptions", why="this sweep does not run it")
                print(f"warning: {unread}", file=sys.stderr)
            else:
                check_descriptions(args.label_descriptions, sp.label_names)
                per_strategy.setdefault("zero_shot", {})["label_descriptions"] = args.label_descriptions
        common = {k: v for k, v in {"epochs": args.epochs, "batch_size": args.batch_size,
                                    "max_length": args.max_length, "precision": args.precision,
                                    "keep_best": args.keep_best, "patience": args.patience,
                                    "class_weights": args.class_weights,
                                    "truncation": args.truncation}.items() if v}
        for field, flag in (("epochs", "--epochs"), ("batch_size", "--batch-size"), ("max_length", "--max-length")):
            # A sweep's settings apply to every strategy: say so where their own defaults differ (head_only's
            # 30 epochs are not full_ft's 3).
            if note := bare_value_note(flag, common.get(field), field, args.strategies, {}):
                print(note.split("; ")[0] + " (a sweep takes one value for all)", file=sys.stderr)
        spec = sweep.SweepSpec(strategies=args.strategies, sizes=sizes, seeds=args.seeds, data=data,
                               model=args.model, common=common, per_strategy=per_strategy, min_steps=args.min_steps,
                               vary_split=not args.fixed_split)
    stale = store.mark_interrupted(reason=ORPHANED)  # points left 'running' by a process that died: planned again
    if stale:
        from bertlab.data.dataset import counted

        print(f"{counted(len(stale), 'run')} left running by a stopped process marked interrupted", file=sys.stderr)
    if args.dry_run:  # nothing stored: a dry run's sweep appeared in --list and could be resumed
        sweep_id = args.sweep_id or sweep.find_sweep(store, spec) or "(not saved: a dry run)"
        todo, reused = sweep.split_points(store, spec)
    else:
        sweep_id, todo, reused = sweep.prepare(store, spec, args.sweep_id)
    # Points queued earlier (e.g. by an interrupted CLI sweep) run here too; a point that another
    # process claims first is skipped by execute_run's atomic claim.
    # A run deleted from elsewhere since it was planned is not waiting (store.get read None: AttributeError)
    stored = [r for i in reused if (r := store.get(i)) is not None]
    waiting = [r.id for r in stored if r.status == "queued"]
    configs = [r.run_config for r in stored if r.status == "queued"] + todo
    # what the Learning curves page says before it queues: how many texts "all" is, and how long the runs take here
    available = sweep.available_sizes()
    plans, seconds, unknown, memories = "", None, None, {}
    if args.no_run:  # it trains nothing: an estimate (and "all"'s count, another data load) was for runs it skips
        new = f"{len(todo)} not run (--no-run)"
    else:
        from bertlab.models import pick_device

        counted: list = []  # the points the estimate holds: 'up to' only of those that may stop early
        seconds, unknown = sweep.estimate_here(store, configs, pick_device().name, available, counted=counted)
        new = f"{len(todo)} new"
        plans = f"{sweep.all_sentence(spec, available)}{sweep.estimate_sentence(seconds, unknown, len(configs), sweep.stop_early_strategies(counted))}"
        memories = memory.per_strategy(configs, pick_device(), lambda c: (available(c) or {}).get("train"))
        plans += memory.plan_sentence(memories)
    print(f"sweep {sweep_id}: {spec.n_points} points, runs: {len(stored) - len(waiting)} done or running, "
          f"{len(waiting)} queued earlier, {new}.{sweep.shared_sentence(spec)}{plans}", file=sys.stderr)
    if memories and (too_big := memory.too_big_note(memories, memory.available_bytes(pick_device().type),
                                                    pick_device().type)):
        print(f"warning: {too_big}", file=sys.stderr)
    if args.dry_run:
        for c in configs:
            lr = f" lr={c.learning_rate:g}" if _uses(c.strategy, "learning_rate") else ""
            # zero_shot and tfidf_logreg have no epochs: "epochs=1" read as if they trained one (a review)
            epochs = f" epochs={c.epochs}" if _uses(c.strategy, "epochs") else ""
            every = (f" ({n['train']:,} texts)" if c.data.train_size is None and (n := available(c)) else "")
            print(f"  would run {c.strategy} n={c.data.train_size or 'all'} seed={c.seed}{epochs}{lr}"
                  f"{every}", file=sys.stderr)
        if args.json:  # the plan, as JSON (stdout was empty: `sweep --dry-run --json | jq` read nothing)
            from bertlab.strategies import REGISTRY

            print(json.dumps({"sweep_id": None if sweep_id.startswith("(") else sweep_id, "dry_run": True,
                              "points": spec.n_points, "done_or_running": len(stored) - len(waiting),
                              "queued_earlier": len(waiting), "new": len(todo),
                              # as the line above: null where no strategy has run here yet (or with --no-run)
                              "estimated_seconds": seconds or None, "points_not_estimated": unknown,
                              # each strategy's largest, as the line above says it; null where not estimated
                              "estimated_peak_memory_bytes": {n: e.bytes for n, e in memories.items()} or None,
                              "would_run": [{"strategy": c.strategy, "size": c.data.train_size,
                                             # null where no seed changes the strategy, as the points' seed
                                             "seed": c.seed if REGISTRY[c.strategy].uses_seed else None,
                                             "split_seed": c.data.seed,
                                             "epochs": c.epochs if _uses(c.strategy, "epochs") else None,
                                             "learning_rate": (c.learning_rate if _uses(c.strategy, "learning_rate")
                                                               else None)} for c in configs]}, indent=2))
        return 0
    if not args.no_run:
        ids = waiting + [store.create_run(c, sweep_id) for c in todo]
        try:
            # --json too: the progress is on stderr, stdout stays JSON
            _run_points(store, ids, args.quiet, sweep.strategy_names(spec))
        except KeyboardInterrupt as e:
            how, code = _stopped(e)
            store.mark_interrupted(reason=f"{how} while this run was training")
            # an app open on this data directory runs queued runs at once: "resumes it" promised a wait
            print(f"\ninterrupted ({how}): the rest stays queued: an app open on this data directory runs it; "
                  f"else `python -m bertlab sweep --sweep-id {sweep_id}` resumes it", file=sys.stderr)
            return code
    from bertlab import answer

    rows = sweep.collect(store, spec)
    # the curves, the table and the answers judge by one measure: macro-F1 where a class is rare, as in the app
    metric = args.judge_by or answer.sweep_metric(rows)
    by_f1 = metric == "macro_f1"
    agg = sweep.aggregate(rows, "test_macro_f1" if by_f1 else "test_accuracy")
    if args.html or args.png:
        fig = sweep.learning_curve_figure(agg, f"Learning curves: {spec.data.label}, {spec.model}",
                                          "test macro-F1" if by_f1 else "test accuracy", percent=not by_f1)
        if args.html:
            with writing(args.html, "HTML plot"):
                fig.write_html(args.html, include_plotlyjs=True)
            print(f"wrote {args.html} (the plot; `python -m bertlab report --sweep {sweep_id} -o report.html` "
                  "writes it with the tables and the answers)", file=sys.stderr)
        if args.png:
            from bertlab.report import figure_png

            png = figure_png(fig)  # drawn first: a browser that fails to start is not a file that cannot be written
            with writing(args.png, "PNG plot"):
                Path(args.png).write_bytes(png)
            print(f"wrote {args.png}", file=sys.stderr)
    if args.json:  # with the answer at each size ("which one to use"), as fields and as the table words it
        picks = answer.sweep_rows(rows, store.get, metric)
        print(json.dumps({"sweep_id": sweep_id, "metric": metric, "points": _points_json(rows, spec),
                          "curves": _curves_json(agg),
                          "answers": [{"size": r["size"], "n_train": r["n labelled"], "best": r["most accurate"],
                                       "best_score": r["accuracy"], "pick": r["pick"], "pick_score": r["pick accuracy"],
                                       "p": r["p"], "seeds_compared": r["seeds"], "why": t["why"],
                                       "not_same_text": r.get("whole")}
                                      for r, t in zip(picks, answer.sweep_table(picks))]}, indent=2))
    else:
        print(sweep.format_curves(agg, "test macro-F1" if by_f1 else "test accuracy"))
        if picks := answer.sweep_lines(answer.sweep_rows(rows, store.get, metric)):
            if metric != answer.sweep_metric(rows):  # chosen against the default: said, as on the app's page
                picks.insert(1, f"  (judged by {answer.JUDGES[metric].name} on request; by default "
                                f"{answer.JUDGES[answer.sweep_metric(rows)].name} here)")
            print("\n" + "\n".join(picks))
    return _sweep_status(rows, sweep_id)


def split_seeds(args: argparse.Namespace) -> None:
    """A new sweep's ``--split-seed`` and ``--seeds``, as the Learning curves page counts them from the Data page's
    split seed s: seeds s, s + 1, s + 2 where ``--seeds`` is not given, each drawing its own split, or all on split
    s with ``--fixed-split``. The CLI's sweeps started at split seed 0, so a page sweep on another had no twin.

    Raises:
        ConfigError: ``--split-seed`` and ``--seeds`` both given, the seeds drawing their own splits and not
            counting up from it (split s would be used by no point).
    """
    from bertlab.sweep import counted_seeds

    given, start = args.split_seed is not None, args.split_seed or 0
    if start < 0:
        raise ConfigError(f"--split-seed {start}: a split seed is a whole number of 0 or more.")
    if args.seeds is None:
        args.seeds = counted_seeds(start)
    elif given and not args.fixed_split and args.seeds[0] != start:
        seeds = " ".join(map(str, args.seeds))
        raise ConfigError(f"--split-seed {start} with --seeds {seeds}: each seed draws its own split (split seeds "
                          f"{seeds}), so split {start} would train no point. Count the seeds up from it (--seeds "
                          f"{' '.join(map(str, counted_seeds(start, len(args.seeds))))}, or no --seeds: "
                          f"{' '.join(map(str, counted_seeds(start)))}), or add --fixed-split to train every seed on "
                          f"split {start}.")
    args.split_seed = start


def _points_json(rows: list[dict], spec) -> list[dict]:
    """``sweep --json``'s points, their seeds named as ``runs --json`` names a run's: ``seed`` the training seed
    (null where no seed changes the strategy), ``split_seed`` the split's; ``sweep_seed`` the plan's seed the point
    is at. (Its ``seed`` was the plan's: 1 for a tfidf_logreg run that ``runs --json`` gave null.)"""
    from bertlab.strategies import REGISTRY

    out = []
    for r in rows:
        s, k = REGISTRY.get(r["strategy"]), r["seed"]
        point = {}
        for key, val in r.items():  # the seeds where the plan's seed was, the other fields in their order
            if key == "seed":
                point.update(sweep_seed=k, seed=k if s is None or s.uses_seed else None,
                             split_seed=k if spec.vary_split else spec.data.seed)
            else:
                point[key] = val
        out.append(point)
    return out


CURVE_NAMES = {"majority": "majority_accuracy", "majority_f1": "majority_macro_f1"}  # the points' names


def _curves_json(agg: list[dict]) -> list[dict]:
    """``sweep --json``'s curves in its points' words: ``n_train`` a whole number (the seeds' mean was 32.0 beside a
    point's 32), ``majority_accuracy`` and ``majority_macro_f1`` (they were ``majority`` and ``majority_f1``)."""
    return [{CURVE_NAMES.get(k, k): round(v) if k == "n_train" and v is not None else v for k, v in a.items()}
            for a in agg]


def _sweep_status(rows: list[dict], sweep_id: str) -> int:
    """The exit status of a sweep (0: every point succeeded), with why it is 1 on standard error: the points
    that did not succeed and the first line of each distinct error (it exited 1 with no word, each failure said
    only "failed after 0.2 s")."""
    from bertlab import sweep

    if all(r["status"] == "succeeded" for r in rows):
        return 0
    left = [r for r in rows if r["status"] != "succeeded"]
    if lines := sweep.unfinished_lines(rows):
        print("\npoints that did not succeed:\n" + "\n".join(lines), file=sys.stderr)
    waiting = sum(r["status"] in ("queued", "running") for r in left)
    print(f"exit status 1: {len(left)} of {len(rows)} points did not succeed"
          + (f" ({waiting} still queued or running)" if waiting else "")
          + f"; `python -m bertlab sweep --sweep-id {sweep_id}` runs the missing and failed ones again",
          file=sys.stderr)
    return 1


def _options_given(args: argparse.Namespace, besides: tuple[str, ...]) -> list[str]:
    """The options of the command given other than their defaults, but those in ``besides`` (their dests)."""
    return [a.option_strings[0] for a in args.command_parser._actions
            if a.option_strings and a.dest not in ("help", *besides)
            and getattr(args, a.dest) != (a.type(a.default) if isinstance(a.default, str) and a.type
                                          else a.default)]  # (argparse passes a text default through its type)


def _delete_sweep(store, sweep_id: str) -> int:
    """``sweep --delete ID``: its plan and the runs it queued that no other stored sweep holds."""
    from bertlab import sweep

    done = sweep.delete_sweep(store, sweep_id)
    if done.active:
        print(f"sweep {sweep_id} not deleted: {len(done.active)} of its runs are queued or running; cancel them "
              f"first ({', '.join(done.active)})", file=sys.stderr)
        return 1
    n = len(done.deleted)
    print(f"deleted sweep {sweep_id}: its plan and {n} run{'s' * (n != 1)} ({paths.freed_words(done.freed)})",
          file=sys.stderr)
    for other, ids in done.kept.items():
        print(f"kept {len(ids)} of its runs: sweep {other} uses "
              f"{'them' if len(ids) != 1 else 'it'} too", file=sys.stderr)
    for batch, ids in done.reused.items():  # another launch's runs: theirs to delete
        print(f"left {len(ids)} run{'s' * (len(ids) != 1)} it reused from batch {batch or '(none)'}"
              + (f": `python -m bertlab delete --batch {batch}` deletes {'them' if len(ids) != 1 else 'it'}"
                 if batch else ""), file=sys.stderr)
    return 0


STDOUT = object()  # an output named '-': standard output


def _written(path: str) -> str:
    """Where `report` wrote an output, in its "wrote ..." line: the path, or standard output for '-'."""
    return "to standard output" if path == "-" else path


def _put(dest, name: str, what: str, text: str) -> None:
    """``report``'s outputs: ``text`` to standard output where ``dest`` is :data:`STDOUT` ('-'), else into the file
    ``dest`` (the name ``name`` the user gave, in a refusal), the HTML as it is, a CSV with :func:`write_csv`'s
    byte-order mark."""
    if dest is STDOUT:
        to_stdout(text)
        return
    with writing(name, what):
        if what == "report":
            dest.write_text(text, encoding="utf-8")
        else:
            write_csv(dest, text)


def cmd_report(args: argparse.Namespace) -> int:
    from bertlab import report
    from bertlab.store import RunStore

    # Only CSVs asked for (--csv, --predictions, no -o): no HTML report lands in the folder unasked.
    if args.output is None and not (args.csv or args.predictions):
        args.output = DEFAULT_REPORT
    # '-': standard output, as `predict -o -` takes it (`report --csv - | ...` wrote a file named '-' in the cwd)
    if len(dashed := [flag for flag, v in (("-o", args.output), ("--csv", args.csv),
                                           ("--predictions", args.predictions)) if v == "-"]) > 1:
        raise BertlabError(f"{' and '.join(dashed)} both name standard output ('-'), where they would mix: give "
                           "one of them a file.")

    def target(path: str | None, what: str):
        return None if path is None else STDOUT if path == "-" else output_file(path, what)

    output = target(args.output, "report")
    csv_out = target(args.csv, "CSV")
    preds_out = target(args.predictions, "CSV of predictions")
    store = RunStore()
    ids = report.resolve_runs(store, run_ids=args.run_ids, batch=args.batch, sweep_id=args.sweep, points=True,
                                offer_sweep=True)
    from bertlab.pareto import load_prices

    saved = load_prices()  # as set on the app's Accuracy vs cost page; each flag overrides its part
    prices = report.Prices(cpu_hour=saved.cpu_hour if args.price_cpu is None else args.price_cpu,
                           gpu_hour=saved.gpu_hour if args.price_gpu is None else args.price_gpu,
                           currency=saved.currency if args.currency is None else args.currency,
                           # a flag sets its price; one left at the saved default is said to be one
                           unset=tuple(k for k in saved.unset if getattr(args, f"price_{k[:3]}") is None))
    if output is not None:
        html = report.build_html(store, ids, title=args.title, prices=prices, sweep_id=args.sweep,
                                 project_to=args.project_to, judge_by=args.judge_by)
        _put(output, args.output, "report", html)
        print(f"wrote {_written(args.output)} ({len(ids)} runs, {len(html) / 1e6:.1f} MB)", file=sys.stderr)
    if csv_out is not None:
        table = report.results_csv(store, ids, prices)
        _put(csv_out, args.csv, "CSV", table)
        print(f"wrote {_written(args.csv)}", file=sys.stderr)
    if preds_out is not None:
        table = report.predictions_csv(store, ids)
        _put(preds_out, args.predictions, "CSV of predictions", table)
        print(f"wrote {_written(args.predictions)}", file=sys.stderr)
        # one test set a file: the runs of another were left out without a word (a rotten_tomatoes run beside a
        # tweets one)
        if left := report.predictions_runs(store, ids)[1]:
            from bertlab.paired import load_predictions as paired_data

            names = variants.labels(left)
            why = {r.id: "did not finish" if r.status != "succeeded" else
                   "another test set" if paired_data(r) else "no test predictions kept" for r in left}
            where = "standard output" if args.predictions == "-" else args.predictions
            print(f"note: {where} holds the runs scored on the first run's test set; left out: "
                  + ", ".join(f"{names[r.id]} · {r.id[-4:]} ({why[r.id]})" for r in left)
                  + ("; `report RUN_ID ... --predictions FILE` of those on another test set writes theirs"
                     if "another test set" in why.values() else ""), file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bertlab.export import ZipWriteError, export_model_zip
    from bertlab.store import RunStore

    store = RunStore()
    run_id = store.resolve_id(args.run_id)
    try:
        path = export_model_zip(store, run_id, args.output, onnx=args.onnx)
    except ZipWriteError as e:
        # only the zip's own writes: `-o /proc/x.zip` said "[Errno 2] ... '/proc/x.zip.part'" (its temporary name);
        # a run's file that cannot be read, or a full /tmp while saving its encoder, keeps the OS's own words
        raise write_error(e.filename, "model zip", e) from None
    print(f"wrote {path}", file=sys.stderr)  # a message, as report's and predict's "wrote ...": stdout stays data
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from bertlab import report
    from bertlab.store import RunStore

    store = RunStore()
    many = args.all or args.before is not None
    if many and (args.run_ids or args.batch):
        raise BertlabError("--all and --before choose the runs themselves: give them without run ids or --batch.")
    if not args.run_ids and not args.batch and not many:
        raise BertlabError("name the runs to delete (run ids, or --batch BATCH_ID), or give --all or --before DATE.")
    if args.batch == "latest":  # it asks nothing: a batch deleted for good is named, not guessed
        raise BertlabError("name the batch to delete by its id (`python -m bertlab runs` lists them), not 'latest'.")
    if many:
        ids = _ended_runs_asked(store, args)
        if ids is None:  # none to delete, or the user said no
            return 0
    else:
        ids = report.resolve_runs(store, run_ids=args.run_ids, batch=args.batch)
    sizes = {i: store.disk_bytes(i) for i in ids}
    from bertlab import sweep

    # a run another stored sweep reused serves its curve too: deleting it took points from that sweep unsaid
    others = sweep.other_sweeps(store, ids, args.batch)
    deleted, left = store.delete_finished(ids)
    freed = sum(sizes[i] for i in deleted)
    print(f"deleted {len(deleted)} run{'s' * (len(deleted) != 1)} ({paths.freed_words(freed)})", file=sys.stderr)
    for other, used in others.items():
        if gone := [i for i in used if i in deleted]:
            who = "it" if len(deleted) == 1 else f"{len(gone)} of them"
            print(f"warning: {who} held points of sweep {other}, which loses them from its curve; "
                  f"`python -m bertlab sweep --sweep-id {other}` runs them again", file=sys.stderr)
    if args.batch and args.batch in sweep.sweep_ids(store):
        print(f"the plan of sweep {args.batch} stays (its points are missing now: `python -m bertlab sweep "
              f"--sweep-id {args.batch}` runs them again, `sweep --delete {args.batch}` removes it)",
              file=sys.stderr)
    if left:
        print(f"kept {len(left)} queued or running: cancel them first ({', '.join(left)})", file=sys.stderr)
        return 1
    return 0


def _ended_runs_asked(store, args: argparse.Namespace) -> list[str] | None:
    """delete --all / --before: the ended runs chosen, once the user said yes (``--yes``, or y at the prompt);
    None where they said no. Every ended run, or hundreds: asked once, unlike a delete that names its runs."""
    from bertlab import diskuse

    before = diskuse.parse_date(args.before) if args.before is not None else None
    store.mark_orphans()  # a run whose process on this host died has ended: deleted with the rest (a live one stays)
    ids = diskuse.ended_runs(store, before)
    which = f"ended before {args.before}" if before is not None else "ended"
    if not ids:
        print(f"no run {which}: nothing deleted", file=sys.stderr)
        return None
    if args.yes:
        return ids
    size = diskuse.format_bytes(sum(store.disk_bytes(i) for i in ids))
    if not sys.stdin.isatty():
        raise BertlabError(f"this deletes {len(ids)} {which} run{'s' * (len(ids) != 1)} ({size}) for good; "
                           "add --yes to confirm (no terminal here to ask in).")
    try:
        answer = input(f"Delete {len(ids)} {which} run{'s' * (len(ids) != 1)} ({size}) for good? Queued and running "
                       "runs stay. [y/N] ")
    except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the question: a no, not a traceback
        answer = ""
        print(file=sys.stderr)
    if answer.strip().lower() not in ("y", "yes"):
        print("nothing deleted", file=sys.stderr)
        return None
    return ids


def cmd_clean(args: argparse.Namespace) -> int:
    from bertlab import diskuse
    from bertlab.store import ACTIVE, RunStore

    if not args.caches:
        raise BertlabError("say what to clean: --caches (the embedding and ONNX caches; runs and uploads stay).")
    store = RunStore()
    store.check_writable()  # a read-only data directory: its caches stay, said so (not "removed ...: 0 B freed")
    # a run whose process on this host died is not running (it blocked clean); one owned by a live process, or by
    # one on another host sharing the folder, is left alone (mark_orphans, not mark_interrupted)
    store.mark_orphans()
    if busy := store.ids(ACTIVE):  # a queued head_only/zero_shot run reads and writes the embedding cache
        batches = sorted({r.batch_id for i in busy if (r := store.get(i)) is not None and r.batch_id})
        how = " and ".join(f"`python -m bertlab cancel --batch {b}`" for b in batches[:3]) or \
            f"`python -m bertlab cancel {' '.join(busy)}`"
        if len(batches) > 3:
            how += f", and {len(batches) - 3} more batches (`python -m bertlab runs` lists them)"
        raise BertlabError(f"{len(busy)} run{'s are' if len(busy) != 1 else ' is'} queued or running and may be "
                           f"using the caches: clean when they end (or cancel them: {how}).")
    freed = diskuse.clean_caches(store.root)
    print(f"removed the embedding and ONNX caches under {store.root / 'cache'}: {diskuse.format_bytes(freed)} freed "
          "(they are made again when a run or the Playground needs them)", file=sys.stderr)
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    """Cancel queued runs and stop running ones (:meth:`RunStore.request_cancel`): the CLI could only say "cancel
    them first" when asked to delete one, and had no way to."""
    from bertlab import report
    from bertlab.store import ACTIVE, CANCELLED, RUNNING, RunStore

    store = RunStore()
    if not args.run_ids and not args.batch:
        raise BertlabError("name the runs to cancel (run ids, or --batch BATCH_ID)")
    if args.batch == "latest":  # the newest launch may be someone else's on a shared data directory
        raise BertlabError("name the batch to cancel by its id (`python -m bertlab runs` lists them), not 'latest'")
    runs = [store.get(i) for i in report.resolve_runs(store, run_ids=args.run_ids, batch=args.batch)]
    active = [r for r in runs if r is not None and r.status in ACTIVE]
    # the queued first: none of them may start while the running ones are stopped
    for r in sorted(active, key=lambda r: r.status == RUNNING):
        now = store.request_cancel(r.id)
        if now == CANCELLED:
            print(f"cancelled {r.strategy} · {r.id}", file=sys.stderr)  # messages: stdout carries data alone
        elif now == RUNNING:
            print(f"stopping {r.strategy} · {r.id} (its process stops it within a training step; it is then "
                  "'cancelled', its curves so far kept)", file=sys.stderr)
        else:  # it ended meanwhile
            print(f"{r.strategy} · {r.id} had already ended: {now}", file=sys.stderr)
    ended = [r for r in runs if r is not None and r not in active]
    if not active:
        print("nothing to cancel: " + ("none of them is" if len(runs) > 1 else "it is not")
              + " queued or running", file=sys.stderr)
        return 1
    if ended and args.run_ids:  # a run named by its id that had ended: not what the user thought
        print(f"left {len(ended)} that had already ended: "
              + ", ".join(f"{r.id} ({r.status})" for r in ended), file=sys.stderr)
        return 1
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Train the runs waiting in the queue without a browser: after a server restart they waited until someone
    opened a page (the app's worker starts with its first page). Runs a live process queued (an open app, a CLI
    `run`) stay its own; the ones this takes are marked its own, so an app opened meanwhile leaves them to it."""
    from bertlab.jobs import JobManager
    from bertlab.store import QUEUED, RunStore, _other_live_process, set_process_kind

    set_process_kind("the `python -m bertlab worker` process")  # said of its run if it is killed (stopped_reason)
    store = RunStore()
    store.check_writable()  # a read-only data directory: nothing can be trained there, said so (not "training 1 ...")
    store.adopt_orphaned_queue()  # queued by a process that has stopped (a server restarted, a CLI killed)
    queued = store.list_runs(status=(QUEUED,), limit=None)
    left = [r for r in queued if _other_live_process(r.owner)]  # the manager leaves these, as an app starting does
    waiting = len(queued) - len(left)
    print(f"training {waiting} queued run{'s' * (waiting != 1)}"
          + (f"; {len(left)} more belong to another live process (an open app, a CLI run), which trains them"
             if left else ""), file=sys.stderr, flush=True)
    jm = JobManager(store)  # takes the queued runs no other live process owns, oldest first, launches in turn
    try:
        jm.wait_idle(poll=0.5)
    except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM: the run in progress is interrupted, the rest stay queued
        jm.stop_for_exit(reason=f"{_stopped(e)[0]} while this run was training")
        print(f"{_stopped(e)[0]}: the run in progress is marked interrupted, the rest stay queued", file=sys.stderr)
        return _stopped(e)[1]
    print("queue empty", file=sys.stderr)
    return 0


def add_extra_commands(sub) -> None:
    """The sweep, report, delete, cancel, worker and export subcommands."""
    sw = sub.add_parser("sweep", help="learning curves: strategies x training sizes x seeds (resumable)")
    sw.add_argument("--dataset", default="rotten_tomatoes", help="built-in name, a file path (or a dataset folder of train/validation/test files), or hub:<name>")
    from bertlab.sweep import DEFAULT_SIZES, DEFAULT_SWEEP_STRATEGIES

    sw.add_argument("--strategies", nargs="+", default=list(DEFAULT_SWEEP_STRATEGIES),
                    help=f"each named once (default: {' '.join(DEFAULT_SWEEP_STRATEGIES)}; `strategies` lists "
                         "them all)")

    # the Learning curves page's sizes: with 'all' the default was 75 runs on rotten_tomatoes, hours on a CPU
    sw.add_argument("--sizes", nargs="+", type=_size_arg, default=list(DEFAULT_SIZES),
                    help="training-set sizes; 'all' = the whole training split (default: "
                         f"{' '.join(map(str, DEFAULT_SIZES))}, the app's)")
    sw.add_argument("--seeds", nargs="+", type=int, metavar="SEED",
                    help="the seed values, not how many (--seeds 0 1 2: three seeds; --seeds 0: one): one run per "
                         "strategy, size and seed; each seed draws its own split unless --fixed-split (default: "
                         "three counted up from --split-seed, 0 1 2)")
    sw.add_argument("--model", type=model_arg, default=DEFAULT_MODEL, help="'minilm' (packaged), a hub id or a local "
                                                                        "directory")
    sw.add_argument("--val-size", type=_cap_arg, default=500, help="validation cap (also capped at each size), or "
                                                                   "'all'")
    sw.add_argument("--test-size", type=_cap_arg, default=1000, help="test cap, or 'all'")
    sw.add_argument("--epochs", type=int, help="for every strategy that trains over epochs (default: each "
                                               "strategy's own, raised to reach --min-steps at small sizes)")
    sw.add_argument("--batch-size", type=int, help="for every strategy (default: each strategy's own)")
    sw.add_argument("--lr", nargs="+", metavar=PER_STRATEGY_METAVAR,
                    help="peak learning rate, one per strategy: one value for every strategy that trains, or "
                         "NAME=VALUE for one of them (full_ft=2e-5); default: each strategy's own. For several "
                         "rates, run a sweep per rate.")
    sw.add_argument("--max-length", type=int, help="tokens read per text: a longer text keeps its first MAX_LENGTH (default: "
                    "each strategy's own; at most the model's positions, 512 for the packaged MiniLM; "
                    f"{TFIDF_READS}). " + MAX_LENGTH_COST)
    sw.add_argument("--precision", choices=PRECISIONS, help=PRECISION_HELP)
    sw.add_argument("--keep-best", action="store_true", help="restore each run's epoch of lowest validation loss")
    sw.add_argument("--patience", type=int, help="stop each run after this many epochs without a lower validation loss")
    sw.add_argument("--class-weights", choices=CLASS_WEIGHTS, help=CLASS_WEIGHTS_HELP)
    sw.add_argument("--truncation", choices=TRUNCATIONS, help=TRUNCATION_HELP)
    sw.add_argument("--new-vocab", action="store_true", help="scratch: train a new WordPiece vocabulary on each "
                    "point's training texts (reads no tokenizer: a model folder without tokenizer files serves)")
    sw.add_argument("--label-descriptions", nargs="+", help="zero_shot: one sentence per class, in label order "
                                                             "(default: the label names; built-in data: its own)")
    sw.add_argument("--min-steps", type=int, default=20,
                    help="raise epochs so each point trains at least this many optimizer steps, and at least its "
                         "strategy's own minimum (40 for full_ft, partial_ft, lora and dapt); 0: do not raise")
    sw.add_argument("--fixed-split", action="store_true", help="seeds vary initialisation only, not the data split")
    sw.add_argument("--split-seed", type=int, metavar="N",
                    help="where the seeds start, as the app's Data page split seed starts the Learning curves "
                         "page's: seeds N, N+1, N+2 (each its own split) unless --seeds is given, and with "
                         "--fixed-split every seed trains on split N (default 0)")
    sw.add_argument("--text-column", metavar="NAME", help=TEXT_COLUMN_HELP)
    sw.add_argument("--text-pair-column", metavar="NAME", help=TEXT_PAIR_HELP)
    sw.add_argument("--split-column", default=SPLIT_AUTO, metavar="NAME|none", help=SPLIT_COLUMN_HELP)
    sw.add_argument("--drop-rare-classes", action="store_true",
                   help="leave out the classes with fewer than 3 examples (with a note) instead of refusing the data")
    sw.add_argument("--label-column", metavar="NAME", help=LABEL_COLUMN_HELP)
    sw.add_argument("--hub-split", default="train", metavar="SPLIT", help=HUB_SPLIT_HELP)
    sw.add_argument("--hub-config", metavar="CONFIG", help="a hub dataset's config (subset), e.g. sst2 of glue")
    sw.add_argument("--hub-test-split", metavar="SPLIT", help=HUB_TEST_SPLIT_HELP)
    sw.add_argument("--sweep-id", help="resume (or re-plot) a stored sweep by its id")
    sw.add_argument("--list", action="store_true", help="list stored sweeps")
    sw.add_argument("--delete", metavar="SWEEP_ID", help="delete a stored sweep: its plan and the runs it queued "
                                                         "that no other stored sweep uses")
    sw.add_argument("--dry-run", action="store_true", help="show what would run, run nothing")
    sw.add_argument("--no-run", action="store_true", help="only report (table, --html, --png) what is done so far")
    sw.add_argument("--html", help="also write the learning-curve plot to this HTML file")
    sw.add_argument("--png", help="also write the plot as PNG (kaleido, or Playwright with a Chromium)")
    sw.add_argument("--json", action="store_true", help="print the sweep as one JSON object on stdout (its points, "
                    "curves and answer at each size; with --dry-run its plan; with --list the sweeps, an array); "
                    "progress and notes stay on stderr")
    sw.add_argument("--quiet", action="store_true", help=QUIET_HELP)
    sw.add_argument("--judge-by", choices=("accuracy", "macro_f1"), help=JUDGE_BY_HELP.replace(
        "the answer ('Which one to use?') judges", "the curves and 'Which one to use at each size?' judge"))
    sw.set_defaults(fn=cmd_sweep)
    rp = sub.add_parser("report", help="self-contained HTML report (and CSV) of runs, a batch or a sweep")
    rp.add_argument("run_ids", nargs="*", metavar="RUN_ID",
                    help="a run id, or its end as the app shows it (full_ft · d47a: d47a)")
    rp.add_argument("--batch", help="every run of this batch id ('latest': the newest launch)")
    rp.add_argument("--sweep", help="every point of this sweep id (adds its learning curves)")
    rp.add_argument("-o", "--output", help=f"the HTML report (default {DEFAULT_REPORT}, unless only --csv or "
                                           "--predictions is asked for; '-': to standard output)")
    rp.add_argument("--csv", help="write the results table as CSV ('-': to standard output)")
    rp.add_argument("--predictions", help="write every test text, its true label and each run's answer (with its "
                                          "confidence) as CSV ('-': to standard output)")
    rp.add_argument("--title", default="bertlab comparison", help="the report's title (default: bertlab comparison)")
    rp.add_argument("--price-cpu", type=_price, help="price of one CPU machine-hour (default: as last set on the "
                                                    "app's Accuracy vs cost page, else 0.05)")
    rp.add_argument("--price-gpu", type=_price, help="price of one GPU-hour (default: as set in the app, else 2.50)")
    rp.add_argument("--currency", help="currency symbol or code, at most 4 characters (default: as set in the app, "
                                       "else $)")
    rp.add_argument("--project-to", type=_at_least_one, default=PROJECT_TO, metavar="N",
                    help=f"training examples the report projects each strategy's training time and cost to "
                         f"(default {PROJECT_TO:,}, as the app's Accuracy vs cost page)")
    rp.add_argument("--judge-by", choices=("accuracy", "macro_f1"), help=JUDGE_BY_HELP.replace(
        "the answer ('Which one to use?') judges", "the report's answer, trade-offs and paired tests judge"))
    rp.set_defaults(fn=cmd_report)
    de = sub.add_parser("delete", help="delete runs for good (their models, curves and results), to free disk space")
    de.add_argument("run_ids", nargs="*", metavar="RUN_ID", help="a run id, or its end as the app shows it")
    de.add_argument("--batch", help="every run of this batch id (it asks nothing: name the batch, not 'latest')")
    de.add_argument("--all", action="store_true", help="every run that ended (queued and running ones stay); asks "
                                                       "first unless --yes")
    de.add_argument("--before", metavar="DATE", help="every run that ended before DATE (YYYY-MM-DD, local time); "
                                                     "asks first unless --yes")
    de.add_argument("--yes", action="store_true", help="with --all or --before: do not ask")
    de.set_defaults(fn=cmd_delete)
    cl = sub.add_parser("clean", help="free disk space the data directory's caches take (runs and uploads stay)")
    cl.add_argument("--caches", action="store_true", help="remove the embedding and ONNX caches under cache/ "
                                                          "(made again when needed); says how much it freed")
    cl.set_defaults(fn=cmd_clean)
    ca = sub.add_parser("cancel", help="cancel queued runs and stop running ones (the app's Cancel)")
    ca.add_argument("run_ids", nargs="*", metavar="RUN_ID", help="a run id, or its end as the app shows it")
    ca.add_argument("--batch", help="every queued or running run of this batch id (name it, not 'latest')")
    ca.set_defaults(fn=cmd_cancel)
    wo = sub.add_parser("worker", help="train the queued runs without a browser (after a server restart, they wait "
                                       "for a page to be opened), then exit")
    wo.set_defaults(fn=cmd_worker)
    ex = sub.add_parser("export", help="zip a finished run's model (safetensors; loads with plain transformers)")
    ex.add_argument("run_id", metavar="RUN_ID", help="a run id, or its end as the app shows it (full_ft · d47a: d47a)")
    ex.add_argument("-o", "--output", default=None,
                    help="a .zip path, or a folder to put <run id>.zip in (a name ending in / is a folder, made if need "
                         "be; default: the data directory's exports/)")
    ex.add_argument("--onnx", action="store_true",
                    help="also the model as model.onnx for ONNX Runtime (head_only, zero_shot: their encoder as "
                         "encoder/model.onnx), checked against PyTorch's answers; not tfidf_logreg")
    ex.set_defaults(fn=cmd_export)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bertlab", description="Compare ways of using a BERT encoder.")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("datasets", help="list built-in datasets").set_defaults(fn=cmd_datasets)
    sub.add_parser("strategies", help="list strategies").set_defaults(fn=cmd_strategies)
    r = sub.add_parser("run", help="run strategies one after another and print a comparison")
    r.add_argument("--dataset", default="rotten_tomatoes", help="built-in name, a file path (or a dataset folder of train/validation/test files), or hub:<name>")
    r.add_argument("--strategies", nargs="+", default=list(DEFAULT_STRATEGIES),
                   metavar="NAME", help=f"default: {' '.join(DEFAULT_STRATEGIES)}; `python -m bertlab "
                                        "strategies` lists them all, what each does and its defaults")
    r.add_argument("--model", type=model_arg, default=DEFAULT_MODEL, help="'minilm' (packaged), a hub id or a local directory")
    sizes = r.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true",
                       help="the app's Quick demo sizes: 500 / 200 / 500 (train / validation / test), where not given")
    sizes.add_argument("--classroom", action="store_true",
                       help="the app's Classroom sizes: 1000 / 300 / 1000 (train / validation / test), where not "
                            "given: a ranking to show in minutes, on enough test texts to tell gaps of a few points "
                            "from chance")
    r.add_argument("--train-size", type=_cap_arg, help="cap on training examples (default 2000, as the app's "
                                                        "Standard), or 'all'")
    r.add_argument("--val-size", type=_cap_arg, help="cap on validation examples (default 500), or 'all'")
    r.add_argument("--test-size", type=_cap_arg, help="cap on test examples (default 1000), or 'all'")
    def each(example: str) -> str:
        return f" One VALUE for every strategy, NAME=VALUE for one (e.g. {example}), or both."
    r.add_argument("--epochs", nargs="+", metavar=PER_STRATEGY_METAVAR,
                   help="default: each strategy's own (see `strategies`)." + each("head_only=50"))
    r.add_argument("--batch-size", nargs="+", metavar=PER_STRATEGY_METAVAR,
                   help="default: each strategy's own (see `strategies`)." + each("full_ft=8"))
    r.add_argument("--lr", nargs="+", metavar=PER_STRATEGY_METAVAR,
                   help="peak learning rate (linear warmup then decay); default: each strategy's own."
                        + each("full_ft=2e-5") + " Several joined by commas compare them in one launch, one run "
                        "each (× --repeats): head_only=1e-3,3e-2, or 2e-5,5e-5 for every strategy that trains.")
    r.add_argument("--max-length", nargs="+", metavar=PER_STRATEGY_METAVAR,
                   help="tokens per text: a longer text keeps its first VALUE (default 128; at most the model's "
                        f"positions, 512 for the packaged MiniLM; {TFIDF_READS}). " + MAX_LENGTH_COST
                        + each("full_ft=256"))
    r.add_argument("--weight-decay", nargs="+", metavar=PER_STRATEGY_METAVAR,
                   help="AdamW's weight decay, 0 to 1 (none on biases and LayerNorm weights); default: each "
                        "strategy's own (0.01; head_only 0)." + each("full_ft=0.1"))
    r.add_argument("--warmup", nargs="+", metavar=PER_STRATEGY_METAVAR,
                   help="share of the training steps over which the learning rate rises to its peak, 0 to below 1 "
                        "(default 0.1); not head_only, whose head trains at a constant rate." + each("full_ft=0.06"))
    r.add_argument("--option", action="extend", nargs="+", metavar="NAME.KEY=VALUE",
                   help="a strategy's extra option, e.g. lora.r=16, partial_ft.layers=2, dapt.mlm_epochs=2 "
                        "(`strategies` lists them); repeatable")
    r.add_argument("--seed", type=int, default=0,
                   help="training seed: initialisation, batch order, dropout (default 0); not the split")
    r.add_argument("--drop-rare-classes", action="store_true",
                   help="leave out the classes with fewer than 3 examples (with a note) instead of refusing the data")
    r.add_argument("--split-seed", type=int, default=0,
                   help="seed of the train/validation/test split (default 0, as the app's Data page)")
    r.add_argument("--repeats", type=int, default=1, choices=range(1, 11), metavar="N",
                   help="runs per strategy at training seeds seed, seed+1, ... (zero_shot and tfidf_logreg, which "
                        "no seed changes, run once); the answer "
                        "then compares the strategies' means over the seeds")
    r.add_argument("--precision", choices=PRECISIONS, help=PRECISION_HELP)
    r.add_argument("--new-vocab", action="store_true", help="scratch: train a new WordPiece vocabulary")
    r.add_argument("--keep-best", action="store_true",
                   help="restore the epoch with the lowest validation loss at the end (default: the last epoch)")
    # --from-run reruns a stored run with its settings: these undo a stored on/off one (a store_true alone could not)
    for flag, dest, what in (("--no-keep-best", "keep_best", "keep the last epoch"),
                             ("--no-new-vocab", "new_vocab", "use the model's own vocabulary"),
                             ("--no-drop-rare-classes", "drop_rare_classes", "refuse data with classes under 3 "
                                                                             "examples")):
        r.add_argument(flag, dest=dest, action="store_false", help=f"with --from-run: {what}, where the stored run "
                                                                   "did otherwise")
    r.add_argument("--patience", type=int, metavar="N",
                   help="early stopping: stop after N epochs in a row without a lower validation loss (default: "
                        "train every epoch); with --keep-best the best epoch is put back")
    r.add_argument("--class-weights", choices=CLASS_WEIGHTS, help=CLASS_WEIGHTS_HELP)
    r.add_argument("--truncation", choices=TRUNCATIONS, help=TRUNCATION_HELP)
    r.add_argument("--label-descriptions", nargs="+", help="zero_shot: one sentence per class, in label order")
    r.add_argument("--text-column", metavar="NAME", help=TEXT_COLUMN_HELP)
    r.add_argument("--text-pair-column", metavar="NAME", help=TEXT_PAIR_HELP)
    r.add_argument("--label-column", metavar="NAME", help=LABEL_COLUMN_HELP)
    r.add_argument("--split-column", default=SPLIT_AUTO, metavar="NAME|none", help=SPLIT_COLUMN_HELP)
    r.add_argument("--hub-split", default="train", metavar="SPLIT", help=HUB_SPLIT_HELP)
    r.add_argument("--hub-config", metavar="CONFIG", help="a hub dataset's config (subset), e.g. sst2 of glue")
    r.add_argument("--hub-test-split", metavar="SPLIT", help=HUB_TEST_SPLIT_HELP)
    r.add_argument("--from-run", metavar="RUN_ID",
                   help="rerun a stored run: its strategy, data, split and every setting as stored (`show RUN_ID` "
                        "prints them); other flags given override theirs (--seed 1, --lr 3e-5, --train-size 500, "
                        "--model ...), except those choosing other data or strategies")
    r.add_argument("--json", action="store_true", help="print the comparison as JSON")
    r.add_argument("--quiet", action="store_true", help=QUIET_HELP)
    r.add_argument("--judge-by", choices=("accuracy", "macro_f1"),
                   help=JUDGE_BY_HELP)
    r.set_defaults(fn=cmd_run)
    rs = sub.add_parser("runs", help="list stored runs")
    rs.add_argument("--limit", type=_positive_int, default=50, metavar="N|all",
                    help="the newest N runs, or 'all' (default: 50; where more are stored, stderr says how many)")
    rs.add_argument("--json", action="store_true", help="print the runs as a JSON array, one object per run, as run "
                                                        "--json gives them")
    rs.set_defaults(fn=cmd_runs)
    sh = sub.add_parser("show", help="one run's whole stored record: config, environment, metrics, costs, paths")
    sh.add_argument("run_id", metavar="RUN_ID", help="a run id, or its end as the app shows it (full_ft · d47a: d47a)")
    sh.add_argument("--json", action="store_true", help="the record as one JSON object")
    sh.set_defaults(fn=cmd_show)
    pa = sub.add_parser("paired", help="is one run really better? McNemar's test for runs on the same test set")
    pa.add_argument("run_ids", nargs="*", metavar="RUN_ID",
                    help="a run id, or its end as the app shows it (full_ft · d47a: d47a)")
    pa.add_argument("--batch", help="every run of this batch id ('latest': the newest launch)")
    pa.add_argument("--json", action="store_true", help="print the pairs as a JSON array on stdout, one object per "
                                                        "pair; the answer goes to stderr")
    pa.add_argument("--judge-by", choices=("accuracy", "macro_f1"),
                    help=JUDGE_BY_HELP)
    pa.set_defaults(fn=cmd_paired)
    pr = sub.add_parser("predict", help="predict with finished runs")
    pr.add_argument("run_id", metavar="RUN_ID", help="a run id (or its last characters, as the app shows them), several "
                    "joined by commas, or 'all'. A run that cannot answer (its saved model deleted or damaged) is "
                    "left out with a note and the others answer; the exit status is then 1 for a list (a script "
                    "that named its runs learns one did not answer), 0 for 'all' (whichever can), 2 where none can")
    pr.add_argument("text", nargs="*", help="text(s) to classify; one that starts with '-' goes after -- (predict "
                                            "RUN_ID --json -- \"-5 stars, awful\"), as every word after -- is a text")
    pr.add_argument("--file", help="texts to classify: one per line (.txt; '-': standard input), or a table (.csv, "
                                   ".tsv, .jsonl, .json, .parquet, .xlsx) whose text column is the one the run "
                                   "trained on, where it has that column, else found as on the Data page")
    pr.add_argument("--text", dest="text_option", action="append", default=[], metavar="TEXT",
                    help="a text to classify, as the texts after RUN_ID (repeatable)")
    pr.add_argument("--text-column", help="with --file: the table's column of texts")
    pr.add_argument("-o", "--output", help="write every prediction to this CSV, or to standard output with '-' "
                                           "(with --file: the row and the "
                                           "table's other columns, e.g. an id; then text, run, label, one "
                                           "probability per class) instead of printing them")
    pr.add_argument("--json", action="store_true", help="one JSON object per prediction (with -o: JSON lines "
                                                        "there instead of CSV)")
    pr.add_argument("--explain", action="store_true",
                    help="which words decided it: each word left out in turn (the first 60), its weight the drop "
                         "in the probability of the run's answer; prints each run's top 3 words for and against "
                         "(with --json every word's weight, and with --file each text's row). With --file at most "
                         f"{MAX_EXPLAIN_TEXTS} texts: each costs every run up to 61. A sketch of one method, not the "
                         "model's reasoning")
    pr.set_defaults(fn=cmd_predict)
    add_extra_commands(sub)
    # No abbreviated options: `predict RUN --text "..."` was read as --text-column, and the sentence as its name.
    for parser in (p, *sub.choices.values()):
        parser.allow_abbrev = False
    for parser in sub.choices.values():  # main() says an unknown option with the command's usage, not the top one's
        parser.set_defaults(command_parser=parser)
    return p


def cli_hint(error: BertlabError) -> str:
    """How to do on the command line what ``error`` asks (its words are the app's too, which has pickers)."""
    if isinstance(error, ColumnChoiceError):
        flag = f"--{error.column}-column"
        pick = (error.starts_at[error.column == "label"] if error.starts_at else
                error.choices[0] if error.choices else None)
        example = f", e.g. {flag} {pick}" if pick else ""
        return f" Use {flag} NAME{example}."
    if isinstance(error, RareClassError) and error.can_leave_out:
        return " Or add --drop-rare-classes to leave them out."
    return ""


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, `timeout`, a CI job cancelled), handled as Ctrl-C is: a run killed so left the rest of its
    batch 'queued' for ever, without a word."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def _stopped(e: KeyboardInterrupt) -> tuple[str, int]:
    """(how the run was stopped, in words; the exit status a shell gives it: 128 + the signal)."""
    return ("stopped by SIGTERM", 143) if isinstance(e, Terminated) else ("stopped with Ctrl-C", 130)


def main(argv: list[str] | None = None) -> int:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv)
    except Terminated:  # outside a training loop (predict, report, loading the data): quiet, as before
        return 143
    except KeyboardInterrupt:  # Ctrl-C there too (`run` loading its libraries and data printed a 60-line traceback)
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if before is None else before)


def given_options(parser: argparse.ArgumentParser, argv: list[str]) -> set[str]:
    """The dests of the options of ``parser`` that ``argv`` gives (``--seed 1``, ``--seed=1``), told apart from those
    left at their defaults: `run --from-run` overrides a stored run's settings with those given alone. Options are
    never abbreviated (allow_abbrev off), so each is matched whole; nothing after ``--`` is an option."""
    found = set()
    for word in argv[:argv.index("--")] if "--" in argv else argv:
        action = parser._option_string_actions.get(word.split("=", 1)[0]) if word.startswith("-") else None
        if action is not None:
            found.add(action.dest)
    return found


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.cmd == "predict":  # `predict RUN --json "a text"`: argparse took the texts before --json only
        # after `--` every word is a text, "-5 stars, awful" too (argparse leaves it unread once its texts are taken)
        cut = unknown.index("--") if "--" in unknown else len(unknown)
        args.text = [*args.text, *(u for u in unknown[:cut] if not u.startswith("-")), *unknown[cut + 1:]]
        unknown = [u for u in unknown[:cut] if u.startswith("-")]
    if unknown:  # `sweep --quick` showed the top-level usage ("python -m bertlab: error: ..."), not sweep's
        given = list(sys.argv[1:] if argv is None else argv)
        at = given.index(args.cmd) if args.cmd in given else len(given)
        # one before the command (`--bogus runs`) is the top level's
        whose = parser if set(unknown) & set(given[:at]) else getattr(args, "command_parser", parser)
        # a word not shaped like an option (`-5 stars`, `-awful`) is a text that starts with '-', perhaps
        texts = [u for u in unknown if not re.fullmatch(r"--[A-Za-z][\w-]*(=.*)?|-[A-Za-z]", u)]
        hint = (f" (a text that starts with '-' goes after --: predict RUN_ID -- {shlex.quote(texts[0])})"
                if args.cmd == "predict" and whose is not parser and texts else "")
        whose.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
    args.given = given_options(getattr(args, "command_parser", parser), sys.argv[1:] if argv is None else argv)
    try:
        return args.fn(args)
    except BertlabError as e:
        print(f"error: {e}{cli_hint(e)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `runs | head`: the reader has what it wanted; not "error: [Errno 32] Broken pipe"
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error as Python exits
        except (OSError, ValueError):  # a stdout with no file behind it (captured)
            pass
        return 141  # 128 + SIGPIPE, as a shell's tools exit
    except OSError as e:  # a full disk, a read-only folder: the message is enough, not a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
