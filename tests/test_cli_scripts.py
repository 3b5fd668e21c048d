"""The CLI as scripts use it: the README's examples, machine-readable output, exit codes and error lines."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from conftest import deleting_the_rest_at_the_first_run  # tests/ is on sys.path

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_commands(command: str) -> list[list[str]]:
    """Each ``bertlab COMMAND ...`` line of the README's bash blocks (continuations joined, comments cut), as argv."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    out = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[2:4] == ["bertlab", command]:  # .venv/bin/python -m bertlab COMMAND
                out.append(words[3:])
    return out


def test_readme_run_examples_keep_each_strategys_own_epochs():
    """`run --strategies head_only full_ft ... --epochs 3` (the README's example) cut head_only from its 30 epochs to
    3 (macro-F1 0.373 where its default gave 0.923): an example's epochs are per strategy (full_ft=3)."""
    from bertlab.cli import bare_value_note, build_parser, per_strategy_values

    examples = _readme_commands("run")
    assert any("--epochs" in argv for argv in examples)
    for argv in examples:
        args = build_parser().parse_args(argv)
        bare, named = per_strategy_values("--epochs", args.epochs, int, "epochs", args.strategies)
        assert bare_value_note("--epochs", bare, "epochs", args.strategies, named) is None, shlex.join(argv)


def _two_tfidf_runs(tiny_data) -> list[str]:
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    ids = [store.create_run(make_config("tfidf_logreg", data=tiny_data, options={"C": c})) for c in (0.01, 16.0)]
    assert [execute_run(store, i) for i in ids] == [SUCCEEDED] * 2
    return ids


def test_paired_json_gives_machine_keys_and_fractions_as_run_json_does(tiny_data, capsys):
    """`paired --json` dumped the table's display rows ("A": "tfidf_logreg · 1e50", "A - B (points)": 2.67,
    "95% interval (points)": "-2.5 to +7.8") where run/runs --json give run ids and fractions, and printed no
    answer; now each pair has snake_case keys in fractions and the answer is on stderr."""
    from bertlab.cli import main

    ids = _two_tfidf_runs(tiny_data)
    assert main(["runs", "--json"]) == 0
    runs = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert main(["paired", *ids, "--json", "--judge-by", "accuracy"]) == 0
    out, err = capsys.readouterr()
    (row,) = json.loads(out)
    a, b = runs[row["a_run_id"]], runs[row["b_run_id"]]
    assert {row["a_run_id"], row["b_run_id"]} == set(ids) and (row["a_name"], row["b_name"]) == (a["name"], b["name"])
    assert row["diff"] == pytest.approx(a["test_accuracy"] - b["test_accuracy"])
    lo, hi = row["diff_ci95"]
    assert -1 <= lo <= row["diff"] <= hi <= 1
    assert 0 <= row["p_mcnemar"] <= 1 and "p_permutation" not in row and "p_holm" in row
    assert "Which one to use?" in err
    assert main(["paired", *ids, "--json", "--judge-by", "macro_f1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert 0 <= row["p_permutation"] <= 1 and row["p_holm"] == pytest.approx(row["p_permutation"])


def test_report_writes_an_output_named_dash_to_standard_output_as_predict_does(tiny_data, tmp_path, monkeypatch,
                                                                               capsys):
    """`report --csv -` wrote a file named '-' in the current folder (stdout empty, "wrote -" on stderr), where
    `predict -o -` writes to standard output: a script's `report --csv - | ...` read nothing. '-' is now standard
    output for -o, --csv and --predictions, and two of them named '-' are refused (they would mix)."""
    from bertlab.cli import main

    ids = _two_tfidf_runs(tiny_data)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    for flag, header in (("--csv", "run_id,"), ("--predictions", "row,"), ("-o", "<!doctype html>")):
        assert main(["report", *ids, flag, "-"]) == 0
        out, err = capsys.readouterr()
        assert out.lstrip().startswith(header) and "wrote to standard output" in err, flag
        assert not (tmp_path / "-").exists()
    # a run left out of the predictions: the note names where they went, not "-"
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    queued = store.create_run(make_config("tfidf_logreg", data=store.get(ids[0]).run_config.data))  # never trained
    assert main(["report", *ids, queued, "--predictions", "-"]) == 0
    err = capsys.readouterr().err
    assert "note: standard output holds the runs scored on the first run's test set; left out: " in err, err
    assert main(["report", *ids, "--csv", "-", "--predictions", "-"]) == 2
    assert "--csv and --predictions both name standard output" in capsys.readouterr().err


def test_predict_file_dash_reads_texts_from_standard_input(tiny_data, monkeypatch, capsys):
    """`printf 'great fun\n\nawful mess\n' | predict RUN --file -` said "--file '-' is not a file." (exit 2), where
    `predict -o -` writes to standard output; '-' now reads standard input, one text a line, as a .txt."""
    import io
    import sys

    from bertlab.cli import main

    rid = _two_tfidf_runs(tiny_data)[1]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"great fun\n\nawful mess\n")))
    capsys.readouterr()
    assert main(["predict", rid, "--file", "-", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [(r["row"], r["text"]) for r in map(json.loads, out.splitlines())] == [(1, "great fun"), (3, "awful mess")]
    assert "skipped 1 blank row(s) of standard input (2)" in err


def test_predict_file_dash_at_a_terminal_says_how_to_end_the_texts(tiny_data, monkeypatch, capsys):
    """`predict RUN --file -` typed at a terminal waited for input with nothing said (a review's find): there it says
    it reads one text a line until Ctrl-D; from a pipe, nothing more on stderr."""
    import io
    import sys

    from bertlab.cli import main

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    rid = _two_tfidf_runs(tiny_data)[1]
    hint = "reading texts from standard input, one a line; end with Ctrl-D"
    for stdin, shown in ((Terminal(io.BytesIO(b"great fun\n")), True), (io.TextIOWrapper(io.BytesIO(b"great fun\n")), False)):
        monkeypatch.setattr(sys, "stdin", stdin)
        capsys.readouterr()
        assert main(["predict", rid, "--file", "-", "--json"]) == 0
        out, err = capsys.readouterr()
        assert [r["text"] for r in map(json.loads, out.splitlines())] == ["great fun"]
        assert (hint in err) is shown, err


def test_predict_file_dash_names_standard_input_in_its_decoding_note(tiny_data, monkeypatch, capsys):
    """Standard input is read as a .txt is (UTF-8, UTF-16, else Windows-1252 with a note), its note naming it
    'standard input', not a file name."""
    import io
    import sys

    from bertlab.cli import main

    rid = _two_tfidf_runs(tiny_data)[1]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("un caf\u00e9 superb\n".encode("cp1252"))))
    capsys.readouterr()
    assert main(["predict", rid, "--file", "-", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [r["text"] for r in map(json.loads, out.splitlines())] == ["un caf\u00e9 superb"]
    assert "note: standard input is not valid UTF-8" in err and "standard input.txt" not in err


def test_predict_names_each_run_as_run_json_does(tiny_data, tmp_path, capsys):
    """`predict` labelled runs by strategy alone (`... (tfidf_logreg)`): two runs of one strategy at different
    settings could not be told apart, and its --json / -o CSV had no `name` where run/runs --json have one."""
    import pandas as pd

    from bertlab.cli import main

    ids = _two_tfidf_runs(tiny_data)
    assert main(["runs", "--json"]) == 0
    names = {r["run_id"]: r["name"] for r in json.loads(capsys.readouterr().out)}
    assert sorted(names.values()) == ["tfidf_logreg (C 0.01)", "tfidf_logreg (C 16)"]
    assert main(["predict", ",".join(ids), "a wonderful film"]) == 0
    out = capsys.readouterr().out
    assert all(f"{i} ({names[i]}): " in out for i in ids)
    assert main(["predict", ",".join(ids), "a wonderful film", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(r["run_id"], r["name"], r["strategy"]) for r in rows] == [(i, names[i], "tfidf_logreg") for i in ids]
    table = tmp_path / "texts.csv"
    pd.DataFrame({"text": ["a wonderful film"], "name": ["review 7"]}).to_csv(table, index=False)
    assert main(["predict", ",".join(ids), "--file", str(table), "-o", str(tmp_path / "p.csv")]) == 0
    got = pd.read_csv(tmp_path / "p.csv", encoding="utf-8-sig")
    assert list(got["name"]) == [names[i] for i in ids] and list(got["input_name"]) == ["review 7"] * 2


@pytest.mark.parametrize("command", [["run", "--strategies", "tfidf_logreg", "head_only"],
                                     ["sweep", "--strategies", "tfidf_logreg", "head_only", "--sizes", "8"]])
def test_a_max_length_beyond_the_models_positions_exits_2_with_nothing_stored(tiny_model, tiny_csv, command, capsys):
    """`run --max-length 1024` on a 512-position model stored a failed run and exited 1 where every other bad
    setting exits 2 with nothing stored (the tiny model has 128 positions)."""
    from bertlab.cli import main
    from bertlab.store import RunStore

    assert main([*command, "--dataset", str(tiny_csv), "--model", tiny_model, "--max-length", "256"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "max_length 256 is beyond the model's 128 positions; use at most 128" in err
    assert RunStore().list_runs() == []


@pytest.mark.parametrize("argv", [["paired", "RUN"], ["delete"], ["delete", "--batch", "latest"]])
def test_paired_and_delete_errors_read_as_every_other_error(argv, tiny_data, capsys):
    """`paired` and `delete` printed some errors without the `error: ` every other error line starts with, so a
    script grepping for it missed them."""
    from bertlab.cli import main
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    rid = RunStore().create_run(make_config("tfidf_logreg", data=tiny_data))  # one run: nothing to pair
    assert main([rid if a == "RUN" else a for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


def test_paired_says_the_same_run_was_named_twice_or_the_batch_has_one(tiny_data, capsys):
    """`paired X X` said "name at least two runs" to someone who had named two; a batch of one run the same."""
    from bertlab.cli import main
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), "b-one")
    assert main(["paired", rid, rid[-4:]]) == 2
    assert capsys.readouterr().err == (f"error: {rid} and {rid[-4:]} name the same run ({rid}) twice: name two "
                                       "different runs to compare.\n")
    assert main(["paired", "--batch", "b-one"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: batch b-one has one run ({rid}), nothing to compare it with") and "two runs" not in err


def test_runs_says_a_batch_stopped_by_ctrl_c_was_interrupted_not_all_cancelled(tiny_data, capsys):
    """`run` stopped by Ctrl-C marks the run in training interrupted and cancels the rest; `runs` then said the batch
    was "all cancelled"."""
    from bertlab.cli import main
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    trained, queued = (store.create_run(make_config(s, data=tiny_data), "b-stopped") for s in ("tfidf_logreg",
                                                                                                "zero_shot"))
    store.claim(trained, "cpu")
    store.mark_interrupted(reason="Ctrl-C while this run was training")
    store.request_cancel(queued)
    assert [store.get(i).status for i in (trained, queued)] == ["interrupted", "cancelled"]
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.strip().startswith("b-stopped"))
    assert line.endswith("1 interrupted, 1 cancelled") and "all cancelled" not in line
    assert "`--batch latest` for the first not all cancelled or interrupted):" in out


@pytest.mark.parametrize("command", [["run"], ["sweep", "--sizes", "8", "--seeds", "0"]])
def test_json_keeps_the_progress_lines_on_stderr_and_quiet_drops_them(tiny_csv, command, capsys):
    """`run --json` and `sweep --json` switched the per-run progress off, so a script watching stderr saw nothing
    for the whole training; now they stay on stderr (stdout is JSON alone) and --quiet is the way to silence."""
    from bertlab.cli import main

    argv = [*command, "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--json"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert re.search(r"^\[1/1\] tfidf_logreg .*: started$", err, flags=re.M)
    # the end line's wall time, then the stored one (each labelled, as another fix made it)
    assert re.search(r"^\[1/1\] tfidf_logreg .*: succeeded after [\d.]+ s wall incl. loading; whole run [\d.]+ s as stored ", err, flags=re.M)
    assert main([*argv, "--quiet"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert "[1/1]" not in err


@pytest.mark.parametrize("flag", ["-o", "--csv", "--predictions"])
def test_report_into_a_folder_that_takes_no_files_says_so_as_other_output_errors(tiny_data, tmp_path, flag,
                                                                                  monkeypatch, capsys):
    """`report -o /proc/x.html` printed the OS's own "error: [Errno 2] No such file or directory: '/proc/x.html'";
    now it reads as a folder that does not exist does (`cannot write report '...': ...`)."""
    from bertlab.cli import main

    ids = _two_tfidf_runs(tiny_data)
    target = str(tmp_path / "x.out")

    def refuse(*a, **k):
        raise FileNotFoundError(2, "No such file or directory")  # /proc: a folder that takes no new file

    monkeypatch.setattr(Path, "write_text", refuse)
    monkeypatch.setattr(Path, "write_bytes", refuse)
    assert main(["report", *ids, flag, target]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write ") and f" {target!r}: no such file or directory; " in err
    assert "Errno" not in err


@pytest.mark.parametrize("command", [["export", "{run}", "-o", "{out}.zip"], ["predict", "{run}", "good", "-o", "{out}"],
                                     ["predict", "{run}", "good", "--json", "-o", "{out}"],
                                     ["sweep", "--dataset", "{csv}", "--strategies", "tfidf_logreg", "--sizes", "8",
                                      "--seeds", "0", "--quiet", "--html", "{out}.html"]],
                         ids=["export", "predict-csv", "predict-json", "sweep-html"])
def test_every_written_file_into_a_folder_that_takes_no_files_says_so_as_report_does(tiny_data, tmp_path, command,
                                                                                     monkeypatch, capsys):
    """`export RUN -o /proc/x.zip` printed "error: [Errno 2] No such file or directory: '/proc/x.zip.part'" (its
    temporary name), as `predict -o` and `sweep --html` printed the OS's own words; now each says what it could not
    write and where, as `report -o` does (`cannot write model zip '...': ...`), and exits 2."""
    import plotly.io

    import bertlab.export
    from bertlab.cli import main

    ids = _two_tfidf_runs(tiny_data)
    target = str(tmp_path / "x")
    argv = [w.format(run=ids[0], out=target, csv=tiny_data.name) for w in command]

    def refuse(*a, **k):
        raise FileNotFoundError(2, "No such file or directory", target)  # /proc: a folder that takes no new file

    monkeypatch.setattr(Path, "write_text", refuse)
    monkeypatch.setattr(Path, "write_bytes", refuse)
    monkeypatch.setattr(bertlab.export.zipfile, "ZipFile", refuse)
    monkeypatch.setattr(plotly.io, "write_html", refuse)
    assert main(argv) == 2
    err = capsys.readouterr().err
    out = next(w for w in argv if w.startswith(target))
    last = err.splitlines()[-1]  # a sweep says its plan first
    assert last.startswith("error: cannot write ") and f" {out!r}: no such file or directory; " in last, err
    assert "Errno" not in err


def test_export_says_cannot_write_only_of_the_zip_and_names_the_zip_in_a_folder(tiny_data, tmp_path, monkeypatch,
                                                                                capsys):
    """A review: `export` wrapped the whole export in cli.writing, so a run's file it could not read (or a full /tmp
    while saving an encoder) read "cannot write model zip '...'; give a file in a folder you can write to", and
    `-o FOLDER/` that takes no file named the folder, not the zip. Now a read error keeps the OS's words, naming the
    file it could not read, and a write error names the zip inside the folder."""
    import builtins

    import bertlab.export
    from bertlab.cli import main

    run = _two_tfidf_runs(tiny_data)[0]

    def unreadable(path, mode="r", *a, **k):
        if "r" in mode and "b" in mode:  # the run's artifacts, as _add reads them
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(path, mode, *a, **k)

    with monkeypatch.context() as m:
        m.setattr(bertlab.export, "open", unreadable, raising=False)
        assert main(["export", run, "-o", str(tmp_path / "x.zip")]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert "cannot write" not in last and "Permission denied" in last and run in last, last
    assert not list(tmp_path.glob("x.zip*"))  # no half-written zip left

    def refuse(*a, **k):
        raise FileNotFoundError(2, "No such file or directory", "somewhere")  # /proc/: a folder that takes no file

    monkeypatch.setattr(bertlab.export.zipfile, "ZipFile", refuse)
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["export", run, "-o", f"{folder}/"]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith(f"error: cannot write model zip {str(folder / (run + '.zip'))!r}: no such file"), last


def test_sweep_png_writes_the_drawing_and_says_cannot_write_only_of_the_file(tiny_csv, tmp_path, monkeypatch, capsys):
    """A review: `sweep --png` wrapped the drawing in cli.writing too, so a browser that failed to start read "cannot
    write PNG plot 'x.png': ...; give a file in a folder you can write to". The figure is now drawn (to bytes) first,
    and only writing them is a write error."""
    import bertlab.report
    from bertlab.cli import main

    base = ["sweep", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--sizes", "8", "--seeds", "0",
            "--quiet"]
    drawn = b"\x89PNG\r\n\x1a\n a figure"
    monkeypatch.setattr(bertlab.report, "figure_png", lambda fig, *a, **k: drawn)
    out = tmp_path / "curves.png"
    assert main([*base, "--png", str(out)]) == 0
    assert out.read_bytes() == drawn

    def no_browser(*a, **k):
        raise FileNotFoundError(2, "No such file or directory", "/usr/bin/chromium")

    monkeypatch.setattr(bertlab.report, "figure_png", no_browser)
    capsys.readouterr()
    assert main([*base, "--png", str(tmp_path / "again.png")]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert "cannot write" not in last and "/usr/bin/chromium" in last, last


def test_sweep_json_curves_name_and_count_as_its_points_do(tiny_csv, capsys):
    """`sweep --json`'s curves gave `n_train` as a float (32.0) where its points gave 32, and said `majority` where
    the points say `majority_accuracy`."""
    from bertlab.cli import main

    assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--sizes", "8", "--seeds", "0",
                 "1", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    (curve,) = out["curves"]
    assert {p["n_train"] for p in out["points"]} == {8} and curve["n_train"] == 8 and type(curve["n_train"]) is int
    assert curve["majority_accuracy"] == pytest.approx(sum(p["majority_accuracy"] for p in out["points"]) / 2)
    assert "majority" not in curve and "majority_f1" not in curve and "majority_macro_f1" in curve


def test_runs_json_and_show_give_what_reproducing_a_run_needs(tiny_model, tiny_data, capsys):
    """A review: `runs --json` had no resolved precision, versions or test fingerprint (the store has them), no
    command printed one run's whole record (`bertlab show RUN`: invalid choice), and the report showed the
    config's "precision": "auto" alone. Now `runs --json` has them, `show` prints the record (--json: as JSON),
    and the report says what the run ran in beside its setting."""
    import torch

    import bertlab
    from bertlab.cli import main
    from bertlab.metrics import precision_text
    from bertlab.report import _configs_section
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    rid = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, epochs=1, max_length=32))
    assert execute_run(store, rid) == SUCCEEDED
    run = store.get(rid)
    ran = precision_text(run.costs["precision"])
    assert ran in ("bf16", "fp16", "fp32")
    assert main(["runs", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["precision"], row["precision_setting"]) == (ran, "auto")
    assert row["versions"]["torch"] == torch.__version__ and row["versions"]["bertlab"].startswith(bertlab.__version__)
    assert row["test_fingerprint"] == run.metrics["test_fingerprint"] and len(row["test_fingerprint"]) >= 8

    assert main(["show", rid[-4:], "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == rid and record["config"] == run.config and record["metrics"] == run.metrics
    assert record["costs"] == run.costs and record["data_summary"]["environment"]["torch"] == torch.__version__
    assert record["precision"] == {"setting": "auto", "ran_in": ran}
    assert record["paths"]["model"] == str(store.artifact_path(rid)) and record["paths"]["store"] == str(store.path)
    assert main(["show", rid]) == 0
    text = capsys.readouterr().out
    assert f"id: {rid}\n" in text and "\nconfig:\n  strategy: head_only\n" in text and "  data.seed: 0\n" in text
    assert f"\nprecision:\n  setting: auto\n  ran_in: {ran}\n" in text
    assert f"  test_fingerprint: {run.metrics['test_fingerprint']}\n" in text
    assert f"  environment.torch: {torch.__version__}\n" in text and f"  model: {store.artifact_path(rid)}\n" in text
    assert main(["show", "no-such-run"]) == 2
    assert "no-such-run" in capsys.readouterr().err
    assert f"Ran in {ran} (its precision setting: auto)." in _configs_section([run])


def test_run_from_run_reruns_a_stored_run_and_flags_given_override_its_settings(tiny_model, tiny_csv, capsys):
    """A review: the report said "The stored config, which reruns it", but nothing took a stored config back (`run`
    had no such option, and Compare offers Run again only for failed runs). `run --from-run RUN_ID` reruns it: the
    same data, split, strategy and settings (the same test set and, on this CPU, the same answers); a flag given
    overrides its setting; one choosing other data or strategies is refused."""
    from bertlab.cli import main
    from bertlab.report import _configs_section
    from bertlab.store import RunStore

    def run(*argv: str) -> dict:
        assert main(["run", *argv, "--quiet", "--json"]) == 0
        (row,) = json.loads(capsys.readouterr().out)
        return row

    first = run("--dataset", str(tiny_csv), "--strategies", "head_only", "--model", tiny_model, "--train-size", "40",
                "--split-seed", "2", "--lr", "head_only=0.02", "--epochs", "3", "--seed", "5", "--max-length", "32",
                "--precision", "fp32")
    store = RunStore()
    old = store.get(first["run_id"])
    again = run("--from-run", first["run_id"][-4:])
    new = store.get(again["run_id"])
    assert new.id != old.id and new.config == old.config
    assert again["test_fingerprint"] == first["test_fingerprint"] and again["test_accuracy"] == first["test_accuracy"]
    # flags given override (a cap given 'all': none); the rest stays as stored
    other = store.get(run("--from-run", old.id, "--seed", "0", "--lr", "0.05", "--train-size", "all")["run_id"])
    assert (other.config["seed"], other.config["learning_rate"], other.config["data"]["train_size"]) == (0, 0.05, None)
    changed = {k for k in old.config if old.config[k] != other.config[k]}
    assert changed == {"seed", "learning_rate", "data"}
    assert {k for k in old.config["data"] if old.config["data"][k] != other.config["data"][k]} == {"train_size"}
    # other data or another strategy: not a rerun
    for flag in (["--dataset", "rotten_tomatoes"], ["--strategies", "full_ft"], ["--text-column", "text"]):
        assert main(["run", "--from-run", old.id, *flag]) == 2
        assert f"{flag[0]} would change them" in capsys.readouterr().err
    # the report's words say how
    assert f"python -m bertlab run --from-run {old.id}</code> reruns it" in _configs_section([old])
    # its data file changed since: said, as the rerun reads it as it is now
    with open(tiny_csv, "a") as f:
        f.write("a new and lovely film,pos\n")
    assert main(["run", "--from-run", old.id, "--quiet", "--json"]) == 0
    assert f"warning: {old.config['data']['name']} changed since" in capsys.readouterr().err


def test_runs_json_has_the_optimiser_settings_a_runs_name_can_give(tiny_model, tiny_data, bertlab_home, capsys):
    """A diff review: a row could be named 'head_only (weight decay 0.1)' while `runs --json` had no weight_decay
    (nor warmup_ratio, grad_clip, keep_best, patience or the data's checksum), which the README says it holds. They are
    there now, as the Results CSV has them: null where the strategy does not use one (head_only: no warmup)."""
    from bertlab.cli import main
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    for name in ("head_only", "full_ft"):
        rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, epochs=1, max_length=32,
                                           weight_decay=0.1))
        assert execute_run(store, rid) == SUCCEEDED
    assert main(["runs", "--json"]) == 0
    rows = {r["strategy"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["head_only"]["weight_decay"] == rows["full_ft"]["weight_decay"] == 0.1
    assert rows["head_only"]["warmup_ratio"] is None and rows["full_ft"]["warmup_ratio"] == 0.1
    assert rows["full_ft"]["grad_clip"] == 1.0 and rows["full_ft"]["keep_best"] is False
    sha = store.get(rid).data_summary["file_sha256"]
    assert len(sha) == 64 and rows["full_ft"]["data_sha256"] == sha


def test_run_from_run_can_turn_off_a_stored_on_off_setting(tiny_model, tiny_csv, capsys):
    """A diff review: `--from-run` overrides stored settings with the flags given, but --keep-best, --new-vocab and
    --drop-rare-classes could only be turned on, so a keep-best run could not be rerun without keep-best. Their
    --no- forms turn them off; given nothing, the stored value stays."""
    from bertlab.cli import main
    from bertlab.store import RunStore

    def run(*argv: str) -> dict:
        assert main(["run", *argv, "--quiet", "--json"]) == 0
        (row,) = json.loads(capsys.readouterr().out)
        return RunStore().get(row["run_id"]).config

    first = run("--dataset", str(tiny_csv), "--strategies", "head_only", "--model", tiny_model, "--train-size", "40",
                "--epochs", "2", "--max-length", "32", "--keep-best", "--drop-rare-classes")
    rid = RunStore().list_runs(limit=1)[0].id
    assert first["keep_best"] is True and first["data"]["drop_rare"] is True
    kept = run("--from-run", rid)
    assert kept["keep_best"] is True and kept["data"]["drop_rare"] is True
    off = run("--from-run", rid, "--no-keep-best", "--no-drop-rare-classes")
    assert off["keep_best"] is False and off["data"]["drop_rare"] is False
    assert {k for k in first if first[k] != off[k]} == {"keep_best", "data"}


def _stored(strategy: str, run_id: str, status: str = "succeeded", **metrics):
    from bertlab.store import Run
    from bertlab.strategies import make_config

    return Run(id=run_id, batch_id="b", created=0.0, status=status, strategy=strategy, dataset="sst2", model="minilm",
               config=make_config(strategy).to_dict(),
               metrics={"test_accuracy": 0.8, "test_macro_f1": 0.79, "majority_accuracy": 0.5, **metrics},
               costs={"train_seconds": 1.0, "train_examples_per_s": 0.0, "trainable_params": 0, "device": "cpu"},
               data_summary={"sizes": {"train": 10, "validation": 5, "test": 10}})


def test_run_json_gives_the_kept_models_validation_scores_and_the_table_no_throughput_for_no_training():
    from bertlab import cli

    row = cli.result_row(_stored("zero_shot", "r-zero", val_accuracy=0.81, val_macro_f1=0.8, val_loss=0.42))
    assert (row["val_accuracy"], row["val_macro_f1"], row["val_loss"]) == (0.81, 0.8, 0.42)
    assert _cells_of(cli.format_table([row]))[0]["ex/s"] == "-"  # zero_shot trains nothing: no throughput, not 0.0


def _cells_of(table: str) -> list[dict[str, str]]:
    """A CLI table's rows as {header: cell}, its columns read off the dashes under the header."""
    import re

    head, dashes, *rows = table.split("\n\n")[0].splitlines()
    spans = [m.span() for m in re.finditer(r"-+", dashes)]
    return [{head[a:b].strip(): line[a:b].strip() for a, b in spans} for line in rows]


def test_the_table_lists_the_errors_of_failed_and_interrupted_runs_not_of_cancelled_ones():
    from bertlab import cli

    runs = [_stored("full_ft", "r-f", "failed"), _stored("lora", "r-i", "interrupted"),
            _stored("head_only", "r-c", "cancelled")]
    for r, why in zip(runs, ("out of memory", "the server stopped", "cancelled by the user")):
        r.error = why
    out = cli.format_table([cli.result_row(r) for r in runs])
    assert out.split("\n\n", 1)[1].splitlines() == ["errors:", "  full_ft: out of memory", "  lora: the server stopped"]


def test_a_long_dataset_name_is_cut_in_its_middle_keeping_more_of_its_end():
    from bertlab import cli

    assert cli._cut_middle("customer_support_tickets_2024.csv", 20) == "custome…ets_2024.csv"
    assert cli._cut_middle("short.csv", 20) == "short.csv"


def test_notes_of_one_finished_run_are_its_own_not_every_runs():
    from bertlab import cli

    done, failed = _stored("full_ft", "r-f"), _stored("lora", "r-l", "failed")
    done.notes, failed.notes = ["dropped 3 duplicate texts"], ["lora: out of memory"]
    assert cli.notes_lines([done, failed]) == ["Notes:", "  full_ft: dropped 3 duplicate texts",
                                               "  lora: out of memory"]


def test_output_to_a_pipe_whose_reader_stops_early_exits_141_as_every_command_does(tiny_data, tmp_path):
    """A review: `predict RUN --file texts.txt -o - | head` (3,000 rows, 430 KB) exited 0 where `runs | head`
    exits 141: one write of more than a pipe holds was cut short when the reader left, and Python dropped the rest
    without an error. `report -o -` (its HTML) did the same."""
    import os
    import subprocess
    import sys

    (rid,) = _two_tfidf_runs(tiny_data)[:1]
    texts = tmp_path / "texts.txt"
    texts.write_text("".join(f"text number {i} with a few words of a review\n" for i in range(3000)), encoding="utf-8")
    for argv in (["predict", rid, "--file", str(texts), "-o", "-"], ["report", rid, "-o", "-"]):
        proc = subprocess.Popen([sys.executable, "-m", "bertlab", *argv], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=dict(os.environ))
        assert proc.stdout.readline()  # a reader that takes its first line and leaves (`| head -1`)
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(300) == 141, (argv, err)
        assert "Broken pipe" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize("flag", ["--price-cpu", "--price-gpu"])
@pytest.mark.parametrize("value", ["-1", "nan", "1e7"])
def test_report_refuses_a_bad_price_naming_the_option_typed_not_a_field_of_the_code(flag, value, capsys):
    """A review: `report --price-cpu -1` said "price cpu_hour must be a number from 0 upwards", naming
    pareto.Prices' field, not the option the user typed (and 1e7, refused, is "from 0 upwards")."""
    from bertlab.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["report", "--batch", "b", flag, value, "--csv", "-"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and f"argument {flag}: {value!r} is not a price" in err, err
    assert "below 1,000,000" in err and "cpu_hour" not in err and "gpu_hour" not in err, err


@pytest.mark.parametrize("command", [["run", "--strategies", "tfidf_logreg"],
                                     ["sweep", "--strategies", "tfidf_logreg", "--sizes", "8", "--seeds", "0"]])
def test_a_run_deleted_as_soon_as_it_ended_is_not_a_traceback(tiny_csv, command, capsys, monkeypatch):
    """The launch's run deleted from another terminal the moment it ended (mutants16: reading its costs then, of a
    None, passed every test): its line is said without them, and the exit code fails (a run is lost)."""
    import bertlab.runner as runner
    from bertlab.cli import main
    from bertlab.store import RunStore

    real, ended = runner.execute_run, []

    def execute_run(store, rid, *args, **kwargs):
        status = real(store, rid, *args, **kwargs)
        ended.extend(RunStore().delete_finished([rid])[0])
        return status

    monkeypatch.setattr(runner, "execute_run", execute_run)
    code = main([*command, "--dataset", str(tiny_csv)])
    err = capsys.readouterr().err
    assert len(ended) == 1 and RunStore().list_runs(limit=None) == []
    assert re.search(r"^\[1/1\] .*succeeded", err, flags=re.M), err
    assert code == 1  # a run of the launch is lost: not a success (sweep: a point to run again)


@pytest.mark.parametrize("command", [["run", "--strategies", "tfidf_logreg"],
                                     ["sweep", "--strategies", "tfidf_logreg", "--sizes", "8", "--seeds", "0"]])
def test_a_run_deleted_as_soon_as_it_ended_is_said_in_the_words_compare_warns_with(tiny_csv, command, capsys,
                                                                                    monkeypatch):
    """Exit code 1 came with no line saying why (a review): the run's line read 'succeeded' and `run` said no
    more. Now its end is said as bertlab.compare warns it (store.DELETED_AS_IT_ENDED), on stderr."""
    import bertlab.runner as runner
    from bertlab.cli import main
    from bertlab.store import DELETED_AS_IT_ENDED, RunStore

    real = runner.execute_run

    def execute_run(store, rid, *args, **kwargs):
        status = real(store, rid, *args, **kwargs)
        RunStore().delete_finished([rid])
        return status

    monkeypatch.setattr(runner, "execute_run", execute_run)
    assert main([*command, "--dataset", str(tiny_csv)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"^\[1/1\] tfidf_logreg.* succeeded, then was {re.escape(DELETED_AS_IT_ENDED)}$", err,
                     flags=re.M), err


def test_a_sweeps_run_deleted_between_planning_and_queueing_is_not_a_traceback(tiny_csv, capsys, monkeypatch):
    """A point's run planned as reused (done by an earlier sweep) and deleted from elsewhere before the sweep read
    its status: `sweep` ended in "AttributeError: 'NoneType' object has no attribute 'status'". It is not waiting:
    the other points run, and the deleted one is said missing."""
    from bertlab import sweep
    from bertlab.cli import main
    from bertlab.store import RunStore

    base = ["sweep", "--dataset", str(tiny_csv), "--strategies", "tfidf_logreg", "--seeds", "0", "--sizes", "8"]
    assert main(base) == 0
    capsys.readouterr()
    real, deleted = sweep.prepare, []

    def prepare(store, spec, sweep_id=None):
        sweep_id, todo, reused = real(store, spec, sweep_id)
        deleted.extend(RunStore().delete_finished(reused)[0])
        return sweep_id, todo, reused

    monkeypatch.setattr(sweep, "prepare", prepare)
    code = main([*base, "16"])
    err = capsys.readouterr().err
    assert len(deleted) == 1 and RunStore().get(deleted[0]) is None
    assert "runs: 0 done or running, 0 queued earlier, 1 new" in err, err
    assert [r.config["data"]["train_size"] for r in RunStore().list_runs(limit=None)] == [16]
    assert "missing: " in err and "tfidf_logreg n=8 seed 0" in err and code == 1, err


@pytest.mark.parametrize("command", [["run", "--strategies", "tfidf_logreg", "zero_shot"],
                                     ["sweep", "--strategies", "tfidf_logreg", "--sizes", "8", "16", "--seeds", "0"]])
def test_a_queued_run_deleted_from_elsewhere_is_skipped_not_a_traceback(tiny_csv, command, capsys, monkeypatch):
    """A launch's queued run cancelled and deleted from another terminal (or Compare) before its turn: `run` ended in
    KeyError (execute_run's) and `sweep` in AttributeError ('NoneType' object has no attribute 'strategy': the
    store's get is None for it; followed up from a mypy finding), the runs after it never trained. Now it is
    said and skipped, and the comparison is of the runs still stored."""
    from bertlab.cli import main
    from bertlab.store import DELETED_WHILE_QUEUED, RunStore

    deleted = deleting_the_rest_at_the_first_run(monkeypatch)
    code = main([*command, "--dataset", str(tiny_csv)])
    out, err = capsys.readouterr()
    assert len(deleted) == 1 and RunStore().get(deleted[0]) is None
    assert re.search(rf"^\[2/2\] .*: {re.escape(DELETED_WHILE_QUEUED)}$", err, flags=re.M)
    assert [r.status for r in RunStore().list_runs(limit=None)] == ["succeeded"]
    if command[0] == "run":  # the table of the run still stored; one run of the launch is lost: not a success
        assert "tfidf_logreg" in out and "zero_shot" not in out and code == 1
