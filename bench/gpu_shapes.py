"""What a new batch shape costs the first time it reaches the GPU, and where a BERT-base step's time goes.

``python -m bench.gpu_shapes`` on a CUDA machine. One training step of a randomly initialised bert-base
(bf16 autocast, fused AdamW, as a Hugging Face loop does it) at every sequence length of ``--lengths``
(batch ``--batch-size``), in a shuffled order, twice over: the first pass meets each shape for the first time
in this process, the second repeats them. The difference is the price of a new shape; length-grouped batches
of real text meet about one new shape per distinct length. The second pass's step times, against
6 x non-embedding params x tokens / measured bf16 matmul rate, show how much of a small step is launch
overhead rather than arithmetic. ``--tiny`` runs a 2-layer model on any device (a test runs it on CPU).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from bench.common import matmul_gflops
from bench.gpu import _model
from bertlab.costs import non_embedding_params


def _step(model, opt, ids: torch.Tensor, labels: torch.Tensor, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    with torch.autocast(device.type, dtype=torch.bfloat16):
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
    torch.nn.functional.cross_entropy(logits.float(), labels).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m bench.gpu_shapes", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--batch-size", type=int, default=32, dest="batch_size")
    ap.add_argument("--lengths", default="8:129:1", help="start:stop:step of the sequence lengths")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    device = torch.device(args.device)
    lengths = list(range(*map(int, args.lengths.split(":"))))
    rng = np.random.default_rng(args.seed)
    order = [int(x) for x in rng.permutation(lengths)]
    model = _model(args.tiny, args.seed).to(device)
    fused = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, **fused)
    vocab = model.config.vocab_size
    gen = torch.Generator().manual_seed(args.seed)

    def batch(L: int):
        ids = torch.randint(1000, vocab, (args.batch_size, L), generator=gen).to(device)
        return ids, torch.randint(0, 2, (args.batch_size,), generator=gen).to(device)

    # One warm-up shape outside the measured set: kernels load, the allocator grows, AdamW makes its state.
    _step(model, opt, *batch(7), device)
    first = {L: _step(model, opt, *batch(L), device) for L in order}
    again = {L: _step(model, opt, *batch(L), device) for L in order}
    ceiling = matmul_gflops(torch.bfloat16, 8192 if device.type == "cuda" else 256, reps=10, device=device.type) * 1e9
    n_ne = non_embedding_params(model)
    res = {"device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
           "torch": torch.__version__, "batch_size": args.batch_size, "lengths": args.lengths,
           "shapes": len(lengths), "first_pass_s": sum(first.values()), "second_pass_s": sum(again.values()),
           "extra_per_new_shape_ms": 1e3 * (sum(first.values()) - sum(again.values())) / len(lengths),
           "matmul_flops_per_s": ceiling,
           "warm_step_ms": {L: round(1e3 * again[L], 3) for L in sorted(lengths)},
           "warm_step_mfu": {L: round(6 * n_ne * args.batch_size * L / again[L] / ceiling, 4) for L in sorted(lengths)},
           "first_step_ms": {L: round(1e3 * first[L], 3) for L in sorted(lengths)}}
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps({k: v for k, v in res.items() if not isinstance(v, dict)}, indent=2))
    picks = [L for L in sorted(lengths) if L in (8, 16, 32, 64, 128) or L == max(lengths)]
    print("warm step ms / MFU:", {L: (res["warm_step_ms"][L], res["warm_step_mfu"][L]) for L in picks})
    return res


if __name__ == "__main__":
    main()
