"""Learning curves page: run chosen strategies at several training sizes and seeds; plot accuracy vs labels."""

from __future__ import annotations

import math
import time

import streamlit as st

from app_pages import common
from bertlab import answer, memory, sweep
from bertlab.config import DEFAULT_MODEL, TRUNCATIONS
from bertlab.errors import BertlabError, ModelError
from bertlab.models import resolve
from bertlab.strategies import REGISTRY

SIZE_CHOICES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, "all"]
DEFAULT_SIZES = list(sweep.DEFAULT_SIZES)  # five up to 2048, the CLI's too: "all" is hours of full_ft on a CPU
NEW_SWEEP = "A new sweep"  # the form's heading, under the sweeps' results where there are some
ACTIVE_STATUSES = ("queued", "running")
CONFIRM_RUNS = 20  # a sweep queueing more new runs than this...
CONFIRM_SECONDS = 30 * 60  # ...or estimated to take longer asks for a second click first


LR_KEY = "keep_sw_lr_"  # + a strategy's name: the learning rate of its points (its own default unless changed)
NEW_VOCAB_KEY = "keep_sw_scratch_new_vocab"  # scratch's points train their own vocabulary (the CLI's --new-vocab)
TRUNCATION_KEY = "keep_sw_truncation"  # how the points cut a long text (the CLI's --truncation)
SWEEP_FORM_KEYS = ("keep_sw_strategies", "keep_sw_sizes", "keep_sw_seeds", "keep_sw_model", "keep_sw_min_steps",
                   "keep_sw_class_weights", "keep_sw_fixed_split", NEW_VOCAB_KEY, TRUNCATION_KEY)


def _kept_value(key: str, value, default):
    """A form value this desk kept, where it is still a valid choice (a strategy or size the page offers, a number
    in range); else ``default``."""
    if value is None:
        return default
    if key == "keep_sw_strategies" and isinstance(value, list) and all(v in REGISTRY for v in value):
        return value
    if key == "keep_sw_sizes" and isinstance(value, list) and all(v in SIZE_CHOICES for v in value):
        return value
    if key == "keep_sw_seeds" and isinstance(value, int) and 1 <= value <= 10:
        return value
    if key == "keep_sw_min_steps" and isinstance(value, int) and 0 <= value <= 1000:
        return value
    if key == "keep_sw_model" and isinstance(value, str):
        return value
    if key in ("keep_sw_class_weights", "keep_sw_fixed_split", NEW_VOCAB_KEY) and isinstance(value, bool):
        return value
    if key == TRUNCATION_KEY and value in TRUNCATIONS:
        return value
    return default


def sweep_form() -> None:
    """Widgets for a new sweep over the dataset chosen on the Data page; queues it on submit."""
    cfg = common.data_config()
    whole = uncapped_splits(cfg)
    # how many texts each point is scored on: the Data page's test cap, or what the split holds under it (a lecturer
    # wanting a small test set read "The test set stays the same" and not its size, nor where it is set)
    n_test = sweep.test_texts(cfg.test_size, whole.sizes()["test"] if whole is not None else None)
    size = f" ({n_test:,} texts, set by the Data page's size)" if n_test else ""
    st.markdown(f"**Dataset:** {common.md(cfg.label)} (choose another on the Data page). The test set{size} stays "
                "the same for every size of a seed; smaller training sets are subsets of larger ones.")
    # Defaults go through session state (not default=/value=): app.py re-assigns "keep_" keys on every run. A
    # reload at the same desk starts from the form last run there (it went back to the 75-run default).
    kept = ({} if all(k in st.session_state for k in SWEEP_FORM_KEYS)  # read the desk's file once a session
            else common.desk_settings().get("sweep_form") or {})
    for k, v in (("keep_sw_strategies", [s for s in sweep.DEFAULT_SWEEP_STRATEGIES if s in REGISTRY]),  # as `sweep`'s
                 ("keep_sw_sizes", DEFAULT_SIZES), ("keep_sw_seeds", 3), ("keep_sw_model", DEFAULT_MODEL),
                 ("keep_sw_min_steps", 20), ("keep_sw_class_weights", False), ("keep_sw_fixed_split", False),
                 (NEW_VOCAB_KEY, False), (TRUNCATION_KEY, "head")):
        st.session_state.setdefault(k, _kept_value(k, kept.get(k), v))
    for k, v in kept.items():  # the learning rates this desk last swept at, where still a valid rate
        if k.startswith(LR_KEY) and k[len(LR_KEY):] in REGISTRY and isinstance(v, (int, float)) and 1e-6 <= v <= 1:
            st.session_state.setdefault(k, float(v))
    # Not an st.form: Enter in one of its fields launched the sweep at once (a teacher typed a seed count and
    # queued 9 runs); plain widgets also let the line above the button say what the sweep will queue and take.
    with st.container(border=True):
        names = st.multiselect("Strategies (one curve each)", list(REGISTRY), key="keep_sw_strategies")
        sizes = st.multiselect("Training-set sizes (labelled examples)", SIZE_CHOICES, key="keep_sw_sizes",
                               help="'all' = the whole training split.")
        c1, c2, c3 = st.columns(3)
        # The seeds count from the Data page's split seed (s, s + 1, ...), as the CLI's `sweep --split-seed s`:
        # seeds 0, 1, 2 replaced a custom split seed without a word. Each draws its own split (test set too) unless
        # "one split for every seed" (the CLI's --fixed-split).
        n_seeds = c1.number_input("Seeds per point", 1, 10, key="keep_sw_seeds",
                                  help=f"Seeds {cfg.seed}, {cfg.seed + 1}, ... (counted from the Data page's split "
                                       f"seed, {cfg.seed}). Each seed draws another split (training sample, "
                                       "validation and test set: the Data page's split is not used) and another "
                                       "initialisation: the error bars include which texts were labelled and "
                                       "tested. With 'One split for every seed', only the initialisation, order "
                                       "and dropout change.")
        model = c2.text_input("Model", key="keep_sw_model")
        min_steps = c3.number_input("Minimum steps per point", 0, 1000, key="keep_sw_min_steps",
                                    help="Small training sets get more epochs so each point trains at least "
                                         "this many optimizer steps, and at least its strategy's own minimum "
                                         "(40 for full_ft, partial_ft, lora and dapt), so fine-tuning is not cut "
                                         "short. 0: epochs are not raised.")
        # as the Train page's panels offer it (same words, same help), for the strategies that read tokens
        cut_col, _ = st.columns([1, 2])
        truncation = (common.truncation_input(cut_col, TRUNCATION_KEY)
                      if any(REGISTRY[n].uses_tokens for n in names) else "head")
        balanced = st.checkbox("Balance the classes in the training loss", key="keep_sw_class_weights",
                               help="As on the Train page: each class's loss weighted by n / (classes x its "
                                    "count), so a rare class counts as much as a common one (zero_shot unchanged).")
        fixed = st.checkbox("One split for every seed", key="keep_sw_fixed_split",
                            help=f"Every seed trains and tests on the Data page's split (split seed {cfg.seed}); "
                                 "the seeds change only the initialisation, order and dropout (the CLI's "
                                 "--fixed-split). zero_shot and tfidf_logreg, which no seed changes, then run "
                                 "once per size.")
        new_vocab = "scratch" in names and st.checkbox(
            "scratch: new vocabulary (WordPiece, trained on each point's training texts)", key=NEW_VOCAB_KEY,
            help="As the Train page's scratch *New vocabulary* (the CLI's --new-vocab): each scratch point trains a "
                 "WordPiece vocabulary of 8,000 word pieces on its training texts first, and the model on it, "
                 "instead of the model's own vocabulary. It reads no tokenizer: a model folder without tokenizer "
                 "files serves it.")
        # What the sizes and zero_shot's points will be, and what the sweep queues, said before "Run the sweep".
        chosen = [None if s == "all" else int(s) for s in sizes]
        n_train = whole.sizes()["train"] if whole is not None else None
        fitted, merged = sweep.fit_sizes(chosen, n_train) if n_train else (chosen, [])
        if merged:
            st.info(sweep.fit_sentence(merged, n_train, None in chosen), icon=":material/straighten:")
        if whole is not None:  # a size under the class count trains on one example of each
            n_classes = len(whole.label_names)
            fitted, lifted = sweep.lift_sizes(fitted, n_classes)
            if lifted:
                st.info(sweep.lift_sentence(lifted, n_classes), icon=":material/straighten:")
        per_strategy = rate_inputs(names)
        if new_vocab:
            per_strategy.setdefault("scratch", {})["new_vocab"] = True
        if "zero_shot" in names and (zs := common.zero_shot_descriptions(cfg)):
            labels, descs, defaults = zs
            st.caption(zero_shot_note(labels, descs, defaults, whole is not None and whole.pairs))
            if descs != defaults:  # the defaults are what a run without them uses: earlier sweeps' points count
                per_strategy.setdefault("zero_shot", {})["label_descriptions"] = descs
        store = common.store()
        refused = None
        try:
            if not model.strip():
                resolve("")  # says what to enter, as the Train page does, instead of quietly using the default
            if refused := model_refusal(cfg, model.strip(), names, new_vocab):
                raise ModelError(refused)
            spec = sweep.SweepSpec(strategies=names, sizes=fitted, data=cfg, vary_split=not fixed,
                                   seeds=sweep.counted_seeds(cfg.seed, int(n_seeds)),
                                   model=model.strip(), min_steps=int(min_steps),
                                   common=({"class_weights": "balanced"} if balanced else {})
                                   | ({"truncation": "head_tail"} if truncation == "head_tail" else {}),
                                   per_strategy=per_strategy)
            todo, reused = sweep.split_points(store, spec)
        except BertlabError as e:
            spec, problem = None, e
        else:
            problem = None
            counted: list = []  # the points the estimate holds: 'up to' only of those that may stop early
            seconds, unknown = sweep.estimate_total(store.list_runs(limit=500), todo, common.device_name(),
                                                    common.run_tokens, common.run_available, common.embedding_keys,
                                                    counted=counted)
            # each strategy's peak memory beside the time, and the warning where one would not fit, as `sweep` says
            # them (it said the time alone, where the CLI's plan of the same sweep said both)
            memories = plan_memory(todo)
            st.caption(plan_text(len(todo), len(reused), spec.n_points, seconds, unknown,
                                 sweep.stop_early_strategies(counted)) + memory.plan_sentence(memories))
            if too_big := too_big_note(memories):
                st.warning(too_big, icon=":material/memory:")
        if refused:  # said before "Run the sweep", which waits: its points could only fail, or learn nothing
            st.error(refused, icon=":material/block:")
        go = st.button("Run the sweep", type="primary", icon=":material/play_arrow:", disabled=bool(refused) or (
                       spec is not None and not todo) or common.read_only(),
                       help=f"Running a sweep is {common.READ_ONLY_OFF}." if common.read_only() else None)
    if note := st.session_state.pop("sw_queued_note", None):  # set as the sweep was queued, before the redraw
        st.success(note, icon=":material/check:")
    if too_big := st.session_state.pop("sw_queued_too_big", None):  # as the note: its largest run may not fit
        st.warning(too_big, icon=":material/memory:")
    if go:
        common.save_desk_settings(sweep_form={k: st.session_state[k] for k in SWEEP_FORM_KEYS}
                                  | {k: v for k, v in st.session_state.items() if str(k).startswith(LR_KEY)})
        if problem is not None:
            common.show_error(problem)
            return
        if len(todo) <= CONFIRM_RUNS and seconds <= CONFIRM_SECONDS:
            _queue(spec)
            return
        st.session_state["sw_confirm"] = spec.to_dict()  # a big sweep: ask first
    pending = st.session_state.get("sw_confirm")
    if pending:
        _confirm(sweep.SweepSpec.from_dict(pending))


def model_refusal(cfg, model: str, names: list[str], new_vocab: bool = False) -> str | None:
    """Why the sweep's points could not run on ``model`` (markdown), as the Train page refuses them before launch: a
    strategy that cannot run on it at all (partial_ft on ALBERT, ``Strategy.refusal``), a folder without tokenizer
    files where a strategy reads the tokenizer (``common.missing_tokenizer``: scratch with a new vocabulary,
    ``new_vocab``, reads none), or a tokenizer that reads none of the training texts' words
    (``common.tokenizer_problem``); else None. A model that does not load is said where the spec is made
    (``resolve``)."""
    try:
        resolve(model, tokenizer=False)
    except BertlabError:
        return None
    for n in names:
        if why := REGISTRY[n].refusal(model):
            return common.md(why)  # it names the strategy
    if missing := common.missing_tokenizer(model, names, new_vocab, "*scratch: new vocabulary* above"):
        return missing
    if any(REGISTRY[n].reads_model_tokenizer(new_vocab) for n in names):
        return common.md(why) if (why := common.tokenizer_problem(cfg, model)) else None
    return None


def rate_inputs(names: list[str]) -> dict[str, dict]:
    """A learning rate for each chosen strategy that trains, each its own default until changed (folded away);
    ``{strategy: {"learning_rate": rate}}`` for those changed. A sweep at the defaults stays the sweep it was, so
    its earlier points are reused. Full fine-tuning at 16-64 labels is sensitive to its rate: an engineer who tuned
    it at one size wants its curve at that rate."""
    trained = [n for n in names if REGISTRY[n].uses_epochs]
    if not trained:
        return {}
    defaults = {n: sweep.default_rate(n) for n in trained}
    for n in trained:
        st.session_state.setdefault(LR_KEY + n, defaults[n])
    changed = {n: float(st.session_state[LR_KEY + n]) for n in trained
               if float(st.session_state[LR_KEY + n]) != defaults[n]}
    said = ", ".join(f"{n} at {lr:.1e}" for n, lr in changed.items())
    with st.expander("Learning rates: each strategy's own" + (f" but {said}" if changed else ""),
                     icon=":material/tune:", key="sw_rates"):  # the key keeps it open as its label changes
        cols = common.columns_unless_projector(min(3, len(trained)))
        for i, n in enumerate(trained):
            d = defaults[n]
            # +/- steps of a tenth of the default's decade, as on the Train page
            cols[i % len(cols)].number_input(n, 1e-6, 1.0, key=LR_KEY + n, format="%.1e",
                                             step=10.0 ** (math.floor(math.log10(d)) - 1),
                                             help=f"Peak AdamW learning rate of {n}'s points (its default: {d:g}).")
    return {n: {"learning_rate": lr} for n, lr in changed.items()}


def uncapped_splits(data):
    """The data's splits uncapped (its training split is what "all" trains on; its labels, how many classes a size
    must hold at least); None where it does not load."""
    try:
        return common.splits(data.uncapped())
    except BertlabError:
        return None


ZERO_SHOT_SHOWN = 6  # label sentences the sweep's zero_shot note lists whole


def zero_shot_note(labels: list[str], descs: list[str], defaults: list[str], pairs: bool = False) -> str:
    """Which sentences the sweep's zero_shot points compare each text with: the Train page's (see
    common.zero_shot_descriptions). A sweep once compared them with the bare label names and scored under the
    majority class where Compare, with the user's sentences, was at 72%."""
    # Every class up to ZERO_SHOT_SHOWN (bbc_news's five topics ended "sports: ...; ...." without 'tech'), else the
    # first ones and how many more.
    k = len(labels) if len(labels) <= ZERO_SHOT_SHOWN else ZERO_SHOT_SHOWN - 1
    more = f" and {len(labels) - k} more" if k < len(labels) else ""
    if pairs:  # a pair task: no sentence per class tells how two texts relate (runner's note on zero_shot says it)
        shown = ", ".join(repr(str(n)) for n in labels[:k]) + more
        return (f":material/edit_note: a pair task: zero_shot points compare one embedding of each pair (its two "
                f"texts read together) with the classes' sentences or names ({common.md(shown)}), which rarely says "
                "how the two relate: expect about chance, a floor for the trained strategies.")
    if all(d.casefold() == str(n).strip().casefold() for d, n in zip(descs, labels)):
        shown = ", ".join(repr(str(n)) for n in labels[:k]) + more
        return (f":material/edit_note: zero_shot points compare each text with the bare label names "
                f"({common.md(shown)}): write a sentence per class in the Train page's zero_shot panel first, "
                "it usually does far better.")
    pairs = "; ".join(f"{common.md(n)}: \"{common.md(d)}\"" for n, d in zip(labels[:k], descs[:k]))
    pairs += f"; {more.strip()} (the Train page's zero_shot panel lists them all)" if more else ""
    where = "as written on the Train page" if descs != defaults else "the Train page's zero_shot panel changes them"
    return f":material/edit_note: zero_shot points compare each text with these sentences ({where}): {pairs}."


def plan_memory(todo: list) -> dict[str, memory.MemoryEstimate]:
    """Each strategy's largest estimated peak memory among the new points (:func:`bertlab.memory.per_strategy`,
    texts filling max length, as `sweep`'s plan line): a point's batch is lowered to its training texts, so one
    config per strategy and size is estimated, not every seed's."""
    one_each = list({(c.strategy, c.data.train_size): c for c in todo}.values())
    return memory.per_strategy(one_each, common.device_info()[0],
                               lambda c: c.data.train_size or (common.run_available(c) or {}).get("train"))


def too_big_note(memories: dict[str, memory.MemoryEstimate]) -> str | None:
    """The warning where a strategy's largest point may not fit in the memory free on this page's device now
    (:func:`bertlab.memory.too_big_note`), None where each fits: said under the form's plan line, in the big
    sweep's confirm box and under the queued sweep's note."""
    dev = common.device_info()[0]
    return memory.too_big_note(memories, memory.available_bytes(dev.type), dev.type)


def plan_text(n_new: int, n_reused: int, n_points: int, seconds: float, unknown: int,
              sooner: list[str] | tuple = ()) -> str:
    """What "Run the sweep" would queue, said before it is pressed: '9 new runs (9 earlier runs reused, 18 points
    in all). Estimated time here: ~24 s …'; 'All 18 points are done' where nothing is new."""
    if not n_new:
        return (f":material/task_alt: All {n_points} points of this sweep are done or under way: nothing new to "
                "queue (its results are above, under the *Sweep* menu at the top of the page).")
    reused = f"{n_reused} earlier run{'s' * (n_reused != 1)} reused, " if n_reused else ""
    return (f":material/schedule: Queues {n_new} new run{'s' * (n_new != 1)} ({reused}{n_points} points in all)."
            + sweep.estimate_sentence(seconds, unknown, n_new, sooner))


def longest_sentence(todo: list, timed: list, unknown: int) -> str:
    """The big sweep's confirm box's word on which points take longest: the point whose estimated time is largest
    (``timed``: :func:`bertlab.sweep.estimate_total`'s ``(config, seconds)``) where every point has an estimate;
    else the largest size, its strategy named only where it is the one strategy at that size. It named the first
    strategy at the largest size (or full_ft): tfidf_logreg, the cheapest, where it came first."""
    from bertlab.estimate import format_duration

    def size(c) -> str:
        return f"{c.data.train_size:,}" if c.data.train_size else "all"

    if timed and not unknown:
        slow, s = max(timed, key=lambda t: t[1])
        return f" The longest points are {slow.strategy} on {size(slow)} examples (~{format_duration(s, rough=True)} each)."
    if not todo:
        return ""
    top = max(todo, key=lambda c: c.data.train_size or 10**9)
    there = {c.strategy for c in todo if c.data.train_size == top.data.train_size}
    return (f" The largest points ({top.strategy + ' on ' if len(there) == 1 else ''}{size(top)} examples) take "
            "longest.")


def _confirm(spec: sweep.SweepSpec) -> None:
    """A big sweep waits for a second click, with its size and estimated time in front of the user."""
    store = common.store()
    todo, reused = sweep.split_points(store, spec)
    counted: list = []
    timed: list = []
    seconds, unknown = sweep.estimate_total(store.list_runs(limit=500), todo, common.device_name(),
                                             common.run_tokens, common.run_available, common.embedding_keys,
                                             counted=counted, timed=timed)
    box = st.container()
    c1, c2, _ = st.columns([1, 1, 2])
    if c1.button(f"Queue the {len(todo)} runs", type="primary", icon=":material/play_arrow:", key="sw_confirm_go"):
        st.session_state.pop("sw_confirm", None)
        _queue(spec)
        return
    if c2.button("Change the sweep", icon=":material/edit:", key="sw_confirm_back"):
        st.session_state.pop("sw_confirm", None)
        st.rerun()
    biggest = longest_sentence(todo, timed, unknown)
    memories = plan_memory(todo)  # each strategy's peak memory and the warning, as the form's plan line says them
    box.warning(f"This sweep queues **{len(todo)} new runs** ({len(reused)} earlier runs reused, for "
                f"{spec.n_points} points in all).{sweep.shared_sentence(spec)}{sweep.estimate_sentence(seconds, unknown, len(todo), sweep.stop_early_strategies(counted))}{biggest}{memory.plan_sentence(memories)} They train in the background one "
                "after another; queued points can be cancelled on this page.", icon=":material/schedule:")
    if too_big := too_big_note(memories):
        box.warning(too_big, icon=":material/memory:")


def _queue(spec: sweep.SweepSpec) -> None:
    try:
        sub = sweep.submit(common.manager(), spec)
    except BertlabError as e:
        common.show_error(e)
        return
    st.session_state["keep_sw_current"] = sub.sweep_id
    common.remember_batch(sub.sweep_id)
    store = common.store()
    configs = [r.run_config for r in (store.get(i) for i in sub.submitted) if r is not None]
    counted: list = []
    seconds, unknown = sweep.estimate_total(store.list_runs(limit=500), configs, common.device_name(),
                                             common.run_tokens, common.run_available, common.embedding_keys,
                                             counted=counted)
    memories = plan_memory(configs)
    st.session_state["sw_queued_note"] = (
        f"Sweep queued: {len(sub.submitted)} new runs, {len(sub.reused)} earlier runs reused "
        f"({spec.n_points} points in all).{sweep.shared_sentence(spec)}{sweep.estimate_sentence(seconds, unknown, len(configs), sweep.stop_early_strategies(counted))}"
        f"{memory.plan_sentence(memories)}")
    st.session_state["sw_queued_too_big"] = too_big_note(memories)
    # the whole app again, the note kept for it: the sidebar's queue, drawn before this click, said "Idle: nothing
    # running or queued" beside "1 running · 17 queued" until its next look, seconds later
    st.rerun()


def sweep_results(sweep_id: str) -> None:
    """Progress, the learning-curve plot with error bars, the table and the failures of one sweep."""
    store = common.store()
    try:
        spec = sweep.load_sweep(store, sweep_id)
    except BertlabError as e:
        common.show_error(e)
        return
    rows = sweep.collect(store, spec)
    counts = sweep.progress(rows)
    done = counts.get("succeeded", 0)
    st.progress(done / len(rows), text=f"{done} of {len(rows)} points done"
                + "".join(f" · {v} {k}" for k, v in counts.items() if k != "succeeded"))
    # What the curves, the table and "Which one to use at each size?" measure: its Judge by, drawn below the table.
    default = answer.sweep_metric(rows)
    judge = common.judge_chosen(default, "sweep_judge")
    by_f1 = judge == "macro_f1"
    agg = sweep.aggregate(rows, "test_macro_f1" if by_f1 else "test_accuracy")
    waiting = list(dict.fromkeys(r["run_id"] for r in rows if r["status"] == "queued" and r["run_id"]))
    live = any(r["status"] in ACTIVE_STATUSES for r in rows)
    bad = sweep.unfinished(rows)  # missing (runs deleted), failed, cancelled, interrupted: rerun by the button
    # a plan stored before partial_ft on ALBERT was refused: its points could only fail again, so they are left out
    refused = sweep.refusals(spec)
    again = any(p["strategy"] not in refused for _, _, pts in bad for p in pts)
    plotted = any(a["mean"] is not None for a in agg)
    if plotted:
        # from the figure cache, keyed by every point it draws: a rerun that changes none (a click, the 2-s refresh
        # while a point trains) does not build it again
        common.chart(common.figure(sweep.learning_curve_figure, agg, f"Learning curves: {spec.data.label}, {spec.model}",
                                   "test macro-F1" if by_f1 else "test accuracy", percent=not by_f1), width="stretch")
        # a strategy with no finished point has no line: said, not left out of the legend unsaid
        if gone := [s for s in spec.strategies if not any(a["strategy"] == s and a["mean"] is not None for a in agg)]:
            warned = {p["strategy"] for _, _, pts in bad for p in pts}  # "see below": a warning names its points
            names = sweep.strategy_names(spec)  # as the legend names the others
            said = [f"{names[s]} ({'no finished point; see below' if s in warned else 'queued or training'})"
                    for s in gone]
            st.caption(f":material/visibility_off: Not in the plot: {', '.join(said)}.")
        st.caption(sweep.validation_sentence(spec, common.run_available))  # what each point used, not its cap
        # The numbers as text: one seed (or one run serving every seed) has no std, and a point no seed has finished
        # yet no mean nor time, each shown as "–" (a number column printed a raw "None" there: while a sweep ran,
        # a class read "None" under "accuracy mean" beside "0/2" seeds).
        right = st.column_config.TextColumn(alignment="right")
        if by_f1:
            table = dash_text(sweep.results_table(agg, "macro-F1"), {"macro-F1 mean": "{:.3f}", "macro-F1 std": "{:.3f}",
                                                                     "train s (mean)": "{:.1f}"})
            config = {"macro-F1 mean": right, "train s (mean)": right,
                      "macro-F1 std": st.column_config.TextColumn(alignment="right",
                                                                  help="Standard deviation over seeds (– with one seed).")}
        else:
            table = dash_text(percent_rows(sweep.results_table(agg)), {"accuracy mean": "{:.1f}%",
                                                                      "accuracy std": "{:.1f} pt",
                                                                      "train s (mean)": "{:.1f}"})
            config = {"accuracy mean": right, "train s (mean)": right,
                      "accuracy std": st.column_config.TextColumn(alignment="right",
                                                                  help="Standard deviation over seeds, in points of "
                                                                       "accuracy (– with one seed).")}
        # In projector mode two tables (the scores, then the seeds and time), as Accuracy vs cost's: one of six
        # columns was 623 px wide in the 522 px beside the sidebar at 1024 px ("train s (mean)" behind a sideways
        # scroll; bbc_news, tfidf_logreg at 50/100/200 texts, headless Chromium).
        columns = list(table[0])  # strategy, n labelled, mean, std, seeds, train s (mean)
        for shown in ([columns[:4], columns[:2] + columns[4:]] if common.projector() else [columns]):
            st.dataframe(table, hide_index=True, width="stretch", column_order=shown, column_config=config)
        # Runs fetched once (in one query), not per pair: this redraws every 3 s while the sweep runs.
        by_id = {r.id: r for r in common.store().list_runs(batch_id=sweep_id, limit=100_000)}
        # (a point reused from an earlier launch is in another batch: read on its own)
        if picks := answer.sweep_rows(rows, lambda i: by_id.get(i) or common.store().get(i), judge):
            common.section("Which one to use at each size?")
            common.judge_by(default, "sweep_judge")
            # A static table, which wraps: in a data grid the "why" sentences were cut at 1280 px.
            st.table(rows_said := answer.sweep_table(picks), hide_index=True)
            for said in answer.sweep_whole_texts(picks):  # as Compare's answer says it of the largest size
                st.markdown(common.md(said))
            own_test = bool(spec.data.split_column or spec.data.hub_test_split)  # one test set at every seed
            st.caption(answer.sweep_note(spec.vary_split, judge, own_test))
            common.test_words([t["why"] for t in rows_said])
    if not plotted and live:
        st.info("No point has finished yet; the plot appears with the first one.", icon=":material/hourglass_top:")
    elif not plotted:  # nothing queued or running: no plot is coming (it said "appears with the first one")
        all_gone = all(r["status"] == "missing" for r in rows)  # every run deleted: an empty plan, or rerun it
        st.info("No point has finished, and none is queued or running: there is nothing to wait for."
                + (" Run the missing and failed points again below" if again else "")
                + (f", or delete the sweep: `python -m bertlab sweep --delete {sweep_id}`." if again and all_gone
                   else "." if again else ""), icon=":material/info:")
    for status, why, pts in bad:  # one warning per status and error, naming its points
        st.warning(f"{len(pts)} point{'s' * (len(pts) > 1)} {status}"
                   + (f" ({why})" if status == "missing" else f": {why}" if why else "")
                   + f": {sweep.points_text(pts)}", icon=":material/warning:")
    c1, c2 = st.columns(2)
    c1.download_button("Points (CSV)", lambda: _points_csv(rows), f"{sweep_id}.csv", "text/csv",
                       on_click="ignore", icon=":material/download:")
    # Another desk's sweep (a fresh desk opens on the newest, whoever launched it) asks first, as on Compare.
    own = sweep_id in common.own_launches()
    if waiting and common.cancel_control(c2, f"Cancel the {len(waiting)} queued runs", own, "sw_cancel_queued",
                                         icon=":material/cancel:"):
        for rid in waiting:
            common.cancel_run(rid, own)
        st.rerun()
    for s, why in refused.items():
        if any(p["strategy"] == s for _, _, pts in bad for p in pts):
            st.caption(":material/block: " + common.md(f"{s}'s points are not run again: {why}"))
    if again and common.cancel_control(
            c2, "Run missing and failed points again", own, "sw_run_again", icon=":material/replay:",
            disabled=common.read_only(),
            warning="Launched from another browser or from the command line (a teacher's sweep on a classroom's "
                    "server, say): running its missing and failed points again queues them on the one worker "
                    "every desk shares.", confirm="Run them again for everyone",
            confirm_icon=":material/replay:"):
        sub = sweep.submit(common.manager(), spec, sweep_id)
        st.toast(f"{len(sub.submitted)} points queued again"
                 + (f" ({', '.join(sub.left_out)} left out: it cannot run on this model)" if sub.left_out else ""))
        st.rerun()


def percent_rows(rows: list[dict]) -> list[dict]:
    """Accuracy mean and std in percent points, shown with one decimal like every accuracy in the app."""
    def pct(v):
        return None if v is None else 100 * v

    return [{**r, "accuracy mean": common.percent(r["accuracy mean"]), "accuracy std": pct(r["accuracy std"])}
            for r in rows]


def sizes_text(sizes: list) -> str:
    """'32, 128, all' (the list printed as '[32, None]' in the sweep picker)."""
    return ", ".join("all" if n is None else str(n) for n in sizes)


def sweep_title(s: dict) -> str:
    """``2 seeds · sizes 32, 64, 128 · Dec 05 18:47 · rotten_tomatoes · zero_shot, head_only``: one sweep as its
    picker names it, the short facts that tell sweeps apart first and the strategies last. At 1024 px the box cut
    the strategies-first title to '... sizes 32, 64, 128 · 2 s', which read as two seconds."""
    seeds = f"{len(s['seeds'])} seed{'s' if len(s['seeds']) != 1 else ''}"
    when = time.strftime("%b %d %H:%M", time.localtime(s["created"]))
    return " · ".join([*(["no runs"] if not s["runs"] else []),  # every run deleted: an empty plan
                       seeds, f"sizes {sizes_text(s['sizes'])}", when, common.dataset_name(s["dataset"]),
                       ", ".join(s["shown"])])


def dash_text(rows: list[dict], formats: dict[str, str]) -> list[dict]:
    """Each column of ``formats`` as text in its format, and "–" where it has no value (a std of one seed, the mean
    and time of a point no seed has finished)."""
    return [{**r, **{c: "–" if r[c] is None or r[c] != r[c] else f.format(r[c]) for c, f in formats.items()}}
            for r in rows]


def _points_csv(rows: list[dict]) -> bytes:
    from bertlab.report import csv_text, for_spreadsheet

    return for_spreadsheet(csv_text(rows))


st.title("Learning curves")
st.caption("How many labelled examples does each strategy need before it pays off? Each point is an ordinary run "
           "(queued like any other, kept in the store); finished points are never recomputed.")
# A sweep's results first, the form for a new one under them: above them, the form (about 600 px) put the chart
# of a finished sweep at y=1028 px of a 1366x768 screen and "Which one to use at each size?" at 1758 px. With no
# sweep yet the form is all there is, and comes first.
sweeps = sweep.list_sweeps(common.store())
if sweeps:
    ids = [s["id"] for s in sweeps]
    current = st.session_state.get("keep_sw_current")
    titles = common.mark_yours({s["id"]: sweep_title(s) for s in sweeps})  # this desk's sweeps end " · yours"
    chosen = st.selectbox("Sweep", ids, index=ids.index(current) if current in ids else 0, format_func=titles.get)
    st.caption(titles[chosen])  # whole: the box cuts a long one at its right edge
    live = any(r.status in ACTIVE_STATUSES for r in common.store().list_runs(batch_id=chosen, limit=5000))
    # Refresh while points are still running, so the curve grows on screen; idle pages do no work.
    st.fragment(run_every=3.0 if live else None)(sweep_results)(chosen)
    common.section(NEW_SWEEP)
sweep_form()
if not sweeps:
    st.info("No sweep yet: choose strategies and sizes above and press Run the sweep.", icon=":material/info:")
