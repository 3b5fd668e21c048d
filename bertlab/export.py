"""Export a finished run's model as a zip: its ``save_pretrained`` directory (safetensors) and a README.

A zip of a fine-tuned run (full_ft, partial_ft, lora with merged adapters,
dapt, scratch) unzips into a directory that plain transformers loads with
``AutoModelForSequenceClassification.from_pretrained(dir)``; no bertlab, no
peft and no pickle are needed. head_only and zero_shot zip their head or
label embeddings with the frozen encoder they run on (``encoder/``), and a
README whose code runs them with plain transformers; tfidf_logreg its
safetensors/JSON files and numpy code that computes its features and answers. Every README's code cuts texts at the run's
max_length, as training did (a head_tail run's README gives the lines that keep a long text's start and end), and
says how to check the accuracy bertlab reported on the run's test texts; the zip's
bertlab_run.json adds the run's config, environment, test metrics and test-set fingerprint to what the loaders read.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from bertlab.config import MAX_TEXT_CHARS, model_title
from bertlab.errors import BertlabError
from bertlab.paths import data_home
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies.base import ARTIFACT_META, ENCODER_KINDS
from bertlab.strategies.tfidf_logreg import FILES as TFIDF_FILES
from bertlab.strategies.tfidf_logreg import LEGACY_TOKEN_PATTERN, words_read
from bertlab.textpair import PAIR_SEP

MAX_FILES = 200

# Each README's code runs as written from the folder the README is in (tests run it there and compare its answers
# with bertlab's).
_README = {
    "classifier": """This is a Hugging Face transformers model directory (weights in safetensors). It was trained on
texts cut at {max_length} tokens: cut them the same way (the tokenizer's model_max_length is {max_length}).

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(".")
    model = AutoModelForSequenceClassification.from_pretrained(".").eval()
    batch = tok(["some text"], truncation=True, max_length={max_length}, padding=True, return_tensors="pt")
    with torch.no_grad():
        probs = model(**batch).logits.softmax(-1)
    print(probs)

With a pipeline, pass truncation=True: without it, a text longer than {max_length} tokens is read whole (and one over
512 tokens fails), so its answer differs from bertlab's.

    from transformers import pipeline
    classify = pipeline("text-classification", model=".")
    print(classify(["some text"], truncation=True, top_k=None))

Labels: {labels} (model.config.id2label). Trained by bertlab strategy {strategy} on {dataset}.
""",
    "head": """A linear head (head.safetensors: weight, bias) over the L2-normalised mean-pooled token vectors of
a frozen encoder, {model}, included here as encoder/ (texts cut at {max_length} tokens).

    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained("./encoder")
    encoder = AutoModel.from_pretrained("./encoder").eval()
    head = load_file("./head.safetensors")
    batch = tok(["some text"], truncation=True, max_length={max_length}, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    probs = (emb @ head["weight"].T + head["bias"]).softmax(-1)
    print(probs)

Labels: {labels}. Strategy {strategy} on {dataset}.
""",
    "zero_shot": """Label embeddings (zero_shot.safetensors, L2-normalised) of the pretrained encoder {model}, included
here as encoder/: each text's class is the label whose embedding is closest to the text's (texts cut at
{max_length} tokens); probabilities are a softmax of {scale} x the cosine similarities.

    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained("./encoder")
    encoder = AutoModel.from_pretrained("./encoder").eval()
    labels = load_file("./zero_shot.safetensors")["label_embeddings"]
    batch = tok(["some text"], truncation=True, max_length={max_length}, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    probs = ({scale} * emb @ labels.T).softmax(-1)
    print(probs)

Labels: {labels}; their descriptions: {descriptions}. Strategy {strategy} on {dataset}.
""",
    "tfidf": """TF-IDF + logistic regression without pickle: tfidf.json holds the vocabulary (index = column) and the
settings, tfidf.safetensors the idf, coef and intercept arrays. This is scikit-learn's TfidfVectorizer (lowercased
{words_read}, word n-grams up to
ngram_max, 1 + log(count), x idf, L2-normalised) and
LogisticRegression, in numpy (safetensors is the only other package it needs):

    import json, re
    import numpy as np
    from safetensors.numpy import load_file
    meta, arr = json.load(open("./tfidf.json")), load_file("./tfidf.safetensors")
    column = {{t: i for i, t in enumerate(meta["terms"])}}

    def features(text):
        text = text[:{max_chars}]  # only a text's first {max_chars:,} characters were read, in training and since
{pair_step}        words = re.findall(r"{token_pattern}", text.lower())
        x = np.zeros(len(column))
        for n in range(1, meta["ngram_max"] + 1):
            for i in range(len(words) - n + 1):
                j = column.get(" ".join(words[i:i + n]))
                if j is not None:
                    x[j] += 1
        if meta["sublinear_tf"]:
            x[x > 0] = 1 + np.log(x[x > 0])
        x *= arr["idf"]
        return x / max(np.linalg.norm(x), 1e-300)

    z = np.stack([features(t) for t in ["some text"]]) @ arr["coef"].T + arr["intercept"]
    if z.shape[1] == 1:  # two classes: one row of weights, for the second
        p = 1 / (1 + np.exp(-z[:, 0]))
        probs = np.stack([1 - p, p], axis=1)
    else:
        e = np.exp(z - z.max(1, keepdims=True))
        probs = e / e.sum(1, keepdims=True)
    print(probs)

Labels: {labels}. Strategy {strategy} on {dataset}.
""",
}

_ONNX_README = """
model.onnx is the same model as an ONNX graph, for ONNX Runtime: bertlab checked it against PyTorch before
zipping it, on padded batches of texts of 1 to {max_length} tokens (every logit within {atol} + {rtol} x |logit|,
the same class for every text). Inputs: input_ids and attention_mask (int64, no token_type_ids); output: the
logits. Where the head reads the first token only, the graph's last layer computes that token alone, as
bertlab's training did (the same logits, less work).

    import numpy as np
    import onnxruntime as ort
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(".")
    sess = ort.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
    batch = tok(["some text"], truncation=True, max_length={max_length}, padding=True, return_tensors="np")
    logits = sess.run(None, {{"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}})[0]
    e = np.exp(logits - logits.max(1, keepdims=True))
    print(e / e.sum(1, keepdims=True))
"""

# head_only and zero_shot: the frozen encoder as a graph, the pooling and the head (or label vectors) in numpy.
_ONNX_ENCODER_README = """
encoder/model.onnx is the encoder as an ONNX graph, for ONNX Runtime: bertlab checked it against PyTorch before
zipping it, on padded batches of texts of 1 to {max_length} tokens (every hidden value of a real token within
{atol} + {rtol} x |value|). Inputs: input_ids and attention_mask (int64); output: the last hidden states. The
same answers as above, without torch:

    import numpy as np
    import onnxruntime as ort
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained("./encoder")
    sess = ort.InferenceSession("./encoder/model.onnx", providers=["CPUExecutionProvider"])
    {load}
    batch = tok(["some text"], truncation=True, max_length={max_length}, padding=True, return_tensors="np")
    hidden = sess.run(None, {{"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}})[0]
    mask = batch["attention_mask"][..., None].astype(hidden.dtype)
    emb = (hidden * mask).sum(1) / mask.sum(1)
    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    z = {scores}
    e = np.exp(z - z.max(1, keepdims=True))
    print(e / e.sum(1, keepdims=True))
"""
_ONNX_ENCODER_HEADS = {
    "head": ('head = load_file("./head.safetensors")', 'emb @ head["weight"].T + head["bias"]'),
    "zero_shot": ('labels = load_file("./zero_shot.safetensors")["label_embeddings"]', "{scale} * emb @ labels.T"),
}


def _onnx_file(src: Path, max_length: int, into: Path, output: str = "logits", pairs: bool = False) -> Path:
    """``src``'s model as ``into/model.onnx``, checked against its PyTorch answers: with ``output`` "logits" a
    fine-tuned classifier's save_pretrained directory, with "hidden" an encoder's (its last hidden states);
    ``pairs``: a pair task's run, its graph reading the token types off each text's first [SEP].

    Raises:
        BertlabError: ONNX Runtime missing, or the graph answers differently from PyTorch.
    """
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

    from bertlab import onnxrt

    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        raise BertlabError("an ONNX export needs onnxruntime (pip install onnxruntime onnx); or export without "
                           "ONNX.") from None
    loader = AutoModelForSequenceClassification if output == "logits" else AutoModel
    model = loader.from_pretrained(src, trust_remote_code=False).eval()
    tok = AutoTokenizer.from_pretrained(src, trust_remote_code=False)
    path = into / "model.onnx"
    try:
        onnxrt.export(model, path, output, tok, max_length, pairs)
        why = onnxrt.mismatch(model, onnxrt.Session(path, threads=1, spin=False), output, tok, max_length)
    except Exception as e:  # noqa: BLE001 - the exporter and the runtime raise many types; the zip without ONNX stays
        why = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else 'no message'}"
    if why is not None:
        raise BertlabError(f"this model could not be exported to ONNX as one that answers like PyTorch ({why}); "
                           "export it without ONNX.")
    return path


READABLE = 0o100644 << 16  # a regular file, rw-r--r--, in a zip entry's external attributes


class ZipWriteError(OSError):
    """An OSError writing the zip itself (its temporary file, or putting it in place); ``filename`` is the zip's
    final path. Told apart from one reading the run's files or saving its encoder into a temporary folder: the CLI
    called those "cannot write model zip ..., give a file in a folder you can write to" too."""


@contextlib.contextmanager
def _writing_zip(dest: Path):
    """An OSError inside as a :class:`ZipWriteError` naming ``dest`` (not its temporary '.part' name)."""
    try:
        yield
    except ZipWriteError:
        raise
    except OSError as e:
        raise ZipWriteError(e.errno, e.strerror or str(e), str(dest)) from e


class _ZipOut(io.FileIO):
    """The zip's temporary file, whose open and writes fail as :class:`ZipWriteError` (a full disk there, a folder
    that takes no file): the reads of the run's files interleave with them."""

    def __init__(self, tmp: Path, dest: Path):
        self.dest = dest
        with _writing_zip(dest):
            super().__init__(tmp, "w")

    def write(self, b) -> int:
        with _writing_zip(self.dest):
            return super().write(b)


def _add(z: zipfile.ZipFile, path: Path, arcname: str) -> None:
    """Add ``path`` as ``arcname``, readable by all once unzipped: the run's files are private (0600) in the data
    directory, and kept so, a model unzipped into a container image was readable by its owner alone. Weights
    (safetensors, ONNX) are stored, as they barely compress; text files deflated."""
    info = zipfile.ZipInfo.from_file(path, arcname)
    info.external_attr = READABLE
    info.compress_type = zipfile.ZIP_STORED if path.suffix in (".safetensors", ".onnx") else zipfile.ZIP_DEFLATED
    with open(path, "rb") as f, z.open(info, "w", force_zip64=True) as out:
        shutil.copyfileobj(f, out, 1 << 20)


def _add_text(z: zipfile.ZipFile, arcname: str, text: str) -> None:
    """Add ``text`` as the file ``arcname``, readable by all once unzipped, deflated."""
    info = zipfile.ZipInfo(arcname, time.localtime()[:6])
    info.external_attr, info.compress_type = READABLE, zipfile.ZIP_DEFLATED
    z.writestr(info, text)


def _encoder_files(model: str, max_length: int, into: Path) -> list[Path]:
    """The frozen encoder and its tokenizer, saved (safetensors) into ``into``; its files."""
    from bertlab import models

    tok = models.load_tokenizer(model)
    tok.model_max_length = max_length
    models.load_encoder(model).save_pretrained(into, safe_serialization=True)
    tok.save_pretrained(into)
    return sorted(p for p in into.rglob("*") if p.is_file())


def _pair_readme(kind: str, first: str | None, second: str) -> str:
    """What the README adds for a run trained on text pairs: how to pass a pair, as bertlab read it."""
    if kind == "tfidf":
        how = (f"each example is one string, the two texts joined by {PAIR_SEP!r} (\"first{PAIR_SEP}second\"): "
               "pass pairs that way")
    else:
        how = ("pass each pair as two lists, the tokenizer's text and text_pair, as BERT reads a pair ([CLS] first "
               "[SEP] second [SEP], the second as token type 1): tok([\"first text\"], [\"second text\"], "
               "truncation=True, ...) in place of tok([\"some text\"], ...). (The ONNX model's graph reads the "
               "token types off the [SEP] token itself.) bertlab's CSVs write each pair as the two texts joined by "
               f"{PAIR_SEP!r}: split them there (text.split({PAIR_SEP!r}, 1))")
    return (f"\nThis run was trained on text pairs (a pair task: column {first!r}, then column {second!r}): "
            f"{how}.\n")


def _unreadable(run_id: str, src: Path, e: Exception) -> BertlabError:
    """The error for a run whose saved files cannot be read, in predict.py's words (the CLI prints it, the app's
    Prepare the zip shows it: both catch BertlabError, and a JSONDecodeError was a traceback in each)."""
    return BertlabError(f"run {run_id}'s saved model in {src} cannot be read ({type(e).__name__}: {e}); it may be "
                        "damaged or partly deleted.")


# The files each artifact kind loads from (predict.py's _Loaded, TfidfModel.load); a classifier's: see missing_files.
_NEEDS = {"tfidf": TFIDF_FILES, "head": ("head.safetensors",), "zero_shot": ("zero_shot.safetensors",)}


# What the zip's bertlab_run.json adds to the keys the loaders read (kind, strategy, model, max_length, label_names):
# the measured numbers a reader of the zip checks, and what reproducing them takes.
_TEST_METRICS = ("test_accuracy", "test_accuracy_ci95", "test_macro_f1", "majority_accuracy", "test_ece")


def run_record(run, meta: dict) -> dict:
    """``meta`` (the run's bertlab_run.json, its keys as they are) with the run's id, stored config, environment
    (library versions, device, resolved precision), test metrics, test-set fingerprint and size, and its data's
    checksum: the zip's copy of it. An exported zip carried 159 bytes, none of which said how to reproduce or
    check the accuracy it was chosen on."""
    summary, costs, metrics = run.data_summary or {}, run.costs or {}, run.metrics or {}
    from bertlab.provenance import run_precision

    data = {k: summary[k] for k in ("name", "sizes", "file_sha256", "data_package", "text_column", "text_pair_column",
                                    "label_column") if summary.get(k) is not None}
    return {**meta, "run_id": run.id, "config": run.config,
            "environment": {**(summary.get("environment") or {}), "device": costs.get("device", run.device),
                            **run_precision(run)},
            "test_metrics": {k: metrics[k] for k in _TEST_METRICS if metrics.get(k) is not None},
            "test_fingerprint": metrics.get("test_fingerprint"),
            "test_size": (summary.get("sizes") or {}).get("test"), "data": data}


# A head_tail run (RunConfig.truncation) cut a long text to its start and its end: truncation=True keeps the start
_HEAD_TAIL_README = """
This run cut a text longer than {max_length} tokens to its start and its end (head+tail truncation: its first {head}
tokens, [CLS] among them, and its last {tail}, [SEP] among them), not to its start as truncation=True does (a
pipeline cuts that way too). To read texts as it did, put these lines in place of the code's `batch = tok(...)`
line (return_tensors="np" for the ONNX code); bertlab reads a text's first {max_chars:,} characters, so the end
kept is theirs:

    def head_tail(ids, n={max_length}, head={head}):
        return ids if len(ids) <= n else ids[:head] + ids[len(ids) - (n - head):]
    ids = [head_tail(x) for x in tok([t[:{max_chars}] for t in ["some text"]], verbose=False)["input_ids"]]
    batch = tok.pad({{"input_ids": ids}}, return_tensors="pt")
"""


_CHECK_README = """
To check the test accuracy bertlab reported ({accuracy}{f1}): on a machine that holds this run in its bertlab
store, write its test texts with their true labels (test set {fingerprint}, as bertlab_run.json says), then copy
preds.csv into this folder:

  python -m bertlab report {run_id} --predictions preds.csv

Then run the first code above with these lines before it:

  import csv
  # bertlab's CSVs put a ' before a cell starting with = + - @ or ' (a spreadsheet's formula guard): drop it;
  # newline="" keeps a line break inside a text as written (without it a tweet's \\r reads back as \\n)
  reader = csv.DictReader(open("preds.csv", encoding="utf-8-sig", newline=""))
  rows = [{{k: v.removeprefix("'") for k, v in r.items()}} for r in reader]

with [r["text"] for r in rows] in place of ["some text"]{batching}, and these lines after it:

  names = {labels!r}
  right = sum(names[int(i)] == r["true label"] for i, r in zip(probs.argmax(-1), rows))
  print(f"accuracy {{right / len(rows):.4f}} on {{len(rows)}} texts (bertlab: {accuracy})")

bertlab_run.json holds the run's whole config (seed, split seed, hyperparameters), its environment (library
versions, device, the precision it ran in) and its test metrics.
"""


# The check's texts went through the encoder as one batch, every text's activations held at once: on long documents
# that is gigabytes (measured, the packaged MiniLM at 512 tokens in fp32 on a CPU: 0.46 GiB above the loaded model
# for 32 texts, 1.15 GiB for 128; a 1,000-text test set of articles more again).
_CHECK_BATCHES = (" (with many or long texts, run the lines from `batch = tok(...)` on slices of, say, 32 texts "
                  "and join their probs with torch.cat: one batch of all of them holds every text's activations at "
                  "once, which for the packaged MiniLM at 512 tokens was 1.15 GiB for 128 texts on a CPU)")


def missing_files(src: Path, kind: str) -> list[str]:
    """What a run of artifact ``kind`` needs to load, as bertlab loads it, that its folder ``src`` lacks: a
    classifier its config.json, safetensors weights and tokenizer files (those :func:`bertlab.models.resolve`
    asks of a model folder: :func:`bertlab.models.missing_model_files`); the other kinds their weights files. A zip
    without them cannot load."""
    if kind != "classifier":
        return [f for f in _NEEDS.get(kind, ()) if not (src / f).is_file()]
    from bertlab.models import missing_model_files

    return missing_model_files(src)


def _tfidf_pattern(src: Path) -> tuple[str, bool]:
    """The pattern a tfidf_logreg run found words with, as it saved it (runs from before it was saved: the one
    they used), and whether it read a pair task's texts, their [SEP] marker read as a space (runs from before that
    was saved: no). Raises OSError or ValueError where tfidf.json cannot be read."""
    saved = json.loads((src / TFIDF_FILES[0]).read_text())
    if not isinstance(saved, dict):
        raise ValueError(f"{TFIDF_FILES[0]} holds no JSON object")
    return saved.get("token_pattern", LEGACY_TOKEN_PATTERN), bool(saved.get("pairs", False))


def _with_settings(run) -> str:
    """``head_only (30 epochs, lr 0.01, batch 64, ...)``: the strategy and the settings it trained with."""
    from bertlab.variants import settings_text

    said = settings_text(run)
    return f"{run.strategy} ({said})" if said else run.strategy


def zip_name(store: RunStore, run) -> str:
    """The zip's default file name: ``<run id>.zip``, and where the run's launch holds other settings of its
    strategy, the run's name among them after it (``<run id>-head_only-lr-0.01.zip``, :func:`bertlab.variants.labels`),
    in letters, digits, '.', '_' and '-' only: two exported learning rates of head_only differed by run id alone."""
    from bertlab.variants import labels

    batch = store.list_runs(batch_id=run.batch_id, limit=None) if run.batch_id else [run]
    name = labels([r for r in batch if r.strategy == run.strategy] or [run]).get(run.id, run.strategy)
    tail = re.sub(r"[^A-Za-z0-9._]+", "-", name).strip("-.")[:80] if name != run.strategy else ""
    return f"{run.id}-{tail}.zip" if tail else f"{run.id}.zip"


def export_model_zip(store: RunStore, run_id: str, dest: str | Path | None = None, onnx: bool = False) -> Path:
    """Zip a succeeded run's artifacts (top-level folder ``<run id>/``) and return the zip's path.

    Args:
        store: the run store.
        run_id: a succeeded run.
        dest: zip path, or an existing folder to put the zip in, named by :func:`zip_name` (``<run id>.zip``, the
            run's settings after it where its launch tried several); default ``<data directory>/exports/``.
        onnx: also the model as ``model.onnx`` (a fine-tuned classifier; head_only and zero_shot: their encoder as
            ``encoder/model.onnx``), checked against PyTorch, with README code that runs it without torch.

    Raises:
        BertlabError: unknown or unfinished run, or its artifacts are gone; ``onnx`` for a run with no network
            (tfidf_logreg), or a graph that answers differently.
    """
    run = store.get(run_id)
    if run is None:
        raise BertlabError(f"no run with id {run_id!r}; `python -m bertlab runs` lists them.")
    if run.status != SUCCEEDED:
        raise BertlabError(f"run {run_id} is {run.status}; only a succeeded run has a model to export.")
    src = store.artifact_path(run_id)
    meta_path = src / ARTIFACT_META
    if not meta_path.is_file():
        raise BertlabError(f"run {run_id} has no saved model in {src}; it may have been deleted.")
    try:
        meta = _read_meta(meta_path)
    except (OSError, ValueError) as e:  # cut short, not JSON, unreadable: said in words, as predict.py does
        raise _unreadable(run_id, src, e) from e
    if gone := missing_files(src, meta["kind"]):  # a zip that said "wrote" and could not load
        raise BertlabError(f"run {run_id}'s saved model in {src} lacks {', '.join(gone)}: it may have been partly "
                           "deleted, and a zip without it cannot load; train the strategy again to export it.")
    if onnx and meta["kind"] not in ("classifier", *ENCODER_KINDS):
        raise BertlabError(f"an ONNX export covers the strategies that run a BERT encoder; {run.strategy} has none "
                           "(its zip's README answers with numpy alone): export it without ONNX.")
    # Hidden folders hold what bertlab derives for itself (the playground's ONNX graph), not the model.
    files = sorted(p for p in src.rglob("*") if p.is_file() and not p.is_symlink()
                   and not any(part.startswith(".") for part in p.relative_to(src).parts))[:MAX_FILES]
    if dest is None:
        out_dir = data_home() / "exports"
        out_dir.mkdir(parents=True, exist_ok=True)
        dest = out_dir / zip_name(store, run)
    folder = str(dest).endswith(("/", os.sep))  # `-o exports/`: a folder, made if need be (Path drops the slash,
    dest = Path(dest).expanduser()              # and a file named "exports" held only the last of 12 runs)
    if folder and not dest.is_dir():
        if not dest.parent.is_dir():
            raise BertlabError(f"cannot write into {str(dest)!r}: the folder {str(dest.parent)!r} does not exist.")
        dest.mkdir()
    if dest.is_dir():
        dest = dest / zip_name(store, run)
    elif dest.suffix.lower() != ".zip":
        raise BertlabError(f"{str(dest)!r} is neither a .zip file name nor a folder: name the zip (e.g. "
                           f"{str(dest.with_suffix('.zip'))!r}), or end a folder's name with '/' to write "
                           f"{run_id}.zip into it (made if need be).")
    if not dest.parent.is_dir():
        raise BertlabError(f"cannot write {str(dest)!r}: the folder {str(dest.parent)!r} does not exist.")
    tmp = dest.with_name(dest.name + ".part")
    try:
        pattern, tfidf_pairs = _tfidf_pattern(src) if meta["kind"] == "tfidf" else ("", False)
    except (OSError, ValueError) as e:
        raise _unreadable(run_id, src, e) from e
    readme = _README.get(meta["kind"], "bertlab run {strategy}.\n").format(
        # the variant's settings (lr 0.01, 30 epochs...): two exported learning rates' READMEs read alike
        dir=run_id, labels=meta.get("label_names"), strategy=_with_settings(run), dataset=run.dataset,
        model=model_title(meta.get("model", "")), max_length=meta.get("max_length"), scale=meta.get("scale", 20),
        descriptions=meta.get("label_descriptions"), token_pattern=pattern, max_chars=MAX_TEXT_CHARS,
        words_read=words_read(pattern),
        # a pair task's text: the [SEP] between its two texts read as a space, as the run read it
        pair_step=('        text = text.replace("[SEP]", " ", 1)  # a pair: the [SEP] between its texts is no word\n'
                   if tfidf_pairs else ""))
    # a pair task's run cut its pairs as head whatever the setting (engine.encode): truncation=True reads them so
    if (meta["kind"] != "tfidf" and meta.get("truncation") == "head_tail"
            and not (run.data_summary or {}).get("text_pair_column")):
        head = int(meta["max_length"]) // 4
        readme += _HEAD_TAIL_README.format(max_length=meta["max_length"], head=head,
                                           tail=int(meta["max_length"]) - head, max_chars=MAX_TEXT_CHARS)
    if onnx:
        from bertlab.onnxrt import ATOL, RTOL

        if meta["kind"] == "classifier":
            readme += _ONNX_README.format(max_length=meta.get("max_length"), atol=ATOL, rtol=RTOL)
        else:
            load, scores = _ONNX_ENCODER_HEADS[meta["kind"]]
            readme += _ONNX_ENCODER_README.format(max_length=meta.get("max_length"), atol=ATOL, rtol=RTOL, load=load,
                                                  scores=scores.format(scale=meta.get("scale", 20)))
    summary = run.data_summary or {}
    pairs = bool(summary.get("text_pair_column"))  # a pair task's run: its ONNX graph reads pairs (onnxrt.export)
    if pairs:
        readme += _pair_readme(meta["kind"], summary.get("text_column"), summary["text_pair_column"])
    precision = (run.costs or {}).get("precision")
    if meta["kind"] != "tfidf" and precision in ("bfloat16", "float16"):
        # bertlab scored it with bf16 autocast (this CPU or GPU has it); the code above runs in fp32. The README named
        # the autocast call, and a user who wrapped the code in it got 75.6% where bertlab said 75.8%, while plain fp32
        # gave 75.8%: bertlab scores length-sorted batches padded to their longest text, which low precision feels.
        readme += (f"\nbertlab trained and scored this run with {precision} autocast, and the accuracy it reports "
                   "is that. The code above runs in fp32, the closest reference outside bertlab: keep it in fp32. "
                   "There a text whose top two classes are within about 0.005 of each other can get the other class "
                   "(a few in a thousand), so its accuracy can differ from bertlab's by a text or two. Wrapping the "
                   f"code in torch.autocast(..., dtype=torch.{precision}) does not make it match: bertlab scores its "
                   f"own batches (sorted by length, padded to their longest text), and {precision} results can differ "
                   "by a text or two with the batching.\n")
    record = run_record(run, meta)
    if (acc := record["test_metrics"].get("test_accuracy")) is not None and record["test_fingerprint"]:
        f1 = record["test_metrics"].get("test_macro_f1")
        readme += _CHECK_README.format(accuracy=f"{acc:.4f}", f1="" if f1 is None else f", macro-F1 {f1:.4f}",
                                       fingerprint=record["test_fingerprint"], run_id=run_id, batching=(
                                           "" if meta["kind"] == "tfidf" else _CHECK_BATCHES),
                                       labels=list(meta.get("label_names") or []))
    if meta["kind"] in ("classifier", "tfidf", *ENCODER_KINDS):  # its paths are this folder's ("./encoder")
        readme = ("Run the code below from this folder (cd into it first): its paths are relative to it.\n\n"
                  + readme)
    try:
        with _ZipOut(tmp, dest) as raw, tempfile.TemporaryDirectory() as enc_dir:
            with _writing_zip(dest):
                z = zipfile.ZipFile(io.BufferedWriter(raw, 1 << 20), "w")
            with z:
                for p in files:
                    if p == meta_path:  # the zip's copy also says how the run was made and what it scored
                        _add_text(z, f"{run_id}/{ARTIFACT_META}", json.dumps(record, indent=2))
                    else:
                        _add(z, p, f"{run_id}/{p.relative_to(src).as_posix()}")
                # weights that are only a head or label vectors: the frozen encoder they need goes in the zip too, so
                # it runs anywhere (bertlab's packaged model is not on the hub under its name 'minilm')
                if meta["kind"] in ENCODER_KINDS:
                    for p in _encoder_files(meta["model"], int(meta["max_length"]), Path(enc_dir)):
                        _add(z, p, f"{run_id}/encoder/{p.relative_to(enc_dir).as_posix()}")
                if onnx and meta["kind"] == "classifier":
                    _add(z, _onnx_file(src, int(meta["max_length"]), Path(enc_dir), pairs=pairs),
                         f"{run_id}/model.onnx")
                elif onnx:  # the encoder saved above, as a graph beside it
                    _add(z, _onnx_file(Path(enc_dir), int(meta["max_length"]), Path(enc_dir), "hidden", pairs),
                         f"{run_id}/encoder/model.onnx")
                _add_text(z, f"{run_id}/README.txt", readme)
        with _writing_zip(dest):
            tmp.replace(dest)  # a half-written zip never appears under the final name
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


MISSING = "missing"  # artifact_kind of a succeeded run whose folder or bertlab_run.json is gone
DAMAGED = "damaged"  # ... whose bertlab_run.json cannot be read (cut short, not JSON, no kind), or lacks a file


def _read_meta(path: Path) -> dict:
    """``bertlab_run.json`` as a dict with a ``kind``; raises OSError or ValueError where it cannot be read."""
    meta = json.loads(path.read_text())
    if not isinstance(meta, dict) or not isinstance(meta.get("kind"), str):
        raise ValueError("it names no artifact kind")
    return meta


def artifact_kind(store: RunStore, run_id: str) -> str | None:
    """The artifact kind of a succeeded run ("classifier" loads with plain transformers), :data:`MISSING` where
    its saved model is gone, :data:`DAMAGED` where its bertlab_run.json cannot be read or a file it needs to
    load is gone (:func:`missing_files`); None for an unknown or unfinished run. Never raises for a damaged run: the Accuracy vs cost page asks it on every render."""
    run = store.get(run_id)
    if run is None or run.status != SUCCEEDED:
        return None
    meta = store.artifact_path(run_id) / ARTIFACT_META
    if not meta.is_file():
        return MISSING
    try:
        kind = _read_meta(meta)["kind"]
    except (OSError, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return DAMAGED
    return DAMAGED if missing_files(meta.parent, kind) else kind
