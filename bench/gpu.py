"""BERT-base full fine-tuning on a CUDA GPU: bertlab's engine vs HF Trainer, in the same mixed precision.

``python -m bench.gpu`` on a machine with a CUDA GPU. The model is a randomly
initialised bert-base config (no download needed), the data synthetic token
ids with long-tailed lengths (as real text has), so both sides pay for
padding the way they would on real data. Reports examples/s and model FLOP
utilisation (MFU) against the card's matmul rate in that precision, measured in the same run:

    MFU = 6 x non-embedding parameters x real tokens / second / measured matmul FLOP/s

The precision is the app's ``auto`` (``bertlab.models.autocast_dtype``): bf16 on a GPU with native bf16, fp16 with
loss scaling on one with only fp16 tensor cores (a T4, a V100), or what ``--precision`` names. Every setup gets one
untimed run over the whole data first (every batch shape the timed runs meet, allocator, kernel choices, and for
``--compile`` the compiling), so no timed repeat pays a first run's costs.

``--tiny`` runs a 2-layer hidden-32 config on any device (the test suite runs
it on CPU so this file never rots). Results go to ``bench/results_gpu.json``
on a GPU (commit that file whenever it has been run on one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import transformers

from bench.common import matmul_gflops
from bertlab import models
from bertlab.clsonly import skipped_train_flops
from bertlab.costs import non_embedding_params
from bertlab.engine import Callbacks, Encoded, train_classifier

RESULTS = Path(__file__).with_name("results_gpu.json")
TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
        "max_position_embeddings": 128}


def synthetic(n: int, max_len: int, vocab: int, seed: int) -> tuple[list[list[int]], list[int]]:
    """Token-id sequences with log-normal lengths (median ~max_len/4), [CLS] ... [SEP], and 2 labels."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(math.log(max_len / 4), 0.6, n).astype(int), 8, max_len)
    ids = [[101, *rng.integers(1000, vocab, L - 2).tolist(), 102] for L in lengths]
    return ids, rng.integers(0, 2, n).tolist()


def _model(tiny: bool, seed: int):
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    cfg = BertConfig(num_labels=2, **(TINY if tiny else {}))
    return BertForSequenceClassification(cfg)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


_COMPILED: dict = {}


def _compiled_model(args, device):
    """One model for every compiled run, put back to its initial weights in place: the compiled code and its
    CUDA graphs are kept for the same parameters at the same addresses, so a timed run does not record them
    again (a new model's weights would sit elsewhere)."""
    key = (args.tiny, args.seed, str(device))
    if key not in _COMPILED:
        model = _model(args.tiny, args.seed).to(device)
        _COMPILED[key] = model, {k: v.detach().clone() for k, v in model.state_dict().items()}
    model, initial = _COMPILED[key]
    with torch.no_grad():
        for k, v in model.state_dict().items():
            v.copy_(initial[k])
    return model


def compile_counters() -> dict:
    """What torch.compile did since the counters were cleared: graphs, frames compiled (each recompile is one
    more), graph breaks, CUDA graphs skipped."""
    from torch._dynamo.utils import counters

    return {"unique_graphs": counters["stats"]["unique_graphs"], "frames_compiled": counters["frames"]["ok"],
            "graph_breaks": sum(counters["graph_break"].values()),
            "cudagraph_skips": counters["inductor"]["cudagraph_skips"]}


def run_bertlab(ids, labels, args, device, dtype, pad_multiple: int | None = None,
                compile_mode: str | None = None) -> float:
    model = _compiled_model(args, device) if compile_mode else _model(args.tiny, args.seed).to(device)
    enc = Encoded(ids)
    _sync(device)
    t0 = time.perf_counter()
    train_classifier(model, enc, labels, Encoded(ids[:8]), labels[:8], ["a", "b"], epochs=1,
                     batch_size=args.batch_size, lr=5e-5, weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0,
                     seed=args.seed, device=device, dtype=dtype, pad_id=0, callbacks=Callbacks(),
                     pad_multiple=pad_multiple, compile_mode=compile_mode)
    _sync(device)
    return time.perf_counter() - t0


def run_trainer(ids, labels, args, device, dtype: torch.dtype | None) -> float:
    from transformers import DataCollatorWithPadding, PreTrainedTokenizerFast, Trainer, TrainingArguments

    model = _model(args.tiny, args.seed)
    # A plain list of dicts, not a `datasets.Dataset`: the GPU machines' image has no `datasets`, and the
    # Trainer's length grouping reads each item's input_ids the same way.
    ds = [{"input_ids": x, "label": y} for x, y in zip(ids, labels)]
    collator = DataCollatorWithPadding(_pad_only_tokenizer(PreTrainedTokenizerFast))
    with tempfile.TemporaryDirectory() as out:
        targs = TrainingArguments(
            output_dir=out, per_device_train_batch_size=args.batch_size, num_train_epochs=1, learning_rate=5e-5,
            warmup_steps=0.1, weight_decay=0.01, max_grad_norm=1.0, seed=args.seed,
            bf16=dtype == torch.bfloat16, fp16=dtype == torch.float16,
            use_cpu=device.type == "cpu", report_to="none", save_strategy="no", logging_strategy="no",
            disable_tqdm=True, train_sampling_strategy="group_by_length")
        trainer = Trainer(model=model, args=targs, train_dataset=ds, data_collator=collator)
        _sync(device)
        t0 = time.perf_counter()
        trainer.train()
        _sync(device)
        return time.perf_counter() - t0


def _pad_only_tokenizer(cls):
    """A tokenizer object that can only pad (the data is already token ids)."""
    from tokenizers import Tokenizer, models

    tk = Tokenizer(models.WordLevel({"[PAD]": 0, "[UNK]": 1}, unk_token="[UNK]"))
    return cls(tokenizer_object=tk, pad_token="[PAD]", unk_token="[UNK]")


def bench_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype both sides train in: ``precision`` as a run takes it, "auto" by the app's rule for this
    device (bf16 only where it is native: forcing it on a T4 or V100 timed emulated bf16)."""
    return models.autocast_dtype(precision, models.pick_device(device.type))


def _summarise(res: dict, times: dict[str, list[float]], flops: float, skipped: float, examples: int,
               ceiling: float, done: bool) -> None:
    """Each setup's medians, examples/s and MFU into ``res`` (``partial`` until every repeat has run)."""
    for name, ts in times.items():
        if not ts:
            continue
        med = float(np.median(ts))
        executed = flops - skipped if name.startswith("bertlab") else flops
        res["setups"][name] = {"seconds": list(ts), "seconds_median": med, "examples_per_s": examples / med,
                               "mfu": flops / med / ceiling, "executed_mfu": executed / med / ceiling}
    res["speedup_vs_trainer"] = res["setups"]["trainer_grouped"]["seconds_median"] / res["setups"]["bertlab"][
        "seconds_median"]
    if done:
        res.pop("partial", None)
    else:
        res["partial"] = True


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m bench.gpu", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiny", action="store_true", help="2-layer hidden-32 model (tests, CPU)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--examples", type=int, default=8192)
    ap.add_argument("--batch-size", type=int, default=32, dest="batch_size")
    ap.add_argument("--max-length", type=int, default=128, dest="max_length")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp16", "fp32"],
                    help="autocast dtype of both sides; auto (default): the app's rule for this device")
    ap.add_argument("--fp32", action="store_true", help="the same as --precision fp32")
    ap.add_argument("--pad-multiple", type=int, default=0, dest="pad_multiple",
                    help="also time bertlab with batch lengths rounded up to this multiple (setup bertlab_padN; "
                         "1: padded only to the longest text, as before bertlab's CUDA default of 8)")
    ap.add_argument("--compile", default=None, dest="compile_mode",
                    choices=["default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs"],
                    help="also time bertlab with its training forward under torch.compile in this mode (setup "
                         "bertlab_compiled; reduce-overhead: CUDA graphs). Its warm-up run, compile time included, "
                         "is reported as compile_first_seconds")
    ap.add_argument("--out", type=Path, default=None, help=f"JSON output (default on CUDA: {RESULTS})")
    args = ap.parse_args(argv)
    device = torch.device(args.device)
    dtype = bench_dtype("fp32" if args.fp32 else args.precision, device)
    probe = _model(args.tiny, args.seed)  # for its sizes only; every timed run builds its own
    vocab = probe.config.vocab_size
    ids, labels = synthetic(args.examples, args.max_length, vocab, args.seed)
    real_tokens = sum(len(x) for x in ids)
    n_ne = non_embedding_params(probe)
    flops = 6.0 * n_ne * real_tokens
    # bertlab's engine computes its last layer for the first token only (bertlab.clsonly); MFU still counts
    # 6NT for both setups, as MFU does, and "executed_mfu" counts only what each setup computes.
    skipped = skipped_train_flops(probe, real_tokens, len(ids))
    del probe
    n_mm = 8192 if device.type == "cuda" else 256
    ceiling = matmul_gflops(dtype or torch.float32, n_mm, reps=10, device=device.type) * 1e9
    res = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
           "torch": torch.__version__, "transformers": transformers.__version__,
           "model": "tiny" if args.tiny else "bert-base (random init)", "precision": models.precision_name(dtype),
           "examples": args.examples, "batch_size": args.batch_size, "max_length": args.max_length,
           "real_tokens": real_tokens, "non_embedding_params": n_ne, "matmul_flops_per_s": ceiling,
           "matmul_n": n_mm, "formula": "MFU = 6 x non-embedding params x real tokens / s / measured matmul FLOP/s",
           "bertlab_skipped_flops_fraction": skipped / flops, "setups": {},
           "warmup": "one untimed run of every setup over the whole data", "warmup_seconds": {}}
    out = args.out or (RESULTS if device.type == "cuda" else None)

    def save() -> None:  # after every step, so a run stopped at its time limit leaves what it measured
        if args.compile_mode:
            res["compile_counters"] = compile_counters()
        if out:
            Path(out).write_text(json.dumps(res, indent=2) + "\n")

    res["partial"] = True
    save()
    padded = f"bertlab_pad{args.pad_multiple}"
    times: dict[str, list[float]] = {"bertlab": [], "trainer_grouped": []}
    if args.pad_multiple:
        times[padded] = []
    if args.compile_mode:
        from torch._dynamo.utils import counters

        counters.clear()  # compile_counters: this run's
        res["compile_mode"] = args.compile_mode
        times["bertlab_compiled"] = []
    runs = {"bertlab": lambda: run_bertlab(ids, labels, args, device, dtype),
            padded: lambda: run_bertlab(ids, labels, args, device, dtype, args.pad_multiple),
            "bertlab_compiled": lambda: run_bertlab(ids, labels, args, device, dtype, compile_mode=args.compile_mode),
            "trainer_grouped": lambda: run_trainer(ids, labels, args, device, dtype)}
    # Warm-up, every setup alike: one untimed run over the whole data, so it meets every batch shape the timed runs
    # will (the same texts, the same lengths) and pays the allocator's growth, kernel choices and, compiled, the
    # compiling now. The H200's figures before this warmed on a few batches only, and their first timed repeat
    # was cold (28.3 s, then 8.1 and 7.1 s), all but the compiled setup's.
    for name in [n for n in runs if n in times]:
        _sync(device)
        t0 = time.perf_counter()
        runs[name]()
        res["warmup_seconds"][name] = time.perf_counter() - t0
        print(f"warm-up: {name} {res['warmup_seconds'][name]:.2f} s", flush=True)
        if name == "bertlab_compiled":  # what compiling costs is this run's time; the timed runs show what it buys
            res["compile_first_seconds"] = res["warmup_seconds"][name]
        save()
    for r in range(args.repeats):  # interleaved, so drift in clocks/load hits every setup
        for name in [n for n in runs if n in times]:
            times[name].append(runs[name]())
            print(f"repeat {r + 1}/{args.repeats}: {name} {times[name][-1]:.2f} s", flush=True)
        _summarise(res, times, flops, skipped, args.examples, ceiling, done=r + 1 == args.repeats)
        save()
    print(json.dumps({k: v for k, v in res.items() if k != "setups"} | {
        k: {"examples_per_s": round(v["examples_per_s"], 1), "mfu": round(v["mfu"], 3)} for k, v in res["setups"].items()},
        indent=2))
    return res


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
