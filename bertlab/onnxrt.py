"""Fast CPU inference through ONNX Runtime, used only where it gives the same answers as PyTorch.

On a CPU, PyTorch's eager forward pass of a small BERT for one sentence is
mostly per-op overhead: all-MiniLM-L6-v2 answered test sentences in ~9 ms
(p50) through ONNX Runtime against 24-27 ms in PyTorch (bench/playground.py,
figures in bench/README.md). So the playground and the frozen-encoder embedding pass run
the model through ONNX Runtime when it is installed and the device is a CPU
without native bf16 (where bertlab's PyTorch path is plain fp32 anyway).

Safety: a model is exported once (``torch.onnx.export``, the TorchScript
exporter), then every time a session is opened its outputs are compared with
PyTorch's on a fixed batch of padded texts of different lengths. A model whose
outputs differ by more than ``ATOL + RTOL * |x|`` anywhere (or whose predicted
class differs) is not used through ONNX Runtime; PyTorch answers instead and
:func:`last_refusal` says why. Setting ``BERTLAB_ONNX=0`` turns the whole path off.

BERT-family models get explicit ``token_type_ids`` (zeros) and ``position_ids``
(0..n-1) inputs inside the exported graph: traced from their default buffers,
transformers' embeddings export wrongly (seen: hidden states off by ~1.6 for
padded batches), which the check above catches.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import logging
import os
import threading
import uuid
import warnings
from pathlib import Path

import numpy as np
import torch

from bertlab.clsonly import enabled as first_token_enabled
from bertlab.clsonly import first_token_last_layer

log = logging.getLogger(__name__)

# Part of every exported file's name: bumped when the export changes (2: a classifier's last layer computes
# the first token only), so graphs exported by an older bertlab are replaced rather than reused.
# 3: token type ids read off the ids (a text pair's second half is type 1), where 2 passed 0s
# 4: so for a pair task's runs only (their files named "-pairs"); a single-text run's graph passes 0s again, as
# PyTorch reads a literal [SEP] in one text (3 read what followed it as a second text)
EXPORT_FORMAT = 4
ATOL = 1e-3
RTOL = 1e-3
OPSET = 17
_LOCK = threading.Lock()
_REFUSED: dict[str, str] = {}
# Texts of very different lengths (1 to ~60 tokens) checked padded together and one by one.
CHECK_TEXTS = [
    "ok",
    "The film is a quiet, patient study of grief.",
    "Not worth the ticket: the plot collapses halfway and the jokes fall flat.",
    "An astonishing, generous and very funny movie about three sisters who run a bakery in a small town "
    "and the summer when everything they baked went wrong, told with warmth, wit and not a single false note.",
]
# ... and one cut at max_length, so every position the model will be asked about is checked.
LONG_TEXT = " ".join(CHECK_TEXTS[1:] * 40)


def export_name(stem: str, tag: str, output: str, pairs: bool = False) -> str:
    """The file name of an export of ``output`` ("logits" or "hidden") for weights tagged ``tag``.

    It carries :data:`EXPORT_FORMAT`, for a classifier whether :func:`export` traces it through the
    first-token last layer (off with ``BERTLAB_CLS_ONLY=0``), and whether it reads text pairs (``pairs``), so a
    file is reused only for the same graph.
    """
    variant = "-all-positions" if output == "logits" and not first_token_enabled() else ""
    return f"{stem}-{tag}-f{EXPORT_FORMAT}{variant}{'-pairs' if pairs else ''}.onnx"


def backend_name(session) -> str:
    """What answers when ``session`` (a :class:`Session` or None) is used: "onnxruntime" or "torch"."""
    return "onnxruntime" if session is not None else "torch"


def available() -> bool:
    """Whether ONNX Runtime can be used at all (installed, and not switched off with BERTLAB_ONNX=0)."""
    if os.environ.get("BERTLAB_ONNX", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def wanted(device: torch.device, dtype: torch.dtype | None) -> bool:
    """Use ONNX Runtime for this device and autocast dtype? (CPU in fp32 only: a GPU or bf16 stays in torch.)"""
    return device.type == "cpu" and dtype is None and available()


def last_refusal(key: str) -> str | None:
    """Why the model stored at ``key`` (an .onnx path) answers through PyTorch instead, if it was refused."""
    return _REFUSED.get(key)


class _Wrapper(torch.nn.Module):
    """Forward with (input_ids, attention_mask) only; returns logits or the last hidden state.

    Token type ids are not an input: where the model and its tokenizer use them (BERT's segments A and B) and
    the texts are a pair task's (``sep_id`` given), they are read off the ids as the tokenizer writes them for a
    text pair (bertlab.textpair), 1 after the first separator token and 0 before it and on padding; otherwise
    all 0, as the tokenizer gives a single text (a literal [SEP] in it included).
    """

    def __init__(self, model: torch.nn.Module, output: str, sep_id: int | None = None) -> None:
        super().__init__()
        self.model, self.output = model, output
        params = inspect.signature(model.forward).parameters
        cfg = model.config
        self.type_ids = "token_type_ids" in params and getattr(cfg, "type_vocab_size", 0) > 0
        self.sep_id = sep_id if self.type_ids and getattr(cfg, "type_vocab_size", 0) > 1 else None
        # Only BERT numbers positions 0..n-1 (RoBERTa starts after the padding index): elsewhere the model
        # computes them itself and the equivalence check decides.
        self.positions = "position_ids" in params and getattr(cfg, "model_type", "") == "bert"

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        kw = {"input_ids": input_ids, "attention_mask": attention_mask}
        if self.sep_id is not None:
            sep = (input_ids == self.sep_id).long()
            kw["token_type_ids"] = ((sep.cumsum(1) - sep) > 0).long() * attention_mask
        elif self.type_ids:
            kw["token_type_ids"] = torch.zeros_like(input_ids)
        if self.positions:
            kw["position_ids"] = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0).expand_as(input_ids)
        out = self.model(**kw)
        return out.logits if self.output == "logits" else out.last_hidden_state


def _check_batches(tokenizer, max_length: int) -> list[dict[str, np.ndarray]]:
    enc = tokenizer(CHECK_TEXTS + [LONG_TEXT], truncation=True, max_length=max_length)["input_ids"]
    pad = tokenizer.pad_token_id or 0

    def batch(rows: list[list[int]]) -> dict[str, np.ndarray]:
        n = max(len(r) for r in rows)
        ids = np.full((len(rows), n), pad, dtype=np.int64)
        mask = np.zeros((len(rows), n), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)], mask[i, : len(r)] = r, 1
        return {"input_ids": ids, "attention_mask": mask}

    return [batch(enc[:-1]), batch(enc[1:2]), batch(enc[-2:]), batch(enc[-1:])]


def export(model: torch.nn.Module, path: Path, output: str, tokenizer, max_length: int, pairs: bool = False) -> None:
    """Write ``model`` (eval mode, CPU) as ONNX to ``path`` (atomically: a temp name, then a rename).

    ``pairs``: it reads a pair task's texts, the token types read off each text's first [SEP] (:class:`_Wrapper`).

    A classifier (``output="logits"``) is traced with :func:`bertlab.clsonly.first_token_last_layer`
    active where it applies, so the graph's last layer computes the first token only, as training does.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    example = _check_batches(tokenizer, max_length)[2]  # padded, and as long as inputs get
    pairs = pairs and "token_type_ids" in getattr(tokenizer, "model_input_names", ())
    wrapper = _Wrapper(model, output, tokenizer.sep_token_id if pairs else None).eval()
    dyn = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
           "output": {0: "batch", 1: "tokens"} if output == "hidden" else {0: "batch"}}
    first_token = first_token_last_layer(model) if output == "logits" else contextlib.nullcontext()
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad(), first_token:
            warnings.simplefilter("ignore")
            torch.onnx.export(wrapper, (torch.from_numpy(example["input_ids"]), torch.from_numpy(example["attention_mask"])),
                              str(tmp), input_names=["input_ids", "attention_mask"], output_names=["output"],
                              dynamic_axes=dyn, opset_version=OPSET, dynamo=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


_TELEMETRY_OFF = False


def _no_telemetry(ort) -> None:
    """Switch ONNX Runtime's usage-telemetry events off, once, before the first session (where the build has
    the call). ``ORT_DISABLE_TELEMETRY`` (set in bertlab/__init__.py) already keeps them from being written;
    this also covers a process that imported onnxruntime before bertlab."""
    global _TELEMETRY_OFF
    if _TELEMETRY_OFF:
        return
    off = getattr(ort, "disable_telemetry_events", None)
    if off is not None:
        try:
            off()
        except Exception:  # noqa: BLE001 - never worth refusing a session for
            log.debug("onnxruntime.disable_telemetry_events failed", exc_info=True)
    _TELEMETRY_OFF = True


class Session:
    """An ONNX Runtime session that maps (input_ids, attention_mask) to the model's output."""

    def __init__(self, path: Path, threads: int, spin: bool | None = None) -> None:
        """``spin``: let idle pool threads spin between ops (default: when ``threads`` > 1)."""
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = max(1, threads)
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning threads made batch embedding passes ~15% faster here, but made several sessions running
        # side by side several times slower (they spin on each other's cores): the playground turns it off.
        spin = threads > 1 if spin is None else spin
        so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        so.log_severity_level = 3
        self.path, self.threads = path, threads
        _no_telemetry(ort)
        self._sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        return self._sess.run(None, {"input_ids": np.ascontiguousarray(input_ids, dtype=np.int64),
                                     "attention_mask": np.ascontiguousarray(attention_mask, dtype=np.int64)})[0]


def _torch_out(model: torch.nn.Module, output: str, batch: dict[str, np.ndarray]) -> np.ndarray:
    with torch.inference_mode():
        out = model(input_ids=torch.from_numpy(batch["input_ids"]), attention_mask=torch.from_numpy(batch["attention_mask"]))
    return (out.logits if output == "logits" else out.last_hidden_state).float().numpy()


def mismatch(model: torch.nn.Module, session: Session, output: str, tokenizer, max_length: int) -> str | None:
    """None when ``session`` answers like ``model`` on the check batches; otherwise what differed."""
    for batch in _check_batches(tokenizer, max_length):
        ref = _torch_out(model, output, batch)
        got = session(batch["input_ids"], batch["attention_mask"])
        if got.shape != ref.shape:
            return f"output shape {got.shape} instead of {ref.shape}"
        if output == "hidden":  # padded positions are ignored downstream (mean pooling over the mask)
            keep = batch["attention_mask"].astype(bool)
            ref, got = ref[keep], got[keep]
        err = np.abs(got - ref) - (ATOL + RTOL * np.abs(ref))
        if not np.all(np.isfinite(got)) or (err > 0).any():
            return f"outputs differ from PyTorch by up to {float(np.nanmax(np.abs(got - ref))):.3g}"
        if output == "logits" and (got.argmax(-1) != ref.argmax(-1)).any():
            return "a predicted class differs from PyTorch's"
    return None


def open_session(model: torch.nn.Module, path: Path, output: str, tokenizer, max_length: int,
                 threads: int, spin: bool | None = None, pairs: bool = False) -> Session | None:
    """A verified session for ``model`` (exported to ``path`` first if needed, reading pairs where ``pairs``: see
    :func:`export`), or None to stay in PyTorch.

    Never raises: any failure (exporter, runtime, a mismatch) is logged and
    remembered under :func:`last_refusal`, and the caller keeps using PyTorch.
    """
    key = str(path)
    if key in _REFUSED:
        return None
    try:
        model = model.eval()
        with _LOCK:  # two threads must not export the same file at once
            if not path.is_file():
                export(model, path, output, tokenizer, max_length, pairs)
        session = Session(path, threads, spin)
        why = mismatch(model, session, output, tokenizer, max_length)
    except Exception as e:  # noqa: BLE001 - any failure means "use PyTorch", never a crash
        why = f"{type(e).__name__}: {e}"
    if why is not None:
        _REFUSED[key] = why
        log.warning("ONNX Runtime not used for %s: %s", path, why)
        return None
    return session


def weights_tag(directory: Path) -> str:
    """A short tag that changes when the weights in ``directory`` change (size and mtime of each file)."""
    h = hashlib.sha1()
    for f in sorted(directory.glob("*.safetensors")) + sorted(directory.glob("*.bin")) + sorted(directory.glob("config.json")):
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:12]
