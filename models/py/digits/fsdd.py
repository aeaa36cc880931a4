"""Free Spoken Digit Dataset access with the training/development speaker split enforced.

theo is the development/evaluation speaker and must never reach training data; the other
speakers in the dataset that are not stored here are a blind test and are not used at all.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
FSDD_DIR = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "fsdd"))

TRAIN_SPEAKERS: tuple[str, ...] = ("george", "jackson", "lucas", "yweweler")
DEV_SPEAKER = "theo"


@dataclass(frozen=True)
class FsddClip:
    path: str
    digit: str
    word: str
    speaker: str
    index: int


def fsdd_clips(speakers: tuple[str, ...], fsdd_dir: str = FSDD_DIR) -> list[FsddClip]:
    """Clips of the given speakers, ordered by (speaker, digit, index) so builds are reproducible."""
    table = os.path.join(fsdd_dir, "transcripts.tsv")
    if not os.path.exists(table):
        raise FileNotFoundError(f"FSDD transcripts not found at {table} (expected ../shared/data/fsdd)")
    clips = []
    with open(table, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["speaker"] not in speakers:
                continue
            index = int(os.path.splitext(os.path.basename(row["path"]))[0].split("_")[-1])
            clips.append(FsddClip(os.path.join(fsdd_dir, row["path"]), row["digit"], row["word"], row["speaker"], index))
    clips.sort(key=lambda c: (c.speaker, c.digit, c.index))
    return clips


def training_clips(fsdd_dir: str = FSDD_DIR) -> list[FsddClip]:
    clips = fsdd_clips(TRAIN_SPEAKERS, fsdd_dir)
    assert all(c.speaker != DEV_SPEAKER for c in clips), "theo must never be used for training"
    return clips


def dev_clips(fsdd_dir: str = FSDD_DIR) -> list[FsddClip]:
    return fsdd_clips((DEV_SPEAKER,), fsdd_dir)
