"""partial_ft: freeze the embeddings and the lower encoder layers; train the top k layers and the head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bertlab.costs import attention_flops, attention_shape, forward_flops, non_embedding_params
from bertlab.errors import BertlabError, ConfigError, ModelError
from bertlab.strategies.base import RunContext, register
from bertlab.strategies.classifier import FINE_TUNE_STEPS, HEAD_LR_SPEC, LAYER_DECAY_SPEC, ClassifierStrategy

if TYPE_CHECKING:
    import torch


def encoder_layers(model) -> list[torch.nn.Module]:
    """The model's stacked transformer blocks, bottom to top (``models.layer_stack``).

    Raises:
        ModelError: no stack of separate layers (ALBERT shares one layer's weights across its depth).
    """
    from bertlab import models

    layers = models.layer_stack(model)
    if layers is None and models.shares_layers(model.config):
        raise ModelError(shared_layers_text(type(model).__name__, model.config.num_hidden_layers))
    if layers is None:
        raise ModelError(f"partial_ft cannot find the layers of {type(model).__name__} (a list of "
                         f"{getattr(model.config, 'num_hidden_layers', '?')} blocks of one kind); it knows BERT, "
                         "RoBERTa, XLM-R, ELECTRA, DeBERTa, DistilBERT and ModernBERT. Use full_ft or lora instead.")
    return layers


def shared_layers_text(name: str, n_layers: int) -> str:
    """Why partial_ft cannot run on a model (``name``) that runs one layer's weights at all its ``n_layers``."""
    return (f"{name} shares one layer's weights across its {n_layers} layers, so there are no top layers to train "
            "apart from the rest. Use full_ft or lora instead.")


def top_layers_option(options: dict, n_layers: int) -> int:
    """The number of top layers to train: ``options['layers']``, default half (rounded up).

    Raises:
        ConfigError: not a whole number from 0 to ``n_layers``.
    """
    k = options.get("layers")
    if k is None:
        return (n_layers + 1) // 2
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= n_layers:
        raise ConfigError(f"partial_ft option 'layers' must be a whole number from 0 to {n_layers} "
                          f"(the model's layer count), got {k!r}.")
    return k


@register
class PartialFineTune(ClassifierStrategy):
    name = "partial_ft"
    min_steps = FINE_TUNE_STEPS  # fine-tuning the pretrained encoder: see FINE_TUNE_STEPS
    title = "Partial fine-tuning (top layers)"
    summary = "Freezes the embeddings and lower encoder layers; trains the top k layers, the pooler and the head."
    trains = "the top k encoder layers (option 'layers', default half), the pooler and the new head"
    frozen = "the embeddings and the lower encoder layers"
    when = ("Between head_only and full_ft: some adaptation at a lower cost in compute and memory, "
            "and less overfitting on a few hundred examples.")
    # 16 x 3 epochs, as full_ft: on rotten_tomatoes with 500 training texts, 32 x 2 epochs (32 steps) left partial_ft
    # answering the majority class at seeds 0, 1 and 2 (57.8%), called "no better than always answering the
    # majority class"; 16 x 3 (96 steps) reached 74.4%, level with full_ft (a reviewer's runs).
    defaults = {"epochs": 3, "learning_rate": 1e-4, "batch_size": 16, "max_length": 128}
    option_specs = {
        "layers": {"label": "Top layers trained", "kind": "int", "default": None, "unset": "half the layers", "min": 0, "max": 48,
                   "help": "how many of the top encoder layers train, up to the model's layer count; empty = half "
                           "of them; 0 trains only the pooler and the head"},
        "layer_decay": LAYER_DECAY_SPEC,
        "head_lr": HEAD_LR_SPEC,
    }

    def option_max(self, option: str, model: str) -> float | None:
        from bertlab import models

        if option != "layers":
            return None
        try:
            return models.layer_count(model, 48)
        except BertlabError:  # a model whose config cannot be read: the run says why when it starts
            return None

    def refusal(self, model: str) -> str | None:
        from bertlab import models

        try:
            if not models.model_shares_layers(model):
                return None
            # cached, as model_shares_layers: Compare's live view asks for every stopped run at each refresh and
            # the Train page on every rerun, and a hub model's config is a request online
            n = models.layer_count(model)
        except BertlabError:  # a model whose config cannot be read: said where the model is checked
            return None
        return "partial_ft cannot run on this ALBERT model: " + shared_layers_text("it", n)

    def probe_work(self, config, sizes: dict[str, int]) -> tuple[float, float] | None:
        """The top k of L layers train (a training step's share k/L); the rest only run forward."""
        from bertlab import models

        step, forward = super().probe_work(config, sizes)
        n_layers = models.layer_count(config.model)
        share = top_layers_option(config.options, n_layers) / max(1, n_layers)
        return step * share, forward + step * (1 - share)

    def build(self, ctx: RunContext):
        import torch

        from bertlab import models

        cfg = ctx.config
        torch.manual_seed(cfg.seed)
        tok = models.load_tokenizer(cfg.model)
        model = models.load_classifier(cfg.model, ctx.splits.label_names, pretrained=True, notes=ctx.notes)
        layers = encoder_layers(model)
        k = top_layers_option(cfg.options, len(layers))
        if cfg.options.get("layers") is None:
            ctx.derived_options["layers"] = k
        # Frozen: the encoder below its top k layers (embeddings, ELECTRA's embedding projection, DeBERTa's
        # relative positions...); what reads the top layer's output (pooler, final norm) trains with it.
        frozen = models.encoder_below_stack(model, layers)
        frozen |= {id(p) for layer in layers[: len(layers) - k] for p in layer.parameters()}
        for p in model.base_model.parameters():
            if id(p) in frozen:
                p.requires_grad_(False)
        ctx.notes.append(f"partial_ft: trained the top {k} of {len(layers)} encoder layers; embeddings and "
                         f"layers 0-{len(layers) - k - 1} frozen" if k < len(layers) else
                         f"partial_ft: trained all {k} encoder layers (embeddings frozen)")
        return model, tok

    def train_flops(self, model, tokens: int, trainable: int, total: int, sq_tokens: int = 0) -> float:
        # Forward through everything (2NT); backward (4NT) only through the trained top layers and head:
        # nothing below the lowest trained layer needs gradients at all. Attention alike: forward in every
        # layer, backward (twice its forward) in the trained ones only.
        n_ne = non_embedding_params(model)
        n_top = sum(p.numel() for p in model.parameters() if p.requires_grad)  # nothing below the stack trains
        layers, width = attention_shape(model)
        trained = sum(any(p.requires_grad for p in layer.parameters()) for layer in encoder_layers(model))
        return (forward_flops(n_ne, tokens, attention_flops((layers, width), sq_tokens))
                + 2 * forward_flops(n_top, tokens, attention_flops((trained, width), sq_tokens)))
