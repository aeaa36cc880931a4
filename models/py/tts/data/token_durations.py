"""How long each G2P token lasts in a training clip, and the duration table inference plans with.

Why: both TTS families place the text tokens on the audio timeline through RoPE positions.
Spreading them evenly ((i + 0.5) * N / P) leaves the model to discover where each phone
really is, and the tiny models did not within the CPU budget. Training on each token's true
centre (from the teacher synthesiser's own alignment) turns that into a local lookup, and
inference places tokens by a per-voice table of mean durations (`DurationTable`), the
simplest duration model: tts/speech/token-timeline.ts computes the same positions.

The alignment is in the synthesiser's phones plus silences (alignments.py); the G2P tokens
are our phones plus word boundaries and punctuation, and the two may disagree on a few
pronunciations. `token_frames` aligns them by dynamic programming: phones match equal phones,
boundary and punctuation tokens take the silences, mismatches cost; a segment left over
joins the token before it (or the leading silence).
"""
from __future__ import annotations

import json
from typing import List, Sequence, Tuple

import numpy as np

from .alignments import HOP_SECONDS

SIL = 3  # tts/text/phone-tokens.ts: 'sil'
FIRST_PHONE = 9  # ids below are framing, silence, word boundary and punctuation


def is_phone(token: int) -> bool:
    return token >= FIRST_PHONE


def _match_cost(token: int, seg: int) -> float:
    if is_phone(token):
        return 0.0 if seg == token else (1.0 if seg != SIL else 2.0)
    return 0.0 if seg == SIL else 2.0


def token_frames(ids: Sequence[int], seg_ids: Sequence[int], seg_ends: Sequence[float], n_frames: int,
                 hop_seconds: float = HOP_SECONDS) -> Tuple[float, np.ndarray]:
    """-> (leading frames, frames per token [len(ids)]), summing to n_frames.

    Segment k spans [end_{k-1}, end_k) seconds; in frames the clip is n_frames long, and
    whatever the alignment leaves after its last end (padding) joins the last token."""
    n, m = len(ids), len(seg_ids)
    inf = float("inf")
    cost = np.full((n + 1, m + 1), inf)
    move = np.zeros((n + 1, m + 1), dtype=np.int8)  # 1 match, 2 skip token, 3 skip segment
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i, j]
            if c == inf:
                continue
            if i < n and j < m:
                v = c + _match_cost(ids[i], seg_ids[j])
                if v < cost[i + 1, j + 1]:
                    cost[i + 1, j + 1], move[i + 1, j + 1] = v, 1
            if i < n:
                v = c + (1.0 if is_phone(ids[i]) else 0.0)
                if v < cost[i + 1, j]:
                    cost[i + 1, j], move[i + 1, j] = v, 2
            if j < m:
                v = c + (0.5 if seg_ids[j] == SIL else 1.0)
                if v < cost[i, j + 1]:
                    cost[i, j + 1], move[i, j + 1] = v, 3
    owner = [-1] * m  # token index per segment (-1: not matched yet)
    i, j = n, m
    while i > 0 or j > 0:
        mv = move[i, j]
        if mv == 1:
            owner[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif mv == 2:
            i -= 1
        else:
            j -= 1
    # A leftover segment joins the token before it; before any token it is leading silence.
    last = -1
    for k in range(m):
        if owner[k] >= 0:
            last = owner[k]
        else:
            owner[k] = last
    durs = np.zeros(n, dtype=np.float64)
    lead = 0.0
    start = 0.0
    for k in range(m):
        end = min(float(seg_ends[k]) / hop_seconds, float(n_frames))
        span = max(0.0, end - start)
        if owner[k] < 0:
            lead += span
        else:
            durs[owner[k]] += span
        start = max(start, end)
    if n:
        durs[-1] += max(0.0, n_frames - start)
    else:
        lead += max(0.0, n_frames - start)
    return lead, durs


def token_centres(lead: float, durs: np.ndarray) -> np.ndarray:
    """Centre of each token in frames from the clip start: lead + sum of earlier + half its own."""
    starts = lead + np.concatenate([[0.0], np.cumsum(durs)[:-1]]) if len(durs) else np.zeros(0)
    return starts + durs / 2


class DurationTable:
    """Mean frames per token id, per voice, and mean leading frames per voice (what
    inference uses instead of an alignment). Tokens a voice saw fewer than `min_count`
    times fall back to the all-voice mean, then to the overall mean frames per token."""

    def __init__(self, token_count: int, voices: int, min_count: int = 5):
        self.token_count = token_count
        self.sums = np.zeros((voices, token_count))
        self.counts = np.zeros((voices, token_count))
        self.lead_sum = np.zeros(voices)
        self.clips = np.zeros(voices)
        self.min_count = min_count

    def add(self, voice: int, ids: Sequence[int], lead: float, durs: np.ndarray) -> None:
        for t, d in zip(ids, durs):
            self.sums[voice, t] += d
            self.counts[voice, t] += 1
        self.lead_sum[voice] += lead
        self.clips[voice] += 1

    def frames(self) -> List[List[float]]:
        overall = self.sums.sum() / max(1.0, self.counts.sum())
        pooled_n = self.counts.sum(0)
        pooled = np.where(pooled_n > 0, self.sums.sum(0) / np.maximum(pooled_n, 1), overall)
        out = np.where(self.counts >= self.min_count, self.sums / np.maximum(self.counts, 1), pooled[None])
        return [[round(float(x), 4) for x in row] for row in out]

    def lead(self) -> List[float]:
        return [round(float(s / max(1.0, c)), 4) for s, c in zip(self.lead_sum, self.clips)]


def duration_row(voices: Sequence[str], voice: str | None) -> int:
    """The table row of a voice name: its own, else the pooled row "*" (the last)."""
    if voice is not None and voice in voices:
        return list(voices).index(voice)
    return len(voices) - 1


def planned_timeline(frames: Sequence[Sequence[float]], lead: Sequence[float], row: int, ids: Sequence[int],
                     speed: float = 1.0) -> Tuple[List[float], float]:
    """Inference: (token centres in frames, total frames) from the table at 1 / speed.
    Float64 in this exact order, as tts/speech/token-timeline.ts plannedTimeline:
    start = lead / speed; per token d = frames / speed, centre = start + d / 2, start += d."""
    start = lead[row] / speed
    centres: List[float] = []
    for t in ids:
        d = frames[row][t] / speed
        centres.append(start + d / 2)
        start = start + d
    return centres, start


def duration_metadata(voices: Sequence[str], frames: Sequence[Sequence[float]], lead: Sequence[float]) -> str:
    """The `durations` metadata value: JSON {"voices", "lead", "frames"} (CONTRACT.md)."""
    return json.dumps({"voices": list(voices), "lead": list(lead), "frames": [list(r) for r in frames]},
                      separators=(",", ":"))


def clip_timelines(rows: Sequence[dict], n_frames: Sequence[int]) -> List[Tuple[float, np.ndarray]]:
    """(lead, durations) of every manifest row (train/manifest.jsonl), n_frames[i] mel frames each."""
    return [token_frames(r["ids"], r["align_ids"], r["align_ends"], n) for r, n in zip(rows, n_frames)]


def build_table(rows: Sequence[dict], timelines: Sequence[Tuple[float, np.ndarray]], voice_of: Sequence[str],
                token_count: int) -> Tuple[List[str], List[List[float]], List[float]]:
    """-> (duration_voices, token_frames, lead_frames): one row per voice name, sorted, then "*"
    (all voices pooled), for the model config."""
    names = sorted(set(voice_of))
    table = DurationTable(token_count, len(names) + 1)
    for r, (lead, durs), v in zip(rows, timelines, voice_of):
        table.add(names.index(v), r["ids"], lead, durs)
        table.add(len(names), r["ids"], lead, durs)
    return names + ["*"], table.frames(), table.lead()
