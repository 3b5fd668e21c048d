"""Text pairs (paraphrase, entailment, question-answer: GLUE's MRPC, RTE, QNLI, MNLI) as one string each.

A pair task's example is kept as ONE string, its two texts joined by :data:`PAIR_SEP`, so that everything that
works on strings (cleaning, duplicates, stratified splits, fingerprints, embedding caches, tfidf_logreg, reports,
the Playground's examples) works on pairs unchanged. Only where a tokenizer encodes texts is the string split
again, and the two halves passed as ``text`` and ``text_pair``: the ids, token type ids and cut at max_length
(``longest_first``) are then what Hugging Face gives for a pair, ``tokenizer(a, b)``.

Whether a string is split is the run's data's to say (``pairs``: a second text column was read,
``Dataset.pair_column``), never the string's alone: a single-text dataset may hold a literal ``[SEP]`` (a forum
dump, a file a user joined by hand), which is then read as one text, ``tokenizer(text)``, as it was before pairs.
"""

from __future__ import annotations

# BERT's own separator, with a space either side: how a pair reads in tables and reports, and how a user types one
# in the Playground ("A man is eating. [SEP] Someone eats.").
PAIR_SEP = " [SEP] "
_SEP = PAIR_SEP.strip()


def join_pair(first: str, second: str) -> str:
    """One string for the pair (``first``, ``second``): the two texts with :data:`PAIR_SEP` between them."""
    return f"{str(first).strip()}{PAIR_SEP}{str(second).strip()}"


def split_pair(text: str) -> tuple[str, str | None]:
    """The two texts of a joined pair, at the first :data:`PAIR_SEP` (spaces around ``[SEP]`` optional); (text,
    None) for a single text."""
    head, sep, tail = str(text).partition(_SEP)
    if not sep:
        return text, None
    return head.strip(), tail.strip()


def is_pair(text: str) -> bool:
    """Whether ``text`` is a joined pair (holds ``[SEP]``)."""
    return _SEP in str(text)


def tokenize(tokenizer, texts: list[str], pairs: bool = False, **kwargs) -> dict[str, list]:
    """``tokenizer(texts, **kwargs)``; with ``pairs`` (the texts are a pair task's), each joined pair passed as its
    two texts (``text``, ``text_pair``), as BERT reads a pair: ``[CLS] a [SEP] b [SEP]``, token type ids 0 then 1,
    ``truncation=True`` cutting the longer half first. Single texts (all of them, without ``pairs``: a literal
    ``[SEP]`` in one is then the tokenizer's to read) are tokenised as they are. Returns the tokenizer's lists
    (``input_ids``, and what else ``kwargs`` asks for) in the order of ``texts``."""
    texts = list(texts)
    if not pairs:
        return dict(tokenizer(texts, **kwargs))
    halves = [split_pair(t) for t in texts]
    joined = [i for i, (_, b) in enumerate(halves) if b is not None]
    if not joined:
        return dict(tokenizer(texts, **kwargs))
    singles = [i for i, (_, b) in enumerate(halves) if b is None]
    out_pairs = tokenizer([halves[i][0] for i in joined], [halves[i][1] for i in joined], **kwargs)
    out_singles = tokenizer([texts[i] for i in singles], **kwargs) if singles else None
    merged: dict[str, list] = {}
    for key in out_pairs:
        col: list = [None] * len(texts)
        for i, v in zip(joined, out_pairs[key]):
            col[i] = v
        if out_singles is not None:
            if key in out_singles:
                for i, v in zip(singles, out_singles[key]):
                    col[i] = v
            elif key == "token_type_ids":
                for i, ids in zip(singles, out_singles["input_ids"]):
                    col[i] = [0] * len(ids)
        merged[key] = col
    return merged
