"""Intelligibility check of the word inventory: pocketsphinx recognises each isolated clip under a
one-of-11-words grammar; prints accuracy per engine/speaker and the worst voice variants.

A low score flags a voice that may teach the model garbage (or one that is just unusual: pocketsphinx
itself is far from perfect, see the FSDD rows). Informational; nothing is filtered automatically.

    /usr/bin/python3 models/py/digits/check_voices.py [--bundle models/py/work/digits-data/words.npz]
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

from .bundle import load_bundle  # noqa: E402
from .dataset import DEFAULT_DATA_DIR, WORDS_FILE  # noqa: E402
from .pocketsphinx_decoder import SINGLE_WORD_GRAMMAR, decode  # noqa: E402
from .vocab import WORD_TO_DIGIT  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default=os.path.join(DEFAULT_DATA_DIR, WORDS_FILE))
    ap.add_argument("--worst", type=int, default=12)
    args = ap.parse_args(argv)
    b = load_bundle(args.bundle)
    pad = np.zeros(int(0.3 * b.rate), np.float32)
    hyps, wall = decode([np.concatenate([pad, b.clip(i), pad]) for i in range(len(b))], SINGLE_WORD_GRAMMAR)
    # "oh" and "zero" count as the same answer: they are the same digit.
    ok = np.array([WORD_TO_DIGIT.get(h.split()[0] if h else "", "?") == WORD_TO_DIGIT[str(w)]
                   for h, w in zip(hyps, b.words)])
    by_speaker, by_voice = defaultdict(list), defaultdict(list)
    for i in range(len(b)):
        name = b.voice_of(i)
        by_speaker["/".join(name.split("/")[:2])].append(ok[i])
        by_voice[name].append(ok[i])
    print(f"{len(b)} clips decoded in {wall:.0f} s; overall word accuracy {100 * ok.mean():.1f}%")
    for key, v in sorted(by_speaker.items()):
        print(f"    {key:<34} {100 * np.mean(v):5.1f}%  ({len(v)} clips)")
    worst = sorted(by_voice.items(), key=lambda kv: np.mean(kv[1]))[: args.worst]
    print("worst variants: " + ", ".join(f"{k} {100 * np.mean(v):.0f}%" for k, v in worst))


if __name__ == "__main__":
    main()
