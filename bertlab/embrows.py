"""Only the word-embedding rows the training texts use go through the optimizer; the others are decayed lazily.

AdamW updates every row of the word-embedding matrix every step (30,522 x 384
for MiniLM: half the model's weights), and gradient clipping takes its norm and
scales it, although a row whose token no training text contains never gets a
gradient. Such a row's moments stay exactly zero, so each step's update of it is
nothing but the decoupled weight decay, ``w *= 1 - lr * weight_decay``. The 2,000
benchmark reviews use 7,414 of the 30,522 rows; on the 2-vCPU EPYC the fused
AdamW step over all rows took 7.2 ms and over those 1.8 ms, the clipping norm and
scale 3.6 ms and 0.5 ms, of a ~270 ms bf16 step.

Here the rows of the tokens that occur in the training texts (and the padding
row) become one compact trainable parameter that the optimizer updates exactly
as it would have updated those rows. The other rows are left alone during
training and multiplied once, at :meth:`CompactEmbedding.flush`, by the product
of the decay factors of the steps since the last flush. Before every evaluation
and at the end the compact rows are written back, so the model's own embedding
matrix is then what dense AdamW would have made of it, to rounding: the
clipping norm is summed in another order (the missing rows only add zeros) and
the decay factors are multiplied in float64 before one rounding instead of
rounding each step (``tests/test_perf_paths.py`` compares both with the dense
path). The compact rows' gradient lives in one kept buffer, as in
:mod:`bertlab.embgrad`.

Used by :func:`bertlab.engine.train_classifier` on a CPU where at most three
quarters of the rows occur (a large corpus that touches most of the vocabulary
gains little); ``BERTLAB_COMPACT_EMBEDDING=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np
import torch
from torch import nn

from bertlab.embgrad import _Lookup, _State, _usable

MAX_SHARE = 0.75  # apply only where at most this share of the rows occurs in the training texts


def enabled() -> bool:
    """False where ``BERTLAB_COMPACT_EMBEDDING=0`` turns the path off."""
    return os.environ.get("BERTLAB_COMPACT_EMBEDDING", "1") != "0"


class CompactEmbedding:
    """The used rows of a word embedding as one trainable parameter (replacing the matrix in its optimizer group)."""

    def __init__(self, emb: nn.Embedding, groups: list[dict], used: np.ndarray) -> None:
        """``used``: the sorted row numbers to train (every id of the training texts, and the padding row)."""
        weight = emb.weight
        self.emb, self.weight = emb, weight
        self.rows = torch.from_numpy(used)
        self.remap = torch.full((weight.shape[0],), -1, dtype=torch.long)
        self.remap[self.rows] = torch.arange(len(used))
        self.pad = int(self.remap[emb.padding_idx]) if emb.padding_idx is not None else None
        self.param = nn.Parameter(weight.detach()[self.rows].clone())
        self.group = next(g for g in groups if any(p is weight for p in g["params"]))
        self.group["params"] = [self.param if p is weight else p for p in self.group["params"]]
        self.state = _State()
        self.decay = 1.0  # product of the untouched rows' decay factors since the last flush
        self.dirty = False

    def lookup(self, ids: torch.Tensor) -> torch.Tensor:
        """The embedding forward: the compact rows while training, the model's matrix otherwise."""
        if not self.emb.training:
            self.flush()
            return nn.functional.embedding(ids, self.weight, self.emb.padding_idx)
        compact = self.remap[ids]
        if bool((compact < 0).any()):
            raise ValueError("a token id outside the training texts reached the compact embedding in training mode")
        return _Lookup.apply(compact, self.param, self.pad, self.state)

    def stepped(self) -> None:
        """Call after each ``optimizer.step()``: the untouched rows owe this step's decoupled weight decay."""
        self.decay *= 1.0 - self.group["lr"] * self.group.get("weight_decay", 0.0)
        self.dirty = True

    @torch.no_grad()
    def flush(self) -> None:
        """Write the trained rows into the model's matrix and apply the owed decay to the others."""
        if not self.dirty:
            return
        if self.decay != 1.0:
            self.weight.mul_(self.decay)
        self.weight.index_copy_(0, self.rows, self.param.detach())
        self.decay, self.dirty = 1.0, False

    def release(self) -> None:
        self.flush()
        self.state.buffer = None
        vars(self.emb).pop("forward", None)


@contextlib.contextmanager
def compact_embedding(model: nn.Module, groups: list[dict], ids: list[list[int]], device: torch.device | None):
    """The used word-embedding rows as one parameter in ``groups`` (changed in place: build the optimizer inside).

    Yields the :class:`CompactEmbedding` (call ``stepped()`` after each optimizer
    step, ``flush()`` before reading the weights) or None where it does not apply:
    not on a CPU, turned off, a tied, frozen or unusual embedding, or a corpus
    that uses more than :data:`MAX_SHARE` of the rows. On exit the model's
    matrix holds the trained values (unless nothing trained since the last
    flush: then it is left as it is, e.g. after ``BestKeeper.restore``).
    """
    get = getattr(model, "get_input_embeddings", None)
    emb = get() if callable(get) and enabled() and (device is None or device.type == "cpu") else None
    if emb is None or not _usable(model, emb) or emb.weight.dtype != torch.float32 \
            or not any(p is emb.weight for g in groups for p in g["params"]):
        yield None
        return
    used = np.unique(np.fromiter((i for row in ids for i in row), dtype=np.int64))
    if emb.padding_idx is not None:
        used = np.union1d(used, [emb.padding_idx])
    if len(used) > MAX_SHARE * emb.weight.shape[0]:
        yield None
        return
    ce = CompactEmbedding(emb, groups, used)
    emb.forward = ce.lookup
    try:
        yield ce
    finally:
        ce.release()
