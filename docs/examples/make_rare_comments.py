"""Write rare_comments.csv: 1,500 made-up forum comments, 3% of them (45) "abusive", the rest "ok".

    .venv/bin/python docs/examples/make_rare_comments.py [--out rare_comments.csv]

Made from templates, deterministic. "abusive" is an insult aimed at a person; the borderline rows go both ways:
harsh words about a thing ("the update is garbage", "this is idiotic") are "ok", and a mild-sounding jab at a
person ("people like you shouldn't be allowed to post") is "abusive", so a model that spots rude words alone gets
some wrong. It is the README's example of a rare class for Compare's precision-recall section
(``docs/screenshots/capture.py --scene prcurve``).
"""

from __future__ import annotations

import argparse
import csv
import random

SUBJECTS = ["the update", "this article", "your answer", "the new layout", "the video", "this thread", "the fix",
            "the release notes", "the tutorial", "the app", "this review", "the guide", "the last patch", "the FAQ"]
OK = ["Thanks, {s} was really helpful.", "I disagree with {s}, but it's a fair point.", "Not sure {s} covers my case.",
      "{S} is a bit long, could you shorten it?", "Great work on {s}, I learned a lot.", "Has anyone tried {s} on Linux?",
      "{S} broke my setup again, annoying.", "I think {s} misses the point entirely.",
      "Could you explain {s} in more detail?", "{S} is fine, nothing special.",
      "Honestly {s} is terrible, I expected better.", "Love {s}, keep it up!", "Why does {s} keep changing every week?",
      "{S} is wrong about the dates.", "Meh. {S} again.",
      # harsh about a thing, not a person: still ok
      "{S} is stupid in places, but mostly useful.", "Who wrote {s}? Some of it is nonsense.", "What a joke {s} is.",
      "{S} is garbage, please roll it back.", "This is idiotic: {s} deleted my settings.", "{S} is a clown show.",
      "Stop pushing {s}, it's useless.", "{S} is pathetic compared to the old one."]
ABUSIVE = ["You are a pathetic idiot, {s} proves it.", "Shut up, nobody wants your garbage.",
           "Get lost, moron, and take {s} with you.", "Whoever made {s} is a worthless clown.",
           "People like you shouldn't be allowed to post about {s}.", "Nobody asked you. {S} is a joke and so are you.",
           "Go away, you clearly can't read {s}.", "{S}? Typical of someone as useless as you.",
           "Do everyone a favour and stop writing, {s} is proof you can't."]
OPENERS = ["", "", "", "Hm, ", "Well, ", "Ok so ", "@admin ", "To be fair, ", "Update: ", "Reply: ", "FYI ", "Wow. "]
TAILS = ["", "", " Seriously.", " Just saying.", " lol", " Again.", " Read the docs.", " Period.", " Thoughts?",
         " (edited)", " Cheers.", " Sigh.", " 2nd time today.", " See above.", " !!", " Not again."]


def rows(n: int = 1500, n_abusive: int = 45, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        abusive = i < n_abusive
        s = rng.choice(SUBJECTS)
        opener = rng.choice(OPENERS)
        t = rng.choice(ABUSIVE if abusive else OK).format(s=s, S=s[0].upper() + s[1:])
        if opener.endswith(", ") and not t.startswith("I "):
            t = t[0].lower() + t[1:]
        t = opener + t + rng.choice(TAILS)
        if t[0].islower():
            t = t[0].upper() + t[1:]
        out.append((t, "abusive" if abusive else "ok"))
    rng.shuffle(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="rare_comments.csv")
    args = ap.parse_args()
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows())
    print(f"wrote 1500 rows to {args.out}")


if __name__ == "__main__":
    main()
