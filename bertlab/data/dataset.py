"""The in-memory dataset type, cleaning/validation, and stratified splits."""

from __future__ import annotations

import heapq
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bertlab.config import MAX_TEXT_CHARS
from bertlab.errors import DataError, OwnTextLabelError, RareClassError

MAX_CLASSES = 200
ALL_DISTINCT_LABELS = 10  # a label column with a different value for each of this many texts or more is no label
TEST_FRACTION = 0.2  # the test split's share of the examples, before caps
# A share of the rows dropped for a text seen with different labels that says the label is not the text's (a survey's
# satisfaction 1-5 from its free-text answer: 217 of 600 rows, the same few words rated differently): said as a
# warning, as the scores are then on the rest only.
MANY_CONFLICTS, MANY_CONFLICTS_ROWS = 0.2, 10  # (and 10 rows at least: 2 of a toy file's 8 are no finding)
MANY_CONFLICTS_NOTE = "for these the label is not the text's alone"
NO_PART_NOTE = "with no value in the split column"  # the note of rows a file's own split leaves out
MIN_PER_CLASS = 3  # one example each for train, validation and test
# A file's own split: the values of its split column each part is read from (case and spacing ignored). "eval" and
# "evaluation" are left out on purpose: some files mean the validation set by them, others the test set.
PART_NAMES = {"train": "train", "training": "train", "trn": "train",
              "validation": "validation", "valid": "validation", "val": "validation", "dev": "validation",
              "development": "validation",
              "test": "test", "testing": "test", "tst": "test"}
PARTS = ("train", "validation", "test")


def warned(note: str) -> bool:
    """Whether a note of the data is said as a warning, before training and beside the Data page's numbers, not among
    the cleaning notes: rows a file's own split leaves out, or a large share dropped for conflicting labels."""
    return NO_PART_NOTE in note or MANY_CONFLICTS_NOTE in note


def part_of(v: object) -> str | None:
    """Which part (train, validation or test) a split column's value names; None where it names none."""
    if v is None or isinstance(v, (list, tuple, dict, set, np.ndarray)):
        return None
    return PART_NAMES.get(re.sub(r"[\s_-]+", "", str(v)).casefold())


def _no_part(v: object) -> bool:
    """A split cell left empty: missing, or only spaces (an empty JSON string, a blank Excel cell)."""
    return _is_missing(v) or (isinstance(v, str) and not v.strip())


@dataclass
class TextDataset:
    """Texts with integer labels and the names of those labels.

    Attributes:
        texts: the input strings.
        labels: label index per text, into ``label_names``.
        label_names: human-readable class names, index = label id.
        name: dataset name shown in the UI.
        description: one line about the data.
        label_descriptions: sentences describing each class (zero-shot prompts).
        notes: what cleaning did (dropped rows, merged labels...), for the user.
        columns: the (text, label) columns of a table it was read from (None for a built-in).
        parts: the file's own split, where it has one: "train", "validation" or "test" per text (None: the split
            is drawn, by seed).
        split_column: where ``parts`` came from, in words for messages: "the file's own split (column 'split')",
            "the hub's own splits (...)".
        row_ids: where each text came from in its table, to find it there again: the values of its id column
            (``row_id_name``), or its row number counting from 1 after the header (``row_id_name`` "row"); None for a
            built-in dataset.
        row_id_name: the header of ``row_ids`` in exported tables.
        pair_column: a text pair's second column (see :mod:`bertlab.textpair`); None for single texts.
    """

    texts: list[str]
    labels: list[int]
    label_names: list[str]
    name: str = ""
    description: str = ""
    label_descriptions: list[str] | None = None
    notes: list[str] = field(default_factory=list)
    columns: tuple[str, str] | None = None  # the (text, label) columns a file or hub table was read from
    # a text pair's second text column (``columns`` naming its first): each text is then the two joined by
    # bertlab.textpair.PAIR_SEP; None: single texts
    pair_column: str | None = None
    parts: list[str] | None = None
    split_column: str | None = None
    row_ids: list[str] | None = None
    row_id_name: str | None = None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def pairs(self) -> bool:
        """Whether these texts are a pair task's (a second text column was read): only then is a text's ``[SEP]``
        where its two texts meet (bertlab.textpair); in single texts it is a literal the tokenizer reads."""
        return self.pair_column is not None

    def counts(self) -> dict[str, int]:
        """Examples per class name, in label order."""
        c = Counter(self.labels)
        return {n: c.get(i, 0) for i, n in enumerate(self.label_names)}

    def subset(self, idx: list[int] | np.ndarray) -> TextDataset:
        """A new dataset holding the rows in ``idx`` (same label names)."""
        return TextDataset(
            texts=[self.texts[i] for i in idx],
            labels=[self.labels[i] for i in idx],
            label_names=list(self.label_names),
            name=self.name,
            description=self.description,
            label_descriptions=self.label_descriptions,
            columns=self.columns, pair_column=self.pair_column,
            parts=[self.parts[i] for i in idx] if self.parts is not None else None,
            split_column=self.split_column,
            row_ids=[self.row_ids[i] for i in idx] if self.row_ids is not None else None,
            row_id_name=self.row_id_name,
        )

    def without_classes(self, names: set[str]) -> TextDataset:
        """A new dataset without the rows of the classes ``names``, the other classes renumbered in order."""
        keep = [n for n in self.label_names if n not in names]
        new_id = {self.label_names.index(n): i for i, n in enumerate(keep)}
        rows = [i for i, y in enumerate(self.labels) if y in new_id]
        descs = self.label_descriptions
        return TextDataset(
            texts=[self.texts[i] for i in rows], labels=[new_id[self.labels[i]] for i in rows], label_names=keep,
            name=self.name, description=self.description,
            label_descriptions=[descs[self.label_names.index(n)] for n in keep] if descs else descs,
            notes=list(self.notes), columns=self.columns, pair_column=self.pair_column,
            parts=[self.parts[i] for i in rows] if self.parts is not None else None, split_column=self.split_column,
            row_ids=[self.row_ids[i] for i in rows] if self.row_ids is not None else None,
            row_id_name=self.row_id_name)

    def origin(self, i: int) -> dict[str, str]:
        """Where text ``i`` came from in the user's table, as a table cell to put first in a row:
        ``{"ticket_id": "T-17"}`` or ``{"row": "17"}``; {} where rows have no ids (a built-in dataset), or where the
        id column is named like a column of the tables it goes into (``text``, ``true label``)."""
        if self.row_ids is None or self.row_id_name in ("text", "true label"):
            return {}
        return {self.row_id_name: self.row_ids[i]}

    def majority_accuracy(self) -> float:
        """Accuracy of always predicting the most common class of this set."""
        if not self.labels:
            return 0.0
        return Counter(self.labels).most_common(1)[0][1] / len(self.labels)


@dataclass
class Splits:
    """Train/validation/test splits of one dataset, plus what was done to get them."""

    train: TextDataset
    val: TextDataset
    test: TextDataset
    notes: list[str] = field(default_factory=list)
    file_sha256: str | None = None  # the SHA-256 of the file read, where bertlab.data.shared knows it
    capped: tuple[str, ...] = ()  # the parts ("train", "validation", "test") a size cap left rows out of

    @property
    def label_names(self) -> list[str]:
        return self.train.label_names

    @property
    def pairs(self) -> bool:
        """Whether the texts are a pair task's (:attr:`TextDataset.pairs`)."""
        return self.train.pairs

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "validation": len(self.val), "test": len(self.test)}


def _is_missing(v: object) -> bool:
    """None, NaN, pandas' NA and NaT (nullable Parquet columns); never a list or other container."""
    if type(v) is str:  # the common case, first: pd.isna of a string took a third of reading a large file's rows
        return False
    if v is None:
        return True
    if isinstance(v, (list, tuple, dict, set, np.ndarray)):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


_WHOLE_FLOAT = re.compile(r"[+-]?\d+\.0+")


def _label_key(v: object) -> str:
    """Normalise a raw label: ints and int-valued floats become '3', strings are stripped and in Unicode's composed
    form (NFC): 'Café' typed with a decomposed 'é' (as macOS writes file names and often text) was a second class
    of the same name."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    s = unicodedata.normalize("NFC", re.sub(r"\s+", " ", str(v)).strip())
    if _WHOLE_FLOAT.fullmatch(s):  # "1.0" in a CSV is the same class as 1 in a Parquet file
        return str(int(s.split(".")[0]))
    return s


def quoted_start(text: str, most: int = 50) -> str:
    """``text`` quoted (repr), cut to its first ``most`` characters with "…" where longer: a label column's text of
    its own (a summary, an answer) named in the message that refuses it (build_dataset's, files' detection's)."""
    return repr(text if len(text) <= most else text[:most - 1] + "…")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with ``noun`` in the number it takes: '1 row', '2 rows', '1,234 copies' (``plural`` where not noun + s).
    Every note of cleaning says its counts through it: 'dropped 1 rows with a missing label' read on the Data page
    and on Compare."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _share(n: int, whole: int) -> str:
    """``n`` of ``whole`` as a whole percent, never '0%' nor '100%' for a part: '50%', 'under 1%', 'over 99%'."""
    r = n / whole
    return "under 1%" if r < 0.01 else "over 99%" if 0.99 < r < 1 else f"{r:.0%}"


def _spaced(v: object) -> bool:
    """Whether ``v`` is a text label that :func:`_label_key` changes by its spaces ('5 ', ' 3', 'very  good')."""
    return isinstance(v, str) and re.sub(r"\s+", " ", v).strip() != v


def _row_id(v: object) -> str:
    """A row's identifier as text: 17, 17.0 (a number column with a gap read as floats) and "17" alike read "17"."""
    if type(v) is int:  # row numbers, first: the checks below took seconds over a million rows
        return str(v)
    if _is_missing(v):
        return ""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


_NOT_WORD = re.compile(r"[^\w\s]")  # punctuation, symbols, emoji: anything but letters, digits and spaces


class _Blanking(dict):
    """``str.translate`` table turning punctuation and symbols into spaces, filled as characters are first met (a
    table of all of Unicode's would be large): 200,000 texts translate in about the time their plain keys take,
    where a regular expression's substitution took three times as long."""

    def __missing__(self, code: int) -> int:
        self[code] = out = 32 if _NOT_WORD.match(chr(code)) else code
        return out


_BLANKING = _Blanking()


def clip_note(n: int) -> str:
    """The note of ``n`` texts clipped to :data:`MAX_TEXT_CHARS` on loading, as :func:`clipped_texts` reads it. It
    said 'clipped 300 texts longer than 10,000 characters' and no more: on the Data page, a policy analyst's
    consultation responses of 1,500-8,000 words, every one clipped, read as a detail of cleaning, not as every
    strategy, tfidf_logreg too, reading only each document's start."""
    return (f"clipped {counted(n, 'text')} longer than {MAX_TEXT_CHARS:,} characters to their first "
            f"{MAX_TEXT_CHARS:,}: no strategy reads past that, tfidf_logreg included")


# (its start only: a run stored before the note said what it means has the start alone)
_CLIP_NOTE = re.compile(r"^clipped ([\d,]+) texts? longer than ([\d,]+) characters")


def clipped_texts(notes: list[str] | None) -> tuple[int, int] | None:
    """(how many texts, at how many characters) a run's or a split's ``notes`` say were clipped on loading
    (:func:`clip_note`); None where none were. A word past the clip is read by no strategy, tfidf_logreg included:
    Compare's answer said tfidf_logreg 'read each text whole' of consultation responses of 1,500-8,000 words, every
    one of them clipped to its first 10,000 characters."""
    for note in notes or []:
        if m := _CLIP_NOTE.match(note):
            return int(m[1].replace(",", "")), int(m[2].replace(",", ""))
    return None


# Texts clipped on loading, as a share of the texts read, from which a long-text line names the clip (the Train
# page's line before launch and Compare's answer, alike): bbc_news's 7 clipped articles, 0.6% of the Quick demo's
# 1,125, leave its median as it is and what tfidf_logreg read all but whole.
CLIP_SHARE = 0.10


def clip_worth_naming(notes: list[str] | None, n_texts: int | None) -> tuple[int, int] | None:
    """:func:`clipped_texts` of ``notes`` where the texts clipped are :data:`CLIP_SHARE` or more of the ``n_texts``
    read (0 or None: not known, named wherever any were); else None. One rule for every line that says the clip:
    the Train page named it for any clipped text where Compare's answer waited for a tenth of them."""
    c = clipped_texts(notes)
    return c if c and (not n_texts or c[0] >= CLIP_SHARE * n_texts) else None


def copy_key(text: str) -> str:
    """``text`` as :func:`build_dataset` compares texts for duplicates: case, spacing and Unicode form ignored (an
    uncased tokenizer sees the same input: 'café' composed and decomposed, full-width 'Ｔｈｅ ｍｏｖｉｅ' and 'The movie'
    were kept as two texts), clipped to :data:`MAX_TEXT_CHARS` as the data's texts are. NFKC changes which rows of
    the built-in datasets are kept by none (2026-12-06: 38 rotten_tomatoes and 174 tweets texts change form, none
    then matches another). Accents are not ignored: whether 'café' is 'cafe' depends on the model's tokenizer."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS])
    # Most texts need no spaces collapsed: a printable string holds no whitespace but the ASCII space (str.split's
    # every other one is a control character or a separator), so with no two spaces together and none at an end
    # splitting and joining gives it back. Skipped there: 200,000 uploaded texts took 0.72 s, 0.47-0.51 s without.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text.casefold()
    return " ".join(text.split()).casefold()


# Accents of Latin, Greek and Cyrillic letters once decomposed (the Combining Diacritical Marks block; Indic vowel
# signs, which make other words, are not among them)
_ACCENTS = re.compile("[\u0300-\u036f]")


# A link, or a retweet's "RT @user:" (anywhere: a quote-retweet's comment comes first): tweets that are one another
# but for these read alike to a model (the t.co link differs in every copy). tweets: 367 of the 7,431 test texts of
# its whole split are such copies of a training text, of which punctuation alone found 22.
_LINKS = re.compile(r"(?:https?://|www\.)\S+|\bRT\s+@\w+:?", re.IGNORECASE)


def near_key(text: str, accents: bool = False, links: bool = False) -> str:
    """``text`` as :func:`split_dataset` compares texts for near copies: case, spacing, punctuation and symbols
    ignored ('Great film, loved it!' and 'great film loved it' share one key), accents unless ``accents``
    ('Le café est très bon' and 'Le cafe est tres bon': an uncased tokenizer strips them, so a model may read the
    two alike), and links and a retweet's 'RT @user:' unless ``links`` ('RT @JetBlue: Our fleet's on fleek.
    http://t.co/ab' and 'Our fleet's on fleek. http://t.co/cd'). A text of nothing but punctuation, emoji or a link
    keeps its own spelling ('!!!' and '???' are two texts, not one empty key)."""
    base = text if links else _LINKS.sub(" ", text)
    loose = " ".join(base.translate(_BLANKING).split()).casefold() or " ".join(text.split()).casefold()
    return loose if accents else _ACCENTS.sub("", unicodedata.normalize("NFKD", loose))


def near_keys(train: list[str], test: list[str]) -> tuple[list[str], list[str]]:
    """:func:`near_key` of each ``train`` and each ``test`` text, for :func:`near_copies_note` and
    :func:`number_copies_note` to share: keying a text is most of what either check costs (200,000 texts with a
    number each, keyed once for both checks instead of twice: ``python -m bench.number_copies``)."""
    return [near_key(t) for t in train], [near_key(t) for t in test]


def near_copies_note(train: list[str], test: list[str], pairs: bool = False,
                     keys: tuple[list[str], list[str]] | None = None) -> str | None:
    """A note counting the ``test`` texts that differ from a ``train`` text only by punctuation or symbols, accents or
    links (:func:`near_key`; exact, case and spacing copies are dropped when the data is read; these are kept, as
    punctuation can change what a text says, but a model may have learned them by heart); None where none do.
    ``pairs``: a pair task's texts (bertlab.textpair), where a test pair that is a training pair reversed, (b, a)
    for (a, b), counts too: on a symmetric task (paraphrase) it is the same example; whether a task is, is not known
    here, so it is counted and the note says "or its reverse". ``keys``: :func:`near_keys` of ``train`` and
    ``test``, where the caller has them."""
    from bertlab.textpair import join_pair, split_pair

    train_keys, test_keys = keys or near_keys(train, test)
    seen: dict[str, str] = {}
    for t, k in zip(train, train_keys):
        seen.setdefault(k, t)

    def reverse(text: str) -> str | None:
        a, b = split_pair(text)
        return join_pair(b, a) if pairs and b is not None else None

    twins, shown, swapped = [], [], 0
    for t, k in zip(test, test_keys):
        if k in seen:
            twins.append((t, seen[k]))
        elif (r := reverse(t)) is not None and (k := near_key(r)) in seen:
            twins.append((r, seen[k]))  # compared in the training pair's order: accents, links are of the texts
            swapped += 1
        else:
            continue
        shown.append(t)
    if not twins:
        return None
    t, twin = shown[0], twins[0][1]
    of = " and " if twins[0][0] == t else ", the reverse of "  # cut to 60 characters, a reverse reads unrelated

    # cut to 60 characters each, where they differ: cut at the start, two that differ late (a comment and its copy
    # with ' lol' after a 57-character sentence) read as the same text twice
    same = next((i for i, (a, b) in enumerate(zip(t, twin)) if a != b), min(len(t), len(twin)))
    # from a word's start where one is near: one further back (a long link before the difference, as in a tweet
    # and its copy with another link) showed both from that word up to 57 characters, the difference cut again
    space = t.rfind(" ", max(0, same - 50), same - 25)
    start = 0 if same < 50 or (len(t) <= 60 and len(twin) <= 60) else space + 1 if space >= 0 else same - 30

    def short(s: str) -> str:
        s = s if start == 0 else "..." + s[start:]
        return repr(s if len(s) <= 60 else s[:57] + "...")

    verb = "differs" if len(twins) == 1 else "differ"
    # accents too: an uncased tokenizer strips them ('très' and 'tres' are one input), a cased one may not
    accented = sum(near_key(a, accents=True) != near_key(b, accents=True) for a, b in twins)
    linked = sum(near_key(a, links=True) != near_key(b, links=True) for a, b in twins)
    also = "".join(f"; {n:,} of them by {what}" for n, what in ((accented, "accents"),
                                                                 (linked, "links or a retweet's 'RT @user:'")) if n)
    if swapped:
        also += f"; {swapped:,} of them {'is' if swapped == 1 else 'are'} a training pair's reverse, its two texts swapped"
    what = "pair" if pairs else "text"
    return (f"{len(twins):,} of {counted(len(test), f'test {what}')} {verb} from a training {what}"
            f"{' or its reverse' * pairs} only by punctuation "
            f"or symbols{' or accents' * bool(accented)}{' or links' * bool(linked)} (such as {short(t)}{of}"
            f"{short(twin)}{also}): the scores "
            "may be higher than on new texts; remove such near copies from the data to test on unseen texts only")


_DIGITS = re.compile(r"\d+")
NUMBER_COPY_WORDS = 4  # words besides its numbers a text needs for number_copies_note to count it


def number_copies_note(train: list[str], test: list[str], pairs: bool = False,
                       keys: tuple[list[str], list[str]] | None = None) -> str | None:
    """A note counting the ``test`` texts that differ from a ``train`` text only in their numbers (and what
    :func:`near_key` ignores), not already near copies: support tickets, alerts and form letters that one template
    writes with another order number, date or amount. A review's 183 test tickets held 91 such texts ('Refund for
    order 23890 has not arrived' beside a training 'Refund for order 68081 has not arrived'), and nothing said so
    beside head_only's 97.8%. Kept (a number can be what a text says: '1/10' and '9/10'), but counted; None where
    no test text is such a copy. The built-in datasets have none at the Quick demo and Standard sizes (tweets' whole
    split: 7 of 7,431, a bot's price alerts). ``pairs``: a pair task's texts (bertlab.textpair), said as pairs, as
    :func:`near_copies_note` says them, and their joining ``[SEP]`` not counted among the words ('Order 3 [SEP] Order
    4 x' counted 4 words, where the same three words alone were passed over). ``keys``: :func:`near_keys` of
    ``train`` and ``test``, where the caller has them (split_dataset's, shared with :func:`near_copies_note`); else
    only texts with a digit are keyed."""
    numbered = [i for i, t in enumerate(test) if _DIGITS.search(t)]
    if not numbered:
        return None

    def key(i: int, texts: list[str], which: int) -> str:
        return keys[which][i] if keys is not None else near_key(texts[i])

    # only texts with a number can match one (a near copy, same numbers and all, has them too): each keyed once
    exact: set[str] = set()
    seen: dict[str, str] = {}
    for i, t in enumerate(train):
        if _DIGITS.search(t):
            exact.add(k := key(i, train, 0))
            seen.setdefault(_DIGITS.sub("0", k), t)
    twins = []
    for i in numbered:
        t, k = test[i], key(i, test, 1)
        # a text of a few words around its number is what the number says ('x 14', 'rated 3/5'): passed over
        if (k not in exact and (twin := seen.get(_DIGITS.sub("0", k))) is not None
                and len(_DIGITS.sub(" ", k).split()) - pairs >= NUMBER_COPY_WORDS):
            twins.append((t, twin))
    if not twins:
        return None

    t, twin = twins[0]
    # each cut to 57 characters around where the two first differ: cut at their starts, two texts whose number comes
    # later read the same ('The people in Dogtown and Z-Boys are so funny, aggressive...' twice)
    at = len(os.path.commonprefix([t, twin]))

    def short(s: str) -> str:
        if len(s) <= 60:
            return repr(s)
        start = max(0, min(at - 20, len(s) - 57))
        return repr(("..." if start else "") + s[start:start + 57] + ("..." if start + 57 < len(s) else ""))

    verb = "differs" if len(twins) == 1 else "differ"
    what = "pair" if pairs else "text"
    return (f"{len(twins):,} of {counted(len(test), f'test {what}')} {verb} from a training {what} only in their "
            f"numbers (such as {short(t)} and {short(twin)}): one {what} written again with another order number, date or "
            "amount, which a model may have learned by heart, so the scores may be higher than on new texts; "
            "remove such copies from the test part to test on unseen texts only")


def _sort_names(names: list[str]) -> list[str]:
    """Numeric labels sort numerically (so 2 < 10), others alphabetically with the numbers in them as numbers
    (topic_2 before topic_10: the charts and the zero_shot sentences listed topic_0, topic_1, topic_10...)."""
    try:
        return sorted(names, key=lambda s: float(s))
    except ValueError:
        return sorted(names, key=_natural)


def _natural(name: str) -> tuple:
    """Sort key: the parts of ``name`` alternate text, digits, text...; digits compare as numbers (by length, then
    digits: no int() of a 5,000-digit label), so each place compares like with like; the name breaks ties (01, 1)."""
    parts = re.split(r"(\d+)", name)
    return [(len(p.lstrip("0")), p.lstrip("0")) if i % 2 else p for i, p in enumerate(parts)], name


def build_dataset(
    texts: list[object],
    labels: list[object],
    name: str,
    description: str = "",
    label_names: list[str] | None = None,
    label_descriptions: list[str] | None = None,
    parts: list[object] | None = None,
    split_column: str = "split",
    split_source: str | None = None,
    row_ids: list[object] | None = None,
    row_id_name: str = "row",
    max_classes: int | None = MAX_CLASSES,
) -> TextDataset:
    """Clean raw columns into a :class:`TextDataset`, recording every change in ``notes``.

    Drops missing/empty texts and missing labels, clips very long texts, merges
    labels that differ only by case or spacing, drops duplicate texts (and texts
    that appear with conflicting labels), and checks the class count. ``parts``: the file's own split, one value
    per row of ``split_column`` (train, validation or test; see :data:`PART_NAMES`), ``split_source`` saying where
    they came from in messages (default: that column of a file); a text in two parts is kept in
    the test part first, then validation, so a fixed test set loses nothing to its copies in train. ``row_ids``:
    each row's identifier in its table (kept beside its text, as strings, under the header ``row_id_name``).
    ``max_classes``: the most classes taken (None: any number, for a label column the user named; more than
    :data:`MAX_CLASSES` then gets a note on how few test texts each class has).

    Raises:
        DataError: no usable rows, fewer than 2 classes, or too many classes; ``parts`` naming no part, or no test
            or train rows.
    """
    notes: list[str] = []
    if len(texts) != len(labels):
        raise DataError(f"text and label columns differ in length ({len(texts)} vs {len(labels)}).")
    n_raw = len(texts)
    if parts is not None:
        if len(parts) != n_raw:
            raise DataError(f"split and text columns differ in length ({len(parts)} vs {n_raw}).")
        unknown_parts = Counter(str(v).strip() for v in parts if not _no_part(v) and part_of(v) is None)
        if unknown_parts:
            shown = ", ".join(f"{v!r} ({n:,})" for v, n in unknown_parts.most_common(5))
            more = f" and {len(unknown_parts) - 5:,} more" if len(unknown_parts) > 5 else ""
            raise DataError(f"the split column {split_column!r} holds values that name no part: {shown}{more}. "
                            "bertlab reads train (or training), validation (val, dev) and test: rename those values, "
                            "or choose to draw the split instead of reading it from the file (the Data page's "
                            "Split: drawn; the command line's --split-column none).")
    # A column that marks test (or validation) rows and no train row: the rows it leaves empty are the ones to train
    # on (a file marking only its held-out test rows was refused as having no train rows, or, undetected, trained on
    # those test rows under a drawn split). Where it marks train rows too, an empty cell is left out, as said below.
    unmarked_train = parts is not None and "train" not in {part_of(v) for v in dict.fromkeys(
        v for v in parts if isinstance(v, str))}
    if row_ids is not None and len(row_ids) != n_raw:
        raise DataError(f"row ids and text column differ in length ({len(row_ids)} vs {n_raw}).")
    keep_t, keep_l, keep_p, keep_r = [], [], [], []
    n_empty = n_nolabel = n_nonstr = n_clipped = n_whole = n_nopart = n_astrain = 0
    seen_labels: dict[str, tuple[str, bool]] = {}  # a text label's key, and whether it is written like '1.0'
    raw_l: list[object] = []  # each kept row's label as written (text labels), to report spaces taken off
    for row, (t, y) in enumerate(zip(texts, labels)):
        if type(t) is str:  # the common case, first: a file's texts are strings
            s = t.strip()
        elif _is_missing(t):
            n_empty += 1
            continue
        elif isinstance(t, (list, dict, tuple, np.ndarray, bytes)):
            n_nonstr += 1
            continue
        else:
            s = str(t).strip()
        if not s:
            n_empty += 1
            continue
        if type(y) is str:  # labels repeat: each spelling is read once (a million rows have a few spellings)
            if (known := seen_labels.get(y)) is None:
                known = seen_labels[y] = (_label_key(y), bool(_WHOLE_FLOAT.fullmatch(y.strip())))
            key, whole = known
        elif _is_missing(y):
            n_nolabel += 1
            continue
        else:
            key, whole = _label_key(y), isinstance(y, str) and bool(_WHOLE_FLOAT.fullmatch(y.strip()))
        if key == "":
            n_nolabel += 1
            continue
        if parts is not None:
            if (part := part_of(parts[row])) is None:
                if not unmarked_train:
                    n_nopart += 1
                    continue
                part, n_astrain = "train", n_astrain + 1
            keep_p.append(part)
        if len(s) > MAX_TEXT_CHARS:
            s = s[:MAX_TEXT_CHARS]
            n_clipped += 1
        keep_t.append(s)
        keep_l.append(key)
        raw_l.append(y if isinstance(y, str) else key)
        if row_ids is not None:
            keep_r.append(str(v) if type(v := row_ids[row]) is int else _row_id(v))
        n_whole += whole
    spellings_raw = Counter(raw_l)  # counted at once, in the order first met (as counted row by row, slower)
    del raw_l
    if n_nonstr and not keep_t:
        raise DataError(
            "the text column holds nested values (lists or dicts), not text: choose a column of plain strings."
        )
    if n_empty:
        notes.append(f"dropped {n_empty:,} of {counted(n_raw, 'row')} with an empty or missing text")
    if n_nonstr:
        notes.append(f"dropped {counted(n_nonstr, 'row')} whose text was not a string")
    if n_nolabel:
        notes.append(f"dropped {counted(n_nolabel, 'row')} with a missing label")
    if n_nopart:  # rows a split column leaves unmarked: not guessed into a part, but said with what to do
        notes.append(f"dropped {n_nopart:,} of {counted(n_raw, 'row')} ({_share(n_nopart, n_raw)}) {NO_PART_NOTE} "
                     f"{split_column!r}: only rows marked train, validation or test are used; mark the others (train, "
                     "for instance) to train on them, or draw the split instead to use every row (the Data page's "
                     "Split: drawn; the command line's --split-column none)")
    if n_astrain:
        notes.append(f"took the {n_astrain:,} rows left empty in the split column {split_column!r} as train rows: it "
                     "marks no row as train, so the rows it leaves empty are the ones to train on")
    if n_whole:
        notes.append(f"read {counted(n_whole, 'label')} written like '1.0' as whole numbers ('1')")
    if n_clipped:
        notes.append(clip_note(n_clipped))
    if not keep_t:
        raise DataError(f"dataset {name!r} has no rows with both a non-empty text and a label.")

    # Merge labels that differ only by case ("Positive" vs "positive "): keep the commonest spelling.
    spellings = Counter(keep_l)
    by_fold: dict[str, list[str]] = {}
    for lab in spellings:
        by_fold.setdefault(lab.casefold(), []).append(lab)
    canon, merged = {}, []
    for variants in by_fold.values():
        best = max(variants, key=lambda v: (spellings[v], v))
        for v in variants:
            canon[v] = best
        if len(variants) > 1:
            merged.append(f"{sorted(variants)} -> {best!r}")
    # Spaces around a label ("5 " beside "5") were taken off before the merge above: said here, with the rows
    # each spelling had, so a file's stray space is never merged unsaid.
    target = {raw: canon[_label_key(raw)] for raw in spellings_raw}
    spaced = sorted(raw for raw in spellings_raw if _spaced(raw))
    alone = {t for t, n in Counter(target.values()).items() if n == 1}  # no other spelling: nothing merged
    for word, group in (("merged labels that differ only by spaces", [r for r in spaced if target[r] not in alone]),
                        ("took the spaces off labels", [r for r in spaced if target[r] in alone])):
        if group:
            listed = [f"{r!r} → {target[r]!r} ({counted(spellings_raw[r], 'row')})" for r in group]
            notes.append(f"{word}: " + ", ".join(listed[:8]) + (f" and {len(listed) - 8:,} more" if group[8:] else ""))
    # Accents written decomposed (a letter, then a combining mark) were composed above: said here, as the two forms
    # look the same on screen.
    decomposed = [raw for raw in spellings_raw if isinstance(raw, str) and not unicodedata.is_normalized("NFC", raw)]
    if decomposed:
        rows = sum(spellings_raw[r] for r in decomposed)
        shown = ", ".join(sorted({repr(target[r]) for r in decomposed})[:8])
        spellings_of = Counter(target.values())
        joined = any(spellings_of[target[r]] > 1 for r in decomposed)
        notes.append(f"{'merged' if joined else 'read'} labels whose accents were written decomposed (a letter, then a "
                     f"combining mark, as macOS writes them) {'with' if joined else 'as'} their composed spelling: "
                     f"{shown} ({counted(rows, 'row')})")
    if merged:  # one note for them all: six labels in two spellings read as six notes
        notes.append(f"merged labels that differ only by case: {'; '.join(sorted(merged))}")
    keep_l = [canon[lab] for lab in keep_l]

    # Duplicates: identical texts would leak between splits. Conflicting ones are unlearnable.
    # Texts that differ only by case or spacing count as identical: an uncased tokenizer sees the same input.
    keys = [copy_key(t) for t in keep_t]
    # A file's own split: a text in two parts is kept in the test part if it is there, else in validation (so no
    # test text is also trained on, and a fixed test set keeps its rows); its copies elsewhere go first.
    drop: set[int] = set()
    n_cross = n_cross_other = 0  # those copies: with the same label; with another label than the kept part's
    if keep_p:
        rank = {"test": 0, "validation": 1, "train": 2}
        best: dict[str, int] = {}
        for k, part in zip(keys, keep_p):
            best[k] = min(best.get(k, 3), rank[part])
        held: dict[str, str] = {}
        for i, (k, part) in enumerate(zip(keys, keep_p)):
            if rank[part] == best[k]:
                held.setdefault(k, keep_l[i])
        for i, (k, part) in enumerate(zip(keys, keep_p)):
            if rank[part] > best[k]:
                drop.add(i)
                n_cross += keep_l[i] == held[k]
                n_cross_other += keep_l[i] != held[k]
    first: dict[str, int] = {}
    conflict: set[str] = set()
    if drop:
        for i, (k, lab) in enumerate(zip(keys, keep_l)):
            if i in drop:
                continue
            j = first.setdefault(k, i)
            if j != i and keep_l[j] != lab:
                conflict.add(k)
        rows = [i for i, k in enumerate(keys) if i not in drop and first[k] == i and k not in conflict]
        n_conflict_rows = sum(1 for i, k in enumerate(keys) if i not in drop and k in conflict)
        near_pairs = [(keep_t[first[k]], keep_t[i]) for i, k in enumerate(keys)
                      if i not in drop and k not in conflict and keep_t[first[k]] != keep_t[i]]
    else:  # no row dropped above (no split of the file's own): the same, with fewer passes over every row
        # each key's first row: built backwards, so an earlier row overwrites a later one (in C, not row by row)
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
        # the first rows, in order, and the copies: marked from first's values (not by looking each row's key up)
        is_first = np.zeros(len(keys), dtype=bool)
        is_first[np.fromiter(first.values(), dtype=np.int64, count=len(first))] = True
        rows, later = np.flatnonzero(is_first).tolist(), np.flatnonzero(~is_first).tolist()
        conflict = {keys[i] for i in later if keep_l[first[keys[i]]] != keep_l[i]}
        if conflict:
            rows = [i for i in rows if keys[i] not in conflict]
            n_conflict_rows = sum(1 for k in keys if k in conflict)
        else:
            n_conflict_rows = 0
        near_pairs = [(keep_t[j], keep_t[i]) for i in later
                      if keys[i] not in conflict and keep_t[j := first[keys[i]]] != keep_t[i]]
    n_dupes = len(keep_t) - len(rows) - n_conflict_rows - len(drop)
    n_near = len(near_pairs)
    # composed and decomposed accents, full-width letters (NFKC): said, as they look alike or nearly so
    n_form = sum(" ".join(a.split()).casefold() != " ".join(b.split()).casefold() for a, b in near_pairs)
    if n_dupes:
        form = f" or Unicode form ({n_form:,} of them: composed or decomposed accents, full-width letters)"
        near = (f"; {n_near} of them {'differs' if n_near == 1 else 'differ'} from it only by case or spacing"
                + (form if n_form else "") if n_near else "")
        notes.append(f"dropped {counted(n_dupes, 'duplicate text')} (kept the first of each{near})")
    if conflict:
        many = n_conflict_rows >= max(MANY_CONFLICTS * n_raw, MANY_CONFLICTS_ROWS)
        notes.append(f"dropped {counted(n_conflict_rows, 'row')} whose text appears with different labels"
                     + (f" ({_share(n_conflict_rows, n_raw)} of {counted(n_raw, 'row')}): {MANY_CONFLICTS_NOTE}, and no "
                        "test text is one of them, so the scores are on the texts whose words settle their label and "
                        "overstate how well any run labels every row" if many else ""))
    if n_cross or n_cross_other:
        notes.append(f"dropped {counted(n_cross + n_cross_other, 'copy', 'copies')} of "
                     "texts that are also in the test part (or validation) of the data's own split"
                     + (f", {n_cross_other:,} of them with another label (the test part's is kept)"
                        if n_cross_other else "")
                     + ": a text in two parts is kept in the test part if it is there, else in validation, so no "
                       "test text is also trained on")
    n_texts, n_labels = len(first), len(set(keep_l))  # distinct, before duplicates go: a swap shows here
    keep_t = [keep_t[i] for i in rows]
    keep_l = [keep_l[i] for i in rows]
    keep_p = [keep_p[i] for i in rows] if parts is not None else []
    keep_r = [keep_r[i] for i in rows] if row_ids is not None else []

    names = label_names or _sort_names(sorted(set(keep_l)))
    unknown = sorted(set(keep_l) - set(names))
    if unknown:
        raise DataError(f"labels {unknown[:5]} are not among the declared label names {names}.")
    present = sorted(set(keep_l))
    if not present:
        raise DataError(
            f"dataset {name!r} has no usable rows: every text appears more than once with different labels. "
            + (f"The text column has only {n_texts:,} distinct values and the label column {n_labels:,}: the two look "
               "swapped; choose the text and label columns the other way round." if n_labels > n_texts else
               f"The text column has only {n_texts:,} distinct value{'s' * (n_texts != 1)} in {n_raw:,} rows: it is "
               "probably not the column of texts; choose another text column." if n_texts < 0.2 * n_raw else
               "Check that the label column matches the text column row by row.")
        )
    if len(present) < 2:
        raise DataError(
            f"dataset {name!r} has only one class ({present[0]!r}) after cleaning: "
            "a classifier needs at least 2 classes. Check the label column."
        )
    # every text its own class: a summary's, an answer's or a free-text note's column taken as the label listed 60 of
    # them as 'classes with fewer than 3 examples' (or, past MAX_CLASSES, said the column had too many values,
    # or 'fewer than 3 a class'): checked first, as what such a column is
    if len(present) == len(keep_t) >= ALL_DISTINCT_LABELS:
        raise OwnTextLabelError(
            f"the label column has a different value for each of its {len(keep_t):,} texts, such as "
            f"{quoted_start(present[0])} and {quoted_start(present[1])}: each would be a class of one text, which no classifier can "
            "learn or be tested on. Is it really the label column (not an id or a text column: a summary, an answer, "
            "a note)? bertlab classifies each text into one of a few classes, each with many texts; choose another "
            "label column."
        )
    if max_classes is not None and len(present) > max_classes:
        raise DataError(
            f"the label column has {len(present):,} distinct values; bertlab supports up to {max_classes} classes. "
            "Is it really the label column (not an id or a text column)? Choose another label column."
        )
    # A column named by the user is taken past MAX_CLASSES, but not one of fewer than 3 texts a class on average
    # (an id column picked on the Data page: each class needs 3, and listing 300 rare classes hid the real mistake)
    if len(present) > MAX_CLASSES and len(keep_t) < 3 * len(present):
        raise DataError(
            f"the label column has {len(present):,} distinct values for {len(keep_t):,} texts, fewer than 3 a class "
            "(each class needs one text each for training, validation and test). Is it really the label column (not "
            "an id or a text column)? Choose another label column."
        )
    if len(present) > MAX_CLASSES:  # named by the user: taken, with what it costs the test set
        per = len(keep_t) / len(present)
        notes.append(f"the label column has {len(present):,} classes, more than the {MAX_CLASSES:,} bertlab takes "
                     f"from a column it detects (this one was chosen as the label column): {per:,.1f} texts per class on "
                     f"average leave about {per * TEST_FRACTION:,.1f} per class in the test set (fewer under a test "
                     "cap), too few for a class's own scores to mean much")
    if (scale := _number_scale(present)) is not None:
        notes.append(scale)
    if parts is not None:
        source = split_source or f"the file's own split (column {split_column!r})"
        n_part = Counter(keep_p)
        for need in ("train", "test"):
            if not n_part[need]:
                raise DataError(f"{source} leaves no {need} rows"
                                + (" after cleaning" if n_raw > len(keep_p) else "")
                                + f" (it has {', '.join(f'{n_part[p]:,} {p}' for p in PARTS)}): a split of one's own "
                                "needs labelled train and test rows; or choose to draw the split instead (the Data "
                                "page's Split: drawn; the command line's --split-column none).")
        held = [f"{n_part[p]:,} {p}" for p in PARTS if n_part[p]]
        notes.append(f"{source}: {', '.join(held[:-1])} and {held[-1]} rows"
                     + ("" if n_part["validation"] else "; no validation rows, so validation is drawn from the train "
                        "rows"))
    index = {n: i for i, n in enumerate(names)}
    return TextDataset(
        texts=keep_t,
        labels=[index[lab] for lab in keep_l],
        label_names=list(names),
        name=name,
        description=description,
        label_descriptions=label_descriptions,
        notes=notes,
        parts=keep_p if parts is not None else None,
        split_column=source if parts is not None else None,
        row_ids=keep_r if row_ids is not None else None,
        row_id_name=row_id_name if row_ids is not None else None,
    )


def _number_scale(classes: list[str]) -> str | None:
    """A note where the classes are 3 or more whole numbers in a row (1-5, 0-10): a rating scale (a Likert item's
    satisfaction 1-5, stars) or a code book's codes, read alike as classes with no order. Nothing said so: a survey's
    satisfaction 1-5 was scored by accuracy and macro-F1, a 4 answered for a 5 as wrong as a 1, without a word."""
    try:
        values = sorted(int(c) for c in classes)
    except ValueError:
        return None
    if len(values) < 3 or values != list(range(values[0], values[0] + len(values))):
        return None
    # -1 to 1 (a sentiment's negative, neutral, positive), not "-1-1"
    span = f"{values[0]}-{values[-1]}" if values[0] >= 0 else f"{values[0]} to {values[-1]}"
    return (f"the labels are the whole numbers {span}, taken as {len(values)} classes with no "
            "order: right for a code book's codes; for a rating scale (a Likert item, stars), accuracy and macro-F1 "
            f"count an answer one step off (a {values[-1] - 1} for a {values[-1]}) as wrong as one "
            f"{len(values) - 1} steps off, and no strategy here uses their order")


def _allocate(sizes: list[int], n: int, caps: list[int]) -> list[int]:
    """Split ``n`` picks among classes of ``sizes`` in proportion, at least one each, at most ``caps``.

    Seats go one at a time to the class with the highest ``size / (alloc + 0.5)``
    (the Sainte-Lague divisor method), so the allocation for ``n + 1`` is the one
    for ``n`` plus one pick: growing a cap never drops an example already picked.
    """
    alloc = [min(1, c) for c in caps]
    rest = n - sum(alloc)
    heap = [(-s / (a + 0.5), i) for i, (s, a, c) in enumerate(zip(sizes, alloc, caps)) if a < c]
    heapq.heapify(heap)
    while rest > 0 and heap:
        _, i = heapq.heappop(heap)
        alloc[i] += 1
        rest -= 1
        if alloc[i] < caps[i]:
            heapq.heappush(heap, (-sizes[i] / (alloc[i] + 0.5), i))
    return alloc


def _stratified_take(labels: np.ndarray, idx: np.ndarray, n: int, rng: np.random.Generator,
                     leave: int = 0) -> np.ndarray:
    """Pick ``n`` of ``idx`` keeping class proportions, at least one per class.

    ``leave`` examples of every class stay behind (for the splits still to be
    drawn from what is left). For a fixed ``rng`` seed the picks for a larger
    ``n`` contain those for a smaller one.
    """
    classes = np.unique(labels[idx])
    n = max(n, len(classes))
    if n >= len(idx) and leave == 0:
        return idx
    per = {c: idx[labels[idx] == c] for c in classes}
    sizes = [len(per[c]) for c in classes]
    alloc = _allocate(sizes, n, [max(0, s - leave) for s in sizes])
    out = [rng.permutation(per[c])[:a] for c, a in zip(classes, alloc)]
    return np.sort(np.concatenate(out))


def split_dataset(
    ds: TextDataset,
    seed: int = 0,
    val_fraction: float = 0.1,
    test_fraction: float = TEST_FRACTION,
    train_size: int | None = None,
    val_size: int | None = None,
    test_size: int | None = None,
    drop_rare: bool = False,
) -> Splits:
    """Stratified train/validation/test split with optional caps on each part.

    The split of the whole dataset does not depend on the caps, so a test set
    stays the same while ``train_size`` varies (learning curves). ``drop_rare``: leave out the classes with
    fewer than :data:`MIN_PER_CLASS` examples (with a note) instead of refusing.

    Raises:
        DataError: a class has too few examples to appear in every split (and not ``drop_rare``).
    """
    if ds.parts is not None:
        return _split_by_parts(ds, seed, val_fraction, test_fraction, train_size, val_size, test_size, drop_rare)
    counts = ds.counts()
    small = {k: v for k, v in counts.items() if 0 < v < MIN_PER_CLASS}
    # the smallest first, eight at most: "'mixed' (1), 'other' (2) and 3 more"
    listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(small.items(), key=lambda kv: (kv[1], str(kv[0])))[:8])
    listed += f" and {len(small) - 8:,} more" if len(small) > 8 else ""
    dropped_note = None
    # leaving them out must leave two classes to tell apart (a file whose texts had been read as its labels
    # offered to leave out all 30 of its "classes")
    can_leave_out = len(small) < sum(1 for v in counts.values() if v) - 1
    if drop_rare and small:
        if not can_leave_out:
            raise DataError(f"leaving out the classes with fewer than {MIN_PER_CLASS} examples would leave fewer "
                            "than two classes to tell apart; add examples instead.")
        n_rows = sum(small.values())
        dropped_note = (f"left out {len(small):,} class{'es' * (len(small) > 1)} with fewer than {MIN_PER_CLASS} "
                        f"examples ({n_rows:,} row{'s' * (n_rows > 1)}): {listed}")
        ds = ds.without_classes(set(small))
        small = {}
    labels = np.asarray(ds.labels)
    if len(small) == 1:
        k, v = next(iter(small.items()))
        raise RareClassError(f"class {k!r} has {v} example(s); each class needs at least {MIN_PER_CLASS} (one each "
                             "for train, validation and test). " + ("Add examples or remove that class." if
                                                                     can_leave_out else _too_few_left(1)),
                             list(small), can_leave_out)
    if small:  # all of them at once: fixing one class and re-uploading to meet the next one is no way to work
        raise RareClassError(f"{len(small):,} classes have fewer than {MIN_PER_CLASS} examples: {listed}; each class "
                             f"needs at least {MIN_PER_CLASS} (one each for train, validation and test). "
                             + ("Add examples or remove those classes." if can_leave_out else _too_few_left(len(small))),
                             list(small), can_leave_out)
    _check_caps(train_size, val_size, test_size)
    rng = np.random.default_rng(seed)
    all_idx = np.arange(len(ds))
    n_test = max(1, round(test_fraction * len(ds)))
    n_val = max(1, round(val_fraction * len(ds)))
    test_idx = _stratified_take(labels, all_idx, n_test, rng, leave=2)
    rest = np.setdiff1d(all_idx, test_idx)
    val_idx = _stratified_take(labels, rest, n_val, rng, leave=1)
    train_idx = np.setdiff1d(rest, val_idx)
    notes: list[str] = list(ds.notes) + ([dropped_note] if dropped_note else [])
    notes += [n for n in (one_each_note("test", len(test_idx), n_test, test_fraction, len(ds), len(train_idx)),
                          one_each_note("validation", len(val_idx), n_val, val_fraction, len(ds), len(train_idx)))
              if n]
    return _capped(ds, labels, train_idx, val_idx, test_idx, seed, rng, notes, train_size, val_size, test_size)


def one_each_note(part: str, got: int, share: int, fraction: float, total: int, n_train: int) -> str | None:
    """A note where a split took more than its share (``share``, ``fraction`` of ``total``) because every class
    needs one example there, or None. 40 classes of 5 texts: validation took 40 texts (20%) for its 10% share of
    20, out of the training texts, and nothing said so."""
    if got <= share:
        return None
    return (f"the {part} split holds {got:,} texts ({got / total:.0%}), one of each of the {got:,} classes, not its "
            f"{fraction:.0%} share ({share:,}): every class needs one there, so training keeps {n_train:,} of the "
            f"{total:,} ({n_train / total:.0%})")


THIN_TRAIN = 3  # fewer training examples of a class than this: next to nothing to learn it from


def thin_train_note(label_names: list[str], train_labels: np.ndarray) -> str | None:
    """A note naming the classes with fewer than :data:`THIN_TRAIN` training examples, or None. A class of 3 rows
    beside classes of 100 passed the split's minimum with 1 training example, and nothing said that its scores
    (recall on 1 or 2 test texts) measure luck more than learning."""
    counts = Counter(train_labels.tolist())
    thin = {n: counts[i] for i, n in enumerate(label_names) if counts[i] < THIN_TRAIN}
    if not thin:
        return None
    ranked = sorted(thin.items(), key=lambda kv: (kv[1], str(kv[0])))
    listed = ", ".join(f"{n!r} ({k})" for n, k in ranked[:8]) + (f" and {len(thin) - 8:,} more" if len(thin) > 8
                                                                  else "")
    one = len(thin) == 1
    return (f"{counted(len(thin), 'class', 'classes')} {'has' if one else 'have'} fewer than {THIN_TRAIN} training "
            f"examples: {listed}; a model has next to nothing to learn {'it' if one else 'them'} from, and "
            f"{'its' if one else 'their'} test scores rest on a text or two: add examples of "
            f"{'it' if one else 'them'} (or leave {'it' if one else 'them'} out)")


def _too_few_left(n: int) -> str:
    return (f"Add examples: without {'it' if n == 1 else 'them'}, fewer than two classes would be left to tell apart "
            "(is the label column the right one?).")


def _check_caps(train_size: int | None, val_size: int | None, test_size: int | None) -> None:
    for fld, val in (("train_size", train_size), ("val_size", val_size), ("test_size", test_size)):
        if val is not None and val < 1:
            raise DataError(f"{fld} must be a positive number of examples or empty for all, got {val}.")


def _split_by_parts(ds: TextDataset, seed: int, val_fraction: float, test_fraction: float, train_size: int | None,
                    val_size: int | None, test_size: int | None, drop_rare: bool) -> Splits:
    """:func:`split_dataset` for a dataset with its own split (``ds.parts``): its test rows are the test set and
    its validation rows the validation set (where it has none, a stratified share of its train rows, drawn by
    ``seed``); the caps then take a stratified part of each, as for a drawn split. Every class needs a train row;
    ``drop_rare`` leaves out the classes with none instead of refusing."""
    parts = np.asarray(ds.parts)
    counts = ds.counts()
    train_counts = Counter(y for y, p in zip(ds.labels, ds.parts) if p == "train")
    absent = {n: c for i, (n, c) in enumerate(counts.items()) if c and not train_counts[i]}
    listed = ", ".join(f"{k!r} ({v} in other parts)" for k, v in sorted(absent.items())[:8])
    listed += f" and {len(absent) - 8:,} more" if len(absent) > 8 else ""
    dropped_note = None
    can_leave_out = len(absent) < sum(1 for c in counts.values() if c) - 1
    if absent and drop_rare:
        if not can_leave_out:
            raise DataError("leaving out the classes with no train row would leave fewer than two classes to tell "
                            "apart; add train rows instead.")
        dropped_note = (f"left out {len(absent):,} class{'es' * (len(absent) > 1)} with no train row in "
                        f"{ds.split_column}: {listed}")
        ds = ds.without_classes(set(absent))
        parts = np.asarray(ds.parts)
    elif absent:
        raise RareClassError(f"{'class' if len(absent) == 1 else f'{len(absent):,} classes'} {listed} "
                             f"{'has' if len(absent) == 1 else 'have'} no train row in {ds.split_column}: a model "
                             "cannot learn a class it never sees. Move some of its rows to train"
                             + (", or leave it out." if can_leave_out else " (without it, fewer than two classes "
                                                                            "would be left)."),
                             list(absent), can_leave_out)
    _check_caps(train_size, val_size, test_size)
    labels = np.asarray(ds.labels)
    rng = np.random.default_rng(seed)
    test_idx = np.flatnonzero(parts == "test")
    train_idx = np.flatnonzero(parts == "train")
    val_idx = np.flatnonzero(parts == "validation")
    own_validation = bool(len(val_idx))
    if not own_validation:  # as large a share of train as a drawn split's validation is of its train and validation
        n_val = max(1, round(val_fraction / (1 - test_fraction) * len(train_idx)))
        val_idx = _stratified_take(labels, train_idx, n_val, rng, leave=1)
        if not len(val_idx):
            raise DataError(f"{ds.split_column} has {len(train_idx):,} train rows and no validation rows: too few to "
                            "hold some out for validation; add train rows, or mark some as validation.")
        train_idx = np.setdiff1d(train_idx, val_idx)
    notes = list(ds.notes) + ([dropped_note] if dropped_note else [])
    # A drawn split puts every class in the test set; a file's own may not, and nothing downstream says so: the
    # class's recall read 0% of 0 texts and macro-F1 quietly averaged the other classes.
    if untested := [n for i, n in enumerate(ds.label_names) if not (labels[test_idx] == i).any()]:
        named = ", ".join(repr(n) for n in untested[:8]) + (f" and {len(untested) - 8:,} more"
                                                            if len(untested) > 8 else "")
        notes.append(f"{counted(len(untested), 'class', 'classes')} ({named}) "
                     f"{'has' if len(untested) == 1 else 'have'} no test row in {ds.split_column}: "
                     f"{'it is' if len(untested) == 1 else 'they are'} trained on but never tested, and accuracy "
                     f"and macro-F1 score only the other {len(ds.label_names) - len(untested):,}; move some of "
                     f"{'its' if len(untested) == 1 else 'their'} rows to test to measure "
                     f"{'it' if len(untested) == 1 else 'them'}")
    if test_size is not None and test_size < len(test_idx):
        notes.append(f"the test cap ({test_size:,}) takes {max(test_size, len(np.unique(labels[test_idx]))):,} of "
                     f"the {len(test_idx):,} test rows of {ds.split_column} (the same ones at every split seed); "
                     "raise it (or choose All data) to test on all of them")
    return _capped(ds, labels, train_idx, val_idx, test_idx, seed, rng, notes, train_size, val_size, test_size,
                   fixed_test=True, own_validation=own_validation)


def _capped(ds: TextDataset, labels: np.ndarray, train_idx: np.ndarray, val_idx: np.ndarray, test_idx: np.ndarray,
            seed: int, rng: np.random.Generator, notes: list[str], train_size: int | None, val_size: int | None,
            test_size: int | None, fixed_test: bool = False, own_validation: bool = False) -> Splits:
    """The splits of ``ds`` at these indices, each capped to a stratified part of itself (None: all);
    ``fixed_test``: the test part is the data's own, and its cap takes the same rows at every seed;
    ``own_validation``: so is the validation part (not a tenth drawn by the split)."""
    cut: list[str] = []
    # A validation or test cap above what is there is said only where the training cap was not (that note already
    # says the data is smaller than the size asked for: a tiny file under the Quick demo got one note, not three).
    # bbc_news's Quick demo tested on 425 texts, not its 500, and only the Data page said so. A drawn validation
    # split under its cap is not said: it is a tenth of the data by design, no score a user reads is taken on it,
    # and every upload of 1,000 to 2,000 rows at the Quick demo (the app's default) carried the note on every run.
    train_short = train_size is not None and train_size > len(train_idx)
    for fld, cap, part in (("train_size", train_size, "train"), ("val_size", val_size, "validation"),
                           ("test_size", test_size, "test")):
        idx = {"train": train_idx, "validation": val_idx, "test": test_idx}[part]
        if cap is None:
            continue
        if cap >= len(idx):
            if cap > len(idx) and (fld == "train_size" or not train_short) and (part != "validation"
                                                                                or own_validation):
                notes.append(f"the {part} cap ({fld}) of {cap:,} is more than the {len(idx):,} {part} examples "
                             "available; using all of them")
            continue
        n_cls = len(np.unique(labels[idx]))
        if cap < n_cls:
            notes.append(f"the {part} cap ({fld}) of {cap:,} is fewer than the {n_cls} classes; using {n_cls} "
                         f"{part} examples, one of each class")
        # A separate generator per part keeps the test set fixed when only train_size changes.
        # (and the data's own test set the same rows at every seed: the seeds then share one test set, as said)
        sub = _stratified_take(labels, idx, cap, np.random.default_rng(
            [0 if fixed_test and part == "test" else seed, len(part)]))
        if len(sub) < len(idx):
            cut.append(part)
        if part == "train":
            train_idx = sub
        elif part == "validation":
            val_idx = sub
        else:
            test_idx = sub
    missing = [n for i, n in enumerate(ds.label_names) if i not in set(labels[train_idx].tolist())]
    if missing:
        raise DataError(f"the training split has no example of {missing}; raise train_size or add data.")
    if thin := thin_train_note(ds.label_names, labels[train_idx]):
        notes.append(thin)
    train_texts, test_texts = [ds.texts[i] for i in train_idx], [ds.texts[i] for i in test_idx]
    keys = near_keys(train_texts, test_texts)  # keyed once for both checks
    if near := near_copies_note(train_texts, test_texts, ds.pairs, keys):
        notes.append(near)
    if numbers := number_copies_note(train_texts, test_texts, ds.pairs, keys):
        notes.append(numbers)
    return Splits(
        train=ds.subset(rng.permutation(train_idx)),
        val=ds.subset(val_idx),
        test=ds.subset(test_idx),
        notes=notes,
        capped=tuple(cut),
    )


def text_words(text: str) -> list[str]:
    """The words of ``text`` as tfidf_logreg reads them (its token pattern: two letters or more, each Chinese or
    Japanese character and each emoji a word), lowercased."""
    from bertlab.strategies.tfidf_logreg import TOKEN_PATTERN

    return re.findall(TOKEN_PATTERN, text.lower())


def training_words(texts: list[str]) -> frozenset[str]:
    """Every word (:func:`text_words`) of ``texts``: a run's training vocabulary, what a typed text is checked
    against (:func:`unseen_words`), read as it reads it."""
    return frozenset(w for t in texts for w in text_words(t))


def unseen_words(text: str, known: frozenset[str] | set[str]) -> tuple[list[str], int]:
    """(the words of ``text`` that are not in ``known``, each once in the order met; how many words ``text`` has,
    repeats counted once): 'asdf qwerty' against movie reviews' words is (['asdf', 'qwerty'], 2)."""
    words = list(dict.fromkeys(text_words(text)))
    return [w for w in words if w not in known], len(words)
