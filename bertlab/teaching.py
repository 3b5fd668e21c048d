"""Teaching cards: per strategy, what trains and what stays frozen, drawn from the real model.

The layer diagram counts the parameters of each block of the actual model
(built on PyTorch's "meta" device, so no weights are loaded and it takes
milliseconds) and colours each block by what the strategy does to it.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field

from bertlab.config import DEFAULT_MODEL

TRAINED, FROZEN, ADAPTER, RANDOM, UNUSED, ABSENT = "trained", "frozen", "adapter", "random", "unused", "absent"
COUNTED = "counted"  # tfidf_logreg's features: a vocabulary and IDF counted from the texts, no weight learnt
COLORS = {TRAINED: "#D55E00", FROZEN: "#9DB4C8", ADAPTER: "#9DB4C8", RANDOM: "#F0B27A", UNUSED: "#EEEEEE",
          ABSENT: "#FFFFFF", COUNTED: "#E6DFC3"}
LEGEND = {TRAINED: "trained", FROZEN: "frozen (pretrained)", ADAPTER: "frozen + small trained adapters",
          RANDOM: "trained from random init", UNUSED: "not used", ABSENT: "not part of this model",
          COUNTED: "counted from the training texts, nothing learnt"}

COST_NOTES = {
    "zero_shot": "One encoder pass per text, cached and shared with head_only. No training at all. Serving: "
                 "one encoder pass per text, as every BERT strategy here. Not counted anywhere here: the "
                 "encoder's own pretraining (for all-MiniLM-L6-v2, distillation from a larger BERT, then "
                 "contrastive training on about a billion sentence pairs), a cost paid once by its makers and "
                 "shared by every strategy that starts from it; scratch's row is what starting from nothing buys.",
    "head_only": "One encoder pass per training text (cached), then seconds of training on fixed vectors. Serving: "
                 "the same encoder pass as full_ft.",
    "tfidf_logreg": "No neural network: word counting and a linear model, seconds on one CPU core for a few "
                    "thousand texts (minutes for tens of thousands: four fits, one per C tried). Serving: "
                    "a few FLOPs per n-gram of the text, against hundreds of millions for one pass of even a small encoder.",
    "full_ft": "Forward and backward through every layer each step; the weights, their gradients and AdamW's two "
               "moments make ~4x the model's size before the activations of a batch, which often cost as much "
               "again (the run's measured peak memory is on Compare).",
    "partial_ft": "Forward through every layer; backward only through the top k, so less time and memory than "
                  "full_ft.",
    "lora": "Forward and backward through every layer (the gradients must reach the adapters), but optimizer "
            "state only for ~1% of the weights: less memory for it than full_ft. The activations kept for that "
            "backward through every layer remain, so partial_ft, whose backward stops at its lowest trained layer, "
            "can need less memory than lora (Compare's peak memory column measures it). The adapters alone would make a small checkpoint; "
            "bertlab merges them into the weights when it saves, so the saved model is full size and serves at "
            "full_ft's cost.",
    "dapt": "A masked-LM pass over the text first (about as costly per token as fine-tuning), then full_ft.",
    # a text costs the same per epoch as in full_ft (same model, same max_length); its defaults make 5 epochs of
    # batches of 32 against full_ft's 3 of 16: 5/3 of the compute (train_flops 309 M against 186 M on the same
    # data) in ~160 steps against ~190 per 1,000 texts, each step a batch twice as large. What it lacks is data
    # (the README's measurement: 10 epochs did no better than 5 on 2,000 reviews)
    "scratch": "Each text costs as much per epoch as in full_ft; by default it makes more passes (5 epochs against "
               "3: about 1.7x full_ft's training compute) in slightly fewer, larger steps, and from random weights "
               "it needs far more data to be any good.",
}


# What a student reads first on each card: what the strategy does in everyday words, when it is worth it and what
# it costs. The exact mechanics (the strategy's summary, trains/frozen/when, COST_NOTES, the total in parts) fold
# out under them: a class read "the [CLS] token's vector through the pooler (dense + tanh)" as the opening line.
PLAIN = {
    "zero_shot": ("Nothing is trained. The model sums up the meaning of each text and of one short example sentence "
                  "per class, and picks the class whose sentence is closest, like sorting post by asking “which "
                  "of these sample letters does this one sound most like?”",
                  "No labelled examples at all, or a first answer in seconds.",
                  "The cheapest of the BERT strategies: nothing to train, each text read once."),
    "head_only": ("The pretrained model is left exactly as it is; only the head is trained: a small final layer "
                  "that makes the decision from the model's summary of the text. Like a new judge who learns to "
                  "decide from an expert's notes, without retraining the expert.",
                  "Few labelled examples or a slow computer: a strong, cheap first try.",
                  "Cheap: each training text is read once, then training takes seconds."),
    "full_ft": ("Every part of the pretrained model is adjusted to your task, together with a new head (a small "
                "final layer that makes the decision). Like an experienced reader who studies your examples and "
                "adapts everything they know.",
                "A few thousand labelled examples and some computing time: usually the most accurate.",
                "The costliest of the one-phase options (dapt reads the texts first, then trains the same way): "
                "every weight changes at every step, which takes several times the model's own memory."),
    "partial_ft": ("The lower layers, which deal with words and grammar, stay as they are; only the top layers, "
                   "closer to the meaning, are adjusted, with a new head. Like keeping a reader's vocabulary and "
                   "retraining only their judgement.",
                   "Between head only and full fine-tuning: some adapting for less computing.",
                   "Less than full fine-tuning: fewer layers learn."),
    "lora": ("The pretrained model stays frozen; small add-on pieces (adapters) are trained beside it, with the "
             "small summary layer on top and a new head. Like writing notes in the margins of a textbook "
             "instead of rewriting the book.",
             "Often close to full fine-tuning's accuracy, training a small share of the weights (the card counts them).",
             "Less memory than full fine-tuning, but each step still reads through every layer."),
    "dapt": ("First the model plays the fill-in-the-missing-word game BERT models are pretrained with, on texts "
             "like yours (no labels needed), to get used to their style; then every part is fine-tuned on the "
             "labels. Like a doctor "
             "reading medical journals before starting a new job.",
             "Unusual texts (legal, medical, technical) and plenty of unlabelled ones.",
             "Full fine-tuning's cost, plus the extra reading first."),
    "scratch": ("The same model, but it starts knowing nothing: every weight begins random and learns only from "
                "your labelled examples. It shows what pretraining (reading billions of words beforehand) is worth.",
                "Almost never on a small dataset: it needs far more examples than the others.",
                "Each text costs as much per pass as in full fine-tuning, and by default it reads your examples "
                "5 times against 3 (about 1.7x the training compute), in slightly fewer, larger steps; more "
                "epochs do not make up for starting from random weights (10 did no better than 5 on 2,000 "
                "reviews): it needs far more data."),
    "tfidf_logreg": ("No neural network: it counts which words and word pairs each text uses and learns how much "
                     "each one points to each class. Like calling a review positive because it says “great” "
                     "and “loved it”.",
                     "In every comparison, as the bar to beat: if BERT is barely better, the simple model may be "
                     "the wiser choice.",
                     "Seconds on an ordinary computer, and almost free to use."),
}

# The diagram's words, for the legend under it: what each block is and what each note beside a block means (a
# class asked what "pooler · mean pooling instead" and "147.8k not counted" meant).
BLOCK_MEANINGS = {
    "input": "the text, turned into word counts",
    "embeddings": "turn each word piece into a list of numbers",
    "layer": "the encoder's layers: each re-reads the whole text and refines every word's numbers using the "
             "words around it",
    "pooler": "a small layer that squeezes the text into one summary from its first token, [CLS] (its output is "
              "what tutorials call pooler_output)",
    "head": "the small final layer that makes the decision from the summary",
}
# scratch's card with its masked-LM pretraining switched on: (intro, cost) in place of PLAIN's
SCRATCH_PRETRAINED = (
    "The same model, but it starts knowing nothing: every weight begins random. First it reads your texts with "
    "words hidden and learns to guess them (no labels needed), as BERT did with billions of words; then it learns "
    "from your labelled examples. It shows what pretraining on your own texts is worth.",
    "Each reading of the texts for the hidden words costs about a training epoch, before the usual training.")
SHARED_LAYERS_NOTE = "not offered: one layer shared by every depth"
NOTE_MEANINGS = {
    "mean pooling instead": "Not used here: this strategy makes the summary by averaging all the words' numbers",
    "label embeddings instead": "None here: the text's summary is compared with the summary of one sentence per "
                                "class, and the closest wins",
    "new, random": "New for this task, it starts from random numbers",
    "computed once, cached": "Frozen, they give a text the same numbers every time, so each text is read once and "
                             "the result reused",
    "linear, on mean-pooled vectors": "One weight per summary number and class, reading the average of the words' "
                                      "numbers",
    "masked-LM, then fine-tuned": "Trained twice: first to guess hidden words of your texts, then on the labels",
    "not offered: one layer shared by every depth": "partial_ft trains the top layers apart from the lower ones; this "
                                                    "model (ALBERT) runs one layer's weights at every depth, so it "
                                                    "refuses to run on it",
    "TF-IDF of word 1-2-grams": "How often each word and word pair appears, counted less where every text has it",
    "one weight per n-gram x class": "One number per word (or word pair) and class: how much it points to that "
                                     "class",
    "one weight per n-gram": "One number per word (or word pair): how much it points to one class rather than the "
                             "other (with two classes, one row of weights decides between them)",
}
ADAPTER_MEANING = ("Frozen, with small trained matrices (adapters, the thin orange strip) added to each layer's "
                   "attention; r sets their size")
NOT_COUNTED_MEANING = "weights the model has but this strategy never uses, so they are left out of the total"
SIZE_MEANING = "numbers of weights: k = thousand, M = million"


def note_meaning(note: str) -> str | None:
    """What a note beside a block of the diagram means, in plain words (None: a note nobody explained)."""
    if note.startswith("+") and "adapter weights" in note:
        return ADAPTER_MEANING
    return NOTE_MEANINGS.get(note)


def glossary(blocks: list[Block]) -> list[tuple[str, str]]:
    """(label, meaning) for every label the diagram of ``blocks`` draws, top down: each block with its note (the
    encoder's layers once, or where they differ, each run of consecutive layers of one state once, with that state,
    and the other blocks' state in their meaning), then "not counted" where a block is outside the total and the
    k/M of the sizes."""
    out: dict[str, str] = {}
    runs = _layer_runs(blocks)
    for b in reversed(blocks):  # top down, as drawn
        if b.name.startswith("layer "):
            run = next(r for r in runs if any(x is b for x in r))
            first, last = run[0], run[-1]
            term = (f"layers {first.name.split()[1]} to {last.name.split()[1]}" if first is not last else b.name)
            meaning = BLOCK_MEANINGS["layer"]
            if len(runs) > 1 and first is not last:  # partial_ft: which layers train, which stay frozen
                term += f" ({STATE_WORDS.get(b.state, LEGEND[b.state])})"
        elif b.name == "head" and any(x.name == "input" for x in blocks):  # tfidf_logreg: no encoder's summary
            term, meaning = b.name, "the decision, made from the word counts"
        else:
            term, meaning = b.name, BLOCK_MEANINGS.get(b.name, "")
        if b.note:
            term += f" · {b.note}"
            meaning = ". ".join(x for x in (meaning, note_meaning(b.note)) if x)
        if len(runs) > 1 and term.partition(" · ")[0] == b.name and b.state in STATE_WORDS:
            # the embeddings frozen, the pooler trained; a layer alone (its label as drawn) too
            meaning += f". {STATE_WORDS[b.state].capitalize()} here"
        out.setdefault(term, meaning)
    if any(not counted(b) and b.params for b in blocks):
        out["not counted"] = NOT_COUNTED_MEANING
    if any(b.params for b in blocks):
        out["k, M"] = SIZE_MEANING
    return list(out.items())


STATE_WORDS = {FROZEN: "frozen", TRAINED: "trained"}  # a group of layers' state in the legend's words


def _layer_runs(blocks: list[Block]) -> list[list[Block]]:
    """The encoder's layers, bottom up, in runs of consecutive layers of one state and note: partial_ft's legend
    merged "layers 0 to 5" whatever each trained, so it never said layers 0 to 2 stay frozen and 3 to 5 train."""
    runs: list[list[Block]] = []
    for b in (b for b in blocks if b.name.startswith("layer ")):
        if runs and (runs[-1][-1].state, runs[-1][-1].note) == (b.state, b.note):
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


def counted(block: Block) -> bool:
    """Whether a block's weights are in the card's total: the model as the strategy runs it. A pooler that mean
    pooling replaces, and a head zero_shot has not, are drawn but not counted."""
    return block.state not in (UNUSED, ABSENT)


@dataclass
class Block:
    """One row of the diagram: a part of the model and what the strategy does to it."""

    name: str
    params: int
    state: str
    trained_params: int = 0
    note: str = ""


@dataclass
class Card:
    """Everything a teaching card shows for one strategy."""

    strategy: str
    title: str
    summary: str
    trains: str
    frozen: str
    when: str
    cost: str
    blocks: list[Block]
    svg: str
    trainable_params: int
    total_params: int
    measured: list[dict] = field(default_factory=list)
    intro: str = ""  # PLAIN: what it does in everyday words, when it is worth it, what it costs
    plain_when: str = ""
    plain_cost: str = ""
    # scratch with a new vocabulary: the encoder's size with the model's own (every other card's), else None
    usual_encoder: int | None = None

    @property
    def glossary(self) -> list[tuple[str, str]]:
        """The diagram's words explained (its legend in words): see :func:`glossary`."""
        return glossary(self.blocks)

    @property
    def alt(self) -> str:
        """The diagram in words, for a screen reader (an image's alt text): each block from the head down."""
        parts = [f"{b.name}: {LEGEND[b.state]}" + (f", {_fmt(b.params)} weights" if b.params else "")
                 + ("" if counted(b) or not b.params else ", not counted in the total") for b in reversed(self.blocks)]
        return f"Diagram of what {self.strategy} trains, from the top of the model down: " + "; ".join(parts) + "."

    @property
    def total_note(self) -> str:
        """The total in parts, and why it differs between strategies (students asked why one model changed size
        from card to card): ``Total 22,566,146 weights = encoder 22,565,376 + head 770; the pooler (147,840) is not
        counted: not used (mean pooling instead). Totals differ ...`` (head_only on MiniLM); empty where nothing is
        counted (tfidf_logreg)."""
        if not self.total_params:
            return ""
        encoder = sum(b.params for b in self.blocks if counted(b) and b.name not in ("pooler", "head"))
        parts, left = [f"encoder {encoder:,}"], []
        for b in self.blocks:
            if b.name not in ("pooler", "head"):
                continue
            if counted(b):
                parts.append(f"{b.name} {b.params:,}")
            elif b.state == ABSENT:
                left.append(f"no {b.name}" + (f" ({b.note})" if b.note else ""))
            else:
                left.append(f"the {b.name} ({b.params:,}) is not counted: {LEGEND[b.state]}"
                            + (f" ({b.note})" if b.note else ""))
        if adapters := sum(b.trained_params for b in self.blocks if b.state == ADAPTER):
            parts.append(f"adapters {adapters:,}")
        total = f"Total {self.total_params:,} weights = {' + '.join(parts)}" + "".join(f"; {x}" for x in left)
        if self.usual_encoder not in (None, encoder):
            # A new vocabulary resizes the word embeddings: "the encoder is the same" was false beside 13.9M on
            # this card and 22.6M on every other (a teacher's review).
            return (f"{total}. Totals differ between cards by the head, pooler and adapters each strategy adds or "
                    f"uses, and here by the new vocabulary too, which makes the word embeddings "
                    f"{'smaller' if encoder < self.usual_encoder else 'larger'}: encoder {encoder:,} here, "
                    f"{self.usual_encoder:,} with the model's own vocabulary (the other cards).")
        return (f"{total}. Totals differ between cards only by the head, pooler and adapters each strategy adds or "
                "uses; the encoder is the same.")

    @property
    def trainable_fraction(self) -> float:
        return self.trainable_params / self.total_params if self.total_params else 0.0


@functools.lru_cache(maxsize=8)
def model_parts(model: str = DEFAULT_MODEL, n_classes: int = 2) -> tuple[tuple[str, int], ...]:
    """(block name, parameter count) from the bottom (embeddings) to the top (head) of the real model."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from bertlab import models

    cfg = AutoConfig.from_pretrained(models.resolve(model), num_labels=n_classes, trust_remote_code=False)
    with torch.device("meta"):  # shapes only: no memory, no weights read
        m = AutoModelForSequenceClassification.from_config(cfg)
    base = m.base_model

    def count(mod) -> int:
        return sum(p.numel() for p in mod.parameters()) if mod is not None else 0

    pooler = count(getattr(base, "pooler", None))
    final_norm = count(getattr(base, "final_norm", None))  # ModernBERT's, drawn with its top layer
    stack = models.layer_stack(m)
    if stack is None:  # ALBERT: one layer's weights, run at every depth, is one block of weights
        # said in its name: "layer 0" alone made a 4-layer ALBERT look like a 1-layer model
        depth = int(getattr(cfg, "num_hidden_layers", 1) or 1)
        name = f"layer 0 (shared, run {depth} times)" if depth > 1 else "layer 0"
        stack_parts = [(name, count(base) - count(getattr(base, "embeddings", None)) - pooler)]
    else:
        stack_parts = [(f"layer {i}", count(layer) + (final_norm if i == len(stack) - 1 else 0))
                       for i, layer in enumerate(stack)]
    # below the stack: the embeddings, and ELECTRA's projection of them or DeBERTa's relative positions
    parts = [("embeddings", count(base) - sum(c for _, c in stack_parts) - pooler)] + stack_parts
    parts.append(("pooler", pooler))
    head = sum(p.numel() for n, p in m.named_parameters() if not n.startswith(m.base_model_prefix + "."))
    parts.append(("head", head))
    return tuple(parts)


def trains_words(strategy: str, model: str = DEFAULT_MODEL, field: str = "trains") -> str:
    """What ``strategy`` trains (its ``trains``; or ``field``: its ``summary`` or ``frozen``), in words, for
    ``model``: a model with no pooler (RoBERTa, DistilBERT, ModernBERT: their heads do its work) is not told it
    trains "the pooler" (a review), nor that all but the pooler's weights are frozen (a diff review)."""
    from bertlab.errors import BertlabError
    from bertlab.strategies import get_strategy

    words = getattr(get_strategy(strategy), field)
    if "pooler" not in words:
        return words
    try:
        pooler = dict(model_parts(model)).get("pooler", 0)
    except (BertlabError, OSError, ValueError):  # a model that does not load: its own error is said elsewhere
        return words
    if pooler:
        return words
    for with_it, without in (("embeddings, pooler and the new head", "embeddings and the new head"),
                             (", the pooler and the new head", " and the new head"),
                             (", the pooler and the head", " and the head"),
                             ("every pretrained weight but the pooler's", "every pretrained weight")):
        words = words.replace(with_it, without)
    return words


@functools.lru_cache(maxsize=8)
def _vocab_and_hidden(model: str) -> tuple[int, int]:
    """The model's vocabulary size and the width of its word embeddings: the hidden size, or ALBERT's and ELECTRA's
    smaller ``embedding_size`` (cached: the Train page draws scratch's card on every rerun)."""
    from bertlab import models

    cfg = models.load_config(model)
    return int(cfg.vocab_size), int(getattr(cfg, "embedding_size", None) or cfg.hidden_size)


def _shares_layers(model: str) -> bool:
    """Whether the model runs one layer's weights at every depth (ALBERT): partial_ft refuses it."""
    from bertlab import models

    return models.model_shares_layers(model)


@functools.lru_cache(maxsize=16)
def _adapter_weights(model: str, r: int) -> int:
    """One layer's LoRA adapters: A (r x h) and B (h x r) on query, key and value; on ModernBERT's fused
    query-key-value projection (h -> 3h), one A (r x h) and one B (3h x r). Cached, as :func:`_vocab_and_hidden`:
    the Train page asked it twice a rerun with lora chosen (its card and its memory estimate), each a read of the
    model's config (~1.1 ms from a local folder; a hub model's is a request online)."""
    from bertlab import models

    cfg = models.load_config(model)
    h = int(cfg.hidden_size)
    return r * (h + 3 * h) if cfg.model_type == "modernbert" else 3 * r * 2 * h


def strategy_blocks(strategy: str, model: str = DEFAULT_MODEL, options: dict | None = None,
                    n_classes: int = 2, new_vocab: int | None = None) -> list[Block]:
    """The model's blocks coloured for ``strategy`` (options as in RunConfig.options); ``new_vocab``: scratch's new
    WordPiece vocabulary of up to that many tokens (RunConfig.vocab_size), whose word embeddings replace the
    model's (the Train page drew MiniLM's 11.92M embedding weights where a run with 6,002 new tokens had 2.50M)."""
    options = options or {}
    parts = list(model_parts(model, n_classes))
    if strategy == "scratch" and new_vocab:
        vocab, hidden = _vocab_and_hidden(model)
        parts = [(name, c + (int(new_vocab) - vocab) * hidden if name == "embeddings" else c) for name, c in parts]
    layers = [p for p in parts if p[0].startswith("layer ")]
    n = len(layers)

    def blocks(state_of) -> list[Block]:
        out = []
        for name, count in parts:
            state, trained, note = state_of(name, count)
            out.append(Block(name, 0 if state == ABSENT else count, state, trained, note))  # absent: no weights
        return out

    if strategy == "full_ft":
        return blocks(lambda name, c: (TRAINED, c, "new, random" if name == "head" else ""))
    if strategy == "dapt":
        return blocks(lambda name, c: (TRAINED, c, "new, random" if name == "head" else
                                       ("" if name == "pooler" else "masked-LM, then fine-tuned")))
    if strategy == "scratch":
        pretrained = bool(options.get("mlm_epochs"))  # a masked-LM phase on the texts first: not the head or pooler
        return blocks(lambda name, c: (RANDOM, c, f"new vocabulary, up to {int(new_vocab):,} tokens"
                                       if new_vocab and name == "embeddings" else
                                       ("masked-LM, then fine-tuned" if pretrained and name not in ("head", "pooler")
                                        else "")))
    if strategy == "partial_ft":
        if _shares_layers(model):  # no top layers apart from the rest: the run refuses it, the card says so
            return blocks(lambda name, c: (UNUSED, 0, SHARED_LAYERS_NOTE))
        k = options.get("layers", (n + 1) // 2)

        def st(name: str, c: int):
            if name == "embeddings":
                return FROZEN, 0, ""
            if name.startswith("layer "):
                return (TRAINED, c, "") if int(name.split()[1]) >= n - k else (FROZEN, 0, "")
            return TRAINED, c, "new, random" if name == "head" else ""
        return blocks(st)
    if strategy == "lora":
        r = int(options.get("r", 8))
        adapter = _adapter_weights(model, r)

        def st(name: str, c: int):
            if name.startswith("layer "):
                return ADAPTER, adapter, f"+{adapter:,} adapter weights, r={r}"
            if name == "head":
                return TRAINED, c, "new, random"
            if name == "pooler":
                return TRAINED, c, ""
            return FROZEN, 0, ""
        return blocks(st)
    if strategy == "head_only":
        return blocks(lambda name, c: (TRAINED, c, "linear, on mean-pooled vectors") if name == "head" else
                      ((UNUSED, 0, "mean pooling instead") if name == "pooler" else (FROZEN, 0, "computed once, cached")))
    if strategy == "zero_shot":
        return blocks(lambda name, c: (ABSENT, 0, "label embeddings instead") if name == "head" else
                      ((UNUSED, 0, "mean pooling instead") if name == "pooler" else (FROZEN, 0, "")))
    if strategy == "tfidf_logreg":
        # No network under its head: one row of word counts, not BERT's layers drawn as absent (a class read
        # "layer 5 · no encoder" as a layer it has). The head's size is the vocabulary's, known after training.
        # Two classes keep one row of weights (scikit-learn's binary logistic regression): 6,816 n-grams gave
        # 6,817 weights, where the card said one per n-gram and class.
        head = "one weight per n-gram" if n_classes <= 2 else "one weight per n-gram x class"
        return [Block("input", 0, COUNTED, note="TF-IDF of word 1-2-grams"), Block("head", 0, TRAINED, note=head)]
    return blocks(lambda name, c: (UNUSED, 0, "see the strategy's description"))


def _fmt(n: int) -> str:
    """A parameter count as drawn: 999, 1.0k, 22.71M; a count that rounds up to the next unit takes it (999,999
    reads 1.00M, not 1000.0k)."""
    if round(n / 1e3, 1) >= 1e3:
        return f"{n / 1e6:.2f}M"
    return f"{n / 1e3:.1f}k" if n >= 1e3 else str(n)


def _count_text(b: Block) -> str:
    """A block's size as drawn beside it; a block outside the total says so (the diagram counts what the title
    counts)."""
    if not counted(b):
        return f"{_fmt(b.params)} not counted"
    return _fmt(b.params) + (f" ({_fmt(b.trained_params)} trained)" if 0 < b.trained_params < b.params else "")


def _cut(text: str, most: int) -> str:
    """``text``, or where longer than ``most`` characters its words up to there and "…" (not a word cut in two)."""
    if len(text) <= most:
        return text
    return text[: most - 1].rsplit(" ", 1)[0].rstrip(" ·:,") + "…"


# The card's own colours, light (paper, the report, the light theme) and dark: background, its border, text,
# the block sizes' text, the blocks' outline, and a block's fill that is the card's ("not part of this model").
CARD_COLORS = {False: ("#FFFFFF", "#D0D7DE", "#1F2933", "#333", "#555"),
               True: ("#1A1C24", "#3D4450", "#FAFAFA", "#D0D4DA", "#9AA3AE")}


def diagram_svg(blocks: list[Block], title: str = "", scale: float = 1.0, dark: bool = False) -> str:
    """A vertical stack of the model's blocks (input at the bottom), coloured trained/frozen, as SVG text.

    ``dark``: drawn for the dark theme (a dark card, light text): the light card stayed a bright white block on it.
    A block's label is black or white, whichever reads on its fill; trained and frozen keep their colours."""
    from bertlab.plots import text_color_on

    back, border, ink, soft, edge = CARD_COLORS[dark]
    fills = {**COLORS, ABSENT: back, UNUSED: "#3A3F4B" if dark else COLORS[UNUSED]}
    row, w, gap = 32 * scale, 520 * scale, 4 * scale
    fs = 15 * scale  # drawn 480 px wide on the Train page: 14 px text, readable on a projector
    top = ((26 + 20 * title.count("\n")) if title else 6) * scale
    legend_states = list(dict.fromkeys(b.state for b in blocks))
    h = top + len(blocks) * (row + gap) + (len(legend_states) * 20 + 24) * scale
    pad = 10 * scale
    # A card of its own in the theme's colours: an SVG drawn as an image inherits no text colour from the page, and
    # text in the default black (the title, the legend) vanished on the dark theme's near-black page.
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 2 * pad:.0f}" height="{h + 2 * pad:.0f}" '
           f'viewBox="0 0 {w + 2 * pad:.0f} {h + 2 * pad:.0f}" font-family="system-ui, sans-serif" '
           f'font-size="{fs:.0f}" fill="{ink}">',
           f'<rect width="100%" height="100%" rx="{8 * scale:.0f}" fill="{back}" stroke="{border}"/>',
           f'<g transform="translate({pad:.0f},{pad:.0f})">']
    for k, line in enumerate(title.split("\n") if title else []):  # a long title on two lines, not cut
        out.append(f'<text x="0" y="{(18 + 20 * k) * scale:.0f}" font-weight="bold">{html.escape(line)}</text>')
    for i, b in enumerate(reversed(blocks)):  # head at the top, embeddings at the bottom
        y = top + i * (row + gap)
        dash = ' stroke-dasharray="5,3"' if b.state in (ABSENT, RANDOM) else ""
        out.append(f'<rect x="0" y="{y:.0f}" width="{w * 0.62:.0f}" height="{row:.0f}" rx="4" '
                   f'fill="{fills[b.state]}" stroke="{edge}"{dash}/>')
        if b.state == ADAPTER:  # a thin trained strip: the adapters beside the frozen weights
            out.append(f'<rect x="{w * 0.62 - 14 * scale:.0f}" y="{y:.0f}" width="{14 * scale:.0f}" '
                       f'height="{row:.0f}" rx="3" fill="{COLORS[TRAINED]}" stroke="{edge}"/>')
        label = _cut(b.name + (f" · {b.note}" if b.note else ""), 60)  # ALBERT's lora layer whole
        # A label too long for its block ("embeddings · masked-LM, then fine-tuned") in smaller type, sized by a
        # generous guess at its width (0.56 em a character; system-ui draws these at ~0.54).
        room, guess = w * 0.62 - 16 * scale, 0.56 * fs * len(label)
        size = f' font-size="{fs * room / guess:.1f}"' if guess > room else ""
        out.append(f'<text x="{8 * scale:.0f}" y="{y + row * 0.66:.0f}" fill="{text_color_on(fills[b.state])}"'
                   f'{size}>{html.escape(label)}</text>')
        if b.state != ABSENT and b.params:
            out.append(f'<text x="{w * 0.64:.0f}" y="{y + row * 0.66:.0f}" fill="{soft}">{_count_text(b)}</text>')
    y = top + len(blocks) * (row + gap) + 10 * scale
    for j, s in enumerate(legend_states):
        yy = y + j * 20 * scale
        dash = ' stroke-dasharray="4,2"' if s in (ABSENT, RANDOM) else ""
        out.append(f'<rect x="0" y="{yy:.0f}" width="{16 * scale:.0f}" height="{14 * scale:.0f}" '
                   f'fill="{fills[s]}" stroke="{edge}"{dash}/>')
        if s == ADAPTER:
            out.append(f'<rect x="{11 * scale:.0f}" y="{yy:.0f}" width="{5 * scale:.0f}" height="{14 * scale:.0f}" '
                       f'fill="{COLORS[TRAINED]}" stroke="{edge}"/>')
        out.append(f'<text x="{22 * scale:.0f}" y="{yy + 12 * scale:.0f}">{html.escape(LEGEND[s])}</text>')
    out.append("</g></svg>")
    return "".join(out)


def uses_labelled_examples(strategy: str) -> bool:
    """Whether ``strategy`` learns from the labelled training split.

    A strategy that trains nothing (zero_shot: label descriptions only) does not, although its runs still
    record the split's size; dapt's extra text is unlabelled, but its fine-tuning uses the labels.
    """
    from bertlab.strategies import get_strategy

    return get_strategy(strategy).trains != "nothing"


def measured_numbers(strategy: str, runs) -> list[dict]:
    """This strategy's numbers in a comparison (succeeded runs): run id, accuracy, train seconds, trainable,
    the training split's size (``n_train``) and how many labelled examples it learnt from (``n_labelled``)."""
    labelled = uses_labelled_examples(strategy)
    out = []
    for r in runs or []:
        if r.strategy == strategy and r.status == "succeeded":
            n_train = (r.data_summary.get("sizes") or {}).get("train")
            out.append({"run_id": r.id, "test_accuracy": r.metrics.get("test_accuracy"),
                        "train_seconds": r.costs.get("train_seconds"),
                        "trainable_params": r.costs.get("trainable_params"), "n_train": n_train,
                        "n_labelled": n_train if labelled else 0})
    return out


# A running run's phase where it is not plain training (bertlab.runner's phase names), in a class's words.
PHASES = {"embed": "reading the texts", "mlm": "guessing hidden words", "test": "taking the test"}


def unfinished(strategy: str, runs) -> list[tuple[str, str, str]]:
    """(run id, status, what to say) for each run of ``strategy`` in a comparison that has no numbers to quote:
    training now (with its progress), queued, failed, cancelled or interrupted. A card said "not run yet here;
    launch it on the Train page" while scratch trained in the very batch it named, inviting a duplicate launch."""
    out = []
    for r in runs or []:
        if r.strategy != strategy or r.status == "succeeded":
            continue
        if r.status == "running":
            phase = f", {PHASES[r.phase]}" if r.phase in PHASES else ""
            text = f"training now, {max(0.0, min(1.0, r.progress or 0.0)):.0%} done{phase}: follow it on Compare"
        elif r.status == "queued":
            text = "queued: it starts when the runs ahead of it finish (see Compare)"
        elif r.status == "failed":
            first = (r.error or "no message").strip().splitlines()[0] if (r.error or "").strip() else "no message"
            text = f"failed: {first} (details on Compare)"
        elif r.status == "interrupted":
            text = "interrupted before it finished: run it again from Compare"
        else:
            text = f"{r.status} before it finished" + (f" ({r.error})" if r.error else "")
        out.append((r.id, r.status, text))
    return out


def card(strategy: str, model: str = DEFAULT_MODEL, options: dict | None = None, n_classes: int = 2,
         runs=None, scale: float = 1.0, new_vocab: int | None = None, dark: bool = False) -> Card:
    """The teaching card of ``strategy`` on ``model``, with its numbers from ``runs`` (a comparison) if given;
    ``new_vocab``: scratch with a new vocabulary of up to that many tokens (:func:`strategy_blocks`); ``dark``: its
    diagram drawn for the dark theme."""
    from bertlab.strategies import get_strategy

    s = get_strategy(strategy)
    opts = {**s.defaults.get("options", {}), **(options or {})}
    blocks = strategy_blocks(strategy, model, opts, n_classes, new_vocab)
    # The model as the strategy runs it: parts it does not use (the pooler under mean pooling) are not its weights,
    # and the diagram says "not counted" beside them.
    encoder_total = sum(b.params for b in blocks if counted(b))
    usual = None
    if new_vocab and strategy == "scratch":  # its embeddings resized: say what the model's own vocabulary gives
        usual = sum(b.params for b in strategy_blocks(strategy, model, opts, n_classes)
                    if counted(b) and b.name not in ("pooler", "head"))
    trainable = sum(b.trained_params for b in blocks)
    if strategy == "lora":
        encoder_total += sum(b.trained_params for b in blocks if b.state == ADAPTER)  # adapters are extra weights
    count = f"{_fmt(trainable)} of {_fmt(encoder_total)} weights trained" if strategy != "tfidf_logreg" \
        else "no encoder"
    # One line where it fits the card (~52 characters of bold text), else the count under the name.
    title = f"{s.title}: {count}" if len(s.title) + len(count) <= 50 else f"{s.title}:\n{count}"
    intro, plain_when, plain_cost = PLAIN.get(strategy, (s.summary, "", ""))
    if strategy == "scratch" and opts.get("mlm_epochs"):  # pretrained on the texts first: not "only labelled"
        intro, plain_cost = SCRATCH_PRETRAINED
    return Card(strategy=strategy, title=s.title, summary=trains_words(strategy, model, "summary"),
                trains=trains_words(strategy, model), frozen=trains_words(strategy, model, "frozen"), when=s.when,
                cost=COST_NOTES.get(strategy, ""), blocks=blocks, svg=diagram_svg(blocks, title, scale, dark),
                trainable_params=trainable, total_params=encoder_total, measured=measured_numbers(strategy, runs),
                intro=intro, plain_when=plain_when, plain_cost=plain_cost, usual_encoder=usual)


# A learner arrives from tutorials (README "Coming from a tutorial"; the guides in the project's seeds) with their
# words for these strategies and their recipe. Each row: (the tutorial's words, bertlab's name, what to know).
# The Strategy cards page shows both tables; tests check that every name here is a registered strategy or option.
TUTORIAL_TERMS = [
    ("using the pretrained model as it is; a pre-trained baseline", "zero_shot",
     "compares each text with one sentence per class. A `...ForSequenceClassification` loaded with "
     "`from_pretrained` and not trained has a random head and would only guess."),
    ("feature extraction; freezing the encoder; training only the classification layer", "head_only",
     "a linear head on the frozen encoder's vectors, averaged over the words (mean pooling), where tutorials often "
     "read the [CLS] vector or `pooler_output`. Tutorial code that gives `model.parameters()` to the optimizer "
     "trains every weight, whatever its text says: that is full_ft."),
    ("fine-tuning; full fine-tuning; `BertForSequenceClassification` (or `AutoModel...`) with a training loop or "
     "the `Trainer`", "full_ft",
     "every weight, reading the text as those classes do: the [CLS] token's vector through the pooler "
     "(`pooler_output`: dense + tanh), then a new linear layer."),
    ("fine-tuning only the last (top) layers; freezing the lower layers", "partial_ft",
     "option *Top layers trained* (`layers`, default half of them); the embeddings stay frozen."),
    ("training from scratch; `BertForSequenceClassification(BertConfig(...))`; a new vocabulary", "scratch",
     "the chosen model's architecture (MiniLM: 6 layers, not bert-base's 12) from random weights, trained on your "
     "labels; *New vocabulary* on the Train page (CLI `--new-vocab`) trains a WordPiece vocabulary on the "
     "training texts first. Its option *Masked-LM pretraining epochs first* (`mlm_epochs`, default 0: none) "
     "pretrains the random model on your texts first, next row."),
    ("pretraining from scratch; `BertForMaskedLM(BertConfig(...))` on your own texts, then fine-tuning",
     "mlm_epochs",
     "option *Masked-LM pretraining epochs first* of scratch: the random model learns to guess hidden words of the "
     "training texts (and an optional unlabelled .txt, option *Extra text to pretrain on*), as BERT was pretrained "
     "but on your texts instead of billions of words, then trains on the labels. Its masked-LM head is new too "
     "(learning rate 5e-4 by default, dapt's 5e-5 being for trained weights)."),
    ("domain pretraining; continued or continual pretraining; intermediate fine-tuning on a domain corpus; "
     "`BertForPreTraining` on your texts, then fine-tuning", "dapt",
     "masked-LM training on the training texts (and an optional unlabelled .txt), then full_ft."),
    ("masked language modelling (MLM)", "dapt",
     "its first phase; options *Masked-LM epochs*, *Masked-LM learning rate* and *Share of tokens masked* "
     "(0.15, as BERT). scratch has the same phase with *Masked-LM pretraining epochs first* above 0."),
    ("next sentence prediction (NSP)", "(not offered)",
     "dapt trains the masked LM only. NSP needs pairs of consecutive sentences from longer documents (one review "
     "a line has no next sentence), and RoBERTa (Liu et al., 2019) matched or beat BERT without it."),
    ("differential (discriminative) learning rates; a lower rate for the encoder than for the head", "layer_decay",
     "option *Layer-wise LR decay* of full_ft, partial_ft, lora and dapt: the head and pooler train at the "
     "learning rate, each layer below at decay times the one above (MiniLM's lowest layer at 0.9: 0.53 of it). "
     "One separate rate for the head alone: next row."),
    ("a higher learning rate for the new head than for the pretrained encoder (2e-5 for BERT, 5e-5 for the head)",
     "head_lr",
     "option *Head learning rate* of full_ft, partial_ft, lora and dapt: the classifier outside the encoder trains "
     "at it, every other weight at the learning rate (BERT's pooler, inside the encoder, included); CLI "
     "`--lr full_ft=2e-5 --option full_ft.head_lr=5e-5`. With *Layer-wise LR decay* too, the layers below decay "
     "from the learning rate. On rotten_tomatoes with MiniLM, 5e-5 beside 2e-5 changed at most 6 of 1,000 test "
     "predictions (3 seeds)."),
    ("no weight decay on biases and LayerNorm weights (two parameter groups)", "weight_decay",
     "always so for the strategies that fine-tune (weight decay 0.01 on the other weights)."),
    ("logistic regression, or another simple model, as the baseline", "tfidf_logreg",
     "word and word-pair counts (TF-IDF) and a logistic regression, its C picked on the validation split."),
]

# Where a tutorial's recipe differs from bertlab's defaults, and why: (setting, the tutorials, bertlab).
TUTORIAL_RECIPE = [
    ("model", "`bert-base-uncased`: 110M weights, 12 layers",
     "all-MiniLM-L6-v2 (22.7M weights, 6 layers), packaged, so everything runs offline on a laptop's CPU at about "
     "an eighth of bert-base's compute per token. Type `bert-base-uncased` in the Train page's *Model* field "
     "(internet needed once) to run theirs; zero_shot on it reads a masked-LM model's averaged vectors, which "
     "were never trained to place similar texts close together."),
    ("learning rate (fine-tuning)", "1e-5 to 5e-5",
     "1e-4 for full_ft, partial_ft and dapt: the Quick demo gives few steps. Measured here (full_ft, "
     "rotten_tomatoes, seed 0, 3 epochs of 16, 2026-12-04): on the Quick demo's 500 texts (96 steps) 2e-5 learned "
     "nothing (57.8%, the majority class), 5e-5 reached 73.2% and 1e-4 74.4%; on the Standard size's 2,000 (375 "
     "steps) 79.8%, 80.7% and 81.1%, gaps its 1,000 test texts cannot tell from chance (McNemar p = 0.29 and "
     "0.74 against 1e-4). These are test accuracies on the default split that Compare reports; its validation "
     "texts pick 1e-4 too (Quick demo, seed 0, 2026-12-06: 58.0%, 70.0% and 73.5% for 2e-5, 5e-5 and 1e-4). *Also "
     "compare at learning rates* (e.g. `2e-5, 5e-5`) runs theirs beside it."),
    ("schedule", "Adam or AdamW at a constant rate (the `Trainer`: linear decay, but no warmup and no weight decay "
     "unless set)",
     "AdamW, warmup over the first 10% of steps then linear decay to 0, weight decay 0.01 (none on biases and "
     "LayerNorm weights), gradients clipped at norm 1.0: as BERT's own fine-tuning code."),
    ("padding", "every text padded to max_length (`padding='max_length'`)",
     "each batch padded only to its longest text (on a CUDA GPU rounded up to a multiple of 8, so fewer batch "
     "shapes are new to the GPU), texts of similar length batched together: each text's outputs are the same (the "
     "attention mask hides padding), for far less compute on short texts."),
    ("max length", "128, or the model's 512 where only `truncation=True` is set",
     "128 tokens; the Train page says when many of your texts are longer (and the estimate counts a larger one)."),
    ("epochs and batch size", "3 epochs; batches of 2 to 16 (one tutorial takes one step on the whole set per "
     "epoch)",
     "full_ft: 3 epochs of shuffled batches of 16. head_only: 30 epochs at 1e-2 (a linear model on fixed vectors, "
     "seconds in all); scratch: 5 epochs at 2e-4 (measured in the README)."),
    ("evaluation", "the training loss printed, or the test split used as eval_dataset during training",
     "validation loss and accuracy every epoch (what *Keep the best epoch* and *Stop early* read), the test split "
     "scored once at the end, with a 95% interval and a paired test between runs on Compare."),
]
