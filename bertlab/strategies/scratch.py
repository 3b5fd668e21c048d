"""scratch: the same architecture, randomly initialised, optionally with a new WordPiece vocabulary."""

from __future__ import annotations

import torch

from bertlab import models
from bertlab.strategies.base import RunContext, register
from bertlab.strategies.classifier import ClassifierStrategy


def train_wordpiece(texts: list[str], vocab_size: int, lowercase: bool = True):
    """A new WordPiece tokenizer trained on ``texts`` (the "new vocabulary" case), as a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
    from tokenizers import models as tmodels
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tk = Tokenizer(tmodels.WordPiece(unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    cls, sep = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")


@register
class FromScratch(ClassifierStrategy):
    name = "scratch"
    title = "From scratch"
    summary = "Same architecture, random weights: trains everything with no pretrained knowledge."
    trains = "every weight, starting from random initialisation"
    frozen = "nothing (random start)"
    when = "Only with a very large labelled corpus or a very unusual domain/vocabulary; shows what pretraining buys."
    # 5 epochs at 2e-4: on rotten_tomatoes' 2,000 training reviews 3 epochs at 5e-4 learned nothing (57.8%, the
    # majority class; so did 10 epochs at 5e-4), 5 epochs at 2e-4 reached 70.0% and 69.7% (seeds 0 and 1), 10 epochs
    # 69.8% in twice the time (2026-12-02, README "Strategies"). On 500 reviews none of these learns much.
    defaults = {"epochs": 5, "learning_rate": 2e-4, "batch_size": 32, "max_length": 128, "warmup_ratio": 0.1}

    def build(self, ctx: RunContext):
        cfg = ctx.config
        torch.manual_seed(cfg.seed)
        overrides = {}
        if cfg.new_vocab:
            tok = train_wordpiece(ctx.splits.train.texts, cfg.vocab_size)
            overrides = {"vocab_size": len(tok), "pad_token_id": tok.pad_token_id}
            ctx.notes.append(f"trained a new WordPiece vocabulary of {len(tok):,} tokens on the training texts")
        else:
            tok = models.load_tokenizer(cfg.model)
        model = models.load_classifier(cfg.model, ctx.splits.label_names, pretrained=False, config_overrides=overrides)
        return model, tok
