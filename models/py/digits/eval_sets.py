"""The evaluation sets as the models see them: rows of eval/<set>/manifest.jsonl with the
audio read as mono float32 at 16 kHz (theo-8k is resampled here, as the product resamples
8 kHz input), and the pocketsphinx peer figures stored beside them."""
from __future__ import annotations

import json
import os
from typing import Dict, List, Optional

import numpy as np

from .audio_io import read_wav_16k
from .eval_manifest import read_manifest

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL_DIR = os.path.abspath(os.path.join(HERE, "..", "work", "eval"))
SETS = ("theo", "theo-8k", "heldout-synthetic")
POCKETSPHINX_RESULTS = os.path.join(EVAL_DIR, "pocketsphinx-results.json")


def load_set(name: str, limit: Optional[int] = None, eval_dir: str = EVAL_DIR) -> List[Dict]:
    """Rows with "wave" (float32 [N] at 16 kHz) added; `limit` keeps every k-th row so a
    subset still spans the whole set."""
    rows = read_manifest(os.path.join(eval_dir, name))
    if limit is not None and limit < len(rows):
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    for row in rows:
        row["wave"] = read_wav_16k(row["audio"]).astype(np.float32)
    return rows


def pocketsphinx_results(path: str = POCKETSPHINX_RESULTS) -> Dict[str, Dict]:
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)
