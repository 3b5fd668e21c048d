"""Strategy cards: what each strategy trains and freezes, drawn from the real model; for a classroom projector."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from bertlab import sweep, teaching, variants
from bertlab.config import DEFAULT_MODEL
from bertlab.errors import BertlabError
from bertlab.store import ACTIVE
from bertlab.strategies import REGISTRY, one_answer_reason

REFRESH_S = 2.0  # as Compare's status lines: a card whose strategy trains now follows it
TC_MODEL_AUTO = "_tc_model_auto"  # the value the page itself last put in the Model field (not typed by the user)


def comparison_for(name: str) -> tuple[list, str | None, list, str | None, str | None]:
    """(runs, title, pending, shown title, other data). Runs and title: the comparison a card quotes, the batch Compare shows
    (as chosen there, else the newest launch that is not a sweep); where ``name`` did not succeed in it, the newest
    such launch where it did, so a side run (a CLI check on other data) does not hide the comparison the class has
    been looking at. Pending and shown title: where the card quotes another batch than the shown one, the runs of
    ``name`` queued or training in the shown one, and its title (a card quoting last week's scratch while scratch
    trains now says so). Other data: :func:`other_data`'s warning where the runs quoted are on other data than
    the shown batch's."""
    runs = common.store().list_runs(limit=500)
    sweeps = common.sweep_batches()
    batches = sweep.batches(common.store(), runs, sweeps)  # a sweep: every point's run, reused ones included
    batch = shown = common.shown_batch(runs, sweeps)
    batches, titles = common.with_picked(batches, common.batch_titles(batches, sweeps), runs)
    if batch is not None and not any(r.strategy == name and r.status == "succeeded" for r in batches[batch]):
        # a launch first; else a sweep where it ran (a card said "not run yet here" of head_only, run twenty
        # times in sweeps, while Compare showed a full_ft-only sweep)
        ran = [r.batch_id for r in runs if r.strategy == name and r.status == "succeeded" and r.batch_id in batches]
        batch = next((b for b in ran if b not in sweeps), next(iter(ran), batch))
    if batch is None:
        return [], None, [], None, None
    pending = [r for r in batches[shown] if r.strategy == name and r.status in ACTIVE] if shown != batch else []
    elsewhere = other_data(batches[batch], batches[shown], name) if shown != batch else None
    return batches[batch], titles.get(batch), pending, titles.get(shown) if pending else None, elsewhere


def other_data(runs: list, shown_runs: list, name: str) -> str | None:
    """Where a card quotes ``runs`` on other data than ``shown_runs``, the comparison Compare shows (``name`` did
    not run in that one): a warning saying so, else None. Read aloud in order, the cards put full_ft at 97.9% on
    bbc_news beside head_only at 71.8% on rotten_tomatoes, 26 points that were the data's, not the strategies'."""
    if not runs or not shown_runs:
        return None
    quoted = sorted({common.dataset_name(r.dataset) for r in runs})
    there = sorted({common.dataset_name(r.dataset) for r in shown_runs})
    if quoted == there:
        return None
    return (f"Measured on {common.md(', '.join(quoted))}, not on {common.md(', '.join(there))}, the data of the "
            f"comparison Compare shows (where {common.md(name)} has not run): these numbers do not compare with the "
            "cards that quote that one.")


def runs_models(name: str, runs: list) -> tuple[list[str], list[str]]:
    """(models of ``name``'s runs in the comparison quoted, models of all its runs): each once, in the runs' order,
    of the runs that read a model (tfidf_logreg's names one it never reads). The card draws the first of the first,
    else of the second, unless the user typed another: with Compare on an ALBERT batch the card quoted the ALBERT
    run's accuracy beside MiniLM's diagram."""
    def models(of: list) -> list[str]:
        return list(dict.fromkeys(str(r.model) for r in of if variants.reads_model(r) and getattr(r, "model", None)))

    return models([r for r in runs if r.strategy == name]), models(runs)


def card_model(name: str, runs: list) -> str:
    """The model the card draws, from the Model field (``keep_tc_model``): it starts at the model of the runs the card
    quotes (:func:`runs_models`; the default where none) and follows them (Compare's choice, another strategy) until
    the user types another; cleared, it takes theirs again. Above the field's own widget, as Streamlit requires."""
    mine, batch = runs_models(name, runs)
    theirs = next(iter(mine or batch), DEFAULT_MODEL)
    typed = str(st.session_state.get("keep_tc_model") or "").strip()
    if not typed or typed == st.session_state.get(TC_MODEL_AUTO):  # not the user's: the runs' own
        st.session_state["keep_tc_model"] = st.session_state[TC_MODEL_AUTO] = theirs
    return theirs


def other_model_note(name: str, model: str, runs: list) -> str | None:
    """Where the card draws another model than the runs of ``name`` it quotes trained (the user typed it), a
    warning saying so; None where they agree, or it quotes none (or the strategy reads no model)."""
    mine, _ = runs_models(name, runs)
    if not mine or not getattr(REGISTRY.get(name), "uses_tokens", True):
        return None
    if model.rstrip("/") in {m.rstrip("/") for m in mine}:
        return None
    their = ", ".join(f"**{common.md(variants.model_name(m))}**" for m in mine)
    return (f"The diagram is of {common.md(model)}, the model typed above; the {common.md(name)} runs measured below "
            f"trained {their}. Clear the field to draw theirs.")


def options_for(name: str, model: str) -> dict:
    """Interactive knobs that change the diagram (layers for partial_ft, rank for lora)."""
    if name == "partial_ft":
        n = sum(1 for b, _ in teaching.model_parts(model) if b.startswith("layer "))
        st.session_state.setdefault("keep_tc_layers", (n + 1) // 2)
        st.session_state["keep_tc_layers"] = min(st.session_state["keep_tc_layers"], n)  # another model
        return {"layers": st.slider("Top layers trained", 0, n, key="keep_tc_layers")}
    if name == "lora":
        st.session_state.setdefault("keep_tc_r", 8)
        return {"r": st.select_slider("Adapter rank r", [1, 2, 4, 8, 16, 32, 64], key="keep_tc_r")}
    if name == "scratch":  # the guides' "pretraining from scratch": its option mlm_epochs, on or off
        st.session_state.setdefault("keep_tc_mlm", False)
        on = st.toggle("Pretrain it as a masked LM on the texts first", key="keep_tc_mlm",
                       help="scratch's option *Masked-LM pretraining epochs first* (mlm_epochs) above 0: the random "
                            "model first learns to guess hidden words of the training texts, then the labels")
        return {"mlm_epochs": 1 if on else 0}
    return {}


def share(fraction: float) -> str:
    """A share of the weights in percent: one decimal as elsewhere, more only where that would read 0.0%."""
    pct = 100 * fraction
    if pct == 0 or pct >= 0.1:
        return f"{pct:.1f}%"
    return f"{pct:.2g}%"


def class_count(runs: list) -> int:
    """Classes the head has: those of the comparison quoted (its head's size is in the counts), else of the data
    chosen on the Data page, else 2."""
    for r in runs:
        if names := (r.data_summary or {}).get("label_names"):
            return len(names)
    try:
        return len(common.splits(common.data_config()).label_names)
    except BertlabError:
        return 2


def measured_baseline(run, majority: bool = True) -> str | None:
    """Beside a card's measured accuracy: what always answering the commonest class scores on the same test texts
    (``majority``; off where the card says it once for all its runs), and a warning where the run answered one
    class to every text (None: nothing to add)."""
    from bertlab.metrics import run_single_class

    m = (run.metrics or {}) if run is not None else {}
    parts = []
    if majority and (maj := m.get("majority_accuracy")) is not None:
        parts.append(f"always answering the commonest class would score {100 * maj:.1f}%")
    if only := run_single_class(m):
        parts.append(f"⚠ it answered {common.md(repr(only))} to every test text: {one_answer_reason(run.strategy)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else None


def label_sentences(name: str) -> None:
    """zero_shot's card: the sentences it compares each text with, as a launch on the current data would use them
    (the user's, written on the Train page, else the data's defaults). The card said "label descriptions" and
    never showed one."""
    if name != "zero_shot":
        return
    cfg = common.data_config()
    if (got := common.zero_shot_descriptions(cfg)) is None:
        return
    labels, descs, defaults = got
    whose = "yours, written on the Train page" if descs != defaults else "the defaults; change them on the Train page"
    st.markdown(f"**The {len(labels)} sentences it compares with** on the current data, "
                f"*{common.md(common.dataset_name(cfg.name))}* ({whose}):\n"
                + "".join(f"\n- **{common.md(n)}**: “{common.md(d)}”" for n, d in zip(labels, descs)))


def quoted_sentences(run, now: list[str] | None, current: str | None = None) -> str | None:
    """Under a measured zero_shot run: the sentences it compared with, where they are not the ones shown above; where
    the run is on other data than ``current`` (the Data page's, whose sentences are shown above), it says so: a
    lecturer's card listed tweets' three sentences above a bbc_news run's "It compared with other sentences" and its
    five, which read as the same data's sentences changed."""
    used = variants.descriptions(run) if run is not None else None
    if not used or [d.strip() for d in used] == now:
        return None
    quoted = "; ".join(f"“{common.md(d)}”" for d in used) + "."
    theirs = common.dataset_name(getattr(run, "dataset", None) or "")
    if current and theirs and theirs != current:
        return (f"It ran on other data, *{common.md(theirs)}*, not *{common.md(current)}* (the current data, whose "
                f"sentences are above): it compared with that data's sentences: {quoted}")
    return "It compared with other sentences: " + quoted


def measured(name: str, runs: list, title: str | None, pending: list, shown_title: str | None,
             elsewhere: str | None = None) -> None:
    """The card's numbers from the comparison, and where it has none, why: training now, queued, failed."""
    st.markdown("**Measured in the comparison**" + (f" *{common.md(title)}*:" if title else ":"))
    if elsewhere:
        st.warning(elsewhere, icon=":material/swap_horiz:")
    by_id = {r.id: r for r in runs}
    done = teaching.measured_numbers(name, runs)
    now = None
    if name == "zero_shot" and done and (got := common.zero_shot_descriptions(common.data_config())):
        now = got[1]
    shown = variants.parts(runs)  # "(lr 2e-05)" where this strategy ran with other settings too
    # The bar to clear, once where every run was scored on test texts with the same majority share (a reviewer
    # read the same sentence under each of three runs); else under each run.
    shares = {(by_id[m["run_id"]].metrics or {}).get("majority_accuracy") if m["run_id"] in by_id else None
              for m in done}
    once = len(done) > 1 and len(shares) == 1 and None not in shares
    for m in done:
        said = ", ".join(shown[m["run_id"]])
        acc = (f"run `{m['run_id'][-4:]}`{f' ({said})' if said else ''}: **{100 * m['test_accuracy']:.1f}%** "
               "test accuracy")
        if m["n_labelled"] == 0:  # zero_shot: label descriptions only, nothing trained
            st.markdown(f"- {acc} with no labelled training examples and no training")
        else:
            st.markdown(f"- {acc} with {m['n_labelled'] or '?'} labelled examples, trained in "
                        f"{common.seconds(m['train_seconds'])}")
        # the bar to clear: a class reads 80% as good until told the commonest class alone scores 78%
        if (baseline := measured_baseline(by_id.get(m["run_id"]), majority=not once)):
            st.caption(baseline)
        if name == "zero_shot" and (other := quoted_sentences(by_id.get(m["run_id"]), now,
                                                                   common.dataset_name(common.data_config().label))):
            st.caption(other)
    if once:
        st.caption(f"Always answering the commonest class would score {100 * next(iter(shares)):.1f}% on the same "
                   "test texts.")
    waiting = teaching.unfinished(name, runs)
    for rid, _, text in waiting:
        st.markdown(f"- run `{rid[-4:]}`: {common.md(text)}")
    for rid, _, text in teaching.unfinished(name, pending):  # in the batch Compare shows, not the one quoted
        st.markdown(f"- in *{common.md(shown_title or 'the comparison on Compare')}*, run `{rid[-4:]}`: "
                    f"{common.md(text)}")
    if not done and not waiting and not pending:
        st.caption("not run yet here; launch it on the Train page")


def tutorial_words() -> None:
    """What a learner read in a tutorial, in bertlab's names, and where a tutorial's recipe differs from bertlab's
    defaults (bertlab.teaching's tables): "feature extraction", "continued pretraining" or "NSP" appeared on no
    page, and a learner could not tell head_only from the tutorial they had just read."""
    with st.expander("Coming from a tutorial? Its words and its recipe here", icon=":material/menu_book:"):
        # A list, not a table: three columns squeezed "what to know" to a fifth of the width, ten lines a row.
        st.markdown("**Its words, in bertlab's names**\n\n"
                    + "".join(f"- *{words}* → **{name if name.startswith('(') else f'`{name}`'}**: {note}\n"
                              for words, name, note in teaching.TUTORIAL_TERMS))
        # A list too: as a table its 20-px cells at 1024 px in projector mode needed 532 px of the box's 482 (the third
        # column over the box's edge, ~150 px wide, its learning-rate row taller than the screen).
        st.markdown("**Where its recipe differs from bertlab's defaults, and why**\n\n"
                    + "".join(f"- **{what}**: *tutorials*: {theirs}. *bertlab*: {ours}\n"
                              for what, theirs, ours in teaching.TUTORIAL_RECIPE))


def busy(name: str, runs: list, pending: list) -> bool:
    """Whether a run of ``name`` the card speaks of is queued or training."""
    return bool(pending) or any(r.strategy == name and r.status in ACTIVE for r in runs)


def measured_live(name: str, refreshing: bool) -> None:
    """:func:`measured` on the store as it is now; re-run every REFRESH_S seconds while a run of ``name`` is queued
    or training in it, so "training now, 40%" moves on and turns into its numbers."""
    runs, title, pending, shown_title, elsewhere = comparison_for(name)
    measured(name, runs, title, pending, shown_title, elsewhere)
    if refreshing and not busy(name, runs, pending):
        st.rerun()  # once, without the timer: the whole card from the finished comparison


def show_card(name: str, model: str, runs: list, big: bool, refreshing: bool = False) -> None:
    opts = options_for(name, model)
    try:
        c = teaching.card(name, model, opts, n_classes=class_count(runs), runs=runs, scale=common.DIAGRAM_BIG_SCALE if big else 1.0,
                           dark=common.dark_theme())
    except BertlabError as e:
        common.show_error(e)
        return
    if not big:
        st.header(c.title)
    else:  # the card's name as its heading (h2 under the page's h1), a page section's size: at 1.25rem it was set
        # no larger than the intro under it (1.25rem, semi-bold), and read as the intro's first line
        common.section(c.title)
    # First what a student understands: what it does, in everyday words; the mechanics fold out below.
    if big:  # lead_html escapes its text
        st.markdown(common.lead_html(c.intro, "1.25rem"), unsafe_allow_html=True)
    else:
        st.markdown(f"**{c.intro}**")
    label_sentences(name)
    if big:
        # The diagram across the page, its text at projector size: beside the description, at 1024 px its
        # column was ~330 px and the block labels shrank to ~8 px.
        common.diagram(c.svg, c.alt, width=common.DIAGRAM_BIG_WIDTH)
        st.caption(common.reading_the_diagram(c))
        right = st.container()
    else:
        left, right = st.columns([3, 2])
        common.diagram(c.svg, c.alt, where=left)
        left.caption(common.reading_the_diagram(c))
    with right:
        if c.total_params:
            # A share, not a change: no arrow (a green up-arrow on "0 trained" read as a gain).
            st.metric("Weights trained", f"{c.trainable_params:,}", f"{share(c.trainable_fraction)} of "
                      f"{c.total_params:,}", delta_color="off", delta_arrow="off")
        if c.plain_when:
            st.markdown(f"**Good for:** {c.plain_when}")
        if c.plain_cost:
            st.markdown(f"**Cost:** {c.plain_cost}")
        st.fragment(run_every=REFRESH_S if refreshing else None)(measured_live)(name, refreshing)
        st.page_link("app_pages/compare.py", label="See it on the Compare page", icon=":material/monitoring:")
        with st.expander("For the curious: how it works exactly"):
            st.markdown(common.lead_html(c.summary, "1.5rem") if big else c.summary, unsafe_allow_html=big)
            if c.total_note:
                st.caption(c.total_note)  # why zero_shot's total is not full_ft's: the same encoder, other parts
            st.markdown(f"**Trains:** {c.trains}")
            st.markdown(f"**Frozen:** {c.frozen}")
            st.markdown(f"**When to use it:** {c.when}")
            st.markdown(f"**What it costs:** {c.cost}")


st.title("Strategy cards", help="What each way of using a BERT encoder trains and freezes, block by block, with the "
         "parameter counts of the real model. Made for a projector: one card at a time, large type (the Large "
         "diagram switch).")
tutorial_words()
st.session_state.setdefault("keep_tc_big", True)
# The strategy row takes the full width: in a column beside the model field, at 1024 px its eight titles
# stacked one a line and the Projector toggle's label was cut.
name = st.radio("Strategy", list(REGISTRY), horizontal=True, key="keep_tc_strategy",
                format_func=lambda n: REGISTRY[n].title)
# The switch as wide as its label beside the stretching Model field: in a quarter of the row, projector mode's
# larger text cut it to "Lar…" at 1024 px.
_row = st.container(horizontal=True, vertical_alignment="bottom")
c2, c3 = _row.container(width="stretch"), _row.container(width="content")
_runs, _, _pending, _, _ = comparison_for(name)
_theirs = card_model(name, _runs)
model = c2.text_input("Model", key="keep_tc_model", help=f"The model whose diagram the card draws: at first that of "
                      f"the runs it quotes ({common.md(_theirs)}). A Hugging Face id or a local save_pretrained() directory; "
                      "cleared, the runs' model again.").strip() or _theirs
# Not "Projector": the sidebar's Projector switch (all text larger, every page) sat beside it in another state.
big = c3.toggle("Large diagram", key="keep_tc_big", help="The card's diagram across the page at large size (on by "
                "default); off, the diagram sits beside the description. The sidebar's *Projector* switch makes "
                "every page's text larger.")
if _note := other_model_note(name, model, _runs):
    st.warning(_note, icon=":material/compare_arrows:")
show_card(name, model, _runs, big, refreshing=busy(name, _runs, _pending))
