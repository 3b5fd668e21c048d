"""What serving costs, measured (bertlab.serving) and shown on the Compare page."""

from __future__ import annotations

import statistics

import pytest
from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

from bertlab import serving
from bertlab.predict import Predictor
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config


@pytest.fixture
def finished(tiny_model, tiny_data, bertlab_home):
    store = RunStore(bertlab_home)
    ids = []
    for name in ("zero_shot", "full_ft", "tfidf_logreg"):
        kw = {} if name == "tfidf_logreg" else {"model": tiny_model, "max_length": 32}
        rid = store.create_run(make_config(name, data=tiny_data, epochs=1, batch_size=8, **kw), batch_id="b-serve")
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    return store, ids


def test_measure_times_each_run_and_stores_it(finished):
    store, ids = finished
    seen = []
    texts = ["a wonderful film", "an awful, boring film", "it was fine"]
    predictor, calls = Predictor(store), []
    real = predictor.predict

    def recording(run_ids, batch):
        calls.append((run_ids[0], len(batch)))
        batches.append(list(batch))
        return real(run_ids, batch)

    batches = []

    predictor.predict = recording
    out = serving.measure(store, predictor, ids, texts, singles=5, batch=2, batch_texts=6,
                          progress=lambda k, n, doing: seen.append((k, n, doing and doing.split()[0])))
    # each run loaded first (loading can take longer than timing), then the timing, then done
    assert seen[:3] == [(k, 6, "loading") for k in range(3)] and seen[-1] == (6, 6, None)
    assert {s[2] for s in seen[3:-1]} == {"timing"} and all(3 <= s[0] < 6 for s in seen[3:-1])
    # the runs take turns, text by text and batch by batch: none is timed all first, while the machine settles
    timed = [rid for rid, _ in calls][-(5 + 3) * len(ids):]  # 5 single texts and 3 batches each, after warm-ups
    assert timed[:3 * 5] == ids * 5 and timed[3 * 5:] == ids * 3
    # the batches hold texts of like length (sorted first, as a backlog job would): padding is not what is timed
    in_batches = [t for b in batches[-3 * len(ids)::len(ids)] for t in b]
    assert in_batches == sorted(texts * 2, key=len)
    for rid in ids:
        m, costs = out[rid], store.get(rid).costs
        assert 0 < m["serve_ms_p50"] <= m["serve_ms_p95"]
        assert m["serve_texts_per_s"] > 0
        assert {k: costs[k] for k in serving.SERVE_KEYS} == m  # stored with the run, beside what it had
        assert "inference_flops_per_text" in costs and "train_seconds" in costs
    backends = {store.get(i).strategy: store.get(i).costs["serve_backend"] for i in ids}
    assert backends["tfidf_logreg"] == "scikit-learn" and backends["full_ft"] in ("torch", "onnxruntime")
    with pytest.raises(ValueError, match="some texts"):
        serving.measure(store, Predictor(store), ids, [])


def test_a_run_deleted_while_it_is_timed_is_left_out_not_a_traceback(tiny_data, bertlab_home):
    """A run deleted from elsewhere (another tab's Delete, `python -m bertlab delete`) while Compare timed its
    serving ended the measurement in "AttributeError: 'NoneType' object has no attribute 'costs'", the other runs'
    timings unstored (1045861 made `run`, `sweep` and bertlab.compare skip such a run, not this twin): it is left
    out, and the others' are stored."""
    store = RunStore(bertlab_home)
    ids = []
    for seed in (0, 1):
        rid = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=seed), batch_id="b-gone")
        assert execute_run(store, rid) == SUCCEEDED
        ids.append(rid)
    gone, kept = ids
    predictor, batches = Predictor(store), []
    real = predictor.predict

    def deleting_after_its_last_batch(run_ids, batch):
        out = real(run_ids, batch)
        if run_ids == [gone] and len(batch) > 1:
            batches.append(1)
            if len(batches) == 2:  # batch_texts 4 in batches of 2: its last
                store.delete(gone)
        return out

    predictor.predict = deleting_after_its_last_batch
    out = serving.measure(store, predictor, ids, ["a fine film", "a dull one"], singles=3, batch=2, batch_texts=4)
    assert store.get(gone) is None and list(out) == [kept]
    assert {k: store.get(kept).costs[k] for k in serving.SERVE_KEYS} == out[kept]


def test_money_per_million_texts():
    # 100 texts/s: 10,000 s = 2.78 h for a million, at 0.05 an hour
    assert serving.money_per_million(100.0, 0.05) == pytest.approx(1e4 / 3600 * 0.05)
    assert serving.money_per_million(None, 0.05) is None and serving.money_per_million(0.0, 1.0) is None


def test_compare_page_measures_serving_on_request(finished):
    store, ids = finished
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = next(d.value for d in at.dataframe if "inference FLOPs/text" in d.value.columns
                 and "ms per text (p50)" in d.value.columns)
    assert table["ms per text (p50)"].isna().all()  # not measured yet
    next(b for b in at.button if b.label == "Measure serving speed").click().run()
    no_problems(at)
    for rid in ids:
        assert store.get(rid).costs["serve_ms_p50"] > 0
    table = next(d.value for d in at.dataframe if "ms per text (p50)" in d.value.columns)
    assert (table["ms per text (p50)"] > 0).all() and table["$ per million texts"].str.startswith(("$", "<$")).all()
    assert any(b.label == "Measure again" for b in at.button)
    # zero_shot and full_ft do the same work per text, tfidf_logreg far less: the caption names the two...
    left = [store.get(i).costs for i in ids[:2]]  # one figure to quote: the median of their timings
    quote = f"**{statistics.median(c['serve_ms_p50'] for c in left):.1f} ms** per text"
    same = next(c.value for c in at.caption if "do the same work per text" in c.value)
    assert same.startswith("The runs of zero_shot and full_ft do the same work") and quote in same
    store.delete(ids[2])  # ...and with only runs of one encoder left, speaks of them all
    at.run()
    same = next(c.value for c in at.caption if "do the same work per text" in c.value)
    assert same.startswith("These runs do the same work") and quote in same
    # batches slower per text than single texts (a busy machine): the caption says the money is then too high
    assert ("batches came out slower per text" in same) == (
        statistics.median(c["serve_texts_per_s"] for c in left)
        < 1000 / statistics.median(c["serve_ms_p50"] for c in left))
    for rid in ids[:2]:
        store.update(rid, costs={**store.get(rid).costs, "serve_ms_p50": 11.9, "serve_texts_per_s": 43.0})
    at.run()
    same = next(c.value for c in at.caption if "do the same work per text" in c.value)
    assert ("Here batches came out slower per text than single texts (84 texts/s one at a time), usually a sign "
            "that something else was using the machine while they were timed: the money above is then too high."
            ) in same
    for rid in ids[:2]:
        store.update(rid, costs={**store.get(rid).costs, "serve_texts_per_s": 150.0})
    at.run()
    assert "slower per text" not in next(c.value for c in at.caption if "do the same work per text" in c.value)


def test_the_report_and_csv_carry_what_was_measured(finished):
    import csv
    import io

    from bertlab import pareto, report

    store, ids = finished
    assert "What serving costs" not in report.build_html(store, ids)  # nothing timed yet
    serving.measure(store, Predictor(store), ids, ["a fine film", "a dull one"], singles=3, batch=2, batch_texts=4)
    page = report.build_html(store, ids)
    assert "<h2>What serving costs</h2>" in page and "scikit-learn" in page
    rows = list(csv.DictReader(io.StringIO(report.results_csv(store, ids, pareto.Prices()))))
    assert all(float(r["serve_ms_p50"]) > 0 and float(r["serve_texts_per_s"]) > 0 for r in rows)


def test_more_runs_than_stay_loaded_are_timed_in_groups_that_do(finished):
    store, ids = finished
    predictor, loads = Predictor(store, max_loaded=2), []
    real = predictor.load

    def counting(run_id, keep=0):
        loaded_before = run_id in predictor._loaded
        out = real(run_id, keep)
        if not loaded_before:
            loads.append(run_id)
        return out

    predictor.load = counting
    out = serving.measure(store, predictor, ids, ["a fine film", "a dull one"], singles=3, batch=2, batch_texts=4)
    assert set(out) == set(ids)
    assert sorted(loads) == sorted(ids)  # each run loaded once: never reloaded between its timed turns
    assert serving.measure(store, predictor, [], ["text"], progress=lambda *a: None) == {}  # nothing to time


def test_each_run_records_what_serving_it_needs_on_disk(finished, tiny_model):
    """A fine-tuned run: its saved model. zero_shot: its label vectors plus the pretrained encoder it answers
    through. tfidf_logreg: its vocabulary and weights, kilobytes. Shown on Compare and in the report and CSV."""
    from pathlib import Path

    from bertlab import costs, report

    store, ids = finished
    zs, ft, tf = (store.get(i) for i in ids)
    own = {r.strategy: sum(f.stat().st_size for f in Path(r.artifact_dir).rglob("*")
                           if f.is_file() and ".eval" not in f.parts) for r in (zs, ft, tf)}
    assert ft.costs["model_bytes"] == own["full_ft"] and tf.costs["model_bytes"] == own["tfidf_logreg"]
    enc = costs.encoder_bytes(tiny_model)
    assert enc > own["zero_shot"] and zs.costs["model_bytes"] == own["zero_shot"] + enc
    assert own["tfidf_logreg"] < own["full_ft"]
    assert costs.format_bytes(1536) == "1.5 KiB" and costs.format_bytes(None) == "-"
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = next(d.value for d in at.dataframe if "on disk" in d.value.columns)
    assert costs.format_bytes(ft.costs["model_bytes"]) in list(table["on disk"])
    assert f"<td>{costs.format_bytes(tf.costs['model_bytes'])}</td>" in report.build_html(store, ids)
    assert str(ft.costs["model_bytes"]) in report.results_csv(store, ids)


def test_the_playground_times_a_warm_model_not_its_first_call(tiny_data, monkeypatch):
    """A persona's first Predict timed tfidf_logreg at 20.1 ms, later ones at 2.7 ms: the first call's set-up.
    warm_once answers one untimed text per newly loaded run, once, and again after the run is loaded anew."""
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    rids = [store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"C": c})) for c in (1.0, 4.0)]
    assert all(execute_run(store, r) == SUCCEEDED for r in rids)
    pred = Predictor(store, max_loaded=1)
    calls = []
    real = Predictor.predict
    monkeypatch.setattr(Predictor, "predict", lambda self, ids, texts: calls.append((list(ids), list(texts)))
                        or real(self, ids, texts))
    pred.usable(rids[:1])
    pred.warm_once(rids[:1])
    pred.warm_once(rids[:1])  # already warm: nothing
    assert calls == [([rids[0]], ["warm up"])]
    pred.usable(rids[1:])  # loading the second evicts the first (one model kept)
    pred.warm_once(rids[1:])
    pred.usable(rids[:1])
    pred.warm_once(rids[:1])  # loaded anew: warmed anew
    assert calls[1:] == [([rids[1]], ["warm up"]), ([rids[0]], ["warm up"])]


def test_forgetting_deleted_runs_frees_their_models_and_the_encoder_only_they_read(finished, tiny_model):
    """A server kept a deleted run's model (~130 MB for a fine-tuned MiniLM) loaded until another evicted it: 1.6 GB
    after the Playground on four fine-tuned runs, still 1.6 GB after deleting every run. forget_deleted drops the
    runs the store no longer has, and the frozen encoder (and its tokenizer) once no loaded run reads it."""
    from bertlab import embeddings

    store, ids = finished  # zero_shot (the one run reading the frozen encoder), full_ft, tfidf_logreg
    pred = Predictor(store)
    pred.predict(ids, ["a fine film"])
    pred.cut_texts(ids, "a fine film")
    assert set(pred.loaded_ids()) == set(ids) and pred._toks
    assert pred.forget_deleted() == []  # none deleted: all stay
    store.delete_finished(ids[:1])
    assert pred.forget_deleted() == ids[:1]
    assert set(pred.loaded_ids()) == set(ids[1:]) and not pred._toks and not pred._enc_sessions
    assert (embeddings.model_identity(tiny_model), "cpu") not in embeddings._ENCODERS
    assert pred.forget(ids) == ids[1:] and pred.loaded_ids() == []
    assert pred.forget(ids) == []
    assert pred.predict(ids[1:], ["a fine film"])[0].run_id == ids[1]  # loads again when asked


def test_deleting_on_compare_frees_the_playgrounds_models(finished):
    from app_pages import common

    store, ids = finished
    pred = common.predictor()
    pred.usable(ids)
    assert set(ids) <= set(pred.loaded_ids())
    at = app_on("app_pages/compare.py")
    no_problems(at)
    next(b for b in at.button if b.label.startswith("Delete 3 runs")).click().run()
    at.button(key="cmp_delete_yes").click().run()
    assert all(store.get(r) is None for r in ids)
    assert not set(ids) & set(pred.loaded_ids())


def test_on_disk_says_the_playgrounds_onnx_copy_is_not_counted(finished):
    """The first Playground use writes an ONNX copy (~87 MB for MiniLM) into a fine-tuned run's folder, doubling its
    disk use, while "on disk" still said 87 MiB without a word about it."""
    store, ids = finished
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = next(d for d in at.dataframe if "on disk" in d.value.columns)
    assert "ONNX copy" in str(table.proto) and "Delete below counts it" in str(table.proto)


def test_a_load_that_evicts_trims_the_heap_without_a_full_garbage_collection(tiny_data, monkeypatch):
    """A diff review: every load that evicted a run ran gc.collect (~150 ms with torch, transformers and three
    MiniLM models loaded), so a Playground switch evicting N runs answered N x 150 ms later. An eviction now
    hands the freed heap back (malloc_trim) without it, the evicted models' memory coming back alike (measured);
    forget, for deleted runs, still collects."""
    from bertlab import predict

    store = RunStore()
    rids = [store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"C": c})) for c in (1.0, 4.0, 8.0)]
    assert all(execute_run(store, r) == SUCCEEDED for r in rids)
    collects, trims = [], []
    monkeypatch.setattr(predict.gc, "collect", lambda *a: collects.append(1) or 0)
    monkeypatch.setattr(predict, "release_free_heap", lambda: trims.append(1) or True)
    pred = Predictor(store, max_loaded=1)
    for r in rids:
        pred.predict([r], ["a fine film"])  # each after the first evicts the one before
    assert pred.loaded_ids() == rids[-1:] and len(trims) == 2 and collects == []
    assert pred.forget(rids) == rids[-1:] and len(trims) == 3 and len(collects) == 1
    # a second diff review: a lora run's modules hold reference cycles and outlived an eviction without a
    # collection (+50 MiB until some later one): a model still alive once dropped is collected
    pred.predict([rids[0]], ["a fine film"])
    cycle = pred._loaded[rids[0]]
    cycle.me = cycle  # a reference cycle, as peft's modules make
    del cycle
    pred.predict([rids[1]], ["a fine film"])  # evicts the cyclic one: collected
    assert len(collects) == 2
    pred.predict([rids[2]], ["a fine film"])  # evicts a plain one: no collection
    assert len(collects) == 2


def test_a_run_stored_before_sizes_were_recorded_shows_its_size(finished, tiny_model):
    """Runs stored before 2026-12-03 have no model_bytes: Compare's 'on disk', the report, the CSV and runs --json
    left an old run's size blank beside a new one's. It is measured from its saved model instead."""
    from bertlab import costs, report
    from bertlab.cli import result_row

    store, ids = finished
    recorded = {i: store.get(i).costs["model_bytes"] for i in ids}
    for i in ids:  # as an older bertlab stored them
        store.update(i, costs={k: v for k, v in store.get(i).costs.items() if k != "model_bytes"})
    ft = store.get(ids[1])
    assert str(recorded[ft.id]) in report.results_csv(store, ids)
    at = app_on("app_pages/compare.py")
    no_problems(at)
    table = next(d.value for d in at.dataframe if "on disk" in d.value.columns)
    assert costs.format_bytes(recorded[ft.id]) in list(table["on disk"])
    for i in ids:
        assert "model_bytes" not in store.get(i).costs and result_row(store.get(i))["model_bytes"] == recorded[i]


def test_measure_reports_the_median_and_95th_percentile_latency_and_texts_per_second_of_all_batched_texts(
        bertlab_home, monkeypatch):
    """On a clock that each call advances by a known amount: single texts taking 1..20 ms have a median of 10.5 ms
    and a 95th percentile of 19.05 ms; 256 texts in 4 batches of 1 s each are 64 texts/s (not 64 / 4)."""
    from types import SimpleNamespace

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg"))
    store.claim(rid, "cpu")
    store.finish(rid, SUCCEEDED, costs={"train_seconds": 1.0})
    clock = {"now": 0.0, "single": 0}

    class Timed:
        max_loaded, device = 4, SimpleNamespace(name="Fake CPU")

        def warm(self, run_ids, wait_fast=False):
            pass

        def predict(self, run_ids, texts):
            if len(texts) == 1:
                clock["single"] += 1
                clock["now"] += clock["single"] / 1000
            elif len(texts) > 2:  # a timed batch (the two warm-up texts are not timed)
                clock["now"] += 1.0
            return [SimpleNamespace(backend="torch")]

    monkeypatch.setattr(serving.time, "perf_counter", lambda: clock["now"])
    got = serving.measure(store, Timed(), [rid], ["a text", "another"], singles=20, batch=64, batch_texts=256)[rid]
    assert got["serve_ms_p50"] == pytest.approx(10.5) and got["serve_ms_p95"] == pytest.approx(19.05)
    assert got["serve_texts_per_s"] == pytest.approx(64.0)
    assert store.get(rid).costs["train_seconds"] == 1.0  # kept beside what was measured


def test_runs_doing_a_tenth_more_work_per_text_are_not_quoted_as_the_same_work():
    from types import SimpleNamespace

    def run(flops):
        return SimpleNamespace(strategy="head_only", costs={"serve_ms_p50": 10.0, "serve_texts_per_s": 100.0,
                                                           "inference_flops_per_text": flops})

    assert serving.same_work_note([run(1e9), run(1.1e9)], prices=None) is None


def test_runs_timed_side_by_side_on_a_gpu_machine_are_compared_though_tfidf_logreg_answered_on_its_cpu(finished):
    """On a GPU machine tfidf_logreg's serving names the CPU it answered on (its money is at the CPU-hour), and the
    answer's 'Measured on this machine: ... ms against ... ms' compared serve_device: a full_ft and a tfidf_logreg
    run timed in one measurement were no longer set side by side (the sentence was empty). The machine that timed
    them is recorded (serve_machine) and compared; runs timed before it was recorded compare their serve_device."""
    from bertlab import answer, pareto
    from bertlab.models import DeviceInfo

    store, ids = finished
    predictor = Predictor(store)
    predictor.device = DeviceInfo("cpu", "NVIDIA H100 80GB HBM3", False)  # a GPU machine's name (computing on CPU)
    m = serving.measure(store, predictor, ids, ["a fine film", "a dull one"], singles=3, batch=2, batch_texts=4)
    full_ft, tfidf = store.get(ids[1]), store.get(ids[2])
    assert pareto.device_kind(m[tfidf.id]["serve_device"]) == "cpu"  # what answered, as priced
    assert m[full_ft.id]["serve_device"] == "NVIDIA H100 80GB HBM3"
    said = answer.measured_serving(full_ft, tfidf)
    assert said.startswith(" Measured on this machine: ") and " ms a text, one at a time (" in said
    assert {m[r]["serve_machine"] for r in ids} == {"NVIDIA H100 80GB HBM3"}
    # timed elsewhere: not set side by side; and a run timed before serve_machine was recorded reads serve_device
    tfidf.costs["serve_machine"] = "another machine"
    assert answer.measured_serving(full_ft, tfidf) == ""
    del tfidf.costs["serve_machine"], full_ft.costs["serve_machine"]
    tfidf.costs["serve_device"] = full_ft.costs["serve_device"]
    assert answer.measured_serving(full_ft, tfidf).startswith(" Measured on this machine: ")
