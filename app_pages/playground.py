"""Playground page: type any text and see what every finished model answers, side by side."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.inference_box import inference_box
from bertlab import variants
from bertlab.config import MAX_LOADED_RUNS
from bertlab.errors import BertlabError
from bertlab.store import SUCCEEDED

MAX_DEFAULT = 8  # runs asked by default; the predictor keeps up to 12 warm


def default_runs(done: list, sweeps: set[str]) -> list[str]:
    """The succeeded runs of the launch Compare shows (else this desk's newest, else the newest) that has any, so
    one launch's models appear together.

    A sweep's batch (``sweeps``) is the default only when nothing else has finished: its many runs of a
    few strategies would fill the eight places.
    """
    batch = common.shown_batch(done, sweeps)
    if batch == common.PICKED:  # the runs picked on Compare, across launches
        return launch_order([r.id for r in common.picked(done)], done)[:MAX_DEFAULT]
    if batch in sweeps:
        batch = common.latest_batch(done, sweeps)
    return launch_order([r.id for r in done if r.batch_id == batch], done)[:MAX_DEFAULT]


def launch_order(ids: list[str], done: list) -> list[str]:
    """``ids`` in the order their runs were launched, as Compare, the report and the answers below list them (the
    store lists the newest first: the chosen runs read tfidf_logreg, head_only, zero_shot above cards that read
    zero_shot, head_only, tfidf_logreg)."""
    created = {r.id: r.created for r in done}
    return sorted(ids, key=lambda i: (created.get(i, 0.0), i))


def dataset_examples(run, others: list | None = None) -> list[tuple[str, str]]:
    """A few test-set sentences of the run's dataset, none of which any of ``others`` trained on (a run of another
    split seed or size may have had a test text of this one among its training texts)."""
    try:
        cfg = run.run_config.data
        test = common.splits(cfg).test
        seen: set[str] = set()
        for o in others or []:
            if o.run_config.data != cfg:
                try:
                    seen.update(common.splits(o.run_config.data).train.texts)
                except BertlabError:  # its data cannot be loaded again: its training texts are unknown
                    return []
        # up to eight buttons (the box's limit), one of each class in turn: two a class gave a binary dataset four
        return common.examples(test, per_class=max(2, -(-8 // max(1, len(test.label_names)))), exclude=seen)
    except BertlabError:
        return []


def keep_selection(done: list, sweeps: set[str]) -> None:
    """Keep the user's choice of runs when a new run finishes (the options change), and add runs of the
    latest batch that finished since the page last ran, so a launch's models join as they finish."""
    key, seen_key = "keep_pg_runs", "pg_seen_runs"
    ids = {r.id for r in done}
    if key not in st.session_state:
        st.session_state[seen_key] = ids
        return
    chosen = [i for i in st.session_state[key] if i in ids]
    seen = st.session_state.get(seen_key, ids)
    for i in default_runs(done, sweeps):
        if i not in seen and i not in chosen and len(chosen) < MAX_DEFAULT:
            chosen.append(i)
    st.session_state[key] = launch_order(chosen, done)
    st.session_state[seen_key] = ids


st.title("Playground")
st.markdown("Type a sentence and every finished model answers, with its class probabilities and how long it took.")
done = common.store().list_runs(status=(SUCCEEDED,), limit=200)
if not done:
    st.info("No finished runs yet. Launch some on the Train page; zero_shot and head_only finish first.")
    st.page_link("app_pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

by_id = {r.id: r for r in done}
names = variants.labels(done, data=False)  # "head_only (lr 0.03)": which setting; run_title names the data
sweeps = common.sweep_batches()
keep_selection(done, sweeps)
ids = st.multiselect("Models (finished runs)", list(by_id), key="keep_pg_runs", max_selections=MAX_LOADED_RUNS,
                     help=f"Up to {MAX_LOADED_RUNS}: the models kept loaded, so each answers at once.",
                     default=None if "keep_pg_runs" in st.session_state else default_runs(done, sweeps),
                     format_func=lambda i: common.run_title(by_id[i], names))
if not ids:
    st.info("Choose at least one run.")
    st.stop()
datasets = {common.dataset_name(by_id[i].dataset) for i in ids}
if len(datasets) > 1:
    st.caption(f"These runs were trained on different datasets ({common.md(', '.join(sorted(datasets)))}): their labels differ.")
inference_box(ids, key="pg_box", compact=False, examples=dataset_examples(by_id[ids[0]], [by_id[i] for i in ids]))
