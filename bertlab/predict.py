"""Load finished runs and predict; models stay loaded and warm for the playground.

Runs whose predictions come from the same frozen encoder (zero_shot and
head_only with the same model and max_length) share one forward pass.

On a CPU in fp32, a predictor made with ``backend="auto"`` (the app's) exports
each loaded model to ONNX in the background; once a session answers like
PyTorch (:mod:`bertlab.onnxrt`; 2.6-3x faster per model for one sentence), it
answers every input for that model and the PyTorch copy is dropped. Several
models answering one input then run one after another, each on up to 4
threads. The exported graph of a run lives in ``<artifact>/.onnx/`` (left out
of model export zips).

In PyTorch (``backend="torch"``, a model still exporting, or no ONNX Runtime),
several runs' forward passes for a short input go to a small pool of workers
with one torch thread each, one model per worker: for ~20 tokens, splitting
each of the hundreds of small ops over two OpenMP threads gains little, while
two models on two cores run side by side; longer inputs run with every
thread. bench/playground.py measures all of these.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from bertlab import embeddings, models, onnxrt
from bertlab.config import MAX_LOADED_RUNS as MAX_LOADED
from bertlab.config import MAX_TEXT_CHARS
from bertlab.engine import encode, map_sorted, predict_logits
from bertlab.errors import BertlabError
from bertlab.heap import release_free_heap
from bertlab.store import DAMAGED, SUCCEEDED, SUMMARY_LOST, RunStore
from bertlab.strategies.base import ARTIFACT_META, ENCODER_KINDS

UNKNOWN_SHARE = 0.3  # a text whose tokens are this share [UNK] or more for a model: its answer is said to mean little
# What comes to a model as [UNK] (a review's 12,000 x's, one word too long for WordPiece, read "emoji, or a script")
UNKNOWN_WHY = "[UNK]: emoji, a script it was not trained on, or a word too long to split"
# At most this many texts count as "interactive": in PyTorch on a CPU, several runs then go to the worker pool.
INTERACTIVE_TEXTS = 8
# Threads of each loaded model's ONNX Runtime session; several models answering one input run one after another.
# Measured for 8 runs on 2 cores (bench/playground.py): one-thread sessions side by side on the worker pool
# answered all runs in 59-66 ms p95 but one run alone in 19-20 ms p95; two-thread sessions one after another
# 86-89 ms and 15-16 ms; two-thread sessions on the pool were worse on both.
ORT_MAX_THREADS = 4


def ort_threads() -> int:
    return max(1, min(ORT_MAX_THREADS, torch.get_num_threads()))



def _one_thread() -> None:
    torch.get_num_threads()  # torch's per-thread start first, so that it does not undo the next line later
    torch.set_num_threads(1)


def one_thread_pool(workers: int, prefix: str) -> ThreadPoolExecutor:
    """A pool of ``workers`` threads that each run torch on one thread, leaving every other thread's count alone.

    ``torch.set_num_threads`` in a worker also sets torch's process-wide starting count, which every thread
    that starts torch work later takes up: after the Playground's first pool, the training worker (when its
    first run came later), the pages' threads and the device name all ran on one thread ("AMD EPYC (1 threads)",
    so no past run matched the Train page's estimates). So the workers are all started here, and the starting
    count is put back once each has set its own."""
    base = torch.get_num_threads()
    pool = ThreadPoolExecutor(workers, thread_name_prefix=prefix, initializer=_one_thread)
    started = threading.Barrier(workers + 1)
    for _ in range(workers):  # each blocks a thread until all have started: one task per worker
        pool.submit(started.wait, 30)
    try:
        started.wait(30)
    except threading.BrokenBarrierError:
        pass
    torch.set_num_threads(base)  # this thread's count, and the starting one, as they were
    return pool


def cut_note(cut: dict[str, tuple[int, int]], clipped: bool, names: dict[str, str], everyone: bool,
             ends: Collection[str] = ()) -> str | None:
    """The sentence that says a text is longer than some runs read, the app's and the CLI's alike (the CLI said
    nothing: its answers were about the start of a long text without a word), else None.

    Args:
        cut: :meth:`Predictor.cut_texts` of the text: {run id: (its length in tokens, the run's max_length)}.
        clipped: the text is longer than MAX_TEXT_CHARS (read, and tokenised, from its start only).
        names: each run's name as the caller shows it.
        everyone: every run that answered is in ``cut``.
        ends: the runs that keep a long text's start and end (RunConfig.truncation "head_tail",
            :meth:`Predictor.head_tail_runs`), not its start alone.
    """
    if not cut:  # a pasted book in few tokens (one 12,000-character word): cut all the same
        return f"Every model here reads only this text's first {MAX_TEXT_CHARS:,} characters." if clipped else None
    # The cut runs' own counts (another vocabulary, another model: another number of tokens).
    counts = sorted({n for n, _ in cut.values()})
    # a pasted book is cut to its first MAX_TEXT_CHARS characters before it is tokenised: counted there
    what = f"This text's first {MAX_TEXT_CHARS:,} characters are" if clipped else "This text is"
    starts = [i for i in cut if i not in ends]
    who = ("every model here reads" if everyone and len(starts) == len(cut) else
           ", ".join(names[i] for i in starts) + (" reads" if len(starts) == 1 else " read"))
    # a head_tail run reads its first quarter of max_length tokens and its last three quarters
    both = sorted({(m // 4, m - m // 4) for i, (_, m) in cut.items() if i in ends})
    who_both = ("every model here reads" if everyone and not starts else
                ", ".join(names[i] for i in cut if i in ends) + (" reads" if len(cut) - len(starts) == 1 else " read"))
    reads = []
    if starts:
        lengths = sorted({m for i, (_, m) in cut.items() if i not in ends})
        reads.append(f"{who} only its first {' or '.join(map(str, lengths))} (the max length "
                     f"{'it was' if len(starts) == 1 else 'they were'} run with)")  # not 'trained with': zero_shot
    if both:
        reads.append(f"{who_both} only its first {' or '.join(str(h) for h, _ in both)} and last "
                     f"{' or '.join(str(t) for _, t in both)} (its start and end, as "
                     f"{'it was' if len(cut) - len(starts) == 1 else 'they were'} run with)")
    # the runs that cut nothing (tfidf_logreg) read the clipped text too, not the whole: a long pasted report's
    # "head_only reads only its first 64" read as tfidf_logreg having read all of it
    rest = (f" The others read its first {MAX_TEXT_CHARS:,} characters: no model here reads past them."
            if clipped and not everyone else "")
    return f"{what} {' or '.join(f'{n:,}' for n in counts)} tokens: {'; '.join(reads)}." + rest


@dataclass
class Prediction:
    """One run's answer for a list of texts."""

    run_id: str
    strategy: str
    label_names: list[str]
    probs: np.ndarray  # (n_texts, n_classes)
    latency_ms: float
    shared_encoder: bool = False
    backend: str = "torch"  # what computed it: "torch", "onnxruntime" or "scikit-learn"
    # tfidf_logreg: per text, True where none of its words (n-grams) was seen in training, so the answer is the
    # classes' prior whatever the text says. None for runs that read every text (BERT's word pieces cover any).
    unknown: list[bool] | None = None
    # tfidf_logreg: whether each emoji or other symbol is a word to it (runs trained before that dropped them)
    symbol_words: bool = True

    @property
    def labels(self) -> list[str]:
        return [self.label_names[i] for i in self.probs.argmax(1)]


class _Loaded:
    def __init__(self, run_id: str, strategy: str, meta: dict, artifact: Path, device: torch.device,
                 pairs: bool = False) -> None:
        self.run_id, self.strategy, self.meta = run_id, strategy, meta
        # trained on a pair task's texts (bertlab.textpair): a [SEP] in a text is then where its two texts meet;
        # a single-text run reads a literal [SEP] as it trained, one text
        self.pairs = pairs
        self.kind = meta["kind"]
        self.label_names = meta["label_names"]
        self.max_length = int(meta["max_length"])
        # how the run cut a text longer than max_length (RunConfig.truncation); runs saved before the setting: "head"
        self.truncation = str(meta.get("truncation", "head"))
        self.device = device
        self.artifact = artifact
        self.ort = None  # a verified ONNX Runtime session, once the background export is done
        if self.kind == "classifier":
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            self.tok = AutoTokenizer.from_pretrained(artifact, trust_remote_code=False)
            self.model = AutoModelForSequenceClassification.from_pretrained(
                artifact, use_safetensors=True, trust_remote_code=False).to(device).eval()
        elif self.kind == "head":
            w = load_file(str(artifact / "head.safetensors"))
            self.weight, self.bias = w["weight"].float(), w["bias"].float()
        elif self.kind == "tfidf":
            from bertlab.strategies.tfidf_logreg import TfidfModel

            self.tfidf = TfidfModel.load(artifact)
        elif self.kind == "zero_shot":
            self.label_emb = load_file(str(artifact / "zero_shot.safetensors"))["label_embeddings"].float()
            self.scale = float(meta.get("scale", 20.0))
        else:
            raise BertlabError(f"run {run_id}: unknown artifact kind {self.kind!r}")

    @property
    def encoder_key(self) -> tuple[str, int, bool, str] | None:
        return ((self.meta["model"], self.max_length, self.pairs, self.truncation) if self.kind in ENCODER_KINDS
                else None)

    @property
    def session_key(self) -> tuple[str, bool]:
        """Which shared frozen-encoder session answers this run (an encoder run's): its model's, reading texts as
        the run did (:attr:`pairs`)."""
        return self.meta["model"], self.pairs

    def from_embeddings(self, emb: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(embeddings.normalize(emb))
        if self.kind == "head":
            logits = x @ self.weight.T + self.bias
        else:
            logits = self.scale * (x @ self.label_emb.T)
        return torch.softmax(logits, -1).numpy()

    def encode(self, texts: list[str]):
        return encode(self.tok, texts, self.max_length, self.pairs, self.truncation)

    def forward(self, enc, dtype: torch.dtype | None) -> tuple[np.ndarray, str]:
        """Class probabilities of every row of ``enc``, and which backend computed them."""
        model = self.model  # read before the session: the model is dropped only after the session is set
        session = self.ort
        if session is not None:
            logits = run_session(session, enc, self.tok.pad_token_id)
        else:
            logits = predict_logits(model, enc, 64, self.device, dtype, self.tok.pad_token_id)
        return torch.softmax(torch.from_numpy(logits), -1).numpy(), onnxrt.backend_name(session)

    def open_onnx(self) -> None:
        """Export (once; kept in ``<artifact>/.onnx/``) and open a verified session, or stay in torch.

        Once verified, the session answers every input and the PyTorch copy of the model is dropped, so a
        loaded run holds its weights once.
        """
        path = self.artifact / ".onnx" / onnxrt.export_name("model", onnxrt.weights_tag(self.artifact), "logits",
                                                            self.pairs)
        session = onnxrt.open_session(self.model, path, "logits", self.tok, self.max_length,
                                      threads=ort_threads(), spin=False, pairs=self.pairs)
        if session is not None:
            self.ort = session
            self.model = None
            for stale in path.parent.glob("model-*.onnx"):  # older weights or an older export format
                if stale != path:
                    stale.unlink(missing_ok=True)

    @property
    def backend(self) -> str:
        return onnxrt.backend_name(self.ort)


def run_session(session, enc, pad_id: int) -> np.ndarray:
    """A session's outputs for every row of ``enc``, in length-sorted batches, returned in input order."""
    out = map_sorted(enc, embeddings.ORT_BATCH, pad_id,
                     lambda b: session(b["input_ids"].numpy(), b["attention_mask"].numpy()))
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class Predictor:
    """Keeps up to ``max_loaded`` finished runs in memory and predicts with them."""

    def __init__(self, store: RunStore, device: models.DeviceInfo | None = None, max_loaded: int = MAX_LOADED,
                 backend: str = "torch") -> None:
        """``backend``: "torch", or "auto" for a long-lived predictor (the app's): on a CPU each model
        then answers (in fp32) through ONNX Runtime once its background export is verified (PyTorch until then)."""
        self.store = store
        self.device = device or models.pick_device()
        self.max_loaded = max_loaded
        # On a CPU the playground answers in fp32 through ONNX Runtime even where the CPU has native bf16: one
        # sentence through MiniLM took 2.7 ms p50 there against 11.4 ms with bf16 autocast and 8.2 ms in fp32
        # PyTorch (AMX Xeon, 2 threads). bf16 pays off on batches (training, embedding passes), not on one text.
        # PyTorch answers in fp32 too until the export is ready, so an answer does not change when ONNX takes over.
        self.use_onnx = backend == "auto" and onnxrt.wanted(self.device.torch, None)
        self.dtype = None if self.use_onnx else models.autocast_dtype("auto", self.device)
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        self._warmed: set[str] = set()  # loaded runs that have answered once (see warm_once)
        self._toks: dict[str, object] = {}  # tokenizers of frozen-encoder runs' models, to count a text's tokens
        self._lock = threading.RLock()
        self._executor: ThreadPoolExecutor | None = None
        self._exporter: ThreadPoolExecutor | None = None
        self._pending: dict[object, Future] = {}
        self._enc_sessions: dict[tuple[str, bool], object] = {}

    def cut_texts(self, run_ids: list[str], text: str) -> dict[str, tuple[int, int]]:
        """{run id: (the text's length in that run's tokens, its max_length)} for the runs that read only the start
        of ``text`` (longer than their max_length, as in training). tfidf_logreg reads every word: never cut."""
        return self.cut_each(run_ids, [text]).get(0, {})

    def cut_each(self, run_ids: list[str], texts: list[str]) -> dict[int, dict[str, tuple[int, int]]]:
        """:meth:`cut_texts` for many texts (a file's), one tokenizer call per run: {text index: {run id: (its
        length in tokens, max_length)}} for the texts some run reads only the start of."""
        from bertlab.engine import untruncated_lengths

        clipped = [t[:MAX_TEXT_CHARS] for t in texts]
        cut: dict[int, dict[str, tuple[int, int]]] = {}
        for rid, m, tok in self._tokenizers(run_ids):
            for i, n in enumerate(untruncated_lengths(tok, clipped, m.pairs)):  # under the tokenizer lock, as every call
                if n > m.max_length:
                    cut.setdefault(i, {})[rid] = (n, m.max_length)
        return cut

    def head_tail_runs(self, run_ids: list[str]) -> set[str]:
        """The runs among ``run_ids`` that keep a long text's start and end (RunConfig.truncation "head_tail",
        :func:`bertlab.engine.keep_head_tail`): what :func:`cut_note` says of them. Not a pair task's run, whose
        pairs are cut as head whatever the setting (:func:`bertlab.engine.encode`)."""
        return {r for r in run_ids if (m := self.load(r, keep=len(run_ids))).truncation == "head_tail" and not m.pairs}

    def pair_runs(self, run_ids: list[str]) -> set[str]:
        """The runs among ``run_ids`` trained on a pair task's texts (:attr:`_Loaded.pairs`), which read a ``[SEP]``
        as where two texts meet; the others read it as a literal in one text."""
        return {r for r in run_ids if self.load(r, keep=len(run_ids)).pairs}

    def _tokenizers(self, run_ids: list[str]):
        """(run id, loaded run, its tokenizer) for each run that reads tokens (not tfidf_logreg)."""
        for rid in run_ids:
            m = self.load(rid, keep=len(run_ids))
            if m.kind != "tfidf":
                yield rid, m, (m.tok if m.kind == "classifier" else self._tokenizer(m.meta["model"]))

    def unknown_shares(self, run_ids: list[str], text: str, at_least: float = UNKNOWN_SHARE) -> dict[str, float]:
        """{run id: the share of ``text``'s tokens its vocabulary does not know ([UNK])} for the runs where that is
        ``at_least``: emoji, or a script the model never saw, come to the model as [UNK] tokens only, and its
        answer then says next to nothing about the text. tfidf_logreg has no such token: never listed."""
        return {rid: hits[0][1] for rid, hits in self.unknown_texts(run_ids, [text], at_least).items()}

    def unknown_texts(self, run_ids: list[str], texts: list[str],
                      at_least: float = UNKNOWN_SHARE) -> dict[str, list[tuple[int, float]]]:
        """:meth:`unknown_shares` for many texts (a file's), one tokenizer call per run: {run id: [(the text's
        index, its unknown share)]} for the texts where that is ``at_least``; runs with none left out."""
        from bertlab.engine import unknown_share_each

        clipped = [t[:MAX_TEXT_CHARS] for t in texts]
        out = {}
        for rid, m, tok in self._tokenizers(run_ids):
            if hits := [(i, v) for i, v in enumerate(unknown_share_each(tok, clipped, m.pairs)) if v >= at_least]:
                out[rid] = hits
        return out

    def _tokenizer(self, model: str):
        if model not in self._toks:
            self._toks[model] = models.load_tokenizer(model)
        return self._toks[model]

    def load(self, run_id: str, keep: int = 0) -> _Loaded:
        """Load (or fetch from memory) a finished run.

        ``keep``: how many of the most recently used runs must stay loaded (a request for more runs than
        ``max_loaded`` keeps them all while it lasts, rather than reloading each one from disk every time).

        Raises:
            BertlabError: unknown run, not finished, or artifacts missing.
        """
        with self._lock:
            if run_id in self._loaded:
                self._loaded.move_to_end(run_id)
                return self._loaded[run_id]
        run = self.store.get(run_id)
        if run is None:
            raise BertlabError(f"no run with id {run_id!r}; `python -m bertlab runs` lists them.")
        if (run.error or "").startswith(DAMAGED):  # "is failed" alone hid which field and what to do
            raise BertlabError(f"run {run_id} cannot predict: {run.error}")
        if any(str(n).startswith(SUMMARY_LOST) for n in run.notes):
            # whether it reads text pairs is in its data summary: read as single texts, a pair model's answers
            # would be wrong without a word
            raise BertlabError(f"run {run_id} cannot predict: {SUMMARY_LOST}, so whether it reads a text or a text "
                               "pair is unknown. Train it again (Compare's Run again), or delete it "
                               f"(`python -m bertlab delete {run_id}`).")
        if run.status != SUCCEEDED or not run.artifact_dir:
            raise BertlabError(f"run {run_id} is {run.status}; only succeeded runs can predict.")
        artifact = self.store.artifact_path(run_id)
        meta_path = artifact / ARTIFACT_META
        if not meta_path.is_file():
            raise BertlabError(f"run {run_id} has no saved model in {artifact}; it may have been deleted.")
        try:
            loaded = _Loaded(run_id, run.strategy, json.loads(meta_path.read_text()), artifact, self.device.torch,
                             pairs=bool((run.data_summary or {}).get("text_pair_column")))
        except Exception as e:  # noqa: BLE001 - a cut-short weights file raises safetensors' own error type
            raise BertlabError(f"run {run_id}'s saved model in {artifact} cannot be read "
                               f"({type(e).__name__}: {e}); it may be damaged or partly deleted.") from e
        with self._lock:
            self._loaded[run_id] = loaded
            self._warmed.discard(run_id)  # a new load answers its first text slowly again
            doomed = list(self._loaded)[:max(0, len(self._loaded) - max(self.max_loaded, keep))]
            held = [weakref.ref(getattr(self._loaded[r], "model", None) or self._loaded[r]) for r in doomed]
            evicted = self._drop(doomed)
        if evicted:
            # gc.collect only where an evicted model outlived its last reference (~150 ms with torch and transformers
            # loaded, per load: a Playground switch that evicted 3 runs waited ~0.5 s more). A full_ft model is freed
            # at once; a lora run's modules hold reference cycles, which stayed (+50 MiB) until some later collection
            self._release(evicted, collect=any(ref() is not None for ref in held))
        if self.use_onnx and loaded.kind == "classifier":
            self._in_background(loaded, loaded.open_onnx)
        elif self.use_onnx and loaded.encoder_key and loaded.session_key not in self._enc_sessions:
            self._in_background(("encoder", *loaded.session_key), lambda: self._open_encoder(*loaded.session_key))
        return loaded

    def forget(self, run_ids) -> list[str]:
        """Drop ``run_ids`` from memory: their models and ONNX sessions, and the shared frozen encoder (its
        session, its tokenizer) of a model no loaded run reads any more; then hand the freed heap back to the OS.

        The app calls it after deleting runs, and for loaded runs found deleted (:meth:`forget_deleted`): a
        deleted run's model (~130 MB for a fine-tuned MiniLM) stayed loaded until another evicted it, and the
        server's memory never came down. Returns the ids that were loaded.
        """
        with self._lock:
            gone = self._drop(run_ids)
        if gone:
            self._release(gone)
        return gone

    def _drop(self, run_ids) -> list[str]:
        """Take those of ``run_ids`` that are loaded out of memory's lists (under the lock): the ids taken."""
        gone = [r for r in dict.fromkeys(run_ids) if r in self._loaded]
        for r in gone:
            del self._loaded[r]
            self._warmed.discard(r)
        return gone

    def _release(self, gone: list[str], collect: bool = True) -> None:
        """After :meth:`_drop`: close the shared encoders no loaded run reads any more, free what ``gone`` held
        (``collect``: with a full garbage collection first, as :meth:`forget` does)."""
        with self._lock:
            used = {m.meta["model"] for m in self._loaded.values() if m.encoder_key}
            # sessions are keyed (model, pairs): one model's two readings go when no run reads that model
            unused = [k for k in {m for m, _ in self._enc_sessions} | set(self._toks) if k not in used]
            for model in unused:
                for pairs in (False, True):
                    self._enc_sessions.pop((model, pairs), None)
                self._toks.pop(model, None)
        for model in unused:
            embeddings.release_encoder(model, ort_threads(), False)
        if collect:
            gc.collect()  # a model's modules hold reference cycles: freed now rather than at some later collection
        release_free_heap()

    def forget_deleted(self) -> list[str]:
        """:meth:`forget` the loaded runs no longer in the store (deleted in the app, by the CLI or by another
        server): at most ``max_loaded`` look-ups by id, cheap enough for every render of a page that predicts."""
        with self._lock:
            loaded = list(self._loaded)
        return self.forget([r for r in loaded if self.store.get(r) is None]) if loaded else []

    def loaded_ids(self) -> list[str]:
        """The runs held in memory now, least recently used first."""
        with self._lock:
            return list(self._loaded)

    def _open_encoder(self, model: str, pairs: bool = False) -> None:
        """The shared frozen encoder's session for zero_shot/head_only runs (None stored if refused), reading a pair
        task's texts where ``pairs``."""
        self._enc_sessions[model, pairs] = embeddings.encoder_session(model, ort_threads(), spin=False, pairs=pairs)

    def _in_background(self, key, fn) -> None:
        """Run ``fn`` once per ``key`` on the exporter thread (an ONNX export takes a few seconds)."""
        with self._lock:
            if key in self._pending:
                return
            if self._exporter is None:
                self._exporter = ThreadPoolExecutor(1, thread_name_prefix="bertlab-onnx")
            fut = self._exporter.submit(fn)
            self._pending[key] = fut
        fut.add_done_callback(lambda _: self._settled(key))

    def _settled(self, key) -> None:
        with self._lock:
            self._pending.pop(key, None)

    def warm(self, run_ids: list[str], wait_fast: bool = False) -> None:
        """Load runs and run one tiny prediction so the first real one is fast.

        ``wait_fast``: also wait until the background ONNX exports are done (or refused).
        """
        self.predict(run_ids, ["warm up"])
        if wait_fast:
            with self._lock:
                futures = list(self._pending.values())
            wait(futures)
            self.predict(run_ids, ["warm up"])

    def warm_once(self, run_ids: list[str]) -> None:
        """One untimed tiny prediction from each of ``run_ids`` that has not answered since it was loaded: a
        persona's first Predict timed tfidf_logreg at 20.1 ms (scikit-learn's and torch's first-call set-up), then
        2.7 ms; the Playground's latencies are a warm model's."""
        with self._lock:
            new = [r for r in run_ids if r not in self._warmed]
        if new:
            self.predict(new, ["warm up"])
            with self._lock:
                self._warmed.update(r for r in new if r in self._loaded)

    def onnx_pending(self, run_ids: list[str]) -> set[str]:
        """The loaded runs among ``run_ids`` whose ONNX export (or their shared encoder's) is still being made: they
        answer through PyTorch until it is ready, and then faster (a refused export never becomes pending again)."""
        with self._lock:
            keys = set(self._pending)
            loaded = {r: self._loaded[r] for r in run_ids if r in self._loaded}
        return {r for r, m in loaded.items()
                if m in keys or (m.encoder_key and ("encoder", *m.session_key) in keys)}

    def backends(self, run_ids: list[str]) -> dict[str, str]:
        """Which backend answers each loaded run now: "onnxruntime" or "torch" (or the artifact kind, e.g. "tfidf")."""
        out = {}
        for r in run_ids:
            m = self._loaded.get(r)
            if m is None:
                continue
            if m.kind == "classifier":
                out[r] = m.backend
            elif m.encoder_key:
                out[r] = onnxrt.backend_name(self._enc_sessions.get(m.session_key))
            else:
                out[r] = m.kind
        return out

    def usable(self, run_ids: list[str]) -> tuple[list[str], dict[str, str]]:
        """Split ``run_ids`` into those that load and {run id: why not} for the others (a deleted or damaged
        model), so one broken run does not silence the rest."""
        ok, bad = [], {}
        for r in run_ids:
            try:
                self.load(r, keep=len(run_ids))
                ok.append(r)
            except BertlabError as e:
                bad[r] = str(e)
        return ok, bad

    def predict(self, run_ids: list[str], texts: list[str]) -> list[Prediction]:
        """Predictions of each run for ``texts`` (frozen-encoder runs share one encoder pass)."""
        texts = [t[:MAX_TEXT_CHARS] if t.strip() else "[empty]" for t in texts]
        loaded = [self.load(r, keep=len(run_ids)) for r in run_ids]
        out: dict[str, Prediction] = {}
        # Units of work: one per fine-tuned model, one per shared frozen encoder. Tokenising happens
        # here, in the calling thread (a fast tokenizer must not be used from two threads at once).
        units: list[tuple[list[_Loaded], object]] = []
        groups: dict[tuple[str, int, bool, str], list[_Loaded]] = {}
        for m in loaded:
            if m.encoder_key:
                groups.setdefault(m.encoder_key, []).append(m)
            elif m.kind == "tfidf":
                from bertlab.strategies.tfidf_logreg import counts_symbols

                t0 = time.perf_counter()
                p, known = m.tfidf.predict_proba_known(texts)
                out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, p, (time.perf_counter() - t0) * 1e3,
                                           backend="scikit-learn", unknown=[not k for k in known],
                                           symbol_words=counts_symbols(m.tfidf.token_pattern))
            else:
                units.append(([m], m.encode(texts)))
        interactive = len(texts) <= INTERACTIVE_TEXTS
        for (model, max_length, pairs, truncation), ms in groups.items():
            tok, enc_model = embeddings.get_encoder(model, self.device.torch)
            session = self._enc_sessions.get((model, pairs))
            units.append((ms, (enc_model, tok.pad_token_id, encode(tok, texts, max_length, pairs, truncation),
                               session)))
        # The worker pool serves PyTorch only: ONNX Runtime sessions use the cores themselves, one model after
        # another (a model still exporting answers in PyTorch meanwhile, with all threads).
        pool = self._pool() if interactive and len(units) > 1 and not self.use_onnx else None
        results = list(pool.map(self._run_unit, units)) if pool is not None else [self._run_unit(u) for u in units]
        for (ms, _), (probs, ms_taken, backend) in zip(units, results):
            if ms[0].encoder_key:
                for m in ms:
                    t1 = time.perf_counter()
                    p = m.from_embeddings(probs)
                    out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, p,
                                               ms_taken + (time.perf_counter() - t1) * 1e3,
                                               shared_encoder=len(ms) > 1, backend=backend)
            else:
                m = ms[0]
                out[m.run_id] = Prediction(m.run_id, m.strategy, m.label_names, probs, ms_taken, backend=backend)
        return [out[r] for r in run_ids]

    def _run_unit(self, unit) -> tuple[np.ndarray, float, str]:
        """One forward pass: a fine-tuned model's class probabilities, or a frozen encoder's embeddings."""
        ms, payload = unit
        t0 = time.perf_counter()
        if ms[0].encoder_key:
            enc_model, pad_id, enc, session = payload
            res = embeddings.embed_encoded(enc_model, enc, 64, self.device.torch, self.dtype, pad_id, session=session)
            backend = onnxrt.backend_name(session)
        else:
            res, backend = ms[0].forward(payload, self.dtype)
        return res, (time.perf_counter() - t0) * 1e3, backend

    def _pool(self) -> ThreadPoolExecutor | None:
        """The one-thread-per-worker pool for short inputs on CPU (None elsewhere: a GPU queues its own work)."""
        if self.device.type != "cpu":
            return None
        with self._lock:
            if self._executor is None:
                self._executor = one_thread_pool(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)),
                                                 "bertlab-predict")
            return self._executor

    def close(self) -> None:
        """Stop the worker threads (they also end with the process)."""
        with self._lock:
            for ex in (self._executor, self._exporter):
                if ex is not None:
                    ex.shutdown(wait=False)
            self._executor = self._exporter = None
