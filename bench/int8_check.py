"""Would int8 make the playground fast without changing answers? ``python -m bench.int8_check [--limit N]``

For every succeeded fine-tuned run (classifier artifact) in the data directory
($BERTLAB_HOME), quantises its Linear layers to int8 with PyTorch dynamic
quantisation and compares labels and probabilities with the fp32 model on the
run's own test split, and times one sentence both ways. The issue allows int8
only if predictions stay the same; this measures whether they do.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import torch

from bertlab.data import load_splits
from bertlab.engine import encode, predict_logits
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies.base import ARTIFACT_META


def one_sentence_ms(model, enc, reps: int = 50) -> float:
    with torch.inference_mode():
        for _ in range(5):
            model(**enc)
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            model(**enc)
            ts.append(time.perf_counter() - t0)
    return float(np.percentile(ts, 95) * 1e3)


def check(store: RunStore, run_id: str) -> dict:
    from torch.ao.quantization import quantize_dynamic
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    run = store.get(run_id)
    art = store.artifact_path(run_id)
    cfg = run.run_config
    tok = AutoTokenizer.from_pretrained(art)
    fp32 = AutoModelForSequenceClassification.from_pretrained(art, use_safetensors=True).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao
        int8 = quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    test = load_splits(cfg.data).test
    enc = encode(tok, test.texts, cfg.max_length)
    cpu = torch.device("cpu")
    a = predict_logits(fp32, enc, 64, cpu, None, tok.pad_token_id)
    b = predict_logits(int8, enc, 64, cpu, None, tok.pad_token_id)
    pa, pb = torch.softmax(torch.from_numpy(a), -1).numpy(), torch.softmax(torch.from_numpy(b), -1).numpy()
    one = tok(["A moving, beautifully acted film, though a bit too long."], return_tensors="pt")
    return {"run": run_id, "strategy": run.strategy, "test_texts": len(enc),
            "same_label_fraction": float((a.argmax(1) == b.argmax(1)).mean()),
            "max_probability_change": float(np.abs(pa - pb).max()),
            "fp32_one_sentence_p95_ms": one_sentence_ms(fp32, one), "int8_one_sentence_p95_ms": one_sentence_ms(int8, one)}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m bench.int8_check", description=__doc__)
    ap.add_argument("--limit", type=int, default=4, help="how many runs to check (newest first)")
    a = ap.parse_args(argv)
    store = RunStore()
    ids = [r.id for r in store.list_runs(status=(SUCCEEDED,), limit=1000)
           if (store.artifact_path(r.id) / ARTIFACT_META).is_file()
           and json.loads((store.artifact_path(r.id) / ARTIFACT_META).read_text()).get("kind") == "classifier"]
    out = [check(store, i) for i in ids[: a.limit]]
    for r in out:
        print(f"{r['strategy']:<10} {r['run']}  same labels {r['same_label_fraction']:.1%} of {r['test_texts']}  "
              f"max prob change {r['max_probability_change']:.3f}  one sentence p95 fp32 "
              f"{r['fp32_one_sentence_p95_ms']:.1f} ms / int8 {r['int8_one_sentence_p95_ms']:.1f} ms")
    if not out:
        print("no finished fine-tuned runs in this data directory")
    return out


if __name__ == "__main__":
    main()
