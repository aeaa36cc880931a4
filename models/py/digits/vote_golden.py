#!/usr/bin/python3
"""Golden cases for the runtime's word vote (asr/text/word-vote.ts), from vote_eval.vote:
random word sequences over a small vocabulary (so that systems agree, disagree, drop and
insert words), one pivot and one to three other systems each, and the voted words.

    /usr/bin/python3 -m digits.vote_golden ../../test/fixtures/text/word-vote.json   (from models/py)
"""
from __future__ import annotations

import json
import random
import sys

from .vote_eval import vote

VOCAB = ["oh", "one", "two", "five", "nine"]


def noisy_copy(rng: random.Random, words: list) -> list:
    """The words with random substitutions, deletions and insertions."""
    out = []
    for w in words:
        r = rng.random()
        if r < 0.15:
            continue  # deleted
        out.append(rng.choice(VOCAB) if r < 0.35 else w)
        if rng.random() < 0.1:
            out.append(rng.choice(VOCAB))  # inserted
    return out


def main() -> None:
    rng = random.Random(20261122)
    cases = []
    for _ in range(300):
        truth = [rng.choice(VOCAB) for _ in range(rng.randint(0, 9))]
        pivot = noisy_copy(rng, truth)
        others = [noisy_copy(rng, truth) for _ in range(rng.randint(1, 3))]
        cases.append({"pivot": pivot, "others": others, "voted": vote(pivot, others)})
    with open(sys.argv[1], "w") as f:
        json.dump({"source": "models/py/digits/vote_golden.py (vote_eval.vote)", "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
