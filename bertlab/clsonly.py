"""Skip the work a sequence classifier throws away: its last layer only for the first token.

``BertForSequenceClassification`` (and RoBERTa's, XLM-R's, ELECTRA's, DistilBERT's)
read the final hidden state of the first token only (BERT's pooler and the others'
heads take ``[:, 0]``). In the last encoder layer every other position's output is
computed and discarded, yet it costs as much as the first token's. So while
:func:`first_token_last_layer` is active, that layer computes keys and values
for every position (the first token still attends to all of them) but the
query, attention output, LayerNorms and feed-forward for the first token only.

The logits and every gradient are the same as the full model's (floating-point
rounding aside; ``tests/test_clsonly.py`` checks them to 1e-6); in training
the dropout masks of the skipped positions are simply not drawn. On the
benchmark's MiniLM (6 layers) this leaves out 13% of a training step's
6NT FLOPs (``bench/results.json``: ``full_ft.flops.skipped_fraction``) and
made full fine-tuning 1.11x faster in bf16 on the AVX-512 BF16 EPYC
(``ratios.full_ft_first_token_speedup``), 1.17x in fp32 on the AVX2 EPYC
(``bench/results_epyc_avx2.json``). Training, evaluation and the playground's
ONNX graphs (``bertlab.onnxrt`` traces classifiers through it) all use it; for
one short sentence, where per-op overhead dominates, the graphs answered only
1.03-1.08x faster (``ratios.playground_first_token_graph_speedup``: 1.08x in
``bench/results.json``, 1.03x in the AVX2 run's).

Only applied where it is known to be exact: the model classes in
``_FIRST_TOKEN_HEADS``, encoder-only (no cross-attention), eager or SDPA
attention. Anything else runs unchanged. ``BERTLAB_CLS_ONLY=0`` turns it off
(the benchmark measures the engine both ways).
"""

from __future__ import annotations

import contextlib
import os
import types

import torch
from torch import nn

# Classification heads that read only the first token's last hidden state.
_FIRST_TOKEN_HEADS = {"BertForSequenceClassification", "RobertaForSequenceClassification",
                      "XLMRobertaForSequenceClassification", "ElectraForSequenceClassification",
                      "DistilBertForSequenceClassification"}
_ATTENTION = {"sdpa", "eager"}


def _classifier(model: nn.Module) -> nn.Module | None:
    """The HF classifier inside ``model`` (itself, or the model a PEFT wrapper holds)."""
    for m in model.modules():
        if type(m).__name__ in _FIRST_TOKEN_HEADS:
            return m
    return None


def last_layer(model: nn.Module) -> nn.Module | None:
    """The last encoder layer of ``model`` if the first-token path applies to it, else None."""
    clf = _classifier(model)
    if clf is None:
        return None
    cfg = clf.config
    if getattr(cfg, "is_decoder", False) or getattr(cfg, "add_cross_attention", False):
        return None
    if getattr(cfg, "_attn_implementation", None) not in _ATTENTION:
        return None
    base = getattr(clf, clf.base_model_prefix, None)
    layers = getattr(getattr(base, "encoder", None), "layer", None) or getattr(getattr(base, "transformer", None),
                                                                              "layer", None)
    if not layers:
        return None
    layer = layers[-1]
    if _projections(layer) is None:
        return None
    return layer


def _projections(layer: nn.Module):
    """(self-attention, query, key, value) of a BERT-style layer (``attention.self`` with ``attention.output``
    and ``feed_forward_chunk``) or a DistilBERT block (``attention`` with ``q_lin``..., ``sa_layer_norm``,
    ``ffn``, ``output_layer_norm``); None for anything else."""
    att = getattr(layer, "attention", None)
    if hasattr(att, "self") and hasattr(att, "output") and hasattr(layer, "feed_forward_chunk"):
        att, names = att.self, ("query", "key", "value")
    elif all(hasattr(layer, n) for n in ("sa_layer_norm", "ffn", "output_layer_norm")) and hasattr(att, "out_lin"):
        names = ("q_lin", "k_lin", "v_lin")
    else:
        return None
    if not all(hasattr(att, n) for n in (*names, "attention_head_size", "scaling", "dropout")):
        return None
    return att, *(getattr(att, n) for n in names)


def enabled() -> bool:
    """False where ``BERTLAB_CLS_ONLY=0`` turns the path off."""
    return os.environ.get("BERTLAB_CLS_ONLY", "1") != "0"


def skipped_params(model: nn.Module) -> int:
    """Parameters of the last layer that the first-token path applies to one position only (all but key/value).

    0 where the path does not apply.
    """
    layer = last_layer(model)
    if layer is None:
        return 0
    _, _, key, value = _projections(layer)
    kv = {id(p) for m in (key, value) for p in m.parameters()}
    return sum(p.numel() for p in layer.parameters() if id(p) not in kv)


def skipped_train_flops(model: nn.Module, tokens: int, sequences: int) -> float:
    """Training FLOPs (6 per parameter per token) the path leaves out over ``tokens`` real tokens in ``sequences``."""
    return 6.0 * skipped_params(model) * (tokens - sequences)


def _first_token_forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None,
                         encoder_hidden_states: torch.Tensor | None = None, *args, **kwargs) -> torch.Tensor:
    """The layer's forward for the first position only; returns [batch, 1, hidden].

    Anything unexpected (cross-attention inputs, a cache, a mask that is not
    4-D) goes to the layer's own forward, whose output is equally right.
    """
    if args or encoder_hidden_states is not None or kwargs.get("past_key_values") is not None \
            or (attention_mask is not None and attention_mask.dim() != 4):
        return type(self).forward(self, hidden_states, attention_mask, encoder_hidden_states, *args, **kwargs)
    first, out = _first_token_attention(self, hidden_states, attention_mask)
    return self.feed_forward_chunk(self.attention.output(out, first))


def _first_token_distilbert_forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None,
                                    **kwargs) -> torch.Tensor:
    """DistilBERT's ``TransformerBlock.forward`` for the first position only; returns [batch, 1, dim]."""
    if kwargs.get("past_key_values") is not None or (attention_mask is not None and attention_mask.dim() != 4):
        return type(self).forward(self, hidden_states, attention_mask, **kwargs)
    first, out = _first_token_attention(self, hidden_states, attention_mask)
    out = self.sa_layer_norm(self.attention.out_lin(out) + first)
    return self.output_layer_norm(self.ffn(out) + out)


def _first_token_attention(layer: nn.Module, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None):
    """(first position's input [batch, 1, hidden], its attention over every position, heads concatenated, before
    the output projection)."""
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    att, query, key, value = _projections(layer)
    b, n, _ = hidden_states.shape
    d = att.attention_head_size
    first = hidden_states[:, :1]
    q = query(first).view(b, 1, -1, d).transpose(1, 2)
    k = key(hidden_states).view(b, n, -1, d).transpose(1, 2)
    v = value(hidden_states).view(b, n, -1, d).transpose(1, 2)
    mask = attention_mask[:, :, :1, :] if attention_mask is not None and attention_mask.shape[-2] > 1 \
        else attention_mask
    fn = ALL_ATTENTION_FUNCTIONS.get_interface(att.config._attn_implementation, _eager(att))
    out, _ = fn(att, q, k, v, mask, dropout=att.dropout.p if att.training else 0.0, scaling=att.scaling)
    return first, out.reshape(b, 1, -1).contiguous()


def _eager(att: nn.Module):
    import sys

    return sys.modules[type(att).__module__].eager_attention_forward


@contextlib.contextmanager
def first_token_last_layer(model: nn.Module):
    """While active, ``model``'s last layer computes the first position only (see the module docstring).

    Yields whether the fast path applies. Nesting is harmless; the layer's own
    forward is restored on exit, so saving and exporting see the plain model.
    """
    layer = last_layer(model) if enabled() else None
    if layer is None or "forward" in vars(layer):  # not applicable, or already active (nested/another thread)
        yield layer is not None
        return
    distilbert = _projections(layer)[0] is layer.attention  # its projections sit in the block's own attention
    layer.forward = types.MethodType(_first_token_distilbert_forward if distilbert else _first_token_forward, layer)
    try:
        yield True
    finally:
        vars(layer).pop("forward", None)
