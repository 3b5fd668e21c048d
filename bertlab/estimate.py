"""Rough run-time estimates from past runs on the same device (for the Train page).

A run's time is taken to grow with the examples it processes (training
examples times epochs plus evaluation examples) times their mean length in
tokens (after truncation at max_length), each token weighed as the FLOPs count it
(:func:`text_work`: attention's share grows with a text's length): a BBC article of
128 tokens costs about five short reviews. zero_shot and head_only, whose time is one encoder
pass, count the texts they embed once, whatever their epochs. The seconds per such token come from the most recent
finished runs of the same strategy, model and device. With no such run, a
rough figure comes from this device's measured speed where it has been
measured (:mod:`bertlab.speedprobe`, on request); else the estimate is unknown,
which is more honest than a guess.

zero_shot and head_only embed their texts through a shared cache
(:mod:`bertlab.embeddings`). A run whose texts are cached by the time it starts
(:func:`cache_shares`: a hash per text against the cache's own keys, no model
loaded) skips their encoder pass and takes a small part of a first run's time:
it is estimated at that warm time (:func:`warm_estimate`), plus the encoder
pass over any share still missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from typing import Any

SUCCEEDED = "succeeded"


@dataclass(frozen=True)
class Estimate:
    """Expected seconds for a run (None = unknown) and what the number is based on."""

    seconds: float | None
    basis: str
    at_most: bool = False  # every epoch counted of a run that Stop early after may end sooner (may_stop_early)

    def text(self) -> str:
        """``~40 s``, ``~3 min``, ``up to ~3 min`` (``at_most``) or ``unknown``."""
        if self.seconds is None:
            return "unknown"
        return ("up to ~" if self.at_most else "~") + format_duration(self.seconds, rough=True)


def may_stop_early(strategy: str, epochs: int | None, patience: int | None) -> bool:
    """Whether Stop early after (``patience``) may end a run of ``strategy`` before its last epoch in a way that
    shortens its time: its first epoch sets the best validation loss and ``patience`` epochs more without a lower
    one stop it, so it needs more epochs than that; and a strategy whose time grows with its epochs (head_only's
    epochs train a linear head on cached embeddings, tfidf_logreg and zero_shot have none). Its time estimate and
    time left count every epoch: what it takes at most. full_ft on 150 tweets set to 8 epochs, patience 1, was
    estimated at ~43 s for the 8 and stopped after 5, with nothing said that it might."""
    from bertlab.strategies import REGISTRY

    s = REGISTRY.get(strategy)
    if s is None or not s.uses_epochs or s.embeds or not patience or not epochs:
        return False
    return epochs > patience + 1


def at_most(est: Estimate, strategy: str, epochs: int | None, patience: int | None) -> Estimate:
    """``est`` marked as the most the run should take where Stop early after may end it sooner
    (:func:`may_stop_early`), its basis saying so; else ``est`` as it is."""
    if est.seconds is None or not may_stop_early(strategy, epochs, patience):
        return est
    return Estimate(est.seconds, f"{est.basis}; all {epochs} epochs counted: Stop early after ({patience}) may end "
                                 "it sooner", at_most=True)


def format_duration(s: float, rough: bool = False) -> str:
    """Seconds for people: '12.3 s', '4.5 min', '1.2 h' (under 90 s, under 90 min, beyond); ``rough``: whole seconds
    and minutes ('~' estimates). The bounds hold for the number as written: a rounding that carries takes the next
    unit (89.97 s is '1.5 min', not "90.0 s"; 5,397 s '1.5 h', not "90.0 min"; rough, 89.6 s is 90 s, '2 min')."""
    if rough:
        s = float(round(s))

    def shown(x: float) -> float:
        return round(x) if rough else float(f"{x:.1f}")

    if shown(s) < 90:
        return f"{max(1, round(s))} s" if rough else f"{s:.1f} s"
    if shown(s / 60) < 90:
        return f"{round(s / 60)} min" if rough else f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def work_units(sizes: dict[str, int], epochs: int, uses_epochs: bool, pretrain_epochs: int = 0,
               pretrain_texts: int | None = None, embeds: Sequence[str] = ()) -> float:
    """Examples a run processes: train x epochs plus evaluation (validation each epoch, test once; each text evaluated
    a :data:`STEP_FORWARDS`-th of a training example, a forward pass against forward and backward), plus its
    masked-LM texts once per ``pretrain_epochs`` (a masked-LM phase before the labels: dapt, scratch's option):
    ``pretrain_texts`` of them (the training texts and an extra domain file's lines), the training texts where
    None; a strategy without epochs (tfidf_logreg) each text once: on 8,000 training texts it took 5.1 s where
    the estimate from past runs' evaluation texts alone had said ~1 s. ``embeds``: the splits a strategy embeds once through the encoder (``Strategy.embeds``: zero_shot's
    validation and test, head_only's every split): its work is those texts once, whatever its epochs (head_only's
    epochs train a linear head on cached embeddings: 100 of them took 8.4 s where 30 took 6.7, not 3.3 times as
    long)."""
    tr, va, te = sizes.get("train", 0), sizes.get("validation", 0), sizes.get("test", 0)
    if embeds:
        return float(sum({"train": tr, "val": va, "test": te}.get(split, 0) for split in embeds))
    if not uses_epochs:  # tfidf_logreg: it fits on the training texts (its C grid) and transforms every split once
        return float(tr + va + te)
    mlm = tr if pretrain_texts is None else pretrain_texts
    # validation and test go through a forward pass only: a training step's work is STEP_FORWARDS of them (full_ft
    # here: 25-32 ms per training text, 9.7-10 ms per text evaluated)
    return float(tr * epochs + mlm * pretrain_epochs + (va * epochs + te) / STEP_FORWARDS)


def embedded_splits(strategy: str) -> tuple[str, ...]:
    """The splits ``strategy`` embeds once through the encoder (``Strategy.embeds``; () for one that trains it, or
    is unknown here): what :func:`work_units` counts for it."""
    from bertlab.strategies import REGISTRY

    s = REGISTRY.get(strategy)
    return tuple(s.embeds) if s else ()


def past_pretrain_epochs(run: Any) -> int:
    """A past run's masked-LM epochs before its labels (0 where its strategy has none, or is unknown here)."""
    from bertlab.errors import BertlabError
    from bertlab.strategies import REGISTRY

    strategy = REGISTRY.get(run.strategy)
    try:
        return strategy.pretrain_epochs((run.config or {}).get("options") or {}) if strategy else 0
    except BertlabError:
        return 0


def past_epochs(run: Any) -> int:
    """The epochs a past run trained: its config's, or fewer where Stop early after (patience) ended it sooner, read
    from its optimizer steps (its costs' ``steps``) over an epoch's (its training texts over its batch size). A full_ft
    run on 150 tweets set to 8 epochs stopped after 5 (45.9 s): counted as 8 epochs of work, it made full_ft's
    speed look 1.5 times what it was, and the next run's estimate as much too short."""
    import math

    cfg = run.config or {}
    epochs = cfg.get("epochs", 1)
    steps, batch = (run.costs or {}).get("steps"), cfg.get("batch_size")
    n = ((run.data_summary or {}).get("sizes") or {}).get("train")
    if not cfg.get("patience") or not steps or not batch or not n:
        return epochs
    return max(1, min(epochs, round(steps / math.ceil(n / batch))))


def past_pretrain_texts(run: Any) -> int | None:
    """The texts a past run's masked-LM phase went over each epoch (its training texts and any extra domain file's
    lines, as its costs recorded them); None where it recorded none (its training texts then count)."""
    n = (run.costs or {}).get("mlm_texts")
    return int(n) if n else None


def mean_words(texts: Sequence[str], sample: int = 2000) -> float:
    """Mean length in words (split on whitespace) of ``texts`` (the first ``sample``): what a strategy that reads
    no tokenizer (tfidf_logreg) records and is estimated by, in place of tokens: its n-grams and fit grow with the
    texts' length (500 BBC articles took 18.6 s where 8,000 short reviews took 5.1 s)."""
    texts = texts[:sample]
    return sum(len(t.split()) for t in texts) / len(texts) if texts else 0.0


def past_tokens(run: Any) -> float | None:
    """Mean tokens per training text a past run processed (after truncation), if it recorded them; for a strategy
    that reads no tokenizer (tfidf_logreg), its mean words per text (``mean_words``)."""
    summary = run.data_summary or {}
    mean = summary.get("mean_tokens") or summary.get("mean_words")
    if mean:
        return float(mean)
    # Runs from before mean_tokens was recorded: fine-tuning ones counted their training tokens.
    tokens, n = (run.costs or {}).get("train_tokens"), ((run.data_summary or {}).get("sizes") or {}).get("train")
    epochs = past_epochs(run)
    return tokens / (n * epochs) if tokens and n else None


def attention_per_token(model: str) -> float:
    """How a text's FLOPs per token grow with its length on ``model``: a text of s tokens costs 2 x N x s x
    (1 + a x s) forward FLOPs (:func:`bertlab.costs.forward_flops` with its attention), a = 2 x layers x width / N
    (N: the encoder's non-embedding parameters; 4.3e-4 on MiniLM: +5.5% a token at 128 tokens, +22% at 512). From
    the model's config (imports torch); 0 where it cannot be read: then every token weighs the same."""
    try:
        from bertlab import embeddings

        n = embeddings.encoder_info(model)[0]
        layers, width = embeddings.encoder_attention(model)
    except Exception:  # noqa: BLE001 - an unreadable config: the plain per-token scale, not an error
        return 0.0
    return 2.0 * layers * width / n if n else 0.0


def text_work(tokens: float, per_token: float) -> float:
    """A text of ``tokens`` tokens in tokens as the FLOPs weigh them: ``tokens x (1 + per_token x tokens)``, with
    ``per_token`` from :func:`attention_per_token` (a text's mean length stands for each: texts of mixed lengths
    cost a little more, the mean of squares being above the square of the mean)."""
    return tokens * (1.0 + per_token * tokens)


def mean_tokens(model: str, texts: Sequence[str], max_length: int, sample: int = 2000) -> float:
    """Mean length in tokens of ``texts`` (the first ``sample``) after truncation at ``max_length``: what the
    estimate scales by (as runs record it). Loads the model's tokenizer (a second or so the first time)."""
    from bertlab.runner import token_lengths  # the runner's count, so estimates and runs count alike

    lengths = token_lengths(model, list(texts[:sample]))
    return truncated_mean(lengths, max_length)


def truncated_mean(lengths: Sequence[int], max_length: int) -> float:
    """Mean of ``lengths`` with each cut at ``max_length`` (texts longer than it are truncated); 0 for none."""
    return sum(min(n, max_length) for n in lengths) / len(lengths) if lengths else 0.0


def estimate_seconds(runs: Sequence[Any], strategy: str, model: str, device: str, sizes: dict[str, int],
                     epochs: int, uses_epochs: bool = True, last: int = 5, tokens: float | None = None,
                     cached: float | None = None, pretrain_epochs: int = 0,
                     pretrain_texts: int | None = None) -> Estimate:
    """Estimate a new run's seconds from ``runs`` (store Run objects, newest first).

    Args:
        runs: past runs; only succeeded ones of this strategy, model and device count.
        strategy / model / device: what the new run uses (device is ``DeviceInfo.name``).
        sizes: the new run's split sizes ({"train", "validation", "test"}).
        epochs: the new run's epochs.
        uses_epochs: whether the strategy's time grows with epochs.
        last: how many recent comparable runs to take the median rate of (weighted by their work).
        tokens: the new run's mean tokens per text (``mean_tokens``; for a strategy that does not tokenize,
            tfidf_logreg, its mean words per text, ``mean_words``, as its runs record them), or a function giving
            it (called only when a comparable past run exists); None where unknown: then only the number of
            examples counts.
        cached: the share (0 to 1) of the texts the new run embeds through the shared embedding cache (zero_shot,
            head_only) that the cache will hold when it starts (:func:`cache_shares`); None or 0: a cold run. Those
            texts cost the run no encoder pass: its estimate is then the warm time (:func:`warm_estimate`) plus
            the cold run's encoder pass over the texts still to embed.
        pretrain_epochs: the new run's masked-LM epochs over its training texts before its labels
            (``Strategy.pretrain_epochs``); past runs' are read from their options, so that scratch with 10 such
            epochs is not estimated from plain scratch runs' speed per epoch of work, nor the other way round.
        pretrain_texts: the texts of each of those epochs (``Strategy.pretrain_texts``: the training texts plus an
            extra domain file's lines); None: the training texts. Past runs' are read from their costs
            (``mlm_texts``): a dapt run with a 2,699-line domain file took 129 s where the estimate from a plain
            run said 10.7 s, and the other way round.
    """
    comparable = _comparable(runs, strategy, model, device, uses_epochs, last)
    if callable(tokens):
        tokens = tokens() if comparable else None
    # Each past run's seconds per unit of work, weighted by its work: a run of 12 short texts, most of its 0.4 s
    # loading the model, had put zero_shot on 200 BBC articles at ~46 s beside 500 reviews' rate (it took 3.6 s).
    # Its start-up (startup_seconds) is taken out first and added back once, as it does not grow with the texts.
    # Tokens weighed as the FLOPs count them (attention's share grows with a text's length: an estimate from
    # reviews of 27 tokens for articles of 128 counts each of their tokens 4% dearer on MiniLM); tfidf_logreg's
    # words as they are.
    words = bool(comparable) and bool((comparable[0][0].data_summary or {}).get("mean_words"))
    weigh = 0.0 if words or not tokens or not comparable else attention_per_token(model)
    rates, per_token, startups = [], [], []
    for r, units in comparable:
        startup = startup_seconds(r)
        if startup is not None:
            startups.append((startup, 1.0))
        secs = r.costs["total_seconds"] - (startup or 0.0)
        rates.append((secs / units, units))
        if tokens and (t := past_tokens(r)):
            t = text_work(t, weigh)
            per_token.append((secs / (units * t), units * t))
    if not rates:
        return Estimate(None, "no past run here yet")
    new_units = work_units(sizes, epochs, uses_epochs, pretrain_epochs, pretrain_texts, embedded_splits(strategy))
    # the median start-up of those that recorded theirs (a run from before they did counts its start-up as work)
    start = weighted_median(startups) if startups else 0.0
    if per_token:
        n = len(per_token)
        unit = "token" if (comparable[0][0].data_summary or {}).get("mean_tokens") else "word"  # tfidf_logreg's
        cold = Estimate(start + weighted_median(per_token) * new_units * text_work(tokens, weigh),
                        f"{n} past run{'s' if n > 1 else ''} on this device, per {unit}")
    else:
        n = len(rates)
        cold = Estimate(start + weighted_median(rates) * new_units,
                        f"{n} past run{'s' if n > 1 else ''} on this device")
    if not cached or (warm := warm_estimate(runs, strategy, model, device, sizes, epochs, uses_epochs, last)) is None:
        return cold
    share = min(1.0, cached)
    if share >= 1.0:
        return Estimate(warm.seconds, f"embeddings cached: {warm.basis}")
    # the texts still to embed cost what they cost a cold run: its time beyond the warm part, in proportion
    return Estimate(warm.seconds + (1.0 - share) * max(0.0, cold.seconds - warm.seconds),
                    f"embeddings {_percent(share)} cached: {warm.basis}; the rest's encoder pass from {cold.basis}")


def startup_seconds(run: Any) -> float | None:
    """A past run's seconds that do not grow with its texts: its total less its training, evaluation and
    tokenizing (loading the model and the data, saving the weights); None where it recorded no training or
    evaluation time. Scaled with the texts, a tfidf_logreg run's ~2 s of it made one of 200 training texts (2.2 s in
    all) estimate 8,000 at 20.5 s; they took 4.2 s."""
    c = run.costs or {}
    train, evaluation, total = c.get("train_seconds"), c.get("eval_seconds"), c.get("total_seconds")
    if train is None or evaluation is None or not total:
        return None
    return max(0.0, total - train - evaluation - (c.get("tokenize_seconds") or 0.0))


def weighted_median(pairs: Sequence[tuple[float, float]]) -> float:
    """The median of ``(value, weight)`` pairs counting each value ``weight`` times (the mean of the two middle
    ones where the weights split exactly in half): a rate from a big run outweighs one from a run too small for
    its fixed costs to be spread, and one slow outlier still moves it no more than the median would."""
    ordered = sorted(pairs)
    half = sum(w for _, w in ordered) / 2
    seen = 0.0
    for i, (v, w) in enumerate(ordered):
        seen += w
        if seen > half:
            return v
        if seen == half:
            return (v + ordered[i + 1][0]) / 2 if i + 1 < len(ordered) else v
    return ordered[-1][0]


def warm_estimate(runs: Sequence[Any], strategy: str, model: str, device: str, sizes: dict[str, int], epochs: int,
                  uses_epochs: bool = True, last: int = 5) -> Estimate | None:
    """A new run's seconds with every text it embeds already in the embedding cache (zero_shot, head_only), from
    past runs of the strategy on this device: the wall time of those served whole from the cache, else (none
    yet) the others' time beyond their embedding pass (head_only's head training, evaluation, saving). Scaled by
    examples, not tokens: no text goes through the encoder. None where no past run recorded these times.

    A run's ``total_seconds`` counts an encoder pass the cache saved it as if it had run (so runs compare cold);
    what the user waits for is its ``wall_seconds``.
    """
    warm, rest = [], []
    for r, units in _comparable(runs, strategy, model, device, uses_epochs, last):
        c = r.costs
        wall, embedding, texts = c.get("wall_seconds"), c.get("embedding_seconds"), c.get("embedded_texts")
        if wall is None or embedding is None or not texts:
            continue  # a strategy that embeds nothing, or a run from before these were recorded
        if (c.get("embedding_cache_hits") or 0) >= texts:
            warm.append((wall / units, units))  # weighted by work, as the cold rate: a tiny run is mostly loading
        else:
            rest.append((max(0.0, wall - embedding) / units, units))
    new_units = work_units(sizes, epochs, uses_epochs, embeds=embedded_splits(strategy))
    if warm:
        n = len(warm)
        return Estimate(weighted_median(warm) * new_units,
                        f"{n} past run{'s' if n > 1 else ''} on this device, served from the cache")
    if rest:
        n = len(rest)
        return Estimate(weighted_median(rest) * new_units,
                        f"{n} past run{'s' if n > 1 else ''} on this device, less {'its' if n == 1 else 'their'} "
                        "embedding pass")
    return None


def _comparable(runs: Sequence[Any], strategy: str, model: str, device: str, uses_epochs: bool,
                last: int) -> list[tuple[Any, float]]:
    """The ``last`` newest runs that succeeded with this strategy and model on this device and recorded their time
    and sizes, each with its work (:func:`work_units`)."""
    out = []
    for r in runs:
        if r.status != SUCCEEDED or r.strategy != strategy or r.model != model:
            continue
        costs = r.costs or {}
        # the machine it ran on, or what it computed on (tfidf_logreg's CPU on a GPU machine, which its costs name)
        if device not in (r.device, costs.get("device", r.device)):
            continue
        past_sizes = (r.data_summary or {}).get("sizes")
        if not costs.get("total_seconds") or not past_sizes:
            continue
        units = work_units(past_sizes, past_epochs(r), uses_epochs, past_pretrain_epochs(r),
                           past_pretrain_texts(r), embedded_splits(strategy))
        if units > 0:
            out.append((r, units))
        if len(out) >= last:
            break
    return out


def cached_share(costs: dict) -> str:
    """Which of a run's embeddings came from the cache, for its time's wording: 'the embeddings' where all did (or a
    run stored before it counted them), '258 of 680 embeddings' where some did. A first head_only run after a
    zero_shot one (which had embedded the validation and test texts) said "the embeddings came from the cache" on
    Compare while it spent 9.8 s embedding its 422 training texts (a review)."""
    hits, texts = costs.get("embedding_cache_hits"), costs.get("embedded_texts")
    if hits is None or not texts or hits >= texts:
        return "the embeddings"
    return f"{hits:,} of {texts:,} embeddings"


def _percent(share: float) -> str:
    """'58%'; never '100%' or '0%' for a share short of all or above none."""
    return f"{min(99, max(1, round(100 * share)))}%"


def cache_shares(configs: Sequence[Any], embedded: Callable[[Any], tuple[Set[bytes], Set[bytes]] | None]
                 ) -> list[float | None]:
    """For each config in the order the runs will go, the share of the texts it embeds through the shared
    embedding cache that the cache will hold when it starts: cached now, or embedded by a run before it here with
    the same model, max length, precision and truncation (zero_shot's validation and test texts serve head_only's, a second
    seed finds all of the first's). None for a config that embeds nothing.

    ``embedded``: ``config -> (keys of the texts it embeds, keys cached now)`` (:func:`bertlab.embeddings.text_keys`,
    :func:`bertlab.embeddings.cached_keys`), or None for a config that embeds nothing (or unknown).
    """
    filled: dict[tuple, set[bytes]] = {}
    out: list[float | None] = []
    for cfg in configs:
        keys = embedded(cfg) if cfg is not None else None
        if not keys or not keys[0]:
            out.append(None)
            continue
        need, now = keys
        # a run cutting texts another way (RunConfig.truncation) embeds them anew: its own cache folder
        earlier = filled.setdefault((cfg.model, cfg.max_length, cfg.precision,
                                     getattr(cfg, "truncation", "head")), set())
        out.append(sum(k in now or k in earlier for k in need) / len(need))
        earlier.update(need)
    return out


def probe_estimate(speed: Any, work: tuple[float, float] | None, tokens: float | None,
                   cached: float | None = None, model: str | None = None) -> Estimate | None:
    """A rough estimate from this device's measured speed (:class:`bertlab.speedprobe.Speed`) and a strategy's
    work (``Strategy.probe_work``) at ``tokens`` mean tokens per text; None where any of them is missing.
    ``cached``: the share of the texts it embeds that the embedding cache holds (:func:`cache_shares`): those go
    through no forward pass, and with all of them cached no model is loaded either. ``model``: the speed's, whose
    tokens are then weighed as its FLOPs weigh them (:func:`text_work`) against the length the speed was measured
    at (``speed.tokens``): measured on texts of 128 tokens, it counts each token of texts of 512 16% dearer on
    MiniLM."""
    if speed is None or work is None or not tokens:
        return None
    if model is not None and getattr(speed, "tokens", 0):
        weigh = attention_per_token(model)
        tokens = text_work(tokens, weigh) / (1.0 + weigh * speed.tokens)
    share = min(1.0, cached or 0.0)
    basis = "rough: this device's measured speed (no run of it here yet)"
    if not share:
        return Estimate(speed.seconds(*work, tokens), basis)
    step, forward = work
    secs = speed.seconds(step, forward * (1.0 - share), tokens)
    if share >= 1.0:
        return Estimate(max(0.0, secs - speed.load_seconds), f"embeddings cached; {basis}")
    return Estimate(secs, f"embeddings {_percent(share)} cached; {basis}")


def phase_time_left(progress: float | None, phase_started: float | None, now: float,
                    progress_at: float | None = None) -> float | None:
    """Seconds left in a running phase at its pace so far, or None while too early to tell: under 5 s in, or under
    5% done and under a minute in (the first steps also pay for warm-up, which a minute outweighs: a run of hours
    would otherwise say nothing for its first quarter of an hour), or nothing done or no start time recorded.

    ``progress_at``: when ``progress`` was reached (runs stored before it was recorded have none). The pace is
    then taken at that moment (elapsed x (1 - p) / p) and counted down since: between two updates of a run of few
    long steps the time left otherwise grew (12 steps of scratch read 74, 96 then 118 s while waiting on its
    second). A countdown run out (the step under way slower than the ones before) is None until the next update
    says the pace, never a "~1 s" that stays."""
    if not phase_started or not progress or progress >= 1.0:
        return None
    elapsed = now - phase_started
    if elapsed < 5 or (progress < 0.05 and elapsed < 60):
        return None
    if not progress_at or not phase_started <= progress_at <= now:
        return elapsed * (1.0 - progress) / progress
    left = (progress_at - phase_started) * (1.0 - progress) / progress - (now - progress_at)
    return left if left > 0 else None


def seconds_of_test_pass(run: Any, progress: float, phase_started: float, at: float) -> float:
    """The seconds a fine-tuning run's test pass should take after its training phase, at that phase's pace so far
    (``progress`` reached at ``at``): the phase's time over its work (training texts x epochs, and its validation
    texts x epochs as forward passes, a :data:`STEP_FORWARDS`-th each) for the test texts' forward passes. 0 for
    another phase or strategy, or a run whose sizes are not recorded yet. lora's "~3 s left" at the end of training
    was followed by ~8 s of testing."""
    if run.phase != "train" or not progress:
        return 0.0
    from bertlab.strategies import REGISTRY
    from bertlab.strategies.classifier import ClassifierStrategy

    sizes = (run.data_summary or {}).get("sizes") or {}
    epochs = (run.config or {}).get("epochs") or 1
    if not isinstance(REGISTRY.get(run.strategy), ClassifierStrategy) or not sizes.get("train"):
        return 0.0
    work = sizes["train"] * epochs + sizes.get("validation", 0) * epochs / STEP_FORWARDS
    return (at - phase_started) / progress / work * sizes.get("test", 0) / STEP_FORWARDS


def time_left_at_most(run: Any) -> bool:
    """Whether a running run's time left (:func:`run_time_left`) is the most it has left: in its training phase,
    counted to its last epoch, where Stop early after may end it sooner (:func:`may_stop_early`)."""
    cfg = run.config or {}
    return run.phase == "train" and may_stop_early(run.strategy, cfg.get("epochs"), cfg.get("patience"))


def run_time_left(run: Any, now: float, progress: float | None = None) -> float | None:
    """Seconds left in a running run (a store Run): its phase's (:func:`phase_time_left`, counted down from when
    its progress was reached), and after a fine-tuning run's training its test pass (:func:`seconds_of_test_pass`);
    None while too early to tell. ``progress``: a fresher figure than the run's (the job manager's), reached at a
    time the store does not hold yet: its pace is taken now."""
    fresh = progress is not None and progress != run.progress
    p = run.progress if progress is None else progress
    at = None if fresh else run.progress_at
    start = run.pace_started  # the phase's start moved past its first step's warm-up (None: too early to tell)
    left = phase_time_left(p, start, now, at)
    if left is None:
        return None
    valid = at and start <= at <= now
    return left + seconds_of_test_pass(run, p, start, at if valid else now)


def time_left_words(run: Any, now: float, progress: float | None = None) -> str | None:
    """A running run's time left in words, '~2 min' or 'up to ~2 min' (:func:`time_left_at_most`), as the app's
    status lines, `runs` and the CLI's progress bars say it (:func:`run_time_left`); None while too early to tell."""
    left = run_time_left(run, now, progress)
    return None if left is None else Estimate(left, "", at_most=time_left_at_most(run)).text()


ENCODER_BASIS = "rough: the encoder speed"  # how encoder_estimate's basis starts
STEP_FORWARDS = 3.0  # a training step's FLOPs in forward passes: forward 2NT + A, backward 4NT + 2A (bertlab.costs)


def encoder_estimate(runs: Sequence[Any], model: str, device: str, work: tuple[float, float] | None,
                     tokens: float | None, last: int = 5) -> Estimate | None:
    """A rough estimate before any run of a strategy here and before this device's speed was measured, from the
    encoder speed measured by past zero_shot or head_only runs of ``model`` on ``device`` (their embedding pass:
    seconds per token of the texts they did not find in the cache), a training step counted as
    :data:`STEP_FORWARDS` forward passes (by FLOPs). ``work``: the strategy's ``probe_work``. None where no such
    run recorded its pass, or ``work`` or ``tokens`` is missing."""
    if work is None or not tokens:
        return None
    rates, names, weigh = [], [], None
    for r in runs:
        if r.status != SUCCEEDED or r.model != model or (r.costs or {}).get("device", r.device) != device:
            continue
        c = r.costs or {}
        secs, texts = c.get("embedding_seconds"), c.get("embedded_texts")
        computed = (texts or 0) - (c.get("embedding_cache_hits") or 0)
        if not secs or computed <= 0 or not (t := past_tokens(r)):
            continue  # no encoder pass (every text cached), or none recorded
        if weigh is None:  # tokens weighed as the FLOPs weigh them (text_work): read once, where a run counts
            weigh = attention_per_token(model)
        t = text_work(t, weigh)
        rates.append((secs / (computed * t), computed * t))
        names.append(r.strategy)
        if len(rates) >= last:
            break
    if not rates:
        return None
    from bertlab.speedprobe import Speed  # torch: only where past runs give a rate

    per_token = weighted_median(rates)
    n = len(rates)
    # the speed a probe would have measured: the encoder's pass per token, a step as STEP_FORWARDS of them, and no
    # loading (the past runs timed their pass alone); Speed.seconds is the one formula
    speed = Speed(train_s_per_token=STEP_FORWARDS * per_token, forward_s_per_token=per_token, load_seconds=0.0,
                  tokens=round(tokens), measured=0.0)
    return Estimate(probe_estimate(speed, work, text_work(tokens, weigh or 0.0)).seconds,
                    f"{ENCODER_BASIS} {' and '.join(sorted(set(names)))} measured here ({n} past "
                    f"run{'s' if n > 1 else ''}), a training step counted as {STEP_FORWARDS:g} forward passes "
                    "(FLOPs); Measure this device's speed for a closer one")
