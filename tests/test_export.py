"""Model export (zip of the save_pretrained directory) and pickle-free artifacts of the new strategies."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import torch

from bertlab.errors import BertlabError
from bertlab.export import artifact_kind, export_model_zip
from bertlab.predict import Predictor
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config

TEXTS = ["a wonderful lovely film", "an awful boring plot"]


def _run(store, name, tiny_model, tiny_data, **kw):
    cfg = make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32, **kw)
    rid = store.create_run(cfg)
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    return rid


def test_lora_export_loads_with_plain_transformers(tiny_model, tiny_data, tmp_path):
    from safetensors import safe_open
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    store = RunStore()
    rid = _run(store, "lora", tiny_model, tiny_data, learning_rate=1e-2)
    assert artifact_kind(store, rid) == "classifier"
    z = export_model_zip(store, rid, tmp_path / "m.zip")
    names = zipfile.ZipFile(z).namelist()
    assert f"{rid}/model.safetensors" in names and f"{rid}/README.txt" in names
    assert not any(n.endswith((".bin", ".pt", ".pkl", ".pth")) for n in names)
    # readable by all once unzipped (the run's own files are 0600): a container running as another user loads it
    assert {(i.external_attr >> 16) & 0o777 for i in zipfile.ZipFile(z).infolist()} == {0o644}
    zipfile.ZipFile(z).extractall(tmp_path / "x")
    d = tmp_path / "x" / rid
    with safe_open(str(d / "model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert not any("lora" in k or "base_layer" in k for k in keys)  # adapters merged away
    model = AutoModelForSequenceClassification.from_pretrained(d, use_safetensors=True).eval()
    tok = AutoTokenizer.from_pretrained(d)
    with torch.no_grad():
        probs = model(**tok(TEXTS, return_tensors="pt", padding=True)).logits.softmax(-1).numpy()
    ours = Predictor(store).predict([rid], TEXTS)[0].probs
    assert np.allclose(probs, ours, atol=1e-4)


def test_lora_merged_model_differs_from_base(tiny_model, tiny_data):
    """Merging must carry the trained adapters: the saved attention weights moved away from the base."""
    from safetensors import safe_open

    store = RunStore()
    rid = _run(store, "lora", tiny_model, tiny_data, learning_rate=5e-2)
    art = store.artifact_path(rid)
    with safe_open(str(art / "model.safetensors"), "pt") as f:
        q = f.get_tensor("bert.encoder.layer.0.attention.self.query.weight")
        k_emb = f.get_tensor("bert.embeddings.word_embeddings.weight")
    from pathlib import Path

    with safe_open(str(Path(tiny_model) / "model.safetensors"), "pt") as f:
        prefix = "" if "encoder.layer.0.attention.self.query.weight" in f.keys() else "bert."
        q0 = f.get_tensor(prefix + "encoder.layer.0.attention.self.query.weight")
        e0 = f.get_tensor(prefix + "embeddings.word_embeddings.weight")
    assert not torch.allclose(q, q0)
    assert torch.equal(k_emb, e0)  # frozen parts stay bit-identical


def test_tfidf_artifact_has_no_pickle_and_matches_sklearn(tiny_model, tiny_data):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from bertlab.data import load_splits
    from bertlab.strategies.tfidf_logreg import TOKEN_PATTERN, TfidfModel

    store = RunStore()
    rid = _run(store, "tfidf_logreg", tiny_model, tiny_data, options={"C": 2.0})
    art = store.artifact_path(rid)
    # Hidden folders hold what bertlab derives for itself (.eval: the test predictions), not the model.
    assert sorted(p.name for p in art.iterdir() if not p.name.startswith(".")) == ["bertlab_run.json", "tfidf.json",
                                                                                 "tfidf.safetensors"]
    assert not list(art.rglob("*.pkl")) and not list(art.rglob("*.pickle"))
    sp = load_splits(tiny_data)
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN_PATTERN, max_features=200_000)
    x = vec.fit_transform(sp.train.texts)
    clf = LogisticRegression(C=2.0, max_iter=2000, random_state=0).fit(x, sp.train.labels)
    want = clf.predict_proba(vec.transform(sp.test.texts + TEXTS))
    model = TfidfModel.load(art)
    assert np.allclose(model.transform(sp.test.texts).toarray(), vec.transform(sp.test.texts).toarray(), atol=1e-9)
    assert np.allclose(model.predict_proba(sp.test.texts + TEXTS), want, atol=1e-5)
    got = Predictor(store).predict([rid], TEXTS)[0].probs
    assert np.allclose(got, want[-2:], atol=1e-5)
    names = zipfile.ZipFile(export_model_zip(store, rid)).namelist()
    assert f"{rid}/tfidf.safetensors" in names


def test_tfidf_finds_chinese_and_japanese_words_by_character_and_reads_older_runs_as_they_were(tmp_path):
    """Unspaced scripts: each character is a word (and pairs of them 2-grams), so texts share features (whole
    clauses had been one "word" each); other text is split exactly as before; a run saved before the pattern was
    recorded is read with the pattern it was trained with."""
    import json
    import re

    from bertlab.strategies.tfidf_logreg import LEGACY_TOKEN_PATTERN, TOKEN_PATTERN, TfidfModel

    assert re.findall(TOKEN_PATTERN, "耳机质量很好，物超所值。") == list("耳机质量很好物超所值")
    assert re.findall(TOKEN_PATTERN, "この電気ケトルは") == list("この電気ケトルは")
    assert re.findall(TOKEN_PATTERN, "film中文 i am ok, 2024 café") == ["film", "中", "文", "am", "ok", "2024", "café"]
    texts = ["质量很好", "很好的耳机", "非常好用", "质量很差", "很差的耳机", "非常难用"]
    model, _ = TfidfModel.fit(texts, [1, 1, 1, 0, 0, 0], C=10.0, ngram_max=2, max_features=None, seed=0)
    assert {"好", "差", "很 好"} <= set(model.terms)
    assert model.predict_proba(["真好"])[0].argmax() == 1 and model.predict_proba(["真差"])[0].argmax() == 0
    model.save(tmp_path)
    assert TfidfModel.load(tmp_path).token_pattern == TOKEN_PATTERN
    meta = json.loads((tmp_path / "tfidf.json").read_text())
    del meta["token_pattern"]
    (tmp_path / "tfidf.json").write_text(json.dumps(meta))
    assert TfidfModel.load(tmp_path).token_pattern == LEGACY_TOKEN_PATTERN


def test_tfidf_keeps_marked_words_whole_and_counts_each_emoji_and_its_export_readme_reads_them_alike(
        tiny_model, tmp_path):
    """Python's \\w has no combining marks: Hindi was cut at every vowel sign and virama and its one-letter pieces
    dropped ('भारत ने क्रिकेट मैच जीता' gave ['रत']), vowelled Arabic likewise, and emoji were dropped, so a
    sentiment they carried scored the majority class. Words keep their marks, each emoji is a word, English and
    Chinese split as before, and the export README's code (the same pattern, escaped) reads them as bertlab does."""
    import json
    import os
    import re
    import subprocess
    import sys

    import pandas as pd

    from bertlab.config import DataConfig
    from bertlab.strategies.tfidf_logreg import TOKEN_PATTERN, TfidfModel

    assert re.findall(TOKEN_PATTERN, "भारत ने क्रिकेट मैच जीता") == ["भारत", "ने", "क्रिकेट", "मैच", "जीता"]
    assert re.findall(TOKEN_PATTERN, "كَتَبَ الوَلَدُ") == ["كَتَبَ", "الوَلَدُ"]
    assert re.findall(TOKEN_PATTERN, "WOW 😍😍 #happy 👍🏽 ❤️") == ["WOW", "😍", "😍", "happy", "👍", "❤"]
    assert re.findall(TOKEN_PATTERN, "cafe\u0301 i am ok, 2024 film中文") == ["cafe\u0301", "am", "ok", "2024", "film", "中",
                                                                             "文"]
    assert TOKEN_PATTERN.isascii()  # escapes only: it is pasted into the export README's code
    topics = {"खेल": ["क्रिकेट", "खिलाड़ी", "मैच", "गेंद"], "तकनीक": ["कंप्यूटर", "सॉफ़्टवेयर", "इंटरनेट", "फ़ोन"]}
    texts, labels = [], []
    for label, words in topics.items():
        for i in range(24):
            texts.append(f"{words[i % 4]} {words[(i + 1) % 4]} की खबर {i}")
            labels.append(label)
    for label, faces in {"good": "😍👍🎉", "bad": "😡👎💔"}.items():
        for i in range(24):
            texts.append(f"{faces[i % 3]} {faces[(i + 1) % 3]} day {i}")
            labels.append(label)
    names = sorted(set(labels))
    model, _ = TfidfModel.fit(texts, [names.index(x) for x in labels], C=10.0, ngram_max=2, max_features=None, seed=0)
    assert {"क्रिकेट", "कंप्यूटर", "😍", "💔"} <= set(model.terms)
    asks = ["क्रिकेट", "इंटरनेट", "🎉", "👎"]
    assert [names[i] for i in model.predict_proba(asks).argmax(1)] == ["खेल", "तकनीक", "good", "bad"]
    data = tmp_path / "scripts.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(data, index=False)
    store = RunStore()
    rid = _run(store, "tfidf_logreg", tiny_model, DataConfig(source="file", name=str(data)), options={"C": 10.0})
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    readme = (tmp_path / "x" / rid / "README.txt").read_text()
    code = "\n".join(line[4:] for line in readme.splitlines() if line.startswith("    "))
    script = tmp_path / "x" / rid / "use_it.py"
    script.write_text(re.sub(r'\["some text"\]', repr(asks), code) + "\nimport json\nprint(json.dumps(probs.tolist()))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, script.name], cwd=tmp_path / "x" / rid, env=env, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    answer = Predictor(store).predict([rid], asks)[0]
    assert answer.labels == ["खेल", "तकनीक", "good", "bad"] and not any(answer.unknown)
    assert np.allclose(np.array(json.loads(out)), answer.probs, atol=1e-4)


def test_export_refuses_unknown_and_unfinished_runs(tiny_model, tiny_data):
    store = RunStore()
    with pytest.raises(BertlabError, match="no run with id"):
        export_model_zip(store, "20990101-000000-abcdef")
    rid = store.create_run(make_config("full_ft", model=tiny_model, data=tiny_data))
    with pytest.raises(BertlabError, match="is queued"):
        export_model_zip(store, rid)
    assert artifact_kind(store, rid) is None


def test_cli_export(tiny_model, tiny_data, tmp_path, capsys):
    from bertlab.cli import main

    store = RunStore()
    rid = _run(store, "head_only", tiny_model, tiny_data)
    capsys.readouterr()
    assert main(["export", rid, "-o", str(tmp_path / "h.zip")]) == 0
    assert f"{rid}/head.safetensors" in zipfile.ZipFile(tmp_path / "h.zip").namelist()
    # its "wrote ..." is a message, on stderr as report's and predict's: it was on stdout, mixed with data
    assert capsys.readouterr() == ("", f"wrote {tmp_path / 'h.zip'}\n")
    assert main(["export", "nope-nope"]) == 2


def test_cli_export_to_a_folder_or_a_missing_one(tiny_model, tiny_data, tmp_path, capsys):
    from bertlab.cli import main

    rid = _run(RunStore(), "head_only", tiny_model, tiny_data)
    assert main(["export", rid, "-o", str(tmp_path)]) == 0  # a folder: <run id>.zip inside it
    assert zipfile.is_zipfile(tmp_path / f"{rid}.zip")
    capsys.readouterr()
    assert main(["export", rid, "-o", str(tmp_path / "missing" / "m.zip")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.part"))
    # a folder's name ending in '/' is a folder, made if need be: it wrote a zip named "exports" (a review: 12 runs
    # exported there, the last one kept)
    assert main(["export", rid, "-o", str(tmp_path / "exports") + "/"]) == 0
    assert zipfile.is_zipfile(tmp_path / "exports" / f"{rid}.zip")
    # a name that is neither a zip's nor a folder's is refused, with the two ways out
    assert main(["export", rid, "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "is neither a .zip file name nor a folder" in err and "out.zip" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("strategy", ["full_ft", "head_only", "zero_shot", "tfidf_logreg"])
def test_the_export_readmes_code_runs_alone_and_answers_as_bertlab(strategy, tiny_model, tiny_data, tmp_path):
    """Unzip anywhere, run the README's code with plain transformers: same answers as bertlab's, long texts cut
    at the run's max_length as in training (a text past the encoder's 512 positions crashed the old snippet)."""
    import json
    import os
    import re
    import subprocess
    import sys

    store = RunStore()
    rid = _run(store, strategy, tiny_model, tiny_data, precision="fp32")
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    readme = (tmp_path / "x" / rid / "README.txt").read_text()
    code = "\n".join(line[4:] for line in readme.splitlines() if line.startswith("    "))
    assert "bertlab" not in code and ("max_length=32" in code or strategy == "tfidf_logreg")
    if strategy == "tfidf_logreg":
        assert "sklearn" not in code and "import torch" not in code  # numpy and safetensors only
    long_text = "a wonderful lovely film " * 300  # far past 512 tokens
    past_the_cut = "an awful dull film " * 600 + "a wonderful lovely film " * 600  # its praise after 10,000 chars
    texts = [*TEXTS, long_text, past_the_cut, "Ünïcode WONDERFUL, lovely film!! a-b 42 x",  # case, accents...
             "film中文 很好 lovely"]  # and a script written without spaces
    script = tmp_path / "x" / rid / "use_it.py"
    script.write_text(re.sub(r'\["some text"\]', repr(texts), code) + "\nimport json\nprint(json.dumps(probs.tolist()))\n")
    # its own process, in the README's folder, with no bertlab on the path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, script.name], cwd=tmp_path / "x" / rid, env=env, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]  # the README's folder, as it says
    ours = np.stack([p.probs[0] for p in (Predictor(store).predict([rid], [t])[0] for t in texts)])
    assert np.allclose(np.array(json.loads(out)), ours, atol=1e-4)
    if strategy == "tfidf_logreg":
        return
    if strategy == "full_ft":  # the tokenizer itself says what the model was trained on
        from transformers import AutoTokenizer

        assert AutoTokenizer.from_pretrained(tmp_path / "x" / rid).model_max_length == 32
    else:
        assert (tmp_path / "x" / rid / "encoder" / "model.safetensors").is_file()


def _onnx_readme_answers(store, rid, folder, starts: str) -> None:
    """Run the README's ONNX code (from the paragraph starting ``starts``) alone, in its folder, in a process of
    its own without bertlab on the path: the same probabilities as bertlab's, texts cut at max_length as ever."""
    import json
    import os
    import re
    import subprocess
    import sys

    readme = (folder / "README.txt").read_text()
    part = readme[readme.index(starts):]
    code = "\n".join(line[4:] for line in part.splitlines() if line.startswith("    "))
    assert "import torch" not in code and "bertlab" not in code
    texts = [*TEXTS, "a wonderful lovely film " * 300]  # and one cut at max_length
    script = folder / "onnx_it.py"
    script.write_text(re.sub(r'\["some text"\]', repr(texts), code)
                      + "\nimport json\nprint(json.dumps((e / e.sum(1, keepdims=True)).tolist()))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, script.name], cwd=folder, env=env, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    ours = np.stack([p.probs[0] for p in (Predictor(store).predict([rid], [t])[0] for t in texts)])
    assert np.allclose(np.array(json.loads(out)), ours, atol=1e-3)


def test_an_onnx_export_answers_as_bertlab_through_onnx_runtime_alone(tiny_model, tiny_data, tmp_path, capsys):
    """For CPU serving: model.onnx in the zip, checked against PyTorch, and its README code runs with onnxruntime
    and a tokenizer only."""
    from bertlab.cli import main

    pytest.importorskip("onnxruntime")
    store = RunStore()
    rid = _run(store, "full_ft", tiny_model, tiny_data, precision="fp32")
    assert main(["export", rid, "--onnx", "-o", str(tmp_path / "m.zip")]) == 0
    z = zipfile.ZipFile(tmp_path / "m.zip")
    assert f"{rid}/model.onnx" in z.namelist() and f"{rid}/model.safetensors" in z.namelist()
    z.extractall(tmp_path / "x")
    _onnx_readme_answers(store, rid, tmp_path / "x" / rid, "model.onnx is the same model")
    # a run with no network to export: said before any work
    tid = _run(store, "tfidf_logreg", tiny_model, tiny_data)
    with pytest.raises(BertlabError, match="an ONNX export covers the strategies that run a BERT encoder; "
                                           "tfidf_logreg has none"):
        export_model_zip(store, tid, tmp_path / "t.zip", onnx=True)
    assert not (tmp_path / "t.zip").exists()


@pytest.mark.parametrize("strategy", ["head_only", "zero_shot"])
def test_a_frozen_encoder_runs_onnx_export_answers_as_bertlab_without_torch(strategy, tiny_model, tiny_data, tmp_path):
    """head_only is often the cheap winner: its encoder as encoder/model.onnx, pooling and head in numpy."""
    pytest.importorskip("onnxruntime")
    store = RunStore()
    rid = _run(store, strategy, tiny_model, tiny_data, precision="fp32")
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip", onnx=True)).extractall(tmp_path / "x")
    assert (tmp_path / "x" / rid / "encoder" / "model.onnx").is_file()
    _onnx_readme_answers(store, rid, tmp_path / "x" / rid, "encoder/model.onnx is the encoder")


def test_a_run_scored_in_bf16_says_so_in_its_exports_readme(tiny_model, tiny_data, tmp_path):
    """A persona: the fp32 export scored 74.47% where bertlab (bf16 autocast) reported 74.71%: two texts at 0.50."""
    store = RunStore()
    rid = _run(store, "head_only", tiny_model, tiny_data)
    store.update(rid, costs={**store.get(rid).costs, "precision": "bfloat16"})
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "b.zip")).extractall(tmp_path / "b")
    assert "bertlab trained and scored this run with bfloat16 autocast" in (tmp_path / "b" / rid / "README.txt").read_text()
    store.update(rid, costs={**store.get(rid).costs, "precision": "float16"})  # a GPU without bf16: fp16 autocast
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "h.zip")).extractall(tmp_path / "h")
    assert "bertlab trained and scored this run with float16 autocast" in (tmp_path / "h" / rid / "README.txt").read_text()
    store.update(rid, costs={**store.get(rid).costs, "precision": "fp32"})
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "f.zip")).extractall(tmp_path / "f")
    assert "autocast" not in (tmp_path / "f" / rid / "README.txt").read_text()


def test_a_run_that_kept_no_test_fingerprint_gets_no_accuracy_check_in_its_readme(tiny_model, tiny_data, tmp_path):
    """The README's accuracy check names the test set by its fingerprint: a run stored before runs kept one has no
    test set to name, and its README offers no check ("test set None") rather than one that cannot be followed."""
    store = RunStore()
    rid = _run(store, "head_only", tiny_model, tiny_data)
    metrics = {k: v for k, v in store.get(rid).metrics.items() if k != "test_fingerprint"}
    store.update(rid, metrics=metrics)
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "o.zip")).extractall(tmp_path / "o")
    readme = (tmp_path / "o" / rid / "README.txt").read_text()
    assert "To check the test accuracy bertlab reported" not in readme and "test set None" not in readme


def test_a_bf16_runs_export_readme_names_fp32_as_the_reference_not_autocast(tiny_model, tiny_data, tmp_path):
    """A user who followed the README's hint and scored under bf16 autocast got 75.6% where bertlab said 75.8%; plain
    fp32 gave 75.8%. The README now says fp32 is the closest reference and bf16 results can differ by a text or two."""
    store = RunStore()
    rid = _run(store, "head_only", tiny_model, tiny_data)
    store.update(rid, costs={**store.get(rid).costs, "precision": "bfloat16"})
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "b.zip")).extractall(tmp_path / "b")
    text = " ".join((tmp_path / "b" / rid / "README.txt").read_text().split())
    assert "fp32, the closest reference outside bertlab" in text
    assert "bfloat16 results can differ by a text or two" in text
    assert "bertlab's own scoring ran the forward pass under torch.autocast" not in text


def test_artifact_kind_tells_a_missing_or_damaged_saved_model_apart_without_raising(tiny_model, tiny_data):
    """A cut-short bertlab_run.json raised JSONDecodeError out of artifact_kind (a traceback on Accuracy vs cost)."""
    import shutil

    from bertlab.export import DAMAGED, MISSING
    from bertlab.strategies.base import ARTIFACT_META

    store = RunStore()
    rid = _run(store, "tfidf_logreg", tiny_model, tiny_data)
    assert artifact_kind(store, rid) == "tfidf"
    meta = store.artifact_path(rid) / ARTIFACT_META
    for damage in (meta.read_text()[:40], "[1, 2]", "{}"):
        meta.write_text(damage)
        assert artifact_kind(store, rid) == DAMAGED
    meta.unlink()
    assert artifact_kind(store, rid) == MISSING
    shutil.rmtree(store.artifact_path(rid))
    assert artifact_kind(store, rid) == MISSING


def test_cli_export_of_a_run_whose_saved_files_are_damaged_says_so_in_words(tiny_model, tiny_data, tmp_path, capsys):
    """A cut-short bertlab_run.json or tfidf.json: `export` crashed with a JSONDecodeError traceback (exit 1)."""
    from bertlab.cli import main
    from bertlab.strategies.base import ARTIFACT_META

    store = RunStore()
    rid = _run(store, "tfidf_logreg", tiny_model, tiny_data)
    art, out = store.artifact_path(rid), tmp_path / "out"
    out.mkdir()
    for name in (ARTIFACT_META, "tfidf.json"):
        whole = (art / name).read_text()
        (art / name).write_text(whole[:40])
        capsys.readouterr()
        assert main(["export", rid, "-o", str(out / "x.zip")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and "cannot be read (JSONDecodeError" in err and "damaged" in err, err
        assert "Traceback" not in err and not list(out.iterdir())
        (art / name).write_text(whole)
    assert main(["export", rid, "-o", str(out / "x.zip")]) == 0


@pytest.mark.parametrize("strategy,needed", [("tfidf_logreg", "tfidf.safetensors"), ("head_only", "head.safetensors"),
                                             ("zero_shot", "zero_shot.safetensors"), ("full_ft", "model.safetensors"),
                                             ("full_ft", "tokenizer.json"), ("full_ft", "config.json")])
def test_export_of_a_run_missing_a_file_it_needs_names_it_and_writes_no_zip(strategy, needed, tiny_model, tiny_data,
                                                                              tmp_path, capsys):
    """`rm runs/<id>/tfidf.safetensors`, then `export`: it said "wrote x.zip" (exit 0), a zip that cannot load."""
    from bertlab.cli import main
    from bertlab.export import DAMAGED

    store = RunStore()
    rid = _run(store, strategy, tiny_model, tiny_data)
    art, out = store.artifact_path(rid), tmp_path / "out"
    out.mkdir()
    assert artifact_kind(store, rid) != DAMAGED
    (art / needed).unlink()
    assert artifact_kind(store, rid) == DAMAGED  # the app's Export a model says so before any press
    capsys.readouterr()
    assert main(["export", rid, "-o", str(out / "x.zip")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "lacks" in err and needed.split(".")[0] in err, err
    assert not list(out.iterdir())


@pytest.mark.parametrize("strategy", ["full_ft", "tfidf_logreg"])
def test_the_zips_run_record_says_how_it_was_made_and_its_readme_checks_the_reported_accuracy(
        strategy, tiny_model, tiny_data, tmp_path, monkeypatch, capsys):
    """A review: the zip's bertlab_run.json was 159 bytes (kind, strategy, model, max_length, label_names), with no
    seed, hyperparameters, versions, precision, test accuracy or test set, and its README never said how to get the
    test texts. Now the json has them (the loaders' keys as they were), and the README's check, run as written on
    the texts `report --predictions` writes, prints the accuracy bertlab reported."""
    import json
    import re
    import shlex
    import subprocess
    import sys

    from bertlab.cli import main

    store = RunStore()
    rid = _run(store, strategy, tiny_model, tiny_data, precision="fp32", seed=3)
    run = store.get(rid)
    stored = json.loads((store.artifact_path(rid) / "bertlab_run.json").read_text())
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    folder = tmp_path / "x" / rid
    record = json.loads((folder / "bertlab_run.json").read_text())
    assert {k: record[k] for k in stored} == stored  # what the loaders read, unchanged
    assert record["config"] == run.config and record["config"]["seed"] == 3
    assert record["config"]["data"]["seed"] == run.config["data"]["seed"]  # the split's seed
    assert record["config"]["learning_rate"] == run.config["learning_rate"]
    env = record["environment"]
    assert env["torch"] == torch.__version__ and env["bertlab"].startswith(__import__("bertlab").__version__)
    assert env["device type"] == "cpu" and env["precision"] == (None if strategy == "tfidf_logreg" else "fp32")
    assert record["test_metrics"]["test_accuracy"] == run.metrics["test_accuracy"]
    assert record["test_metrics"]["test_macro_f1"] == run.metrics["test_macro_f1"]
    assert record["test_fingerprint"] == run.metrics["test_fingerprint"] and record["test_size"] > 0

    readme = (folder / "README.txt").read_text()
    code = "\n".join(line[4:] for line in readme.splitlines() if line.startswith("    "))
    check = readme[readme.index("To check the test accuracy bertlab reported"):]
    blocks = [b.strip("\n") for b in re.findall(r"((?:^  (?! ).*\n)+)", check, flags=re.M)]
    command, before, after = ("\n".join(line[2:] for line in b.splitlines()) for b in blocks)
    assert command == f"python -m bertlab report {rid} --predictions preds.csv"
    # A long-document review: the check sent every test text through the encoder as one batch (MiniLM at 512
    # tokens: 1.15 GiB for 128 texts), unsaid; it now says to slice them, naming a line the code has.
    sliced = "run the lines from `batch = tok(...)` on slices of, say, 32 texts and join their probs"
    if strategy == "tfidf_logreg":  # no encoder, no activations: numpy features one text at a time
        assert "slices of" not in check
    else:
        assert sliced in " ".join(check.split()) and "    batch = tok(" in readme
    monkeypatch.chdir(folder)
    assert main(shlex.split(command)[3:]) == 0
    script = folder / "check_it.py"
    script.write_text(before + "\n" + code.replace('["some text"]', '[r["text"] for r in rows]') + "\n" + after)
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    assert out == (f"accuracy {run.metrics['test_accuracy']:.4f} on {record['test_size']} texts "
                   f"(bertlab: {run.metrics['test_accuracy']:.4f})")


def test_an_exported_variant_says_its_settings_in_its_readme_and_its_default_name(tiny_model, tiny_data, tmp_path):
    """A review: two head_only runs of one launch at lr 0.01 and 0.03, exported, read "Strategy head_only on ..."
    alike and were named by run id alone. The README names the settings, the default name the run's own."""
    store = RunStore()
    ids = []
    for lr in (1e-2, 3e-2):
        rid = store.create_run(make_config("head_only", model=tiny_model, data=tiny_data, epochs=1, batch_size=8,
                                           max_length=32, learning_rate=lr), batch_id="b1")
        assert execute_run(store, rid) == SUCCEEDED
        ids.append(rid)
    for rid, lr in zip(ids, ("0.01", "0.03")):
        z = export_model_zip(store, rid, str(tmp_path) + "/")
        assert z.name == f"{rid}-head_only-lr-{lr}.zip"
        readme = zipfile.ZipFile(z).read(f"{rid}/README.txt").decode()
        assert f"Strategy head_only (1 epoch, lr {lr}, batch 8" in readme


def _zip_check_reads(tiny_model, tmp_path, monkeypatch, texts: list[str], labels: list, printed: str):
    """A tfidf_logreg run of a CSV of ``texts``, exported and unzipped; the README's accuracy check run as a user
    runs it, then the README's own reading lines in a fresh interpreter printing ``printed`` (an expression of their
    ``rows``) as JSON. Returns what it printed and the run's test split."""
    import json
    import os
    import re
    import subprocess
    import sys

    import pandas as pd

    from bertlab.cli import main
    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    csv_path = tmp_path / "texts.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(csv_path, index=False)
    data = DataConfig(source="file", name=str(csv_path), train_size=None, val_size=None, test_size=None)
    store = RunStore()
    rid = _run(store, "tfidf_logreg", tiny_model, data)
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    folder = tmp_path / "x" / rid
    readme = (folder / "README.txt").read_text()
    check = readme[readme.index("To check the test accuracy bertlab reported"):]
    blocks = [b.strip("\n") for b in re.findall(r"((?:^  (?! ).*\n)+)", check, flags=re.M)]
    command, before = ("\n".join(line[2:] for line in b.splitlines()) for b in blocks[:2])
    monkeypatch.chdir(folder)
    assert main(command.split()[3:]) == 0
    (folder / "read_it.py").write_text(before + f"\nimport json\nprint(json.dumps({printed}))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "read_it.py"], cwd=folder, env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out), load_splits(data).test


def test_the_zips_accuracy_check_reads_back_the_test_texts_bertlab_scored(tiny_model, tmp_path, monkeypatch):
    """A diff review: the README's check read preds.csv's texts as written, but bertlab's CSVs put a ' before a
    text starting with = + - @ or ', so such texts were scored as "'-great film" (probabilities 0.017 off). The
    check's reading lines now undo the guard: it reads back exactly the test split's texts and labels."""
    from conftest import make_texts

    texts, labels = make_texts()
    heads = ("-", "'", "=", "+", "@", "")
    texts = [heads[i % len(heads)] + t for i, t in enumerate(texts)]
    # the README's own reading lines, run as a user runs them, then the rows they read
    rows, test = _zip_check_reads(tiny_model, tmp_path, monkeypatch, texts, labels,
                                  '[[r["text"], r["true label"]] for r in rows]')
    assert any(t[:1] in "-'=+@" for t in test.texts)  # the case at stake is in the test split
    assert [t for t, _ in rows] == list(test.texts)
    assert [y for _, y in rows] == [test.label_names[y] for y in test.labels]


def test_the_zips_accuracy_check_reads_back_a_line_break_inside_a_text_as_written(tiny_model, tmp_path, monkeypatch):
    """A review recomputing bertlab's numbers from outside: the README's check opened preds.csv without
    newline="", so Python's universal newlines read a line break inside a quoted text as "\\n": 23 of the 500
    test tweets of the tweets Quick demo hold a "\\r" and read back changed. With newline="" (as Python's csv
    docs ask) the check reads back the very texts bertlab scored."""
    from conftest import make_texts

    texts, labels = make_texts()
    breaks = ("\r", "\r\n", "\n", " ")
    texts = [t.replace(" ", breaks[i % len(breaks)], 1) for i, t in enumerate(texts)]
    rows, test = _zip_check_reads(tiny_model, tmp_path, monkeypatch, texts, labels, '[r["text"] for r in rows]')
    assert any("\r" in t for t in test.texts)  # the case at stake is in the test split, as written
    assert rows == list(test.texts)


@pytest.mark.parametrize("older", ["legacy", "older"])
def test_an_older_tfidf_runs_export_readme_and_answers_say_what_its_own_pattern_reads(older, tiny_model, tiny_data,
                                                                                     tmp_path):
    """A diff review: a tfidf_logreg run trained before words kept their marks and emoji counted (its tfidf.json
    holds its own pattern, or none) pasted its old pattern into the export README under prose saying words keep
    'their combining marks ... each emoji or other symbol a word of its own'. The prose now follows the run's
    pattern, and its answers say that emoji are no words to it."""
    import json

    from bertlab.strategies.tfidf_logreg import LEGACY_TOKEN_PATTERN, OLDER_TOKEN_PATTERN, TfidfModel

    store = RunStore()
    rid = _run(store, "tfidf_logreg", tiny_model, tiny_data)
    new_readme = zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "new.zip")).read(f"{rid}/README.txt").decode()
    new_readme = " ".join(new_readme.split())  # the prose as read, whatever its line breaks
    assert "each emoji or other symbol a word of its own" in new_readme
    assert Predictor(store).predict([rid], ["😍 😍"])[0].symbol_words
    meta_file = store.artifact_path(rid) / "tfidf.json"
    meta = json.loads(meta_file.read_text())
    if older == "legacy":
        del meta["token_pattern"]
    else:
        meta["token_pattern"] = OLDER_TOKEN_PATTERN
    meta_file.write_text(json.dumps(meta))
    pattern = TfidfModel.load(store.artifact_path(rid)).token_pattern
    assert pattern == (LEGACY_TOKEN_PATTERN if older == "legacy" else OLDER_TOKEN_PATTERN)
    readme = zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "old.zip")).read(f"{rid}/README.txt").decode()
    readme = " ".join(readme.split())
    assert f'words = re.findall(r"{pattern}"' in readme
    assert "emoji or other symbol a word" not in readme and "combining marks, each" not in readme
    assert "emoji and other symbols are dropped" in readme
    assert ("each Chinese or Japanese character a word of its own" in readme) == (older == "older")
    answer = Predictor(store).predict([rid], ["😍 😍"])[0]
    assert answer.unknown == [True] and not answer.symbol_words
