"""Semantic tokens of the tiny MaskGCT: frame-level phone labels, no SSL model.

Where the labels come from: the teacher synthesisers' own phone alignments (festival
`utt.save.segs`, flite `-psdur`), parsed, cleaned and mapped onto our phone inventory by
models/py/tts/data/alignments.py (`clean`, then `frame_labels`, which gives one phone id of
tts/text/phone-tokens.ts per 20 ms mel frame). This module turns those per-frame phone ids
into the semantic token stream: token = phone_id * sem_states + state, where state is the
frame's position inside its phone run (0 .. sem_states - 1: begin / middle / end for 3).
With sem_states = 1 the tokens are the phone ids themselves (reference tts-families.md 1.8).
"""
from __future__ import annotations

import numpy as np


def semantic_tokens(frame_phone_ids: np.ndarray, sem_states: int = 1) -> np.ndarray:
    """Per-frame phone ids [T] (alignments.frame_labels) -> semantic tokens [T], int64."""
    ids = np.asarray(frame_phone_ids, dtype=np.int64)
    if sem_states == 1 or ids.size == 0:
        return ids.copy()
    out = np.empty_like(ids)
    start = 0
    n = ids.size
    while start < n:
        end = start
        while end < n and ids[end] == ids[start]:
            end += 1
        run = end - start
        for k in range(run):
            out[start + k] = ids[start] * sem_states + min(sem_states - 1, (k * sem_states) // run)
        start = end
    return out


def phone_of_semantic(tokens: np.ndarray, sem_states: int = 1) -> np.ndarray:
    return np.asarray(tokens, dtype=np.int64) // sem_states
