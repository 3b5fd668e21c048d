"""full_ft: fine-tune every weight of the pretrained encoder plus a new head."""

from __future__ import annotations

from bertlab.strategies.base import RunContext, register
from bertlab.strategies.classifier import FINE_TUNE_STEPS, HEAD_LR_SPEC, LAYER_DECAY_SPEC, ClassifierStrategy


@register
class FullFineTune(ClassifierStrategy):
    name = "full_ft"
    min_steps = FINE_TUNE_STEPS  # fine-tuning the pretrained encoder: see FINE_TUNE_STEPS
    title = "Full fine-tuning"
    summary = "Trains every weight: the pretrained encoder and a new classification head."
    trains = "all encoder layers, embeddings, pooler and the new head"
    frozen = "nothing"
    when = ("You have a few thousand labelled examples and some compute: usually the most accurate choice. It "
            "classifies as BERT does (transformers' ...ForSequenceClassification): the [CLS] token's vector "
            "through the pooler (dense + tanh), then the new linear head; zero_shot and head_only mean-pool "
            "the token vectors instead. The default all-MiniLM-L6-v2 was pretrained for mean pooling: its pooler "
            "ships untrained (zero bias, tiny weights), so here fine-tuning trains that summary from scratch too.")
    # 16 x 3 epochs: measured on rotten_tomatoes with 500 training texts, 32 x 2 epochs (32 steps) left
    # full_ft at 0.63 test accuracy, below head_only; 16 x 3 (96 steps) reached 0.75.
    defaults = {"epochs": 3, "learning_rate": 1e-4, "batch_size": 16, "max_length": 128}
    option_specs = {"layer_decay": LAYER_DECAY_SPEC, "head_lr": HEAD_LR_SPEC}

    def build(self, ctx: RunContext):
        import torch

        from bertlab import models

        torch.manual_seed(ctx.config.seed)
        tok = models.load_tokenizer(ctx.config.model)
        model = models.load_classifier(ctx.config.model, ctx.splits.label_names, pretrained=True, notes=ctx.notes)
        return model, tok
