"""Train page: choose the model, the strategies and their hyperparameters, and launch one run per strategy."""

from __future__ import annotations

import html
import json
import math
from typing import Any

import streamlit as st

from app_pages import common
from bertlab import cpushare, memory, speedprobe, variants
from bertlab.answer import CUT_SHARE  # as Compare's answer names texts cut at max length
from bertlab.config import (
    DEFAULT_MODEL,
    DEFAULT_STRATEGIES,
    MAX_LENGTH_COST,
    MAX_TEXT_CHARS,
    DataConfig,
    RunConfig,
)
from bertlab.data import save_upload
from bertlab.data.dataset import counted
from bertlab.data.files import PAIR_NOTE_START
from bertlab.errors import BertlabError, ModelError
from bertlab.estimate import (
    ENCODER_BASIS,
    Estimate,
    at_most,
    cache_shares,
    estimate_seconds,
    format_duration,
)
from bertlab.launch import example_rates, launch_configs, launch_size_problem, learning_rates
from bertlab.memory import MemoryEstimate
from bertlab.models import check_max_length, known_max_positions, resolve, sentence_max_length
from bertlab.store import ACTIVE, SUCCEEDED
from bertlab.strategies import REGISTRY, make_config, seeded_configs
from bertlab.strategies.classifier import few_steps_planned
from bertlab.strategies.dapt import domain_file_notes, domain_file_problem
from bertlab.strategies.embedding_based import data_descriptions
from bertlab.sweep import stop_early_strategies
from bertlab.teaching import COST_NOTES, card, trains_words

HP_FIELDS = ("epochs", "batch_size", "learning_rate", "max_length", "seed", "weight_decay", "warmup_ratio")
# Measured with bench/gpu.py on an H200 (bench/README.md, GPU section): BERT-base, bf16, one epoch of short texts.
GPU_BATCH_NOTE = (" On a GPU a step of 32 short texts leaves it mostly waiting for the host: on an H200, BERT-base "
                  "trained 1,010 texts a second at batch 32 and 6,560 at batch 256 (bench/README.md). A larger "
                  "batch takes fewer steps an epoch, so it may need a higher learning rate or more epochs to learn "
                  "as much.")
# hp_inputs' key for the further learning rates to compare (a list; None where the field has a mistake): not a
# RunConfig field, taken out of the overrides by the page before they reach a config
ALSO_LR = "also_learning_rates"
ALSO_LR_LABEL = "Also compare at learning rates"


def data_summary(cfg: DataConfig) -> tuple[dict[str, int], list[str], list[str]] | None:
    """Split sizes, label names and default label descriptions of the chosen data (None + error if bad)."""
    try:
        sp = common.splits(cfg)
    except BertlabError as e:
        common.show_error(e)
        st.page_link("app_pages/data.py", label="Fix the data on the Data page", icon=":material/dataset:")
        return None
    # the split's classes: without those drop_rare left out (the whole dataset still has them)
    return sp.sizes(), list(sp.label_names), common.label_descriptions(cfg, sp.train)


def check_model(model: str) -> bool:
    """Whether ``model`` can be used; says why not (an empty field included) with st.error. A folder without
    tokenizer files passes here: scratch with a new vocabulary needs none, so whether a strategy chosen reads the
    tokenizer is asked once the strategies are (:func:`missing_tokenizer`)."""
    try:
        resolve(model.strip(), tokenizer=False)  # an empty field is refused too, before anything can be queued
    except BertlabError as e:
        common.show_error(e)
        return False
    return True


def hp_key(name: str, field: str = "") -> str:
    """The session key of strategy ``name``'s ``field`` in its panel ('keep_hp_full_ft_epochs'; without ``field``,
    the prefix every field of the panel shares): one spelling for the panel, its reset and the page's readers."""
    return f"keep_hp_{name}_{field}"


NEW_VOCAB_KEY = hp_key("scratch", "new_vocab")  # scratch's New vocabulary box (new_vocab_input's)


def missing_tokenizer(model: str, names: list[str]) -> str | None:
    """Why Launch waits for ``model``, a folder without tokenizer files (markdown; :func:`common.missing_tokenizer`,
    with scratch's New vocabulary box below). The page refused such a folder as it was typed, before the strategies
    were picked."""
    return common.missing_tokenizer(model, names, bool(st.session_state.get(NEW_VOCAB_KEY)),
                                    "*New vocabulary* in its panel below")


MAX_LENGTH_BOUND = 8192  # RunConfig's own upper bound, used when the model's limit is unknown


def max_length_input(col, key: str, limit: int | None, default: int | None = None,
                     sentence_limit: int | None = None) -> int:
    """Max length capped at the tokens the model reads (``limit``, :func:`bertlab.models.max_positions`) when known.

    A value kept from another model above this one's limit is lowered to it, with a note, rather than
    left for the run to fail on. ``sentence_limit``: for a strategy that embeds texts with the frozen encoder
    (zero_shot, head_only), the tokens its sentence-transformers config reads (:func:`bertlab.models.
    sentence_max_length`), said in the help: 512 took MiniLM past what its embeddings were tuned on, unsaid.
    """
    top = limit or MAX_LENGTH_BOUND
    if (st.session_state.get(key) or 0) > top:
        st.session_state[key] = top
        col.caption(f"Lowered to {top}: this model reads at most {top} tokens.")
    limit_note = f" This model takes at most {limit} (its position embeddings)." if limit else ""
    if sentence_limit and (limit is None or sentence_limit < limit):
        limit_note += (f" Its sentence-transformers config embeds at most {sentence_limit} tokens (what its "
                       "sentence embeddings were tuned for): beyond that the frozen embeddings read more of a long "
                       "text, but in positions the model was not tuned on; compare both lengths before trusting one.")
    return col.number_input("Max length (tokens)", 8, top, key=key,
                            help="Longer texts keep their first this-many tokens (or their start and end: 'Cut "
                                 "long texts to'); the rest is not read (in training, testing and the Playground "
                                 "alike). " + MAX_LENGTH_COST
                            + " The time estimates below follow it." + limit_note
                            + ("" if default is None else default_text(default)))


def optimiser_text(name: str, **chosen: float) -> str:
    """How the strategy's optimizer runs, with its own defaults or the ``chosen`` weight_decay and warmup_ratio (for
    the lesson on AdamW and warmup): the panel's fields set them, and the line said the defaults beside them."""
    d = make_config(name, **chosen)
    if name == "head_only":
        return (f"Optimizer: AdamW at a constant learning rate, weight decay {d.weight_decay:g}, on batches of the "
                "cached embeddings through the linear head; no warmup or clipping (a convex problem).")
    warmup = (f"the learning rate rises linearly over the first {d.warmup_ratio * 100:.3g}% of steps, then falls "
              "linearly to 0" if d.warmup_ratio else "no warmup: the learning rate falls linearly from its peak to 0")
    return (f"Optimizer: AdamW; {warmup}; weight decay {d.weight_decay:g} (none on biases and LayerNorm weights); "
            f"gradients clipped at norm {d.grad_clip:g}, as BERT was fine-tuned. Hugging Face's Trainer decays "
            "linearly and clips at 1.0 by default too, but has no warmup and no weight decay unless set.")


BAD_FIELDS = "_bad_fields"  # in hp_inputs' result: the fields showing a value the run would not use (popped)


def default_text(value, fmt: str | None = None) -> str:
    """' Default: 1.0e-4.': a field's default, in its help (once changed, nothing on the page showed it; a review),
    in the field's own ``fmt`` where it has one ('%.3f': 0.010), a rate in the field's %.1e (its exponent without
    the leading zero); no format: small floats as a rate, others as %g."""
    if isinstance(value, bool):
        return f" Default: {'on' if value else 'off'}."
    if isinstance(value, float) and ((fmt or "").endswith("e") or (fmt is None and 0 < abs(value) < 1e-2)):
        return f" Default: {f'{value:.1e}'.replace('e-0', 'e-')}."  # as the field shows it: 1.0e-4
    if fmt and isinstance(value, (int, float)):
        return f" Default: {fmt % value}."
    return f" Default: {value:g}." if isinstance(value, (int, float)) else ""


def panel_defaults(name: str) -> dict[str, Any]:
    """Each session key of strategy ``name``'s panel with the value a fresh panel starts from, of the type its widget
    holds (a switch's bool, a whole number's int, a float option's float): where :func:`hp_inputs` starts the
    widgets and what 'Reset to defaults' puts back, so a reset panel holds exactly what a fresh one does."""
    s, d, k = REGISTRY[name], make_config(name), hp_key(name)
    out: dict[str, Any] = {k + f: getattr(d, f) for f in HP_FIELDS}
    if s.uses_tokens:  # common.truncation_input's
        out[k + "truncation"] = d.truncation
    if s.uses_epochs:
        out |= {k + "more_lrs": "", k + "keep_best": bool(d.keep_best), k + "patience": int(d.patience)}
    if name == "scratch":  # new_vocab_input's
        out |= {k + "new_vocab": bool(d.new_vocab), k + "vocab_size": int(d.vocab_size)}
    for opt, spec in (getattr(s, "option_specs", None) or {}).items():  # option_inputs' number fields
        if spec.get("kind") in ("int", "float"):
            v = spec.get("default")
            out[f"keep_opt_{name}_{opt}"] = float(v) if v is not None and spec["kind"] == "float" else v
    return out


def reset_strategy(name: str) -> None:
    """'Reset to defaults' in a strategy's panel: every field of it back to the strategy's default (on_click)."""
    for key, v in panel_defaults(name).items():
        st.session_state[key] = v


def checked_number(col, name: str, field: str, label: str, bad: list[str], **kw) -> float | int | None:
    """A number field with no bounds in the browser, checked here by RunConfig's own rule for ``field``.

    With bounds, a typed -1 or 0 turned the box red while the browser kept sending the last valid value: Launch
    stayed on and queued that value, not what the box showed (a review). Now the value shown is the one checked:
    one out of range is said under the field in RunConfig's words and its label goes into ``bad`` (Launch waits);
    None is returned for it, so the estimates read the strategy's default meanwhile.
    """
    kw.setdefault("step", 1)  # a whole number's field (an int step keeps it one; the learning rate gives its own)
    kw["help"] = kw.get("help", "") + default_text(getattr(make_config(name), field), kw.get("format"))
    v = col.number_input(label, min_value=None, max_value=None, **kw)
    if v is None:
        return None
    try:
        make_config(name, **{field: v})
    except BertlabError as e:
        col.error(f"{common.md(name)}'s *{label}*: {common.md(str(e))}", icon=":material/error:")
        bad.append(label)
        return None
    return v


def hp_inputs(name: str, data_tag: str, labels: list[str], descs: list[str], max_len_limit: int | None = None,
              sentence_limit: int | None = None) -> dict:
    """Hyperparameter widgets of one strategy, pre-filled from its defaults; returns make_config overrides.

    ``max_len_limit`` is the most tokens the model reads (None when unknown); ``sentence_limit`` the most its
    sentence-transformers config embeds (:func:`bertlab.models.sentence_max_length`), said to zero_shot and head_only.
    """
    s, d = REGISTRY[name], make_config(name)
    for key, v in panel_defaults(name).items():  # also the extra rates', switches' and options' fields below
        st.session_state.setdefault(key, v)
    out: dict = {}
    bad: list[str] = []  # fields showing a value out of range (checked_number)
    k = hp_key(name)
    # Only the controls that change what this strategy does: zero_shot trains nothing (no epochs, learning
    # rate or seed), tfidf_logreg has no encoder (no batches of tokens either) and a deterministic fit (no seed).
    if s.uses_epochs:
        r1, r2 = st.columns(3), st.columns(3)
        out["epochs"] = checked_number(r1[0], name, "epochs", "Epochs", bad, key=k + "epochs",
                                       help="Passes over the training set.")
        out["batch_size"] = checked_number(r1[1], name, "batch_size", "Batch size", bad, key=k + "batch_size",
                                               help="Examples per step (lower it if memory runs out)." + (
                                                   GPU_BATCH_NOTE if common.device_info()[0].type == "cuda" else ""))
        # +/- step a tenth of the default's decade (5e-5: 1e-6, to 5.1e-5; head_only's 1e-2: 1e-3, to 1.1e-2 or
        # 9.0e-3): a fixed 1e-5 changed 3.0e-02 to 3.0e-02, nothing the field shows; the whole decade (1e-2) left
        # no room below 1e-2 for "-"
        out["learning_rate"] = checked_number(r1[2], name, "learning_rate", "Learning rate", bad,
                                              key=k + "learning_rate",
                                                  step=10.0 ** (math.floor(math.log10(d.learning_rate)) - 1),
                                                  format="%.1e", help="Peak AdamW learning rate.")
        if s.uses_tokens:
            out["max_length"] = max_length_input(r2[0], k + "max_length", max_len_limit, d.max_length,
                                                 sentence_limit if s.embeds else None)
        out["seed"] = checked_number(r2[1], name, "seed", "Seed", bad, key=k + "seed",
                                     help="Initialisation and shuffling seed.")
        out[ALSO_LR] = also_rates_input(r2[2], name, k + "more_lrs", d.learning_rate)
        # The optimiser's weight decay and warmup (the CLI's --weight-decay, --warmup), checked as the others: with
        # the browser's bounds a typed 5 turned red while the last valid value was queued
        r3 = st.columns(3)
        out["weight_decay"] = checked_number(
            r3[0], name, "weight_decay", "Weight decay", bad, key=k + "weight_decay", step=0.01, format="%.3f",
            help="AdamW's decoupled weight decay, from 0 to 1 (none on biases and LayerNorm weights); 0 turns it off.")
        if "warmup_ratio" not in s.unused_fields:  # head_only's head trains at a constant learning rate
            out["warmup_ratio"] = checked_number(
                r3[1], name, "warmup_ratio", "Warmup (share of steps)", bad, key=k + "warmup_ratio", step=0.05,
                format="%.2f", help="The learning rate rises linearly from 0 to its peak over this share of the "
                                    "training steps, from 0 to 0.99, then falls linearly to 0; 0: no warmup.")
        if s.uses_tokens:  # beside the optimiser's fields: the row under max length has no room left
            out["truncation"] = common.truncation_input(r3[2], k + "truncation")
        # In projector mode one under the other: in two thirds of the panel (1024 px) the box's label read
        # "Keep the best epoch (lowest vali…".
        b1, b2 = common.columns_unless_projector([2, 1], vertical_alignment="bottom")
        out["keep_best"] = b1.checkbox(
            "Keep the best epoch (lowest validation loss)", key=k + "keep_best",
            help="After the last epoch, put back the weights of the epoch whose validation loss was lowest (as "
                 "Hugging Face Trainer's load_best_model_at_end). Guards against overfitting when you train for "
                 "many epochs; the run notes which epoch it kept." + default_text(bool(getattr(d, "keep_best", False))))
        out["patience"] = checked_number(
            b2, name, "patience", "Stop early after (epochs)", bad, key=k + "patience",
            help="Stop once this many epochs in a row have not lowered the validation loss (Hugging Face's "
                 "EarlyStoppingCallback); 0 trains every epoch. With 'Keep the best epoch', the best one is put "
                 "back. The run notes where it stopped.")
        st.caption(optimiser_text(name, **{f: float(out[f]) for f in ("weight_decay", "warmup_ratio")
                                             if out.get(f) is not None}))
    elif s.uses_tokens:
        r1 = st.columns(3)
        out["batch_size"] = checked_number(r1[0], name, "batch_size", "Batch size", bad, key=k + "batch_size",
                                           help="Texts per encoder pass.")
        out["max_length"] = max_length_input(r1[1], k + "max_length", max_len_limit, d.max_length,
                                             sentence_limit if s.embeds else None)
        out["truncation"] = common.truncation_input(r1[2], k + "truncation")
    else:
        # No seed either: tfidf_logreg's lbfgs fit draws nothing at random (uses_seed is False, the run stores seed
        # null), so a "Seed" field here changed nothing it claimed to.
        st.caption(f"No epochs, batches, learning rate or token limit: it reads the words of each text's first "
                   f"{MAX_TEXT_CHARS:,} characters (no strategy reads past them) and fits in one go, so how a long "
                   "text is cut (start only, or start and end) does not apply to it either."
                   " No seed: the fit is deterministic (every seed gives the same model).")
    if name == "zero_shot":
        st.markdown("**Label descriptions**: one sentence per class; each text gets the class whose sentence is closest to it.")
        # A reload at the same desk starts from the sentences last written for this data (they went back to the
        # bare label names); another dataset's never: they are kept per data.
        start = common.descriptions_in_use(data_tag, descs)[0]
        got = []
        for i, (lab, default) in enumerate(zip(labels, start)):
            k = common.description_key(data_tag, i)
            st.session_state.setdefault(k, default)
            # Named "Sentence for pos", not "pos" alone: a screen reader tabbing to it reads the label alone
            got.append(st.text_input(f"Sentence for {lab}", key=k, on_change=common.save_descriptions, args=(data_tag, descs)))
        out["label_descriptions"] = [g.strip() for g in got]
    if name == "scratch":
        out.update(new_vocab_input(k, d, bad))
    out = {f: v for f, v in out.items() if v is not None or f == ALSO_LR}  # a field out of range: the default
    out[BAD_FIELDS] = bad
    return out


def new_vocab_input(k: str, d: RunConfig, bad: list[str]) -> dict:
    """scratch's new vocabulary (RunConfig.new_vocab; the CLI's --new-vocab): the tutorials' "train from scratch
    with a new vocabulary", which the page did not offer. Its fields start where :func:`panel_defaults` says."""
    v1, v2 = st.columns([2, 1], vertical_alignment="bottom")
    on = v1.checkbox("New vocabulary (WordPiece, trained on the training texts)", key=k + "new_vocab",
                     help="Train a WordPiece vocabulary of this size on the training texts first, and the model on "
                          "it, instead of the model's own vocabulary: from scratch in every sense. The run's notes "
                          "say how many tokens it got. CLI: --new-vocab." + default_text(bool(d.new_vocab)))
    if not on:
        return {"new_vocab": False}
    size = checked_number(v2, "scratch", "vocab_size", "Vocabulary size", bad, key=k + "vocab_size",
                          help="Word pieces in the new vocabulary (bert-base-uncased has 30,522).")
    return {"new_vocab": True, "vocab_size": None if size is None else int(size)}


def also_rates_input(col, name: str, key: str, default: float) -> list[float] | None:
    """Right under the learning rate: more rates to run this strategy at in the same launch, one run each (and
    seed), so Compare weighs them at once; the list, or None (with the error under the field) for a mistake. The
    field starts empty (:func:`panel_defaults`)."""
    text = col.text_input(
        ALSO_LR_LABEL, key=key, placeholder=f"e.g. {example_rates(default)}",
        help="Does tuning matter on your data? Queue this strategy at these learning rates too, in this launch: one "
             "run per rate (times *Runs per strategy*), so Compare weighs them side by side as choices of their own, "
             f"named {name} (lr {default:g}) and {name} (lr {float(example_rates(default).split(', ')[0]):g}). "
             "Separate the values with commas; leave it empty for the one rate on the left.")
    try:
        return learning_rates(text, f"{name}: {ALSO_LR_LABEL}", further=True)
    except BertlabError as e:
        common.show_error(e)
        return None


def _number_format(spec: dict) -> tuple[float, str]:
    """Step and display format for a float option, from its magnitude (1e-5 needs "1.0e-05", 0.15 does not)."""
    ref = abs(spec.get("default") or spec.get("min") or 0.01) or 0.01
    step = 10 ** (math.floor(math.log10(ref)) - 1)
    return step, ("%.1e" if ref < 1e-3 else "%.3g")


def _options_set(name: str, overrides: dict) -> str:
    """'; set here: r 4': the options set away from their defaults, after a strategy's "trains" text, which names
    the defaults ("option 'r', default 8"): a reviewer's lora at rank 4 read "default 8" in the summary table."""
    specs = getattr(REGISTRY[name], "option_specs", None) or {}
    chosen = [variants.setting_text(variants.OPTION + k, v)
              for k, v in ((overrides.get(name) or {}).get("options") or {}).items()
              if isinstance(v, (int, float)) and k in specs and v != specs[k].get("default")]
    return f"; set here: {', '.join(chosen)}" if chosen else ""


def option_inputs(name: str, model: str) -> dict:
    """Widgets for a strategy's extra options (``option_specs``); empty fields keep the strategy's default. A
    number's field stops at what ``model`` allows (partial_ft's layers: its layer count, not the 48 of any model)."""
    specs = getattr(REGISTRY[name], "option_specs", None) or {}
    if not specs:
        return {}
    st.markdown("**Options**")
    out: dict = {}
    cols = st.columns(3)
    for i, (opt, spec) in enumerate(specs.items()):
        col, key, kind = cols[i % 3], f"keep_opt_{name}_{opt}", spec.get("kind")
        # one full stop between the spec's help (none of its own) and the default: "... over the text. Default: 1."
        helptext = spec.get("help", "").rstrip(".") + (f". Default: {spec['unset']}." if spec.get("default") is None
                                                       and spec.get("unset") else "." + default_text(spec.get("default")))
        label = f"{spec['label']} ({opt})" if spec.get("label") else opt  # the words, and the name the CLI takes
        if kind in ("int", "float"):  # starting at panel_defaults' value (hp_inputs set it)
            cast = int if kind == "int" else float
            kw = {} if kind == "int" else dict(zip(("step", "format"), _number_format(spec)))
            hi = cast(REGISTRY[name].option_max(opt, model) or spec["max"])
            if (was := st.session_state.get(key)) is not None and was > hi:  # set for a deeper model before
                st.session_state[key] = hi
                col.caption(f"{spec.get('label', opt)}: {was:g} is more than this model allows; set to {hi:g}.")
            v = col.number_input(label, cast(spec["min"]), hi, key=key, help=helptext,
                                 placeholder="default", **kw)
            if v is not None:
                out[opt] = cast(v)
        elif kind == "file":
            up = col.file_uploader(label, type=[s.lstrip(".") for s in spec.get("suffixes", [".txt"])],
                                   key=f"opt_{name}_{opt}", help=helptext)
            if up is not None:
                try:
                    out[opt] = str(save_upload(up.getvalue(), up.name))
                except BertlabError as e:
                    common.show_error(e)
    return out


def teaching_card(name: str, model: str, n_classes: int) -> None:
    """The layer diagram of what this strategy trains (from bertlab.teaching), when the model allows one; scratch's
    with the new vocabulary its panel's checkbox below asks for (drawn before it: the state of its last click)."""
    k = hp_key(name)
    vocab = st.session_state.get(k + "vocab_size") if st.session_state.get(k + "new_vocab") else None
    # a size the field refuses (no browser bounds: checked_number) draws the default's card meanwhile. (A statement,
    # not a bare expression: Streamlit's magic wrote a bare one's None above every panel's diagram.)
    try:
        if vocab is not None:
            make_config(name, vocab_size=vocab)
    except (BertlabError, TypeError, ValueError):
        vocab = make_config(name).vocab_size
    # The options set in its panel below (partial_ft's layers, lora's rank, scratch's masked-LM epochs), as last set
    specs = getattr(REGISTRY[name], "option_specs", None) or {}
    options = {opt: v for opt, spec in specs.items() if spec.get("kind") in ("int", "float")
               and (v := st.session_state.get(f"keep_opt_{name}_{opt}")) is not None}
    # In projector mode as large as the Strategy cards page draws it (at 480 px its labels stayed at 14 px while
    # the page's text grew a quarter)
    big = common.projector()
    try:
        c = card(name, model, options=options, n_classes=n_classes, new_vocab=vocab,
                 scale=common.DIAGRAM_BIG_SCALE if big else 1.0, dark=common.dark_theme())
    except BertlabError:
        return  # a model we cannot describe (e.g. unreachable hub id): the error above already says so
    common.diagram(c.svg, c.alt, width=common.DIAGRAM_BIG_WIDTH if big else 480)  # 480: 14 px text
    if c.total_note:  # the title's total, in parts: it differs by strategy, the encoder does not
        st.caption(c.total_note)
    # Its words explained on request, as the Strategy cards page does under its diagram (here folded: this
    # panel holds the strategy's settings too)
    with st.popover("Reading the diagram", icon=":material/help:"):
        st.markdown(common.reading_the_diagram(c))


rough_estimate = common.rough_estimate  # the strategy table's figure where no run finished here


def peak_memory(run_cfg: RunConfig | None, dev, n_train: int | None, cfg: DataConfig) -> MemoryEstimate:
    """The table's estimated memory of a strategy's run (:func:`bertlab.memory.estimate_config`), at its longest
    training text (a batch is padded to its longest, and short reviews fill no 128 tokens); unknown where its
    settings do not validate yet."""
    if run_cfg is None:
        return MemoryEstimate(None, "its settings do not validate yet")
    s = REGISTRY[run_cfg.strategy]
    longest = None
    if s.uses_tokens and s.reads_model_tokenizer(run_cfg.new_vocab):  # scratch's own vocabulary: at max length
        lengths = common.token_lengths(cfg, run_cfg.model)
        longest = lengths[-1] if lengths else None  # sorted
    return memory.estimate_config(run_cfg, dev, n_train, longest)


def strategy_table(names: list[str], cfg: DataConfig, sizes: dict[str, int], model: str,
                   overrides: dict[str, dict], past: list) -> dict[str, tuple[float | None, float | None]]:
    """What each chosen strategy trains and freezes, and how long it should take here; returns the estimated
    seconds of the first run of each and of each further seed's (None: unknown). zero_shot and head_only embed
    their texts through the shared cache: what it holds by the time a run starts (cached now, or by a strategy
    before it in this launch) costs no encoder pass, and a second seed finds all of the first's there. ``past``:
    the runs it estimates from (:func:`common.past_runs`: the newest in the store, and the chosen strategies' own)."""
    device = common.device_name()
    dev, dtype = common.device_info()
    speed = speedprobe.saved(model, dev, dtype)
    configs = [_strategy_config(n, cfg, model, overrides) for n in names]
    shares = cache_shares(configs, common.embedding_keys)
    rows, probe_would_help, seconds, memories = [], False, {}, {}
    for n, share, run_cfg in zip(names, shares, configs):
        s = REGISTRY[n]
        epochs = overrides.get(n, {}).get("epochs") or make_config(n).epochs
        max_length = int(overrides.get(n, {}).get("max_length") or make_config(n).max_length)
        tokens = ((lambda m=max_length: common.mean_tokens(cfg, model, m)) if s.uses_tokens
                  else (lambda: common.mean_words(cfg)))  # tfidf_logreg: by words, as its runs record them
        work = _probe_work(n, model, overrides, sizes)
        options = overrides.get(n, {}).get("options") or {}
        try:  # dapt's and scratch's masked-LM epochs, as set in the panel
            pre = s.pretrain_epochs(options)
        except BertlabError:
            pre = 0  # a value out of range: the launch says so
        pre_texts = s.pretrain_texts(options, sizes.get("train", 0))  # with an extra domain file's lines

        def estimate(cached: float | None, n=n, s=s, epochs=epochs, tokens=tokens, work=work, pre=pre,
                     pre_texts=pre_texts) -> Estimate:
            est = estimate_seconds(past, n, model, device, sizes, int(epochs), s.uses_epochs, tokens=tokens,
                                   cached=cached, pretrain_epochs=pre, pretrain_texts=pre_texts)
            if est.seconds is None and work is not None:
                est = (rough_estimate(past, model, device, speed, work, tokens() if tokens else None, cached)
                       or (Estimate(None, "no run of it on this device yet, and its speed not measured: click "
                                          "Measure this device's speed below") if speed is None else est))
            return est

        patience = overrides.get(n, {}).get("patience") or make_config(n).patience
        est = at_most(estimate(share), n, int(epochs), patience)  # "up to": Stop early after may end it sooner
        again = at_most(estimate(1.0), n, int(epochs), patience) if share is not None and share < 1.0 else est
        # (a rough figure from another strategy's encoder pass: measuring gives a closer one)
        probe_would_help = probe_would_help or (work is not None and speed is None and (
            est.seconds is None or est.basis.startswith(ENCODER_BASIS)))
        rows.append({"strategy": n, "trains": trains_words(n, model) + _options_set(n, overrides),
                     "frozen": trains_words(n, model, "frozen"),
                     "estimated time": est.text(),
                     "estimated memory": (mem := peak_memory(run_cfg, dev, sizes.get("train"), cfg)).text(),
                     "estimate from": est.basis})
        memories[n] = mem
        seconds[n] = (est.seconds, again.seconds)
    # A static table, which wraps: the "trains" texts were cut at 1280 px in a data grid. The estimate next to the
    # name: at 1024 px the long texts pushed it off the right edge.
    st.table([{k: r[k] for k in ("strategy", "estimated time", "estimated memory", "trains", "frozen", "estimate from")}
              for r in rows], hide_index=True)
    if too_big := memory.too_big_note(memories, memory.available_bytes(dev.type), dev.type):
        st.warning(too_big, icon=":material/memory:")
    # How the figures are made, one click away: five lines of it at 1366 px came between the table and Launch.
    with st.expander("How these estimates are made", icon=":material/schedule:"):
        st.caption("Estimated time: the whole run (loading, training, validation and test), as Compare's status lines "
                   "give it; its tables' *train s* is the training alone. Scaled from the median speed of past runs of the same strategy, model and device, "
                   "per token (texts cut at max length), so long articles take longer than short reviews. Before the "
                   "first run of a strategy here: rough, from this device's measured speed (once measured, below). "
                   "zero_shot and head_only share their texts' embeddings, cached per model, max length and precision: where "
                   "they are cached already (by an earlier run, or one before it in this launch), the run skips "
                   "their encoder pass and takes a small part of a first run's time.")
        st.caption("Estimated memory: the peak a run adds to the memory in use (RAM on a CPU, the GPU's own on a "
                   "GPU), as Compare's *peak memory* measures it after: the model's weights, and for the weights it "
                   "trains their gradients and AdamW's two states, plus what a batch keeps for the backward pass, "
                   "which grows with the batch size and max length (attention's part with the square of the "
                   "length). Worked out from the settings before launch, with constants fitted to runs measured on "
                   f"a CPU with MiniLM (each within {memory.MEASURED_RANGE[0]:g} to {memory.MEASURED_RANGE[1]:g} times its "
                   "estimate), at the longest training text (a batch is padded to its longest text, up to max "
                   "length). Runs train one at a time: each must fit alone."
                   # the column's 'unknown' (tfidf_logreg's) was said nowhere on the page
                   + ("".join(f" {n}'s *unknown*: {m.basis}." for n, m in memories.items() if m.bytes is None)))
    if dev.type == "cpu" and (note := busy_machine_note()):
        st.warning(note, icon=":material/speed:")
    if probe_would_help:
        running = len(common.store().list_runs(status=("running",)))  # CLI runs too: any would slow the timing
        busy = bool(running)
        clicked = st.button("Measure this device's speed (a few seconds) for rough estimates",
                            disabled=busy or common.read_only(),  # it keeps its timings in the data directory
                            help="Times a few training steps and forward passes of the model here, in the "
                                 "precision runs use, and keeps the result: strategies not yet run on this device "
                                 "then get a rough estimate. " + ("Waits until nothing trains (a run would slow "
                                 "both)." if busy else ""))
        if busy:  # said beside it: only in its tooltip, a click on the greyed button did nothing visible
            st.caption(f"Measuring waits until nothing trains: {running:,} run{'s' * (running != 1)} running "
                       "(a run would slow both). It comes back when they end.")
        if clicked:
            with st.spinner(f"Timing {model} on {device}..."):
                try:
                    speedprobe.measure(model, dev, dtype, tokens=int(common.mean_tokens(cfg, model, 128) or 64))
                except BertlabError as e:
                    common.show_error(e)
                    return seconds
            st.rerun()
    return seconds


BUSY_KEY = "_train_cpu_sample"  # (the last sample, the note it gave) between this desk's draws of the page


def busy_machine_note(min_window: float = 2.0, max_window: float = 120.0) -> str | None:
    """'Other programs kept about 1.4 of this machine's 2 cores busy …', where other processes than the app kept
    half a core or more busy between two draws of the page (``min_window`` to ``max_window`` seconds apart; the
    last note stands in between): runs make way for them (bertlab.cpushare) and take longer than estimated. A
    teacher's runs took 2-3x their estimates on a machine other programs kept busy, with nothing said."""
    now = cpushare.sample()
    prev, note = st.session_state.get(BUSY_KEY, (None, None))
    if now is None:
        return None
    if prev is not None and now[0] - prev[0] < min_window:
        return note
    others = cpushare.others_busy(prev, now) if prev is not None and now[0] - prev[0] <= max_window else None
    note = None
    if others is not None and others >= 0.5:
        n = cpushare.cores()
        note = (f"Other programs kept about {min(others, n):.1f} of this machine's {n} cores busy over the last "
                f"{now[0] - prev[0]:.0f} s. Runs here make way for them (a thread fewer for each busy core), so "
                "they can take longer than these estimates while that lasts.")
    st.session_state[BUSY_KEY] = (now, note)
    return note


def launch_seconds(names: list[str], estimates: dict[str, tuple[float | None, float | None]],
                   repeats: int, rates: dict[str, list[float]] | None = None) -> tuple[dict[str, float], list[str], int]:
    """What a launch of ``names`` at ``repeats`` seeds, and each strategy of ``rates`` at each of its learning rates,
    costs here: each strategy's estimated seconds over all its runs (those with an estimate: its first run's, then
    each further run's, a further seed's or rate's, from :func:`strategy_table`: the embeddings are cached by
    then), the strategies without one, and the number of runs (strategies x rates x seeds; zero_shot runs once)."""
    counts = {n: len(seeded_configs(make_config(n), repeats)) * max(1, len((rates or {}).get(n) or ()))
              for n in names}
    known = {}
    for n in names:
        first, again = estimates.get(n, (None, None))
        if first is not None:
            known[n] = first + (counts[n] - 1) * (again if again is not None else first)
    return known, [n for n in names if n not in known], sum(counts.values())


def rates_plan(rates: dict[str, list[float]], repeats: int) -> str:
    """What the learning rates to compare add to a launch, in a line above Launch ('' where none): 'head_only at
    2 learning rates, 0.01 and 0.003, × 3 seeds: 6 runs.', and how Compare will name them."""
    if not rates:
        return ""
    parts = []
    for n, rs in rates.items():
        seeds = len(seeded_configs(make_config(n), repeats))
        listed = ", ".join(f"{r:g}" for r in rs[:-1]) + f" and {rs[-1]:g}"
        parts.append(f"**{n}** at {len(rs)} learning rates, {listed}" + (f", × {seeds} seeds" if seeds > 1 else "")
                     + f": {len(rs) * seeds} runs")
    n, rs = next(iter(rates.items()))
    return (":material/tune: " + "; ".join(parts) + f". Compare weighs each rate as a choice of its own (`{n} (lr "
            f"{rs[0]:g})` against `{n} (lr {rs[1]:g})`), not as seeds of one.")


def total_estimate(known: dict[str, float], unknown: list[str], n_runs: int, sooner: list[str] | tuple = ()) -> str:
    """'About 8 min for the 4 runs, one after another' (what a class waits for), '' where nothing is known; from
    :func:`launch_seconds`. ``sooner``: the strategies of ``known`` whose Stop early after may end them before their
    last epoch (bertlab.estimate.may_stop_early): the time is then the most it should take ('up to ~8 min')."""
    if not known:
        return ""
    sooner = [n for n in sooner if n in known]
    text = (f"Estimated time for the {n_runs} run{'s' if n_runs != 1 else ''}, one after another: "
            f"{Estimate(sum(known.values()), '', at_most=bool(sooner)).text()}")
    if sooner:
        text += f" ({', '.join(sooner)} may stop early and take less)"
    return text + (f", plus {', '.join(unknown)} (no estimate yet)." if unknown else ".")


def bare_descriptions(zero_shot: dict | None, labels: list[str]) -> str:
    """A word where zero_shot's label descriptions are the label names as they are (an upload's default): its
    texts are then compared with a single word ('fresh'), and it scored below the majority class on a persona's
    file. '' where zero_shot is not chosen or a description is a sentence."""
    descs = (zero_shot or {}).get("label_descriptions")
    if not descs or any(d.strip().casefold() != str(n).strip().casefold() for d, n in zip(descs, labels)):
        return ""
    shown = ", ".join(repr(str(n)) for n in labels[:4]) + (", ..." if len(labels) > 4 else "")
    return (f":material/edit_note: zero_shot compares each text with the bare label names ({common.md(shown)}). A "
            "sentence per class, written the way a text of that class reads (*A review that loves the film*), "
            "usually does far better: open **zero_shot** above to write them.")


def queue_ahead(past: list) -> str:
    """'3 runs are queued or training ahead of a new launch (from any tab or user): it starts after them.' ('' for
    an idle worker): on a shared server, what a class waits for is the queue too, not only its own runs. This
    session's own last launch is named as such: right after a launch, 'N runs ahead of a new launch' read as
    strangers' runs, though they were the ones just launched. Launches take turns, a run each (bertlab.jobs
    fair_order): where a new launch's first run would not wait for them all, the line says after how many it
    starts, and the time told is theirs. ``past``: the runs :func:`strategy_table` estimates from, for the time
    the queue takes."""
    snap = common.manager().snapshot()
    running = [snap.running] if snap.running else []
    ids = [*running, *snap.queued]
    n = len(ids)
    if not n:
        return ""
    before = [*running, *snap.ahead_of_new()]  # what a launch made now waits for before its first run starts
    # this desk's (any of its launches, any tab: a launch before the last one is the user's too), by one query
    own = set(common.own_batches())
    queued = set(ids)
    active = common.store().list_runs(status=ACTIVE, limit=None)
    mine_runs = [r for r in active if r.id in queued and r.batch_id in own]
    mine, launches = len(mine_runs), len({r.batch_id for r in mine_runs})
    runs = f"{n} run{'s are' if n != 1 else ' is'}"
    them = "them" if n != 1 else "it"
    yours = "Your launch's" if launches == 1 else "Your launches'"
    by_id = {r.id: r for r in active}
    wait = ahead_text([by_id.get(i) for i in before], past)
    of = (f" ({mine} of them from your launch{'es' if launches > 1 else ''}, {n - mine} from other tabs or users)"
          if mine else " (from any tab or user)")
    if len(before) < n:  # it takes its turns among them: its first run waits for fewer than all
        first = ("starts next" if not before else "starts after the one training" if before == running
                 else f"starts after {len(before)} of them")
        turns = f"Launches take turns, a run each: a new launch's runs alternate with {them}, and its first run {first}."
        if mine == n:
            return f":material/hourglass_empty: {yours} {runs} still queued or training. {turns}{wait}"
        return f":material/hourglass_empty: {runs} queued or training{of}. {turns}{wait}"
    if mine == n:
        return (f":material/hourglass_empty: {yours} {runs} still queued or training: a new launch starts after "
                f"{them}, so its time above comes on top.{wait}")
    return (f":material/hourglass_empty: {runs} queued or training ahead of a new launch{of}, one after another: "
            f"its runs start after {them}, so the time above comes on top.{wait}")


QUEUE_REFRESH_S = 5.0  # how often the line on the runs ahead of a new launch is redrawn while there are some


def queue_line(past: list) -> None:
    """The line on the runs ahead of a new launch (:func:`queue_ahead`), nothing where there are none: drawn in a
    fragment the page reruns every :data:`QUEUE_REFRESH_S` while runs are queued or train, so its time counts down
    as the sidebar's does."""
    if ahead := queue_ahead(past):
        st.caption(ahead)


def ahead_text(runs: list, past: list) -> str:
    """' They should take ~4 min (estimated as above).' for the runs ``runs`` ahead of a new launch, the one
    training first (None for one no longer in the store's active runs), estimated from ``past`` ('' where none
    has an estimate): a student's one-second zero_shot waited 4-5 minutes behind other students' full_ft runs,
    told only how many runs were ahead (launches now take turns, a run each; this says what the wait costs). A run training past its estimate is said so, never counted as a second (a review read
    "~1 s" for a 10-minute full_ft past its estimate)."""
    n = len(runs)
    seconds, unknown, overdue = ahead_seconds(runs, past)
    if unknown + overdue == n:  # no run ahead has time left to add up
        if not overdue:
            return ""
        more = f" and {unknown} more with no estimate yet" if unknown else ""
        return f" The one training has run past its estimate{more}: when {'they end' if more else 'it ends'} is not known."
    rest = [*(["the one training, past its estimate"] if overdue else []),
            *([f"{unknown} with no estimate yet"] if unknown else [])]
    return (f" {'They' if n != 1 else 'It'} should take {Estimate(seconds, '', at_most=common.ahead_at_most(runs)).text()}"
            f"{', plus ' + ' and '.join(rest) if rest else ''} (estimated as above).")


ahead_seconds = common.ahead_seconds  # shared with Compare's place in the queue


PAST_RUNS = common.PAST_RUNS  # the newest runs in the store the time estimates learn from
LONG_LAUNCH_SECONDS = 30 * 60  # a launch estimated to keep the device busy longer asks for a second click
UNKNOWN_LARGE_TRAIN = 5_000  # with no estimate, an encoder strategy on more training texts than this asks too


def long_launch(known: dict[str, float], blind: list[str], n_train: int) -> str | None:
    """The warning for a launch that would keep this device busy for long (estimated over
    :data:`LONG_LAUNCH_SECONDS`, or ``blind``: strategies with no estimate that train the encoder, on many texts);
    None for a short one."""
    total = sum(known.values())
    if total > LONG_LAUNCH_SECONDS:
        dearest = sorted(known.items(), key=lambda kv: -kv[1])[:2]
        return (f"This launch should keep this device busy for **~{format_duration(total, rough=True)}**, one run "
                f"after another (" + ", ".join(f"{n} ~{format_duration(v, rough=True)}" for n, v in dearest) + ").")
    if blind and n_train > UNKNOWN_LARGE_TRAIN:
        return (f"{', '.join(blind)} {'has' if len(blind) == 1 else 'have'} no time estimate here yet and would "
                f"train on {n_train:,} examples: on a CPU that can take hours.")
    return None


def _probe_work(name: str, model: str, overrides: dict[str, dict],
                sizes: dict[str, int]) -> tuple[float, float] | None:
    """The strategy's work for a rough estimate at the chosen settings (None where its settings do not validate
    yet: the launch then says what is wrong)."""
    try:
        return REGISTRY[name].probe_work(make_config(name, **{**overrides.get(name, {}), "model": model}), sizes)
    except BertlabError:
        return None


def run_config(name: str, cfg: DataConfig, model: str, overrides: dict[str, dict]) -> RunConfig:
    """The validated RunConfig of one run of strategy ``name`` (raises BertlabError naming the field)."""
    ov = dict(overrides.get(name, {}))
    if "learning_rate" in ov:
        ov["learning_rate"] = float(ov["learning_rate"])
    rc = make_config(name, data=cfg, model=model, **ov)
    if rc.label_descriptions is not None and rc.label_descriptions == data_descriptions(common.splits(cfg)):
        # zero_shot's fields start at the data's own sentences: stored, the same run had another config than the
        # CLI's and bertlab.compare's (None, the same sentences), another sweep config_key
        rc = rc.replace(label_descriptions=None)
    check_max_length(model, rc.max_length)  # refused here, before anything is queued
    if why := REGISTRY[name].refusal(model):  # partial_ft on ALBERT: it could only fail
        raise ModelError(why)
    return rc


def _strategy_config(name: str, cfg: DataConfig, model: str, overrides: dict[str, dict]) -> RunConfig | None:
    """:func:`run_config`, or None where the settings do not validate yet (Launch then says what is wrong)."""
    try:
        return run_config(name, cfg, model, overrides)
    except ValueError:  # BertlabError is one
        return None


def build_configs(names: list[str], cfg: DataConfig, model: str, overrides: dict[str, dict],
                  n_train: int, repeats: int = 1, rates: dict[str, list[float]] | None = None) -> list[RunConfig]:
    """One validated RunConfig per strategy, learning rate and seed (raises BertlabError naming the field):
    ``repeats`` runs of each strategy a seed changes, at its seed, seed + 1, ..., at each of its ``rates`` (its
    own learning rate first, then the further ones to compare) where given."""
    configs, lowered = [], []
    for n in names:
        if overrides.get(n, {}).get("batch_size", 0) > n_train and REGISTRY[n].uses_epochs:
            # The runner lowers it (and notes it in the run); say so before launch. (zero_shot and tfidf_logreg
            # take no batches of training texts: "lowered for zero_shot" told of nothing it does.)
            lowered.append(n)
        configs += launch_configs(run_config(n, cfg, model, overrides), repeats, (rates or {}).get(n, ())[1:])
    # Said with the launch's confirmation (the page reruns after a launch, which would wipe a notice shown here).
    st.session_state["lowered_note"] = (f"Batch size lowered to {n_train} (the number of training examples) for "
                                        f"{', '.join(lowered)}." if lowered else None)
    return configs


def launch(configs: list[RunConfig]) -> None:
    ids = common.manager().submit(configs)
    runs = [r for r in (common.store().get(i) for i in ids) if r is not None]
    run = runs[0] if runs else None
    common.remember_batch(run.batch_id if run else "")
    # named as Compare will name them: head_only (lr 0.001) and head_only (lr 0.03), not "head_only ×2"
    shown = variants.labels(runs)
    st.session_state["last_launch"] = {"batch": run.batch_id if run else "", "strategies": [c.strategy for c in configs],
                                       "names": [shown.get(r.id, r.strategy) for r in runs],
                                       "ids": ids, "configs": [c.to_dict() for c in configs],
                                       "note": st.session_state.get("lowered_note")}


def repeats_live_launch(configs: list[RunConfig]) -> tuple[str, list[int]] | None:
    """Where some of these runs are already in a launch of this desk (any tab, any session) that still trains,
    waiting, training or finished there (with the very same config), one of those at least still to finish: (that
    launch's batch id, the indices of the configs it already holds). A second click on Launch, or one in another
    tab, would queue them again; clicked once its first runs had finished, it was not asked; with one new strategy
    beside them, it was not asked either (a still-training full_ft queued twice). Else None. Another user's
    identical launch on a shared server is theirs: it does not count."""
    own = set(common.own_batches())
    store = common.store()
    live = dict.fromkeys(r.batch_id for r in store.list_runs(status=ACTIVE, limit=None) if r.batch_id in own)
    held = [r for b in live for r in store.list_runs(batch_id=b, limit=None) if r.status in (*ACTIVE, SUCCEEDED)]
    waiting = [json.dumps(r.config, sort_keys=True) for r in held]
    matched: dict[int, object] = {}
    for k, c in enumerate(configs):
        key = json.dumps(json.loads(json.dumps(c.to_dict())), sort_keys=True)
        if key in waiting:
            i = waiting.index(key)
            waiting[i] = None  # each run answers for one config
            matched[k] = held[i]
    active = [r for r in matched.values() if r.status in ACTIVE]
    if not active:
        return None  # none, or all of them trained already in a launch busy with other runs: not this launch again
    return active[-1].batch_id, list(matched)


def _launch_key(configs: list[RunConfig]) -> str:
    """What a launch queues, as one string: the question about repeated runs is about this very launch."""
    return json.dumps([c.to_dict() for c in configs], sort_keys=True, default=str)


def current_configs(names, cfg, model, overrides, n_train, repeats, rates=None) -> list[RunConfig] | None:
    """The configs Launch would queue now, or None where they are not valid (Launch then says why)."""
    try:
        return build_configs(names, cfg, model, overrides, n_train, repeats, rates)
    except BertlabError:
        return None


st.title("Train")
cfg = common.data_config()
if problem := common.data_problem():
    st.warning(f"The data last picked on the Data page is not used: {common.md(problem)} These runs would use "
               f"**{common.md(cfg.label)}**, the last data that loaded.", icon=":material/warning:")
summary = data_summary(cfg)
if summary is not None:
    sizes, labels, descs = summary
    st.markdown(f"**Data:** `{cfg.label}` · {len(labels)} classes · train {sizes['train']:,} · validation "
                f"{sizes['validation']:,} · test {sizes['test']:,}")
    # one half of a text pair read alone (GLUE's MRPC, MNLI...): said again where the runs are launched
    if pair := next((n for n in common.splits(cfg).notes if n.startswith(PAIR_NOTE_START)), None):
        st.warning(f"The runs {common.md(pair)}.", icon=":material/join_inner:")
    st.page_link("app_pages/data.py", label="Change the data", icon=":material/dataset:")

    # A new session (a reload, a second tab) starts from the model last typed at this desk, as the strategies below:
    # it read "minilm" again after a reload, and Launch then trained MiniLM with nothing saying so.
    if "keep_model" not in st.session_state:
        st.session_state["keep_model"] = common.last_model() or DEFAULT_MODEL
    model = st.text_input("Model", key="keep_model",
                          on_change=lambda: common.save_model(st.session_state["keep_model"]),
                          help=f"'{DEFAULT_MODEL}' is the packaged all-MiniLM-L6-v2 (works offline). "
                               "Or a Hugging Face id (needs internet) or a local save_pretrained() directory. The "
                               "tutorials' bert-base-uncased works too: 110M weights in 12 layers, about 8 times "
                               "MiniLM's compute per token.").strip()
    model_ok = check_model(model)

    # A new session (a reload, a second tab) starts from the strategies last chosen in this data directory.
    if "keep_strategies" not in st.session_state:  # read once a session, not at every rerun
        st.session_state["keep_strategies"] = (common.last_strategies()
                                               or [n for n in DEFAULT_STRATEGIES if n in REGISTRY])  # as `run`'s
    names = st.multiselect("Strategies (they run one after another, in this order)", list(REGISTRY),
                           key="keep_strategies", format_func=lambda n: f"{n}: {REGISTRY[n].title}",
                           on_change=lambda: common.save_strategies(st.session_state["keep_strategies"]))
    st.caption("Coming from a tutorial? The *Strategy cards* page gives its words in these names (feature "
               "extraction is head_only, continued pretraining is dapt...) and where its recipe differs from "
               "these defaults.")

    max_len_limit = known_max_positions(model) if model_ok else None
    # a folder without tokenizer files: Launch waits while a strategy chosen reads the tokenizer
    tokenizer_problem = missing_tokenizer(model, names) if model_ok else None
    if tokenizer_problem:
        st.error(tokenizer_problem, icon=":material/error:")
    if model_ok and (lengths := common.token_lengths(cfg, model)):
        # Long texts (BBC articles) are cut at max length and make every step dearer: say so before launch.
        limit = min((int(st.session_state.get(hp_key(n, "max_length")) or make_config(n).max_length)
                     for n in names if REGISTRY[n].uses_tokens), default=None)
        if limit is not None and (cut := sum(n > limit for n in lengths) / len(lengths)) >= CUT_SHARE:
            from bertlab.data.dataset import clip_worth_naming
            from bertlab.runner import longer_texts_advice  # the runs' own note says the same

            # head+tail is advised unless every strategy here that reads tokens already keeps the start and end
            ends = all(st.session_state.get(hp_key(n, "truncation")) == "head_tail"
                       for n in names if REGISTRY[n].uses_tokens)
            advice = longer_texts_advice(limit, max_len_limit, lengths, "head_tail" if ends else "head")
            # counted in the texts as loaded: where the longer ones were clipped, of their first characters only
            # (consultation responses of a median 5,346 tokens read 'median 1,646 tokens'); named where a tenth or
            # more were, as Compare's answer names it (bbc_news's 7 clipped articles leave its median as it is)
            sp = common.splits(cfg)
            clip = clip_worth_naming(sp.notes, sum(sp.sizes().values()))
            within = (f" in their first {clip[1]:,} characters (the longer texts were clipped to them on loading; "
                      "no strategy reads past them)" if clip else "")
            st.caption(f":material/content_cut: These texts are long: median {lengths[len(lengths) // 2]:,} tokens"
                       f"{within}, "
                       f"{cut:.0%} longer than max length {limit} and cut to it"
                       + (" (their start and end kept)" if ends else "") + f"; {advice}. The estimates below "
                       "count the tokens.")
        # A tokenizer that reads no word of these texts (special tokens only) trains every run on nothing: refused
        # here, as an unusable model is; a language or script the model does not know: said before launch, not
        # only in the runs' notes after.
        # scratch with a new vocabulary reads its own tokenizer, not the model's: nothing here concerns it
        new_vocab = bool(st.session_state.get(NEW_VOCAB_KEY))
        if any(REGISTRY[n].reads_model_tokenizer(new_vocab) for n in names) and not tokenizer_problem:
            # the model's tokenizer reads none of these texts: Launch waits
            if tokenizer_problem := common.tokenizer_problem(cfg, model):
                st.error(common.md(tokenizer_problem), icon=":material/error:")
            elif vocab := common.vocabulary_note(cfg, model):
                st.warning(common.md(vocab), icon=":material/translate:")
                # every text one input ('[UNK]'): a strategy that trains on them can learn nothing, whatever its epochs
                if any(REGISTRY[n].reads_model_tokenizer(new_vocab) and REGISTRY[n].reads_training_texts
                       for n in names) and (
                        same := common.same_inputs_note(cfg, model)):
                    st.warning(common.md(same), icon=":material/block:")
    overrides: dict[str, dict] = {}
    rates: dict[str, list[float]] = {}  # strategy -> every learning rate it runs at, where more than one
    bad_rates: list[str] = []  # strategies whose further learning rates have a mistake (said under the field)
    bad_fields: dict[str, list[str]] = {}  # strategy -> its fields showing a value out of range (said under them)
    refused: dict[str, str] = {}  # strategies that cannot run on this model at all (partial_ft on ALBERT): why
    data_tag = common.descriptions_tag(cfg, labels)
    for n in names:
        s = REGISTRY[n]
        swatch = common.swatch(n)
        with st.expander(f"**{n}**: {trains_words(n, model, 'summary')}", expanded=False):
            st.markdown(f"{swatch} **{s.title}**: trains {html.escape(trains_words(n, model))}; "
                        f"frozen: {html.escape(trains_words(n, model, 'frozen'))}.", unsafe_allow_html=True)
            if s.when:
                st.caption(f"When to use it: {s.when}")
            if COST_NOTES.get(n):
                st.caption(f"Cost: {COST_NOTES[n]}")
            if model_ok and (why := s.refusal(model)):  # before launch, not as a run that fails as it starts
                refused[n] = why
                st.error(common.md(why), icon=":material/block:")
            # The diagram on its own row: in a column beside the text it shrank to ~10 px text at 1280 px.
            teaching_card(n, model, len(labels))
            # The inputs take the expander's full width: beside the diagram, at 1024 px their labels wrapped.
            overrides[n] = hp_inputs(n, data_tag, labels, descs, max_len_limit,
                                     sentence_max_length(model) if model_ok else None)
            if wrong := overrides[n].pop(BAD_FIELDS):
                bad_fields[n] = wrong
            also = overrides[n].pop(ALSO_LR, [])
            if also is None:
                bad_rates.append(n)
            # (the main rate out of range: said under its field, Launch waits; no list of rates to make meanwhile)
            elif also and "learning_rate" in overrides[n] and len(
                    every := list(dict.fromkeys([float(overrides[n]["learning_rate"]), *also]))) > 1:
                rates[n] = every
            options = option_inputs(n, model)
            if options:
                overrides[n]["options"] = options
            st.button("Reset to defaults", key=f"reset_{n}", icon=":material/restart_alt:", on_click=reset_strategy,
                      args=(n,), help=f"Every number and switch of {n} above back to {n}'s default (its help says each); "
                           "label descriptions and files stay as they are.")

    if bare := bare_descriptions(overrides.get("zero_shot"), labels):
        st.caption(bare)
    # descriptions the model reads as [UNK], or two alike ('体育', '科技' on an English model): said before launch
    if model_ok and (written := (overrides.get("zero_shot") or {}).get("label_descriptions")) and (
            unreadable := common.descriptions_note(model, tuple(written), tuple(map(str, labels)))):
        st.warning(common.md(unreadable), icon=":material/translate:")
    # Balanced class weights: every strategy that trains on the labels (zero_shot does not) weighs each class's
    # loss by n / (classes x its count), so a rare class counts as much as a common one.
    st.session_state.setdefault("keep_class_weights", False)
    if st.checkbox("Balance the classes in the training loss", key="keep_class_weights",
                   help="Each class's loss weighted by n / (classes x its count), as scikit-learn's "
                        "class_weight='balanced': a rare class then counts as much as a common one, which usually "
                        "raises its recall and macro-F1 at some cost in accuracy. zero_shot trains nothing and "
                        "is unchanged. Launch once with and once without to see what it does on your data."):
        for n in names:
            if REGISTRY[n].reads_training_texts:
                overrides.setdefault(n, {})["class_weights"] = "balanced"
    past = common.past_runs(names, model)  # read once: the table's and the queue's estimates
    estimates = strategy_table(names, cfg, sizes, model, overrides, past) if names else {}
    st.session_state.setdefault("keep_repeats", 1)
    repeats = int(st.number_input(
        "Runs per strategy (seeds)", 1, 10, key="keep_repeats",
        help="Train each strategy at its seed, seed + 1, ...: the spread over seeds is the luck of training, and "
             "Compare's answer then compares the strategies' means with a paired t-test over the seeds. "
             "zero_shot and tfidf_logreg run once (no seed changes them). Time grows with the number of runs. "
             f"To compare learning rates instead, open a strategy above: *{ALSO_LR_LABEL}*."))
    if plan := rates_plan(rates, repeats):
        st.caption(plan)
    known, unknown, n_runs = launch_seconds(names, estimates, repeats, rates)
    too_many = launch_size_problem(n_runs)  # one launch must not hold the shared worker for days
    # without an estimate, only strategies whose declared work trains the encoder (zero_shot, head_only: one pass)
    blind = [n for n in unknown if (w := _probe_work(n, model, overrides, sizes)) is not None and w[0] > 0]
    long = long_launch(known, blind, sizes["train"]) if names else None
    # A long launch waits for a second click, with what it costs in front of the user, while the choice is the same.
    ask_long = st.session_state.get("confirm_long")
    signature = repr((names, repeats, sizes, model, rates))
    if ask_long and (ask_long != signature or not long):
        st.session_state["confirm_long"] = ask_long = None
    # dapt's or scratch's extra text file that its runs would fail on (binary, empty, gone): Launch waits, as for a
    # strategy the model refuses; it was described below and the runs were queued anyway, each failing as it started
    bad_files = {n: why for n in names
                 if (why := domain_file_problem(n, (overrides.get(n) or {}).get("options") or {}))}
    # While the question is asked, the answer is one of its buttons: a second click on Launch queued the runs.
    # A key of its own: unkeyed, the button was named by its label, so a click that reached the server with a change
    # of the count ("Launch 2 runs" clicked as a strategy's removal redrew it "Launch 1 run", a reload's worth of
    # seconds on a classroom's loaded server) was a click on a button gone, and was dropped without a word.
    go = st.button(f"Launch {n_runs} run{'s' if n_runs != 1 else ''}", type="primary", key="launch",
                   disabled=not names or not model_ok or bool(tokenizer_problem) or bool(ask_long) or bool(bad_rates)
                   or bool(refused) or bool(bad_fields) or bool(too_many) or bool(bad_files) or common.read_only(),
                   help="Answer the question below first." if ask_long else None)
    if common.read_only():
        st.caption(f":material/block: Launch is {common.READ_ONLY_OFF}.")
    if bad_rates:  # the error is under the field, in a panel that may be closed now
        st.caption(f":material/error: Launch waits until {', '.join(bad_rates)}'s *{ALSO_LR_LABEL}* "
                   "is fixed (in its panel above) or emptied.")
    for n, wrong in bad_fields.items():  # as for the rates: its panel above may be closed now
        fields = " and ".join(f"*{f}*" for f in wrong)
        st.caption(f":material/error: Launch waits until {n}'s {fields} {'is' if len(wrong) == 1 else 'are'} fixed (in "
                   "its panel above): the error under each field says what it takes.")
    if too_many:
        st.caption(f":material/block: Launch waits: {common.md(too_many[0].upper() + too_many[1:])}")
    for n, why in refused.items():  # said here too: its panel above may be closed
        st.caption(f":material/block: Launch waits until **{n}** is taken out of the strategies: {common.md(why)}")
    for n, why in bad_files.items():  # its file is in its panel above, which may be closed
        st.caption(f":material/block: Launch waits until **{n}**'s extra text file (in its panel above) is replaced "
                   f"or removed: {common.md(why)}")
    # as a sweep's estimate says it, from each strategy's config (epochs and patience as set in its panel)
    sooner = stop_early_strategies([c for n in names if (c := _strategy_config(n, cfg, model, overrides))])
    if total := total_estimate(known, unknown, n_runs, sooner):
        (st.warning if long else st.caption)(total)
    # Redrawn while runs are queued or train: drawn once, "It should take ~52 s" of a full_ft training stayed on the
    # page while the sidebar beside it counted that run down to "~9 s left".
    snap = common.manager().snapshot()
    st.fragment(run_every=QUEUE_REFRESH_S if snap.running or snap.queued else None)(queue_line)(past)
    if names and (few := few_steps_planned(current_configs(names, cfg, model, overrides, sizes["train"], 1) or [],
                                           sizes["train"])):
        st.warning("Too short to judge: " + " ".join(f"**{n}**: {common.md(note)}" for n, note in few.items()),
                   icon=":material/speed:")
    # What dapt's or scratch's extra text file gives its run (how many texts, read how, the cap, the held-out texts
    # left out): before launch, not only in the run's notes after it trained. Read once per file, not per rerun.
    for n in names:
        if n not in bad_files and (  # a refused file is said above, beside Launch
                said := domain_file_notes(n, (overrides.get(n) or {}).get("options") or {}, common.splits(cfg))):
            st.caption(f":material/description: **{n}**'s extra text file: "
                       + " · ".join(common.md(x.removeprefix(f"{n}: ")) for x in said))
    long_yes = False
    if ask_long:
        st.warning(f"{long} A smaller sample answers the same question sooner: the Data page's *Standard* size "
                   "(2,000 training examples) or a *Custom* cap gives a first comparison in minutes; then run the "
                   "strategies worth it on all the data.", icon=":material/schedule:")
        c1, c2, c3 = st.columns(3)
        long_yes = c1.button("Queue them anyway", key="long_yes")
        c2.page_link("app_pages/data.py", label="Change the sizes", icon=":material/dataset:")
        if c3.button("Not now", key="long_no"):
            st.session_state["confirm_long"] = None
            st.rerun()
    if go and long and not ask_long:
        st.session_state["confirm_long"] = signature
        st.rerun()
    if long_yes:
        st.session_state["confirm_long"] = None
        go = True
    # The question "queue them a second time?" holds only while it is still true: the same runs as the last
    # launch, some of which still wait or train. Another selection, or a launch that finished, drops it.
    again = bool(st.session_state.get("confirm_relaunch"))
    # The runs the question last shown named: what its buttons answer. Recomputed on click, a run that finished
    # meanwhile repeated nothing any more, and "Queue only the new ones" queued it again, or lost the click.
    asked = st.session_state.get("confirm_relaunch_held") or []
    if again:
        now = current_configs(names, cfg, model, overrides, sizes["train"], repeats, rates)
        # another selection is another question (asked at its own click), not this one
        same = now is not None and st.session_state.get("confirm_relaunch_for") == _launch_key(now)
        repeat = repeats_live_launch(now) if same else None
        if same and repeat is None and any(st.session_state.get(k) for k in ("relaunch_new", "relaunch_yes")):
            repeat = st.session_state["confirm_relaunch"], asked  # answered as its launch finished: as shown
        again = repeat is not None
        if not again:
            st.session_state["confirm_relaunch"] = None
    yes = only_new = False
    if again:
        batch, held = repeat
        st.session_state["confirm_relaunch_held"] = held
        if len(held) == len(now):
            st.warning(f"{f'These {n_runs} runs are' if n_runs != 1 else 'This run is'} the same as a launch still "
                       f"training (batch `{batch}`): queue {'them' if n_runs != 1 else 'it'} a second time?",
                       icon=":material/content_copy:")
            c1, c2 = st.columns(2)
            yes = c1.button("Queue them again", key="relaunch_yes")
            if c2.button("No, keep one copy", key="relaunch_no"):
                st.session_state["kept_copy"] = batch
                st.session_state["confirm_relaunch"] = None
                st.rerun()
        else:  # some of them: a launch that adds a strategy beside ones still training
            named = ", ".join(dict.fromkeys(now[i].strategy for i in held))
            fresh = len(now) - len(held)
            st.warning(f"{len(held)} of these {len(now)} runs ({named}) {'are' if len(held) != 1 else 'is'} the same "
                       f"as in a launch still training (batch `{batch}`): queue "
                       f"{'them' if len(held) != 1 else 'it'} a second time?", icon=":material/content_copy:")
            c1, c2 = st.columns(2)
            only_new = c1.button(f"Queue only the {fresh} new one{'s' * (fresh != 1)}", key="relaunch_new",
                                 type="primary")
            yes = c2.button(f"Queue all {len(now)}", key="relaunch_yes")
    if (go or yes or only_new) and not too_many:
        try:
            configs = build_configs(names, cfg, model, overrides, sizes["train"], repeats, rates)
            repeat = repeats_live_launch(configs)
            if not (yes or only_new) and repeat:
                st.session_state["confirm_relaunch"] = repeat[0]
                st.session_state["confirm_relaunch_for"] = _launch_key(configs)
                st.session_state["confirm_relaunch_held"] = repeat[1]
            else:
                kept_in = st.session_state.get("confirm_relaunch") or (repeat[0] if repeat else None)
                st.session_state["confirm_relaunch"] = None
                if only_new:  # those the question named stay one copy, finished since or not
                    configs = [c for i, c in enumerate(configs) if i not in set(asked)]
                if configs:
                    launch(configs)
                else:  # the new ones were queued meanwhile (another tab): nothing left to queue
                    st.session_state["kept_copy"] = kept_in
            st.rerun()  # the sidebar's queue was drawn before this click: draw it again, with the new runs
        except BertlabError as e:
            common.show_error(e)
    if kept := st.session_state.pop("kept_copy", None):  # where the one copy is, said once after "No"
        st.session_state["cmp_choice"] = kept  # the link opens Compare on that batch
        st.info(f"Nothing queued: the same runs are already in batch `{kept}`, trained there or still to train.",
                icon=":material/content_copy:")
        st.page_link("app_pages/compare.py", label="See that batch on Compare →", icon=":material/monitoring:")
    last = st.session_state.get("last_launch")
    # after "No" this click queued nothing: "Queued ..." of the launch before would read as if it had
    if last and not kept and not st.session_state.get("confirm_relaunch"):
        if last.get("note"):
            st.info(last["note"])
        shown = last.get("names") or last["strategies"]  # by what differs where one strategy ran two ways
        counts = {n: shown.count(n) for n in dict.fromkeys(shown)}
        what = ", ".join(n + (f" ×{c}" if c > 1 else "") for n, c in counts.items())
        st.success(f"Queued {counted(len(last['strategies']), 'run')}: {what} "
                   f"(batch `{last['batch']}`). They train one after another in the background; you can "
                   "switch pages or close the tab meanwhile.", icon=":material/check_circle:")
        st.page_link("app_pages/compare.py", label="Watch them train on Compare →", icon=":material/monitoring:")
    elif not names:
        st.info("Pick at least one strategy.")
