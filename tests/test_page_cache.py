"""The pages' figure cache (app_pages.common.figure): a rerun that changes nothing draws the figure it drew, and a run
that finishes, changes or is deleted is drawn afresh, never stale (the cache's key is everything a builder sees)."""

from __future__ import annotations

import copy
import json

from test_app_plots import make_run  # tests/ is on sys.path
from test_app_polish import finished
from test_pages_sweep import app_on, no_problems

from app_pages import common
from bertlab import plots
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


def test_a_figure_is_built_once_and_again_for_a_run_that_changed():
    built = []

    def accuracy(runs):
        built.append([r.id for r in runs])
        return plots.accuracy_figure(runs)

    a, b = make_run("full_ft", "cache-run-a", acc=0.61), make_run("head_only", "cache-run-b", acc=0.72)
    first = common.figure(accuracy, [a, b])
    assert common.figure(accuracy, [copy.deepcopy(a), copy.deepcopy(b)]) is first  # the same runs, read afresh
    assert len(built) == 1
    changed = copy.deepcopy(a)
    changed.metrics["test_accuracy"] = 0.93  # the same id, another result: not the figure drawn before
    again = common.figure(accuracy, [changed, b])
    assert again is not first and len(built) == 2
    assert "93.0" in json.dumps(again.to_plotly_json()) and "93.0" not in json.dumps(first.to_plotly_json())
    running = copy.deepcopy(a)
    running.status, running.metrics = "running", {}
    assert common.figure(accuracy, [running, b]) is not first  # a status alone changes the key
    assert common.figure(accuracy, [b]) is not first and built[-1] == ["cache-run-b"]  # a run deleted
    assert common.figure(plots.accuracy_figure, [a, b]) is not first  # another builder, its own figure


def test_the_cache_keeps_at_most_its_bound(monkeypatch):
    monkeypatch.setattr(common, "FIGURES_KEPT", 3)
    for i in range(6):
        common.figure(plots.accuracy_figure, [make_run("full_ft", f"bound-{i}", acc=0.5 + i / 100)])
    assert len(common._figures()[1]) <= 3


def _specs(at) -> str:
    return "\n".join(c.proto.spec for c in at.get("plotly_chart"))


def test_compare_draws_a_run_that_changed_or_was_deleted_at_the_next_rerun(tiny_data, bertlab_home):
    """Same session, reruns only (what a click costs): the charts follow the store, not the cache."""
    store = RunStore(bertlab_home)
    kept = finished(store, make_config("tfidf_logreg", data=tiny_data))
    gone = finished(store, make_config("tfidf_logreg", data=tiny_data, seed=1), batch=kept.batch_id)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    assert gone.id[-4:] in _specs(at)
    at.run()  # a rerun that changes nothing draws the same charts
    no_problems(at)
    before = _specs(at)
    assert gone.id[-4:] in before and "97.3" not in before
    metrics = {**kept.metrics, "test_accuracy": 0.973}
    metrics.pop("test_accuracy_ci95", None)
    store.update(kept.id, metrics=metrics)  # the run's stored result changes, its id does not
    at.run()
    no_problems(at)
    assert "97.3" in _specs(at)
    store.delete(gone.id)
    at.run()
    no_problems(at)
    assert gone.id[-4:] not in _specs(at)
    assert store.get(kept.id).status == SUCCEEDED


def _counted(monkeypatch, owner, name: str) -> list:
    """Count the calls of ``owner.name`` (a figure builder), keeping its module and name: the cache's key."""
    import functools

    real, calls = getattr(owner, name), []

    @functools.wraps(real)
    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def test_the_data_pages_chart_is_not_built_again_by_a_rerun(bertlab_home, monkeypatch):
    """Every rerun of the Data page (a size, a description, the projector switch) built the label-distribution
    chart anew."""
    built = _counted(monkeypatch, plots, "label_distribution_figure")
    at = app_on("app_pages/data.py")
    no_problems(at)
    assert at.get("plotly_chart")
    at.run()
    at.run()
    no_problems(at)
    assert len(built) <= 1  # once in this server process (none where an earlier test drew the same counts)


def test_the_playgrounds_probability_chart_is_built_once_a_text(tiny_data, bertlab_home, monkeypatch):
    """A Playground rerun that kept the text built the probability chart again: most of the rerun."""
    from app_pages import inference_box

    store = RunStore(bertlab_home)
    finished(store, make_config("tfidf_logreg", data=tiny_data))
    built = _counted(monkeypatch, inference_box, "probability_figure")
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful superb film").run()
    no_problems(at)
    first = _specs(at)
    at.run()
    at.run()
    no_problems(at)
    assert len(built) == 1 and _specs(at) == first
    at.text_area(key="pg_box_text").set_value("a dull and tedious film").run()  # another text: drawn afresh
    no_problems(at)
    assert len(built) == 2 and _specs(at) != first  # its probabilities, not the first text's


def test_a_learning_curves_rerun_splits_no_data_again(bertlab_home, monkeypatch):
    """The sweep form's estimate asks for the splits of each of its points (5 sizes x 3 seeds, and each seed's whole
    data): 19 configs in the 16 places the splits cache had, so every rerun of the page split the data 19 times
    again (1.7 s of a 1.8 s rerun)."""
    calls = []
    real = common.split_for
    monkeypatch.setattr(common, "split_for", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = app_on("app_pages/sweep.py")
    no_problems(at)
    first = len(calls)
    at.run()
    no_problems(at)
    assert len(calls) == first  # a rerun that changes nothing splits nothing again


def test_the_learning_curves_chart_is_not_built_again_by_a_rerun(tiny_data, bertlab_home, monkeypatch):
    from bertlab import sweep
    from bertlab.runner import execute_run

    store = RunStore(bertlab_home)
    spec = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[16], seeds=[0], data=tiny_data)
    sid, todo, _ = sweep.prepare(store, spec)
    for cfg in todo:
        assert execute_run(store, store.create_run(cfg, batch_id=sid)) == SUCCEEDED
    built = _counted(monkeypatch, sweep, "learning_curve_figure")
    at = app_on("app_pages/sweep.py", {"keep_sw_current": sid})
    no_problems(at)
    at.run()
    at.run()
    no_problems(at)
    assert len(built) <= 1 and "Learning curves" in _specs(at)


def test_an_upload_is_hashed_once_not_on_every_rerun():
    """The Data page hashed the whole uploaded file on every rerun while the uploader held it (0.17 s a click for a
    58 MB CSV); once per upload now, and again for another upload."""
    import hashlib

    class Upload:
        def __init__(self, file_id: str, raw: bytes) -> None:
            self.file_id, self.raw, self.read = file_id, raw, 0

        def getvalue(self) -> bytes:
            self.read += 1
            return self.raw

    memo: dict = {}
    first = Upload("f1", b"text,label\na,b\n")
    tags = [common.upload_tag(first, memo) for _ in range(5)]
    assert tags == [hashlib.sha256(first.raw).hexdigest()[:8]] * 5 and first.read == 1
    second = Upload("f2", b"text,label\nc,d\n")
    assert common.upload_tag(second, memo) == hashlib.sha256(second.raw).hexdigest()[:8] and second.read == 1
    assert common.upload_tag(first, memo) == tags[0] and first.read == 2  # the latest upload's only is kept
    # an upload with no id to tell it by (an uploader that gives none) is hashed each time, never given another's tag
    third, fourth = Upload(None, b"text,label\ne,f\n"), Upload(None, b"text,label\ng,h\n")
    assert common.upload_tag(third, memo) == hashlib.sha256(third.raw).hexdigest()[:8]
    assert common.upload_tag(fourth, memo) == hashlib.sha256(fourth.raw).hexdigest()[:8]


def test_a_precision_recall_curves_scores_are_no_part_of_its_figures_key(tmp_path):
    """Each curve keeps its run's test and validation scores (every text's) for the threshold chosen on validation
    texts; the figure draws neither, and the key had hashed them on every rerun of Compare (25,000 test texts a
    run), where a thinned curve's 800 points were all it needed. They are left out of the key; the points are not."""
    import numpy as np

    from bertlab import prcurve

    y, s = np.array([1, 0, 1, 0, 0], bool), np.array([0.9, 0.8, 0.7, 0.3, 0.05])
    c = prcurve.curve("r", y, s, s >= 0.5)
    c.test_scores, c.val_scores = (y, s), (y, s)
    keyed = json.dumps(common._plain(c), default=common._plain)
    assert "test_scores" not in keyed and "val_scores" not in keyed and '"recall"' in keyed
    built = []

    def figure(cs):
        built.append(1)
        return plots.pr_figure([], cs)

    first = common.figure(figure, prcurve.Curves("abusive", [c]))
    other = copy.deepcopy(c)
    other.val_scores = (y, s[::-1])  # another validation split: the same curve drawn
    assert common.figure(figure, prcurve.Curves("abusive", [other])) is first and len(built) == 1
