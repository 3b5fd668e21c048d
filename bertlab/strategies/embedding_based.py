"""zero_shot and head_only: strategies over frozen, cached sentence embeddings."""

from __future__ import annotations

import time

import numpy as np

from bertlab.costs import attention_flops, forward_flops, inference_flops_per_text, square_tokens, train_flops
from bertlab.errors import ConfigError, RunCancelled
from bertlab.estimate import format_duration
from bertlab.metrics import classification_report, softmax
from bertlab.strategies.base import RunContext, RunOutput, Strategy, loss_weights, register

ZERO_SHOT_SCALE = 20.0  # cosine similarities * scale -> softmax "probabilities"


def _embed_splits(ctx: RunContext, which: tuple[str, ...]) -> tuple[dict[str, np.ndarray], dict]:
    """Embeddings of the requested splits through the shared cache, and what they cost."""
    from bertlab import embeddings

    cfg = ctx.config
    cache = embeddings.cache_for(cfg.model, cfg.max_length, ctx.dtype, cfg.truncation)
    parts = {"train": ctx.splits.train, "val": ctx.splits.val, "test": ctx.splits.test}
    texts = [t for w in which for t in parts[w].texts]
    ctx.callbacks.on_start(100, "embed")

    def progress(done: int, total: int) -> None:
        if ctx.callbacks.should_stop():
            raise RunCancelled()
        ctx.callbacks.on_step(done, done / total, float("nan"), 0.0, "embed")

    res = cache.get(texts, ctx.torch_device, batch_size=max(64, cfg.batch_size), progress=progress,
                    device_name=ctx.device.name, pairs=ctx.splits.pairs)
    # Each split's encoder time as it cost when computed, whether now or by an earlier run that filled the
    # cache: so head_only's training time is the same cold or warm, and a split embedded now is not billed
    # for one reused (zero_shot's validation and test texts, say).
    costs = np.nan_to_num(res.text_seconds, nan=0.0)
    out, split_seconds, split_tokens, split_square, i = {}, {}, {}, {}, 0
    for w in which:
        n = len(parts[w])
        out[w] = res.vectors[i : i + n]
        split_seconds[w] = float(costs[i : i + n].sum())
        split_tokens[w] = int(res.text_tokens[i : i + n].sum())
        split_square[w] = square_tokens(res.text_tokens[i : i + n])  # attention's FLOPs grow with it
        i += n
    hits = len(texts) - res.computed
    if hits:
        ctx.notes.append(
            f"embeddings of {hits:,} of {len(texts):,} texts were reused from the cache of an earlier run (same "
            f"model, max length and precision): this run spent {format_duration(res.seconds)} embedding, and its train s and "
            f"whole-run time count the encoder pass as it cost when computed ({format_duration(sum(split_seconds.values()))}), "
            "so they compare with a cold run's")
    n_ne, total, _ = embeddings.encoder_info(cfg.model)  # from the config: a cached run loads no weights
    info = {"embedding_seconds": res.seconds, "embedded_texts": len(texts), "embedding_cache_hits": len(texts) - res.computed,
            "split_seconds": split_seconds, "split_tokens": split_tokens, "split_square_tokens": split_square,
            "embed_tokens": res.tokens, "embed_square_tokens": square_tokens(res.text_tokens),
            "encoder_attention": embeddings.encoder_attention(cfg.model), "encoder_non_embedding_params": n_ne,
            "total_params": total, "memory_without_encoder": res.encoder_preloaded}
    return out, info


def _encoder_flops_per_text(ctx: RunContext, info: dict) -> float:
    """The encoder's forward FLOPs per test text (its real tokens at the run's max length, each text's attention
    over its own length): what serving costs. ``info``: :func:`_embed_splits`'s.

    Counted with the tokenizer, not the cache, which may have embedded the test texts in an earlier run.
    """
    from bertlab import models
    from bertlab.engine import encode

    texts = ctx.splits.test.texts
    enc = encode(models.load_tokenizer(ctx.config.model), texts, ctx.config.max_length, ctx.splits.pairs,
                 ctx.config.truncation)
    return inference_flops_per_text(info["encoder_non_embedding_params"], int(enc.lengths.sum()), len(texts),
                                    attention_flops(info["encoder_attention"], square_tokens(enc.lengths)))


def _encoder_flops(info: dict, split: str | None = None) -> float:
    """The encoder's forward FLOPs over one split's texts (``split``), or all it embedded: 2 x N x their real
    tokens plus each text's attention over its own length."""
    tokens = info["split_tokens"][split] if split else info["embed_tokens"]
    square = info["split_square_tokens"][split] if split else info["embed_square_tokens"]
    return forward_flops(info["encoder_non_embedding_params"], tokens, attention_flops(info["encoder_attention"], square))


def data_descriptions(splits) -> list[str]:
    """The sentences zero_shot reads where its config gives none (``label_descriptions`` None): the data's own (a
    built-in dataset's), else the label names. A config holding these very sentences is the same run as one holding
    None, and the Train page stores None for them, as ``run`` and ``bertlab.compare`` do."""
    return list(splits.train.label_descriptions or splits.label_names)


@register
class ZeroShot(Strategy):
    name = "zero_shot"
    title = "Pretrained only (zero-shot)"
    summary = "Trains nothing: compares each text's embedding with embeddings of label descriptions."
    trains = "nothing"
    frozen = "everything"
    when = ("No labelled data at all, or a first baseline in seconds. Good label descriptions matter a lot. With "
            "the default model, all-MiniLM-L6-v2, it measures a sentence-embedding model: a BERT already "
            "fine-tuned on about a billion sentence pairs to place similar texts close together, not a BERT "
            "straight out of masked-LM pretraining.")
    defaults = {"epochs": 1, "batch_size": 64, "max_length": 128}
    uses_epochs = False
    uses_seed = False  # nothing is drawn at random: every seed gives the same answers
    reads_training_texts = False
    embeds = ("val", "test")

    def embedded_texts(self, config, splits) -> list[str]:
        """Its label descriptions: each class's text, embedded through the cache as the data's texts are."""
        return list(config.label_descriptions or data_descriptions(splits))

    def probe_work(self, config, sizes: dict[str, int]) -> tuple[float, float] | None:
        """One forward pass over the validation and test texts."""
        return 0.0, float(sizes.get("validation", 0) + sizes.get("test", 0))

    def run(self, ctx: RunContext) -> RunOutput:
        import torch
        from safetensors.torch import save_file

        from bertlab import embeddings

        cfg, sp = ctx.config, ctx.splits
        descs = self.embedded_texts(cfg, sp)
        if len(descs) != len(sp.label_names):
            raise ConfigError(
                f"label_descriptions has {len(descs)} entries but the data has {len(sp.label_names)} classes "
                f"{sp.label_names}; give one description per class, in that order."
            )
        emb, info = _embed_splits(ctx, self.embeds)
        cache = embeddings.cache_for(cfg.model, cfg.max_length, ctx.dtype, cfg.truncation)
        t0 = time.perf_counter()
        label_res = cache.get(list(descs), ctx.torch_device, device_name=ctx.device.name)
        info["memory_without_encoder"] = info["memory_without_encoder"] and label_res.encoder_preloaded
        lab = embeddings.normalize(label_res.vectors)
        scores = {w: embeddings.normalize(e) @ lab.T for w, e in emb.items()}
        # The Playground's probabilities (bertlab.predict): a softmax of the scaled similarities.
        test = classification_report(sp.test.labels, scores["test"].argmax(1), sp.label_names,
                                     probs=softmax(ZERO_SHOT_SCALE * scores["test"]))
        val = classification_report(sp.val.labels, scores["val"].argmax(1), sp.label_names)
        val_probs = softmax(ZERO_SHOT_SCALE * scores["val"])
        save_file({"label_embeddings": torch.from_numpy(np.ascontiguousarray(lab))},
                  str(ctx.artifact_dir / "zero_shot.safetensors"))
        self.save_meta(ctx, "zero_shot", label_descriptions=list(descs), scale=ZERO_SHOT_SCALE)
        ctx.notes.append("label descriptions: " + "; ".join(f"{n} = {d!r}" for n, d in zip(sp.label_names, descs)))
        if sp.pairs:
            ctx.notes.append(
                "a pair task: zero-shot compares one embedding of each pair (its two texts read together) with the "
                "label descriptions', which rarely says how the two relate (paraphrase, entailment): expect about "
                "chance, a floor for the trained strategies rather than a contender")
        wordless = [d for d in descs if not any(c.isalpha() for c in d)]
        if wordless:
            ctx.notes.append(
                f"label descriptions {wordless} have no words: zero-shot compares each text with these strings, "
                "which mean nothing to the model, so expect about chance accuracy; describe each class in a few "
                "words (Train page: Label descriptions; CLI: --label-descriptions)")
        costs = {
            "train_seconds": 0.0,
            "eval_seconds": info["split_seconds"]["val"] + info["split_seconds"]["test"] + time.perf_counter() - t0,
            "train_examples_per_s": 0.0, "trainable_params": 0, "total_params": info["total_params"],
            "train_flops": 0.0, "inference_flops": _encoder_flops(info),
            # the encoder, then one cosine similarity per class
            "inference_flops_per_text": _encoder_flops_per_text(ctx, info)
            + 2.0 * lab.size,
            **{k: info[k] for k in ("embedding_seconds", "embedded_texts", "embedding_cache_hits", "memory_without_encoder")},
            # the encoder time the cache saved this run: its total time counts it too, as a cold run's would
            "cache_saved_seconds": max(0.0, sum(info["split_seconds"].values()) - info["embedding_seconds"]),
        }
        ctx.callbacks.on_eval(0, 0, {"val_accuracy": val["accuracy"], "val_macro_f1": val["macro_f1"]})
        return RunOutput(test=test, costs=costs, val={"val_accuracy": val["accuracy"], "val_macro_f1": val["macro_f1"]},
                         val_predictions={"predictions": val["predictions"], "probabilities": val_probs})


def train_linear_head(x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, n_classes: int, *, epochs: int,
                      lr: float, batch_size: int, weight_decay: float, seed: int, callbacks, label_names: list[str],
                      keep_best: bool = False, patience: int = 0, class_weight: list[float] | None = None):
    """Softmax regression on fixed features with AdamW; logs loss per step and validation per epoch.
    ``class_weight``: each class's weight in the training loss; keep_best and early stopping then read the
    validation loss weighted the same way (the one stored and charted stays unweighted).

    Returns (head, history, steps, restored_epoch): with ``keep_best`` the head
    of the epoch with the lowest validation loss is put back (restored_epoch,
    None if the last epoch was the best or keep_best is off).
    """
    import torch
    from torch import nn

    from bertlab.engine import BestKeeper, epoch_record, kept_loss, weighted_loss

    torch.manual_seed(seed)
    head = nn.Linear(x.shape[1], n_classes)
    best = BestKeeper(head, keep_best)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    xvt, yvt = torch.from_numpy(xv), torch.from_numpy(yv).long()
    weight = torch.tensor(class_weight, dtype=torch.float32) if class_weight is not None else None
    g = torch.Generator().manual_seed(seed)
    steps_per_epoch = max(1, -(-len(x) // batch_size))
    callbacks.on_start(steps_per_epoch * epochs, "train")
    step, history = 0, []
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        epoch_losses: list[float] = []
        for s in range(0, len(x), batch_size):
            if callbacks.should_stop():
                raise RunCancelled()
            idx = perm[s : s + batch_size]
            loss = nn.functional.cross_entropy(head(xt[idx]), yt[idx], weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            epoch_losses.append(loss.item())
            callbacks.on_step(step, step / steps_per_epoch, epoch_losses[-1], lr, "train")
        with torch.no_grad():
            lv = head(xvt)
            rep = classification_report(yv, lv.argmax(1).numpy(), label_names)
            rec = {"epoch": epoch + 1, "step": step, "val_loss": float(nn.functional.cross_entropy(lv, yvt)),
                   "val_accuracy": rep["accuracy"], "val_macro_f1": rep["macro_f1"]}
        callbacks.on_eval(step, epoch + 1, rec)
        history.append(epoch_record(rec, epoch_losses, weighted_loss(lv, yvt, class_weight)))
        best.update(epoch + 1, kept_loss(history[-1]))
        if best.should_stop(patience, epochs):
            break
    return head, history, step, best.restore()


@register
class HeadOnly(Strategy):
    name = "head_only"
    title = "Head only (frozen encoder)"
    summary = "Encoder frozen; trains only a linear classifier on its sentence embeddings (computed once, cached)."
    trains = "a linear head (one weight per class for each number in the sentence embedding)"
    frozen = "the whole pretrained encoder"
    when = ("Little labelled data or little compute; a strong, cheap baseline that is hard to overfit. Its "
            "sentence embedding is the mean of the encoder's token vectors (mean pooling, as zero_shot and as "
            "sentence-transformers use it), where the fine-tuning strategies classify from the [CLS] token "
            "through BERT's pooler.")
    defaults = {"epochs": 30, "learning_rate": 1e-2, "batch_size": 64, "max_length": 128, "weight_decay": 0.0}
    unused_fields = ("warmup_ratio", "grad_clip")  # its head trains at a constant learning rate, unclipped
    embeds = ("train", "val", "test")

    def probe_work(self, config, sizes: dict[str, int]) -> tuple[float, float] | None:
        """One forward pass over every text (the head's epochs on cached embeddings cost next to nothing)."""
        return 0.0, float(sum(sizes.get(k, 0) for k in ("train", "validation", "test")))

    def run(self, ctx: RunContext) -> RunOutput:
        import torch
        from safetensors.torch import save_file

        from bertlab import embeddings
        from bertlab.engine import best_epoch_outcome, early_stop_note

        cfg, sp = ctx.config, ctx.splits
        emb, info = _embed_splits(ctx, self.embeds)
        x = {w: embeddings.normalize(e) for w, e in emb.items()}
        t0 = time.perf_counter()
        head, history, steps, restored = train_linear_head(
            x["train"], np.asarray(sp.train.labels), x["val"], np.asarray(sp.val.labels), len(sp.label_names),
            epochs=cfg.epochs, lr=cfg.learning_rate, batch_size=cfg.batch_size, weight_decay=cfg.weight_decay,
            seed=cfg.seed, callbacks=ctx.callbacks, label_names=sp.label_names, keep_best=cfg.keep_best,
            patience=cfg.patience, class_weight=loss_weights(cfg, sp))
        head_s = time.perf_counter() - t0
        if stopped := early_stop_note(history, cfg.epochs, cfg.patience):
            ctx.notes.append(stopped)
        val_m, note = best_epoch_outcome(restored, history)
        if note:
            ctx.notes.append(note)
        with torch.no_grad():
            logits = head(torch.from_numpy(x["test"])).float().numpy()
            val_logits = head(torch.from_numpy(x["val"])).float().numpy()  # the head kept (keep_best's epoch)
        test = classification_report(sp.test.labels, logits.argmax(1), sp.label_names, probs=softmax(logits))
        save_file({k: v.detach().contiguous() for k, v in head.state_dict().items()},
                  str(ctx.artifact_dir / "head.safetensors"))
        self.save_meta(ctx, "head", normalize=True)
        n_head = sum(p.numel() for p in head.parameters())
        # the encoder's forward pass over the training texts' real tokens, then the head's epochs
        flops = _encoder_flops(info, "train") + train_flops(
            n_head, len(sp.train) * len(history))  # the epochs it ran (early stopping may end it sooner)
        # The encoder pass over the training texts (as it cost when computed: see _embed_splits), then the head.
        train_s = info["split_seconds"]["train"] + head_s
        costs = {
            "train_seconds": train_s, "head_seconds": head_s,
            "eval_seconds": info["split_seconds"]["val"] + info["split_seconds"]["test"],
            # each training text once through the encoder: the head's epochs over cached vectors cost next to nothing
            "train_examples_per_s": len(sp.train) / train_s if train_s else 0.0,
            "trainable_params": n_head, "total_params": info["total_params"] + n_head,
            "train_flops": flops, "steps": steps,
            "inference_flops_per_text": _encoder_flops_per_text(ctx, info)
            + 2.0 * n_head,
            **{k: info[k] for k in ("embedding_seconds", "embedded_texts", "embedding_cache_hits", "memory_without_encoder")},
            # the encoder time the cache saved this run: its total time counts it too, as a cold run's would
            "cache_saved_seconds": max(0.0, sum(info["split_seconds"].values()) - info["embedding_seconds"]),
        }
        return RunOutput(test=test, costs=costs, val=val_m, val_predictions={
            "predictions": val_logits.argmax(1).tolist(), "probabilities": softmax(val_logits)})
