"""Write an MRPC-shaped CSV (sentence1, sentence2, label) from the built-in rotten_tomatoes reviews: a sentence and
a light rewrite of it ("equivalent") or of another review ("not_equivalent"). Both second texts are rewrites (about
a fifth of the words dropped, two neighbours swapped), so neither text alone tells the label: only a model that
reads the two together can. It is the README's example of a pair task, offline.

    .venv/bin/python docs/examples/make_paraphrase_pairs.py [--out paraphrase_pairs.csv] [--rows 600] [--seed 0]
    .venv/bin/python -m bertlab run --dataset paraphrase_pairs.csv --quick
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bertlab.data.builtin import load_builtin  # noqa: E402


def rewrite(text: str, rng: random.Random) -> str:
    """``text`` with about a fifth of its words dropped and two neighbours swapped."""
    words = text.split()
    keep = [w for w in words if rng.random() > 0.2] or words[:1]
    if len(keep) > 3:
        i = rng.randrange(len(keep) - 1)
        keep[i], keep[i + 1] = keep[i + 1], keep[i]
    return " ".join(keep)


def pairs(rows: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    texts = [t for t in load_builtin("rotten_tomatoes").texts if 8 <= len(t.split()) <= 30]
    rng.shuffle(texts)
    if 2 * rows > len(texts):
        raise SystemExit(f"--rows {rows}: at most {len(texts) // 2} pairs from these reviews")
    out = []
    for i in range(rows):
        a = texts[i]
        same = i % 2 == 0
        out.append((a, rewrite(a if same else texts[rows + i], rng), "equivalent" if same else "not_equivalent"))
    return pd.DataFrame(out, columns=["sentence1", "sentence2", "label"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="paraphrase_pairs.csv")
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    pairs(args.rows, args.seed).to_csv(args.out, index=False)
    print(f"wrote {args.rows} pairs to {args.out}")


if __name__ == "__main__":
    main()
