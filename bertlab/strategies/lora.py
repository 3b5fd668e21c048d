"""lora: low-rank adapters (peft) on the attention projections; the classification head trains fully."""

from __future__ import annotations

import warnings

from bertlab.costs import attention_flops, attention_shape, count_params, forward_flops, non_embedding_params
from bertlab.errors import ConfigError
from bertlab.strategies.base import RunContext, register
from bertlab.strategies.classifier import FINE_TUNE_STEPS, HEAD_LR_SPEC, LAYER_DECAY_SPEC, ClassifierStrategy

# Attention projection names per architecture family (peft matches module-name suffixes).
TARGETS = {"bert": ["query", "key", "value"], "roberta": ["query", "key", "value"],
           "xlm-roberta": ["query", "key", "value"], "electra": ["query", "key", "value"],
           "distilbert": ["q_lin", "k_lin", "v_lin"], "deberta-v2": ["query_proj", "key_proj", "value_proj"],
           "albert": ["query", "key", "value"],
           "modernbert": ["Wqkv"]}  # ModernBERT projects query, key and value in one fused matrix


def head_modules(model) -> list[str]:
    """The classifier's modules outside the encoder, which its checkpoint does not hold and which must train:
    BERT's classifier (and its pooler, inside the encoder), DistilBERT's pre_classifier and classifier,
    DeBERTa's pooler and classifier, ModernBERT's head and classifier..."""
    names = [n for n, m in model.named_children()
             if m is not model.base_model and any(True for _ in m.parameters())]
    if getattr(model.base_model, "pooler", None) is not None:
        # The head reads the pooler's output, and sentence-embedding checkpoints (the packaged MiniLM) ship it
        # untrained (zero bias, tiny weights); frozen, it would squash every input to nearly the same features.
        names.append("pooler")
    return names


def lora_options(options: dict) -> tuple[int, float, float]:
    """(r, alpha, dropout) from the run's options, validated.

    Raises:
        ConfigError: r not in 1..256, alpha not positive, dropout not in [0, 1).
    """
    r = options.get("r", 8)
    if not isinstance(r, int) or isinstance(r, bool) or not 1 <= r <= 256:
        raise ConfigError(f"lora option 'r' (adapter rank) must be a whole number from 1 to 256, got {r!r}.")
    alpha = options.get("alpha", 2 * r)
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha <= 0:
        raise ConfigError(f"lora option 'alpha' must be a number above 0 (commonly 2 x r), got {alpha!r}.")
    dropout = options.get("dropout", 0.1)
    if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ConfigError(f"lora option 'dropout' must be in [0, 1), got {dropout!r}.")
    return r, float(alpha), float(dropout)


@register
class LoRA(ClassifierStrategy):
    name = "lora"
    min_steps = FINE_TUNE_STEPS  # fine-tuning the pretrained encoder: see FINE_TUNE_STEPS
    title = "LoRA adapters"
    summary = ("Freezes the encoder; trains small low-rank adapters on the attention projections "
               "(query/key/value), the pooler and the new head.")
    trains = ("rank-r adapter matrices on the query, key and value projections of every layer (option 'r', "
              "default 8), the pooler and the new head")
    frozen = "every pretrained weight but the pooler's (the adapters are merged into them when saved)"
    when = ("Close to full fine-tuning accuracy while training ~1% of the weights: many tasks on one base "
            "model, small adapter checkpoints (bertlab merges them into the weights when it saves, so its saved "
            "model is full size), less memory for optimizer state. Like full_ft it classifies from the [CLS] "
            "token through BERT's pooler, which trains too: on MiniLM the pooler is over half of the trained "
            "weights, the adapters under 0.5% of the model.")
    # Batch 16, as full_ft, partial_ft and dapt (moved from 32 for the same reason): at 32 x 3 epochs, 48 steps on
    # the Quick demo's 500 texts, lora scored 68.2% on rotten_tomatoes, under head_only's 72.0%; at 16 the same seed
    # and split gave 73.0% (McNemar p = 0.003; a review). LoRA needs steps no fewer than full fine-tuning.
    defaults = {"epochs": 3, "learning_rate": 1e-3, "batch_size": 16, "max_length": 128, "options": {"r": 8}}
    option_specs = {
        "r": {"label": "Adapter rank r", "kind": "int", "default": 8, "min": 1, "max": 256, "help": "adapter rank: more = more capacity"},
        "alpha": {"label": "Adapter scale alpha", "kind": "float", "default": None, "unset": "2 x r", "min": 0.1, "max": 1024.0,
                  "help": "adapter scale (output x alpha / r); empty = 2 x r"},
        "dropout": {"label": "Adapter dropout", "kind": "float", "default": 0.1, "min": 0.0, "max": 0.9, "help": "dropout on the adapter input"},
        "layer_decay": LAYER_DECAY_SPEC,
        "head_lr": HEAD_LR_SPEC,
    }

    def build(self, ctx: RunContext):
        import torch
        from peft import LoraConfig, TaskType, get_peft_model

        from bertlab import models

        cfg = ctx.config
        r, alpha, dropout = lora_options(cfg.options)
        torch.manual_seed(cfg.seed)
        tok = models.load_tokenizer(cfg.model)
        base = models.load_classifier(cfg.model, ctx.splits.label_names, pretrained=True, notes=ctx.notes)
        targets = TARGETS.get(base.config.model_type)
        if targets is None:
            raise ConfigError(f"lora does not know the attention projections of model type "
                              f"{base.config.model_type!r}; supported: {sorted(TARGETS)}. Use full_ft or partial_ft.")
        # SEQ_CLS makes peft keep the new classifier fully trainable; so are the other new head modules and the
        # pooler (head_modules).
        with warnings.catch_warnings():  # peft asks transformers 5's deprecated name: noise on every lora run's stderr
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
            model = get_peft_model(base, LoraConfig(task_type=TaskType.SEQ_CLS, r=r, lora_alpha=alpha,
                                                    lora_dropout=dropout, target_modules=targets,
                                                    modules_to_save=head_modules(base)))
        # Counted as the model runs: the adapters in, the frozen originals peft keeps beside the trained
        # classifier and pooler out (the same figures the run's costs report).
        trainable, total = count_params(model)
        if cfg.options.get("alpha") is None:
            ctx.derived_options["alpha"] = alpha
        ctx.notes.append(f"lora: rank {r}, alpha {alpha:g} on {', '.join(targets)}; {trainable:,} trainable of "
                         f"{total:,} weights ({100 * trainable / total:.2f}%); adapters merged into the saved model")
        return model, tok

    def after_train(self, ctx: RunContext, model):
        # Merged weights load with plain transformers (no peft needed to predict).
        return model.merge_and_unload()

    def train_flops(self, model, tokens: int, trainable: int, total: int, sq_tokens: int = 0) -> float:
        # Forward 2NT; the backward still propagates activation gradients through every layer (2NT), but
        # computes weight gradients only for the adapters and head (2 * trainable * T), each adapter as often as
        # its layer runs (ALBERT's one shared layer at every depth). Attention: forward and, through every layer,
        # its backward (twice its forward: both inputs of each matmul are activations).
        n_ne = non_embedding_params(model)
        attention = attention_flops(attention_shape(model), sq_tokens)
        return (2 * forward_flops(n_ne, tokens) + forward_flops(non_embedding_params(model, trainable_only=True), tokens)
                + 3 * attention)
