"""A run's peak memory before launch, from its config (the Train page, `sweep --dry-run`, `run`).

What it estimates is what a run's stored ``peak_memory_bytes`` measures (:class:`bertlab.costs.PeakMemory`): the
memory the run *adds* to its process, on CPU the RAM (RSS), on CUDA the GPU memory it allocates. It is the sum of:

- **weights**: every weight of the model as the strategy loads it (4 bytes each: weights stay fp32; bf16 and fp16
  only cast the computations, :func:`bertlab.models.autocast_dtype`), LoRA's adapters included;
- **gradients**: one fp32 number per *trainable* weight (4 bytes); frozen weights have none;
- **optimizer states**: AdamW's two moments per trainable weight (8 bytes); frozen weights carry none, so
  head_only's and lora's are tiny and partial_ft's cover its top layers only;
- **activations**: what a training step keeps for its backward pass, ``batch x max_length x (PER_TOKEN x hidden +
  PER_SCORE x heads x max_length)`` bytes under bf16 autocast (the second term is attention's scores, which grow
  with the square of the length), :data:`FP32_FACTOR` times that in fp32, for each layer it backpropagates
  through: all of them for full_ft, dapt, scratch and lora (whose adapters sit in every layer, and whose dropout
  keeps a copy of their inputs, :data:`ADAPTER_INPUT_BYTES`), partial_ft's top layers alone. A strategy that only
  embeds (zero_shot, head_only) keeps none: its encoder pass holds :data:`FORWARD_LAYERS` layers' worth at a
  time, at its embedding batch (the batch size, at least 64);
- **masked-LM logits** (dapt, scratch with a masked-LM phase): a score over the vocabulary (30,522 tokens on
  MiniLM) for each masked position (15% of ``batch x max_length`` by default), fp32, and its gradient;
- **fixed**: what a run adds whatever its size (threads' workspaces, the tokenizer, the data as tensors, the
  allocator's slack; under bf16 autocast, its bf16 copies of the weights): :data:`FIXED_BYTES` for one that
  trains the encoder (:data:`FIXED_FP32_BYTES` in fp32), :data:`FIXED_EMBEDDING_BYTES` for one that only embeds.

The constants are fitted to runs measured on a 2-core CPU with MiniLM (bbc_news, 64 training texts, one run per
fresh process, bf16 autocast as "auto" picks there, two full_ft runs in fp32; ``tests/test_memory.py`` holds them):
each measured within :data:`MEASURED_RANGE` times its estimate. A batch is padded to its longest text only, so
texts shorter than max length take less: the estimate counts the longest training text where it is given (the Train
page), else texts that fill max length (the CLI). Not measured:
GPUs (CUDA's figure leaves out the CUDA context; fp16 there is counted as bf16), other models (the terms scale with
their shape, the fixed ones do not), fp32 on any strategy but full_ft. A second run in one process (the app's)
reads lower than a first (its set-up is paid): the estimate is a first's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

# --- constants fitted to measured runs (see the module's docstring) ---
FIXED_BYTES = 274 * 2**20  # a run that trains the encoder, under bf16 autocast
FIXED_FP32_BYTES = 32 * 2**20  # the same in fp32: autocast's bf16 copies of the weights and their workspaces gone
FIXED_EMBEDDING_BYTES = 233 * 2**20  # a run that only embeds its texts (zero_shot, head_only; measured in bf16)
# activations under bf16 autocast (how runs on this CPU trained, precision "auto"), per layer backpropagated through:
PER_TOKEN = 16.0  # bytes kept per token, per unit of hidden size
PER_SCORE = 12.4  # bytes kept per attention score (token x token x head)
FP32_FACTOR = 1.53  # the same activations in fp32 (precision fp32, or a CPU without native bf16) against bf16
FORWARD_LAYERS = 0.12  # a forward pass without gradients holds about this many layers' activations at once
ADAPTER_INPUT_BYTES = 12.0  # lora: its dropout's copy of query's, key's and value's input (3 x fp32), per layer
MLM_LOGIT_BYTES = 8.0  # masked-LM: each masked position's score over the vocabulary and its gradient, fp32
ADAMW_STATES = 2  # AdamW keeps two moments per trainable weight
# the measured runs against their estimates (tests/test_memory.py holds them): measured / estimated fell in this
# range (the 12 fitted: 0.64, zero_shot, to 1.10; 3 measured after the fit: 0.88 to 1.02)
MEASURED_RANGE = (0.6, 1.2)

EMBEDDING_STRATEGIES = ("zero_shot", "head_only")
MLM_STRATEGIES = ("dapt",)  # scratch too where its options set masked-LM epochs


@dataclass(frozen=True)
class Shape:
    """What the estimate needs of a model under a strategy: its weights (as loaded), the trainable ones, its
    layers, hidden size, attention heads and vocabulary, and the layers a training step backpropagates through."""

    weights: int
    trainable: int
    layers: int
    hidden: int
    heads: int
    vocab: int
    backprop_layers: int


@dataclass(frozen=True)
class MemoryEstimate:
    """Expected bytes a run adds at its peak (None = not estimated), each term, and what the number is based on."""

    bytes: int | None
    basis: str
    terms: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        """``~1.1 GB`` or ``unknown``."""
        return "unknown" if self.bytes is None else "~" + format_bytes(self.bytes)


def format_bytes(n: float) -> str:
    """'6 kB', '350 MB', '1.1 GB', '12 GB' (decimal units, rounded as an estimate is)."""
    if n < 1e6:
        return f"{max(1, round(n / 1e3))} kB"
    if (mb := max(1, round(n / 1e6, -1 if n >= 1e8 else 0))) < 1000:
        return f"{mb:.0f} MB"
    return f"{n / 1e9:.1f} GB" if n < 1e10 else f"{n / 1e9:.0f} GB"


def activation_bytes(batch: int, length: int, hidden: int, heads: int, layers: float, half: bool = True) -> float:
    """What ``layers`` layers keep for the backward pass of a batch: ``batch x length x (PER_TOKEN x hidden +
    PER_SCORE x heads x length)`` bytes each under bf16/fp16 autocast (``half``), :data:`FP32_FACTOR` times that
    in fp32."""
    per_layer = batch * length * (PER_TOKEN * hidden + PER_SCORE * heads * length)
    return per_layer * layers * (1.0 if half else FP32_FACTOR)


def estimate_bytes(strategy: str, shape: Shape, batch_size: int, max_length: int, half: bool = True,
                   mlm: float = 0.0, optimizer_states: int = ADAMW_STATES) -> MemoryEstimate:
    """A run's peak added memory from its strategy, model shape (:class:`Shape`), batch size, max length and the
    precision of its computations (``half``: bf16/fp16 autocast; else fp32); ``mlm``: the share of tokens a masked-LM phase masks
    (dapt; scratch's option; 0: none).
    tfidf_logreg (scikit-learn, no network) is not estimated. The terms are the module docstring's."""
    if strategy == "tfidf_logreg":
        return MemoryEstimate(None, "not estimated (scikit-learn's TF-IDF, no network)")
    embeds = strategy in EMBEDDING_STRATEGIES
    terms = {"weights": 4 * shape.weights,
             "gradients": 4 * shape.trainable,
             "optimizer states": 4 * optimizer_states * shape.trainable,
             "fixed": FIXED_EMBEDDING_BYTES if embeds else FIXED_BYTES if half else FIXED_FP32_BYTES}
    if embeds:  # its encoder pass: no graph kept, a layer or so at a time; the head trains on the vectors
        terms["activations"] = round(activation_bytes(max(64, batch_size), max_length, shape.hidden, shape.heads,
                                                      FORWARD_LAYERS, half))
    else:
        terms["activations"] = round(activation_bytes(batch_size, max_length, shape.hidden, shape.heads,
                                                      shape.backprop_layers, half))
    if strategy == "lora":  # its adapters' dropout keeps a copy of each adapted projection's input
        terms["adapter inputs"] = round(ADAPTER_INPUT_BYTES * batch_size * max_length * shape.hidden
                                        * shape.backprop_layers)
    if mlm:
        terms["masked-LM logits"] = round(MLM_LOGIT_BYTES * mlm * batch_size * max_length * shape.vocab)
    return MemoryEstimate(sum(terms.values()), f"{', '.join(f'{k} {format_bytes(v)}' for k, v in terms.items() if v)}"
                          f" (constants fitted to CPU runs of MiniLM, each within {MEASURED_RANGE[0]:g} to {MEASURED_RANGE[1]:g} "
                          "times its estimate)", terms)


def shape_of(strategy: str, model: str, options: dict | None = None, n_classes: int = 2,
             new_vocab: int | None = None) -> Shape:
    """The model's :class:`Shape` under ``strategy`` from its config (no weights loaded): the weights and trainable
    ones as the strategy card counts them (:func:`bertlab.teaching.strategy_blocks`, LoRA's adapters added);
    ``new_vocab``: scratch's new vocabulary of up to that many tokens, whose embeddings (and masked-LM scores)
    replace the model's."""
    from bertlab.strategies import get_strategy
    from bertlab.teaching import ADAPTER, strategy_blocks

    opts = {**get_strategy(strategy).defaults.get("options", {}), **(options or {})}
    blocks = strategy_blocks(strategy, model, opts, n_classes, new_vocab)
    layers, hidden, heads, vocab = _dims(model)
    if strategy == "scratch" and new_vocab:
        vocab = int(new_vocab)
    weights = sum(b.params for b in blocks) + sum(b.trained_params for b in blocks if b.state == ADAPTER)
    if strategy == "partial_ft":
        backprop = sum(1 for b in blocks if b.name.startswith("layer ") and b.trained_params)
    else:
        backprop = layers
    return Shape(weights=weights, trainable=sum(b.trained_params for b in blocks), layers=layers,
                 hidden=hidden, heads=heads, vocab=vocab, backprop_layers=backprop)


@functools.lru_cache(maxsize=8)
def _dims(model: str) -> tuple[int, int, int, int]:
    """The model's layers, hidden size, attention heads and vocabulary, from its config: read once per model (as
    :func:`bertlab.models.layer_count`), since the Train page estimates every strategy on every rerun, and a hub
    model's config is a request online each time it is read."""
    from bertlab import models

    cfg = models.load_config(model)
    return (int(getattr(cfg, "num_hidden_layers", 0) or 0), int(cfg.hidden_size),
            int(getattr(cfg, "num_attention_heads", 1) or 1), int(getattr(cfg, "vocab_size", 0) or 0))


def estimate_config(cfg, device=None, n_train: int | None = None, longest: int | None = None) -> MemoryEstimate:
    """The peak memory a run of ``cfg`` (a :class:`bertlab.config.RunConfig`) should add on ``device`` (a
    :class:`bertlab.models.DeviceInfo`; default: the one runs get), its precision resolved there ("auto": bf16 on a
    CPU with native bf16); ``n_train``: its training texts, where known (a batch size above it is lowered to it, as
    the runner does); ``longest``: its longest training text in tokens, where known (a batch is padded to its
    longest text, not to max length: 500 short reviews fill 128 tokens with none). Unknown where its model's config
    cannot be read."""
    from bertlab import models
    from bertlab.errors import BertlabError
    from bertlab.strategies import get_strategy

    s = get_strategy(cfg.strategy)
    if not s.uses_device:
        return estimate_bytes(cfg.strategy, Shape(0, 0, 0, 0, 1, 0, 0), 1, 1)
    try:
        # scratch's own vocabulary (8,000 tokens by default against MiniLM's 30,522): as its strategy card counts it
        shape = shape_of(cfg.strategy, cfg.model, cfg.options,
                         new_vocab=cfg.vocab_size if getattr(cfg, "new_vocab", False) else None)
    except (BertlabError, OSError, ValueError) as e:
        # said after "full_ft's *unknown*: " on the Train page (its 'unknown: ' was said twice there)
        return MemoryEstimate(None, f"the model's config could not be read ({e})")
    mlm = 0.0
    try:
        if s.pretrain_epochs(cfg.options or {}):
            from bertlab.strategies.dapt import mlm_options

            mlm = mlm_options(cfg.options or {})[2]
    except BertlabError:
        pass
    device = device or models.pick_device()
    half = models.autocast_dtype(cfg.precision, device) is not None
    batch = int(cfg.batch_size)
    if n_train and s.uses_epochs and s.reads_training_texts and not s.embeds:
        batch = max(1, min(batch, int(n_train)))
    length = min(int(cfg.max_length), int(longest)) if longest else int(cfg.max_length)
    return estimate_bytes(cfg.strategy, shape, batch, length, half, mlm)


def available_bytes(device_type: str = "cpu") -> int | None:
    """Memory free for a run now: on CUDA the device's free memory, else the machine's available RAM
    (psutil's ``available``: free plus what the OS can reclaim); None where it cannot be read."""
    try:
        if device_type == "cuda":
            import torch

            return int(torch.cuda.mem_get_info()[0])
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # noqa: BLE001 - unreadable: no warning rather than a wrong one
        return None


def too_big_note(estimates: dict[str, MemoryEstimate], free: int | None, device_type: str = "cpu") -> str | None:
    """A warning naming the runs whose estimate exceeds ``free`` bytes (None where none does, or ``free`` is
    unknown): runs train one at a time, so each must fit alone."""
    if free is None:
        return None
    over = {n: e for n, e in estimates.items() if e.bytes is not None and e.bytes > free}
    if not over:
        return None
    where = "free on the GPU" if device_type == "cuda" else "of memory available on this machine"
    names = ", ".join(f"{n} (~{format_bytes(e.bytes)})" for n, e in over.items())
    trainers = [n for n in over if n not in EMBEDDING_STRATEGIES]  # zero_shot and head_only train no encoder weight
    if not trainers:  # no strategy trains fewer weights than these; their batch counts from 64 up (embedding_based)
        return (f"{names} may not fit: about {format_bytes(free)} {where} now. Lower the max length, or the batch "
                "size where it is above 64 (texts are embedded at least 64 at a time).")
    # "or, for full_ft and lora, pick ...": "or for full_ft, lora pick ..." read as a list cut short
    who = trainers[0] if len(trainers) == 1 else ", ".join(trainers[:-1]) + " and " + trainers[-1]
    fewer = "" if len(trainers) == len(over) else f", for {who},"
    return (f"{names} may not fit: about {format_bytes(free)} {where} now. Lower the batch size or max length "
            f"(activations grow with both), or{fewer} pick a strategy that trains fewer weights.")


def per_strategy(configs, device=None, n_train=None) -> dict[str, MemoryEstimate]:
    """The largest estimate (:func:`estimate_config`) of each strategy's runs among ``configs``, in their order;
    ``n_train``: ``config -> training texts`` (or None), where known."""
    out: dict[str, MemoryEstimate] = {}
    for c in configs:
        e = estimate_config(c, device, n_train(c) if n_train else None)
        old = out.get(c.strategy)
        if old is None or (e.bytes or 0) > (old.bytes or 0):
            out[c.strategy] = e
    return out


def plan_sentence(estimates: dict[str, MemoryEstimate]) -> str:
    """' Peak memory each run should add (estimated, texts filling max length): full_ft ~1.5 GB, head_only ~350 MB.'
    (leading space; empty where none is estimated): what a sweep's plan says beside its time."""
    said = [f"{n} {e.text()}" for n, e in estimates.items() if e.bytes is not None]
    return (f" Peak memory each run should add (estimated, texts filling max length): {', '.join(said)}."
            if said else "")
