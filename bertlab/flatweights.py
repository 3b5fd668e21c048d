"""Mixed-precision training with one cast per step: the linear maps' weights in one flat fp32 master per group.

Under ``torch.autocast`` every ``nn.Linear`` casts its fp32 weight and bias to
bf16 in the forward (one operation each), and the backward casts each of their
gradients back to fp32 (one more each); gradient clipping then takes one norm
and one multiply per tensor and fused AdamW visits every tensor on its own. On
MiniLM that is ~80 weight tensors, so ~400 operations a step that each start (and
on a CPU, wake) the thread pool for a few hundred kilobytes of work.

Here the trainable weights and biases of a model's linear maps are gathered, per
optimizer group, into one flat fp32 tensor (the *master*): the model's own
parameters become views of it, so saving, evaluation and ``state_dict`` see
them as always, and the optimizer updates the master in place. Each training
forward casts the master to bf16 once and runs the model with views of that
copy as its weights (``torch.func.functional_call``); the backward gathers the
weight gradients into one bf16 tensor and writes it into one fp32 gradient buffer
kept across steps. Gradient clipping and AdamW then see one tensor per group.

Where a BERT (or DistilBERT) self-attention's query, key and value weights (and biases) lie
side by side in a master, as they do in every BERT, their bf16 copies are one
[3 x hidden, hidden] block too, so that module's training forward computes the
three projections as one matrix product (one cast of its input instead of
three; in the backward one product for the input's gradient instead of three and
their sums, one for the block's) and lays out queries, keys and values in one
copy for the attention products (see :func:`_fused_forward`).

The arithmetic of the flat masters alone is the same as autocast's: the same
bf16 weights, the same bf16 gradients widened to fp32 exactly, the same
optimizer update on the same fp32 values (``tests/test_perf_paths.py`` checks
a few steps against plain autocast bit for bit, clipping off). Clipping takes
one norm per group (a differently ordered sum) and the fused projection adds up
its input gradient inside one product: both differ from autocast in rounding
only. ``BERTLAB_FLAT_WEIGHTS=0`` turns the whole path off,
``BERTLAB_FUSED_QKV=0`` only the fused projection. Measured on the benchmark's
MiniLM (bf16, 2-vCPU EPYC, 60 steps of the three setups interleaved in one
process): 1.05x the steps' speed with the flat masters, 1.07x with the fused
projection as well.
"""

from __future__ import annotations

import contextlib
import os
import types

import torch
from torch import nn


def enabled() -> bool:
    """False where ``BERTLAB_FLAT_WEIGHTS=0`` turns the path off."""
    return os.environ.get("BERTLAB_FLAT_WEIGHTS", "1") != "0"


def fused_enabled() -> bool:
    """False where ``BERTLAB_FUSED_QKV=0`` keeps the query, key and value projections apart."""
    return os.environ.get("BERTLAB_FUSED_QKV", "1") != "0"


class _Flat:
    """One group's master (fp32, a leaf the optimizer owns) and what its bf16 copy splits into."""

    def __init__(self, names: list[str], params: list[nn.Parameter]) -> None:
        self.names = names
        self.shapes = [p.shape for p in params]
        self.sizes = [p.numel() for p in params]
        master = torch.cat([p.detach().reshape(-1) for p in params])
        off = 0
        for p, n in zip(params, self.sizes, strict=True):
            p.data = master[off:off + n].view(p.shape)  # the model's parameter now lives in the master
            off += n
        self.params = params
        self.master = nn.Parameter(master)
        self.grad: torch.Tensor | None = None  # fp32 gradient buffer, kept across steps

    def release(self) -> None:
        """Give every parameter its own storage again (tensors sharing one would not save as separate weights)."""
        for p in self.params:
            p.data = p.data.clone()


class _Cast(torch.autograd.Function):
    """``master.to(dtype)``; the backward writes the gradient into the group's kept fp32 buffer."""

    @staticmethod
    def forward(ctx, master: torch.Tensor, dtype: torch.dtype, flat: _Flat) -> torch.Tensor:
        ctx.flat = flat
        return master.to(dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        flat = ctx.flat
        master = flat.master
        if master.grad is None:
            if flat.grad is None:
                flat.grad = torch.empty_like(master)
            flat.grad.copy_(grad)
            master.grad = flat.grad
        else:
            master.grad.add_(grad)
        return None, None, None


class FlatWeights:
    """The flat masters of a model's linear maps, built from (and replacing their params in) optimizer groups."""

    def __init__(self, model: nn.Module, groups: list[dict], dtype: torch.dtype) -> None:
        self.model, self.dtype = model, dtype
        counts: dict[int, int] = {}
        for _, p in model.named_parameters(remove_duplicate=False):
            counts[id(p)] = counts.get(id(p), 0) + 1
        names = {id(p): n for n, p in model.named_parameters()}
        linear = {id(p) for m in model.modules() if type(m) is nn.Linear
                  for p in (m.weight, m.bias) if p is not None and p.requires_grad and counts[id(p)] == 1}
        self.flats: list[_Flat] = []
        for g in groups:
            mine = [p for p in g["params"] if id(p) in linear and p.dtype == torch.float32 and p.is_contiguous()]
            if len(mine) < 2:
                continue
            flat = _Flat([names[id(p)] for p in mine], mine)
            taken = {id(p) for p in mine}
            g["params"] = [p for p in g["params"] if id(p) not in taken] + [flat.master]
            self.flats.append(flat)
        self.fused = _fusable(model, self.flats) if fused_enabled() else {}
        for flat in self.flats:
            flat.segments = _segments(flat, self.fused)

    def __bool__(self) -> bool:
        return bool(self.flats)

    def weights(self) -> dict[str, torch.Tensor]:
        """This step's low-precision weights by parameter name: one cast per group, then views."""
        out: dict[str, torch.Tensor] = {}
        for flat in self.flats:
            low = _Cast.apply(flat.master, self.dtype, flat)
            for (_size, items, fused), piece in zip(flat.segments, low.split([sg[0] for sg in flat.segments]),
                                                    strict=True):
                if fused is None:
                    name, shape = items[0]
                    out[name] = piece.view(shape)
                    continue
                module, kind, shape = fused
                block = piece.view(shape)
                setattr(module, "_bertlab_qkv_" + kind, block)
                n = shape[0] // 3
                for i, (name, _) in enumerate(items):
                    out[name] = block[i * n:(i + 1) * n]
        return out

    def __call__(self, **batch):
        """The model's forward on ``batch`` with this step's low-precision weights."""
        try:
            return torch.func.functional_call(self.model, self.weights(), args=(), kwargs=batch, strict=False)
        finally:
            for m in self.fused:
                m._bertlab_qkv_w = m._bertlab_qkv_b = None

    def release(self) -> None:
        for flat in self.flats:
            flat.release()
        for m in self.fused:
            for a in ("forward", "_bertlab_qkv_w", "_bertlab_qkv_b"):
                vars(m).pop(a, None)


def _fusable(model: nn.Module, flats: list[_Flat]) -> dict[nn.Module, str]:
    """Self-attention modules whose query, key and value weights (and biases) lie side by side in one flat master.

    Each gets a forward that computes the three projections as one matrix product.
    """
    where = {}
    for flat in flats:
        for i, n in enumerate(flat.names):
            where[n] = (id(flat), i)
    out = {}
    for prefix, m in model.named_modules():
        kind_of = _SELF_ATTENTION.get(type(m).__name__)
        if kind_of is None or "forward" in vars(m):
            continue
        names, forward = kind_of
        ok = True
        for kind in ("weight", "bias"):
            pos = [where.get(f"{prefix}.{p}.{kind}") for p in names]
            if None in pos or len({f for f, _ in pos}) != 1 or [i for _, i in pos] != list(range(pos[0][1], pos[0][1] + 3)):
                ok = False
        if ok:
            m.forward = types.MethodType(forward, m)
            out[m] = f"{prefix}.{names[0]}"
    return out


def _segments(flat: _Flat, fused: dict[nn.Module, str]) -> list[tuple]:
    """``flat``'s split: (size, [(name, shape)...], (module, kind, block shape) or None) per piece."""
    starts = {}
    for m, first in fused.items():  # the name of the module's query projection
        for kind in ("weight", "bias"):
            starts[f"{first}.{kind}"] = (m, kind[0])
    segs, i = [], 0
    while i < len(flat.names):
        name = flat.names[i]
        if name in starts:
            m, kind = starts[name]
            shapes = flat.shapes[i:i + 3]
            size = sum(flat.sizes[i:i + 3])
            block = (3 * shapes[0][0], *shapes[0][1:])
            segs.append((size, list(zip(flat.names[i:i + 3], shapes, strict=True)), (m, kind, block)))
            i += 3
        else:
            segs.append((flat.sizes[i], [(name, flat.shapes[i])], None))
            i += 1
    return segs


def _fused_attention(self, hidden_states: torch.Tensor, attention_mask, w: torch.Tensor, b: torch.Tensor, **kwargs):
    """Attention of a BERT-style self-attention module with its query, key and value as one product by ``w``, ``b``:
    (the heads' outputs joined, [batch, tokens, hidden]; the attention weights or None)."""
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    from bertlab.clsonly import _eager

    bsz, n, _ = hidden_states.shape
    d = self.attention_head_size
    qkv = nn.functional.linear(hidden_states, w, b).view(bsz, n, 3, -1, d).permute(2, 0, 3, 1, 4).contiguous()
    q, k, v = qkv.unbind(0)
    fn = ALL_ATTENTION_FUNCTIONS.get_interface(self.config._attn_implementation, _eager(self))
    out, weights = fn(self, q, k, v, attention_mask, dropout=0.0 if not self.training else self.dropout.p,
                      scaling=self.scaling, **kwargs)
    return out.reshape(bsz, n, -1).contiguous(), weights


def _fused_forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None,
                   past_key_values=None, **kwargs):
    """BertSelfAttention's forward with the query, key and value projections as one matrix product."""
    w, b = getattr(self, "_bertlab_qkv_w", None), getattr(self, "_bertlab_qkv_b", None)
    if w is None or b is None or past_key_values is not None:
        return type(self).forward(self, hidden_states, attention_mask, past_key_values, **kwargs)
    return _fused_attention(self, hidden_states, attention_mask, w, b, **kwargs)


def _fused_distilbert_forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None, **kwargs):
    """DistilBertSelfAttention's forward with ``q_lin``, ``k_lin`` and ``v_lin`` as one matrix product (its output
    projection, ``out_lin``, is inside the module)."""
    w, b = getattr(self, "_bertlab_qkv_w", None), getattr(self, "_bertlab_qkv_b", None)
    if w is None or b is None:
        return type(self).forward(self, hidden_states, attention_mask, **kwargs)
    out, weights = _fused_attention(self, hidden_states, attention_mask, w, b, **kwargs)
    return self.out_lin(out), weights


# Self-attentions whose query, key and value projections can be one product: their names, and the forward that
# computes them so. BERT's under other names (same attributes, same forward), and DistilBERT's.
_SELF_ATTENTION = {
    **dict.fromkeys(("BertSelfAttention", "RobertaSelfAttention", "XLMRobertaSelfAttention", "ElectraSelfAttention"),
                    (("query", "key", "value"), _fused_forward)),
    "DistilBertSelfAttention": (("q_lin", "k_lin", "v_lin"), _fused_distilbert_forward),
}


@contextlib.contextmanager
def flat_weights(model: nn.Module, groups: list[dict], dtype: torch.dtype | None):
    """Flat masters for ``groups`` (changed in place: build the optimizer inside) while training under ``dtype``.

    Yields the :class:`FlatWeights` to call instead of ``model``, or None where
    there is nothing to do (fp32 training, ``BERTLAB_FLAT_WEIGHTS=0``, fewer than
    two linear weights in every group). On exit the parameters get their own
    storage back; their values are the trained ones.
    """
    flat = FlatWeights(model, groups, dtype) if dtype is not None and enabled() else None
    if not flat:
        yield None
        return
    try:
        yield flat
    finally:
        flat.release()
