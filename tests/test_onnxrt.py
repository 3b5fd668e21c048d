"""ONNX Runtime inference: used only where it answers like PyTorch, refused (with a reason) otherwise."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")

from bertlab import embeddings, models, onnxrt  # noqa: E402
from bertlab.engine import collate, encode  # noqa: E402

TEXTS = ["a wonderful lovely film", "dull", "the plot was really quite boring and the acting was poor #3"]


def _runs(tiny_model, tiny_data, names=("full_ft", "head_only", "zero_shot", "tfidf_logreg")):
    from bertlab.runner import execute_run
    from bertlab.store import SUCCEEDED, RunStore
    from bertlab.strategies import make_config

    store = RunStore()
    ids = []
    for name in names:
        cfg = make_config(name, model=tiny_model, data=tiny_data, epochs=1, batch_size=8, max_length=32, seed=0)
        rid = store.create_run(cfg)
        assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
        ids.append(rid)
    return store, ids


def test_encoder_session_matches_torch_on_padded_batches(tiny_model):
    session = embeddings.encoder_session(tiny_model, 1)
    assert session is not None, onnxrt.last_refusal(str(next(iter(embeddings._SESSIONS))))
    tok, enc = embeddings.get_encoder(tiny_model, torch.device("cpu"))
    e = encode(tok, TEXTS, 32)
    ours = embeddings.embed_encoded(enc, e, 2, torch.device("cpu"), None, tok.pad_token_id, session=session)
    ref = embeddings.embed_encoded(enc, e, 2, torch.device("cpu"), None, tok.pad_token_id)
    assert ours.shape == ref.shape == (3, 32)
    assert np.abs(ours - ref).max() < 1e-4
    # the second ask is the same open session; the export is on disk
    assert embeddings.encoder_session(tiny_model, 1) is session
    assert list((session.path.parent).glob("encoder-*.onnx")) == [session.path]


def test_a_wrong_graph_is_refused_and_torch_answers(tiny_model, tmp_path):
    """The safety net: a session whose outputs differ from the model's is never used."""
    from transformers import AutoModel, BertConfig

    tok, good = embeddings.get_encoder(tiny_model, torch.device("cpu"))
    path = tmp_path / "other.onnx"
    assert onnxrt.open_session(good, path, "hidden", tok, 32, 1) is not None
    torch.manual_seed(1)
    other = AutoModel.from_config(BertConfig(**{**good.config.to_dict(), "architectures": None})).eval()
    # the file on disk was exported from `good`, so it does not answer like `other`
    why = onnxrt.mismatch(other, onnxrt.Session(path, 1), "hidden", tok, 32)
    assert why and "differ" in why
    onnxrt._REFUSED.pop(str(path), None)
    assert onnxrt.open_session(other, path, "hidden", tok, 32, 1) is None
    assert "differ" in onnxrt.last_refusal(str(path))


def test_export_failure_is_a_refusal_not_a_crash(tiny_model, tmp_path, monkeypatch):
    tok, enc = embeddings.get_encoder(tiny_model, torch.device("cpu"))

    def boom(*a, **k):
        raise RuntimeError("exporter exploded")

    monkeypatch.setattr(torch.onnx, "export", boom)
    path = tmp_path / "x.onnx"
    assert onnxrt.open_session(enc, path, "hidden", tok, 32, 1) is None
    assert "exporter exploded" in onnxrt.last_refusal(str(path))
    assert not path.exists() and not list(tmp_path.glob(".*tmp"))


def test_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv("BERTLAB_ONNX", "0")
    assert not onnxrt.available()
    assert not onnxrt.wanted(torch.device("cpu"), None)
    assert embeddings.encoder_session("minilm", 1) is None
    monkeypatch.setenv("BERTLAB_ONNX", "1")
    assert onnxrt.wanted(torch.device("cpu"), None)
    assert not onnxrt.wanted(torch.device("cpu"), torch.bfloat16)  # bf16 stays in torch
    assert not onnxrt.wanted(torch.device("meta"), None)  # anything but a CPU stays in torch


def test_predictor_auto_answers_like_torch(tiny_model, tiny_data):
    from bertlab.export import export_model_zip
    from bertlab.predict import Predictor

    store, ids = _runs(tiny_model, tiny_data)
    cpu = models.pick_device("cpu")
    fast = Predictor(store, device=cpu, backend="auto")
    plain = Predictor(store, device=cpu)
    stale = store.artifact_path(ids[0]) / ".onnx" / "model-0123456789ab.onnx"  # as an older bertlab named it
    stale.parent.mkdir()
    stale.write_bytes(b"not a graph")
    fast.warm(ids, wait_fast=True)
    assert not stale.exists()  # replaced by this version's export, not reused
    assert fast.backends(ids) == {ids[0]: "onnxruntime", ids[1]: "onnxruntime", ids[2]: "onnxruntime",
                                  ids[3]: "tfidf"}
    assert plain.backends(ids) == {}  # nothing loaded yet
    for text in TEXTS:
        a, b = fast.predict(ids, [text]), plain.predict(ids, [text])
        assert [p.backend for p in a] == ["onnxruntime", "onnxruntime", "onnxruntime", "scikit-learn"]
        assert [p.backend for p in b] == ["torch", "torch", "torch", "scikit-learn"]
        for x, y in zip(a, b):
            assert x.labels == y.labels and np.abs(x.probs - y.probs).max() < 1e-4
    # many texts (sorted batches) go through the session too, and the PyTorch copy of the model is gone
    many, ref = fast.predict(ids, TEXTS * 20), plain.predict(ids, TEXTS * 20)
    assert [p.backend for p in many[:3]] == ["onnxruntime"] * 3
    for x, y in zip(many, ref):
        assert x.labels == y.labels and np.abs(x.probs - y.probs).max() < 1e-4
    assert fast._loaded[ids[0]].model is None and plain._loaded[ids[0]].model is not None
    # the exported graph stays out of the model zip
    with zipfile.ZipFile(export_model_zip(store, ids[0])) as z:
        assert not [n for n in z.namelist() if ".onnx" in n]
    assert [p.name for p in store.artifact_path(ids[0]).glob(".onnx/*.onnx")] == \
        [f"model-{onnxrt.weights_tag(store.artifact_path(ids[0]))}-f{onnxrt.EXPORT_FORMAT}.onnx"]
    fast.close()
    plain.close()


def test_predictor_says_which_runs_answer_through_pytorch_while_their_export_is_made(tiny_model, tiny_data,
                                                                                       monkeypatch):
    """A class saw a first answer at 32 ms and the next at 10 ms: the Playground says why (PyTorch while exporting)."""
    import threading

    from bertlab import predict
    from bertlab.predict import Predictor

    store, ids = _runs(tiny_model, tiny_data, names=("full_ft", "tfidf_logreg"))
    hold = threading.Event()
    export = predict._Loaded.open_onnx
    monkeypatch.setattr(predict._Loaded, "open_onnx", lambda self: (hold.wait(60), export(self)))
    fast = Predictor(store, device=models.pick_device("cpu"), backend="auto")
    try:
        assert [p.backend for p in fast.predict(ids, ["a fine film"])] == ["torch", "scikit-learn"]
        assert fast.onnx_pending(ids) == {ids[0]}  # the classifier's export held back; tfidf_logreg has none
        hold.set()
        fast.warm(ids, wait_fast=True)
        assert fast.onnx_pending(ids) == set() and fast.backends(ids)[ids[0]] == "onnxruntime"
    finally:
        hold.set()
        fast.close()


def test_predictor_without_onnxruntime_stays_in_torch(tiny_model, tiny_data, monkeypatch):
    from bertlab.predict import Predictor

    monkeypatch.setenv("BERTLAB_ONNX", "off")
    store, ids = _runs(tiny_model, tiny_data, names=("full_ft",))
    pred = Predictor(store, device=models.pick_device("cpu"), backend="auto")
    assert not pred.use_onnx
    pred.warm(ids, wait_fast=True)
    assert pred.predict(ids, ["fun"])[0].backend == "torch"


def test_classifier_graph_computes_the_last_layer_for_the_first_token_only(tiny_model, tmp_path, monkeypatch):
    """A classifier is exported through bertlab.clsonly's first-token last layer, and answers like the full model."""
    from bertlab import clsonly

    seen = []
    real = clsonly._first_token_forward

    def spy(self, hidden_states, *a, **k):
        out = real(self, hidden_states, *a, **k)
        seen.append((hidden_states.shape[1], out.shape[1]))
        return out

    monkeypatch.setattr(clsonly, "_first_token_forward", spy)
    tok = models.load_tokenizer(tiny_model)
    torch.manual_seed(0)
    model = models.load_classifier(tiny_model, ["neg", "neu", "pos"]).eval()
    fast = onnxrt.open_session(model, tmp_path / "first.onnx", "logits", tok, 32, 1)
    assert fast is not None, onnxrt.last_refusal(str(tmp_path / "first.onnx"))
    assert seen and all(n > 1 and out == 1 for n, out in seen)  # traced: many positions in, one out
    assert "forward" not in vars(clsonly.last_layer(model))  # the model itself is left as it was
    monkeypatch.setenv("BERTLAB_CLS_ONLY", "0")
    seen.clear()
    full = onnxrt.open_session(model, tmp_path / "full.onnx", "logits", tok, 32, 1)
    assert full is not None and not seen
    batch = collate(encode(tok, TEXTS + ["x " * 40], 32).ids, tok.pad_token_id)  # padded to the longest
    with torch.inference_mode():
        ref = model(**batch).logits.numpy()
    for session in (fast, full):
        got = session(batch["input_ids"].numpy(), batch["attention_mask"].numpy())
        assert got.shape == ref.shape and np.abs(got - ref).max() < 1e-4


def test_onnx_runtime_writes_no_telemetry_outside_the_data_directory(tmp_path):
    """ONNX Runtime 1.30 queued usage telemetry (device id, OS, process path) in
    ~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db, and every process left an empty
    /tmp/mat-debug-<pid>.log. Importing bertlab first turns its telemetry off before onnxruntime reads the setting."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    x, y = (helper.make_tensor_value_info(n, TensorProto.INT64, [None, None]) for n in ("input_ids", "output"))
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [None, None])
    graph = helper.make_graph([helper.make_node("Add", ["input_ids", "attention_mask"], ["output"])], "g", [x, mask], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(tmp_path / "add.onnx"))
    code = ("import os, numpy as np\nfrom bertlab import onnxrt\n"
            f"s = onnxrt.Session(__import__('pathlib').Path({str(tmp_path / 'add.onnx')!r}), 1)\n"
            "for _ in range(20): s(np.ones((1, 3), np.int64), np.ones((1, 3), np.int64))\nprint(os.getpid())")
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(tmp_path / "home"), PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    (tmp_path / "home").mkdir()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    pid = out.stdout.split()[-1]
    assert not (tmp_path / "home" / ".cache" / "Microsoft").exists()
    assert not Path(f"/tmp/mat-debug-{pid}.log").exists()


def test_the_weights_tag_changes_with_the_config_beside_the_weights(tmp_path):
    """An export is reused while its weights' tag is the same: a config.json rewritten beside unchanged weights
    (other labels, another head) must give another tag, or the old graph would answer for it."""
    (tmp_path / "model.safetensors").write_bytes(b"w" * 10)
    (tmp_path / "config.json").write_text('{"num_labels": 2}')
    before = onnxrt.weights_tag(tmp_path)
    (tmp_path / "config.json").write_text('{"num_labels": 3, "id2label": {}}')
    assert onnxrt.weights_tag(tmp_path) != before
    # weights rewritten at the same size (trained again with the same shapes): another tag too
    before = onnxrt.weights_tag(tmp_path)
    st = (tmp_path / "model.safetensors").stat()
    (tmp_path / "model.safetensors").write_bytes(b"v" * 10)
    os.utime(tmp_path / "model.safetensors", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert onnxrt.weights_tag(tmp_path) != before


def test_a_graph_within_tolerance_that_picks_another_class_is_refused():
    """Logits alike to within the tolerance can still rank two near-tied classes the other way round: the check
    refuses such a graph, so ONNX Runtime never answers another class than PyTorch."""
    from types import SimpleNamespace

    from transformers import AutoTokenizer

    class Tied(torch.nn.Module):  # every logit 0: PyTorch answers class 0
        def forward(self, input_ids, attention_mask):
            return SimpleNamespace(logits=torch.zeros(input_ids.shape[0], 2))

    def flipped(input_ids, attention_mask):  # 1e-7 above in class 1: well within the tolerance
        return np.tile(np.array([[0.0, 1e-7]], dtype=np.float32), (input_ids.shape[0], 1))

    tok = AutoTokenizer.from_pretrained(models.default_model_path())
    assert onnxrt.mismatch(Tied(), flipped, "logits", tok, 32) == "a predicted class differs from PyTorch's"


    def one_off(input_ids, attention_mask):  # one logit of one text 0.5 off, the rest exact, the class the same
        out = np.zeros((input_ids.shape[0], 2), dtype=np.float32)
        out[0, 1] = -0.5
        return out

    assert onnxrt.mismatch(Tied(), one_off, "logits", tok, 32) == "outputs differ from PyTorch by up to 0.5"


def test_a_pair_tasks_graph_and_a_single_texts_graph_are_two_files():
    """A graph that reads token types off a pair's [SEP] and one that reads a literal [SEP] as text differ: one
    file for both would answer a pair task with the other's graph, whichever was exported first."""
    for output in ("logits", "hidden"):
        pair, single = (onnxrt.export_name("model", "abc", output, pairs=p) for p in (True, False))
        assert pair != single and pair.endswith(".onnx") and single.endswith(".onnx")
