"""Head+tail truncation (RunConfig.truncation): a long text's start and end kept, everywhere a run reads texts."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest

from bertlab import embeddings
from bertlab.config import RunConfig
from bertlab.engine import encode
from bertlab.errors import ConfigError
from bertlab.models import load_tokenizer
from bertlab.predict import Predictor, cut_note
from bertlab.runner import execute_run, longer_texts_advice
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config

# a text whose start, middle and end are told apart by their words: 10 + 300 + 10 word pieces
LONG = "alpha " * 10 + "middle " * 300 + "omega " * 10


def _tokens(tok, ids: list[int]) -> list[str]:
    return tok.convert_ids_to_tokens(ids)


def test_head_tail_keeps_the_first_quarter_and_the_last_three_quarters(tiny_model):
    tok = load_tokenizer(tiny_model)
    full = tok(LONG)["input_ids"]
    head, both = (encode(tok, [LONG], 32, truncation=t).ids[0] for t in ("head", "head_tail"))
    assert len(head) == len(both) == 32
    # special tokens in place: [CLS] first, [SEP] last, none in between
    for ids in (head, both):
        words = _tokens(tok, ids)
        assert words[0] == "[CLS]" and words[-1] == "[SEP]" and "[SEP]" not in words[1:-1]
    # head: the first 31 tokens and [SEP]; head_tail: the first 8 (a quarter of 32) and the last 24
    assert head == full[:31] + [tok.sep_token_id]
    assert both == full[:8] + full[-24:]
    assert _tokens(tok, both)[1:8] == ["alpha"] * 7 and _tokens(tok, both)[-11:-1] == ["omega"] * 10
    assert "omega" not in _tokens(tok, head)


def test_a_short_text_is_read_whole_either_way(tiny_model):
    tok = load_tokenizer(tiny_model)
    texts = ["a short text", "alpha " * 30]  # 5 tokens, and exactly 32 with [CLS] and [SEP]
    assert len(tok(texts[1])["input_ids"]) == 32
    head, both = (encode(tok, texts, 32, truncation=t).ids for t in ("head", "head_tail"))
    assert head == both == tok(texts)["input_ids"]


def test_a_pair_is_cut_as_head_whatever_the_setting(tiny_model):
    tok = load_tokenizer(tiny_model)
    pair = "alpha " * 40 + "[SEP] " + "omega " * 40
    head, both = (encode(tok, [pair], 32, pairs=True, truncation=t) for t in ("head", "head_tail"))
    assert head.ids == both.ids and head.types == both.types


def test_the_embedding_cache_keeps_head_tail_apart_and_old_head_folders_read(tiny_model, tmp_path):
    head = embeddings.cache_dir(tiny_model, 32, None, tmp_path)
    assert embeddings.cache_dir(tiny_model, 32, None, tmp_path, "head") == head  # the folder it had before
    assert embeddings.cache_dir(tiny_model, 32, None, tmp_path, "head_tail") != head
    assert embeddings.cache_for(tiny_model, 32, None) is not embeddings.cache_for(tiny_model, 32, None, "head_tail")
    import torch

    cpu = torch.device("cpu")
    a = embeddings.EmbeddingCache(tiny_model, 32, None, root=tmp_path).get([LONG], cpu, device_name="CPU")
    b = embeddings.EmbeddingCache(tiny_model, 32, None, root=tmp_path, truncation="head_tail").get(
        [LONG], cpu, device_name="CPU")
    assert b.computed == 1  # not the head-only embedding found in the cache
    assert not torch.allclose(torch.from_numpy(a.vectors), torch.from_numpy(b.vectors))
    assert embeddings.cached_keys(tiny_model, 32, None, "CPU", tmp_path, "head_tail") == embeddings.text_keys([LONG])


def test_the_setting_is_checked_and_round_trips_and_an_old_config_reads_head():
    assert RunConfig("full_ft").truncation == "head"
    cfg = RunConfig("full_ft", truncation="head_tail")
    assert RunConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))).truncation == "head_tail"
    old = cfg.to_dict()
    del old["truncation"]
    assert RunConfig.from_dict(old).truncation == "head"
    with pytest.raises(ConfigError, match=r"truncation 'tail' is unknown; use one of \('head', 'head_tail'\)"):
        RunConfig("full_ft", truncation="tail")


@pytest.mark.parametrize("name", ["full_ft", "head_only"])
def test_a_head_tail_run_trains_tests_and_predicts_on_the_start_and_end(name, tiny_model, tiny_data, monkeypatch):
    import bertlab.engine as engine

    seen: list[str] = []
    real = engine.encode

    def spy(tokenizer, texts, max_length, pairs=False, truncation="head"):
        seen.append(truncation)
        return real(tokenizer, texts, max_length, pairs, truncation)

    for mod in ("bertlab.engine", "bertlab.embeddings", "bertlab.predict"):  # the first: those importing it late
        monkeypatch.setattr(f"{mod}.encode", spy)
    store = RunStore()
    rid = store.create_run(make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8,
                                       max_length=32, truncation="head_tail"))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).traceback
    run = store.get(rid)
    assert run.run_config.truncation == "head_tail" and seen and set(seen) == {"head_tail"}
    seen.clear()
    p = Predictor(store)
    p.predict([rid], [LONG])  # the Playground's path: the text cut as the run was
    assert seen == ["head_tail"]
    assert p.head_tail_runs([rid]) == {rid}
    note = cut_note(p.cut_texts([rid], LONG), False, {rid: name}, True, p.head_tail_runs([rid]))
    assert "every model here reads only its first 8 and last 24 (its start and end" in note


def test_a_run_stored_before_the_setting_reads_head(tiny_model, tiny_data):
    store = RunStore()
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, epochs=1, max_length=32))
    with sqlite3.connect(store.path) as c:
        cfg = json.loads(c.execute("SELECT config FROM runs WHERE id = ?", (rid,)).fetchone()[0])
        cfg.pop("truncation")
        c.execute("UPDATE runs SET config = ? WHERE id = ?", (json.dumps(cfg), rid))
    assert store.get(rid).run_config.truncation == "head"
    from bertlab.variants import settings

    assert settings(store.get(rid))["truncation"] == "head"


def test_compare_names_runs_apart_by_their_truncation(tiny_model, tiny_data):
    from bertlab.variants import labels, settings_text

    store = RunStore()
    ids = [store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data, truncation=t))
           for t in ("head", "head_tail")]
    tf = store.create_run(make_config("tfidf_logreg", data=tiny_data, truncation="head_tail"))
    runs = [store.get(i) for i in (*ids, tf)]
    names = labels(runs)
    assert names[ids[0]] == "full_ft (head truncation)" and names[ids[1]] == "full_ft (head_tail truncation)"
    assert names[tf] == "tfidf_logreg"  # it reads whole texts: no truncation to name
    assert "head_tail truncation" in settings_text(runs[1]) and "truncation" not in settings_text(runs[0])


def test_the_advice_names_head_tail_to_runs_that_cut_the_start_alone():
    at_limit = longer_texts_advice(512, 512, [100, 900])
    assert "keep its start and its end (head+tail truncation: 'Cut long texts to'" in at_limit
    assert "--truncation head_tail" in at_limit and "not built into bertlab" in at_limit
    done = longer_texts_advice(512, 512, [100, 900], "head_tail")
    assert "already keeps each text's start and its end" in done and "--truncation" not in done
    below = longer_texts_advice(128, 512, [100, 900])
    assert below.startswith("keeping each text's start and its end reads its ending too")
    assert "head+tail" not in longer_texts_advice(128, 512, [100, 900], "head_tail")


def test_the_cli_offers_truncation_on_run_and_sweep(tiny_model, tiny_csv, capsys):
    from bertlab.cli import main

    with pytest.raises(SystemExit):  # argparse: one of head, head_tail
        main(["run", "--dataset", str(tiny_csv), "--truncation", "tail"])
    assert "invalid choice: 'tail' (choose from 'head', 'head_tail')" in capsys.readouterr().err
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "tfidf_logreg", "--model", tiny_model,
                 "--max-length", "32", "--truncation", "head_tail"]) == 0
    runs = RunStore().list_runs()
    # tfidf_logreg reads whole texts: stored as head (make_config), as a run launched without the flag
    assert {r.strategy: r.run_config.truncation for r in runs} == {"head_only": "head_tail", "tfidf_logreg": "head"}
    capsys.readouterr()
    assert main(["sweep", "--dataset", str(tiny_csv), "--strategies", "head_only", "tfidf_logreg", "--sizes", "16",
                 "--seeds", "0", "--model", tiny_model, "--truncation", "head_tail", "--no-run"]) in (0, 1)
    capsys.readouterr()
    assert main(["sweep", "--list"]) == 0
    assert "head_only (head_tail truncation), tfidf_logreg  sizes: 16" in capsys.readouterr().out
    assert "--truncation {head,head_tail}" in _help(main, "run") and "--truncation" in _help(main, "sweep")


def _help(main, command: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([command, "--help"])
    return out.getvalue()


@pytest.mark.parametrize("strategy", ["full_ft", "head_only"])
def test_a_head_tail_runs_export_readme_cuts_texts_as_the_run_did(strategy, tiny_model, tiny_data, tmp_path):
    """The export README's code cut texts with truncation=True (their start): a head_tail run's README gives the
    lines that keep the start and end, and with them in place of its batch line it answers as bertlab does."""
    import os
    import subprocess
    import sys
    import zipfile

    import numpy as np

    from bertlab.export import export_model_zip

    store = RunStore()
    rid = store.create_run(make_config(strategy, model=tiny_model, data=tiny_data, epochs=1, batch_size=8,
                                       max_length=32, precision="fp32", truncation="head_tail"))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    readme = (tmp_path / "x" / rid / "README.txt").read_text()
    main, _, rest = readme.partition("This run cut a text longer than 32 tokens to its start and its end")
    assert rest.startswith(" (head+tail truncation: its first 8\ntokens")
    code = [line[4:] for line in main.splitlines() if line.startswith("    ")]
    block = [line[4:] for line in rest.split("\n\n")[1].splitlines() if line.startswith("    ")]
    batch = next(i for i, line in enumerate(code) if line.startswith("batch = tok("))
    code[batch:batch + 1] = block
    # the start praises, the end damns (past the first 8 tokens), and a text past 10,000 characters
    texts = ["a wonderful lovely film " + "plot " * 80 + "an awful boring dull film", "a short awful film",
             "an awful dull film " * 600 + "a wonderful lovely film " * 600]
    script = tmp_path / "x" / rid / "use_it.py"
    script.write_text("\n".join(code).replace('["some text"]', repr(texts))
                      + "\nimport json\nprint(json.dumps(probs.tolist()))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, script.name], cwd=tmp_path / "x" / rid, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout.strip().splitlines()[-1]
    ours = np.stack([p.probs[0] for p in (Predictor(store).predict([rid], [t])[0] for t in texts)])
    assert np.allclose(np.array(json.loads(out)), ours, atol=1e-4)


def test_a_pair_tasks_head_tail_run_reads_and_says_head(tiny_model, tmp_path):
    """A pair task's texts are cut as head whatever the setting (the tokenizer's longest-half-first cut keeps both
    texts and the [SEP] between them), a single text among them too: its notes, the Playground's cut note and its
    export README say head, not 'first 8 and last 24'."""
    import zipfile

    import pandas as pd

    from bertlab.config import DataConfig
    from bertlab.export import export_model_zip

    rows = [(f"alpha {i} " * 20 + t, f"omega {i} " * 20 + t, t) for i, t in enumerate(("good", "bad") * 20)]
    pd.DataFrame(rows, columns=["sentence1", "sentence2", "label"]).to_csv(tmp_path / "p.csv", index=False)
    data = DataConfig(source="file", name=str(tmp_path / "p.csv"), train_size=None, val_size=None, test_size=None,
                      text_column="sentence1", text_pair_column="sentence2")
    store = RunStore()
    # a config that holds head_tail all the same (one stored before make_config said head for a pair task)
    rid = store.create_run(make_config("head_only", model=tiny_model, data=data, epochs=1, max_length=32)
                           .replace(truncation="head_tail"))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    run = store.get(rid)
    assert run.data_summary["text_pair_column"] == "sentence2"
    assert any("longer than max_length 32 tokens and were cut to it, " in n for n in run.notes)
    assert not any("head+tail truncation)" in n for n in run.notes)
    p = Predictor(store)
    assert p.head_tail_runs([rid]) == set()
    tok = load_tokenizer(tiny_model)
    assert encode(tok, [LONG], 32, pairs=True, truncation="head_tail").ids == encode(tok, [LONG], 32).ids
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    assert "its start and its end" not in (tmp_path / "x" / rid / "README.txt").read_text()


def test_the_python_api_takes_truncation(tiny_model, tiny_csv):
    from bertlab import api

    c = api.compare(str(tiny_csv), ["head_only", "tfidf_logreg"], model=tiny_model, truncation="head_tail",
                    settings={"head_only": {"max_length": 32}}, progress=False)
    # tfidf_logreg reads whole texts: its run stores head, as one launched without the setting (make_config)
    assert {r.strategy: r.config.truncation for r in c.runs} == {"head_only": "head_tail", "tfidf_logreg": "head"}
    with pytest.raises(ConfigError, match="truncation 'both' is unknown"):
        api.compare(str(tiny_csv), ["head_only"], model=tiny_model, truncation="both", progress=False)


def test_head_tail_asked_of_a_strategy_or_task_it_changes_nothing_for_stores_head(tiny_csv, tmp_path):
    """tfidf_logreg (whole texts) and a pair task's runs (pairs cut as head) read texts alike under either setting:
    asked of a whole launch or sweep, head_tail is stored as head there (as zero_shot's class weights are), so the
    run is named, listed and reused as one launched without it. It was stored as head_tail: Compare, the CSV and
    `runs --json` called a pair task's run 'head_only (head_tail truncation)' though it kept no text's end, and a
    head_tail sweep trained tfidf_logreg's points again beside identical head ones."""
    from bertlab import sweep
    from bertlab.config import DataConfig
    from bertlab.variants import labels

    pair = DataConfig(source="file", name=str(tmp_path / "p.csv"), text_column="a", text_pair_column="b")
    assert make_config("tfidf_logreg", truncation="head_tail").truncation == "head"
    assert make_config("head_only", data=pair, truncation="head_tail").truncation == "head"
    assert make_config("head_only", data=dataclasses.asdict(pair), truncation="head_tail").truncation == "head"
    assert make_config("head_only", truncation="head_tail").truncation == "head_tail"  # single texts: kept
    # a head_tail sweep reuses a head sweep's tfidf_logreg points, and plans head_only's anew
    store = RunStore()
    data = DataConfig(source="file", name=str(tiny_csv))
    head = sweep.SweepSpec(strategies=["tfidf_logreg"], sizes=[16], data=data, seeds=[0])
    for cfg in sweep.split_points(store, head)[0]:
        store.create_run(cfg)  # queued: a sweep reuses it as a finished one
    both = sweep.SweepSpec(strategies=["tfidf_logreg", "head_only"], sizes=[16], data=data, seeds=[0],
                           common={"truncation": "head_tail"})
    todo, reused = sweep.split_points(store, both)
    assert [c.strategy for c in todo] == ["head_only"] and len(reused) == 1
    assert sweep.shown_strategies(both) == ["tfidf_logreg", "head_only (head_tail truncation)"]
    # a pair task's head_tail and head runs are one variant, named alike
    a, b = (store.get(store.create_run(make_config("head_only", data=pair, truncation=t))) for t in ("head_tail", "head"))
    assert len(set(labels([a, b]).values())) == 1 and "truncation" not in " ".join(labels([a, b]).values())


def test_an_explanation_of_a_long_text_says_a_head_tail_run_read_its_unweighed_end(tiny_model, tiny_data, capsys):
    """Word occlusion weighs a long text's first 60 words; a head_tail run that cuts the text reads its end too, so
    its top words were all of the start while its answer could rest on the end. `predict --explain` (and the
    Playground's 'Which words decided it?', through the same note) said only 'Only the first 60 of this text's 330
    words were weighed'; it now names the runs that read the end and how many of its tokens."""
    from bertlab import explain
    from bertlab.cli import main

    store = RunStore()
    ids = [store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, max_length=32, truncation=t))
           for t in ("head", "head_tail")]
    for rid in ids:
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).traceback
    p = Predictor(store)
    assert explain.end_readers(p, ids, LONG) == {ids[1]: 24}  # the head run reads the start alone
    assert explain.end_readers(p, ids, "a few words") == {}  # not cut: read whole
    found = explain.explain(p, ids, LONG)
    assert found[0].capped
    note = explain.capped_note(found[0], explain.end_readers(p, ids, LONG), {ids[1]: "head_only (head_tail)"})
    assert note.startswith("Only the first 60 of this text's 320 words were weighed") and (
        "head_only (head_tail) also reads the text's end (its last 24 tokens: head+tail truncation), and no word "
        "of it was weighed") in note
    assert explain.capped_note(found[0]).endswith("to stay fast.")  # no run reading the end: as before
    capsys.readouterr()
    assert main(["predict", ",".join(ids), "--explain", LONG]) == 0
    err = capsys.readouterr().err
    assert "head_only (head_tail truncation) also reads the text's end (its last 24 tokens" in err
    # the Playground's "Which words decided it?" says it too, under the same note
    from tests.test_app_pages import app_on, no_problems

    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value(LONG).run()
    next(b for b in at.button if b.label == "Predict").click().run()
    at.toggle(key="pg_explain").set_value(True).run()
    no_problems(at)
    assert any("Only the first 60 of this text's 320 words" in c.value and "also reads the text's end (its last 24 "
               "tokens" in c.value for c in at.caption), [c.value for c in at.caption if "first 60" in c.value or "cut" in c.value]
