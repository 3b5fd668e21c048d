"""A teacher's classroom demo: Compare's curves on a scale that fits runs of very different lengths, the
Playground's examples readable aloud, projector mode from the address (``?projector=1``)."""

from __future__ import annotations

import re

import pandas as pd
from streamlit.testing.v1 import AppTest
from test_pages_sweep import APP, app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from app_pages.common import section_html
from bertlab.config import DataConfig
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config

# Compare's answer heading as it starts, before any " (so far: 3 runs still to finish)"
ANSWER_HEAD = section_html("Which one to use?").removesuffix("</h2>")


def stored_run(store: RunStore, strategy: str, data, epochs: int, batch: str = "b1", val_loss: bool = True) -> str:
    """A finished run of ``epochs`` epochs with a validation loss and accuracy each (no model: the curves only)."""
    rid = store.create_run(make_config(strategy, data=data, epochs=epochs), batch_id=batch)
    store.claim(rid, "cpu")
    rows = [("train_loss", s, s / 10, 0.7 - 0.01 * s) for s in range(1, 10 * epochs + 1)]
    for e in range(1, epochs + 1):
        rows += [("val_accuracy", 10 * e, float(e), 0.6 + 0.01 * e)]
        rows += [("val_loss", 10 * e, float(e), 0.6 - 0.01 * e)] if val_loss else []
    store.add_points(rid, rows)
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5},
                 costs={"train_seconds": 1.0, "train_flops": 1e6})
    return rid


def loss_x(at):
    return next(w for w in at.get("button_group") if w.key == "keep_loss_x")


def why_caption(at) -> list[str]:
    return [c.value.replace("\\", "") for c in at.caption if c.value.startswith("Shown by % of run")]


# --- 1: Compare's curves by % of run where the runs' epochs differ a lot ------------------------------------
def test_curves_open_by_percent_of_run_when_epochs_differ_and_say_why(tiny_data, bertlab_home):
    """head_only's 30 epochs filled the validation charts' axis; full_ft's 3 sat in its left tenth."""
    store = RunStore(bertlab_home)
    stored_run(store, "head_only", tiny_data, 30)
    stored_run(store, "full_ft", tiny_data, 3)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert loss_x(at).value == "progress"
    assert why_caption(at) == ["Shown by % of run: head_only trains 30 epochs and full_ft 3, so by epoch full_ft "
                               "would fill only the first 10% of the axis. Pick *by epoch* or *by step* above to see "
                               "them on one scale."]


def test_curves_keep_the_users_axis_across_pages_and_batches(tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    stored_run(store, "head_only", tiny_data, 30, batch="b1")
    stored_run(store, "full_ft", tiny_data, 3, batch="b1")
    at = app_on("app_pages/compare.py")
    loss_x(at).set_value("epoch").run()
    no_problems(at)
    assert loss_x(at).value == "epoch" and not why_caption(at)
    # In a browser the control's own state was gone after a visit to another page (it is drawn in a fragment):
    # the pick must not go with it.
    at.session_state["keep_loss_x"] = None
    at.switch_page("app_pages/playground.py").run()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert loss_x(at).value == "epoch" and not why_caption(at)


def test_curves_stay_by_step_for_runs_of_like_length_and_ignore_runs_without_epochs(tiny_model, tiny_data,
                                                                                   bertlab_home):
    """zero_shot has one validation accuracy and no epochs: it named itself as "1 epoch" beside full_ft's 3."""
    store = RunStore(bertlab_home)
    stored_run(store, "head_only", tiny_data, 8)
    stored_run(store, "full_ft", tiny_data, 3)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert loss_x(at).value == "step" and not why_caption(at)  # 8 / 3: under 3x
    zs = store.create_run(make_config("zero_shot", model=tiny_model, data=tiny_data), batch_id="b2")
    store.claim(zs, "cpu")
    store.add_points(zs, [("val_accuracy", 0, 0.0, 0.6)])
    store.finish(zs, SUCCEEDED, metrics={"test_accuracy": 0.7, "test_macro_f1": 0.7, "majority_accuracy": 0.5},
                 costs={"train_seconds": 0.0, "train_flops": 0.0})
    stored_run(store, "head_only", tiny_data, 8, batch="b2")
    stored_run(store, "full_ft", tiny_data, 3, batch="b2")
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert at.selectbox[0].value == "b2"
    assert loss_x(at).value == "step" and not why_caption(at)


# --- 2: the Playground's examples whole ---------------------------------------------------------------------
LONG = ("The director seems to take an unseemly pleasure in the characters' misery and at the same time to "
        "congratulate himself for having the guts to confront it.")


def test_playground_examples_are_whole_one_a_line_and_wrap(tmp_path, bertlab_home):
    """"This is a dark, grit…": four a row cut them, and a teacher reads them aloud (eight of two classes: four each)."""
    texts = [f"{LONG} ({i})" if i % 2 else f"This is a dark, gritty, sometimes funny little gem, take {i}."
             for i in range(40)]
    p = tmp_path / "reviews.csv"
    pd.DataFrame({"text": texts, "label": ["rotten" if i % 2 else "fresh" for i in range(40)]}).to_csv(p, index=False)
    data = DataConfig(source="file", name=str(p), train_size=None, val_size=None, test_size=None)
    stored_run(RunStore(bertlab_home), "head_only", data, 2)
    at = app_on("app_pages/playground.py")
    no_problems(at)
    shown = [b.label.replace("\\", "") for b in at.button if b.key.startswith("pg_box_ex_")]
    assert len(shown) == 8 and any(s.startswith(LONG) for s in shown)
    assert any(c.value.startswith("Try an example from the test set (texts no model here trained on") for c in at.caption)
    assert all(s in texts for s in shown), shown  # whole: no "…"
    # the tooltip: the whole text (as before; Compare's narrow box still shortens them) and the true label
    assert all(b.help.endswith(("true label: fresh", "true label: rotten")) for b in at.button
               if b.key.startswith("pg_box_ex_"))
    # one a line (no columns around them), their text wrapped from the left rather than cut
    assert not at.columns
    css = " ".join(h.proto.body for h in at.get("html"))
    assert "[class*='_examples_whole'] button p{text-align:left;white-space:normal" in css


# --- 3: projector mode from the address ---------------------------------------------------------------------
def test_projector_param_turns_projector_mode_on_for_a_new_desk_and_stays_in_the_address():
    """The classroom PC's bookmark of the bare /compare address was a new desk every time, with Projector off."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["projector"] = "1"
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert at.toggle(key="keep_projector").value is True
    # the larger size follows the switch in the browser (checked there by tests/test_browser_app.py)
    from app_pages import common

    assert any(common.PROJECTOR_CSS in h.proto.body for h in at.get("html"))
    assert at.query_params["projector"] == "1" and at.query_params["desk"]
    at.switch_page("app_pages/playground.py").run()  # a page switch drops the address's parameters
    assert at.query_params["projector"] == "1"
    at.toggle(key="keep_projector").set_value(False).run()
    no_problems(at)
    assert "projector" not in at.query_params and at.query_params["desk"]
    assert at.toggle(key="keep_projector").value is False
    at.toggle(key="keep_projector").set_value(True).run()
    assert at.query_params["projector"] == "1"  # on from the switch: the address says so, for a bookmark


def test_projector_param_zero_overrides_the_desks_choice_and_nothing_else_keeps_it():
    on = app_on("app_pages/data.py")
    on.toggle(key="keep_projector").set_value(True).run()  # this desk keeps it on
    desk = on.query_params["desk"]
    assert app_on("app_pages/data.py", desk=desk).toggle(key="keep_projector").value is True  # a reload
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["desk"], at.query_params["projector"] = desk, "0"
    at.run()
    no_problems(at)
    assert at.toggle(key="keep_projector").value is False and "projector" not in at.query_params
    assert app_on("app_pages/data.py").toggle(key="keep_projector").value is False  # a new desk, no parameter
    odd = AppTest.from_file(APP, default_timeout=180)
    odd.query_params["projector"] = "maybe"  # not a yes or a no: as if absent
    odd.run()
    assert odd.toggle(key="keep_projector").value is False and "projector" not in odd.query_params


def test_in_projector_mode_the_answer_comes_before_the_inference_box(tiny_data, bertlab_home):
    """Presenting at 1024 px with ?projector=1, "Which one to use?" started a screen and a half down, under the
    status lines and the full-width "Try the models"; on a desk screen the box sits beside the status lines."""
    from bertlab.runner import execute_run

    store = RunStore(bertlab_home)
    for n in (1, 2):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": n}), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED

    def order(at) -> list[str]:
        return [m.value for m in at.markdown if m.value in (section_html("Try the models"), section_html("Results"))
                or m.value.startswith(ANSWER_HEAD)]

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["projector"] = "1"
    at.run()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    shown = order(at)
    assert shown[0].startswith(ANSWER_HEAD)
    assert shown[1:] == [section_html("Try the models"), section_html("Results")]
    plain = app_on("app_pages/compare.py")
    no_problems(plain)
    # every run finished: the answer first of all (test_once_nothing_trains_...), then the box beside the status lines
    assert order(plain)[0].startswith(ANSWER_HEAD) and order(plain)[1] == section_html("Try the models")


def test_once_nothing_trains_the_answer_comes_before_the_status_lines(tiny_data, bertlab_home, monkeypatch):
    """At 1366x768, "Which one to use?" of a finished Quick demo started at y=982 px, below the fold, under four
    status lines whose scores the Results table repeats: once nothing trains, the answer comes first. While a run
    trains, its progress stays on top (the provisional answer under the status lines)."""
    import time

    from bertlab.jobs import JobManager
    from bertlab.runner import execute_run

    monkeypatch.setattr(JobManager, "_loop", lambda self: time.sleep(600))  # a worker that trains nothing
    store = RunStore(bertlab_home)
    for n in (1, 2):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": n}), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED

    def order(at) -> list[str]:
        """The page's headings and status lines (a run's name in bold), in the page's order."""
        return ["status" if "<b>tfidf_logreg</b>" in m.value else re.sub(r" \(so far[^<]*", "", m.value)
                for m in at.markdown
                if m.value in (section_html("Try the models"), section_html("Results"))
                or "<b>tfidf_logreg</b>" in m.value
                or m.value.startswith(ANSWER_HEAD)]

    done = app_on("app_pages/compare.py")
    no_problems(done)
    assert order(done) == [section_html("Which one to use?"), "status", "status", section_html("Try the models"),
                           section_html("Results")]
    store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": 3}), batch_id="b1")
    training = app_on("app_pages/compare.py")
    no_problems(training)
    assert order(training) == ["status", "status", "status", section_html("Try the models"),
                               section_html("Which one to use?"), section_html("Results")]


def _in_columns(node, key: str, inside: bool = False):
    """Whether the element with ``key`` (or that label) sits in a column (None where it is not on the page)."""
    for child in getattr(node, "children", {}).values():
        if key in (getattr(child, "key", None), getattr(child, "label", None)) \
                or getattr(getattr(child, "proto", None), "id", "").endswith(key):
            return inside
        found = _in_columns(child, key, inside or getattr(child, "type", None) == "column")
        if found is not None:
            return found
    return None


def test_in_projector_mode_the_accuracy_and_cost_charts_are_stacked(tiny_data, bertlab_home):
    """Two charts a row at 1024 px in projector mode left each about 450 px for 16-px bar values and titles; the
    serving button beside its caption read "Measure servi…"."""
    from bertlab.runner import execute_run

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED
    plain = app_on("app_pages/compare.py")
    no_problems(plain)
    assert _in_columns(plain.main, "cmp_acc") is True and _in_columns(plain.main, "cmp_cost") is True
    assert _in_columns(plain.main, "Measure serving speed") is True
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["projector"] = "1"
    at.run()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert _in_columns(at.main, "cmp_acc") is False and _in_columns(at.main, "cmp_cost") is False
    assert _in_columns(at.main, "Measure serving speed") is False


def test_playground_examples_are_texts_no_selected_run_trained_on(tmp_path, bertlab_home):
    """The examples come from the first run's test split; a run of another split seed trained on some of those
    texts, and a right answer on them proves little."""
    from bertlab.data import load_splits

    texts = [f"Review number {i}: a film with a plot and some actors." for i in range(60)]
    p = tmp_path / "reviews.csv"
    pd.DataFrame({"text": texts, "label": ["rotten" if i % 2 else "fresh" for i in range(60)]}).to_csv(p, index=False)
    a, b = (DataConfig(source="file", name=str(p), train_size=None, val_size=None, test_size=None, seed=s) for s in (0, 1))
    store = RunStore(bertlab_home)
    stored_run(store, "head_only", a, 2)
    stored_run(store, "head_only", b, 2)
    test_a, train_b = set(load_splits(a).test.texts), set(load_splits(b).train.texts)
    assert test_a & train_b and test_a - train_b  # the split seeds share some texts, not all
    at = app_on("app_pages/playground.py")
    no_problems(at)
    shown = [b.label.replace("\\", "") for b in at.button if b.key.startswith("pg_box_ex_")]
    assert shown and all(s in test_a and s not in train_b for s in shown), shown


def _row_width(node, key: str, row: int | None = None):
    """How many columns the row holding the element ``key`` (or that label) has (None where it is in no row)."""
    for child in getattr(node, "children", {}).values():
        if getattr(getattr(child, "proto", None), "id", "").endswith(key) \
                or key in (getattr(child, "key", None), getattr(child, "label", None)):
            return row
        kids = list(getattr(child, "children", {}).values())
        cols = sum(getattr(k, "type", None) == "column" for k in kids)
        here = cols if cols else row
        if (found := _row_width(child, key, here)) is not None:
            return found
    return None


def test_in_projector_mode_confusion_matrices_come_two_a_row(tiny_data, bertlab_home):
    """Three a row left each matrix ~250 px at 1024 px, its counts in 18-px type."""
    from bertlab.runner import execute_run

    store = RunStore(bertlab_home)
    ids = []
    for n in (1, 2, 3):
        ids.append(store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": n}), batch_id="b1"))
        assert execute_run(store, ids[-1]) == SUCCEEDED
    plain = app_on("app_pages/compare.py")
    no_problems(plain)
    assert _row_width(plain.main, f"cm_{ids[0]}") == 3
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["projector"] = "1"
    at.run()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert _row_width(at.main, f"cm_{ids[0]}") == 2


def test_in_projector_mode_the_paired_metrics_come_two_a_row(tiny_data, bertlab_home):
    """Four a row at 1024 px in projector mode cut "+0.7 points" to "+0.…"."""
    from bertlab.runner import execute_run

    store = RunStore(bertlab_home)
    for n in (1, 2):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"ngram_max": n}), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED

    def widths(page) -> set:
        return {_row_width(page.main, m.label) for m in page.metric if m.label in ("A − B (points)", "p (McNemar)")}

    plain = app_on("app_pages/compare.py")
    no_problems(plain)
    assert widths(plain) == {4}
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["projector"] = "1"
    at.run()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert widths(at) == {2}
