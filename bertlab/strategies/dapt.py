"""dapt: domain-adaptive pretraining (continued masked-LM on domain text), then full fine-tuning.

The MLM phase trains the *same* encoder object the classifier then fine-tunes,
so no weights are copied. Speed: the vocabulary projection (hidden x 30k) is
the most expensive part of an MLM step, and only ~15% of positions are
masked, so we run the MLM head only on the masked positions instead of on
every token as ``BertForMaskedLM.forward`` does.
"""

from __future__ import annotations

import collections
import functools
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bertlab.config import upload_display_name
from bertlab.costs import attention_flops, attention_shape, non_embedding_params, square_tokens, train_flops
from bertlab.cpushare import cpu_share, gave_way_note
from bertlab.errors import BertlabError, ConfigError, DataError, ModelError, RunCancelled
from bertlab.paths import data_home
from bertlab.strategies.base import RunContext, get_strategy, register
from bertlab.strategies.classifier import HEAD_LR_SPEC, LAYER_DECAY_SPEC
from bertlab.strategies.full_ft import FullFineTune
from bertlab.textpair import split_pair

if TYPE_CHECKING:
    from torch import nn

MAX_DOMAIN_TEXTS = 200_000
MAX_DOMAIN_FILE_BYTES = 200 * 2**20


class _Refused(DataError):
    """:func:`_read_domain`'s refusal of a file, said after "<strategy> option 'domain_file' <path>"."""


def _shown(path: object) -> str:
    """The domain file as its user knows it: an upload (the Train page's, kept as
    '<data home>/uploads/<hash>-<name>') by the name it was uploaded as; a path given (CLI, API) as given. The notes
    named the saved copy, 'ca09cf01ce28-domain.txt', a name the user never chose."""
    p = Path(str(path)).expanduser()
    if upload_display_name(p.name) == p.name:  # no '<hash>-' before its name: not an upload's copy
        return str(path)
    try:
        upload = p.parent.resolve() == (data_home() / "uploads").resolve()
    except (OSError, ValueError, BertlabError):  # no data directory to be under (it cannot be made)
        upload = False
    return upload_display_name(p.name) if upload else str(path)


def _refusal(strategy: str, path: object, why: str) -> str:
    return f"{strategy} option 'domain_file' {_shown(path)!r} {why}"


def _read_domain(path: str) -> tuple[list[str], list[str], int]:
    """The kept texts of the domain file at ``path`` (at most :data:`MAX_DOMAIN_TEXTS`), what reading it said (its
    encoding) and how many texts it holds in all. Raises _Refused where it cannot be read."""
    from bertlab.data.files import decode_text

    p = Path(path).expanduser()
    if not p.is_file():
        raise _Refused("is not a file; give a UTF-8 .txt with one text per line.")
    if p.stat().st_size > MAX_DOMAIN_FILE_BYTES:
        raise _Refused(f"is larger than {MAX_DOMAIN_FILE_BYTES // 2**20} MiB; use a sample of it.")
    raw = p.read_bytes()
    if b"\x00" in raw:  # binary, or UTF-16 (which a .txt of texts is rarely saved as; the Data page reads it)
        raise _Refused("is not UTF-8 text (it holds NUL bytes: a binary file, or UTF-16); save it as UTF-8.")
    said: list[str] = []
    # a latin-1 file was refused here while the Data page read the same bytes, and a UTF-8 byte-order mark (Notepad,
    # Excel) stayed glued to the first text as an invisible '\ufeff'
    try:
        decoded = decode_text(raw, Path(_shown(path)).name, said)
    except DataError as e:  # a ZIP, or bytes that are no text (binary without a NUL): refused as the Data page does
        raise _Refused(f"cannot be read: {e}") from None
    texts = [t.strip() for t in decoded.splitlines() if t.strip()]
    if not texts:
        raise _Refused("has no text; put one text per line.")
    return texts[:MAX_DOMAIN_TEXTS], said, len(texts)


def _cap_note(strategy: str, total: int, file_name: str) -> str:
    # the rest went unsaid: the run's note counted the kept
    return (f"{strategy}: read the first {MAX_DOMAIN_TEXTS:,} of the {total:,} texts of {file_name} (the most a run "
            "pretrains on); sample the file to choose which")


def read_domain_texts(path: str, strategy: str = "dapt", notes: list[str] | None = None) -> list[str]:
    """Unlabelled texts from a text file, one per non-empty line: UTF-8 (a byte-order mark taken off), else
    Windows-1252/latin-1 as the Data page reads a file, with a note in ``notes`` saying so.

    Raises:
        DataError: missing, too large, unreadable (binary, UTF-16) or empty file.
    """
    try:
        texts, said, total = _read_domain(path)
    except _Refused as e:
        raise DataError(_refusal(strategy, path, str(e))) from None
    if notes is not None:
        notes.extend(f"{strategy}: {n}" for n in said)
        if total > len(texts):
            notes.append(_cap_note(strategy, total, Path(_shown(path)).name))
    return texts


def domain_lines(path: object) -> int:
    """How many texts the domain file at ``path`` adds (:func:`read_domain_texts`' count, at most
    :data:`MAX_DOMAIN_TEXTS`), for a time estimate before launch; 0 for no path or a file that cannot be read (the
    launch says why)."""
    read = _domain_read(path)
    return 0 if read is None or isinstance(read, str) else sum(read[2].values())


def _domain_read(path: object) -> tuple[list[str], int, collections.Counter] | str | None:
    """:func:`_read_cached` for ``path`` as it is now: None for no path or none there."""
    if not path:
        return None
    try:
        st = Path(str(path)).expanduser().stat()
    except (OSError, ValueError):
        return None
    return _read_cached(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, size: int, mtime_ns: int) -> tuple[list[str], int, collections.Counter] | str:
    """What a run reads of the domain file at ``path`` (the run's own rule, :func:`_read_domain`): its reading
    notes, its count in all and its kept texts counted by :func:`copy_key` (the held-out texts a launch leaves out
    are then counted without reading it again), or why it is refused. Cached by size and time: the Train page asks
    on every rerun, for its time estimate and its notes."""
    from bertlab.data.dataset import copy_key

    try:
        texts, said, total = _read_domain(path)
    except _Refused as e:
        return str(e)
    except OSError as e:
        return f"cannot be read ({e.strerror or e})."
    return said, total, collections.Counter(map(copy_key, texts))


def held_out_keys(splits) -> set[str]:
    """The :func:`copy_key` of every validation and test text of ``splits``: a domain line that is one is left out
    of the masked-LM texts. A pair task's held-out example is two texts: a line that is either of them is a held-out
    text too (MRPC's sentences gathered into a domain file went in whole: only the joined pair was compared); a
    single-text dataset's literal [SEP] splits nothing (Splits.pairs), its text is one."""
    from bertlab.data.dataset import copy_key

    return {copy_key(h) for t in [*splits.val.texts, *splits.test.texts]
            for h in (t, *(split_pair(t) if splits.pairs else ())) if h}


def _mlm_notes(name: str, n_train: int, n_extra: int, n_dropped: int, file_name: str) -> list[str]:
    from bertlab.data.dataset import counted

    notes = [f"{name}: masked-LM on {n_train:,} training texts (labels unused) + {n_extra:,} lines of {file_name}"]
    if n_dropped:
        notes.append(f"{name}: dropped {counted(n_dropped, 'line')} of {file_name} that "
                     f"{'is a' if n_dropped == 1 else 'are'} validation or test "
                     f"{'text' if n_dropped == 1 else 'texts'}: masked-LM on them would show the model the "
                     "texts it is scored on")
    return notes


def domain_file_problem(strategy: str, options: dict) -> str | None:
    """Why a run of ``strategy`` with ``options`` would fail on its option 'domain_file', in the words of that
    failure (missing, binary or UTF-16, empty, too large), or None where it reads the file or reads none (no file;
    scratch at 'mlm_epochs' 0; options wrong elsewhere, which their own check says). A refused file was described
    before launch but the runs were queued anyway and each failed after loading its model: the Train page's Launch
    and the CLI's ``run`` now wait on it, as on any refusal they know before launch."""
    path = options.get("domain_file")
    if not path:
        return None
    try:
        if not get_strategy(strategy).pretrain_epochs(options):
            return None
    except ConfigError:
        return None
    return _problem(strategy, path, _domain_read(path))


def _problem(strategy: str, path: object, read) -> str | None:
    if read is None:
        return _refusal(strategy, path, "is not a file; give a UTF-8 .txt with one text per line.")
    return _refusal(strategy, path, read) if isinstance(read, str) else None


def domain_file_notes(strategy: str, options: dict, splits) -> list[str]:
    """What a run of ``strategy`` (dapt, scratch) with ``options`` will read from its option 'domain_file' on
    ``splits``, said before launch in the run's own notes' words: its reading note (latin-1, a byte-order mark),
    the cap on its texts, the validation and test texts left out and the texts it pretrains on; or why the file
    is refused. Empty where no file is given. The file is read once per path, size and time (:func:`_read_cached`),
    not at every rerun of the page."""
    path = options.get("domain_file")
    if not path:
        return []
    try:
        epochs = get_strategy(strategy).pretrain_epochs(options)
    except ConfigError:  # said where the options are checked
        return []
    if not epochs:  # scratch at mlm_epochs 0: no pretraining, as its run's note says after
        return [f"{strategy}: the extra text file will not be read: it is for the masked-LM pretraining, and "
                "'mlm_epochs' is 0"]
    if problem := _problem(strategy, path, read := _domain_read(path)):
        return [problem]
    file_name = Path(_shown(path)).name
    said, total, keys = read
    held = held_out_keys(splits)
    n_lines = sum(keys.values())
    n_dropped = sum(n for k, n in keys.items() if k in held)
    notes = [f"{strategy}: {n}" for n in said]
    if total > n_lines:
        notes.append(_cap_note(strategy, total, file_name))
    return notes + _mlm_notes(strategy, len(splits.train), n_lines - n_dropped, n_dropped, file_name)


def mlm_options(options: dict, strategy: str = "dapt", epochs: int = 1, lr: float = 5e-5) -> tuple[int, float, float]:
    """(masked-LM epochs, learning rate, share of tokens masked) from a run's options; ``epochs`` and ``lr`` are the
    strategy's defaults (scratch's epochs may be 0: no pretraining).

    Raises:
        ConfigError: a value out of range, named with ``strategy``.
    """
    low = 0 if epochs == 0 else 1
    epochs = options.get("mlm_epochs", epochs)
    if not isinstance(epochs, int) or isinstance(epochs, bool) or not low <= epochs <= 50:
        raise ConfigError(f"{strategy} option 'mlm_epochs' must be a whole number from {low} to 50, got {epochs!r}.")
    lr = options.get("mlm_lr", lr)
    if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not 0 < lr <= 1:
        raise ConfigError(f"{strategy} option 'mlm_lr' must be above 0 and at most 1 (e.g. 5e-5), got {lr!r}.")
    prob = options.get("mlm_probability", 0.15)
    if not isinstance(prob, (int, float)) or not 0 < prob < 1:
        raise ConfigError(f"{strategy} option 'mlm_probability' must be in (0, 1) (BERT used 0.15), got {prob!r}.")
    return epochs, float(lr), float(prob)


def _options(options: dict) -> tuple[int, float, float]:
    return mlm_options(options)


# Each architecture's masked-LM head: the modules of its ``...ForMaskedLM`` that map the encoder's last hidden
# states to vocabulary logits, in the order its forward applies them.
MLM_HEADS = {
    "bert": ["cls"], "deberta-v2": ["cls"], "roberta": ["lm_head"], "xlm-roberta": ["lm_head"],
    "albert": ["predictions"],
    "distilbert": ["vocab_transform", "activation", "vocab_layer_norm", "vocab_projector"],
    "electra": ["generator_predictions", "generator_lm_head"], "modernbert": ["head", "decoder"],
}


def mlm_head(model_name: str, encoder: nn.Module, notes: list[str], config_overrides: dict | None = None) -> nn.Module:
    """The checkpoint's MLM head (or a new one), with its decoder tied to ``encoder``'s word embeddings.

    Missing head weights (the packaged MiniLM ships none) are initialised as
    transformers does and reported in ``notes``. With ``config_overrides`` (scratch: {} or its new vocabulary's
    size) a random head for a random encoder, nothing read from the checkpoint.
    """
    from torch import nn
    from transformers import AutoConfig, AutoModelForMaskedLM

    from bertlab import models

    try:
        if config_overrides is not None:
            cfg = AutoConfig.from_pretrained(models.resolve(model_name, tokenizer=False), trust_remote_code=False,
                                             **config_overrides)
            mlm, info = AutoModelForMaskedLM.from_config(cfg), {}
        else:
            mlm, info = AutoModelForMaskedLM.from_pretrained(models.resolve(model_name), use_safetensors=True,
                                                             trust_remote_code=False, output_loading_info=True)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot build a masked-LM model for {model_name!r}: {e}") from None
    names = MLM_HEADS.get(mlm.config.model_type)
    if names is None or not all(isinstance(getattr(mlm, n, None), nn.Module) for n in names):
        raise ModelError(f"masked-LM training does not know where the head of {type(mlm).__name__} is (it knows "
                         f"{', '.join(sorted(MLM_HEADS))}); use a strategy without it.")
    head = nn.Sequential(*(getattr(mlm, n) for n in names))
    decoder = mlm.get_output_embeddings()
    tied = {f"{n}.{k}" for n in names for k, p in getattr(mlm, n).named_parameters() if p is decoder.weight}
    missing = sorted(k for k in info.get("missing_keys", []) if k.split(".")[0] in names and k not in tied)
    if missing:
        if len(names) == 1:  # BERT's 'cls.predictions.transform.dense.weight': 'transform.dense.weight'
            missing = [k.removeprefix(names[0] + ".").removeprefix("predictions.") for k in missing]
        notes.append(f"dapt: the checkpoint has no MLM head weights ({', '.join(missing)}); initialised them "
                     "randomly (the decoder stays tied to the word embeddings)")
    decoder.weight = encoder.get_input_embeddings().weight
    del mlm  # only its head is kept; the encoder trained is the classifier's own
    return head


def continue_pretraining(ctx: RunContext, encoder: nn.Module, tokenizer, texts: list[str],
                         options: tuple[int, float, float] | None = None, head_overrides: dict | None = None) -> dict:
    """Masked-LM training of ``encoder`` on ``texts``; logs series 'mlm_loss'. Returns cost fields.

    ``options``: (epochs, lr, share masked), default dapt's from the run's options; ``head_overrides``: a random
    head (see :func:`mlm_head`), for a random encoder."""
    import torch
    from torch import nn
    from transformers import DataCollatorForLanguageModeling

    from bertlab.engine import (
        backward_step,
        batch_types,
        collate,
        encode,
        grouped_batches,
        linear_schedule,
        loss_scaler,
        make_optimizer,
        overflow_note,
        param_groups,
        shape_multiple,
        skip_counter,
        training_attention,
    )

    cfg, dev = ctx.config, ctx.torch_device
    epochs, lr, prob = options or _options(cfg.options)
    if tokenizer.mask_token_id is None:
        raise ModelError(f"the tokenizer of {cfg.model!r} has no [MASK] token, so it cannot do masked-LM training.")
    head = mlm_head(cfg.model, encoder, ctx.notes, head_overrides).to(dev)
    # Rounded up only where that cannot pass max_length (the model's positions may end at a length no multiple).
    multiple = shape_multiple(dev) if cfg.max_length % shape_multiple(dev) == 0 else 1
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=True, mlm_probability=prob, seed=cfg.seed,
                                               pad_to_multiple_of=None if multiple == 1 else multiple)
    enc = encode(tokenizer, texts, cfg.max_length, ctx.splits.pairs, cfg.truncation)
    lengths = enc.lengths
    bs = cfg.batch_size
    steps_per_epoch = math.ceil(len(enc) / bs)
    total = steps_per_epoch * epochs
    modules = nn.ModuleDict({"encoder": encoder, "head": head})
    groups = param_groups(modules, cfg.weight_decay, lr)
    opt = make_optimizer(groups, lr, dev)
    sched = linear_schedule(opt, int(cfg.warmup_ratio * total), total)
    scaler = loss_scaler(dev, ctx.dtype)
    skipped = skip_counter(scaler, dev)  # fp16 steps the scaler skipped, counted on the device, read at the end
    params = [p for g in groups for p in g["params"]]
    rng = np.random.default_rng(cfg.seed)
    ctx.callbacks.on_start(total, "mlm")
    t0, step, tokens, masked, last, pending = time.perf_counter(), 0, 0, 0, float("nan"), None
    sq_tokens = 0  # each text's real tokens squared, summed: attention's share of the FLOPs
    # optimizer steps at each torch thread count (CPU): another count trains other weights, as in fine-tuning after
    # (engine.TrainStats.thread_steps); the run's train_threads counts both phases' steps
    thread_steps: dict[int, int] = {}

    def report(p: tuple) -> float:
        """A step's (step, progress, loss tensor, lr) to the callbacks; its loss as a float (waits for it)."""
        loss = float(p[2])
        ctx.callbacks.on_step(p[0], p[1], loss, p[3], "mlm")
        return loss

    encoder.train()
    head.train()
    # Not kept_embedding_gradient: the MLM head may tie its decoder to these embeddings from outside ``encoder``.
    with training_attention(encoder, dev), cpu_share(dev) as share:
        for _ in range(epochs):
            for idx in grouped_batches(lengths, bs, rng):
                if ctx.callbacks.should_stop():
                    raise RunCancelled()
                threads = share.tick() if share else torch.get_num_threads()
                batch = collator([{"input_ids": enc.ids[i]} for i in idx])
                padded = collate([enc.ids[i] for i in idx], tokenizer.pad_token_id, multiple, None,
                                 batch_types(enc, idx))
                mask = padded["attention_mask"]
                # Which positions were masked, found on the host (the collator's tensors are CPU tensors): asked
                # of a GPU tensor, the count and the boolean index would each make the host wait for the GPU.
                sel = batch["labels"] != -100
                n_masked = int(sel.sum())
                if not n_masked:  # a batch of very short texts can draw no mask at all
                    continue
                # Copies that do not wait for the device (a plain .to() is a stream sync every step), as the
                # engine's. Not pinned: a few KB a step, and pinning each batch costs a host copy of its own.
                pos = sel.flatten().nonzero().squeeze(1).to(dev, non_blocking=True)
                target = batch["labels"][sel].to(dev, non_blocking=True)
                input_ids = batch["input_ids"].to(dev, non_blocking=True)
                attention_mask = mask.to(dev, non_blocking=True)
                # a text pair's second half reads as BERT's segment B (token type 1), as in fine-tuning after
                types = ({"token_type_ids": padded["token_type_ids"].to(dev, non_blocking=True)}
                         if "token_type_ids" in padded else {})
                with torch.autocast(dev.type, dtype=ctx.dtype or torch.bfloat16, enabled=ctx.dtype is not None):
                    hidden = encoder(input_ids=input_ids, attention_mask=attention_mask, **types).last_hidden_state
                    logits = head(hidden.flatten(0, 1).index_select(0, pos))  # the masked positions only
                loss = nn.functional.cross_entropy(logits.float(), target)
                backward_step(loss, opt, params, cfg.grad_clip, scaler, skipped=skipped)
                sched.step()
                opt.zero_grad(set_to_none=True)
                step += 1
                thread_steps[threads] = thread_steps.get(threads, 0) + 1
                tokens += int(lengths[idx].sum())
                sq_tokens += square_tokens(lengths[idx])
                masked += n_masked
                # The previous step's loss, as the engine reports it: reading this step's would wait for the GPU.
                if pending is not None:
                    last = report(pending)
                pending = (step, step / steps_per_epoch, loss.detach(), sched.get_last_lr()[-1])
        if pending is not None:
            last = report(pending)  # waits for the last step: the count below is final
        note = gave_way_note(share, "masked-LM pretraining")
    if note:
        ctx.notes.append(note)
    n_skipped = int(skipped.item()) if skipped is not None else 0
    if overflow := overflow_note(n_skipped, step, f"{cfg.strategy}'s masked-LM pretraining"):  # raises if all
        ctx.notes.append(overflow)
    seconds = time.perf_counter() - t0
    # 6 * N * T for the encoder on every token (and its attention over each text's length), 6 * N_head * T_masked
    # for the head (transform + vocabulary).
    tied = encoder.get_input_embeddings().weight
    own = sum(p.numel() for p in head.parameters() if p is not tied)  # the tied decoder aside
    n_head = own + tied.numel()
    ctx.notes.append(f"{cfg.strategy}: the masked-LM phase also trained the MLM head's own {own:,} weights (its transform and "
                     "vocabulary bias; the decoder is tied to the word embeddings), dropped afterwards: the trainable "
                     "count is the classifier's")
    # The pooler reads [CLS] once a text, and the masked-LM loss sends it no gradient: none of 6 * N * T is its (a
    # review: 1.2% too much on MiniLM, 6 x 147,840 FLOPs a token).
    pooler = getattr(encoder, "pooler", None)
    n_pooler = sum(p.numel() for p in pooler.parameters()) if isinstance(pooler, nn.Module) else 0
    flops = (train_flops(non_embedding_params(encoder) - n_pooler, tokens,
                         attention_flops(attention_shape(encoder), sq_tokens)) + train_flops(n_head, masked))
    return {"extra_seconds": seconds, "extra_flops": flops, "mlm_seconds": seconds, "mlm_flops": flops,
            "mlm_steps": step, "mlm_skipped_steps": n_skipped, "mlm_texts": len(texts), "mlm_tokens": tokens, "mlm_square_tokens": sq_tokens, "mlm_masked_tokens": masked,
            "mlm_final_loss": last, "mlm_vocab_size": len(tokenizer), "mlm_head_params": own,
            **({"mlm_threads": {str(k): v for k, v in sorted(thread_steps.items())}}
               if dev.type == "cpu" and thread_steps else {})}  # ln(vocab): the loss of a uniform guess


@register
class DomainAdaptivePretraining(FullFineTune):
    name = "dapt"
    title = "Domain-adaptive pretraining + fine-tuning"
    summary = ("Continues masked-language-model pretraining of the encoder on unlabelled text (by default the "
               "training texts without their labels; add an in-domain text file for more), then fine-tunes every "
               "weight.")
    trains = ("every encoder weight twice: first as a masked LM on the training texts (plus any domain text "
              "file), then as a classifier with a new head")
    frozen = "nothing"
    when = ("Your texts are far from the pretraining corpus (legal, medical, product reviews, code comments) and "
            "you have plenty of unlabelled in-domain text but few labels. On the training texts alone (the "
            "default) this is what Gururangan et al. (2020) call task-adaptive pretraining (TAPT); with a large "
            "in-domain file (option 'Extra domain text') it is domain-adaptive (DAPT). A checkpoint without an MLM "
            "head (the packaged all-MiniLM-L6-v2 has none) starts the masked-LM phase from a random head; every "
            "weight trains from the first step, so the encoder also moves to suit a head that cannot yet guess "
            "words (the run's notes say so).")
    # The fine-tuning phase uses full_ft's schedule (16 x 3 epochs), so dapt vs full_ft isolates the masked-LM
    # phase. With 32 x 2 (full_ft's old schedule) dapt reached 0.630 on the quick rotten_tomatoes caps.
    defaults = {"epochs": 3, "learning_rate": 1e-4, "batch_size": 16, "max_length": 128,
                "options": {"mlm_epochs": 1, "mlm_lr": 5e-5}}
    option_specs = {
        "mlm_epochs": {"label": "Masked-LM epochs", "kind": "int", "default": 1, "min": 1, "max": 50, "help": "passes of masked-LM over the text"},
        "mlm_lr": {"label": "Masked-LM learning rate", "kind": "float", "default": 5e-5, "min": 1e-6, "max": 1e-2, "help": "masked-LM learning rate"},
        "mlm_probability": {"label": "Share of tokens masked", "kind": "float", "default": 0.15, "min": 0.05, "max": 0.5,
                            "help": "share of tokens masked (BERT: 0.15)"},
        "domain_file": {"label": "Extra domain text (.txt)", "kind": "file", "default": None, "unset": "none",
                        "suffixes": [".txt"],
                        "help": "unlabelled in-domain text, one text per line (UTF-8), added to the training texts; "
                                "lines that are validation or test texts are dropped (the run's notes count them)"},
        "layer_decay": LAYER_DECAY_SPEC,
        "head_lr": HEAD_LR_SPEC,
    }

    def pretrain_epochs(self, options: dict) -> int:
        return _options(options)[0]

    def before_train(self, ctx: RunContext, model, tokenizer) -> dict:
        import torch

        torch.manual_seed(ctx.config.seed)
        return continue_pretraining(ctx, model.base_model, tokenizer, mlm_texts(ctx))


def mlm_texts(ctx: RunContext) -> list[str]:
    """The masked-LM phase's texts: the training texts without their labels, plus the option 'domain_file''s lines;
    a note says which. Domain lines that are a validation or test text, or either text of such a pair (case and
    spacing aside, as the data's duplicates are found), are dropped and counted in the note: pretraining on them would show the model every input
    it is then scored on (a review's leak.txt of a split's 300 held-out texts went in unsaid)."""
    from bertlab.data.dataset import copy_key

    texts = list(ctx.splits.train.texts)  # the labels are not used: this is unsupervised
    domain_file = ctx.config.options.get("domain_file")
    name = ctx.config.strategy
    if domain_file:
        lines = read_domain_texts(str(domain_file), name, ctx.notes)
        held_out = held_out_keys(ctx.splits)
        extra = [t for t in lines if copy_key(t) not in held_out]
        texts += extra
        ctx.notes.extend(_mlm_notes(name, len(ctx.splits.train), len(extra), len(lines) - len(extra),
                                    Path(_shown(domain_file)).name))
    else:
        ctx.notes.append(f"{name}: masked-LM on the {len(texts):,} training texts (labels unused)")
    return texts
