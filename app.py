"""bertlab's Streamlit frame: page config, navigation and the sidebar (device, job queue, data directory).

Run with ``streamlit run app.py`` (or ``make run``). The pages are thin: they
lay out widgets and call the ``bertlab`` library, which trains in a background
worker thread and writes everything to the run store.
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages import common
from bertlab import diskuse, variants
from bertlab.errors import BertlabError
from bertlab.store import QUEUED, RUNNING, _ours

st.set_page_config(page_title="bertlab: which BERT strategy?", page_icon="🧪", layout="wide",
                   initial_sidebar_state="auto")  # open on a desktop; closed on a phone, where it covered 2/3

# Keep the state of "keep_*" widgets when their page is not shown, however long (common.keep_values): Streamlit
# deletes the state of widgets that were not rendered in a run.
common.keep_values(st.session_state)

# st.navigation makes Streamlit ignore the legacy pages/ auto-discovery: only the pages listed here exist
# (app_pages/common.py and inference_box.py are shared modules, not pages). The folder is deliberately
# not called pages/: while one exists, Streamlit 1.67 serves the first request after a server start that
# lands on a page URL (a bookmark, a refresh of /compare) in the legacy mode, without this frame.
PAGES = [
    # The default page is served at the bare address; its own path is only reserved, never served ("Page not found"
    # at /data, a teacher's bookmark read off the menu): reserved under another name, /data is a hidden page below.
    st.Page("app_pages/data.py", title="Data", icon=":material/dataset:", default=True, url_path="data-page"),
    st.Page("app_pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/monitoring:"),
    st.Page("app_pages/playground.py", title="Playground", icon=":material/chat:"),
    # Each page's address is its name in the menu (a teacher read out "/costs" for "Accuracy vs cost")
    st.Page("app_pages/sweep.py", title="Learning curves", icon=":material/stacked_line_chart:",
            url_path="learning-curves"),
    st.Page("app_pages/costs.py", title="Accuracy vs cost", icon=":material/payments:", url_path="accuracy-vs-cost"),
    st.Page("app_pages/teaching.py", title="Strategy cards", icon=":material/school:", url_path="strategy-cards"),
]
# The addresses those pages had before (named after their files): a bookmark of one still leads to the page.
OLD_ADDRESSES = {"sweep": ("app_pages/sweep.py", "Learning curves"), "costs": ("app_pages/costs.py", "Accuracy vs cost"),
                 "teaching": ("app_pages/teaching.py", "Strategy cards"), "data": ("app_pages/data.py", "Data")}


def _moved(page: str):
    def go() -> None:
        st.switch_page(page, query_params=st.query_params.to_dict())  # the desk (?desk=...) goes along
    return go


MOVED = [st.Page(_moved(page), title=title, url_path=old, visibility="hidden")
         for old, (page, title) in OLD_ADDRESSES.items()]
nav = st.navigation(PAGES + MOVED)
common.keep_desk_in_address()  # this browser's desk (?desk=...): its data, strategies and launches
common.keep_projector_in_address()  # ?projector=1 while on: a bookmark opens in projector mode
# Less empty space above the page title (Streamlit's default leaves ~6 rem).
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}"
        # A phone (390 px): chart titles, which an SVG cannot wrap, were cut ("Validation accurac…"); smaller there.
        "@media (max-width:640px){.js-plotly-plot .gtitle{font-size:12px !important}"
        ".js-plotly-plot .annotation-text{font-size:11px !important}}" + common.PROJECTOR_CSS + common.READABLE_CSS
        + common.BIDI_CSS + common.FOCUS_CSS + common.theme_css(common.dark_theme()) + "</style>")


def _run_tail(run_id: str, own: bool = False) -> str:
    """'run …8488': the run id's last 4 characters (as Compare's run lists end), said to be an id. Written bare
    beside 'queued' ("scratch · 8488 queued") it read as a count of 8488 queued runs (a review). ``own``: launched
    at this desk, said ('yours, run …8488'): in a classroom the queue held 11 runs of 7 desks, alike."""
    return f"{common.YOURS + ', ' if own else ''}run …{run_id[-4:]}"


def _queue_panel() -> None:
    """Running and queued runs with progress (from the job manager's snapshot and the store)."""
    common.manager().sweep_orphans()  # a killed CLI's runs leave this panel and Compare at the same refresh
    snap = common.manager().snapshot()
    st.markdown("**Job queue**")
    # Runs another process trains in this data directory (a CLI run): they share the cores with this one's. One
    # whose process cannot be looked up (another machine sharing the folder) is shown too: the sidebar counted it
    # as busy, and the panel that saw nothing reran the whole app at once, again and again (a page that never
    # settled).
    training = common.store().list_runs(status=(RUNNING,), limit=8)
    others = [r for r in training if r.id != snap.running and not _ours(r.owner)]
    # and the runs such a process has still to train (a CLI batch's next runs), oldest first, counted in all (the 50
    # newest were read, so with a CLI sweep of 500 queued the panel showed runs 451-458 as next and said
    # "… and 42 more"); only the 8 shown are read
    waiting, n_waiting = common.store().queued_elsewhere(8, set(snap.queued))
    if not snap.running and not snap.queued and not others and not waiting:
        st.caption("Idle: nothing running or queued.")
    running = common.store().get(snap.running) if snap.running else None
    queued = [r for r in (common.store().get(i) for i in snap.queued[:8])
              if r is not None and r.status == QUEUED]  # not one another process cancelled meanwhile
    # "head_only (lr 0.03)" where a launch holds a strategy at several settings (bertlab.variants)
    names = variants.labels([r for r in (*others, running, *queued, *waiting) if r is not None])
    own = common.own_launches() if running is not None or queued else set()  # this desk's launches (a small file)
    for run in others:
        st.progress(min(1.0, max(0.0, run.progress or 0.0)),
                    text=f"▶ {names[run.id]} · {run.phase or 'starting'} {run.progress or 0:.0%} (another process, "
                         f"e.g. the CLI; {_run_tail(run.id)})")
    if running is not None:
        phase = snap.phase or running.phase or "starting"
        st.progress(min(1.0, max(0.0, snap.progress)), text=f"▶ {names[running.id]} · {phase} {snap.progress:.0%}"
                    + common.time_left_text(running, snap.progress, short=True)
                    + f" ({_run_tail(running.id, running.batch_id in own)})")
    for run in queued:
        st.caption(f":material/hourglass_empty: {names[run.id]} · queued ({_run_tail(run.id, run.batch_id in own)})")
    if len(snap.queued) > 8:
        st.caption(f"… and {len(snap.queued) - 8} more queued")
    for run in waiting:
        st.caption(f":material/hourglass_empty: {names[run.id]} · queued (another process; {_run_tail(run.id)})")
    if n_waiting > 8:
        st.caption(f"… and {n_waiting - 8} more queued by another process")
    if snap.last_error:
        st.caption(f"worker note: {common.md(snap.last_error)}")
    if not snap.worker_alive:
        st.error("The training worker stopped; restart the server.")
    # the sidebar's own test of busy (any run the store says is training) and the panel's: a rerun only once both
    # have emptied, or each full redraw would find the app busy and rerun it at once
    if getattr(st.session_state, "_sidebar_busy", False) and not (snap.running or snap.queued or training or waiting):
        st.session_state._sidebar_busy = False
        st.rerun()  # the queue just emptied: refresh the whole page once (and stop auto-refreshing)
    _rerun_when_a_run_finishes()
    _rerun_when_the_theme_changes()


def _rerun_when_the_theme_changes() -> None:
    """Redraw the whole app once the user has switched Light / Dark in the menu (:func:`common.rerun_for_theme`):
    checked by both of the sidebar's timed fragments, so within a refresh (2 s busy, 5 s idle)."""
    if common.rerun_for_theme(st.session_state, common.dark_theme()):
        st.rerun(scope="app")


def _rerun_when_a_run_finishes() -> None:
    """While runs train (this fragment's 2-second timer): redraw the whole app once a run has finished since the
    page was drawn, so that the Playground's models (and Compare's inference box) offer it soon. Only this
    fragment reran while anything trained: a CLI batch's full_ft joined the Playground only when its scratch
    ended too (a review). One aggregate query per refresh, and at most one full redraw per 10 s
    (:func:`common.rerun_for_finished`)."""
    if common.rerun_for_finished(st.session_state, common.succeeded_mark(), time.monotonic()):
        st.rerun(scope="app")


IDLE_WATCH_S = 5.0


def _newest_run() -> tuple[str | None, int]:
    """The newest run's id and how many runs the store holds: a new run changes it, and so does a deletion (a
    classroom review: student B's idle Compare went on showing the launch student A had deleted, with its Playground
    box offering the deleted model, until B clicked something)."""
    store = common.store()
    newest = store.list_runs(limit=1)
    return (newest[0].id if newest else None, diskuse.runs_mark(store)[0])


def _watch_for_new_runs() -> None:
    """While idle: redraw the whole app once a run appears that this page has not seen (another process's), or
    one is deleted, so its queue, Compare's batch and the sidebar show it without a reload."""
    _rerun_when_the_theme_changes()
    newest = _newest_run()
    seen = st.session_state.setdefault("_newest_run_seen", newest)
    if newest != seen:
        st.session_state["_newest_run_seen"] = newest
        st.rerun(scope="app")


def sidebar() -> None:
    with st.sidebar:
        # The brand, a bold paragraph: as an h3 it was a heading level 3 under no h1 or h2 for a screen reader, its
        # icon read aloud ("science icon bertlab"); the icon is hidden from it now (the same font as Streamlit's)
        st.markdown("<p style='font-size:1.5rem;font-weight:700;margin:0 0 .5rem'><span aria-hidden='true' "
                    "style=\"font-family:'Material Symbols Rounded';font-weight:400;vertical-align:bottom\">science"
                    "</span> bertlab</p>", unsafe_allow_html=True)
        st.caption("Which way of using a BERT pays off on *your* data? Measure it.")
        # Larger text on every page and chart, for a class or a meeting room (the Strategy cards' own Projector
        # switch enlarges their diagram as well)
        common.projector()  # the switch starts as the address asks (?projector=1), else as this desk had it
        st.toggle("Projector: larger text", key=common.PROJECTOR_KEY, on_change=common.save_projector,
                  help="Larger text on every page and in every chart, readable at the back of a room.")
        st.markdown(f"**Device:** {common.device_label()}")
        st.session_state[common.THEME_DRAWN] = common.dark_theme()  # what this full redraw colours itself for
        busy = common.manager().is_busy() or bool(common.store().list_runs(status=(RUNNING,), limit=1))
        st.session_state._sidebar_busy = busy
        # the finished runs this full redraw shows; the busy queue fragment reruns the app when one more finishes
        st.session_state[common.FINISHED_SEEN] = common.succeeded_mark() if busy else None
        # Refresh the queue every 2 s only while something runs; idle, one small query every 5 s notices a run
        # another process (a CLI `run` in a terminal beside a projected app) adds to this data directory.
        st.fragment(run_every=2.0 if busy else None)(_queue_panel)()
        if not busy:
            st.session_state["_newest_run_seen"] = _newest_run()  # what this full redraw shows
            st.fragment(run_every=IDLE_WATCH_S)(_watch_for_new_runs)()
        st.markdown("**Data directory**")
        st.code(str(common.store().root), language=None, wrap_lines=True)
        st.caption("Runs, models and caches live here; delete it to start afresh.")
        # Measured in a background thread at most once a minute, and at once when runs were launched, ended or
        # deleted since (their count and latest end): a page waits at most 0.5 s, for the first walk or such a change.
        if use := diskuse.cached(common.store(), wait=0.5, mark=diskuse.runs_mark(common.store())):
            st.caption(use.line(), help="Free disk: Compare's Delete (chosen runs), `python -m bertlab delete --all` "
                       "or `--before YYYY-MM-DD` (ended runs), `python -m bertlab clean --caches` (embedding and "
                       "ONNX caches, made again when needed). Updated when runs end or are deleted, and about once "
                       "a minute.")


try:  # the data directory is written from the first page on: unwritable, say so once, in words
    common.manager()
except BertlabError as e:
    st.error(common.md(str(e)), icon=":material/folder_off:")
    st.stop()
if common.read_only():  # read-only: the runs are read, what writes is off (said once, here, above every page)
    st.info(common.read_only_note(), icon=":material/folder_off:")
sidebar()
with common.page_frame(common.projector()):
    nav.run()
