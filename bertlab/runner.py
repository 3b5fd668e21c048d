"""Execute one stored run: load data, pick the device, run the strategy, record everything.

Used by the job manager's worker thread and by the CLI. Any exception becomes
a FAILED run with its message (and traceback); a cancel becomes CANCELLED with
its partial curves kept. Artifacts are written to a staging directory and
renamed into place only when the run succeeds.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import shutil
import threading
import time
import traceback as tb
from collections import Counter

import torch

from bertlab import models, paired
from bertlab.config import MAX_TEXT_CHARS
from bertlab.costs import ATTENTION_MARK, PeakMemory, serving_bytes
from bertlab.data.dataset import clipped_texts
from bertlab.data.shared import file_digest, shared_splits
from bertlab.engine import Callbacks, kept_loss_name
from bertlab.errors import BertlabError, RunCancelled, store_message, unwritable_reason
from bertlab.estimate import mean_words, truncated_mean
from bertlab.heap import release_free_heap
from bertlab.metrics import single_class_prediction
from bertlab.store import CANCELLED, CANCELLED_BY, FAILED, SUCCEEDED, RunStore
from bertlab.strategies import RunContext, get_strategy, one_class_advice
from bertlab.strategies.base import ARTIFACT_META, loss_weights

log = logging.getLogger(__name__)


class StoreCallbacks(Callbacks):
    """Write progress and curves to the store (buffered), and poll for cancellation."""

    FLUSH_S = 0.5

    def __init__(self, store: RunStore, run_id: str, cancel: threading.Event | None = None,
                 on_progress=None) -> None:
        self.store, self.run_id = store, run_id
        self.cancel = cancel or threading.Event()
        self.on_progress = on_progress
        self._buf: list[tuple[str, int, float, float]] = []
        self._last_flush = 0.0
        self._last_db_check = 0.0
        self._total = 1
        self.phase = ""
        self.progress = 0.0
        self.progress_at = 0.0  # when ``progress`` was reached (a flush may write it later, with a curve point)
        self._started = 0.0  # when the phase began
        self._first: tuple[float, float] | None = None  # (progress, when) of the phase's first step

    def on_start(self, total_steps: int, phase: str = "train") -> None:
        self._total, self.phase, self.progress = max(1, total_steps), phase, 0.0
        self.progress_at = self._started = time.time()
        self._first = None
        # One write: a reader never sees the new phase's start beside the old phase's progress. The time left
        # is the phase's pace so far, counted down from when its progress was reached.
        self.store.update(self.run_id, phase_started=self.progress_at, pace_started=self.progress_at, progress=0.0,
                          progress_at=self.progress_at, phase=phase)
        self._flush(force=True)

    def on_step(self, step: int, epoch: float, loss: float, lr: float, phase: str = "train") -> None:
        progress = min(1.0, step / self._total) if phase != "embed" else epoch
        if progress != self.progress:
            self.progress, self.progress_at = progress, time.time()
            if self._first is None and progress < 1.0:
                self._first = (progress, self.progress_at)
        if not math.isnan(loss):
            series = "train_loss" if phase == "train" else f"{phase}_loss"
            self._buf.append((series, step, epoch, loss))
        self._flush()

    def on_eval(self, step: int, epoch: int, metrics: dict) -> None:
        for k, v in metrics.items():
            if k not in ("epoch", "step") and v is not None:
                self._buf.append((k, step, float(epoch), float(v)))
        self._flush(force=True)

    def _flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_flush < self.FLUSH_S:
            return
        self._last_flush = now
        self.store.add_points(self.run_id, self._buf)
        self._buf = []
        self.store.update(self.run_id, progress=self.progress, progress_at=self.progress_at, phase=self.phase,
                          pace_started=self.pace_start())  # (phase_started stays when the phase began)
        if self.on_progress:
            self.on_progress(self.progress, self.phase)

    def pace_start(self) -> float | None:
        """The phase's start as its time left reads it (:func:`bertlab.estimate.phase_time_left`: its pace so far):
        when it began, moved later by what its first step took beyond the steps after it, which pay no warm-up.
        8 steps of full_ft (--quick, batch size 64, 1 epoch) took 17.4 s for the first and ~4.6 s each for the next
        six; the first figure read 162 s left where 73 s were. None after the first step, until the second says the
        pace (too early to tell); never before the phase began."""
        if self._first is None:
            return self._started
        p1, t1 = self._first
        if self.progress <= p1:
            return None
        return max(self._started, t1 - (self.progress_at - t1) * p1 / (self.progress - p1))

    def should_stop(self) -> bool:
        if self.cancel.is_set():
            return True
        now = time.monotonic()
        if now - self._last_db_check > 1.0:  # cancels from another process (CLI, second server)
            self._last_db_check = now
            if self.store.cancel_requested(self.run_id):
                self.cancel.set()
        return self.cancel.is_set()

    def close(self) -> None:
        if self._buf:
            self.store.add_points(self.run_id, self._buf)
            self._buf = []


def _oom_message(e: BaseException) -> str:
    first = (str(e).splitlines() or [type(e).__name__])[0][:300].rstrip(". ")
    return f"out of memory: {first}. Try a smaller batch_size or max_length, or a smaller model."


def _close_quietly(cb: StoreCallbacks) -> None:
    """Flush buffered points on the way out of a failed run; a store error here must not hide the first one."""
    try:
        cb.close()
    except Exception:  # noqa: BLE001 - the run's status matters more than its last few points
        log.warning("could not write the last points of run %s", cb.run_id, exc_info=True)
        cb._buf = []


def _stop_if_cancelled(store: RunStore, run_id: str, cb: StoreCallbacks) -> None:
    """Between phases that do not poll for cancellation (loading data, the final evaluation), ask now:
    the user pressed Cancel, and a run that then ends 'succeeded' would ignore them."""
    if cb.cancel.is_set() or store.cancel_requested(run_id):
        raise RunCancelled()


def _looks_like_oom(e: BaseException) -> bool:
    """CUDA and MPS say "out of memory"; the CPU allocator says "not enough memory"/"can't allocate". Python and
    NumPy raise MemoryError (often with no message at all: a run failed with 'MemoryError: ' and no hint)."""
    if isinstance(e, MemoryError):
        return True
    text = str(e).lower()
    return any(k in text for k in ("out of memory", "not enough memory", "can't allocate memory"))


def release_memory() -> None:
    """Free what a finished run held (GPU memory above all: CUDA's and the Apple GPU's cached blocks)."""
    gc.collect()
    models.empty_device_cache()
    release_free_heap()  # and the C heap's freed pages: glibc kept them, and a server's memory only grew


def token_lengths(model: str, texts: list[str], tokenizer=None) -> list[int]:
    """Each text's length in the model's tokens (``tokenizer``'s where given: scratch's new vocabulary), untruncated."""
    from bertlab.engine import untruncated_lengths

    return untruncated_lengths(tokenizer if tokenizer is not None else models.load_tokenizer(model), texts)


def truncation_note(model: str, texts: list[str], max_length: int, lengths: list[int] | None = None,
                    which: str = "training", more: dict[str, list[str]] | None = None, tokenizer=None,
                    record: dict | None = None, clip: int | None = None, truncation: str = "head") -> str | None:
    """How many of the ``which`` texts the tokenizer cut at ``max_length`` tokens, and of each part in ``more``
    (``{"validation": texts, "test": texts}``: the other texts the run reads), as one note in one wording for every
    strategy ('210 of 210 training texts (100%) are longer than max_length 128 tokens and were cut to it, as were
    30 of 30 validation and 60 of 60 test texts (median 1,136 tokens, longest 1,139); ...'); None if none were.
    The parts named are those with a text cut, the first with its share; median and longest are of them all.
    ``tokenizer``: the run's own where it is not ``model``'s (scratch's new vocabulary), which the counts are in.
    ``record``: a dict that gets the note's numbers as fields, where a text was cut (:func:`truncation_record`).
    ``clip``: the characters the data's texts were clipped to on loading, where any were (the lengths counted are
    of the clipped texts: 'longest 1,720' of consultation responses of up to 9,008 tokens read as the data's).
    ``truncation``: the run's (RunConfig.truncation): "head_tail" says which tokens the cut kept."""
    counted = [(which, lengths if lengths is not None else token_lengths(model, texts, tokenizer))]
    counted += [(part, token_lengths(model, t, tokenizer)) for part, t in (more or {}).items() if t]
    cuts = [(part, sum(1 for n in ls if n > max_length), len(ls)) for part, ls in counted]
    cuts = [c for c in cuts if c[1]]
    if not cuts:
        return None
    every = sorted(n for _, ls in counted for n in ls)
    (part, cut, total), rest = cuts[0], cuts[1:]
    share = cut / total
    limit = models.known_max_positions(model)
    if record is not None:
        record.update(truncation_record(part, share, max_length, every, limit))
    pct = f"{share:.1%}" if share < 0.01 else f"{share:.0%}"  # "1 of 200 (0%)" read as none
    also = ""
    if rest:
        listed = [f"{c:,} of {n:,} {p}" for p, c, n in rest]
        also = f", as were {' and '.join(listed)} texts"
    # "cut to it" stays first: Compare's answer reads a note of a run stored before the record (answer._CUT_NOTE)
    kept = (f" (their first {max_length // 4} and last {max_length - max_length // 4} tokens kept: head+tail "
            "truncation)" if truncation == "head_tail" else "")
    return (f"{cut:,} of {total:,} {part} texts ({pct}) are longer than max_length {max_length} tokens and were cut "
            f"to it{kept}{also} (median {every[len(every) // 2]:,} tokens, longest {every[-1]:,}"
            + (f", counted in the first {clip:,} characters the longer texts were clipped to on loading" if clip else "")
            + "); "
            + longer_texts_advice(max_length, limit, every, truncation))


def truncation_record(part: str, share: float, max_length: int, lengths: list[int], limit: int | None) -> dict:
    """The truncation note's numbers as a run's metrics keep them (``metrics["truncation"]``): the first part it
    names (``part``) and the share of it cut (a fraction), the max length, the median and longest length of every
    text counted (``lengths``, sorted), and the model's limit (None: unknown). Compare's answer reads them; it
    parsed the note's words, which a rewording could break unsaid (runs stored before keep only the note)."""
    return {"part": part, "share": share, "max_length": max_length, "median_tokens": lengths[len(lengths) // 2],
            "longest_tokens": lengths[-1], "model_limit": limit}


HEAD_TAIL_WHERE = "'Cut long texts to' on the Train page, --truncation head_tail"


def longer_texts_advice(max_length: int, limit: int | None, lengths: list[int], truncation: str = "head") -> str:
    """What to do about texts cut at ``max_length``, for a model reading at most ``limit`` tokens (None: unknown),
    by runs that cut them as ``truncation`` says (RunConfig.truncation).

    At the model's limit, "a larger max length keeps more" was advice the form then refused (512 on MiniLM, with a
    third of BBC's articles still cut): there it names the usual remedies instead. Below it, it says how far the
    max length can go and how many of ``lengths`` would still be cut there. Runs that cut the start alone are told
    of head+tail truncation (built in: :func:`bertlab.engine.keep_head_tail`), which reads a text's end too at no
    cost per step."""
    head_tail = (f"keep its start and its end (head+tail truncation: {HEAD_TAIL_WHERE}; often better than the start "
                 "alone on long documents), ")
    if limit is not None and max_length >= limit:
        said = ("this run already keeps each text's start and its end (head+tail truncation): to use more of "
                "each text, " if truncation == "head_tail" else "to use more of each text, " + head_tail)
        return (f"{max_length} is all this model reads (its position embeddings), so a larger max length is not "
                f"possible: {said}split it into chunks and average their answers (not built into bertlab), or "
                f"pick a model that reads more tokens; tfidf_logreg reads every text whole (up to "
                f"{MAX_TEXT_CHARS:,} characters)")
    also = "" if truncation == "head_tail" else (
        f"keeping each text's start and its end reads its ending too at no more cost per step (head+tail "
        f"truncation: {HEAD_TAIL_WHERE}), and ")
    if limit is None:
        return also + "a larger max length keeps more of each text at more cost per step"
    still = sum(1 for n in lengths if n > limit)
    there = f"{still:,} of these {len(lengths):,} texts would still be cut there" if still else "none would be cut there"
    return (f"{also}a larger max length keeps more of each text at more cost per step (this model reads at most "
            f"{limit} tokens: {there})")


# Runs measured in this process so far: the first one's CPU memory (RSS) also holds the process's one-time set-up
# (PyTorch's kernels, the allocator's first arenas), which later runs reuse (a review: partial_ft, first after a
# restart, 1,366 MiB, above dapt's 1,330, though it trains less).
_MEASURED_IN_PROCESS = [0]
UNKNOWN_TOKENS_NOTE = 0.01  # a share of [UNK] tokens worth a word: the model cannot read part of the texts
PIECES_PER_WORD_NOTE = 1.8  # English in an English vocabulary: 1.2-1.4 (the built-ins); German 2.4, Spanish 2.0


def vocabulary_note(model: str, texts: list[str], pairs: bool = False) -> str | None:
    """A sentence where ``model``'s vocabulary covers ``texts`` (their first 2,000; ``pairs``: a pair task's)
    poorly: many unknown tokens, or words cut into many pieces (a language the model was not trained on); None where
    it covers them well."""
    from bertlab.config import model_title
    from bertlab.engine import unknown_symbols, vocabulary_fit

    if not texts:
        return None
    tokenizer = models.load_tokenizer(model)
    unknown, pieces = vocabulary_fit(tokenizer, texts[:2000], pairs)
    name = model_title(model).split(" (")[0]
    if unknown >= UNKNOWN_TOKENS_NOTE:
        said = f"{unknown:.0%} of these texts' tokens are unknown to {name}'s vocabulary ([UNK]): it cannot read "
        # Emoji had been blamed on "a script such as Chinese or Japanese", with a language's advice: say which.
        emoji, of = unknown_symbols(tokenizer, texts[:2000])
        if of and emoji / of > 0.5:
            return (said + f"them: {emoji / of:.0%} of the unknown pieces are emoji or other symbols. Replace them "
                    "by words (e.g. the emoji package's demojize: 😍 → :smiling_face_with_heart-eyes:) or use a "
                    "model whose vocabulary has them; tfidf_logreg counts each emoji as a word.")
        return (said + "that part of them (a script it was not trained on, such as Chinese or Japanese for an "
                "English model" + (f"; {emoji / of:.0%} of the unknown pieces are emoji or other symbols" if emoji
                                   else "") + "). A model trained on this language would do better: a Hugging Face "
                "model name on the Train page when online, or a local copy; tfidf_logreg needs no vocabulary.")
    if pieces >= PIECES_PER_WORD_NOTE:
        return (f"{name} cuts these texts' words into {pieces:.1f} pieces on average (English text in an English "
                "model: about 1.3): it may know their language poorly. A model trained on it (a multilingual BERT "
                "from the Hugging Face hub, when online) may do better.")
    return None


def _shown_tokens(tokenizer, ids: tuple[int, ...]) -> str:
    """Token ids as the model's tokens, at most 8 of them: '[UNK]', 'good [UNK]'."""
    tokens = tokenizer.convert_ids_to_tokens(list(ids[:8]))
    return " ".join(tokens) + (" ..." if len(ids) > 8 else "") if tokens else "(no token)"


def same_inputs_note(model: str, texts: list[str]) -> str | None:
    """A sentence where ``texts`` (their first 2,000; a run's training texts) reach ``model`` as a handful of
    distinct token sequences, at most one in 20 texts: Thai, written without spaces, was 300 texts of '[CLS] [UNK]
    [SEP]' each, and head_only, which then answers one class, was told to try more epochs. None otherwise."""
    from bertlab.config import model_title
    from bertlab.engine import token_inputs

    texts = texts[:2000]
    if len(texts) < 2:
        return None
    tokenizer = models.load_tokenizer(model)
    inputs = Counter(token_inputs(tokenizer, texts))
    if len(inputs) > max(1, len(texts) // 20):
        return None
    top, n = inputs.most_common(1)[0]
    name = model_title(model).split(" (")[0]
    said = (f"all {len(texts):,} of these texts are the same input to {name}" if len(inputs) == 1 else
            f"these {len(texts):,} texts are only {len(inputs):,} different inputs to {name}")
    return (f"{said} ({n:,} of them read as {_shown_tokens(tokenizer, top)!r}): its vocabulary does not know their "
            "words, so no training (more epochs, another learning rate) can tell them apart. Use a model whose "
            "vocabulary reads this language or script (a Hugging Face model name on the Train page when online, or "
            "a local copy), or tfidf_logreg, which needs no vocabulary.")


def descriptions_note(model: str, descriptions: list[str], label_names: list[str]) -> str | None:
    """A sentence where zero_shot's class ``descriptions`` are unreadable to ``model``: one mostly unknown tokens
    ([UNK]), or two that tokenize alike, so zero_shot cannot tell those classes apart, whatever they say (Chinese
    descriptions '体育', '科技' on an English model were both '[UNK]', and zero_shot answered one class while its
    advice was to write a sentence per class). None where each is readable and distinct."""
    from bertlab.engine import token_inputs

    if not descriptions:
        return None
    tokenizer = models.load_tokenizer(model)
    unk = tokenizer.unk_token_id
    inputs = token_inputs(tokenizer, list(descriptions))
    # a blank description is not 'unknown tokens': RunConfig refuses it, saying so
    unread = [d for d, x in zip(descriptions, inputs)
              if d.strip() and (not x or (unk is not None and x.count(unk) * 2 >= len(x)))]
    by_input: dict[tuple[int, ...], list[str]] = {}
    for name, x in zip(label_names, inputs):
        by_input.setdefault(x, []).append(str(name))
    alike = [names for names in by_input.values() if len(names) > 1]
    if not unread and not alike:
        return None
    parts = []
    if unread:
        parts.append(f"label descriptions {unread[:6]} are mostly unknown tokens ([UNK]) to the model's vocabulary")
    if alike:
        parts.append("the classes " + "; ".join(" and ".join(repr(n) for n in names) for names in alike[:4])
                     + " have descriptions that are the same input to the model")
    return ("; ".join(parts) + ": zero_shot cannot tell those classes apart, whatever their sentences say. Write the "
            "descriptions in words the model's vocabulary knows (for an English model, in English), or use a model "
            "that reads their language.")


def outcome_notes(cfg, strategy, splits, test: dict, lengths: list[int] | None = None,
                  steps: int | None = None, tokenizer=None, record: dict | None = None) -> list[str]:
    """What a user should know about a finished run's result: truncation, and a model that learned nothing.
    ``lengths``: the training texts' token lengths, where already counted; ``steps``: the optimizer steps it took
    (its costs' "steps"), which the one-class advice names as Compare's answer does; ``tokenizer``: the run's own
    where it did not read the model's (scratch's new vocabulary: its texts are cut in its tokens); ``record``: a dict
    that gets the truncation note's numbers under "truncation" (:func:`truncation_record`), where texts were cut."""
    notes = []
    # The model's tokenizer, whatever new_vocab says: `run --new-vocab` sets it on every strategy's config, and a
    # head_only run at 128 tokens on bbc_news had no truncation note there
    own = strategy.reads_model_tokenizer(cfg.new_vocab)
    cut: dict = {}
    clip = (clipped_texts(splits.notes) or (0, None))[1]
    if strategy.uses_tokens and (own or tokenizer is not None):
        how = "head" if splits.pairs else cfg.truncation  # a pair is cut as head whatever the setting (engine.encode)
        try:
            if strategy.reads_training_texts:  # the validation and test texts are cut as the training texts are
                note = truncation_note(cfg.model, splits.train.texts, cfg.max_length, lengths,
                                       more={"validation": splits.val.texts, "test": splits.test.texts},
                                       tokenizer=None if own else tokenizer, record=cut, clip=clip,
                                       truncation=how)
            else:  # zero_shot reads only the texts it answers
                note = truncation_note(cfg.model, splits.test.texts, cfg.max_length, which="test", record=cut,
                                       clip=clip, truncation=how)
        except BertlabError:
            note = None
        if note:
            notes.append(note)
            if record is not None:
                record["truncation"] = cut
    if strategy.uses_tokens and own:
        try:
            texts = splits.train.texts if strategy.reads_training_texts else splits.test.texts
            if vocab := vocabulary_note(cfg.model, texts, splits.pairs):
                notes.append(vocab)
        except BertlabError:
            pass
    if cfg.class_weights == "balanced":
        if strategy.reads_training_texts:
            w = loss_weights(cfg, splits)  # the weights the training loss used
            shown = ", ".join(f"{n!r} x{v:.2f}" for n, v in zip(splits.label_names, w))
            notes.append(f"trained with balanced class weights (each class's loss weighted by n / (classes x its "
                         f"count): {shown[:300]}), so a rare class counts as much as a common one")
        else:
            notes.append("balanced class weights do not apply: this strategy trains nothing on the labels")
    only = single_class_prediction(test["confusion"], splits.label_names)
    # Texts or class descriptions the model reads as one input: said in their own terms, not as epochs or sentences
    same = unreadable = None
    if only is not None and strategy.uses_tokens and own:
        try:
            if strategy.reads_training_texts:
                same = same_inputs_note(cfg.model, splits.train.texts)
            else:
                unreadable = descriptions_note(cfg.model, strategy.embedded_texts(cfg, splits), splits.label_names)
        except BertlabError:
            pass
    if only is not None and not strategy.reads_training_texts:  # zero_shot learns nothing: its sentences decide
        why = (f"; {unreadable}" if unreadable else "; write for each class a sentence of what sets its texts "
               "apart (the Train page's zero_shot panel, --label-descriptions), or train on the labels")
        notes.append(f"predicted {only!r} for every test example: its label sentences do not tell the texts apart "
                     f"(test accuracy {test['accuracy']:.1%}, the majority class gives "
                     f"{test['majority_accuracy']:.1%})" + why)
    elif only is not None:  # what to change: as Compare's answer says it (one_class_advice)
        advice = same or one_class_advice(strategy.name, epochs=cfg.epochs, learning_rate=cfg.learning_rate,
                                          class_weights=cfg.class_weights, train_counts=splits.train.counts(),
                                          n_train=len(splits.train), steps=steps,
                                          # the run's few-steps note (few_steps_note) is among its notes: agreed with
                                          few_steps=bool(steps and steps < getattr(strategy, "min_steps", 0)))
        notes.append(f"predicted {only!r} for every test example: it learned nothing beyond always guessing one "
                     f"class (test accuracy {test['accuracy']:.1%}, the majority class gives "
                     f"{test['majority_accuracy']:.1%}); " + (advice or "try another strategy"))
    return notes


def _saved_tokenizer(folder):
    """The tokenizer a run saved with its model (scratch's new vocabulary), None where it saved none."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(folder), trust_remote_code=False)
    except (OSError, ValueError):
        return None


def execute_run(store: RunStore, run_id: str, cancel: threading.Event | None = None, on_progress=None,
                device: models.DeviceInfo | None = None) -> str:
    """Run a queued run to completion. Returns its final status; never raises for a run's own failure."""
    run = store.get(run_id)
    if run is None:
        raise KeyError(run_id)
    device = device or models.pick_device()
    if not store.claim(run_id, device.name):
        now = store.get(run_id)  # cancelled while queued, or deleted since (the Compare page's Delete)
        return now.status if now is not None else CANCELLED
    cb = StoreCallbacks(store, run_id, cancel, on_progress)
    staging = None
    try:
        cfg = run.run_config
        strategy = get_strategy(cfg.strategy)
        if strategy.uses_tokens:  # tfidf_logreg never tokenizes with the model: its max_length is moot
            models.check_max_length(cfg.model, cfg.max_length)
        t_load = time.perf_counter()
        # read and cleaned once for the launch's runs on this data (the split too, where it is the same one)
        splits = shared_splits(cfg.data)
        if cfg.batch_size > len(splits.train) and strategy.uses_epochs:  # tfidf_logreg, zero_shot: no batches of it
            # Friendlier than failing: one full batch is what the user can have.
            splits.notes.append(f"batch_size {cfg.batch_size} is larger than the {len(splits.train)} training "
                                f"examples; used batch_size {len(splits.train)}")
            cfg = cfg.replace(batch_size=len(splits.train))
        summary = {"name": cfg.data.label, "sizes": splits.sizes(), "label_names": splits.label_names,
                   "train_counts": splits.train.counts(), "load_seconds": time.perf_counter() - t_load,
                   # What reproducing the run needs beyond its config: the columns read, the file's exact
                   # content, and the machine and library versions it trained with.
                   "description": splits.train.description, "environment": models.machine_info(device)}
        if splits.train.columns:
            summary["text_column"], summary["label_column"] = splits.train.columns
        if splits.train.pair_column:  # a pair task: its second text (the Playground asks for two texts)
            summary["text_pair_column"] = splits.train.pair_column
        if cfg.data.source == "file":
            # the hash of the bytes it was read from
            summary["file_sha256"] = splits.file_sha256 or file_digest(cfg.data.name)
        elif cfg.data.source == "builtin":
            from bertlab.data.builtin import source_package

            summary["data_package"] = source_package(cfg.data.name)
        lengths = None
        if strategy.uses_tokens and strategy.reads_model_tokenizer(cfg.new_vocab):
            # The training texts' mean length in tokens (as trained, cut at max_length): what the Train page's
            # time estimates scale by, so a run on long articles is not estimated from one on short reviews.
            # (scratch's new vocabulary: counted in its own tokens once it has trained it, below)
            lengths = token_lengths(cfg.model, splits.train.texts)
            summary["mean_tokens"] = truncated_mean(lengths, cfg.max_length)
        elif not strategy.uses_tokens:  # tfidf_logreg: its time grows with the texts' words (estimate.mean_words)
            summary["mean_words"] = mean_words(splits.train.texts)
        store.update(run_id, data_summary=summary, notes=splits.notes)
        _stop_if_cancelled(store, run_id, cb)  # a cancel while the data loaded: no training to start
        staging = store.staging_path(run_id)
        dtype = models.autocast_dtype(cfg.precision, device)
        ctx = RunContext(cfg, splits, device, dtype, cb, staging, notes=list(splits.notes))
        t0 = time.perf_counter()
        first_here = _MEASURED_IN_PROCESS[0] == 0
        _MEASURED_IN_PROCESS[0] += 1
        # What the run's memory is: the GPU's where it computes there, else the process RAM it adds (tfidf_logreg
        # runs scikit-learn on the CPU: the CUDA allocator's peak read 0 for it, a blank cell in Compare).
        memory_of = device.type if strategy.uses_device else "cpu"
        with PeakMemory(memory_of) as mem:
            out = strategy.run(ctx)
        cb.close()
        _stop_if_cancelled(store, run_id, cb)  # a cancel during the final test evaluation is still a cancel
        # A run served from the embedding cache counts the encoder pass it reused as it cost when computed, in its
        # total as in its training time (its notes say so): time compares with a cold run's.
        wall = time.perf_counter() - t0
        costs = {**out.costs, "total_seconds": wall + out.costs.get("cache_saved_seconds", 0.0), "wall_seconds": wall,
                 "peak_memory_bytes": mem.peak, "peak_memory_of": "cuda" if memory_of == "cuda" else "rss",
                 **({"memory_first_in_process": True} if first_here and memory_of != "cuda" else {}),
                 # what it ran on: tfidf_logreg fits on the CPU on a GPU machine too, and money prices a run by its
                 # device (a GPU's name billed its 0.2 s at the GPU-hour, 50x the CPU-hour by default)
                 "device": strategy.device_name(device),
                 # its FLOPs count attention's matmuls: runs stored before did not (costs.attention_mix_note)
                 **({ATTENTION_MARK: True} if strategy.uses_tokens else {}),
                 # no network, no precision (tfidf_logreg: the Results CSV said bf16 for scikit-learn, a review)
                 "precision": (str(dtype).replace("torch.", "") if dtype else "fp32") if strategy.uses_device else None}
        own_tokenizer = None
        if strategy.uses_tokens and not strategy.reads_model_tokenizer(cfg.new_vocab):
            # scratch's new vocabulary (saved with its model): its texts' lengths in the tokens it read, not the
            # pretrained tokenizer's
            own_tokenizer = _saved_tokenizer(staging)
            if own_tokenizer is not None:
                lengths = token_lengths(cfg.model, splits.train.texts, own_tokenizer)
                summary["mean_tokens"] = truncated_mean(lengths, cfg.max_length)
                store.update(run_id, data_summary=summary)
        outcome: dict = {}
        ctx.notes.extend(outcome_notes(cfg, strategy, splits, out.test, lengths, steps=out.costs.get("steps"),
                                       tokenizer=own_tokenizer, record=outcome))
        metrics = {
            "test_accuracy": out.test["accuracy"], "test_accuracy_ci95": out.test.get("accuracy_ci95"),
            "test_macro_f1": out.test["macro_f1"],
            "majority_accuracy": out.test["majority_accuracy"], "per_class": out.test["per_class"],
            "confusion": out.test["confusion"], "label_names": splits.label_names,
            **({"test_ece": out.test["ece"], "calibration": out.test["calibration"],
                "test_mean_confidence": out.test["mean_confidence"]} if "ece" in out.test else {}),
            **({k: v for k, v in out.val.items() if k.startswith("val_")} if out.val else {}),
            # what its truncation note says, as numbers (answer.whole_texts_sentence reads them)
            **({"truncation": outcome["truncation"]} if "truncation" in outcome else {}),
        }
        # Each test text's predicted class, so two runs on the same test set can be compared text by text
        # (bertlab.paired); the fingerprint says which test set that is.
        metrics["test_fingerprint"] = paired.fingerprint(splits.test.texts, splits.test.labels, splits.label_names)
        if out.test.get("predictions") is not None:
            paired.save_predictions(staging, out.test["predictions"], splits.test.labels, metrics["test_fingerprint"],
                                    out.test.get("probabilities"))
        # and the validation texts' of the model kept, where a threshold can be chosen without the test texts
        # (its fingerprint in the metrics too, as the test set's: bertlab.prcurve checks the file is of these texts)
        if out.val_predictions is not None and out.val_predictions.get("predictions") is not None and len(splits.val):
            metrics["val_fingerprint"] = paired.fingerprint(splits.val.texts, splits.val.labels, splits.label_names)
            paired.save_predictions(staging, out.val_predictions["predictions"], splits.val.labels,
                                    metrics["val_fingerprint"], out.val_predictions.get("probabilities"),
                                    file=paired.VAL_PREDICTIONS_FILE)
        if cfg.keep_best and out.val and out.val.get("epoch"):
            metrics["kept_epoch"] = int(out.val["epoch"])  # the epoch whose weights were kept (charts mark it)
            # and by which loss: with class weights, the class-weighted one, not the val_loss charted beside the ring
            metrics["kept_by"] = kept_loss_name(out.val)
        final = store.artifact_path(run_id)
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        staging = None
        try:  # what serving it needs on disk (its model; the shared encoder too for zero_shot and head_only)
            kind = json.loads((final / ARTIFACT_META).read_text()).get("kind", "")
            costs["model_bytes"] = serving_bytes(final, kind, cfg.model)
        except (OSError, ValueError):
            costs["model_bytes"] = None
        store.finish(run_id, SUCCEEDED, metrics=metrics, costs=costs, artifact_dir=str(final), notes=ctx.notes,
                     progress=1.0, phase="done")
        return SUCCEEDED
    except RunCancelled:
        _close_quietly(cb)
        # who asked, where the request said (Compare at another desk than the launch's), else the user
        asked = (now.cancel_asked_by if (now := store.get(run_id)) else None) or CANCELLED_BY
        store.finish(run_id, CANCELLED, error=f"cancelled by {asked}", phase="cancelled")
        return CANCELLED
    except torch.OutOfMemoryError as e:
        _close_quietly(cb)
        store.finish(run_id, FAILED, error=_oom_message(e), traceback=tb.format_exc())
        return FAILED
    except BertlabError as e:
        _close_quietly(cb)
        store.finish(run_id, FAILED, error=str(e))
        return FAILED
    except Exception as e:  # noqa: BLE001 - a worker must record every failure, never die
        _close_quietly(cb)
        msg = f"{type(e).__name__}: {e}"
        if _looks_like_oom(e):
            msg = _oom_message(e)
        elif unwritable_reason(e) == "it is full":  # safetensors' own error as it saves the model (a review: its
            msg = f"{store_message(store.root, e)} ({msg})"  # raw "SafetensorError: ... os error 28", no way out)
        store.finish(run_id, FAILED, error=msg, traceback=tb.format_exc())
        return FAILED
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        release_memory()
