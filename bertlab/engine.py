"""The one training/evaluation loop shared by every trainable strategy.

Speed comes from not computing on padding: texts are tokenised once without
padding, batches are grouped by length (shuffled "mega-batches" sorted by
length, as HF's LengthGroupedSampler does) and padded only to their longest
member. Inference sorts by length. bf16 autocast is used where the device has
native bf16 (see ``models.autocast_dtype``), with the weights cast once per step
from flat masters (``bertlab.flatweights``); training on a CPU runs attention
eagerly with cheaper dropout masks (see ``training_attention``).
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from bertlab import dropout as cheap_dropout
from bertlab import textpair
from bertlab.clsonly import first_token_last_layer
from bertlab.config import LETTER, SYMBOL, UNSPACED, WORD_RUN
from bertlab.costs import square_tokens
from bertlab.cpushare import cpu_share, gave_way_note
from bertlab.embgrad import kept_embedding_gradient
from bertlab.embrows import compact_embedding
from bertlab.errors import ConfigError, RunCancelled
from bertlab.flatweights import flat_weights
from bertlab.metrics import classification_report, softmax
from bertlab.models import synchronize


@dataclass
class Encoded:
    """Token ids of texts, unpadded, with their lengths."""

    ids: list[list[int]]
    max_length: int | None = None  # what the texts were cut to (:func:`encode`); None: not known
    # each text's token type ids, where a text pair (bertlab.textpair) among them gives the tokenizer some (BERT's
    # 0s for the first text, 1s for the second); None: all 0, as a single text's
    types: list[list[int]] | None = None

    @property
    def lengths(self) -> np.ndarray:
        return np.fromiter((len(x) for x in self.ids), dtype=np.int64, count=len(self.ids))

    def pad_cap(self) -> int | None:
        """The length no batch of these texts is padded past: the cut (a model's positions may end at a length
        that is no multiple of 8, :func:`shape_multiple`), else the longest text."""
        return self.max_length or (int(self.lengths.max()) if self.ids else None)

    def __len__(self) -> int:
        return len(self.ids)


# A fast tokenizer sets its truncation state on every call and raises "Already borrowed" when two
# threads do that at once (a training job and the playground can share the cached encoder's tokenizer).
_TOKENIZE_LOCK = threading.Lock()


def keep_head_tail(ids: list[int], max_length: int) -> list[int]:
    """``ids`` (a text's token ids, special tokens included) cut to ``max_length`` by keeping its first quarter of
    ``max_length`` tokens ([CLS] among them) and its last three quarters ([SEP] among them): Sun et al. 2019's
    head+tail truncation. Ids no longer than ``max_length`` are kept whole."""
    if len(ids) <= max_length:
        return ids
    head = max_length // 4
    return ids[:head] + ids[len(ids) - (max_length - head):]


def encode(tokenizer, texts: list[str], max_length: int, pairs: bool = False, truncation: str = "head") -> Encoded:
    """Tokenise without padding (padding happens per batch). ``pairs``: the texts are a pair task's (a second text
    column was read, bertlab.textpair), each holding ``[SEP]`` read as two texts; else every text is one.
    ``truncation`` (:data:`bertlab.config.TRUNCATIONS`): "head" keeps a long text's first ``max_length`` tokens,
    "head_tail" its start and its end (:func:`keep_head_tail`); a pair task's texts are cut as "head" either way
    (the tokenizer's longest-half-first cut, which keeps both texts and the [SEP] between them)."""
    if truncation == "head_tail" and not pairs:  # a pair task's texts, single ones among them, are cut as head
        ids = [keep_head_tail(x, max_length) for x in _untruncated_ids(tokenizer, texts)]
        return Encoded(ids, max_length, None)
    pairs = pairs and any(map(textpair.is_pair, texts))
    with _TOKENIZE_LOCK:
        # a pair is read as BERT reads one: tokenizer(a, b), cut longest half first, with its token type ids
        out = textpair.tokenize(tokenizer, texts, pairs, truncation=True, max_length=max_length, padding=False,
                                return_attention_mask=False, return_token_type_ids=None if pairs else False)
    types = out.get("token_type_ids") if pairs else None
    return Encoded(out["input_ids"], max_length, types if types and any(map(any, types)) else None)


def _untruncated_ids(tokenizer, texts: list[str], special: bool = True, pairs: bool = False) -> list[list[int]]:
    """Each text's token ids, with the special tokens where ``special``, before any cut at max_length (``pairs``:
    as :func:`encode`'s)."""
    from transformers.utils import logging as transformers_logging

    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()  # "sequence longer than the maximum" is what we count
    try:
        with _TOKENIZE_LOCK:
            return textpair.tokenize(tokenizer, texts, pairs, add_special_tokens=special, truncation=False, padding=False,
                                     return_attention_mask=False, return_token_type_ids=False)["input_ids"]
    finally:
        transformers_logging.set_verbosity(verbosity)


def untruncated_lengths(tokenizer, texts: list[str], pairs: bool = False) -> list[int]:
    """Each text's length in ``tokenizer``'s tokens, special tokens included, before any cut at max_length
    (``pairs``: as :func:`encode`'s)."""
    return [len(x) for x in _untruncated_ids(tokenizer, texts, pairs=pairs)]


def unknown_share_each(tokenizer, texts: list[str], pairs: bool = False) -> list[float]:
    """Each text's share of tokens that are unknown (``[UNK]``) to ``tokenizer``'s vocabulary (0 for a text of
    no tokens, or a tokenizer without such a token): one tokenizer call for all of them."""
    unk = tokenizer.unk_token_id
    if unk is None:
        return [0.0] * len(texts)
    return [x.count(unk) / max(1, len(x)) for x in _untruncated_ids(tokenizer, texts, special=False, pairs=pairs)]


# a word: a run of letters and digits with their combining marks (Devanagari cut at every vowel sign and virama
# read 1.51 pieces per word where 2.32 is true), or one character of a script written without spaces (a Chinese
# clause was one "word", so a character-level vocabulary that knows Chinese looked like 7 pieces per word)
_WORD = re.compile(rf"[{UNSPACED}]|{LETTER}{WORD_RUN}*")


def vocabulary_fit(tokenizer, texts: list[str], pairs: bool = False) -> tuple[float, float]:
    """How well ``tokenizer``'s vocabulary covers ``texts``: the share of their tokens that are unknown
    (``[UNK]``), and word pieces per word (words: runs of letters and digits with their combining marks; a Chinese
    or Japanese character each). English text in an English
    WordPiece vocabulary: 0 and about 1.3; German or Spanish in the same: about 2; Chinese: most tokens unknown."""
    ids = _untruncated_ids(tokenizer, texts, special=False, pairs=pairs)
    tokens = sum(len(x) for x in ids)
    unk = tokenizer.unk_token_id
    unknown = sum(x.count(unk) for x in ids) if unk is not None else 0
    # a text pair's words, not the [SEP] joining its two texts (which reads as no word piece)
    words = sum(len(_WORD.findall(h)) for t in texts for h in (textpair.split_pair(t) if pairs else (t,))
                if h is not None)
    return unknown / max(1, tokens), tokens / max(1, words)


def token_inputs(tokenizer, texts: list[str], pairs: bool = False) -> list[tuple[int, ...]]:
    """Each text as ``tokenizer``'s token ids (no special tokens, uncut): what the model tells texts apart by."""
    return [tuple(x) for x in _untruncated_ids(tokenizer, texts, special=False, pairs=pairs)]


def unknown_symbols(tokenizer, texts: list[str]) -> tuple[int, int]:
    """Of ``texts``' unknown (``[UNK]``) tokens, how many stand for text holding an emoji or other symbol (Unicode
    So), and how many there are: the cure differs (words for the emoji, or a model that knows them) from that of
    a script the model was not trained on. (0, 0) where the tokenizer cannot say where its tokens came from (a
    slow tokenizer: no offsets) or has no unknown token."""
    unk = tokenizer.unk_token_id
    if unk is None:
        return 0, 0
    try:
        with _TOKENIZE_LOCK:
            enc = tokenizer(list(texts), add_special_tokens=False, truncation=False, padding=False,
                            return_offsets_mapping=True, return_attention_mask=False, return_token_type_ids=False)
    except (NotImplementedError, TypeError, ValueError):
        return 0, 0
    symbol = re.compile(SYMBOL)
    unknown = emoji = 0
    for text, ids, spans in zip(texts, enc["input_ids"], enc["offset_mapping"]):
        for i, (a, b) in zip(ids, spans):
            if i == unk:
                unknown += 1
                emoji += bool(symbol.search(text, a, b))
    return emoji, unknown


def collate(ids: list[list[int]], pad_id: int, multiple: int = 1, cap: int | None = None,
            types: list[list[int]] | None = None) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest member, rounded up to a multiple of ``multiple`` (fewer distinct shapes) but
    not past ``cap`` (:meth:`Encoded.pad_cap`); with ``types`` (text pairs' token type ids, :attr:`Encoded.types`)
    a ``token_type_ids`` tensor too, padded with 0 as Hugging Face pads it."""
    longest = max(len(x) for x in ids)
    n = max(longest, min(-(-longest // multiple) * multiple, cap or longest * multiple))
    input_ids = torch.full((len(ids), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), n), dtype=torch.long)
    for i, x in enumerate(ids):
        input_ids[i, : len(x)] = torch.tensor(x, dtype=torch.long)
        mask[i, : len(x)] = 1
    if types is None:
        return {"input_ids": input_ids, "attention_mask": mask}
    type_ids = torch.zeros((len(ids), n), dtype=torch.long)
    for i, t in enumerate(types):
        type_ids[i, : len(t)] = torch.tensor(t, dtype=torch.long)
    return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": type_ids}


def batch_types(enc: Encoded, idx) -> list[list[int]] | None:
    """The token type ids of rows ``idx`` of ``enc`` for :func:`collate`; None where the texts hold no pair."""
    return None if enc.types is None else [enc.types[i] for i in idx]


def shape_multiple(device: torch.device) -> int:
    """The multiple a batch's length is padded up to on ``device``: 8 on CUDA, 1 (none) elsewhere.

    On a CUDA GPU the first step at each new batch shape costs far more than the step itself (measured on an
    H200 with torch 2.11, BERT-base, batch 32: 231 ms more per new shape, against 31-45 ms a warm step at any
    length from 8 to 128 tokens), and length-grouped batches of real text meet about one new shape per
    distinct length. Rounding lengths up to a multiple of 8 (Hugging Face's ``pad_to_multiple_of=8``, the
    usual choice for tensor cores) leaves 16 shapes up to 128 tokens instead of 121; the extra padding costs
    little where a small step waits on launches, not arithmetic. On a CPU padding costs its full compute.
    """
    return 8 if device.type == "cuda" else 1


def grouped_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator, mega: int = 50) -> list[np.ndarray]:
    """Random batches of similar length: shuffle, sort within mega-batches, shuffle batch order.

    The randomness of SGD is kept (each epoch differs, batches mix the data),
    while padding drops to a few percent.
    """
    perm = rng.permutation(len(lengths))
    batches = []
    step = batch_size * mega
    for s in range(0, len(perm), step):
        chunk = perm[s : s + step]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    order = rng.permutation(len(batches))
    return [batches[i] for i in order]


def sorted_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Deterministic length-sorted batches for inference."""
    order = np.argsort(-lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


class Callbacks:
    """Progress hooks of a run. Override what you need; ``should_stop`` is checked every step."""

    def on_start(self, total_steps: int, phase: str = "train") -> None: ...

    def on_step(self, step: int, epoch: float, loss: float, lr: float, phase: str = "train") -> None: ...

    def on_eval(self, step: int, epoch: int, metrics: dict) -> None: ...

    def should_stop(self) -> bool:
        return False


@dataclass
class TrainStats:
    """What a training loop did (for cost accounting)."""

    steps: int = 0
    examples: int = 0
    tokens: int = 0
    sq_tokens: int = 0  # each text's real tokens squared, summed: what attention's FLOPs grow with (costs.square_tokens)
    padded_tokens: int = 0
    seconds: float = 0.0
    eval_seconds: float = 0.0
    history: list[dict] = field(default_factory=list)
    first_token_last_layer: bool = False  # the last layer computed the first token only (bertlab.clsonly)
    restored_epoch: int | None = None  # keep_best put this earlier epoch's weights back
    eager_attention: bool = False  # training ran eager attention and cheap dropout (see training_attention)
    kept_embedding_gradient: bool = False  # the word-embedding gradient lived in one kept buffer (bertlab.embgrad)
    flat_weights: bool = False  # the linear maps' weights were cast once per step from flat masters (bertlab.flatweights)
    embedding_rows_trained: int | None = None  # only these word-embedding rows went through AdamW (bertlab.embrows)
    fewest_threads: int | None = None  # CPU: the fewest torch threads other processes' work left it (bertlab.cpushare)
    threads_note: str | None = None  # what a run's notes say when it gave way (cpushare.gave_way_note)
    # CPU: optimizer steps run at each torch thread count. Another count rounds the sums differently (other weights;
    # bertlab.provenance.run_threads), so repeating a run bit for bit takes the count(s) it trained at.
    thread_steps: dict[int, int] | None = None
    skipped_steps: int = 0  # fp16: steps the loss scaler skipped (inf/nan gradients), counted in ``steps`` too
    # the validation texts' answers and probabilities of the weights kept (restored_epoch's, else the last epoch's):
    # {"predictions", "probabilities"}, for choosing a threshold on texts the test set does not hold
    val_predictions: dict | None = None


class BestKeeper:
    """With ``enabled``, a copy of the trainable weights at the epoch of lowest validation loss, restored at the end.

    Like the Hugging Face Trainer's ``load_best_model_at_end`` with loss as the
    metric. Only parameters that train are copied (a frozen encoder never changes).
    """

    def __init__(self, model: nn.Module, enabled: bool) -> None:
        self.enabled = enabled
        self.params = [p for p in model.parameters() if p.requires_grad] if enabled else []
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.last_epoch = 0
        self._copy: list[torch.Tensor] = []

    def update(self, epoch: int, val_loss: float) -> None:
        self.last_epoch = epoch
        if not val_loss < self.best_loss:  # NaN never wins
            return
        self.best_loss, self.best_epoch = val_loss, epoch  # tracked always: early stopping reads it
        if not self.enabled:
            return
        with torch.no_grad():
            if self._copy:
                for c, p in zip(self._copy, self.params):
                    c.copy_(p)
            else:
                self._copy = [p.detach().clone() for p in self.params]

    def should_stop(self, patience: int, epochs: int) -> bool:
        """Early stopping: ``patience`` epochs in a row without a lower validation loss (0: never), and epochs left."""
        since = self.last_epoch - (self.best_epoch or 0)
        return bool(patience) and since >= patience and self.last_epoch < epochs

    def restore(self) -> int | None:
        """Put the best epoch's weights back; returns that epoch, or None if the last epoch was the best."""
        if not self.enabled or self.best_epoch is None or self.best_epoch == self.last_epoch:
            return None
        with torch.no_grad():
            for c, p in zip(self._copy, self.params):
                p.copy_(c)
        return self.best_epoch


def kept_loss(rec: dict) -> float:
    """The validation loss keep_best and early stopping read in an epoch's record: weighted by the class weights
    where the training loss is (``weighted_val_loss``, :func:`epoch_record`), else the plain ``val_loss``."""
    return rec.get("weighted_val_loss", rec["val_loss"])


def kept_loss_name(rec: dict) -> str:
    """What :func:`kept_loss` reads, in words."""
    return "class-weighted validation loss" if "weighted_val_loss" in rec else "validation loss"


def weighted_loss(logits: torch.Tensor, labels: torch.Tensor, class_weight: list[float] | None) -> float | None:
    """The mean cross-entropy of ``logits`` weighted by ``class_weight`` as the training loss weighs it (the sum
    of each text's loss times its class's weight, over the sum of those weights); None without weights or texts."""
    if class_weight is None or not len(labels):
        return None
    w = torch.tensor(class_weight, dtype=torch.float32, device=logits.device)
    return float(nn.functional.cross_entropy(logits.float(), labels.to(logits.device), weight=w))


def early_stop_note(history: list[dict], epochs: int, patience: int) -> str | None:
    """The run note of a loop that stopped before its last epoch (patience), or None where it ran them all."""
    if not patience or len(history) >= epochs:
        return None
    return (f"stopped early after epoch {len(history)} of {epochs}: the {kept_loss_name(history[-1])} had not "
            f"improved for {patience} epoch{'s' * (patience > 1)} (patience {patience})")


# Overfitting is named only where the validation loss rose this much (a share of the kept epoch's) by the last
# epoch while the training loss fell (kept epoch to last). A review: "later epochs overfit" for 0.589 against 0.596
# on 150 texts, a rise of 1% that the luck of a few hundred validation texts makes from epoch to epoch; and a
# learning rate too high raises both losses, which is no overfitting. A tenth above its lowest, with the model
# still fitting its training texts better, is the textbook picture (the two curves parting), clear of that noise.
OVERFIT_RISE = 0.10


def epoch_record(rec: dict, losses: list[float], weighted: float | None = None) -> dict:
    """An epoch's validation record ``rec`` with its mean training loss (``losses``: its steps') beside it as
    ``train_loss``, as :func:`best_epoch_outcome` reads it (not a stored validation point); None where the epoch
    ran no step. ``weighted``: the validation loss weighted by the class weights, where the training loss is
    (``weighted_val_loss``, which :func:`kept_loss` then reads; not stored either: ``val_loss`` stays unweighted,
    comparable with other runs')."""
    return {**rec, "train_loss": sum(losses) / len(losses) if losses else None,
            **({"weighted_val_loss": weighted} if weighted is not None else {})}


def best_epoch_outcome(restored: int | None, history: list[dict]) -> tuple[dict | None, str | None]:
    """The validation record the final weights have, and a note when keep_best put an earlier epoch back: that later
    epochs did not lower the validation loss, and that they overfit only where the evidence says so
    (:data:`OVERFIT_RISE`; a record's ``train_loss``, its epoch's mean training loss, where the loop kept one)."""
    if not history:
        return None, None
    if restored is None:
        return history[-1], None
    rec, last = history[restored - 1], history[-1]
    best_loss, last_loss, loss = kept_loss(rec), kept_loss(last), kept_loss_name(rec)
    said = (f"kept the weights of epoch {restored} of {len(history)}, the lowest {loss} "
            f"({best_loss:.3f}; the last epoch's was {last_loss:.3f}): later epochs did not lower it")
    rise = (last_loss - best_loss) / best_loss if best_loss > 0 else 0.0
    fell = (rec.get("train_loss") is not None and last.get("train_loss") is not None
            and last["train_loss"] < rec["train_loss"])
    if rise >= OVERFIT_RISE and fell:
        said += (f", and they overfit: the {loss} rose by {rise:.0%} while the training loss fell "
                 f"({rec['train_loss']:.3f} to {last['train_loss']:.3f})")
    return rec, said


def _no_decay(name: str) -> bool:
    # LayerNorm (BERT), layer_norm (DistilBERT), attn_norm / final_norm (ModernBERT)...
    return name.endswith(".bias") or "norm" in name.lower()


def head_parameters(model: nn.Module) -> set[int]:
    """ids of a classifier's parameters outside its encoder: the new head (BERT's classifier, DistilBERT's
    pre_classifier and classifier, DeBERTa's pooler...), peft's trained copy of it included. Empty for a bare
    encoder (or anything else without one)."""
    from bertlab.models import encoder_of

    encoder = encoder_of(model)
    if encoder is None:
        return set()
    inside = {id(p) for p in encoder.parameters()}
    return {id(p) for p in model.parameters() if id(p) not in inside}


def param_groups(model: nn.Module, weight_decay: float, lr: float, layer_decay: float | None = None,
                 head_lr: float | None = None) -> list[dict]:
    """AdamW groups: no weight decay on biases and LayerNorm weights (as BERT was trained).

    With ``layer_decay`` (e.g. 0.9), layer l of L gets lr * decay**(L - l): lower
    layers move less (layer-wise learning-rate decay / differential learning rates).
    With ``head_lr``, the head outside the encoder (:func:`head_parameters`) has that rate instead of ``lr``.
    """
    groups: dict[tuple[bool, float], list] = {}
    head = head_parameters(model) if head_lr is not None else set()
    n_layers, block_of, below = 0, {}, set()
    if layer_decay:
        from bertlab.models import encoder_below_stack, layer_stack

        # Found by module, not by name: DistilBERT's stack is 'transformer.layer', ModernBERT's 'layers'. A model
        # that shares one layer across its depth (ALBERT) has none: its encoder moves less, head and pooler at lr.
        stack = layer_stack(model) or []
        n_layers = len(stack)
        block_of = {id(p): i for i, block in enumerate(stack) for p in block.parameters()}
        below = encoder_below_stack(model, stack)  # as partial_ft freezes it: embeddings, ELECTRA's projection...
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        scale = 1.0
        if layer_decay:
            depth = n_layers + 1  # head and pooler: full lr
            if id(p) in block_of:
                depth = block_of[id(p)] + 1
            elif id(p) in below or "embeddings" in name:
                depth = 0
            scale = layer_decay ** (n_layers + 1 - depth)
        key = (_no_decay(name), head_lr if id(p) in head else lr * scale)
        groups.setdefault(key, []).append(p)
    return [{"params": ps, "weight_decay": 0.0 if nd else weight_decay, "lr": rate}
            for (nd, rate), ps in groups.items()]


def linear_schedule(optimizer: torch.optim.Optimizer, warmup: int, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warmup to the peak lr, then linear decay to 0."""

    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, f)


def make_optimizer(params: list[dict], lr: float, device: torch.device) -> torch.optim.Optimizer:
    """AdamW; the fused kernel on CUDA and CPU, foreach elsewhere.

    On CPU the fused step is one pass over each tensor instead of a dozen
    foreach kernels: the benchmark measured the optimizer step ~4x faster
    (it also is what HF Trainer uses by default since torch 2.8).
    """
    kw = {"fused": True} if device.type in ("cuda", "cpu") else {"foreach": True}
    return torch.optim.AdamW(params, lr=lr, **kw)


def loss_scaler(device: torch.device, dtype: torch.dtype | None) -> torch.amp.GradScaler | None:
    """A GradScaler for fp16 autocast, None otherwise.

    fp16 has 5 exponent bits: gradients below ~6e-8 flush to zero and the
    largest it holds is 65504, so the loss is scaled up before backward and
    the gradients scaled back before clipping (a step whose gradients
    overflowed is skipped and the scale halved, as with the Trainer's
    ``fp16=True``). bf16 has fp32's exponent range and needs none.
    """
    return torch.amp.GradScaler(device.type) if dtype == torch.float16 else None


def backward_step(loss: torch.Tensor, opt: torch.optim.Optimizer, params: list[nn.Parameter], grad_clip: float,
                  scaler: torch.amp.GradScaler | None, *, report_skip: bool = False,
                  skipped: torch.Tensor | None = None) -> bool:
    """Backward, clip the global gradient norm to ``grad_clip``, optimizer step.

    With ``scaler`` (fp16), the scaled loss goes backward and the gradients are
    unscaled before clipping, so the clip sees true norms. Returns False for a
    step the scaler skipped, but only with ``report_skip``: finding out waits
    for the device, which a GPU loop should not do every step. ``skipped`` (see
    :func:`skip_counter`): a tensor on the device that a skipped step adds 1 to,
    on the device, so a loop can count them without waiting for it every step.
    """
    if scaler is None:
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, grad_clip)
        opt.step()
        return True
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    if skipped is not None:
        # unscale_'s inf/nan check, one flag per device (1.0: this step will be skipped), still on the device.
        # GradScaler keeps no public handle on it; the alternative, get_scale(), waits for the device.
        for found in scaler._found_inf_per_device(opt).values():
            skipped.add_(found.to(skipped.device, non_blocking=True).sum())
    # clip_grad_norm_, but a step whose gradients overflowed (skipped below) is clipped by 0, not by NaN: NaN would
    # reach every gradient, the kept buffers' rows the step never wrote too (bertlab.embgrad, bertlab.embrows,
    # which zero only the rows written), and every later step would overflow.
    norm = torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])
    norm = torch.where(torch.isfinite(norm), norm, torch.full_like(norm, math.inf))
    torch.nn.utils.clip_grads_with_norm_(params, grad_clip, norm)
    before = scaler.get_scale() if report_skip else None
    scaler.step(opt)
    scaler.update()
    return before is None or scaler.get_scale() >= before  # the scale only drops when a step is skipped


def skip_counter(scaler: torch.amp.GradScaler | None, device: torch.device) -> torch.Tensor | None:
    """A zero on ``device`` for :func:`backward_step` to count the steps ``scaler`` skips in; None without one."""
    return torch.zeros((), dtype=torch.float32, device=device) if scaler is not None else None


def overflow_note(skipped: int, steps: int, phase: str = "training") -> str | None:
    """The run note where fp16's loss scaler skipped ``skipped`` of ``steps`` optimizer steps of ``phase`` (None
    where it skipped none).

    Raises:
        ConfigError: it skipped every one: the weights never moved, and a result would be the initial model's.
    """
    if not skipped:
        return None
    if skipped >= steps:
        raise ConfigError(
            f"fp16 overflow: every one of the {steps:,} optimizer steps of {phase} had inf or NaN gradients in "
            "float16, so the loss scaler skipped them all and no weight moved. Choose precision 'bf16' (on a GPU "
            "with native bf16: Ampere or newer) or 'fp32', or a lower learning rate.")
    return (f"fp16 overflow: the loss scaler skipped {skipped:,} of {steps:,} optimizer steps of {phase} (inf or NaN "
            "gradients in float16), which trained nothing; a few at the start are usual while it finds its scale, "
            "many mean float16 cannot hold this training: precision 'bf16' (on a GPU with native bf16) or 'fp32' "
            "avoids it")


@contextlib.contextmanager
def training_attention(model: nn.Module, device: torch.device):
    """While training on a CPU: eager attention instead of SDPA, with cheaper dropout masks (:mod:`bertlab.dropout`).

    Measured on an AMX Xeon (full_ft, MiniLM, 2,000 texts, one epoch, medians of 3 alternating repeats):
    bf16 15.3 s with SDPA, 14.6 s with eager attention, 11.8 s with eager attention and these dropout
    masks; fp32 22.7 s with SDPA, 20.6 s with this. PyTorch's CPU dropout (``bernoulli_``) took a quarter of a
    bf16 epoch; SDPA cannot take a custom mask. Evaluation and inference keep SDPA; so does a GPU, where
    SDPA's fused kernels (dropout included) are the fast path. Yields whether the switch was made: only
    models whose attention transformers can switch at run time (BERT, RoBERTa, DistilBERT, ELECTRA, ALBERT,
    ModernBERT; not DeBERTa-v2, which keeps its own).
    """
    cfg = getattr(model, "config", None)
    switch = (device.type == "cpu" and cfg is not None and getattr(cfg, "_attn_implementation", None) in ("sdpa", "eager")
              and hasattr(model, "set_attn_implementation"))
    before = cfg._attn_implementation if switch else None
    if switch:
        try:
            model.set_attn_implementation(cheap_dropout.register())
        except (ValueError, AttributeError, NotImplementedError, KeyError):  # a model that cannot switch keeps its own
            pass
        # Some architectures (DeBERTa-v2) only warn that they cannot switch: check what the model runs now.
        if cfg._attn_implementation != cheap_dropout.ATTENTION:
            switch = False
            if cfg._attn_implementation != before:
                with contextlib.suppress(Exception):
                    model.set_attn_implementation(before)
    try:
        if switch:
            with cheap_dropout.cheap_dropout_modules(model):
                yield True
        else:
            yield False
    finally:
        if switch:
            model.set_attn_implementation(before)


def map_sorted(enc: Encoded, batch_size: int, pad_id: int, fn, progress=None, multiple: int = 1) -> np.ndarray | None:
    """``fn(batch)`` over length-sorted padded batches of ``enc``, rows put back in input order (float32).

    ``batch`` is :func:`collate`'s dict of CPU tensors (lengths padded up to ``multiple``); ``fn`` returns one
    row per text. None when ``enc`` is empty. ``progress(done, total)`` is called after each batch.
    """
    out: np.ndarray | None = None
    batches = sorted_batches(enc.lengths, batch_size)
    cap = enc.pad_cap()
    for n, idx in enumerate(batches):
        res = fn(collate([enc.ids[i] for i in idx], pad_id, multiple, cap, batch_types(enc, idx)))
        if out is None:
            out = np.zeros((len(enc), *res.shape[1:]), dtype=np.float32)
        out[idx] = res
        if progress is not None:
            progress(n + 1, len(batches))
    return out


@torch.inference_mode()
def predict_logits(model: nn.Module, enc: Encoded, batch_size: int, device: torch.device,
                   dtype: torch.dtype | None, pad_id: int, progress=None) -> np.ndarray:
    """Logits for every row of ``enc``, computed in length-sorted batches, returned in input order
    (``progress(done, total)`` after each batch, as :func:`map_sorted`)."""
    model.eval()

    def logits(batch: dict[str, torch.Tensor]) -> np.ndarray:
        with torch.autocast(device.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
            return model(**{k: v.to(device) for k, v in batch.items()}).logits.float().cpu().numpy()

    with first_token_last_layer(model):
        out = map_sorted(enc, batch_size, pad_id, logits, progress, shape_multiple(device))
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def evaluate(model: nn.Module, enc: Encoded, labels: list[int], label_names: list[str], batch_size: int,
             device: torch.device, dtype: torch.dtype | None, pad_id: int, callbacks: Callbacks | None = None,
             phase: str = "test", class_weight: list[float] | None = None) -> dict:
    """Loss and classification metrics of ``model`` on one split; with ``class_weight``, also the loss weighted as
    the training loss is (``weighted_loss``), which keep_best and early stopping read.

    With ``callbacks``, the evaluation is a phase of its own (``phase``): its batches are its progress, and a
    cancel stops it between batches (``RunCancelled``); 10,000 test texts take minutes on a CPU.
    """
    progress = None
    if callbacks is not None:
        callbacks.on_start(max(1, len(sorted_batches(enc.lengths, batch_size))), phase)

        def progress(done: int, total: int) -> None:
            callbacks.on_step(done, 0.0, float("nan"), 0.0, phase)
            if done < total and callbacks.should_stop():
                raise RunCancelled()

    logits = predict_logits(model, enc, batch_size, device, dtype, pad_id, progress)
    y = torch.tensor(labels)
    loss = float(nn.functional.cross_entropy(torch.from_numpy(logits), y)) if len(labels) else 0.0
    report = classification_report(labels, logits.argmax(1), label_names,
                                   probs=softmax(logits) if len(labels) else None)
    report["loss"] = loss
    if (weighted := weighted_loss(torch.from_numpy(logits), y, class_weight)) is not None:
        report["weighted_loss"] = weighted
    return report


def train_classifier(model: nn.Module, train: Encoded, train_labels: list[int], val: Encoded, val_labels: list[int],
                     label_names: list[str], *, epochs: int, batch_size: int, lr: float, weight_decay: float,
                     warmup_ratio: float, grad_clip: float, seed: int, device: torch.device,
                     dtype: torch.dtype | None, pad_id: int, callbacks: Callbacks,
                     layer_decay: float | None = None, phase: str = "train", keep_best: bool = False,
                     patience: int = 0, class_weight: list[float] | None = None,
                     head_lr: float | None = None, pad_multiple: int | None = None,
                     compile_mode: str | None = None) -> TrainStats:
    """Train ``model`` (a ``...ForSequenceClassification``) with AdamW, warmup + linear decay, clipping.

    Evaluates on the validation split after every epoch; with ``keep_best``
    the weights of the epoch with the lowest validation loss are restored at
    the end (``stats.restored_epoch``); with ``patience`` training stops once
    that many epochs in a row have not lowered it (Hugging Face's
    EarlyStoppingCallback on the loss; the schedule is not shortened). Checks
    ``callbacks.should_stop()`` before every step and raises ``RunCancelled``. ``class_weight``: each class's
    weight in the training loss (:func:`bertlab.metrics.balanced_class_weights`); keep_best and early stopping then
    read the validation loss weighted the same way (on a 97/3 split the plain one is the majority class's), while
    the validation loss stored and charted stays unweighted, comparable with other runs'. ``pad_multiple``: each
    batch's length is rounded up to a multiple of
    it (Hugging Face's ``pad_to_multiple_of``); by default :func:`shape_multiple` of ``device``.
    Where the model's head reads only the first token, its last layer
    computes that token only (:mod:`bertlab.clsonly`: same logits and
    gradients, 13% fewer training FLOPs on MiniLM). Under autocast the linear
    maps' weights are cast once per step from flat fp32 masters, each
    self-attention's query, key and value as one product
    (:mod:`bertlab.flatweights`). On a CPU only the word-embedding rows of
    tokens in the training texts go through AdamW; the others get their
    weight decay at each evaluation (:mod:`bertlab.embrows`).

    ``compile_mode`` (off by default; for measuring, see ``bench/gpu.py --compile``): the training forward runs
    through ``torch.compile`` in that mode ("default"; "reduce-overhead" and "max-autotune": CUDA graphs on a GPU),
    without the flat masters and their fused query-key-value product (the compiler fuses the casts itself) and
    without the CPU paths. Evaluation runs uncompiled.
    """
    groups = param_groups(model, weight_decay, lr, layer_decay, head_lr)
    pad_multiple = pad_multiple or shape_multiple(device)
    cap = train.pad_cap()
    # Compiled, the model runs as it is: the compiler fuses the flat masters' casts itself, and the CPU paths
    # below would break its graph or make it recompile.
    plain = contextlib.nullcontext
    with first_token_last_layer(model) as applied, \
            (plain() if compile_mode else flat_weights(model, groups, dtype)) as flat, \
            (plain() if compile_mode else compact_embedding(model, groups, train.ids, device)) as rows, \
            (plain() if compile_mode else cpu_share(device)) as share:
        forward = flat or model
        graphs = False
        if compile_mode:
            from torch._inductor import list_mode_options

            graphs = bool(list_mode_options(compile_mode).get("triton.cudagraphs"))
            forward = torch.compile(forward, mode=compile_mode)
        rng = np.random.default_rng(seed)
        lengths = train.lengths
        steps_per_epoch = math.ceil(len(train) / batch_size)
        total = steps_per_epoch * epochs
        opt = make_optimizer(groups, lr, device)
        scaler = loss_scaler(device, dtype)
        sched = linear_schedule(opt, int(warmup_ratio * total), total)
        labels_t = torch.tensor(train_labels, dtype=torch.long)
        weight_t = (torch.tensor(class_weight, dtype=torch.float32, device=device) if class_weight is not None
                    else None)
        trainable = [p for g in groups for p in g["params"]]
        skipped = skip_counter(scaler, device)  # read once an epoch, after the epoch's synchronize
        stats = TrainStats()
        best = BestKeeper(model, keep_best)
        val_answers: dict[int, dict] = {}
        callbacks.on_start(total, phase)
        t0 = time.perf_counter()
        step = 0
        pending = None
        for epoch in range(epochs):
            model.train()
            epoch_losses: list[float] = []  # the steps' losses as reported (one step late: no extra wait)
            with (plain(False) if compile_mode else training_attention(model, device)) as eager, \
                    (plain(False) if compile_mode else kept_embedding_gradient(model, device)) as kept:
                # The compact rows (bertlab.embrows) keep their gradient in a buffer of their own.
                stats.eager_attention, stats.kept_embedding_gradient = eager, kept or rows is not None
                for idx in grouped_batches(lengths, batch_size, rng):
                    if callbacks.should_stop():
                        raise RunCancelled()
                    if share:
                        share.tick()
                    batch = {k: v.to(device, non_blocking=True)
                             for k, v in collate([train.ids[i] for i in idx], pad_id, pad_multiple, cap,
                                                 batch_types(train, idx)).items()}
                    y = labels_t[idx].to(device, non_blocking=True)
                    if graphs:  # a CUDA graph's outputs are overwritten by its next replay: this step's are new
                        torch.compiler.cudagraph_mark_step_begin()
                    with torch.autocast(device.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
                        logits = forward(**batch).logits
                    loss = nn.functional.cross_entropy(logits.float(), y, weight=weight_t)
                    # The compact rows owe decay only for steps taken (they run on a CPU: asking costs no wait).
                    if backward_step(loss, opt, trainable, grad_clip, scaler, report_skip=rows is not None,
                                     skipped=skipped) and rows:
                        rows.stepped()
                    sched.step()
                    opt.zero_grad(set_to_none=True)
                    step += 1
                    stats.examples += len(idx)
                    stats.tokens += int(lengths[idx].sum())
                    stats.sq_tokens += square_tokens(lengths[idx])
                    stats.padded_tokens += int(batch["input_ids"].numel())
                    # Report the previous step's loss: reading this step's would make the host wait for the
                    # GPU every step; one step late, the GPU already has the next step queued.
                    if pending is not None:
                        epoch_losses.append(float(pending[2]))
                        callbacks.on_step(*pending[:2], epoch_losses[-1], *pending[3:])
                    pending = (step, step / steps_per_epoch, loss.detach(), sched.get_last_lr()[-1], phase)
            if pending is not None:
                epoch_losses.append(float(pending[2]))
                callbacks.on_step(*pending[:2], epoch_losses[-1], *pending[3:])
                pending = None
            synchronize(device)  # the epoch's last queued steps are training time, not evaluation time
            if skipped is not None:  # the device has run them all: reading the count waits for nothing
                stats.skipped_steps = int(skipped.item())
            if rows:  # the trained rows back into the model's matrix before it is evaluated (or kept)
                rows.flush()
            te = time.perf_counter()
            m = evaluate(model, val, val_labels, label_names, batch_size * 2, device, dtype, pad_id,
                         class_weight=class_weight)
            stats.eval_seconds += time.perf_counter() - te
            rec = {"epoch": epoch + 1, "step": step, "val_loss": m["loss"], "val_accuracy": m["accuracy"],
                   "val_macro_f1": m["macro_f1"]}
            callbacks.on_eval(step, epoch + 1, rec)
            stats.history.append(epoch_record(rec, epoch_losses, m.get("weighted_loss")))
            best.update(epoch + 1, kept_loss(stats.history[-1]))
            # this epoch's validation answers, and the best epoch's while keep_best may put it back (no other)
            answers = {"predictions": m["predictions"], "probabilities": m.get("probabilities")}
            val_answers = {e: a for e, a in val_answers.items() if e == best.best_epoch} | {epoch + 1: answers}
            if best.should_stop(patience, epochs):
                break
        stats.restored_epoch = best.restore()
        stats.val_predictions = val_answers.get(stats.restored_epoch or len(stats.history))
        stats.steps = step
        stats.first_token_last_layer = applied
        stats.flat_weights = flat is not None
        stats.embedding_rows_trained = len(rows.rows) if rows else None
        stats.fewest_threads = share.fewest if share else None
        stats.threads_note = gave_way_note(share)
        stats.thread_steps = (dict(share.steps) if share else {torch.get_num_threads(): step}
                              if device.type == "cpu" and step else None)
        stats.seconds = time.perf_counter() - t0 - stats.eval_seconds
        return stats
