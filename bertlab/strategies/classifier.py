"""Shared machinery for strategies that train a ``...ForSequenceClassification`` model."""

from __future__ import annotations

import math
import time

from bertlab.costs import (
    attention_flops,
    attention_shape,
    count_params,
    inference_flops_per_text,
    non_embedding_params,
    square_tokens,
    train_flops,
)
from bertlab.errors import ConfigError
from bertlab.store import THROUGHPUT_MARK, THROUGHPUT_MEASURE
from bertlab.strategies.base import RunContext, RunOutput, Strategy, loss_weights

# The option every fine-tuning strategy of the pretrained encoder offers (differential learning rates).
# "unset": what an option's default None means, in words (the CLI's `strategies` and the Train page's help say it)
LAYER_DECAY_SPEC = {"label": "Layer-wise LR decay", "kind": "float", "default": None, "unset": "off", "min": 0.5, "max": 1.0,
                    "help": "layer-wise learning-rate decay (differential learning rates): the head at lr, layer l of L "
                            "at lr x decay^(L-l), so lower layers move less; empty = off"}


def check_layer_decay(options: dict) -> None:
    """Validate the optional layer-wise learning-rate decay factor.

    Raises:
        ConfigError: not a number in [0.5, 1].
    """
    d = options.get("layer_decay")
    low, high = LAYER_DECAY_SPEC["min"], LAYER_DECAY_SPEC["max"]  # as the Train page and the CLI take it
    if d is not None and (not isinstance(d, (int, float)) or isinstance(d, bool) or not low <= d <= high):
        raise ConfigError(f"option 'layer_decay' must be a number from {low} to {high} (e.g. 0.9), got {d!r}.")


# The new head's own learning rate beside the encoder's (the guides' "2e-5 for BERT, 5e-5 for the head").
HEAD_LR_SPEC = {"label": "Head learning rate", "kind": "float", "default": None, "unset": "the learning rate",
                "min": 1e-6, "max": 1.0,
                "help": "the new head's own peak learning rate (the classifier outside the encoder), e.g. 5e-5 "
                        "beside 2e-5 for the encoder; empty = the learning rate above. Measured on rotten_tomatoes with "
                        "MiniLM (3 seeds), neither 5e-5 beside 2e-5 nor 1e-3 beside 1e-4 moved test accuracy beyond "
                        "chance"}


def check_head_lr(options: dict) -> None:
    """Validate the optional head learning rate.

    Raises:
        ConfigError: not a number in the spec's range.
    """
    v = options.get("head_lr")
    low, high = HEAD_LR_SPEC["min"], HEAD_LR_SPEC["max"]
    if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or not low <= v <= high):
        raise ConfigError(f"option 'head_lr' must be a number from {low:g} to {high:g} (e.g. 5e-5), got {v!r}.")


FEW_STEPS = 20  # the sweep's default minimum: fewer optimizer steps barely start fine-tuning
# Fine-tuning the pretrained encoder (full_ft, partial_ft, lora, dapt's fine-tuning) needs more: its new head and
# MiniLM's pooler (shipped untrained: zero bias, weight std 0.009) start from nothing. Measured with full_ft on the
# Quick demo (500 texts, max length 64, lr 1e-4, seed 0; majority class 57.8%): 32 steps (1 epoch at batch 16)
# answered the majority class to every text (57.8%); 48 steps (3 epochs at batch 32) 74.0%; 64 steps (2 epochs at
# batch 16) 75.6%; 63 steps in one epoch (batch 8) only 61.8%. Under 40 warns: 1 epoch of the Quick demo at 16 does,
# 2 epochs (64) do not. (The earlier 20 let 32 steps launch unwarned and score as the majority class.)
FINE_TUNE_STEPS = 40


def few_steps_note(n_train: int, batch_size: int, epochs: int, minimum: int = FEW_STEPS) -> str | None:
    """A note where a run plans fewer than ``minimum`` optimizer steps (:data:`FEW_STEPS`, or a strategy's own,
    :data:`FINE_TUNE_STEPS`; 28 texts at batch 16 for 3 epochs: 6), so its score says little about the strategy;
    None otherwise."""
    per_epoch = math.ceil(n_train / max(1, batch_size))
    steps = per_epoch * epochs
    if steps >= minimum or steps == 0:
        return None
    more = math.ceil(minimum / per_epoch)
    return (f"only {steps} optimizer step{'s' * (steps != 1)} ({n_train:,} training texts at batch size "
            f"{batch_size}, {epochs} epoch{'s' * (epochs != 1)}): too few for the weights to move far, so this score "
            f"says little about the strategy. {more} epochs, or a smaller batch size, give it {minimum} or more.")


def few_steps_planned(configs: list, n_train: int) -> dict[str, str]:
    """{strategy: :func:`few_steps_note`} for the configs of a launch that fine-tune a network (the strategies this
    module trains) on ``n_train`` texts with fewer than :data:`FEW_STEPS` optimizer steps: said before launch,
    not only in the run's notes after it."""
    from bertlab.strategies.base import get_strategy

    out = {}
    for c in configs:
        if isinstance(s := get_strategy(c.strategy), ClassifierStrategy) and c.strategy not in out:
            if (note := few_steps_note(n_train, c.batch_size, c.epochs, s.min_steps)) is not None:
                out[c.strategy] = note
    return out


class ClassifierStrategy(Strategy):
    """Train a classification model built by :meth:`build`; save it with ``save_pretrained``.

    Subclasses implement :meth:`build` (returning model and tokenizer) and may
    freeze parameters there; the engine trains whatever still requires grad.
    """

    layer_decay_option = "layer_decay"
    min_steps = FEW_STEPS  # fewer planned optimizer steps: a note before launch and in the run (few_steps_note)

    def build(self, ctx: RunContext):  # pragma: no cover - abstract
        raise NotImplementedError

    def before_train(self, ctx: RunContext, model, tokenizer) -> dict:
        """Hook for extra phases (e.g. continued pretraining). Returns extra costs."""
        return {}

    def after_train(self, ctx: RunContext, model):
        """Hook to turn the trained model into the one to save (e.g. merge adapters)."""
        return model

    def probe_work(self, config, sizes: dict[str, int]) -> tuple[float, float] | None:
        """Training texts x epochs through a training step, plus the masked-LM passes before it (dapt's, scratch's:
        :meth:`pretrain_texts` x :meth:`pretrain_epochs`, 0 for the others); validation each epoch and test once,
        forward only."""
        tr, va, te = (sizes.get(k, 0) for k in ("train", "validation", "test"))
        mlm = self.pretrain_texts(config.options, tr) * self.pretrain_epochs(config.options)
        return float(tr * config.epochs + mlm), float(va * config.epochs + te)

    def train_flops(self, model, tokens: int, trainable: int, total: int, sq_tokens: int = 0) -> float:
        """Training FLOPs of the classification phase (strategies that freeze parts override this): ``tokens`` the
        real tokens trained on, ``sq_tokens`` the sum of each text's squared (attention's share,
        :func:`bertlab.costs.attention_flops`)."""
        # 6 * N * T counts the backward through every non-embedding weight. With frozen parts the true
        # figure is lower; we scale the backward part by the trainable share. Attention holds no weights: its
        # backward (twice its forward) runs through every layer above the lowest weight that trains, which here
        # is every layer (full_ft, scratch, dapt train them all).
        frac = min(1.0, trainable / max(1, total))
        return (train_flops(non_embedding_params(model), tokens) * (1 + 2 * frac) / 3
                + 3 * attention_flops(attention_shape(model), sq_tokens))

    def run(self, ctx: RunContext) -> RunOutput:
        from bertlab.engine import (
            best_epoch_outcome,
            early_stop_note,
            encode,
            evaluate,
            overflow_note,
            train_classifier,
        )

        cfg, sp, dev = ctx.config, ctx.splits, ctx.torch_device
        check_layer_decay(cfg.options)  # here, where the engine reads it: every subclass, before any work
        check_head_lr(cfg.options)
        model, tok = self.build(ctx)
        model.to(dev)
        extra = self.before_train(ctx, model, tok)
        t_tok = time.perf_counter()
        train, val, test = (encode(tok, d.texts, cfg.max_length, sp.pairs, cfg.truncation)
                            for d in (sp.train, sp.val, sp.test))
        tokenize_s = time.perf_counter() - t_tok
        trainable, total = count_params(model)
        stats = train_classifier(
            model, train, sp.train.labels, val, sp.val.labels, sp.label_names,
            epochs=cfg.epochs, batch_size=cfg.batch_size, lr=cfg.learning_rate, weight_decay=cfg.weight_decay,
            warmup_ratio=cfg.warmup_ratio, grad_clip=cfg.grad_clip, seed=cfg.seed, device=dev, dtype=ctx.dtype,
            pad_id=tok.pad_token_id, callbacks=ctx.callbacks,
            layer_decay=cfg.options.get(self.layer_decay_option), keep_best=cfg.keep_best, patience=cfg.patience,
            class_weight=loss_weights(cfg, sp), head_lr=cfg.options.get("head_lr"),
        )
        # fp16 steps whose gradients overflowed trained nothing: said in the notes, and a run none of whose steps
        # trained fails (ConfigError) instead of reporting its initial weights as a result.
        if overflow := overflow_note(stats.skipped_steps, stats.steps, "fine-tuning"):
            ctx.notes.append(overflow)
        if stopped := early_stop_note(stats.history, cfg.epochs, cfg.patience):
            ctx.notes.append(stopped)
        val_m, note = best_epoch_outcome(stats.restored_epoch, stats.history)
        if note:
            ctx.notes.append(note)
        if stats.threads_note:
            ctx.notes.append(stats.threads_note)
        if (note := few_steps_note(len(sp.train), cfg.batch_size, cfg.epochs, self.min_steps)) is not None:
            ctx.notes.append(note)
        t_eval = time.perf_counter()
        # its own phase: the status line says "test 40%", not "train 100%", while it evaluates
        test_m = evaluate(model, test, sp.test.labels, sp.label_names, cfg.batch_size * 2, dev, ctx.dtype,
                          tok.pad_token_id, callbacks=ctx.callbacks, phase="test")
        test_s = time.perf_counter() - t_eval
        # Extra phases (dapt's masked LM) count in both training FLOPs and training seconds, so FLOP/s is
        # over the same work, and examples/s too (the labelled texts x epochs per second of all of its training, as
        # head_only's counts its encoder pass): over its fine-tuning alone, a dapt run read 67 ex/s for 500 texts in 21.5 s
        # of training (23 on this measure), above full_ft's 45 (500 in 11.1 s).
        # Counted on the model as it trained, before after_train: lora's merge_and_unload changes it in place, and
        # its adapters' weights (which did the training) were then left out of the count.
        flops = self.train_flops(model, stats.tokens, trainable, total, stats.sq_tokens) + extra.get("extra_flops", 0.0)
        final = self.after_train(ctx, model)
        # What answering one text costs the saved model (adapters merged): the test texts' mean real tokens, each
        # text's attention over its own length (a text served alone is not padded).
        serve_flops = inference_flops_per_text(non_embedding_params(final), int(test.lengths.sum()), len(test),
                                               attention_flops(attention_shape(final), square_tokens(test.lengths)))
        final.save_pretrained(ctx.artifact_dir, safe_serialization=True)
        tok.model_max_length = cfg.max_length  # what it was trained on: plain transformers then cuts texts alike
        tok.save_pretrained(ctx.artifact_dir)
        self.save_meta(ctx, "classifier")
        # and the work before the loop that trains something (scratch's new vocabulary)
        train_s = stats.seconds + extra.get("extra_seconds", 0.0) + sum(ctx.pre_train_seconds.values())
        costs = {
            "train_seconds": train_s,
            "eval_seconds": stats.eval_seconds + test_s,
            "tokenize_seconds": tokenize_s,
            "train_examples_per_s": stats.examples / train_s if train_s else 0.0,
            THROUGHPUT_MARK: THROUGHPUT_MEASURE,
            "train_tokens": stats.tokens,
            "train_square_tokens": stats.sq_tokens,  # attention's FLOPs grow with it (costs.attention_flops)
            "padding_fraction": 1 - stats.tokens / stats.padded_tokens if stats.padded_tokens else 0.0,
            "steps": stats.steps,
            "skipped_steps": stats.skipped_steps,
            "trainable_params": trainable,
            "total_params": total,
            "train_flops": flops,
            "train_flops_per_s": flops / train_s if train_s else 0.0,
            "inference_flops_per_text": serve_flops,
            **{k: v for k, v in extra.items() if k not in ("extra_flops", "extra_seconds")},
            **ctx.pre_train_seconds,
        }
        # JSON keys: the thread count as text; a masked-LM phase's steps (dapt, scratch) count too: they train weights
        threads = {str(k): v for k, v in (stats.thread_steps or {}).items()}
        for k, v in (extra.get("mlm_threads") or {}).items():
            threads[k] = threads.get(k, 0) + v
        if threads:
            costs["train_threads"] = dict(sorted(threads.items(), key=lambda kv: int(kv[0])))
        if ctx.derived_options:
            costs["derived_options"] = dict(ctx.derived_options)
        return RunOutput(test=test_m, costs=costs, val=val_m, val_predictions=stats.val_predictions)
