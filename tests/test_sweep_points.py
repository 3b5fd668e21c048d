"""A sweep widened to more seeds reuses its predecessor's runs: every page that lists it reads all its points."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bertlab import sweep
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _run_sweep(store: RunStore, spec: sweep.SweepSpec) -> tuple[str, list[str]]:
    """Queue and run the sweep's missing points as the Learning curves page does; (sweep id, reused run ids)."""
    sid, todo, reused = sweep.prepare(store, spec)
    for cfg in todo:
        assert execute_run(store, store.create_run(cfg, batch_id=sid)) == SUCCEEDED
    return sid, reused


@pytest.fixture
def widened(tiny_model, tiny_data, bertlab_home):
    """A one-seed sweep of tfidf_logreg and zero_shot at 8 and 16 texts, then the same sweep at seeds 0 and 1."""
    store = RunStore(bertlab_home)
    one = sweep.SweepSpec(strategies=["zero_shot", "tfidf_logreg"], sizes=[8, 16], seeds=[0], data=tiny_data,
                          model=tiny_model, common={"max_length": 32})
    _run_sweep(store, one)
    two = sweep.SweepSpec(**{**one.to_dict(), "seeds": [0, 1], "data": tiny_data})
    sid, reused = _run_sweep(store, two)
    assert len(reused) == 4 and len(store.list_runs(batch_id=sid)) == 4  # the new batch: seed 1 only
    return store, sid


def test_point_runs_are_the_runs_the_learning_curves_read(widened):
    store, sid = widened
    held = sweep.point_runs(store, [sid])[sid]
    rows = sweep.collect(store, sweep.load_sweep(store, sid))
    assert sorted(r.id for r in held) == sorted({r["run_id"] for r in rows}) and len(held) == 8
    assert sweep.point_runs(store, ["sweep-nope"]) == {}


def _app_on(page: str, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in (session or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_accuracy_vs_cost_reads_every_seed_of_a_widened_sweep(widened, monkeypatch):
    from bertlab import answer

    store, sid = widened
    # the tiny test set tells no run from always answering the majority class beyond chance: every strategy counts
    # as better here, so that the two are compared as this test means them to be
    monkeypatch.setattr(answer, "beats_majority_class", lambda *a, **k: True)
    at = _app_on("app_pages/costs.py")
    pick = at.selectbox[0]
    assert pick.value == sid and " · 8 runs of zero_shot, tfidf_logreg" in pick.format_func(sid)
    table = next(df.value for df in at.dataframe if "runs" in df.value.columns)
    assert list(table["runs"]) == [2, 2]  # both seeds, the first sweep's reused runs included
    lines = " ".join(m.value for m in at.markdown)
    assert "McNemar" not in lines and "2 seeds" in lines, lines  # two runs each: the seeds decide, not one pair of runs
    seeds = [r for r in sweep.collect(store, sweep.load_sweep(store, sid)) if r["size"] == 16]
    mean = {s: 100 * sum(r["test_accuracy"] for r in seeds if r["strategy"] == s) / 2 for s in ("zero_shot",
                                                                                                "tfidf_logreg")}
    assert sorted(round(v, 1) for v in table["test accuracy"]) == sorted(round(v, 1) for v in mean.values())


def test_a_strategy_card_quotes_every_seed_of_a_widened_sweep(widened, tiny_model):
    store, sid = widened
    at = _app_on("app_pages/teaching.py", {"keep_tc_model": tiny_model, "cmp_choice": sid})
    at.radio(key="keep_tc_strategy").set_value("tfidf_logreg").run()
    text = " ".join(m.value for m in at.markdown)
    assert r"8 runs of zero\_shot, tfidf\_logreg" in text  # markdown-escaped
    assert text.count("- run `") == 4  # 2 sizes x 2 seeds, the first sweep's two runs included


def test_compare_lists_a_widened_sweep_with_every_point(widened):
    """Compare titled the widened sweep with its own batch's runs ('4 runs'), the seed it added alone."""
    at = _app_on("app_pages/compare.py")
    sweeps = [o for o in at.selectbox[0].options if o.startswith("sweep · ")]
    assert len(sweeps) == 2 and any(" · 8 runs of " in o for o in sweeps), sweeps  # the first one: 4 runs
