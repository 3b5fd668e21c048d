"""scratch: the same architecture, randomly initialised, optionally with a new WordPiece vocabulary."""

from __future__ import annotations

import time

from bertlab.strategies.base import RunContext, register
from bertlab.strategies.classifier import ClassifierStrategy
from bertlab.strategies.dapt import continue_pretraining, mlm_options, mlm_texts
from bertlab.textpair import split_pair

# Masked-LM pretraining of the random model first: none by default (scratch as the guides write it). A random
# model's masked LM learns at a higher rate than dapt's continued pretraining of trained weights (5e-5).
MLM_EPOCHS, MLM_LR = 0, 5e-4


def train_wordpiece(texts: list[str], vocab_size: int, lowercase: bool = True, pairs: bool = False):
    """A new WordPiece tokenizer trained on ``texts`` (the "new vocabulary" case), as a transformers fast tokenizer;
    it reads a text pair as BERT's does (``[CLS] a [SEP] b [SEP]``, b's token type 1)."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
    from tokenizers import models as tmodels
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tk = Tokenizer(tmodels.WordPiece(unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    # a text pair's two texts (``pairs``: a pair task's), not the marker joining them (bertlab.textpair), which the
    # tokenizer reads as [SEP]
    halves = (h for t in texts for h in (split_pair(t) if pairs else (t,)) if h is not None)
    tk.train_from_iterator(halves, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    cls, sep = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    # token_type_ids among its inputs, as BERT's tokenizer has them: without, a pair's ids came back without their
    # types, and the model read b as segment A (encode, the saved model, its ONNX graph)
    return PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]",
                                   model_input_names=["input_ids", "token_type_ids", "attention_mask"])


@register
class FromScratch(ClassifierStrategy):
    name = "scratch"
    title = "From scratch"
    summary = "Same architecture, random weights: trains everything with no pretrained knowledge."
    trains = ("every weight, starting from random initialisation (with 'Masked-LM pretraining epochs first' above 0, "
              "first as a masked LM on the training texts, then on the labels)")
    frozen = "nothing (random start)"
    when = "Only with a very large labelled corpus or a very unusual domain/vocabulary; shows what pretraining buys."
    # 5 epochs at 2e-4: on rotten_tomatoes' 2,000 training reviews 3 epochs at 5e-4 learned nothing (57.8%, the
    # majority class; so did 10 epochs at 5e-4), 5 epochs at 2e-4 reached 70.0% and 69.7% (seeds 0 and 1), 10 epochs
    # 69.8% in twice the time (2026-12-02, README "Strategies"). On 500 reviews none of these learns much.
    defaults = {"epochs": 5, "learning_rate": 2e-4, "batch_size": 32, "max_length": 128, "warmup_ratio": 0.1}
    option_specs = {
        "mlm_epochs": {"label": "Masked-LM pretraining epochs first", "kind": "int", "default": MLM_EPOCHS, "min": 0,
                       "max": 50, "help": "0 = none. Otherwise the random model first learns to guess hidden words "
                       "in the training texts (labels unused) and any extra text below, as BERT was pretrained, "
                       "then trains on the labels"},
        "mlm_lr": {"label": "Masked-LM learning rate", "kind": "float", "default": MLM_LR, "min": 1e-6, "max": 1e-2,
                   "help": "masked-LM learning rate"},
        "mlm_probability": {"label": "Share of tokens masked", "kind": "float", "default": 0.15, "min": 0.05,
                            "max": 0.5, "help": "share of tokens masked (BERT: 0.15)"},
        "domain_file": {"label": "Extra text to pretrain on (.txt)", "kind": "file", "default": None, "unset": "none",
                        "suffixes": [".txt"], "help": "unlabelled text, one text per line (UTF-8), added to the "
                        "training texts for the masked-LM pretraining; lines that are validation or test texts are "
                        "dropped (the run's notes count them)"},
    }

    def reads_model_tokenizer(self, new_vocab: bool) -> bool:
        """Not with a new vocabulary: it trains its own tokenizer, so a model folder without tokenizer files serves
        (a review: it was refused as for every strategy)."""
        return not new_vocab

    def _mlm(self, options: dict) -> tuple[int, float, float]:
        return mlm_options(options, self.name, MLM_EPOCHS, MLM_LR)

    def pretrain_epochs(self, options: dict) -> int:
        return self._mlm(options)[0]

    def before_train(self, ctx: RunContext, model, tokenizer) -> dict:
        import torch

        options = self._mlm(ctx.config.options)
        if not options[0]:
            if ctx.config.options.get("domain_file"):
                ctx.notes.append("scratch: the extra text file was not read: it is for the masked-LM pretraining, "
                                 "and 'mlm_epochs' is 0")
            return {}
        torch.manual_seed(ctx.config.seed)
        overrides = {"vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id} if ctx.config.new_vocab else {}
        return continue_pretraining(ctx, model.base_model, tokenizer, mlm_texts(ctx), options, overrides)

    def build(self, ctx: RunContext):
        import torch

        from bertlab import models

        cfg = ctx.config
        torch.manual_seed(cfg.seed)
        overrides = {}
        if cfg.new_vocab:
            t0 = time.perf_counter()
            tok = train_wordpiece(ctx.splits.train.texts, cfg.vocab_size, pairs=ctx.splits.pairs)
            # part of its training (as tfidf_logreg's vocabulary is of its): 0.1 s of 4.2 on 500 texts, 0.5 s on 8,926
            ctx.pre_train_seconds["vocab_seconds"] = time.perf_counter() - t0
            overrides = {"vocab_size": len(tok), "pad_token_id": tok.pad_token_id}
            ctx.notes.append(f"trained a new WordPiece vocabulary of {len(tok):,} tokens on the training texts")
        else:
            tok = models.load_tokenizer(cfg.model)
        model = models.load_classifier(cfg.model, ctx.splits.label_names, pretrained=False, config_overrides=overrides)
        return model, tok
