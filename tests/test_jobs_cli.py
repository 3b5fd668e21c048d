"""Job manager basics, the CLI, and prediction from stored runs."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest

from bertlab.cli import main
from bertlab.data.dataset import Splits, TextDataset
from bertlab.jobs import JobManager
from bertlab.paths import format_bytes
from bertlab.store import CANCELLED, SUCCEEDED, RunStore
from bertlab.strategies import make_config

# what a stubbed loader hands back: no data read, nothing to describe
UNREAD = Splits(*(TextDataset([], [], []) for _ in range(3)))


def test_job_manager_runs_queue_in_order(tiny_model, tiny_data):
    jm = JobManager(RunStore())
    try:
        cfgs = [make_config(s, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32)
                for s in ("zero_shot", "head_only", "full_ft")]
        ids = jm.submit(cfgs)
        assert jm.wait_idle(timeout=300)
        runs = [jm.store.get(i) for i in ids]
        assert [r.status for r in runs] == [SUCCEEDED] * 3, [r.error for r in runs]
        assert len({r.batch_id for r in runs}) == 1
        assert runs[0].started <= runs[1].started <= runs[2].started
        assert jm.store.points([ids[2]], ("train_loss",))
    finally:
        jm.shutdown()


def test_cancel_queued_run_never_starts(tiny_model, tiny_data):
    jm = JobManager(RunStore())
    try:
        cfg = make_config("full_ft", model=tiny_model, data=tiny_data, epochs=3, batch_size=8, max_length=32)
        first, second = jm.submit([cfg, cfg])
        jm.cancel(second)
        assert jm.wait_idle(timeout=300)
        assert jm.store.get(second).status == CANCELLED
        assert jm.store.get(second).started is None
        assert jm.store.get(first).status == SUCCEEDED
    finally:
        jm.shutdown()


def test_cli_run_json_runs_and_predict(tiny_model, tiny_csv, capsys):
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "--model", tiny_model,
                 "--max-length", "32", "--json"])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert code == 0
    # the columns it read, as the Data page shows them, before anything trains
    assert f"data: {tiny_csv.name}: text column 'text', label column 'label' (--text-column" in captured.err
    assert [r["strategy"] for r in out] == ["zero_shot", "head_only"]
    # the seeds that tell two runs of one strategy apart (zero_shot: none changes what it does)
    assert [(r["seed"], r["split_seed"]) for r in out] == [(None, 0), (0, 0)]
    for r in out:
        assert r["status"] == "succeeded"
        for k in ("run_id", "test_accuracy", "test_macro_f1", "majority_accuracy", "train_seconds",
                  "train_examples_per_s", "trainable_params", "total_params"):
            assert k in r
        assert 0 <= r["test_accuracy"] <= 1
        lo, hi = r["test_accuracy_ci95"]
        assert lo <= r["test_accuracy"] <= hi
        # per class, what serving needs on disk, and which run the answer starts with
        assert set(r["per_class"]) == set(r["label_names"]) and r["model_bytes"] > 0
    from bertlab import answer

    a = answer.answer([RunStore().get(r["run_id"]) for r in out])
    # the answer's pick, where it recommends one (none where no run beats always answering the majority class)
    assert [r["recommended"] for r in out] == [a.recommends and r["run_id"] == a.pick.id for r in out] and sum(
        r["recommended"] for r in out) == int(a.recommends)
    # named as the table names them, with the settings two runs of one strategy differ by
    assert [r["name"] for r in out] == ["zero_shot", "head_only"] and out[1]["learning_rate"] > 0
    assert out[0]["learning_rate"] is None and out[1]["options"] == {} and out[0]["model"] == tiny_model
    assert f"Which one to use? {a.headline}" in captured.err  # in words, beside the JSON (stdout stays JSON)
    assert main(["runs"]) == 0
    table = capsys.readouterr().out
    assert "zero_shot" in table and "head_only" in table and "test acc" in table and "95% interval" in table
    batch = RunStore().get(out[0]["run_id"]).batch_id
    assert f"  {batch}  zero_shot, head_only" in table  # the id `report --batch` takes
    assert main(["report", "--batch", "latest", "-o", str(tiny_csv.parent / "r.html")]) == 0
    assert "(2 runs," in capsys.readouterr().err
    assert main(["predict", out[1]["run_id"], "a wonderful film", "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert lines[0]["label"] in ("neg", "pos") and abs(sum(lines[0]["probabilities"].values()) - 1) < 1e-4
    # the id's end, as the app shows a run ("head_only · 1a2b"), names it too
    assert main(["predict", out[1]["run_id"][-4:], "a wonderful film", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["run_id"] == out[1]["run_id"]
    # --text gives a text, as after the id (it was taken as an abbreviation of --text-column, the text as a name)
    assert main(["predict", out[1]["run_id"], "--text", "a wonderful film", "--text", "a dull one", "--json"]) == 0
    assert [json.loads(x)["text"] for x in capsys.readouterr().out.strip().splitlines()] == ["a wonderful film",
                                                                                          "a dull one"]
    # texts after an option are texts too (`predict RUN --json "text"` was "unrecognized arguments")
    assert main(["predict", out[1]["run_id"], "a wonderful film", "--json", "a dull one"]) == 0
    assert [json.loads(x)["text"] for x in capsys.readouterr().out.strip().splitlines()] == ["a wonderful film",
                                                                                          "a dull one"]
    # `predict all` with one run's saved model gone: the others answer, the broken one is named (a review: nothing
    # answered); named by its id, it is still an error
    import shutil

    shutil.rmtree(RunStore().artifact_path(out[0]["run_id"]))
    assert main(["predict", "all", "a wonderful film", "--json"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(x)["run_id"] for x in captured.out.splitlines()] == [out[1]["run_id"]]
    assert f"note: left out: run {out[0]['run_id']} has no saved model" in captured.err
    assert main(["predict", out[0]["run_id"], "a wonderful film"]) == 2
    assert "has no saved model" in capsys.readouterr().err
    # a text mostly [UNK] to the model is said, as the app's boxes say it (a review: no word on the CLI)
    assert main(["predict", out[1]["run_id"], "a wonderful film", "😀 🎉 🙈", "good", "🚀"]) == 0
    err = capsys.readouterr().err
    assert (f"note: run {out[1]['run_id']} (head_only): 100% of the tokens of 2 text(s) (text 2, text 4) are unknown "
            "to its vocabulary ([UNK]: emoji, a script it was not trained on, or a word too long to split): its "
            "answer there says next to nothing") in err
    # from a share of 30% (UNKNOWN_SHARE) itself: 3 [UNK] of 10 tokens is said, 2 of 10 is not
    assert main(["predict", out[1]["run_id"], "🚀 🚀 good good good good good good good good",
                 "🚀 🚀 🚀 good good good good good good good"]) == 0
    assert (f"note: run {out[1]['run_id']} (head_only): 30% of the tokens of 1 text(s) (text 2) are unknown"
            in capsys.readouterr().err)
    assert main(["predict", out[1]["run_id"], "a wonderful film"]) == 0
    assert "unknown to its vocabulary" not in capsys.readouterr().err


def test_predict_reads_a_text_that_starts_with_a_dash_after_the_separator(monkeypatch, capsys):
    """A review: `predict RUN --json -- "-5 stars, awful"` was "unrecognized arguments: -- -5 stars, awful", and
    without the -- nothing said how to give such a text. After --, every word is a text, as argparse has it."""
    import bertlab.cli as cli

    seen = []
    monkeypatch.setattr(cli, "cmd_predict", lambda args: seen.append(args.text) or 0)
    assert main(["predict", "RUN", "a film", "--json", "--", "-5 stars, awful", "--json", "-1"]) == 0
    assert seen == [["a film", "-5 stars, awful", "--json", "-1"]]
    assert main(["predict", "RUN", "--", "-5 stars, awful"]) == 0  # before any option, as before
    assert seen[-1] == ["-5 stars, awful"]
    with pytest.raises(SystemExit) as e:
        main(["predict", "RUN", "--json", "-5 stars, awful"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "unrecognized arguments: -5 stars, awful (a text that starts with '-' goes after --: "\
        "predict RUN_ID -- '-5 stars, awful')" in err
    with pytest.raises(SystemExit):  # a misspelt option is said as before, with no word of texts
        main(["predict", "RUN", "--jsn", "a film"])
    assert "unrecognized arguments: --jsn\n" in capsys.readouterr().err


def test_cli_errors_are_messages_not_tracebacks(capsys):
    assert main(["run", "--dataset", "no_such_thing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: dataset 'no_such_thing' is not a built-in")
    assert main(["predict", "20200101-000000-abcdef", "hi"]) == 2
    assert "no run with id" in capsys.readouterr().err
    assert main(["run", "--strategies", "full_ft", "--epochs", "0"]) == 2
    assert "epochs must be a whole number from 1 to 100, got 0." in capsys.readouterr().err
    # a built-in's columns are its own: the options were ignored without a word
    assert main(["run", "--dataset", "bbc_news", "--strategies", "zero_shot", "--label-column", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: --text-column / --text-pair-column / --label-column choose a "
                                              "file's or a hub dataset's columns; the built-in 'bbc_news' has its own")
    # no option is taken from its first letters: --strat is not --strategies
    with pytest.raises(SystemExit) as e:
        main(["run", "--dataset", "bbc_news", "--strat", "zero_shot"])
    assert e.value.code == 2 and "unrecognized arguments: --strat zero_shot" in capsys.readouterr().err
    # said with the command's usage (a review's `sweep --quick` got the top-level one's "python -m bertlab: error")
    with pytest.raises(SystemExit) as e:
        main(["sweep", "--quick"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "python -m bertlab sweep: error: unrecognized arguments: --quick" in err
    assert err.startswith("usage: python -m bertlab sweep ")
    with pytest.raises(SystemExit):  # before the command: the top level's
        main(["--bogus", "runs"])
    assert "python -m bertlab: error: unrecognized arguments: --bogus" in capsys.readouterr().err


def test_cli_lists(capsys):
    assert main(["datasets"]) == 0
    assert "rotten_tomatoes" in capsys.readouterr().out
    assert main(["strategies"]) == 0
    out = capsys.readouterr().out
    assert "head_only" in out
    # each trainable strategy's defaults, the ones `run` uses unless told otherwise
    assert "defaults: epochs 5, lr 0.0002, batch 32" in out.split("scratch", 1)[1].split("dapt", 1)[0]
    assert "options (--option lora.KEY=VALUE): r 8, alpha, dropout 0.1, layer_decay" in out  # what --option takes


def test_cli_run_quick_takes_the_apps_quick_demo_sizes_where_not_given(tiny_csv, monkeypatch, capsys):
    from bertlab import cli

    seen = []
    monkeypatch.setattr(cli, "_run_all", lambda store, ids, configs, *a: seen.extend(configs))
    monkeypatch.setattr("bertlab.data.shared.shared_splits", lambda data: UNREAD)
    main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--quick",
          "--test-size", "300", "--json"])  # trains nothing here (its exit status says the run did not finish)
    d = seen[0].data
    assert (d.train_size, d.val_size, d.test_size) == (500, 200, 300)
    seen.clear()
    main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--json"])
    d = seen[0].data
    assert (d.train_size, d.val_size, d.test_size) == (2000, 500, 1000)  # the app's Standard
    seen.clear()
    main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--classroom", "--json"])
    d = seen[0].data
    assert (d.train_size, d.val_size, d.test_size) == (1000, 300, 1000)  # the app's Classroom
    with pytest.raises(SystemExit):  # one size at a time
        main(["run", "--dataset", str(tiny_csv), "--quick", "--classroom"])


def test_job_manager_resumes_every_queued_run_not_only_the_newest_500(tiny_model, tiny_data, monkeypatch):
    store = RunStore()
    cfg = make_config("tfidf_logreg", model=tiny_model, data=tiny_data)
    ids = [store.create_run(cfg, "big-batch") for _ in range(520)]
    monkeypatch.setattr(JobManager, "_loop", lambda self: None)  # look at the queue, train nothing
    jm = JobManager(store)
    assert jm._queued == ids  # all of them, oldest first


def test_cli_model_directory_is_stored_absolute(tiny_model, tiny_csv, tmp_path, monkeypatch, capsys):
    from pathlib import Path

    monkeypatch.chdir(Path(tiny_model).parent)
    rel = "./" + Path(tiny_model).name
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "--model", rel,
                 "--max-length", "32", "--json"]) == 0
    rid = json.loads(capsys.readouterr().out)[0]["run_id"]
    assert RunStore().get(rid).config["model"] == str(Path(tiny_model).resolve())
    monkeypatch.chdir(tmp_path)  # predicting from another folder still finds the model
    assert main(["predict", rid, "a wonderful film", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["label"] in ("neg", "pos")


def test_cli_run_json_of_one_run_says_there_is_no_recommendation_rather_than_false(tiny_model, tiny_csv, capsys):
    """`run --json` of one run marked it "recommended": false, as a run the answer found not worth using, where
    there was no answer at all (nothing to compare it with): it is null now, as the README's JSON keys say."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "--model", tiny_model,
                 "--max-length", "32", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["status"] == "succeeded" and "recommended" in row and row["recommended"] is None


def test_cli_run_json_recommends_no_run_where_the_answer_finds_none_worth_using(tiny_model, tiny_csv, monkeypatch,
                                                                                 capsys):
    """A review: `recommended: true` on head_only beside "None of these runs is clearly better than always answering
    the majority class" on stderr."""
    from bertlab import answer

    real = answer.answer

    def none_worth_it(runs, **kw):
        a = real(runs, **kw)
        return answer.Answer(best=a.best, pick=a.pick, headline="None of these runs is clearly better than always "
                             "answering the majority class.", recommends=False)

    monkeypatch.setattr(answer, "answer", none_worth_it)
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "tfidf_logreg", "--model", tiny_model,
                 "--max-length", "32", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and not any(r["recommended"] for r in rows)
    monkeypatch.setattr(answer, "answer", real)  # and where it recommends one, that one
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "tfidf_logreg", "--model", tiny_model,
                 "--max-length", "32", "--json"]) == 0
    assert sum(r["recommended"] for r in json.loads(capsys.readouterr().out)) == 1


def _stopped_run(stop, tiny_model, tiny_csv, monkeypatch, capsys) -> tuple[int, str, list]:
    """A two-run `run` whose first run calls ``stop()`` once claimed: (exit status, stderr, the runs in order)."""
    import bertlab.runner

    def stopped(store, run_id, on_progress=None):
        store.claim(run_id, "cpu")
        stop()

    monkeypatch.setattr(bertlab.runner, "execute_run", stopped)
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "zero_shot",
                 "--model", tiny_model])
    return code, capsys.readouterr().err, sorted(RunStore().list_runs(), key=lambda r: r.created)


def test_ctrl_c_in_cli_run_leaves_no_run_running(tiny_model, tiny_csv, monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    code, err, (first, second) = _stopped_run(interrupted, tiny_model, tiny_csv, monkeypatch, capsys)
    assert code == 130
    assert "interrupted" in err
    assert (first.status, second.status) == ("interrupted", CANCELLED)
    assert first.error == "stopped with Ctrl-C while this run was training"


def test_ctrl_c_in_cli_run_json_prints_the_runs_as_far_as_they_went(tiny_model, tiny_csv, monkeypatch, capsys):
    """A review: an interrupted `run --json > out.json` (exit 130) left out.json empty, not JSON a script can read;
    it holds the runs now, the one in progress interrupted, the rest cancelled, "recommended" null (no comparison
    was made: false would say the answer found none worth using)."""
    import bertlab.runner

    def stopped(store, run_id, on_progress=None):
        store.claim(run_id, "cpu")
        raise KeyboardInterrupt

    monkeypatch.setattr(bertlab.runner, "execute_run", stopped)
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "zero_shot",
                 "--model", tiny_model, "--json"])
    out, err = capsys.readouterr()
    assert code == 130 and "interrupted" in err
    rows = json.loads(out)
    assert [(r["strategy"], r["status"], r["recommended"]) for r in rows] == [
        ("tfidf_logreg", "interrupted", None), ("zero_shot", CANCELLED, None)]
    assert rows[0]["run_id"] != rows[1]["run_id"] and rows[0]["test_accuracy"] is None


def _with_fn(parser, command: str, fn):
    """``parser`` with ``command``'s function replaced by ``fn``."""
    parser._subparsers._group_actions[0].choices[command].set_defaults(fn=fn)
    return parser


def test_sigterm_in_cli_run_leaves_no_run_queued(tiny_model, tiny_csv, monkeypatch, capsys):
    """A review: `timeout 12 python -m bertlab run ...` (SIGTERM) left the rest of the batch 'queued' for ever,
    without a word; it is handled as Ctrl-C is, with the shell's 143."""
    import os
    import signal
    import time

    def killed():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises here
        raise AssertionError("SIGTERM was not handled")

    before = signal.getsignal(signal.SIGTERM)
    code, err, (first, second) = _stopped_run(killed, tiny_model, tiny_csv, monkeypatch, capsys)
    assert code == 143
    assert "interrupted (stopped by SIGTERM)" in err
    assert (first.status, second.status) == ("interrupted", CANCELLED)
    assert first.error == "stopped by SIGTERM while this run was training"
    assert signal.getsignal(signal.SIGTERM) is before  # put back: main() is called from other programs too
    # outside a training loop (a diff review: a traceback and exit 1 from `predict` or `report`): quiet, 143
    import bertlab.cli as cli

    def listing_killed(args) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises here
        return 0

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_fn(parser(), "runs", listing_killed))
    capsys.readouterr()
    assert main(["runs"]) == 143
    assert "Traceback" not in capsys.readouterr().err


def test_ctrl_c_outside_a_training_loop_exits_130_without_a_traceback(monkeypatch, capsys):
    """Ctrl-C in the first seconds of `run --quick --strategies full_ft` (importing transformers, reading the data:
    no run stored yet) printed a 60-line KeyboardInterrupt traceback; it exits 130, quietly, as SIGTERM there
    exits 143."""
    import bertlab.cli as cli

    def loading(args) -> int:
        raise KeyboardInterrupt

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_fn(parser(), "runs", loading))
    try:
        code = main(["runs"])
    except KeyboardInterrupt:  # caught here: it would stop pytest's whole session
        pytest.fail("Ctrl-C left main() as a KeyboardInterrupt: Python prints its traceback")
    assert code == 130
    assert "Traceback" not in capsys.readouterr().err


def test_cli_runs_limit_takes_all_written_in_any_case(capsys):
    """--limit takes 'all' as the split caps take it, 'ALL' or ' All ' too (the caps' _cap_arg ignores case)."""
    from bertlab.cli import _positive_int

    assert _positive_int("ALL") is None and _positive_int(" All ") is None and _positive_int("all") is None
    assert _positive_int("7") == 7
    assert main(["runs", "--limit", "ALL"]) == 0


def test_cached_share_names_a_part_only_where_some_embeddings_were_computed():
    """'the embeddings' where all came from the cache (680 of 680 is all of them) or a run kept no count (stored
    before bertlab counted them: no hits, or no texts); '258 of 680 embeddings' only for a part."""
    from bertlab.estimate import cached_share

    assert cached_share({"embedded_texts": 680, "embedding_cache_hits": 680}) == "the embeddings"
    assert cached_share({"embedded_texts": 680}) == "the embeddings"
    assert cached_share({}) == "the embeddings"
    assert cached_share({"embedded_texts": 0, "embedding_cache_hits": 0}) == "the embeddings"
    assert cached_share({"embedded_texts": 680, "embedding_cache_hits": 679}) == "679 of 680 embeddings"


def test_cli_runs_limit_is_a_whole_number_from_one(capsys):
    """A review: `runs --limit 0` said "no runs yet" beside a store of runs; -1 was taken."""
    for bad in ("0", "-1", "x"):
        with pytest.raises(SystemExit):
            main(["runs", "--limit", bad])
    assert "give a whole number from 1" in capsys.readouterr().err


def test_cli_runs_of_an_empty_store_says_so_on_stderr(capsys):
    """`runs > runs.txt` on an empty data directory wrote "no runs yet: try ..." into the file, as if it were the
    table; the sentence is on stderr, stdout empty (and `--json` prints [])."""
    assert main(["runs"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "no runs yet" in err
    assert main(["runs", "--json"]) == 0 and json.loads(capsys.readouterr().out) == []


def test_cli_runs_says_on_stderr_that_its_limit_left_runs_out_and_all_lists_them(tiny_data, capsys):
    """A store of 55 runs: `runs --json` printed the newest 50 without a word (a script counting or reading them
    all took 50 for all); stderr now says how many are stored, and `--limit all` lists them all."""
    store = RunStore()
    for _ in range(55):
        store.request_cancel(store.create_run(make_config("tfidf_logreg", data=tiny_data), "b"))
    capsys.readouterr()
    assert main(["runs", "--json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 50
    assert "the newest 50 of 55 stored runs; --limit all lists them all" in err
    assert main(["runs", "--json", "--limit", "all"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 55 and "newest" not in err
    assert main(["runs", "--limit", "55"]) == 0 and "newest" not in capsys.readouterr().err


def test_cli_runs_shows_a_run_whose_process_died_as_interrupted(tiny_model, tiny_data, capsys):
    import socket

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    store.claim(rid, "cpu")
    store.update(rid, owner=f"{socket.gethostname()}:999999999:1")  # a process that no longer exists
    assert main(["runs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "interrupted"


def test_cli_output_paths_are_checked_before_any_work(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "missing" / "r.html")]) == 2
    assert f"the folder {str(tmp_path / 'missing')!r} does not exist" in capsys.readouterr().err
    assert main(["report", "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["sweep", "--html", str(tmp_path / "missing" / "c.html"), "--dry-run"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_keep_best_reaches_the_run_and_the_sweep(tiny_model, tiny_csv, capsys):
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "--model", tiny_model,
                 "--max-length", "24", "--epochs", "3", "--keep-best", "--patience", "2", "--json"]) == 0
    rid = json.loads(capsys.readouterr().out)[0]["run_id"]
    assert RunStore().get(rid).config["keep_best"] is True and RunStore().get(rid).config["patience"] == 2
    assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "head_only", "--sizes", "16", "--seeds", "0",
                 "--model", tiny_model, "--keep-best", "--patience", "2", "--dry-run"]) == 0
    from bertlab import sweep

    assert sweep.list_sweeps(RunStore()) == []  # a dry run stores nothing (it left a sweep to --list and resume)
    assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "head_only", "--sizes", "16", "--seeds", "0",
                 "--model", tiny_model, "--keep-best", "--patience", "2", "--no-run"]) == 1  # stored, none run
    spec = sweep.load_sweep(RunStore(), sweep.list_sweeps(RunStore())[0]["id"])
    assert all(pt.config.keep_best and pt.config.patience == 2 for pt in sweep.plan(spec))


def test_cli_sweep_refuses_a_strategy_named_twice_as_run_does(tiny_csv, capsys):
    """A review: `sweep --strategies head_only head_only` stored a sweep of "head_only, head_only", one run on two
    rows of its points, where `run` refuses the same."""
    from bertlab import sweep

    assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "head_only", "tfidf_logreg", "head_only",
                 "--sizes", "16", "--seeds", "0", "--no-run"]) == 2
    err = capsys.readouterr().err
    assert "--strategies names head_only more than once" in err and "--strategies head_only tfidf_logreg)" in err
    assert sweep.list_sweeps(RunStore()) == []  # nothing stored


def test_cli_run_twice_named_suggests_repeats_only_for_a_strategy_a_seed_changes(tiny_csv, capsys):
    """`run --strategies zero_shot zero_shot` was told "For several seeds of each strategy, use --repeats N
    (--strategies zero_shot --repeats 3)" and to vary --epochs, though zero_shot runs once whatever --repeats says
    (no seed changes it) and has no epochs; tfidf_logreg alike."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "zero_shot"]) == 2
    err = capsys.readouterr().err
    assert "--repeats" not in err and "--epochs" not in err
    assert ("(the same settings and seed). No seed changes what zero_shot does, so one run of it is all there is; for "
            "other settings, run it once per setting (--label-descriptions, --max-length ...)") in err
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "tfidf_logreg"]) == 2
    err = capsys.readouterr().err
    assert "--repeats" not in err and "run it once per setting (--option ...)" in err
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "zero_shot",
                 "head_only"]) == 2
    assert ("use --repeats N (--strategies zero_shot head_only --repeats 3); no seed changes what zero_shot does, so "
            "one run of it is all there is; for two learning rates of one") in capsys.readouterr().err


def test_cli_run_twice_named_suggests_lr_only_for_a_strategy_that_reads_one(tiny_csv, capsys):
    """The README audit: `run --strategies zero_shot zero_shot` was told to join two learning rates with a comma
    (--lr zero_shot=1e-3,3e-2), though zero_shot trains nothing and --lr is refused for it."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "zero_shot"]) == 2
    err = capsys.readouterr().err
    assert "--strategies names zero_shot more than once" in err and "--lr" not in err
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "head_only"]) == 2
    assert "--lr head_only=1e-3,3e-2" in capsys.readouterr().err


def test_cli_run_repeats_each_seeded_strategy_and_answers_over_the_seeds(tiny_model, tiny_csv, capsys, monkeypatch):
    from bertlab import answer

    # the tiny model and data train in a few MFLOP, which the answer counts as nothing (NEGLIGIBLE_FLOPS): weighed
    # here, so that the strategies are compared as this test means them to be
    monkeypatch.setattr(answer, "NEGLIGIBLE_FLOPS", 0.0)
    # and the tiny test set tells no run from always answering the majority class beyond chance: every run scoring
    # above it counts as better here, for the same reason
    monkeypatch.setattr(answer, "_majority_p", lambda *a, **k: 0.0)
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "tfidf_logreg", "head_only",
                 "--model", tiny_model, "--max-length", "32", "--seed", "3", "--repeats", "2"])
    out, err = capsys.readouterr()
    assert code == 0
    runs = RunStore().list_runs()
    # standard error is no terminal here (no progress bars): a line as each run starts and ends, for a log (a
    # review's run under nohup left an empty one)
    ended = [line for line in err.splitlines() if ": succeeded after " in line]
    assert len(ended) == 4 and ended[0].startswith("[1/4] zero_shot · ") and ended[-1].startswith("[4/4] head_only")
    assert sum(line.endswith(": started") for line in err.splitlines()) == 4
    # training seeds vary, the split not; zero_shot and tfidf_logreg once: no seed changes what they do
    assert sorted((r.strategy, r.config["seed"], r.config["data"]["seed"]) for r in runs) == [
        ("head_only", 3, 0), ("head_only", 4, 0), ("tfidf_logreg", 3, 0), ("zero_shot", 3, 0)]
    flat = " ".join(out.split())
    assert "Which one to use?" in out and "head_only (seed 4)" in out
    # the answer's verdict came from one run of each: its caveat speaks of that, not of the t-test over seeds
    assert "(McNemar on one run of each" in flat
    assert "No seed changes what tfidf_logreg and zero_shot do, so each ran once" in flat


def test_an_app_starting_leaves_a_live_clis_queued_runs_to_it(tiny_model, tiny_data, monkeypatch):
    """Runs a CLI queued in the same data directory are its to train; the app takes only abandoned ones."""
    import socket
    import subprocess
    import sys

    import psutil

    store = RunStore()
    cfg = make_config("tfidf_logreg", model=tiny_model, data=tiny_data)
    cli_run, abandoned, mine = (store.create_run(cfg, "b") for _ in range(3))
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()
        store.update(cli_run, owner=f"{host}:{child.pid}:{psutil.Process(child.pid).create_time():.0f}")
        store.update(abandoned, owner=f"{host}:999999:1")
        monkeypatch.setattr(JobManager, "_loop", lambda self: None)  # look at the queue, train nothing
        jm = JobManager(store)
        assert jm._queued == [abandoned, mine]
    finally:
        child.kill()
        child.wait()


def _planned_configs(monkeypatch) -> list:
    """What `run` would train (nothing is trained, the data is not read): the configs it stores, in order."""
    from bertlab import cli

    seen: list = []
    monkeypatch.setattr(cli, "_run_all", lambda store, ids, configs, *a: seen.extend(configs))
    monkeypatch.setattr("bertlab.data.shared.shared_splits", lambda data: UNREAD)
    return seen


def test_cli_run_per_strategy_hyperparameters_and_options(tiny_csv, monkeypatch, capsys):
    seen = _planned_configs(monkeypatch)
    main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "full_ft", "lora", "--json",
          "--epochs", "2", "full_ft=1", "--lr", "3e-5", "head_only=1e-2", "--batch-size", "lora=8",
          "--max-length", "full_ft=64", "--option", "lora.r=4", "lora.alpha=8", "--option", "lora.dropout=0.2"])
    by = {c.strategy: c for c in seen}
    assert [(c.epochs, c.learning_rate, c.batch_size, c.max_length) for c in seen] == [
        (2, 1e-2, 64, 128), (1, 3e-5, 16, 64), (2, 3e-5, 8, 128)]  # a bare value for the rest, defaults elsewhere
    assert by["lora"].options == {"r": 4, "alpha": 8.0, "dropout": 0.2}
    assert by["full_ft"].options == {} and by["head_only"].options == {}
    err = capsys.readouterr().err
    # the bare values overrode defaults that differ between the strategies they reached: said once per flag
    assert ("note: --lr 3e-05 applies to every strategy not named: full_ft (its default 0.0001), lora (0.001); "
            "--lr NAME=VALUE sets one") in err
    assert "note: --epochs 2 applies to every strategy not named: head_only (its default 30), lora (3)" in err
    assert "--batch-size" not in err and "--max-length" not in err  # per-strategy values only: nothing to say


def test_cli_run_one_value_for_strategies_with_different_defaults_says_what_it_changed(tiny_csv, monkeypatch, capsys):
    seen = _planned_configs(monkeypatch)
    main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "full_ft", "--json",
          "--epochs", "1", "--lr", "2e-5", "--max-length", "64"])
    assert [(c.epochs, c.learning_rate, c.max_length) for c in seen[1:]] == [(1, 2e-5, 64), (1, 2e-5, 64)]
    err = capsys.readouterr().err.splitlines()
    assert ("note: --lr 2e-05 applies to every strategy: head_only (its default 0.01), full_ft (0.0001); "
            "--lr NAME=VALUE sets one") in err
    assert ("note: --epochs 1 applies to every strategy: head_only (its default 30), full_ft (3); "
            "--epochs NAME=VALUE sets one") in err
    assert not any("--max-length" in x for x in err)  # 128 for all three: nothing it changed differs


def test_cli_run_compares_a_strategy_at_several_learning_rates_in_one_launch(tiny_csv, monkeypatch, capsys):
    """An engineer asking "does tuning matter on my data?": --lr head_only=1e-3,3e-2 was refused ("names head_only
    twice" for the repeated form), so two learning rates took two launches and the answer saw one at a time."""
    seen = _planned_configs(monkeypatch)
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "full_ft", "--json",
                 "--lr", "head_only=1e-3,3e-2", "--repeats", "2"]) in (0, 1)
    # strategies x learning rates x seeds, each rate's seeds together; zero_shot (no rate, no seed) once
    assert [(c.strategy, c.learning_rate, c.seed) for c in seen] == [
        ("zero_shot", seen[0].learning_rate, 0),
        ("head_only", 1e-3, 0), ("head_only", 1e-3, 1), ("head_only", 3e-2, 0), ("head_only", 3e-2, 1),
        ("full_ft", 1e-4, 0), ("full_ft", 1e-4, 1)]
    assert len({c.data.seed for c in seen}) == 1  # one split: the rates are compared on the same texts
    # one batch: Compare (which opens on the latest batch) and the answer weigh both rates at once
    stored = RunStore().list_runs()
    assert len(stored) == 7 and len({r.batch_id for r in stored}) == 1
    from bertlab import variants

    assert sorted(set(variants.labels(stored).values())) == [
        "full_ft", "head_only (lr 0.001)", "head_only (lr 0.03)", "zero_shot"]
    capsys.readouterr()
    # a list for every strategy that trains; the ones no learning rate changes run once, at their own settings
    seen.clear()
    main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "full_ft", "--json",
          "--lr", "2e-5,5e-5"])
    assert [(c.strategy, c.learning_rate) for c in seen if c.strategy == "full_ft"] == [("full_ft", 2e-5),
                                                                                       ("full_ft", 5e-5)]
    assert [c.strategy for c in seen].count("tfidf_logreg") == 1


@pytest.mark.parametrize("args, message", [
    # the repeated form is still one too many, and the message says how to compare them
    (["--lr", "head_only=1e-3", "head_only=3e-2"],
     "--lr names head_only twice; give it one value. To compare them in one launch, join them with a comma: "
     "--lr head_only=1e-3,3e-2."),
    (["--lr", "1e-4", "2e-4"], "To compare them in one launch, join them with a comma: --lr 1e-4,2e-4."),
    # a space after the comma: the user's own list, joined (it suggested head_only=1e-3,3e-2 whatever was given)
    (["--lr", "head_only=1e-4,", "5e-2"], "--lr head_only=1e-4, 5e-2: a space beside a comma cut the list in two; "
                                          "write it without spaces: --lr head_only=1e-4,5e-2."),
    (["--lr", "2e-5,", "5e-5"], "write it without spaces: --lr 2e-5,5e-5."),
    (["--lr", "head_only=1e-3", ",3e-2"], "write it without spaces: --lr head_only=1e-3,3e-2."),
    # two strategies' values: not joined by a comma (that suggestion was itself refused)
    (["--lr", "head_only=1e-4,", "full_ft=2e-5"], "a comma joins values of one strategy; between strategies only a "
                                                  "space: --lr head_only=1e-4 full_ft=2e-5."),
    (["--lr", "head_only=1e-3,,3e-2"], "--lr head_only=1e-3,,3e-2: a value is missing beside a comma; list the "
                                       "values with commas and no spaces, e.g. --lr head_only=1e-3,3e-2."),
    (["--lr", "head_only=1e-3,abc"], "--lr head_only=1e-3,abc: 'abc' is not a number"),
    (["--lr", "head_only=1e-3,2"], "--lr head_only=1e-3,2: learning_rate must be above 0 and at most 1"),
    (["--lr", "head_only=1e-3,0.001"], "--lr head_only=1e-3,0.001: 0.001 is given twice"),
    (["--lr", "zero_shot=1e-3,3e-2"], "zero_shot does not use --lr"),
    (["--epochs", "head_only=2,3"], "--epochs head_only=2,3: --epochs takes one value per strategy; only --lr takes "
                                    "several to compare"),
])
def test_cli_run_several_learning_rates_refused_where_they_are_a_mistake(tiny_csv, args, message, capsys):
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "full_ft", *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert RunStore().list_runs() == []


@pytest.mark.parametrize("args, message", [
    (["--lr", "full_ft=abc"], "--lr full_ft=abc: 'abc' is not a number"),
    (["--epochs", "head_only=1.5"], "--epochs head_only=1.5: '1.5' is not a whole number."),
    (["--lr", "scratch=2e-4"], "--lr scratch=2e-4: 'scratch' is not among this run's --strategies "
                               "(zero_shot, head_only, full_ft)."),
    (["--lr", "1e-4", "2e-4"], "--lr has two values for every strategy"),
    (["--lr", "full_ft=1e-4", "full_ft=2e-4"], "--lr names full_ft twice"),
    (["--epochs", "zero_shot=3"], "zero_shot does not use --epochs"),
    (["--lr", "full_ft=0"], "learning_rate must be above 0"),
    (["--option", "lora"], "--option 'lora' is not NAME.KEY=VALUE"),
    (["--option", "nope.r=2"], "strategy 'nope' is unknown; the strategies with options are full_ft (layer_decay, head_lr); dapt (mlm_epochs, "),
    # the option refusals say what bertlab.compare says (strategies.base.option_refusal), the range with them; they
    # said "layer_decay must be from 0.5 to 1, got 1.5" and "'two' is not a whole number" (no range) before
    (["--option", "full_ft.layer_decay=1.5"], "--option full_ft.layer_decay=1.5: layer_decay is 1.5; it takes a number "
                                              "from 0.5 to 1, or None for off."),
    (["--option", "lora.r=2"], "lora is not among this run's --strategies"),
    (["--option", "full_ft.r=2"], "full_ft has no option 'r'; its options are layer_decay, head_lr."),
    (["--option", "zero_shot.r=2"], "zero_shot has no options (the strategies with options are full_ft (layer_decay, head_lr); dapt ("),
    (["--strategies", "lora", "--option", "lora.rank=2"],
     "lora has no option 'rank'; its options are r, alpha, dropout, layer_decay, head_lr."),
    (["--strategies", "lora", "--option", "lora.r=two"],
     "--option lora.r=two: r is 'two'; it takes a whole number from 1 to 256 (default 8)."),
    (["--strategies", "lora", "--option", "lora.r=0"], "--option lora.r=0: r is 0; it takes a whole number from 1 to 256 "
                                                       "(default 8)."),
    (["--strategies", "lora", "--option", "lora.r=1.5"], "--option lora.r=1.5: r is '1.5'; it takes a whole number"),
    (["--strategies", "dapt", "--option", "dapt.domain_file=/no/such.txt"], "'/no/such.txt' is not a file."),
])
def test_cli_run_bad_per_strategy_values_exit_2_before_any_run_is_stored(tiny_csv, args, message, capsys):
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "full_ft", *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert RunStore().list_runs() == []


def test_cli_run_refuses_a_domain_file_its_runs_would_fail_on_before_any_run_is_stored(tiny_csv, tmp_path, capsys):
    """A binary (or empty) --option dapt.domain_file was printed as a note, then the dapt run was stored and failed
    after loading its model (15.8 s at --quick), the others beside it trained: the Train page's Launch now waits on
    it, and `run` exits 2 before storing anything, in the run's own words."""
    scan = tmp_path / "scan.txt"
    scan.write_bytes(b"\x00\x01 binary")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    for f, why in ((scan, "is not UTF-8 text (it holds NUL bytes: a binary file, or UTF-16); save it as UTF-8."),
                   (empty, "has no text; put one text per line.")):
        code = main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "dapt", "--option",
                     f"dapt.domain_file={f}"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"error: dapt option 'domain_file' {str(f)!r} {why}" in err
        assert "note: dapt option" not in err  # said once, as the error
    assert RunStore().list_runs() == []


def test_cli_run_caps_the_runs_of_one_launch_and_the_rates_of_one_list(tiny_csv, capsys, monkeypatch):
    """A security review: one launch could queue 20,031 runs (2,000 rates x 10 seeds). `run` takes at most 10 rates
    in one --lr list and 100 runs (BERTLAB_MAX_RUNS_PER_LAUNCH) in one launch, refused before any run is stored."""
    monkeypatch.delenv("BERTLAB_MAX_RUNS_PER_LAUNCH", raising=False)
    run = ["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only"]
    assert main([*run, "--lr", "head_only=" + ",".join(f"{k}e-3" for k in range(1, 12))]) == 2
    assert "--lr head_only=1e-3,2e-3,3e-3,4e-3,5e-3,6e-3,7e-3,8e-3,9e-3,10e-3,11e-3: 11 learning rates given; at " \
           "most 10 per strategy in one launch" in capsys.readouterr().err
    assert main([*run, "--lr", "head_only=" + ",".join(f"{k}e-3" for k in range(1, 11)), "--repeats", "10"]) == 2
    assert ("error: this launch has 101 runs (strategies x --lr rates x --repeats); the limit is 100 per launch on "
            "this server.") in capsys.readouterr().err
    monkeypatch.setenv("BERTLAB_MAX_RUNS_PER_LAUNCH", "2")
    assert main([*run, "--repeats", "2"]) == 2
    assert "this launch has 3 runs (strategies x --lr rates x --repeats); the limit is 2" in capsys.readouterr().err
    monkeypatch.setenv("BERTLAB_MAX_RUNS_PER_LAUNCH", "lots")
    assert main(run) == 2
    assert "BERTLAB_MAX_RUNS_PER_LAUNCH must be a whole number of at least 1" in capsys.readouterr().err
    assert RunStore().list_runs() == []


def test_cli_run_refuses_a_strategy_named_twice_and_points_to_repeats(tiny_csv, capsys):
    """`run --strategies head_only head_only` trained two identical runs at one seed without a word (a persona
    meant two seeds, or two learning rates)."""
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "zero_shot", "head_only"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--strategies names head_only more than once" in err
    assert "--repeats N (--strategies head_only zero_shot --repeats 3)" in err
    assert "(--lr head_only=1e-3,3e-2)" in err  # one launch compares learning rates
    assert RunStore().list_runs() == []


def test_cli_run_says_how_to_get_the_pairs_of_more_runs_than_it_lists(tiny_model, tiny_csv, monkeypatch, capsys):
    """`run` printed the pairs of up to 8 runs on one test set and nothing beyond, without a word (a persona's 9-run
    plan: 2 learning rates x 2 strategies x 2 seeds, and zero_shot). Over its limit it says how to get them."""
    from bertlab import paired

    monkeypatch.setattr(paired, "MAX_LISTED_RUNS", 1, raising=False)  # 2 runs stand for a batch too large
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "zero_shot", "--model", tiny_model,
                 "--max-length", "32"]) == 0
    out = capsys.readouterr().out
    batch = RunStore().list_runs()[0].batch_id
    assert (f"2 runs share one test set, more than the 1 whose pairs are listed here (too many pairs for one "
            f"table): `python -m bertlab paired --batch {batch}` prints every pair.") in out
    assert " vs " not in out


def test_cli_run_seed_seeds_training_only_and_split_seed_the_split(tiny_csv, monkeypatch):
    seen = _planned_configs(monkeypatch)
    main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--seed", "3", "--json"])
    main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--seed", "3", "--split-seed", "5",
          "--json"])
    assert [(c.seed, c.data.seed) for c in seen] == [(3, 0), (3, 5)]  # as the app: Train page seed, Data page seed


def test_cli_sweep_seeds_move_the_split_unless_it_is_fixed(tiny_model, tiny_csv, capsys):
    from bertlab import sweep

    for fixed in ([], ["--fixed-split"]):  # stored, none run (a --dry-run stores nothing)
        assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "head_only", "--sizes", "16",
                     "--seeds", "1", "2", "--model", tiny_model, "--no-run", *fixed]) == 1
    store = RunStore()
    specs = [sweep.load_sweep(store, s["id"]) for s in sweep.list_sweeps(store)]  # newest first
    assert sorted([(pt.config.seed, pt.config.data.seed) for pt in sweep.plan(spec)] for spec in specs) == [
        [(1, 0), (2, 0)], [(1, 1), (2, 2)]]


def test_cli_paired_json_judges_by_the_measure_asked_as_its_lines_do(tiny_data, capsys):
    """A review: `paired --json --judge-by macro_f1` had no macro-F1 and Holm's p of McNemar's (1.0), where the
    lines said macro-F1's (0.85)."""
    from bertlab.runner import execute_run

    store = RunStore()
    ids = [store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"C": c})) for c in (0.25, 16.0)]
    assert [execute_run(store, i) for i in ids] == [SUCCEEDED] * 2
    assert main(["paired", *ids, "--json", "--judge-by", "macro_f1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["holm_of"] == "p (macro-F1)" and "A − B (macro-F1)" in row and "p (macro-F1)" in row
    assert main(["paired", *ids, "--json", "--judge-by", "accuracy"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["holm_of"] == "p (McNemar)" and "p (macro-F1)" not in row


def test_cli_paired_says_the_runs_had_different_test_sets_or_no_predictions(tiny_data, capsys):
    from dataclasses import replace
    from pathlib import Path

    from bertlab import paired
    from bertlab.runner import execute_run

    store = RunStore()
    ids = [store.create_run(make_config("tfidf_logreg", data=replace(tiny_data, seed=s))) for s in (0, 1)]
    assert [execute_run(store, i) for i in ids] == [SUCCEEDED] * 2
    assert main(["paired", *ids]) == 1
    err = capsys.readouterr().err
    assert "these runs were tested on different test sets (different data or split seed)" in err
    assert "predictions" not in err  # both kept theirs: that is not why
    assert main(["paired", *ids, "--json"]) == 1  # with --json too (a review: [], exit 0, not a word)
    out, err = capsys.readouterr()
    assert json.loads(out) == [] and "these runs were tested on different test sets" in err
    Path(store.get(ids[1]).artifact_dir, paired.PREDICTIONS_FILE).unlink()  # as a run stored before they were kept
    assert main(["paired", *ids]) == 1
    err = capsys.readouterr().err
    assert err.startswith("no two of these runs share a test set with stored predictions (tfidf_logreg · ")
    assert "runs finished before bertlab kept test predictions, have none" in err and "different test" not in err


def test_cli_run_shows_the_runs_notes_shared_ones_once(tiny_model, tmp_path, capsys):
    import pandas as pd
    from conftest import make_texts

    texts, labels = make_texts()
    # Cleaning has something to report: two empty texts and a text given both labels.
    texts += ["", " ", "the film was good and bad", "the film was good and bad"]
    labels += ["pos", "neg", "pos", "neg"]
    csv = tmp_path / "messy.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(csv, index=False)
    args = ["run", "--dataset", str(csv), "--strategies", "tfidf_logreg", "zero_shot", "--model", tiny_model,
            "--max-length", "8"]
    assert main(args) == 0
    out = capsys.readouterr().out
    notes = " ".join(out.split("\nNotes:\n", 1)[1].split("\n\n", 1)[0].split())  # unwrapped
    dropped = "dropped 2 of 84 rows with an empty or missing text"
    assert notes.startswith(f"every run: {dropped} · dropped 2 rows whose text appears with different labels")
    assert out.count("dropped 2 of 84") == 1  # once, not under each run
    own = notes.split(" zero_shot: ", 1)
    assert "tfidf_logreg: " in own[0] and "word 1-2-grams" in own[0]  # without the note's own 'tfidf_logreg: '
    assert "longer than max_length 8 tokens and were cut" in own[1]
    assert main([*args, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(dropped in r["notes"] for r in rows)
    assert any("were cut" in n for n in rows[1]["notes"]) and not any("were cut" in n for n in rows[0]["notes"])


def test_cli_predict_refuses_blank_texts(tiny_data, capsys):
    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    assert main(["predict", rid, ""]) == 2
    assert capsys.readouterr().err == "error: the text is blank: there is nothing to classify; give each text some words.\n"
    assert main(["predict", rid, "a wonderful film", " \n\t"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "text 2 of 2 is blank" in captured.err  # nothing answered, not even the first
    assert main(["predict", rid, "a wonderful film"]) == 0


def test_cli_predict_says_when_a_text_is_longer_than_a_run_reads(tiny_model, tiny_data, capsys):
    """A review: the app said "This text's first 10,000 characters are 1,781 tokens: ... read only its first 64",
    `predict` cut such a text without a word. It says the app's sentence on stderr, per text (stdout stays the
    answers, JSON under --json)."""
    from bertlab.runner import execute_run

    store = RunStore()
    ids = []
    for name in ("zero_shot", "tfidf_logreg"):  # a run that reads tokens, and one that reads every word
        ids.append(store.create_run(make_config(name, model=tiny_model, data=tiny_data, max_length=16)))
        assert execute_run(store, ids[-1]) == SUCCEEDED
    both = ",".join(ids)
    assert main(["predict", both, "a wonderful film"]) == 0
    assert "tokens:" not in capsys.readouterr().err
    assert main(["predict", both, "a wonderful film " * 20, "--json"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(x)["run_id"] for x in captured.out.splitlines()] == ids  # the JSON lines untouched
    note = next(x for x in captured.err.splitlines() if "tokens:" in x)
    assert note.startswith("note: This text is ") and note.endswith(
        f"tokens: run {ids[0]} (zero_shot) reads only its first 16 (the max length it was run with).")
    assert main(["predict", ids[0], "a good film", "great " * 3000]) == 0
    err = capsys.readouterr().err
    assert "note: text 2: This text's first 10,000 characters are " in err and "every model here reads only" in err
    assert "text 1:" not in err
    assert main(["predict", ids[1], "x" * 12_000]) == 0  # tfidf_logreg reads every word, of the first 10,000 chars
    assert "note: Every model here reads only this text's first 10,000 characters." in capsys.readouterr().err


def test_cli_column_errors_name_the_flags_and_the_library_keeps_the_apps_words(tmp_path, capsys):
    import pandas as pd
    from conftest import make_texts

    from bertlab.data import detect_columns
    from bertlab.errors import DataError

    texts, labels = make_texts()
    anon = pd.DataFrame({"col1": texts, "col2": labels, "col3": ["x" if i % 3 else "y" for i in range(len(texts))]})
    two_texts = pd.DataFrame({"a": texts, "b": [t[::-1] for t in texts], "label": labels})
    for name, df in (("anon.csv", anon), ("two.csv", two_texts)):
        df.to_csv(tmp_path / name, index=False)
    assert main(["run", "--dataset", str(tmp_path / "anon.csv")]) == 2
    assert capsys.readouterr().err.endswith("Set the label column explicitly. Use --label-column NAME, e.g. "
                                            "--label-column col2.\n")
    assert main(["run", "--dataset", str(tmp_path / "two.csv"), "--strategies", "tfidf_logreg"]) == 2
    assert capsys.readouterr().err.endswith("Set the text column explicitly. Use --text-column NAME, e.g. "
                                            "--text-column a.\n")
    assert main(["run", "--dataset", str(tmp_path / "two.csv"), "--strategies", "tfidf_logreg", "--text-column", "a",
                 "--json"]) == 0  # named: it runs
    capsys.readouterr()
    assert RunStore().list_runs()
    with pytest.raises(DataError) as e:
        detect_columns(anon.copy())
    assert str(e.value).endswith("Set the label column explicitly.")  # the app's Data page has the pickers
    # the example is the likeliest label, as the app's picker starts at it: not the first column that could be, an id
    stars = pd.DataFrame({"id": range(len(texts)), "review": texts, "stars": [1 + i % 2 for i in range(len(texts))]})
    stars.to_csv(tmp_path / "stars.csv", index=False)
    assert main(["run", "--dataset", str(tmp_path / "stars.csv"), "--strategies", "tfidf_logreg"]) == 2
    assert capsys.readouterr().err.endswith("['id', 'stars'] all could. Set the label column explicitly. Use "
                                            "--label-column NAME, e.g. --label-column stars.\n")


def test_cli_predict_classifies_a_file_into_a_csv(tiny_model, tiny_data, tmp_path, capsys):
    import csv

    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    lines = tmp_path / "texts.txt"
    lines.write_text("a wonderful film\n\nan awful plot\n")
    out = tmp_path / "preds.csv"
    assert main(["predict", rid, "--file", str(lines), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    # the blank line skipped, and said; each prediction keeps its line, to join them back
    assert [(r["row"], r["text"]) for r in rows] == [("1", "a wonderful film"), ("3", "an awful plot")]
    assert "skipped 1 blank row(s) of texts.txt (2)" in capsys.readouterr().err
    names = store.get(rid).metrics["label_names"]
    assert all(abs(sum(float(r[f"p_{n}"]) for n in names) - 1) < 1e-4 and r["label"] in names for r in rows)
    table = tmp_path / "t.csv"
    table.write_text("id,review,label\n17,great fun,pos\n18,,neg\n19,dull,neg\n")
    assert main(["predict", rid, "--file", str(table), "--text-column", "review", "--json"]) == 0
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    # the table's other columns ride along (an id; its own label renamed beside the predicted one)
    assert [(g["row"], g["id"], g["input_label"], g["text"]) for g in got] == [(1, "17", "pos", "great fun"),
                                                                             (3, "19", "neg", "dull")]
    assert all(g["label"] in names for g in got)
    assert main(["predict", rid, "--file", str(table), "--text-column", "review", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0])[:4] == ["row", "id", "input_label", "text"] and [r["id"] for r in rows] == ["17", "19"]
    # a Parquet file: pandas' string dtype with a missing text (pd.NA), a missing score, and columns named like the
    # output's own fields (row, p_<class>): renamed, never overwritten, and valid JSON
    import pandas as pd

    pq = tmp_path / "t.parquet"
    pd.DataFrame({"review": pd.array(["great fun", None, "dull"], dtype="string"), "row": [10, 11, 12],
                  f"p_{names[0]}": [0.5, None, 0.25]}).to_parquet(pq)
    capsys.readouterr()
    assert main(["predict", rid, "--file", str(pq), "--text-column", "review", "--json"]) == 0
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(g["row"], g["input_row"], g[f"input_p_{names[0]}"]) for g in got] == [(1, 10, 0.5), (3, 12, 0.25)]
    run = store.get(rid)
    n = len(run.metrics["confusion"])
    store.update(rid, metrics={**run.metrics, "confusion": [[3] + [0] * (n - 1)] * n})  # learned nothing
    assert main(["predict", rid, "a wonderful film"]) == 0
    err = capsys.readouterr().err
    assert "answered" in err and "saw none of the words" not in err
    assert main(["predict", rid, "a wonderful film", "zqxj vwkp"]) == 0  # words it never saw: the prior
    assert "saw none of the words of 1 text(s) in training (text 2): its answer there is just the classes' prior" \
        in capsys.readouterr().err
    ambiguous = tmp_path / "a.csv"
    ambiguous.write_text("a,b\nx y,z w\n")
    assert main(["predict", rid, "--file", str(ambiguous)]) == 2
    assert "give --text-column NAME" in capsys.readouterr().err


def test_the_cli_runs_from_any_folder_and_shares_the_checkouts_data_directory(tmp_path):
    import os
    import subprocess
    import sys

    from bertlab import paths

    env = {k: v for k, v in os.environ.items() if k not in ("BERTLAB_HOME", "PYTHONPATH")}
    # `make setup` puts the checkout on the virtual environment's path, so a user's data folder can be the cwd
    code = "import bertlab.paths as p; print(p.DEFAULT_HOME); print(p.data_home())"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr + "\n(re-run `make setup` after deleting .venv/.installed)"
    default, home = out.stdout.split()
    assert default == home == str(paths.DEFAULT_HOME)  # not <cwd>/bertlab-data: the app's runs, from anywhere
    assert paths.DEFAULT_HOME.parent == Path(paths.__file__).resolve().parent.parent
    assert not (tmp_path / "bertlab-data").exists()
    # a data directory with runs in the working folder (the default before) is still the one used there
    (tmp_path / "bertlab-data").mkdir()
    (tmp_path / "bertlab-data" / "runs.sqlite").write_bytes(b"")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.split()[1] == str(tmp_path / "bertlab-data")
    cli = subprocess.run([sys.executable, "-m", "bertlab", "datasets"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert cli.returncode == 0 and "rotten_tomatoes" in cli.stdout, cli.stderr


def test_cli_split_caps_take_all(tiny_csv, capsys):
    """`--train-size all` trains on the whole training split (an empty value cannot be typed; 0 is refused)."""
    code = main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--train-size", "all",
                 "--val-size", "10", "--test-size", "16", "--json"])
    assert code == 0
    (run,) = RunStore().list_runs()
    assert run.config["data"]["train_size"] is None
    sizes = run.data_summary["sizes"]
    assert sizes["train"] == 80 - sizes["validation"] - sizes["test"] > 50  # every example the others left
    with pytest.raises(SystemExit) as e:
        main(["run", "--dataset", str(tiny_csv), "--train-size", "lots"])
    assert e.value.code == 2
    assert "'lots' is not a whole number or 'all'" in capsys.readouterr().err


def test_runs_are_deleted_to_free_space_from_the_cli_but_never_while_queued_or_running(tiny_model, tiny_data, capsys):
    """A lab filled gigabytes with models and only "delete the data directory" undid it: `delete` removes named
    runs (their model folder too) and keeps those a worker may still write."""
    from bertlab.runner import execute_run

    store = RunStore()
    done = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, max_length=16),
                            batch_id="b-del")
    assert execute_run(store, done) == SUCCEEDED
    waiting = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-del")
    folder = store.artifact_path(done)
    size = store.disk_bytes(done)
    assert folder.is_dir() and size > 10_000
    assert main(["delete", "--batch", "latest"]) == 2 and "not 'latest'" in capsys.readouterr().err  # named only
    assert store.get(done) is not None
    assert main(["delete", "--batch", "b-del"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"deleted 1 run ({format_bytes(size)} freed)") and "kept 1 queued" in err
    assert store.get(done) is None and not folder.exists() and store.points([done]) == []
    assert store.get(waiting).status == "queued"
    assert main(["delete"]) == 2 and "name the runs to delete" in capsys.readouterr().err


def test_cli_cancels_queued_and_running_runs(tiny_data, capsys):
    """`delete` said "cancel them first" of a queued run, and the CLI had no way to: `cancel` is the app's Cancel."""
    import socket
    import subprocess
    import sys

    import psutil

    store = RunStore()
    waiting = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b-c")
    training = store.create_run(make_config("full_ft", data=tiny_data), batch_id="b-c")
    orphan = store.create_run(make_config("head_only", data=tiny_data), batch_id="b-c")
    done = store.create_run(make_config("zero_shot", data=tiny_data), batch_id="b-c")
    store.finish(done, SUCCEEDED)
    for rid in (training, orphan):
        store.claim(rid, "cpu")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the process training it
    try:
        store.update(training, owner=f"{socket.gethostname()}:{other.pid}:{psutil.Process(other.pid).create_time():.0f}")
        store.update(orphan, owner=f"{socket.gethostname()}:999999999:1")  # its process was killed
        assert main(["cancel", waiting[-4:]]) == 0
        assert store.get(waiting).status == "cancelled" and "cancelled tfidf_logreg" in capsys.readouterr().err
        assert main(["cancel", "--batch", "b-c"]) == 0
        out, err = capsys.readouterr()  # what it did: messages, on stderr (stdout stays data: nothing here)
        assert store.get(training).status == "running" and store.get(training).cancel_requested
        assert f"stopping full_ft · {training}" in err and out == ""
        assert store.get(orphan).status == "cancelled" and store.get(done).status == SUCCEEDED
        assert main(["cancel", done]) == 1 and "nothing to cancel" in capsys.readouterr().err
        assert main(["cancel", "--batch", "latest"]) == 2 and main(["cancel"]) == 2
        # as every other error (a diff review: cancel's two refusals were bare lines)
        assert [line[:7] for line in capsys.readouterr().err.splitlines()] == ["error: "] * 2
    finally:
        other.kill()
        other.wait()


def test_cli_cancel_of_a_run_that_ended_meanwhile_says_so_on_stderr(tiny_data, capsys, monkeypatch):
    """A run that ends between `cancel` listing it and asking it to stop: said, a message on stderr as cancel's
    others (stdout stays data)."""
    rid = RunStore().create_run(make_config("tfidf_logreg", data=tiny_data))
    monkeypatch.setattr(RunStore, "request_cancel", lambda self, run_id: SUCCEEDED)  # it finished meanwhile
    assert main(["cancel", rid]) == 0
    out, err = capsys.readouterr()
    assert out == "" and f"tfidf_logreg · {rid} had already ended: {SUCCEEDED}" in err


def test_cli_runs_shows_a_running_runs_progress_and_queued_runs_nobody_will_run(tiny_data, capsys):
    """`runs` said "running" where the app said "train · 9% · ~3 min left", and "queued" of runs whose process had
    died, which wait for the app to be opened."""
    import socket
    import subprocess
    import sys
    import time

    import psutil

    store = RunStore()
    training = store.create_run(make_config("full_ft", data=tiny_data))
    store.claim(training, "cpu")
    stalled = store.create_run(make_config("head_only", data=tiny_data))
    waiting = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the CLI training them
    try:
        live = f"{socket.gethostname()}:{other.pid}:{psutil.Process(other.pid).create_time():.0f}"
        store.update(training, owner=live, progress=0.09, phase="train", pace_started=time.time() - 120)
        store.update(waiting, owner=live)
        store.update(stalled, owner=f"{socket.gethostname()}:999999999:1")  # queued by a process since killed
        assert main(["runs"]) == 0
        out = capsys.readouterr().out
        row = {line.split()[0]: line for line in out.splitlines() if line.split()[:1] and line.split()[0] in
               ("full_ft", "head_only", "tfidf_logreg")}
        assert "running 9% (train, ~20 min left)" in row["full_ft"], out
        assert "queued, waiting*" in row["head_only"] and "waiting" not in row["tfidf_logreg"], out
        assert "once one of its pages is open in a browser" in out
        assert main(["runs", "--json"]) == 0
        assert {r["status"] for r in json.loads(capsys.readouterr().out)} == {"running", "queued"}
    finally:
        other.kill()
        other.wait()


def test_cli_worker_trains_the_queue_a_stopped_server_left_without_a_browser(tiny_data, capsys):
    """After a server restart its queued runs waited until someone opened a page; `worker` trains them, and leaves
    a live process's queued runs to it."""
    import socket
    import subprocess
    import sys

    import psutil

    store = RunStore()
    left = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    theirs = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=2))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # an open app's server
    try:
        store.update(left, owner=f"{socket.gethostname()}:999999999:1")  # the server that queued it stopped
        store.update(theirs, owner=f"{socket.gethostname()}:{other.pid}:{psutil.Process(other.pid).create_time():.0f}")
        assert main(["worker"]) == 0
        err = capsys.readouterr().err
        assert "training 1 queued run; 1 more belong to another live process" in err and "queue empty" in err
        assert store.get(left).status == SUCCEEDED and store.get(theirs).status == "queued"
    finally:
        other.kill()
        other.wait()


def test_cli_run_refuses_an_unreachable_hub_model_before_storing_runs(tiny_csv, capsys):
    """As the Train page does: the run stored a failed run per strategy instead."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "tfidf_logreg", "--model",
                 "someone/not-a-model-here", "--quick"]) == 2
    assert "is not a local directory and the Hugging Face hub is unreachable" in capsys.readouterr().err
    assert RunStore().list_runs() == []


class _Draws:
    """uuid4 stand-in that repeats its first draw: two ids taken in one second collide."""
    def __init__(self, *hexes):
        self.hexes = list(hexes)

    def __call__(self):
        import uuid as _uuid
        return _uuid.UUID(hex=self.hexes.pop(0).ljust(32, "0"))


def test_a_run_id_drawn_twice_in_one_second_is_drawn_again_not_a_failed_launch(tiny_data, monkeypatch):
    import bertlab.store as store_mod
    store = RunStore()
    cfg = make_config("tfidf_logreg", data=tiny_data)
    monkeypatch.setattr(store_mod.time, "strftime", lambda fmt, *a: "20261203-101010")
    monkeypatch.setattr(store_mod.uuid, "uuid4", _Draws("aaaaaa", "aaaaaa", "bbbbbb"))
    first, second = store.create_run(cfg, "b"), store.create_run(cfg, "b")
    assert (first, second) == ("20261203-101010-aaaaaa", "20261203-101010-bbbbbb")
    assert [r.id for r in store.list_runs() if r.batch_id == "b"].count(second) == 1


def test_a_drawn_sweep_id_never_writes_over_another_sweep(tiny_data, monkeypatch):
    import bertlab.sweep as sweep
    store = RunStore()
    monkeypatch.setattr(sweep.time, "strftime", lambda fmt, *a: "20261203-101010")
    monkeypatch.setattr(sweep.uuid, "uuid4", _Draws("aaaa", "aaaa", "bbbb"))
    one = sweep.save_sweep(store, sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[20], data=tiny_data))
    two = sweep.save_sweep(store, sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[40], data=tiny_data))
    assert one != two
    assert sweep.load_sweep(store, one).sizes == [20] and sweep.load_sweep(store, two).sizes == [40]


def test_predict_finds_the_text_column_the_run_trained_on_or_the_data_page_would(tiny_model, tmp_path, capsys):
    """A persona: `predict RUN --file tickets.csv` on the file the run trained on refused ('which column holds the
    texts?') where the Data page and `run` had found customer_review by its name."""
    import pandas as pd
    from conftest import make_texts

    from bertlab.config import DataConfig
    from bertlab.runner import execute_run

    texts, labels = make_texts()
    tickets = tmp_path / "tickets.csv"
    pd.DataFrame({"ticket_id": range(len(texts)), "customer_review": texts, "Sentiment": labels,
                  "channel": ["email", "phone web chat"] * (len(texts) // 2)}).to_csv(tickets, index=False)
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=DataConfig(source="file",
                                                                                         name=str(tickets))))
    assert execute_run(store, rid) == SUCCEEDED
    assert store.get(rid).data_summary["text_column"] == "customer_review"
    out = tmp_path / "p.csv"
    assert main(["predict", rid, "--file", str(tickets), "-o", str(out)]) == 0
    got = pd.read_csv(out)
    assert list(got["text"]) == texts and list(got["ticket_id"]) == list(range(len(texts)))
    # another file, with no column of that name: found by the Data page's rules (a text word in its name)
    other = tmp_path / "new.csv"
    pd.DataFrame({"ref": ["a1", "b2"], "review_body": ["a wonderful film", "an awful plot"],
                  "country": ["UK", "FR"]}).to_csv(other, index=False)
    capsys.readouterr()
    assert main(["predict", rid, "--file", str(other), "--json"]) == 0
    assert [json.loads(x)["text"] for x in capsys.readouterr().out.splitlines()] == ["a wonderful film",
                                                                                    "an awful plot"]
    # two columns of texts alike: asked, naming them
    two = tmp_path / "two.csv"
    pd.DataFrame({"left": ["a long text here", "more words to read"],
                  "right": ["another long text", "and more words too"]}).to_csv(two, index=False)
    assert main(["predict", rid, "--file", str(two)]) == 2
    err = capsys.readouterr().err
    assert "which column holds the texts? Cannot tell which column holds the text: ['right', 'left'] all look like text" in err
    assert "give --text-column NAME" in err


def test_cli_runs_table_names_balanced_runs_and_their_seeds_and_sweep_list_says_balanced(tiny_model, tiny_csv,
                                                                                         tiny_data, capsys):
    store = RunStore()
    for seed, weights in ((0, "none"), (1, "none"), (1, "balanced")):
        rid = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, seed=seed,
                                           class_weights=weights), "b-seeds")
        store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5})
    assert main(["runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["strategy", "seed", "status"]
    rows = sorted(line.split("  succeeded")[0].split() for line in lines[2:5])
    assert rows == [["head_only", "(balanced)", "1"], ["head_only", "0"], ["head_only", "1"]]
    assert "  b-seeds  head_only, head_only (balanced)" in "\n".join(lines)
    assert main(["runs", "--json"]) == 0
    assert sorted((r["seed"], r["class_weights"]) for r in json.loads(capsys.readouterr().out)) == [
        (0, "none"), (1, "balanced"), (1, "none")]
    for weights in ("balanced", "none"):
        assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "--sizes", "16",
                     "--seeds", "0", "--model", tiny_model, "--class-weights", weights, "--no-run"]) == 1
    capsys.readouterr()
    assert main(["sweep", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    # zero_shot reads no training label: balanced weights change nothing it does
    assert sorted(line.split(tiny_csv.name)[1].split("sizes:")[0].strip() for line in listed) == [
        "zero_shot, head_only", "zero_shot, head_only (balanced)"]
    # as typed, not Python's [16] (or None); never run (--no-run), each says it has no runs
    assert all(line.endswith("sizes: 16  seeds: 0  (no runs: `sweep --sweep-id ID` runs it, `sweep --delete ID` "
                             "removes it)") for line in listed)
    assert main(["sweep", "--list", "--json"]) == 0  # it printed the text lines
    listed_json = json.loads(capsys.readouterr().out)
    assert sorted(tuple(s["strategies"]) for s in listed_json) == [("zero_shot", "head_only"),
                                                                   ("zero_shot", "head_only (balanced)")]
    assert all(s["sizes"] == [16] and s["seeds"] == [0] for s in listed_json)
    # resumed by its id, the sweep keeps its own plan: other sizes are said to be ignored, not dropped silently
    sweep_id = listed[0].split()[0]
    assert main(["sweep", "--sweep-id", sweep_id, "--sizes", "128", "--no-run"]) in (0, 1)
    assert "note: --sizes ignored: --sweep-id resumes that sweep as it was planned" in capsys.readouterr().err
    assert main(["sweep", "--sweep-id", sweep_id, "--no-run"]) in (0, 1)
    assert "ignored" not in capsys.readouterr().err
    assert main(["sweep", "--sweep-id", sweep_id, "--epochs", "7", "--lr", "1e-3", "--no-run", "--json"]) in (0, 1)
    assert "note: --epochs, --lr ignored" in capsys.readouterr().err  # every plan option (a diff review)
    # a size under 1 or given twice is refused, as `run --train-size` and a repeated --seeds are
    for sizes in (["-5"], ["0"], ["32", "32"]):
        with pytest.raises(SystemExit) if sizes != ["32", "32"] else contextlib.nullcontext():
            assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--sizes", *sizes,
                         "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "a training size is a whole number from 1" in err and "--sizes repeats a value" in err


def test_cli_runs_names_each_runs_dataset_as_the_app_does_in_120_columns(tiny_model, capsys):
    """A persona with runs on a built-in dataset and on an uploaded file could not tell them apart in `runs`: the
    table had no dataset column. It names each as the app does (an upload without its '<hash>-' storage prefix,
    which older runs still carry), in 120 columns: a long file name is cut in its middle, keeping its end."""
    from bertlab.cli import result_row
    from bertlab.config import DataConfig

    store = RunStore()
    long_name = "customer_support_tickets_2024_q3_export.xlsx"
    data = {"b-builtin": DataConfig(source="builtin", name="rotten_tomatoes"),
            "b-upload": DataConfig(source="file", name="/srv/bertlab-data/uploads/3f2a9c0b1d4e-reviews.csv"),
            "b-long": DataConfig(source="file", name=f"/home/me/{long_name}"),
            "b-hub": DataConfig(source="hub", name="SetFit/sst2")}
    ids = {}
    for batch, d in data.items():
        ids[batch] = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=d), batch)
        store.finish(ids[batch], SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8,
                                                     "majority_accuracy": 0.5, "test_accuracy_ci95": [0.75, 0.85]})
    store.update(ids["b-upload"], dataset="3f2a9c0b1d4e-reviews.csv")  # stored before the prefix was dropped
    want = {"b-builtin": "rotten_tomatoes", "b-upload": "reviews.csv", "b-long": long_name, "b-hub": "SetFit/sst2"}
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["strategy", "seed", "status", "dataset"]
    at = lines[0].index("dataset")
    shown = {line.split()[-1]: line[at:].split("  ")[0] for line in lines[2:6]}
    cut = shown.pop(ids["b-long"])
    assert shown == {ids[b]: want[b] for b in ("b-builtin", "b-upload", "b-hub")}
    head, tail = cut.split("…")
    assert long_name.startswith(head) and long_name.endswith(tail) and len(tail) >= 7 and cut.endswith(".xlsx")
    assert "3f2a9c0b1d4e" not in out
    assert max(len(line) for line in lines[:6]) <= 120, "\n".join(lines[:6])
    assert "macro-F1" in lines[0].split("  ")  # the measure the answer judges imbalanced data by
    # the latest batches say theirs too (in full), to pick the `report --batch` of the right data
    assert "  b-upload  tfidf_logreg  (reviews.csv)" in out and f"  b-long  tfidf_logreg  ({long_name})" in out
    assert main(["runs", "--json"]) == 0
    assert {r["run_id"]: r["dataset"] for r in json.loads(capsys.readouterr().out)} == {
        ids[b]: want[b] for b in data}
    # `run --json` rows (result_row) carry it as well
    assert result_row(store.get(ids["b-upload"]))["dataset"] == "reviews.csv"
    # the training size measured, in the table and the JSON: a sweep's runs of one strategy read alike without it
    store.update(ids["b-upload"], data_summary={"sizes": {"train": 1280}})
    assert result_row(store.get(ids["b-upload"]))["n_train"] == 1280
    assert main(["runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines[0].index("train n")
    assert {line[at:].split()[0] for line in lines[2:6]} == {"1,280", "-"}


def test_cli_csv_files_start_with_the_mark_excel_needs_and_printed_csv_without(tiny_model, tiny_data, tmp_path,
                                                                              capfd):
    """The app's CSV downloads start with a UTF-8 byte-order mark (Excel shows accents right), the CLI's files had
    none: `predict -o` opened in Excel garbled "Kopfhörer". A file gets the mark now; CSV printed (-o /dev/stdout,
    a named pipe) none, where it would be glued to the first column's name."""
    import csv
    import io
    import os
    import threading

    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    out = tmp_path / "preds.csv"
    assert main(["predict", rid, "Kopfhörer 耳机 great fun", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert row["text"] == "Kopfhörer 耳机 great fun" and list(row)[0] == "text"
    capfd.readouterr()
    assert main(["predict", rid, "Kopfhörer 耳机 great fun", "-o", "/dev/stdout"]) == 0
    printed = capfd.readouterr().out
    assert printed.startswith("text,run_id,") and "\ufeff" not in printed and "Kopfhörer 耳机" in printed
    # "-": standard output too, as other tools read it (a review's `-o -` wrote a file named "-")
    assert main(["predict", rid, "Kopfhörer 耳机 great fun", "-o", "-"]) == 0
    assert capfd.readouterr().out == printed and not Path("-").exists()
    # with --json, -o gets JSON lines (a review's `-o - --json` got the CSV): the objects --json prints alone
    assert main(["predict", rid, "Kopfhörer 耳机 great fun", "--json"]) == 0
    alone = capfd.readouterr().out
    assert main(["predict", rid, "Kopfhörer 耳机 great fun", "--json", "-o", "-"]) == 0
    assert capfd.readouterr().out == alone
    jl = tmp_path / "preds.jsonl"
    assert main(["predict", rid, "Kopfhörer 耳机 great fun", "--json", "-o", str(jl)]) == 0
    (obj,) = map(json.loads, jl.read_text(encoding="utf-8").splitlines())
    assert obj["text"] == "Kopfhörer 耳机 great fun" and obj["label"] in obj["probabilities"]
    assert "as JSON lines" in capfd.readouterr().err
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("bytes", fifo.read_bytes()))
    reader.start()
    assert main(["predict", rid, "great fun", "-o", str(fifo)]) == 0
    reader.join(30)
    assert got["bytes"].startswith(b"text,run_id,")


def test_cli_run_prints_each_classs_recall_where_there_are_three_classes_or_more(tiny_csv, tmp_path, capsys):
    """A newsroom persona on the 3-class tweets: the table said zero_shot scored 43% (the majority baseline), not
    that it found 14% of the neutral tweets; only --json had the per-class numbers."""
    import random

    import pandas as pd

    rng = random.Random(0)
    words = {"pos": ["good", "great", "lovely"], "neg": ["bad", "awful", "dull"], "meh": ["okay", "fine", "average"]}
    rows = [{"text": " ".join(rng.sample(["the", "film", "was", "plot", "and"], 3) + rng.sample(w, 2)) + f" #{i}",
             "label": lab} for i in range(30) for lab, w in words.items()]
    csv = tmp_path / "three.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    args = ["run", "--dataset", str(csv), "--strategies", "tfidf_logreg"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "\nRecall per class (test set" in out
    table = out.split("\nRecall per class (test set", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert table[-1].startswith("  Few test texts of ")  # each class has under 20 test texts: said under the rows
    table = table[:-1]
    assert table[0].split() == ["class", "test", "texts", "tfidf_logreg"]
    assert main([*args, "--json"]) == 0
    per_class = json.loads(capsys.readouterr().out)[0]["per_class"]
    assert {line.split()[0]: line.split()[1:] for line in table[1:]} == {
        c: [str(v["support"]), f"{100 * v['recall']:.0f}%"] for c, v in per_class.items()}
    # two classes: the answer's missed-class sentence and macro-F1 say it; no table
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg"]) == 0
    assert "Recall per class" not in capsys.readouterr().out


def test_cli_per_class_recall_tells_seeds_of_one_strategy_apart():
    """run --repeats 2: two columns both headed 'head_only' could not be told apart."""
    from bertlab.cli import per_class_lines
    from bertlab.store import Run

    def run(rid: str, seed: int, recall: float) -> Run:
        per_class = {c: {"recall": recall, "precision": 0.5, "f1": 0.5, "support": 10} for c in ("a", "b", "c")}
        return Run(id=rid, batch_id="b", created=float(seed), status=SUCCEEDED, strategy="head_only", dataset="d",
                   model="minilm", config={"seed": seed}, metrics={"label_names": ["a", "b", "c"],
                                                                   "per_class": per_class})

    lines = per_class_lines([run("r0", 0, 0.5), run("r1", 1, 0.9)])
    assert lines[1].split()[3:] == ["head_only", "(seed", "0)", "head_only", "(seed", "1)"]
    assert lines[2].split() == ["a", "10", "50%", "90%"]



def test_cli_per_class_recall_counts_the_runs_it_leaves_out_in_the_number_they_take():
    """Runs on other classes (another dataset) were "Left out: 1 run(s) ...": "1 run" and "2 runs" now (counted)."""
    from bertlab.cli import per_class_lines
    from bertlab.store import Run

    def run(rid: str, labels: list[str]) -> Run:
        per_class = {c: {"recall": 0.5, "precision": 0.5, "f1": 0.5, "support": 10} for c in labels}
        return Run(id=rid, batch_id="b", created=0.0, status=SUCCEEDED, strategy="head_only", dataset="d",
                   model="minilm", config={"seed": 0}, metrics={"label_names": labels, "per_class": per_class})

    three, other = ["a", "b", "c"], ["x", "y"]
    assert per_class_lines([run("r0", three), run("r1", other)])[-1] == (
        "  Left out: 1 run on other classes (another dataset).")
    assert per_class_lines([run("r0", three), run("r1", other), run("r2", other)])[-1] == (
        "  Left out: 2 runs on other classes (another dataset).")

def test_cli_per_class_recall_is_shown_for_two_classes_where_one_is_rare():
    """A persona's comments, 3% abusive: `run` printed no per-class table for two classes, so nothing said that
    tfidf_logreg found 6 of the 12 abusive test texts (at 98.4% accuracy, macro-F1 0.829). Two even classes keep
    printing none (the answer's sentences and macro-F1 say it there)."""
    from bertlab.cli import per_class_lines
    from bertlab.store import Run

    def run(rid: str, support: dict[str, int], recall: dict[str, float]) -> Run:
        per_class = {c: {"recall": recall[c], "precision": 1.0, "f1": 0.5, "support": k} for c, k in support.items()}
        majority = max(support.values()) / sum(support.values())
        return Run(id=rid, batch_id="b", created=0.0, status=SUCCEEDED, strategy="tfidf_logreg", dataset="d",
                   model="minilm", config={"seed": None}, metrics={"label_names": list(support), "per_class": per_class,
                                                                   "majority_accuracy": majority})

    rare = run("r0", {"abusive": 12, "ok": 363}, {"abusive": 0.5, "ok": 1.0})
    assert [line.split() for line in per_class_lines([rare])[2:4]] == [["abusive", "12", "50%"], ["ok", "363", "100%"]]
    assert per_class_lines([run("r1", {"neg": 180, "pos": 195}, {"neg": 0.8, "pos": 0.9})]) == []


def test_cli_per_class_precision_follows_the_recall_where_a_class_is_rare():
    """A persona's comments, 3% abusive: by recall zero_shot (8 of the 12 abusive test texts found) read better on
    the rare class than head_only (6 of 12), though zero_shot called 152 texts abusive, 8 of them rightly, and
    head_only 6, all right; `run` printed no precision to tell them apart. Balanced classes print none (the three-
    class tests above)."""
    from bertlab.cli import per_class_lines
    from bertlab.store import Run

    def run(rid: str, strategy: str, confusion: list[list[int]]) -> Run:
        names = ["abusive", "ok"]
        per_class = {c: {"recall": confusion[i][i] / sum(confusion[i]),
                         "precision": confusion[i][i] / sum(row[i] for row in confusion), "f1": 0.5,
                         "support": sum(confusion[i])} for i, c in enumerate(names)}
        return Run(id=rid, batch_id="b", created=0.0, status=SUCCEEDED, strategy=strategy, dataset="d",
                   model="minilm", config={"seed": 0}, metrics={"label_names": names, "per_class": per_class,
                                                                "majority_accuracy": 363 / 375, "confusion": confusion})

    lines = per_class_lines([run("r0", "zero_shot", [[8, 4], [144, 219]]), run("r1", "head_only", [[6, 6], [0, 363]])])
    at = next(i for i, line in enumerate(lines) if line.startswith("Precision per class (test set"))
    assert lines[at + 1].split()[-2:] == ["zero_shot", "head_only"]
    assert [line.split() for line in lines[at + 2:at + 4]] == [["abusive", "12", "5%", "100%"],
                                                               ["ok", "363", "98%", "98%"]]


def test_a_class_a_run_never_answered_has_no_precision_in_any_per_class_table():
    """A review of comments, 3% abusive: scratch answered 'ok' to every text, and `run`'s precision table, Compare's
    Precision view and the report read 0% for 'abusive', as if each of its answers of 'abusive' were wrong: it gave
    none (0 right of 0, undefined). Each now gives no figure and says why; its recall (0%) and macro-F1 (its F1 0,
    counted as stored) stay."""
    from bertlab import plots
    from bertlab.cli import per_class_lines
    from bertlab.metrics import NEVER_ANSWERED_NOTE, classification_report
    from bertlab.store import Run

    names = ["abusive", "ok"]
    never = classification_report([0] * 12 + [1] * 363, [1] * 375, names)
    assert never["per_class"]["abusive"]["precision"] == 0.0  # stored as before: macro-F1 reads it unchanged
    assert never["macro_f1"] == (0.0 + never["per_class"]["ok"]["f1"]) / 2
    some = classification_report([0] * 12 + [1] * 363, [0] * 6 + [1] * 6 + [1] * 363, names)
    runs = [Run(id=f"r{i}", batch_id="b", created=0.0, status=SUCCEEDED, strategy=s, dataset="d", model="minilm",
                config={"seed": 0}, metrics=m | {"label_names": names})
            for i, (s, m) in enumerate((("scratch", never), ("head_only", some)))]
    lines = per_class_lines(runs)
    at = next(i for i, line in enumerate(lines) if line.startswith("Precision per class (test set"))
    assert [line.split() for line in lines[at + 2:at + 4]] == [["abusive", "12", "-", "100%"],
                                                               ["ok", "363", "97%", "98%"]]
    assert lines[at + 4] == f"  {NEVER_ANSWERED_NOTE}"
    assert lines[2].split() == ["abusive", "12", "0%", "50%"]  # its recall: 0 of 12 found
    table = plots.per_class_rows(runs, "precision")
    assert [r["abusive (n=12)"] for r in table.rows] == [None, 100.0] and table.never_answered
    assert plots.per_class_rows(runs, "recall").rows[0]["abusive (n=12)"] == 0.0
    assert not plots.per_class_rows(runs[1:], "precision").never_answered
    assert NEVER_ANSWERED_NOTE not in "\n".join(per_class_lines(runs[1:]))


def test_cli_per_class_recall_says_how_far_one_text_moves_a_class_of_few_test_texts():
    """A persona's comments: 'abusive' had 12 test texts, where one text more or less moves its recall by 8 points;
    Compare's per-class caption says so, `run`'s table said nothing (50% against 92% read as firm). Classes of 20
    test texts or more (5 points a text) get no note, nor one with none."""
    from bertlab.cli import per_class_lines
    from bertlab.store import Run

    def run(support: dict[str, int]) -> Run:
        per_class = {c: {"recall": 0.5, "precision": 0.5, "f1": 0.5, "support": k} for c, k in support.items()}
        return Run(id="r0", batch_id="b", created=0.0, status=SUCCEEDED, strategy="head_only", dataset="d",
                   model="minilm", config={"seed": 0}, metrics={"label_names": list(support), "per_class": per_class})

    assert per_class_lines([run({"a": 12, "b": 40, "c": 40})])[5] == (
        "  Few test texts of 'a' (12): one text more or less moves this by 8 points.")
    assert per_class_lines([run({"a": 5, "b": 16, "c": 40, "d": 0})])[6] == (
        "  Few test texts of 'a' (5), 'b' (16): one text more or less moves these by 6 to 20 points.")
    assert not any("Few test texts" in line for line in per_class_lines([run({"a": 20, "b": 40, "c": 40})]))
    # 60 classes of 2 test texts each: summed up in the words of Compare's caption (one sentence, bertlab.metrics'),
    # where `run` listed six of them and "and 54 more"
    many = per_class_lines([run({f"class_{i}": 2 for i in range(60)})])
    assert many[62] == "  Few test texts (all 60 classes have 2 test texts): one text more or less moves these by 50 points."
    # more than six classes of few test texts, at counts that differ: the three of fewest texts are named
    mixed = {"a": 2, "b": 5, "c": 3, "d": 9, "e": 7, "f": 4, "g": 6, "h": 30}
    assert per_class_lines([run(mixed)])[10] == (
        "  Few test texts (7 classes have 2 to 9 each; the fewest: 'a' (2), 'c' (3), 'f' (4)): one text more or less "
        "moves these by 11 to 50 points.")


def test_cli_per_class_recall_rounds_a_half_up_as_compare_and_the_report_do():
    """A review: `run` printed 2 of 16 texts found as "12%" (Python's format rounds a half to even) where Compare and
    the report read "13%"; 10 of 16 read "62%" there and "63%" in both."""
    from bertlab.cli import per_class_lines
    from bertlab.metrics import whole_percent
    from bertlab.store import Run

    per_class = {"a": {"recall": 2 / 16, "support": 16}, "b": {"recall": 10 / 16, "support": 16},
                 "c": {"recall": 0.145, "support": 200}}  # 14.499...: no half, rounds down everywhere
    run = Run(id="r0", batch_id="b", created=0.0, status=SUCCEEDED, strategy="head_only", dataset="d",
              model="minilm", config={"seed": 0}, metrics={"label_names": ["a", "b", "c"], "per_class": per_class})
    rows = [line.split() for line in per_class_lines([run])[2:5]]  # then the note on 'a' and 'b' (16 texts each)
    assert rows == [["a", "16", "13%"], ["b", "16", "63%"], ["c", "200", "14%"]]
    assert [whole_percent(100 * v["recall"]) for v in per_class.values()] == ["13%", "63%", "14%"]


def test_per_class_recall_of_a_class_with_no_test_text_is_blank_not_zero():
    """A review: a file's own split with no 'tech' test row printed 'tech 0 0%' in `run`'s table and 0% in Compare's:
    a recall of 0 texts is no recall, and 0% read as a class the model never finds."""
    from bertlab import plots
    from bertlab.cli import per_class_lines
    from bertlab.store import Run

    per_class = {"a": {"recall": 0.5, "precision": 0.5, "f1": 0.5, "support": 4},
                 "b": {"recall": 1.0, "precision": 0.8, "f1": 0.9, "support": 4},
                 "tech": {"recall": 0.0, "precision": 0.0, "f1": 0.0, "support": 0}}
    run = Run(id="r0", batch_id="b", created=0.0, status=SUCCEEDED, strategy="head_only", dataset="d",
              model="minilm", config={"seed": 0}, metrics={"label_names": ["a", "b", "tech"], "per_class": per_class})
    assert [line.split() for line in per_class_lines([run])[2:5]] == [["a", "4", "50%"], ["b", "4", "100%"],
                                                                       ["tech", "0", "-"]]
    for what in ("recall", "f1"):
        row = plots.per_class_rows([run], what).rows[0]
        assert row["tech (n=0)"] is None and row["a (n=4)"] == 50.0
    assert plots.per_class_rows([run], "precision").rows[0]["tech (n=0)"] == 0.0  # its answers of tech: all wrong


def test_cli_output_piped_to_a_reader_that_stops_early_ends_quietly(bertlab_home):
    """A review: `bertlab runs | head -3` ended with "error: [Errno 32] Broken pipe"."""
    import os
    import subprocess
    import sys

    # --json: an empty store's `runs` says "no runs yet" on stderr, leaving stdout nothing to break on; "[]" writes
    proc = subprocess.Popen([sys.executable, "-m", "bertlab", "runs", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "BERTLAB_HOME": str(bertlab_home)})
    proc.stdout.close()  # the reader gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(120) == 141, err
    assert "Broken pipe" not in err and "Exception ignored" not in err, err


def test_cli_predict_reads_a_table_bertlab_wrote_as_its_texts_not_its_spreadsheet_guard(tiny_model, tiny_data,
                                                                                        tmp_path, capsys):
    """A review recomputing bertlab's numbers from outside: `report --predictions` writes the tweet "@united no u
    don't" as "'@united no u don't" (the spreadsheet guard), and `predict --file` on that CSV classified the text
    with its apostrophe: 242 of the tweets Quick demo's 500 test texts, 9 of head_only's and 17 of zero_shot's
    answers other than the ones bertlab stored. It takes the guard off now, with a note; someone else's file keeps
    its own apostrophes."""
    from bertlab.report import csv_text, for_spreadsheet
    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    texts = ["@united a wonderful film", "-5 stars, an awful plot", "'quoted' a wonderful film", "an awful plot",
             "=1+1 dull", "-1"]
    written = tmp_path / "written.csv"
    written.write_bytes(for_spreadsheet(csv_text([{"text": t, "true label": "pos"} for t in texts])))
    assert written.read_text(encoding="utf-8-sig").splitlines()[1] == "'@united a wonderful film,pos"
    assert main(["predict", rid, "--file", str(written), "--json"]) == 0
    out = capsys.readouterr()
    got = [json.loads(x) for x in out.out.splitlines()]
    assert [g["text"] for g in got] == texts
    assert main(["predict", rid, "--json", "--", *texts]) == 0
    direct = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [g["probabilities"] for g in got] == [d["probabilities"] for d in direct]
    assert "written.csv: took the ' off 4 cell(s) of column 'text'" in out.err
    own = tmp_path / "own.csv"
    own.write_text("text\n'90s hits a wonderful film\n@user an awful plot\n'@user dull\n")
    assert main(["predict", rid, "--file", str(own), "--json"]) == 0
    out = capsys.readouterr()
    assert [json.loads(x)["text"] for x in out.out.splitlines()] == ["'90s hits a wonderful film",
                                                                     "@user an awful plot", "'@user dull"]
    assert "took the '" not in out.err


def test_cli_predict_file_keeps_the_apostrophes_of_a_parquet_file_by_another_name(tmp_path, capsys):
    """A Parquet file named .csv (read_table tells it by its first bytes) holds no guard of bertlab's: `predict
    --file` reads its "'-) wink" as written, as the file loader does (mutation round 8: asked by its name alone,
    may_bear_guard took the apostrophes off, with the note blaming bertlab's CSVs)."""
    import pandas as pd

    from bertlab.cli import texts_from_file

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull"]
    pd.DataFrame({"text": texts}).to_parquet(tmp_path / "pq.csv")
    assert texts_from_file(str(tmp_path / "pq.csv"), None)[0] == texts
    assert "took the '" not in capsys.readouterr().err


def test_cli_predict_file_keeps_the_apostrophes_of_formats_bertlab_writes_no_guard_in(tmp_path, capsys):
    """The spreadsheet guard is bertlab's CSVs' alone: `predict -o --json` writes JSON lines with the texts as they
    are, and a Parquet file holds no formula. `predict --file` took the ' off a .jsonl's "'-) wink" ("-) wink", with
    the note about bertlab's CSVs); only a CSV (or a table a spreadsheet saved) has it taken off."""
    import pandas as pd

    from bertlab.cli import texts_from_file

    texts = ["'-) wink, a wonderful film", "an awful plot", "'@user dull"]
    (tmp_path / "own.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    pd.DataFrame({"text": texts}).to_parquet(tmp_path / "own.parquet")
    for name in ("own.jsonl", "own.parquet"):
        assert texts_from_file(str(tmp_path / name), None)[0] == texts, name
        assert "took the '" not in capsys.readouterr().err
    (tmp_path / "written.csv").write_text("text\n'-) wink\nan awful plot\n", encoding="utf-8")  # bertlab's guard
    assert texts_from_file(str(tmp_path / "written.csv"), None)[0] == ["-) wink", "an awful plot"]
    assert "took the ' off 1 cell(s) of column 'text'" in capsys.readouterr().err


def test_cli_predict_on_a_file_says_when_a_run_was_scored_under_autocast(tiny_model, tiny_data, tmp_path, capsys,
                                                                         monkeypatch):
    """A review: full_ft's test texts predicted again gave 97.65% against the reported 97.9% (scored with bf16
    autocast, predicted in fp32), said only in an export's README."""
    from bertlab import models
    from bertlab.runner import execute_run

    monkeypatch.setattr(models, "autocast_dtype", lambda *a, **k: None)  # fp32, on any CPU (where it answers so)

    store = RunStore()
    rid = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, max_length=24))
    assert execute_run(store, rid) == SUCCEEDED
    lines = tmp_path / "texts.txt"
    lines.write_text("a wonderful film\nan awful plot\n")
    assert main(["predict", rid, "--file", str(lines)]) == 0
    assert "autocast" not in capsys.readouterr().err  # fp32 here: the same answers as its scores
    store.update(rid, costs={**store.get(rid).costs, "precision": "bfloat16"})
    assert main(["predict", rid, "--file", str(lines)]) == 0
    assert (f"note: run {rid} (head_only, bfloat16) trained and scored its test texts under that autocast; these "
            "answers are fp32") in capsys.readouterr().err
    assert main(["predict", rid, "a wonderful film"]) == 0  # one typed text: no scores to check against
    assert "autocast" not in capsys.readouterr().err


def test_cli_json_names_two_settings_of_one_strategy_apart(tiny_model, tiny_csv, capsys):
    """A review: `run --lr head_only=1e-3,3e-2 --json` gave two head_only objects alike but for their ids, where the
    table, the answer and the CSV say `head_only (lr 0.001)` and `head_only (lr 0.03)`."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "--lr", "head_only=1e-3,3e-2",
                 "--model", tiny_model, "--max-length", "32", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted((r["name"], r["learning_rate"]) for r in rows) == [("head_only (lr 0.001)", 0.001),
                                                                      ("head_only (lr 0.03)", 0.03)]
    assert main(["runs", "--json"]) == 0
    assert sorted(r["name"] for r in json.loads(capsys.readouterr().out)) == ["head_only (lr 0.001)",
                                                                            "head_only (lr 0.03)"]


def test_cli_predict_reads_a_latin1_txt_as_the_data_page_reads_text(tiny_model, tiny_data, tmp_path, capsys):
    """A review: `predict --file l1.txt` (latin-1) classified 'caf� tr�s bien', where the same bytes in a .csv read
    'café très bien': the answer changed with it."""
    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    path = tmp_path / "l1.txt"
    path.write_bytes("café très bien\n".encode("latin-1"))
    assert main(["predict", rid, "--file", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out.splitlines()[0])["text"] == "café très bien"
    assert "read it as cp1252" in err


def test_cli_predict_says_what_reading_a_table_did(tiny_model, tiny_data, tmp_path, capsys):
    """`predict --file` printed a .txt's reading notes, not a table's: a latin-1 .csv read as cp1252, a header-less
    .csv whose first line was read as data and two columns named 'text' went unsaid (the Data page says each)."""
    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    latin = tmp_path / "l1.csv"
    latin.write_bytes("text,id\ncafé très bien,1\nun film raté,2\n".encode("latin-1"))
    assert main(["predict", rid, "--file", str(latin), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["text"] for line in out.splitlines()[:2]] == ["café très bien", "un film raté"]
    assert err.startswith("note: l1.csv is not valid UTF-8 (first bad byte at offset 11); read it as cp1252. Save it "
                          "as UTF-8 if characters look wrong.\n")
    twice = tmp_path / "twice.csv"
    twice.write_text("text,text\na fine film,un bon film\na dull one,un film ennuyeux\n")
    assert main(["predict", rid, "--file", str(twice), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["text"] for line in out.splitlines()[:2]] == ["a fine film", "a dull one"]
    assert err.startswith("note: twice.csv has 2 columns named 'text': read as 'text', 'text.1', in the file's order; "
                          "choose the one you mean with the column pickers (--text-column / --label-column), or give "
                          "them different names in the file\n")


def test_cli_predict_says_what_reading_a_table_did_before_refusing_its_column(tiny_model, tiny_data, tmp_path, capsys):
    """The reading notes were printed once the texts were found, so where the column was not, the note that explains
    why (a header-less file: its columns named 'column 1', 'column 2') went unsaid beside "no column 'text'"."""
    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    bare = tmp_path / "bare.csv"
    bare.write_text("a fine film,pos\n" + "".join(f"film {i},{'pos' if i % 2 else 'neg'}\n" for i in range(8)))
    assert main(["predict", rid, "--file", str(bare), "--text-column", "text"]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("note: bare.csv has no header line: its first line is a row of data ('pos' is a value of its "
                          "column in other rows too), so it is read as one, and the columns are named column 1, "
                          "column 2; a first line of column names (e.g. text,label) names them\n")
    assert "no column 'text'; its columns are ['column 1', 'column 2']" in err


def test_cli_run_refuses_bad_descriptions_and_a_repeated_option_before_anything_is_stored(tiny_csv, capsys):
    """A review: `run --strategies zero_shot --label-descriptions good` stored a failed run (exit 1) where the sweep
    refuses it up front; `--option tfidf_logreg.C=2 --option tfidf_logreg.C=8` used 8 without a word."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "--label-descriptions",
                 "good"]) == 2
    assert "--label-descriptions has 1 sentences but the data has 2 classes (neg, pos)" in capsys.readouterr().err
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--option", "tfidf_logreg.C=2",
                 "--option", "tfidf_logreg.C=8"]) == 2
    assert "--option tfidf_logreg.C is given twice" in capsys.readouterr().err
    assert RunStore().list_runs() == []


def test_cli_run_says_label_descriptions_no_chosen_strategy_reads(tiny_csv, tiny_model, capsys):
    """`run --strategies tfidf_logreg --label-descriptions ...` stored the sentences with a run that reads none of
    them, without a word: a 'warning:' line on stderr says so once; with zero_shot they are read, and nothing said."""
    base = ["run", "--dataset", str(tiny_csv), "--model", tiny_model, "--label-descriptions", "Bad.", "Good."]
    assert main([*base, "--strategies", "tfidf_logreg"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: --label-descriptions: only zero_shot reads label descriptions, and --strategies does "
                     "not name it; they are ignored.\n") == 1
    # a rerun of that run carries its stored sentences without a word; given again, they are said again
    rid = RunStore().list_runs(strategy="tfidf_logreg")[0].id
    assert main(["run", "--from-run", rid]) == 0
    assert "only zero_shot reads" not in capsys.readouterr().err
    assert main(["run", "--from-run", rid, "--label-descriptions", "Bad.", "Good."]) == 0
    assert "warning: --label-descriptions: only zero_shot reads" in capsys.readouterr().err
    assert main([*base, "--strategies", "zero_shot", "tfidf_logreg"]) == 0
    assert "only zero_shot reads" not in capsys.readouterr().err
    zero_shot = RunStore().list_runs(strategy="zero_shot")
    assert [r.config["label_descriptions"] for r in zero_shot] == [["Bad.", "Good."]]


def test_cli_runs_lists_a_stored_run_of_a_strategy_no_longer_registered(tiny_data, capsys):
    """A diff review: `runs` and `runs --json` stopped with "strategy 'old_removed' is unknown" on such a run."""
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data))
    with store._tx() as c:
        c.execute("UPDATE runs SET strategy=? WHERE id=?", ("old_removed", rid))
    assert main(["runs", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["strategy"] == "old_removed" and row["learning_rate"] is None and row["max_length"] is None


def test_cli_predict_leaves_a_damaged_run_of_a_list_out_and_exits_1(tiny_model, tiny_data, capsys):
    """A review: `predict ID1,ID2 "text"` with one run's model.safetensors cut short failed the whole command, where
    `predict all` and the app leave such a run out with a note. A list now answers with the rest, says who is left
    out, and exits 1 (a script that named its runs learns one did not answer); none able to answer: 2."""
    from bertlab.runner import execute_run

    store = RunStore()
    ids = []
    for seed in (0, 1):
        ids.append(store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, max_length=16,
                                                seed=seed)))
        assert execute_run(store, ids[-1]) == SUCCEEDED
    weights = next(store.artifact_path(ids[0]).rglob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])  # cut short
    assert main(["predict", ",".join(ids), "a wonderful film", "--json"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(x)["run_id"] for x in captured.out.splitlines()] == [ids[1]]
    assert f"note: left out: run {ids[0]}'s saved model in " in captured.err and "cannot be read" in captured.err
    assert f"exit status 1: 1 of the 2 runs named could not answer ({ids[0]}); the others did" in captured.err
    assert main(["predict", "all", "a wonderful film"]) == 0  # whichever can: the same note, exit 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{ids[1]} (head_only): ") and f"left out: run {ids[0]}'s" in captured.err
    assert main(["predict", ids[0], "a wonderful film"]) == 2  # the one run named: its error, as before
    assert "cannot be read" in capsys.readouterr().err
    weights = next(store.artifact_path(ids[1]).rglob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])
    assert main(["predict", ",".join(ids), "a wonderful film"]) == 2  # none can answer: an error
    captured = capsys.readouterr()
    assert captured.out == "" and "none of the 2 runs can predict (each is said above)" in captured.err
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    assert "the exit status is then 1 for a list" in " ".join(capsys.readouterr().out.split())


def test_cli_run_warns_before_launch_of_a_fine_tuning_run_too_short_to_judge(tiny_model, tiny_csv, capsys):
    """`run --epochs full_ft=1` on the Quick demo trained a model that answered one class to every text, with no
    word before launch; the Train page's warning is said by the CLI too, before the run starts."""
    assert main(["run", "--dataset", str(tiny_csv), "--model", tiny_model, "--strategies", "full_ft", "tfidf_logreg",
                 "--epochs", "full_ft=1", "--batch-size", "full_ft=32", "--max-length", "16"]) == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 1 and warned[0].startswith("warning: full_ft: only 2 optimizer steps")
    assert err.index(warned[0]) < err.index("full_ft · ")  # before the run starts


def test_cli_tables_write_accuracy_in_percent_as_the_answer_and_the_app_do(tiny_model, tiny_data, capsys):
    """`run` and `runs` printed 'test acc 0.700' and 'majority 0.577' while the answer under them, the app and the
    report said '70.0%' (a review); --json keeps the raw fractions."""
    from bertlab.cli import RUN_COLUMNS, format_table

    store = RunStore()
    rid = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data), "b-pct")
    store.finish(rid, SUCCEEDED, metrics={"test_accuracy": 0.7, "test_macro_f1": 0.65, "majority_accuracy": 0.577})
    assert main(["runs"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.endswith(rid))
    assert "  70.0%  " in line and "0.700" not in line
    assert main(["runs", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["run_id"] == rid)
    assert (row["test_accuracy"], row["majority_accuracy"]) == (0.7, 0.577)
    table = format_table([row], RUN_COLUMNS).splitlines()
    assert "70.0%" in table[2] and "57.7%" in table[2] and "0.577" not in table[2] and "0.700" not in table[2]
    assert "0.650" in table[2]  # macro-F1 stays a score from 0 to 1, as the app shows it


def test_cli_run_end_lines_label_the_wall_clock_and_the_stored_time(tiny_model, tiny_csv, capsys):
    """'zero_shot · 1cc4: succeeded after 7.7 s' beside Compare's '5.0 s in all ... (6.6 s with them computed)' and
    the CSV's total_seconds 6.62: three figures, none said to be which (a review)."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--model", tiny_model]) == 0
    err = capsys.readouterr().err
    total = RunStore().list_runs()[0].costs["total_seconds"]
    line = next(x for x in err.splitlines() if ": succeeded after " in x)
    assert line.endswith(f" s wall incl. loading; whole run {total:.1f} s as stored (total_seconds, as Compare and "
                         "the CSV give it)")
    from bertlab.cli import _stored_time

    # embeddings from the cache: this time's figure too, as Compare's "whole run ... this time"
    assert _stored_time({"total_seconds": 6.62, "wall_seconds": 5.0, "cache_saved_seconds": 1.6}) == (
        "; whole run 6.6 s as stored (total_seconds, as Compare and the CSV give it; 5.0 s this time, the embeddings from "
        "the cache)")
    # some from the cache (a first head_only after zero_shot, which had embedded validation and test): how many
    assert _stored_time({"total_seconds": 16.6, "wall_seconds": 13.4, "cache_saved_seconds": 3.2,
                         "embedded_texts": 680, "embedding_cache_hits": 258}).endswith(
        "; 13.4 s this time, 258 of 680 embeddings from the cache)")
    assert _stored_time(None) == ""  # a run that stored no time (failed early): the wall clock alone


def test_a_run_time_past_90_s_reads_in_minutes_wherever_it_is_worded():
    """Compare, the report and the answer word a run's time by format_duration ('1.3 min' from 90 s on); the CLI's
    end line, the trade-off sentences, the embedding cache's note and the sweep chart's hover said '95.3 s'."""
    from bertlab import pareto, sweep
    from bertlab.cli import _stored_time

    assert _stored_time({"total_seconds": 95.3, "wall_seconds": 80.0, "cache_saved_seconds": 15.3}).startswith(
        "; whole run 1.6 min as stored (total_seconds, as Compare and the CSV give it; 80.0 s this time")
    assert pareto.format_cost(95.3, "train_seconds") == "1.6 min" and pareto.format_cost(12.0, "train_seconds") == "12.0 s"
    rows = [{"strategy": s, "test_accuracy": 0.8, "train_seconds": 95.3} for s in ("head_only", "full_ft")]
    assert "(1.6 min)" in pareto.tradeoff_sentences(rows, "train_seconds")[0]
    agg = [{"strategy": "head_only", "name": "head_only", "n_train": n, "mean": 0.8, "std": None, "n_seeds": 1,
            "train_seconds": t} for n, t in ((50, 95.3), (100, None))]
    (trace,) = sweep.learning_curve_figure(agg).data[:1]
    assert [c[2] for c in trace.customdata] == ["1.6 min", "-"] and "%{customdata[2]}<" in trace.hovertemplate


def test_cli_runs_batch_list_says_a_batch_had_a_failed_run(tiny_model, tiny_data, capsys):
    """The app's batch titles say '· 1 failed'; `runs` listed the batch as if every run had gone well (a review)."""
    from bertlab.store import FAILED

    store = RunStore()
    ok = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data), "b-mixed")
    store.finish(ok, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5})
    bad = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data), "b-mixed")
    store.finish(bad, FAILED, error="RuntimeError: out of memory")
    fine = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data), "b-fine")
    store.finish(fine, SUCCEEDED, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5})
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    batches = out.split("latest batches")[1].splitlines()
    mixed = next(x for x in batches if x.startswith("  b-mixed  "))
    assert mixed.endswith("  1 failed"), mixed
    assert next(x for x in batches if x.startswith("  b-fine  ")).endswith(")")  # nothing to say: nothing said


def test_cli_runs_batch_list_says_what_differs_between_launches_that_read_alike(tiny_data, capsys):
    """28 quick launches at other split seeds and seeds all read 'zero_shot, head_only  (tiny.csv)' (a review)."""
    from dataclasses import replace

    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    for seed in (0, 7):
        for name in ("zero_shot", "head_only"):
            cfg = make_config(name, data=replace(tiny_data, seed=seed), seed=seed)
            store.finish(store.create_run(cfg, f"b-seed{seed}"), SUCCEEDED, metrics=done)
    other = make_config("tfidf_logreg", data=tiny_data)
    store.finish(store.create_run(other, "b-other"), SUCCEEDED, metrics=done)
    assert main(["runs"]) == 0
    batches = capsys.readouterr().out.split("latest batches")[1].splitlines()
    line = {b: next(x for x in batches if x.startswith(f"  {b}  ")) for b in ("b-seed0", "b-seed7", "b-other")}
    assert line["b-seed7"].endswith(")  split 7, seed 7"), line
    assert line["b-seed0"].endswith(")  split 0, seed 0"), line
    assert line["b-other"].endswith(")"), line  # already told apart: nothing added


def test_cli_runs_names_every_strategy_a_sweeps_points_use_as_the_app_does(tiny_model, tiny_data, capsys):
    """A sweep whose zero_shot points were reused from an earlier launch was listed as 'tfidf_logreg' alone, where
    the app named it '… runs of zero_shot, tfidf_logreg' (a review)."""
    from bertlab import sweep

    store = RunStore()
    spec = sweep.SweepSpec(strategies=["zero_shot", "tfidf_logreg"], sizes=[8], seeds=[0], model=tiny_model,
                           data=tiny_data)
    sweep_id, todo, _ = sweep.prepare(store, spec)
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    for pt in sweep.plan(spec):  # its zero_shot launched before it (another batch), its tfidf_logreg by it
        batch = "b-earlier" if pt.config.strategy == "zero_shot" else sweep_id
        store.finish(store.create_run(pt.config, batch), SUCCEEDED, metrics=done)
    assert main(["runs"]) == 0
    batches = capsys.readouterr().out.split("latest batches")[1].splitlines()
    line = next(x for x in batches if x.startswith(f"  {sweep_id}  "))
    assert line.startswith(f"  {sweep_id}  zero_shot, tfidf_logreg  ("), line


def test_a_sweep_whose_own_runs_were_cancelled_but_reused_points_finished_is_not_all_cancelled(tiny_model, tiny_data,
                                                                                               capsys):
    """Review: `runs` listed such a sweep as 'zero_shot, tfidf_logreg' (its reused zero_shot point had finished) and
    ended its line 'all cancelled', and `--batch latest` passed it over, reading undone batches from the sweep's own
    runs alone. Now all three read the runs the line lists: the sweep is the latest batch, its report its points."""
    from app_pages import common
    from bertlab import report, sweep

    store = RunStore()
    spec = sweep.SweepSpec(strategies=["zero_shot", "tfidf_logreg"], sizes=[8], seeds=[0], model=tiny_model,
                           data=tiny_data)
    sweep_id, _, _ = sweep.prepare(store, spec)
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    ids = {}
    for pt in sweep.plan(spec):  # its zero_shot finished in an earlier launch; the one run it queued was cancelled
        if pt.config.strategy == "zero_shot":
            ids["zero_shot"] = rid = store.create_run(pt.config, "b-earlier")
            store.finish(rid, SUCCEEDED, metrics=done)
        else:
            ids["tfidf_logreg"] = rid = store.create_run(pt.config, sweep_id)
            assert store.request_cancel(rid) == CANCELLED
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.split("latest batches")[1].splitlines() if x.startswith(f"  {sweep_id}  "))
    assert line.startswith(f"  {sweep_id}  zero_shot, tfidf_logreg  (") and line.endswith("  1 cancelled"), line
    assert "all cancelled" not in out
    runs = store.list_runs()
    assert sweep.undone(store, runs, {sweep_id}) == set()
    assert report.resolve_runs(store, batch="latest", points=True) == [ids["zero_shot"], ids["tfidf_logreg"]]
    assert report.resolve_runs(store, batch=sweep_id) == [ids["tfidf_logreg"]]  # delete, cancel: its own runs
    assert common.latest_batch(runs, {sweep_id}) == "b-earlier"  # a launch first, as before
    # where every batch is a sweep's, the app's default is the newest with something to show: this one
    assert common.latest_batch(runs, {sweep_id, "b-earlier"}) == sweep_id


def test_cli_runs_names_the_model_of_a_batch_on_another_model_than_the_default(tiny_model, tiny_data, capsys):
    """A single-model ALBERT batch read like one of MiniLM's: no column and no batch line named its model (a review).
    The default's table stays as it was."""
    from bertlab.variants import model_name

    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    store.finish(store.create_run(make_config("head_only", data=tiny_data), "b-default"), SUCCEEDED, metrics=done)
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:5] == ["strategy", "seed", "status", "dataset", "train"]
    assert next(x for x in out.splitlines() if x.startswith("  b-default  ")).endswith(f"({tiny_data.label})")
    for name in ("head_only", "tfidf_logreg"):  # tfidf_logreg reads no model: "-"
        store.finish(store.create_run(make_config(name, model=tiny_model, data=tiny_data), "b-other"), SUCCEEDED,
                     metrics=done)
    assert main(["runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:6] == ["strategy", "seed", "status", "dataset", "model", "train"]
    at = lines[0].index("model")
    cells = [line[at:].split()[0] for line in lines[2:5]]
    assert cells == ["-", model_name(tiny_model), "minilm"], lines
    assert next(x for x in lines if x.startswith("  b-other  ")).endswith(f" · {model_name(tiny_model)})")
    assert next(x for x in lines if x.startswith("  b-default  ")).endswith(f"({tiny_data.label})")


def test_cli_runs_cuts_a_long_model_name_to_fit_the_table_keeping_its_end(tiny_model, tiny_data, tmp_path, capsys):
    """A review: the model column was never cut, so a run on sentence-transformers/paraphrase-multilingual-MiniLM-
    L12-v2 made `runs` 137 to 155 columns wide where the README says about 120 (only the dataset was fitted). The
    model now shares the room the other columns leave, cut in its middle as the dataset is, its end kept."""
    from bertlab.cli import TABLE_WIDTH

    local = tmp_path / "sentence-transformers" / "paraphrase-multilingual-MiniLM-L12-v2"
    local.parent.mkdir()
    local.symlink_to(tiny_model)  # a local folder of that name is enough
    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    for model in (None, str(local)):
        config = make_config("head_only", data=tiny_data, **({"model": model} if model else {}))
        store.finish(store.create_run(config, "b-long"), SUCCEEDED, metrics=done)
    assert main(["runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = lines[:lines.index("")]
    assert max(map(len, table)) <= TABLE_WIDTH, table
    at = table[0].index("model")
    cells = [line[at:].split()[0] for line in table[2:]]
    assert cells[1] == "minilm" and "…" in cells[0] and cells[0].endswith("L12-v2"), cells


def test_cli_runs_batch_line_lists_the_models_of_a_batch_that_mixes_them(tiny_model, tiny_data, capsys):
    """A review: a batch of a run on the default model and one on another said no model at all in `runs`' batch
    line ('b-mixed  head_only  (tiny.csv)'): variants.batch_model gave none for several models, trusting each run's
    name to say its own, but `runs` names them without it. The README says the batch line shows their model where it
    is not the default; it now lists each, oldest run's first."""
    from bertlab.variants import model_name

    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    store.finish(store.create_run(make_config("head_only", data=tiny_data), "b-mixed"), SUCCEEDED, metrics=done)
    store.finish(store.create_run(make_config("head_only", data=tiny_data, model=tiny_model), "b-mixed"), SUCCEEDED,
                 metrics=done)
    assert main(["runs"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("  b-mixed  "))
    assert line.endswith(f"({tiny_data.label} · minilm, {model_name(tiny_model)})"), line


def test_cli_run_sets_weight_decay_and_warmup_per_strategy(tiny_csv, monkeypatch, capsys):
    """A review: `run --option full_ft.weight_decay=0.1` said "full_ft has no option 'weight_decay'", and nothing
    else set it or the warmup, which the Results CSV lists. --weight-decay and --warmup set them (VALUE or NAME=VALUE,
    as --lr), within their ranges, and the option says which flag sets it."""
    seen = _planned_configs(monkeypatch)
    main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "full_ft", "--json",
          "--weight-decay", "0.05", "full_ft=0.1", "--warmup", "full_ft=0.2"])
    by = {c.strategy: c for c in seen}
    assert (by["full_ft"].weight_decay, by["full_ft"].warmup_ratio) == (0.1, 0.2)
    assert by["head_only"].weight_decay == 0.05
    capsys.readouterr()
    for args, message in [(["--option", "full_ft.weight_decay=0.1"], "weight_decay is set by --weight-decay: "
                                                                      "--weight-decay full_ft=0.1"),
                          (["--warmup", "head_only=0.2"], "head_only does not use --warmup"),
                          (["--weight-decay", "2"], "--weight-decay 2: AdamW's weight decay is from 0 to 1"),
                          (["--warmup", "full_ft=1"], "--warmup full_ft=1: the warmup is a share of the training "
                                                      "steps, from 0 to below 1")]:
        assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "full_ft", *args]) == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(("flag", "field"), [("--weight-decay", "weight_decay"), ("--warmup", "warmup_ratio")])
def test_cli_optimiser_flags_refuse_exactly_what_runconfig_refuses(flag, field):
    """The flags' early check (before the data loads, in the flag's words) takes its rule from RunConfig's
    (config.OPTIMISER_RANGES): the two refuse the same values, the ends of each range included."""
    from bertlab.cli import build_parser, strategy_overrides
    from bertlab.config import RunConfig
    from bertlab.errors import BertlabError, ConfigError

    for v in (-0.01, 0.0, 0.5, 0.99, 1.0, 1.01):
        args = build_parser().parse_args(["run", "--strategies", "full_ft", flag, str(v)])
        try:
            strategy_overrides(args)
            cli_ok = True
        except BertlabError as e:
            assert str(e).startswith(f"{flag} {v:g}: "), e
            cli_ok = False
        try:
            RunConfig(strategy="full_ft", **{field: v})
            config_ok = True
        except ConfigError as e:
            assert str(e).startswith(f"{field} must be in "), e
            config_ok = False
        assert cli_ok == config_ok, (flag, v)


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_max_length_help_says_which_tokens_a_long_text_keeps_and_the_limit(command, capsys):
    """A long-document review: `run --help` said 'tokens per text; longer texts are cut' and `sweep --help`
    'tokens read per text': neither which part of a long article is read nor how far the value can go."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "a longer text keeps its first" in said and "512 for the packaged MiniLM" in said


def test_run_on_a_built_in_dataset_says_its_default_size_is_not_the_apps(capsys):
    """A reproducibility check: `run --dataset rotten_tomatoes` trains on the Standard size (2,000 / 500 / 1,000)
    and the app's Data page starts at the Quick demo (500 / 200 / 500), other texts and other scores, and for a
    built-in dataset nothing in run's output said which size it used."""
    assert main(["run", "--dataset", "rotten_tomatoes", "--strategies", "tfidf_logreg", "--json"]) == 0
    err = capsys.readouterr().err
    assert ("data: rotten_tomatoes; 2 classes; train 2,000, validation 500, test 1,000: the Standard size, run's "
            "default. The app's Data page starts at the Quick demo (500 / 200 / 500): --quick for those runs.") in err
    assert main(["run", "--dataset", "rotten_tomatoes", "--strategies", "tfidf_logreg", "--quick", "--json"]) == 0
    assert "data: " not in capsys.readouterr().err  # the app's size: nothing to tell apart


def test_zero_shot_examples_per_s_is_null_in_run_json_and_the_api_as_the_tables_say_n_a(tiny_model, capsys):
    """zero_shot trains nothing: it stores 0.0 examples/s, which the tables, the Results CSV and the report show as
    n/a, where `runs --json`, Comparison.table and RunResult.costs gave 0.0, a throughput of nothing. Null there;
    a run that trained keeps its figure."""
    import bertlab

    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    zs = store.create_run(make_config("zero_shot", model=tiny_model), "b-eps")
    store.finish(zs, SUCCEEDED, metrics=done,
                 costs={"train_seconds": 0.0, "train_examples_per_s": 0.0, "trainable_params": 0})
    ho = store.create_run(make_config("head_only", model=tiny_model), "b-eps")
    store.finish(ho, SUCCEEDED, metrics=done,
                 costs={"train_seconds": 2.0, "train_examples_per_s": 250.0, "trainable_params": 770})
    assert main(["runs", "--json"]) == 0
    rows = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[zs]["train_examples_per_s"] is None
    assert rows[ho]["train_examples_per_s"] == 250.0
    c = bertlab.load_comparison("b-eps")
    eps = dict(zip(c.table["run_id"], c.table["train_examples_per_s"]))
    assert eps[zs] != eps[zs] and eps[ho] == 250.0  # pandas' missing (NaN), not 0.0
    assert c[zs].costs["train_examples_per_s"] is None and c[zs].row["train_examples_per_s"] is None
    assert c[ho].costs["train_examples_per_s"] == 250.0


def test_cli_run_says_what_a_domain_file_gives_the_run_before_it_trains(tiny_model, tiny_csv, tmp_path, capsys):
    """dapt's --option dapt.domain_file in latin-1 with a test text in it: its reading note and the text left out
    were printed only with the finished runs' notes; they are printed before the first run starts."""
    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    sp = load_splits(DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None))
    f = tmp_path / "latin.txt"
    f.write_bytes(f"un café crème\n{sp.test.texts[0]}\n".encode("latin-1"))
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "dapt", "--model", tiny_model, "--epochs", "1",
                 "--max-length", "32", "--option", f"dapt.domain_file={f}"]) == 0
    err = capsys.readouterr().err
    before = err[:err.index("dapt · ")]  # before the run starts
    assert ("note: dapt: latin.txt is not valid UTF-8 (first bad byte at offset 6); read it as cp1252. Save it as "
            "UTF-8 if characters look wrong.") in before
    assert f"note: dapt: masked-LM on {len(sp.train)} training texts (labels unused) + 1 lines of latin.txt" in before
    assert "note: dapt: dropped 1 line of latin.txt that is a validation or test text" in before


def test_cli_run_twice_named_hint_names_each_strategy_its_own_settings(tiny_csv, capsys):
    """Mutation round 5, each passing this file's twice-named tests: two strategies no seed changes read 'what
    zero_shot or tfidf_logreg does ... one run of it' (the plural dropped); zero_shot beside head_only was told to
    vary --label-descriptions where head_only has epochs (any made all); and the --lr example named zero_shot, which
    reads no learning rate, for head_only (the first strategy named twice, not the first that reads one)."""
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "tfidf_logreg", "zero_shot",
                 "tfidf_logreg"]) == 2
    assert "No seed changes what zero_shot or tfidf_logreg do, so one run of each is all there is" in (
        capsys.readouterr().err)
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "head_only", "zero_shot",
                 "head_only"]) == 2
    err = capsys.readouterr().err
    assert "(--lr head_only=1e-3,3e-2)" in err and "run it once per setting (--epochs, --option ...)" in err


def test_run_on_a_large_file_says_which_splits_a_size_capped(tmp_path, capsys):
    """A file of 200,000 rows: run's data line read "train 2,000, validation 500, test 1,000", nothing saying a size
    had capped them (the Python API's line said so); with sizes that take every row it says nothing more."""
    import random

    from bertlab.data.builtin import load_builtin

    ds = load_builtin("rotten_tomatoes")
    rng = random.Random(0)
    rows = [(f"{ds.texts[i]} {ds.texts[rng.randrange(len(ds))]}", ds.label_names[ds.labels[i]])
            for i in rng.sample(range(len(ds)), 4000)]
    f = tmp_path / "big.csv"
    import csv

    with f.open("w", newline="") as fh:
        csv.writer(fh).writerows([("text", "label"), *rows])
    assert main(["run", "--dataset", str(f), "--strategies", "tfidf_logreg", "--json"]) == 0
    err = capsys.readouterr().err
    assert ("2 classes; train 2,000, validation 400, test 800 (train capped by the default size, the app's "
            "Standard; --train-size all --val-size all --test-size all takes every row)") in err
    assert main(["run", "--dataset", str(f), "--strategies", "tfidf_logreg", "--quick", "--json"]) == 0
    assert "(train, validation, test capped by the size asked for;" in capsys.readouterr().err
    assert main(["run", "--dataset", str(f), "--strategies", "tfidf_logreg", "--train-size", "all", "--json"]) == 0
    err = capsys.readouterr().err
    assert "data: big.csv" in err and "capped" not in err


def test_light_cli_commands_import_no_torch(bertlab_home):
    """`runs` took 4-6 s with 50 runs stored: naming them (variants.settings) read the strategy registry, whose
    modules imported torch and transformers. The light commands (`runs`, `show`, `delete`, `--help`) import neither
    now: the strategies import them when they run (each command in a fresh process, as a user types it)."""
    import os
    import subprocess
    import sys

    import bertlab
    from bertlab.strategies import REGISTRY

    store = RunStore()
    ids = []
    for name in REGISTRY:  # every strategy, two learning rates where they differ, finished and queued
        for lr in (2e-5, 5e-5):
            rid = store.create_run(make_config(name, learning_rate=lr))
            store.update(rid, status=SUCCEEDED, metrics={"test": {"accuracy": 0.8, "macro_f1": 0.8}},
                         data_summary={"sizes": {"train": 100, "val": 20, "test": 50}})
            ids.append(rid)
    store.create_run(make_config("lora", learning_rate=1e-4))
    top = str(Path(bertlab.__file__).resolve().parent.parent)
    env = {**os.environ, "BERTLAB_HOME": str(bertlab_home), "PYTHONPATH": top}
    code = ("import sys\nfrom bertlab.cli import main\ntry:\n    code = main(sys.argv[1:])\nexcept SystemExit as e:\n"
            "    code = e.code\nprint('exit', code, 'heavy', *(m for m in ('torch', 'transformers') if m in sys.modules))")
    for argv in (["runs"], ["runs", "--json"], ["show", ids[0]], ["delete", ids[1]], ["--help"], ["delete", "--help"]):
        out = subprocess.run([sys.executable, "-c", code, *argv], cwd=top, env=env, capture_output=True, text=True,
                             timeout=120)
        last = out.stdout.strip().splitlines()[-1]
        assert last == "exit 0 heavy", (argv, last, out.stderr[-2000:])
    assert store.get(ids[1]) is None  # the delete did delete
    listed = subprocess.run([sys.executable, "-m", "bertlab", "runs"], cwd=top, env=env, capture_output=True,
                            text=True, timeout=120).stdout
    assert "full_ft (lr 2e-05)" in listed and "full_ft (lr 5e-05)" in listed  # named by the registry's settings


def test_cli_run_says_why_one_finished_run_beside_a_failed_one_gets_no_answer(tiny_model, tiny_csv, monkeypatch,
                                                                            capsys):
    """One run finished and one failed: `run --json` printed no "Which one to use?" line at all, where the table
    form, the report and Compare say why there is no answer and what to do."""
    import bertlab.runner

    real = bertlab.runner.execute_run

    def tfidf_fails(store, run_id, on_progress=None):
        if store.get(run_id).strategy != "tfidf_logreg":
            return real(store, run_id, on_progress=on_progress)
        store.claim(run_id, "cpu")
        store.finish(run_id, "failed", error="ValueError: boom")
        return "failed"

    monkeypatch.setattr(bertlab.runner, "execute_run", tfidf_fails)
    why = ("Which one to use? No answer yet: only zero_shot finished, so there is nothing to compare it with. Ended "
           "without a result: tfidf_logreg (failed: ValueError: boom).")
    for json_flag in (["--json"], []):
        assert main(["run", "--dataset", str(tiny_csv), "--strategies", "zero_shot", "tfidf_logreg", "--model",
                     tiny_model, "--max-length", "32", *json_flag]) == 1
        out, err = capsys.readouterr()
        said = " ".join((err if json_flag else out).split())  # the table form wraps it under its heading
        assert why in said, said


def test_the_cut_text_sentence_says_no_run_reads_past_the_first_10000_characters():
    """A policy report pasted into the Playground beside tfidf_logreg and head_only said "This text's first 10,000
    characters are 1,649 tokens: head_only reads only its first 64": tfidf_logreg, not named, read as having read
    the whole report, of which it too read the first 10,000 characters. The sentence says so where a run read more
    tokens than another but the text was clipped; a text not clipped, or cut in every run, reads as before."""
    from bertlab.predict import MAX_TEXT_CHARS, cut_note

    names = {"a": "head_only", "b": "tfidf_logreg"}
    said = cut_note({"a": (1649, 64)}, True, names, everyone=False)
    assert said == (f"This text's first {MAX_TEXT_CHARS:,} characters are 1,649 tokens: head_only reads only its first "
                    f"64 (the max length it was run with). The others read its first {MAX_TEXT_CHARS:,} characters: "
                    "no model here reads past them.")
    assert "others" not in cut_note({"a": (1649, 64)}, False, names, everyone=False)
    assert "others" not in cut_note({"a": (1649, 64)}, True, names, everyone=True)


def test_cli_max_length_help_says_its_cost_as_the_train_page_does():
    """run's and sweep's --max-length said what it reads but not what it costs, where the Train page's field said a
    larger one makes each step slower (faster than in proportion) and a batch take more memory, and shorter texts cost
    the same: both now say it in the page's words (config.MAX_LENGTH_COST)."""
    from bertlab.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0]
    for command in ("run", "sweep"):
        parser = sub.choices[command]
        help_ = next(a.help for a in parser._actions if "--max-length" in a.option_strings)
        assert "the time of a step grows with the tokens read, faster than in proportion" in help_, command
        assert "so does the memory a batch takes" in help_ and "padded to its longest text only" in help_, command
        assert "faster than in proportion" in " ".join(parser.format_help().split()), command  # argparse renders it


def test_the_text_clip_is_one_constant_and_the_max_length_help_says_tfidf_reads_it_too(bertlab_home):
    """The 10,000-character clip (MAX_TEXT_CHARS) was defined twice, in bertlab.data.dataset and bertlab.predict, and
    run's --max-length help said "tfidf_logreg reads whole texts", where it reads the first 10,000 characters as every
    strategy does. It is defined once, in bertlab.config (which imports neither pandas nor torch, so the CLI's help
    says it without them), and run's and sweep's --max-length help say what tfidf_logreg reads."""
    import os
    import re
    import subprocess
    import sys

    import bertlab
    from bertlab import config, predict
    from bertlab.cli import build_parser
    from bertlab.data import dataset

    top = Path(bertlab.__file__).resolve().parent
    defined = [str(f.relative_to(top)) for f in sorted(top.rglob("*.py"))
               if re.search(r"^MAX_TEXT_CHARS\s*=", f.read_text(encoding="utf-8"), re.M)]
    assert defined == ["config.py"], defined
    assert dataset.MAX_TEXT_CHARS == predict.MAX_TEXT_CHARS == config.MAX_TEXT_CHARS
    sub = build_parser()._subparsers._group_actions[0]
    for command in ("run", "sweep"):
        help_ = next(a.help for a in sub.choices[command]._actions if "--max-length" in a.option_strings)
        assert "whole texts" not in help_, command
        reads = f"it reads the words of each text's first {config.MAX_TEXT_CHARS:,} characters, past which no strategy"
        assert f"tfidf_logreg has none: {reads} reads" in help_, command
    env = {**os.environ, "PYTHONPATH": str(top.parent)}
    for argv in (["--help"], ["run", "--help"], ["sweep", "--help"]):  # the help stays light
        out = subprocess.run([sys.executable, "-X", "importtime", "-m", "bertlab", *argv], cwd=top.parent, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        loaded = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
        assert "numpy" in loaded or "bertlab.config" in loaded  # importtime did list the imports
        assert not loaded & {"pandas", "torch"}, (argv, loaded & {"pandas", "torch"})


def test_the_runs_table_says_stopping_for_a_run_being_cancelled(tiny_model, tiny_data, capsys, request):
    """`runs` said 'running (stopping)' of a run asked to cancel that still ran, where show ('running, stopping
    (asked by ...)'), Compare ('stopping…') and cancel's own line ('stopping ...') say stopping: it says 'stopping'."""
    import socket
    import subprocess
    import sys

    import psutil

    from bertlab.cli import live_status

    store = RunStore()
    rid = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, max_length=32))
    store.claim(rid, "cpu")
    trainer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the process training it
    request.addfinalizer(trainer.kill)
    owner = f"{socket.gethostname()}:{trainer.pid}:{psutil.Process(trainer.pid).create_time():.0f}"
    store.update(rid, owner=owner)  # alive: `runs` leaves it running
    assert live_status(store.get(rid)).startswith("running 0%")
    assert store.request_cancel(rid) == "running"
    assert live_status(store.get(rid)) == "stopping"
    assert main(["runs"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if rid in line)
    assert "stopping" in row and "running" not in row, row


def test_predicts_wrote_line_says_its_counts_in_the_number_they_take(tiny_model, tiny_data, tmp_path, capsys):
    """`predict -o` said "wrote 1 predictions (1 texts x 1 run(s))": its counts take their number now, through
    bertlab.data.dataset.counted as the cleaning notes' do ('1 prediction (1 text x 1 run)', '2 predictions')."""
    from bertlab.runner import execute_run

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", model=tiny_model, data=tiny_data))
    assert execute_run(store, rid) == SUCCEEDED
    out = tmp_path / "preds.csv"
    assert main(["predict", rid, "great fun", "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"wrote 1 prediction (1 text x 1 run) to {out}\n"
    assert main(["predict", rid, "great fun", "awful", "--json", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == f"wrote 2 predictions (2 texts x 1 run) to {out} as JSON lines\n" and "(s)" not in err


def test_a_launch_and_a_sweep_default_to_one_list_of_strategies_wherever_they_are_started():
    """The strategies a launch trains where none are chosen stood in four copies: `run --strategies`' default (and
    its help's words), bertlab.compare's (its comment said "`python -m bertlab run`'s") and the Train page's first
    choice; a sweep's in `sweep --strategies`' and the Learning curves page's. Nothing tied them: a changed copy
    would leave the comment, the help and the README's "four strategies" untrue. Each now reads one tuple."""
    import ast

    from app_pages import common
    from bertlab import api, config, sweep
    from bertlab.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0]

    def default(cmd: str) -> tuple:
        return tuple(next(a.default for a in sub.choices[cmd]._actions if "--strategies" in a.option_strings))

    assert default("run") == config.DEFAULT_STRATEGIES == ("zero_shot", "head_only", "full_ft", "scratch")
    assert api.DEFAULT_STRATEGIES is config.DEFAULT_STRATEGIES
    assert default("sweep") == sweep.DEFAULT_SWEEP_STRATEGIES
    # The pages are page scripts (importing one runs it): their first choices, read from their sources, name each
    # list by its one name. Their aliases (common.CORE_STRATEGIES; the Learning curves page's DEFAULT_STRATEGIES, a
    # sweep's list under config.DEFAULT_STRATEGIES' name, a launch's) are gone.
    pages = Path(common.__file__).parent
    assert not hasattr(common, "CORE_STRATEGIES")
    train = ast.unparse(ast.parse((pages / "train.py").read_text()))
    assert "st.session_state['keep_strategies'] = common.last_strategies() or [n for n in DEFAULT_STRATEGIES " in train
    assert "from bertlab.config import DEFAULT_MODEL, DEFAULT_STRATEGIES," in train
    page = ast.parse((pages / "sweep.py").read_text())
    assert not any(isinstance(n, ast.Assign) and "DEFAULT_STRATEGIES" in ast.unparse(n.targets[0]) for n in page.body)
    assert "('keep_sw_strategies', [s for s in sweep.DEFAULT_SWEEP_STRATEGIES if s in REGISTRY])" in ast.unparse(page)
def test_the_cli_progress_bar_says_the_time_left_in_its_phase_as_the_app_does():
    """The CLI's bars said only the elapsed time ('full_ft 45%| 00:12, train'), where the app's sidebar beside it said
    '~43 s left': a bar now says its phase's time left as the status lines do, from the run's pace in the store,
    once it can be told; the phase alone before that, or while the store is a step behind."""
    from types import SimpleNamespace

    from bertlab.cli import bar_words

    now = 1_000_000.0
    run = SimpleNamespace(strategy="full_ft", config={"epochs": 3, "patience": 0}, phase="train", progress=0.5,
                          progress_at=now, pace_started=now - 60, phase_started=now - 60, data_summary={})
    store = SimpleNamespace(get=lambda rid: run if rid == "r1" else None)
    assert bar_words(store, "r1", 0.5, "train", now) == "train · ~60 s left"
    assert bar_words(store, "r1", 0.5, "test", now) == "test"  # the store still says train
    assert bar_words(store, "gone", 0.5, "train", now) == "train"
    run.config = {"epochs": 3, "patience": 1}  # Stop early after may end it sooner
    assert bar_words(store, "r1", 0.5, "train", now) == "train · up to ~60 s left"
    run.pace_started = now - 2  # too early to tell
    assert bar_words(store, "r1", 0.5, "train", now) == "train"


def test_run_json_and_the_results_csv_say_what_each_peak_memory_measured(tiny_model, capsys):
    """peak_memory_bytes alone did not say whether it was the RAM a run added or the GPU memory it allocated (on a
    GPU machine tfidf_logreg's is RAM, the others' the GPU's), nor that a CLI run, the first in its process, also
    holds the process's set-up: Compare's note and the report said so, `runs --json` and the Results CSV did not."""
    import csv
    import io

    from bertlab.report import results_csv

    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    gpu = store.create_run(make_config("full_ft", model=tiny_model), "b-mem")
    store.finish(gpu, SUCCEEDED, metrics=done, costs={"peak_memory_bytes": 2**30, "peak_memory_of": "cuda"})
    ram = store.create_run(make_config("tfidf_logreg", model=tiny_model), "b-mem")
    store.finish(ram, SUCCEEDED, metrics=done, costs={"peak_memory_bytes": 2**20, "peak_memory_of": "rss",
                                                      "memory_first_in_process": True})
    assert main(["runs", "--json"]) == 0
    rows = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows[gpu]["peak_memory_of"], rows[gpu]["memory_first_in_process"]) == ("cuda", False)
    assert (rows[ram]["peak_memory_of"], rows[ram]["memory_first_in_process"]) == ("rss", True)
    table = {r["run_id"]: r for r in csv.DictReader(io.StringIO(results_csv(store, [gpu, ram])))}
    assert (table[gpu]["peak_memory_of"], table[ram]["peak_memory_of"]) == ("cuda", "rss")


def test_none_is_a_value_of_an_option_only_where_its_default_is_none():
    """`--option full_ft.layer_decay=none` turns layer decay off (its default is None, 'or None for off'); an option
    with a default of its own takes no None: `lora.r=none` is refused as a value it does not take, not stored as an
    unset r."""
    from bertlab.cli import strategy_options
    from bertlab.errors import BertlabError

    assert strategy_options(["full_ft.layer_decay=none"], ["full_ft"]) == {"full_ft": {"layer_decay": None}}
    with pytest.raises(BertlabError, match=r"^--option lora\.r=none: r is 'none'; it takes a whole number from 1 to "
                                           r"256 \(default 8\)\.$"):
        strategy_options(["lora.r=none"], ["lora"])


def test_the_cli_refuses_an_options_value_in_the_words_bertlab_compare_does(tiny_csv, bertlab_home, capsys):
    """`run --option tfidf_logreg.ngram_max=abc` said "'abc' is not a whole number" (and lora.r=0 "r must be from 1
    to 256, got 0") where bertlab.compare says "ngram_max is 'abc'; it takes a whole number from 1 to 5 (default
    2)": the CLI now refuses through the same strategies.base.option_refusal, so both say the range. An option
    whose refusal offers None (full_ft's layer_decay, "or None for off") takes None."""
    from bertlab import compare
    from bertlab.cli import strategy_options
    from bertlab.errors import ConfigError
    from bertlab.strategies import get_strategy
    from bertlab.strategies.base import option_refusal

    for strategy, key, text, value in (("tfidf_logreg", "ngram_max", "abc", "abc"), ("lora", "r", "0", 0),
                                       ("full_ft", "layer_decay", "2", 2.0)):
        assert main(["run", "--dataset", str(tiny_csv), "--strategies", strategy,
                     "--option", f"{strategy}.{key}={text}"]) == 2
        why = option_refusal(get_strategy(strategy), key, value)
        assert why and f"--option {strategy}.{key}={text}: {why}." in capsys.readouterr().err
        with pytest.raises(ConfigError) as e:
            compare(str(tiny_csv), strategies=[strategy], settings={strategy: {"options": {key: value}}})
        assert why in str(e.value)
    assert strategy_options(["full_ft.layer_decay=None"], ["full_ft"]) == {"full_ft": {"layer_decay": None}}
    assert RunStore().list_runs() == []


def test_run_json_says_where_a_peak_memory_leaves_out_the_encoder_as_the_results_csv_does(tiny_model, capsys):
    """9d744b2 gave `run --json` / `runs --json` (and bertlab.compare's rows, read from the same fields) what each
    peak memory measured and whether the run was the first in its process, but not what the Results CSV beside it
    already said: that a run's figure leaves out the encoder (head_only after zero_shot in one CLI launch, the
    encoder loaded by then, or its embeddings cached), so a script read head_only's few MiB as what it needs."""
    import csv
    import io

    from bertlab.report import results_csv

    store = RunStore()
    done = {"test_accuracy": 0.8, "test_macro_f1": 0.8, "majority_accuracy": 0.5}
    cold = store.create_run(make_config("zero_shot", model=tiny_model), "b-enc")
    store.finish(cold, SUCCEEDED, metrics=done, costs={"peak_memory_bytes": 2**28, "peak_memory_of": "rss",
                                                       "memory_without_encoder": False})
    warm = store.create_run(make_config("head_only", model=tiny_model), "b-enc")
    store.finish(warm, SUCCEEDED, metrics=done, costs={"peak_memory_bytes": 2**22, "peak_memory_of": "rss",
                                                       "memory_without_encoder": True})
    assert main(["runs", "--json"]) == 0
    rows = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows[cold]["memory_without_encoder"], rows[warm]["memory_without_encoder"]) == (False, True)
    table = {r["run_id"]: r for r in csv.DictReader(io.StringIO(results_csv(store, [cold, warm])))}
    assert (table[cold]["memory_without_encoder"], table[warm]["memory_without_encoder"]) == ("False", "True")


def test_run_prints_each_runs_average_precision_on_the_rarest_class(tmp_path):
    """Compare and the report gained each run's precision-recall curve on the rarest class, its average precision
    and its precision at 90% recall; `run`'s output, which prints per-class tables on a rare class, had none of
    them. It now prints them (bertlab.prcurve's numbers, as the report's table reads them) under the precision
    table, and names a run that kept no probabilities with why, as the page does."""
    from bertlab import paired, prcurve
    from bertlab.cli import per_class_lines
    from bertlab.metrics import classification_report
    from bertlab.store import Run

    names = ["abusive", "ok"]
    labels = [0, 0] + [1] * 18  # 2 of 20 abusive

    def run(rid: str, strategy: str, abusive: list[float] | None, val: list[float] | None = None) -> Run:
        probs = None if abusive is None else [[p, 1 - p] for p in abusive]
        preds = labels if probs is None else [0 if p >= 0.5 else 1 for p in abusive]
        paired.save_predictions(tmp_path / rid, preds, labels, "fp", probs)
        if val is not None:  # its validation texts: 10 abusive at these probabilities, 5 'ok' at 0.1
            paired.save_predictions(tmp_path / rid, [0 if p >= 0.5 else 1 for p in val + [0.1] * 5],
                                    [0] * 10 + [1] * 5, "vfp", [[p, 1 - p] for p in val + [0.1] * 5],
                                    file=paired.VAL_PREDICTIONS_FILE)
        return Run(id=rid, batch_id="b", created=0.0, status=SUCCEEDED, strategy=strategy, dataset="d",
                   model="minilm", config={"seed": 0}, artifact_dir=str(tmp_path / rid),
                   metrics=classification_report(labels, preds, names) | {"label_names": names,
                                                                          "majority_accuracy": 0.9})

    # zero_shot ranks an 'ok' text at 0.6 and one at 0.5 between the abusive ones (0.7, 0.4): AP (1 + 2/4) / 2,
    # and both found only from 0.4 on, 2 of 4 answers right; head_only ranks both first
    zero = run("r0", "zero_shot", [0.7, 0.4, 0.6, 0.5] + [0.1] * 16)
    # head_only kept its validation probabilities: 90% recall there (9 of its 10 abusive texts) needs p >= 0.2,
    # which on the test texts answers all 20: 2 right (10%), both found; zero_shot is stored as before, without
    # (the columns of the threshold chosen on validation texts are new: this pin changed on purpose)
    head = run("r1", "head_only", [0.9, 0.8] + [0.3] * 18, val=[0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.2, 0.1])
    tfidf = run("r2", "tfidf_logreg", None)
    lines = per_class_lines([zero, head, tfidf])
    at = next(i for i, line in enumerate(lines) if line.startswith("Precision against recall on 'abusive'"))
    assert "the rarest class" in lines[at]
    assert [re.split(r"\s{2,}", line.strip()) for line in lines[at + 1:at + 4]] == [
        ["run", "average precision", "precision at 90% recall", "validation threshold", "test precision, recall at it"],
        ["zero_shot", "0.750", "50% (p ≥ 0.400)", "none kept (older run)", "-"],
        ["head_only", "1.000", "100% (p ≥ 0.800)", "p ≥ 0.200", "10%, 100%"]]
    # and at 90% precision (a second table, new: this pin changed on purpose): head_only's validation answers from
    # 0.2 are its 9 abusive texts there, all right (from 0.1, 10 of 15: 67%), so 0.2 (9 answered), on the test
    # texts 10% and 100% as above; its test curve: both from 0.8; zero_shot's: the one at 0.7, then an 'ok' at 0.6
    assert [re.split(r"\s{2,}", line.strip()) for line in lines[at + 4:at + 7]] == [
        ["run", "recall at 90% precision", "validation threshold (90% precision)", "test precision, recall at it"],
        ["zero_shot", "50% (p ≥ 0.700)", "none kept (older run)", "-"],
        ["head_only", "100% (p ≥ 0.800)", "p ≥ 0.200", "10%, 100%"]]
    said = " ".join(line.strip() for line in lines[at + 7:])
    assert said.startswith("Average precision: the area under a run's curve")
    assert "read on the test texts themselves (optimistic)" in said and "what it gets on unseen texts" in said
    assert said.endswith(f" No curve for tfidf_logreg: {prcurve.NO_PROBABILITIES}.")
    # no run kept probabilities: no table (nor on balanced classes, where no precision table is printed)
    assert not any(line.startswith("Precision against recall") for line in per_class_lines([tfidf]))


def test_run_says_a_threshold_chosen_on_few_validation_texts_is_unreliable_and_none_without_the_class(tmp_path):
    """`run`'s precision-recall table: a threshold chosen on 3 validation texts of the class says so ('unreliable:
    3'), and a run whose validation texts hold none of the class says 'no class text', not 'older run'
    (mutants18: dropping either passed every test)."""
    from bertlab import paired
    from bertlab.cli import pr_lines
    from bertlab.metrics import classification_report
    from bertlab.store import Run

    names, labels = ["abusive", "ok"], [0, 0] + [1] * 8
    abusive = [0.9, 0.7] + [0.2] * 8
    runs = []
    for rid, val_labels, val in (("r0", [0, 0, 0, 1], [0.95, 0.85, 0.8, 0.1]), ("r1", [1, 1], [0.2, 0.1])):
        preds = [0 if p >= 0.5 else 1 for p in abusive]
        paired.save_predictions(tmp_path / rid, preds, labels, "fp", [[p, 1 - p] for p in abusive])
        paired.save_predictions(tmp_path / rid, [0 if p >= 0.5 else 1 for p in val], val_labels, "vfp",
                                [[p, 1 - p] for p in val], file=paired.VAL_PREDICTIONS_FILE)
        runs.append(Run(id=rid, batch_id="b", created=0.0, status=SUCCEEDED, strategy="head_only", dataset="d",
                        model="minilm", config={"seed": 0}, artifact_dir=str(tmp_path / rid),
                        metrics=classification_report(labels, preds, names) | {"label_names": names}))
    lines = pr_lines(runs, {"r0": "few", "r1": "none"})
    rows = [re.split(r"\s{2,}", line.strip()) for line in lines[2:4]]
    # few: 90% of 3 texts is all 3, from 0.8: the two abusive test texts (0.9, 0.7) -> only 0.9 found, 1 of 1 right
    assert rows == [["few", "1.000", "100% (p ≥ 0.700)", "p ≥ 0.800 (unreliable: 3)", "100%, 50%"],
                    ["none", "1.000", "100% (p ≥ 0.700)", "no class text", "-"]]
