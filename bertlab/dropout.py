"""Cheaper dropout for training on a CPU: masks drawn 16 bits per element from torch's own generator.

PyTorch's CPU dropout draws a Bernoulli sample per element (``bernoulli_``), which
is slow: on the AMX Xeon a bf16 full_ft epoch of MiniLM took 7.3 s with dropout
and 5.5 s with every dropout probability set to 0 (1,000 texts, medians of 3),
so a quarter of the epoch went to drawing masks. Here one call to
``random_`` fills 64-bit words (every bit uniform), each word gives four 16-bit
numbers, and an element is dropped when its number falls below
``round(p * 65536)``: 3.5-7x cheaper per mask than ``bernoulli_`` at the shapes of
a MiniLM step, mask applied (``bench/`` measures the effect on whole epochs).

What stays the same: the kept elements are scaled so that the expected output
equals the input (inverted dropout, scale ``65536 / (65536 - round(p * 65536))``);
masks come from torch's default generator, so ``torch.manual_seed`` reproduces a
run. What differs: the drop probability is ``p`` rounded to a multiple of 1/65536
(0.100006 for p = 0.1), and the masks are other draws than ``bernoulli_``'s, so a
seed gives a different (equally random) run than with PyTorch's dropout.

Used while training on a CPU only (:func:`bertlab.engine.training_attention`):
a GPU's own dropout kernels are fast, and SDPA there folds dropout into attention.
"""

from __future__ import annotations

import contextlib
import types

import torch
from torch import nn

LEVELS = 1 << 16
ATTENTION = "bertlab_cpu_training"  # the attention implementation registered below


def dropout(x: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """Inverted dropout of ``x`` with drop probability ``p`` (to 1/65536), like ``nn.functional.dropout``."""
    if not training or p <= 0:
        return x
    if p >= 1:
        return x * 0.0
    drop = round(p * LEVELS)
    if drop == 0:  # p below 1/131072: nothing would be dropped
        return x
    n = x.numel()
    words = torch.empty((n + 3) // 4, dtype=torch.int64, device=x.device).random_(-(1 << 63), None)
    bits = words.view(torch.int16)[:n].view(x.shape)  # uniform over -32768..32767
    # The kept elements' scale written straight into the mask: one pass instead of a cast and a multiply.
    scale = torch.full((), LEVELS / (LEVELS - drop), dtype=x.dtype, device=x.device)
    mask = torch.where(bits >= drop - LEVELS // 2, scale, 0.0)
    return x * mask


_drop = dropout  # attention's own argument is called ``dropout``


def attention(module: nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
              attention_mask: torch.Tensor | None, scaling: float | None = None, dropout: float = 0.0,
              **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """transformers' eager attention (BERT's ``eager_attention_forward``) with this module's dropout."""
    if scaling is None:
        scaling = query.size(-1) ** -0.5
    weights = torch.matmul(query, key.transpose(2, 3)) * scaling
    if attention_mask is not None:
        weights = weights + attention_mask
    weights = nn.functional.softmax(weights, dim=-1)
    weights = _drop(weights, dropout, module.training)
    out = torch.matmul(weights, value).transpose(1, 2).contiguous()
    return out, weights


def _dropout_forward(self: nn.Dropout, x: torch.Tensor) -> torch.Tensor:
    return dropout(x, self.p, self.training)


_REGISTERED = False


def register() -> str:
    """Register :func:`attention` (with eager masks) under :data:`ATTENTION` with transformers; returns the name."""
    global _REGISTERED
    if not _REGISTERED:
        from transformers import AttentionInterface
        from transformers.masking_utils import AttentionMaskInterface, eager_mask

        AttentionInterface.register(ATTENTION, attention)
        AttentionMaskInterface.register(ATTENTION, eager_mask)
        _REGISTERED = True
    return ATTENTION


@contextlib.contextmanager
def cheap_dropout_modules(model: nn.Module):
    """While active, every ``nn.Dropout`` in ``model`` draws its mask with :func:`dropout`."""
    swapped = [m for m in model.modules() if type(m) is nn.Dropout]
    for m in swapped:
        m.forward = types.MethodType(_dropout_forward, m)
    try:
        yield len(swapped)
    finally:
        for m in swapped:
            del m.forward
