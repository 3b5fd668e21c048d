"""Compare page: live curves, results, costs and confusion matrices of the selected runs, plus a compact
inference box so a presenter can type while the curves are on screen."""

from __future__ import annotations

import functools
import hashlib
import html

import streamlit as st

from app_pages import common
from app_pages.inference_box import inference_box
from bertlab import answer, metrics, paired, pareto, plots, prcurve, report, serving, sweep, variants
from bertlab.costs import attention_mix_note, format_bytes, model_bytes
from bertlab.data.dataset import counted
from bertlab.errors import BertlabError
from bertlab.estimate import cached_share
from bertlab.metrics import NEVER_ANSWERED_NOTE, format_interval, run_single_class, signed
from bertlab.pareto import format_flops
from bertlab.store import ACTIVE, CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED, undone_batches
from bertlab.strategies import REGISTRY, one_answer_reason
from bertlab.sweep import config_key

REFRESH_S = 2.0


def select_runs(all_runs: list) -> tuple[list[str], str | None]:
    """Run ids to compare: a whole batch (the latest launch that is not a sweep by default) or a hand-picked set;
    and the sweep chosen whole, if it is one (None for a launch or a pick)."""
    sweeps = common.sweep_batches()
    # newest first, so the first batch seen is the latest; a sweep is the runs holding its points, those reused from
    # an earlier sweep included (its batch alone held only the seed added to it), as on Learning curves
    batches = sweep.batches(common.store(), all_runs, sweeps)
    latest = common.latest_batch(all_runs, sweeps)
    titles = common.batch_titles(batches, sweeps)
    # The list takes the room the toggle leaves, the toggle as wide as its label: in fixed columns (3:1) projector
    # mode's larger text cut it to "Pic…" at 1024 px. Where even that is too narrow it goes to a line of its own.
    row = st.container(horizontal=True, vertical_alignment="bottom")
    c1, c2 = row.container(width="stretch"), row.container(width="content")
    # Kept across pages (keep_*), and read by Accuracy vs cost, the cards and the Playground
    # (common.picked): a persona's two learning rates, picked from two launches, were on Compare only.
    pick = c2.toggle("Pick runs", key="keep_cmp_pick", help="Compare runs from different batches (launches): "
                     "Accuracy vs cost, the Strategy cards and the Playground then show these runs too.")
    if pick:
        by_id = {r.id: r for r in all_runs}
        if common.PICKED_KEY not in st.session_state:
            # the batch on screen before the switch (it filled in the newest launch, another than the one shown);
            # once picked, an emptied list stays empty
            shown = st.session_state.get("cmp_choice")
            st.session_state[common.PICKED_KEY] = [r.id for r in batches[shown if shown in batches else latest]]
        # runs deleted since are let go, and named (another desk's Delete, another tab, the CLI): dropped without a
        # word, a classroom review's picks of a stranger's runs shrank at a refresh with nothing said
        if gone := [i for i in st.session_state[common.PICKED_KEY]
                    if i not in by_id and common.store().get(i) is None]:
            titles_of = st.session_state.get(PICK_TITLES_KEY) or {}
            st.session_state[PICK_GONE_KEY] = [titles_of.get(i, f"run …{i[-4:]}") for i in gone]
        st.session_state[common.PICKED_KEY] = [i for i in st.session_state[common.PICKED_KEY] if i in by_id]
        shown = pick_filters(c1, all_runs, batches, titles)
        if not shown:
            c1.caption("No run matches these filters now: choose others, or none for every run.")
        # The list offers the runs the filters let through, and keeps those picked already: narrowing it to one
        # dataset and picking its runs (the list's own "Select all") adds them to runs picked under other filters.
        chosen = set(st.session_state[common.PICKED_KEY])
        options = [r.id for r in all_runs if r.id in chosen or r.id in shown]
        names = variants.labels(all_runs, data=False)  # "head_only (lr 0.03)"; run_title names the dataset
        filtered = len(shown) < len(all_runs)
        ids = c1.multiselect("Runs", options, key=common.PICKED_KEY,
                             format_func=lambda i: common.run_title(by_id[i], names),
                             placeholder=f"Choose among the {len(shown):,} run{'s' * (len(shown) != 1)} the "
                                         "filters let through" if filtered else "Choose runs",
                             help="The filters above narrow this list (the runs picked stay picked); its "
                                  "\"Select all\" then adds the runs they let through.",
                             on_change=lambda: st.session_state.pop(PICK_GONE_KEY, None))
        st.session_state[PICK_TITLES_KEY] = {i: common.run_title(by_id[i], names) for i in ids}
        if gone := st.session_state.get(PICK_GONE_KEY):  # until the picks are changed by hand
            c1.info(f"{'The run' if len(gone) == 1 else f'{len(gone)} runs'} picked here "
                    f"({common.md(', '.join(gone))}) {'has' if len(gone) == 1 else 'have'} been deleted "
                    f"({common.DELETED_BY})"
                    + (": pick others above." if not ids else "; the others picked are shown."),
                    icon=":material/delete:")
        return ids, None
    # The batch stays as chosen while its runs finish, fail or are cancelled; this session's own new launch (or
    # sweep) selects it. Another tab's or process's new batch does not take the page over (on a shared server one
    # user's launch switched everyone's Compare to it): a toast names it, and the list holds it. The choice is
    # kept here as well as in the widget, whose state a visit to another page clears. The widget has a key, its
    # identity: without one its titles ("· live", "· all cancelled") and its index were part of it, and a new index
    # made a new widget, which dropped every second pick (a batch picked, then another: the page stayed on the first).
    known, choice = st.session_state.get("cmp_known_batches"), st.session_state.get("cmp_choice")
    if (picked := st.session_state.get(BATCH_KEY)) in batches:
        choice = picked  # the widget's value: the user's pick, or the choice set below on the last run
    new = [b for b in batches if known is None or b not in known]  # newest first; all of them on a first visit
    own = common.own_launches()  # this desk's launches: a reload opens on its own, not another user's
    # A sweep is not taken up so: it has its page (Learning curves), and a teacher's sweep took Compare away from
    # the launch prepared for the class (and the cards and Playground with it).
    # (not one whose every run was cancelled: a launch clicked twice, then undone, has nothing to show)
    undone = undone_batches(all_runs)
    if mine := [b for b in new if b in own and b not in sweeps and b not in undone]:  # this desk's launch
        choice = mine[0]
    elif choice not in batches:
        if choice is not None and not common.store().list_runs(batch_id=choice, limit=1):
            # the batch on screen was deleted (another desk's Delete, another tab, the CLI): the page moves to the
            # newest one and says so (a classroom review: it switched to a stranger's launch without a word)
            st.session_state[GONE_KEY] = (st.session_state.get("cmp_choice_title"), latest)
        choice = latest
    elif new:
        st.toast(f"New runs from another tab or process: {titles[new[0]]}. Pick them in the Batch list.",
                 icon=":material/new_releases:")
    st.session_state["cmp_known_batches"] = list(batches)
    st.session_state[BATCH_KEY] = choice
    unmarked, titles = titles, common.mark_yours(titles, own)  # this desk's launches end " · yours"
    batch = c1.selectbox(common.BATCH_LABEL, list(batches), key=BATCH_KEY, format_func=titles.get,
                         on_change=chosen_by_hand)
    st.caption(titles[batch])  # whole, under the row: at 1024 px the box cut it mid-word ('head_onl')
    if (gone := st.session_state.get(GONE_KEY)) and gone[1] == batch:  # until another batch is chosen
        st.info(f"The batch you were looking at{f' ({common.md(gone[0])})' if gone[0] else ''} has been deleted "
                f"({common.DELETED_BY}), so this page now shows the newest batch. Pick another in the Batch list above.",
                icon=":material/delete:")
    else:
        st.session_state.pop(GONE_KEY, None)
    st.session_state["cmp_choice"], st.session_state["cmp_choice_title"] = batch, unmarked[batch]
    return [r.id for r in batches[batch]], batch if batch in sweeps else None


BATCH_KEY = "cmp_batch_box"  # the Batch list's key
GONE_KEY = "cmp_gone"  # (the title of the batch shown until it was deleted, the batch shown since)
PICK_GONE_KEY = "cmp_pick_gone"  # the titles of the picked runs deleted since, said until the picks are changed
PICK_TITLES_KEY = "cmp_pick_titles"  # {run id: title} of the runs picked, to name them once deleted
YOURS = common.YOURS  # the mark of this desk's launches in the Batch list


def chosen_by_hand() -> None:
    """on_change of the Batch list: the batch it now holds was chosen by the user, not defaulted to. The
    Playground waits for a launch chosen here (common.HAND_KEY), not for the default pick of the newest launch,
    which may be another desk's queued one (a review: 'Your launch ...' on a stranger's launch)."""
    st.session_state[common.HAND_KEY] = st.session_state[BATCH_KEY]


def pick_filters(where, all_runs: list, batches: dict, titles: dict) -> set[str]:
    """Filters above the Pick runs list: dataset, strategy and status (pills, none chosen: every one) and a batch
    (one launch or sweep, or every batch), kept across pages; returns the ids of the runs they let through. A
    review: 160 runs in one list with no way to narrow it to one dataset or one launch."""
    every = ""  # the batch filter's "every batch"
    def status(s: str) -> str:
        return f"{common.STATUS_ICON.get(s, '')} {s}"

    named = {"keep_cmp_f_data": common.dataset_name, "keep_cmp_f_strategy": str, "keep_cmp_f_status": status}
    offered = {
        # by file: two uploads of one name ('class.csv', two students') were one option, filtering both in
        "keep_cmp_f_data": common.dataset_names(all_runs),
        "keep_cmp_f_strategy": {n: n for n in sorted({r.strategy for r in all_runs})},
        "keep_cmp_f_status": {s: status(s) for s in (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)
                              if any(r.status == s for r in all_runs)},
    }
    # A value chosen stays offered, and filtering, while no run holds it now ("running" once the last run finished):
    # let go, the filter vanished and the list offered every run with nothing said. Marked so; unchosen, it goes.
    for key, values in offered.items():
        for v in st.session_state.get(key) or []:
            values.setdefault(v, f"{named[key](v)} (none now)")
    if st.session_state.get("keep_cmp_f_batch") not in batches:
        st.session_state["keep_cmp_f_batch"] = every
    row = where.container(horizontal=True)
    chosen = {key: set(row.pills(label, list(offered[key]), selection_mode="multi", key=key,
                                 format_func=offered[key].get, help=f"None chosen: every {what}."))
              for key, label, what in (("keep_cmp_f_data", "Dataset", "dataset"),
                                       ("keep_cmp_f_strategy", "Strategy", "strategy"),
                                       ("keep_cmp_f_status", "Status", "status"))}
    batch = row.selectbox("Batch", [every, *batches], key="keep_cmp_f_batch",
                          format_func=lambda b: titles[b] if b else "every batch", width=360)
    return {r.id for r in (batches[batch] if batch else all_runs)
            if (not chosen["keep_cmp_f_data"] or common.data_file(r) in chosen["keep_cmp_f_data"])
            and (not chosen["keep_cmp_f_strategy"] or r.strategy in chosen["keep_cmp_f_strategy"])
            and (not chosen["keep_cmp_f_status"] or r.status in chosen["keep_cmp_f_status"])}


def run_detail(run, sizes: bool, splits: bool = False) -> str:
    """'n=128 · seed 2' (the training size only where the selection has several): which of a strategy's runs.
    A strategy no seed changes (zero_shot, tfidf_logreg) reads 'split seed 1' where the selection has several
    split seeds (a sweep's seeds draw their own splits): two of its runs there differ by their data alone."""
    cfg = run.config or {}
    n = ((run.data_summary or {}).get("sizes") or {}).get("train") or (cfg.get("data") or {}).get("train_size")
    seeded = getattr(REGISTRY.get(run.strategy), "uses_seed", True)  # zero_shot: no seed changes it
    split = (cfg.get("data") or {}).get("seed")
    return " · ".join(([f"n={n:,}" if n else "n=all"] if sizes else []) + (
        [f"seed {cfg.get('seed')}"] if seeded else [f"split seed {split}"] if splits and split is not None else []))


def still_to_finish(runs: list) -> list:
    """The runs queued or training, not those being stopped: they will not finish (as the report counts them)."""
    return answer.still_to_finish(runs)


RERUNNABLE = (FAILED, INTERRUPTED, CANCELLED)  # runs that ended without a result: "Run again"


def status_row(run, shared_notes: frozenset = frozenset(), detail: str = "", cancel_column: bool = True,
               redone: bool = False, own: bool = True) -> None:
    """Title, progress or outcome, and a Cancel button while the run is active (Run again once it failed, was
    interrupted or cancelled). ``shared_notes`` (about the data, the same for every run) are shown once under the
    status lines instead; ``detail`` (size, seed) goes under the title where a strategy ran several times;
    ``cancel_column``: some run of the list is active (else the outcome takes that room: at 1024 px it was
    squeezed into ~180 px beside an empty column); ``redone``: a run of the list with the same settings is queued,
    training or done (Run again then says so instead of queueing another copy at each click); ``own``: launched at
    this desk (else Cancel asks first, :func:`common.cancel_control`)."""
    if common.projector():
        # Stacked: the title on a line of its own, the outcome and Cancel below it. Three columns at projector size
        # (1024 px) ran "zero_shot" into "76.3%" and cut Cancel to "C.".
        c = [st.container(), *st.columns([4.4, 1.6] if cancel_column else [1], vertical_alignment="center")]
    else:  # "Cancel" whole at 1280 px beside the box
        c = st.columns([2, 4.4, 1.6] if cancel_column else [2, 6], vertical_alignment="center")
    swatch = common.swatch(run.strategy)
    # nowrap: in a narrow column (1024 px with the sidebar open) the id goes to a line of its own instead of
    # breaking "■ zero_shot" after its square.
    # The id and detail are the text colour faded, readable on the light theme and the dark one (#888 was 3.5:1).
    c[0].markdown(f"<span style='white-space:nowrap'>{swatch} "
                  f"<b>{run.strategy}</b></span> <span style='opacity:0.7;white-space:nowrap'>· {run.id[-4:]}</span>"
                  + (f"<br><span style='opacity:0.7;font-size:0.85em'>{html.escape(detail)}</span>" if detail else ""),
                  unsafe_allow_html=True)
    if run.status == RUNNING:
        c[1].progress(min(1.0, max(0.0, run.progress or 0.0)), text=f"{run.phase or 'starting'} · {run.progress:.0%}"
                      + (" · stopping…" if run.cancel_requested else common.time_left_text(run)))
    elif run.status == "queued":
        c[1].caption(f":material/hourglass_empty: queued: {common.queue_place(run.id, when=True)}")
    elif run.status == "succeeded" and "test_accuracy" not in run.metrics:  # a record without its results
        # (hand-edited, or written by a tool other than bertlab): "test accuracy 0.0%" made a score up
        c[1].warning(f"succeeded, but no test results are stored for it, so there is nothing to show. Delete it and "
                     f"train it again (`python -m bertlab delete {run.id}`).", icon=":material/help:")
    elif run.status == "succeeded":
        m, k = run.metrics, run.costs
        ci = format_interval(plots.accuracy_interval(run))
        # Embeddings reused from an earlier run's cache: its costs count them as they cost, not as this run took
        # them. What it took comes first ("15 s in all" read as 15 s of waiting for a 1 s run), then what a first
        # run takes ("15 s with its embedding pass" read as if the table's train s left that pass out).
        cached = (k.get("cache_saved_seconds") or 0) >= 0.5 and k.get("wall_seconds") is not None
        c[1].markdown(f":material/check_circle: test accuracy **{m.get('test_accuracy', 0):.1%}**"
                      + (f" (95%: {ci})" if ci else "")
                      + f" · macro-F1 {m.get('test_macro_f1', 0):.3f} · "
                      # "whole run", as the CLI's end lines and TRAIN_TIME_HELP say it: "13.4 s in all" beside the
                      # table's train s 11.8 and the answer's 13.1 s of training, none said to be which (a review)
                      + (f"whole run {common.seconds_together(k.get('wall_seconds'))} this time ({cached_share(k)} "
                         f"came from the cache; {common.seconds_together(k.get('total_seconds'))} with them computed, "
                         "as in a first run)" if cached else f"whole run {common.seconds_together(k.get('total_seconds'))}"))
        if only := run_single_class(m):
            c[1].warning(f"Answers {common.md(repr(only))} to every test text: {one_answer_reason(run.strategy)} "
                         "(see the notes).",
                         icon=":material/warning:")
        if notes := [n for n in run.notes if n not in shared_notes]:
            with c[1].expander(f"{len(notes)} note{'s' * (len(notes) > 1)} on this run"):
                for n in notes:
                    st.markdown(f"- {common.md(n)}")
    elif run.status in (FAILED, INTERRUPTED):
        c[1].error(f"{run.status}: {common.md(run.error or 'no message')}", icon=":material/error:" if run.status == FAILED else ":material/warning:")
    else:
        c[1].caption(f":material/stop_circle: {run.status}" + (f": {common.md(run.error)}" if run.error else ""))
    if run.status in ACTIVE:
        if common.cancel_control(c[2], "Cancel", own, f"cancel_{run.id}", disabled=run.cancel_requested):
            common.cancel_run(run.id, own)
            st.toast(f"Stopping {run.strategy} · {run.id[-4:]}…")
            # the whole page: the answer above ("so far: 4 runs still to finish") is outside this fragment, and
            # said 4 beside "Cancel the 3 unfinished runs" until the next full redraw
            st.rerun()
    elif run.status in RERUNNABLE and redone:
        c[1].caption(":material/replay: run again: see the run with the same settings in this list")
    elif run.status in RERUNNABLE and cannot_run_again(run):  # partial_ft on ALBERT: it would only fail again
        c[1].caption(":material/block: No Run again: this strategy cannot run on this model (see above).")
    elif run.status in RERUNNABLE:
        # After a crash, a restart or a cancel: the same settings queued again in this batch (rebuilding the launch
        # on the Train page by hand was the only way). Under the message: in the narrow third column it read "Run …".
        # Another desk's run asks first, as the button for all of them and Cancel do: one click queued a teacher's
        # run again on the worker every desk shares.
        if common.cancel_control(
                c[1], "Run again", own or common.read_only(), f"again_{run.id}", icon=":material/replay:",  # off
                disabled=common.read_only(),
                help=f"Run again is {common.READ_ONLY_OFF}." if common.read_only() else
                "Queue this run's settings again, in this batch.",
                warning="Launched from another browser or from the command line (a teacher's run on a classroom's "
                        "server, say): running it again queues it on the one worker every desk shares.",
                confirm="Run it again for everyone", confirm_icon=":material/replay:"):
            try:
                new = common.manager().submit([run.run_config], batch_id=run.batch_id)
            except BertlabError as e:
                common.show_error(e)
            else:
                st.toast(f"Queued {run.strategy} again ({new[0][-4:]}).")
                st.rerun()
    if run.status == FAILED and run.traceback:
        with st.expander("technical details"):
            st.code(run.traceback, language=None)


def to_run_again(runs: list, again: set[str]) -> list:
    """The runs of ``runs`` each of which offers Run again (ended without a result, its settings readable, not run
    again already: ``again`` holds the config keys of the runs queued, training or done), one per setting."""
    out: dict[str, object] = {}
    for r in runs:
        if r.status in RERUNNABLE and r.config and not cannot_run_again(r):
            out.setdefault(config_key(r.config), r)
    return [r for k, r in out.items() if k not in again]


def rerun_all(runs: list, again: set[str]) -> None:
    """One button that queues every run of the list that offers Run again, each in its batch: after a server
    restart interrupted a launch of four, Run again took four clicks. Shown where two or more offer it; another
    desk's runs ask first, as Cancel's and a sweep's Run again do."""
    todo = to_run_again(runs, again)
    if len(todo) < 2:
        return
    kinds = [s for s in RERUNNABLE if any(r.status == s for r in todo)]
    kinds = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else kinds[0]  # "failed and interrupted"
    own = set(common.own_batches())
    if not common.cancel_control(
            st, f"Run the {len(todo)} {kinds} runs again", all(r.batch_id in own for r in todo), "cmp_again_all",
            icon=":material/replay:", disabled=common.read_only(),
            help=(f"Run again is {common.READ_ONLY_OFF}." if common.read_only() else
                  "Queue each one's settings again, in its batch, as its own Run again does."),
            warning="Launched from another browser or from the command line (a teacher's runs on a classroom's "
                    "server, say): running them again queues them on the one worker every desk shares.",
            confirm="Run them again for everyone", confirm_icon=":material/replay:"):
        return
    by_batch: dict[str, list] = {}
    for r in todo:
        by_batch.setdefault(r.batch_id, []).append(r.run_config)
    try:
        queued = [i for b, configs in by_batch.items() for i in common.manager().submit(configs, batch_id=b)]
    except BertlabError as e:
        common.show_error(e)
        return
    st.toast(f"Queued {len(queued)} runs again.")
    st.rerun()


def cannot_run_again(run) -> bool:
    """Whether ``run``'s strategy cannot run on its model at all (``Strategy.refusal``: partial_ft on ALBERT), so
    Run again would queue a run that fails the same way."""
    s, model = REGISTRY.get(run.strategy), (run.config or {}).get("model")
    return bool(s is not None and model and s.refusal(model))


LOSS_X_KEY = "keep_loss_x"
LOSS_X_CHOSEN = "_loss_x_chosen"  # the axis the user picked: it stands, on every batch
def auto_loss_x(runs: list, pts: list[dict]) -> tuple[str, str]:
    """The axis the curves start on, and why where it is not the steps: :func:`bertlab.report.curves_axis`, the
    report's rule (by % of run when the runs' epochs differ over three times), with a pointer to the picker."""
    x, why = report.curves_axis(runs, pts, name=common.md)
    return x, (why + " Pick *by epoch* or *by step* above to see them on one scale.") if why else ""


def _loss_x_chosen() -> None:
    st.session_state[LOSS_X_CHOSEN] = st.session_state.get(LOSS_X_KEY)


def curves(runs: list) -> None:
    """Training loss and validation curves: the part of the page that changes while runs train."""
    ids = [r.id for r in runs]
    pts = common.store().points(ids, ("train_loss", "val_loss", "val_accuracy", "mlm_loss"))
    auto, why = auto_loss_x(runs, pts)
    chosen = st.session_state.get(LOSS_X_CHOSEN)
    if chosen in plots.LOSS_X:
        why = ""
    # The user's pick, else the one that suits the runs shown. Set afresh each time: in a browser the control's own
    # state was gone after a visit to another page (it is drawn in a fragment), and the pick with it.
    want = chosen if chosen in plots.LOSS_X else auto
    if st.session_state.get(LOSS_X_KEY) != want:
        st.session_state[LOSS_X_KEY] = want
    x = st.segmented_control("Loss against", list(plots.LOSS_X), key=LOSS_X_KEY, required=True,
                             label_visibility="collapsed", on_change=_loss_x_chosen,
                             format_func=lambda k: {"progress": "by % of run"}.get(k, f"by {k}"))
    if why:
        st.caption(why)
    # One chart a row: side by side (three plots, with validation's two) they were ~220 px each at 1024 px.
    common.chart(common.figure(plots.train_loss_figure, runs, pts, x=x or "step", height=300), width="stretch",
                 key="cmp_loss")
    # Loss and accuracy in two columns, which a phone stacks: one figure's two plots stayed side by side at 390 px,
    # ~130 px each. No run legend on these two: the training-loss chart right above names the same runs in the same
    # colours and symbols, and in a ~310 px column at 1024 px seven runs' legend took four rows, drawn twice, over a
    # plot of ~100 of its 300 px with the title under the legend.
    # In projector mode each title on two lines: at 1024 px a column is ~250 px, and "Validation accuracy" at 22 px
    # was cut at "Validation accu".
    for where, panel in zip(st.columns(2), plots.VALIDATION):
        common.chart(common.figure(plots.validation_figure, runs, pts, height=300, progress=x == "progress",
                                   panels=(panel,), legend=False, wrap_titles=common.projector()),
                     where, width="stretch", key=f"cmp_{panel}")
    if any(p["series"] in ("train_loss", "val_loss") for p in pts):  # the words the report gives under its curves
        st.caption(plots.CURVES_READING)
    if any(p["series"] == "mlm_loss" for p in pts):
        common.chart(common.figure(plots.mlm_loss_figure, runs, pts), width="stretch", key="cmp_mlm")
        pretrained = {p["run_id"] for p in pts if p["series"] == "mlm_loss"}
        st.caption(plots.mlm_caption({r.strategy for r in runs if r.id in pretrained}))
    numbers_behind("these curves", [
        ("Training loss: the mean of each epoch's steps", plots.curve_table(runs, pts, "train_loss")),
        ("Validation loss", plots.curve_table(runs, pts, "val_loss")),
        ("Validation accuracy", plots.curve_table(runs, pts, "val_accuracy")),
        ("Masked-LM loss (pretraining phase): the mean of each epoch's steps",
         plots.curve_table(runs, pts, "mlm_loss"))])


def numbers_behind(what: str, tables: list) -> None:
    """``tables`` ((title, DataFrame or None) pairs: the numbers a chart draws) in a collapsed expander, "The
    numbers behind ``what``": a screen reader gets nothing of a chart's SVG, and a reader may want the exact values.
    Collapsed, the page is no longer for them."""
    tables = [(title, df) for title, df in tables if df is not None]
    if not tables:
        return
    with st.expander(f"The numbers behind {what}", icon=":material/table:"):
        for title, df in tables:
            st.markdown(f"**{common.md(title)}**")
            st.table(df, hide_index=True)



JUDGE_KEY = "compare_judge"  # what the answer box's Judge by (or the selection's default) judges by, for the page


def judged_by() -> str:
    """What the page judges by, "accuracy" or "macro_f1", as its answer does (set under :data:`JUDGE_KEY` before
    :func:`results` draws): the baseline's caption, the test-score and trade-off charts and the paired tests follow
    it (four reads of the key stood apart, two with their own default)."""
    return st.session_state.get(JUDGE_KEY) or "accuracy"


def results(runs: list, drawn: list | None = None) -> None:
    """Results table, accuracy and cost charts, confusion matrices of the finished runs; the charts and matrices
    of those in ``drawn`` only, where given (:func:`charted`: a selection of many runs).

    Outside the 2-second refresh: they change only when a run finishes, and the live part then
    redraws the whole page. Inside it they cost the server 0.13-0.34 s of CPU per refresh with three
    finished runs (profiled), plus the browser's redraw of their charts, taken from the training on
    screen."""
    done = [r for r in runs if r.status == "succeeded"]
    if not done:
        if any(r.status in ACTIVE for r in runs):
            st.info("Results, costs and confusion matrices appear here as soon as a run finishes.")
        else:  # every run ended without a result: nothing is coming
            st.info("None of these runs finished (see their lines above), so there are no results to show. Launch "
                    "them again from the Train page, or pick another batch.")
        return
    common.section("Results")
    baselines = {round(float(b), 6) for r in done if (b := r.metrics.get("majority_accuracy")) is not None}
    # One test set's baseline is one number: said under the table.
    columns = [c for c in TABLE_COLUMNS if c != "majority baseline" or len(baselines) > 1]
    table = results_table(done)
    # Three tables (scores, training costs, serving costs): the eleven columns of one stopped at "trainable" at
    # 1024 px, train FLOPs, inference/text and MiB behind a sideways scroll. Each is cut again where its numbers
    # do not fit beside the run column (fit_tables): in projector mode the training costs' five, and wherever long
    # run names widen that column.
    name = run_column(table["run"])
    parts = (SCORE_COLUMNS, TRAIN_COST_COLUMNS, SERVE_COLUMNS)
    tables = fit_tables([[c for c in columns if c in part] for part in parts], name["width"], common.projector())
    scores = sum(set(t) <= set(SCORE_COLUMNS) for t in tables)
    for i, shown in enumerate(tables):
        st.dataframe(table, hide_index=True, width="stretch", column_order=shown,
                     column_config={**TABLE_CONFIG, "run": name})
        if i == scores - 1 and (kept := [c for c in VALIDATION_COLUMNS[1:] if table[c].notna().any()]):
            # under the scores, a table of its own (the scores beside the name fill 1024 px in projector mode):
            # a setting picked by its test score is flattered by it; these tell the settings apart fairly
            st.dataframe(validation_table(table, kept), hide_index=True, width="stretch",
                         column_config={**TABLE_CONFIG, "run": name})
    if len(baselines) == 1:  # the bar every run must clear, in sight under the tables
        # judged by macro-F1 (3% abusive comments: 96.8% by accuracy), the bar the answer holds runs to is the
        # majority's macro-F1 (0.492), which the caption did not give
        by_f1 = judged_by() == "macro_f1"
        f1_bar = metrics.majority_macro_f1(done[0].metrics) if by_f1 else None
        st.caption(f"Always answering the majority class scores {100 * next(iter(baselines)):.1f}% here"
                   + (f" (macro-F1 {f1_bar:.3f}, the measure the answer judges by)" if f1_bar is not None else "")
                   + ": every run must beat that.")
    st.caption(MACRO_F1_SAID)
    # runs stored before FLOPs counted attention beside runs that count it: a gap of a few % that is no real one
    if flops_note := attention_mix_note(done, plots.run_labels(done)):
        st.caption(flops_note)
    if spread := pareto.seed_spread(done):
        st.markdown("**Over the seeds** (each strategy run several times at one size)")
        st.dataframe(spread, hide_index=True, width="stretch", column_config={
            "test accuracy": st.column_config.TextColumn(help="Mean ± standard deviation over the runs: the luck "
                                                              "of training (and of the split where each seed drew "
                                                              "its own)."),
            "training examples": st.column_config.NumberColumn("n", format="%d")})
    if line := plots.device_line(done):
        st.caption(line)
    # How to read the tables, one click away: with the memory note, nine lines at 1366 px stood between the tables
    # and the charts.
    reading = st.expander("Reading these tables: the 95% interval, examples/s"
                          + (", memory" if (memory := plots.memory_note(done)) else ""), icon=":material/help:")
    reading.caption("95% interval: the accuracies the model could truly have (on texts like these) that this many "
                    "test texts cannot rule out (Wilson score interval). Runs whose intervals overlap may differ by "
                    "chance alone (one seed, a finite test set); the paired test below compares runs text by text, "
                    "which tells more of them apart. " + THROUGHPUT_NOTE + " " + pareto.FLOP_WORDS)
    if memory:
        reading.caption(memory)
    st.session_state.setdefault("keep_cost", "train_seconds")
    cost = st.segmented_control("Cost measure", list(plots.COSTS), key="keep_cost", required=True,
                                format_func=COST_LABELS.get, width="stretch")
    cost = cost or "train_seconds"
    # Side by side on a desk screen; one under the other in projector mode, where two a row at 1024 px left each
    # ~450 px for 16-px bar values and titles.
    a, b = common.columns_unless_projector(2, gap="medium")
    plotted = runs if drawn is None else [r for r in runs if r.id in {d.id for d in drawn}]
    # No toolbar on these two half-width charts: at 1280 px it sat over their titles (hover says the values).
    # judged by macro-F1, the majority's macro-F1 is drawn as the bar too (the caption above gives it)
    common.chart(common.figure(plots.accuracy_figure, plotted, by=judged_by()), where=a, width="stretch",
                 key="cmp_acc",
                 config={"displayModeBar": False})
    common.chart(common.figure(plots.cost_figure, plotted, cost), where=b, width="stretch", key="cmp_cost",
                 config={"displayModeBar": False})
    if cost == "train_examples_per_s":
        b.caption(THROUGHPUT_HELP)
    # judged by macro-F1 (the answer above), the trade-off is drawn by it too
    common.chart(common.figure(plots.tradeoff_figure, plotted, cost, by=judged_by()), width="stretch",
                 key="cmp_scatter")
    done_drawn = [r for r in plotted if r.status == "succeeded"]
    # of many runs, those drawn (measuring 180 runs' serving speed would take the page's server for minutes)
    if done_drawn:
        serving_section(done_drawn, busy=any(r.status in ACTIVE for r in runs))
    paired_section(done)
    per_class_section(done)
    pr_section(done_drawn)
    calibration_section(done_drawn)
    confident_mistakes(done)
    if not done_drawn:
        return
    done = done_drawn
    common.section("Confusion matrices (test set)")
    # Three a row at most: four squeezed each matrix to ~170 px on a 1024-px screen; two where the classes are many
    # or their names long (bbc_news's five topics).
    # Two a row at most in projector mode: three left each ~250 px at 1024 px for 18-px type; one where even two
    # leave a matrix too little at that type (bbc_news's five topics).
    big = common.projector()
    scale = common.PROJECTOR_FONT / 13 if big else 1.0
    per_row = min(plots.confusion_per_row(done, most=2 if big else 3, scale=scale), len(done))
    # The page cannot tell a 1024-px projector from a 1920-px one: two a row still, each a row of its own on a
    # screen narrower than two need (a CSS media query; bbc_news: one a row below 1,263 px, two at 1920).
    if big and per_row == 1 and len(done) > 1 and (two_from := plots.confusion_two_from_px(done, scale)):
        per_row = 2
        st.html(f"<style>{common.one_a_row_css(two_from)}</style>")
    titles = plots.run_labels(done)  # "head_only · 6a07" where a strategy ran at several seeds, as elsewhere
    grid = st.container(key="cm_grid")
    for i in range(0, len(done), per_row):
        cols = grid.columns(per_row, gap="medium")
        for col, r in zip(cols, done[i : i + per_row]):
            # No toolbar: over a third of the page it covered the matrix's title (the run's name).
            common.chart(common.figure(plots.confusion_figure, r, title=titles[r.id]), where=col, width="stretch",
                         key=f"cm_{r.id}", config={"displayModeBar": False})
    numbers_behind("these matrices", [(f"{titles[r.id]}: a row per true label, a column per predicted one",
                                       plots.confusion_table(r)) for r in done])


def answer_box(done: list, still: int = 0, ended: tuple = ()) -> None:
    """The comparison's answer in a few sentences: which run to use and what it costs (bertlab.answer), judged by
    accuracy or macro-F1 (the default where the majority class is 70% or more of the test texts, or a class is
    rare: bertlab.answer.rare_share)."""
    default = answer.default_metric(done)
    chosen = common.judge_chosen(default, "judge_by", start=common.compare_judge(default))
    # ``ended``: runs that ended without a result, named in the answer ("Not compared: dapt (failed: ...)")
    a = answer.answer([*done, *ended], metric=None if chosen == default else chosen)  # None: the default
    # the paired table's note on the answer's p needs one, and how it judged
    # (none where it recommends nothing: it quotes no pair then)
    st.session_state["cmp_answered"] = (None if a is None or not a.recommends else "seeds" if a.over_seeds
                                        else "runs")
    if a is None:
        # said, not silently left out (runs on two files; one finished beside one that failed)
        if why := answer.no_answer_reason([*done, *ended]):
            common.section("Which one to use?")
            st.info(common.md(why), icon=":material/help:")
        return
    common.section("Which one to use?" + answer.so_far(still))
    judge = common.judge_by(default, "judge_by", start=common.compare_judge(default))
    st.session_state[JUDGE_KEY] = judge  # the paired test below follows it
    common.keep_compare_judge(default, judge)  # and the report, and the Accuracy vs cost page
    if judge != chosen:  # changed on this very run (the widget returns the new value before the rerun's state)
        a = answer.answer([*done, *ended], metric=None if judge == default else judge) or a
    # judged by accuracy against an imbalanced default: the answer's first sentence says so (as in `paired`)
    with st.container(border=True, key="answer_box"):
        # While runs train, the headline is provisional: said in its first words, not only in the heading.
        a = answer.provisional(a, still)
        if a.plain:  # first, for a reader who knows none of the strategies' names; provisional while runs train
            st.markdown(common.md(a.plain))
        st.markdown(f"**{common.md(a.headline)}**")
        for s_ in a.sentences:
            st.markdown(common.md(s_))
        st.caption(common.md(a.caveat))


def _namer(members: list[tuple]):
    """Run names for the paired test: by strategy alone where each strategy and setting ran once ("full_ft", "full_ft
    (lr 2e-05)": :func:`bertlab.variants.labels`); else with the id's tail, training size and seed, so that
    "full_ft · 1a2b (n=500, seed 0)" says which of them it is."""
    runs = [r for r, _ in members]
    named = paired.namer(runs)  # "full_ft (lr 2e-05) · 1a2b"
    shown = variants.labels(runs)
    if len(set(shown.values())) == len(members):  # no strategy and setting twice: its name says which run it is
        # as the answer, the charts and the confusion matrices name it; with the id's tail, "tfidf_logreg · 4169"
        # was cut to "tfidf_logreg · 41" in the table's 125-px columns
        return lambda run: shown.get(run.id) or named(run)

    def name(run) -> str:
        n = (run.data_summary or {}).get("sizes", {}).get("train")
        seeded = getattr(REGISTRY.get(run.strategy), "uses_seed", True)  # zero_shot: no seed to name
        seed = f", seed {run.config.get('seed')}" if seeded else ""
        return f"{named(run)} (n={n}{seed})" if n else named(run)

    return name


def holm_help(by_f1: bool, pairs: int, family: str = "different strategies") -> str:
    """The Holm column's help: which p it adjusts (of the measure the answer judges by) and over which pairs
    (``family``: what they are pairs of, :func:`bertlab.paired.family_words`)."""
    if not pairs:
        return "No two runs here are of different strategies or settings: nothing to adjust (—)."
    return (("The paired permutation test's macro-F1 p" if by_f1 else "McNemar's p")
            + f" adjusted (Holm's step-down method) for the {pairs} pair{'s' * (pairs != 1)} of runs of {family} "
            "this table shows (at one training size; where both ran at the same seeds, seed against "
            "seed): below 0.05, the chance that any of these verdicts is a false alarm stays under 5%. Runs of one "
            "strategy with the same settings (—: seeds, or training sizes) are no choice to make and are left out "
            "of the count; pairs of two strategies or settings at different sizes or seeds are not shown.")


def _seeds_note(members: list[tuple], ra, rb) -> str:
    """Where A or B is one of several seeds of its strategy and settings (at its training size): that this pair is
    one draw of training luck. It said "These strategies ran at several seeds" of zero_shot too, which no seed
    changes (it runs once)."""
    def seeds(x) -> int:
        if not getattr(REGISTRY.get(x.strategy), "uses_seed", True):
            return 0  # zero_shot, tfidf_logreg: one run stands for every seed
        size = (x.data_summary or {}).get("sizes", {}).get("train")
        return len({(r.config or {}).get("seed") for r, _ in members if paired.variant(r) == paired.variant(x)
                    and (r.data_summary or {}).get("sizes", {}).get("train") == size})

    several = [x for x in (ra, rb) if seeds(x) > 1]
    if len(several) == 2:
        return (f" These {'strategies' if ra.strategy != rb.strategy else 'settings'} ran at several seeds: one "
                "seed against another is one draw of training luck; Which one to use? compares their means over the "
                "seeds.")
    if not several:
        return ""
    (x,), other = several, rb if several[0] is ra else ra
    shown = variants.labels([r for r, _ in members])
    if not seeds(other):  # zero_shot
        # "(it ran once)" was said of a zero_shot launched at two seeds too: its runs on this test set are alike
        runs_of = sum(1 for r, _ in members if paired.variant(r) == paired.variant(other))
        return (f" These strategies ran at several seeds but {shown[other.id]}, which no seed changes ("
                + ("it ran once" if runs_of < 2 else f"its {runs_of} runs here stand for one") + f"): this seed of "
                f"{shown[x.id]} against it is one draw of training luck; Which one to use? compares {shown[x.id]}'s "
                "mean over its seeds.")
    return (f" {shown[x.id]} ran at several seeds, {shown[other.id]} at one: this seed of {shown[x.id]} against it "
            f"is one draw of training luck; Which one to use? compares {shown[x.id]}'s mean over its seeds.")


PAIRED_SETS = 3  # runs on more test sets than this are paired on one test set at a time, picked in a list


def paired_section(done: list) -> None:
    """Is the better run really better? McNemar's test on the test texts two runs share (bertlab.paired)."""
    groups = {fp: m for fp, m in paired.pairable(done).items() if len(m) >= 2}
    if not groups:
        if len(done) >= 2:
            st.caption("No paired test: these runs were not scored on the same test set, or were stored before "
                       "runs kept their test predictions.")
        return
    common.section("Is the difference real? (paired test)")
    st.caption("Two runs scored on the same test texts can be compared text by text: only the texts where one is "
               "right and the other wrong say which is better (McNemar's exact test). This is much more sensitive "
               "than overlapping intervals. It covers the luck of the test set, not of training: another seed "
               "trains another model (Runs per strategy on the Train page, or a sweep, trains several).")

    def title(fp: str) -> tuple[str, str]:  # "Test set 2", "(500 texts): zero_shot, tfidf_logreg"
        members = groups[fp]
        names = paired.run_names([r for r, _ in members])  # by the settings that differ, as the table
        return (f"Test set {list(groups).index(fp) + 1}", f"({len(members[0][1]['labels']):,} texts): "
                + ", ".join(names[r.id] for r, _ in members))

    titles = {fp: title(fp) for fp in groups}  # once each: a title names the runs and counts the sets before it

    if len(groups) > PAIRED_SETS:
        # One test set at a time, picked: each is a table, a pair's verdict and its texts, which re-splits the data
        # (a review: 160 runs picked over 38 splits drew 38 blocks down the page, most of its 11-14 s; 3 s now).
        if st.session_state.get("cmp_pair_set") not in groups:  # one whose runs were taken out of the selection
            st.session_state.pop("cmp_pair_set", None)
        fp = st.selectbox(f"Test set ({len(groups)} among these runs: runs are paired only on the same test texts)",
                          list(groups), key="cmp_pair_set", format_func=lambda fp: (
                              f"{titles[fp][0]} · {common.dataset_name(groups[fp][0][0].dataset)} {titles[fp][1]}"))
        _paired_group(fp, groups[fp])
        return
    for fp, members in groups.items():
        if len(groups) > 1:
            head, rest = titles[fp]
            st.markdown(f"**{head}** {rest}")
        _paired_group(fp, members)


def _paired_group(fp: str, members: list[tuple]) -> None:
    name = _namer(members)
    # Every pair only where the table shows them: a 60-run sweep has 1,770 pairs (0.3 s on each page run).
    by_f1 = judged_by() == "macro_f1"
    # Judged by macro-F1 (Which one to use?): its paired test beside McNemar's, and the one Holm adjusts.
    rows = (paired.pairwise_rows(members, name, "macro_f1" if by_f1 else "accuracy") if len(members) <= 8
            else [])
    if len(rows) > 1:
        hidden = ("holm_pairs", "holm_of", "holm_family", "at_edge", "family", "test_set")
        table = [{k: v for k, v in r.items() if not k.endswith("_id") and k not in hidden}
                 | {"p (McNemar)": paired.format_p(r["p (McNemar)"]), "p (Holm)": paired.format_holm(r)}
                 | ({"A − B (macro-F1)": round(r["A − B (macro-F1)"], 3) + 0.0,  # '+0.000', never '-0.000'
                     "p (macro-F1)": paired.format_p(r["p (macro-F1)"])} if by_f1 else {}) for r in rows]
        family = max(r["holm_pairs"] for r in rows)
        if family < 2:  # Holm over one pair (or none) leaves its p as it is: the column repeated the number beside it
            table = [{k: v for k, v in r.items() if k != "p (Holm)"} for r in table]
        # The p values right after the difference they test: at 1024 px the table's right edge cut "p (McNemar)",
        # the point of the table, where it came after the interval and the two counts.
        first = ["A", "B", "A - B (points)", "p (McNemar)",
                 *(["A − B (macro-F1)", "p (macro-F1)"] if by_f1 else []), *(["p (Holm)"] if family > 1 else [])]
        order = [*first, *(k for k in table[0] if k not in first)]
        # Short headers and narrow run names: at 1280 px the table scrolled and hid the Holm column.
        st.dataframe(table, hide_index=True, width="stretch", key=f"pair_table_{fp}", column_order=order,
                     column_config={
            "A": st.column_config.TextColumn(width=125, pinned=True), "B": st.column_config.TextColumn(width=125),
            "only A right": st.column_config.NumberColumn("A only", help="Test texts only A got right."),
            "only B right": st.column_config.NumberColumn("B only", help="Test texts only B got right."),
            "A - B (points)": st.column_config.NumberColumn("A − B", format="%+.1f",
                                                            help="Accuracy difference, in points."),
            "A − B (macro-F1)": st.column_config.NumberColumn(format="%+.3f"),
            "95% interval (points)": st.column_config.TextColumn(
                "95% interval", help="95% interval of the accuracy difference on these paired texts (Agresti-Min: the Wald "
                     "interval of the matched-pairs difference with half a text added to each cell)."),
            "p (macro-F1)": st.column_config.TextColumn(alignment="right", help="Paired permutation test of the "
                                                        "macro-F1 difference (2,000 random swaps)."),
            "p (McNemar)": st.column_config.TextColumn(
                alignment="right", help="Chance of a split at least this uneven of the texts only one run gets "
                                        "right, if both were equally good. With many pairs, expect one in twenty "
                                        "below 0.05 by chance."),
            "p (Holm)": st.column_config.TextColumn(alignment="right", help=holm_help(
                by_f1, family, rows[0].get("holm_family", "different strategies"))),
        })
        if family > 1 and st.session_state.get("cmp_answered") == "seeds":  # its p is not in this table
            st.caption("Which one to use? compares strategies over their seeds (a paired t-test over the seeds' "
                       "scores where both ran several times), not one run against one; this table pairs single "
                       "runs, and p (Holm) adjusts for reading every pair of it at once.")
        elif family > 1 and st.session_state.get("cmp_answered"):  # the answer quotes both p (a persona saw two)
            st.caption("Which one to use? judges each gap by p (Holm), as this table does, and quotes both: the "
                       "pair's own p, then the p after Holm's adjustment for reading every pair of this table at "
                       "once.")
    if len(members) > 8:
        st.caption(f"{len(members)} runs share this test set (too many pairs for one table): pick any two.")
    by_id = {r.id: (r, d) for r, d in members}
    ranked = (sorted(members, key=lambda m: -float(m[0].metrics.get("test_macro_f1") or 0)) if by_f1
              else paired.by_accuracy(members))  # A: the best by the measure the answer judges by
    order = [r.id for r, _ in ranked]
    # B: the most accurate run of another strategy than A's (two seeds of one strategy say little about which to use).
    # Of those, one the table pairs with A (the same training size and seed, where seeds were matched): the best of
    # three seeds against the best of three (a review) is a pair the table leaves out, and a biased one.
    choice = paired.compared([r for r, _ in ranked])
    other = [i for i, (r, _) in enumerate(ranked) if r.strategy != ranked[0][0].strategy]
    b_default = next((i for i in other if choice(ranked[0][0], ranked[i][0])), other[0] if other else 1)
    # The pair follows the default (the best two) as runs finish, until the user picks another pair: a page
    # watched through a whole launch ended on the first two runs to finish.
    keys, default = (f"pair_a_{fp}", f"pair_b_{fp}"), (order[0], order[b_default])
    before = st.session_state.get(f"pair_default_{fp}")
    for k, old, new in zip(keys, before or (None, None), default):
        if k not in st.session_state or st.session_state[k] == old or st.session_state[k] not in order:
            st.session_state[k] = new
    st.session_state[f"pair_default_{fp}"] = default
    c1, c2 = st.columns(2)
    a = c1.selectbox("Run A", order, key=keys[0], format_func=lambda i: name(by_id[i][0]))
    b = c2.selectbox("Run B", order, key=keys[1], format_func=lambda i: name(by_id[i][0]))
    if a == b:
        st.info("Pick two different runs.")
        return
    (ra, da), (rb, db) = by_id[a], by_id[b]
    p = paired.compare(da["labels"], da["predictions"], db["predictions"])
    name_a, name_b = name(ra), name(rb)
    f1 = paired.compare_f1(da["labels"], da["predictions"], db["predictions"])
    by_f1_text = (f"By macro-F1 (every class counts the same): A {f1.a_f1:.3f}, B {f1.b_f1:.3f}, A − B "
                  f"{signed(f1.difference, 3)} (95% bootstrap interval {signed(f1.interval[0], 3)} to {signed(f1.interval[1], 3)}; "
                  f"paired permutation test {paired.p_is(f1.p_value)})."
                  + (" " + paired.F1_EDGE_NOTE if paired.at_the_edge(f1.p_value, f1.interval) else ""))
    # Two a row in projector mode: four a row at 1024 px cut "+0.7 points" to "+0.…". The unit sits in the label:
    # at 1024 px a value "+7.0 points" still read "+7.0 p…".
    m = [*st.columns(2), *st.columns(2)] if common.projector() else st.columns(4)
    m[0].metric("A − B (points)", signed(100 * p.difference, 1),
                help=f"95% interval {signed(100 * p.interval[0], 1)} to {signed(100 * p.interval[1], 1)} points (paired).")
    m[1].metric("only A right", f"{p.a_only:,}")
    m[2].metric("only B right", f"{p.b_only:,}")
    m[3].metric("p (McNemar)", paired.format_p(p.p_value))
    mcnemar = (f"{paired.verdict(p, name_a, name_b)} 95% interval of A − B: {signed(100 * p.interval[0], 1)} to "
               f"{signed(100 * p.interval[1], 1)} points. "
               + (paired.EDGE_NOTE + " " if paired.at_the_edge(p.p_value, p.interval) else "")
               + f"Both right on {p.both_right:,} texts, both wrong on {p.both_wrong:,}.")
    # One pair among several, and runs picked from several seeds: the verdict to go by is the adjusted one (the
    # table's Holm column) and the answer's over the seeds; this pair's own p alone read as "better" against both.
    # (of the measure judged by: the table's Holm column adjusts macro-F1's p where the answer judges by it)
    row = next((r for r in rows if {r["a_id"], r["b_id"]} == {a, b}), None)
    holm = row["p (Holm)"] if row is not None and row.get("holm_pairs", 0) > 1 else None
    adjusted = "" if holm is None else (
        f" Adjusted for the {row['holm_pairs']} pairs of runs of {row.get('holm_family', 'different strategies')} "
        "in the table (Holm): "
        f"{paired.p_is(holm)}" + (", beyond chance still." if holm < 0.05 else
                                  ", which chance among that many comparisons could explain."))
    seeds = _seeds_note(members, ra, rb)
    if by_f1:  # the verdict by the measure the answer judges by; accuracy's below it
        lead = name_a if f1.difference >= 0 else name_b
        f1_judged = f1.p_value if holm is None else holm
        (st.success if f1_judged < 0.05 else st.info)(
            by_f1_text + adjusted + seeds
            + (f" Evidence that {lead} is better by macro-F1 on texts like these, beyond the luck of this test set."
               if f1_judged < 0.05 else " This test set cannot tell them apart by macro-F1."))
        st.caption("By accuracy (McNemar): " + mcnemar)
    else:
        (st.success if (p.p_value if holm is None else holm) < 0.05 else st.info)(mcnemar + adjusted + seeds)
        st.caption(by_f1_text)
    idx = paired.disagreements(da["labels"], da["predictions"], db["predictions"])
    if not idx:
        return
    test = paired.test_set_of(ra, fp, common.splits)
    texts = test.texts if test is not None else None
    names = ra.metrics.get("label_names") or []

    def label(k: int) -> str:
        return names[k] if k < len(names) else str(k)

    with st.expander(f"The {len(idx):,} test texts where only one of them is right"):
        if texts is None:
            st.caption("The test texts could not be loaded again (the data changed since these runs?).")
        shown = idx[:200]
        # Columns named after the runs: "A" and "B" are easy to forget once scrolled.
        def sure(d: dict, i: int) -> dict:  # how sure each run was (runs from before confidences were kept: none)
            return {"confidence": 100 * d["confidences"][i]} if "confidences" in d else {}

        # first, where each text is in the user's file (its id column, or its row number), as in the CSV
        st.dataframe([(test.origin(i) if test is not None else {}) | {
                       "text": texts[i] if texts else f"#{i}", "true label": label(da["labels"][i]),
                       f"A: {name_a}": label(da["predictions"][i]),
                       **{f"A {k}": v for k, v in sure(da, i).items()},
                       f"B: {name_b}": label(db["predictions"][i]),
                       **{f"B {k}": v for k, v in sure(db, i).items()},
                       "right": name_a if da["predictions"][i] == da["labels"][i] else name_b} for i in shown],
                     hide_index=True, width="stretch", key=f"pair_texts_{fp}_{a}_{b}",
                     column_config={"text": st.column_config.TextColumn(width="large"),
                                    "A confidence": st.column_config.NumberColumn("A sure", format="%.0f%%"),
                                    "B confidence": st.column_config.NumberColumn("B sure", format="%.0f%%")})
        if len(idx) > len(shown):
            st.caption(f"The first {len(shown)} of {len(idx):,}, in test-set order.")


def serving_section(done: list, busy: bool) -> None:
    """What answering costs each finished run: its inference FLOPs per text (recorded by the run) and, once
    measured here on request (bertlab.serving), its latency for one text, its throughput and the money per
    million texts."""
    common.section("What serving costs")
    price = common.prices()  # as set on the Accuracy vs cost page
    labels = plots.run_labels(done)
    rows = []
    for r in done:
        c = r.costs or {}
        per_m = serving.money_per_million(c.get("serve_texts_per_s"), price.per_hour(c.get("serve_device")))
        rows.append({"run": labels[r.id], "inference FLOPs/text": format_flops(c.get("inference_flops_per_text")),
                     "on disk": format_bytes(model_bytes(r)),
                     "ms per text (p50)": c.get("serve_ms_p50"), "p95": c.get("serve_ms_p95"),
                     "texts/s (batches of 64)": (None if c.get("serve_texts_per_s") is None
                                                 else f"{c['serve_texts_per_s']:,.0f}"),
                     f"{price.currency} per million texts": None if per_m is None else
                     pareto.format_cost(per_m, "train_money", price),
                     "answered by": " · ".join(x for x in (c.get("serve_backend"), c.get("serve_device")) if x)})
    measured = any(r.costs.get("serve_ms_p50") is not None for r in done)
    # Short headers (the frame keeps its column names), so that the table fits 1024 px without scrolling.
    st.dataframe(rows, hide_index=True, width="stretch", key="serving_table", column_order=[
        k for k in rows[0] if measured or k in ("run", "inference FLOPs/text", "on disk")], column_config={
        "on disk": st.column_config.TextColumn(alignment="right", help="What answering with the run needs on disk: "
                                               "its saved model, and for zero_shot and head_only the pretrained "
                                               "encoder they answer through (shared by such runs). '-': a run "
                                               "stored before bertlab measured it, or an encoder not found. Not "
                                               "counted: the ONNX copy a fine-tuned run's folder keeps once the "
                                               "Playground has answered with it (about as large again); Delete "
                                               "below counts it."),
        "run": st.column_config.TextColumn(width=120),
        "inference FLOPs/text": st.column_config.TextColumn("FLOPs/text", help="Inference FLOPs per text: what "
                                                            "answering one text costs, on any machine."),
        "ms per text (p50)": st.column_config.NumberColumn("ms p50", format="%.1f", help="Median milliseconds to "
                                                           "answer one text, over 20 test texts one at a time."),
        "p95": st.column_config.NumberColumn("ms p95", format="%.1f", help="95th percentile of the same."),
        "texts/s (batches of 64)": st.column_config.TextColumn("texts/s", alignment="right",
                                                               help="Texts per second, 256 test texts sorted by "
                                                                    "length in batches of 64 (as a job over a "
                                                                    "backlog would batch them)."),
        f"{price.currency} per million texts": st.column_config.TextColumn(
            f"{price.currency}/M texts", alignment="right", help="What a million texts cost at that rate and the "
                                                                "price per hour set on Accuracy vs cost."),
        "answered by": st.column_config.TextColumn("runtime"),
    })
    # One figure to quote where runs do the same work per text (bertlab.serving, as the report and Accuracy vs
    # cost say it), not four that differ by noise.
    if note := serving.same_work_note(done, price, bold="**"):
        st.caption(note)
    # 1.4 cut the label at 1024 px ("Measure serving s…"); in projector mode 1.8 did ("Measure servi…"): stacked there.
    c1, c2 = common.columns_unless_projector([1.8, 3], vertical_alignment="center")
    go = c1.button("Measure serving speed" if not measured else "Measure again", disabled=busy or common.read_only(),
                   icon=":material/speed:", help="Times every finished run here on this machine: one text at a time, "
                   "then 256 test texts in batches of 64 (a few seconds per run).")
    c2.caption("FLOPs per text are the same on any machine. The timing is this machine's, through the same path as "
               "the inference box (ONNX Runtime on a CPU once a model is exported); money = time x the price per "
               "device-hour set on the Accuracy vs cost page." + (" Wait until no run is training: it would slow "
                                                                  "both down." if busy else ""))
    if go:
        texts = _serving_texts(done)
        if not texts:
            st.warning("The runs' test texts could not be loaded again (the data changed?): nothing to time.")
            return
        bar = st.progress(0.0, text="Timing…")
        try:
            serving.measure(common.store(), common.predictor(), [r.id for r in done], texts,
                            progress=lambda k, n, doing: bar.progress(
                                k / n, text=f"{doing[:1].upper()}{doing[1:]}…" if doing else "Timed"))
        except BertlabError as e:
            common.show_error(e)
            return
        st.rerun()


def _serving_texts(done: list) -> list[str]:
    for r in done:
        try:
            return list(common.splits(r.run_config.data).test.texts)
        except Exception:  # noqa: BLE001 - a moved upload, an offline hub dataset
            continue
    return []


def calibration_section(done: list) -> None:
    """Can each run's confidence be trusted? Its reliability diagram and expected calibration error."""
    have = [r for r in done if r.metrics.get("calibration")]
    if not have:
        return
    common.section("Can its confidence be trusted? (calibration)")
    common.chart(common.figure(plots.calibration_figure, have), width="stretch", key="cmp_calibration")
    labels = plots.run_labels(have)
    worst = max(have, key=lambda r: r.metrics.get("test_ece") or 0)
    w = worst.metrics
    # The finding under the chart; how to read it one click away (six lines of it at 1366 px under the chart).
    st.caption(f"The largest calibration error here: {labels[worst.id]}, ECE {w.get('test_ece', 0):.3f} (mean "
               f"confidence {100 * (w.get('test_mean_confidence') or 0):.0f}%, accuracy "
               f"{100 * (w.get('test_accuracy') or 0):.0f}%). {ECE_SAID}." + metrics.chance_ece_sentence(w))
    with st.expander("Reading this chart: the points, ECE, when it matters", icon=":material/help:"):
        st.caption("Each point: the test texts a run answered with about that confidence, and the share it got right. "
                   "On the diagonal a run is right as often as it says; below it, overconfident. ECE (expected "
                   "calibration error) is the mean gap, weighted by texts."
                   + (" zero_shot's 'probabilities' are a softmax of 20 x cosine similarities: where they match its "
                      "accuracy, that is the luck of that scale on this data, not something it learnt."
                      if any(r.strategy == "zero_shot" for r in have) else "") + " Calibration matters "
                   "where a threshold on the confidence decides (send the unsure texts to a person).")
    numbers_behind("this chart", [("Per band of confidence, each run's test texts answered that sure and the share "
                                   "it got right", plots.calibration_table(have))])


MISTAKES_SHOWN = 20


def confident_mistakes(done: list) -> None:
    """The test texts a run got wrong with the highest confidence: hard texts, a shortcut it learnt, or labels
    that are wrong in the data (the quickest check of label quality there is)."""
    have = [(r, d) for r in done if (d := paired.load_predictions(r)) is not None and "confidences" in d]
    if not have:
        return
    labels = plots.run_labels([r for r, _ in have])
    by_id = dict((r.id, (r, d)) for r, d in have)
    with st.expander("The test texts each run got wrong most confidently", icon=":material/report:"):
        best = max(have, key=lambda rd: rd[0].metrics.get("test_accuracy") or 0)[0].id  # the one likely kept
        # keyed by the finished runs: a page opened at launch showed the first run to finish, and kept it
        # after the most accurate one finished; each new finished run brings the most accurate back
        run_id = st.selectbox("Run", list(by_id), index=list(by_id).index(best), format_func=labels.get,
                              key="mistakes_run_" + hashlib.sha256(" ".join(by_id).encode()).hexdigest()[:8])
        r, d = by_id[run_id]
        wrong = paired.surest_wrong(d)
        if not wrong:
            st.caption(f"{labels[run_id]} got every test text right.")
            return
        test = paired.test_set_of(r, d["fingerprint"], common.splits)
        texts = test.texts if test is not None else None
        names = r.metrics.get("label_names") or []

        def name(k: int) -> str:
            return names[k] if k < len(names) else str(k)

        st.dataframe([(test.origin(i) if test is not None else {})  # where it is in the user's file
                      | {"text": texts[i] if texts else f"#{i}", "true label": name(d["labels"][i]),
                         "its answer": name(d["predictions"][i]), "confidence": 100 * d["confidences"][i]}
                      for i in wrong[:MISTAKES_SHOWN]], hide_index=True, width="stretch", key="mistakes_table",
                     column_config={"text": st.column_config.TextColumn(width="large"),
                                    "confidence": st.column_config.NumberColumn(format="%.0f%%")})
        sure = sum(1 for i in wrong if d["confidences"][i] >= 0.9)
        st.caption(f"{min(len(wrong), MISTAKES_SHOWN)} of its {len(wrong):,} wrong answers, the surest first"
                   + (f" ({sure:,} at 90% or more)" if sure else "") + ". A model sure of a wrong answer meets a hard "
                   "text, has learnt a shortcut, or is right and the label is wrong: reading these is the quickest "
                   "check of a dataset's labels."
                   + ("" if texts else " The test texts could not be loaded again (the data changed since this run?)."))


PER_CLASS = {"recall": "Recall", "precision": "Precision", "f1": "F1"}


def per_class_column(name: str, short: str, support: int, title: str):
    """A per-class column: a long class name cut in the middle in its header (``short``, of :func:`plots.middle_cuts`
    over the table's classes: 'account_acce…et_requests (n=40)'), whole in its tooltip, as the confusion matrices
    draw it: three 50-character names made a table of 1,200 px that showed one class and a half at 1366 px, the rest
    behind a sideways scroll."""
    return st.column_config.NumberColumn(f"{short} (n={support:,})" if short != name else None, format="%.0f%%",
                                         help=title if short != name else None)


# Streamlit's table draws a cell with no value as a grey "None" (st.dataframe has no setting for it, and a Styler's
# na_rep is not read; seen in Chromium with 1.67): the caption says so, where the CLI and the report write "-"
NO_FIGURE_HERE = "A cell with no figure reads None in this table."


def per_class_section(done: list) -> None:
    """Recall, precision or F1 of every class for every run: what accuracy and macro-F1 average away (a run that
    never answers a rare class shows 0% recall there, and no precision: metrics.NEVER_ANSWERED_NOTE)."""
    st.session_state.setdefault("keep_per_class", "recall")
    # The control's value is in the session before the rerun that draws it: the table is built once.
    table = plots.per_class_rows(done, st.session_state["keep_per_class"] or "recall")
    if table is None:
        return
    common.section("Per class (test set)")
    st.segmented_control("Per-class measure", list(PER_CLASS), key="keep_per_class", format_func=PER_CLASS.get,
                         required=True, label_visibility="collapsed")
    st.dataframe(table.rows, hide_index=True, width="stretch",
                 column_config={"run": st.column_config.TextColumn(pinned=True)}
                 | {c: per_class_column(n, short, table.support[n], c)
                    for (n, c), short in zip(table.columns.items(), plots.middle_cuts(list(table.columns)))})
    untested = [n for n, k in table.support.items() if not k]
    st.caption("Recall: the share of a class's test texts the run found; precision: the share of its answers of "
               "that class that were right; F1: their harmonic mean (macro-F1 is the mean over classes)."
               + (f" {few}" if (few := metrics.few_texts_sentence(table.support, lambda n: common.md(repr(n))))
                  else "")
               + (f" No test text of {', '.join(common.md(repr(n)) for n in untested[:6])}"
                  f"{f' and {len(untested) - 6:,} more' if len(untested) > 6 else ''}: "
                  f"{'its' if len(untested) == 1 else 'their'} recall and F1 have no figure, and macro-F1 averages "
                  "the other classes." if untested else "")
               + (f" {NEVER_ANSWERED_NOTE}" if table.never_answered else "")
               + (f" {NO_FIGURE_HERE}" if untested or table.never_answered else "")
               + (f" Left out: {counted(table.left_out, 'run')} on other classes (another dataset)." if table.left_out else ""))


def pr_section(done: list) -> None:
    """How each run trades precision for recall on one class (the rarest by default): its precision-recall curve
    over its test probabilities, average precision, the point its answers sit at, and what precision it gets at a
    recall asked for (and the reverse). Only where some run kept its class probabilities; the others are named."""
    choices = prcurve.class_choices(done)
    if not choices:
        return
    common.section("Precision against recall, one class (test set)")
    keyed = hashlib.sha256(" ".join(choices).encode()).hexdigest()[:8]  # the rarest again where the classes change
    left, right = st.columns(2)
    name = left.selectbox("Class", choices, key="pr_class_" + keyed, format_func=lambda n: f"{n} (the rarest)"
                          if n == choices[0] and len(choices) > 1 else n)
    # a recall to reach, or a precision: prcurve's list (a thinned curve keeps its readings exact at these)
    target = right.selectbox("Read the curves at", prcurve.TARGETS, index=prcurve.TARGETS.index(prcurve.READ_AT),
                             key="pr_target",
                             format_func=lambda t: f"{100 * t:.0f}% recall, and {100 * t:.0f}% precision")
    cs = prcurve.curves(done, name)
    if cs.curves:
        common.chart(common.figure(plots.pr_figure, done, cs, at_recall=target), width="stretch", key="cmp_pr")
        # two tables, at the recall and at the precision, what to quote first in each: one of all ten columns
        # needed a sideways scroll at 1366 pixels for its last
        for of, key in (("recall", "pr_table"), ("precision", "pr_table_precision")):
            st.dataframe(plots.pr_table(done, cs, target, of=of), hide_index=True, width="stretch", key=key,
                         column_config={"run": st.column_config.TextColumn(pinned=True)})
    labels = plots.run_labels(done)
    st.caption(f"Each line: one run's precision and recall on {common.md(repr(name))} as the probability it needs to "
               "answer that class is lowered from 1 (few answers, mostly right) to 0 (every text, all found); the "
               "marker: where its own answers (its most probable class) sit. Average precision (AP) is the area "
               "under the line: 1 for a run that ranks every text of the class above the others, the class's share "
               f"of the texts for a random one. {common.md(plots.pr_threshold_note(done, cs, target))}"
               + (f" {common.md(plots.pr_operating_note(cs, target))}" if cs.curves else "")
               + "".join(f" No curve for {labels[r.id]}: {why}." for r, why in cs.missing)
               + "".join(f" {labels[c.run_id]} never answered {common.md(repr(name))}: no marker, its precision there "
                         "is undefined." for c in cs.curves if c.at_answers[0] is None)
               # two runs on one curve (two perfect ones): one line over the other, a run seemed missing
               + (f" {same}" if (same := prcurve.coinciding_sentence(cs, labels)) else ""))


# Short names for the cost buttons (the charts' full titles did not fit one row beside each other), as Accuracy vs
# cost names them (pareto.MEASURE_NAMES)
COST_LABELS = {k: pareto.MEASURE_NAMES[k] for k in plots.COSTS}
# What examples/s counts, strategy by strategy: said beside the table's column and under the throughput chart, which
# ranks them side by side (an ML engineer took them for one measure).
THROUGHPUT_HELP = ("Training examples per second over each strategy's own training: n/a where nothing is trained "
                   "(zero_shot). One measure for every strategy: its training texts x epochs, per second of its "
                   "training time. Fine-tuning counts each training text once per epoch; head_only counts it once, "
                   "through its encoder pass (the epochs of its head on cached vectors cost next to nothing); "
                   "tfidf_logreg counts it once too, over its whole fit, though it fits once per value of C it tries "
                   "(4 by default; that search is part of its training time), a linear model on word counts: not "
                   "comparable with a network's fine-tuning step (tfidf_logreg runs stored before 2026-12-05, whose "
                   "figure counted each text once per C, are shown on this measure: divided by the Cs they tried); dapt (and scratch with masked-LM epochs) over "
                   "all of its training, its masked-LM phase first included (runs stored before 2026-12-06, whose "
                   "figure left that phase out, are shown on this measure). Training FLOPs compare the work itself.")
# The same in one line, under the results table (the full text is the column's help and the chart's caption).
THROUGHPUT_NOTE = ("Examples/s: training texts x epochs per second of training (head_only: each text through its "
                   "encoder once; tfidf_logreg: each text once, its search over C in its time; dapt: its masked-LM "
                   "phase in its time).")
# Columns shown (the frame has more: status, total time and params, device, run id; the total time is in the
# status lines, the device under the table): fourteen made the table scroll sideways even at 1440 px.
TABLE_COLUMNS = ("run", "test accuracy", "95% interval", "macro-F1", "majority baseline", "train time (s)",
                 "train examples/s", "trainable params", "train FLOPs", "peak memory (MiB)", "inference FLOPs/text")
# The results' tables (with the sidebar open, 1024 px leaves ~560 px: five numbers beside a 120-px name; in
# projector mode's larger text ~520 px: four)
SCORE_COLUMNS = ("run", "test accuracy", "95% interval", "macro-F1", "majority baseline")
# Peak memory is training's: beside inference/text, as "MiB", it read as a serving cost (What serving costs says
# the MiB a model takes on disk).
TRAIN_COST_COLUMNS = ("run", "train time (s)", "train examples/s", "trainable params", "train FLOPs", "peak memory (MiB)")
SERVE_COLUMNS = ("run", "inference FLOPs/text")
# The kept model on the validation texts (a review: they were only curves), a table of their own under the scores
VALIDATION_COLUMNS = ("run", "val accuracy", "val macro-F1", "val loss")
VALIDATION_HELP = ("on the validation texts, by the model the run kept (its best epoch with Keep best): a learning "
                   "rate or setting picked here is fairly scored on the test texts; one picked by its test score is "
                   "flattered by it. 'n/a' where a run kept none (zero_shot and tfidf_logreg have no loss).")
# The scores' words where a reader who knows no ML meets them (the report says them under its results table): the
# answer and the status lines name macro-F1, the calibration finding ECE, explained only in a folded help or the
# per-class section further down.
MACRO_F1_SAID = metrics.MACRO_F1_WORDS[0].upper() + metrics.MACRO_F1_WORDS[1:] + "."
ECE_SAID = metrics.ECE_WORDS
TABLE_CONFIG = {  # short headers (labels only; the frame keeps its column names)
    # "head_only · 1a2b" whole, in 120 px ("medium" took a fifth of the table at 1024 px, which then scrolled)
    "run": st.column_config.TextColumn(pinned=True, width=120),
    "test accuracy": st.column_config.NumberColumn("test acc.", format="%.1f%%"),
    "95% interval": st.column_config.TextColumn(
        alignment="right", help="95% Wilson interval of the test accuracy: the sampling noise of a test set this size."),
    "macro-F1": st.column_config.NumberColumn(format="%.3f"),
    # text (validation_table): 'n/a' where a run kept none, as the other tables say it (a number column said "None")
    "val accuracy": st.column_config.TextColumn("val acc.", alignment="right", help="Accuracy " + VALIDATION_HELP),
    "val macro-F1": st.column_config.TextColumn(alignment="right", help="Macro-F1 " + VALIDATION_HELP),
    "val loss": st.column_config.TextColumn(alignment="right", help="Cross-entropy loss " + VALIDATION_HELP),
    "majority baseline": st.column_config.NumberColumn("baseline", format="%.1f%%", help="Majority-class accuracy."),
    "train time (s)": st.column_config.NumberColumn("train s", format="%.1f", help=common.TRAIN_TIME_HELP),
    "total time (s)": st.column_config.NumberColumn(format="%.1f"),
    "train examples/s": st.column_config.TextColumn(
        "examples/s", alignment="right",
        help=THROUGHPUT_HELP),
    "trainable params": st.column_config.NumberColumn("trainable", format="compact"),
    "train FLOPs": st.column_config.TextColumn(
        alignment="right",
        help="Model FLOPs: 2 x non-embedding parameters x training tokens forward, 4x backward, less where "
             "weights are frozen, plus attention's two matmuls (4 x layers x width x s^2 forward for each text of s "
             "real tokens, 3x that to train; padding is not counted). Where the head reads only the first token, the "
             "engine skips most of the last layer for the other tokens (13% of full "
             "fine-tuning's FLOPs on MiniLM); that saving is not subtracted."),
    "inference FLOPs/text": st.column_config.TextColumn(
        "inference/text", alignment="right",
        help="What answering one text costs the trained model: 2 x non-embedding parameters x the test texts' mean "
             "tokens, plus each text's attention over its own tokens (tfidf_logreg: its n-gram weights). Strategies that keep the encoder's size cost the same here, "
             "whatever they cost to train. Measured latency: the inference box and the Playground."),
    "peak memory (MiB)": st.column_config.NumberColumn(
        "train MiB", format="%.0f",
        help="Peak memory the run added while it trained (not what serving it takes: What serving costs says its size on disk): its high-water mark minus the level at its start (on CPU the process RSS, "
             "on a GPU the CUDA memory allocated), in MiB, so the server and earlier runs are left out. The first "
             "run to load a model in this process counts loading it (often zero_shot, which head_only then "
             "shares; the line under the table names such runs)."),
}


# What each number column takes at 1024 px, header and padding included (measured in Chromium at the desk's type
# size; projector mode's text is PROJECTOR_SCALE times as wide), and the width the Results tables share there with
# the sidebar open (RESULTS_PX; ~520 in projector mode).
COLUMN_PX = {"test accuracy": 66, "95% interval": 92, "macro-F1": 74, "majority baseline": 76, "train time (s)": 58,
             "train examples/s": 86, "trainable params": 90, "train FLOPs": 96, "peak memory (MiB)": 80,
             "inference FLOPs/text": 110}
RESULTS_PX, PROJECTOR_RESULTS_PX, PROJECTOR_SCALE = 560, 520, 1.25


def fit_tables(groups: list[list[str]], run_px: int, projector: bool = False) -> list[list[str]]:
    """``groups`` (each "run" and its number columns) cut into tables whose numbers fit beside a ``run_px`` run
    column at 1024 px (:data:`COLUMN_PX`), in order, each at least one number. A review: with runs picked over two
    datasets the run column widened to 300 px ('tfidf_logreg (rotten_tomatoes) · 4469') and the scores table cut
    'baseline', the six-column training costs 'train FLOPs', 'train MiB' behind a sideways scroll."""
    room = PROJECTOR_RESULTS_PX if projector else RESULTS_PX
    scale = PROJECTOR_SCALE if projector else 1.0
    tables = []
    for group in groups:
        numbers = [c for c in group if c != "run"]
        cut: list[list[str]] = []
        for c in numbers:
            wide = scale * COLUMN_PX.get(c, 90)
            if cut and run_px + sum(scale * COLUMN_PX.get(d, 90) for d in cut[-1]) + wide <= room:
                cut[-1].append(c)
            else:
                cut.append([c])
        tables += [["run", *t] for t in cut]
    return tables


def run_column(names) -> st.column_config.Column:
    """The pinned run column, as wide as its longest name (``head_only (lr 0.001) · 0cd3`` was cut to
    ``head_only (lr 0.001``, and its seeds read alike): at least the 120 px that fit ``head_only · 1a2b``, at
    most 300."""
    longest = max((len(str(n)) for n in names), default=0)
    return st.column_config.TextColumn(pinned=True, width=min(300, max(120, 8 * longest + 16)))


def results_table(done: list):
    """plots.results_frame formatted for reading: accuracies in percent with one decimal (as everywhere in the
    app), FLOPs with their unit, 'n/a' for a throughput that does not exist."""
    df = plots.results_frame(done)
    for col in ("test accuracy", "majority baseline", "val accuracy"):
        df[col] = [common.percent(v) for v in df[col]]
    for col in ("train FLOPs", "inference FLOPs/text"):
        df[col] = [format_flops(v) for v in df[col]]
    df["train examples/s"] = [_throughput(v, p) for v, p in zip(df["train examples/s"], df["trainable params"])]
    return df


VALIDATION_FORMATS = {"val accuracy": "{:.1f}%", "val macro-F1": "{:.3f}", "val loss": "{:.3f}"}


def validation_table(table, kept: list[str]):
    """The validation table's rows: the run and the ``kept`` columns of :func:`results_table`'s ``table`` as text,
    'n/a' where a run kept no figure (zero_shot's and tfidf_logreg's loss), as the other tables say it: the number
    columns showed "None" there."""
    shown = table[["run", *kept]].copy()
    for c in kept:
        cells = ["n/a" if v is None or v != v else VALIDATION_FORMATS[c].format(v) for v in shown[c]]
        # A text column sorts by its text (a click on its header): '100.0%' came before '81.2%' and '9.5%' after
        # both. Each figure is padded on the left to the column's widest (spaces sort before digits, and a
        # right-aligned cell shows none of them), so the text sorts as the numbers do, 'n/a' after them.
        wide = max((len(t) for t in cells if t != "n/a"), default=0)
        shown[c] = [t if t == "n/a" else t.rjust(wide) for t in cells]
    return shown


def _throughput(v, trainable) -> str:
    if v is not None and v == v:  # not None, not NaN
        return f"{v:,.0f}"
    return "n/a" if not trainable else "—"  # n/a: trains nothing (zero_shot); —: not recorded


CHARTED = plots.CHARTED  # a selection of more runs than this draws those picked (charted), not every one


def charted(runs: list) -> list:
    """The runs the curves, charts and confusion matrices draw: every one where there are at most CHARTED, else
    those picked in a list, by default :func:`bertlab.plots.charted_default` (the runs training now and, of each
    strategy and setting, its finished run of median accuracy, best first, CHARTED in all), as the report draws.
    The tables list every run."""
    if len(runs) <= CHARTED:
        return runs
    default = [r.id for r in plots.charted_default(runs, CHARTED)]
    by_id, titles = {r.id: r for r in runs}, plots.run_labels(runs)
    key = "cmp_charted_" + hashlib.sha1(",".join(sorted(by_id)).encode()).hexdigest()[:10]  # per selection
    # The default follows the runs (queued at launch, each setting's median seed once they finish) until the list
    # is edited: a keyed widget keeps its first default, the first 12 queued runs of a 180-run launch (a review).
    if not st.session_state.get(key + "_edited"):
        st.session_state[key] = default
    picked = st.multiselect(
        f"Runs drawn in the charts below ({len(runs)} in this selection; the tables list every one)", list(by_id),
        key=key, format_func=titles.get, on_change=lambda: st.session_state.__setitem__(key + "_edited", True),
        help=f"More than {CHARTED} runs make charts no one can read (and slow to draw): by default the runs training "
             "now and, of each strategy and setting, the run of median accuracy over its seeds, best first.")
    return [by_id[i] for i in picked]


def live_curves(run_ids: list[str]) -> None:
    """The curves, refreshed on the same timer as the status lines (a fragment of its own: full width)."""
    runs = [r for r in (common.store().get(i) for i in run_ids) if r is not None]
    if not runs:  # every run taken out of the list above
        st.info("Pick runs in the list above to draw their curves and charts.")
        return
    curves(sorted(runs, key=lambda r: r.created))


def live(run_ids: list[str], refreshing: bool) -> None:
    """Everything that changes while runs train; re-run every REFRESH_S seconds while any is active."""
    s = common.store()
    common.manager().sweep_orphans()  # a killed CLI's run: interrupted now, not when this server's run ends
    runs = [r for r in (s.get(i) for i in run_ids) if r is not None]
    runs.sort(key=lambda r: r.created)
    done = [r for r in runs if r.status == "succeeded"]
    # Notes every finished run has (what cleaning the data did) once, not under each run, where they would hide
    # the notes that tell the runs apart.
    shared = frozenset.intersection(*(frozenset(r.notes) for r in done)) if len(done) >= 2 else frozenset()
    strategies = [r.strategy for r in runs]
    several = len(set(strategies)) < len(strategies)  # seeds or sizes of one strategy: say which run is which
    sizes = len({run_detail(r, True).split(" · ")[0] for r in runs}) > 1
    splits = len({(r.config.get("data") or {}).get("seed") for r in runs}) > 1
    active = any(r.status in ACTIVE for r in runs)
    again = {config_key(r.config) for r in runs if r.status in ACTIVE or r.status == "succeeded"}
    # launched at this desk: Cancel and Run again without asking (read where either is shown)
    mine = set(common.own_batches()) if active or any(r.status in RERUNNABLE for r in runs) else set()
    # runs picked from several datasets: each says its own first (variants.parts), as the charts name them
    shown = variants.parts(runs)
    # Many runs: the finished ones' lines folded away (180 of them came before anything else, 27,000 px down to the
    # charts); those training, queued or ended without a result stay in sight.
    folded = [r for r in runs if r.status in (SUCCEEDED, QUEUED)] if len(runs) > CHARTED else []
    n_done, folded_ids = sum(r.status == SUCCEEDED for r in folded), {r.id for r in folded}
    what = " and ".join(x for x in (f"{n_done} finished" if n_done else "",
                                   f"{len(folded) - n_done} queued" if len(folded) > n_done else "") if x)
    # a label that stays put as runs finish (a new one is a new expander, closed on its reader every 2 s)
    fold = st.expander("The finished and queued runs, a line each", icon=":material/list:") if folded else None
    if fold is not None:
        fold.caption(f"{what[:1].upper()}{what[1:]}" + ("; their scores are in the tables below." if n_done else "."))
    for r in runs:
        detail = run_detail(r, sizes, splits) if several else ""
        # trained otherwise than its namesakes (balanced classes, another learning rate): said
        said = ["balanced classes" if x == "balanced" else x for x in shown[r.id]]
        detail = " · ".join(x for x in (detail, *said) if x)
        row = functools.partial(status_row, r, shared, detail, cancel_column=active,
                                redone=r.status in RERUNNABLE and config_key(r.config) in again,
                                own=r.batch_id in mine)
        if fold is not None and r.id in folded_ids:
            with fold:
                row()
        else:
            row()
    if shared:
        st.caption("Every run: " + " · ".join(common.md(n) for n in sorted(shared)))
    unfinished = still_to_finish(runs)
    if len(unfinished) > 1 and common.cancel_control(st, f"Cancel the {len(unfinished)} unfinished runs", all(
            r.batch_id in mine for r in unfinished), "cmp_cancel_all", icon=":material/cancel:", help="Stop the running one within a step and "
            "take the queued ones off the queue. Finished runs are kept."):
        for r in sorted(unfinished, key=lambda r: r.status == RUNNING):  # the queued first: none may start meanwhile
            common.cancel_run(r.id, r.batch_id in mine)
        st.toast(f"Cancelled {len(unfinished)} runs.")
        st.rerun()
    rerun_all(runs, again)
    active = any(r.status in ACTIVE for r in runs)
    finished = sorted(r.id for r in runs if r.status == "succeeded")
    newly_finished = st.session_state.get("cmp_finished") not in (None, finished)
    st.session_state["cmp_finished"] = finished
    if refreshing and (not active or newly_finished):
        # Redraw the whole page once: without the timer when everything finished, and so that the
        # inference box beside this fragment offers a model as soon as its run finishes.
        st.rerun()


st.title("Compare")
common.forget_runs()  # models of runs deleted elsewhere (the CLI, another tab) leave memory
common.manager().sweep_orphans()  # before "busy" is read: a killed CLI's run is no longer running
all_runs = common.store().list_runs(limit=common.RUNS_LISTED)
older = len(all_runs) == common.RUNS_LISTED  # the oldest batch listed is whole, never cut (a review: 300 runs in, a
if older:  # batch showed 10 of its 11 runs and the oldest batch was gone, without a word)
    have = {r.id for r in all_runs}
    all_runs += [r for r in common.store().list_runs(batch_id=all_runs[-1].batch_id, limit=None) if r.id not in have]
if not all_runs:
    st.info("No runs yet. Choose data and strategies, then launch them on the Train page.")
    st.page_link("app_pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

# a sweep chosen whole: its report has its learning curves and "Which one to use at each size?", as `report --sweep`
# makes it (a lecturer's sweep report for the course page had neither: no page of the app passed the sweep)
ids, sweep_now = select_runs(all_runs)
if older:
    st.caption(f"Listed: the batches of the newest {common.RUNS_LISTED:,} runs. Older ones: `python -m bertlab runs` "
               "lists them, `python -m bertlab report --batch ID` reports one.")
row = st.container(horizontal=True)  # buttons as wide as their labels, side by side
# Built only when clicked (a callable), so the 2-second refresh never pays for them.
# Money at the prices set on the Accuracy vs cost page, as the app shows it.
prices_now = common.prices()
# Training projected to the size set there too (the page's input survives page switches).
project_to = int(st.session_state.get("keep_pr_scale") or pareto.PROJECT_TO)
picked_done = [r for r in all_runs if r.id in set(ids) and r.status == SUCCEEDED]
# judged as the answer on this page is (its Judge by); None: the default, which the report explains as Compare does
default_now = answer.default_metric(picked_done) if picked_done else None
judge_now = default_now and common.judge_chosen(default_now, "judge_by", start=common.compare_judge(default_now))
row.download_button("Report (HTML)", lambda: report.build_html(common.store(), ids, prices=prices_now,
                                                               project_to=project_to, sweep_id=sweep_now,
                                                               judge_by=None if judge_now == default_now else judge_now),
                    "bertlab-report.html", "text/html", on_click="ignore", icon=":material/download:",
                    help="With the sweep's learning curves and its answer at each size." if sweep_now else None)
row.download_button("Results (CSV)",
                    lambda: report.for_spreadsheet(report.results_csv(common.store(), ids, prices_now)),
                    "bertlab-results.csv", "text/csv", on_click="ignore", icon=":material/table:")


def _predictions_csv() -> bytes:
    try:
        return report.for_spreadsheet(report.predictions_csv(common.store(), ids))
    except BertlabError as e:  # a file of one line that says why, rather than a traceback on the page
        return report.for_spreadsheet(report.csv_text([{"error": str(e)}]))


# (none finished: nothing to download; the file said so in a column of its own)
scored = any(r.status == SUCCEEDED for r in all_runs if r.id in set(ids))
row.download_button("Test predictions (CSV)", _predictions_csv, "bertlab-test-predictions.csv", "text/csv",
                    on_click="ignore", icon=":material/fact_check:", disabled=not scored,
                    help="Every test text with its true label and each run's answer (runs scored on the same test "
                         "set): read where they disagree, or score them with your own metric."
                         + ("" if scored else " None of these runs finished: no answers yet."))
# The inference box sits beside the status lines only; curves and results take the full width below
# (beside them too, at 1024 px they were squeezed to ~400 px and two charts a row were unreadable). In projector
# mode it goes under the status lines, across the page: a third of it cut the answers to "f" and "r" at 1024 px.
# Projector mode also puts the answer before the box: under the status lines and a full-width box, "Which one to
# use?" started a screen and a half down at 1024 px (a reviewer presenting to stakeholders).
# Once nothing trains the answer comes first of all, above the status lines: under four finished runs' lines (each
# with its notes) it started at y=982 px of a 1366x768 screen, below the fold, and those lines' scores are in the
# Results table anyway. While runs train, their progress stays on top and the provisional answer under it.
selected = [r for r in all_runs if r.id in set(ids)]
busy = any(r.status in ACTIVE for r in selected)
answer_slot = None if busy else st.container()
if common.projector():
    main = st.container()
    answer_slot = st.container() if answer_slot is None else answer_slot
    side = st.container()
else:
    main, side = st.columns([2, 1], gap="large")
    answer_slot = st.container() if answer_slot is None else answer_slot
pick_slot = st.container()  # under the answer: which runs the charts draw (a selection of many runs)
every = REFRESH_S if busy else None
with pick_slot:
    drawn = charted(sorted(selected, key=lambda r: r.created))
with main:
    st.fragment(run_every=every)(live)(ids, busy)
with side:
    common.section("Try the models")
    # of many runs, those the charts draw (it held the first 12 launched: 9 seeds of the first learning rate)
    inference_box(ids if len(selected) <= CHARTED else [r.id for r in drawn], key="cmp_box", compact=True)
# The answer above the curves (and, once nothing trains, above the status lines): what a stakeholder came for, on
# the first screen.
if done_now := [r for r in selected if r.status == "succeeded"]:
    # What the paired test follows where the answer box (and its Judge by) is not shown: this selection's default.
    st.session_state[JUDGE_KEY] = answer.default_metric(done_now)
    with answer_slot:
        answer_box(done_now, still=len(still_to_finish(selected)),  # as the Cancel-all button counts them
                   ended=tuple(r for r in selected if r.status in RERUNNABLE))
st.fragment(run_every=every)(live_curves)([r.id for r in drawn])
results(sorted(selected, key=lambda r: r.created), drawn)


def delete_section(runs: list) -> None:
    """Delete the selected runs that have ended, to free disk space (each fine-tuned model is ~90 MB; a lab of
    students filled gigabytes with nothing but "delete the whole data directory" to undo it). Asks once more."""
    ended = [r for r in runs if r.status not in ACTIVE]
    if not ended:
        return
    store = common.store()
    n = len(ended)
    # Their size on disk is read once asked (walking every run's folder at each rerun of the page was I/O for
    # nothing).
    with st.expander(f":material/delete: Delete {'this run' if n == 1 else f'these {n} runs'}"):
        live_n = len(runs) - n
        st.caption("Their models, curves and results go for good, for every user of this data directory; the CSV "
                   "and the report downloaded before keep what they hold. Runs still queued or training stay"
                   + (f" ({live_n} of the selected {'is' if live_n == 1 else 'are'})." if live_n else "."))
        ask = tuple(sorted(r.id for r in ended))
        if st.session_state.get("cmp_delete") != ask:
            if st.button(f"Delete {n} run{'s' * (n != 1)}", icon=":material/delete:", key="cmp_delete_ask",
                         disabled=common.read_only(),
                         help=f"Delete is {common.READ_ONLY_OFF}." if common.read_only() else None):
                st.session_state["cmp_delete"] = ask
                st.rerun()
            return
        size = sum(store.disk_bytes(r.id) for r in ended)
        st.warning(f"Delete {n} run{'s' * (n != 1)} ({', '.join(common.md(common.run_title(r)) for r in ended[:3])}"
                   f"{', …' if n > 3 else ''}) for good? They take {format_bytes(size)} on disk.",
                   icon=":material/warning:")
        c1, c2 = st.columns(2)
        if c1.button("Yes, delete them", type="primary", key="cmp_delete_yes"):
            st.session_state.pop("cmp_delete", None)
            try:
                deleted, _ = store.delete_finished(list(ask))
            except BertlabError as e:  # a data directory that cannot be written now
                common.show_error(e)
                return
            common.forget_runs(deleted)  # their models, if the Playground loaded them: memory back now
            st.toast(f"Deleted {len(deleted)} run{'s' * (len(deleted) != 1)}.")
            st.rerun()
        if c2.button("No, keep them", key="cmp_delete_no"):
            st.session_state.pop("cmp_delete", None)
            st.rerun()


delete_section(selected)
