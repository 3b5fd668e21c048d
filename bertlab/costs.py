"""Cost accounting: parameters, FLOPs estimates, peak memory, timing."""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

import numpy as np
import psutil

from bertlab.heap import release_free_heap
from bertlab.paths import format_bytes  # noqa: F401 (costs.format_bytes: the pages' name for it)

if TYPE_CHECKING:
    import torch


def idle_copies(model: torch.nn.Module) -> set[int]:
    """Ids of parameters a forward pass never uses: the copies PEFT keeps beside what it trains.

    PEFT's ``modules_to_save`` wrapper (LoRA's classifier and pooler) holds the
    frozen original module *and* a trainable copy per adapter; one of them runs.
    Counting both would bill the model for weights it does not compute with.
    Duck-typed (``original_module`` + a ``modules_to_save`` ModuleDict) so this
    module needs no peft import.
    """
    import torch

    idle: set[int] = set()
    for m in model.modules():
        copies = getattr(m, "modules_to_save", None)
        original = getattr(m, "original_module", None)
        if not isinstance(copies, torch.nn.ModuleDict) or not isinstance(original, torch.nn.Module):
            continue
        active = list(getattr(m, "active_adapters", None) or [])
        adapted = bool(active) and active[0] in copies and not getattr(m, "disable_adapters", False)
        running = copies[active[0]] if adapted else original
        used = {id(p) for p in running.parameters()}
        idle |= {id(p) for sub in (original, *copies.values()) for p in sub.parameters() if id(p) not in used}
    return idle


def _running_params(model: torch.nn.Module):
    """(name, parameter) for the weights a forward pass uses (shared weights once, idle copies left out)."""
    idle = idle_copies(model)
    return ((n, p) for n, p in model.named_parameters() if id(p) not in idle)


def count_params(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts of the model as it runs (see :func:`idle_copies`)."""
    params = [p for _, p in _running_params(model)]
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    return trainable, total


def _table(name: str) -> bool:
    """Whether a parameter belongs to the embedding stage's tables (looked up, not multiplied): BERT's
    ``embeddings.*``, DeBERTa's ``rel_embeddings``; not ELECTRA's ``embeddings_project``, a matrix every token
    goes through."""
    return any(part == "embeddings" or part.endswith("_embeddings") for part in name.split("."))


def _uses_per_token(model: torch.nn.Module):
    """How many times a forward pass runs each named parameter: once, but ALBERT's shared layer group once per
    layer it stands for (``num_hidden_layers / num_hidden_groups``)."""
    cfg = getattr(model, "config", None)
    if getattr(cfg, "model_type", None) == "albert":
        times = cfg.num_hidden_layers / max(1, cfg.num_hidden_groups)
        return lambda name: times if ".albert_layer_groups." in f".{name}" else 1
    return lambda name: 1


def non_embedding_params(model: torch.nn.Module, trainable_only: bool = False) -> int:
    """Parameters outside the embedding tables: the ones that cost FLOPs per token (idle copies excluded), each as
    often as a forward pass runs it (ALBERT's one shared layer at every depth). ``trainable_only``: those whose
    gradients a training step computes for every token (ALBERT's shared layer's adapters at every depth)."""
    uses = _uses_per_token(model)
    return round(sum(p.numel() * uses(name) for name, p in _running_params(model)
                     if not _table(name) and (p.requires_grad or not trainable_only)))


def attention_shape(model) -> tuple[int, int]:
    """(layers, width) of ``model``'s self-attention: how many layers run it (ALBERT's shared layer at each depth)
    and the width its scores and mix are computed over (heads x head size: the hidden size). ``model`` is a model
    or its config; (0, 0) for one without a transformer config."""
    cfg = getattr(model, "config", model)
    layers = int(getattr(cfg, "num_hidden_layers", 0) or 0)
    heads = int(getattr(cfg, "num_attention_heads", 0) or 0)
    hidden = int(getattr(cfg, "hidden_size", 0) or 0)
    head_dim = int(getattr(cfg, "head_dim", 0) or 0) or (hidden // heads if heads else 0)
    return layers, heads * head_dim if heads else hidden


def square_tokens(lengths) -> int:
    """The sum of each sequence's length squared: what attention's cost grows with (a text of s tokens scores s x s
    pairs). ``lengths``: each sequence's real tokens (padding left out)."""
    n = np.asarray(lengths, dtype=np.int64)
    return int((n * n).sum())


def attention_flops(shape: tuple[int, int], sq_tokens: int) -> float:
    """Forward FLOPs of attention's two matmuls, which hold no weights and so are not in 2 x N x T: per layer and
    sequence of s tokens, the scores Q K^T (s x s dot products of ``width``: 2 s^2 d) and the mix of the values by
    them (2 s^2 d). ``shape``: :func:`attention_shape`; ``sq_tokens``: :func:`square_tokens` of the sequences.

    Counted over each text's real tokens, as 2 x N x T is: the padding a batch adds up to its longest text (the
    runs' ``padding_fraction``) is left out of both terms, so a run's FLOPs do not depend on its batch size or on
    the GPU's rounding of lengths up to a multiple of 8. The softmax and masking (a few FLOPs per score) are left
    out; DeBERTa's relative-position terms and ModernBERT's local windows are counted as plain full attention.
    """
    layers, width = shape
    return 4.0 * layers * width * sq_tokens


def forward_flops(n_params_non_emb: int, tokens: int, attention: float = 0.0) -> float:
    """Forward FLOPs ~= 2 * N * T + attention (N = non-embedding params, T = real tokens, ``attention``: the
    forward :func:`attention_flops` of the same sequences).

    2 * N * T counts every weight once per token; attention's matmuls (4 * n_layers * d * s^2 per sequence of s
    tokens) grow with each text's length: on top of 2 * N * T, +1.4% for texts of 32 tokens on MiniLM
    (all-MiniLM-L6-v2: N 10.8M, 6 layers of 384), +5.5% at 128, +17% at 400, +22% at 512; on BERT-base +2.8% at
    128, +11% at 512.
    """
    return 2.0 * n_params_non_emb * tokens + attention


def inference_flops_per_text(n_params_non_emb: int, tokens: int, n_texts: int, attention: float = 0.0) -> float:
    """Forward FLOPs to answer one text, on average over ``n_texts`` texts of ``tokens`` real tokens in all
    (``attention``: the forward :func:`attention_flops` of those texts, each alone).

    What serving the model costs per prediction, the same on any machine: 2 * N * (mean tokens per text) plus the
    mean text's attention. Every strategy that keeps the encoder's size (head_only, full_ft, lora once merged, ...)
    costs about the same here, whatever its training cost.
    """
    return forward_flops(n_params_non_emb, tokens, attention) / n_texts if n_texts else 0.0


def train_flops(n_params_non_emb: int, tokens: int, attention: float = 0.0) -> float:
    """Training FLOPs ~= 6 * N * T (forward 2NT + backward 4NT), Kaplan et al. 2020, plus 3 x the forward
    ``attention`` (:func:`attention_flops`): its backward computes the gradients of both of each matmul's inputs,
    twice its forward, as for a weight."""
    return 6.0 * n_params_non_emb * tokens + 3.0 * attention


def _rss() -> int:
    return psutil.Process(os.getpid()).memory_info().rss


class PeakMemory:
    """Peak memory a block *adds*: the high-water mark during the block minus the level at its start.

    The app trains in its server process, so the process's own footprint (Python,
    torch, Streamlit, models and caches of earlier runs) is there before a run
    starts; a raw high-water mark would measure the server, and a run would cost
    more the later it ran. On CUDA: ``max_memory_allocated`` (reset at the start)
    minus ``memory_allocated`` at the start. On CPU: the process RSS, sampled
    every ``interval`` seconds by a thread (and once at the end), minus the RSS at
    the start. ``getrusage``'s ``ru_maxrss`` is no use here: it is a lifetime high
    and cannot be reset. The C heap's free pages are returned to the OS first, but
    memory other allocators keep (e.g. Python's own arenas) can be reused without
    raising RSS, and a peak shorter than ``interval`` can be missed, so on CPU this
    is a lower bound.

    Attributes:
        peak: bytes added at the peak (what runs report as ``peak_memory_bytes``); final after the block.
        start: the level at the start (RSS on CPU, allocated bytes on CUDA).
        high_water: the absolute peak level (``start + peak``).
    """

    def __init__(self, device_type: str, interval: float = 0.1) -> None:
        self.device_type = device_type
        self.interval = interval
        self.start = 0
        self.high_water = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        import torch

        if self.device_type == "cuda":
            torch.cuda.reset_peak_memory_stats()
            self.start = int(torch.cuda.memory_allocated())
        else:
            release_free_heap()  # memory an earlier run freed stays in the process otherwise, and a new
            # run that reuses it would not raise RSS and would look free: trimming first makes its use show
            self.start = self.high_water = _rss()

            def sample() -> None:
                while not self._stop.wait(self.interval):
                    self.high_water = max(self.high_water, _rss())

            self._thread = threading.Thread(target=sample, daemon=True, name="bertlab-mem")
            self._thread.start()
        return self

    def read(self) -> int:
        """Bytes added at the peak so far."""
        import torch

        if self.device_type == "cuda":
            self.high_water = int(torch.cuda.max_memory_allocated())
        else:
            self.high_water = max(self.high_water, _rss())
        return max(0, self.high_water - self.start)

    def __exit__(self, *exc: object) -> None:
        if self._thread:
            self._stop.set()
            self._thread.join(timeout=1)
        self.peak = self.read()


class Timer:
    """Accumulating wall-clock timer: ``with timer: ...`` adds to ``timer.seconds``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._t0 = 0.0

    def __enter__(self) -> Timer:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._t0


def encoder_bytes(model: str) -> int | None:
    """Bytes of a pretrained encoder's files on disk (weights, config, tokenizer): a local save_pretrained()
    directory or the packaged model; a hub model from the local cache; None where it cannot be found."""
    from pathlib import Path

    from bertlab.models import DEFAULT_MODEL, default_model_path
    from bertlab.paths import dir_bytes

    p = default_model_path() if model == DEFAULT_MODEL else Path(model).expanduser()
    if p.is_dir():
        return dir_bytes(p)
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(model, "config.json")
        return dir_bytes(Path(found).parent) if isinstance(found, str) else None
    except Exception:  # noqa: BLE001 - any cache problem: unknown, not an error
        return None


def model_bytes(run) -> int | None:
    """What serving ``run`` needs on disk (:func:`serving_bytes`) as its costs record it; for a finished run stored
    before runs recorded it (2026-12-03), measured now from its saved model, so that Compare's serving table, the
    report and the CSV do not leave an old run's size blank beside a new one's. None where it cannot be read."""
    import json
    from pathlib import Path

    from bertlab.strategies.base import ARTIFACT_META

    c = run.costs or {}
    if "model_bytes" in c or run.status != "succeeded" or not run.artifact_dir:
        return c.get("model_bytes")
    try:
        kind = json.loads((Path(run.artifact_dir) / ARTIFACT_META).read_text()).get("kind", "")
    except (OSError, ValueError, AttributeError):
        return None
    return serving_bytes(run.artifact_dir, kind, run.model)


def serving_bytes(artifact, kind: str, model: str) -> int | None:
    """What answering with a finished run needs on disk: its saved model (adapters merged, tokenizer), and for a
    run that answers through the unchanged pretrained encoder (zero_shot, head_only) that encoder's files too,
    which several such runs share. Its test predictions (``.eval/``) are left out. None where the encoder's size
    cannot be found."""
    from bertlab.paths import dir_bytes
    from bertlab.strategies.base import ENCODER_KINDS

    own = dir_bytes(artifact, skip=(".eval",))
    if kind not in ENCODER_KINDS:
        return own
    enc = encoder_bytes(model)
    return None if enc is None else own + enc


def memory_of(run) -> str | None:
    """What a run's stored peak memory measured: "cuda" (the GPU memory it allocated) or "rss" (the RAM it added),
    as its costs' ``peak_memory_of`` says. A run stored before that field (2026-12-05) measured the GPU's where it
    trained on one (its recorded environment's device type), else RAM; None where it stored no peak memory."""
    c = getattr(run, "costs", None) or {}
    if c.get("peak_memory_of"):
        return c["peak_memory_of"]
    if c.get("peak_memory_bytes") is None:
        return None
    env = (getattr(run, "data_summary", None) or {}).get("environment") or {}
    return "cuda" if env.get("device type") == "cuda" else "rss"


# In a run's costs: its FLOPs count attention's matmuls (:func:`attention_flops`). Runs of an encoder stored before
# 2026-12-06 lack it: their training and inference FLOPs are 2 x N x T (6 x N x T to train) alone, which leaves out
# +5.5% at 128 tokens on MiniLM, +22% at 512 (1.4% at 32). Their tokens were stored, their lengths squared were
# not: the store cannot recount them, so the pages say where such runs sit beside new ones.
ATTENTION_MARK = "flops_count_attention"
ATTENTION_SINCE = "2026-12-06"


def flops_leave_out_attention(run) -> bool:
    """Whether ``run`` (a store Run) is a finished run of an encoder whose stored FLOPs leave attention out: stored
    before :data:`ATTENTION_MARK`. tfidf_logreg's FLOPs never had such a term (they are unchanged)."""
    c = run.costs or {}
    if run.status != "succeeded" or ATTENTION_MARK in c or run.strategy == "tfidf_logreg":
        return False
    return c.get("train_flops") is not None or c.get("inference_flops_per_text") is not None


def attention_mix_note(runs, names: dict[str, str] | None = None) -> str | None:
    """A sentence where ``runs`` mix encoder runs whose FLOPs count attention with ones stored before they did,
    naming the older (``names[run id]``, else its strategy and run id): their FLOPs read a few % low beside the
    others', which a chart or table would show as a real difference. None where they do not mix."""
    old = [r for r in runs if flops_leave_out_attention(r)]
    new = [r for r in runs if r.status == "succeeded" and ATTENTION_MARK in (r.costs or {})]
    if not old or not new:
        return None
    listed = ", ".join((names or {}).get(r.id) or f"{r.strategy} ({r.id})" for r in old[:4]) + (f" and {len(old) - 4} more" if len(old) > 4 else "")
    one = len(old) == 1
    return (f"{'One run' if one else f'{len(old)} runs'} here ({listed}) {'was' if one else 'were'} stored before "
            f"bertlab counted attention's matmuls in FLOPs ({ATTENTION_SINCE}): {'its' if one else 'their'} "
            "training and inference FLOPs are 2 (6 to train) x non-embedding parameters x tokens alone, where the "
            "other runs' add attention for the same work (+5.5% at 128 tokens on MiniLM, +22% at 512, less on short "
            f"texts and larger models): compare with that margin, or run {'it' if one else 'them'} again.")
