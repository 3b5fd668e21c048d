"""Text-pair tasks (GLUE's MRPC, QNLI...): detection, BERT's pair tokenisation, runs end to end."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from bertlab import textpair

A = ["The company said profits rose sharply in the third quarter.", "A man is playing a guitar on stage.",
     "short", "Which river flows through Paris?"]
B = ["Profits at the firm climbed steeply between July and September, the company said, beating forecasts.",
     "Someone plays music.", "also short", "The Seine runs through the centre of Paris."]


def test_a_joined_pair_tokenises_as_bert_reads_a_pair():
    from bertlab import models
    from bertlab.engine import encode, untruncated_lengths, vocabulary_fit

    tok = models.load_tokenizer(models.DEFAULT_MODEL)
    joined = [textpair.join_pair(a, b) for a, b in zip(A, B)]
    want = tok(A, B, truncation=True, max_length=24)
    enc = encode(tok, joined, 24, pairs=True)
    assert enc.ids == want["input_ids"]
    assert enc.types == want["token_type_ids"]
    assert any(1 in t for t in enc.types) and all(len(t) == len(i) for t, i in zip(enc.types, enc.ids))
    # the cut is longest_first: the long second half lost more than the short first one
    assert tok.sep_token_id in enc.ids[0][:-1] and len(enc.ids[0]) == 24
    assert untruncated_lengths(tok, joined, pairs=True) == [len(x) for x in tok(A, B)["input_ids"]]
    # a single text beside pairs keeps its own tokens, all of type 0
    mixed = encode(tok, [joined[1], "just one text"], 64, pairs=True)
    assert mixed.ids[1] == tok("just one text")["input_ids"] and set(mixed.types[1]) == {0}
    assert mixed.types[0] == tok(A[1], B[1])["token_type_ids"]
    # single texts only: no token types at all, as before
    assert encode(tok, A, 64, pairs=True).types is None
    # word pieces per word: the pair's words, not the [SEP] between them (it read 1.0 for 1.11 here)
    assert vocabulary_fit(tok, joined[:1], pairs=True) == vocabulary_fit(tok, [f"{A[0]} {B[0]}"])


def test_collate_pads_token_types_with_zero():
    from bertlab.engine import collate

    b = collate([[1, 2, 3], [1, 2, 3, 4, 5]], 0, types=[[0, 1, 1], [0, 0, 1, 1, 1]])
    assert b["token_type_ids"].tolist() == [[0, 1, 1, 0, 0], [0, 0, 1, 1, 1]]
    assert "token_type_ids" not in collate([[1, 2]], 0)


def test_a_pair_splits_at_its_first_marker_and_a_single_text_beside_pairs_is_cut_at_max_length_too():
    """The pair's second text may hold '[SEP]' itself: the split is at the first marker (a mutation splitting at
    the last one passed its tests). A single text in a batch of pairs is tokenised with the same arguments, so it
    is cut at max_length as the pairs are (a mutation dropping them for singles passed too)."""
    from bertlab import models
    from bertlab.engine import encode

    assert textpair.split_pair("a cat [SEP] a dog [SEP] a bird") == ("a cat", "a dog [SEP] a bird")
    assert textpair.split_pair("a cat[SEP]a dog") == ("a cat", "a dog")
    assert textpair.split_pair("one text") == ("one text", None)
    tok = models.load_tokenizer(models.DEFAULT_MODEL)
    enc = encode(tok, [textpair.join_pair(A[0], B[0]), " ".join([A[0]] * 4)], 12)
    assert [len(x) for x in enc.ids] == [12, 12]
    assert enc.ids[1] == tok(" ".join([A[0]] * 4), truncation=True, max_length=12)["input_ids"]


def pair_frame(n: int = 48, seed: int = 0) -> pd.DataFrame:
    """An MRPC-shaped table whose label depends on both halves: a sentence and a rewrite of it ('same') or of
    another sentence ('different'); every second half is a rewrite, so neither half alone tells the label."""
    from tests.conftest import make_texts

    rng = random.Random(seed)
    texts = make_texts(n, seed)[0]

    def rewrite(t: str) -> str:
        w = t.split()
        return " ".join(x for x in w if rng.random() > 0.2) or w[0]

    rows = [(texts[i], rewrite(texts[i] if i % 2 == 0 else texts[-1 - i]), "same" if i % 2 == 0 else "different")
            for i in range(n)]
    return pd.DataFrame(rows, columns=["sentence1", "sentence2", "label"])


def test_named_pair_columns_are_read_as_a_pair_and_alike_named_ones_are_asked_about(tmp_path):
    from bertlab.data import load_file
    from bertlab.errors import ColumnChoiceError

    mrpc = tmp_path / "mrpc.csv"
    pair_frame().to_csv(mrpc, index=False)
    ds = load_file(mrpc)
    assert ds.columns == ("sentence1", "label") and ds.pair_column == "sentence2"
    assert all(textpair.is_pair(t) for t in ds.texts)
    a, b = textpair.split_pair(ds.texts[0])
    assert (a, b) == (pair_frame().sentence1[0], pair_frame().sentence2[0])
    # one half chosen on purpose: single texts, with the note saying how to read both
    one = load_file(mrpc, text_column="sentence2")
    assert one.pair_column is None and not any(map(textpair.is_pair, one.texts))
    assert any("set the text column to 'sentence1' and the second text column to 'sentence2'" in n
               for n in one.notes)  # in the pair's order: sentence1 first
    assert not any("second text column to 'sentence1'" in n for n in one.notes)
    first = load_file(mrpc, text_column="sentence1", pair_column=None)
    assert any("set the second text column to 'sentence2' to read both" in n for n in first.notes)
    # a tweet and its reply are named alike too: asked, then read as the user says
    alike = tmp_path / "alike.csv"
    pair_frame().rename(columns={"sentence1": "text1", "sentence2": "text2"}).to_csv(alike, index=False)
    with pytest.raises(ColumnChoiceError, match="named alike, look like a text pair"):
        load_file(alike)
    assert load_file(alike, "text1", pair_column="text2").pair_column == "text2"
    assert load_file(alike, "text1").pair_column is None
    assert any("set the text column to 'text1' and the second text column to 'text2'" in n
               for n in load_file(alike, "text2").notes)
    # a blank second text drops its row, said as an empty text
    gap = pair_frame()
    gap.loc[3, "sentence2"] = ""
    gap.to_csv(tmp_path / "gap.csv", index=False)
    assert len(load_file(tmp_path / "gap.csv").texts) == len(gap) - 1


def test_the_second_text_column_is_checked_and_old_configs_load_without_it(tmp_path):
    from bertlab.config import DataConfig, RunConfig
    from bertlab.data import load_file
    from bertlab.errors import ConfigError, DataError

    with pytest.raises(ConfigError, match="second text column 'a' is also the text column"):
        DataConfig(source="file", name="x.csv", text_column="a", text_pair_column="a")
    with pytest.raises(ConfigError, match="built-in dataset's texts are single"):
        DataConfig(source="builtin", name="rotten_tomatoes", text_pair_column="b")
    pair_frame().to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(DataError, match="second text column 'nope' is not in the file"):
        load_file(tmp_path / "m.csv", pair_column="nope")
    stored = RunConfig(strategy="tfidf_logreg", data=DataConfig(source="file", name="x.csv")).to_dict()
    stored["data"].pop("text_pair_column", None)  # a run stored before the field
    assert RunConfig.from_dict(stored).data.text_pair_column is None


def test_a_stored_config_of_single_texts_reads_in_a_bertlab_older_than_text_pairs(tmp_path):
    """A teacher who goes back to last week's bertlab on the same data directory: its DataConfig(**data) refuses a
    field it does not know, so a config stored without a text pair leaves text_pair_column out (a run's row, a
    sweep's spec); one with a pair keeps it, and both read back the same."""
    import dataclasses
    import json

    from bertlab.config import DataConfig, RunConfig
    from bertlab.store import RunStore
    from bertlab.sweep import SweepSpec

    old_fields = {f.name for f in dataclasses.fields(DataConfig)} - {"text_pair_column"}  # DataConfig of 2026-12-05
    single = RunConfig(strategy="tfidf_logreg", data=DataConfig(source="file", name="x.csv"))
    store = RunStore(tmp_path)
    rid = store.create_run(single)
    row = json.loads(store._conn().execute("SELECT config FROM runs WHERE id=?", (rid,)).fetchone()[0])
    spec = SweepSpec(strategies=["tfidf_logreg"], sizes=[32], seeds=[0], data=single.data).to_dict()
    for data in (single.to_dict()["data"], row["data"], spec["data"]):
        assert set(data) <= old_fields, set(data) - old_fields
    assert RunConfig.from_dict(row) == single and SweepSpec.from_dict(spec).data == single.data
    pair = RunConfig(strategy="tfidf_logreg", data=DataConfig(source="file", name="x.csv", text_column="a",
                                                              text_pair_column="b"))
    assert pair.to_dict()["data"]["text_pair_column"] == "b" and RunConfig.from_dict(pair.to_dict()) == pair


def test_a_pair_dataset_trains_end_to_end_and_its_model_reads_pairs(tmp_path, tiny_model):
    """Through the library, as ``run`` does: a fine-tuned classifier and tfidf_logreg on a pair CSV; the stored
    run says which columns it read, and the predictor answers a typed pair with the same probabilities as the
    model given tokenizer(a, b) directly."""
    import numpy as np
    import torch

    from bertlab.config import DataConfig
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    pair_frame(60).to_csv(tmp_path / "m.csv", index=False)
    data = DataConfig(source="file", name=str(tmp_path / "m.csv"), train_size=None, val_size=None, test_size=None)
    store = RunStore()
    ids = {}
    for name, kw in (("full_ft", {"model": tiny_model, "epochs": 1, "batch_size": 8, "max_length": 32}),
                     ("head_only", {"model": tiny_model, "epochs": 1, "max_length": 32}),
                     ("zero_shot", {"model": tiny_model, "max_length": 32}), ("tfidf_logreg", {})):
        rid = store.create_run(make_config(name, data=data, **kw))
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids[name] = rid
    run = store.get(ids["full_ft"])
    assert run.data_summary["text_column"] == "sentence1" and run.data_summary["text_pair_column"] == "sentence2"
    assert any(n.startswith("a pair task: zero-shot compares one embedding") for n in store.get(ids["zero_shot"]).notes)
    pred = Predictor(store).predict([ids["full_ft"]], [textpair.join_pair(A[1], B[1])])[0]
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    art = store.artifact_path(ids["full_ft"])
    tok, model = AutoTokenizer.from_pretrained(art), AutoModelForSequenceClassification.from_pretrained(art).eval()
    with torch.no_grad():
        want = model(**tok([A[1]], [B[1]], truncation=True, max_length=32, return_tensors="pt")).logits.softmax(-1)[0]
        # the same text with its token types all 0 answers otherwise: the types reached the model
        flat = tok([A[1]], [B[1]], truncation=True, max_length=32, return_tensors="pt")
        flat["token_type_ids"].zero_()
        other = model(**flat).logits.softmax(-1)[0]
    got = pred.probs[0][[pred.label_names.index(n) for n in model.config.id2label.values()]]
    assert np.allclose(got, want.numpy(), atol=1e-4) and not np.allclose(want.numpy(), other.numpy(), atol=1e-6)


def test_the_cli_takes_a_second_text_column(tmp_path, capsys):
    from bertlab.cli import main

    alike = tmp_path / "alike.csv"
    pair_frame().rename(columns={"sentence1": "text1", "sentence2": "text2"}).to_csv(alike, index=False)
    assert main(["run", "--dataset", str(alike), "--text-column", "text1", "--text-pair-column", "text2",
                 "--strategies", "tfidf_logreg", "--quick"]) == 0
    err = capsys.readouterr().err
    assert "text column 'text1', second text column 'text2', label column 'label'" in err
    assert main(["run", "--dataset", "rotten_tomatoes", "--text-pair-column", "x", "--strategies", "tfidf_logreg"]) != 0
    assert "--text-pair-column / --label-column choose a file's" in capsys.readouterr().err


def test_the_api_takes_a_second_text_column():
    from bertlab.api import data_config

    frame = pair_frame().rename(columns={"sentence1": "text1", "sentence2": "text2"})
    cfg = data_config(frame, text_column="text1", text_pair_column="text2")
    assert cfg.text_pair_column == "text2"
    from bertlab.data import load_data

    assert load_data(cfg).pair_column == "text2"


def test_the_playground_asks_a_pair_tasks_models_for_two_texts(tmp_path, bertlab_home):
    """Two boxes named by the runs' columns; the pair they hold is what the models answer (the same probabilities
    as for the pair typed as one string); an example from the test set fills both; one box alone asks for the other."""
    from streamlit.testing.v1 import AppTest

    from bertlab.config import DataConfig
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config
    from tests.test_app_pages import APP

    pair_frame(60).to_csv(tmp_path / "m.csv", index=False)
    data = DataConfig(source="file", name=str(tmp_path / "m.csv"), train_size=None, val_size=None, test_size=None)
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=data), batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/playground.py").run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = {t.label: t for t in at.text_area}
    assert set(boxes) == {"First text (sentence1)", "Second text (sentence2)"}
    # the page's subtitle asks for a pair, not "a sentence"
    assert any(m.value.startswith("Type a pair of texts (its *sentence1* and its *sentence2*)") for m in at.markdown)
    assert not any(m.value.startswith("Type a sentence") for m in at.markdown)
    boxes["First text (sentence1)"].set_value("the film was really good and fun").run()
    assert any("type both texts" in c.value for c in at.caption) and not at.metric
    at.text_area(key="pg_box_text_second").set_value("the film was good").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert not at.exception and not at.error
    assert len(at.metric) == 1
    shown = at.metric[0].value
    want = Predictor(store).predict([rid], ["the film was really good and fun [SEP] the film was good"])[0]
    assert shown == want.labels[0]
    example = next(b for b in at.button if b.key and b.key.startswith("pg_box_ex_"))
    example.click().run()
    first, second = at.text_area(key="pg_box_text_first").value, at.text_area(key="pg_box_text_second").value
    assert first and second and f"{first} [SEP] {second}" in {t for t in pd.read_csv(tmp_path / "m.csv")
                                                                .pipe(lambda d: d.sentence1 + " [SEP] " + d.sentence2)}


def test_the_onnx_graph_reads_a_pairs_token_types_as_pytorch_does(tmp_path, tiny_model):
    """The Playground answers through ONNX Runtime on a CPU, whose graph takes input ids and an attention mask only:
    it passed token type 0 everywhere, so a pair's second text read as the first's. It reads them off the first
    [SEP] now: the same logits as PyTorch given tokenizer(a, b)'s token types."""
    pytest.importorskip("onnxruntime")
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification

    from bertlab import models, onnxrt
    from bertlab.engine import collate, encode

    tok = models.load_tokenizer(tiny_model)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_model, num_labels=3).eval()
    session = onnxrt.open_session(model, tmp_path / "m.onnx", "logits", tok, 32, threads=1, pairs=True)
    assert session is not None
    enc = encode(tok, [textpair.join_pair(a, b) for a, b in zip(A, B)] + ["one text alone"], 32, pairs=True)
    batch = collate(enc.ids, tok.pad_token_id, types=enc.types)
    with torch.no_grad():
        want = model(**batch).logits.numpy()
        flat = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.numpy()
    got = session(batch["input_ids"].numpy(), batch["attention_mask"].numpy())
    assert np.allclose(got, want, atol=1e-4) and not np.allclose(want[:4], flat[:4], atol=1e-4)


def test_the_data_page_asks_about_columns_named_alike_and_takes_the_second_text_picked(tmp_path):
    """text1 / text2 may be a pair or a tweet and its reply: the pickers start at single texts and say how to
    read a pair; picking the second text reads one, the preview showing both texts and the page saying so."""
    from tests.test_app_pages import app_on, no_problems

    frame = pair_frame().rename(columns={"sentence1": "text1", "sentence2": "text2"})
    at = app_on()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("alike.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    no_problems(at)
    assert any("set the text column to 'text1' and the second text column to 'text2'" in w.value for w in at.warning)
    second = next(s for s in at.selectbox if s.label == "Second text (pair)")
    assert second.value == "none (single texts)"
    assert not any(i.value.startswith("**A pair task**") for i in at.info)
    second.set_value("text2").run()
    no_problems(at)
    assert at.session_state["keep_data_config"]["text_pair_column"] == "text2"
    assert any(i.value.startswith("**A pair task**") for i in at.info)
    preview = [list(d.value.columns) for d in at.dataframe if list(d.value.columns)[0] == "label"]
    assert preview == [["label", "text1", "text2"]]  # the training examples' two texts, side by side
    assert not any("named alike" in w.value for w in at.warning)  # picked: no longer asked


@pytest.mark.parametrize("projector", [False, True])
def test_the_column_pickers_sit_two_a_row_on_a_projector(tmp_path, projector):
    """Four pickers in one row at 1024 px, projector on, cut every column name to 'sentenc' and wrapped 'Second
    text (pair)' over two lines (seen in Chromium): there they sit two a row."""
    from tests.test_app_pages import app_on, no_problems

    at = app_on(session={"keep_projector": projector})
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("m.csv", pair_frame().to_csv(index=False).encode(), "text/csv")).run()
    no_problems(at)
    def rows(node):  # every row of columns, at any depth
        kids = list(getattr(node, "children", {}).values())
        if kids and all(getattr(k, "type", None) == "column" for k in kids):
            yield node
        for k in kids:
            yield from rows(k)

    def picks(row) -> list[str]:
        return [s.label for col in row.children.values() for s in col.selectbox]

    shown = [picks(r) for r in rows(at.main) if set(picks(r)) & {"Text column", "Split"}]
    assert shown == ([["Text column", "Second text (pair)"], ["Label column", "Split"]] if projector
                     else [["Text column", "Second text (pair)", "Label column", "Split"]])


def test_mnli_whose_premises_repeat_is_read_as_a_pair():
    """MNLI writes each premise with three hypotheses (a third of its premises distinct): the premise was not taken
    for the hypothesis's partner (texts 'mostly distinct'), so the runs read the hypothesis alone, without a word."""
    from bertlab.data.files import dataset_from_table

    premises = [f"premise number {i // 3} about a thing" for i in range(60)]
    longer = [f"hypothesis number {i} said otherwise, at much greater length" for i in range(60)]  # found first
    frame = pd.DataFrame({"premise": premises, "hypothesis": longer,
                          "label": ["entailment", "neutral", "contradiction"] * 20})
    ds = dataset_from_table(frame, "mnli")
    assert (ds.columns[0], ds.pair_column) == ("premise", "hypothesis")
    assert ds.texts[0] == f"{premises[0]} [SEP] {longer[0]}"


def test_the_readmes_paraphrase_pairs_need_both_texts(tmp_path):
    """docs/examples/make_paraphrase_pairs.py (the README's offline pair task): both labels, every second text a
    rewrite (never its first text as is), and the file is read as a pair of sentence1 then sentence2."""
    import subprocess
    import sys
    from pathlib import Path

    from bertlab.config import DataConfig
    from bertlab.data import load_splits

    out = tmp_path / "pp.csv"
    script = Path(__file__).resolve().parents[1] / "docs" / "examples" / "make_paraphrase_pairs.py"
    subprocess.run([sys.executable, str(script), "--out", str(out), "--rows", "40"], check=True, cwd=tmp_path)
    df = pd.read_csv(out)
    assert list(df.columns) == ["sentence1", "sentence2", "label"] and len(df) == 40
    assert df["label"].value_counts().to_dict() == {"equivalent": 20, "not_equivalent": 20}
    assert (df["sentence1"] != df["sentence2"]).all()
    same = df[df["label"] == "equivalent"]
    assert all(set(b.split()) <= set(a.split()) for a, b in zip(same["sentence1"], same["sentence2"]))
    sp = load_splits(DataConfig(source="file", name=str(out), train_size=None, val_size=None, test_size=None))
    assert all(textpair.split_pair(t)[1] is not None for t in sp.train.texts)


def test_an_embedding_cache_filled_before_pairs_does_not_serve_a_pair_its_single_text_vector(tmp_path, tiny_model,
                                                                                              monkeypatch):
    """A cache filled before pairs were read as pairs holds a string holding " [SEP] " embedded as one text (its
    second half token type 0, where a pair's is 1: the packaged MiniLM's vector began -0.2304 -0.1957, a pair's
    -0.2302 -0.2247): it served that vector to the pair (0 texts computed). A pair's key is its own now; a single
    text's is unchanged, so every other cached text still serves."""
    import hashlib

    import torch

    from bertlab import embeddings

    def old_key(text: str, pairs: bool = False) -> bytes:  # the key every text had before pairs
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    pair, single = textpair.join_pair(A[0], B[0]), A[1]
    assert embeddings.text_key(single, True) == old_key(single) and embeddings.text_key(pair, True) != old_key(pair)
    root = tmp_path / "cache"
    with monkeypatch.context() as m:
        m.setattr(embeddings, "text_key", old_key)  # the cache as the old code filled it
        assert embeddings.EmbeddingCache(tiny_model, 32, None, root=root).get([pair, single],
                                                                           torch.device("cpu")).computed == 2
    again = embeddings.EmbeddingCache(tiny_model, 32, None, root=root).get([pair, single], torch.device("cpu"),
                                                                           pairs=True)
    assert again.computed == 1  # the pair, embedded as a pair; the single text served from the cache


def forum_frame(n: int = 30) -> pd.DataFrame:
    """A single-text dataset (one text column) whose texts hold a literal " [SEP] ", as a forum dump's do."""
    from tests.conftest import make_texts

    texts, labels = make_texts(n)
    rows = [(f"{t} [SEP] quoted reply" if i % 2 == 0 else t, y) for i, (t, y) in enumerate(zip(texts, labels))]
    return pd.DataFrame(rows, columns=["text", "label"])


def test_a_single_text_datasets_literal_sep_is_read_as_one_text(tmp_path):
    """A single-text dataset whose texts hold " [SEP] " was split there and read as a pair (the text after it as
    token type 1, its embedding-cache key a pair's): it is one text, tokenised exactly as tokenizer(text)."""
    from bertlab import embeddings, models
    from bertlab.config import DataConfig
    from bertlab.data import load_splits
    from bertlab.engine import encode, untruncated_lengths

    forum_frame().to_csv(tmp_path / "forum.csv", index=False)
    sp = load_splits(DataConfig(source="file", name=str(tmp_path / "forum.csv"), train_size=None, val_size=None,
                                test_size=None))
    texts = sp.train.texts
    assert not sp.pairs and sum(map(textpair.is_pair, texts)) >= 5
    tok = models.load_tokenizer(models.DEFAULT_MODEL)
    want = tok(texts, truncation=True, max_length=64, return_token_type_ids=True)
    enc = encode(tok, texts, 64, sp.pairs)
    assert enc.ids == want["input_ids"]
    assert enc.types is None and not any(map(any, want["token_type_ids"]))  # all 0, as tokenizer(text) has them
    assert untruncated_lengths(tok, texts, sp.pairs) == [len(x) for x in tok(texts)["input_ids"]]
    # read as a pair, they would differ: the text after [SEP] as type 1
    assert encode(tok, texts, 64, pairs=True).types is not None
    # the embedding cache keys them as the single texts they are
    assert embeddings.text_keys(texts, sp.pairs) == embeddings.text_keys(texts)
    assert embeddings.text_key(texts[0], sp.pairs) != embeddings.text_key(texts[0], True)


def test_a_single_text_runs_literal_sep_reads_as_one_text_in_pytorch_onnx_and_explain(tmp_path, tiny_model):
    """Trained on single texts that hold " [SEP] ", full_ft answers a typed text with a [SEP] as the model given
    tokenizer(text) (all token types 0), in PyTorch and through its ONNX graph (which read the types off the
    [SEP], the text after it as a second text); the word-weights view weighs that [SEP] as a word."""
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from bertlab import explain, onnxrt
    from bertlab.config import DataConfig
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    forum_frame().to_csv(tmp_path / "forum.csv", index=False)
    data = DataConfig(source="file", name=str(tmp_path / "forum.csv"), train_size=None, val_size=None, test_size=None)
    store = RunStore()
    rid = store.create_run(make_config("full_ft", data=data, model=tiny_model, epochs=1, batch_size=8, max_length=32))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    assert not store.get(rid).data_summary.get("text_pair_column")
    text = "a great film [SEP] awful ending"
    art = store.artifact_path(rid)
    tok, model = AutoTokenizer.from_pretrained(art), AutoModelForSequenceClassification.from_pretrained(art).eval()
    one = tok([text], truncation=True, max_length=32, return_tensors="pt")
    assert not one["token_type_ids"].any()
    with torch.no_grad():
        want = model(**one).logits.softmax(-1)[0].numpy()
        as_pair = model(**tok(["a great film"], ["awful ending"], truncation=True, max_length=32,
                              return_tensors="pt")).logits.softmax(-1)[0].numpy()
    assert not np.allclose(want, as_pair, atol=1e-6)  # the two readings answer apart: the test can tell them
    order = [model.config.id2label[i] for i in range(len(want))]
    pred = Predictor(store, backend="torch").predict([rid], [text])[0]
    assert np.allclose(pred.probs[0][[pred.label_names.index(n) for n in order]], want, atol=1e-5)
    pytest.importorskip("onnxruntime")
    session = onnxrt.open_session(model, tmp_path / "m.onnx", "logits", tok, 32, threads=1)
    assert session is not None
    logits = session(one["input_ids"].numpy(), one["attention_mask"].numpy())
    assert np.allclose(torch.from_numpy(logits).softmax(-1)[0].numpy(), want, atol=1e-4)
    (e,) = explain.explain(Predictor(store, backend="torch"), [rid], text)
    assert e.words[3] == "[SEP]" and len(e.weights) == 6 and e.weights[3] != 0.0  # weighed, as a word
    assert explain.variants(text, pairs=False)[3] == "a great film awful ending"


def test_tfidf_reads_a_pairs_marker_as_no_word_and_its_export_reads_it_alike(tmp_path, tiny_model):
    """tfidf_logreg on a pair task counted the [SEP] joining each pair's texts as the word "sep" (in every example,
    so it says nothing) and n-grams with it ("sep a"): 585 of 13,091 features on the README's paraphrase pairs. The
    marker reads as a space now, in training, in the Playground and in the export README's code; a run saved before
    (no "pairs" in tfidf.json) still reads it as the word it was trained with."""
    import json
    import os
    import re
    import subprocess
    import sys
    import zipfile

    import numpy as np

    from bertlab.config import DataConfig
    from bertlab.export import export_model_zip
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config
    from bertlab.strategies.tfidf_logreg import TfidfModel

    pair_frame(60).to_csv(tmp_path / "m.csv", index=False)
    data = DataConfig(source="file", name=str(tmp_path / "m.csv"), train_size=None, val_size=None, test_size=None)
    store = RunStore()
    rid = store.create_run(make_config("tfidf_logreg", data=data, options={"C": 4.0}))
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    art = store.artifact_path(rid)
    model = TfidfModel.load(art)
    assert model.pairs and not [t for t in model.terms if "sep" in t.split()]
    asks = [textpair.join_pair(a, b) for a, b in zip(A, B)]
    assert np.allclose(model.predict_proba(asks), model.predict_proba([f"{a} {b}" for a, b in zip(A, B)]))
    zipfile.ZipFile(export_model_zip(store, rid, tmp_path / "m.zip")).extractall(tmp_path / "x")
    code = "\n".join(line[4:] for line in (tmp_path / "x" / rid / "README.txt").read_text().splitlines()
                     if line.startswith("    "))
    script = tmp_path / "x" / rid / "use_it.py"
    script.write_text(re.sub(r'\["some text"\]', repr(asks), code) + "\nimport json\nprint(json.dumps(probs.tolist()))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, script.name], cwd=tmp_path / "x" / rid, env=env, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    assert np.allclose(np.array(json.loads(out)), Predictor(store).predict([rid], asks)[0].probs, atol=1e-4)
    # a run saved before: its tfidf.json says nothing of pairs, and it reads the marker as the word it counted
    meta = json.loads((art / "tfidf.json").read_text())
    del meta["pairs"]
    (art / "tfidf.json").write_text(json.dumps(meta))
    assert not TfidfModel.load(art).pairs
    trained, _ = TfidfModel.fit(asks, [0, 1, 0, 1], C=1.0, ngram_max=2, max_features=None, seed=0)
    assert "sep" in trained.terms  # what the old code's pair runs (no pairs=) learned


def test_a_pair_task_with_a_multi_label_column_is_refused_as_multi_label_not_read_as_one_half(tmp_path):
    """A pair task whose label column holds lists (several labels a row) is refused with the multi-label message,
    whether its pair is found by its columns' names or named by the user; a single-label column beside it reads the
    pair as usual."""
    from bertlab.data import load_file
    from bertlab.errors import DataError

    frame = pair_frame(40)
    frame["labels"] = [["same", "close"] if y == "same" else ["different"] for y in frame.label]
    path = tmp_path / "ml.jsonl"
    frame.drop(columns="label").to_json(path, orient="records", lines=True)
    for kw in ({}, {"text_column": "sentence1", "pair_column": "sentence2"}, {"label_column": "labels"}):
        with pytest.raises(DataError, match="holds a list of labels in each row \\(a multi-label dataset: 20 of 40"):
            load_file(path, **kw)
    frame.to_json(tmp_path / "both.jsonl", orient="records", lines=True)
    ds = load_file(tmp_path / "both.jsonl", label_column="label")
    assert ds.pair_column == "sentence2" and all(map(textpair.is_pair, ds.texts))


def test_a_playground_mixing_pair_and_single_text_models_gives_the_single_text_ones_the_first_text(
        tmp_path, bertlab_home, tiny_csv):
    """A selection of a pair task's run and a single-text run showed two boxes and gave the single-text model
    'a [SEP] b', a marker it never saw (read as a word), unsaid: it is given the first text alone, and the page
    says which models read what."""
    from streamlit.testing.v1 import AppTest

    from bertlab.config import DataConfig
    from bertlab.predict import Predictor
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config
    from tests.test_app_pages import APP

    pair_frame(60).to_csv(tmp_path / "m.csv", index=False)
    pairs = DataConfig(source="file", name=str(tmp_path / "m.csv"), train_size=None, val_size=None, test_size=None)
    single = DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None)
    store = RunStore(bertlab_home)
    ids = [store.create_run(make_config("tfidf_logreg", data=d), batch_id="b1") for d in (pairs, single)]
    for rid in ids:
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/playground.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(at.multiselect(key="keep_pg_runs").value) == set(ids)  # the premise: both selected
    assert any(m.value.startswith("Type a pair of texts (its *sentence1* and its *sentence2*): the models trained "
                                  "on pairs answer about the pair, those trained on single texts about the first "
                                  "text") for m in at.markdown)
    first, second = "the film was really good and fun", "the film was good"
    at.text_area(key="pg_box_text_first").set_value(first).run()
    at.text_area(key="pg_box_text_second").set_value(second).run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert not at.exception and not at.error
    said = [c.value for c in at.caption if "reads single texts" in c.value]
    assert len(said) == 1 and said[0].endswith(
        "reads single texts: it answers about the first text alone; the models trained on pairs answer about the "
        "pair.")
    from app_pages import inference_box

    box = inference_box.text_for(f"{first} [SEP] {second}", single=True)
    assert box == first and inference_box.text_for(f"{first} [SEP] {second}", single=False).endswith(second)
    got = dict(at.session_state["_pred_cache"])
    (preds, _, _), = got.values()
    by_run = {p.run_id: p for p in preds}
    want = Predictor(store).predict([ids[1]], [first])[0]
    assert list(by_run[ids[1]].probs[0]) == pytest.approx(list(want.probs[0]))  # the first text alone
    want_pair = Predictor(store).predict([ids[0]], [f"{first} [SEP] {second}"])[0]
    assert list(by_run[ids[0]].probs[0]) == pytest.approx(list(want_pair.probs[0]))


def test_single_text_runs_are_told_apart_only_beside_pair_runs_and_named_in_the_plural(tmp_path):
    """Mutation round 5, each passing this file: single_runs calling every run of a single-text selection a single
    one beside pairs (its 'fewer than all' check dropped: the Playground of a single-text task would have given its
    runs a literal [SEP]'s first half), and its note saying 'tfidf_logreg · 0001, head_only reads single texts: it
    answers' of two."""
    import dataclasses

    from app_pages import inference_box
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    store = RunStore(tmp_path)
    runs = [store.get(store.create_run(make_config(s))) for s in ("tfidf_logreg", "head_only", "full_ft")]
    assert inference_box.single_runs(runs) == set() and inference_box.single_runs_note(runs) is None
    pair = {"text_pair_column": "sentence2"}
    runs[2] = dataclasses.replace(runs[2], data_summary={**(runs[2].data_summary or {}), **pair})
    assert inference_box.single_runs(runs) == {runs[0].id, runs[1].id}
    assert inference_box.single_runs_note(runs) == ("tfidf_logreg, head_only read single texts: they answer about the "
                                                    "first text alone; the models trained on pairs answer about the "
                                                    "pair.")


def test_a_playground_mixing_pair_and_single_text_models_answers_in_the_boxs_order_not_pairs_first(
        tmp_path, bertlab_home, tiny_csv):
    """Pair runs are asked first, then single-text ones (two passes, one per kind of text); the answers (cards,
    chart) come in the order the box lists its runs, launch order as the status lines and charts list them, a
    single-text run between two pair runs where it was launched between them (mutation round 5, IB3: the answers
    were left pairs first, untested)."""
    from streamlit.testing.v1 import AppTest

    from bertlab.config import DataConfig
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config
    from tests.test_app_pages import APP

    pair_frame(60).to_csv(tmp_path / "m.csv", index=False)
    pairs = DataConfig(source="file", name=str(tmp_path / "m.csv"), train_size=None, val_size=None, test_size=None)
    single = DataConfig(source="file", name=str(tiny_csv), train_size=None, val_size=None, test_size=None)
    store = RunStore(bertlab_home)
    ids = [store.create_run(make_config("tfidf_logreg", data=d, options={"C": c}), batch_id="b1")
           for d, c in ((pairs, 1.0), (single, 1.0), (pairs, 4.0))]
    for rid in ids:
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/playground.py").run()
    at.multiselect(key="keep_pg_runs").set_value([ids[1], ids[2], ids[0]]).run()  # picked in another order
    at.text_area(key="pg_box_text_first").set_value("the film was really good and fun").run()
    at.text_area(key="pg_box_text_second").set_value("the film was good").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    assert not at.exception and not at.error
    (preds, _, _), = dict(at.session_state["_pred_cache"]).values()
    assert [p.run_id for p in preds] == ids  # launch order: pair, single, pair
    assert [m.label for m in at.metric].count("prediction") == 3
