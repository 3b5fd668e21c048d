"""Data page: choose a built-in dataset, upload a file or name a hub dataset; see what the runs will get."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import common
from bertlab import sweep
from bertlab.config import DataConfig, data_dict, upload_display_name
from bertlab.data import BUILTIN, detect_columns, detect_split_column, fallback_columns, read_table, save_upload
from bertlab.data.dataset import TEST_FRACTION, warned
from bertlab.data.files import (
    PAIR_NOTE_START,
    PAIR_READ_START,
    TOKEN_SUFFIXES,
    TRIM_AFTER_BYTES,
    detect_pair_column,
    hold_table,
)
from bertlab.data.hub import check_hub_name, hub_table
from bertlab.errors import BertlabError, ColumnChoiceError, OwnTextLabelError, RareClassError
from bertlab.heap import release_free_heap
from bertlab.metrics import FEW_PER_CLASS_TEXTS
from bertlab.paths import data_home, keep_text
from bertlab.plots import label_distribution_figure
from bertlab.textpair import PAIR_SEP, split_pair

SOURCES = ("Built-in", "Upload a file", "Hub dataset")
DRAW_SPLIT = "drawn (stratified, by seed)"
NO_PAIR = "none (single texts)"  # the second-text picker's first option
# .xlsx is read; .xls, .xlsm and .ods are accepted by the picker only so the page can say what to do with them
# (save as .xlsx or CSV): refused in the browser, they would get Streamlit's bare "files are not allowed".
UPLOAD_TYPES = ["csv", "tsv", "txt", "jsonl", "ndjson", "json", "parquet", "pq", "xlsx", "xls", "xlsm", "ods",
                *(s.lstrip(".") for s in TOKEN_SUFFIXES)]


def choose_builtin() -> DataConfig:
    current = common.data_config()
    st.session_state.setdefault("keep_builtin", current.name if current.source == "builtin" and current.name in
                                BUILTIN else "rotten_tomatoes")
    name = st.selectbox("Dataset", list(BUILTIN), key="keep_builtin",
                        format_func=lambda n: f"{BUILTIN[n].title} ({n})")
    st.caption(BUILTIN[name].description)
    return DataConfig(source="builtin", name=name)


@dataclass
class RawFile:
    """What the pickers need of a file's table, kept in place of the table: the whole of a 95 MB CSV's (~300 MB)
    stayed in the page's cache beside the dataset cleaned from it. ``columns``: the table's column names as the
    pickers show them; ``rows``: its rows as read; ``head``: its first 20 rows (a copy: a slice would keep the
    table); ``split_columns``: the columns :func:`~bertlab.data.detect_split_column` takes for the file's own
    split, in the table's order."""

    columns: list[str]
    rows: int
    head: pd.DataFrame
    split_columns: list[str]

    @classmethod
    def of(cls, df: pd.DataFrame) -> RawFile:
        named = df.rename(columns=str)  # an Excel header of 2020 is the number 2020 in the table
        cols = [str(c) for c in df.columns]
        return cls(cols, len(df), named.head(20).copy(),
                   [c for c in cols if detect_split_column(named.loc[:, [c]]) is not None])

    def split_column(self, others: list[str]) -> str | None:
        """The split column found among ``others``, as :func:`~bertlab.data.detect_split_column` finds it."""
        return next((c for c in self.split_columns if c in others), None)


def _raw_file(raw: bytes, name: str) -> tuple[RawFile, tuple[str, str, str | None, str | None]]:
    """The file read: what its pickers need, and the columns they start from; the table itself is let go (and,
    for a large file, its freed memory handed back)."""
    df = read_table(raw, name, [])
    got = RawFile.of(df), guess_columns(df)
    del df
    if len(raw) >= TRIM_AFTER_BYTES:
        release_free_heap()
    return got


@st.cache_resource(show_spinner="Reading the file…", max_entries=2)
def _read_upload(tag: str, name: str, _up):
    """The uploaded file (``_up``, the uploader's) kept and parsed once per content (``tag``: its hash; the bytes
    themselves are not hashed again, nor copied out of the upload on a rerun): every click on the page used to parse a
    35 MB file again, 4-6 s each. (stored path, :class:`RawFile`,
    the detected (text, label) columns and, where they could not be told, the message saying why: the pickers then
    start from :func:`~bertlab.data.fallback_columns`). Read before it is kept: a file that does not parse is never
    stored. The table parsed is held for the load that follows (:func:`~bertlab.data.files.hold_table`), which
    parsed the stored file again."""
    raw = _up.getvalue()
    notes: list[str] = []
    df = read_table(raw, name, notes)
    got, guess = RawFile.of(df), guess_columns(df)
    path = save_upload(raw, name)
    hold_table(path, name, df, notes)  # the load that follows (the page's, with the columns picked) takes it
    return path, got, guess


def guess_columns(df) -> tuple[str, str, str | None, str | None]:
    """The (text, label) columns the pickers start from, why the user must check them (None where detected), and
    a text pair's second column (a pair task's columns named as one, GLUE's ``sentence1`` and ``sentence2``; None:
    single texts, or columns only named alike, which the user is asked about)."""
    try:
        text, label = detect_columns(df.copy())
        return text, label, None, detect_pair_column(df.set_axis([str(c) for c in df.columns], axis=1), text, label)
    except ColumnChoiceError as e:  # worked out by the detection where it could (not twice over a large file)
        starts = e.starts_at or fallback_columns(df, e)
        # the label picker starting on a column the warning says holds a text of its own (a summary): its refusal
        # below would say the same again (OWN_TEXT_SAID)
        return (*starts, common.md(e), None, *([starts[1]] if e.own_text == starts[1] else []))
    except BertlabError as e:
        cols = [str(c) for c in df.columns]
        return cols[0], cols[min(1, len(cols) - 1)], common.md(e), None


OWN_TEXT_SAID = "data_own_text_said"  # the label column the pickers' warning named as a text of its own, this run


def column_pickers(cols: list[str], guess: tuple[str, str, str | None, str | None], key: str, width: int = 3):
    """The text, second text (a text pair's) and label pickers in the first three of ``width`` columns, starting
    from ``guess``; where detection was unsure, a warning above them asks the user to check, until they pick a
    column themselves (it used to stay after they had). Returns (text column, label column, the second text column
    or None, the row's columns)."""
    text_guess, label_guess, unsure, pair_guess, *own_text = guess
    picked = f"picked_cols_{key}"
    if unsure and not st.session_state.get(picked):
        st.warning(f"Pick the columns yourself: {unsure}")
        if own_text:
            st.session_state[OWN_TEXT_SAID] = own_text[0]
    # In projector mode two a row: four in one row at 1024 px cut every name to "sentenc" and wrapped the labels
    row = [*st.columns(2), *st.columns(2)] if common.projector() and width > 2 else st.columns(width)

    def mark():
        st.session_state[picked] = True

    text_col = row[0].selectbox("Text column", cols, index=cols.index(text_guess), key=f"text_col_{key}",
                                on_change=mark)
    options = [NO_PAIR, *cols]
    pair_col = row[1].selectbox(
        "Second text (pair)", options, index=options.index(pair_guess) if pair_guess in cols else 0,
        key=f"pair_col_{key}", on_change=mark,
        help="For a pair task, whose label says how two texts relate (paraphrase, entailment, a question and its "
             "answer: GLUE's MRPC, RTE, QNLI, MNLI): the second text's column. Each example is then the two texts, "
             "read as BERT reads a pair ([CLS] first [SEP] second [SEP]); shown and typed as "
             f"`first{PAIR_SEP}second`. *none*: single texts.")
    label_col = row[2].selectbox("Label column", cols, index=cols.index(label_guess), key=f"label_col_{key}",
                                 on_change=mark)
    return text_col, label_col, None if pair_col == NO_PAIR else pair_col, row


@st.cache_resource(show_spinner="Reading the file…", max_entries=2)
def _read_stored(path: str, _changed: int):
    """A file uploaded earlier, read again from where it is kept (``_changed``: its modification time, so a file
    replaced there is read anew): (:class:`RawFile`, guessed columns), as :func:`_read_upload`."""
    return _raw_file(Path(path).read_bytes(), upload_display_name(path))


LAST_UPLOAD_FILE = "last_upload.json"


def failed_upload(latest: bool = True) -> tuple[DataConfig, str] | None:
    """The upload last tried at this desk that did not load (its data, with the columns picked, and the error);
    None where there is none, it loaded, its file is gone, or (``latest``) other data loaded since."""
    try:
        got = json.loads((common.desk_dir() / LAST_UPLOAD_FILE).read_text())
        cfg = DataConfig(**got["config"])
    except (OSError, ValueError, TypeError, KeyError, BertlabError):
        return None
    if not got.get("error") or (latest and not got.get("latest")) or cfg.source != "file" or not Path(cfg.name).is_file():
        return None
    return cfg, str(got["error"])


def remember_upload(cfg: DataConfig | None, error: str | None) -> None:
    """Note how the data the Data page tried went at this desk: an upload that did not load is kept (a visit to
    another page, or a reload, lost it: the page fell back to the last data that loaded, with an empty uploader);
    data that loads makes it no longer the latest choice (an upload that loads forgets it)."""
    path = common.desk_dir() / LAST_UPLOAD_FILE
    # read only where an upload may replace it: this runs on every render of the Data page that loads data
    before = failed_upload(latest=False) if cfg is not None and cfg.source == "file" else None
    if cfg is not None and cfg.source == "file" and error:
        keep_text(path, json.dumps({"config": data_dict(cfg), "error": error, "latest": True}, sort_keys=True))
    elif path.is_file() and error is None:
        if cfg is not None and cfg.source == "file":
            path.unlink(missing_ok=True)
        elif failed_upload() is not None:  # other data loaded: kept for the upload tab, no longer opened on
            got = json.loads(path.read_text())
            keep_text(path, json.dumps({**got, "latest": False}, sort_keys=True))
    if before is not None and cfg is not None and cfg.source == "file" and cfg.name != before[0].name:
        drop_unused_upload(Path(before[0].name))  # another upload replaced it at this desk: its file goes


def drop_unused_upload(path: Path) -> None:
    """Delete ``path``, an upload that did not load and was replaced, unless something still names it: a run or
    a sweep, or a desk's data or failed upload. Every upload used to be kept for good, refused ones too (three
    one-class uploads: three files)."""
    if path.parent != data_home() / "uploads":
        return
    names = (str(path), json.dumps(str(path))[1:-1])  # as typed, and as JSON writes it (non-ASCII escaped)
    store = common.store()
    if any(n in json.dumps(r.config) for r in store.list_runs(limit=None) for n in names):
        return
    for sid in sweep.sweep_ids(store):
        try:
            if sweep.load_sweep(store, sid).data.name == str(path):
                return
        except (BertlabError, OSError, ValueError):
            return  # unreadable: it might name it
    for f in (data_home() / "desks").glob("*/*.json"):
        try:
            if any(n in f.read_text() for n in names):
                return
        except OSError:
            return
    path.unlink(missing_ok=True)


def choose_upload() -> DataConfig | None:
    up = st.file_uploader("CSV, TSV, TXT, JSON/JSONL, Parquet or Excel (.xlsx) with a text column and a label column",
                          type=UPLOAD_TYPES, key="upload",
                          help="Up to 100 MB. The file is kept in the data directory so runs can reload it after a "
                               "restart. (.xls, .xlsm and .ods are taken only to say how to save them as .xlsx; .conll, .iob "
                               "and .bio only to say that bertlab does not tag tokens.)")
    current = common.data_config()
    if up is None and (failed := failed_upload(latest=False)) is not None and failed[0].name != current.name:
        # the upload tried last did not load: back on this page (another page, a reload) it opens again, with its
        # column pickers, and its error and the button to leave out rare classes
        cfg = failed[0]
        st.info(f"Your upload `{cfg.label}` did not load; it is here as you left it. Upload another file to "
                "replace it.", icon=":material/upload_file:")
        path = Path(cfg.name)
        df, guess = _read_stored(str(path), path.stat().st_mtime_ns)
        return file_columns(path, df, guess, stored_tag(path), cfg, failed=True)
    if up is None:
        if current.source != "file":
            st.info("Upload a file to continue, or pick a built-in dataset.")
            return None
        st.info(f"Using the file uploaded earlier: `{current.label}`. Upload another one to replace it.")
        path = Path(current.name)
        if not path.is_file():  # the data directory was deleted since: loading it says so
            return current
        # Its pickers still: the uploader forgets its file when the user goes to another page, and the columns
        # chosen could then not be changed without uploading the file again.
        df, guess = _read_stored(str(path), path.stat().st_mtime_ns)
        return file_columns(path, df, guess, stored_tag(path), current)
    tag = common.upload_tag(up, st.session_state.setdefault("upload_tag", {}))
    path, df, guess = _read_upload(tag, up.name, up)
    if not path.exists():  # the data directory was deleted since (to start afresh): keep the file again
        _read_upload.clear()
        path, df, guess = _read_upload(tag, up.name, up)
    return file_columns(path, df, guess, tag, current)


def stored_tag(path: Path) -> str:
    """A stored upload's pickers' keys as when it was uploaded (a stored name starts with the content's hash, as
    the tag)."""
    return path.name[:8] if re.match(r"[0-9a-f]{12}-", path.name) else hashlib.sha256(str(path).encode()).hexdigest()[:8]


def file_columns(path, df: RawFile, guess: tuple[str, str, str | None], tag: str, current: DataConfig,
                 failed: bool = False) -> DataConfig:
    """The text, label and split pickers for a file's table; for the file the data already comes from (uploaded
    again, or after a visit to another page), they start at the columns chosen for it, not at the guess.
    ``failed``: ``current`` is the upload last tried, which did not load (not the data in use)."""
    cols = df.columns
    raw_rows[str(path)] = df.rows
    kept = (current.source == "file" and current.name == str(path) and current.text_column in cols
            and current.label_column in cols)
    if kept:
        # still asked to check until picked; a kept pick other than the guess was the user's own (a reload forgot
        # the session's "picked" flag, and the warning came back over the label column they had chosen)
        picked = (current.text_column, current.label_column)
        pair = current.text_pair_column if current.text_pair_column in cols else None
        guess = (*picked, *((guess[2], pair, *guess[4:]) if picked == guess[:2] and pair == guess[3] else (None, pair)))
        if not failed and (problem := common.data_problem()) and f"label_col_{tag}" not in st.session_state:
            # back from another page after a pick that did not load: the pickers start at the data in use (a
            # review: 'id' as the label, refused, came back as 'stars' without a word)
            st.info(f"Your last pick here did not load: {common.md(problem)} The pickers are back at the data in "
                    f"use: text column {common.md(repr(current.text_column))}, label column "
                    f"{common.md(repr(current.label_column))}.", icon=":material/undo:")
    text_col, label_col, pair_col, (_, _, _, c3) = column_pickers(cols, guess, tag, width=4)
    # The file's own split (a fixed test set, as in a benchmark or a team's held-out set): found by its name and
    # values, else drawn. Another column can be chosen; drawing it is always one choice away.
    others = [c for c in cols if c not in (text_col, label_col, pair_col)]
    found = df.split_column(others)
    if kept:  # as chosen (drawn: None)
        found = current.split_column if current.split_column in others else None
    options = [DRAW_SPLIT, *others]
    split_col = c3.selectbox(
        "Split", options, index=options.index(found) if found else 0, key=f"split_col_{tag}",
        format_func=lambda c: c if c == DRAW_SPLIT else f"the file's own: column {c}",
        help="Where the train, validation and test rows come from. *Drawn*: a stratified split by the split seed. "
             "*The file's own*: a column saying train, validation (val, dev) or test in each row; its test rows are "
             "the test set (a size's test cap takes a stratified part of them), and without validation rows, "
             "validation is drawn from its train rows.")
    with st.expander(f"Raw file: {df.rows:,} rows × {len(cols)} columns", expanded=False):
        st.dataframe(df.head, hide_index=True)
    return DataConfig(source="file", name=str(path), text_column=text_col, label_column=label_col,
                      split_column=None if split_col == DRAW_SPLIT else split_col,
                      text_pair_column=picked_pair(text_col, label_col, pair_col))


def choose_hub() -> DataConfig | None:
    st.caption("Any Hugging Face dataset with a text and a label column (needs internet access, or a copy in this "
               "machine's datasets cache).")
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    current = common.data_config()
    hub = current.source == "hub"
    st.session_state.setdefault("keep_hub_name", current.name if hub else "")
    st.session_state.setdefault("keep_hub_split", current.hub_split if hub else "train")
    st.session_state.setdefault("keep_hub_config", (current.hub_config or "") if hub else "")
    st.session_state.setdefault("keep_hub_test_split", (current.hub_test_split or "") if hub else "")
    if hub:
        st.session_state.setdefault("hub_loaded", (current.name, current.hub_split, current.hub_config,
                                                   current.hub_test_split))
    name = c1.text_input("Hub dataset name", key="keep_hub_name", placeholder="e.g. imdb or SetFit/sst2")
    split = c2.text_input("Split", key="keep_hub_split", help="The split to train (and validate) on.")
    test_split = c3.text_input(
        "Test split", key="keep_hub_test_split", placeholder="drawn",
        help="The dataset's own test split (often `test`), as papers report on: its rows are the test set, and the "
             "split on the left gives the train and validation rows. Empty: the test set is drawn from that split.")
    config = c4.text_input("Config (optional)", key="keep_hub_config")
    wanted = (name.strip(), split.strip() or "train", config.strip() or None, test_split.strip() or None)
    if st.button("Load from the hub", disabled=not wanted[0]):
        st.session_state["hub_loaded"] = wanted
    if st.session_state.get("hub_loaded") != wanted:
        failed = st.session_state.get("hub_failed")
        if failed and failed[0] == wanted:  # said until the inputs change or the button is pressed again: it went
            common.show_error(failed[1])  # within seconds with a sidebar's refresh while runs trained
        return None
    try:
        check_hub_name(wanted[0])  # before any load, of the test split too: a local path must never be read
        with st.spinner(f"Loading {wanted[0]} from the hub…"):
            table = hub_table(*wanted[:3])
            if wanted[3]:
                hub_table(wanted[0], wanted[3], wanted[2])  # a wrong test split is said here, with the button
    except BertlabError as e:
        st.session_state["hub_loaded"] = None  # not tried again on every rerun until the button
        st.session_state["hub_failed"] = (wanted, e)
        raise
    st.session_state.pop("hub_failed", None)
    cols = [str(c) for c in table.frame.columns]
    guess = guess_columns(table.frame.head(5000))
    keep = hub and (current.name, current.hub_split, current.hub_config, current.hub_test_split) == wanted
    if keep and current.text_column in cols and current.label_column in cols:  # picked before: nothing to ask
        guess = (current.text_column, current.label_column, None,
                 current.text_pair_column if current.text_pair_column in cols else None)
    tag = hashlib.sha256(repr(wanted).encode()).hexdigest()[:8]
    text_col, label_col, pair_col, _ = column_pickers(cols, guess, f"hub_{tag}")
    return DataConfig(source="hub", name=wanted[0], hub_split=wanted[1], hub_config=wanted[2],
                      hub_test_split=wanted[3], text_column=text_col, label_column=label_col,
                      text_pair_column=picked_pair(text_col, label_col, pair_col))


def picked_pair(text_col: str, label_col: str, pair_col: str | None) -> str | None:
    """The second text column picked, or None; one that is also the text or label column is said and dropped (the
    config would refuse it)."""
    if pair_col is not None and pair_col in (text_col, label_col):
        st.warning(f"The second text column {common.md(repr(pair_col))} is also the "
                   f"{'text' if pair_col == text_col else 'label'} column: the runs read single texts. Pick another "
                   f"column, or *{NO_PAIR}*.", icon=":material/join_inner:")
        return None
    return pair_col


raw_rows: dict[str, int] = {}  # an upload's path -> the rows its file holds as read (this run of the page)


def cleaning_message(cfg: DataConfig) -> str:
    """What the spinner says while ``cfg``'s data is loaded, cleaned and split: 'Cleaning 300,000 rows and drawing
    the splits…' for an upload (its rows as read), 'Loading rotten_tomatoes and drawing the splits…' otherwise."""
    rows = raw_rows.get(cfg.name) if cfg.source == "file" else None
    what = f"Cleaning {rows:,} rows" if rows else f"Loading {common.md(cfg.label)}"
    return f"{what} and drawing the splits…"


def choose_caps(base: DataConfig) -> DataConfig:
    """Split caps: a preset or custom numbers (and the split seed)."""
    current = common.data_config()
    caps = (current.train_size, current.val_size, current.test_size)
    preset_now = next((p for p, c in common.PRESETS.items() if c == caps and current.seed == 0), "Custom")
    st.session_state.setdefault("keep_preset", preset_now)
    if preset_now == "Custom":  # the caps last chosen (a new session restores them)
        for k, v in zip(("keep_cap_train", "keep_cap_val", "keep_cap_test"), caps):
            if v is not None:
                st.session_state.setdefault(k, v)
        st.session_state.setdefault("keep_split_seed", current.seed)
    options = [*common.PRESETS, "Custom"]

    def fmt(p: str) -> str:
        if p == "Custom":
            return "Custom"
        caps = common.PRESETS[p]
        return p + ": " + " / ".join("all" if c is None else f"{c:,}" for c in caps)

    # the data loaded and cleaned here, under a spinner naming the work: inside the cached splits, the dataset's
    # own spinner never showed (Streamlit shows only the outermost cached function's), and a 300,000-row upload
    # left the page blank under its Size choice for 8-25 s
    with st.spinner(cleaning_message(base), show_time=True):
        try:  # the splits of all the data: a small file fits under every preset's caps
            full = common.splits(base.uncapped()).sizes()
        except BertlabError:
            full = None
    preset = st.radio("Size (train / validation / test examples)", options, key="keep_preset", format_func=fmt,
                      horizontal=True, help="Caps on each split. The quick demo trains zero_shot and head_only "
                                            "in well under a minute on a laptop CPU; Classroom gives a ranking "
                                            "to show a class within minutes.")
    quick = dict(zip(("train", "validation", "test"), common.PRESETS[common.DEFAULT_PRESET]))
    if preset != "Custom" and full and all(full[k] <= quick[k] for k in quick):
        # McNemar's exact test needs 6 texts where two runs differ (all one way) before a gap can pass p < 0.05
        st.caption(f"This dataset is small: its {full['train']:,} / {full['validation']:,} / {full['test']:,} "
                   "examples fit under every size, so each gives the same splits. On "
                   + (f"{full['test']:,} test texts only large gaps between strategies can be told from chance."
                      if full["test"] >= 6 else
                      f"{full['test']:,} test texts no gap between strategies can be told from chance (that takes "
                      "6 texts or more where two runs differ)."))
    elif preset == common.DEFAULT_PRESET:
        st.caption("Quick demo: to see every page work in minutes. Its test split of at most 500 texts cannot tell "
                   "apart strategies a few points apart, and from-scratch training barely starts on 500 examples: for results to draw "
                   "conclusions from (a class, a decision), use Standard.")
    elif preset == "Classroom":
        st.caption("Classroom: a ranking to show a class within minutes. Half of Standard's training examples, so "
                   "runs take about half as long, and the same 1,000 test texts, which tell gaps of about 4 points "
                   "from chance. From-scratch training still needs far more examples than this (the lesson "
                   "it teaches); Standard or All data for a decision about your own data.")
    if preset != "Custom":
        tr, va, te = common.PRESETS[preset]
        return DataConfig(**{**base.__dict__, "train_size": tr, "val_size": va, "test_size": te})
    c = st.columns(4)
    for k, v in (("keep_cap_train", 1000), ("keep_cap_val", 200), ("keep_cap_test", 500), ("keep_split_seed", 0)):
        st.session_state.setdefault(k, v)
    tr = c[0].number_input("Train cap", min_value=1, step=100, key="keep_cap_train")
    va = c[1].number_input("Validation cap", min_value=1, step=50, key="keep_cap_val")
    te = c[2].number_input("Test cap", min_value=1, step=100, key="keep_cap_test")
    seed = c[3].number_input("Split seed", min_value=0, step=1, key="keep_split_seed")
    return DataConfig(**{**base.__dict__, "train_size": int(tr), "val_size": int(va), "test_size": int(te),
                         "seed": int(seed)})


RARE_TEST = FEW_PER_CLASS_TEXTS  # fewer test texts of a class than this: its recall moves 5 points or more per text


def balance_warning(sp, test_cap: int | None = None, n_examples: int = 0, test_rows: int | None = None,
                    data_counts: dict[str, int] | None = None) -> str:
    """What an imbalanced or thin test split means for the comparison ('' where nothing needs saying).
    ``test_cap``: the test split's cap, and ``n_examples`` the cleaned examples (``test_rows``: the file's own test
    rows, where its split is its own), to say whether a larger cap would give more test texts or only a larger
    file would. ``data_counts``: the cleaned examples per class, to say where the data is balanced and only the
    split's rounding is not."""
    from bertlab.answer import IMBALANCED, rare_share

    parts = []
    # a class with no test text (a file's own split may leave one out; the split's note says so) is not rare in it:
    # it was called "only 0.0% of the test split", judged by macro-F1, where Compare judges by accuracy
    test = {n: c for n, c in sp.test.counts().items() if c}
    majority = sp.test.majority_accuracy()
    rarest = min(test, key=test.get) if test else None
    if majority >= IMBALANCED:
        parts.append(f"The majority class is {majority:.1%} of the test split: a model that always answers it scores "
                     f"{majority:.1%} accuracy, so Compare's answer judges by macro-F1 by default (every class counts the "
                     f"same), and shows each class's recall.")
    elif rarest is not None and rare_share(test[rarest] / max(1, sum(test.values())), len(test)):
        parts.append(f"{common.md(repr(rarest))} is only {test[rarest] / sum(test.values()):.1%} of the test split: a "
                     "model could ignore it and lose next to no accuracy, so Compare's answer judges by macro-F1 by "
                     "default (every class counts the same), and shows each class's recall.")
    if parts:  # what training can do about it
        parts.append("The Train page's *Balance the classes in the training loss* makes a rare class count as much "
                     "as a common one in training.")
    rare = {n: c for n, c in test.items() if c < RARE_TEST}
    if rare:
        ranked = sorted(rare.items(), key=lambda kv: kv[1])
        many = len(ranked) > 8  # 50 classes of 4 test texts each were listed in one block
        listed = ", ".join(f"{c} of {common.md(repr(n))}" for n, c in (ranked[:6] if many else ranked))
        if many:
            listed += f" and {len(ranked) - 6:,} more classes with fewer than {RARE_TEST} each"
        n_test = sum(test.values())
        larger = [f"*{name}*" for name, (_, _, cap) in common.PRESETS.items()
                  if cap is None or (test_cap is not None and cap > test_cap)]
        more = (f"The test split is capped at {n_test:,} texts and this data has {n_examples:,} examples: "
                + (f"the {' or '.join([', '.join(larger[:-1]), larger[-1]] if len(larger) > 2 else larger)} size, or "
                   if larger else "")
                + "a larger *Custom* test cap gives more test texts of each class."
                if test_cap is not None and n_test >= test_cap
                and (TEST_FRACTION * n_examples if test_rows is None else test_rows) > n_test
                else f"The test split is {test_share(n_test, n_examples)}: more test texts need a larger file."
                if test_rows is None else "The test split is the data's own test rows: more test texts need more of "
                                          "them.")
        parts.append(f"The test split has only {listed}: per-class numbers and macro-F1 rest on a handful of texts. "
                     + more)
    if parts and (even := rounding_note(test, majority, data_counts)):
        parts.append(even)
    return " ".join(parts)


def rounding_note(test: dict[str, int], majority: float, data_counts: dict[str, int] | None) -> str:
    """Where the data's classes are even (at most one example apart) and its test split's are not, a sentence that
    says the split's tilt is the rounding of a few texts, else ''. A review's 8 + 8 movie reviews: a test split of
    2 'fresh' and 1 'rotten' gave a majority baseline of 66.7%, and the warning listed the counts without a word
    on the data itself being balanced."""
    kept = {n: c for n, c in (data_counts or {}).items() if n in test}
    if len(kept) < 2 or len(kept) < len(test) or max(kept.values()) > min(kept.values()) + 1 \
            or max(test.values()) == min(test.values()):
        return ""
    even = (f"{min(kept.values()):,} of each class" if max(kept.values()) == min(kept.values()) else
            f"{min(kept.values()):,} to {max(kept.values()):,} of each class")
    return (f"The data itself is balanced ({even}): the test split's uneven counts are how {sum(test.values()):,} "
            f"test texts divide among {len(test)} classes, so its majority baseline ({majority:.1%}) is above the "
            f"data's ({max(kept.values()) / sum(kept.values()):.1%}) by that rounding alone.")


def test_share(n_test: int, n_examples: int) -> str:
    """'about a fifth of the examples (240)', or for a tiny file, where each split keeps one example of every
    class, its share: '2 of the 6 examples (33%)'."""
    if n_test <= 0.25 * n_examples:
        return f"about a fifth of the examples ({n_test:,})"
    return f"{n_test:,} of the {n_examples:,} examples ({n_test / max(1, n_examples):.0%})"


def sizes_note(cfg: DataConfig, n_examples: int, sizes: dict[str, int]) -> str:
    """Where the examples the three splits leave out went, and why the test split is under its cap ('' where
    the splits hold every example and no cap needs explaining): a file of 1,180 examples showed 500 / 118 / 236,
    and 326 examples in no split, unsaid; bbc_news showed Test 425 beside a cap of 500."""
    said = []
    drawn = not (cfg.split_column or cfg.hub_test_split)
    if drawn and cfg.test_size is not None and sizes["test"] < cfg.test_size:
        # a 6-row file's 2 / 2 / 2 read "about a fifth of the examples (2)": each split keeps one of every class
        said.append(f"The test split is {test_share(sizes['test'], n_examples)}, under its cap of "
                    f"{cfg.test_size:,}" + (": more than the usual fifth, as each split keeps at least one example "
                                            "of every class." if sizes["test"] > 0.25 * n_examples else "."))
    unused = n_examples - sum(sizes.values())
    if unused > 0:
        capped = [f"{part} at {cap:,}" for part, cap in (("train", cfg.train_size), ("validation", cfg.val_size),
                                                         ("test", cfg.test_size))
                  if cap is not None and sizes[part] >= cap]
        said.append(f"{unused:,} of the {n_examples:,} examples are in no split"
                    + (f": this size caps {', '.join(capped[:-1]) + ' and ' if len(capped) > 1 else ''}{capped[-1]}"
                       if capped else "")
                    + (". *All data* uses every one (a longer run)." if capped else "."))
    return " ".join(said)


def preview_label_width(labels: list[str]) -> int:
    """Pixels for the preview's label column: its longest label whole (about 8 px a character at the table's
    14 px, and its padding), within 60 to 220 px."""
    return max(60, min(220, 8 * max((len(str(n)) for n in labels), default=5) + 24))


def show_dataset(cfg: DataConfig) -> None:
    with st.spinner("Drawing the splits for this size…", show_time=True):  # a large file's caps: seconds
        ds = common.dataset(cfg)
        sp = common.splits(cfg)
    st.header(common.md(cfg.label))  # h2 under the page's h1 (an h3 skipped a level for a screen reader)
    if ds.description and cfg.source != "builtin":  # built-ins show theirs under the picker already
        st.caption(ds.description)
    sizes = sp.sizes()
    # Two rows of three: six a row cut labels and values ("Validati…", "12,…") at 1024 px.
    m = [*st.columns(3), *st.columns(3)]
    m[0].metric("Examples (cleaned)", f"{len(ds):,}")
    m[1].metric("Classes", len(sp.label_names))
    m[2].metric("Majority baseline", f"{sp.test.majority_accuracy():.1%}",
                help="Test accuracy of always answering the most common class: every model must beat this.")
    m[3].metric("Train", f"{sizes['train']:,}", help=f"cap: {cfg.train_size or 'all'}")
    m[4].metric("Validation", f"{sizes['validation']:,}", help=f"cap: {cfg.val_size or 'all'}")
    own = (f"; from the file's own test rows (column {common.md(repr(cfg.split_column))})" if cfg.split_column else
           f"; the hub's own {common.md(repr(cfg.hub_test_split))} split" if cfg.hub_test_split else "")
    m[5].metric("Test", f"{sizes['test']:,}", help=f"cap: {cfg.test_size or 'all'}{own}")
    # the examples of the classes the split kept (a class left out as too rare is said in the notes, not here)
    kept = set(sp.label_names)
    if note := sizes_note(cfg, sum(k for n, k in ds.counts().items() if n in kept), sizes):
        st.caption(note)
    own_test = ds.parts.count("test") if ds.parts else None
    if own_test is not None and cfg.test_size is not None and cfg.test_size < own_test:
        # a fixed test set cut by a size's cap: the runs test on part of it, and cannot be paired with runs on all
        st.warning(f"The test cap ({cfg.test_size:,}) takes {sizes['test']:,} of the {own_test:,} test rows of "
                   "this data's own split: choose *All data*, or a *Custom* test cap of at least "
                   f"{own_test:,}, to test on all of them (runs on other test rows cannot be compared text by "
                   "text with these).", icon=":material/content_cut:")
    if warning := balance_warning(sp, cfg.test_size, len(ds), own_test, ds.counts()):
        st.warning(warning, icon=":material/balance:")
    # one half of a text pair (GLUE's MRPC, MNLI...) read alone: said where it is seen, not among the cleaning notes
    # (a pair: said below; a drawn test split under its cap: said by the caption above, not twice)
    above = (PAIR_NOTE_START, PAIR_READ_START) + (("the test cap (test_size) of",) if "under its cap" in note else ())
    notes = [n for n in sp.notes if not n.startswith(above) and not warned(n)]
    # rows a file's own split leaves unmarked: a warning, not a line among the notes (a review's file of tickets, a
    # split column for half its rows: 1,510 of 3,013 rows left out, said only in the blue box below the chart)
    for n in (n for n in sp.notes if warned(n)):
        st.warning(f"Loading {common.md(n)}.", icon=":material/filter_alt_off:")
    for n in (n for n in sp.notes if n.startswith(PAIR_NOTE_START)):
        st.warning(f"The runs {common.md(n)}.", icon=":material/join_inner:")
    if ds.pair_column is not None:
        st.info(f"**A pair task**: each example is two texts, column {common.md(repr(ds.columns[0]))} then column "
                f"{common.md(repr(ds.pair_column))}, and the label says how they relate. The BERT-based strategies read "
                "them as BERT reads a pair (`[CLS] first [SEP] second [SEP]`, the second as segment B); the "
                f"Playground takes a pair in two boxes. zero_shot compares the pair's one embedding with the labels' "
                "names, which rarely says how two texts relate.", icon=":material/join_inner:")
    if notes:
        st.info("**What loading and cleaning did**\n\n" + "\n".join(f"- {common.md(n)}" for n in notes))
    # In projector mode one under the other: in two fifths of the page (1024 px) the chart's three-row legend
    # covered its title ("Label distri").
    # Two levels, as the columns are: the projector switch's redraw of the tables (common.page_frame) counts on the
    # page's nesting changing by its one level only.
    stacked = st.container() if common.projector() else None
    left, right = (stacked.container(), stacked.container()) if stacked else st.columns([3, 2])
    with left:
        st.markdown("**Preview** (training examples)")
        n = min(12, len(sp.train))
        # The label first, as wide as the longest: after the text it had what the text left, and bbc_news's
        # "entertainment" read "entertainm". The text, after it, runs past the table's edge (it scrolls sideways).
        shown = {"label": [sp.label_names[y] for y in sp.train.labels[:n]], "text": sp.train.texts[:n]}
        widths = {"label": st.column_config.TextColumn(width=preview_label_width(sp.label_names)),
                  "text": st.column_config.TextColumn(width="large")}
        if ds.pair_column is not None:  # a pair task: its two texts side by side, under their own columns' names
            first, second = ds.columns[0], ds.pair_column
            halves = [split_pair(t) for t in shown.pop("text")]
            shown |= {first: [a for a, _ in halves], second: [b or "" for _, b in halves]}
            widths = {"label": widths["label"], first: st.column_config.TextColumn(width="medium"),
                      second: st.column_config.TextColumn(width="medium")}
        st.dataframe(shown, hide_index=True, width="stretch", column_config=widths)
    with right:
        counts = {"train": sp.train.counts(), "validation": sp.val.counts(), "test": sp.test.counts()}
        # from the figure cache: every rerun of this page (a size, a description, the projector switch) drew it anew
        common.chart(common.figure(label_distribution_figure, counts, height=330), width="stretch", key="label_dist",
                     config={"displayModeBar": False})  # its toolbar covered the title
    # the sentences a zero_shot run would use now: the user's, written on the Train page (kept at this desk), else
    # the defaults (it showed the defaults while edited ones were in use)
    descs, yours = common.descriptions_in_use(common.descriptions_tag(cfg, sp.label_names),
                                              common.label_descriptions(cfg, sp.train))
    st.caption(("Zero-shot label descriptions (yours, written on the Train page): " if yours else
                "Zero-shot label descriptions (the defaults; editable on the Train page): ")
               + "; ".join(f"**{common.md(n)}** = “{common.md(d)}”" for n, d in zip(sp.label_names, descs)))


st.title("Data")
st.markdown("Pick the text-classification data to compare strategies on. Everything works offline with the "
            "built-in datasets; your own file works too.")
current = common.data_config()
# an upload that did not load, tried last, opens again (a visit to another page, a reload) rather than the last data
# that loaded
st.session_state.setdefault("keep_source", SOURCES[1] if failed_upload() else
                            {"builtin": SOURCES[0], "file": SOURCES[1], "hub": SOURCES[2]}[current.source])
source = st.radio("Source", SOURCES, key="keep_source", horizontal=True, label_visibility="collapsed")

drop_key = None  # the session key of "leave out the classes too small to split" for the data shown
base = None
st.session_state.pop(OWN_TEXT_SAID, None)  # set by the pickers below, where they warn so
try:
    if source == SOURCES[0]:
        base = choose_builtin()
    elif source == SOURCES[1]:
        base = choose_upload()
    else:
        base = choose_hub()
    if base is not None:
        # Classes too small to split (a label used once in a real export): left out on request, with a note. The
        # choice is this dataset's: another one picked after it starts without it.
        same = (current.source, current.name) == (base.source, base.name)
        drop_key = "keep_drop_rare_" + hashlib.sha256(repr((base.source, base.name)).encode()).hexdigest()[:8]
        st.session_state.setdefault(drop_key, current.drop_rare and same)
        if st.session_state[drop_key]:
            own_split = bool(base.split_column or base.hub_test_split)
            st.checkbox("Leave out the classes with no train row" if own_split else
                        "Leave out the classes with fewer than 3 examples", key=drop_key,
                        help="A model cannot learn a class it never sees in training. Unticked, such a class stops "
                             "the data from loading." if own_split else
                             "Each class needs one example in each of train, validation and test. Unticked, "
                             "such a class stops the data from loading.")
        cfg = choose_caps(DataConfig(**{**base.__dict__, "drop_rare": bool(st.session_state[drop_key])}))
        show_dataset(cfg)
        common.set_data_config(cfg)
        common.set_data_problem(None)
        remember_upload(cfg, None)
        st.page_link("app_pages/train.py", label="Next: choose strategies and launch →", icon=":material/model_training:")
    else:
        common.set_data_problem(f"{source}: nothing loaded yet.")
except BertlabError as e:
    common.set_data_problem(str(e))
    remember_upload(base if source == SOURCES[1] else None, str(e))
    # a label column of a different text in each row, which the warning over the pickers has just named as a text
    # of its own (a summary), with what to do: said once (a look in Chromium: the warning, then this error's other
    # words for the same finding)
    if not (isinstance(e, OwnTextLabelError) and base is not None
            and st.session_state.get(OWN_TEXT_SAID) == base.label_column):
        common.show_error(e)
    if isinstance(e, RareClassError) and e.can_leave_out and drop_key:
        n = len(e.classes)
        if st.button(f"Leave out {'this class' if n == 1 else f'these {n:,} classes'} and go on",
                     icon=":material/filter_alt:", key="drop_rare_go",
                     help="The runs then compare the strategies on the other classes; a note says what was left "
                          "out. Or add examples to the file and upload it again."):
            st.session_state[drop_key] = True
            st.rerun()
