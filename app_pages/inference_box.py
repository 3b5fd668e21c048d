"""The live inference box, full size on the Playground and compact on the Compare page.

Not a page (app.py lists the pages): a fragment the two pages call, so typing
here reruns only the box, never the charts around it.
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict

import streamlit as st

from app_pages import common
from bertlab import explain, plots
from bertlab.config import MAX_LOADED_RUNS, MAX_TEXT_CHARS
from bertlab.data.dataset import unseen_words
from bertlab.errors import BertlabError
from bertlab.metrics import probability_percent, run_single_class
from bertlab.plots import probability_figure, run_labels
from bertlab.predict import UNKNOWN_WHY, cut_note
from bertlab.store import SUCCEEDED
from bertlab.textpair import PAIR_SEP, join_pair, split_pair

EXAMPLE_LABEL = "_example_label"  # a text box's key + this: (the clicked example's text, its true label)


EXAMPLES_OPEN = "_examples_open"  # a box's key + this: the Playground's examples unfolded (the expander's key)
FIRST, SECOND = "_first", "_second"  # a box's key + these: a text pair's two boxes


def pair_columns(runs: list) -> tuple[str, str] | None:
    """The (first, second) text columns of the first of ``runs`` trained on text pairs (a pair task: GLUE's MRPC,
    QNLI...), whose box then asks for two texts; None where every run read single texts."""
    for r in runs:
        summary = r.data_summary or {}
        if summary.get("text_pair_column"):
            return str(summary.get("text_column") or "first text"), str(summary["text_pair_column"])
    return None


def pair_boxes(text_key: str, columns: tuple[str, str], runs: list) -> str:
    """Two boxes, one per text of a pair (named by the columns the runs read them from); the pair as one string
    (bertlab.textpair), as the runs' own texts are, kept under ``text_key``: empty until both are typed."""
    first, second = columns
    a = st.text_area(f"First text ({first})", key=f"{text_key}{FIRST}", height=80,
                     placeholder="e.g. “The company said profits rose sharply.”")
    b = st.text_area(f"Second text ({second})", key=f"{text_key}{SECOND}", height=80,
                     placeholder="e.g. “Profits climbed steeply, the firm said.”")
    text = join_pair(a, b) if a.strip() and b.strip() else ""
    st.session_state[text_key] = text
    if bool(a.strip()) != bool(b.strip()):  # one typed: the pair is not whole yet
        st.caption("These models were trained on text pairs: type both texts, and every model answers about the pair.")
    elif note := single_runs_note(runs):
        st.caption(note)
    return text


def single_runs(runs: list) -> set[str]:
    """The ids of ``runs`` trained on single texts, where others of them were trained on pairs (else none): they are
    given the pair's first text alone (:func:`text_for`)."""
    singles = {r.id for r in runs if not (r.data_summary or {}).get("text_pair_column")}
    return singles if len(singles) < len(runs) else set()


def single_runs_note(runs: list) -> str | None:
    """What a selection mixing pair and single-text models gives each: it gave a single-text model the two texts
    joined by [SEP], which it had never seen (it reads the marker as a word), unsaid on the page."""
    singles = single_runs(runs)
    if not singles:
        return None
    names = run_labels(runs)
    listed = ", ".join(names[r.id] for r in runs if r.id in singles)
    return (f"{listed} {'reads' if len(singles) == 1 else 'read'} single texts: "
            f"{'it answers' if len(singles) == 1 else 'they answer'} about the first text alone; the models trained "
            "on pairs answer about the pair.")


def text_for(text: str, single: bool) -> str:
    """What a run is given of the box's ``text``: a single-text run beside pair runs reads the pair's first text."""
    return split_pair(text)[0] if single else text


def _set_text(key: str, text: str, label: str | None = None, fold: str | None = None) -> None:
    """Fills the box ``key`` with ``text``; an example's true ``label`` is kept to show under the box. ``fold``:
    the examples' expander, folded so that the answers come right under the box."""
    st.session_state[key] = text
    # a text pair's two boxes (pair_boxes), filled with its two texts
    st.session_state[f"{key}{FIRST}"], second = split_pair(text)
    st.session_state[f"{key}{SECOND}"] = second or ""
    st.session_state[f"{key}{EXAMPLE_LABEL}"] = (text, label) if label is not None else None
    if fold:
        st.session_state[fold] = False


def _example_label_caption(text_key: str) -> None:
    """"True label: fresh" under the box while it holds the example clicked: the tooltip alone (hover) never reached
    a screen reader, nor a touch screen."""
    clicked = st.session_state.get(f"{text_key}{EXAMPLE_LABEL}")
    if clicked and clicked[0] == st.session_state.get(text_key):
        st.caption(f"True label: {common.md(clicked[1])}")


def _predict(run_ids: list[str], text: str, singles: frozenset[str] = frozenset()):
    """Predictions for ``text`` from each run that can answer, {run id: why not} for the others (a deleted or
    damaged model) and {run id: (tokens, max_length)} for those that read only its start, cached per (text, runs)
    in the session. ``singles``: single-text runs beside pair runs, given the pair's first text (:func:`text_for`)."""
    cache = st.session_state.setdefault("_pred_cache", {})
    k = (text, tuple(run_ids), tuple(sorted(singles)))
    if k not in cache:
        cache.clear()  # one entry is all a rerun needs; keeps the session small
        ok, bad = common.predictor().usable(run_ids)
        if ok:
            common.predictor().warm_once(ok)  # the latencies shown are a warm model's, not its first call's
        preds, cut, unknown = [], {}, {}
        for single in (False, True):  # pair runs on the pair, single-text runs on its first text
            ids = [i for i in ok if (i in singles) == single]
            if not ids:
                continue
            given = text_for(text, single)
            preds += common.predictor().predict(ids, [given])
            try:  # which runs read only the start of the text, or hardly a word of it: notes, never a reason to fail
                cut |= common.predictor().cut_texts(ids, given)
                unknown |= common.predictor().unknown_shares(ids, given)
            except Exception:  # noqa: BLE001
                pass
        preds.sort(key=lambda p: ok.index(p.run_id))
        cache[k] = (preds, bad, (cut, unknown, len(text) > MAX_TEXT_CHARS))
    return cache[k]


def _cut_note(done: list, run_ids: list[str], notes: tuple[dict, dict, bool]) -> None:
    """Say when the typed text is longer than a run reads (its max_length, as in training): its answer is about
    the start of the text only; and when most of it is unknown to a run's vocabulary (emoji, another script): its
    answer is about next to nothing."""
    cut, unknown, clipped = notes
    if unknown:
        names = run_labels(done)
        shares = sorted({f"{v:.0%}" for v in unknown.values()})
        who = ("every model here" if len(unknown) == len(run_ids) else ", ".join(names[i] for i in unknown))
        st.caption(f":material/help: {' or '.join(shares)} of this text's tokens are unknown to the vocabulary of "
                   f"{who} ({UNKNOWN_WHY}): "
                   + ("its answer says" if len(unknown) == 1 else "their answers say")
                   + " next to nothing about this text.")
    # the runs that keep a long text's start and end (RunConfig.truncation), read off their configs
    # (not a pair task's: its pairs are cut as head whatever the setting)
    ends = {r.id for r in done if r.id in cut and (getattr(r, "config", None) or {}).get("truncation") == "head_tail"
            and not (getattr(r, "data_summary", None) or {}).get("text_pair_column")}
    if note := cut_note(cut, clipped, run_labels(done) if cut else {}, len(cut) == len(run_ids), ends):
        st.caption(f":material/content_cut: {note}")


def box_runs(done: list) -> list:
    """At most MAX_LOADED_RUNS runs (the models kept in memory): one per strategy first, then the rest, each
    time those trained on the most examples first (a sweep's answer is for its largest size: the box held only its
    smaller sizes' runs), then in launch order; listed in launch order. Asking more would reload models from disk
    on every text."""
    if len(done) <= MAX_LOADED_RUNS:
        return done
    from bertlab.paired import train_size

    ranked = sorted(done, key=lambda r: -(train_size(r) or 0))  # stable: launch order among equal sizes
    firsts = {}
    for r in ranked:
        firsts.setdefault(r.strategy, r)
    picked = {r.id for r in list(firsts.values())[:MAX_LOADED_RUNS]}
    for r in ranked:
        if len(picked) >= MAX_LOADED_RUNS:
            break
        picked.add(r.id)
    return [r for r in done if r.id in picked]


CONFIDENCE_HELP = ("The probability of the predicted class. Trained models fit theirs to labelled examples (fine-tuned "
                   "ones are often overconfident still); "
                   "zero_shot's is a softmax of 20 x the cosine similarity to each label sentence: a similarity "
                   "score, not a calibrated probability, so 100% from zero_shot means \"closest by far\", not "
                   "\"certain\".")


UNKNOWN_WORDS = ("no word of this text was in its training texts (each emoji or other symbol counts as a word): the "
                 "answer is just the classes' prior, whatever the text says")
# A run trained before emoji counted as words kept its pattern: to it, they are no words at all
UNKNOWN_WORDS_OLDER = ("no word of this text was in its training texts (this run was trained before emoji and other "
                       "symbols counted as words: it skips them): the answer is just the classes' prior, whatever "
                       "the text says")


def _unknown_words(p) -> str:
    return UNKNOWN_WORDS if p.symbol_words else UNKNOWN_WORDS_OLDER


def disagreement_note(preds) -> str | None:
    """A line for runs of one dataset that answer a text differently: each must name one of its classes, so a text
    unlike their training texts (another topic, another language) still gets one, confidently enough to look right
    (a review's support-ticket runs read "The weather in Paris is lovely today": zero_shot 'feature_request' 47%,
    head_only and scratch 'shipping', full_ft 'billing' 42%, on four cards and nothing else). None where they
    agree, where fewer than two answer, or where their classes differ (runs of other datasets)."""
    if len(preds) < 2 or len({tuple(p.label_names) for p in preds}) > 1:
        return None
    answers = {p.labels[0] for p in preds}
    if len(answers) < 2:
        return None
    n = len(preds)
    return (f"The {n} runs give {len(answers)} different answers. Each model must answer one of the "
            f"{len(preds[0].label_names)} classes it learnt, with no \"none of these\": a text unlike its training "
            "texts (another topic, another language) still gets one, and its confidence need not be low. Where the "
            "runs disagree, the text may be one none of them can read.")


UNSEEN_MOST = 0.5  # more than this share of a text's words in no training text: "most" of them


def unseen_note(text: str, known: list[frozenset[str]]) -> str | None:
    """Where most words of ``text`` are in none of the runs' training texts (``known``: each run's training words,
    :func:`bertlab.data.dataset.training_words`): a line saying so. A text unlike the training texts ('asdf qwerty'
    to sentiment runs) got answers that agreed, confidently enough, and nothing on the page said it was unlike what
    they learnt from (where they disagree, :func:`disagreement_note` speaks). A count of words, not a score; None
    where most words were seen, where the text has none, or where no run's training texts could be read."""
    if not known:
        return None
    unseen, n = unseen_words(text.replace(PAIR_SEP, " "), frozenset().union(*known))
    if not n or len(unseen) <= UNSEEN_MOST * n:
        return None
    listed = ", ".join(f"“{w}”" for w in unseen[:4]) + (", …" if len(unseen) > 4 else "")
    how_many = ("Its only word" if n == 1 else "Both its words" if len(unseen) == n == 2 else
                f"All {n} words" if len(unseen) == n else f"{len(unseen)} of its {n} words")
    return (f"{how_many} ({listed}) {'is' if len(unseen) == 1 else 'are'} in none of the training texts: this text is "
            "unlike what the runs learnt from, and each must still answer one of its classes, with a confidence that "
            "need not be low.")


def learnt_from(done: list, run_ids: list[str]) -> list:
    """The data (DataConfigs, each once) whose training texts the runs ``run_ids`` of ``done`` learnt from: zero_shot,
    which reads none (its strategy's ``reads_training_texts``), left out."""
    from bertlab.strategies import REGISTRY

    learnt = {repr(r.run_config.data): r.run_config.data for r in done if r.id in run_ids
              and getattr(REGISTRY.get(r.strategy), "reads_training_texts", True)}
    return list(learnt.values())


def _unseen_caption(done: list, run_ids: list[str], text: str) -> None:
    """:func:`unseen_note` for the runs that answered (their training texts, read once per data)."""
    known = [w for cfg in learnt_from(done, run_ids) if (w := common.training_words(cfg)) is not None]
    if note := unseen_note(text, known):
        st.caption(f":material/travel_explore: {note}")


def _results(runs, preds, compact: bool) -> None:
    labels = run_labels(runs)
    # A run that answered one class to every test text answers it here too: its answer means nothing, say so.
    one_class = {r.id: c for r in runs if (c := run_single_class(r.metrics))}
    if compact:
        # One line per run, which wraps where the box is narrow: a three-column table in the third of the page
        # cut the answers to "f" and "r" at 1024 px and the confidences to "57" (projector mode, 1280 px).
        # Latencies go in one line under it, backends and per-class probabilities are on the Playground.
        st.markdown("\n".join(
            f"- {common.md(labels[p.run_id])}"
            + (" ⚠" if p.run_id in one_class or (p.unknown and p.unknown[0]) else "")
            + f": **{common.md(p.labels[0])}** · {probability_percent(p.probs[0].max())}" for p in preds),
            help="Each run's answer and its confidence. " + CONFIDENCE_HELP)
        ms = sorted(p.latency_ms for p in preds)
        spread = f" to {ms[-1]:.0f} ms" if round(ms[-1]) != round(ms[0]) else ""
        st.caption(f"Answered in {ms[0]:.0f} ms{spread}" + (" per run" if len(ms) > 1 else "") +
                   " (the Playground shows each run's backend and probabilities)."
                   + "".join(f" ⚠ {labels[i]} answers {common.md(repr(c))} to every test text: its answer here means "
                             "nothing." for i, c in one_class.items())
                   + "".join(f" ⚠ {labels[p.run_id]}: {_unknown_words(p)}" for p in preds if p.unknown and p.unknown[0])
                   + (f" {split}" if (split := disagreement_note(preds)) else ""))
        return
    # Two a row in projector mode: four at 1024 px (its text a quarter larger) cut the answers to "r…" and "fr…"
    cols = st.columns(min(2 if common.projector() else 4, len(preds)))
    for i, p in enumerate(preds):
        with cols[i % len(cols)].container(border=True):
            swatch = common.swatch(p.strategy)
            st.markdown(f"{swatch} <b>{html.escape(labels[p.run_id])}</b>",
                        unsafe_allow_html=True)
            if p.run_id in one_class:
                st.caption(f"⚠ answers {common.md(repr(one_class[p.run_id]))} to every test text: its answer "
                           "means nothing")
            if p.unknown and p.unknown[0]:
                st.caption(f"⚠ {_unknown_words(p)}")
            answer = {w: prediction_text(p.labels[0], p.label_names, len(cols), cards_px=w)
                      for w in (CARDS_PX, WIDE_PX)}
            # a name cut for 1366 px, and for a wide screen (1600 px and over) where that cut differs: each shown
            # on its screens alone (answer_css), its type smaller where the screen is narrower than 1366 px
            for w, cut in answer.items() if answer[CARDS_PX] != answer[WIDE_PX] else [(0, answer[CARDS_PX])]:
                with st.container(key=f"pg_answer_{w}_{i}"):
                    st.metric("prediction", common.md(cut), f"{probability_percent(p.probs[0].max())} confident",
                              delta_color="off", delta_arrow="off",
                              help=CONFIDENCE_HELP if p.strategy == "zero_shot" else None)
            shared = " (shared encoder pass)" if p.shared_encoder else ""
            st.caption(f"latency {p.latency_ms:.1f} ms · {p.backend}{shared}")
            # as the confidence above and the chart below round them: at one decimal here, one card said "85%
            # confident" over "business: 85.5%", and "politics: 4.7%" beside the chart's "full_ft 5%"
            for name, prob in sorted(zip(p.label_names, p.probs[0]), key=lambda t: -t[1])[:6]:
                st.progress(float(prob), text=f"{common.md(name)}: {probability_percent(prob)}")
    st.html(f"<style>{answer_css(len(cols))}</style>")
    if split := disagreement_note(preds):
        st.caption(f":material/call_split: {split}")
    pending = common.predictor().onnx_pending([p.run_id for p in preds])
    if first := [labels[p.run_id] for p in preds if p.backend == "torch" and p.run_id in pending]:
        # a first answer at 32 ms, the next at 10: the backend changed, in a word under each card
        st.caption(f":material/hourglass_top: {', '.join(first)}: PyTorch answers while "
                   f"{'its model is' if len(first) == 1 else 'their models are'} exported to ONNX (a few seconds "
                   "after loading; the copy stays in the run's folder, about the model's size again); then ONNX Runtime answers, "
                   "faster, with the same predictions: the latency drops.")
    common.chart(_probability_chart(preds, labels), width="stretch", key="pg_probs")


# The answer's room on a card, at 1366 px with the sidebar open: ~900 px of cards, each 32 px of padding and 16 px
# apart; ~18.1 px a character of its large type ('technology_and_gadget…', 22 characters, took 398 px), a quarter
# more in projector mode, and its ellipsis alone 34 px (36-px Source Sans, measured in Chromium): three cards a row
# (259 px each) cut a 14-character cut again at its end ('technol…y_ne…').
CARDS_PX, CARD_PAD_PX, CARD_GAP_PX, ANSWER_CHAR_PX, ELLIPSIS_PX = 900, 32, 16, 18.1, 34.0
# The cards' room is the screen's width less 460 px (the sidebar's 300 and the page's margins; Chromium: 564 px at
# 1024, 906 at 1366, 1460 at 1920). At 1024 px (a projector) the cut for 1366 ran under the card's own ellipsis
# ('tec…' for 'tech…iews', four cards; 'techno…eviews' in 145 px at three, 241 px wide); at 1920 it cut names that
# fitted whole ('technology…ts_reviews' in 690 px). A second cut for 1600 px and over, and below 1366 px the type
# made smaller in proportion to the card, so that the cut holds (answer_css).
BESIDE_PX, WIDE_FROM_PX = 460, 1600
# Of those 460 px, the sidebar's 300 stay 300 in projector mode; the page's margins, like the cards' padding and
# gaps, are in rem and grow with the page's type (common.PROJECTOR_PX): at 1024 px in projector mode two cards' text
# was 212 px each (Chromium), 1024 less 600 px halved, where the type's rule counted 540 px and drew the cut 225 px
# wide, cut again at its end ('technolo…try_n…').
SIDEBAR_PX = common.SIDEBAR_PX
# Streamlit's md breakpoint: below it the sidebar covers the page (or is closed), never beside it, and under 640 px the
# cards stand one under another, each the page's width. The type that shrinks with the room beside the sidebar
# (answer_css) is for wider screens alone: on a 390-px phone it came to 0 px (calc(100vw - 492px) below zero, one
# card), the answer drawn as nothing above its "80% confident" (Chromium). Streamlit folds the sidebar at 768 px
# too (an iPad held upright): there the rule gave one card 11.4 px in its 704-px card; it stands beside from 769 px.
SIDEBAR_BESIDE_FROM_PX = 769
WIDE_PX = WIDE_FROM_PX - BESIDE_PX
# Streamlit's page keeps 5rem each side from 864 px of screen (736 px + 2 x (5rem - 1rem), its media query's rem
# being 16 px in projector mode too), 1rem under it: BESIDE_PX's margins are 128 px (2 x 4rem) less there. At 800 px,
# the sidebar open (Chromium), one card's text was 436 px, where the rule counted 308 and drew the answer at 12.8 px
# (three cards: 113 px each, 9.9 px type), half the 36 px in 868 px that its cut is made for.
PAGE_PAD_WIDE_FROM_PX, PAGE_PAD_LESS_PX = 864, 128
ANSWER_PX = 36.0  # the answer's type (Streamlit's metric value, 2.25rem)


def answer_css(cards: int, projector: bool | None = None) -> str:
    """CSS for the Playground's cards, ``cards`` a row: each of an answer's two cuts (:func:`prediction_text` at
    1366 and at 1600 px) shown on its screens alone, and the answer's type made smaller below 1366 px, in
    proportion to the room a card's text has there (the sidebar open), never larger than it is; under
    :data:`SIDEBAR_BESIDE_FROM_PX` (a phone: no sidebar beside the cards) the type is left as it is."""
    scale = common.PROJECTOR_PX / 16 if (common.projector() if projector is None else projector) else 1.0
    room = (CARDS_PX - CARD_GAP_PX * (cards - 1)) / cards - CARD_PAD_PX  # at 1366 px, as the cut counts it
    # what a screen's width gives no card text: the sidebar, and the margins, gaps and padding at the page's type
    fixed = SIDEBAR_PX + (BESIDE_PX - SIDEBAR_PX + CARD_GAP_PX * (cards - 1) + CARD_PAD_PX * cards) * scale
    per_px = ANSWER_PX * scale / (cards * room)  # the type's px for each px of screen width beyond ``fixed``
    value = "[class*='st-key-pg_answer_'] [data-testid='stMetricValue']"

    def sized(less: float) -> str:  # the type's rule, open and folded (its button: its 300 px are the cards' too)
        return "".join(f"{within}{value}{{font-size:min({ANSWER_PX * scale:g}px,calc((100vw - {fixed - less - folded:g}px)"
                       f" * {per_px:.5f}))}}" for within, folded in (("", 0), (f"body:has({common.SIDEBAR_FOLDED}) ",
                                                                            SIDEBAR_PX)))

    return (f"@media (min-width:{WIDE_FROM_PX}px){{[class*='st-key-pg_answer_{CARDS_PX}_']{{display:none}}}}"
            f"@media (max-width:{WIDE_FROM_PX - 0.02}px){{[class*='st-key-pg_answer_{WIDE_PX}_']{{display:none}}}}"
            f"@media (min-width:{SIDEBAR_BESIDE_FROM_PX}px){{{sized(0)}}}"
            f"@media (min-width:{SIDEBAR_BESIDE_FROM_PX}px) and (max-width:{PAGE_PAD_WIDE_FROM_PX - 0.02}px)"
            f"{{{sized(PAGE_PAD_LESS_PX * scale)}}}")


def prediction_text(name: str, names, cards: int, projector: bool | None = None, cards_px: float = CARDS_PX) -> str:
    """A card's answer ``name`` (one of the run's class ``names``) cut in the middle to what fits its card, one of
    ``cards`` a row (:func:`bertlab.plots.middle_cuts`, as the confusion matrices and per-class tables cut them):
    the card's own ellipsis cut it at its end ('technology_and_gadget…'), where two long names that differ only
    there ('…_positive', '…_negative') read alike. The bars under it give it whole."""
    room = (cards_px - CARD_GAP_PX * (cards - 1)) / cards - CARD_PAD_PX  # ``cards_px``: the cards' room in all
    scale = common.PROJECTOR_PX / 16 if (common.projector() if projector is None else projector) else 1.0
    most = max(8, int((room - ELLIPSIS_PX * scale) / (ANSWER_CHAR_PX * scale)) + 1)  # the ellipsis and the rest
    names = [str(n) for n in names]
    cuts = dict(zip(names, plots.middle_cuts(names, most))) if str(name) in names else {}
    return cuts.get(str(name), plots.middle_cut(str(name), most))


def _probability_chart(preds: list, labels: dict[str, str]):
    """The answers' probability chart, built once a session for what it draws (each run's name, strategy, classes
    and probabilities): a rerun that keeps the text (a click on the Playground's other widgets, a run that
    finishes elsewhere) built it anew, most of a Playground rerun. Kept in the session, not in
    :func:`common.figure`'s cache: each typed text is a figure of its own that no other session draws, and a class
    typing away would push Compare's figures out of that cache."""
    drawn = ([[p.run_id, p.strategy, list(p.label_names), p.probs[0].tolist()] for p in preds], labels)
    kept = st.session_state.get("_pg_probability_chart")
    if kept is None or kept[0] != drawn:
        kept = st.session_state["_pg_probability_chart"] = (drawn, probability_figure(preds, labels))
    return kept[1]


EXPLAINED_KEPT = 16 * MAX_LOADED_RUNS  # (run, text) pairs kept: 16 texts of a full box


@st.cache_resource(show_spinner=False)
def _explained() -> tuple[threading.Lock, OrderedDict]:
    """Every session's word weights, {(data directory, run id, text): Explanation}, oldest first (a run's model
    never changes once it has succeeded), and the lock the sessions' threads take to read or change it."""
    return threading.Lock(), OrderedDict()


def _explanations(run_ids: tuple[str, ...], text: str, home: str) -> list[explain.Explanation]:
    """Word weights of each run for ``text``, in ``run_ids``' order, cached per (data directory, run, text): the
    toggle, a rerun or the same text again answers at once, and a run that joins the box (a sweep's runs finishing
    one by one) costs its own pass only (a cache per whole tuple of runs made each finished run recompute every
    run's 61-text pass); the runs not yet cached share one :meth:`Predictor.predict` call."""
    lock, kept = _explained()
    with lock:
        found = {r: kept[k] for r in run_ids if (k := (home, r, text)) in kept}
    if missing := [r for r in run_ids if r not in found]:
        for e in explain.explain(common.predictor(), missing, text):
            found[e.run_id] = e
    with lock:  # the newest last (another session may have dropped one since: set again)
        for r, e in found.items():
            kept[(home, r, text)] = e
            kept.move_to_end((home, r, text))
        while len(kept) > EXPLAINED_KEPT:
            kept.popitem(last=False)
    return [found[r] for r in run_ids if r in found]


EXPLAIN_WHAT = ("Each word is left out in turn and every model answers again: a word's weight is how much the "
                "probability of the model's answer drops without it (blue: it supported the answer; orange: it "
                "spoke against it; one scale for all models, so they compare). A sketch of one method, not the "
                "model's reasoning: leaving a word out also makes a new sentence, and words that only count "
                "together (\"not good\") get little weight each. A word is weighed against the text without it, so a "
                "text of one word gets none.")


def _shown(text: str) -> str:
    """``text`` shown as typed inside inline HTML that Markdown also reads (no quote escaped: ``&#x27;`` has a
    ``#`` that Markdown-escaping would break). The entities html.escape writes keep their ``&``: ``common.md``
    escapes a typed ``&`` so that a text's own ``&amp;`` reads as typed, which here would show ``&amp;`` for ``&``."""
    return common.md(html.escape(text, quote=False)).replace("\\&", "&")


def _why_words(runs, preds, text: str, singles: frozenset[str] = frozenset()) -> None:
    """"Which words decided it?": off by default (it asks each model about up to 60 more texts); on, each run's
    text tinted by its word weights, in the cards' order and colours, with its top words in plain text."""
    if not st.toggle("Which words decided it?", key="pg_explain", help=EXPLAIN_WHAT):
        return
    try:
        with st.spinner("Leaving out each word in turn…"):
            found = [e for single in (False, True)
                     for e in _explanations(tuple(p.run_id for p in preds if (p.run_id in singles) == single),
                                            text_for(text, single), str(common.data_home()))]
            order = [p.run_id for p in preds]
            found.sort(key=lambda e: order.index(e.run_id))
    except BertlabError as e:
        common.show_error(e)
        return
    except Exception as e:  # noqa: BLE001 - as _predict's: a failed explanation must not take the page down
        st.error(f"explanation failed: {type(e).__name__}: {common.md(e)}")
        return
    if not found:
        return
    if found[0].alone:  # weighed against "[empty]", not against no text: no number rather than a misleading one
        st.caption(f":material/info: {common.md(explain.ALONE)}")
        return
    labels = run_labels(runs)
    scale = explain.shared_scale(found)
    st.caption(EXPLAIN_WHAT)
    st.markdown(f"<div style='font-size:0.9em' aria-hidden='true'>{explain.legend_html(scale)}</div>",
                unsafe_allow_html=True)
    # the runs that also read the text's end (head+tail truncation), past the words weighed: single-text runs (beside
    # pair runs, given the pair's first text)
    ends = (explain.end_readers(common.predictor(), order, text_for(text, bool(singles)))
            if found[0].capped else None)
    if note := explain.capped_note(found[0], ends, labels):
        st.caption(f":material/content_cut: {note}")
    for e in found:
        with st.container(border=True):
            swatch = common.swatch(e.strategy)
            # Markdown reads this line (a label "*so*" was shown in italics): escaped for HTML, then for Markdown
            st.markdown(f"{swatch} <b>{_shown(labels[e.run_id])}</b> answers <b>{_shown(e.label)}</b> "
                        f"({_shown(probability_percent(e.prob))})", unsafe_allow_html=True)
            # the tinted text is for the eye: screen readers get the top words in plain text under it instead
            st.markdown(f"<div aria-hidden='true' style='line-height:1.9'>{explain.text_html(e, scale)}</div>",
                        unsafe_allow_html=True)
            st.caption(common.md("Top words " + explain.top_words_line(e) + " (probability points)"))


# An example longer than this shows its start on the Playground (a click still fills in the whole text): ten whole
# BBC articles of ~2,000 characters each pushed the text box and the answers ~2,500 px down the page.
WHOLE_EXAMPLE_CHARS = 300
# Where most examples are longer than that (news articles), one per class, each its first two lines or so: eight
# starts of 300 characters still took ~900 px above the text box on bbc_news at 1280 px.
LONG_EXAMPLE_CHARS = 160
LONG_EXAMPLES = 6  # at most: twenty topics of articles would be twenty buttons


def every_class_first(examples: list[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` of ``examples`` ((text, label) pairs, grouped by class), one of each class in turn, so that
    every class has one before any has two: the first eight of bbc_news's two per class had none of 'tech'."""
    by_class: dict[str, list[tuple[str, str]]] = {}
    for ex in examples:
        by_class.setdefault(ex[1], []).append(ex)
    rounds = [group[i] for i in range(max(map(len, by_class.values()), default=0))
              for group in by_class.values() if i < len(group)]
    return rounds[:limit]


def example_label(text: str, compact: bool, most: int | None = None) -> str:
    """A button's text for an example: whole on the Playground up to WHOLE_EXAMPLE_CHARS (or ``most``; then its
    start, cut at a word), 60 characters in the Compare page's narrow box."""
    most = most or (60 if compact else WHOLE_EXAMPLE_CHARS)
    if len(text) <= most:
        return text
    cut = text[: most - 3]
    return (cut.rsplit(" ", 1)[0] if " " in cut[most // 2 :] else cut) + "…"


def _example_buttons(examples: list[tuple[str, str]], key: str, text_key: str, compact: bool,
                     fold: str | None = None) -> None:
    """One-click example texts, every class's first. On the Playground each is whole (up to WHOLE_EXAMPLE_CHARS),
    one a line at full width, left-aligned and wrapped: a teacher reads them aloud, and four a row cut them to
    "This is a dark, grit…" at 1280 px; where most are longer (articles), one per class, each its start. In the
    Compare page's narrow box, two a row, shortened. The whole text is the tooltip, and a click fills it in (and
    folds the expander ``fold`` they are in)."""
    # From the test split: a teacher asked whether the models had trained on them (a right answer would then
    # prove little).
    st.caption("Try an example from the test set (texts no model here trained on; its true label shows under the "
               "box once clicked, and on hover):")
    # a list, its buttons close together; the whole ones styled by their key's ending (_examples_whole)
    where = st.container(key=f"{key}_examples" + ("" if compact else "_whole"), gap="xsmall")
    cols = where.columns(2) if compact else [where]
    long = not compact and 2 * sum(len(t) > WHOLE_EXAMPLE_CHARS for t, _ in examples) > len(examples)
    limit = min(len({lab for _, lab in examples}), LONG_EXAMPLES) if long else 4 if compact else 8
    for i, (text, label) in enumerate(every_class_first(examples, limit)):
        shown = example_label(text, compact, LONG_EXAMPLE_CHARS if long else None)
        # The whole text and the label: narrow columns clip even a short text (with an ellipsis of their own).
        tip = f"{common.md(text)}\n\ntrue label: {common.md(label)}"
        cols[i % len(cols)].button(common.md(shown), key=f"{key}_ex_{i}", help=tip, on_click=_set_text,
                                   args=(text_key, text, label, fold), width="stretch")
    if not compact:  # Streamlit centres a button's label on one line and cuts the rest: wrap it, from the left
        st.html("<style>[class*='_examples_whole'] button{justify-content:flex-start}"
                "[class*='_examples_whole'] button>div{justify-content:flex-start;width:100%}"
                "[class*='_examples_whole'] button p{text-align:left;white-space:normal;overflow:visible;"
                "text-overflow:clip}</style>")


@st.fragment
def inference_box(run_ids: list[str], key: str, compact: bool = False,
                  examples: list[tuple[str, str]] | None = None) -> None:
    """Type a text, see every given succeeded run's prediction, probabilities and latency.

    Args:
        run_ids: runs to ask; read afresh from the store on every rerun, so runs that finish while the
            page is open join in. Only succeeded ones predict.
        key: widget-key prefix (one per page).
        compact: a short table instead of per-run cards and a chart.
        examples: (text, label) pairs offered as one-click inputs.
    """
    store = common.store()
    # In launch order, as the status lines and charts list them.
    done = sorted((r for r in (store.get(i) for i in run_ids) if r is not None and r.status == SUCCEEDED),
                  key=lambda r: r.created)
    n_done, done = len(done), box_runs(done)
    text_key = f"{key}_text"
    st.session_state.setdefault(text_key, "")
    if examples and compact:  # the Playground's come under its box
        _example_buttons(examples, key, text_key, compact)
    # A movie review only where the runs learnt movie reviews; other data gets no misleading example.
    movies = bool(done) and all(r.dataset == "rotten_tomatoes" for r in done)
    pairs = pair_columns(done)
    if compact:
        hint = (f"first text{PAIR_SEP}second text (a pair)" if pairs else
                "A moving, funny film." if movies else "A text like those in your data")
        text = st.text_input("Type a sentence and press Enter" if not pairs else
                             f"Type a pair as: first text{PAIR_SEP}second text, and press Enter", key=text_key,
                             placeholder=hint)
        if pairs and (note := single_runs_note(done)):
            st.caption(note)
        _example_label_caption(text_key)
    else:
        if pairs:  # a pair task's models read two texts: a box for each
            text = pair_boxes(text_key, pairs, done)
        else:
            text = st.text_area("Text to classify", key=text_key, height=100,
                                placeholder="Type any sentence, e.g. “A moving, beautifully acted film.”" if movies
                                else "Type any text like those in the data the runs learnt from")
        _example_label_caption(text_key)
        asked = st.button("Predict", type="primary", key=f"{key}_go")
        if examples:
            # Under the box, folded: eight whole texts above it put the box at y=762 px and every answer below the
            # first screen at 1366x768. A click fills the box and folds them again, so its answers come under it.
            fold = f"{key}{EXAMPLES_OPEN}"
            with st.expander("Try an example from the test set", key=fold, on_change="rerun",
                             icon=":material/list:"):
                _example_buttons(examples, key, text_key, compact, fold)
    if not done:
        st.info("Predictions appear here as soon as a run has finished.")
        return
    if not text.strip():
        if not compact and asked:  # a click on an empty box must say why nothing happens
            st.warning(("Type both texts of the pair first" if pairs else "Type a text to classify first")
                       + " (or click one of the examples: *Try an example from the test set*, under the box).",
                       icon=":material/edit:")
        st.caption("Type a text and every finished model answers. "
                   f"{len(done)} ready: " + ", ".join(run_labels(done).values()))
        return
    try:
        with st.spinner("Predicting…"):
            singles = frozenset(single_runs(done))
            preds, bad, cut = _predict([r.id for r in done], text, singles)
    except BertlabError as e:
        common.show_error(e)
        return
    except Exception as e:  # noqa: BLE001 - a failed prediction must not take the page down
        st.error(f"prediction failed: {type(e).__name__}: {common.md(e)}")
        return
    if bad:
        names = run_labels(done)
        st.warning("Cannot answer: " + "; ".join(f"**{common.md(names[i])}**: {common.md(why)}"
                                                  for i, why in bad.items()), icon=":material/warning:")
    if preds:
        # Before the answers: under them (and under the chart and the words' weights) a 3,000-word article's
        # answers read as the whole text's, its "reads only its first 512" note a scroll away.
        _cut_note(done, [p.run_id for p in preds], cut)
        _unseen_caption(done, [p.run_id for p in preds], text)
        _results([r for r in done if r.id not in bad], preds, compact)
        if not compact:
            _why_words([r for r in done if r.id not in bad], preds, text, singles)
    if n_done > len(done):
        st.caption(f"{len(done)} of the {n_done} finished runs answer here (one per strategy first): more would "
                   "not stay loaded. " + ("Choose which on the Playground." if compact else ""))
