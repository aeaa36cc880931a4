"""Sentence material for the vocoder's synthetic speech: a template grammar plus free sentences.

Every template word is in pocketsphinx's cmudict, so the same grammar doubles as the JSGF
grammar of the intelligibility evaluation. Training fills and held-out fills come from
different seeds and are de-duplicated against each other.
"""
from __future__ import annotations

import csv
import os
import re

import numpy as np

SLOTS: dict[str, tuple[str, ...]] = {
    "det": ("the", "a", "my", "your", "this", "that", "one", "every"),
    "adj": ("small", "big", "red", "green", "old", "young", "happy", "quiet", "bright", "dark", "cold", "warm",
            "heavy", "little", "strange", "clever", "gentle", "silver", "yellow", "brown"),
    "noun": ("dog", "cat", "child", "teacher", "doctor", "farmer", "bird", "horse", "car", "house", "garden",
             "river", "window", "table", "letter", "picture", "apple", "boat", "train", "friend", "mother",
             "father", "captain", "student"),
    "verb": ("found", "saw", "liked", "moved", "painted", "opened", "carried", "followed", "bought", "cleaned",
             "watched", "pushed", "washed", "wanted", "visited", "needed"),
    "time": ("today", "yesterday", "this morning", "last night", "every day", "in the evening", "after lunch",
             "before dinner", "on monday", "on friday", "at noon", "once again"),
}

# Two shapes: "<det> <adj> <noun> <verb> <det> <adj> <noun> <time>" and a shorter one.
TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("det", "adj", "noun", "verb", "det", "adj", "noun", "time"),
    ("det", "noun", "verb", "det", "adj", "noun"),
)

HIFITTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "shared", "data", "hifitts-6097",
                       "transcripts.tsv")


def jsgf_grammar() -> str:
    """The evaluation grammar: exactly the template language."""
    rules = [f"<{name}> = ( {' | '.join(words)} ) ;" for name, words in SLOTS.items()]
    shapes = " | ".join("( " + " ".join(f"<{s}>" for s in t) + " )" for t in TEMPLATES)
    return "#JSGF V1.0;\ngrammar sentences;\n" + "\n".join(rules) + f"\npublic <s> = {shapes} ;\n"


def vocabulary() -> list[str]:
    return sorted({w for words in SLOTS.values() for phrase in words for w in phrase.split()})


def template_sentences(n: int, seed: int, exclude: set[str] | None = None) -> list[str]:
    """n distinct fills, none of which is in `exclude`."""
    rng = np.random.default_rng([seed, 7])
    out: list[str] = []
    seen = set(exclude or ())
    while len(out) < n:
        shape = TEMPLATES[int(rng.random() < 0.3)]
        text = " ".join(SLOTS[s][int(rng.integers(len(SLOTS[s])))] for s in shape)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def free_sentences() -> list[str]:
    """Hi-Fi TTS speaker 6097's 116 transcripts (text only, CC BY 4.0): phonetic variety for training."""
    path = os.path.abspath(HIFITTS)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    texts = []
    for row in rows:
        if len(row) >= 3:
            text = re.sub(r"[^a-z' ]+", " ", row[2].lower())
            text = " ".join(text.split())
            if len(text.split()) >= 3:
                texts.append(text)
    return texts
