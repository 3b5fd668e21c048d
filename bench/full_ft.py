"""full_ft: bertlab's engine against HF Trainer (default, grouped by length) and the tutorial loop.

Every setup fine-tunes the same pretrained model on the same split with the
same hyperparameters: AdamW, lr, linear warmup (10%) + decay, weight decay 0.01
off biases/LayerNorm (Trainer and bertlab; the tutorial loop decays everything,
as the tutorial does), grad clipping 1.0 where the peer does it by default,
batch size, epochs, max_length. Repeat r of every setup trains at seed
``seed + r`` (the new head's initialisation, the data order, dropout).
The timed region is tokenisation + training (model loading is outside, the
same for all). Test accuracy is measured after every repeat with the same
evaluation code, so a speed-up that costs accuracy shows; as each repeat has
its own seed, accuracy is compared seed by seed (on this split the difference
between bertlab and the Trainer moves by about 1.5 points from one seed to the
next: ``bench/accuracy_seeds_*.json``).
"""

from __future__ import annotations

import dataclasses
import gc
import math
import os
import tempfile
import time
from collections.abc import Callable
from unittest import mock

import numpy as np
import torch

from bench.common import Settings, layer_matmul_gflops, matmul_gflops, median
from bertlab import models
from bertlab.clsonly import first_token_last_layer, skipped_train_flops
from bertlab.costs import non_embedding_params
from bertlab.data import Splits
from bertlab.engine import Callbacks, encode, evaluate, train_classifier


def _new_model(s: Settings, names: list[str]):
    torch.manual_seed(s.seed)  # the same random head for every setup
    return models.load_classifier(s.model, names, pretrained=True)


def _test_report(model, tok, splits: Splits, s: Settings, device: torch.device, dtype) -> dict:
    test = encode(tok, splits.test.texts, s.max_length)
    return evaluate(model, test, splits.test.labels, splits.label_names, 64, device, dtype, tok.pad_token_id)


def _seeded(s: Settings, r: int) -> Settings:
    """The settings of repeat ``r``: training seed ``s.seed + r`` (the split stays the one loaded with ``s.seed``)."""
    return dataclasses.replace(s, seed=s.seed + r)


def _finish(model, tok, splits, s, device, dtype, out: dict) -> dict:
    m = _test_report(model, tok, splits, s, device, dtype)
    out["test_accuracy"] = float(m["accuracy"])
    # Each test text's predicted class, for a paired test between setups at one seed (paired_tests, in make bench
    # and bench/accuracy_seeds.py); the leading underscore keeps it out of the results (bench.common.summarize).
    out["_test_predictions"] = m["predictions"]
    out["seed"] = s.seed
    del model
    gc.collect()
    return out


def paired_tests(labels: list[int], preds: dict[str, list[int] | None]) -> dict[str, dict]:
    """bertlab against each Trainer setup at one seed, on the same test texts: the texts only one of them gets
    right, and McNemar's exact p (bertlab.paired): could the two models' difference be the luck of this test set?"""
    from bertlab import paired

    out = {}
    for peer in (k for k in preds if k.startswith("trainer")):
        if preds.get("bertlab") is not None and preds[peer] is not None:
            t = paired.compare(labels, preds["bertlab"], preds[peer])
            out[peer] = {"bertlab_only_right": t.a_only, "peer_only_right": t.b_only,
                         "difference_points": 100 * t.difference, "p_mcnemar": t.p_value}
    return out


def paired_tests_per_repeat(labels: list[int], samples: dict[str, list]) -> dict[str, list[dict]]:
    """:func:`paired_tests` at every repeat's seed of a benchmark run (each repeat trains every setup at one seed)."""
    out: dict[str, list[dict]] = {}
    for r in range(min(len(v) for v in samples.values())):
        preds = {name: v[r].info.get("_test_predictions") for name, v in samples.items()}
        seed = samples["bertlab"][r].info.get("seed") if "bertlab" in samples else None
        for peer, t in paired_tests(labels, preds).items():
            out.setdefault(peer, []).append({"seed": seed, **t})
    return out


def bertlab_setup(splits: Splits, base: Settings, tok, device: torch.device, dtype,
                  first_token: bool = True, flat: bool = True) -> Callable[[int], dict]:
    """bertlab's engine as the full_ft strategy calls it (dtype from ``models.autocast_dtype``).

    ``first_token=False`` turns off the first-token last layer, ``flat=False`` the flat bf16 weights
    (:mod:`bertlab.flatweights`; autocast then casts weight by weight), to show what each is worth.
    """
    val_n = min(32, len(splits.val))  # the engine evaluates every epoch; keep that work tiny and counted

    def ceiling() -> float:
        return matmul_gflops(dtype or torch.float32, base.ceiling_n, reps=3, device=device.type)

    def run(r: int) -> dict:
        s = _seeded(base, r)
        model = _new_model(s, splits.label_names).to(device)
        before = ceiling()
        t0, c0 = time.perf_counter(), time.process_time()
        train = encode(tok, splits.train.texts, s.max_length)
        val = encode(tok, splits.val.texts[:val_n], s.max_length)
        with mock.patch.dict(os.environ, {"BERTLAB_CLS_ONLY": "1" if first_token else "0",
                                          "BERTLAB_FLAT_WEIGHTS": "1" if flat else "0"}):
            st = train_classifier(model, train, splits.train.labels, val, splits.val.labels[:val_n],
                                  splits.label_names, epochs=s.epochs, batch_size=s.batch_size, lr=s.lr,
                                  weight_decay=0.01, warmup_ratio=0.1, grad_clip=1.0, seed=s.seed, device=device,
                                  dtype=dtype, pad_id=tok.pad_token_id, callbacks=Callbacks())
        if device.type == "cuda":
            torch.cuda.synchronize()
        sec = time.perf_counter() - t0
        cpu = time.process_time() - c0
        # The matmul ceiling of this precision right before and right after the timed training: a VM's speed
        # drifts by a fifth within minutes, so the fraction of the ceiling is taken within the same minute.
        best = max(before, ceiling())
        out = {"seconds": sec, "cpu_seconds": cpu, "ceiling_gflops": best, "examples": st.examples, "tokens": st.tokens,
               "padded_tokens": st.padded_tokens, "first_token_last_layer": st.first_token_last_layer,
               "eager_attention": st.eager_attention, "kept_embedding_gradient": st.kept_embedding_gradient,
               "flat_weights": st.flat_weights, "embedding_rows_trained": st.embedding_rows_trained,
               "fewest_threads": st.fewest_threads}
        return _finish(model, tok, splits, s, device, dtype, out)

    return run


def trainer_setup(splits: Splits, base: Settings, tok, device: torch.device, *, grouped: bool,
                  bf16: bool = False) -> Callable[[int], dict]:
    """HF Trainer with its defaults (dynamic padding via DataCollatorWithPadding), optionally length-grouped."""
    from datasets import Dataset
    from transformers import Trainer, TrainingArguments

    def run(r: int) -> dict:
        s = _seeded(base, r)
        model = _new_model(s, splits.label_names)
        with tempfile.TemporaryDirectory() as out_dir:
            t0, c0 = time.perf_counter(), time.process_time()
            ds = Dataset.from_dict({"text": splits.train.texts, "label": splits.train.labels})
            ds = ds.map(lambda b: tok(b["text"], truncation=True, max_length=s.max_length), batched=True,
                        remove_columns=["text"])
            args = TrainingArguments(
                output_dir=out_dir, per_device_train_batch_size=s.batch_size, num_train_epochs=s.epochs,
                learning_rate=s.lr, warmup_steps=0.1, weight_decay=0.01, max_grad_norm=1.0, seed=s.seed,
                report_to="none", save_strategy="no", logging_strategy="no", disable_tqdm=True,
                use_cpu=device.type == "cpu", bf16=bf16,
                train_sampling_strategy="group_by_length" if grouped else "random")
            trainer = Trainer(model=model, args=args, train_dataset=ds, processing_class=tok)
            trainer.train()
            if device.type == "cuda":
                torch.cuda.synchronize()
            sec = time.perf_counter() - t0
        model = trainer.model
        del trainer
        out = {"seconds": sec, "cpu_seconds": time.process_time() - c0, "examples": len(splits.train) * s.epochs}
        return _finish(model, tok, splits, s, device, torch.bfloat16 if bf16 else None, out)

    return run


def tutorial_setup(splits: Splits, base: Settings, tok, device: torch.device) -> Callable[[int], dict]:
    """The loop of the well-known tutorials: pad everything to max_length, plain PyTorch loop."""
    from torch.utils.data import DataLoader, TensorDataset
    from transformers import get_scheduler

    def run(r: int) -> dict:
        s = _seeded(base, r)
        model = _new_model(s, splits.label_names).to(device)
        t0, c0 = time.perf_counter(), time.process_time()
        enc = tok(splits.train.texts, padding="max_length", truncation=True, max_length=s.max_length,
                  return_tensors="pt")
        data = TensorDataset(enc["input_ids"], enc["attention_mask"], torch.tensor(splits.train.labels))
        g = torch.Generator().manual_seed(s.seed)
        loader = DataLoader(data, batch_size=s.batch_size, shuffle=True, generator=g)
        opt = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=0.01)
        total = s.epochs * len(loader)
        sched = get_scheduler("linear", opt, num_warmup_steps=math.ceil(0.1 * total), num_training_steps=total)
        model.train()
        for _ in range(s.epochs):
            for ids, mask, y in loader:
                out = model(input_ids=ids.to(device), attention_mask=mask.to(device), labels=y.to(device))
                out.loss.backward()
                opt.step()
                sched.step()
                opt.zero_grad()
        if device.type == "cuda":
            torch.cuda.synchronize()
        sec = time.perf_counter() - t0
        n = len(splits.train) * s.epochs
        out = {"seconds": sec, "cpu_seconds": time.process_time() - c0, "examples": n, "padded_tokens": n * s.max_length}
        return _finish(model, tok, splits, s, device, None, out)

    return run


def setups(splits: Splits, s: Settings) -> dict[str, Callable[[int], dict]]:
    """The setups to compare; bf16 ones only where the hardware has native bf16 (else see the ceiling section)."""
    dev = models.pick_device()
    tok = models.load_tokenizer(s.model)
    dtype = models.autocast_dtype("auto", dev)
    out = {
        "bertlab": bertlab_setup(splits, s, tok, dev.torch, dtype),
        "bertlab_all_tokens": bertlab_setup(splits, s, tok, dev.torch, dtype, first_token=False),
        **({"bertlab_per_tensor": bertlab_setup(splits, s, tok, dev.torch, dtype, flat=False)} if dtype else {}),
        "trainer_default": trainer_setup(splits, s, tok, dev.torch, grouped=False),
        "trainer_grouped": trainer_setup(splits, s, tok, dev.torch, grouped=True),
        "tutorial": tutorial_setup(splits, s, tok, dev.torch),
    }
    if dev.bf16:
        out["trainer_grouped_bf16"] = trainer_setup(splits, s, tok, dev.torch, grouped=True, bf16=True)
        if dtype is None:  # bertlab ran fp32 above; show its bf16 too
            out["bertlab_bf16"] = bertlab_setup(splits, s, tok, dev.torch, torch.bfloat16)
        else:  # bertlab ran bf16 above (its default here); its fp32 is what the fp32 ceiling target measures
            out["bertlab_fp32"] = bertlab_setup(splits, s, tok, dev.torch, None)
    return out


def flop_figures(splits: Splits, s: Settings, summary: dict[str, dict]) -> dict:
    """Useful training FLOP/s of each setup: 6 * N_non-embedding * real tokens / second.

    Also times one layer's matrix products at an average step's shapes (``layer_matmul_gflops``, a few
    seconds): the ceiling at the model's own shapes, beside the n x n ceilings of the ``ceiling`` section.
    """
    tok = models.load_tokenizer(s.model)
    lengths = encode(tok, splits.train.texts, s.max_length).lengths
    real_tokens = int(lengths.sum()) * s.epochs
    model = _new_model(s, splits.label_names)
    n_ne = non_embedding_params(model)
    flops = 6.0 * n_ne * real_tokens
    # What bertlab's first-token last layer leaves out: that layer's weights other than key and value,
    # for every position but the first.
    skipped = skipped_train_flops(model, real_tokens, len(splits.train) * s.epochs)
    for v in summary.values():
        v["examples_per_s"] = v["examples"] / v["seconds_median"]
        v["useful_gflops_per_s"] = flops / v["seconds_median"] / 1e9
        v["useful_gflops_per_cpu_s"] = flops / v["cpu_seconds_median"] / 1e9
        executed = flops - skipped if v.get("first_token_last_layer") else flops
        v["executed_gflops_per_s"] = executed / v["seconds_median"] / 1e9
        v["executed_gflops_per_cpu_s"] = executed / v["cpu_seconds_median"] / 1e9
        if v.get("padded_tokens"):
            v["padding_fraction"] = 1 - real_tokens / v["padded_tokens"]
        ceilings = v.get("ceiling_gflops_per_repeat") or ([v["ceiling_gflops"]] if v.get("ceiling_gflops") else None)
        if ceilings and len(ceilings) == len(v["seconds"]):
            v["ceiling_fraction_per_repeat"] = [flops / sec / 1e9 / c for sec, c in zip(v["seconds"], ceilings)]
            v["ceiling_fraction_paired"] = median(v["ceiling_fraction_per_repeat"])
    # The matrix products' own ceiling at the step's shapes: one layer's products at an average batch's tokens.
    cfg = model.config
    batch_tokens = max(1, round(s.batch_size * float(np.mean(lengths))))
    dev = models.pick_device()
    dtypes = {"fp32": torch.float32, **({"bf16": torch.bfloat16} if dev.bf16 else {})}
    layer = {k: layer_matmul_gflops(d, cfg.hidden_size, cfg.intermediate_size, batch_tokens, device=dev.type)
             for k, d in dtypes.items()}
    return {"non_embedding_params": n_ne, "real_train_tokens": real_tokens, "train_flops": flops,
            "layer_matmul_gflops": {**layer, "tokens": batch_tokens,
                                    "formula": "one encoder layer's six linear maps, forward and both backward "
                                               "products, at batch_size x mean tokens rows; best of 5"},
            "mean_tokens": float(np.mean(lengths)), "p95_tokens": float(np.percentile(lengths, 95)),
            "max_tokens": int(lengths.max()),
            "skipped_by_first_token_last_layer": skipped, "skipped_fraction": skipped / flops,
            "formula": "useful FLOP/s = 6 x non-embedding parameters x real (unpadded) tokens / seconds; "
                       "executed FLOP/s subtracts what bertlab's first-token last layer does not compute "
                       "(6 x that layer's non-key/value parameters x every token but the first)"}


MATMUL_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::matmul",
              "aten::_scaled_dot_product_flash_attention_for_cpu",
              "aten::_scaled_dot_product_flash_attention_for_cpu_backward")
OPTIMIZER_OPS = ("aten::_fused_adamw_", "aten::_foreach_norm", "aten::_foreach_mul_", "aten::linalg_vector_norm")


def time_breakdown(splits: Splits, s: Settings, steps: int = 6) -> dict:
    """Where bertlab's training step's CPU time goes (torch.profiler self time by op): matrix products, the
    optimizer and gradient clipping, and everything else (elementwise, LayerNorm, dropout, copies)."""
    from torch.profiler import ProfilerActivity, profile

    from bertlab.embgrad import kept_embedding_gradient
    from bertlab.embrows import compact_embedding
    from bertlab.engine import collate, grouped_batches, make_optimizer, param_groups, training_attention
    from bertlab.flatweights import flat_weights

    dev = models.pick_device()
    dtype = models.autocast_dtype("auto", dev)  # bertlab's default precision on this machine
    tok = models.load_tokenizer(s.model)
    model = _new_model(s, splits.label_names).to(dev.torch).train()
    enc = encode(tok, splits.train.texts, s.max_length)
    order = grouped_batches(enc.lengths, s.batch_size, np.random.default_rng(s.seed))
    batches = [order[i % len(order)] for i in range(steps + 2)]  # 2 warm-up steps, then the profiled ones
    groups = param_groups(model, 0.01, s.lr, None)
    labels = torch.tensor(splits.train.labels)

    def step(idx) -> None:
        b = {k: v.to(dev.torch) for k, v in collate([enc.ids[i] for i in idx], tok.pad_token_id).items()}
        with torch.autocast(dev.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
            logits = (flat or model)(**b).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), labels[idx].to(dev.torch))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        if rows:
            rows.stepped()
        opt.zero_grad(set_to_none=True)

    with first_token_last_layer(model), flat_weights(model, groups, dtype) as flat, \
            compact_embedding(model, groups, enc.ids, dev.torch) as rows, training_attention(model, dev.torch), \
            kept_embedding_gradient(model, dev.torch):  # as the engine runs it
        opt = make_optimizer(groups, s.lr, dev.torch)
        trainable = [p for g in groups for p in g["params"]]
        for idx in batches[:2]:
            step(idx)
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for idx in batches[2:]:
                step(idx)
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    matmul = sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in MATMUL_OPS)
    optim = sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in OPTIMIZER_OPS)
    top = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:8]
    return {"steps": len(batches) - 2, "precision": str(dtype or torch.float32).replace("torch.", ""),
            "matmul_share": matmul / total, "optimizer_share": optim / total,
            "other_share": 1 - (matmul + optim) / total,
            "top_ops": [{"op": e.key, "share": e.self_cpu_time_total / total} for e in top],
            "note": "self CPU time by op under torch.profiler (the profiler itself adds some overhead)"}
