"""Builds tts/lexicon/cmudict-en-us.txt.gz, the pronouncing lexicon of the TTS text front end.

    /usr/bin/python3 models/py/tts/data/build_lexicon.py [--dict PATH] [--out PATH]

Source: the CMU Pronouncing Dictionary as shipped by Debian's pocketsphinx-en-us
(/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict, BSD-2-Clause, Carnegie Mellon
University; see tts/lexicon/README.md). That copy has no stress digits, so neither has the
lexicon: 39 ARPAbet phones.

What is kept: every word spelled with a-z and apostrophes (124,789 of 125,945 head words),
with ONE pronunciation, the dictionary's first, except for a few frequent homographs whose
first entry is the rarer reading in running text (OVERRIDES). Dotted entries ("a.", "u.s.")
and hyphenated compounds are dropped: the normaliser spells letters and splits hyphens itself.

Output: gzip (mtime 0, so rebuilding is byte-identical) of sorted lines "word PH PH PH".
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import re

SOURCE = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "tts", "lexicon", "cmudict-en-us.txt.gz")

PHONES = frozenset(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()
)
WORD = re.compile(r"^[a-z][a-z']*$")
# Homographs whose first CMU entry is the less frequent reading (present tense and nouns
# outnumber the alternatives in general text). Value: the variant number to keep.
OVERRIDES = {"read": 2, "live": 2, "wind": 2, "lead": 2}


def parse(path: str) -> dict[str, list[list[str]]]:
    """Head word -> pronunciations in file order (variant 1 first)."""
    entries: dict[str, list[list[str]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            head = parts[0].split("(", 1)[0]
            phones = parts[1:]
            unknown = set(phones) - PHONES
            if unknown:
                raise ValueError(f"{path}: {parts[0]} uses phones outside the inventory: {sorted(unknown)}")
            entries.setdefault(head, []).append(phones)
    return entries


def select(entries: dict[str, list[list[str]]]) -> dict[str, list[str]]:
    out = {}
    for word, prons in entries.items():
        if not WORD.match(word):
            continue
        variant = OVERRIDES.get(word, 1)
        out[word] = prons[variant - 1] if variant <= len(prons) else prons[0]
    return out


def render(lexicon: dict[str, list[str]]) -> bytes:
    text = "".join(f"{w} {' '.join(p)}\n" for w, p in sorted(lexicon.items()))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("ascii"))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dict", default=SOURCE)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    with open(args.dict, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    entries = parse(args.dict)
    lexicon = select(entries)
    data = render(lexicon)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    print(f"{len(lexicon)} words of {len(entries)} head words from {args.dict} (sha256 {digest[:16]}...)")
    print(f"wrote {args.out}: {len(data)} bytes")


if __name__ == "__main__":
    main()
