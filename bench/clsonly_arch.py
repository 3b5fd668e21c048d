"""The first-token last layer (bertlab.clsonly) on another family's base-sized classifier: training time with it
and without it (``BERTLAB_CLS_ONLY=0``), repeats interleaved, medians and the ratio. ``--path fused_qkv`` times the
fused query-key-value product of the flat masters (bertlab.flatweights) the same way, against
``BERTLAB_FUSED_QKV=0`` (it applies under bf16 autocast only).

``python -m bench.clsonly_arch --arch distilbert`` on a CPU (or a GPU). The model is the family's base config with
random weights (no download), the texts synthetic token ids with long-tailed lengths (``bench.gpu.synthetic``): the
speed of a step does not depend on what the weights are. ``--tiny`` runs a 2-layer model (a test runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from bench.gpu import synthetic
from bertlab.clsonly import skipped_train_flops
from bertlab.costs import non_embedding_params
from bertlab.engine import Callbacks, Encoded, train_classifier
from bertlab.models import autocast_dtype, pick_device, precision_name

CONFIGS = {"distilbert": ("DistilBertConfig", "DistilBertForSequenceClassification",
                          {"dim": 32, "n_layers": 2, "n_heads": 2, "hidden_dim": 64}),
           "roberta": ("RobertaConfig", "RobertaForSequenceClassification",
                       {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}),
           "electra": ("ElectraConfig", "ElectraForSequenceClassification",
                       {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64})}


def _model(arch: str, tiny: bool, seed: int):
    import transformers

    cfg_name, cls_name, small = CONFIGS[arch]
    torch.manual_seed(seed)
    cfg = getattr(transformers, cfg_name)(num_labels=2, **(small if tiny else {}))
    return getattr(transformers, cls_name)(cfg)


# the path timed: its switch, and the names of the setups with it on and off
PATHS = {"clsonly": ("BERTLAB_CLS_ONLY", "first_token", "full_last_layer"),
         "fused_qkv": ("BERTLAB_FUSED_QKV", "fused_qkv", "separate_qkv")}


def _train(arch: str, ids, labels, args, device, dtype, on: bool) -> float:
    os.environ[PATHS[args.path][0]] = "1" if on else "0"
    model = _model(arch, args.tiny, args.seed).to(device)
    t0 = time.perf_counter()
    train_classifier(model, Encoded(ids), labels, Encoded(ids[:8]), labels[:8], ["a", "b"], epochs=1,
                     batch_size=args.batch_size, lr=5e-5, weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0,
                     seed=args.seed, device=device, dtype=dtype, pad_id=model.config.pad_token_id or 0,
                     callbacks=Callbacks())
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m bench.clsonly_arch", description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", choices=sorted(CONFIGS), default="distilbert")
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--examples", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=32, dest="batch_size")
    ap.add_argument("--max-length", type=int, default=128, dest="max_length")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--path", choices=sorted(PATHS), default="clsonly",
                    help="what is timed with and without: the first-token last layer, or the fused projection")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    info = pick_device()
    device, dtype = torch.device(info.type), autocast_dtype("auto", info)
    probe = _model(args.arch, args.tiny, args.seed)
    ids, labels = synthetic(args.examples, args.max_length, probe.config.vocab_size, args.seed)
    tokens = sum(map(len, ids))
    skipped = skipped_train_flops(probe, tokens, len(ids)) / (6.0 * non_embedding_params(probe) * tokens)
    switch, on, off = PATHS[args.path]
    fused = None
    if args.path == "fused_qkv":
        if dtype is None:
            ap.error(f"the fused projection is part of the bf16 path, and {info.name} trains in fp32 here: "
                     "both setups would be the same")
        from bertlab.engine import param_groups
        from bertlab.flatweights import FlatWeights

        flat = FlatWeights(probe, param_groups(probe, 0.01, 5e-5), dtype)
        fused = len(flat.fused)  # the self-attention modules that compute query, key and value as one product
        flat.release()
    before = os.environ.get(switch)
    try:
        _train(args.arch, ids[:64], labels[:64], args, device, dtype, True)  # warm-up
        _train(args.arch, ids[:64], labels[:64], args, device, dtype, False)
        times: dict[str, list[float]] = {on: [], off: []}
        for r in range(args.repeats):  # each goes first in every other repeat
            for first in ((True, False) if r % 2 == 0 else (False, True)):
                times[on if first else off].append(_train(args.arch, ids, labels, args, device, dtype, first))
    finally:
        if before is None:
            os.environ.pop(switch, None)
        else:
            os.environ[switch] = before
    med = {k: float(np.median(v)) for k, v in times.items()}
    res = {"arch": args.arch, "path": args.path, "model": "tiny" if args.tiny else f"{args.arch} base config (random weights)",
           "device": info.name, "precision": precision_name(dtype), "torch": torch.__version__,
           "examples": args.examples, "batch_size": args.batch_size, "real_tokens": tokens,
           "skipped_flops_fraction": skipped, "seconds": times, "seconds_median": med,
           "faster_in_pairs": sum(a < b for a, b in zip(times[on], times[off])), "argv": argv if argv is not None
           else sys.argv[1:], **({"fused_modules": fused} if fused is not None else {}),
           "speedup": med[off] / med[on]}
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps({k: v for k, v in res.items() if k != "seconds"}, indent=2))
    return res


if __name__ == "__main__":
    main()
