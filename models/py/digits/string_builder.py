"""Joins word clips into one continuous digit string with human-like pauses.

Phone-style groups get short gaps inside a group and longer ones between groups; ungrouped
strings get independent gaps. Shared by the training sampler and the eval-set builder.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .audio_io import MODEL_RATE


@dataclass(frozen=True)
class PauseConfig:
    gap_ms: tuple[float, float] = (0.0, 800.0)  # between words of an ungrouped string
    inside_group_ms: tuple[float, float] = (0.0, 250.0)
    between_groups_ms: tuple[float, float] = (250.0, 800.0)
    edge_ms: tuple[float, float] = (0.0, 800.0)  # leading and trailing silence


def draw_gaps(rng: np.random.Generator, groups: tuple[int, ...], cfg: PauseConfig, rate: int = MODEL_RATE) -> list[int]:
    """len(words) + 1 gaps in samples: leading, between each pair of words, trailing."""
    def ms(lo_hi: tuple[float, float]) -> int:
        return int(rng.uniform(*lo_hi) * rate / 1000)

    gaps = [ms(cfg.edge_ms)]
    grouped = len(groups) > 1
    for g, size in enumerate(groups):
        for k in range(size):
            if k < size - 1:
                gaps.append(ms(cfg.inside_group_ms if grouped else cfg.gap_ms))
            elif g < len(groups) - 1:
                gaps.append(ms(cfg.between_groups_ms))
    gaps.append(ms(cfg.edge_ms))
    return gaps


def assemble(clips: list[np.ndarray], gaps: list[int], gains_db: list[float] | None = None) -> np.ndarray:
    if len(gaps) != len(clips) + 1:
        raise ValueError(f"need {len(clips) + 1} gaps for {len(clips)} clips, got {len(gaps)}")
    gains = [10 ** (g / 20) for g in gains_db] if gains_db else [1.0] * len(clips)
    out = np.zeros(sum(gaps) + sum(len(c) for c in clips), dtype=np.float32)
    pos = gaps[0]
    for clip, gain, gap in zip(clips, gains, gaps[1:]):
        out[pos:pos + len(clip)] = clip * gain
        pos += len(clip) + gap
    return out
