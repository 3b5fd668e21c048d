"""The word-embedding gradient written into one kept buffer instead of a new dense tensor every step.

A training step's gradient for the word-embedding matrix (30,522 x 384 for MiniLM,
47 MB in fp32) is dense: PyTorch allocates it anew each step, zero-fills it and
adds the rows of the step's tokens. A block that large comes straight from the
operating system, so the zero-fill touches fresh pages every time: 16.5 ms per
step on the AMX Xeon (the same fill of an existing buffer: 2.1 ms), about 8% of a
bf16 MiniLM step. Here the gradient lives in one buffer kept across steps: each
step zeroes only the rows the previous step wrote (the others are still zero),
then adds this step's rows. The optimizer sees the same dense gradient with the
same values (AdamW still updates every row, as it must), so training is the same.

Used by the classifier training loop on a CPU (:func:`bertlab.engine.train_classifier`),
for an input embedding that is not shared with another module (a tied output
layer would add to the gradient behind this module's back).
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn


class _State:
    def __init__(self) -> None:
        self.buffer: torch.Tensor | None = None
        self.rows: torch.Tensor | None = None  # rows of ``buffer`` that may be non-zero


class _Lookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx, ids: torch.Tensor, weight: torch.Tensor, pad: int | None, state: _State) -> torch.Tensor:
        ctx.save_for_backward(ids)
        ctx.pad, ctx.state, ctx.weight = pad, state, weight
        return nn.functional.embedding(ids, weight, pad)  # _usable: no max_norm, scale_grad_by_freq or sparse

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        (ids,) = ctx.saved_tensors
        weight, st, pad = ctx.weight, ctx.state, ctx.pad
        flat = ids.reshape(-1)
        rows = grad_out.reshape(-1, weight.shape[1]).to(weight.dtype)
        if pad is not None:  # the padding row gets no gradient, as in nn.Embedding
            keep = flat != pad
            flat, rows = flat[keep], rows[keep]
        if weight.grad is not None:  # a gradient is already there (accumulation): add to it, as autograd would
            weight.grad.index_add_(0, flat, rows)
            return None, None, None, None
        if st.buffer is None:
            st.buffer = torch.zeros_like(weight, memory_format=torch.contiguous_format)
        elif st.rows is not None:
            st.buffer.index_fill_(0, st.rows, 0.0)
        st.buffer.index_add_(0, flat, rows)
        st.rows = flat.unique()
        weight.grad = st.buffer
        return None, None, None, None


def _usable(model: nn.Module, emb: nn.Module) -> bool:
    if type(emb) is not nn.Embedding or not emb.weight.requires_grad or emb.sparse or emb.max_norm is not None \
            or emb.scale_grad_by_freq:
        return False
    holders = sum(1 for m in model.modules() for p in m.parameters(recurse=False) if p is emb.weight)
    return holders == 1  # not tied to an output layer


@contextlib.contextmanager
def kept_embedding_gradient(model: nn.Module, device: torch.device | None = None):
    """While active, the gradient of ``model``'s input word embeddings goes into one kept buffer.

    Yields whether it applies: on a CPU (``device`` None means CPU; a GPU's caching allocator already reuses
    memory), for an untied, dense ``nn.Embedding`` that trains and whose forward nothing else has replaced. The buffer is dropped at the end.
    """
    get = getattr(model, "get_input_embeddings", None)
    emb = get() if callable(get) and (device is None or device.type == "cpu") else None
    # A forward already set on the module (bertlab.embrows' compact rows) routes the lookup and its gradient.
    if emb is None or not _usable(model, emb) or "forward" in vars(emb):
        yield False
        return
    state = _State()
    emb.forward = lambda ids: _Lookup.apply(ids, emb.weight, emb.padding_idx, state)
    try:
        yield True
    finally:
        del emb.forward
        if emb.weight.grad is state.buffer:
            emb.weight.grad = None
        state.buffer = None
