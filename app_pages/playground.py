"""Playground page: type any text and see what every finished model answers, side by side."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.inference_box import inference_box, pair_columns, single_runs
from bertlab import variants
from bertlab.config import MAX_LOADED_RUNS
from bertlab.errors import BertlabError
from bertlab.store import QUEUED, RUNNING, SUCCEEDED

MAX_DEFAULT = 8  # runs asked by default; the predictor keeps up to 12 warm
SUBTITLE = "Type a sentence and every finished model answers, with its class probabilities and how long it took."
PAIR_SUBTITLE = ("Type a pair of texts (its *{first}* and its *{second}*) and every finished model answers about the "
                 "pair, with its class probabilities and how long it took.")
# beside single-text models, which are given the first text alone (inference_box.text_for)
MIXED_SUBTITLE = ("Type a pair of texts (its *{first}* and its *{second}*): the models trained on pairs answer about "
                  "the pair, those trained on single texts about the first text, each with its class probabilities "
                  "and how long it took.")


def shown_launch(shown: str | None, runs: list, done: list, sweeps: set[str], own: set[str]) -> str | None:
    """The batch the Playground opens on: ``shown``, the one Compare shows (common.shown_batch), picked from every
    run (``runs``) as Compare picks it (a classroom review: picked from the finished runs alone, a desk's own
    launch still queued was passed over for another desk's). Where that batch has no finished run and is not
    :func:`awaited` (a stranger's new launch Compare fell on by default; a launch of this desk's that failed or was
    cancelled), the newest batch with a finished run. ``own``: this desk's launches (common.own_launches)."""
    if (shown == common.PICKED or shown in sweeps or awaited(shown, runs, own)
            or any(r.batch_id == shown for r in done)):
        return shown
    return common.latest_batch(done, sweeps)


def whose(batch: str | None, own: set[str]) -> str | None:
    """'Your launch' where ``batch`` is this desk's own launch (one of ``own``), 'The launch chosen on Compare'
    where the user chose it there by hand, else None: Compare's default pick (the newest launch, maybe another
    desk's) is neither."""
    if batch is None:
        return None
    if batch in own:
        return "Your launch"
    if batch == st.session_state.get(common.HAND_KEY) == st.session_state.get("cmp_choice"):
        return "The launch chosen on Compare"
    return None


def awaited(batch: str | None, runs: list, own: set[str]) -> bool:
    """Whether the Playground waits for ``batch``'s models: this desk's own launch or one chosen on Compare by hand
    (:func:`whose`) that still has a queued or running run (``runs``: every run). One that ended without a finished
    run (failed, cancelled) has nothing to wait for: a review saw the page open empty on it."""
    return whose(batch, own) is not None and any(r.batch_id == batch and r.status in (QUEUED, RUNNING) for r in runs)


def default_runs(done: list, sweeps: set[str], batch: str | None) -> list[str]:
    """The succeeded runs (of ``done``) of the launch Compare shows (``batch``, from :func:`shown_launch`), so one
    launch's models appear together; none while that launch has no finished run.

    A sweep's batch (``sweeps``) is the default only when nothing else has finished: its many runs of a
    few strategies would fill the eight places.
    """
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


GONE_KEY = "pg_gone"  # the titles of the chosen runs deleted since, said until the choice is changed by hand
TITLES_KEY = "pg_titles"  # {run id: title} of the runs chosen, to name them once deleted
AUTO_KEY = "pg_auto_batch"  # the batch the selection was filled from by default; None once picked by hand


def keep_selection(done: list, sweeps: set[str], batch: str | None, own: set[str]) -> None:
    """Keep the user's choice of runs when a new run finishes (the options change), and add runs of the
    latest batch that finished since the page last ran, so a launch's models join as they finish. A selection
    filled by default from another launch (this desk's own not launched yet, or not finished) gives way to the
    desk's own models once they finish: added beside them, the two launches' models read as one. ``batch``: the
    launch the page opens on (:func:`shown_launch`); ``own``: this desk's launches."""
    key, seen_key = "keep_pg_runs", "pg_seen_runs"
    ids = {r.id for r in done}
    if key not in st.session_state:
        st.session_state[seen_key], st.session_state[AUTO_KEY] = ids, batch
        return
    chosen = [i for i in st.session_state[key] if i in ids]
    if gone := [i for i in st.session_state[key] if i not in ids and common.store().get(i) is None]:
        # deleted since (Compare's Delete at another desk or tab, the CLI): said, not dropped without a word
        titles = st.session_state.get(TITLES_KEY) or {}
        st.session_state[GONE_KEY] = [titles.get(i, f"run …{i[-4:]}") for i in gone]
    seen = st.session_state.get(seen_key, ids)
    new = [i for i in default_runs(done, sweeps, batch) if i not in seen and i not in chosen]
    if new and st.session_state.get(AUTO_KEY) not in (None, batch) and whose(batch, own):
        chosen, st.session_state[AUTO_KEY] = [], batch
    chosen += new[:max(0, MAX_DEFAULT - len(chosen))]
    st.session_state[key] = launch_order(chosen, done)
    st.session_state[seen_key] = ids


def picked_by_hand() -> None:
    """on_change of the runs: what the user chose stays, whatever launch finishes next."""
    st.session_state[AUTO_KEY] = None
    st.session_state.pop(GONE_KEY, None)


def waiting_line(runs: list, done: list, batch: str | None, own: set[str]) -> str | None:
    """'Your launch Dec 05 18:54 · tweets · full_ft has no finished run yet (its first run starts when the 2 runs
    ahead of it finish) ...' where the launch Compare shows is this desk's (or chosen there by hand) and has none
    finished; 'Your launch ... ended without a finished run ...' where it has none left to wait for either (the
    page then opens on the newest finished launch). ``batch``: the one Compare shows (common.shown_batch);
    ``own``: this desk's launches."""
    if (who := whose(batch, own)) is None or any(r.batch_id == batch for r in done):
        return None
    its = [r for r in runs if r.batch_id == batch]
    if not its:
        return None
    title = common.md(common.batch_title(its, False, batch))
    if any(r.status == RUNNING for r in its):
        where = "one of its runs is training now"
    elif queued := [r for r in its if r.status == QUEUED]:
        snap = common.manager().snapshot()
        first = min(queued, key=lambda r: snap.queued.index(r.id) if r.id in snap.queued else len(snap.queued))
        where = f"its first run {common.queue_place(first.id, when=True)}"  # and roughly when, as on Compare
    else:  # it ended without a result: nothing to wait for, the newest finished launch is shown instead
        return (f"{who} {title} ended without a finished run (see Compare for why); the newest finished launch's "
                "models are shown instead.")
    return (f"{who} {title} has no finished run yet ({where}); its models join here as they finish. Other "
            "launches' finished runs can be picked meanwhile.")


def several_datasets(runs: list) -> str | None:
    """The datasets ``runs`` were trained on, where they are several: 'bbc_news, class.csv'; two different files
    uploaded under one name count as two ('class.csv (2 different files of that name)': a classroom review, two
    students' class.csv, one of sentiments and one of topics, read as one dataset, and nothing said their labels
    differ). None for one."""
    files = {common.data_file(r): common.dataset_name(r.dataset) for r in runs}
    if len(files) < 2:
        return None
    shown = list(files.values())
    return ", ".join(n if (k := shown.count(n)) == 1 else f"{n} ({k} different files of that name)"
                     for n in sorted(set(shown)))


st.title("Playground")
common.forget_runs()  # models of runs deleted elsewhere (the CLI, Compare in another tab) leave memory
# said once the runs are known: a pair task's models are given two texts (it said "Type a sentence" above the boxes)
subtitle = st.empty()
subtitle.markdown(SUBTITLE)
every = common.store().list_runs(limit=2000)  # queued ones too: this desk's launch may have none finished yet
done = [r for r in every if r.status == SUCCEEDED][:200]  # newest first, as every
if not done:
    st.info("No finished runs yet. Launch some on the Train page; zero_shot and head_only finish first.")
    st.page_link("app_pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

by_id = {r.id: r for r in done}
names = variants.labels(done, data=False)  # "head_only (lr 0.03)": which setting; run_title names the data
sweeps = common.sweep_batches()
own = common.own_launches()
shown = common.shown_batch(every, sweeps)  # Compare's batch
launch = shown_launch(shown, every, done, sweeps, own)
keep_selection(done, sweeps, launch, own)
if waiting := waiting_line(every, done, shown, own):
    st.info(waiting, icon=":material/hourglass_top:" if "no finished run yet" in waiting else ":material/info:")
ids = st.multiselect("Models (finished runs)", list(by_id), key="keep_pg_runs", max_selections=MAX_LOADED_RUNS,
                     help=f"Up to {MAX_LOADED_RUNS}: the models kept loaded, so each answers at once.",
                     default=None if "keep_pg_runs" in st.session_state else default_runs(done, sweeps, launch),
                     format_func=lambda i: common.run_title(by_id[i], names), on_change=picked_by_hand)
st.session_state[TITLES_KEY] = {i: common.run_title(by_id[i], names) for i in ids}
if gone := st.session_state.get(GONE_KEY):
    st.info(f"{'The model' if len(gone) == 1 else f'{len(gone)} models'} chosen here "
            f"({common.md(', '.join(gone))}) {'has' if len(gone) == 1 else 'have'} been deleted "
            f"({common.DELETED_BY})"
            + (": choose others above." if not ids else "; those still in the list answer."), icon=":material/delete:")
if not ids:
    if not waiting and not gone:
        st.info("Choose at least one run.")
    st.stop()
if pairs := pair_columns([by_id[i] for i in ids]):
    said = MIXED_SUBTITLE if single_runs([by_id[i] for i in ids]) else PAIR_SUBTITLE
    subtitle.markdown(said.format(first=common.md(pairs[0]), second=common.md(pairs[1])))
if several := several_datasets([by_id[i] for i in ids]):
    st.caption(f"These runs were trained on different datasets ({common.md(several)}): their labels differ.")
inference_box(ids, key="pg_box", compact=False, examples=dataset_examples(by_id[ids[0]], [by_id[i] for i in ids]))
