"""Command line: ``python -m bertlab {datasets,strategies,run,runs,predict}``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bertlab.config import DEFAULT_MODEL, DataConfig
from bertlab.errors import BertlabError

JSON_FIELDS = ("run_id", "strategy", "status", "test_accuracy", "test_macro_f1", "majority_accuracy",
               "train_seconds", "train_examples_per_s", "trainable_params", "total_params")


def data_config_from_arg(dataset: str, args: argparse.Namespace) -> DataConfig:
    """A built-in name, ``hub:<name>``, or a file path."""
    from bertlab.data import BUILTIN

    common = {"text_column": args.text_column, "label_column": args.label_column, "seed": args.seed,
              "train_size": args.train_size, "val_size": args.val_size, "test_size": args.test_size}
    if dataset in BUILTIN:
        return DataConfig(source="builtin", name=dataset, **common)
    if dataset.startswith("hub:"):
        return DataConfig(source="hub", name=dataset[4:], hub_split=args.hub_split, **common)
    if Path(dataset).exists() or Path(dataset).suffix:
        return DataConfig(source="file", name=str(Path(dataset).resolve()), **common)
    raise BertlabError(f"dataset {dataset!r} is not a built-in ({', '.join(BUILTIN)}), an existing file, "
                       "or 'hub:<name>'.")


def result_row(run) -> dict:
    """The comparison fields of a stored run (the --json schema)."""
    m, c = run.metrics, run.costs
    return {"run_id": run.id, "strategy": run.strategy, "status": run.status,
            "test_accuracy": m.get("test_accuracy"), "test_macro_f1": m.get("test_macro_f1"),
            "majority_accuracy": m.get("majority_accuracy"), "train_seconds": c.get("train_seconds"),
            "train_examples_per_s": c.get("train_examples_per_s"), "trainable_params": c.get("trainable_params"),
            "total_params": c.get("total_params"), "train_flops": c.get("train_flops"),
            "peak_memory_bytes": c.get("peak_memory_bytes"), "device": c.get("device"), "error": run.error}


def format_table(rows: list[dict]) -> str:
    """A plain-text comparison table."""
    head = ["strategy", "status", "test acc", "macro-F1", "majority", "train s", "ex/s", "trainable", "run id"]
    lines = []
    for r in rows:
        def f(v, spec):
            return format(v, spec) if isinstance(v, (int, float)) else "-"
        lines.append([r["strategy"], r["status"], f(r["test_accuracy"], ".3f"), f(r["test_macro_f1"], ".3f"),
                      f(r["majority_accuracy"], ".3f"), f(r["train_seconds"], ".1f"),
                      f(r["train_examples_per_s"], ".1f"), f(r["trainable_params"], ","), r["run_id"]])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)) for row in [head, *lines]]
    out.insert(1, "  ".join("-" * w for w in widths))
    errors = [f"  {r['strategy']}: {r['error']}" for r in rows if r["status"] != "succeeded" and r.get("error")]
    return "\n".join(out + (["", "errors:", *errors] if errors else []))


def cmd_datasets(args: argparse.Namespace) -> int:
    from bertlab.data import BUILTIN

    for b in BUILTIN.values():
        print(f"{b.name:16s} {b.title}: {b.description}")
    return 0


def cmd_strategies(args: argparse.Namespace) -> int:
    from bertlab.strategies import REGISTRY

    for s in REGISTRY.values():
        print(f"{s.name:12s} {s.summary}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bertlab.runner import execute_run
    from bertlab.store import RunStore
    from bertlab.strategies import make_config

    data = data_config_from_arg(args.dataset, args)
    from bertlab.data import load_splits

    load_splits(data)  # fail fast on a bad dataset, before any run is stored
    overrides = {"model": args.model, "epochs": args.epochs, "batch_size": args.batch_size,
                 "learning_rate": args.lr, "max_length": args.max_length, "seed": args.seed,
                 "precision": args.precision, "new_vocab": args.new_vocab or None,
                 "label_descriptions": args.label_descriptions}
    configs = [make_config(s, data=data, **overrides) for s in args.strategies]
    store = RunStore()
    batch = f"cli-{__import__('time').strftime('%Y%m%d-%H%M%S')}"
    ids = [store.create_run(c, batch) for c in configs]
    for rid, cfg in zip(ids, configs):
        with tqdm(total=100, desc=f"{cfg.strategy:10s}", unit="%", disable=args.json or None,
                  bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed} {postfix}", file=sys.stderr) as bar:
            def progress(p: float, phase: str) -> None:
                bar.n = round(100 * p)
                bar.set_postfix_str(phase)
            status = execute_run(store, rid, on_progress=progress)
            bar.n = 100
            bar.set_postfix_str(status)
    rows = [result_row(store.get(i)) for i in ids]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows))
    return 0 if all(r["status"] == "succeeded" for r in rows) else 1


def cmd_runs(args: argparse.Namespace) -> int:
    from bertlab.store import RunStore

    runs = RunStore().list_runs(limit=args.limit)
    if args.json:
        print(json.dumps([result_row(r) | {"dataset": r.dataset} for r in runs], indent=2))
    elif not runs:
        print("no runs yet: try `python -m bertlab run --dataset rotten_tomatoes`")
    else:
        print(format_table([result_row(r) for r in runs]))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from bertlab.predict import Predictor
    from bertlab.store import RunStore

    store = RunStore()
    ids = args.run_id.split(",") if args.run_id != "all" else [r.id for r in store.list_runs(status=("succeeded",))]
    if not ids:
        raise BertlabError("no succeeded runs to predict with; run `python -m bertlab run` first.")
    preds = Predictor(store).predict(ids, args.text)
    for p in preds:
        for text, label, probs in zip(args.text, p.labels, p.probs):
            dist = ", ".join(f"{n}={v:.2f}" for n, v in zip(p.label_names, probs))
            if args.json:
                print(json.dumps({"run_id": p.run_id, "strategy": p.strategy, "text": text, "label": label,
                                  "probabilities": dict(zip(p.label_names, map(float, probs)))}))
            else:
                print(f"{p.run_id} ({p.strategy}): {label}  [{dist}]  {text[:60]!r}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bertlab", description="Compare ways of using a BERT encoder.")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("datasets", help="list built-in datasets").set_defaults(fn=cmd_datasets)
    sub.add_parser("strategies", help="list strategies").set_defaults(fn=cmd_strategies)
    r = sub.add_parser("run", help="run strategies one after another and print a comparison")
    r.add_argument("--dataset", default="rotten_tomatoes", help="built-in name, a file path, or hub:<name>")
    r.add_argument("--strategies", nargs="+", default=["zero_shot", "head_only", "full_ft", "scratch"])
    r.add_argument("--model", default=DEFAULT_MODEL, help="'minilm' (packaged), a hub id or a local directory")
    r.add_argument("--train-size", type=int, default=2000)
    r.add_argument("--val-size", type=int, default=500)
    r.add_argument("--test-size", type=int, default=1000)
    r.add_argument("--epochs", type=int)
    r.add_argument("--batch-size", type=int)
    r.add_argument("--lr", type=float)
    r.add_argument("--max-length", type=int)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--precision", choices=["auto", "fp32", "bf16"])
    r.add_argument("--new-vocab", action="store_true", help="scratch: train a new WordPiece vocabulary")
    r.add_argument("--label-descriptions", nargs="+", help="zero_shot: one sentence per class, in label order")
    r.add_argument("--text-column")
    r.add_argument("--label-column")
    r.add_argument("--hub-split", default="train")
    r.add_argument("--json", action="store_true", help="print the comparison as JSON")
    r.set_defaults(fn=cmd_run)
    rs = sub.add_parser("runs", help="list stored runs")
    rs.add_argument("--limit", type=int, default=50)
    rs.add_argument("--json", action="store_true")
    rs.set_defaults(fn=cmd_runs)
    pr = sub.add_parser("predict", help="predict with finished runs")
    pr.add_argument("run_id", metavar="RUN_ID", help="a run id, several joined by commas, or 'all'")
    pr.add_argument("text", nargs="+", help="text(s) to classify")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(fn=cmd_predict)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except BertlabError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
