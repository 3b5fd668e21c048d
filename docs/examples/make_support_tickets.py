"""Write docs/examples/support_tickets.csv: synthetic, strongly imbalanced support tickets (about 92% "other").

    .venv/bin/python docs/examples/make_support_tickets.py [--rows 3000] [--seed 0]

Made from templates, deterministic for a seed. The rare classes, "refund" and "cancel", are written in many ways,
and "other" holds texts that mention refunds or cancelling without asking for one ("what is your refund
policy?", "you cancelled my order, why?"), plus a few mislabelled rows, so that a model which only spots a
keyword does not get everything right. It is the README's example of an imbalanced test set: always answering
"other" scores about 92% accuracy, and macro-F1 tells the models apart.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

THINGS = ["headphones", "blender", "lamp", "shoes", "charger", "jacket", "coffee maker", "backpack", "phone case",
          "membership", "subscription box", "desk chair", "kettle", "monitor", "yoga mat"]
WHEN = ["yesterday", "last week", "two days ago", "this morning", "a month ago", "on Monday", "last night"]
TAILS = ["", "", "", " Thanks.", " Sent from my phone.", " This is the third time I write.", " ugh.", " Cheers!",
         " Please help.", " Any update?"]

OTHER = [
    "Where is my {thing}? The tracking hasn't moved since {when}.",
    "Is the {thing} available in blue?",
    "The {thing} arrived {when}, all good.",
    "How do I reset my {thing}?",
    "Do you ship the {thing} to Canada?",
    "The {thing} came damaged {when} but I fixed it myself, no worries.",
    "Can I change the delivery address for the {thing}?",
    "What is your refund policy for the {thing}, just asking before I buy.",
    "You cancelled my order for the {thing} {when}, why? I still want it.",
    "Does the {thing} come with a warranty?",
    "Love the {thing}, best purchase this year!",
    "The discount didn't apply to the {thing} {when}.",
    "Where do I download the receipt for the {thing}?",
    "My {thing} stopped working {when}, how do I get it repaired?",
    "Is there a cheaper plan than the one for my {thing}?",
    "I got a refund for the {thing} {when}, thanks for the quick help.",
    "Can I pause the delivery of the {thing} while I'm on holiday?",
]
REFUND = [
    "I want my money back for the {thing}.",
    "Please refund the {thing}, it broke {when}.",
    "Refund the {thing} please, it is not what I ordered.",
    "You charged me twice for the {thing}, give me back the money.",
    "Please return the money you took for the {thing}.",
    "The {thing} is useless, I expect a full reimbursement.",
    "How do I get reimbursed for the {thing}? It never arrived.",
    "I returned the {thing} {when} and still have no refund.",
]
CANCEL = [
    "Cancel my {thing} now.",
    "Please cancel my {thing}, I don't need it anymore.",
    "I want to end my {thing}, how do I stop it?",
    "Stop charging me for the {thing}, I'm done.",
    "Close my account and the {thing} with it.",
    "Unsubscribe me from the {thing} plan.",
    "Terminate the {thing} contract at the end of the month.",
]
SHARES = (("other", OTHER, 0.92), ("refund", REFUND, 0.05), ("cancel", CANCEL, 0.03))
MISLABELLED = 0.01


def rows(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out, seen = [], set()
    for label, templates, share in SHARES:
        k = round(n * share)
        while k:
            text = rng.choice(templates).format(thing=rng.choice(THINGS), when=rng.choice(WHEN)) + rng.choice(TAILS)
            if text in seen:
                continue
            seen.add(text)
            wrong = rng.random() < MISLABELLED
            out.append((text, rng.choice([s[0] for s in SHARES if s[0] != label]) if wrong else label))
            k -= 1
    rng.shuffle(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).with_name("support_tickets.csv")))
    args = ap.parse_args()
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows(args.rows, args.seed))
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
